/* Rendering several articles at once (`articast episode A B C -j N`). */
#ifndef ARTICAST_BATCH_H
#define ARTICAST_BATCH_H

#include "core.h"

#define AC_MAX_WORKERS 256

/* Renders every article with `jobs` cores (0: all): as many worker
 * processes as cores, or fewer when there are fewer articles, the cores
 * left over going to threads inside each article. Prints the files
 * written unless `quiet`, and a progress line on a terminal. An article
 * still rendering after `time_limit` seconds (0: no limit) is stopped. A
 * failing article is reported and the others still render. Returns the
 * first failure's exit code. */
int ac_render_batch(ac_pipeline *pl, char **articles, int count, int jobs,
                    double time_limit, bool quiet);

/* What a caller that renders articles of its own (articast follow) adds to
 * a batch. Every member is optional. */
typedef struct ac_batch_hooks {
  /* In the worker, before article `index` renders: sets the pipeline's
   * per-article fields (input_bytes, metadata, slug). */
  void (*prepare)(void *ctx, ac_pipeline *pl, int index);
  /* In the parent, when article `index` is done: its exit code and error
   * message ("" on success), or AC_EXIT_FAILURE when its worker died. An
   * article cut short by SIGINT or SIGTERM is not reported. */
  void (*finished)(void *ctx, int index, int exit_code, const char *error);
  void *ctx;
  /* The first SIGINT or SIGTERM lets every worker finish the article in
   * hand and take no other; a second one stops them at once. (Without it,
   * the first stops them at once.) The workers then run in process groups
   * of their own, so that a signal to the parent's group stops only the
   * parent. */
  bool finish_on_stop;
  /* Set by the batch: the signal that stopped it, or 0. */
  int stopped_by;
} ac_batch_hooks;

/* ac_render_batch with hooks (NULL: none). */
int ac_render_batch_hooked(ac_pipeline *pl, char **articles, int count,
                           int jobs, double time_limit, bool quiet,
                           ac_batch_hooks *hooks);

/* The default of --time-limit, seconds: far above what an article takes
 * (a 5,000-word article renders in about 5 s here), low enough that a
 * pathological input cannot hold a worker for hours. */
#define AC_DEFAULT_TIME_LIMIT 1800.0

#endif
