/* The document model's helpers: every string is malloc'd and owned by the
 * document (see plugin.h). */
#include "core.h"

#include <stdlib.h>
#include <string.h>

ac_document *ac_document_new(void) {
  return calloc(1, sizeof(ac_document));
}

static void block_clear(ac_block *b) {
  free(b->text);
  free(b->written);
  free(b->lang);
  free(b->map);
  memset(b, 0, sizeof *b);
}

void ac_document_free(ac_document *doc) {
  if (!doc)
    return;
  char **fields[] = {&doc->title,   &doc->author, &doc->date, &doc->language,
                     &doc->summary, &doc->image,  &doc->url,  &doc->id,
                     &doc->source,  &doc->format};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  for (size_t i = 0; i < doc->n_blocks; i++)
    block_clear(&doc->blocks[i]);
  free(doc->blocks);
  free(doc);
}

int ac_set_string(char **field, const char *value, size_t len) {
  char *copy = NULL;
  if (value) {
    if (len == (size_t)-1)
      len = strlen(value);
    copy = malloc(len + 1);
    if (!copy)
      return AC_ERR_NOMEM;
    memcpy(copy, value, len);
    copy[len] = '\0';
  }
  free(*field);
  *field = copy;
  return AC_ERR_OK;
}

ac_block *ac_document_insert_block(ac_document *doc, size_t index,
                                   ac_block_kind kind, const char *text,
                                   size_t len) {
  if (index > doc->n_blocks)
    index = doc->n_blocks;
  if (doc->n_blocks == doc->cap_blocks) {
    size_t cap = doc->cap_blocks ? doc->cap_blocks * 2 : 16;
    ac_block *grown = realloc(doc->blocks, cap * sizeof *grown);
    if (!grown)
      return NULL;
    doc->blocks = grown;
    doc->cap_blocks = cap;
  }
  ac_block fresh = {.kind = kind};
  if (ac_set_string(&fresh.text, text ? text : "", text ? len : 0) != 0)
    return NULL;
  memmove(&doc->blocks[index + 1], &doc->blocks[index],
          (doc->n_blocks - index) * sizeof *doc->blocks);
  doc->blocks[index] = fresh;
  doc->n_blocks++;
  return &doc->blocks[index];
}

ac_block *ac_document_add_block(ac_document *doc, ac_block_kind kind,
                                const char *text, size_t len) {
  return ac_document_insert_block(doc, doc->n_blocks, kind, text, len);
}

void ac_document_remove_block(ac_document *doc, size_t index) {
  if (index >= doc->n_blocks)
    return;
  block_clear(&doc->blocks[index]);
  memmove(&doc->blocks[index], &doc->blocks[index + 1],
          (doc->n_blocks - index - 1) * sizeof *doc->blocks);
  doc->n_blocks--;
}

const char *ac_block_kind_name(ac_block_kind kind) {
  switch (kind) {
  case AC_BLOCK_HEADING:
    return "heading";
  case AC_BLOCK_PARAGRAPH:
    return "paragraph";
  case AC_BLOCK_QUOTE:
    return "quote";
  case AC_BLOCK_LIST_ITEM:
    return "list-item";
  case AC_BLOCK_BYLINE:
    return "byline";
  case AC_BLOCK_BIO:
    return "bio";
  case AC_BLOCK_CAPTION:
    return "caption";
  case AC_BLOCK_BOILERPLATE:
    return "boilerplate";
  case AC_BLOCK_ANNOUNCEMENT:
    return "announcement";
  }
  return "unknown";
}

static bool is_body(ac_block_kind kind) {
  return kind == AC_BLOCK_HEADING || kind == AC_BLOCK_PARAGRAPH ||
         kind == AC_BLOCK_QUOTE || kind == AC_BLOCK_LIST_ITEM;
}

static bool is_title_block(const ac_block *b) {
  return b->kind == AC_BLOCK_HEADING && b->level == 0;
}

int ac_document_print(const ac_document *doc, FILE *out, int flags) {
  bool body_only = flags & AC_PRINT_BODY, spoken = flags & AC_PRINT_SPOKEN;
  bool first = true;
  /* The spoken title is the host's level-0 block, when there is one. */
  const char *title =
      spoken && doc->n_blocks > 0 && is_title_block(&doc->blocks[0])
          ? doc->blocks[0].text
          : doc->title;
  if (!body_only && title && title[0]) {
    fprintf(out, "%s\n", title);
    first = false;
  }
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *b = &doc->blocks[i];
    if (b->kind == AC_BLOCK_BOILERPLATE || is_title_block(b) ||
        (body_only && !is_body(b->kind)))
      continue;
    const char *text = !spoken && b->written ? b->written : b->text;
    if (!text || !text[0])
      continue;
    fprintf(out, "%s%s\n", first ? "" : "\n", text);
    first = false;
  }
  return ferror(out) ? AC_ERR_IO : AC_ERR_OK;
}
