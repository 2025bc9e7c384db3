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
  if (p >= end)
    return 0;
  if (*p == ' ' || *p == '\t' || *p == '\n')
    return 1;
  uint32_t cp;
  size_t n = ac_utf8_decode((const unsigned char *)p, (size_t)(end - p), &cp);
  /* No-break space, the typographic spaces and zero-width space
   * U+2000..U+200B, narrow no-break, medium mathematical and ideographic
   * space. */
  if (n && (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F ||
            cp == 0x205F || cp == 0x3000))
    return n;
  return 0;
}

/* Length of the whitespace character that ends [s, s + len), or 0. */
static size_t space_len_back(const char *s, size_t len) {
  if (len == 0)
    return 0;
  size_t start = ac_utf8_char_start(s, len, len - 1);
  size_t k = st_space_len(s + start, s + len);
  return k == len - start ? k : 0;
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

/* What a C1 control character (U+0080..U+009F) in UTF-8 text stands for:
 * such text was windows-1252 decoded as ISO-8859-1, where these bytes are
 * punctuation ("don\u0092t" means "don't"). 0 for the five bytes
 * windows-1252 leaves undefined. */
static uint32_t windows_1252_c1(uint32_t cp) {
  static const uint16_t map[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  return map[cp - 0x80];
}

/* Appends code point cp as UTF-8. */
static int add_cp(ac_strbuf *out, uint32_t cp) {
  char u[4];
  return ac_strbuf_add(out, u, ac_utf8_encode(cp, u));
}

/* Copies valid UTF-8 into `out` with CRLF and lone CR turned into '\n',
 * U+2028 into a line break and U+2029 into a paragraph break. Control
 * characters are never spoken, and never glue the words around them: a
 * form feed or vertical tab (a page break in old text files) is a line
 * break, another C0 control or DEL a space, a C1 control the windows-1252
 * punctuation it stands for (or a space). U+FEFF (a byte order mark, at
 * the start or from concatenated files) goes. NUL bytes are refused
 * before (source_text_read): text files hold none. */
static int sanitize(const char *data, size_t len, ac_strbuf *out) {
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;
  if (ac_strbuf_add(out, "", 0) != 0) /* NUL-terminated even if empty */
    return -1;
  while (i < len) {
    size_t run = i;
    /* Copy printable ASCII in one go. */
    while (run < len && s[run] >= 0x20 && s[run] < 0x7F)
      run++;
    if (run > i) {
      if (ac_strbuf_add(out, data + i, run - i) != 0)
        return -1;
      i = run;
      continue;
    }
    uint32_t cp = s[i];
    size_t n = s[i] < 0x80 ? 1 : ac_utf8_decode(s + i, len - i, &cp);
    if (n == 0) { /* not UTF-8, which the caller rules out: kept as it is */
      if (ac_strbuf_addc(out, data[i++]) != 0)
        return -1;
      continue;
    }
    int rc = 0;
    if (cp == '\r') {
      n += i + 1 < len && s[i + 1] == '\n';
      rc = ac_strbuf_addc(out, '\n');
    } else if (cp == '\n' || cp == '\t') {
      rc = ac_strbuf_addc(out, (char)cp);
    } else if (cp == 0x2028 || cp == 0x2029 || cp == '\f' || cp == '\v') {
      rc = ac_strbuf_adds(out, cp == 0x2029 ? "\n\n" : "\n");
    } else if (cp < 0x20 || cp == 0x7F) {
      rc = ac_strbuf_addc(out, ' ');
    } else if (cp >= 0x80 && cp <= 0x9F) {
      uint32_t c = windows_1252_c1(cp);
      rc = c ? add_cp(out, c) : ac_strbuf_addc(out, ' ');
    } else if (cp != 0xFEFF) {
      rc = ac_strbuf_add(out, data + i, n);
    }
    if (rc != 0)
      return -1;
    i += n;
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
  const char *nul = memchr(data, '\0', len);
  if (nul)
    return st->host->fail(st, AC_ERR_FORMAT,
                          "a NUL byte at byte offset %zu: not a text file "
                          "(UTF-16 without a byte order mark, or binary?)",
                          (size_t)(nul - data));
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
    .version = "2.1",
    .description = "reads plain text and Markdown (with front matter) articles",
    .kind = AC_STAGE_SOURCE,
    .priv_size = sizeof(source_text_priv),
    .options = source_text_options,
    .probe = source_text_probe,
    .read_source = source_text_read,
};

AC_PLUGIN_EXPORT(source_text_plugin)
