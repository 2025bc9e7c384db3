/*
 * The espeak stage's derived voices (see catalog.h).
 */
#define _GNU_SOURCE
#include "catalog.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest table read: far above the ~130 rows of espeak-ng 1.51. */
#define MAX_TABLE_BYTES (1u << 20)
/* Columns: identifier, tag, also, rate, gain_db, note. */
#define N_COLUMNS 6

/* ---- Small helpers ------------------------------------------------------- */

uint64_t cat_hash(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static void free_list(char **list) {
  for (size_t i = 0; list && list[i]; i++)
    free(list[i]);
  free(list);
}

static char *copy(const char *s, size_t len) {
  char *out = malloc(len + 1);
  if (out) {
    memcpy(out, s, len);
    out[len] = '\0';
  }
  return out;
}

bool cat_tag_ok(const char *tag) {
  size_t i = 0, first = 0;
  bool letters_only = true;
  for (size_t sub = 0;; sub++) {
    size_t n = 0;
    for (; isalnum((unsigned char)tag[i]); i++, n++)
      if (sub == 0 && !isalpha((unsigned char)tag[i]))
        letters_only = false;
    if (sub == 0)
      first = n;
    if (n == 0 || n > 8)
      return false;
    if (tag[i] == '\0')
      break;
    if (tag[i++] != '-')
      return false;
  }
  return letters_only && first >= 2;
}

/* The primary language subtag of `tag`, lower case, in buf. */
static const char *primary(const char *tag, char *buf, size_t len) {
  size_t n = 0;
  while (tag[n] && tag[n] != '-' && tag[n] != '_' && n + 1 < len) {
    buf[n] = (char)tolower((unsigned char)tag[n]);
    n++;
  }
  buf[n] = '\0';
  return buf;
}

/* Whether two tags are the same, ignoring case and '_' for '-'. */
static bool same_tag(const char *a, const char *b) {
  for (;; a++, b++) {
    char x = *a == '_' ? '-' : (char)tolower((unsigned char)*a);
    char y = *b == '_' ? '-' : (char)tolower((unsigned char)*b);
    if (x != y)
      return false;
    if (!x)
      return true;
  }
}

/* espeak's language code in BCP 47's conventional case: the language in
 * lower case, a script ("Latn") in title case, a region ("BR", "419") in
 * upper case, everything after "x" in lower case. */
static char *bcp47_case(const char *code) {
  char *out = copy(code, strlen(code));
  if (!out)
    return NULL;
  bool private_use = false;
  for (char *sub = out, *end; *sub; sub = *end ? end + 1 : end) {
    end = sub + strcspn(sub, "-_");
    if (*end == '_')
      *end = '-';
    size_t n = (size_t)(end - sub);
    bool digits = n == 3 && isdigit((unsigned char)sub[0]);
    for (size_t i = 0; i < n; i++)
      sub[i] = (char)tolower((unsigned char)sub[i]);
    if (private_use || sub == out)
      ;
    else if (n == 4 && isalpha((unsigned char)sub[0]))
      sub[0] = (char)toupper((unsigned char)sub[0]);
    else if (n == 2 || digits)
      for (size_t i = 0; i < n; i++)
        sub[i] = (char)toupper((unsigned char)sub[i]);
    private_use = private_use || (n == 1 && sub[0] == 'x');
  }
  return out;
}

/* ---- The table ----------------------------------------------------------- */

static void free_row(cat_row *row) {
  free(row->identifier);
  free(row->tag);
  free_list(row->also);
}

void cat_table_free(cat_table *t) {
  for (size_t i = 0; i < t->n; i++)
    free_row(&t->rows[i]);
  free(t->rows);
  t->rows = NULL;
  t->n = 0;
}

/* The comma-separated tags of `field` ("-": none), NULL-terminated. */
static char **parse_also(const char *field, const char **bad) {
  size_t n = 1;
  for (const char *p = field; *p; p++)
    n += *p == ',';
  char **list = calloc(n + 1, sizeof *list);
  if (!list || strcmp(field, "-") == 0)
    return list;
  size_t k = 0;
  for (const char *p = field; *p;) {
    size_t len = strcspn(p, ",");
    char *tag = copy(p, len);
    if (!tag) {
      free_list(list);
      return NULL;
    }
    list[k++] = tag;
    if (!cat_tag_ok(tag)) {
      *bad = tag;
      return list;
    }
    p += len + (p[len] == ',');
  }
  return list;
}

/* One row's fields (cols[0..n_cols)). Returns NULL, or what is wrong
 * (then *row holds what was parsed, for free_row). */
static const char *parse_row(cat_row *row, char **cols, size_t n_cols,
                             const cat_table *t) {
  memset(row, 0, sizeof *row);
  if (n_cols < N_COLUMNS - 1 || n_cols > N_COLUMNS)
    return "a row has 5 or 6 fields separated by tabs (identifier, tag, "
           "also, rate, gain_db, note)";
  if (!cols[0][0] || strchr(cols[0], ' '))
    return "the identifier is empty or has a space";
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->rows[i].identifier, cols[0]) == 0)
      return "the identifier is on an earlier line too";
  if (!cat_tag_ok(cols[1]))
    return "the tag is not a BCP 47 tag";
  char *end;
  errno = 0;
  long rate = strcmp(cols[3], "-") == 0 ? 0 : strtol(cols[3], &end, 10);
  if (strcmp(cols[3], "-") != 0 &&
      (errno || *end || end == cols[3] || rate < WIRE_RATE_MIN ||
       rate > WIRE_RATE_MAX))
    return "the rate is not a number from 80 to 450 (or -)";
  double gain = strcmp(cols[4], "-") == 0 ? NAN : strtod(cols[4], &end);
  if (strcmp(cols[4], "-") != 0 &&
      (*end || end == cols[4] || !(gain >= -20 && gain <= 30)))
    return "gain_db is not a number from -20 to 30 (or -)";
  const char *bad = NULL;
  row->identifier = strdup(cols[0]);
  row->tag = strdup(cols[1]);
  row->also = parse_also(cols[2], &bad);
  row->rate = (int)rate;
  row->gain_db = gain;
  if (!row->identifier || !row->tag || !row->also)
    return "out of memory";
  return bad ? "an 'also' tag is not a BCP 47 tag" : NULL;
}

