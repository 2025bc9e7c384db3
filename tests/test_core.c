/* The core: options, config, voices, plugin loading, documents, utils. */
#define _GNU_SOURCE /* asprintf, mkfifo */
#include "cache.h"
#include "harness.h"

#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------ */

typedef struct opts {
  int flag;
  int count;
  double gain;
  const char *name;
  int mode;
} opts;

static const char *const modes[] = {"fast", "slow", NULL};
static const ac_option table[] = {
    {"flag", AC_OPT_BOOL, offsetof(opts, flag), "false", 0, 0, NULL, "a flag"},
    {"count", AC_OPT_INT, offsetof(opts, count), "3", 1, 10, NULL, "count"},
    {"gain", AC_OPT_DOUBLE, offsetof(opts, gain), "-1.5", -20, 0, NULL, "dB"},
    {"name", AC_OPT_STRING, offsetof(opts, name), NULL, 0, 0, NULL, "name"},
    {"mode", AC_OPT_CHOICE, offsetof(opts, mode), "fast", 0, 0, modes, "mode"},
    {0}};

static int apply(const char *key, const char *value, opts *o, char *err) {
  ac_plugin p = {.options = table};
  const ac_option *opt = ac_option_find(&p, key);
  ck_assert_ptr_nonnull(opt);
  char **owned = NULL;
  size_t n_owned = 0;
  int rc = ac_option_apply(opt, o, value, &owned, &n_owned, err, 256);
  if (rc == 0 && opt->type == AC_OPT_STRING)
    ck_assert_str_eq(o->name, value);
  for (size_t i = 0; i < n_owned; i++)
    free(owned[i]);
  free(owned);
  return rc;
}

START_TEST(options_parse_valid_values) {
  opts o = {0};
  char err[256];
  ck_assert_int_eq(apply("flag", "yes", &o, err), 0);
  ck_assert_int_eq(o.flag, 1);
  ck_assert_int_eq(apply("flag", "Off", &o, err), 0);
  ck_assert_int_eq(o.flag, 0);
  ck_assert_int_eq(apply("count", "10", &o, err), 0);
  ck_assert_int_eq(o.count, 10);
  ck_assert_int_eq(apply("gain", "-0.25", &o, err), 0);
  ck_assert_double_eq_tol(o.gain, -0.25, 1e-12);
  ck_assert_int_eq(apply("mode", "SLOW", &o, err), 0);
  ck_assert_int_eq(o.mode, 1);
  ck_assert_int_eq(apply("name", "x y", &o, err), 0);
}
END_TEST

START_TEST(options_reject_bad_values_listing_valid_ones) {
  opts o = {0};
  char err[256];
  ck_assert_int_eq(apply("count", "11", &o, err), AC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "1 to 10"));
  ck_assert_int_eq(apply("count", "3x", &o, err), AC_ERR_INVALID);
  ck_assert_int_eq(apply("count", "", &o, err), AC_ERR_INVALID);
  ck_assert_int_eq(apply("gain", "nan", &o, err), AC_ERR_INVALID);
  ck_assert_int_eq(apply("gain", "1", &o, err), AC_ERR_INVALID);
  ck_assert_int_eq(apply("flag", "maybe", &o, err), AC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "true or false"));
  ck_assert_int_eq(apply("mode", "medium", &o, err), AC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "fast slow"));
}
END_TEST

/* ---- config ---------------------------------------------------------------
 */

