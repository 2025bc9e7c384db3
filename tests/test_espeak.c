/*
 * The espeak synthesizer stage: audio, chunking, marks and their text
 * offsets, pauses, voices and errors, run inside the real host.
 */
#include "harness.h"

#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* |x| below this (64 of 32768, as in the plugin) counts as silence. */
#define QUIET (64.0f / 32768.0f)

/* ---- Fixtures ------------------------------------------------------------ */

/* Checks each chunk against the contract, then hands it to
 * harness_collect (unless `store` is false: long documents). */
typedef struct sink {
  harness_audio audio;
  bool store;
  int fail_after; /* return AC_ERR_IO on this call (1-based); 0 = never */
  size_t calls;
  size_t bad_chunks; /* contract violations seen */
  char why[256];     /* the first violation */
  uint64_t total;    /* frames seen */
  size_t max_chunk;
  size_t n_marks;
  uint64_t last_mark;
  size_t heap_base, heap_peak; /* heap in use at the first call, and peak */
} sink;

static void violation(sink *s, const char *what, const ac_chunk *c) {
  if (s->bad_chunks++ == 0)
    snprintf(s->why, sizeof s->why, "chunk %zu at %llu: %s", s->calls,
             (unsigned long long)c->position, what);
}

static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static int check_sink(void *ctx, const ac_chunk *c) {
  sink *s = ctx;
  s->calls++;
  size_t heap = heap_in_use();
  if (s->calls == 1)
    s->heap_base = heap;
  if (heap > s->heap_peak)
    s->heap_peak = heap;
  if (s->fail_after && (int)s->calls == s->fail_after)
    return AC_ERR_IO;
  if (s->fail_after && (int)s->calls > s->fail_after)
    violation(s, "called again after an error", c);
  if (c->n_samples > AC_MAX_CHUNK)
    violation(s, "more than AC_MAX_CHUNK frames", c);
  if (c->sample_rate <= 0)
    violation(s, "no sample rate", c);
  for (size_t i = 0; i < c->n_samples; i++)
    if (!(c->samples[i] >= -1.0f && c->samples[i] <= 1.0f)) {
      violation(s, "sample outside [-1, 1]", c);
      break;
    }
  for (size_t i = 0; i < c->n_marks; i++) {
    const ac_mark *m = &c->marks[i];
    if (m->sample < c->position || m->sample > c->position + c->n_samples)
      violation(s, "mark outside the chunk", c);
    if (s->n_marks > 0 && m->sample < s->last_mark)
      violation(s, "marks not sorted", c);
    s->last_mark = m->sample;
    s->n_marks++;
  }
  if (c->position != s->total)
    violation(s, "position not contiguous", c);
  s->total += c->n_samples;
  if (c->n_samples > s->max_chunk)
    s->max_chunk = c->n_samples;
  if (!s->store)
    return 0;
  return harness_collect(&s->audio, c);
}

/* Runs the espeak stage on `doc` with the voice profile `profile` (NULL:
 * the harness's en-us-newsreader). `espeak_voice`, when not NULL, replaces
 * the profile's espeak voice. Returns the stage's result; its message goes
 * to err. */
