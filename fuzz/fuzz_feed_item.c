/*
 * The feed's episode sidecars (plugins/feed/item.c, SITE/episodes/
 * <slug>.item.xml, read with libxml2): the input is a sidecar. One that
 * loads is saved again and must load back the same.
 */
#include "feed.h"
#include "fuzz_host.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same(const feed_item *a, const feed_item *b) {
  const char *const fa[] = {a->slug,   a->guid,     a->title,   a->link,
                            a->author, a->language, a->summary, a->image,
                            a->voice,  a->audio};
  const char *const fb[] = {b->slug,   b->guid,     b->title,   b->link,
                            b->author, b->language, b->summary, b->image,
                            b->voice,  b->audio};
  for (size_t i = 0; i < sizeof fa / sizeof *fa; i++)
    FUZZ_CHECK(same(fa[i], fb[i]));
  for (size_t i = 0; i < FEED_FILE_KINDS; i++)
    FUZZ_CHECK(same(a->files[i], b->files[i]));
  FUZZ_CHECK(a->date == b->date && a->length == b->length);
  FUZZ_CHECK(a->n_chapters == b->n_chapters);
  for (size_t i = 0; i < a->n_chapters; i++)
    FUZZ_CHECK(same(a->chapters[i].title, b->chapters[i].title));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  const char *path = fuzz_file("episode.item.xml", data, size);
  feed_item it, back;
  char why[512] = "";
  int rc = feed_item_load(path, &it, why, sizeof why);
  if (rc != 0) {
    FUZZ_CHECK(why[0] != '\0');
    feed_item_free(&it);
    return 0;
  }
  char again[600];
  snprintf(again, sizeof again, "%s/again.item.xml", fuzz_dir());
  FUZZ_CHECK(feed_item_save(&it, again, why, sizeof why) == 0);
  FUZZ_CHECK(feed_item_load(again, &back, why, sizeof why) == 0);
  check_same(&it, &back);
  feed_item_free(&it);
  feed_item_free(&back);
  return 0;
}
