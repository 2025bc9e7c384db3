/*
 * source_text's front matter (libyaml): the input follows a "---" opener
 * in a Markdown file, so every input reaches the YAML reader.
 */
#include "fuzz_source.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  static const char opener[] = "---\n";
  uint8_t *text = malloc(sizeof opener - 1 + size);
  if (!text)
    return 0;
  memcpy(text, opener, sizeof opener - 1);
  if (size)
    memcpy(text + sizeof opener - 1, data, size);
  fuzz_read_source("article.md", NULL, text, sizeof opener - 1 + size);
  free(text);
  return 0;
}
