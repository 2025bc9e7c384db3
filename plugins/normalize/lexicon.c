/*
 * Pronunciation lexicons: plain text files, one entry a line (see
 * voices/lexicons/README.md):
 *
 *   # comment
 *   !language en
 *   PATTERN <TAB> PRONUNCIATION [<TAB> FLAGS]
 *
 * Fields are separated by a TAB or by two or more spaces. FLAGS are `case`
 * (match letter case exactly) and `part` (match inside longer words too).
 */
#include "nz.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Index bucket of an entry or of the text at a position: the low byte of
 * the lower-case first code point. */
static unsigned bucket_of(const char *s, size_t n) {
  size_t len;
  return nz_fold_cp(nz_cp_at(s, n, 0, &len)) & 0xFFu;
}

static void entry_free(nz_entry *e) {
  free(e->pattern);
  free(e->say);
}

void nz_lexicon_free(nz_lexicon *lx) {
  for (size_t i = 0; i < lx->n; i++)
    entry_free(&lx->e[i]);
  free(lx->e);
  free(lx->index);
  memset(lx, 0, sizeof *lx);
}

/* Trims spaces and tabs at both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n) {
  while (*n && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n &&
         ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
    (*n)--;
}

/* Finds the next field separator (a TAB, or two or more spaces) in
 * [s, s + n): returns its offset and sets *seplen, or returns n. */
static size_t find_sep(const char *s, size_t n, size_t *seplen) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\t' || (s[i] == ' ' && i + 1 < n && s[i + 1] == ' ')) {
      size_t j = i;
      while (j < n && (s[j] == '\t' || s[j] == ' '))
        j++;
      *seplen = j - i;
      return i;
    }
  }
  *seplen = 0;
  return n;
}

/* Checks that every "[[" in a pronunciation is closed by "]]". */
static bool brackets_balanced(const char *s, size_t n) {
  bool open = false;
  for (size_t i = 0; i + 1 < n; i++) {
    if (!open && s[i] == '[' && s[i + 1] == '[') {
      open = true;
      i++;
    } else if (open && s[i] == ']' && s[i + 1] == ']') {
      open = false;
      i++;
    }
  }
  return !open;
}

static int add_entry(nz_lexicon *lx, nz_entry *e) {
  if (lx->n == lx->cap) {
    size_t cap = lx->cap ? lx->cap * 2 : 64;
    nz_entry *g = realloc(lx->e, cap * sizeof *g);
    if (!g)
      return AC_ERR_NOMEM;
    lx->e = g;
    lx->cap = cap;
  }
  lx->e[lx->n++] = *e;
  return 0;
}

