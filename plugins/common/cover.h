/*
 * Cover art shared by the stages that publish a show image: the feed
 * (itunes:image) and the MP3 sink (ID3 APIC frame).
 *
 * Apple Podcasts takes a JPEG or PNG, square, 1400x1400 to 3000x3000 pixels,
 * in the RGB colour space. ac_cover_probe reads what a file is from its
 * header bytes alone (PNG IHDR, JPEG SOFn), ac_cover_check says what breaks
 * those rules, and ac_cover_ensure_default draws a plain cover for a show
 * that has none, so every feed and tag carries valid art.
 *
 * Every function returns 0 or a negative ac_error code and, on error, writes
 * a one-line reason (without the file name unless stated) to why.
 */
#ifndef ARTICAST_COVER_H
#define ARTICAST_COVER_H

#include "articast/plugin.h"

#include <stddef.h>
#include <stdint.h>

#define AC_COVER_MIN_SIZE 1400u
#define AC_COVER_MAX_SIZE 3000u
/* The smallest size Apple takes: the design is flat shapes, which scale
 * up without losing detail, and every episode rendered into a new site
 * draws it, so the cost counts: 1400 px is 4.6 times fewer pixels to draw
 * and compress than 3000 (about 60 KB, far below the 512 KB Apple asks
 * for). */
#define AC_COVER_DEFAULT_SIZE 1400u
/* File name of the generated cover, in SITE. */
#define AC_COVER_DEFAULT_NAME "cover.png"

typedef struct ac_cover_info {
  const char *mime_type; /* "image/png" or "image/jpeg" (static) */
  uint32_t width, height;
  /* Colour model: 1 = grey, 3 = RGB (PNG truecolour or palette, JPEG YCbCr
   * or RGB), 4 = CMYK or YCCK (JPEG). */
  int channels;
  int has_alpha; /* PNG with an alpha channel */
} ac_cover_info;

/* Identifies a PNG or JPEG by its magic bytes and reads its size and colour
 * model from the header. AC_ERR_FORMAT when it is neither, or the header is
 * cut short or broken. Needs only the bytes up to the JPEG SOFn marker. */
int ac_cover_probe(const unsigned char *data, size_t len, ac_cover_info *info,
                   char *why, size_t whylen);

/* Checks a probed image against Apple's rules: square, 1400 to 3000 px, RGB.
 * AC_ERR_FORMAT with what is wrong and what is needed. */
int ac_cover_check(const ac_cover_info *info, char *why, size_t whylen);

/* Reads a whole image file (at most 64 MiB) and probes it. *data is
 * malloc'd for the caller (e.g. an APIC frame). Errors name the file.
 * AC_ERR_IO / AC_ERR_NOTFOUND when unreadable, AC_ERR_FORMAT when no image. */
int ac_cover_load(const char *path, unsigned char **data, size_t *len,
                  ac_cover_info *info, char *why, size_t whylen);

/* ac_cover_load + ac_cover_check, without keeping the bytes. */
int ac_cover_validate_file(const char *path, ac_cover_info *info, char *why,
                           size_t whylen);

/* Draws the default cover, size x size pixels, as an RGB PNG at `path`
 * (written to a temporary file beside it, then renamed, so readers never see
 * half an image). A solid field with a centred broadcast mark: a dot and
 * three arcs to each side. `seed` (e.g. the show title, may be NULL) picks
 * the colour from a small palette, so the same show always gets the same
 * cover. */
int ac_cover_write_default(const char *path, uint32_t size, const char *seed,
                           char *why, size_t whylen);

/* Draws the default cover (as ac_cover_write_default) into memory: *data,
 * malloc'd, holds the PNG. The same seed and size always give the same
 * bytes. */
int ac_cover_draw_default(uint32_t size, const char *seed, unsigned char **data,
                          size_t *len, char *why, size_t whylen);

/* Makes sure SITE/cover.png exists, drawing it once (AC_COVER_DEFAULT_SIZE)
 * when it does not; an existing file is left alone, since the user may have
 * replaced it. *path (malloc'd) receives its path. */
int ac_cover_ensure_default(const char *site_dir, const char *seed, char **path,
                            char *why, size_t whylen);

#endif
