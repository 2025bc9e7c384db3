/*
 * The transcript sink and the shared chapter derivation.
 *
 * A fake synth speaks a document into marks at known samples (silence for
 * audio); the sink's files are then read back and checked against those
 * marks: cue times to the millisecond, cue sizes, escaping, the written
 * text through a span map, SRT numbering, the chapters JSON (read back
 * with python3) and the atomic writing of the files.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RATE 22050

/* ---- A fake synth -------------------------------------------------------- */

#define MAX_BLOCKS 32

typedef struct script {
  ac_mark *marks;
  size_t n, cap;
  uint64_t total;
  int spoken[MAX_BLOCKS];
  uint64_t block_mark[MAX_BLOCKS]; /* sample of the block's BLOCK mark */
  uint64_t block_end[MAX_BLOCKS];  /* sample of its BLOCK_END mark */
} script;

static void add_mark(script *s, ac_mark_kind kind, size_t block, size_t off,
                     size_t len, uint64_t sample) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 256;
    s->marks = realloc(s->marks, s->cap * sizeof *s->marks);
    ck_assert_ptr_nonnull(s->marks);
  }
  s->marks[s->n++] = (ac_mark){.kind = kind,
                               .block = (uint32_t)block,
                               .text_offset = (uint32_t)off,
                               .text_length = (uint32_t)len,
                               .sample = sample};
}

/* A sentence starts a block's text and follows ". ", "! " or "? ". */
static int starts_sentence(const char *text, size_t at) {
  return at == 0 || (at >= 2 && text[at - 1] == ' ' &&
                     strchr(".!?", text[at - 2]) != NULL);
}

/* Speaks every block but boilerplate as a synth would mark it: BLOCK, a
 * short lead-in, SENTENCE and WORD marks (words take time by length,
 * sentences are 3000 frames apart), BLOCK_END, then a half-second pause. */
static void speak(script *s, const ac_document *doc) {
  memset(s, 0, sizeof *s);
  uint64_t t = 0;
  for (size_t b = 0; b < doc->n_blocks && b < MAX_BLOCKS; b++) {
    const ac_block *blk = &doc->blocks[b];
    if (blk->kind == AC_BLOCK_BOILERPLATE)
      continue;
    const char *text = blk->text;
    size_t len = strlen(text);
    add_mark(s, AC_MARK_BLOCK, b, 0, len, t);
    s->spoken[b] = 1;
    s->block_mark[b] = t;
    t += 500;
    int first = 1;
    for (size_t i = 0; i < len;) {
      while (i < len && text[i] == ' ')
        i++;
      if (i == len)
        break;
      size_t end = i;
      while (end < len && text[end] != ' ')
        end++;
      if (starts_sentence(text, i)) {
        if (!first)
          t += 3000;
        add_mark(s, AC_MARK_SENTENCE, b, i, 0, t);
        first = 0;
      }
      add_mark(s, AC_MARK_WORD, b, i, end - i, t);
      t += 1500 + 300 * (end - i);
      i = end;
    }
    add_mark(s, AC_MARK_BLOCK_END, b, 0, len, t);
    s->block_end[b] = t;
    t += RATE / 2;
  }
  s->total = t;
}

static uint64_t ms(uint64_t frames) {
  return (frames * 1000 + RATE / 2) / RATE;
}

/* Feeds the script to a sink as chunks of `chunk` frames of silence, each
 * carrying the marks that fall in it. */
static int feed(harness_sinks *h, ac_stage_instance *si, const script *s,
                size_t chunk) {
  static const float silence[4096];
  ck_assert_uint_le(chunk, 4096);
  size_t m = 0;
  for (uint64_t pos = 0;;) {
    size_t n = s->total - pos < chunk ? (size_t)(s->total - pos) : chunk;
    int last = pos + n >= s->total;
    size_t k = m;
    while (k < s->n && (s->marks[k].sample < pos + n ||
                        (last && s->marks[k].sample <= pos + n)))
      k++;
    ac_chunk c = {.samples = silence,
                  .n_samples = n,
                  .position = pos,
                  .sample_rate = RATE,
                  .marks = s->marks + m,
                  .n_marks = k - m};
    int rc = harness_sinks_chunk(h, si, &c);
    if (rc)
      return rc;
    m = k;
    pos += n;
    if (last)
      return 0;
  }
}

/* ---- Documents ----------------------------------------------------------- */

static const char *const long_sentence =
    "The new budget, which the council approved after a debate that lasted "
    "well into the night and drew more than two hundred residents to the "
    "town hall, sets aside money for the harbour bridge, the ferry terminal, "
    "the cycle lanes along the waterfront, and a study of "
    "https://example.org/reports/harbour-bridge-budget-2026/"
    "appendix-b-full-cost-breakdown.html before any contract is signed.";

enum {
  B_TITLE,
  B_BYLINE,
  B_INTRO,
  B_COSTS,
  B_LONG,
  B_ESCAPE,
  B_CAFE,
  B_ZOE,
  B_MAPPED,
  B_BOILER,
  B_BIO,
  N_BLOCKS
};

static ac_block *add(ac_document *doc, ac_block_kind kind, int level,
                     const char *text) {
  ac_block *b = ac_document_add_block(doc, kind, text, strlen(text));
  ck_assert_ptr_nonnull(b);
  b->level = level;
  return b;
}

/* "Doctor Smith paid five dollars today." spoken from "Dr. Smith paid $5
 * today." written. */
static void add_mapped(ac_document *doc) {
  ac_block *b =
      add(doc, AC_BLOCK_PARAGRAPH, 0, "Doctor Smith paid five dollars today.");
  b->written = strdup("Dr. Smith paid $5 today.");
  static const ac_span spans[] = {{0, 0}, {6, 3}, {18, 15}, {30, 17}};
  b->map = malloc(sizeof spans);
  ck_assert_ptr_nonnull(b->written);
  ck_assert_ptr_nonnull(b->map);
  memcpy(b->map, spans, sizeof spans);
  b->n_map = 4;
}

static ac_document *article(void) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Harbour & Bridge: <Budget> Review", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, doc->title);
  add(doc, AC_BLOCK_BYLINE, 0, "By Jane Doe");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "The council met on Tuesday. It approved the budget! Work starts in "
      "May.");
  add(doc, AC_BLOCK_HEADING, 2, "Costs & \"Risks\"");
  add(doc, AC_BLOCK_PARAGRAPH, 0, long_sentence);
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Rates rose 5% & fees < costs > expected. Nobody was happy.");
  add(doc, AC_BLOCK_HEADING, 2,
      "Caf\xC3\xA9 culture \xE2\x80\x94 "
      "na\xC3\xAFve r\xC3\xA9sum\xC3\xA9");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Zo\xC3\xAB ordered cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\x65 at the "
      "caf\xC3\xA9. \xC3\x87\x61 va tr\xC3\xA8s bien.");
  add_mapped(doc);
  add(doc, AC_BLOCK_BOILERPLATE, 0, "Subscribe now for more.");
  add(doc, AC_BLOCK_BIO, 0, "Jane Doe covers city hall for the Gazette.");
  ck_assert_uint_eq(doc->n_blocks, N_BLOCKS);
  return doc;
}

