/*
 * announce: the show's spoken intro and outro (AC_STAGE_TEXT).
 *
 * Inserts an intro right after the title and an outro at the end of the
 * article, as AC_BLOCK_ANNOUNCEMENT blocks: spoken and in the transcripts,
 * but starting no chapter and no part of the article's body. They come
 * from templates with the article's fields:
 *
 *   {title} {author} {date} {disclosure}
 *
 * where {disclosure} is the sentence that says a synthetic voice reads the
 * article, in the article's language (Apple Podcasts wants AI voices
 * disclosed in the audio). Text in [brackets] is left out when a field in
 * it is empty ("[by {author}]"); {{ }} [[ ]] are literal braces and
 * brackets. By default the intro is {disclosure} and there is no outro.
 *
 * A document without a title (a snippet, as `articast say` speaks) gets
 * no announcement. The stage runs before normalize, so numbers and dates
 * in the templates are spoken like the article's.
 */
#include "announce.h"
#include "articast/plugin.h"
#include "date.h"
#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phrases.inc"

#define MAX_PHRASES_FILE ((size_t)1 << 20)

typedef struct announce_priv {
  const char *intro;
  const char *outro;
  const char *phrases;
  an_phrases show;    /* the show's file */
  an_phrases builtin; /* phrases.tsv */
} announce_priv;

static const ac_option announce_options[] = {
    {"intro", AC_OPT_STRING, offsetof(announce_priv, intro), "{disclosure}", 0,
     0, NULL,
     "spoken after the title: text with {title} {author} {date} "
     "{disclosure}; [text with a {field}] is left out when the field is "
     "empty; empty: no intro"},
    {"outro", AC_OPT_STRING, offsetof(announce_priv, outro), "", 0, 0, NULL,
     "spoken at the end, like intro; empty: no outro"},
    {"phrases", AC_OPT_PATH, offsetof(announce_priv, phrases), NULL, 0, 0, NULL,
     "the show's phrases: a file of LANGUAGE<TAB>KEY<TAB>TEXT lines "
     "(disclosure, date, months, first, intro, outro) consulted before "
     "articast's own"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

#define FAIL(st, code, ...) (st)->host->fail((st), (code), __VA_ARGS__)

/* ---- Templates ------------------------------------------------------------
 */

typedef struct fields {
  const char *title, *author, *date, *disclosure;
} fields;

/* The value of field `name` (len bytes); "" for a known empty one; NULL
 * for an unknown one. */
static const char *field(const fields *f, const char *name, size_t len) {
  static const char *const names[] = {"title", "author", "date", "disclosure"};
  const char *values[] = {f->title, f->author, f->date, f->disclosure};
  for (size_t i = 0; i < 4; i++)
    if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
      return values[i] ? values[i] : "";
  return NULL;
}

/* Renders t up to `stop` (a ']' ending an optional part, or '\0') into b;
 * *empty is set when a field was empty. Returns the end, or NULL with why
 * in err. */
static const char *render_part(const char *t, char stop, const fields *f,
                               ac_strbuf *b, bool *empty, char *err,
                               size_t errlen) {
  while (*t && *t != stop) {
    if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}') ||
        (t[0] == '[' && t[1] == '[') || (t[0] == ']' && t[1] == ']')) {
      ac_strbuf_addc(b, t[0]);
      t += 2;
    } else if (*t == '{') {
      const char *close = strchr(t, '}');
      const char *v = close ? field(f, t + 1, (size_t)(close - t - 1)) : NULL;
      if (!v) {
        snprintf(err, errlen,
                 close ? "unknown field {%.*s} (fields: {title} {author} "
                         "{date} {disclosure})"
                       : "a '{' without its '}'",
                 close ? (int)(close - t - 1) : 0, t + 1);
        return NULL;
      }
      if (!*v)
        *empty = true;
      ac_strbuf_adds(b, v);
      t = close + 1;
    } else if (*t == '[' && stop == '\0') {
      ac_strbuf part = {0};
      bool part_empty = false;
      const char *end =
          render_part(t + 1, ']', f, &part, &part_empty, err, errlen);
      if (end && *end != ']')
        snprintf(err, errlen, "a '[' without its ']'");
      if (!end || *end != ']') {
        ac_strbuf_free(&part);
        return NULL;
      }
      if (!part_empty && part.data)
        ac_strbuf_adds(b, part.data);
      ac_strbuf_free(&part);
      t = end + 1;
    } else if (*t == '[' || *t == ']' || *t == '}') {
      snprintf(err, errlen, "a lone '%c' (write %c%c for the character)", *t,
               *t, *t);
      return NULL;
    } else {
      ac_strbuf_addc(b, *t++);
    }
  }
  return t;
}

