/*
 * The English word tables, read from voices/words/en/. Each file is a
 * table (words.c); the typed views below (units, currencies,
 * abbreviations, months) are built once, and references between files
 * (a currency sign naming a currency) are checked when they are read.
 */
#include "en_words.h"

#include "articast/plugin.h"
#include "nz.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  T_UNITS,
  T_PER_WORDS,
  T_CURRENCIES,
  T_CURRENCY_SIGNS,
  T_CURRENCY_CODES,
  T_DOLLAR_PREFIXES,
  T_MONEY_SCALES,
  T_MONTHS,
  T_WEEKDAYS,
  T_ABBREVIATIONS,
  T_DOTTED,
  T_STREET_TYPES,
  T_DIRECTIONS,
  T_US_STATES,
  T_URL_SYMBOLS,
  T_VULGAR,
  T_N_TABLES
};

struct en_words {
  nz_table table[T_N_TABLES];
  nz_table list[EN_N_LISTS];
  en_unit *units, *per_words;             /* per row of their tables */
  en_currency *currencies;                /* per row of currencies.tsv */
  const en_currency **sign_currency;      /* per row of currency-signs.tsv */
  const en_currency **code_currency;      /* per row of currency-codes.tsv */
  const en_currency **prefix_currency;    /* per row of dollar-prefixes.tsv */
  uint32_t *signs, *url_symbols, *vulgar; /* code point of each row's key */
  en_abbrev *abbrevs;                     /* per row of abbreviations.tsv */
  int *month_of;                          /* per row of months.tsv */
  const char *month_name[13];
};

/* ---- What each file holds ------------------------------------------------ */

static const char *const unit_flags[] = {"attached", NULL};
static const char *const month_flags[] = {"abbrev", NULL};
static const char *const abbrev_flags[] = {
    "title", "needs-dot", "needs-number", "may-end", "after-name", NULL};
static const char *const state_flags[] = {"ambiguous", NULL};
static const char *const no_flags[] = {NULL};

static const nz_table_spec table_specs[T_N_TABLES] = {
    [T_UNITS] = {"units.tsv", 3, 3, true, unit_flags},
    [T_PER_WORDS] = {"per-words.tsv", 3, 3, false, NULL},
    [T_CURRENCIES] = {"currencies.tsv", 3, 5, true, NULL},
    [T_CURRENCY_SIGNS] = {"currency-signs.tsv", 2, 2, true, NULL},
    [T_CURRENCY_CODES] = {"currency-codes.tsv", 2, 2, true, NULL},
    [T_DOLLAR_PREFIXES] = {"dollar-prefixes.tsv", 2, 2, true, NULL},
    [T_MONEY_SCALES] = {"money-scales.tsv", 2, 2, false, no_flags},
    [T_MONTHS] = {"months.tsv", 2, 2, false, month_flags},
    [T_WEEKDAYS] = {"weekdays.tsv", 2, 2, true, NULL},
    [T_ABBREVIATIONS] = {"abbreviations.tsv", 2, 2, false, abbrev_flags},
    [T_DOTTED] = {"dotted-abbreviations.tsv", 2, 2, false, NULL},
    [T_STREET_TYPES] = {"street-types.tsv", 2, 2, false, NULL},
    [T_DIRECTIONS] = {"directions.tsv", 2, 2, true, NULL},
    [T_US_STATES] = {"us-states.tsv", 2, 2, true, state_flags},
    [T_URL_SYMBOLS] = {"url-symbols.tsv", 2, 2, true, NULL},
    [T_VULGAR] = {"vulgar-fractions.tsv", 3, 3, true, NULL},
};

