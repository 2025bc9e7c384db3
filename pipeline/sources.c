/* Feeds, sitemaps, pages and folders into lists of articles (sources.h). */
#define _GNU_SOURCE /* strndup, strcasestr */
#include "sources.h"
#include "core.h"
#include "date.h"
#include "strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

/* Beyond this many entries a source's list is cut (a runaway feed). */
#define MAX_ITEMS 100000
/* A sitemap index names at most this many sitemaps that are read. */
#define MAX_SITEMAPS 50
#define FOLDER_DEPTH 8

#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_MEDIA "http://search.yahoo.com/mrss/"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_NEWS "http://www.google.com/schemas/sitemap-news/0.9"

const char *ac_source_kind_name(ac_source_kind kind) {
  static const char *const names[] = {"rss",     "atom",   "json-feed",
                                      "sitemap", "folder", "html"};
  return kind <= AC_SOURCE_HTML ? names[kind] : "unknown";
}

void ac_item_free(ac_item *it) {
  char **fields[] = {&it->key,     &it->guid,    &it->link,     &it->title,
                     &it->author,  &it->summary, &it->image,    &it->language,
                     &it->content, &it->path,    &it->validator};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  memset(it, 0, sizeof *it);
}

void ac_listing_free(ac_listing *l) {
  for (size_t i = 0; i < l->n_items; i++)
    ac_item_free(&l->items[i]);
  free(l->items);
  for (size_t i = 0; i < l->n_links; i++)
    free(l->links[i]);
  free(l->links);
  free(l->url);
  free(l->title);
  free(l->warning);
  memset(l, 0, sizeof *l);
}

/* ---- Text --------------------------------------------------------------- */

/* A copy with every run of white space made one space, trimmed; NULL for
 * NULL or a string of nothing but space. */
static char *one_line(const char *s) {
  if (!s)
    return NULL;
  ac_strbuf b = {0};
  bool space = false;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (isspace(*c) || *c < 0x20) {
      space = b.len > 0;
      continue;
    }
    if (space)
      ac_strbuf_addc(&b, ' ');
    space = false;
    ac_strbuf_addc(&b, (char)*c);
  }
  char *out = ac_strbuf_take(&b);
  if (out && !*out) {
    free(out);
    return NULL;
  }
  return out;
}

