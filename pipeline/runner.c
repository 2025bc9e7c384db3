/* Runs the stages of one article: source and text stages over the whole
 * document, then synth -> filters -> sinks over bounded chunks, then the
 * publishers. */
#include "cache.h"
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A configured stage name resolved to a plugin; NULL when a default stage
 * is not installed. */
static int resolve(ac_pipeline *pl, const char *name, ac_stage_kind kind,
                   bool required, const ac_plugin **out, char *err,
                   size_t errlen) {
  const ac_plugin *p = ac_plugin_set_find(&pl->plugins, name);
  *out = NULL;
  if (!p) {
    if (!required)
      return AC_EXIT_OK;
    snprintf(err, errlen,
             "no plugin named '%s' (run 'articast plugins' for the list)",
             name);
    return AC_EXIT_PLUGIN;
  }
  if (p->kind != kind) {
    snprintf(err, errlen, "plugin '%s' is a %s stage, not a %s stage", name,
             ac_stage_kind_name(p->kind), ac_stage_kind_name(kind));
    return AC_EXIT_USAGE;
  }
  *out = p;
  return AC_EXIT_OK;
}

/* Settings addressed to plugins that are not loaded are mistakes (a typo in
 * a section name); say so instead of ignoring them. */
static int check_settings(ac_pipeline *pl, char *err, size_t errlen) {
  const ac_settings *s = &pl->cfg->settings;
  for (size_t i = 0; i < s->count; i++) {
    if (!ac_plugin_set_find(&pl->plugins, s->items[i].plugin)) {
      snprintf(err, errlen,
               "%s: no plugin named '%s' for option %s (run 'articast "
               "plugins' for the list)",
               s->items[i].origin, s->items[i].plugin, s->items[i].key);
      return AC_EXIT_USAGE;
    }
  }
  return AC_EXIT_OK;
}

static const ac_plugin *pick_source(ac_pipeline *pl, const char *name,
                                    const char *data, size_t len) {
  const ac_plugin *best = NULL;
  int best_score = 0;
  for (size_t i = 0; i < pl->plugins.count; i++) {
    const ac_plugin *p = pl->plugins.items[i].desc;
    if (p->kind != AC_STAGE_SOURCE)
      continue;
    int score = p->probe(name, data, len);
    if (score > best_score) {
      best = p;
      best_score = score;
    }
  }
  return best;
}

/* Runs one document stage (source or text) and reports its failure. */
static int run_document_stage(const ac_settings *settings, const ac_plugin *p,
                              const char *input, const char *data, size_t len,
                              ac_document *doc, char *err, size_t errlen) {
  char why[1024];
  ac_stage_instance *si = ac_stage_new(p, settings, NULL, why, sizeof why);
  if (!si) {
    snprintf(err, errlen, "%s", why);
    return AC_EXIT_USAGE;
  }
  ac_stage *st = ac_stage_handle(si);
  int rc = p->kind == AC_STAGE_SOURCE
               ? p->read_source(st, input, data, len, doc)
               : p->process_document(st, doc);
  int exit_code = AC_EXIT_OK;
  if (rc != 0) {
    const char *msg = ac_stage_error(si);
    snprintf(err, errlen, "%s: stage %s: %s", input, p->name,
             msg[0] ? msg : ac_strerror(rc));
    exit_code = rc == AC_ERR_FORMAT || rc == AC_ERR_EMPTY ? AC_EXIT_INPUT
                                                          : AC_EXIT_FAILURE;
  }
  ac_stage_free(si);
  return exit_code;
}

static int choose_voice(ac_pipeline *pl, const ac_document *doc,
                        ac_voice_profile *vp, char *err, size_t errlen);

/* Appends `add` to a space-separated list unless it is there already. */
static int list_append(char **list, const char *add) {
  size_t n = *list ? strlen(*list) : 0, k = strlen(add);
  for (const char *p = *list; p && (p = strstr(p, add)); p += k)
    if ((p == *list || p[-1] == ' ') && (p[k] == ' ' || p[k] == '\0'))
      return 0;
  char *grown = realloc(*list, n + k + 2);
  if (!grown)
    return AC_ERR_NOMEM;
  if (n)
    grown[n++] = ' ';
  memcpy(grown + n, add, k + 1);
  *list = grown;
  return 0;
}

/* The settings text stages run with: the config's, plus, for a stage with a
 * `lexicons` option, the show's lexicon and the voice profile's lexicons in
 * front of what that option already names, so the show's entries win over
 * the voice's, and the voice's over the stage's defaults. */
