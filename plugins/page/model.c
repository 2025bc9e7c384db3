/* An episode's page data from the document, the timeline and the files
 * the sinks wrote (see page.h). The cues come from plugins/common/cues.c,
 * as the transcript sink's do, so each sentence element of the page is a
 * WebVTT cue with the same id, text and times. */
#include "page.h"

#include "cues.h"
#include "textview.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SUMMARY 300
#define MAX_TITLE 120

/* ---- Freeing ------------------------------------------------------------- */

static void free_file(pg_file *f) {
  free(f->href);
  free(f->type);
}

void pg_episode_free(pg_episode *ep) {
  if (!ep)
    return;
  char *strings[] = {ep->slug,     ep->key,     ep->title, ep->author,
                     ep->language, ep->summary, ep->link,  ep->voice};
  for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
    free(strings[i]);
  free_file(&ep->audio);
  for (size_t i = 0; i < ep->n_files; i++)
    free_file(&ep->files[i]);
  free(ep->files);
  for (size_t i = 0; i < ep->n_chapters; i++)
    free(ep->chapters[i].title);
  free(ep->chapters);
  for (size_t i = 0; i < ep->n_blocks; i++) {
    for (size_t k = 0; k < ep->blocks[i].n_runs; k++)
      free(ep->blocks[i].runs[k].text);
    free(ep->blocks[i].runs);
    free(ep->blocks[i].lang);
  }
  free(ep->blocks);
  memset(ep, 0, sizeof *ep);
}

/* ---- Building ------------------------------------------------------------ */

typedef struct builder {
  const ac_episode *ep;
  const char *site_real;
  pg_episode *out;
  char *why;
  size_t whylen;
  ac_cues cues;
  size_t *doc_block; /* per page block: its document block */
  size_t anomalies;  /* cues whose text overlapped an earlier cue's */
} builder;

static int failf(builder *b, int code, const char *fmt, ...) AC_PRINTF(3, 4);
static int failf(builder *b, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->why, b->whylen, fmt, ap);
  va_end(ap);
  return code;
}

static int oom(builder *b) {
  return failf(b, AC_ERR_NOMEM, "out of memory");
}

/* `path` relative to SITE, or NULL when it is missing or outside SITE. */
static char *site_relative(const char *site_real, const char *path) {
  char *real = realpath(path, NULL);
  if (!real)
    return NULL;
  size_t n = strlen(site_real);
  char *rel = NULL;
  if (strncmp(real, site_real, n) == 0 && real[n] == '/' && real[n + 1])
    rel = strdup(real + n + 1);
  free(real);
  return rel;
}

static int set_file(builder *b, pg_file *f, const ac_artifact *a) {
  f->href = site_relative(b->site_real, a->path);
  if (!f->href)
    return failf(b, AC_ERR_INVALID,
                 "%s is missing or lies outside the site %s, so a page "
                 "cannot link to it",
                 a->path, b->site_real);
  f->type = strdup(a->mime_type ? a->mime_type : "application/octet-stream");
  f->role = a->role;
  f->size = a->size;
  return f->type ? AC_ERR_OK : oom(b);
}

/* The audio (an MP3 when there is one) and the other files to download. */
static int collect_files(builder *b) {
  const ac_episode *ep = b->ep;
  const ac_artifact *audio = NULL;
  for (size_t i = 0; i < ep->n_artifacts; i++) {
    const ac_artifact *a = &ep->artifacts[i];
    if (a->role != AC_ROLE_AUDIO)
      continue;
    if (!audio || (a->mime_type && strcmp(a->mime_type, "audio/mpeg") == 0 &&
                   strcmp(audio->mime_type, "audio/mpeg") != 0))
      audio = a;
  }
  if (!audio)
    return failf(b, AC_ERR_NOTFOUND,
                 "no audio among the files the sinks wrote: a listening "
                 "page needs one (add mp3 to [pipeline] sinks, or remove "
                 "page from [pipeline] publish)");
  int rc = set_file(b, &b->out->audio, audio);
  if (rc)
    return rc;
  b->out->duration = audio->duration > 0 ? audio->duration : 0;
  b->out->files =
      calloc(ep->n_artifacts ? ep->n_artifacts : 1, sizeof *b->out->files);
  if (!b->out->files)
    return oom(b);
  for (size_t i = 0; i < ep->n_artifacts && rc == AC_ERR_OK; i++)
    if (&ep->artifacts[i] != audio)
      rc = set_file(b, &b->out->files[b->out->n_files++], &ep->artifacts[i]);
  return rc;
}

