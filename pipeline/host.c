/* The host side of the plugin contract: stage instances, the ac_host
 * function table, error and log reporting, output files and data lookup.
 */
#include "core.h"
#include "outputs.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ac_stage_instance {
  ac_stage stage;
  const ac_plugin *plugin;
  char **owned; /* option strings stored in priv */
  size_t n_owned;
  char error[1024];
  ac_chunk_sink_fn out_fn;
  void *out_ctx;
  ac_outputs *outputs;
  uint64_t next_position; /* where the next emitted chunk must start */
  char *salt;             /* cache_salt texts, one per line */
  bool single_segment;
  ac_cache_put_fn put_fn;
  void *put_ctx;
};

static ac_log_level log_level = AC_LOG_WARN;
static char **data_dirs;
static size_t n_data_dirs;

void ac_set_log_level(ac_log_level level) {
  log_level = level;
}

void ac_add_data_dir(const char *dir) {
  char **grown = realloc(data_dirs, (n_data_dirs + 1) * sizeof *grown);
  if (!grown)
    return;
  data_dirs = grown;
  data_dirs[n_data_dirs] = strdup(dir);
  if (data_dirs[n_data_dirs])
    n_data_dirs++;
}

const char *ac_strerror(int code) {
  switch (code) {
#define AC_ERROR_TEXT(name, value, text)                                       \
  case value:                                                                  \
    return text;
    AC_ERROR_LIST(AC_ERROR_TEXT)
#undef AC_ERROR_TEXT
  }
  return "unknown error";
}

