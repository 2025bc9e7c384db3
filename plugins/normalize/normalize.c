/*
 * normalize: a text stage that turns written forms into the words a
 * newsreader would say ("$15.2 billion" -> "fifteen point two billion
 * dollars", "Dr. Okafor" -> "Doctor Okafor", "1980s" -> "nineteen
 * eighties"), and applies pronunciation lexicons.
 *
 * English is normalized thoroughly (english.c); other languages get their
 * lexicon entries only. Each changed block keeps the text as written in
 * `written` and a map from spoken offsets back to it, so transcripts show
 * what the article wrote, timed by what was spoken.
 */
#include "en_words.h"
#include "nz.h"
#include "spans.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct nz_priv {
  const char *const *lexicons;  /* option: ordered list, first wins */
  const char *default_language; /* option */
  int dates;                    /* option: 0 auto, 1 mdy, 2 dmy */
  int title;                    /* option: 0 auto, 1 always, 2 never */
  nz_lexicon lx;
  en_words *words; /* the English word tables, from voices/words/en/ */
} nz_priv;

static const char *const date_choices[] = {"auto", "mdy", "dmy", NULL};
static const char *const title_choices[] = {"auto", "always", "never", NULL};

static const ac_option nz_options[] = {
    {"lexicons", AC_OPT_PATH_LIST, offsetof(nz_priv, lexicons), "en.lex", 0, 0,
     NULL,
     "pronunciation lexicons, highest priority first: files, or names "
     "under lexicons/ in the voice directories; the config's and the voice "
     "profile's come before the default"},
    {"default_language", AC_OPT_STRING, offsetof(nz_priv, default_language),
     "en-US", 0, 0, NULL,
     "language of text whose document and block give none (BCP 47)"},
    {"dates", AC_OPT_CHOICE, offsetof(nz_priv, dates), "auto", 0, 0,
     date_choices,
     "order of ambiguous numeric dates such as 01/07/98: auto (month first "
     "for en-US, day first for other English), mdy or dmy"},
    {"title", AC_OPT_CHOICE, offsetof(nz_priv, title), "auto", 0, 0,
     title_choices,
     "rewrite the document title into its spoken form: auto (only when the "
     "document has no body, as the title is also shown in feeds and tags), "
     "always or never"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* Finds a lexicon named in the option: a path (with a '/') as it is, a
 * name under lexicons/ in the data search path, or a file in the current
 * directory. malloc'd. */
static char *find_lexicon(ac_stage *st, const char *name) {
  if (strchr(name, '/'))
    return access(name, R_OK) == 0 ? strdup(name) : NULL;
  size_t n = strlen(name);
  char *rel = malloc(n + sizeof "lexicons/");
  if (!rel)
    return NULL;
  memcpy(rel, "lexicons/", 9);
  memcpy(rel + 9, name, n + 1);
  char *path = st->host->find_data(st, rel);
  free(rel);
  if (!path && access(name, R_OK) == 0)
    path = strdup(name);
  return path;
}

/* Loads one lexicon file unless an equal path was loaded already. */
static int load_one(ac_stage *st, const char *path, unsigned *priority,
                    char ***seen, size_t *n_seen) {
  nz_priv *p = st->priv;
  char *real = realpath(path, NULL);
  const char *key = real ? real : path;
  for (size_t i = 0; i < *n_seen; i++) {
    if (strcmp((*seen)[i], key) == 0) {
      free(real);
      return 0; /* listed twice: the first place counts */
    }
  }
  char **grown = realloc(*seen, (*n_seen + 1) * sizeof *grown);
  char *copy = strdup(key);
  free(real);
  if (!grown || !copy) {
    free(copy);
    if (grown)
      *seen = grown;
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  }
  *seen = grown;
  grown[(*n_seen)++] = copy;
  char err[512];
  int rc = nz_lexicon_load(&p->lx, path, (*priority)++, err, sizeof err);
  st->host->log(st, AC_LOG_DEBUG, "lexicon %s: %s", path,
                rc ? "failed" : "loaded");
  return rc ? st->host->fail(st, rc, "%s", err) : 0;
}

/* Loads the lexicons of the `lexicons` option, first (highest priority)
 * first: the host puts the command line's, the config's (the show's own
 * lexicon) and the voice profile's ahead of the default. */
static int load_lexicons(ac_stage *st) {
  nz_priv *p = st->priv;
  unsigned priority = 0;
  char **seen = NULL;
  size_t n_seen = 0;
  int rc = 0;
  for (const char *const *name = p->lexicons; rc == 0 && name && *name;
       name++) {
    char *path = find_lexicon(st, *name);
    if (!path)
      rc = st->host->fail(st, AC_ERR_NOTFOUND,
                          "lexicon '%s' not found (looked for lexicons/%s "
                          "in the voice directories)",
                          *name, *name);
    else
      rc = load_one(st, path, &priority, &seen, &n_seen);
    free(path);
  }
  for (size_t i = 0; i < n_seen; i++)
    free(seen[i]);
  free(seen);
  if (rc)
    return rc;
  if (nz_lexicon_finish(&p->lx) != 0)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  st->host->log(st, AC_LOG_DEBUG, "%zu lexicon entries", p->lx.n);
  return 0;
}

static char *find_words(void *ctx, const char *relative) {
  ac_stage *st = ctx;
  return st->host->find_data(st, relative);
}

static int nz_create(ac_stage *st) {
  nz_priv *p = st->priv;
  char err[512];
  int rc = en_words_load(&p->words, find_words, st, err, sizeof err);
  if (rc)
    return st->host->fail(st, rc, "%s", err);
  return load_lexicons(st);
}

static void nz_destroy(ac_stage *st) {
  nz_priv *p = st->priv;
  if (!p)
    return;
  nz_lexicon_free(&p->lx);
  en_words_free(p->words);
  p->words = NULL;
}

/* Options for text in language `tag` (BCP 47). */
static void language_opts(const nz_priv *p, const char *tag, char *primary,
                          size_t cap, nz_opts *o) {
  size_t k = 0;
  while (tag[k] && isalpha((unsigned char)tag[k]) && k + 1 < cap) {
    primary[k] = (char)tolower((unsigned char)tag[k]);
    k++;
  }
  primary[k] = '\0';
  const char *region = tag[k] == '-' || tag[k] == '_' ? tag + k + 1 : "";
  bool us = region[0] == '\0' || strncasecmp(region, "US", 2) == 0 ||
            strncasecmp(region, "PH", 2) == 0;
  memset(o, 0, sizeof *o);
  o->lexicon = &p->lx;
  o->words = p->words;
  o->lang = primary;
  o->english = strcmp(primary, "en") == 0;
  o->day_first = p->dates == 2 || (p->dates == 0 && !us);
  o->british = !us && strncasecmp(region, "CA", 2) != 0;
}

/* Whether any lexicon entry applies to language `lang`. */
static bool lexicon_has(const nz_lexicon *lx, const char *lang) {
  for (size_t i = 0; i < lx->n; i++)
    if (lx->e[i].lang[0] == '\0' || strcmp(lx->e[i].lang, lang) == 0)
      return true;
  return false;
}

/* Written offset of spoken offset `s` under an old map (NULL: identity).
 * Inside a kept stretch offsets move together; inside a replacement they
 * go to its start. */
static uint32_t map_through(const ac_span *map, size_t n, size_t spoken_len,
                            size_t written_len, uint32_t s) {
  if (!map || n == 0)
    return s;
  uint32_t s0 = 0, w0 = 0, s1, w1;
  size_t i = 0;
  while (i < n && map[i].spoken <= s)
    i++;
  if (i > 0) {
    s0 = map[i - 1].spoken;
    w0 = map[i - 1].written;
  }
  if (i < n) {
    s1 = map[i].spoken;
    w1 = map[i].written;
  } else {
    s1 = (uint32_t)spoken_len;
    w1 = (uint32_t)written_len;
  }
  if (s1 >= s0 && w1 >= w0 && s1 - s0 == w1 - w0)
    return w0 + (s - s0);
  return w0;
}

/* The map from the new spoken text to the block's written text: this
 * stage's map (new spoken -> old spoken) composed with the block's old
 * map (old spoken -> written). */
static int compose(const nz_out *o, const ac_block *b, size_t written_len,
                   ac_span_list *out) {
  size_t old_len = o->src_len;
  const ac_span *old = b->n_map ? b->map : NULL;
  size_t n_old = b->n_map;
  /* Segments of this stage's map; text before the first entry is kept. */
  size_t n = o->n_map;
  for (size_t i = 0; i <= n; i++) {
    uint32_t s2 = i == 0 ? 0 : o->map[i - 1].spoken;
    uint32_t s1 = i == 0 ? 0 : o->map[i - 1].written;
    bool kept = i == 0 ? true : o->kept[i - 1];
    uint32_t e2 = i < n ? o->map[i].spoken : (uint32_t)o->text.len;
    uint32_t e1 = i < n ? o->map[i].written : (uint32_t)old_len;
    if (i == 0 && n > 0 && o->map[0].spoken == 0)
      continue; /* no implicit kept stretch */
    if (ac_span_list_add(
            out, s2, map_through(old, n_old, old_len, written_len, s1)) != 0)
      return AC_ERR_NOMEM;
    if (!kept || !old)
      continue;
    /* Old entries inside a kept stretch keep their place. */
    for (size_t k = 0; k < n_old; k++) {
      if (old[k].spoken > s1 && old[k].spoken < e1 && e2 - s2 == e1 - s1 &&
          ac_span_list_add(out, s2 + (old[k].spoken - s1), old[k].written) != 0)
        return AC_ERR_NOMEM;
    }
  }
  return 0;
}

/* Normalizes one string. On success *changed tells whether anything was
 * replaced, and `o` holds the result. */
static int normalize_text(ac_stage *st, const char *text, const char *tag,
                          nz_out *o, bool *changed) {
  nz_priv *p = st->priv;
  char primary[16];
  nz_opts opts;
  language_opts(p, tag, primary, sizeof primary, &opts);
  *changed = false;
  nz_out_init(o, text, strlen(text));
  if (!opts.english && !lexicon_has(&p->lx, primary)) {
    st->host->log(st, AC_LOG_DEBUG,
                  "%s text: no lexicon entries for it, left as written", tag);
    return 0;
  }
  if (!opts.english)
    st->host->log(st, AC_LOG_DEBUG, "%s text: lexicon entries only", tag);
  int rc = nz_normalize(text, strlen(text), &opts, o);
  if (rc)
    return rc;
  *changed = o->n_map > 0;
  return 0;
}

static int normalize_block(ac_stage *st, ac_block *b, const char *tag) {
  const ac_host *h = st->host;
  nz_out o;
  bool changed;
  int rc = normalize_text(st, b->text, tag, &o, &changed);
  if (rc || !changed) {
    nz_out_free(&o);
    return rc;
  }
  /* An earlier stage's written text without a map cannot be traced: the
   * text this stage read becomes the written form. */
  bool has_old = b->written && b->n_map > 0;
  if (b->written && b->n_map == 0 && strcmp(b->written, b->text) != 0)
    h->log(st, AC_LOG_DEBUG,
           "a block's written text has no map; transcripts will show the "
           "text as the normalize stage read it");
  size_t written_len = has_old ? strlen(b->written) : strlen(b->text);
  ac_span_list l = {0};
  if (has_old) {
    rc = compose(&o, b, written_len, &l);
  } else {
    for (size_t i = 0; i < o.n_map && rc == 0; i++)
      rc = ac_span_list_add(&l, o.map[i].spoken, o.map[i].written);
  }
  if (rc == 0 && !has_old)
    rc = h->set_string(&b->written, b->text, (size_t)-1);
  if (rc == 0)
    rc = h->set_string(&b->text, o.text.s ? o.text.s : "", o.text.len);
  if (rc) {
    free(l.v);
    nz_out_free(&o);
    return AC_ERR_NOMEM;
  }
  free(b->map);
  b->map = l.v;
  b->n_map = l.n;
  nz_out_free(&o);
  return 0;
}

static int nz_process(ac_stage *st, ac_document *doc) {
  nz_priv *p = st->priv;
  const ac_host *h = st->host;
  const char *doc_lang =
      doc->language && doc->language[0]
          ? doc->language
          : (p->default_language ? p->default_language : "en-US");
  bool body = false;
  size_t changed = 0;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    ac_block *b = &doc->blocks[i];
    if (b->kind == AC_BLOCK_BOILERPLATE || !b->text)
      continue;
    if (b->text[0])
      body = true;
    const char *tag = b->lang && b->lang[0] ? b->lang : doc_lang;
    char *before = b->written;
    size_t n_before = b->n_map;
    int rc = normalize_block(st, b, tag);
    if (rc)
      return h->fail(st, rc, "out of memory while normalizing block %zu", i);
    if (b->written != before || b->n_map != n_before)
      changed++;
  }
  if (doc->title && doc->title[0] &&
      (p->title == 1 || (p->title == 0 && !body))) {
    nz_out o;
    bool ch;
    int rc = normalize_text(st, doc->title, doc_lang, &o, &ch);
    if (rc == 0 && ch)
      rc = h->set_string(&doc->title, o.text.s, o.text.len);
    nz_out_free(&o);
    if (rc)
      return h->fail(st, rc, "out of memory while normalizing the title");
  }
  h->log(st, AC_LOG_DEBUG, "%zu of %zu blocks changed", changed, doc->n_blocks);
  return 0;
}

static const ac_plugin nz_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "normalize",
    .version = "1.1",
    .description = "says numbers, dates, money, units, abbreviations and "
                   "addresses as words; applies pronunciation lexicons",
    .kind = AC_STAGE_TEXT,
    .priv_size = sizeof(nz_priv),
    .options = nz_options,
    .create = nz_create,
    .destroy = nz_destroy,
    .process_document = nz_process,
};

AC_PLUGIN_EXPORT(nz_plugin)
