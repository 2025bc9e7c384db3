/* Runs the stages of one article: source and text stages over the whole
 * document, then the audio chain (audio.c), then the files are named and
 * the publishers run. */
#include "episode.h"

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

/* Settings addressed to plugins that are not installed are mistakes (a
 * typo in a section name); say so instead of ignoring them. */
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

/* The exit code for a stage's error: bad input, or a failure. */
static int stage_exit_code(int rc) {
  return rc == AC_ERR_FORMAT || rc == AC_ERR_EMPTY || rc == AC_ERR_LIMIT
             ? AC_EXIT_INPUT
         : rc == AC_ERR_IO ? AC_EXIT_OUTPUT
                           : AC_EXIT_FAILURE;
}

/* The exit code for a source stage's error. A source that reads a URL
 * says whether trying again may help: an article that is gone, refused or
 * not a page (NOTFOUND, UNSUPPORTED) is bad input; a network failure or a
 * server error (IO) is a failure that may pass. */
static int source_exit_code(int rc) {
  return rc == AC_ERR_NOTFOUND || rc == AC_ERR_UNSUPPORTED ? AC_EXIT_INPUT
         : rc == AC_ERR_IO                                 ? AC_EXIT_FAILURE
                           : stage_exit_code(rc);
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
    exit_code = p->kind == AC_STAGE_SOURCE ? source_exit_code(rc)
                : rc == AC_ERR_IO          ? AC_EXIT_INPUT
                                           : stage_exit_code(rc);
  }
  ac_stage_free(si);
  return exit_code;
}

/* ---- Voices ----------------------------------------------------------------
 */

typedef struct derived_pick {
  const char *language; /* the language to speak, or */
  const char *name;     /* the voice's name */
  const char *synth;
  ac_voice_profile *vp;
  int best;
  char *err;
  size_t errlen;
} derived_pick;

static void consider_derived(void *ctx, const ac_voice_info *info) {
  derived_pick *d = ctx;
  int match = d->name ? (info->name && strcasecmp(info->name, d->name) == 0)
                      : ac_language_match(info->language, d->language);
  if (match <= d->best)
    return;
  ac_voice_profile candidate;
  if (ac_voice_from_info(&candidate, d->synth, info, d->err, d->errlen) != 0) {
    ac_voice_free(&candidate);
    return;
  }
  ac_voice_free(d->vp);
  *d->vp = candidate;
  d->best = match;
}

/* A voice the synth stage derives (plugin.h, list_voices): the best for
 * `language`, or the one called `name`. AC_ERR_NOTFOUND when there is
 * none; another error with the reason in err. */
static int derived_voice(ac_pipeline *pl, const char *language,
                         const char *name, ac_voice_profile *vp, char *err,
                         size_t errlen) {
  const char *synth = pl->cfg->synth;
  const ac_plugin *p = synth ? ac_plugin_set_find(&pl->plugins, synth) : NULL;
  memset(vp, 0, sizeof *vp);
  if (!p || p->kind != AC_STAGE_SYNTH || !p->list_voices)
    return AC_ERR_NOTFOUND;
  char why[1024];
  ac_stage_instance *si =
      ac_stage_new(p, &pl->cfg->settings, NULL, why, sizeof why);
  if (!si) {
    snprintf(err, errlen, "%s", why);
    return AC_ERR_INVALID;
  }
  derived_pick d = {language, name, p->name, vp, 0, err, errlen};
  int rc = p->list_voices(ac_stage_handle(si), consider_derived, &d);
  if (rc)
    snprintf(err, errlen, "stage %s: %s", p->name,
             ac_stage_error(si)[0] ? ac_stage_error(si) : ac_strerror(rc));
  ac_stage_free(si);
  if (rc)
    return rc;
  return d.best > 0 ? 0 : AC_ERR_NOTFOUND;
}

/* The voice for the document: the one named by --voice or the config (a
 * profile, else a derived voice of that name), else the profile (or
 * derived voice) that speaks its language. When no voice speaks the
 * language, *unspoken is set; that is bad input (AC_EXIT_INPUT) when the
 * language is the article's own, a bad command line or config
 * (AC_EXIT_USAGE) when --lang or [show] language gave it. */