/* Splits `line` at tabs into cols; returns the number of fields. */
static size_t split(char *line, char **cols, size_t max) {
  size_t n = 0;
  for (char *p = line; n < max;) {
    cols[n++] = p;
    char *tab = strchr(p, '\t');
    if (!tab)
      return n;
    *tab = '\0';
    p = tab + 1;
  }
  return n + 1; /* too many */
}

int cat_table_parse(cat_table *t, const char *text, const char *path, char *err,
                    size_t errlen) {
  memset(t, 0, sizeof *t);
  char *copy_of = strdup(text);
  if (!copy_of) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  size_t cap = 0;
  int line_no = 0, rc = 0;
  for (char *line = copy_of, *next; line && rc == 0; line = next) {
    line_no++;
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    line[strcspn(line, "\r")] = '\0';
    if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
      continue;
    char *cols[N_COLUMNS];
    size_t n = split(line, cols, N_COLUMNS);
    if (t->n == cap) {
      cap = cap ? 2 * cap : 64;
      cat_row *grown = realloc(t->rows, cap * sizeof *grown);
      if (!grown) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        break;
      }
      t->rows = grown;
    }
    cat_row row;
    const char *why = parse_row(&row, cols, n, t);
    if (why) {
      snprintf(err, errlen, "%s:%d: %s", path, line_no, why);
      free_row(&row);
      rc = -1;
    } else {
      t->rows[t->n++] = row;
    }
  }
  free(copy_of);
  if (rc)
    cat_table_free(t);
  return rc;
}

int cat_table_read(cat_table *t, const char *path, char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  char *text = malloc(MAX_TABLE_BYTES + 1);
  size_t len = text ? fread(text, 1, MAX_TABLE_BYTES + 1, f) : 0;
  int failed = ferror(f);
  fclose(f);
  if (!text || failed || len > MAX_TABLE_BYTES || memchr(text, '\0', len)) {
    snprintf(err, errlen, "%s: %s", path,
             !text    ? "out of memory"
             : failed ? "cannot read"
                      : "not a text file of at most 1 MiB");
    free(text);
    return -1;
  }
  text[len] = '\0';
  int rc = cat_table_parse(t, text, path, err, errlen);
  free(text);
  return rc;
}

