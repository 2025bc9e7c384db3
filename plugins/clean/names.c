/*
 * Names, bylines and author bios: runs of capitalised name words, byline
 * prefixes ("By"), bio sentences ("The writer is ...", "Jane Doe is a
 * reporter ..."), author boxes ("About Jane Doe") and the e-mail sentences
 * a bio must not read out. The words come from words/clean/.
 */
#include "clean.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>

bool cl_date_word(const cl_lexicon *lx, const char *folded_word) {
  return cl_list_has(&lx->lists[CL_DATE_WORDS], folded_word);
}

/* A capitalised word that is a date or a dateline, not a name. */
static bool date_word(const cl_lexicon *lx, const char *w, size_t n) {
  char *word = strndup(w, n);
  char *f = word ? cl_fold(word, NULL) : NULL;
  bool date = f && (cl_date_word(lx, f) ||
                    cl_list_has(&lx->lists[CL_NAME_BREAKERS], f));
  free(f);
  free(word);
  return date;
}

/* Can the n bytes at w be a capitalised word of a name: letters (and
 * hyphens, apostrophes) after an upper-case one, or an initial "J."? */
static bool name_word(const char *w, size_t n) {
  size_t i = 0;
  if (!uc_is_upper(cl_next(w, n, &i)) || n > 20)
    return false;
  while (i < n) {
    size_t at = i;
    ucs4_t cp = cl_next(w, n, &i);
    bool letter = uc_is_general_category(cp, UC_CATEGORY_L) ||
                  uc_is_general_category(cp, UC_CATEGORY_M);
    if (!(letter || cp == '-' || cp == '\'' || cp == 0x2019 ||
          (cp == '.' && at == n - 1 && n <= 2)))
      return false;
  }
  return true;
}

/* Length of the run of name-like words at s ("Jane Q. Doe-Smith and John
 * Roe"): capitalised words, initials, particles, "and" between names.
 * *words gets the number of capitalised words. Stops at anything else. */
static size_t name_run(const cl_lexicon *lx, const char *s, int *words) {
  size_t i = 0, end = 0;
  int caps = 0;
  bool last_and = false;
  while (s[i]) {
    while (s[i] == ' ')
      i++;
    size_t b = i;
    while (s[i] && !strchr(" ,|;@", s[i]))
      i++;
    size_t n = i - b;
    if (n == 0)
      break;
    const char *w = s + b;
    if (caps == 0 && cl_list_has_n(&lx->lists[CL_NAME_TITLES], w, n)) {
      end = i;
    } else if (name_word(w, n) && !date_word(lx, w, n)) {
      caps++;
      end = i;
      last_and = false;
    } else if (caps > 0 && !last_and &&
               ((n == 3 && strncmp(w, "and", 3) == 0) ||
                (n == 1 && w[0] == '&'))) {
      last_and = true;
    } else if (caps > 0 && cl_list_has_n(&lx->lists[CL_NAME_PARTICLES], w, n)) {
      /* keep going: "Ursula von der Leyen" */
    } else {
      break;
    }
  }
  *words = caps;
  return end;
}

bool cl_bare_name(const cl_lexicon *lx, const cl_unit *u, const char *folded) {
  if (u->words < 2 || u->words > 5 || u->ends_sentence || u->bullet)
    return false;
  int caps = 0;
  size_t run = name_run(lx, u->text, &caps);
  if (run != u->len || caps < 2 || caps > 4)
    return false;
  /* No word of the name may be a common word. */
  const char *p = folded;
  while (*p) {
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (cl_list_has_n(&lx->lists[CL_COMMON_WORDS], p, n))
      return false;
    p += n;
    while (*p == ' ')
      p++;
  }
  return true;
}

/* Length of a byline prefix ("By ") at the start of s, or 0. */
static size_t by_prefix(const cl_lexicon *lx, const char *s) {
  const cl_list *l = &lx->lists[CL_BYLINE_PREFIXES];
  for (size_t i = 0; i < l->n; i++) {
    size_t n = strlen(l->items[i]);
    if (strncmp(s, l->items[i], n) == 0 && s[n] == ' ')
      return n + 1;
  }
  return 0;
}

char *cl_byline_name(const cl_lexicon *lx, const char *text) {
  const char *s = text;
  while (*s == ' ' || *s == '*' || *s == '_')
    s++;
  s += by_prefix(lx, s);
  while (*s == ' ' || *s == ':')
    s++;
  int caps = 0;
  size_t n = name_run(lx, s, &caps);
  if (caps == 0 || n == 0)
    return NULL;
  while (n > 0 && s[n - 1] == ' ')
    n--;
  return strndup(s, n);
}

/* Does folded text hold a date word or a year ("2019")? */
static bool holds_date(const cl_lexicon *lx, const char *text) {
  char *f = cl_fold(text, NULL);
  if (!f)
    return false;
  bool date = false;
  for (char *save = NULL, *w = strtok_r(f, " ", &save); w && !date;
       w = strtok_r(NULL, " ", &save)) {
    date = cl_date_word(lx, w) ||
           (strlen(w) == 4 && (w[0] == '1' || w[0] == '2') &&
            isdigit((unsigned char)w[1]));
  }
  free(f);
  return date;
}