/* The first paragraph with text, as written. */
static const char *opening_paragraph(const ac_document *doc) {
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *blk = &doc->blocks[i];
    const char *t = blk->written ? blk->written : blk->text;
    if (blk->kind != AC_BLOCK_PARAGRAPH || !t)
      continue;
    for (const char *p = t; *p; p++)
      if ((unsigned char)*p > ' ')
        return t;
  }
  return NULL;
}

/* A one-line copy, cut to max bytes; NULL for NULL or a blank string. */
static char *one_line(const char *s, size_t max) {
  char *line = pg_clean(s, (size_t)-1, 1);
  if (!line || !*line) {
    free(line);
    return NULL;
  }
  char *cut = pg_truncate(line, max);
  free(line);
  return cut;
}

static const char *valid_lang(const char *tag) {
  return pg_lang_valid(tag) ? tag : NULL;
}

/* Title, author, language, summary, link, key, voice and date. */
static int describe(builder *b) {
  const ac_episode *ep = b->ep;
  const ac_document *doc = ep->doc;
  pg_episode *out = b->out;
  out->title = one_line(doc->title, MAX_TITLE * 4);
  if (!out->title)
    out->title = one_line(opening_paragraph(doc), MAX_TITLE);
  if (!out->title)
    out->title = strdup(ep->slug);
  out->author = one_line(doc->author, 400);
  const char *lang = valid_lang(doc->language);
  if (!lang && ep->show)
    lang = valid_lang(ep->show->language);
  if (!lang && ep->voice)
    lang = valid_lang(ep->voice->language);
  out->language = strdup(lang ? lang : "en");
  const char *summary =
      doc->summary && *doc->summary ? doc->summary : opening_paragraph(doc);
  out->summary = one_line(summary, MAX_SUMMARY);
  if (pg_is_http_url(doc->url))
    out->link = pg_clean(doc->url, (size_t)-1, 1);
  const char *key = doc->id && *doc->id ? doc->id : doc->url;
  out->key = one_line(key, 2000);
  if (ep->voice && ep->voice->name)
    out->voice = one_line(ep->voice->name, 200);
  out->dated = pg_parse_date(doc->date, &out->published) == 0;
  if (!out->dated)
    out->published = (int64_t)time(NULL);
  out->slug = strdup(ep->slug);
  if (!out->title || !out->language || !out->slug)
    return oom(b);
  return AC_ERR_OK;
}

/* ---- Blocks and their runs ----------------------------------------------- */

static int add_run(builder *b, pg_block *blk, char *text, size_t cue,
                   uint64_t start, uint64_t end) {
  if (!text)
    return oom(b);
  pg_run *grown = realloc(blk->runs, (blk->n_runs + 1) * sizeof *grown);
  if (!grown) {
    free(text);
    return oom(b);
  }
  blk->runs = grown;
  blk->runs[blk->n_runs++] =
      (pg_run){.text = text, .cue = cue, .start_ms = start, .end_ms = end};
  return AC_ERR_OK;
}

/* Plain text s[a..e) folded, keeping one space at an end that had white
 * space, so words on either side of a cue stay apart. */
static int add_plain(builder *b, pg_block *blk, const char *s, size_t a,
                     size_t e) {
  if (a >= e)
    return AC_ERR_OK;
  char *core = pg_clean(s + a, e - a, 1);
  if (!core)
    return oom(b);
  int lead = ac_text_is_gap((unsigned char)s[a]);
  int trail = ac_text_is_gap((unsigned char)s[e - 1]);
  size_t n = strlen(core);
  char *text = malloc(n + 3);
  if (!text) {
    free(core);
    return oom(b);
  }
  snprintf(text, n + 3, "%s%s%s", lead ? " " : "", core, trail && n ? " " : "");
  free(core);
  return add_run(b, blk, text, 0, 0, 0);
}

