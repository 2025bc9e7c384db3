/*
 * source_html: text buffers and helpers, charset detection, conversion to
 * UTF-8 and parsing with libxml2's HTML parser.
 *
 * libxml2 can convert charsets itself, but it stops at the first byte the
 * converter rejects, which truncates real pages with one stray byte. So the
 * plugin decides the charset (as a browser does: byte order mark, HTTP
 * header, <meta>, then a look at the bytes), converts to UTF-8 with iconv
 * replacing what does not decode, and hands libxml2 clean UTF-8 with the
 * encoding given explicitly, which also stops it from switching charsets
 * when it meets the <meta> declaration.
 */
#include "source_html.h"
#include "utf8.h" /* plugins/common */

#include <errno.h>
#include <iconv.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Text helpers -------------------------------------------------------
 */

size_t sh_space_len(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t n = (size_t)(end - p);
  if (n == 0)
    return 0;
  /* Control characters (C0, DEL, C1) are never spoken: they separate
   * words, as the white space a page means by them. */
  if (u[0] <= ' ' || u[0] == 0x7F)
    return 1;
  if (n >= 2 && u[0] == 0xC2 &&
      (u[1] == 0xA0 || (u[1] >= 0x80 && u[1] <= 0x9F)))
    return 2; /* U+00A0 no-break space, U+0080..009F controls */
  if (n >= 3 && u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) /* U+1680 */
    return 3;
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
      (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
    return 3; /* U+2000..200A, U+2028, U+2029, U+202F */
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) /* U+205F */
    return 3;
  if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
    return 3;
  return 0;
}

/* Length of an invisible character that text extraction drops: zero-width
 * space, word joiner, byte order mark, soft hyphen (which would split a
 * word in two for anything that reads the text). */
static size_t invisible_len(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t n = (size_t)(end - p);
  if (n >= 2 && u[0] == 0xC2 && u[1] == 0xAD)
    return 2;
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x8B)
    return 3;
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0xA0)
    return 3;
  if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
    return 3;
  return 0;
}

