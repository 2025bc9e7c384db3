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
 * The interpolator runs only where a peak could reach the ceiling: a bound
 * from the samples and their differences (see limiter.c) rules out the
 * rest, which is most of speech. The bound only decides where to look, so
 * the output is the same as with the interpolator run everywhere
 * (`exhaustive`, for tests).
 *
 * The limiter delays the audio by tp_limiter_latency() samples internally
 * but hides the delay: the first outputs it returns are the first inputs,
 * and tp_limiter_drain() returns the last ones. Sample i out is sample i in,
 * times its gain, so marks need no shift for the limiter. The output
 * depends only on the samples since the last reset, not on how they were
 * split into calls.
 */
#ifndef ARTICAST_LOUDNESS_LIMITER_H
#define ARTICAST_LOUDNESS_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Taps per phase of the 4x interpolator: each interpolated point between
 * samples n and n+1 is computed from x[n-15] .. x[n+16]. */
#define TP_TAPS 32

typedef struct tp_limiter {
  double ceiling; /* linear, true-peak ceiling of the output */
  double release; /* per-sample recovery factor of the gain reduction */
  double slope;   /* bound of the interpolator's overshoot per unit step */
  size_t window;  /* look-ahead (= attack ramp) in samples */
  double inv_window;
  size_t latency; /* window + TP_TAPS - 1 */
  /* Linear buffers: history, then the samples of the current step. */
  float *x;          /* input: latency samples of history */
  double *target;    /* per-sample gain that meets the ceiling: window +
                        TP_TAPS/2 - 1 of history, aligned with x */
  double *smoothed;  /* gain after release: window of history */
  float *y;          /* the step's outputs */
  float *level_max;  /* per block of samples: largest |x[i]| */
  float *step_max;   /* and largest |x[i+1] - x[i]| */
  size_t dq_mask;    /* ring deque of the targets under 1, for their */
  int64_t *dq_index; /* sliding minimum */
  double *dq_value;
  size_t dq_head, dq_len;
  int64_t t;            /* samples pushed since the reset */
  double prev_interval; /* peak (or its bound) of the interval before */
  double prev_cut;      /* 1 - the previous smoothed gain */
  double sum;           /* sum of the last `window` smoothed gains */
  double min_gain;
  bool exhaustive;        /* interpolate every interval (reference for tests) */
  uint64_t intervals;     /* intervals examined since the reset */
  uint64_t oversampled;   /* of which interpolated */
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