static int synth_voice(ac_document *doc, const char *const *settings,
                       const char *profile, const char *espeak_voice, sink *s,
                       char *err, size_t errlen) {
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ck_assert_msg(ep.voice != NULL, "voices/en-us-newsreader.voice not found");
  if (profile) {
    char why[512];
    ac_voice_free(&vp);
    ck_assert_msg(ac_voice_load(&vp, profile, why, sizeof why) == 0, "%s", why);
    ep.voice = &vp.voice;
  }
  /* The profile's settings reach the stage as its voice layer; an espeak
   * voice given here is a setting above it. */
  const char *all[16];
  size_t n = 0;
  for (; settings && settings[n] && n < 14; n++)
    all[n] = settings[n];
  char voice_setting[128];
  if (espeak_voice) {
    snprintf(voice_setting, sizeof voice_setting, "voice=%s", espeak_voice);
    all[n++] = voice_setting;
  }
  all[n] = NULL;
  char why[512] = "";
  ac_stage_instance *si = harness_stage("espeak", all, &ep, why, sizeof why);
  ck_assert_msg(si != NULL, "cannot create the espeak stage: %s", why);
  ac_stage_set_output(si, check_sink, s);
  const ac_plugin *p = harness_plugin("espeak");
  /* The whole document as one segment. */
  ac_segment seg = {.n_blocks = (uint32_t)doc->n_blocks,
                    .next_block = UINT32_MAX,
                    .is_first = 1,
                    .is_last = 1};
  int rc = p->synthesize(ac_stage_handle(si), &seg);
  if (err)
    snprintf(err, errlen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  ac_voice_free(&vp);
  ck_assert_msg(s->bad_chunks == 0, "%zu bad chunks; first: %s", s->bad_chunks,
                s->why);
  /* In time order, a block's sentence and word marks also go forward in
   * its text, and words do not overlap. */
  uint32_t block = UINT32_MAX, next = 0;
  for (size_t i = 0; i < s->audio.n_marks; i++) {
    const ac_mark *m = &s->audio.marks[i];
    if (m->block != block) {
      block = m->block;
      next = 0;
    }
    if (m->kind != AC_MARK_WORD && m->kind != AC_MARK_SENTENCE)
      continue;
    ck_assert_msg(m->text_offset >= next,
                  "block %u: mark at byte %u after one ending at %u", block,
                  m->text_offset, next);
    next = m->text_offset + m->text_length;
  }
  return rc;
}

static int synth(ac_document *doc, const char *const *settings,
                 const char *espeak_voice, sink *s, char *err, size_t errlen) {
  return synth_voice(doc, settings, NULL, espeak_voice, s, err, errlen);
}

static ac_block *add(ac_document *doc, ac_block_kind kind, const char *text) {
  ac_block *b = ac_document_add_block(doc, kind, text, (size_t)-1);
  ck_assert_ptr_nonnull(b);
  if (kind == AC_BLOCK_HEADING)
    b->level = 2;
  return b;
}

static size_t count_words(const char *text) {
  size_t n = 0;
  bool in = false;
  for (const char *p = text; *p; p++) {
    bool sp = *p == ' ';
    if (!sp && !in)
      n++;
    in = !sp;
  }
  return n;
}

/* The mark of `kind` for block `block`, or NULL. */
static const ac_mark *find_mark(const harness_audio *a, ac_mark_kind kind,
                                uint32_t block) {
  for (size_t i = 0; i < a->n_marks; i++)
    if (a->marks[i].kind == kind && a->marks[i].block == block)
      return &a->marks[i];
  return NULL;
}

/* Frames of silence around frame `at`: back to the last sound before it
 * plus forward to the first sound after it. */
static size_t silence_around(const harness_audio *a, uint64_t at) {
  size_t b = (size_t)at, e = (size_t)at;
  while (b > 0 && fabsf(a->samples[b - 1]) <= QUIET)
    b--;
  while (e < a->n_samples && fabsf(a->samples[e]) <= QUIET)
    e++;
  return e - b;
}

static double rms(const float *x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += (double)x[i] * x[i];
  return n ? sqrt(sum / (double)n) : 0;
}

/* ---- Tests -----------------------------------------------------------------
 */

static const char *const TITLE = "Council approves the bridge plan";
static const char *const PARA1 =
    "The city council voted on Tuesday night to replace the old harbour "
    "bridge. Engineers had found corrosion in most of its steel girders.";
static const char *const PARA2 =
    "The new bridge will be wider, with two traffic lanes and a protected "
    "cycle track. Residents can comment on the plans in the spring.";

START_TEST(test_audio_and_marks) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_HEADING, TITLE);
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  add(doc, AC_BLOCK_PARAGRAPH, PARA2);
  sink s = {.store = true};
  char err[512];
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, err, sizeof err), 0);
  harness_audio *a = &s.audio;

  ck_assert_int_eq(a->sample_rate, 22050);
  ck_assert(a->positions_ok);
  ck_assert_uint_le(a->max_chunk, AC_MAX_CHUNK);
  ck_assert_uint_gt(a->n_chunks, 5);
  double seconds = (double)a->n_samples / a->sample_rate;
  ck_assert_msg(rms(a->samples, a->n_samples) > 0.02, "audio too quiet");

  /* Lead-in: digital silence before the first block's mark (300 ms). */
  const ac_mark *first = find_mark(a, AC_MARK_BLOCK, 0);
  ck_assert_ptr_nonnull(first);
  ck_assert_uint_eq(first->sample, 22050 * 300 / 1000);
  for (size_t i = 0; i < first->sample; i++)
    ck_assert(a->samples[i] == 0.0f);

  /* Every block: one BLOCK and one BLOCK_END, in order, and block after
   * block; speech between them, the pause after. */
  size_t words = 0;
  double speech = 0;
  uint64_t prev_end = 0;
  for (uint32_t b = 0; b < doc->n_blocks; b++) {
    const ac_mark *start = find_mark(a, AC_MARK_BLOCK, b);
    const ac_mark *end = find_mark(a, AC_MARK_BLOCK_END, b);
    ck_assert_ptr_nonnull(start);
    ck_assert_ptr_nonnull(end);
    ck_assert_uint_ge(start->sample, prev_end);
    ck_assert_uint_gt(end->sample, start->sample);
    ck_assert(rms(a->samples + start->sample,
                  (size_t)(end->sample - start->sample)) > 0.02);
    prev_end = end->sample;
    words += count_words(doc->blocks[b].text);
    speech += (double)(end->sample - start->sample) / a->sample_rate;
  }
  /* A measured pace: 0.2 to 0.6 s a word (100 to 300 words a minute). */
  double per_word = speech / (double)words;
  ck_assert_msg(per_word > 0.2 && per_word < 0.6, "%.3f s a word", per_word);
  ck_assert(seconds > speech);

  /* WORD marks: one per word, sentences at each sentence start. */
  size_t n_word = 0, n_sentence = 0;
  for (size_t i = 0; i < a->n_marks; i++) {
    const ac_mark *m = &a->marks[i];
    if (i > 0)
      ck_assert_uint_ge(m->sample, a->marks[i - 1].sample);
    const char *text = doc->blocks[m->block].text;
    ck_assert_uint_le(m->text_offset + m->text_length, strlen(text));
    if (m->kind == AC_MARK_WORD) {
      n_word++;
      ck_assert_uint_gt(m->text_length, 0);
      ck_assert(m->text_offset == 0 || text[m->text_offset - 1] == ' ');
    } else if (m->kind == AC_MARK_SENTENCE) {
      n_sentence++;
      ck_assert(m->text_offset == 0 || text[m->text_offset - 1] == ' ');
    }
  }
  ck_assert_uint_eq(n_word, words);
  ck_assert_uint_eq(n_sentence, 5);
  harness_audio_free(a);
  ac_document_free(doc);
}
END_TEST