static const nz_table_spec list_specs[EN_N_LISTS] = {
    [EN_TIME_ZONES] = {"time-zones.txt", 1, 1, false, NULL},
    [EN_QUANTITY_WORDS] = {"quantity-words.txt", 1, 1, false, NULL},
    [EN_FUNCTION_WORDS] = {"function-words.txt", 1, 1, false, NULL},
    [EN_YEAR_NOUNS] = {"year-nouns.txt", 1, 1, false, NULL},
    [EN_YEAR_WORDS] = {"year-words.txt", 1, 1, false, NULL},
    [EN_IDENTIFIER_WORDS] = {"identifier-words.txt", 1, 1, false, NULL},
    [EN_SENTENCE_STARTERS] = {"sentence-starters.txt", 1, 1, true, NULL},
    [EN_ROMAN_CARDINAL] = {"roman-cardinal-words.txt", 1, 1, false, NULL},
    [EN_REGNAL_NAMES] = {"regnal-names.txt", 1, 1, true, NULL},
    [EN_REGNAL_TITLES] = {"regnal-titles.txt", 1, 1, true, NULL},
    [EN_WORD_TLDS] = {"word-tlds.txt", 1, 1, false, NULL},
    [EN_KNOWN_TLDS] = {"known-tlds.txt", 1, 1, true, NULL},
    [EN_WORD_LIKE_TLDS] = {"word-like-tlds.txt", 1, 1, true, NULL},
    [EN_PHONE_WORDS] = {"phone-words.txt", 1, 1, false, NULL},
    [EN_NOT_AFTER_ARTICLE] = {"not-after-article.txt", 1, 1, true, NULL},
    [EN_SYLLABLE_ONSETS] = {"syllable-onsets.txt", 1, 1, true, NULL},
    [EN_SYLLABLE_CODAS] = {"syllable-codas.txt", 1, 1, true, NULL},
};

/* ---- Loading ------------------------------------------------------------- */

void en_words_free(en_words *w) {
  if (!w)
    return;
  for (int i = 0; i < T_N_TABLES; i++)
    nz_table_free(&w->table[i]);
  for (int i = 0; i < EN_N_LISTS; i++)
    nz_table_free(&w->list[i]);
  free(w->units);
  free(w->per_words);
  free(w->currencies);
  free(w->sign_currency);
  free(w->code_currency);
  free(w->prefix_currency);
  free(w->signs);
  free(w->url_symbols);
  free(w->vulgar);
  free(w->abbrevs);
  free(w->month_of);
  free(w);
}

static int load_table(nz_table *t, const nz_table_spec *spec, en_find_fn find,
                      void *ctx, char *err, size_t errlen) {
  char rel[128];
  snprintf(rel, sizeof rel, "words/en/%s", spec->file);
  char *path = find(ctx, rel);
  if (!path) {
    snprintf(err, errlen,
             "%s not found in the voice directories (the English word "
             "tables ship in voices/words/en/)",
             rel);
    return AC_ERR_NOTFOUND;
  }
  int rc = nz_table_load(t, spec, path, err, errlen);
  free(path);
  return rc;
}

static int row_error(const nz_table *t, const nz_row *r, char *err,
                     size_t errlen, const char *what) {
  snprintf(err, errlen, "%s:%u: %s", t->path, r->line, what);
  return AC_ERR_FORMAT;
}

static int build_units(const nz_table *t, en_unit **out) {
  en_unit *u = calloc(t->n, sizeof *u);
  if (!u)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i < t->n; i++) {
    const nz_row *r = &t->rows[i];
    u[i] = (en_unit){r->f[0], r->f[1], r->f[2],
                     (r->exact ? 0u : UNIT_ANYCASE) |
                         ((r->flags & 1u) ? UNIT_NOSPACE : 0u)};
  }
  *out = u;
  return 0;
}

/* The code point that is the whole key of row r, or 0 when the key is
 * longer than one character. */
static uint32_t single_cp(const nz_row *r) {
  size_t len;
  uint32_t cp = nz_cp_at(r->f[0], r->key_len, 0, &len);
  return len == r->key_len ? cp : 0;
}

