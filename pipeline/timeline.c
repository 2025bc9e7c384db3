/* Marks, the silence between segments and where blocks may be cut (see
 * timeline.h). */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

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

/* ---- Sentence ends ------------------------------------------------------ */

/* The character at text[*at] (U+FFFD for a bad byte), moving *at past it. */
static ucs4_t next_char(const char *text, size_t len, size_t *at) {
  ucs4_t c;
  int n = u8_mbtouc(&c, (const uint8_t *)text + *at, len - *at);
  *at += n > 0 ? (size_t)n : 1;
  return c;
}

static bool closes(ucs4_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB ||
         c == 0x2019 || c == 0x201D || c == 0x300D || c == 0x300F ||
         c == 0xFF09;
}

static bool opens(ucs4_t c) {
  return c == '"' || c == '\'' || c == '(' || c == 0xAB || c == 0x2018 ||
         c == 0x201C || c == 0x300C || c == 0x300E || c == 0xFF08;
}

static bool caseless_letter(ucs4_t c) {
  return uc_is_alpha(c) && !uc_is_upper(c) && !uc_is_lower(c);
}

/* Full stops, exclamation and question marks of scripts written without
 * spaces (CJK), which need none after them. */
static bool wide_stop(ucs4_t c) {
  return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF0E;
}

/* Whether the terminator `c` before text[*at] ends a sentence; then *at
 * moves to where the next one starts. */
static bool sentence_ends(const char *text, size_t len, ucs4_t c, size_t *at) {
  size_t k = *at;
  while (k < len) {
    size_t p = k;
    if (!closes(next_char(text, len, &p)))
      break;
    k = p;
  }
  size_t before_space = k;
  while (k < len && strchr(" \t\r\n", text[k]))
    k++;
  if (k >= len || (k == before_space && !wide_stop(c)))
    return false;
  size_t p = k;
  ucs4_t next = next_char(text, len, &p);
  if (opens(next) && p < len)
    next = next_char(text, len, &p);
  bool starts = wide_stop(c) ? uc_is_alpha(next) || uc_is_digit(next)
                             : uc_is_upper(next) || caseless_letter(next);
  if (starts)
    *at = k;
  return starts;
}

size_t ac_sentence_cuts(const char *text, size_t len, uint32_t *cuts,
                        size_t max) {
  size_t n = 0, start = 0, at = 0;
  size_t letters = 0;   /* the letters of the word just before `at` */
  bool capital = false; /* the first of them is a capital */
  bool lower = false;   /* the last is lower case or caseless */
  while (at < len) {
    ucs4_t c = next_char(text, len, &at);
    if (uc_is_alpha(c)) {
      capital = letters == 0 ? uc_is_upper(c) : capital;
      letters++;
      lower = !uc_is_upper(c);
      continue;
    }
    /* "Prof.", "Gen.", "Corp.": a short capitalized word is taken for an
     * abbreviation. */
    bool word_ends = letters >= 3 && lower && (!capital || letters >= 5);
    bool stop = c == '.' ? word_ends
                : c == '!' || c == '?' || c == 0x0964 || c == 0x061F
                    ? true
                    : wide_stop(c);
    letters = 0;
    if (!stop || !sentence_ends(text, len, c, &at))
      continue;
    if (at - start >= AC_SENTENCE_MIN_BYTES && at <= UINT32_MAX) {
      if (n < max)
        cuts[n] = (uint32_t)at;
      n++;
    }
    start = at;
  }
  return n;
}
