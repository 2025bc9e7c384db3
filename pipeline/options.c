/* Option tables: the core parses and validates every value a plugin
 * declares, so plugins never see a malformed setting. */
#include "core.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const ac_option *ac_option_find(const ac_plugin *p, const char *key) {
  for (const ac_option *o = p->options; o && o->name; o++)
    if (strcmp(o->name, key) == 0)
      return o;
  return NULL;
}

void ac_option_describe(const ac_option *opt, char *buf, size_t len) {
  switch (opt->type) {
  case AC_OPT_BOOL:
    snprintf(buf, len, "true or false");
    break;
  case AC_OPT_INT:
    snprintf(buf, len, "an integer from %.0f to %.0f", opt->min, opt->max);
    break;
  case AC_OPT_DOUBLE:
    snprintf(buf, len, "a number from %g to %g", opt->min, opt->max);
    break;
  case AC_OPT_STRING:
    snprintf(buf, len, "text");
    break;
  case AC_OPT_PATH:
    snprintf(buf, len, "a file");
    break;
  case AC_OPT_LIST:
    snprintf(buf, len, "items separated by spaces");
    break;
  case AC_OPT_PATH_LIST:
    snprintf(buf, len, "files separated by spaces");
    break;
  case AC_OPT_CHOICE: {
    size_t n = (size_t)snprintf(buf, len, "one of:");
    for (const char *const *c = opt->choices; c && *c && n < len; c++)
      n += (size_t)snprintf(buf + n, len - n, " %s", *c);
    break;
  }
  }
}

static int parse_bool(const char *v, int *out) {
  static const char *const yes[] = {"1", "true", "yes", "on"};
  static const char *const no[] = {"0", "false", "no", "off"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0) {
      *out = 1;
      return 0;
    }
    if (strcasecmp(v, no[i]) == 0) {
      *out = 0;
      return 0;
    }
  }
  return -1;
}

static int own(char ***owned, size_t *n_owned, void *ptr) {
  char **grown = ptr ? realloc(*owned, (*n_owned + 1) * sizeof *grown) : NULL;
  if (!grown) {
    free(ptr);
    return AC_ERR_NOMEM;
  }
  *owned = grown;
  grown[(*n_owned)++] = ptr;
  return 0;
}

int ac_list_split(const char *value, char ***items, size_t *count, char *err,
                  size_t errlen) {
  *items = NULL;
  *count = 0;
  const char *s = value;
  for (;;) {
    while (*s == ' ' || *s == '\t' || *s == ',')
      s++;
    if (!*s)
      return 0;
    size_t n;
    bool quoted = *s == '"';
    if (quoted) {
      s++;
      n = strcspn(s, "\"");
      if (!s[n]) {
        snprintf(err, errlen, "an item opens a quote it does not close");
        goto fail;
      }
    } else {
      n = strcspn(s, " \t,\"");
      if (s[n] == '"') {
        snprintf(err, errlen, "a quote inside an item");
        goto fail;
      }
    }
    char **grown = realloc(*items, (*count + 2) * sizeof *grown);
    char *item = grown ? strndup(s, n) : NULL;
    if (grown)
      *items = grown;
    if (!item) {
      snprintf(err, errlen, "out of memory");
      goto fail;
    }
    (*items)[(*count)++] = item;
    (*items)[*count] = NULL;
    s += n + quoted;
  }
fail:
  ac_list_free(*items, *count);
  *items = NULL;
  *count = 0;
  return AC_ERR_INVALID;
}

void ac_list_free(char **items, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(items[i]);
  free(items);
}

/* Stores a LIST value as one block: the pointer array followed by the
 * items, so that one owned allocation frees it. */
static int apply_list(const ac_option *opt, char *field, const char *value,
                      char ***owned, size_t *n_owned, char *err,
                      size_t errlen) {
  (void)opt;
  char **items;
  size_t count;
  if (ac_list_split(value, &items, &count, err, errlen))
    return AC_ERR_INVALID;
  size_t bytes = (count + 1) * sizeof(char *);
  for (size_t i = 0; i < count; i++)
    bytes += strlen(items[i]) + 1;
  char **block = malloc(bytes);
  if (!block || own(owned, n_owned, block)) {
    ac_list_free(items, count);
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  char *text = (char *)(block + count + 1);
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(items[i]) + 1;
    memcpy(text, items[i], n);
    block[i] = text;
    text += n;
  }
  block[count] = NULL;
  ac_list_free(items, count);
  const char *const *ptr = (const char *const *)block;
  memcpy(field, &ptr, sizeof ptr);
  return 0;
}

