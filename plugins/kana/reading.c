/* The reading of Japanese text with MeCab; see reading.h. */
#include "reading.h"

#include "strbuf.h"
#include "utf8.h"

#include <mecab.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct kn_reader {
  mecab_t *mecab;
  char error[256];
};

/* MeCab reads the text in pieces of at most this many bytes, cut after a
 * sentence or a line where possible: its lattice grows with the piece,
 * and it counts a word's bytes (with the white space before it) in 16
 * bits. */
#define MAX_PIECE 4096

kn_reader *kn_reader_open(const char *dictionary, char *err, size_t errlen) {
  kn_reader *r = calloc(1, sizeof *r);
  if (!r) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  char *argv[] = {"articast", "-d", (char *)dictionary, NULL};
  int argc = dictionary && dictionary[0] ? 3 : 1;
  r->mecab = mecab_new(argc, argv);
  if (!r->mecab) {
    const char *why = mecab_strerror(NULL);
    snprintf(err, errlen,
             "MeCab cannot start (%s): install a MeCab dictionary in UTF-8 "
             "(Debian: mecab-ipadic-utf8) or name one with the dictionary "
             "option",
             why && why[0] ? why : "no reason given");
    free(r);
    return NULL;
  }
  const mecab_dictionary_info_t *info = mecab_dictionary_info(r->mecab);
  const char *charset = info && info->charset ? info->charset : "";
  if (strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "utf8") != 0) {
    snprintf(err, errlen,
             "MeCab's dictionary %s is in %s, not UTF-8 (Debian: install "
             "mecab-ipadic-utf8)",
             info && info->filename ? info->filename : "(unknown)",
             charset[0] ? charset : "an unknown charset");
    kn_reader_close(r);
    return NULL;
  }
  return r;
}

void kn_reader_close(kn_reader *r) {
  if (!r)
    return;
  if (r->mecab)
    mecab_destroy(r->mecab);
  free(r);
}

const char *kn_reader_error(kn_reader *r) {
  return r->error;
}

void kn_reading_free(kn_reading *out) {
  free(out->text);
  free(out->edits);
  memset(out, 0, sizeof *out);
}

/* Kanji: the CJK ideographs of every block, the kanji zero 〇 (二〇二四年),
 * and the iteration marks and the counter ヶ that only occur in words
 * written with them. espeak-ng 1.51 says "letter" and the code point for
 * 〇. */
static bool is_kanji(uint32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) ||
         cp == 0x3005 || cp == 0x3006 || cp == 0x3007 || cp == 0x30F6;
}

static bool has_kanji(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = ac_utf8_decode(u + i, n - i, &cp);
    if (k == 0)
      return false;
    if (is_kanji(cp))
      return true;
    i += k;
  }
  return false;
}

/* Field `index` (0-based) of MeCab's comma-separated feature string, in
 * *field and *len; false when there is none or it is "*" (unknown). The
 * IPA dictionary's fields: part of speech (0-3), conjugation (4-5), base
 * form (6), reading (7), pronunciation (8). */
static bool feature_field(const char *feature, int index, const char **field,
                          size_t *len) {
  const char *p = feature;
  for (int i = 0; i < index; i++) {
    p = strchr(p, ',');
    if (!p)
      return false;
    p++;
  }
  size_t n = strcspn(p, ",");
  if (n == 0 || (n == 1 && p[0] == '*'))
    return false;
  *field = p;
  *len = n;
  return true;
}

/* What a word is said as, when that differs from how it is written: the
 * reading of a word with kanji, the pronunciation of a particle (は, へ). */
static bool spoken_form(const mecab_node_t *node, const char **form,
                        size_t *len) {
  const char *pos, *reading = NULL, *pron;
  size_t pos_len, reading_len = 0, pron_len;
  if (!node->feature || !feature_field(node->feature, 0, &pos, &pos_len))
    return false;
  bool has_reading = feature_field(node->feature, 7, &reading, &reading_len);
  /* 〇 outside a number is the circle mark ("correct", "yes"): maru. The
   * IPA dictionary gives it no reading but itself. */
  static const char zero[] = "〇", circle[] = "マル";
  if (node->length == sizeof zero - 1 &&
      memcmp(node->surface, zero, sizeof zero - 1) == 0 &&
      (!has_reading || (reading_len == sizeof zero - 1 &&
                        memcmp(reading, zero, reading_len) == 0))) {
    *form = circle;
    *len = sizeof circle - 1;
    return true;
  }
  if (has_kanji(node->surface, node->length)) {
    *form = reading;
    *len = reading_len;
    return has_reading;
  }
  static const char particle[] = "\xe5\x8a\xa9\xe8\xa9\x9e"; /* 助詞 */
  if (pos_len == sizeof particle - 1 && memcmp(pos, particle, pos_len) == 0 &&
      has_reading && feature_field(node->feature, 8, &pron, &pron_len) &&
      (pron_len != reading_len || memcmp(pron, reading, pron_len) != 0)) {
    *form = pron;
    *len = pron_len;
    return true;
  }
  return false;
}