static int text_stage_settings(ac_pipeline *pl, const ac_document *doc,
                               const ac_plugin *const *text, size_t n_text,
                               ac_settings *out, char *err, size_t errlen) {
  const ac_settings *cfg = &pl->cfg->settings;
  for (size_t i = 0; i < cfg->count; i++)
    if (ac_settings_add(out, cfg->items[i].plugin, cfg->items[i].key,
                        cfg->items[i].value, cfg->items[i].origin))
      return AC_EXIT_FAILURE;
  for (size_t t = 0; t < n_text; t++) {
    const ac_option *opt = ac_option_find(text[t], "lexicons");
    if (!opt || opt->type != AC_OPT_STRING)
      continue;
    ac_voice_profile vp;
    char why[512];
    int rc = 0;
    char *list = NULL;
    if (choose_voice(pl, doc, &vp, why, sizeof why) != 0) {
      /* No voice for this language yet: the synth will say so; the text
       * stages still get the show's lexicon. */
      ac_voice_free(&vp);
      memset(&vp, 0, sizeof vp);
      if (pl->cfg->lexicon)
        rc = list_append(&list, pl->cfg->lexicon);
    }
    const char *current = opt->default_value;
    for (size_t i = 0; i < cfg->count; i++)
      if (strcmp(cfg->items[i].plugin, text[t]->name) == 0 &&
          strcmp(cfg->items[i].key, "lexicons") == 0)
        current = cfg->items[i].value;
    /* choose_voice put the show's lexicon first. */
    for (size_t i = 0; i < vp.n_lexicons && rc == 0; i++)
      rc = list_append(&list, vp.lexicons[i]);
    char *copy = current ? strdup(current) : NULL;
    char *save = NULL;
    for (char *tok = copy ? strtok_r(copy, " ,\t", &save) : NULL;
         tok && rc == 0; tok = strtok_r(NULL, " ,\t", &save))
      rc = list_append(&list, tok);
    free(copy);
    ac_voice_free(&vp);
    if (rc == 0 && list &&
        ac_settings_add(out, text[t]->name, "lexicons", list,
                        "voice profile and [pipeline] lexicon"))
      rc = AC_ERR_NOMEM;
    free(list);
    if (rc)
      return AC_EXIT_FAILURE;
  }
  return AC_EXIT_OK;
}

int ac_run_text(ac_pipeline *pl, const char *input, const char *until,
                ac_document **out, char *err, size_t errlen) {
  *out = NULL;
  int rc = check_settings(pl, err, errlen);
  if (rc)
    return rc;
  ac_config *cfg = pl->cfg;
  /* Resolve every stage before reading, so a bad --until or a missing
   * plugin is reported before any work. */
  const ac_plugin *text[AC_MAX_STAGES];
  size_t n_text = 0;
  bool until_found = until == NULL;
  for (size_t i = 0; i < cfg->n_text_stages; i++) {
    const ac_plugin *p;
    rc = resolve(pl, cfg->text_stages[i], AC_STAGE_TEXT, cfg->text_explicit, &p,
                 err, errlen);
    if (rc)
      return rc;
    if (p)
      text[n_text++] = p;
    if (p && until && strcmp(p->name, until) == 0) {
      until_found = true;
      break;
    }
  }
  const ac_plugin *source = NULL;
  if (cfg->source) {
    rc = resolve(pl, cfg->source, AC_STAGE_SOURCE, true, &source, err, errlen);
    if (rc)
      return rc;
  }
  if (!until_found && !(source && strcmp(source->name, until) == 0)) {
    size_t n = (size_t)snprintf(err, errlen,
                                "--until %s: not a text stage of this "
                                "pipeline (stages:",
                                until);
    for (size_t i = 0; i < cfg->n_text_stages && n < errlen; i++)
      if (ac_plugin_set_find(&pl->plugins, cfg->text_stages[i]))
        n += (size_t)snprintf(err + n, errlen - n, " %s", cfg->text_stages[i]);
    if (n < errlen)
      snprintf(err + n, errlen - n, ")");
    return AC_EXIT_USAGE;
  }

  char *data = NULL;
  size_t len = 0;
  int e = 0;
  /* An http(s) URL is not read here: the source stage whose probe accepts
   * it without data downloads it (see plugin.h). */
  bool is_url = strncasecmp(input, "http://", 7) == 0 ||
                strncasecmp(input, "https://", 8) == 0;
  if (pl->text_override) {
    data = strdup(pl->text_override);
    len = data ? strlen(data) : 0;
    e = data ? 0 : -ENOMEM;
  } else if (!is_url) {
    e = ac_read_file(input, &data, &len);
  }
  if (e) {
    snprintf(err, errlen, "%s: cannot read: %s",
             strcmp(input, "-") == 0 ? "standard input" : input, strerror(-e));
    return AC_EXIT_INPUT;
  }
  if (!source)
    source = pick_source(pl, input, data, len);
  if (!source) {
    free(data);
    snprintf(err, errlen, "%s: no source plugin can read this input", input);
    return AC_EXIT_PLUGIN;
  }
  ac_document *doc = ac_document_new();
  if (!doc) {
    free(data);
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  ac_set_string(&doc->source, input, (size_t)-1);
  rc = run_document_stage(&cfg->settings, source, input, data, len, doc, err,
                          errlen);
  free(data);
  bool stop = until && strcmp(source->name, until) == 0;
  /* The title is spoken first: as a block, the text stages clean and
   * normalize it like the rest (plugin.h, level 0). */
  if (rc == 0 && doc->title && doc->title[0] &&
      !ac_document_insert_block(doc, 0, AC_BLOCK_HEADING, doc->title,
                                strlen(doc->title))) {
    snprintf(err, errlen, "out of memory");
    rc = AC_EXIT_FAILURE;
  } else if (rc == 0 && doc->title && doc->title[0]) {
    doc->blocks[0].level = 0;
  }
  ac_settings settings = {0};
  if (rc == 0 && !stop)
    rc = text_stage_settings(pl, doc, text, n_text, &settings, err, errlen);
  for (size_t i = 0; rc == 0 && !stop && i < n_text; i++)
    rc = run_document_stage(&settings, text[i], input, NULL, 0, doc, err,
                            errlen);
  ac_settings_free(&settings);
  if (rc) {
    ac_document_free(doc);
    return rc;
  }
  *out = doc;
  return AC_EXIT_OK;
}

/* ---- Audio chain -------------------------------------------------------- */

/* The stream the sinks see: the synthesized segments as the filters
 * passed them on, the padding between segments (plugin.h, "Segments") and
 * the segments replayed from the cache. */
typedef struct sink_stream {
  uint64_t position;  /* frames handed to the sinks so far */
  int64_t shift;      /* sink position - position at the last filter */
  uint64_t seg_start; /* where the current segment started */
  uint64_t zero_run;  /* zeros at the end of what was handed on */
  int rate;
  /* The current segment's marks, relative to it, for the cache. */
  ac_mark *marks;
  size_t n_marks, cap_marks;
  ac_mark *moved; /* a chunk's marks, shifted */
  size_t cap_moved;
  float *zeros; /* AC_MAX_CHUNK frames of padding */
} sink_stream;

typedef struct audio_chain {
  ac_stage_instance *filters[AC_MAX_STAGES];
  size_t n_filters;
  ac_stage_instance *sinks[AC_MAX_STAGES];
  size_t n_sinks;
  ac_stage_instance *failed; /* the stage whose callback returned an error */
  sink_stream out;
} audio_chain;

typedef struct chain_link {
  audio_chain *chain;
  size_t index; /* filter index, or n_filters for the sinks */
} chain_link;

static int to_sinks(audio_chain *c, const ac_chunk *chunk) {
  for (size_t i = 0; i < c->n_sinks; i++) {
    ac_stage_instance *si = c->sinks[i];
    int rc = ac_stage_plugin(si)->process_audio(ac_stage_handle(si), chunk);
    if (rc) {
      if (!c->failed)
        c->failed = si;
      return rc;
    }
  }
  return AC_ERR_OK;
}

/* Grows an array of marks to hold `need`. */
static int marks_reserve(ac_mark **items, size_t *cap, size_t need) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 64;
  while (n < need)
    n *= 2;
  ac_mark *grown = realloc(*items, n * sizeof *grown);
  if (!grown)
    return AC_ERR_NOMEM;
  *items = grown;
  *cap = n;
  return 0;
}

