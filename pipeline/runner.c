/* Runs the stages of one article: source and text stages over the whole
 * document, then synth -> filters -> sinks over bounded chunks, then the
 * publishers. */
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

typedef struct audio_chain {
  ac_stage_instance *filters[AC_MAX_STAGES];
  size_t n_filters;
  ac_stage_instance *sinks[AC_MAX_STAGES];
  size_t n_sinks;
  ac_stage_instance *failed; /* the stage whose callback returned an error */
} audio_chain;

typedef struct chain_link {
  audio_chain *chain;
  size_t index; /* filter index, or n_filters for the sinks */
} chain_link;

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

static int run_audio(episode_run *r, const char *input, char *err,
                     size_t errlen) {
  ac_stage *synth = ac_stage_handle(r->synth);
  int rc = ac_stage_plugin(r->synth)->synthesize(synth);
  if (rc) {
    stage_failure(err, errlen, input,
                  r->chain.failed ? r->chain.failed : r->synth, rc);
    return AC_EXIT_FAILURE;
  }
  /* Flushing a filter may emit its tail downstream, so go in order. */
  for (size_t i = 0; i < r->chain.n_filters; i++) {
    ac_stage_instance *si = r->chain.filters[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->flush && (rc = p->flush(ac_stage_handle(si)))) {
      stage_failure(err, errlen, input, r->chain.failed ? r->chain.failed : si,
                    rc);
      return AC_EXIT_FAILURE;
    }
  }
  for (size_t i = 0; i < r->chain.n_sinks; i++) {
    ac_stage_instance *si = r->chain.sinks[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->flush && (rc = p->flush(ac_stage_handle(si)))) {
      stage_failure(err, errlen, input, si, rc);
      return rc == AC_ERR_IO ? AC_EXIT_OUTPUT : AC_EXIT_FAILURE;
    }
  }
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
                           .output_base = r.output_base};
  if ((rc = create_stages(pl, &r, err, errlen)))
    goto done;
  if ((rc = run_audio(&r, input, err, errlen)))
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
