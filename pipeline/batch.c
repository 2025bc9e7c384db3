/* Rendering a batch of articles: a plain pool of worker processes, forked
 * before anything else starts (so before any thread), each taking the next
 * article from a shared counter and rendering it in-process. The parent
 * only supervises: it draws the progress line on a terminal, passes
 * SIGINT and SIGTERM on, stops an article that runs past the time limit
 * (or whose worker crashed) and starts a fresh worker for the rest. */
#define _GNU_SOURCE /* pipe2 */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a worker tells the parent, in one write (atomic below PIPE_BUF). */
enum { MSG_STARTED, MSG_PROGRESS, MSG_DONE };
typedef struct worker_msg {
  int32_t worker;
  int32_t kind;
  int32_t article;
  int32_t exit_code; /* MSG_DONE */
  uint64_t segments_done, segments_total;
  double seconds;   /* of audio so far, or of the article when done */
  char error[1024]; /* MSG_DONE: why the article failed, cut short */
} worker_msg;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- The progress line ------------------------------------------------------
 */

typedef struct progress_line {
  bool on;       /* drawing at all (a terminal, not -q) */
  int articles;  /* in the batch */
  int done;      /* articles finished */
  double banked; /* seconds of audio of finished articles */
  double current[AC_MAX_WORKERS];
  double frac[AC_MAX_WORKERS]; /* share of the article in hand */
  double start, last_draw;
  int width; /* of what was drawn, to clear it */
} progress_line;

static void draw(progress_line *p, bool force) {
  double elapsed = now_seconds() - p->start;
  if (!p->on || (!force && elapsed - p->last_draw < 0.2))
    return;
  p->last_draw = elapsed;
  double seconds = p->banked, share = p->done;
  for (int i = 0; i < AC_MAX_WORKERS; i++) {
    seconds += p->current[i];
    share += p->frac[i];
  }
  char eta[32] = "";
  if (share > 0.02 && share < p->articles) {
    long left = (long)(elapsed * (p->articles - share) / share + 0.5);
    snprintf(eta, sizeof eta, ", ETA %ld:%02ld", left / 60, left % 60);
  }
  char line[160];
  int n = snprintf(line, sizeof line,
                   "articast: %d/%d articles, %.1f min of audio%s", p->done,
                   p->articles, seconds / 60.0, eta);
  fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
  p->width = n;
  fflush(stderr);
}

static void clear_line(progress_line *p) {
  if (p->on && p->width) {
    fprintf(stderr, "\r%*s\r", p->width, "");
    fflush(stderr);
  }
  p->width = 0;
}

/* ---- A worker
 * ---------------------------------------------------------------- */

typedef struct worker_ctx {
  int fd; /* to the parent */
  int worker;
  int article;
  double seconds; /* of audio so far in the article */
} worker_ctx;

static void send_msg(const worker_ctx *w, worker_msg m) {
  m.worker = w->worker;
  m.article = w->article;
  ssize_t r;
  do
    r = write(w->fd, &m, sizeof m);
  while (r < 0 && errno == EINTR);
}

static void on_progress(void *ctx, size_t done, size_t total, double seconds) {
  ((worker_ctx *)ctx)->seconds = seconds;
  send_msg(ctx, (worker_msg){.kind = MSG_PROGRESS,
                             .segments_done = done,
                             .segments_total = total,
                             .seconds = seconds});
}

/* Renders articles from the shared counter until none is left. The files
 * written go to stdout and errors to stderr, each after its article. */
static void run_worker(ac_pipeline *pl, char **articles, int count,
                       atomic_int *next, worker_ctx *w, bool quiet,
                       const ac_batch_hooks *hooks) {
  pl->progress = on_progress;
  pl->progress_ctx = w;
  for (int i; (i = atomic_fetch_add(next, 1)) < count;) {
    w->article = i;
    w->seconds = 0;
    send_msg(w, (worker_msg){.kind = MSG_STARTED});
    if (hooks && hooks->prepare)
      hooks->prepare(hooks->ctx, pl, i);
    char err[2048] = "";
    char *written = NULL;
    size_t written_len = 0;
    FILE *mem = quiet ? NULL : open_memstream(&written, &written_len);
    int rc = ac_run_episode(pl, articles[i], mem, err, sizeof err);
    if (mem)
      fclose(mem);
    if (rc)
      fprintf(stderr, "articast: %s\n", err);
    else if (written)
      fputs(written, stdout);
    free(written);
    fflush(stdout);
    fflush(stderr);
    worker_msg done = {
        .kind = MSG_DONE, .exit_code = rc, .seconds = rc ? 0 : w->seconds};
    if (rc)
      snprintf(done.error, sizeof done.error, "%.*s",
               (int)sizeof done.error - 1, err);
    send_msg(w, done);
  }
}

/* ---- The parent
 * --------------------------------------------------------------- */

