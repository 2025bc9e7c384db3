/*
 * loudness: the filter that brings an episode to podcast loudness.
 *
 * What it does to the stream, in order:
 *   1. Silence at the ends: the silence before the first sound is set to
 *      lead_silence_ms and the silence after the last sound to
 *      tail_silence_ms (longer runs are trimmed, shorter ones padded with
 *      zeros). A sample is sound when its magnitude exceeds silence_db.
 *      Pauses between sounds are passed on untouched.
 *   2. Gain: in `measure` mode, the gain that brings the trimmed episode to
 *      target_lufs; in `gain` mode, the fixed gain_db.
 *   3. A look-ahead true-peak limiter (limiter.h) holds the true peak at
 *      true_peak_db, so the gain never clips.
 *
 * Loudness is integrated loudness per ITU-R BS.1770 (libebur128). Mono
 * convention: the mono signal is measured as one channel of weight 1.0,
 * which is what ffmpeg's ebur128 filter reports for a mono file (measuring
 * it as dual mono would read 3 LU higher).
 *
 * `measure` mode needs the whole episode before it can choose the gain, so
 * it spools the float PCM (and the marks) to unlinked temporary files in
 * $TMPDIR while metering the input, and at flush streams the spool back
 * through gain and limiter in bounded blocks: memory stays bounded whatever
 * the length. The limiter takes away loudness where it acts (about 2 LU
 * on espeak-ng speech), so flush first runs gain and limiter over the
 * spool with only a meter listening (a preview), corrects the gain by what
 * the preview missed, and repeats until the gain is known to land within
 * about 0.1 LU (see choose_gain); then the emitting pass. `gain` mode is
 * one streaming pass: it holds back only the leading silence, the limiter's
 * look-ahead and the current run of silence longer than the tail.
 *
 * Marks: the output is the input shifted by `offset` (what trimming and
 * padding the leading silence did; the limiter's delay is hidden). A mark
 * keeps its sound: its sample moves by `offset`; a mark in trimmed leading
 * silence moves to the start of the output and one in trimmed trailing
 * silence to its end.
 */
#include "limiter.h"

#include <articast/plugin.h>

#include <ebur128.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Samples per step through the limiter and per spool read. */
#define BLOCK 4096
/* `gain` mode: the longest run of silence held back sample by sample while
 * it may still turn out to be the trailing silence. Beyond it, the held
 * samples (at most silence_db anyway) are counted and passed on as zeros
 * if sound follows, so memory stays bounded. */
#define HOLD_MAX_MS 10000
/* Bounds of the gain `measure` mode applies, so that near-silent input is
 * not raised into loud noise. */
#define MAX_GAIN_DB 30.0
/* `measure` mode: previews until the limited loudness is this close to the
 * target, at most MAX_PREVIEWS; a secant step this small or smaller is
 * taken unchecked (what it misses is a small fraction of it). */
#define PREVIEW_TOLERANCE_LU 0.05
#define SURE_STEP_LU 0.3
#define MAX_PREVIEWS 5
/* LU gained per dB of gain assumed by the first correction: espeak-ng
 * speech brought to -16 LUFS under -1.5 dBTP loses about half of each
 * further dB to the limiter. */
#define FIRST_SLOPE 0.5
/* The limiter aims this far under true_peak_db. True-peak meters disagree:
 * they look at different points between the samples and interpolate with
 * different filters. On broadband noise the limiter's own 4x detector read
 * up to 0.15 dB under libebur128's and under a 16x reference; on espeak-ng
 * speech under 0.03 dB. With this margin any of them reads at most
 * true_peak_db. */
#define LIMIT_MARGIN_DB 0.2

/* Option indices; auto is resolved in create to one of the other two. */
enum { MODE_MEASURE, MODE_GAIN, MODE_AUTO };

typedef struct mark_queue {
  ac_mark *items;
  size_t head, len, cap;
} mark_queue;

