/*
 * The espeak synthesizer stage: audio, chunking, marks and their text
 * offsets, pauses, voices and errors, run inside the real host.
 */
#include "catalog.h" /* plugins/espeak */
#include "harness.h"
#include "wire.h"

#include <espeak-ng/speak_lib.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The helper the stage runs, as built. */
#define HELPER ARTICAST_TEST_PLUGIN_DIR "/articast-espeak"

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

/* The episode's `threads` for synth() (0 in the harness's episode, which
 * the stage reads as one). */
static int episode_threads;

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
  ep.threads = episode_threads;
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
  /* ...and the English voice comes back for the next block, which sounds
   * exactly as it did without the French one before it. */
  uint64_t a2 = block_length(&plain.audio, 2), b2 = block_length(&s.audio, 2);
  ck_assert_msg(a2 == b2, "block 2: %llu then %llu frames",
                (unsigned long long)a2, (unsigned long long)b2);
  uint64_t at_a = find_mark(&plain.audio, AC_MARK_BLOCK, 2)->sample;
  uint64_t at_b = find_mark(&s.audio, AC_MARK_BLOCK, 2)->sample;
  ck_assert(memcmp(plain.audio.samples + at_a, s.audio.samples + at_b,
                   a2 * sizeof(float)) == 0);
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
   * aborted text is left in it: the same audio as before. */
  sink t = {.store = true};
  ck_assert_int_eq(synth(doc, NULL, NULL, &t, NULL, 0), 0);
  ck_assert_ptr_nonnull(find_mark(&t.audio, AC_MARK_BLOCK_END, 1));
  ck_assert_msg(t.total == u.total, "%llu frames after the abort, %llu before",
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

/* ---- Derived voices --------------------------------------------------------
 */

/* A voice the stage offered (list_voices), copied. */
typedef struct voice_copy {
  char *name, *language, *description, *settings;
} voice_copy;

typedef struct voice_list {
  voice_copy *v;
  size_t n;
} voice_list;

static void collect_voice(void *ctx, const ac_voice_info *info) {
  voice_list *l = ctx;
  l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
  ck_assert_ptr_nonnull(l->v);
  ck_assert_ptr_nonnull(info->name);
  ck_assert_ptr_nonnull(info->language);
  ck_assert_ptr_nonnull(info->settings);
  l->v[l->n++] =
      (voice_copy){strdup(info->name), strdup(info->language),
                   info->description ? strdup(info->description) : NULL,
                   strdup(info->settings)};
}

static void voice_list_free(voice_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].name);
    free(l->v[i].language);
    free(l->v[i].description);
    free(l->v[i].settings);
  }
  free(l->v);
  memset(l, 0, sizeof *l);
}

/* The stage's derived voices, on an instance with `settings` and no
 * episode (as the host makes it). Returns the result; a failure to create
 * the stage is AC_ERR_INVALID. The message goes to err. */
static int derived_voices(const char *const *settings, voice_list *out,
                          char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  char why[512] = "";
  ac_stage_instance *si =
      harness_stage("espeak", settings, NULL, why, sizeof why);
  if (!si) {
    snprintf(err, errlen, "%s", why);
    return AC_ERR_INVALID;
  }
  int rc = harness_plugin("espeak")->list_voices(ac_stage_handle(si),
                                                 collect_voice, out);
  snprintf(err, errlen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  return rc;
}

static const voice_copy *find_voice(const voice_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].name, name) == 0)
      return &l->v[i];
  return NULL;
}

static size_t voice_index(const voice_list *l, const char *name) {
  const voice_copy *v = find_voice(l, name);
  ck_assert_msg(v != NULL, "no derived voice %s", name);
  return (size_t)(v - l->v);
}

