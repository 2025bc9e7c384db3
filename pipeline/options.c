/* Option tables: the core parses and validates every value a plugin
 * declares, so plugins never see a malformed setting. */
#include "core.h"

#include <errno.h>
#include <math.h>
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
  case AC_OPT_STRING: {
    char *copy = strdup(value);
    char **grown =
        copy ? realloc(*owned, (*n_owned + 1) * sizeof *grown) : NULL;
    if (!grown) {
      free(copy);
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
    *owned = grown;
    grown[(*n_owned)++] = copy;
    const char *ptr = copy;
    memcpy(field, &ptr, sizeof ptr);
    return 0;
  }
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

int ac_settings_add(ac_settings *s, const char *plugin, const char *key,
                    const char *value, const char *origin) {
  ac_setting *grown = realloc(s->items, (s->count + 1) * sizeof *grown);
  if (!grown)
    return AC_ERR_NOMEM;
  s->items = grown;
  ac_setting *e = &s->items[s->count];
  e->plugin = strdup(plugin);
  e->key = strdup(key);
  e->value = strdup(value);
  e->origin = strdup(origin ? origin : "command line");
  if (!e->plugin || !e->key || !e->value || !e->origin) {
    free(e->plugin);
    free(e->key);
    free(e->value);
    free(e->origin);
    return AC_ERR_NOMEM;
  }
  s->count++;
  return AC_ERR_OK;
}

void ac_settings_free(ac_settings *s) {
  for (size_t i = 0; i < s->count; i++) {
    free(s->items[i].plugin);
    free(s->items[i].key);
    free(s->items[i].value);
    free(s->items[i].origin);
  }
  free(s->items);
  s->items = NULL;
  s->count = 0;
}
