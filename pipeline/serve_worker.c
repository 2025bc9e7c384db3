/* `articast serve`: a worker process (serve.h). It claims the oldest job
 * it may run, renders it in a child process of its own (so a crash or a
 * hang of one article costs that article only, and --time-limit can stop
 * it), records the result and delivers the callbacks that are due. */
#define _GNU_SOURCE
#include "callback.h"
#include "fetch.h"
#include "job.h"
#include "jobs_db.h"
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often an idle worker looks at the queue. */
#define IDLE_POLL_MS 250
/* The longest report a render child writes. */
#define MAX_REPORT ((size_t)64 << 10)
/* The longest body of a callback's answer read. */
#define CALLBACK_MAX_BYTES ((size_t)64 << 10)

static volatile sig_atomic_t worker_stop;

static void on_stop(int sig) {
  worker_stop = sig;
}

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the render child: renders, and reports on `fd` as JSON. */
static void render_child(ac_pipeline *pl, const ac_job *job, int fd,
                         pid_t worker) {
  setpgid(0, 0);
  /* A render goes with its worker: the job is then queued again. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != worker)
    _exit(1);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  ac_job_result res = {0};
  char err[2048] = "";
  int rc = ac_job_render(pl, job, &res, err, sizeof err);
  json_t *files = json_array();
  for (size_t i = 0; i < res.n_files; i++)
    json_array_append_new(files, json_string(res.files[i]));
  json_t *o = json_pack("{s:i, s:s, s:s?, s:s?, s:o}", "code", rc, "error", err,
                        "slug", res.slug, "guid", res.guid, "files", files);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  for (size_t off = 0, n = s ? strlen(s) : 0; off < n;) {
    ssize_t w = write(fd, s + off, n - off);
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  _exit(rc == 0 ? 0 : rc > 0 && rc < 100 ? rc : 1);
}

typedef struct render_outcome {
  bool ok, stopped;
  char error[2048];
  ac_job_result res;
} render_outcome;

/* Reads the child's report (or learns why there is none). */
static void read_report(const char *report, int status, render_outcome *out) {
  json_t *o = report ? json_loads(report, 0, NULL) : NULL;
  if (WIFSIGNALED(status)) {
    snprintf(out->error, sizeof out->error, "the render crashed (%s)",
             strsignal(WTERMSIG(status)));
  } else if (!o) {
    snprintf(out->error, sizeof out->error,
             "the render ended (exit code %d) without a report",
             WEXITSTATUS(status));
  } else if (json_integer_value(json_object_get(o, "code")) != 0) {
    const char *e = json_string_value(json_object_get(o, "error"));
    snprintf(out->error, sizeof out->error, "%s",
             e && *e ? e : "the render failed");
  } else {
    out->ok = true;
    const char *slug = json_string_value(json_object_get(o, "slug"));
    const char *guid = json_string_value(json_object_get(o, "guid"));
    out->res.slug = slug ? strdup(slug) : NULL;
    out->res.guid = guid ? strdup(guid) : NULL;
    json_t *files = json_object_get(o, "files"), *f;
    size_t i;
    json_array_foreach(files, i, f) {
      if (out->res.n_files < AC_JOB_MAX_FILES && json_is_string(f))
        out->res.files[out->res.n_files++] = strdup(json_string_value(f));
    }
  }
  json_decref(o);
}

/* Renders the job in a child process, within the time limit. */
static void render(ac_pipeline *pl, const serve_options *opt, const ac_job *job,
                   render_outcome *out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(out->error, sizeof out->error, "pipe: %s", strerror(errno));
    return;
  }
  fflush(NULL);
  pid_t worker = getpid(), pid = fork();
  if (pid == 0) {
    close(fds[0]);
    render_child(pl, job, fds[1], worker);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    snprintf(out->error, sizeof out->error, "fork: %s", strerror(errno));
    return;
  }
  setpgid(pid, pid); /* as the child does: no race on who is first */
  char *report = calloc(1, MAX_REPORT + 1);
  size_t len = 0;
  double start = monotonic();
  bool timed_out = false;
  for (;;) {
    struct pollfd p = {fds[0], POLLIN, 0};
    int r = poll(&p, 1, 200);
    if (r > 0) {
      ssize_t n = report && len < MAX_REPORT
                      ? read(fds[0], report + len, MAX_REPORT - len)
                      : read(fds[0], (char[512]){0}, 512);
      if (n == 0 || (n < 0 && errno != EINTR))
        break;
      if (n > 0 && report && len < MAX_REPORT)
        len += (size_t)n;
    }
    if (worker_stop ||
        (opt->time_limit > 0 && monotonic() - start > opt->time_limit)) {
      timed_out = !worker_stop;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (worker_stop) {
    out->stopped = true;
  } else if (timed_out) {
    snprintf(out->error, sizeof out->error,
             "stopped after %.0f seconds (--time-limit)", opt->time_limit);
  } else {
    read_report(report, status, out);
  }
  free(report);
}

/* Delivers the callbacks that are due, one try each. */
static void deliver_callbacks(ac_state *st, ac_fetcher *f, const char *base_url,
                              const char *token) {
  while (!worker_stop) {
    ac_job_row row;
    bool got = false;
    char err[1024];
    if (ac_jobs_claim_callback(st, (int64_t)time(NULL), &row, &got, err,
                               sizeof err)) {
      fprintf(stderr, "articast serve: %s\n", err);
      return;
    }
    if (!got)
      return;
    char *json = serve_job_json(&row, base_url), why[1024] = "";
    int rc = json ? ac_callback_post(f, row.callback_url, json, token, why,
                                     sizeof why)
                  : AC_ERR_NOMEM;
    if (rc)
      fprintf(stderr, "articast serve: job %s: callback to %s: %s\n", row.id,
              row.callback_url, why);
    if (ac_jobs_callback_tried(st, row.id, rc == 0, why, err, sizeof err))
      fprintf(stderr, "articast serve: %s\n", err);
    free(json);
    ac_job_row_free(&row);
  }
}

/* Claims and runs one job; false when the queue had none. */
static bool run_one(ac_state *st, ac_pipeline *pl, const serve_options *opt) {
  ac_job job = {0};
  char id[AC_JOBS_ID_LEN], err[1024];
  bool got = false;
  if (ac_jobs_claim(st, getpid(), &job, id, &got, err, sizeof err)) {
    fprintf(stderr, "articast serve: %s\n", err);
    return false;
  }
  if (!got)
    return false;
  if (!opt->quiet)
    fprintf(stderr, "articast serve: job %s: rendering %s\n", id,
            job.url  ? job.url
            : job.id ? job.id
                     : "an article");
  render_outcome out = {0};
  double start = monotonic();
  render(pl, opt, &job, &out);
  double seconds = monotonic() - start;
  int rc;
  if (out.stopped)
    rc = ac_jobs_release(st, getpid(), err, sizeof err) < 0;
  else
    rc = ac_jobs_finish(st, id, out.ok, &out.res, out.error, seconds, err,
                        sizeof err);
  if (rc)
    fprintf(stderr, "articast serve: job %s: %s\n", id, err);
  else if (!opt->quiet && !out.stopped)
    fprintf(stderr, "articast serve: job %s: %s%s (%.1f s)\n", id,
            out.ok ? "done: " : "failed: ",
            out.ok ? (out.res.slug ? out.res.slug : "") : out.error, seconds);
  ac_job_result_free(&out.res);
  ac_job_free(&job);
  return true;
}

int serve_worker_main(const serve_options *opt, ac_pipeline *pl,
                      const char *site, const char *base_url) {
  /* The worker goes when serve goes, even killed with SIGKILL. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != opt->worker_of)
    return AC_EXIT_OK;
  struct sigaction sa = {.sa_handler = on_stop};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  ac_fetch_set_public_only(!opt->allow_private_urls);
  char err[1024];
  ac_state *st = NULL;
  if (ac_state_open(site, &ac_jobs_schema, 1, &st, err, sizeof err)) {
    fprintf(stderr, "articast serve: worker: %s\n", err);
    return AC_EXIT_OUTPUT;
  }
  char ua[64];
  snprintf(ua, sizeof ua, "articast/%s (serve)", ARTICAST_VERSION_STRING);
  ac_fetcher *f = ac_fetcher_new(ua, CALLBACK_MAX_BYTES, &worker_stop);
  if (!f) {
    ac_state_close(st);
    fprintf(stderr, "articast serve: worker: libcurl did not start\n");
    return AC_EXIT_FAILURE;
  }
  char *token = NULL;
  if (opt->token_file && serve_read_token(opt->token_file, &token))
    worker_stop = SIGTERM;
  while (!worker_stop && getppid() == opt->worker_of) {
    deliver_callbacks(st, f, base_url, token);
    if (!worker_stop && !run_one(st, pl, opt)) {
      struct timespec ts = {0, IDLE_POLL_MS * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  if (token)
    memset(token, 0, strlen(token));
  free(token);
  ac_fetcher_free(f);
  ac_state_close(st);
  return AC_EXIT_OK;
}
