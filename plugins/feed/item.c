/*
 * An episode's item and its sidecar, SITE/episodes/<slug>.item.xml.
 *
 * The sidecar holds everything needed to list the episode again, so the
 * feed can be rebuilt from the sidecars alone: each publish rewrites its own
 * sidecar, then regenerates feed.xml from all of them. It is XML written
 * with xmlTextWriter and read back with libxml2's parser. Numbers are
 * integers (milliseconds for times) so no locale can change their spelling.
 *
 *   <articast-episode version="1">
 *     <slug>a-title</slug> <guid>...</guid> <title>...</title>
 *     <link>...</link> <author>...</author> <language>en-us</language>
 *     <date unix="1714564800">Wed, 01 May 2024 12:00:00 +0000</date>
 *     <summary>...</summary> <image>...</image> <voice>...</voice>
 *     <audio length="123456" duration-ms="61234">episodes/a.mp3</audio>
 *     <file type="text/vtt">episodes/a.vtt</file> ...
 *     <chapter start-ms="0">Title</chapter> ...
 *   </articast-episode>
 */
#include "feed.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

const char *const feed_file_types[FEED_FILE_KINDS] = {
    "text/vtt", "application/x-subrip", "text/plain",
    "application/json+chapters"};

#define SIDECAR_ROOT "articast-episode"
#define SIDECAR_VERSION "1"

void feed_item_free(feed_item *it) {
  if (!it)
    return;
  char **strings[] = {&it->slug,   &it->guid,     &it->title,   &it->link,
                      &it->author, &it->language, &it->summary, &it->image,
                      &it->voice,  &it->audio};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    free(*strings[i]);
  for (int k = 0; k < FEED_FILE_KINDS; k++)
    free(it->files[k]);
  for (size_t i = 0; i < it->n_chapters; i++)
    free(it->chapters[i].title);
  free(it->chapters);
  memset(it, 0, sizeof *it);
}

/* ---- Writing ------------------------------------------------------------ */

/* Each xmlTextWriter call returns < 0 on failure; W() bails out. */
#define W(call)                                                                \
  do {                                                                         \
    if ((call) < 0)                                                            \
      goto fail;                                                               \
  } while (0)

static int text_element(xmlTextWriterPtr w, const char *name,
                        const char *text) {
  if (!text)
    return 0;
  return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

int feed_item_save(const feed_item *it, const char *path, char *why,
                   size_t whylen) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  char num[32], date[40];
  if (!w)
    goto fail;
  W(xmlTextWriterSetIndent(w, 1));
  W(xmlTextWriterSetIndentString(w, BAD_CAST "  "));
  W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
  W(xmlTextWriterWriteComment(
      w, BAD_CAST " articast: how feed.xml lists this episode; "
                  "'articast feed' rebuilds the feed from these files "));
  W(xmlTextWriterStartElement(w, BAD_CAST SIDECAR_ROOT));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "version",
                                BAD_CAST SIDECAR_VERSION));
  W(text_element(w, "slug", it->slug));
  W(text_element(w, "guid", it->guid));
  W(text_element(w, "title", it->title));
  W(text_element(w, "link", it->link));
  W(text_element(w, "author", it->author));
  W(text_element(w, "language", it->language));
  W(xmlTextWriterStartElement(w, BAD_CAST "date"));
  snprintf(num, sizeof num, "%" PRId64, it->date);
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "unix", BAD_CAST num));
  feed_format_date(it->date, date, sizeof date);
  W(xmlTextWriterWriteString(w, BAD_CAST date));
  W(xmlTextWriterEndElement(w));
  W(text_element(w, "summary", it->summary));
  W(text_element(w, "image", it->image));
  W(text_element(w, "voice", it->voice));
  W(xmlTextWriterStartElement(w, BAD_CAST "audio"));
  snprintf(num, sizeof num, "%" PRIu64, it->length);
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "length", BAD_CAST num));
  snprintf(num, sizeof num, "%lld", (long long)llround(it->duration * 1000));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "duration-ms", BAD_CAST num));
  W(xmlTextWriterWriteString(w, BAD_CAST it->audio));
  W(xmlTextWriterEndElement(w));
  for (int k = 0; k < FEED_FILE_KINDS; k++) {
    if (!it->files[k])
      continue;
    W(xmlTextWriterStartElement(w, BAD_CAST "file"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                  BAD_CAST feed_file_types[k]));
    W(xmlTextWriterWriteString(w, BAD_CAST it->files[k]));
    W(xmlTextWriterEndElement(w));
  }
  for (size_t i = 0; i < it->n_chapters; i++) {
    W(xmlTextWriterStartElement(w, BAD_CAST "chapter"));
    snprintf(num, sizeof num, "%lld",
             (long long)llround(it->chapters[i].start * 1000));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "start-ms", BAD_CAST num));
    W(xmlTextWriterWriteString(w, BAD_CAST it->chapters[i].title));
    W(xmlTextWriterEndElement(w));
  }
  W(xmlTextWriterEndDocument(w));
  xmlFreeTextWriter(w); /* flushes into buf */
  w = NULL;
  /* Unchanged (the same article published again): leave the file be. */
  char *old = NULL;
  size_t old_len, len = (size_t)xmlBufferLength(buf);
  int rc = AC_ERR_OK;
  if (feed_read_file(path, &old, &old_len) != 0 || old_len != len ||
      memcmp(old, xmlBufferContent(buf), len) != 0)
    rc = feed_write_atomic(path, xmlBufferContent(buf), len, why, whylen);
  free(old);
  xmlBufferFree(buf);
  return rc;
