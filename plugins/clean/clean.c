/*
 * clean: a text stage that turns a scraped page into an article.
 *
 * It splits the source's blocks into units (a wrapped paragraph stays one
 * unit, a block of short lines such as a menu becomes one unit per line),
 * fixes the typography that trips speech, classifies each unit as article,
 * byline, bio, caption or boilerplate (classify.c), and rebuilds the
 * document's block list from the result. The first byline's name becomes
 * doc->author when the source gave none.
 */
#include "clean.h"
#include "langid.h"
#include "strbuf.h"
#include "utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>
#include <uniwidth.h>

typedef struct clean_priv {
  int keep_boilerplate;
  int min_paragraph_words;
  int typography;
  int classify;
  int detect_language;
  const char *words;
  cl_lexicon lexicon;
} clean_priv;

static const ac_option clean_options[] = {
    {"keep_boilerplate", AC_OPT_BOOL, offsetof(clean_priv, keep_boilerplate),
     "false", 0, 0, NULL,
     "keep rejected blocks marked as boilerplate instead of removing them"},
    {"min_paragraph_words", AC_OPT_INT,
     offsetof(clean_priv, min_paragraph_words), "10", 1, 200, NULL,
     "paragraphs with fewer words count as short: kept only between "
     "article paragraphs"},
    {"typography", AC_OPT_BOOL, offsetof(clean_priv, typography), "true", 0, 0,
     NULL,
     "straighten quotes, turn dashes into pauses and expand ellipses for "
     "speech"},
    {"classify", AC_OPT_BOOL, offsetof(clean_priv, classify), "true", 0, 0,
     NULL,
     "detect boilerplate, bylines and bios in text and Markdown input (an "
     "HTML source has already extracted the article); false: only fix the "
     "text"},
    {"detect_language", AC_OPT_BOOL, offsetof(clean_priv, detect_language),
     "true", 0, 0, NULL,
     "guess the language of text and Markdown input that declares none, "
     "and mark blocks reliably in another language than the article's, "
     "which are then read in that language"},
    {"words", AC_OPT_STRING, offsetof(clean_priv, words), "words", 0, 0, NULL,
     "directory of the word lists (clean/*.txt, stopwords/<lang>.txt): an "
     "absolute path, or a name looked up in the voices directories"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* ---- Segmentation ------------------------------------------------------ */

typedef struct unit_list {
  cl_unit *items;
  size_t count, cap;
} unit_list;

/* Is there white space (a space, a tab, a no-break space) at s[i]? */
static bool space_at(const char *s, size_t len, size_t i) {
  return i < len && uc_is_property_white_space(cl_next(s, len, &i));
}

/* Length in bytes of a bullet or list number at the start of a line
 * (including the space after it), or 0. */
static size_t bullet_len(const char *s, size_t len) {
  static const char *const bullets[] = {"\xe2\x80\xa2", /* • */
                                        "\xe2\x97\xa6", /* ◦ */
                                        "\xe2\x96\xaa", /* ▪ */
                                        "\xe2\x96\xab", /* ▫ */
                                        "\xe2\x96\xa0", /* ■ */
                                        "\xe2\x96\xa1", /* □ */
                                        "\xe2\x98\x86", /* ☆ */
                                        "\xe2\x98\x85", /* ★ */
                                        "\xe2\x97\x8b", /* ○ */
                                        "\xe2\x97\x8f", /* ● */
                                        "\xe2\x97\x86", /* ◆ */
                                        "\xe2\x97\x87", /* ◇ */
                                        "\xe2\x96\xba", /* ► */
                                        "\xe2\x96\xb6", /* ▶ */
                                        "\xe2\x80\xa3", /* ‣ */
                                        "\xe2\x81\x83", /* ⁃ */
                                        "\xc2\xb7",     /* · */
                                        "-",
                                        "*",
                                        "+"};
  for (size_t i = 0; i < sizeof bullets / sizeof *bullets; i++) {
    size_t n = strlen(bullets[i]);
    if (n <= len && memcmp(s, bullets[i], n) == 0 &&
        (n == len || space_at(s, len, n))) {
      if (n == 1 && n < len && s[0] == '-' && s[1] == '-')
        return 0;
      return n;
    }
  }
  /* "1. ", "12) " */
  size_t d = 0;
  while (d < len && d < 3 && s[d] >= '0' && s[d] <= '9')
    d++;
  if (d > 0 && d + 1 < len && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ')
    return d + 1;
  return 0;
}

static int add_unit(unit_list *l, const char *text, size_t len,
                    const ac_block *b, size_t block, bool bullet,
                    bool typography) {
  char *clean = cl_typography(text, len, typography);
  if (!clean)
    return AC_ERR_NOMEM;
  if (!clean[0]) {
    free(clean);
    return 0;
  }
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    cl_unit *items = realloc(l->items, cap * sizeof *items);
    if (!items) {
      free(clean);
      return AC_ERR_NOMEM;
    }
    l->items = items;
    l->cap = cap;
  }
  cl_unit *u = &l->items[l->count++];
  memset(u, 0, sizeof *u);
  u->text = clean;
  u->len = strlen(clean);
  u->block = block;
  u->bullet = bullet || b->kind == AC_BLOCK_LIST_ITEM;
  u->kind = bullet ? AC_BLOCK_LIST_ITEM : b->kind;
  u->level = b->level;
  u->structured = b->kind != AC_BLOCK_PARAGRAPH;
  u->lang = b->lang;
  u->dup_of = -1;
  return 0;
}

typedef struct line {
  const char *s;
  size_t len;
} line;

/* Decides whether the lines of a block are one paragraph wrapped at a fixed
 * width (join them) or separate items (menus, lists, a name above a bio).
 * Wrapped text has no bullets, lines of similar width (all but the last
 * near the longest, which is at most about 100 columns), and most breaks
 * fall inside sentences. */
/* Display width of a line in columns (wide CJK characters count two). */
static size_t columns(const line *l) {
  int w = u8_width((const uint8_t *)l->s, l->len, "UTF-8");
  return w > 0 ? (size_t)w : l->len;
}

static bool wrapped(const line *lines, size_t n) {
  if (n < 2)
    return false;
  size_t longest = 0;
  for (size_t i = 0; i < n; i++) {
    if (bullet_len(lines[i].s, lines[i].len))
      return false;
    if (columns(&lines[i]) > longest)
      longest = columns(&lines[i]);
  }
  if (longest < 50 || longest > 110)
    return false;
  int inside = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (columns(&lines[i]) * 10 < longest * 6)
      return false;
    ucs4_t end = 0;
    u8_prev(&end, (const uint8_t *)lines[i].s + lines[i].len,
            (const uint8_t *)lines[i].s);
    size_t k = 0;
    ucs4_t next = cl_next(lines[i + 1].s, lines[i + 1].len, &k);
    if (!(cl_is_sentence_end(end) || end == ':') || uc_is_lower(next))
      inside++;
  }
  return inside * 2 >= (int)(n - 1);
}

/* Trims white space (no-break spaces too) at both ends of s[0..*n). */
static void trim(const char **s, size_t *n) {
  while (*n > 0) {
    size_t i = 0;
    if (!uc_is_property_white_space(cl_next(*s, *n, &i)))
      break;
    *s += i;
    *n -= i;
  }
  while (*n > 0) {
    ucs4_t cp;
    const uint8_t *end = (const uint8_t *)*s + *n;
    const uint8_t *prev = u8_prev(&cp, end, (const uint8_t *)*s);
    if (!prev || !uc_is_property_white_space(cp))
      break;
    *n = (size_t)(prev - (const uint8_t *)*s);
  }
}

static int segment_block(unit_list *l, const ac_block *b, size_t index,
                         bool typography) {
  const char *text = b->text ? b->text : "";
  size_t len = strlen(text);
  if (b->kind != AC_BLOCK_PARAGRAPH && b->kind != AC_BLOCK_LIST_ITEM &&
      b->kind != AC_BLOCK_BOILERPLATE) {
    /* Headings, quotes, bylines, bios and captions keep their shape. */
    return add_unit(l, text, len, b, index, false, typography);
  }
  size_t n_lines = 0, cap = 16;
  line *lines = malloc(cap * sizeof *lines);
  if (!lines)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i <= len;) {
    size_t e = i;
    while (e < len && text[e] != '\n')
      e++;
    const char *s = text + i;
    size_t n = e - i;
    trim(&s, &n);
    if (n > 0) {
      if (n_lines == cap) {
        cap *= 2;
        line *more = realloc(lines, cap * sizeof *lines);
        if (!more) {
          free(lines);
          return AC_ERR_NOMEM;
        }
        lines = more;
      }
      lines[n_lines].s = s;
      lines[n_lines].len = n;
      n_lines++;
    }
    i = e + 1;
  }
  int rc = 0;
  if (n_lines > 0 && (n_lines == 1 || wrapped(lines, n_lines))) {
    /* One unit: the whole block, its line breaks become spaces. */
    size_t bl = bullet_len(lines[0].s, lines[0].len);
    const char *start = lines[0].s + bl;
    const line *z = &lines[n_lines - 1];
    rc = add_unit(l, start, (size_t)(z->s + z->len - start), b, index, bl > 0,
                  typography);
  } else {
    for (size_t k = 0; k < n_lines && rc == 0; k++) {
      size_t bl = bullet_len(lines[k].s, lines[k].len);
      size_t before = l->count;
      rc = add_unit(l, lines[k].s + bl, lines[k].len - bl, b, index, bl > 0,
                    typography);
      if (rc == 0 && l->count > before)
        l->items[before].listed = true;
    }
  }
  free(lines);
  return rc;
}

