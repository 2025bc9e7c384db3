/*
 * An episode's page data as SITE/episodes/<slug>.page.xml, so that every
 * page and the index can be rebuilt from the sidecars alone (after another
 * episode joins the site, or with `articast feed`). XML written with
 * xmlTextWriter and read back with libxml2's parser; times are integer
 * milliseconds so no locale can change their spelling.
 *
 *   <articast-page version="1" published="1790000000" dated="1"
 *                  duration-ms="146728">
 *   <title>...</title> <author>...</author> <language>en-GB</language>
 *   <summary>...</summary> <link>https://...</link> <key>...</key>
 *   <voice>en-gb-newsreader</voice>
 *   <audio href="episodes/a.mp3" type="audio/mpeg" size="1234"/>
 *   <file href="episodes/a.vtt" type="text/vtt" role="transcript" size="9"/>
 *   <chapter start-ms="40856" block="7" host-label="0">How it works</chapter>
 *   <block kind="paragraph" level="0" lang="fr">text before
 *     <cue n="3" start-ms="9456" end-ms="12261">The queue started.</cue>
 *   </block>
 *   </articast-page>
 *
 * Block content is mixed: text nodes are the plain runs, <cue> elements
 * the cues, so white space inside a block is content and the file is
 * written without indentation.
 */
#include "page.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#define ROOT "articast-page"
#define VERSION "1"
#define MAX_SIDECAR (64u << 20)

static const char *const kind_names[] = {[AC_BLOCK_HEADING] = "heading",
                                         [AC_BLOCK_PARAGRAPH] = "paragraph",
                                         [AC_BLOCK_QUOTE] = "quote",
                                         [AC_BLOCK_LIST_ITEM] = "item",
                                         [AC_BLOCK_BYLINE] = "byline",
                                         [AC_BLOCK_BIO] = "bio",
                                         [AC_BLOCK_CAPTION] = "caption",
                                         [AC_BLOCK_BOILERPLATE] = NULL,
                                         [AC_BLOCK_ANNOUNCEMENT] =
                                             "announcement"};
#define N_KINDS (sizeof kind_names / sizeof *kind_names)

static const char *const role_names[] = {[AC_ROLE_AUDIO] = "audio",
                                         [AC_ROLE_TRANSCRIPT] = "transcript",
                                         [AC_ROLE_TEXT] = "text",
                                         [AC_ROLE_CHAPTERS] = "chapters",
                                         [AC_ROLE_OTHER] = "other"};
#define N_ROLES (sizeof role_names / sizeof *role_names)

/* ---- Writing ------------------------------------------------------------- */

#define W(call)                                                                \
  do {                                                                         \
    if ((call) < 0)                                                            \
      goto fail;                                                               \
  } while (0)

static int text_element(xmlTextWriterPtr w, const char *name,
                        const char *text) {
  if (!text)
    return 0;
  if (xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text) < 0)
    return -1;
  return xmlTextWriterWriteString(w, BAD_CAST "\n");
}

static int attr_u64(xmlTextWriterPtr w, const char *name, uint64_t v) {
  char num[32];
  snprintf(num, sizeof num, "%" PRIu64, v);
  return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST num);
}

static int write_file(xmlTextWriterPtr w, const char *element,
                      const pg_file *f) {
  W(xmlTextWriterStartElement(w, BAD_CAST element));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST f->href));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST f->type));
  if ((size_t)f->role < N_ROLES)
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "role",
                                  BAD_CAST role_names[f->role]));
  W(attr_u64(w, "size", f->size));
  W(xmlTextWriterEndElement(w));
  return xmlTextWriterWriteString(w, BAD_CAST "\n");
fail:
  return -1;
}

static int write_block(xmlTextWriterPtr w, const pg_block *blk) {
  W(xmlTextWriterStartElement(w, BAD_CAST "block"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "kind",
                                BAD_CAST kind_names[blk->kind]));
  W(attr_u64(w, "level", (uint64_t)blk->level));
  if (blk->lang)
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "lang", BAD_CAST blk->lang));
  for (size_t r = 0; r < blk->n_runs; r++) {
    const pg_run *run = &blk->runs[r];
    if (!run->cue) {
      W(xmlTextWriterWriteString(w, BAD_CAST run->text));
      continue;
    }
    W(xmlTextWriterStartElement(w, BAD_CAST "cue"));
    W(attr_u64(w, "n", run->cue));
    W(attr_u64(w, "start-ms", run->start_ms));
    W(attr_u64(w, "end-ms", run->end_ms));
    W(xmlTextWriterWriteString(w, BAD_CAST run->text));
    W(xmlTextWriterEndElement(w));
  }
  W(xmlTextWriterEndElement(w));
  return xmlTextWriterWriteString(w, BAD_CAST "\n");
