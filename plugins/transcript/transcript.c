/*
 * The transcript sink: side files of an episode, timed by the audio marks.
 *
 *   <output_base>.vtt            WebVTT captions (text/vtt)
 *   <output_base>.srt            the same cues as SubRip
 *   <output_base>.txt            the plain-text transcript
 *   <output_base>.chapters.json  Podcasting 2.0 chapters, version 1.2.0
 *
 * It keeps the marks (a few per word) and counts frames; it never keeps
 * audio. Everything is written at flush: each file under a temporary name
 * beside its final path, fsync'd, then all renamed into place, so a reader
 * of the site sees the old set or the new one, never half a file.
 */
#include "articast/plugin.h"

#include "chapters.h"
#include "cues.h"
#include "outfile.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Formats ------------------------------------------------------------- */

enum { FMT_VTT, FMT_SRT, FMT_TXT, FMT_CHAPTERS, N_FORMATS };

static const struct {
  const char *name;
  const char *extension;
  const char *mime_type;
} formats[N_FORMATS] = {
    [FMT_VTT] = {"vtt", ".vtt", "text/vtt"},
    [FMT_SRT] = {"srt", ".srt", "application/x-subrip"},
    [FMT_TXT] = {"txt", ".txt", "text/plain"},
    [FMT_CHAPTERS] = {"chapters", ".chapters.json",
                      "application/json+chapters"},
};

#define FORMAT_NAMES "vtt srt txt chapters"

/* ---- State --------------------------------------------------------------- */

typedef struct transcript_priv {
  /* Options (filled in by the host). */
  const char *formats;
  int max_line;
  int max_lines;

  unsigned wanted; /* bit per FMT_* */
  int sample_rate; /* of the stream, once a chunk told it */
  uint64_t frames; /* length of the stream */
  ac_mark *marks;  /* every mark, in stream order */
  size_t n_marks;
  size_t cap_marks;
  unsigned char *spoken; /* per block: a mark named it */
  size_t n_spoken;
  int warned_block; /* a mark named a block the document lacks */
  ac_chapter_list chapters;
  int chapters_ready;
} transcript_priv;

