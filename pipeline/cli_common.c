/* The options every rendering command shares (cli_common.h). */
#define _GNU_SOURCE /* strndup */
#include "cli_common.h"

#include "cache.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ac_cli_bad(const char *who, const char *option, const char *value,
               const char *expected) {
  fprintf(stderr, "%s: %s %s: expected %s\n", who, option, value, expected);
  return AC_EXIT_USAGE;
}

int ac_cli_set(ac_cli_common *c, const char *who, const char *arg) {
  const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
  if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1)
    return ac_cli_bad(who, "-O", arg, "STAGE.KEY=VALUE");
  char *plugin = strndup(arg, (size_t)(dot - arg));
  char *key = strndup(dot + 1, (size_t)(eq - dot - 1));
  int rc = plugin && key ? ac_settings_add(&c->overrides, plugin, key, eq + 1,
                                           "command line")
                         : AC_ERR_NOMEM;
  free(plugin);
  free(key);
  return rc ? AC_EXIT_FAILURE : AC_EXIT_OK;
}

int ac_cli_parse_size(const char *text, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || text[0] == '-')
    return -1;
  unsigned long long unit = *end == 'K' || *end == 'k'   ? 1ull << 10
                            : *end == 'M' || *end == 'm' ? 1ull << 20
                            : *end == 'G' || *end == 'g' ? 1ull << 30
                                                         : 1;
  if (unit > 1)
    end++;
  if (*end || v > (unsigned long long)SIZE_MAX / unit)
    return -1;
  *out = (size_t)(v * unit);
  return 0;
}

bool ac_cli_parse_seconds(const char *text, double min, double max,
                          double *out) {
  char *end;
  double v = strtod(text, &end);
  if (end == text || *end || !(v >= min) || v > max)
    return false;
  *out = v;
  return true;
}

char *ac_cli_cache_dir(const ac_cli_common *c) {
  return c->no_cache    ? NULL
         : c->cache_dir ? strdup(c->cache_dir)
                        : ac_cache_default_dir();
}

int ac_cli_load_config(const ac_cli_common *c, ac_pipeline *pl,
                       ac_config *cfg) {
  char err[1024];
  if (ac_config_load(cfg, c->config, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    return AC_EXIT_USAGE;
  }
  pl->cfg = cfg;
  /* After the config's settings, so that the command line's win. */
  for (size_t i = 0; i < c->overrides.count; i++) {
    const ac_setting *s = &c->overrides.items[i];
    if (ac_settings_add(&cfg->settings, s->plugin, s->key, s->value, s->origin))
      return AC_EXIT_FAILURE;
  }
  if ((c->site && ac_set_string(&cfg->site_dir, c->site, (size_t)-1)) ||
      (c->base_url && ac_config_set_show(cfg, "base_url", c->base_url)))
    return AC_EXIT_FAILURE;
  return AC_EXIT_OK;
}

int ac_cli_load_plugins(ac_pipeline *pl) {
  if (ac_plugin_set_load(&pl->plugins)) {
    fprintf(stderr, "articast: no plugins found (searched "
                    "$ARTICAST_PLUGIN_PATH, plugins/ beside the binary and "
                    "the installed plugin directory)\n");
    return AC_EXIT_PLUGIN;
  }
  return AC_EXIT_OK;
}

int ac_cli_setup(const ac_cli_common *c, ac_pipeline *pl, ac_config *cfg) {
  int rc = ac_cli_load_config(c, pl, cfg);
  if (rc)
    return rc;
  pl->max_input_bytes = c->max_input;
  return ac_cli_load_plugins(pl);
}

void ac_cli_common_free(ac_cli_common *c) {
  ac_settings_free(&c->overrides);
}
