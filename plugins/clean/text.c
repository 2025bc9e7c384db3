/*
 * Text helpers of the clean stage: UTF-8 decoding, coarse character
 * classes, the typography pass that makes text safe to speak, folding for
 * phrase matching, e-mail detection and sentence splitting.
 */
#include "clean.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

uint32_t cl_utf8_next(const char *s, size_t len, size_t *i) {
  const unsigned char *p = (const unsigned char *)s + *i;
  size_t left = len - *i;
  uint32_t cp;
  size_t n;
  if (p[0] < 0x80) {
    *i += 1;
    return p[0];
  }
  if ((p[0] & 0xE0) == 0xC0) {
    cp = p[0] & 0x1F;
    n = 2;
  } else if ((p[0] & 0xF0) == 0xE0) {
    cp = p[0] & 0x0F;
    n = 3;
  } else if ((p[0] & 0xF8) == 0xF0) {
    cp = p[0] & 0x07;
    n = 4;
  } else {
    *i += 1;
    return 0xFFFD;
  }
  if (n > left) {
    *i += 1;
    return 0xFFFD;
  }
  for (size_t k = 1; k < n; k++) {
    if ((p[k] & 0xC0) != 0x80) {
      *i += 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
      (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    *i += 1;
    return 0xFFFD;
  }
  *i += n;
  return cp;
}

size_t cl_utf8_put(char *buf, uint32_t cp) {
  if (cp < 0x80) {
    buf[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = (char)(0xC0 | (cp >> 6));
    buf[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = (char)(0xE0 | (cp >> 12));
    buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = (char)(0xF0 | (cp >> 18));
  buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

bool cl_is_upper(uint32_t cp) {
  if (cp < 0x80)
    return cp >= 'A' && cp <= 'Z';
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
    return true;
  if (cp >= 0x100 && cp <= 0x17F)
    return (cp & 1) == 0; /* Latin Extended-A alternates upper, lower */
  if (cp >= 0x391 && cp <= 0x3AB)
    return true;
  if (cp >= 0x400 && cp <= 0x42F)
    return true;
  return false;
}

uint32_t cl_lower(uint32_t cp) {
  if (cp < 0x80)
    return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
    return cp + 32;
  if (cp >= 0x100 && cp <= 0x17F && (cp & 1) == 0)
    return cp + 1;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
    return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F)
    return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F)
    return cp + 80;
  return cp;
}

bool cl_is_cjk(uint32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || /* kana */
         (cp >= 0x3400 && cp <= 0x4DBF) || /* Han extension A */
         (cp >= 0x4E00 && cp <= 0x9FFF) || /* Han */
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x0E00 && cp <= 0x0E7F) ||
         (cp >= 0x20000 && cp <= 0x2FFFF);
}

bool cl_is_wordchar(uint32_t cp) {
  if (cp < 0x80)
    return isalnum((int)cp) != 0;
  if (cp < 0xC0)
    return cp == 0xAA || cp == 0xB5 || cp == 0xBA; /* Latin-1 symbols */
  if (cp == 0xD7 || cp == 0xF7)
    return false;
  if (cp >= 0x2000 && cp <= 0x2BFF)
    return false; /* punctuation, arrows, shapes, dingbats */
  if (cp >= 0x3000 && cp <= 0x303F)
    return false; /* CJK punctuation */
  if (cp >= 0xFE30 && cp <= 0xFE4F)
    return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F)
    return false;
  if (cp >= 0xFF1A && cp <= 0xFF20)
    return false;
  if (cp == 0xFFFD || (cp >= 0x1F000 && cp <= 0x1FAFF))
    return false; /* replacement character, emoji */
  return true;
}

/* Characters that vanish: soft hyphen, zero-width space, word joiner, BOM,
 * Mongolian vowel separator, the replacement character (espeak-ng garbles
 * the text after it), C0 and C1 controls. ZWNJ and ZWJ stay: they change
 * how some scripts and emoji are written. */
static bool invisible(uint32_t cp) {
  return cp == 0xAD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF ||
         cp == 0x180E || cp == 0xFFFD || cp < 0x20 || cp == 0x7F ||
         (cp >= 0x80 && cp < 0xA0);
}

static bool is_space(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' ||
         cp == '\f' || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static bool is_digit(uint32_t cp) {
  return cp >= '0' && cp <= '9';
}

static bool is_dash(uint32_t cp) {
  return cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
         cp == 0x2E3A || cp == 0x2E3B;
}

char *cl_typography(const char *text, size_t len, bool typography) {
  /* Decode once so dashes can look at both neighbours. */
  uint32_t *cps = malloc((len + 1) * sizeof *cps);
  /* Worst case: every code point becomes "..." or ", " (3 bytes) or keeps
   * its own 4 bytes. */
  char *out = malloc(len * 4 + 1);
  if (!cps || !out) {
    free(cps);
    free(out);
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    uint32_t cp = cl_utf8_next(text, len, &i);
    if (is_space(cp)) {
      cp = ' ';
    } else if (invisible(cp)) {
      continue;
    }
    cps[n++] = cp;
  }

  size_t o = 0;
  bool pending_space = false;
  bool dash_comma = false; /* out ends with a comma a dash became */
  uint32_t last = 0;       /* last code point written, 0 at start */
  for (size_t k = 0; k < n; k++) {
    uint32_t cp = cps[k];
    if (cp == ' ') {
      pending_space = o > 0;
      continue;
    }
    if (typography) {
      if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x201B ||
          cp == 0x2032 || cp == 0x02BC) {
        cp = '\'';
      } else if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x201F ||
                 cp == 0x2033 || cp == 0xAB || cp == 0xBB) {
        cp = '"';
      } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2212) {
        cp = '-'; /* hyphens and the minus sign read as a hyphen */
      } else if (cp == 0x2026) {
        if (pending_space)
          out[o++] = ' ';
        pending_space = false;
        dash_comma = false;
        memcpy(out + o, "...", 3);
        o += 3;
        last = '.';
        continue;
      } else if (is_dash(cp)) {
        bool space_before = k > 0 && cps[k - 1] == ' ';
        while (k + 1 < n && is_dash(cps[k + 1]))
          k++; /* "——" counts as one dash */
        bool space_after = k + 1 < n && cps[k + 1] == ' ';
        size_t j = k + 1;
        while (j < n && cps[j] == ' ')
          j++;
        uint32_t next = j < n ? cps[j] : 0;
        if (last == 0 || next == 0) {
          /* Leading ("— Jane Doe") or trailing dash: nothing to say. */
          continue;
        }
        if (is_digit(last) && is_digit(next) && cp != 0x2014 && cp != 0x2015) {
          /* A range ("9–2", "1990 – 95"): normalize reads it. */
          o += cl_utf8_put(out + o, 0x2013);
          last = 0x2013;
          pending_space = false;
          dash_comma = false;
          k = j - 1;
          continue;
        }
        if (!space_before && !space_after && cp == 0x2013) {
          out[o++] = '-'; /* "London–Paris" */
          last = '-';
          pending_space = false;
          dash_comma = false;
          continue;
        }
        /* A dash between words is a pause: a comma reads best. After
         * punctuation a space is enough. */
        if (last == ',' || last == ';' || last == ':' || last == '.' ||
            last == '!' || last == '?') {
          pending_space = true;
        } else if (last == '(' || last == '"' || last == '\'') {
          pending_space = last != '(' && space_before;
        } else {
          out[o++] = ',';
          last = ',';
          dash_comma = true;
          pending_space = true;
        }
        continue;
      }
    }
    if (dash_comma && (cp == ',' || cp == '.' || cp == ';' || cp == ':' ||
                       cp == '!' || cp == '?' || cp == ')')) {
      /* "word —." or "word —)" : the punctuation is pause enough. */
      o--;
      pending_space = false;
    }
    if (pending_space)
      out[o++] = ' ';
    pending_space = false;
    dash_comma = false;
    o += cl_utf8_put(out + o, cp);
    last = cp;
  }
  out[o] = '\0';
  free(cps);
  return out;
}

