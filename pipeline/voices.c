/* Voice profiles: voices/<name>.voice INI files (format in voices/README.md).
 * A profile names a voice and its language ([voice]) and holds the stage
 * settings that make it ([espeak] voice = en-us, [loudness] gain_db = ...),
 * which the runner hands the stages as the voice layer of their options.
 * Voices a synth stage can derive for any language it speaks
 * (ac_plugin.list_voices) become profiles the same way. */
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef ARTICAST_VOICE_INSTALL_DIR
#define ARTICAST_VOICE_INSTALL_DIR "/usr/local/share/articast/voices"
#endif

char **ac_voice_dirs(size_t *count) {
  return ac_search_dirs("ARTICAST_VOICE_PATH", "voices",
                        ARTICAST_VOICE_INSTALL_DIR, count);
}

static void free_dirs(char **dirs, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(dirs[i]);
  free(dirs);
}

void ac_voice_free(ac_voice_profile *vp) {
  free(vp->name);
  free(vp->path);
  free(vp->dir);
  free(vp->description);
  free(vp->language);
  ac_settings_free(&vp->settings);
  memset(vp, 0, sizeof *vp);
}

/* Points the public view at the owned strings. */
static void publish_view(ac_voice_profile *vp) {
  vp->voice = (ac_voice){.name = vp->name,
                         .language = vp->language,
                         .description = vp->description,
                         .path = vp->derived ? NULL : vp->path};
}

typedef struct voice_parse {
  ac_voice_profile *vp;
  const char *file; /* for messages */
  char *err;
  size_t errlen;
} voice_parse;

static int handle_voice_entry(void *user, const char *section, const char *key,
                              const char *value, int line) {
  voice_parse *p = user;
  ac_voice_profile *vp = p->vp;
  if (!section[0]) {
    snprintf(p->err, p->errlen,
             "%s:%d: '%s' is outside any section; put it under [voice] or a "
             "stage's [name]",
             p->file, line, key);
    return 0;
  }
  if (strcmp(section, "voice") != 0) {
    char origin[600];
    snprintf(origin, sizeof origin, "%s:%d", p->file, line);
    if (ac_settings_add_from(&vp->settings, AC_LAYER_VOICE, section, key, value,
                             origin, vp->dir) != 0) {
      snprintf(p->err, p->errlen, "out of memory");
      return 0;
    }
    return 1;
  }
  char **slot = strcmp(key, "description") == 0 ? &vp->description
                : strcmp(key, "language") == 0  ? &vp->language
                                                : NULL;
  if (!slot) {
    const ac_moved_key *moved = ac_find_moved_key("voice", key);
    if (moved)
      snprintf(p->err, p->errlen,
               "%s:%d: '%s' is a stage's option now: write it under [%s] as "
               "'%s' (see voices/README.md)",
               p->file, line, key, moved->plugin, moved->option);
    else
      snprintf(p->err, p->errlen,
               "%s:%d: [voice] has no key '%s' (valid: description "
               "language; stage settings go under [stage] sections)",
               p->file, line, key);
    return 0;
  }
  if (ac_set_string(slot, value, (size_t)-1) != 0) {
    snprintf(p->err, p->errlen, "out of memory");
    return 0;
  }
  return 1;
}

/* Parses a profile from `f` (named `file` in messages). */
static int parse_profile(ac_voice_profile *vp, FILE *f, const char *file,
                         char *err, size_t errlen) {
  voice_parse p = {vp, file, err, errlen};
  int rc = ac_ini_parse(f, file, handle_voice_entry, &p, err, errlen);
  if (rc != 0)
    return rc;
  if (!vp->language || !vp->language[0]) {
    snprintf(err, errlen, "%s: a voice needs [voice] language", file);
    return AC_ERR_INVALID;
  }
  publish_view(vp);
  return 0;
}

