/*
 * Latin-script words inside text written in another script: "bash",
 * "POSIX", "autoconf" in a Japanese sentence. Some of espeak-ng's voices
 * (Japanese, in 1.51) have no reading of Latin letters and spell such a
 * word letter by letter, several seconds for a command name. The espeak
 * stage has these runs read by a voice of a Latin-script language
 * instead, inside the same synthesis, through espeak-ng's SSML <voice>:
 * one utterance, with espeak's own pauses and sentence events, and the
 * event positions still mapped to the block's text.
 *
 * Which languages: decided by script, not by a list of voices. A block
 * whose language is written in scripts none of which is Latin (ICU's
 * CLDR data: ja is Kana, Hira, Hani; ko Hang, Hani; ru Cyrl; ar Arab)
 * has its Latin runs read by the Latin voice when it holds letters of
 * one of those scripts, or when CLDR knows no Latin-script form of the
 * language (a Japanese article's English title). Serbian, Uzbek or
 * Hindi written wholly in Latin letters (CLDR has sr_Latn, uz_Latn,
 * hi_Latn) is the language itself and is left to its own voice.
 */
#ifndef ARTICAST_ESPEAK_LATIN_H
#define ARTICAST_ESPEAK_LATIN_H

#include "text.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether the language of BCP 47 tag `tag` is written in Latin script:
 * 1 when one of its scripts is Latin, 0 when it is written in others, -1
 * when ICU does not know the language. */
int es_language_is_latin(const char *tag);

/* A run of Latin-script words: code points [from, to) of a prepared
 * text's `clean`. */
typedef struct es_run {
  size_t from, to;
} es_run;

/* The Latin-script runs of t->clean, when it is text in `lang`, a
 * language written in other scripts, and holds letters of one of them or
 * is a language CLDR never writes in Latin.
 * A run goes from a word with a Latin letter to the end of the last such
 * word that only white space, digits and Latin punctuation separate from
 * it, with the punctuation and digits stuck to its words ("'bash'",
 * "M4,", "bash(1)"). Stores a malloc'd array in *runs (NULL when there
 * are none) and returns how many, or -1 when out of memory. */
long es_latin_runs(const es_text *t, const char *lang, es_run **runs);

/* Rewrites t into SSML that reads runs[0..n) with espeak voice `voice`
 * (a name espeak-ng's SSML <voice name> finds, such as "en-US") and the
 * rest with espeak voice `native`, the block's (or, when `native` is NULL
 * or not such a name, with the voice the synthesis starts with). Each
 * part names its voice:
 * at the end of a nested <voice>, espeak-ng 1.51 goes back to a voice of
 * the language rather than the one it left (from cmn-Latn-pinyin to cmn,
 * which reads most Chinese characters as English pinyin with tone
 * numbers). Markup maps to the block offset of the character after it;
 * the characters SSML reserves are written as entities that map to the
 * character. Sets t->ssml. Returns 0, or -1 when out of memory (t is then
 * unchanged) or `voice` holds characters other than letters, digits,
 * '-', '_' and '/'. */
int es_text_to_ssml(es_text *t, const es_run *runs, size_t n, const char *voice,
                    const char *native);

#endif
