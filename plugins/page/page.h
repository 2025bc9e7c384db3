/*
 * Internals of the listening page publisher, shared by its source files.
 *
 *   page.c     the plugin: options, the site lock, publish and rebuild
 *   model.c    an episode's page data, from the document and the timeline
 *   sidecar.c  that data as SITE/episodes/<slug>.page.xml (libxml2)
 *   render.c   the episode page (SITE/episodes/<slug>.html)
 *   index.c    the show's index (SITE/index.html)
 *   html.c     escaping, and times, sizes, dates and languages as text
 *   assets     player.js and player.css, compiled in (see CMakeLists.txt)
 */
#ifndef ARTICAST_PAGE_H
#define ARTICAST_PAGE_H

#include "articast/plugin.h"
#include "textview.h" /* ac_textbuf */

#include <stddef.h>
#include <stdint.h>

/* ---- An episode's page data --------------------------------------------- */

/* A piece of a block's text: a cue (a sentence, or part of a long one,
 * exactly as the WebVTT file has it) or the plain text between cues.
 * Text is clean UTF-8 (see pg_clean) with runs of white space folded to
 * one space. */
typedef struct pg_run {
  char *text;
  size_t cue;                /* 1-based cue number, 0 for plain text */
  uint64_t start_ms, end_ms; /* cues only */
} pg_run;

typedef struct pg_block {
  ac_block_kind kind;
  int level;  /* headings: 0 for the episode title, else 1..6 */
  char *lang; /* a valid BCP 47 tag when the passage has its own, or NULL */
  pg_run *runs;
  size_t n_runs;
} pg_block;

typedef struct pg_chapter {
  uint64_t start_ms;
  char *title;
  size_t block;   /* the page block it starts at (index into blocks) */
  int host_label; /* titled by the host in English ("About the author") */
} pg_chapter;

typedef struct pg_file {
  char *href; /* relative to SITE, '/'-separated, never leaving SITE */
  char *type; /* MIME type */
  ac_artifact_role role;
  uint64_t size; /* bytes */
} pg_file;

/* Everything a page and the index show about one episode. */
typedef struct pg_episode {
  char *slug;        /* [a-z0-9-]+, the file names' stem */
  char *key;         /* the article's id or URL, when it has one: an article
                        re-rendered under a new slug replaces its old page */
  char *title;       /* one line */
  char *author;      /* one line, or NULL */
  char *language;    /* valid BCP 47 */
  char *summary;     /* one line, or NULL */
  char *link;        /* the article's http(s) URL, or NULL */
  char *voice;       /* the voice profile's name, or NULL */
  int64_t published; /* seconds since the epoch */
  int dated;         /* published comes from the article's own date */
  double duration;   /* seconds */
  pg_file audio;
  pg_file *files; /* other downloads: transcripts, chapters */
  size_t n_files;
  pg_chapter *chapters;
  size_t n_chapters;
  pg_block *blocks;
  size_t n_blocks;
} pg_episode;

void pg_episode_free(pg_episode *ep);

/* How the page cuts text into cues; the transcript sink's defaults, so
 * the page's elements are the WebVTT file's cues one for one. */
typedef struct pg_layout {
  int max_line, max_lines;
} pg_layout;

/* Builds the page data of the episode the sinks just wrote. site_real is
 * SITE's real path. *overlaps receives how many cues reached back into
 * the text of the cue before (none should; such a cue shows its own
 * words). Errors (AC_ERR_*) leave their reason in why. */
int pg_model_build(const ac_episode *ep, const char *site_real,
                   const pg_layout *layout, pg_episode *out, size_t *overlaps,
                   char *why, size_t whylen);

/* How many cues of the page differ from those of the WebVTT file at
 * vtt_path (by count, start and end); 0 when they agree or the file cannot
 * be read. */
size_t pg_model_vtt_mismatch(const pg_episode *ep, const char *vtt_path);

/* ---- Sidecars ------------------------------------------------------------ */

#define PG_SIDECAR_SUFFIX ".page.xml"

/* Writes ep as XML to *out (malloc'd, *len bytes). */
int pg_sidecar_render(const pg_episode *ep, char **out, size_t *len);
/* Reads a sidecar back. AC_ERR_FORMAT, with why, when it is not a valid
 * one; every string is cleaned again, every href checked. */
int pg_sidecar_parse(const char *data, size_t len, const char *name,
                     pg_episode *ep, char *why, size_t whylen);

/* ---- Rendering ---------------------------------------------------------- */

