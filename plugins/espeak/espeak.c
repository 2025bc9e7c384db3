/*
 * espeak: the synthesizer stage. Speaks the episode's document with the
 * espeak-ng library and emits mono float chunks with block, sentence and
 * word marks.
 *
 * One espeak_Synth call per block, in synchronous mode: espeak hands the
 * callback buffers of BUFFER_MS of audio with the events that fall inside
 * them, and the callback passes the audio on at once. What the stage holds
 * is bounded: one chunk being filled (AC_MAX_CHUNK frames), its marks, and
 * the current run of near-silence (at most HOLD_MS), held back so that the
 * silence espeak leaves at the end of a block can be trimmed and each
 * block followed by a pause of exactly the configured length.
 *
 * Marks, all with byte offsets into the block's text:
 *   BLOCK      the block's first frame; offset 0, length the whole text
 *   BLOCK_END  where its speech ends, before the pause; same range
 *   SENTENCE   where espeak starts a sentence (opening quotes included);
 *              length 0
 *   WORD       every word of the text (split at white space and dashes,
 *              without surrounding punctuation), at the frame of espeak's
 *              WORD event. espeak gives no event for some words it speaks
 *              together with another ("of the", "déjà vu"): their frames
 *              are interpolated between their neighbours'.
 * Boilerplate blocks and blocks of white space are skipped, without marks.
 *
 * espeak-ng holds global state and two syntheses at once corrupt its heap,
 * so the engine is initialized once per process, under one process-wide
 * lock. Its output for a text also depends on what the process synthesized
 * before (a drift of a few samples), so every block is spoken in a child
 * process forked from the engine as initialized, which has synthesized
 * nothing: a block's audio then depends on the block alone, which is what
 * lets the host cache segments and join them with fresh ones. The child
 * streams espeak's buffers and events back through a pipe, and the parent
 * handles them as if its own callback had received them.
 */
#include "outfile.h" /* plugins/common */
#include "text.h"

#include <articast/plugin.h>

#include <espeak-ng/speak_lib.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Length of the buffers espeak hands the callback. */
#define BUFFER_MS 200
/* Samples at or below this magnitude (about -54 dBFS) count as silence
 * when trimming the end of a block. */
#define SILENCE_LEVEL 64
/* Near-silence kept after the last sound of a block, so that a fading
 * final consonant is not cut. */
#define TAIL_KEEP_MS 30
/* The longest run of near-silence held back; a longer one (a pause inside
 * a block) is passed on as it is. */
#define HOLD_MS 1000
/* espeak-ng's limits for the rate, in words per minute. */
#define RATE_MIN 80
#define RATE_MAX 450

typedef struct espeak_priv {
  const char *voice;
  int rate, pitch, range, word_gap;
  int lead_in_ms;
  int heading_pause_ms;
  int paragraph_pause_ms;
  int list_item_pause_ms;
  int tail_ms;
  double rate_scale;
  struct synth_run *run; /* the episode's synthesis, across segments */
} espeak_priv;

