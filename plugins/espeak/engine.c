/*
 * Starting articast-espeak and speaking through it (see engine.h).
 *
 * The helper is started with posix_spawn, never fork: the articast
 * process runs other stages' threads (the MP3 encoder's workers), and a
 * fork of a threaded process may copy a lock another thread held. Its
 * standard input and output are two new pipes, its standard error the
 * host's; every other descriptor is closed in the helper before it runs.
 * Our ends of the pipes are close-on-exec, so no other program the host
 * starts keeps them open: the helper sees the request pipe end when this
 * process exits, however it exits.
 */
#define _GNU_SOURCE
#include "engine.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HELPER_NAME "articast-espeak"
/* The largest HELO payload. */
#define MAX_HELLO (16u + 8u + 2u * WIRE_MAX_INFO)

static struct {
  pid_t owner;  /* the process that started the helper */
  int requests; /* our ends of its pipes, -1 when none runs */
  int responses;
  /* Started by engine_warm_up, its HELO not read yet: the starter to
   * reap, and the path for messages. */
  pid_t starter;
  char path[PATH_MAX];
  int rate;
  char salt[2 * WIRE_MAX_INFO + 64];
  wire_buf frame, request;
  short *samples;
  size_t cap_samples;
  wire_event *events;
  size_t cap_events;
} helper = {.requests = -1, .responses = -1};

int engine_rate(void) {
  return helper.rate;
}

const char *engine_salt(void) {
  return helper.salt;
}

static void stop_helper(void) {
  if (helper.requests >= 0)
    close(helper.requests);
  if (helper.responses >= 0)
    close(helper.responses);
  helper.requests = helper.responses = -1;
  /* A starter whose HELO was never read (the helper warmed up for an
   * episode whose text stages failed) ends on its own once the zygote
   * runs; reap it. One inherited through a fork is the parent's. */
  if (helper.starter > 0 && helper.owner == getpid())
    waitpid(helper.starter, NULL, 0);
  helper.starter = 0;
}

/* Where the helper is: $ARTICAST_ESPEAK_HELPER, else beside this plugin. */
static int helper_path(char *path, size_t size, char *err, size_t errlen) {
  const char *env = getenv(ENGINE_HELPER_ENV);
  if (env && *env) {
    if (snprintf(path, size, "%s", env) < (int)size)
      return 0;
    snprintf(err, errlen, "$%s is too long", ENGINE_HELPER_ENV);
    return -1;
  }
  Dl_info info;
  if (!dladdr((void *)engine_start, &info) || !info.dli_fname) {
    snprintf(err, errlen,
             "cannot tell where the espeak plugin was loaded "
             "from, to find " HELPER_NAME " beside it");
    return -1;
  }
  const char *slash = strrchr(info.dli_fname, '/');
  int dir_len = slash ? (int)(slash - info.dli_fname) : 1;
  const char *dir = slash ? info.dli_fname : ".";
  if (snprintf(path, size, "%.*s/%s", dir_len, dir, HELPER_NAME) >= (int)size) {
    snprintf(err, errlen, "the plugin's directory is too long");
    return -1;
  }
  return 0;
}

/* Makes fd at least 3 (close-on-exec), so that it cannot collide with the
 * helper's standard descriptors. Returns the new fd or -1. */
static int above_stdio(int fd) {
  if (fd >= 3)
    return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return moved;
}

/* Writes to the helper with SIGPIPE blocked in this thread, so that a
 * helper that died gives EPIPE rather than killing the host. */
