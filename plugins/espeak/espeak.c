/*
 * espeak: the synthesizer stage. Speaks the episode's document with the
 * espeak-ng library and emits mono float chunks with block, sentence and
 * word marks.
 *
 * One espeak_Synth call per block, in synchronous mode: espeak hands its
 * callback (in the helper, below) buffers of 200 ms of audio with the
 * events that fall inside them, and the stage passes the audio on as each
 * buffer arrives. What the stage holds
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
 * espeak-ng itself runs in a helper process, articast-espeak (helper.c),
 * one per articast process, which speaks every block in a fresh child of a
 * freshly initialized engine: espeak's output for a text depends on what
 * its process synthesized before, and a block's audio must depend on the
 * block alone, which is what lets the host cache segments and join them
 * with fresh ones. The stage sends each block's text and voice settings
 * down a pipe and handles the buffers and events that come back (wire.h)
 * as if its own espeak callback had received them. The articast process
 * never loads espeak-ng and never forks.
 *
 * Voices: besides the voice profiles' settings, the stage offers a voice
 * for every language espeak-ng speaks (list_voices), from espeak's own
 * voice list and the table voices/espeak-voices.tsv (catalog.h); a
 * passage in another language is read with the same table's voice for
 * its language.
 */
#include "catalog.h"
#include "engine.h"
#include "latin.h"
#include "text.h"

#include <articast/plugin.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Samples at or below this magnitude (about -54 dBFS) count as silence
 * when trimming the end of a block. */
#define SILENCE_LEVEL 64
/* Near-silence kept after the last sound of a block, so that a fading
 * final consonant is not cut. */
#define TAIL_KEEP_MS 30
/* The longest run of near-silence held back; a longer one (a pause inside
 * a block) is passed on as it is. */
#define HOLD_MS 1000

typedef struct espeak_priv {
  const char *voice;
  int rate, pitch, range, word_gap;
  int lead_in_ms;
  int heading_pause_ms;
  int paragraph_pause_ms;
  int list_item_pause_ms;
  int tail_ms;
  double rate_scale;
  const char *voice_table;
  struct synth_run *run; /* the episode's synthesis, across segments */
  cat_table table;       /* voice_table, read in create */
  bool table_missing;    /* the default table was not found */
  catalog catalog;       /* built on first use */
  bool have_catalog;
} espeak_priv;

