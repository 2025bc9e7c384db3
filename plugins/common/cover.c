/* Cover art: probing, Apple's rules and the default cover (see cover.h). */
#include "cover.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_IMAGE_BYTES (64u << 20)

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static uint32_t be16(const unsigned char *p) {
  return (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

/* ---- Probing ------------------------------------------------------------ */

static const unsigned char png_magic[8] = {0x89, 'P',  'N',  'G',
                                           '\r', '\n', 0x1A, '\n'};

static int probe_png(const unsigned char *d, size_t len, ac_cover_info *info,
                     char *why, size_t whylen) {
  /* The first chunk must be IHDR: length 13, then width, height, bit depth
   * and colour type. */
  if (len < 8 + 8 + 13 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4)) {
    snprintf(why, whylen, "a PNG without a valid IHDR header (cut short?)");
    return AC_ERR_FORMAT;
  }
  info->mime_type = "image/png";
  info->width = be32(d + 16);
  info->height = be32(d + 20);
  unsigned depth = d[24], type = d[25];
  switch (type) {
  case 0: /* greyscale */
  case 4: /* greyscale with alpha */
    info->channels = 1;
    break;
  case 2: /* truecolour */
  case 3: /* palette of RGB entries */
  case 6: /* truecolour with alpha */
    info->channels = 3;
    break;
  default:
    snprintf(why, whylen, "a PNG with the invalid colour type %u", type);
    return AC_ERR_FORMAT;
  }
  info->has_alpha = type == 4 || type == 6;
  if (depth == 0 || depth > 16 || (depth & (depth - 1)) != 0 ||
      info->width == 0 || info->height == 0) {
    snprintf(why, whylen, "a PNG with a broken header (%ux%u, %u-bit)",
             (unsigned)info->width, (unsigned)info->height, depth);
    return AC_ERR_FORMAT;
  }
  return AC_ERR_OK;
}

/* SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share
 * the range but are not frame headers. */
static int is_sof(unsigned m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static int probe_jpeg(const unsigned char *d, size_t len, ac_cover_info *info,
                      char *why, size_t whylen) {
  size_t pos = 2;
  info->mime_type = "image/jpeg";
  for (;;) {
    if (pos >= len || d[pos] != 0xFF) {
      snprintf(why, whylen, "a JPEG %s before its frame header",
               pos >= len ? "that ends" : "with a broken marker");
      return AC_ERR_FORMAT;
    }
    while (pos < len && d[pos] == 0xFF) /* fill bytes */
      pos++;
    if (pos >= len)
      continue; /* reports the cut above */
    unsigned m = d[pos++];
    if (m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7))
      continue; /* markers without a segment */
    if (m == 0xD9 || m == 0xDA) {
      snprintf(why, whylen, "a JPEG without a frame header (SOFn)");
      return AC_ERR_FORMAT;
    }
    if (pos + 2 > len) {
      snprintf(why, whylen, "a JPEG that ends before its frame header");
      return AC_ERR_FORMAT;
    }
    size_t seglen = be16(d + pos);
    if (seglen < 2 || pos + seglen > len) {
      if (pos + seglen > len && seglen >= 2) {
        snprintf(why, whylen, "a JPEG that ends before its frame header");
        return AC_ERR_FORMAT;
      }
      snprintf(why, whylen, "a JPEG with a broken segment length");
      return AC_ERR_FORMAT;
    }
    if (is_sof(m)) {
      if (seglen < 8) {
        snprintf(why, whylen, "a JPEG with a broken frame header");
        return AC_ERR_FORMAT;
      }
      info->height = be16(d + pos + 3);
      info->width = be16(d + pos + 5);
      unsigned comps = d[pos + 7];
      if (info->width == 0 || info->height == 0 ||
          (comps != 1 && comps != 3 && comps != 4)) {
        snprintf(why, whylen,
                 "a JPEG with a frame header this cannot read "
                 "(%ux%u, %u components)",
                 (unsigned)info->width, (unsigned)info->height, comps);
        return AC_ERR_FORMAT;
      }
      info->channels = (int)comps;
      info->has_alpha = 0;
      return AC_ERR_OK;
    }
    pos += seglen;
  }
}

int ac_cover_probe(const unsigned char *data, size_t len, ac_cover_info *info,
                   char *why, size_t whylen) {
  memset(info, 0, sizeof *info);
  if (len >= 8 && memcmp(data, png_magic, 8) == 0)
    return probe_png(data, len, info, why, whylen);
  if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return probe_jpeg(data, len, info, why, whylen);
  if (len == 0) {
    snprintf(why, whylen, "an empty file, not a JPEG or PNG image");
    return AC_ERR_FORMAT;
  }
  /* Name the first bytes: they usually tell what the file is instead. */
  char hex[3 * 8 + 1] = "";
  size_t n = len < 8 ? len : 8, used = 0;
  for (size_t i = 0; i < n; i++)
    used += (size_t)snprintf(hex + used, sizeof hex - used, "%s%02x",
                             i ? " " : "", data[i]);
  snprintf(why, whylen, "not a JPEG or PNG image (it starts with bytes %s)",
           hex);
  return AC_ERR_FORMAT;
}

int ac_cover_check(const ac_cover_info *info, char *why, size_t whylen) {
  const char *fmt = strcmp(info->mime_type, "image/png") == 0 ? "PNG" : "JPEG";
  unsigned w = info->width, h = info->height;
  if (w != h) {
    snprintf(why, whylen,
             "a %ux%u %s: it must be square (%u to %u pixels a side)", w, h,
             fmt, AC_COVER_MIN_SIZE, AC_COVER_MAX_SIZE);
    return AC_ERR_FORMAT;
  }
  if (w < AC_COVER_MIN_SIZE || w > AC_COVER_MAX_SIZE) {
    snprintf(why, whylen,
             "a %ux%u %s: too %s; it must be %ux%u to %ux%u pixels", w, h, fmt,
             w < AC_COVER_MIN_SIZE ? "small" : "large", AC_COVER_MIN_SIZE,
             AC_COVER_MIN_SIZE, AC_COVER_MAX_SIZE, AC_COVER_MAX_SIZE);
    return AC_ERR_FORMAT;
  }
  if (info->channels != 3) {
    snprintf(why, whylen, "a %s %s: it must be in the RGB colour space",
             info->channels == 1 ? "greyscale" : "CMYK", fmt);
    return AC_ERR_FORMAT;
  }
  return AC_ERR_OK;
}

int ac_cover_load(const char *path, unsigned char **data, size_t *len,
                  ac_cover_info *info, char *why, size_t whylen) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    snprintf(why, whylen, "%s: cannot open: %s", path, strerror(e));
    return e == ENOENT ? AC_ERR_NOTFOUND : AC_ERR_IO;
  }
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    fclose(f);
    snprintf(why, whylen, "%s: not a regular file", path);
    return AC_ERR_IO;
  }
  if ((uint64_t)sb.st_size > MAX_IMAGE_BYTES) {
    fclose(f);
    snprintf(why, whylen, "%s: %lld bytes, too large for cover art", path,
             (long long)sb.st_size);
    return AC_ERR_FORMAT;
  }
  size_t size = (size_t)sb.st_size;
  unsigned char *buf = malloc(size ? size : 1);
  if (!buf) {
    fclose(f);
    snprintf(why, whylen, "out of memory");
    return AC_ERR_NOMEM;
  }
  size_t got = fread(buf, 1, size, f);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    snprintf(why, whylen, "%s: read error", path);
    return AC_ERR_IO;
  }
  char reason[256];
  int rc = ac_cover_probe(buf, got, info, reason, sizeof reason);
  if (rc) {
    free(buf);
    snprintf(why, whylen, "%s: %s", path, reason);
    return rc;
  }
  *data = buf;
  *len = got;
  return AC_ERR_OK;
}