START_TEST(test_derived_voices) {
  /* Every voice espeak-ng has, from the shipped table: a unique name, a
   * language, the espeak voice to select and, when measured, a rate and a
   * loudness gain. */
  voice_list l;
  char err[512];
  ck_assert_msg(derived_voices(NULL, &l, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_ge(l.n, 100);
  size_t calibrated = 0;
  for (size_t i = 0; i < l.n; i++) {
    const voice_copy *v = &l.v[i];
    ck_assert_msg(strncmp(v->name, "espeak-", 7) == 0, "%s", v->name);
    ck_assert_msg(strncmp(v->name, "espeak-mb-", 10) != 0, "%s", v->name);
    ck_assert_msg(strncmp(v->settings, "[espeak]\nvoice = ", 17) == 0, "%s: %s",
                  v->name, v->settings);
    ck_assert_msg(strstr(v->settings, "\nrate = ") != NULL, "%s: %s", v->name,
                  v->settings);
    calibrated += strstr(v->settings, "[loudness]\ngain_db = ") != NULL;
    for (size_t k = 0; k < i; k++)
      ck_assert_msg(strcmp(v->name, l.v[k].name) != 0, "%s twice", v->name);
  }
  /* The languages without a reference text are few. */
  ck_assert_msg(calibrated * 10 >= l.n * 8, "%zu of %zu calibrated", calibrated,
                l.n);
  static const struct {
    const char *name, *language, *voice;
  } known[] = {{"espeak-sw", "sw", "sw"},
               {"espeak-fi", "fi", "fi"},
               {"espeak-cmn", "cmn", "cmn"},
               {"espeak-yue", "yue", "yue"},
               {"espeak-cmn-latn-pinyin", "cmn", "cmn-Latn-pinyin"},
               {"espeak-nb", "nb", "nb"},
               {"espeak-pt-br", "pt-BR", "pt-BR"},
               {"espeak-pt", "pt-PT", "pt"},
               {"espeak-en-us", "en-US", "en-US"},
               {"espeak-hyw", "hyw", "hyw"},
               {"espeak-piqd", "tlh", "piqd"}};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    const voice_copy *v = &l.v[voice_index(&l, known[i].name)];
    ck_assert_str_eq(v->language, known[i].language);
    char want[64];
    snprintf(want, sizeof want, "voice = %s\n", known[i].voice);
    ck_assert_msg(strstr(v->settings, want) != NULL, "%s: %s", v->name,
                  v->settings);
  }
  ck_assert_ptr_nonnull(
      strstr(find_voice(&l, "espeak-sw")->settings, "[loudness]\ngain_db = "));
  /* Within a language, the voice a tag without a region gets comes
   * first. */
  ck_assert_uint_lt(voice_index(&l, "espeak-pt-br"),
                    voice_index(&l, "espeak-pt"));
  /* Mandarin is read by the pinyin voice: the other one reads most
   * characters as English pinyin with tone numbers. */
  ck_assert_uint_lt(voice_index(&l, "espeak-cmn-latn-pinyin"),
                    voice_index(&l, "espeak-cmn"));
  voice_list_free(&l);
}
END_TEST

/* Writes `text` to a file in a new directory; returns its path. */
static char *temp_file(const char *name, const char *text) {
  char *dir = harness_tempdir();
  char *path = ac_path_join(dir, name);
  free(dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void remove_temp(char *path) {
  unlink(path);
  char *slash = strrchr(path, '/');
  *slash = '\0';
  rmdir(path);
  free(path);
}

START_TEST(test_voice_table_option) {
  /* A table without Finnish: espeak's fi voice is still offered, with the
   * table's median rate and no gain (the loudness stage then measures the
   * episode in two passes). */
  char *table = temp_file("voices.tsv", "# a test table\n"
                                        "gmq/sv\tsv\t-\t150\t6.00\tnote\n"
                                        "bnt/sw\tsw\tswh\t170\t-5.5\n"
                                        "zle/ru\tru\t-\t190\t-\n"
                                        "xyz/none\txx\t-\t-\t-\n");
  char opt[4200];
  snprintf(opt, sizeof opt, "voice_table=%s", table);
  const char *settings[] = {opt, NULL};
  voice_list l;
  char err[512];
  ck_assert_msg(derived_voices(settings, &l, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_ge(l.n, 100);
  const voice_copy *sv = find_voice(&l, "espeak-sv");
  const voice_copy *sw = find_voice(&l, "espeak-sw");
  const voice_copy *fi = find_voice(&l, "espeak-fi");
  ck_assert_str_eq(sv->settings, "[espeak]\nvoice = sv\nrate = 150\n"
                                 "[loudness]\ngain_db = 6.00\n");
  ck_assert_str_eq(sw->settings, "[espeak]\nvoice = sw\nrate = 170\n"
                                 "[loudness]\ngain_db = -5.50\n");
  ck_assert_str_eq(fi->settings, "[espeak]\nvoice = fi\nrate = 170\n");
  ck_assert_str_eq(fi->language, "fi");
  ck_assert_ptr_nonnull(strstr(fi->description, "not calibrated"));
  /* The table's voices first, in its order. */
  ck_assert_str_eq(l.v[0].name, "espeak-sv");
  ck_assert_str_eq(l.v[1].name, "espeak-sw");
  ck_assert_str_eq(l.v[2].name, "espeak-ru");
  voice_list_free(&l);
  remove_temp(table);

  /* A malformed table stops the stage, naming the line. */
  static const struct {
    const char *text, *message;
  } bad[] = {
      {"gmq/sv\tsv\t-\t150\n", "voices.tsv:1: a row has 5 or 6"},
      {"# x\ngmq/sv\ts v\t-\t150\t-\n", "voices.tsv:2: the tag"},
      {"gmq/sv\tsv\t-\t1500\t-\n", "voices.tsv:1: the rate"},
      {"gmq/sv\tsv\t-\t150\tloud\n", "voices.tsv:1: gain_db"},
      {"gmq/sv\tsv\tno way\t150\t1\n", "voices.tsv:1: an 'also' tag"},
      {"gmq/sv\tsv\t-\t-\t-\ngmq/sv\tsv\t-\t-\t-\n",
       "voices.tsv:2: the identifier is on an earlier line"},
      {"a\tb\tc\td\te\tf\tg\n", "voices.tsv:1: a row has 5 or 6"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    table = temp_file("voices.tsv", bad[i].text);
    snprintf(opt, sizeof opt, "voice_table=%s", table);
    int rc = derived_voices(settings, &l, err, sizeof err);
    ck_assert_int_eq(rc, AC_ERR_INVALID);
    ck_assert_msg(strstr(err, bad[i].message) != NULL, "case %zu: %s", i, err);
    remove_temp(table);
  }
  /* A table named but missing is an error; an empty name means none. */
  const char *missing[] = {"voice_table=no-such-table.tsv", NULL};
  ck_assert_int_eq(derived_voices(missing, &l, err, sizeof err),
                   AC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "no-such-table.tsv"));
  const char *none[] = {"voice_table=", NULL};
  ck_assert_msg(derived_voices(none, &l, err, sizeof err) == 0, "%s", err);
  for (size_t i = 0; i < l.n; i++)
    ck_assert_ptr_null(strstr(l.v[i].settings, "gain_db"));
  voice_list_free(&l);
}
END_TEST

/* A voice of espeak's list, for the catalog's own tests. */
static wire_voice fake_voice(const char *identifier, const char *languages) {
  wire_voice v;
  memset(&v, 0, sizeof v);
  const char *slash = strrchr(identifier, '/');
  v.name = slash ? slash + 1 : identifier;
  v.name_len = (uint32_t)strlen(v.name);
  v.identifier = identifier;
  v.identifier_len = (uint32_t)strlen(identifier);
  for (const char *p = languages; *p && v.n_languages < WIRE_MAX_LANGUAGES;) {
    size_t n = strcspn(p, " ");
    v.languages[v.n_languages++] = (wire_language){5, p, (uint32_t)n};
    p += n + (p[n] == ' ');
  }
  return v;
}

START_TEST(test_catalog_matching) {
  static const char table_text[] = "sit/cmn\tcmn\tzh,zh-cmn\t140\t9.1\n"
                                   "sit/yue\tyue\tzh-yue\t145\t8\n"
                                   "gmq/nb\tnb\tno,nn\t150\t7\n"
                                   "roa/pt-BR\tpt-BR\t-\t150\t7\n"
                                   "roa/pt\tpt-PT\t-\t-\t7\n"
                                   "roa/es\tes-ES\t-\t140\t7\n"
                                   "roa/es-419\tes-419\tes-MX,es-AR\t155\t7\n"
                                   "zzz/gone\tgo\t-\t150\t1\n";
  cat_table t;
  char err[256];
  ck_assert_msg(cat_table_parse(&t, table_text, "t.tsv", err, sizeof err) == 0,
                "%s", err);
  ck_assert_uint_eq(t.n, 8);
  wire_voice espeak[] = {
      fake_voice("roa/es-419", "es-419 es-mx es"),
      fake_voice("roa/es", "es"),
      fake_voice("sit/yue", "yue zh-yue zh"),
      fake_voice("sit/cmn", "cmn zh-cmn zh"),
      fake_voice("gmq/nb", "nb no"),
      fake_voice("roa/pt", "pt pt-pt"),
      fake_voice("roa/pt-BR", "pt-br pt"),
      fake_voice("iro/chr", "chr-US-Qaaa-x-west"),
      fake_voice("mb/mb-de1", "de"),
      fake_voice("!v/klatt", "variant"),
  };
  catalog c;
  ck_assert_int_eq(cat_build(&c, espeak, sizeof espeak / sizeof *espeak, &t),
                   0);
  /* The table's rows espeak has, in its order, then the rest; no mbrola
   * voice or variant. */
  static const char *const order[] = {"cmn", "yue", "nb",     "pt-BR",
                                      "pt",  "es",  "es-419", "chr"};
  ck_assert_uint_eq(c.n, sizeof order / sizeof *order);
  for (size_t i = 0; i < c.n; i++)
    ck_assert_str_eq(c.voices[i].espeak, order[i]);
  /* A voice the table lacks: espeak's language as a BCP 47 tag, the
   * median rate, no gain. */
  const cat_voice *chr = &c.voices[7];
  ck_assert_str_eq(chr->tag, "chr-US-Qaaa-x-west");
  ck_assert_int_eq(chr->rate, 150);
  ck_assert(isnan(chr->gain_db));
  ck_assert(!chr->in_table);
  /* A row without a rate gets the median too. */
  ck_assert_int_eq(c.voices[4].rate, 150);
  static const struct {
    const char *tag, *voice;
  } cases[] = {
      {"zh", "cmn"},       {"zh-CN", "cmn"},    {"zh-Hant-TW", "cmn"},
      {"cmn", "cmn"},      {"zh-yue", "yue"},   {"yue-HK", "yue"},
      {"no", "nb"},        {"nb-NO", "nb"},     {"nn", "nb"},
      {"NN_no", "nb"},     {"pt", "pt-BR"},     {"pt-BR", "pt-BR"},
      {"pt-PT", "pt"},     {"pt-AO", "pt-BR"},  {"es", "es"},
      {"es-MX", "es-419"}, {"es-ar", "es-419"}, {"es-419", "es-419"},
      {"chr", "chr"},      {"de", NULL},        {"go", NULL},
      {"x", NULL},         {"", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const cat_voice *v = cat_match(&c, cases[i].tag);
    if (!cases[i].voice)
      ck_assert_msg(v == NULL, "%s: %s", cases[i].tag, v ? v->espeak : "");
    else
      ck_assert_msg(v && strcmp(v->espeak, cases[i].voice) == 0,
                    "%s: %s, want %s", cases[i].tag, v ? v->espeak : "none",
                    cases[i].voice);
  }
  char *name = cat_voice_name(&c.voices[3]);
  ck_assert_str_eq(name, "espeak-pt-br");
  free(name);
  char *settings = cat_voice_settings(&c.voices[0]);
  ck_assert_str_eq(settings, "[espeak]\nvoice = cmn\nrate = 140\n"
                             "[loudness]\ngain_db = 9.10\n");
  free(settings);
  settings = cat_voice_settings(chr);
  ck_assert_str_eq(settings, "[espeak]\nvoice = chr\nrate = 150\n");
  free(settings);
  cat_free(&c);
  cat_table_free(&t);
  /* Tags. */
  ck_assert(cat_tag_ok("en"));
  ck_assert(cat_tag_ok("zh-Latn-pinyin"));
  ck_assert(cat_tag_ok("en-US-x-nyc"));
  ck_assert(!cat_tag_ok("e"));
  ck_assert(!cat_tag_ok("1a"));
  ck_assert(!cat_tag_ok("en--US"));
  ck_assert(!cat_tag_ok("en-"));
  ck_assert(!cat_tag_ok("en-toolongsubtag"));
  ck_assert(!cat_tag_ok("en US"));
}
END_TEST

START_TEST(test_burmese_paragraph) {
  /* espeak-ng 1.51 does not end a clause at U+104B: a paragraph of a few
   * sentences was one clause, which aborted its Burmese voice. */
  static const char *const text = "မြို့ရဲ့ စာကြည့်တိုက်ဟာ တစ်နှစ်ကြာ ပြုပြင်ပြီးနောက် စနေနေ့မှာ "
                                  "တံခါးတွေကို ပြန်ဖွင့်ခဲ့ပါတယ်။ ကျောက်တုံးနဲ့ဆောက်ထားတဲ့ "
                                  "အဆောက်အအုံဟောင်းမှာ အခု လင်းလင်းထိန်ထိန် စာဖတ်ခန်း၊ "
                                  "ကလေးတွေအတွက် တိတ်ဆိတ်တဲ့ ထောင့်တစ်နေရာနဲ့ "
                                  "ကော်ဖီဆိုင်လေးတစ်ဆိုင် ရှိပါတယ်။";
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, text);
  sink s = {.store = false};
  char err[512];
  ck_assert_msg(synth(doc, NULL, "my", &s, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_gt(s.total, 22050 * 5);
  ac_document_free(doc);
}
END_TEST

/* Frames of block b's speech, copied out of a. */
static float *block_samples(const harness_audio *a, uint32_t b, size_t *n) {
  uint64_t start = find_mark(a, AC_MARK_BLOCK, b)->sample;
  *n = (size_t)block_length(a, b);
  float *out = malloc(*n * sizeof *out);
  ck_assert_ptr_nonnull(out);
  memcpy(out, a->samples + start, *n * sizeof *out);
  return out;
}

START_TEST(test_passage_voices) {
  /* A passage in another language is read with the table's voice for its
   * language: Nynorsk (which espeak-ng has no voice of) with the Bokmål
   * voice, Chinese with Mandarin. It sounds exactly as the same text read
   * by that voice as the episode's voice, at the profile's settings. */
  static const struct {
    const char *lang, *voice, *text;
  } cases[] = {
      {"nn", "nb", "Det er ein fin dag i dag, og vi går ein tur i parken."},
      {"zh-Hans", "cmn-Latn-pinyin", "图书馆星期六重新开放。"},
      {"pt", "pt-BR", "A biblioteca municipal reabriu as portas no sábado."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ac_document *doc = ac_document_new();
    add(doc, AC_BLOCK_PARAGRAPH, PARA1);
    ac_block *b = add(doc, AC_BLOCK_QUOTE, cases[i].text);
    ac_set_string(&b->lang, cases[i].lang, (size_t)-1);
    sink s = {.store = true};
    char err[512];
    ck_assert_msg(synth(doc, NULL, NULL, &s, err, sizeof err) == 0, "%s", err);
    ac_document *alone = ac_document_new();
    add(alone, AC_BLOCK_QUOTE, cases[i].text);
    sink t = {.store = true};
    ck_assert_msg(synth(alone, NULL, cases[i].voice, &t, err, sizeof err) == 0,
                  "%s", err);
    size_t n1, n2;
    float *a = block_samples(&s.audio, 1, &n1);
    float *c = block_samples(&t.audio, 0, &n2);
    ck_assert_msg(n1 == n2 && memcmp(a, c, n1 * sizeof *a) == 0,
                  "%s: %zu frames, %zu with voice %s, or other samples",
                  cases[i].lang, n1, n2, cases[i].voice);
    free(a);
    free(c);
    harness_audio_free(&s.audio);
    harness_audio_free(&t.audio);
    ac_document_free(doc);
    ac_document_free(alone);
  }
}
END_TEST

/* ---- The helper process ---------------------------------------------------
 */

/* What a synthesis gave: counts, and hashes of the samples and of the
 * events the stage uses, in order. */
typedef struct spoken {
  uint64_t n_samples, n_events, n_words;
  uint64_t sample_hash, event_hash;
} spoken;

static uint64_t fnv(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++)
    h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull;
  return h;
}

static void spoken_add(spoken *s, const short *wav, size_t n,
                       const wire_event *ev, size_t k) {
  for (size_t i = 0; i < n; i++)
    s->sample_hash = fnv(s->sample_hash, (uint16_t)wav[i]);
  s->n_samples += n;
  for (size_t i = 0; i < k; i++) {
    s->event_hash = fnv(s->event_hash, ev[i].type);
    s->event_hash = fnv(s->event_hash, (uint32_t)ev[i].text_position);
    s->event_hash = fnv(s->event_hash, (uint32_t)ev[i].length);
    s->event_hash = fnv(s->event_hash, (uint32_t)ev[i].sample);
    s->n_words += ev[i].type == WIRE_EV_WORD;
  }
  s->n_events += k;
}

/* A helper started by the test itself, to speak the wire format to it. */
typedef struct helper_proc {
  int to, from;
  wire_hello hello;
  pid_t zygote;
  wire_buf frame;
} helper_proc;

static void helper_open(helper_proc *h) {
  int in[2], out[2];
  ck_assert_int_eq(pipe(in), 0);
  ck_assert_int_eq(pipe(out), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    closefrom(3);
    execl(HELPER, "articast-espeak", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  memset(h, 0, sizeof *h);
  h->to = in[1];
  h->from = out[0];
  uint32_t type;
  ck_assert_int_eq(wire_read_frame(h->from, &h->frame, &type, 1 << 16),
                   WIRE_READ_OK);
  ck_assert_uint_eq(type, WIRE_HELLO);
  ck_assert_int_eq(wire_decode_hello(h->frame.data, h->frame.len, &h->hello),
                   0);
  ck_assert_uint_eq(h->hello.rate, 22050);
  h->zygote = (pid_t)h->hello.pid;
  /* The starter exits once the zygote runs, and is reaped here. */
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void helper_send(helper_proc *h, const char *voice, const char *lang,
                        int rate, uint32_t flags, const char *text) {
  wire_request r = {.flags = flags,
                    .rate = rate,
                    .pitch = 50,
                    .range = 50,
                    .voice = voice,
                    .voice_len = (uint32_t)strlen(voice),
                    .language = lang,
                    .language_len = (uint32_t)strlen(lang),
                    .text = text,
                    .text_len = (uint32_t)strlen(text)};
  wire_buf b = {0};
  ck_assert_int_eq(wire_encode_request(&b, &r), 0);
  ck_assert_int_eq(wire_write_all(h->to, b.data, b.len), 0);
  wire_buf_free(&b);
}

/* Reads one block's answer; returns its END! status. */
static uint32_t helper_answer(helper_proc *h, spoken *out) {
  memset(out, 0, sizeof *out);
  for (;;) {
    uint32_t type, n, k;
    ck_assert_int_eq(
        wire_read_frame(h->from, &h->frame, &type, WIRE_MAX_RESPONSE),
        WIRE_READ_OK);
    if (type == WIRE_END) {
      wire_end e;
      ck_assert_int_eq(wire_decode_end(h->frame.data, h->frame.len, &e), 0);
      return e.status;
    }
    ck_assert_uint_eq(type, WIRE_BUFFER);
    ck_assert_int_eq(wire_decode_buffer(h->frame.data, h->frame.len, &n, &k),
                     0);
    short *wav = malloc((n ? n : 1) * sizeof *wav);
    wire_event *ev = malloc((k ? k : 1) * sizeof *ev);
    wire_buffer_samples(h->frame.data, wav, n);
    wire_buffer_events(h->frame.data, n, ev, k);
    spoken_add(out, wav, n, ev, k);
    free(wav);
    free(ev);
  }
}

/* The state of a process from /proc ('Z' for a zombie), or 0 when it is
 * gone. */
static char proc_state(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *paren = strrchr(buf, ')');
  return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Waits up to 5 s for a process to end (a zombie has ended: the zygote is
 * an orphan, reaped by init). */
static bool ends_soon(pid_t pid) {
  for (int i = 0; i < 500; i++) {
    char st = proc_state(pid);
    if (st == 0 || st == 'Z' || st == 'X')
      return true;
    struct timespec ms10 = {0, 10 * 1000 * 1000};
    nanosleep(&ms10, NULL);
  }
  return false;
}

static int threads_of(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  int n = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  fclose(f);
  return n;
}

START_TEST(test_helper_protocol) {
  helper_proc h;
  helper_open(&h);
  ck_assert_uint_eq(h.hello.magic, WIRE_MAGIC);
  ck_assert_uint_eq(h.hello.version, WIRE_VERSION);
  /* espeak-ng's thread stayed behind in the starter. */
  ck_assert_int_eq(threads_of(h.zygote), 1);
  spoken a, b;
  helper_send(&h, "en-us", "", 175, 0, PARA1);
  ck_assert_uint_eq(helper_answer(&h, &a), WIRE_OK);
  ck_assert_uint_gt(a.n_samples, 22050);
  ck_assert_uint_ge(a.n_words, 20);
  /* Spooled, the same frames. */
  helper_send(&h, "en-us", "", 175, WIRE_SPOOL, PARA1);
  ck_assert_uint_eq(helper_answer(&h, &b), WIRE_OK);
  ck_assert(memcmp(&a, &b, sizeof a) == 0);
  helper_send(&h, "klingon-qq", "", 175, 0, PARA1);
  ck_assert_uint_eq(helper_answer(&h, &b), WIRE_NO_VOICE);
  ck_assert_uint_eq(b.n_samples, 0);
  helper_send(&h, "en-us", "xx-nowhere", 175, 0, PARA1);
  ck_assert_uint_eq(helper_answer(&h, &b), WIRE_LANG_MISSING);
  ck_assert_uint_gt(b.n_samples, 22050);
  ck_assert_int_eq(threads_of(h.zygote), 1);
  /* The end of the request pipe ends the helper. */
  close(h.to);
  uint32_t type;
  ck_assert_int_eq(wire_read_frame(h.from, &h.frame, &type, 1 << 16),
                   WIRE_READ_EOF);
  ck_assert(ends_soon(h.zygote));
  close(h.from);
  wire_buf_free(&h.frame);
}
END_TEST

START_TEST(test_helper_refuses_bad_requests) {
  /* A value out of range, a frame over the limit, a frame cut short: an
   * END! saying so (or nothing) and the end of the helper, never a hang. */
  for (int c = 0; c < 3; c++) {
    helper_proc h;
    helper_open(&h);
    if (c == 0) {
      helper_send(&h, "en-us", "", 5000, 0, "Hello.");
    } else {
      uint8_t header[WIRE_HEADER_SIZE];
      wire_header(header, WIRE_SPEAK, c == 1 ? 0xfffffff0u : 100);
      ck_assert_int_eq(wire_write_all(h.to, header, sizeof header), 0);
      if (c == 2)
        ck_assert_int_eq(wire_write_all(h.to, "short", 5), 0);
    }
    if (c == 2)
      close(h.to);
    uint32_t type;
    int rc = wire_read_frame(h.from, &h.frame, &type, 1 << 16);
    ck_assert_int_eq(rc, WIRE_READ_OK);
    wire_end e;
    ck_assert_uint_eq(type, WIRE_END);
    ck_assert_int_eq(wire_decode_end(h.frame.data, h.frame.len, &e), 0);
    ck_assert_uint_eq(e.status, WIRE_BAD_REQUEST);
    ck_assert_int_eq(wire_read_frame(h.from, &h.frame, &type, 1 << 16),
                     WIRE_READ_EOF);
    ck_assert(ends_soon(h.zygote));
    if (c != 2)
      close(h.to);
    close(h.from);
    wire_buf_free(&h.frame);
  }
}
END_TEST

/* Asks the helper for its voice list; returns the VLST's voices (into
 * h->frame, valid until the next read) and their count. */
static wire_voice *helper_list(helper_proc *h, uint32_t *n) {
  wire_buf b = {0};
  ck_assert_int_eq(wire_encode_list(&b), 0);
  ck_assert_uint_eq(b.len, WIRE_HEADER_SIZE);
  ck_assert_int_eq(wire_write_all(h->to, b.data, b.len), 0);
  wire_buf_free(&b);
  uint32_t type;
  ck_assert_int_eq(
      wire_read_frame(h->from, &h->frame, &type, WIRE_MAX_VOICE_LIST),
      WIRE_READ_OK);
  ck_assert_uint_eq(type, WIRE_VOICES);
  ck_assert_int_eq(wire_decode_voices(h->frame.data, h->frame.len, NULL, 0, n),
                   0);
  wire_voice *v = calloc(*n, sizeof *v);
  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(wire_decode_voices(h->frame.data, h->frame.len, v, *n, n),
                   0);
  return v;
}

/* Whether voice v lists `language`. */
static bool speaks(const wire_voice *v, const char *language) {
  for (uint32_t k = 0; k < v->n_languages; k++)
    if (v->languages[k].tag_len == strlen(language) &&
        memcmp(v->languages[k].tag, language, strlen(language)) == 0)
      return true;
  return false;
}

START_TEST(test_helper_lists_voices) {
  helper_proc h;
  helper_open(&h);
  uint32_t n;
  wire_voice *v = helper_list(&h, &n);
  ck_assert_uint_ge(n, 100);
  bool cmn = false, nb = false;
  for (uint32_t i = 0; i < n; i++) {
    ck_assert_uint_ge(v[i].n_languages, 1);
    bool is =
        v[i].identifier_len == 7 && memcmp(v[i].identifier, "sit/cmn", 7) == 0;
    cmn |= is && speaks(&v[i], "zh");
    is = v[i].identifier_len == 6 && memcmp(v[i].identifier, "gmq/nb", 6) == 0;
    nb |= is && speaks(&v[i], "no");
  }
  ck_assert(cmn && nb);
  free(v);
  /* The helper goes on serving blocks, with one thread in its zygote. */
  spoken a;
  helper_send(&h, "en-us", "", 175, 0, PARA1);
  ck_assert_uint_eq(helper_answer(&h, &a), WIRE_OK);
  ck_assert_int_eq(threads_of(h.zygote), 1);
  /* A LIST with a payload is malformed: the helper says so and exits. */
  uint8_t frame[WIRE_HEADER_SIZE + 4] = {0};
  wire_header(frame, WIRE_LIST, 4);
  ck_assert_int_eq(wire_write_all(h.to, frame, sizeof frame), 0);
  uint32_t type;
  ck_assert_int_eq(wire_read_frame(h.from, &h.frame, &type, 1 << 16),
                   WIRE_READ_OK);
  wire_end e;
  ck_assert_uint_eq(type, WIRE_END);
  ck_assert_int_eq(wire_decode_end(h.frame.data, h.frame.len, &e), 0);
  ck_assert_uint_eq(e.status, WIRE_BAD_REQUEST);
  ck_assert(ends_soon(h.zygote));
  close(h.to);
  close(h.from);
  wire_buf_free(&h.frame);
}
END_TEST

START_TEST(test_wire_voice_list) {
  wire_voice v[2];
  memset(v, 0, sizeof v);
  v[0] = (wire_voice){.name = "Finnish",
                      .name_len = 7,
                      .identifier = "urj/fi",
                      .identifier_len = 6,
                      .n_languages = 1};
  v[0].languages[0] = (wire_language){5, "fi", 2};
  v[1] = (wire_voice){.name = "Chinese",
                      .name_len = 7,
                      .identifier = "sit/cmn",
                      .identifier_len = 7,
                      .n_languages = 2};
  v[1].languages[0] = (wire_language){5, "cmn", 3};
  v[1].languages[1] = (wire_language){255, "zh", 2};
  wire_buf b = {0};
  ck_assert_int_eq(wire_encode_voices(&b, v, 2), 0);
  const uint8_t *p = b.data + WIRE_HEADER_SIZE;
  size_t len = b.len - WIRE_HEADER_SIZE;
  wire_voice out[2];
  uint32_t n;
  ck_assert_int_eq(wire_decode_voices(p, len, out, 2, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert(out[1].identifier_len == 7 &&
            memcmp(out[1].identifier, "sit/cmn", 7) == 0);
  ck_assert_uint_eq(out[1].languages[1].priority, 255);
  ck_assert(memcmp(out[1].languages[1].tag, "zh", 2) == 0);
  /* Too small an array, a byte too many or too few: refused. */
  ck_assert_int_eq(wire_decode_voices(p, len, out, 1, &n), -1);
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, p, len);
  longer[len] = 0;
  ck_assert_int_eq(wire_decode_voices(longer, len + 1, NULL, 0, &n), -1);
  ck_assert_int_eq(wire_decode_voices(p, len - 1, NULL, 0, &n), -1);
  free(longer);
  /* Over a limit or empty: not encoded, and not decoded. */
  v[1].languages[1].priority = 256;
  ck_assert_int_eq(wire_encode_voices(&b, v, 2), -1);
  v[1].languages[1].priority = 5;
  v[1].n_languages = 0;
  ck_assert_int_eq(wire_encode_voices(&b, v, 2), -1);
  v[1].n_languages = WIRE_MAX_LANGUAGES + 1;
  ck_assert_int_eq(wire_encode_voices(&b, v, 2), -1);
  v[1].n_languages = 2;
  v[1].name_len = 0;
  ck_assert_int_eq(wire_encode_voices(&b, v, 2), -1);
  v[1].name_len = 7;
  ck_assert_int_eq(wire_encode_voices(&b, v, WIRE_MAX_VOICES + 1), -1);
  /* Hand-made payloads: a count over the limit, no languages, an empty
   * name, a priority over 255, a NUL in a string. */
  static const uint8_t over[] = {0x01, 0x04, 0, 0};
  ck_assert_int_eq(wire_decode_voices(over, sizeof over, NULL, 0, &n), -1);
  static const uint8_t no_lang[] = {1, 0, 0, 0, 1,   0, 0, 0, 'A',
                                    1, 0, 0, 0, 'a', 0, 0, 0, 0};
  ck_assert_int_eq(wire_decode_voices(no_lang, sizeof no_lang, NULL, 0, &n),
                   -1);
  static const uint8_t empty_name[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a',
                                       1, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 'x'};
  ck_assert_int_eq(
      wire_decode_voices(empty_name, sizeof empty_name, NULL, 0, &n), -1);
  static const uint8_t good[] = {1, 0, 0, 0, 1, 0, 0, 0, 'A', 1, 0, 0, 0,  'a',
                                 1, 0, 0, 0, 5, 0, 0, 0, 1,   0, 0, 0, 'x'};
  ck_assert_int_eq(wire_decode_voices(good, sizeof good, NULL, 0, &n), 0);
  ck_assert_uint_eq(n, 1);
  uint8_t bad[sizeof good];
  memcpy(bad, good, sizeof good);
  bad[19] = 1; /* priority 261 */
  ck_assert_int_eq(wire_decode_voices(bad, sizeof bad, NULL, 0, &n), -1);
  memcpy(bad, good, sizeof good);
  bad[26] = 0; /* a NUL in the language */
  ck_assert_int_eq(wire_decode_voices(bad, sizeof bad, NULL, 0, &n), -1);
  wire_buf_free(&b);
}
END_TEST

/* espeak-ng's callback in a fresh process of the test's own. */
static spoken reference;
static int reference_callback(short *wav, int n, espeak_EVENT *events) {
  wire_event ev[64];
  size_t k = 0;
  for (; events && events->type != espeakEVENT_LIST_TERMINATED; events++) {
    uint32_t t = events->type == espeakEVENT_WORD       ? WIRE_EV_WORD
                 : events->type == espeakEVENT_SENTENCE ? WIRE_EV_SENTENCE
                 : events->type == espeakEVENT_END      ? WIRE_EV_CLAUSE_END
                                                        : 0;
    if (t && k < 64)
      ev[k++] = (wire_event){t, events->text_position, events->length,
                             events->sample};
  }
  spoken_add(&reference, wav, wav && n > 0 ? (size_t)n : 0, ev, k);
  return 0;
}

/* What a process that initializes espeak-ng, selects the voice once and
 * speaks `text` gives: what the stage's old per-block child gave. */
static spoken fresh_process(const char *voice, int rate, const char *text) {
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL,
                      espeakINITIALIZE_DONT_EXIT);
    espeak_SetSynthCallback(reference_callback);
    espeak_SetVoiceByName(voice);
    espeak_SetParameter(espeakRATE, rate, 0);
    espeak_SetParameter(espeakVOLUME, 100, 0);
    espeak_SetParameter(espeakPITCH, 50, 0);
    espeak_SetParameter(espeakRANGE, 50, 0);
    espeak_SetParameter(espeakWORDGAP, 0, 0);
    espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
    espeak_SetParameter(espeakCAPITALS, 0, 0);
    espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                 espeakCHARS_UTF8 | espeakPHONEMES, NULL, NULL);
    _exit(write(fds[1], &reference, sizeof reference) == sizeof reference ? 0
                                                                          : 1);
  }
  close(fds[1]);
  spoken s;
  ck_assert_int_eq(read(fds[0], &s, sizeof s), (ssize_t)sizeof s);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return s;
}

START_TEST(test_voice_zygotes_sound_fresh) {
  /* The helper selects each voice once in a zygote and speaks every block
   * in a child of it. The blocks must sound exactly as in a process that
   * selected the voice itself and spoke nothing before: also after other
   * blocks of the same voice, after another voice, after a voice list, and
   * after more voices than the helper keeps zygotes for. */
  spoken en = fresh_process("en-us", 175, PARA1);
  spoken en_fast = fresh_process("en-us", 220, PARA1);
  spoken fr = fresh_process("fr", 175, PARA2);
  ck_assert_uint_gt(en.n_samples, 22050);
  helper_proc h;
  helper_open(&h);
  struct {
    const char *voice;
    int rate;
    const char *text;
    const spoken *want;
  } steps[] = {{"en-us", 175, PARA1, &en},      {"en-us", 175, PARA1, &en},
               {"fr", 175, PARA2, &fr},         {"en-us", 175, PARA1, &en},
               {"en-us", 220, PARA1, &en_fast}, {"de", 175, "Guten Tag.", NULL},
               {"es", 175, "Hola.", NULL},      {"it", 175, "Ciao.", NULL},
               {"en-us", 175, PARA1, &en},      {"fr", 175, PARA2, &fr}};
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    spoken got;
    if (i == 3) { /* listing the voices leaves the engine as it was */
      uint32_t n;
      free(helper_list(&h, &n));
    }
    helper_send(&h, steps[i].voice, "", steps[i].rate, 0, steps[i].text);
    ck_assert_uint_eq(helper_answer(&h, &got), WIRE_OK);
    if (steps[i].want)
      ck_assert_msg(memcmp(&got, steps[i].want, sizeof got) == 0,
                    "step %zu (%s): %llu samples, fresh %llu, or other "
                    "samples or events",
                    i, steps[i].voice, (unsigned long long)got.n_samples,
                    (unsigned long long)steps[i].want->n_samples);
  }
  close(h.to);
  close(h.from);
  ck_assert(ends_soon(h.zygote));
  wire_buf_free(&h.frame);
}
END_TEST

/* ---- The stage with a helper that misbehaves ------------------------------
 * The test binary doubles as a fake helper (see fake_helper) when
 * TEST_ESPEAK_FAKE names a behaviour. */

/* A wire version the stage does not know: WIRE_VERSION + 98, as text. */
#define WIRE_STR2(x) #x
#define WIRE_STR(x) WIRE_STR2(x)
#define WIRE_NEWER WIRE_STR(WIRE_NEWER_VERSION)
#define WIRE_NEWER_VERSION 100
_Static_assert(WIRE_NEWER_VERSION == WIRE_VERSION + 98,
               "WIRE_NEWER_VERSION follows WIRE_VERSION");

static void fake_hello(uint32_t version) {
  wire_hello h = {.magic = WIRE_MAGIC,
                  .version = version,
                  .rate = 22050,
                  .pid = (uint32_t)getpid(),
                  .espeak_version = "fake",
                  .espeak_version_len = 4,
                  .data_path = "/fake",
                  .data_path_len = 5};
  wire_buf b = {0};
  if (wire_encode_hello(&b, &h) == 0)
    wire_write_all(1, b.data, b.len);
  wire_buf_free(&b);
}

/* Answers the first request with `mode`'s kind of damage, and exits. */
static int fake_answer(const char *mode) {
  wire_buf in = {0}, out = {0};
  uint32_t type;
  if (wire_read_frame(0, &in, &type, WIRE_MAX_REQUEST) != WIRE_READ_OK)
    return 1;
  short wav[100] = {0};
  uint8_t header[WIRE_HEADER_SIZE];
  if (!strcmp(mode, "truncated")) {
    wire_encode_buffer(&out, wav, 100, NULL, 0);
    out.len -= 50;
  } else if (!strcmp(mode, "toolong")) {
    wire_header(header, WIRE_BUFFER, 0x7ffffff0u);
    wire_write_all(1, header, sizeof header);
  } else if (!strcmp(mode, "badcount")) {
    wire_encode_buffer(&out, wav, 100, NULL, 0);
    out.data[WIRE_HEADER_SIZE] = 101; /* n_samples */
  } else if (!strcmp(mode, "badevent")) {
    wire_event ev = {.type = 99, .text_position = 1, .length = 1};
    wire_encode_buffer(&out, wav, 10, &ev, 1);
  } else if (!strcmp(mode, "unknown")) {
    wire_begin(&out, WIRE_TAG('W', 'H', 'A', 'T'));
    wire_finish(&out);
  } else if (!strcmp(mode, "badlist")) {
    /* A voice list whose count promises more than it holds. */
    wire_begin(&out, WIRE_VOICES);
    wire_put_u32(&out, 5);
    wire_finish(&out);
  } else if (!strcmp(mode, "listend")) {
    wire_encode_end(&out, &(wire_end){.status = WIRE_DIED, .signal = 6});
  } else if (!strcmp(mode, "died")) {
    wire_encode_buffer(&out, wav, 100, NULL, 0);
    wire_write_all(1, out.data, out.len);
    wire_encode_end(&out, &(wire_end){.status = WIRE_DIED, .signal = 11});
  }
  wire_write_all(1, out.data, out.len);
  wire_buf_free(&in);
  wire_buf_free(&out);
  return 0;
}

/* The descriptors this process has open besides 0, 1 and 2. */
static int extra_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
      n++;
  }
  closedir(d);
  return n;
}

static int fake_helper(const char *mode) {
  if (!strcmp(mode, "nohello"))
    return 0;
  if (!strcmp(mode, "fds") || !strcmp(mode, "count")) {
    /* The real helper, after a check of what the stage gave it. */
    if (!strcmp(mode, "fds") && extra_fds() != 0)
      return 9;
    const char *count = getenv("TEST_ESPEAK_COUNT");
    FILE *f = count ? fopen(count, "a") : NULL;
    if (f) {
      fputs("started\n", f);
      fclose(f);
    }
    execl(HELPER, "articast-espeak", (char *)NULL);
    return 127;
  }
  /* Like the real one, the process the stage started exits at once. */
  pid_t pid = fork();
  if (pid != 0)
    return pid < 0;
  if (!strcmp(mode, "badversion")) {
    fake_hello(WIRE_NEWER_VERSION);
    return 0;
  }
  fake_hello(WIRE_VERSION);
  return fake_answer(mode);
}

static char self_path[4096];

/* Runs the stage on one paragraph with the fake helper `mode`; returns the
 * result with the message in err. create_failed tells whether the stage
 * could not even be created. */
static int with_fake(const char *mode, char *err, size_t errlen,
                     bool *create_failed) {
  setenv("ARTICAST_ESPEAK_HELPER", self_path, 1);
  setenv("TEST_ESPEAK_FAKE", mode, 1);
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ac_stage_instance *si = harness_stage("espeak", NULL, &ep, err, errlen);
  *create_failed = si == NULL;
  int rc = AC_ERR_ENGINE;
  if (si) {
    sink s = {.store = false};
    ac_stage_set_output(si, check_sink, &s);
    ac_segment seg = {
        .n_blocks = 1, .next_block = UINT32_MAX, .is_first = 1, .is_last = 1};
    rc = harness_plugin("espeak")->synthesize(ac_stage_handle(si), &seg);
    snprintf(err, errlen, "%s", ac_stage_error(si));
    ac_stage_free(si);
  }
  ac_voice_free(&vp);
  ac_document_free(doc);
  unsetenv("ARTICAST_ESPEAK_HELPER");
  unsetenv("TEST_ESPEAK_FAKE");
  return rc;
}

START_TEST(test_broken_helper_is_an_error) {
  static const struct {
    const char *mode;
    bool at_create;
    const char *message;
  } cases[] = {
      {"nohello", true, "before it was ready"},
      {"badversion", true, "speaks version " WIRE_NEWER " of the wire format"},
      {"truncated", false, "block 0: the espeak helper stopped in the middle"},
      {"toolong", false, "block 0: the espeak helper sent a frame over"},
      {"badcount", false, "block 0: the espeak helper sent a malformed buf"},
      {"badevent", false, "block 0: the espeak helper sent a malformed buf"},
      {"unknown", false, "block 0: the espeak helper sent a frame of unkn"},
      {"died", false, "espeak-ng died on block 0 (signal 11)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char err[512] = "";
    bool at_create;
    int rc = with_fake(cases[i].mode, err, sizeof err, &at_create);
    ck_assert_msg(rc == AC_ERR_ENGINE && at_create == cases[i].at_create,
                  "%s: rc %d, %s", cases[i].mode, rc, err);
    ck_assert_msg(strstr(err, cases[i].message) != NULL, "%s: message: %s",
                  cases[i].mode, err);
  }
  /* The next episode starts a working helper. */
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  sink s = {.store = false};
  char err[512] = "";
  ck_assert_msg(synth(doc, NULL, NULL, &s, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_gt(s.total, 22050);
  ac_document_free(doc);
  /* Every process the stage started was reaped. */
  ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
  ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(test_broken_voice_list_is_an_error) {
  static const struct {
    const char *mode, *message;
  } cases[] = {
      {"badlist", "cannot list espeak-ng's voices: the espeak helper sent a "
                  "malformed voice list"},
      {"listend", "could not list its voices (the process making it died)"},
      {"badevent", "the espeak helper answered the voice list with a frame "
                   "of another type"},
      {"truncated", "the espeak helper stopped while listing its voices"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    setenv("ARTICAST_ESPEAK_HELPER", self_path, 1);
    setenv("TEST_ESPEAK_FAKE", cases[i].mode, 1);
    voice_list l;
    char err[512];
    int rc = derived_voices(NULL, &l, err, sizeof err);
    ck_assert_msg(rc == AC_ERR_ENGINE, "%s: rc %d, %s", cases[i].mode, rc, err);
    ck_assert_msg(strstr(err, cases[i].message) != NULL, "%s: %s",
                  cases[i].mode, err);
    ck_assert_uint_eq(l.n, 0);
    unsetenv("ARTICAST_ESPEAK_HELPER");
    unsetenv("TEST_ESPEAK_FAKE");
  }
  /* Every process the stage started was reaped. */
  ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}
END_TEST

START_TEST(test_one_helper_for_the_process) {
  /* The helper is started once and gets no descriptor of the host's but
   * its pipes, even ones not marked close-on-exec. */
  int leak[2];
  ck_assert_int_eq(pipe(leak), 0);
  int file = open("/dev/null", O_RDONLY);
  ck_assert_int_ge(file, 0);
  char *dir = harness_tempdir();
  char count[4200];
  snprintf(count, sizeof count, "%s/starts", dir);
  setenv("TEST_ESPEAK_COUNT", count, 1);
  setenv("ARTICAST_ESPEAK_HELPER", self_path, 1);
  setenv("TEST_ESPEAK_FAKE", "fds", 1);
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  char err[512] = "";
  for (int i = 0; i < 3; i++) {
    sink s = {.store = false};
    ck_assert_msg(synth(doc, NULL, NULL, &s, err, sizeof err) == 0, "%s", err);
  }
  char *starts = harness_slurp(count);
  ck_assert_str_eq(starts, "started\n");
  free(starts);
  ac_document_free(doc);
  close(leak[0]);
  close(leak[1]);
  close(file);
  unlink(count);
  rmdir(dir);
  free(dir);
}
END_TEST

/* warm_up starts the helper before create(), which uses it rather than
 * a second one; a helper that fails while warming up is reported by
 * create(), and every process is reaped. */
START_TEST(test_warm_up_starts_the_helper) {
  const ac_plugin *p = harness_plugin("espeak");
  ck_assert_ptr_nonnull(p->warm_up);
  char *dir = harness_tempdir();
  char count[4200];
  snprintf(count, sizeof count, "%s/starts", dir);
  setenv("TEST_ESPEAK_COUNT", count, 1);
  setenv("ARTICAST_ESPEAK_HELPER", self_path, 1);
  setenv("TEST_ESPEAK_FAKE", "count", 1);
  p->warm_up();
  p->warm_up();
  /* Started before any stage exists. */
  struct stat st;
  for (int i = 0; i < 500 && stat(count, &st) != 0; i++)
    usleep(10000);
  ck_assert_int_eq(stat(count, &st), 0);
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  char err[512] = "";
  sink s = {.store = false};
  ck_assert_msg(synth(doc, NULL, NULL, &s, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_gt(s.total, 22050);
  char *starts = harness_slurp(count);
  ck_assert_str_eq(starts, "started\n");
  free(starts);
  ac_document_free(doc);
  unlink(count);
  rmdir(dir);
  free(dir);
  unsetenv("TEST_ESPEAK_COUNT");

  /* A fresh process (a batch worker) warms up a helper of its own; this
   * one says no hello. */
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    setenv("TEST_ESPEAK_FAKE", "nohello", 1);
    p->warm_up();
    bool at_create = false;
    int rc = with_fake("nohello", err, sizeof err, &at_create);
    int ok = rc == AC_ERR_ENGINE && at_create &&
             strstr(err, "before it was ready") != NULL &&
             waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
    if (!ok)
      fprintf(stderr, "rc %d, at create %d: %s\n", rc, at_create, err);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_one_core_same_audio) {
  /* With one thread the helper spools each block; the audio and marks
   * are the same as streamed. */
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_HEADING, TITLE);
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  add(doc, AC_BLOCK_PARAGRAPH, PARA2);
  sink a = {.store = true}, b = {.store = true};
  episode_threads = 1;
  ck_assert_int_eq(synth(doc, NULL, NULL, &a, NULL, 0), 0);
  episode_threads = 2;
  ck_assert_int_eq(synth(doc, NULL, NULL, &b, NULL, 0), 0);
  episode_threads = 0;
  ck_assert_uint_eq(a.audio.n_samples, b.audio.n_samples);
  ck_assert(memcmp(a.audio.samples, b.audio.samples,
                   a.audio.n_samples * sizeof(float)) == 0);
  ck_assert_uint_eq(a.audio.n_marks, b.audio.n_marks);
  ck_assert(memcmp(a.audio.marks, b.audio.marks,
                   a.audio.n_marks * sizeof(ac_mark)) == 0);
  harness_audio_free(&a.audio);
  harness_audio_free(&b.audio);
  ac_document_free(doc);
}
END_TEST

/* Kills every live articast-espeak process of this process group (the
 * helpers this test started); returns how many there were. */
static int kill_helpers(void) {
  DIR *d = opendir("/proc");
  ck_assert_ptr_nonnull(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    pid_t pid = (pid_t)atoi(e->d_name);
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
    if (!f)
      continue;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *paren = strrchr(buf, ')');
    char state;
    int ppid, pgrp;
    if (!paren || sscanf(paren + 2, "%c %d %d", &state, &ppid, &pgrp) != 3)
      continue;
    if (strstr(buf, "(articast-espeak)") && pgrp == (int)getpgrp() &&
        state != 'Z' && state != 'X') {
      kill(pid, SIGKILL);
      ck_assert(ends_soon(pid));
      n++;
    }
  }
  closedir(d);
  return n;
}

START_TEST(test_helper_replaced_after_death) {
  /* A helper killed between episodes is replaced by the next one, which
   * sounds the same. */
  ac_document *doc = ac_document_new();
  add(doc, AC_BLOCK_PARAGRAPH, PARA1);
  add(doc, AC_BLOCK_PARAGRAPH, PARA2);
  sink a = {.store = true}, b = {.store = true};
  char err[512] = "";
  ck_assert_int_eq(synth(doc, NULL, NULL, &a, err, sizeof err), 0);
  ck_assert_int_ge(kill_helpers(), 1);
  ck_assert_msg(synth(doc, NULL, NULL, &b, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(a.audio.n_samples, b.audio.n_samples);
  ck_assert(memcmp(a.audio.samples, b.audio.samples,
                   a.audio.n_samples * sizeof(float)) == 0);
  harness_audio_free(&a.audio);
  harness_audio_free(&b.audio);
  ac_document_free(doc);
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
  tcase_add_test(tc, test_derived_voices);
  tcase_add_test(tc, test_voice_table_option);
  tcase_add_test(tc, test_catalog_matching);
  tcase_add_test(tc, test_passage_voices);
  tcase_add_test(tc, test_burmese_paragraph);
  tcase_add_test(tc, test_emit_error_aborts);
  tcase_add_test(tc, test_skips_and_empty);
  tcase_add_test(tc, test_long_block_is_streamed);
  tcase_add_test(tc, test_one_core_same_audio);
  suite_add_tcase(s, tc);
  TCase *hc = tcase_create("helper");
  tcase_set_timeout(hc, 120);
  tcase_add_test(hc, test_helper_protocol);
  tcase_add_test(hc, test_helper_refuses_bad_requests);
  tcase_add_test(hc, test_helper_lists_voices);
  tcase_add_test(hc, test_wire_voice_list);
  tcase_add_test(hc, test_broken_voice_list_is_an_error);
  tcase_add_test(hc, test_voice_zygotes_sound_fresh);
  tcase_add_test(hc, test_broken_helper_is_an_error);
  tcase_add_test(hc, test_one_helper_for_the_process);
  tcase_add_test(hc, test_warm_up_starts_the_helper);
  tcase_add_test(hc, test_helper_replaced_after_death);
  suite_add_tcase(s, hc);
  return s;
}

int main(void) {
  const char *fake = getenv("TEST_ESPEAK_FAKE");
  if (fake)
    return fake_helper(fake);
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n > 0)
    self_path[n] = '\0';
  return harness_main(espeak_suite());
}
