/* LAME encoder with an optional worker thread; see encoder.h. */
#include "encoder.h"

#include "articast/plugin.h"
#include "outfile.h"

#include <errno.h>
#include <lame/lame.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blocks queued for the worker. Four blocks of AC_MAX_CHUNK frames (256 KiB)
 * absorb the synthesizer's bursts; more would only add memory. */
#define QUEUE_SLOTS 4

typedef struct slot {
  float *samples; /* AC_MAX_CHUNK frames */
  size_t n;
} slot;

struct mp3enc {
  lame_global_flags *gf;
  int fd;
  unsigned char *out; /* LAME's output for one block */
  size_t out_cap;
  uint64_t bytes; /* written to fd */

  int threaded;
  int thread_started;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t can_put;  /* a slot became free, or the worker failed */
  pthread_cond_t can_take; /* a slot was filled, or closing/aborting */
  slot slots[QUEUE_SLOTS];
  size_t head;  /* the oldest filled slot (the one being encoded) */
  size_t count; /* filled slots */
  int closing;  /* no more blocks will come: drain and stop */
  int aborting; /* stop now */
  int failed;   /* the worker failed; err holds why */
  char err[256];
};

/* LAME prints warnings to stderr by default; a plugin never prints. */
static void lame_quiet(const char *fmt, va_list ap) {
  (void)fmt;
  (void)ap;
}

static const int mpeg1_rates[] = {32,  40,  48,  56,  64,  80,  96, 112,
                                  128, 160, 192, 224, 256, 320, 0};
static const int mpeg2_rates[] = {8,  16, 24,  32,  40,  48,  56, 64,
                                  80, 96, 112, 128, 144, 160, 0};

/* LAME initializes process-wide tables on first use without a lock. */
static pthread_mutex_t lame_setup_lock = PTHREAD_MUTEX_INITIALIZER;

lame_global_flags *mp3_lame_new(const mp3enc_config *cfg, int reservoir,
                                int info_tag) {
  pthread_mutex_lock(&lame_setup_lock);
  lame_global_flags *gf = lame_init();
  if (gf) {
    lame_set_errorf(gf, lame_quiet);
    lame_set_debugf(gf, lame_quiet);
    lame_set_msgf(gf, lame_quiet);
    lame_set_num_channels(gf, 1);
    lame_set_mode(gf, MONO);
    lame_set_in_samplerate(gf, cfg->in_rate);
    /* Explicitly: left at 0, LAME picks an output rate from the bit rate. */
    lame_set_out_samplerate(gf, cfg->out_rate);
    if (cfg->vbr) {
      lame_set_VBR(gf, vbr_mtrh);
      lame_set_VBR_quality(gf, (float)cfg->vbr_quality);
    } else {
      lame_set_VBR(gf, vbr_off);
      lame_set_brate(gf, cfg->bitrate);
    }
    lame_set_quality(gf, cfg->quality);
    /* LAME's output decodes 0.45 dB below its input (x0.95, measured on
     * sines and speech, at every bit rate and quality, CLI included);
     * undo it so the loudness stage's target holds on the finished MP3. */
    lame_set_scale(gf, 1.0f / 0.95f);
    lame_set_disable_reservoir(gf, !reservoir);
    /* The stage writes its own ID3v2.3 tag (LAME's cannot hold chapters). */
    lame_set_write_id3tag_automatic(gf, 0);
    lame_set_bWriteVbrTag(gf, info_tag);
    /* ReplayGain analysis costs time and players ignore it in podcasts;
     * the loudness stage has already normalized the audio. */
    lame_set_findReplayGain(gf, 0);
    if (lame_init_params(gf) < 0) {
      lame_close(gf);
      gf = NULL;
    }
  }
  pthread_mutex_unlock(&lame_setup_lock);
  return gf;
}

void mp3_lame_close(lame_global_flags *gf) {
  if (!gf)
    return;
  pthread_mutex_lock(&lame_setup_lock);
  lame_close(gf);
  pthread_mutex_unlock(&lame_setup_lock);
}

const int *mp3enc_bitrates(int rate) {
  switch (rate) {
  case 32000:
  case 44100:
  case 48000:
    return mpeg1_rates;
  case 16000:
  case 22050:
  case 24000:
  case 8000:
  case 11025:
  case 12000:
    return mpeg2_rates; /* MPEG-2 and MPEG-2.5 share the table */
  default:
    return NULL;
  }
}

