/*
 * Segment encoding: every segment of the stream (plugin.h, "Segments") is
 * encoded by LAME encoders of its own, with the bit reservoir off, after
 * SEGENC_ROLL zeros; the frames that cover the segment are kept and joined
 * in order, and one Info/LAME tag written for the whole
 * file (segenc_info_tag) gives decoders the exact length.
 *
 * Why this joins exactly: LAME delays its input by 576 samples and decoders
 * by another 529, so the frame that covers a segment's first samples also
 * carries the last ~1100 samples before it. The host ends every segment but
 * the last in at least AC_SEGMENT_MIN_SILENCE zeros and a whole number of
 * frames, so those samples are zeros in the joined stream just as they are
 * in the segment's own pre-roll, and the frames before a segment decode to
 * silence and leave the decoder's overlap state at zero either way. With
 * the reservoir off, no frame borrows bits from the frames before it.
 *
 * A segment's frames therefore depend on that segment alone: the cache can
 * keep them, and segments can be encoded in parallel. With workers > 0 the
 * segments are encoded by that many threads while the caller goes on
 * synthesizing; with 0, in the caller's thread. Both produce the same
 * bytes. The caller is one thread; the workers are private.
 */
#ifndef ARTICAST_MP3_SEGENC_H
#define ARTICAST_MP3_SEGENC_H

#include <stddef.h>
#include <stdint.h>

/* Samples encoded before each part (and after each part but a segment's
 * last) and then dropped: 4 frames at 22.05 kHz, 2 at 44.1 kHz, enough for
 * LAME's 576-sample delay, the decoder's 529 and a frame of overlap. */
#define SEGENC_ROLL 2304
/* A long segment is encoded in parts of this many frames (6.7 s at
 * 22.05 kHz), each after the ROLL samples before it and followed by the
 * ROLL after it, so that the parts overlap-add as one stream and can be
 * encoded in parallel. Where a segment is cut depends only on it, so its
 * frames do too, whatever the number of threads. */
#define SEGENC_PART_FRAMES 256

typedef struct segenc_config {
  int rate;        /* Hz, in and out (segments cannot be cut exactly when
                      LAME resamples) */
  int bitrate;     /* kbps, CBR; ignored with vbr */
  int quality;     /* LAME's algorithm quality, 0 .. 9 */
  int vbr;         /* VBR (mtrh) at vbr_quality instead of CBR */
  int vbr_quality; /* 0 .. 9 */
  int workers;     /* encoding threads; 0 encodes in the caller's thread */
} segenc_config;

typedef struct segenc segenc;

/* Where a segment's frames went in the output file. */
typedef struct segenc_record {
  uint32_t index;
  uint64_t offset, length; /* bytes */
  uint64_t frames;
  int from_cache; /* given by segenc_add_frames */
} segenc_record;

/* Starts an encoder writing frames to fd from its current offset. NULL with
 * the reason in err. */
segenc *segenc_open(const segenc_config *cfg, int fd, char *err, size_t errlen);

/* A segment starts; `last` keeps every frame LAME gives at its end.
 * Segments are written in the order they begin. */
int segenc_begin(segenc *e, uint32_t index, int last, char *err, size_t errlen);
/* Samples in [-1, 1] of the current segment (copied). */
int segenc_write(segenc *e, const float *x, size_t n, char *err, size_t errlen);
/* The current segment's samples are all in: n_samples of them, a multiple
 * of the frame length unless it is the last. */
int segenc_end(segenc *e, char *err, size_t errlen);
/* A segment whose frames are already encoded (from the cache). Checks that
 * `data` is whole frames, `frames` of them unless `last`. */
int segenc_add_frames(segenc *e, uint32_t index, int last, const void *data,
                      size_t len, uint64_t samples, char *err, size_t errlen);

/* Waits for every segment to be written. Returns 0 or -1 with the reason.
 * Then *records (owned by e) lists where each segment went. */
int segenc_finish(segenc *e, const segenc_record **records, size_t *count,
                  uint64_t *bytes, uint64_t *frames, char *err, size_t errlen);

/* Builds the Info (CBR) or Xing (VBR) frame with the LAME extension for the
 * `bytes` of audio frames at offset 0 of fd: frame and byte counts, seek
 * table, encoder delay and padding for `samples` samples, CRCs. Returns the
 * frame's length, or 0 with the reason in err. */
size_t segenc_info_tag(segenc *e, int fd, uint64_t bytes, uint64_t frames,
                       uint64_t samples, unsigned char *tag, size_t cap,
                       char *err, size_t errlen);

/* Stops the workers, dropping what is queued, and frees everything; fd
 * stays open. NULL is fine. */
void segenc_close(segenc *e);

/* Length in bytes of the MPEG audio layer III frame whose header is at h,
 * and its samples; 0 when h is not a valid header. */
size_t segenc_frame_length(const unsigned char h[4], int *samples);

#endif