/* ---- Reading the files back ---------------------------------------------- */

typedef struct cue {
  uint64_t start, end; /* ms */
  char text[1024];     /* lines joined by '\n', as in the file */
  int lines;
} cue;

typedef struct cue_list {
  cue items[256];
  size_t n;
} cue_list;

static char *file_path(const char *base, const char *ext) {
  size_t n = strlen(base) + strlen(ext) + 1;
  char *p = malloc(n);
  ck_assert_ptr_nonnull(p);
  snprintf(p, n, "%s%s", base, ext);
  return p;
}

/* hh:mm:ss.mmm (or with sep ',') at s, exactly. */
static uint64_t parse_time(const char *s, char sep) {
  static const char shape[] = "dd:dd:dd.ddd";
  for (size_t i = 0; shape[i]; i++) {
    char want = shape[i] == '.' ? sep : shape[i];
    if (want == 'd')
      ck_assert_msg(s[i] >= '0' && s[i] <= '9', "bad time '%.12s'", s);
    else
      ck_assert_msg(s[i] == want, "bad time '%.12s' (want '%c')", s, want);
  }
  unsigned h = (unsigned)atoi(s), m = (unsigned)atoi(s + 3),
           sec = (unsigned)atoi(s + 6), milli = (unsigned)atoi(s + 9);
  ck_assert_uint_lt(m, 60);
  ck_assert_uint_lt(sec, 60);
  return ((uint64_t)h * 3600 + m * 60 + sec) * 1000 + milli;
}

/* The next line of *p (without its '\n'), or NULL at the end. */
static char *next_line(char **p) {
  if (!*p || !**p)
    return NULL;
  char *line = *p;
  char *nl = strchr(line, '\n');
  if (nl) {
    *nl = '\0';
    *p = nl + 1;
  } else {
    *p = line + strlen(line);
  }
  return line;
}

/* Cues of a WebVTT (srt = 0) or SRT (srt = 1) file. WebVTT cues carry
 * the identifiers s1, s2, ... in order, SRT cues the counters 1, 2, .... */
static void parse_cues(const char *data, int srt, cue_list *out) {
  char *copy = strdup(data), *p = copy, *line;
  ck_assert_ptr_nonnull(copy);
  out->n = 0;
  if (!srt) {
    ck_assert_msg(strncmp(data, "WEBVTT\n\n", 8) == 0, "no WEBVTT header");
    p += 8;
  }
  while ((line = next_line(&p)) != NULL) {
    ck_assert_msg(line[0] != '\0', "two blank lines in a row");
    if (srt) {
      ck_assert_msg(strtoul(line, NULL, 10) == out->n + 1 &&
                        strspn(line, "0123456789") == strlen(line),
                    "SRT counter '%s', want %zu", line, out->n + 1);
    } else {
      char want[32];
      snprintf(want, sizeof want, "s%zu", out->n + 1);
      ck_assert_msg(strcmp(line, want) == 0, "WebVTT cue id '%s', want %s",
                    line, want);
    }
    line = next_line(&p);
    ck_assert_ptr_nonnull(line);
    ck_assert_uint_lt(out->n, 256);
    cue *c = &out->items[out->n++];
    memset(c, 0, sizeof *c);
    ck_assert_msg(strlen(line) == 29 && strncmp(line + 12, " --> ", 5) == 0,
                  "bad timing line '%s'", line);
    c->start = parse_time(line, srt ? ',' : '.');
    c->end = parse_time(line + 17, srt ? ',' : '.');
    while ((line = next_line(&p)) != NULL && line[0]) {
      if (c->lines++)
        strcat(c->text, "\n");
      ck_assert_uint_lt(strlen(c->text) + strlen(line), sizeof c->text);
      strcat(c->text, line);
    }
    ck_assert_msg(c->lines > 0, "a cue without text");
  }
  free(copy);
}

/* s with &amp; &lt; &gt; decoded, in place. */
static void unescape(char *s) {
  char *o = s;
  while (*s) {
    if (strncmp(s, "&amp;", 5) == 0) {
      *o++ = '&';
      s += 5;
    } else if (strncmp(s, "&lt;", 4) == 0) {
      *o++ = '<';
      s += 4;
    } else if (strncmp(s, "&gt;", 4) == 0) {
      *o++ = '>';
      s += 4;
    } else {
      *o++ = *s++;
    }
  }
  *o = '\0';
}

/* Code points of s[0..n). */
static size_t width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* Checks every cue: end after start, starts never decrease, at most
 * max_lines lines of at most max_line characters (a line that is a single
 * word may be longer). */
static void check_shape(const cue_list *cues, int vtt, size_t max_line,
                        int max_lines) {
  for (size_t i = 0; i < cues->n; i++) {
    const cue *c = &cues->items[i];
    ck_assert_msg(c->end > c->start, "cue %zu ends before it starts", i);
    if (i > 0)
      ck_assert_msg(c->start >= cues->items[i - 1].start,
                    "cue %zu starts before cue %zu", i, i - 1);
    ck_assert_msg(c->lines <= max_lines, "cue %zu has %d lines: %s", i,
                  c->lines, c->text);
    char text[1024];
    strcpy(text, c->text);
    if (vtt)
      unescape(text);
    for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) : strlen(line);
      ck_assert_msg(n > 0 && line[0] != ' ' && line[n - 1] != ' ',
                    "cue %zu has an empty or padded line", i);
      if (memchr(line, ' ', n))
        ck_assert_msg(width(line, n) <= max_line,
                      "cue %zu has a line of %zu characters: %.*s", i,
                      width(line, n), (int)n, line);
    }
  }
}

/* s with runs of white space folded to one space, trimmed. */
static void fold(const char *s, char *out, size_t cap) {
  size_t n = 0;
  int gap = 0;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\n' || *s == '\t') {
      gap = 1;
      continue;
    }
    if (gap && n > 0 && n + 1 < cap)
      out[n++] = ' ';
    gap = 0;
    if (n + 1 < cap)
      out[n++] = *s;
  }
  out[n] = '\0';
}

/* Whether `ms_value` is the time of a WORD or SENTENCE mark of block b. */
static int is_word_time(const script *s, size_t b, uint64_t ms_value,
                        size_t *offset) {
  for (size_t i = 0; i < s->n; i++)
    if (s->marks[i].block == b &&
        (s->marks[i].kind == AC_MARK_WORD ||
         s->marks[i].kind == AC_MARK_SENTENCE) &&
        ms(s->marks[i].sample) == ms_value) {
      if (offset)
        *offset = s->marks[i].text_offset;
      return 1;
    }
  return 0;
}

