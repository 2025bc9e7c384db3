/*
 * Internal interface of the clean stage: text helpers (text.c), word lists
 * (lexicon.c), boilerplate classification (classify.c) and the stage itself
 * (clean.c). Nothing here is seen by the host.
 */
#ifndef ARTICAST_CLEAN_H
#define ARTICAST_CLEAN_H

#include "articast/plugin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- UTF-8 and typography (text.c) ------------------------------------ */

/* Decodes the code point at s[*i] (s holds len bytes) and advances *i.
 * Invalid bytes decode as U+FFFD and advance by one. */
uint32_t cl_utf8_next(const char *s, size_t len, size_t *i);
/* Appends the UTF-8 form of cp to buf (which must have 4 bytes free) and
 * returns the number of bytes written. */
size_t cl_utf8_put(char *buf, uint32_t cp);
/* Simple case folding for Latin, Greek and Cyrillic letters. */
uint32_t cl_lower(uint32_t cp);
bool cl_is_upper(uint32_t cp);
/* Letters and digits of any script (coarse: anything not known to be
 * punctuation, symbol or space counts as a letter). */
bool cl_is_wordchar(uint32_t cp);
/* Han, kana and other scripts written without spaces between words. */
bool cl_is_cjk(uint32_t cp);

/* Rewrites text for speech: straight quotes, dashes as pauses (en dashes
 * between digits are kept for the normalize stage), "..." for the ellipsis
 * character, no soft hyphens, zero-width or control characters, and one
 * space for every run of white space. With `typography` false only the
 * white space and invisible characters are fixed. Returns malloc'd text or
 * NULL when out of memory. */
char *cl_typography(const char *text, size_t len, bool typography);

/* Lower-cased copy of text with everything but letters and digits turned
 * into single spaces, trimmed ("Share this:" -> "share this"). malloc'd. */
char *cl_fold(const char *text);

/* True when the text holds an e-mail address, plain ("a@b.org") or
 * obfuscated ("[email protected]", "name [at] site [dot] com"). */
bool cl_has_email(const char *text);

/* Calls fn for each sentence of text (start offset and length in bytes).
 * Sentences end at . ! ? followed by white space and an upper-case letter,
 * digit or quote, skipping common abbreviations and initials. */
void cl_sentences(const char *text,
                  void (*fn)(const char *s, size_t len, void *ctx), void *ctx);

/* ---- Word lists (lexicon.c) -------------------------------------------- */

enum { CL_N_LANGS = 9 };

/* The languages with stopword lists, by ISO 639-1 code; the index is the
 * language number used below. */
extern const char *const cl_lang_codes[CL_N_LANGS];

/* Builds the word table once per process; call before cl_stopword. */
void cl_lexicon_init(void);
/* Bit mask of the languages whose stopword list holds the lower-cased word
 * (bit i for cl_lang_codes[i]). */
unsigned cl_stopword(const char *word);

/* ---- Blocks under classification (classify.c) -------------------------- */

typedef enum cl_class { CL_BAD, CL_SHORT, CL_NEARGOOD, CL_GOOD } cl_class;

/* What the stage decided a unit is. */
typedef enum cl_role {
  CL_ROLE_BODY,
  CL_ROLE_BYLINE,
  CL_ROLE_BIO,
  CL_ROLE_CAPTION,
  CL_ROLE_BOILER, /* kept as AC_BLOCK_BOILERPLATE with keep_boilerplate */
  CL_ROLE_DROP    /* a repeated byline and the like: never kept */
} cl_role;

/* One line or paragraph of the input, after segmentation. */
typedef struct cl_unit {
  char *text;         /* cleaned text, malloc'd */
  size_t len;         /* bytes */
  ac_block_kind kind; /* from the source block, or LIST_ITEM for bullets */
  int level;          /* heading level from the source */
  size_t block;       /* index of the source block */
  bool bullet;        /* the line started with a bullet or number */
  bool structured;    /* kind came from a structured source (Markdown) */
  bool listed;        /* one of several short lines of one block */

  /* Features. */
  int chars;   /* code points */
  int words;   /* tokens of letters or digits */
  int cjk;     /* characters of scripts written without spaces */
  int caps;    /* words starting with an upper-case letter */
  int letters; /* letter code points */
  int stops[CL_N_LANGS];
  bool ends_sentence; /* ends with . ! ? or a closing quote after one */
  bool heading_like;  /* short, no final punctuation, not a list line */

  /* Pattern flags. */
  bool boiler;     /* a boilerplate phrase or shape */
  int marker;      /* ends the article: 1 "Related" and the like, 2 comments */
  bool caption;    /* photo credit or caption */
  bool comment;    /* the header line of a reader's comment */
  bool bio_header; /* "About the author", "About Jane Doe" */
  bool byline;     /* "By X" or a bare person's name */
  long dup_of;     /* index of an earlier identical unit, or -1 */
  int repeats;     /* how many units share this text */

  double density;   /* stopword density in the document's language */
  cl_class cls;     /* context-free class */
  cl_class final;   /* after context */
  cl_class pending; /* scratch of the context step */
  cl_role role;
} cl_unit;

/* Tunables shared by classification, filled from the stage options. */
typedef struct cl_params {
  int min_paragraph_words; /* below this a paragraph is "short" */
  const char *language;    /* the document's language or NULL */
  const char *title;       /* the document's title or NULL */
  long title_unit;         /* out: the unit that holds the title, or -1 */
} cl_params;

/* Classifies units[0..n) and sets each unit's role. May rewrite the text of
 * bio units (dropping e-mail sentences). Returns 0 or AC_ERR_NOMEM. */
int cl_classify(cl_unit *units, size_t n, cl_params *params);

/* True when a line reads as page furniture ("Skip to content", "Menu",
 * "[logo]") or has fewer than two words. */
bool cl_is_boilerplate(const char *text);

/* Extracts the person's name from a byline ("By Jane Doe, Staff" ->
 * "Jane Doe"). Returns malloc'd text or NULL when no name is found. */
char *cl_byline_name(const char *text);

#endif /* ARTICAST_CLEAN_H */