/* The voice_table option's default, looked up in the voice search path. */
#define DEFAULT_VOICE_TABLE "espeak-voices.tsv"

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
     2.0, NULL, "multiplies the rate"},
    {"voice_table", AC_OPT_PATH, offsetof(espeak_priv, voice_table),
     DEFAULT_VOICE_TABLE, 0, 0, NULL,
     "table of espeak-ng's voices (BCP 47 tag, rate, loudness gain) that "
     "voices for languages without a profile, and passages in other "
     "languages, are made from (see voices/README.md)"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* ---- Voice settings ---------------------------------------------------- */

/* One helper serves the process, one block at a time. */
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct synth_run synth_run;

/* What the stage needs of the voice profile. */
typedef struct voice_settings {
  const char *name;         /* the profile's name, for messages */
  const char *espeak_voice; /* as configured, for messages */
  const char *select;       /* the espeak voice to select */
  const char *language;     /* BCP 47 */
  int rate, pitch, range, word_gap;
} voice_settings;

static int clamp(int v, int lo, int hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* The voice settings: the stage's options (which a voice profile sets as
 * their voice layer), named after the episode's voice; without a voice
 * option, espeak-ng's voice for the episode's language. */
static voice_settings read_voice_settings(const ac_stage *st) {
  const espeak_priv *opt = st->priv;
  const ac_episode *ep = st->episode;
  const ac_voice *v = ep->voice;
  const char *lang = v && v->language    ? v->language
                     : ep->doc->language ? ep->doc->language
                                         : "en";
  voice_settings s = {.name = v && v->name ? v->name : "(none)",
                      .espeak_voice =
                          opt->voice && *opt->voice ? opt->voice : lang,
                      .language = lang,
                      .rate = opt->rate,
                      .pitch = opt->pitch,
                      .range = opt->range,
                      .word_gap = opt->word_gap};
  s.select = s.espeak_voice && *s.espeak_voice ? s.espeak_voice
             : s.language && *s.language       ? s.language
                                               : "en";
  s.rate = clamp((int)(s.rate * opt->rate_scale + 0.5), WIRE_RATE_MIN,
                 WIRE_RATE_MAX);
  s.pitch = clamp(s.pitch, 0, WIRE_PERCENT_MAX);
  s.range = clamp(s.range, 0, WIRE_PERCENT_MAX);
  s.word_gap = clamp(s.word_gap, 0, WIRE_WORD_GAP_MAX);
  return s;
}

/* ---- Output: chunks and marks ------------------------------------------ */

struct synth_run {
  ac_stage *st;
  const ac_document *doc;
  const espeak_priv *opt;
  voice_settings voice;
  const char *block_lang;  /* the block's language when it is read with
                              another voice, else NULL */
  const char *block_voice; /* and the espeak voice (or language) for it */
  /* Languages of passages whose voice was logged. */
  const char *logged[16];
  size_t n_logged;
  bool logged_latin; /* the voice of Latin-script runs was logged */
  int rate;          /* sample rate */
  int err;           /* first error; stops synthesis */

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

static void on_word(synth_run *r, const wire_event *ev) {
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

static void on_sentence(synth_run *r, const wire_event *ev) {
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
 * them to its callback in the helper (an engine_buffer_fn). */
static int on_buffer(void *ctx, const short *wav, size_t n,
                     const wire_event *events, size_t k) {
  synth_run *r = ctx;
  for (size_t i = 0; i < k && !r->err; i++) {
    const wire_event *ev = &events[i];
    if (ev->type == WIRE_EV_WORD)
      on_word(r, ev);
    else if (ev->type == WIRE_EV_SENTENCE)
      on_sentence(r, ev);
    else if (ev->type == WIRE_EV_CLAUSE_END)
      r->clause_end = r->base + (uint64_t)(ev->sample > 0 ? ev->sample : 0);
  }
  if (n > 0 && !r->err)
    take_audio(r, wav, n);
  return r->err ? 1 : 0;
}

/* ---- Voices -------------------------------------------------------------- */

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

/* espeak-ng's voices, asked of the helper once per process: they are its
 * data's, which the segment cache's salt covers (engine_salt). Guarded by
 * engine_lock; each voice's strings live in one allocation that starts
 * with its name. */
static struct {
  bool known;
  wire_voice *voices;
  size_t n;
  bool failed; /* memory ran out while keeping them */
} espeak_voices;

static void forget_voices(void) {
  for (size_t i = 0; i < espeak_voices.n; i++)
    free((char *)espeak_voices.voices[i].name);
  free(espeak_voices.voices);
  espeak_voices.voices = NULL;
  espeak_voices.n = 0;
}

/* Copies `len` bytes to *at and moves *at past them. */
static const char *put(char **at, const char *s, uint32_t len) {
  char *start = *at;
  memcpy(start, s, len);
  *at += len;
  return start;
}

/* An engine_voice_fn: keeps a copy of the voice. */
static void keep_voice(void *ctx, const wire_voice *w) {
  (void)ctx;
  size_t size = (size_t)w->name_len + w->identifier_len;
  for (uint32_t i = 0; i < w->n_languages; i++)
    size += w->languages[i].tag_len;
  wire_voice *grown =
      espeak_voices.failed
          ? NULL
          : realloc(espeak_voices.voices,
                    (espeak_voices.n + 1) * sizeof *espeak_voices.voices);
  char *blob = grown ? malloc(size) : NULL;
  if (grown)
    espeak_voices.voices = grown;
  if (!blob) {
    espeak_voices.failed = true;
    return;
  }
  wire_voice *v = &espeak_voices.voices[espeak_voices.n++];
  *v = *w;
  v->name = put(&blob, w->name, w->name_len);
  v->identifier = put(&blob, w->identifier, w->identifier_len);
  for (uint32_t i = 0; i < w->n_languages; i++)
    v->languages[i].tag =
        put(&blob, w->languages[i].tag, w->languages[i].tag_len);
}

/* The stage's catalog of derived voices, built on first use from
 * espeak's voices and the table. The caller holds engine_lock. Returns 0
 * or an ac_error with the reason in why. */
static int stage_catalog(espeak_priv *p, const catalog **out, char *why,
                         size_t len) {
  *out = &p->catalog;
  if (p->have_catalog)
    return 0;
  if (!espeak_voices.known) {
    char reason[400];
    espeak_voices.failed = false;
    if (engine_list_voices(keep_voice, NULL, reason, sizeof reason) != 0) {
      forget_voices();
      snprintf(why, len, "cannot list espeak-ng's voices: %s", reason);
      return AC_ERR_ENGINE;
    }
    if (espeak_voices.failed) {
      forget_voices();
      snprintf(why, len, "out of memory");
      return AC_ERR_NOMEM;
    }
    espeak_voices.known = true;
  }
  if (cat_build(&p->catalog, espeak_voices.voices, espeak_voices.n,
                &p->table) != 0) {
    snprintf(why, len, "out of memory");
    return AC_ERR_NOMEM;
  }
  p->have_catalog = true;
  return 0;
}

/* Reads the voice table named by the voice_table option (in create). The
 * default table missing is not an error: derived voices then get no
 * measured rate or gain. */
static int read_voice_table(ac_stage *st) {
  espeak_priv *p = st->priv;
  const char *name = p->voice_table ? p->voice_table : "";
  bool is_default = strcmp(name, DEFAULT_VOICE_TABLE) == 0;
  char *path = NULL;
  if (!*name) {
    p->table_missing = true; /* set empty: no table */
    return st->host->cache_salt(st, "no voice table");
  }
  path = strchr(name, '/') ? strdup(name) : st->host->find_data(st, name);
  if (!path && is_default) {
    p->table_missing = true;
    return st->host->cache_salt(st, "no voice table");
  }
  if (!path)
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "voice_table '%s' is not in the voice search path "
                          "(see voices/README.md)",
                          name);
  char why[512];
  int rc = cat_table_read(&p->table, path, why, sizeof why);
  free(path);
  if (rc != 0)
    return st->host->fail(st, AC_ERR_FORMAT, "%s", why);
  /* Which voice reads a passage depends on the table. */
  char salt[64];
  uint64_t h = 0;
  for (size_t i = 0; i < p->table.n; i++) {
    const cat_row *row = &p->table.rows[i];
    h = cat_hash(row->identifier, strlen(row->identifier)) ^ (h * 31);
    h = cat_hash(row->tag, strlen(row->tag)) ^ (h * 31);
    for (char **a = row->also; *a; a++)
      h = cat_hash(*a, strlen(*a)) ^ (h * 31);
  }
  snprintf(salt, sizeof salt, "voice table %016" PRIx64, h);
  return st->host->cache_salt(st, salt);
}

/* The espeak voice that reads block i, a passage in `lang`, when that is
 * not the episode's voice: the catalog's voice for the language, else the
 * language itself (the helper then asks espeak-ng for a voice of it).
 * NULL: the episode's voice reads it. */
static const char *passage_voice(synth_run *r, size_t i, const char *lang) {
  ac_stage *st = r->st;
  const catalog *c = NULL;
  const cat_voice *v = NULL;
  char why[512];
  if (stage_catalog(st->priv, &c, why, sizeof why) == 0)
    v = cat_match(c, lang);
  else
    st->host->log(st, AC_LOG_WARN, "block %zu: %s; espeak-ng picks the voice",
                  i, why);
  if (v && strcmp(v->espeak, r->voice.select) == 0)
    return NULL;
  const char *name = v ? v->espeak : lang;
  bool logged = false;
  for (size_t k = 0; k < r->n_logged && !logged; k++)
    logged = strcmp(r->logged[k], lang) == 0;
  if (!logged && r->n_logged < sizeof r->logged / sizeof *r->logged) {
    r->logged[r->n_logged++] = lang;
    if (v)
      st->host->log(st, AC_LOG_INFO,
                    "block %zu: a passage in '%s', read with espeak voice "
                    "'%s' (%s)",
                    i, lang, v->espeak, v->title);
    else
      st->host->log(st, AC_LOG_INFO,
                    "block %zu: a passage in '%s', which no voice of the "
                    "table speaks: espeak-ng picks its voice",
                    i, lang);
  }
  return name;
}

/* The espeak voice that reads the Latin-script words of block i, whose
 * language `lang` is written in another script: the catalog's voice of
 * the episode's language when that is written in Latin, else of English.
 * NULL when the catalog cannot tell (the block's voice then reads them). */
static const char *latin_voice(synth_run *r, size_t i, const char *lang) {
  ac_stage *st = r->st;
  const char *latin =
      es_language_is_latin(r->voice.language) == 1 ? r->voice.language : "en";
  const catalog *c = NULL;
  const cat_voice *v = NULL;
  char why[512];
  if (stage_catalog(st->priv, &c, why, sizeof why) == 0)
    v = cat_match(c, latin);
  if (!r->logged_latin) {
    r->logged_latin = true;
    if (v)
      st->host->log(st, AC_LOG_INFO,
                    "block %zu: Latin-script words in '%s' text, read with "
                    "espeak voice '%s' (%s)",
                    i, lang, v->espeak, v->title);
    else
      st->host->log(st, AC_LOG_WARN,
                    "block %zu: no voice for the Latin-script words in '%s' "
                    "text (%s): the block's voice reads them",
                    i, lang, c ? "no voice of the table speaks it" : why);
  }
  return v ? v->espeak : NULL;
}

/* Rewrites the prepared block i, in `lang`, as SSML that reads its runs of
 * Latin-script words with a Latin voice, when `lang` is written in another
 * script (latin.h). Returns 0 or an ac_error. */
static int voice_latin_runs(synth_run *r, size_t i, const char *lang) {
  es_run *runs;
  long n = es_latin_runs(&r->et, lang, &runs);
  if (n < 0)
    return r->st->host->fail(r->st, AC_ERR_NOMEM, "out of memory");
  const char *voice = n > 0 ? latin_voice(r, i, lang) : NULL;
  int rc = 0;
  const char *native = r->block_voice ? r->block_voice : r->voice.select;
  if (voice && es_text_to_ssml(&r->et, runs, (size_t)n, voice, native) != 0)
    rc = r->st->host->fail(r->st, AC_ERR_NOMEM,
                           "block %zu: cannot mark its Latin-script words "
                           "for voice '%s'",
                           i, voice);
  free(runs);
  return rc;
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

static int speak_in_helper(synth_run *r, size_t i);

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

  int rc = speak_in_helper(r, i);
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
static int speak_segment(synth_run *r, const ac_segment *seg) {
  ac_stage *st = r->st;
  const ac_document *doc = r->doc;
  const char *main_lang = r->voice.language ? r->voice.language
                          : doc->language   ? doc->language
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
    r->block_voice = r->block_lang ? passage_voice(r, i, r->block_lang) : NULL;
    if (!r->block_voice)
      r->block_lang = NULL;
    /* Which script the text is in follows its language: the block's, else
     * the article's, else the voice's (whose tag may have no script in
     * CLDR: cmn). */
    int rc = voice_latin_runs(r, i,
                              b->lang && *b->lang               ? b->lang
                              : doc->language && *doc->language ? doc->language
                                                                : main_lang);
    if (rc == 0)
      rc = speak_block(r, i, pause_after(r, i, next));
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
                          r->voice.select);
  return 0;
}

/* ---- Speaking through the helper ---------------------------------------- */

/* Speaks the prepared block r->et through articast-espeak. */
static int speak_in_helper(synth_run *r, size_t i) {
  ac_stage *st = r->st;
  const voice_settings *v = &r->voice;
  const char *lang = r->block_voice ? r->block_voice : "";
  size_t text_len = strlen(r->et.clean);
  if (text_len > WIRE_MAX_TEXT)
    return st->host->fail(st, AC_ERR_UNSUPPORTED,
                          "block %zu is too long to speak: %zu bytes, at "
                          "most %u",
                          i, text_len, WIRE_MAX_TEXT);
  if (strlen(v->select) > WIRE_MAX_NAME || strlen(lang) > WIRE_MAX_NAME)
    return st->host->fail(st, AC_ERR_INVALID,
                          "block %zu: voice or language name over %u bytes", i,
                          WIRE_MAX_NAME);
  /* With one core for the episode, the block is synthesized whole before
   * the stages after this one see any of it, so that the two never run at
   * once. */
  bool serial = st->episode && st->episode->threads <= 1;
  wire_request req = {.flags = (serial ? WIRE_SPOOL : 0) |
                               (r->et.ssml ? WIRE_SSML : 0),
                      .rate = v->rate,
                      .pitch = v->pitch,
                      .range = v->range,
                      .word_gap = v->word_gap,
                      .voice = v->select,
                      .voice_len = (uint32_t)strlen(v->select),
                      .language = lang,
                      .language_len = (uint32_t)strlen(lang),
                      .text = r->et.clean,
                      .text_len = (uint32_t)text_len};
  wire_end end;
  char why[512];
  if (engine_speak(&req, on_buffer, r, &end, why, sizeof why) != 0) {
    if (r->err)
      return r->err;
    return st->host->fail(st, AC_ERR_ENGINE, "block %zu: %s", i, why);
  }
  if (r->err)
    return r->err;
  switch (end.status) {
  case WIRE_OK:
    return 0;
  case WIRE_LANG_MISSING:
    st->host->log(st, AC_LOG_WARN,
                  "block %zu: espeak-ng has no voice for language '%s'; "
                  "reading it with voice '%s'",
                  i, r->block_lang ? r->block_lang : lang, v->select);
    return 0;
  case WIRE_NO_VOICE:
    return st->host->fail(st, AC_ERR_NOTFOUND,
                          "espeak-ng has no voice '%s' (voice profile '%s'); "
                          "`espeak-ng --voices` lists them",
                          v->select, v->name);
  case WIRE_SYNTH_FAILED:
    return st->host->fail(st, AC_ERR_ENGINE, "espeak-ng failed on block %zu",
                          i);
  case WIRE_DIED:
    return st->host->fail(st, AC_ERR_ENGINE,
                          "espeak-ng died on block %zu (%s %d)", i,
                          end.signal ? "signal" : "exit status",
                          end.signal ? end.signal : end.exit);
  case WIRE_NO_RESOURCES:
    return st->host->fail(st, AC_ERR_ENGINE,
                          "the espeak helper could not speak block %zu: %s", i,
                          strerror(end.error));
  default:
    return st->host->fail(st, AC_ERR_ENGINE,
                          "the espeak helper refused block %zu (%s)", i,
                          wire_status_name(end.status));
  }
}

/* ---- Stage -------------------------------------------------------------- */

/* The helper starts (loading espeak-ng and its data) while the host runs
 * the text stages. */
static void espeak_warm_up(void) {
  pthread_mutex_lock(&engine_lock);
  engine_warm_up();
  pthread_mutex_unlock(&engine_lock);
}

static int espeak_create(ac_stage *st) {
  char why[512];
  pthread_mutex_lock(&engine_lock);
  int rc = engine_start(why, sizeof why);
  /* The engine's version and data are part of what a cached segment
   * depends on. */
  if (rc == 0)
    rc = st->host->cache_salt(st, engine_salt());
  else
    rc = st->host->fail(st, AC_ERR_ENGINE, "%s", why);
  pthread_mutex_unlock(&engine_lock);
  return rc ? rc : read_voice_table(st);
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
  cat_free(&p->catalog);
  cat_table_free(&p->table);
}

/* Hands the host one derived voice. */
static int offer_voice(const cat_voice *v, ac_voice_info_fn fn, void *ctx) {
  char *name = cat_voice_name(v);
  char *description = cat_voice_description(v);
  char *settings = cat_voice_settings(v);
  int rc = name && description && settings ? 0 : AC_ERR_NOMEM;
  if (rc == 0)
    fn(ctx, &(ac_voice_info){.name = name,
                             .language = v->tag,
                             .description = description,
                             .settings = settings});
  free(name);
  free(description);
  free(settings);
  return rc;
}

static int espeak_list_voices(ac_stage *st, ac_voice_info_fn fn, void *ctx) {
  espeak_priv *p = st->priv;
  const catalog *c;
  char why[512];
  pthread_mutex_lock(&engine_lock);
  int rc = stage_catalog(p, &c, why, sizeof why);
  pthread_mutex_unlock(&engine_lock);
  if (rc)
    return st->host->fail(st, rc, "%s", why);
  if (p->table_missing)
    st->host->log(st, AC_LOG_WARN,
                  "no voice table (%s): voices made from espeak-ng's list "
                  "have no measured rate or loudness gain",
                  p->voice_table && *p->voice_table ? p->voice_table
                                                    : "voice_table is empty");
  for (size_t i = 0; i < c->n && rc == 0; i++)
    rc = offer_voice(&c->voices[i], fn, ctx);
  return rc ? st->host->fail(st, rc, "out of memory") : 0;
}

static int espeak_synthesize(ac_stage *st, const ac_segment *seg) {
  espeak_priv *p = st->priv;
  const ac_episode *ep = st->episode;
  if (!ep || !ep->doc)
    return st->host->fail(st, AC_ERR_INVALID, "no document to speak");
  char why[512];
  pthread_mutex_lock(&engine_lock);
  int rc = 0;
  /* A helper that died in an earlier episode is replaced. */
  if (engine_start(why, sizeof why) != 0)
    rc = st->host->fail(st, AC_ERR_ENGINE, "%s", why);
  synth_run *r = p->run;
  if (!rc && !r) {
    /* The run lasts the episode: positions and marks go on across
     * segments. */
    r = p->run = calloc(1, sizeof *r);
    if (r) {
      r->cap_hold = (size_t)engine_rate() * HOLD_MS / 1000;
      r->hold = malloc(r->cap_hold * sizeof *r->hold);
    }
    if (!r || !r->hold)
      rc = st->host->fail(st, AC_ERR_NOMEM, "out of memory");
    else {
      r->st = st;
      r->doc = ep->doc;
      r->opt = p;
      r->rate = engine_rate();
      r->voice = read_voice_settings(st);
    }
  }
  if (!rc && r->rate != engine_rate())
    rc = st->host->fail(st, AC_ERR_ENGINE,
                        "the espeak helper was restarted with another "
                        "sample rate");
  if (!rc) {
    r->word_mark = SIZE_MAX;
    r->n_hold = 0;
    rc = speak_segment(r, seg);
    if (!rc && seg->is_last) {
      double seconds = (double)run_end(r) / r->rate;
      st->host->log(
          st, AC_LOG_INFO, "spoke %zu words, %.1f s of audio, voice '%s' (%s)",
          r->n_words, seconds, r->voice.name,
          r->voice.espeak_voice ? r->voice.espeak_voice : r->voice.select);
    }
  }
  pthread_mutex_unlock(&engine_lock);
  return rc;
}

static const ac_plugin espeak_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "espeak",
    .version = "3.2",
    .description = "speaks the document with the espeak-ng library",
    .kind = AC_STAGE_SYNTH,
    .priv_size = sizeof(espeak_priv),
    .options = espeak_options,
    .create = espeak_create,
    .destroy = espeak_destroy,
    .synthesize = espeak_synthesize,
    .list_voices = espeak_list_voices,
    .warm_up = espeak_warm_up,
};

AC_PLUGIN_EXPORT(espeak_plugin)
