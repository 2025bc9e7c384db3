/* The feed publisher: feed.xml's namespaces, channel and item fields,
 * incremental and byte-stable publishing, rebuilds, concurrent publishers,
 * escaping, cover art checks and the default cover; then xmllint and
 * feedparser read the result. */
#include "cover.h"
#include "feed.h"
#include "harness.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <zlib.h>

#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define BASE "https://example.org/pod/"

static const ac_show test_show = {
    .title = "Read Aloud Weekly",
    .author = "Articast Tests",
    .description = "Articles & essays, read aloud.",
    .language = "en-US",
    .base_url = "https://example.org/pod", /* no trailing slash on purpose */
    .link = "https://example.org/"};

/* The feed stage's own settings of the test show, before any a test adds
 * (which win, coming later). */
static const char *const show_settings[] = {
    "owner_name=Test Owner", "owner_email=owner@example.org",
    "category=news", /* matched case-insensitively */
    "subcategory=daily news"};
#define N_SHOW_SETTINGS (sizeof show_settings / sizeof show_settings[0])

/* ---- Fixtures ----------------------------------------------------------- */

/* A file of exactly `size` bytes with a recognisable pattern. */
static void write_sized(const char *path, size_t size) {
  unsigned char *buf = malloc(size ? size : 1);
  ck_assert_ptr_nonnull(buf);
  for (size_t i = 0; i < size; i++)
    buf[i] = (unsigned char)(i * 7 + 3);
  harness_write_bytes(path, buf, size);
  free(buf);
}

static long long file_size(const char *path) {
  struct stat sb;
  ck_assert_msg(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
  return (long long)sb.st_size;
}

static char *join(const char *a, const char *b) {
  char *p = ac_path_join(a, b);
  ck_assert_ptr_nonnull(p);
  return p;
}

static char *site_new(void) {
  char *site = harness_tempdir();
  char *episodes = join(site, "episodes");
  ck_assert_int_eq(ac_mkdirs(episodes), 0);
  free(episodes);
  return site;
}

/* One rendered episode, as the sinks would leave it. */
typedef struct fake {
  ac_document *doc;
  ac_show show;
  ac_episode ep;
  ac_artifact arts[5];
  char *paths[5];
  size_t n_arts;
  char *base;
  char *slug;
  char *guid;
  ac_chapter chapters[3];
  ac_timeline timeline;
} fake;

typedef struct fake_spec {
  const char *slug, *title, *id, *url, *date;
  size_t mp3_size;
  double duration;
  int no_chapters; /* leave the chapters JSON out */
  int no_mp3;      /* the sinks wrote no MP3 */
} fake_spec;

static void fake_add(fake *f, const char *ext, const char *mime,
                     double duration) {
  size_t n = strlen(f->base) + strlen(ext) + 1;
  char *path = malloc(n);
  ck_assert_ptr_nonnull(path);
  snprintf(path, n, "%s%s", f->base, ext);
  f->paths[f->n_arts] = path;
  ac_artifact_role role = strcmp(ext, ".mp3") == 0 ? AC_ROLE_AUDIO
                          : strcmp(ext, ".chapters.json") == 0
                              ? AC_ROLE_CHAPTERS
                          : strcmp(ext, ".txt") == 0 ? AC_ROLE_TEXT
                                                     : AC_ROLE_TRANSCRIPT;
  f->arts[f->n_arts] = (ac_artifact){.path = path,
                                     .suffix = ext,
                                     .mime_type = mime,
                                     .role = role,
                                     .duration = duration};
  f->n_arts++;
}

static void fake_init(fake *f, const char *site, const fake_spec *s) {
  memset(f, 0, sizeof *f);
  f->show = test_show;
  f->slug = strdup(s->slug);
  char *episodes = join(site, "episodes");
  f->base = join(episodes, s->slug);
  free(episodes);
  f->doc = ac_document_new();
  ac_set_string(&f->doc->title, s->title, (size_t)-1);
  ac_set_string(&f->doc->author, "Jane Doe", (size_t)-1);
  ac_set_string(&f->doc->language, "en-GB", (size_t)-1);
  if (s->id)
    ac_set_string(&f->doc->id, s->id, (size_t)-1);
  if (s->url)
    ac_set_string(&f->doc->url, s->url, (size_t)-1);
  if (s->date)
    ac_set_string(&f->doc->date, s->date, (size_t)-1);
  ac_document_add_block(f->doc, AC_BLOCK_HEADING, s->title, (size_t)-1)->level =
      0;
  const char *para = "The opening paragraph says what the article is about.";
  ac_document_add_block(f->doc, AC_BLOCK_PARAGRAPH, para, (size_t)-1);
  ac_document_add_block(f->doc, AC_BLOCK_PARAGRAPH, "A second one.",
                        (size_t)-1);
  if (!s->no_mp3) {
    fake_add(f, ".mp3", "audio/mpeg", s->duration);
    write_sized(f->paths[f->n_arts - 1], s->mp3_size);
    f->arts[f->n_arts - 1].size = s->mp3_size;
  }
  fake_add(f, ".vtt", "text/vtt", 0);
  harness_write_text(f->paths[f->n_arts - 1], "WEBVTT\n\n");
  fake_add(f, ".srt", "application/x-subrip", 0);
  harness_write_text(f->paths[f->n_arts - 1],
                     "1\n00:00:00,000 --> 00:00:01,000\nx\n");
  fake_add(f, ".txt", "text/plain", 0);
  harness_write_text(f->paths[f->n_arts - 1], "text\n");
  if (!s->no_chapters) {
    fake_add(f, ".chapters.json", "application/json+chapters", 0);
    char *fixture = harness_data("feed/chapters.json");
    char *json = harness_slurp(fixture);
    harness_write_text(f->paths[f->n_arts - 1], json);
    free(json);
    free(fixture);
  }
  /* The host's chapters of the episode, at 1000 frames a second. */
  f->chapters[0] = (ac_chapter){0, 30000, "Fish & Chips <intro>", 0};
  f->chapters[1] = (ac_chapter){30000, 65250, "Thirty seconds", 1};
  f->chapters[2] = (ac_chapter){
      65250, 90000, "Caf\xC3\xA9 \xF0\x9F\x8D\xB5 and \"quotes\"", 2};
  f->timeline = (ac_timeline){.sample_rate = 1000,
                              .n_samples = 90000,
                              .chapters = f->chapters,
                              .n_chapters = s->no_chapters ? 0 : 3};
  f->guid = ac_article_guid(f->doc);
  f->ep = (ac_episode){.doc = f->doc,
                       .show = &f->show,
                       .voice = NULL,
                       .site_dir = site,
                       .slug = f->slug,
                       .guid = f->guid,
                       .timeline = &f->timeline,
                       .artifacts = f->arts,
                       .n_artifacts = f->n_arts,
                       .threads = 1};
}

static void fake_free(fake *f) {
  ac_document_free(f->doc);
  for (size_t i = 0; i < f->n_arts; i++)
    free(f->paths[i]);
  free(f->base);
  free(f->slug);
  free(f->guid);
}

/* Runs the feed stage on an episode; returns its result and copies its
 * error message. */
static int publish_ep(const ac_episode *ep, const char *const *settings,
                      char *err, size_t errlen) {
  char why[1024] = "";
  const char *all[N_SHOW_SETTINGS + 8];
  size_t n = 0;
  for (; n < N_SHOW_SETTINGS; n++)
    all[n] = show_settings[n];
  for (size_t i = 0; settings && settings[i] && n + 1 < N_SHOW_SETTINGS + 8;
       i++)
    all[n++] = settings[i];
  all[n] = NULL;
  ac_stage_instance *si = harness_stage("feed", all, ep, why, sizeof why);
  if (!si) {
    if (err)
      snprintf(err, errlen, "%s", why);
    return AC_ERR_INVALID;
  }
  int rc = ac_stage_plugin(si)->publish(ac_stage_handle(si));
  if (err)
    snprintf(err, errlen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  return rc;
}

static void publish_ok(fake *f) {
  char err[1024];
  int rc = publish_ep(&f->ep, NULL, err, sizeof err);
  ck_assert_msg(rc == 0, "publish failed: %s", err);
}

static int rebuild(const char *site, const ac_show *show, char *err,
                   size_t errlen) {
  ac_episode ep = {.show = show, .site_dir = site};
  return publish_ep(&ep, NULL, err, errlen);
}

/* Removes a test's temporary site, and frees its path. */
static void site_free(char *site) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", site);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  free(site);
}

static char *feed_path(const char *site) {
  return join(site, "feed.xml");
}

/* ---- Reading the feed back ---------------------------------------------- */

typedef struct parsed {
  xmlDocPtr doc;
  xmlXPathContextPtr xp;
} parsed;

static parsed parse_feed(const char *site) {
  char *path = feed_path(site);
  parsed p;
  p.doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
  ck_assert_msg(p.doc != NULL, "%s is not well-formed XML", path);
  free(path);
  p.xp = xmlXPathNewContext(p.doc);
  xmlXPathRegisterNs(p.xp, BAD_CAST "itunes", BAD_CAST NS_ITUNES);
  xmlXPathRegisterNs(p.xp, BAD_CAST "podcast", BAD_CAST NS_PODCAST);
  xmlXPathRegisterNs(p.xp, BAD_CAST "atom", BAD_CAST NS_ATOM);
  return p;
}

static void parsed_free(parsed *p) {
  xmlXPathFreeContext(p->xp);
  xmlFreeDoc(p->doc);
}

/* The string value of an XPath expression, malloc'd. */
static char *xs(parsed *p, const char *expr) {
  char full[512];
  snprintf(full, sizeof full, "string(%s)", expr);
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, p->xp);
  ck_assert_msg(o != NULL, "bad XPath %s", expr);
  char *s = strdup(o->stringval ? (const char *)o->stringval : "");
  xmlXPathFreeObject(o);
  return s;
}

