/*
 * Characters of the text through libunistring: UTF-8 decoding, character
 * classes and case-insensitive comparison. The tokenizer, the lexicon
 * matcher and the spoken-text builder share these, so they agree on what
 * a letter and a word boundary are.
 */
#include "nz.h"

#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

uint32_t nz_cp_at(const char *s, size_t n, size_t i, size_t *len) {
  if (i >= n) {
    *len = 0;
    return 0;
  }
  ucs4_t cp;
  int k = u8_mbtouc(&cp, (const uint8_t *)s + i, n - i);
  *len = k > 0 ? (size_t)k : 1;
  return cp;
}

uint32_t nz_cp_before(const char *s, size_t i) {
  if (i == 0)
    return 0;
  ucs4_t cp;
  const uint8_t *start = (const uint8_t *)s;
  if (!u8_prev(&cp, start + i, start))
    return 0xFFFD; /* an invalid sequence ends there */
  return cp;
}

bool nz_valid_utf8(const char *s, size_t n) {
  return u8_check((const uint8_t *)s, n) == NULL;
}

bool nz_cp_space(uint32_t cp) {
  return uc_is_property_white_space(cp);
}

/* Letters, combining marks (a decomposed "é", Devanagari vowel signs),
 * digits of other scripts and letter-like numbers (Roman numeral signs).
 * Not ASCII digits, which make number tokens, nor fractions, superscripts
 * and currency signs, which the rules read one by one. */
bool nz_cp_letter(uint32_t cp) {
  if (cp < 0x80)
    return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return uc_is_general_category(cp, UC_LETTER) ||
         uc_is_general_category(cp, UC_MARK) ||
         uc_is_general_category(cp, UC_DECIMAL_DIGIT_NUMBER) ||
         uc_is_general_category(cp, UC_LETTER_NUMBER);
}

bool nz_cp_word(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || nz_cp_letter(cp);
}

bool nz_cp_upper(uint32_t cp) {
  return uc_is_upper(cp);
}

bool nz_cp_lower(uint32_t cp) {
  return uc_is_lower(cp);
}

bool nz_prefix_ci(const char *s, size_t n, const char *p, size_t pn,
                  size_t *mlen) {
  size_t i = 0, j = 0;
  while (j < pn) {
    if (i >= n)
      return false;
    size_t a, b;
    uint32_t x = nz_cp_at(s, n, i, &a), y = nz_cp_at(p, pn, j, &b);
    if (x != y && uc_tolower(x) != uc_tolower(y))
      return false;
    i += a;
    j += b;
  }
  *mlen = i;
  return true;
}

bool nz_eq_ci(const char *a, size_t an, const char *b, size_t bn) {
  size_t m;
  return nz_prefix_ci(a, an, b, bn, &m) && m == an;
}

uint32_t nz_fold_cp(uint32_t cp) {
  return uc_tolower(cp);
}
