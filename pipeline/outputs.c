/* The files of an episode: sinks write them unnamed (or under hidden
 * temporary names), and the host names them all together once every sink
 * has flushed, so a failed or killed render publishes nothing of itself. */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp, asprintf */
#include "outputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A hidden temporary file older than this is a killed render's debris (a
 * live render names its temporary files within seconds). */
#define STALE_TEMP_SECONDS (6 * 3600)

int ac_outputs_init(ac_outputs *o, const char *dir, const char *stem,
                    const char *exact_path) {
  memset(o, 0, sizeof *o);
  o->lock_fd = -1;
  o->dir = strdup(dir);
  o->stem = strdup(stem);
  o->exact_path = exact_path ? strdup(exact_path) : NULL;
  if (!o->dir || !o->stem || (exact_path && !o->exact_path)) {
    ac_outputs_free(o);
    return AC_ERR_NOMEM;
  }
  return 0;
}

/* Where a file of `suffix` goes: <dir>/<stem>.<version><suffix> (before
 * the version is known, <dir>/<stem><suffix>, which only says where the
 * file's directory is), or the one file `articast say` writes. NULL when
 * say's file has another extension. */
static char *final_path(const ac_outputs *o, const char *suffix) {
  if (o->exact_path) {
    size_t n = strlen(o->exact_path), k = strlen(suffix);
    if (n < k || strcmp(o->exact_path + n - k, suffix) != 0)
      return NULL;
    return strdup(o->exact_path);
  }
  char *path = NULL;
  if (asprintf(&path, "%s/%s%s%s%s", o->dir, o->stem, o->version[0] ? "." : "",
               o->version, suffix) < 0)
    return NULL;
  return path;
}

static bool valid_suffix(const char *suffix) {
  if (!suffix || suffix[0] != '.' || !suffix[1] || strlen(suffix) > 32)
    return false;
  for (const char *c = suffix + 1; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
          *c == '-' || *c == '_'))
      return false;
  return true;
}

/* The directory of `path` (malloc'd). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return strdup(".");
  if (slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

/* A hidden temporary name beside `path`: ".<name>.<tag>XXXXXX", the form
 * that tells a killed render's debris from anything else. A file being
 * written is "tmp-" (where the file system cannot keep it unnamed); a
 * complete one waiting for its rename, under the slug's lock, "commit-". */
static char *temp_beside(const char *path, const char *tag) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dir_len = slash ? (int)(slash - path) + 1 : 0;
  char *tmp = NULL;
  if (asprintf(&tmp, "%.*s.%s.%sXXXXXX", dir_len, path, base, tag) < 0)
    return NULL;
  return tmp;
}

int ac_outputs_open(ac_outputs *o, const char *suffix, char *err,
                    size_t errlen) {
  if (!valid_suffix(suffix)) {
    snprintf(err, errlen, "asked for a file with the suffix '%s'",
             suffix ? suffix : "(null)");
    return AC_ERR_INVALID;
  }
  for (size_t i = 0; i < o->count; i++) {
    if (strcmp(o->items[i].suffix, suffix) == 0) {
      snprintf(err, errlen, "asked twice for a '%s' file", suffix);
      return AC_ERR_INVALID;
    }
  }
  char *path = final_path(o, suffix);
  if (!path) {
    snprintf(err, errlen, "%s: cannot write a '%s' file there",
             o->exact_path ? o->exact_path : o->dir, suffix);
    return AC_ERR_INVALID;
  }
  char *dir = dir_of(path);
  /* The site's episodes/ is made on demand; a file the user named goes
   * only into a directory that exists. */
  int e = !dir ? -ENOMEM : o->exact_path ? 0 : ac_mkdirs(dir);
  int fd = -1;
  char *temp = NULL;
  if (e == 0) {
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0 && (temp = temp_beside(path, AC_OUTPUT_TEMP_TAG)) != NULL) {
      fd = mkostemp(temp, O_CLOEXEC);
      if (fd >= 0)
        fchmod(fd, 0644);
    }
    if (fd < 0)
      e = -errno;
  }
  ac_output *grown =
      fd >= 0 ? realloc(o->items, (o->count + 1) * sizeof *grown) : NULL;
  if (fd >= 0 && grown) {
    o->items = grown;
    o->items[o->count++] = (ac_output){
        .fd = fd, .suffix = strdup(suffix), .path = path, .temp_path = temp};
    free(dir);
    return fd;
  }
  if (fd >= 0) {
    close(fd);
    if (temp)
      unlink(temp);
    e = -ENOMEM;
  }
  snprintf(err, errlen, "%s: cannot create a file: %s", dir ? dir : path,
           strerror(-e));
  free(temp);
  free(dir);
  free(path);
  return AC_ERR_IO;
}