static int xcount(parsed *p, const char *expr) {
  char full[512];
  snprintf(full, sizeof full, "count(%s)", expr);
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, p->xp);
  ck_assert_msg(o != NULL, "bad XPath %s", expr);
  int n = (int)o->floatval;
  xmlXPathFreeObject(o);
  return n;
}

#define ck_xpath_eq(p, expr, want)                                             \
  do {                                                                         \
    char *got_ = xs((p), (expr));                                              \
    ck_assert_msg(strcmp(got_, (want)) == 0, "%s: got '%s', want '%s'",        \
                  (expr), got_, (want));                                       \
    free(got_);                                                                \
  } while (0)

#define ck_xpath_has(p, expr, part)                                            \
  do {                                                                         \
    char *got_ = xs((p), (expr));                                              \
    ck_assert_msg(strstr(got_, (part)) != NULL, "%s: '%s' lacks '%s'", (expr), \
                  got_, (part));                                               \
    free(got_);                                                                \
  } while (0)

static const fake_spec first_spec = {.slug = "first-article",
                                     .title = "First article",
                                     .id = "article-0001",
                                     .url = "https://news.example.com/a/1",
                                     .date = "2024-05-01",
                                     .mp3_size = 123457,
                                     .duration = 61.6};
static const fake_spec second_spec = {.slug = "second-article",
                                      .title = "Second article",
                                      .url = "https://news.example.com/a/2",
                                      .date = "2024-06-03T08:15:00+02:00",
                                      .mp3_size = 54321,
                                      .duration = 3725.2};

/* ---- Identifiers and dates ---------------------------------------------- */

START_TEST(podcast_guid_matches_the_test_vector) {
  char guid[37];
  feed_podcast_guid("podnews.net/rss", guid);
  ck_assert_str_eq(guid, "9b024349-ccf0-5f69-a609-6b82873eab3c");
  /* The scheme and trailing slashes do not count. */
  feed_podcast_guid("https://podnews.net/rss/", guid);
  ck_assert_str_eq(guid, "9b024349-ccf0-5f69-a609-6b82873eab3c");
  ck_assert(feed_is_uuid(guid));
  ck_assert(!feed_is_uuid("9b024349-ccf0-5f69-a609-6b82873eab3"));
}
END_TEST

START_TEST(dates_are_rfc2822_with_the_right_weekday) {
  static const struct {
    const char *iso, *rfc;
  } cases[] = {
      {"2024-05-01", "Wed, 01 May 2024 12:00:00 +0000"},
      {"2024-02-29T23:30:00+02:00", "Thu, 29 Feb 2024 21:30:00 +0000"},
      {"1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 +0000"},
      {"2000-03-01 07:05", "Wed, 01 Mar 2000 07:05:00 +0000"},
      {"1999-12-31T23:59:59.250-0130", "Sat, 01 Jan 2000 01:29:59 +0000"},
      {"2038-01-19T03:14:08Z", "Tue, 19 Jan 2038 03:14:08 +0000"},
      {"1969-12-31T23:00:00Z", "Wed, 31 Dec 1969 23:00:00 +0000"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t t;
    ck_assert_msg(feed_parse_date(cases[i].iso, &t) == 0, "%s", cases[i].iso);
    char out[40];
    feed_format_date(t, out, sizeof out);
    ck_assert_str_eq(out, cases[i].rfc);
    /* Cross-check weekday and date with the C library. */
    time_t tt = (time_t)t;
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
    ck_assert_int_eq(strncmp(out, wd[tm.tm_wday], 3), 0);
  }
  static const char *const bad[] = {
      "2024-02-30",       "2023-02-29",     "2024-13-01", "May 1, 2024",
      "2024-05-01T25:00", "2024-05-01junk", "",           "2024-5-1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t t;
    ck_assert_msg(feed_parse_date(bad[i], &t) != 0, "accepted '%s'", bad[i]);
  }
}
END_TEST

/* ---- The feed ----------------------------------------------------------- */

START_TEST(channel_has_namespaces_and_every_must) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  parsed p = parse_feed(site);

  /* Exactly the three namespaces, declared on <rss>. */
  xmlNodePtr root = xmlDocGetRootElement(p.doc);
  ck_assert_str_eq((const char *)root->name, "rss");
  ck_xpath_eq(&p, "/rss/@version", "2.0");
  int n_ns = 0, itunes = 0, podcast = 0, atom = 0;
  for (xmlNsPtr ns = root->nsDef; ns; ns = ns->next, n_ns++) {
    const char *prefix = (const char *)ns->prefix,
               *href = (const char *)ns->href;
    itunes += prefix && !strcmp(prefix, "itunes") && !strcmp(href, NS_ITUNES);
    podcast +=
        prefix && !strcmp(prefix, "podcast") && !strcmp(href, NS_PODCAST);
    atom += prefix && !strcmp(prefix, "atom") && !strcmp(href, NS_ATOM);
  }
  ck_assert_int_eq(n_ns, 3);
  ck_assert(itunes == 1 && podcast == 1 && atom == 1);

  ck_assert_int_eq(xcount(&p, "/rss/channel"), 1);
  ck_xpath_eq(&p, "/rss/channel/title", "Read Aloud Weekly");
  ck_xpath_eq(&p, "/rss/channel/link", "https://example.org/");
  char *desc = xs(&p, "/rss/channel/description");
  ck_assert(strlen(desc) <= 4000);
  ck_assert(strstr(desc, "Articles & essays, read aloud.") == desc);
  ck_assert(strstr(desc, "synthetic voice") != NULL);
  free(desc);
  ck_xpath_eq(&p, "/rss/channel/language", "en-us");
  ck_xpath_eq(&p, "/rss/channel/itunes:image/@href", BASE "cover.png");
  ck_xpath_eq(&p, "/rss/channel/itunes:category/@text", "News");
  ck_xpath_eq(&p, "/rss/channel/itunes:category/itunes:category/@text",
              "Daily News");
  ck_xpath_eq(&p, "/rss/channel/itunes:explicit", "false");
  ck_xpath_eq(&p, "/rss/channel/itunes:author", "Articast Tests");
  ck_xpath_eq(&p, "/rss/channel/itunes:owner/itunes:name", "Test Owner");
  ck_xpath_eq(&p, "/rss/channel/itunes:owner/itunes:email",
              "owner@example.org");
  ck_xpath_eq(&p, "/rss/channel/atom:link[@rel='self']/@href", BASE "feed.xml");
  ck_xpath_eq(&p, "/rss/channel/atom:link[@rel='self']/@type",
              "application/rss+xml");
  char guid[37];
  feed_podcast_guid(BASE "feed.xml", guid);
  ck_xpath_eq(&p, "/rss/channel/podcast:guid", guid);
  ck_xpath_eq(&p, "/rss/channel/podcast:locked", "no");
  ck_xpath_has(&p, "/rss/channel/generator", "articast");
  /* When the content last changed: now ($SOURCE_DATE_EPOCH, see main). */
  ck_xpath_eq(&p, "/rss/channel/lastBuildDate",
              "Mon, 03 Jun 2024 07:33:20 +0000");
  ck_xpath_eq(&p, "/rss/channel/image/url", BASE "cover.png");

  parsed_free(&p);
  fake_free(&f);
  site_free(site);
}
END_TEST

