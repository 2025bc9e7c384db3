/* Shared harness code: see fuzz_host.h. */
#include "fuzz_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch[256];
static char path_buf[512];

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

static void remove_scratch(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", scratch);
}

void fuzz_init(void) {
  if (scratch[0])
    return;
  const char *tmp = getenv("TMPDIR");
  snprintf(scratch, sizeof scratch, "%s/articast-fuzz-XXXXXX",
           tmp && tmp[0] ? tmp : "/tmp");
  if (!mkdtemp(scratch)) {
    perror("mkdtemp");
    abort();
  }
  atexit(remove_scratch);
  ac_set_log_level(AC_LOG_ERROR);
  ac_add_data_dir(ARTICAST_FUZZ_SOURCE_DIR "/voices");
  /* Voice profiles come from the repository, never from the machine. */
  setenv("ARTICAST_VOICE_PATH", ARTICAST_FUZZ_SOURCE_DIR "/voices", 1);
  setenv("ARTICAST_PLUGIN_PATH", "", 1);
}

const char *fuzz_dir(void) {
  return scratch;
}

const char *fuzz_file(const char *name, const void *data, size_t len) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", scratch, name);
  int fd = open(path_buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    perror(path_buf);
    abort();
  }
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w <= 0) {
      perror(path_buf);
      abort();
    }
    p += w;
    len -= (size_t)w;
  }
  close(fd);
  return path_buf;
}

char *fuzz_take(fuzz_reader *r) {
  if (r->p >= r->end)
    return NULL;
  const uint8_t *sep = memchr(r->p, 0xFF, (size_t)(r->end - r->p));
  const uint8_t *stop = sep ? sep : r->end;
  char *s = strndup((const char *)r->p, (size_t)(stop - r->p));
  if (!s)
    abort();
  r->p = sep ? sep + 1 : r->end;
  return s;
}

uint8_t fuzz_byte(fuzz_reader *r) {
  return r->p < r->end ? *r->p++ : 0;
}

/* Cuts `s` at its first invalid UTF-8 byte. */
static void valid_prefix(char *s) {
  long bad = ac_utf8_invalid_offset(s, strlen(s));
  if (bad >= 0)
    s[bad] = '\0';
}

ac_document *fuzz_document(fuzz_reader *r) {
  static const char *const languages[] = {NULL,    "en", "en-GB", "fr",
                                          "de-DE", "es", "ur",    "zh",
                                          "ru",    "ar", "hi",    "pl"};
  ac_document *doc = ac_document_new();
  if (!doc)
    abort();
  const char *lang =
      languages[fuzz_byte(r) % (sizeof languages / sizeof *languages)];
  if (lang && ac_set_string(&doc->language, lang, (size_t)-1) != 0)
    abort();
  char *title = fuzz_take(r);
  if (title) {
    valid_prefix(title);
    if (ac_set_string(&doc->title, title, (size_t)-1) != 0)
      abort();
    if (!ac_document_add_block(doc, AC_BLOCK_HEADING, title, strlen(title)))
      abort();
    free(title);
  }
  for (size_t n = 0; n < 4096 && r->p < r->end; n++) {
    uint8_t kind = fuzz_byte(r);
    char *text = fuzz_take(r);
    if (!text)
      break;
    valid_prefix(text);
    ac_block *b = ac_document_add_block(doc, (ac_block_kind)(kind % 8), text,
                                        strlen(text));
    if (!b)
      abort();
    if (b->kind == AC_BLOCK_HEADING)
      b->level = 1 + (kind >> 3) % 6;
    free(text);
  }
  return doc;
}
