/*
 * The embedded job queue of `articast serve`: jobs (job.h) kept in the
 * site's state database (state.h), module "jobs", so that they survive a
 * restart of the service.
 *
 * A job row is queued, then running (claimed by one worker process in a
 * BEGIN IMMEDIATE transaction, so two workers never take the same one),
 * then done or failed. Jobs of one episode (the same article id, URL or
 * bytes: its "key") never run at the same time, and run in the order they
 * came. A job whose worker died goes back to the queue, at most
 * AC_JOBS_MAX_ATTEMPTS times in all.
 *
 * Posting what is already queued, running or done changes nothing: the
 * same key with the same digest (ac_job_digest) answers with that job. A
 * new version of an article that still waits in the queue replaces the
 * waiting one's content (one render, of the newest). A URL job that is
 * done is rendered again (the page may have changed; the segment cache
 * makes an unchanged page cheap).
 *
 * A finished job keeps its row (state, result, digest) but not the
 * article's bytes; rows are pruned AC_JOBS_KEEP_DAYS after they finished.
 */
#ifndef ARTICAST_JOBS_DB_H
#define ARTICAST_JOBS_DB_H

#include "job.h"
#include "state.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

extern const ac_state_schema ac_jobs_schema;

/* A job's public id: 32 hex digits and a NUL. */
#define AC_JOBS_ID_LEN 33
/* Claims of a job (a worker dying with it) before it is failed. */
#define AC_JOBS_MAX_ATTEMPTS 3
/* Days a finished job's status is kept. */
#define AC_JOBS_KEEP_DAYS 30
/* Tries of a callback before it is given up. */
#define AC_JOBS_CALLBACK_TRIES 4

typedef struct ac_job_row {
  char id[AC_JOBS_ID_LEN];
  char *state; /* queued, running, done, failed */
  char *key;   /* the episode's identity, or the article bytes' digest */
  char *error; /* why it failed, or NULL */
  char *slug;  /* the episode's slug once done, or NULL */
  char *guid;
  char *files; /* JSON array of paths relative to SITE, or NULL */
  char *callback_url;
  int attempts;
  int64_t created_at, started_at, finished_at; /* Unix times, 0: not yet */
  double render_seconds;
} ac_job_row;

void ac_job_row_free(ac_job_row *r);

/* Queues `job` (valid), or answers with the job that already stands for
 * it (see above): *reused tells which. */
int ac_jobs_enqueue(ac_state *st, const ac_job *job, char id[AC_JOBS_ID_LEN],
                    bool *reused, char *err, size_t errlen);
/* Takes the oldest queued job whose episode has none running, for worker
 * `pid`. Returns 0 with *got false when there is none. A row whose stored
 * job is not valid is failed and skipped. */
int ac_jobs_claim(ac_state *st, pid_t pid, ac_job *job, char id[AC_JOBS_ID_LEN],
                  bool *got, char *err, size_t errlen);
/* Records the end of a running job: done with `res`, or failed with
 * `error`; a callback is then due. */
int ac_jobs_finish(ac_state *st, const char *id, bool ok,
                   const ac_job_result *res, const char *error, double seconds,
                   char *err, size_t errlen);
/* Puts the running jobs of worker `pid` (every worker when pid is 0) back
 * in the queue, or fails those claimed AC_JOBS_MAX_ATTEMPTS times. Returns
 * how many rows changed, or a negative AC_ERR_*. */
int ac_jobs_release(ac_state *st, pid_t pid, char *err, size_t errlen);
/* Reads a job: AC_ERR_NOTFOUND when there is none of that id. */
int ac_jobs_get(ac_state *st, const char *id, ac_job_row *out, char *err,
                size_t errlen);
/* Removes the jobs that finished more than `days` ago (their status is
 * no longer asked for). Returns how many, or a negative AC_ERR_*. */
int ac_jobs_prune(ac_state *st, int64_t days, char *err, size_t errlen);
/* Forgets that an episode was rendered (it was deleted): the same article
 * posted again renders again. */
int ac_jobs_forget_slug(ac_state *st, const char *slug, char *err,
                        size_t errlen);

typedef struct ac_jobs_stats {
  int64_t queued, running, done, failed;
  double render_seconds; /* over the done and failed jobs */
  int64_t rendered;      /* how many of them */
} ac_jobs_stats;

int ac_jobs_stats_read(ac_state *st, ac_jobs_stats *s, char *err,
                       size_t errlen);

/* Takes a callback that is due at `now` (its try is recorded as made):
 * 0 with *got false when none. */
int ac_jobs_claim_callback(ac_state *st, int64_t now, ac_job_row *out,
                           bool *got, char *err, size_t errlen);
/* After a try: delivered, or due again after a back-off until
 * AC_JOBS_CALLBACK_TRIES tries were made. */
int ac_jobs_callback_tried(ac_state *st, const char *id, bool delivered,
                           const char *error, char *err, size_t errlen);

#endif
