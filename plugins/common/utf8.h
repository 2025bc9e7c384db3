/*
 * UTF-8 helpers the plugins share: validation, decoding and encoding of
 * code points, counting them, and finding character boundaries.
 * "Valid" is well-formed UTF-8 as Unicode defines it: no overlong forms, no
 * surrogates, nothing above U+10FFFF and no truncated sequence.
 */
#ifndef ARTICAST_COMMON_UTF8_H
#define ARTICAST_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the valid UTF-8 character at s (n > 0 bytes available) into *cp.
 * Returns its length (1 to 4), or 0 when the bytes there are not valid
 * UTF-8. */
size_t ac_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Offset of the first byte of s[0..len) that does not start a valid UTF-8
 * character, or -1 when all of it is valid. */
long ac_utf8_first_invalid(const char *s, size_t len);

/* Writes the UTF-8 form of cp (up to U+10FFFF) to out, which must have room
 * for 4 bytes, and returns its length. Not NUL-terminated. */
size_t ac_utf8_encode(uint32_t cp, char *out);

/* Number of code points in s[0..len): the bytes that are not continuation
 * bytes. */
size_t ac_utf8_count(const char *s, size_t len);

/* Moves offset `at` of s[0..len) back to the start of the UTF-8 character
 * it falls in; an offset at or past len is returned as is. */
size_t ac_utf8_char_start(const char *s, size_t len, size_t at);

#endif /* ARTICAST_COMMON_UTF8_H */
