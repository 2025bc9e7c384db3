/* Finding, loading and validating stage plugins. */
#include "core.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ARTICAST_PLUGIN_INSTALL_DIR
#define ARTICAST_PLUGIN_INSTALL_DIR "/usr/local/lib/articast/plugins"
#endif

const char *ac_stage_kind_name(ac_stage_kind kind) {
  switch (kind) {
  case AC_STAGE_SOURCE:
    return "source";
  case AC_STAGE_TEXT:
    return "text";
  case AC_STAGE_SYNTH:
    return "synth";
  case AC_STAGE_FILTER:
    return "filter";
  case AC_STAGE_SINK:
    return "sink";
  case AC_STAGE_PUBLISH:
    return "publish";
  }
  return "unknown";
}

static int push_dir(char ***dirs, size_t *n, const char *dir) {
  struct stat st;
  if (!dir || !dir[0] || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return 0;
  char *real = realpath(dir, NULL);
  if (!real)
    return 0;
  for (size_t i = 0; i < *n; i++) {
    if (strcmp((*dirs)[i], real) == 0) {
      free(real);
      return 0;
    }
  }
  char **grown = realloc(*dirs, (*n + 2) * sizeof *grown);
  if (!grown) {
    free(real);
    return -1;
  }
  *dirs = grown;
  grown[(*n)++] = real;
  grown[*n] = NULL;
  return 0;
}

char **ac_search_dirs(const char *env_name, const char *local,
                      const char *installed, size_t *count) {
  char **dirs = NULL;
  size_t n = 0;
  const char *env = getenv(env_name);
  if (env && *env) {
    char *copy = strdup(env);
    char *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
         tok = strtok_r(NULL, ":", &save))
      push_dir(&dirs, &n, tok);
    free(copy);
  }
  char *exe = ac_exe_dir();
  if (exe) {
    char *beside = ac_path_join(exe, local);
    if (beside)
      push_dir(&dirs, &n, beside);
    free(beside);
    free(exe);
  }
  push_dir(&dirs, &n, installed);
  *count = n;
  return dirs;
}

char **ac_plugin_dirs(size_t *count) {
  return ac_search_dirs("ARTICAST_PLUGIN_PATH", "plugins",
                        ARTICAST_PLUGIN_INSTALL_DIR, count);
}

static bool valid_name(const char *name) {
  if (!name || !*name)
    return false;
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
      return false;
  return true;
}

static size_t option_width(ac_option_type type) {
  switch (type) {
  case AC_OPT_BOOL:
  case AC_OPT_INT:
  case AC_OPT_CHOICE:
    return sizeof(int);
  case AC_OPT_DOUBLE:
    return sizeof(double);
  case AC_OPT_STRING:
  case AC_OPT_PATH:
    return sizeof(const char *);
  case AC_OPT_LIST:
  case AC_OPT_PATH_LIST:
    return sizeof(const char *const *);
  }
  return 0;
}

int ac_plugin_validate(const ac_plugin *p, char *err, size_t errlen) {
  if (!valid_name(p->name)) {
    snprintf(err, errlen, "plugin name '%s' is not [a-z0-9_]+",
             p->name ? p->name : "(null)");
    return AC_ERR_ABI;
  }
  if (!p->version || !p->description) {
    snprintf(err, errlen, "plugin %s has no version or description", p->name);
    return AC_ERR_ABI;
  }
  bool ok;
  switch (p->kind) {
  case AC_STAGE_SOURCE:
    ok = p->read_source && p->probe;
    break;
  case AC_STAGE_TEXT:
    ok = p->process_document != NULL;
    break;
  case AC_STAGE_SYNTH:
    ok = p->synthesize != NULL;
    break;
  case AC_STAGE_FILTER:
  case AC_STAGE_SINK:
    ok = p->process_audio != NULL;
    break;
  case AC_STAGE_PUBLISH:
    ok = p->publish != NULL;
    break;
  default:
    snprintf(err, errlen, "plugin %s has unknown stage kind %d", p->name,
             (int)p->kind);
    return AC_ERR_ABI;
  }
  if (!ok) {
    snprintf(err, errlen, "plugin %s lacks the callback a %s stage needs",
             p->name, ac_stage_kind_name(p->kind));
    return AC_ERR_ABI;
  }
  for (const ac_option *o = p->options; o && o->name; o++) {
    if (!valid_name(o->name) || !o->help) {
      snprintf(err, errlen, "plugin %s: option '%s' has a bad name or no help",
               p->name, o->name);
      return AC_ERR_ABI;
    }
    for (const ac_option *q = p->options; q != o; q++) {
      if (strcmp(q->name, o->name) == 0) {
        snprintf(err, errlen, "plugin %s: option %s declared twice", p->name,
                 o->name);
        return AC_ERR_ABI;
      }
    }
    size_t width = option_width(o->type);
    if (width == 0 || o->offset + width > p->priv_size) {
      snprintf(err, errlen,
               "plugin %s: option %s has a bad type or lies outside priv",
               p->name, o->name);
      return AC_ERR_ABI;
    }
    if ((o->type == AC_OPT_CHOICE && (!o->choices || !o->choices[0])) ||
        ((o->type == AC_OPT_INT || o->type == AC_OPT_DOUBLE) &&
         o->min > o->max)) {
      snprintf(err, errlen, "plugin %s: option %s has no valid values", p->name,
               o->name);
      return AC_ERR_ABI;
    }
    if (o->default_value) {
      void *scratch = calloc(1, p->priv_size);
      char **owned = NULL;
      size_t n_owned = 0;
      char msg[256];
      int rc = scratch ? ac_option_apply(o, scratch, o->default_value, &owned,
                                         &n_owned, msg, sizeof msg)
                       : AC_ERR_NOMEM;
      for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
      free(owned);
      free(scratch);
      if (rc != 0) {
        snprintf(err, errlen, "plugin %s: default of option %s: %s", p->name,
                 o->name, scratch ? msg : "out of memory");
        return AC_ERR_ABI;
      }
    }
  }
  return AC_ERR_OK;
}