START_TEST(item_carries_enclosure_notes_and_side_files) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 1);
  ck_xpath_eq(&p, "/rss/channel/item/title", "First article");
  ck_xpath_eq(&p, "/rss/channel/item/link", "https://news.example.com/a/1");
  ck_xpath_eq(&p, "/rss/channel/item/enclosure/@url",
              BASE "episodes/first-article.mp3");
  char len[32];
  snprintf(len, sizeof len, "%lld", file_size(f.paths[0]));
  ck_assert_str_eq(len, "123457");
  ck_xpath_eq(&p, "/rss/channel/item/enclosure/@length", len);
  ck_xpath_eq(&p, "/rss/channel/item/enclosure/@type", "audio/mpeg");
  ck_xpath_eq(&p, "/rss/channel/item/guid", "article-0001");
  ck_xpath_eq(&p, "/rss/channel/item/guid/@isPermaLink", "false");
  ck_xpath_eq(&p, "/rss/channel/item/pubDate",
              "Wed, 01 May 2024 12:00:00 +0000");
  ck_xpath_eq(&p, "/rss/channel/item/itunes:duration", "62");
  ck_xpath_eq(&p, "/rss/channel/item/itunes:episodeType", "full");
  ck_xpath_eq(&p, "/rss/channel/item/itunes:author", "Jane Doe");
  ck_xpath_eq(&p, "/rss/channel/item/podcast:person[@role='author']",
              "Jane Doe");

  /* Show notes: the opening paragraph, the chapters in time order (the
   * "toc": false one left out), the article link and the disclosure. */
  char *summary = xs(&p, "/rss/channel/item/itunes:summary");
  ck_assert_msg(strstr(summary, "The opening paragraph says") == summary, "%s",
                summary);
  const char *lines[] = {
      "\nChapters:\n00:00 Fish & Chips <intro>\n", "\n00:30 Thirty seconds\n",
      "\n01:05 Caf\xC3\xA9 \xF0\x9F\x8D\xB5 and \"quotes\"\n",
      "Article: https://news.example.com/a/1", "synthetic voice"};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    ck_assert_msg(strstr(summary, lines[i]) != NULL, "notes lack '%s':\n%s",
                  lines[i], summary);
  ck_assert(strstr(summary, "Hidden marker") == NULL);
  ck_assert(strstr(summary, "00:30") < strstr(summary, "01:05"));
  ck_assert(strlen(summary) <= 4000);
  free(summary);
  /* The description holds the same notes as HTML. */
  char *html = xs(&p, "/rss/channel/item/description");
  ck_assert_msg(strstr(html, "<p>The opening paragraph") == html, "%s", html);
  ck_assert(strstr(html, "<br/>00:00 Fish &amp; Chips &lt;intro&gt;") != NULL);
  ck_assert(strstr(html, "<a href=\"https://news.example.com/a/1\">") != NULL);
  ck_assert(strstr(html, "synthetic voice") != NULL);
  free(html);

  ck_xpath_eq(&p, "/rss/channel/item/podcast:transcript[@type='text/vtt']/@url",
              BASE "episodes/first-article.vtt");
  ck_xpath_eq(&p,
              "/rss/channel/item/podcast:transcript[@type='text/vtt']/"
              "@language",
              "en-GB");
  ck_xpath_eq(&p,
              "/rss/channel/item/"
              "podcast:transcript[@type='application/x-subrip']/@url",
              BASE "episodes/first-article.srt");
  ck_xpath_eq(&p, "/rss/channel/item/podcast:chapters/@url",
              BASE "episodes/first-article.chapters.json");
  ck_xpath_eq(&p, "/rss/channel/item/podcast:chapters/@type",
              "application/json+chapters");

  /* The sidecar is in place. */
  char *sidecar = join(site, "episodes/first-article.item.xml");
  ck_assert(access(sidecar, R_OK) == 0);
  free(sidecar);
  parsed_free(&p);
  fake_free(&f);
  site_free(site);
}
END_TEST

START_TEST(republishing_is_byte_identical) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  char *path = feed_path(site);
  char *before = harness_slurp(path);
  struct stat sb1, sb2;
  ck_assert_int_eq(stat(path, &sb1), 0);
  /* Let the clock move on: nothing in the feed may follow it, not even
   * lastBuildDate, which says when the content last changed. */
  setenv("SOURCE_DATE_EPOCH", "1717500000", 1);
  publish_ok(&f);
  char *after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  ck_assert_int_eq(stat(path, &sb2), 0);
  ck_assert(sb1.st_mtime == sb2.st_mtime); /* not even rewritten */
  free(before);
  free(after);
  free(path);
  fake_free(&f);
  site_free(site);
}
END_TEST

START_TEST(new_episode_is_added_newest_first) {
  char *site = site_new();
  fake a, b;
  fake_init(&a, site, &first_spec);
  publish_ok(&a);
  fake_init(&b, site, &second_spec);
  setenv("SOURCE_DATE_EPOCH", "1717500000", 1);
  publish_ok(&b);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 2);
  ck_xpath_eq(&p, "/rss/channel/item[1]/title", "Second article");
  ck_xpath_eq(&p, "/rss/channel/item[2]/title", "First article");
  ck_xpath_eq(&p, "/rss/channel/item[1]/pubDate",
              "Mon, 03 Jun 2024 06:15:00 +0000");
  /* The content changed: lastBuildDate is now. */
  ck_xpath_eq(&p, "/rss/channel/lastBuildDate",
              "Tue, 04 Jun 2024 11:20:00 +0000");
  /* The guid falls back to the article URL. */
  ck_xpath_eq(&p, "/rss/channel/item[1]/guid", "https://news.example.com/a/2");
  /* Past an hour, chapter times get hours. */
  ck_xpath_has(&p, "/rss/channel/item[1]/itunes:summary",
               "\n0:01:05 Caf\xC3\xA9");
  ck_xpath_eq(&p, "/rss/channel/item[1]/itunes:duration", "3725");
  parsed_free(&p);
  fake_free(&a);
  fake_free(&b);
  site_free(site);
}
END_TEST

