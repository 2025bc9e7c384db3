/*
 * source_html: reads a web page (a file, or an http(s) URL it downloads)
 * into the document model: the page's metadata (title, authors, date,
 * language, description, image, canonical URL) and the article's blocks
 * (headings, paragraphs, quotes, list items, a byline, author bios and
 * captions that are sentences), leaving out navigation, sharing widgets,
 * related links, comments, notices and ads.
 *
 * This file holds the descriptor, probing and the assembly of the
 * document; see source_html.h for the other files.
 */
#include "source_html.h"

#include "langid.h"
#include "utf8.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct source_html_priv {
  int timeout;
  int connect_timeout;
  int max_size_kib;
  int max_redirects;
  int detect_language;
} source_html_priv;

static const ac_option source_html_options[] = {
    {"timeout", AC_OPT_INT, offsetof(source_html_priv, timeout), "30", 1, 600,
     NULL, "URLs: seconds allowed for the whole download"},
    {"connect_timeout", AC_OPT_INT, offsetof(source_html_priv, connect_timeout),
     "10", 1, 300, NULL, "URLs: seconds allowed to connect to the server"},
    {"max_size_kib", AC_OPT_INT, offsetof(source_html_priv, max_size_kib),
     "10240", 1, 1048576, NULL,
     "URLs: largest page accepted, in KiB (default 10 MiB)"},
    {"max_redirects", AC_OPT_INT, offsetof(source_html_priv, max_redirects),
     "5", 0, 20, NULL, "URLs: redirects followed at most"},
    {"detect_language", AC_OPT_BOOL,
     offsetof(source_html_priv, detect_language), "true", 0, 0, NULL,
     "guess the language from the text when the page does not declare it"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* ---- Probing -------------------------------------------------------------
 */

static int has_html_ext(const char *name) {
  if (!name)
    return 0;
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  const char *dot = strrchr(base, '.');
  if (!dot)
    return 0;
  static const char *const exts[] = {".html", ".htm", ".xhtml", ".shtml", NULL};
  for (size_t i = 0; exts[i]; i++)
    if (strcasecmp(dot, exts[i]) == 0)
      return 1;
  return 0;
}

/* Tags of an HTML fragment (no <html>, no doctype): "<p>", "</div>"... */
static int fragment_tags(const char *data, size_t len) {
  size_t limit = len < 8192 ? len : 8192;
  static const char *const tags[] = {"<p>",    "<p ",     "</p>",     "<div",
                                     "</div>", "<br",     "<h1",      "<h2",
                                     "<li>",   "<a href", "<article", NULL};
  int count = 0;
  for (size_t i = 0; i < limit; i++) {
    if (data[i] != '<')
      continue;
    for (size_t k = 0; tags[k]; k++) {
      size_t n = strlen(tags[k]);
      if (i + n <= limit && strncasecmp(data + i, tags[k], n) == 0) {
        count++;
        break;
      }
    }
  }
  return count;
}

static int source_html_probe(const char *name, const char *data, size_t len) {
  if (len == 0 || !data)
    return sh_is_url(name) ? 95 : 0;
  if (sh_looks_html(data, len))
    return 95;
  if (has_html_ext(name))
    return 70;
  return fragment_tags(data, len) >= 5 ? 70 : 0;
}

/* ---- Document assembly ---------------------------------------------------
 */

/* Takes a malloc'd string into a document field. */
static void take(char **field, char **value) {
  if (*value) {
    free(*field);
    *field = *value;
    *value = NULL;
  }
}

/* The name in a byline: "By Jane Doe | 19 Nov 2019" -> "Jane Doe". NULL
 * when it does not look like names. */
static char *byline_name(const char *byline) {
  char *t = sh_clean_text(byline, strlen(byline));
  if (!t)
    return NULL;
  char *p = t;
  if (strncasecmp(p, "by ", 3) == 0)
    p += 3;
  else if (strncasecmp(p, "by:", 3) == 0)
    p += 3;
  while (*p == ' ')
    p++;
  static const char *const stops[] = {" | ",
                                      " - ",
                                      ", ",
                                      " on ",
                                      "\n",
                                      " \xE2\x80\xA2 ",
                                      " \xC2\xB7 ",
                                      " \xE2\x80\x94 ",
                                      " \xE2\x80\x93 ",
                                      NULL};
  for (size_t i = 0; stops[i]; i++) {
    char *s = strstr(p, stops[i]);
    if (s)
      *s = '\0';
  }
  size_t words = sh_word_count(p, strlen(p));
  int has_digit = strpbrk(p, "0123456789") != NULL;
  int account = words == 1 && sh_strcasestr(p, "admin"); /* a CMS login */
  char *out = NULL;
  if (words >= 1 && words <= 6 && !has_digit && !account)
    out = strdup(p);
  free(t);
  return out;
}

/* Text for language detection: the title and the first paragraphs. */
static char *sample_text(const char *title, const sh_blocks *b) {
  ac_strbuf s = {0};
  if (ac_strbuf_add(&s, "", 0) != 0)
    return NULL;
  if (title && (ac_strbuf_adds(&s, title) || ac_strbuf_addc(&s, '\n')))
    goto nomem;
  for (size_t i = 0; i < b->count && s.len < 8000; i++) {
    ac_block_kind k = b->items[i].kind;
    if (!b->items[i].text)
      continue;
    if (k != AC_BLOCK_PARAGRAPH && k != AC_BLOCK_HEADING &&
        k != AC_BLOCK_QUOTE && k != AC_BLOCK_LIST_ITEM)
      continue;
    if (ac_strbuf_adds(&s, b->items[i].text) || ac_strbuf_addc(&s, '\n'))
      goto nomem;
  }
  return s.data;
nomem:
  ac_strbuf_free(&s);
  return NULL;
}

/* Chooses the document's language: the page's declaration, which always
 * wins (a passage in another language is found per block by the clean
 * stage); else the text's language when the detector is sure of it. */
static int choose_language(ac_stage *st, const source_html_priv *p, sh_meta *m,
                           const sh_blocks *b, ac_document *doc) {
  const ac_host *h = st->host;
  const char *lang = m->language;
  ac_lang_guess guess;
  if (!lang && p->detect_language) {
    char *sample = sample_text(doc->title, b);
    if (!sample)
      return AC_ERR_NOMEM;
    int rc = ac_langid_detect(sample, strlen(sample), NULL, &guess);
    free(sample);
    if (rc != 0)
      return AC_ERR_NOMEM;
    lang = ac_langid_article(&guess);
    if (lang)
      h->log(st, AC_LOG_INFO, "language detected from the text: %s", lang);
  }
  if (lang && h->set_string(&doc->language, lang, (size_t)-1) != 0)
    return AC_ERR_NOMEM;
  return 0;
}

static int is_body_kind(ac_block_kind k) {
  return k == AC_BLOCK_PARAGRAPH || k == AC_BLOCK_HEADING ||
         k == AC_BLOCK_QUOTE || k == AC_BLOCK_LIST_ITEM;
}

/* Code points of body text in the blocks. */
static size_t body_length(const sh_blocks *b) {
  size_t n = 0;
  for (size_t i = 0; i < b->count; i++)
    if (is_body_kind(b->items[i].kind) && b->items[i].text)
      n += ac_utf8_count(b->items[i].text, strlen(b->items[i].text));
  return n;
}

/* Blocks from a JSON-LD articleBody: HTML when it holds tags, else one
 * paragraph per line. 0, or AC_ERR_NOMEM. */
static int blocks_from_body(const char *body, sh_blocks *out) {
  memset(out, 0, sizeof *out);
  if (strchr(body, '<') && strchr(body, '>')) {
    char err[128];
    htmlDocPtr frag = sh_parse(body, strlen(body), "utf-8", err, sizeof err);
    if (!frag)
      return 0;
    int rc = sh_extract(frag, NULL, out);
    xmlFreeDoc(frag);
    return rc;
  }
  for (const char *p = body; *p;) {
    size_t n = strcspn(p, "\n");
    char *t = sh_clean_text(p, n);
    if (!t)
      return AC_ERR_NOMEM;
    int rc = t[0] ? sh_blocks_add(out, AC_BLOCK_PARAGRAPH, 0, t, strlen(t)) : 0;
    free(t);
    if (rc)
      return AC_ERR_NOMEM;
    p += n;
    if (*p)
      p++;
  }
  return 0;
}

static int fill(ac_stage *st, const source_html_priv *p, htmlDocPtr page,
                const char *page_url, ac_document *doc) {
  const ac_host *h = st->host;
  sh_meta m;
  int rc = sh_meta_read(page, page_url, &m);
  if (rc)
    return h->fail(st, rc, "out of memory");
  sh_blocks b;
  rc = sh_extract(page, m.title ? m.title : m.html_title, &b);
  if (rc) {
    sh_meta_free(&m);
    return h->fail(st, rc, "out of memory");
  }

  /* Pages whose text a script draws leave little in their markup, but
   * their JSON-LD may carry the whole article. */
  size_t found = body_length(&b);
  if (m.body && found < 300 && ac_utf8_count(m.body, strlen(m.body)) >= 300) {
    sh_blocks alt;
    rc = blocks_from_body(m.body, &alt);
    if (rc == 0 && body_length(&alt) > 2 * found) {
      h->log(st, AC_LOG_INFO,
             "little text in the markup: the article comes "
             "from the page's JSON-LD articleBody");
      alt.byline = b.byline;
      b.byline = NULL;
      sh_blocks_free(&b);
      b = alt;
    } else {
      sh_blocks_free(&alt);
    }
    if (rc) {
      sh_blocks_free(&b);
      sh_meta_free(&m);
      return h->fail(st, rc, "out of memory");
    }
  }
  if (!m.author && b.byline) {
    char *name = byline_name(b.byline);
    take(&m.author, &name);
  }
  if (!m.url && page_url)
    m.url = strdup(page_url);
  take(&doc->title, &m.title);
  take(&doc->author, &m.author);
  take(&doc->date, &m.date);
  take(&doc->summary, &m.description);
  take(&doc->image, &m.image);
  take(&doc->url, &m.url);
  size_t body = 0, first = 0;
  /* No title anywhere in the metadata: an opening heading is the title. */
  if (!doc->title && b.count && b.items[0].kind == AC_BLOCK_HEADING &&
      b.items[0].level <= 2) {
    doc->title = b.items[0].text;
    b.items[0].text = NULL;
    first = 1;
  }
  rc = choose_language(st, p, &m, &b, doc);

  /* The byline the markup marked goes first; a "By ..." line of the text
   * before the first paragraph repeats it. */
  int has_byline = b.byline && b.byline[0];
  if (rc == 0 && has_byline &&
      !h->add_block(doc, AC_BLOCK_BYLINE, b.byline, strlen(b.byline)))
    rc = AC_ERR_NOMEM;
  for (size_t i = first; rc == 0 && i < b.count; i++) {
    if (has_byline && body == 0 && b.items[i].kind == AC_BLOCK_BYLINE)
      continue;
    ac_block *blk = h->add_block(doc, b.items[i].kind, b.items[i].text,
                                 strlen(b.items[i].text));
    if (!blk) {
      rc = AC_ERR_NOMEM;
      break;
    }
    blk->level = b.items[i].kind == AC_BLOCK_HEADING ? b.items[i].level : 0;
    if (is_body_kind(b.items[i].kind))
      body++;
  }
  sh_blocks_free(&b);
  sh_meta_free(&m);
  if (rc)
    return h->fail(st, rc, "out of memory");
  if (body == 0) {
    if (!doc->title || !doc->title[0])
      return h->fail(st, AC_ERR_EMPTY, "the page holds no article text");
    h->log(st, AC_LOG_WARN,
           "no article text found in the page; only its "
           "title remains");
  }
  return 0;
}

/* A plain-text response: one paragraph per stretch between blank lines. */
static int fill_plain(ac_stage *st, const char *data, size_t len,
                      ac_document *doc) {
  const ac_host *h = st->host;
  const char *p = data, *end = data + len;
  while (p < end) {
    const char *q = p;
    const char *stop = end;
    for (; q < end; q++)
      if (*q == '\n') {
        const char *r = q + 1;
        while (r < end && (*r == ' ' || *r == '\t' || *r == '\r'))
          r++;
        if (r < end && *r == '\n') {
          stop = q;
          break;
        }
      }
    char *t = sh_clean_text(p, (size_t)(stop - p));
    if (!t)
      return h->fail(st, AC_ERR_NOMEM, "out of memory");
    if (t[0] && !h->add_block(doc, AC_BLOCK_PARAGRAPH, t, strlen(t))) {
      free(t);
      return h->fail(st, AC_ERR_NOMEM, "out of memory");
    }
    free(t);
    p = stop;
    while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r'))
      p++;
  }
  if (doc->n_blocks == 0)
    return h->fail(st, AC_ERR_EMPTY, "the page is empty");
  return 0;
}

static int is_html_type(const char *ct) {
  return !ct || sh_prefix_ci(ct, "text/html") ||
         sh_prefix_ci(ct, "application/xhtml") ||
         sh_prefix_ci(ct, "application/xml") || sh_prefix_ci(ct, "text/xml");
}

static int read_url(ac_stage *st, const source_html_priv *p, const char *url,
                    ac_document *doc) {
  const ac_host *h = st->host;
  sh_fetch_opts opts = {p->connect_timeout, p->timeout,
                        (size_t)p->max_size_kib * 1024, p->max_redirects};
  sh_fetched f;
  char err[512];
  int rc = sh_fetch(url, &opts, &f, err, sizeof err);
  if (rc)
    return h->fail(st, rc, "%s", err);
  if (f.len == 0) {
    sh_fetched_free(&f);
    return h->fail(st, AC_ERR_EMPTY, "the server sent an empty page");
  }
  if (!is_html_type(f.content_type) && !sh_looks_html(f.data, f.len)) {
    if (sh_prefix_ci(f.content_type, "text/plain")) {
      char cs[64];
      int has_cs = sh_content_type_charset(f.content_type, cs, sizeof cs) == 0;
      size_t n = 0;
      char *text = sh_decode(f.data, f.len, has_cs ? cs : NULL, 0, &n);
      rc = text ? fill_plain(st, text, n, doc)
                : h->fail(st, AC_ERR_NOMEM, "out of memory");
      free(text);
      if (rc == 0 && !doc->url)
        rc = h->set_string(&doc->url, f.final_url, (size_t)-1);
      sh_fetched_free(&f);
      return rc;
    }
    rc = h->fail(st, AC_ERR_FORMAT, "the server sent %s, not a web page",
                 f.content_type);
    sh_fetched_free(&f);
    return rc;
  }
  char charset[64] = "";
  sh_content_type_charset(f.content_type, charset, sizeof charset);
  htmlDocPtr page =
      sh_parse(f.data, f.len, charset[0] ? charset : NULL, err, sizeof err);
  if (!page) {
    rc = h->fail(st, AC_ERR_FORMAT, "%s", err);
    sh_fetched_free(&f);
    return rc;
  }
  rc = fill(st, p, page, f.final_url, doc);
  xmlFreeDoc(page);
  sh_fetched_free(&f);
  return rc;
}

static int source_html_read(ac_stage *st, const char *name, const char *data,
                            size_t len, ac_document *doc) {
  const source_html_priv *p = st->priv;
  const ac_host *h = st->host;
  if (h->set_string(&doc->format, "html", (size_t)-1) != 0)
    return h->fail(st, AC_ERR_NOMEM, "out of memory");
  if ((!data || len == 0) && sh_is_url(name))
    return read_url(st, p, name, doc);
  if (!data || len == 0)
    return h->fail(st, AC_ERR_EMPTY, "empty input");
  char err[256];
  htmlDocPtr page = sh_parse(data, len, NULL, err, sizeof err);
  if (!page)
    return h->fail(st, AC_ERR_FORMAT, "%s", err);
  int rc = fill(st, p, page, NULL, doc);
  xmlFreeDoc(page);
  return rc;
}

static const ac_plugin source_html_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "source_html",
    .version = "1.1",
    .description = "web pages (files or http(s) URLs): the article's text "
                   "and metadata, without menus, ads or comments",
    .kind = AC_STAGE_SOURCE,
    .priv_size = sizeof(source_html_priv),
    .options = source_html_options,
    .probe = source_html_probe,
    .read_source = source_html_read,
};

AC_PLUGIN_EXPORT(source_html_plugin)
