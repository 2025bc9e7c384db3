/*
 * The cache's record of a segment's marks (pipeline/timeline.c,
 * ac_marks_decode): any bytes, with the segment's first block, block count
 * and position from the first bytes. A record that decodes is checked as
 * timeline.h promises (kinds known, blocks in range, marks in order and
 * inside the segment) and must survive encode and decode unchanged.
 */
#include "fuzz_host.h"
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r = {data, data + size};
  uint32_t first = fuzz_byte(&r) % 8;
  uint32_t n_blocks = fuzz_byte(&r) % 16;
  uint64_t position = (uint64_t)fuzz_byte(&r) * 1152;
  ac_mark_array a = {0};
  int rate = 0;
  uint64_t frames = 0;
  int rc = ac_marks_decode(r.p, (size_t)(r.end - r.p), first, n_blocks,
                           position, &rate, &frames, &a);
  FUZZ_CHECK(rc == 0 || rc == AC_ERR_FORMAT || rc == AC_ERR_NOMEM);
  if (rc == 0) {
    FUZZ_CHECK(rate > 0);
    for (size_t i = 0; i < a.count; i++) {
      const ac_mark *m = &a.items[i];
      FUZZ_CHECK(m->kind <= AC_MARK_WORD);
      FUZZ_CHECK(m->block >= first && m->block < first + n_blocks);
      FUZZ_CHECK(m->sample >= position && m->sample <= position + frames);
      if (i > 0)
        FUZZ_CHECK(m->sample >= a.items[i - 1].sample);
    }
    /* Round trip: relative to the segment again, encoded, decoded. */
    ac_mark *rel = malloc((a.count ? a.count : 1) * sizeof *rel);
    FUZZ_CHECK(rel != NULL);
    for (size_t i = 0; i < a.count; i++) {
      rel[i] = a.items[i];
      rel[i].sample -= position;
    }
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    FUZZ_CHECK(ac_marks_encode(rate, frames, rel, a.count, first, &enc,
                               &enc_len) == 0);
    ac_mark_array b = {0};
    int rate2 = 0;
    uint64_t frames2 = 0;
    FUZZ_CHECK(ac_marks_decode(enc, enc_len, first, n_blocks, position, &rate2,
                               &frames2, &b) == 0);
    FUZZ_CHECK(rate2 == rate && frames2 == frames && b.count == a.count);
    for (size_t i = 0; i < a.count; i++)
      FUZZ_CHECK(memcmp(&a.items[i], &b.items[i], sizeof *a.items) == 0);
    ac_marks_free(&b);
    free(enc);
    free(rel);
  }
  ac_marks_free(&a);
  return 0;
}
