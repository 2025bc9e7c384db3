/*
 * What every fuzz harness shares: the real core (stage instances, host
 * helpers, the document model) with the data search path set to the
 * repository's voices/, a scratch directory for parsers that read files,
 * and a small reader that cuts the fuzzer's bytes into fields.
 */
#ifndef ARTICAST_FUZZ_HOST_H
#define ARTICAST_FUZZ_HOST_H

#include "core.h"

#include <stddef.h>
#include <stdint.h>

/* The plugin compiled into this harness (its AC_PLUGIN_EXPORT). */
const ac_plugin *articast_plugin_entry(void);

/* Once per process: quiet logs, the data directory, the scratch
 * directory. */
void fuzz_init(void);

/* Writes `len` bytes to `name` in the scratch directory and returns the
 * path (static storage, valid until the next call). Aborts on failure:
 * the harness, not the code under test, is broken then. */
const char *fuzz_file(const char *name, const void *data, size_t len);
/* The scratch directory. */
const char *fuzz_dir(void);

/* A stage of the harness's plugin with `settings` ("key=value", NULL
 * ended; may be NULL). Aborts when the stage cannot be made. */
ac_stage_instance *fuzz_stage(const char *const *settings);

/* Cuts the input into fields: fuzz_take() returns the bytes up to the next
 * separator byte 0xFF (or the end) as a malloc'd NUL-terminated string, or
 * NULL when nothing is left; fuzz_byte() takes one byte (0 at the end). */
typedef struct fuzz_reader {
  const uint8_t *p, *end;
} fuzz_reader;
char *fuzz_take(fuzz_reader *r);
uint8_t fuzz_byte(fuzz_reader *r);

/* A document made from the input: a title, a language from a short list,
 * then blocks whose kind (and heading level) come from one byte each,
 * their text up to the next 0xFF. Invalid UTF-8 is cut at its first bad
 * byte, as every source stage refuses such text. */
ac_document *fuzz_document(fuzz_reader *r);

/* Fails loudly (abort) when the condition is false: an invariant the code
 * under test promised. */
#define FUZZ_CHECK(cond)                                                       \
  ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))
void fuzz_fail(const char *what, const char *file, int line);

#endif
