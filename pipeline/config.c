/* The INI config file (read with libinih): show metadata, the stage lists,
 * the voice, and per-plugin option sections. */
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* [show] keys, in the order of ac_show's string members. */
static const char *const show_keys[] = {"title",    "author", "description",
                                        "language", "image",  "link",
                                        "base_url", NULL};

static const char **show_slot(ac_show *show, size_t i) {
  const char **slots[] = {&show->title,    &show->author, &show->description,
                          &show->language, &show->image,  &show->link,
                          &show->base_url};
  return slots[i];
}

static const char *const pipeline_keys[] = {"source",  "text",  "synth",
                                            "filters", "sinks", "publish",
                                            "voice",   "site",  NULL};

static void free_list(char **list, size_t *count) {
  for (size_t i = 0; i < *count; i++) {
    free(list[i]);
    list[i] = NULL;
  }
  *count = 0;
}

int ac_config_set_list(char **list, size_t *count, const char *value, char *err,
                       size_t errlen) {
  free_list(list, count);
  char *copy = strdup(value);
  if (!copy)
    return AC_ERR_NOMEM;
  char *save = NULL;
  for (char *tok = strtok_r(copy, " ,\t", &save); tok;
       tok = strtok_r(NULL, " ,\t", &save)) {
    if (*count == AC_MAX_STAGES) {
      snprintf(err, errlen, "more than %d stages in one list", AC_MAX_STAGES);
      free(copy);
      return AC_ERR_INVALID;
    }
    list[(*count)++] = strdup(tok);
  }
  free(copy);
  return AC_ERR_OK;
}

static int set_owned(char **field, const char *value) {
  return ac_set_string(field, value && *value ? value : NULL, (size_t)-1);
}

/* A file named in the config: relative to the config's directory. */
static int set_path(ac_config *cfg, char **field, const char *value) {
  if (value[0] == '/' || !cfg->dir)
    return set_owned(field, value);
  char *joined = ac_path_join(cfg->dir, value);
  int rc = joined ? set_owned(field, joined) : AC_ERR_NOMEM;
  free(joined);
  return rc;
}

static void set_default_stages(ac_config *cfg) {
  char err[64];
  ac_config_set_list(cfg->text_stages, &cfg->n_text_stages,
                     ac_default_pipeline.text, err, sizeof err);
  set_owned(&cfg->synth, ac_default_pipeline.synth);
  ac_config_set_list(cfg->filters, &cfg->n_filters, ac_default_pipeline.filters,
                     err, sizeof err);
  ac_config_set_list(cfg->sinks, &cfg->n_sinks, ac_default_pipeline.sinks, err,
                     sizeof err);
  ac_config_set_list(cfg->publishers, &cfg->n_publishers,
                     ac_default_pipeline.publish, err, sizeof err);
}

typedef struct parse_state {
  ac_config *cfg;
  char *err;
  size_t errlen;
} parse_state;

static int list_has(const char *const *keys, const char *key) {
  for (size_t i = 0; keys[i]; i++)
    if (strcmp(keys[i], key) == 0)
      return (int)i;
  return -1;
}

static void list_keys(char *buf, size_t len, const char *const *keys) {
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; keys[i] && n < len; i++)
    n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", keys[i]);
}