START_TEST(republish_with_new_title_replaces_in_place) {
  char *site = site_new();
  fake a, b, a2;
  fake_init(&a, site, &first_spec);
  publish_ok(&a);
  fake_init(&b, site, &second_spec);
  publish_ok(&b);
  /* A newer first-article date would move it; keep the date, change the
   * title (and so the slug the runner derives from it). */
  fake_spec renamed = first_spec;
  renamed.title = "First article, revised";
  renamed.slug = "first-article-revised";
  fake_init(&a2, site, &renamed);
  publish_ok(&a2);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 2);
  ck_xpath_eq(&p, "/rss/channel/item[2]/guid", "article-0001");
  ck_xpath_eq(&p, "/rss/channel/item[2]/title", "First article, revised");
  ck_xpath_eq(&p, "/rss/channel/item[2]/enclosure/@url",
              BASE "episodes/first-article-revised.mp3");
  ck_xpath_eq(&p, "/rss/channel/item[1]/title", "Second article");
  ck_assert_int_eq(xcount(&p, "//guid[.='article-0001']"), 1);
  parsed_free(&p);
  /* The old sidecar is gone, so a rebuild keeps one item per guid. */
  char *old = join(site, "episodes/first-article.item.xml");
  ck_assert(access(old, F_OK) != 0);
  free(old);
  fake_free(&a);
  fake_free(&b);
  fake_free(&a2);
  site_free(site);
}
END_TEST

START_TEST(rebuild_regenerates_the_same_feed) {
  char *site = site_new();
  fake a, b;
  fake_init(&a, site, &first_spec);
  publish_ok(&a);
  fake_init(&b, site, &second_spec);
  publish_ok(&b);
  char *path = feed_path(site);
  char *before = harness_slurp(path);
  ck_assert_int_eq(unlink(path), 0);
  char err[1024];
  ck_assert_msg(rebuild(site, &test_show, err, sizeof err) == 0, "%s", err);
  char *after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  free(after);

  /* A new base URL re-points every URL; nothing else moves. */
  ac_show moved = test_show;
  moved.base_url = "http://cdn.example.net/x/";
  ck_assert_msg(rebuild(site, &moved, err, sizeof err) == 0, "%s", err);
  parsed p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item[2]/enclosure/@url",
              "http://cdn.example.net/x/episodes/first-article.mp3");
  parsed_free(&p);

  /* A broken sidecar is skipped, not fatal. */
  char *junk = join(site, "episodes/junk.item.xml");
  harness_write_text(junk, "<articast-episode version=\"1\"><guid>x</guid>");
  ck_assert_msg(rebuild(site, &test_show, err, sizeof err) == 0, "%s", err);
  after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  free(after);
  free(junk);

  /* No site: a clear error. */
  ck_assert_int_ne(rebuild("/nonexistent/site", &test_show, err, sizeof err),
                   0);
  ck_assert_msg(strstr(err, "does not exist") != NULL, "%s", err);
  free(before);
  free(path);
  fake_free(&a);
  fake_free(&b);
  site_free(site);
}
END_TEST

START_TEST(the_cli_rebuilds_the_same_feed) {
  char *site = site_new();
  fake a;
  fake_init(&a, site, &first_spec);
  publish_ok(&a);
  char *path = feed_path(site);
  char *before = harness_slurp(path);
  ck_assert_int_eq(unlink(path), 0);
  char *config = join(site, "articast.ini");
  FILE *c = fopen(config, "w");
  ck_assert_ptr_nonnull(c);
  fprintf(c,
          "[show]\ntitle = %s\nauthor = %s\ndescription = %s\n"
          "language = %s\nbase_url = %s\nlink = %s\n[feed]\n",
          test_show.title, test_show.author, test_show.description,
          test_show.language, test_show.base_url, test_show.link);
  for (size_t i = 0; i < N_SHOW_SETTINGS; i++) {
    const char *eq = strchr(show_settings[i], '=');
    fprintf(c, "%.*s = %s\n", (int)(eq - show_settings[i]), show_settings[i],
            eq + 1);
  }
  fprintf(c, "explicit = false\n");
  fclose(c);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' feed -c '%s' -o '%s' 2>&1", harness_binary(),
           config, site);
  char *out = NULL;
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "articast feed failed (%d): %s", rc, out);
  free(out);
  char *after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  free(after);
  free(before);
  free(config);
  free(path);
  fake_free(&a);
  site_free(site);
}
END_TEST

START_TEST(concurrent_publishers_lose_no_item) {
  enum { N = 8 };
  char *site = site_new();
  const ac_plugin *plugin = harness_plugin("feed"); /* loaded before fork */
  fake f[N];
  char slugs[N][32], titles[N][32], dates[N][32];
  for (int i = 0; i < N; i++) {
    snprintf(slugs[i], sizeof slugs[i], "article-%d", i);
    snprintf(titles[i], sizeof titles[i], "Article %d", i);
    snprintf(dates[i], sizeof dates[i], "2024-07-%02d", i + 1);
    fake_spec s = {.slug = slugs[i],
                   .title = titles[i],
                   .date = dates[i],
                   .mp3_size = 1000 + (size_t)i,
                   .duration = 10 + i};
    fake_init(&f[i], site, &s);
  }
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    ck_assert_int_ge(pids[i], 0);
    if (pids[i] == 0) {
      /* No Check assertions here: report through the exit status. */
      ac_settings none = {0};
      char why[512];
      ac_stage_instance *si =
          ac_stage_new(plugin, &none, &f[i].ep, why, sizeof why);
      int rc = si ? plugin->publish(ac_stage_handle(si)) : 1;
      ac_stage_free(si);
      _exit(rc == 0 ? 0 : 1);
    }
  }
  for (int i = 0; i < N; i++) {
    int status;
    ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), N);
  for (int i = 0; i < N; i++) {
    char expr[128];
    snprintf(expr, sizeof expr, "/rss/channel/item[%d]/title", i + 1);
    ck_xpath_eq(&p, expr, titles[N - 1 - i]);
  }
  parsed_free(&p);
  /* No temporary file is left behind. */
  char cmd[1024], *out = NULL;
  snprintf(cmd, sizeof cmd, "find '%s' -name '*.tmp-*' | wc -l", site);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_int_eq(atoi(out), 0);
  free(out);
  for (int i = 0; i < N; i++)
    fake_free(&f[i]);
  site_free(site);
}
END_TEST

START_TEST(strings_are_escaped) {
  char *site = site_new();
  const char *nasty = "Fish & Chips <b>\"quoted\"</b> 'single' ]]> \x01 end";
  fake_spec s = first_spec;
  s.title = nasty;
  s.id = "id&<\"'>";
  fake f;
  fake_init(&f, site, &s);
  ac_set_string(&f.doc->author, "A & B <c>", (size_t)-1);
  ac_set_string(&f.doc->summary, "Summary with ]]> and <script>x</script>",
                (size_t)-1);
  f.show.title = "Show & <Tell>";
  publish_ok(&f);
  parsed p = parse_feed(site);
  /* The control character is dropped; everything else round-trips. */
  ck_xpath_eq(&p, "/rss/channel/item/title",
              "Fish & Chips <b>\"quoted\"</b> 'single' ]]> end");
  ck_xpath_eq(&p, "/rss/channel/item/guid", "id&<\"'>");
  ck_xpath_eq(&p, "/rss/channel/item/itunes:author", "A & B <c>");
  ck_xpath_eq(&p, "/rss/channel/title", "Show & <Tell>");
  char *html = xs(&p, "/rss/channel/item/description");
  ck_assert_msg(strstr(html, "&lt;script&gt;") != NULL, "%s", html);
  ck_assert(strstr(html, "<script>") == NULL);
  free(html);
  parsed_free(&p);
  char *feed = feed_path(site);
  char *xml = harness_slurp(feed);
  ck_assert(strstr(xml, "<title>Fish &amp; Chips &lt;b&gt;") != NULL);
  ck_assert(strstr(xml, "\x01") == NULL);
  free(xml);
  free(feed);
  fake_free(&f);
  site_free(site);
}
END_TEST