static char *write_temp(const char *name, const char *text) {
  char *dir = harness_tempdir();
  char *path = ac_path_join(dir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  free(dir);
  return path;
}

START_TEST(config_reads_show_pipeline_and_plugin_sections) {
  char *path = write_temp("show.ini", "[show]\n"
                                      "title = The Daily Read\n"
                                      "language = en-GB\n"
                                      "image = art/cover.png\n"
                                      "[pipeline]\n"
                                      "text = clean, normalize\n"
                                      "sinks = mp3 wav\n"
                                      "voice = en-gb-newsreader\n"
                                      "[mp3]\n"
                                      "bitrate = 96\n");
  ac_config cfg;
  char err[512] = "";
  ck_assert_int_eq(ac_config_load(&cfg, path, err, sizeof err), 0);
  ck_assert_str_eq(cfg.show.title, "The Daily Read");
  ck_assert_str_eq(cfg.show.language, "en-GB");
  /* A file the config names is found beside the config. */
  ck_assert_ptr_nonnull(strstr(cfg.show.image, "/art/cover.png"));
  ck_assert_int_eq(strncmp(cfg.show.image, cfg.dir, strlen(cfg.dir)), 0);
  ck_assert_uint_eq(cfg.n_text_stages, 2);
  ck_assert_str_eq(cfg.text_stages[1], "normalize");
  ck_assert_uint_eq(cfg.n_sinks, 2);
  ck_assert_str_eq(cfg.sinks[1], "wav");
  ck_assert_str_eq(cfg.voice, "en-gb-newsreader");
  ck_assert(cfg.text_explicit && cfg.sinks_explicit);
  ck_assert(!cfg.filters_explicit && !cfg.publishers_explicit);
  ck_assert_uint_eq(cfg.settings.count, 1);
  ck_assert_str_eq(cfg.settings.items[0].plugin, "mp3");
  ck_assert_str_eq(cfg.settings.items[0].value, "96");
  ck_assert_ptr_nonnull(strstr(cfg.settings.items[0].origin, "show.ini:10"));
  ac_config_free(&cfg);
  free(path);
}
END_TEST

START_TEST(config_defaults_without_file) {
  ac_config cfg;
  char err[512];
  ck_assert_int_eq(ac_config_load(&cfg, NULL, err, sizeof err), 0);
  ck_assert_str_eq(cfg.synth, "espeak");
  ck_assert_uint_ge(cfg.n_sinks, 1);
  ck_assert_str_eq(cfg.sinks[0], "mp3");
  ck_assert(!cfg.text_explicit && !cfg.sinks_explicit);
  ac_config_free(&cfg);
}
END_TEST

START_TEST(config_errors_name_file_and_line) {
  struct {
    const char *text, *expect;
  } cases[] = {
      {"[show]\ntitle = x\ncolour = red\n", "bad.ini:3: [show] has no key"},
      {"[show]\ncategory = News\n",
       "bad.ini:2: [show] category is now an option of a stage: write it as "
       "[feed] category"},
      {"[pipeline]\nlexicon = names.lex\n",
       "bad.ini:2: [pipeline] lexicon is now an option of a stage: write it "
       "as [normalize] lexicons"},
      {"[pipeline]\nstages = a\n", "bad.ini:2: [pipeline] has no key"},
      {"title = x\n", "bad.ini:1: 'title' is outside any section"},
      {"[show\ntitle = x\n", "bad.ini:1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *path = write_temp("bad.ini", cases[i].text);
    ac_config cfg;
    char err[512] = "";
    ck_assert_int_ne(ac_config_load(&cfg, path, err, sizeof err), 0);
    ck_assert_msg(strstr(err, cases[i].expect), "case %zu: got '%s'", i, err);
    ac_config_free(&cfg);
    free(path);
  }
  ac_config cfg;
  char err[512];
  ck_assert_int_eq(ac_config_load(&cfg, "/nonexistent/x.ini", err, sizeof err),
                   AC_ERR_IO);
  ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.ini"));
  ac_config_free(&cfg);
}
END_TEST

/* ---- plugins ------------------------------------------------------------ */

START_TEST(every_built_plugin_loads_with_a_sane_descriptor) {
  DIR *dir = opendir(ARTICAST_TEST_PLUGIN_DIR);
  ck_assert_ptr_nonnull(dir);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    size_t len = strlen(e->d_name);
    if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
      continue;
    char *path = ac_path_join(ARTICAST_TEST_PLUGIN_DIR, e->d_name);
    char err[1024] = "";
    ac_loaded_plugin *lp = ac_plugin_load(path, err, sizeof err);
    ck_assert_msg(lp != NULL, "%s", err);
    const ac_plugin *p = lp->desc;
    /* The file is named after the plugin. */
    ck_assert_int_eq(strncmp(e->d_name, p->name, len - 3), 0);
    ck_assert_uint_eq(strlen(p->name), len - 3);
    ck_assert_int_eq(ac_plugin_validate(p, err, sizeof err), 0);
    for (const ac_option *o = p->options; o && o->name; o++) {
      char valid[256];
      ac_option_describe(o, valid, sizeof valid);
      ck_assert_uint_gt(strlen(o->help), 5);
    }
    /* Exactly one exported symbol. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "nm -D --defined-only '%s' | awk '$2 ~ /[TDBR]/ {print $3}'",
             path);
    char *out = NULL;
    ck_assert_int_eq(harness_run(cmd, &out), 0);
    ck_assert_msg(strcmp(out, AC_PLUGIN_ENTRY_NAME "\n") == 0, "%s exports: %s",
                  e->d_name, out);
    free(out);
    ac_plugin_unload(lp);
    free(path);
    n++;
  }
  closedir(dir);
  ck_assert_uint_ge(n, 1);
}
END_TEST

START_TEST(loader_refuses_broken_plugins_naming_file_and_versions) {
  char err[1024];
  ac_loaded_plugin *lp =
      ac_plugin_load(BROKEN_PLUGIN_DIR "/broken_plugin_1.so", err, sizeof err);
  ck_assert_ptr_null(lp);
  ck_assert_ptr_nonnull(strstr(err, "broken_plugin_1.so"));
  ck_assert_ptr_nonnull(strstr(err, "ABI 99"));
  ck_assert_ptr_nonnull(strstr(err, "ABI 3"));

  lp = ac_plugin_load(BROKEN_PLUGIN_DIR "/broken_plugin_2.so", err, sizeof err);
  ck_assert_ptr_null(lp);
  ck_assert_ptr_nonnull(strstr(err, "option level"));

  lp = ac_plugin_load(BROKEN_PLUGIN_DIR "/broken_plugin_3.so", err, sizeof err);
  ck_assert_ptr_null(lp);
  ck_assert_ptr_nonnull(strstr(err, "lacks the callback"));

  lp = ac_plugin_load(BROKEN_PLUGIN_DIR "/broken_plugin_4.so", err, sizeof err);
  ck_assert_ptr_null(lp);
  ck_assert_msg(strstr(err, "smaller than ABI 3's first release"), "%s", err);

  lp = ac_plugin_load("/nonexistent/plugin.so", err, sizeof err);
  ck_assert_ptr_null(lp);
  ck_assert_ptr_nonnull(strstr(err, "/nonexistent/plugin.so"));
}
END_TEST

START_TEST(stage_rejects_unknown_option_listing_valid_ones) {
  char err[1024] = "";
  const char *bad[] = {"no_such_option=1", NULL};
  ac_stage_instance *si =
      harness_stage("source_text", bad, NULL, err, sizeof err);
  ck_assert_ptr_null(si);
  ck_assert_ptr_nonnull(strstr(err, "no option 'no_such_option'"));
  ck_assert_ptr_nonnull(strstr(err, "source_text"));
}
END_TEST

/* ---- documents and utilities -------------------------------------------- */

START_TEST(document_blocks_insert_remove_print) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Title", (size_t)-1);
  ck_assert_ptr_nonnull(ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "b", 1));
  ck_assert_ptr_nonnull(ac_document_add_block(doc, AC_BLOCK_BIO, "bio", 3));
  ck_assert_ptr_nonnull(
      ac_document_insert_block(doc, 0, AC_BLOCK_BYLINE, "By X", 4));
  ck_assert_ptr_nonnull(
      ac_document_add_block(doc, AC_BLOCK_BOILERPLATE, "Share", 5));
  for (int i = 0; i < 40; i++) /* grows past the first allocation */
    ck_assert_ptr_nonnull(ac_document_add_block(doc, AC_BLOCK_QUOTE, "q", 1));
  for (int i = 0; i < 40; i++)
    ac_document_remove_block(doc, doc->n_blocks - 1);
  ck_assert_uint_eq(doc->n_blocks, 4);
  ck_assert_str_eq(doc->blocks[0].text, "By X");

  char *all = NULL, *body = NULL;
  size_t n1, n2;
  FILE *f = open_memstream(&all, &n1);
  ac_document_print(doc, f, false);
  fclose(f);
  f = open_memstream(&body, &n2);
  ac_document_print(doc, f, true);
  fclose(f);
  ck_assert_str_eq(all, "Title\n\nBy X\n\nb\n\nbio\n");
  ck_assert_str_eq(body, "b\n");
  free(all);
  free(body);
  ac_document_free(doc);
}
END_TEST

START_TEST(utf8_validation_finds_first_bad_byte) {
  ck_assert_int_eq(ac_utf8_invalid_offset("plain", 5), -1);
  ck_assert_int_eq(ac_utf8_invalid_offset("caf\xC3\xA9", 5), -1);
  ck_assert_int_eq(ac_utf8_invalid_offset("ab\xE2\x82", 4), 2); /* cut */
  ck_assert_int_eq(ac_utf8_invalid_offset("abc\xFF", 4), 3);
  ck_assert_int_eq(ac_utf8_invalid_offset("\xC0\xAF", 2), 0); /* overlong */
  ck_assert_int_eq(ac_utf8_invalid_offset("x\xED\xA0\x80", 4), 1); /* UTF-16 */
  ck_assert_int_eq(ac_utf8_invalid_offset("\xF0\x9F\x8E\x99", 4), -1);
}
END_TEST

START_TEST(slugs_are_stable_ascii) {
  struct {
    const char *title, *slug;
  } cases[] = {
      {"Why Pakistan needs regional cooperation for its security",
       "why-pakistan-needs-regional-cooperation-for-its-security"},
      {"  Café naïve: £48.5m — plan!  ", "cafe-naive-48-5m-plan"},
      {"Pakistan's ties", "pakistans-ties"},
      {"Łódź über Straße", "lodz-uber-strasse"},
      {"日本語", "episode-805f5ce7"}, /* FNV-1a of the title's bytes */
      {"", "episode"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *slug = ac_slugify(cases[i].title);
    ck_assert_str_eq(slug, cases[i].slug);
    free(slug);
  }
  char long_title[400];
  memset(long_title, 'a', sizeof long_title - 1);
  long_title[sizeof long_title - 1] = '\0';
  char *slug = ac_slugify(long_title);
  ck_assert_uint_le(strlen(slug), 80);
  free(slug);
}
END_TEST

/* ---- voices ------------------------------------------------------------- */

/* The value a profile gives `plugin`.`key`, or NULL. */
static const char *profile_setting(const ac_voice_profile *vp,
                                   const char *plugin, const char *key) {
  for (size_t i = 0; i < vp->settings.count; i++)
    if (strcmp(vp->settings.items[i].plugin, plugin) == 0 &&
        strcmp(vp->settings.items[i].key, key) == 0)
      return vp->settings.items[i].value;
  return NULL;
}

START_TEST(voices_load_and_match_language) {
  setenv("ARTICAST_VOICE_PATH", ARTICAST_TEST_SOURCE_DIR "/voices", 1);
  ac_voice_profile vp;
  char err[512] = "";
  ck_assert_int_eq(ac_voice_load(&vp, "en-us-newsreader", err, sizeof err), 0);
  /* A profile is a name, a language and stage settings, all of the
   * voice layer, from the profile's directory. */
  ck_assert_str_eq(vp.voice.language, "en-US");
  ck_assert_str_eq(profile_setting(&vp, "espeak", "voice"), "en-us");
  ck_assert_int_gt(atoi(profile_setting(&vp, "espeak", "rate")), 100);
  ck_assert_ptr_nonnull(profile_setting(&vp, "loudness", "gain_db"));
  for (size_t i = 0; i < vp.settings.count; i++) {
    ck_assert_int_eq(vp.settings.items[i].layer, AC_LAYER_VOICE);
    ck_assert_ptr_nonnull(strstr(vp.settings.items[i].base_dir, "voices"));
  }
  ac_voice_free(&vp);
  ck_assert_int_eq(ac_voice_for_language(&vp, "en-GB", err, sizeof err), 0);
  ck_assert_str_eq(vp.voice.language, "en-GB");
  ac_voice_free(&vp);
  ck_assert_int_eq(ac_voice_for_language(&vp, "en", err, sizeof err), 0);
  ck_assert_str_eq(vp.voice.name, "en-us-newsreader");
  ac_voice_free(&vp);
  ck_assert_int_ne(ac_voice_for_language(&vp, "tlh", err, sizeof err), 0);
  ck_assert_ptr_nonnull(strstr(err, "tlh"));
  ac_voice_free(&vp);
  ck_assert_int_eq(ac_voice_load(&vp, "no-such-voice", err, sizeof err),
                   AC_ERR_NOTFOUND);
  ck_assert_ptr_nonnull(strstr(err, "no-such-voice"));
  ac_voice_free(&vp);
  /* Macrolanguages: a Bokmal voice reads Norwegian and Nynorsk. */
  ck_assert_int_eq(ac_language_match("nb", "no-NO"), 1);
  ck_assert_int_eq(ac_language_match("nb-NO", "nn"), 1);
  ck_assert_int_eq(ac_language_match("ur", "fa"), 0);
}
END_TEST

START_TEST(voice_profile_errors_name_file_and_line) {
  struct {
    const char *text, *expect;
  } cases[] = {
      {"[voice]\nlanguage = en\nrate = 150\n",
       "bad.voice:3: 'rate' is a stage's option now: write it under "
       "[espeak] as 'rate'"},
      {"[voice]\ndescription = no language\n", "needs [voice] language"},
      {"[voice]\nlanguage = en\ncolour = red\n",
       "bad.voice:3: [voice] has no key 'colour'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *path = write_temp("bad.voice", cases[i].text);
    ac_voice_profile vp;
    char err[512] = "";
    ck_assert_int_ne(ac_voice_load(&vp, path, err, sizeof err), 0);
    ck_assert_msg(strstr(err, cases[i].expect), "case %zu: got '%s'", i, err);
    ac_voice_free(&vp);
    free(path);
  }
}
END_TEST

/* ---- settings layers -------------------------------------------------------
 */

typedef struct every_type {
  int flag, count, pick;
  double ratio, unset;
  const char *text, *file;
  const char *const *words, *const *files;
} every_type;

static char *list_text(const char *const *items) {
  static char buf[512];
  buf[0] = '\0';
  for (size_t i = 0; items && items[i]; i++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "",
             items[i]);
  return buf;
}

START_TEST(settings_layer_in_order_and_lists_add_up) {
  char err[1024] = "";
  ac_loaded_plugin *lp =
      ac_plugin_load(BROKEN_PLUGIN_DIR "/broken_plugin_5.so", err, sizeof err);
  ck_assert_msg(lp != NULL, "a descriptor from a newer ABI 3 header: %s", err);
  ck_assert_str_eq(lp->desc->name, "newer");

  /* Defaults only: a DOUBLE without default reads NAN. */
  ac_settings none = {0};
  ac_stage_instance *si = ac_stage_new(lp->desc, &none, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  every_type *v = ac_stage_handle(si)->priv;
  ck_assert(isnan(v->unset));
  ck_assert_str_eq(list_text(v->words), "base|extra");
  ck_assert_ptr_null(v->file);
  ac_stage_free(si);

  char *dir = harness_tempdir();
  char *names = ac_path_join(dir, "names.lex");
  FILE *f = fopen(names, "w");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  ac_settings s = {0};
  /* Given out of order on purpose: the layer decides, not the order. */
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_COMMAND_LINE, "newer",
                                        "count", "7", "command line", NULL),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_VOICE, "newer", "count",
                                        "5", "v.voice:3", dir),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "count",
                                        "6", "c.ini:2", dir),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_VOICE, "newer", "ratio",
                                        "0.25", "v.voice:4", dir),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_VOICE, "newer", "words",
                                        "voiced", "v.voice:5", dir),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "words",
                                        "configured \"two words\" base",
                                        "c.ini:3", dir),
                   0);
  /* Paths: one beside the file that names it, one to be looked up. */
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "files",
                                        "names.lex missing.lex", "c.ini:4",
                                        dir),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "file",
                                        "names.lex", "c.ini:5", dir),
                   0);
  si = ac_stage_new(lp->desc, &s, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  v = ac_stage_handle(si)->priv;
  ck_assert_int_eq(v->count, 7);
  ck_assert_double_eq(v->ratio, 0.25);
  /* A LIST replaces like any value; a PATH_LIST adds up. */
  ck_assert_str_eq(list_text(v->words), "configured|two words|base");
  ck_assert_str_eq(v->file, names);
  ck_assert_str_eq(v->files[0], names);
  ck_assert_str_eq(v->files[1], "missing.lex");
  ck_assert_str_eq(v->files[2], "default.lex");
  ck_assert_ptr_null(v->files[3]);
  /* The fingerprint (the cache key's part) sees every value. */
  char *fp = ac_stage_fingerprint(si);
  ck_assert_ptr_nonnull(strstr(fp, "count=7"));
  ck_assert_ptr_nonnull(strstr(fp, "'two words'"));
  free(fp);
  ac_stage_free(si);

  /* "-" first drops the layers below; a bad value names its origin. */
  ac_settings_free(&s);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "files",
                                        "- only.lex", "c.ini:7", NULL),
                   0);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_VOICE, "newer", "ratio",
                                        "2", "v.voice:9", NULL),
                   0);
  si = ac_stage_new(lp->desc, &s, NULL, err, sizeof err);
  ck_assert_ptr_null(si);
  ck_assert_msg(strstr(err, "v.voice:9: stage newer, option ratio"), "%s", err);
  ac_settings_free(&s);
  ck_assert_int_eq(ac_settings_add_from(&s, AC_LAYER_CONFIG, "newer", "files",
                                        "- only.lex", "c.ini:7", NULL),
                   0);
  si = ac_stage_new(lp->desc, &s, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  ck_assert_str_eq(list_text(((every_type *)ac_stage_handle(si)->priv)->files),
                   "only.lex");
  ac_stage_free(si);
  ac_settings_free(&s);
  ac_plugin_unload(lp);
  unlink(names);
  rmdir(dir);
  free(names);
  free(dir);
}
END_TEST

