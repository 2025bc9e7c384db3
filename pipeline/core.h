/*
 * The articast core's internal API: document helpers, plugin loading, option
 * tables, stage instances, config and voice profiles, and the episode runner.
 * The CLI (main.c) and the tests use it; plugins see only plugin.h.
 */
#ifndef ARTICAST_CORE_H
#define ARTICAST_CORE_H

#include "articast/plugin.h"

#include <stdbool.h>
#include <stdio.h>

/* The one place the version is written (CMakeLists.txt reads it). */
#define ARTICAST_VERSION_STRING "0.2.0"

/* Longest article file or standard input read, unless --max-input says
 * otherwise (README, "Resource limits"). */
#define AC_DEFAULT_MAX_INPUT ((size_t)20 << 20)

/* Exit codes of the articast command (documented in README.md). */
enum {
  AC_EXIT_OK = 0,
  AC_EXIT_FAILURE = 1, /* a stage failed on this input */
  AC_EXIT_USAGE = 2,   /* bad command line, config or option value */
  AC_EXIT_INPUT = 3,   /* an input file is missing, unreadable or invalid */
  AC_EXIT_PLUGIN = 4,  /* a plugin is missing, stale or broken */
  AC_EXIT_OUTPUT = 5   /* an output could not be written */
};

const char *ac_strerror(int code);

/* ---- Documents ---------------------------------------------------------- */

ac_document *ac_document_new(void);
void ac_document_free(ac_document *doc);
int ac_set_string(char **field, const char *value, size_t len);
ac_block *ac_document_add_block(ac_document *doc, ac_block_kind kind,
                                const char *text, size_t len);
ac_block *ac_document_insert_block(ac_document *doc, size_t index,
                                   ac_block_kind kind, const char *text,
                                   size_t len);
void ac_document_remove_block(ac_document *doc, size_t index);
const char *ac_block_kind_name(ac_block_kind kind);
/* Writes the title, then each block's text, separated by blank lines: as
 * the article wrote them (cleaned), or with AC_PRINT_SPOKEN as they will be
 * spoken; with AC_PRINT_BODY only the article body. */
enum {
  AC_PRINT_BODY = 1,  /* only headings, paragraphs, quotes, list items */
  AC_PRINT_SPOKEN = 2 /* the text as the stages will speak it */
};
int ac_document_print(const ac_document *doc, FILE *out, int flags);

/* ---- Plugins ------------------------------------------------------------ */

/* The size of an ABI 3 descriptor as first released: a smaller one cannot
 * be an ABI 3 plugin. */
#define AC_PLUGIN_MIN_SIZE                                                     \
  (offsetof(ac_plugin, list_voices) + sizeof(void (*)(void)))

typedef struct ac_loaded_plugin {
  const ac_plugin *desc; /* the host's copy, zero past the plugin's size */
  char *path;
  void *handle;
} ac_loaded_plugin;

typedef struct ac_plugin_set {
  ac_loaded_plugin *items;
  size_t count;
} ac_plugin_set;

/* The plugin search path: $ARTICAST_PLUGIN_PATH (colon-separated), the build
 * tree's plugins/ beside the binary, then the installed plugin directory. */
char **ac_plugin_dirs(size_t *count);
/* Existing directories from a colon-separated environment variable, then
 * `local` beside the binary, then `installed`; NULL-terminated, malloc'd. */
char **ac_search_dirs(const char *env_name, const char *local,
                      const char *installed, size_t *count);
/* Loads one plugin file, validating its descriptor. On failure returns NULL
 * and writes the reason (naming the file) to err. */
ac_loaded_plugin *ac_plugin_load(const char *path, char *err, size_t errlen);
void ac_plugin_unload(ac_loaded_plugin *lp);
/* Loads every *.so in the search path; the first plugin of a name wins.
 * Files that fail to load are reported to stderr and skipped. */
int ac_plugin_set_load(ac_plugin_set *set);
void ac_plugin_set_free(ac_plugin_set *set);
const ac_plugin *ac_plugin_set_find(const ac_plugin_set *set, const char *name);
const char *ac_stage_kind_name(ac_stage_kind kind);
/* Checks a descriptor's fields and option table; writes the first problem. */
int ac_plugin_validate(const ac_plugin *p, char *err, size_t errlen);

