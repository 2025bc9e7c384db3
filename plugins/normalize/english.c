/*
 * Text normalization: written forms to the words a newsreader says.
 *
 * The text is cut into tokens (runs of letters, runs of digits, runs of
 * spaces, single punctuation marks). At each token the rules are tried in a
 * fixed order; the first that matches consumes one or more tokens and says
 * them through nz_replace, which records the map back to the written text.
 * Tokens no rule takes are kept as written. For languages other than
 * English only the lexicon applies.
 *
 * Rule order matters: a lexicon entry beats everything; e-mail addresses,
 * URLs and phone numbers are recognized before their digits could be read
 * as numbers; dates and times before plain numbers; money before measures.
 */
#include "en_words.h"
#include "nz.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE ((size_t)-1)

/* ---- Tokens -------------------------------------------------------------- */

typedef enum { T_END, T_SPACE, T_WORD, T_NUM, T_PUNCT } ttype;

typedef struct tok {
  ttype t;
  uint32_t s, e; /* bytes [s, e) of the text */
  uint32_t cp;   /* PUNCT: its code point */
  uint32_t chunk;
} tok;

typedef struct en {
  const char *s;
  size_t n;
  tok *t;
  size_t nt;    /* t[nt] is the T_END sentinel */
  bool *serial; /* per chunk (run of tokens between spaces): a code such
                   as "t-0t25d12-f", whose numbers are read as in a serial
                   number */
  nz_out *o;
  const nz_opts *opt;
  const en_words *W; /* the word tables */
  nz_str w;          /* the spoken words a rule builds */
} en;

static int tokenize(en *c) {
  size_t cap = 64, nt = 0;
  tok *t = malloc(cap * sizeof *t);
  if (!t)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i <= c->n;) {
    if (nt + 1 >= cap) {
      cap *= 2;
      tok *g = realloc(t, cap * sizeof *t);
      if (!g) {
        free(t);
        return AC_ERR_NOMEM;
      }
      t = g;
    }
    if (i == c->n) {
      t[nt] = (tok){T_END, (uint32_t)i, (uint32_t)i, 0, 0};
      break;
    }
    size_t len;
    uint32_t cp = nz_cp_at(c->s, c->n, i, &len);
    size_t j = i + len;
    ttype ty;
    if (nz_cp_space(cp)) {
      ty = T_SPACE;
      while (j < c->n) {
        size_t l2;
        if (!nz_cp_space(nz_cp_at(c->s, c->n, j, &l2)))
          break;
        j += l2;
      }
    } else if (cp >= '0' && cp <= '9') {
      ty = T_NUM;
      while (j < c->n && isdigit((unsigned char)c->s[j]))
        j++;
    } else if (nz_cp_letter(cp)) {
      ty = T_WORD;
      while (j < c->n) {
        size_t l2;
        if (!nz_cp_letter(nz_cp_at(c->s, c->n, j, &l2)))
          break;
        j += l2;
      }
    } else {
      ty = T_PUNCT;
    }
    t[nt++] = (tok){ty, (uint32_t)i, (uint32_t)j, ty == T_PUNCT ? cp : 0, 0};
    i = j;
  }
  c->t = t;
  c->nt = nt;
  /* Chunks: runs of tokens between spaces. A chunk with letters, digits and
   * at least two hyphens or slashes is a code ("1-413-te-b-1-5"). */
  size_t n_chunks = 0;
  for (size_t k = 0; k < nt; k++) {
    if (t[k].t == T_SPACE && k > 0 && t[k - 1].t != T_SPACE)
      n_chunks++;
    t[k].chunk = (uint32_t)n_chunks;
  }
  t[nt].chunk = (uint32_t)n_chunks + 1;
  c->serial = calloc(n_chunks + 2, sizeof *c->serial);
  if (!c->serial)
    return AC_ERR_NOMEM;
  for (size_t k = 0; k < nt;) {
    size_t e = k;
    bool letters = false, digits = false;
    int seps = 0;
    while (e < nt && t[e].chunk == t[k].chunk) {
      if (t[e].t == T_WORD)
        letters = true;
      else if (t[e].t == T_NUM)
        digits = true;
      else if (t[e].t == T_PUNCT && (t[e].cp == '-' || t[e].cp == '/'))
        seps++;
      e++;
    }
    c->serial[t[k].chunk] = letters && digits && seps >= 2;
    k = e;
  }
  return 0;
}

/* ---- Token helpers ------------------------------------------------------- */

static const tok *T(const en *c, size_t k) {
  return &c->t[k < c->nt ? k : c->nt];
}
static bool is_t(const en *c, size_t k, ttype ty) {
  return T(c, k)->t == ty;
}
static bool is_p(const en *c, size_t k, uint32_t cp) {
  const tok *x = T(c, k);
  return x->t == T_PUNCT && x->cp == cp;
}
static size_t tl(const en *c, size_t k) {
  return T(c, k)->e - T(c, k)->s;
}
static const char *ts(const en *c, size_t k) {
  return c->s + T(c, k)->s;
}
static bool weq(const en *c, size_t k, const char *w) {
  return is_t(c, k, T_WORD) && tl(c, k) == strlen(w) &&
         strncasecmp(ts(c, k), w, tl(c, k)) == 0;
}
/* Words after a number that show it does not count them: function words
 * ("in 2014 and") and nouns a year qualifies ("the 2019 election"). */
static bool not_counted(const en *c, const char *w, size_t n) {
  return en_in(c->W, EN_FUNCTION_WORDS, w, n) ||
         en_in(c->W, EN_YEAR_NOUNS, w, n);
}
static bool is_alnum_tok(const en *c, size_t k) {
  return is_t(c, k, T_WORD) || is_t(c, k, T_NUM);
}
/* A hyphen, en dash or minus sign. */
static bool is_dash(const en *c, size_t k) {
  return is_p(c, k, '-') || is_p(c, k, 0x2013) || is_p(c, k, 0x2212);
}
/* The first code point of token k. */
static uint32_t first_cp(const en *c, size_t k) {
  size_t len;
  return nz_cp_at(ts(c, k), tl(c, k), 0, &len);
}
static bool word_cap(const en *c, size_t k) {
  return is_t(c, k, T_WORD) && nz_cp_upper(first_cp(c, k));
}
/* Every letter of word k passes `test` (marks have no case and pass). */
static bool word_all(const en *c, size_t k, bool (*test)(uint32_t)) {
  if (!is_t(c, k, T_WORD))
    return false;
  const char *w = ts(c, k);
  size_t n = tl(c, k), len;
  for (size_t i = 0; i < n; i += len) {
    uint32_t cp = nz_cp_at(w, n, i, &len);
    if (!test(cp) && (i == 0 || nz_cp_upper(cp) || nz_cp_lower(cp)))
      return false;
  }
  return true;
}
static bool word_all_upper(const en *c, size_t k) {
  return word_all(c, k, nz_cp_upper);
}
static bool word_all_lower(const en *c, size_t k) {
  return word_all(c, k, nz_cp_lower);
}
/* The word before token k, skipping one run of spaces. */
static size_t prev_word(const en *c, size_t k) {
  if (k == 0 || k > c->nt)
    return NONE;
  size_t j = k - 1;
  if (c->t[j].t == T_SPACE) {
    if (j == 0)
      return NONE;
    j--;
  }
  return c->t[j].t == T_WORD ? j : NONE;
}
/* The word starting at token k or after one run of spaces. */
static size_t next_word(const en *c, size_t k) {
  if (is_t(c, k, T_SPACE))
    k++;
  return is_t(c, k, T_WORD) ? k : NONE;
}
/* True when what starts at token k begins a new sentence: the end of the
 * text, or a space and then a capitalized word (after opening quotes). */
static bool starts_sentence(const en *c, size_t k) {
  if (is_t(c, k, T_END))
    return true;
  if (!is_t(c, k, T_SPACE))
    return false;
  k++;
  while (is_p(c, k, '"') || is_p(c, k, '\'') || is_p(c, k, '(') ||
         is_p(c, k, 0x201C) || is_p(c, k, 0x2018))
    k++;
  return is_t(c, k, T_END) || word_cap(c, k);
}
/* Token index whose start is byte `b`, searching from k; NONE if b falls
 * inside a token. */
static size_t tok_starting_at(const en *c, size_t k, size_t b) {
  for (; k <= c->nt; k++) {
    if (T(c, k)->s == b)
      return k;
    if (T(c, k)->s > b)
      return NONE;
  }
  return NONE;
}

static void say(en *c, size_t k0, size_t k1, const char *s, size_t n) {
  nz_replace(c->o, T(c, k0)->s, T(c, k1 - 1)->e, s, n);
}
static void says(en *c, size_t k0, size_t k1, const char *s) {
  say(c, k0, k1, s, strlen(s));
}
/* Says c->w for tokens [k0, k1) and clears it. */
static void say_w(en *c, size_t k0, size_t k1) {
  say(c, k0, k1, c->w.s ? c->w.s : "", c->w.len);
  nz_str_clear(&c->w);
}

/* ---- Numbers ------------------------------------------------------------- */

typedef struct num {
  size_t k0, k1; /* tokens [k0, k1) */
  char ip[48];   /* integer digits without separators; may be empty */
  size_t ni;
  char fp[48]; /* digits after the decimal point */
  size_t nf;
  bool frac;  /* has a decimal point */
  bool comma; /* written with thousands separators */
} num;

/* The kind of digit-group separator token k is: 2 for a no-break or thin
 * space (only ever a separator), 1 for one plain space, 0 for neither. */
static int group_space(const en *c, size_t k) {
  if (!is_t(c, k, T_SPACE))
    return 0;
  size_t len;
  uint32_t cp = nz_cp_at(ts(c, k), tl(c, k), 0, &len);
  if (len != tl(c, k))
    return 0;
  if (cp == 0xA0 || cp == 0x2009 || cp == 0x202F)
    return 2;
  return cp == ' ' ? 1 : 0;
}

/* Digit groups separated by spaces after the first group, which ends at
 * token j: "12 500", "1 234 567", "10\u202F000". Every group after the
 * first has three digits. With plain spaces the groups must stand alone:
 * no number just before them ("in 5 100 200") or just after ("555 123
 * 4567"). Returns the token after the last group taken. */
static size_t space_groups(const en *c, size_t j, num *m) {
  size_t e = j, n = m->ni;
  char ip[sizeof m->ip];
  memcpy(ip, m->ip, n);
  int kind = group_space(c, e);
  while (kind && group_space(c, e) == kind && is_t(c, e + 1, T_NUM) &&
         tl(c, e + 1) == 3 && n + 3 < sizeof ip && !is_alnum_tok(c, e + 2) &&
         !(is_p(c, e + 2, '-') && is_t(c, e + 3, T_WORD))) {
    memcpy(ip + n, ts(c, e + 1), 3);
    n += 3;
    e += 2;
  }
  if (e == j)
    return j;
  if (kind == 1) {
    size_t k0 = m->k0, groups = (e - j) / 2;
    bool number_before = k0 >= 2 && is_t(c, k0 - 1, T_SPACE) &&
                         (is_t(c, k0 - 2, T_NUM) || is_dash(c, k0 - 2));
    bool number_after = is_t(c, e, T_SPACE) && is_t(c, e + 1, T_NUM);
    if (number_before || number_after || *ts(c, k0) == '0')
      return j;
    /* "123 456" may be two numbers; a group with a leading zero ("100
     * 000"), a short first group ("12 500") or several groups ("1 234
     * 567") may not. */
    bool zero_group = false;
    for (size_t g = j + 1; g < e; g += 2)
      zero_group = zero_group || *ts(c, g) == '0';
    if (!zero_group && m->ni == 3 && groups == 1)
      return j;
  }
  memcpy(m->ip, ip, n);
  m->ni = n;
  m->comma = true;
  return e;
}

/* Parses a number at token k: "123", "1,234,567", "3.85", ".5". A decimal
 * point followed by digits and another point ("1.2.3", "01.10.2010") is
 * not taken as one. */
static bool parse_num(const en *c, size_t k, num *m) {
  memset(m, 0, sizeof *m);
  m->k0 = k;
  size_t j = k;
  if (is_t(c, j, T_NUM)) {
    if (tl(c, j) >= sizeof m->ip)
      return false;
    memcpy(m->ip, ts(c, j), tl(c, j));
    m->ni = tl(c, j);
    j++;
    if (m->ni <= 3) {
      while (is_p(c, j, ',') && is_t(c, j + 1, T_NUM) && tl(c, j + 1) == 3 &&
             m->ni + 3 < sizeof m->ip) {
        memcpy(m->ip + m->ni, ts(c, j + 1), 3);
        m->ni += 3;
        m->comma = true;
        j += 2;
      }
      if (!m->comma)
        j = space_groups(c, j, m);
    }
  } else if (!(is_p(c, j, '.') && is_t(c, j + 1, T_NUM) &&
               !(j > 0 && is_alnum_tok(c, j - 1)))) {
    return false;
  }
  if (is_p(c, j, '.') && is_t(c, j + 1, T_NUM) &&
      !(is_p(c, j + 2, '.') && is_t(c, j + 3, T_NUM)) &&
      tl(c, j + 1) < sizeof m->fp) {
    m->frac = true;
    memcpy(m->fp, ts(c, j + 1), tl(c, j + 1));
    m->nf = tl(c, j + 1);
    j += 2;
  }
  if (!m->frac && m->ni == 0)
    return false;
  m->k1 = j;
  return true;
}

static bool num_is(const num *m, uint64_t v) {
  uint64_t x;
  return !m->frac && nz_value(m->ip, m->ni, &x) && x == v;
}

static uint64_t num_int(const num *m) {
  uint64_t v = 0;
  if (!nz_value(m->ip, m->ni, &v))
    return UINT64_MAX;
  return v;
}

enum { RD_AUTO, RD_CARD, RD_YEAR, RD_SERIAL, RD_DIGITS };

/* Reads an integer digit string. AUTO: up to three digits and grouped
 * numbers as cardinals, four digits from 1000 to 2099 as a year, longer
 * runs digit by digit (an unseparated long number is an identifier). */
static void read_int(nz_str *b, const char *d, size_t n, bool grouped, int how,
                     int flags) {
  if (n == 0)
    return;
  if (n > 1 && d[0] == '0' && !grouped) {
    nz_digits(b, d, n); /* "004", "0161" */
    return;
  }
  uint64_t v = 0;
  switch (how) {
  case RD_DIGITS:
    nz_digits(b, d, n);
    return;
  case RD_SERIAL:
    if (n <= 3)
      nz_cardinal(b, d, n, 0);
    else
      nz_digits(b, d, n);
    return;
  case RD_YEAR:
    if (n == 4) {
      nz_year(b, d, n);
      return;
    }
    break;
  case RD_AUTO:
    if (grouped)
      break;
    if (n == 4 && nz_value(d, n, &v) && v >= 1000 && v <= 2099) {
      nz_year(b, d, n);
      return;
    }
    if (n >= 5) {
      nz_digits(b, d, n);
      return;
    }
    break;
  default:
    break;
  }
  if (!nz_cardinal(b, d, n, flags))
    nz_digits(b, d, n);
}

