/*
 * Latin-script runs and the SSML that voices them (see latin.h), on
 * ICU's script data.
 */
#include "latin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

/* More scripts than any language has in CLDR (Japanese: three). */
#define MAX_SCRIPTS 8

typedef struct script_set {
  UScriptCode codes[MAX_SCRIPTS];
  int n;
} script_set;

/* The scripts the language of `tag` is written in (ICU maximizes the tag
 * with CLDR's likely subtags: "ja" is Kana, Hira, Hani); none when ICU
 * does not know it. */
static void language_scripts(const char *tag, script_set *s) {
  s->n = 0;
  if (!tag || !*tag)
    return;
  UErrorCode e = U_ZERO_ERROR;
  int n = uscript_getCode(tag, s->codes, MAX_SCRIPTS, &e);
  if (U_SUCCESS(e) && n > 0 && n <= MAX_SCRIPTS)
    s->n = n;
}

static bool in_set(const script_set *s, UScriptCode c) {
  for (int i = 0; i < s->n; i++)
    if (s->codes[i] == c)
      return true;
  return false;
}

/* Whether CLDR has a locale of the language of `tag` written in Latin
 * script (sr_Latn, uz_Latn, hi_Latn): text of that language in Latin
 * letters is then the language itself, which its voice reads. */
static bool has_latin_locale(const char *tag) {
  char locale[ULOC_FULLNAME_CAPACITY], lang[ULOC_LANG_CAPACITY];
  UErrorCode e = U_ZERO_ERROR;
  uloc_forLanguageTag(tag, locale, sizeof locale, NULL, &e);
  if (U_FAILURE(e))
    return true; /* unknown: assume it may be */
  uloc_getLanguage(locale, lang, sizeof lang, &e);
  if (U_FAILURE(e) || !lang[0])
    return true;
  for (int32_t i = 0, n = uloc_countAvailable(); i < n; i++) {
    const char *l = uloc_getAvailable(i);
    char other[ULOC_LANG_CAPACITY], script[ULOC_SCRIPT_CAPACITY];
    e = U_ZERO_ERROR;
    uloc_getLanguage(l, other, sizeof other, &e);
    uloc_getScript(l, script, sizeof script, &e);
    if (U_SUCCESS(e) && strcmp(other, lang) == 0 && strcmp(script, "Latn") == 0)
      return true;
  }
  return false;
}

int es_language_is_latin(const char *tag) {
  script_set s;
  language_scripts(tag, &s);
  if (s.n == 0)
    return -1;
  return in_set(&s, USCRIPT_LATIN) ? 1 : 0;
}

/* What a code point is to the runs. */
enum {
  CL_SPACE,
  CL_NATIVE, /* a letter of one of the language's scripts */
  CL_LATIN,  /* a Latin letter (not a full-width one, which belongs to
                CJK typesetting and which the Latin voices do not read
                either) */
  CL_STICK,  /* punctuation, digits and symbols of the Latin repertoire
                (ASCII, Latin-1, General Punctuation): part of a Latin
                word they touch */
  CL_OTHER   /* anything else: CJK punctuation, letters of a third
                script, symbols */
};

static int classify(UChar32 c, const script_set *native, int prev) {
  if (u_isUWhiteSpace(c))
    return CL_SPACE;
  UErrorCode e = U_ZERO_ERROR;
  UScriptCode sc = uscript_getScript(c, &e);
  if (U_FAILURE(e))
    return CL_OTHER;
  /* A combining mark belongs to the letter before it. */
  if (sc == USCRIPT_INHERITED && (prev == CL_LATIN || prev == CL_NATIVE))
    return prev;
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) {
    if (sc == USCRIPT_LATIN && !(c >= 0xFF00 && c <= 0xFFEF))
      return CL_LATIN;
    if (in_set(native, sc))
      return CL_NATIVE;
    return CL_OTHER;
  }
  if ((c > 0x20 && c < 0x7F) || (c >= 0xA1 && c <= 0xBF) || c == 0xD7 ||
      c == 0xF7 || (c >= 0x2010 && c <= 0x205E))
    return CL_STICK;
  return CL_OTHER;
}

/* The class of every code point of t->clean, malloc'd; NULL when out of
 * memory. *has_native tells whether any is a letter of `native`. */
static unsigned char *classes(const es_text *t, const script_set *native,
                              bool *has_native) {
  unsigned char *cls = malloc(t->n_cp ? t->n_cp : 1);
  if (!cls)
    return NULL;
  const uint8_t *s = (const uint8_t *)t->clean;
  size_t at = 0;
  int prev = CL_SPACE;
  *has_native = false;
  for (size_t k = 0; k < t->n_cp; k++) {
    UChar32 c;
    U8_NEXT_UNSAFE(s, at, c); /* es_text_prepare left valid UTF-8 */
    prev = classify(c, native, prev);
    cls[k] = (unsigned char)prev;
    *has_native |= prev == CL_NATIVE;
  }
  return cls;
}

/* The end of the run whose first Latin letter is at `k`: over its words
 * and what sticks to them, on to the next word with a Latin letter while
 * only white space and sticking characters come between. */
static size_t run_end(const unsigned char *cls, size_t n, size_t k) {
  for (;;) {
    while (k < n && (cls[k] == CL_LATIN || cls[k] == CL_STICK))
      k++;
    size_t m = k;
    while (m < n && (cls[m] == CL_SPACE || cls[m] == CL_STICK))
      m++;
    if (m == n || cls[m] != CL_LATIN)
      return k;
    k = m;
  }
}