ac_loaded_plugin *ac_plugin_load(const char *path, char *err, size_t errlen) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    snprintf(err, errlen, "%s: cannot load: %s", path, dlerror());
    return NULL;
  }
  ac_plugin *copy = NULL;
  ac_plugin_entry_fn entry;
  *(void **)&entry = dlsym(handle, AC_PLUGIN_ENTRY_NAME);
  const ac_plugin *desc = entry ? entry() : NULL;
  char why[512];
  if (!desc) {
    snprintf(err, errlen, "%s: not an articast plugin (no %s)", path,
             AC_PLUGIN_ENTRY_NAME);
    goto fail;
  }
  /* Only the first two fields may be read before the version matches. */
  if (desc->abi_version != AC_ABI_VERSION) {
    snprintf(err, errlen,
             "%s: plugin built for articast plugin ABI %u, but this articast "
             "speaks ABI %u; rebuild the plugin against this plugin.h",
             path, desc->abi_version, AC_ABI_VERSION);
    goto fail;
  }
  if (desc->struct_size < AC_PLUGIN_MIN_SIZE) {
    snprintf(err, errlen,
             "%s: plugin descriptor is %u bytes, smaller than ABI %u's first "
             "release (%zu); rebuild the plugin",
             path, desc->struct_size, AC_ABI_VERSION,
             (size_t)AC_PLUGIN_MIN_SIZE);
    goto fail;
  }
  /* Fields the plugin's header did not have yet read as NULL; fields of a
   * newer header are not read. */
  copy = calloc(1, sizeof *copy);
  if (!copy) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  memcpy(copy, desc,
         desc->struct_size < sizeof *copy ? desc->struct_size : sizeof *copy);
  copy->struct_size = sizeof *copy;
  desc = copy;
  if (ac_plugin_validate(desc, why, sizeof why) != 0) {
    snprintf(err, errlen, "%s: %s", path, why);
    goto fail;
  }
  ac_loaded_plugin *lp = calloc(1, sizeof *lp);
  if (!lp || !(lp->path = strdup(path))) {
    free(lp);
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  lp->desc = desc;
  lp->handle = handle;
  return lp;
fail:
  free(copy);
  dlclose(handle);
  return NULL;
}

void ac_plugin_unload(ac_loaded_plugin *lp) {
  if (!lp)
    return;
  /* Plugins such as espeak-ng keep process-wide state and threads that must
   * outlive the plugin's use; they stay mapped until exit. */
  free((ac_plugin *)lp->desc);
  free(lp->path);
  free(lp);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int ac_plugin_set_load(ac_plugin_set *set) {
  size_t n_dirs = 0;
  char **dirs = ac_plugin_dirs(&n_dirs);
  for (size_t d = 0; d < n_dirs; d++) {
    DIR *dir = opendir(dirs[d]);
    if (!dir)
      continue;
    char **names = NULL;
    size_t n_names = 0;
    for (struct dirent *e; (e = readdir(dir));) {
      size_t len = strlen(e->d_name);
      if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
        continue;
      char **grown = realloc(names, (n_names + 1) * sizeof *grown);
      if (!grown)
        break;
      names = grown;
      if ((names[n_names] = strdup(e->d_name)))
        n_names++;
    }
    closedir(dir);
    if (n_names)
      qsort(names, n_names, sizeof *names, compare_names);
    for (size_t i = 0; i < n_names; i++) {
      char *path = ac_path_join(dirs[d], names[i]);
      char err[1024];
      ac_loaded_plugin *lp =
          path ? ac_plugin_load(path, err, sizeof err) : NULL;
      if (!lp) {
        fprintf(stderr, "articast: warning: %s\n",
                path ? err : "out of memory");
      } else if (ac_plugin_set_find(set, lp->desc->name)) {
        ac_plugin_unload(lp); /* an earlier directory wins */
      } else {
        ac_loaded_plugin *grown =
            realloc(set->items, (set->count + 1) * sizeof *grown);
        if (grown) {
          set->items = grown;
          set->items[set->count++] = *lp;
          free(lp);
        } else {
          ac_plugin_unload(lp);
        }
      }
      free(path);
      free(names[i]);
    }
    free(names);
  }
  for (size_t d = 0; d < n_dirs; d++)
    free(dirs[d]);
  free(dirs);
  return set->count ? AC_ERR_OK : AC_ERR_NOTFOUND;
}

void ac_plugin_set_free(ac_plugin_set *set) {
  for (size_t i = 0; i < set->count; i++) {
    free((ac_plugin *)set->items[i].desc);
    free(set->items[i].path);
  }
  free(set->items);
  set->items = NULL;
  set->count = 0;
}

const ac_plugin *ac_plugin_set_find(const ac_plugin_set *set,
                                    const char *name) {
  for (size_t i = 0; i < set->count; i++)
    if (strcmp(set->items[i].desc->name, name) == 0)
      return set->items[i].desc;
  return NULL;
}