START_TEST(undated_article_keeps_its_first_date) {
  char *site = site_new();
  fake_spec s = {
      .slug = "undated", .title = "Undated", .mp3_size = 2000, .duration = 5};
  fake f;
  fake_init(&f, site, &s);
  /* Dated when it is first published. */
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  publish_ok(&f);
  char *path = feed_path(site);
  char *before = harness_slurp(path);
  ck_assert(strstr(before, "<pubDate>Tue, 14 Nov 2023 22:13:20 +0000<") !=
            NULL);
  /* Publishing it again later does not move its date. */
  setenv("SOURCE_DATE_EPOCH", "1710000000", 1);
  publish_ok(&f);
  char *after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  /* Without id and URL the guid hashes title and date: stable too. */
  parsed p = parse_feed(site);
  char *guid = xs(&p, "/rss/channel/item/guid");
  ck_assert(feed_is_uuid(guid));
  free(guid);
  parsed_free(&p);
  free(before);
  free(after);
  free(path);
  fake_free(&f);
  site_free(site);
}
END_TEST

START_TEST(options_and_failures_are_clear) {
  char *site = site_new();
  fake a, b;
  fake_init(&a, site, &first_spec);
  fake_init(&b, site, &second_spec);
  publish_ok(&a);
  char err[1024];
  const char *const one[] = {"max_items=1", NULL};
  ck_assert_msg(publish_ep(&b.ep, one, err, sizeof err) == 0, "%s", err);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 1);
  ck_xpath_eq(&p, "/rss/channel/item/title", "Second article");
  parsed_free(&p);

  const char *const pinned[] = {"guid=0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0",
                                NULL};
  ck_assert_msg(publish_ep(&b.ep, pinned, err, sizeof err) == 0, "%s", err);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/podcast:guid",
              "0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0");
  parsed_free(&p);
  const char *const badguid[] = {"guid=not-a-uuid", NULL};
  ck_assert_int_ne(publish_ep(&b.ep, badguid, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "not a UUID") != NULL, "%s", err);

  /* A category Apple does not know, naming the valid ones. */
  const char *const podcasts[] = {"category=Podcasts", NULL};
  ck_assert_int_ne(publish_ep(&b.ep, podcasts, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "'Podcasts'") && strstr(err, "Technology"), "%s",
                err);
  const char *const gossip[] = {"category=News", "subcategory=Gossip", NULL};
  ck_assert_int_ne(publish_ep(&b.ep, gossip, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "Daily News") != NULL, "%s", err);

  /* Base URLs must be absolute http(s). */
  b.show.base_url = "example.org/pod";
  ck_assert_int_ne(publish_ep(&b.ep, NULL, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "absolute http") != NULL, "%s", err);
  /* None given: the base the site was last published under stays, so
   * subscribers' URLs (and podcast:guid) do not move. */
  b.show.base_url = NULL;
  ck_assert_msg(publish_ep(&b.ep, NULL, err, sizeof err) == 0, "%s", err);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item[1]/enclosure/@url",
              "https://example.org/pod/episodes/second-article.mp3");
  parsed_free(&p);
  /* None ever: localhost, with a warning. */
  char *remembered = ac_path_join(site, ".base-url");
  ck_assert_int_eq(unlink(remembered), 0);
  free(remembered);
  ck_assert_msg(publish_ep(&b.ep, NULL, err, sizeof err) == 0, "%s", err);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item[1]/enclosure/@url",
              "http://localhost:8000/episodes/second-article.mp3");
  parsed_free(&p);
  /* The option stands in when [show] has none. */
  const char *const opt[] = {"base_url=https://o.example/", NULL};
  ck_assert_msg(publish_ep(&b.ep, opt, err, sizeof err) == 0, "%s", err);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/atom:link/@href", "https://o.example/feed.xml");
  parsed_free(&p);

  /* No MP3 among the artifacts. */
  fake_spec s = second_spec;
  s.slug = "no-audio";
  s.no_mp3 = 1;
  fake c;
  fake_init(&c, site, &s);
  ck_assert_int_ne(publish_ep(&c.ep, NULL, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "no MP3") != NULL, "%s", err);
  fake_free(&a);
  fake_free(&b);
  fake_free(&c);
  site_free(site);
}
END_TEST

START_TEST(long_chapter_lists_stay_within_4000_bytes) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  /* 300 chapters with long titles full of characters XML must escape. */
  ac_chapter many[300];
  char titles[300][64];
  for (int i = 0; i < 300; i++) {
    snprintf(titles[i], sizeof titles[i],
             "Part %d: <this> & \"that\" & the other thing", i);
    many[i] = (ac_chapter){(uint64_t)i * 10000, (uint64_t)(i + 1) * 10000,
                           titles[i], (uint32_t)i};
  }
  f.timeline.chapters = many;
  f.timeline.n_chapters = 300;
  f.timeline.n_samples = 3000000;
  publish_ok(&f);
  parsed p = parse_feed(site);
  char *text = xs(&p, "/rss/channel/item/itunes:summary");
  char *html = xs(&p, "/rss/channel/item/description");
  ck_assert_msg(strlen(text) <= 4000, "%zu bytes", strlen(text));
  ck_assert_msg(strlen(html) <= 4000, "%zu bytes", strlen(html));
  ck_assert(strstr(text, "00:00 Part 0: <this> & \"that\"") != NULL);
  ck_assert(strstr(text, "\xE2\x80\xA6 and ") != NULL);
  ck_assert(strstr(html, "\xE2\x80\xA6 and ") != NULL);
  /* The disclosure survives the cut. */
  ck_assert(strstr(text, "synthetic voice") != NULL);
  ck_assert(strstr(html, "synthetic voice") != NULL);
  free(text);
  free(html);
  parsed_free(&p);
  fake_free(&f);
  site_free(site);
}
END_TEST

/* Publishers killed at random moments leave the old feed or the new one,
 * never a broken file; the next publish sweeps their temporary files. */
START_TEST(killed_publishers_never_break_the_feed) {
  char *site = site_new();
  const ac_plugin *plugin = harness_plugin("feed");
  fake a, b;
  fake_init(&a, site, &first_spec);
  fake_init(&b, site, &second_spec);
  publish_ok(&a); /* draws the cover once, outside the loop */
  publish_ok(&b);
  char *path = feed_path(site);
  /* A leftover from a crash before this test. */
  char *stale = join(site, ".feed.xml.tmp-AbC123");
  harness_write_text(stale, "<rss");
  for (int round = 0; round < 25; round++) {
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      /* Alternate between one and two listed items so every publish
       * really replaces feed.xml. */
      ac_settings one = {0}, all = {0};
      ac_settings_add(&one, "feed", "max_items", "1", "test");
      char why[512];
      for (unsigned i = 0;; i++) {
        ac_stage_instance *si =
            ac_stage_new(plugin, i % 2 ? &one : &all, i % 3 ? &a.ep : &b.ep,
                         why, sizeof why);
        if (!si || plugin->publish(ac_stage_handle(si)) != 0)
          _exit(1);
        ac_stage_free(si);
      }
    }
    usleep((useconds_t)(3000 + 1700 * round));
    kill(pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status), "the publisher stopped by itself");
    parsed p = parse_feed(site);
    int items = xcount(&p, "/rss/channel/item");
    ck_assert_msg(items == 1 || items == 2, "%d items", items);
    parsed_free(&p);
  }
  publish_ok(&a);
  ck_assert_msg(access(stale, F_OK) != 0, "stale temporary file left");
  char cmd[1024], *out = NULL;
  snprintf(cmd, sizeof cmd, "find '%s' -name '*.tmp-*' | wc -l", site);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_int_eq(atoi(out), 0);
  free(out);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 2);
  parsed_free(&p);
  free(stale);
  free(path);
  fake_free(&a);
  fake_free(&b);
  site_free(site);
}
END_TEST