/* ---- Options ------------------------------------------------------------ */

/* Where a setting came from; higher layers override lower ones (and come
 * first in LIST options, see plugin.h). The option's default is layer 0. */
typedef enum ac_layer {
  AC_LAYER_DEFAULT = 0,
  AC_LAYER_VOICE = 1,
  AC_LAYER_CONFIG = 2,
  AC_LAYER_COMMAND_LINE = 3
} ac_layer;

/* A "key=value" setting for a named plugin, from a voice profile, the
 * config or the command line. */
typedef struct ac_setting {
  char *plugin;
  char *key;
  char *value;
  char *origin;   /* "config.ini:12" or "command line" */
  char *base_dir; /* the directory of the file that set it, or NULL */
  ac_layer layer;
} ac_setting;

typedef struct ac_settings {
  ac_setting *items;
  size_t count;
} ac_settings;

/* Adds a setting of the config layer. */
int ac_settings_add(ac_settings *s, const char *plugin, const char *key,
                    const char *value, const char *origin);
int ac_settings_add_from(ac_settings *s, ac_layer layer, const char *plugin,
                         const char *key, const char *value, const char *origin,
                         const char *base_dir);
/* Adds copies of every setting of `from`. */
int ac_settings_append(ac_settings *to, const ac_settings *from);
void ac_settings_free(ac_settings *s);

/* Splits a LIST value (see plugin.h) into malloc'd items, NULL-terminated.
 * On a malformed value writes why to err. */
int ac_list_split(const char *value, char ***items, size_t *count, char *err,
                  size_t errlen);
void ac_list_free(char **items, size_t count);

/* Parses `value` for option `opt` into priv. On error writes a message that
 * lists what is valid. `owned` collects strings to free at teardown. */
int ac_option_apply(const ac_option *opt, void *priv, const char *value,
                    char ***owned, size_t *n_owned, char *err, size_t errlen);
const ac_option *ac_option_find(const ac_plugin *p, const char *key);
/* Describes the valid values of an option ("integer 32..320"). */
void ac_option_describe(const ac_option *opt, char *buf, size_t len);

/* ---- Stage instances ---------------------------------------------------- */

/* Receives what the last audio stage emits (used by tests and by the
 * runner's fan-out to sinks). */
typedef int (*ac_chunk_sink_fn)(void *ctx, const ac_chunk *chunk);

typedef struct ac_stage_instance ac_stage_instance;

/* Allocates priv, applies defaults and the settings addressed to this
 * plugin, and calls create(). On failure returns NULL with the message in
 * err; destroy() has run. */
ac_stage_instance *ac_stage_new(const ac_plugin *p, const ac_settings *settings,
                                const ac_episode *episode, char *err,
                                size_t errlen);
/* A sink: as ac_stage_new, with host->open_output opening files in
 * `outputs` (see outputs.h), from create() on. */
typedef struct ac_outputs ac_outputs;
ac_stage_instance *ac_stage_new_sink(const ac_plugin *p,
                                     const ac_settings *settings,
                                     const ac_episode *episode,
                                     ac_outputs *outputs, char *err,
                                     size_t errlen);
void ac_stage_free(ac_stage_instance *si);
ac_stage *ac_stage_handle(ac_stage_instance *si);
const ac_plugin *ac_stage_plugin(const ac_stage_instance *si);
/* The message the stage gave with host->fail, or "". */
const char *ac_stage_error(const ac_stage_instance *si);
/* Where this stage's emitted chunks go. */
void ac_stage_set_output(ac_stage_instance *si, ac_chunk_sink_fn fn, void *ctx);
/* Where host->cache_put of a stage goes; NULL (the default) ignores it. */
typedef int (*ac_cache_put_fn)(void *ctx, const char *stage, uint32_t index,
                               const void *data, size_t len);
void ac_stage_set_cache_put(ac_stage_instance *si, ac_cache_put_fn fn,
                            void *ctx);
/* Whether the stage called host->single_segment in create(). */
bool ac_stage_wants_single_segment(const ac_stage_instance *si);
/* The stage's name, version, every option's value (defaults included) and
 * its cache_salt texts, as malloc'd text: what the segment cache key covers
 * of a stage. NULL when out of memory. */