/* The mark that starts at `word` in block b's text, or NULL. */
static const ac_mark *word_mark(const harness_audio *a, const char *text,
                                uint32_t block, const char *word) {
  const char *at = strstr(text, word);
  ck_assert_ptr_nonnull(at);
  for (size_t i = 0; i < a->n_marks; i++) {
    const ac_mark *m = &a->marks[i];
    if (m->kind == AC_MARK_WORD && m->block == block &&
        m->text_offset == (uint32_t)(at - text))
      return m;
  }
  return NULL;
}

START_TEST(test_word_offsets_utf8) {
  static const char *const text =
      "Café naïve résumé, déjà vu: the «piñata» (Zürich) costs 1990 "
      "euros—quite cheap. It was déjà vu. Then it ended.";
  /* espeak gives no event of "vu" (it says "déjà vu" as one word): its
   * mark is interpolated, before the next sentence's. */
  static const char *const words[] = {
      "Café",  "naïve", "résumé", "déjà",  "vu",    "the", "piñata", "Zürich",
      "costs", "1990",  "euros",  "quite", "cheap", "It",  "Then",   "ended"};
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, "Plain words first.");
  add(doc, AC_BLOCK_PARAGRAPH, text);
  sink s = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);

  /* Each word has a mark covering exactly its bytes, and marks of a block
   * never overlap or go backwards. */
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    const ac_mark *m = word_mark(&s.audio, text, 1, words[i]);
    ck_assert_msg(m != NULL, "no WORD mark at \"%s\"", words[i]);
    ck_assert_msg(m->text_length == strlen(words[i]),
                  "mark at \"%s\" is %u bytes", words[i], m->text_length);
  }
  uint32_t next = 0;
  for (size_t i = 0; i < s.audio.n_marks; i++) {
    const ac_mark *m = &s.audio.marks[i];
    if (m->kind != AC_MARK_WORD || m->block != 1)
      continue;
    ck_assert_uint_ge(m->text_offset, next);
    next = m->text_offset + m->text_length;
  }
  harness_audio_free(&s.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_numbers_and_hyphens) {
  /* espeak gives numbers a second WORD event one character later and
   * zero-length events that jump back at clause ends: one mark a word. */
  static const char *const text =
      "In 1990, 25 people said [[h@'loU]] to a well-known co-operative.";
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, text);
  sink s = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  size_t n1990 = 0;
  uint32_t next = 0;
  for (size_t i = 0; i < s.audio.n_marks; i++) {
    const ac_mark *m = &s.audio.marks[i];
    if (m->kind != AC_MARK_WORD)
      continue;
    ck_assert_uint_ge(m->text_offset, next);
    next = m->text_offset + m->text_length;
    if (strncmp(text + m->text_offset, "1990", 4) == 0)
      n1990++;
  }
  ck_assert_uint_eq(n1990, 1);
  ck_assert_ptr_nonnull(word_mark(&s.audio, text, 0, "25"));
  ck_assert_ptr_nonnull(word_mark(&s.audio, text, 0, "people"));
  ck_assert_ptr_nonnull(word_mark(&s.audio, text, 0, "well-known"));
  harness_audio_free(&s.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_control_characters) {
  /* ANSI colours, a BOM, a control character and a tab are not spoken and
   * do not shift the offsets. */
  static const char *const text =
      "\xEF\xBB\xBF\x1B[31mRed\x1B[0m alert\x01 for\tcoastal areas.";
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, text);
  sink s = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  static const char *const words[] = {"Red", "alert", "for", "coastal",
                                      "areas"};
  for (size_t i = 0; i < 5; i++) {
    const ac_mark *m = word_mark(&s.audio, text, 0, words[i]);
    ck_assert_msg(m != NULL, "no WORD mark at \"%s\"", words[i]);
    ck_assert_uint_eq(m->text_length, strlen(words[i]));
  }
  harness_audio_free(&s.audio);
  ac_document_free(doc);
}
END_TEST