typedef struct loudness_priv {
  /* Options. */
  int mode;
  double target_lufs;
  double true_peak_db;
  double gain_db;
  int lead_silence_ms;
  int tail_silence_ms;
  double silence_db;
  double lookahead_ms;
  double release_ms;

  /* The input stream. */
  int rate;        /* 0 until the first chunk that states it */
  uint64_t n_in;   /* input samples received */
  float threshold; /* silence_db, linear */
  size_t lead, tail;
  float *scratch; /* BLOCK samples: the input, sanitized */

  /* Leading silence: the last `lead` samples before the first sound. */
  float *ring;
  size_t ring_pos, ring_n;
  bool sound;           /* a sample above the threshold was seen */
  uint64_t first, last; /* first and last such sample */
  int64_t offset;       /* output index = input index + offset */
  uint64_t lead_pad;    /* zeros added before the kept leading silence */

  /* Marks not yet attached to an output chunk, with input positions.
   * `measure` mode spools them to mark_file and reads them back here. */
  mark_queue marks;
  bool marks_dirty;   /* next_mark must be recomputed */
  uint64_t next_mark; /* output position of the first queued mark */
  uint64_t last_mark; /* output position of the last attached mark */

  /* `measure` mode. */
  FILE *pcm_file, *mark_file;
  uint64_t spooled;     /* samples in pcm_file */
  ebur128_state *meter; /* loudness of the input as spooled */

  /* `gain` mode: silence after the last sound beyond the tail. */
  uint64_t run; /* silence samples since the last sound */
  float *held;
  size_t n_held, cap_held;
  uint64_t held_zeros; /* held beyond HOLD_MAX_MS, passed on as zeros */

  /* Gain and limiter. */
  double gain; /* linear */
  tp_limiter lim;
  bool lim_ready;
  double deepest; /* lowest limiter gain of the segments already ended */
  float *lim_in, *lim_out; /* BLOCK, BLOCK + latency */
  size_t n_stage;          /* samples waiting in lim_in */

  /* Where limited audio goes: to this meter (a preview) or, when NULL, to
   * the output chunk. */
  ebur128_state *sink_meter;
  float *out;
  size_t n_out;
  uint64_t n_emitted; /* output samples produced, n_out included */
  ac_mark *out_marks;
  size_t n_out_marks, cap_out_marks;
} loudness_priv;

static const char *const loudness_modes[] = {"measure", "gain", "auto", NULL};

#define OPT(name, type, field, def, lo, hi, choices, help)                     \
  { name, type, offsetof(loudness_priv, field), def, lo, hi, choices, help }
static const ac_option loudness_options[] = {
    OPT("mode", AC_OPT_CHOICE, mode, "auto", 0, 0, loudness_modes,
        "measure: two passes to reach target_lufs (spools the audio to "
        "$TMPDIR); gain: one pass applying gain_db; auto: gain when gain_db "
        "is set (voice profiles set the gain their voice was calibrated "
        "with) and target and ceiling are the defaults, else measure"),
    OPT("target_lufs", AC_OPT_DOUBLE, target_lufs, "-16", -40, -5, NULL,
        "integrated loudness to reach in measure mode, LUFS (BS.1770; mono "
        "measured as one channel, as ffmpeg's ebur128 reads it)"),
    OPT("true_peak_db", AC_OPT_DOUBLE, true_peak_db, "-1.5", -12, 0, NULL,
        "true-peak ceiling of the limiter, dBTP; below -1 to leave room for "
        "the MP3 encoder's overshoot"),
    OPT("gain_db", AC_OPT_DOUBLE, gain_db, NULL, -20, 30, NULL,
        "gain of gain mode, dB: what brings the voice to -16 LUFS under a "
        "-1.5 dBTP ceiling, as tests/bench/calibrate-voices.sh measures it "
        "(espeak-ng voices need about 6 to 8); unset by default"),
    OPT("lead_silence_ms", AC_OPT_INT, lead_silence_ms, "300", 0, 5000, NULL,
        "silence before the first sound, ms (longer is trimmed, shorter "
        "padded)"),
    OPT("tail_silence_ms", AC_OPT_INT, tail_silence_ms, "700", 0, 10000, NULL,
        "silence after the last sound, ms (longer is trimmed, shorter "
        "padded)"),
    OPT("silence_db", AC_OPT_DOUBLE, silence_db, "-50", -90, -20, NULL,
        "input samples at or below this level (dBFS) count as silence when "
        "trimming the ends"),
    OPT("lookahead_ms", AC_OPT_DOUBLE, lookahead_ms, "5", 0.5, 20, NULL,
        "limiter look-ahead, ms: the gain ramps down over this time before a "
        "peak"),
    OPT("release_ms", AC_OPT_DOUBLE, release_ms, "100", 10, 1000, NULL,
        "limiter release time constant, ms"),
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};
#undef OPT

/* ---- Meters ------------------------------------------------------------- */

/* A BS.1770 integrated-loudness meter for the mono stream: one channel of
 * weight 1.0 (EBUR128_CENTER, M+000), not EBUR128_DUAL_MONO. */
static ebur128_state *meter_new(int rate) {
  ebur128_state *m = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
  if (m && ebur128_set_channel(m, 0, EBUR128_CENTER) != EBUR128_SUCCESS)
    ebur128_destroy(&m);
  return m;
}

