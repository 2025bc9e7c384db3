/*
 * The listening page publisher.
 *
 * Each test episode is spoken by a fake synth into marks (silence for
 * audio), written by the real transcript sink (so its WebVTT file is the
 * one the page must agree with), given a stand-in MP3, and published by
 * the page stage. The pages are read back with libxml2's HTML parser:
 * the sentence elements against the WebVTT cues (ids, times to the
 * millisecond, text), escaping of hostile strings, right-to-left pages,
 * the index's order and neighbour links, the sidecars, atomic and
 * concurrent publishing, and rebuilding with `articast feed`. The page's
 * own helpers (dates, languages, cleaning) are linked in and tested
 * directly.
 */
#include "harness.h"
#include "page.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#define RATE 22050

/* ---- A fake synth ------------------------------------------------------- */

typedef struct script {
  ac_mark *marks;
  size_t n, cap;
  uint64_t total;
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

/* Every block but boilerplate: BLOCK, a SENTENCE mark where a word follows
 * ". ", "! " or "? " (or starts the block), a WORD mark per word (words
 * take time by their length), BLOCK_END, then a pause. */
static void speak(script *s, const ac_document *doc) {
  memset(s, 0, sizeof *s);
  uint64_t t = 0;
  for (size_t b = 0; b < doc->n_blocks; b++) {
    const char *text = doc->blocks[b].text;
    if (doc->blocks[b].kind == AC_BLOCK_BOILERPLATE)
      continue;
    size_t len = strlen(text);
    add_mark(s, AC_MARK_BLOCK, b, 0, len, t);
    t += 400;
    for (size_t i = 0; i < len;) {
      while (i < len && text[i] == ' ')
        i++;
      if (i == len)
        break;
      size_t end = i;
      while (end < len && text[end] != ' ')
        end++;
      if (i == 0 || (i >= 2 && strchr(".!?", text[i - 2])))
        add_mark(s, AC_MARK_SENTENCE, b, i, 0, t += i ? 2000 : 0);
      add_mark(s, AC_MARK_WORD, b, i, end - i, t);
      t += 1800 + 250 * (end - i);
      i = end;
    }
    add_mark(s, AC_MARK_BLOCK_END, b, 0, len, t);
    t += RATE / 2;
  }
  s->total = t;
}

/* ---- Documents ------------------------------------------------------------
 */

static ac_block *add(ac_document *doc, ac_block_kind kind, int level,
                     const char *text) {
  ac_block *b = ac_document_add_block(doc, kind, text, strlen(text));
  ck_assert_ptr_nonnull(b);
  b->level = level;
  return b;
}

static const char *const long_sentence =
    "The harbour bridge, which the council has argued about for eleven "
    "years and which more than two hundred residents came to discuss at "
    "the town hall on a wet Tuesday night, will be repaired from March, "
    "with the footpath closed for six weeks and the cycle lane for four.";

/* An article with every kind of block the page shows. */
static ac_document *article(const char *title, const char *language,
                            const char *date, const char *id) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, title, (size_t)-1);
  ac_set_string(&doc->author, "Jane Doe", (size_t)-1);
  ac_set_string(&doc->language, language, (size_t)-1);
  if (date)
    ac_set_string(&doc->date, date, (size_t)-1);
  if (id)
    ac_set_string(&doc->id, id, (size_t)-1);
  /* Each article its own URL, which identifies it when it has no id. */
  static int serial;
  char url[80];
  snprintf(url, sizeof url, "https://example.org/news/%d?a=1&b=2", ++serial);
  ac_set_string(&doc->url, url, (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, title);
  add(doc, AC_BLOCK_BYLINE, 0, "By Jane Doe");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "The council met on Tuesday. It approved the budget! Work starts in "
      "May.");
  add(doc, AC_BLOCK_HEADING, 2, "Costs & \"risks\"");
  add(doc, AC_BLOCK_PARAGRAPH, 0, long_sentence);
  add(doc, AC_BLOCK_HEADING, 4, "Who pays");
  add(doc, AC_BLOCK_LIST_ITEM, 0, "The city pays half.");
  add(doc, AC_BLOCK_LIST_ITEM, 0, "The port pays the rest.");
  add(doc, AC_BLOCK_QUOTE, 0, "It is about time. We waited long enough.");
  ac_block *mapped =
      add(doc, AC_BLOCK_PARAGRAPH, 0, "Doctor Smith paid five dollars today.");
  mapped->written = strdup("Dr. Smith paid $5 today.");
  static const ac_span spans[] = {{0, 0}, {6, 3}, {18, 15}, {30, 17}};
  mapped->map = malloc(sizeof spans);
  ck_assert_ptr_nonnull(mapped->map);
  memcpy(mapped->map, spans, sizeof spans);
  mapped->n_map = 4;
  ac_block *arabic = add(doc, AC_BLOCK_PARAGRAPH, 0,
                         "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 "
                         "\xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84"
                         "\xD9\x85.");
  arabic->lang = strdup("ar");
  add(doc, AC_BLOCK_BOILERPLATE, 0, "Subscribe now for more.");
  add(doc, AC_BLOCK_BIO, 0, "Jane Doe covers city hall for the Gazette.");
  add(doc, AC_BLOCK_ANNOUNCEMENT, 0,
      "This was an audio version of the article, read by a synthetic voice.");
  return doc;
}

/* ---- Episodes on a test site ------------------------------------------- */

static const ac_show test_show = {.title = "Read & Listen <Weekly>",
                                  .author = "articast tests",
                                  .description = "Articles, read aloud.",
                                  .language = "en-GB",
                                  .base_url = "https://example.org/pod/"};

typedef struct episode {
  ac_document *doc;
  ac_voice_profile vp;
  ac_episode ep;
  char *slug;
  char *base; /* SITE/episodes/<slug> */
  script s;
  harness_sinks h;
  ac_artifact arts[8];
  char *mp3;
} episode;

static char *join(const char *a, const char *b) {
  char *p = ac_path_join(a, b);
  ck_assert_ptr_nonnull(p);
  return p;
}

static char *concat(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 1;
  char *p = malloc(n);
  ck_assert_ptr_nonnull(p);
  snprintf(p, n, "%s%s", a, b);
  return p;
}

/* Runs the transcript sink over the script, as the host would. */
static void write_transcript(episode *e, const char *const *settings) {
  char err[1024] = "";
  ac_stage_instance *si =
      harness_sink_stage(&e->h, "transcript", settings, err, sizeof err);
  ck_assert_msg(si != NULL, "transcript: %s", err);
  static const float silence[4096];
  size_t m = 0;
  for (uint64_t pos = 0; pos < e->s.total;) {
    size_t n = e->s.total - pos < 4096 ? (size_t)(e->s.total - pos) : 4096;
    int last = pos + n >= e->s.total;
    size_t k = m;
    while (k < e->s.n && (e->s.marks[k].sample < pos + n ||
                          (last && e->s.marks[k].sample <= pos + n)))
      k++;
    ac_chunk c = {.samples = silence,
                  .n_samples = n,
                  .position = pos,
                  .sample_rate = RATE,
                  .marks = e->s.marks + m,
                  .n_marks = k - m};
    ck_assert_int_eq(harness_sinks_chunk(&e->h, si, &c), 0);
    m = k;
    pos += n;
  }
  ck_assert_msg(harness_sinks_flush(&e->h, si, err, sizeof err) == 0,
                "transcript flush: %s %s", err, ac_stage_error(si));
  ac_stage_free(si);
}

/* An episode of `doc` in SITE as the sinks leave it: the transcript
 * sink's files and a stand-in MP3 of `mp3_size` bytes, named `stem`
 * and a suffix, as the host names an episode's version of its files
 * ("<slug>.<version>"); the page stays <slug>.html. */