int mp3enc_info_tag_fits(int rate, int bitrate) {
  /* LAME's InitVbrTag: frame bytes = (version + 1) * 72000 * kbps / rate,
   * header = side info (MPEG-1 mono 21, MPEG-2 mono 13 bytes with the
   * 4-byte frame header) + 156 bytes of Xing and LAME fields. */
  int mpeg1 = rate >= 32000;
  long frame = (long)(mpeg1 ? 144000 : 72000) * bitrate / rate;
  long header = (mpeg1 ? 21 : 13) + 156;
  return frame >= header;
}

/* Encodes one block and writes what LAME returns. Returns 0 or -1 with the
 * reason in err. */
static int encode_block(mp3enc *e, const float *x, size_t n, char *err,
                        size_t errlen) {
  /* For mono, LAME reads only the left buffer; passing the same pointer
   * for both is the form lame.h accepts in every version. */
  int r = lame_encode_buffer_ieee_float(e->gf, x, x, (int)n, e->out,
                                        (int)e->out_cap);
  if (r < 0) {
    snprintf(err, errlen, "LAME failed to encode (error %d)", r);
    return -1;
  }
  if (r > 0 && outfile_write(e->fd, e->out, (size_t)r, -1) != 0) {
    snprintf(err, errlen, "cannot write the encoded audio: %s",
             strerror(errno));
    return -1;
  }
  e->bytes += (uint64_t)r;
  return 0;
}

static void *worker(void *arg) {
  mp3enc *e = arg;
  pthread_mutex_lock(&e->mu);
  for (;;) {
    while (e->count == 0 && !e->closing && !e->aborting)
      pthread_cond_wait(&e->can_take, &e->mu);
    if (e->aborting || e->count == 0)
      break;
    slot *s = &e->slots[e->head];
    pthread_mutex_unlock(&e->mu);
    /* The producer never touches a filled slot, so this needs no lock. */
    char why[sizeof e->err];
    int rc = encode_block(e, s->samples, s->n, why, sizeof why);
    pthread_mutex_lock(&e->mu);
    e->head = (e->head + 1) % QUEUE_SLOTS;
    e->count--;
    if (rc != 0) {
      e->failed = 1;
      memcpy(e->err, why, sizeof why);
      pthread_cond_signal(&e->can_put);
      break;
    }
    pthread_cond_signal(&e->can_put);
  }
  pthread_mutex_unlock(&e->mu);
  return NULL;
}

mp3enc *mp3enc_open(const mp3enc_config *cfg, int fd, char *err,
                    size_t errlen) {
  mp3enc *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->fd = fd;
  /* lame.h asks for 1.25 * samples + 7200 bytes; samples there are output
   * samples, so scale by the resampling ratio (22.05 -> 48 kHz doubles the
   * frames per input block). */
  double ratio =
      cfg->out_rate > cfg->in_rate ? (double)cfg->out_rate / cfg->in_rate : 1.0;
  e->out_cap = (size_t)(1.25 * AC_MAX_CHUNK * ratio) + 7200 + 16;
  e->out = malloc(e->out_cap);
  if (!e->out) {
    snprintf(err, errlen, "out of memory");
    mp3enc_close(e);
    return NULL;
  }
  /* The Info/LAME tag: exact length (encoder delay and padding) for
   * decoders, duration and seek table for players. */
  e->gf = mp3_lame_new(cfg, 1, 1);
  if (!e->gf) {
    snprintf(err, errlen,
             "LAME refused the settings (%d Hz in, %d Hz out, %s %d)",
             cfg->in_rate, cfg->out_rate, cfg->vbr ? "VBR quality" : "kbps",
             cfg->vbr ? cfg->vbr_quality : cfg->bitrate);
    mp3enc_close(e);
    return NULL;
  }

  if (cfg->threaded) {
    for (int i = 0; i < QUEUE_SLOTS; i++) {
      e->slots[i].samples = malloc(AC_MAX_CHUNK * sizeof(float));
      if (!e->slots[i].samples) {
        snprintf(err, errlen, "out of memory");
        mp3enc_close(e);
        return NULL;
      }
    }
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->can_put, NULL);
    pthread_cond_init(&e->can_take, NULL);
    e->threaded = 1;
    int rc = pthread_create(&e->thread, NULL, worker, e);
    if (rc != 0) {
      snprintf(err, errlen, "cannot start the encoding thread: %s",
               strerror(rc));
      mp3enc_close(e);
      return NULL;
    }
    e->thread_started = 1;
  }
  return e;
}