static int ends_with_space(const ac_strbuf *b) {
  if (b->len == 0)
    return 1;
  if (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\n')
    return 1;
  return b->len >= 2 && (unsigned char)b->data[b->len - 2] == 0xC2 &&
         (unsigned char)b->data[b->len - 1] == 0xA0;
}

int sh_buf_add_text(ac_strbuf *b, const char *s, size_t n) {
  const char *p = s, *end = s + n;
  while (p < end) {
    size_t k = sh_space_len(p, end);
    if (k) {
      const char *q = p;
      size_t count = 0;
      int only_nbsp = 1;
      while (q < end && (k = sh_space_len(q, end)) > 0) {
        if (k != 2 || (unsigned char)q[1] != 0xA0)
          only_nbsp = 0;
        count++;
        q += k;
      }
      if (!ends_with_space(b)) {
        int keep_nbsp = only_nbsp && count == 1 && q < end;
        if (keep_nbsp ? ac_strbuf_add(b, "\xC2\xA0", 2)
                      : ac_strbuf_addc(b, ' '))
          return -1;
      }
      p = q;
      continue;
    }
    if ((k = invisible_len(p, end)) > 0) {
      p += k;
      continue;
    }
    const char *q = p;
    while (q < end && !sh_space_len(q, end) && !invisible_len(q, end))
      q++;
    if (ac_strbuf_add(b, p, (size_t)(q - p)) != 0)
      return -1;
    p = q;
  }
  return 0;
}

void sh_buf_rtrim(ac_strbuf *b) {
  while (b->len) {
    if (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\n')
      b->len--;
    else if (b->len >= 2 && (unsigned char)b->data[b->len - 2] == 0xC2 &&
             (unsigned char)b->data[b->len - 1] == 0xA0)
      b->len -= 2;
    else
      break;
  }
  if (b->data)
    b->data[b->len] = '\0';
}

/* Length of the white-space character that ends [s, s + len), or 0. */
static size_t space_len_back(const char *s, size_t len) {
  for (size_t k = 1; k <= 3 && k <= len; k++)
    if (sh_space_len(s + len - k, s + len) == k)
      return k;
  return 0;
}

void sh_trim(const char **s, size_t *len) {
  size_t k;
  while (*len && (k = sh_space_len(*s, *s + *len)) > 0) {
    *s += k;
    *len -= k;
  }
  while (*len && (k = space_len_back(*s, *len)) > 0)
    *len -= k;
}

char *sh_clean_text(const char *s, size_t len) {
  ac_strbuf b = {0};
  if (ac_strbuf_add(&b, "", 0) != 0 || sh_buf_add_text(&b, s, len) != 0) {
    ac_strbuf_free(&b);
    return NULL;
  }
  sh_buf_rtrim(&b);
  return b.data;
}

int sh_word_char(const unsigned char *p, size_t n) {
  if (p[0] < 0x80)
    return (p[0] >= '0' && p[0] <= '9') ||
           ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z');
  if (p[0] == 0xC2) /* U+0080..00BF: controls, symbols, punctuation */
    return 0;
  if (p[0] == 0xC3 && n >= 2 && (p[1] == 0x97 || p[1] == 0xB7)) /* × ÷ */
    return 0;
  if (p[0] == 0xE2 && n >= 2 && p[1] >= 0x80 && p[1] <= 0xBF)
    return 0; /* U+2000..2FFF: punctuation, symbols, arrows, boxes */
  if (p[0] == 0xE3 && n >= 2 && p[1] == 0x80)
    return 0; /* U+3000..303F: CJK punctuation */
  if (p[0] == 0xEF && n >= 2 && (p[1] == 0xBC || p[1] == 0xBD))
    return 1; /* full-width forms: mostly letters */
  return 1;
}

size_t sh_word_count(const char *s, size_t len) {
  size_t words = 0;
  int in_word = 0;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    size_t n = 1;
    if (u[i] >= 0xF0)
      n = 4;
    else if (u[i] >= 0xE0)
      n = 3;
    else if (u[i] >= 0xC0)
      n = 2;
    if (i + n > len)
      n = len - i;
    int w = sh_word_char(u + i, n);
    if (w && !in_word)
      words++;
    in_word = w;
    i += n;
  }
  return words;
}

int sh_prefix_ci(const char *s, const char *prefix) {
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int sh_streq_ci(const char *a, const char *b) {
  return a && b && strcasecmp(a, b) == 0;
}

const char *sh_strcasestr(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  if (n == 0)
    return hay;
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return hay;
  return NULL;
}

/* ---- Charset -------------------------------------------------------------
 */

static int ascii_lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Copies a charset label, lowercased, with surrounding quotes and spaces
 * removed. */
static void copy_label(const char *s, size_t n, char *out, size_t outlen) {
  while (n && (*s == ' ' || *s == '"' || *s == '\'' || *s == '\t')) {
    s++;
    n--;
  }
  size_t k = 0;
  while (k < n && k + 1 < outlen &&
         ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
          (s[k] >= '0' && s[k] <= '9') || s[k] == '-' || s[k] == '_' ||
          s[k] == '.' || s[k] == ':')) {
    out[k] = (char)ascii_lower(s[k]);
    k++;
  }
  out[k] = '\0';
}

/* Finds "charset" then "=" in [p, end) and copies the label after it. */
static int charset_after(const char *p, const char *end, char *out,
                         size_t outlen) {
  static const char key[] = "charset";
  for (; p + sizeof key - 1 < end; p++) {
    if (strncasecmp(p, key, sizeof key - 1) != 0)
      continue;
    const char *q = p + sizeof key - 1;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
      q++;
    if (q >= end || *q != '=')
      continue;
    q++;
    while (q < end && (*q == ' ' || *q == '"' || *q == '\''))
      q++;
    copy_label(q, (size_t)(end - q), out, outlen);
    if (out[0])
      return 0;
  }
  return -1;
}

int sh_content_type_charset(const char *content_type, char *out,
                            size_t outlen) {
  out[0] = '\0';
  if (!content_type)
    return -1;
  return charset_after(content_type, content_type + strlen(content_type), out,
                       outlen);
}

/* The charset of the first <meta charset> or <meta http-equiv> within the
 * head (the first 64 KiB at most, as <meta> must come early). */
static int meta_charset(const char *data, size_t len, char *out,
                        size_t outlen) {
  size_t limit = len < 65536 ? len : 65536;
  const char *p = data, *end = data + limit;
  while (p + 5 < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p));
    if (!lt || lt + 5 >= end)
      break;
    if (strncasecmp(lt, "<body", 5) == 0)
      break;
    if (strncasecmp(lt, "<meta", 5) == 0 &&
        (lt[5] == ' ' || lt[5] == '\t' || lt[5] == '\n' || lt[5] == '\r' ||
         lt[5] == '/')) {
      const char *gt = memchr(lt, '>', (size_t)(end - lt));
      if (!gt)
        break;
      if (charset_after(lt + 5, gt, out, outlen) == 0)
        return 0;
      p = gt + 1;
      continue;
    }
    p = lt + 1;
  }
  return -1;
}