static void episode_make_files(episode *e, const char *site, const char *slug,
                               const char *stem, ac_document *doc,
                               size_t mp3_size,
                               const char *const *transcript_settings) {
  memset(e, 0, sizeof *e);
  e->doc = doc;
  e->slug = strdup(slug);
  char *episodes = join(site, "episodes");
  e->base = join(episodes, stem);
  free(episodes);
  harness_episode(&e->ep, &e->vp, doc);
  e->ep.show = &test_show;
  e->ep.site_dir = site;
  e->ep.slug = e->slug;
  harness_sinks_init(&e->h, &e->ep, e->base);
  speak(&e->s, doc);
  write_transcript(e, transcript_settings);
  size_t n = e->ep.n_artifacts;
  ck_assert_uint_lt(n, 8);
  memcpy(e->arts, e->ep.artifacts, n * sizeof *e->arts);
  e->mp3 = concat(e->base, ".mp3");
  FILE *f = fopen(e->mp3, "wb");
  ck_assert_ptr_nonnull(f);
  for (size_t i = 0; i < mp3_size; i++)
    fputc((int)(i * 7 & 0xFF), f);
  ck_assert_int_eq(fclose(f), 0);
  e->arts[n] = (ac_artifact){.path = e->mp3,
                             .suffix = ".mp3",
                             .mime_type = "audio/mpeg",
                             .role = AC_ROLE_AUDIO,
                             .duration = (double)e->s.total / RATE,
                             .size = mp3_size};
  e->ep.artifacts = e->arts;
  e->ep.n_artifacts = n + 1;
}

static void episode_make(episode *e, const char *site, const char *slug,
                         ac_document *doc, size_t mp3_size,
                         const char *const *transcript_settings) {
  episode_make_files(e, site, slug, slug, doc, mp3_size, transcript_settings);
}

static void episode_free(episode *e) {
  harness_sinks_free(&e->h);
  ac_voice_free(&e->vp);
  ac_document_free(e->doc);
  free(e->s.marks);
  free(e->slug);
  free(e->base);
  free(e->mp3);
}

/* Runs the page stage on an episode (doc NULL: a rebuild); returns its
 * result and copies its error message. */
static int publish(const ac_episode *ep, const char *const *settings, char *err,
                   size_t errlen) {
  char why[1024] = "";
  ac_stage_instance *si = harness_stage("page", settings, ep, why, sizeof why);
  if (!si) {
    snprintf(err, errlen, "%s", why);
    return AC_ERR_INVALID;
  }
  int rc = ac_stage_plugin(si)->publish(ac_stage_handle(si));
  snprintf(err, errlen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  return rc;
}

static void publish_ok(const ac_episode *ep) {
  char err[1024];
  int rc = publish(ep, NULL, err, sizeof err);
  ck_assert_msg(rc == 0, "publish failed (%d): %s", rc, err);
}

static int rebuild(const char *site, char *err, size_t errlen) {
  ac_episode ep = {.show = &test_show, .site_dir = site, .threads = 1};
  return publish(&ep, NULL, err, errlen);
}

/* A site as the feed stage, which runs before the page stage, leaves
 * it: with a feed.xml, which the pages link to. */
static char *site_new(void) {
  char *site = harness_tempdir();
  char *episodes = join(site, "episodes"), *feed = join(site, "feed.xml");
  ck_assert_int_eq(ac_mkdirs(episodes), 0);
  FILE *f = fopen(feed, "w");
  ck_assert_ptr_nonnull(f);
  fputs("<rss/>\n", f);
  ck_assert_int_eq(fclose(f), 0);
  free(feed);
  free(episodes);
  return site;
}

static void site_free(char *site) {
  if (!getenv("PAGE_TEST_KEEP")) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", site);
    ck_assert_int_eq(harness_run(cmd, NULL), 0);
  }
  free(site);
}

static char *page_path(const char *site, const char *slug) {
  char *episodes = join(site, "episodes");
  char *name = concat(slug, ".html");
  char *path = join(episodes, name);
  free(episodes);
  free(name);
  return path;
}

/* ---- Reading pages back ------------------------------------------------ */

typedef struct html {
  char *raw;
  htmlDocPtr doc;
  xmlXPathContextPtr xp;
} html;

static html html_load(const char *path) {
  html h = {.raw = harness_slurp(path)};
  h.doc = htmlReadMemory(h.raw, (int)strlen(h.raw), path, "UTF-8",
                         HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET);
  ck_assert_msg(h.doc != NULL, "%s does not parse", path);
  h.xp = xmlXPathNewContext(h.doc);
  ck_assert_ptr_nonnull(h.xp);
  return h;
}

static void html_free(html *h) {
  xmlXPathFreeContext(h->xp);
  xmlFreeDoc(h->doc);
  free(h->raw);
}

static xmlXPathObjectPtr query(html *h, const char *xpath) {
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, h->xp);
  ck_assert_msg(o != NULL, "bad XPath %s", xpath);
  return o;
}

static int count(html *h, const char *xpath) {
  xmlXPathObjectPtr o = query(h, xpath);
  int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
  xmlXPathFreeObject(o);
  return n;
}

/* The text of the first match, white space folded; NULL when none. */
static char *text(html *h, const char *xpath) {
  xmlXPathObjectPtr o = query(h, xpath);
  char *out = NULL;
  if (o->type == XPATH_STRING) {
    out = strdup((const char *)o->stringval);
  } else if (o->nodesetval && o->nodesetval->nodeNr > 0) {
    xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
    out = strdup(c ? (const char *)c : "");
    xmlFree(c);
  }
  xmlXPathFreeObject(o);
  if (!out)
    return NULL;
  char *w = out;
  int gap = 0;
  for (const char *r = out; *r; r++) {
    if (*r == ' ' || *r == '\n' || *r == '\t') {
      gap = 1;
      continue;
    }
    if (gap && w > out)
      *w++ = ' ';
    gap = 0;
    *w++ = *r;
  }
  *w = '\0';
  return out;
}

static void assert_text(html *h, const char *xpath, const char *want) {
  char *got = text(h, xpath);
  ck_assert_msg(got != NULL, "nothing at %s", xpath);
  ck_assert_msg(strcmp(got, want) == 0, "%s: '%s', want '%s'", xpath, got,
                want);
  free(got);
}

/* ---- WebVTT ------------------------------------------------------------ */

typedef struct vcue {
  char id[32];
  uint64_t start, end; /* ms */
  char text[2048];     /* lines joined by spaces, entities decoded */
} vcue;

static uint64_t vtt_ms(const char *s) {
  unsigned h, m, sec, ms;
  ck_assert_int_eq(sscanf(s, "%u:%u:%u.%u", &h, &m, &sec, &ms), 4);
  return (((uint64_t)h * 60 + m) * 60 + sec) * 1000 + ms;
}

