/*
 * articast-espeak: the process the espeak stage speaks through. It reads
 * requests on its standard input and writes responses on its standard
 * output, in the format of wire.h; the stage starts one per articast
 * process with posix_spawn.
 *
 * Why a process tree. espeak-ng's output for a text depends on what the
 * same process synthesized before (a drift of a few samples), and on how
 * often a voice was selected: selecting "en-us" twice, or "fr" then
 * "en-us", gives other samples than selecting "en-us" once. A block's
 * audio must depend on the block and the settings alone (the segment
 * cache joins cached segments with fresh ones), so every block is spoken
 * by a process whose engine was initialized, given its voice once, and has
 * synthesized nothing. Initializing costs about 2 ms and the first voice 7
 * ms, too much per block, so both are done once and forked from:
 *
 *   starter   initializes espeak-ng (which starts a thread), forks the
 *             pristine zygote and exits, so that the zygote has one thread
 *             and a freshly initialized engine
 *   pristine  says HELO; reads requests and hands each to the voice zygote
 *   zygote    of its voice settings, forking one (at most MAX_VOICES, the
 *             least recently used goes) when there is none yet; answers a
 *             request for the voice list from a child of its own
 *   voice     forked from the pristine zygote: selects its voice and sets
 *   zygote    its parameters once, then forks one child per block and
 *             passes the child's frames on to the stage
 *   block     synthesizes the block, streams BUFF frames to its voice
 *   child     zygote, ends with END!, exits
 *
 * Only whole frames reach the stage: the voice zygote reads each frame of
 * the child before passing it on, and ends every block with one END!,
 * WIRE_DIED when the child died. With WIRE_SPOOL the child writes into an
 * unlinked temporary file that is passed on when the child is done, so
 * that synthesis and the stage's encoding never run at once (`articast
 * -j 1`).
 *
 * Lifetime. The pristine zygote exits when the request pipe ends, also
 * while a block is being spoken (the stage went away, even by SIGKILL):
 * it kills the voice zygotes, whose block children die with them
 * (PR_SET_PDEATHSIG). A voice zygote that dies on its own takes the whole
 * helper down, so that the stage sees the end of the pipe, never a torn
 * frame. Each process reaps its own children; the pristine zygote, an
 * orphan from the start, is reaped by init.
 */
#define _GNU_SOURCE
#include "wire.h"

#include <espeak-ng/speak_lib.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Length of the buffers espeak hands the callback. Each buffer is a
 * frame through two pipes and three processes; a second of audio a frame
 * instead of 200 ms takes 4% less CPU for an episode (fewer wake-ups and
 * context switches), and espeak's samples do not depend on it. */
#define BUFFER_MS 1000
/* Voice zygotes kept at once: the profile's voice and a few languages of
 * passages read with another voice. */
#define MAX_VOICES 4
/* The voice zygote's end of the pipe it reports finished blocks on. */
#define DONE_FD 3

enum { EXIT_USAGE = 2, EXIT_ENGINE = 3, EXIT_SYSTEM = 4 };

static const char *program = "articast-espeak";

/* ---- Small helpers ------------------------------------------------------- */

/* Says what went wrong on standard error (the host's), with errno's
 * reason when err is not 0. */
static void complain(const char *what, const char *name, int err) {
  fprintf(stderr, "%s: %s%s%s%s%s\n", program, what, name ? " " : "",
          name ? name : "", err ? ": " : "", err ? strerror(err) : "");
}

/* Sends one frame built in b; returns 0 or -1. */
static int send_frame(int fd, const wire_buf *b) {
  return wire_write_all(fd, b->data, b->len);
}

/* Sends a frame whose payload was read into b. */
static int pass_frame(int fd, uint32_t type, const wire_buf *b) {
  uint8_t header[WIRE_HEADER_SIZE];
  wire_header(header, type, (uint32_t)b->len);
  return wire_write_all(fd, header, sizeof header) ||
                 wire_write_all(fd, b->data, b->len)
             ? -1
             : 0;
}