static int build_code_points(const nz_table *t, uint32_t **out, char *err,
                             size_t errlen) {
  uint32_t *v = calloc(t->n, sizeof *v);
  if (!v)
    return AC_ERR_NOMEM;
  *out = v;
  for (size_t i = 0; i < t->n; i++)
    if ((v[i] = single_cp(&t->rows[i])) == 0)
      return row_error(t, &t->rows[i], err, errlen,
                       "the first field must be one character");
  return 0;
}

/* For each row of t, the currency its second field names. */
static int link_currencies(const en_words *w, const nz_table *t,
                           const en_currency ***out, char *err, size_t errlen) {
  const en_currency **v = calloc(t->n, sizeof *v);
  if (!v)
    return AC_ERR_NOMEM;
  *out = v;
  const nz_table *cur = &w->table[T_CURRENCIES];
  for (size_t i = 0; i < t->n; i++) {
    const nz_row *r = &t->rows[i],
                 *c = nz_table_find(cur, r->f[1], strlen(r->f[1]));
    if (!c) {
      char what[160];
      snprintf(what, sizeof what, "'%s' is not a currency of currencies.tsv",
               r->f[1]);
      return row_error(t, r, err, errlen, what);
    }
    v[i] = &w->currencies[c - cur->rows];
  }
  return 0;
}

static int build_currencies(en_words *w, char *err, size_t errlen) {
  const nz_table *t = &w->table[T_CURRENCIES];
  w->currencies = calloc(t->n, sizeof *w->currencies);
  if (!w->currencies)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i < t->n; i++) {
    const nz_row *r = &t->rows[i];
    if (r->nf == 4)
      return row_error(t, r, err, errlen,
                       "a minor unit needs its singular and its plural");
    w->currencies[i] = (en_currency){r->f[1], r->f[2], r->f[3], r->f[4]};
  }
  int rc =
      build_code_points(&w->table[T_CURRENCY_SIGNS], &w->signs, err, errlen);
  if (rc == 0)
    rc = link_currencies(w, &w->table[T_CURRENCY_SIGNS], &w->sign_currency, err,
                         errlen);
  if (rc == 0)
    rc = link_currencies(w, &w->table[T_CURRENCY_CODES], &w->code_currency, err,
                         errlen);
  if (rc == 0)
    rc = link_currencies(w, &w->table[T_DOLLAR_PREFIXES], &w->prefix_currency,
                         err, errlen);
  return rc;
}

static int build_months(en_words *w, char *err, size_t errlen) {
  const nz_table *t = &w->table[T_MONTHS];
  w->month_of = calloc(t->n, sizeof *w->month_of);
  if (!w->month_of)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i < t->n; i++) {
    const nz_row *r = &t->rows[i];
    char *end;
    long m = strtol(r->f[1], &end, 10);
    if (*end || m < 1 || m > 12)
      return row_error(t, r, err, errlen,
                       "the month must be a number from 1 to 12");
    w->month_of[i] = (int)m;
    if (r->flags & 1u)
      continue; /* an abbreviation */
    if (w->month_name[m])
      return row_error(t, r, err, errlen,
                       "a second full name for this month (mark "
                       "abbreviations 'abbrev')");
    w->month_name[m] = r->f[0];
  }
  for (int m = 1; m <= 12; m++) {
    if (!w->month_name[m]) {
      snprintf(err, errlen, "%s: month %d has no full name", t->path, m);
      return AC_ERR_FORMAT;
    }
  }
  return 0;
}

static int build_abbrevs(en_words *w) {
  const nz_table *t = &w->table[T_ABBREVIATIONS];
  w->abbrevs = calloc(t->n, sizeof *w->abbrevs);
  if (!w->abbrevs)
    return AC_ERR_NOMEM;
  /* Flag bits in abbrev_flags order are the AB_* bits. */
  for (size_t i = 0; i < t->n; i++)
    w->abbrevs[i] =
        (en_abbrev){t->rows[i].f[0], t->rows[i].f[1], t->rows[i].flags};
  return 0;
}