static void read_num(nz_str *b, const num *m, int how, int flags) {
  if (m->frac) {
    if (m->ni > 0)
      read_int(b, m->ip, m->ni, true, RD_CARD, flags);
    nz_str_word(b, "point");
    nz_digits(b, m->fp, m->nf);
    return;
  }
  read_int(b, m->ip, m->ni, m->comma, how, flags);
}

/* How context reads a plain integer of four or more digits: after "over"
 * or before "people" it counts (cardinal); after "PIN" or "ending in" it is
 * an identifier (digits); after "in" or "the" it is a year. */
static int int_context(const en *c, const num *m, size_t first) {
  if (m->frac || m->comma || m->ni < 4)
    return RD_AUTO;
  size_t pw = prev_word(c, first);
  if (pw != NONE) {
    const char *w = ts(c, pw);
    size_t n = tl(c, pw);
    size_t pw2 = prev_word(c, pw);
    uint64_t v = num_int(m);
    bool yearish = m->ni == 4 && v >= 1000 && v <= 2099;
    if (en_in(c->W, EN_IDENTIFIER_WORDS, w, n) ||
        (pw2 != NONE && !yearish && (weq(c, pw, "in") || weq(c, pw, "with")) &&
         (weq(c, pw2, "ending") || weq(c, pw2, "ends"))))
      return RD_DIGITS;
    if (en_in(c->W, EN_QUANTITY_WORDS, w, n))
      return RD_CARD;
    bool abbrev;
    if (en_in(c->W, EN_YEAR_WORDS, w, n) || en_month(c->W, w, n, &abbrev))
      return m->ni == 4 ? RD_YEAR : RD_AUTO;
  }
  size_t nw = next_word(c, m->k1);
  bool abbrev;
  if (nw != NONE && is_t(c, m->k1, T_SPACE) && word_all_lower(c, nw) &&
      !not_counted(c, ts(c, nw), tl(c, nw)) &&
      !en_month(c->W, ts(c, nw), tl(c, nw), &abbrev))
    return RD_CARD;
  return RD_AUTO;
}

/* Ordinal suffix at token k matching the number's last digits: "st" after
 * 1 (not 11), "nd" after 2, "rd" after 3, "th" otherwise. *fits is false
 * for a suffix that does not fit ("4rd"). Returns false when k is no
 * suffix at all. */
static bool ordinal_suffix(const en *c, size_t k, const num *m, bool *fits) {
  if (!is_t(c, k, T_WORD) || tl(c, k) != 2 || m->frac || m->ni == 0)
    return false;
  const char *w = ts(c, k);
  const char *want;
  size_t n = m->ni;
  int last = m->ip[n - 1] - '0';
  int tens = n >= 2 ? m->ip[n - 2] - '0' : 0;
  if (tens == 1)
    want = "th";
  else if (last == 1)
    want = "st";
  else if (last == 2)
    want = "nd";
  else if (last == 3)
    want = "rd";
  else
    want = "th";
  static const char *const all[] = {"st", "nd", "rd", "th"};
  bool any = false;
  for (int i = 0; i < 4; i++)
    if (strncasecmp(w, all[i], 2) == 0)
      any = true;
  if (!any || is_alnum_tok(c, k + 1))
    return false;
  *fits = strncasecmp(w, want, 2) == 0 && !(m->ni > 1 && m->ip[0] == '0');
  return true;
}

/* ---- Verbatim spans ------------------------------------------------------ */

/* Inline phonemes "[[...]]", markup tags "<...>" and bracketed phonetic
 * transcriptions ("[HH AH0 L OW1]", "[poʊst]") are left as written. */
static size_t r_verbatim(en *c, size_t k) {
  if (!is_t(c, k, T_PUNCT))
    return 0;
  size_t b = T(c, k)->s, end = 0;
  const char *s = c->s;
  if (is_p(c, k, '[') && is_p(c, k + 1, '[')) {
    size_t i = b + 2;
    while (i + 1 < c->n && !(s[i] == ']' && s[i + 1] == ']'))
      i++;
    if (i + 1 >= c->n)
      return 0;
    end = i + 2;
  } else if (is_p(c, k, '<') &&
             (is_t(c, k + 1, T_WORD) || is_p(c, k + 1, '/'))) {
    size_t i = b + 1;
    while (i < c->n && i - b < 120 && s[i] != '>' && s[i] != '<' &&
           s[i] != '\n')
      i++;
    if (i >= c->n || s[i] != '>')
      return 0;
    end = i + 1;
  } else if (is_p(c, k, '[')) {
    size_t i = b + 1;
    bool ipa = false, arpabet = true, any = false;
    while (i < c->n && i - b < 120 && s[i] != ']' && s[i] != '[' &&
           s[i] != '\n') {
      unsigned char ch = (unsigned char)s[i];
      if (ch >= 0x80)
        ipa = true;
      if (!(isupper(ch) || isdigit(ch) || ch == ' '))
        arpabet = false;
      /* ARPAbet: upper-case phones, stress digits only after letters. */
      if (isdigit(ch) && (i == b + 1 || !isupper((unsigned char)s[i - 1])))
        arpabet = false;
      any = true;
      i++;
    }
    if (i >= c->n || s[i] != ']' || !any || !(ipa || arpabet))
      return 0;
    end = i + 1;
  } else {
    return 0;
  }
  size_t j = tok_starting_at(c, k, end);
  if (j == NONE)
    return 0;
  nz_keep(c->o, end);
  return j - k;
}

/* ---- Lexicon ------------------------------------------------------------- */

static size_t r_lexicon(en *c, size_t k) {
  const nz_lexicon *lx = c->opt->lexicon;
  if (!lx || is_t(c, k, T_SPACE) || is_t(c, k, T_END))
    return 0;
  size_t mlen;
  const nz_entry *e =
      nz_lexicon_match(lx, c->s, c->n, T(c, k)->s, c->opt->lang, true, &mlen);
  if (e) {
    size_t j = tok_starting_at(c, k, T(c, k)->s + mlen);
    if (j != NONE && j > k) {
      says(c, k, j, e->say);
      return j - k;
    }
  }
  if (!is_t(c, k, T_WORD))
    return 0;
  /* Entries marked `part` inside a longer word. */
  bool found = false;
  size_t p = T(c, k)->s, end = T(c, k)->e;
  while (p < end) {
    e = nz_lexicon_match(lx, c->s, end, p, c->opt->lang, false, &mlen);
    if (e && e->part) {
      nz_splice(c->o, p, p + mlen, e->say, strlen(e->say));
      p += mlen;
      found = true;
      continue;
    }
    size_t l;
    nz_cp_at(c->s, c->n, p, &l);
    p += l;
  }
  return found ? 1 : 0;
}

/* ---- E-mail addresses and URLs ------------------------------------------ */

static bool url_char(unsigned char ch) {
  return isalnum(ch) || strchr("-._~:/?#[]@!$&'()*+,;=%", ch) != NULL;
}
static bool label_char(unsigned char ch) {
  return isalnum(ch) || ch == '-';
}
static bool local_char(unsigned char ch) {
  return isalnum(ch) || strchr("._%+&'-", ch) != NULL;
}

/* Says an address or URL symbol by symbol: letters as words (the last
 * label of a host and file extensions spelled unless they are words such
 * as "com"), digits one by one. */
static void speak_electronic(en *c, size_t a, size_t b, nz_str *w) {
  const char *s = c->s;
  for (size_t i = a; i < b;) {
    unsigned char ch = (unsigned char)s[i];
    if (isalpha(ch)) {
      size_t j = i;
      bool upper = false, lower = false;
      while (j < b && isalpha((unsigned char)s[j])) {
        if (isupper((unsigned char)s[j]))
          upper = true;
        else
          lower = true;
        j++;
      }
      size_t n = j - i;
      /* A name in the lexicon ("amina" in an address) keeps its
       * pronunciation. */
      size_t ml;
      const nz_entry *e = c->opt->lexicon
                              ? nz_lexicon_match(c->opt->lexicon, s, j, i,
                                                 c->opt->lang, true, &ml)
                              : NULL;
      if (e && ml == n) {
        nz_str_word(w, e->say);
        i = j;
        continue;
      }
      bool after_dot = i > a && s[i - 1] == '.';
      bool last =
          j == b || s[j] == '/' || s[j] == ':' || s[j] == '?' || s[j] == '#';
      bool scheme = j + 2 < b && s[j] == ':' && s[j + 1] == '/';
      char buf[64];
      if (n < sizeof buf &&
          (scheme ||
           (n == 3 && strncasecmp(s + i, "www", 3) == 0 && j < b &&
            s[j] == '.') ||
           (after_dot && last && !en_in(c->W, EN_WORD_TLDS, s + i, n)))) {
        /* "http", "www", ".fr", ".html": spelled as capitals. */
        for (size_t k = 0; k < n; k++)
          buf[k] = (char)toupper((unsigned char)s[i + k]);
        nz_str_wordn(w, buf, n);
      } else if (upper && lower && n < sizeof buf) {
        /* "NeMo": mixed case reads better folded. */
        for (size_t k = 0; k < n; k++)
          buf[k] = (char)tolower((unsigned char)s[i + k]);
        nz_str_wordn(w, buf, n);
      } else {
        nz_str_wordn(w, s + i, n);
      }
      i = j;
      continue;
    }
    if (isdigit(ch)) {
      nz_digits(w, s + i, 1);
      i++;
      continue;
    }
    const char *name = en_url_symbol(c->W, ch);
    if (name) {
      nz_str_word(w, name);
      i++;
    } else {
      size_t l;
      nz_cp_at(s, b, i, &l);
      nz_str_wordn(w, s + i, l);
      i += l;
    }
  }
}

/* Length of a host name at s[i..]: labels separated by dots, at least two,
 * the last one of letters. Sets *tld to the start of the last label. */
static size_t host_len(const char *s, size_t n, size_t i, size_t *tld) {
  size_t j = i, labels = 0, last = i;
  for (;;) {
    size_t k = j;
    while (k < n && label_char((unsigned char)s[k]))
      k++;
    if (k == j)
      break;
    labels++;
    last = j;
    j = k;
    if (j + 1 < n && s[j] == '.' && label_char((unsigned char)s[j + 1]))
      j++;
    else
      break;
  }
  if (labels < 2)
    return 0;
  for (size_t k = last; k < j; k++)
    if (!isalpha((unsigned char)s[k]))
      return 0;
  if (j - last < 2)
    return 0;
  *tld = last;
  return j - i;
}

/* End of a URL path starting at s[i] (after the host), without trailing
 * punctuation that belongs to the sentence. */
static size_t path_end(const char *s, size_t n, size_t i) {
  size_t j = i;
  while (j < n && url_char((unsigned char)s[j]))
    j++;
  while (j > i && strchr(".,;:!?)'\"]", s[j - 1]))
    j--;
  return j;
}

static size_t r_electronic(en *c, size_t k) {
  if (!is_alnum_tok(c, k))
    return 0;
  const char *s = c->s;
  size_t a = T(c, k)->s, n = c->n, end = 0;
  if (a > 0 && (isalnum((unsigned char)s[a - 1]) || s[a - 1] == '@' ||
                s[a - 1] == '/' || s[a - 1] == '_'))
    return 0;
  /* scheme://... */
  size_t i = a;
  while (i < n && isalpha((unsigned char)s[i]))
    i++;
  if (i > a && i + 2 < n && s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
    end = path_end(s, n, i + 3);
  } else if (n - a > 4 && strncasecmp(s + a, "www.", 4) == 0) {
    end = path_end(s, n, a);
  } else {
    /* local@host */
    i = a;
    while (i < n && local_char((unsigned char)s[i]))
      i++;
    size_t tld;
    if (i < n && s[i] == '@' && i > a) {
      size_t h = host_len(s, n, i + 1, &tld);
      if (!h)
        return 0;
      end = i + 1 + h;
      if (end < n && s[end] == '/')
        end = path_end(s, n, end);
    } else {
      /* A bare host: "example.com", "news.bbc.co.uk/path". */
      size_t h = host_len(s, n, a, &tld);
      if (!h)
        return 0;
      size_t tn = a + h - tld;
      if (!en_in(c->W, EN_KNOWN_TLDS, s + tld, tn))
        return 0;
      end = a + h;
      bool path = end < n && s[end] == '/';
      size_t dots = 0;
      bool upper = false;
      for (size_t q = a; q < end; q++) {
        if (s[q] == '.')
          dots++;
        if (isupper((unsigned char)s[q]))
          upper = true;
      }
      /* "end.It" is a missing space, not a host: a short top-level domain
       * that is also an English word needs more evidence. */
      if (upper && !path && dots < 2)
        return 0;
      if (tn == 2 && en_in(c->W, EN_WORD_LIKE_TLDS, s + tld, 2) && !path &&
          dots < 2)
        return 0;
      if (path)
        end = path_end(s, n, end);
    }
  }
  if (end <= a)
    return 0;
  size_t j = tok_starting_at(c, k, end);
  if (j == NONE)
    return 0;
  speak_electronic(c, a, end, &c->w);
  say_w(c, k, j);
  return j - k;
}

/* ---- Telephone numbers and IP addresses ---------------------------------- */

typedef struct group {
  size_t k0, k1; /* tokens of the group (without parentheses) */
  bool word;
} group;

static void say_group(en *c, const group *g, nz_str *w) {
  for (size_t k = g->k0; k < g->k1; k++) {
    if (is_t(c, k, T_NUM)) {
      if (tl(c, k) == 3 && ts(c, k)[1] == '0' && ts(c, k)[2] == '0' &&
          ts(c, k)[0] == '8')
        nz_str_word(w, "eight hundred"); /* toll-free 800 */
      else
        nz_digits(w, ts(c, k), tl(c, k));
    } else if (is_t(c, k, T_WORD)) {
      nz_str_wordn(w, ts(c, k), tl(c, k));
    }
  }
}

