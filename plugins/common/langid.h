/*
 * Language identification: which language a text is in, for the whole
 * article (when nothing declares it) and for each passage (a quotation in
 * another language is read with that language's voice).
 *
 * The detector is CLD2 (Debian's libcld2, Apache-2.0): n-gram statistics
 * of some 160 languages in every script, with its own verdict on how
 * reliable an answer is given the length of the text. On the
 * multilingual dev set it named the language of 256 of 257 articles in 23
 * languages, 94% of first sentences and 88% of titles (libexttextcat:
 * 90%, 80%, 74%), and tells Arabic, Persian and Urdu apart from one
 * sentence.
 *
 * The two policies live here so that every stage decides the same way:
 * ac_langid_article says when a guess is good enough to be the article's
 * language, ac_langid_passage when a block is reliably in a language other
 * than its document's.
 */
#ifndef ARTICAST_COMMON_LANGID_H
#define ARTICAST_COMMON_LANGID_H

#include <stddef.h>

#define AC_LANGID_TAG_MAX 16

/* What the detector says of a text. */
typedef struct ac_lang_guess {
  char tag[AC_LANGID_TAG_MAX]; /* BCP 47 ("fr", "nb", "he", "zh-Hant"); ""
                                  when the detector cannot tell */
  double confidence;           /* 0..1: the share of the text's letters in
                                  that language */
  int reliable;   /* the detector's verdict: clearly ahead of the other
                     languages for a text of this length */
  size_t letters; /* bytes of letters scored (not digits, punctuation or
                     white space) */
} ac_lang_guess;

/* Detects the language of `len` bytes of UTF-8 text; invalid sequences and
 * control characters are read as spaces, and only the first 256 KiB are
 * read. `hint` is a BCP 47 tag of the language the text is expected to be
 * in (the document's, for a passage), or NULL: it decides close calls.
 * Returns 0, or -1 when out of memory. */
int ac_langid_detect(const char *text, size_t len, const char *hint,
                     ac_lang_guess *out);

/* The article's language from the guess of its whole text (no hint), or
 * NULL when the guess is too unsure to choose a voice by: the detector
 * must find it reliable, or two thirds of at least 100 bytes of letters
 * must be in that language (CLD2 calls text that mixes scripts unreliable,
 * such as Japanese with English commands). Points into `g`. */
const char *ac_langid_article(const ac_lang_guess *g);

/* Whether `len` bytes of `text`, a passage of a document in `doc_lang`,
 * are in another language: at least 40 bytes of letters, reliably and
 * for at least 80% in one language that is neither `doc_lang` nor a
 * language CLD2 finds statistically close to it (Danish and Norwegian,
 * Indonesian and Malay, Spanish and Portuguese and Galician, Czech and
 * Slovak, Bosnian, Croatian and Serbian, ...). Short or unsure text keeps
 * the document's language. Returns 1 and the passage's language in `tag`,
 * 0 when it keeps `doc_lang` (always when doc_lang is NULL or empty), or
 * -1 when out of memory. */
int ac_langid_passage(const char *text, size_t len, const char *doc_lang,
                      char tag[AC_LANGID_TAG_MAX]);

/* Whether two BCP 47 tags are the same language for speech: the same
 * primary subtag, ignoring case, with Norwegian's no, nb and nn as one. */
int ac_langid_same(const char *a, const char *b);

#endif /* ARTICAST_COMMON_LANGID_H */
