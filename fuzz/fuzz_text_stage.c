/* See fuzz_text_stage.h. */
#include "fuzz_text_stage.h"

#include <stdio.h>
#include <string.h>

static void check_block(const ac_block *b) {
  FUZZ_CHECK(b->text != NULL);
  size_t spoken = strlen(b->text);
  FUZZ_CHECK(ac_utf8_invalid_offset(b->text, spoken) < 0);
  const char *w = b->written ? b->written : b->text;
  size_t written = strlen(w);
  FUZZ_CHECK(ac_utf8_invalid_offset(w, written) < 0);
  for (size_t i = 0; i < b->n_map; i++) {
    FUZZ_CHECK(b->map[i].spoken <= spoken);
    FUZZ_CHECK(b->map[i].written <= written);
    if (i > 0)
      FUZZ_CHECK(b->map[i].spoken >= b->map[i - 1].spoken);
  }
}

/* Stages are made once per set of settings and kept: making one loads
 * word lists and lexicons, which would take most of the fuzzing time. A
 * stage runs many documents in a row in `articast episode` too. */
static ac_stage_instance *stage_for(const char *const *settings) {
  static struct {
    char key[256];
    ac_stage_instance *si;
  } made[64];
  static size_t n_made;
  char key[256] = "";
  for (size_t i = 0; settings && settings[i]; i++) {
    strncat(key, settings[i], sizeof key - strlen(key) - 2);
    strcat(key, ";");
  }
  for (size_t i = 0; i < n_made; i++)
    if (strcmp(made[i].key, key) == 0)
      return made[i].si;
  FUZZ_CHECK(n_made < sizeof made / sizeof *made);
  snprintf(made[n_made].key, sizeof made[n_made].key, "%s", key);
  made[n_made].si = fuzz_stage(settings);
  return made[n_made++].si;
}

void fuzz_text_stage(const char *const *settings, fuzz_reader *r) {
  ac_document *doc = fuzz_document(r);
  ac_stage_instance *si = stage_for(settings);
  int rc = ac_stage_plugin(si)->process_document(ac_stage_handle(si), doc);
  FUZZ_CHECK(rc <= 0 && rc >= AC_ERR_LIMIT);
  if (rc != 0)
    FUZZ_CHECK(ac_stage_error(si)[0] != '\0');
  else
    for (size_t i = 0; i < doc->n_blocks; i++)
      check_block(&doc->blocks[i]);
  ac_document_free(doc);
}
