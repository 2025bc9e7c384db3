/*
 * Captions from audio marks: a cue per sentence, long sentences split at
 * word marks into cues of at most `max_lines` lines of `max_line`
 * characters, each cue timed exactly by the marks that bound it and showing
 * the text as the article wrote it.
 */
#ifndef ARTICAST_COMMON_CUES_H
#define ARTICAST_COMMON_CUES_H

#include "articast/plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ac_cue {
  uint64_t start; /* frames */
  uint64_t end;   /* frames; >= start */
  char *text;     /* UTF-8, lines joined by '\n', not escaped; malloc'd */
  /* Where the text comes from: bytes [shown_start, shown_end) of the text
   * the block shows (ac_text_view of doc->blocks[block]), which hold the
   * cue's words and nothing of the next cue's. */
  uint32_t block;
  size_t shown_start, shown_end;
  /* Milliseconds as the caption files give them (ac_cues_set_ms). */
  uint64_t start_ms, end_ms;
} ac_cue;

typedef struct ac_cues {
  ac_cue *items;
  size_t count;
  size_t cap;
  size_t fallbacks; /* blocks shown as spoken: written text without map */
} ac_cues;

typedef struct ac_cue_layout {
  size_t max_line;  /* columns per line: a character takes one, a CJK
                       character two (its display width) */
  size_t max_lines; /* lines per cue */
} ac_cue_layout;

/* Builds the cues of a stream from all its marks (in stream order) and its
 * length in frames. A sentence runs from its SENTENCE mark (or its block's
 * BLOCK mark, for text before the first sentence mark) to the next
 * SENTENCE, BLOCK or BLOCK_END mark, so it ends where its speech ends and
 * not after the pause that follows a block. A sentence of one or two words
 * followed by another in its block shares a cue with it when both fit (a
 * synth may end sentences at "Oct." or an initial). Starts never decrease.
 * Returns 0 or AC_ERR_NOMEM. */
int ac_cues_build(const ac_document *doc, const ac_mark *marks, size_t n,
                  uint64_t total_frames, const ac_cue_layout *layout,
                  ac_cues *out);
void ac_cues_free(ac_cues *cues);

/* Frames to whole milliseconds, rounded to nearest, without overflow. */
uint64_t ac_frames_ms(uint64_t frames, int sample_rate);

/* Sets every cue's start_ms and end_ms: its frames in milliseconds,
 * with starts that never decrease and each end after its start, also when
 * rounding brings two marks to the same millisecond. Every file that shows
 * the cues takes their times from here, so they agree to the millisecond. */
void ac_cues_set_ms(ac_cues *cues, int sample_rate);

/* The identifier of cue `index` (0-based) wherever cues are named: the
 * WebVTT cue identifier and the listening page's element id, "s1", "s2",
 * ... (out: at least AC_CUE_ID_SIZE bytes). */
#define AC_CUE_ID_SIZE 24
void ac_cue_id(size_t index, char *out);

/* Lines that s[0..n) needs when wrapped greedily at `width` columns (a
 * word longer than that gets a line of its own). Lines break at white
 * space, and in scripts written without spaces (Chinese, Japanese) also
 * between characters where the Unicode line breaking rules allow; *chars
 * receives the text's width in columns with its gaps folded to one
 * space. */
size_t ac_cue_wrap_count(const char *s, size_t n, size_t width, size_t *chars);

#endif