static double meter_lufs(ebur128_state *m) {
  double lufs;
  if (ebur128_loudness_global(m, &lufs) != EBUR128_SUCCESS)
    return -HUGE_VAL;
  return lufs;
}

/* ---- Marks and output chunks -------------------------------------------- */

static int queue_push(mark_queue *q, const ac_mark *m, size_t n) {
  if (q->head > 0 && q->head + q->len + n > q->cap) {
    memmove(q->items, q->items + q->head, q->len * sizeof *q->items);
    q->head = 0;
  }
  if (q->len + n > q->cap) {
    size_t cap = q->cap ? q->cap : 64;
    while (cap < q->len + n)
      cap *= 2;
    ac_mark *grown = realloc(q->items, cap * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    q->items = grown;
    q->cap = cap;
  }
  memcpy(q->items + q->head + q->len, m, n * sizeof *m);
  q->len += n;
  return 0;
}

/* The first mark not yet attached, reading the mark spool when the queue
 * is empty. Returns 1 with *m set, 0 when there is none, or an error. */
static int mark_peek(ac_stage *st, ac_mark **m) {
  loudness_priv *p = st->priv;
  if (p->marks.len == 0 && p->mark_file) {
    ac_mark next;
    if (fread(&next, sizeof next, 1, p->mark_file) != 1) {
      if (ferror(p->mark_file))
        return st->host->fail(st, AC_ERR_IO, "cannot read the mark spool: %s",
                              strerror(errno));
      return 0;
    }
    int rc = queue_push(&p->marks, &next, 1);
    if (rc)
      return st->host->fail(st, rc, "out of memory");
  }
  if (p->marks.len == 0)
    return 0;
  *m = &p->marks.items[p->marks.head];
  return 1;
}

/* Output position of the input sample `s`. */
static uint64_t map_sample(const loudness_priv *p, uint64_t s) {
  int64_t o = (int64_t)s + p->offset;
  return o < 0 ? 0 : (uint64_t)o;
}

/* Moves the queued marks whose sound is at or before output position
 * `upto` into the chunk being filled; with `final`, all of them, clamped to
 * the end of the output. */
static int attach_marks(ac_stage *st, uint64_t upto, bool final) {
  loudness_priv *p = st->priv;
  if (!final && !p->marks_dirty && p->next_mark > upto)
    return 0;
  uint64_t start = p->n_emitted - p->n_out;
  for (;;) {
    ac_mark *m = NULL;
    int rc = mark_peek(st, &m);
    if (rc < 0)
      return rc;
    if (rc == 0) {
      p->next_mark = UINT64_MAX;
      break;
    }
    uint64_t at = map_sample(p, m->sample);
    if (final && at > p->n_emitted)
      at = p->n_emitted;
    if (at > upto && !final) {
      p->next_mark = at;
      break;
    }
    /* Keep the marks sorted and inside their chunk even if the input's
     * were not. */
    if (at < start)
      at = start;
    if (p->n_out_marks > 0 && at < p->last_mark)
      at = p->last_mark;
    if (p->n_out_marks == p->cap_out_marks) {
      size_t cap = p->cap_out_marks ? 2 * p->cap_out_marks : 64;
      ac_mark *grown = realloc(p->out_marks, cap * sizeof *grown);
      if (!grown)
        return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
      p->out_marks = grown;
      p->cap_out_marks = cap;
    }
    ac_mark *dst = &p->out_marks[p->n_out_marks++];
    *dst = *m;
    dst->sample = at;
    p->last_mark = at;
    p->marks.head++;
    p->marks.len--;
  }
  p->marks_dirty = false;
  return 0;
}

static int out_emit(ac_stage *st) {
  loudness_priv *p = st->priv;
  ac_chunk c = {.samples = p->out,
                .n_samples = p->n_out,
                .position = p->n_emitted - p->n_out,
                .sample_rate = p->rate,
                .marks = p->out_marks,
                .n_marks = p->n_out_marks};
  p->n_out = 0;
  p->n_out_marks = 0;
  return st->host->emit(st, &c);
}

/* Appends limited samples to the output (or to the preview meter). */
static int consume(ac_stage *st, const float *v, size_t n) {
  loudness_priv *p = st->priv;
  if (p->sink_meter) {
    if (n && ebur128_add_frames_float(p->sink_meter, v, n) != EBUR128_SUCCESS)
      return st->host->fail(st, AC_ERR_ENGINE, "libebur128 failed");
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    int rc;
    if (p->n_out == AC_MAX_CHUNK && (rc = out_emit(st)))
      return rc;
    if ((rc = attach_marks(st, p->n_emitted, false)))
      return rc;
    p->out[p->n_out++] = v[i];
    p->n_emitted++;
  }
  return 0;
}

/* End of the output: the remaining marks and samples. */
static int out_finish(ac_stage *st) {
  loudness_priv *p = st->priv;
  int rc = attach_marks(st, p->n_emitted, true);
  if (rc)
    return rc;
  if (p->n_out == 0 && p->n_out_marks == 0)
    return 0;
  return out_emit(st);
}

/* ---- Gain and limiter --------------------------------------------------- */

static int run_limiter(ac_stage *st) {
  loudness_priv *p = st->priv;
  size_t k = tp_limiter_process(&p->lim, p->lim_in, p->n_stage, p->lim_out);
  p->n_stage = 0;
  return consume(st, p->lim_out, k);
}

/* Feeds n input samples (or zeros when x is NULL) through gain and
 * limiter. */
static int stage(ac_stage *st, const float *x, uint64_t n) {
  loudness_priv *p = st->priv;
  float g = (float)p->gain;
  while (n > 0) {
    size_t k = BLOCK - p->n_stage;
    if (k > n)
      k = (size_t)n;
    float *dst = p->lim_in + p->n_stage;
    if (x) {
      for (size_t i = 0; i < k; i++)
        dst[i] = x[i] * g;
      x += k;
    } else {
      memset(dst, 0, k * sizeof *dst);
    }
    p->n_stage += k;
    n -= k;
    if (p->n_stage == BLOCK) {
      int rc = run_limiter(st);
      if (rc)
        return rc;
    }
  }
  return 0;
}

/* Passes on what the limiter still holds. */
static int end_limiter(ac_stage *st) {
  loudness_priv *p = st->priv;
  int rc = run_limiter(st);
  if (rc)
    return rc;
  size_t k = tp_limiter_drain(&p->lim, p->lim_out);
  return consume(st, p->lim_out, k);
}

/* ---- Leading silence ---------------------------------------------------- */

static void ring_add(loudness_priv *p, const float *x, size_t n) {
  if (p->lead == 0)
    return;
  if (n > p->lead) {
    x += n - p->lead;
    n = p->lead;
  }
  for (size_t i = 0; i < n; i++) {
    p->ring[p->ring_pos] = x[i];
    p->ring_pos = p->ring_pos + 1 == p->lead ? 0 : p->ring_pos + 1;
  }
  p->ring_n = p->ring_n + n > p->lead ? p->lead : p->ring_n + n;
}

/* The ring's samples, oldest first, as two runs. */
static void ring_runs(const loudness_priv *p, const float **a, size_t *na,
                      const float **b, size_t *nb) {
  size_t start = (p->ring_pos + p->lead - p->ring_n) % (p->lead ? p->lead : 1);
  *a = p->ring + start;
  *na = p->ring_n < p->lead - start ? p->ring_n : p->lead - start;
  *b = p->ring;
  *nb = p->ring_n - *na;
}

/* ---- Spool (`measure` mode) --------------------------------------------- */

static FILE *spool_open(ac_stage *st, const char *what) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !dir[0])
    dir = "/tmp";
  char path[4096];
  int n = snprintf(path, sizeof path, "%s/articast-%s-XXXXXX", dir, what);
  if (n < 0 || (size_t)n >= sizeof path) {
    st->host->fail(st, AC_ERR_IO, "TMPDIR is too long");
    return NULL;
  }
  int fd = mkstemp(path);
  if (fd < 0) {
    st->host->fail(st, AC_ERR_IO, "cannot create a spool file in %s: %s", dir,
                   strerror(errno));
    return NULL;
  }
  /* Unlinked at once: the file disappears with the stage, even on a crash. */
  unlink(path);
  FILE *f = fdopen(fd, "w+b");
  if (!f) {
    st->host->fail(st, AC_ERR_IO, "cannot open a spool file: %s",
                   strerror(errno));
    close(fd);
  }
  return f;
}

