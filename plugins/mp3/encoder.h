/*
 * LAME encoding of a mono float stream into a file descriptor, either in the
 * calling thread or in a worker thread fed through a bounded queue (so that
 * synthesis, in the host's thread, overlaps encoding). Both modes make the
 * same LAME calls with the same blocks in the same order, so they produce
 * identical bytes.
 *
 * Not thread-safe itself: one thread calls mp3enc_*; the worker is private.
 */
#ifndef ARTICAST_MP3_ENCODER_H
#define ARTICAST_MP3_ENCODER_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp3enc_config {
  int in_rate;     /* Hz, of the samples given to mp3enc_write */
  int out_rate;    /* Hz, of the MP3 (LAME resamples when they differ) */
  int bitrate;     /* kbps, CBR; ignored with vbr */
  int quality;     /* LAME's algorithm quality, 0 (slowest) .. 9 */
  int vbr;         /* 1: VBR (mtrh) at vbr_quality instead of CBR */
  int vbr_quality; /* 0 (best) .. 9 */
  int threaded;    /* encode in a worker thread */
} mp3enc_config;

typedef struct mp3enc mp3enc;

/* A LAME encoder set up the way articast encodes: mono, cfg's rates and bit
 * rate (or VBR quality) and algorithm quality, output scaled to decode at
 * the input's level, no ID3 tag, no ReplayGain. `reservoir` 0 turns the
 * bit reservoir off; `info_tag` reserves the first frame for the Info tag.
 * NULL when LAME refuses the settings. Safe from any thread. */
struct lame_global_struct;
struct lame_global_struct *mp3_lame_new(const mp3enc_config *cfg, int reservoir,
                                        int info_tag);
void mp3_lame_close(struct lame_global_struct *gf);

/* Starts an encoder that writes the MP3 frames to fd (from its current
 * offset; the first frame is LAME's placeholder for the Info tag). Returns
 * NULL with the reason in err. */
mp3enc *mp3enc_open(const mp3enc_config *cfg, int fd, char *err, size_t errlen);

/* Encodes n samples in [-1, 1] (copied before it returns). In threaded mode
 * it may return before they are encoded, and reports an earlier failure of
 * the worker. Returns 0, or -1 with the reason in err. */
int mp3enc_write(mp3enc *e, const float *samples, size_t n, char *err,
                 size_t errlen);

/* Encodes what is queued, flushes LAME and returns the final Info/LAME tag
 * frame, to be written over the first frame (`*tag_len` bytes at the
 * audio's offset 0). `*audio_bytes` is how much was written to fd. Returns
 * 0, or -1 with the reason in err. */
int mp3enc_finish(mp3enc *e, unsigned char *tag, size_t tag_cap,
                  size_t *tag_len, uint64_t *audio_bytes, char *err,
                  size_t errlen);

/* Stops the worker (dropping what is queued) and frees everything; fd stays
 * open. NULL is fine. */
void mp3enc_close(mp3enc *e);

/* The bit rates (kbps) a CBR MP3 at `rate` Hz can have, 0-terminated, or
 * NULL for a rate MP3 does not support. */
const int *mp3enc_bitrates(int rate);

/* Whether LAME can write its Info tag into a CBR frame of `bitrate` kbps at
 * `rate` Hz (mono). LAME 3.100 silently leaves the tag out when the frame is
 * smaller than the side info plus the 156-byte Xing/LAME header: below
 * 56 kbps at 22.05 and 44.1 kHz, below 64 kbps at 24 and 48 kHz. Without
 * the tag decoders cannot remove the encoder delay and padding, and players
 * estimate durations and seek positions. */
int mp3enc_info_tag_fits(int rate, int bitrate);

#endif