/* ---- The stage --------------------------------------------------------- */

static ac_block_kind output_kind(const cl_unit *u) {
  switch (u->role) {
  case CL_ROLE_BYLINE:
    return AC_BLOCK_BYLINE;
  case CL_ROLE_BIO:
    return AC_BLOCK_BIO;
  case CL_ROLE_CAPTION:
    return AC_BLOCK_CAPTION;
  case CL_ROLE_BOILER:
  case CL_ROLE_DROP:
    return AC_BLOCK_BOILERPLATE;
  case CL_ROLE_BODY:
    break;
  }
  if (u->structured && u->kind != AC_BLOCK_BOILERPLATE)
    return u->kind;
  if (u->bullet)
    return AC_BLOCK_LIST_ITEM;
  /* A short line without final punctuation standing alone between
   * paragraphs is a subheading. */
  if (u->heading_like && !u->listed)
    return AC_BLOCK_HEADING;
  return AC_BLOCK_PARAGRAPH;
}

static void free_units(unit_list *l) {
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i].text);
  free(l->items);
}

static const char *role_name(cl_role r) {
  static const char *const names[] = {"body",    "byline", "bio",
                                      "caption", "boiler", "drop"};
  return names[r];
}

/* The stopword lists the classifier reads: the document's language's and
 * its passages', or every list to find the language when none is known. */