static int send_end(int fd, const wire_end *e) {
  wire_buf b = {0};
  int rc = wire_encode_end(&b, e) || send_frame(fd, &b) ? -1 : 0;
  wire_buf_free(&b);
  return rc;
}

/* Makes the calling child die with its parent, which was `parent`. */
static void die_with_parent(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(0);
}

static int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

/* ---- Voice settings ------------------------------------------------------ */

/* What a voice zygote is set up with: everything in a request but the
 * flags and the text. */
typedef struct voice_key {
  int32_t rate, pitch, range, word_gap;
  char voice[WIRE_MAX_NAME + 1];
  char language[WIRE_MAX_NAME + 1];
} voice_key;

static void key_of(const wire_request *r, voice_key *k) {
  memset(k, 0, sizeof *k);
  k->rate = r->rate;
  k->pitch = r->pitch;
  k->range = r->range;
  k->word_gap = r->word_gap;
  memcpy(k->voice, r->voice, r->voice_len);
  memcpy(k->language, r->language, r->language_len);
}

static bool key_equal(const voice_key *a, const voice_key *b) {
  return memcmp(a, b, sizeof *a) == 0; /* zero-filled, so no padding junk */
}

/* Selects an espeak voice: by name ("en-us", "en"), else as a language
 * ("en-gb", which is not a voice name). */
static bool select_voice(const char *name) {
  if (espeak_SetVoiceByName(name) == EE_OK)
    return true;
  char lang[WIRE_MAX_NAME + 1];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof lang; i++)
    lang[i] = (char)tolower((unsigned char)name[i]);
  lang[i] = '\0';
  espeak_VOICE spec;
  memset(&spec, 0, sizeof spec);
  spec.languages = lang;
  return espeak_SetVoiceByProperties(&spec) == EE_OK;
}

/* Sets up the engine for key: the passage's language first, else the
 * voice. Returns WIRE_OK, WIRE_LANG_MISSING or WIRE_NO_VOICE. */
static uint32_t set_up_voice(const voice_key *k) {
  uint32_t status = WIRE_OK;
  if (k->language[0] && !select_voice(k->language))
    status = WIRE_LANG_MISSING;
  if ((!k->language[0] || status == WIRE_LANG_MISSING) &&
      !select_voice(k->voice))
    return WIRE_NO_VOICE;
  espeak_SetParameter(espeakRATE, k->rate, 0);
  espeak_SetParameter(espeakVOLUME, 100, 0);
  espeak_SetParameter(espeakPITCH, k->pitch, 0);
  espeak_SetParameter(espeakRANGE, k->range, 0);
  espeak_SetParameter(espeakWORDGAP, k->word_gap, 0);
  espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
  espeak_SetParameter(espeakCAPITALS, 0, 0);
  return status;
}

/* ---- Block child --------------------------------------------------------- */

static wire_buf out_frame;
static wire_event *out_events;
static size_t cap_events;
static bool out_failed;

/* espeak's callback in the block child: one BUFF frame per buffer, with the
 * events the stage uses. */
static int on_synth(short *wav, int n, espeak_EVENT *events) {
  size_t k = 0;
  for (const espeak_EVENT *e = events;
       e && e->type != espeakEVENT_LIST_TERMINATED; e++) {
    uint32_t type = e->type == espeakEVENT_WORD       ? WIRE_EV_WORD
                    : e->type == espeakEVENT_SENTENCE ? WIRE_EV_SENTENCE
                    : e->type == espeakEVENT_END      ? WIRE_EV_CLAUSE_END
                                                      : 0;
    if (!type)
      continue;
    if (k == cap_events) {
      size_t cap = cap_events ? 2 * cap_events : 64;
      wire_event *grown = cap <= WIRE_MAX_EVENTS
                              ? realloc(out_events, cap * sizeof *grown)
                              : NULL;
      if (!grown) {
        out_failed = true;
        return 1;
      }
      out_events = grown;
      cap_events = cap;
    }
    out_events[k++] = (wire_event){.type = type,
                                   .text_position = e->text_position,
                                   .length = e->length,
                                   .sample = e->sample};
  }
  size_t left = wav && n > 0 ? (size_t)n : 0;
  /* A buffer longer than a frame may hold goes in pieces, the events with
   * the first. */
  do {
    size_t part = left < WIRE_MAX_SAMPLES ? left : WIRE_MAX_SAMPLES;
    if ((part || k) &&
        (wire_encode_buffer(&out_frame, wav, part, out_events, k) ||
         send_frame(1, &out_frame))) {
      out_failed = true;
      return 1;
    }
    if (part)
      wav += part;
    left -= part;
    k = 0;
  } while (left > 0);
  return 0;
}

