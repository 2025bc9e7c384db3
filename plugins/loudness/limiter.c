/*
 * The true-peak limiter (see limiter.h).
 *
 * Per sample n, in order:
 *   1. peak[n]: the largest magnitude of the 4x oversampled signal on the
 *      interval [n, n+1] (sample n and the three points after it);
 *   2. target[n] = min(1, ceiling / max(peak[n-1], peak[n])), the gain that
 *      keeps sample n and its neighbourhood under the ceiling;
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
 * Where the interpolator runs. Only a peak above the ceiling changes a
 * target, so step 1 needs the exact peak only where it may exceed the
 * ceiling. An interpolated point y at n + f (f = 1/4, 2/4, 3/4) is
 * y = sum c_j x_j over the 32 taps; the coefficients sum to 1, so y minus
 * the straight line between x_n and x_n+1 is sum a_j x_j with sum a_j = 0,
 * which summation by parts turns into -sum A_j (x_j+1 - x_j), A_j the
 * running sums of a_j. Hence
 *     |y| <= max(|x_n|, |x_n+1|) + slope * max |x_j+1 - x_j|,
 * slope = sum |A_j| (0.69 at f = 2/4; the float coefficients' residual
 * sum a_j is counted as well). A step between neighbouring samples is
 * small where the sound is low-pitched, as most of speech is, so the bound
 * stays close to the sample peak there, while its worst case (alternating
 * samples) is the usual sum of |c_j| (2.39). The bound is taken per group
 * of 8 intervals, with 0.1% added for the rounding of the float
 * interpolator (far more than it can be); a group under the ceiling gets
 * its bound as peak, which leaves every target at 1 exactly as the exact
 * peaks would. So skipping changes nothing in the output: `exhaustive`
 * runs the interpolator everywhere, and the tests compare the two.
 *
 * Work is done in steps of up to STEP samples over linear buffers (history
 * in front, moved down after each step), so that the interpolator and the
 * bound run over contiguous samples; the per-sample recursion of steps 3
 * to 5 is one plain loop. The arithmetic per sample does not depend on the
 * step boundaries, so neither does the output.
 */
#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Interpolated points between n and n+1 need samples up to n+LOOK. */
#define LOOK (TP_TAPS / 2)
/* Kaiser window shape of the interpolator. */
#define KAISER_BETA 8.0
/* Samples per step through the buffers. */
#define STEP 1024
/* Intervals per bound, and per run of the interpolator. */
#define GROUP 8
/* Bound groups per step, with the 4 blocks of differences a group's bound
 * reads past its own. */
#define STEP_GROUPS (STEP / GROUP + 5)
/* Room after the input for the interpolator's last group and the last
 * block of differences, which read past the samples of the step (their
 * results there are unused, or only make the bound larger). */
#define PAD (GROUP + TP_TAPS)
/* Relative allowance for float rounding in the interpolator and the bound:
 * the float sums of 32 products err by less than 1e-5 of their inputs. */
#define ROUNDING_MARGIN 1.001

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

/* The overshoot bound's slope for a phase at n + frac: sum |A_j| over the
 * taps' steps, plus the residual sum of a_j (float rounding) times the
 * reach of the last tap from x_n+1 (at most 16 steps, counted 16). */
static double phase_slope(const float *c, double frac) {
  double run = 0, slope = 0;
  for (int j = 0; j < TP_TAPS; j++) {
    double a = c[j];
    if (j == LOOK - 1)
      a -= 1 - frac;
    else if (j == LOOK)
      a -= frac;
    run += a;
    if (j < TP_TAPS - 1)
      slope += fabs(run);
  }
  return slope + LOOK * fabs(run);
}