static int load_file(ac_voice_profile *vp, const char *name, const char *path,
                     char *err, size_t errlen) {
  memset(vp, 0, sizeof *vp);
  const char *slash = strrchr(path, '/');
  vp->name = strdup(name);
  vp->path = strdup(path);
  vp->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path))
                  : strdup(".");
  if (!vp->name || !vp->path || !vp->dir) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot read voice profile: %s", path,
             strerror(errno));
    return AC_ERR_IO;
  }
  int rc = parse_profile(vp, f, path, err, errlen);
  fclose(f);
  return rc;
}

int ac_voice_from_info(ac_voice_profile *vp, const char *synth,
                       const ac_voice_info *info, char *err, size_t errlen) {
  memset(vp, 0, sizeof *vp);
  vp->derived = true;
  char label[300];
  snprintf(label, sizeof label, "voice '%s' of stage %s", info->name, synth);
  vp->name = strdup(info->name);
  vp->path = strdup(label);
  vp->language = info->language ? strdup(info->language) : NULL;
  vp->description = info->description ? strdup(info->description) : NULL;
  const char *settings = info->settings ? info->settings : "";
  FILE *f = fmemopen((void *)settings, strlen(settings) + 1, "r");
  if (!vp->name || !vp->path || !f) {
    if (f)
      fclose(f);
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  int rc = parse_profile(vp, f, label, err, errlen);
  fclose(f);
  return rc;
}

int ac_voice_load(ac_voice_profile *vp, const char *name, char *err,
                  size_t errlen) {
  size_t len = strlen(name);
  if (strchr(name, '/') || (len > 6 && strcmp(name + len - 6, ".voice") == 0)) {
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    size_t blen = strlen(base);
    char *stem = strndup(
        base,
        blen > 6 && strcmp(base + blen - 6, ".voice") == 0 ? blen - 6 : blen);
    int rc = load_file(vp, stem ? stem : base, name, err, errlen);
    free(stem);
    return rc;
  }
  size_t n = 0;
  char **dirs = ac_voice_dirs(&n);
  char file[512];
  snprintf(file, sizeof file, "%s.voice", name);
  for (size_t i = 0; i < n; i++) {
    char *path = ac_path_join(dirs[i], file);
    if (path && access(path, R_OK) == 0) {
      int rc = load_file(vp, name, path, err, errlen);
      free(path);
      free_dirs(dirs, n);
      return rc;
    }
    free(path);
  }
  free_dirs(dirs, n);
  memset(vp, 0, sizeof *vp);
  snprintf(err, errlen,
           "no voice profile named '%s' (run 'articast voices' for the list)",
           name);
  return AC_ERR_NOTFOUND;
}

typedef struct voice_entry {
  char *name;
  char *path;
} voice_entry;

static int compare_entries(const void *a, const void *b) {
  return strcmp(((const voice_entry *)a)->name, ((const voice_entry *)b)->name);
}

/* Every profile in the voice dirs, first directory winning, sorted. */
static voice_entry *collect(size_t *count) {
  size_t n_dirs = 0;
  char **dirs = ac_voice_dirs(&n_dirs);
  voice_entry *list = NULL;
  size_t n = 0;
  for (size_t d = 0; d < n_dirs; d++) {
    DIR *dir = opendir(dirs[d]);
    if (!dir)
      continue;
    for (struct dirent *e; (e = readdir(dir));) {
      size_t len = strlen(e->d_name);
      if (len <= 6 || strcmp(e->d_name + len - 6, ".voice") != 0)
        continue;
      char *name = strndup(e->d_name, len - 6);
      bool seen = false;
      for (size_t i = 0; name && i < n && !seen; i++)
        seen = strcmp(list[i].name, name) == 0;
      voice_entry *grown =
          name && !seen ? realloc(list, (n + 1) * sizeof *grown) : NULL;
      if (!grown) {
        free(name);
        continue;
      }
      list = grown;
      list[n].name = name;
      list[n].path = ac_path_join(dirs[d], e->d_name);
      n++;
    }
    closedir(dir);
  }
  free_dirs(dirs, n_dirs);
  if (n)
    qsort(list, n, sizeof *list, compare_entries);
  *count = n;
  return list;
}

static void free_entries(voice_entry *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(list[i].name);
    free(list[i].path);
  }
  free(list);
}