/* Speaks the request's text and exits; frames go to standard output. */
static void block_child(const wire_request *req, uint32_t status) {
  char *text = malloc((size_t)req->text_len + 1);
  if (!text)
    _exit(EXIT_SYSTEM);
  memcpy(text, req->text, req->text_len);
  text[req->text_len] = '\0';
  espeak_ERROR e =
      espeak_Synth(text, (size_t)req->text_len + 1, 0, POS_CHARACTER, 0,
                   espeakCHARS_UTF8 | espeakPHONEMES |
                       (req->flags & WIRE_SSML ? espeakSSML : 0),
                   NULL, NULL);
  if (out_failed)
    _exit(EXIT_SYSTEM);
  wire_end end = {.status = e == EE_OK ? status : WIRE_SYNTH_FAILED};
  _exit(send_end(1, &end) ? EXIT_SYSTEM : 0);
}

/* ---- Voice zygote -------------------------------------------------------- */

/* An unlinked temporary file for WIRE_SPOOL, or -1 with errno set. */
static int open_spool(void) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
    return fd;
  char path[4096];
  if (snprintf(path, sizeof path, "%s/articast-espeak-XXXXXX", dir) >=
      (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = mkostemp(path, O_CLOEXEC);
  if (fd >= 0)
    unlink(path);
  return fd;
}

/* How relaying a block child's frames ended. */
enum { RELAY_END, RELAY_BROKEN, RELAY_STAGE_GONE };

/* Passes the block child's frames on to the stage until `from` ends; its
 * END! goes to *end. Returns RELAY_*. */
static int relay(int from, wire_end *end) {
  wire_buf frame = {0};
  int result = RELAY_BROKEN; /* until an END! comes */
  for (;;) {
    uint32_t type;
    int rc = wire_read_frame(from, &frame, &type, WIRE_MAX_RESPONSE);
    if (rc == WIRE_READ_EOF)
      break;
    if (rc != WIRE_READ_OK || result == RELAY_END ||
        (type == WIRE_END && wire_decode_end(frame.data, frame.len, end)) ||
        (type != WIRE_END && type != WIRE_BUFFER)) {
      result = RELAY_BROKEN;
      break;
    }
    if (type == WIRE_END) {
      result = RELAY_END;
      continue;
    }
    if (pass_frame(1, type, &frame)) {
      result = RELAY_STAGE_GONE;
      break;
    }
  }
  wire_buf_free(&frame);
  return result;
}

/* Speaks one block in a child that writes to `out`. */
static pid_t start_block_child(const wire_request *req, uint32_t status,
                               int out) {
  pid_t self = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    die_with_parent(self);
    if (dup2(out, 1) < 0)
      _exit(EXIT_SYSTEM);
    close(0);
    closefrom(3);
    block_child(req, status);
  }
  return pid;
}

/* Speaks one block in a child; *end is what the stage gets. The child
 * writes into a pipe that is passed on as it fills or, with WIRE_SPOOL,
 * into a temporary file passed on once the child is done (while it
 * synthesizes, nothing else of the episode runs). Returns -1 when the
 * stage is gone. */