static int need_stopwords(ac_stage *st, const ac_document *doc) {
  clean_priv *p = st->priv;
  bool known = doc->language && doc->language[0];
  int rc = cl_lexicon_need(&p->lexicon, st, known ? doc->language : NULL);
  for (size_t i = 0; rc == 0 && i < doc->n_blocks; i++)
    if (doc->blocks[i].lang && doc->blocks[i].lang[0])
      rc = cl_lexicon_need(&p->lexicon, st, doc->blocks[i].lang);
  return rc;
}

static int clean_blocks(ac_stage *st, ac_document *doc) {
  const clean_priv *p = st->priv;
  const ac_host *h = st->host;
  if (doc->n_blocks == 0)
    return 0;
  /* The classifier tells an article from the furniture around it; an HTML
   * source has already done that with the page's markup, and a single
   * block has nothing around it to be told from. */
  bool classify = p->classify && doc->n_blocks > 1 &&
                  !(doc->format && strcmp(doc->format, "html") == 0);

  unit_list l = {NULL, 0, 0};
  int rc = 0;
  for (size_t i = 0; i < doc->n_blocks && rc == 0; i++)
    rc = segment_block(&l, &doc->blocks[i], i, p->typography != 0);
  if (rc) {
    free_units(&l);
    return h->fail(st, rc, "out of memory while splitting blocks");
  }

  if (classify) {
    /* A browser dump's first line is often "Skip to content" or a menu
     * item: such a title is replaced by the headline found on the page. */
    bool title_ok = doc->title && doc->title[0] &&
                    !bullet_len(doc->title, strlen(doc->title)) &&
                    !cl_is_boilerplate(&p->lexicon, doc->title);
    cl_params params = {&p->lexicon, p->min_paragraph_words, doc->language,
                        title_ok ? doc->title : NULL, -1};
    rc = need_stopwords(st, doc);
    if (rc) {
      free_units(&l);
      return rc;
    }
    rc = cl_classify(l.items, l.count, &params);
    if (rc) {
      free_units(&l);
      return h->fail(st, rc, "out of memory while classifying blocks");
    }
    if (!title_ok && params.title_unit >= 0 &&
        h->set_string(&doc->title, l.items[params.title_unit].text,
                      (size_t)-1) != 0) {
      free_units(&l);
      return h->fail(st, AC_ERR_NOMEM, "out of memory");
    }
  } else {
    for (size_t i = 0; i < l.count; i++)
      l.items[i].role = CL_ROLE_BODY;
  }

  /* Build the new block list after the old one, then drop the old blocks
   * (from the end, so nothing moves). Languages are copied first because
   * the old blocks own them. */
  size_t old = doc->n_blocks;
  size_t kept = 0;
  for (size_t i = 0; i < l.count && rc == 0; i++) {
    cl_unit *u = &l.items[i];
    /* Each decision, for `articast text -v`: role, classes, words,
     * stopword density, flags and the start of the text (cut on a
     * character boundary). */
    size_t shown = 0;
    while (shown < u->len && shown < 70) {
      size_t next = shown;
      cl_next(u->text, u->len, &next);
      if (next > 70)
        break;
      shown = next;
    }
    h->log(st, AC_LOG_DEBUG, "%s %d/%d w=%d d=%.2f%s%s%s: %.*s",
           role_name(u->role), (int)u->cls, (int)u->final, u->words, u->density,
           u->boiler ? " boiler" : "", u->marker ? " marker" : "",
           u->byline ? " by" : "", (int)shown, u->text);
    if (u->role == CL_ROLE_DROP ||
        (u->role == CL_ROLE_BOILER && !p->keep_boilerplate))
      continue;
    ac_block *nb = h->add_block(doc, output_kind(u), u->text, strlen(u->text));
    if (!nb) {
      rc = AC_ERR_NOMEM;
      break;
    }
    nb->level = nb->kind == AC_BLOCK_HEADING
                    ? (u->level >= 1 && u->level <= 6 ? u->level : 2)
                    : 0;
    const ac_block *src = &doc->blocks[u->block];
    if (src->lang && h->set_string(&nb->lang, src->lang, (size_t)-1) != 0)
      rc = AC_ERR_NOMEM;
    kept++;
  }
  if (rc) {
    /* Leave the document as it was: remove what was added. */
    while (doc->n_blocks > old)
      h->remove_block(doc, doc->n_blocks - 1);
    free_units(&l);
    return h->fail(st, rc, "out of memory while rebuilding the document");
  }
  /* Move the old blocks out: remove index 0 `old` times would shift the
   * array each time; instead swap the new blocks to the front. */
  for (size_t i = 0; i < kept; i++) {
    ac_block tmp = doc->blocks[i];
    doc->blocks[i] = doc->blocks[old + i];
    doc->blocks[old + i] = tmp;
  }
  while (doc->n_blocks > kept)
    h->remove_block(doc, doc->n_blocks - 1);

  /* The author from the first byline, when the source had none. */
  if (!doc->author || !doc->author[0]) {
    for (size_t i = 0; i < doc->n_blocks; i++) {
      if (doc->blocks[i].kind != AC_BLOCK_BYLINE)
        continue;
      char *name = cl_byline_name(&p->lexicon, doc->blocks[i].text);
      if (name) {
        rc = h->set_string(&doc->author, name, (size_t)-1);
        free(name);
        if (rc) {
          free_units(&l);
          return h->fail(st, AC_ERR_NOMEM, "out of memory");
        }
      }
      break;
    }
  }
  if (doc->title && p->typography) {
    char *t = cl_typography(doc->title, strlen(doc->title), true);
    if (t) {
      rc = h->set_string(&doc->title, t, (size_t)-1);
      free(t);
    }
  }
  free_units(&l);
  return rc ? h->fail(st, rc, "out of memory") : 0;
}