static int build_views(en_words *w, char *err, size_t errlen) {
  int rc = build_units(&w->table[T_UNITS], &w->units);
  if (rc == 0)
    rc = build_units(&w->table[T_PER_WORDS], &w->per_words);
  if (rc == 0)
    rc = build_currencies(w, err, errlen);
  if (rc == 0)
    rc = build_months(w, err, errlen);
  if (rc == 0)
    rc = build_abbrevs(w);
  if (rc == 0)
    rc = build_code_points(&w->table[T_URL_SYMBOLS], &w->url_symbols, err,
                           errlen);
  if (rc == 0)
    rc = build_code_points(&w->table[T_VULGAR], &w->vulgar, err, errlen);
  if (rc == AC_ERR_NOMEM)
    snprintf(err, errlen, "out of memory");
  return rc;
}

int en_words_load(en_words **out, en_find_fn find, void *ctx, char *err,
                  size_t errlen) {
  en_words *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  int rc = 0;
  for (int i = 0; i < T_N_TABLES && rc == 0; i++)
    rc = load_table(&w->table[i], &table_specs[i], find, ctx, err, errlen);
  for (int i = 0; i < EN_N_LISTS && rc == 0; i++)
    rc = load_table(&w->list[i], &list_specs[i], find, ctx, err, errlen);
  if (rc == 0)
    rc = build_views(w, err, errlen);
  if (rc) {
    en_words_free(w);
    return rc;
  }
  *out = w;
  return 0;
}

/* ---- Lookups ------------------------------------------------------------- */

bool en_in(const en_words *W, en_list list, const char *w, size_t n) {
  return nz_table_has(&W->list[list], w, n);
}

/* The index of row r in table t. */
static size_t row_index(const nz_table *t, const nz_row *r) {
  return (size_t)(r - t->rows);
}

static bool unit_matches(const en_unit *u, const char *w, size_t n) {
  size_t m;
  if (u->flags & UNIT_ANYCASE)
    return nz_prefix_ci(w, n, u->text, strlen(u->text), &m) && m == n;
  return strlen(u->text) == n && memcmp(w, u->text, n) == 0;
}

const en_unit *en_unit_at(const en_words *W, const char *s, size_t n, size_t at,
                          size_t *len) {
  const en_unit *best = NULL;
  size_t best_len = 0;
  const nz_table *t = &W->table[T_UNITS];
  for (size_t i = 0; i < t->n; i++) {
    const en_unit *u = &W->units[i];
    size_t k = strlen(u->text);
    if (k <= best_len || k > n - at || !unit_matches(u, s + at, k))
      continue;
    /* A unit ends a word: "12 kg," but not "12 kgx" or "5 mi6". */
    size_t l;
    if (at + k < n && nz_cp_word(nz_cp_at(s, n, at + k, &l)))
      continue;
    best = u;
    best_len = k;
  }
  if (best)
    *len = best_len;
  return best;
}

const en_unit *en_unit_word(const en_words *W, const char *w, size_t n) {
  const nz_table *t = &W->table[T_UNITS];
  for (size_t i = 0; i < t->n; i++)
    if (unit_matches(&W->units[i], w, n))
      return &W->units[i];
  const nz_row *r = nz_table_find(&W->table[T_PER_WORDS], w, n);
  return r ? &W->per_words[row_index(&W->table[T_PER_WORDS], r)] : NULL;
}

const en_currency *en_currency_symbol(const en_words *W, uint32_t cp) {
  const nz_table *t = &W->table[T_CURRENCY_SIGNS];
  for (size_t i = 0; i < t->n; i++)
    if (W->signs[i] == cp)
      return W->sign_currency[i];
  return NULL;
}