/* A chunk from the last filter (or the synth) on its way to the sinks:
 * moved to its place in the sinks' stream, its marks kept for the cache. */
static int deliver_to_sinks(audio_chain *c, const ac_chunk *chunk) {
  sink_stream *o = &c->out;
  ac_chunk moved = *chunk;
  moved.position = (uint64_t)((int64_t)chunk->position + o->shift);
  if (chunk->n_marks) {
    if (marks_reserve(&o->moved, &o->cap_moved, chunk->n_marks) ||
        marks_reserve(&o->marks, &o->cap_marks, o->n_marks + chunk->n_marks))
      return AC_ERR_NOMEM;
    for (size_t i = 0; i < chunk->n_marks; i++) {
      o->moved[i] = chunk->marks[i];
      o->moved[i].sample =
          (uint64_t)((int64_t)chunk->marks[i].sample + o->shift);
      o->marks[o->n_marks] = o->moved[i];
      o->marks[o->n_marks++].sample -= o->seg_start;
    }
    moved.marks = o->moved;
  }
  if (chunk->sample_rate > 0)
    o->rate = chunk->sample_rate;
  size_t zeros = 0;
  while (zeros < chunk->n_samples &&
         chunk->samples[chunk->n_samples - 1 - zeros] == 0.0f)
    zeros++;
  o->zero_run = zeros == chunk->n_samples ? o->zero_run + zeros : zeros;
  o->position = moved.position + chunk->n_samples;
  return to_sinks(c, &moved);
}

static int deliver(void *ctx, const ac_chunk *chunk) {
  chain_link *link = ctx;
  audio_chain *c = link->chain;
  if (link->index < c->n_filters) {
    ac_stage_instance *si = c->filters[link->index];
    int rc = ac_stage_plugin(si)->process_audio(ac_stage_handle(si), chunk);
    if (rc && !c->failed)
      c->failed = si;
    return rc;
  }
  return deliver_to_sinks(c, chunk);
}

/* Says which stage failed and why, naming the input. */
static void stage_failure(char *err, size_t errlen, const char *input,
                          ac_stage_instance *si, int rc) {
  const char *msg = ac_stage_error(si);
  snprintf(err, errlen, "%s: stage %s: %s", input, ac_stage_plugin(si)->name,
           msg[0] ? msg : ac_strerror(rc));
}

