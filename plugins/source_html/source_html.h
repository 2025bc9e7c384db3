/*
 * source_html: internal interfaces shared by the plugin's files.
 *
 *   source_html.c  descriptor, options, probing, document assembly
 *   parse.c        charset detection, libxml2 parsing, text helpers
 *   meta.c         page metadata: <title>, <meta>, JSON-LD, <html lang>
 *   json.c         JSON-LD through jansson, after mending common defects
 *   extract.c      main-content detection and block emission
 *   boiler.c       boilerplate recognized by its text
 *   fetch.c        http(s) download with libcurl
 */
#ifndef ARTICAST_SOURCE_HTML_H
#define ARTICAST_SOURCE_HTML_H

#include "articast/plugin.h"
#include "strbuf.h" /* plugins/common */

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Growable string (parse.c) --------------------------------------- */

/* Appends `s` with runs of white space (ASCII, no-break and other Unicode
 * spaces) collapsed to one ' ', never at the start of the buffer and
 * never doubled; zero-width characters and soft hyphens are dropped. A
 * single no-break space between two words is kept as written. */
int sh_buf_add_text(ac_strbuf *b, const char *s, size_t n);
/* Removes trailing white space. */
void sh_buf_rtrim(ac_strbuf *b);

/* ---- Text helpers (parse.c) ------------------------------------------- */

/* Length of the white-space character at p (ASCII or Unicode; control
 * characters count as white space), or 0. */
size_t sh_space_len(const char *p, const char *end);
/* Trims white space at both ends of [*s, *s + *len). */
void sh_trim(const char **s, size_t *len);
/* A malloc'd copy of `s` with white space collapsed and trimmed; NULL when
 * out of memory. */
char *sh_clean_text(const char *s, size_t len);
/* Is the UTF-8 sequence of n bytes at p part of a word? ASCII letters and
 * digits, and non-ASCII characters other than punctuation and spaces. */
int sh_word_char(const unsigned char *p, size_t n);
/* Number of words (runs of letters or digits). */
size_t sh_word_count(const char *s, size_t len);
int sh_prefix_ci(const char *s, const char *prefix);
int sh_streq_ci(const char *a, const char *b);
/* Case-insensitive substring search (ASCII folding). */
const char *sh_strcasestr(const char *hay, const char *needle);

/* ---- Parsing (parse.c) ------------------------------------------------ */

/* The deepest element nesting read. The tree walkers recurse, so the
 * depth is bounded; sh_parse refuses deeper pages, and the walkers go as
 * deep as this. */
#define SH_MAX_DEPTH 1024

/* Parses an HTML page into a libxml2 tree. The charset comes from a byte
 * order mark, then `http_charset` (NULL when unknown), then a <meta>
 * declaration, then the bytes themselves (UTF-8 when they are valid UTF-8,
 * else windows-1252); the text is converted to UTF-8 before parsing, with
 * undecodable bytes replaced by U+FFFD. A DOCTYPE's internal subset is
 * skipped. Returns NULL with a message in err on failure, among them a
 * page nested deeper than SH_MAX_DEPTH. */
htmlDocPtr sh_parse(const char *data, size_t len, const char *http_charset,
                    char *err, size_t errlen);
/* The text converted to UTF-8 (malloc'd, NUL-terminated, length in
 * *out_len), with the charset chosen as sh_parse does; `html` says whether
 * to look for a <meta> declaration. NULL when out of memory. */
char *sh_decode(const char *data, size_t len, const char *http_charset,
                int html, size_t *out_len);
/* The charset declared in a Content-Type value ("text/html;
 * charset=utf-8"), copied into out; 0 when found. */
int sh_content_type_charset(const char *content_type, char *out, size_t outlen);
/* Does this look like HTML (a doctype or one of the common tags near the
 * start)? */
int sh_looks_html(const char *data, size_t len);

/* Value of an attribute (case-insensitive name) or NULL; borrowed from
 * the tree. */
const char *sh_attr(const xmlNode *n, const char *name);
/* Concatenated text of a subtree, white space collapsed; malloc'd. */
char *sh_node_text(const xmlNode *n);
/* Resolves `ref` against `base` (either may be NULL); malloc'd. */
char *sh_resolve_url(const char *base, const char *ref);

/* ---- Metadata (meta.c) ------------------------------------------------ */

typedef struct sh_meta {
  char *title;
  char *site_name;
  char *author; /* display form, "A and B" */
  char *date;
  char *language;
  char *description;
  char *image;
  char *url;
  char *type;         /* og:type or the JSON-LD @type that was used */
  char *html_title;   /* <title> as written */
  char *body;         /* JSON-LD articleBody: the text, as the site gives
                         it to search engines */
  int title_from_tag; /* the title came from <title> */
} sh_meta;

