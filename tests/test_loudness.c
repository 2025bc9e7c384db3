/*
 * The loudness filter: silence trimming at the ends, loudness target,
 * true-peak limiting, and marks that keep pointing at their sound.
 *
 * The signals are synthetic and speech-like (voiced tones and noise shaped
 * into syllables, about -20 LUFS with peaks near 0 dBFS, like espeak-ng's
 * output), with silence at both ends and pauses inside. Loudness and true
 * peak are measured here independently with libebur128 (mono as one
 * channel of weight 1.0).
 */
#include "harness.h"
#include "limiter.h"

#include <ebur128.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 22050
#define PI 3.14159265358979323846
/* The filter's silence level, -50 dBFS, computed as the filter does. */
#define SILENCE ((float)pow(10.0, -50 / 20.0))

/* ---- Signals ------------------------------------------------------------ */

static uint32_t rng = 1;

static double frand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng / 4294967296.0;
}

/* n samples of speech-like sound at x: syllables of 120 to 250 ms, each a
 * voiced tone with a harmonic plus breath noise under a sine-squared
 * envelope. */
static void speech(float *x, size_t n, int rate) {
  double lp = 0;
  size_t i = 0;
  while (i < n) {
    size_t syl = (size_t)(rate * (0.12 + 0.13 * frand()));
    double amp = 0.3 + 0.7 * frand(), f0 = 100 + 80 * frand();
    for (size_t j = 0; j < syl && i < n; j++, i++) {
      double env = sin(PI * (j + 0.5) / syl);
      double t = (double)i / rate;
      lp += 0.3 * (2 * frand() - 1 - lp);
      double voiced = sin(2 * PI * f0 * t) + 0.5 * sin(4 * PI * f0 * t + 1) +
                      0.25 * sin(6 * PI * f0 * t + 2);
      x[i] = (float)(amp * env * env * (0.6 * voiced + 1.2 * lp));
    }
  }
}

/* Milliseconds to samples, as the filter converts its options. */
static size_t ms(int v, int rate) {
  return (size_t)((int64_t)v * rate / 1000);
}

static double lufs_of(const float *x, size_t n, int rate) {
  ebur128_state *m = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(ebur128_add_frames_float(m, x, n), EBUR128_SUCCESS);
  double lufs;
  ck_assert_int_eq(ebur128_loudness_global(m, &lufs), EBUR128_SUCCESS);
  ebur128_destroy(&m);
  return lufs;
}

