/*
 * feed.xml and the show notes, written with libxml2's xmlTextWriter so that
 * every string is escaped by the library, never by hand.
 *
 * The namespaces are declared once on <rss> with the exact URIs directories
 * expect, and elements use the prefixed names. Everything written derives
 * from the channel settings and the items, with no clock: the same input
 * gives the same bytes. lastBuildDate is the channel's last_build, which
 * feed.c sets to when the content last changed.
 */
#include "feed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_ATOM "http://www.w3.org/2005/Atom"

/* Apple caps description and itunes:summary at 4000 bytes. */
#define MAX_NOTES 4000

const char feed_channel_disclosure[] =
    "Episodes are narrated by a synthetic voice (text-to-speech), not by a "
    "person.";

#define W(call)                                                                \
  do {                                                                         \
    if ((call) < 0)                                                            \
      goto fail;                                                               \
  } while (0)

/* ---- Show notes --------------------------------------------------------- */

/* "MM:SS", or "H:MM:SS" for episodes of an hour or more (long). */
static void timestamp(double seconds, int long_form, char *out, size_t len) {
  long long s = (long long)floor(seconds);
  if (long_form)
    snprintf(out, len, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(out, len, "%02lld:%02lld", s / 60, s % 60);
}

static int long_episode(const feed_item *it) {
  double last = it->n_chapters ? it->chapters[it->n_chapters - 1].start : 0;
  return it->duration >= 3600 || last >= 3600;
}

static void item_disclosure(const feed_item *it, ac_strbuf *b) {
  ac_strbuf_adds(b, "Narrated by a synthetic voice (text-to-speech), not by a "
                    "person.");
  if (it->voice)
    ac_strbuf_printf(b, " Voice: %s.", it->voice);
}

/* The plain-text notes: summary, chapter list, article link, disclosure,
 * separated by blank lines, within MAX_NOTES bytes. Chapters are dropped
 * from the end, with a count, when the list would not fit. */
char *feed_notes_text(const feed_item *it) {
  ac_strbuf tail = {0};
  if (it->link)
    ac_strbuf_printf(&tail, "Article: %s\n\n", it->link);
  item_disclosure(it, &tail);
  char *end = ac_strbuf_take(&tail);
  if (!end)
    return NULL;
  ac_strbuf b = {0};
  if (it->summary) {
    ac_strbuf_adds(&b, it->summary);
    ac_strbuf_adds(&b, "\n\n");
  }
  if (it->n_chapters) {
    int lf = long_episode(it);
    ac_strbuf_adds(&b, "Chapters:\n");
    for (size_t i = 0; i < it->n_chapters; i++) {
      char ts[32];
      timestamp(it->chapters[i].start, lf, ts, sizeof ts);
      size_t line = strlen(ts) + 1 + strlen(it->chapters[i].title) + 1;
      /* Keep room for this line, a "...and N more" line and the tail. */
      if (b.len + line + 40 + strlen(end) > MAX_NOTES) {
        ac_strbuf_printf(&b, "\xE2\x80\xA6 and %zu more\n", it->n_chapters - i);
        break;
      }
      ac_strbuf_printf(&b, "%s %s\n", ts, it->chapters[i].title);
    }
    ac_strbuf_adds(&b, "\n");
  }
  ac_strbuf_adds(&b, end);
  free(end);
  char *notes = ac_strbuf_take(&b);
  if (notes && strlen(notes) > MAX_NOTES) {
    /* Only a summary longer than feed.c allows gets here; cut it. */
    notes[feed_utf8_cut(notes, MAX_NOTES)] = '\0';
  }
  return notes;
}

/* Writes text as paragraphs: blank lines split <p>, single newlines become
 * <br/>. */
static int html_paragraphs(xmlTextWriterPtr w, const char *text) {
  const char *p = text;
  while (*p) {
    while (*p == '\n')
      p++;
    if (!*p)
      break;
    if (xmlTextWriterStartElement(w, BAD_CAST "p") < 0)
      return -1;
    for (;;) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      if (xmlTextWriterWriteFormatString(w, "%.*s", (int)n, p) < 0)
        return -1;
      p += n;
      if (!*p || p[1] == '\n' || !p[1])
        break;
      p++; /* one newline: a line break within the paragraph */
      if (xmlTextWriterStartElement(w, BAD_CAST "br") < 0 ||
          xmlTextWriterEndElement(w) < 0)
        return -1;
    }
    if (xmlTextWriterEndElement(w) < 0)
      return -1;
  }
  return 0;
}

