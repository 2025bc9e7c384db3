/*
 * Number words: cardinals, ordinals, digit strings and years, in English.
 */
#include "nz.h"

#include <string.h>

static const char *const ones[] = {
    "zero",    "one",     "two",       "three",    "four",
    "five",    "six",     "seven",     "eight",    "nine",
    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const tens[] = {"",       "",      "twenty", "thirty",
                                   "forty",  "fifty", "sixty",  "seventy",
                                   "eighty", "ninety"};
/* Scale words for groups of three digits; 10^21 is the largest. */
static const char *const scales[] = {
    "",         "thousand",    "million",     "billion",
    "trillion", "quadrillion", "quintillion", "sextillion"};
#define MAX_GROUPS 8

bool nz_value(const char *d, size_t n, uint64_t *v) {
  if (n > 18)
    return false;
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++)
    x = x * 10 + (uint64_t)(d[i] - '0');
  *v = x;
  return true;
}

/* 0..99 without "and". */
static void below_hundred(nz_str *b, unsigned v) {
  if (v < 20) {
    nz_str_word(b, ones[v]);
    return;
  }
  nz_str_word(b, tens[v / 10]);
  if (v % 10)
    nz_str_word(b, ones[v % 10]);
}

/* 1..999; `and` puts "and" between the hundreds and the rest. */
static void below_thousand(nz_str *b, unsigned v, bool and) {
  if (v >= 100) {
    nz_str_word(b, ones[v / 100]);
    nz_str_word(b, "hundred");
    v %= 100;
    if (v == 0)
      return;
    if (and)
      nz_str_word(b, "and");
  }
  below_hundred(b, v);
}

bool nz_cardinal(nz_str *b, const char *d, size_t n, int flags) {
  while (n > 1 && d[0] == '0') {
    d++;
    n--;
  }
  if (n == 0)
    return false;
  if (n > MAX_GROUPS * 3)
    return false;
  if (n == 1 && d[0] == '0') {
    nz_str_word(b, "zero");
    return true;
  }
  /* Groups of three from the left; the first may be shorter. */
  unsigned groups[MAX_GROUPS];
  size_t ng = (n + 2) / 3;
  size_t first = n - (ng - 1) * 3;
  size_t pos = 0;
  for (size_t g = 0; g < ng; g++) {
    size_t len = g == 0 ? first : 3;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++)
      v = v * 10 + (unsigned)(d[pos + i] - '0');
    groups[g] = v;
    pos += len;
  }
  /* Newsreaders say "and" in numbers below a million ("eighteen thousand
   * and ninety five"); in millions and up it gets in the way. */
  bool and = (flags & NZ_AND) && ng <= 2;
  for (size_t g = 0; g < ng; g++) {
    unsigned v = groups[g];
    if (v == 0)
      continue;
    size_t scale = ng - 1 - g;
    if (scale == 0 && and&&ng > 1 && v < 100)
      nz_str_word(b, "and");
    below_thousand(b, v, and);
    if (scale > 0)
      nz_str_word(b, scales[scale]);
  }
  return true;
}

bool nz_cardinal_u(nz_str *b, uint64_t v, int flags) {
  char d[24];
  size_t n = 0;
  char tmp[24];
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++)
    d[i] = tmp[n - 1 - i];
  return nz_cardinal(b, d, n, flags);
}

void nz_digits(nz_str *b, const char *d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (d[i] >= '0' && d[i] <= '9')
      nz_str_word(b, ones[d[i] - '0']);
  }
}

/* Start of the last word of b. */
static size_t last_word(const nz_str *b) {
  size_t i = b->len;
  while (i > 0 && b->s[i - 1] != ' ')
    i--;
  return i;
}

void nz_ordinalize_last(nz_str *b) {
  if (b->len == 0 || b->oom)
    return;
  static const char *const irregular[][2] = {
      {"one", "first"},     {"two", "second"},   {"three", "third"},
      {"five", "fifth"},    {"eight", "eighth"}, {"nine", "ninth"},
      {"twelve", "twelfth"}};
  size_t w = last_word(b);
  const char *word = b->s + w;
  for (size_t i = 0; i < sizeof irregular / sizeof *irregular; i++) {
    if (strcmp(word, irregular[i][0]) == 0) {
      b->len = w;
      nz_str_adds(b, irregular[i][1]);
      return;
    }
  }
  if (b->s[b->len - 1] == 'y') {
    b->len--; /* twenty -> twentieth */
    nz_str_adds(b, "ieth");
    return;
  }
  nz_str_adds(b, "th");
}

void nz_pluralize_last(nz_str *b) {
  if (b->len == 0 || b->oom)
    return;
  char last = b->s[b->len - 1];
  if (last == 'y') {
    b->len--;
    nz_str_adds(b, "ies");
  } else if (last == 'x' || last == 's') {
    nz_str_adds(b, "es");
  } else {
    nz_str_adds(b, "s");
  }
}

bool nz_ordinal(nz_str *b, const char *d, size_t n, int flags) {
  if (!nz_cardinal(b, d, n, flags))
    return false;
  nz_ordinalize_last(b);
  return true;
}

bool nz_ordinal_u(nz_str *b, uint64_t v, int flags) {
  if (!nz_cardinal_u(b, v, flags))
    return false;
  nz_ordinalize_last(b);
  return true;
}

void nz_year(nz_str *b, const char *d, size_t n) {
  uint64_t v;
  if (n != 4 || !nz_value(d, n, &v) || d[0] == '0') {
    nz_cardinal(b, d, n, 0);
    return;
  }
  unsigned hi = (unsigned)(v / 100), lo = (unsigned)(v % 100);
  if (v % 1000 == 0) {
    nz_cardinal_u(b, v, 0); /* two thousand */
  } else if (hi % 10 == 0 && lo < 10) {
    /* 2001..2009: "two thousand nine"; likewise 1001..1009. */
    nz_cardinal_u(b, v, 0);
  } else if (lo == 0) {
    below_hundred(b, hi); /* nineteen hundred */
    nz_str_word(b, "hundred");
  } else {
    below_hundred(b, hi);
    if (lo < 10)
      nz_str_word(b, "oh"); /* nineteen oh five */
    below_hundred(b, lo);
  }
}