static int choose_voice(ac_pipeline *pl, const ac_document *doc,
                        ac_voice_profile *vp, bool *unspoken, char *err,
                        size_t errlen) {
  const char *name = pl->voice_override ? pl->voice_override : pl->cfg->voice;
  const char *lang =
      doc && doc->language ? doc->language : pl->cfg->show.language;
  bool is_file = name && (strchr(name, '/') || strstr(name, ".voice"));
  int rc;
  *unspoken = false;
  if (name) {
    rc = ac_voice_load(vp, name, err, errlen);
    if (rc == AC_ERR_NOTFOUND && !is_file) {
      ac_voice_free(vp);
      rc = derived_voice(pl, NULL, name, vp, err, errlen);
      if (rc == AC_ERR_NOTFOUND)
        snprintf(err, errlen,
                 "no voice named '%s' (run 'articast voices' for the list)",
                 name);
    }
  } else {
    rc = ac_voice_for_language(vp, lang, err, errlen);
    if (rc == AC_ERR_NOTFOUND) {
      ac_voice_free(vp);
      rc = derived_voice(pl, lang, NULL, vp, err, errlen);
      *unspoken = rc == AC_ERR_NOTFOUND;
      if (*unspoken)
        snprintf(err, errlen,
                 "no voice speaks '%s' (the article's language): name one "
                 "with --voice (see 'articast voices'), or give the right "
                 "language with --lang",
                 lang);
    }
  }
  if (*unspoken)
    return doc && doc->language && !pl->language_override ? AC_EXIT_INPUT
                                                          : AC_EXIT_USAGE;
  return rc == 0                                     ? AC_EXIT_OK
         : rc == AC_ERR_NOMEM || rc == AC_ERR_ENGINE ? AC_EXIT_FAILURE
                                                     : AC_EXIT_USAGE;
}

/* The settings stages run with: the voice's layer under the config's. */
static int layered_settings(ac_pipeline *pl, const ac_voice_profile *vp,
                            ac_settings *out) {
  ac_settings_free(out);
  if (ac_settings_append(out, &vp->settings) ||
      ac_settings_append(out, &pl->cfg->settings))
    return AC_EXIT_FAILURE;
  return AC_EXIT_OK;
}

/* Keeps `*vp` the voice for the document's current language, so a text
 * stage after one that found the language gets that voice's settings. */
static int voice_for_document(ac_pipeline *pl, const ac_document *doc,
                              ac_voice_profile *vp, char **chosen_for,
                              ac_settings *settings, char *err, size_t errlen) {
  const char *lang = doc->language ? doc->language : "";
  if (*chosen_for && strcmp(*chosen_for, lang) == 0)
    return AC_EXIT_OK;
  ac_voice_free(vp);
  bool unspoken;
  int rc = choose_voice(pl, doc, vp, &unspoken, err, errlen);
  free(*chosen_for);
  *chosen_for = strdup(lang);
  if (unspoken) {
    /* No voice speaks the language: the text stages still run, with the
     * config's settings; the synth stage will say what is missing. */
    ac_log(AC_LOG_DEBUG, "text stages without a voice: %s", err);
    err[0] = '\0';
    ac_voice_free(vp);
    ac_settings_free(settings);
    return ac_settings_append(settings, &pl->cfg->settings) ? AC_EXIT_FAILURE
                                                            : AC_EXIT_OK;
  }
  if (rc)
    return rc;
  ac_log(AC_LOG_DEBUG, "voice '%s' (%s) for the text stages", vp->name,
         vp->language);
  return *chosen_for ? layered_settings(pl, vp, settings) : AC_EXIT_FAILURE;
}

/* ---- Text ------------------------------------------------------------------
 */

/* Resolves the text stages up to `until`, so a bad --until or a missing
 * plugin is reported before any work. */