/* The runs of document block `d`: its cues, with the text between them. */
static int block_runs(builder *b, size_t d, pg_block *blk) {
  ac_text_view v;
  ac_text_view_init(&v, &b->ep->doc->blocks[d]);
  size_t pos = 0;
  int rc = AC_ERR_OK;
  for (size_t i = 0; i < b->cues.count && rc == AC_ERR_OK; i++) {
    const ac_cue *c = &b->cues.items[i];
    if (c->block != d)
      continue;
    char *text;
    if (c->shown_start >= pos && c->shown_end <= v.shown_len) {
      rc = add_plain(b, blk, v.shown, pos, c->shown_start);
      text =
          pg_clean(v.shown + c->shown_start, c->shown_end - c->shown_start, 1);
      pos = c->shown_end;
    } else {
      /* Never seen; should a cue reach back into the text of the one
       * before, it still shows its own words. */
      b->anomalies++;
      text = pg_clean(c->text, (size_t)-1, 1);
      if (c->shown_end > pos)
        pos = c->shown_end < v.shown_len ? c->shown_end : v.shown_len;
    }
    if (rc == AC_ERR_OK)
      rc = add_run(b, blk, text, i + 1, c->start_ms, c->end_ms);
  }
  if (rc == AC_ERR_OK)
    rc = add_plain(b, blk, v.shown, pos, v.shown_len);
  return rc;
}

/* Whether a block has anything to show. */
static int has_text(const ac_block *blk) {
  const char *t = blk->written ? blk->written : blk->text;
  for (; t && *t; t++)
    if (!ac_text_is_gap((unsigned char)*t))
      return 1;
  return 0;
}

/* The blocks that were spoken (or, without any mark, all but
 * boilerplate), with their runs. */
static int build_blocks(builder *b, const unsigned char *spoken, int any) {
  const ac_document *doc = b->ep->doc;
  pg_episode *out = b->out;
  out->blocks = calloc(doc->n_blocks ? doc->n_blocks : 1, sizeof *out->blocks);
  b->doc_block =
      calloc(doc->n_blocks ? doc->n_blocks : 1, sizeof *b->doc_block);
  if (!out->blocks || !b->doc_block)
    return oom(b);
  for (size_t d = 0; d < doc->n_blocks; d++) {
    const ac_block *src = &doc->blocks[d];
    int include = any ? spoken[d] : src->kind != AC_BLOCK_BOILERPLATE;
    if (!include || src->kind == AC_BLOCK_BOILERPLATE || !has_text(src))
      continue;
    pg_block *blk = &out->blocks[out->n_blocks];
    blk->kind = src->kind;
    blk->level = src->kind == AC_BLOCK_HEADING ? src->level : 0;
    if (blk->level < 0 || blk->level > 6)
      blk->level = 6;
    if (pg_lang_valid(src->lang) && !(blk->lang = strdup(src->lang)))
      return oom(b);
    b->doc_block[out->n_blocks++] = d;
    int rc = block_runs(b, d, blk);
    if (rc)
      return rc;
  }
  return AC_ERR_OK;
}

/* The host's chapters in milliseconds (two that round to the same
 * millisecond keep the later, as the chapters JSON does), each tied to
 * the first page block at or after the block that starts it. */
static int build_chapters(builder *b, const ac_timeline *t, int rate) {
  pg_episode *out = b->out;
  const ac_document *doc = b->ep->doc;
  out->chapters =
      calloc(t->n_chapters ? t->n_chapters : 1, sizeof *out->chapters);
  if (!out->chapters)
    return oom(b);
  for (size_t i = 0; i < t->n_chapters; i++) {
    const ac_chapter *c = &t->chapters[i];
    uint64_t ms = ac_frames_ms(c->start, rate);
    if (i + 1 < t->n_chapters &&
        ac_frames_ms(t->chapters[i + 1].start, rate) <= ms)
      continue;
    size_t k = 0;
    while (k < out->n_blocks && b->doc_block[k] < c->block)
      k++;
    if (k == out->n_blocks)
      continue; /* starts at nothing the page shows */
    pg_chapter *ch = &out->chapters[out->n_chapters];
    ch->start_ms = ms;
    ch->block = k;
    ch->host_label = c->block < doc->n_blocks &&
                     (doc->blocks[c->block].kind == AC_BLOCK_BYLINE ||
                      doc->blocks[c->block].kind == AC_BLOCK_BIO);
    if (!(ch->title = one_line(c->title ? c->title : "", 1000)) &&
        !(ch->title = strdup("Chapter")))
      return oom(b);
    out->n_chapters++;
  }
  return AC_ERR_OK;
}

/* Which blocks a mark names, and the marks that name a block the document
 * has (as the transcript sink keeps them). */
