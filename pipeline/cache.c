/* The segment cache: files under DIR/segments/, one per segment and stage,
 * named by the SHA-256 key of everything that shapes the segment's output.
 * Each file holds a header (magic, payload length, the key and the stage it
 * was stored under, SHA-256 of the payload) and the payload, and is written
 * to a temporary name and renamed, so a reader sees a whole entry or none.
 * The cache is a directory anyone with the user's rights can write, so a
 * reader trusts nothing: an entry must be a regular file (not a FIFO, a
 * device or a symbolic link), no larger than MAX_ENTRY_BYTES, carry the key
 * and stage it is read for (a file moved to another entry's name is
 * refused) and match its checksum; anything else reads as a miss, and the
 * segment is synthesized again. */
#define _GNU_SOURCE /* mkostemp */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_MAGIC "ACSEG2\n"
/* Stage names are [a-z0-9_@]+; entries name their stage in a fixed field. */
#define WHAT_BYTES 32
#define HEADER_BYTES                                                           \
  (8 + 8 + SHA256_DIGEST_SIZE + WHAT_BYTES + SHA256_DIGEST_SIZE)
/* Entries larger than this are not read (a paragraph of speech encodes to
 * a few hundred KiB). */
#define MAX_ENTRY_BYTES (64u << 20)

char *ac_cache_default_dir(void) {
  const char *env = getenv("ARTICAST_CACHE_DIR");
  if (env && env[0])
    return strdup(env);
  const char *xdg = getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/')
    return ac_path_join(xdg, "articast");
  const char *home = getenv("HOME");
  if (!home || home[0] != '/')
    return NULL;
  char *dot = ac_path_join(home, ".cache");
  char *dir = dot ? ac_path_join(dot, "articast") : NULL;
  free(dot);
  return dir;
}

void ac_key_begin(ac_key_ctx *k) {
  sha256_init(&k->sha);
}

void ac_key_add(ac_key_ctx *k, const void *data, size_t len) {
  /* Length first, so that ("ab", "c") and ("a", "bc") differ. */
  uint8_t n[8];
  for (int i = 0; i < 8; i++)
    n[i] = (uint8_t)((uint64_t)len >> (8 * i));
  sha256_update(&k->sha, sizeof n, n);
  if (len)
    sha256_update(&k->sha, len, data);
}

void ac_key_add_str(ac_key_ctx *k, const char *s) {
  if (!s)
    ac_key_add(k, "\xff(null)", 7);
  else
    ac_key_add(k, s, strlen(s));
}

void ac_key_add_int(ac_key_ctx *k, int64_t v) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
  ac_key_add(k, buf, (size_t)n);
}

void ac_key_end(ac_key_ctx *k, ac_key *out) {
  sha256_digest(&k->sha, SHA256_DIGEST_SIZE, out->bytes);
}

/* DIR/segments/ab/abcdef...-stage */
static char *entry_path(const char *dir, const ac_key *key, const char *what) {
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(hex + 2 * i, 3, "%02x", key->bytes[i]);
  size_t n = strlen(dir) + strlen(what) + sizeof hex + 32;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/segments/%.2s/%s-%s", dir, hex, hex, what);
  return p;
}

static void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* The header of an entry: magic, length, key, stage, payload checksum. */
static void make_header(uint8_t *header, const ac_key *key, const char *what,
                        const void *data, size_t len) {
  memset(header, 0, HEADER_BYTES);
  memcpy(header, ENTRY_MAGIC, 8);
  put_u64(header + 8, len);
  memcpy(header + 16, key->bytes, SHA256_DIGEST_SIZE);
  memcpy(header + 16 + SHA256_DIGEST_SIZE, what, strlen(what));
  struct sha256_ctx sha;
  sha256_init(&sha);
  sha256_update(&sha, len, data);
  sha256_digest(&sha, SHA256_DIGEST_SIZE,
                header + 16 + SHA256_DIGEST_SIZE + WHAT_BYTES);
}

int ac_cache_write(const char *dir, const ac_key *key, const char *what,
                   const void *data, size_t len) {
  if (strlen(what) >= WHAT_BYTES || len > MAX_ENTRY_BYTES)
    return -EINVAL;
  char *path = entry_path(dir, key, what);
  if (!path)
    return -ENOMEM;
  char *slash = strrchr(path, '/');
  *slash = '\0';
  int e = ac_mkdirs(path);
  *slash = '/';
  size_t n = strlen(path) + 16;
  char *tmp = e ? NULL : malloc(n);
  if (!tmp) {
    free(path);
    return e ? e : -ENOMEM;
  }
  snprintf(tmp, n, "%s.tmp-XXXXXX", path);
  int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) {
    e = -errno;
    free(tmp);
    free(path);
    return e;
  }
  uint8_t header[HEADER_BYTES];
  make_header(header, key, what, data, len);
  /* No fsync: a lost entry is only a miss, and the checksum catches a torn
   * one after a crash. */
  if (write_all(fd, header, sizeof header) != 0 ||
      (len && write_all(fd, data, len) != 0))
    e = -errno ? -errno : -EIO;
  if (close(fd) != 0 && !e)
    e = -errno;
  if (!e && rename(tmp, path) != 0)
    e = -errno;
  if (e)
    unlink(tmp);
  free(tmp);
  free(path);
  return e;
}