/* "articast: WHO: LEVEL: message", WHO left out for the core itself. */
static void vlog(const char *who, ac_log_level level, const char *fmt,
                 va_list ap) {
  if (level > log_level)
    return;
  static const char *const names[] = {"error", "warning", "info", "debug"};
  fprintf(stderr, "articast: ");
  if (who)
    fprintf(stderr, "%s: ", who);
  fprintf(stderr, "%s: ", names[level]);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

static void host_log(ac_stage *st, ac_log_level level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(st && st->name ? st->name : "core", level, fmt, ap);
  va_end(ap);
}

void ac_log(ac_log_level level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(NULL, level, fmt, ap);
  va_end(ap);
}

static int host_fail(ac_stage *st, int code, const char *fmt, ...) {
  ac_stage_instance *si = st->host_data;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(si->error, sizeof si->error, fmt, ap);
  va_end(ap);
  return code < 0 ? code : AC_ERR_INVALID;
}

/* Checks what the contract promises downstream stages before passing a
 * chunk on, so a faulty stage is named instead of corrupting its
 * successors. */
static int host_emit(ac_stage *st, const ac_chunk *chunk) {
  ac_stage_instance *si = st->host_data;
  if (chunk->n_samples > AC_MAX_CHUNK)
    return host_fail(st, AC_ERR_INVALID,
                     "emitted a chunk of %zu frames (at most %u allowed)",
                     chunk->n_samples, AC_MAX_CHUNK);
  if (chunk->position != si->next_position)
    return host_fail(st, AC_ERR_INVALID,
                     "emitted a chunk at frame %llu, expected %llu",
                     (unsigned long long)chunk->position,
                     (unsigned long long)si->next_position);
  if (chunk->sample_rate <= 0)
    return host_fail(st, AC_ERR_INVALID, "emitted a chunk without sample rate");
  for (size_t i = 0; i < chunk->n_marks; i++) {
    const ac_mark *m = &chunk->marks[i];
    if (m->sample < chunk->position ||
        m->sample > chunk->position + chunk->n_samples ||
        (i > 0 && m->sample < chunk->marks[i - 1].sample))
      return host_fail(st, AC_ERR_INVALID,
                       "emitted a mark at frame %llu outside its chunk or "
                       "out of order",
                       (unsigned long long)m->sample);
  }
  si->next_position += chunk->n_samples;
  if (!si->out_fn)
    return AC_ERR_OK;
  return si->out_fn(si->out_ctx, chunk);
}

static int host_open_output(ac_stage *st, const char *suffix) {
  ac_stage_instance *si = st->host_data;
  if (!si->outputs)
    return host_fail(st, AC_ERR_INVALID,
                     "asked for an output file outside an episode");
  char why[512];
  int fd = ac_outputs_open(si->outputs, suffix, why, sizeof why);
  return fd >= 0 ? fd : host_fail(st, fd, "%s", why);
}

static int host_finish_output(ac_stage *st, int fd, const char *mime_type,
                              ac_artifact_role role, double duration) {
  ac_stage_instance *si = st->host_data;
  if (!si->outputs)
    return host_fail(st, AC_ERR_INVALID,
                     "finished an output file outside an episode");
  char why[512];
  int rc = ac_outputs_finish(si->outputs, fd, mime_type, role, duration, why,
                             sizeof why);
  return rc ? host_fail(st, rc, "%s", why) : 0;
}

static char *host_find_data(ac_stage *st, const char *relative) {
  (void)st;
  if (relative[0] == '/')
    return access(relative, R_OK) == 0 ? strdup(relative) : NULL;
  for (size_t i = 0; i < n_data_dirs; i++) {
    char *path = ac_path_join(data_dirs[i], relative);
    if (path && access(path, R_OK) == 0)
      return path;
    free(path);
  }
  return NULL;
}

static int host_cache_salt(ac_stage *st, const char *text) {
  ac_stage_instance *si = st->host_data;
  size_t have = si->salt ? strlen(si->salt) : 0, add = strlen(text);
  char *grown = realloc(si->salt, have + add + 2);
  if (!grown)
    return AC_ERR_NOMEM;
  memcpy(grown + have, text, add);
  grown[have + add] = '\n';
  grown[have + add + 1] = '\0';
  si->salt = grown;
  return AC_ERR_OK;
}

static void host_single_segment(ac_stage *st, const char *why) {
  ac_stage_instance *si = st->host_data;
  si->single_segment = true;
  host_log(st, AC_LOG_DEBUG, "one segment, no cache: %s", why);
}

static int host_cache_put(ac_stage *st, uint32_t index, const void *data,
                          size_t len) {
  ac_stage_instance *si = st->host_data;
  if (!si->put_fn)
    return AC_ERR_OK; /* the cache is off */
  return si->put_fn(si->put_ctx, st->name, index, data, len);
}

/* The crash tests set ARTICAST_CRASH_AFTER=N: the Nth checkpoint of the
 * process kills it, as a power cut or SIGKILL would at that step. */
void ac_checkpoint(const char *what) {
  static long crash_after = -1, count;
  if (crash_after < 0) {
    const char *env = getenv("ARTICAST_CRASH_AFTER");
    crash_after = env && *env ? strtol(env, NULL, 10) : 0;
  }
  if (crash_after > 0 && ++count == crash_after) {
    fprintf(stderr, "articast: crash test: killed after %s\n", what);
    fflush(stderr);
    raise(SIGKILL);
  }
}

static void host_checkpoint(ac_stage *st, const char *what) {
  (void)st;
  ac_checkpoint(what);
}

static const ac_host the_host = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_host),
    .log = host_log,
    .fail = host_fail,
    .emit = host_emit,
    .set_string = ac_set_string,
    .add_block = ac_document_add_block,
    .insert_block = ac_document_insert_block,
    .remove_block = ac_document_remove_block,
    .open_output = host_open_output,
    .finish_output = host_finish_output,
    .find_data = host_find_data,
    .cache_salt = host_cache_salt,
    .single_segment = host_single_segment,
    .cache_put = host_cache_put,
    .checkpoint = host_checkpoint,
};

/* A relative path a file set is taken relative to that file's directory
 * when it names a file there (AC_OPT_PATH, AC_OPT_PATH_LIST). malloc'd. */
static char *resolve_path(const char *value, const char *base_dir) {
  if (base_dir && value[0] && value[0] != '/') {
    char *joined = ac_path_join(base_dir, value);
    if (joined && access(joined, F_OK) == 0)
      return joined;
    free(joined);
  }
  return strdup(value);
}

/* The setting of `layer` for the option, the last one given in it. */
static const ac_setting *layer_value(const ac_settings *settings,
                                     const char *plugin, const char *key,
                                     ac_layer layer) {
  const ac_setting *found = NULL;
  for (size_t i = 0; settings && i < settings->count; i++) {
    const ac_setting *s = &settings->items[i];
    if (s->layer == layer && strcmp(s->plugin, plugin) == 0 &&
        strcmp(s->key, key) == 0)
      found = s;
  }
  return found;
}

/* Appends `item`, quoted, to a list being built as text. */
static int list_add(char **text, size_t *len, const char *item) {
  size_t k = strlen(item);
  char *more = realloc(*text, *len + k + 4);
  if (!more)
    return AC_ERR_NOMEM;
  *text = more;
  *len += (size_t)sprintf(more + *len, "%s\"%s\"", *len ? " " : "", item);
  return 0;
}

