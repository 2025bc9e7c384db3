/*
 * Text handling for the espeak stage (see text.h).
 */
#include "text.h"

#include "utf8.h"

#include <stdbool.h>
#include <stdlib.h>

/* The code point that ends just before byte `at` (at > 0), and where it
 * starts. Invalid bytes count as one U+FFFD each. */
static uint32_t utf8_prev(const unsigned char *s, size_t at, size_t *from) {
  size_t b = ac_utf8_char_start((const char *)s, at, at - 1);
  uint32_t cp;
  if (ac_utf8_decode(s + b, at - b, &cp) == at - b) {
    *from = b;
    return cp;
  }
  *from = at - 1;
  return 0xFFFD;
}

static bool is_space(uint32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The sentence and clause marks of Chinese and Japanese, which no space
 * follows: 。、，！？：；．. */
static bool is_cjk_stop(uint32_t c) {
  return c == 0x3001 || c == 0x3002 || c == 0xFF01 || c == 0xFF0C ||
         c == 0xFF0E || c == 0xFF1A || c == 0xFF1B || c == 0xFF1F;
}

/* Characters that end a word though no space follows: dashes ("said—then"),
 * the CJK sentence and clause marks (in text written without spaces, a
 * clause is the unit marks can tell apart) and the characters
 * es_text_prepare drops or turns into spaces. */
static bool is_word_break(uint32_t c) {
  return is_space(c) || c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2013 ||
         c == 0x2014 || c == 0x2015 || c == 0xFEFF || c == 0xFFFD ||
         is_cjk_stop(c);
}

/* Punctuation that opens a word or sentence: brackets, quotation marks,
 * Spanish inverted marks. */
static bool is_opening(uint32_t c) {
  switch (c) {
  case '(':
  case '[':
  case '{':
  case '"':
  case '\'':
  case '*':
  case '_':
  case 0xA1:   /* ¡ */
  case 0xAB:   /* « */
  case 0xBF:   /* ¿ */
  case 0x2018: /* ‘ */
  case 0x201A: /* ‚ */
  case 0x201C: /* “ */
  case 0x201E: /* „ */
  case 0x2039: /* ‹ */
  case 0x300C: /* 「 */
  case 0x300E: /* 『 */
  case 0xFF08: /* （ */
    return true;
  default:
    return false;
  }
}

/* Punctuation that closes a word: sentence and clause marks (Latin, Urdu
 * and Arabic, Devanagari, CJK), brackets, quotation marks, hyphens. */
static bool is_closing(uint32_t c) {
  switch (c) {
  case '.':
  case ',':
  case ';':
  case ':':
  case '!':
  case '?':
  case ')':
  case ']':
  case '}':
  case '"':
  case '\'':
  case '*':
  case '_':
  case '-':
  case 0xBB:   /* » */
  case 0x060C: /* ، */
  case 0x061B: /* ؛ */
  case 0x061F: /* ؟ */
  case 0x06D4: /* ۔ */
  case 0x0964: /* । */
  case 0x0965: /* ॥ */
  case 0x2010: /* ‐ */
  case 0x2011: /* ‑ */
  case 0x2019: /* ’ */
  case 0x201D: /* ” */
  case 0x2026: /* … */
  case 0x203A: /* › */
  case 0x3001: /* 、 */
  case 0x3002: /* 。 */
  case 0x300D: /* 」 */
  case 0x300F: /* 』 */
  case 0xFF01: /* ！ */
  case 0xFF09: /* ） */
  case 0xFF0C: /* ， */
  case 0xFF1F: /* ？ */
    return true;
  default:
    return false;
  }
}

/* The ASCII character espeak-ng 1.51 reads for a mark it does not know,
 * else 0. Burmese (and Shan) sentences end in U+104B, which espeak takes
 * for a letter: a paragraph then becomes one clause, and a clause of a few
 * hundred characters overflows a buffer in the Burmese voice (the
 * synthesis aborts). The katakana middle dot separates the words of a
 * list or of a foreign name ("サイショウチ・ヘイキンチ", "ジョン・スミス");
 * every voice says "Japanese letter" for it, and the Japanese one then
 * spells the words around it kana by kana, twice as long. */
static char clause_mark(uint32_t cp) {
  switch (cp) {
  case 0x104A: /* MYANMAR SIGN LITTLE SECTION */
    return ',';
  case 0x104B: /* MYANMAR SIGN SECTION */
    return '.';
  case 0x30FB: /* KATAKANA MIDDLE DOT */
    return ' ';
  default:
    return 0;
  }
}

int es_text_prepare(es_text *t, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  t->clean = NULL;
  t->cp_off = NULL;
  t->n_cp = 0;
  t->speakable = 0;
  t->ssml = 0;
  if (len >= UINT32_MAX)
    return -1;
  /* Cleaning never lengthens the text and yields at most one code point
   * per byte. */
  t->clean = malloc(len + 1);
  t->cp_off = malloc((len + 1) * sizeof *t->cp_off);
  if (!t->clean || !t->cp_off) {
    es_text_free(t);
    return -1;
  }
  size_t out = 0, i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = ac_utf8_decode(s + i, len - i, &cp);
    if (n == 0) { /* invalid byte: drop it */
      i++;
      continue;
    }
    if (cp == 0x1B) { /* ANSI escape: CSI, OSC or a two-byte sequence */
      size_t j = i + 1;
      if (j < len && s[j] == '[') {
        for (j++; j < len && s[j] >= 0x20 && s[j] <= 0x3F; j++)
          ;
        if (j < len && s[j] >= 0x40 && s[j] <= 0x7E)
          j++;
      } else if (j < len && s[j] == ']') {
        for (j++; j < len && s[j] != 0x07 && s[j] != 0x1B; j++)
          ;
        if (j < len && s[j] == 0x07)
          j++;
        else if (j + 1 < len && s[j] == 0x1B && s[j + 1] == '\\')
          j += 2;
      } else if (j < len && s[j] >= 0x40 && s[j] <= 0x5F) {
        j++;
      }
      i = j;
      continue;
    }
    bool space = cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' ||
                 cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    bool drop = !space && (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
                           cp == 0xFEFF || cp == 0xFFFD);
    if (drop) {
      i += n;
      continue;
    }
    t->cp_off[t->n_cp++] = (uint32_t)i;
    char ascii = clause_mark(cp);
    if (space) {
      t->clean[out++] = ' ';
    } else if (ascii) {
      t->clean[out++] = ascii;
    } else {
      for (size_t k = 0; k < n; k++)
        t->clean[out++] = (char)s[i + k];
      if (!is_space(cp))
        t->speakable = 1;
    }
    i += n;
  }
  t->clean[out] = '\0';
  t->cp_off[t->n_cp] = (uint32_t)len;
  return 0;
}

