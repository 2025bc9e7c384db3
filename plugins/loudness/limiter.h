/*
 * A look-ahead true-peak limiter for mono float audio.
 *
 * Peaks are detected on the signal oversampled 4x (a Kaiser-windowed sinc
 * interpolator, as ITU-R BS.1770 Annex 2 describes for true-peak meters),
 * so inter-sample peaks are caught as well as sample peaks. The gain is
 * brought down along a linear ramp as long as the look-ahead window,
 * finished just before the peak (attack), held through it, then recovers
 * exponentially (release). The audio itself is only delayed and multiplied
 * by the gain: no sample ever exceeds the ceiling and nothing is clipped.
 *
 * The limiter delays the audio by tp_limiter_latency() samples internally
 * but hides the delay: the first outputs it returns are the first inputs,
 * and tp_limiter_drain() returns the last ones. Sample i out is sample i in,
 * times its gain, so marks need no shift for the limiter.
 */
#ifndef ARTICAST_LOUDNESS_LIMITER_H
#define ARTICAST_LOUDNESS_LIMITER_H

#include <stddef.h>
#include <stdint.h>

/* Taps per phase of the 4x interpolator: each interpolated point between
 * samples n and n+1 is computed from x[n-15] .. x[n+16]. */
#define TP_TAPS 32

typedef struct tp_limiter {
  double ceiling; /* linear, true-peak ceiling of the output */
  double release; /* per-sample recovery factor of the gain reduction */
  double reach;   /* largest sum of |coefficients| of a phase */
  size_t window;  /* look-ahead (= attack ramp) in samples */
  double inv_window;
  size_t preroll;    /* silent samples fed before the stream, see reset */
  size_t mask;       /* ring size - 1 (rings are a power of two) */
  float *audio;      /* ring, written twice (at i and i + size) so that the
                        interpolator reads contiguous samples */
  double *target;    /* ring: per-sample gain that meets the ceiling */
  double *smoothed;  /* ring: gain after release, before the attack ramp */
  int64_t *dq_index; /* ring deque for the sliding minimum of `target` */
  double *dq_value;
  size_t dq_head, dq_len;
  int64_t t;            /* samples pushed, pre-roll included */
  float block_max;      /* largest |x| of the current block of TP_TAPS */
  float prev_block_max; /* and of the block before */
  double prev_interval; /* peak of the interval before the current one */
  double prev_cut;      /* 1 - the previous smoothed gain */
  double sum;           /* sum of the last `window` smoothed gains */
  double min_gain;
  float coef[3][TP_TAPS]; /* interpolator phases 1/4, 2/4, 3/4 */
} tp_limiter;

/* Prepares a limiter. Returns 0 or -1 when out of memory. */
int tp_limiter_init(tp_limiter *l, int sample_rate, double ceiling_db,
                    double lookahead_ms, double release_ms);
/* Starts a new stream (keeps the settings). */
void tp_limiter_reset(tp_limiter *l);
/* Limits n samples; writes the outputs that are ready (at most n) to out
 * and returns their count. */
size_t tp_limiter_process(tp_limiter *l, const float *in, size_t n, float *out);
/* Ends the stream: writes the samples still held (at most
 * tp_limiter_latency()) to out and returns their count. */
size_t tp_limiter_drain(tp_limiter *l, float *out);
size_t tp_limiter_latency(const tp_limiter *l);
/* The deepest gain applied since the last reset (1.0 = none). */
double tp_limiter_min_gain(const tp_limiter *l);
void tp_limiter_free(tp_limiter *l);

#endif