/* &amp; &lt; &gt; decoded, in place. */
static void decode(char *s) {
  char *w = s;
  for (const char *r = s; *r;) {
    if (strncmp(r, "&amp;", 5) == 0) {
      *w++ = '&';
      r += 5;
    } else if (strncmp(r, "&lt;", 4) == 0) {
      *w++ = '<';
      r += 4;
    } else if (strncmp(r, "&gt;", 4) == 0) {
      *w++ = '>';
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = '\0';
}

static size_t vtt_cues(const char *path, vcue *out, size_t max) {
  char *data = harness_slurp(path), *save = NULL, *p = data + 8, *block;
  ck_assert_int_eq(strncmp(data, "WEBVTT\n\n", 8), 0);
  size_t n = 0;
  while ((block = strstr(p, "\n\n")) || *p) {
    if (block)
      *block = '\0';
    char *id = strtok_r(p, "\n", &save), *timing = strtok_r(NULL, "\n", &save);
    ck_assert_ptr_nonnull(timing);
    ck_assert_uint_lt(n, max);
    vcue *c = &out[n++];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->start = vtt_ms(timing);
    c->end = vtt_ms(strstr(timing, "-->") + 4);
    c->text[0] = '\0';
    for (char *line; (line = strtok_r(NULL, "\n", &save));) {
      if (c->text[0])
        strcat(c->text, " ");
      strncat(c->text, line, sizeof c->text - strlen(c->text) - 1);
    }
    decode(c->text);
    if (!block)
      break;
    p = block + 2;
  }
  free(data);
  return n;
}

/* "12.345" from a data-start attribute, in ms. */
static uint64_t attr_ms(const char *s) {
  unsigned long long sec;
  unsigned ms;
  ck_assert_msg(sscanf(s, "%llu.%3u", &sec, &ms) == 2 &&
                    strlen(strchr(s, '.') + 1) == 3,
                "time '%s' is not seconds with 3 decimals", s);
  return sec * 1000 + ms;
}

/* ---- The sentence elements are the WebVTT cues ------------------------- */

/* Checks the page of `slug` against the WebVTT file its captions track
 * names: one sentence element per cue, in order, inside the transcript,
 * with the cue's id, times and text; each paragraph's time link at its
 * first cue. Returns the number of cues. */
static size_t check_cues(const char *site, const char *slug) {
  char *episodes = join(site, "episodes"), *path = page_path(site, slug);
  html h = html_load(path);
  char *src = text(&h, "string(//track[@kind='captions']/@src)");
  ck_assert_msg(src && *src && !strchr(src, '/'), "%s: captions track '%s'",
                slug, src ? src : "");
  char *vtt = join(episodes, src);
  static vcue cues[512];
  size_t n = vtt_cues(vtt, cues, 512);
  ck_assert_int_eq(count(&h, "//span[@class='s']"), (int)n);
  ck_assert_int_eq(count(&h, "//*[@id='transcript']//span[@class='s']"),
                   (int)n);
  for (size_t i = 0; i < n; i++) {
    char xp[160];
    snprintf(xp, sizeof xp, "string((//span[@class='s'])[%zu]/@id)", i + 1);
    assert_text(&h, xp, cues[i].id);
    snprintf(xp, sizeof xp, "(//span[@class='s'])[%zu]", i + 1);
    char *got = text(&h, xp);
    ck_assert_msg(strcmp(got, cues[i].text) == 0, "%s: page '%s', VTT '%s'",
                  cues[i].id, got, cues[i].text);
    free(got);
    snprintf(xp, sizeof xp, "string((//span[@class='s'])[%zu]/@data-start)",
             i + 1);
    char *start = text(&h, xp);
    snprintf(xp, sizeof xp, "string((//span[@class='s'])[%zu]/@data-end)",
             i + 1);
    char *end = text(&h, xp);
    ck_assert_uint_eq(attr_ms(start), cues[i].start);
    ck_assert_uint_eq(attr_ms(end), cues[i].end);
    free(start);
    free(end);
  }
  /* A time link opens each paragraph with a cue, at that cue. */
  int links = count(&h, "//*[@id='transcript']//a[@class='ts']");
  ck_assert_int_gt(links, 0);
  for (int k = 1; k <= links; k++) {
    char xp[200];
    snprintf(xp, sizeof xp,
             "string((//a[@class='ts'])[%d]/@data-start) = "
             "string((//a[@class='ts'])[%d]/following-sibling::"
             "span[@class='s'][1]/@data-start)",
             k, k);
    xmlXPathObjectPtr o = query(&h, xp);
    ck_assert_msg(o->boolval, "time link %d is not at its paragraph's cue", k);
    xmlXPathFreeObject(o);
  }
  html_free(&h);
  free(episodes);
  free(src);
  free(vtt);
  free(path);
  return n;
}

START_TEST(test_cues_match_vtt) {
  char *site = site_new();
  episode e;
  episode_make(&e, site, "harbour",
               article("Harbour & bridge", "en-GB", "2026-05-01", "a1"), 40000,
               NULL);
  publish_ok(&e.ep);
  ck_assert_uint_ge(check_cues(site, "harbour"), 12);
  char *path = page_path(site, "harbour");
  html h = html_load(path);
  /* The long sentence is several cues, as in the captions. */
  ck_assert_int_ge(count(&h, "//p[contains(., 'harbour bridge, which')]"
                             "/span[@class='s']"),
                   2);
  /* The text as written, never as spoken; boilerplate is not there. */
  ck_assert_int_eq(count(&h, "//span[.='Dr. Smith paid $5 today.']"), 1);
  ck_assert_ptr_null(strstr(h.raw, "Doctor"));
  ck_assert_ptr_null(strstr(h.raw, "Subscribe now"));
  /* Structure: the title and the top level as h3, the next level h4. */
  assert_text(&h, "//*[@id='transcript']/h3[1]", "Harbour & bridge");
  assert_text(&h, "//*[@id='transcript']/h3[2]", "Costs & \"risks\"");
  assert_text(&h, "//*[@id='transcript']/h4", "Who pays");
  ck_assert_int_eq(count(&h, "//*[@id='transcript']/ul/li"), 2);
  ck_assert_int_eq(count(&h, "//*[@id='transcript']/ul"), 1);
  ck_assert_int_eq(count(&h, "//blockquote/p/span[@class='s']"), 2);
  ck_assert_int_eq(count(&h, "//p[@class='byline']"), 1);
  /* The show's own words (the outro) are there too, told apart. */
  ck_assert_int_eq(count(&h, "//p[@class='announcement']/span[@class='s']"), 1);
  ck_assert_int_eq(count(&h, "//p[@lang='ar' and @dir='rtl']"), 1);
  /* Chapters: the host's, to the millisecond, each linking to its place. */
  const ac_timeline *t = e.ep.timeline;
  ck_assert_int_eq(count(&h, "//nav[@id='chapters']//a"), (int)t->n_chapters);
  for (size_t i = 0; i < t->n_chapters; i++) {
    char xp[160];
    snprintf(xp, sizeof xp, "string((//nav[@id='chapters']//a)[%zu]/@href)",
             i + 1);
    char *href = text(&h, xp);
    snprintf(xp, sizeof xp, "//*[@id='%s']", href + 1);
    ck_assert_int_eq(count(&h, xp), 1);
    snprintf(xp, sizeof xp,
             "string((//nav[@id='chapters']//a)[%zu]/@data-start)", i + 1);
    char *start = text(&h, xp);
    ck_assert_uint_eq(attr_ms(start),
                      (t->chapters[i].start * 1000 + RATE / 2) / RATE);
    free(href);
    free(start);
  }
  /* The player: native controls, the MP3, the captions track. */
  ck_assert_int_eq(count(&h, "//audio[@id='audio' and @controls and "
                             "@preload='metadata' and not(@autoplay)]"),
                   1);
  ck_assert_int_eq(count(&h, "//source[@src='harbour.mp3']"), 1);
  ck_assert_int_eq(count(&h, "//track[@kind='captions' and @src='harbour.vtt' "
                             "and @srclang='en-GB']"),
                   1);
  ck_assert_int_eq(count(&h, "//a[@download and @href='harbour.mp3']"), 1);
  assert_text(&h, "//a[@download]", "Download MP3 (40 kB)");
  ck_assert_int_eq(count(&h, "//a[@href='harbour.vtt']"), 1);
  html_free(&h);
  free(path);
  episode_free(&e);
  site_free(site);
}
END_TEST

/* ---- Hostile strings ---------------------------------------------------- */

static const char *const evil_title =
    "</title><script>alert(\"t\")</script> & 'q' <!--";

START_TEST(test_escaping) {
  char *site = site_new();
  ac_document *doc = article(evil_title, "en\" onload=\"x", "2026-05-01", NULL);
  ac_set_string(&doc->author, "<img src=x onerror=alert(1)>", (size_t)-1);
  ac_set_string(&doc->summary, "\"><script>alert(2)</script>", (size_t)-1);
  ac_set_string(&doc->url, "javascript:alert(3)", (size_t)-1);
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "Use <b>bold</b> & \"quotes\" here. Control\x01"
      "char and DEL\x7Ftoo.");
  ac_show show = test_show;
  show.title = "Show </title><script>x</script>";
  show.description = "<b>desc</b> \x02";
  show.base_url = "javascript:alert(4)";
  show.language = "\"><x";
  episode e;
  episode_make(&e, site, "evil", doc, 1000, NULL);
  e.ep.show = &show;
  publish_ok(&e.ep);
  check_cues(site, "evil");
  char *path = page_path(site, "evil"), *index = join(site, "index.html");
  const char *files[] = {path, index};
  for (size_t f = 0; f < 2; f++) {
    html h = html_load(files[f]);
    ck_assert_int_eq(count(&h, "//script"), 2); /* the page's own two */
    ck_assert_int_eq(count(&h, "//script[@src]"), 1);
    ck_assert_int_eq(count(&h, "//img | //b | //x"), 0);
    ck_assert_int_eq(count(&h, "//@*[starts-with(name(), 'on')]"), 0);
    ck_assert_int_eq(count(&h, "//a[contains(@href, 'javascript')]"), 0);
    ck_assert_int_eq(count(&h, "//comment()"), 0);
    for (const unsigned char *c = (const unsigned char *)h.raw; *c; c++)
      ck_assert_msg(*c >= 0x20 || *c == '\n', "control byte 0x%02x", *c);
    html_free(&h);
  }
  html h = html_load(path);
  char want[512];
  snprintf(want, sizeof want, "%s \xE2\x80\x94 %s", evil_title, show.title);
  assert_text(&h, "//title", want);
  assert_text(&h, "//h1", evil_title);
  assert_text(&h, "//p[@class='meta']/span", "<img src=x onerror=alert(1)>");
  assert_text(&h, "string(//meta[@name='description']/@content)",
              "\"><script>alert(2)</script>");
  /* Neither the article's language nor the show's is a language tag:
   * the voice's. */
  assert_text(&h, "string(/html/@lang)", "en-US");
  ck_assert_int_eq(count(&h, "//span[.='Use <b>bold</b> & \"quotes\" here.']"),
                   1);
  ck_assert_int_eq(count(&h, "//span[.='Control char and DEL too.']"), 1);
  html_free(&h);
  h = html_load(index);
  assert_text(&h, "//h1", show.title);
  assert_text(&h, "//p[@class='lead']", "<b>desc</b>");
  ck_assert_int_eq(count(&h, "//code[@data-relative]"), 1); /* no base URL */
  assert_text(&h, "string(/html/@lang)", "en-US");          /* the episode's */
  html_free(&h);
  free(path);
  free(index);
  episode_free(&e);
  site_free(site);
}
END_TEST

/* ---- Right to left ------------------------------------------------------- */

START_TEST(test_rtl) {
  static const char *const langs[][2] = {
      {"ar", "rtl"}, {"he", "rtl"},        {"fa-IR", "rtl"},
      {"ur", "rtl"}, {"en-GB", "ltr"},     {"ku-Arab", "rtl"},
      {"fr", "ltr"}, {"az-Latn-AZ", "ltr"}};
  char *site = site_new();
  for (size_t i = 0; i < sizeof langs / sizeof *langs; i++) {
    char slug[32];
    snprintf(slug, sizeof slug, "lang-%zu", i);
    episode e;
    episode_make(&e, site, slug, article("Title", langs[i][0], NULL, NULL), 100,
                 NULL);
    publish_ok(&e.ep);
    char *path = page_path(site, slug);
    html h = html_load(path);
    assert_text(&h, "string(/html/@lang)", langs[i][0]);
    assert_text(&h, "string(/html/@dir)", langs[i][1]);
    int rtl = strcmp(langs[i][1], "rtl") == 0;
    int english = strncmp(langs[i][0], "en", 2) == 0;
    /* Interface text is English, and runs left to right in its place. */
    char xp[200];
    snprintf(xp, sizeof xp, "//div[@id='controls'%s%s]",
             english ? " and not(@lang)" : " and @lang='en'",
             rtl ? " and @dir='ltr'" : " and not(@dir)");
    ck_assert_msg(count(&h, xp) == 1, "%s: %s", langs[i][0], xp);
    /* The Arabic passage: marked unless the page is Arabic. */
    int arabic = strncmp(langs[i][0], "ar", 2) == 0;
    snprintf(xp, sizeof xp, "//p[@lang='ar'%s]",
             rtl ? " and not(@dir)" : " and @dir='rtl'");
    ck_assert_int_eq(count(&h, xp), arabic ? 0 : 1);
    html_free(&h);
    free(path);
    episode_free(&e);
  }
  site_free(site);
}
END_TEST

/* ---- The show's announcements ------------------------------------------ */

#define UR_TITLE                                                               \
  "\xD9\x85\xD8\xAD\xD9\x84\xDB\x92 \xDA\xA9\xDB\x8C "                         \
  "\xD9\x84\xD8\xA7\xD8\xA6\xD8\xA8\xD8\xB1\xDB\x8C\xD8\xB1\xDB\x8C"
#define UR_OPENING                                                             \
  "\xD9\x84\xD9\x88\xDA\xAF \xD9\x85\xDB\x8C\xD8\xB2 \xD9\xBE\xD8\xB1 "        \
  "\xD8\xA7\xD9\xBE\xD9\x86\xD8\xA7 \xD9\x86\xD8\xA7\xD9\x85 "                 \
  "\xD9\x84\xDA\xA9\xDA\xBE\xD8\xAA\xDB\x92 \xDB\x81\xDB\x8C\xDA\xBA\xDB\x94"

/* The show's intro and outro (the announce stage) are sentences of the
 * transcript like the article's, told apart, each in its own language and
 * direction, and never the page's summary; they survive a rebuild from
 * the sidecar. The intro is English in an Urdu article, as when the show
 * has no disclosure sentence in the article's language. */
START_TEST(test_announcements) {
  char *site = site_new();
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, UR_TITLE, (size_t)-1);
  ac_set_string(&doc->language, "ur", (size_t)-1);
  ac_set_string(&doc->url, "https://example.org/ur/1", (size_t)-1);
  add(doc, AC_BLOCK_HEADING, 0, UR_TITLE);
  ac_block *intro = add(doc, AC_BLOCK_ANNOUNCEMENT, 0,
                        "This article was read by a synthetic voice.");
  intro->lang = strdup("en");
  add(doc, AC_BLOCK_PARAGRAPH, 0, UR_OPENING);
  add(doc, AC_BLOCK_HEADING, 2,
      "\xDB\x8C\xDB\x81 \xDA\xA9\xDB\x8C\xD8\xB3\xDB\x92 "
      "\xDA\xA9\xD8\xA7\xD9\x85 "
      "\xDA\xA9\xD8\xB1\xD8\xAA\xD8\xA7 \xDB\x81\xDB\x92");
  add(doc, AC_BLOCK_PARAGRAPH, 0,
      "\xD9\x85\xD8\xB1\xD9\x85\xD8\xAA \xD9\x85\xD9\x81\xD8\xAA "
      "\xDB\x81\xD9\x88\xD8\xAA\xDB\x8C \xDB\x81\xDB\x92\xDB\x94");
  add(doc, AC_BLOCK_ANNOUNCEMENT, 0,
      "\xD8\xA2\xD9\xBE " UR_TITLE " \xD8\xB3\xD9\x86 \xD8\xB1\xDB\x81\xDB\x92 "
      "\xD8\xAA\xDA\xBE\xDB\x92\xDB\x94");
  episode e;
  episode_make(&e, site, "ur-1", doc, 3000, NULL);
  publish_ok(&e.ep);
  ck_assert_uint_eq(check_cues(site, "ur-1"), 6);
  char *path = page_path(site, "ur-1");
  html h = html_load(path);
  ck_assert_int_eq(count(&h, "//p[@class='announcement']/span[@class='s']"), 2);
  /* Right after the title, in English, left to right. */
  ck_assert_int_eq(count(&h, "//*[@id='transcript']/h3[1]/following-sibling::"
                             "*[1][self::p and @class='announcement' and "
                             "@lang='en' and @dir='ltr']"),
                   1);
  /* At the end, in the page's language: nothing to mark. */
  ck_assert_int_eq(count(&h, "//*[@id='transcript']/*[last()][self::p and "
                             "@class='announcement' and not(@lang) and "
                             "not(@dir)]"),
                   1);
  assert_text(&h, "string(//meta[@name='description']/@content)", UR_OPENING);
  html_free(&h);
  char *before = harness_slurp(path);
  ck_assert_int_eq(unlink(path), 0);
  char err[1024];
  ck_assert_msg(rebuild(site, err, sizeof err) == 0, "rebuild: %s", err);
  char *after = harness_slurp(path);
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
  free(path);
  episode_free(&e);
  site_free(site);
}
END_TEST