fail:
  if (w)
    xmlFreeTextWriter(w);
  if (buf)
    xmlBufferFree(buf);
  snprintf(why, whylen, "%s: cannot build the sidecar (out of memory?)", path);
  return AC_ERR_NOMEM;
}

/* ---- Reading ------------------------------------------------------------ */

/* The element's text, cleaned; NULL when empty. */
static char *node_text(xmlNodePtr n, int one_line) {
  xmlChar *raw = xmlNodeGetContent(n);
  if (!raw)
    return NULL;
  char *s = feed_clean_text((const char *)raw, one_line);
  xmlFree(raw);
  if (s && !*s) {
    free(s);
    s = NULL;
  }
  return s;
}

/* A decimal integer attribute; -1 when missing or malformed. */
static int int_attr(xmlNodePtr n, const char *name, long long *out) {
  xmlChar *raw = xmlGetProp(n, BAD_CAST name);
  if (!raw)
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll((const char *)raw, &end, 10);
  int ok = errno == 0 && end != (char *)raw && *end == '\0';
  xmlFree(raw);
  if (!ok)
    return -1;
  *out = v;
  return 0;
}

static int load_tree(xmlNodePtr root, feed_item *it, char *why, size_t whylen) {
  struct {
    const char *name;
    char **field;
    int one_line;
  } fields[] = {{"guid", &it->guid, 1},         {"title", &it->title, 1},
                {"link", &it->link, 1},         {"author", &it->author, 1},
                {"language", &it->language, 1}, {"summary", &it->summary, 0},
                {"image", &it->image, 1},       {"voice", &it->voice, 1}};
  int have_date = 0;
  size_t cap = 0;
  for (xmlNodePtr n = root->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *name = (const char *)n->name;
    int known = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      if (strcmp(name, fields[i].name) == 0 && !*fields[i].field) {
        *fields[i].field = node_text(n, fields[i].one_line);
        known = 1;
      }
    }
    long long v;
    if (known) {
      continue;
    } else if (strcmp(name, "date") == 0) {
      if (int_attr(n, "unix", &v) == 0) {
        it->date = v;
        have_date = 1;
      }
    } else if (strcmp(name, "audio") == 0 && !it->audio) {
      it->audio = node_text(n, 1);
      if (int_attr(n, "length", &v) == 0 && v >= 0)
        it->length = (uint64_t)v;
      if (int_attr(n, "duration-ms", &v) == 0 && v >= 0)
        it->duration = (double)v / 1000;
    } else if (strcmp(name, "file") == 0) {
      xmlChar *type = xmlGetProp(n, BAD_CAST "type");
      for (int k = 0; type && k < FEED_FILE_KINDS; k++)
        if (strcmp((const char *)type, feed_file_types[k]) == 0 &&
            !it->files[k])
          it->files[k] = node_text(n, 1);
      xmlFree(type);
    } else if (strcmp(name, "chapter") == 0) {
      char *title = node_text(n, 1);
      if (!title || int_attr(n, "start-ms", &v) != 0 || v < 0) {
        free(title);
        continue;
      }
      if (it->n_chapters == cap) {
        size_t ncap = cap ? cap * 2 : 8;
        feed_chapter *grown = realloc(it->chapters, ncap * sizeof *grown);
        if (!grown) {
          free(title);
          snprintf(why, whylen, "out of memory");
          return AC_ERR_NOMEM;
        }
        it->chapters = grown;
        cap = ncap;
      }
      it->chapters[it->n_chapters].start = (double)v / 1000;
      it->chapters[it->n_chapters].title = title;
      it->n_chapters++;
    }
    /* Unknown elements are skipped: a newer articast may add some. */
  }
  const char *missing = !it->guid    ? "guid"
                        : !it->title ? "title"
                        : !it->audio ? "audio"
                        : !have_date ? "date"
                                     : NULL;
  if (missing) {
    snprintf(why, whylen, "it has no <%s>", missing);
    return AC_ERR_FORMAT;
  }
  /* Paths are relative to SITE and stay inside it. */
  if (it->audio[0] == '/' || strstr(it->audio, "..")) {
    snprintf(why, whylen, "its audio path '%s' leaves the site", it->audio);
    return AC_ERR_FORMAT;
  }
  for (int k = 0; k < FEED_FILE_KINDS; k++) {
    if (it->files[k] &&
        (it->files[k][0] == '/' || strstr(it->files[k], ".."))) {
      free(it->files[k]);
      it->files[k] = NULL;
    }
  }
  if (it->image && !feed_is_http_url(it->image) &&
      (it->image[0] == '/' || strstr(it->image, ".."))) {
    free(it->image);
    it->image = NULL;
  }
  return AC_ERR_OK;
}