/* The text of an HTML fragment (a feed's description), one line. */
static char *html_text(const char *html) {
  if (!html || !*html)
    return NULL;
  if (!strchr(html, '<') && !strchr(html, '&'))
    return one_line(html);
  htmlDocPtr doc =
      htmlReadMemory(html, (int)strnlen(html, 1 << 24), NULL, "UTF-8",
                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                         HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  xmlChar *text = root ? xmlNodeGetContent(root) : NULL;
  char *out = one_line((const char *)text);
  xmlFree(text);
  if (doc)
    xmlFreeDoc(doc);
  return out;
}

/* Plain text as HTML paragraphs (split at blank lines), escaped. */
static char *text_as_html(const char *text) {
  ac_strbuf b = {0};
  bool open = false;
  for (const char *p = text; *p; p++) {
    if (*p == '\n' && p[1] == '\n') {
      if (open)
        ac_strbuf_adds(&b, "</p>\n");
      open = false;
      while (p[1] == '\n')
        p++;
      continue;
    }
    if (!open && !isspace((unsigned char)*p)) {
      ac_strbuf_adds(&b, "<p>");
      open = true;
    }
    if (!open)
      continue;
    if (*p == '<')
      ac_strbuf_adds(&b, "&lt;");
    else if (*p == '>')
      ac_strbuf_adds(&b, "&gt;");
    else if (*p == '&')
      ac_strbuf_adds(&b, "&amp;");
    else
      ac_strbuf_addc(&b, *p);
  }
  if (open)
    ac_strbuf_adds(&b, "</p>\n");
  return ac_strbuf_take(&b);
}

int64_t ac_parse_feed_date(const char *s) {
  ac_date d;
  if (!s || ac_date_parse(s, &d) != 0)
    return 0;
  int64_t t = ac_date_to_unix(&d);
  return t > 0 ? t : 0;
}

char *ac_resolve_url(const char *base, const char *ref) {
  if (!ref || !*ref)
    return NULL;
  char *trimmed = one_line(ref);
  if (!trimmed)
    return NULL;
  xmlChar *abs = xmlBuildURI(BAD_CAST trimmed, BAD_CAST(base ? base : ""));
  free(trimmed);
  char *out = NULL;
  if (abs && (strncasecmp((const char *)abs, "http://", 7) == 0 ||
              strncasecmp((const char *)abs, "https://", 8) == 0))
    out = strdup((const char *)abs);
  xmlFree(abs);
  return out;
}

/* ---- XML helpers ------------------------------------------------------- */

/* Whether n is the element `name` (in namespace `ns`, or in none or any
 * when ns is NULL). */
static bool is_el(const xmlNode *n, const char *ns, const char *name) {
  if (!n || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
    return false;
  if (!ns)
    return true;
  return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

/* RSS elements live in no namespace (or, in RSS 1.0, the RSS 1.0 one). */
static bool is_plain(const xmlNode *n, const char *name) {
  if (!is_el(n, NULL, name))
    return false;
  return !n->ns || !n->ns->href ||
         strcmp((const char *)n->ns->href, "http://purl.org/rss/1.0/") == 0 ||
         strcmp((const char *)n->ns->href, NS_ATOM) == 0 ||
         strstr((const char *)n->ns->href, "sitemaps.org") != NULL;
}

static xmlNode *child(const xmlNode *n, const char *ns, const char *name) {
  for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if (ns ? is_el(c, ns, name) : is_plain(c, name))
      return c;
  return NULL;
}

/* The element's text (entities and CDATA included), malloc'd. */
static char *text_of(const xmlNode *n) {
  if (!n)
    return NULL;
  xmlChar *t = xmlNodeGetContent(n);
  char *out = t ? strdup((const char *)t) : NULL;
  xmlFree(t);
  return out;
}

static char *line_of(const xmlNode *n) {
  char *t = text_of(n);
  char *out = one_line(t);
  free(t);
  return out;
}

static char *attr(const xmlNode *n, const char *name) {
  xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
  char *out = v ? strdup((const char *)v) : NULL;
  xmlFree(v);
  return out;
}

/* The inner markup of an element (Atom's type="xhtml" content). */
static char *inner_xml(xmlNode *n) {
  xmlBufferPtr buf = xmlBufferCreate();
  if (!buf)
    return NULL;
  for (xmlNode *c = n->children; c; c = c->next)
    xmlNodeDump(buf, n->doc, c, 0, 0);
  char *out = strdup((const char *)xmlBufferContent(buf));
  xmlBufferFree(buf);
  return out;
}

static ac_item *new_item(ac_listing *l) {
  if (l->n_items >= MAX_ITEMS)
    return NULL;
  if (l->n_items == l->cap_items) {
    size_t cap = l->cap_items ? l->cap_items * 2 : 16;
    ac_item *grown = realloc(l->items, cap * sizeof *grown);
    if (!grown)
      return NULL;
    l->items = grown;
    l->cap_items = cap;
  }
  ac_item *it = &l->items[l->n_items++];
  memset(it, 0, sizeof *it);
  return it;
}

static int add_link(ac_listing *l, char *url) {
  if (!url)
    return 0;
  for (size_t i = 0; i < l->n_links; i++)
    if (strcmp(l->links[i], url) == 0) {
      free(url);
      return 0;
    }
  char **grown = realloc(l->links, (l->n_links + 1) * sizeof *grown);
  if (!grown) {
    free(url);
    return AC_ERR_NOMEM;
  }
  l->links = grown;
  l->links[l->n_links++] = url;
  return 0;
}

/* The item's key: guid, else link, else title. An item with none of them
 * cannot be told apart from the others, and one with neither a link nor
 * its text gives nothing to read: both are dropped. */
static bool finish_item(ac_listing *l, ac_item *it) {
  const char *key = it->guid ? it->guid : it->link ? it->link : it->title;
  if (key && (it->link || it->content) && (it->key = strdup(key)))
    return true;
  ac_item_free(it);
  l->n_items--;
  return false;
}

/* "jane@example.org (Jane Doe)" -> "Jane Doe"; a bare address stays. */
static char *rss_author(char *raw) {
  char *open = raw ? strchr(raw, '(') : NULL;
  char *close = open ? strrchr(open, ')') : NULL;
  if (close && close > open + 1) {
    char *name = strndup(open + 1, (size_t)(close - open - 1));
    free(raw);
    return name;
  }
  return raw;
}

/* An image of the entry: media:thumbnail, media:content or an image
 * enclosure, itunes:image. */
static char *entry_image(xmlNode *e, const char *base) {
  for (xmlNode *c = e->children; c; c = c->next) {
    char *url = NULL, *type = NULL;
    if (is_el(c, NS_MEDIA, "thumbnail") || is_el(c, NS_ITUNES, "image")) {
      url = attr(c, is_el(c, NS_ITUNES, "image") ? "href" : "url");
    } else if (is_el(c, NS_MEDIA, "content") || is_plain(c, "enclosure")) {
      type = attr(c, "type");
      char *medium = attr(c, "medium");
      if ((type && strncmp(type, "image/", 6) == 0) ||
          (medium && strcmp(medium, "image") == 0))
        url = attr(c, "url");
      free(medium);
    }
    free(type);
    char *abs = url ? ac_resolve_url(base, url) : NULL;
    free(url);
    if (abs)
      return abs;
  }
  return NULL;
}

/* ---- RSS ---------------------------------------------------------------- */

/* Whether an HTML fragment holds any text. */
static bool has_text(const char *html) {
  char *text = html_text(html);
  bool any = text != NULL;
  free(text);
  return any;
}

static void rss_item(ac_listing *l, xmlNode *e, const char *base) {
  ac_item *it = new_item(l);
  if (!it)
    return;
  char *raw = text_of(child(e, NULL, "title"));
  it->title = html_text(raw);
  free(raw);
  char *link = line_of(child(e, NULL, "link"));
  if (!link)
    link = attr(e, "about"); /* RSS 1.0 */
  it->link = ac_resolve_url(base, link);
  free(link);
  it->guid = line_of(child(e, NULL, "guid"));
  if (!it->guid)
    it->guid = attr(e, "about");
  char *date = line_of(child(e, NULL, "pubDate"));
  if (!date)
    date = line_of(child(e, NS_DC, "date"));
  it->date = ac_parse_feed_date(date);
  free(date);
  it->author = line_of(child(e, NS_DC, "creator"));
  if (!it->author)
    it->author = rss_author(line_of(child(e, NULL, "author")));
  char *description = text_of(child(e, NULL, "description"));
  char *encoded = text_of(child(e, NS_CONTENT, "encoded"));
  if (has_text(encoded)) {
    it->content = encoded;
    encoded = NULL;
  }
  free(encoded);
  it->summary = html_text(description);
  /* A description with no link to a page is all the text there is. */
  if (!it->content && !it->link && it->summary)
    it->content = strdup(description);
  free(description);
  it->image = entry_image(e, base);
  finish_item(l, it);
}

static void read_rss(ac_listing *l, xmlNode *root, const char *base) {
  xmlNode *channel = child(root, NULL, "channel");
  l->kind = AC_SOURCE_RSS;
  l->title = line_of(child(channel, NULL, "title"));
  /* RSS 2.0 has items in the channel, RSS 1.0 beside it. */
  xmlNode *parents[] = {channel, root};
  for (size_t p = 0; p < 2; p++)
    for (xmlNode *c = parents[p] ? parents[p]->children : NULL; c; c = c->next)
      if (is_plain(c, "item"))
        rss_item(l, c, base);
}

/* ---- Atom --------------------------------------------------------------- */

/* The entry's link to the article: rel="alternate" (or no rel). */
static char *atom_link(xmlNode *e, const char *base) {
  for (xmlNode *c = e->children; c; c = c->next) {
    if (!is_el(c, NS_ATOM, "link"))
      continue;
    char *rel = attr(c, "rel");
    bool alternate = !rel || strcmp(rel, "alternate") == 0;
    free(rel);
    char *href = alternate ? attr(c, "href") : NULL;
    xmlChar *entry_base = xmlNodeGetBase(c->doc, c);
    const char *b = entry_base ? (const char *)entry_base : base;
    char *abs = href ? ac_resolve_url(b, href) : NULL;
    xmlFree(entry_base);
    free(href);
    if (abs)
      return abs;
  }
  return NULL;
}

/* Atom text constructs as HTML (html: the text is markup; xhtml: the
 * markup is inline; text: plain text). */
static char *atom_html(xmlNode *n) {
  if (!n)
    return NULL;
  char *type = attr(n, "type");
  char *src = attr(n, "src");
  char *out = NULL;
  if (src) {
    out = NULL; /* out-of-line content: the link is the article */
  } else if (type && strcmp(type, "xhtml") == 0) {
    xmlNode *div = child(n, "http://www.w3.org/1999/xhtml", "div");
    out = inner_xml(div ? div : n);
  } else if (type &&
             (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)) {
    out = text_of(n);
  } else {
    char *text = text_of(n);
    out = text ? text_as_html(text) : NULL;
    free(text);
  }
  free(type);
  free(src);
  return out;
}

static void atom_entry(ac_listing *l, xmlNode *e, const char *base) {
  ac_item *it = new_item(l);
  if (!it)
    return;
  char *title = atom_html(child(e, NS_ATOM, "title"));
  it->title = html_text(title);
  free(title);
  it->guid = line_of(child(e, NS_ATOM, "id"));
  it->link = atom_link(e, base);
  char *date = line_of(child(e, NS_ATOM, "published"));
  if (!date)
    date = line_of(child(e, NS_ATOM, "updated"));
  it->date = ac_parse_feed_date(date);
  free(date);
  it->author = line_of(child(child(e, NS_ATOM, "author"), NS_ATOM, "name"));
  char *summary = atom_html(child(e, NS_ATOM, "summary"));
  it->summary = html_text(summary);
  free(summary);
  it->content = atom_html(child(e, NS_ATOM, "content"));
  if (!has_text(it->content)) {
    free(it->content);
    it->content = NULL;
  }
  xmlChar *lang = xmlNodeGetLang(e);
  it->language = lang ? one_line((const char *)lang) : NULL;
  xmlFree(lang);
  it->image = entry_image(e, base);
  finish_item(l, it);
}

static void read_atom(ac_listing *l, xmlNode *root, const char *base) {
  l->kind = AC_SOURCE_ATOM;
  char *title = atom_html(child(root, NS_ATOM, "title"));
  l->title = html_text(title);
  free(title);
  xmlChar *feed_base = xmlNodeGetBase(root->doc, root);
  const char *b = feed_base ? (const char *)feed_base : base;
  for (xmlNode *c = root->children; c; c = c->next)
    if (is_el(c, NS_ATOM, "entry"))
      atom_entry(l, c, b);
  xmlFree(feed_base);
}

/* ---- Sitemaps ----------------------------------------------------------- */

static void read_sitemap(ac_listing *l, xmlNode *root, const char *base,
                         bool index) {
  l->kind = AC_SOURCE_SITEMAP;
  l->complete = !index;
  for (xmlNode *c = root->children; c; c = c->next) {
    if (!is_plain(c, index ? "sitemap" : "url"))
      continue;
    char *loc = line_of(child(c, NULL, "loc"));
    char *url = ac_resolve_url(base, loc);
    free(loc);
    if (index) {
      if (l->n_links < MAX_SITEMAPS)
        add_link(l, url);
      else
        free(url);
      continue;
    }
    ac_item *it = url ? new_item(l) : NULL;
    if (!it) {
      free(url);
      continue;
    }
    it->link = url;
    char *lastmod = line_of(child(c, NULL, "lastmod"));
    it->hint = ac_parse_feed_date(lastmod);
    free(lastmod);
    xmlNode *news = child(c, NS_NEWS, "news");
    it->title = line_of(child(news, NS_NEWS, "title"));
    char *date = line_of(child(news, NS_NEWS, "publication_date"));
    it->date = ac_parse_feed_date(date);
    free(date);
    finish_item(l, it);
  }
}

/* ---- JSON Feed ---------------------------------------------------------- */

static char *json_str(json_t *o, const char *key) {
  const char *v = json_string_value(json_object_get(o, key));
  return v ? strdup(v) : NULL;
}

static void json_item(ac_listing *l, json_t *e, const char *base) {
  ac_item *it = new_item(l);
  if (!it)
    return;
  json_t *id = json_object_get(e, "id");
  if (json_is_string(id))
    it->guid = one_line(json_string_value(id));
  else if (json_is_integer(id) &&
           asprintf(&it->guid, "%lld", (long long)json_integer_value(id)) < 0)
    it->guid = NULL;
  char *url = json_str(e, "url");
  it->link = ac_resolve_url(base, url);
  free(url);
  char *title = json_str(e, "title");
  it->title = one_line(title);
  free(title);
  char *date = json_str(e, "date_published");
  if (!date)
    date = json_str(e, "date_modified");
  it->date = ac_parse_feed_date(date);
  free(date);
  json_t *authors = json_object_get(e, "authors");
  json_t *author = json_is_array(authors) ? json_array_get(authors, 0)
                                          : json_object_get(e, "author");
  char *name = json_str(author, "name");
  it->author = one_line(name);
  free(name);
  char *summary = json_str(e, "summary");
  it->summary = one_line(summary);
  free(summary);
  it->content = json_str(e, "content_html");
  if (!it->content) {
    char *text = json_str(e, "content_text");
    it->content = text ? text_as_html(text) : NULL;
    free(text);
  }
  char *image = json_str(e, "image");
  it->image = ac_resolve_url(base, image);
  free(image);
  char *lang = json_str(e, "language");
  it->language = one_line(lang);
  free(lang);
  finish_item(l, it);
}

static int read_json(ac_listing *l, const char *data, size_t len,
                     const char *base, char *err, size_t errlen) {
  json_error_t je;
  json_t *root = json_loadb(data, len, 0, &je);
  if (!root) {
    snprintf(err, errlen, "not valid JSON (line %d: %s)", je.line, je.text);
    return AC_ERR_FORMAT;
  }
  const char *version = json_string_value(json_object_get(root, "version"));
  json_t *items = json_object_get(root, "items");
  if (!version || strncmp(version, "https://jsonfeed.org/version/", 29) != 0 ||
      !json_is_array(items)) {
    json_decref(root);
    snprintf(err, errlen,
             "a JSON document, but not a JSON Feed (no "
             "\"version\": \"https://jsonfeed.org/version/1.1\" "
             "and \"items\")");
    return AC_ERR_FORMAT;
  }
  l->kind = AC_SOURCE_JSON_FEED;
  char *title = json_str(root, "title");
  l->title = one_line(title);
  free(title);
  char *home = json_str(root, "home_page_url");
  const char *b = home ? home : base;
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) {
    if (json_is_object(e))
      json_item(l, e, b);
  }
  free(home);
  json_decref(root);
  return 0;
}

/* ---- HTML pages --------------------------------------------------------- */

static bool looks_html(const char *data, size_t len) {
  size_t n = len < 2048 ? len : 2048;
  char head[2049];
  memcpy(head, data, n);
  head[n] = '\0';
  for (size_t i = 0; i < n; i++)
    if (!head[i])
      head[i] = ' ';
  if (strcasestr(head, "<!doctype html"))
    return true;
  for (const char *h = head; (h = strcasestr(h, "<html")); h += 5)
    if (h[5] == '>' || isspace((unsigned char)h[5]))
      return true;
  return false;
}

/* The feeds a page links to: <link rel="alternate" type="...">. */
static int read_page_links(ac_listing *l, const char *data, size_t len,
                           const char *base, char *err, size_t errlen) {
  static const char *const types[] = {
      "application/rss+xml", "application/atom+xml", "application/feed+json",
      "application/json", NULL};
  htmlDocPtr doc =
      htmlReadMemory(data, (int)(len > INT32_MAX ? INT32_MAX : len), NULL, NULL,
                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                         HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  l->kind = AC_SOURCE_HTML;
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  xmlNode *head = NULL;
  for (xmlNode *c = root ? root->children : NULL; c && !head; c = c->next)
    if (is_el(c, NULL, "head"))
      head = c;
  for (xmlNode *c = head ? head->children : NULL; c; c = c->next) {
    if (!is_el(c, NULL, "link"))
      continue;
    char *rel = attr(c, "rel"), *type = attr(c, "type"),
         *href = attr(c, "href");
    bool feed = rel && strcasestr(rel, "alternate") && type;
    for (size_t k = 0; feed && types[k]; k++)
      if (strcasecmp(type, types[k]) == 0) {
        add_link(l, ac_resolve_url(base, href));
        break;
      }
    free(rel);
    free(type);
    free(href);
  }
  if (doc)
    xmlFreeDoc(doc);
  if (l->n_links == 0) {
    snprintf(err, errlen,
             "a web page that links to no feed (no <link "
             "rel=\"alternate\" type=\"application/rss+xml\">): "
             "give the feed's URL, or the site's sitemap.xml");
    return AC_ERR_FORMAT;
  }
  return 0;
}

/* ---- Dispatch ----------------------------------------------------------- */

static int read_xml_root(ac_listing *l, xmlNode *root, const char *base,
                         char *err, size_t errlen) {
  const char *name = (const char *)root->name;
  if (strcmp(name, "rss") == 0 || strcmp(name, "RDF") == 0)
    read_rss(l, root, base);
  else if (is_el(root, NS_ATOM, "feed"))
    read_atom(l, root, base);
  else if (strcmp(name, "urlset") == 0)
    read_sitemap(l, root, base, false);
  else if (strcmp(name, "sitemapindex") == 0)
    read_sitemap(l, root, base, true);
  else {
    snprintf(err, errlen,
             "XML, but not a feed or sitemap (its root element is <%s>; "
             "expected <rss>, <feed>, <urlset> or <sitemapindex>)",
             name);
    return AC_ERR_FORMAT;
  }
  return 0;
}

static int read_xml(ac_listing *l, const char *data, size_t len,
                    const char *base, char *err, size_t errlen) {
  if (len > INT32_MAX) {
    snprintf(err, errlen, "too large to parse");
    return AC_ERR_LIMIT;
  }
  int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
             XML_PARSE_NOCDATA;
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, base, NULL, opts);
  char why[300] = "";
  if (!doc) {
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    const char *msg = e && e->message ? e->message : "unknown error";
    int mlen = (int)strcspn(msg, "\n");
    snprintf(why, sizeof why, "not well-formed XML (line %d: %.*s)",
             e ? e->line : 0, mlen, msg);
    /* Read what can be read; never as the whole list. */
    doc = xmlCtxtReadMemory(ctxt, data, (int)len, base, NULL,
                            opts | XML_PARSE_RECOVER);
  }
  xmlFreeParserCtxt(ctxt);
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  int rc = root ? read_xml_root(l, root, base, err, errlen) : AC_ERR_FORMAT;
  if (doc)
    xmlFreeDoc(doc);
  if (why[0] && (rc || (l->n_items == 0 && l->n_links == 0))) {
    snprintf(err, errlen, "%s", why);
    return AC_ERR_FORMAT;
  }
  if (!root && rc) {
    snprintf(err, errlen, "empty document");
    return rc;
  }
  if (rc == 0 && why[0]) {
    l->complete = false;
    l->warning = strdup(why);
  }
  return rc;
}

int ac_listing_parse(const char *data, size_t len, const char *base,
                     ac_listing *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t skip = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (skip < len && isspace((unsigned char)data[skip]))
    skip++;
  if (skip == len) {
    snprintf(err, errlen, "empty document");
    return AC_ERR_FORMAT;
  }
  int rc;
  if (data[skip] == '{')
    rc = read_json(out, data + skip, len - skip, base, err, errlen);
  else if (looks_html(data + skip, len - skip))
    rc = read_page_links(out, data, len, base, err, errlen);
  else
    rc = read_xml(out, data, len, base, err, errlen);
  if (rc == 0 && base && strncasecmp(base, "http", 4) == 0 &&
      !(out->url = strdup(base)))
    rc = AC_ERR_NOMEM;
  if (rc)
    ac_listing_free(out);
  return rc;
}

/* ---- Folders ------------------------------------------------------------ */

static bool article_file(const char *name) {
  static const char *const exts[] = {".md",   ".markdown", ".mdown", ".txt",
                                     ".html", ".htm",      NULL};
  if (name[0] == '.' || strncmp(name, "_index.", 7) == 0)
    return false;
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && exts[i]; i++)
    if (strcasecmp(dot, exts[i]) == 0)
      return true;
  return false;
}

static int scan(ac_listing *l, const char *root, const char *rel, int depth) {
  char *dir = rel[0] ? ac_path_join(root, rel) : strdup(root);
  DIR *d = dir ? opendir(dir) : NULL;
  if (!d) {
    int e = dir ? -errno : -ENOMEM;
    free(dir);
    return e;
  }
  int rc = 0;
  for (struct dirent *e; rc == 0 && (e = readdir(d));) {
    if (e->d_name[0] == '.')
      continue;
    char *path = ac_path_join(dir, e->d_name);
    char *sub = rel[0] ? ac_path_join(rel, e->d_name) : strdup(e->d_name);
    struct stat sb, lsb;
    if (!path || !sub) {
      rc = -ENOMEM;
    } else if (lstat(path, &lsb) == 0 && S_ISDIR(lsb.st_mode)) {
      /* Real folders only: a link to a folder could make a loop. */
      if (depth < FOLDER_DEPTH)
        rc = scan(l, root, sub, depth + 1);
    } else if (article_file(e->d_name) && stat(path, &sb) == 0 &&
               S_ISREG(sb.st_mode)) {
      ac_item *it = new_item(l);
      if (it) {
        it->key = strdup(sub);
        it->path = path;
        path = NULL;
        it->hint = (int64_t)sb.st_mtime;
        if (asprintf(&it->validator, "%lld:%lld.%09ld:%llu",
                     (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
                     sb.st_mtim.tv_nsec, (unsigned long long)sb.st_ino) < 0)
          it->validator = NULL;
      }
    }
    free(path);
    free(sub);
  }
  closedir(d);
  free(dir);
  return rc;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const ac_item *)a)->key, ((const ac_item *)b)->key);
}

int ac_listing_scan_folder(const char *dir, ac_listing *out, char *err,
                           size_t errlen) {
  memset(out, 0, sizeof *out);
  out->kind = AC_SOURCE_FOLDER;
  out->complete = true;
  int e = scan(out, dir, "", 0);
  if (e) {
    snprintf(err, errlen, "cannot read the folder: %s", strerror(-e));
    ac_listing_free(out);
    return e == -ENOMEM ? AC_ERR_NOMEM : AC_ERR_IO;
  }
  for (size_t i = 0; i < out->n_items; i++)
    if (!out->items[i].key || !out->items[i].path) {
      ac_listing_free(out);
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
  if (out->n_items > 1)
    qsort(out->items, out->n_items, sizeof *out->items, by_key);
  return 0;
}