/* The spoken episode starts with its title. */
static int prepare_for_speech(ac_document *doc, const char *input, char *err,
                              size_t errlen) {
  bool speakable = false;
  for (size_t i = 0; i < doc->n_blocks && !speakable; i++)
    speakable = doc->blocks[i].kind != AC_BLOCK_BOILERPLATE &&
                doc->blocks[i].text && doc->blocks[i].text[0];
  if (!speakable && !(doc->title && doc->title[0])) {
    snprintf(err, errlen, "%s: nothing to speak: no title and no text", input);
    return AC_EXIT_INPUT;
  }
  if (!doc->title || !doc->title[0]) {
    /* Fall back to the file name, as a listener's app must show something. */
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    ac_set_string(&doc->title, strcmp(base, "-") == 0 ? "Untitled" : base,
                  (size_t)-1);
  }
  if (doc->n_blocks > 0 && doc->blocks[0].kind == AC_BLOCK_HEADING &&
      doc->blocks[0].level == 0)
    return AC_EXIT_OK; /* the title block the text stages have seen */
  ac_block *b = ac_document_insert_block(doc, 0, AC_BLOCK_HEADING, doc->title,
                                         strlen(doc->title));
  if (!b) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  b->level = 0;
  return AC_EXIT_OK;
}

static int choose_voice(ac_pipeline *pl, const ac_document *doc,
                        ac_voice_profile *vp, char *err, size_t errlen) {
  const char *name = pl->voice_override ? pl->voice_override : pl->cfg->voice;
  int rc;
  if (name) {
    rc = ac_voice_load(vp, name, err, errlen);
  } else {
    const char *lang = doc->language ? doc->language : pl->cfg->show.language;
    rc = ac_voice_for_language(vp, lang, err, errlen);
  }
  if (rc)
    return rc == AC_ERR_NOTFOUND ? AC_EXIT_USAGE : AC_EXIT_INPUT;
  if (pl->cfg->lexicon) {
    /* The show's lexicon outranks the shipped ones. */
    char **grown =
        realloc(vp->lexicons, (vp->n_lexicons + 1) * sizeof *vp->lexicons);
    char *copy = strdup(pl->cfg->lexicon);
    if (!grown || !copy) {
      free(copy);
      if (grown)
        vp->lexicons = grown;
      snprintf(err, errlen, "out of memory");
      return AC_EXIT_FAILURE;
    }
    memmove(grown + 1, grown, vp->n_lexicons * sizeof *grown);
    grown[0] = copy;
    vp->lexicons = grown;
    vp->n_lexicons++;
    vp->voice.lexicons = (const char *const *)vp->lexicons;
    vp->voice.n_lexicons = vp->n_lexicons;
  }
  return AC_EXIT_OK;
}

typedef struct episode_run {
  ac_document *doc;
  ac_voice_profile voice;
  ac_episode episode;
  char *slug;
  char *episodes_dir;
  char *output_base;
  ac_stage_instance *synth;
  audio_chain chain;
  chain_link links[AC_MAX_STAGES + 1];
  ac_stage_instance *publishers[AC_MAX_STAGES];
  size_t n_publishers;
  ac_artifact_list artifacts;
  /* Segments and their cache keys. */
  ac_segment *segments;
  ac_key *keys;
  size_t n_segments;
  const char *cache_dir; /* NULL: the cache is off for this episode */
  bool cache_warned;
  size_t replayed;
} episode_run;

static void episode_run_free(episode_run *r) {
  ac_stage_free(r->synth);
  for (size_t i = 0; i < r->chain.n_filters; i++)
    ac_stage_free(r->chain.filters[i]);
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    ac_stage_free(r->chain.sinks[i]);
  for (size_t i = 0; i < r->n_publishers; i++)
    ac_stage_free(r->publishers[i]);
  ac_artifact_list_free(&r->artifacts);
  free(r->chain.out.marks);
  free(r->chain.out.moved);
  free(r->chain.out.zeros);
  free(r->segments);
  free(r->keys);
  ac_voice_free(&r->voice);
  ac_document_free(r->doc);
  free(r->slug);
  free(r->episodes_dir);
  free(r->output_base);
}

/* Creates every audio and publish stage before any synthesis, so option
 * errors surface at once and nothing is written. */