/* Queues one block of at most AC_MAX_CHUNK frames, waiting for a free
 * slot. */
static int enqueue(mp3enc *e, const float *x, size_t n, char *err,
                   size_t errlen) {
  pthread_mutex_lock(&e->mu);
  while (e->count == QUEUE_SLOTS && !e->failed)
    pthread_cond_wait(&e->can_put, &e->mu);
  if (e->failed) {
    snprintf(err, errlen, "%s", e->err);
    pthread_mutex_unlock(&e->mu);
    return -1;
  }
  slot *s = &e->slots[(e->head + e->count) % QUEUE_SLOTS];
  pthread_mutex_unlock(&e->mu);
  /* Free slots belong to the producer: copy without holding the lock. */
  memcpy(s->samples, x, n * sizeof *x);
  s->n = n;
  pthread_mutex_lock(&e->mu);
  e->count++;
  pthread_cond_signal(&e->can_take);
  pthread_mutex_unlock(&e->mu);
  return 0;
}

int mp3enc_write(mp3enc *e, const float *samples, size_t n, char *err,
                 size_t errlen) {
  /* Blocks of at most AC_MAX_CHUNK frames, in both modes, so that LAME
   * sees the same calls either way and out_cap holds. */
  while (n > 0) {
    size_t k = n < AC_MAX_CHUNK ? n : AC_MAX_CHUNK;
    int rc = e->threaded ? enqueue(e, samples, k, err, errlen)
                         : encode_block(e, samples, k, err, errlen);
    if (rc != 0)
      return rc;
    samples += k;
    n -= k;
  }
  return 0;
}

/* Lets the worker drain the queue and joins it. Returns 0, or -1 with the
 * worker's failure in err. */
static int join_worker(mp3enc *e, int abort_now, char *err, size_t errlen) {
  if (!e->thread_started)
    return 0;
  pthread_mutex_lock(&e->mu);
  if (abort_now)
    e->aborting = 1;
  e->closing = 1;
  pthread_cond_signal(&e->can_take);
  pthread_mutex_unlock(&e->mu);
  pthread_join(e->thread, NULL);
  e->thread_started = 0;
  if (e->failed) {
    if (err)
      snprintf(err, errlen, "%s", e->err);
    return -1;
  }
  return 0;
}

int mp3enc_finish(mp3enc *e, unsigned char *tag, size_t tag_cap,
                  size_t *tag_len, uint64_t *audio_bytes, char *err,
                  size_t errlen) {
  *tag_len = 0;
  *audio_bytes = 0;
  if (join_worker(e, 0, err, errlen) != 0)
    return -1;
  int r = lame_encode_flush(e->gf, e->out, (int)e->out_cap);
  if (r < 0) {
    snprintf(err, errlen, "LAME failed to flush (error %d)", r);
    return -1;
  }
  if (r > 0 && outfile_write(e->fd, e->out, (size_t)r, -1) != 0) {
    snprintf(err, errlen, "cannot write the encoded audio: %s",
             strerror(errno));
    return -1;
  }
  e->bytes += (uint64_t)r;
  size_t n = lame_get_lametag_frame(e->gf, tag, tag_cap);
  if (n == 0 || n > tag_cap || tag[0] != 0xFF) {
    snprintf(err, errlen, "LAME produced no Info tag frame");
    return -1;
  }
  *tag_len = n;
  *audio_bytes = e->bytes;
  return 0;
}

void mp3enc_close(mp3enc *e) {
  if (!e)
    return;
  join_worker(e, 1, NULL, 0);
  if (e->threaded) {
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->can_put);
    pthread_cond_destroy(&e->can_take);
  }
  for (int i = 0; i < QUEUE_SLOTS; i++)
    free(e->slots[i].samples);
  mp3_lame_close(e->gf);
  free(e->out);
  free(e);
}