/* Copies UTF-8 with each invalid byte replaced by U+FFFD. */
static char *utf8_sanitize(const char *data, size_t len, size_t *out_len) {
  ac_strbuf b = {0};
  size_t i = 0;
  while (i < len) {
    long bad = ac_utf8_first_invalid(data + i, len - i);
    size_t good = bad < 0 ? len - i : (size_t)bad;
    if (ac_strbuf_add(&b, data + i, good) != 0)
      goto nomem;
    i += good;
    if (bad >= 0) {
      if (ac_strbuf_add(&b, "\xEF\xBF\xBD", 3) != 0)
        goto nomem;
      i++;
    }
  }
  if (ac_strbuf_add(&b, "", 0) != 0)
    goto nomem;
  *out_len = b.len;
  return b.data;
nomem:
  ac_strbuf_free(&b);
  return NULL;
}

/* Maps a declared label to the name iconv knows, following the WHATWG
 * Encoding Standard where it differs from the label (latin1 and ASCII mean
 * windows-1252; UTF-16 declared inside the document means UTF-8). */
static const char *iconv_name(const char *label) {
  static const struct {
    const char *label, *name;
  } map[] = {
      {"utf-8", "UTF-8"},
      {"utf8", "UTF-8"},
      {"unicode-1-1-utf-8", "UTF-8"},
      {"utf-16", "UTF-8"},
      {"utf-16le", "UTF-8"},
      {"utf-16be", "UTF-8"},
      {"iso-8859-1", "WINDOWS-1252"},
      {"iso8859-1", "WINDOWS-1252"},
      {"iso_8859-1", "WINDOWS-1252"},
      {"latin1", "WINDOWS-1252"},
      {"latin-1", "WINDOWS-1252"},
      {"l1", "WINDOWS-1252"},
      {"us-ascii", "WINDOWS-1252"},
      {"ascii", "WINDOWS-1252"},
      {"cp1252", "WINDOWS-1252"},
      {"x-cp1252", "WINDOWS-1252"},
      {"iso-8859-9", "WINDOWS-1254"},
      {"latin5", "WINDOWS-1254"},
      {"shift-jis", "SHIFT_JIS"},
      {"x-sjis", "SHIFT_JIS"},
      {"sjis", "SHIFT_JIS"},
      {"ms_kanji", "SHIFT_JIS"},
      {"gb2312", "GB18030"},
      {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},
      {"euc-kr", "CP949"},
      {"ks_c_5601-1987", "CP949"},
      {"x-euc-jp", "EUC-JP"},
      {"tis-620", "CP874"},
      {"iso-8859-11", "CP874"},
      {"x-mac-roman", "MACINTOSH"},
  };
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strcmp(label, map[i].label) == 0)
      return map[i].name;
  return label;
}

/* Converts `len` bytes in charset `from` to UTF-8. Bytes the converter
 * rejects become U+FFFD. NULL when iconv does not know the charset (errno
 * EINVAL) or memory runs out. */
static char *convert_to_utf8(const char *from, const char *data, size_t len,
                             size_t *out_len) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1) {
    errno = EINVAL;
    return NULL;
  }
  ac_strbuf b = {0};
  char chunk[8192];
  char *in = (char *)data;
  size_t in_left = len;
  int ok = 1;
  while (ok && in_left > 0) {
    char *out = chunk;
    size_t out_left = sizeof chunk;
    size_t r = iconv(cd, &in, &in_left, &out, &out_left);
    if (ac_strbuf_add(&b, chunk, sizeof chunk - out_left) != 0) {
      ok = 0;
      break;
    }
    if (r == (size_t)-1) {
      if (errno == E2BIG)
        continue;
      /* EILSEQ or EINVAL (truncated at the end): replace one byte. */
      if (ac_strbuf_add(&b, "\xEF\xBF\xBD", 3) != 0)
        ok = 0;
      in++;
      in_left--;
      iconv(cd, NULL, NULL, NULL, NULL);
    }
  }
  iconv_close(cd);
  if (!ok || ac_strbuf_add(&b, "", 0) != 0) {
    ac_strbuf_free(&b);
    errno = ENOMEM;
    return NULL;
  }
  *out_len = b.len;
  return b.data;
}