static int spoken_marks(builder *b, const ac_timeline *t,
                        unsigned char **spoken, ac_mark **kept, size_t *n,
                        int *any) {
  const ac_document *doc = b->ep->doc;
  *spoken = calloc(doc->n_blocks ? doc->n_blocks : 1, 1);
  *kept = malloc((t->n_marks ? t->n_marks : 1) * sizeof **kept);
  *n = 0;
  *any = 0;
  if (!*spoken || !*kept)
    return oom(b);
  for (size_t i = 0; i < t->n_marks; i++) {
    if (t->marks[i].block >= doc->n_blocks)
      continue;
    (*spoken)[t->marks[i].block] = 1;
    (*kept)[(*n)++] = t->marks[i];
    *any = 1;
  }
  return AC_ERR_OK;
}

static int build_text(builder *b, const pg_layout *layout) {
  static const ac_timeline none = {0};
  const ac_timeline *t = b->ep->timeline ? b->ep->timeline : &none;
  int rate = t->sample_rate > 0 ? t->sample_rate : 1000;
  unsigned char *spoken = NULL;
  ac_mark *marks = NULL;
  size_t n = 0;
  int any = 0;
  int rc = spoken_marks(b, t, &spoken, &marks, &n, &any);
  ac_cue_layout cl = {(size_t)layout->max_line, (size_t)layout->max_lines};
  if (rc == AC_ERR_OK &&
      ac_cues_build(b->ep->doc, marks, n, t->n_samples, &cl, &b->cues))
    rc = oom(b);
  ac_cues_set_ms(&b->cues, rate);
  if (rc == AC_ERR_OK)
    rc = build_blocks(b, spoken, any);
  if (rc == AC_ERR_OK)
    rc = build_chapters(b, t, rate);
  if (rc == AC_ERR_OK && b->out->duration <= 0 && t->n_samples)
    b->out->duration = (double)t->n_samples / rate;
  free(spoken);
  free(marks);
  return rc;
}

int pg_model_build(const ac_episode *ep, const char *site_real,
                   const pg_layout *layout, pg_episode *out, size_t *overlaps,
                   char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  builder b = {.ep = ep,
               .site_real = site_real,
               .out = out,
               .why = why,
               .whylen = whylen};
  int rc = collect_files(&b);
  if (rc == AC_ERR_OK)
    rc = describe(&b);
  if (rc == AC_ERR_OK)
    rc = build_text(&b, layout);
  if (overlaps)
    *overlaps = b.anomalies;
  ac_cues_free(&b.cues);
  free(b.doc_block);
  if (rc)
    pg_episode_free(out);
  return rc;
}

/* ---- Checking against the WebVTT file ------------------------------------ */

/* hh:mm:ss.mmm at s, in milliseconds, or -1. */
static long long vtt_time(const char *s) {
  unsigned h, m, sec, ms;
  int used = 0;
  if (sscanf(s, "%u:%2u:%2u.%3u%n", &h, &m, &sec, &ms, &used) != 4 || used < 12)
    return -1;
  return (((long long)h * 60 + m) * 60 + sec) * 1000 + ms;
}

size_t pg_model_vtt_mismatch(const pg_episode *ep, const char *vtt_path) {
  FILE *f = fopen(vtt_path, "r");
  if (!f)
    return 0;
  size_t n_cues = 0;
  for (size_t i = 0; i < ep->n_blocks; i++)
    for (size_t r = 0; r < ep->blocks[i].n_runs; r++)
      n_cues += ep->blocks[i].runs[r].cue != 0;
  const pg_run **cues = malloc((n_cues ? n_cues : 1) * sizeof *cues);
  if (!cues) {
    fclose(f);
    return 0;
  }
  size_t k = 0;
  for (size_t i = 0; i < ep->n_blocks; i++)
    for (size_t r = 0; r < ep->blocks[i].n_runs; r++)
      if (ep->blocks[i].runs[r].cue)
        cues[k++] = &ep->blocks[i].runs[r];
  size_t seen = 0, mismatched = 0;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char *arrow = strstr(line, " --> ");
    if (!arrow)
      continue;
    long long start = vtt_time(line), end = vtt_time(arrow + 5);
    const pg_run *run = seen < n_cues ? cues[seen] : NULL;
    seen++;
    if (!run || (long long)run->start_ms != start ||
        (long long)run->end_ms != end)
      mismatched++;
  }
  fclose(f);
  free(cues);
  return mismatched + (seen < n_cues ? n_cues - seen : 0);
}
