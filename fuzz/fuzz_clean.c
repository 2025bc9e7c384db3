/*
 * The clean stage on a document made from the input (blocks of every
 * kind, a language from a short list), with its options chosen by the
 * first byte.
 */
#include "fuzz_text_stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  fuzz_reader r = {data, data + size};
  uint8_t opts = fuzz_byte(&r);
  const char *settings[] = {
      opts & 1 ? "keep_boilerplate=true" : "keep_boilerplate=false",
      opts & 2 ? "typography=false" : "typography=true",
      opts & 4 ? "classify=false" : "classify=true",
      opts & 8 ? "min_paragraph_words=1" : "min_paragraph_words=4", NULL};
  fuzz_text_stage(settings, &r);
  return 0;
}