char *cl_fold(const char *text) {
  size_t len = strlen(text);
  char *out = malloc(len * 2 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  bool space = false;
  for (size_t i = 0; i < len;) {
    uint32_t cp = cl_utf8_next(text, len, &i);
    if (cp == '\'' || cp == 0x2019)
      continue; /* "don't" -> "dont", like most phrase lists spell it */
    if (!cl_is_wordchar(cp)) {
      space = o > 0;
      continue;
    }
    if (space)
      out[o++] = ' ';
    space = false;
    o += cl_utf8_put(out + o, cl_lower(cp));
  }
  out[o] = '\0';
  return out;
}

/* Case-insensitive search for an ASCII needle. */
static const char *find_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++) {
    if (strncasecmp(p, needle, n) == 0)
      return p;
  }
  return NULL;
}

static bool is_local_char(char c) {
  return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '%';
}

bool cl_has_email(const char *text) {
  /* Cloudflare's e-mail protection leaves "[email protected]" behind. */
  if (find_ci(text, "[email") && find_ci(text, "protected]"))
    return true;
  if (find_ci(text, "email protected") || find_ci(text, "e-mail protected"))
    return true;
  /* "name [at] site [dot] com", "name(at)site.com", "name at site dot
   * com". */
  static const char *const ats[] = {"[at]", "(at)", "{at}", "<at>", " at "};
  static const char *const dots[] = {"[dot]", "(dot)", "{dot}",
                                     "<dot>", " dot ", "."};
  for (size_t a = 0; a < sizeof ats / sizeof *ats; a++) {
    const char *p = find_ci(text, ats[a]);
    while (p) {
      /* A word right before and a dot form right after (within a few
       * words) make an address. " at " needs the spelled " dot ". */
      bool word_before =
          p > text &&
          (isalnum((unsigned char)p[-1]) ||
           (p[-1] == ' ' && p - 1 > text && isalnum((unsigned char)p[-2])));
      const char *after = p + strlen(ats[a]);
      for (size_t d = 0; word_before && d < sizeof dots / sizeof *dots; d++) {
        if (a == 4 && d != 4)
          continue;
        if (d == 5)
          continue; /* a plain dot only counts for bracketed forms below */
        const char *q = find_ci(after, dots[d]);
        if (q && q - after < 40)
          return true;
      }
      if (word_before && a < 4) {
        /* "name [at] example.com" */
        const char *q = after;
        while (*q == ' ')
          q++;
        const char *s = q;
        while (is_local_char(*q))
          q++;
        if (q > s && memchr(s, '.', (size_t)(q - s)))
          return true;
      }
      p = find_ci(p + 1, ats[a]);
    }
  }
  /* A plain address: local@domain.tld */
  for (const char *p = strchr(text, '@'); p; p = strchr(p + 1, '@')) {
    if (p == text || !is_local_char(p[-1]))
      continue;
    const char *q = p + 1;
    const char *dot = NULL;
    while (is_local_char(*q)) {
      if (*q == '.' && q > p + 1 && isalnum((unsigned char)q[1]))
        dot = q;
      q++;
    }
    if (dot)
      return true;
  }
  return false;
}

