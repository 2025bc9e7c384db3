/*
 * wav: a lossless copy of the episode, as 16-bit PCM WAV or FLAC
 * (libsndfile), for archiving or for a later re-encode.
 *
 * Streams each chunk into the episode's ".wav" or ".flac" output, and at
 * flush closes the writer (libsndfile writes the final header) and hands
 * the file to the host, which names it with the other sinks' files. For
 * `articast say -o FILE`, the format is the file's extension.
 */
#include "articast/plugin.h"

#include <sndfile.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const format_choices[] = {"wav", "flac", NULL};
static const char *const format_suffixes[] = {".wav", ".flac", NULL};
enum { FORMAT_WAV, FORMAT_FLAC };

typedef struct wav_state {
  int fd;      /* the output, owned by the host */
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
     format_choices,
     "wav (16-bit PCM) or flac (16-bit, lossless, smaller); `articast say` "
     "takes it from the output file's extension"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

static int nonempty(const char *s) {
  return s && *s;
}

static int wav_create(ac_stage *st) {
  wav_priv *p = st->priv;
  if (!st->episode)
    return st->host->fail(st, AC_ERR_INVALID, "the stage needs an episode");
  const char *path = st->episode->output_path;
  size_t n = path ? strlen(path) : 0;
  for (int f = 0; path && format_suffixes[f]; f++) {
    size_t k = strlen(format_suffixes[f]);
    if (n > k && strcasecmp(path + n - k, format_suffixes[f]) == 0)
      p->format = f;
  }
  wav_state *s = calloc(1, sizeof *s);
  if (!s)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  p->s = s;
  /* Opened now, so an unwritable site fails before synthesis. */
  s->fd = st->host->open_output(st, format_suffixes[p->format]);
  return s->fd < 0 ? s->fd : 0;
}

static void wav_destroy(ac_stage *st) {
  wav_priv *p = st->priv;
  wav_state *s = p ? p->s : NULL;
  if (!s)
    return;
  if (s->sf)
    sf_close(s->sf); /* the descriptor stays open: the host owns it */
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
  /* SF_FALSE: the descriptor stays the host's. */
  s->sf = sf_open_fd(s->fd, SFM_WRITE, &info, SF_FALSE);
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
    return st->host->fail(st, AC_ERR_IO, "cannot write the %s file: %s",
                          format_choices[p->format], sf_strerror(s->sf));
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
  if (e != 0)
    return st->host->fail(st, AC_ERR_IO, "cannot write the %s file: %s",
                          format_choices[p->format], sf_error_number(e));
  double seconds = (double)s->frames / s->rate;
  const char *mime = p->format == FORMAT_FLAC ? "audio/flac" : "audio/wav";
  st->host->log(st, AC_LOG_INFO, "wrote %.1f s of %s", seconds,
                format_choices[p->format]);
  return st->host->finish_output(st, s->fd, mime, AC_ROLE_OTHER, seconds);
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
    .extensions = format_suffixes,
};

AC_PLUGIN_EXPORT(wav_plugin)
