/*
 * The growable string and the spoken-text builder with its map.
 */
#include "nz.h"

#include <stdlib.h>
#include <string.h>

static bool reserve(nz_str *b, size_t extra) {
  if (b->oom)
    return false;
  if (b->len + extra + 1 <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = true;
    return false;
  }
  b->s = s;
  b->cap = cap;
  return true;
}

void nz_str_add(nz_str *b, const char *s, size_t n) {
  if (!reserve(b, n))
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void nz_str_adds(nz_str *b, const char *s) {
  nz_str_add(b, s, strlen(s));
}

void nz_str_wordn(nz_str *b, const char *w, size_t n) {
  if (n == 0)
    return;
  if (b->len > 0 && b->s[b->len - 1] != ' ')
    nz_str_add(b, " ", 1);
  nz_str_add(b, w, n);
}

void nz_str_word(nz_str *b, const char *w) {
  nz_str_wordn(b, w, strlen(w));
}

void nz_str_clear(nz_str *b) {
  b->len = 0;
  if (b->s)
    b->s[0] = '\0';
}

void nz_str_free(nz_str *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* ---- nz_out ------------------------------------------------------------- */

void nz_out_init(nz_out *o, const char *src, size_t len) {
  memset(o, 0, sizeof *o);
  o->src = src;
  o->src_len = len;
}

void nz_out_free(nz_out *o) {
  nz_str_free(&o->text);
  free(o->map);
  free(o->kept);
  memset(o, 0, sizeof *o);
}

static void add_entry(nz_out *o, bool kept) {
  if (o->n_map == o->cap_map) {
    size_t cap = o->cap_map ? o->cap_map * 2 : 16;
    ac_span *m = realloc(o->map, cap * sizeof *m);
    if (!m) {
      o->oom = true;
      return;
    }
    o->map = m;
    unsigned char *k = realloc(o->kept, cap);
    if (!k) {
      o->oom = true;
      return;
    }
    o->kept = k;
    o->cap_map = cap;
  }
  o->map[o->n_map].spoken = (uint32_t)o->text.len;
  o->map[o->n_map].written = (uint32_t)o->wpos;
  o->kept[o->n_map] = kept;
  o->n_map++;
}

void nz_keep(nz_out *o, size_t w_end) {
  if (w_end > o->src_len)
    w_end = o->src_len;
  if (w_end <= o->wpos)
    return;
  /* A kept run after a replacement (or at the start, when the map already
   * has entries) needs its own entry; a run right after another kept run
   * continues it. */
  if (o->n_map > 0 && !o->kept[o->n_map - 1])
    add_entry(o, true);
  nz_str_add(&o->text, o->src + o->wpos, w_end - o->wpos);
  o->wpos = w_end;
}

static void replace(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
                    size_t n, bool spacing);

void nz_replace(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
                size_t n) {
  replace(o, w_start, w_end, spoken, n, true);
}

void nz_splice(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
               size_t n) {
  replace(o, w_start, w_end, spoken, n, false);
}

static void replace(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
                    size_t n, bool spacing) {
  nz_keep(o, w_start);
  if (w_end < o->wpos)
    w_end = o->wpos;
  if (w_end > o->src_len)
    w_end = o->src_len;
  /* A replacement identical to what was written is kept text. */
  if (n == w_end - o->wpos && memcmp(spoken, o->src + o->wpos, n) == 0) {
    nz_keep(o, w_end);
    return;
  }
  /* Text kept before the first replacement needs no entry: it maps one to
   * one from offset 0, as ac_span says. */
  add_entry(o, false);
  if (n > 0 && !spacing) {
    nz_str_add(&o->text, spoken, n);
  } else if (n > 0) {
    /* Inline phonemes ("[[...]]") count as a word for spacing. */
    size_t l;
    bool word_start = nz_cp_word(nz_cp_at(spoken, n, 0, &l)) ||
                      (n >= 2 && spoken[0] == '[' && spoken[1] == '[');
    bool word_end = nz_cp_word(nz_cp_before(spoken, n)) ||
                    (n >= 2 && spoken[n - 1] == ']' && spoken[n - 2] == ']');
    size_t tl = o->text.len;
    bool prev_word =
        tl > 0 &&
        (nz_cp_word(nz_cp_before(o->text.s, tl)) ||
         (tl >= 2 && o->text.s[tl - 1] == ']' && o->text.s[tl - 2] == ']'));
    /* After punctuation glued to what follows ("NO?17", "5pm,4am")
     * espeak-ng runs the words together: a space keeps them apart. */
    bool prev_punct = tl > 0 && strchr(",;:!?", o->text.s[tl - 1]) != NULL;
    if ((prev_word || prev_punct) && word_start)
      nz_str_add(&o->text, " ", 1);
    nz_str_add(&o->text, spoken, n);
    if (w_end < o->src_len &&
        nz_cp_word(nz_cp_at(o->src, o->src_len, w_end, &l)) && word_end)
      nz_str_add(&o->text, " ", 1);
  }
  o->wpos = w_end;
  if (o->text.oom)
    o->oom = true;
}