/* Words after which a period does not end a sentence. */
static bool abbreviation(const char *s, size_t start, size_t dot) {
  static const char *const abbr[] = {
      "mr",  "mrs", "ms",  "dr",   "prof", "st",   "sr",   "jr",
      "gov", "sen", "rep", "gen",  "col",  "lt",   "sgt",  "capt",
      "rev", "hon", "vs",  "etc",  "inc",  "ltd",  "co",   "corp",
      "no",  "vol", "fig", "jan",  "feb",  "mar",  "apr",  "jun",
      "jul", "aug", "sep", "sept", "oct",  "nov",  "dec",  "e.g",
      "i.e", "u.s", "u.k", "a.m",  "p.m",  "dept", "univ", "approx"};
  size_t b = dot;
  while (b > start && (isalpha((unsigned char)s[b - 1]) || s[b - 1] == '.'))
    b--;
  size_t n = dot - b;
  if (n == 1 && isupper((unsigned char)s[b]))
    return true; /* an initial: "J. R. Okafor" */
  for (size_t i = 0; i < sizeof abbr / sizeof *abbr; i++) {
    if (strlen(abbr[i]) == n && strncasecmp(s + b, abbr[i], n) == 0)
      return true;
  }
  return false;
}

void cl_sentences(const char *text,
                  void (*fn)(const char *s, size_t len, void *ctx), void *ctx) {
  size_t len = strlen(text);
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (c != '.' && c != '!' && c != '?')
      continue;
    size_t end = i + 1;
    while (end < len &&
           (text[end] == '.' || text[end] == '!' || text[end] == '?' ||
            text[end] == '"' || text[end] == '\'' || text[end] == ')'))
      end++;
    if (end >= len)
      break;
    if (text[end] != ' ')
      continue;
    size_t next = end;
    while (next < len && text[next] == ' ')
      next++;
    unsigned char nc = (unsigned char)text[next];
    if (!(isupper(nc) || isdigit(nc) || nc == '"' || nc == '\'' || nc == '(' ||
          nc >= 0x80))
      continue;
    if (c == '.' && abbreviation(text, start, i))
      continue;
    fn(text + start, end - start, ctx);
    start = next;
    i = next - 1;
  }
  if (start < len)
    fn(text + start, len - start, ctx);
}