typedef struct supervisor {
  ac_pipeline *pl;
  char **articles;
  int count;
  atomic_int *next;
  bool quiet;
  double time_limit; /* seconds an article may take, 0: none */
  int fd_read, fd_write;
  pid_t pid[AC_MAX_WORKERS];
  int pidfd[AC_MAX_WORKERS];   /* readable once the worker exits, or -1 */
  int article[AC_MAX_WORKERS]; /* in hand, or -1 */
  double started[AC_MAX_WORKERS];
  int workers, alive;
  int rc;
  progress_line line;
  ac_batch_hooks *hooks; /* or NULL */
} supervisor;

static volatile sig_atomic_t stop_signal, stop_count;

static void on_stop(int sig) {
  stop_signal = sig;
  stop_count++;
}

static bool gentle(const supervisor *s) {
  return s->hooks && s->hooks->finish_on_stop;
}

static void report_finished(supervisor *s, int article, int code,
                            const char *error) {
  if (s->hooks && s->hooks->finished && article >= 0 && article < s->count)
    s->hooks->finished(s->hooks->ctx, article, code, error);
}

static void note_failure(supervisor *s, int code) {
  if (code && !s->rc)
    s->rc = code; /* keep going: one bad article must not stop a batch */
}

/* Starts worker slot w. Returns 0, or -1 when fork failed. */
static int start_worker(supervisor *s, int w) {
  fflush(stdout);
  fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    perror("articast: fork");
    return -1;
  }
  if (pid == 0) {
    /* Stop when the parent goes, whatever killed it. A gentle batch's
     * workers leave stopping to the parent, which lets them finish the
     * article in hand (a terminal's ^C reaches them too). */
    prctl(PR_SET_PDEATHSIG, gentle(s) ? SIGKILL : SIGTERM);
    if (getppid() != parent)
      _exit(AC_EXIT_FAILURE);
    signal(SIGINT, gentle(s) ? SIG_IGN : SIG_DFL);
    signal(SIGTERM, gentle(s) ? SIG_IGN : SIG_DFL);
    /* A process group of its own, so that a terminal's ^C (or a kill of
     * the follower's group) reaches neither it nor the helpers it starts:
     * the parent decides when they stop. */
    if (gentle(s))
      setpgid(0, 0);
    close(s->fd_read);
    worker_ctx ctx = {.fd = s->fd_write, .worker = w, .article = -1};
    run_worker(s->pl, s->articles, s->count, s->next, &ctx, s->quiet, s->hooks);
    _exit(0);
  }
  s->pid[w] = pid;
  /* A worker's exit wakes the supervisor at once (without it, the poll
   * below would wait out its timeout after the last article). */
  s->pidfd[w] = (int)syscall(SYS_pidfd_open, pid, 0);
  s->article[w] = -1;
  s->alive++;
  return 0;
}

static void take(supervisor *s, const worker_msg *m) {
  int w = m->worker;
  if (w < 0 || w >= s->workers)
    return;
  progress_line *p = &s->line;
  switch (m->kind) {
  case MSG_STARTED:
    s->article[w] = m->article;
    s->started[w] = now_seconds();
    break;
  case MSG_PROGRESS:
    p->current[w] = m->seconds;
    p->frac[w] = m->segments_total
                     ? (double)m->segments_done / (double)m->segments_total
                     : 0;
    break;
  case MSG_DONE:
    note_failure(s, m->exit_code);
    report_finished(s, m->article, m->exit_code, m->exit_code ? m->error : "");
    s->article[w] = -1;
    p->done++;
    p->banked += m->seconds;
    p->current[w] = p->frac[w] = 0;
    clear_line(p);
    break;
  }
  draw(p, m->kind == MSG_DONE);
}

/* Reads whatever messages are waiting. */
static void read_messages(supervisor *s, char *buf, size_t *have) {
  for (;;) {
    ssize_t got = read(s->fd_read, buf + *have, sizeof(worker_msg) - *have);
    if (got <= 0)
      return;
    *have += (size_t)got;
    if (*have == sizeof(worker_msg)) {
      worker_msg m;
      memcpy(&m, buf, sizeof m);
      take(s, &m);
      *have = 0;
    }
  }
}

/* A worker ended: one that was still in an article crashed or was stopped
 * for the time limit; the article is reported and, unless articast is
 * stopping, a fresh worker takes the rest. */
static void reap(supervisor *s) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    int w = 0;
    while (w < s->workers && s->pid[w] != pid)
      w++;
    if (w == s->workers)
      continue;
    s->alive--;
    s->pid[w] = 0;
    if (s->pidfd[w] >= 0)
      close(s->pidfd[w]);
    s->pidfd[w] = -1;
    int article = s->article[w];
    if (article >= 0) {
      clear_line(&s->line);
      char why[256] = "";
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
          s->time_limit > 0 && now_seconds() - s->started[w] >= s->time_limit)
        snprintf(why, sizeof why,
                 "took longer than the time limit of %.0f s "
                 "(--time-limit); stopped",
                 s->time_limit);
      else if (!stop_signal)
        snprintf(why, sizeof why, "the rendering process died (%s %d)",
                 WIFSIGNALED(status) ? "signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      if (why[0]) {
        fprintf(stderr, "articast: %s: %s\n", s->articles[article], why);
        report_finished(s, article, AC_EXIT_FAILURE, why);
      }
      note_failure(s, AC_EXIT_FAILURE);
      s->line.done++;
      s->line.current[w] = s->line.frac[w] = 0;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      note_failure(s, AC_EXIT_FAILURE);
    }
    if (!stop_signal && atomic_load(s->next) < s->count &&
        start_worker(s, w) != 0)
      note_failure(s, AC_EXIT_FAILURE);
  }
}