char *ac_stage_fingerprint(const ac_stage_instance *si);
/* Sets the verbosity of host->log for all stages (default AC_LOG_WARN). */
void ac_set_log_level(ac_log_level level);
/* Logs a line from the core, like host->log. */
void ac_log(ac_log_level level, const char *fmt, ...) AC_PRINTF(2, 3);
/* A step that changed the site (see ac_host.checkpoint). */
void ac_checkpoint(const char *what);
/* Adds a directory to the data search path used by host->find_data. */
void ac_add_data_dir(const char *dir);

/* ---- INI files ---------------------------------------------------------- */

/* Called for each key; returns nonzero to go on, 0 after writing the
 * error (with path and line) where the caller can find it. */
typedef int (*ac_ini_handler)(void *user, const char *section, const char *key,
                              const char *value, int line);
/* Parses an INI file with libinih, giving the handler line numbers. On
 * failure returns AC_ERR_INVALID; the first handler error stands, or err
 * receives "path:line: not valid INI syntax". */
int ac_ini_parse(FILE *f, const char *path, ac_ini_handler handler, void *user,
                 char *err, size_t errlen);

/* ---- Config and voices -------------------------------------------------- */

#define AC_MAX_STAGES 16

/* The default pipeline and voice (defaults.c): stage lists as the config's
 * [pipeline] keys write them. */
typedef struct ac_default_stages {
  const char *text, *synth, *filters, *sinks, *publish;
  const char *voice; /* profile for an article of unknown language */
} ac_default_stages;
extern const ac_default_stages ac_default_pipeline;

/* A config key that moved into a stage's options. */
typedef struct ac_moved_key {
  const char *section, *key; /* where it was */
  const char *plugin, *option;
} ac_moved_key;
const ac_moved_key *ac_find_moved_key(const char *section, const char *key);

typedef struct ac_config {
  char *path;           /* NULL when no config file was read */
  char *dir;            /* its directory: relative files are found there */
  char *show_fields[7]; /* owns ac_show's strings, see config.c */
  ac_show show;
  char *voice;  /* profile name or path, NULL = from language */
  char *source; /* forced source plugin, NULL = by probe */
  char *site_dir;
  char *text_stages[AC_MAX_STAGES]; /* after the source, in order */
  size_t n_text_stages;
  char *synth;
  char *filters[AC_MAX_STAGES];
  size_t n_filters;
  char *sinks[AC_MAX_STAGES];
  size_t n_sinks;
  char *publishers[AC_MAX_STAGES];
  size_t n_publishers;
  /* Which stage lists the config file set: a plugin missing from such a
   * list is an error, while a default stage that is not installed is
   * skipped. */
  bool text_explicit, filters_explicit, sinks_explicit, publishers_explicit;
  ac_settings settings; /* the config's and the command line's */
} ac_config;

/* Fills defaults, then reads `path` if not NULL. Errors name the file and
 * line. */
int ac_config_load(ac_config *cfg, const char *path, char *err, size_t errlen);
void ac_config_free(ac_config *cfg);
/* Sets one [show] field ("base_url", ...) as if the config had it. */
int ac_config_set_show(ac_config *cfg, const char *key, const char *value);
/* Parses a stage list ("clean normalize" or "clean, normalize"). */
int ac_config_set_list(char **list, size_t *count, const char *value, char *err,
                       size_t errlen);

/* A voice profile: its name and language, and the stage settings that make
 * it (layer AC_LAYER_VOICE). */
typedef struct ac_voice_profile {
  ac_voice voice; /* the view stages see, pointing into the strings below */
  char *name, *path, *dir, *description, *language;
  bool derived; /* from a synth stage's list_voices, not a file */
  ac_settings settings;
} ac_voice_profile;

/* Voice profile directories: $ARTICAST_VOICE_PATH, voices/ beside the
 * binary (build tree), the installed data directory. */
char **ac_voice_dirs(size_t *count);
/* Loads the profile `name` (a name found in the voice dirs, or a path to a
 * .voice file). */
int ac_voice_load(ac_voice_profile *vp, const char *name, char *err,
                  size_t errlen);
/* Makes a profile of a voice a synth stage derived (list_voices). */
int ac_voice_from_info(ac_voice_profile *vp, const char *synth,
                       const ac_voice_info *info, char *err, size_t errlen);
