/* `articast worker`'s loop (redis.h): jobs from the consumer group, each
 * rendered in a child process of its own (a crash or a runaway stage takes
 * only the child), published, then acknowledged. A job whose worker died
 * comes back to any worker through XAUTOCLAIM once idle for
 * --reclaim-after seconds; while a render runs, its worker keeps the job's
 * idle time at zero (a heartbeat), so that only a dead worker's job is
 * taken over. A job rendered twice (its worker died after publishing,
 * before the XACK) updates its one episode: its identity is the job's id
 * or URL (job.h). */
#define _GNU_SOURCE /* strndup */
#include "redis_worker.h"
#include "callback.h"
#include "jobs_db.h"
#include "redis_conn.h"
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct worker {
  ac_pipeline *pl;
  const ac_worker_options *o;
  ac_redis_url url;
  redisContext *c;
  volatile sig_atomic_t *stops; /* signals received */
  bool own_read;                /* this consumer's own pending are done */
  long done, failed, dead;
  ac_fetcher *fetcher; /* for callbacks */
} worker;

/* One stream entry in hand. */
typedef struct entry {
  char id[64];
  redisReply *reply; /* owns what fields point into */
  ac_job_field *fields;
  size_t n_fields;
  long long deliveries;
  bool gone;              /* deleted from the stream while pending */
  const char *unreadable; /* why the entry is no job at all, or NULL */
} entry;

/* Fields an entry may have; a job has at most AC_JOB_MAX_FIELDS. */
#define MAX_ENTRY_FIELDS 64

static void entry_free(entry *e) {
  freeReplyObject(e->reply);
  free(e->fields);
  memset(e, 0, sizeof *e);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void say(const worker *w, const char *fmt, ...) AC_PRINTF(2, 3);
static void say(const worker *w, const char *fmt, ...) {
  if (w->o->quiet)
    return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stdout, "articast worker %s: ", w->o->consumer);
  vfprintf(stdout, fmt, ap);
  fputc('\n', stdout);
  fflush(stdout);
  va_end(ap);
}

/* ---- Connection ---------------------------------------------------------- */

/* A fresh connection after a failure, trying for up to `patience` seconds
 * (or until stopped). */
static bool reconnect(worker *w, double patience) {
  redisFree(w->c);
  w->c = NULL;
  double until = now() + patience;
  char err[512] = "";
  for (int tries = 0; !w->c && !*w->stops; tries++) {
    w->c = ac_redis_connect(&w->url, 10.0, err, sizeof err);
    if (w->c && ac_redis_ensure_group(w->c, err, sizeof err) != 0) {
      redisFree(w->c);
      w->c = NULL;
    }
    if (w->c)
      break;
    if (tries == 0)
      fprintf(stderr, "articast worker %s: %s; trying again\n", w->o->consumer,
              err);
    if (now() > until)
      return false;
    sleep(tries < 5 ? 1 : 5);
  }
  if (w->c)
    fcntl(w->c->fd, F_SETFD, FD_CLOEXEC);
  return w->c != NULL;
}

/* Runs commands in a MULTI/EXEC; each is a NULL-terminated word list with
 * lengths (NULL: strlen). Returns whether EXEC ran them all. */
typedef struct command {
  int argc;
  const char **argv;
  const size_t *lens;
} command;

static bool transaction(worker *w, const command *cmds, size_t n, char *err,
                        size_t errlen) {
  if (!w->c)
    return false;
  const char *multi[] = {"MULTI"}, *exec[] = {"EXEC"};
  /* hiredis takes NULL lengths for NUL-terminated words. */
  redisAppendCommandArgv(w->c, 1, multi, NULL);
  for (size_t i = 0; i < n; i++)
    redisAppendCommandArgv(w->c, cmds[i].argc, cmds[i].argv, cmds[i].lens);
  redisAppendCommandArgv(w->c, 1, exec, NULL);
  bool ok = true;
  for (size_t i = 0; i < n + 2; i++) {
    redisReply *r = NULL;
    if (redisGetReply(w->c, (void **)&r) != REDIS_OK) {
      ac_redis_failed(w->c, NULL, "MULTI/EXEC", err, errlen);
      return false;
    }
    if (i == n + 1) {
      ok = ok && r && r->type == REDIS_REPLY_ARRAY && r->elements == n;
      for (size_t k = 0; ok && k < r->elements; k++)
        ok = r->element[k]->type != REDIS_REPLY_ERROR;
      if (!ok)
        snprintf(err, errlen, "Redis refused the transaction");
    } else if (!ac_redis_ok(r)) {
      ok = false;
      snprintf(err, errlen, "Redis: %.*s", r ? (int)r->len : 8,
               r ? r->str : "no reply");
    }
    freeReplyObject(r);
  }
  return ok;
}