static const ac_option transcript_options[] = {
    {"formats", AC_OPT_STRING, offsetof(transcript_priv, formats), FORMAT_NAMES,
     0, 0, NULL, "side files to write, any of: " FORMAT_NAMES},
    {"max_line", AC_OPT_INT, offsetof(transcript_priv, max_line), "65", 20, 200,
     NULL,
     "longest caption line, in characters; longer sentences become several "
     "cues"},
    {"max_lines", AC_OPT_INT, offsetof(transcript_priv, max_lines), "2", 1, 4,
     NULL, "most lines in one caption cue"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

/* ---- Life ---------------------------------------------------------------- */

static int parse_formats(ac_stage *st, const char *list, unsigned *wanted) {
  static const char seps[] = " ,\t";
  *wanted = 0;
  const char *s = list ? list : "";
  while (*s) {
    s += strspn(s, seps);
    size_t n = strcspn(s, seps);
    if (n == 0)
      break;
    int found = 0;
    for (int f = 0; f < N_FORMATS; f++) {
      if (strlen(formats[f].name) == n && memcmp(formats[f].name, s, n) == 0) {
        *wanted |= 1u << f;
        found = 1;
      }
    }
    if (!found)
      return st->host->fail(st, AC_ERR_INVALID,
                            "formats: unknown format '%.*s' (valid: %s)",
                            (int)n, s, FORMAT_NAMES);
    s += n;
  }
  if (!*wanted)
    return st->host->fail(st, AC_ERR_INVALID,
                          "formats: nothing to write (valid: %s)",
                          FORMAT_NAMES);
  return AC_ERR_OK;
}

static int transcript_create(ac_stage *st) {
  transcript_priv *p = st->priv;
  return parse_formats(st, p->formats, &p->wanted);
}

static void transcript_destroy(ac_stage *st) {
  transcript_priv *p = st->priv;
  free(p->marks);
  free(p->spoken);
  if (p->chapters_ready)
    ac_chapters_free(&p->chapters);
}

/* ---- Streaming ----------------------------------------------------------- */

/* The document, or NULL after reporting why there is none. */
static const ac_document *episode_doc(ac_stage *st) {
  if (!st->episode || !st->episode->doc || !st->episode->output_base) {
    st->host->fail(st, AC_ERR_INVALID,
                   "the transcript needs an episode with a document and an "
                   "output path");
    return NULL;
  }
  return st->episode->doc;
}

/* Sets up what depends on the document, on the first chunk. */
static int prepare(ac_stage *st, const ac_document *doc) {
  transcript_priv *p = st->priv;
  if (p->chapters_ready)
    return AC_ERR_OK;
  p->n_spoken = doc->n_blocks;
  p->spoken = calloc(p->n_spoken ? p->n_spoken : 1, 1);
  if (!p->spoken)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  ac_chapters_init(&p->chapters, doc);
  p->chapters_ready = 1;
  return AC_ERR_OK;
}

static int transcript_process(ac_stage *st, const ac_chunk *chunk) {
  transcript_priv *p = st->priv;
  const ac_document *doc = episode_doc(st);
  if (!doc)
    return AC_ERR_INVALID;
  int rc = prepare(st, doc);
  if (rc)
    return rc;
  if (chunk->sample_rate > 0) {
    if (p->sample_rate && chunk->sample_rate != p->sample_rate)
      return st->host->fail(st, AC_ERR_FORMAT,
                            "the sample rate changed from %d to %d Hz "
                            "inside the stream",
                            p->sample_rate, chunk->sample_rate);
    p->sample_rate = chunk->sample_rate;
  } else if (chunk->n_samples > 0) {
    return st->host->fail(st, AC_ERR_FORMAT,
                          "a chunk of audio has no sample rate (%d)",
                          chunk->sample_rate);
  }
  uint64_t end = chunk->position + chunk->n_samples;
  if (end > p->frames)
    p->frames = end;
  if (chunk->n_marks > p->cap_marks - p->n_marks) {
    size_t cap = p->cap_marks ? p->cap_marks : 256;
    while (cap - p->n_marks < chunk->n_marks)
      cap *= 2;
    ac_mark *grown = realloc(p->marks, cap * sizeof *grown);
    if (!grown)
      return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    p->marks = grown;
    p->cap_marks = cap;
  }
  for (size_t i = 0; i < chunk->n_marks; i++) {
    const ac_mark *m = &chunk->marks[i];
    if (m->block >= p->n_spoken) {
      /* Not fatal: the audio is fine, only this caption is lost. */
      if (!p->warned_block)
        st->host->log(st, AC_LOG_WARN,
                      "a mark names block %u, but the document has %zu "
                      "blocks; ignoring it",
                      (unsigned)m->block, p->n_spoken);
      p->warned_block = 1;
      continue;
    }
    p->spoken[m->block] = 1;
    p->marks[p->n_marks++] = *m;
    if (ac_chapters_mark(&p->chapters, m) != AC_ERR_OK)
      return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  }
  return AC_ERR_OK;
}

/* ---- Writers ------------------------------------------------------------- */

/* Frames to whole milliseconds, rounded to nearest, without overflow. */
static uint64_t frames_ms(uint64_t frames, int rate) {
  uint64_t r = (uint64_t)rate;
  return frames / r * 1000 + ((frames % r) * 1000 + r / 2) / r;
}

/* hh:mm:ss.mmm (WebVTT) or HH:MM:SS,mmm (SRT). */
static void put_time(tr_buf *b, uint64_t ms, char separator) {
  tr_buf_printf(b, "%02llu:%02u:%02u%c%03u", (unsigned long long)(ms / 3600000),
                (unsigned)(ms / 60000 % 60), (unsigned)(ms / 1000 % 60),
                separator, (unsigned)(ms % 1000));
}

/* Cue times in ms: starts never decrease and each end is after its start,
 * also when rounding brings two marks to the same millisecond. */
static void cue_ms(const tr_cues *cues, size_t i, int rate, uint64_t *start,
                   uint64_t *end, uint64_t *floor) {
  *start = frames_ms(cues->items[i].start, rate);
  if (*start < *floor)
    *start = *floor;
  *end = frames_ms(cues->items[i].end, rate);
  if (*end <= *start)
    *end = *start + 1;
  *floor = *start;
}

static void write_vtt(tr_buf *b, const tr_cues *cues, int rate) {
  uint64_t floor = 0, start, end;
  tr_buf_puts(b, "WEBVTT\n\n");
  for (size_t i = 0; i < cues->count; i++) {
    cue_ms(cues, i, rate, &start, &end, &floor);
    put_time(b, start, '.');
    tr_buf_puts(b, " --> ");
    put_time(b, end, '.');
    tr_buf_puts(b, "\n");
    /* Cue text is HTML-like: escape what would start a tag or an entity
     * (">" too, so "-->" cannot appear). */
    for (const char *s = cues->items[i].text; *s; s++) {
      if (*s == '&')
        tr_buf_puts(b, "&amp;");
      else if (*s == '<')
        tr_buf_puts(b, "&lt;");
      else if (*s == '>')
        tr_buf_puts(b, "&gt;");
      else
        tr_buf_add(b, s, 1);
    }
    tr_buf_puts(b, "\n\n");
  }
}

/* SubRip has no escapes: the text goes as written. */
static void write_srt(tr_buf *b, const tr_cues *cues, int rate) {
  uint64_t floor = 0, start, end;
  for (size_t i = 0; i < cues->count; i++) {
    cue_ms(cues, i, rate, &start, &end, &floor);
    tr_buf_printf(b, "%zu\n", i + 1);
    put_time(b, start, ',');
    tr_buf_puts(b, " --> ");
    put_time(b, end, ',');
    tr_buf_printf(b, "\n%s\n\n", cues->items[i].text);
  }
}

/* Whether s holds anything but white space and control characters. */
static int has_text(const char *s) {
  for (; s && *s; s++)
    if (!tr_is_gap((unsigned char)*s))
      return 1;
  return 0;
}

/* One paragraph of the text transcript: folded to one line, a blank line
 * before all but the first. */
static void put_paragraph(tr_buf *b, const char *text, int *first) {
  if (!has_text(text))
    return;
  if (!*first)
    tr_buf_puts(b, "\n");
  tr_buf_add_folded(b, text, strlen(text));
  tr_buf_puts(b, "\n");
  *first = 0;
}

/* The title, then every spoken block as written. */
static void write_txt(tr_buf *b, const transcript_priv *p,
                      const ac_document *doc) {
  int any_spoken = 0;
  for (size_t i = 0; i < p->n_spoken; i++)
    any_spoken |= p->spoken[i];
  int first = 1;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *blk = &doc->blocks[i];
    /* Without marks (a synth that gives none) every printable block
     * counts as spoken. */
    int include = any_spoken ? (i < p->n_spoken && p->spoken[i])
                             : blk->kind != AC_BLOCK_BOILERPLATE;
    const char *text = blk->written ? blk->written : blk->text;
    if (!include || !has_text(text))
      continue;
    /* The host puts the title first, as a level-0 heading; without it,
     * the transcript still opens with the title. */
    if (first && !(blk->kind == AC_BLOCK_HEADING && blk->level == 0))
      put_paragraph(b, doc->title, &first);
    put_paragraph(b, text, &first);
  }
  if (first)
    put_paragraph(b, doc->title, &first);
}

static void put_json_string(tr_buf *b, const char *s) {
  tr_buf_puts(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"')
      tr_buf_puts(b, "\\\"");
    else if (c == '\\')
      tr_buf_puts(b, "\\\\");
    else if (c == '\n')
      tr_buf_puts(b, "\\n");
    else if (c == '\r')
      tr_buf_puts(b, "\\r");
    else if (c == '\t')
      tr_buf_puts(b, "\\t");
    else if (c < 0x20)
      tr_buf_printf(b, "\\u%04x", c);
    else
      tr_buf_add(b, s, 1); /* UTF-8 passes through */
  }
  tr_buf_puts(b, "\"");
}

/* Podcasting 2.0 chapters, version 1.2.0; startTime in seconds. Two
 * chapters that round to the same millisecond keep the later title, as
 * the chapter list does for equal frames. */
static void write_chapters(tr_buf *b, const ac_chapter_list *list, int rate) {
  tr_buf_puts(b, "{\n  \"version\": \"1.2.0\",\n  \"chapters\": [");
  int first = 1;
  for (size_t i = 0; i < list->count; i++) {
    uint64_t ms = frames_ms(list->items[i].start, rate);
    if (i + 1 < list->count && frames_ms(list->items[i + 1].start, rate) <= ms)
      continue;
    tr_buf_puts(b, first ? "\n" : ",\n");
    first = 0;
    tr_buf_printf(b, "    {\"startTime\": %llu.%03u, \"title\": ",
                  (unsigned long long)(ms / 1000), (unsigned)(ms % 1000));
    put_json_string(b, list->items[i].title);
    tr_buf_puts(b, "}");
  }
  tr_buf_puts(b, "\n  ]\n}\n");
}

/* ---- Files --------------------------------------------------------------- */

/* Writes `content` to a new temporary file beside `base` + `extension`,
 * readable by all (the site is served as is), fsync'd and closed under its
 * temporary name: outfile_finish, not yet renamed. */
static int write_temp(ac_stage *st, outfile *f, const char *base,
                      const char *extension, const tr_buf *content) {
  size_t n = strlen(base) + strlen(extension) + 1;
  char *path = malloc(n);
  if (!path)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  snprintf(path, n, "%s%s", base, extension);
  char err[512];
  int rc = AC_ERR_OK;
  if (outfile_open_with(f, path, "tmp", 0, err, sizeof err) != 0)
    rc = errno == ENOMEM ? AC_ERR_NOMEM : AC_ERR_IO;
  free(path);
  if (rc)
    return st->host->fail(st, rc, "%s", err);
  if (outfile_write(f->fd, content->data ? content->data : "", content->len,
                    -1) != 0) {
    rc = st->host->fail(st, AC_ERR_IO, "cannot write %s: %s", f->final_path,
                        strerror(errno));
    outfile_discard(f);
    return rc;
  }
  if (outfile_finish(f, err, sizeof err) != 0)
    return st->host->fail(st, AC_ERR_IO, "%s", err);
  return AC_ERR_OK;
}

/* ---- Flush --------------------------------------------------------------- */

/* The transcript needs only a segment's marks and length, which the host
 * keeps in its cache itself: store an empty entry. */
static int transcript_end_segment(ac_stage *st, const ac_segment *seg) {
  return st->host->cache_put(st, seg->index, NULL, 0);
}

static int transcript_replay(ac_stage *st, const ac_segment *seg) {
  ac_chunk c = {.samples = NULL,
                .n_samples = (size_t)seg->n_samples,
                .position = seg->position,
                .sample_rate = seg->sample_rate,
                .marks = seg->marks,
                .n_marks = seg->n_marks};
  return transcript_process(st, &c);
}

static int transcript_flush(ac_stage *st) {
  transcript_priv *p = st->priv;
  const ac_document *doc = episode_doc(st);
  if (!doc)
    return AC_ERR_INVALID;
  int rc = prepare(st, doc);
  if (rc)
    return rc;
  /* Without audio no mark has a time; any rate gives zeros. */
  int rate = p->sample_rate > 0 ? p->sample_rate : 1000;
  if (ac_chapters_finish(&p->chapters, p->frames) != AC_ERR_OK)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");

  tr_cues cues = {0};
  tr_layout layout = {(size_t)p->max_line, (size_t)p->max_lines};
  if (tr_cues_build(doc, p->marks, p->n_marks, p->frames, &layout, &cues))
    rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (cues.fallbacks)
    st->host->log(st, AC_LOG_WARN,
                  "%zu block(s) have written text but no map to it; their "
                  "captions show the text as spoken",
                  cues.fallbacks);

  tr_buf out[N_FORMATS];
  memset(out, 0, sizeof out);
  if (!rc && (p->wanted & (1u << FMT_VTT)))
    write_vtt(&out[FMT_VTT], &cues, rate);
  if (!rc && (p->wanted & (1u << FMT_SRT)))
    write_srt(&out[FMT_SRT], &cues, rate);
  if (!rc && (p->wanted & (1u << FMT_TXT)))
    write_txt(&out[FMT_TXT], p, doc);
  if (!rc && (p->wanted & (1u << FMT_CHAPTERS)))
    write_chapters(&out[FMT_CHAPTERS], &p->chapters, rate);
  tr_cues_free(&cues);
  for (int f = 0; f < N_FORMATS && !rc; f++)
    if (out[f].oom)
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");

  /* Every file is written in full before any replaces its old version. */
  const char *base = st->episode->output_base;
  outfile files[N_FORMATS];
  for (int f = 0; f < N_FORMATS; f++)
    outfile_init(&files[f]);
  for (int f = 0; f < N_FORMATS && !rc; f++)
    if (p->wanted & (1u << f))
      rc = write_temp(st, &files[f], base, formats[f].extension, &out[f]);
  for (int f = 0; f < N_FORMATS; f++)
    tr_buf_free(&out[f]);
  for (int f = 0; f < N_FORMATS && !rc; f++) {
    char err[512];
    if (files[f].temp_path && outfile_rename(&files[f], err, sizeof err) != 0)
      rc = st->host->fail(st, AC_ERR_IO, "%s", err);
  }
  if (!rc) {
    outfile_sync_dir(base);
    for (int f = 0; f < N_FORMATS && !rc; f++)
      if (p->wanted & (1u << f))
        rc = st->host->add_artifact(st, files[f].final_path,
                                    formats[f].mime_type, 0);
  }
  /* Removes what was not renamed (after a failure) and frees the paths. */
  for (int f = 0; f < N_FORMATS; f++)
    outfile_discard(&files[f]);
  return rc;
}

static const ac_plugin transcript_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "transcript",
    .version = "1.0",
    .description = "WebVTT and SRT captions, a text transcript and "
                   "Podcasting 2.0 chapters, timed by the audio marks",
    .kind = AC_STAGE_SINK,
    .priv_size = sizeof(transcript_priv),
    .options = transcript_options,
    .create = transcript_create,
    .destroy = transcript_destroy,
    .process_audio = transcript_process,
    .end_segment = transcript_end_segment,
    .replay_segment = transcript_replay,
    .flush = transcript_flush,
};

AC_PLUGIN_EXPORT(transcript_plugin)