static size_t r_phone(en *c, size_t k) {
  if (k > 0 &&
      (is_alnum_tok(c, k - 1) || is_p(c, k - 1, '/') || is_p(c, k - 1, '.') ||
       is_p(c, k - 1, '-') || is_p(c, k - 1, '$')))
    return 0;
  group g[10];
  size_t ng = 0, j = k;
  bool plus = false, parens = false, vanity = false;
  uint32_t sep = 0; /* separator between the main groups */
  bool mixed = false;
  if (is_p(c, j, '+') && is_t(c, j + 1, T_NUM) && tl(c, j + 1) <= 3) {
    plus = true;
    g[ng++] = (group){j + 1, j + 2, false};
    j += 2;
    if (is_t(c, j, T_SPACE) || is_p(c, j, '-') || is_p(c, j, '.'))
      j++;
    else if (!is_p(c, j, '('))
      return 0;
  }
  for (;;) {
    if (ng >= 9)
      break;
    if (is_p(c, j, '(') && is_t(c, j + 1, T_NUM) && is_p(c, j + 2, ')') &&
        ng <= 1) {
      parens = true;
      g[ng++] = (group){j + 1, j + 2, false};
      j += 3;
      if (is_t(c, j, T_SPACE) || is_p(c, j, '-'))
        j++;
      continue;
    }
    if (is_t(c, j, T_NUM) || (vanity && word_all_upper(c, j))) {
      g[ng++] = (group){j, j + 1, is_t(c, j, T_WORD)};
      j++;
    } else {
      break;
    }
    /* Vanity numbers: 1-800-GO-2-HAUL. */
    if (ng == 2 && g[0].k1 - g[0].k0 == 1 && tl(c, g[0].k0) == 1 &&
        *ts(c, g[0].k0) == '1' && is_t(c, g[1].k0, T_NUM) &&
        tl(c, g[1].k0) == 3 && ts(c, g[1].k0)[0] == '8' && !plus)
      vanity = true;
    uint32_t this_sep = is_t(c, j, T_SPACE) ? ' '
                        : is_p(c, j, '-')   ? '-'
                        : is_p(c, j, '.')   ? '.'
                                            : 0;
    if (!this_sep ||
        !(is_t(c, j + 1, T_NUM) || (vanity && word_all_upper(c, j + 1))))
      break;
    if (sep && this_sep != sep)
      mixed = true;
    sep = this_sep;
    j++;
  }
  size_t end = j;
  /* Undo a trailing separator that was not followed by a group. */
  while (end > k && (is_t(c, end - 1, T_SPACE) || is_p(c, end - 1, '-') ||
                     is_p(c, end - 1, '.')))
    end--;
  if (ng < 2 || is_alnum_tok(c, end))
    return 0;
  size_t len[10], digits = 0;
  for (size_t i = 0; i < ng; i++) {
    len[i] = is_t(c, g[i].k0, T_NUM) ? tl(c, g[i].k0) : 0;
    digits += len[i];
  }
  bool ip = false, ok = false;
  size_t first = plus ? 1 : 0;
  size_t rest = ng - first;
  if (!plus && !parens && !vanity && sep == '.' && !mixed && ng == 4) {
    ip = true;
    for (size_t i = 0; i < 4; i++)
      if (len[i] < 1 || len[i] > 3)
        ip = false;
    ok = ip;
  }
  if (!ok && vanity)
    ok = ng >= 3;
  if (!ok && rest >= 3 && !mixed &&
      (sep == '-' || sep == '.' || plus || parens)) {
    /* North American: [1] 3 3 4 [ext]. */
    size_t i = first;
    if (!plus && rest >= 4 && len[i] == 1 && *ts(c, g[i].k0) == '1')
      i++;
    if (ng - i >= 3 && len[i] == 3 && len[i + 1] == 3 && len[i + 2] == 4 &&
        (ng - i == 3 || (ng - i == 4 && len[i + 3] <= 5)))
      ok = true;
  }
  if (!ok && !plus && !parens && ng == 3 && sep == '-' && !mixed &&
      len[0] == 3 && len[1] == 2 && len[2] == 4)
    ok = true; /* 123-45-6789 */
  if (!ok && plus && rest >= 2 && digits - len[0] >= 6 && digits - len[0] <= 13)
    ok = true;
  if (!ok && !plus && len[0] >= 2 && len[0] <= 5 && *ts(c, g[0].k0) == '0' &&
      ng >= 2 && ng <= 4 && digits >= 9 && digits <= 12) {
    ok = true; /* 0161 496 0732 */
    for (size_t i = 1; i < ng; i++)
      if (len[i] < 3 || len[i] > 4)
        ok = false;
  }
  if (!ok && ng == 2 && len[0] == 3 && len[1] == 4 && sep != '.') {
    /* 555-1234: a local number, unless it looks like a range of round
     * numbers ("100-2000"); after "call" or "phone" always. */
    size_t pw = prev_word(c, k);
    const char *a = ts(c, g[0].k0), *b = ts(c, g[1].k0);
    bool round = a[2] == '0' && b[2] == '0' && b[3] == '0';
    ok = (pw != NONE && en_in(c->W, EN_PHONE_WORDS, ts(c, pw), tl(c, pw))) ||
         (sep == '-' && !round && a[0] != '0');
  }
  if (!ok)
    return 0;
  nz_str *w = &c->w;
  for (size_t i = 0; i < ng; i++) {
    if (i > 0)
      nz_str_adds(w, ip ? " dot" : ",");
    if (i == 0 && plus)
      nz_str_word(w, "plus");
    say_group(c, &g[i], w);
  }
  say_w(c, k, end);
  return end - k;
}

/* ---- Dates --------------------------------------------------------------- */

/* A token after a number that shows the number is not what we took it for:
 * "5:30", "5.5", "1,500", "5%", "5/8", letters or digits glued on. */
static bool number_continues(const en *c, size_t k) {
  if (is_alnum_tok(c, k) || is_p(c, k, '%') || is_p(c, k, '/'))
    return true;
  if ((is_p(c, k, ':') || is_p(c, k, '.') || is_p(c, k, ',')) &&
      is_t(c, k + 1, T_NUM))
    return true;
  return false;
}

/* Day 1..31 at token k, with an optional ordinal suffix. Returns the end
 * token or 0. */
static size_t day_at(const en *c, size_t k, int *day) {
  if (!is_t(c, k, T_NUM) || tl(c, k) > 2)
    return 0;
  uint64_t v;
  nz_value(ts(c, k), tl(c, k), &v);
  if (v < 1 || v > 31)
    return 0;
  size_t e = k + 1;
  if (is_t(c, e, T_WORD) && tl(c, e) == 2) {
    static const char *const suf[] = {"st", "nd", "rd", "th"};
    for (int i = 0; i < 4; i++)
      if (strncasecmp(ts(c, e), suf[i], 2) == 0)
        e++;
  }
  if (number_continues(c, e))
    return 0;
  *day = (int)v;
  return e;
}

/* Year 1000..2999 at token k. */
static size_t year_at(const en *c, size_t k) {
  if (!is_t(c, k, T_NUM) || tl(c, k) != 4 || *ts(c, k) == '0')
    return 0;
  if (*ts(c, k) > '2' || number_continues(c, k + 1))
    return 0;
  return k + 1;
}

/* Month name or abbreviation at token k (with the period of an
 * abbreviation). */
static size_t month_at(const en *c, size_t k, int *month, bool *abbrev) {
  if (!is_t(c, k, T_WORD))
    return 0;
  int m = en_month(c->W, ts(c, k), tl(c, k), abbrev);
  if (!m)
    return 0;
  *month = m;
  size_t e = k + 1;
  if (*abbrev && is_p(c, e, '.'))
    e++;
  return e;
}

/* Says the month written at tokens [k0, k1): abbreviations and capitals
 * become the full name; a full name is kept as written. */
static void say_month(en *c, size_t k0, size_t k1, int month, bool abbrev) {
  if (abbrev || word_all_upper(c, k0) || k1 - k0 > 1)
    says(c, k0, k1, en_month_name(c->W, month));
}

static void say_year(en *c, size_t k) {
  nz_year(&c->w, ts(c, k), tl(c, k));
  say_w(c, k, k + 1);
}

/* "May" and "March" are also words: as months they need a capital, or a
 * year after them. */
static bool month_word_ok(const en *c, size_t k, bool has_year) {
  if (has_year)
    return true;
  if (weq(c, k, "may") || weq(c, k, "march"))
    return word_cap(c, k);
  return true;
}

/* Optional ", 2012" or " 2012" after a date at token e. Returns the year
 * token or NONE. */
static size_t date_year(const en *c, size_t e) {
  size_t j = e;
  if (is_p(c, j, ','))
    j++;
  if (!is_t(c, j, T_SPACE))
    return NONE;
  j++;
  return year_at(c, j) ? j : NONE;
}

static size_t r_date_words(en *c, size_t k) {
  int month, day, day2;
  bool abbrev;
  size_t e1 = month_at(c, k, &month, &abbrev);
  if (e1) {
    /* Month first: "July 25, 2012", "Jan. 15", "Jan-15", "July 1876". */
    size_t d = NONE, e2 = 0;
    if ((is_t(c, e1, T_SPACE) || is_p(c, e1, '-')) &&
        (e2 = day_at(c, e1 + 1, &day)) != 0)
      d = e1 + 1;
    if (d != NONE) {
      size_t y = date_year(c, e2);
      if (!month_word_ok(c, k, y != NONE))
        return 0;
      say_month(c, k, e1, month, abbrev);
      if (is_p(c, e1, '-'))
        says(c, e1, e1 + 1, " ");
      nz_ordinal_u(&c->w, (uint64_t)day, 0);
      say_w(c, d, e2);
      if (y == NONE)
        return e2 - k;
      if (is_p(c, e2, ','))
        says(c, e2, e2 + 1, "");
      say_year(c, y);
      return y + 1 - k;
    }
    if (is_t(c, e1, T_SPACE) && year_at(c, e1 + 1)) {
      say_month(c, k, e1, month, abbrev);
      say_year(c, e1 + 1);
      return e1 + 2 - k;
    }
    return 0;
  }
  /* Day first: "25 July 2012", "4th of July" is left to the ordinal rule;
   * "2 and 9 April", "2-9 April". */
  if (k > 0 &&
      (is_alnum_tok(c, k - 1) || is_p(c, k - 1, '$') || is_p(c, k - 1, '.') ||
       is_p(c, k - 1, '/') || is_p(c, k - 1, ',')))
    return 0;
  size_t e2 = day_at(c, k, &day);
  if (!e2)
    return 0;
  size_t second = NONE, e3 = e2, joiner = NONE;
  if (is_t(c, e2, T_SPACE) && weq(c, e2 + 1, "and") &&
      is_t(c, e2 + 2, T_SPACE) && (e3 = day_at(c, e2 + 3, &day2)) != 0) {
    second = e2 + 3;
    joiner = e2 + 1;
  } else if (is_dash(c, e2) && (e3 = day_at(c, e2 + 1, &day2)) != 0) {
    second = e2 + 1;
    joiner = e2;
  } else {
    e3 = e2;
  }
  size_t m0 = e3 + 1, m1;
  if (!(is_t(c, e3, T_SPACE) || is_p(c, e3, '-')) ||
      !(m1 = month_at(c, m0, &month, &abbrev))) {
    if (second == NONE)
      return 0;
    /* "2 and 9" without a month: only the first day was a candidate. */
    return 0;
  }
  if (is_alnum_tok(c, m1))
    return 0;
  size_t y = date_year(c, m1);
  if (!month_word_ok(c, m0, y != NONE))
    return 0;
  size_t pw = prev_word(c, k);
  bool the = !(pw != NONE && weq(c, pw, "the"));
  if (the)
    nz_str_word(&c->w, "the");
  nz_ordinal_u(&c->w, (uint64_t)day, 0);
  if (second == NONE)
    nz_str_word(&c->w, "of");
  say_w(c, k, e2);
  if (second != NONE) {
    if (is_dash(c, joiner))
      says(c, joiner, joiner + 1, "to the");
    nz_ordinal_u(&c->w, (uint64_t)day2, 0);
    nz_str_word(&c->w, "of");
    say_w(c, second, e3);
  }
  if (is_p(c, e3, '-'))
    says(c, e3, e3 + 1, " ");
  say_month(c, m0, m1, month, abbrev);
  if (y == NONE)
    return m1 - k;
  if (is_p(c, m1, ','))
    says(c, m1, m1 + 1, "");
  say_year(c, y);
  return y + 1 - k;
}

/* Numeric dates: 2016-07-03, 2016/7/3, 07/03/2016, 03.07.2016, 7/3/98.
 * Two numbers ("1/2007", "3/4") are fractions, not dates. */
static size_t r_date_numeric(en *c, size_t k) {
  if (!is_t(c, k, T_NUM) ||
      (k > 0 &&
       (is_alnum_tok(c, k - 1) || is_p(c, k - 1, '/') || is_p(c, k - 1, '.') ||
        is_p(c, k - 1, '-') || is_p(c, k - 1, ':'))))
    return 0;
  uint32_t sep = T(c, k + 1)->cp;
  if (!is_t(c, k + 1, T_PUNCT) || (sep != '/' && sep != '-' && sep != '.'))
    return 0;
  if (!is_t(c, k + 2, T_NUM) || !is_p(c, k + 3, sep) || !is_t(c, k + 4, T_NUM))
    return 0;
  if ((is_p(c, k + 5, sep) || is_p(c, k + 5, '.') || is_p(c, k + 5, '-') ||
       is_p(c, k + 5, '/') || is_p(c, k + 5, ':')) &&
      is_t(c, k + 6, T_NUM))
    return 0;
  if (is_alnum_tok(c, k + 5))
    return 0;
  size_t la = tl(c, k), lb = tl(c, k + 2), lc = tl(c, k + 4);
  if (la > 4 || lb > 2 || lc > 4)
    return 0;
  uint64_t a = 0, b = 0, d = 0;
  nz_value(ts(c, k), la, &a);
  nz_value(ts(c, k + 2), lb, &b);
  nz_value(ts(c, k + 4), lc, &d);
  int year_k, month, day;
  if (la == 4 && lb <= 2 && lc <= 2) {
    year_k = (int)k;
    month = (int)b;
    day = (int)d;
  } else if (la <= 2 && lb <= 2 && (lc == 4 || lc == 2)) {
    if (sep == '.' && lc == 2 && (la != 2 || lb != 2))
      return 0; /* "1.2.30" is a version, not a date */
    bool dmy;
    if (a > 12 && b <= 12)
      dmy = true;
    else if (b > 12 && a <= 12)
      dmy = false;
    else
      dmy = c->opt->day_first;
    year_k = (int)k + 4;
    month = (int)(dmy ? b : a);
    day = (int)(dmy ? a : b);
    if (dmy) {
      if (month < 1 || month > 12 || day < 1 || day > 31)
        return 0;
      nz_str_word(&c->w, "the");
      nz_ordinal_u(&c->w, (uint64_t)day, 0);
      nz_str_word(&c->w, "of");
      nz_str_word(&c->w, en_month_name(c->W, month));
      if (lc == 4)
        nz_year(&c->w, ts(c, k + 4), 4);
      else
        read_int(&c->w, ts(c, k + 4), 2, false, RD_CARD, 0);
      say_w(c, k, k + 5);
      return 5;
    }
  } else {
    return 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31)
    return 0;
  nz_str_word(&c->w, en_month_name(c->W, month));
  nz_ordinal_u(&c->w, (uint64_t)day, 0);
  if (tl(c, (size_t)year_k) == 4)
    nz_year(&c->w, ts(c, (size_t)year_k), 4);
  else
    read_int(&c->w, ts(c, (size_t)year_k), 2, false, RD_CARD, 0);
  say_w(c, k, k + 5);
  return 5;
}