int ac_cover_validate_file(const char *path, ac_cover_info *info, char *why,
                           size_t whylen) {
  unsigned char *data;
  size_t len;
  int rc = ac_cover_load(path, &data, &len, info, why, whylen);
  if (rc)
    return rc;
  free(data);
  char reason[256];
  if ((rc = ac_cover_check(info, reason, sizeof reason)))
    snprintf(why, whylen, "%s: %s", path, reason);
  return rc;
}

/* ---- The default cover -------------------------------------------------- */

typedef struct rgb {
  unsigned char r, g, b;
} rgb;

/* Deep, quiet fields with a warm accent each; the arcs are a warm white. */
static const rgb palette[][2] = {
    {{0x1D, 0x35, 0x57}, {0xE9, 0xA2, 0x3B}}, /* navy, amber */
    {{0x0F, 0x4C, 0x5C}, {0xF2, 0xC1, 0x4E}}, /* teal, saffron */
    {{0x4A, 0x25, 0x45}, {0xF4, 0xA2, 0x61}}, /* plum, apricot */
    {{0x2D, 0x4A, 0x3E}, {0xE9, 0xC4, 0x6A}}, /* forest, straw */
    {{0x2F, 0x3E, 0x46}, {0xE7, 0x6F, 0x51}}, /* slate, coral */
    {{0x6B, 0x27, 0x37}, {0xF1, 0xC2, 0x7D}}, /* oxblood, sand */
};
static const rgb arc_colour = {0xF4, 0xEF, 0xE6};