static double true_peak_db_of(const float *x, size_t n, int rate) {
  ebur128_state *m =
      ebur128_init(1, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(ebur128_add_frames_float(m, x, n), EBUR128_SUCCESS);
  double peak;
  ck_assert_int_eq(ebur128_true_peak(m, 0, &peak), EBUR128_SUCCESS);
  ebur128_destroy(&m);
  return 20 * log10(peak);
}

static double sample_peak(const float *x, size_t n) {
  double peak = 0;
  for (size_t i = 0; i < n; i++)
    peak = fabs(x[i]) > peak ? fabs(x[i]) : peak;
  return peak;
}

/* A test episode: the samples, where its sound starts and ends, and some
 * landmarks. */
typedef struct episode {
  float *x;
  size_t n;
  int rate;
  size_t first, last;         /* first and last sample above -50 dBFS */
  size_t pause_at, pause_len; /* an internal pause of zeros */
  size_t click;               /* onset right after the pause */
  size_t mid;                 /* a point inside speech */
  ac_mark marks[16];
  size_t n_marks;
} episode;

static void find_sound(episode *e) {
  e->first = e->last = 0;
  bool any = false;
  for (size_t i = 0; i < e->n; i++) {
    if (fabsf(e->x[i]) > SILENCE) {
      if (!any)
        e->first = i;
      e->last = i;
      any = true;
    }
  }
  ck_assert(any);
}

static void add_mark(episode *e, ac_mark_kind kind, size_t sample) {
  ck_assert_uint_lt(e->n_marks, 16);
  e->marks[e->n_marks] = (ac_mark){.kind = kind,
                                   .block = 0,
                                   .text_offset = (uint32_t)e->n_marks,
                                   .text_length = 1,
                                   .sample = sample};
  e->n_marks++;
}

/* lead s of zeros, speech, a pause of pause_s, a click, speech, tail s of
 * zeros; about -20 LUFS with a few peaks at 0.99. Marks at landmarks, in
 * order. */
static episode make_episode(int rate, double lead_s, double pause_s,
                            double tail_s, double scale) {
  episode e = {.rate = rate};
  size_t lead = (size_t)(lead_s * rate), a = (size_t)(3.0 * rate);
  size_t pause = (size_t)(pause_s * rate), b = (size_t)(4.0 * rate);
  size_t tail = (size_t)(tail_s * rate);
  e.n = lead + a + pause + b + tail;
  e.x = calloc(e.n, sizeof *e.x);
  ck_assert_ptr_nonnull(e.x);
  rng = 12345;
  speech(e.x + lead, a, rate);
  speech(e.x + lead + a + pause, b, rate);
  /* Scale the speech to -20 LUFS. */
  double gain = pow(10.0, (-20.0 - lufs_of(e.x, e.n, rate)) / 20.0) * scale;
  for (size_t i = 0; i < e.n; i++)
    e.x[i] = (float)(e.x[i] * gain);
  /* The click: a decaying 1 kHz burst starting at a sharp onset. */
  e.pause_at = lead + a;
  e.pause_len = pause;
  e.click = lead + a + pause;
  for (size_t j = 0; j < (size_t)(0.02 * rate); j++)
    e.x[e.click + j] += (float)(0.5 * scale * exp(-(double)j / (0.004 * rate)) *
                                cos(2 * PI * 1000.0 * j / rate));
  /* Plosive-like peaks at 0.99 (times scale), as espeak-ng makes them. */
  for (int k = 0; k < 6; k++) {
    size_t at = lead + (size_t)((0.5 + k * 1.1) * rate);
    if (at >= e.pause_at && at < e.click + rate / 10)
      at += pause + rate / 10;
    size_t len = (size_t)(0.002 * rate);
    for (size_t j = 0; j < len; j++)
      e.x[at + j] = (float)(0.99 * scale * sin(PI * (j + 0.5) / len));
  }
  /* The speech must not touch the pause or the silent ends. */
  memset(e.x + e.pause_at, 0, pause * sizeof *e.x);
  e.mid = lead + a / 2;
  find_sound(&e);
  ck_assert_uint_le(e.last, e.n - tail);

  add_mark(&e, AC_MARK_BLOCK, 0);
  if (e.first > 100)
    add_mark(&e, AC_MARK_SENTENCE, e.first / 3);
  if (e.first > 100)
    add_mark(&e, AC_MARK_WORD, e.first - 100);
  add_mark(&e, AC_MARK_WORD, e.first);
  add_mark(&e, AC_MARK_WORD, e.mid);
  add_mark(&e, AC_MARK_BLOCK_END, e.pause_at);
  /* Deep in the pause, where gain mode holds the silence back. */
  add_mark(&e, AC_MARK_WORD, e.pause_at + 3 * pause / 4);
  add_mark(&e, AC_MARK_BLOCK, e.click);
  add_mark(&e, AC_MARK_BLOCK_END, e.last + 1);
  if (e.n - e.last > (size_t)rate / 5 + 1) {
    add_mark(&e, AC_MARK_SENTENCE, e.last + 1 + (size_t)rate / 5);
    add_mark(&e, AC_MARK_WORD, e.n - 1);
  }
  add_mark(&e, AC_MARK_BLOCK_END, e.n);
  return e;
}

/* Signals whose waveform between the samples overshoots them, peak
 * sample magnitude `a`:
 *   0. a tone at a quarter of the sample rate, phase 45 degrees: samples
 *      at 0.71 of the waveform's peak;
 *   1-3. square waves of periods 2, 8 and 50 samples (ringing at each edge);
 *   4. isolated impulses of alternating sign;
 *   5. bursts of the signs of the interpolator's half-sample phase: the
 *      pattern with the largest possible overshoot (2.39 times a);
 *   6. white noise. */
#define WORST_CASES 7
static void worst_case(int kind, float *x, size_t n, double a,
                       const tp_limiter *l) {
  static const size_t periods[] = {2, 8, 50};
  rng = 777;
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    if (kind == 0)
      v = sin(PI / 2 * (double)i + PI / 4);
    else if (kind <= 3)
      v = (i / (periods[kind - 1] / 2)) % 2 ? -1 : 1;
    else if (kind == 4)
      v = i % 200 == 100 ? ((i / 200) % 2 ? -1 : 1) : 0;
    else if (kind == 5)
      v = i % 100 < TP_TAPS ? (l->coef[1][i % 100] < 0 ? -1 : 1) : 0;
    else
      v = 2 * frand() - 1;
    x[i] = (float)(a * v);
  }
}

