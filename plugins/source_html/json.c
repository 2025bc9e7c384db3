/*
 * source_html: a small JSON reader for the JSON-LD blocks of web pages.
 *
 * Pages' JSON-LD is hand-assembled by templates and often not quite JSON:
 * trailing commas, raw newlines or tabs inside strings, a "<!--" or
 * "//<![CDATA[" wrapper, comments. The reader accepts those. It builds a
 * tree of sh_json nodes (first child, next sibling) with strings decoded to
 * UTF-8; depth is bounded so hostile input cannot exhaust the stack.
 */
#include "source_html.h"
#include "utf8.h" /* plugins/common */

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct reader {
  const char *p, *end;
  int failed; /* out of memory or malformed beyond repair */
} reader;

static void skip_space(reader *r) {
  while (r->p < r->end) {
    char c = *r->p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      r->p++;
    } else if (c == '/' && r->p + 1 < r->end && r->p[1] == '/') {
      while (r->p < r->end && *r->p != '\n')
        r->p++;
    } else if (c == '/' && r->p + 1 < r->end && r->p[1] == '*') {
      const char *close = NULL;
      for (const char *q = r->p + 2; q + 1 < r->end; q++)
        if (q[0] == '*' && q[1] == '/') {
          close = q;
          break;
        }
      r->p = close ? close + 2 : r->end;
    } else if (r->end - r->p >= 4 && memcmp(r->p, "<!--", 4) == 0) {
      r->p += 4;
    } else if (r->end - r->p >= 3 && memcmp(r->p, "-->", 3) == 0) {
      r->p += 3;
    } else if (r->end - r->p >= 9 && memcmp(r->p, "<![CDATA[", 9) == 0) {
      r->p += 9;
    } else if (r->end - r->p >= 3 && memcmp(r->p, "]]>", 3) == 0) {
      r->p += 3;
    } else {
      break;
    }
  }
}

static sh_json *new_node(reader *r, sh_json_type type) {
  sh_json *j = calloc(1, sizeof *j);
  if (!j)
    r->failed = 1;
  else
    j->type = type;
  return j;
}

static int hex4(const char *p, const char *end, unsigned *out) {
  if (end - p < 4)
    return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

/* Reads a string starting at the opening quote (" or '). */
static char *read_string(reader *r) {
  char quote = *r->p++;
  ac_strbuf b = {0};
  if (ac_strbuf_add(&b, "", 0) != 0) {
    r->failed = 1;
    return NULL;
  }
  while (r->p < r->end && *r->p != quote) {
    const char *start = r->p;
    while (r->p < r->end && *r->p != quote && *r->p != '\\')
      r->p++;
    if (ac_strbuf_add(&b, start, (size_t)(r->p - start)) != 0)
      goto nomem;
    if (r->p >= r->end || *r->p != '\\')
      continue;
    r->p++;
    if (r->p >= r->end)
      break;
    char c = *r->p++;
    int rc = 0;
    switch (c) {
    case 'n':
      rc = ac_strbuf_addc(&b, '\n');
      break;
    case 't':
      rc = ac_strbuf_addc(&b, '\t');
      break;
    case 'r':
      rc = ac_strbuf_addc(&b, '\r');
      break;
    case 'b':
    case 'f':
      rc = ac_strbuf_addc(&b, ' ');
      break;
    case 'u': {
      unsigned cp;
      if (hex4(r->p, r->end, &cp) != 0) {
        rc = ac_strbuf_addc(&b, 'u');
        break;
      }
      r->p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if (r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u' &&
            hex4(r->p + 2, r->end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
          r->p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else {
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      char u[4];
      rc = ac_strbuf_add(&b, u, ac_utf8_encode(cp ? cp : 0xFFFD, u));
      break;
    }
    default: /* \" \\ \/ and unknown escapes stand for the character */
      rc = ac_strbuf_addc(&b, c);
      break;
    }
    if (rc != 0)
      goto nomem;
  }
  if (r->p < r->end)
    r->p++; /* closing quote */
  return b.data;
nomem:
  ac_strbuf_free(&b);
  r->failed = 1;
  return NULL;
}

static sh_json *read_value(reader *r, int depth);

/* Reads members or elements up to `close`; `object` says which. */
static sh_json *read_container(reader *r, int depth, int object) {
  char close = object ? '}' : ']';
  sh_json *j = new_node(r, object ? SH_JSON_OBJECT : SH_JSON_ARRAY);
  if (!j)
    return NULL;
  r->p++;
  sh_json **tail = &j->child;
  for (;;) {
    skip_space(r);
    if (r->p >= r->end)
      break;
    if (*r->p == close) {
      r->p++;
      break;
    }
    if (*r->p == ',') { /* empty or trailing element */
      r->p++;
      continue;
    }
    char *key = NULL;
    if (object) {
      if (*r->p == '"' || *r->p == '\'') {
        key = read_string(r);
      } else { /* unquoted key */
        const char *start = r->p;
        while (r->p < r->end && *r->p != ':' && *r->p != close &&
               *r->p != ',' && *r->p != ' ')
          r->p++;
        key = strndup(start, (size_t)(r->p - start));
      }
      if (!key) {
        r->failed = 1;
        break;
      }
      skip_space(r);
      if (r->p < r->end && *r->p == ':')
        r->p++;
      skip_space(r);
    }
    const char *before = r->p;
    sh_json *v = read_value(r, depth + 1);
    if (!v) {
      free(key);
      if (r->failed)
        break;
      if (r->p == before) /* nothing consumed: skip a byte */
        r->p++;
      continue;
    }
    v->key = key;
    *tail = v;
    tail = &v->next;
  }
  if (r->failed) {
    sh_json_free(j);
    return NULL;
  }
  return j;
}

static sh_json *read_value(reader *r, int depth) {
  skip_space(r);
  if (r->p >= r->end || depth > MAX_DEPTH)
    return NULL;
  char c = *r->p;
  if (c == '{' || c == '[')
    return read_container(r, depth, c == '{');
  if (c == '"' || c == '\'') {
    char *s = read_string(r);
    if (!s)
      return NULL;
    sh_json *j = new_node(r, SH_JSON_STRING);
    if (!j) {
      free(s);
      return NULL;
    }
    j->str = s;
    return j;
  }
  const char *start = r->p;
  while (r->p < r->end && *r->p != ',' && *r->p != '}' && *r->p != ']' &&
         *r->p != ' ' && *r->p != '\n' && *r->p != '\r' && *r->p != '\t')
    r->p++;
  size_t n = (size_t)(r->p - start);
  if (n == 0)
    return NULL;
  sh_json *j;
  if (n == 4 && memcmp(start, "true", 4) == 0) {
    j = new_node(r, SH_JSON_BOOL);
    if (j)
      j->boolean = 1;
  } else if (n == 5 && memcmp(start, "false", 5) == 0) {
    j = new_node(r, SH_JSON_BOOL);
  } else if (n == 4 && memcmp(start, "null", 4) == 0) {
    j = new_node(r, SH_JSON_NULL);
  } else if ((start[0] >= '0' && start[0] <= '9') || start[0] == '-') {
    j = new_node(r, SH_JSON_NUMBER);
    if (j && !(j->str = strndup(start, n))) {
      free(j);
      j = NULL;
      r->failed = 1;
    }
  } else {
    return NULL; /* a bare word: not JSON */
  }
  return j;
}

sh_json *sh_json_parse(const char *s, size_t len) {
  reader r = {s, s + len, 0};
  sh_json *j = read_value(&r, 0);
  if (r.failed) {
    sh_json_free(j);
    return NULL;
  }
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
