/*
 * Config files (pipeline/config.c on libinih): the input is the INI file.
 * A refused file says why, naming the file.
 */
#include "fuzz_host.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  const char *path = fuzz_file("show.ini", data, size);
  ac_config cfg;
  char err[1024] = "";
  int rc = ac_config_load(&cfg, path, err, sizeof err);
  if (rc != 0) {
    FUZZ_CHECK(err[0] != '\0');
  } else {
    FUZZ_CHECK(cfg.n_text_stages <= AC_MAX_STAGES &&
               cfg.n_filters <= AC_MAX_STAGES && cfg.n_sinks <= AC_MAX_STAGES &&
               cfg.n_publishers <= AC_MAX_STAGES);
    for (size_t i = 0; i < cfg.settings.count; i++)
      FUZZ_CHECK(cfg.settings.items[i].plugin && cfg.settings.items[i].key &&
                 cfg.settings.items[i].value);
  }
  ac_config_free(&cfg);
  return 0;
}
