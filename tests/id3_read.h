/* A minimal ID3v2.3 reader for tests: text frames and CHAP frames. */
#ifndef ARTICAST_ID3_READ_H
#define ARTICAST_ID3_READ_H

#include <stddef.h>
#include <stdint.h>

typedef struct id3_chapter {
  uint32_t start_ms, end_ms;
  char title[256];
} id3_chapter;

typedef struct id3_tag {
  unsigned char *data; /* the whole tag, header included */
  size_t size;         /* bytes, header included */
  int version;         /* 3 for ID3v2.3 */
} id3_tag;

/* Reads the tag at the start of `path`; returns 0 or -1. */
int id3_read(const char *path, id3_tag *tag);
void id3_free(id3_tag *tag);
/* Text of the first frame `id` (T***, or COMM's text), as UTF-8 in buf;
 * returns 0 or -1 when absent. */
int id3_text(const id3_tag *tag, const char *id, char *buf, size_t len);
/* Fills up to `max` chapters in tag order; returns how many there are. */
size_t id3_chapters(const id3_tag *tag, id3_chapter *out, size_t max);
/* Whether a frame `id` exists. */
int id3_has(const id3_tag *tag, const char *id);

#endif
