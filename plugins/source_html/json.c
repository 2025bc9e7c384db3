/*
 * source_html: the JSON-LD blocks of web pages, read with jansson.
 *
 * Pages' JSON-LD is assembled by templates and often not quite JSON. Before
 * jansson reads a block, a tidying pass mends what templates commonly get
 * wrong and what can be mended without guessing: an HTML comment or CDATA
 * wrapper, // and block comments, trailing or doubled commas, raw control
 * characters in strings, unknown escapes ("\'") and lone UTF-16
 * surrogates. A block still not JSON after that (an unescaped quote inside
 * a string, single-quoted strings) is skipped: guessing where its strings
 * end would put wrong text in the metadata.
 *
 * The result is converted to the small sh_json tree the metadata code
 * walks. Input and depth are bounded so a hostile page costs little.
 */
#include "source_html.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON-LD block larger than this is not metadata: it is skipped. */
#define MAX_JSON_BYTES (4u << 20)
/* Deeper values are dropped from the tree (the metadata lies near the
 * top); jansson itself stops at JSON_PARSER_MAX_DEPTH. */
#define MAX_DEPTH 64

/* ---- Tidying ----------------------------------------------------------- */

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* The UTF-16 unit of "\uXXXX" at p (6 bytes available), or -1. */
static long escaped_unit(const char *p, const char *end) {
  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  long v = 0;
  for (int i = 2; i < 6; i++) {
    if (!is_hex(p[i]))
      return -1;
    v = v * 16 + (p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
  }
  return v;
}

/* Copies the string that opens at *pp (a '"') into out, mended. */
static int tidy_string(const char **pp, const char *end, ac_strbuf *out) {
  const char *p = *pp + 1;
  int rc = ac_strbuf_addc(out, '"');
  while (rc == 0 && p < end && *p != '"') {
    unsigned char c = (unsigned char)*p;
    if (c == '\\' && p + 1 < end) {
      long unit = escaped_unit(p, end);
      if (unit >= 0xD800 && unit <= 0xDBFF &&
          escaped_unit(p + 6, end) >= 0xDC00 &&
          escaped_unit(p + 6, end) <= 0xDFFF) {
        rc = ac_strbuf_add(out, p, 12); /* a surrogate pair */
        p += 12;
      } else if (unit == 0 || (unit >= 0xD800 && unit <= 0xDFFF)) {
        rc = ac_strbuf_adds(out, "\\uFFFD"); /* NUL or a lone surrogate */
        p += 6;
      } else if (unit > 0 || (p[1] && strchr("\"\\/bfnrt", p[1]))) {
        rc = ac_strbuf_add(out, p, unit > 0 ? 6 : 2);
        p += unit > 0 ? 6 : 2;
      } else {
        p++; /* "\'" and other unknown escapes: the character itself */
      }
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      rc = ac_strbuf_adds(out, esc);
      p++;
    } else {
      rc = ac_strbuf_addc(out, (char)c);
      p++;
    }
  }
  if (rc == 0 && p < end) {
    rc = ac_strbuf_addc(out, '"');
    p++;
  }
  *pp = p;
  return rc;
}

/* The last byte written other than white space, or '\0'. */
static char last_token(const ac_strbuf *out) {
  for (size_t i = out->len; i-- > 0;)
    if (!strchr(" \t\r\n", out->data[i]))
      return out->data[i];
  return '\0';
}

/* Drops a ',' (and the white space after it) that closes a container. */
static void drop_trailing_comma(ac_strbuf *out) {
  size_t i = out->len;
  while (i > 0 && strchr(" \t\r\n", out->data[i - 1]))
    i--;
  if (i > 0 && out->data[i - 1] == ',') {
    out->len = i - 1;
    out->data[out->len] = '\0';
  }
}

/* Length of a comment or wrapper at p, 0 when there is none. */
static size_t noise(const char *p, const char *end) {
  static const char *const wrappers[] = {"<!--", "-->", "<![CDATA[", "]]>"};
  size_t n = (size_t)(end - p);
  if (n >= 2 && p[0] == '/' && p[1] == '/') {
    const char *nl = memchr(p, '\n', n);
    return nl ? (size_t)(nl - p) : n;
  }
  if (n >= 2 && p[0] == '/' && p[1] == '*') {
    for (const char *q = p + 2; q + 1 < end; q++)
      if (q[0] == '*' && q[1] == '/')
        return (size_t)(q + 2 - p);
    return n;
  }
  for (size_t i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++) {
    size_t k = strlen(wrappers[i]);
    if (n >= k && memcmp(p, wrappers[i], k) == 0)
      return k;
  }
  return 0;
}

/* Writes the block as JSON jansson accepts, as far as mending goes. */
static int tidy(const char *s, size_t len, ac_strbuf *out) {
  const char *p = s, *end = s + len;
  int rc = ac_strbuf_add(out, "", 0);
  while (rc == 0 && p < end) {
    size_t skip = noise(p, end);
    if (skip) {
      p += skip;
      continue;
    }
    char c = *p;
    if (c == '"') {
      rc = tidy_string(&p, end, out);
      continue;
    }
    if (c == ']' || c == '}') {
      drop_trailing_comma(out);
    } else if (c == ',') {
      char last = last_token(out);
      if (last == ',' || last == '[' || last == '{' || last == '\0') {
        p++; /* an empty element */
        continue;
      }
    }
    rc = ac_strbuf_addc(out, c);
    p++;
  }
  return rc;
}

/* ---- Conversion -------------------------------------------------------- */

static sh_json *convert(json_t *v, int depth);

/* Children of an array or object, in order, as a sibling list. */
static int convert_children(json_t *v, int depth, sh_json *parent) {
  sh_json **tail = &parent->child;
  if (json_is_array(v)) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      sh_json *c = convert(item, depth + 1);
      if (!c)
        return -1;
      *tail = c;
      tail = &c->next;
    }
    return 0;
  }
  const char *key;
  json_t *item;
  json_object_foreach(v, key, item) {
    sh_json *c = convert(item, depth + 1);
    if (!c)
      return -1;
    *tail = c;
    tail = &c->next;
    if (!(c->key = strdup(key)))
      return -1;
  }
  return 0;
}