static int text_stages(ac_pipeline *pl, const char *until,
                       const ac_plugin **text, size_t *n_text,
                       const ac_plugin **source, char *err, size_t errlen) {
  ac_config *cfg = pl->cfg;
  bool until_found = until == NULL;
  int rc;
  *n_text = 0;
  *source = NULL;
  for (size_t i = 0; i < cfg->n_text_stages; i++) {
    const ac_plugin *p;
    if ((rc = resolve(pl, cfg->text_stages[i], AC_STAGE_TEXT,
                      cfg->text_explicit, &p, err, errlen)))
      return rc;
    if (p)
      text[(*n_text)++] = p;
    if (p && until && strcmp(p->name, until) == 0) {
      until_found = true;
      break;
    }
  }
  if (cfg->source && (rc = resolve(pl, cfg->source, AC_STAGE_SOURCE, true,
                                   source, err, errlen)))
    return rc;
  if (until_found || (*source && strcmp((*source)->name, until) == 0))
    return AC_EXIT_OK;
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

/* Reads the input, unless it is a URL the source stage downloads itself
 * (see plugin.h, probe), bounded by the pipeline's input limit. */
static int read_input(ac_pipeline *pl, const char *input, char **data,
                      size_t *len, char *err, size_t errlen) {
  *data = NULL;
  *len = 0;
  bool is_url = strncasecmp(input, "http://", 7) == 0 ||
                strncasecmp(input, "https://", 8) == 0;
  int e = 0;
  if (pl->text_override) {
    *data = strdup(pl->text_override);
    *len = *data ? strlen(*data) : 0;
    e = *data ? 0 : -ENOMEM;
  } else if (pl->input_bytes) {
    e = pl->max_input_bytes && pl->input_len > pl->max_input_bytes ? -EFBIG
        : (*data = malloc(pl->input_len + 1)) == NULL              ? -ENOMEM
                                                                   : 0;
    if (e == 0) {
      memcpy(*data, pl->input_bytes, pl->input_len);
      (*data)[pl->input_len] = '\0';
      *len = pl->input_len;
    }
  } else if (!is_url) {
    e = ac_read_file(input, pl->max_input_bytes, data, len);
  }
  if (e == -EFBIG) {
    snprintf(err, errlen,
             "%s: larger than the input limit of %zu bytes (see "
             "--max-input)",
             strcmp(input, "-") == 0 ? "standard input" : input,
             pl->max_input_bytes);
    return AC_EXIT_INPUT;
  }
  if (e) {
    snprintf(err, errlen, "%s: cannot read: %s",
             strcmp(input, "-") == 0 ? "standard input" : input, strerror(-e));
    return AC_EXIT_INPUT;
  }
  return AC_EXIT_OK;
}

/* What the caller knows of the article (ac_pipeline.metadata) over what
 * the source stage read. */
static int apply_metadata(ac_document *doc, const ac_document *meta) {
  if (!meta)
    return AC_EXIT_OK;
  char **fields[] = {&doc->title,   &doc->author, &doc->date, &doc->language,
                     &doc->summary, &doc->image,  &doc->url,  &doc->id};
  const char *values[] = {meta->title,    meta->author,  meta->date,
                          meta->language, meta->summary, meta->image,
                          meta->url,      meta->id};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (values[i] && ac_set_string(fields[i], values[i], (size_t)-1))
      return AC_EXIT_FAILURE;
  return AC_EXIT_OK;
}

/* The title is spoken first: as a block, the text stages clean and
 * normalize it like the rest (plugin.h, level 0). */
static int insert_title_block(ac_document *doc, char *err, size_t errlen) {
  if (!doc->title || !doc->title[0])
    return AC_EXIT_OK;
  ac_block *b = ac_document_insert_block(doc, 0, AC_BLOCK_HEADING, doc->title,
                                         strlen(doc->title));
  if (!b) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  b->level = 0;
  return AC_EXIT_OK;
}

int ac_run_text(ac_pipeline *pl, const char *input, const char *until,
                ac_document **out, char *err, size_t errlen) {
  *out = NULL;
  const ac_plugin *text[AC_MAX_STAGES], *source;
  size_t n_text;
  int rc = check_settings(pl, err, errlen);
  if (rc == 0)
    rc = text_stages(pl, until, text, &n_text, &source, err, errlen);
  char *data = NULL;
  size_t len = 0;
  if (rc == 0)
    rc = read_input(pl, input, &data, &len, err, errlen);
  if (rc)
    return rc;
  if (!source)
    source = pick_source(pl, input, data, len);
  ac_document *doc = source ? ac_document_new() : NULL;
  if (!doc) {
    free(data);
    snprintf(err, errlen,
             source ? "out of memory"
                    : "%s: no source plugin can read this input",
             input);
    return source ? AC_EXIT_FAILURE : AC_EXIT_PLUGIN;
  }
  ac_set_string(&doc->source, input, (size_t)-1);
  if (pl->language_override)
    ac_set_string(&doc->language, pl->language_override, (size_t)-1);
  rc = run_document_stage(&pl->cfg->settings, source, input, data, len, doc,
                          err, errlen);
  free(data);
  if (rc == 0)
    rc = apply_metadata(doc, pl->metadata);
  if (rc == 0 && pl->language_override)
    rc = ac_set_string(&doc->language, pl->language_override, (size_t)-1)
             ? AC_EXIT_FAILURE
             : AC_EXIT_OK;
  bool stop = until && strcmp(source->name, until) == 0;
  if (rc == 0)
    rc = insert_title_block(doc, err, errlen);
  ac_voice_profile vp = {0};
  ac_settings settings = {0};
  char *chosen_for = NULL;
  for (size_t i = 0; rc == 0 && !stop && i < n_text; i++) {
    rc = voice_for_document(pl, doc, &vp, &chosen_for, &settings, err, errlen);
    if (rc == 0)
      rc = run_document_stage(&settings, text[i], input, NULL, 0, doc, err,
                              errlen);
  }
  free(chosen_for);
  ac_settings_free(&settings);
  ac_voice_free(&vp);
  if (rc) {
    ac_document_free(doc);
    return rc;
  }
  *out = doc;
  return AC_EXIT_OK;
}

/* ---- Episode ---------------------------------------------------------------
 */

/* Says which stage failed and why, naming the input. */
static void stage_failure(char *err, size_t errlen, const char *input,
                          ac_stage_instance *si, int rc) {
  const char *msg = ac_stage_error(si);
  snprintf(err, errlen, "%s: stage %s: %s", input, ac_stage_plugin(si)->name,
           msg[0] ? msg : ac_strerror(rc));
}

/* A display title from the opening words of `text`: at most about 80
 * bytes, cut at a space, with an ellipsis when cut. malloc'd. */
static char *opening_words(const char *text) {
  size_t n = strcspn(text, "\n");
  if (n <= 80)
    return strndup(text, n);
  size_t cut = 72;
  while (cut > 20 && text[cut] != ' ')
    cut--;
  if (text[cut] != ' ')
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
      cut--; /* one long word: cut it between characters */
  char *out = malloc(cut + 4);
  if (out) {
    memcpy(out, text, cut);
    memcpy(out + cut, "\xE2\x80\xA6", 4); /* U+2026 */
  }
  return out;
}

/* The spoken episode starts with its title. An article without one gets a
 * title to show (apps and feeds need one) from its opening words, which
 * are not spoken twice: no title block then. */
static int prepare_for_speech(ac_document *doc, const char *input, char *err,
                              size_t errlen) {
  const ac_block *first = NULL;
  for (size_t i = 0; i < doc->n_blocks && !first; i++)
    if (doc->blocks[i].kind != AC_BLOCK_BOILERPLATE && doc->blocks[i].text &&
        doc->blocks[i].text[0])
      first = &doc->blocks[i];
  if (!first && !(doc->title && doc->title[0])) {
    snprintf(err, errlen, "%s: nothing to speak: no title and no text", input);
    return AC_EXIT_INPUT;
  }
  if (!doc->title || !doc->title[0]) {
    char *title = opening_words(first->written ? first->written : first->text);
    if (!title) {
      snprintf(err, errlen, "out of memory");
      return AC_EXIT_FAILURE;
    }
    free(doc->title);
    doc->title = title;
    return AC_EXIT_OK;
  }
  if (doc->n_blocks > 0 && doc->blocks[0].kind == AC_BLOCK_HEADING &&
      doc->blocks[0].level == 0)
    return AC_EXIT_OK; /* the title block the text stages have seen */
  return insert_title_block(doc, err, errlen);
}

static void episode_run_free(episode_run *r) {
  ac_stage_free(r->synth);
  ac_chain_free(&r->chain);
  for (size_t i = 0; i < r->n_publishers; i++)
    ac_stage_free(r->publishers[i]);
  ac_outputs_free(&r->outputs);
  ac_chapters_free(&r->chapters);
  free(r->segments);
  free(r->keys);
  ac_settings_free(&r->settings);
  ac_voice_free(&r->voice);
  ac_document_free(r->doc);
  free(r->slug);
  free(r->guid);
}

/* A sink that writes files of the extension of `path` (articast say). */
static const ac_plugin *sink_for_file(ac_pipeline *pl, const char *path) {
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < pl->plugins.count; i++) {
    const ac_plugin *p = pl->plugins.items[i].desc;
    for (const char *const *e = p->extensions;
         p->kind == AC_STAGE_SINK && e && *e; e++)
      if (strcasecmp(*e, dot) == 0)
        return p;
  }
  return NULL;
}