int sh_looks_html(const char *data, size_t len) {
  size_t limit = len < 4096 ? len : 4096;
  size_t i = 0;
  /* Skip a byte order mark and leading white space. */
  if (limit >= 3 && (unsigned char)data[0] == 0xEF &&
      (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
    i = 3;
  while (i < limit && (data[i] == ' ' || (data[i] >= '\t' && data[i] <= '\r')))
    i++;
  static const char *const starts[] = {"<!doctype html", "<html", "<head",
                                       "<!--",           "<?xml", "<body",
                                       "<meta",          "<title"};
  for (size_t k = 0; k < sizeof starts / sizeof *starts; k++) {
    size_t n = strlen(starts[k]);
    if (i + n <= limit && strncasecmp(data + i, starts[k], n) == 0) {
      if (k >= 3) { /* comments and <?xml need an HTML tag later on */
        for (size_t j = i; j + 5 <= limit; j++)
          if (strncasecmp(data + j, "<html", 5) == 0 ||
              strncasecmp(data + j, "<head", 5) == 0 ||
              strncasecmp(data + j, "<body", 5) == 0)
            return 1;
        return k >= 5; /* <body>, <meta>, <title> alone are HTML enough */
      }
      return 1;
    }
  }
  return 0;
}

char *sh_decode(const char *data, size_t len, const char *http_charset,
                int html, size_t *out_len) {
  char label[64] = "";
  const char *name = NULL;
  size_t skip = 0;
  const unsigned char *u = (const unsigned char *)data;
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
    name = "UTF-8";
    skip = 3;
  } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
    name = "UTF-16LE";
    skip = 2;
  } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
    name = "UTF-16BE";
    skip = 2;
  } else if (http_charset && http_charset[0]) {
    copy_label(http_charset, strlen(http_charset), label, sizeof label);
    /* In an HTTP header UTF-16 means UTF-16 (the bytes tell which). */
    if (strcmp(label, "utf-16") == 0 || strcmp(label, "utf-16le") == 0)
      name = "UTF-16LE";
    else if (strcmp(label, "utf-16be") == 0)
      name = "UTF-16BE";
    else if (label[0])
      name = iconv_name(label);
  }
  if (!name && html && meta_charset(data, len, label, sizeof label) == 0)
    name = iconv_name(label);
  if (!name)
    name = ac_utf8_first_invalid(data, len) < 0 ? "UTF-8" : "WINDOWS-1252";

  char *text = NULL;
  if (strcmp(name, "UTF-8") != 0) {
    text = convert_to_utf8(name, data + skip, len - skip, out_len);
    if (!text && errno != EINVAL)
      return NULL;
    /* else an unknown label: trust the bytes */
  }
  if (!text)
    text = utf8_sanitize(data + skip, len - skip, out_len);
  return text;
}

/* ---- Markup libxml2 would read as text ----------------------------------
 *
 * libxml2's HTML parser predates HTML5 and reads some markup as text to be
 * spoken: a DOCTYPE's internal subset ("<!DOCTYPE html [<!ENTITY x "y">]>"
 * ends at the first '>', inside the subset), CDATA sections, conditional
 * comments ("<![if !IE]>") and other declarations ("<!ELEMENT ...>"), which
 * a browser treats as comments; it also deletes control characters, which
 * glues the words around them. Before parsing, these declarations are
 * blanked out (spaces keep the byte offsets) and control characters
 * become spaces. Comments, tags (their quoted attribute values may hold
 * '<') and raw-text elements (script, JSON-LD included, style, ...) are
 * stepped over unchanged.
 */

