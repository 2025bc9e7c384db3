/* Rendering a batch of articles: a plain pool of worker processes, forked
 * before anything else starts (so before any thread), each taking the next
 * article from a shared counter and rendering it in-process; a progress
 * line on a terminal; signals passed on so that stopping articast stops
 * its workers. */
#include "batch.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a worker tells the parent, in one write (atomic below PIPE_BUF). */
typedef struct progress_msg {
  int32_t worker;
  int32_t article_done; /* 1: the article ended (seconds is its length) */
  uint64_t segments_done, segments_total;
  double seconds;
} progress_msg;

typedef struct progress_line {
  bool on;       /* drawing at all (a terminal, not -q) */
  int articles;  /* in the batch */
  int done;      /* articles finished */
  double banked; /* seconds of audio of finished articles */
  double current[AC_MAX_WORKERS];
  double frac[AC_MAX_WORKERS]; /* share of the article in hand */
  struct timespec start;
  double last_draw;
  int width; /* of what was drawn, to clear it */
} progress_line;

static double now_seconds(const struct timespec *since) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - since->tv_sec) +
         (double)(t.tv_nsec - since->tv_nsec) / 1e9;
}

static void draw(progress_line *p, bool force) {
  double elapsed = now_seconds(&p->start);
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
                   "articast: %d/%d articles, %.1f min of "
                   "audio%s",
                   p->done, p->articles, seconds / 60.0, eta);
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

static void take(progress_line *p, const progress_msg *m) {
  int w = m->worker >= 0 && m->worker < AC_MAX_WORKERS ? m->worker : 0;
  if (m->article_done) {
    p->done++;
    p->banked += m->seconds;
    p->current[w] = 0;
    p->frac[w] = 0;
  } else {
    p->current[w] = m->seconds;
    p->frac[w] = m->segments_total
                     ? (double)m->segments_done / (double)m->segments_total
                     : 0;
  }
}

/* ---- In the process that renders -------------------------------------------
 */

typedef struct reporter {
  int fd; /* to the parent, or -1 to draw here */
  int worker;
  progress_line *line; /* when drawing here */
  double seconds;      /* of the article in hand */
} reporter;

static void send_msg(reporter *r, const progress_msg *m) {
  if (r->fd >= 0) {
    ssize_t w;
    do
      w = write(r->fd, m, sizeof *m);
    while (w < 0 && errno == EINTR);
  } else if (r->line) {
    take(r->line, m);
    draw(r->line, m->article_done);
  }
}

static void on_progress(void *ctx, size_t done, size_t total, double seconds) {
  reporter *r = ctx;
  r->seconds = seconds;
  progress_msg m = {.worker = r->worker,
                    .segments_done = done,
                    .segments_total = total,
                    .seconds = seconds};
  send_msg(r, &m);
}

/* Renders articles from the shared counter; returns the first failure. */
static int render_share(ac_pipeline *pl, char **articles, int count,
                        atomic_int *next, reporter *rep, bool quiet) {
  int rc = AC_EXIT_OK;
  pl->progress = on_progress;
  pl->progress_ctx = rep;
  for (int i; (i = atomic_fetch_add(next, 1)) < count;) {
    char err[2048] = "";
    rep->seconds = 0;
    /* The files written, printed once the progress line is cleared. */
    char *written = NULL;
    size_t written_len = 0;
    FILE *mem = quiet ? NULL : open_memstream(&written, &written_len);
    int one = ac_run_episode(pl, articles[i], mem, err, sizeof err);
    if (mem)
      fclose(mem);
    progress_msg m = {.worker = rep->worker,
                      .article_done = 1,
                      .seconds = one ? 0 : rep->seconds};
    if (rep->line)
      clear_line(rep->line);
    if (one)
      fprintf(stderr, "articast: %s\n", err);
    else if (written)
      fputs(written, stdout);
    free(written);
    fflush(stdout);
    send_msg(rep, &m);
    if (one && !rc)
      rc = one; /* keep going: one bad article must not stop a batch */
  }
  return rc;
}

/* ---- The parent ------------------------------------------------------------
 */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) {
  stop_signal = sig;
}

/* Reads progress until every worker has closed its end of the pipe. */
static void follow_workers(int fd, progress_line *line, pid_t *pids,
                           int n_pids) {
  progress_msg m;
  size_t have = 0;
  for (;;) {
    if (stop_signal) {
      for (int i = 0; i < n_pids; i++)
        kill(pids[i], stop_signal);
      stop_signal = 0;
    }
    ssize_t got = read(fd, (char *)&m + have, sizeof m - have);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    have += (size_t)got;
    if (have < sizeof m)
      continue;
    have = 0;
    take(line, &m);
    draw(line, m.article_done);
  }
}

static int wait_workers(pid_t *pids, int n) {
  int rc = AC_EXIT_OK;
  for (int w = 0; w < n; w++) {
    int status;
    while (waitpid(pids[w], &status, 0) < 0)
      if (errno != EINTR)
        return AC_EXIT_FAILURE;
    int one = WIFEXITED(status) ? WEXITSTATUS(status) : AC_EXIT_FAILURE;
    if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM &&
        WTERMSIG(status) != SIGINT)
      fprintf(stderr, "articast: a worker process died (signal %d)\n",
              WTERMSIG(status));
    if (one && !rc)
      rc = one;
  }
  return rc;
}

/* In a worker: stop when the parent goes, whatever killed it. */
static void worker_setup(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent)
    _exit(AC_EXIT_FAILURE);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

static int run_pool(ac_pipeline *pl, char **articles, int count, int workers,
                    progress_line *line, bool quiet, atomic_int *next) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("articast: pipe");
    return AC_EXIT_FAILURE;
  }
  struct sigaction sa = {.sa_handler = on_stop};
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int, old_term;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  pid_t parent = getpid(), pids[AC_MAX_WORKERS];
  int started = 0, rc = AC_EXIT_OK;
  fflush(stdout);
  for (int w = 0; w < workers; w++) {
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      worker_setup(parent);
      reporter rep = {.fd = fds[1], .worker = w};
      _exit(render_share(pl, articles, count, next, &rep, quiet));
    }
    if (pid < 0) {
      perror("articast: fork");
      rc = AC_EXIT_FAILURE;
      break;
    }
    pids[started++] = pid;
  }
  close(fds[1]);
  follow_workers(fds[0], line, pids, started);
  close(fds[0]);
  int wrc = wait_workers(pids, started);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return rc ? rc : wrc;
}

int ac_render_batch(ac_pipeline *pl, char **articles, int count, int jobs,
                    bool quiet) {
  int cores = jobs > 0 ? jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1)
    cores = 1;
  int workers = cores > count ? count : cores;
  if (workers > AC_MAX_WORKERS)
    workers = AC_MAX_WORKERS;
  /* The cores left over go to threads inside each article. */
  pl->threads = cores / workers;
  progress_line line = {.on = !quiet && isatty(STDERR_FILENO),
                        .articles = count};
  clock_gettime(CLOCK_MONOTONIC, &line.start);
  atomic_int *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (next == MAP_FAILED) {
    perror("articast: mmap");
    return AC_EXIT_FAILURE;
  }
  atomic_init(next, 0);
  int rc;
  if (workers <= 1) {
    reporter rep = {.fd = -1, .line = &line};
    rc = render_share(pl, articles, count, next, &rep, quiet);
  } else {
    rc = run_pool(pl, articles, count, workers, &line, quiet, next);
  }
  clear_line(&line);
  munmap(next, sizeof *next);
  return rc;
}