/* Silence after each block's end, in seconds. */
static void block_silences(const harness_audio *a, size_t n_blocks,
                           double *out) {
  for (uint32_t b = 0; b < n_blocks; b++) {
    const ac_mark *end = find_mark(a, AC_MARK_BLOCK_END, b);
    ck_assert_ptr_nonnull(end);
    out[b] = (double)silence_around(a, end->sample) / a->sample_rate;
  }
}

START_TEST(test_pauses) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_HEADING, "Why the old bridge has to go");
  add(doc, AC_BLOCK_PARAGRAPH, "Inspectors found corrosion in the girders.");
  add(doc, AC_BLOCK_PARAGRAPH, "Heavy lorries have been banned since then.");
  add(doc, AC_BLOCK_HEADING, "What will be built");
  add(doc, AC_BLOCK_LIST_ITEM, "A wider deck.");
  add(doc, AC_BLOCK_LIST_ITEM, "A protected cycle track.");
  add(doc, AC_BLOCK_PARAGRAPH, "Work starts next year.");
  double gap[7];

  /* Defaults: headings 800 ms, paragraphs 600 ms, list items 400 ms. */
  sink s = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  block_silences(&s.audio, 7, gap);
  harness_audio_free(&s.audio);
  ck_assert_msg(gap[0] > gap[1] && gap[3] > gap[2],
                "heading pauses %.3f %.3f, paragraph %.3f %.3f", gap[0], gap[3],
                gap[1], gap[2]);
  ck_assert_msg(gap[4] < gap[1], "list item %.3f, paragraph %.3f", gap[4],
                gap[1]);
  /* The pause is the configured one plus a little of espeak's own
   * silence at the end of the block and the start of the next. */
  static const double want[] = {0.8, 0.6, 0.6, 0.8, 0.4, 0.6};
  for (size_t b = 0; b < 6; b++)
    ck_assert_msg(gap[b] >= want[b] && gap[b] < want[b] + 0.25,
                  "block %zu: %.3f s of silence, want %.1f", b, gap[b],
                  want[b]);
  /* The last block ends with the tail (500 ms). */
  ck_assert(gap[6] >= 0.5 && gap[6] < 0.6);

  /* Options change them. */
  static const char *const settings[] = {"heading_pause_ms=1500",
                                         "paragraph_pause_ms=200",
                                         "list_item_pause_ms=100",
                                         "lead_in_ms=0",
                                         "tail_ms=0",
                                         NULL};
  sink t = {.store = true};
  ck_assert_int_eq(synth(doc, settings, NULL, &t, NULL, 0), 0);
  block_silences(&t.audio, 7, gap);
  ck_assert(gap[0] >= 1.5 && gap[0] < 1.75);
  ck_assert(gap[1] >= 0.2 && gap[1] < 0.45);
  ck_assert(gap[4] >= 0.1 && gap[4] < 0.35);
  ck_assert_uint_eq(find_mark(&t.audio, AC_MARK_BLOCK, 0)->sample, 0);
  ck_assert_uint_eq(find_mark(&t.audio, AC_MARK_BLOCK_END, 6)->sample,
                    t.audio.n_samples);
  harness_audio_free(&t.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_rate_scale) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  static const char *const fast[] = {"rate_scale=1.5", NULL};
  sink s = {.store = false}, t = {.store = false};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  ck_assert_int_eq(synth(doc, fast, NULL, &t, NULL, 0), 0);
  double ratio = (double)t.total / (double)s.total;
  ck_assert_msg(ratio > 0.55 && ratio < 0.85, "1.5 x rate: %.2f x length",
                ratio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_unknown_voice) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  sink s = {.store = true};
  char err[512];
  int rc = synth(doc, NULL, "klingon-qq", &s, err, sizeof err);
  ck_assert_int_eq(rc, AC_ERR_NOTFOUND);
  ck_assert_msg(strstr(err, "klingon-qq") != NULL, "message: %s", err);
  ck_assert_uint_eq(s.audio.n_samples, 0);
  /* "en-gb" is a language, not a voice name: found as a language. */
  sink t = {.store = false};
  ck_assert_int_eq(synth(doc, NULL, "en-gb", &t, err, sizeof err), 0);
  ck_assert_uint_gt(t.total, 0);
  harness_audio_free(&s.audio);
  ac_document_free(doc);
}
END_TEST

