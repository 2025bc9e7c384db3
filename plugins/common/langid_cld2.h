/*
 * The C side of the one C++ file of the language identifier (langid.c):
 * calls into CLD2, Google's Compact Language Detector 2 (Debian's
 * libcld2), whose interface is C++. Only langid.c uses it.
 */
#ifndef ARTICAST_COMMON_LANGID_CLD2_H
#define ARTICAST_COMMON_LANGID_CLD2_H

#ifdef __cplusplus
extern "C" {
#endif

/* What CLD2 says of a text, in its own terms. */
typedef struct ac_cld2_result {
  char code[16];  /* CLD2's language code ("fr", "iw", "zh-Hant"); "un"
                     when it cannot tell */
  int percent;    /* share of the scored text in that language, 0..100 */
  int text_bytes; /* bytes of letters CLD2 scored */
  int reliable;   /* CLD2's verdict: clearly ahead given the length */
  int close_set;  /* the set of statistically close languages the answer
                     belongs to (da/nb/nn, id/ms, ...), 0 for none */
} ac_cld2_result;

/* Detects the language of `len` bytes of valid, interchange-safe UTF-8
 * plain text. `hint` is a CLD2 language code to favour in close calls, or
 * NULL. Returns 0, or -1 when CLD2 failed (out of memory). */
int ac_cld2_detect(const char *text, int len, const char *hint,
                   ac_cld2_result *out);

/* The close set of a CLD2 language code (see ac_cld2_result), 0 for none
 * or an unknown code. */
int ac_cld2_close_set(const char *code);

#ifdef __cplusplus
}
#endif

#endif /* ARTICAST_COMMON_LANGID_CLD2_H */
