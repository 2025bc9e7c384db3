/*
 * Scale-out on Redis Streams (libhiredis): `articast enqueue` adds jobs
 * (job.h) to a stream, `articast worker` renders them from a consumer
 * group, on any number of machines that share the site's directory.
 *
 * Keys, all under the "articast:" prefix:
 *   articast:jobs      the stream of jobs (fields: job.h's stored form);
 *                      an entry is deleted once its job is published or
 *                      dead, so the stream holds only the work left
 *   articast:workers   the consumer group that reads it
 *   articast:dead      the dead-letter stream: a job that failed
 *                      AC_REDIS_MAX_DELIVERIES times or could not be read,
 *                      with its error ("job-id", "error", "deliveries",
 *                      then the job's own fields)
 *   articast:errors    hash: entry id -> the last error of a job still
 *                      being retried
 *   articast:keys      hash: an article's identity (its id or URL, else
 *                      its bytes' digest) -> "ENTRY-ID DIGEST" of its
 *                      newest job, so that the same article again is no
 *                      new work
 *   articast:stats     hash: "rendered" jobs published and the
 *                      "render_seconds" they took, for serve's /metrics
 *   articast:job:<id>  hash: a job's state for those who ask (serve):
 *                      "state" queued|running|done|failed, "slug",
 *                      "files" (newline-separated, relative to SITE),
 *                      "error", "consumer"; kept a week once finished
 */
#ifndef ARTICAST_REDIS_H
#define ARTICAST_REDIS_H

#include "job.h"

#include <stdbool.h>
#include <stddef.h>

#define AC_REDIS_STREAM "articast:jobs"
#define AC_REDIS_GROUP "articast:workers"
#define AC_REDIS_DEAD "articast:dead"
#define AC_REDIS_ERRORS "articast:errors"
#define AC_REDIS_KEYS "articast:keys"
#define AC_REDIS_STATS "articast:stats"
#define AC_REDIS_STATUS_PREFIX "articast:job:"
/* Deliveries of a failing job before it goes to the dead-letter stream. */
#define AC_REDIS_MAX_DELIVERIES 5
/* How long a finished job's state is kept, seconds. */
#define AC_REDIS_STATUS_TTL (7 * 86400)

/* Where Redis is: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (HOST may be
 * an [IPv6] address; PORT 6379 by default) or unix:///PATH[?db=DB]
 * (also unix:PATH). The password may be percent-encoded. */
typedef struct ac_redis_url {
  char *host;   /* NULL for a unix socket */
  int port;     /* 1..65535 */
  char *socket; /* the socket's path, or NULL */
  char *user;   /* ACL user for AUTH, or NULL */
  char *password;
  int db; /* 0..: SELECT after connecting */
} ac_redis_url;

/* Parses a Redis URL. Returns 0, or AC_EXIT_USAGE with why in err. */
int ac_redis_url_parse(const char *url, ac_redis_url *out, char *err,
                       size_t errlen);
void ac_redis_url_free(ac_redis_url *u);

/* Adds one job to the stream (making the stream and its consumer group if
 * need be) and records it as queued. id_out (idlen bytes, 32 is enough)
 * gets the stream entry's id: the job's id for `articast:job:<id>`. As
 * with the embedded queue (jobs_db.h), the same article again (same id or
 * URL, same content and options) while its job is queued or running, or
 * done when it came as bytes, adds nothing: id_out is that job's and
 * *reused (when not NULL) is set. The job is validated first. Returns 0,
 * or an AC_EXIT_* code with why in err (AC_EXIT_INPUT for a bad job,
 * AC_EXIT_FAILURE when Redis cannot be reached or refuses). */
int ac_redis_enqueue(const char *redis_url, const ac_job *job, char *id_out,
                     size_t idlen, bool *reused, char *err, size_t errlen);

/* The queue in numbers, as the embedded queue gives them (jobs_db.h):
 * queued (in the stream, not delivered), running (delivered, not yet
 * acknowledged: rendering, or failed and waiting for another try), done
 * (published since the stats began), failed (in the dead-letter stream),
 * and the render seconds of the published ones. */
typedef struct ac_jobs_stats ac_jobs_stats;
int ac_redis_stats(const char *redis_url, ac_jobs_stats *st, char *err,
                   size_t errlen);

/* A job's state as the workers recorded it. Every string malloc'd or NULL. */
typedef struct ac_redis_status {
  char *state; /* queued, running, done or failed; NULL: unknown id */
  char *slug;
  char *files; /* newline-separated, relative to SITE */
  char *error;
} ac_redis_status;

/* Reads articast:job:<id>. Returns 0 (st->state NULL when the id is not
 * known, or its record expired), or AC_EXIT_FAILURE with why in err. */
int ac_redis_job_status(const char *redis_url, const char *id,
                        ac_redis_status *st, char *err, size_t errlen);
void ac_redis_status_free(ac_redis_status *st);

/* `articast enqueue` and `articast worker` (redis_cli.c). */
int ac_enqueue_command(int argc, char **argv);
int ac_worker_command(int argc, char **argv);

#endif /* ARTICAST_REDIS_H */