/* ---- The index and the neighbours --------------------------------------- */

/* Replaces the first `from` in a file by `to`. */
static void edit_file(const char *path, const char *from, const char *to) {
  char *data = harness_slurp(path), *at = strstr(data, from);
  ck_assert_msg(at != NULL, "%s: no '%s'", path, from);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fwrite(data, 1, (size_t)(at - data), f);
  fputs(to, f);
  fputs(at + strlen(from), f);
  ck_assert_int_eq(fclose(f), 0);
  free(data);
}

static void assert_index_order(const char *site, const char *const *slugs,
                               size_t n) {
  char *index = join(site, "index.html");
  html h = html_load(index);
  ck_assert_int_eq(count(&h, "//ol[@class='episodes']/li"), (int)n);
  for (size_t i = 0; i < n; i++) {
    char xp[160], want[160];
    snprintf(xp, sizeof xp,
             "string((//ol[@class='episodes']/li)[%zu]//h3/a/@href)", i + 1);
    snprintf(want, sizeof want, "episodes/%s.html", slugs[i]);
    assert_text(&h, xp, want);
  }
  html_free(&h);
  free(index);
}

/* The rel=prev (older) and rel=next (newer) links of a page. */
static void assert_neighbours(const char *site, const char *slug,
                              const char *older, const char *newer) {
  char *path = page_path(site, slug);
  html h = html_load(path);
  const char *rels[] = {"prev", "next"}, *want[] = {older, newer};
  for (int k = 0; k < 2; k++) {
    char xp[120], href[120];
    snprintf(xp, sizeof xp, "//nav[@class='pager']//a[@rel='%s']", rels[k]);
    ck_assert_int_eq(count(&h, xp), want[k] ? 1 : 0);
    if (!want[k])
      continue;
    snprintf(xp, sizeof xp, "string(//nav[@class='pager']//a[@rel='%s']/@href)",
             rels[k]);
    snprintf(href, sizeof href, "%s.html", want[k]);
    assert_text(&h, xp, href);
  }
  html_free(&h);
  free(path);
}