/* ---- Reading entries ----------------------------------------------------- */

/* Takes one entry ([id, [field, value, ...]] or [id, nil]) of a reply,
 * checking every type: the stream is hostile input. */
static bool take_entry(const redisReply *r, entry *e) {
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
      r->element[0]->type != REDIS_REPLY_STRING ||
      r->element[0]->len >= sizeof e->id ||
      strlen(r->element[0]->str) != r->element[0]->len)
    return false;
  memcpy(e->id, r->element[0]->str, r->element[0]->len);
  e->id[r->element[0]->len] = '\0';
  const redisReply *f = r->element[1];
  if (f->type == REDIS_REPLY_NIL) {
    e->gone = true;
    return true;
  }
  /* Odd shapes are the entry's fault, not Redis's: it is buried. */
  if (f->type != REDIS_REPLY_ARRAY || f->elements % 2 ||
      f->elements > 2 * MAX_ENTRY_FIELDS) {
    e->unreadable = "too many fields, or not pairs of fields and values";
    return true;
  }
  e->fields = calloc(f->elements / 2 + 1, sizeof *e->fields);
  if (!e->fields)
    return false;
  for (size_t i = 0; i + 1 < f->elements; i += 2) {
    const redisReply *k = f->element[i], *v = f->element[i + 1];
    if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
      e->unreadable = "a field or value that is no string";
      e->n_fields = 0;
      return true;
    }
    /* A key with a NUL in it would pass for a shorter one. */
    bool clean = strlen(k->str) == k->len;
    e->fields[e->n_fields++] =
        (ac_job_field){clean ? k->str : "", v->str, v->len};
  }
  return true;
}

/* Takes the first entry of an XREADGROUP reply ([[stream, [entry...]]]). */
static int from_readgroup(redisReply *r, entry *e) {
  if (r->type == REDIS_REPLY_NIL)
    return 0;
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 ||
      r->element[0]->type != REDIS_REPLY_ARRAY ||
      r->element[0]->elements != 2 ||
      r->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
    return -1;
  const redisReply *list = r->element[0]->element[1];
  if (list->elements == 0)
    return 0;
  return take_entry(list->element[0], e) ? 1 : -1;
}

/* This consumer's own pending entries, left by an earlier life under the
 * same name (--consumer): first of all. */
static int read_own(worker *w, entry *e) {
  const char *argv[] = {"XREADGROUP",   "GROUP",         AC_REDIS_GROUP,
                        w->o->consumer, "COUNT",         "1",
                        "STREAMS",      AC_REDIS_STREAM, "0"};
  redisReply *r = ac_redis_command(w->c, 9, argv, NULL);
  if (!ac_redis_ok(r)) {
    freeReplyObject(r);
    return -1;
  }
  e->reply = r;
  int got = from_readgroup(r, e);
  if (got == 0)
    w->own_read = true;
  return got;
}

/* Takes over one entry idle for longer than --reclaim-after: its worker
 * died, or its last render failed and it waited its turn. */