/* ---- The catalog --------------------------------------------------------- */

static void free_voice(cat_voice *v) {
  free(v->espeak);
  free(v->identifier);
  free(v->title);
  free(v->tag);
  free_list(v->also);
}

void cat_free(catalog *c) {
  for (size_t i = 0; i < c->n; i++)
    free_voice(&c->voices[i]);
  free(c->voices);
  c->voices = NULL;
  c->n = 0;
}

/* Whether the catalog offers espeak's voice: not a variant ("!v/...") and
 * not an mbrola voice ("mb/mb-de1"), which needs MBROLA and is silent
 * without it. */
static bool offered(const wire_voice *w) {
  const char *id = w->identifier;
  size_t len = w->identifier_len;
  const char *slash = memchr(id, '/', len);
  const char *base = slash ? slash + 1 : id;
  size_t base_len = len - (size_t)(base - id);
  return !(len >= 3 && memcmp(id, "!v/", 3) == 0) &&
         !(len >= 3 && memcmp(id, "mb/", 3) == 0) &&
         !(base_len >= 3 && memcmp(base, "mb-", 3) == 0);
}

static bool is_row_of(const cat_row *row, const wire_voice *w) {
  return strlen(row->identifier) == w->identifier_len &&
         memcmp(row->identifier, w->identifier, w->identifier_len) == 0;
}

static const cat_row *row_of(const cat_table *t, const wire_voice *w) {
  for (size_t i = 0; t && i < t->n; i++)
    if (is_row_of(&t->rows[i], w))
      return &t->rows[i];
  return NULL;
}

static char **copy_list(char *const *list) {
  size_t n = 0;
  while (list && list[n])
    n++;
  char **out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; out && i < n; i++)
    if (!(out[i] = strdup(list[i]))) {
      free_list(out);
      return NULL;
    }
  return out;
}

/* espeak's languages after the first, as BCP 47 tags. */
static char **espeak_also(const wire_voice *w) {
  char **out = calloc(w->n_languages, sizeof *out);
  for (uint32_t i = 1, k = 0; out && i < w->n_languages; i++) {
    char *raw = copy(w->languages[i].tag, w->languages[i].tag_len);
    char *tag = raw ? bcp47_case(raw) : NULL;
    free(raw);
    if (!tag) {
      free_list(out);
      return NULL;
    }
    if (cat_tag_ok(tag))
      out[k++] = tag;
    else
      free(tag);
  }
  return out;
}

/* Makes v from espeak's voice w and its table row (NULL when the table
 * lacks it). A voice without a measured rate gets `default_rate`. */
static int make_voice(cat_voice *v, const wire_voice *w, const cat_row *row,
                      int default_rate) {
  memset(v, 0, sizeof *v);
  const char *slash = memchr(w->identifier, '/', w->identifier_len);
  const char *base = slash ? slash + 1 : w->identifier;
  v->identifier = copy(w->identifier, w->identifier_len);
  v->espeak = copy(base, w->identifier_len - (size_t)(base - w->identifier));
  v->title = copy(w->name, w->name_len);
  v->in_table = row != NULL;
  if (row) {
    v->tag = strdup(row->tag);
    v->also = copy_list(row->also);
    v->rate = row->rate > 0 ? row->rate : default_rate;
    v->gain_db = row->gain_db;
  } else {
    char *raw = copy(w->languages[0].tag, w->languages[0].tag_len);
    v->tag = raw ? bcp47_case(raw) : NULL;
    free(raw);
    v->also = espeak_also(w);
    v->rate = default_rate;
    v->gain_db = NAN;
  }
  if (v->title)
    for (char *p = v->title; *p; p++)
      if (*p == '_')
        *p = ' ';
  if (!v->identifier || !v->espeak || !v->title || !v->tag || !v->also) {
    free_voice(v);
    return -1;
  }
  return 0;
}