/* Frames of speech of block b. */
static uint64_t block_length(const harness_audio *a, uint32_t b) {
  return find_mark(a, AC_MARK_BLOCK_END, b)->sample -
         find_mark(a, AC_MARK_BLOCK, b)->sample;
}

START_TEST(test_block_language) {
  static const char *const french =
      "Le conseil municipal a voté mardi soir le remplacement du vieux pont.";
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  add(doc, AC_BLOCK_QUOTE, french);
  add(doc, AC_BLOCK_PARAGRAPH, PARA2);
  sink plain = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &plain, NULL, 0), 0);

  ac_set_string(&doc->blocks[1].lang, "fr-FR", (size_t)-1);
  sink s = {.store = true};
  char err[512];
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, err, sizeof err), 0);
  for (uint32_t b = 0; b < 3; b++) {
    ck_assert_ptr_nonnull(find_mark(&s.audio, AC_MARK_BLOCK, b));
    ck_assert_ptr_nonnull(find_mark(&s.audio, AC_MARK_BLOCK_END, b));
  }
  ck_assert_ptr_nonnull(word_mark(&s.audio, french, 1, "voté"));
  /* The French voice reads the quote differently from the English one... */
  uint64_t en = block_length(&plain.audio, 1), fr = block_length(&s.audio, 1);
  ck_assert_msg(fr < en * 0.95 || fr > en * 1.05,
                "French %llu frames, English %llu", (unsigned long long)fr,
                (unsigned long long)en);
  /* ...and the English voice comes back for the next block (repeated
   * syntheses in one process differ by a few samples). */
  uint64_t a2 = block_length(&plain.audio, 2), b2 = block_length(&s.audio, 2);
  ck_assert_msg(llabs((long long)a2 - (long long)b2) < (long long)a2 / 100,
                "block 2: %llu then %llu frames", (unsigned long long)a2,
                (unsigned long long)b2);
  /* The same language as the voice's does not switch; an unknown one is
   * read with the profile's voice. */
  ac_set_string(&doc->blocks[1].lang, "xx-unknown", (size_t)-1);
  sink t = {.store = false};
  ck_assert_int_eq(synth(doc, NULL, NULL, &t, err, sizeof err), 0);
  ck_assert_uint_gt(t.total, 0);
  harness_audio_free(&plain.audio);
  harness_audio_free(&s.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_emit_error_aborts) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  add(doc, AC_BLOCK_PARAGRAPH, PARA2);
  sink u = {.store = false};
  ck_assert_int_eq(synth(doc, NULL, NULL, &u, NULL, 0), 0);
  sink s = {.store = true, .fail_after = 3};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), AC_ERR_IO);
  ck_assert_uint_eq(s.calls, 3);
  /* The engine is usable again in the same process, and nothing of the
   * aborted text is left in it. */
  sink t = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &t, NULL, 0), 0);
  ck_assert_ptr_nonnull(find_mark(&t.audio, AC_MARK_BLOCK_END, 1));
  ck_assert_msg(llabs((long long)t.total - (long long)u.total) <
                    (long long)u.total / 100,
                "%llu frames after the abort, %llu before",
                (unsigned long long)t.total, (unsigned long long)u.total);
  harness_audio_free(&s.audio);
  harness_audio_free(&t.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_skips_and_empty) {
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_BOILERPLATE, "Share this article on social media.");
  add(doc, AC_BLOCK_PARAGRAPH, " \n\t ");
  add(doc, AC_BLOCK_PARAGRAPH, "Only this is spoken.");
  sink s = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  for (size_t i = 0; i < s.audio.n_marks; i++)
    ck_assert_uint_eq(s.audio.marks[i].block, 2);
  ck_assert_ptr_nonnull(find_mark(&s.audio, AC_MARK_BLOCK_END, 2));
  harness_audio_free(&s.audio);

  ac_document_remove_block(doc, 2);
  sink t = {.store = true};
  char err[512];
  ck_assert_int_eq(synth(doc, NULL, NULL, &t, err, sizeof err), AC_ERR_EMPTY);
  ck_assert_uint_eq(t.calls, 0);
  harness_audio_free(&t.audio);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_long_block_is_streamed) {
  /* One block of about 1,600 words: about ten minutes, 13 million frames,
   * 50 MB as floats. The stage must stream it in bounded chunks. */
  static const char *const sentence =
      "Pakistan believes in regional cooperation and has always played a "
      "critical role for the development, peace and stability of the "
      "region. ";
  size_t n = 80, len = strlen(sentence), words = n * count_words(sentence);
  char *text = malloc(n * len + 1);
  ck_assert_ptr_nonnull(text);
  for (size_t i = 0; i < n; i++)
    memcpy(text + i * len, sentence, len);
  text[n * len] = '\0';
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, text);
  free(text);

  sink s = {.store = false};
  ck_assert_int_eq(synth(doc, NULL, NULL, &s, NULL, 0), 0);
  ck_assert_uint_gt(s.total, 22050u * 300);
  ck_assert_uint_le(s.max_chunk, AC_MAX_CHUNK);
  ck_assert_uint_gt(s.calls, s.total / AC_MAX_CHUNK);
  ck_assert_uint_eq(s.n_marks, 2 + words + n);
  /* The heap grows by far less than the audio while the block is spoken
   * (mallinfo2 sees nothing under AddressSanitizer: then this is moot). */
  size_t growth = s.heap_peak - s.heap_base;
  ck_assert_msg(growth < 4u << 20, "heap grew %zu bytes during synthesis",
                growth);
  ac_document_free(doc);
}
END_TEST