static int spool_pcm(ac_stage *st, const float *x, size_t n) {
  loudness_priv *p = st->priv;
  if (n == 0)
    return 0;
  if (fwrite(x, sizeof *x, n, p->pcm_file) != n)
    return st->host->fail(st, AC_ERR_IO, "cannot write the audio spool: %s",
                          strerror(errno));
  if (ebur128_add_frames_float(p->meter, x, n) != EBUR128_SUCCESS)
    return st->host->fail(st, AC_ERR_ENGINE, "libebur128 failed");
  p->spooled += n;
  return 0;
}

/* ---- Input -------------------------------------------------------------- */

/* `gain` mode: keeps one more sample of a long silence back. */
static int hold(ac_stage *st, float x) {
  loudness_priv *p = st->priv;
  if (p->n_held == p->cap_held) {
    size_t max = (size_t)((int64_t)HOLD_MAX_MS * p->rate / 1000);
    if (p->cap_held >= max) {
      p->held_zeros++;
      return 0;
    }
    size_t cap = p->cap_held ? 2 * p->cap_held : BLOCK;
    if (cap > max)
      cap = max;
    float *grown = realloc(p->held, cap * sizeof *grown);
    if (!grown)
      return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    p->held = grown;
    p->cap_held = cap;
  }
  p->held[p->n_held++] = x;
  return 0;
}

