/*
 * The true-peak limiter (see limiter.h).
 *
 * Per sample n, in order:
 *   1. peak[n]: the largest magnitude of the 4x oversampled signal on the
 *      two intervals that touch sample n, [n-1, n] and [n, n+1];
 *   2. target[n] = min(1, ceiling / peak[n]), the gain that keeps sample n
 *      and its neighbourhood under the ceiling;
 *   3. hold[n] = min(target[n-L .. n+W-1+L]), a sliding minimum over the
 *      look-ahead window W widened by the interpolator's reach L = 16 (a
 *      monotonic deque);
 *   4. smoothed[n] = min(hold[n], release of smoothed[n-1]): instant attack,
 *      exponential recovery of the gain reduction;
 *   5. gain[n] = mean(smoothed[n-W+1 .. n]).
 * Every term of the mean in 5 is at most target[n] (each hold window of
 * step 3 that starts in n-W+1 .. n covers n), so gain[n] <= target[n]: a
 * peak is met by a linear ramp of W samples, and the output never exceeds
 * the ceiling. gain[n] is also clamped to target[n] against rounding.
 * Widening the hold by L samples each side makes the ramp end L samples
 * before the peak and the gain stay flat until L samples after it: over
 * all the samples the interpolator reads for the peak, so the true peak of
 * the output, not only that of the input times the gain, meets the
 * ceiling.
 *
 * Cost: the interpolator is skipped where the samples it would read are
 * too small to reach the ceiling whatever their phase (their largest
 * magnitude times the sum of |coefficients| stays under it), which is most
 * of the time for speech.
 */
#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Interpolated points between n and n+1 need samples up to n+LOOK. */
#define LOOK (TP_TAPS / 2)
/* Kaiser window shape of the interpolator. */
#define KAISER_BETA 8.0

static size_t pow2_at_least(size_t n) {
  size_t p = 64;
  while (p < n)
    p <<= 1;
  return p;
}

/* Modified Bessel function of the first kind, order 0 (power series). */
static double bessel_i0(double x) {
  double sum = 1, term = 1;
  for (int k = 1; k < 40; k++) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
  }
  return sum;
}

/* Kaiser-windowed sinc, each phase normalized to unity gain at DC. */
static void make_interpolator(tp_limiter *l) {
  const double pi = 3.14159265358979323846;
  l->reach = 0;
  for (int k = 0; k < 3; k++) {
    double frac = (k + 1) / 4.0, sum = 0, abs_sum = 0, c[TP_TAPS];
    for (int j = 0; j < TP_TAPS; j++) {
      double tau = (j - (LOOK - 1)) - frac; /* sample time - point time */
      double sinc = sin(pi * tau) / (pi * tau);
      double r = tau / LOOK;
      double w =
          bessel_i0(KAISER_BETA * sqrt(1 - r * r)) / bessel_i0(KAISER_BETA);
      c[j] = sinc * w;
      sum += c[j];
    }
    for (int j = 0; j < TP_TAPS; j++) {
      l->coef[k][j] = (float)(c[j] / sum);
      abs_sum += fabs(c[j] / sum);
    }
    if (abs_sum > l->reach)
      l->reach = abs_sum;
  }
  /* Covers the float rounding of the interpolator's sums. */
  l->reach *= 1.001;
}

int tp_limiter_init(tp_limiter *l, int sample_rate, double ceiling_db,
                    double lookahead_ms, double release_ms) {
  memset(l, 0, sizeof *l);
  l->ceiling = pow(10.0, ceiling_db / 20.0);
  l->window = (size_t)lround(lookahead_ms * sample_rate / 1000.0);
  if (l->window < 1)
    l->window = 1;
  l->inv_window = 1.0 / (double)l->window;
  l->release = exp(-1000.0 / (release_ms * sample_rate));
  /* The pre-roll makes the first window + LOOK targets 1.0, which the
   * mean of step 5 assumes for the samples before the stream. */
  l->preroll = l->window + 2 * LOOK;
  size_t size = pow2_at_least(l->window + 2 * TP_TAPS + 8);
  l->mask = size - 1;
  l->audio = malloc(2 * size * sizeof *l->audio);
  l->target = malloc(size * sizeof *l->target);
  l->smoothed = malloc(size * sizeof *l->smoothed);
  l->dq_index = malloc(size * sizeof *l->dq_index);
  l->dq_value = malloc(size * sizeof *l->dq_value);
  if (!l->audio || !l->target || !l->smoothed || !l->dq_index || !l->dq_value) {
    tp_limiter_free(l);
    return -1;
  }
  make_interpolator(l);
  tp_limiter_reset(l);
  return 0;
}

void tp_limiter_free(tp_limiter *l) {
  free(l->audio);
  free(l->target);
  free(l->smoothed);
  free(l->dq_index);
  free(l->dq_value);
  l->audio = NULL;
  l->target = NULL;
  l->smoothed = NULL;
  l->dq_index = NULL;
  l->dq_value = NULL;
}

size_t tp_limiter_latency(const tp_limiter *l) {
  return l->window + 2 * LOOK - 1;
}