static int create_stages(ac_pipeline *pl, episode_run *r, char *err,
                         size_t errlen) {
  ac_config *cfg = pl->cfg;
  const ac_plugin *p;
  char why[1024];
  int rc;
#define CREATE(target, plugin)                                                 \
  do {                                                                         \
    (target) =                                                                 \
        ac_stage_new((plugin), &cfg->settings, &r->episode, why, sizeof why);  \
    if (!(target)) {                                                           \
      snprintf(err, errlen, "%s", why);                                        \
      return AC_EXIT_USAGE;                                                    \
    }                                                                          \
  } while (0)
  if ((rc = resolve(pl, cfg->synth ? cfg->synth : "espeak", AC_STAGE_SYNTH,
                    true, &p, err, errlen)))
    return rc;
  CREATE(r->synth, p);
  for (size_t i = 0; i < cfg->n_filters; i++) {
    if ((rc = resolve(pl, cfg->filters[i], AC_STAGE_FILTER,
                      cfg->filters_explicit, &p, err, errlen)))
      return rc;
    if (p) {
      CREATE(r->chain.filters[r->chain.n_filters], p);
      r->chain.n_filters++;
    }
  }
  const char *snippet_sinks[] = {"wav"};
  char *const *sinks = cfg->sinks;
  size_t n_sinks = cfg->n_sinks;
  size_t n_publishers = cfg->n_publishers;
  if (pl->output_override) {
    sinks = (char *const *)snippet_sinks;
    n_sinks = 1;
    n_publishers = 0;
  }
  for (size_t i = 0; i < n_sinks; i++) {
    if ((rc = resolve(pl, sinks[i], AC_STAGE_SINK,
                      cfg->sinks_explicit || pl->output_override, &p, err,
                      errlen)))
      return rc;
    if (p) {
      CREATE(r->chain.sinks[r->chain.n_sinks], p);
      ac_stage_set_artifacts(r->chain.sinks[r->chain.n_sinks], &r->artifacts);
      r->chain.n_sinks++;
    }
  }
  if (r->chain.n_sinks == 0) {
    snprintf(err, errlen,
             "the pipeline has no sink: nothing would be "
             "written ([pipeline] sinks = mp3)");
    return AC_EXIT_USAGE;
  }
  for (size_t i = 0; i < n_publishers; i++) {
    if ((rc = resolve(pl, cfg->publishers[i], AC_STAGE_PUBLISH,
                      cfg->publishers_explicit, &p, err, errlen)))
      return rc;
    if (p) {
      CREATE(r->publishers[r->n_publishers], p);
      r->n_publishers++;
    }
  }
#undef CREATE
  /* Wire synth -> filter 0 -> ... -> sinks. */
  for (size_t i = 0; i <= r->chain.n_filters; i++)
    r->links[i] = (chain_link){&r->chain, i};
  ac_stage_set_output(r->synth, deliver, &r->links[0]);
  for (size_t i = 0; i < r->chain.n_filters; i++)
    ac_stage_set_output(r->chain.filters[i], deliver, &r->links[i + 1]);
  return AC_EXIT_OK;
}

/* ---- Segments ------------------------------------------------------------ */

/* Whether a block has anything to say: not boilerplate, and a letter or
 * digit (or any non-ASCII character, letters of other scripts) in it. */
static bool block_speaks(const ac_block *b) {
  if (b->kind == AC_BLOCK_BOILERPLATE || !b->text)
    return false;
  for (const unsigned char *t = (const unsigned char *)b->text; *t; t++)
    if (*t >= 0x80 || (*t >= '0' && *t <= '9') ||
        ((*t | 0x20) >= 'a' && (*t | 0x20) <= 'z'))
      return true;
  return false;
}

/* One segment per speaking block; blocks that say nothing go with the
 * segment before them (or the first). With `single`, one segment. */
static int plan_segments(episode_run *r, bool single) {
  const ac_document *doc = r->doc;
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += !single && block_speaks(&doc->blocks[i]);
  if (n == 0)
    n = 1;
  r->segments = calloc(n, sizeof *r->segments);
  r->keys = calloc(n, sizeof *r->keys);
  if (!r->segments || !r->keys)
    return AC_ERR_NOMEM;
  size_t k = 0;
  bool started = false;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    bool speaks = !single && block_speaks(&doc->blocks[i]);
    if (speaks && started)
      r->segments[++k].first_block = (uint32_t)i;
    started |= speaks;
    r->segments[k].n_blocks++;
  }
  r->n_segments = k + 1;
  for (size_t j = 0; j < r->n_segments; j++) {
    ac_segment *s = &r->segments[j];
    s->index = (uint32_t)j;
    s->is_first = j == 0;
    s->is_last = j + 1 == r->n_segments;
    s->next_block = s->is_last ? UINT32_MAX : r->segments[j + 1].first_block;
  }
  return 0;
}

/* What every segment's key covers: the format, each audio stage's
 * settings, version and salt, the voice and the document's language. */
static int base_key(episode_run *r, ac_key_ctx *k) {
  ac_key_begin(k);
  ac_key_add_str(k, "articast segment 1");
  ac_key_add_int(k, AC_SEGMENT_QUANTUM);
  ac_key_add_int(k, AC_SEGMENT_MIN_SILENCE);
  ac_stage_instance *all[2 * AC_MAX_STAGES + 1];
  size_t n = 0;
  all[n++] = r->synth;
  for (size_t i = 0; i < r->chain.n_filters; i++)
    all[n++] = r->chain.filters[i];
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    all[n++] = r->chain.sinks[i];
  for (size_t i = 0; i < n; i++) {
    char *fp = ac_stage_fingerprint(all[i]);
    if (!fp)
      return AC_ERR_NOMEM;
    ac_key_add_str(k, fp);
    free(fp);
  }
  const ac_voice *v = &r->voice.voice;
  ac_key_add_str(k, v->espeak_voice);
  ac_key_add_str(k, v->language);
  ac_key_add_int(k, v->rate);
  ac_key_add_int(k, v->pitch);
  ac_key_add_int(k, v->range);
  ac_key_add_int(k, v->word_gap);
  ac_key_add_int(k, v->loudness_calibrated);
  ac_key_add(k, &v->loudness_gain_db, sizeof v->loudness_gain_db);
  ac_key_add_str(k, r->doc->language);
  return 0;
}

static void key_block(ac_key_ctx *k, const ac_block *b) {
  ac_key_add_int(k, b->kind);
  ac_key_add_int(k, b->level);
  ac_key_add_str(k, b->text);
  ac_key_add_str(k, b->written);
  ac_key_add_str(k, b->lang);
  ac_key_add(k, b->map, b->n_map * sizeof *b->map);
}

