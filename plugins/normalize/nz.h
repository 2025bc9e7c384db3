/*
 * Internal API of the normalize stage: a growable string, the spoken-text
 * builder that records the map back to the written text, number words,
 * pronunciation lexicons and the English rules.
 */
#ifndef NZ_H
#define NZ_H

#include "articast/plugin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Characters (unicode.c, through libunistring) ------------------------ */

/* The code point at s[i] (n bytes in all) and its length in *len (at least
 * 1; an invalid sequence is U+FFFD of one byte). */
uint32_t nz_cp_at(const char *s, size_t n, size_t i, size_t *len);
/* The code point that ends at s[i], 0 at the start. */
uint32_t nz_cp_before(const char *s, size_t i);
bool nz_valid_utf8(const char *s, size_t n);
bool nz_cp_space(uint32_t cp);
/* What words are made of: letters, combining marks, digits of other
 * scripts; nz_cp_word adds the ASCII digits. */
bool nz_cp_letter(uint32_t cp);
bool nz_cp_word(uint32_t cp);
bool nz_cp_upper(uint32_t cp);
bool nz_cp_lower(uint32_t cp);
uint32_t nz_fold_cp(uint32_t cp);
/* Whether the text s[0..n) starts with p[0..pn), ignoring case (code point
 * by code point); *mlen is the length matched in s. */
bool nz_prefix_ci(const char *s, size_t n, const char *p, size_t pn,
                  size_t *mlen);
/* Whether a[0..an) and b[0..bn) are the same ignoring case. */
bool nz_eq_ci(const char *a, size_t an, const char *b, size_t bn);

/* ---- Growable string ---------------------------------------------------- */

typedef struct nz_str {
  char *s; /* NUL-terminated when not NULL */
  size_t len, cap;
  bool oom; /* an append failed; the string is truncated */
} nz_str;

void nz_str_add(nz_str *b, const char *s, size_t n);
void nz_str_adds(nz_str *b, const char *s);
/* Appends a word, with a space before it unless the string is empty or
 * already ends in a space. */
void nz_str_word(nz_str *b, const char *w);
void nz_str_wordn(nz_str *b, const char *w, size_t n);
void nz_str_clear(nz_str *b);
void nz_str_free(nz_str *b);

/* ---- Spoken text with its map ------------------------------------------- */

/* Builds the spoken form of `src` left to right. Written bytes are either
 * kept (copied as they are) or replaced by spoken words; every replacement
 * starts a map entry, and so does the kept text after it, so spoken offsets
 * map back to the written bytes they came from (see ac_span). */
typedef struct nz_out {
  const char *src;
  size_t src_len;
  nz_str text;
  ac_span *map;
  unsigned char *kept; /* per entry: 1 = kept as written, 0 = replaced */
  size_t n_map, cap_map;
  size_t wpos; /* written bytes consumed so far */
  bool oom;
} nz_out;

void nz_out_init(nz_out *o, const char *src, size_t len);
void nz_out_free(nz_out *o);
/* Keeps the written bytes up to w_end as they are. */
void nz_keep(nz_out *o, size_t w_end);
/* Keeps the written text up to w_start, then speaks `spoken` for the
 * written bytes [w_start, w_end). A space is added between the spoken words
 * and a letter or digit on either side. */
void nz_replace(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
                size_t n);
/* The same without adding spaces: for a piece of a word. */
void nz_splice(nz_out *o, size_t w_start, size_t w_end, const char *spoken,
               size_t n);

/* ---- Number words (numbers.c) ------------------------------------------- */

enum {
  NZ_AND = 1 /* "one hundred and five": British and newsreader style, used
                below a million */
};

/* Cardinal words of the decimal digit string d[0..n) (leading zeros are
 * skipped). False when the number is too long for scale words (more than
 * 21 digits); nothing is appended then. */
bool nz_cardinal(nz_str *b, const char *d, size_t n, int flags);
bool nz_cardinal_u(nz_str *b, uint64_t v, int flags);
/* One word per digit: "zero four two". */
void nz_digits(nz_str *b, const char *d, size_t n);
/* Ordinal words ("twenty first"); false when too long. */
bool nz_ordinal(nz_str *b, const char *d, size_t n, int flags);
bool nz_ordinal_u(nz_str *b, uint64_t v, int flags);
/* A year of four digits as people say it: "nineteen oh five", "two
 * thousand nine", "twenty twelve", "nineteen hundred". */
void nz_year(nz_str *b, const char *d, size_t n);
/* The last word of b made ordinal ("three" -> "third") or plural ("eighty"
 * -> "eighties", "six" -> "sixes"). */
void nz_ordinalize_last(nz_str *b);
void nz_pluralize_last(nz_str *b);
/* Value of a digit string of at most 18 digits; false if longer. */
bool nz_value(const char *d, size_t n, uint64_t *v);

/* ---- Lexicons (lexicon.c) ----------------------------------------------- */

typedef struct nz_entry {
  char *pattern; /* the written form */
  size_t plen;
  char *say; /* respelling and/or [[phonemes]] */
  bool exact_case;
  bool part;         /* also inside longer words */
  unsigned priority; /* 0 = first lexicon, wins */
  char lang[12];     /* primary language subtag, "" = any */
} nz_entry;

typedef struct nz_lexicon {
  nz_entry *e;
  size_t n, cap;
  /* Entry indices by folded first byte, longest pattern first. */
  uint32_t *index;
  uint32_t bucket[257];
} nz_lexicon;

/* Parses lexicon text; `name` names the file in messages ("en.lex:12:
 * ..."). Entries are added with `priority`. Call nz_lexicon_finish after
 * the last file. */
int nz_lexicon_parse(nz_lexicon *lx, const char *name, const char *data,
                     size_t len, unsigned priority, char *err, size_t errlen);
int nz_lexicon_load(nz_lexicon *lx, const char *path, unsigned priority,
                    char *err, size_t errlen);
int nz_lexicon_finish(nz_lexicon *lx);
void nz_lexicon_free(nz_lexicon *lx);
/* The best entry matching s[at..] for text in language `lang` (primary
 * subtag, may be NULL): the longest, then the one of the first lexicon.
 * With words_only, entries marked `part` match only at word boundaries
 * too. Sets *mlen to the bytes matched. */
const nz_entry *nz_lexicon_match(const nz_lexicon *lx, const char *s,
                                 size_t len, size_t at, const char *lang,
                                 bool words_only, size_t *mlen);

/* ---- Rules -------------------------------------------------------------- */

struct en_words;

typedef struct nz_opts {
  const nz_lexicon *lexicon;    /* may be NULL */
  const struct en_words *words; /* the English word tables */
  const char *lang;             /* primary subtag, lower case: "en" */
  bool english;                 /* apply the English rules */
  bool day_first;               /* ambiguous numeric dates are D/M/Y */
  bool british;                 /* en-GB spelling of units */
} nz_opts;

/* Normalizes `len` bytes of text into o (initialized on src). Returns 0 or
 * AC_ERR_NOMEM. */
int nz_normalize(const char *text, size_t len, const nz_opts *opt, nz_out *o);

#endif
