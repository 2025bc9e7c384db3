/*
 * `articast serve`: an HTTP service (libmicrohttpd) that takes articles,
 * queues them as jobs (job.h) and serves the site. Its parts:
 *
 *   serve_cli.c       the command line, the worker processes, the daemon
 *   serve_api.c       routing, authentication and the /v1 API, /healthz,
 *                     /metrics, JSON errors
 *   serve_episodes.c  GET /v1/episodes and DELETE /v1/episodes/SLUG
 *   serve_static.c    the site's files (Range, ETag, content types)
 *   serve_worker.c    a worker process: claims jobs, renders each in a
 *                     child process, delivers callbacks
 *
 * and jobs_db.c, the job queue in the site's state database.
 */
#ifndef ARTICAST_SERVE_H
#define ARTICAST_SERVE_H

#include "core.h"
#include "state.h"

#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The command (main.c's table calls it). */
int ac_serve_command(int argc, char **argv);

/* The default of --max-body: the longest article a job may carry. */
#define SERVE_DEFAULT_MAX_BODY ((size_t)20 << 20)
/* Request bodies held at once, all connections together: at least this,
 * and at least 4 bodies of --max-body. */
#define SERVE_MIN_BUFFER_BUDGET ((size_t)64 << 20)

typedef struct serve_options {
  const char *listen; /* ADDR:PORT as given */
  char host[64];      /* its address */
  unsigned port;
  const char *token_file, *redis; /* -c, -o, -O, the cache: cli_common.h */
  int workers;
  bool allow_private_urls, quiet;
  size_t max_body;
  double time_limit;
  pid_t worker_of; /* a worker process: its parent's pid; else 0 */
} serve_options;

typedef struct serve_ctx {
  const serve_options *opt;
  ac_pipeline *pl; /* config and plugins, for rebuilding the feed */
  const char *site;
  int site_fd;    /* the site folder, opened once */
  char *base_url; /* where the site is served, ending in '/' */
  bool has_token;
  uint8_t token_digest[32]; /* SHA-256 of the bearer token */
  ac_state *state;          /* the HTTP threads' connection, under `lock` */
  pthread_mutex_t lock;
  pthread_mutex_t site_lock; /* DELETE's feed rebuild, one at a time */
  atomic_long requests[6];   /* answers by class: 1xx..5xx, and others */
  atomic_size_t buffered;    /* bytes of request bodies held, all requests */
  size_t buffer_budget;      /* the most they may hold together */
} serve_ctx;

/* ---- Answers ------------------------------------------------------------ */

/* Queues `json` (stolen: freed) with `status`; returns MHD's result. */
enum MHD_Result serve_reply_json(serve_ctx *ctx, struct MHD_Connection *c,
                                 unsigned status, char *json);
/* {"error": message} with `status`. */
enum MHD_Result serve_reply_error(serve_ctx *ctx, struct MHD_Connection *c,
                                  unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Counts an answer of `status` for /metrics. */
void serve_count(serve_ctx *ctx, unsigned status);

/* ---- Parts ------------------------------------------------------------- */

/* MHD's access handler (serve_api.c). */
enum MHD_Result serve_handle(void *cls, struct MHD_Connection *c,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls);
/* MHD's completion handler: frees a request's state. */
void serve_request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe);

/* GET or HEAD of a file of the site (serve_static.c). */
enum MHD_Result serve_static(serve_ctx *ctx, struct MHD_Connection *c,
                             const char *url, bool head);
/* Whether a path relative to the site is one it may serve: no empty,
 * dot or dot-dot component, no component starting with '.'. */
bool serve_path_allowed(const char *path);

/* GET /v1/episodes and DELETE /v1/episodes/SLUG (serve_episodes.c). */
enum MHD_Result serve_list_episodes(serve_ctx *ctx, struct MHD_Connection *c);
enum MHD_Result serve_delete_episode(serve_ctx *ctx, struct MHD_Connection *c,
                                     const char *slug);

/* The JSON of a job's status as GET /v1/jobs/ID and callbacks give it,
 * with URLs under `base_url` (serve_api.c). NULL when out of memory. */
typedef struct ac_job_row ac_job_row;
char *serve_job_json(const ac_job_row *row, const char *base_url);

/* A worker process's life (serve_worker.c): returns its exit code. */
int serve_worker_main(const serve_options *opt, ac_pipeline *pl,
                      const char *site, const char *base_url);

/* The bearer token: the first line of `path`, at least 16 characters,
 * malloc'd into *token. Returns 0 or AC_EXIT_USAGE, having said why. */
int serve_read_token(const char *path, char **token);

/* The site's base URL for `opt` and the config: [show] base_url or
 * --base-url, else http://ADDR:PORT/ of --listen; malloc'd, ends in '/'. */
char *serve_base_url(const serve_options *opt, const ac_config *cfg);

#endif
