/*
 * source_text: reads an article written as plain text (a browser's text
 * dump of a web page, say) or as Markdown with YAML-style front matter into
 * the document model. It is the fallback source: it accepts any text, and
 * scores low on HTML so that an HTML source wins there.
 *
 * This file holds the descriptor, probing, input sanitizing (UTF-8 check,
 * BOM, line endings, control characters) and the small helpers the parsers
 * share. The formats live in frontmatter.c, markdown.c and plain.c.
 */
#include "source_text.h"
#include "utf8.h" /* plugins/common */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- Text helpers ----------------------------------------------------------
 */

size_t st_space_len(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t n = (size_t)(end - p);
  if (n == 0)
    return 0;
  if (u[0] == ' ' || u[0] == '\t' || u[0] == '\n')
    return 1;
  if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) /* U+00A0 no-break space */
    return 2;
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
      ((u[2] >= 0x80 && u[2] <= 0x8B) || u[2] == 0xAF)) /* U+2000..200B, */
    return 3;                                           /* U+202F */
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) /* U+205F */
    return 3;
  if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
    return 3;
  return 0;
}

/* Length of the whitespace character that ends [s, s + len), or 0. */
static size_t space_len_back(const char *s, size_t len) {
  for (size_t k = 1; k <= 3 && k <= len; k++) {
    const char *p = s + len - k;
    if (st_space_len(p, s + len) == k)
      return k;
  }
  return 0;
}

void st_trim(const char **s, size_t *len) {
  size_t k;
  while (*len && (k = st_space_len(*s, *s + *len)) > 0) {
    *s += k;
    *len -= k;
  }
  while (*len && (k = space_len_back(*s, *len)) > 0)
    *len -= k;
}

int st_is_blank(const char *s, size_t len) {
  st_trim(&s, &len);
  return len == 0;
}

int st_append_collapsed(ac_strbuf *out, const char *s, size_t len) {
  st_trim(&s, &len);
  if (len == 0)
    return 0;
  if (out->len && out->data[out->len - 1] != ' ' &&
      out->data[out->len - 1] != '\n' && ac_strbuf_addc(out, ' ') != 0)
    return -1;
  for (size_t i = 0; i < len;) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
      /* One ' ' for a run of ASCII whitespace; Unicode spaces inside the
       * text (such as a no-break space in "10 km") are kept as written. */
      while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        i++;
      if (ac_strbuf_addc(out, ' ') != 0)
        return -1;
      continue;
    }
    size_t j = i;
    while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n')
      j++;
    if (ac_strbuf_add(out, s + i, j - i) != 0)
      return -1;
    i = j;
  }
  return 0;
}