int ac_option_apply(const ac_option *opt, void *priv, const char *value,
                    char ***owned, size_t *n_owned, char *err, size_t errlen) {
  char *field = (char *)priv + opt->offset;
  char valid[256];
  ac_option_describe(opt, valid, sizeof valid);
  switch (opt->type) {
  case AC_OPT_BOOL: {
    int b;
    if (parse_bool(value, &b) != 0)
      goto bad;
    memcpy(field, &b, sizeof b);
    return 0;
  }
  case AC_OPT_INT: {
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < opt->min || v > opt->max)
      goto bad;
    int i = (int)v;
    memcpy(field, &i, sizeof i);
    return 0;
  }
  case AC_OPT_DOUBLE: {
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v) || v < opt->min ||
        v > opt->max)
      goto bad;
    memcpy(field, &v, sizeof v);
    return 0;
  }
  case AC_OPT_STRING:
  case AC_OPT_PATH: {
    char *copy = strdup(value);
    if (own(owned, n_owned, copy)) {
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
    const char *ptr = copy;
    memcpy(field, &ptr, sizeof ptr);
    return 0;
  }
  case AC_OPT_LIST:
  case AC_OPT_PATH_LIST:
    return apply_list(opt, field, value, owned, n_owned, err, errlen);
  case AC_OPT_CHOICE:
    for (int i = 0; opt->choices && opt->choices[i]; i++) {
      if (strcasecmp(opt->choices[i], value) == 0) {
        memcpy(field, &i, sizeof i);
        return 0;
      }
    }
    goto bad;
  }
bad:
  snprintf(err, errlen, "'%s' is not valid; expected %s", value, valid);
  return AC_ERR_INVALID;
}

int ac_settings_add_from(ac_settings *s, ac_layer layer, const char *plugin,
                         const char *key, const char *value, const char *origin,
                         const char *base_dir) {
  ac_setting *grown = realloc(s->items, (s->count + 1) * sizeof *grown);
  if (!grown)
    return AC_ERR_NOMEM;
  s->items = grown;
  ac_setting *e = &s->items[s->count];
  *e = (ac_setting){.plugin = strdup(plugin),
                    .key = strdup(key),
                    .value = strdup(value),
                    .origin = strdup(origin ? origin : "command line"),
                    .base_dir = base_dir ? strdup(base_dir) : NULL,
                    .layer = layer};
  if (!e->plugin || !e->key || !e->value || !e->origin ||
      (base_dir && !e->base_dir)) {
    free(e->plugin);
    free(e->key);
    free(e->value);
    free(e->origin);
    free(e->base_dir);
    return AC_ERR_NOMEM;
  }
  s->count++;
  return AC_ERR_OK;
}

int ac_settings_add(ac_settings *s, const char *plugin, const char *key,
                    const char *value, const char *origin) {
  return ac_settings_add_from(s, AC_LAYER_CONFIG, plugin, key, value, origin,
                              NULL);
}

int ac_settings_append(ac_settings *to, const ac_settings *from) {
  for (size_t i = 0; i < from->count; i++) {
    const ac_setting *e = &from->items[i];
    if (ac_settings_add_from(to, e->layer, e->plugin, e->key, e->value,
                             e->origin, e->base_dir))
      return AC_ERR_NOMEM;
  }
  return AC_ERR_OK;
}

void ac_settings_free(ac_settings *s) {
  for (size_t i = 0; i < s->count; i++) {
    free(s->items[i].plugin);
    free(s->items[i].key);
    free(s->items[i].value);
    free(s->items[i].origin);
    free(s->items[i].base_dir);
  }
  free(s->items);
  s->items = NULL;
  s->count = 0;
}