static const ac_option espeak_options[] = {
    {"voice", AC_OPT_STRING, offsetof(espeak_priv, voice), NULL, 0, 0, NULL,
     "espeak-ng voice (`espeak-ng --voices` lists them: en-us, en, fr, "
     "cmn...), or a language espeak-ng resolves to one; default: the "
     "episode's language"},
    {"rate", AC_OPT_INT, offsetof(espeak_priv, rate), "170", 80, 450, NULL,
     "speed in espeak-ng's words per minute (voice profiles set a measured "
     "one)"},
    {"pitch", AC_OPT_INT, offsetof(espeak_priv, pitch), "50", 0, 100, NULL,
     "base pitch, 0..100"},
    {"range", AC_OPT_INT, offsetof(espeak_priv, range), "50", 0, 100, NULL,
     "pitch range, 0 (monotone) .. 100"},
    {"word_gap", AC_OPT_INT, offsetof(espeak_priv, word_gap), "0", 0, 100, NULL,
     "extra pause between words, in units of 10 ms"},
    {"lead_in_ms", AC_OPT_INT, offsetof(espeak_priv, lead_in_ms), "300", 0,
     10000, NULL, "silence before the first block, in milliseconds"},
    {"heading_pause_ms", AC_OPT_INT, offsetof(espeak_priv, heading_pause_ms),
     "800", 0, 10000, NULL, "pause after a heading, in milliseconds"},
    {"paragraph_pause_ms", AC_OPT_INT,
     offsetof(espeak_priv, paragraph_pause_ms), "600", 0, 10000, NULL,
     "pause after a paragraph, quote, byline, bio or caption, in ms"},
    {"list_item_pause_ms", AC_OPT_INT,
     offsetof(espeak_priv, list_item_pause_ms), "400", 0, 10000, NULL,
     "pause between list items; the last item gets the paragraph pause"},
    {"tail_ms", AC_OPT_INT, offsetof(espeak_priv, tail_ms), "500", 0, 10000,
     NULL, "silence after the last block, in milliseconds"},
    {"rate_scale", AC_OPT_DOUBLE, offsetof(espeak_priv, rate_scale), "1.0", 0.5,
     2.0, NULL, "multiplies the voice profile's rate"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* ---- Engine ------------------------------------------------------------ */

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
/* espeak's sample rate once initialized; -1 after a failed initialization
 * (espeak-ng 1.51 cannot be initialized twice, so there is no retry). */
static int engine_rate;

typedef struct synth_run synth_run;

/* Initializes espeak-ng once per process. Called under engine_lock. */
static int engine_init(ac_stage *st) {
  if (engine_rate > 0)
    return 0;
  if (engine_rate < 0)
    return st->host->fail(st, AC_ERR_ENGINE,
                          "espeak-ng failed to initialize earlier in this "
                          "process");
  /* espeak probes PulseAudio even in synchronous mode, which stalls for 30
   * seconds when a server is configured but unreachable; pointing it at a
   * socket that cannot exist makes the probe fail at once. */
  if (!getenv("PULSE_SERVER"))
    setenv("PULSE_SERVER", "unix:/nonexistent", 0);
  /* espeak switches LC_CTYPE to C.UTF-8. Its output was measured identical
   * with LC_CTYPE "C" (text is always passed as UTF-8), so the host's
   * locale is restored rather than changed behind its back. */
  const char *ctype = setlocale(LC_CTYPE, NULL);
  char *saved = ctype ? strdup(ctype) : NULL;
  int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, NULL,
                               espeakINITIALIZE_DONT_EXIT);
  if (saved) {
    setlocale(LC_CTYPE, saved);
    free(saved);
  }
  if (rate <= 0) {
    engine_rate = -1;
    return st->host->fail(st, AC_ERR_ENGINE,
                          "espeak-ng failed to initialize (is "
                          "espeak-ng-data installed?)");
  }
  engine_rate = rate;
  return 0;
}

/* ---- Output: chunks and marks ------------------------------------------ */

/* The voice a run speaks with: the stage's options, named after the
 * episode's voice profile. */
typedef struct speaking_voice {
  const char *profile;      /* the profile's name, for messages */
  const char *espeak_voice; /* espeak-ng's voice name or a language */
  const char *language;     /* BCP 47 */
  int rate, pitch, range, word_gap;
} speaking_voice;

struct synth_run {
  ac_stage *st;
  const ac_document *doc;
  const espeak_priv *opt;
  const speaking_voice *voice;
  const char *block_lang; /* the block's language when it is read with
                             another voice, else NULL */
  int rate;               /* sample rate */
  int err;                /* first error; stops synthesis */

  /* The chunk being filled, starting at stream frame `pos`. */
  float buf[AC_MAX_CHUNK];
  size_t n;
  uint64_t pos;
  /* Marks not yet emitted, sorted by sample. */
  ac_mark *marks;
  size_t n_marks, cap_marks;
  uint64_t last_mark; /* sample of the latest mark, to keep them sorted */

  /* Near-silence held back (see HOLD_MS). */
  short *hold;
  size_t n_hold, cap_hold;
  uint64_t loud; /* samples above SILENCE_LEVEL so far */

  /* The block being spoken. */
  uint32_t block;
  const char *text;
  size_t len;
  es_text et;
  uint64_t base;               /* stream frame of the block's espeak sample 0 */
  size_t prev_es_end;          /* code point after the last accepted WORD */
  size_t word_start, word_end; /* bytes of the last word mark */
  uint64_t word_sample;        /* and its frame */
  size_t word_mark;            /* its index in marks, or SIZE_MAX if emitted */
  uint64_t clause_end;         /* frame of espeak's last end-of-clause event */
  bool have_word, have_sentence;
  size_t sentence_at;
  size_t n_words; /* WORD marks, for the log */
};

/* Stream frame of the next sample to be committed. */
static uint64_t run_end(const synth_run *r) {
  return r->pos + r->n;
}

/* Hands the chunk being filled to the host with the marks that fall before
 * its end (all of them when `final`). */
static int out_emit(synth_run *r, bool final) {
  if (r->err)
    return r->err;
  uint64_t end = run_end(r);
  size_t k = 0;
  while (k < r->n_marks && (final || r->marks[k].sample < end))
    k++;
  if (r->n == 0 && k == 0)
    return 0;
  ac_chunk c = {.samples = r->buf,
                .n_samples = r->n,
                .position = r->pos,
                .sample_rate = r->rate,
                .marks = r->marks,
                .n_marks = k};
  int rc = r->st->host->emit(r->st, &c);
  r->pos = end;
  r->n = 0;
  memmove(r->marks, r->marks + k, (r->n_marks - k) * sizeof *r->marks);
  r->n_marks -= k;
  if (r->word_mark != SIZE_MAX)
    r->word_mark = r->word_mark >= k ? r->word_mark - k : SIZE_MAX;
  if (rc)
    r->err = rc;
  return rc;
}

/* Appends int16 samples (or n zeros when `s` is NULL) to the stream. */
static int out_samples(synth_run *r, const short *s, size_t n) {
  while (n > 0 && !r->err) {
    size_t room = AC_MAX_CHUNK - r->n;
    size_t k = n < room ? n : room;
    if (s) {
      for (size_t i = 0; i < k; i++)
        r->buf[r->n + i] = (float)s[i] / 32768.0f;
      s += k;
    } else {
      memset(r->buf + r->n, 0, k * sizeof *r->buf);
    }
    r->n += k;
    n -= k;
    if (r->n == AC_MAX_CHUNK)
      out_emit(r, false);
  }
  return r->err;
}

static int out_silence_ms(synth_run *r, int ms) {
  return out_samples(r, NULL, (size_t)((int64_t)ms * r->rate / 1000));
}

/* Queues a mark. Its sample is moved forward when needed to keep marks
 * sorted and inside the chunk being filled. Returns its index or SIZE_MAX
 * (out of memory; r->err is set). */
static size_t out_mark(synth_run *r, ac_mark_kind kind, size_t offset,
                       size_t length, uint64_t sample) {
  if (sample < r->last_mark)
    sample = r->last_mark;
  if (sample < r->pos)
    sample = r->pos;
  if (r->n_marks == r->cap_marks) {
    size_t cap = r->cap_marks ? 2 * r->cap_marks : 64;
    ac_mark *m = realloc(r->marks, cap * sizeof *m);
    if (!m) {
      r->err = r->st->host->fail(r->st, AC_ERR_NOMEM, "out of memory");
      return SIZE_MAX;
    }
    r->marks = m;
    r->cap_marks = cap;
  }
  r->marks[r->n_marks] = (ac_mark){.kind = kind,
                                   .block = r->block,
                                   .text_offset = (uint32_t)offset,
                                   .text_length = (uint32_t)length,
                                   .sample = sample};
  r->last_mark = sample;
  return r->n_marks++;
}

/* Passes espeak's samples on, holding back the current run of
 * near-silence (see HOLD_MS). */
static void take_audio(synth_run *r, const short *wav, size_t n) {
  size_t i = 0;
  while (i < n && !r->err) {
    if (abs(wav[i]) <= SILENCE_LEVEL) {
      if (r->n_hold == r->cap_hold) {
        out_samples(r, r->hold, r->n_hold);
        r->n_hold = 0;
      }
      r->hold[r->n_hold++] = wav[i++];
      continue;
    }
    if (r->n_hold) {
      out_samples(r, r->hold, r->n_hold);
      r->n_hold = 0;
    }
    size_t j = i;
    while (j < n && abs(wav[j]) > SILENCE_LEVEL)
      j++;
    r->loud += j - i;
    out_samples(r, wav + i, j - i);
    i = j;
  }
}

/* ---- espeak events -> marks -------------------------------------------- */

/* Marks the words before byte `to` that espeak gave no WORD event of: it
 * speaks some groups as one word ("of the", "déjà vu"). Their frames are
 * interpolated by characters from the last word mark (or the block start)
 * to where espeak's clause ended, if it ended since, else to `at`. */
static void catch_up(synth_run *r, size_t to, uint64_t at) {
  size_t from = r->have_word ? r->word_end : 0;
  size_t lo_at = r->have_word ? r->word_start : 0;
  uint64_t lo = r->have_word ? r->word_sample : r->base;
  uint64_t hi = r->clause_end > lo && r->clause_end < at ? r->clause_end : at;
  size_t pos = from, start, end, last_end = 0, n = 0;
  while (es_next_word(r->text, to, &pos, &start, &end) == 0) {
    last_end = end;
    n++;
  }
  if (n == 0)
    return;
  if (hi < lo)
    hi = lo;
  double span = (double)es_count_chars(r->text, lo_at, last_end);
  pos = from;
  while (!r->err && es_next_word(r->text, to, &pos, &start, &end) == 0) {
    double f = (double)es_count_chars(r->text, lo_at, start) / span;
    size_t m = out_mark(r, AC_MARK_WORD, start, end - start,
                        lo + (uint64_t)(f * (double)(hi - lo)));
    if (m == SIZE_MAX)
      return;
    r->have_word = true;
    r->word_start = start;
    r->word_end = end;
    r->word_sample = r->marks[m].sample;
    r->n_words++;
  }
  /* These marks are final: a later event inside one of them is dropped. */
  r->word_mark = SIZE_MAX;
}

static void on_word(synth_run *r, const espeak_EVENT *ev) {
  /* Events count 1-based code points of the cleaned text. Numbers give a
   * second event one code point later, and clause ends give zero-length
   * events that jump backwards: both start inside what was already
   * marked. Zero-length events that move forward are real words (after
   * "«" or around a dash), so the length comes from the text itself. */
  if (ev->text_position < 1)
    return;
  size_t p = (size_t)ev->text_position - 1;
  if (p >= r->et.n_cp || p < r->prev_es_end)
    return;
  size_t start, end;
  if (es_word_at(r->text, r->len, r->et.cp_off[p], &start, &end) != 0)
    return;
  uint64_t at = r->base + (uint64_t)(ev->sample > 0 ? ev->sample : 0);
  if (r->have_word && start <= r->word_start)
    return;
  if (r->have_word && start < r->word_end) {
    /* espeak speaks a new word inside the last one ("3.5%" then "%",
     * "co-" then "operation"): end the last mark where this one starts,
     * if it is still held; otherwise keep the word whole. */
    if (r->word_mark == SIZE_MAX)
      return;
    size_t e = es_trim_end(r->text, r->word_start, start);
    r->marks[r->word_mark].text_length = (uint32_t)(e - r->word_start);
  } else {
    catch_up(r, start, at);
  }
  size_t m = out_mark(r, AC_MARK_WORD, start, end - start, at);
  if (m == SIZE_MAX)
    return;
  r->have_word = true;
  r->prev_es_end = p + (ev->length > 0 ? (size_t)ev->length : 1);
  r->word_start = start;
  r->word_end = end;
  r->word_sample = r->marks[m].sample;
  r->word_mark = m;
  r->n_words++;
}

static void on_sentence(synth_run *r, const espeak_EVENT *ev) {
  if (ev->text_position < 1)
    return;
  size_t p = (size_t)ev->text_position - 1;
  if (p >= r->et.n_cp)
    return;
  size_t start = es_sentence_start(r->text, r->len, r->et.cp_off[p]);
  if (start >= r->len || (r->have_sentence && start <= r->sentence_at))
    return;
  uint64_t at = r->base + (uint64_t)(ev->sample > 0 ? ev->sample : 0);
  /* Words of the sentence before that had no event come first. */
  catch_up(r, start, at);
  if (out_mark(r, AC_MARK_SENTENCE, start, 0, at) == SIZE_MAX)
    return;
  r->have_sentence = true;
  r->sentence_at = start;
}

/* Handles a buffer of audio and the events inside it, as espeak handed
 * them to the child's callback; wav == NULL ends the synthesis. */
static int handle_buffer(synth_run *r, short *wav, int n,
                         espeak_EVENT *events) {
  if (r->err)
    return 1;
  for (const espeak_EVENT *ev = events;
       ev && ev->type != espeakEVENT_LIST_TERMINATED && !r->err; ev++) {
    if (ev->type == espeakEVENT_WORD)
      on_word(r, ev);
    else if (ev->type == espeakEVENT_SENTENCE)
      on_sentence(r, ev);
    else if (ev->type == espeakEVENT_END)
      r->clause_end = r->base + (uint64_t)(ev->sample > 0 ? ev->sample : 0);
    /* SAMPLERATE, MARK and PLAY events carry nothing for us. */
  }
  if (wav && n > 0)
    take_audio(r, wav, (size_t)n);
  return r->err ? 1 : 0;
}

/* ---- Voices -------------------------------------------------------------- */

/* Selects an espeak voice: by name ("en-us", "en"), else as a language
 * ("en-gb", which is not a voice name). */
static bool select_espeak_voice(const char *name) {
  if (espeak_SetVoiceByName(name) == EE_OK)
    return true;
  char lang[64];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof lang; i++)
    lang[i] = (char)tolower((unsigned char)name[i]);
  lang[i] = '\0';
  espeak_VOICE spec;
  memset(&spec, 0, sizeof spec);
  spec.languages = lang;
  return espeak_SetVoiceByProperties(&spec) == EE_OK;
}