/* ---- Running the stage -------------------------------------------------- */

typedef struct collected {
  harness_audio a;
  bool marks_ok;       /* sorted, and inside the chunk that carries them */
  size_t before_flush; /* samples emitted before flush() */
  uint64_t last_mark;
} collected;

static int collect(void *ctx, const ac_chunk *c) {
  collected *col = ctx;
  for (size_t i = 0; i < c->n_marks; i++) {
    uint64_t s = c->marks[i].sample;
    if (s < c->position || s > c->position + c->n_samples || s < col->last_mark)
      col->marks_ok = false;
    col->last_mark = s;
  }
  return harness_collect(&col->a, c);
}

/* Feeds e in chunks (of `fixed` frames, or of random sizes from 0 to
 * AC_MAX_CHUNK when 0), each with the marks that fall in it, then flushes.
 * Returns the first error. */
static int feed(ac_stage_instance *si, const episode *e, size_t fixed,
                collected *col) {
  const ac_plugin *p = ac_stage_plugin(si);
  ac_stage *st = ac_stage_handle(si);
  memset(col, 0, sizeof *col);
  col->marks_ok = true;
  ac_stage_set_output(si, collect, col);
  uint32_t seed = 99;
  size_t pos = 0, mi = 0;
  int rc;
  while (pos < e->n) {
    size_t k = fixed;
    if (!k) {
      seed = seed * 1103515245u + 12345u;
      k = (seed >> 8) % 8 == 0 ? 0 : 1 + (seed >> 4) % AC_MAX_CHUNK;
    }
    if (k > e->n - pos)
      k = e->n - pos;
    size_t j = mi;
    while (j < e->n_marks && (e->marks[j].sample < pos + k ||
                              (k == 0 && e->marks[j].sample == pos)))
      j++;
    ac_chunk c = {.samples = e->x + pos,
                  .n_samples = k,
                  .position = pos,
                  .sample_rate = e->rate,
                  .marks = e->marks + mi,
                  .n_marks = j - mi};
    if ((rc = p->process_audio(st, &c)))
      return rc;
    pos += k;
    mi = j;
  }
  if (mi < e->n_marks) {
    ac_chunk c = {.position = pos,
                  .sample_rate = e->rate,
                  .marks = e->marks + mi,
                  .n_marks = e->n_marks - mi};
    if ((rc = p->process_audio(st, &c)))
      return rc;
  }
  col->before_flush = col->a.n_samples;
  return p->flush(st);
}

static ac_stage_instance *new_stage(const char *const *settings) {
  char err[1024] = "";
  ac_stage_instance *si =
      harness_stage("loudness", settings, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "cannot create loudness: %s", err);
  return si;
}

static void run(const char *const *settings, const episode *e, size_t fixed,
                collected *col) {
  ac_stage_instance *si = new_stage(settings);
  int rc = feed(si, e, fixed, col);
  ck_assert_msg(rc == 0, "loudness failed: %s", ac_stage_error(si));
  ac_stage_free(si);
  ck_assert(col->a.positions_ok || col->a.n_chunks == 0);
  ck_assert_uint_le(col->a.max_chunk, AC_MAX_CHUNK);
  ck_assert_msg(col->marks_ok, "marks unsorted or outside their chunk");
  ck_assert_uint_eq(col->a.n_marks, e->n_marks);
}

/* Ratios out/in around a mark vary smoothly (the limiter's gain) only if
 * out is in shifted by exactly `shift`. Returns the largest relative step
 * between neighbouring ratios over +-16 samples. */
static double ratio_roughness(const float *out, const float *in, size_t at,
                              int64_t shift) {
  double prev = 0, worst = 0;
  for (size_t i = at - 16; i < at + 16; i++) {
    if (fabsf(in[i]) < 1e-3f)
      continue;
    double r = out[(int64_t)i + shift] / in[i];
    if (prev != 0 && fabs(r / prev - 1) > worst)
      worst = fabs(r / prev - 1);
    prev = r;
  }
  return worst;
}

