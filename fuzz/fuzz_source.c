/* See fuzz_source.h. */
#include "fuzz_source.h"

#include <string.h>

static void check_string(const char *s) {
  if (!s)
    return;
  FUZZ_CHECK(ac_utf8_invalid_offset(s, strlen(s)) < 0);
}

static void check_text(const char *s) {
  check_string(s);
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
    FUZZ_CHECK(*p >= 0x20 || *p == '\n' || *p == '\t');
}

void fuzz_read_source(const char *name, const char *const *settings,
                      const uint8_t *data, size_t len) {
  ac_stage_instance *si = fuzz_stage(settings);
  const ac_plugin *p = ac_stage_plugin(si);
  ac_document *doc = ac_document_new();
  FUZZ_CHECK(doc != NULL);
  int rc =
      p->read_source(ac_stage_handle(si), name, (const char *)data, len, doc);
  FUZZ_CHECK(rc <= 0 && rc >= AC_ERR_LIMIT);
  if (rc != 0) {
    FUZZ_CHECK(ac_stage_error(si)[0] != '\0');
  } else {
    const char *fields[] = {doc->title,   doc->author, doc->date, doc->language,
                            doc->summary, doc->image,  doc->url,  doc->id};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
      check_string(fields[i]);
    check_text(doc->title);
    for (size_t i = 0; i < doc->n_blocks; i++) {
      FUZZ_CHECK(doc->blocks[i].text != NULL);
      check_text(doc->blocks[i].text);
      check_string(doc->blocks[i].written);
    }
  }
  ac_document_free(doc);
  ac_stage_free(si);
}
