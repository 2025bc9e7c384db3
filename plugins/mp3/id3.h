/*
 * A small ID3v2.3 tag writer: text frames, COMM, WXXX, APIC and the chapter
 * frames CHAP and CTOC (ID3v2 Chapter Frame Addendum 1.0).
 *
 * The tag is built in memory, frame after frame, and id3_writer_finish()
 * returns it with its 10-byte header, ready to be written in front of the
 * audio. It never uses unsynchronisation or an extended header, as podcast
 * players expect. Strings are UTF-8 in; each frame is stored as ISO-8859-1 when
 * every character fits, else as UTF-16 with a byte order mark (encoding byte
 * 1), the two encodings ID3v2.3 defines.
 *
 * Errors are sticky: once an add fails (out of memory, a frame or tag too
 * large), later calls do nothing and id3_writer_finish() fails, so a caller can
 * add every frame and check once.
 */
#ifndef ARTICAST_ID3_H
#define ARTICAST_ID3_H

#include <stddef.h>
#include <stdint.h>

/* ID3v2.3 picture type "Cover (front)". */
#define ID3_PICTURE_FRONT_COVER 3

/* CTOC flags: the table is top-level, and its entries are ordered. */
#define ID3_CTOC_TOP_LEVEL 0x02
#define ID3_CTOC_ORDERED 0x01

typedef struct id3_writer {
  unsigned char *data; /* the frames written so far, without the header */
  size_t len;
  size_t cap;
  int failed; /* an add failed; id3_writer_finish() will fail */
} id3_writer;

void id3_writer_init(id3_writer *tag);
void id3_writer_free(id3_writer *tag);

/* A text information frame (`id` is four characters, T000..TZZZ but not
 * TXXX). Control characters become spaces, since these frames hold one
 * line. NULL or "" adds nothing. */
int id3_add_text(id3_writer *tag, const char *id, const char *value);

/* COMM: `lang` is an ISO 639-2 code (three letters; "XXX" when unknown),
 * `description` may be "" and `text` may hold newlines. */
int id3_add_comment(id3_writer *tag, const char *lang, const char *description,
                    const char *text);

/* WXXX: a URL with a description. ID3 stores URLs as ISO-8859-1, so bytes
 * outside printable ASCII are percent-encoded. */
int id3_add_user_url(id3_writer *tag, const char *description, const char *url);

/* APIC: `mime` such as "image/jpeg", `type` an ID3 picture type. */
int id3_add_picture(id3_writer *tag, const char *mime, unsigned type,
                    const char *description, const void *data, size_t len);

/* CHAP with an embedded TIT2 `title` (may be NULL). Times are milliseconds;
 * the byte offsets are written as FF FF FF FF ("use the times"). */
int id3_add_chapter(id3_writer *tag, const char *element_id, uint32_t start_ms,
                    uint32_t end_ms, const char *title);

/* CTOC listing `n` child element ids (at most 255), with `flags` from
 * ID3_CTOC_*, and an embedded TIT2 when title is not NULL. */
int id3_add_toc(id3_writer *tag, const char *element_id, unsigned flags,
                const char *const *children, size_t n, const char *title);

/* Returns the whole tag (header, frames, then `padding` zero bytes) in a
 * malloc'd buffer the caller frees. Returns 0, or -1 when an add failed or
 * the tag exceeds the 256 MiB an ID3v2 header can describe. */
int id3_writer_finish(const id3_writer *tag, size_t padding,
                      unsigned char **out, size_t *out_len);

/* The ISO 639-2 code (terminology form: "fra", "deu", "zho") for a BCP 47
 * language tag ("en-GB" -> "eng", "ur" -> "urd"; a three-letter primary
 * subtag is passed through, lowercased). Writes 4 bytes (with the NUL) to
 * `out` and returns 0, or returns -1 when the tag is NULL or unknown. */
int id3_language(const char *bcp47, char out[4]);

/* "image/jpeg" or "image/png" when the bytes start like one, else NULL. */
const char *id3_image_mime(const void *data, size_t len);

#endif