static int reclaim(worker *w, entry *e) {
  char idle[32], cursor[64] = "0-0";
  snprintf(idle, sizeof idle, "%lld",
           (long long)(w->o->reclaim_after * 1000.0));
  for (int scans = 0; scans < 100; scans++) {
    const char *argv[] = {
        "XAUTOCLAIM", AC_REDIS_STREAM, AC_REDIS_GROUP, w->o->consumer,
        idle,         cursor,          "COUNT",        "1"};
    redisReply *r = ac_redis_command(w->c, 8, argv, NULL);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
        r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[0]->len >= sizeof cursor ||
        r->element[1]->type != REDIS_REPLY_ARRAY) {
      freeReplyObject(r);
      return -1;
    }
    memcpy(cursor, r->element[0]->str, r->element[0]->len);
    cursor[r->element[0]->len] = '\0';
    const redisReply *list = r->element[1];
    for (size_t i = 0; i < list->elements; i++) {
      if (take_entry(list->element[i], e)) {
        e->reply = r;
        return 1;
      }
      entry_free(e);
    }
    freeReplyObject(r);
    if (strcmp(cursor, "0-0") == 0)
      break;
  }
  return 0;
}

/* A new entry, waiting up to a second for one. */
static int read_new(worker *w, entry *e) {
  const char *argv[] = {
      "XREADGROUP", "GROUP", AC_REDIS_GROUP, w->o->consumer,  "COUNT", "1",
      "BLOCK",      "1000",  "STREAMS",      AC_REDIS_STREAM, ">"};
  redisReply *r = ac_redis_command(w->c, 11, argv, NULL);
  if (!ac_redis_ok(r)) {
    freeReplyObject(r);
    return -1;
  }
  e->reply = r;
  return from_readgroup(r, e);
}

/* How many times the entry was delivered, and whether it is still ours. */
static int deliveries(worker *w, entry *e) {
  const char *argv[] = {"XPENDING", AC_REDIS_STREAM, AC_REDIS_GROUP,
                        e->id,      e->id,           "1"};
  redisReply *r = ac_redis_command(w->c, 6, argv, NULL);
  if (!r || r->type != REDIS_REPLY_ARRAY) {
    freeReplyObject(r);
    return -1;
  }
  int mine = 0;
  if (r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
      r->element[0]->elements == 4 &&
      r->element[0]->element[1]->type == REDIS_REPLY_STRING &&
      r->element[0]->element[3]->type == REDIS_REPLY_INTEGER) {
    mine = strcmp(r->element[0]->element[1]->str, w->o->consumer) == 0;
    e->deliveries = r->element[0]->element[3]->integer;
  }
  freeReplyObject(r);
  return mine;
}

/* Jobs pending in the group (delivered, not acknowledged), or -1. */
static long long pending(worker *w) {
  const char *argv[] = {"XPENDING", AC_REDIS_STREAM, AC_REDIS_GROUP};
  redisReply *r = ac_redis_command(w->c, 3, argv, NULL);
  long long n = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                        r->element[0]->type == REDIS_REPLY_INTEGER
                    ? r->element[0]->integer
                    : -1;
  freeReplyObject(r);
  return n;
}

/* The next entry: this consumer's own pending, a dead worker's, a new
 * one. 1 got one, 0 none for now, -1 Redis failed. */
static int next_entry(worker *w, entry *e) {
  memset(e, 0, sizeof *e);
  int got = 0;
  if (!w->own_read)
    got = read_own(w, e);
  if (got == 0) {
    entry_free(e);
    got = reclaim(w, e);
  }
  if (got == 0) {
    entry_free(e);
    got = read_new(w, e);
  }
  if (got == 1 && deliveries(w, e) != 1)
    got = 0; /* acknowledged or taken over meanwhile: not ours now */
  if (got != 1)
    entry_free(e);
  return got;
}

/* ---- Outcomes ------------------------------------------------------------ */

static void status_key(const entry *e, char *key, size_t len) {
  snprintf(key, len, AC_REDIS_STATUS_PREFIX "%s", e->id);
}

static void mark_running(worker *w, const entry *e) {
  char key[128], n[24];
  status_key(e, key, sizeof key);
  snprintf(n, sizeof n, "%lld", e->deliveries);
  const char *argv[] = {"HSET",       key,        "state",
                        "running",    "consumer", w->o->consumer,
                        "deliveries", n};
  freeReplyObject(ac_redis_command(w->c, 8, argv, NULL));
}

/* Done with the entry: acknowledged and deleted (its bytes are no longer
 * needed), its error forgotten, its state recorded and, for a published
 * one, its render counted (serve's /metrics); all at once. */
