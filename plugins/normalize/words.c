/*
 * Word tables from plain-text data files. The file is read whole and cut
 * in place into NUL-terminated fields; rows are indexed by their key in
 * lower case for binary search.
 */
#include "words.h"

#include "articast/plugin.h"
#include "nz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

void nz_table_free(nz_table *t) {
  if (t->folded)
    for (size_t i = 0; i < t->n; i++)
      free(t->folded[i]);
  free(t->folded);
  free(t->order);
  free(t->rows);
  free(t->data);
  free(t->path);
  memset(t, 0, sizeof *t);
}

static int failf(char *err, size_t errlen, int code, const char *fmt, ...)
    AC_PRINTF(4, 5);
static int failf(char *err, size_t errlen, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return code;
}

static int read_file(const char *path, char **data, size_t *len, char *err,
                     size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return failf(err, errlen, errno == ENOENT ? AC_ERR_NOTFOUND : AC_ERR_IO,
                 "%s: cannot open: %s", path, strerror(errno));
  char *buf = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 8192;
      char *g = realloc(buf, cap);
      if (!g) {
        rc = failf(err, errlen, AC_ERR_NOMEM, "out of memory");
        break;
      }
      buf = g;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) {
      if (ferror(f))
        rc = failf(err, errlen, AC_ERR_IO, "%s: read error", path);
      break;
    }
  }
  fclose(f);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

/* Strips spaces at both ends of s in place; returns the new start. */
static char *strip(char *s) {
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* Parses the flags field `s` into row r. */
static int parse_flags(const nz_table_spec *spec, const char *path,
                       unsigned line, char *s, nz_row *r, char *err,
                       size_t errlen) {
  for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    tok = strip(tok);
    if (strcmp(tok, "case") == 0) {
      r->exact = true;
      continue;
    }
    if (strcmp(tok, "anycase") == 0) {
      r->exact = false;
      continue;
    }
    unsigned i = 0;
    while (spec->flag_names[i] && strcmp(spec->flag_names[i], tok) != 0)
      i++;
    if (!spec->flag_names[i]) {
      char known[256] = "case, anycase";
      for (unsigned k = 0; spec->flag_names[k]; k++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, ", %s",
                 spec->flag_names[k]);
      }
      return failf(err, errlen, AC_ERR_FORMAT,
                   "%s:%u: unknown flag '%s' (flags here: %s)", path, line, tok,
                   known);
    }
    r->flags |= 1u << i;
  }
  return 0;
}

/* Cuts one line (NUL-terminated, without its newline) into a row. Returns
 * 0 and sets *empty for blank and comment lines. */
static int parse_line(const nz_table_spec *spec, const char *path,
                      unsigned line, char *s, nz_row *r, bool *empty, char *err,
                      size_t errlen) {
  memset(r, 0, sizeof *r);
  r->line = line;
  r->exact = spec->exact;
  s = strip(s);
  *empty = s[0] == '\0' || s[0] == '#';
  if (*empty)
    return 0;
  if (s[0] == '\\' && s[1] == '#')
    s++; /* "\#": an entry that starts with "#" */
  if (!nz_valid_utf8(s, strlen(s)))
    return failf(err, errlen, AC_ERR_FORMAT, "%s:%u: not valid UTF-8", path,
                 line);
  unsigned most = spec->max_fields + (spec->flag_names ? 1 : 0);
  char *fields[NZ_MAX_FIELDS + 1];
  unsigned nf = 0;
  for (char *p = s; p;) {
    char *tab = strchr(p, '\t');
    if (tab) {
      *tab = '\0';
      while (tab[1] == '\t')
        tab++; /* several TABs align columns */
    }
    if (nf == most)
      return failf(err, errlen, AC_ERR_FORMAT,
                   "%s:%u: more than %u TAB-separated fields", path, line,
                   most);
    fields[nf] = strip(p);
    if (fields[nf][0] == '\0')
      return failf(err, errlen, AC_ERR_FORMAT, "%s:%u: field %u is empty", path,
                   line, nf + 1);
    nf++;
    p = tab ? tab + 1 : NULL;
  }
  if (nf < spec->min_fields)
    return failf(err, errlen, AC_ERR_FORMAT,
                 "%s:%u: %u field%s, expected at least %u (separated by TABs)",
                 path, line, nf, nf == 1 ? "" : "s", spec->min_fields);
  if (nf > spec->max_fields) {
    int rc = parse_flags(spec, path, line, fields[--nf], r, err, errlen);
    if (rc)
      return rc;
  }
  for (unsigned i = 0; i < nf; i++)
    r->f[i] = fields[i];
  r->nf = nf;
  r->key_len = strlen(r->f[0]);
  return 0;
}

/* Cuts the file into rows. */
static int parse_rows(nz_table *t, const nz_table_spec *spec, size_t len,
                      char *err, size_t errlen) {
  size_t cap = 1;
  for (size_t i = 0; i < len; i++)
    cap += t->data[i] == '\n';
  t->rows = calloc(cap, sizeof *t->rows);
  if (!t->rows)
    return failf(err, errlen, AC_ERR_NOMEM, "out of memory");
  char *p = t->data;
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
    p += 3; /* a byte order mark */
  if (memchr(t->data, '\0', len))
    return failf(err, errlen, AC_ERR_FORMAT, "%s: a NUL byte: not a text file",
                 t->path);
  for (unsigned line = 1; p && *p; line++) {
    char *nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    bool empty;
    int rc =
        parse_line(spec, t->path, line, p, &t->rows[t->n], &empty, err, errlen);
    if (rc)
      return rc;
    if (!empty)
      t->n++;
    p = nl ? nl + 1 : NULL;
  }
  return 0;
}