/* The notes as HTML listing the first `shown` chapters. */
static char *notes_html(const feed_item *it, size_t shown) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  char *out = NULL;
  ac_strbuf d = {0};
  if (!w)
    goto fail;
  if (it->summary)
    W(html_paragraphs(w, it->summary));
  if (it->n_chapters) {
    int lf = long_episode(it);
    W(xmlTextWriterStartElement(w, BAD_CAST "p"));
    W(xmlTextWriterWriteString(w, BAD_CAST "Chapters:"));
    for (size_t i = 0; i < shown; i++) {
      char ts[32];
      timestamp(it->chapters[i].start, lf, ts, sizeof ts);
      W(xmlTextWriterStartElement(w, BAD_CAST "br"));
      W(xmlTextWriterEndElement(w));
      W(xmlTextWriterWriteFormatString(w, "%s %s", ts, it->chapters[i].title));
    }
    if (shown < it->n_chapters) {
      W(xmlTextWriterStartElement(w, BAD_CAST "br"));
      W(xmlTextWriterEndElement(w));
      W(xmlTextWriterWriteFormatString(w, "\xE2\x80\xA6 and %zu more",
                                       it->n_chapters - shown));
    }
    W(xmlTextWriterEndElement(w));
  }
  if (it->link) {
    W(xmlTextWriterStartElement(w, BAD_CAST "p"));
    W(xmlTextWriterWriteString(w, BAD_CAST "Article: "));
    W(xmlTextWriterStartElement(w, BAD_CAST "a"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST it->link));
    W(xmlTextWriterWriteString(w, BAD_CAST it->link));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndElement(w));
  }
  item_disclosure(it, &d);
  char *disc = ac_strbuf_take(&d);
  if (!disc)
    goto fail;
  int rc = xmlTextWriterWriteElement(w, BAD_CAST "p", BAD_CAST disc);
  free(disc);
  W(rc);
  W(xmlTextWriterFlush(w));
  out = strndup((const char *)xmlBufferContent(buf),
                (size_t)xmlBufferLength(buf));
fail:
  if (w)
    xmlFreeTextWriter(w);
  if (buf)
    xmlBufferFree(buf);
  return out;
}

/* The same notes as a small HTML fragment for <description>, which podcast
 * apps render as HTML: plain text there would lose its line breaks. Built
 * with a second xmlTextWriter, so the markup is escaped by libxml2 too.
 * Markup and escapes make it longer than the text, so chapters are dropped
 * from the end until it fits in MAX_NOTES bytes as well. */
char *feed_notes_html(const feed_item *it) {
  size_t shown = it->n_chapters;
  for (;;) {
    char *html = notes_html(it, shown);
    if (!html || strlen(html) <= MAX_NOTES || shown == 0)
      return html;
    free(html);
    shown--;
  }
}

/* ---- The feed ----------------------------------------------------------- */