static int create_one(episode_run *r, const ac_plugin *p,
                      ac_stage_instance **out, char *err, size_t errlen) {
  char why[1024];
  *out = ac_stage_new_sink(p, &r->settings, &r->episode,
                           p->kind == AC_STAGE_SINK ? &r->outputs : NULL, why,
                           sizeof why);
  if (*out)
    return AC_EXIT_OK;
  snprintf(err, errlen, "%s", why);
  return AC_EXIT_USAGE;
}

/* The sinks: the configured ones, or for `articast say` the one that
 * writes the requested file's format. */
static int create_sinks(episode_run *r, char *err, size_t errlen) {
  ac_pipeline *pl = r->pl;
  ac_config *cfg = pl->cfg;
  audio_chain *c = &r->chain;
  const ac_plugin *p;
  int rc;
  if (pl->output_path) {
    if (!(p = sink_for_file(pl, pl->output_path))) {
      snprintf(err, errlen, "%s: no sink writes this kind of file",
               pl->output_path);
      return AC_EXIT_USAGE;
    }
    if ((rc = create_one(r, p, &c->sinks[0], err, errlen)))
      return rc;
    c->n_sinks = 1;
  }
  for (size_t i = 0; !pl->output_path && i < cfg->n_sinks; i++) {
    if ((rc = resolve(pl, cfg->sinks[i], AC_STAGE_SINK, cfg->sinks_explicit, &p,
                      err, errlen)))
      return rc;
    if (p && (rc = create_one(r, p, &c->sinks[c->n_sinks++], err, errlen)))
      return rc;
  }
  if (c->n_sinks == 0) {
    snprintf(err, errlen,
             "the pipeline has no sink: nothing would be "
             "written ([pipeline] sinks = mp3)");
    return AC_EXIT_USAGE;
  }
  return AC_EXIT_OK;
}