/* Sets every parameter, since the engine keeps them across episodes. */
static void apply_parameters(const speaking_voice *v, const espeak_priv *opt) {
  int rate = (int)(v->rate * opt->rate_scale + 0.5);
  rate = rate < RATE_MIN ? RATE_MIN : rate > RATE_MAX ? RATE_MAX : rate;
  espeak_SetParameter(espeakRATE, rate, 0);
  espeak_SetParameter(espeakVOLUME, 100, 0);
  espeak_SetParameter(espeakPITCH, v->pitch, 0);
  espeak_SetParameter(espeakRANGE, v->range, 0);
  espeak_SetParameter(espeakWORDGAP, v->word_gap, 0);
  espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
  espeak_SetParameter(espeakCAPITALS, 0, 0);
}

/* Whether two BCP 47 tags share their primary language ("en-US", "en"). */
static bool same_language(const char *a, const char *b) {
  size_t la = strcspn(a, "-_"), lb = strcspn(b, "-_");
  if (la != lb)
    return false;
  for (size_t i = 0; i < la; i++)
    if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
      return false;
  return true;
}

/* ---- Blocks -------------------------------------------------------------- */

/* The pause after block `i`, whose next spoken block is `next` (or
 * SIZE_MAX after the last one). */
static int pause_after(const synth_run *r, size_t i, size_t next) {
  if (next == SIZE_MAX)
    return r->opt->tail_ms;
  const ac_block *b = &r->doc->blocks[i];
  if (b->kind == AC_BLOCK_HEADING)
    return r->opt->heading_pause_ms;
  if (b->kind == AC_BLOCK_LIST_ITEM &&
      r->doc->blocks[next].kind == AC_BLOCK_LIST_ITEM)
    return r->opt->list_item_pause_ms;
  return r->opt->paragraph_pause_ms;
}

