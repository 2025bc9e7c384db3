/* The mp3 sink: exact decoded length, the ID3v2.3 tag a podcast app reads
 * (text frames, chapters, cover), the Info/LAME frame, option checks, and no
 * temporary file left behind whatever happens. */
#include "harness.h"
#include "id3.h" /* plugins/mp3: the language table is tested directly */

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Fixtures ----------------------------------------------------------- */

/* A malloc'd printf (asprintf needs _GNU_SOURCE). */
#define RATE 22050

/* A sine plus a little noise, the same for every run. */
static float sample_at(size_t i, int rate) {
  uint32_t h = (uint32_t)i * 2654435761u;
  h ^= h >> 15;
  double noise = ((double)(h & 0xFFFF) / 65535.0 - 0.5) * 0.05;
  return (float)(0.3 * sin(2 * M_PI * 440.0 * (double)i / rate) + noise);
}

/* Feeds `total` frames in chunks of varied sizes (1 frame, a full chunk,
 * odd sizes, marks-only chunks), each carrying the marks that fall in its
 * range. Returns the first error of process_audio. */
static int feed(harness_sinks *h, ac_stage_instance *si, size_t total, int rate,
                const ac_mark *marks, size_t n_marks) {
  static const size_t sizes[] = {1, 4096, AC_MAX_CHUNK, 777, 0, 10000, 3};
  float *buf = malloc(AC_MAX_CHUNK * sizeof *buf);
  ck_assert_ptr_nonnull(buf);
  size_t pos = 0, k = 0, mi = 0;
  int rc = 0;
  while (pos < total && rc == 0) {
    size_t n = sizes[k++ % (sizeof sizes / sizeof *sizes)];
    if (n > total - pos)
      n = total - pos;
    for (size_t i = 0; i < n; i++)
      buf[i] = sample_at(pos + i, rate);
    size_t m0 = mi;
    while (mi < n_marks && marks[mi].sample <= pos + n)
      mi++;
    ac_chunk c = {buf, n, pos, rate, marks + m0, mi - m0};
    rc = harness_sinks_chunk(h, si, &c);
    pos += n;
  }
  free(buf);
  return rc;
}

typedef struct run {
  char *dir;
  char *base;           /* dir/ep */
  char *mp3;            /* dir/ep.mp3 */
  ac_artifact artifact; /* the MP3 named by the host */
  size_t n_artifacts;
  char err[1024];
} run;

static void run_init(run *r) {
  memset(r, 0, sizeof *r);
  r->dir = harness_tempdir();
  r->base = ac_path_join(r->dir, "ep");
  r->mp3 = harness_fmt("%s.mp3", r->base);
}

