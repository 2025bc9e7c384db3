/*
 * Word lists of the clean stage, read from plain-text files at create():
 * words/clean/<name>.txt (page furniture, markers, phrases, name and bio
 * words) and words/stopwords/<lang>.txt (function words, whose density
 * tells running text from menus and link lists: jusText's main signal).
 * One entry a line; lines starting with '#' and blank lines are skipped.
 * The format and the source of each list are in voices/words/README.md.
 */
#include "clean.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistr.h>

/* How a list's entries are stored: folded like the text they are matched
 * against (cl_fold), or as written. */
typedef enum { AS_WRITTEN, FOLDED } list_form;

static const struct {
  const char *file;
  list_form form;
} list_files[CL_N_LISTS] = {
    [CL_FURNITURE] = {"furniture.txt", FOLDED},
    [CL_FURNITURE_STARTS] = {"furniture-starts.txt", FOLDED},
    [CL_TAIL_MARKERS] = {"tail-markers.txt", FOLDED},
    [CL_COMMENT_HEADINGS] = {"comment-headings.txt", FOLDED},
    [CL_COMMENT_FORMS] = {"comment-forms.txt", FOLDED},
    [CL_COMMENT_COUNTS] = {"comment-counts.txt", FOLDED},
    [CL_COMMENT_VERBS] = {"comment-verbs.txt", FOLDED},
    [CL_STRONG_PHRASES] = {"strong-phrases.txt", FOLDED},
    [CL_WEAK_PHRASES] = {"weak-phrases.txt", FOLDED},
    [CL_CREDITS] = {"credits.txt", FOLDED},
    [CL_FRAMED_CREDITS] = {"framed-credits.txt", FOLDED},
    [CL_CAPTION_MARKS] = {"caption-marks.txt", FOLDED},
    [CL_CAPTION_HEADS] = {"caption-heads.txt", AS_WRITTEN},
    [CL_NAME_PARTICLES] = {"name-particles.txt", AS_WRITTEN},
    [CL_NAME_TITLES] = {"name-titles.txt", AS_WRITTEN},
    [CL_DATE_WORDS] = {"date-words.txt", FOLDED},
    [CL_NAME_BREAKERS] = {"name-breakers.txt", FOLDED},
    [CL_COMMON_WORDS] = {"common-words.txt", FOLDED},
    [CL_BYLINE_PREFIXES] = {"byline-prefixes.txt", AS_WRITTEN},
    [CL_BIO_STARTS] = {"bio-starts.txt", AS_WRITTEN},
    [CL_BIO_VERBS] = {"bio-verbs.txt", AS_WRITTEN},
    [CL_BIO_TRADES] = {"bio-trades.txt", AS_WRITTEN},
    [CL_BIO_HEADERS] = {"bio-headers.txt", AS_WRITTEN},
    [CL_BIO_SUBJECTS] = {"bio-subjects.txt", AS_WRITTEN},
    [CL_ABBREVIATIONS] = {"abbreviations.txt", AS_WRITTEN},
};

/* One stopword and the languages whose lists hold it. */
struct cl_stop {
  char *word;
  uint64_t mask;
};

/* ---- Reading a list file ----------------------------------------------- */

/* A growable array of malloc'd strings. */
typedef struct strings {
  char **items;
  size_t n, cap;
} strings;

static int strings_add(strings *s, char *item) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    char **grown = realloc(s->items, cap * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    s->items = grown;
    s->cap = cap;
  }
  s->items[s->n++] = item;
  return 0;
}

static void strings_free(strings *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}

/* Reads the entries of one file into out (as written, trimmed).
 * Fails the stage with a message naming the file. */
