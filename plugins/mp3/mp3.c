/*
 * mp3: the podcast MP3 sink.
 *
 * Encodes the mono stream with LAME into an unnamed scratch file as it
 * arrives, segment by segment (segenc.h): each segment on its own, in
 * worker threads when the episode may use more than one, so that its
 * frames can be cached and joined to other segments' exactly. At flush,
 * when the length and the chapters (the host's timeline) are known, it
 * writes the episode's ".mp3" output: its own ID3v2.3 tag (title, author,
 * show, genre, date, language, length, comment, URL, cover, chapters), an
 * Info/LAME tag frame for the joined audio, and the audio. The host names
 * the file with the other sinks' once all are complete.
 *
 * When LAME must resample (sample_rate differs from the input's), segments
 * cannot be cut on frame boundaries: the stream is encoded in one piece
 * (encoder.h) and nothing is cached.
 */
#define _GNU_SOURCE /* asprintf */
#include "articast/plugin.h"
#include "cover.h"
#include "encoder.h"
#include "id3.h"
#include "outfile.h"
#include "segenc.h"

#include <errno.h>
#include <lame/lame.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A cover larger than this is almost certainly a mistake (directories ask
 * for at most a few hundred KiB) and would bloat every download. */
#define MAX_COVER_BYTES (8u << 20)

/* The output sample rates offered: Apple's table for mono speech. */
static const int allowed_rates[] = {22050, 24000, 44100, 48000};

typedef struct mp3_state {
  int part;       /* scratch: the encoded frames, without tags */
  segenc *seg;    /* segmented encoding, or */
  mp3enc *enc;    /* one piece; both NULL until the rate is known */
  uint32_t index; /* the segment being received */
  int last;       /* it is the last */
  int begun;      /* segenc_begin was called for it */
  int in_rate, out_rate;
  uint64_t frames;      /* samples received */
  unsigned char *cover; /* picture bytes, or NULL */
  size_t cover_len;
  const char *cover_mime;
  /* The default cover, drawn beside the synthesis when the episode may
   * use two threads; it is needed only for the tag, at flush. */
  pthread_t drawer;
  bool drawing;
  char *cover_seed;
  int cover_rc;
  char cover_why[256];
  int failed; /* a write failed: later chunks are refused */
} mp3_state;

typedef struct mp3_priv {
  /* options */
  int bitrate;
  int quality;
  int sample_rate;
  int vbr;
  int vbr_quality;
  int chapters;
  const char *cover;
  const char *comment;
  /* state */
  mp3_state *s;
} mp3_priv;