static bool finish(worker *w, const entry *e, const char *state,
                   const char *slug, const char *files, const char *error,
                   double seconds, char *err, size_t errlen) {
  char key[128], ttl[24], secs[32];
  status_key(e, key, sizeof key);
  snprintf(ttl, sizeof ttl, "%d", AC_REDIS_STATUS_TTL);
  snprintf(secs, sizeof secs, "%.3f", seconds);
  const char *ack[] = {"XACK", AC_REDIS_STREAM, AC_REDIS_GROUP, e->id};
  const char *del[] = {"XDEL", AC_REDIS_STREAM, e->id};
  const char *forget[] = {"HDEL", AC_REDIS_ERRORS, e->id};
  const char *hset[] = {"HSET",  key,
                        "state", state,
                        "slug",  slug ? slug : "",
                        "files", files ? files : "",
                        "error", error ? error : ""};
  const char *expire[] = {"EXPIRE", key, ttl};
  const char *count[] = {"HINCRBY", AC_REDIS_STATS, "rendered", "1"};
  const char *total[] = {"HINCRBYFLOAT", AC_REDIS_STATS, "render_seconds",
                         secs};
  command cmds[] = {{4, ack, NULL},   {3, del, NULL},    {3, forget, NULL},
                    {10, hset, NULL}, {3, expire, NULL}, {4, count, NULL},
                    {4, total, NULL}};
  return transaction(w, cmds, seconds > 0 ? 7 : 5, err, errlen);
}

/* The job goes to the dead-letter stream with its error and its fields
 * (to enqueue again once fixed), and leaves the job stream. */
static void bury(worker *w, const entry *e, const char *error) {
  const char *argv[16 + 2 * MAX_ENTRY_FIELDS];
  size_t lens[16 + 2 * MAX_ENTRY_FIELDS];
  int argc = 0;
  char n[24];
  snprintf(n, sizeof n, "%lld", e->deliveries);
  const char *head[] = {"XADD",     AC_REDIS_DEAD, "MAXLEN",     "~",
                        "1000",     "*",           "job-id",     e->id,
                        "error",    error,         "deliveries", n,
                        "consumer", w->o->consumer};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    argv[argc] = head[i], lens[argc++] = strlen(head[i]);
  for (size_t i = 0; i < e->n_fields && i < MAX_ENTRY_FIELDS; i++) {
    const char *k = e->fields[i].key;
    if (!k[0] || strcmp(k, "job-id") == 0 || strcmp(k, "error") == 0 ||
        strcmp(k, "deliveries") == 0 || strcmp(k, "consumer") == 0)
      continue;
    argv[argc] = k, lens[argc++] = strlen(k);
    argv[argc] = e->fields[i].value, lens[argc++] = e->fields[i].len;
  }
  char err[512];
  command cmds[] = {{argc, argv, lens}};
  if (!transaction(w, cmds, 1, err, sizeof err) ||
      !finish(w, e, "failed", NULL, NULL, error, 0, err, sizeof err)) {
    fprintf(stderr, "articast worker %s: %s: %s\n", w->o->consumer, e->id, err);
    return;
  }
  w->dead++;
  fprintf(stderr,
          "articast worker %s: %s: gave up after %lld deliveries, into %s: "
          "%s\n",
          w->o->consumer, e->id, e->deliveries, AC_REDIS_DEAD, error);
}

/* The last error a failed render of the entry left, malloc'd or NULL. */
static char *last_error(worker *w, const entry *e) {
  const char *argv[] = {"HGET", AC_REDIS_ERRORS, e->id};
  redisReply *r = ac_redis_command(w->c, 3, argv, NULL);
  char *s = r && r->type == REDIS_REPLY_STRING ? strndup(r->str, r->len) : NULL;
  freeReplyObject(r);
  return s;
}

/* A failed render: kept pending for another try after --reclaim-after,
 * or buried after the last. */