static ac_output *find_fd(ac_outputs *o, int fd) {
  for (size_t i = 0; i < o->count; i++)
    if (o->items[i].fd == fd)
      return &o->items[i];
  return NULL;
}

int ac_outputs_finish(ac_outputs *o, int fd, const char *mime_type,
                      ac_artifact_role role, double duration, char *err,
                      size_t errlen) {
  ac_output *out = find_fd(o, fd);
  if (!out || out->finished) {
    snprintf(err, errlen, "finished a file the host did not open (fd %d)", fd);
    return AC_ERR_INVALID;
  }
  struct stat sb;
  if (fsync(fd) != 0 || fstat(fd, &sb) != 0) {
    snprintf(err, errlen, "%s: %s", out->path, strerror(errno));
    return AC_ERR_IO;
  }
  out->mime_type = strdup(mime_type ? mime_type : "application/octet-stream");
  if (!out->mime_type) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  out->role = role;
  out->duration = duration;
  out->size = (uint64_t)sb.st_size;
  out->finished = true;
  return 0;
}

/* Gives an unnamed file a hidden temporary name beside its final path. */
static int name_temp(ac_output *out) {
  if (out->temp_path)
    return 0;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", out->fd);
  for (int attempt = 0; attempt < 100; attempt++) {
    char *temp = temp_beside(out->path, AC_OUTPUT_COMMIT_TAG);
    if (!temp)
      return -ENOMEM;
    /* mkstemp's pattern, filled in by hand: linkat needs a free name. */
    char *x = temp + strlen(temp) - 6;
    unsigned r = (unsigned)getpid() * 2654435761u + (unsigned)attempt * 40503u +
                 (unsigned)out->fd;
    for (int i = 0; i < 6; i++, r /= 36)
      x[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[r % 36];
    if (linkat(AT_FDCWD, proc, AT_FDCWD, temp, AT_SYMLINK_FOLLOW) == 0) {
      out->temp_path = temp;
      return 0;
    }
    int e = errno;
    free(temp);
    if (e != EEXIST)
      return -e;
  }
  return -EEXIST;
}

/* The version of the set: a hash over every file's suffix and bytes, in
 * suffix order, so the same render gives the same names. */
static int set_version(ac_outputs *o, char *err, size_t errlen) {
  struct sha256_ctx sha;
  sha256_init(&sha);
  uint8_t *buf = malloc(1 << 16);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  for (size_t k = 0; k < o->count; k++) {
    /* Suffixes are unique: visit them in byte order. */
    const ac_output *out = NULL;
    for (size_t i = 0; i < o->count; i++) {
      const ac_output *c = &o->items[i];
      size_t before = 0;
      for (size_t j = 0; j < o->count; j++)
        before += strcmp(o->items[j].suffix, c->suffix) < 0;
      if (before == k)
        out = c;
    }
    sha256_update(&sha, strlen(out->suffix) + 1, (const uint8_t *)out->suffix);
    for (off_t at = 0;;) {
      ssize_t r = pread(out->fd, buf, 1 << 16, at);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0) {
        snprintf(err, errlen, "%s: cannot read back: %s", out->path,
                 strerror(errno));
        free(buf);
        return AC_ERR_IO;
      }
      if (r == 0)
        break;
      sha256_update(&sha, (size_t)r, buf);
      at += r;
    }
  }
  free(buf);
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha, sizeof digest, digest);
  for (int i = 0; i < AC_OUTPUT_VERSION_DIGITS / 2; i++)
    snprintf(o->version + 2 * i, 3, "%02x", digest[i]);
  for (size_t i = 0; i < o->count; i++) {
    char *path = final_path(o, o->items[i].suffix);
    if (!path) {
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
    free(o->items[i].path);
    o->items[i].path = path;
  }
  return 0;
}

int ac_outputs_commit(ac_outputs *o, char *err, size_t errlen) {
  for (size_t i = 0; i < o->count; i++) {
    ac_output *out = &o->items[i];
    if (!out->finished) {
      snprintf(err, errlen, "%s: the stage that asked for it never finished it",
               out->path);
      return AC_ERR_INVALID;
    }
  }
  int rc = o->exact_path || o->unversioned ? 0 : set_version(o, err, errlen);
  if (rc)
    return rc;
  for (size_t i = 0; i < o->count; i++) {
    ac_output *out = &o->items[i];
    int e = name_temp(out);
    if (e) {
      snprintf(err, errlen, "%s: cannot name the file: %s", out->path,
               strerror(-e));
      return AC_ERR_IO;
    }
    ac_checkpoint("output linked");
  }
  /* Every file is complete under its temporary name: now the renames,
   * which cannot fail for want of space. */
  for (size_t i = 0; i < o->count; i++) {
    ac_output *out = &o->items[i];
    if (rename(out->temp_path, out->path) != 0) {
      snprintf(err, errlen, "%s: cannot rename into place: %s", out->path,
               strerror(errno));
      return AC_ERR_IO;
    }
    free(out->temp_path);
    out->temp_path = NULL;
    ac_checkpoint("output renamed");
  }
  char *dir = o->count ? dir_of(o->items[0].path) : NULL;
  if (dir) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    free(dir);
  }
  o->artifacts = calloc(o->count ? o->count : 1, sizeof *o->artifacts);
  if (!o->artifacts) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  for (size_t i = 0; i < o->count; i++) {
    const ac_output *out = &o->items[i];
    o->artifacts[i] = (ac_artifact){.path = out->path,
                                    .suffix = out->suffix,
                                    .mime_type = out->mime_type,
                                    .role = out->role,
                                    .duration = out->duration,
                                    .size = out->size};
  }
  o->committed = true;
  return 0;
}