/* ---- Times --------------------------------------------------------------- */

/* "am"/"pm" forms at token k after an optional space: "pm", "PM", "p.m.",
 * "P.M". Returns the end token or 0. *dot: the written form ended with a
 * period (which may also end the sentence). */
static size_t ampm_at(const en *c, size_t k, bool *pm, bool *dot) {
  if (is_t(c, k, T_SPACE))
    k++;
  *dot = false;
  size_t e;
  if (is_t(c, k, T_WORD) && tl(c, k) == 2 &&
      (strncasecmp(ts(c, k), "am", 2) == 0 ||
       strncasecmp(ts(c, k), "pm", 2) == 0)) {
    *pm = tolower((unsigned char)*ts(c, k)) == 'p';
    e = k + 1;
  } else if (is_t(c, k, T_WORD) && tl(c, k) == 1 &&
             (tolower((unsigned char)*ts(c, k)) == 'a' ||
              tolower((unsigned char)*ts(c, k)) == 'p') &&
             is_p(c, k + 1, '.') && weq(c, k + 2, "m")) {
    *pm = tolower((unsigned char)*ts(c, k)) == 'p';
    e = k + 3;
    if (is_p(c, e, '.')) {
      e++;
      *dot = true;
    }
  } else {
    return 0;
  }
  if (is_t(c, e, T_NUM))
    return 0;
  if (is_t(c, e, T_WORD) && !en_in(c->W, EN_TIME_ZONES, ts(c, e), tl(c, e)))
    return 0;
  return e;
}

/* A time zone at token k (after an optional space, or glued on): "EST",
 * "est", "e.s.t". Returns the end token or 0 and writes the letters. */
static size_t zone_at(const en *c, size_t k, char *buf, size_t cap) {
  size_t j = k;
  if (is_t(c, j, T_SPACE))
    j++;
  if (is_t(c, j, T_WORD) && en_in(c->W, EN_TIME_ZONES, ts(c, j), tl(c, j)) &&
      tl(c, j) < cap) {
    if (word_all_lower(c, j) && j != k)
      return 0; /* "at 5 pm est." needs the capitals or the glue */
    for (size_t i = 0; i < tl(c, j); i++)
      buf[i] = (char)toupper((unsigned char)ts(c, j)[i]);
    buf[tl(c, j)] = '\0';
    return is_alnum_tok(c, j + 1) ? 0 : j + 1;
  }
  /* Dotted letters: e.s.t */
  size_t n = 0, e = j;
  while (is_t(c, e, T_WORD) && tl(c, e) == 1 && n + 1 < cap) {
    buf[n++] = (char)toupper((unsigned char)*ts(c, e));
    e++;
    if (is_p(c, e, '.') && is_t(c, e + 1, T_WORD))
      e++;
    else
      break;
  }
  buf[n] = '\0';
  if (n >= 2 && en_in(c->W, EN_TIME_ZONES, buf, n)) {
    if (is_p(c, e, '.'))
      e++;
    return e;
  }
  return 0;
}

typedef struct time_said {
  size_t end;
  bool dot; /* the written form ended with a period we consumed */
} time_said;

static void say_ampm(nz_str *w, bool pm) {
  /* espeak-ng reads "AM" as the verb "am"; "a.m" (no final period) is
   * spelled and does not end the sentence. */
  nz_str_word(w, pm ? "p.m" : "a.m");
}

/* Parses and says a time at token k into c->w. */
static bool parse_time(en *c, size_t k, time_said *ts_out) {
  if (!is_t(c, k, T_NUM) || tl(c, k) > 2)
    return false;
  if (k > 0 && (is_alnum_tok(c, k - 1) || is_p(c, k - 1, ':') ||
                is_p(c, k - 1, '.') || is_p(c, k - 1, '$')))
    return false;
  uint64_t h, mm = 0, ss = 0;
  nz_value(ts(c, k), tl(c, k), &h);
  size_t e = k + 1;
  int form;
  if ((is_p(c, e, ':') || is_p(c, e, '.')) && is_t(c, e + 1, T_NUM) &&
      tl(c, e + 1) == 2) {
    bool colon = is_p(c, e, ':');
    nz_value(ts(c, e + 1), 2, &mm);
    if (mm > 59 || h > 24)
      return false;
    e += 2;
    form = colon ? 1 : 2;
    if (colon && is_p(c, e, ':') && is_t(c, e + 1, T_NUM) &&
        tl(c, e + 1) == 2) {
      nz_value(ts(c, e + 1), 2, &ss);
      if (ss > 59)
        return false;
      e += 2;
      form = 3;
    }
  } else {
    form = 0;
  }
  bool pm = false, dot = false;
  size_t ae = ampm_at(c, e, &pm, &dot);
  if ((form == 0 || form == 2) && !ae)
    return false;
  if (ae && (h == 0 || h > 12))
    return false;
  if (!ae && is_alnum_tok(c, e) &&
      !en_in(c->W, EN_TIME_ZONES, ts(c, e), tl(c, e)))
    return false;
  if (!ae && (is_p(c, e, ':') || is_p(c, e, '.')) && is_t(c, e + 1, T_NUM))
    return false;
  nz_str *w = &c->w;
  if (form == 3) {
    nz_cardinal_u(w, h, 0);
    nz_str_word(w, h == 1 ? "hour" : "hours");
    nz_cardinal_u(w, mm, 0);
    nz_str_word(w, mm == 1 ? "minute" : "minutes");
    nz_str_word(w, "and");
    nz_cardinal_u(w, ss, 0);
    nz_str_word(w, ss == 1 ? "second" : "seconds");
  } else {
    nz_cardinal_u(w, h, 0);
    if (form != 0 && mm == 0 && !ae) {
      nz_str_word(w, h <= 12 ? "o'clock" : "hundred");
    } else if (form != 0 && mm != 0) {
      if (mm < 10)
        nz_str_word(w, "oh");
      nz_cardinal_u(w, mm, 0);
    }
  }
  if (ae) {
    say_ampm(w, pm);
    e = ae;
  }
  char zone[8];
  size_t ze = zone_at(c, e, zone, sizeof zone);
  if (ze) {
    nz_str_word(w, zone);
    e = ze;
    dot = is_p(c, e - 1, '.');
  }
  ts_out->end = e;
  ts_out->dot = dot;
  return true;
}

static size_t r_time(en *c, size_t k) {
  time_said t;
  if (!parse_time(c, k, &t))
    return 0;
  size_t e = t.end;
  /* A range of times: "5pm-7 pm", "10 a.m. to 4 p.m." keep their "to". */
  size_t d = e;
  if (is_t(c, d, T_SPACE) && is_dash(c, d + 1))
    d++;
  if (is_dash(c, d)) {
    size_t s2 = d + 1;
    if (is_t(c, s2, T_SPACE))
      s2++;
    nz_str first = c->w;
    memset(&c->w, 0, sizeof c->w);
    time_said t2;
    if (parse_time(c, s2, &t2)) {
      nz_str second = c->w;
      c->w = first;
      nz_str_word(&c->w, "to");
      nz_str_word(&c->w, second.s);
      nz_str_free(&second);
      e = t2.end;
      t.dot = t2.dot;
    } else {
      nz_str_free(&c->w);
      c->w = first;
    }
  }
  /* A period we consumed still ends the sentence when one follows. */
  if (t.dot && starts_sentence(c, e))
    nz_str_adds(&c->w, ".");
  say_w(c, k, e);
  return e - k;
}

/* "/mo", "/hr", "/kg", "/m2" after an amount, a number or a unit: "per
 * month". Returns the end token or 0. */
static size_t per_unit(const en *c, size_t k, nz_str *w) {
  if (!is_p(c, k, '/') || !is_t(c, k + 1, T_WORD))
    return 0;
  size_t at = T(c, k + 1)->s, ul = 0, e;
  const en_unit *u = en_unit_at(c->W, c->s, c->n, at, &ul);
  if (u && (e = tok_starting_at(c, k + 1, at + ul)) != NONE) {
    /* a unit of measure: "kg", "m2", "km/h" */
  } else {
    u = en_unit_word(c->W, ts(c, k + 1), tl(c, k + 1));
    e = k + 2;
    if (!u)
      return 0;
  }
  if (is_alnum_tok(c, e) || is_p(c, e, '/'))
    return 0;
  nz_str_word(w, "per");
  nz_str_word(w, u->one);
  if (is_p(c, e, '.') && !starts_sentence(c, e + 1) && u->text[0] != '\0' &&
      strlen(u->text) <= 3 && is_t(c, e + 1, T_SPACE))
    e++; /* "/mo." */
  return e;
}

/* ---- Money --------------------------------------------------------------- */

typedef struct amount {
  const en_currency *cur;
  bool neg;
  num m;
  const char *scale; /* "million", or NULL */
  size_t end;
} amount;

/* Currency written before an amount at token k: "$", "US$", "Rs.", "EUR".
 * Returns the token where the number starts, or 0. */
static size_t currency_before(const en *c, size_t k, const en_currency **cur) {
  if (is_t(c, k, T_PUNCT)) {
    *cur = en_currency_symbol(c->W, T(c, k)->cp);
    return *cur ? k + 1 : 0;
  }
  if (!is_t(c, k, T_WORD))
    return 0;
  if (is_p(c, k + 1, '$') &&
      (*cur = en_currency_dollar_prefix(c->W, ts(c, k), tl(c, k))) != NULL)
    return k + 2;
  if ((*cur = en_currency_code(c->W, ts(c, k), tl(c, k))) != NULL) {
    size_t j = k + 1;
    if (is_p(c, j, '.'))
      j++;
    if (is_t(c, j, T_SPACE))
      j++;
    if (is_t(c, j, T_NUM))
      return j;
  }
  return 0;
}

/* An amount starting at token k: [-] currency number [scale]. */
static bool amount_at(const en *c, size_t k, amount *a) {
  memset(a, 0, sizeof *a);
  if (is_dash(c, k) && !(k > 0 && is_alnum_tok(c, k - 1))) {
    a->neg = true;
    k++;
  }
  size_t j = currency_before(c, k, &a->cur);
  if (!j || !parse_num(c, j, &a->m))
    return false;
  size_t e = a->m.k1;
  /* Scale: "$5m", "$15.2 billion", "¥30 b". */
  size_t sk = is_t(c, e, T_SPACE) ? e + 1 : e;
  if (is_t(c, sk, T_WORD) && !is_alnum_tok(c, sk + 1)) {
    a->scale = en_money_scale(c->W, ts(c, sk), tl(c, sk), sk == e);
    if (a->scale)
      e = sk + 1;
  }
  a->end = e;
  return true;
}

/* Says the amount's number and unit: "twenty dollars fifty cents", "one
 * point two million pounds". `unit` false leaves the currency out (the
 * first half of "$5-10 million"). */
static void say_amount(nz_str *w, const amount *a, bool unit);

/* True when the word after token e names the currency already ("$5
 * million dollars"): then it is not said twice. */
static bool currency_follows(const en *c, size_t e, const en_currency *cur) {
  size_t nw = next_word(c, e);
  if (nw == NONE || !is_t(c, e, T_SPACE))
    return false;
  return weq(c, nw, cur->many) || weq(c, nw, cur->one);
}

static void say_amount(nz_str *w, const amount *a, bool unit) {
  const en_currency *cur = a->cur;
  const num *m = &a->m;
  if (a->neg)
    nz_str_word(w, "minus");
  if (a->scale) {
    read_num(w, m, RD_CARD, 0);
    nz_str_word(w, a->scale);
    if (unit)
      nz_str_word(w, cur->many);
    return;
  }
  /* Cents: ".5" is fifty, ".010" is one (a trailing zero past the second
   * place says nothing). */
  char cents[4] = "";
  size_t nf = m->nf;
  while (nf > 2 && m->fp[nf - 1] == '0')
    nf--;
  bool decimal = m->frac && (nf > 2 || !cur->minor_one);
  if (m->frac && !decimal) {
    cents[0] = nf > 0 ? m->fp[0] : '0';
    cents[1] = nf > 1 ? m->fp[1] : '0';
    cents[2] = '\0';
  }
  if (decimal) {
    read_num(w, m, RD_CARD, NZ_AND);
    if (unit)
      nz_str_word(w, cur->many);
    return;
  }
  uint64_t major = num_int(m);
  bool no_major = m->ni == 0 || major == 0;
  bool has_cents = cents[0] && strcmp(cents, "00") != 0;
  if (!no_major || !has_cents) {
    if (m->ni == 0)
      nz_str_word(w, "zero");
    else
      read_int(w, m->ip, m->ni, true, RD_CARD, NZ_AND);
    if (unit)
      nz_str_word(w, major == 1 ? cur->one : cur->many);
  }
  if (has_cents) {
    uint64_t cv = (uint64_t)((cents[0] - '0') * 10 + (cents[1] - '0'));
    nz_cardinal_u(w, cv, 0);
    if (unit || no_major)
      nz_str_word(w, cv == 1 ? cur->minor_one : cur->minor_many);
  }
}

static size_t r_money(en *c, size_t k) {
  amount a;
  if (!amount_at(c, k, &a))
    return 0;
  size_t e = a.end;
  nz_str *w = &c->w;
  /* A range: "$50-$100", "$5-10 million", "£1m to £2m". */
  size_t d = e;
  bool range = false;
  amount b;
  bool spaced_dash =
      is_t(c, d, T_SPACE) && is_dash(c, d + 1) && is_t(c, d + 2, T_SPACE);
  if (is_dash(c, d) || spaced_dash ||
      (is_t(c, d, T_SPACE) && weq(c, d + 1, "to") && is_t(c, d + 2, T_SPACE))) {
    size_t s2 = is_dash(c, d) ? d + 1 : d + 3;
    if (amount_at(c, s2, &b) && b.cur == a.cur && !b.neg) {
      range = true;
    } else if (spaced_dash) {
      /* "$5 - 10" is too loose to be a range. */
    } else {
      num m2;
      if (parse_num(c, s2, &m2)) {
        memset(&b, 0, sizeof b);
        b.cur = a.cur;
        b.m = m2;
        size_t sk = is_t(c, m2.k1, T_SPACE) ? m2.k1 + 1 : m2.k1;
        b.end = m2.k1;
        if (is_t(c, sk, T_WORD) && !is_alnum_tok(c, sk + 1)) {
          b.scale = en_money_scale(c->W, ts(c, sk), tl(c, sk), sk == m2.k1);
          if (b.scale)
            b.end = sk + 1;
        }
        if (!is_alnum_tok(c, b.end)) {
          range = true;
          /* "$5-10 million": the currency is said once, at the end. */
          if (!a.scale && b.scale) {
            read_num(w, &a.m, RD_CARD, 0);
            nz_str_word(w, "to");
            say_amount(w, &b, true);
            e = b.end;
            goto per;
          }
        }
      }
    }
  }
  if (range) {
    say_amount(w, &a, true);
    nz_str_word(w, "to");
    say_amount(w, &b, !currency_follows(c, b.end, b.cur));
    e = b.end;
  } else {
    say_amount(w, &a, !currency_follows(c, e, a.cur));
  }
per:;
  size_t pe = per_unit(c, e, w);
  if (pe)
    e = pe;
  if (is_alnum_tok(c, e)) {
    nz_str_clear(w);
    return 0;
  }
  say_w(c, k, e);
  return e - k;
}

