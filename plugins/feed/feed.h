/*
 * Internals of the feed publisher, shared by its source files.
 *
 *   feed.c        the plugin: options, locking, the publish and rebuild flow
 *   item.c        an episode's item and its sidecar (SITE/episodes/
 *                 <slug>.item.xml, written and read with libxml2)
 *   rss.c         feed.xml itself and the show notes, with xmlTextWriter
 *   util.c        text, dates, URLs, UUIDs (SHA-1 from nettle), files
 *   categories.c  Apple's podcast categories
 */
#ifndef ARTICAST_FEED_H
#define ARTICAST_FEED_H

#include "articast/plugin.h"

#include <stddef.h>
#include <stdint.h>

/* Growing strings (plain text only; XML goes through libxml2). */
#include "strbuf.h"

/* ---- Text --------------------------------------------------------------- */

/* A copy that XML can carry: invalid UTF-8 becomes U+FFFD, control
 * characters other than tab and newline, and U+FFFE/U+FFFF, are dropped,
 * CR LF becomes LF, and white space is trimmed at both ends. With one_line,
 * every run of white space becomes one space. NULL for NULL (or on OOM). */
char *feed_clean_text(const char *s, int one_line);
/* At most max_bytes of s, cut at a word boundary when one is near, with an
 * ellipsis; s itself when it fits. malloc'd. */
char *feed_truncate(const char *s, size_t max_bytes);
/* Length of the longest prefix of s, at most max bytes, that ends on a
 * UTF-8 character boundary. */
size_t feed_utf8_cut(const char *s, size_t max);

/* ---- Dates -------------------------------------------------------------- */

/* Parses an ISO 8601 date (YYYY-MM-DD, taken as 12:00 UTC so the calendar
 * day is the same in nearly every time zone) or date-time
 * (YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|+HHMM|-..], UTC when no zone) into
 * seconds since the epoch. Returns 0, or -1 when it is not such a date. */
int feed_parse_date(const char *s, int64_t *out);
/* Parses any date plugins/common/date.h reads (RFC 2822 included) into
 * seconds since the epoch; 0 when it is none. */
int64_t feed_parse_any_date(const char *s);
/* RFC 2822 in UTC with English names whatever the locale:
 * "Wed, 01 May 2024 12:00:00 +0000". out holds at least 32 bytes. */
void feed_format_date(int64_t t, char *out, size_t outlen);

/* ---- URLs and identifiers ----------------------------------------------- */

int feed_is_http_url(const char *s);
/* base (ending in '/') + relpath with every byte outside [A-Za-z0-9-._~/]
 * percent-encoded. malloc'd. */
char *feed_url_join(const char *base, const char *relpath);
/* The Podcasting 2.0 feed GUID: UUIDv5 in namespace
 * ead4c236-bf58-58c6-a2c6-a6b28d128cb6 of the URL without its scheme and
 * trailing slashes. out: 37 bytes. */
void feed_podcast_guid(const char *feed_url, char out[37]);
/* Whether s is a UUID in the canonical 8-4-4-4-12 hex form. */
int feed_is_uuid(const char *s);

/* ---- Files -------------------------------------------------------------- */

char *feed_path_join(const char *a, const char *b);
/* The path of `path` relative to SITE (spelled site_dir, real path
 * site_real), or NULL when it does not exist or lies outside. malloc'd. */
char *feed_site_relative(const char *site_dir, const char *site_real,
                         const char *path);
/* Replaces `path` with len bytes of data atomically (plugins/common's
 * outfile): a temporary file beside it (unnamed where the file system
 * allows, named ".<name>.tmp-XXXXXX" before the rename), fsync, rename,
 * fsync of the directory. A reader, or a crash at any point, sees the old
 * file or the new one. */
int feed_write_atomic(const char *path, const void *data, size_t len, char *why,
                      size_t whylen);
/* Reads a whole file; 0 or -errno. *data is NUL-terminated, malloc'd. */
int feed_read_file(const char *path, char **data, size_t *len);

/* ---- Apple categories --------------------------------------------------- */

/* Finds category and subcategory (case-insensitive; sub may be NULL) in
 * Apple's list and returns their canonical spelling. AC_ERR_INVALID with the
 * valid choices in why when either is unknown. */
int feed_category(const char *category, const char *sub, const char **cat_out,
                  const char **sub_out, char *why, size_t whylen);

/* ---- Episode items ------------------------------------------------------ */

/* Side files listed in the item, in this order. */
typedef enum feed_file_kind {
  FEED_FILE_VTT,      /* text/vtt */
  FEED_FILE_SRT,      /* application/x-subrip */
  FEED_FILE_TEXT,     /* text/plain */
  FEED_FILE_CHAPTERS, /* application/json+chapters */
  FEED_FILE_KINDS
} feed_file_kind;

extern const char *const feed_file_types[FEED_FILE_KINDS];

typedef struct feed_chapter {
  double start; /* seconds */
  char *title;
} feed_chapter;

/* Everything the feed says about one episode. Paths are relative to SITE,
 * so a new base URL re-points the whole feed on the next rebuild. */
typedef struct feed_item {
  char *slug;
  char *guid;
  char *title;
  char *link;     /* the article's URL, or NULL */
  char *author;   /* or NULL */
  char *language; /* BCP 47, or NULL */
  char *summary;  /* plain text: the article summary or opening paragraph */
  char *image;    /* http(s) URL or path relative to SITE, or NULL */
  char *voice;    /* the voice profile's name, or NULL */
  int64_t date;   /* publication time, seconds since the epoch */
  char *audio;    /* the MP3, relative to SITE */
  uint64_t length;
  double duration;              /* seconds */
  char *files[FEED_FILE_KINDS]; /* side files relative to SITE, or NULL */
  feed_chapter *chapters;
  size_t n_chapters;
} feed_item;

void feed_item_free(feed_item *it);
/* Writes the item as SITE/episodes/<slug>.item.xml (atomically). */
int feed_item_save(const feed_item *it, const char *path, char *why,
                   size_t whylen);
/* Reads a sidecar back with libxml2. AC_ERR_FORMAT when it is not one. */
int feed_item_load(const char *path, feed_item *it, char *why, size_t whylen);
/* Sets it->chapters from the episode's timeline (the host's chapters). */
int feed_item_set_chapters(feed_item *it, const ac_timeline *t);

/* ---- The feed ----------------------------------------------------------- */

typedef struct feed_channel {
  const char *title;
  const char *link;
  const char *description; /* the show's own; the disclosure is added */
  const char *language;
  const char *image_url;
  const char *category, *subcategory; /* canonical, subcategory may be NULL */
  int explicit_content;
  const char *author;
  const char *owner_name, *owner_email;
  const char *base_url; /* ends with '/' */
  const char *feed_url;
  const char *podcast_guid;
  const char *generator;
  int64_t last_build; /* lastBuildDate: when the content last changed */
} feed_channel;

/* The synthetic-voice disclosures (channel and episode). */
extern const char feed_channel_disclosure[];

/* Renders feed.xml into *out (malloc'd, *len bytes). Items come newest
 * first. */
int feed_render(const feed_channel *ch, feed_item *const *items, size_t n,
                char **out, size_t *len, char *why, size_t whylen);
/* The show notes of an item as plain text (itunes:summary) and as HTML
 * (description), malloc'd; exposed for the tests. */
char *feed_notes_text(const feed_item *it);
char *feed_notes_html(const feed_item *it);

#endif
