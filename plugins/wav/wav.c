/*
 * wav: a lossless copy of the episode, as 16-bit PCM WAV or FLAC
 * (libsndfile), for archiving or for a later re-encode.
 *
 * Streams each chunk into "<output_base>.<ext>.part-XXXXXX", and at flush
 * closes it (libsndfile writes the final header), fsyncs it and renames it
 * to "<output_base>.wav" or ".flac". A failure, or a destroy without flush,
 * removes the temporary file.
 */
#include "articast/plugin.h"
#include "outfile.h" /* plugins/common */

#include <sndfile.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const format_choices[] = {"wav", "flac", NULL};
enum { FORMAT_WAV, FORMAT_FLAC };

typedef struct wav_state {
  outfile out;
  char *path;  /* the final path */
  SNDFILE *sf; /* NULL until the first chunk gives the rate */
  int rate;
  uint64_t frames;
} wav_state;

typedef struct wav_priv {
  int format; /* option */
  wav_state *s;
} wav_priv;

static const ac_option wav_options[] = {
    {"format", AC_OPT_CHOICE, offsetof(wav_priv, format), "wav", 0, 0,
     format_choices, "wav (16-bit PCM) or flac (16-bit, lossless, smaller)"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

static int nonempty(const char *s) {
  return s && *s;
}

static int wav_create(ac_stage *st) {
  wav_priv *p = st->priv;
  if (!st->episode || !nonempty(st->episode->output_base))
    return st->host->fail(st, AC_ERR_INVALID, "the episode has no output path");
  wav_state *s = calloc(1, sizeof *s);
  if (!s)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  p->s = s;
  outfile_init(&s->out);
  const char *ext = p->format == FORMAT_FLAC ? ".flac" : ".wav";
  size_t n = strlen(st->episode->output_base) + strlen(ext) + 1;
  s->path = malloc(n);
  if (!s->path)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  snprintf(s->path, n, "%s%s", st->episode->output_base, ext);
  /* Created now, so an unwritable site fails before synthesis. */
  char err[512];
  if (outfile_open(&s->out, s->path, "part", err, sizeof err) != 0)
    return st->host->fail(st, AC_ERR_IO, "%s", err);
  return 0;
}

static void wav_destroy(ac_stage *st) {
  wav_priv *p = st->priv;
  wav_state *s = p ? p->s : NULL;
  if (!s)
    return;
  if (s->sf)
    sf_close(s->sf); /* the descriptor stays open: outfile owns it */
  outfile_discard(&s->out);
  free(s->path);
  free(s);
  p->s = NULL;
}

/* Opens the libsndfile writer on the temporary file and sets the tags,
 * which FLAC (Vorbis comments) needs before the first sample. */
static int open_writer(ac_stage *st, wav_priv *p, int rate) {
  wav_state *s = p->s;
  if (rate <= 0)
    return st->host->fail(st, AC_ERR_FORMAT, "chunk with sample rate %d", rate);
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = 1;
  info.format = (p->format == FORMAT_FLAC ? SF_FORMAT_FLAC : SF_FORMAT_WAV) |
                SF_FORMAT_PCM_16;
  if (!sf_format_check(&info))
    return st->host->fail(st, AC_ERR_UNSUPPORTED,
                          "libsndfile cannot write %s at %d Hz",
                          format_choices[p->format], rate);
  /* SF_FALSE: the descriptor stays ours, to fsync before the rename. */
  s->sf = sf_open_fd(s->out.fd, SFM_WRITE, &info, SF_FALSE);
  if (!s->sf)
    return st->host->fail(st, AC_ERR_ENGINE, "libsndfile: %s",
                          sf_strerror(NULL));
  s->rate = rate;
  /* Floats beyond [-1, 1] clip instead of wrapping around. */
  sf_command(s->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);

  const ac_episode *ep = st->episode;
  const ac_document *doc = ep->doc;
  if (doc) {
    if (nonempty(doc->title))
      sf_set_string(s->sf, SF_STR_TITLE, doc->title);
    if (nonempty(doc->author))
      sf_set_string(s->sf, SF_STR_ARTIST, doc->author);
    if (nonempty(doc->date))
      sf_set_string(s->sf, SF_STR_DATE, doc->date);
    if (nonempty(doc->url))
      sf_set_string(s->sf, SF_STR_COMMENT, doc->url);
  }
  if (ep->show && nonempty(ep->show->title))
    sf_set_string(s->sf, SF_STR_ALBUM, ep->show->title);
  sf_set_string(s->sf, SF_STR_GENRE, "Podcast");
  sf_set_string(s->sf, SF_STR_SOFTWARE, "articast (libsndfile)");
  return 0;
}

static int wav_process_audio(ac_stage *st, const ac_chunk *chunk) {
  wav_priv *p = st->priv;
  wav_state *s = p->s;
  if (!s->sf) {
    int rc = open_writer(st, p, chunk->sample_rate);
    if (rc)
      return rc;
  } else if (chunk->sample_rate != s->rate) {
    return st->host->fail(st, AC_ERR_FORMAT,
                          "the sample rate changed from %d to %d Hz", s->rate,
                          chunk->sample_rate);
  }
  if (chunk->n_samples == 0)
    return 0;
  sf_count_t n = (sf_count_t)chunk->n_samples;
  if (sf_write_float(s->sf, chunk->samples, n) != n)
    return st->host->fail(st, AC_ERR_IO, "cannot write %s: %s",
                          s->out.temp_path, sf_strerror(s->sf));
  s->frames += chunk->n_samples;
  return 0;
}

static int wav_flush(ac_stage *st) {
  wav_priv *p = st->priv;
  wav_state *s = p->s;
  if (!s->sf || s->frames == 0)
    return st->host->fail(st, AC_ERR_EMPTY, "no audio reached the wav sink");
  /* sf_close writes the final header (sizes, FLAC stream info). */
  int e = sf_close(s->sf);
  s->sf = NULL;
  if (e != 0) {
    outfile_discard(&s->out);
    return st->host->fail(st, AC_ERR_IO, "cannot write %s: %s", s->path,
                          sf_error_number(e));
  }
  char err[512];
  if (outfile_commit(&s->out, err, sizeof err) != 0)
    return st->host->fail(st, AC_ERR_IO, "%s", err);
  outfile_discard(&s->out); /* frees the paths; the file stays */
  double seconds = (double)s->frames / s->rate;
  const char *mime = p->format == FORMAT_FLAC ? "audio/flac" : "audio/wav";
  st->host->log(st, AC_LOG_INFO, "wrote %s (%.1f s)", s->path, seconds);
  return st->host->add_artifact(st, s->path, mime, seconds);
}

static const ac_plugin wav_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "wav",
    .version = "1.0",
    .description = "lossless episode: 16-bit WAV or FLAC (libsndfile)",
    .kind = AC_STAGE_SINK,
    .priv_size = sizeof(wav_priv),
    .options = wav_options,
    .create = wav_create,
    .destroy = wav_destroy,
    .process_audio = wav_process_audio,
    .flush = wav_flush,
};

AC_PLUGIN_EXPORT(wav_plugin)