/* Amounts written with the currency after the number: "5 million USD". */
static size_t r_money_after(en *c, size_t k) {
  num m;
  if (!parse_num(c, k, &m) || (k > 0 && is_alnum_tok(c, k - 1)))
    return 0;
  size_t e = m.k1;
  amount a;
  memset(&a, 0, sizeof a);
  a.m = m;
  size_t sk = is_t(c, e, T_SPACE) ? e + 1 : e;
  if (is_t(c, sk, T_WORD)) {
    a.scale = en_money_scale(c->W, ts(c, sk), tl(c, sk), sk == e);
    if (a.scale)
      e = sk + 1;
  }
  if (!is_t(c, e, T_SPACE) || !word_all_upper(c, e + 1))
    return 0;
  a.cur = en_currency_code(c->W, ts(c, e + 1), tl(c, e + 1));
  if (!a.cur || is_alnum_tok(c, e + 2))
    return 0;
  say_amount(&c->w, &a, true);
  say_w(c, k, e + 2);
  return e + 2 - k;
}

/* ---- Addresses ----------------------------------------------------------- */

/* A house number the way it is said: "twelve eleven", "one twenty three". */
static void say_house_number(nz_str *w, const char *d, size_t n) {
  if (n <= 2) {
    nz_cardinal(w, d, n, 0);
  } else if (n == 3) {
    nz_digits(w, d, 1);
    if (d[1] == '0' && d[2] == '0') {
      nz_str_word(w, "hundred");
    } else if (d[1] == '0') {
      nz_str_word(w, "oh");
      nz_digits(w, d + 2, 1);
    } else {
      nz_cardinal(w, d + 1, 2, 0);
    }
  } else if (n == 4) {
    nz_year(w, d, n);
  } else {
    nz_digits(w, d, n);
  }
}

static size_t r_address(en *c, size_t k) {
  if (!is_t(c, k, T_NUM) || tl(c, k) > 5 || *ts(c, k) == '0' ||
      (k > 0 && !is_t(c, k - 1, T_SPACE) && !is_p(c, k - 1, '(')))
    return 0;
  /* "221B Baker Street": a letter after the house number. */
  size_t letter = NONE, sp = k + 1;
  if (is_t(c, sp, T_WORD) && tl(c, sp) == 1 && word_all_upper(c, sp)) {
    letter = sp;
    sp++;
  }
  if (!is_t(c, sp, T_SPACE))
    return 0;
  size_t j = sp + 1;
  size_t dir = NONE;
  if (is_t(c, j, T_WORD) && en_direction(c->W, ts(c, j), tl(c, j)) &&
      is_t(c, j + 1, T_SPACE) &&
      (word_cap(c, j + 2) || is_t(c, j + 2, T_NUM))) {
    dir = j;
    j += 2;
  }
  /* One to three name words, capitalized or ordinals ("1st"). */
  size_t names[3], nn = 0, suffix = NONE;
  while (nn < 3) {
    bool ord = is_t(c, j, T_NUM) && is_t(c, j + 1, T_WORD) &&
               tl(c, j + 1) == 2 && !is_alnum_tok(c, j + 2);
    if (!(word_cap(c, j) || ord))
      break;
    names[nn++] = j;
    j += ord ? 2 : 1;
    if (!is_t(c, j, T_SPACE))
      break;
    if (is_t(c, j + 1, T_WORD) &&
        en_street_type(c->W, ts(c, j + 1), tl(c, j + 1)) &&
        !is_alnum_tok(c, j + 2) &&
        (word_cap(c, j + 1) || word_all_lower(c, j + 1))) {
      suffix = j + 1;
      break;
    }
    j++;
  }
  if (nn == 0 || suffix == NONE)
    return 0;
  /* A name that is itself a street type word ("Main St") is fine; a
   * sentence ("4 doors down") is not: the name words must be capitalized
   * or ordinals, checked above. */
  say_house_number(&c->w, ts(c, k), tl(c, k));
  if (letter != NONE) {
    if (*ts(c, letter) == 'A')
      nz_str_word(&c->w, "[['eI]]");
    else
      nz_str_wordn(&c->w, ts(c, letter), 1);
  }
  say_w(c, k, letter != NONE ? letter + 1 : k + 1);
  if (dir != NONE)
    says(c, dir, dir + 1, en_direction(c->W, ts(c, dir), tl(c, dir)));
  for (size_t i = 0; i < nn; i++) {
    size_t x = names[i];
    if (is_t(c, x, T_NUM)) {
      if (!nz_ordinal(&c->w, ts(c, x), tl(c, x), 0))
        nz_digits(&c->w, ts(c, x), tl(c, x)); /* too long to say */
      say_w(c, x, x + 2);
    }
  }
  size_t e = suffix + 1;
  const char *type = en_street_type(c->W, ts(c, suffix), tl(c, suffix));
  bool dot = is_p(c, e, '.');
  if (dot)
    e++;
  nz_str_word(&c->w, type);
  if (dot && starts_sentence(c, e) && !is_t(c, e, T_END))
    nz_str_adds(&c->w, ".");
  say_w(c, suffix, e);
  return e - k;
}

/* US state codes in addresses: "CA 95051", ", NY". */
static size_t r_state(en *c, size_t k) {
  if (!is_t(c, k, T_WORD) || tl(c, k) != 2 || !word_all_upper(c, k))
    return 0;
  bool amb;
  const char *state = en_state(c->W, ts(c, k), tl(c, k), &amb);
  if (!state)
    return 0;
  if (is_t(c, k + 1, T_SPACE) && is_t(c, k + 2, T_NUM) && tl(c, k + 2) == 5 &&
      !is_alnum_tok(c, k + 3) && k >= 2 && is_p(c, k - 2, ',')) {
    size_t e = k + 3;
    nz_str_word(&c->w, state);
    nz_digits(&c->w, ts(c, k + 2), 5);
    if (is_p(c, e, '-') && is_t(c, e + 1, T_NUM) && tl(c, e + 1) == 4) {
      nz_digits(&c->w, ts(c, e + 1), 4);
      e += 2;
    }
    say_w(c, k, e);
    return e - k;
  }
  /* ", NY" at the end of an address line. */
  if (!amb && k >= 3 && is_t(c, k - 1, T_SPACE) && is_p(c, k - 2, ',') &&
      word_cap(c, k - 3) && !is_alnum_tok(c, k + 1) &&
      (is_t(c, k + 1, T_END) || is_p(c, k + 1, '.') || is_p(c, k + 1, ',') ||
       is_p(c, k + 1, ';') || is_p(c, k + 1, ')') ||
       (is_t(c, k + 1, T_SPACE) && !is_alnum_tok(c, k + 2)))) {
    says(c, k, k + 1, state);
    return 1;
  }
  return 0;
}

/* Says letters so that espeak-ng spells them: "F.A.T.F". A letter is a
 * whole character (a byte-wise spelling cut "h\u0628" into invalid
 * UTF-8); only ASCII ones are uppercased. */
static void spell_letters(nz_str *w, const char *s, size_t n) {
  char buf[40];
  size_t o = 0;
  for (size_t i = 0, len = 1; i < n; i += len) {
    nz_cp_at(s, n, i, &len);
    if (len == 0)
      len = 1;
    if (o + len + 2 > sizeof buf)
      break;
    if (o)
      buf[o++] = '.';
    for (size_t k = 0; k < len; k++)
      buf[o++] = (char)(len == 1 ? toupper((unsigned char)s[i]) : s[i + k]);
  }
  nz_str_wordn(w, buf, o);
}

/* ---- Numbers with what follows them -------------------------------------- */

/* A unit after the number ending at token e: glued ("12kg"), after one
 * space ("4 km") or after a hyphen ("5-km"). Returns the end token. */
static size_t unit_after(const en *c, size_t e, const en_unit **u,
                         bool *hyphen) {
  *hyphen = false;
  size_t at = T(c, e)->s;
  bool spaced = false;
  if (is_t(c, e, T_SPACE) && tl(c, e) == 1) {
    at = T(c, e + 1)->s;
    spaced = true;
  } else if (is_p(c, e, '-')) {
    at = T(c, e + 1)->s;
    *hyphen = true;
  }
  size_t ul;
  *u = en_unit_at(c->W, c->s, c->n, at, &ul);
  if (!*u || ((*u)->flags & UNIT_NOSPACE && (spaced || *hyphen)))
    return 0;
  /* "2 t-shirts": a unit is followed by a space, punctuation or the end,
   * not by a hyphen and a word. */
  if (at + ul < c->n && c->s[at + ul] == '-' && at + ul + 1 < c->n &&
      isalpha((unsigned char)c->s[at + ul + 1]))
    return 0;
  size_t j = tok_starting_at(c, e, at + ul);
  return j == NONE ? 0 : j;
}

/* Fraction "a/b" at token k (integers, not part of a date or a path). */
static size_t fraction_at(const en *c, size_t k, nz_str *w) {
  if (!is_t(c, k, T_NUM) || !is_p(c, k + 1, '/') || !is_t(c, k + 2, T_NUM))
    return 0;
  if (k > 0 && (is_p(c, k - 1, '/') || is_alnum_tok(c, k - 1)))
    return 0;
  if (is_p(c, k + 3, '/') || (is_p(c, k + 3, '.') && is_t(c, k + 4, T_NUM)) ||
      (is_p(c, k + 3, ',') && is_t(c, k + 4, T_NUM)))
    return 0;
  if (tl(c, k) > 6 || tl(c, k + 2) > 6 || *ts(c, k + 2) == '0')
    return 0;
  uint64_t a, b;
  nz_value(ts(c, k), tl(c, k), &a);
  nz_value(ts(c, k + 2), tl(c, k + 2), &b);
  if (b < 2)
    return 0;
  size_t e = k + 3;
  /* "1/4th" */
  if (is_t(c, e, T_WORD) && tl(c, e) == 2 &&
      (strncasecmp(ts(c, e), "th", 2) == 0 ||
       strncasecmp(ts(c, e), "st", 2) == 0 ||
       strncasecmp(ts(c, e), "nd", 2) == 0 ||
       strncasecmp(ts(c, e), "rd", 2) == 0))
    e++;
  if (is_t(c, e, T_NUM))
    return 0;
  if (a == 24 && b == 7) {
    nz_str_word(w, "twenty four seven");
    return e;
  }
  nz_cardinal_u(w, a, 0);
  if (b == 2) {
    nz_str_word(w, a == 1 ? "half" : "halves");
  } else if (b == 4) {
    nz_str_word(w, a == 1 ? "quarter" : "quarters");
  } else {
    nz_str wd = {0};
    nz_ordinal_u(&wd, b, 0);
    if (a != 1)
      nz_pluralize_last(&wd);
    if (wd.s)
      nz_str_word(w, wd.s);
    nz_str_free(&wd);
  }
  return e;
}

/* Says a number with what is written right after it: a percent sign or a
 * unit. Returns the end token. */
static size_t number_with_suffix(en *c, const num *m, bool neg, int how,
                                 nz_str *w) {
  size_t e = m->k1;
  if (neg)
    nz_str_word(w, "minus");
  if (is_p(c, e, '%')) {
    read_num(w, m, RD_CARD, NZ_AND);
    nz_str_word(w, "percent");
    return e + 1;
  }
  /* "50p", "5¢": pence and cents. */
  if (!m->frac && ((weq(c, e, "p") && *ts(c, e) == 'p') || is_p(c, e, 0xA2)) &&
      !is_alnum_tok(c, e + 1)) {
    read_num(w, m, RD_CARD, NZ_AND);
    bool one = num_is(m, 1);
    nz_str_word(w, is_p(c, e, 0xA2) ? (one ? "cent" : "cents")
                                    : (one ? "penny" : "pence"));
    return e + 1;
  }
  const en_unit *u;
  bool hyphen;
  size_t ue = unit_after(c, e, &u, &hyphen);
  /* "6 ft 2 in": inches only after feet ("in" is a word otherwise). */
  size_t pw = prev_word(c, m->k0);
  if (!ue && is_t(c, e, T_SPACE) && weq(c, e + 1, "in") &&
      !is_alnum_tok(c, e + 2) && pw != NONE &&
      (weq(c, pw, "ft") || weq(c, pw, "feet") || weq(c, pw, "foot"))) {
    read_num(w, m, RD_CARD, NZ_AND);
    nz_str_word(w, num_is(m, 1) ? "inch" : "inches");
    return e + 2;
  }
  if (!ue) {
    /* An unknown short unit over another: "3 cc/s" -> "three CC per S". */
    size_t x = is_t(c, e, T_SPACE) && tl(c, e) == 1 ? e + 1 : e;
    if (is_t(c, x, T_WORD) && tl(c, x) <= 3 && word_all_lower(c, x) &&
        !not_counted(c, ts(c, x), tl(c, x)) && is_p(c, x + 1, '/') &&
        is_t(c, x + 2, T_WORD) && tl(c, x + 2) <= 3 &&
        !is_alnum_tok(c, x + 3) && !is_p(c, x + 3, '/')) {
      read_num(w, m, RD_CARD, NZ_AND);
      spell_letters(w, ts(c, x), tl(c, x));
      nz_str_word(w, "per");
      const en_unit *d = en_unit_word(c->W, ts(c, x + 2), tl(c, x + 2));
      if (d)
        nz_str_word(w, d->one);
      else
        spell_letters(w, ts(c, x + 2), tl(c, x + 2));
      return x + 3;
    }
  }
  if (ue) {
    read_num(w, m, RD_CARD, NZ_AND);
    /* Singular for one, and for a measure used as an adjective: "a
     * 5-km run", "the 12 km crossing". */
    size_t nw = next_word(c, ue);
    bool attributive =
        pw != NONE && nw != NONE && is_t(c, ue, T_SPACE) &&
        (weq(c, pw, "a") || weq(c, pw, "an") || weq(c, pw, "the")) &&
        word_all_lower(c, nw) && !not_counted(c, ts(c, nw), tl(c, nw));
    bool one = (num_is(m, 1) && !neg) || hyphen || attributive;
    const char *name = one ? u->one : u->many;
    /* "5 mg/kg": a unit per another. */
    nz_str per = {0};
    size_t pe = per_unit(c, ue, &per);
    if (c->opt->british) {
      /* metre, litre: the same sound, the spelling a British reader
       * expects in the transcript of the spoken form. */
      char buf[64];
      const char *p = strstr(name, "meter");
      const char *q = strstr(name, "liter");
      const char *r = p ? p : q;
      if (r && strlen(name) < sizeof buf) {
        size_t at = (size_t)(r - name);
        memcpy(buf, name, at);
        memcpy(buf + at, p ? "metre" : "litre", 5);
        strcpy(buf + at + 5, r + 5);
        name = NULL;
        nz_str_word(w, buf);
      }
    }
    if (name)
      nz_str_word(w, name);
    if (pe && per.s) {
      nz_str_word(w, per.s);
      nz_str_free(&per);
      return pe;
    }
    nz_str_free(&per);
    return ue;
  }
  read_num(w, m, how, NZ_AND);
  return e;
}