/* Number of entries in dir (without . and ..). */
static int count_files(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

static void run_free(run *r) {
  char *cmd = harness_fmt("rm -rf '%s'", r->dir);
  harness_run(cmd, NULL);
  free(cmd);
  free(r->dir);
  free(r->base);
  free(r->mp3);
}

/* Creates the mp3 stage, feeds it, flushes and frees it. Returns the first
 * error (create failures as AC_ERR_INVALID), with the message in r->err. */
/* The threads the episode may use (ac_episode.threads): 1 encodes in the
 * caller's thread, more in workers. */
static int test_threads = 1;

static int render(run *r, const char *const *settings, const ac_document *doc,
                  size_t total, int rate, const ac_mark *marks,
                  size_t n_marks) {
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ep.threads = test_threads;
  harness_sinks h;
  harness_sinks_init(&h, &ep, r->base);
  ac_stage_instance *si =
      harness_sink_stage(&h, "mp3", settings, r->err, sizeof r->err);
  int rc = AC_ERR_INVALID;
  if (si) {
    rc = feed(&h, si, total, rate, marks, n_marks);
    char why[512] = "";
    if (rc == 0)
      rc = harness_sinks_flush(&h, si, why, sizeof why);
    if (rc != 0)
      snprintf(r->err, sizeof r->err, "%s", why[0] ? why : ac_stage_error(si));
    r->n_artifacts = h.outputs.committed ? h.outputs.count : 0;
    if (r->n_artifacts == 1) {
      r->artifact = h.outputs.artifacts[0];
      r->artifact.path = r->mp3; /* outlives h */
      r->artifact.mime_type = "audio/mpeg";
      r->artifact.suffix = ".mp3";
    }
    ac_stage_free(si);
  }
  harness_sinks_free(&h);
  ac_voice_free(&vp);
  return rc;
}

/* Decodes a file with libsndfile (mpg123 inside, gapless) into a malloc'd
 * buffer; returns the frame count. */
static sf_count_t decode(const char *path, int *rate, float **out) {
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  ck_assert_msg(sf != NULL, "cannot decode %s: %s", path, sf_strerror(NULL));
  ck_assert_int_eq(info.channels, 1);
  size_t cap = 1 << 16;
  float *buf = malloc(cap * sizeof *buf);
  sf_count_t total = 0, got;
  for (;;) {
    if ((size_t)total + 4096 > cap) {
      cap *= 2;
      buf = realloc(buf, cap * sizeof *buf);
      ck_assert_ptr_nonnull(buf);
    }
    if ((got = sf_readf_float(sf, buf + total, 4096)) <= 0)
      break;
    total += got;
  }
  sf_close(sf);
  if (rate)
    *rate = info.samplerate;
  if (out)
    *out = buf;
  else
    free(buf);
  return total;
}

/* A document with two headings, non-Latin-1 text and an author bio. */
static ac_document *doc_with_headings(const char *title) {
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  ac_set_string(&doc->title, title, (size_t)-1);
  ac_set_string(&doc->author, "Zoë Müller", (size_t)-1);
  ac_set_string(&doc->date, "2024-03-05T08:30:00Z", (size_t)-1);
  ac_set_string(&doc->language, "fr-CA", (size_t)-1);
  ac_set_string(&doc->summary, "Un pont, un budget.", (size_t)-1);
  ac_set_string(&doc->url, "https://example.org/pont?v=é&x=1", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Le conseil a voté.",
                        (size_t)-1);
  ac_block *h = ac_document_add_block(doc, AC_BLOCK_HEADING, "Premiere partie",
                                      (size_t)-1);
  h->level = 2;
  /* The chapter shows the heading as written, not as spoken. */
  ac_set_string(&h->written, "Première partie", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Les travaux.", (size_t)-1);
  h = ac_document_add_block(doc, AC_BLOCK_HEADING, "第二部分", (size_t)-1);
  h->level = 2;
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Le vote.", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_BIO, "Zoë écrit.", (size_t)-1);
  return doc;
}

/* Block, sentence and word marks for doc_with_headings at these seconds. */
static const double block_starts[] = {0.0, 2.0, 3.0, 5.0, 6.0, 7.5};
#define N_BLOCK_MARKS 6
#define TOTAL_FRAMES ((size_t)(8.3 * RATE) + 17)

static size_t heading_marks(ac_mark *marks) {
  size_t n = 0;
  for (uint32_t b = 0; b < N_BLOCK_MARKS; b++) {
    uint64_t at = (uint64_t)(block_starts[b] * RATE);
    marks[n++] = (ac_mark){AC_MARK_BLOCK, b, 0, 0, at};
    marks[n++] = (ac_mark){AC_MARK_SENTENCE, b, 0, 0, at};
    marks[n++] = (ac_mark){AC_MARK_WORD, b, 0, 2, at + 100};
    marks[n++] = (ac_mark){AC_MARK_BLOCK_END, b, 0, 0, at + RATE / 2};
  }
  return n;
}

/* ---- A minimal ID3v2.3 reader ------------------------------------------- */

typedef struct rd_tag {
  unsigned char *data; /* the whole tag */
  size_t size;         /* header included */
} rd_tag;

static void rd_load(const char *path, rd_tag *t) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  unsigned char h[10];
  ck_assert_uint_eq(fread(h, 1, 10, f), 10);
  ck_assert_msg(memcmp(h, "ID3\x03\x00", 5) == 0, "not an ID3v2.3.0 tag");
  ck_assert_uint_eq(h[5], 0); /* no unsynchronisation, no extended header */
  for (int i = 6; i < 10; i++)
    ck_assert_uint_lt(h[i], 0x80); /* syncsafe */
  size_t body =
      (size_t)h[6] << 21 | (size_t)h[7] << 14 | (size_t)h[8] << 7 | h[9];
  t->size = body + 10;
  t->data = malloc(t->size);
  memcpy(t->data, h, 10);
  ck_assert_uint_eq(fread(t->data + 10, 1, body, f), body);
  fclose(f);
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* The body of the nth frame `id` among the frames in [p, p + len). */
static const unsigned char *rd_frame(const unsigned char *p, size_t len,
                                     const char *id, int nth, size_t *size) {
  size_t at = 0;
  while (at + 10 <= len && p[at] != 0) {
    size_t n = be32(p + at + 4);
    ck_assert_uint_le(at + 10 + n, len);
    ck_assert_uint_eq(p[at + 8] | p[at + 9], 0); /* no frame flags */
    if (memcmp(p + at, id, 4) == 0 && nth-- == 0) {
      *size = n;
      return p + at + 10;
    }
    at += 10 + n;
  }
  return NULL;
}

static const unsigned char *rd_top(const rd_tag *t, const char *id, int nth,
                                   size_t *size) {
  return rd_frame(t->data + 10, t->size - 10, id, nth, size);
}

static size_t put_utf8(char *out, size_t n, uint32_t c) {
  if (c < 0x80) {
    out[n++] = (char)c;
  } else if (c < 0x800) {
    out[n++] = (char)(0xC0 | c >> 6);
    out[n++] = (char)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out[n++] = (char)(0xE0 | c >> 12);
    out[n++] = (char)(0x80 | (c >> 6 & 0x3F));
    out[n++] = (char)(0x80 | (c & 0x3F));
  } else {
    out[n++] = (char)(0xF0 | c >> 18);
    out[n++] = (char)(0x80 | (c >> 12 & 0x3F));
    out[n++] = (char)(0x80 | (c >> 6 & 0x3F));
    out[n++] = (char)(0x80 | (c & 0x3F));
  }
  return n;
}

/* Decodes one string in encoding `enc` (0 Latin-1, 1 UTF-16 with BOM) from
 * [p, p + len), up to its terminator, into a malloc'd UTF-8 string.
 * Returns the bytes consumed, terminator included. */
static size_t rd_string(const unsigned char *p, size_t len, int enc,
                        char **out) {
  char *s = malloc(len * 2 + 1);
  size_t n = 0, i = 0;
  if (enc == 0) {
    for (; i < len && p[i]; i++)
      n = put_utf8(s, n, p[i]);
    if (i < len)
      i++;
  } else {
    ck_assert_int_eq(enc, 1);
    ck_assert_uint_ge(len, 2);
    int le = p[0] == 0xFF && p[1] == 0xFE;
    ck_assert_msg(le || (p[0] == 0xFE && p[1] == 0xFF), "UTF-16 lacks a BOM");
    for (i = 2; i + 1 < len; i += 2) {
      uint32_t c = le ? (uint32_t)(p[i] | p[i + 1] << 8)
                      : (uint32_t)(p[i] << 8 | p[i + 1]);
      if (c == 0) {
        i += 2;
        break;
      }
      if (c >= 0xD800 && c < 0xDC00 && i + 3 < len) {
        uint32_t lo = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
                         : (uint32_t)(p[i + 2] << 8 | p[i + 3]);
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        i += 2;
      }
      n = put_utf8(s, n, c);
    }
  }
  s[n] = '\0';
  *out = s;
  return i;
}

/* The text of the first frame `id` (a T*** frame) as UTF-8, malloc'd, or
 * NULL; *enc gets its encoding byte. */
static char *rd_text_in(const unsigned char *frames, size_t len, const char *id,
                        int *enc) {
  size_t size;
  const unsigned char *b = rd_frame(frames, len, id, 0, &size);
  if (!b)
    return NULL;
  ck_assert_uint_ge(size, 1);
  if (enc)
    *enc = b[0];
  char *s;
  rd_string(b + 1, size - 1, b[0], &s);
  return s;
}

static char *rd_text(const rd_tag *t, const char *id, int *enc) {
  return rd_text_in(t->data + 10, t->size - 10, id, enc);
}

static void expect_text(const rd_tag *t, const char *id, const char *want) {
  char *got = rd_text(t, id, NULL);
  ck_assert_msg(got != NULL, "no %s frame", id);
  ck_assert_str_eq(got, want);
  free(got);
}

typedef struct rd_chapter {
  char id[16];
  uint32_t start, end;
  char *title;
} rd_chapter;

/* Reads the nth CHAP frame; returns 0 when there is none. */
static int rd_chap(const rd_tag *t, int nth, rd_chapter *c) {
  size_t size;
  const unsigned char *b = rd_top(t, "CHAP", nth, &size);
  if (!b)
    return 0;
  size_t idlen = strnlen((const char *)b, size);
  ck_assert_uint_lt(idlen, sizeof c->id);
  memcpy(c->id, b, idlen + 1);
  const unsigned char *q = b + idlen + 1;
  c->start = be32(q);
  c->end = be32(q + 4);
  ck_assert_uint_eq(be32(q + 8), 0xFFFFFFFFu);
  ck_assert_uint_eq(be32(q + 12), 0xFFFFFFFFu);
  size_t used = idlen + 1 + 16;
  c->title = rd_text_in(q + 16, size - used, "TIT2", NULL);
  return 1;
}

/* Whether the first audio frame (right after the tag) is the Xing/Info
 * frame with a LAME tag. */
static int has_info_frame(const char *path, size_t tag_size) {
  char *bytes;
  size_t n;
  ck_assert_int_eq(ac_read_file(path, 0, &bytes, &n), 0);
  ck_assert_uint_gt(n, tag_size + 400);
  const unsigned char *f = (const unsigned char *)bytes + tag_size;
  int ok = f[0] == 0xFF && (f[1] & 0xE0) == 0xE0;
  int info = 0, lame = 0;
  for (size_t i = 0; i + 4 <= 400; i++) {
    if (i < 200 && (!memcmp(f + i, "Info", 4) || !memcmp(f + i, "Xing", 4)))
      info = 1;
    if (!memcmp(f + i, "LAME", 4))
      lame = 1;
  }
  free(bytes);
  return ok && info && lame;
}

/* ---- Tests -------------------------------------------------------------- */

START_TEST(decoded_length_is_exact) {
  ac_document *doc = doc_with_headings("Short");
  ac_mark marks[4 * N_BLOCK_MARKS];
  size_t n_marks = heading_marks(marks);
  run r;
  run_init(&r);
  int rc = render(&r, NULL, doc, TOTAL_FRAMES, RATE, marks, n_marks);
  ck_assert_msg(rc == 0, "mp3 failed: %s", r.err);

  float *pcm;
  int rate;
  ck_assert_int_eq(decode(r.mp3, &rate, &pcm), (sf_count_t)TOTAL_FRAMES);
  ck_assert_int_eq(rate, RATE);
  /* Aligned too: the encoder delay was removed, not just counted. */
  double sig = 0, err = 0;
  for (size_t i = 2000; i < TOTAL_FRAMES - 2000; i++) {
    double x = sample_at(i, RATE);
    sig += x * x;
    err += (pcm[i] - x) * (pcm[i] - x);
  }
  ck_assert_msg(10 * log10(sig / err) > 10, "SNR %.1f dB",
                10 * log10(sig / err));
  free(pcm);

  /* The artifact, and nothing but the MP3 in the directory. */
  ck_assert_uint_eq(r.n_artifacts, 1);
  ck_assert_uint_eq(r.artifact.role, AC_ROLE_AUDIO);
  ck_assert_double_eq_tol(r.artifact.duration, (double)TOTAL_FRAMES / RATE,
                          1e-9);
  ck_assert_int_eq(count_files(r.dir), 1);
  struct stat sb;
  ck_assert_int_eq(stat(r.mp3, &sb), 0);
  ck_assert_int_eq(sb.st_mode & 0777, 0644);

  rd_tag t;
  rd_load(r.mp3, &t);
  ck_assert(has_info_frame(r.mp3, t.size));
  free(t.data);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

START_TEST(id3_text_frames) {
  /* A title outside Latin-1 is stored as UTF-16; Latin-1 text as is. */
  const char *title = "東京の橋 — budget 🎧";
  ac_document *doc = doc_with_headings(title);
  run r;
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, RATE * 2 + 5, RATE, NULL, 0), 0);
  rd_tag t;
  rd_load(r.mp3, &t);

  int enc;
  char *s = rd_text(&t, "TIT2", &enc);
  ck_assert_str_eq(s, title);
  ck_assert_int_eq(enc, 1);
  free(s);
  s = rd_text(&t, "TPE1", &enc);
  ck_assert_str_eq(s, "Zoë Müller");
  ck_assert_int_eq(enc, 0);
  free(s);
  expect_text(&t, "TALB", "Test Show"); /* the harness's show */
  expect_text(&t, "TCON", "Podcast");
  expect_text(&t, "TYER", "2024");
  expect_text(&t, "TDAT", "0503");
  expect_text(&t, "TIME", "0830");
  expect_text(&t, "TLAN", "fra");
  expect_text(&t, "TLEN", "2000"); /* 44,105 frames: 2000.2 ms */
  s = rd_text(&t, "TSSE", NULL);
  ck_assert_ptr_nonnull(strstr(s, "64 kbps"));
  free(s);

  /* COMM: language, empty description, summary and disclosure. */
  size_t size;
  const unsigned char *b = rd_top(&t, "COMM", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_int_eq(memcmp(b + 1, "fra", 3), 0);
  char *desc, *text;
  size_t used = rd_string(b + 4, size - 4, b[0], &desc);
  rd_string(b + 4 + used, size - 4 - used, b[0], &text);
  ck_assert_str_eq(desc, "");
  ck_assert_ptr_nonnull(strstr(text, "Un pont, un budget."));
  ck_assert_ptr_nonnull(strstr(text, "synthetic voice"));
  free(desc);
  free(text);

  /* WXXX: the URL, percent-encoded outside ASCII. */
  b = rd_top(&t, "WXXX", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(b[0], 0);
  ck_assert_uint_eq(b[1], 0); /* empty description */
  const char *url = "https://example.org/pont?v=%C3%A9&x=1";
  ck_assert_uint_eq(size, 2 + strlen(url));
  ck_assert_int_eq(memcmp(b + 2, url, strlen(url)), 0);
  /* No image anywhere: the show's default cover, a PNG. */
  b = rd_top(&t, "APIC", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_int_eq(memcmp(b + 1, "image/png", 10), 0);
  free(t.data);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

START_TEST(chapters_follow_headings) {
  ac_document *doc = doc_with_headings("Le pont");
  ac_mark marks[4 * N_BLOCK_MARKS];
  size_t n_marks = heading_marks(marks);
  run r;
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, TOTAL_FRAMES, RATE, marks, n_marks),
                   0);
  rd_tag t;
  rd_load(r.mp3, &t);

  /* The title, each heading as written, then the author's bio. */
  static const char *titles[] = {"Le pont", "Première partie", "第二部分",
                                 "About the author"};
  static const uint32_t starts[] = {0, 2000, 5000, 7500};
  rd_chapter c[8];
  int n = 0;
  while (n < 8 && rd_chap(&t, n, &c[n]))
    n++;
  ck_assert_int_eq(n, 4);
  uint32_t length_ms = (uint32_t)((TOTAL_FRAMES * 1000 + RATE / 2) / RATE);
  for (int i = 0; i < n; i++) {
    ck_assert_str_eq(c[i].title, titles[i]);
    ck_assert_uint_eq(c[i].start, starts[i]);
    ck_assert_uint_eq(c[i].end, i + 1 < n ? starts[i + 1] : length_ms);
  }

  /* One top-level ordered CTOC listing them in order. */
  size_t size;
  const unsigned char *b = rd_top(&t, "CTOC", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_null(rd_top(&t, "CTOC", 1, &size));
  size_t idlen = strlen((const char *)b);
  ck_assert_uint_eq(b[idlen + 1], 0x03);
  ck_assert_uint_eq(b[idlen + 2], (unsigned)n);
  const char *child = (const char *)b + idlen + 3;
  for (int i = 0; i < n; i++) {
    ck_assert_str_eq(child, c[i].id);
    child += strlen(child) + 1;
  }
  for (int i = 0; i < n; i++)
    free(c[i].title);
  free(t.data);

  /* chapters=false leaves them out. */
  static const char *const off[] = {"chapters=false", NULL};
  run r2;
  run_init(&r2);
  ck_assert_int_eq(render(&r2, off, doc, TOTAL_FRAMES, RATE, marks, n_marks),
                   0);
  rd_load(r2.mp3, &t);
  ck_assert_ptr_null(rd_top(&t, "CHAP", 0, &size));
  ck_assert_ptr_null(rd_top(&t, "CTOC", 0, &size));
  free(t.data);
  run_free(&r2);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

START_TEST(chapters_without_headings) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Plain column", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_BYLINE, "By Ann Lee", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "The harbour was quiet.",
                        (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Then it was not.",
                        (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_BIO, "Ann Lee writes.", (size_t)-1);
  ac_mark marks[4];
  for (uint32_t b = 0; b < 4; b++)
    marks[b] = (ac_mark){AC_MARK_BLOCK, b, 0, 0, (uint64_t)(b + 1) * RATE};
  run r;
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, 6 * RATE, RATE, marks, 4), 0);
  rd_tag t;
  rd_load(r.mp3, &t);
  rd_chapter c[8];
  int n = 0;
  while (n < 8 && rd_chap(&t, n, &c[n]))
    n++;
  ck_assert_int_eq(n, 3);
  ck_assert_str_eq(c[0].title, "Plain column"); /* title and byline */
  ck_assert_uint_eq(c[0].start, 0);
  ck_assert_str_eq(c[1].title, "The harbour was quiet.");
  ck_assert_uint_eq(c[1].start, 2000);
  ck_assert_str_eq(c[2].title, "About the author");
  ck_assert_uint_eq(c[2].start, 4000);
  ck_assert_uint_eq(c[2].end, 6000);
  for (int i = 0; i < n; i++)
    free(c[i].title);
  free(t.data);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

static char *write_file(const char *dir, const char *name, const void *data,
                        size_t len) {
  char *path = ac_path_join(dir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  fclose(f);
  return path;
}

START_TEST(cover_art) {
  static const unsigned char png[] = {0x89, 'P',  'N', 'G', '\r', '\n',
                                      0x1a, '\n', 0,   0,   0,    13,
                                      'I',  'H',  'D', 'R', 1,    2};
  static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J',
                                       'F',  'I',  'F',  0,    9, 8,  7};
  char *art = harness_tempdir();
  char *png_path = write_file(art, "cover.png", png, sizeof png);
  char *jpeg_path = write_file(art, "photo.jpg", jpeg, sizeof jpeg);
  char *gif_path = write_file(art, "anim.gif", "GIF89a....", 10);
  ac_document *doc = doc_with_headings("Cover");
  size_t size;
  rd_tag t;

  /* The option: APIC front cover, PNG, the file's bytes. */
  char *opt = NULL;
  opt = harness_fmt("cover=%s", png_path);
  const char *const with_cover[] = {opt, NULL};
  run r;
  run_init(&r);
  ck_assert_int_eq(render(&r, with_cover, doc, RATE, RATE, NULL, 0), 0);
  rd_load(r.mp3, &t);
  const unsigned char *b = rd_top(&t, "APIC", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(b[0], 0);
  ck_assert_str_eq((const char *)b + 1, "image/png");
  size_t at = 1 + strlen("image/png") + 1;
  ck_assert_uint_eq(b[at], 3);     /* front cover */
  ck_assert_uint_eq(b[at + 1], 0); /* empty description */
  ck_assert_uint_eq(size, at + 2 + sizeof png);
  ck_assert_int_eq(memcmp(b + at + 2, png, sizeof png), 0);
  ck_assert(has_info_frame(r.mp3, t.size));
  free(t.data);
  run_free(&r);

  /* The article's image, when a local JPEG in the article's own folder. */
  char *article = ac_path_join(art, "article.md");
  ac_set_string(&doc->source, article, (size_t)-1);
  ac_set_string(&doc->image, "photo.jpg", (size_t)-1);
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
  rd_load(r.mp3, &t);
  b = rd_top(&t, "APIC", 0, &size);
  ck_assert_ptr_nonnull(b);
  ck_assert_str_eq((const char *)b + 1, "image/jpeg");
  free(t.data);
  run_free(&r);

  /* An article image that is neither (or a URL) is skipped. */
  ac_set_string(&doc->image, "anim.gif", (size_t)-1);
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
  rd_load(r.mp3, &t);
  ck_assert_ptr_null(rd_top(&t, "APIC", 0, &size));
  free(t.data);
  run_free(&r);
  ac_set_string(&doc->image, "https://example.org/a.jpg", (size_t)-1);
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
  run_free(&r);

  /* A file elsewhere on the disk is never read for an article, whatever
   * names it: the show's default cover goes in instead, the render
   * succeeds, and nothing says whether the file exists. */
  char *outside = harness_tempdir();
  char *secret = write_file(outside, "secret.jpg", jpeg, sizeof jpeg);
  char *link = ac_path_join(art, "link.jpg");
  ck_assert_int_eq(symlink(secret, link), 0);
  char *file_url = harness_fmt("file://%s", secret);
  char *escape = harness_fmt("../%s/secret.jpg", strrchr(outside, '/') + 1);
  const char *hostile[] = {file_url,   secret,          escape,
                           "link.jpg", "/etc/hostname", "nonexistent.jpg"};
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    ac_set_string(&doc->image, hostile[i], (size_t)-1);
    run_init(&r);
    ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
    rd_load(r.mp3, &t);
    b = rd_top(&t, "APIC", 0, &size);
    ck_assert_msg(b && strcmp((const char *)b + 1, "image/png") == 0,
                  "%s: not the default cover", hostile[i]);
    free(t.data);
    run_free(&r);
  }
  /* Read from standard input or a URL, an article names no local file. */
  ac_set_string(&doc->image, "photo.jpg", (size_t)-1);
  const char *sources[] = {"-", "https://news.example.org/a/photo.html"};
  for (size_t i = 0; i < 2; i++) {
    ac_set_string(&doc->source, sources[i], (size_t)-1);
    run_init(&r);
    ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
    rd_load(r.mp3, &t);
    b = rd_top(&t, "APIC", 0, &size);
    ck_assert(b && strcmp((const char *)b + 1, "image/png") == 0);
    free(t.data);
    run_free(&r);
  }
  free(file_url);
  free(escape);
  free(link);
  free(secret);
  free(article);
  char *rm = harness_fmt("rm -rf '%s'", outside);
  harness_run(rm, NULL);
  free(rm);
  free(outside);

  /* A cover the user named must exist and be JPEG or PNG. */
  free(opt);
  opt = harness_fmt("cover=%s", gif_path);
  const char *const bad_cover[] = {opt, NULL};
  run_init(&r);
  ck_assert_int_ne(render(&r, bad_cover, doc, RATE, RATE, NULL, 0), 0);
  ck_assert_ptr_nonnull(strstr(r.err, "neither JPEG nor PNG"));
  ck_assert_int_eq(count_files(r.dir), 0);
  run_free(&r);

  free(opt);
  free(png_path);
  free(jpeg_path);
  free(gif_path);
  char *cmd = harness_fmt("rm -rf '%s'", art);
  harness_run(cmd, NULL);
  free(cmd);
  free(art);
  ac_document_free(doc);
}
END_TEST

/* Whether the mp3 stage can be created with these settings; the message
 * goes to err. */
static int creates(const char *const *settings, char *err, size_t errlen) {
  run r;
  run_init(&r);
  ac_document *doc = doc_with_headings("Options");
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ac_stage_instance *si = harness_stage("mp3", settings, &ep, err, errlen);
  int ok = si != NULL;
  ac_stage_free(si);
  ck_assert_int_eq(count_files(r.dir), 0); /* nothing left either way */
  ac_voice_free(&vp);
  ac_document_free(doc);
  run_free(&r);
  return ok;
}

START_TEST(options_are_checked) {
  char err[1024];
  static const char *const defaults[] = {NULL};
  ck_assert(creates(defaults, err, sizeof err));

  /* Below 56 kbps at 22.05 kHz LAME drops the Info tag: refused, with
   * the valid values. */
  static const char *const low[] = {"bitrate=48", NULL};
  ck_assert(!creates(low, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "56, 64, 80"));
  static const char *const low24[] = {"bitrate=56", "sample_rate=24000", NULL};
  ck_assert(!creates(low24, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "64, 80"));
  /* 144 kbps exists in MPEG-2 only, 320 in MPEG-1 only. */
  static const char *const mpeg1[] = {"bitrate=144", "sample_rate=44100", NULL};
  ck_assert(!creates(mpeg1, err, sizeof err));
  static const char *const mpeg2[] = {"bitrate=320", "sample_rate=22050", NULL};
  ck_assert(!creates(mpeg2, err, sizeof err));
  static const char *const odd_rate[] = {"sample_rate=32000", NULL};
  ck_assert(!creates(odd_rate, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "22050, 24000, 44100, 48000"));
  /* The core's range checks. */
  static const char *const tiny[] = {"bitrate=7", NULL};
  ck_assert(!creates(tiny, err, sizeof err));
  static const char *const q10[] = {"quality=10", NULL};
  ck_assert(!creates(q10, err, sizeof err));
  /* VBR has room for the tag whatever the bit rate option says. */
  static const char *const vbr[] = {"vbr=true", "bitrate=48", NULL};
  ck_assert(creates(vbr, err, sizeof err));
  static const char *const hi[] = {"bitrate=320", "sample_rate=48000", NULL};
  ck_assert(creates(hi, err, sizeof err));
}
END_TEST

START_TEST(resampled_and_vbr_keep_the_info_tag) {
  static const struct {
    const char *rate, *bitrate, *vbr;
    int out_rate;
  } cases[] = {{"sample_rate=44100", "bitrate=96", "vbr=false", 44100},
               {"sample_rate=48000", "bitrate=64", "vbr=false", 48000},
               {"sample_rate=24000", "bitrate=64", "vbr=false", 24000},
               {"sample_rate=0", "bitrate=64", "vbr=true", RATE}};
  size_t total = 3 * RATE + 101;
  ac_document *doc = doc_with_headings("Rates");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *const settings[] = {cases[i].rate, cases[i].bitrate,
                                    cases[i].vbr, NULL};
    run r;
    run_init(&r);
    ck_assert_msg(render(&r, settings, doc, total, RATE, NULL, 0) == 0,
                  "%s: %s", cases[i].rate, r.err);
    int rate;
    sf_count_t n = decode(r.mp3, &rate, NULL);
    ck_assert_int_eq(rate, cases[i].out_rate);
    double want = (double)total * cases[i].out_rate / RATE;
    ck_assert_msg(fabs((double)n - want) <= 2, "%s: %lld frames, want %.1f",
                  cases[i].rate, (long long)n, want);
    rd_tag t;
    rd_load(r.mp3, &t);
    ck_assert(has_info_frame(r.mp3, t.size));
    /* TLEN and chapters stay in the input's time. */
    expect_text(&t, "TLEN", "3005");
    free(t.data);
    run_free(&r);
  }
  ac_document_free(doc);
}
END_TEST

START_TEST(threaded_output_is_identical) {
  ac_document *doc = doc_with_headings("Threads");
  ac_mark marks[4 * N_BLOCK_MARKS];
  size_t n_marks = heading_marks(marks);
  run a, b;
  run_init(&a);
  run_init(&b);
  test_threads = 3;
  ck_assert_int_eq(render(&a, NULL, doc, TOTAL_FRAMES, RATE, marks, n_marks),
                   0);
  test_threads = 1;
  ck_assert_int_eq(render(&b, NULL, doc, TOTAL_FRAMES, RATE, marks, n_marks),
                   0);
  char *x, *y;
  size_t nx, ny;
  ck_assert_int_eq(ac_read_file(a.mp3, 0, &x, &nx), 0);
  ck_assert_int_eq(ac_read_file(b.mp3, 0, &y, &ny), 0);
  ck_assert_uint_eq(nx, ny);
  ck_assert(memcmp(x, y, nx) == 0);
  free(x);
  free(y);
  run_free(&a);
  run_free(&b);
  ac_document_free(doc);
}
END_TEST

START_TEST(no_temporary_file_survives) {
  ac_document *doc = doc_with_headings("Temp");
  ac_episode ep;
  ac_voice_profile vp;
  char err[1024];
  for (int m = 0; m < 2; m++) {
    const char *const *settings = NULL;
    test_threads = m == 0 ? 2 : 1;
    run r;
    run_init(&r);
    harness_episode(&ep, &vp, doc);
    ep.threads = test_threads;

    /* Destroyed without flush, mid-stream. */
    harness_sinks h;
    harness_sinks_init(&h, &ep, r.base);
    ac_stage_instance *si =
        harness_sink_stage(&h, "mp3", settings, err, sizeof err);
    ck_assert_msg(si != NULL, "%s", err);
    /* The encoded frames go to a scratch file with no name (O_TMPFILE). */
    ck_assert_int_eq(count_files(r.dir), 0);
    ck_assert_int_eq(feed(&h, si, 5 * RATE, RATE, NULL, 0), 0);
    ck_assert_int_eq(count_files(r.dir), 0);
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(r.dir), 0);

    /* A flush with no audio fails and leaves nothing. */
    harness_sinks_init(&h, &ep, r.base);
    si = harness_sink_stage(&h, "mp3", settings, err, sizeof err);
    ck_assert_int_eq(harness_sinks_flush(&h, si, err, sizeof err),
                     AC_ERR_EMPTY);
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(r.dir), 0);

    /* A stream whose sample rate changes is refused. */
    harness_sinks_init(&h, &ep, r.base);
    si = harness_sink_stage(&h, "mp3", settings, err, sizeof err);
    ck_assert_int_eq(feed(&h, si, 1000, RATE, NULL, 0), 0);
    ck_assert_int_ne(feed(&h, si, 1000, 16000, NULL, 0), 0);
    ck_assert_ptr_nonnull(strstr(ac_stage_error(si), "sample rate"));
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(r.dir), 0);

    /* An old episode is replaced whole. */
    char *old = write_file(r.dir, "ep.mp3", "old", 3);
    free(old);
    ck_assert_int_eq(render(&r, settings, doc, RATE, RATE, NULL, 0), 0);
    ck_assert_int_eq(count_files(r.dir), 1);
    rd_tag t;
    rd_load(r.mp3, &t);
    free(t.data);
    ac_voice_free(&vp);
    run_free(&r);
  }

  /* A missing output directory is created. */
  run r;
  run_init(&r);
  free(r.base);
  free(r.mp3);
  r.base = ac_path_join(r.dir, "episodes/deep/ep");
  r.mp3 = harness_fmt("%s.mp3", r.base);
  ck_assert_int_eq(render(&r, NULL, doc, RATE, RATE, NULL, 0), 0);
  ck_assert_int_eq(access(r.mp3, R_OK), 0);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

/* A file size limit makes the writes fail: first while encoding (in the
 * worker thread or not), then while writing the final file (a large cover
 * makes it bigger than the encoded audio). Nothing is left behind. */
START_TEST(write_failures_leave_nothing) {
  struct rlimit old;
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
  ac_document *doc = doc_with_headings("Full disk");
  struct rlimit lim = old;
  lim.rlim_cur = 64 * 1024;
  for (int m = 0; m < 2; m++) {
    const char *const *settings = NULL;
    test_threads = m == 0 ? 2 : 1;
    run r;
    run_init(&r);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = render(&r, settings, doc, 30 * RATE, RATE, NULL, 0);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert_int_eq(rc, AC_ERR_IO);
    ck_assert_msg(strstr(r.err, "File too large") != NULL, "%s", r.err);
    ck_assert_int_eq(count_files(r.dir), 0);
    run_free(&r);
  }

  /* 5 s of audio (about 40 KB) fit; the tag with a 100 KB cover does not. */
  char *art = harness_tempdir();
  size_t big = 100 * 1024;
  unsigned char *png = calloc(1, big);
  memcpy(png, "\x89PNG\r\n\x1a\n", 8);
  char *png_path = write_file(art, "big.png", png, big);
  free(png);
  char *opt = harness_fmt("cover=%s", png_path);
  const char *const settings[] = {opt, NULL};
  run r;
  run_init(&r);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
  int rc = render(&r, settings, doc, 5 * RATE, RATE, NULL, 0);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
  ck_assert_int_eq(rc, AC_ERR_IO);
  ck_assert_int_eq(count_files(r.dir), 0);
  ck_assert_uint_eq(r.n_artifacts, 0);
  run_free(&r);
  char *cmd = harness_fmt("rm -rf '%s'", art);
  harness_run(cmd, NULL);
  free(cmd);
  free(art);
  free(opt);
  free(png_path);
  ac_document_free(doc);
}
END_TEST

START_TEST(language_codes) {
  static const char *const cases[][2] = {
      {"en", "eng"},    {"en-GB", "eng"}, {"fr", "fra"},
      {"ur", "urd"},    {"de-AT", "deu"}, {"zh-Hant-TW", "zho"},
      {"EN_us", "eng"}, {"fil", "fil"},   {"yue-HK", "yue"},
      {"iw", "heb"},    {"nb", "nob"},    {"cy", "cym"}};
  char code[4];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ck_assert_msg(id3_language(cases[i][0], code) == 0, "%s", cases[i][0]);
    ck_assert_str_eq(code, cases[i][1]);
  }
  ck_assert_int_eq(id3_language(NULL, code), -1);
  ck_assert_int_eq(id3_language("", code), -1);
  ck_assert_int_eq(id3_language("x-klingon", code), -1);
  ck_assert_int_eq(id3_language("qq", code), -1);
  ck_assert_int_eq(id3_language("engl", code), -1);
}
END_TEST