/* `gain` mode: the held silence was a pause, not the tail: pass it on. */
static int release_held(ac_stage *st) {
  loudness_priv *p = st->priv;
  int rc = stage(st, p->held, p->n_held);
  if (!rc)
    rc = stage(st, NULL, p->held_zeros);
  p->n_held = 0;
  p->held_zeros = 0;
  return rc;
}

/* Called at the first sound: passes on the leading silence kept. */
static int start_sound(ac_stage *st, uint64_t first) {
  loudness_priv *p = st->priv;
  p->sound = true;
  p->first = p->last = first;
  p->lead_pad = p->lead - p->ring_n;
  p->offset = (int64_t)p->lead - (int64_t)first;
  p->marks_dirty = true;
  const float *a, *b;
  size_t na, nb;
  ring_runs(p, &a, &na, &b, &nb);
  int rc;
  if (p->mode == MODE_MEASURE) {
    if ((rc = spool_pcm(st, a, na)) || (rc = spool_pcm(st, b, nb)))
      return rc;
    return 0;
  }
  if ((rc = stage(st, NULL, p->lead_pad)) || (rc = stage(st, a, na)) ||
      (rc = stage(st, b, nb)))
    return rc;
  return 0;
}

/* Takes n sanitized input samples, the first at input index p->n_in. */
static int take(ac_stage *st, const float *x, size_t n) {
  loudness_priv *p = st->priv;
  const float thr = p->threshold;
  size_t i = 0;
  int rc;
  if (!p->sound) {
    while (i < n && fabsf(x[i]) <= thr)
      i++;
    ring_add(p, x, i);
    if (i == n)
      return 0;
    if ((rc = start_sound(st, p->n_in + i)))
      return rc;
  }
  if (p->mode == MODE_MEASURE) {
    for (size_t j = n; j > i; j--) {
      if (fabsf(x[j - 1]) > thr) {
        p->last = p->n_in + j - 1;
        break;
      }
    }
    return spool_pcm(st, x + i, n - i);
  }
  /* `gain` mode: the first tail samples of a silence pass at once (they
   * are kept whether the silence is a pause or the tail); the rest waits
   * for the next sound or the end. */
  size_t batch = i; /* start of the samples not yet staged */
  for (size_t j = i; j < n; j++) {
    if (fabsf(x[j]) > thr) {
      if (p->n_held || p->held_zeros) {
        if ((rc = release_held(st)))
          return rc;
      }
      p->run = 0;
      p->last = p->n_in + j;
    } else if (++p->run > p->tail) {
      if ((rc = stage(st, x + batch, j - batch)) || (rc = hold(st, x[j])))
        return rc;
      batch = j + 1;
    }
  }
  return stage(st, x + batch, n - batch);
}

static int start_stream(ac_stage *st, int rate) {
  loudness_priv *p = st->priv;
  p->rate = rate;
  p->lead = (size_t)((int64_t)p->lead_silence_ms * rate / 1000);
  p->tail = (size_t)((int64_t)p->tail_silence_ms * rate / 1000);
  p->threshold = (float)pow(10.0, p->silence_db / 20.0);
  if (tp_limiter_init(&p->lim, rate, p->true_peak_db - LIMIT_MARGIN_DB,
                      p->lookahead_ms, p->release_ms))
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  p->lim_ready = true;
  size_t latency = tp_limiter_latency(&p->lim);
  p->lim_out = malloc((BLOCK + latency) * sizeof *p->lim_out);
  p->ring = malloc((p->lead ? p->lead : 1) * sizeof *p->ring);
  if (!p->lim_out || !p->ring)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (p->mode == MODE_MEASURE) {
    if (!(p->meter = meter_new(rate)))
      return st->host->fail(st, AC_ERR_ENGINE,
                            "libebur128 cannot meter %d Hz audio", rate);
  }
  return 0;
}

