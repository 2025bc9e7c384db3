/*
 * The transcript sink: side files of an episode, timed by the audio marks.
 *
 *   <output_base>.vtt            WebVTT captions (text/vtt), cues named
 *                                s1, s2, ... as on the listening page
 *   <output_base>.srt            the same cues as SubRip
 *   <output_base>.txt            the plain-text transcript
 *   <output_base>.chapters.json  Podcasting 2.0 chapters, version 1.2.0
 *
 * It reads the episode's timeline (every mark and the chapters, which the
 * host derives once) at flush and never keeps audio. The host names its
 * files together with the other sinks', so a reader of the site sees the
 * old set or the new one, never half of it.
 */
#include "articast/plugin.h"

#include "cues.h"
#include "outfile.h"
#include "textview.h"

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
  const char *const *formats;
  int max_line;
  int max_lines;

  unsigned wanted; /* bit per FMT_* */
} transcript_priv;

static const ac_option transcript_options[] = {
    {"formats", AC_OPT_LIST, offsetof(transcript_priv, formats), FORMAT_NAMES,
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

static int transcript_create(ac_stage *st) {
  transcript_priv *p = st->priv;
  for (const char *const *f = p->formats; f && *f; f++) {
    int found = 0;
    for (int k = 0; k < N_FORMATS; k++) {
      if (strcmp(formats[k].name, *f) == 0) {
        p->wanted |= 1u << k;
        found = 1;
      }
    }
    if (!found)
      return st->host->fail(st, AC_ERR_INVALID,
                            "formats: unknown format '%s' (valid: %s)", *f,
                            FORMAT_NAMES);
  }
  if (!p->wanted)
    return st->host->fail(st, AC_ERR_INVALID,
                          "formats: nothing to write (valid: %s)",
                          FORMAT_NAMES);
  return AC_ERR_OK;
}

/* Chunks carry nothing the transcript needs: it reads the timeline at
 * flush. */
static int transcript_process(ac_stage *st, const ac_chunk *chunk) {
  (void)st;
  (void)chunk;
  return AC_ERR_OK;
}

/* ---- Writers ------------------------------------------------------------- */

/* hh:mm:ss.mmm (WebVTT) or HH:MM:SS,mmm (SRT). */
static void put_time(ac_textbuf *b, uint64_t ms, char separator) {
  ac_textbuf_printf(b, "%02llu:%02u:%02u%c%03u",
                    (unsigned long long)(ms / 3600000),
                    (unsigned)(ms / 60000 % 60), (unsigned)(ms / 1000 % 60),
                    separator, (unsigned)(ms % 1000));
}

/* Each cue carries its identifier (ac_cue_id), which the listening page
 * gives the element showing the same text, so a player can tie the two. */
static void write_vtt(ac_textbuf *b, const ac_cues *cues) {
  ac_textbuf_puts(b, "WEBVTT\n\n");
  for (size_t i = 0; i < cues->count; i++) {
    char id[AC_CUE_ID_SIZE];
    ac_cue_id(i, id);
    ac_textbuf_printf(b, "%s\n", id);
    put_time(b, cues->items[i].start_ms, '.');
    ac_textbuf_puts(b, " --> ");
    put_time(b, cues->items[i].end_ms, '.');
    ac_textbuf_puts(b, "\n");
    /* Cue text is HTML-like: escape what would start a tag or an entity
     * (">" too, so "-->" cannot appear). */
    for (const char *s = cues->items[i].text; *s; s++) {
      if (*s == '&')
        ac_textbuf_puts(b, "&amp;");
      else if (*s == '<')
        ac_textbuf_puts(b, "&lt;");
      else if (*s == '>')
        ac_textbuf_puts(b, "&gt;");
      else
        ac_textbuf_add(b, s, 1);
    }
    ac_textbuf_puts(b, "\n\n");
  }
}

/* SubRip has no escapes: the text goes as written. */
static void write_srt(ac_textbuf *b, const ac_cues *cues) {
  for (size_t i = 0; i < cues->count; i++) {
    ac_textbuf_printf(b, "%zu\n", i + 1);
    put_time(b, cues->items[i].start_ms, ',');
    ac_textbuf_puts(b, " --> ");
    put_time(b, cues->items[i].end_ms, ',');
    ac_textbuf_printf(b, "\n%s\n\n", cues->items[i].text);
  }
}

/* Whether s holds anything but white space and control characters. */
static int has_text(const char *s) {
  for (; s && *s; s++)
    if (!ac_text_is_gap((unsigned char)*s))
      return 1;
  return 0;
}

/* One paragraph of the text transcript: folded to one line, a blank line
 * before all but the first. */
static void put_paragraph(ac_textbuf *b, const char *text, int *first) {
  if (!has_text(text))
    return;
  if (!*first)
    ac_textbuf_puts(b, "\n");
  ac_textbuf_add_folded(b, text, strlen(text));
  ac_textbuf_puts(b, "\n");
  *first = 0;
}

/* The title, then every spoken block as written (spoken[i]: a mark named
 * block i; without any mark every printable block counts as spoken). */
static void write_txt(ac_textbuf *b, const unsigned char *spoken,
                      const ac_document *doc) {
  int any_spoken = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    any_spoken |= spoken[i];
  int first = 1;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *blk = &doc->blocks[i];
    int include = any_spoken ? spoken[i] : blk->kind != AC_BLOCK_BOILERPLATE;
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

static void put_json_string(ac_textbuf *b, const char *s) {
  ac_textbuf_puts(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"')
      ac_textbuf_puts(b, "\\\"");
    else if (c == '\\')
      ac_textbuf_puts(b, "\\\\");
    else if (c == '\n')
      ac_textbuf_puts(b, "\\n");
    else if (c == '\r')
      ac_textbuf_puts(b, "\\r");
    else if (c == '\t')
      ac_textbuf_puts(b, "\\t");
    else if (c < 0x20)
      ac_textbuf_printf(b, "\\u%04x", c);
    else
      ac_textbuf_add(b, s, 1); /* UTF-8 passes through */
  }
  ac_textbuf_puts(b, "\"");
}

/* Podcasting 2.0 chapters, version 1.2.0; startTime in seconds. Two
 * chapters that round to the same millisecond keep the later title, as
 * the chapter list does for equal frames. */
static void write_chapters(ac_textbuf *b, const ac_timeline *t, int rate) {
  ac_textbuf_puts(b, "{\n  \"version\": \"1.2.0\",\n  \"chapters\": [");
  int first = 1;
  for (size_t i = 0; i < t->n_chapters; i++) {
    uint64_t ms = ac_frames_ms(t->chapters[i].start, rate);
    if (i + 1 < t->n_chapters &&
        ac_frames_ms(t->chapters[i + 1].start, rate) <= ms)
      continue;
    ac_textbuf_puts(b, first ? "\n" : ",\n");
    first = 0;
    ac_textbuf_printf(b, "    {\"startTime\": %llu.%03u, \"title\": ",
                      (unsigned long long)(ms / 1000), (unsigned)(ms % 1000));
    put_json_string(b, t->chapters[i].title);
    ac_textbuf_puts(b, "}");
  }
  ac_textbuf_puts(b, "\n  ]\n}\n");
}

/* ---- Files --------------------------------------------------------------- */

/* Writes `content` into a new output file of the episode and hands it back
 * to the host, which names it with the other sinks' files. */
static int write_output(ac_stage *st, int format, const ac_textbuf *content) {
  int fd = st->host->open_output(st, formats[format].extension);
  if (fd < 0)
    return fd;
  if (outfile_write(fd, content->data ? content->data : "", content->len, -1))
    return st->host->fail(st, AC_ERR_IO, "cannot write the %s file: %s",
                          formats[format].name, strerror(errno));
  return st->host->finish_output(st, fd, formats[format].mime_type,
                                 format == FMT_CHAPTERS ? AC_ROLE_CHAPTERS
                                 : format == FMT_TXT    ? AC_ROLE_TEXT
                                                        : AC_ROLE_TRANSCRIPT,
                                 0);
}

/* ---- Flush --------------------------------------------------------------- */

/* The transcript needs only a segment's marks and length, which the host
 * keeps in its cache itself: store an empty entry. */
static int transcript_end_segment(ac_stage *st, const ac_segment *seg) {
  return st->host->cache_put(st, seg->index, NULL, 0);
}

static int transcript_replay(ac_stage *st, const ac_segment *seg) {
  (void)st;
  (void)seg;
  return AC_ERR_OK;
}

/* Which blocks a mark names; marks naming no block of the document (a
 * faulty synth) are dropped from `kept` with a warning. */
static int spoken_blocks(ac_stage *st, const ac_document *doc,
                         const ac_timeline *t, unsigned char **spoken,
                         ac_mark **kept, size_t *n_kept) {
  *spoken = calloc(doc->n_blocks ? doc->n_blocks : 1, 1);
  *kept = malloc((t->n_marks ? t->n_marks : 1) * sizeof **kept);
  *n_kept = 0;
  if (!*spoken || !*kept)
    return st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  size_t dropped = 0;
  for (size_t i = 0; i < t->n_marks; i++) {
    if (t->marks[i].block >= doc->n_blocks) {
      dropped++;
      continue;
    }
    (*spoken)[t->marks[i].block] = 1;
    (*kept)[(*n_kept)++] = t->marks[i];
  }
  if (dropped)
    st->host->log(st, AC_LOG_WARN,
                  "%zu mark(s) name a block the document does not have; "
                  "their captions are lost",
                  dropped);
  return AC_ERR_OK;
}

static int transcript_flush(ac_stage *st) {
  transcript_priv *p = st->priv;
  const ac_episode *ep = st->episode;
  if (!ep || !ep->doc || !ep->timeline)
    return st->host->fail(st, AC_ERR_INVALID,
                          "the transcript needs an episode with a document "
                          "and its timeline");
  const ac_document *doc = ep->doc;
  const ac_timeline *t = ep->timeline;
  /* Without audio no mark has a time; any rate gives zeros. */
  int rate = t->sample_rate > 0 ? t->sample_rate : 1000;
  unsigned char *spoken = NULL;
  ac_mark *marks = NULL;
  size_t n_marks = 0;
  int rc = spoken_blocks(st, doc, t, &spoken, &marks, &n_marks);

  ac_cues cues = {0};
  ac_cue_layout layout = {(size_t)p->max_line, (size_t)p->max_lines};
  if (!rc && ac_cues_build(doc, marks, n_marks, t->n_samples, &layout, &cues))
    rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  if (cues.fallbacks)
    st->host->log(st, AC_LOG_WARN,
                  "%zu block(s) have written text but no map to it; their "
                  "captions show the text as spoken",
                  cues.fallbacks);

  ac_textbuf out[N_FORMATS];
  memset(out, 0, sizeof out);
  ac_cues_set_ms(&cues, rate);
  if (!rc && (p->wanted & (1u << FMT_VTT)))
    write_vtt(&out[FMT_VTT], &cues);
  if (!rc && (p->wanted & (1u << FMT_SRT)))
    write_srt(&out[FMT_SRT], &cues);
  if (!rc && (p->wanted & (1u << FMT_TXT)))
    write_txt(&out[FMT_TXT], spoken, doc);
  if (!rc && (p->wanted & (1u << FMT_CHAPTERS)))
    write_chapters(&out[FMT_CHAPTERS], t, rate);
  ac_cues_free(&cues);
  free(spoken);
  free(marks);
  for (int f = 0; f < N_FORMATS && !rc; f++)
    if (out[f].oom)
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
  for (int f = 0; f < N_FORMATS && !rc; f++)
    if (p->wanted & (1u << f))
      rc = write_output(st, f, &out[f]);
  for (int f = 0; f < N_FORMATS; f++)
    ac_textbuf_free(&out[f]);
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
    .process_audio = transcript_process,
    .end_segment = transcript_end_segment,
    .replay_segment = transcript_replay,
    .flush = transcript_flush,
};

AC_PLUGIN_EXPORT(transcript_plugin)