static bool spoken_kind(const ac_block *b) {
  return b->kind != AC_BLOCK_BOILERPLATE && b->text;
}

static int synth_in_child(synth_run *r, size_t i);

/* Speaks block `i` (its text already prepared in r->et) and appends its
 * pause. */
static int speak_block(synth_run *r, size_t i, int pause_ms) {
  r->block = (uint32_t)i;
  r->base = run_end(r);
  r->have_word = r->have_sentence = false;
  r->word_mark = SIZE_MAX;
  r->prev_es_end = 0;
  r->clause_end = 0;
  if (out_mark(r, AC_MARK_BLOCK, 0, r->len, r->base) == SIZE_MAX)
    return r->err;

  int rc = synth_in_child(r, i);
  if (r->err)
    return r->err;
  if (rc)
    return rc;
  /* The end of the block's speech: its last sound plus TAIL_KEEP_MS of
   * what followed; the rest of espeak's trailing silence is dropped. */
  size_t keep = (size_t)r->rate * TAIL_KEEP_MS / 1000;
  if (keep > r->n_hold)
    keep = r->n_hold;
  out_samples(r, r->hold, keep);
  r->n_hold = 0;
  uint64_t end = run_end(r);
  for (size_t k = r->n_marks; k > 0 && r->marks[k - 1].sample > end; k--)
    r->marks[k - 1].sample = end;
  if (r->last_mark > end)
    r->last_mark = end;
  /* Words after espeak's last WORD event. */
  catch_up(r, r->len, end);
  if (out_mark(r, AC_MARK_BLOCK_END, 0, r->len, end) == SIZE_MAX)
    return r->err;
  return out_silence_ms(r, pause_ms);
}

