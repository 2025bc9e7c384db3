/*
 * What `articast follow` reads a source into: the list of its articles.
 *
 *   RSS 2.0 (and RSS 1.0/RDF), Atom and JSON Feed: one item per entry,
 *     with its full text when the feed carries it (content:encoded, Atom
 *     content, content_html/content_text);
 *   sitemap.xml (and Google News sitemaps): one item per URL; a sitemap
 *     index names other sitemaps;
 *   an HTML page: the feeds it links to (rel="alternate"), so a site's
 *     home page can be the source;
 *   a folder: one item per Markdown, text or HTML file under it.
 *
 * XML is parsed with libxml2 without network access or entity expansion;
 * JSON with jansson. A feed that is not well-formed XML is read again in
 * libxml2's recovery mode when that still finds articles (with a warning);
 * such a reading never counts as the whole list.
 */
#ifndef ARTICAST_SOURCES_H
#define ARTICAST_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ac_source_kind {
  AC_SOURCE_RSS,
  AC_SOURCE_ATOM,
  AC_SOURCE_JSON_FEED,
  AC_SOURCE_SITEMAP,
  AC_SOURCE_FOLDER,
  AC_SOURCE_HTML /* a page that links to feeds (ac_listing.feeds) */
} ac_source_kind;

const char *ac_source_kind_name(ac_source_kind kind);

/* One article of a source. Strings are malloc'd, NULL when unknown. */
typedef struct ac_item {
  char *key;       /* what identifies it within the source, never NULL:
                      its guid or id, else its link, else its file's path,
                      else its title */
  char *guid;      /* the entry's own guid or id */
  char *link;      /* the article's http(s) URL */
  char *title;     /* one line */
  char *author;    /* display form */
  char *summary;   /* plain text */
  char *image;     /* http(s) URL */
  char *language;  /* BCP 47 */
  int64_t date;    /* publication time (Unix), 0 when the source gives none */
  int64_t hint;    /* when the source last touched it (sitemap lastmod, a
                      file's mtime), 0 when unknown: dates an undated
                      article */
  char *content;   /* the full text as HTML, when the feed carries it */
  char *path;      /* a folder's file */
  char *validator; /* a folder's file: its size, mtime and inode */
} ac_item;

typedef struct ac_listing {
  ac_source_kind kind;
  char *url; /* where it was read from, after redirects; NULL: a file */
  char *title;
  ac_item *items;
  size_t n_items, cap_items;
  bool complete; /* lists every article (folder, sitemap): an article it
                    no longer lists is gone */
  char **links;  /* a sitemap index's sitemaps, or a page's feeds */
  size_t n_links;
  char *warning; /* read leniently: why, or NULL */
} ac_listing;

/* Reads a feed, sitemap or HTML page of `len` bytes fetched from (or named)
 * `base`, against which relative links are resolved. Entries with neither
 * a link nor their text are left out: there is nothing to read of them. On
 * failure returns an AC_ERR_* with a message in err ("not well-formed XML (line
 * 3: ...)", "a JSON document, but not a JSON Feed", ...). */
int ac_listing_parse(const char *data, size_t len, const char *base,
                     ac_listing *out, char *err, size_t errlen);
/* Lists the article files under `dir`: *.md, *.markdown, *.txt, *.html,
 * *.htm, at most 8 folders deep, skipping dot files and folders and
 * section pages (_index.*). Sorted by path. */
int ac_listing_scan_folder(const char *dir, ac_listing *out, char *err,
                           size_t errlen);
void ac_listing_free(ac_listing *l);
void ac_item_free(ac_item *it);

/* Parses a feed's date (RFC 822 as RSS writes it, ISO 8601 as Atom and
 * JSON Feed do, and the other forms of plugins/common/date.h) into a Unix
 * time; 0 when it is none of these. */
int64_t ac_parse_feed_date(const char *s);
/* `ref` resolved against `base` (an http(s) URL), as an absolute http(s)
 * URL, malloc'd; NULL when it is not one. */
char *ac_resolve_url(const char *base, const char *ref);

#endif
