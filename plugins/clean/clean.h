/*
 * Internal interface of the clean stage: text helpers (text.c), word lists
 * (lexicon.c), unit features and patterns (patterns.c), names, bylines and
 * bios (names.c), boilerplate classification (classify.c) and the stage
 * itself (clean.c). Nothing here is seen by the host.
 */
#ifndef ARTICAST_CLEAN_H
#define ARTICAST_CLEAN_H

#include "articast/plugin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unitypes.h>

/* ---- Word lists (lexicon.c) -------------------------------------------- */

/* A sorted list of distinct entries, read from one data file. */
typedef struct cl_list {
  char **items;
  size_t n;
} cl_list;

/* The word lists under words/clean/ (file names in lexicon.c). */
typedef enum cl_list_id {
  CL_FURNITURE,
  CL_FURNITURE_STARTS,
  CL_TAIL_MARKERS,
  CL_COMMENT_HEADINGS,
  CL_COMMENT_FORMS,
  CL_COMMENT_COUNTS,
  CL_COMMENT_VERBS,
  CL_STRONG_PHRASES,
  CL_WEAK_PHRASES,
  CL_CREDITS,
  CL_FRAMED_CREDITS,
  CL_CAPTION_MARKS,
  CL_CAPTION_HEADS,
  CL_NAME_PARTICLES,
  CL_NAME_TITLES,
  CL_DATE_WORDS,
  CL_NAME_BREAKERS,
  CL_COMMON_WORDS,
  CL_BYLINE_PREFIXES,
  CL_BIO_STARTS,
  CL_BIO_VERBS,
  CL_BIO_TRADES,
  CL_BIO_HEADERS,
  CL_BIO_SUBJECTS,
  CL_ABBREVIATIONS,
  CL_N_LISTS
} cl_list_id;

/* At most this many stopword lists (one bit each in a mask). */
enum { CL_MAX_LANGS = 64 };

typedef struct cl_stop cl_stop;

/* Every word list of the stage, loaded once in create(). */
typedef struct cl_lexicon {
  cl_list lists[CL_N_LISTS];
  char langs[CL_MAX_LANGS][12]; /* ISO 639 code of each stopword list */
  int n_langs;
  cl_stop *stops; /* sorted (folded word, language mask) */
  size_t n_stops, cap_stops;
  int max_run;     /* longest stopword written without spaces, code points */
  char *stop_dir;  /* where the stopword lists are */
  uint64_t loaded; /* the lists read so far, by language number */
} cl_lexicon;

/* Loads the lists from `dir` (an absolute path, or a directory searched in
 * the host's data path, normally "words"): every file of words/clean/,
 * and which languages words/stopwords/<lang>.txt has lists for. A missing
 * or malformed file fails the stage through host->fail with a message
 * naming it. */
int cl_lexicon_load(cl_lexicon *lx, ac_stage *st, const char *dir);
/* Reads the stopword list of the language of BCP 47 tag `tag` (nothing
 * when there is none), or with NULL every list, unless already read:
 * thirty lists cost more to read and fold than most articles to clean,
 * and an article needs its own language's and its passages'. Fails like
 * cl_lexicon_load. */
int cl_lexicon_need(cl_lexicon *lx, ac_stage *st, const char *tag);
void cl_lexicon_free(cl_lexicon *lx);

/* Is s (NUL-terminated) an entry of l? */
bool cl_list_has(const cl_list *l, const char *s);
/* The same for the n bytes at s. */
bool cl_list_has_n(const cl_list *l, const char *s, size_t n);

/* The stopword list for a BCP 47 tag (its primary subtag; nb and nn read
 * Norwegian), or -1. */
int cl_lexicon_lang(const cl_lexicon *lx, const char *tag);

/* Counts the stopwords in folded text: hits[l] for each language l (every
 * list when lang < 0, else only hits[lang]). Runs of scripts written
 * without spaces are matched greedily, longest stopword first. */
void cl_count_stopwords(const cl_lexicon *lx, const char *folded, int lang,
                        int *hits);

/* ---- Text (text.c) ----------------------------------------------------- */

/* Prepares the character class tables; call once before the rest. */
void cl_text_init(void);
/* Decodes the code point at s[*i] (s holds len bytes) and advances *i.
 * Invalid bytes decode as U+FFFD and advance by one. */
ucs4_t cl_next(const char *s, size_t len, size_t *i);
/* Letters, combining marks and digits of any script. */
bool cl_is_wordchar(ucs4_t cp);
bool cl_is_upper(ucs4_t cp);
/* Han, kana, Thai, Lao, Khmer, Myanmar: scripts written without spaces
 * between words. */
bool cl_is_nospace(ucs4_t cp);
/* Thai and Lao, whose writers separate phrases and sentences with spaces
 * instead of punctuation. */
bool cl_is_phrase_spaced(ucs4_t cp);
/* Sentence-final punctuation of any script (Unicode Sentence_Terminal:
 * . ! ? and the CJK, Devanagari, Arabic and Urdu full stops ...). */
bool cl_is_sentence_end(ucs4_t cp);

/* Rewrites text for speech: straight quotes, dashes as pauses (en dashes
 * between digits are kept for the normalize stage), "..." for the ellipsis
 * character, no soft hyphens, zero-width or control characters, and one
 * space for every run of white space. With `typography` false only the
 * white space and invisible characters are fixed. The result is in
 * Unicode NFC. Returns malloc'd text or NULL when out of memory. */
char *cl_typography(const char *text, size_t len, bool typography);

/* Case-folded copy of text (Unicode full case folding, in the language of
 * the BCP 47 tag `lang` when given: Turkish and Azeri dotted and dotless
 * i), in NFC, with apostrophes removed and everything but letters, marks
 * and digits turned into single spaces, trimmed ("Share this:" -> "share
 * this", "STRASSE" and "Straße" -> "strasse"). malloc'd, NULL when out of
 * memory. */
