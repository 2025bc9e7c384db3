/*
 * normalize's lexicon files: the input is a lexicon (the stage's only
 * one), and the document the stage then reads is the lexicon's own text,
 * so that its entries meet words they match.
 */
#include "fuzz_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  const char *path = fuzz_file("fuzz.lex", data, size);
  char setting[600];
  snprintf(setting, sizeof setting, "- \"%s\"", path);
  const ac_plugin *p = articast_plugin_entry();
  ac_settings s = {0};
  FUZZ_CHECK(ac_settings_add(&s, p->name, "lexicons", setting, "fuzz") == 0);
  char why[1024] = "";
  ac_stage_instance *si = ac_stage_new(p, &s, NULL, why, sizeof why);
  ac_settings_free(&s);
  if (!si) {
    FUZZ_CHECK(why[0] != '\0'); /* a refused lexicon says why */
    return 0;
  }
  ac_document *doc = ac_document_new();
  FUZZ_CHECK(doc != NULL);
  char *text = strndup((const char *)data, size);
  FUZZ_CHECK(text != NULL);
  long bad = ac_utf8_invalid_offset(text, strlen(text));
  if (bad >= 0)
    text[bad] = '\0';
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
    FUZZ_CHECK(ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, line,
                                     strlen(line)) != NULL);
  int rc = p->process_document(ac_stage_handle(si), doc);
  FUZZ_CHECK(rc == 0 || ac_stage_error(si)[0] != '\0');
  for (size_t i = 0; rc == 0 && i < doc->n_blocks; i++)
    FUZZ_CHECK(ac_utf8_invalid_offset(doc->blocks[i].text,
                                      strlen(doc->blocks[i].text)) < 0);
  free(text);
  ac_document_free(doc);
  ac_stage_free(si);
  return 0;
}