/* The next block after `i` with something to speak, or SIZE_MAX. */
static size_t next_spoken(const ac_document *doc, size_t i) {
  for (size_t j = i + 1; j < doc->n_blocks; j++) {
    const ac_block *b = &doc->blocks[j];
    if (!spoken_kind(b))
      continue;
    es_text t;
    if (es_text_prepare(&t, b->text, strlen(b->text)) != 0)
      return j; /* let speak_block report it */
    int speakable = t.speakable;
    es_text_free(&t);
    if (speakable)
      return j;
  }
  return SIZE_MAX;
}

/* Speaks the segment's blocks: the lead-in first when it is the first
 * segment, each block followed by its pause, the last by the tail. */
static int speak_segment(synth_run *r, const speaking_voice *voice,
                         const ac_segment *seg) {
  ac_stage *st = r->st;
  const ac_document *doc = r->doc;
  const char *main_lang = voice->language ? voice->language
                          : doc->language ? doc->language
                                          : "en";
  size_t end = (size_t)seg->first_block + seg->n_blocks;
  if (end > doc->n_blocks)
    return st->host->fail(st, AC_ERR_INVALID, "segment past the document");
  size_t i = next_spoken(doc, (size_t)seg->first_block - 1);
  if (i >= end)
    i = SIZE_MAX;
  if (i == SIZE_MAX && seg->is_first && seg->is_last)
    return st->host->fail(st, AC_ERR_EMPTY,
                          "the document has no block with text to speak");
  r->voice = voice;
  if (seg->is_first && out_silence_ms(r, r->opt->lead_in_ms))
    return r->err;

  uint64_t loud_before = r->loud;
  bool spoke = false;
  while (i != SIZE_MAX && !r->err) {
    const ac_block *b = &doc->blocks[i];
    size_t next = next_spoken(doc, i);
    if (next >= end) {
      /* The pause before the next segment's block, or the tail. */
      next = seg->is_last || seg->next_block >= doc->n_blocks ? SIZE_MAX
                                                              : seg->next_block;
    }
    r->text = b->text;
    r->len = strlen(b->text);
    if (es_text_prepare(&r->et, r->text, r->len) != 0)
      return st->host->fail(st, AC_ERR_NOMEM,
                            "out of memory preparing block %zu", i);
    /* A passage in another language is read with that language's
     * voice. */
    r->block_lang = b->lang && *b->lang && !same_language(b->lang, main_lang)
                        ? b->lang
                        : NULL;
    int rc = speak_block(r, i, pause_after(r, i, next));
    es_text_free(&r->et);
    if (rc)
      return rc;
    spoke = true;
    i = next < end ? next : SIZE_MAX;
  }
  if (r->err)
    return r->err;
  if (out_emit(r, true))
    return r->err;
  if (spoke && r->loud == loud_before)
    return st->host->fail(st, AC_ERR_ENGINE,
                          "espeak-ng produced only silence with voice '%s' "
                          "(an mbrola voice without mbrola installed?)",
                          voice->espeak_voice);
  return 0;
}