/* FNV-1a: a stable, well-spread choice from a short seed. */
static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (; s && *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static double clamp01(double v) {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Coverage of a pixel by a shape whose signed distance (in pixels, negative
 * inside) is sd: a one-pixel ramp gives smooth edges without supersampling. */
static double coverage(double sd) {
  return clamp01(0.5 - sd);
}

typedef struct mark {
  double cx, cy;       /* centre, pixels */
  double dot;          /* dot radius */
  double radius[3];    /* arc radii */
  double half_width;   /* arc stroke half width */
  double sin_a, cos_a; /* half aperture of each arc */
  double extent;       /* beyond this distance nothing is drawn */
} mark;

/* Distance from (px, py), folded into the first quadrant, to an arc of
 * radius r centred on the x axis with round caps. */
static double arc_distance(const mark *m, double px, double py, double r) {
  if (py * m->cos_a <= px * m->sin_a)
    return fabs(sqrt(px * px + py * py) - r);
  double ex = px - r * m->cos_a, ey = py - r * m->sin_a;
  return sqrt(ex * ex + ey * ey);
}

/* a + (b - a) t rounded to the nearest, t in [0, 1] (the value is never
 * negative, so adding a half and truncating rounds as lround would). */
static unsigned char mix(unsigned char a, unsigned char b, double t) {
  return (unsigned char)(a + (b - a) * t + 0.5);
}

/* One pixel of the mark at (px, py) from its centre, over `c`. A shape
 * whose edge is a pixel or more away leaves the colour as it is, so only
 * the distance to the centre is needed to rule it out: the distance to an
 * arc's cap is never less than that to its circle. */
static rgb draw_pixel(const mark *m, double px, double py, rgb c, rgb accent) {
  static const double arc_alpha[3] = {1.0, 0.72, 0.45};
  double r = sqrt(px * px + py * py), reach = m->half_width + 0.5;
  for (int i = 0; i < 3; i++) {
    if (fabs(r - m->radius[i]) >= reach)
      continue;
    double a = arc_alpha[i] *
               coverage(arc_distance(m, px, py, m->radius[i]) - m->half_width);
    c.r = mix(c.r, arc_colour.r, a);
    c.g = mix(c.g, arc_colour.g, a);
    c.b = mix(c.b, arc_colour.b, a);
  }
  if (r < m->dot + 0.5) {
    double a = coverage(r - m->dot);
    c.r = mix(c.r, accent.r, a);
    c.g = mix(c.g, accent.g, a);
    c.b = mix(c.b, accent.b, a);
  }
  return c;
}

/* A row of the cover into out (3 bytes a pixel), which holds `bg_row`, a
 * row of background. The mark is symmetric about the vertical axis (pixel
 * x and size-1-x lie at the same |x + 0.5 - cx|), so the left half is
 * drawn and mirrored, and only over the columns the mark reaches. Returns
 * the first column that may differ from the background: the columns from
 * it to its mirror. */
static uint32_t draw_row(const mark *m, uint32_t y, uint32_t size,
                         const unsigned char *bg_row, rgb accent,
                         unsigned char *out) {
  double py = fabs(y + 0.5 - m->cy);
  memcpy(out, bg_row, 3 * (size_t)size);
  if (py >= m->extent)
    return size / 2;
  double reach = sqrt(m->extent * m->extent - py * py);
  uint32_t x0 = m->cx - reach > 1 ? (uint32_t)(m->cx - reach) - 1 : 0;
  rgb bg = {bg_row[0], bg_row[1], bg_row[2]};
  for (uint32_t x = x0; x < (size + 1) / 2; x++) {
    double px = fabs(x + 0.5 - m->cx);
    if (px * px + py * py >= m->extent * m->extent)
      continue;
    rgb c = draw_pixel(m, px, py, bg, accent);
    uint32_t mirror = size - 1 - x;
    out[3 * x] = out[3 * mirror] = c.r;
    out[3 * x + 1] = out[3 * mirror + 1] = c.g;
    out[3 * x + 2] = out[3 * mirror + 2] = c.b;
  }
  return x0;
}

static int write_chunk(FILE *f, const char *type, const unsigned char *data,
                       uint32_t len) {
  unsigned char head[8] = {
      (unsigned char)(len >> 24), (unsigned char)(len >> 16),
      (unsigned char)(len >> 8),  (unsigned char)len,
      (unsigned char)type[0],     (unsigned char)type[1],
      (unsigned char)type[2],     (unsigned char)type[3]};
  uLong crc = crc32(0L, head + 4, 4);
  if (len)
    crc = crc32(crc, data, len);
  unsigned char tail[4] = {(unsigned char)(crc >> 24),
                           (unsigned char)(crc >> 16),
                           (unsigned char)(crc >> 8), (unsigned char)crc};
  /* IEND has no data: fwrite must not see its NULL pointer. */
  int ok = fwrite(head, 1, 8, f) == 8 &&
           (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
  return ok ? 0 : -1;
}

/* Writes what deflate has for IDAT chunks; `flush` as for deflate().
 * Returns 0 or -1. */
static int deflate_to(FILE *f, z_stream *z, int flush, unsigned char *out) {
  int zr;
  do {
    z->next_out = out;
    z->avail_out = 1 << 16;
    zr = deflate(z, flush);
    if (zr == Z_STREAM_ERROR)
      return -1;
    uint32_t have = (1u << 16) - z->avail_out;
    if (have && write_chunk(f, "IDAT", out, have))
      return -1;
  } while (z->avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
  return 0;
}

/* The rows, filtered and deflated into IDAT chunks. The first row goes
 * unfiltered, every other as its difference from the row above (PNG
 * filter Up): zeros wherever the two agree, which is all of the background,
 * so the rows are differenced only over the columns drawn in either, and
 * run-length deflate (Z_RLE) packs the zeros as fast as it reads them. The
 * image is streamed: two rows of memory, not the whole picture. */
static int write_rows(FILE *f, uint32_t size, const mark *m, const rgb *colours,
                      z_stream *z, unsigned char *buf) {
  size_t row_len = 3 * (size_t)size;
  unsigned char *rows = buf, *bg_row = buf + 2 * row_len;
  unsigned char *filtered = bg_row + row_len, *out = filtered + 1 + row_len;
  for (uint32_t x = 0; x < size; x++)
    memcpy(bg_row + 3 * x, &colours[0], 3);
  uint32_t prev_first = 0;
  for (uint32_t y = 0; y < size; y++) {
    unsigned char *cur = rows + (y % 2) * row_len;
    unsigned char *prev = rows + ((y + 1) % 2) * row_len;
    uint32_t first = draw_row(m, y, size, bg_row, colours[1], cur);
    if (y == 0) {
      filtered[0] = 0; /* none */
      memcpy(filtered + 1, cur, row_len);
    } else {
      filtered[0] = 2; /* Up */
      memset(filtered + 1, 0, row_len);
      size_t lo = 3 * (size_t)(first < prev_first ? first : prev_first);
      for (size_t i = lo; i < row_len - lo; i++)
        filtered[1 + i] = (unsigned char)(cur[i] - prev[i]);
    }
    prev_first = first;
    z->next_in = filtered;
    z->avail_in = (uInt)(1 + row_len);
    if (deflate_to(f, z, Z_NO_FLUSH, out))
      return -1;
  }
  return deflate_to(f, z, Z_FINISH, out);
}

/* Writes the cover as a PNG: header chunks, then the image data. */
static int write_png(FILE *f, uint32_t size, const char *seed) {
  const rgb *colours =
      palette[fnv1a(seed) % (sizeof palette / sizeof *palette)];
  double u = size / 1000.0; /* design units */
  mark m = {.cx = size / 2.0,
            .cy = size / 2.0,
            .dot = 70 * u,
            .radius = {175 * u, 265 * u, 355 * u},
            .half_width = 24 * u,
            .sin_a = sin(40 * M_PI / 180),
            .cos_a = cos(40 * M_PI / 180)};
  m.extent = m.radius[2] + m.half_width + 2;

  if (fwrite(png_magic, 1, 8, f) != 8)
    return -1;
  unsigned char ihdr[13] = {(unsigned char)(size >> 24),
                            (unsigned char)(size >> 16),
                            (unsigned char)(size >> 8),
                            (unsigned char)size,
                            (unsigned char)(size >> 24),
                            (unsigned char)(size >> 16),
                            (unsigned char)(size >> 8),
                            (unsigned char)size,
                            8, /* bits per sample */
                            2, /* truecolour RGB */
                            0,
                            0,
                            0};
  /* sRGB (perceptual) states the colour space outright. */
  static const unsigned char srgb[1] = {0};
  if (write_chunk(f, "IHDR", ihdr, 13) || write_chunk(f, "sRGB", srgb, 1))
    return -1;

  /* Two rows, a background row, a filtered row, deflate's output. */
  size_t row_len = 3 * (size_t)size;
  unsigned char *buf = malloc(4 * row_len + 1 + (1 << 16));
  z_stream z;
  memset(&z, 0, sizeof z);
  if (!buf ||
      deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
    free(buf);
    return -1;
  }
  int rc = write_rows(f, size, &m, colours, &z, buf);
  deflateEnd(&z);
  free(buf);
  return rc ? rc : write_chunk(f, "IEND", NULL, 0);
}

int ac_cover_write_default(const char *path, uint32_t size, const char *seed,
                           char *why, size_t whylen) {
  if (size < AC_COVER_MIN_SIZE || size > AC_COVER_MAX_SIZE) {
    snprintf(why, whylen, "cover size %u is outside %u..%u", (unsigned)size,
             AC_COVER_MIN_SIZE, AC_COVER_MAX_SIZE);
    return AC_ERR_INVALID;
  }
  /* A temporary file beside the target, so rename() stays in one file
   * system and replaces it atomically; the directory must exist. */
  outfile out;
  if (outfile_open_with(&out, path, "tmp", 0, why, whylen) != 0)
    return errno == ENOMEM ? AC_ERR_NOMEM : AC_ERR_IO;
  /* stdio writes through its own descriptor; outfile keeps out.fd. */
  int fd = fcntl(out.fd, F_DUPFD_CLOEXEC, 0);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    snprintf(why, whylen, "%s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    outfile_discard(&out);
    return AC_ERR_IO;
  }
  errno = 0;
  int bad = write_png(f, size, seed);
  bad |= fflush(f) != 0;
  bad |= fclose(f) != 0;
  if (bad) {
    int e = errno;
    snprintf(why, whylen, "%s: cannot write: %s", path,
             e ? strerror(e) : "write error");
    outfile_discard(&out);
    return AC_ERR_IO;
  }
  int rc = outfile_commit(&out, why, whylen) == 0 ? AC_ERR_OK : AC_ERR_IO;
  outfile_discard(&out);
  return rc;
}

int ac_cover_ensure_default(const char *site_dir, const char *seed, char **path,
                            char *why, size_t whylen) {
  size_t len = strlen(site_dir) + 1 + sizeof AC_COVER_DEFAULT_NAME;
  char *p = malloc(len);
  if (!p) {
    snprintf(why, whylen, "out of memory");
    return AC_ERR_NOMEM;
  }
  snprintf(p, len, "%s/%s", site_dir, AC_COVER_DEFAULT_NAME);
  struct stat sb;
  if (stat(p, &sb) != 0) {
    int rc =
        ac_cover_write_default(p, AC_COVER_DEFAULT_SIZE, seed, why, whylen);
    if (rc) {
      free(p);
      return rc;
    }
  }
  *path = p;
  return AC_ERR_OK;
}

int ac_cover_draw_default(uint32_t size, const char *seed, unsigned char **data,
                          size_t *len, char *why, size_t whylen) {
  if (size < AC_COVER_MIN_SIZE || size > AC_COVER_MAX_SIZE) {
    snprintf(why, whylen, "cover size %u is outside %u..%u", (unsigned)size,
             AC_COVER_MIN_SIZE, AC_COVER_MAX_SIZE);
    return AC_ERR_INVALID;
  }
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  if (!f) {
    snprintf(why, whylen, "out of memory");
    return AC_ERR_NOMEM;
  }
  int bad = write_png(f, size, seed);
  bad |= fclose(f) != 0;
  if (bad) {
    free(buf);
    snprintf(why, whylen, "out of memory drawing the cover");
    return AC_ERR_NOMEM;
  }
  *data = (unsigned char *)buf;
  *len = n;
  return AC_ERR_OK;
}