/* Locks <dir>/.<stem>.lock; returns the descriptor or -errno. */
static int lock_stem(const ac_outputs *o, const char *stem) {
  char *path = NULL;
  if (asprintf(&path, "%s/.%s.lock", o->dir, stem) < 0)
    return -ENOMEM;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  int e = fd < 0 ? -errno : 0;
  free(path);
  while (fd >= 0 && flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      e = -errno;
      close(fd);
      fd = -1;
    }
  }
  return fd >= 0 ? fd : e;
}

/* Who owns <dir>/.<stem>.owner: 1 this article (now, if nobody did), 0
 * another, or -errno. */
static int own_stem(const ac_outputs *o, const char *stem, const char *guid) {
  char *path = NULL;
  if (asprintf(&path, "%s/.%s.owner", o->dir, stem) < 0)
    return -ENOMEM;
  char have[1024];
  int rc;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    ssize_t n = read(fd, have, sizeof have - 1);
    close(fd);
    have[n > 0 ? n : 0] = '\0';
    have[strcspn(have, "\n")] = '\0';
    rc = strcmp(have, guid) == 0 ? 1 : 0;
  } else if (errno != ENOENT) {
    rc = -errno;
  } else {
    /* Nobody yet: write it whole, then rename, like every site file. */
    char *tmp = NULL;
    rc = asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0 ? -ENOMEM : 1;
    fd = rc > 0 ? mkostemp(tmp, O_CLOEXEC) : -1;
    if (rc > 0 && fd < 0)
      rc = -errno;
    if (fd >= 0) {
      size_t len = strlen(guid);
      if (write(fd, guid, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
          fsync(fd) != 0 || rename(tmp, path) != 0)
        rc = -errno ? -errno : -EIO;
      close(fd);
      if (rc < 0)
        unlink(tmp);
      ac_checkpoint("slug claimed");
    }
    free(tmp);
  }
  free(path);
  return rc;
}

/* The first line of <dir>/.<stem>.owner (malloc'd), or NULL. */
static char *read_owner(int dfd, const char *name) {
  int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return NULL;
  char have[1024];
  ssize_t n = read(fd, have, sizeof have - 1);
  close(fd);
  have[n > 0 ? n : 0] = '\0';
  have[strcspn(have, "\n")] = '\0';
  return strdup(have);
}

int ac_outputs_owners(const char *dir,
                      void (*fn)(void *ctx, const char *slug, const char *guid),
                      void *ctx) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT ? 0 : -errno;
  DIR *d = fdopendir(dfd);
  if (!d) {
    int e = -errno;
    close(dfd);
    return e;
  }
  static const char suffix[] = ".owner";
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name), k = sizeof suffix - 1;
    if (e->d_name[0] != '.' || n <= k + 1 ||
        strcmp(e->d_name + n - k, suffix) != 0)
      continue;
    char *owner = read_owner(dfd, e->d_name);
    char *slug = strndup(e->d_name + 1, n - k - 1);
    if (owner && slug)
      fn(ctx, slug, owner);
    free(owner);
    free(slug);
  }
  closedir(d);
  return 0;
}

typedef struct owned_search {
  const char *guid;
  char *found; /* the first in name order */
} owned_search;

static void consider_owned(void *ctx, const char *slug, const char *guid) {
  owned_search *s = ctx;
  if (strcmp(guid, s->guid) != 0 || (s->found && strcmp(s->found, slug) < 0))
    return;
  char *copy = strdup(slug);
  if (copy) {
    free(s->found);
    s->found = copy;
  }
}

/* An article that owns a slug already keeps it when its title (and so the
 * slug made from it) changes: the episode is updated in place. */