/* Reads the page's metadata; `base_url` resolves relative links (may be
 * NULL). Returns 0 or AC_ERR_NOMEM. */
int sh_meta_read(htmlDocPtr doc, const char *base_url, sh_meta *m);
void sh_meta_free(sh_meta *m);
/* Normalizes a date to ISO 8601 (YYYY-MM-DD or a full date-time);
 * malloc'd, NULL when it is not a date. */
char *sh_iso_date(const char *s);
/* Normalizes a language tag ("en_us" -> "en-US"); malloc'd or NULL. */
char *sh_lang_tag(const char *s);
/* Joins author names into "A", "A and B", "A, B and C"; splits nothing.
 * Skips empty names, URLs and duplicates. malloc'd, NULL when none. */
char *sh_join_names(const char *const *names, size_t n);

/* ---- JSON (json.c) ---------------------------------------------------- */

typedef enum sh_json_type {
  SH_JSON_NULL,
  SH_JSON_BOOL,
  SH_JSON_NUMBER,
  SH_JSON_STRING,
  SH_JSON_ARRAY,
  SH_JSON_OBJECT
} sh_json_type;

typedef struct sh_json sh_json;
struct sh_json {
  sh_json_type type;
  char *str;      /* STRING: value; NUMBER: the literal */
  char *key;      /* member name when inside an object */
  sh_json *child; /* ARRAY, OBJECT: first element */
  sh_json *next;  /* next sibling */
  int boolean;
};

/* Parses one JSON value, leniently: comments, trailing commas, raw control
 * characters in strings and an HTML comment or CDATA wrapper are accepted.
 * Returns NULL when nothing parses or memory runs out. */
sh_json *sh_json_parse(const char *s, size_t len);
void sh_json_free(sh_json *j);
const sh_json *sh_json_get(const sh_json *obj, const char *key);

/* ---- Extraction (extract.c) ------------------------------------------- */

typedef struct sh_block {
  ac_block_kind kind;
  int level;
  char *text;
} sh_block;

typedef struct sh_blocks {
  sh_block *items;
  size_t count, cap;
  char *byline; /* found in the page's markup, when any */
} sh_blocks;

void sh_blocks_free(sh_blocks *b);
/* Appends a copy of `len` bytes of text as a block; 0 or -1. */
int sh_blocks_add(sh_blocks *b, ac_block_kind kind, int level, const char *text,
                  size_t len);

/* Finds the article in the page and returns its blocks in reading order.
 * `title` (may be NULL) is the article's title: a heading repeating it is
 * left out. Returns 0 or AC_ERR_NOMEM. */
int sh_extract(htmlDocPtr doc, const char *title, sh_blocks *out);

/* ---- Boilerplate text (boiler.c) ------------------------------------- */

/* Is this block furniture rather than article: a label ("Advertisement",
 * "Related stories"), a dateline, a cookie, copyright, newsletter or
 * social-media notice, or a short link to another story? `link_ratio` is
 * the share of the block's text inside links. For headings only the
 * labels count. */
int sh_boilerplate_text(const char *text, size_t len, double link_ratio,
                        int heading);
/* Is this a byline ("By Jane Doe", "By Jane Doe - 11/18/19 11:04 PM")? */
int sh_is_byline_text(const char *text, size_t len);

/* ---- Fetching (fetch.c) ----------------------------------------------- */

typedef struct sh_fetch_opts {
  long connect_timeout; /* seconds */
  long timeout;         /* seconds, whole transfer */
  size_t max_bytes;
  long max_redirects;
} sh_fetch_opts;

typedef struct sh_fetched {
  char *data;
  size_t len;
  char *content_type; /* NULL when the server sent none */
  char *final_url;    /* after redirects */
} sh_fetched;

/* Is this an http:// or https:// URL? */
int sh_is_url(const char *name);
/* Downloads `url`. Returns 0, or an ac_error code with the reason in err
 * (HTTP status, timeout, size limit, ...): AC_ERR_NOTFOUND, AC_ERR_LIMIT
 * or AC_ERR_UNSUPPORTED when the URL itself is bad (4xx, no such host,
 * redirect loops, too large), AC_ERR_IO when trying again may work (5xx,
 * timeouts, refused connections). */
int sh_fetch(const char *url, const sh_fetch_opts *opts, sh_fetched *out,
             char *err, size_t errlen);
void sh_fetched_free(sh_fetched *f);

#endif /* ARTICAST_SOURCE_HTML_H */