/* Text dumps and Markdown without a language: guess it from the text, so
 * the stopword list, the normalizer and the voice fit; HTML sources do
 * this themselves. A guess that is not sure leaves the language unset,
 * which means the show's or the default. A declared language (front
 * matter, --lang) is never replaced. */
static int detect_language(ac_stage *st, ac_document *doc) {
  if ((doc->language && doc->language[0]) ||
      (doc->format && strcmp(doc->format, "html") == 0))
    return 0;
  /* The detector reads at most the first 256 KiB. */
  ac_strbuf sample = {0};
  for (size_t i = 0; i < doc->n_blocks && sample.len < 256 * 1024; i++) {
    const char *t = doc->blocks[i].text;
    if (t && (ac_strbuf_adds(&sample, t) || ac_strbuf_addc(&sample, '\n')))
      break;
  }
  if (sample.oom) {
    ac_strbuf_free(&sample);
    return AC_ERR_NOMEM;
  }
  if (!sample.data)
    return 0;
  ac_lang_guess guess;
  int rc = ac_langid_detect(sample.data, sample.len, NULL, &guess);
  ac_strbuf_free(&sample);
  if (rc != 0)
    return AC_ERR_NOMEM;
  const char *lang = ac_langid_article(&guess);
  if (!lang)
    return 0;
  st->host->log(st, AC_LOG_INFO, "language detected from the text: %s", lang);
  return st->host->set_string(&doc->language, lang, (size_t)-1);
}