bool cl_byline_like(const cl_lexicon *lx, const cl_unit *u) {
  if (u->words < 1 || u->words > 16 || u->bullet)
    return false;
  const char *s = u->text;
  size_t pre = by_prefix(lx, s);
  int caps = 0;
  size_t n = name_run(lx, s + pre, &caps);
  if (caps == 0 || caps > 6)
    return false;
  if (pre > 0) {
    /* "By the way, ..." is not a byline: the name must be capitalised and
     * the line short or the rest a date or role. */
    return u->words <= 12 || !u->ends_sentence;
  }
  /* Without a prefix: a name, then a separator and a date. */
  if (caps < 2 || caps > 4)
    return false;
  const char *rest = s + n;
  while (*rest == ' ')
    rest++;
  size_t i = 0;
  ucs4_t sep = *rest ? cl_next(rest, strlen(rest), &i) : 0;
  if (!(sep == '-' || sep == '|' || sep == ',' || sep == '/' || sep == 0x2013 ||
        sep == 0))
    return false;
  if (sep == 0 || strchr(rest, '"') || u->words - caps > 8)
    return false; /* a bare name is handled separately; a citation */
  return holds_date(lx, rest);
}

/* Does the text mention one of the words of `name` (a surname)? */
static bool mentions_name(const char *text, size_t len, const char *name) {
  const char *p = name;
  while (p && *p) {
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n >= 3) {
      for (size_t i = 0; i + n <= len; i++) {
        size_t j = i + n;
        if (strncmp(text + i, p, n) == 0 &&
            (j == len || !cl_is_wordchar(cl_next(text, len, &j))))
          return true;
      }
    }
    p = e ? e + 1 : NULL;
  }
  return false;
}

/* Does s start with an entry of the list followed by a space, the end or
 * (for entries ending in '-') anything? */
static bool starts_with_entry(const cl_list *l, const char *s) {
  for (size_t i = 0; i < l->n; i++) {
    const char *e = l->items[i];
    size_t n = strlen(e);
    if (strncmp(s, e, n) == 0 && (e[n - 1] == '-' || s[n] == ' ' ||
                                  s[n] == '\0' || ispunct((unsigned char)s[n])))
      return true;
  }
  return false;
}

/* After the name of a person closing the article: a writer's trade. */
static bool names_trade(const cl_lexicon *lx, const char *rest) {
  const cl_list *trades = &lx->lists[CL_BIO_TRADES];
  for (size_t i = 0; i < trades->n; i++) {
    if (strstr(rest, trades->items[i]))
      return true;
  }
  return false;
}

bool cl_bio_like(const cl_lexicon *lx, const cl_unit *u, const char *author,
                 bool at_end) {
  if (u->words < 5 || u->words > 90)
    return false;
  const char *s = u->text;
  while (*s == '*' || *s == '_' || *s == ' ')
    s++;
  if (starts_with_entry(&lx->lists[CL_BIO_STARTS], s))
    return true;
  int caps = 0;
  size_t n = name_run(lx, s, &caps);
  if (caps < 1 || caps > 4 || s[n] != ' ' ||
      !starts_with_entry(&lx->lists[CL_BIO_VERBS], s + n + 1))
    return false;
  if (author && mentions_name(s, n, author))
    return true;
  return at_end && names_trade(lx, s + n);
}

bool cl_bio_header(const cl_lexicon *lx, const cl_unit *u) {
  if (u->words > 6 || u->words < 2)
    return false;
  const cl_list *heads = &lx->lists[CL_BIO_HEADERS];
  const cl_list *subjects = &lx->lists[CL_BIO_SUBJECTS];
  for (size_t i = 0; i < heads->n; i++) {
    size_t n = strlen(heads->items[i]);
    if (strncmp(u->text, heads->items[i], n) != 0 || u->text[n] != ' ')
      continue;
    const char *rest = u->text + n + 1;
    for (size_t k = 0; k < subjects->n; k++) {
      if (strncmp(rest, subjects->items[k], strlen(subjects->items[k])) == 0)
        return true;
    }
    int caps = 0;
    size_t run = name_run(lx, rest, &caps);
    return caps >= 2 && rest[run] == '\0';
  }
  return false;
}

/* ---- Bio e-mail sentences ---------------------------------------------- */

typedef struct kept_text {
  char *buf;
  size_t len;
} kept_text;

static void keep_sentence(const char *s, size_t len, void *ctx) {
  kept_text *k = ctx;
  char *tmp = strndup(s, len);
  if (!tmp)
    return;
  /* A sentence whose point is an address ("He can be reached at [email
   * protected]", "Reach her at a@b.org or on 0161 ...") goes. */
  int words = 0;
  for (size_t i = 0; i < len; i++) {
    if ((i == 0 || s[i - 1] == ' ') && s[i] != ' ')
      words++;
  }
  bool drop = cl_has_email(tmp) && words <= 25;
  free(tmp);
  if (drop)
    return;
  while (len > 0 && s[len - 1] == ' ')
    len--;
  if (k->len > 0)
    k->buf[k->len++] = ' ';
  memcpy(k->buf + k->len, s, len);
  k->len += len;
  k->buf[k->len] = '\0';
}

bool cl_strip_email_sentences(const cl_lexicon *lx, cl_unit *u) {
  if (!cl_has_email(u->text))
    return true;
  kept_text k = {malloc(u->len + 2), 0};
  if (!k.buf)
    return true;
  k.buf[0] = '\0';
  cl_sentences(u->text, &lx->lists[CL_ABBREVIATIONS], keep_sentence, &k);
  free(u->text);
  u->text = k.buf;
  u->len = k.len;
  return k.len > 0;
}
