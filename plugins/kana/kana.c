/*
 * kana: a text stage that makes Japanese speakable. espeak-ng 1.51 reads
 * kana but says "Chinese letter" for each kanji (0.9 to 1.2 s of audio
 * for every two characters); this stage replaces each word written with
 * kanji by its reading in katakana, and each particle by the way it is
 * said, with MeCab (reading.c). Only Japanese text is touched: blocks
 * whose language (the block's, else the document's) is `ja`. Chinese
 * stays in characters, which espeak-ng reads through its Mandarin voice.
 *
 * The written text stays for the transcripts: a changed block keeps it in
 * `written`, and its map (plugin.h, ac_span) leads from the spoken kana
 * back to the written words, composed with any map an earlier stage
 * (normalize) left.
 */
#include "reading.h"
#include "spans.h"

#include <articast/plugin.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct kana_priv {
  const char *dictionary; /* option */
  kn_reader *reader;      /* started at the first Japanese block */
} kana_priv;

static const ac_option kana_options[] = {
    {"dictionary", AC_OPT_PATH, offsetof(kana_priv, dictionary), NULL, 0, 0,
     NULL,
     "directory of the MeCab dictionary (UTF-8) to read Japanese with; "
     "default: the system's (Debian: mecab-ipadic-utf8)"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

static bool is_japanese(const char *tag) {
  return tag && strncasecmp(tag, "ja", 2) == 0 &&
         (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_');
}

/* ---- Maps ----------------------------------------------------------------
 */

/* The block's written offset of offset `s` of its current spoken text,
 * through its map (plugin.h): inside a stretch kept as written offsets
 * move together, inside a replacement they go to its start. */
static uint32_t written_at(const ac_block *b, size_t spoken_len,
                           size_t written_len, uint32_t s) {
  if (b->n_map == 0)
    return s;
  uint32_t s0 = 0, w0 = 0, s1, w1;
  size_t i = 0;
  while (i < b->n_map && b->map[i].spoken <= s)
    i++;
  if (i > 0) {
    s0 = b->map[i - 1].spoken;
    w0 = b->map[i - 1].written;
  }
  if (i < b->n_map) {
    s1 = b->map[i].spoken;
    w1 = b->map[i].written;
  } else {
    s1 = (uint32_t)spoken_len;
    w1 = (uint32_t)written_len;
  }
  if (s1 >= s0 && w1 >= w0 && s1 - s0 == w1 - w0)
    return w0 + (s - s0);
  return w0;
}

/* The block's old map entries in [from, to) of its current spoken text,
 * moved by `shift` bytes into the new spoken text. */
static int carry_entries(const ac_block *b, uint32_t from, uint32_t to,
                         int64_t shift, ac_span_list *out) {
  for (size_t k = 0; k < b->n_map; k++) {
    uint32_t s = b->map[k].spoken;
    if (s >= from && s < to &&
        ac_span_list_add(out, (uint32_t)((int64_t)s + shift),
                         b->map[k].written) != 0)
      return -1;
  }
  return 0;
}

/* The map from the read text to the block's written text: the reading's
 * edits (new spoken -> current spoken) composed with the block's map
 * (current spoken -> written). */
static int compose(const ac_block *b, const kn_reading *rd, size_t spoken_len,
                   size_t written_len, ac_span_list *out) {
  uint32_t kept_from = 0, out_from = 0; /* the stretch kept as it was */
  for (size_t i = 0; i <= rd->n_edits; i++) {
    uint32_t kept_to = i < rd->n_edits ? rd->edits[i].from : spoken_len;
    if (carry_entries(b, kept_from, kept_to,
                      (int64_t)out_from - (int64_t)kept_from, out) != 0)
      return -1;
    if (i == rd->n_edits)
      break;
    const kn_edit *e = &rd->edits[i];
    if (ac_span_list_add(out, e->out_from,
                         written_at(b, spoken_len, written_len, e->from)) !=
            0 ||
        ac_span_list_add(out, e->out_to,
                         written_at(b, spoken_len, written_len, e->to)) != 0)
      return -1;
    kept_from = e->to;
    out_from = e->out_to;
  }
  return 0;
}

/* ---- Blocks ----------------------------------------------------------------
 */

/* Replaces the block's text by its reading, keeping the written text and
 * the map to it. */
static int read_block(ac_stage *st, kana_priv *p, ac_block *b, size_t *unread) {
  const ac_host *h = st->host;
  size_t len = strlen(b->text);
  kn_reading rd;
  int rc = kn_read(p->reader, b->text, len, &rd);
  if (rc == -2)
    return h->fail(st, AC_ERR_ENGINE, "%s", kn_reader_error(p->reader));
  if (rc != 0)
    return h->fail(st, AC_ERR_NOMEM, "out of memory reading Japanese text");
  *unread += rd.unread;
  if (rd.n_edits == 0) {
    kn_reading_free(&rd);
    return 0;
  }
  /* An earlier stage's written text without a map cannot be traced: the
   * text this stage read becomes the written form. */
  bool has_old = b->written && b->n_map > 0;
  size_t written_len = has_old ? strlen(b->written) : len;
  ac_span_list l = {0};
  rc = compose(has_old ? b : &(ac_block){0}, &rd, len, written_len, &l);
  if (rc == 0 && !has_old)
    rc = h->set_string(&b->written, b->text, len);
  if (rc == 0)
    rc = h->set_string(&b->text, rd.text, rd.len);
  kn_reading_free(&rd);
  if (rc != 0) {
    free(l.v);
    return h->fail(st, AC_ERR_NOMEM, "out of memory reading Japanese text");
  }
  free(b->map);
  b->map = l.v;
  b->n_map = l.n;
  return 0;
}

static int kana_process(ac_stage *st, ac_document *doc) {
  kana_priv *p = st->priv;
  const ac_host *h = st->host;
  size_t changed = 0, unread = 0;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    ac_block *b = &doc->blocks[i];
    const char *lang = b->lang && b->lang[0] ? b->lang : doc->language;
    if (b->kind == AC_BLOCK_BOILERPLATE || !b->text || !b->text[0] ||
        !is_japanese(lang))
      continue;
    if (!p->reader) {
      char why[512];
      p->reader = kn_reader_open(p->dictionary, why, sizeof why);
      if (!p->reader)
        return h->fail(st, AC_ERR_ENGINE, "%s", why);
    }
    char *before = b->text;
    int rc = read_block(st, p, b, &unread);
    if (rc != 0)
      return rc;
    changed += b->text != before;
  }
  if (p->reader)
    h->log(st, AC_LOG_DEBUG,
           "Japanese read as kana in %zu blocks; %zu words with kanji had "
           "no reading",
           changed, unread);
  return 0;
}

static void kana_destroy(ac_stage *st) {
  kana_priv *p = st->priv;
  kn_reader_close(p->reader);
  p->reader = NULL;
}

static const ac_plugin kana_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "kana",
    .version = "1.0",
    .description = "reads Japanese kanji as kana (MeCab), so espeak-ng "
                   "speaks words instead of naming characters",
    .kind = AC_STAGE_TEXT,
    .priv_size = sizeof(kana_priv),
    .options = kana_options,
    .destroy = kana_destroy,
    .process_document = kana_process,
};

AC_PLUGIN_EXPORT(kana_plugin)