static int write_to_helper(const void *data, size_t len) {
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  bool was_pending =
      sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  int rc = wire_write_all(helper.requests, data, len);
  int e = errno;
  if (rc && e == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    sigtimedwait(&pipe_set, NULL, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return rc;
}

/* Waits for the starter process, which exits once the zygote runs.
 * Returns its wait status, or -1 when it is not ours to wait for (the
 * host ignores SIGCHLD). */
static int reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

static void starter_failed(const char *path, int status, char *err,
                           size_t errlen) {
  if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 3)
    snprintf(err, errlen,
             "espeak-ng failed to initialize (is "
             "espeak-ng-data installed?)");
  else if (status >= 0 && WIFSIGNALED(status))
    snprintf(err, errlen, "%s died (signal %d) before it was ready", path,
             WTERMSIG(status));
  else if (status >= 0 && WIFEXITED(status))
    snprintf(err, errlen, "%s exited (status %d) before it was ready", path,
             WEXITSTATUS(status));
  else
    snprintf(err, errlen, "%s ended before it was ready", path);
}

/* Reads and checks the helper's HELO. */
static int read_hello(const char *path, pid_t starter, char *err,
                      size_t errlen) {
  uint32_t type = 0;
  int rc = wire_read_frame(helper.responses, &helper.frame, &type, MAX_HELLO);
  if (rc == WIRE_READ_EOF) {
    starter_failed(path, reap(starter), err, errlen);
    return -1;
  }
  int status = reap(starter);
  if (status > 0) {
    starter_failed(path, status, err, errlen);
    return -1;
  }
  wire_hello h;
  const uint8_t *p = helper.frame.data;
  if (rc != WIRE_READ_OK || type != WIRE_HELLO || helper.frame.len < 8 ||
      (p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24) != WIRE_MAGIC) {
    snprintf(err, errlen,
             "%s is not articast's espeak helper (it did not "
             "say hello)",
             path);
    return -1;
  }
  uint32_t version = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
  if (version != WIRE_VERSION) {
    snprintf(err, errlen,
             "%s speaks version %u of the wire format, this "
             "plugin version %u: install them together",
             path, version, WIRE_VERSION);
    return -1;
  }
  if (wire_decode_hello(p, helper.frame.len, &h) || h.rate < 8000 ||
      h.rate > 192000) {
    snprintf(err, errlen, "%s sent a malformed hello", path);
    return -1;
  }
  helper.rate = (int)h.rate;
  snprintf(helper.salt, sizeof helper.salt, "espeak-ng %.*s data %.*s",
           (int)h.espeak_version_len, h.espeak_version, (int)h.data_path_len,
           h.data_path);
  return 0;
}

/* Starts the helper at path with exactly its two pipes; its HELO is read
 * by finish_start. */
static int spawn_helper(const char *path, char *err, size_t errlen) {
  int req[2] = {-1, -1}, resp[2] = {-1, -1};
  if (pipe2(req, O_CLOEXEC) || pipe2(resp, O_CLOEXEC)) {
    snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++)
      if (req[i] >= 0)
        close(req[i]);
    return -1;
  }
  for (int i = 0; i < 2; i++) {
    req[i] = above_stdio(req[i]);
    resp[i] = above_stdio(resp[i]);
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, req[0], 0);
  posix_spawn_file_actions_adddup2(&fa, resp[1], 1);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  /* Signals as a new program expects them, whatever the host set. */
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  int reset[] = {SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof reset / sizeof *reset; i++)
    sigaddset(&defaults, reset[i]);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char *argv[] = {HELPER_NAME, NULL};
  pid_t pid = -1;
  int rc = req[0] < 0 || req[1] < 0 || resp[0] < 0 || resp[1] < 0
               ? EMFILE
               : posix_spawn(&pid, path, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (req[0] >= 0)
    close(req[0]);
  if (resp[1] >= 0)
    close(resp[1]);
  helper.requests = req[1];
  helper.responses = resp[0];
  if (rc) {
    snprintf(err, errlen, "cannot start %s: %s", path, strerror(rc));
    stop_helper();
    return -1;
  }
  helper.owner = getpid();
  helper.starter = pid;
  snprintf(helper.path, sizeof helper.path, "%s", path);
  return 0;
}

/* Reads the HELO of a helper spawn_helper started. */
static int finish_start(char *err, size_t errlen) {
  pid_t starter = helper.starter;
  helper.starter = 0; /* read_hello reaps it */
  if (read_hello(helper.path, starter, err, errlen)) {
    stop_helper();
    return -1;
  }
  return 0;
}

/* Whether the helper's response pipe ended or holds bytes nobody asked
 * for: either way it cannot serve another block. */
static bool helper_gone(void) {
  struct pollfd p = {.fd = helper.responses, .events = POLLIN};
  return poll(&p, 1, 0) != 0;
}

/* Whether this process has a helper: one inherited through a fork is our
 * parent's, and is dropped. */
static bool own_helper(void) {
  if (helper.requests >= 0 && helper.owner != getpid())
    stop_helper();
  return helper.requests >= 0;
}

void engine_warm_up(void) {
  char path[PATH_MAX], why[256];
  if (!own_helper() && helper_path(path, sizeof path, why, sizeof why) == 0)
    (void)spawn_helper(path, why, sizeof why); /* engine_start retries */
}

int engine_start(char *err, size_t errlen) {
  if (own_helper() && helper.starter > 0)
    return finish_start(err, errlen);
  /* One that died since the last block is replaced. */
  if (helper.requests >= 0 && helper_gone())
    stop_helper();
  if (helper.requests >= 0)
    return 0;
  char path[PATH_MAX];
  if (helper_path(path, sizeof path, err, errlen) ||
      spawn_helper(path, err, errlen))
    return -1;
  return finish_start(err, errlen);
}

/* Decodes a BUFF frame into helper.samples and helper.events. */
static int take_buffer(uint32_t *n, uint32_t *k) {
  const uint8_t *p = helper.frame.data;
  if (wire_decode_buffer(p, helper.frame.len, n, k))
    return -1;
  if (*n > helper.cap_samples) {
    short *grown = realloc(helper.samples, *n * sizeof *grown);
    if (!grown)
      return -1;
    helper.samples = grown;
    helper.cap_samples = *n;
  }
  if (*k > helper.cap_events) {
    wire_event *grown = realloc(helper.events, *k * sizeof *grown);
    if (!grown)
      return -1;
    helper.events = grown;
    helper.cap_events = *k;
  }
  wire_buffer_samples(p, helper.samples, *n);
  wire_buffer_events(p, *n, helper.events, *k);
  for (uint32_t i = 0; i < *k; i++)
    if (helper.events[i].type < WIRE_EV_WORD ||
        helper.events[i].type > WIRE_EV_CLAUSE_END)
      return -1;
  return 0;
}

/* Why a frame could not be read, for messages. */
static const char *read_failure(int rc) {
  switch (rc) {
  case WIRE_READ_EOF:
  case WIRE_READ_TRUNCATED:
    return "the espeak helper stopped in the middle of the block";
  case WIRE_READ_TOO_LONG:
    return "the espeak helper sent a frame over the size limit";
  case WIRE_READ_NOMEM:
    return "out of memory reading from the espeak helper";
  default:
    return "cannot read from the espeak helper";
  }
}

/* One try of engine_speak. Returns 0, -1 with err, or 1 when the helper
 * was gone before it sent anything of the block (worth another try with a
 * new helper). */
static int speak_once(engine_buffer_fn fn, void *ctx, wire_end *end, char *err,
                      size_t errlen) {
  if (write_to_helper(helper.request.data, helper.request.len)) {
    snprintf(err, errlen, "the espeak helper is gone (%s)", strerror(errno));
    stop_helper();
    return 1;
  }
  bool dropping = false, first = true;
  for (;; first = false) {
    uint32_t type = 0, n, k;
    int rc = wire_read_frame(helper.responses, &helper.frame, &type,
                             WIRE_MAX_RESPONSE);
    if (rc != WIRE_READ_OK) {
      snprintf(err, errlen, "%s%s%s", read_failure(rc),
               rc == WIRE_READ_IO ? ": " : "",
               rc == WIRE_READ_IO ? strerror(errno) : "");
      stop_helper();
      return first && rc == WIRE_READ_EOF ? 1 : -1;
    }
    if (type == WIRE_END) {
      if (wire_decode_end(helper.frame.data, helper.frame.len, end) == 0)
        return 0;
      snprintf(err, errlen, "the espeak helper sent a malformed end");
      break;
    }
    if (type != WIRE_BUFFER) {
      snprintf(err, errlen,
               "the espeak helper sent a frame of unknown type 0x%08x", type);
      break;
    }
    if (take_buffer(&n, &k)) {
      snprintf(err, errlen,
               "the espeak helper sent a malformed buffer (or "
               "memory ran out)");
      break;
    }
    if (!dropping && fn(ctx, helper.samples, n, helper.events, k))
      dropping = true;
  }
  stop_helper();
  return -1;
}

int engine_speak(const wire_request *req, engine_buffer_fn fn, void *ctx,
                 wire_end *end, char *err, size_t errlen) {
  if (helper.requests < 0) {
    snprintf(err, errlen, "the espeak helper is not running");
    return -1;
  }
  if (wire_encode_request(&helper.request, req)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rc = speak_once(fn, ctx, end, err, errlen);
  if (rc != 1)
    return rc;
  /* A helper that ended between blocks (killed, or out of memory) is
   * replaced once: nothing of this block was handed on yet. */
  int rate = helper.rate;
  if (engine_start(err, errlen) != 0)
    return -1;
  if (helper.rate != rate) {
    snprintf(err, errlen,
             "the espeak helper was restarted with another "
             "sample rate");
    stop_helper();
    return -1;
  }
  return speak_once(fn, ctx, end, err, errlen) == 0 ? 0 : -1;
}

/* One try of engine_list_voices; returns as speak_once does. */
static int list_once(engine_voice_fn fn, void *ctx, char *err, size_t errlen) {
  if (write_to_helper(helper.request.data, helper.request.len)) {
    snprintf(err, errlen, "the espeak helper is gone (%s)", strerror(errno));
    stop_helper();
    return 1;
  }
  uint32_t type = 0, n = 0;
  int rc = wire_read_frame(helper.responses, &helper.frame, &type,
                           WIRE_MAX_VOICE_LIST);
  if (rc != WIRE_READ_OK) {
    snprintf(err, errlen, "%s%s%s",
             rc == WIRE_READ_EOF || rc == WIRE_READ_TRUNCATED
                 ? "the espeak helper stopped while listing its voices"
                 : read_failure(rc),
             rc == WIRE_READ_IO ? ": " : "",
             rc == WIRE_READ_IO ? strerror(errno) : "");
    stop_helper();
    return rc == WIRE_READ_EOF ? 1 : -1;
  }
  wire_end end;
  if (type == WIRE_END &&
      wire_decode_end(helper.frame.data, helper.frame.len, &end) == 0) {
    snprintf(err, errlen, "the espeak helper could not list its voices (%s)",
             wire_status_name(end.status));
    return -1;
  }
  wire_voice *voices = NULL;
  if (type == WIRE_VOICES &&
      wire_decode_voices(helper.frame.data, helper.frame.len, NULL, 0, &n) ==
          0 &&
      (voices = calloc(n ? n : 1, sizeof *voices)) != NULL &&
      wire_decode_voices(helper.frame.data, helper.frame.len, voices, n, &n) ==
          0) {
    for (uint32_t i = 0; i < n; i++)
      fn(ctx, &voices[i]);
    free(voices);
    return 0;
  }
  free(voices);
  snprintf(err, errlen,
           type == WIRE_VOICES ? "the espeak helper sent a malformed voice "
                                 "list (or memory ran out)"
                               : "the espeak helper answered the voice list "
                                 "with a frame of another type");
  stop_helper();
  return -1;
}

int engine_list_voices(engine_voice_fn fn, void *ctx, char *err,
                       size_t errlen) {
  if (engine_start(err, errlen) != 0)
    return -1;
  if (wire_encode_list(&helper.request)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rc = list_once(fn, ctx, err, errlen);
  if (rc != 1)
    return rc;
  /* Replaced once, as for a block. */
  if (engine_start(err, errlen) != 0)
    return -1;
  return list_once(fn, ctx, err, errlen) == 0 ? 0 : -1;
}