int feed_item_load(const char *path, feed_item *it, char *why, size_t whylen) {
  memset(it, 0, sizeof *it);
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    snprintf(why, whylen, "out of memory");
    return AC_ERR_NOMEM;
  }
  /* NONET: never fetch anything; NOERROR/NOWARNING: plugins do not print,
   * the error is reported through why instead. Entities are not expanded. */
  xmlDocPtr doc = xmlCtxtReadFile(ctxt, path, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
  int rc = AC_ERR_FORMAT;
  if (!doc) {
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    char msg[200];
    snprintf(msg, sizeof msg, "%s",
             e && e->message ? e->message : "unknown error");
    /* libxml2 messages end with a newline. */
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
      msg[--n] = '\0';
    snprintf(why, whylen, "not well-formed XML (line %d: %s)", e ? e->line : 0,
             msg);
    goto out;
  }
  xmlNodePtr root = xmlDocGetRootElement(doc);
  if (!root || strcmp((const char *)root->name, SIDECAR_ROOT) != 0) {
    snprintf(why, whylen, "its root element is not <%s>", SIDECAR_ROOT);
    goto out;
  }
  xmlChar *version = xmlGetProp(root, BAD_CAST "version");
  int known = version && strcmp((const char *)version, SIDECAR_VERSION) == 0;
  xmlFree(version);
  if (!known) {
    snprintf(why, whylen, "it has an unknown version (this reads version %s)",
             SIDECAR_VERSION);
    goto out;
  }
  rc = load_tree(root, it, why, whylen);
out:
  if (doc)
    xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  if (rc)
    feed_item_free(it);
  return rc;
}

/* ---- The chapters sidecar ----------------------------------------------- */

int feed_item_set_chapters(feed_item *it, const ac_timeline *t) {
  int rate = t->sample_rate > 0 ? t->sample_rate : 1;
  feed_chapter *chapters =
      calloc(t->n_chapters ? t->n_chapters : 1, sizeof *chapters);
  if (!chapters)
    return AC_ERR_NOMEM;
  size_t n = 0;
  for (size_t i = 0; i < t->n_chapters; i++) {
    char *title = feed_clean_text(t->chapters[i].title, 1);
    if (!title || !*title) {
      free(title);
      continue;
    }
    chapters[n].start = (double)t->chapters[i].start / rate;
    chapters[n].title = title;
    n++;
  }
  for (size_t i = 0; i < it->n_chapters; i++)
    free(it->chapters[i].title);
  free(it->chapters);
  it->chapters = chapters;
  it->n_chapters = n;
  return AC_ERR_OK;
}
