/*
 * source_text internals: shared by the plugin's translation units (the
 * descriptor and sanitizing in source_text.c, front matter, the Markdown
 * block and inline parsers, plain text). Nothing here is exported; the
 * plugin's only public symbol is its entry point.
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

/* True when the text looks like Markdown: plausible front matter or
 * headings. */
int st_looks_markdown(const st_line *lines, size_t n);
/* Parses the body lines [start, n) into blocks, completing the title and
 * author (byline) when the front matter did not give them. */
int st_parse_markdown(st_ctx *c, const st_line *lines, size_t n, size_t start);
/* Strips inline Markdown (emphasis, code spans, links, images, HTML tags,
 * escapes, entities) from [s, s + len) and appends the text, whitespace
 * collapsed, to `out`. Returns 0 or -1 when memory runs out. */
int st_md_inline(const char *s, size_t len, ac_strbuf *out);

/* ---- Plain text -------------------------------------------------------- */

int st_parse_plain(st_ctx *c, const st_line *lines, size_t n);

#endif /* SOURCE_TEXT_H */