fail:
  return -1;
}

static int write_body(xmlTextWriterPtr w, const pg_episode *ep) {
  W(text_element(w, "title", ep->title));
  W(text_element(w, "author", ep->author));
  W(text_element(w, "language", ep->language));
  W(text_element(w, "summary", ep->summary));
  W(text_element(w, "link", ep->link));
  W(text_element(w, "key", ep->key));
  W(text_element(w, "voice", ep->voice));
  W(write_file(w, "audio", &ep->audio));
  for (size_t i = 0; i < ep->n_files; i++)
    W(write_file(w, "file", &ep->files[i]));
  for (size_t i = 0; i < ep->n_chapters; i++) {
    const pg_chapter *c = &ep->chapters[i];
    W(xmlTextWriterStartElement(w, BAD_CAST "chapter"));
    W(attr_u64(w, "start-ms", c->start_ms));
    W(attr_u64(w, "block", c->block));
    W(attr_u64(w, "host-label", (uint64_t)c->host_label));
    W(xmlTextWriterWriteString(w, BAD_CAST c->title));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterWriteString(w, BAD_CAST "\n"));
  }
  for (size_t i = 0; i < ep->n_blocks; i++)
    W(write_block(w, &ep->blocks[i]));
  return 0;
fail:
  return -1;
}

int pg_sidecar_render(const pg_episode *ep, char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  if (!w)
    goto fail;
  W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
  W(xmlTextWriterWriteComment(
      w, BAD_CAST " articast: the listening page of this episode, as data; "
                  "'articast feed' rebuilds the pages from these files "));
  W(xmlTextWriterWriteString(w, BAD_CAST "\n"));
  W(xmlTextWriterStartElement(w, BAD_CAST ROOT));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST VERSION));
  char num[32];
  snprintf(num, sizeof num, "%" PRId64, ep->published);
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "published", BAD_CAST num));
  W(attr_u64(w, "dated", (uint64_t)(ep->dated != 0)));
  W(attr_u64(w, "duration-ms",
             ep->duration > 0 ? (uint64_t)llround(ep->duration * 1000) : 0));
  W(xmlTextWriterWriteString(w, BAD_CAST "\n"));
  W(write_body(w, ep));
  W(xmlTextWriterEndElement(w));
  W(xmlTextWriterEndDocument(w));
  xmlFreeTextWriter(w);
  w = NULL;
  *len = (size_t)xmlBufferLength(buf);
  *out = malloc(*len + 1);
  if (!*out)
    goto fail;
  memcpy(*out, xmlBufferContent(buf), *len);
  (*out)[*len] = '\0';
  xmlBufferFree(buf);
  return AC_ERR_OK;
fail:
  if (w)
    xmlFreeTextWriter(w);
  if (buf)
    xmlBufferFree(buf);
  free(*out);
  *out = NULL;
  return AC_ERR_NOMEM;
}

/* ---- Reading ------------------------------------------------------------- */

typedef struct reader {
  pg_episode *ep;
  char *why;
  size_t whylen;
  int oom;
} reader;

static int bad(reader *r, const char *what) {
  snprintf(r->why, r->whylen, "%s", what);
  return AC_ERR_FORMAT;
}