/* ---- Cover art ---------------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* A PNG with just IHDR and IEND: enough for the header checks. */
static void write_png_header(const char *path, uint32_t w, uint32_t h,
                             int colour_type) {
  unsigned char b[8 + 25 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  put32(b + 8, 13);
  memcpy(b + 12, "IHDR", 4);
  put32(b + 16, w);
  put32(b + 20, h);
  b[24] = 8;
  b[25] = (unsigned char)colour_type;
  put32(b + 29, (uint32_t)crc32(0, b + 12, 17));
  put32(b + 33, 0);
  memcpy(b + 37, "IEND", 4);
  put32(b + 41, (uint32_t)crc32(0, b + 37, 4));
  harness_write_bytes(path, b, sizeof b);
}

/* A JPEG with an APP0 and a baseline SOF0: enough for the header checks. */
static void write_jpeg_header(const char *path, unsigned w, unsigned h,
                              int comps) {
  unsigned char b[64];
  size_t n = 0;
  const unsigned char app0[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J',
                                'F',  'I',  'F',  0,    1, 1,  0,
                                0,    1,    0,    1,    0, 0};
  memcpy(b, app0, sizeof app0);
  n = sizeof app0;
  b[n++] = 0xFF;
  b[n++] = 0xFF; /* a fill byte */
  b[n++] = 0xC0;
  b[n++] = 0;
  b[n++] = (unsigned char)(8 + 3 * comps);
  b[n++] = 8;
  b[n++] = (unsigned char)(h >> 8);
  b[n++] = (unsigned char)h;
  b[n++] = (unsigned char)(w >> 8);
  b[n++] = (unsigned char)w;
  b[n++] = (unsigned char)comps;
  for (int i = 0; i < comps; i++) {
    b[n++] = (unsigned char)(i + 1);
    b[n++] = 0x11;
    b[n++] = 0;
  }
  b[n++] = 0xFF;
  b[n++] = 0xD9;
  harness_write_bytes(path, b, n);
}

static int check_file(const char *path, char *why, size_t whylen) {
  ac_cover_info info;
  return ac_cover_validate_file(path, &info, why, whylen);
}

START_TEST(cover_checks_say_what_is_wrong) {
  char *dir = harness_tempdir();
  char *path = join(dir, "img");
  char why[512];
  write_png_header(path, 1400, 1000, 2);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "1400x1000") && strstr(why, "square"), "%s", why);
  write_png_header(path, 1000, 1000, 6);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "too small") && strstr(why, "1400x1400"), "%s",
                why);
  write_png_header(path, 4000, 4000, 2);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "too large") != NULL, "%s", why);
  write_png_header(path, 1400, 1400, 0);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "greyscale") && strstr(why, "RGB"), "%s", why);
  harness_write_text(path, "<?xml version=\"1.0\"?><svg/>");
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "not a JPEG or PNG") && strstr(why, "3c 3f 78"),
                "%s", why);
  harness_write_bytes(path, "\x89PNG\r\n\x1a\n", 8);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "IHDR") != NULL, "%s", why);

  write_png_header(path, 1400, 1400, 3);
  ck_assert_int_eq(check_file(path, why, sizeof why), 0);
  write_jpeg_header(path, 2000, 2000, 3);
  ck_assert_int_eq(check_file(path, why, sizeof why), 0);
  ac_cover_info info;
  ck_assert_int_eq(ac_cover_validate_file(path, &info, why, sizeof why), 0);
  ck_assert_str_eq(info.mime_type, "image/jpeg");
  ck_assert_uint_eq(info.width, 2000);
  write_jpeg_header(path, 2000, 1500, 3);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "2000x1500 JPEG") != NULL, "%s", why);
  write_jpeg_header(path, 2000, 2000, 4);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "CMYK") != NULL, "%s", why);
  harness_write_bytes(path, "\xFF\xD8\xFF\xE0\x00\x10JF", 8);
  ck_assert_int_eq(check_file(path, why, sizeof why), AC_ERR_FORMAT);
  ck_assert_msg(strstr(why, "ends before") != NULL, "%s", why);
  ck_assert_int_eq(check_file("/nonexistent.png", why, sizeof why),
                   AC_ERR_NOTFOUND);

  /* Through the feed: a bad show image stops the publish, with the reason;
   * check_cover=false lets it through. */
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  char *bad = join(dir, "wide.png");
  write_png_header(bad, 3000, 1400, 2);
  f.show.image = bad;
  ck_assert_int_ne(publish_ep(&f.ep, NULL, why, sizeof why), 0);
  ck_assert_msg(strstr(why, "wide.png") && strstr(why, "square"), "%s", why);
  const char *const lax[] = {"check_cover=false", NULL};
  ck_assert_msg(publish_ep(&f.ep, lax, why, sizeof why) == 0, "%s", why);
  /* A good image outside SITE is copied in and linked. */
  char *good = join(dir, "art.jpg");
  write_jpeg_header(good, 3000, 3000, 3);
  f.show.image = good;
  ck_assert_msg(publish_ep(&f.ep, NULL, why, sizeof why) == 0, "%s", why);
  parsed p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/itunes:image/@href", BASE "cover.jpg");
  parsed_free(&p);
  char *copy = join(site, "cover.jpg");
  ck_assert_int_eq(file_size(copy), file_size(good));
  free(copy);
  f.show.image = "/nonexistent/art.png";
  ck_assert_int_ne(publish_ep(&f.ep, NULL, why, sizeof why), 0);
  ck_assert_msg(strstr(why, "no such file") != NULL, "%s", why);
  /* A URL is used as it is. */
  f.show.image = "https://cdn.example.org/art.png";
  ck_assert_msg(publish_ep(&f.ep, NULL, why, sizeof why) == 0, "%s", why);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/itunes:image/@href",
              "https://cdn.example.org/art.png");
  parsed_free(&p);
  /* Episode art: a URL, or a valid file inside SITE. */
  ac_set_string(&f.doc->image, "https://news.example.com/pic.jpg", (size_t)-1);
  ck_assert_msg(publish_ep(&f.ep, NULL, why, sizeof why) == 0, "%s", why);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item/itunes:image/@href",
              "https://news.example.com/pic.jpg");
  parsed_free(&p);
  char *art = join(site, "episodes/first article.png");
  write_png_header(art, 1500, 1500, 2);
  ac_set_string(&f.doc->image, "episodes/first article.png", (size_t)-1);
  ck_assert_msg(publish_ep(&f.ep, NULL, why, sizeof why) == 0, "%s", why);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item/itunes:image/@href",
              BASE "episodes/first%20article.png");
  parsed_free(&p);
  free(art);
  free(good);
  free(bad);
  fake_free(&f);
  site_free(site);
  free(path);
  site_free(dir);
}
END_TEST

/* Undoes a PNG row filter (RFC 2083 6), 3 bytes a pixel, `prev` the row
 * above already undone (zeros above the first). */
static void unfilter_row(int type, unsigned char *row,
                         const unsigned char *prev, size_t len) {
  for (size_t i = 0; i < len; i++) {
    int a = i >= 3 ? row[i - 3] : 0, b = prev[i], c = i >= 3 ? prev[i - 3] : 0;
    int pred = 0;
    if (type == 1)
      pred = a;
    else if (type == 2)
      pred = b;
    else if (type == 3)
      pred = (a + b) / 2;
    else if (type == 4) {
      int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    } else
      ck_assert_int_eq(type, 0);
    row[i] = (unsigned char)(row[i] + pred);
  }
}

/* Reads a PNG back in full: chunk CRCs, IHDR, the inflated image data,
 * which must hold exactly one filter byte and w*3 bytes per row, and the
 * picture itself: the default cover's background in the corners, another
 * colour (the accent dot) in the centre, and the mark symmetric about both
 * axes, as drawn. */