char *cl_fold(const char *text, const char *lang);

/* Calls fn for each word of the n bytes at text, split at Unicode word
 * boundaries (UAX #29): segments holding a letter or digit. Consecutive
 * segments of a script written without spaces come as one run with
 * `nospace` set. */
void cl_words(const char *text, size_t n,
              void (*fn)(const char *w, size_t len, bool nospace, void *ctx),
              void *ctx);

/* True when the text holds an e-mail address, plain ("a@b.org") or
 * obfuscated ("[email protected]", "name [at] site [dot] com"). */
bool cl_has_email(const char *text);

/* Calls fn for each sentence of text (start offset and length in bytes).
 * Sentences end at sentence-final punctuation followed by white space and
 * an upper-case letter, digit, quote or a letter of an uncased script,
 * skipping the abbreviations and initials. */
void cl_sentences(const char *text, const cl_list *abbreviations,
                  void (*fn)(const char *s, size_t len, void *ctx), void *ctx);

/* ---- Units under classification ---------------------------------------- */

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
  const char *lang;   /* the source block's language, or NULL */
  bool bullet;        /* the line started with a bullet or number */
  bool structured;    /* kind came from a structured source (Markdown) */
  bool listed;        /* one of several short lines of one block */

  /* Features. */
  int chars;          /* code points */
  int words;          /* words of scripts written with spaces */
  int cjk;            /* characters of scripts written without spaces */
  int caps;           /* words starting with an upper-case letter */
  int letters;        /* letter code points */
  int punct;          /* punctuation and symbols */
  int link_chars;     /* inside [placeholders] and bare URLs */
  int sentences;      /* sentence ends inside and at the end */
  int stops;          /* stopwords of the unit's list */
  int list;           /* the stopword list used, or -1: none */
  bool ends_sentence; /* ends with sentence punctuation (maybe quoted) */
  bool heading_like;  /* short, no final punctuation, not a list line */

  /* Pattern flags. */
  bool boiler;     /* a boilerplate phrase or shape */
  bool filler;     /* no words of its own: an image placeholder, a rule;
                      dropped, but no neighbour in the context step */
  int marker;      /* ends the article: 1 "Related" and the like, 2 comments */
  bool caption;    /* photo credit or caption */
  bool comment;    /* the header line of a reader's comment */
  bool bio_header; /* "About the author", "About Jane Doe" */
  bool byline;     /* "By X" or a bare person's name */
  long dup_of;     /* index of an earlier identical unit, or -1 */
  int repeats;     /* how many units share this text */

  double density;   /* stopword density in the unit's language */
  cl_class cls;     /* context-free class */
  cl_class final;   /* after context */
  cl_class pending; /* scratch of the context step */
  cl_role role;
} cl_unit;

/* Words a unit is worth: text without spaces has about two characters a
 * word. */
static inline int cl_weight(const cl_unit *u) {
  return u->words + u->cjk / 2;
}

/* ---- Features and patterns (patterns.c) -------------------------------- */

/* Fills the unit's length, word, punctuation and sentence features. */
void cl_features(cl_unit *u);
/* Sets the pattern flags (boiler, marker, caption, comment, bio_header,
 * byline) from the text and its folded form. */
void cl_patterns(const cl_lexicon *lx, cl_unit *u, const char *folded);
/* Does `hay` (folded, words separated by one space) contain `phrase` on
 * word boundaries? */
bool cl_has_phrase(const char *hay, const char *phrase);

/* True when a line reads as page furniture ("Skip to content", "Menu",
 * "[logo]") or has fewer than two words. */
bool cl_is_boilerplate(const cl_lexicon *lx, const char *text);

/* ---- Names, bylines and bios (names.c) --------------------------------- */

/* Extracts the person's name from a byline ("By Jane Doe, Staff" ->
 * "Jane Doe"). Returns malloc'd text or NULL when no name is found. */
char *cl_byline_name(const cl_lexicon *lx, const char *text);
/* "By Jane Doe", "Jane Doe - Nov 19, 2019": a byline. */
bool cl_byline_like(const cl_lexicon *lx, const cl_unit *u);
/* The unit is just a person's name. */
bool cl_bare_name(const cl_lexicon *lx, const cl_unit *u, const char *folded);
/* A sentence about the author (`author` may be NULL) or, at the end of
 * the article, about a writer. */
bool cl_bio_like(const cl_lexicon *lx, const cl_unit *u, const char *author,
                 bool at_end);
/* "About the author", "About Jane Doe": the heading of an author box. */
bool cl_bio_header(const cl_lexicon *lx, const cl_unit *u);
/* A month, weekday or dateline word (folded). */
bool cl_date_word(const cl_lexicon *lx, const char *folded_word);
/* Removes the e-mail sentences of a bio in place; returns false when
 * nothing is left. */
bool cl_strip_email_sentences(const cl_lexicon *lx, cl_unit *u);

/* ---- Classification (classify.c) --------------------------------------- */

/* Tunables shared by classification, filled from the stage options. */
typedef struct cl_params {
  const cl_lexicon *lx;
  int min_paragraph_words; /* below this a paragraph is "short" */
  const char *language;    /* the document's language or NULL */
  const char *title;       /* the document's title or NULL */
  long title_unit;         /* out: the unit that holds the title, or -1 */
} cl_params;

/* Classifies units[0..n) and sets each unit's role. May rewrite the text of
 * bio units (dropping e-mail sentences). Returns 0 or AC_ERR_NOMEM. */
int cl_classify(cl_unit *units, size_t n, cl_params *params);

#endif /* ARTICAST_CLEAN_H */
