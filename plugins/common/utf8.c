/* UTF-8 helpers (see utf8.h), on libunistring's decoder: the one the
 * whole project uses. */
#include "utf8.h"

#include <unistr.h>

size_t ac_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  ucs4_t uc;
  int len = u8_mbtoucr(&uc, s, n);
  if (len <= 0)
    return 0;
  *cp = uc;
  return (size_t)len;
}

long ac_utf8_first_invalid(const char *s, size_t len) {
  const uint8_t *bad = u8_check((const uint8_t *)s, len);
  return bad ? (long)(bad - (const uint8_t *)s) : -1;
}

size_t ac_utf8_encode(uint32_t cp, char *out) {
  int len = u8_uctomb((uint8_t *)out, cp, 4);
  return len > 0 ? (size_t)len : 0;
}

size_t ac_utf8_count(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

size_t ac_utf8_char_start(const char *s, size_t len, size_t at) {
  while (at > 0 && at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
    at--;
  return at;
}
