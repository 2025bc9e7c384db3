/* Growable strings; see strbuf.h. */
#include "strbuf.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(ac_strbuf *b, size_t extra) {
  if (b->cap - b->len > extra) /* room for the bytes and the NUL */
    return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len <= extra) {
    if (cap > SIZE_MAX / 2) {
      b->oom = 1;
      return -1;
    }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p) {
    b->oom = 1;
    return -1;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

int ac_strbuf_add(ac_strbuf *b, const char *s, size_t n) {
  if (reserve(b, n) != 0)
    return -1;
  if (n)
    memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int ac_strbuf_adds(ac_strbuf *b, const char *s) {
  return ac_strbuf_add(b, s, strlen(s));
}

int ac_strbuf_addc(ac_strbuf *b, char c) {
  return ac_strbuf_add(b, &c, 1);
}

int ac_strbuf_add_utf8(ac_strbuf *b, uint32_t cp) {
  char u[4];
  return ac_strbuf_add(b, u, ac_utf8_encode(cp, u));
}

int ac_strbuf_printf(ac_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) != 0) {
    b->oom = 1;
    return -1;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

char *ac_strbuf_take(ac_strbuf *b) {
  char *s = b->oom ? NULL : b->data ? b->data : strdup("");
  if (b->oom)
    free(b->data);
  memset(b, 0, sizeof *b);
  return s;
}

void ac_strbuf_free(ac_strbuf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}