static void check_png_file(const char *path, uint32_t want) {
  char *data;
  size_t len;
  ck_assert_int_eq(ac_read_file(path, 0, &data, &len), 0);
  const unsigned char *d = (const unsigned char *)data;
  ck_assert(len > 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0);
  size_t pos = 8, raw_len = (size_t)want * (1 + 3 * (size_t)want), got = 0;
  unsigned char *raw = malloc(raw_len + 1);
  z_stream z;
  memset(&z, 0, sizeof z);
  ck_assert_int_eq(inflateInit(&z), Z_OK);
  z.next_out = raw;
  z.avail_out = (uInt)raw_len + 1;
  int seen_end = 0, zr = Z_OK;
  while (pos + 12 <= len && !seen_end) {
    uint32_t n = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 |
                 (uint32_t)d[pos + 2] << 8 | d[pos + 3];
    const unsigned char *type = d + pos + 4, *body = d + pos + 8;
    ck_assert(pos + 12 + n <= len);
    uint32_t crc = (uint32_t)body[n] << 24 | (uint32_t)body[n + 1] << 16 |
                   (uint32_t)body[n + 2] << 8 | body[n + 3];
    ck_assert_uint_eq(crc, (uint32_t)crc32(0, type, 4 + n));
    if (memcmp(type, "IHDR", 4) == 0) {
      ck_assert_uint_eq(n, 13);
      ck_assert_uint_eq((uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
                            (uint32_t)body[2] << 8 | body[3],
                        want);
      ck_assert_uint_eq((uint32_t)body[4] << 24 | (uint32_t)body[5] << 16 |
                            (uint32_t)body[6] << 8 | body[7],
                        want);
      ck_assert_uint_eq(body[8], 8);
      ck_assert_uint_eq(body[9], 2); /* RGB */
    } else if (memcmp(type, "IDAT", 4) == 0) {
      z.next_in = (unsigned char *)body;
      z.avail_in = n;
      zr = inflate(&z, Z_NO_FLUSH);
      ck_assert(zr == Z_OK || zr == Z_STREAM_END);
    } else if (memcmp(type, "IEND", 4) == 0) {
      seen_end = 1;
    }
    pos += 12 + n;
  }
  got = raw_len + 1 - z.avail_out;
  inflateEnd(&z);
  ck_assert(seen_end);
  ck_assert_int_eq(zr, Z_STREAM_END);
  ck_assert_uint_eq(got, raw_len);
  size_t stride = 1 + 3 * (size_t)want;
  unsigned char *zeros = calloc(stride, 1);
  for (uint32_t y = 0; y < want; y++)
    unfilter_row(raw[y * stride], raw + y * stride + 1,
                 y ? raw + (y - 1) * stride + 1 : zeros, stride - 1);
  free(zeros);
#define PIXEL(x, y) (raw + (size_t)(y)*stride + 1 + 3 * (size_t)(x))
  const unsigned char *corner = PIXEL(0, 0);
  ck_assert(memcmp(corner, PIXEL(want - 1, 0), 3) == 0);
  ck_assert(memcmp(corner, PIXEL(0, want - 1), 3) == 0);
  ck_assert(memcmp(corner, PIXEL(want - 1, want - 1), 3) == 0);
  ck_assert(memcmp(corner, PIXEL(want / 2, want / 2), 3) != 0);
  /* Counted, not asserted pixel by pixel: an assertion costs a write to
   * Check's pipe. */
  size_t asymmetric = 0;
  for (uint32_t y = 0; y < want; y++)
    for (uint32_t x = 0; x < want; x++)
      asymmetric += memcmp(PIXEL(x, y), PIXEL(want - 1 - x, y), 3) != 0 ||
                    memcmp(PIXEL(x, y), PIXEL(x, want - 1 - y), 3) != 0;
  ck_assert_uint_eq(asymmetric, 0);
#undef PIXEL
  free(raw);
  free(data);
}

START_TEST(default_cover_is_a_valid_png) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  char *cover = join(site, "cover.png");
  char why[512];
  ac_cover_info info;
  ck_assert_msg(ac_cover_validate_file(cover, &info, why, sizeof why) == 0,
                "%s", why);
  ck_assert_uint_eq(info.width, AC_COVER_DEFAULT_SIZE);
  ck_assert_uint_eq(info.height, AC_COVER_DEFAULT_SIZE);
  ck_assert_str_eq(info.mime_type, "image/png");
  check_png_file(cover, AC_COVER_DEFAULT_SIZE);
  /* Apple asks for at most 512 KB. */
  ck_assert(file_size(cover) < 512 * 1024);
  /* Drawn once: a replacement by the user stays. */
  write_png_header(cover, 1400, 1400, 2);
  publish_ok(&f);
  ck_assert_int_eq(file_size(cover), 45);
  /* The small size works too, and the same seed draws the same bytes. */
  char *a = join(site, "a.png"), *b = join(site, "b.png");
  ck_assert_int_eq(ac_cover_write_default(a, 1400, "x", why, sizeof why), 0);
  ck_assert_int_eq(ac_cover_write_default(b, 1400, "x", why, sizeof why), 0);
  check_png_file(a, 1400);
  char *da = harness_slurp(a), *db = harness_slurp(b);
  ck_assert_int_eq(file_size(a), file_size(b));
  ck_assert_int_eq(memcmp(da, db, (size_t)file_size(a)), 0);
  ck_assert_int_ne(ac_cover_write_default(a, 500, "x", why, sizeof why), 0);
  /* The largest size Apple takes, and an odd one. */
  ck_assert_int_eq(ac_cover_write_default(a, 3000, "y", why, sizeof why), 0);
  check_png_file(a, 3000);
  ck_assert(file_size(a) < 512 * 1024);
  ck_assert_int_eq(ac_cover_write_default(b, 1401, "y", why, sizeof why), 0);
  check_png_file(b, 1401);
  free(da);
  free(db);
  free(a);
  free(b);
  free(cover);
  fake_free(&f);
  site_free(site);
}
END_TEST

/* ---- Outside readers ---------------------------------------------------- */