void es_text_free(es_text *t) {
  free(t->clean);
  free(t->cp_off);
  t->clean = NULL;
  t->cp_off = NULL;
  t->n_cp = 0;
}

size_t es_trim_end(const char *text, size_t start, size_t end) {
  const unsigned char *s = (const unsigned char *)text;
  while (end > start) {
    size_t from;
    uint32_t c = utf8_prev(s, end, &from);
    if (from < start || !(is_closing(c) || is_word_break(c)))
      break;
    end = from;
  }
  return end;
}

int es_word_at(const char *text, size_t len, size_t at, size_t *start,
               size_t *end) {
  const unsigned char *s = (const unsigned char *)text;
  size_t b = at;
  uint32_t cp = 0;
  size_t n = 0;
  /* Skip opening punctuation ("(Really)", "«Bonjour»"). */
  while (b < len && (n = ac_utf8_decode(s + b, len - b, &cp)) > 0 &&
         is_opening(cp))
    b += n;
  size_t e = b;
  while (e < len && (n = ac_utf8_decode(s + e, len - e, &cp)) > 0 &&
         !is_word_break(cp))
    e += n;
  e = es_trim_end(text, b, e);
  if (e <= b)
    return -1;
  *start = b;
  *end = e;
  return 0;
}

int es_next_word(const char *text, size_t len, size_t *pos, size_t *start,
                 size_t *end) {
  const unsigned char *s = (const unsigned char *)text;
  size_t b = *pos;
  while (b < len) {
    uint32_t cp;
    size_t n = ac_utf8_decode(s + b, len - b, &cp);
    if (n == 0 || is_word_break(cp)) { /* between words */
      b += n ? n : 1;
      continue;
    }
    /* A run of non-break characters: a word, or punctuation only. */
    size_t e = b;
    while (e < len && (n = ac_utf8_decode(s + e, len - e, &cp)) > 0 &&
           !is_word_break(cp))
      e += n;
    if (es_word_at(text, e, b, start, end) == 0) {
      *pos = e;
      return 0;
    }
    b = e;
  }
  *pos = len;
  return -1;
}

size_t es_count_chars(const char *text, size_t from, size_t to) {
  return ac_utf8_count(text + from, to - from);
}

size_t es_sentence_start(const char *text, size_t len, size_t at) {
  const unsigned char *s = (const unsigned char *)text;
  size_t b = at;
  uint32_t cp;
  size_t n;
  while (b < len && (n = ac_utf8_decode(s + b, len - b, &cp)) > 0 &&
         is_word_break(cp))
    b += n;
  if (b >= len)
    return len;
  while (b > 0) {
    size_t from;
    if (!is_opening(utf8_prev(s, b, &from)))
      break;
    b = from;
  }
  return b;
}