static int add_edit(kn_reading *out, size_t *cap, kn_edit e) {
  if (out->n_edits == *cap) {
    size_t c = *cap ? 2 * *cap : 32;
    kn_edit *g = realloc(out->edits, c * sizeof *g);
    if (!g)
      return -1;
    out->edits = g;
    *cap = c;
  }
  out->edits[out->n_edits++] = e;
  return 0;
}

/* The end of the piece that starts at `from`: after the next sentence end
 * or line break, or at MAX_PIECE bytes cut at a character. */
static size_t piece_end(const char *text, size_t len, size_t from) {
  size_t limit = len - from > MAX_PIECE ? from + MAX_PIECE : len;
  static const char *const ends[] = {"\n", "\xe3\x80\x82" /* 。 */,
                                     "\xef\xbc\x81" /* ！ */,
                                     "\xef\xbc\x9f" /* ？ */};
  size_t best = limit;
  for (size_t k = 0; k < sizeof ends / sizeof *ends; k++) {
    size_t n = strlen(ends[k]);
    for (size_t i = from; i + n <= limit; i++)
      if (memcmp(text + i, ends[k], n) == 0) {
        if (i + n < best)
          best = i + n;
        break;
      }
  }
  if (best == limit && limit < len)
    best = ac_utf8_char_start(text, len, limit);
  return best > from ? best : limit;
}

/* Reads text[from..to) and appends to `buf` and the edits. */
static int read_piece(kn_reader *r, const char *text, size_t from, size_t to,
                      ac_strbuf *buf, kn_reading *out, size_t *cap) {
  const char *piece = text + from;
  size_t n = to - from;
  const mecab_node_t *node = mecab_sparse_tonode2(r->mecab, piece, n);
  if (!node) {
    const char *why = mecab_strerror(r->mecab);
    snprintf(r->error, sizeof r->error, "MeCab failed: %s",
             why && why[0] ? why : "no reason given");
    return -2;
  }
  size_t done = 0; /* bytes of the piece copied or replaced */
  for (; node; node = node->next) {
    if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE)
      continue;
    if (node->surface < piece || node->surface + node->length > piece + n ||
        (size_t)(node->surface - piece) < done) {
      snprintf(r->error, sizeof r->error,
               "MeCab returned a word outside the text");
      return -2;
    }
    size_t at = (size_t)(node->surface - piece);
    const char *form;
    size_t form_len;
    if (!spoken_form(node, &form, &form_len)) {
      if (has_kanji(node->surface, node->length))
        out->unread++;
      continue;
    }
    ac_strbuf_add(buf, piece + done, at - done);
    kn_edit e = {(uint32_t)(from + at), (uint32_t)(from + at + node->length),
                 (uint32_t)buf->len, 0};
    ac_strbuf_add(buf, form, form_len);
    e.out_to = (uint32_t)buf->len;
    if (buf->oom || add_edit(out, cap, e) != 0)
      return -1;
    done = at + node->length;
  }
  ac_strbuf_add(buf, piece + done, n - done);
  return buf->oom ? -1 : 0;
}

int kn_read(kn_reader *r, const char *text, size_t len, kn_reading *out) {
  memset(out, 0, sizeof *out);
  r->error[0] = '\0';
  if (len >= UINT32_MAX / 4)
    return -1;
  ac_strbuf buf = {0};
  size_t cap = 0;
  if (ac_strbuf_add(&buf, "", 0) != 0)
    return -1;
  for (size_t from = 0; from < len;) {
    size_t to = piece_end(text, len, from);
    int rc = read_piece(r, text, from, to, &buf, out, &cap);
    if (rc != 0) {
      ac_strbuf_free(&buf);
      kn_reading_free(out);
      return rc;
    }
    from = to;
  }
  out->len = buf.len;
  out->text = ac_strbuf_take(&buf);
  if (!out->text) {
    kn_reading_free(out);
    return -1;
  }
  return 0;
}