const en_currency *en_currency_dollar_prefix(const en_words *W, const char *w,
                                             size_t n) {
  const nz_table *t = &W->table[T_DOLLAR_PREFIXES];
  const nz_row *r = nz_table_find(t, w, n);
  return r ? W->prefix_currency[row_index(t, r)] : NULL;
}

const en_currency *en_currency_code(const en_words *W, const char *w,
                                    size_t n) {
  const nz_table *t = &W->table[T_CURRENCY_CODES];
  const nz_row *r = nz_table_find(t, w, n);
  return r ? W->code_currency[row_index(t, r)] : NULL;
}

const char *en_money_scale(const en_words *W, const char *w, size_t n,
                           bool attached) {
  const nz_row *r = nz_table_find(&W->table[T_MONEY_SCALES], w, n);
  if (!r)
    return NULL;
  /* A lone "M" or "K" after a space is more often something else. */
  if (!attached && n == 1 && (w[0] == 'M' || w[0] == 'K'))
    return NULL;
  return r->f[1];
}

int en_month(const en_words *W, const char *w, size_t n, bool *abbrev) {
  const nz_table *t = &W->table[T_MONTHS];
  const nz_row *r = nz_table_find(t, w, n);
  if (!r)
    return 0;
  *abbrev = (r->flags & 1u) != 0;
  return W->month_of[row_index(t, r)];
}

const char *en_month_name(const en_words *W, int month) {
  return month >= 1 && month <= 12 ? W->month_name[month] : "";
}

const char *en_weekday(const en_words *W, const char *w, size_t n) {
  const nz_row *r = nz_table_find(&W->table[T_WEEKDAYS], w, n);
  return r ? r->f[1] : NULL;
}

const en_abbrev *en_abbrev_find(const en_words *W, const char *w, size_t n) {
  const nz_table *t = &W->table[T_ABBREVIATIONS];
  const nz_row *r = nz_table_find(t, w, n);
  if (!r)
    return NULL;
  const en_abbrev *a = &W->abbrevs[row_index(t, r)];
  /* Titles and names are capitalized: "dr" is not "Doctor". */
  size_t len;
  if ((a->flags & (AB_TITLE | AB_AFTER_NAME)) &&
      !nz_cp_upper(nz_cp_at(w, n, 0, &len)))
    return NULL;
  return a;
}

static const char *second_field(const nz_table *t, const char *w, size_t n) {
  const nz_row *r = nz_table_find(t, w, n);
  return r ? r->f[1] : NULL;
}

const char *en_dotted_abbrev(const en_words *W, const char *w, size_t n) {
  return second_field(&W->table[T_DOTTED], w, n);
}

const char *en_street_type(const en_words *W, const char *w, size_t n) {
  return second_field(&W->table[T_STREET_TYPES], w, n);
}

const char *en_direction(const en_words *W, const char *w, size_t n) {
  return second_field(&W->table[T_DIRECTIONS], w, n);
}

const char *en_state(const en_words *W, const char *w, size_t n,
                     bool *ambiguous) {
  const nz_row *r = nz_table_find(&W->table[T_US_STATES], w, n);
  if (!r)
    return NULL;
  *ambiguous = (r->flags & 1u) != 0;
  return r->f[1];
}

const char *en_url_symbol(const en_words *W, uint32_t cp) {
  const nz_table *t = &W->table[T_URL_SYMBOLS];
  for (size_t i = 0; i < t->n; i++)
    if (W->url_symbols[i] == cp)
      return t->rows[i].f[1];
  return NULL;
}

bool en_vulgar(const en_words *W, uint32_t cp, const char **alone,
               const char **after_and) {
  const nz_table *t = &W->table[T_VULGAR];
  for (size_t i = 0; i < t->n; i++) {
    if (W->vulgar[i] == cp) {
      *alone = t->rows[i].f[1];
      *after_and = t->rows[i].f[2];
      return true;
    }
  }
  return false;
}
