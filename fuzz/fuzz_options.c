/*
 * Stage options (pipeline/options.c and the layering in host.c): a plugin
 * with one option of every type, and settings from the input, each in a
 * layer (default, voice, config, command line) given by a byte, for an
 * option given by a byte, with the input's text as value (PATH values
 * relative to the scratch directory, where a file may exist). A stage is
 * made or refused with a reason; a made stage's values are within their
 * bounds, and its fingerprint can be taken.
 */
#include "fuzz_host.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct opts_priv {
  int flag, count;
  double gain, unset;
  const char *name;
  int choice;
  const char *const *list;
  const char *path;
  const char *const *paths;
} opts_priv;

static const char *const choices[] = {"auto", "mdy", "dmy", NULL};

static const ac_option options[] = {
    {"flag", AC_OPT_BOOL, offsetof(opts_priv, flag), "true", 0, 0, NULL, "b"},
    {"count", AC_OPT_INT, offsetof(opts_priv, count), "4", -5, 320, NULL, "i"},
    {"gain", AC_OPT_DOUBLE, offsetof(opts_priv, gain), "0.5", -30, 30, NULL,
     "d"},
    {"unset", AC_OPT_DOUBLE, offsetof(opts_priv, unset), NULL, 0, 1, NULL, "d"},
    {"name", AC_OPT_STRING, offsetof(opts_priv, name), NULL, 0, 0, NULL, "s"},
    {"choice", AC_OPT_CHOICE, offsetof(opts_priv, choice), "auto", 0, 0,
     choices, "c"},
    {"list", AC_OPT_LIST, offsetof(opts_priv, list), "a b", 0, 0, NULL, "l"},
    {"path", AC_OPT_PATH, offsetof(opts_priv, path), "x.lex", 0, 0, NULL, "p"},
    {"paths", AC_OPT_PATH_LIST, offsetof(opts_priv, paths), "en.lex", 0, 0,
     NULL, "pl"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

static const ac_plugin plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "opts",
    .version = "1",
    .description = "every option type",
    .kind = AC_STAGE_TEXT,
    .priv_size = sizeof(opts_priv),
    .options = options,
};

static void check_list(const char *const *list) {
  FUZZ_CHECK(list != NULL);
  for (size_t i = 0; list[i]; i++)
    FUZZ_CHECK(i < 100000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  static int files_made;
  if (!files_made) {
    fuzz_file("x.lex", "", 0);
    fuzz_file("names.lex", "", 0);
    files_made = 1;
  }
  fuzz_reader r = {data, data + size};
  ac_settings s = {0};
  for (int i = 0; i < 16 && r.p < r.end; i++) {
    uint8_t layer = fuzz_byte(&r) % 4;
    const char *key = options[fuzz_byte(&r) % 9].name;
    char *value = fuzz_take(&r);
    if (!value)
      value = strdup("");
    FUZZ_CHECK(value != NULL);
    FUZZ_CHECK(ac_settings_add_from(&s, (ac_layer)layer, "opts", key, value,
                                    "fuzz:1",
                                    layer & 1 ? fuzz_dir() : NULL) == 0);
    free(value);
  }
  char why[1024] = "";
  ac_stage_instance *si = ac_stage_new(&plugin, &s, NULL, why, sizeof why);
  if (!si) {
    FUZZ_CHECK(why[0] != '\0');
  } else {
    const opts_priv *p = ac_stage_handle(si)->priv;
    FUZZ_CHECK(p->flag == 0 || p->flag == 1);
    FUZZ_CHECK(p->count >= -5 && p->count <= 320);
    FUZZ_CHECK(p->gain >= -30 && p->gain <= 30);
    FUZZ_CHECK(isnan(p->unset) || (p->unset >= 0 && p->unset <= 1));
    FUZZ_CHECK(p->choice >= 0 && p->choice < 3);
    check_list(p->list);
    check_list(p->paths);
    char *fp = ac_stage_fingerprint(si);
    FUZZ_CHECK(fp != NULL);
    free(fp);
    ac_stage_free(si);
  }
  ac_settings_free(&s);
  return 0;
}
