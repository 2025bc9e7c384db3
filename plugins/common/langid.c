/* Language identification on CLD2; see langid.h. */
#include "langid.h"

#include "langid_cld2.h"
#include "utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Texts longer than this are judged on their start: enough for any
 * answer, and a bound on the copy. */
#define MAX_SCAN (256u * 1024u)

/* ac_langid_article: a guess CLD2 does not call reliable still names the
 * article's language when this share of at least this many letters is
 * in it. */
#define ARTICLE_MIN_SHARE (2.0 / 3.0)
#define ARTICLE_MIN_LETTERS 100

/* ac_langid_passage: below this many bytes of letters (a name, a product,
 * a short phrase), CLD2's answers on the dev sets were wrong as often as
 * right; a passage must also be mostly in the one language. */
#define PASSAGE_MIN_LETTERS 40
#define PASSAGE_MIN_SHARE 0.8

/* CLD2's codes that BCP 47 spells otherwise (CLD2 keeps ISO 639-1 codes
 * that ISO has since withdrawn, and says "no" for written Bokmål). */
static const struct {
  const char *cld2, *bcp47;
} renamed[] = {{"iw", "he"}, {"jw", "jv"}, {"no", "nb"}};

/* Whether code point cp may go to CLD2, which expects interchange-valid
 * text: no control characters but white space, no noncharacters. */
static bool interchange_valid(uint32_t cp) {
  if (cp < 0x20)
    return cp == '\t' || cp == '\n' || cp == '\r';
  if (cp >= 0x7F && cp <= 0x9F)
    return false;
  if (cp >= 0xFDD0 && cp <= 0xFDEF)
    return false;
  return (cp & 0xFFFE) != 0xFFFE;
}

/* Whether s[0..n), a token between white space, is code rather than
 * words of a language: ASCII only, and a command-line option ("-ignbrk",
 * "--all"), or holding a digit, one of = / \\ < > { } [ ] | $ @ # ~ ` ^ +
 * %, an underscore inside it ("foo_bar"), or a dot or colon between two
 * of its characters ("file.txt", "std::string"). Words of prose keep
 * their punctuation ("mint,", "values.", "(ksh", "Bourne-Again",
 * "_emphasis_"), and text in other scripts, with spaces or without, is
 * never code. */
static bool is_code_token(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return false;
  if (s[0] == '-')
    return true;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (c && strchr("=/\\<>{}[]|$@#~`^+%", c)))
      return true;
    /* Inside a word, not around it (snake_case, not _emphasis_). */
    if (c == '_' && i > 0 && i + 1 < n && s[i - 1] != '_' && s[i + 1] != '_')
      return true;
    if ((c == '.' || c == ':') && i > 0 && i + 1 < n && s[i + 1] != '.' &&
        s[i + 1] != ':' && s[i + 1] != ')' && s[i + 1] != '"' &&
        s[i + 1] != '\'' && s[i + 1] != ',')
      return true;
  }
  return false;
}

/* Turns the code tokens of s[0..n) into spaces. Among many options,
 * file names and numbers, CLD2 scores the code as much as the prose and
 * ends up calling the text no language at all: a Hungarian sentence
 * followed by a list of options came out "unknown". */
static void blank_code(char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    while (i < n &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      i++;
    size_t start = i;
    while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
      i++;
    if (i > start && is_code_token(s + start, i - start))
      memset(s + start, ' ', i - start);
  }
}

/* A copy of text[0..len) (at most MAX_SCAN bytes, cut at a character)
 * with what CLD2 must not see turned into spaces, code tokens
 * included; *out_len its length. */
static char *sanitized(const char *text, size_t len, size_t *out_len) {
  if (len > MAX_SCAN)
    len = ac_utf8_char_start(text, len, MAX_SCAN);
  char *s = malloc(len + 1);
  if (!s)
    return NULL;
  const unsigned char *u = (const unsigned char *)text;
  size_t i = 0, o = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = ac_utf8_decode(u + i, len - i, &cp);
    if (n == 0 || !interchange_valid(cp)) {
      s[o++] = ' ';
      i += n ? n : 1;
      continue;
    }
    memcpy(s + o, text + i, n);
    o += n;
    i += n;
  }
  s[o] = '\0';
  blank_code(s, o);
  *out_len = o;
  return s;
}

/* The length of the primary subtag of a BCP 47 tag. */
static size_t primary_len(const char *tag) {
  return strcspn(tag, "-_");
}

/* Whether BCP 47 tag `tag` has subtag `sub` after its primary one. */
static bool has_subtag(const char *tag, const char *sub) {
  size_t n = strlen(sub);
  for (const char *p = tag + primary_len(tag); *p; p += strcspn(p, "-_")) {
    p++; /* past the separator */
    if (strncasecmp(p, sub, n) == 0 &&
        (p[n] == '\0' || p[n] == '-' || p[n] == '_'))
      return true;
  }
  return false;
}