static void keep_owned_stem(ac_outputs *o, const char *guid) {
  char *name = NULL;
  int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *owner = dfd >= 0 && asprintf(&name, ".%s.owner", o->stem) >= 0
                    ? read_owner(dfd, name)
                    : NULL;
  bool mine = owner && strcmp(owner, guid) == 0;
  free(owner);
  free(name);
  if (dfd >= 0)
    close(dfd);
  owned_search s = {guid, NULL};
  if (mine || ac_outputs_owners(o->dir, consider_owned, &s) != 0 || !s.found)
    return;
  ac_log(AC_LOG_INFO, "%s keeps its slug %s (its title now reads as %s)", guid,
         s.found, o->stem);
  free(o->stem);
  o->stem = s.found;
}

int ac_outputs_claim(ac_outputs *o, const char *guid, char *err,
                     size_t errlen) {
  if (o->exact_path)
    return 0;
  int e = ac_mkdirs(o->dir);
  if (e == 0 && !o->stem_chosen)
    keep_owned_stem(o, guid);
  for (int n = 1; e == 0 && n <= 100; n++) {
    char *stem = NULL;
    if ((n == 1 ? (stem = strdup(o->stem)) == NULL
                : asprintf(&stem, "%s-%d", o->stem, n) < 0)) {
      e = -ENOMEM;
      break;
    }
    int fd = lock_stem(o, stem);
    int mine = fd >= 0 ? own_stem(o, stem, guid) : fd;
    if (mine == 1) {
      if (n > 1)
        ac_log(AC_LOG_WARN,
               "another article has the slug %s: this one is %s (a different "
               "id, URL or date with the same title)",
               o->stem, stem);
      free(o->stem);
      o->stem = stem;
      o->lock_fd = fd;
      return 0;
    }
    if (fd >= 0)
      close(fd);
    free(stem);
    e = mine < 0 ? mine : 0;
  }
  snprintf(err, errlen, "%s: cannot take a slug for %s: %s", o->dir, o->stem,
           e ? strerror(-e) : "a hundred articles share its title");
  return AC_ERR_IO;
}

/* Whether `name` is <stem>.<hex version><something>; *version gets it. */
static bool versioned_name(const char *name, const char *stem,
                           const char **version) {
  size_t k = strlen(stem);
  if (strncmp(name, stem, k) != 0 || name[k] != '.')
    return false;
  const char *v = name + k + 1;
  for (int i = 0; i < AC_OUTPUT_VERSION_DIGITS; i++)
    if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
      return false;
  if (v[AC_OUTPUT_VERSION_DIGITS] != '.')
    return false;
  *version = v;
  return true;
}

/* Whether `name` is debris: a hidden temporary file of this stem that a
 * killed render left (a "commit-" one is, since they exist only under the
 * lock held now; a "tmp-" one when it is old), or an unversioned file an
 * older articast wrote for one of this set's suffixes. */
static bool debris(const ac_outputs *o, int dfd, const char *name) {
  size_t k = strlen(o->stem);
  if (name[0] == '.' && strncmp(name + 1, o->stem, k) == 0 &&
      name[k + 1] == '.') {
    struct stat sb;
    if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(sb.st_mode))
      return false;
    if (strstr(name, "." AC_OUTPUT_COMMIT_TAG))
      return true;
    return strstr(name, "." AC_OUTPUT_TEMP_TAG) &&
           time(NULL) - sb.st_mtime > STALE_TEMP_SECONDS;
  }
  for (size_t i = 0; i < o->count; i++)
    if (strncmp(name, o->stem, k) == 0 &&
        strcmp(name + k, o->items[i].suffix) == 0)
      return true;
  return false;
}

void ac_outputs_retire(ac_outputs *o) {
  if (o->exact_path || !o->committed || o->lock_fd < 0)
    return;
  int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  for (struct dirent *e; d && (e = readdir(d));) {
    const char *v;
    bool old = versioned_name(e->d_name, o->stem, &v) &&
               strncmp(v, o->version, AC_OUTPUT_VERSION_DIGITS) != 0;
    if ((old || debris(o, dfd, e->d_name)) && unlinkat(dfd, e->d_name, 0) == 0)
      ac_checkpoint("old version removed");
  }
  if (d)
    closedir(d);
  else if (dfd >= 0)
    close(dfd);
  close(o->lock_fd);
  o->lock_fd = -1;
}

void ac_outputs_free(ac_outputs *o) {
  for (size_t i = 0; i < o->count; i++) {
    ac_output *out = &o->items[i];
    if (out->fd >= 0)
      close(out->fd);
    if (out->temp_path)
      unlink(out->temp_path);
    free(out->temp_path);
    free(out->path);
    free(out->suffix);
    free(out->mime_type);
  }
  free(o->items);
  free(o->artifacts);
  free(o->dir);
  free(o->stem);
  free(o->exact_path);
  if (o->lock_fd >= 0)
    close(o->lock_fd);
  memset(o, 0, sizeof *o);
  o->lock_fd = -1;
}