/* The template with the fields filled in, white space made single and
 * trimmed, malloc'd; NULL with why in err. */
static char *render(const char *tmpl, const fields *f, char *err,
                    size_t errlen) {
  ac_strbuf b = {0};
  bool empty = false;
  const char *end = render_part(tmpl, '\0', f, &b, &empty, err, errlen);
  char *raw = ac_strbuf_take(&b);
  if (!end || !raw) {
    free(raw);
    return NULL;
  }
  size_t n = 0;
  bool space = false;
  for (const char *c = raw; *c; c++) {
    if (isspace((unsigned char)*c)) {
      space = n > 0;
      continue;
    }
    if (space)
      raw[n++] = ' ';
    space = false;
    raw[n++] = *c;
  }
  raw[n] = '\0';
  return raw;
}

/* Whether the template says nothing of its own beyond {disclosure}. */
static bool only_disclosure(const char *tmpl) {
  const char *d = strstr(tmpl, "{disclosure}");
  if (!d)
    return false;
  for (const char *c = tmpl; *c; c++)
    if (c == d)
      c += strlen("{disclosure}") - 1;
    else if (!isspace((unsigned char)*c))
      return false;
  return true;
}

/* ---- Phrases ---------------------------------------------------------------
 */

/* The show's phrase, else articast's. */
static const char *phrase(const announce_priv *p, const char *lang,
                          const char *key, const char **found) {
  const char *t = an_phrases_find(&p->show, lang, key, found);
  return t ? t : an_phrases_find(&p->builtin, lang, key, found);
}

/* The date in the words of the language ("3 June 2024"), or as written
 * when the language has no month names or the date is not ISO 8601. */
static char *spoken_date(const announce_priv *p, const char *lang,
                         const char *iso) {
  ac_date d;
  const char *pattern = phrase(p, lang, "date", NULL);
  const char *months = phrase(p, lang, "months", NULL);
  if (!iso || ac_date_parse_iso(iso, &d) != 0 || !pattern || !months)
    return iso ? strdup(iso) : NULL;
  const char *m = months;
  for (int i = 1; i < d.month && m; i++) {
    m = strchr(m, ' ');
    m = m ? m + 1 : NULL;
  }
  if (!m || !*m)
    return strdup(iso);
  size_t mlen = strcspn(m, " ");
  const char *first = d.day == 1 ? phrase(p, lang, "first", NULL) : NULL;
  ac_strbuf b = {0};
  for (const char *c = pattern; *c;) {
    if (strncmp(c, "{day}", 5) == 0) {
      if (first)
        ac_strbuf_adds(&b, first);
      else
        ac_strbuf_printf(&b, "%d", d.day);
      c += 5;
    } else if (strncmp(c, "{month}", 7) == 0) {
      ac_strbuf_add(&b, m, mlen);
      c += 7;
    } else if (strncmp(c, "{year}", 6) == 0) {
      ac_strbuf_printf(&b, "%d", d.year);
      c += 6;
    } else {
      ac_strbuf_addc(&b, *c++);
    }
  }
  return ac_strbuf_take(&b);
}

/* Reads the show's phrases file into p->show. */
static int read_show_phrases(ac_stage *st, announce_priv *p) {
  FILE *f = fopen(p->phrases, "rb");
  if (!f)
    return FAIL(st, AC_ERR_NOTFOUND, "phrases %s: %s", p->phrases,
                strerror(errno));
  char *text = malloc(MAX_PHRASES_FILE + 1);
  size_t n = text ? fread(text, 1, MAX_PHRASES_FILE + 1, f) : 0;
  fclose(f);
  if (!text)
    return FAIL(st, AC_ERR_NOMEM, "out of memory");
  if (n > MAX_PHRASES_FILE || memchr(text, '\0', n)) {
    free(text);
    return FAIL(st, AC_ERR_FORMAT,
                "phrases %s: not a text file of at most "
                "1 MiB",
                p->phrases);
  }
  text[n] = '\0';
  char err[512];
  int rc = an_phrases_parse(&p->show, text, p->phrases, err, sizeof err);
  free(text);
  return rc ? FAIL(st, AC_ERR_FORMAT, "%s", err) : 0;
}

/* ---- The stage -------------------------------------------------------------
 */

