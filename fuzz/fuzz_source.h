/*
 * The source harnesses' common part: runs the compiled-in source plugin on
 * the input and checks what every source promises of a document.
 */
#ifndef ARTICAST_FUZZ_SOURCE_H
#define ARTICAST_FUZZ_SOURCE_H

#include "fuzz_host.h"

/* Reads [data, data + len) named `name` with the plugin (settings as for
 * fuzz_stage) and checks the result: 0 or an ac_error with a message;
 * on success every string of the document valid UTF-8, every block's
 * text free of control characters other than '\n' and '\t'. */
void fuzz_read_source(const char *name, const char *const *settings,
                      const uint8_t *data, size_t len);

#endif
