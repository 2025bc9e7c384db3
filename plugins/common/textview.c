/* Text helpers for timed text (see textview.h). */
#include "textview.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(ac_textbuf *b, size_t more) {
  if (b->oom)
    return -1;
  if (more < b->cap - b->len) /* room for `more` bytes and the NUL */
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len <= more) {
    if (cap > SIZE_MAX / 2) {
      b->oom = 1;
      return -1;
    }
    cap *= 2;
  }
  char *grown = realloc(b->data, cap);
  if (!grown) {
    b->oom = 1;
    return -1;
  }
  b->data = grown;
  b->cap = cap;
  return 0;
}

void ac_textbuf_add(ac_textbuf *b, const char *s, size_t n) {
  if (reserve(b, n) != 0)
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void ac_textbuf_puts(ac_textbuf *b, const char *s) {
  ac_textbuf_add(b, s, strlen(s));
}

void ac_textbuf_printf(ac_textbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if (reserve(b, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void ac_textbuf_free(ac_textbuf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

int ac_text_next_word(const char *s, size_t *i, size_t end, size_t *start,
                      size_t *stop) {
  size_t k = *i;
  while (k < end && ac_text_is_gap((unsigned char)s[k]))
    k++;
  if (k >= end) {
    *i = end;
    return 0;
  }
  *start = k;
  while (k < end && !ac_text_is_gap((unsigned char)s[k]))
    k++;
  *stop = k;
  *i = k;
  return 1;
}

void ac_textbuf_add_folded(ac_textbuf *b, const char *s, size_t n) {
  size_t i = 0, start, stop;
  int first = 1;
  while (ac_text_next_word(s, &i, n, &start, &stop)) {
    if (!first)
      ac_textbuf_add(b, " ", 1);
    ac_textbuf_add(b, s + start, stop - start);
    first = 0;
  }
}

void ac_text_view_init(ac_text_view *v, const ac_block *b) {
  memset(v, 0, sizeof *v);
  v->spoken_len = b->text ? strlen(b->text) : 0;
  v->shown = b->text ? b->text : "";
  v->shown_len = v->spoken_len;
  if (!b->written)
    return;
  size_t wlen = strlen(b->written);
  if (b->n_map > 0 && b->map) {
    v->shown = b->written;
    v->shown_len = wlen;
    v->map = b->map;
    v->n_map = b->n_map;
  } else if (wlen == v->spoken_len) {
    /* No map means the block speaks exactly what was written. */
    v->shown = b->written;
  } else {
    v->fallback = 1;
  }
}

size_t ac_text_view_offset(const ac_text_view *v, size_t spoken) {
  if (spoken > v->spoken_len)
    spoken = v->spoken_len;
  if (!v->map)
    return ac_utf8_char_start(v->shown, v->shown_len, spoken);
  /* The last entry at or before `spoken` (the last of equal ones, so
   * written text that was dropped from speech goes with what precedes
   * it); before the first entry, offsets map one to one from 0. */
  size_t lo = 0, hi = v->n_map;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v->map[mid].spoken <= spoken)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t s0 = 0, w0 = 0, s1, w1;
  if (lo > 0) {
    s0 = v->map[lo - 1].spoken;
    w0 = v->map[lo - 1].written;
  }
  if (lo < v->n_map) {
    s1 = v->map[lo].spoken;
    w1 = v->map[lo].written;
  } else {
    s1 = v->spoken_len;
    w1 = v->shown_len;
  }
  size_t w;
  if (spoken == s0 || s1 < s0 || w1 < w0)
    w = w0;
  else if (spoken >= s1)
    w = w1;
  else if (s1 - s0 == w1 - w0)
    w = w0 + (spoken - s0); /* text kept as written */
  else
    w = w0; /* a replacement: see text.h */
  if (w > v->shown_len)
    w = v->shown_len;
  return ac_utf8_char_start(v->shown, v->shown_len, w);
}