/* ffprobe, a parser many tools share, agrees on chapters and duration. */
START_TEST(ffprobe_reads_chapters) {
  if (harness_run("command -v ffprobe >/dev/null 2>&1", NULL) != 0)
    return; /* not installed: nothing to compare with */
  ac_document *doc = doc_with_headings("Le pont");
  ac_mark marks[4 * N_BLOCK_MARKS];
  size_t n_marks = heading_marks(marks);
  run r;
  run_init(&r);
  ck_assert_int_eq(render(&r, NULL, doc, TOTAL_FRAMES, RATE, marks, n_marks),
                   0);
  char *cmd = NULL, *out = NULL;
  cmd = harness_fmt("ffprobe -v error -show_chapters -show_entries "
                    "format_tags=title,album,genre -of flat '%s'",
                    r.mp3);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_ptr_nonnull(
      strstr(out, "chapters.chapter.1.start_time=\"2.000000\""));
  ck_assert_ptr_nonnull(
      strstr(out, "chapters.chapter.2.tags.title=\"第二部分\""));
  ck_assert_ptr_nonnull(strstr(out, "format.tags.album=\"Test Show\""));
  ck_assert_ptr_nonnull(strstr(out, "format.tags.genre=\"Podcast\""));
  free(out);
  free(cmd);
  run_free(&r);
  ac_document_free(doc);
}
END_TEST

int main(void) {
  Suite *s = suite_create("mp3");
  TCase *t = tcase_create("mp3");
  tcase_add_test(t, decoded_length_is_exact);
  tcase_add_test(t, id3_text_frames);
  tcase_add_test(t, chapters_follow_headings);
  tcase_add_test(t, chapters_without_headings);
  tcase_add_test(t, cover_art);
  tcase_add_test(t, options_are_checked);
  tcase_add_test(t, resampled_and_vbr_keep_the_info_tag);
  tcase_add_test(t, threaded_output_is_identical);
  tcase_add_test(t, no_temporary_file_survives);
  tcase_add_test(t, write_failures_leave_nothing);
  tcase_add_test(t, language_codes);
  tcase_add_test(t, ffprobe_reads_chapters);
  suite_add_tcase(s, t);
  return harness_main(s);
}
