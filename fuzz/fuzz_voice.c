/*
 * Voice profile files (pipeline/voices.c on libinih): the input is a
 * .voice file. A loaded profile has a name, and every setting names its
 * plugin, key, value and origin.
 */
#include "fuzz_host.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  const char *path = fuzz_file("fuzz.voice", data, size);
  ac_voice_profile vp;
  char err[1024] = "";
  int rc = ac_voice_load(&vp, path, err, sizeof err);
  if (rc != 0) {
    FUZZ_CHECK(err[0] != '\0');
  } else {
    FUZZ_CHECK(vp.voice.name != NULL && strcmp(vp.voice.name, "fuzz") == 0);
    for (size_t i = 0; i < vp.settings.count; i++) {
      const ac_setting *s = &vp.settings.items[i];
      FUZZ_CHECK(s->plugin && s->key && s->value && s->origin);
      FUZZ_CHECK(s->layer == AC_LAYER_VOICE);
    }
  }
  ac_voice_free(&vp);
  return 0;
}