/* ---- timeline
 * ---------------------------------------------------------------- */

START_TEST(marks_round_trip_and_damage_is_caught) {
  ac_mark marks[] = {{AC_MARK_BLOCK, 4, 0, 20, 0},
                     {AC_MARK_SENTENCE, 4, 0, 0, 10},
                     {AC_MARK_WORD, 4, 0, 5, 10},
                     {AC_MARK_WORD, 5, 6, 7, 900},
                     {AC_MARK_BLOCK_END, 5, 0, 20, 1000}};
  uint8_t *buf;
  size_t len;
  ck_assert_int_eq(ac_marks_encode(22050, 2304, marks, 5, 4, &buf, &len), 0);
  ac_mark_array a = {0};
  int rate;
  uint64_t frames;
  /* Replayed at frame 50000 of the stream, as blocks 10 and 11. */
  ck_assert_int_eq(ac_marks_decode(buf, len, 10, 2, 50000, &rate, &frames, &a),
                   0);
  ck_assert_int_eq(rate, 22050);
  ck_assert_uint_eq(frames, 2304);
  ck_assert_uint_eq(a.count, 5);
  for (size_t i = 0; i < 5; i++) {
    ck_assert_int_eq(a.items[i].kind, marks[i].kind);
    ck_assert_uint_eq(a.items[i].block, marks[i].block + 6);
    ck_assert_uint_eq(a.items[i].text_offset, marks[i].text_offset);
    ck_assert_uint_eq(a.items[i].text_length, marks[i].text_length);
    ck_assert_uint_eq(a.items[i].sample, marks[i].sample + 50000);
  }
  /* Truncated, one byte too many, a block past the segment, marks out of
   * order, a mark past the segment's end, a mad rate: all refused. */
  ck_assert_int_eq(ac_marks_decode(buf, len - 1, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  ck_assert_int_eq(ac_marks_decode(buf, 10, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  ck_assert_int_eq(ac_marks_decode(buf, len, 10, 1, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  uint8_t *bad = malloc(len + 1);
  memcpy(bad, buf, len);
  bad[len] = 0;
  ck_assert_int_eq(ac_marks_decode(bad, len + 1, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  free(buf);
  ac_mark swapped[] = {marks[3], marks[1]};
  ck_assert_int_eq(ac_marks_encode(22050, 2304, swapped, 2, 4, &buf, &len), 0);
  ck_assert_int_eq(ac_marks_decode(buf, len, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  free(buf);
  ck_assert_int_eq(ac_marks_encode(22050, 999, marks, 5, 4, &buf, &len), 0);
  ck_assert_int_eq(ac_marks_decode(buf, len, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  free(buf);
  ck_assert_int_eq(ac_marks_encode(7, 2304, marks, 5, 4, &buf, &len), 0);
  ck_assert_int_eq(ac_marks_decode(buf, len, 10, 2, 0, &rate, &frames, &a),
                   AC_ERR_FORMAT);
  free(buf);
  free(bad);
  ac_marks_free(&a);
}
END_TEST

START_TEST(segments_pad_to_whole_frames_ending_in_silence) {
  const uint64_t q = AC_SEGMENT_QUANTUM, z = AC_SEGMENT_MIN_SILENCE;
  ck_assert_uint_eq(ac_segment_padding(0, 0), 0);
  /* 1000 frames, no silence at the end: 2304 zeros make 3304 frames,
   * rounded up to 3 quanta. */
  ck_assert_uint_eq(ac_segment_padding(1000, 0), 3 * q - 1000);
  /* Already ending in enough zeros and whole: nothing. */
  ck_assert_uint_eq(ac_segment_padding(3 * q, z), 0);
  /* Enough zeros, not whole: up to the next quantum only. */
  ck_assert_uint_eq(ac_segment_padding(3 * q + 1, z + 1), q - 1);
  /* Whole but short of zeros: a full extra silence, rounded. */
  ck_assert_uint_eq(ac_segment_padding(10 * q, 100), 2 * q);
  for (uint64_t n = 1; n < 20000; n += 997)
    for (uint64_t run = 0; run <= n && run < 5000; run += 611) {
      uint64_t pad = ac_segment_padding(n, run);
      ck_assert_uint_eq((n + pad) % q, 0);
      ck_assert_uint_ge(run + pad, z);
      ck_assert_uint_lt(pad, z + q);
    }
  float tail[] = {0.5f, 0.0f, 0.0f};
  ck_assert_uint_eq(ac_zero_run_after(7, tail, 3), 2);
  float zeros[] = {0.0f, 0.0f};
  ck_assert_uint_eq(ac_zero_run_after(7, zeros, 2), 9);
}
END_TEST

START_TEST(chapters_follow_headings_and_the_author) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "The Title", (size_t)-1);
  ac_block *b = ac_document_add_block(doc, AC_BLOCK_HEADING, "The Title", 9);
  b->level = 0;
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Opening words.", 14);
  b = ac_document_add_block(doc, AC_BLOCK_HEADING, "  Second\npart ", 15);
  b->level = 2;
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "More.", 5);
  ac_document_add_block(doc, AC_BLOCK_BIO, "Jo writes.", 10);
  ac_mark marks[] = {{AC_MARK_BLOCK, 0, 0, 9, 0},
                     {AC_MARK_BLOCK, 1, 0, 14, 100},
                     {AC_MARK_BLOCK, 2, 0, 15, 500},
                     {AC_MARK_BLOCK, 3, 0, 5, 600},
                     {AC_MARK_BLOCK, 4, 0, 10, 900}};
  ac_chapter_builder cb;
  ac_chapters_init(&cb, doc);
  for (size_t i = 0; i < 5; i++)
    ck_assert_int_eq(ac_chapters_mark(&cb, &marks[i]), 0);
  ck_assert_int_eq(ac_chapters_finish(&cb, 1200), 0);
  ck_assert_uint_eq(cb.count, 3);
  ck_assert_str_eq(cb.items[0].title, "The Title");
  ck_assert_uint_eq(cb.items[0].end, 500);
  ck_assert_str_eq(cb.items[1].title, "Second part");
  ck_assert_uint_eq(cb.items[1].block, 2);
  ck_assert_str_eq(cb.items[2].title, "About the author");
  ck_assert_uint_eq(cb.items[2].start, 900);
  ck_assert_uint_eq(cb.items[2].end, 1200);
  ac_chapters_free(&cb);
  /* A heading cut off at the end of the audio starts no chapter. */
  ac_chapters_init(&cb, doc);
  for (size_t i = 0; i < 3; i++)
    ck_assert_int_eq(ac_chapters_mark(&cb, &marks[i]), 0);
  ck_assert_int_eq(ac_chapters_finish(&cb, 500), 0);
  ck_assert_uint_eq(cb.count, 1);
  ac_chapters_free(&cb);
  ac_document_free(doc);
}
END_TEST

/* ---- cache ------------------------------------------------------------------
 */

static ac_key key_of(const char *text) {
  ac_key_ctx k;
  ac_key_begin(&k);
  ac_key_add_str(&k, text);
  ac_key k_out;
  ac_key_end(&k, &k_out);
  return k_out;
}

/* The path an entry of `text`'s key for `what` has (as cache.c names it). */
static char *entry_file(const char *dir, const char *text, const char *what) {
  ac_key k = key_of(text);
  char hex[65];
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", k.bytes[i]);
  char *p = NULL;
  ck_assert_int_ge(asprintf(&p, "%s/segments/%.2s/%s-%s", dir, hex, hex, what),
                   0);
  return p;
}

START_TEST(cache_refuses_tampered_entries) {
  char *dir = harness_tempdir();
  ac_key a = key_of("a"), b = key_of("b");
  ck_assert_int_eq(ac_cache_write(dir, &a, "mp3", "AAAA", 4), 0);
  ck_assert_int_eq(ac_cache_write(dir, &b, "mp3", "BBBBBB", 6), 0);
  void *data;
  size_t len;
  ck_assert_int_eq(ac_cache_read(dir, &a, "mp3", &data, &len), 0);
  ck_assert_uint_eq(len, 4);
  free(data);
  /* A FIFO in an entry's place: a miss, at once (not a wait for a writer
   * that never comes). */
  char *pf = entry_file(dir, "fifo", "mp3");
  char *fdir = strdup(pf);
  *strrchr(fdir, '/') = '\0';
  ck_assert_int_eq(ac_mkdirs(fdir), 0);
  ck_assert_int_eq(mkfifo(pf, 0600), 0);
  ac_key fk = key_of("fifo");
  ck_assert_int_ne(ac_cache_read(dir, &fk, "mp3", &data, &len), 0);
  free(pf);
  free(fdir);
  /* Entry a's file put at b's name (or at another stage's): refused. */
  char *pa = entry_file(dir, "a", "mp3"), *pb = entry_file(dir, "b", "mp3");
  char *pc = entry_file(dir, "a", "transcript");
  char *cmd = NULL;
  ck_assert_int_ge(
      asprintf(&cmd, "cp '%s' '%s' && cp '%s' '%s'", pa, pb, pa, pc), 0);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  free(cmd);
  ck_assert_int_ne(ac_cache_read(dir, &b, "mp3", &data, &len), 0);
  ck_assert_int_ne(ac_cache_read(dir, &a, "transcript", &data, &len), 0);
  /* Truncated: refused. */
  ck_assert_int_eq(truncate(pa, 40), 0);
  ck_assert_int_ne(ac_cache_read(dir, &a, "mp3", &data, &len), 0);
  /* A symbolic link in an entry's place: a miss. */
  unlink(pa);
  ck_assert_int_eq(ac_cache_write(dir, &a, "mp3", "AAAA", 4), 0);
  ck_assert_int_eq(
      symlink(pa, pb) == 0 || (unlink(pb) == 0 && symlink(pa, pb) == 0), 1);
  ck_assert_int_ne(ac_cache_read(dir, &b, "mp3", &data, &len), 0);
  free(pa);
  free(pb);
  free(pc);
  char *rm = NULL;
  ck_assert_int_ge(asprintf(&rm, "rm -rf '%s'", dir), 0);
  harness_run(rm, NULL);
  free(rm);
  free(dir);
}
END_TEST

START_TEST(cache_clear_stays_inside_the_cache) {
  char *dir = harness_tempdir(), *outside = harness_tempdir();
  ac_key a = key_of("a");
  ck_assert_int_eq(ac_cache_write(dir, &a, "mp3", "AAAA", 4), 0);
  /* A directory and a file outside, linked into segments/. */
  char *victim = ac_path_join(outside, "precious.txt");
  FILE *f = fopen(victim, "w");
  ck_assert_ptr_nonnull(f);
  fputs("keep me", f);
  fclose(f);
  char *entry = entry_file(dir, "a", "mp3");
  *strrchr(entry, '/') = '\0';
  char *cmd = NULL;
  ck_assert_int_ge(asprintf(&cmd,
                            "ln -s '%s' '%s/segments/zz' && ln -s '%s' "
                            "'%s/link'",
                            outside, dir, victim, entry),
                   0);
  free(entry);
  harness_run(cmd, NULL);
  free(cmd);
  ac_cache_stats stats;
  ck_assert_int_eq(ac_cache_walk(dir, 0, &stats), 0);
  ck_assert_uint_eq(stats.removed_files, 1);
  ck_assert_int_eq(access(victim, R_OK), 0);
  ck_assert_int_eq(ac_cache_walk(dir, 1, &stats), 0); /* prune too */
  ck_assert_int_eq(access(victim, R_OK), 0);
  free(victim);
  ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s' '%s'", dir, outside), 0);
  harness_run(cmd, NULL);
  free(cmd);
  free(dir);
  free(outside);
}
END_TEST

/* ---- the runner, with the fake stages (tests/fixtures/fake_stages.c) ---- */

/* Renders `article` with the fake synth and sink into `dir`; returns the
 * sink's record (malloc'd) and how many segments came from the cache. */
static char *fake_render(const char *dir, const char *article, int *replayed,
                         int *total) {
  char *cfg = ac_path_join(dir, "fake.ini");
  FILE *f = fopen(cfg, "w");
  ck_assert_ptr_nonnull(f);
  fputs("[pipeline]\ntext =\nsynth = fakesynth\nfilters =\nsinks = "
        "fakesink\npublish =\nvoice = en-us-newsreader\n",
        f);
  fclose(f);
  char *cmd = NULL, *out = NULL;
  ck_assert_int_gt(
      asprintf(&cmd,
               "ARTICAST_PLUGIN_PATH='%s:%s' ARTICAST_VOICE_PATH='%s/voices' "
               "'%s' episode -v -j 1 -c '%s' --cache-dir '%s/cache' -o "
               "'%s/site' '%s' 2>&1",
               FAKE_PLUGIN_DIR, ARTICAST_TEST_PLUGIN_DIR,
               ARTICAST_TEST_SOURCE_DIR, harness_binary(), cfg, dir, dir,
               article),
      0);
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "%s", out);
  const char *line = strstr(out, "segments from the cache");
  ck_assert_ptr_nonnull(line);
  while (line > out && line[-1] != ':')
    line--;
  ck_assert_int_eq(sscanf(line, " %d of %d", replayed, total), 2);
  free(out);
  free(cmd);
  ck_assert_int_gt(asprintf(&cmd, "cat '%s'/site/episodes/*.fake", dir), 0);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  free(cmd);
  free(cfg);
  return out;
}

/* The segments of a record: "segment I at POSITION, N frames". */
static size_t record_segments(const char *record, uint64_t at[], uint64_t n[],
                              size_t max) {
  size_t k = 0;
  for (const char *p = record; (p = strstr(p, "segment ")) && k < max; p++) {
    unsigned i;
    unsigned long long pos, frames;
    if (sscanf(p, "segment %u at %llu, %llu frames", &i, &pos, &frames) == 3) {
      ck_assert_uint_eq(i, k);
      at[k] = pos;
      n[k++] = frames;
    }
  }
  return k;
}

START_TEST(runner_pads_caches_and_replays_segments) {
  char *dir = harness_tempdir();
  char *article = ac_path_join(dir, "a.md");
  const char *paragraphs[] = {"The first paragraph.", "A second, longer one.",
                              "Third.", "The fourth says a little more."};
  FILE *f = fopen(article, "w");
  fputs("---\ntitle: Segments\n---\n", f);
  for (int i = 0; i < 4; i++)
    fprintf(f, "%s\n\n", paragraphs[i]);
  fclose(f);
  int replayed, total;
  char *first = fake_render(dir, article, &replayed, &total);
  ck_assert_int_eq(replayed, 0);
  ck_assert_int_eq(total, 5); /* the title and four paragraphs */
  uint64_t at[8], n[8];
  ck_assert_uint_eq(record_segments(first, at, n, 8), 5);
  /* Every segment but the last is whole MP3 frames long, with the
   * pause, and the next starts where it ends. */
  for (int i = 0; i < 5; i++) {
    if (i < 4) {
      ck_assert_uint_eq(n[i] % AC_SEGMENT_QUANTUM, 0);
      ck_assert_uint_eq(at[i + 1], at[i] + n[i]);
    }
    ck_assert_uint_ge(n[i], 1000);
  }
  /* Again: every segment from the cache, the same record. */
  char *second = fake_render(dir, article, &replayed, &total);
  ck_assert_int_eq(replayed, 5);
  ck_assert_str_eq(second, first);
  /* One paragraph edited: that segment alone is spoken again; the marks
   * of the others come back at their new places. */
  f = fopen(article, "w");
  fputs("---\ntitle: Segments\n---\n", f);
  for (int i = 0; i < 4; i++)
    fprintf(f, "%s%s\n\n", paragraphs[i], i == 1 ? " Now with more." : "");
  fclose(f);
  char *third = fake_render(dir, article, &replayed, &total);
  ck_assert_int_eq(replayed, 4);
  uint64_t at3[8], n3[8];
  ck_assert_uint_eq(record_segments(third, at3, n3, 8), 5);
  ck_assert_uint_gt(n3[2], n[2] - 1); /* longer, or padded to the same */
  ck_assert_uint_eq(n3[3], n[3]);
  ck_assert_uint_eq(at3[3] - at[3], n3[2] - n[2]);
  /* A render without the cache of the edited article is the same. */
  char *cmd = NULL;
  ck_assert_int_gt(asprintf(&cmd, "rm -rf '%s/cache'", dir), 0);
  harness_run(cmd, NULL);
  free(cmd);
  char *fresh = fake_render(dir, article, &replayed, &total);
  ck_assert_int_eq(replayed, 0);
  ck_assert_str_eq(fresh, third);
  free(first);
  free(second);
  free(third);
  free(fresh);
  free(article);
  ck_assert_int_gt(asprintf(&cmd, "rm -rf '%s'", dir), 0);
  harness_run(cmd, NULL);
  free(cmd);
  free(dir);
}
END_TEST

static Suite *core_suite(void) {
  Suite *s = suite_create("core");
  TCase *t = tcase_create("core");
  tcase_add_test(t, options_parse_valid_values);
  tcase_add_test(t, options_reject_bad_values_listing_valid_ones);
  tcase_add_test(t, config_reads_show_pipeline_and_plugin_sections);
  tcase_add_test(t, config_defaults_without_file);
  tcase_add_test(t, config_errors_name_file_and_line);
  tcase_add_test(t, every_built_plugin_loads_with_a_sane_descriptor);
  tcase_add_test(t, loader_refuses_broken_plugins_naming_file_and_versions);
  tcase_add_test(t, stage_rejects_unknown_option_listing_valid_ones);
  tcase_add_test(t, document_blocks_insert_remove_print);
  tcase_add_test(t, utf8_validation_finds_first_bad_byte);
  tcase_add_test(t, slugs_are_stable_ascii);
  tcase_add_test(t, voices_load_and_match_language);
  tcase_add_test(t, voice_profile_errors_name_file_and_line);
  tcase_add_test(t, settings_layer_in_order_and_lists_add_up);
  tcase_add_test(t, marks_round_trip_and_damage_is_caught);
  tcase_add_test(t, segments_pad_to_whole_frames_ending_in_silence);
  tcase_add_test(t, chapters_follow_headings_and_the_author);
  tcase_add_test(t, cache_refuses_tampered_entries);
  tcase_add_test(t, cache_clear_stays_inside_the_cache);
  tcase_add_test(t, runner_pads_caches_and_replays_segments);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return harness_main(core_suite());
}