/* ---- A fresh engine per block -------------------------------------------- */

/* What the child sends for each callback: a header, n_samples samples and
 * n_events events; n_samples < 0 ends the block, n_events then holding a
 * child_status. */
typedef struct wire_header {
  int32_t n_samples;
  int32_t n_events;
} wire_header;

enum child_status {
  CHILD_OK,
  CHILD_LANG_MISSING, /* read with the profile's voice instead */
  CHILD_NO_VOICE,     /* the profile's voice is missing */
  CHILD_ENGINE        /* espeak_Synth failed */
};

static int child_fd = -1;

static int read_all(int fd, void *data, size_t len) {
  char *p = data;
  while (len > 0) {
    ssize_t got = read(fd, p, len);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return -1;
    p += got;
    len -= (size_t)got;
  }
  return 0;
}

/* The child's callback: everything goes to the parent. */
static int child_callback(short *wav, int n, espeak_EVENT *events) {
  int32_t k = 0;
  while (events && events[k].type != espeakEVENT_LIST_TERMINATED)
    k++;
  wire_header h = {.n_samples = wav && n > 0 ? n : 0, .n_events = k};
  if (outfile_write(child_fd, &h, sizeof h, -1) ||
      (h.n_samples &&
       outfile_write(child_fd, wav, (size_t)n * sizeof *wav, -1)) ||
      (k && outfile_write(child_fd, events, (size_t)k * sizeof *events, -1)))
    return 1;
  return 0;
}