/* A number being read by r_number: where it starts (with its sign), the
 * sign, and the number itself. */
typedef struct signed_num {
  size_t k0; /* first token, the sign's when there is one */
  bool neg;
  num m;
} signed_num;

/* Codes: "C24", "B2A23C", "t-0t25d12-f": short numbers as cardinals,
 * long ones digit by digit. */
static size_t num_in_code(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t k0 = x->k0, j = m->k1;
  bool serial = c->serial[T(c, k0)->chunk];
  bool left_glued = k0 > 0 && is_t(c, k0 - 1, T_WORD);
  if (!(left_glued || serial) || m->frac || x->neg)
    return 0;
  bool fits;
  if (ordinal_suffix(c, j, m, &fits) && fits && !left_glued &&
      nz_ordinal(&c->w, m->ip, m->ni, 0)) {
    say_w(c, k0, j + 1);
    return j + 1 - k0;
  }
  uint64_t v = num_int(m);
  bool year = left_glued && m->ni == 4 && v >= 1900 && v <= 2099 &&
              tl(c, k0 - 1) <= 3 && word_all_upper(c, k0 - 1);
  read_int(&c->w, m->ip, m->ni, m->comma, year ? RD_YEAR : RD_SERIAL, 0);
  say_w(c, k0, j);
  return j - k0;
}

/* Ordinals: "21st", "1,000th"; a suffix that does not fit is said as
 * written after the number ("4rd" -> "four rd"). */
static size_t num_ordinal(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t j = m->k1;
  bool fits;
  if (!ordinal_suffix(c, j, m, &fits))
    return 0;
  nz_str *w = &c->w;
  if (x->neg)
    nz_str_word(w, "minus");
  /* An ordinal too long to say in words (nz_ordinal writes nothing then)
   * is read as a cardinal is, with its suffix as written; it was
   * silently dropped (fuzz_normalize). */
  if (!fits || !nz_ordinal(w, m->ip, m->ni, 0)) {
    read_int(w, m->ip, m->ni, m->comma, RD_CARD, 0);
    nz_str_wordn(w, ts(c, j), tl(c, j));
  }
  say_w(c, x->k0, j + 1);
  return j + 1 - x->k0;
}

/* The end of an "s" or "'s" that makes the number ending at token j a
 * decade ("1980s", "80's"), or 0. */
static size_t decade_end(const en *c, const num *m, size_t j) {
  if (m->frac || m->comma || (m->ni != 4 && m->ni != 2) ||
      m->ip[m->ni - 1] != '0')
    return 0;
  if (weq(c, j, "s") && !is_alnum_tok(c, j + 1))
    return j + 1;
  if ((is_p(c, j, '\'') || is_p(c, j, 0x2019)) && weq(c, j + 1, "s") &&
      !is_alnum_tok(c, j + 2))
    return j + 2;
  return 0;
}

static void say_decade(nz_str *w, const num *m) {
  if (m->ni == 4)
    nz_year(w, m->ip, 4);
  else
    nz_cardinal(w, m->ip, 2, 0);
  nz_pluralize_last(w);
}

/* Decades: "1980s", "1980's", "80s", and ranges of them. */
static size_t num_decade(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t se = x->neg ? 0 : decade_end(c, m, m->k1);
  if (!se)
    return 0;
  nz_str *w = &c->w;
  say_decade(w, m);
  num m2;
  if (is_dash(c, se) && is_t(c, se + 1, T_NUM) && parse_num(c, se + 1, &m2) &&
      !m2.frac && m2.ni == m->ni && weq(c, m2.k1, "s") &&
      !is_alnum_tok(c, m2.k1 + 1)) {
    nz_str_word(w, "to");
    say_decade(w, &m2);
    se = m2.k1 + 1;
  }
  say_w(c, x->k0, se);
  return se - x->k0;
}

/* Fractions: "1/2", "3 2/4", "1/4th". */
static size_t num_fraction(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t k0 = x->k0, j = m->k1;
  if (m->frac || m->comma || x->neg)
    return 0;
  nz_str *w = &c->w;
  size_t fe = fraction_at(c, m->k0, w);
  if (fe) {
    say_w(c, k0, fe);
    return fe - k0;
  }
  if (!is_t(c, j, T_SPACE))
    return 0;
  nz_str tmp = {0};
  fe = fraction_at(c, j + 1, &tmp);
  if (fe && tmp.s) {
    read_int(w, m->ip, m->ni, m->comma, RD_CARD, NZ_AND);
    nz_str_word(w, "and");
    /* "two and a half", not "two and one half". */
    bool one = strncmp(tmp.s, "one ", 4) == 0;
    nz_str_word(w, one ? "a" : "");
    nz_str_word(w, one ? tmp.s + 4 : tmp.s);
    nz_str_free(&tmp);
    say_w(c, k0, fe);
    return fe - k0;
  }
  nz_str_free(&tmp);
  return 0;
}

/* A vulgar fraction glued on: "5½" -> "five and a half". */
static size_t num_vulgar(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t j = m->k1;
  const char *alone, *after_and;
  if (!is_t(c, j, T_PUNCT) ||
      !en_vulgar(c->W, T(c, j)->cp, &alone, &after_and) || m->frac ||
      is_alnum_tok(c, j + 1))
    return 0;
  nz_str *w = &c->w;
  if (x->neg)
    nz_str_word(w, "minus");
  read_int(w, m->ip, m->ni, m->comma, RD_CARD, NZ_AND);
  nz_str_word(w, "and");
  nz_str_word(w, after_and);
  say_w(c, x->k0, j + 1);
  return j + 1 - x->k0;
}

/* "12/kg" -> "twelve per kilogram"; an unknown unit is spelled. */
static size_t num_per_word(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t k0 = x->k0, j = m->k1;
  if (!is_p(c, j, '/') || !is_t(c, j + 1, T_WORD) || tl(c, j + 1) > 4 ||
      is_alnum_tok(c, j + 2) || is_p(c, j + 2, '/') ||
      (k0 > 0 && is_p(c, k0 - 1, '/')))
    return 0;
  nz_str *w = &c->w;
  if (x->neg)
    nz_str_word(w, "minus");
  read_num(w, m, RD_CARD, NZ_AND);
  nz_str_word(w, "per");
  const en_unit *u = en_unit_word(c->W, ts(c, j + 1), tl(c, j + 1));
  if (u) {
    nz_str_word(w, u->one);
  } else {
    char buf[8];
    size_t n = tl(c, j + 1);
    for (size_t i = 0; i < n; i++)
      buf[i] = (char)toupper((unsigned char)ts(c, j + 1)[i]);
    nz_str_wordn(w, buf, n);
  }
  say_w(c, k0, j + 2);
  return j + 2 - k0;
}

/* The second number of a range: m2 parsed at the token after the dash at
 * token j (and a space after an en dash). False when there is none, or
 * when a further dash and number follow ("1-2-3" is no range). */
static bool range_second(const en *c, size_t j, bool *en_dash, num *m2) {
  if (!(is_dash(c, j) || (is_t(c, j, T_SPACE) && is_p(c, j + 1, 0x2013) &&
                          is_t(c, j + 2, T_SPACE))))
    return false;
  *en_dash = !is_p(c, j, '-');
  size_t d = is_t(c, j, T_SPACE) ? j + 1 : j;
  size_t s2 = d + 1;
  if (*en_dash && is_t(c, s2, T_SPACE))
    s2++;
  return parse_num(c, s2, m2) &&
         !(m2->k1 < c->nt && is_dash(c, m2->k1) && is_t(c, m2->k1 + 1, T_NUM));
}

/* Says a range whose first number is a year: "2019-2021", "2019-20". */
static size_t say_year_range(en *c, const signed_num *x, const num *m2) {
  nz_str *w = &c->w;
  if (x->neg)
    nz_str_word(w, "minus");
  nz_year(w, x->m.ip, 4);
  nz_str_word(w, "to");
  if (m2->ni == 4)
    nz_year(w, m2->ip, 4);
  else
    nz_cardinal(w, m2->ip, 2, 0);
  say_w(c, x->k0, m2->k1);
  return m2->k1 - x->k0;
}

/* Ranges and scores: "1980-1986", "2-5lb", "9–2"; "1-2=5" is a
 * subtraction. */
static size_t num_range(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t k0 = x->k0;
  bool en_dash;
  num m2;
  if (!range_second(c, m->k1, &en_dash, &m2))
    return 0;
  nz_str *w = &c->w;
  size_t after = m2.k1;
  bool minus = is_p(c, after, '=') ||
               (is_t(c, after, T_SPACE) && is_p(c, after + 1, '='));
  if (minus && !en_dash) {
    if (x->neg)
      nz_str_word(w, "minus");
    read_num(w, m, RD_CARD, NZ_AND);
    nz_str_word(w, "minus");
    read_num(w, &m2, RD_CARD, NZ_AND);
    say_w(c, k0, m2.k1);
    return m2.k1 - k0;
  }
  const en_unit *u;
  bool hy;
  bool suffix = is_p(c, after, '%') || unit_after(c, after, &u, &hy);
  if (is_alnum_tok(c, after) && !suffix)
    return 0;
  uint64_t a = num_int(m), b = num_int(&m2);
  bool years =
      !m->frac && !m2.frac && !m->comma && m->ni == 4 && a >= 1000 &&
      a <= 2099 && !suffix &&
      ((m2.ni == 4 && b >= 1000 && b <= 2099) || (m2.ni == 2 && b > a % 100));
  bool ascending = m->frac || m2.frac ? true : b >= a;
  /* A score: "3-1", "21-17" (small numbers, hyphen). */
  bool score = !m->frac && !m2.frac && !m->comma && m->ni <= 2 && m2.ni <= 2;
  if (!(en_dash || ascending || suffix || years || score))
    return 0;
  if (years)
    return say_year_range(c, x, &m2);
  if (x->neg)
    nz_str_word(w, "minus");
  read_num(w, m, suffix ? RD_CARD : RD_AUTO, NZ_AND);
  /* The same number twice is no range: "a 50-50 chance" is "fifty
   * fifty", a "2-2" draw "two two". */
  bool same = !suffix && !x->neg && !m->frac && !m2.frac && !m->comma &&
              !m2.comma && m->ni == m2.ni && memcmp(m->ip, m2.ip, m->ni) == 0;
  if (!same)
    nz_str_word(w, "to");
  size_t e = number_with_suffix(c, &m2, false, RD_AUTO, w);
  bool pm, dot;
  size_t ae;
  if (!suffix && !m->frac && !m2.frac && a >= 1 && a <= 12 && b >= 1 &&
      b <= 12 && (ae = ampm_at(c, e, &pm, &dot)) != 0) {
    say_ampm(w, pm); /* "3-4 pm" */
    if (dot && starts_sentence(c, ae))
      nz_str_adds(w, ".");
    e = ae;
  }
  say_w(c, k0, e);
  return e - k0;
}

/* Dimensions: "2x8", "2 x 8 m". */
static size_t num_dimension(en *c, const signed_num *x) {
  size_t j = x->m.k1, sx = j;
  if (is_t(c, sx, T_SPACE))
    sx++;
  bool is_x = weq(c, sx, "x") || is_p(c, sx, 0xD7);
  size_t y = sx + 1;
  if (!is_x || is_t(c, y, T_SPACE) != is_t(c, j, T_SPACE))
    return 0;
  if (is_t(c, y, T_SPACE))
    y++;
  num m2;
  if (!parse_num(c, y, &m2))
    return 0;
  nz_str *w = &c->w;
  if (x->neg)
    nz_str_word(w, "minus");
  read_num(w, &x->m, RD_CARD, NZ_AND);
  nz_str_word(w, "by");
  size_t e = number_with_suffix(c, &m2, false, RD_CARD, w);
  say_w(c, x->k0, e);
  return e - x->k0;
}

/* The number alone, or with a unit or percent sign; before "million" it
 * is a cardinal without "and". */
static size_t num_alone(en *c, const signed_num *x) {
  const num *m = &x->m;
  size_t j = m->k1;
  int how = int_context(c, m, x->k0);
  size_t nw = next_word(c, j);
  bool scale = nw != NONE && is_t(c, j, T_SPACE) &&
               (weq(c, nw, "million") || weq(c, nw, "billion") ||
                weq(c, nw, "trillion") || weq(c, nw, "thousand"));
  size_t e;
  if (scale) {
    if (x->neg)
      nz_str_word(&c->w, "minus");
    read_num(&c->w, m, RD_CARD, 0);
    e = j;
  } else {
    e = number_with_suffix(c, m, x->neg, how, &c->w);
  }
  say_w(c, x->k0, e);
  return e - x->k0;
}

/* A sign before the number at token k: "-5", "−5", "-.5" (not in a code
 * or after a word), "+5". Returns the token where the number starts. */
static size_t number_sign(const en *c, size_t k, bool *neg, bool *plus) {
  bool serial = c->serial[T(c, k)->chunk];
  *neg = *plus = false;
  if ((is_p(c, k, '-') || is_p(c, k, 0x2212)) && !serial &&
      !(k > 0 && (is_alnum_tok(c, k - 1) || is_p(c, k - 1, ')'))) &&
      (is_t(c, k + 1, T_NUM) ||
       (is_p(c, k + 1, '.') && is_t(c, k + 2, T_NUM)))) {
    *neg = true;
    return k + 1;
  }
  if (is_p(c, k, '+') && !(k > 0 && is_alnum_tok(c, k - 1)) &&
      is_t(c, k + 1, T_NUM)) {
    *plus = true;
    return k + 1;
  }
  return k;
}