/* Checks the cues of block b against the script: they start at its first
 * SENTENCE mark, every sentence starts a cue at its mark (when
 * every_sentence is set: short sentences may share a cue), every cue starts
 * at a word or sentence mark and ends where the next begins, the last ends
 * at the BLOCK_END mark (not after the pause), and together they show the
 * block's written text. Returns the number of cues. */
static size_t check_block(const cue_list *cues, const script *s,
                          const ac_document *doc, size_t b, int vtt,
                          int every_sentence) {
  uint64_t from = ms(s->block_mark[b]), to = ms(s->block_end[b]);
  size_t first = SIZE_MAX, n = 0;
  char joined[2048] = "";
  for (size_t i = 0; i < cues->n; i++) {
    const cue *c = &cues->items[i];
    if (c->start < from || c->start >= to)
      continue;
    if (first == SIZE_MAX)
      first = i;
    ck_assert_msg(i == first + n, "block %zu: cues not contiguous", b);
    n++;
    ck_assert_msg(is_word_time(s, b, c->start, NULL),
                  "block %zu: cue at %llu ms starts at no word mark", b,
                  (unsigned long long)c->start);
    uint64_t want_end = i + 1 < cues->n && cues->items[i + 1].start < to
                            ? cues->items[i + 1].start
                            : to;
    ck_assert_msg(c->end == want_end,
                  "block %zu: cue '%s' ends at %llu ms, want %llu", b, c->text,
                  (unsigned long long)c->end, (unsigned long long)want_end);
    char text[1024];
    strcpy(text, c->text);
    if (vtt)
      unescape(text);
    if (joined[0])
      strcat(joined, " ");
    strcat(joined, text);
  }
  ck_assert_msg(n > 0, "block %zu has no cue", b);
  /* Every sentence starts a cue at its mark's millisecond. */
  for (size_t i = 0; i < s->n; i++) {
    const ac_mark *m = &s->marks[i];
    if (m->block != b || m->kind != AC_MARK_SENTENCE || !every_sentence)
      continue;
    int found = 0;
    for (size_t k = first; k < first + n; k++)
      found |= cues->items[k].start == ms(m->sample);
    ck_assert_msg(found, "block %zu: no cue starts at sentence %u (%llu ms)", b,
                  m->text_offset, (unsigned long long)ms(m->sample));
  }
  const ac_block *blk = &doc->blocks[b];
  char want[2048], got[2048];
  fold(blk->written ? blk->written : blk->text, want, sizeof want);
  fold(joined, got, sizeof got);
  ck_assert_str_eq(got, want);
  return n;
}

static size_t count_sentences(const script *s, size_t b) {
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++)
    n += s->marks[i].block == b && s->marks[i].kind == AC_MARK_SENTENCE;
  return n;
}

/* Names in dir, or how many contain `part` when part is not NULL. */
static size_t count_files(const char *dir, const char *part) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (!part || strstr(e->d_name, part))
      n++;
  }
  closedir(d);
  return n;
}

/* Removes a test's directory; TRANSCRIPT_TEST_KEEP=1 keeps it to look at. */
static void remove_tree(const char *dir) {
  if (getenv("TRANSCRIPT_TEST_KEEP"))
    return;
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
}

/* A run of the sink over the article's script. */
typedef struct run {
  ac_document *doc;
  ac_voice_profile vp;
  ac_episode ep;
  char *dir;
  char *base;
  script s;
  harness_sinks h;
} run;

static void run_start(run *r, ac_document *doc) {
  memset(r, 0, sizeof *r);
  r->doc = doc;
  r->dir = harness_tempdir();
  r->base = file_path(r->dir, "/episode");
  harness_episode(&r->ep, &r->vp, doc);
  harness_sinks_init(&r->h, &r->ep, r->base);
  speak(&r->s, doc);
}

/* Creates the sink with `settings`, feeds the script, flushes. */
static int run_sink(run *r, const char *const *settings) {
  char err[1024] = "";
  ac_stage_instance *si =
      harness_sink_stage(&r->h, "transcript", settings, err, sizeof err);
  ck_assert_msg(si != NULL, "cannot create transcript: %s", err);
  int rc = feed(&r->h, si, &r->s, 4096);
  ck_assert_msg(rc == 0, "process_audio: %s", ac_stage_error(si));
  rc = harness_sinks_flush(&r->h, si, err, sizeof err);
  ac_stage_free(si);
  return rc;
}

static void run_end(run *r) {
  remove_tree(r->dir);
  free(r->dir);
  free(r->base);
  free(r->s.marks);
  harness_sinks_free(&r->h);
  ac_voice_free(&r->vp);
  ac_document_free(r->doc);
}

static char *slurp_ext(const run *r, const char *ext) {
  char *path = file_path(r->base, ext);
  char *data = harness_slurp(path);
  free(path);
  return data;
}

/* ---- Transcript tests ---------------------------------------------------- */

