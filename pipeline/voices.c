/* Voice profiles: voices/<name>.voice INI files (format in voices/README.md)
 * and the lexicons they name. */
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

#define DEFAULT_VOICE "en-us-newsreader"

char **ac_voice_dirs(size_t *count) {
  return ac_search_dirs("ARTICAST_VOICE_PATH", "voices",
                        ARTICAST_VOICE_INSTALL_DIR, count);
}

static void free_dirs(char **dirs, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(dirs[i]);
  free(dirs);
}

enum { S_NAME, S_PATH, S_DESCRIPTION, S_ESPEAK, S_LANGUAGE, S_LEXICONS };

typedef struct voice_parse {
  ac_voice_profile *vp;
  char *err;
  size_t errlen;
} voice_parse;

static int parse_int(const char *v, int lo, int hi, int *out) {
  char *end;
  long x = strtol(v, &end, 10);
  if (end == v || *end || x < lo || x > hi)
    return -1;
  *out = (int)x;
  return 0;
}

static int handle_voice_entry(void *user, const char *section, const char *key,
                              const char *value, int line) {
  voice_parse *p = user;
  ac_voice_profile *vp = p->vp;
  const char *file = vp->strings[S_PATH];
  if (strcmp(section, "voice") != 0) {
    snprintf(p->err, p->errlen, "%s:%d: unknown section [%s] (use [voice])",
             file, line, section);
    return 0;
  }
  struct {
    const char *key;
    int *field;
    int lo, hi;
  } ints[] = {{"rate", &vp->voice.rate, 80, 450},
              {"pitch", &vp->voice.pitch, 0, 100},
              {"range", &vp->voice.range, 0, 100},
              {"word_gap", &vp->voice.word_gap, 0, 100}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    if (strcmp(key, ints[i].key) == 0) {
      if (parse_int(value, ints[i].lo, ints[i].hi, ints[i].field) != 0) {
        snprintf(p->err, p->errlen,
                 "%s:%d: %s must be an integer from %d to %d, not '%s'", file,
                 line, key, ints[i].lo, ints[i].hi, value);
        return 0;
      }
      return 1;
    }
  }
  if (strcmp(key, "loudness_gain_db") == 0) {
    char *end;
    double g = strtod(value, &end);
    if (end == value || *end || g < -20 || g > 30) {
      snprintf(p->err, p->errlen,
               "%s:%d: loudness_gain_db must be a number from -20 to 30, "
               "not '%s'",
               file, line, value);
      return 0;
    }
    vp->voice.loudness_gain_db = g;
    vp->voice.loudness_calibrated = 1;
    return 1;
  }
  int slot = strcmp(key, "description") == 0    ? S_DESCRIPTION
             : strcmp(key, "espeak_voice") == 0 ? S_ESPEAK
             : strcmp(key, "language") == 0     ? S_LANGUAGE
             : strcmp(key, "lexicons") == 0     ? S_LEXICONS
                                                : -1;
  if (slot < 0) {
    snprintf(p->err, p->errlen,
             "%s:%d: unknown key '%s' (valid: description espeak_voice "
             "language rate pitch range word_gap lexicons "
             "loudness_gain_db)",
             file, line, key);
    return 0;
  }
  ac_set_string(&vp->strings[slot], value, (size_t)-1);
  return 1;
}

/* Resolves the profile's lexicon names against lexicons/ beside it. */
static int resolve_lexicons(ac_voice_profile *vp, char *err, size_t errlen) {
  const char *names = vp->strings[S_LEXICONS];
  if (!names)
    return 0;
  char *dir = strdup(vp->strings[S_PATH]);
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (slash)
    *slash = '\0';
  char *copy = strdup(names);
  char *save = NULL;
  int rc = 0;
  for (char *tok = copy ? strtok_r(copy, " ,\t", &save) : NULL; tok;
       tok = strtok_r(NULL, " ,\t", &save)) {
    char *rel = ac_path_join("lexicons", tok);
    char *path = rel && slash ? ac_path_join(dir, rel)
                 : rel        ? strdup(rel)
                              : NULL;
    free(rel);
    if (!path || access(path, R_OK) != 0) {
      snprintf(err, errlen, "%s: lexicon '%s' not found (looked for %s)",
               vp->strings[S_PATH], tok, path ? path : tok);
      free(path);
      rc = AC_ERR_NOTFOUND;
      break;
    }
    char **grown = realloc(vp->lexicons, (vp->n_lexicons + 1) * sizeof *grown);
    if (!grown) {
      free(path);
      rc = AC_ERR_NOMEM;
      break;
    }
    vp->lexicons = grown;
    vp->lexicons[vp->n_lexicons++] = path;
  }
  free(copy);
  free(dir);
  vp->voice.lexicons = (const char *const *)vp->lexicons;
  vp->voice.n_lexicons = vp->n_lexicons;
  return rc;
}