double tp_limiter_min_gain(const tp_limiter *l) {
  return l->min_gain;
}

/* One interpolated point: eight partial sums, which the compiler can keep
 * in vector registers. */
static float dot(const float *c, const float *x) {
  float acc[8] = {0};
  for (int j = 0; j < TP_TAPS; j += 8)
    for (int k = 0; k < 8; k++)
      acc[k] += c[j + k] * x[j + k];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
         ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

/* Pushes one sample; returns 1 and sets *out and *index when a sample
 * leaves the delay line (pre-roll included: the callers skip it). */
static int push(tp_limiter *l, float y, float *out, int64_t *index) {
  const size_t m = l->mask, size = m + 1;
  int64_t t = l->t++;
  l->audio[t & m] = y;
  l->audio[(t & m) + size] = y;
  float ay = fabsf(y);
  if (ay > l->block_max)
    l->block_max = ay;
  /* The interpolator's samples x[n-15 .. n+16] lie in this block and the
   * one before (the whole block when t ends it). */
  float near = l->block_max;
  if ((t & (TP_TAPS - 1)) != TP_TAPS - 1 && l->prev_block_max > near)
    near = l->prev_block_max;
  if ((t & (TP_TAPS - 1)) == TP_TAPS - 1) {
    l->prev_block_max = l->block_max;
    l->block_max = 0;
  }
  int64_t n = t - LOOK;
  if (n < 0)
    return 0;

  /* 1. Peak of the interval [n, n+1] at 4x; x[n+1] is covered by the next
   * interval, and peak[n] takes the interval before as well. Where no phase
   * can reach the ceiling, the bound stands in for the peak. */
  double peak = near * l->reach;
  if (peak > l->ceiling) {
    const float *a = l->audio + ((uint64_t)(n - (LOOK - 1)) & m);
    peak = fabsf(l->audio[n & m]);
    for (int k = 0; k < 3; k++) {
      double v = fabsf(dot(l->coef[k], a));
      if (v > peak)
        peak = v;
    }
  }
  double p = peak > l->prev_interval ? peak : l->prev_interval;
  l->prev_interval = peak;

  /* 2. */
  double r = p > l->ceiling ? l->ceiling / p : 1.0;
  l->target[n & m] = r;

  /* 3. Sliding minimum over target[k-LOOK .. n], n = k+W-1+LOOK. */
  while (l->dq_len > 0 && l->dq_value[(l->dq_head + l->dq_len - 1) & m] >= r)
    l->dq_len--;
  l->dq_index[(l->dq_head + l->dq_len) & m] = n;
  l->dq_value[(l->dq_head + l->dq_len) & m] = r;
  l->dq_len++;
  int64_t k = n - (int64_t)l->window + 1 - LOOK;
  while (l->dq_index[l->dq_head] < k - LOOK) {
    l->dq_head = (l->dq_head + 1) & m;
    l->dq_len--;
  }
  if (k < 0)
    return 0;
  double hold = l->dq_value[l->dq_head];

  /* 4. In terms of the reduction 1 - gain, which decays by `release`. */
  double cut = l->prev_cut * l->release;
  if (1.0 - hold > cut)
    cut = 1.0 - hold;
  l->prev_cut = cut;
  double s = 1.0 - cut;

  /* 5. The ring holds 1.0 for the samples before the stream. */
  l->sum += s - l->smoothed[(uint64_t)(k - (int64_t)l->window) & m];
  l->smoothed[k & m] = s;
  double g = l->sum * l->inv_window;
  if (g > l->target[k & m])
    g = l->target[k & m];
  if (g < l->min_gain)
    l->min_gain = g;
  *out = (float)(l->audio[k & m] * g);
  *index = k;
  return 1;
}

void tp_limiter_reset(tp_limiter *l) {
  size_t size = l->mask + 1;
  memset(l->audio, 0, 2 * size * sizeof *l->audio);
  for (size_t i = 0; i < size; i++) {
    l->target[i] = 1.0;
    l->smoothed[i] = 1.0;
  }
  l->dq_head = 0;
  l->dq_len = 0;
  l->t = 0;
  l->block_max = 0;
  l->prev_block_max = 0;
  l->prev_interval = 0;
  l->prev_cut = 0.0;
  l->sum = (double)l->window;
  l->min_gain = 1.0;
  float unused;
  int64_t index;
  for (size_t i = 0; i < l->preroll; i++)
    push(l, 0.0f, &unused, &index);
}

size_t tp_limiter_process(tp_limiter *l, const float *in, size_t n,
                          float *out) {
  size_t produced = 0;
  int64_t index;
  for (size_t i = 0; i < n; i++) {
    if (push(l, in[i], &out[produced], &index) && index >= (int64_t)l->preroll)
      produced++;
  }
  return produced;
}

size_t tp_limiter_drain(tp_limiter *l, float *out) {
  size_t produced = 0, latency = tp_limiter_latency(l);
  int64_t index;
  for (size_t i = 0; i < latency; i++) {
    if (push(l, 0.0f, &out[produced], &index) && index >= (int64_t)l->preroll)
      produced++;
  }
  return produced;
}
