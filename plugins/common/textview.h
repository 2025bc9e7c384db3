/*
 * Text helpers for what shows an episode's text with its times (the
 * transcript sink's captions, the listening page): a growable output
 * buffer, white space folding, and the mapping of a block's spoken byte
 * offsets back to its written text. (Widths in code points: ac_utf8_count.)
 */
#ifndef ARTICAST_COMMON_TEXTVIEW_H
#define ARTICAST_COMMON_TEXTVIEW_H

#include "articast/plugin.h"

#include <stddef.h>
#include <stdint.h>

/* An append-only byte buffer. Appends after an allocation failure do
 * nothing and leave `oom` set, so a writer checks once at the end. */
typedef struct ac_textbuf {
  char *data; /* NUL-terminated when not NULL */
  size_t len;
  size_t cap;
  int oom;
} ac_textbuf;

void ac_textbuf_add(ac_textbuf *b, const char *s, size_t n);
void ac_textbuf_puts(ac_textbuf *b, const char *s);
void ac_textbuf_printf(ac_textbuf *b, const char *fmt, ...) AC_PRINTF(2, 3);
void ac_textbuf_free(ac_textbuf *b);

/* Bytes that separate words: ASCII white space and the other control
 * characters, which never belong in a caption. Inline: caption building
 * asks it of every byte. */
static inline int ac_text_is_gap(unsigned char c) {
  return c <= 0x20 || c == 0x7F;
}

/* The next word of s[*i..end): skips gaps, then sets [*start, *stop) to
 * the run of non-gap bytes and moves *i past it. Returns 0 at the end. */
int ac_text_next_word(const char *s, size_t *i, size_t end, size_t *start,
                      size_t *stop);

/* Appends s[0..n) with each run of gaps folded into one space and none at
 * either end. */
void ac_textbuf_add_folded(ac_textbuf *b, const char *s, size_t n);

/* What a block shows in captions, and how its spoken offsets lead there. */
typedef struct ac_text_view {
  const char *shown; /* the written text, or the spoken one */
  size_t shown_len;
  size_t spoken_len;
  const ac_span *map; /* NULL when shown offsets equal spoken ones */
  size_t n_map;
  int fallback; /* written text differed but had no map: showing spoken */
} ac_text_view;

/* The view of a block: its written text through its map, or its spoken
 * text when written is NULL. A written text that differs in length from
 * the spoken one without a map cannot be timed, so the spoken text is
 * shown instead and `fallback` is set. */
void ac_text_view_init(ac_text_view *v, const ac_block *b);

/* The offset in v->shown of spoken byte offset `spoken` (clamped to the
 * text). Inside a span whose spoken bytes replaced written ones of another
 * length ("$5" spoken as "five dollars"), every offset maps to the span's
 * start, so the written form is shown whole, timed from its first spoken
 * word. The result never falls inside a UTF-8 sequence. */
size_t ac_text_view_offset(const ac_text_view *v, size_t spoken);

#endif