START_TEST(test_index_order) {
  char *site = site_new();
  episode a, b, c;
  episode_make(&a, site, "first", article("First", "en", "2001-01-01", "id-a"),
               2000, NULL);
  episode_make(&b, site, "second",
               article("Second", "fr", "2002-06-01T08:00:00+02:00", "id-b"),
               3000, NULL);
  episode_make(&c, site, "undated", article("Undated", "en", NULL, NULL), 4000,
               NULL);
  publish_ok(&b.ep);
  publish_ok(&c.ep);
  publish_ok(&a.ep);
  const char *order[] = {"undated", "second", "first"};
  assert_index_order(site, order, 3);
  assert_neighbours(site, "first", NULL, "second");
  assert_neighbours(site, "second", "first", "undated");
  assert_neighbours(site, "undated", "second", NULL);
  char *index = join(site, "index.html");
  html h = html_load(index);
  assert_text(&h, "string((//time)[2]/@datetime)", "2002-06-01");
  assert_text(&h, "(//time)[2]", "1 June 2002");
  ck_assert_int_eq(count(&h, "//article[@lang='fr']"), 1);
  assert_text(&h, "(//a[@download])[1]",
              "Download MP3 (4 kB): Undated"); /* a name per episode */
  assert_text(&h, "//code[@id='feed-url']", "https://example.org/pod/feed.xml");
  html_free(&h);
  /* An undated article keeps the date of its first publication. */
  char *episodes = join(site, "episodes");
  char *sidecar = join(episodes, "undated" PG_SIDECAR_SUFFIX);
  char *data = harness_slurp(sidecar), *p = strstr(data, "published=\"");
  ck_assert_ptr_nonnull(p);
  char old[40];
  snprintf(old, sizeof old, "%.*s", (int)(strchr(p + 11, '"') - p + 1), p);
  edit_file(sidecar, old, "published=\"946728000\""); /* 2000-01-01 */
  publish_ok(&c.ep);
  const char *later[] = {"second", "first", "undated"};
  assert_index_order(site, later, 3);
  free(data);
  free(sidecar);
  free(episodes);
  free(index);
  episode_free(&a);
  episode_free(&b);
  episode_free(&c);
  site_free(site);
}
END_TEST

/* ---- Rebuilding ---------------------------------------------------------- */

static int same_bytes(const char *a, const char *b) {
  char *x = harness_slurp(a), *y = harness_slurp(b);
  int same = strcmp(x, y) == 0;
  free(x);
  free(y);
  return same;
}

START_TEST(test_rebuild) {
  char *site = site_new(), *keep = harness_tempdir();
  episode a, b;
  episode_make(&a, site, "alpha", article("Alpha", "en-GB", "2003-01-01", NULL),
               500, NULL);
  episode_make(&b, site, "beta", article("Beta", "en-GB", "2004-01-01", NULL),
               500, NULL);
  publish_ok(&a.ep);
  publish_ok(&b.ep);
  const char *files[] = {"index.html", "episodes/alpha.html",
                         "episodes/beta.html", "assets/player.js",
                         "assets/player.css"};
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", site, keep);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  /* The stage with no document, as `articast feed` runs it. */
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      char *p = join(site, files[i]);
      ck_assert_int_eq(unlink(p), 0);
      free(p);
    }
    if (round == 0) {
      char err[1024];
      ck_assert_msg(rebuild(site, err, sizeof err) == 0, "rebuild: %s", err);
    } else {
      /* The binary: the feed stage, then the pages, from one config. */
      char *cfg = join(keep, "show.ini");
      FILE *f = fopen(cfg, "w");
      ck_assert_ptr_nonnull(f);
      fprintf(f,
              "[show]\ntitle = %s\ndescription = %s\nlanguage = %s\n"
              "base_url = %s\nauthor = %s\n",
              test_show.title, test_show.description, test_show.language,
              test_show.base_url, test_show.author);
      ck_assert_int_eq(fclose(f), 0);
      snprintf(cmd, sizeof cmd, "'%s' feed -q -o '%s' -c '%s' 2>&1",
               harness_binary(), site, cfg);
      char *out = NULL;
      int rc = harness_run(cmd, &out);
      ck_assert_msg(rc == 0, "articast feed: %d %s", rc, out ? out : "");
      free(out);
      free(cfg);
    }
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      char *p = join(site, files[i]), *q = join(keep, files[i]);
      ck_assert_msg(same_bytes(p, q), "round %d: %s differs", round, files[i]);
      free(p);
      free(q);
    }
  }
  /* A rebuild of a site that does not exist is an error. */
  char err[1024], *gone = join(site, "no-such-site");
  ck_assert_int_eq(rebuild(gone, err, sizeof err), AC_ERR_NOTFOUND);
  ck_assert_ptr_nonnull(strstr(err, "does not exist"));
  free(gone);
  episode_free(&a);
  episode_free(&b);
  site_free(site);
  site_free(keep);
}
END_TEST