START_TEST(test_vtt) {
  run r;
  run_start(&r, article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  char *vtt = slurp_ext(&r, ".vtt");
  static cue_list cues;
  parse_cues(vtt, 0, &cues);
  check_shape(&cues, 1, 65, 2);

  /* Per block: timed by the marks, the written text in full. */
  for (size_t b = 0; b < N_BLOCKS; b++) {
    if (!r.s.spoken[b])
      continue;
    size_t n = check_block(&cues, &r.s, r.doc, b, 1, 1);
    if (b == B_LONG)
      ck_assert_uint_ge(n, 4); /* about 390 characters */
    else
      ck_assert_uint_eq(n, count_sentences(&r.s, b));
  }
  /* The first cue is the title; the last ends with the bio's speech. */
  ck_assert_str_eq(cues.items[0].text,
                   "Harbour &amp; Bridge: &lt;Budget&gt; Review");
  ck_assert_uint_eq(cues.items[cues.n - 1].end, ms(r.s.block_end[B_BIO]));
  ck_assert_uint_lt(cues.items[cues.n - 1].end, ms(r.s.total));

  /* A short sentence: exactly its marks. */
  const ac_mark *m = NULL;
  for (size_t i = 0; i < r.s.n && !m; i++)
    if (r.s.marks[i].block == B_INTRO &&
        r.s.marks[i].kind == AC_MARK_SENTENCE && r.s.marks[i].text_offset > 0)
      m = &r.s.marks[i]; /* "It approved the budget!" */
  ck_assert_ptr_nonnull(m);
  int found = 0;
  for (size_t i = 0; i < cues.n; i++) {
    if (strcmp(cues.items[i].text, "It approved the budget!") != 0)
      continue;
    found = 1;
    ck_assert_uint_eq(cues.items[i].start, ms(m[0].sample));
    /* ends where the next sentence starts (m[0] is followed by 4 words) */
    ck_assert_int_eq(m[5].kind, AC_MARK_SENTENCE);
    ck_assert_uint_eq(cues.items[i].end, ms(m[5].sample));
  }
  ck_assert(found);

  /* Escaping: no raw '<', '>' only in timing arrows, '&' only as an
   * entity. */
  ck_assert_ptr_null(strchr(vtt, '<'));
  for (const char *p = vtt; (p = strchr(p, '>')) != NULL; p++)
    ck_assert_msg(p >= vtt + 3 && strncmp(p - 3, " -->", 4) == 0,
                  "raw '>' in the VTT");
  for (const char *p = vtt; (p = strchr(p, '&')) != NULL; p++)
    ck_assert(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
              strncmp(p, "&gt;", 4) == 0);
  ck_assert_ptr_nonnull(
      strstr(vtt, "\nRates rose 5% &amp; fees &lt; costs &gt; expected.\n"));

  /* UTF-8 passes through; the written form replaces the spoken one. */
  ck_assert_ptr_nonnull(strstr(vtt, "\nZo\xC3\xAB ordered cr\xC3\xA8me "
                                    "br\xC3\xBBl\xC3\xA9\x65 at the "
                                    "caf\xC3\xA9.\n"));
  ck_assert_ptr_nonnull(strstr(vtt, "\nDr. Smith paid $5 today.\n"));
  ck_assert_ptr_null(strstr(vtt, "Doctor"));
  ck_assert_ptr_null(strstr(vtt, "dollars"));
  /* Boilerplate is never spoken, so never shown. */
  ck_assert_ptr_null(strstr(vtt, "Subscribe"));
  /* The overlong URL is a line of its own. */
  ck_assert_ptr_nonnull(strstr(vtt, "\nhttps://example.org/reports/"));
  free(vtt);
  run_end(&r);
}
END_TEST

START_TEST(test_srt) {
  run r;
  run_start(&r, article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  char *vtt = slurp_ext(&r, ".vtt"), *srt = slurp_ext(&r, ".srt");
  static cue_list vc, sc;
  parse_cues(vtt, 0, &vc);
  parse_cues(srt, 1, &sc); /* checks the counters and the comma */
  check_shape(&sc, 0, 65, 2);
  ck_assert_uint_eq(sc.n, vc.n);
  for (size_t i = 0; i < sc.n; i++) {
    ck_assert_uint_eq(sc.items[i].start, vc.items[i].start);
    ck_assert_uint_eq(sc.items[i].end, vc.items[i].end);
    unescape(vc.items[i].text);
    ck_assert_str_eq(sc.items[i].text, vc.items[i].text);
  }
  for (size_t b = 0; b < N_BLOCKS; b++)
    if (r.s.spoken[b])
      check_block(&sc, &r.s, r.doc, b, 0, 1);
  ck_assert(strncmp(srt, "1\n00:00:00,", 11) == 0);
  ck_assert_ptr_nonnull(
      strstr(srt, "\nRates rose 5% & fees < costs > expected.\n"));
  free(vtt);
  free(srt);
  run_end(&r);
}
END_TEST

START_TEST(test_txt) {
  run r;
  run_start(&r, article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  char *txt = slurp_ext(&r, ".txt");
  /* The title (block 0), then each spoken block as written. */
  char want[4096] = "";
  for (size_t b = 0; b < N_BLOCKS; b++) {
    if (b == B_BOILER)
      continue;
    const ac_block *blk = &r.doc->blocks[b];
    if (want[0])
      strcat(want, "\n");
    strcat(want, blk->written ? blk->written : blk->text);
    strcat(want, "\n");
  }
  ck_assert_str_eq(txt, want);
  ck_assert(strncmp(txt, "Harbour & Bridge: <Budget> Review\n\nBy Jane", 42) ==
            0);
  free(txt);
  run_end(&r);
}
END_TEST

START_TEST(test_chapters_json) {
  run r;
  run_start(&r, article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  char *path = file_path(r.base, ".chapters.json");
  char cmd[2048], *out = NULL;
  snprintf(cmd, sizeof cmd,
           "PYTHONIOENCODING=utf-8 python3 -c 'import json, sys\n"
           "d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
           "assert d[\"version\"] == \"1.2.0\", d\n"
           "for c in d[\"chapters\"]:\n"
           "    print(\"%%.3f|%%s\" %% (c[\"startTime\"], c[\"title\"]))\n"
           "' '%s'",
           path);
  int status = harness_run(cmd, &out);
  ck_assert_msg(status == 0, "python3 rejects %s (status %d)", path, status);
  ck_assert_ptr_nonnull(out);
  char want[2048];
  uint64_t costs = ms(r.s.block_mark[B_COSTS]),
           cafe = ms(r.s.block_mark[B_CAFE]), bio = ms(r.s.block_mark[B_BIO]);
  snprintf(want, sizeof want,
           "0.000|Harbour & Bridge: <Budget> Review\n"
           "%llu.%03llu|Costs & \"Risks\"\n"
           "%llu.%03llu|Caf\xC3\xA9 culture \xE2\x80\x94 na\xC3\xAFve "
           "r\xC3\xA9sum\xC3\xA9\n"
           "%llu.%03llu|About the author\n",
           (unsigned long long)costs / 1000, (unsigned long long)costs % 1000,
           (unsigned long long)cafe / 1000, (unsigned long long)cafe % 1000,
           (unsigned long long)bio / 1000, (unsigned long long)bio % 1000);
  ck_assert_str_eq(out, want);
  free(out);
  char *json = harness_slurp(path);
  ck_assert_ptr_nonnull(strstr(json, "\"version\": \"1.2.0\""));
  ck_assert_ptr_nonnull(strstr(json, "\"Costs & \\\"Risks\\\"\""));
  ck_assert_ptr_nonnull(strstr(json, "\"startTime\": 0.000,"));
  free(json);
  free(path);
  run_end(&r);
}
END_TEST

START_TEST(test_artifacts) {
  run r;
  run_start(&r, article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  static const char *const want[][2] = {
      {".vtt", "text/vtt"},
      {".srt", "application/x-subrip"},
      {".txt", "text/plain"},
      {".chapters.json", "application/json+chapters"}};
  ck_assert_uint_eq(r.h.outputs.count, 4);
  for (size_t i = 0; i < 4; i++) {
    char *path = file_path(r.base, want[i][0]);
    ck_assert_str_eq(r.h.outputs.artifacts[i].path, path);
    ck_assert_str_eq(r.h.outputs.artifacts[i].mime_type, want[i][1]);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644); /* served as is */
    free(path);
  }
  ck_assert_uint_eq(count_files(r.dir, NULL), 4);
  run_end(&r);
}
END_TEST

/* A sentence split into one-line cues of 20 characters: cues start at word
 * marks, a written form spoken as several words ("$5" as "five dollars")
 * is never split and is timed from its first spoken word. */
START_TEST(test_split_mapped) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Short", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "Short");
  add_mapped(doc);
  run r;
  run_start(&r, doc);
  static const char *const settings[] = {"max_line=20", "max_lines=1", NULL};
  ck_assert_int_eq(run_sink(&r, settings), 0);
  char *vtt = slurp_ext(&r, ".vtt");
  static cue_list cues;
  parse_cues(vtt, 0, &cues);
  check_shape(&cues, 1, 20, 1);
  ck_assert_uint_ge(check_block(&cues, &r.s, doc, 1, 1, 1), 2);
  for (size_t i = 0; i < cues.n; i++) {
    size_t offset = SIZE_MAX;
    ck_assert(is_word_time(&r.s, 1, cues.items[i].start, &offset) || i == 0);
    if (i > 0)
      /* not "dollars" (23), inside "$5" */
      ck_assert_uint_ne(offset, 23);
    if (strncmp(cues.items[i].text, "$5", 2) == 0)
      ck_assert_uint_eq(offset, 18); /* "five" */
  }
  ck_assert_ptr_null(strstr(vtt, "five"));
  free(vtt);
  run_end(&r);
}
END_TEST

/* A sentence of one or two words (a synth ending one at "Oct.") shares a
 * cue with the next; the cue still starts at its mark. */
START_TEST(test_short_sentences) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Short", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "Short");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Since Oct. 2024, lorries have been banned from the bridge. Yes. It "
      "works.");
  run r;
  run_start(&r, doc);
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  ck_assert_uint_eq(count_sentences(&r.s, 1), 4);
  char *vtt = slurp_ext(&r, ".vtt");
  static cue_list cues;
  parse_cues(vtt, 0, &cues);
  check_shape(&cues, 1, 65, 2);
  ck_assert_uint_eq(check_block(&cues, &r.s, doc, 1, 1, 0), 2);
  ck_assert_uint_eq(cues.n, 3);
  ck_assert_str_eq(
      cues.items[1].text,
      "Since Oct. 2024, lorries have been banned from the bridge.");
  ck_assert_str_eq(cues.items[2].text, "Yes. It works.");
  const ac_mark *since = NULL, *yes = NULL;
  for (size_t i = 0; i < r.s.n; i++) {
    const ac_mark *m = &r.s.marks[i];
    if (m->block == 1 && m->kind == AC_MARK_SENTENCE && !since)
      since = m;
    if (m->block == 1 && m->kind == AC_MARK_SENTENCE &&
        strncmp(doc->blocks[1].text + m->text_offset, "Yes.", 4) == 0)
      yes = m;
  }
  ck_assert_ptr_nonnull(since);
  ck_assert_ptr_nonnull(yes);
  ck_assert_uint_eq(cues.items[1].start, ms(since->sample));
  ck_assert_uint_eq(cues.items[1].end, ms(yes->sample));
  ck_assert_uint_eq(cues.items[2].start, ms(yes->sample));
  ck_assert_uint_eq(cues.items[2].end, ms(r.s.block_end[1]));
  free(vtt);
  run_end(&r);
}
END_TEST

START_TEST(test_formats_option) {
  run r;
  run_start(&r, article());
  static const char *const settings[] = {"formats=vtt,chapters", NULL};
  ck_assert_int_eq(run_sink(&r, settings), 0);
  ck_assert_uint_eq(r.h.outputs.count, 2);
  ck_assert_uint_eq(count_files(r.dir, NULL), 2);
  ck_assert_uint_eq(count_files(r.dir, ".vtt"), 1);
  ck_assert_uint_eq(count_files(r.dir, ".chapters.json"), 1);

  char err[1024] = "";
  static const char *const bad[] = {"formats=vtt pdf", NULL};
  ck_assert_ptr_null(harness_stage("transcript", bad, &r.ep, err, sizeof err));
  ck_assert_msg(strstr(err, "pdf") && strstr(err, "vtt srt txt chapters"),
                "unhelpful message: %s", err);
  static const char *const none[] = {"formats=", NULL};
  ck_assert_ptr_null(harness_stage("transcript", none, &r.ep, err, sizeof err));
  static const char *const narrow[] = {"max_line=5", NULL};
  ck_assert_ptr_null(
      harness_stage("transcript", narrow, &r.ep, err, sizeof err));
  run_end(&r);
}
END_TEST

/* Destroyed without a flush (an earlier stage failed): nothing is left. */
START_TEST(test_destroy_without_flush) {
  run r;
  run_start(&r, article());
  char err[1024] = "";
  ac_stage_instance *si =
      harness_sink_stage(&r.h, "transcript", NULL, err, sizeof err);
  ck_assert_ptr_nonnull(si);
  ck_assert_int_eq(feed(&r.h, si, &r.s, 1000), 0);
  ac_stage_free(si);
  harness_sinks_free(&r.h);
  ck_assert_uint_eq(count_files(r.dir, NULL), 0);
  run_end(&r);
}
END_TEST

/* A file that cannot be put in place fails the episode with an I/O error
 * naming it, and no file of the set is left behind, old or temporary. */
START_TEST(test_failed_write_cleans_up) {
  run r;
  run_start(&r, article());
  char *srt = file_path(r.base, ".srt");
  ck_assert_int_eq(mkdir(srt, 0755), 0); /* rename over it fails */
  char err[1024] = "";
  ac_stage_instance *si =
      harness_sink_stage(&r.h, "transcript", NULL, err, sizeof err);
  ck_assert_ptr_nonnull(si);
  ck_assert_int_eq(feed(&r.h, si, &r.s, 4096), 0);
  int rc = harness_sinks_flush(&r.h, si, err, sizeof err);
  ck_assert_int_eq(rc, AC_ERR_IO);
  ck_assert_ptr_nonnull(strstr(err, ".srt"));
  ac_stage_free(si);
  harness_sinks_free(&r.h);
  ck_assert_uint_eq(count_files(r.dir, ".tmp-"), 0);
  free(srt);
  run_end(&r);

  /* A file where the directory should be: nothing written, a clear reason
   * from the first output asked for. */
  run_start(&r, article());
  char *blocker = file_path(r.dir, "/missing");
  FILE *f = fopen(blocker, "w");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  harness_sinks_free(&r.h);
  free(r.base);
  r.base = file_path(r.dir, "/missing/episode");
  harness_sinks_init(&r.h, &r.ep, r.base);
  si = harness_sink_stage(&r.h, "transcript", NULL, err, sizeof err);
  ck_assert_ptr_nonnull(si);
  ck_assert_int_eq(feed(&r.h, si, &r.s, 4096), 0);
  ck_assert_int_eq(harness_sinks_flush(&r.h, si, err, sizeof err), AC_ERR_IO);
  ck_assert_ptr_nonnull(strstr(ac_stage_error(si), "missing"));
  ac_stage_free(si);
  unlink(blocker);
  free(blocker);
  ck_assert_uint_eq(count_files(r.dir, NULL), 0);
  run_end(&r);
}
END_TEST

/* ---- Chapter derivation -------------------------------------------------- */

/* Feeds a BLOCK mark for each block, `step` frames apart, with a sentence
 * and a word mark in between, as a synth would. */
static void mark_blocks(ac_chapter_builder *list, const ac_document *doc,
                        uint64_t step) {
  for (size_t b = 0; b < doc->n_blocks; b++) {
    ac_mark m = {
        .kind = AC_MARK_BLOCK, .block = (uint32_t)b, .sample = b * step};
    ck_assert_int_eq(ac_chapters_mark(list, &m), 0);
    m.kind = AC_MARK_SENTENCE;
    m.sample += 10;
    ck_assert_int_eq(ac_chapters_mark(list, &m), 0);
    m.kind = AC_MARK_WORD;
    ck_assert_int_eq(ac_chapters_mark(list, &m), 0);
    m.kind = AC_MARK_BLOCK_END;
    m.sample += step / 2;
    ck_assert_int_eq(ac_chapters_mark(list, &m), 0);
  }
}

START_TEST(test_chapters_without_headings) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Plain Article", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "Plain Article");
  add(doc, AC_BLOCK_BYLINE, 0, "By Ann Lee"); /* before the body: no chapter */
  add(doc, AC_BLOCK_PARAGRAPH, 0, "Short opening line.");
  add(doc, AC_BLOCK_PARAGRAPH, 0, "More text.");
  add(doc, AC_BLOCK_BIO, 0, "Ann Lee writes about ports.");
  add(doc, AC_BLOCK_BIO, 0, "She lives in Hobart.");
  ac_chapter_builder list;
  ac_chapters_init(&list, doc);
  mark_blocks(&list, doc, 1000);
  ck_assert_int_eq(ac_chapters_finish(&list, 6000), 0);
  ck_assert_uint_eq(list.count, 3);
  ck_assert_str_eq(list.items[0].title, "Plain Article");
  ck_assert_uint_eq(list.items[0].start, 0);
  ck_assert_uint_eq(list.items[0].end, 2000);
  ck_assert_str_eq(list.items[1].title, "Short opening line.");
  ck_assert_uint_eq(list.items[1].start, 2000);
  ck_assert_uint_eq(list.items[1].end, 4000);
  ck_assert_str_eq(list.items[2].title, "About the author");
  ck_assert_uint_eq(list.items[2].start, 4000);
  ck_assert_uint_eq(list.items[2].end, 6000);
  ac_chapters_free(&list);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_chapters_titles) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Titles", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "Titles");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Ports across the region are preparing, at last, for a decade of "
      "investment in cranes and berths.");
  ac_chapter_builder list;
  ac_chapters_init(&list, doc);
  mark_blocks(&list, doc, 1000);
  ck_assert_int_eq(ac_chapters_finish(&list, 2000), 0);
  ck_assert_uint_eq(list.count, 2);
  /* The opening words, cut at a word, with an ellipsis. */
  const char *t = list.items[1].title;
  size_t n = strlen(t);
  ck_assert_uint_le(n, 48 + 3);
  ck_assert_str_eq(t + n - 3, "\xE2\x80\xA6");
  ck_assert(strncmp(t, doc->blocks[1].text, n - 3) == 0);
  ck_assert(doc->blocks[1].text[n - 3] == ' ' ||
            doc->blocks[1].text[n - 3] == ',');
  ck_assert(t[n - 4] != ' ' && t[n - 4] != ',');
  ac_chapters_free(&list);

  /* One long word of two-byte letters: cut between letters. */
  char word[200] = "";
  for (int i = 0; i < 40; i++)
    strcat(word, "\xC3\xA9");
  doc->blocks[1].text = realloc(doc->blocks[1].text, sizeof word);
  strcpy(doc->blocks[1].text, word);
  ac_chapters_init(&list, doc);
  mark_blocks(&list, doc, 1000);
  ck_assert_int_eq(ac_chapters_finish(&list, 2000), 0);
  t = list.items[1].title;
  ck_assert_int_eq(ac_utf8_invalid_offset(t, strlen(t)), -1);
  ck_assert_uint_le(strlen(t), 48 + 3);
  ac_chapters_free(&list);
  ac_document_free(doc);

  /* Headings: one line; two at one frame keep the later; one at the very
   * end of the audio is dropped. */
  doc = ac_document_new();
  ac_set_string(&doc->title, "  Spaced\n title ", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, doc->title);
  add(doc, AC_BLOCK_HEADING, 1, "Line one\n\tLine two  ");
  add(doc, AC_BLOCK_HEADING, 2, "Part A");
  add(doc, AC_BLOCK_HEADING, 2, "Part A.1");
  add(doc, AC_BLOCK_HEADING, 2, "Too late");
  ac_chapters_init(&list, doc);
  uint64_t at[] = {0, 100, 500, 500, 900};
  for (size_t b = 0; b < 5; b++) {
    ac_mark m = {.kind = AC_MARK_BLOCK, .block = (uint32_t)b, .sample = at[b]};
    ck_assert_int_eq(ac_chapters_mark(&list, &m), 0);
  }
  ck_assert_int_eq(ac_chapters_finish(&list, 900), 0);
  ck_assert_uint_eq(list.count, 3);
  ck_assert_str_eq(list.items[0].title, "Spaced title");
  ck_assert_str_eq(list.items[1].title, "Line one Line two");
  ck_assert_str_eq(list.items[2].title, "Part A.1");
  ck_assert_uint_eq(list.items[2].start, 500);
  ck_assert_uint_eq(list.items[2].end, 900);
  ac_chapters_free(&list);

  /* No marks at all: still the opening chapter. */
  ac_chapters_init(&list, doc);
  ck_assert_int_eq(ac_chapters_finish(&list, 0), 0);
  ck_assert_uint_eq(list.count, 1);
  ck_assert_str_eq(list.items[0].title, "Spaced title");
  ac_chapters_free(&list);
  ac_document_free(doc);
}
END_TEST

