/*
 * The mp3 sink's ID3v2.3 writer, round trip: text frames, a comment, a
 * URL, chapters and a table of contents are written from the input's
 * fields, and the tag is read back with libid3tag (an independent reader),
 * which must find the texts as written: control characters become spaces
 * (newlines stay in the comment), nothing else changes.
 */
#include "fuzz_host.h"
#include "id3.h"

#include <id3tag.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the writer stores for `s`: see id3.h. */
static char *expected(const char *s, int keep_newlines) {
  char *e = strdup(s);
  FUZZ_CHECK(e != NULL);
  for (char *p = e; *p; p++)
    if (((unsigned char)*p < 0x20 && !(keep_newlines && *p == '\n')) ||
        (!keep_newlines && *p == 0x7F))
      *p = ' ';
  return e;
}

/* Field `index` of frame `id` as UTF-8 (full string for COMM's text). */
static char *read_field(struct id3_tag *tag, const char *id, unsigned index) {
  struct id3_frame *f = id3_tag_findframe(tag, id, 0);
  if (!f)
    return NULL;
  union id3_field *field = id3_frame_field(f, index);
  const id3_ucs4_t *u =
      strcmp(id, "COMM") == 0
          ? id3_field_getfullstring(field)
          : (id3_field_getnstrings(field) ? id3_field_getstrings(field, 0)
                                          : NULL);
  return u ? (char *)id3_ucs4_utf8duplicate(u) : NULL;
}

static void check_text(struct id3_tag *tag, const char *id, unsigned index,
                       const char *written, int keep_newlines) {
  if (!written[0])
    return;
  char *want = expected(written, keep_newlines);
  char *got = read_field(tag, id, index);
  FUZZ_CHECK(got != NULL);
  FUZZ_CHECK(strcmp(got, want) == 0);
  free(got);
  free(want);
}

/* A field of the input, cut at its first invalid UTF-8 byte (the writer's
 * callers hand it UTF-8) and at a NUL. */
static char *field(fuzz_reader *r) {
  char *s = fuzz_take(r);
  if (!s)
    s = strdup("");
  FUZZ_CHECK(s != NULL);
  long bad = ac_utf8_invalid_offset(s, strlen(s));
  if (bad >= 0)
    s[bad] = '\0';
  return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r = {data, data + size};
  char *title = field(&r), *artist = field(&r), *comment = field(&r);
  char *url = field(&r), *chapter = field(&r);
  id3_writer w;
  id3_writer_init(&w);
  id3_add_text(&w, "TIT2", title);
  id3_add_text(&w, "TPE1", artist);
  id3_add_comment(&w, "eng", "", comment);
  id3_add_user_url(&w, "article", url);
  id3_add_chapter(&w, "chp0", 0, 1000, chapter);
  const char *children[] = {"chp0"};
  id3_add_toc(&w, "toc", ID3_CTOC_TOP_LEVEL | ID3_CTOC_ORDERED, children, 1,
              NULL);
  unsigned char *tag_bytes = NULL;
  size_t tag_len = 0;
  int rc = id3_writer_finish(&w, (size_t)fuzz_byte(&r), &tag_bytes, &tag_len);
  FUZZ_CHECK(rc == 0);
  FUZZ_CHECK(tag_len >= 10 && memcmp(tag_bytes, "ID3\x03\x00\x00", 6) == 0);
  size_t declared = (size_t)(tag_bytes[6] & 0x7F) << 21 |
                    (size_t)(tag_bytes[7] & 0x7F) << 14 |
                    (size_t)(tag_bytes[8] & 0x7F) << 7 | (tag_bytes[9] & 0x7F);
  FUZZ_CHECK(declared + 10 == tag_len);
  struct id3_tag *tag = id3_tag_parse(tag_bytes, tag_len);
  FUZZ_CHECK(tag != NULL);
  check_text(tag, "TIT2", 1, title, 0);
  check_text(tag, "TPE1", 1, artist, 0);
  check_text(tag, "COMM", 3, comment, 1);
  id3_tag_delete(tag);
  free(tag_bytes);
  id3_writer_free(&w);
  free(title);
  free(artist);
  free(comment);
  free(url);
  free(chapter);
  return 0;
}