int nz_lexicon_parse(nz_lexicon *lx, const char *name, const char *data,
                     size_t len, unsigned priority, char *err, size_t errlen) {
  char lang[12] = "";
  size_t line_no = 0;
  for (size_t pos = 0; pos < len;) {
    const char *line = data + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl ? 1 : 0);
    line_no++;
    if (line_no == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
      line += 3; /* a byte order mark */
      n -= 3;
    }
    trim(&line, &n);
    if (n == 0 || line[0] == '#')
      continue;
    if (!nz_valid_utf8(line, n)) {
      snprintf(err, errlen, "%s:%zu: not valid UTF-8", name, line_no);
      return AC_ERR_FORMAT;
    }
    if (line[0] == '!') {
      /* A directive: "!language en" or "!language *". */
      if (n > 9 && strncmp(line, "!language", 9) == 0 &&
          (line[9] == ' ' || line[9] == '\t')) {
        const char *v = line + 10;
        size_t vn = n - 10;
        trim(&v, &vn);
        size_t k = 0;
        while (k < vn && isalpha((unsigned char)v[k]))
          k++;
        if (vn == 1 && v[0] == '*') {
          lang[0] = '\0';
          continue;
        }
        if (k < 2 || k > 8 || (k < vn && v[k] != '-' && v[k] != '_')) {
          snprintf(err, errlen,
                   "%s:%zu: '!language' wants a language code such as 'en' "
                   "(or '*' for any)",
                   name, line_no);
          return AC_ERR_FORMAT;
        }
        for (size_t i = 0; i < k; i++)
          lang[i] = (char)tolower((unsigned char)v[i]);
        lang[k] = '\0';
        continue;
      }
      snprintf(err, errlen,
               "%s:%zu: unknown directive (the only one is '!language "
               "CODE')",
               name, line_no);
      return AC_ERR_FORMAT;
    }
    size_t seplen;
    size_t p_end = find_sep(line, n, &seplen);
    if (p_end == n) {
      snprintf(err, errlen,
               "%s:%zu: expected the written form, a TAB (or two spaces), "
               "then its pronunciation",
               name, line_no);
      return AC_ERR_FORMAT;
    }
    const char *say = line + p_end + seplen;
    size_t rest = n - p_end - seplen;
    size_t s_end = find_sep(say, rest, &seplen);
    const char *flags = s_end < rest ? say + s_end + seplen : NULL;
    size_t flags_n = s_end < rest ? rest - s_end - seplen : 0;
    size_t say_n = s_end;
    nz_entry e = {0};
    e.priority = priority;
    memcpy(e.lang, lang, sizeof e.lang);
    while (flags && flags_n) {
      size_t k = 0;
      while (k < flags_n && flags[k] != ',' && flags[k] != ' ' &&
             flags[k] != '\t')
        k++;
      if (k == 4 && strncasecmp(flags, "case", 4) == 0) {
        e.exact_case = true;
      } else if (k == 4 && strncasecmp(flags, "part", 4) == 0) {
        e.part = true;
      } else if (k == 4 && strncasecmp(flags, "word", 4) == 0) {
        e.part = false;
      } else if (k > 0) {
        snprintf(err, errlen,
                 "%s:%zu: unknown flag '%.*s' (flags: case, part, word)", name,
                 line_no, (int)k, flags);
        return AC_ERR_FORMAT;
      }
      while (k < flags_n &&
             (flags[k] == ',' || flags[k] == ' ' || flags[k] == '\t'))
        k++;
      flags += k;
      flags_n -= k;
    }
    if (!brackets_balanced(say, say_n)) {
      snprintf(err, errlen, "%s:%zu: '[[' without its closing ']]'", name,
               line_no);
      return AC_ERR_FORMAT;
    }
    e.pattern = strndup(line, p_end);
    e.plen = p_end;
    e.say = strndup(say, say_n);
    if (!e.pattern || !e.say || add_entry(lx, &e) != 0) {
      entry_free(&e);
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
  }
  return 0;
}

int nz_lexicon_load(nz_lexicon *lx, const char *path, unsigned priority,
                    char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open lexicon: %s", path, strerror(errno));
    return errno == ENOENT ? AC_ERR_NOTFOUND : AC_ERR_IO;
  }
  char *data = NULL;
  size_t len = 0, cap = 0;
  int rc = 0;
  for (;;) {
    if (len + 4096 > cap) {
      size_t ncap = cap ? cap * 2 : 8192;
      char *g = realloc(data, ncap);
      if (!g) {
        rc = AC_ERR_NOMEM;
        snprintf(err, errlen, "out of memory");
        break;
      }
      data = g;
      cap = ncap;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        rc = AC_ERR_IO;
        snprintf(err, errlen, "%s: read error", path);
      }
      break;
    }
  }
  fclose(f);
  if (rc == 0)
    rc = nz_lexicon_parse(lx, path, data ? data : "", len, priority, err,
                          errlen);
  free(data);
  return rc;
}

/* Order inside a bucket: longest pattern first, then the first lexicon,
 * then exact-case entries, then file order. */
