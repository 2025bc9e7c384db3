/* Marks and the silence between segments (see timeline.h). */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

int ac_marks_reserve(ac_mark_array *a, size_t need) {
  if (need <= a->cap)
    return 0;
  size_t cap = a->cap ? a->cap : 64;
  while (cap < need)
    cap *= 2;
  ac_mark *grown = realloc(a->items, cap * sizeof *grown);
  if (!grown)
    return AC_ERR_NOMEM;
  a->items = grown;
  a->cap = cap;
  return 0;
}

int ac_marks_push(ac_mark_array *a, const ac_mark *m) {
  if (ac_marks_reserve(a, a->count + 1))
    return AC_ERR_NOMEM;
  a->items[a->count++] = *m;
  return 0;
}

void ac_marks_free(ac_mark_array *a) {
  free(a->items);
  memset(a, 0, sizeof *a);
}

enum { MARK_RECORD = 4 * 4 + 8, MARKS_HEADER = 4 + 8 + 4 };

static void le_put(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_get(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

int ac_marks_encode(int rate, uint64_t frames, const ac_mark *marks, size_t n,
                    uint32_t first_block, uint8_t **out, size_t *out_len) {
  size_t len = MARKS_HEADER + n * MARK_RECORD;
  uint8_t *buf = malloc(len);
  if (!buf)
    return AC_ERR_NOMEM;
  le_put(buf, (uint64_t)rate, 4);
  le_put(buf + 4, frames, 8);
  le_put(buf + 12, n, 4);
  for (size_t i = 0; i < n; i++) {
    const ac_mark *m = &marks[i];
    uint8_t *p = buf + MARKS_HEADER + i * MARK_RECORD;
    le_put(p, (uint64_t)m->kind, 4);
    le_put(p + 4, m->block - first_block, 4);
    le_put(p + 8, m->text_offset, 4);
    le_put(p + 12, m->text_length, 4);
    le_put(p + 16, m->sample, 8);
  }
  *out = buf;
  *out_len = len;
  return 0;
}

int ac_marks_decode(const uint8_t *data, size_t len, uint32_t first_block,
                    uint32_t n_blocks, uint64_t position, int *rate,
                    uint64_t *frames, ac_mark_array *a) {
  a->count = 0;
  if (len < MARKS_HEADER)
    return AC_ERR_FORMAT;
  uint64_t r = le_get(data, 4), f = le_get(data + 4, 8);
  size_t n = (size_t)le_get(data + 12, 4);
  if (r < 1000 || r > 384000 || f > ((uint64_t)1 << 40) ||
      (len - MARKS_HEADER) / MARK_RECORD != n ||
      (len - MARKS_HEADER) % MARK_RECORD != 0)
    return AC_ERR_FORMAT;
  if (ac_marks_reserve(a, n))
    return AC_ERR_NOMEM;
  uint64_t last = 0;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *p = data + MARKS_HEADER + i * MARK_RECORD;
    uint64_t kind = le_get(p, 4), block = le_get(p + 4, 4);
    uint64_t sample = le_get(p + 16, 8);
    if (kind > AC_MARK_WORD || block >= n_blocks || sample > f || sample < last)
      return AC_ERR_FORMAT;
    last = sample;
    a->items[a->count++] = (ac_mark){.kind = (ac_mark_kind)kind,
                                     .block = first_block + (uint32_t)block,
                                     .text_offset = (uint32_t)le_get(p + 8, 4),
                                     .text_length = (uint32_t)le_get(p + 12, 4),
                                     .sample = position + sample};
  }
  *rate = (int)r;
  *frames = f;
  return 0;
}

uint64_t ac_segment_padding(uint64_t length, uint64_t zero_run) {
  if (length == 0)
    return 0;
  uint64_t want = length;
  if (zero_run < AC_SEGMENT_MIN_SILENCE)
    want += AC_SEGMENT_MIN_SILENCE - zero_run;
  want =
      (want + AC_SEGMENT_QUANTUM - 1) / AC_SEGMENT_QUANTUM * AC_SEGMENT_QUANTUM;
  return want - length;
}

uint64_t ac_zero_run_after(uint64_t zero_run, const float *samples, size_t n) {
  size_t zeros = 0;
  while (zeros < n && samples[n - 1 - zeros] == 0.0f)
    zeros++;
  return zeros == n ? zero_run + zeros : zeros;
}