/* Numbers with what follows them, in order: in codes, ordinals, decades,
 * fractions, per a word, ranges and scores, dimensions, then alone. */
static size_t r_number(en *c, size_t k) {
  typedef size_t (*number_phase)(en * c, const signed_num *x);
  static const number_phase phases[] = {
      num_in_code,  num_ordinal, num_decade,    num_fraction, num_vulgar,
      num_per_word, num_range,   num_dimension, num_alone};
  signed_num x = {.k0 = k};
  bool plus;
  size_t start = number_sign(c, k, &x.neg, &plus);
  if (!parse_num(c, start, &x.m))
    return 0;
  if (plus)
    nz_str_word(&c->w, "plus");
  for (size_t i = 0; i < sizeof phases / sizeof *phases; i++) {
    size_t used = phases[i](c, &x);
    if (used)
      return used;
  }
  return 0;
}

/* Version numbers: "3.2.1", "v2.0.1" (dates and IP addresses are taken
 * before this rule). */
static size_t r_version(en *c, size_t k) {
  if (!is_t(c, k, T_NUM) || !is_p(c, k + 1, '.') || !is_t(c, k + 2, T_NUM) ||
      !is_p(c, k + 3, '.') || !is_t(c, k + 4, T_NUM) ||
      (k > 0 && is_t(c, k - 1, T_NUM)))
    return 0;
  size_t e = k;
  for (;;) {
    read_int(&c->w, ts(c, e), tl(c, e), false, RD_SERIAL, 0);
    e++;
    if (is_p(c, e, '.') && is_t(c, e + 1, T_NUM)) {
      nz_str_word(&c->w, "point");
      e++;
    } else {
      break;
    }
  }
  if (is_alnum_tok(c, e)) {
    nz_str_clear(&c->w);
    return 0;
  }
  say_w(c, k, e);
  return e - k;
}

/* Heights: 5'11" -> "five feet eleven inches", 6' -> "six feet". */
static size_t r_feet(en *c, size_t k) {
  if (!is_t(c, k, T_NUM) || tl(c, k) > 2 || (k > 0 && is_alnum_tok(c, k - 1)))
    return 0;
  bool prime = is_p(c, k + 1, '\'') || is_p(c, k + 1, 0x2032);
  if (!prime || !is_t(c, k + 2, T_NUM) || tl(c, k + 2) > 2)
    return 0;
  bool dprime = is_p(c, k + 3, '"') || is_p(c, k + 3, 0x2033) ||
                (is_p(c, k + 3, '\'') && is_p(c, k + 4, '\''));
  if (!dprime)
    return 0;
  size_t e = is_p(c, k + 3, '\'') ? k + 5 : k + 4;
  if (is_alnum_tok(c, e))
    return 0;
  uint64_t ft, in;
  nz_value(ts(c, k), tl(c, k), &ft);
  nz_value(ts(c, k + 2), tl(c, k + 2), &in);
  if (in >= 12)
    return 0;
  nz_cardinal_u(&c->w, ft, 0);
  nz_str_word(&c->w, ft == 1 ? "foot" : "feet");
  nz_cardinal_u(&c->w, in, 0);
  nz_str_word(&c->w, in == 1 ? "inch" : "inches");
  say_w(c, k, e);
  return e - k;
}

/* "'80s": a decade with its apostrophe. */
static size_t r_apostrophe_decade(en *c, size_t k) {
  if (!(is_p(c, k, '\'') || is_p(c, k, 0x2019)) || !is_t(c, k + 1, T_NUM) ||
      tl(c, k + 1) != 2 || ts(c, k + 1)[1] != '0' || !weq(c, k + 2, "s") ||
      is_alnum_tok(c, k + 3) || (k > 0 && is_alnum_tok(c, k - 1)))
    return 0;
  nz_cardinal(&c->w, ts(c, k + 1), 2, 0);
  nz_pluralize_last(&c->w);
  say_w(c, k, k + 3);
  return 3;
}

/* ---- Words --------------------------------------------------------------- */

/* Roman numeral value of an upper-case word, or 0 when it is not one in
 * canonical form ("IIII" and "IC" are not). */
static unsigned roman_value(const char *w, size_t n) {
  static const struct {
    const char *s;
    unsigned v;
  } parts[] = {{"M", 1000}, {"CM", 900}, {"D", 500}, {"CD", 400}, {"C", 100},
               {"XC", 90},  {"L", 50},   {"XL", 40}, {"X", 10},   {"IX", 9},
               {"V", 5},    {"IV", 4},   {"I", 1}};
  unsigned v = 0;
  size_t i = 0;
  for (size_t p = 0; p < sizeof parts / sizeof *parts && i < n; p++) {
    size_t k = strlen(parts[p].s);
    int times = 0;
    while (i + k <= n && memcmp(w + i, parts[p].s, k) == 0) {
      v += parts[p].v;
      i += k;
      times++;
      /* At most three of I, X, C, M; one of the others. */
      if ((k == 2 || parts[p].s[0] == 'V' || parts[p].s[0] == 'L' ||
           parts[p].s[0] == 'D') ||
          times == 3)
        break;
    }
  }
  if (i != n || v == 0 || v > 3999)
    return 0;
  /* Canonical form check: re-encode and compare. */
  char buf[32];
  size_t o = 0;
  unsigned x = v;
  for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
    while (x >= parts[p].v && o + 2 < sizeof buf) {
      size_t k = strlen(parts[p].s);
      memcpy(buf + o, parts[p].s, k);
      o += k;
      x -= parts[p].v;
    }
  }
  return o == n && memcmp(buf, w, n) == 0 ? v : 0;
}

/* Whether the name ending at word `name` follows a monarch's or pope's
 * title: "Queen Elizabeth", "Pope John Paul". */
static bool titled_name(const en *c, size_t name) {
  size_t w = name;
  for (int names = 0; names < 3 && w != NONE && word_cap(c, w); names++) {
    size_t before = prev_word(c, w);
    if (before != NONE &&
        en_in(c->W, EN_REGNAL_TITLES, ts(c, before), tl(c, before)))
      return true;
    w = before;
  }
  return false;
}

/* Whether a lone "I" or "V" after word pw is a regnal number rather than
 * an initial: after a monarch's name or a titled name. */
static bool regnal_context(const en *c, size_t pw) {
  return en_in(c->W, EN_REGNAL_NAMES, ts(c, pw), tl(c, pw)) ||
         titled_name(c, pw);
}

static size_t r_roman(en *c, size_t k) {
  if (!word_all_upper(c, k) || is_alnum_tok(c, k + 1))
    return 0;
  unsigned v = roman_value(ts(c, k), tl(c, k));
  if (!v)
    return 0;
  size_t pw = prev_word(c, k);
  if (pw == NONE || !is_t(c, k - 1, T_SPACE))
    return 0;
  size_t n = tl(c, k);
  char first = *ts(c, k);
  if (en_in(c->W, EN_ROMAN_CARDINAL, ts(c, pw), tl(c, pw))) {
    if (n == 1 && first != 'I' && first != 'V' && first != 'X')
      return 0;
    nz_cardinal_u(&c->w, v, 0);
    say_w(c, k, k + 1);
    return 1;
  }
  /* After a name: "Henry VIII" -> "Henry the Eighth". Single letters other
   * than V are too ambiguous ("Malcolm X", "Plan B") unless a title comes
   * before the name ("King Charles X"); "I" needs a known monarch's name
   * or a title, and with a name alone a lower-case word after it reads as
   * the pronoun ("Henry I was"). */
  if (!word_cap(c, pw) || v > 30 ||
      en_in(c->W, EN_SENTENCE_STARTERS, ts(c, pw), tl(c, pw)))
    return 0;
  bool titled = titled_name(c, pw);
  if (n == 1 && first != 'V' && !titled &&
      !(first == 'I' && en_in(c->W, EN_REGNAL_NAMES, ts(c, pw), tl(c, pw))))
    return 0;
  if (first == 'I' && n == 1 && !titled &&
      word_all_lower(c, next_word(c, k + 1)))
    return 0;
  if (word_all_upper(c, pw) && tl(c, pw) > 1 && n <= 2 && v > 3 &&
      !en_in(c->W, EN_REGNAL_NAMES, ts(c, pw), tl(c, pw)))
    return 0; /* "FBI CD": two acronyms */
  nz_str_word(&c->w, "the");
  nz_ordinal_u(&c->w, v, 0);
  say_w(c, k, k + 1);
  return 1;
}

static bool is_vowel(const char *lw, size_t j) {
  return strchr("aeiou", lw[j]) || (lw[j] == 'y' && j > 0);
}

/* Whether the consonant cluster cl (lower case) can stand where it stands
 * in a word: at its start, at its end (a plural s may follow a coda), or
 * between two vowels, where it must split into a coda and an onset. */
static bool cluster_fits(const en *c, const char *cl, size_t len, bool first,
                         bool last) {
  if (len <= 1)
    return true;
  if (first)
    return en_in(c->W, EN_SYLLABLE_ONSETS, cl, len);
  if (last)
    return en_in(c->W, EN_SYLLABLE_CODAS, cl, len) ||
           (cl[len - 1] == 's' &&
            (len == 2 || en_in(c->W, EN_SYLLABLE_CODAS, cl, len - 1)));
  for (size_t cut = 0; cut <= len; cut++) {
    bool coda = cut <= 1 || en_in(c->W, EN_SYLLABLE_CODAS, cl, cut);
    bool onset =
        len - cut <= 1 || en_in(c->W, EN_SYLLABLE_ONSETS, cl + cut, len - cut);
    if (coda && onset)
      return true;
  }
  return false;
}

/* True when an all-capital word can be read as a word: it has a vowel,
 * no run of three vowels ("IAEA"), and its consonant clusters are ones
 * English words start, end or join with ("NASA", "SAARC"; not "NYPD"). */
static bool pronounceable(const en *c, const char *w, size_t n) {
  char lw[16];
  if (n >= sizeof lw)
    return true;
  for (size_t i = 0; i < n; i++)
    lw[i] = (char)tolower((unsigned char)w[i]);
  lw[n] = '\0';
  bool seen_vowel = false;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && !is_vowel(lw, j))
      j++;
    if (!cluster_fits(c, lw + i, j - i, i == 0, j == n))
      return false;
    if (j == n)
      break;
    seen_vowel = true;
    size_t plain = 0; /* a, e, i, o, u in a row ("y" may follow one) */
    for (; j < n && is_vowel(lw, j); j++) {
      plain = lw[j] == 'y' ? 0 : plain + 1;
      if (plain == 3)
        return false;
    }
    i = j;
  }
  return seen_vowel;
}

/* "the WHO": a function word in capitals after "the" is a name, which
 * only an acronym can be. */
static bool acronym_after_the(const en *c, size_t k) {
  size_t pw = prev_word(c, k);
  return pw != NONE && weq(c, pw, "the") && !word_all_upper(c, pw) &&
         en_in(c->W, EN_FUNCTION_WORDS, ts(c, k), tl(c, k));
}

/* All-capital words of two to five letters (and "FATFs") that cannot be
 * read as words are spelled, with periods, which make espeak-ng spell:
 * "I.M.F", "N.Y.P.D", "I.A.E.A". Pronounceable ones ("NATO", "SAARC") are
 * left to espeak-ng, which also spells short ones it does not know. */
static size_t r_acronym(en *c, size_t k) {
  if (!is_t(c, k, T_WORD))
    return 0;
  size_t n = tl(c, k);
  const char *s = ts(c, k);
  size_t caps = n >= 3 && s[n - 1] == 's' ? n - 1 : n;
  if (caps < 2 || caps > 5)
    return 0;
  /* The syllable tables are of English letters: A to Z only. */
  for (size_t i = 0; i < caps; i++)
    if (s[i] < 'A' || s[i] > 'Z')
      return 0;
  if (caps == 2 && caps == n)
    return 0; /* "UK", "GO": espeak-ng knows them */
  if (!(caps == n && acronym_after_the(c, k))) {
    if (pronounceable(c, s, caps))
      return 0;
    /* In a line of capitals ("BREAKING NEWS"), leave words alone. */
    size_t pw = prev_word(c, k), nw = next_word(c, k + 1);
    if (pw != NONE && nw != NONE && word_all_upper(c, pw) &&
        word_all_upper(c, nw) && tl(c, pw) > 3 && tl(c, nw) > 3)
      return 0;
  }
  spell_letters(&c->w, s, caps);
  if (caps < n)
    nz_str_adds(&c->w, "'s");
  say_w(c, k, k + 1);
  return 1;
}

/* Whether the text near token k has its word in lower case, as a word of
 * its own: then the capital of token k comes from a sentence start. The
 * search is bounded so that the rule costs the same in any text. */
static bool lower_nearby(const en *c, size_t k) {
  enum { WINDOW = 4000 };
  size_t n = tl(c, k), from = T(c, k)->s > WINDOW ? T(c, k)->s - WINDOW : 0;
  size_t to = T(c, k)->e + WINDOW < c->n ? T(c, k)->e + WINDOW : c->n;
  const char *w = ts(c, k);
  for (size_t i = from; i + n <= to; i++) {
    size_t m, l;
    if (i == T(c, k)->s || !nz_prefix_ci(c->s + i, to - i, w, n, &m) ||
        nz_cp_word(nz_cp_before(c->s, i)) ||
        (i + m < c->n && nz_cp_word(nz_cp_at(c->s, c->n, i + m, &l))) ||
        !nz_cp_lower(nz_cp_at(c->s, c->n, i, &l)))
      continue;
    return true;
  }
  return false;
}

/* Whether the capitalized word k starts a sentence rather than continuing
 * a name ("in the U.S. Residents said" against "the U.S. Senate"): a word
 * that starts sentences ("The", "However"), or one the text also writes in
 * lower case. */
static bool sentence_word(const en *c, size_t k) {
  return en_in(c->W, EN_SENTENCE_STARTERS, ts(c, k), tl(c, k)) ||
         lower_nearby(c, k);
}