static int loudness_process(ac_stage *st, const ac_chunk *c) {
  loudness_priv *p = st->priv;
  int rc;
  if (c->n_samples > 0 || c->sample_rate != 0) {
    if (c->sample_rate <= 0)
      return st->host->fail(st, AC_ERR_FORMAT, "chunk without a sample rate");
    if (p->rate == 0) {
      if ((rc = start_stream(st, c->sample_rate)))
        return rc;
    } else if (c->sample_rate != p->rate) {
      return st->host->fail(st, AC_ERR_FORMAT,
                            "sample rate changed from %d to %d Hz", p->rate,
                            c->sample_rate);
    }
  }
  if (c->position != p->n_in)
    return st->host->fail(
        st, AC_ERR_FORMAT, "chunk starts at frame %llu, expected %llu",
        (unsigned long long)c->position, (unsigned long long)p->n_in);
  if (c->n_marks) {
    if (p->mode == MODE_MEASURE) {
      if (fwrite(c->marks, sizeof *c->marks, c->n_marks, p->mark_file) !=
          c->n_marks)
        return st->host->fail(st, AC_ERR_IO, "cannot write the mark spool: %s",
                              strerror(errno));
    } else {
      if ((rc = queue_push(&p->marks, c->marks, c->n_marks)))
        return st->host->fail(st, rc, "out of memory");
      p->marks_dirty = true;
    }
  }
  for (size_t done = 0; done < c->n_samples;) {
    size_t k = c->n_samples - done < BLOCK ? c->n_samples - done : BLOCK;
    /* A NaN or infinity would poison the limiter's gain for good. */
    for (size_t i = 0; i < k; i++) {
      float v = c->samples[done + i];
      p->scratch[i] = isfinite(v) ? v : 0.0f;
    }
    if ((rc = take(st, p->scratch, k)))
      return rc;
    p->n_in += k;
    done += k;
  }
  return 0;
}

/* ---- End of stream ------------------------------------------------------ */

/* No sound at all: the stream is leading silence, trimmed to the lead. */
static int flush_silent(ac_stage *st) {
  loudness_priv *p = st->priv;
  if (p->n_in > 0)
    st->host->log(st, AC_LOG_WARN,
                  "no sound above %.0f dBFS: passed on as silence",
                  p->silence_db);
  p->offset = (int64_t)p->ring_n - (int64_t)p->n_in;
  p->marks_dirty = true;
  if (p->mark_file && fseeko(p->mark_file, 0, SEEK_SET) != 0)
    return st->host->fail(st, AC_ERR_IO, "cannot rewind the mark spool: %s",
                          strerror(errno));
  int rc;
  if (p->ring_n > 0) {
    const float *a, *b;
    size_t na, nb;
    ring_runs(p, &a, &na, &b, &nb);
    if ((rc = consume(st, a, na)) || (rc = consume(st, b, nb)))
      return rc;
  }
  return out_finish(st);
}

/* `measure` mode: one pass of the trimmed spool through gain and limiter,
 * to p->sink_meter or the output. */
static int render(ac_stage *st, double gain_db) {
  loudness_priv *p = st->priv;
  uint64_t out_len = p->lead + (p->last + 1 - p->first) + p->tail;
  uint64_t kept = p->last + 1 + p->tail - (p->first - (p->lead - p->lead_pad));
  if (kept > p->spooled)
    kept = p->spooled;
  uint64_t tail_pad = out_len - p->lead_pad - kept;

  p->gain = pow(10.0, gain_db / 20.0);
  p->n_stage = 0;
  tp_limiter_reset(&p->lim);
  if (fseeko(p->pcm_file, 0, SEEK_SET) != 0)
    return st->host->fail(st, AC_ERR_IO, "cannot rewind the audio spool: %s",
                          strerror(errno));
  int rc = stage(st, NULL, p->lead_pad);
  while (!rc && kept > 0) {
    size_t k = kept < BLOCK ? (size_t)kept : BLOCK;
    if (fread(p->scratch, sizeof *p->scratch, k, p->pcm_file) != k)
      return st->host->fail(st, AC_ERR_IO, "cannot read the audio spool: %s",
                            ferror(p->pcm_file) ? strerror(errno)
                                                : "file shrank");
    rc = stage(st, p->scratch, k);
    kept -= k;
  }
  if (!rc)
    rc = stage(st, NULL, tail_pad);
  if (!rc)
    rc = end_limiter(st);
  return rc;
}

static double clamp_gain(double db) {
  return db > MAX_GAIN_DB ? MAX_GAIN_DB : db < -MAX_GAIN_DB ? -MAX_GAIN_DB : db;
}

/* Integrated loudness of the output at gain_db, without emitting it. */
static int render_preview(ac_stage *st, double gain_db, double *lufs) {
  loudness_priv *p = st->priv;
  ebur128_state *m = meter_new(p->rate);
  if (!m)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  p->sink_meter = m;
  int rc = render(st, gain_db);
  p->sink_meter = NULL;
  *lufs = meter_lufs(m);
  ebur128_destroy(&m);
  return rc;
}

