/* The pieces of an episode's timeline the runner keeps: marks (a growable
 * array, and the cache's binary record of a segment's marks), the silence
 * between segments, and the chapters derived from the marks. Pure data
 * work, unit-tested on its own (tests/test_core.c). */
#ifndef ARTICAST_TIMELINE_H
#define ARTICAST_TIMELINE_H

#include "core.h"

/* ---- Marks ----------------------------------------------------------------
 */

typedef struct ac_mark_array {
  ac_mark *items;
  size_t count, cap;
} ac_mark_array;

/* Makes room for `need` marks in all. Returns 0 or AC_ERR_NOMEM. */
int ac_marks_reserve(ac_mark_array *a, size_t need);
int ac_marks_push(ac_mark_array *a, const ac_mark *m);
void ac_marks_free(ac_mark_array *a);

/* A segment's marks as the cache stores them, little-endian:
 *   u32 sample rate, u64 frames, u32 count, then per mark
 *   u32 kind, u32 block - first_block, u32 text offset, u32 text length,
 *   u64 sample relative to the segment's start.
 * Encodes `marks` (positioned relative to the segment) into a malloc'd
 * buffer. Returns 0 or AC_ERR_NOMEM. */
int ac_marks_encode(int rate, uint64_t frames, const ac_mark *marks, size_t n,
                    uint32_t first_block, uint8_t **out, size_t *out_len);
/* Decodes such a record into `a` (replacing its contents), moving each mark
 * to `position` + its sample and to block first_block + its index. Checks
 * what a damaged or hostile entry could get wrong: sizes, kinds, blocks
 * past `n_blocks`, marks out of order or past the segment's end, rates.
 * Returns 0, AC_ERR_FORMAT, or AC_ERR_NOMEM. */
int ac_marks_decode(const uint8_t *data, size_t len, uint32_t first_block,
                    uint32_t n_blocks, uint64_t position, int *rate,
                    uint64_t *frames, ac_mark_array *a);

/* ---- Silence between segments (plugin.h, "Segments") -------------------- */

/* How many frames of zeros end a segment of `length` frames that already
 * ends in `zero_run` zeros: enough for AC_SEGMENT_MIN_SILENCE zeros at its
 * end and a whole number of AC_SEGMENT_QUANTUM frames. 0 for an empty
 * segment. */
uint64_t ac_segment_padding(uint64_t length, uint64_t zero_run);
/* The run of zeros at the end of a stream that ended in `zero_run` zeros
 * and then got `samples`. */
uint64_t ac_zero_run_after(uint64_t zero_run, const float *samples, size_t n);

/* ---- Chapters (plugin.h, ac_chapter) --------------------------------------
 */

typedef struct ac_chapter_builder {
  ac_chapter *items; /* titles malloc'd, owned here */
  size_t count;
  const ac_document *doc;
  bool has_headings, seen_body, in_about;
} ac_chapter_builder;

void ac_chapters_init(ac_chapter_builder *b, const ac_document *doc);
/* Feeds one mark, in stream order. Returns 0 or AC_ERR_NOMEM. */
int ac_chapters_mark(ac_chapter_builder *b, const ac_mark *mark);
/* Closes the last chapter at `total_frames`, after dropping those that
 * start at or after it (the opening chapter always stays, and is added
 * when no mark came). Returns 0 or AC_ERR_NOMEM. */
int ac_chapters_finish(ac_chapter_builder *b, uint64_t total_frames);
void ac_chapters_free(ac_chapter_builder *b);

#endif