static void failed(worker *w, const entry *e, const char *error) {
  w->failed++;
  if (e->deliveries >= AC_REDIS_MAX_DELIVERIES) {
    bury(w, e, error);
    return;
  }
  fprintf(stderr,
          "articast worker %s: %s: failed (delivery %lld of %d, next try "
          "after %.0f s): %s\n",
          w->o->consumer, e->id, e->deliveries, AC_REDIS_MAX_DELIVERIES,
          w->o->reclaim_after, error);
  char key[128];
  status_key(e, key, sizeof key);
  const char *note[] = {"HSET", AC_REDIS_ERRORS, e->id, error};
  const char *hset[] = {"HSET", key, "state", "queued", "error", error};
  command cmds[] = {{4, note, NULL}, {6, hset, NULL}};
  char err[512];
  if (!transaction(w, cmds, 2, err, sizeof err))
    fprintf(stderr, "articast worker %s: %s: %s\n", w->o->consumer, e->id, err);
}

/* ---- Rendering ----------------------------------------------------------- */

/* What the render child tells its worker, in one write. */
typedef struct render_msg {
  int rc;
  char error[2048];
  char slug[256];
  char files[4096]; /* newline-separated */
} render_msg;

static void render_child(worker *w, const ac_job *job, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* the worker's death is the job's */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  setpgid(0, 0); /* a terminal's ^C is for the worker to handle */
  render_msg *m = calloc(1, sizeof *m);
  if (!m)
    _exit(AC_EXIT_FAILURE);
  ac_job_result res;
  m->rc = ac_job_render(w->pl, job, &res, m->error, sizeof m->error);
  if (m->rc == AC_EXIT_OK) {
    snprintf(m->slug, sizeof m->slug, "%s", res.slug ? res.slug : "");
    size_t used = 0;
    for (size_t i = 0; i < res.n_files && used < sizeof m->files; i++)
      used += (size_t)snprintf(m->files + used, sizeof m->files - used, "%s%s",
                               i ? "\n" : "", res.files[i]);
  }
  ac_job_result_free(&res);
  const char *p = (const char *)m;
  size_t left = sizeof *m;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    p += n;
    left -= (size_t)n;
  }
  _exit(m->rc);
}

/* Keeps the entry's idle time at zero while this worker still owns it
 * (an atomic check: a worker thought dead must not take back a job
 * another one reclaimed). */
static void heartbeat(worker *w, const entry *e) {
  static const char script[] =
      "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], "
      "1)\n"
      "if p[1] and p[1][2] == ARGV[2] then\n"
      "  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], "
      "'JUSTID')\n"
      "  return 1\n"
      "end\n"
      "return 0\n";
  const char *argv[] = {"EVAL",         script,         "1",  AC_REDIS_STREAM,
                        AC_REDIS_GROUP, w->o->consumer, e->id};
  redisReply *r = ac_redis_command(w->c, 7, argv, NULL);
  if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 0)
    say(w, "%s: another worker took this job over", e->id);
  freeReplyObject(r);
}

/* Reads the child's message, up to EOF. */
static void read_msg(int fd, render_msg *m) {
  char *p = (char *)m;
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, p + have, sizeof *m - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    have += (size_t)n;
    if (have == sizeof *m)
      break;
  }
  if (have != sizeof *m)
    m->rc = -1;
}

/* Waits for the child, beating the entry's heart, stopping the child at
 * the time limit or on a second stop signal. */
static void wait_child(worker *w, const entry *e, pid_t pid, int fd,
                       render_msg *m) {
  double start = now(), beat = w->o->reclaim_after / 3.0;
  double next_beat = start + (beat < 0.2 ? 0.2 : beat);
  bool timed_out = false;
  m->rc = -1;
  for (;;) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, 200);
    if (ready > 0) {
      read_msg(fd, m);
      break;
    }
    double t = now();
    if (*w->stops >= 2 ||
        (w->o->time_limit > 0 && t - start > w->o->time_limit)) {
      timed_out = *w->stops < 2;
      kill(pid, SIGKILL);
    }
    if (t >= next_beat && w->c) {
      heartbeat(w, e);
      next_beat = t + (beat < 0.2 ? 0.2 : beat);
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (m->rc >= 0)
    return;
  memset(m, 0, sizeof *m);
  m->rc = AC_EXIT_FAILURE;
  if (timed_out)
    snprintf(m->error, sizeof m->error,
             "took longer than the time limit of %.0f s (--time-limit); "
             "stopped",
             w->o->time_limit);
  else
    snprintf(m->error, sizeof m->error, "the rendering process died (%s %d)",
             WIFSIGNALED(status) ? "signal" : "exit status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* Renders one job in a child process; m gets the outcome. */
static void render(worker *w, const entry *e, const ac_job *job,
                   render_msg *m) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    m->rc = AC_EXIT_FAILURE;
    snprintf(m->error, sizeof m->error, "pipe: %s", strerror(errno));
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    render_child(w, job, fds[1]);
  }
  close(fds[1]);
  if (pid < 0) {
    m->rc = AC_EXIT_FAILURE;
    snprintf(m->error, sizeof m->error, "fork: %s", strerror(errno));
  } else {
    wait_child(w, e, pid, fds[0], m);
  }
  close(fds[0]);
}