static int is_space_byte(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Where the first `needle` at or after i ends (its last byte + 1), or len. */
static size_t end_of(const char *t, size_t len, size_t i, const char *needle) {
  size_t n = strlen(needle);
  for (; i + n <= len; i++)
    if (strncasecmp(t + i, needle, n) == 0)
      return i + n;
  return len;
}

/* The end of a tag opened at i ("<name" or "</name"): after its '>',
 * stepping over quoted attribute values. */
static size_t end_of_tag(const char *t, size_t len, size_t i) {
  char quote = 0;
  for (; i < len; i++) {
    if (quote)
      quote = t[i] == quote ? 0 : quote;
    else if (t[i] == '"' || t[i] == '\'')
      quote = t[i];
    else if (t[i] == '>')
      return i + 1;
  }
  return len;
}

/* The end of a "<!DOCTYPE" declaration at i, with its internal subset
 * when it has one (quoted strings in it may hold ']' and '>'). */
static size_t end_of_doctype(const char *t, size_t len, size_t i) {
  for (i += 9; i < len && t[i] != '[' && t[i] != '>'; i++)
    ;
  if (i >= len || t[i] == '>')
    return i < len ? i + 1 : len;
  char quote = 0;
  for (i++; i < len; i++) {
    if (quote) {
      quote = t[i] == quote ? 0 : quote;
    } else if (t[i] == '"' || t[i] == '\'') {
      quote = t[i];
    } else if (t[i] == ']') {
      size_t j = i + 1;
      while (j < len && is_space_byte(t[j]))
        j++;
      if (j < len && t[j] == '>')
        return j + 1;
    }
  }
  return len;
}

/* Elements whose content is raw text, not markup. */
static const char *raw_text_element(const char *t, size_t len, size_t i) {
  static const char *const names[] = {"script",  "style",    "textarea",
                                      "title",   "xmp",      "iframe",
                                      "noembed", "noframes", "plaintext"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    size_t n = strlen(names[k]);
    if (i + 1 + n < len && strncasecmp(t + i + 1, names[k], n) == 0 &&
        (is_space_byte(t[i + 1 + n]) || t[i + 1 + n] == '>' ||
         t[i + 1 + n] == '/'))
      return names[k];
  }
  return NULL;
}

/* Steps over the markup at t[i] == '<', blanking the declarations a
 * browser does not show; returns where to go on. */
static size_t step_markup(char *t, size_t len, size_t i, int first) {
  if (i + 4 <= len && memcmp(t + i, "<!--", 4) == 0)
    return end_of(t, len, i + 4, "-->");
  size_t end;
  if (i + 1 < len && t[i + 1] == '!') {
    if (len - i >= 9 && strncasecmp(t + i, "<!doctype", 9) == 0) {
      end = end_of_doctype(t, len, i);
      if (first && memchr(t + i, '[', end - i) == NULL)
        return end; /* a plain DOCTYPE opening the page: libxml2's */
    } else if (len - i >= 9 && memcmp(t + i, "<![CDATA[", 9) == 0) {
      end = end_of(t, len, i + 9, "]]>");
    } else {
      end = end_of_tag(t, len, i + 2);
    }
    memset(t + i, ' ', end - i);
    return end;
  }
  int letter =
      i + 1 < len && ((t[i + 1] | 0x20) >= 'a' && (t[i + 1] | 0x20) <= 'z');
  int closing = i + 2 < len && t[i + 1] == '/';
  if (!letter && !closing)
    return i + 1; /* a '<' in text */
  end = end_of_tag(t, len, i + 1);
  const char *raw = letter ? raw_text_element(t, len, i) : NULL;
  if (raw) {
    char close[16];
    snprintf(close, sizeof close, "</%s", raw);
    end = end_of(t, len, end, close);
  }
  return end;
}

static void prepare_markup(char *t, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)t[i] < 0x20 && !is_space_byte(t[i])) || t[i] == 0x7F)
      t[i] = ' ';
  int first = 1;
  for (size_t i = 0; i < len;) {
    unsigned char c = (unsigned char)t[i];
    if (c == '<') {
      i = step_markup(t, len, i, first);
      first = 0;
      continue;
    }
    if (!is_space_byte(t[i]) && c != 0xEF && c != 0xBB && c != 0xBF)
      first = 0;
    i++;
  }
}

