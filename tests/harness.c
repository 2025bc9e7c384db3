/* The test harness shared by every suite (see harness.h). */
#define _GNU_SOURCE /* vasprintf */
#include "harness.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static ac_loaded_plugin *loaded[64];
static size_t n_loaded;

const ac_plugin *harness_plugin(const char *name) {
  for (size_t i = 0; i < n_loaded; i++)
    if (strcmp(loaded[i]->desc->name, name) == 0)
      return loaded[i]->desc;
  char path[1024], err[1024];
  snprintf(path, sizeof path, "%s/%s.so", ARTICAST_TEST_PLUGIN_DIR, name);
  ac_loaded_plugin *lp = ac_plugin_load(path, err, sizeof err);
  ck_assert_msg(lp != NULL, "cannot load plugin %s: %s", name, err);
  ck_assert_uint_lt(n_loaded, sizeof loaded / sizeof loaded[0]);
  loaded[n_loaded++] = lp;
  return lp->desc;
}

static void add_data_dirs_once(void) {
  static bool done;
  if (done)
    return;
  done = true;
  ac_add_data_dir(ARTICAST_TEST_SOURCE_DIR "/voices");
}

/* The profile harness_episode loaded: its settings layer goes to the
 * stages of that episode, as the runner does. */
static const ac_voice_profile *episode_voice;

static ac_stage_instance *make_stage(const char *plugin,
                                     const char *const *settings,
                                     const ac_episode *episode,
                                     ac_outputs *outputs, char *err,
                                     size_t errlen) {
  add_data_dirs_once();
  const ac_plugin *p = harness_plugin(plugin);
  ac_settings s = {0};
  if (episode && episode_voice && episode->voice == &episode_voice->voice)
    ck_assert_int_eq(ac_settings_append(&s, &episode_voice->settings), 0);
  for (size_t i = 0; settings && settings[i]; i++) {
    const char *eq = strchr(settings[i], '=');
    ck_assert_msg(eq != NULL, "setting '%s' lacks '='", settings[i]);
    char *key = strndup(settings[i], (size_t)(eq - settings[i]));
    ck_assert_int_eq(ac_settings_add(&s, plugin, key, eq + 1, "test"), 0);
    free(key);
  }
  char why[1024] = "";
  ac_stage_instance *si =
      ac_stage_new_sink(p, &s, episode, outputs, why, sizeof why);
  ac_settings_free(&s);
  if (!si && err)
    snprintf(err, errlen, "%s", why);
  return si;
}

ac_stage_instance *harness_stage(const char *plugin,
                                 const char *const *settings,
                                 const ac_episode *episode, char *err,
                                 size_t errlen) {
  return make_stage(plugin, settings, episode, NULL, err, errlen);
}