/* Chooses the gain: previews until one lands within PREVIEW_TOLERANCE_LU
 * of the target. The limiter makes loudness grow more slowly than the gain
 * (the more so the harder it works), so the first correction assumes
 * FIRST_SLOPE LU per dB and later ones follow the secant through the last
 * two previews; a secant step of at most SURE_STEP_LU is taken without
 * checking it. *lufs is the loudness previewed at the gain chosen, or the
 * secant's estimate of it. */
static int choose_gain(ac_stage *st, double in_lufs, double *gain_db,
                       double *lufs, int *previews) {
  loudness_priv *p = st->priv;
  double g = clamp_gain(p->target_lufs - in_lufs);
  double prev_g = NAN, prev_lufs = NAN;
  *previews = 0;
  while (*previews < MAX_PREVIEWS) {
    int rc = render_preview(st, g, lufs);
    ++*previews;
    if (rc)
      return rc;
    double miss = p->target_lufs - *lufs;
    st->host->log(st, AC_LOG_DEBUG, "preview %d: gain %+.3f dB -> %.3f LUFS",
                  *previews, g, *lufs);
    if (!isfinite(*lufs) || fabs(miss) <= PREVIEW_TOLERANCE_LU)
      break;
    double slope = FIRST_SLOPE;
    bool secant = isfinite(prev_lufs) && g != prev_g;
    if (secant) {
      slope = (*lufs - prev_lufs) / (g - prev_g);
      slope = slope < 0.1 ? 0.1 : slope > 1.0 ? 1.0 : slope;
    }
    prev_g = g;
    prev_lufs = *lufs;
    double next = clamp_gain(g + miss / slope);
    if (next == g)
      break;
    *lufs += slope * (next - g);
    g = next;
    if (secant && fabs(miss) <= SURE_STEP_LU)
      break;
  }
  *gain_db = g;
  return 0;
}

static int flush_measure(ac_stage *st) {
  loudness_priv *p = st->priv;
  if (fflush(p->pcm_file) != 0 || fflush(p->mark_file) != 0)
    return st->host->fail(st, AC_ERR_IO, "cannot write the spool: %s",
                          strerror(errno));
  double in_lufs = meter_lufs(p->meter), gain_db = 0, out_lufs = in_lufs;
  int previews = 0, rc;
  if (isfinite(in_lufs)) {
    if ((rc = choose_gain(st, in_lufs, &gain_db, &out_lufs, &previews)))
      return rc;
  } else {
    st->host->log(st, AC_LOG_WARN,
                  "too little sound to measure its loudness: no gain applied");
  }

  /* The emitting pass: the marks come back from their spool. */
  if (fseeko(p->mark_file, 0, SEEK_SET) != 0)
    return st->host->fail(st, AC_ERR_IO, "cannot rewind the mark spool: %s",
                          strerror(errno));
  p->marks_dirty = true;
  if ((rc = render(st, gain_db)) || (rc = out_finish(st)))
    return rc;
  if (!isfinite(in_lufs))
    return 0;
  st->host->log(st, AC_LOG_INFO,
                "input %.2f LUFS, gain %+.2f dB, output about %.2f LUFS "
                "(%d preview%s), deepest limiting %.1f dB",
                in_lufs, gain_db, out_lufs, previews, previews == 1 ? "" : "s",
                20 * log10(tp_limiter_min_gain(&p->lim)));
  if (fabs(out_lufs - p->target_lufs) > 0.5)
    st->host->log(st, AC_LOG_WARN,
                  "cannot reach %.1f LUFS under a %.1f dBTP ceiling: the "
                  "episode reads about %.1f LUFS",
                  p->target_lufs, p->true_peak_db, out_lufs);
  return 0;
}

static int flush_gain(ac_stage *st) {
  loudness_priv *p = st->priv;
  /* The held silence is the tail: drop it, pad a short tail. */
  p->n_held = 0;
  p->held_zeros = 0;
  int rc = 0;
  if (p->run < p->tail)
    rc = stage(st, NULL, p->tail - p->run);
  if (!rc)
    rc = end_limiter(st);
  if (!rc)
    rc = out_finish(st);
  if (!rc)
    st->host->log(st, AC_LOG_INFO, "gain %+.2f dB, deepest limiting %.1f dB",
                  p->gain_db,
                  20 * log10(fmin(p->deepest, tp_limiter_min_gain(&p->lim))));
  return rc;
}

/* ---- Segments ------------------------------------------------------------ */

/* Only the first segment's leading silence is trimmed: a later segment
 * whose predecessors came from the cache starts mid-episode. */
