/* Temporary-then-rename output files; see outfile.h. */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp; before any system header */
#include "outfile.h"
#include "mkdirs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void outfile_init(outfile *f) {
  f->final_path = NULL;
  f->temp_path = NULL;
  f->fd = -1;
  f->anonymous = 0;
}

/* mkdir -p of the directory part of path; -1 with errno on failure. */
static int make_parents(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path)
    return 0;
  char *dir = strndup(path, (size_t)(slash - path));
  int e = dir ? ac_mkdirs(dir) : -ENOMEM;
  free(dir);
  if (e)
    errno = -e;
  return e ? -1 : 0;
}

int outfile_open(outfile *f, const char *final_path, const char *kind,
                 char *err, size_t errlen) {
  return outfile_open_with(f, final_path, kind, OUTFILE_PARENTS, err, errlen);
}

int outfile_open_with(outfile *f, const char *final_path, const char *kind,
                      unsigned flags, char *err, size_t errlen) {
  outfile_init(f);
  size_t n = strlen(final_path) + strlen(kind) + 10;
  f->final_path = strdup(final_path);
  f->temp_path = malloc(n);
  if (!f->final_path || !f->temp_path) {
    snprintf(err, errlen, "out of memory");
    outfile_discard(f);
    errno = ENOMEM;
    return -1;
  }
  const char *base = strrchr(final_path, '/');
  base = base ? base + 1 : final_path;
  if (flags & OUTFILE_HIDDEN)
    snprintf(f->temp_path, n, "%.*s.%s.%s-XXXXXX", (int)(base - final_path),
             final_path, base, kind);
  else
    snprintf(f->temp_path, n, "%s.%s-XXXXXX", final_path, kind);
  if ((flags & OUTFILE_PARENTS) && make_parents(final_path) != 0) {
    snprintf(err, errlen, "cannot create the directory of %s: %s", final_path,
             strerror(errno));
    outfile_discard(f);
    return -1;
  }
  /* An unnamed file in the final directory; it gets a name at commit. */
  char *dir = strdup(final_path);
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (slash)
    *slash = '\0';
  f->fd = dir ? open(slash ? (dir[0] ? dir : "/") : ".",
                     O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)
              : -1;
  free(dir);
  if (f->fd >= 0) {
    f->anonymous = 1;
    return 0;
  }
  f->fd = mkostemp(f->temp_path, O_CLOEXEC);
  if (f->fd < 0) {
    snprintf(err, errlen, "cannot create %s: %s", f->temp_path,
             strerror(errno));
    free(f->temp_path); /* nothing was created */
    f->temp_path = NULL;
    outfile_discard(f);
    return -1;
  }
  return 0;
}

int outfile_write(int fd, const void *buf, size_t len, long long offset) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w =
        offset >= 0 ? pwrite(fd, p, len, (off_t)offset) : write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (w == 0) {
      errno = EIO;
      return -1;
    }
    p += w;
    len -= (size_t)w;
    if (offset >= 0)
      offset += w;
  }
  return 0;
}

void outfile_sync_dir(const char *path) {
  char *dir = strdup(path);
  if (!dir)
    return;
  char *slash = strrchr(dir, '/');
  if (slash == dir)
    slash[1] = '\0';
  else if (slash)
    *slash = '\0';
  int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  free(dir);
}

int outfile_finish(outfile *f, char *err, size_t errlen) {
  if (fchmod(f->fd, 0644) != 0 || fsync(f->fd) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", f->temp_path, strerror(errno));
    outfile_discard(f);
    return -1;
  }
  if (f->anonymous) {
    /* Give the finished file its temporary name, then rename as usual. */
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
    int fd = mkstemp(f->temp_path); /* reserve a unique name */
    if (fd >= 0) {
      close(fd);
      unlink(f->temp_path);
    }
    if (fd < 0 || linkat(AT_FDCWD, proc, AT_FDCWD, f->temp_path,
                         AT_SYMLINK_FOLLOW) != 0) {
      snprintf(err, errlen, "cannot name %s: %s", f->final_path,
               strerror(errno));
      free(f->temp_path); /* nothing carries that name */
      f->temp_path = NULL;
      outfile_discard(f);
      return -1;
    }
    f->anonymous = 0;
  }
  int fd = f->fd;
  f->fd = -1;
  if (close(fd) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", f->temp_path, strerror(errno));
    outfile_discard(f);
    return -1;
  }
  return 0;
}

int outfile_rename(outfile *f, char *err, size_t errlen) {
  if (rename(f->temp_path, f->final_path) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", f->temp_path,
             f->final_path, strerror(errno));
    outfile_discard(f);
    return -1;
  }
  free(f->temp_path);
  f->temp_path = NULL;
  return 0;
}

int outfile_commit(outfile *f, char *err, size_t errlen) {
  if (outfile_finish(f, err, errlen) != 0 ||
      outfile_rename(f, err, errlen) != 0)
    return -1;
  outfile_sync_dir(f->final_path);
  return 0;
}

void outfile_discard(outfile *f) {
  int e = errno;
  if (f->fd >= 0)
    close(f->fd);
  f->fd = -1;
  if (f->temp_path && !f->anonymous)
    unlink(f->temp_path);
  f->anonymous = 0;
  free(f->temp_path);
  f->temp_path = NULL;
  free(f->final_path);
  f->final_path = NULL;
  errno = e;
}

int outfile_scratch(const char *label) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
  char path[4096];
  snprintf(path, sizeof path, "%s/articast-%s-XXXXXX", dir, label);
  fd = mkostemp(path, O_CLOEXEC);
  if (fd >= 0)
    unlink(path);
  return fd;
}