int st_prefix_ci(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  if (len < n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char a = (unsigned char)s[i], b = (unsigned char)prefix[i];
    if (a >= 'A' && a <= 'Z')
      a = (unsigned char)(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z')
      b = (unsigned char)(b - 'A' + 'a');
    if (a != b)
      return 0;
  }
  return 1;
}

int st_nomem(st_ctx *c) {
  return c->host->fail(c->st, AC_ERR_NOMEM, "out of memory");
}

/* ---- Input checks and sanitizing
 * --------------------------------------------- */

/* Copies valid UTF-8 into `out` without a leading byte order mark, with
 * CRLF and lone CR turned into '\n', U+2028/U+2029 into line breaks, and
 * without control characters other than '\n' and '\t' (C0, DEL, C1) or
 * stray U+FEFF, none of which a listener should hear. */
static int sanitize(const char *data, size_t len, ac_strbuf *out) {
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;
  if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
    i = 3;
  if (ac_strbuf_add(out, "", 0) !=
      0) /* a NUL-terminated buffer even if empty */
    return -1;
  while (i < len) {
    size_t run = i;
    /* Copy ordinary bytes in one go. */
    while (run < len && s[run] >= 0x20 && s[run] != 0x7F && s[run] != 0xC2 &&
           s[run] != 0xE2 && s[run] != 0xEF)
      run++;
    if (run > i) {
      if (ac_strbuf_add(out, data + i, run - i) != 0)
        return -1;
      i = run;
      continue;
    }
    unsigned char c = s[i];
    if (c == '\r') {
      i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
      if (ac_strbuf_addc(out, '\n') != 0)
        return -1;
    } else if (c == '\n' || c == '\t') {
      if (ac_strbuf_addc(out, (char)c) != 0)
        return -1;
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      i++; /* C0 control or DEL */
    } else if (c == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 &&
               s[i + 1] <= 0x9F) {
      i += 2; /* C1 control */
    } else if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
               (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
      /* U+2028 line separator, U+2029 paragraph separator */
      if (ac_strbuf_add(out, s[i + 2] == 0xA8 ? "\n" : "\n\n",
                        s[i + 2] == 0xA8 ? 1 : 2) != 0)
        return -1;
      i += 3;
    } else if (c == 0xEF && i + 2 < len && s[i + 1] == 0xBB &&
               s[i + 2] == 0xBF) {
      i += 3; /* U+FEFF inside the text, e.g. from concatenated files */
    } else {
      if (ac_strbuf_addc(out, (char)c) != 0)
        return -1;
      i++;
    }
  }
  return 0;
}

/* Splits the sanitized text into lines (without their '\n'). A final
 * newline does not start an empty last line. */
static st_line *split_lines(const char *s, size_t len, size_t *count) {
  size_t n = 1;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\n')
      n++;
  st_line *lines = malloc(n * sizeof *lines);
  if (!lines)
    return NULL;
  size_t k = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || s[i] == '\n') {
      if (i == len && start == len && k > 0)
        break;
      lines[k].s = s + start;
      lines[k].len = i - start;
      k++;
      start = i + 1;
    }
  }
  *count = k;
  return lines;
}

/* ---- Format detection
 * --------------------------------------------------------- */

enum { FORMAT_AUTO, FORMAT_MARKDOWN, FORMAT_PLAIN };

/* Lowercase extension of `name` ("md"), or "" when there is none. */
static void extension(const char *name, char *ext, size_t size) {
  ext[0] = '\0';
  if (!name)
    return;
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base || strlen(dot + 1) >= size)
    return;
  size_t i = 0;
  for (const char *p = dot + 1; *p; p++) {
    char c = *p;
    ext[i++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  ext[i] = '\0';
}

static int is_markdown_ext(const char *ext) {
  static const char *const exts[] = {"md",  "markdown", "mdown",
                                     "mkd", "mkdn",     NULL};
  for (size_t i = 0; exts[i]; i++)
    if (strcmp(ext, exts[i]) == 0)
      return 1;
  return 0;
}

static int is_text_ext(const char *ext) {
  return strcmp(ext, "txt") == 0 || strcmp(ext, "text") == 0;
}

static int is_html_ext(const char *ext) {
  return strcmp(ext, "html") == 0 || strcmp(ext, "htm") == 0 ||
         strcmp(ext, "xhtml") == 0;
}

/* True when the data, after a BOM and whitespace, opens an HTML page. */
static int starts_like_html(const char *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
                     data[i] == '\r'))
    i++;
  return st_prefix_ci(data + i, len - i, "<!doctype html") ||
         st_prefix_ci(data + i, len - i, "<html");
}

/* Plausible front matter or a Markdown heading. */
static int looks_markdown(const ac_strbuf *clean, const st_line *lines,
                          size_t n) {
  return st_front_matter_plausible(lines, n) ||
         st_looks_markdown(clean->data, clean->len);
}

/* Decides Markdown or plain text for `auto`: the file name first, then the
 * content. A .txt file that opens with a closed front matter block of keys
 * is Markdown all the same: that is not how plain text looks. */
static int detect_format(const char *name, const ac_strbuf *clean,
                         const st_line *lines, size_t n) {
  char ext[16];
  extension(name, ext, sizeof ext);
  if (is_markdown_ext(ext))
    return FORMAT_MARKDOWN;
  if (is_text_ext(ext))
    return st_front_matter_plausible(lines, n) ? FORMAT_MARKDOWN : FORMAT_PLAIN;
  return looks_markdown(clean, lines, n) ? FORMAT_MARKDOWN : FORMAT_PLAIN;
}