/* ---- Right-to-left and CJK text ----------------------------------------- */

static const char *const rtl_title = "مشروع الجسر الجديد";
static const char *const rtl_heading = "תקציב הגשר";
static const char *const rtl_arabic =
    "قال الوزير إن المشروع سيكلف 25 مليون دولار. وأضاف أن العمل سيبدأ في "
    "مارس 2026 بحسب تقرير BBC. هل سينتهي العمل في الموعد؟ لا أحد يعرف.";
static const char *const rtl_hebrew =
    "השר אמר שהפרויקט יעלה 25 מיליון דולר. העבודה תתחיל במרץ (לפי הדוח).";

/* An Arabic title, a Hebrew heading, Arabic and Hebrew paragraphs with
 * digits and Latin letters inside, and an Arabic block spoken from a
 * written form through a map ("خمسة" for "5"). */
static ac_document *rtl_article(void) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, rtl_title, (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, rtl_title);
  add(doc, AC_BLOCK_PARAGRAPH, 0, rtl_arabic);
  add(doc, AC_BLOCK_HEADING, 2, rtl_heading);
  add(doc, AC_BLOCK_PARAGRAPH, 0, rtl_hebrew);
  ac_block *b = add(doc, AC_BLOCK_PARAGRAPH, 0, "العدد خمسة فقط.");
  b->written = strdup("العدد 5 فقط.");
  /* "العدد " is 11 bytes; "خمسة" 8 bytes for the written "5". */
  static const ac_span spans[] = {{11, 11}, {19, 12}};
  b->map = malloc(sizeof spans);
  ck_assert_ptr_nonnull(b->written);
  ck_assert_ptr_nonnull(b->map);
  memcpy(b->map, spans, sizeof spans);
  b->n_map = 2;
  return doc;
}

