/* A growable string: bytes appended at the end, always NUL-terminated once
 * something was added. Zero-initialize, free with ac_strbuf_free (or take
 * the string with ac_strbuf_take). The add functions return 0, or -1 when
 * out of memory (the buffer is unchanged, and `oom` stays set, so a caller
 * may append many times and check once). */
#ifndef ARTICAST_COMMON_STRBUF_H
#define ARTICAST_COMMON_STRBUF_H

#include <stddef.h>
#include <stdint.h>

#include "articast/plugin.h" /* AC_PRINTF */

typedef struct ac_strbuf {
  char *data; /* NUL-terminated when not NULL */
  size_t len, cap;
  int oom; /* an append failed */
} ac_strbuf;

int ac_strbuf_add(ac_strbuf *b, const char *s, size_t n);
int ac_strbuf_adds(ac_strbuf *b, const char *s);
int ac_strbuf_addc(ac_strbuf *b, char c);
/* Appends the UTF-8 encoding of code point cp. */
int ac_strbuf_add_utf8(ac_strbuf *b, uint32_t cp);
int ac_strbuf_printf(ac_strbuf *b, const char *fmt, ...) AC_PRINTF(2, 3);
/* The string, malloc'd ("" when empty), or NULL after any failed append;
 * the buffer is empty afterwards. */
char *ac_strbuf_take(ac_strbuf *b);
void ac_strbuf_free(ac_strbuf *b);

#endif
