/* Growable strings; see strbuf.h. */
#include "strbuf.h"

#include "utf8.h"

#include <stdlib.h>
#include <string.h>

static int reserve(ac_strbuf *b, size_t extra) {
  if (b->cap - b->len > extra) /* room for the bytes and the NUL */
    return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len <= extra) {
    if (cap > SIZE_MAX / 2)
      return -1;
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p)
    return -1;
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

void ac_strbuf_free(ac_strbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
