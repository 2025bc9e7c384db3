/*
 * The reading of Japanese text with MeCab (libmecab, with the IPA
 * dictionary in UTF-8): each word written with kanji is replaced by its
 * reading in katakana, and each particle by the way it is said (は as
 * ワ, へ as エ); kana, Latin letters, digits, punctuation and white space
 * stay as written. espeak-ng 1.51 reads kana but says "Chinese letter"
 * for every kanji.
 */
#ifndef ARTICAST_KANA_READING_H
#define ARTICAST_KANA_READING_H

#include <stddef.h>
#include <stdint.h>

typedef struct kn_reader kn_reader;

/* Starts MeCab with the dictionary in directory `dictionary` (NULL or
 * empty: the system's default, from mecabrc). Returns NULL with a reason
 * in err when MeCab cannot start or its dictionary is not UTF-8. */
kn_reader *kn_reader_open(const char *dictionary, char *err, size_t errlen);
void kn_reader_close(kn_reader *r);

/* A word whose reading replaced it: bytes [from, to) of the input became
 * bytes [out_from, out_to) of the output. */
typedef struct kn_edit {
  uint32_t from, to;
  uint32_t out_from, out_to;
} kn_edit;

typedef struct kn_reading {
  char *text; /* NUL-terminated, malloc'd */
  size_t len;
  kn_edit *edits; /* in order; between them the text is as written */
  size_t n_edits;
  size_t unread; /* words with kanji MeCab has no reading of (kept) */
} kn_reading;

/* Reads `len` bytes of valid UTF-8. Returns 0, -1 when out of memory or
 * the text is 4 GiB or more, or -2 when MeCab failed (kn_reader_error says
 * why). */
int kn_read(kn_reader *r, const char *text, size_t len, kn_reading *out);
void kn_reading_free(kn_reading *out);
const char *kn_reader_error(kn_reader *r);

#endif
