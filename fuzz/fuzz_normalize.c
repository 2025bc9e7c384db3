/*
 * The normalize stage (numbers, money, dates, abbreviations, the English
 * lexicon) on a document made from the input, options by the first byte.
 */
#include "fuzz_text_stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  fuzz_reader r = {data, data + size};
  uint8_t opts = fuzz_byte(&r);
  static const char *const dates[] = {"dates=auto", "dates=dmy", "dates=mdy"};
  static const char *const titles[] = {"title=auto", "title=always",
                                       "title=never"};
  const char *settings[] = {dates[opts % 3], titles[(opts >> 2) % 3], NULL};
  fuzz_text_stage(settings, &r);
  return 0;
}
