/* The segment cache (see plugin.h, "Segments"): content-addressed files,
 * one per segment and stage, under the cache directory. */
#ifndef ARTICAST_CACHE_H
#define ARTICAST_CACHE_H

#include "core.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <time.h>

typedef struct ac_key {
  uint8_t bytes[SHA256_DIGEST_SIZE];
} ac_key;

typedef struct ac_key_ctx {
  struct sha256_ctx sha;
} ac_key_ctx;

/* Keys: every field is added with its length, so concatenations of
 * different fields never collide. */
void ac_key_begin(ac_key_ctx *k);
void ac_key_add(ac_key_ctx *k, const void *data, size_t len);
void ac_key_add_str(ac_key_ctx *k, const char *s); /* NULL is a value too */
void ac_key_add_int(ac_key_ctx *k, int64_t v);
void ac_key_end(ac_key_ctx *k, ac_key *out);

/* $ARTICAST_CACHE_DIR, else $XDG_CACHE_HOME/articast, else
 * ~/.cache/articast; malloc'd, or NULL when there is no home. */
char *ac_cache_default_dir(void);

/* Stores `len` bytes as entry (key, what). Returns 0 or -errno. */
int ac_cache_write(const char *dir, const ac_key *key, const char *what,
                   const void *data, size_t len);
/* Reads entry (key, what) into a malloc'd buffer. Returns 0, or -1 when it
 * is missing or damaged. */
int ac_cache_read(const char *dir, const ac_key *key, const char *what,
                  void **data, size_t *len);

typedef struct ac_cache_stats {
  uint64_t files, bytes;                 /* kept */
  uint64_t removed_files, removed_bytes; /* removed */
} ac_cache_stats;

/* Removes the entries last used before `before` (0: every entry; -1:
 * none, only count) and counts the rest. Returns 0 or -errno. */
int ac_cache_walk(const char *dir, time_t before, ac_cache_stats *stats);

#endif