/* Whether s holds a character that reorders text for display (bidi
 * marks, embeddings, overrides, isolates): the files keep the logical
 * order and leave display to the player. */
static int has_bidi_control(const char *s) {
  static const char *const controls[] = {
      "\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAB",
      "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6",
      "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", "\xD8\x9C"};
  for (size_t i = 0; i < sizeof controls / sizeof *controls; i++)
    if (strstr(s, controls[i]))
      return 1;
  return 0;
}

/* Every line of every cue is a stretch of a block's written text, in the
 * order it was written. */
static void check_lines_as_written(const cue_list *cues, const ac_document *doc,
                                   int vtt) {
  for (size_t i = 0; i < cues->n; i++) {
    char text[1024];
    strcpy(text, cues->items[i].text);
    if (vtt)
      unescape(text);
    for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      if (nl)
        *nl = '\0';
      int found = 0;
      for (size_t b = 0; b < doc->n_blocks && !found; b++) {
        const ac_block *blk = &doc->blocks[b];
        found = strstr(blk->written ? blk->written : blk->text, line) != NULL;
      }
      ck_assert_msg(found, "cue %zu shows '%s', which no block wrote", i, line);
    }
  }
}

/* Arabic and Hebrew go through WebVTT, SRT, the text transcript and the
 * chapters as they were written: UTF-8 in logical order, nothing
 * reversed, no direction marks added, each block's cues together its
 * written text. */