static int loudness_begin_segment(ac_stage *st, const ac_segment *seg) {
  loudness_priv *p = st->priv;
  if (p->mode == MODE_MEASURE || seg->is_first || p->sound)
    return 0;
  p->sound = true;
  p->first = p->last = p->n_in;
  p->offset = (int64_t)p->n_emitted - (int64_t)p->n_in;
  p->marks_dirty = true;
  return 0;
}

/* `gain` mode: a segment's audio is all in. Its held silence was a pause,
 * the limiter gives back what it holds and starts afresh, so the next
 * segment's output does not depend on this one. The last segment ends at
 * flush, where its tail is trimmed. */
static int loudness_end_segment(ac_stage *st, const ac_segment *seg) {
  loudness_priv *p = st->priv;
  if (p->mode == MODE_MEASURE || seg->is_last || !p->sound || !p->lim_ready)
    return 0;
  int rc;
  if ((p->n_held || p->held_zeros) && (rc = release_held(st)))
    return rc;
  p->run = 0;
  if ((rc = end_limiter(st)) || (rc = out_finish(st)))
    return rc;
  double g = tp_limiter_min_gain(&p->lim);
  if (g < p->deepest)
    p->deepest = g;
  tp_limiter_reset(&p->lim);
  return 0;
}

static int loudness_flush(ac_stage *st) {
  loudness_priv *p = st->priv;
  if (!p->sound)
    return flush_silent(st);
  return p->mode == MODE_MEASURE ? flush_measure(st) : flush_gain(st);
}

/* ---- Life cycle --------------------------------------------------------- */

static int loudness_create(ac_stage *st) {
  loudness_priv *p = st->priv;
  if (p->mode == MODE_AUTO) {
    /* espeak-ng's loudness per voice and settings is steady (paragraphs
     * differ by about 0.1 LU), so a gain calibrated per voice lands the
     * target in one pass; the calibration holds for -16 LUFS / -1.5 dBTP. */
    const ac_voice *v = st->episode ? st->episode->voice : NULL;
    if (!isnan(p->gain_db) && p->target_lufs == -16.0 &&
        p->true_peak_db == -1.5) {
      p->mode = MODE_GAIN;
      st->host->log(st, AC_LOG_DEBUG, "calibrated gain %+.2f dB for voice %s",
                    p->gain_db, v && v->name ? v->name : "?");
    } else {
      p->mode = MODE_MEASURE;
    }
  }
  if (p->mode == MODE_GAIN && isnan(p->gain_db))
    return st->host->fail(st, AC_ERR_INVALID,
                          "gain mode needs gain_db (the voice profile sets "
                          "it when its voice was calibrated)");
  if (p->mode == MODE_MEASURE)
    st->host->single_segment(st, "loudness measure mode needs the whole "
                                 "episode before it can choose the gain");
  p->gain = p->mode == MODE_GAIN ? pow(10.0, p->gain_db / 20.0) : 1.0;
  p->deepest = 1.0;
  p->scratch = malloc(BLOCK * sizeof *p->scratch);
  p->lim_in = malloc(BLOCK * sizeof *p->lim_in);
  p->out = malloc(AC_MAX_CHUNK * sizeof *p->out);
  if (!p->scratch || !p->lim_in || !p->out)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (p->mode == MODE_MEASURE) {
    if (!(p->pcm_file = spool_open(st, "loudness-pcm")) ||
        !(p->mark_file = spool_open(st, "loudness-marks")))
      return AC_ERR_IO;
  }
  return 0;
}

static void loudness_destroy(ac_stage *st) {
  loudness_priv *p = st->priv;
  if (p->pcm_file)
    fclose(p->pcm_file);
  if (p->mark_file)
    fclose(p->mark_file);
  if (p->meter)
    ebur128_destroy(&p->meter);
  if (p->lim_ready)
    tp_limiter_free(&p->lim);
  free(p->scratch);
  free(p->ring);
  free(p->held);
  free(p->lim_in);
  free(p->lim_out);
  free(p->out);
  free(p->out_marks);
  free(p->marks.items);
}

static const ac_plugin loudness_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "loudness",
    .version = "2.0",
    .description = "trims silence at the ends, brings the episode to "
                   "-16 LUFS and limits true peaks",
    .kind = AC_STAGE_FILTER,
    .priv_size = sizeof(loudness_priv),
    .options = loudness_options,
    .create = loudness_create,
    .destroy = loudness_destroy,
    .begin_segment = loudness_begin_segment,
    .process_audio = loudness_process,
    .end_segment = loudness_end_segment,
    .flush = loudness_flush,
};

AC_PLUGIN_EXPORT(loudness_plugin)