/* Dotted initialisms and abbreviations: "U.S.A.", "e.g.", "J. R. Okafor". */
static size_t r_dotted(en *c, size_t k) {
  if (!is_t(c, k, T_WORD) ||
      (k > 0 && is_p(c, k - 1, '.') && k > 1 && is_t(c, k - 2, T_WORD)))
    return 0;
  /* Letters joined by periods: "U.S.A.", "e.g.", "a.k.a." */
  size_t j = k;
  char letters[16];
  size_t nl = 0;
  while (is_t(c, j, T_WORD) && tl(c, j) == 1 && is_p(c, j + 1, '.') &&
         nl + 1 < sizeof letters) {
    letters[nl++] = *ts(c, j);
    j += 2;
    if (!is_t(c, j, T_WORD) || tl(c, j) != 1)
      break;
  }
  /* The last letter may lack its period ("e.s.t", "i.e"). */
  if (nl >= 1 && is_t(c, j, T_WORD) && tl(c, j) == 1 &&
      !is_alnum_tok(c, j + 1) && nl + 1 < sizeof letters) {
    letters[nl++] = *ts(c, j);
    j++;
  }
  if (nl >= 2) {
    /* Build "e.g" to look up the lower-case abbreviations. */
    char dotted[40];
    size_t o = 0;
    for (size_t i = 0; i < nl; i++) {
      if (o)
        dotted[o++] = '.';
      dotted[o++] = letters[i];
    }
    const char *say_as = en_dotted_abbrev(c->W, dotted, o);
    bool had_dot = is_p(c, j - 1, '.');
    if (say_as) {
      nz_str_word(&c->w, say_as);
      say_w(c, k, j);
      return j - k;
    }
    if (weq(c, k, "a") || weq(c, k, "p")) {
      if (nl == 2 && (letters[1] == 'm' || letters[1] == 'M')) {
        /* a.m. or p.m. without a time: spelled, sentence end kept. */
        say_ampm(&c->w, tolower((unsigned char)letters[0]) == 'p');
        if (had_dot && starts_sentence(c, j))
          nz_str_adds(&c->w, ".");
        say_w(c, k, j);
        return j - k;
      }
    }
    bool upper = true;
    for (size_t i = 0; i < nl; i++)
      if (!isupper((unsigned char)letters[i]))
        upper = false;
    if (!upper)
      return 0;
    /* "U.S.A." -> "U.S.A": spelled, and the period only when it also
     * ends the sentence. Initials before a name ("J. R. Okafor") are
     * written with spaces and handled below. */
    spell_letters(&c->w, letters, nl);
    if (had_dot && starts_sentence(c, j)) {
      size_t nw = next_word(c, j);
      if (is_t(c, j, T_END) || (nw != NONE && sentence_word(c, nw)))
        nz_str_adds(&c->w, ".");
    }
    say_w(c, k, j);
    return j - k;
  }
  /* Initials with spaces: "J. R. Okafor", "J. Smith". */
  if (tl(c, k) == 1 && isupper((unsigned char)*ts(c, k)) &&
      is_p(c, k + 1, '.') && is_t(c, k + 2, T_SPACE)) {
    size_t e = k, ni = 0;
    char ini[8];
    while (ni < sizeof ini && is_t(c, e, T_WORD) && tl(c, e) == 1 &&
           isupper((unsigned char)*ts(c, e)) && is_p(c, e + 1, '.') &&
           is_t(c, e + 2, T_SPACE)) {
      ini[ni++] = *ts(c, e);
      e += 3;
    }
    /* "Elizabeth I. Then": a regnal number that ends a sentence. */
    size_t before = prev_word(c, k);
    if (ni == 1 && before != NONE && is_t(c, k - 1, T_SPACE) &&
        roman_value(ini, 1) && regnal_context(c, before))
      return 0;
    /* The name after the initials: capitalized, and not a word that
     * starts sentences ("vitamin C. The ..."). */
    if (!word_cap(c, e) ||
        en_in(c->W, EN_SENTENCE_STARTERS, ts(c, e), tl(c, e)))
      return 0;
    size_t pw = prev_word(c, k);
    if (ni == 1 && pw != NONE && word_all_lower(c, pw) && !weq(c, pw, "by") &&
        !weq(c, pw, "said") && !weq(c, pw, "and"))
      return 0; /* "vitamin C. Okafor ..." is too uncertain */
    if (ni == 1 && ini[0] == 'A') {
      /* A lone "A" reads as the article: give espeak-ng the letter. */
      says(c, k, e - 1, "[['eI]]");
      return e - 1 - k;
    }
    spell_letters(&c->w, ini, ni);
    say_w(c, k, e - 1);
    return e - 1 - k;
  }
  return 0;
}

static size_t r_abbrev(en *c, size_t k) {
  if (!is_t(c, k, T_WORD) ||
      (k > 0 &&
       (is_p(c, k - 1, '.') || is_p(c, k - 1, '@') || is_p(c, k - 1, '/'))))
    return 0;
  const char *s = ts(c, k);
  size_t n = tl(c, k);
  bool dot = is_p(c, k + 1, '.');
  size_t e = dot ? k + 2 : k + 1;
  if (!dot && is_alnum_tok(c, k + 1))
    return 0;
  if (dot && is_alnum_tok(c, k + 2))
    return 0; /* "Dr.Who", a host name */
  size_t pw = prev_word(c, k);
  /* "St": Saint before a name, Street after one. */
  if (n == 2 && strncmp(s, "St", 2) == 0) {
    bool after_name = pw != NONE && word_cap(c, pw) &&
                      !en_in(c->W, EN_SENTENCE_STARTERS, ts(c, pw), tl(c, pw));
    size_t nw = next_word(c, e);
    bool before_name = nw != NONE && is_t(c, e, T_SPACE) && word_cap(c, nw) &&
                       !en_in(c->W, EN_SENTENCE_STARTERS, ts(c, nw), tl(c, nw));
    const char *say_as;
    if (after_name)
      say_as = "Street";
    else if (before_name)
      say_as = "Saint";
    else
      return 0;
    nz_str_word(&c->w, say_as);
    if (dot && after_name && starts_sentence(c, e) && !is_t(c, e, T_END))
      nz_str_adds(&c->w, ".");
    say_w(c, k, e);
    return e - k;
  }
  /* Weekdays: "Tue., March 3", "Fri. 5 May". */
  const char *day = dot && word_cap(c, k) ? en_weekday(c->W, s, n) : NULL;
  if (day) {
    size_t j = is_p(c, e, ',') ? e + 1 : e;
    bool abbrev;
    size_t nw = next_word(c, j);
    if (is_t(c, j, T_SPACE) &&
        (is_t(c, j + 1, T_NUM) ||
         (nw != NONE && en_month(c->W, ts(c, nw), tl(c, nw), &abbrev)))) {
      says(c, k, e, day);
      return e - k;
    }
  }
  const en_abbrev *a = en_abbrev_find(c->W, s, n);
  if (!a) {
    /* "Oct." alone: the month. */
    bool abbrev;
    int month = en_month(c->W, s, n, &abbrev);
    if (month && abbrev && dot && tl(c, k) >= 3 && word_cap(c, k)) {
      nz_str_word(&c->w, en_month_name(c->W, month));
      if (starts_sentence(c, e) && !is_t(c, e, T_END))
        nz_str_adds(&c->w, ".");
      say_w(c, k, e);
      return e - k;
    }
    return 0;
  }
  if ((a->flags & AB_NEEDS_DOT) && !dot)
    return 0;
  if (a->flags & AB_TITLE) {
    /* Before a name; with its period also before "and" ("Mr. and Mrs.
     * Smith"): a titled "Dr." never ends a sentence. "Mulholland Dr." is
     * a drive. */
    size_t nw = next_word(c, e);
    bool name_next = is_t(c, e, T_SPACE) && nw != NONE && word_cap(c, nw);
    bool starter_next =
        name_next && en_in(c->W, EN_SENTENCE_STARTERS, ts(c, nw), tl(c, nw));
    if (n == 2 && strncmp(s, "Dr", 2) == 0 && (!name_next || starter_next) &&
        pw != NONE && word_cap(c, pw) &&
        !en_in(c->W, EN_SENTENCE_STARTERS, ts(c, pw), tl(c, pw))) {
      nz_str_word(&c->w, "Drive");
      if (dot && starts_sentence(c, e) && !is_t(c, e, T_END))
        nz_str_adds(&c->w, ".");
      say_w(c, k, e);
      return e - k;
    }
    if (!name_next && !(dot && is_t(c, e, T_SPACE) && nw != NONE))
      return 0;
  }
  if (a->flags & AB_NEEDS_NUM) {
    size_t j = e;
    if (is_t(c, j, T_SPACE))
      j++;
    if (!is_t(c, j, T_NUM))
      return 0;
  }
  if ((a->flags & AB_AFTER_NAME) && (pw == NONE || !word_cap(c, pw)))
    return 0;
  nz_str_word(&c->w, a->say);
  if (dot && (a->flags & AB_MAY_END) && starts_sentence(c, e) &&
      !is_t(c, e, T_END))
    nz_str_adds(&c->w, ".");
  say_w(c, k, e);
  return e - k;
}

/* A letter "A" that is not the article: in a code ("12A", "B2A") or with
 * nothing after it ("Plan A", "vitamin A."). espeak-ng would read the
 * article. */
static size_t r_code_letter(en *c, size_t k) {
  if (!is_t(c, k, T_WORD) || tl(c, k) != 1 || *ts(c, k) != 'A' || k == 0)
    return 0;
  bool left = is_t(c, k - 1, T_NUM);
  bool right = is_t(c, k + 1, T_NUM);
  bool alone = is_t(c, k - 1, T_SPACE) && prev_word(c, k) != NONE &&
               (is_t(c, k + 1, T_END) ||
                (is_t(c, k + 1, T_PUNCT) && !is_p(c, k + 1, '\'') &&
                 !is_p(c, k + 1, 0x2019) && !is_p(c, k + 1, '-') &&
                 !is_p(c, k + 1, '&')));
  /* The article never comes before "and", "or", "is"...: "Plan A and". */
  size_t nw = next_word(c, k + 1);
  if (!alone && nw != NONE && is_t(c, k + 1, T_SPACE) &&
      prev_word(c, k) != NONE && word_all_lower(c, nw))
    alone = en_in(c->W, EN_NOT_AFTER_ARTICLE, ts(c, nw), tl(c, nw));
  if (!left && !right && !alone)
    return 0;
  says(c, k, k + 1, "[['eI]]");
  return 1;
}

/* Initials joined by "&": "AT&T", "M&A", "R&D". */
static size_t r_ampersand_letters(en *c, size_t k) {
  if (!word_all_upper(c, k) || tl(c, k) > 3 || !is_p(c, k + 1, '&') ||
      !word_all_upper(c, k + 2) || tl(c, k + 2) > 3 || is_alnum_tok(c, k + 3) ||
      (k > 0 && is_alnum_tok(c, k - 1)))
    return 0;
  for (size_t i = k; i <= k + 2; i += 2) {
    if (i > k)
      nz_str_word(&c->w, "and");
    if (tl(c, i) == 1 && *ts(c, i) == 'A')
      nz_str_word(&c->w, "[['eI]]");
    else
      spell_letters(&c->w, ts(c, i), tl(c, i));
  }
  say_w(c, k, k + 3);
  return 3;
}

/* ---- Symbols ------------------------------------------------------------- */

static size_t r_symbol(en *c, size_t k) {
  if (!is_t(c, k, T_PUNCT))
    return 0;
  uint32_t cp = T(c, k)->cp;
  bool before = k > 0 && is_alnum_tok(c, k - 1);
  bool after = is_alnum_tok(c, k + 1);
  bool sp_before = k > 0 && is_t(c, k - 1, T_SPACE);
  bool sp_after = is_t(c, k + 1, T_SPACE);
  const char *say_as = NULL;
  switch (cp) {
  case '&':
    say_as = "and";
    break;
  case '@':
    if (after)
      say_as = "at";
    break;
  case '$':
    say_as = "dollar";
    break;
  case '%':
    say_as = "percent";
    break;
  case '+':
    /* "C++", "f++", "2+3"; "+1" is the number rule's. */
    if (is_p(c, k - 1, '+') || (k > 0 && is_t(c, k - 1, T_WORD)) ||
        (k > 0 && is_t(c, k - 1, T_NUM) && (after || sp_after)))
      say_as = "plus";
    break;
  case '=':
    if ((before || sp_before || k == 0) && (after || sp_after))
      say_as = "equals";
    break;
  case '*':
    if (k > 0 && is_t(c, k - 1, T_NUM) && is_t(c, k + 1, T_NUM))
      say_as = "asterisk";
    break;
  case '#':
    if (is_t(c, k + 1, T_NUM) && !before)
      say_as = "number";
    break;
  case '~':
    if (is_t(c, k + 1, T_NUM) && !before)
      say_as = "about";
    break;
  case '/':
    if (sp_before && sp_after)
      say_as = "slash";
    break;
  case 0xB1: /* ± */
    say_as = "plus or minus";
    break;
  case 0x2116: /* № */
    say_as = "number";
    break;
  case 0xD7: /* × */
    if ((k > 0 && is_t(c, k - 1, T_NUM)) || is_t(c, k + 1, T_NUM))
      say_as = "times";
    break;
  default: {
    const char *alone, *after_and;
    if (en_vulgar(c->W, cp, &alone, &after_and)) {
      says(c, k, k + 1, alone);
      return 1;
    }
    break;
  }
  }
  if (!say_as)
    return 0;
  says(c, k, k + 1, say_as);
  return 1;
}

/* ---- Driver -------------------------------------------------------------- */

typedef size_t (*rule_fn)(en *c, size_t k);

int nz_normalize(const char *text, size_t len, const nz_opts *opt, nz_out *o) {
  en c;
  memset(&c, 0, sizeof c);
  c.s = text;
  c.n = len;
  c.o = o;
  c.opt = opt;
  c.W = opt->words;
  int rc = tokenize(&c);
  if (rc) {
    free(c.t);
    free(c.serial);
    return rc;
  }
  static const rule_fn english[] = {r_verbatim,
                                    r_electronic,
                                    r_lexicon,
                                    r_phone,
                                    r_date_numeric,
                                    r_date_words,
                                    r_time,
                                    r_money,
                                    r_address,
                                    r_state,
                                    r_money_after,
                                    r_version,
                                    r_feet,
                                    r_number,
                                    r_apostrophe_decade,
                                    r_dotted,
                                    r_abbrev,
                                    r_roman,
                                    r_ampersand_letters,
                                    r_acronym,
                                    r_code_letter,
                                    r_symbol};
  static const rule_fn other[] = {r_verbatim, r_lexicon};
  const rule_fn *rules = opt->english ? english : other;
  size_t n_rules = opt->english ? sizeof english / sizeof *english
                                : sizeof other / sizeof *other;
  for (size_t k = 0; k < c.nt;) {
    size_t used = 0;
    if (c.t[k].t != T_SPACE) {
      for (size_t r = 0; r < n_rules && !used; r++) {
        used = rules[r](&c, k);
        nz_str_clear(&c.w);
      }
    }
    k += used ? used : 1;
  }
  nz_keep(o, len);
  if (c.w.oom || o->text.oom)
    o->oom = true;
  nz_str_free(&c.w);
  free(c.t);
  free(c.serial);
  return o->oom ? AC_ERR_NOMEM : 0;
}