static int compare_ints(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* The median of the table's rates, for voices it lacks; 0 without any. */
static int median_rate(const cat_table *t) {
  int *rates = t && t->n ? malloc(t->n * sizeof *rates) : NULL;
  size_t n = 0;
  for (size_t i = 0; rates && i < t->n; i++)
    if (t->rows[i].rate > 0)
      rates[n++] = t->rows[i].rate;
  int median = 0;
  if (n) {
    qsort(rates, n, sizeof *rates, compare_ints);
    median = rates[n / 2];
  }
  free(rates);
  return median;
}

/* Whether the catalog already has a voice selected as `espeak`. */
static bool has_voice(const catalog *c, const char *espeak) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->voices[i].espeak, espeak) == 0)
      return true;
  return false;
}

static int add_voice(catalog *c, const wire_voice *w, const cat_row *row,
                     int default_rate) {
  cat_voice v;
  if (make_voice(&v, w, row, default_rate) != 0)
    return -1;
  if (!cat_tag_ok(v.tag) || has_voice(c, v.espeak)) {
    free_voice(&v); /* a language code BCP 47 cannot carry; a duplicate */
    return 0;
  }
  c->voices[c->n++] = v;
  return 0;
}

int cat_build(catalog *c, const wire_voice *voices, size_t n,
              const cat_table *t) {
  memset(c, 0, sizeof *c);
  c->voices = calloc(n ? n : 1, sizeof *c->voices);
  if (!c->voices)
    return -1;
  int rate = median_rate(t);
  /* The table's order first: within a language, its first voice is the
   * one a tag without a region gets. */
  for (size_t r = 0; t && r < t->n; r++)
    for (size_t i = 0; i < n; i++)
      if (offered(&voices[i]) && is_row_of(&t->rows[r], &voices[i]) &&
          add_voice(c, &voices[i], &t->rows[r], rate) != 0)
        goto fail;
  for (size_t i = 0; i < n; i++)
    if (offered(&voices[i]) && !row_of(t, &voices[i]) &&
        add_voice(c, &voices[i], NULL, rate) != 0)
      goto fail;
  return 0;
fail:
  cat_free(c);
  return -1;
}

/* How well v speaks `tag`: 3 its own tag, 2 an `also` tag, 1 the same
 * primary language as one of those, 0 not at all. */
static int match_score(const cat_voice *v, const char *tag) {
  if (same_tag(v->tag, tag))
    return 3;
  for (char **a = v->also; *a; a++)
    if (same_tag(*a, tag))
      return 2;
  char want[16], have[16];
  primary(tag, want, sizeof want);
  if (strcmp(primary(v->tag, have, sizeof have), want) == 0)
    return 1;
  for (char **a = v->also; *a; a++)
    if (strcmp(primary(*a, have, sizeof have), want) == 0)
      return 1;
  return 0;
}

const cat_voice *cat_match(const catalog *c, const char *tag) {
  const cat_voice *best = NULL;
  int best_score = 0;
  for (size_t i = 0; tag && *tag && i < c->n; i++) {
    int score = match_score(&c->voices[i], tag);
    if (score > best_score) {
      best = &c->voices[i];
      best_score = score;
    }
  }
  return best;
}

/* ---- What the host sees ------------------------------------------------- */

char *cat_voice_name(const cat_voice *v) {
  char *name = NULL;
  if (asprintf(&name, "espeak-%s", v->espeak) < 0)
    return NULL;
  for (char *p = name; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return name;
}

char *cat_voice_description(const cat_voice *v) {
  char *out = NULL;
  if (asprintf(&out, "%s (espeak-ng %s%s)", v->title, v->identifier,
               isnan(v->gain_db) ? ", loudness not calibrated" : "") < 0)
    return NULL;
  return out;
}

char *cat_voice_settings(const cat_voice *v) {
  char rate[32] = "", gain[64] = "";
  if (v->rate > 0)
    snprintf(rate, sizeof rate, "rate = %d\n", v->rate);
  if (!isnan(v->gain_db))
    snprintf(gain, sizeof gain, "[loudness]\ngain_db = %.2f\n", v->gain_db);
  char *out = NULL;
  if (asprintf(&out, "[espeak]\nvoice = %s\n%s%s", v->espeak, rate, gain) < 0)
    return NULL;
  return out;
}
