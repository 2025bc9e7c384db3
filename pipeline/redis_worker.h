/* `articast worker`'s loop (redis_worker.c), as its command line
 * (redis_cli.c) starts it. */
#ifndef ARTICAST_REDIS_WORKER_H
#define ARTICAST_REDIS_WORKER_H

#include "core.h"

#include <signal.h>
#include <stdbool.h>

typedef struct ac_worker_options {
  const char *redis_url;
  const char *consumer; /* this worker's name in the consumer group */
  double reclaim_after; /* seconds a job idles before it is taken over */
  double time_limit;    /* seconds a render may take, 0: no limit */
  bool drain;           /* exit once no job is left */
  bool quiet;
  const char *base_url; /* where SITE is served, ending in '/', or "" */
  const char *token;    /* signs callbacks (callback.h), or NULL */
} ac_worker_options;

/* Renders jobs into the pipeline's site (pl set up as for `articast
 * episode`) until *stops becomes nonzero (the job in hand is finished; at 2
 * it is stopped and left to another worker) or, with drain, no job is
 * left. Returns an AC_EXIT_* code. */
int ac_redis_work(ac_pipeline *pl, const ac_worker_options *o,
                  volatile sig_atomic_t *stops);

#endif