/* ---- Callbacks ---------------------------------------------------------- */

/* The longest answer to a callback read. */
#define CALLBACK_MAX_BYTES ((size_t)64 << 10)

/* Tells the job's client (its callback_url) that the job ended, with the
 * status GET /v1/jobs/ID gives; tries AC_CALLBACK_TRIES times, waiting 1,
 * 2, 4 ... seconds between tries, unless the worker is told to stop. */
static void notify(worker *w, const entry *e, const char *url,
                   const char *state, const char *slug, const char *files,
                   const char *error) {
  if (!url || !w->fetcher)
    return;
  ac_job_row row = {.state = (char *)state,
                    .slug = (char *)slug,
                    .error = (char *)error,
                    .attempts = (int)e->deliveries};
  snprintf(row.id, sizeof row.id, "%.*s", (int)sizeof row.id - 1, e->id);
  json_t *list = json_array();
  for (const char *p = files ? files : ""; *p;) {
    size_t n = strcspn(p, "\n");
    if (n)
      json_array_append_new(list, json_stringn(p, n));
    p += n + (p[n] == '\n');
  }
  row.files = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  char *json = serve_job_json(&row, w->o->base_url ? w->o->base_url : "");
  free(row.files);
  if (!json)
    return;
  char why[1024] = "";
  for (int try = 1; try <= AC_CALLBACK_TRIES && !*w->stops; try++) {
    int rc =
        ac_callback_post(w->fetcher, url, json, w->o->token, why, sizeof why);
    if (rc == 0) {
      say(w, "%s: callback to %s delivered", e->id, url);
      break;
    }
    fprintf(stderr,
            "articast worker %s: %s: callback to %s (try %d of %d): "
            "%s\n",
            w->o->consumer, e->id, url, try, AC_CALLBACK_TRIES, why);
    if (rc == AC_ERR_UNSUPPORTED)
      break; /* an address it may not reach: no later try would */
    for (int s = 0; s < 1 << (try - 1) && try < AC_CALLBACK_TRIES && !*w->stops;
         s++)
      sleep(1);
  }
  free(json);
}