/* The deepest element nesting in the tree, counted without recursion. */
static size_t tree_depth(const xmlNode *root) {
  size_t depth = 1, deepest = 1;
  const xmlNode *n = root;
  while (n) {
    if (n->children && n->type == XML_ELEMENT_NODE) {
      n = n->children;
      if (++depth > deepest)
        deepest = depth;
      continue;
    }
    while (n && !n->next && n != root) {
      n = n->parent;
      depth--;
    }
    if (!n || n == root)
      break;
    n = n->next;
  }
  return deepest;
}

htmlDocPtr sh_parse(const char *data, size_t len, const char *http_charset,
                    char *err, size_t errlen) {
  size_t text_len = 0;
  char *text = sh_decode(data, len, http_charset, 1, &text_len);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (text_len > (size_t)INT32_MAX) {
    free(text);
    snprintf(err, errlen, "page too large (%zu bytes)", text_len);
    return NULL;
  }
  prepare_markup(text, text_len);
  /* XML_PARSE_HUGE lifts libxml2's nesting limit of 256, past which it
   * drops the rest of the page (and pages built of unclosed tags nest
   * deep); the depth is bounded below instead, with a message. */
  htmlDocPtr doc = htmlReadMemory(text, (int)text_len, NULL, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                      HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                      HTML_PARSE_COMPACT | XML_PARSE_HUGE);
  free(text);
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root) {
    if (doc)
      xmlFreeDoc(doc);
    snprintf(err, errlen, "not an HTML page: the parser found no elements");
    return NULL;
  }
  size_t depth = tree_depth(root);
  if (depth > SH_MAX_DEPTH) {
    xmlFreeDoc(doc);
    snprintf(err, errlen,
             "the page nests its elements %zu deep, more than the %d "
             "articast reads (a page that deep is broken or hostile)",
             depth, SH_MAX_DEPTH);
    return NULL;
  }
  return doc;
}

/* ---- Tree helpers -------------------------------------------------------
 */

const char *sh_attr(const xmlNode *n, const char *name) {
  if (!n || n->type != XML_ELEMENT_NODE)
    return NULL;
  for (const xmlAttr *a = n->properties; a; a = a->next) {
    if (!a->name || strcasecmp((const char *)a->name, name) != 0)
      continue;
    if (!a->children)
      return "";
    if (a->children->content)
      return (const char *)a->children->content;
    return "";
  }
  return NULL;
}

static int node_text_rec(const xmlNode *n, ac_strbuf *b, int depth) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content && sh_buf_add_text(b, (const char *)n->content,
                                        strlen((const char *)n->content)) != 0)
        return -1;
    } else if (n->type == XML_ELEMENT_NODE && depth <= SH_MAX_DEPTH) {
      const char *tag = (const char *)n->name;
      if (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0)
        continue;
      int block = strcmp(tag, "br") == 0 || strcmp(tag, "p") == 0 ||
                  strcmp(tag, "div") == 0 || strcmp(tag, "li") == 0;
      if (block && !ends_with_space(b) && ac_strbuf_addc(b, ' ') != 0)
        return -1;
      if (node_text_rec(n->children, b, depth + 1) != 0)
        return -1;
      if (block && !ends_with_space(b) && ac_strbuf_addc(b, ' ') != 0)
        return -1;
    }
  }
  return 0;
}

char *sh_node_text(const xmlNode *n) {
  ac_strbuf b = {0};
  if (ac_strbuf_add(&b, "", 0) != 0)
    return NULL;
  if (n && node_text_rec(n->type == XML_ELEMENT_NODE ? n->children : n, &b,
                         0) != 0) {
    ac_strbuf_free(&b);
    return NULL;
  }
  sh_buf_rtrim(&b);
  return b.data;
}

char *sh_resolve_url(const char *base, const char *ref) {
  if (!ref)
    return NULL;
  const char *r = ref;
  size_t n = strlen(ref);
  sh_trim(&r, &n);
  char *trimmed = strndup(r, n);
  if (!trimmed)
    return NULL;
  if (!base || !base[0] || n == 0)
    return trimmed;
  xmlChar *built = xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)base);
  if (!built)
    return trimmed;
  char *out = strdup((const char *)built);
  xmlFree(built);
  if (!out)
    return trimmed;
  free(trimmed);
  return out;
}