/* Creates every audio and publish stage before any synthesis, so option
 * errors surface at once and nothing is written. */
static int create_stages(episode_run *r, char *err, size_t errlen) {
  ac_pipeline *pl = r->pl;
  ac_config *cfg = pl->cfg;
  const ac_plugin *p;
  int rc;
  if ((rc = resolve(pl, cfg->synth ? cfg->synth : ac_default_pipeline.synth,
                    AC_STAGE_SYNTH, true, &p, err, errlen)) ||
      (rc = create_one(r, p, &r->synth, err, errlen)))
    return rc;
  for (size_t i = 0; i < cfg->n_filters; i++) {
    if ((rc = resolve(pl, cfg->filters[i], AC_STAGE_FILTER,
                      cfg->filters_explicit, &p, err, errlen)))
      return rc;
    audio_chain *c = &r->chain;
    if (p && (rc = create_one(r, p, &c->filters[c->n_filters++], err, errlen)))
      return rc;
  }
  if ((rc = create_sinks(r, err, errlen)))
    return rc;
  for (size_t i = 0; !pl->output_path && i < cfg->n_publishers; i++) {
    if ((rc = resolve(pl, cfg->publishers[i], AC_STAGE_PUBLISH,
                      cfg->publishers_explicit, &p, err, errlen)))
      return rc;
    if (p &&
        (rc = create_one(r, p, &r->publishers[r->n_publishers++], err, errlen)))
      return rc;
  }
  ac_chain_connect(r);
  return AC_EXIT_OK;
}

/* After the last segment: the timeline, the sinks' flush, the files named
 * together, then the publishers. */
