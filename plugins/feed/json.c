/* A small strict JSON reader (see json.h). */
#include "json.h"
#include "utf8.h" /* plugins/common */

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is refused, so a hostile file cannot exhaust the
 * stack. Chapters files nest three levels. */
#define MAX_DEPTH 64

typedef struct parser {
  const char *start, *p, *end;
  int depth;
  char *why;
  size_t whylen;
} parser;

static int fail(parser *ps, const char *what) {
  snprintf(ps->why, ps->whylen, "%s at byte %zu", what,
           (size_t)(ps->p - ps->start));
  return -1;
}

static void skip_ws(parser *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return fail(ps, "unexpected character");
  ps->p += n;
  return 0;
}

static int hex4(parser *ps, uint32_t *out) {
  if (ps->end - ps->p < 4)
    return fail(ps, "short \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = ps->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (uint32_t)(c - 'A' + 10);
    else
      return fail(ps, "bad \\u escape");
  }
  ps->p += 4;
  *out = v;
  return 0;
}

/* Reads a string token (at the opening quote) into a malloc'd C string.
 * Escapes never grow the text (\uXXXX is 6 bytes for at most 3, a pair 12
 * for 4), so the raw length bounds the output. */
static int parse_string(parser *ps, char **out) {
  ps->p++; /* the quote */
  const char *q = ps->p;
  while (q < ps->end && *q != '"') {
    if (*q == '\\')
      q++;
    q++;
  }
  if (q >= ps->end)
    return fail(ps, "unterminated string");
  char *s = malloc((size_t)(q - ps->p) + 1);
  if (!s)
    return fail(ps, "out of memory");
  size_t n = 0;
  while (*ps->p != '"') {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20) {
      free(s);
      return fail(ps, "control character in string");
    }
    if (c != '\\') {
      s[n++] = (char)c;
      ps->p++;
      continue;
    }
    ps->p++;
    char e = *ps->p++;
    uint32_t cp;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      s[n++] = e;
      break;
    case 'b':
      s[n++] = '\b';
      break;
    case 'f':
      s[n++] = '\f';
      break;
    case 'n':
      s[n++] = '\n';
      break;
    case 'r':
      s[n++] = '\r';
      break;
    case 't':
      s[n++] = '\t';
      break;
    case 'u':
      if (hex4(ps, &cp)) {
        free(s);
        return -1;
      }
      if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 &&
          ps->p[0] == '\\' && ps->p[1] == 'u') {
        const char *save = ps->p;
        uint32_t lo;
        ps->p += 2;
        if (hex4(ps, &lo)) {
          free(s);
          return -1;
        }
        if (lo >= 0xDC00 && lo <= 0xDFFF)
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        else
          ps->p = save; /* a lone high surrogate; the next escape stands */
      }
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        cp = 0xFFFD; /* lone surrogates and NUL have no place in C text */
      n += ac_utf8_encode(cp, s + n);
      break;
    default:
      free(s);
      ps->p--;
      return fail(ps, "bad escape");
    }
  }
  ps->p++; /* the closing quote */
  s[n] = '\0';
  *out = s;
  return 0;
}

/* Checks the number grammar, then converts in the C locale, since strtod
 * follows LC_NUMERIC and a host may have set a locale with a decimal
 * comma. */
static int parse_number(parser *ps, double *out) {
  const char *q = ps->p;
  if (q < ps->end && *q == '-')
    q++;
  if (q < ps->end && *q == '0') {
    q++;
  } else if (q < ps->end && *q >= '1' && *q <= '9') {
    while (q < ps->end && *q >= '0' && *q <= '9')
      q++;
  } else {
    return fail(ps, "bad number");
  }
  if (q < ps->end && *q == '.') {
    q++;
    if (q >= ps->end || *q < '0' || *q > '9')
      return fail(ps, "bad number");
    while (q < ps->end && *q >= '0' && *q <= '9')
      q++;
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < ps->end && (*q == '+' || *q == '-'))
      q++;
    if (q >= ps->end || *q < '0' || *q > '9')
      return fail(ps, "bad number");
    while (q < ps->end && *q >= '0' && *q <= '9')
      q++;
  }
  size_t n = (size_t)(q - ps->p);
  char buf[64];
  if (n >= sizeof buf)
    return fail(ps, "number too long");
  memcpy(buf, ps->p, n);
  buf[n] = '\0';
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = c ? uselocale(c) : (locale_t)0;
  *out = strtod(buf, NULL);
  if (c) {
    uselocale(old);
    freelocale(c);
  }
  ps->p = q;
  return 0;
}

static int parse_value(parser *ps, json_value *v);

/* Appends a zeroed slot to an array or object; returns it or NULL. */
static json_value *grow(json_value *v, size_t *cap, int with_key) {
  if (v->count == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    json_value *items = realloc(v->items, ncap * sizeof *items);
    if (!items)
      return NULL;
    v->items = items;
    if (with_key) {
      char **keys = realloc(v->keys, ncap * sizeof *keys);
      if (!keys)
        return NULL;
      v->keys = keys;
    }
    *cap = ncap;
  }
  json_value *slot = &v->items[v->count];
  memset(slot, 0, sizeof *slot);
  if (with_key)
    v->keys[v->count] = NULL;
  v->count++;
  return slot;
}

static int parse_container(parser *ps, json_value *v, int object) {
  char close = object ? '}' : ']';
  v->type = object ? JSON_OBJECT : JSON_ARRAY;
  if (++ps->depth > MAX_DEPTH)
    return fail(ps, "nested too deeply");
  ps->p++; /* the opening bracket */
  size_t cap = 0;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    ps->depth--;
    return 0;
  }
  for (;;) {
    json_value *slot = grow(v, &cap, object);
    if (!slot)
      return fail(ps, "out of memory");
    if (object) {
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != '"')
        return fail(ps, "expected a member name");
      if (parse_string(ps, &v->keys[v->count - 1]))
        return -1;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':')
        return fail(ps, "expected ':'");
      ps->p++;
    }
    if (parse_value(ps, slot))
      return -1;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      ps->depth--;
      return 0;
    }
    return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int parse_value(parser *ps, json_value *v) {
  skip_ws(ps);
  if (ps->p >= ps->end)
    return fail(ps, "unexpected end of input");
  switch (*ps->p) {
  case '{':
    return parse_container(ps, v, 1);
  case '[':
    return parse_container(ps, v, 0);
  case '"':
    v->type = JSON_STRING;
    return parse_string(ps, &v->string);
  case 't':
    v->type = JSON_TRUE;
    return literal(ps, "true");
  case 'f':
    v->type = JSON_FALSE;
    return literal(ps, "false");
  case 'n':
    v->type = JSON_NULL;
    return literal(ps, "null");
  default:
    v->type = JSON_NUMBER;
    return parse_number(ps, &v->number);
  }
}

int json_parse(const char *text, size_t len, json_value *out, char *why,
               size_t whylen) {
  parser ps = {text, text, text + len, 0, why, whylen};
  memset(out, 0, sizeof *out);
  if (parse_value(&ps, out) == 0) {
    skip_ws(&ps);
    if (ps.p == ps.end)
      return 0;
    fail(&ps, "trailing data");
  }
  json_free(out);
  return -1;
}

void json_free(json_value *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->count; i++) {
    json_free(&v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->string);
  memset(v, 0, sizeof *v);
}

const json_value *json_member(const json_value *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
      return &obj->items[i];
  return NULL;
}