static int read_entries(ac_stage *st, const char *path, strings *out) {
  FILE *f = fopen(path, "r");
  if (!f)
    return st->host->fail(st, AC_ERR_NOTFOUND, "cannot read word list %s: %s",
                          path, strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  long number = 0;
  int rc = 0;
  while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
    number++;
    size_t n = (size_t)got;
    if (u8_check((const uint8_t *)line, n) != NULL || memchr(line, 0, n)) {
      rc = st->host->fail(st, AC_ERR_FORMAT,
                          "word list %s, line %ld: not UTF-8 text", path,
                          number);
      break;
    }
    while (n > 0 && strchr(" \t\r\n", line[n - 1]))
      n--;
    size_t b = 0;
    while (b < n && (line[b] == ' ' || line[b] == '\t'))
      b++;
    if (b == n || line[b] == '#')
      continue;
    char *entry = strndup(line + b, n - b);
    if (!entry || strings_add(out, entry) != 0) {
      free(entry);
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    }
  }
  if (rc == 0 && ferror(f))
    rc = st->host->fail(st, AC_ERR_IO, "cannot read word list %s", path);
  free(line);
  fclose(f);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the entries and drops duplicates and empty ones. */
static void sort_unique(strings *s) {
  qsort(s->items, s->n, sizeof *s->items, cmp_str);
  size_t m = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (!s->items[i][0] || (m > 0 && strcmp(s->items[m - 1], s->items[i]) == 0))
      free(s->items[i]);
    else
      s->items[m++] = s->items[i];
  }
  s->n = m;
}

/* Replaces each entry with its folded form (in language `lang`). */
static int fold_entries(strings *s, const char *lang) {
  for (size_t i = 0; i < s->n; i++) {
    char *f = cl_fold(s->items[i], lang);
    if (!f)
      return AC_ERR_NOMEM;
    free(s->items[i]);
    s->items[i] = f;
  }
  return 0;
}

/* The path of `dir`/`relative`: dir as it is when absolute, else found in
 * the host's data path. malloc'd, NULL when not found. */
static char *data_path(ac_stage *st, const char *dir, const char *relative) {
  size_t n = strlen(dir) + strlen(relative) + 2;
  char *rel = malloc(n);
  if (!rel)
    return NULL;
  snprintf(rel, n, "%s/%s", dir, relative);
  char *path = st->host->find_data(st, rel);
  free(rel);
  return path;
}

static int load_list(cl_lexicon *lx, ac_stage *st, const char *dir,
                     cl_list_id id) {
  char rel[128];
  snprintf(rel, sizeof rel, "clean/%s", list_files[id].file);
  char *path = data_path(st, dir, rel);
  if (!path)
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "word list %s/%s not found (looked in the voices "
                          "directories: $ARTICAST_VOICE_PATH, voices/ beside "
                          "the binary, the installed data)",
                          dir, rel);
  strings s = {0};
  int rc = read_entries(st, path, &s);
  free(path);
  if (rc == 0 && list_files[id].form == FOLDED && fold_entries(&s, NULL) != 0)
    rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (rc) {
    strings_free(&s);
    return rc;
  }
  sort_unique(&s);
  lx->lists[id].items = s.items;
  lx->lists[id].n = s.n;
  return 0;
}

/* ---- Stopwords --------------------------------------------------------- */

static int cmp_stop(const void *a, const void *b) {
  return strcmp(((const cl_stop *)a)->word, ((const cl_stop *)b)->word);
}

/* Adds the folded words of language number l to the table (unsorted). */
static int add_stopwords(cl_lexicon *lx, strings *words, int l, size_t *cap) {
  for (size_t i = 0; i < words->n; i++) {
    char *w = words->items[i];
    if (!w[0] || strchr(w, ' '))
      continue; /* a phrase: the stage matches single words */
    if (lx->n_stops == *cap) {
      size_t grown_cap = *cap ? *cap * 2 : 4096;
      cl_stop *grown = realloc(lx->stops, grown_cap * sizeof *grown);
      if (!grown)
        return AC_ERR_NOMEM;
      lx->stops = grown;
      *cap = grown_cap;
    }
    lx->stops[lx->n_stops].word = w;
    lx->stops[lx->n_stops].mask = (uint64_t)1 << l;
    lx->n_stops++;
    words->items[i] = NULL;
    /* The longest entry of a script without spaces bounds the greedy
     * match. */
    size_t k = 0, len = strlen(w);
    ucs4_t cp = cl_next(w, len, &k);
    if (cl_is_nospace(cp)) {
      int chars = (int)u8_mbsnlen((const uint8_t *)w, len);
      if (chars > lx->max_run)
        lx->max_run = chars;
    }
  }
  return 0;
}