static int speak_block(const wire_request *req, uint32_t status,
                       wire_end *end) {
  bool spool = req->flags & WIRE_SPOOL;
  int fds[2] = {-1, -1}; /* what we read, what the child writes */
  if (spool)
    fds[0] = fds[1] = open_spool();
  else if (pipe2(fds, O_CLOEXEC) != 0)
    fds[0] = -1;
  pid_t pid = fds[0] >= 0 ? start_block_child(req, status, fds[1]) : -1;
  int err = errno;
  if (!spool && fds[1] >= 0)
    close(fds[1]);
  if (pid < 0) {
    if (fds[0] >= 0)
      close(fds[0]);
    *end = (wire_end){.status = WIRE_NO_RESOURCES, .error = err};
    return 0;
  }
  int ws = -1;
  if (spool) {
    ws = reap(pid);
    if (lseek(fds[0], 0, SEEK_SET) < 0)
      ws = -1;
  }
  int result = ws == -1 && spool ? RELAY_BROKEN : relay(fds[0], end);
  close(fds[0]);
  if (!spool) {
    if (result != RELAY_END)
      kill(pid, SIGKILL);
    ws = reap(pid);
  }
  if (result == RELAY_STAGE_GONE)
    return -1;
  if (result != RELAY_END || ws != 0) {
    *end = (wire_end){.status = WIRE_DIED};
    if (ws > 0 && WIFSIGNALED(ws))
      end->signal = WTERMSIG(ws);
    else if (ws > 0 && WIFEXITED(ws))
      end->exit = WEXITSTATUS(ws);
  }
  return 0;
}

/* A voice zygote: requests on 0, frames to 1, a byte per finished block
 * on DONE_FD. */
static void voice_main(const voice_key *key) {
  uint32_t status = set_up_voice(key);
  wire_buf in = {0};
  for (;;) {
    uint32_t type;
    int rc = wire_read_frame(0, &in, &type, WIRE_MAX_REQUEST);
    if (rc == WIRE_READ_EOF)
      _exit(0);
    wire_request req;
    if (rc != WIRE_READ_OK || type != WIRE_SPEAK ||
        wire_decode_request(in.data, in.len, &req) != 0)
      _exit(EXIT_USAGE);
    wire_end end = {.status = status};
    if (status != WIRE_NO_VOICE && speak_block(&req, status, &end) != 0)
      _exit(0); /* the stage is gone */
    char done = 1;
    if (send_end(1, &end) || wire_write_all(DONE_FD, &done, 1))
      _exit(0);
  }
}

/* ---- Voice list ---------------------------------------------------------- */

/* espeak's voice as a wire_voice (pointing into it); false when a name is
 * over the wire's limits or the voice has no language. */
static bool voice_of(const espeak_VOICE *e, wire_voice *v) {
  memset(v, 0, sizeof *v);
  if (!e->name || !e->identifier || !e->languages)
    return false;
  v->name = e->name;
  v->name_len = (uint32_t)strnlen(e->name, WIRE_MAX_NAME + 1);
  v->identifier = e->identifier;
  v->identifier_len = (uint32_t)strnlen(e->identifier, WIRE_MAX_NAME + 1);
  /* espeak's languages: a priority byte and a NUL-terminated language,
   * again and again, up to a zero byte. */
  for (const char *l = e->languages; *l && v->n_languages < WIRE_MAX_LANGUAGES;
       l += strlen(l + 1) + 2) {
    size_t len = strlen(l + 1);
    if (len == 0 || len > WIRE_MAX_NAME)
      continue;
    v->languages[v->n_languages++] =
        (wire_language){(unsigned char)l[0], l + 1, (uint32_t)len};
  }
  return v->n_languages > 0 && v->name_len > 0 &&
         v->name_len <= WIRE_MAX_NAME && v->identifier_len > 0 &&
         v->identifier_len <= WIRE_MAX_NAME;
}

/* In a child of the pristine zygote, whose engine must stay as it was
 * initialized: writes espeak's voices to standard output as one VLST and
 * exits. */
static void list_child(void) {
  const espeak_VOICE **list = espeak_ListVoices(NULL);
  uint32_t n = 0;
  while (list && list[n] && n < WIRE_MAX_VOICES)
    n++;
  wire_voice *voices = calloc(n ? n : 1, sizeof *voices);
  if (!voices)
    _exit(EXIT_SYSTEM);
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++)
    k += voice_of(list[i], &voices[k]);
  wire_buf b = {0};
  _exit(wire_encode_voices(&b, voices, k) == 0 && send_frame(1, &b) == 0
            ? 0
            : EXIT_SYSTEM);
}

