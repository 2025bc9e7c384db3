/*
 * Word tables of the English rules: units, currencies, months,
 * abbreviations, US states, and the small word lists the rules consult.
 */
#ifndef NZ_EN_WORDS_H
#define NZ_EN_WORDS_H

#include <stdbool.h>
#include <stddef.h>

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
const en_unit *en_unit_at(const char *s, size_t n, size_t at, size_t *len);
/* A unit written exactly as w[0..n) ("kg", "mo", "hr"), also the short
 * time words used after a slash ("mo" = month). */
const en_unit *en_unit_word(const char *w, size_t n);

/* ---- Currencies ------------------------------------------------------------
 */

typedef struct en_currency {
  const char *one, *many;             /* "dollar", "dollars" */
  const char *minor_one, *minor_many; /* "cent", "cents"; NULL = none */
} en_currency;

/* Currency of a symbol code point ($ £ € ¥ ...), or NULL. */
const en_currency *en_currency_symbol(unsigned cp);
/* Currency of a word written before '$' ("US", "A", "HK"), or NULL. */
const en_currency *en_currency_dollar_prefix(const char *w, size_t n);
/* Currency of an ISO code or abbreviation ("USD", "EUR", "Rs"), or NULL. */
const en_currency *en_currency_code(const char *w, size_t n);
/* Scale word after an amount: "m" -> "million", "bn" -> "billion"; NULL
 * when w is not one. `attached` is true when written right after the
 * number ("5m"), where single letters are allowed in upper case too. */
const char *en_money_scale(const char *w, size_t n, bool attached);

/* ---- Dates --------------------------------------------------------------- */

/* Month 1..12 of a name or abbreviation (any case), or 0. *abbrev is set
 * when w is an abbreviation ("Sept"). */
int en_month(const char *w, size_t n, bool *abbrev);
const char *en_month_name(int month);

/* ---- Abbreviations ------------------------------------------------------- */

enum {
  AB_TITLE = 1,      /* before a name: "Dr. Okafor"; never ends a sentence */
  AB_NEEDS_DOT = 2,  /* only written with its period */
  AB_NEEDS_NUM = 4,  /* only before a number: "No. 5", "p. 12" */
  AB_MAY_END = 8,    /* its period may also end the sentence */
  AB_AFTER_NAME = 16 /* only after a capitalized word: "Smith Jr.", "Acme
                        Co." */
};

typedef struct en_abbrev {
  const char *text; /* without the period */
  const char *say;
  unsigned flags;
} en_abbrev;

/* The abbreviation w[0..n) (case-insensitive; titles start upper case). */
const en_abbrev *en_abbrev_find(const char *w, size_t n);
/* Dotted lower-case abbreviations: "e.g" (periods between letters, the
 * last period not included) -> "for example". */
const char *en_dotted_abbrev(const char *w, size_t n);

/* Street types after a street name: "St" -> "Street". */
const char *en_street_type(const char *w, size_t n);
/* Compass directions before a street name: "E" -> "East". */
const char *en_direction(const char *w, size_t n);
/* US state or territory of a two-letter code, or NULL; *ambiguous when the
 * code is also a common word or abbreviation ("IN", "OR", "ME"). */
const char *en_state(const char *w, size_t n, bool *ambiguous);
/* Time zone abbreviations read as letters: "EST", "GMT". */
bool en_time_zone(const char *w, size_t n);

/* ---- Word lists ---------------------------------------------------------- */

/* Words after which a number counts things ("over 1,099", "about 2000"). */
bool en_quantity_word(const char *w, size_t n);
/* Words that show the number before them is not a count: function words
 * ("in 2014 and") and nouns years qualify ("2019 election"). */
bool en_function_word(const char *w, size_t n);
/* Words before a year: "in", "since", "the", "their"... */
bool en_year_word(const char *w, size_t n);
/* Words after which a long number is an identifier read digit by digit:
 * "PIN", "code", "ending in". */
bool en_identifier_word(const char *w, size_t n);
/* Words that start sentences: after "vitamin C." such a word means the
 * period ended the sentence; after an initial it does not follow. */
bool en_sentence_starter(const char *w, size_t n);
/* Words before a roman numeral read as a cardinal: "World War II", "Part
 * IV". */
bool en_roman_cardinal_word(const char *w, size_t n);
/* Names of monarchs and popes, after which "I" is a numeral. */
bool en_regnal_name(const char *w, size_t n);
/* All-capital words espeak-ng reads as a word although they are spelled
 * ("WHO"). */
bool en_spelled_acronym(const char *w, size_t n);
/* Top-level domains read as words ("com", "org"); others are spelled. */
bool en_word_tld(const char *w, size_t n);
/* Top-level domains that make "name.tld" an address. */
bool en_known_tld(const char *w, size_t n);
/* Words after which a phone number follows: "call", "phone", "tel". */
bool en_phone_word(const char *w, size_t n);

#endif
