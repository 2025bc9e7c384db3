/* Segment encoding with LAME; see segenc.h. */
#include "segenc.h"

#include "encoder.h"

#include "articast/plugin.h"
#include "outfile.h"

#include <errno.h>
#include <lame/lame.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PCM blocks (of at most AC_MAX_CHUNK frames, 64 KiB) queued for the
 * workers: 2 MiB absorbs the synthesizer's bursts while keeping memory
 * bounded whatever the segment's length. */
#define QUEUE_LIMIT 32
#define MAX_WORKERS 16

typedef struct block {
  struct block *next;
  size_t n;
  float x[];
} block;

typedef struct job {
  struct job *next;
  uint32_t index;
  int last;       /* keep every frame at the end */
  int zero_roll;  /* starts with ROLL zeros (a segment's first part); else
                     its first ROLL input samples are the part before's */
  int taken;      /* a worker encodes it */
  int input_done; /* every sample is in */
  int done;       /* out holds the frames to write */
  int from_cache;
  block *head, *tail;
  uint64_t samples; /* of the part itself, without pre- and post-roll */
  lame_global_flags *gf;
  unsigned char *raw; /* LAME's output, pre-roll frames included */
  size_t raw_len, raw_cap;
  size_t out_at, out_len; /* the frames kept, in raw */
  uint64_t frames;
} job;

struct segenc {
  segenc_config cfg;
  int fd;
  int fs; /* samples per frame */
  pthread_mutex_t mu;
  pthread_cond_t work;  /* a job or input arrived, or stopping */
  pthread_cond_t space; /* the queue has room, or a failure */
  pthread_cond_t done;  /* a job was written, or a failure */
  pthread_t threads[MAX_WORKERS];
  int n_threads;
  job *first, *tail;       /* jobs not yet written, in order */
  job *cur;                /* the part the caller feeds */
  job *prev;               /* the part before, still taking its post-roll */
  size_t post_left;        /* samples of post-roll prev still needs */
  uint32_t index;          /* the segment being fed */
  int last;                /* it is the last */
  float roll[SEGENC_ROLL]; /* the segment's latest samples, a ring */
  size_t roll_at, roll_n;
  size_t queued;
  int stopping;
  int failed;
  char err[256];
  uint64_t bytes, frames; /* written */
  segenc_record *records;
  size_t n_records, cap_records;
};

/* ---- Frames ------------------------------------------------------------- */

size_t segenc_frame_length(const unsigned char h[4], int *samples) {
  static const int kbps[2][16] = {
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}};
  static const int rates[4][3] = {{11025, 12000, 8000},
                                  {0, 0, 0},
                                  {22050, 24000, 16000},
                                  {44100, 48000, 32000}};
  if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0)
    return 0;
  int version = (h[1] >> 3) & 3, layer = (h[1] >> 1) & 3;
  int br = h[2] >> 4, sr = (h[2] >> 2) & 3, pad = (h[2] >> 1) & 1;
  if (version == 1 || layer != 1 || br == 0 || br == 15 || sr == 3)
    return 0;
  int mpeg1 = version == 3;
  int rate = rates[version][sr];
  if (samples)
    *samples = mpeg1 ? 1152 : 576;
  return (size_t)((mpeg1 ? 144000 : 72000) * kbps[mpeg1][br] / rate + pad);
}

/* CRC-16 (polynomial 0x8005, reflected, initial 0), as the LAME tag uses
 * for the music and for the tag itself. */
/* CRC-16/ARC (the Info tag's), eight bytes a step: crc_table[k][b] is
 * the CRC of byte b followed by k zero bytes, so the CRCs of eight bytes
 * combine without the byte-by-byte dependency (the music CRC runs over
 * the whole file after the last frame, where nothing else runs). */