START_TEST(xmllint_and_feedparser_accept_the_feed) {
  char *site = site_new();
  fake a, b;
  fake_init(&a, site, &first_spec);
  fake_spec s = second_spec;
  s.title = "Second & <last> \"article\"";
  fake_init(&b, site, &s);
  publish_ok(&a);
  publish_ok(&b);
  char *path = feed_path(site);
  char cmd[2048], *out = NULL;
  if (harness_run("command -v xmllint >/dev/null 2>&1", NULL) == 0) {
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", path);
    int rc = harness_run(cmd, &out);
    ck_assert_msg(rc == 0, "xmllint: %s", out);
    free(out);
  } else {
    fprintf(stderr, "test_feed: xmllint not installed; skipped\n");
  }
  /* Debian's python3-feedparser lives in the system Python, which a pyenv
   * or venv first in PATH hides. */
  const char *python = NULL;
  if (harness_run("python3 -c 'import feedparser' >/dev/null 2>&1", NULL) == 0)
    python = "python3";
  else if (harness_run("/usr/bin/python3 -c 'import feedparser' "
                       ">/dev/null 2>&1",
                       NULL) == 0)
    python = "/usr/bin/python3";
  if (python) {
    char *script = harness_data("feed/check_feed.py");
    snprintf(cmd, sizeof cmd, "%s '%s' '%s' 2>&1", python, script, path);
    int rc = harness_run(cmd, &out);
    ck_assert_msg(rc == 0, "feedparser: %s", out);
    const char *want[] = {
        "version rss20\n",
        "title Read Aloud Weekly\n",
        "image " BASE "cover.png\n",
        "category News\n",
        "entries 2\n",
        "entry https://news.example.com/a/2 Second & <last> \"article\"\n",
        "enclosure " BASE "episodes/second-article.mp3 54321 audio/mpeg\n",
        "duration 3725\n",
        "published 2024-06-03T06:15:00Z\n",
        "entry article-0001 First article\n",
        "enclosure " BASE "episodes/first-article.mp3 123457 audio/mpeg\n",
        "published 2024-05-01T12:00:00Z\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
      ck_assert_msg(strstr(out, want[i]) != NULL, "feedparser lacks '%s':\n%s",
                    want[i], out);
    free(out);
    free(script);
  } else {
    fprintf(stderr, "test_feed: python3-feedparser not installed; skipped\n");
  }
  free(path);
  fake_free(&a);
  fake_free(&b);
  site_free(site);
}
END_TEST

/* ---- Identity over time ---------------------------------------------------
 */

static char *channel_guid(const char *site) {
  parsed p = parse_feed(site);
  char *guid = xs(&p, "/rss/channel/podcast:guid");
  parsed_free(&p);
  return guid;
}

/* podcast:guid is assigned once for the show's lifetime: a new base URL
 * moves every URL of the feed, not the guid; only [feed] guid changes it. */
START_TEST(podcast_guid_outlives_a_base_url_change) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  char *first = channel_guid(site);
  char want[37];
  feed_podcast_guid(BASE "feed.xml", want);
  ck_assert_str_eq(first, want);
  char *kept_path = join(site, ".podcast-guid");
  char *kept = harness_slurp(kept_path);
  ck_assert(strncmp(kept, first, 36) == 0 && kept[36] == '\n');
  free(kept);

  /* The site moves: the config's base URL is a new one. */
  f.show.base_url = "https://cdn.example.net/show/";
  publish_ok(&f);
  parsed p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/podcast:guid", first);
  ck_xpath_eq(&p, "/rss/channel/atom:link[@rel='self']/@href",
              "https://cdn.example.net/show/feed.xml");
  ck_xpath_eq(&p, "/rss/channel/item/enclosure/@url",
              "https://cdn.example.net/show/episodes/first-article.mp3");
  parsed_free(&p);

  /* A site published before the guid was kept: the feed in place says
   * which it is. */
  ck_assert_int_eq(unlink(kept_path), 0);
  f.show.base_url = "https://third.example.com/";
  publish_ok(&f);
  char *again = channel_guid(site);
  ck_assert_str_eq(again, first);
  kept = harness_slurp(kept_path);
  ck_assert(strncmp(kept, first, 36) == 0);
  free(kept);

  /* Only [feed] guid changes it, and it stays so. */
  const char *const set[] = {"guid=0f8e5f1e-7c1a-4c0e-9d6e-3b2a1c0d9e8f", NULL};
  char err[1024];
  ck_assert_msg(publish_ep(&f.ep, set, err, sizeof err) == 0, "%s", err);
  char *chosen = channel_guid(site);
  ck_assert_str_eq(chosen, "0f8e5f1e-7c1a-4c0e-9d6e-3b2a1c0d9e8f");
  publish_ok(&f);
  char *after = channel_guid(site);
  ck_assert_str_eq(after, chosen);
  free(after);
  free(chosen);
  free(again);
  free(first);
  free(kept_path);
  fake_free(&f);
  site_free(site);
}
END_TEST

/* lastBuildDate is when the content last changed: an episode published
 * again with other audio moves it; the same publish does not. */
START_TEST(last_build_date_follows_the_content) {
  char *site = site_new();
  fake f;
  fake_init(&f, site, &first_spec);
  publish_ok(&f);
  setenv("SOURCE_DATE_EPOCH", "1717500000", 1);
  publish_ok(&f);
  parsed p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/lastBuildDate",
              "Mon, 03 Jun 2024 07:33:20 +0000");
  parsed_free(&p);
  /* Rendered again after an edit: a longer MP3. */
  write_sized(f.paths[0], 130000);
  f.arts[0].size = 130000;
  publish_ok(&f);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/lastBuildDate",
              "Tue, 04 Jun 2024 11:20:00 +0000");
  ck_xpath_eq(&p, "/rss/channel/item/enclosure/@length", "130000");
  ck_xpath_eq(&p, "/rss/channel/item/guid", "article-0001");
  parsed_free(&p);
  fake_free(&f);
  site_free(site);
}
END_TEST

/* defer_new (articast follow): a new episode's sidecar is written and
 * feed.xml left for the rebuild at the end of the round; an episode the
 * feed lists already is listed anew at once. */
START_TEST(deferred_new_episodes_wait_for_the_rebuild) {
  char *site = site_new();
  fake a, b;
  fake_init(&a, site, &first_spec);
  publish_ok(&a);
  char *path = feed_path(site);
  char *before = harness_slurp(path);
  fake_init(&b, site, &second_spec);
  const char *const defer[] = {"defer_new=true", NULL};
  char err[1024];
  ck_assert_msg(publish_ep(&b.ep, defer, err, sizeof err) == 0, "%s", err);
  char *same = harness_slurp(path);
  ck_assert_str_eq(before, same);
  char *sidecar = join(site, "episodes/second-article.item.xml");
  ck_assert(access(sidecar, R_OK) == 0);
  ck_assert_msg(rebuild(site, &test_show, err, sizeof err) == 0, "%s", err);
  parsed p = parse_feed(site);
  ck_assert_int_eq(xcount(&p, "/rss/channel/item"), 2);
  parsed_free(&p);
  /* Listed already: published again with other audio, at once. */
  write_sized(a.paths[0], 99);
  a.arts[0].size = 99;
  ck_assert_msg(publish_ep(&a.ep, defer, err, sizeof err) == 0, "%s", err);
  p = parse_feed(site);
  ck_xpath_eq(&p, "/rss/channel/item[guid='article-0001']/enclosure/@length",
              "99");
  parsed_free(&p);
  free(sidecar);
  free(same);
  free(before);
  free(path);
  fake_free(&a);
  fake_free(&b);
  site_free(site);
}
END_TEST

static Suite *feed_suite(void) {
  Suite *s = suite_create("feed");
  TCase *t = tcase_create("feed");
  tcase_set_timeout(t, 120);
  tcase_add_test(t, podcast_guid_matches_the_test_vector);
  tcase_add_test(t, dates_are_rfc2822_with_the_right_weekday);
  tcase_add_test(t, channel_has_namespaces_and_every_must);
  tcase_add_test(t, item_carries_enclosure_notes_and_side_files);
  tcase_add_test(t, republishing_is_byte_identical);
  tcase_add_test(t, new_episode_is_added_newest_first);
  tcase_add_test(t, republish_with_new_title_replaces_in_place);
  tcase_add_test(t, rebuild_regenerates_the_same_feed);
  tcase_add_test(t, the_cli_rebuilds_the_same_feed);
  tcase_add_test(t, concurrent_publishers_lose_no_item);
  tcase_add_test(t, killed_publishers_never_break_the_feed);
  tcase_add_test(t, long_chapter_lists_stay_within_4000_bytes);
  tcase_add_test(t, strings_are_escaped);
  tcase_add_test(t, undated_article_keeps_its_first_date);
  tcase_add_test(t, options_and_failures_are_clear);
  tcase_add_test(t, cover_checks_say_what_is_wrong);
  tcase_add_test(t, default_cover_is_a_valid_png);
  tcase_add_test(t, xmllint_and_feedparser_accept_the_feed);
  tcase_add_test(t, podcast_guid_outlives_a_base_url_change);
  tcase_add_test(t, last_build_date_follows_the_content);
  tcase_add_test(t, deferred_new_episodes_wait_for_the_rebuild);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  /* The feed's "now" (lastBuildDate, an undated article's first date). */
  setenv("SOURCE_DATE_EPOCH", "1717400000", 1);
  return harness_main(feed_suite());
}