int harness_collect(void *ctx, const ac_chunk *chunk) {
  harness_audio *a = ctx;
  if (a->n_chunks == 0)
    a->positions_ok = 1;
  if (chunk->position != a->n_samples)
    a->positions_ok = 0;
  if (a->sample_rate && chunk->sample_rate != a->sample_rate)
    a->positions_ok = 0;
  a->sample_rate = chunk->sample_rate;
  a->n_chunks++;
  if (chunk->n_samples > a->max_chunk)
    a->max_chunk = chunk->n_samples;
  if (chunk->n_samples) {
    float *grown =
        realloc(a->samples, (a->n_samples + chunk->n_samples) * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    a->samples = grown;
    memcpy(a->samples + a->n_samples, chunk->samples,
           chunk->n_samples * sizeof *grown);
    a->n_samples += chunk->n_samples;
  }
  if (chunk->n_marks) {
    ac_mark *grown =
        realloc(a->marks, (a->n_marks + chunk->n_marks) * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    a->marks = grown;
    memcpy(a->marks + a->n_marks, chunk->marks, chunk->n_marks * sizeof *grown);
    a->n_marks += chunk->n_marks;
  }
  return AC_ERR_OK;
}

void harness_audio_free(harness_audio *a) {
  free(a->samples);
  free(a->marks);
  memset(a, 0, sizeof *a);
}

ac_document *harness_read(const char *plugin, const char *path,
                          const char *text) {
  char *data;
  size_t len;
  if (path) {
    ck_assert_msg(ac_read_file(path, 0, &data, &len) == 0, "cannot read %s",
                  path);
  } else {
    data = strdup(text);
    len = strlen(text);
  }
  ac_document *doc = ac_document_new();
  char err[1024] = "";
  ac_stage_instance *si = harness_stage(plugin, NULL, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "cannot create %s: %s", plugin, err);
  const ac_plugin *p = ac_stage_plugin(si);
  const char *name = path ? path : "-";
  ac_set_string(&doc->source, name, (size_t)-1);
  int rc = p->read_source(ac_stage_handle(si), name, data, len, doc);
  ck_assert_msg(rc == 0, "%s failed on %s: %s", plugin, name,
                ac_stage_error(si));
  ac_stage_free(si);
  free(data);
  return doc;
}

int harness_text_stage(const char *plugin, const char *const *settings,
                       ac_document *doc, char *err, size_t errlen) {
  char why[1024] = "";
  ac_stage_instance *si =
      harness_stage(plugin, settings, NULL, why, sizeof why);
  if (!si) {
    if (err)
      snprintf(err, errlen, "%s", why);
    return AC_ERR_INVALID;
  }
  int rc = ac_stage_plugin(si)->process_document(ac_stage_handle(si), doc);
  if (rc && err)
    snprintf(err, errlen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  return rc;
}

char *harness_slurp(const char *path) {
  char *data;
  size_t len;
  ck_assert_msg(ac_read_file(path, 0, &data, &len) == 0, "cannot read %s",
                path);
  return data;
}

char *harness_data(const char *relative) {
  return ac_path_join(ARTICAST_TEST_DATA_DIR, relative);
}

char *harness_tempdir(void) {
  const char *base = getenv("TMPDIR");
  char *tmpl = ac_path_join(base && *base ? base : "/tmp", "articast-XXXXXX");
  ck_assert_ptr_nonnull(tmpl);
  ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp failed");
  return tmpl;
}

int harness_run(const char *command, char **out) {
  FILE *p = popen(command, "r");
  if (!p)
    return -1;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
    n += got;
    if (cap - n < 2) {
      char *grown = realloc(buf, cap * 2);
      if (!grown)
        break;
      buf = grown;
      cap *= 2;
    }
  }
  int status = pclose(p);
  if (buf)
    buf[n] = '\0';
  if (out)
    *out = buf;
  else
    free(buf);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *harness_binary(void) {
  return ARTICAST_TEST_BINARY;
}

void harness_episode(ac_episode *ep, ac_voice_profile *vp,
                     const ac_document *doc) {
  static const ac_show show = {
      .title = "Test Show", .author = "articast tests", .language = "en-US"};
  char err[512];
  setenv("ARTICAST_VOICE_PATH", ARTICAST_TEST_SOURCE_DIR "/voices", 1);
  if (ac_voice_load(vp, "en-us-newsreader", err, sizeof err) != 0)
    memset(vp, 0, sizeof *vp);
  memset(ep, 0, sizeof *ep);
  ep->doc = doc;
  ep->show = &show;
  ep->voice = vp->voice.name ? &vp->voice : NULL;
  episode_voice = vp;
  ep->site_dir = "/nonexistent-site";
  ep->slug = "test-episode";
  ep->threads = 1;
}

void harness_sinks_init(harness_sinks *h, ac_episode *ep,
                        const char *output_base) {
  memset(h, 0, sizeof *h);
  h->ep = ep;
  const char *slash = strrchr(output_base, '/');
  char *dir =
      slash ? strndup(output_base, (size_t)(slash - output_base)) : strdup(".");
  ck_assert_ptr_nonnull(dir);
  ck_assert_int_eq(
      ac_outputs_init(&h->outputs, dir, slash ? slash + 1 : output_base, NULL),
      0);
  /* A sink's files at <output_base><suffix>: versions are the host's. */
  h->outputs.unversioned = true;
  free(dir);
}

ac_stage_instance *harness_sink_stage(harness_sinks *h, const char *plugin,
                                      const char *const *settings, char *err,
                                      size_t errlen) {
  return make_stage(plugin, settings, h->ep, &h->outputs, err, errlen);
}

static void sinks_saw(harness_sinks *h, const ac_mark *marks, size_t n,
                      uint64_t end, int rate) {
  for (size_t i = 0; i < n; i++)
    ck_assert_int_eq(ac_marks_push(&h->marks, &marks[i]), 0);
  if (end > h->frames)
    h->frames = end;
  if (rate > 0)
    h->rate = rate;
}

int harness_sinks_chunk(harness_sinks *h, ac_stage_instance *si,
                        const ac_chunk *chunk) {
  sinks_saw(h, chunk->marks, chunk->n_marks, chunk->position + chunk->n_samples,
            chunk->sample_rate);
  return ac_stage_plugin(si)->process_audio(ac_stage_handle(si), chunk);
}

int harness_sinks_replay(harness_sinks *h, ac_stage_instance *si,
                         const ac_segment *seg) {
  sinks_saw(h, seg->marks, seg->n_marks, seg->position + seg->n_samples,
            seg->sample_rate);
  return ac_stage_plugin(si)->replay_segment(ac_stage_handle(si), seg);
}

int harness_sinks_flush(harness_sinks *h, ac_stage_instance *si, char *err,
                        size_t errlen) {
  if (h->ep->doc) {
    ac_chapters_init(&h->chapters, h->ep->doc);
    for (size_t i = 0; i < h->marks.count; i++)
      ck_assert_int_eq(ac_chapters_mark(&h->chapters, &h->marks.items[i]), 0);
    ck_assert_int_eq(ac_chapters_finish(&h->chapters, h->frames), 0);
  }
  h->timeline = (ac_timeline){.sample_rate = h->rate,
                              .n_samples = h->frames,
                              .marks = h->marks.items,
                              .n_marks = h->marks.count,
                              .chapters = h->chapters.items,
                              .n_chapters = h->chapters.count};
  h->ep->timeline = &h->timeline;
  const ac_plugin *p = ac_stage_plugin(si);
  int rc = p->flush ? p->flush(ac_stage_handle(si)) : 0;
  if (rc == 0 && (rc = ac_outputs_commit(&h->outputs, err, errlen)) == 0) {
    h->ep->artifacts = h->outputs.artifacts;
    h->ep->n_artifacts = h->outputs.count;
  }
  return rc;
}

void harness_sinks_free(harness_sinks *h) {
  if (h->ep && h->ep->timeline == &h->timeline)
    h->ep->timeline = NULL;
  ac_outputs_free(&h->outputs);
  ac_marks_free(&h->marks);
  ac_chapters_free(&h->chapters);
  memset(h, 0, sizeof *h);
}

int harness_main(Suite *s) {
  setenv("PULSE_SERVER", "unix:/nonexistent", 0);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *harness_fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = NULL;
  ck_assert_int_ge(vasprintf(&s, f, ap), 0);
  va_end(ap);
  return s;
}

void harness_write_bytes(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

void harness_write_text(const char *path, const char *text) {
  harness_write_bytes(path, text, strlen(text));
}