/* What stat says of a file: its inode and modification time. */
static void identity(const char *path, ino_t *ino, struct timespec *mtime) {
  struct stat sb;
  ck_assert_int_eq(stat(path, &sb), 0);
  *ino = sb.st_ino;
  *mtime = sb.st_mtim;
}

START_TEST(test_unchanged_files_stay) {
  char *site = site_new();
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", "2003-01-01", NULL),
               500, NULL);
  publish_ok(&a.ep);
  char *page = page_path(site, "alpha"), *index = join(site, "index.html");
  ino_t ino[2];
  struct timespec mt[2];
  identity(page, &ino[0], &mt[0]);
  identity(index, &ino[1], &mt[1]);
  usleep(20000);
  publish_ok(&a.ep);
  const char *paths[] = {page, index};
  for (int i = 0; i < 2; i++) {
    ino_t now;
    struct timespec t;
    identity(paths[i], &now, &t);
    ck_assert_msg(now == ino[i] && t.tv_sec == mt[i].tv_sec &&
                      t.tv_nsec == mt[i].tv_nsec,
                  "%s was rewritten", paths[i]);
  }
  free(page);
  free(index);
  episode_free(&a);
  site_free(site);
}
END_TEST

/* ---- Atomic and concurrent publishing ------------------------------------ */

/* Names under dir (and its subfolders) that hold part, counted. */
static size_t count_named(const char *dir, const char *part) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "find '%s' -name '*%s*' | wc -l", dir, part);
  char *out = NULL;
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  size_t n = (size_t)strtoul(out, NULL, 10);
  free(out);
  return n;
}

/* A reader that reads the files over and over until `stop` exists and
 * exits with the number of reads that found a file half written. */
static void reader(const char *const *paths, size_t n, const char *stop) {
  int bad = 0, reads = 0;
  while (access(stop, F_OK) != 0 || reads < 50) {
    for (size_t i = 0; i < n; i++) {
      FILE *f = fopen(paths[i], "rb");
      if (!f)
        continue; /* not there yet */
      static char buf[1 << 20];
      size_t len = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[len] = '\0';
      reads++;
      if (strncmp(buf, "<!DOCTYPE html>\n", 16) != 0 || len < 8 ||
          strcmp(buf + len - 8, "</html>\n") != 0)
        bad++;
    }
  }
  _exit(bad > 100 ? 100 : bad);
}

START_TEST(test_readers_see_whole_files) {
  char *site = site_new();
  episode a, b;
  episode_make(&a, site, "story", article("A story", "en", "2005-01-01", NULL),
               800, NULL);
  /* The same words (so the same captions), another author: both the page
   * and the index change. */
  ac_document *longer = article("A story", "en", "2005-01-01", NULL);
  ac_set_string(&longer->author, "Jane Doe and a very long list of others",
                (size_t)-1);
  episode_make(&b, site, "story", longer, 900, NULL);
  publish_ok(&a.ep);
  char *page = page_path(site, "story"), *index = join(site, "index.html");
  char *stop = join(site, "stop");
  const char *paths[] = {page, index};
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0)
    reader(paths, 2, stop);
  for (int i = 0; i < 30; i++)
    publish_ok(i % 2 ? &a.ep : &b.ep);
  FILE *f = fopen(stop, "w");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "a reader saw %d half-written files", WEXITSTATUS(status));
  ck_assert_uint_eq(count_named(site, ".tmp-"), 0);
  free(page);
  free(index);
  free(stop);
  episode_free(&a);
  episode_free(&b);
  site_free(site);
}
END_TEST

START_TEST(test_concurrent_publishers) {
  enum { N = 6 };
  char *site = site_new();
  static episode eps[N];
  for (int i = 0; i < N; i++) {
    char slug[16], title[32], date[16];
    snprintf(slug, sizeof slug, "ep-%d", i);
    snprintf(title, sizeof title, "Episode %d", i);
    snprintf(date, sizeof date, "2010-01-%02d", i + 1);
    episode_make(&eps[i], site, slug, article(title, "en", date, NULL), 300,
                 NULL);
  }
  int go[2];
  ck_assert_int_eq(pipe(go), 0);
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    ck_assert_int_ge(pids[i], 0);
    if (pids[i] == 0) {
      char c, err[1024];
      close(go[1]);
      if (read(go[0], &c, 1) < 0) /* all start together, at EOF */
        _exit(2);
      _exit(publish(&eps[i].ep, NULL, err, sizeof err) == 0 ? 0 : 1);
    }
  }
  close(go[0]);
  close(go[1]);
  for (int i = 0; i < N; i++) {
    int status;
    ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const char *order[N] = {"ep-5", "ep-4", "ep-3", "ep-2", "ep-1", "ep-0"};
  assert_index_order(site, order, N);
  assert_neighbours(site, "ep-3", "ep-2", "ep-4");
  for (int i = 0; i < N; i++)
    episode_free(&eps[i]);
  site_free(site);
}
END_TEST

START_TEST(test_failure_keeps_the_site) {
  char *site = site_new();
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", "2003-01-01", NULL),
               500, NULL);
  char *index = join(site, "index.html");
  ck_assert_int_eq(mkdir(index, 0755), 0); /* nothing can replace it */
  char err[1024];
  ck_assert_int_eq(publish(&a.ep, NULL, err, sizeof err), AC_ERR_IO);
  ck_assert_msg(strstr(err, "index.html") != NULL, "error: %s", err);
  /* What was written before is whole; nothing temporary is left. */
  char *page = page_path(site, "alpha");
  char *data = harness_slurp(page);
  ck_assert_ptr_nonnull(strstr(data, "</html>\n"));
  ck_assert_uint_eq(count_named(site, ".tmp-"), 0);
  free(data);
  free(page);
  free(index);
  episode_free(&a);
  site_free(site);
}
END_TEST

START_TEST(test_no_audio_no_page) {
  char *site = site_new();
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", NULL, NULL), 500,
               NULL);
  a.ep.n_artifacts--; /* the MP3 */
  char err[1024];
  ck_assert_int_eq(publish(&a.ep, NULL, err, sizeof err), AC_ERR_NOTFOUND);
  ck_assert_msg(strstr(err, "no audio") != NULL, "error: %s", err);
  ck_assert_uint_eq(count_named(site, ".html"), 0);
  ck_assert_uint_eq(count_named(site, PG_SIDECAR_SUFFIX), 0);
  /* An invalid setting is refused before anything runs. */
  const char *const bad[] = {"max_lines=9", NULL};
  a.ep.n_artifacts++;
  ck_assert_int_eq(publish(&a.ep, bad, err, sizeof err), AC_ERR_INVALID);
  episode_free(&a);
  site_free(site);
}
END_TEST

START_TEST(test_same_article_new_slug) {
  char *site = site_new();
  episode a, b;
  episode_make(&a, site, "old-title",
               article("Old title", "en", "2003-01-01", "same-id"), 500, NULL);
  episode_make(&b, site, "new-title",
               article("New title", "en", "2003-01-01", "same-id"), 500, NULL);
  publish_ok(&a.ep);
  publish_ok(&b.ep);
  const char *order[] = {"new-title"};
  assert_index_order(site, order, 1);
  ck_assert_uint_eq(count_named(site, "old-title" PG_SIDECAR_SUFFIX), 0);
  episode_free(&a);
  episode_free(&b);
  site_free(site);
}
END_TEST

/* The host names an episode's files after its version
 * ("<slug>.<version>.mp3"): the page, still <slug>.html, and the index
 * link the files the sinks wrote, and a new version of the article takes
 * the old one's place everywhere. */