/* Reads exactly n bytes. Returns 0 or -1. */
static int read_full(int fd, uint8_t *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    got += (size_t)r;
  }
  return 0;
}

int ac_cache_read(const char *dir, const ac_key *key, const char *what,
                  void **data, size_t *len) {
  *data = NULL;
  *len = 0;
  if (strlen(what) >= WHAT_BYTES)
    return -1;
  char *path = entry_path(dir, key, what);
  if (!path)
    return -1;
  /* O_NONBLOCK: a FIFO put in the cache opens at once (and is refused
   * below) instead of waiting for a writer forever. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  free(path);
  if (fd < 0)
    return -1;
  uint8_t header[HEADER_BYTES], want[HEADER_BYTES];
  uint8_t *buf = NULL;
  int rc = -1;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
      (uint64_t)sb.st_size < HEADER_BYTES ||
      (uint64_t)sb.st_size > HEADER_BYTES + (uint64_t)MAX_ENTRY_BYTES ||
      read_full(fd, header, sizeof header) != 0)
    goto done;
  uint64_t n = get_u64(header + 8);
  if (n != (uint64_t)sb.st_size - HEADER_BYTES)
    goto done;
  buf = malloc(n ? (size_t)n : 1);
  if (!buf || read_full(fd, buf, (size_t)n) != 0)
    goto done;
  /* Magic, length, key, stage and checksum all as this entry's would be. */
  make_header(want, key, what, buf, (size_t)n);
  if (memcmp(header, want, sizeof want) != 0)
    goto done;
  /* Recently used entries are the ones `articast cache prune` keeps. */
  futimens(fd, NULL);
  *data = buf;
  *len = (size_t)n;
  buf = NULL;
  rc = 0;
done:
  free(buf);
  close(fd);
  return rc;
}

/* Visits the entries of one DIR/segments/xx/ directory (dfd), removing
 * those last used before `before` (0: all; -1: none) and left-over
 * temporary files. Only regular files count; nothing is followed. */
static int walk_entries(int dfd, time_t before, ac_cache_stats *stats) {
  DIR *in = fdopendir(dfd);
  if (!in) {
    close(dfd);
    return 0;
  }
  int rc = 0;
  struct dirent *f;
  while ((f = readdir(in))) {
    if (f->d_name[0] == '.')
      continue;
    struct stat sb;
    if (fstatat(dfd, f->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(sb.st_mode))
      continue;
    bool stale = strstr(f->d_name, ".tmp-") != NULL;
    bool remove =
        before == 0 || (before > 0 && (stale || sb.st_mtime < before));
    if (!remove) {
      stats->files++;
      stats->bytes += (uint64_t)sb.st_size;
    } else if (unlinkat(dfd, f->d_name, 0) == 0) {
      stats->removed_files++;
      stats->removed_bytes += (uint64_t)sb.st_size;
    } else if (!rc) {
      rc = -errno;
    }
  }
  closedir(in);
  return rc;
}

/* Visits DIR/segments/xx/ entries: removes those last used before
 * `before` (0: all; -1: none) and left-over temporary files, and counts
 * what is left and what went. A symbolic link anywhere below DIR/segments
 * is never followed, so nothing outside the cache is touched. */
int ac_cache_walk(const char *dir, time_t before, ac_cache_stats *stats) {
  memset(stats, 0, sizeof *stats);
  char *root = ac_path_join(dir, "segments");
  if (!root)
    return -ENOMEM;
  int rfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *top = rfd >= 0 ? fdopendir(rfd) : NULL;
  if (!top) {
    int e = errno == ENOENT ? 0 : -errno;
    if (rfd >= 0)
      close(rfd);
    free(root);
    return e;
  }
  int rc = 0;
  struct dirent *d;
  while ((d = readdir(top))) {
    if (d->d_name[0] == '.')
      continue;
    int dfd =
        openat(rfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
      continue; /* not a directory of ours: a link, a file, ... */
    int e = walk_entries(dfd, before, stats);
    if (e && !rc)
      rc = e;
    if (before >= 0)
      unlinkat(rfd, d->d_name, AT_REMOVEDIR); /* fails when not empty */
  }
  closedir(top);
  if (before == 0)
    rmdir(root);
  free(root);
  return rc;
}