/* The value of a PATH_LIST option over all layers, as one list in text
 * form: the highest layer's files first. */
static int merged_list(const ac_plugin *p, const ac_option *o,
                       const ac_settings *settings, char **out, char *err,
                       size_t errlen) {
  char *text = NULL;
  size_t len = 0;
  char **kept = NULL;
  size_t n_kept = 0;
  int rc = 0;
  bool stop = false;
  for (int layer = AC_LAYER_COMMAND_LINE; layer >= 0 && !stop && !rc; layer--) {
    const ac_setting *s = layer_value(settings, p->name, o->name, layer);
    const char *value = layer == 0 ? o->default_value : s ? s->value : NULL;
    if (!value)
      continue;
    char **items;
    size_t count;
    if (ac_list_split(value, &items, &count, err, errlen)) {
      rc = AC_ERR_INVALID;
      break;
    }
    stop = count == 0 && layer > 0; /* "lexicons =": none */
    for (size_t i = 0; i < count && !rc; i++) {
      if (i == 0 && strcmp(items[i], "-") == 0) {
        stop = true;
        continue;
      }
      char *item = s ? resolve_path(items[i], s->base_dir) : strdup(items[i]);
      bool dup = false;
      for (size_t j = 0; item && j < n_kept && !dup; j++)
        dup = strcmp(kept[j], item) == 0;
      char **grown =
          item && !dup ? realloc(kept, (n_kept + 1) * sizeof *grown) : NULL;
      if (grown) {
        kept = grown;
        kept[n_kept++] = item;
      } else {
        free(item);
        if (!dup)
          rc = AC_ERR_NOMEM;
      }
    }
    ac_list_free(items, count);
  }
  for (size_t i = 0; i < n_kept && !rc; i++)
    rc = list_add(&text, &len, kept[i]);
  ac_list_free(kept, n_kept);
  if (rc) {
    free(text);
    if (rc == AC_ERR_NOMEM)
      snprintf(err, errlen, "out of memory");
    return rc;
  }
  *out = text ? text : strdup("");
  return *out ? 0 : AC_ERR_NOMEM;
}

/* Says which options the plugin has, for an unknown key. */
static void describe_keys(const ac_plugin *p, char *msg, size_t len) {
  size_t n = (size_t)snprintf(msg, len, "valid options:");
  for (const ac_option *v = p->options; v && v->name && n < len; v++)
    n += (size_t)snprintf(msg + n, len - n, " %s", v->name);
  if (!p->options || !p->options[0].name)
    snprintf(msg, len, "it has no options");
}

/* Writes option `o` into priv from its default and the layers above it. */
static int fill_option(ac_stage_instance *si, const ac_option *o,
                       const ac_settings *settings, char *err, size_t errlen) {
  const ac_plugin *p = si->plugin;
  void *priv = si->stage.priv;
  char msg[512];
  if (o->type == AC_OPT_PATH_LIST) {
    char *value = NULL;
    int rc = merged_list(p, o, settings, &value, msg, sizeof msg);
    if (rc == 0)
      rc = ac_option_apply(o, priv, value, &si->owned, &si->n_owned, msg,
                           sizeof msg);
    free(value);
    if (rc)
      snprintf(err, errlen, "stage %s, option %s: %s", p->name, o->name, msg);
    return rc;
  }
  if (o->type == AC_OPT_DOUBLE && !o->default_value) {
    double unset = NAN;
    memcpy((char *)priv + o->offset, &unset, sizeof unset);
  }
  if (o->default_value && ac_option_apply(o, priv, o->default_value, &si->owned,
                                          &si->n_owned, msg, sizeof msg) != 0) {
    snprintf(err, errlen, "stage %s: bad default for option %s: %s", p->name,
             o->name, msg);
    return AC_ERR_INVALID;
  }
  const ac_setting *s = NULL;
  for (int layer = AC_LAYER_COMMAND_LINE; layer > 0 && !s; layer--)
    s = layer_value(settings, p->name, o->name, layer);
  if (!s)
    return 0;
  char *value = o->type == AC_OPT_PATH ? resolve_path(s->value, s->base_dir)
                                       : strdup(s->value);
  int rc = value ? ac_option_apply(o, priv, value, &si->owned, &si->n_owned,
                                   msg, sizeof msg)
                 : AC_ERR_NOMEM;
  free(value);
  if (rc)
    snprintf(err, errlen, "%s: stage %s, option %s: %s", s->origin, p->name,
             o->name, rc == AC_ERR_NOMEM ? "out of memory" : msg);
  return rc;
}

