/*
 * Text helpers of the clean stage: decoding, character classes, case
 * folding and word boundaries (all through GNU libunistring), the
 * typography pass that makes text safe to speak, e-mail detection and
 * sentence splitting.
 */
#include "clean.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include <uniwbrk.h>

ucs4_t cl_next(const char *s, size_t len, size_t *i) {
  ucs4_t cp;
  int n = u8_mbtouc(&cp, (const uint8_t *)s + *i, len - *i);
  *i += n > 0 ? (size_t)n : 1;
  return cp;
}

/* Scripts written without spaces between words, and those of them that
 * space phrases instead. */
static const uc_script_t *nospace_scripts[6];
static const uc_script_t *phrase_scripts[2];
static pthread_once_t scripts_once = PTHREAD_ONCE_INIT;

static void find_scripts(void) {
  static const char *const nospace[] = {"Han",  "Hiragana", "Katakana",
                                        "Thai", "Lao",      "Khmer"};
  for (size_t i = 0; i < sizeof nospace / sizeof *nospace; i++)
    nospace_scripts[i] = uc_script_byname(nospace[i]);
  phrase_scripts[0] = uc_script_byname("Thai");
  phrase_scripts[1] = uc_script_byname("Lao");
}

void cl_text_init(void) {
  pthread_once(&scripts_once, find_scripts);
}

bool cl_is_upper(ucs4_t cp) {
  return uc_is_upper(cp);
}

bool cl_is_nospace(ucs4_t cp) {
  if (cp < 0x0E00)
    return false; /* below Thai: every script there uses spaces */
  const uc_script_t *s = uc_script(cp);
  for (size_t i = 0; s && i < sizeof nospace_scripts / sizeof *nospace_scripts;
       i++) {
    if (s == nospace_scripts[i])
      return true;
  }
  return false;
}

bool cl_is_phrase_spaced(ucs4_t cp) {
  if (cp < 0x0E00 || cp > 0x0EFF)
    return false;
  const uc_script_t *s = uc_script(cp);
  return s && (s == phrase_scripts[0] || s == phrase_scripts[1]);
}

bool cl_is_wordchar(ucs4_t cp) {
  return uc_is_general_category(cp, UC_CATEGORY_L) ||
         uc_is_general_category(cp, UC_CATEGORY_M) ||
         uc_is_general_category(cp, UC_CATEGORY_N);
}

bool cl_is_sentence_end(ucs4_t cp) {
  return uc_is_property_sentence_terminal(cp);
}

/* Characters that vanish: soft hyphen, zero-width space, word joiner, BOM,
 * Mongolian vowel separator, the replacement character (espeak-ng garbles
 * the text after it), C0 and C1 controls. ZWNJ and ZWJ stay: they change
 * how some scripts and emoji are written. */
static bool invisible(ucs4_t cp) {
  return cp == 0xAD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF ||
         cp == 0x180E || cp == 0xFFFD || cp < 0x20 || cp == 0x7F ||
         (cp >= 0x80 && cp < 0xA0);
}

static bool is_space(ucs4_t cp) {
  return uc_is_property_white_space(cp);
}

static bool is_digit(ucs4_t cp) {
  return cp >= '0' && cp <= '9';
}

static bool is_dash(ucs4_t cp) {
  return cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
         cp == 0x2E3A || cp == 0x2E3B;
}

/* Decodes text into NFC code points, white space as ' ', invisible
 * characters dropped. *n gets the count; malloc'd, NULL when out of
 * memory. */
static ucs4_t *decode_nfc(const char *text, size_t len, size_t *n) {
  ucs4_t *cps = malloc((len + 1) * sizeof *cps);
  if (!cps)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    ucs4_t cp = cl_next(text, len, &i);
    if (is_space(cp))
      cp = ' ';
    else if (invisible(cp))
      continue;
    cps[k++] = cp;
  }
  size_t nfc_len = 0;
  ucs4_t *nfc = u32_normalize(UNINORM_NFC, cps, k, NULL, &nfc_len);
  free(cps);
  *n = nfc_len;
  if (nfc && nfc_len == 0) {
    free(nfc);
    return calloc(1, sizeof *cps); /* an empty text */
  }
  return nfc;
}

/* Appends cp to out (at least 6 bytes free) and returns the bytes written. */
static size_t put(char *out, ucs4_t cp) {
  int n = u8_uctomb((uint8_t *)out, cp, 6);
  return n > 0 ? (size_t)n : 0;
}