/* ---- Plugin
 * ------------------------------------------------------------------- */

typedef struct source_text_priv {
  int format; /* FORMAT_* */
} source_text_priv;

static const char *const format_choices[] = {"auto", "markdown", "plain", NULL};

static const ac_option source_text_options[] = {
    {.name = "format",
     .type = AC_OPT_CHOICE,
     .offset = offsetof(source_text_priv, format),
     .default_value = "auto",
     .choices = format_choices,
     .help = "input format: auto (by file name, then content), markdown or "
             "plain"},
    {.name = NULL},
};

static int source_text_probe(const char *name, const char *data, size_t len) {
  if (len == 0)
    return 1; /* still ours, so the user hears "empty input" from read */
  if (starts_like_html(data, len))
    return 10;
  if (memchr(data, '\0', len) || ac_utf8_first_invalid(data, len) >= 0)
    return 5; /* not text; ours only if nothing else wants it */
  char ext[16];
  extension(name, ext, sizeof ext);
  if (is_markdown_ext(ext))
    return 90;
  if (is_text_ext(ext))
    return 80;
  if (is_html_ext(ext))
    return 10;
  /* "-" or another name: look at the content. */
  ac_strbuf clean = {0};
  size_t n = 0;
  st_line *lines = NULL;
  int md = 0;
  if (sanitize(data, len, &clean) == 0 &&
      (lines = split_lines(clean.data, clean.len, &n)) != NULL)
    md = looks_markdown(&clean, lines, n);
  free(lines);
  ac_strbuf_free(&clean);
  return md ? 60 : 50;
}

static int source_text_read(ac_stage *st, const char *name, const char *data,
                            size_t len, ac_document *doc) {
  const source_text_priv *priv = st->priv;
  st_ctx c = {.st = st, .host = st->host, .doc = doc};
  ac_strbuf clean = {0};
  st_line *lines = NULL;
  size_t n = 0;
  int rc = 0;

  if (st->host->set_string(&doc->source, name ? name : "-", (size_t)-1) != 0)
    return st_nomem(&c);
  if (len == 0)
    return st->host->fail(st, AC_ERR_EMPTY, "the input is empty");
  long off = ac_utf8_first_invalid(data, len);
  if (off >= 0)
    return st->host->fail(st, AC_ERR_FORMAT, "invalid UTF-8 at byte offset %ld",
                          off);
  if (sanitize(data, len, &clean) != 0 ||
      (lines = split_lines(clean.data, clean.len, &n)) == NULL) {
    rc = st_nomem(&c);
    goto done;
  }

  int format = priv->format;
  if (format == FORMAT_AUTO)
    format = detect_format(name, &clean, lines, n);
  st->host->log(st, AC_LOG_DEBUG, "reading %s as %s", name ? name : "-",
                format == FORMAT_MARKDOWN ? "Markdown" : "plain text");
  if (st->host->set_string(&doc->format,
                           format == FORMAT_MARKDOWN ? "markdown" : "text",
                           (size_t)-1) != 0) {
    rc = st_nomem(&c);
    goto done;
  }
  if (format == FORMAT_MARKDOWN) {
    size_t body = 0;
    rc = st_front_matter(&c, lines, n, &body);
    const char *text = body < n ? lines[body].s : clean.data + clean.len;
    if (rc == 0)
      rc = st_parse_markdown(&c, text, (size_t)(clean.data + clean.len - text));
  } else {
    rc = st_parse_plain(&c, lines, n);
  }
  if (rc == 0 && doc->n_blocks == 0)
    rc = st->host->fail(st, AC_ERR_EMPTY,
                        doc->title ? "the input has a title but no body text"
                                   : "the input holds no text");
done:
  free(lines);
  ac_strbuf_free(&clean);
  return rc;
}

static const ac_plugin source_text_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "source_text",
    .version = "1.0",
    .description = "reads plain text and Markdown (with front matter) articles",
    .kind = AC_STAGE_SOURCE,
    .priv_size = sizeof(source_text_priv),
    .options = source_text_options,
    .probe = source_text_probe,
    .read_source = source_text_read,
};

AC_PLUGIN_EXPORT(source_text_plugin)
