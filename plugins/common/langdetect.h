/*
 * Language identification for articles whose metadata does not say which
 * language they are in, so that the synth stage can pick a voice.
 *
 * Two signals, both cheap: the writing system of the letters (Hangul is
 * Korean, kana is Japanese, Greek is Greek, ...) and, inside a script that
 * several languages share (Latin, Cyrillic, Arabic), the share of the
 * language's most frequent short words and of its distinctive letters. It
 * needs a few sentences to be reliable; on a title alone it often answers
 * "unsure".
 */
#ifndef ARTICAST_COMMON_LANGDETECT_H
#define ARTICAST_COMMON_LANGDETECT_H

#include <stddef.h>

/* Guesses the language of `len` bytes of UTF-8 text (invalid sequences are
 * skipped). Returns a static BCP 47 primary tag such as "en", "fr", "ur",
 * or NULL when the text is too short or too mixed to tell. When
 * `confidence` is not NULL it receives 0..1: how clearly the winner beat
 * the runner-up (1 for a script only one supported language uses). */
const char *ac_langdetect(const char *text, size_t len, double *confidence);

/* Can ac_langdetect answer this language (a BCP 47 tag; only the primary
 * subtag counts)? A page that declares a language the detector does not
 * know (Catalan, say) must not be "corrected" to a neighbour it knows. */
int ac_langdetect_knows(const char *tag);

#endif /* ARTICAST_COMMON_LANGDETECT_H */