static int element(xmlTextWriterPtr w, const char *name, const char *text) {
  if (!text)
    return 0;
  return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

/* <name attr="value"/> */
static int empty_element(xmlTextWriterPtr w, const char *name, const char *attr,
                         const char *value) {
  if (xmlTextWriterStartElement(w, BAD_CAST name) < 0 ||
      xmlTextWriterWriteAttribute(w, BAD_CAST attr, BAD_CAST value) < 0)
    return -1;
  return xmlTextWriterEndElement(w);
}

/* Absolute URL of a site path or a URL kept as it is. */
static char *url_for(const feed_channel *ch, const char *path_or_url) {
  if (feed_is_http_url(path_or_url))
    return strdup(path_or_url);
  return feed_url_join(ch->base_url, path_or_url);
}

static int write_item(xmlTextWriterPtr w, const feed_channel *ch,
                      const feed_item *it) {
  char *html = feed_notes_html(it), *text = feed_notes_text(it);
  char *audio = url_for(ch, it->audio);
  char *files[FEED_FILE_KINDS] = {0};
  char *image = it->image ? url_for(ch, it->image) : NULL;
  char num[40], date[40];
  int rc = -1;
  if (!html || !text || !audio || (it->image && !image))
    goto fail;
  for (int k = 0; k < FEED_FILE_KINDS; k++)
    if (it->files[k] && !(files[k] = url_for(ch, it->files[k])))
      goto fail;
  W(xmlTextWriterStartElement(w, BAD_CAST "item"));
  W(element(w, "title", it->title));
  W(element(w, "link", it->link));
  /* HTML notes as CDATA, as Apple suggests. libxml2 escaped every '>' in
   * their text, so "]]>" can only occur if that ever changes; then they go
   * as escaped text, which parsers read the same. */
  W(xmlTextWriterStartElement(w, BAD_CAST "description"));
  if (strstr(html, "]]>"))
    W(xmlTextWriterWriteString(w, BAD_CAST html));
  else
    W(xmlTextWriterWriteCDATA(w, BAD_CAST html));
  W(xmlTextWriterEndElement(w));
  W(xmlTextWriterStartElement(w, BAD_CAST "guid"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "isPermaLink", BAD_CAST "false"));
  W(xmlTextWriterWriteString(w, BAD_CAST it->guid));
  W(xmlTextWriterEndElement(w));
  feed_format_date(it->date, date, sizeof date);
  W(element(w, "pubDate", date));
  W(xmlTextWriterStartElement(w, BAD_CAST "enclosure"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "url", BAD_CAST audio));
  snprintf(num, sizeof num, "%llu", (unsigned long long)it->length);
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "length", BAD_CAST num));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "audio/mpeg"));
  W(xmlTextWriterEndElement(w));
  W(element(w, "itunes:summary", text));
  /* Whole seconds; left out when no sink measured the audio. */
  if (it->duration > 0) {
    snprintf(num, sizeof num, "%lld", (long long)llround(it->duration));
    W(element(w, "itunes:duration", num));
  }
  W(element(w, "itunes:episodeType", "full"));
  W(element(w, "itunes:author", it->author ? it->author : ch->author));
  if (image)
    W(empty_element(w, "itunes:image", "href", image));
  for (int k = 0; k < FEED_FILE_KINDS; k++) {
    if (!files[k])
      continue;
    int chapters = k == FEED_FILE_CHAPTERS;
    W(xmlTextWriterStartElement(
        w, BAD_CAST(chapters ? "podcast:chapters" : "podcast:transcript")));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "url", BAD_CAST files[k]));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                  BAD_CAST feed_file_types[k]));
    if (!chapters && it->language)
      W(xmlTextWriterWriteAttribute(w, BAD_CAST "language",
                                    BAD_CAST it->language));
    /* Timed transcripts double as closed captions. */
    if (k == FEED_FILE_VTT || k == FEED_FILE_SRT)
      W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "captions"));
    W(xmlTextWriterEndElement(w));
  }
  if (it->author || ch->author) {
    /* "author" belongs to the taxonomy's "writing" group; the default group
     * is "cast", where it would not be a valid role. */
    W(xmlTextWriterStartElement(w, BAD_CAST "podcast:person"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "group", BAD_CAST "writing"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "role", BAD_CAST "author"));
    W(xmlTextWriterWriteString(w,
                               BAD_CAST(it->author ? it->author : ch->author)));
    W(xmlTextWriterEndElement(w));
  }
  W(xmlTextWriterEndElement(w));
  rc = 0;
fail:
  free(html);
  free(text);
  free(audio);
  free(image);
  for (int k = 0; k < FEED_FILE_KINDS; k++)
    free(files[k]);
  return rc;
}

/* The channel description with the disclosure, within MAX_NOTES bytes: the
 * show's text is shortened, never the disclosure. */
