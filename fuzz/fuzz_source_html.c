/*
 * source_html on any bytes: charset detection, libxml2's HTML parser,
 * metadata and JSON-LD (jansson), content extraction. The page is a file
 * (no network): the first byte picks its name.
 */
#include "fuzz_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  static const char *const names[] = {"page.html", "-", "saved/page.htm",
                                      "page.xhtml"};
  static const char *const detect[] = {"detect_language=true",
                                       "detect_language=false"};
  if (size == 0)
    return 0;
  const char *settings[] = {detect[(data[0] >> 2) & 1], NULL};
  fuzz_read_source(names[data[0] & 3], settings, data + 1, size - 1);
  return 0;
}