START_TEST(test_versioned_files) {
  char *site = site_new();
  static const char *const stems[] = {"harbour.0123456789",
                                      "harbour.abcdef0123"};
  static const char *const titles[] = {"Harbour & bridge",
                                       "Harbour & bridge, corrected"};
  static const char *const sizes[] = {"Download MP3 (40 kB)",
                                      "Download MP3 (41 kB)"};
  char *index = join(site, "index.html");
  for (int v = 0; v < 2; v++) {
    episode e;
    episode_make_files(&e, site, "harbour", stems[v],
                       article(titles[v], "en-GB", "2026-05-01", "a1"),
                       40000 + 1000 * (size_t)v, NULL);
    publish_ok(&e.ep);
    ck_assert_uint_ge(check_cues(site, "harbour"), 12);
    char *path = page_path(site, "harbour");
    html h = html_load(path);
    char xp[300];
    snprintf(xp, sizeof xp, "//source[@src='%s.mp3']", stems[v]);
    ck_assert_int_eq(count(&h, xp), 1);
    snprintf(xp, sizeof xp, "//track[@kind='captions' and @src='%s.vtt']",
             stems[v]);
    ck_assert_int_eq(count(&h, xp), 1);
    snprintf(xp, sizeof xp, "//a[@download and @href='%s.mp3']", stems[v]);
    ck_assert_int_eq(count(&h, xp), 1);
    assert_text(&h, "//a[@download]", sizes[v]);
    ck_assert_int_gt(count(&h, "//a[@class='ts']"), 2);
    snprintf(xp, sizeof xp,
             "//a[@class='ts' and not(starts-with(@href, '%s.mp3#t='))]",
             stems[v]);
    ck_assert_int_eq(count(&h, xp), 0);
    ck_assert_ptr_null(strstr(h.raw, stems[1 - v]));
    html_free(&h);
    h = html_load(index);
    ck_assert_int_eq(count(&h, "//ol[@class='episodes']/li"), 1);
    assert_text(&h, "string(//ol[@class='episodes']/li//h3/a/@href)",
                "episodes/harbour.html");
    snprintf(xp, sizeof xp,
             "//ol[@class='episodes']/li//a[@download and "
             "@href='episodes/%s.mp3']",
             stems[v]);
    ck_assert_int_eq(count(&h, xp), 1);
    ck_assert_ptr_null(strstr(h.raw, stems[1 - v]));
    html_free(&h);
    free(path);
    episode_free(&e);
  }
  free(index);
  site_free(site);
}
END_TEST

START_TEST(test_gone_audio_is_unlisted) {
  char *site = site_new();
  episode a, b;
  episode_make(&a, site, "alpha", article("Alpha", "en", "2003-01-01", NULL),
               500, NULL);
  episode_make(&b, site, "beta", article("Beta", "en", "2004-01-01", NULL), 500,
               NULL);
  publish_ok(&a.ep);
  publish_ok(&b.ep);
  ck_assert_int_eq(unlink(a.mp3), 0);
  char err[1024];
  ck_assert_msg(rebuild(site, err, sizeof err) == 0, "%s", err);
  const char *order[] = {"beta"};
  assert_index_order(site, order, 1);
  assert_neighbours(site, "beta", NULL, NULL);
  episode_free(&a);
  episode_free(&b);
  site_free(site);
}
END_TEST

/* ---- Sidecars ------------------------------------------------------------ */

START_TEST(test_bad_sidecars_are_skipped) {
  char *site = site_new();
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", "2003-01-01", NULL),
               500, NULL);
  publish_ok(&a.ep);
  char *episodes = join(site, "episodes");
  char *good = join(episodes, "alpha" PG_SIDECAR_SUFFIX);
  char *xml = harness_slurp(good);
  static const char *const evils[][3] = {
      {"garbage", NULL, "not xml at all <"},
      {"escape", "episodes/alpha.mp3", "../../../etc/passwd"},
      {"absolute", "episodes/alpha.mp3", "/etc/passwd"},
      {"future", "version=\"1\"", "version=\"2\""},
      {"nolang", "<language>en</language>", "<language>e n</language>"},
      {"badtime", "start-ms=\"", "start-ms=\"x"},
      {"badcue", "<cue n=\"1\"", "<cue n=\"0\""},
      {"badchapter", "block=\"0\"", "block=\"999\""},
  };
  for (size_t i = 0; i < sizeof evils / sizeof *evils; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s" PG_SIDECAR_SUFFIX, evils[i][0]);
    char *path = join(episodes, name);
    if (!evils[i][1]) {
      harness_write_text(path, evils[i][2]);
    } else {
      harness_write_text(path, xml);
      edit_file(path, evils[i][1], evils[i][2]);
    }
    free(path);
  }
  char err[1024];
  ck_assert_msg(rebuild(site, err, sizeof err) == 0, "%s", err);
  const char *order[] = {"alpha"};
  assert_index_order(site, order, 1);
  ck_assert_uint_eq(count_named(site, "escape.html"), 0);
  /* A sidecar reads back to the same data: rendered again, the same bytes. */
  pg_episode ep;
  char why[256];
  ck_assert_int_eq(
      pg_sidecar_parse(xml, strlen(xml), good, &ep, why, sizeof why), 0);
  char *again = NULL;
  size_t len = 0;
  ck_assert_int_eq(pg_sidecar_render(&ep, &again, &len), 0);
  ck_assert_str_eq(again, xml);
  ck_assert_uint_ge(ep.n_blocks, 10);
  ck_assert_uint_eq(ep.n_chapters, 4);
  free(again);
  free(ep.slug);
  ep.slug = NULL;
  pg_episode_free(&ep);
  free(xml);
  free(good);
  free(episodes);
  episode_free(&a);
  site_free(site);
}
END_TEST

/* ---- Cue layout ---------------------------------------------------------- */

/* Runs fn with standard error going to a file; returns what it wrote. */
static char *capture_stderr(void (*fn)(void *), void *arg) {
  char *dir = harness_tempdir(), *path = join(dir, "stderr");
  fflush(stderr);
  int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  dup2(fd, 2);
  close(fd);
  fn(arg);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  char *out = harness_slurp(path);
  unlink(path);
  rmdir(dir);
  free(path);
  free(dir);
  return out;
}

static void publish_quietly(void *arg) {
  char err[1024];
  const char *const narrow[] = {"max_line=30", NULL};
  ac_episode *ep = arg;
  ck_assert_int_eq(
      publish(ep, ep->threads == 2 ? narrow : NULL, err, sizeof err), 0);
}

START_TEST(test_cue_layout_follows_the_transcript) {
  char *site = site_new();
  const char *const narrow[] = {"max_line=30", NULL};
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", "2003-01-01", NULL),
               500, narrow);
  /* The page left at the transcript's default layout: warned about. */
  char *log = capture_stderr(publish_quietly, &a.ep);
  ck_assert_msg(strstr(log, "differ from") && strstr(log, "max_line"),
                "no warning in: %s", log);
  free(log);
  /* Told the transcript's layout, it agrees to the cue. */
  a.ep.threads = 2; /* publish_quietly: with max_line=30 */
  log = capture_stderr(publish_quietly, &a.ep);
  ck_assert_msg(strstr(log, "differ from") == NULL, "warned: %s", log);
  free(log);
  check_cues(site, "alpha");
  episode_free(&a);
  site_free(site);
}
END_TEST

