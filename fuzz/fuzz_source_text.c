/*
 * source_text on any bytes: plain text and Markdown (cmark-gfm), the file
 * name and the format option chosen by the first byte.
 */
#include "fuzz_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  static const char *const names[] = {"article.md", "article.txt", "-",
                                      "article"};
  static const char *const formats[] = {"format=auto", "format=markdown",
                                        "format=plain"};
  if (size == 0)
    return 0;
  const char *settings[] = {formats[(data[0] >> 2) % 3], NULL};
  fuzz_read_source(names[data[0] & 3], settings, data + 1, size - 1);
  return 0;
}