/* A segment's key: the base, its place (first, last, what follows it) and
 * its blocks, all fields, without their indices (an inserted paragraph
 * leaves the others' keys alone). */
static void segment_keys(episode_run *r, const ac_key_ctx *base) {
  const ac_document *doc = r->doc;
  for (size_t j = 0; j < r->n_segments; j++) {
    const ac_segment *s = &r->segments[j];
    ac_key_ctx k = *base;
    ac_key_add_int(&k, s->is_first);
    ac_key_add_int(&k, s->is_last);
    if (s->is_last) {
      ac_key_add_int(&k, -1);
    } else {
      ac_key_add_int(&k, doc->blocks[s->next_block].kind);
      ac_key_add_int(&k, doc->blocks[s->next_block].level);
    }
    for (uint32_t i = 0; i < s->n_blocks; i++)
      key_block(&k, &doc->blocks[s->first_block + i]);
    ac_key_end(&k, &r->keys[j]);
  }
}

/* host->cache_put of the sinks. */
static int put_entry(void *ctx, const char *stage, uint32_t index,
                     const void *data, size_t len) {
  episode_run *r = ctx;
  if (!r->cache_dir || index >= r->n_segments)
    return AC_ERR_OK;
  int e = ac_cache_write(r->cache_dir, &r->keys[index], stage, data, len);
  if (e && !r->cache_warned) {
    r->cache_warned = true;
    fprintf(stderr,
            "articast: warning: cannot write the segment cache in %s: "
            "%s\n",
            r->cache_dir, strerror(-e));
  }
  return AC_ERR_OK; /* a cache that cannot be written only costs time */
}

/* The marks entry: rate, length and marks of a segment, relative to it. */
enum { MARK_RECORD = 4 * 4 + 8, MARKS_HEADER = 4 + 8 + 4 };