/* Checks the trimmed ends, the internal pause and every mark of e in the
 * output, with the given lead and tail (samples). */
static void check_layout(const episode *e, const collected *col, size_t lead,
                         size_t tail) {
  const float *y = col->a.samples;
  int64_t off = (int64_t)lead - (int64_t)e->first;
  size_t out_len = lead + (e->last + 1 - e->first) + tail;
  ck_assert_uint_eq(col->a.n_samples, out_len);

  /* Leading and trailing silence: exactly lead and tail. The input's
   * silence is zeros here, and the limiter keeps zeros zero. */
  for (size_t i = 0; i < lead; i++)
    ck_assert_msg(fabsf(y[i]) <= SILENCE * 4, "sound in the lead at %zu", i);
  ck_assert(fabsf(y[lead]) > 0);
  ck_assert(fabsf(y[out_len - tail - 1]) > 0);
  for (size_t i = out_len - tail; i < out_len; i++)
    ck_assert_msg(fabsf(y[i]) <= SILENCE * 4, "sound in the tail at %zu", i);

  /* The internal pause: same length, same place relative to the sound. */
  size_t p0 = (size_t)((int64_t)e->pause_at + off);
  ck_assert(y[p0 - 1] != 0);
  for (size_t i = 0; i < e->pause_len; i++)
    ck_assert_msg(y[p0 + i] == 0, "pause shortened at %zu", i);
  ck_assert(y[p0 + e->pause_len] != 0);

  /* Marks: same order, each on its sound. */
  for (size_t i = 0; i < e->n_marks; i++) {
    const ac_mark *in = &e->marks[i], *out = &col->a.marks[i];
    ck_assert_uint_eq(out->text_offset, in->text_offset);
    ck_assert_int_eq(out->kind, in->kind);
    int64_t want = (int64_t)in->sample + off;
    if (want < 0)
      want = 0;
    if (want > (int64_t)out_len)
      want = (int64_t)out_len;
    ck_assert_msg(out->sample == (uint64_t)want,
                  "mark %zu at input %llu: output %llu, expected %lld", i,
                  (unsigned long long)in->sample,
                  (unsigned long long)out->sample, (long long)want);
  }
  /* The click's onset is where its mark says, to the sample. */
  size_t c = (size_t)((int64_t)e->click + off);
  ck_assert(y[c - 1] == 0 && y[c] != 0);
  ck_assert(ratio_roughness(y, e->x, e->click + 4, off) < 0.03);
  /* Inside speech: the output is the input times a smooth gain exactly at
   * the mark's shift, and not one sample off. */
  ck_assert(ratio_roughness(y, e->x, e->mid, off) < 0.03);
  ck_assert(ratio_roughness(y, e->x, e->mid, off + 1) > 0.1);
  ck_assert(ratio_roughness(y, e->x, e->mid, off - 1) > 0.1);
}

/* ---- Tests -------------------------------------------------------------- */