/* Marks each spoken block that is reliably in another language than the
 * document's (a quotation in French in an English article) with that
 * language, which the normalizer and the synthesizer then follow. A
 * block a source already marked keeps its language; short or unsure
 * blocks keep the document's. This holds for a declared document
 * language too: the declaration names the article's language, not every
 * passage's. It runs before the classifier, which then judges a passage
 * by the stopwords of its own language. */
static int tag_passages(ac_stage *st, ac_document *doc, size_t from,
                        size_t to) {
  if (!doc->language || !doc->language[0])
    return 0;
  for (size_t i = from; i < to && i < doc->n_blocks; i++) {
    ac_block *b = &doc->blocks[i];
    if (b->kind == AC_BLOCK_BOILERPLATE || !b->text || (b->lang && b->lang[0]))
      continue;
    char tag[AC_LANGID_TAG_MAX];
    int rc = ac_langid_passage(b->text, strlen(b->text), doc->language, tag);
    if (rc < 0)
      return AC_ERR_NOMEM;
    if (rc == 0)
      continue;
    size_t len = strlen(b->text);
    size_t shown = len > 60 ? ac_utf8_char_start(b->text, len, 60) : len;
    st->host->log(st, AC_LOG_INFO,
                  "a passage in %s (the article is in %s): %.*s%s", tag,
                  doc->language, (int)shown, b->text, shown < len ? "..." : "");
    if (st->host->set_string(&b->lang, tag, (size_t)-1) != 0)
      return AC_ERR_NOMEM;
  }
  return 0;
}

/* The host's level-0 title block (see plugin.h) is the title, not page
 * text: it stays out of the classifier and goes back first, carrying the
 * title as this stage leaves it. */
static int clean_process(ac_stage *st, ac_document *doc) {
  const ac_host *h = st->host;
  const clean_priv *p = st->priv;
  if (p->detect_language && detect_language(st, doc) != 0)
    return h->fail(st, AC_ERR_NOMEM, "out of memory");
  bool title_block = doc->n_blocks > 0 &&
                     doc->blocks[0].kind == AC_BLOCK_HEADING &&
                     doc->blocks[0].level == 0;
  if (title_block)
    h->remove_block(doc, 0);
  if (p->detect_language && tag_passages(st, doc, 0, doc->n_blocks) != 0)
    return h->fail(st, AC_ERR_NOMEM, "out of memory");
  int rc = clean_blocks(st, doc);
  if (rc == 0 && title_block && doc->title && doc->title[0]) {
    ac_block *b = h->insert_block(doc, 0, AC_BLOCK_HEADING, doc->title,
                                  strlen(doc->title));
    if (!b)
      return h->fail(st, AC_ERR_NOMEM, "out of memory");
    b->level = 0;
  }
  if (rc == 0 && title_block && p->detect_language &&
      tag_passages(st, doc, 0, 1) != 0)
    return h->fail(st, AC_ERR_NOMEM, "out of memory");
  return rc;
}

/* Loads the word lists: a missing or malformed list fails the stage. */
static int clean_create(ac_stage *st) {
  clean_priv *p = st->priv;
  return cl_lexicon_load(&p->lexicon, st, p->words);
}

static void clean_destroy(ac_stage *st) {
  clean_priv *p = st->priv;
  cl_lexicon_free(&p->lexicon);
}

static const ac_plugin clean_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "clean",
    .version = "1.0",
    .description = "removes page boilerplate, finds byline and bio, fixes "
                   "typography for speech",
    .kind = AC_STAGE_TEXT,
    .priv_size = sizeof(clean_priv),
    .options = clean_options,
    .create = clean_create,
    .destroy = clean_destroy,
    .process_document = clean_process,
};

AC_PLUGIN_EXPORT(clean_plugin)
