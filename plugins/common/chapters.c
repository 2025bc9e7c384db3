/* Chapter derivation shared by the sinks (see chapters.h). */
#include "chapters.h"

#include <stdlib.h>
#include <string.h>

static int add(ac_chapter_list *list, uint64_t start, const char *title,
               size_t len) {
  if (list->count > 0) {
    ac_chapter *last = &list->items[list->count - 1];
    /* Two starts at one instant: the later, more specific title wins. */
    if (last->start == start) {
      char *copy = strndup(title, len);
      if (!copy)
        return AC_ERR_NOMEM;
      free(last->title);
      last->title = copy;
      return AC_ERR_OK;
    }
    last->end = start;
  }
  ac_chapter *grown =
      realloc(list->items, (list->count + 1) * sizeof *list->items);
  if (!grown)
    return AC_ERR_NOMEM;
  list->items = grown;
  ac_chapter *c = &grown[list->count];
  c->start = start;
  c->end = start;
  c->title = strndup(title, len);
  if (!c->title)
    return AC_ERR_NOMEM;
  list->count++;
  return AC_ERR_OK;
}

/* The first words of a paragraph, cut at a word boundary, for a chapter
 * title: at most 48 bytes plus an ellipsis. */
static int add_opening(ac_chapter_list *list, uint64_t start,
                       const char *text) {
  size_t len = strlen(text);
  if (len <= 56)
    return add(list, start, text, len);
  size_t cut = 48;
  while (cut > 16 && text[cut] != ' ')
    cut--;
  while (cut > 0 && (text[cut - 1] == ',' || text[cut - 1] == ' '))
    cut--;
  char buf[64];
  memcpy(buf, text, cut);
  memcpy(buf + cut, "\xE2\x80\xA6", 4); /* U+2026 */
  return add(list, start, buf, strlen(buf));
}

void ac_chapters_init(ac_chapter_list *list, const ac_document *doc) {
  memset(list, 0, sizeof *list);
  list->doc = doc;
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (doc->blocks[i].kind == AC_BLOCK_HEADING && doc->blocks[i].level >= 1)
      list->has_headings = 1;
}

static const char *written(const ac_block *b) {
  return b->written ? b->written : b->text;
}

int ac_chapters_mark(ac_chapter_list *list, const ac_mark *mark) {
  const ac_document *doc = list->doc;
  if (list->count == 0) {
    const char *title = doc->title && doc->title[0] ? doc->title : "Episode";
    int rc = add(list, 0, title, strlen(title));
    if (rc)
      return rc;
  }
  if (mark->kind != AC_MARK_BLOCK || mark->block >= doc->n_blocks)
    return AC_ERR_OK;
  const ac_block *b = &doc->blocks[mark->block];
  switch (b->kind) {
  case AC_BLOCK_HEADING:
    if (b->level >= 1) {
      list->seen_body = 1;
      list->in_about = 0;
      return add(list, mark->sample, written(b), strlen(written(b)));
    }
    return AC_ERR_OK;
  case AC_BLOCK_PARAGRAPH:
  case AC_BLOCK_QUOTE:
  case AC_BLOCK_LIST_ITEM:
    if (!list->seen_body) {
      list->seen_body = 1;
      if (!list->has_headings)
        return add_opening(list, mark->sample, written(b));
    }
    return AC_ERR_OK;
  case AC_BLOCK_BYLINE:
  case AC_BLOCK_BIO:
    if (list->seen_body && !list->in_about) {
      list->in_about = 1;
      return add(list, mark->sample, "About the author", 16);
    }
    return AC_ERR_OK;
  default:
    return AC_ERR_OK;
  }
}

void ac_chapters_finish(ac_chapter_list *list, uint64_t total_frames) {
  if (list->count > 0)
    list->items[list->count - 1].end = total_frames;
}

void ac_chapters_free(ac_chapter_list *list) {
  for (size_t i = 0; i < list->count; i++)
    free(list->items[i].title);
  free(list->items);
  memset(list, 0, sizeof *list);
}