/* Kaiser-windowed sinc, each phase normalized to unity gain at DC. */
static void make_interpolator(tp_limiter *l) {
  const double pi = 3.14159265358979323846;
  l->slope = 0;
  for (int k = 0; k < 3; k++) {
    double frac = (k + 1) / 4.0, sum = 0, c[TP_TAPS];
    for (int j = 0; j < TP_TAPS; j++) {
      double tau = (j - (LOOK - 1)) - frac; /* sample time - point time */
      double sinc = sin(pi * tau) / (pi * tau);
      double r = tau / LOOK;
      double w =
          bessel_i0(KAISER_BETA * sqrt(1 - r * r)) / bessel_i0(KAISER_BETA);
      c[j] = sinc * w;
      sum += c[j];
    }
    for (int j = 0; j < TP_TAPS; j++)
      l->coef[k][j] = (float)(c[j] / sum);
    double slope = phase_slope(l->coef[k], frac);
    if (slope > l->slope)
      l->slope = slope;
  }
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
  l->latency = l->window + 2 * LOOK - 1;
  l->x = calloc(l->latency + STEP + PAD, sizeof *l->x);
  l->target = malloc((l->window + LOOK - 1 + STEP + GROUP) * sizeof *l->target);
  l->smoothed = malloc((l->window + STEP) * sizeof *l->smoothed);
  l->y = malloc(STEP * sizeof *l->y);
  l->level_max = malloc(STEP_GROUPS * sizeof *l->level_max);
  l->step_max = malloc(STEP_GROUPS * sizeof *l->step_max);
  size_t dq_size = pow2_at_least(l->window + 2 * LOOK + 2);
  l->dq_mask = dq_size - 1;
  l->dq_index = malloc(dq_size * sizeof *l->dq_index);
  l->dq_value = malloc(dq_size * sizeof *l->dq_value);
  if (!l->x || !l->target || !l->smoothed || !l->y || !l->level_max ||
      !l->step_max || !l->dq_index || !l->dq_value) {
    tp_limiter_free(l);
    return -1;
  }
  make_interpolator(l);
  tp_limiter_reset(l);
  return 0;
}

void tp_limiter_free(tp_limiter *l) {
  free(l->x);
  free(l->target);
  free(l->smoothed);
  free(l->y);
  free(l->level_max);
  free(l->step_max);
  free(l->dq_index);
  free(l->dq_value);
  l->x = NULL;
  l->target = NULL;
  l->smoothed = NULL;
  l->y = NULL;
  l->level_max = NULL;
  l->step_max = NULL;
  l->dq_index = NULL;
  l->dq_value = NULL;
}

/* The stream starts after silence: zeros before it, targets and smoothed
 * gains of 1 (no reduction), an empty deque (its minimum is then 1). */
void tp_limiter_reset(tp_limiter *l) {
  size_t history = l->window + LOOK - 1;
  memset(l->x, 0, (l->latency + STEP + PAD) * sizeof *l->x);
  for (size_t i = 0; i < history; i++)
    l->target[i] = 1.0;
  for (size_t i = 0; i < l->window; i++)
    l->smoothed[i] = 1.0;
  l->dq_head = 0;
  l->dq_len = 0;
  l->t = 0;
  l->prev_interval = 0;
  l->prev_cut = 0.0;
  l->sum = (double)l->window;
  l->min_gain = 1.0;
  l->intervals = 0;
  l->oversampled = 0;
}

size_t tp_limiter_latency(const tp_limiter *l) {
  return l->latency;
}

double tp_limiter_min_gain(const tp_limiter *l) {
  return l->min_gain;
}

/* One phase at GROUP consecutive intervals, the first reading x[0 ..
 * TP_TAPS-1]. Per interval: eight partial sums over taps k, k+8, k+16,
 * k+24, added pairwise; across the intervals the loops vectorize. */
static void interpolate(const float *c, const float *x, float out[GROUP]) {
  float acc[8][GROUP];
  for (int k = 0; k < 8; k++) {
    float a[GROUP] = {0};
    for (int j = k; j < TP_TAPS; j += 8)
      for (int i = 0; i < GROUP; i++)
        a[i] += c[j] * x[i + j];
    for (int i = 0; i < GROUP; i++)
      acc[k][i] = a[i];
  }
  for (int i = 0; i < GROUP; i++)
    out[i] = ((acc[0][i] + acc[4][i]) + (acc[1][i] + acc[5][i])) +
             ((acc[2][i] + acc[6][i]) + (acc[3][i] + acc[7][i]));
}