static const ac_option mp3_options[] = {
    {"bitrate", AC_OPT_INT, offsetof(mp3_priv, bitrate), "64", 32, 320, NULL,
     "CBR kbps; at least 56 at 22.05/44.1 kHz and 64 at 24/48 kHz (LAME drops "
     "the Info tag below), at most 160 at 22.05/24 kHz"},
    /* LAME's quality 7 skips the psychoacoustic noise shaping of 0..6: on
     * 458 s of espeak-ng speech at 64 kbps it encodes in 0.60 s against
     * 1.15 s at 5 and 1.33 s at 3, the same size (CBR), and its plain SNR
     * is even higher (24.5 dB against 22.5 and 22.1). espeak-ng's formant
     * speech holds nothing the perceptual model would spend bits better
     * on; 8 and 9 are the same speed as 7. */
    {"quality", AC_OPT_INT, offsetof(mp3_priv, quality), "7", 0, 9, NULL,
     "LAME algorithm quality, 0 slowest .. 9 fastest; 7 is twice as fast as "
     "3 and as good on synthetic speech"},
    {"sample_rate", AC_OPT_INT, offsetof(mp3_priv, sample_rate), "0", 0, 48000,
     NULL,
     "output Hz: 22050, 24000, 44100 or 48000 (LAME resamples); 0 keeps the "
     "input rate (espeak-ng: 22050)"},
    {"vbr", AC_OPT_BOOL, offsetof(mp3_priv, vbr), "false", 0, 0, NULL,
     "variable bit rate at vbr_quality instead of CBR at bitrate"},
    {"vbr_quality", AC_OPT_INT, offsetof(mp3_priv, vbr_quality), "5", 0, 9,
     NULL, "VBR quality, 0 best .. 9 smallest (with vbr=true)"},
    {"chapters", AC_OPT_BOOL, offsetof(mp3_priv, chapters), "true", 0, 0, NULL,
     "write ID3 chapters (CHAP, CTOC) from the headings"},
    {"cover", AC_OPT_PATH, offsetof(mp3_priv, cover), NULL, 0, 0, NULL,
     "JPEG or PNG cover art; default: the article's image if a local file"},
    {"comment", AC_OPT_STRING, offsetof(mp3_priv, comment), NULL, 0, 0, NULL,
     "ID3 comment; default: the summary and a synthetic-voice disclosure"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* ---- Helpers ------------------------------------------------------------ */

static int nonempty(const char *s) {
  return s && *s;
}

/* Frames to whole milliseconds, rounded, saturating at UINT32_MAX (the
 * width of ID3 times, about 49 days). */
static uint32_t to_ms(uint64_t frames, int rate) {
  uint64_t r = rate > 0 ? (uint64_t)rate : 1;
  uint64_t ms = frames / r * 1000 + (frames % r * 1000 + r / 2) / r;
  return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Reads a whole regular file of at most `max` bytes. Returns 0, or an errno
 * value (EFBIG when larger than max). */
static int read_small_file(const char *path, size_t max, unsigned char **data,
                           size_t *len) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return errno;
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    fclose(f);
    return EINVAL;
  }
  if ((unsigned long long)sb.st_size > max) {
    fclose(f);
    return EFBIG;
  }
  size_t n = (size_t)sb.st_size;
  unsigned char *buf = malloc(n ? n : 1);
  if (!buf) {
    fclose(f);
    return ENOMEM;
  }
  if (fread(buf, 1, n, f) != n) {
    int e = ferror(f) ? EIO : EINVAL;
    free(buf);
    fclose(f);
    return e;
  }
  fclose(f);
  *data = buf;
  *len = n;
  return 0;
}

/* Whether `ref` has a URL scheme ("https:", "file:", "data:"): a word of
 * letters, digits, '+', '-' or '.' before a colon. */
static int has_scheme(const char *ref) {
  size_t n = strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789+-.");
  return n > 0 && ref[n] == ':';
}

/* The file an article's image names, when articast may read it: only an
 * article read from a local file may name one, and only inside that
 * file's own folder (the operator put the article there; a page's
 * metadata must never make articast publish a file from elsewhere on the
 * disk). Returns the real path (malloc'd), or NULL; *refused says it was
 * a local reference that broke those rules. The answer is the same
 * whether or not a file is there, so a refusal tells nothing about the
 * disk. */
static char *article_image(const char *ref, const char *source, int *refused) {
  *refused = 0;
  if (!nonempty(ref) || (has_scheme(ref) && strncasecmp(ref, "file:", 5) != 0))
    return NULL; /* empty, or a URL the feed points at */
  *refused = 1;
  if (has_scheme(ref) || !nonempty(source) || strcmp(source, "-") == 0 ||
      has_scheme(source))
    return NULL;
  const char *slash = strrchr(source, '/');
  char *dir =
      slash ? strndup(source, (size_t)(slash - source) + 1) : strdup("./");
  char *real_dir = dir ? realpath(dir, NULL) : NULL;
  char *joined = NULL;
  if (real_dir && asprintf(&joined, "%s/%s", real_dir, ref) < 0)
    joined = NULL;
  char *real = joined && ref[0] != '/' ? realpath(joined, NULL) : NULL;
  size_t k = real_dir ? strlen(real_dir) : 0;
  struct stat sb;
  int inside = real && strncmp(real, real_dir, k) == 0 && real[k] == '/' &&
               stat(real, &sb) == 0 && S_ISREG(sb.st_mode);
  free(dir);
  free(real_dir);
  free(joined);
  if (!inside) {
    free(real);
    return NULL;
  }
  *refused = 0;
  return real;
}

static void *draw_cover(void *arg) {
  mp3_state *s = arg;
  s->cover_rc =
      ac_cover_draw_default(AC_COVER_DEFAULT_SIZE, s->cover_seed, &s->cover,
                            &s->cover_len, s->cover_why, sizeof s->cover_why);
  return NULL;
}

/* Waits for the default cover being drawn, if it is. */
static void await_cover(ac_stage *st, mp3_state *s) {
  if (!s->drawing)
    return;
  pthread_join(s->drawer, NULL);
  s->drawing = false;
  if (s->cover_rc != 0)
    st->host->log(st, AC_LOG_WARN, "no default cover: %s", s->cover_why);
}

/* The show's cover when it is a local file, else the default cover drawn
 * for the show (the same image the feed publishes as SITE/cover.png, drawn
 * here in memory: the episode's bytes must not depend on what the site
 * holds), so every episode carries art a podcast app can show. */
static int show_cover(ac_stage *st, mp3_state *s) {
  const ac_show *show = st->episode->show;
  char why[256];
  ac_cover_info info;
  if (show && nonempty(show->image) && access(show->image, R_OK) == 0) {
    if (ac_cover_load(show->image, &s->cover, &s->cover_len, &info, why,
                      sizeof why) == 0) {
      s->cover_mime = info.mime_type;
      return 0;
    }
    st->host->log(st, AC_LOG_WARN, "not embedding the show image: %s", why);
    return 0;
  }
  if (show && nonempty(show->image))
    return 0; /* a URL: the feed points at it; nothing local to embed */
  if (show && show->title && !(s->cover_seed = strdup(show->title)))
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  s->cover_mime = "image/png";
  /* With one thread for the episode, everything stays on one core. */
  s->drawing = st->episode->threads > 1 &&
               pthread_create(&s->drawer, NULL, draw_cover, s) == 0;
  if (!s->drawing) {
    draw_cover(s);
    if (s->cover_rc != 0)
      st->host->log(st, AC_LOG_WARN, "no default cover: %s", s->cover_why);
  }
  return 0;
}

/* Loads the cover: the `cover` option (whose problems fail the stage: the
 * user asked for it), else the article's image when it is a local JPEG or
 * PNG (skipped with a warning otherwise). */
static int load_cover(ac_stage *st, mp3_priv *p) {
  mp3_state *s = p->s;
  const ac_document *doc = st->episode->doc;
  const char *explicit_path = nonempty(p->cover) ? p->cover : NULL;
  int refused = 0;
  char *path = explicit_path
                   ? strdup(explicit_path)
                   : article_image(doc ? doc->image : NULL,
                                   doc ? doc->source : NULL, &refused);
  if (!path && explicit_path)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (refused)
    st->host->log(st, AC_LOG_WARN,
                  "not embedding the article's image: an article names only "
                  "images in its own folder");
  if (!path)
    return show_cover(st, s);
  int e = read_small_file(path, MAX_COVER_BYTES, &s->cover, &s->cover_len);
  const char *mime = e == 0 ? id3_image_mime(s->cover, s->cover_len) : NULL;
  if (e == 0 && mime) {
    s->cover_mime = mime;
    free(path);
    return 0;
  }
  char why[128];
  if (e == EFBIG)
    snprintf(why, sizeof why, "larger than %u MiB", MAX_COVER_BYTES >> 20);
  else if (e != 0)
    snprintf(why, sizeof why, "%s", strerror(e));
  else
    snprintf(why, sizeof why, "neither JPEG nor PNG");
  free(s->cover);
  s->cover = NULL;
  s->cover_len = 0;
  int rc = 0;
  if (explicit_path)
    rc = st->host->fail(st, AC_ERR_INVALID, "cover %s: %s", path, why);
  else
    st->host->log(st, AC_LOG_WARN, "not embedding the image %s: %s", path, why);
  free(path);
  return rc;
}

/* The MP3 rate for an input rate: the option when set, else the input rate
 * when it is one of ours, else the next one up (48000 at most). */
static int output_rate(const mp3_priv *p, int in_rate) {
  if (p->sample_rate)
    return p->sample_rate;
  for (size_t i = 0; i < sizeof allowed_rates / sizeof *allowed_rates; i++)
    if (allowed_rates[i] >= in_rate)
      return allowed_rates[i];
  return 48000;
}

/* Checks the bit rate against the output rate: a valid MPEG rate, with
 * room for the Info tag. */
static int check_bitrate(ac_stage *st, const mp3_priv *p, int rate) {
  if (p->vbr)
    return 0;
  const int *table = mp3enc_bitrates(rate);
  int ok = 0;
  char list[160] = "";
  size_t used = 0;
  for (size_t i = 0; table && table[i]; i++) {
    if (!mp3enc_info_tag_fits(rate, table[i]))
      continue;
    if (table[i] == p->bitrate)
      ok = 1;
    int n = snprintf(list + used, sizeof list - used, "%s%d", used ? ", " : "",
                     table[i]);
    if (n > 0 && (size_t)n < sizeof list - used)
      used += (size_t)n;
  }
  if (ok)
    return 0;
  return st->host->fail(st, AC_ERR_INVALID,
                        "bitrate %d kbps is not valid at %d Hz; valid values "
                        "are %s (lower rates leave no room for the Info tag)",
                        p->bitrate, rate, list);
}

/* ---- Stage -------------------------------------------------------------- */

static int mp3_create(ac_stage *st) {
  mp3_priv *p = st->priv;
  if (!st->episode)
    return st->host->fail(st, AC_ERR_INVALID, "the stage needs an episode");
  if (p->sample_rate) {
    int ok = 0;
    for (size_t i = 0; i < sizeof allowed_rates / sizeof *allowed_rates; i++)
      ok |= allowed_rates[i] == p->sample_rate;
    if (!ok)
      return st->host->fail(st, AC_ERR_INVALID,
                            "sample_rate %d is not offered; valid values are "
                            "0 (the input rate), 22050, 24000, 44100, 48000",
                            p->sample_rate);
    /* Known now: refuse a bad bit rate before any synthesis. */
    int rc = check_bitrate(st, p, p->sample_rate);
    if (rc)
      return rc;
  } else if (!p->vbr && !mp3enc_info_tag_fits(22050, p->bitrate)) {
    /* Below 56 kbps no rate we offer keeps the Info tag. */
    return check_bitrate(st, p, 22050);
  }

  /* The encoder's version is part of what a cached segment depends on. */
  char salt[128];
  snprintf(salt, sizeof salt, "LAME %s", get_lame_version());
  if (st->host->cache_salt(st, salt) != 0)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");

  mp3_state *s = calloc(1, sizeof *s);
  if (!s)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  p->s = s;
  s->last = 1; /* until the host says there are segments */
  s->part = -1;
  int rc = load_cover(st, p);
  if (rc)
    return rc;
  if ((s->part = outfile_scratch("mp3")) < 0)
    return st->host->fail(st, AC_ERR_IO,
                          "cannot create a scratch file in $TMPDIR: %s",
                          strerror(errno));
  return 0;
}

static void mp3_destroy(ac_stage *st) {
  mp3_priv *p = st->priv;
  mp3_state *s = p ? p->s : NULL;
  if (!s)
    return;
  if (s->drawing)
    pthread_join(s->drawer, NULL);
  mp3enc_close(s->enc);
  segenc_close(s->seg);
  if (s->part >= 0)
    close(s->part);
  free(s->cover);
  free(s->cover_seed);
  free(s);
  p->s = NULL;
}

/* A write failure in the encoder is an output error; the rest is LAME's. */
static int encoder_error(const char *why) {
  return strstr(why, "cannot write") ? AC_ERR_IO : AC_ERR_ENGINE;
}

/* Starts LAME once the first chunk (or cached segment) tells the rate. */
static int start_encoder(ac_stage *st, mp3_priv *p, int in_rate) {
  mp3_state *s = p->s;
  if (in_rate <= 0)
    return st->host->fail(st, AC_ERR_FORMAT, "chunk with sample rate %d",
                          in_rate);
  s->in_rate = in_rate;
  s->out_rate = output_rate(p, in_rate);
  int rc = check_bitrate(st, p, s->out_rate);
  if (rc)
    return rc;
  /* Workers beside the synthesizer's thread when the episode may use more
   * than one core; the bytes are the same either way. */
  int threads = st->episode->threads > 1 ? st->episode->threads : 0;
  char err[256];
  if (s->out_rate == in_rate) {
    segenc_config cfg = {.rate = in_rate,
                         .bitrate = p->bitrate,
                         .quality = p->quality,
                         .vbr = p->vbr,
                         .vbr_quality = p->vbr_quality,
                         .workers = threads};
    s->seg = segenc_open(&cfg, s->part, err, sizeof err);
    if (!s->seg)
      return st->host->fail(st, AC_ERR_ENGINE, "%s", err);
    return 0;
  }
  mp3enc_config cfg = {.in_rate = in_rate,
                       .out_rate = s->out_rate,
                       .bitrate = p->bitrate,
                       .quality = p->quality,
                       .vbr = p->vbr,
                       .vbr_quality = p->vbr_quality,
                       .threaded = threads > 0};
  s->enc = mp3enc_open(&cfg, s->part, err, sizeof err);
  if (!s->enc)
    return st->host->fail(st, AC_ERR_ENGINE, "%s", err);
  st->host->log(st, AC_LOG_DEBUG,
                "resampling %d -> %d Hz: one piece, no segment cache", in_rate,
                s->out_rate);
  return 0;
}

static int mp3_begin_segment(ac_stage *st, const ac_segment *seg) {
  mp3_priv *p = st->priv;
  p->s->index = seg->index;
  p->s->last = seg->is_last;
  p->s->begun = 0;
  return 0;
}

static int mp3_end_segment(ac_stage *st, const ac_segment *seg) {
  mp3_priv *p = st->priv;
  mp3_state *s = p->s;
  char err[256];
  if (s->seg && s->begun) {
    s->begun = 0;
    if (segenc_end(s->seg, err, sizeof err) != 0) {
      s->failed = 1;
      return st->host->fail(st, encoder_error(err), "%s", err);
    }
  }
  /* A silent segment has no frames; one with audio is stored at flush,
   * once its frames are written. */
  if (seg->n_samples == 0)
    return st->host->cache_put(st, seg->index, NULL, 0);
  return 0;
}

static int mp3_replay_segment(ac_stage *st, const ac_segment *seg) {
  mp3_priv *p = st->priv;
  mp3_state *s = p->s;
  if (seg->n_samples == 0)
    return 0;
  if (!s->seg && !s->enc) {
    int rc = start_encoder(st, p, seg->sample_rate);
    if (rc)
      return rc;
  }
  if (!s->seg || seg->sample_rate != s->in_rate)
    return st->host->fail(st, AC_ERR_INVALID,
                          "a cached segment does not fit this stream");
  char err[256];
  if (segenc_add_frames(s->seg, seg->index, seg->is_last, seg->cached,
                        seg->cached_len, seg->n_samples, err, sizeof err) != 0)
    return st->host->fail(st, AC_ERR_FORMAT, "%s", err);
  s->frames += seg->n_samples;
  return 0;
}

static int mp3_process_audio(ac_stage *st, const ac_chunk *chunk) {
  mp3_priv *p = st->priv;
  mp3_state *s = p->s;
  if (s->failed)
    return st->host->fail(st, AC_ERR_IO, "an earlier write failed");
  if (!s->enc && !s->seg) {
    int rc = start_encoder(st, p, chunk->sample_rate);
    if (rc)
      return rc;
  } else if (chunk->sample_rate != s->in_rate) {
    return st->host->fail(st, AC_ERR_FORMAT,
                          "the sample rate changed from %d to %d Hz",
                          s->in_rate, chunk->sample_rate);
  }
  if (chunk->n_samples == 0)
    return 0;
  char err[256];
  if (s->seg && !s->begun) {
    if (segenc_begin(s->seg, s->index, s->last, err, sizeof err) != 0) {
      s->failed = 1;
      return st->host->fail(st, AC_ERR_ENGINE, "%s", err);
    }
    s->begun = 1;
  }
  int rc = s->seg ? segenc_write(s->seg, chunk->samples, chunk->n_samples, err,
                                 sizeof err)
                  : mp3enc_write(s->enc, chunk->samples, chunk->n_samples, err,
                                 sizeof err);
  if (rc != 0) {
    s->failed = 1;
    return st->host->fail(st, AC_ERR_IO, "%s", err);
  }
  s->frames += chunk->n_samples;
  return 0;
}

/* The album: the show's title, else the article's site, else "articast". */
static void album_title(const ac_episode *ep, char *buf, size_t len) {
  if (ep->show && nonempty(ep->show->title)) {
    snprintf(buf, len, "%s", ep->show->title);
    return;
  }
  const char *url = ep->doc ? ep->doc->url : NULL;
  const char *host = url ? strstr(url, "://") : NULL;
  if (host) {
    host += 3;
    if (strncmp(host, "www.", 4) == 0)
      host += 4;
    size_t n = strcspn(host, "/?#:");
    if (n > 0 && n < len) {
      memcpy(buf, host, n);
      buf[n] = '\0';
      return;
    }
  }
  snprintf(buf, len, "articast");
}

/* TYER (YYYY), TDAT (DDMM) and TIME (HHMM) from an ISO 8601 date or
 * date-time: ID3v2.3 has no TDRC. */
static void add_date(id3_writer *tag, const char *date) {
  if (!date)
    return;
  const char *d = date;
  int digits = 0;
  while (d[digits] >= '0' && d[digits] <= '9')
    digits++;
  if (digits != 4)
    return;
  char buf[5];
  memcpy(buf, d, 4);
  buf[4] = '\0';
  id3_add_text(tag, "TYER", buf);
  /* -MM-DD */
  if (strlen(d) < 10 || d[4] != '-' || d[7] != '-')
    return;
  char ddmm[5] = {d[8], d[9], d[5], d[6], '\0'};
  for (int i = 0; i < 4; i++)
    if (ddmm[i] < '0' || ddmm[i] > '9')
      return;
  id3_add_text(tag, "TDAT", ddmm);
  /* THH:MM */
  if (strlen(d) < 16 || (d[10] != 'T' && d[10] != ' ') || d[13] != ':')
    return;
  char hhmm[5] = {d[11], d[12], d[14], d[15], '\0'};
  for (int i = 0; i < 4; i++)
    if (hhmm[i] < '0' || hhmm[i] > '9')
      return;
  id3_add_text(tag, "TIME", hhmm);
}

/* The comment: the option, else the summary and a disclosure that the
 * narration is synthetic (podcast directories ask for one). */
static char *comment_text(const ac_stage *st, const mp3_priv *p) {
  if (nonempty(p->comment))
    return strdup(p->comment);
  const ac_document *doc = st->episode->doc;
  const ac_voice *v = st->episode->voice;
  char voice[128] = "";
  if (v && nonempty(v->name))
    snprintf(voice, sizeof voice, ", voice %s", v->name);
  const char *summary = doc && nonempty(doc->summary) ? doc->summary : NULL;
  const char *url = doc && nonempty(doc->url) ? doc->url : NULL;
  size_t n = (summary ? strlen(summary) : 0) + (url ? strlen(url) : 0) +
             strlen(voice) + 128;
  char *out = malloc(n);
  if (!out)
    return NULL;
  snprintf(out, n, "%s%sNarrated by a synthetic voice (espeak-ng%s)%s%s.",
           summary ? summary : "", summary ? "\n\n" : "", voice,
           url ? " from " : "", url ? url : "");
  return out;
}

/* CHAP frames for the host's chapters, and a CTOC listing them. */
static int add_chapters(ac_stage *st, id3_writer *tag, int rate) {
  const ac_timeline *t = st->episode->timeline;
  if (!t || t->n_chapters == 0)
    return 0;
  /* A CTOC counts its entries in one byte: keep the first 255. */
  size_t n = t->n_chapters;
  if (n > 255) {
    st->host->log(st, AC_LOG_WARN,
                  "%zu chapters: writing the first 255 (the ID3 limit)", n);
    n = 255;
  }
  char(*ids)[8] = malloc(n * sizeof *ids);
  const char **children = malloc(n * sizeof *children);
  if (!ids || !children) {
    free(ids);
    free(children);
    return AC_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    snprintf(ids[i], sizeof ids[i], "chp%u", (unsigned)(i & 0xFF));
    children[i] = ids[i];
  }
  id3_add_toc(tag, "toc", ID3_CTOC_TOP_LEVEL | ID3_CTOC_ORDERED, children, n,
              NULL);
  for (size_t i = 0; i < n; i++) {
    uint64_t end = i + 1 == n ? t->n_samples : t->chapters[i].end;
    id3_add_chapter(tag, ids[i], to_ms(t->chapters[i].start, rate),
                    to_ms(end, rate), t->chapters[i].title);
  }
  free(ids);
  free(children);
  return 0;
}

/* Builds the whole ID3v2.3 tag. Returns 0 or an ac_error. */
static int build_tag(ac_stage *st, mp3_priv *p, unsigned char **out,
                     size_t *out_len) {
  mp3_state *s = p->s;
  const ac_episode *ep = st->episode;
  const ac_document *doc = ep->doc;
  await_cover(st, s);
  id3_writer tag;
  id3_writer_init(&tag);
  int rc = 0;

  id3_add_text(&tag, "TIT2",
               doc && nonempty(doc->title) ? doc->title : ep->slug);
  const char *author = doc && nonempty(doc->author) ? doc->author : NULL;
  if (!author && ep->show)
    author = ep->show->author;
  id3_add_text(&tag, "TPE1", author);
  char album[256];
  album_title(ep, album, sizeof album);
  id3_add_text(&tag, "TALB", album);
  if (ep->show)
    id3_add_text(&tag, "TPE2", ep->show->author);
  id3_add_text(&tag, "TCON", "Podcast");
  add_date(&tag, doc ? doc->date : NULL);

  char lang[4] = "XXX";
  const char *bcp47 = doc && nonempty(doc->language) ? doc->language : NULL;
  if (!bcp47 && ep->voice)
    bcp47 = ep->voice->language;
  if (!bcp47 && ep->show)
    bcp47 = ep->show->language;
  if (id3_language(bcp47, lang) == 0)
    id3_add_text(&tag, "TLAN", lang);

  char num[32];
  snprintf(num, sizeof num, "%lu", (unsigned long)to_ms(s->frames, s->in_rate));
  id3_add_text(&tag, "TLEN", num);

  char *comment = comment_text(st, p);
  if (!comment)
    rc = AC_ERR_NOMEM;
  id3_add_comment(&tag, lang, "", comment);
  free(comment);
  if (doc)
    id3_add_user_url(&tag, "", doc->url);

  char encoder[128];
  if (p->vbr)
    snprintf(encoder, sizeof encoder, "LAME %s VBR quality %d",
             get_lame_version(), p->vbr_quality);
  else
    snprintf(encoder, sizeof encoder, "LAME %s %d kbps CBR", get_lame_version(),
             p->bitrate);
  id3_add_text(&tag, "TSSE", encoder);

  if (p->chapters && rc == 0)
    rc = add_chapters(st, &tag, s->in_rate);

  /* Last: readers that stop early still find the text frames. */
  if (s->cover)
    id3_add_picture(&tag, s->cover_mime, ID3_PICTURE_FRONT_COVER, "", s->cover,
                    s->cover_len);

  if (rc == 0 && id3_writer_finish(&tag, 0, out, out_len) != 0)
    rc = AC_ERR_NOMEM;
  id3_writer_free(&tag);
  if (rc != 0)
    return st->host->fail(st, rc,
                          "cannot build the ID3 tag: out of memory or too "
                          "large");
  return 0;
}

/* Copies the encoded frames after the tag in the final file. */
static int copy_audio(int from, int to, uint64_t bytes, char *err,
                      size_t errlen) {
  static const size_t block = 1u << 16;
  char *buf = malloc(block);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  uint64_t at = 0;
  int rc = 0;
  while (at < bytes) {
    size_t want = bytes - at < block ? (size_t)(bytes - at) : block;
    ssize_t r = pread(from, buf, want, (off_t)at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      snprintf(err, errlen, "cannot read back the encoded audio: %s",
               r < 0 ? strerror(errno) : "file shrank");
      rc = -1;
      break;
    }
    if (outfile_write(to, buf, (size_t)r, -1) != 0) {
      snprintf(err, errlen, "cannot write the MP3: %s", strerror(errno));
      rc = -1;
      break;
    }
    at += (uint64_t)r;
  }
  free(buf);
  return rc;
}

/* Encodes what is left and builds the Info tag frame. The tag goes at
 * offset *tag_at of the audio: 0 over LAME's placeholder in one-piece
 * mode, or before the audio (*tag_at = -1) in segmented mode. */
static int finish_audio(ac_stage *st, mp3_state *s, unsigned char *info,
                        size_t cap, size_t *info_len, uint64_t *audio_bytes,
                        int *before) {
  char err[512];
  if (s->enc) {
    int rc = mp3enc_finish(s->enc, info, cap, info_len, audio_bytes, err,
                           sizeof err);
    mp3enc_close(s->enc);
    s->enc = NULL;
    *before = 0;
    return rc ? st->host->fail(st, AC_ERR_ENGINE, "%s", err) : 0;
  }
  const segenc_record *rec;
  size_t n_rec;
  uint64_t frames;
  /* Without segments from the host, the stream is one segment. */
  if (s->begun && segenc_end(s->seg, err, sizeof err) != 0)
    return st->host->fail(st, encoder_error(err), "%s", err);
  s->begun = 0;
  if (segenc_finish(s->seg, &rec, &n_rec, audio_bytes, &frames, err,
                    sizeof err) != 0)
    return st->host->fail(st, encoder_error(err), "%s", err);
  *before = 1;
  *info_len = segenc_info_tag(s->seg, s->part, *audio_bytes, frames, s->frames,
                              info, cap, err, sizeof err);
  if (*info_len == 0)
    return st->host->fail(st, AC_ERR_ENGINE, "%s", err);
  /* The segments encoded this time go to the cache, each as the frames of
   * its parts, which lie one after the other. */
  unsigned char *buf = NULL;
  size_t buf_cap = 0;
  for (size_t i = 0, j; i < n_rec; i = j) {
    uint64_t length = 0;
    for (j = i; j < n_rec && rec[j].index == rec[i].index; j++)
      length += rec[j].length;
    if (rec[i].from_cache)
      continue;
    if (length > buf_cap) {
      unsigned char *grown = realloc(buf, (size_t)length);
      if (!grown)
        break;
      buf = grown;
      buf_cap = (size_t)length;
    }
    if (length && pread(s->part, buf, (size_t)length, (off_t)rec[i].offset) !=
                      (ssize_t)length)
      break;
    st->host->cache_put(st, rec[i].index, buf, (size_t)length);
  }
  free(buf);
  return 0;
}

static int mp3_flush(ac_stage *st) {
  mp3_priv *p = st->priv;
  mp3_state *s = p->s;
  if (s->frames == 0 || (!s->enc && !s->seg))
    return st->host->fail(st, AC_ERR_EMPTY, "no audio reached the mp3 sink");

  char err[512];
  unsigned char info[4096]; /* a frame is at most 2,880 bytes */
  size_t info_len = 0;
  uint64_t audio_bytes = 0;
  int before = 0;
  int rc =
      finish_audio(st, s, info, sizeof info, &info_len, &audio_bytes, &before);
  unsigned char *tag = NULL;
  size_t tag_len = 0;
  if (rc == 0)
    rc = build_tag(st, p, &tag, &tag_len);
  int fd = rc == 0 ? st->host->open_output(st, ".mp3") : -1;
  if (rc == 0 && fd < 0)
    rc = fd;
  if (rc == 0 && (outfile_write(fd, tag, tag_len, -1) != 0 ||
                  (before && outfile_write(fd, info, info_len, -1)))) {
    snprintf(err, sizeof err, "cannot write the MP3: %s", strerror(errno));
    rc = st->host->fail(st, AC_ERR_IO, "%s", err);
  }
  if (rc == 0 && copy_audio(s->part, fd, audio_bytes, err, sizeof err) != 0)
    rc = st->host->fail(st, AC_ERR_IO, "%s", err);
  /* One piece: the Info tag replaces LAME's placeholder, the first audio
   * frame. */
  if (rc == 0 && !before &&
      outfile_write(fd, info, info_len, (long long)tag_len) != 0)
    rc = st->host->fail(st, AC_ERR_IO, "cannot write the MP3: %s",
                        strerror(errno));
  free(tag);
  segenc_close(s->seg);
  s->seg = NULL;
  if (rc != 0)
    return rc;
  double seconds = (double)s->frames / s->in_rate;
  st->host->log(st, AC_LOG_INFO, "encoded %.1f s of audio", seconds);
  return st->host->finish_output(st, fd, "audio/mpeg", AC_ROLE_AUDIO, seconds);
}

static const char *const mp3_extensions[] = {".mp3", NULL};

static const ac_plugin mp3_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "mp3",
    .version = "2.0",
    .description = "MP3 episode (LAME, mono) with ID3v2.3 tags and chapters",
    .kind = AC_STAGE_SINK,
    .priv_size = sizeof(mp3_priv),
    .options = mp3_options,
    .create = mp3_create,
    .destroy = mp3_destroy,
    .begin_segment = mp3_begin_segment,
    .process_audio = mp3_process_audio,
    .end_segment = mp3_end_segment,
    .replay_segment = mp3_replay_segment,
    .flush = mp3_flush,
    .extensions = mp3_extensions,
};

AC_PLUGIN_EXPORT(mp3_plugin)