/* Answers a LIST: the VLST a child made, whole, or an END! saying why
 * there is none. Returns -1 when the stage is gone. */
static int answer_list(void) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return send_end(1,
                    &(wire_end){.status = WIRE_NO_RESOURCES, .error = errno});
  pid_t self = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    die_with_parent(self);
    if (dup2(fds[1], 1) < 0)
      _exit(EXIT_SYSTEM);
    close(0);
    closefrom(3);
    list_child();
  }
  int err = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return send_end(1, &(wire_end){.status = WIRE_NO_RESOURCES, .error = err});
  }
  wire_buf frame = {0};
  uint32_t type = 0, n;
  int rc = wire_read_frame(fds[0], &frame, &type, WIRE_MAX_VOICE_LIST);
  close(fds[0]);
  if (rc != WIRE_READ_OK)
    kill(pid, SIGKILL);
  int ws = reap(pid);
  int result;
  if (rc == WIRE_READ_OK && type == WIRE_VOICES && ws == 0 &&
      wire_decode_voices(frame.data, frame.len, NULL, 0, &n) == 0) {
    result = pass_frame(1, WIRE_VOICES, &frame);
  } else {
    wire_end end = {.status = WIRE_DIED};
    if (ws > 0 && WIFSIGNALED(ws))
      end.signal = WTERMSIG(ws);
    else if (ws > 0 && WIFEXITED(ws))
      end.exit = WEXITSTATUS(ws);
    result = send_end(1, &end);
  }
  wire_buf_free(&frame);
  return result;
}

/* ---- Pristine zygote ----------------------------------------------------- */

typedef struct voice_proc {
  pid_t pid;    /* 0: a free slot */
  int requests; /* our end of its request pipe */
  int done;     /* our end of its pipe of finished blocks */
  unsigned long used;
  voice_key key;
} voice_proc;

static voice_proc voices[MAX_VOICES];

static void stop_voice(voice_proc *v) {
  if (!v->pid)
    return;
  kill(v->pid, SIGKILL);
  close(v->requests);
  close(v->done);
  reap(v->pid);
  v->pid = 0;
}

static void stop_all(int code) {
  for (int i = 0; i < MAX_VOICES; i++)
    stop_voice(&voices[i]);
  _exit(code);
}

/* The voice zygote for key, started when there is none. Returns NULL with
 * errno set when it cannot be started. */
static voice_proc *voice_for(const voice_key *key, unsigned long now) {
  voice_proc *slot = &voices[0];
  for (int i = 0; i < MAX_VOICES; i++) {
    voice_proc *v = &voices[i];
    if (v->pid && key_equal(&v->key, key)) {
      v->used = now;
      return v;
    }
    if (!v->pid || (slot->pid && v->used < slot->used))
      slot = v;
  }
  stop_voice(slot);
  int req[2], done[2];
  if (pipe2(req, O_CLOEXEC) != 0)
    return NULL;
  if (pipe2(done, O_CLOEXEC) != 0) {
    int err = errno;
    close(req[0]);
    close(req[1]);
    errno = err;
    return NULL;
  }
  pid_t self = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    die_with_parent(self);
    if (dup2(req[0], 0) < 0 || dup2(done[1], DONE_FD) < 0)
      _exit(EXIT_SYSTEM);
    closefrom(DONE_FD + 1);
    voice_main(key);
  }
  int err = errno;
  close(req[0]);
  close(done[1]);
  if (pid < 0) {
    close(req[1]);
    close(done[0]);
    errno = err;
    return NULL;
  }
  *slot = (voice_proc){
      .pid = pid, .requests = req[1], .done = done[0], .used = now};
  slot->key = *key;
  return slot;
}

/* Waits until v has finished the block. Returns 0, or 1 when the stage is
 * gone (the request pipe ended), or -1 when v died. */