int ac_voice_list(void (*fn)(const ac_voice_profile *vp, void *ctx),
                  void *ctx) {
  size_t n = 0;
  voice_entry *list = collect(&n);
  for (size_t i = 0; i < n; i++) {
    ac_voice_profile vp;
    char err[512];
    if (load_file(&vp, list[i].name, list[i].path, err, sizeof err) == 0)
      fn(&vp, ctx);
    else
      fprintf(stderr, "articast: warning: %s\n", err);
    ac_voice_free(&vp);
  }
  free_entries(list, n);
  return (int)n;
}

/* A tag in its preferred form, for the deprecated and grandfathered
 * prefixes of the IANA language subtag registry that articles still carry
 * ("iw" for Hebrew, "zh-yue" for Cantonese). Writes into buf. */
static const char *preferred_tag(const char *tag, char *buf, size_t len) {
  static const char *const preferred[][2] = {
      {"iw", "he"},          {"in", "id"},        {"ji", "yi"},
      {"jw", "jv"},          {"mo", "ro"},        {"zh-yue", "yue"},
      {"zh-cmn", "cmn"},     {"zh-hak", "hak"},   {"zh-min-nan", "nan"},
      {"no-bok", "nb"},      {"no-nyn", "nn"},    {"i-klingon", "tlh"},
      {"hy-arevmda", "hyw"}, {"hy-arevela", "hy"}};
  for (size_t i = 0; i < sizeof preferred / sizeof *preferred; i++) {
    size_t n = strlen(preferred[i][0]);
    if (strncasecmp(tag, preferred[i][0], n) == 0 &&
        (tag[n] == '\0' || tag[n] == '-' || tag[n] == '_')) {
      snprintf(buf, len, "%s%s", preferred[i][1], tag + n);
      return buf;
    }
  }
  snprintf(buf, len, "%s", tag);
  return buf;
}

int ac_language_match(const char *have, const char *want) {
  if (!have || !want || !*have || !*want)
    return 0;
  char h[64], w[64];
  have = preferred_tag(have, h, sizeof h);
  want = preferred_tag(want, w, sizeof w);
  if (strcasecmp(have, want) == 0)
    return 2;
  char a[16], b[16];
  return strcasecmp(ac_primary_language(have, a, sizeof a),
                    ac_primary_language(want, b, sizeof b)) == 0
             ? 1
             : 0;
}

int ac_voice_for_language(ac_voice_profile *vp, const char *language, char *err,
                          size_t errlen) {
  if (!language || !*language)
    return ac_voice_load(vp, ac_default_pipeline.voice, err, errlen);
  size_t n = 0;
  voice_entry *list = collect(&n);
  /* Exact tag first, then the same primary language; the default voice
   * wins ties, so English without a region gets it. */
  int best = -1, best_score = 0;
  for (size_t i = 0; i < n; i++) {
    ac_voice_profile probe;
    char why[512];
    if (load_file(&probe, list[i].name, list[i].path, why, sizeof why) != 0) {
      ac_voice_free(&probe);
      continue;
    }
    int match = ac_language_match(probe.language, language);
    int score =
        match == 2 ? 3
        : match == 1
            ? (strcmp(list[i].name, ac_default_pipeline.voice) == 0 ? 2 : 1)
            : 0;
    if (score > best_score) {
      best = (int)i;
      best_score = score;
    }
    ac_voice_free(&probe);
  }
  int rc;
  if (best >= 0) {
    rc = load_file(vp, list[best].name, list[best].path, err, errlen);
  } else {
    snprintf(err, errlen, "no voice profile speaks '%s'", language);
    memset(vp, 0, sizeof *vp);
    rc = AC_ERR_NOTFOUND;
  }
  free_entries(list, n);
  return rc;
}