/* Per block of GROUP samples, block q holding x[GROUP*q - 2*GROUP ..
 * GROUP*q - GROUP - 1] (x[0] is the sample of the step's first interval):
 * the largest |x| and the largest step |x[j+1] - x[j]| from its samples.
 * Fixed-size halving so that the compiler keeps it in vector registers. */
static void block_maxima(tp_limiter *l, const float *x, size_t groups) {
  for (size_t q = 0; q < groups + 4; q++) {
    const float *b = x + GROUP * q - 2 * GROUP;
    float level[GROUP / 2], step[GROUP / 2];
    for (int i = 0; i < GROUP / 2; i++) {
      float a0 = fabsf(b[i]), a1 = fabsf(b[i + GROUP / 2]);
      float d0 = fabsf(b[i + 1] - b[i]);
      float d1 = fabsf(b[i + GROUP / 2 + 1] - b[i + GROUP / 2]);
      level[i] = a0 > a1 ? a0 : a1;
      step[i] = d0 > d1 ? d0 : d1;
    }
    for (int h = GROUP / 4; h > 0; h /= 2)
      for (int i = 0; i < h; i++) {
        level[i] = level[i] > level[i + h] ? level[i] : level[i + h];
        step[i] = step[i] > step[i + h] ? step[i] : step[i + h];
      }
    l->level_max[q] = level[0];
    l->step_max[q] = step[0];
  }
}

/* Step 1 for intervals x[n0 .. n1-1] (n1 - n0 <= GROUP), the g-th group of
 * the step: their peaks into peak[], and 1; or 0 when their common bound,
 * written to *bound, stays under the ceiling. */
static int group_peaks(tp_limiter *l, const float *x, size_t n0, size_t n1,
                       size_t g, double *bound, double peak[GROUP]) {
  /* x[n0 .. n1] lie in block g+2 and x[n1]; the steps the taps read,
   * x[n0-15 .. n1+15], in blocks g .. g+4. */
  float near = l->level_max[g + 2], step = 0;
  if (fabsf(x[n1]) > near)
    near = fabsf(x[n1]);
  for (size_t q = g; q < g + 5; q++)
    step = l->step_max[q] > step ? l->step_max[q] : step;
  *bound = ROUNDING_MARGIN * ((double)near + l->slope * (double)step);
  if (!l->exhaustive && *bound <= l->ceiling)
    return 0;
  float v[3][GROUP];
  for (int k = 0; k < 3; k++)
    interpolate(l->coef[k], x + n0 - (LOOK - 1), v[k]);
  for (size_t i = 0; i < n1 - n0; i++) {
    double p = fabsf(x[n0 + i]);
    for (int k = 0; k < 3; k++)
      if (fabsf(v[k][i]) > p)
        p = fabsf(v[k][i]);
    peak[i] = p;
  }
  l->oversampled += n1 - n0;
  return 1;
}

static double target_of(const tp_limiter *l, double peak) {
  return peak > l->ceiling ? l->ceiling / peak : 1.0;
}

/* Steps 1 and 2 for the m intervals whose last sample arrived in this
 * step. A group under the ceiling has targets of 1, but for its first
 * interval, which also covers the last peak of the group before. */
static void detect(tp_limiter *l, size_t m) {
  const float *x = l->x + (l->latency - LOOK);
  double *target = l->target + (l->window + LOOK - 1);
  size_t groups = (m + GROUP - 1) / GROUP;
  block_maxima(l, x, groups);
  double prev = l->prev_interval;
  for (size_t g = 0; g < groups; g++) {
    size_t n0 = g * GROUP, n1 = n0 + GROUP < m ? n0 + GROUP : m;
    double bound, peak[GROUP];
    if (!group_peaks(l, x, n0, n1, g, &bound, peak)) {
      target[n0] = target_of(l, bound > prev ? bound : prev);
      for (size_t i = 1; i < GROUP; i++)
        target[n0 + i] = 1.0;
      prev = bound;
      continue;
    }
    for (size_t i = 0; i < n1 - n0; i++) {
      target[n0 + i] = target_of(l, peak[i] > prev ? peak[i] : prev);
      prev = peak[i];
    }
  }
  l->prev_interval = prev;
  l->intervals += m;
}