static int wait_block(voice_proc *v) {
  struct pollfd fds[2] = {{.fd = 0, .events = 0},
                          {.fd = v->done, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (fds[1].revents) {
      char c;
      ssize_t k = read(v->done, &c, 1);
      if (k < 0 && errno == EINTR)
        continue;
      return k == 1 ? 0 : -1;
    }
    if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
      return 1;
  }
}

static void pristine_main(void) {
  wire_buf in = {0};
  unsigned long now = 0;
  for (;;) {
    uint32_t type;
    int rc = wire_read_frame(0, &in, &type, WIRE_MAX_REQUEST);
    if (rc == WIRE_READ_EOF)
      stop_all(0);
    if (rc == WIRE_READ_OK && type == WIRE_LIST && in.len == 0) {
      if (answer_list() != 0)
        stop_all(0);
      continue;
    }
    wire_request req;
    if (rc != WIRE_READ_OK || type != WIRE_SPEAK ||
        wire_decode_request(in.data, in.len, &req) != 0) {
      complain("a malformed request; exiting", NULL, 0);
      send_end(1, &(wire_end){.status = WIRE_BAD_REQUEST});
      stop_all(EXIT_USAGE);
    }
    voice_key key;
    key_of(&req, &key);
    voice_proc *v = voice_for(&key, ++now);
    if (!v) {
      if (send_end(1, &(wire_end){.status = WIRE_NO_RESOURCES, .error = errno}))
        stop_all(0);
      continue;
    }
    if (pass_frame(v->requests, WIRE_SPEAK, &in) != 0 ||
        (rc = wait_block(v)) < 0) {
      /* Its block may have ended in a torn frame: the stage must see the
       * pipe end rather than anything more. */
      complain("the process died that speaks with voice", key.voice, 0);
      stop_all(EXIT_SYSTEM);
    }
    if (rc == 1)
      stop_all(0);
  }
}

/* ---- Starter ------------------------------------------------------------- */

static bool fd_is_open(int fd) {
  return fcntl(fd, F_GETFD) >= 0;
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  /* The stage gives exactly the two pipes (and standard error); anything
   * else would be a leak. */
  closefrom(3);
  struct stat in_st, out_st;
  if (!fd_is_open(0) || !fd_is_open(1) || fstat(0, &in_st) ||
      fstat(1, &out_st) || !S_ISFIFO(in_st.st_mode) ||
      !S_ISFIFO(out_st.st_mode)) {
    complain("is run by the espeak stage of articast, with a pipe for "
             "requests on standard input and one for responses on standard "
             "output",
             NULL, 0);
    return EXIT_USAGE;
  }
  /* A write to a stage that is gone fails with EPIPE, handled. */
  signal(SIGPIPE, SIG_IGN);
  /* espeak probes PulseAudio even in synchronous mode, which stalls for 30
   * seconds when a server is configured but unreachable; a socket that
   * cannot exist makes the probe fail at once. */
  setenv("PULSE_SERVER", "unix:/nonexistent", 0);
  int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, NULL,
                               espeakINITIALIZE_DONT_EXIT);
  if (rate <= 0) {
    complain("espeak-ng failed to initialize", NULL, 0);
    return EXIT_ENGINE;
  }
  espeak_SetSynthCallback(on_synth);
  pid_t zygote = fork();
  if (zygote < 0) {
    complain("cannot fork", NULL, errno);
    return EXIT_SYSTEM;
  }
  if (zygote > 0)
    _exit(0); /* with espeak's thread: the zygote has none */

  const char *data_path = NULL;
  const char *version = espeak_Info(&data_path);
  if (!version)
    version = "?";
  if (!data_path)
    data_path = "?";
  wire_hello h = {.magic = WIRE_MAGIC,
                  .version = WIRE_VERSION,
                  .rate = (uint32_t)rate,
                  .pid = (uint32_t)getpid(),
                  .espeak_version = version,
                  .espeak_version_len = (uint32_t)strnlen(version, 256),
                  .data_path = data_path,
                  .data_path_len = (uint32_t)strnlen(data_path, 4096)};
  wire_buf b = {0};
  if (wire_encode_hello(&b, &h) || send_frame(1, &b))
    _exit(0);
  wire_buf_free(&b);
  pristine_main();
  return 0;
}