/* Picks the best profile file for a BCP 47 language ("en-GB" ->
 * en-gb-...); AC_ERR_NOTFOUND when none speaks it. */
int ac_voice_for_language(ac_voice_profile *vp, const char *language, char *err,
                          size_t errlen);
void ac_voice_free(ac_voice_profile *vp);
/* Lists the profile files: calls fn for each. Returns how many. */
int ac_voice_list(void (*fn)(const ac_voice_profile *vp, void *ctx), void *ctx);
/* How well a voice of language `have` reads text in `want`: 2 the same
 * tag, 1 the same primary language, 0 another language. */
int ac_language_match(const char *have, const char *want);

/* ---- Utilities ---------------------------------------------------------- */

/* Reads a whole file ("-" = stdin), NUL-terminated, of at most `limit`
 * bytes (0: no limit). Returns 0 or -errno (-EFBIG past the limit,
 * -EISDIR for a directory). */
int ac_read_file(const char *path, size_t limit, char **data, size_t *len);
/* The primary language subtag of a BCP 47 tag, lowercase, with the
 * macrolanguage for its members ("nb-NO" -> "no"). Writes into buf. */
const char *ac_primary_language(const char *tag, char *buf, size_t len);
/* Returns the byte offset of the first invalid UTF-8 sequence, or -1. */
long ac_utf8_invalid_offset(const char *s, size_t len);
/* Lowercase ASCII, hyphens, at most 80 bytes; transliterates common Latin
 * letters. A title without any becomes "episode-" and a hash of it; an
 * empty one "episode". malloc'd. */
char *ac_slugify(const char *title);
/* Creates a directory and its parents (plugins/common/mkdirs.c, which the
 * core compiles too). */
#include "mkdirs.h"
/* The article's identity (ac_episode.guid), malloc'd. */
char *ac_article_guid(const ac_document *doc);
/* Directory of the running binary, malloc'd. */
char *ac_exe_dir(void);
char *ac_path_join(const char *a, const char *b);

/* ---- Running ------------------------------------------------------------ */

/* Progress of one episode: segments spoken (or replayed) of all, and the
 * seconds of audio so far. */
typedef void (*ac_progress_fn)(void *ctx, size_t done, size_t total,
                               double seconds);

typedef struct ac_pipeline {
  ac_plugin_set plugins;
  ac_config *cfg;
  const char *voice_override;    /* --voice */
  const char *language_override; /* --lang: the article's language */
  const char *text_override;     /* the article's text instead of reading the
                                    input (articast say) */
  const char *output_path;       /* write only this audio file, with the sink
                                    that declares its extension, and publish
                                    nothing (articast say) */
  const char *cache_dir;         /* the segment cache, NULL = off */
  size_t max_input_bytes;        /* longest article file or stdin */
  int threads;                   /* threads an episode may keep busy */
  ac_progress_fn progress;       /* NULL: none */
  void *progress_ctx;
  /* One article's own data, which `articast follow` sets per article: */
  const char *input_bytes; /* the input's bytes (a page it fetched)
                              instead of reading `input`, which still
                              names it; input_len bytes */
  size_t input_len;
  const ac_document *metadata; /* what the article's source (a feed item)
                                  says of it: each non-NULL field of title,
                                  author, date, language, summary, image,
                                  url and id replaces what the source stage
                                  read */
  const char *slug;            /* the episode's slug instead of one made
                                  from the title: an article keeps the slug
                                  it was first published under */
} ac_pipeline;

/* Reads `input` and runs the source and text stages up to and including
 * `until` (NULL = all). On success *out is the document. */
int ac_run_text(ac_pipeline *pl, const char *input, const char *until,
                ac_document **out, char *err, size_t errlen);
/* Renders one article into the site. Prints the files written when
 * `report` is not NULL. Returns an AC_EXIT_* code. */
int ac_run_episode(ac_pipeline *pl, const char *input, FILE *report, char *err,
                   size_t errlen);
/* Rebuilds the site's feed from what the site holds: the publish stages run
 * with an episode whose doc is NULL. Returns an AC_EXIT_* code. */
int ac_run_feed(ac_pipeline *pl, char *err, size_t errlen);

#endif /* ARTICAST_CORE_H */
