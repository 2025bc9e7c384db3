/* The files of an episode: sinks write them unnamed (or under hidden
 * temporary names), and the host names them all together once every sink
 * has flushed, so a failed or killed render publishes nothing of itself. */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ac_outputs_init(ac_outputs *o, const char *dir, const char *stem,
                    const char *exact_path) {
  memset(o, 0, sizeof *o);
  o->dir = strdup(dir);
  o->stem = strdup(stem);
  o->exact_path = exact_path ? strdup(exact_path) : NULL;
  if (!o->dir || !o->stem || (exact_path && !o->exact_path)) {
    ac_outputs_free(o);
    return AC_ERR_NOMEM;
  }
  return 0;
}

/* Where a file of `suffix` goes: <dir>/<stem><suffix>, or the one file
 * `articast say` writes. NULL when say's file has another extension. */
static char *final_path(const ac_outputs *o, const char *suffix) {
  if (o->exact_path) {
    size_t n = strlen(o->exact_path), k = strlen(suffix);
    if (n < k || strcmp(o->exact_path + n - k, suffix) != 0)
      return NULL;
    return strdup(o->exact_path);
  }
  size_t n = strlen(o->dir) + strlen(o->stem) + strlen(suffix) + 2;
  char *path = malloc(n);
  if (path)
    snprintf(path, n, "%s/%s%s", o->dir, o->stem, suffix);
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

/* A hidden temporary name beside `path`: ".<name>.tmp-XXXXXX", the form
 * that tells a killed render's debris from anything else. */
static char *temp_beside(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  size_t n = dir_len + strlen(base) + sizeof ".." AC_OUTPUT_TEMP_TAG "XXXXXX";
  char *tmp = malloc(n);
  if (tmp)
    snprintf(tmp, n, "%.*s.%s" AC_OUTPUT_TEMP_TAG "XXXXXX", (int)dir_len, path,
             base);
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
    if (fd < 0 && (temp = temp_beside(path)) != NULL) {
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
    char *temp = temp_beside(out->path);
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

int ac_outputs_commit(ac_outputs *o, char *err, size_t errlen) {
  for (size_t i = 0; i < o->count; i++) {
    ac_output *out = &o->items[i];
    if (!out->finished) {
      snprintf(err, errlen, "%s: the stage that asked for it never finished it",
               out->path);
      return AC_ERR_INVALID;
    }
    int e = name_temp(out);
    if (e) {
      snprintf(err, errlen, "%s: cannot name the file: %s", out->path,
               strerror(-e));
      return AC_ERR_IO;
    }
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
  memset(o, 0, sizeof *o);
}