START_TEST(measure_mode_reaches_target_under_the_ceiling) {
  static const int rates[] = {22050, 44100};
  int rate = rates[_i];
  episode e = make_episode(rate, 1.0, 1.5, 2.0, 1.0);
  double in_lufs = lufs_of(e.x, e.n, rate);
  ck_assert_double_eq_tol(in_lufs, -20, 0.5);
  ck_assert_double_gt(sample_peak(e.x, e.n), 0.98);

  collected col;
  run(NULL, &e, 0, &col);
  const float *y = col.a.samples;
  size_t n = col.a.n_samples;
  ck_assert_int_eq(col.a.sample_rate, rate);
  /* Everything waits for the measurement, then comes at flush. */
  ck_assert_uint_eq(col.before_flush, 0);

  double lufs = lufs_of(y, n, rate), tp = true_peak_db_of(y, n, rate);
  ck_assert_msg(fabs(lufs + 16) <= 0.5, "loudness %.2f LUFS", lufs);
  ck_assert_msg(tp <= -1.5, "true peak %.3f dBTP", tp);
  ck_assert_double_le(sample_peak(y, n), pow(10, -1.5 / 20));
  check_layout(&e, &col, ms(300, rate), ms(700, rate));
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

START_TEST(other_target_ceiling_and_ends) {
  episode e = make_episode(RATE, 0.5, 1.0, 1.0, 1.0);
  static const char *const s[] = {"target_lufs=-19",
                                  "true_peak_db=-3",
                                  "lead_silence_ms=100",
                                  "tail_silence_ms=1000",
                                  "release_ms=60",
                                  "lookahead_ms=3",
                                  NULL};
  collected col;
  run(s, &e, 0, &col);
  double lufs = lufs_of(col.a.samples, col.a.n_samples, RATE);
  double tp = true_peak_db_of(col.a.samples, col.a.n_samples, RATE);
  ck_assert_msg(fabs(lufs + 19) <= 0.5, "loudness %.2f LUFS", lufs);
  ck_assert_msg(tp <= -3, "true peak %.3f dBTP", tp);
  check_layout(&e, &col, ms(100, RATE), ms(1000, RATE));
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

/* Less silence than asked at the ends is padded to the configured length,
 * and zero lead and tail cut right at the sound. */
START_TEST(short_ends_are_padded_and_zero_cuts_at_the_sound) {
  episode e = make_episode(RATE, 0.05, 1.0, 0.1, 1.0);
  collected col;
  run(NULL, &e, 0, &col);
  check_layout(&e, &col, ms(300, RATE), ms(700, RATE));
  harness_audio_free(&col.a);

  static const char *const zero[] = {"lead_silence_ms=0", "tail_silence_ms=0",
                                     "mode=gain", "gain_db=7.5", NULL};
  run(zero, &e, 0, &col);
  check_layout(&e, &col, 0, 0);
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

/* The same stream cut into 1-frame chunks or into full chunks gives the
 * same output and the same marks. */
START_TEST(output_does_not_depend_on_chunking) {
  static const char *const modes[][3] = {{"mode=measure", NULL},
                                         {"mode=gain", "gain_db=7.5", NULL}};
  episode e = make_episode(RATE, 0.6, 0.9, 1.0, 1.0);
  collected one, full, random;
  run(modes[_i], &e, 1, &one);
  run(modes[_i], &e, AC_MAX_CHUNK, &full);
  run(modes[_i], &e, 0, &random);
  ck_assert_uint_eq(one.a.n_samples, full.a.n_samples);
  ck_assert_uint_eq(one.a.n_samples, random.a.n_samples);
  ck_assert(memcmp(one.a.samples, full.a.samples,
                   one.a.n_samples * sizeof(float)) == 0);
  ck_assert(memcmp(one.a.samples, random.a.samples,
                   one.a.n_samples * sizeof(float)) == 0);
  ck_assert(
      memcmp(one.a.marks, full.a.marks, one.a.n_marks * sizeof(ac_mark)) == 0);
  ck_assert(memcmp(one.a.marks, random.a.marks,
                   one.a.n_marks * sizeof(ac_mark)) == 0);
  check_layout(&e, &one, ms(300, RATE), ms(700, RATE));
  harness_audio_free(&one.a);
  harness_audio_free(&full.a);
  harness_audio_free(&random.a);
  free(e.x);
}
END_TEST

/* `gain` mode streams: output comes before flush, flush emits the rest. A
 * quiet episode passes the limiter untouched: out = in * gain exactly. */
START_TEST(gain_mode_applies_the_fixed_gain) {
  episode e = make_episode(RATE, 1.0, 1.5, 2.0, 0.1);
  static const char *const s[] = {"mode=gain", "gain_db=6", NULL};
  collected col;
  run(s, &e, 0, &col);
  ck_assert_uint_gt(col.before_flush, 0);
  ck_assert_uint_lt(col.before_flush, col.a.n_samples);
  size_t lead = ms(300, RATE);
  check_layout(&e, &col, lead, ms(700, RATE));
  float g = (float)pow(10.0, 6 / 20.0);
  for (size_t i = e.first; i <= e.last; i++)
    ck_assert_float_eq(col.a.samples[i - e.first + lead], e.x[i] * g);
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

/* With espeak-like levels, gain mode limits like measure mode. Its pauses
 * longer than the tail are held back and passed on once speech resumes,
 * also past the in-memory hold (10 s), whose rest is passed as zeros. */
START_TEST(gain_mode_limits_and_keeps_long_pauses) {
  static const double pauses[] = {1.5, 12.0};
  episode e = make_episode(RATE, 1.0, pauses[_i], 2.0, 1.0);
  static const char *const s[] = {"mode=gain", "gain_db=6", NULL};
  collected col;
  run(s, &e, 0, &col);
  double tp = true_peak_db_of(col.a.samples, col.a.n_samples, RATE);
  ck_assert_msg(tp <= -1.5, "true peak %.3f dBTP", tp);
  check_layout(&e, &col, ms(300, RATE), ms(700, RATE));
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

/* Signals whose peaks lie between the samples, at full scale, are held
 * under the ceiling through the whole filter. The tone at a quarter of the
 * sample rate (kind 0) has samples at 0.70 while the waveform between them
 * reaches 0.99: a sample-peak limiter at -1.5 dBFS (0.84) would let it
 * through, and this one must not overdo it either. */
START_TEST(inter_sample_peaks_are_limited) {
  tp_limiter l;
  ck_assert_int_eq(tp_limiter_init(&l, RATE, -1.5, 5, 100), 0);
  episode e = {.rate = RATE, .n = RATE};
  e.x = malloc(e.n * sizeof *e.x);
  ck_assert_ptr_nonnull(e.x);
  worst_case(_i, e.x, e.n, _i == 0 ? 0.99 : 1.0, &l);
  tp_limiter_free(&l);
  if (_i == 0) {
    ck_assert_double_lt(sample_peak(e.x, e.n), 0.71);
    ck_assert_double_gt(true_peak_db_of(e.x, e.n, RATE), -0.2);
  }
  static const char *const s[] = {"mode=gain", "gain_db=0", NULL};
  collected col;
  run(s, &e, 0, &col);
  double tp = true_peak_db_of(col.a.samples, col.a.n_samples, RATE);
  ck_assert_msg(tp <= -1.5, "signal %d: true peak %.3f dBTP", _i, tp);
  if (_i == 0)
    ck_assert_msg(tp > -2.5, "limited too hard: %.3f dBTP", tp);
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

/* ---- The limiter on its own --------------------------------------------- */

/* Runs x through l from a reset, in chunks of random sizes (up to 3000,
 * across the limiter's internal steps) when `chunked`, else in one call;
 * returns the output, as long as x. */
static float *limit(tp_limiter *l, const float *x, size_t n, bool chunked) {
  float *y = malloc((n + tp_limiter_latency(l)) * sizeof *y);
  ck_assert_ptr_nonnull(y);
  tp_limiter_reset(l);
  size_t got = 0;
  uint32_t seed = 5;
  for (size_t i = 0; i < n;) {
    seed = seed * 1103515245u + 12345u;
    size_t k = chunked ? (seed >> 8) % 3001 : n;
    k = k > n - i ? n - i : k;
    got += tp_limiter_process(l, x + i, k, y + got);
    ck_assert_uint_le(got, i + k);
    i += k;
  }
  got += tp_limiter_drain(l, y + got);
  ck_assert_uint_eq(got, n);
  return y;
}

/* The interpolator runs only where the bound lets a peak reach the
 * ceiling; the output must be the same, to the bit, as with it running
 * everywhere. Each worst case is swept across levels that put its peaks
 * just under, at and over the ceiling (where a bound that undershot the
 * true peak would skip a peak and change the output), in chunks of random
 * sizes against one call. Above the ceiling the output's true peak, read
 * by libebur128's own meter, stays under it too (within the 0.2 dB the
 * filter allows meters to disagree by). */
START_TEST(limiter_bound_changes_nothing) {
  const double ceiling_db = -1.7, ceiling = pow(10, ceiling_db / 20);
  tp_limiter fast, full;
  ck_assert_int_eq(tp_limiter_init(&fast, RATE, ceiling_db, 5, 100), 0);
  ck_assert_int_eq(tp_limiter_init(&full, RATE, ceiling_db, 5, 100), 0);
  full.exhaustive = true;
  size_t n = RATE / 2;
  float *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  /* The overshoot of each kind at most 2.39: levels from well under to
   * well over the ceiling, finely spaced near its sample-peak threshold. */
  for (int step = -12; step <= 12; step++) {
    double a = ceiling / 2.39 * (1 + step * step * step * 1e-4);
    if (step == 12)
      a = 1.0;
    worst_case(_i, x, n, a, &fast);
    float *y1 = limit(&fast, x, n, true), *y2 = limit(&full, x, n, false);
    ck_assert_msg(memcmp(y1, y2, n * sizeof *y1) == 0,
                  "signal %d at %.5f: the bound changed the output", _i, a);
    ck_assert_double_eq(tp_limiter_min_gain(&fast), tp_limiter_min_gain(&full));
    ck_assert_uint_eq(full.oversampled, full.intervals);
    /* Within the rounding of the output to float. */
    ck_assert_double_le(sample_peak(y1, n), ceiling * (1 + 1e-7));
    if (tp_limiter_min_gain(&fast) < 1) {
      double tp = true_peak_db_of(y1, n, RATE);
      ck_assert_msg(tp <= ceiling_db + 0.2, "signal %d at %.5f: %.3f dBTP", _i,
                    a, tp);
    }
    free(y1);
    free(y2);
  }
  free(x);
  tp_limiter_free(&fast);
  tp_limiter_free(&full);
}
END_TEST

/* Far under the ceiling the limiter passes the audio untouched without
 * interpolating at all; near it, on speech, it interpolates only a small
 * part of the samples and gives what full oversampling gives. */
START_TEST(limiter_fast_path_on_speech) {
  tp_limiter fast, full;
  ck_assert_int_eq(tp_limiter_init(&fast, RATE, -1.7, 5, 100), 0);
  ck_assert_int_eq(tp_limiter_init(&full, RATE, -1.7, 5, 100), 0);
  full.exhaustive = true;
  episode e = make_episode(RATE, 0.2, 0.5, 0.2, 1.0);
  float *x = malloc(e.n * sizeof *x);
  ck_assert_ptr_nonnull(x);

  /* Peaks at -13 dBFS: the bound is under the ceiling everywhere. */
  for (size_t i = 0; i < e.n; i++)
    x[i] = e.x[i] * 0.22f;
  float *y = limit(&fast, x, e.n, true);
  ck_assert(memcmp(y, x, e.n * sizeof *y) == 0);
  ck_assert_uint_eq(fast.oversampled, 0);
  ck_assert_uint_eq(fast.intervals, e.n + tp_limiter_latency(&fast));
  ck_assert_double_eq(tp_limiter_min_gain(&fast), 1.0);
  free(y);

  /* +6 dB: peaks at +6 dBFS, the limiter at work. */
  for (size_t i = 0; i < e.n; i++)
    x[i] = e.x[i] * 2.0f;
  float *y1 = limit(&fast, x, e.n, true), *y2 = limit(&full, x, e.n, false);
  ck_assert(memcmp(y1, y2, e.n * sizeof *y1) == 0);
  ck_assert_double_lt(tp_limiter_min_gain(&fast), 0.5);
  double share = (double)fast.oversampled / (double)fast.intervals;
  ck_assert_msg(share < 0.12, "interpolated %.1f%% of the samples",
                100 * share);
  ck_assert_double_le(true_peak_db_of(y1, e.n, RATE), -1.5);
  free(y1);
  free(y2);
  free(x);
  free(e.x);
  tp_limiter_free(&fast);
  tp_limiter_free(&full);
}
END_TEST

/* No samples at all: only the marks come out, at 0. All silence: the lead
 * is kept, the marks clamped into it. A blip too short to measure passes
 * with no gain. */
START_TEST(empty_silent_and_unmeasurable_streams) {
  static const char *const modes[][3] = {{"mode=measure", NULL},
                                         {"mode=gain", "gain_db=7.5", NULL}};
  episode e = {.rate = RATE};
  add_mark(&e, AC_MARK_BLOCK, 0);
  collected col;
  run(modes[_i], &e, 0, &col);
  ck_assert_uint_eq(col.a.n_samples, 0);
  ck_assert_uint_eq(col.a.marks[0].sample, 0);
  harness_audio_free(&col.a);

  e.n = 2 * RATE;
  e.x = calloc(e.n, sizeof *e.x);
  ck_assert_ptr_nonnull(e.x);
  e.n_marks = 0;
  add_mark(&e, AC_MARK_BLOCK, 0);
  add_mark(&e, AC_MARK_BLOCK_END, e.n);
  run(modes[_i], &e, 0, &col);
  ck_assert_uint_eq(col.a.n_samples, ms(300, RATE));
  ck_assert_uint_eq(col.a.marks[0].sample, 0);
  ck_assert_uint_eq(col.a.marks[1].sample, col.a.n_samples);
  harness_audio_free(&col.a);

  free(e.x);

  /* A 50 ms blip in 300 ms: shorter than one 400 ms loudness block. */
  e.n = ms(300, RATE);
  e.x = calloc(e.n, sizeof *e.x);
  ck_assert_ptr_nonnull(e.x);
  for (size_t i = ms(100, RATE); i < ms(150, RATE); i++)
    e.x[i] = 0.1f;
  run(modes[_i], &e, 0, &col);
  ck_assert_uint_eq(col.a.n_samples, ms(300, RATE) + ms(150, RATE) -
                                         ms(100, RATE) + ms(700, RATE));
  if (_i == 0) /* measure mode: no gain */
    ck_assert_float_eq(col.a.samples[ms(300, RATE)], 0.1f);
  ck_assert_uint_eq(col.a.marks[1].sample, col.a.n_samples);
  harness_audio_free(&col.a);
  free(e.x);
}
END_TEST

START_TEST(bad_option_values_are_refused) {
  static const char *const bad[] = {
      "mode=loud",        "target_lufs=0",      "target_lufs=-60",
      "true_peak_db=0.5", "true_peak_db=x",     "gain_db=nan",
      "gain_db=40",       "lead_silence_ms=-1", "tail_silence_ms=20000",
      "silence_db=-10",   "lookahead_ms=0",     "release_ms=5",
      "no_such_option=1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *s[] = {bad[i], NULL};
    char err[1024] = "";
    ac_stage_instance *si = harness_stage("loudness", s, NULL, err, sizeof err);
    ck_assert_msg(si == NULL, "'%s' was accepted", bad[i]);
    ck_assert_msg(err[0] != '\0', "no message for '%s'", bad[i]);
  }
}
END_TEST

/* A stream whose rate changes or whose positions jump is refused. */
START_TEST(inconsistent_streams_are_refused) {
  static const char *const modes[][3] = {{"mode=measure", NULL},
                                         {"mode=gain", "gain_db=7.5", NULL}};
  float x[256] = {0};
  for (int k = 0; k < 2; k++) {
    ac_stage_instance *si = new_stage(modes[_i]);
    collected col = {0};
    ac_stage_set_output(si, collect, &col);
    const ac_plugin *p = ac_stage_plugin(si);
    ac_chunk c = {.samples = x, .n_samples = 256, .sample_rate = RATE};
    ck_assert_int_eq(p->process_audio(ac_stage_handle(si), &c), 0);
    c.position = k == 0 ? 256 : 300;
    c.sample_rate = k == 0 ? 16000 : RATE;
    ck_assert_int_eq(p->process_audio(ac_stage_handle(si), &c), AC_ERR_FORMAT);
    ck_assert_ptr_nonnull(
        strstr(ac_stage_error(si), k == 0 ? "rate" : "frame"));
    ac_stage_free(si);
    harness_audio_free(&col.a);
  }
}
END_TEST

static Suite *loudness_suite(void) {
  Suite *s = suite_create("loudness");
  TCase *t = tcase_create("loudness");
  tcase_set_timeout(t, 120);
  tcase_add_loop_test(t, measure_mode_reaches_target_under_the_ceiling, 0, 2);
  tcase_add_test(t, other_target_ceiling_and_ends);
  tcase_add_test(t, short_ends_are_padded_and_zero_cuts_at_the_sound);
  tcase_add_loop_test(t, output_does_not_depend_on_chunking, 0, 2);
  tcase_add_test(t, gain_mode_applies_the_fixed_gain);
  tcase_add_loop_test(t, gain_mode_limits_and_keeps_long_pauses, 0, 2);
  tcase_add_loop_test(t, inter_sample_peaks_are_limited, 0, WORST_CASES);
  tcase_add_loop_test(t, limiter_bound_changes_nothing, 0, WORST_CASES);
  tcase_add_test(t, limiter_fast_path_on_speech);
  tcase_add_loop_test(t, empty_silent_and_unmeasurable_streams, 0, 2);
  tcase_add_test(t, bad_option_values_are_refused);
  tcase_add_loop_test(t, inconsistent_streams_are_refused, 0, 2);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return harness_main(loudness_suite());
}