/* Sorts the table and merges the words that several languages share. */
static void merge_stopwords(cl_lexicon *lx) {
  qsort(lx->stops, lx->n_stops, sizeof *lx->stops, cmp_stop);
  size_t m = 0;
  for (size_t i = 0; i < lx->n_stops; i++) {
    if (m > 0 && strcmp(lx->stops[m - 1].word, lx->stops[i].word) == 0) {
      lx->stops[m - 1].mask |= lx->stops[i].mask;
      free(lx->stops[i].word);
    } else {
      lx->stops[m++] = lx->stops[i];
    }
  }
  lx->n_stops = m;
}

/* A file name "<code>.txt" whose code is 2 or 3 letters (ISO 639). */
static bool language_file(const char *name, char code[12]) {
  size_t n = strlen(name);
  if (n < 6 || n > 7 || strcmp(name + n - 4, ".txt") != 0)
    return false;
  for (size_t i = 0; i + 4 < n; i++) {
    if (name[i] < 'a' || name[i] > 'z')
      return false;
    code[i] = name[i];
  }
  code[n - 4] = '\0';
  return true;
}

static int cmp_code(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The language codes of the files in dir, sorted. */
static int list_languages(ac_stage *st, const char *dir, strings *codes) {
  DIR *d = opendir(dir);
  if (!d)
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "cannot read the stopword lists in %s: %s", dir,
                          strerror(errno));
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    char code[12];
    if (!language_file(e->d_name, code))
      continue;
    char *copy = strdup(code);
    if (!copy || strings_add(codes, copy) != 0) {
      free(copy);
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    }
  }
  closedir(d);
  if (rc == 0 && codes->n > CL_MAX_LANGS)
    rc = st->host->fail(st, AC_ERR_INVALID,
                        "%s holds %zu stopword lists; at most %d are read", dir,
                        codes->n, (int)CL_MAX_LANGS);
  if (rc == 0)
    qsort(codes->items, codes->n, sizeof *codes->items, cmp_code);
  return rc;
}

/* Reads stopword list number l. */
static int load_stopwords(cl_lexicon *lx, ac_stage *st, int l) {
  size_t n = strlen(lx->stop_dir) + strlen(lx->langs[l]) + 6;
  char *path = malloc(n);
  if (!path)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  snprintf(path, n, "%s/%s.txt", lx->stop_dir, lx->langs[l]);
  strings words = {0};
  int rc = read_entries(st, path, &words);
  free(path);
  if (rc == 0 && (fold_entries(&words, lx->langs[l]) != 0 ||
                  add_stopwords(lx, &words, l, &lx->cap_stops) != 0))
    rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  strings_free(&words);
  if (rc == 0)
    lx->loaded |= (uint64_t)1 << l;
  return rc;
}

/* Finds the stopword lists and the languages they are for. */
static int find_stopwords(cl_lexicon *lx, ac_stage *st, const char *dir) {
  lx->stop_dir = data_path(st, dir, "stopwords");
  if (!lx->stop_dir)
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "stopword lists %s/stopwords not found (looked in "
                          "the voices directories)",
                          dir);
  strings codes = {0};
  int rc = list_languages(st, lx->stop_dir, &codes);
  for (size_t i = 0; rc == 0 && i < codes.n; i++)
    snprintf(lx->langs[lx->n_langs++], sizeof lx->langs[0], "%s",
             codes.items[i]);
  strings_free(&codes);
  return rc;
}

int cl_lexicon_need(cl_lexicon *lx, ac_stage *st, const char *tag) {
  int one = tag ? cl_lexicon_lang(lx, tag) : -1;
  if (tag && one < 0)
    return 0;
  size_t before = lx->n_stops;
  for (int l = tag ? one : 0; l < (tag ? one + 1 : lx->n_langs); l++) {
    if (lx->loaded & ((uint64_t)1 << l))
      continue;
    int rc = load_stopwords(lx, st, l);
    if (rc)
      return rc;
  }
  if (lx->n_stops > before)
    merge_stopwords(lx);
  return 0;
}

/* ---- The lexicon ------------------------------------------------------- */

