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

/* The default of --time-limit, seconds: far above what an article takes
 * (a 5,000-word article renders in about 5 s here), low enough that a
 * pathological input cannot hold a worker for hours. */
#define AC_DEFAULT_TIME_LIMIT 1800.0

#endif