START_TEST(test_profiles) {
  /* Every shipped profile selects its espeak voice and speaks its
   * language at a measured pace. */
  static const struct {
    const char *profile, *text;
  } cases[] = {
      {"en-us-newsreader",
       "The council voted on Tuesday to replace the old bridge."},
      {"en-gb-newsreader",
       "The council voted on Tuesday to replace the old bridge."},
      {"fr-fr", "Le conseil municipal a voté mardi soir le remplacement du "
                "vieux pont."},
      {"de-de", "Der Stadtrat hat am Dienstagabend beschlossen, die alte "
                "Brücke zu ersetzen."},
      {"es-es", "El ayuntamiento votó el martes por la noche la sustitución "
                "del viejo puente."},
      {"ur-pk", "شہر کی کونسل نے منگل کی رات پرانے پل کو تبدیل کرنے کا "
                "فیصلہ کیا۔"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ac_document *doc = ac_document_new();
    add(doc, AC_BLOCK_PARAGRAPH, cases[i].text);
    sink s = {.store = true};
    char err[512];
    int rc =
        synth_voice(doc, NULL, cases[i].profile, NULL, &s, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s", cases[i].profile, err);
    size_t words = count_words(cases[i].text), n_word = 0;
    for (size_t k = 0; k < s.audio.n_marks; k++)
      n_word += s.audio.marks[k].kind == AC_MARK_WORD;
    ck_assert_msg(n_word == words, "%s: %zu WORD marks for %zu words",
                  cases[i].profile, n_word, words);
    double speech = (double)block_length(&s.audio, 0) / s.audio.sample_rate;
    double per_word = speech / (double)words;
    ck_assert_msg(per_word > 0.2 && per_word < 0.7, "%s: %.3f s a word",
                  cases[i].profile, per_word);
    ck_assert(rms(s.audio.samples, s.audio.n_samples) > 0.02);
    harness_audio_free(&s.audio);
    ac_document_free(doc);
  }
}
END_TEST

static Suite *espeak_suite(void) {
  Suite *s = suite_create("espeak");
  TCase *tc = tcase_create("synth");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_audio_and_marks);
  tcase_add_test(tc, test_word_offsets_utf8);
  tcase_add_test(tc, test_numbers_and_hyphens);
  tcase_add_test(tc, test_control_characters);
  tcase_add_test(tc, test_pauses);
  tcase_add_test(tc, test_rate_scale);
  tcase_add_test(tc, test_unknown_voice);
  tcase_add_test(tc, test_block_language);
  tcase_add_test(tc, test_profiles);
  tcase_add_test(tc, test_emit_error_aborts);
  tcase_add_test(tc, test_skips_and_empty);
  tcase_add_test(tc, test_long_block_is_streamed);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return harness_main(espeak_suite());
}