START_TEST(test_rtl_round_trip) {
  run r;
  run_start(&r, rtl_article());
  ck_assert_int_eq(run_sink(&r, NULL), 0);
  char *vtt = slurp_ext(&r, ".vtt"), *srt = slurp_ext(&r, ".srt"),
       *txt = slurp_ext(&r, ".txt");
  static cue_list vc, sc;
  parse_cues(vtt, 0, &vc);
  parse_cues(srt, 1, &sc);
  check_shape(&vc, 1, 65, 2);
  check_shape(&sc, 0, 65, 2);
  for (size_t b = 0; b < r.doc->n_blocks; b++) {
    check_block(&vc, &r.s, r.doc, b, 1, 1);
    check_block(&sc, &r.s, r.doc, b, 0, 1);
  }
  check_lines_as_written(&vc, r.doc, 1);
  check_lines_as_written(&sc, r.doc, 0);
  ck_assert_str_eq(vc.items[0].text, rtl_title);
  ck_assert_ptr_nonnull(strstr(vtt, "\nالعدد 5 فقط.\n"));
  ck_assert_ptr_null(strstr(vtt, "خمسة"));
  char want[4096] = "";
  for (size_t b = 0; b < r.doc->n_blocks; b++) {
    const ac_block *blk = &r.doc->blocks[b];
    if (want[0])
      strcat(want, "\n");
    strcat(want, blk->written ? blk->written : blk->text);
    strcat(want, "\n");
  }
  ck_assert_str_eq(txt, want);
  const char *files[] = {vtt, srt, txt};
  for (size_t i = 0; i < 3; i++) {
    ck_assert_int_eq(ac_utf8_invalid_offset(files[i], strlen(files[i])), -1);
    ck_assert_msg(!has_bidi_control(files[i]), "file %zu has bidi controls", i);
  }
  /* The chapters, read back by a JSON parser. */
  char *path = file_path(r.base, ".chapters.json");
  char cmd[2048], *out = NULL;
  snprintf(cmd, sizeof cmd,
           "PYTHONIOENCODING=utf-8 python3 -c 'import json, sys\n"
           "d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
           "for c in d[\"chapters\"]:\n"
           "    print(c[\"title\"])\n"
           "' '%s'",
           path);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_ptr_nonnull(out);
  snprintf(want, sizeof want, "%s\n%s\n", rtl_title, rtl_heading);
  ck_assert_str_eq(out, want);
  free(out);
  free(path);
  free(vtt);
  free(srt);
  free(txt);
  run_end(&r);
}
END_TEST

/* Whether the character at s starts a sentence of Chinese or Japanese
 * text: after 。！？. */
static int after_cjk_stop(const char *text, size_t at) {
  static const char *const stops[] = {"\xE3\x80\x82", "\xEF\xBC\x81",
                                      "\xEF\xBC\x9F"};
  for (size_t k = 0; k < 3; k++)
    if (at >= 3 && memcmp(text + at - 3, stops[k], 3) == 0)
      return 1;
  return 0;
}

/* A synth's script of every block of doc: BLOCK and BLOCK_END marks
 * around what speak_block marks of its text, the time running on. */
typedef void (*block_speaker)(script *s, size_t b, const char *text, size_t len,
                              uint64_t *t);

static void speak_blocks(script *s, const ac_document *doc,
                         block_speaker speak_block) {
  memset(s, 0, sizeof *s);
  uint64_t t = 0;
  for (size_t b = 0; b < doc->n_blocks && b < MAX_BLOCKS; b++) {
    const char *text = doc->blocks[b].text;
    size_t len = strlen(text);
    add_mark(s, AC_MARK_BLOCK, b, 0, len, t);
    s->spoken[b] = 1;
    s->block_mark[b] = t;
    speak_block(s, b, text, len, &t);
    add_mark(s, AC_MARK_BLOCK_END, b, 0, len, t);
    s->block_end[b] = t;
    t += RATE / 2;
  }
  s->total = t;
}

/* Text without spaces as a synth marks it: a SENTENCE mark after each
 * 。！？, a WORD mark at each sentence and after each 、，, the time
 * running with the characters. */
static void speak_cjk_block(script *s, size_t b, const char *text, size_t len,
                            uint64_t *t) {
  *t += 500;
  for (size_t i = 0; i < len;) {
    size_t n = 1;
    while (i + n < len && ((unsigned char)text[i + n] & 0xC0) == 0x80)
      n++;
    int sentence = i == 0 || after_cjk_stop(text, i);
    int clause = i >= 3 && (memcmp(text + i - 3, "\xE3\x80\x81", 3) == 0 ||
                            memcmp(text + i - 3, "\xEF\xBC\x8C", 3) == 0);
    if (sentence)
      add_mark(s, AC_MARK_SENTENCE, b, i, 0, *t);
    if (sentence || clause)
      add_mark(s, AC_MARK_WORD, b, i, 3, *t);
    *t += 2000;
    i += n;
  }
}

/* One sentence whose words are marked at their first letter or digit,
 * past the quotation marks and brackets before them, as espeak-ng marks
 * them. */