/* Every template the stage may use, checked before any document. */
static int check_templates(ac_stage *st, const announce_priv *p) {
  fields dummy = {"t", "a", "d", "x"};
  char err[256];
  const char *names[] = {"intro", "outro"};
  const char *opts[] = {p->intro, p->outro};
  for (int i = 0; i < 2; i++) {
    char *out = opts[i] ? render(opts[i], &dummy, err, sizeof err) : NULL;
    if (opts[i] && !out)
      return FAIL(st, AC_ERR_INVALID, "%s: %s", names[i], err);
    free(out);
  }
  for (size_t i = 0; i < p->show.count; i++) {
    const an_phrase *ph = &p->show.items[i];
    if (strcmp(ph->key, "intro") != 0 && strcmp(ph->key, "outro") != 0)
      continue;
    char *out = render(ph->text, &dummy, err, sizeof err);
    if (!out)
      return FAIL(st, AC_ERR_INVALID, "phrases %s: %s of '%s': %s", p->phrases,
                  ph->key, ph->lang, err);
    free(out);
  }
  return 0;
}

static int announce_create(ac_stage *st) {
  announce_priv *p = st->priv;
  char err[512];
  if (an_phrases_parse(&p->builtin, builtin_phrases, "phrases.tsv", err,
                       sizeof err) != 0)
    return FAIL(st, AC_ERR_FORMAT, "%s", err);
  int rc = p->phrases ? read_show_phrases(st, p) : 0;
  return rc ? rc : check_templates(st, p);
}

static void announce_destroy(ac_stage *st) {
  announce_priv *p = st->priv;
  an_phrases_free(&p->show);
  an_phrases_free(&p->builtin);
}

/* Inserts an announcement rendered from `tmpl` at `index`; `lang` marks a
 * block spoken in another language than the document's. */
static int insert(ac_stage *st, ac_document *doc, size_t index,
                  const char *tmpl, const fields *f, const char *lang) {
  char err[256];
  char *text = render(tmpl, f, err, sizeof err);
  if (!text)
    return FAIL(st, AC_ERR_INVALID, "%s", err);
  int rc = 0;
  if (text[0]) {
    ac_block *b = st->host->insert_block(doc, index, AC_BLOCK_ANNOUNCEMENT,
                                         text, strlen(text));
    if (!b || (lang && st->host->set_string(&b->lang, lang, (size_t)-1)))
      rc = FAIL(st, AC_ERR_NOMEM, "out of memory");
  }
  free(text);
  return rc;
}

static int announce_process(ac_stage *st, ac_document *doc) {
  announce_priv *p = st->priv;
  bool titled = doc->n_blocks > 0 && doc->blocks[0].kind == AC_BLOCK_HEADING &&
                doc->blocks[0].level == 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (doc->blocks[i].kind == AC_BLOCK_ANNOUNCEMENT)
      return 0; /* announced already */
  if (!titled)
    return 0; /* a snippet, not an article */
  const char *lang = doc->language ? doc->language : "en";
  const char *found = NULL;
  const char *disclosure = phrase(p, lang, "disclosure", &found);
  const char *other = NULL;
  if (!disclosure) {
    disclosure = phrase(p, "en", "disclosure", &found);
    other = "en";
    st->host->log(st, AC_LOG_WARN,
                  "no disclosure sentence in '%s' (add one with [announce] "
                  "phrases): the English one is spoken",
                  lang);
  }
  char *date = spoken_date(p, lang, doc->date);
  fields f = {doc->title, doc->author, date, disclosure};
  const char *intro = phrase(p, lang, "intro", NULL);
  const char *outro = phrase(p, lang, "outro", NULL);
  intro = intro ? intro : p->intro;
  outro = outro ? outro : p->outro;
  int rc = 0;
  if (intro)
    rc = insert(st, doc, 1, intro, &f,
                other && only_disclosure(intro) ? other : NULL);
  if (rc == 0 && outro)
    rc = insert(st, doc, doc->n_blocks, outro, &f,
                other && only_disclosure(outro) ? other : NULL);
  free(date);
  return rc;
}

static const ac_plugin announce_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "announce",
    .version = "1.0",
    .description = "the show's spoken intro and outro: by default a "
                   "sentence, in the article's language, that a synthetic "
                   "voice reads it",
    .kind = AC_STAGE_TEXT,
    .priv_size = sizeof(announce_priv),
    .options = announce_options,
    .create = announce_create,
    .destroy = announce_destroy,
    .process_document = announce_process,
};

AC_PLUGIN_EXPORT(announce_plugin)