/* What the pages show of the show, and the files they share. */
typedef struct pg_site {
  const char *title;       /* the show's title, one line, or NULL */
  const char *language;    /* the show's language (valid BCP 47) or NULL */
  const char *description; /* one paragraph, or NULL */
  const char *feed_url;    /* absolute URL of feed.xml, or NULL */
  int has_feed;            /* SITE/feed.xml exists */
  const char *css_version; /* cache-busting tokens of the assets */
  const char *js_version;
} pg_site;

/* A page being written: its buffer and language. */
typedef struct pg_html {
  ac_textbuf *b;
  const char *lang; /* of the page (<html lang>) */
  int rtl;          /* the page runs right to left */
} pg_html;

/* Attributes for interface text (English) inside the page: lang="en"
 * unless the page is in English, dir="ltr" when the page runs right to
 * left. Starts with a space. */
void pg_html_ui(const pg_html *h);
/* The language interface text is in: the page's when it is English, else
 * "en". */
const char *pg_html_ui_lang(const pg_html *h);
/* Attributes for a passage in `lang` inside an element in `context`:
 * lang, and dir when the direction differs. Nothing when they agree. */
void pg_html_lang(const pg_html *h, const char *lang, const char *context);
/* From the doctype to <body>: title is "<title> — <suffix>" (suffix may
 * be NULL); root is the way to SITE from the page ("" or "../"). */
void pg_html_head(const pg_html *h, const pg_site *site, const char *title,
                  const char *suffix, const char *description,
                  const char *root);

/* An episode page; older and newer are its neighbours in the list (or
 * NULL). */
int pg_render_episode(const pg_site *site, const pg_episode *ep,
                      const pg_episode *older, const pg_episode *newer,
                      ac_textbuf *out);
/* The index, episodes newest first. */
int pg_render_index(const pg_site *site, pg_episode *const *eps, size_t n,
                    ac_textbuf *out);

/* ---- HTML and text helpers ----------------------------------------------- */

/* A copy that HTML and XML can carry: invalid UTF-8 becomes U+FFFD,
 * control characters (C0 but tab and newline, and DEL) spaces, U+FFFE
 * and U+FFFF U+FFFD. With fold, runs of white space become one space and none
 * is left at either end. NULL for NULL, or when out of memory. */
char *pg_clean(const char *s, size_t len, int fold);
/* s cut to at most max bytes at a word boundary, with an ellipsis;
 * malloc'd. */
char *pg_truncate(const char *s, size_t max);

/* Text content: & < > escaped (after the same cleaning as pg_clean). */
void pg_html_text(ac_textbuf *b, const char *s);
/* An attribute value (without its quotes): & < > " ' escaped too, white
 * space made spaces. */
void pg_html_attr(ac_textbuf *b, const char *s);
/* A relative URL from path segments: bytes outside [A-Za-z0-9-._~/]
 * percent-encoded. */
void pg_html_path(ac_textbuf *b, const char *path);
/* Whether s is an absolute http:// or https:// URL with a host and no
 * white space or control characters. */
int pg_is_http_url(const char *s);

/* Seconds with three decimals ("12.345") from milliseconds. */
void pg_put_seconds(ac_textbuf *b, uint64_t ms);
/* A clock time: "0:12", "12:03", "1:02:03". */
void pg_put_clock(ac_textbuf *b, uint64_t ms);
/* A duration in words: "4 minutes 10 seconds", "1 hour 2 minutes". */
void pg_put_duration(ac_textbuf *b, double seconds);
/* A size: "850 kB", "2.1 MB". */
void pg_put_size(ac_textbuf *b, uint64_t bytes);
/* "2026-09-19" and "19 September 2026" (UTC, English month names). */
void pg_put_iso_date(ac_textbuf *b, int64_t t);
void pg_put_long_date(ac_textbuf *b, int64_t t);
/* Parses an ISO 8601 date (YYYY-MM-DD, taken as 12:00 UTC) or date-time
 * (YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|+HHMM|-...], UTC without a
 * zone). Returns 0, or -1 when s is not one. */
int pg_parse_date(const char *s, int64_t *out);

/* Whether tag is a well-formed BCP 47 language tag (2 or 3 letter
 * language, then subtags of 1 to 8 letters and digits). */
int pg_lang_valid(const char *tag);
/* Whether text in that language is written right to left: by its script
 * subtag when it has one (Arab, Hebr, Thaa, ...), else by its language
 * (ar, he, fa, ur, ps, sd, ug, yi, dv, ckb, ...). */
int pg_lang_rtl(const char *tag);
/* Whether two tags name the same language (primary subtags, any case). */
int pg_lang_same(const char *a, const char *b);

/* ---- Assets ------------------------------------------------------------- */

typedef struct pg_asset {
  const char *name; /* "player.js" */
  const unsigned char *data;
  size_t size;
} pg_asset;

extern const pg_asset pg_assets[];
extern const size_t pg_n_assets;

#endif