static void le_put(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_get(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void store_marks(episode_run *r, const ac_segment *s) {
  sink_stream *o = &r->chain.out;
  size_t len = MARKS_HEADER + o->n_marks * MARK_RECORD;
  uint8_t *buf = malloc(len);
  if (!buf)
    return;
  le_put(buf, (uint64_t)o->rate, 4);
  le_put(buf + 4, s->n_samples, 8);
  le_put(buf + 12, o->n_marks, 4);
  for (size_t i = 0; i < o->n_marks; i++) {
    const ac_mark *m = &o->marks[i];
    uint8_t *p = buf + MARKS_HEADER + i * MARK_RECORD;
    le_put(p, (uint64_t)m->kind, 4);
    le_put(p + 4, m->block - s->first_block, 4);
    le_put(p + 8, m->text_offset, 4);
    le_put(p + 12, m->text_length, 4);
    le_put(p + 16, m->sample, 8);
  }
  put_entry(r, "@marks", s->index, buf, len);
  free(buf);
}

/* Hands the sinks segment `s` from the cache if every entry is there.
 * Returns 1 when replayed, 0 on a miss, or an error. */
static int try_replay(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  sink_stream *o = &c->out;
  const ac_key *key = &r->keys[s->index];
  void *marks_data = NULL;
  size_t marks_len = 0;
  void *blobs[AC_MAX_STAGES] = {0};
  size_t lens[AC_MAX_STAGES] = {0};
  int rc = 0;
  if (ac_cache_read(r->cache_dir, key, "@marks", &marks_data, &marks_len) != 0)
    return 0;
  const uint8_t *m = marks_data;
  size_t n_marks = marks_len >= MARKS_HEADER ? (size_t)le_get(m + 12, 4) : 0;
  if (marks_len < MARKS_HEADER ||
      marks_len != MARKS_HEADER + n_marks * MARK_RECORD)
    goto miss;
  for (size_t i = 0; i < c->n_sinks; i++)
    if (ac_cache_read(r->cache_dir, key, ac_stage_plugin(c->sinks[i])->name,
                      &blobs[i], &lens[i]) != 0)
      goto miss;
  if ((rc = marks_reserve(&o->moved, &o->cap_moved, n_marks)))
    goto done;
  for (size_t i = 0; i < n_marks; i++) {
    const uint8_t *p = m + MARKS_HEADER + i * MARK_RECORD;
    o->moved[i] =
        (ac_mark){.kind = (ac_mark_kind)le_get(p, 4),
                  .block = s->first_block + (uint32_t)le_get(p + 4, 4),
                  .text_offset = (uint32_t)le_get(p + 8, 4),
                  .text_length = (uint32_t)le_get(p + 12, 4),
                  .sample = o->position + le_get(p + 16, 8)};
  }
  s->sample_rate = (int)le_get(m, 4);
  s->n_samples = le_get(m + 4, 8);
  s->position = o->position;
  s->marks = o->moved;
  s->n_marks = n_marks;
  for (size_t i = 0; i < c->n_sinks && rc == 0; i++) {
    ac_stage_instance *si = c->sinks[i];
    s->cached = blobs[i];
    s->cached_len = lens[i];
    rc = ac_stage_plugin(si)->replay_segment(ac_stage_handle(si), s);
    if (rc && !c->failed)
      c->failed = si;
  }
  s->cached = NULL;
  s->marks = NULL;
  o->position += s->n_samples;
  o->shift += (int64_t)s->n_samples;
  o->zero_run = 0;
  if (rc == 0)
    rc = 1;
  goto done;
miss:
  rc = 0;
done:
  free(marks_data);
  for (size_t i = 0; i < c->n_sinks; i++)
    free(blobs[i]);
  return rc;
}

/* Ends a synthesized segment: the filters pass on what they hold, the
 * padding goes in, the sinks close the segment. */
static int end_segment(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  sink_stream *o = &c->out;
  int rc;
  /* The last segment ends the filters' stream: flush, which trims the
   * tail, in place of end_segment. Flushing a filter may emit downstream,
   * so go in order. */
  for (size_t i = 0; i < c->n_filters; i++) {
    ac_stage_instance *si = c->filters[i];
    const ac_plugin *p = ac_stage_plugin(si);
    int (*end)(ac_stage *, const ac_segment *) = p->end_segment;
    if (s->is_last)
      rc = p->flush ? p->flush(ac_stage_handle(si)) : 0;
    else
      rc = end ? end(ac_stage_handle(si), s) : 0;
    if (rc) {
      if (!c->failed)
        c->failed = si;
      return rc;
    }
  }
  uint64_t n = o->position - o->seg_start;
  if (!s->is_last && n > 0) {
    uint64_t want = n;
    if (o->zero_run < AC_SEGMENT_MIN_SILENCE)
      want += AC_SEGMENT_MIN_SILENCE - o->zero_run;
    want = (want + AC_SEGMENT_QUANTUM - 1) / AC_SEGMENT_QUANTUM *
           AC_SEGMENT_QUANTUM;
    if (want > n && !o->zeros &&
        !(o->zeros = calloc(AC_MAX_CHUNK, sizeof *o->zeros)))
      return AC_ERR_NOMEM;
    for (uint64_t pad = want - n; pad > 0;) {
      size_t k = pad < AC_MAX_CHUNK ? (size_t)pad : AC_MAX_CHUNK;
      ac_chunk z = {.samples = o->zeros,
                    .n_samples = k,
                    .position = o->position,
                    .sample_rate = o->rate};
      if ((rc = to_sinks(c, &z)))
        return rc;
      o->position += k;
      o->shift += (int64_t)k;
      o->zero_run += k;
      pad -= k;
    }
  }
  s->position = o->seg_start;
  s->n_samples = o->position - o->seg_start;
  s->sample_rate = o->rate;
  for (size_t i = 0; i < c->n_sinks; i++) {
    ac_stage_instance *si = c->sinks[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->end_segment && (rc = p->end_segment(ac_stage_handle(si), s))) {
      if (!c->failed)
        c->failed = si;
      return rc;
    }
  }
  if (r->cache_dir)
    store_marks(r, s);
  return 0;
}

static int run_segment(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  if (r->cache_dir) {
    int rc = try_replay(r, s);
    if (rc > 0)
      r->replayed++;
    if (rc)
      return rc < 0 ? rc : 0;
  }
  c->out.seg_start = c->out.position;
  c->out.n_marks = 0;
  for (size_t k = 0; k < 2; k++) {
    size_t n = k == 0 ? c->n_filters : c->n_sinks;
    for (size_t i = 0; i < n; i++) {
      ac_stage_instance *si = k == 0 ? c->filters[i] : c->sinks[i];
      const ac_plugin *p = ac_stage_plugin(si);
      int rc = p->begin_segment ? p->begin_segment(ac_stage_handle(si), s) : 0;
      if (rc) {
        if (!c->failed)
          c->failed = si;
        return rc;
      }
    }
  }
  int rc = ac_stage_plugin(r->synth)->synthesize(ac_stage_handle(r->synth), s);
  if (rc)
    return rc;
  return end_segment(r, s);
}

/* Decides the segments and whether the cache serves this episode. */
static int prepare_segments(ac_pipeline *pl, episode_run *r) {
  bool single = ac_stage_wants_single_segment(r->synth);
  bool replayable = true;
  for (size_t i = 0; i < r->chain.n_filters; i++)
    single |= ac_stage_wants_single_segment(r->chain.filters[i]);
  for (size_t i = 0; i < r->chain.n_sinks; i++) {
    single |= ac_stage_wants_single_segment(r->chain.sinks[i]);
    replayable &= ac_stage_plugin(r->chain.sinks[i])->replay_segment != NULL;
  }
  int rc = plan_segments(r, single);
  if (rc)
    return rc;
  if (single || !replayable || !pl->cache_dir)
    return 0;
  ac_key_ctx base;
  if ((rc = base_key(r, &base)))
    return rc;
  segment_keys(r, &base);
  r->cache_dir = pl->cache_dir;
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    ac_stage_set_cache_put(r->chain.sinks[i], put_entry, r);
  return 0;
}

static int run_audio(ac_pipeline *pl, episode_run *r, const char *input,
                     char *err, size_t errlen) {
  int rc = prepare_segments(pl, r);
  if (rc) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  for (size_t i = 0; i < r->n_segments && rc == 0; i++)
    rc = run_segment(r, &r->segments[i]);
  if (rc) {
    stage_failure(err, errlen, input,
                  r->chain.failed ? r->chain.failed : r->synth, rc);
    return AC_EXIT_FAILURE;
  }
  for (size_t i = 0; i < r->chain.n_sinks; i++) {
    ac_stage_instance *si = r->chain.sinks[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->flush && (rc = p->flush(ac_stage_handle(si)))) {
      stage_failure(err, errlen, input, si, rc);
      return rc == AC_ERR_IO ? AC_EXIT_OUTPUT : AC_EXIT_FAILURE;
    }
  }
  if (r->cache_dir)
    ac_log(AC_LOG_INFO, "%s: %zu of %zu segments from the cache (%s)", input,
           r->replayed, r->n_segments, r->cache_dir);
  r->episode.artifacts = r->artifacts.items;
  r->episode.n_artifacts = r->artifacts.count;
  for (size_t i = 0; i < r->n_publishers; i++) {
    ac_stage_instance *si = r->publishers[i];
    if ((rc = ac_stage_plugin(si)->publish(ac_stage_handle(si)))) {
      stage_failure(err, errlen, input, si, rc);
      return rc == AC_ERR_IO ? AC_EXIT_OUTPUT : AC_EXIT_FAILURE;
    }
  }
  return AC_EXIT_OK;
}

int ac_run_episode(ac_pipeline *pl, const char *input, FILE *report, char *err,
                   size_t errlen) {
  episode_run r;
  memset(&r, 0, sizeof r);
  int rc = ac_run_text(pl, input, NULL, &r.doc, err, errlen);
  if (rc)
    return rc;
  if ((rc = prepare_for_speech(r.doc, input, err, errlen)))
    goto done;
  if ((rc = choose_voice(pl, r.doc, &r.voice, err, errlen)))
    goto done;
  const char *site = pl->cfg->site_dir ? pl->cfg->site_dir : "site";
  r.slug = ac_slugify(r.doc->title);
  if (pl->output_override) {
    /* A snippet (articast say): one audio file where the user asked. */
    r.output_base = strdup(pl->output_override);
    char *slash = r.output_base ? strrchr(r.output_base, '/') : NULL;
    r.episodes_dir =
        slash ? strndup(r.output_base, (size_t)(slash - r.output_base))
              : strdup(".");
  } else {
    r.episodes_dir = ac_path_join(site, "episodes");
    r.output_base =
        r.episodes_dir && r.slug ? ac_path_join(r.episodes_dir, r.slug) : NULL;
  }
  if (!r.output_base) {
    snprintf(err, errlen, "out of memory");
    rc = AC_EXIT_FAILURE;
    goto done;
  }
  int e = ac_mkdirs(r.episodes_dir);
  if (e) {
    snprintf(err, errlen, "%s: cannot create directory: %s", r.episodes_dir,
             strerror(-e));
    rc = AC_EXIT_OUTPUT;
    goto done;
  }
  r.episode = (ac_episode){.doc = r.doc,
                           .show = &pl->cfg->show,
                           .voice = &r.voice.voice,
                           .site_dir = site,
                           .slug = r.slug,
                           .output_base = r.output_base,
                           .threads = pl->threads > 0 ? pl->threads : 1};
  if ((rc = create_stages(pl, &r, err, errlen)))
    goto done;
  if ((rc = run_audio(pl, &r, input, err, errlen)))
    goto done;
  for (size_t i = 0; report && i < r.artifacts.count; i++) {
    if (r.artifacts.items[i].duration > 0)
      fprintf(report, "%s\t%.3f s\n", r.artifacts.items[i].path,
              r.artifacts.items[i].duration);
    else
      fprintf(report, "%s\n", r.artifacts.items[i].path);
  }
done:
  episode_run_free(&r);
  return rc;
}

int ac_run_feed(ac_pipeline *pl, char *err, size_t errlen) {
  int rc = check_settings(pl, err, errlen);
  if (rc)
    return rc;
  ac_config *cfg = pl->cfg;
  const char *site = cfg->site_dir ? cfg->site_dir : "site";
  ac_episode episode = {.show = &cfg->show, .site_dir = site};
  size_t ran = 0;
  for (size_t i = 0; i < cfg->n_publishers && rc == 0; i++) {
    const ac_plugin *p;
    if ((rc = resolve(pl, cfg->publishers[i], AC_STAGE_PUBLISH,
                      cfg->publishers_explicit, &p, err, errlen)) ||
        !p)
      continue;
    char why[1024];
    ac_stage_instance *si =
        ac_stage_new(p, &cfg->settings, &episode, why, sizeof why);
    if (!si) {
      snprintf(err, errlen, "%s", why);
      return AC_EXIT_USAGE;
    }
    int prc = p->publish(ac_stage_handle(si));
    if (prc) {
      stage_failure(err, errlen, site, si, prc);
      rc = prc == AC_ERR_IO ? AC_EXIT_OUTPUT : AC_EXIT_FAILURE;
    }
    ac_stage_free(si);
    ran++;
  }
  if (rc == 0 && ran == 0) {
    snprintf(err, errlen, "no publish stage is installed or configured");
    return AC_EXIT_PLUGIN;
  }
  return rc;
}