/* Builds the sh_json node of a jansson value; NULL when memory runs out.
 * Below MAX_DEPTH, containers are kept empty. */
static sh_json *convert(json_t *v, int depth) {
  sh_json *j = calloc(1, sizeof *j);
  if (!j)
    return NULL;
  int rc = 0;
  switch (json_typeof(v)) {
  case JSON_OBJECT:
  case JSON_ARRAY:
    j->type = json_is_object(v) ? SH_JSON_OBJECT : SH_JSON_ARRAY;
    if (depth < MAX_DEPTH)
      rc = convert_children(v, depth, j);
    break;
  case JSON_STRING:
    j->type = SH_JSON_STRING;
    rc = (j->str = strdup(json_string_value(v))) ? 0 : -1;
    break;
  case JSON_INTEGER:
  case JSON_REAL: {
    char num[40];
    snprintf(num, sizeof num, "%.17g", json_number_value(v));
    j->type = SH_JSON_NUMBER;
    rc = (j->str = strdup(num)) ? 0 : -1;
    break;
  }
  case JSON_TRUE:
  case JSON_FALSE:
    j->type = SH_JSON_BOOL;
    j->boolean = json_is_true(v);
    break;
  default:
    j->type = SH_JSON_NULL;
    break;
  }
  if (rc != 0) {
    sh_json_free(j);
    return NULL;
  }
  return j;
}

sh_json *sh_json_parse(const char *s, size_t len) {
  if (len > MAX_JSON_BYTES)
    return NULL;
  ac_strbuf text = {0};
  sh_json *j = NULL;
  if (tidy(s, len, &text) == 0) {
    /* Integers as reals: a 30-digit "width" must not sink the block. What
     * follows the first value is ignored, as a browser would. */
    json_error_t err;
    json_t *root =
        json_loadb(text.data, text.len,
                   JSON_DECODE_INT_AS_REAL | JSON_DISABLE_EOF_CHECK, &err);
    if (root)
      j = convert(root, 0);
    json_decref(root);
  }
  ac_strbuf_free(&text);
  return j;
}

void sh_json_free(sh_json *j) {
  while (j) {
    sh_json *next = j->next;
    sh_json_free(j->child);
    free(j->str);
    free(j->key);
    free(j);
    j = next;
  }
}

const sh_json *sh_json_get(const sh_json *obj, const char *key) {
  if (!obj || obj->type != SH_JSON_OBJECT)
    return NULL;
  for (const sh_json *c = obj->child; c; c = c->next)
    if (c->key && strcmp(c->key, key) == 0)
      return c;
  return NULL;
}
