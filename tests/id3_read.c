/* A minimal ID3v2.3 reader for tests (see id3_read.h). */
#include "id3_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

int id3_read(const char *path, id3_tag *tag) {
  memset(tag, 0, sizeof *tag);
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char h[10];
  if (fread(h, 1, 10, f) != 10 || memcmp(h, "ID3", 3) != 0) {
    fclose(f);
    return -1;
  }
  size_t body = (size_t)(h[6] & 0x7f) << 21 | (size_t)(h[7] & 0x7f) << 14 |
                (size_t)(h[8] & 0x7f) << 7 | (h[9] & 0x7f);
  tag->size = body + 10;
  tag->version = h[3];
  tag->data = malloc(tag->size);
  memcpy(tag->data, h, 10);
  size_t got = fread(tag->data + 10, 1, body, f);
  fclose(f);
  return got == body ? 0 : -1;
}

void id3_free(id3_tag *tag) {
  free(tag->data);
  memset(tag, 0, sizeof *tag);
}

/* Appends code point cp to buf as UTF-8. */
static size_t put_utf8(char *buf, size_t n, size_t len, uint32_t cp) {
  char tmp[4];
  size_t k;
  if (cp < 0x80) {
    tmp[0] = (char)cp, k = 1;
  } else if (cp < 0x800) {
    tmp[0] = (char)(0xC0 | cp >> 6), tmp[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
  } else if (cp < 0x10000) {
    tmp[0] = (char)(0xE0 | cp >> 12), tmp[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    tmp[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
  } else {
    tmp[0] = (char)(0xF0 | cp >> 18), tmp[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    tmp[2] = (char)(0x80 | (cp >> 6 & 0x3F)),
    tmp[3] = (char)(0x80 | (cp & 0x3F));
    k = 4;
  }
  if (n + k < len) {
    memcpy(buf + n, tmp, k);
    n += k;
  }
  return n;
}

/* Decodes an encoded string (encoding byte first) up to its terminator. */
static void decode(const unsigned char *p, size_t size, char *buf, size_t len,
                   size_t *consumed) {
  size_t n = 0, i = 1;
  unsigned enc = size ? p[0] : 0;
  if (enc == 0 || enc == 3) {
    for (; i < size && p[i]; i++)
      n = enc == 3 ? (n + 1 < len ? (buf[n] = (char)p[i], n + 1) : n)
                   : put_utf8(buf, n, len, p[i]);
    i++;
  } else {
    int little = 1;
    if (i + 1 < size && p[i] == 0xFE && p[i + 1] == 0xFF)
      little = 0, i += 2;
    else if (i + 1 < size && p[i] == 0xFF && p[i + 1] == 0xFE)
      i += 2;
    for (; i + 1 < size; i += 2) {
      uint32_t u = little ? (uint32_t)(p[i] | p[i + 1] << 8)
                          : (uint32_t)(p[i] << 8 | p[i + 1]);
      if (u == 0) {
        i += 2;
        break;
      }
      if (u >= 0xD800 && u < 0xDC00 && i + 3 < size) {
        uint32_t lo = little ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
                             : (uint32_t)(p[i + 2] << 8 | p[i + 3]);
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        i += 2;
      }
      n = put_utf8(buf, n, len, u);
    }
  }
  buf[n] = '\0';
  if (consumed)
    *consumed = i;
}

/* Calls fn for each frame in [p, end); stops when fn returns nonzero. */
static int walk(const unsigned char *p, const unsigned char *end,
                int (*fn)(const char *id, const unsigned char *body,
                          size_t size, void *ctx),
                void *ctx) {
  while (p + 10 <= end && p[0]) {
    char id[5] = {(char)p[0], (char)p[1], (char)p[2], (char)p[3], 0};
    size_t size = be32(p + 4);
    if (p + 10 + size > end)
      return 0;
    if (fn(id, p + 10, size, ctx))
      return 1;
    p += 10 + size;
  }
  return 0;
}

typedef struct find_ctx {
  const char *id;
  char *buf;
  size_t len;
  int found;
} find_ctx;

static int find_text(const char *id, const unsigned char *body, size_t size,
                     void *ctx) {
  find_ctx *c = ctx;
  if (strcmp(id, c->id) != 0)
    return 0;
  if (strcmp(id, "COMM") == 0 && size >= 4) {
    /* encoding, language[3], description, text: decode the description
     * to learn where it ends, then decode the text after it, each behind
     * the encoding byte the decoder expects. */
    unsigned char *copy = malloc(size);
    copy[0] = body[0];
    memcpy(copy + 1, body + 4, size - 4);
    size_t used = 0;
    char scratch[512];
    decode(copy, size - 3, scratch, sizeof scratch, &used);
    copy[used - 1] = body[0];
    decode(copy + used - 1, size - 3 - used + 1, c->buf, c->len, NULL);
    free(copy);
  } else {
    decode(body, size, c->buf, c->len, NULL);
  }
  c->found = 1;
  return 1;
}

int id3_text(const id3_tag *tag, const char *id, char *buf, size_t len) {
  find_ctx c = {id, buf, len, 0};
  walk(tag->data + 10, tag->data + tag->size, find_text, &c);
  return c.found ? 0 : -1;
}

static int find_any(const char *id, const unsigned char *body, size_t size,
                    void *ctx) {
  (void)body;
  (void)size;
  find_ctx *c = ctx;
  if (strcmp(id, c->id) == 0)
    c->found = 1;
  return c->found;
}

int id3_has(const id3_tag *tag, const char *id) {
  find_ctx c = {id, NULL, 0, 0};
  walk(tag->data + 10, tag->data + tag->size, find_any, &c);
  return c.found;
}

typedef struct chap_ctx {
  id3_chapter *out;
  size_t max, n;
} chap_ctx;

static int on_chap(const char *id, const unsigned char *body, size_t size,
                   void *ctx) {
  chap_ctx *c = ctx;
  if (strcmp(id, "CHAP") != 0)
    return 0;
  size_t idlen = strnlen((const char *)body, size);
  if (idlen + 1 + 16 > size)
    return 0;
  const unsigned char *t = body + idlen + 1;
  if (c->n < c->max) {
    id3_chapter *ch = &c->out[c->n];
    ch->start_ms = be32(t);
    ch->end_ms = be32(t + 4);
    ch->title[0] = '\0';
    find_ctx f = {"TIT2", ch->title, sizeof ch->title, 0};
    walk(t + 16, body + size, find_text, &f);
  }
  c->n++;
  return 0;
}

size_t id3_chapters(const id3_tag *tag, id3_chapter *out, size_t max) {
  chap_ctx c = {out, max, 0};
  walk(tag->data + 10, tag->data + tag->size, on_chap, &c);
  return c.n;
}
