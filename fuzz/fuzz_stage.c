/* fuzz_stage (see fuzz_host.h): apart, as only the harnesses with a
 * plugin compiled in link it. */
#include "fuzz_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ac_stage_instance *fuzz_stage(const char *const *settings) {
  const ac_plugin *p = articast_plugin_entry();
  ac_settings s = {0};
  for (size_t i = 0; settings && settings[i]; i++) {
    const char *eq = strchr(settings[i], '=');
    char *key = strndup(settings[i], (size_t)(eq - settings[i]));
    if (!key || ac_settings_add(&s, p->name, key, eq + 1, "fuzz") != 0)
      abort();
    free(key);
  }
  char why[1024] = "";
  ac_stage_instance *si = ac_stage_new(p, &s, NULL, why, sizeof why);
  ac_settings_free(&s);
  if (!si) {
    fprintf(stderr, "cannot create stage %s: %s\n", p->name, why);
    abort();
  }
  return si;
}
