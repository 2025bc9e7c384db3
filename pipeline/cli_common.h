/* The options every rendering command shares (articast episode, text, say,
 * feed, voices, follow, worker and serve): -c, -o, --base-url, -O,
 * --max-input, --no-cache and --cache-dir, how their values are read, and
 * the setup they lead to: the config with the command line over it, and
 * the plugins. Each command keeps its own option table and messages; what
 * it says on a bad value starts with its own `who` ("articast follow"). */
#ifndef ARTICAST_CLI_COMMON_H
#define ARTICAST_CLI_COMMON_H

#include "core.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ac_cli_common {
  const char *config;    /* -c: the INI config */
  const char *site;      /* -o: SITE, over [pipeline] site */
  const char *base_url;  /* --base-url: over [show] base_url */
  const char *cache_dir; /* --cache-dir */
  bool no_cache;         /* --no-cache */
  size_t max_input;      /* --max-input, in bytes (0: no limit) */
  ac_settings overrides; /* -O STAGE.KEY=VAL, in order */
} ac_cli_common;

/* Says "WHO: OPTION VALUE: expected EXPECTED" on stderr; returns
 * AC_EXIT_USAGE. */
int ac_cli_bad(const char *who, const char *option, const char *value,
               const char *expected);

/* -O STAGE.KEY=VAL: adds it to c->overrides. Returns AC_EXIT_OK,
 * AC_EXIT_USAGE (not that shape, said as `who`'s) or AC_EXIT_FAILURE (out
 * of memory). */
int ac_cli_set(ac_cli_common *c, const char *who, const char *arg);

/* "20M", "512K", "1G" or bytes; 0, or -1 when not such a size. */
int ac_cli_parse_size(const char *text, size_t *out);

/* Seconds from `min` to `max`; false when not such a number. */
bool ac_cli_parse_seconds(const char *text, double min, double max,
                          double *out);

/* The segment cache's folder, malloc'd: none (NULL) with --no-cache, else
 * --cache-dir, else the default (NULL when there is none). */
char *ac_cli_cache_dir(const ac_cli_common *c);

/* Loads the config (pl->cfg = cfg once it is), then puts the command line
 * over it: the -O settings, --site and --base-url. Returns an exit code,
 * having said what went wrong. */
int ac_cli_load_config(const ac_cli_common *c, ac_pipeline *pl, ac_config *cfg);

/* Loads the stage plugins into pl->plugins; AC_EXIT_PLUGIN, having said
 * where it searched, when there are none. */
int ac_cli_load_plugins(ac_pipeline *pl);

/* Both, with --max-input between: what a command with nothing of its own
 * to set up before the plugins does. */
int ac_cli_setup(const ac_cli_common *c, ac_pipeline *pl, ac_config *cfg);

void ac_cli_common_free(ac_cli_common *c);

#endif
