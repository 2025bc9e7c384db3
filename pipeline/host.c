/* The host side of the plugin contract: stage instances, the ac_host
 * function table, error and log reporting, artifacts and data lookup. */
#include "core.h"

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
  ac_artifact_list *artifacts;
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

static int host_add_artifact(ac_stage *st, const char *path,
                             const char *mime_type, double duration) {
  ac_stage_instance *si = st->host_data;
  ac_artifact_list *list = si->artifacts;
  if (!list)
    return AC_ERR_OK;
  ac_artifact *grown =
      realloc(list->items, (list->count + 1) * sizeof *list->items);
  if (!grown)
    return AC_ERR_NOMEM;
  list->items = grown;
  ac_artifact *a = &list->items[list->count];
  a->path = strdup(path);
  a->mime_type = strdup(mime_type ? mime_type : "application/octet-stream");
  a->duration = duration;
  if (!a->path || !a->mime_type) {
    free((char *)a->path);
    free((char *)a->mime_type);
    return AC_ERR_NOMEM;
  }
  list->count++;
  return AC_ERR_OK;
}

void ac_artifact_list_free(ac_artifact_list *list) {
  for (size_t i = 0; i < list->count; i++) {
    free((char *)list->items[i].path);
    free((char *)list->items[i].mime_type);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
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

static const ac_host the_host = {
    .abi_version = AC_ABI_VERSION,
    .log = host_log,
    .fail = host_fail,
    .emit = host_emit,
    .set_string = ac_set_string,
    .add_block = ac_document_add_block,
    .insert_block = ac_document_insert_block,
    .remove_block = ac_document_remove_block,
    .add_artifact = host_add_artifact,
    .find_data = host_find_data,
    .cache_salt = host_cache_salt,
    .single_segment = host_single_segment,
    .cache_put = host_cache_put,
};

ac_stage_instance *ac_stage_new(const ac_plugin *p, const ac_settings *settings,
                                const ac_episode *episode, char *err,
                                size_t errlen) {
  ac_stage_instance *si = calloc(1, sizeof *si);
  if (!si) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  si->plugin = p;
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
  char msg[512];
  for (const ac_option *o = p->options; o && o->name; o++) {
    if (!o->default_value)
      continue;
    if (ac_option_apply(o, si->stage.priv, o->default_value, &si->owned,
                        &si->n_owned, msg, sizeof msg) != 0) {
      snprintf(err, errlen, "stage %s: bad default for option %s: %s", p->name,
               o->name, msg);
      goto fail;
    }
  }
  for (size_t i = 0; settings && i < settings->count; i++) {
    const ac_setting *s = &settings->items[i];
    if (strcmp(s->plugin, p->name) != 0)
      continue;
    const ac_option *o = ac_option_find(p, s->key);
    if (!o) {
      size_t n = 0;
      n += (size_t)snprintf(msg + n, sizeof msg - n, "valid options:");
      for (const ac_option *v = p->options; v && v->name && n < sizeof msg; v++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, " %s", v->name);
      if (!p->options || !p->options[0].name)
        snprintf(msg, sizeof msg, "it has no options");
      snprintf(err, errlen, "%s: stage %s has no option '%s' (%s)", s->origin,
               p->name, s->key, msg);
      goto fail;
    }
    if (ac_option_apply(o, si->stage.priv, s->value, &si->owned, &si->n_owned,
                        msg, sizeof msg) != 0) {
      snprintf(err, errlen, "%s: stage %s, option %s: %s", s->origin, p->name,
               s->key, msg);
      goto fail;
    }
  }
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
      memcpy(&str, field, sizeof str);
      fprintf(f, "%s=%s%s\n", o->name, str ? "'" : "(none)", str ? str : "");
      break;
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

void ac_stage_set_artifacts(ac_stage_instance *si, ac_artifact_list *list) {
  si->artifacts = list;
}