static char *channel_description(const feed_channel *ch) {
  size_t room = MAX_NOTES - (sizeof feed_channel_disclosure - 1) - 2;
  char *own =
      feed_truncate(ch->description ? ch->description : ch->title, room);
  if (!own)
    return NULL;
  ac_strbuf b = {0};
  if (*own) {
    ac_strbuf_adds(&b, own);
    ac_strbuf_adds(&b, "\n\n");
  }
  ac_strbuf_adds(&b, feed_channel_disclosure);
  free(own);
  return ac_strbuf_take(&b);
}

int feed_render(const feed_channel *ch, feed_item *const *items, size_t n,
                char **out, size_t *len, char *why, size_t whylen) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  char *description = channel_description(ch);
  char date[40];
  if (!w || !description)
    goto fail;
  W(xmlTextWriterSetIndent(w, 1));
  W(xmlTextWriterSetIndentString(w, BAD_CAST "  "));
  W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
  W(xmlTextWriterStartElement(w, BAD_CAST "rss"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:itunes",
                                BAD_CAST NS_ITUNES));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:podcast",
                                BAD_CAST NS_PODCAST));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:atom", BAD_CAST NS_ATOM));
  W(xmlTextWriterStartElement(w, BAD_CAST "channel"));
  W(element(w, "title", ch->title));
  W(element(w, "link", ch->link));
  W(element(w, "description", description));
  W(element(w, "language", ch->language));
  W(element(w, "generator", ch->generator));
  feed_format_date(ch->last_build, date, sizeof date);
  W(element(w, "lastBuildDate", date));
  W(xmlTextWriterStartElement(w, BAD_CAST "atom:link"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST ch->feed_url));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "self"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
                                BAD_CAST "application/rss+xml"));
  W(xmlTextWriterEndElement(w));
  /* RSS's own image, for readers that ignore itunes:image. */
  W(xmlTextWriterStartElement(w, BAD_CAST "image"));
  W(element(w, "url", ch->image_url));
  W(element(w, "title", ch->title));
  W(element(w, "link", ch->link));
  W(xmlTextWriterEndElement(w));
  W(empty_element(w, "itunes:image", "href", ch->image_url));
  W(xmlTextWriterStartElement(w, BAD_CAST "itunes:category"));
  W(xmlTextWriterWriteAttribute(w, BAD_CAST "text", BAD_CAST ch->category));
  if (ch->subcategory)
    W(empty_element(w, "itunes:category", "text", ch->subcategory));
  W(xmlTextWriterEndElement(w));
  W(element(w, "itunes:explicit", ch->explicit_content ? "true" : "false"));
  W(element(w, "itunes:author", ch->author));
  if (ch->owner_name || ch->owner_email) {
    W(xmlTextWriterStartElement(w, BAD_CAST "itunes:owner"));
    W(element(w, "itunes:name", ch->owner_name));
    W(element(w, "itunes:email", ch->owner_email));
    W(xmlTextWriterEndElement(w));
  }
  W(element(w, "itunes:summary", description));
  W(element(w, "itunes:type", "episodic"));
  W(element(w, "podcast:guid", ch->podcast_guid));
  /* "no": other platforms may import the feed. */
  W(xmlTextWriterStartElement(w, BAD_CAST "podcast:locked"));
  if (ch->owner_email)
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "owner",
                                  BAD_CAST ch->owner_email));
  W(xmlTextWriterWriteString(w, BAD_CAST "no"));
  W(xmlTextWriterEndElement(w));
  for (size_t i = 0; i < n; i++)
    W(write_item(w, ch, items[i]));
  W(xmlTextWriterEndDocument(w)); /* closes channel and rss */
  xmlFreeTextWriter(w);
  w = NULL;
  *len = (size_t)xmlBufferLength(buf);
  *out = malloc(*len + 1);
  if (!*out)
    goto fail;
  memcpy(*out, xmlBufferContent(buf), *len);
  (*out)[*len] = '\0';
  xmlBufferFree(buf);
  free(description);
  return AC_ERR_OK;
fail:
  if (w)
    xmlFreeTextWriter(w);
  if (buf)
    xmlBufferFree(buf);
  free(description);
  snprintf(why, whylen, "cannot build feed.xml (out of memory?)");
  return AC_ERR_NOMEM;
}