static bool before(const nz_lexicon *lx, uint32_t a, uint32_t b) {
  const nz_entry *x = &lx->e[a], *y = &lx->e[b];
  if (x->plen != y->plen)
    return x->plen > y->plen;
  if (x->priority != y->priority)
    return x->priority < y->priority;
  if (x->exact_case != y->exact_case)
    return x->exact_case;
  return a < b;
}

int nz_lexicon_finish(nz_lexicon *lx) {
  free(lx->index);
  lx->index = NULL;
  memset(lx->bucket, 0, sizeof lx->bucket);
  if (lx->n == 0)
    return 0;
  lx->index = malloc(lx->n * sizeof *lx->index);
  if (!lx->index)
    return AC_ERR_NOMEM;
  /* Counting sort by folded first byte, then by length within buckets. */
  uint32_t count[256] = {0};
  for (size_t i = 0; i < lx->n; i++)
    count[bucket_of(lx->e[i].pattern, lx->e[i].plen)]++;
  uint32_t at = 0;
  for (int c = 0; c < 256; c++) {
    lx->bucket[c] = at;
    at += count[c];
  }
  lx->bucket[256] = at;
  uint32_t fill[256];
  memcpy(fill, lx->bucket, sizeof fill);
  for (size_t i = 0; i < lx->n; i++)
    lx->index[fill[bucket_of(lx->e[i].pattern, lx->e[i].plen)]++] = (uint32_t)i;
  /* Insertion sort per bucket (qsort has no context argument in C11;
   * buckets hold a few hundred entries at most). */
  for (int c = 0; c < 256; c++) {
    uint32_t *v = lx->index + lx->bucket[c];
    size_t n = lx->bucket[c + 1] - lx->bucket[c];
    for (size_t i = 1; i < n; i++) {
      uint32_t x = v[i];
      size_t j = i;
      while (j > 0 && before(lx, x, v[j - 1])) {
        v[j] = v[j - 1];
        j--;
      }
      v[j] = x;
    }
  }
  return 0;
}

static bool lang_ok(const nz_entry *e, const char *lang) {
  return e->lang[0] == '\0' || (lang && strcmp(e->lang, lang) == 0);
}

/* Whether the entry matches s[at..] (len bytes in all); *mlen is the
 * length matched in s, which a case-insensitive match may make differ from
 * the pattern's. */
static bool entry_matches(const nz_entry *e, const char *s, size_t len,
                          size_t at, bool words_only, size_t *mlen) {
  if (e->exact_case) {
    if (e->plen > len - at || memcmp(s + at, e->pattern, e->plen) != 0)
      return false;
    *mlen = e->plen;
  } else if (!nz_prefix_ci(s + at, len - at, e->pattern, e->plen, mlen)) {
    return false;
  }
  if (e->part && !words_only)
    return true;
  /* Whole words: no letter or digit may touch the match, except where the
   * pattern itself starts or ends with punctuation. */
  size_t l;
  bool starts_word = nz_cp_word(nz_cp_at(e->pattern, e->plen, 0, &l));
  bool ends_word = nz_cp_word(nz_cp_before(e->pattern, e->plen));
  if (starts_word && nz_cp_word(nz_cp_before(s, at)))
    return false;
  if (ends_word && at + *mlen < len &&
      nz_cp_word(nz_cp_at(s, len, at + *mlen, &l)))
    return false;
  return true;
}

const nz_entry *nz_lexicon_match(const nz_lexicon *lx, const char *s,
                                 size_t len, size_t at, const char *lang,
                                 bool words_only, size_t *mlen) {
  if (!lx || !lx->index || at >= len)
    return NULL;
  unsigned b = bucket_of(s + at, len - at);
  /* Sorted longest first, then by priority: the first match is the best. */
  for (uint32_t i = lx->bucket[b]; i < lx->bucket[b + 1]; i++) {
    const nz_entry *e = &lx->e[lx->index[i]];
    if (lang_ok(e, lang) && entry_matches(e, s, len, at, words_only, mlen))
      return e;
  }
  return NULL;
}
