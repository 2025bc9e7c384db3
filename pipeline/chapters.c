/* Chapters from the document and the marks (plugin.h, ac_chapter): the
 * host derives them once, so tags, chapter files, show notes and pages
 * agree on titles and times. Titles are one line: runs of white space and
 * control characters become a single space, trimmed at both ends; a
 * heading with no visible text starts no chapter. */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

/* Bytes that separate words in a title: ASCII white space and the other
 * control characters, which have no place in a one-line title. */
static int is_gap(unsigned char c) {
  return c <= 0x20 || c == 0x7F;
}

/* Copies len bytes of s as one line: each run of white space or control
 * characters becomes one space, with none at either end. Titles come from
 * headings and paragraphs as written, which may hold line breaks. */
static char *one_line(const char *s, size_t len) {
  char *out = malloc(len + 1);
  if (!out)
    return NULL;
  size_t n = 0;
  int gap = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_gap(c)) {
      gap = 1;
      continue;
    }
    if (gap && n > 0)
      out[n++] = ' ';
    gap = 0;
    out[n++] = (char)c;
  }
  out[n] = '\0';
  return out;
}

/* Adds a chapter starting at `start` whose title is `title` (taken over,
 * malloc'd, already one line). */
static int add_owned(ac_chapter_builder *list, uint64_t start, uint32_t block,
                     char *title) {
  if (list->count > 0) {
    ac_chapter *last = &list->items[list->count - 1];
    /* Marks come in stream order; should one go back in time, it counts as
     * starting with the last chapter, so starts stay ascending. */
    if (start < last->start)
      start = last->start;
    /* Two starts at one instant: the later, more specific title wins. */
    if (last->start == start) {
      free((char *)last->title);
      last->title = title;
      last->block = block;
      return AC_ERR_OK;
    }
    last->end = start;
  }
  ac_chapter *grown =
      realloc(list->items, (list->count + 1) * sizeof *list->items);
  if (!grown) {
    free(title);
    return AC_ERR_NOMEM;
  }
  list->items = grown;
  ac_chapter *c = &grown[list->count];
  c->start = start;
  c->end = start;
  c->title = title;
  c->block = block;
  list->count++;
  return AC_ERR_OK;
}

/* Adds a chapter titled with len bytes of `title` made one line; a title
 * with nothing but white space starts no chapter. */
static int add(ac_chapter_builder *list, uint64_t start, uint32_t block,
               const char *title, size_t len) {
  char *line = one_line(title, len);
  if (!line)
    return AC_ERR_NOMEM;
  if (!line[0]) {
    free(line);
    return AC_ERR_OK;
  }
  return add_owned(list, start, block, line);
}

/* The first words of a paragraph, cut at a word boundary, for a chapter
 * title: at most 48 bytes plus an ellipsis. */
static int add_opening(ac_chapter_builder *list, uint64_t start, uint32_t block,
                       const char *text) {
  char *line = one_line(text, strlen(text));
  if (!line)
    return AC_ERR_NOMEM;
  size_t len = strlen(line);
  if (len == 0) {
    free(line);
    return AC_ERR_OK;
  }
  if (len <= 56)
    return add_owned(list, start, block, line);
  size_t cut = 48;
  while (cut > 16 && line[cut] != ' ')
    cut--;
  if (line[cut] != ' ') {
    /* One long word: cut it at 48 bytes, but never inside a UTF-8
     * sequence (continuation bytes are 10xxxxxx). */
    cut = 48;
    while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
      cut--;
  }
  while (cut > 0 && strchr(",;: ", line[cut - 1]))
    cut--;
  memcpy(line + cut, "\xE2\x80\xA6", 4); /* U+2026, fits: cut <= 48 < len */
  return add_owned(list, start, block, line);
}

void ac_chapters_init(ac_chapter_builder *list, const ac_document *doc) {
  memset(list, 0, sizeof *list);
  list->doc = doc;
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (doc->blocks[i].kind == AC_BLOCK_HEADING && doc->blocks[i].level >= 1)
      list->has_headings = true;
}

static const char *written(const ac_block *b) {
  return b->written ? b->written : b->text;
}

/* The opening chapter, titled with the document title. */
static int add_first(ac_chapter_builder *list) {
  const ac_document *doc = list->doc;
  const char *title = doc->title && doc->title[0] ? doc->title : "Episode";
  int rc = add(list, 0, 0, title, strlen(title));
  if (rc == AC_ERR_OK && list->count == 0)
    rc = add(list, 0, 0, "Episode", 7); /* the title was only white space */
  return rc;
}

int ac_chapters_mark(ac_chapter_builder *list, const ac_mark *mark) {
  const ac_document *doc = list->doc;
  if (list->count == 0) {
    int rc = add_first(list);
    if (rc)
      return rc;
  }
  if (mark->kind != AC_MARK_BLOCK || mark->block >= doc->n_blocks)
    return AC_ERR_OK;
  const ac_block *b = &doc->blocks[mark->block];
  switch (b->kind) {
  case AC_BLOCK_HEADING:
    if (b->level >= 1) {
      list->seen_body = true;
      list->in_about = false;
      return add(list, mark->sample, mark->block, written(b),
                 strlen(written(b)));
    }
    return AC_ERR_OK;
  case AC_BLOCK_PARAGRAPH:
  case AC_BLOCK_QUOTE:
  case AC_BLOCK_LIST_ITEM:
    if (!list->seen_body) {
      list->seen_body = true;
      if (!list->has_headings)
        return add_opening(list, mark->sample, mark->block, written(b));
    }
    return AC_ERR_OK;
  case AC_BLOCK_BYLINE:
  case AC_BLOCK_BIO:
    if (list->seen_body && !list->in_about) {
      list->in_about = true;
      return add(list, mark->sample, mark->block, "About the author", 16);
    }
    return AC_ERR_OK;
  default:
    return AC_ERR_OK;
  }
}

int ac_chapters_finish(ac_chapter_builder *list, uint64_t total_frames) {
  if (list->count == 0) {
    int rc = add_first(list);
    if (rc)
      return rc;
  }
  /* A chapter starting at or after the end of the audio would be empty
   * (a heading spoken last, cut off): drop it, but keep the opening one. */
  while (list->count > 1 &&
         list->items[list->count - 1].start >= total_frames) {
    list->count--;
    free((char *)list->items[list->count].title);
  }
  list->items[list->count - 1].end = total_frames;
  return AC_ERR_OK;
}

void ac_chapters_free(ac_chapter_builder *list) {
  for (size_t i = 0; i < list->count; i++)
    free((char *)list->items[i].title);
  free(list->items);
  memset(list, 0, sizeof *list);
}