char *cl_typography(const char *text, size_t len, bool typography) {
  /* Decode once so dashes can look at both neighbours. */
  size_t n = 0;
  ucs4_t *cps = decode_nfc(text, len, &n);
  /* Worst case: every code point becomes "..." or ", " (3 bytes) or keeps
   * its own 4 bytes. */
  char *out = malloc(n * 4 + 7);
  if (!cps || !out) {
    free(cps);
    free(out);
    return NULL;
  }

  size_t o = 0;
  bool pending_space = false;
  bool dash_comma = false; /* out ends with a comma a dash became */
  ucs4_t last = 0;         /* last code point written, 0 at start */
  for (size_t k = 0; k < n; k++) {
    ucs4_t cp = cps[k];
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
        ucs4_t next = j < n ? cps[j] : 0;
        if (last == 0 || next == 0) {
          /* Leading ("— Jane Doe") or trailing dash: nothing to say. */
          continue;
        }
        if (is_digit(last) && is_digit(next) && cp != 0x2014 && cp != 0x2015) {
          /* A range ("9–2", "1990 – 95"): normalize reads it. */
          o += put(out + o, 0x2013);
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
    o += put(out + o, cp);
    last = cp;
  }
  out[o] = '\0';
  free(cps);
  return out;
}

/* The primary subtag of a BCP 47 tag, lower case, as libunistring's case
 * mappings want it ("tr-TR" -> "tr"); "" when there is none. */
static void language_of(const char *tag, char out[4]) {
  size_t k = 0;
  while (tag && k < 3 && isalpha((unsigned char)tag[k])) {
    out[k] = (char)tolower((unsigned char)tag[k]);
    k++;
  }
  if (tag && isalpha((unsigned char)tag[k]))
    k = 0; /* not an ISO 639 code */
  out[k] = '\0';
}

/* text in lower case, case-folded and NFC-normalized, in *n bytes (not
 * NUL-terminated), or NULL when out of memory. */
static uint8_t *fold_case(const char *text, const char *iso, size_t *n) {
  /* ASCII folds to its lower case (but in Turkish and Azeri, where "I"
   * lowers to "ı"): the plain words of the word lists need no case
   * mapping and normalization by libunistring, which took about half of
   * the 9-15 ms that folding every list costs each episode. */
  bool turkic = !strcmp(iso, "tr") || !strcmp(iso, "az");
  size_t len = 0;
  while (text[len] && (unsigned char)text[len] < 0x80 &&
         !(turkic && text[len] == 'I'))
    len++;
  if (!text[len]) {
    uint8_t *low = malloc(len + 1);
    for (size_t i = 0; low && i < len; i++)
      low[i] = (uint8_t)tolower((unsigned char)text[i]);
    *n = len;
    return low;
  }
  /* Lower case first: u8_casefold alone decomposes Turkish "İ" before it
   * maps "I" to "ı", which leaves "ı" and a combining dot. */
  const char *language = iso[0] ? iso : NULL;
  size_t low_n = 0;
  uint8_t *low = u8_tolower((const uint8_t *)text, strlen(text), language, NULL,
                            NULL, &low_n);
  uint8_t *folded =
      low ? u8_casefold(low, low_n, language, UNINORM_NFC, NULL, n) : NULL;
  free(low);
  return folded;
}

char *cl_fold(const char *text, const char *lang) {
  if (!text[0])
    return strdup("");
  char iso[4];
  language_of(lang, iso);
  size_t n = 0;
  uint8_t *folded = fold_case(text, iso, &n);
  if (!folded)
    return NULL;
  char *out = malloc(n + 1);
  if (!out) {
    free(folded);
    return NULL;
  }
  const char *f = (const char *)folded;
  size_t o = 0;
  bool space = false;
  for (size_t i = 0; i < n;) {
    size_t at = i;
    ucs4_t cp = cl_next(f, n, &i);
    if (cp == '\'' || cp == 0x2019 || cp == 0x02BC)
      continue; /* "don't" -> "dont", like most phrase lists spell it */
    if (!cl_is_wordchar(cp)) {
      space = o > 0;
      continue;
    }
    if (space)
      out[o++] = ' ';
    space = false;
    memcpy(out + o, f + at, i - at);
    o += i - at;
  }
  out[o] = '\0';
  free(folded);
  return out;
}

typedef struct word_walk {
  void (*fn)(const char *w, size_t len, bool nospace, void *ctx);
  void *ctx;
  const char *run; /* start of a pending run without spaces, or NULL */
  size_t run_len;
} word_walk;

static void flush_run(word_walk *w) {
  if (w->run)
    w->fn(w->run, w->run_len, true, w->ctx);
  w->run = NULL;
}

/* One segment between two word boundaries. */
static void segment(word_walk *w, const char *s, size_t n) {
  bool word = false, nospace = false;
  for (size_t i = 0; i < n && !word;) {
    ucs4_t cp = cl_next(s, n, &i);
    if (cl_is_wordchar(cp)) {
      word = true;
      nospace = cl_is_nospace(cp);
    }
  }
  if (word && nospace) {
    if (w->run && w->run + w->run_len == s) {
      w->run_len += n;
    } else {
      flush_run(w);
      w->run = s;
      w->run_len = n;
    }
    return;
  }
  flush_run(w);
  if (word)
    w->fn(s, n, false, w->ctx);
}

void cl_words(const char *text, size_t n,
              void (*fn)(const char *w, size_t len, bool nospace, void *ctx),
              void *ctx) {
  if (n == 0)
    return;
  char *breaks = malloc(n);
  if (!breaks)
    return;
  u8_wordbreaks((const uint8_t *)text, n, breaks);
  word_walk w = {fn, ctx, NULL, 0};
  size_t start = 0;
  for (size_t i = 1; i <= n; i++) {
    if (i == n || breaks[i]) {
      segment(&w, text + start, i - start);
      start = i;
    }
  }
  flush_run(&w);
  free(breaks);
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

/* Is the word before the period at `dot` (back to `start`) an
 * abbreviation or an initial ("J. R. Okafor")? */
static bool abbreviation(const cl_list *abbr, const char *s, size_t start,
                         size_t dot) {
  const uint8_t *base = (const uint8_t *)s;
  const uint8_t *b = base + dot;
  size_t letters = 0;
  bool upper = false;
  for (;;) {
    ucs4_t cp;
    const uint8_t *prev = u8_prev(&cp, b, base + start);
    if (!prev || !(cl_is_wordchar(cp) || cp == '.'))
      break;
    b = prev;
    letters++;
    upper = uc_is_upper(cp);
  }
  size_t n = (size_t)(base + dot - b);
  if (letters == 1 && upper)
    return true;
  if (n == 0 || n > 32)
    return false;
  size_t low_n = 0;
  uint8_t *low = u8_tolower(b, n, NULL, NULL, NULL, &low_n);
  bool found = low && cl_list_has_n(abbr, (const char *)low, low_n);
  free(low);
  return found;
}

/* Closing quotes and brackets that may follow a sentence's end. */
static bool closing(ucs4_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' ||
         uc_is_general_category(cp, UC_CATEGORY_Pe) ||
         uc_is_general_category(cp, UC_CATEGORY_Pf);
}

/* Can the code point start a sentence: an upper-case or uncased letter, a
 * digit, a quote or bracket? */
static bool sentence_start(ucs4_t cp) {
  return uc_is_upper(cp) || uc_is_digit(cp) || cp == '"' || cp == '\'' ||
         cp == '(' || uc_is_general_category(cp, UC_CATEGORY_Pi) ||
         uc_is_general_category(cp, UC_CATEGORY_Ps) ||
         (cl_is_wordchar(cp) && !uc_is_lower(cp));
}

void cl_sentences(const char *text, const cl_list *abbreviations,
                  void (*fn)(const char *s, size_t len, void *ctx), void *ctx) {
  size_t len = strlen(text);
  size_t start = 0;
  for (size_t i = 0; i < len;) {
    size_t at = i;
    ucs4_t cp = cl_next(text, len, &i);
    if (!cl_is_sentence_end(cp))
      continue;
    size_t end = i;
    while (end < len) {
      size_t j = end;
      ucs4_t c = cl_next(text, len, &j);
      if (!cl_is_sentence_end(c) && !closing(c))
        break;
      end = j;
    }
    if (end >= len)
      break;
    /* Full-width stops ("。") need no space after them. */
    size_t next = end;
    while (next < len && text[next] == ' ')
      next++;
    if (next == end && cp < 0x3000)
      continue;
    size_t j = next;
    if (!sentence_start(cl_next(text, len, &j)))
      continue;
    if (cp == '.' && abbreviation(abbreviations, text, start, at))
      continue;
    fn(text + start, end - start, ctx);
    start = next;
    i = next;
  }
  if (start < len)
    fn(text + start, len - start, ctx);
}