static void child_main(synth_run *r, int fd) {
  child_fd = fd;
  espeak_SetSynthCallback(child_callback);
  const speaking_voice *v = r->voice;
  const char *name = v->espeak_voice && *v->espeak_voice ? v->espeak_voice
                     : v->language && *v->language       ? v->language
                                                         : "en";
  int status = CHILD_OK;
  if (r->block_lang && !select_espeak_voice(r->block_lang))
    status = CHILD_LANG_MISSING;
  if ((!r->block_lang || status == CHILD_LANG_MISSING) &&
      !select_espeak_voice(name))
    status = CHILD_NO_VOICE;
  if (status != CHILD_NO_VOICE) {
    apply_parameters(v, r->opt);
    espeak_ERROR e =
        espeak_Synth(r->et.clean, strlen(r->et.clean) + 1, 0, POS_CHARACTER, 0,
                     espeakCHARS_UTF8 | espeakPHONEMES, NULL, NULL);
    if (e != EE_OK)
      status = CHILD_ENGINE;
  }
  wire_header end = {.n_samples = -1, .n_events = status};
  outfile_write(fd, &end, sizeof end, -1);
  _exit(0);
}

/* A channel from the child: a pipe, so that the parent handles each buffer
 * while the child synthesizes the next; or, when the episode may keep only
 * one core busy, an unlinked temporary file the parent reads after the
 * child is done. Returns 0 or -errno. */
static int open_channel(int fds[2], bool serial) {
  if (!serial)
    return pipe(fds) == 0 ? 0 : -errno;
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/articast-espeak-XXXXXX",
           dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0)
    return -errno;
  unlink(path);
  fds[0] = fd;
  fds[1] = dup(fd);
  if (fds[1] < 0) {
    int e = -errno;
    close(fd);
    return e;
  }
  return 0;
}

/* Speaks the prepared block r->et in a child (see the top of the file). */
static int synth_in_child(synth_run *r, size_t i) {
  ac_stage *st = r->st;
  int fds[2];
  bool serial = st->episode && st->episode->threads <= 1;
  int e = open_channel(fds, serial);
  if (e)
    return st->host->fail(st, AC_ERR_ENGINE,
                          "cannot open a channel to the synthesizer: %s",
                          strerror(-e));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return st->host->fail(st, AC_ERR_ENGINE, "cannot fork: %s",
                          strerror(errno));
  }
  if (pid == 0) {
    if (!serial)
      close(fds[0]);
    child_main(r, fds[1]);
  }
  close(fds[1]);
  int wstatus = 0;
  bool reaped = false;
  if (serial) {
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
      ;
    reaped = true;
    lseek(fds[0], 0, SEEK_SET);
  }
  short *wav = NULL;
  espeak_EVENT *events = NULL;
  size_t cap_wav = 0, cap_events = 0;
  int status = -1, rc = 0;
  for (;;) {
    wire_header h;
    if (read_all(fds[0], &h, sizeof h) != 0)
      break;
    if (h.n_samples < 0) {
      status = h.n_events;
      break;
    }
    if (h.n_events < 0 || h.n_samples > (1 << 24) || h.n_events > (1 << 20))
      break;
    if ((size_t)h.n_samples > cap_wav) {
      short *grown = realloc(wav, (size_t)h.n_samples * sizeof *wav);
      if (!grown) {
        rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
        break;
      }
      wav = grown;
      cap_wav = (size_t)h.n_samples;
    }
    if ((size_t)h.n_events + 1 > cap_events) {
      espeak_EVENT *grown =
          realloc(events, ((size_t)h.n_events + 1) * sizeof *events);
      if (!grown) {
        rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
        break;
      }
      events = grown;
      cap_events = (size_t)h.n_events + 1;
    }
    if ((h.n_samples &&
         read_all(fds[0], wav, (size_t)h.n_samples * sizeof *wav)) ||
        (h.n_events &&
         read_all(fds[0], events, (size_t)h.n_events * sizeof *events)))
      break;
    memset(&events[h.n_events], 0, sizeof *events);
    events[h.n_events].type = espeakEVENT_LIST_TERMINATED;
    if (handle_buffer(r, h.n_samples ? wav : NULL, h.n_samples, events))
      break; /* r->err says why */
  }
  close(fds[0]);
  if (!reaped) {
    if (status < 0)
      kill(pid, SIGKILL);
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
      ;
  }
  free(wav);
  free(events);
  if (rc || r->err)
    return rc ? rc : r->err;
  const speaking_voice *v = r->voice;
  switch (status) {
  case CHILD_OK:
    return 0;
  case CHILD_LANG_MISSING:
    st->host->log(st, AC_LOG_WARN,
                  "block %zu: espeak-ng has no voice for language '%s'; "
                  "reading it with voice '%s'",
                  i, r->block_lang, v->espeak_voice);
    return 0;
  case CHILD_NO_VOICE:
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "espeak-ng has no voice '%s' (voice profile '%s'); "
                          "`espeak-ng --voices` lists them",
                          v->espeak_voice ? v->espeak_voice : "?",
                          v->profile ? v->profile : "?");
  case CHILD_ENGINE:
    return st->host->fail(st, AC_ERR_ENGINE, "espeak-ng failed on block %zu",
                          i);
  default:
    return st->host->fail(
        st, AC_ERR_ENGINE, "espeak-ng died on block %zu (%s %d)", i,
        WIFSIGNALED(wstatus) ? "signal" : "exit status",
        WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
  }
}