static int load_file(ac_voice_profile *vp, const char *name, const char *path,
                     char *err, size_t errlen) {
  memset(vp, 0, sizeof *vp);
  vp->voice.rate = 170;
  vp->voice.pitch = 50;
  vp->voice.range = 50;
  ac_set_string(&vp->strings[S_NAME], name, (size_t)-1);
  ac_set_string(&vp->strings[S_PATH], path, (size_t)-1);
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot read voice profile: %s", path,
             strerror(errno));
    return AC_ERR_IO;
  }
  voice_parse p = {vp, err, errlen};
  int rc = ac_ini_parse(f, path, handle_voice_entry, &p, err, errlen);
  fclose(f);
  if (rc != 0)
    return rc;
  if (!vp->strings[S_ESPEAK] || !vp->strings[S_LANGUAGE]) {
    snprintf(err, errlen, "%s: a voice needs espeak_voice and language", path);
    return AC_ERR_INVALID;
  }
  rc = resolve_lexicons(vp, err, errlen);
  vp->voice.name = vp->strings[S_NAME];
  vp->voice.path = vp->strings[S_PATH];
  vp->voice.description = vp->strings[S_DESCRIPTION];
  vp->voice.espeak_voice = vp->strings[S_ESPEAK];
  vp->voice.language = vp->strings[S_LANGUAGE];
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

void ac_voice_free(ac_voice_profile *vp) {
  for (size_t i = 0; i < sizeof vp->strings / sizeof vp->strings[0]; i++)
    free(vp->strings[i]);
  for (size_t i = 0; i < vp->n_lexicons; i++)
    free(vp->lexicons[i]);
  free(vp->lexicons);
  memset(vp, 0, sizeof *vp);
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

int ac_voice_list(void (*fn)(const ac_voice *v, void *ctx), void *ctx) {
  size_t n = 0;
  voice_entry *list = collect(&n);
  for (size_t i = 0; i < n; i++) {
    ac_voice_profile vp;
    char err[512];
    if (load_file(&vp, list[i].name, list[i].path, err, sizeof err) == 0)
      fn(&vp.voice, ctx);
    else
      fprintf(stderr, "articast: warning: %s\n", err);
    ac_voice_free(&vp);
  }
  free_entries(list, n);
  return (int)n;
}

/* Length of the primary language subtag ("en" of "en-GB"). */
static size_t primary_len(const char *tag) {
  size_t n = 0;
  while (tag[n] && tag[n] != '-' && tag[n] != '_')
    n++;
  return n;
}

int ac_voice_for_language(ac_voice_profile *vp, const char *language, char *err,
                          size_t errlen) {
  if (!language || !*language)
    return ac_voice_load(vp, DEFAULT_VOICE, err, errlen);
  size_t n = 0;
  voice_entry *list = collect(&n);
  /* Exact tag first, then the same primary language; the shipped default
   * wins ties so English without a region gets the default voice. */
  int best = -1, best_score = 0;
  for (size_t i = 0; i < n; i++) {
    ac_voice_profile probe;
    char why[512];
    if (load_file(&probe, list[i].name, list[i].path, why, sizeof why) != 0) {
      ac_voice_free(&probe);
      continue;
    }
    const char *lang = probe.voice.language;
    int score = 0;
    if (strcasecmp(lang, language) == 0)
      score = 3;
    else if (primary_len(lang) == primary_len(language) &&
             strncasecmp(lang, language, primary_len(lang)) == 0)
      score = strcmp(list[i].name, DEFAULT_VOICE) == 0 ? 2 : 1;
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
    snprintf(err, errlen,
             "no voice profile speaks '%s'; name one with --voice or in the "
             "config ([pipeline] voice)",
             language);
    memset(vp, 0, sizeof *vp);
    rc = AC_ERR_NOTFOUND;
  }
  free_entries(list, n);
  return rc;
}