static int finish_episode(episode_run *r, char *err, size_t errlen) {
  int rc = ac_chain_finish_timeline(r);
  if (rc) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  for (size_t i = 0; i < r->chain.n_sinks; i++) {
    ac_stage_instance *si = r->chain.sinks[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->flush && (rc = p->flush(ac_stage_handle(si)))) {
      stage_failure(err, errlen, r->input, si, rc);
      return stage_exit_code(rc);
    }
  }
  /* The slug is taken (and may change when another article holds it),
   * the files named as a new version, the publishers switch to it, and
   * only then does the old version go: a kill at any step leaves a site
   * that describes the files it has. */
  char why[1024];
  if ((rc = ac_outputs_claim(&r->outputs, r->episode.guid, why, sizeof why)) ||
      (rc = ac_outputs_commit(&r->outputs, why, sizeof why))) {
    snprintf(err, errlen, "%s: %s", r->input, why);
    return AC_EXIT_OUTPUT;
  }
  r->episode.slug = r->outputs.stem;
  r->episode.artifacts = r->outputs.artifacts;
  r->episode.n_artifacts = r->outputs.count;
  for (size_t i = 0; i < r->n_publishers; i++) {
    ac_stage_instance *si = r->publishers[i];
    if ((rc = ac_stage_plugin(si)->publish(ac_stage_handle(si)))) {
      stage_failure(err, errlen, r->input, si, rc);
      return stage_exit_code(rc);
    }
  }
  ac_outputs_retire(&r->outputs);
  return AC_EXIT_OK;
}

static void report_files(const episode_run *r, FILE *report) {
  for (size_t i = 0; report && i < r->outputs.count; i++) {
    const ac_artifact *a = &r->outputs.artifacts[i];
    if (a->duration > 0)
      fprintf(report, "%s\t%.3f s\n", a->path, a->duration);
    else
      fprintf(report, "%s\n", a->path);
  }
}

/* Lets the synth stage get ready while the text stages run. */
static void warm_up_synth(ac_pipeline *pl) {
  const char *name =
      pl->cfg->synth ? pl->cfg->synth : ac_default_pipeline.synth;
  const ac_plugin *p = ac_plugin_set_find(&pl->plugins, name);
  if (p && p->kind == AC_STAGE_SYNTH && p->warm_up)
    p->warm_up();
}

int ac_run_episode(ac_pipeline *pl, const char *input, FILE *report, char *err,
                   size_t errlen) {
  episode_run r;
  memset(&r, 0, sizeof r);
  r.pl = pl;
  r.input = input;
  warm_up_synth(pl);
  int rc = ac_run_text(pl, input, NULL, &r.doc, err, errlen);
  if (rc)
    return rc;
  const char *site = pl->cfg->site_dir ? pl->cfg->site_dir : "site";
  char *episodes = ac_path_join(site, "episodes");
  bool unspoken;
  if ((rc = prepare_for_speech(r.doc, input, err, errlen)) ||
      (rc = choose_voice(pl, r.doc, &r.voice, &unspoken, err, errlen)) ||
      (rc = layered_settings(pl, &r.voice, &r.settings)))
    goto done;
  r.slug = pl->slug ? strdup(pl->slug) : ac_slugify(r.doc->title);
  r.guid = ac_article_guid(r.doc);
  if (!episodes || !r.slug || !r.guid ||
      ac_outputs_init(&r.outputs, episodes, r.slug, pl->output_path)) {
    snprintf(err, errlen, "out of memory");
    rc = AC_EXIT_FAILURE;
    goto done;
  }
  r.outputs.stem_chosen = pl->slug != NULL;
  r.episode = (ac_episode){.doc = r.doc,
                           .show = &pl->cfg->show,
                           .voice = &r.voice.voice,
                           .site_dir = site,
                           .slug = r.slug,
                           .guid = r.guid,
                           .output_path = pl->output_path,
                           .threads = pl->threads > 0 ? pl->threads : 1};
  if ((rc = create_stages(&r, err, errlen)))
    goto done;
  if ((rc = ac_chain_run(&r))) {
    stage_failure(err, errlen, input, r.chain.failed ? r.chain.failed : r.synth,
                  rc);
    rc = stage_exit_code(rc);
    goto done;
  }
  if ((rc = finish_episode(&r, err, errlen)) == 0)
    report_files(&r, report);
done:
  free(episodes);
  episode_run_free(&r);
  return rc;
}

int ac_run_feed(ac_pipeline *pl, char *err, size_t errlen) {
  int rc = check_settings(pl, err, errlen);
  if (rc)
    return rc;
  ac_config *cfg = pl->cfg;
  const char *site = cfg->site_dir ? cfg->site_dir : "site";
  ac_episode episode = {.show = &cfg->show, .site_dir = site, .threads = 1};
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
      rc = stage_exit_code(prc);
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
