/*
 * The English word tables: units, currencies, months, abbreviations, US
 * states and the word lists the English rules consult. They are data
 * files under voices/words/en/ (see the README there), read once when the
 * stage is created.
 */
#ifndef NZ_EN_WORDS_H
#define NZ_EN_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct en_words en_words;

/* Finds a data file by its path relative to the voice directories
 * ("words/en/units.tsv"); returns a malloc'd path or NULL. */
typedef char *(*en_find_fn)(void *ctx, const char *relative);

/* Reads every table. Returns 0, or an AC_ERR_* code with a message naming
 * the file (and line) in err. */
int en_words_load(en_words **out, en_find_fn find, void *ctx, char *err,
                  size_t errlen);
void en_words_free(en_words *w);

/* ---- Units of measure ---------------------------------------------------- */

enum {
  UNIT_ANYCASE = 1, /* "mbps" as well as "Mbps" */
  UNIT_NOSPACE = 2  /* only right after the number ("5h", not "5 h") */
};

typedef struct en_unit {
  const char *text; /* as written after a number */
  const char *one;  /* "kilometer" */
  const char *many; /* "kilometers" */
  unsigned flags;
} en_unit;

/* The longest unit written at s[at..] and ending at a word boundary; sets
 * *len. NULL when none. */
const en_unit *en_unit_at(const en_words *W, const char *s, size_t n, size_t at,
                          size_t *len);
/* A unit written exactly as w[0..n) ("kg", "mo", "hr"), also the short
 * time words used after a slash ("mo" = month). */
const en_unit *en_unit_word(const en_words *W, const char *w, size_t n);

/* ---- Currencies ---------------------------------------------------------- */

typedef struct en_currency {
  const char *one, *many;             /* "dollar", "dollars" */
  const char *minor_one, *minor_many; /* "cent", "cents"; NULL = none */
} en_currency;

/* Currency of a sign's code point ($ £ € ¥ ...), or NULL. */
const en_currency *en_currency_symbol(const en_words *W, uint32_t cp);
/* Currency of a word written before '$' ("US", "A", "HK"), or NULL. */
const en_currency *en_currency_dollar_prefix(const en_words *W, const char *w,
                                             size_t n);
/* Currency of an ISO code or abbreviation ("USD", "EUR", "Rs"), or NULL. */
const en_currency *en_currency_code(const en_words *W, const char *w, size_t n);
/* Scale word after an amount: "m" -> "million", "bn" -> "billion"; NULL
 * when w is not one. `attached` is true when written right after the
 * number ("5m"); a lone "M" or "K" after a space is not taken. */
const char *en_money_scale(const en_words *W, const char *w, size_t n,
                           bool attached);

/* ---- Dates --------------------------------------------------------------- */

/* Month 1..12 of a name or abbreviation (any case), or 0. *abbrev is set
 * when w is an abbreviation ("Sept"). */
int en_month(const en_words *W, const char *w, size_t n, bool *abbrev);
const char *en_month_name(const en_words *W, int month);
/* The full name of an abbreviated weekday ("Tue" -> "Tuesday"), or NULL. */
const char *en_weekday(const en_words *W, const char *w, size_t n);

/* ---- Abbreviations ------------------------------------------------------- */

enum {
  AB_TITLE = 1,      /* before a name: "Dr. Okafor"; never ends a sentence */
  AB_NEEDS_DOT = 2,  /* only written with its period */
  AB_NEEDS_NUM = 4,  /* only before a number: "No. 5", "p. 12" */
  AB_MAY_END = 8,    /* its period may also end the sentence */
  AB_AFTER_NAME = 16 /* only after a capitalized word: "Smith Jr." */
};

typedef struct en_abbrev {
  const char *text; /* without the period */
  const char *say;
  unsigned flags;
} en_abbrev;

/* The abbreviation w[0..n) (any case; titles and after-name ones must be
 * capitalized). */
const en_abbrev *en_abbrev_find(const en_words *W, const char *w, size_t n);
/* Dotted abbreviations: "e.g" (periods between letters, the last period
 * not included) -> "for example". */
const char *en_dotted_abbrev(const en_words *W, const char *w, size_t n);

/* Street types after a street name: "St" -> "Street". */
const char *en_street_type(const en_words *W, const char *w, size_t n);
/* Compass directions before a street name: "E" -> "East". */
const char *en_direction(const en_words *W, const char *w, size_t n);
/* US state or territory of a two-letter code, or NULL; *ambiguous when the
 * code is also a common word or abbreviation ("IN", "OR", "ME"). */
const char *en_state(const en_words *W, const char *w, size_t n,
                     bool *ambiguous);

/* ---- Symbols ------------------------------------------------------------- */

/* How a symbol in an address or URL is said ("." -> "dot"), or NULL. */
const char *en_url_symbol(const en_words *W, uint32_t cp);
/* A fraction character ("½"): *alone is "one half", *after_and "a half". */
bool en_vulgar(const en_words *W, uint32_t cp, const char **alone,
               const char **after_and);

/* ---- Word lists ---------------------------------------------------------- */

typedef enum en_list {
  EN_TIME_ZONES,        /* "EST", "GMT" after a time */
  EN_QUANTITY_WORDS,    /* "over 1,099": the number counts */
  EN_FUNCTION_WORDS,    /* "in 2014 and": not what the number counts */
  EN_YEAR_NOUNS,        /* "the 2019 election" */
  EN_YEAR_WORDS,        /* "in 1999", "since 2005" */
  EN_IDENTIFIER_WORDS,  /* "PIN 1234": digit by digit */
  EN_SENTENCE_STARTERS, /* "The", "However" */
  EN_ROMAN_CARDINAL,    /* "World War II" -> "two" */
  EN_REGNAL_NAMES,      /* "Elizabeth I" -> "the first" */
  EN_REGNAL_TITLES,     /* "Queen", "Pope" */
  EN_WORD_TLDS,         /* "com" is read as a word */
  EN_KNOWN_TLDS,        /* "example.org" is an address */
  EN_WORD_LIKE_TLDS,    /* "it", "in": a missing space more likely */
  EN_PHONE_WORDS,       /* "call 555-1234" */
  EN_NOT_AFTER_ARTICLE, /* "Plan A and": the letter, not the article */
  EN_SYLLABLE_ONSETS,   /* "str", "bl" */
  EN_SYLLABLE_CODAS,    /* "nd", "st" */
  EN_N_LISTS
} en_list;

/* Whether w[0..n) is in the list (letter case as the list's file says). */
bool en_in(const en_words *W, en_list list, const char *w, size_t n);

#endif
