/*
 * The segment cache's entry format (pipeline/cache.c, read path). The
 * first byte picks how the input reaches ac_cache_read:
 *   0: as the whole entry file (header and payload), which a damaged or
 *      hostile cache may hold: it must be refused, or read back as the
 *      payload its own header describes;
 *   1: as a payload written with ac_cache_write, which must read back
 *      unchanged, and under no other key or stage;
 *   2: as a payload written, then one byte of the file changed (position
 *      and value from the input): refused, unless the change left the
 *      bytes as they were.
 */
#include "cache.h"
#include "fuzz_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void make_key(ac_key *key, const char *name) {
  ac_key_ctx k;
  ac_key_begin(&k);
  ac_key_add_str(&k, name);
  ac_key_end(&k, key);
}

/* The one file under DIR/segments/xx/ (there is one entry at a time). */
static int entry_path(const ac_key *key, const char *what, char *out,
                      size_t outlen) {
  char hex[65];
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", key->bytes[i]);
  return snprintf(out, outlen, "%s/segments/%.2s/%s-%s", fuzz_dir(), hex, hex,
                  what) < (int)outlen
             ? 0
             : -1;
}

static void write_raw(const ac_key *key, const uint8_t *data, size_t len) {
  char path[512];
  FUZZ_CHECK(entry_path(key, "mp3", path, sizeof path) == 0);
  char dir[512];
  snprintf(dir, sizeof dir, "%s/segments", fuzz_dir());
  mkdir(dir, 0700);
  snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
  mkdir(dir, 0700);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(len == 0 || write(fd, data, len) == (ssize_t)len);
  close(fd);
}

/* Changes byte `at` of the entry file to `value`; whether it differed. */
static int poke(const ac_key *key, size_t at, uint8_t value) {
  char path[512];
  FUZZ_CHECK(entry_path(key, "mp3", path, sizeof path) == 0);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  struct stat sb;
  FUZZ_CHECK(fstat(fd, &sb) == 0);
  uint8_t old = 0;
  at %= (size_t)sb.st_size;
  FUZZ_CHECK(pread(fd, &old, 1, (off_t)at) == 1);
  FUZZ_CHECK(pwrite(fd, &value, 1, (off_t)at) == 1);
  close(fd);
  return old != value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_init();
  fuzz_reader r = {data, data + size};
  uint8_t mode = fuzz_byte(&r) % 3;
  size_t at = (size_t)fuzz_byte(&r) << 8 | fuzz_byte(&r);
  uint8_t value = fuzz_byte(&r);
  const uint8_t *payload = r.p;
  size_t len = (size_t)(r.end - r.p);
  ac_key key, other;
  make_key(&key, "segment");
  make_key(&other, "another segment");
  void *got = NULL;
  size_t got_len = 0;
  if (mode == 0) {
    write_raw(&key, payload, len);
    if (ac_cache_read(fuzz_dir(), &key, "mp3", &got, &got_len) == 0)
      FUZZ_CHECK(got != NULL && got_len <= len);
  } else {
    FUZZ_CHECK(ac_cache_write(fuzz_dir(), &key, "mp3", payload, len) == 0);
    int changed = mode == 2 && poke(&key, at, value);
    int rc = ac_cache_read(fuzz_dir(), &key, "mp3", &got, &got_len);
    FUZZ_CHECK(changed ? rc != 0 : rc == 0);
    if (rc == 0)
      FUZZ_CHECK(got_len == len &&
                 (len == 0 || memcmp(got, payload, len) == 0));
    void *none = NULL;
    size_t none_len = 0;
    FUZZ_CHECK(ac_cache_read(fuzz_dir(), &other, "mp3", &none, &none_len) != 0);
    FUZZ_CHECK(ac_cache_read(fuzz_dir(), &key, "wav", &none, &none_len) != 0);
  }
  free(got);
  return 0;
}