/* The key of w[0..n) in lower case, malloc'd. */
static char *fold(const char *w, size_t n) {
  size_t out_len = 0;
  uint8_t *f = u8_tolower((const uint8_t *)w, n, NULL, NULL, NULL, &out_len);
  if (!f)
    return NULL;
  char *s = realloc(f, out_len + 1);
  if (!s) {
    free(f);
    return NULL;
  }
  s[out_len] = '\0';
  return s;
}

typedef struct keyed {
  const char *key;
  uint32_t row;
} keyed;

static int by_key(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Whether rows a and b (same folded key) would match the same word. */
static bool same_entry(const nz_row *a, const nz_row *b) {
  return !a->exact || !b->exact || strcmp(a->f[0], b->f[0]) == 0;
}

static int index_rows(nz_table *t, char *err, size_t errlen) {
  t->folded = calloc(t->n ? t->n : 1, sizeof *t->folded);
  t->order = malloc((t->n ? t->n : 1) * sizeof *t->order);
  if (!t->folded || !t->order)
    return failf(err, errlen, AC_ERR_NOMEM, "out of memory");
  keyed *k = malloc((t->n ? t->n : 1) * sizeof *k);
  if (!k)
    return failf(err, errlen, AC_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < t->n; i++) {
    t->folded[i] = fold(t->rows[i].f[0], t->rows[i].key_len);
    if (!t->folded[i]) {
      free(k);
      return failf(err, errlen, AC_ERR_NOMEM, "out of memory");
    }
    k[i] = (keyed){t->folded[i], (uint32_t)i};
  }
  qsort(k, t->n, sizeof *k, by_key);
  for (size_t i = 0; i < t->n; i++)
    t->order[i] = k[i].row;
  free(k);
  for (size_t i = 0; i < t->n; i++) {
    const nz_row *r = &t->rows[t->order[i]];
    for (size_t j = i; j-- > 0;) {
      if (strcmp(t->folded[t->order[j]], t->folded[t->order[i]]) != 0)
        break;
      const nz_row *q = &t->rows[t->order[j]];
      if (same_entry(q, r))
        return failf(err, errlen, AC_ERR_FORMAT,
                     "%s:%u: '%s' is listed already, on line %u", t->path,
                     r->line, r->f[0], q->line);
    }
  }
  return 0;
}

int nz_table_load(nz_table *t, const nz_table_spec *spec, const char *path,
                  char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  t->path = strdup(path);
  if (!t->path)
    return failf(err, errlen, AC_ERR_NOMEM, "out of memory");
  size_t len = 0;
  int rc = read_file(path, &t->data, &len, err, errlen);
  if (rc == 0)
    rc = parse_rows(t, spec, len, err, errlen);
  if (rc == 0 && t->n == 0)
    rc = failf(err, errlen, AC_ERR_FORMAT, "%s: no entries", path);
  if (rc == 0)
    rc = index_rows(t, err, errlen);
  if (rc)
    nz_table_free(t);
  return rc;
}

/* w[0..n) in lower case, in buf when it fits (flen: its size, then the
 * length); NULL when out of memory. ASCII, most of what is looked up, is
 * folded here; anything else by libunistring. */
static uint8_t *fold_into(const char *w, size_t n, uint8_t *buf, size_t *flen) {
  if (n <= *flen) {
    size_t i = 0;
    for (; i < n && (unsigned char)w[i] < 0x80; i++)
      buf[i] = (uint8_t)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] + 32 : w[i]);
    if (i == n) {
      *flen = n;
      return buf;
    }
  }
  return u8_tolower((const uint8_t *)w, n, NULL, NULL, buf, flen);
}

const nz_row *nz_table_find(const nz_table *t, const char *w, size_t n) {
  if (!t->n || n == 0)
    return NULL;
  uint8_t buf[128];
  size_t flen = sizeof buf;
  uint8_t *f = fold_into(w, n, buf, &flen);
  if (!f)
    return NULL;
  const char *key = (const char *)f;
  /* The first row whose folded key is not below w's. */
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = t->folded[t->order[mid]];
    size_t kn = strlen(k);
    int c = memcmp(k, key, kn < flen ? kn : flen);
    if (c < 0 || (c == 0 && kn < flen))
      lo = mid + 1;
    else
      hi = mid;
  }
  const nz_row *found = NULL;
  for (size_t i = lo; i < t->n && !found; i++) {
    const char *k = t->folded[t->order[i]];
    if (strlen(k) != flen || memcmp(k, key, flen) != 0)
      break;
    const nz_row *r = &t->rows[t->order[i]];
    if (!r->exact || (r->key_len == n && memcmp(r->f[0], w, n) == 0))
      found = r;
  }
  if (f != buf)
    free(f);
  return found;
}