/* Stops articles past the time limit. */
static void enforce_limit(supervisor *s) {
  double now = now_seconds();
  for (int w = 0; w < s->workers && s->time_limit > 0; w++)
    if (s->pid[w] > 0 && s->article[w] >= 0 &&
        now - s->started[w] >= s->time_limit)
      kill(s->pid[w], SIGKILL);
}

/* A stop signal: the workers stop at once, or, in a gentle batch, take
 * no other article (and stop at once on a second signal). */
static void stop_workers(supervisor *s, int *handled) {
  if (stop_count == *handled)
    return;
  bool now = !gentle(s) || stop_count > 1;
  if (*handled == 0)
    note_failure(s, AC_EXIT_FAILURE);
  *handled = stop_count;
  if (!now) {
    atomic_store(s->next, s->count);
    clear_line(&s->line);
    fprintf(stderr, "articast: stopping after the articles in hand (send "
                    "the signal again to stop now)\n");
    return;
  }
  for (int w = 0; w < s->workers; w++)
    if (s->pid[w] > 0)
      kill(s->pid[w], gentle(s) ? SIGKILL : stop_signal);
}

static void supervise(supervisor *s) {
  char buf[sizeof(worker_msg)];
  size_t have = 0;
  int handled = 0;
  while (s->alive > 0) {
    stop_workers(s, &handled);
    struct pollfd pfd[1 + AC_MAX_WORKERS] = {
        {.fd = s->fd_read, .events = POLLIN}};
    nfds_t n = 1;
    for (int w = 0; w < s->workers; w++)
      if (s->pid[w] > 0 && s->pidfd[w] >= 0)
        pfd[n++] = (struct pollfd){.fd = s->pidfd[w], .events = POLLIN};
    poll(pfd, n, 200);
    read_messages(s, buf, &have);
    enforce_limit(s);
    reap(s);
  }
  read_messages(s, buf, &have);
}

int ac_render_batch(ac_pipeline *pl, char **articles, int count, int jobs,
                    double time_limit, bool quiet) {
  return ac_render_batch_hooked(pl, articles, count, jobs, time_limit, quiet,
                                NULL);
}

int ac_render_batch_hooked(ac_pipeline *pl, char **articles, int count,
                           int jobs, double time_limit, bool quiet,
                           ac_batch_hooks *hooks) {
  int online = (int)sysconf(_SC_NPROCESSORS_ONLN);
  int cores = jobs > 0 ? jobs : online;
  if (cores < 1)
    cores = 1;
  int workers = cores > count ? count : cores;
  if (workers > AC_MAX_WORKERS)
    workers = AC_MAX_WORKERS;
  /* The cores left over go to threads inside each article. When the
   * batch has all of the machine's cores (and two or more), every article
   * also synthesizes beside its encoding (two threads at least), even with
   * a worker for every core: a worker that waits for its synthesizer
   * leaves its core to the others, and an article that runs alone at the
   * end of the batch does not leave a core idle. With fewer cores than
   * the machine has, -j N keeps to about N cores. */
  pl->threads = cores / workers;
  if (pl->threads < 2 && cores >= 2 && cores >= online)
    pl->threads = 2;
  int fds[2];
  atomic_int *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (next == MAP_FAILED || pipe2(fds, O_CLOEXEC) != 0) {
    perror("articast");
    return AC_EXIT_FAILURE;
  }
  atomic_init(next, 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  supervisor s = {.pl = pl,
                  .articles = articles,
                  .count = count,
                  .next = next,
                  .quiet = quiet,
                  .time_limit = time_limit,
                  .fd_read = fds[0],
                  .fd_write = fds[1],
                  .workers = workers,
                  .hooks = hooks,
                  .line = {.on = !quiet && isatty(STDERR_FILENO),
                           .articles = count,
                           .start = now_seconds()}};
  stop_signal = 0;
  stop_count = 0;
  struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  for (int w = 0; w < workers; w++)
    if (start_worker(&s, w) != 0)
      note_failure(&s, AC_EXIT_FAILURE);
  supervise(&s);
  close(fds[0]);
  close(fds[1]);
  clear_line(&s.line);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  munmap(next, sizeof *next);
  if (hooks)
    hooks->stopped_by = stop_signal;
  return s.rc;
}
