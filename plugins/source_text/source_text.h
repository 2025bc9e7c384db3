/*
 * source_text internals: shared by the plugin's translation units (the
 * descriptor and sanitizing in source_text.c, front matter through
 * libyaml, Markdown through cmark-gfm, plain text). Nothing here is exported;
 * the plugin's only public symbol is its entry point.
 */
#ifndef SOURCE_TEXT_H
#define SOURCE_TEXT_H

#include "articast/plugin.h"
#include "strbuf.h" /* plugins/common */

#include <stddef.h>
#include <stdint.h>

/* ---- Text helpers ------------------------------------------------------ */

/* A line of the normalized input, without its '\n'. */
typedef struct st_line {
  const char *s;
  size_t len;
} st_line;

/* Byte length of the whitespace character at p (ASCII space or tab, or a
 * Unicode space such as U+00A0), 0 when p is not whitespace. */
size_t st_space_len(const char *p, const char *end);
/* Trims whitespace (see st_space_len) from both ends of [*s, *s + *len). */
void st_trim(const char **s, size_t *len);
/* True when the range holds only whitespace. */
int st_is_blank(const char *s, size_t len);
/* Appends [s, s + len) with runs of whitespace other than Unicode spaces
 * inside a word collapsed to one ' ' and both ends trimmed. A separating
 * space is written before the text when `out` is not empty and does not
 * already end in a space or '\n'. */
int st_append_collapsed(ac_strbuf *out, const char *s, size_t len);
/* ASCII case-insensitive prefix test on a byte range. */
int st_prefix_ci(const char *s, size_t len, const char *prefix);

/* ---- Parsing context --------------------------------------------------- */

typedef struct st_ctx {
  ac_stage *st;
  const ac_host *host;
  ac_document *doc;
} st_ctx;

/* Reports out-of-memory through host->fail and returns AC_ERR_NOMEM. */
int st_nomem(st_ctx *c);

/* ---- Front matter ------------------------------------------------------ */

/* True when the lines start with a front matter opener ("---"). */
int st_has_front_matter(const st_line *lines, size_t n);
/* True when the lines open with a closed front matter block made of
 * "key: value" lines: strong enough evidence of Markdown to override a .txt
 * name, where a mere "---" separator line is not. */
int st_front_matter_plausible(const st_line *lines, size_t n);
/* Parses the front matter block at the start of `lines` into the document
 * metadata and sets *body to the index of the first body line. With no
 * front matter, *body is 0. Returns 0 or an error already reported. */
int st_front_matter(st_ctx *c, const st_line *lines, size_t n, size_t *body);

/* ---- Markdown ---------------------------------------------------------- */

/* Markdown longer than this, with more image openers ("![") or with a
 * line of more table pipes than this, is refused: cmark-gfm 0.29.0.gfm.6
 * (Debian 12) takes time that grows with the square of the text on such
 * hostile inputs (unclosed image openers before many links; table rows of
 * thousands of cells). Within these bounds the slowest input found (of
 * cmark's pathological tests and variations) takes 1 to 3 seconds; 1 MiB
 * of unbounded image openers takes minutes. */
#define ST_MAX_MARKDOWN_BYTES (1u << 20)
#define ST_MAX_MARKDOWN_IMAGES 1000
#define ST_MAX_MARKDOWN_PIPES 256

/* True when the text has a Markdown heading: "# Title", or a title
 * underlined with '='. */
int st_looks_markdown(const char *s, size_t len);
/* Parses the Markdown body [s, s + len) into blocks, completing the title
 * and author (byline) when the front matter did not give them. */
int st_parse_markdown(st_ctx *c, const char *s, size_t len);

/* ---- Plain text -------------------------------------------------------- */

int st_parse_plain(st_ctx *c, const st_line *lines, size_t n);

#endif /* SOURCE_TEXT_H */