/* CLD2's name for the language of BCP 47 tag `tag`, in out[size]. */
static void cld2_code(const char *tag, char *out, size_t size) {
  size_t n = primary_len(tag);
  out[0] = '\0';
  if (n == 0 || n >= size)
    return;
  for (size_t i = 0; i < n; i++)
    out[i] = (char)(tag[i] | 0x20); /* ASCII lower case */
  out[n] = '\0';
  for (size_t k = 0; k < sizeof renamed / sizeof *renamed; k++)
    if (strcmp(out, renamed[k].bcp47) == 0) {
      strcpy(out, renamed[k].cld2);
      return;
    }
  /* Traditional Chinese is a language of its own to CLD2. */
  if (strcmp(out, "zh") == 0 && size > 8 &&
      (has_subtag(tag, "Hant") || has_subtag(tag, "TW") ||
       has_subtag(tag, "HK") || has_subtag(tag, "MO")))
    strcpy(out, "zh-Hant");
}

/* The BCP 47 tag of CLD2's code, or "" for its "unknown" and for its
 * pseudo-languages (a script without a language: "xx-Copt"). */
static void bcp47_tag(const char *code, char out[AC_LANGID_TAG_MAX]) {
  out[0] = '\0';
  if (!code[0] || strcmp(code, "un") == 0 || strncmp(code, "xx", 2) == 0 ||
      strncmp(code, "zz", 2) == 0 || strlen(code) >= AC_LANGID_TAG_MAX)
    return;
  for (size_t k = 0; k < sizeof renamed / sizeof *renamed; k++)
    if (strcmp(code, renamed[k].cld2) == 0) {
      strcpy(out, renamed[k].bcp47);
      return;
    }
  strcpy(out, code);
}

int ac_langid_detect(const char *text, size_t len, const char *hint,
                     ac_lang_guess *out) {
  memset(out, 0, sizeof *out);
  if (!text || len == 0)
    return 0;
  size_t n;
  char *s = sanitized(text, len, &n);
  if (!s)
    return -1;
  char hint_code[AC_LANGID_TAG_MAX] = "";
  if (hint)
    cld2_code(hint, hint_code, sizeof hint_code);
  ac_cld2_result r;
  int rc = ac_cld2_detect(s, (int)n, hint_code[0] ? hint_code : NULL, &r);
  free(s);
  if (rc != 0)
    return -1;
  bcp47_tag(r.code, out->tag);
  if (!out->tag[0])
    return 0;
  out->confidence = r.percent / 100.0;
  out->reliable = r.reliable;
  out->letters = r.text_bytes > 0 ? (size_t)r.text_bytes : 0;
  return 0;
}

const char *ac_langid_article(const ac_lang_guess *g) {
  if (!g->tag[0])
    return NULL;
  if (g->reliable ||
      (g->confidence >= ARTICLE_MIN_SHARE && g->letters >= ARTICLE_MIN_LETTERS))
    return g->tag;
  return NULL;
}

int ac_langid_same(const char *a, const char *b) {
  if (!a || !b)
    return 0;
  size_t la = primary_len(a), lb = primary_len(b);
  if (la == 0 || lb == 0)
    return 0;
  static const char *const norwegian[] = {"no", "nb", "nn"};
  int na = 0, nb = 0;
  for (size_t k = 0; k < 3; k++) {
    na |= la == 2 && strncasecmp(a, norwegian[k], 2) == 0;
    nb |= lb == 2 && strncasecmp(b, norwegian[k], 2) == 0;
  }
  if (na || nb)
    return na && nb;
  return la == lb && strncasecmp(a, b, la) == 0;
}

/* Whether CLD2 finds the languages of two tags statistically close. */
static bool close_languages(const char *a, const char *b) {
  char ca[AC_LANGID_TAG_MAX], cb[AC_LANGID_TAG_MAX];
  cld2_code(a, ca, sizeof ca);
  cld2_code(b, cb, sizeof cb);
  int sa = ac_cld2_close_set(ca);
  return sa != 0 && sa == ac_cld2_close_set(cb);
}

int ac_langid_passage(const char *text, size_t len, const char *doc_lang,
                      char tag[AC_LANGID_TAG_MAX]) {
  tag[0] = '\0';
  if (!doc_lang || !doc_lang[0])
    return 0;
  ac_lang_guess g;
  if (ac_langid_detect(text, len, doc_lang, &g) != 0)
    return -1;
  if (!g.tag[0] || !g.reliable || g.confidence < PASSAGE_MIN_SHARE ||
      g.letters < PASSAGE_MIN_LETTERS)
    return 0;
  if (ac_langid_same(g.tag, doc_lang) || close_languages(g.tag, doc_lang))
    return 0;
  strcpy(tag, g.tag);
  return 1;
}
