/*
 * Text handling for the espeak stage: cleaning a block's text into what
 * espeak-ng reads, and mapping espeak's event positions (1-based code
 * points of the cleaned text) back to byte ranges of the block's text.
 */
#ifndef ARTICAST_ESPEAK_TEXT_H
#define ARTICAST_ESPEAK_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct es_text {
  char *clean;      /* NUL-terminated UTF-8 handed to espeak */
  uint32_t *cp_off; /* byte offset in the block text of each code point of
                       `clean`; cp_off[n_cp] is the block text's length */
  size_t n_cp;      /* code points in `clean` */
  int speakable;    /* `clean` holds something other than white space */
  int ssml;         /* `clean` is SSML (latin.h), not plain text */
} es_text;

/* Builds `clean` from `len` bytes of `text`: drops control characters,
 * ANSI escape sequences, invalid UTF-8, BOMs and U+FFFD (which make
 * espeak-ng 1.51 garble what follows), turns line breaks and tabs into
 * spaces, and Burmese clause and sentence marks into ASCII ones. Returns 0, or
 * -1 when out of memory or the text is 4 GiB or more. */
int es_text_prepare(es_text *t, const char *text, size_t len);
void es_text_free(es_text *t);

/* The word at byte `at` of text[0..len): from `at`, after any opening
 * punctuation, up to white space or a dash, without closing punctuation.
 * Returns 0 and the range [*start, *end), or -1 when there is no word
 * there (white space or punctuation only). */
int es_word_at(const char *text, size_t len, size_t at, size_t *start,
               size_t *end);

/* The next word in text[*pos..len): returns 0 with its range in
 * [*start, *end) and *pos moved past it, or -1 when only white space and
 * punctuation are left. */
int es_next_word(const char *text, size_t len, size_t *pos, size_t *start,
                 size_t *end);

/* Code points in text[from..to). */
size_t es_count_chars(const char *text, size_t from, size_t to);

/* Moves `end` back over white space, hyphens and closing punctuation, but
 * not before `start`. */
size_t es_trim_end(const char *text, size_t start, size_t end);

/* Where a sentence that espeak starts at byte `at` begins: white space is
 * skipped forward and opening punctuation right before it (a quotation
 * mark, an inverted question mark) is included. Returns len when nothing
 * but white space follows `at`. */
size_t es_sentence_start(const char *text, size_t len, size_t at);

#endif
