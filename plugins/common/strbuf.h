/* A growable string: bytes appended at the end, always NUL-terminated once
 * something was added. Zero-initialize, free with ac_strbuf_free. The add
 * functions return 0, or -1 when out of memory (the buffer is unchanged). */
#ifndef ARTICAST_COMMON_STRBUF_H
#define ARTICAST_COMMON_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ac_strbuf {
  char *data; /* NUL-terminated when not NULL */
  size_t len, cap;
} ac_strbuf;

int ac_strbuf_add(ac_strbuf *b, const char *s, size_t n);
int ac_strbuf_adds(ac_strbuf *b, const char *s);
int ac_strbuf_addc(ac_strbuf *b, char c);
/* Appends the UTF-8 encoding of code point cp. */
int ac_strbuf_add_utf8(ac_strbuf *b, uint32_t cp);
void ac_strbuf_free(ac_strbuf *b);

#endif
