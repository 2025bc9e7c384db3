/*
 * Word tables read from plain-text data files (voices/words/<lang>/): one
 * entry a line, fields separated by TABs, "#" comment lines, an optional
 * last field of comma-separated flags. See voices/words/en/README.md.
 */
#ifndef NZ_WORDS_H
#define NZ_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { NZ_MAX_FIELDS = 5 };

typedef struct nz_row {
  const char *f[NZ_MAX_FIELDS]; /* f[0] is the key; NULL past nf */
  size_t key_len;
  unsigned nf;    /* fields, not counting the flags */
  unsigned flags; /* bit i: the spec's flag_names[i] was given */
  bool exact;     /* the key matches only in its own letter case */
  unsigned line;
} nz_row;

typedef struct nz_table {
  char *path; /* for messages */
  char *data; /* the file, cut into NUL-terminated fields */
  nz_row *rows;
  size_t n;
  char **folded;   /* per row: the key in lower case */
  uint32_t *order; /* rows by folded key, then by line */
} nz_table;

/* What a file holds: min_fields to max_fields fields a line, then, when
 * the table has flag names, an optional field of flags. Keys are compared
 * ignoring letter case unless `exact`; the flags "case" and "anycase"
 * override that for one row in a table with flags. */
typedef struct nz_table_spec {
  const char *file; /* "units.tsv" */
  unsigned min_fields, max_fields;
  bool exact;
  const char *const *flag_names; /* NULL-terminated, or NULL: no flags */
} nz_table_spec;

/* Reads a table from `path`. On error returns an AC_ERR_* code and writes
 * "PATH:LINE: what is wrong" into err. */
int nz_table_load(nz_table *t, const nz_table_spec *spec, const char *path,
                  char *err, size_t errlen);
void nz_table_free(nz_table *t);
/* The first row (in file order) whose key is w[0..n), or NULL. */
const nz_row *nz_table_find(const nz_table *t, const char *w, size_t n);
static inline bool nz_table_has(const nz_table *t, const char *w, size_t n) {
  return nz_table_find(t, w, n) != NULL;
}

#endif