static uint16_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (unsigned i = 0; i < 256; i++) {
    uint16_t c = (uint16_t)i;
    for (int k = 0; k < 8; k++)
      c = (uint16_t)(c & 1 ? (c >> 1) ^ 0xA001 : c >> 1);
    crc_table[0][i] = c;
  }
  for (unsigned i = 0; i < 256; i++)
    for (int k = 1; k < 8; k++) {
      uint16_t c = crc_table[k - 1][i];
      crc_table[k][i] = (uint16_t)((c >> 8) ^ crc_table[0][c & 0xFF]);
    }
}

static uint16_t crc16(uint16_t crc, const unsigned char *p, size_t n) {
  pthread_once(&crc_once, crc_init);
  const uint16_t(*t)[256] = crc_table;
  for (; n >= 8; n -= 8, p += 8) {
    uint16_t c = (uint16_t)(crc ^ (p[0] | p[1] << 8));
    crc = t[7][c & 0xFF] ^ t[6][c >> 8] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^
          t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  while (n--)
    crc = (uint16_t)((crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF]);
  return crc;
}

/* ---- One segment -------------------------------------------------------- */

/* LAME for a segment: no resampling, no bit reservoir. */
static lame_global_flags *new_lame(const segenc_config *cfg, int info_tag) {
  mp3enc_config c = {.in_rate = cfg->rate,
                     .out_rate = cfg->rate,
                     .bitrate = cfg->bitrate,
                     .quality = cfg->quality,
                     .vbr = cfg->vbr,
                     .vbr_quality = cfg->vbr_quality};
  return mp3_lame_new(&c, 0, info_tag);
}

static void close_lame(lame_global_flags *gf) {
  mp3_lame_close(gf);
}

static int raw_reserve(job *j, size_t more) {
  if (j->raw_cap - j->raw_len >= more)
    return 0;
  size_t cap = j->raw_cap ? j->raw_cap : 65536;
  while (cap - j->raw_len < more)
    cap *= 2;
  unsigned char *grown = realloc(j->raw, cap);
  if (!grown)
    return -1;
  j->raw = grown;
  j->raw_cap = cap;
  return 0;
}

static int job_feed(job *j, const float *x, size_t n, char *err,
                    size_t errlen) {
  while (n > 0) {
    size_t k = n < AC_MAX_CHUNK ? n : AC_MAX_CHUNK;
    if (raw_reserve(j, k + k / 4 + 7200)) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    int r =
        lame_encode_buffer_ieee_float(j->gf, x, x, (int)k, j->raw + j->raw_len,
                                      (int)(j->raw_cap - j->raw_len));
    if (r < 0) {
      snprintf(err, errlen, "LAME failed to encode (error %d)", r);
      return -1;
    }
    j->raw_len += (size_t)r;
    x += k;
    n -= k;
  }
  return 0;
}

static int job_start(segenc *e, job *j, char *err, size_t errlen) {
  j->gf = new_lame(&e->cfg, 0);
  if (!j->gf) {
    snprintf(err, errlen, "LAME refused the settings (%d Hz, %s %d)",
             e->cfg.rate, e->cfg.vbr ? "VBR quality" : "kbps",
             e->cfg.vbr ? e->cfg.vbr_quality : e->cfg.bitrate);
    return -1;
  }
  static const float zeros[SEGENC_ROLL];
  if (j->zero_roll && job_feed(j, zeros, SEGENC_ROLL, err, errlen))
    return -1;
  return 0;
}

/* Flushes LAME and keeps the frames that cover the segment. */
static int job_finish(segenc *e, job *j, char *err, size_t errlen) {
  if (raw_reserve(j, 7200 + 2 * 2880)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int r = lame_encode_flush(j->gf, j->raw + j->raw_len,
                            (int)(j->raw_cap - j->raw_len));
  close_lame(j->gf);
  j->gf = NULL;
  if (r < 0) {
    snprintf(err, errlen, "LAME failed to flush (error %d)", r);
    return -1;
  }
  j->raw_len += (size_t)r;
  if (!j->last && j->samples % (uint64_t)e->fs != 0) {
    snprintf(err, errlen,
             "segment %u ends after %llu samples, not whole frames of %d",
             (unsigned)j->index, (unsigned long long)j->samples, e->fs);
    return -1;
  }
  uint64_t want = j->last ? UINT64_MAX : j->samples / (uint64_t)e->fs;
  size_t at = 0, frame = 0, start = 0;
  uint64_t kept = 0;
  while (at + 4 <= j->raw_len && kept < want) {
    size_t len = segenc_frame_length(j->raw + at, NULL);
    if (len == 0 || at + len > j->raw_len) {
      snprintf(err, errlen, "LAME produced a malformed frame");
      return -1;
    }
    if (frame == SEGENC_ROLL / (size_t)e->fs)
      start = at;
    if (frame >= SEGENC_ROLL / (size_t)e->fs)
      kept++;
    frame++;
    at += len;
  }
  if (!j->last && kept != want) {
    snprintf(err, errlen, "segment %u: LAME gave %llu frames, expected %llu",
             (unsigned)j->index, (unsigned long long)kept,
             (unsigned long long)want);
    return -1;
  }
  j->out_at = kept ? start : 0;
  j->out_len = kept ? at - start : 0;
  j->frames = kept;
  return 0;
}

static void job_free(job *j) {
  while (j->head) {
    block *b = j->head;
    j->head = b->next;
    free(b);
  }
  close_lame(j->gf);
  free(j->raw);
  free(j);
}

/* ---- Writing in order (under e->mu) ------------------------------------- */

static void fail_locked(segenc *e, const char *why) {
  if (!e->failed) {
    e->failed = 1;
    snprintf(e->err, sizeof e->err, "%s", why);
  }
  pthread_cond_broadcast(&e->space);
  pthread_cond_broadcast(&e->done);
  pthread_cond_broadcast(&e->work);
}

static void write_ready(segenc *e) {
  while (e->first && e->first->done && !e->failed) {
    job *j = e->first;
    if (e->n_records == e->cap_records) {
      size_t cap = e->cap_records ? 2 * e->cap_records : 64;
      segenc_record *grown = realloc(e->records, cap * sizeof *grown);
      if (!grown) {
        fail_locked(e, "out of memory");
        return;
      }
      e->records = grown;
      e->cap_records = cap;
    }
    if (j->out_len &&
        outfile_write(e->fd, j->raw + j->out_at, j->out_len, -1) != 0) {
      char why[200];
      snprintf(why, sizeof why, "cannot write the encoded audio: %s",
               strerror(errno));
      fail_locked(e, why);
      return;
    }
    e->records[e->n_records++] = (segenc_record){.index = j->index,
                                                 .offset = e->bytes,
                                                 .length = j->out_len,
                                                 .frames = j->frames,
                                                 .from_cache = j->from_cache};
    e->bytes += j->out_len;
    e->frames += j->frames;
    e->first = j->next;
    if (!e->first)
      e->tail = NULL;
    job_free(j);
  }
  pthread_cond_broadcast(&e->done);
}

/* ---- Workers ------------------------------------------------------------ */

static job *next_untaken(segenc *e) {
  for (job *j = e->first; j; j = j->next)
    if (!j->taken && !j->done)
      return j;
  return NULL;
}

static void *worker(void *arg) {
  segenc *e = arg;
  char why[256];
  pthread_mutex_lock(&e->mu);
  for (;;) {
    job *j;
    while (!(j = next_untaken(e)) && !e->stopping)
      pthread_cond_wait(&e->work, &e->mu);
    if (e->stopping)
      break;
    j->taken = 1;
    pthread_mutex_unlock(&e->mu);
    int rc = job_start(e, j, why, sizeof why);
    pthread_mutex_lock(&e->mu);
    while (rc == 0 && !e->stopping) {
      if (j->head) {
        block *b = j->head;
        j->head = b->next;
        if (!j->head)
          j->tail = NULL;
        e->queued--;
        pthread_cond_broadcast(&e->space);
        pthread_mutex_unlock(&e->mu);
        rc = job_feed(j, b->x, b->n, why, sizeof why);
        free(b);
        pthread_mutex_lock(&e->mu);
        continue;
      }
      if (j->input_done)
        break;
      pthread_cond_wait(&e->work, &e->mu);
    }
    if (e->stopping)
      break;
    if (rc == 0) {
      pthread_mutex_unlock(&e->mu);
      rc = job_finish(e, j, why, sizeof why);
      pthread_mutex_lock(&e->mu);
    }
    if (rc != 0) {
      fail_locked(e, why);
      break;
    }
    j->done = 1;
    write_ready(e);
  }
  pthread_mutex_unlock(&e->mu);
  return NULL;
}

/* ---- Caller side -------------------------------------------------------- */

segenc *segenc_open(const segenc_config *cfg, int fd, char *err,
                    size_t errlen) {
  segenc *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->cfg = *cfg;
  e->fd = fd;
  e->fs = cfg->rate >= 32000 ? 1152 : 576;
  pthread_mutex_init(&e->mu, NULL);
  pthread_cond_init(&e->work, NULL);
  pthread_cond_init(&e->space, NULL);
  pthread_cond_init(&e->done, NULL);
  /* Refuse bad settings now rather than in a worker. */
  lame_global_flags *probe = new_lame(cfg, 0);
  if (!probe) {
    snprintf(err, errlen, "LAME refused the settings (%d Hz, %s %d)", cfg->rate,
             cfg->vbr ? "VBR quality" : "kbps",
             cfg->vbr ? cfg->vbr_quality : cfg->bitrate);
    segenc_close(e);
    return NULL;
  }
  close_lame(probe);
  int workers = cfg->workers > MAX_WORKERS ? MAX_WORKERS : cfg->workers;
  for (int i = 0; i < workers; i++) {
    int rc = pthread_create(&e->threads[i], NULL, worker, e);
    if (rc != 0) {
      snprintf(err, errlen, "cannot start an encoding thread: %s",
               strerror(rc));
      segenc_close(e);
      return NULL;
    }
    e->n_threads++;
  }
  return e;
}

static int failed(segenc *e, char *err, size_t errlen) {
  snprintf(err, errlen, "%s", e->err);
  return -1;
}

static void append_job(segenc *e, job *j) {
  if (e->tail)
    e->tail->next = j;
  else
    e->first = j;
  e->tail = j;
}

/* Hands n samples to job j: encodes them now (no workers) or queues
 * them. `content` counts them as the part's own. */
static int give(segenc *e, job *j, const float *x, size_t n, int content,
                char *err, size_t errlen) {
  if (content)
    j->samples += n;
  if (e->n_threads == 0)
    return job_feed(j, x, n, err, errlen);
  while (n > 0) {
    size_t k = n < AC_MAX_CHUNK ? n : AC_MAX_CHUNK;
    block *b = malloc(sizeof *b + k * sizeof *x);
    if (!b) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    b->next = NULL;
    b->n = k;
    memcpy(b->x, x, k * sizeof *x);
    pthread_mutex_lock(&e->mu);
    while (e->queued >= QUEUE_LIMIT && !e->failed)
      pthread_cond_wait(&e->space, &e->mu);
    if (e->failed) {
      pthread_mutex_unlock(&e->mu);
      free(b);
      return failed(e, err, errlen);
    }
    if (j->tail)
      j->tail->next = b;
    else
      j->head = b;
    j->tail = b;
    e->queued++;
    pthread_cond_broadcast(&e->work);
    pthread_mutex_unlock(&e->mu);
    x += k;
    n -= k;
  }
  return 0;
}

/* Job j has all its input: encode the rest now, or let its worker. */
static int close_job(segenc *e, job *j, char *err, size_t errlen) {
  if (e->n_threads == 0) {
    if (job_finish(e, j, err, errlen))
      return -1;
    pthread_mutex_lock(&e->mu);
    j->done = 1;
    write_ready(e);
    int bad = e->failed;
    pthread_mutex_unlock(&e->mu);
    return bad ? failed(e, err, errlen) : 0;
  }
  pthread_mutex_lock(&e->mu);
  j->input_done = 1;
  pthread_cond_broadcast(&e->work);
  int bad = e->failed;
  pthread_mutex_unlock(&e->mu);
  return bad ? failed(e, err, errlen) : 0;
}

/* Starts a part of the current segment: the first after ROLL zeros, a
 * later one after the segment's last ROLL samples. */
static int start_part(segenc *e, char *err, size_t errlen) {
  job *j = calloc(1, sizeof *j);
  if (!j) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  j->index = e->index;
  j->last = e->last;
  j->zero_roll = e->cur == NULL;
  if (e->n_threads == 0 && job_start(e, j, err, errlen)) {
    job_free(j);
    return -1;
  }
  pthread_mutex_lock(&e->mu);
  int bad = e->failed;
  if (!bad) {
    j->taken = e->n_threads == 0;
    append_job(e, j);
    pthread_cond_broadcast(&e->work);
  }
  pthread_mutex_unlock(&e->mu);
  if (bad) {
    job_free(j);
    return failed(e, err, errlen);
  }
  if (e->cur) {
    /* The part before keeps its last frames only if it also sees what
     * follows them; this one starts with what precedes it. */
    e->prev = e->cur;
    e->prev->last = 0;
    e->post_left = SEGENC_ROLL;
    size_t first = (e->roll_at + SEGENC_ROLL - e->roll_n) % SEGENC_ROLL;
    size_t a =
        e->roll_n < SEGENC_ROLL - first ? e->roll_n : SEGENC_ROLL - first;
    if (give(e, j, e->roll + first, a, 0, err, errlen) ||
        give(e, j, e->roll, e->roll_n - a, 0, err, errlen))
      return -1;
  }
  e->cur = j;
  return 0;
}

int segenc_begin(segenc *e, uint32_t index, int last, char *err,
                 size_t errlen) {
  e->index = index;
  e->last = last;
  e->cur = e->prev = NULL;
  e->roll_at = e->roll_n = 0;
  return start_part(e, err, errlen);
}

static void roll_push(segenc *e, const float *x, size_t n) {
  if (n > SEGENC_ROLL) {
    x += n - SEGENC_ROLL;
    n = SEGENC_ROLL;
  }
  for (size_t i = 0; i < n; i++) {
    e->roll[e->roll_at] = x[i];
    e->roll_at = (e->roll_at + 1) % SEGENC_ROLL;
  }
  e->roll_n = e->roll_n + n > SEGENC_ROLL ? SEGENC_ROLL : e->roll_n + n;
}

int segenc_write(segenc *e, const float *x, size_t n, char *err,
                 size_t errlen) {
  if (!e->cur) {
    snprintf(err, errlen, "samples outside a segment");
    return -1;
  }
  const uint64_t part = (uint64_t)SEGENC_PART_FRAMES * (uint64_t)e->fs;
  while (n > 0) {
    if (e->cur->samples == part && start_part(e, err, errlen))
      return -1;
    uint64_t room = part - e->cur->samples;
    size_t k = n < room ? n : (size_t)room;
    if (e->prev && k > e->post_left)
      k = e->post_left;
    if (give(e, e->cur, x, k, 1, err, errlen))
      return -1;
    if (e->prev) {
      if (give(e, e->prev, x, k, 0, err, errlen))
        return -1;
      e->post_left -= k;
      if (e->post_left == 0) {
        job *p = e->prev;
        e->prev = NULL;
        if (close_job(e, p, err, errlen))
          return -1;
      }
    }
    roll_push(e, x, k);
    x += k;
    n -= k;
  }
  return 0;
}

int segenc_end(segenc *e, char *err, size_t errlen) {
  if (!e->cur) {
    snprintf(err, errlen, "no segment to end");
    return -1;
  }
  job *p = e->prev, *c = e->cur;
  e->prev = e->cur = NULL;
  if (p && close_job(e, p, err, errlen))
    return -1;
  return close_job(e, c, err, errlen);
}

int segenc_add_frames(segenc *e, uint32_t index, int last, const void *data,
                      size_t len, uint64_t samples, char *err, size_t errlen) {
  const unsigned char *p = data;
  uint64_t frames = 0;
  size_t at = 0;
  while (at < len) {
    int fs = 0;
    size_t n = at + 4 <= len ? segenc_frame_length(p + at, &fs) : 0;
    if (n == 0 || at + n > len || fs != e->fs) {
      snprintf(err, errlen, "cached segment %u is not whole MP3 frames",
               (unsigned)index);
      return -1;
    }
    at += n;
    frames++;
  }
  if (!last && frames * (uint64_t)e->fs != samples) {
    snprintf(err, errlen,
             "cached segment %u holds %llu frames for %llu samples",
             (unsigned)index, (unsigned long long)frames,
             (unsigned long long)samples);
    return -1;
  }
  job *j = calloc(1, sizeof *j);
  unsigned char *copy = malloc(len ? len : 1);
  if (!j || !copy) {
    free(j);
    free(copy);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  memcpy(copy, data, len);
  j->index = index;
  j->last = last;
  j->taken = j->done = j->from_cache = 1;
  j->raw = copy;
  j->raw_len = j->raw_cap = j->out_len = len;
  j->frames = frames;
  j->samples = samples;
  pthread_mutex_lock(&e->mu);
  append_job(e, j);
  write_ready(e);
  int bad = e->failed;
  pthread_mutex_unlock(&e->mu);
  return bad ? failed(e, err, errlen) : 0;
}

static void stop_workers(segenc *e) {
  pthread_mutex_lock(&e->mu);
  e->stopping = 1;
  pthread_cond_broadcast(&e->work);
  pthread_mutex_unlock(&e->mu);
  for (int i = 0; i < e->n_threads; i++)
    pthread_join(e->threads[i], NULL);
  e->n_threads = 0;
}

int segenc_finish(segenc *e, const segenc_record **records, size_t *count,
                  uint64_t *bytes, uint64_t *frames, char *err, size_t errlen) {
  pthread_mutex_lock(&e->mu);
  while (e->first && !e->failed)
    pthread_cond_wait(&e->done, &e->mu);
  int bad = e->failed;
  pthread_mutex_unlock(&e->mu);
  stop_workers(e);
  if (bad)
    return failed(e, err, errlen);
  *records = e->records;
  *count = e->n_records;
  *bytes = e->bytes;
  *frames = e->frames;
  return 0;
}

void segenc_close(segenc *e) {
  if (!e)
    return;
  stop_workers(e);
  while (e->first) {
    job *j = e->first;
    e->first = j->next;
    job_free(j);
  }
  pthread_mutex_destroy(&e->mu);
  pthread_cond_destroy(&e->work);
  pthread_cond_destroy(&e->space);
  pthread_cond_destroy(&e->done);
  free(e->records);
  free(e);
}

/* ---- Info tag ------------------------------------------------------------ */

static void put_be32(unsigned char *p, uint64_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

size_t segenc_info_tag(segenc *e, int fd, uint64_t bytes, uint64_t frames,
                       uint64_t samples, unsigned char *tag, size_t cap,
                       char *err, size_t errlen) {
  /* LAME's own tag for these settings gives every field that describes
   * the encoder (version, quality, lowpass, flags); the counts, seek
   * table, padding and CRCs are this file's. */
  lame_global_flags *gf = new_lame(&e->cfg, 1);
  unsigned char *buf = malloc(1 << 16);
  size_t n = 0;
  if (gf && buf) {
    static const float zeros[1152];
    lame_encode_buffer_ieee_float(gf, zeros, zeros, e->fs, buf, 1 << 16);
    lame_encode_flush(gf, buf, 1 << 16);
    n = lame_get_lametag_frame(gf, tag, cap);
  }
  close_lame(gf);
  size_t x = 0;
  while (n >= 4 && x + 160 <= n && memcmp(tag + x, "Info", 4) != 0 &&
         memcmp(tag + x, "Xing", 4) != 0)
    x++;
  if (n == 0 || n > cap || x + 160 > n || tag[x + 120] != 'L') {
    free(buf);
    snprintf(err, errlen, "LAME produced no Info tag frame");
    return 0;
  }
  uint64_t delay = ((uint64_t)tag[x + 141] << 4) | (tag[x + 142] >> 4);
  int64_t padding =
      (int64_t)(frames * (uint64_t)e->fs) - (int64_t)samples - (int64_t)delay;
  if (padding < 0 || padding > 4095 || frames > UINT32_MAX ||
      bytes + n > UINT32_MAX) {
    free(buf);
    snprintf(err, errlen,
             "cannot describe %llu frames for %llu samples in an Info tag",
             (unsigned long long)frames, (unsigned long long)samples);
    return 0;
  }

  /* One pass over the frames: the music CRC, and for the seek table the
   * bytes up to the end of frame i * frames / 100. */
  uint16_t crc = 0;
  uint64_t toc_end[100] = {0};
  uint64_t at = 0, crc_at = 0, frame = 0, next_frame = 0;
  int toc_i = 1;
  uint64_t toc_frame = frames / 100;
  const size_t step = 1 << 16;
  while (at < bytes) {
    size_t want = bytes - at < step ? (size_t)(bytes - at) : step;
    ssize_t r = pread(fd, buf, want, (off_t)at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      free(buf);
      snprintf(err, errlen, "cannot read back the encoded audio: %s",
               r < 0 ? strerror(errno) : "file shrank");
      return 0;
    }
    uint64_t end = at + (uint64_t)r;
    if (end > crc_at) {
      crc = crc16(crc, buf + (crc_at - at), (size_t)(end - crc_at));
      crc_at = end;
    }
    while (next_frame + 4 <= end) {
      size_t len = segenc_frame_length(buf + (next_frame - at), NULL);
      if (len == 0) {
        free(buf);
        snprintf(err, errlen, "the encoded audio has a bad frame at byte %llu",
                 (unsigned long long)next_frame);
        return 0;
      }
      next_frame += len;
      while (toc_i < 100 && frame == toc_frame) {
        toc_end[toc_i++] = next_frame;
        toc_frame = (uint64_t)toc_i * frames / 100;
      }
      frame++;
    }
    /* A header cut by the end of the block is read again with the next. */
    at = next_frame < end ? next_frame : end;
    if (end >= bytes)
      break;
  }
  uint64_t pending = next_frame;
  free(buf);
  if (frame != frames || pending != bytes) {
    snprintf(err, errlen, "the encoded audio holds %llu frames, expected %llu",
             (unsigned long long)frame, (unsigned long long)frames);
    return 0;
  }

  put_be32(tag + x + 8, frames);
  put_be32(tag + x + 12, bytes + n);
  tag[x + 16] = 0;
  for (int i = 1; i < 100; i++) {
    uint64_t v = bytes ? toc_end[i] * 256 / bytes : 0;
    tag[x + 16 + i] = (unsigned char)(v > 255 ? 255 : v);
  }
  tag[x + 142] = (unsigned char)((tag[x + 142] & 0xF0) | (padding >> 8));
  tag[x + 143] = (unsigned char)(padding & 0xFF);
  put_be32(tag + x + 148, bytes + n);
  tag[x + 152] = (unsigned char)(crc >> 8);
  tag[x + 153] = (unsigned char)crc;
  uint16_t tag_crc = crc16(0, tag, x + 154);
  tag[x + 154] = (unsigned char)(tag_crc >> 8);
  tag[x + 155] = (unsigned char)tag_crc;
  return n;
}