int cl_lexicon_load(cl_lexicon *lx, ac_stage *st, const char *dir) {
  memset(lx, 0, sizeof *lx);
  cl_text_init();
  for (int id = 0; id < CL_N_LISTS; id++) {
    int rc = load_list(lx, st, dir, (cl_list_id)id);
    if (rc)
      return rc;
  }
  return find_stopwords(lx, st, dir);
}

void cl_lexicon_free(cl_lexicon *lx) {
  for (int id = 0; id < CL_N_LISTS; id++) {
    for (size_t i = 0; i < lx->lists[id].n; i++)
      free(lx->lists[id].items[i]);
    free(lx->lists[id].items);
  }
  for (size_t i = 0; i < lx->n_stops; i++)
    free(lx->stops[i].word);
  free(lx->stops);
  free(lx->stop_dir);
  memset(lx, 0, sizeof *lx);
}

/* strcmp of the n bytes at s (not NUL-terminated) against the string t. */
static int cmp_n(const char *s, size_t n, const char *t) {
  int c = strncmp(s, t, n);
  if (c != 0)
    return c;
  return t[n] == '\0' ? 0 : -1;
}

bool cl_list_has_n(const cl_list *l, const char *s, size_t n) {
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = cmp_n(s, n, l->items[mid]);
    if (c == 0)
      return true;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}

bool cl_list_has(const cl_list *l, const char *s) {
  return cl_list_has_n(l, s, strlen(s));
}

int cl_lexicon_lang(const cl_lexicon *lx, const char *tag) {
  if (!tag)
    return -1;
  char code[12];
  size_t k = 0;
  while (k + 1 < sizeof code && tag[k] && tag[k] != '-' && tag[k] != '_') {
    code[k] = (char)(tag[k] >= 'A' && tag[k] <= 'Z' ? tag[k] + 32 : tag[k]);
    k++;
  }
  code[k] = '\0';
  /* Bokmål and Nynorsk read the Norwegian list. */
  if (strcmp(code, "nb") == 0 || strcmp(code, "nn") == 0)
    strcpy(code, "no");
  for (int l = 0; l < lx->n_langs; l++) {
    if (strcmp(lx->langs[l], code) == 0)
      return l;
  }
  return -1;
}

/* Language mask of the n bytes at w, or 0. */
static uint64_t stop_mask(const cl_lexicon *lx, const char *w, size_t n) {
  size_t lo = 0, hi = lx->n_stops;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = cmp_n(w, n, lx->stops[mid].word);
    if (c == 0)
      return lx->stops[mid].mask;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

typedef struct counting {
  const cl_lexicon *lx;
  uint64_t want; /* the languages counted */
  int *hits;
} counting;

static void count_mask(counting *c, uint64_t mask) {
  mask &= c->want;
  for (int l = 0; mask; l++, mask >>= 1) {
    if (mask & 1)
      c->hits[l]++;
  }
}

/* A run without spaces: at each character the longest stopword that
 * starts there counts, and the match is skipped. */
static void count_run(counting *c, const char *w, size_t n) {
  size_t ends[64];
  for (size_t i = 0; i < n;) {
    size_t k = 0, j = i;
    while (j < n && (int)k < c->lx->max_run && k < 64) {
      cl_next(w, n, &j);
      ends[k++] = j;
    }
    size_t step = ends[0] - i;
    while (k > 0) {
      uint64_t mask = stop_mask(c->lx, w + i, ends[k - 1] - i) & c->want;
      if (mask) {
        count_mask(c, mask);
        step = ends[k - 1] - i;
        break;
      }
      k--;
    }
    i += step;
  }
}

static void count_word(const char *w, size_t n, bool nospace, void *ctx) {
  counting *c = ctx;
  if (nospace && c->lx->max_run > 0)
    count_run(c, w, n);
  else
    count_mask(c, stop_mask(c->lx, w, n));
}

void cl_count_stopwords(const cl_lexicon *lx, const char *folded, int lang,
                        int *hits) {
  counting c = {lx, lang < 0 ? ~(uint64_t)0 : (uint64_t)1 << lang, hits};
  cl_words(folded, strlen(folded), count_word, &c);
}