ac_stage_instance *ac_stage_new(const ac_plugin *p, const ac_settings *settings,
                                const ac_episode *episode, char *err,
                                size_t errlen) {
  return ac_stage_new_sink(p, settings, episode, NULL, err, errlen);
}

ac_stage_instance *ac_stage_new_sink(const ac_plugin *p,
                                     const ac_settings *settings,
                                     const ac_episode *episode,
                                     ac_outputs *outputs, char *err,
                                     size_t errlen) {
  ac_stage_instance *si = calloc(1, sizeof *si);
  if (!si) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  si->plugin = p;
  si->outputs = outputs;
  si->stage.host = &the_host;
  si->stage.name = p->name;
  si->stage.episode = episode;
  si->stage.host_data = si;
  si->stage.priv = calloc(1, p->priv_size ? p->priv_size : 1);
  if (!si->stage.priv) {
    free(si);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  for (size_t i = 0; settings && i < settings->count; i++) {
    const ac_setting *s = &settings->items[i];
    if (strcmp(s->plugin, p->name) == 0 && !ac_option_find(p, s->key)) {
      char msg[512];
      describe_keys(p, msg, sizeof msg);
      snprintf(err, errlen, "%s: stage %s has no option '%s' (%s)", s->origin,
               p->name, s->key, msg);
      goto fail;
    }
  }
  for (const ac_option *o = p->options; o && o->name; o++)
    if (fill_option(si, o, settings, err, errlen))
      goto fail;
  if (p->create) {
    int rc = p->create(&si->stage);
    if (rc != 0) {
      snprintf(err, errlen, "stage %s: %s", p->name,
               si->error[0] ? si->error : ac_strerror(rc));
      goto fail;
    }
  }
  return si;
fail:
  ac_stage_free(si);
  return NULL;
}

void ac_stage_free(ac_stage_instance *si) {
  if (!si)
    return;
  if (si->plugin->destroy)
    si->plugin->destroy(&si->stage);
  for (size_t i = 0; i < si->n_owned; i++)
    free(si->owned[i]);
  free(si->owned);
  free(si->salt);
  free(si->stage.priv);
  free(si);
}

bool ac_stage_wants_single_segment(const ac_stage_instance *si) {
  return si->single_segment;
}

void ac_stage_set_cache_put(ac_stage_instance *si, ac_cache_put_fn fn,
                            void *ctx) {
  si->put_fn = fn;
  si->put_ctx = ctx;
}

char *ac_stage_fingerprint(const ac_stage_instance *si) {
  const ac_plugin *p = si->plugin;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f)
    return NULL;
  fprintf(f, "stage %s %s\n", p->name, p->version ? p->version : "");
  for (const ac_option *o = p->options; o && o->name; o++) {
    const char *field = (const char *)si->stage.priv + o->offset;
    int i;
    double d;
    const char *str;
    switch (o->type) {
    case AC_OPT_BOOL:
    case AC_OPT_INT:
    case AC_OPT_CHOICE:
      memcpy(&i, field, sizeof i);
      fprintf(f, "%s=%d\n", o->name, i);
      break;
    case AC_OPT_DOUBLE:
      memcpy(&d, field, sizeof d);
      fprintf(f, "%s=%.17g\n", o->name, d);
      break;
    case AC_OPT_STRING:
    case AC_OPT_PATH:
      memcpy(&str, field, sizeof str);
      fprintf(f, "%s=%s%s\n", o->name, str ? "'" : "(none)", str ? str : "");
      break;
    case AC_OPT_LIST:
    case AC_OPT_PATH_LIST: {
      const char *const *items;
      memcpy(&items, field, sizeof items);
      fprintf(f, "%s=[", o->name);
      for (size_t k = 0; items && items[k]; k++)
        fprintf(f, "%s'%s'", k ? "," : "", items[k]);
      fputs("]\n", f);
      break;
    }
    }
  }
  if (si->salt)
    fputs(si->salt, f);
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

ac_stage *ac_stage_handle(ac_stage_instance *si) {
  return &si->stage;
}

const ac_plugin *ac_stage_plugin(const ac_stage_instance *si) {
  return si->plugin;
}

const char *ac_stage_error(const ac_stage_instance *si) {
  return si->error;
}

void ac_stage_set_output(ac_stage_instance *si, ac_chunk_sink_fn fn,
                         void *ctx) {
  si->out_fn = fn;
  si->out_ctx = ctx;
}