static int handle_entry(void *user, const char *section, const char *key,
                        const char *value, int line) {
  parse_state *ps = user;
  ac_config *cfg = ps->cfg;
  char valid[256];
  if (strcmp(section, "show") == 0) {
    int i = list_has(show_keys, key);
    const ac_moved_key *moved = ac_find_moved_key("show", key);
    if (i < 0) {
      list_keys(valid, sizeof valid, show_keys);
      if (moved)
        snprintf(ps->err, ps->errlen,
                 "%s:%d: [show] %s is now an option of a stage: write it as "
                 "[%s] %s",
                 cfg->path, line, key, moved->plugin, moved->option);
      else
        snprintf(ps->err, ps->errlen,
                 "%s:%d: [show] has no key '%s' (valid: %s)", cfg->path, line,
                 key, valid);
      return 0;
    }
    int rc = strcmp(key, "image") == 0 && value[0]
                 ? set_path(cfg, &cfg->show_fields[i], value)
                 : set_owned(&cfg->show_fields[i], value);
    if (rc) {
      snprintf(ps->err, ps->errlen, "out of memory");
      return 0;
    }
    *show_slot(&cfg->show, (size_t)i) = cfg->show_fields[i];
    return 1;
  }
  if (strcmp(section, "pipeline") == 0) {
    int rc = 0;
    char why[128] = "";
    switch (list_has(pipeline_keys, key)) {
    case 0:
      rc = set_owned(&cfg->source, value);
      break;
    case 1:
      rc = ac_config_set_list(cfg->text_stages, &cfg->n_text_stages, value, why,
                              sizeof why);
      cfg->text_explicit = true;
      break;
    case 2:
      rc = set_owned(&cfg->synth, value);
      /* the synth is always required */
      break;
    case 3:
      rc = ac_config_set_list(cfg->filters, &cfg->n_filters, value, why,
                              sizeof why);
      cfg->filters_explicit = true;
      break;
    case 4:
      rc =
          ac_config_set_list(cfg->sinks, &cfg->n_sinks, value, why, sizeof why);
      cfg->sinks_explicit = true;
      break;
    case 5:
      rc = ac_config_set_list(cfg->publishers, &cfg->n_publishers, value, why,
                              sizeof why);
      cfg->publishers_explicit = true;
      break;
    case 6:
      rc = set_owned(&cfg->voice, value);
      break;
    case 7:
      rc = set_owned(&cfg->site_dir, value);
      break;
    default: {
      const ac_moved_key *moved = ac_find_moved_key("pipeline", key);
      list_keys(valid, sizeof valid, pipeline_keys);
      if (moved)
        snprintf(ps->err, ps->errlen,
                 "%s:%d: [pipeline] %s is now an option of a stage: write it "
                 "as [%s] %s",
                 cfg->path, line, key, moved->plugin, moved->option);
      else
        snprintf(ps->err, ps->errlen,
                 "%s:%d: [pipeline] has no key '%s' (valid: %s)", cfg->path,
                 line, key, valid);
      return 0;
    }
    }
    if (rc != 0) {
      snprintf(ps->err, ps->errlen, "%s:%d: [pipeline] %s: %s", cfg->path, line,
               key, why[0] ? why : ac_strerror(rc));
      return 0;
    }
    return 1;
  }
  if (!section[0]) {
    snprintf(ps->err, ps->errlen,
             "%s:%d: '%s' is outside any section; put it under [show], "
             "[pipeline] or a plugin's [name]",
             cfg->path, line, key);
    return 0;
  }
  char origin[512];
  snprintf(origin, sizeof origin, "%s:%d", cfg->path, line);
  if (ac_settings_add_from(&cfg->settings, AC_LAYER_CONFIG, section, key, value,
                           origin, cfg->dir) != 0) {
    snprintf(ps->err, ps->errlen, "out of memory");
    return 0;
  }
  return 1;
}

int ac_config_set_show(ac_config *cfg, const char *key, const char *value) {
  int i = list_has(show_keys, key);
  if (i < 0)
    return AC_ERR_INVALID;
  int rc = set_owned(&cfg->show_fields[i], value);
  *show_slot(&cfg->show, (size_t)i) = cfg->show_fields[i];
  return rc;
}

int ac_config_load(ac_config *cfg, const char *path, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  set_default_stages(cfg);
  if (!path)
    return AC_ERR_OK;
  cfg->path = strdup(path);
  const char *slash = strrchr(path, '/');
  cfg->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path))
                   : strdup(".");
  if (!cfg->path || !cfg->dir) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot read config: %s", path, strerror(errno));
    return AC_ERR_IO;
  }
  parse_state ps = {cfg, err, errlen};
  int rc = ac_ini_parse(f, path, handle_entry, &ps, err, errlen);
  fclose(f);
  return rc;
}

void ac_config_free(ac_config *cfg) {
  free(cfg->path);
  free(cfg->dir);
  for (size_t i = 0; i < sizeof cfg->show_fields / sizeof cfg->show_fields[0];
       i++)
    free(cfg->show_fields[i]);
  free(cfg->voice);
  free(cfg->source);
  free(cfg->site_dir);
  free_list(cfg->text_stages, &cfg->n_text_stages);
  free(cfg->synth);
  free_list(cfg->filters, &cfg->n_filters);
  free_list(cfg->sinks, &cfg->n_sinks);
  free_list(cfg->publishers, &cfg->n_publishers);
  ac_settings_free(&cfg->settings);
  memset(cfg, 0, sizeof *cfg);
}