static int is(xmlNodePtr n, const char *name) {
  return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

/* An attribute as a number; -1 when it is missing or not one. */
static int attr_num(xmlNodePtr n, const char *name, uint64_t max,
                    uint64_t *out) {
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  if (!v)
    return -1;
  char *end;
  errno = 0;
  unsigned long long x = strtoull((const char *)v, &end, 10);
  int ok = v[0] >= '0' && v[0] <= '9' && *end == '\0' && errno == 0 && x <= max;
  xmlFree(v);
  if (!ok)
    return -1;
  *out = x;
  return 0;
}

/* An element's text, cleaned (folded to one line when fold). */
static char *node_text(reader *r, xmlNodePtr n, int fold) {
  xmlChar *v = xmlNodeGetContent(n);
  char *s = v ? pg_clean((const char *)v, (size_t)-1, fold) : NULL;
  xmlFree(v);
  if (!s)
    r->oom = 1;
  return s;
}

static char *attr_text(xmlNodePtr n, const char *name) {
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  char *s = v ? pg_clean((const char *)v, (size_t)-1, 1) : NULL;
  xmlFree(v);
  return s;
}

/* A relative path inside SITE: segments that are neither empty, "." nor
 * "..", no backslash. */
static int safe_href(const char *h) {
  if (!h || !*h || h[0] == '/' || strchr(h, '\\'))
    return 0;
  for (const char *seg = h; seg;) {
    const char *slash = strchr(seg, '/');
    size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
    if (n == 0 || (n == 1 && seg[0] == '.') ||
        (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return 0;
    seg = slash ? slash + 1 : NULL;
  }
  return 1;
}

static int read_file_el(reader *r, xmlNodePtr n, pg_file *f) {
  uint64_t size = 0;
  f->href = attr_text(n, "href");
  f->type = attr_text(n, "type");
  char *role = attr_text(n, "role");
  f->role = AC_ROLE_OTHER;
  for (size_t k = 0; role && k < N_ROLES; k++)
    if (strcmp(role, role_names[k]) == 0)
      f->role = (ac_artifact_role)k;
  free(role);
  if (attr_num(n, "size", UINT64_MAX, &size) == 0)
    f->size = size;
  if (!safe_href(f->href) || !f->type || !*f->type)
    return bad(r, "a file without a safe href or a type");
  return AC_ERR_OK;
}

static int read_run(reader *r, pg_block *blk, xmlNodePtr n) {
  pg_run run = {0};
  uint64_t cue = 0, start = 0, end = 0;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    xmlChar *v = xmlNodeGetContent(n);
    run.text = v ? pg_clean((const char *)v, (size_t)-1, 0) : NULL;
    xmlFree(v);
  } else if (is(n, "cue")) {
    if (attr_num(n, "n", 10000000, &cue) || cue == 0 ||
        attr_num(n, "start-ms", UINT64_MAX / 2, &start) ||
        attr_num(n, "end-ms", UINT64_MAX / 2, &end))
      return bad(r, "a cue without its number and times");
    run.text = node_text(r, n, 1);
    run.cue = cue;
    run.start_ms = start;
    run.end_ms = end < start ? start : end;
  } else {
    return AC_ERR_OK; /* comments, unknown elements: ignored */
  }
  pg_run *grown =
      run.text ? realloc(blk->runs, (blk->n_runs + 1) * sizeof *grown) : NULL;
  if (!grown) {
    free(run.text);
    r->oom = 1;
    return AC_ERR_NOMEM;
  }
  blk->runs = grown;
  blk->runs[blk->n_runs++] = run;
  return AC_ERR_OK;
}

static int read_block(reader *r, xmlNodePtr n, pg_block *blk) {
  char *kind = attr_text(n, "kind");
  uint64_t level = 0;
  int found = 0;
  for (size_t k = 0; kind && k < N_KINDS; k++)
    if (kind_names[k] && strcmp(kind, kind_names[k]) == 0) {
      blk->kind = (ac_block_kind)k;
      found = 1;
    }
  free(kind);
  if (!found)
    return bad(r, "a block of an unknown kind");
  if (attr_num(n, "level", 6, &level) == 0)
    blk->level = (int)level;
  char *lang = attr_text(n, "lang");
  if (pg_lang_valid(lang))
    blk->lang = lang;
  else
    free(lang);
  for (xmlNodePtr c = n->children; c; c = c->next) {
    int rc = read_run(r, blk, c);
    if (rc)
      return rc;
  }
  return AC_ERR_OK;
}

static int read_chapter(reader *r, xmlNodePtr n, pg_chapter *c) {
  uint64_t start = 0, block = 0, label = 0;
  if (attr_num(n, "start-ms", UINT64_MAX / 2, &start) ||
      attr_num(n, "block", SIZE_MAX, &block))
    return bad(r, "a chapter without its start and block");
  attr_num(n, "host-label", 1, &label);
  c->start_ms = start;
  c->block = (size_t)block;
  c->host_label = (int)label;
  c->title = node_text(r, n, 1);
  return c->title ? AC_ERR_OK : AC_ERR_NOMEM;
}

/* Makes room for one more item of `size` bytes in *items. */
static int grow(reader *r, void **items, size_t n, size_t size) {
  void *grown = realloc(*items, (n + 1) * size);
  if (!grown) {
    r->oom = 1;
    return AC_ERR_NOMEM;
  }
  *items = grown;
  memset((char *)grown + n * size, 0, size);
  return AC_ERR_OK;
}

static char **text_field(pg_episode *ep, xmlNodePtr n) {
  static const char *const names[] = {"title", "author", "language", "summary",
                                      "link",  "key",    "voice",    NULL};
  char **fields[] = {&ep->title, &ep->author, &ep->language, &ep->summary,
                     &ep->link,  &ep->key,    &ep->voice};
  for (size_t k = 0; names[k]; k++)
    if (is(n, names[k]))
      return fields[k];
  return NULL;
}

static int read_child(reader *r, xmlNodePtr n) {
  pg_episode *ep = r->ep;
  char **field = text_field(ep, n);
  if (field) {
    free(*field);
    *field = node_text(r, n, 1);
    return *field ? AC_ERR_OK : AC_ERR_NOMEM;
  }
  if (is(n, "audio"))
    return read_file_el(r, n, &ep->audio);
  if (is(n, "file")) {
    if (grow(r, (void **)&ep->files, ep->n_files, sizeof *ep->files))
      return AC_ERR_NOMEM;
    return read_file_el(r, n, &ep->files[ep->n_files++]);
  }
  if (is(n, "chapter")) {
    if (grow(r, (void **)&ep->chapters, ep->n_chapters, sizeof *ep->chapters))
      return AC_ERR_NOMEM;
    return read_chapter(r, n, &ep->chapters[ep->n_chapters++]);
  }
  if (is(n, "block")) {
    if (grow(r, (void **)&ep->blocks, ep->n_blocks, sizeof *ep->blocks))
      return AC_ERR_NOMEM;
    return read_block(r, n, &ep->blocks[ep->n_blocks++]);
  }
  return AC_ERR_OK;
}

/* What every page needs, and what the rest must agree with. */
static int check(reader *r) {
  pg_episode *ep = r->ep;
  if (!ep->title || !*ep->title)
    return bad(r, "no title");
  if (!pg_lang_valid(ep->language))
    return bad(r, "no valid language");
  if (!ep->audio.href)
    return bad(r, "no audio");
  if (ep->link && !pg_is_http_url(ep->link)) {
    free(ep->link);
    ep->link = NULL;
  }
  for (size_t i = 0; i < ep->n_chapters; i++)
    if (ep->chapters[i].block >= ep->n_blocks)
      return bad(r, "a chapter starts at a block the page does not have");
  return AC_ERR_OK;
}

static int read_root(reader *r, xmlNodePtr root) {
  pg_episode *ep = r->ep;
  xmlChar *version = xmlGetProp(root, BAD_CAST "version");
  int ok = version && xmlStrcmp(version, BAD_CAST VERSION) == 0;
  xmlFree(version);
  if (!ok)
    return bad(r, "written by another version of the page stage; "
                  "render the article again");
  uint64_t dated = 0, duration = 0;
  xmlChar *published = xmlGetProp(root, BAD_CAST "published");
  char *end = NULL;
  long long t = published ? strtoll((const char *)published, &end, 10) : 0;
  ok = published && end && *end == '\0' && end != (char *)published;
  xmlFree(published);
  if (!ok)
    return bad(r, "no publication time");
  ep->published = (int64_t)t;
  attr_num(root, "dated", 1, &dated);
  ep->dated = (int)dated;
  if (attr_num(root, "duration-ms", UINT64_MAX / 2, &duration) == 0)
    ep->duration = (double)duration / 1000.0;
  for (xmlNodePtr n = root->children; n; n = n->next) {
    int rc = read_child(r, n);
    if (rc)
      return r->oom ? AC_ERR_NOMEM : rc;
  }
  return r->oom ? AC_ERR_NOMEM : check(r);
}

int pg_sidecar_parse(const char *data, size_t len, const char *name,
                     pg_episode *ep, char *why, size_t whylen) {
  memset(ep, 0, sizeof *ep);
  reader r = {.ep = ep, .why = why, .whylen = whylen};
  if (len > MAX_SIDECAR || len > INT32_MAX)
    return bad(&r, "too large");
  xmlDocPtr doc =
      xmlReadMemory(data, (int)len, name, "UTF-8",
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  int rc;
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root)
    rc = bad(&r, "not well-formed XML");
  else if (!is(root, ROOT))
    rc = bad(&r, "not a page sidecar");
  else
    rc = read_root(&r, root);
  if (rc == AC_ERR_NOMEM)
    snprintf(why, whylen, "out of memory");
  xmlFreeDoc(doc);
  if (rc)
    pg_episode_free(ep);
  return rc;
}