START_TEST(test_no_index) {
  char *site = site_new();
  episode a;
  episode_make(&a, site, "alpha", article("Alpha", "en", NULL, NULL), 500,
               NULL);
  const char *const settings[] = {"index=false", NULL};
  char err[1024];
  ck_assert_msg(publish(&a.ep, settings, err, sizeof err) == 0, "%s", err);
  char *index = join(site, "index.html"), *page = page_path(site, "alpha");
  ck_assert_int_ne(access(index, F_OK), 0);
  ck_assert_int_eq(access(page, F_OK), 0);
  /* The assets are the compiled-in ones, named with their version. */
  html h = html_load(page);
  for (size_t i = 0; i < pg_n_assets; i++) {
    char rel[64], xp[256];
    snprintf(rel, sizeof rel, "assets/%s", pg_assets[i].name);
    char *path = join(site, rel);
    char *data = harness_slurp(path);
    ck_assert_uint_eq(strlen(data), pg_assets[i].size);
    ck_assert_int_eq(memcmp(data, pg_assets[i].data, pg_assets[i].size), 0);
    snprintf(xp, sizeof xp,
             "//*[starts-with(@src, '../%s?v=') or starts-with(@href, "
             "'../%s?v=')]",
             rel, rel);
    ck_assert_int_eq(count(&h, xp), 1);
    free(data);
    free(path);
  }
  html_free(&h);
  free(index);
  free(page);
  episode_free(&a);
  site_free(site);
}
END_TEST

/* ---- The page's helpers -------------------------------------------------- */

START_TEST(test_dates) {
  int64_t t;
  ck_assert_int_eq(pg_parse_date("2026-05-01", &t), 0);
  ck_assert_int_eq(t, 1777636800); /* 12:00 UTC */
  ck_assert_int_eq(pg_parse_date("2026-05-01T10:30:00+02:00", &t), 0);
  ck_assert_int_eq(t, 1777624200);
  ck_assert_int_eq(pg_parse_date("2026-05-01 10:30Z", &t), 0);
  ck_assert_int_eq(pg_parse_date("2024-02-29T23:59:59.5-0130", &t), 0);
  static const char *const bad[] = {"",
                                    "2026",
                                    "2026-13-01",
                                    "2026-02-30",
                                    "2025-02-29",
                                    "2026-05-0",
                                    "2026-05-01T10",
                                    "2026-05-01T10:30+02:0",
                                    "2026-05-01T25:00",
                                    "2026-05-01T10:30+2",
                                    "1 May 2026",
                                    "2026-05-01junk"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    ck_assert_msg(pg_parse_date(bad[i], &t) != 0, "took '%s'", bad[i]);
  ac_textbuf b = {0};
  pg_put_long_date(&b, 1777636800);
  ac_textbuf_puts(&b, "|");
  pg_put_iso_date(&b, 1777636800);
  ac_textbuf_puts(&b, "|");
  pg_put_duration(&b, 65.4);
  ac_textbuf_puts(&b, "|");
  pg_put_duration(&b, 3600 + 120);
  ac_textbuf_puts(&b, "|");
  pg_put_clock(&b, 3723999);
  ac_textbuf_puts(&b, "|");
  pg_put_clock(&b, 59999);
  ac_textbuf_puts(&b, "|");
  pg_put_seconds(&b, 12005);
  ac_textbuf_puts(&b, "|");
  pg_put_size(&b, 2149000);
  ck_assert_str_eq(b.data, "1 May 2026|2026-05-01|1 minute 5 seconds|1 hour "
                           "2 minutes|1:02:03|0:59|12.005|2.1 MB");
  ac_textbuf_free(&b);
}
END_TEST

START_TEST(test_languages) {
  static const char *const valid[] = {"en",  "en-GB",          "zh-Hant-TW",
                                      "ckb", "ca-ES-valencia", "x-private"};
  static const char *const invalid[] = {
      "",     "e",    "english", "en_GB", "en-", "en--GB", "en-toolongsubtag",
      "1234", "en GB"};
  for (size_t i = 0; i < 5; i++)
    ck_assert_msg(pg_lang_valid(valid[i]), "refused %s", valid[i]);
  ck_assert(!pg_lang_valid(valid[5])); /* no language at all */
  for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
    ck_assert_msg(!pg_lang_valid(invalid[i]), "took '%s'", invalid[i]);
  static const char *const rtl[] = {
      "ar", "ar-EG", "he", "HE-il", "fa",      "ur",      "ps",        "yi",
      "dv", "ckb",   "sd", "ug",    "az-Arab", "pa-Arab", "ku-Arab-IQ"};
  static const char *const ltr[] = {"en",      "fr-FR",     "ku", "az",
                                    "az-Latn", "ur-Latn",   "pa", "tr",
                                    "ar-Latn", "en-x-arab", "hi"};
  for (size_t i = 0; i < sizeof rtl / sizeof *rtl; i++)
    ck_assert_msg(pg_lang_rtl(rtl[i]), "%s not right to left", rtl[i]);
  for (size_t i = 0; i < sizeof ltr / sizeof *ltr; i++)
    ck_assert_msg(!pg_lang_rtl(ltr[i]), "%s right to left", ltr[i]);
  ck_assert(pg_lang_same("en-GB", "EN"));
  ck_assert(!pg_lang_same("en", "eo"));
}
END_TEST

START_TEST(test_cleaning) {
  char *s = pg_clean("a\x01"
                     "b\x7F"
                     "c \xFF\xFE"
                     "d \xEF\xBF\xBE"
                     "e\r\nf",
                     (size_t)-1, 0);
  ck_assert_str_eq(s, "a b c \xEF\xBF\xBD\xEF\xBF\xBD"
                      "d \xEF\xBF\xBD"
                      "e\n\nf");
  free(s);
  s = pg_clean("  many \t\n spaces\x02here  ", (size_t)-1, 1);
  ck_assert_str_eq(s, "many spaces here");
  free(s);
  s = pg_truncate("one two three four five", 12);
  ck_assert_str_eq(s, "one two\xE2\x80\xA6");
  free(s);
  ac_textbuf b = {0};
  pg_html_attr(&b, "a\"b'c<d>e&f\ng");
  ac_textbuf_puts(&b, "|");
  pg_html_text(&b, "a\"b'c<d>e&f");
  ac_textbuf_puts(&b, "|");
  pg_html_path(&b, "episodes/a b\"c.mp3");
  ck_assert_str_eq(b.data, "a&quot;b&#39;c&lt;d&gt;e&amp;f g|a\"b'c&lt;d&gt;"
                           "e&amp;f|episodes/a%20b%22c.mp3");
  ac_textbuf_free(&b);
  ck_assert(pg_is_http_url("https://example.org/x"));
  ck_assert(!pg_is_http_url("javascript:alert(1)"));
  ck_assert(!pg_is_http_url("https:///x"));
  ck_assert(!pg_is_http_url("https://exa mple.org/"));
}
END_TEST

static Suite *page_suite(void) {
  Suite *s = suite_create("page");
  TCase *tc = tcase_create("page");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_cues_match_vtt);
  tcase_add_test(tc, test_escaping);
  tcase_add_test(tc, test_rtl);
  tcase_add_test(tc, test_announcements);
  tcase_add_test(tc, test_index_order);
  tcase_add_test(tc, test_rebuild);
  tcase_add_test(tc, test_unchanged_files_stay);
  tcase_add_test(tc, test_readers_see_whole_files);
  tcase_add_test(tc, test_concurrent_publishers);
  tcase_add_test(tc, test_failure_keeps_the_site);
  tcase_add_test(tc, test_no_audio_no_page);
  tcase_add_test(tc, test_same_article_new_slug);
  tcase_add_test(tc, test_versioned_files);
  tcase_add_test(tc, test_gone_audio_is_unlisted);
  tcase_add_test(tc, test_bad_sidecars_are_skipped);
  tcase_add_test(tc, test_cue_layout_follows_the_transcript);
  tcase_add_test(tc, test_no_index);
  tcase_add_test(tc, test_dates);
  tcase_add_test(tc, test_languages);
  tcase_add_test(tc, test_cleaning);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return harness_main(page_suite());
}