/* ---- Stage -------------------------------------------------------------- */

static int espeak_create(ac_stage *st) {
  /* The engine's version is part of what a cached segment depends on. */
  const char *data_path = NULL;
  const char *version = espeak_Info(&data_path);
  char salt[512];
  snprintf(salt, sizeof salt, "espeak-ng %s data %s", version ? version : "?",
           data_path ? data_path : "?");
  return st->host->cache_salt(st, salt);
}

static void free_run(synth_run *r) {
  if (!r)
    return;
  es_text_free(&r->et);
  free(r->marks);
  free(r->hold);
  free(r);
}

static void espeak_destroy(ac_stage *st) {
  espeak_priv *p = st->priv;
  free_run(p->run);
  p->run = NULL;
}

static int espeak_synthesize(ac_stage *st, const ac_segment *seg) {
  espeak_priv *p = st->priv;
  const ac_episode *ep = st->episode;
  if (!ep || !ep->doc)
    return st->host->fail(st, AC_ERR_INVALID, "no document to speak");
  /* The options, from the voice profile's layer and the config's; without
   * a voice option, espeak-ng's voice for the language. */
  const char *lang = ep->voice && ep->voice->language ? ep->voice->language
                     : ep->doc->language              ? ep->doc->language
                                                      : "en";
  speaking_voice speaking = {
      .profile = ep->voice && ep->voice->name ? ep->voice->name : "(none)",
      .espeak_voice = p->voice && *p->voice ? p->voice : lang,
      .language = lang,
      .rate = p->rate,
      .pitch = p->pitch,
      .range = p->range,
      .word_gap = p->word_gap};
  const speaking_voice *voice = &speaking;

  pthread_mutex_lock(&engine_lock);
  int rc = engine_init(st);
  synth_run *r = p->run;
  if (!rc && !r) {
    /* The run lasts the episode: positions and marks go on across
     * segments. */
    r = p->run = calloc(1, sizeof *r);
    if (r) {
      r->cap_hold = (size_t)engine_rate * HOLD_MS / 1000;
      r->hold = malloc(r->cap_hold * sizeof *r->hold);
    }
    if (!r || !r->hold)
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    else {
      r->st = st;
      r->doc = ep->doc;
      r->opt = p;
      r->rate = engine_rate;
    }
  }
  if (!rc) {
    r->word_mark = SIZE_MAX;
    r->n_hold = 0;
    rc = speak_segment(r, voice, seg);
    if (!rc && seg->is_last) {
      double seconds = (double)run_end(r) / r->rate;
      st->host->log(st, AC_LOG_INFO,
                    "spoke %zu words, %.1f s of audio, voice '%s' (%s)",
                    r->n_words, seconds, voice->profile ? voice->profile : "?",
                    voice->espeak_voice);
    }
  }
  pthread_mutex_unlock(&engine_lock);
  return rc;
}

static const ac_plugin espeak_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "espeak",
    .version = "2.0",
    .description = "speaks the document with the espeak-ng library",
    .kind = AC_STAGE_SYNTH,
    .priv_size = sizeof(espeak_priv),
    .options = espeak_options,
    .create = espeak_create,
    .destroy = espeak_destroy,
    .synthesize = espeak_synthesize,
};

AC_PLUGIN_EXPORT(espeak_plugin)