static void speak_letters_block(script *s, size_t b, const char *text,
                                size_t len, uint64_t *t) {
  add_mark(s, AC_MARK_SENTENCE, b, 0, 0, *t);
  for (size_t i = 0; i < len;) {
    while (i < len && text[i] == ' ')
      i++;
    size_t word = i;
    while (word < len && !isalnum((unsigned char)text[word]))
      word++;
    size_t end = word;
    while (end < len && text[end] != ' ')
      end++;
    if (word < end)
      add_mark(s, AC_MARK_WORD, b, word, end - word, *t);
    *t += 4000;
    i = end;
  }
}

/* A quoted word keeps its opening quote or bracket when a long sentence
 * is split before it: a cue that ends with "'" and a next that starts
 * with "intltoolize'" read as garbage. */
START_TEST(test_split_keeps_opening_quotes) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Quotes", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "Quotes");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Run 'aclocal' 'autoheader' 'automake' 'autopoint' 'libtoolize' "
      "'intltoolize' and (in the end) \"gtkdocize\" or \u201cmake\u201d "
      "again, don't stop.");
  run r;
  run_start(&r, doc);
  free(r.s.marks);
  speak_blocks(&r.s, doc, speak_letters_block);
  static const char *const settings[] = {"max_line=20", "max_lines=1", NULL};
  ck_assert_int_eq(run_sink(&r, settings), 0);
  char *vtt = slurp_ext(&r, ".vtt");
  static cue_list cues;
  parse_cues(vtt, 0, &cues);
  check_shape(&cues, 1, 20, 1);
  ck_assert_uint_ge(cues.n, 6);
  for (size_t i = 1; i < cues.n; i++) {
    const char *t = cues.items[i].text;
    size_t quotes = 0, dquotes = 0, open = 0, close = 0, curly = 0;
    for (const char *c = t; *c; c++) {
      quotes += *c == '\'';
      dquotes += *c == '"';
      open += *c == '(';
      close += *c == ')';
      curly += strncmp(c, "\u201c", 3) == 0 || strncmp(c, "\u201d", 3) == 0;
    }
    /* "don't" has one: the quotes of a cue that holds it are odd */
    quotes -= strstr(t, "don't") != NULL;
    ck_assert_msg(quotes % 2 == 0 && dquotes % 2 == 0 && open == close &&
                      curly % 2 == 0,
                  "cue %zu splits a quotation: \"%s\"", i, t);
    ck_assert(is_word_time(&r.s, 1, cues.items[i].start, NULL));
  }
  free(vtt);
  run_end(&r);
}
END_TEST

/* Chinese without spaces: a cue per sentence (a one-character sentence
 * joins the next), long ones split at clauses; lines broken between
 * characters at no more than the line's width in columns (a CJK character
 * takes two), never before 。，！」 or after 「, and no space added. */
START_TEST(test_cjk_sentences_and_lines) {
  static const char *const para =
      "卫生部今天宣布在该市开设一家新医院。好！部长说，该项目将为该地区十万多"
      "名居民提供服务，政府正在努力改善各省的医疗服务，并将在明年继续扩大投资"
      "，以便让更多的农村居民也能够在家门口得到及时而有效的治疗。工程会按时完"
      "成吗？部长说「会」。";
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "新医院", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, "新医院");
  add(doc, AC_BLOCK_PARAGRAPH, 0, para);
  run r;
  run_start(&r, doc);
  free(r.s.marks); /* the script of the generic synth */
  speak_blocks(&r.s, doc, speak_cjk_block);
  static const char *const settings[] = {"max_line=40", NULL};
  ck_assert_int_eq(run_sink(&r, settings), 0);
  char *vtt = slurp_ext(&r, ".vtt");
  static cue_list cues;
  parse_cues(vtt, 0, &cues);
  /* The paragraph's cues, lines joined without a space, are its text;
   * each starts at a mark and ends where the next starts. */
  char joined[1024] = "";
  for (size_t i = 1; i < cues.n; i++) {
    ck_assert(is_word_time(&r.s, 1, cues.items[i].start, NULL));
    if (i + 1 < cues.n)
      ck_assert_uint_eq(cues.items[i].end, cues.items[i + 1].start);
    for (const char *c = cues.items[i].text; *c; c++)
      if (*c != '\n')
        strncat(joined, c, 1);
  }
  ck_assert_str_eq(joined, para);
  ck_assert_uint_eq(cues.items[cues.n - 1].end, ms(r.s.block_end[1]));
  ck_assert_uint_ge(cues.n, 6);
  ck_assert_str_eq(cues.items[1].text, "卫生部今天宣布在该市开设一家新医院。");
  ck_assert_msg(strncmp(cues.items[2].text, "好！部长说，", 18) == 0,
                "cue 2: %s", cues.items[2].text);
  ck_assert_str_eq(cues.items[cues.n - 2].text, "工程会按时完成吗？");
  ck_assert_str_eq(cues.items[cues.n - 1].text, "部长说「会」。");
  for (size_t i = 1; i < cues.n; i++) {
    const char *t = cues.items[i].text;
    ck_assert_msg(strchr(t, ' ') == NULL, "cue %zu has a space: %s", i, t);
    for (const char *line = t, *nl; line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      size_t len = nl ? (size_t)(nl - line) : strlen(line);
      ck_assert_msg(width(line, len) * 2 <= 40, "cue %zu: line '%.*s' too wide",
                    i, (int)len, line);
      ck_assert_msg(strncmp(line, "\xE3\x80\x82", 3) != 0 &&
                        strncmp(line, "\xEF\xBC\x8C", 3) != 0 &&
                        strncmp(line, "\xEF\xBC\x81", 3) != 0 &&
                        strncmp(line, "\xE3\x80\x8D", 3) != 0,
                    "cue %zu: a line starts with a stop: %.*s", i, (int)len,
                    line);
      ck_assert_msg(len < 3 || strncmp(line + len - 3, "\xE3\x80\x8C", 3) != 0,
                    "cue %zu: a line ends with 「", i);
    }
  }
  free(vtt);
  run_end(&r);
}
END_TEST

static Suite *transcript_suite(void) {
  Suite *s = suite_create("transcript");
  TCase *tc = tcase_create("transcript");
  tcase_add_test(tc, test_vtt);
  tcase_add_test(tc, test_srt);
  tcase_add_test(tc, test_txt);
  tcase_add_test(tc, test_chapters_json);
  tcase_add_test(tc, test_artifacts);
  tcase_add_test(tc, test_split_mapped);
  tcase_add_test(tc, test_short_sentences);
  tcase_add_test(tc, test_split_keeps_opening_quotes);
  tcase_add_test(tc, test_formats_option);
  tcase_add_test(tc, test_destroy_without_flush);
  tcase_add_test(tc, test_failed_write_cleans_up);
  tcase_add_test(tc, test_rtl_round_trip);
  tcase_add_test(tc, test_cjk_sentences_and_lines);
  suite_add_tcase(s, tc);
  TCase *ch = tcase_create("chapters");
  tcase_add_test(ch, test_chapters_without_headings);
  tcase_add_test(ch, test_chapters_titles);
  suite_add_tcase(s, ch);
  return s;
}

int main(void) {
  return harness_main(transcript_suite());
}