/* One entry, from its delivery count to its acknowledgement. */
static void handle(worker *w, const entry *e) {
  if (e->gone) {
    /* Deleted from the stream while pending: nothing left to render. */
    const char *ack[] = {"XACK", AC_REDIS_STREAM, AC_REDIS_GROUP, e->id};
    freeReplyObject(ac_redis_command(w->c, 4, ack, NULL));
    return;
  }
  ac_job job;
  char why[1024];
  if (e->unreadable)
    snprintf(why, sizeof why, "%s", e->unreadable);
  if (e->unreadable ||
      ac_job_from_fields(&job, e->fields, e->n_fields, why, sizeof why)) {
    char error[1100];
    snprintf(error, sizeof error, "not a job articast can read: %s", why);
    bury(w, e, error); /* no retry can mend it */
    return;
  }
  char *callback = job.callback_url;
  job.callback_url = NULL; /* the render needs it not; notify does */
  if (e->deliveries > AC_REDIS_MAX_DELIVERIES) {
    /* Its last worker died rendering it (a job that kills its worker, or
     * a machine that keeps failing): no more tries. */
    char *last = last_error(w, e);
    snprintf(why, sizeof why,
             "%s (delivered %lld times; the last worker to take it died "
             "rendering it)",
             last ? last : "no render of it ever ended", e->deliveries - 1);
    free(last);
    bury(w, e, why);
    notify(w, e, callback, "failed", NULL, NULL, why);
    ac_job_free(&job);
    free(callback);
    return;
  }
  if (job.url)
    say(w, "%s: rendering %s (delivery %lld)", e->id, job.url, e->deliveries);
  else
    say(w, "%s: rendering %s%s%zu bytes of %s (delivery %lld)", e->id,
        job.id ? job.id : "", job.id ? ", " : "", job.body_len,
        job.content_type, e->deliveries);
  mark_running(w, e);
  double start = now();
  render_msg *m = calloc(1, sizeof *m);
  if (m)
    render(w, e, &job, m);
  ac_job_free(&job);
  if (!m || ((!w->c || w->c->err) && !reconnect(w, 60.0))) {
    free(m);
    free(callback);
    return; /* the entry stays pending: another worker will have it */
  }
  if (m->rc != AC_EXIT_OK && *w->stops >= 2) {
    say(w, "%s: stopped; the job stays pending for another worker", e->id);
  } else if (m->rc != AC_EXIT_OK) {
    const char *error = m->error[0] ? m->error : ac_strerror(m->rc);
    failed(w, e, error);
    if (e->deliveries >= AC_REDIS_MAX_DELIVERIES)
      notify(w, e, callback, "failed", NULL, NULL, error);
  } else if (!finish(w, e, "done", m->slug, m->files, NULL, now() - start, why,
                     sizeof why)) {
    fprintf(stderr, "articast worker %s: %s: published, not acknowledged: %s\n",
            w->o->consumer, e->id, why);
  } else {
    w->done++;
    say(w, "%s: published %.*s in %.1f s", e->id, (int)strcspn(m->files, "\n"),
        m->files, now() - start);
    notify(w, e, callback, "done", m->slug, m->files, NULL);
  }
  free(callback);
  free(m);
}

/* ---- The loop ------------------------------------------------------------ */

/* Whether a draining worker is done: nothing new came, and no job is
 * pending anywhere (a dead worker's is reclaimed once idle long enough:
 * until then it is waited for). */
static bool drained(worker *w) {
  long long n = pending(w);
  return n == 0;
}

int ac_redis_work(ac_pipeline *pl, const ac_worker_options *o,
                  volatile sig_atomic_t *stops) {
  worker w = {.pl = pl, .o = o, .stops = stops};
  char err[512];
  if (ac_redis_url_parse(o->redis_url, &w.url, err, sizeof err)) {
    fprintf(stderr, "articast worker: %s\n", err);
    return AC_EXIT_USAGE;
  }
  if (!reconnect(&w, o->drain ? 30.0 : 1e9)) {
    ac_redis_url_free(&w.url);
    return *stops ? AC_EXIT_OK : AC_EXIT_FAILURE;
  }
  char ua[64];
  snprintf(ua, sizeof ua, "articast/%s (worker)", ARTICAST_VERSION_STRING);
  w.fetcher = ac_fetcher_new(ua, CALLBACK_MAX_BYTES, stops);
  say(&w, "working on %s (reclaim after %g s%s)", AC_REDIS_STREAM,
      o->reclaim_after, o->drain ? ", until drained" : "");
  int rc = AC_EXIT_OK;
  while (!*stops) {
    entry e;
    int got = next_entry(&w, &e);
    if (got == 1) {
      handle(&w, &e);
      entry_free(&e);
      continue;
    }
    if (got == 0 && o->drain && drained(&w))
      break;
    if (got < 0 && !*stops && !reconnect(&w, o->drain ? 60.0 : 1e9)) {
      fprintf(stderr, "articast worker %s: Redis is gone; stopping\n",
              o->consumer);
      rc = AC_EXIT_FAILURE;
      break;
    }
  }
  say(&w, "%ld published, %ld failed renders, %ld dead jobs", w.done, w.failed,
      w.dead);
  ac_fetcher_free(w.fetcher);
  redisFree(w.c);
  ac_redis_url_free(&w.url);
  return rc;
}
