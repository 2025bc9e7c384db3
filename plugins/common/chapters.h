/*
 * Chapters of an episode, derived from the document and the audio marks so
 * that every stage that writes chapters (ID3 CHAP frames, Podcasting 2.0
 * chapters JSON, show notes) agrees on the same titles and times.
 *
 * Rules: the episode starts with a chapter titled with the document title.
 * Each heading (level >= 1) starts a chapter titled with its written text.
 * Without headings the body gets its own chapter, titled with the opening
 * words of its first paragraph. Bylines and bios after the body start an
 * "About the author" chapter.
 *
 * Titles are one line: runs of white space and control characters become a
 * single space, trimmed at both ends; a heading with no visible text starts
 * no chapter. Starts are ascending: two at the same frame keep the later
 * title, and a chapter starting at or after the end of the audio is
 * dropped by ac_chapters_finish().
 */
#ifndef ARTICAST_COMMON_CHAPTERS_H
#define ARTICAST_COMMON_CHAPTERS_H

#include "articast/plugin.h"

typedef struct ac_chapter {
  uint64_t start; /* frames */
  uint64_t end;   /* frames, exclusive; the next chapter's start */
  char *title;    /* UTF-8, malloc'd */
} ac_chapter;

typedef struct ac_chapter_list {
  ac_chapter *items;
  size_t count;
  /* builder state */
  const ac_document *doc;
  int has_headings;
  int seen_body;
  int in_about;
} ac_chapter_list;

void ac_chapters_init(ac_chapter_list *list, const ac_document *doc);
/* Feeds one mark, in stream order. Returns 0 or AC_ERR_NOMEM. */
int ac_chapters_mark(ac_chapter_list *list, const ac_mark *mark);
/* Closes the last chapter at `total_frames`, after dropping those that
 * start at or after it (the opening chapter always stays, and is added
 * when no mark came). Returns 0 or AC_ERR_NOMEM. */
int ac_chapters_finish(ac_chapter_list *list, uint64_t total_frames);
void ac_chapters_free(ac_chapter_list *list);

#endif