long es_latin_runs(const es_text *t, const char *lang, es_run **runs) {
  *runs = NULL;
  script_set native;
  language_scripts(lang, &native);
  if (native.n == 0 || in_set(&native, USCRIPT_LATIN) || t->n_cp == 0)
    return 0;
  bool has_native;
  unsigned char *cls = classes(t, &native, &has_native);
  if (!cls)
    return -1;
  /* A block wholly in Latin letters: a title or a command line in a
   * Japanese article, or the language itself written in Latin. */
  bool voiced = has_native || !has_latin_locale(lang);
  es_run *v = NULL;
  size_t n = 0, cap = 0, i = 0;
  while (voiced && i < t->n_cp) {
    size_t k = i;
    while (k < t->n_cp && cls[k] != CL_LATIN)
      k++;
    if (k == t->n_cp)
      break;
    size_t from = k;
    while (from > i && cls[from - 1] == CL_STICK)
      from--;
    size_t to = run_end(cls, t->n_cp, k);
    if (n == cap) {
      cap = cap ? 2 * cap : 8;
      es_run *grown = realloc(v, cap * sizeof *v);
      if (!grown) {
        free(v);
        free(cls);
        return -1;
      }
      v = grown;
    }
    v[n++] = (es_run){from, to};
    i = to;
  }
  free(cls);
  *runs = v;
  return (long)n;
}

/* ---- SSML ---------------------------------------------------------------- */

typedef struct ssml_out {
  char *text;
  uint32_t *cp_off;
  size_t len, n_cp;
} ssml_out;

/* Appends ASCII markup, each character mapped to block offset `off`. */
static void put_markup(ssml_out *o, const char *s, uint32_t off) {
  for (; *s; s++) {
    o->text[o->len++] = *s;
    o->cp_off[o->n_cp++] = off;
  }
}

/* Appends one code point of the text (its `n` bytes at `s`), as an entity
 * when SSML reserves it. */
static void put_char(ssml_out *o, const char *s, size_t n, uint32_t off) {
  const char *entity = n == 1 && s[0] == '&'   ? "&amp;"
                       : n == 1 && s[0] == '<' ? "&lt;"
                       : n == 1 && s[0] == '>' ? "&gt;"
                                               : NULL;
  if (entity) {
    put_markup(o, entity, off);
    return;
  }
  memcpy(o->text + o->len, s, n);
  o->len += n;
  o->cp_off[o->n_cp++] = off;
}

static bool valid_voice_name(const char *v) {
  if (!v || !*v || strlen(v) > 64)
    return false;
  for (const char *p = v; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '/'))
      return false;
  return true;
}

int es_text_to_ssml(es_text *t, const es_run *runs, size_t n, const char *voice,
                    const char *native) {
  static const char speak[] = "<speak>", unspeak[] = "</speak>",
                    unvoice[] = "</voice>";
  if (!valid_voice_name(voice))
    return -1;
  /* A name SSML cannot carry (a variant: "ja+f3") leaves the rest to the
   * voice the synthesis starts with. */
  char open[96], open_native[96] = "", close_native[sizeof unvoice] = "";
  snprintf(open, sizeof open, "<voice name=\"%s\">", voice);
  if (valid_voice_name(native)) {
    snprintf(open_native, sizeof open_native, "<voice name=\"%s\">", native);
    memcpy(close_native, unvoice, sizeof unvoice);
  }
  size_t bytes = strlen(t->clean);
  /* An entity is at most five bytes for one; markup adds ASCII. Every
   * byte is at most one code point. */
  size_t cap =
      5 * bytes + sizeof speak + sizeof unspeak +
      (n + 1) * (strlen(open) + strlen(open_native) + 2 * sizeof unvoice) + 1;
  ssml_out o = {malloc(cap), malloc((cap + 1) * sizeof *o.cp_off), 0, 0};
  if (!o.text || !o.cp_off) {
    free(o.text);
    free(o.cp_off);
    return -1;
  }
  put_markup(&o, speak, t->cp_off[0]);
  put_markup(&o, open_native, t->cp_off[0]);
  const char *s = t->clean;
  size_t at = 0, r = 0;
  bool open_run = false;
  for (size_t k = 0; k <= t->n_cp; k++) {
    uint32_t off = t->cp_off[k];
    if (open_run && k == runs[r].to) {
      put_markup(&o, unvoice, off);
      put_markup(&o, open_native, off);
      open_run = false;
      r++;
    }
    if (k == t->n_cp)
      break;
    if (!open_run && r < n && k == runs[r].from) {
      put_markup(&o, close_native, off);
      put_markup(&o, open, off);
      open_run = true;
    }
    size_t next = at;
    U8_FWD_1_UNSAFE(s, next);
    put_char(&o, s + at, next - at, off);
    at = next;
  }
  put_markup(&o, close_native, t->cp_off[t->n_cp]);
  put_markup(&o, unspeak, t->cp_off[t->n_cp]);
  o.text[o.len] = '\0';
  o.cp_off[o.n_cp] = t->cp_off[t->n_cp];
  free(t->clean);
  free(t->cp_off);
  t->clean = o.text;
  t->cp_off = o.cp_off;
  t->n_cp = o.n_cp;
  t->ssml = 1;
  return 0;
}