/* Steps 3 to 5 for the m samples leaving the delay line, x[0 .. m-1],
 * into l->y. target[i] belongs to x[i]; target[i + history] is the newest
 * target of sample i's hold window. */
static void apply(tp_limiter *l, size_t m) {
  const size_t w = l->window, history = w + LOOK - 1, dm = l->dq_mask;
  const double release = l->release, inv_window = l->inv_window;
  const float *x = l->x;
  const double *target = l->target;
  double *s = l->smoothed, *dq_value = l->dq_value;
  int64_t *dq_index = l->dq_index;
  float *y = l->y;
  int64_t k = l->t - (int64_t)l->latency; /* stream index of x[0] */
  size_t head = l->dq_head, len = l->dq_len;
  double cut = l->prev_cut, sum = l->sum, min_gain = l->min_gain;
  for (size_t i = 0; i < m; i++, k++) {
    /* 3. Targets of 1 stay out of the deque: an empty deque means 1. */
    double r = target[i + history];
    if (r < 1.0) {
      while (len > 0 && dq_value[(head + len - 1) & dm] >= r)
        len--;
      dq_index[(head + len) & dm] = k + (int64_t)history;
      dq_value[(head + len) & dm] = r;
      len++;
    }
    while (len > 0 && dq_index[head] < k - LOOK) {
      head = (head + 1) & dm;
      len--;
    }
    double hold = len > 0 ? dq_value[head] : 1.0;
    /* 4. In terms of the reduction 1 - gain, which decays by `release`. */
    cut *= release;
    if (1.0 - hold > cut)
      cut = 1.0 - hold;
    double sv = 1.0 - cut;
    /* 5. s[i] is the smoothed gain of sample i - w. */
    sum += sv - s[i];
    s[i + w] = sv;
    double g = sum * inv_window;
    if (g > target[i])
      g = target[i];
    if (g < min_gain)
      min_gain = g;
    y[i] = (float)(x[i] * g);
  }
  l->dq_head = head;
  l->dq_len = len;
  l->prev_cut = cut;
  l->sum = sum;
  l->min_gain = min_gain;
}

/* Runs the m samples at l->x[latency ..] through the limiter; writes the
 * outputs of stream samples (not of the silence before it) to out and
 * returns their count. */
static size_t step(tp_limiter *l, size_t m, float *out) {
  detect(l, m);
  apply(l, m);
  size_t skip = 0;
  if (l->t < (int64_t)l->latency)
    skip = (size_t)((int64_t)l->latency - l->t) < m
               ? (size_t)((int64_t)l->latency - l->t)
               : m;
  memcpy(out, l->y + skip, (m - skip) * sizeof *out);
  l->t += (int64_t)m;
  memmove(l->x, l->x + m, l->latency * sizeof *l->x);
  memmove(l->target, l->target + m, (l->window + LOOK - 1) * sizeof *l->target);
  memmove(l->smoothed, l->smoothed + m, l->window * sizeof *l->smoothed);
  return m - skip;
}

size_t tp_limiter_process(tp_limiter *l, const float *in, size_t n,
                          float *out) {
  size_t produced = 0;
  while (n > 0) {
    size_t m = n < STEP ? n : STEP;
    memcpy(l->x + l->latency, in, m * sizeof *in);
    produced += step(l, m, out + produced);
    in += m;
    n -= m;
  }
  return produced;
}

size_t tp_limiter_drain(tp_limiter *l, float *out) {
  size_t produced = 0;
  for (size_t left = l->latency; left > 0;) {
    size_t m = left < STEP ? left : STEP;
    memset(l->x + l->latency, 0, m * sizeof *l->x);
    produced += step(l, m, out + produced);
    left -= m;
  }
  return produced;
}
