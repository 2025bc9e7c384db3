/* articast follow: a publication served on 127.0.0.1 (tests/data/follow/
 * serve.py) is followed over time, and what the site, the state and the
 * server's log say is checked after every step; kills at every step; broken
 * sources; gPodder as an existing subscriber. Also the parts on their own:
 * robots.txt rules, feed and sitemap parsing, the state database. */
#include "fetch.h"
#include "follow.h"
#include "harness.h"
#include "sources.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_ATOM "http://www.w3.org/2005/Atom"

/* ---- Files ------------------------------------------------------------- */

/* s with every `from` replaced by `to`, malloc'd. */
static char *replaced(const char *s, const char *from, const char *to) {
  size_t n = 0, lf = strlen(from), lt = strlen(to);
  for (const char *p = s; (p = strstr(p, from)); p += lf)
    n++;
  char *out = malloc(strlen(s) + n * lt + 1), *o = out;
  ck_assert_ptr_nonnull(out);
  for (const char *p = s, *q; (q = strstr(p, from)) || *p; p = q + lf) {
    if (!q) {
      strcpy(o, p);
      o += strlen(p);
      break;
    }
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, to, lt);
    o += lt;
  }
  *o = '\0';
  return out;
}

static void run_ok(const char *cmd) {
  char *out = NULL;
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "%s: %d: %s", cmd, rc, out ? out : "");
  free(out);
}

static void remove_tree(const char *dir) {
  char *cmd = harness_fmt("rm -rf '%s'", dir);
  run_ok(cmd);
  free(cmd);
}

/* ---- The publication ----------------------------------------------------- */

/* The test server and what it serves. */
typedef struct web {
  char *dir;  /* temporary: www/, the log, the port file, the site */
  char *www;  /* what the server serves */
  char *log;  /* one line a request */
  char *base; /* http://127.0.0.1:PORT */
  pid_t pid;
} web;

/* Copies a fixture of tests/data/follow into www, with @BASE@ made the
 * server's address. */
static void web_put(web *w, const char *fixture, const char *dest) {
  char *src = harness_fmt("%s/follow/%s", ARTICAST_TEST_DATA_DIR, fixture);
  char *text = harness_slurp(src);
  char *out = replaced(text, "@BASE@", w->base);
  char *path = harness_fmt("%s/%s", w->www, dest);
  char *dir = strdup(path);
  *strrchr(dir, '/') = '\0';
  ck_assert_int_eq(ac_mkdirs(dir), 0);
  harness_write_text(path, out);
  free(dir);
  free(path);
  free(out);
  free(text);
  free(src);
}

/* Replaces text in a served file, as an editor would. */
static void web_edit(web *w, const char *file, const char *from,
                     const char *to) {
  char *path = harness_fmt("%s/%s", w->www, file);
  char *text = harness_slurp(path);
  ck_assert_msg(strstr(text, from), "%s lacks '%s'", file, from);
  char *out = replaced(text, from, to);
  harness_write_text(path, out);
  free(out);
  free(text);
  free(path);
}

static void web_start(web *w) {
  memset(w, 0, sizeof *w);
  w->dir = harness_tempdir();
  w->www = harness_fmt("%s/www", w->dir);
  w->log = harness_fmt("%s/requests.log", w->dir);
  ck_assert_int_eq(ac_mkdirs(w->www), 0);
  char *port_file = harness_fmt("%s/port", w->dir);
  char *script = harness_fmt("%s/follow/serve.py", ARTICAST_TEST_DATA_DIR);
  w->pid = fork();
  ck_assert_int_ge(w->pid, 0);
  if (w->pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execlp("python3", "python3", script, port_file, w->www, w->log,
           (char *)NULL);
    _exit(127);
  }
  int port = 0;
  for (int i = 0; i < 200 && !port; i++) {
    FILE *f = fopen(port_file, "r");
    if (f) {
      ck_assert_int_eq(fscanf(f, "%d", &port), 1);
      fclose(f);
    } else {
      usleep(25000);
    }
  }
  ck_assert_msg(port > 0, "the test server did not start");
  w->base = harness_fmt("http://127.0.0.1:%d", port);
  const char *files[] = {
      "feed.xml", "robots.txt", "articles/harbour-road-cycle-lanes.html",
      "articles/library-weekend-hours.html", "articles/beach-clean-up.html"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *fixture = harness_fmt("site/%s", files[i]);
    web_put(w, fixture, files[i]);
    free(fixture);
  }
  free(script);
  free(port_file);
}

static void web_stop(web *w) {
  kill(w->pid, SIGTERM);
  waitpid(w->pid, NULL, 0);
  remove_tree(w->dir);
  free(w->dir);
  free(w->www);
  free(w->log);
  free(w->base);
}

/* The requests logged since the last call, and a fresh log. */
static char *web_requests(web *w) {
  char *text = access(w->log, F_OK) == 0 ? harness_slurp(w->log) : strdup("");
  unlink(w->log);
  return text;
}

/* How many logged requests start with `prefix` ("GET /articles/") and
 * were answered `status`. */
static int requests(const char *log, const char *prefix, int status) {
  int n = 0;
  char want[16];
  snprintf(want, sizeof want, " %d ", status);
  for (const char *line = log; *line;) {
    size_t len = strcspn(line, "\n");
    char *l = strndup(line, len);
    if (strncmp(l, prefix, strlen(prefix)) == 0 && strstr(l, want))
      n++;
    free(l);
    line += len + (line[len] == '\n');
  }
  return n;
}

/* ---- The follower ---------------------------------------------------------
 */

/* A podcast site, its config and its segment cache. */
typedef struct show {
  char *dir;
  char *site;
  char *config;
  char *cache;
} show;

static void show_new(show *s, const char *extra_config) {
  s->dir = harness_tempdir();
  s->site = harness_fmt("%s/site", s->dir);
  s->config = harness_fmt("%s/show.ini", s->dir);
  s->cache = harness_fmt("%s/cache", s->dir);
  char *ini =
      harness_fmt("[show]\ntitle = The Gazette, read aloud\n"
                  "author = Millbrook Gazette\nlink = "
                  "https://millbrook-gazette.example/\n"
                  "base_url = https://pod.example.org/gazette/\n"
                  "[feed]\ncategory = News\nowner_email = pod@example.org\n%s",
                  extra_config ? extra_config : "");
  harness_write_text(s->config, ini);
  free(ini);
}

static void show_free(show *s) {
  remove_tree(s->dir);
  free(s->dir);
  free(s->site);
  free(s->config);
  free(s->cache);
}

/* Runs `articast follow ARGS` on the show (with "now" at `when` for the
 * dates it gives); returns the exit status and the output. */
static int follow(const show *s, long when, const char *args, char **out) {
  char *cmd =
      harness_fmt("SOURCE_DATE_EPOCH=%ld ARTICAST_CACHE_DIR='%s' '%s' follow "
                  "-c '%s' -o '%s' %s 2>&1",
                  when, s->cache, harness_binary(), s->config, s->site, args);
  int rc = harness_run(cmd, out);
  free(cmd);
  return rc;
}

static void follow_ok(const show *s, long when, const char *args,
                      const char *says) {
  char *out = NULL;
  int rc = follow(s, when, args, &out);
  ck_assert_msg(rc == 0, "articast follow %s: exit %d:\n%s", args, rc, out);
  ck_assert_msg(!says || strstr(out, says), "output lacks '%s':\n%s", says,
                out);
  free(out);
}

/* Whether the site is consistent (tests/site_check.py). */
static void check_site(const char *site, const char *when) {
  char *cmd = harness_fmt("python3 '%s/tests/site_check.py' '%s' 2>&1",
                          ARTICAST_TEST_SOURCE_DIR, site);
  char *out = NULL;
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "%s: %s", when, out);
  free(out);
  free(cmd);
}

/* ---- The podcast feed ---------------------------------------------------- */

typedef struct parsed {
  xmlDocPtr doc;
  xmlXPathContextPtr xp;
} parsed;

static parsed feed_of(const show *s) {
  char *path = harness_fmt("%s/feed.xml", s->site);
  parsed p = {xmlReadFile(path, NULL, XML_PARSE_NONET), NULL};
  ck_assert_msg(p.doc != NULL, "%s is not well-formed XML", path);
  p.xp = xmlXPathNewContext(p.doc);
  xmlXPathRegisterNs(p.xp, BAD_CAST "podcast", BAD_CAST NS_PODCAST);
  xmlXPathRegisterNs(p.xp, BAD_CAST "atom", BAD_CAST NS_ATOM);
  free(path);
  return p;
}

static void parsed_free(parsed *p) {
  xmlXPathFreeContext(p->xp);
  xmlFreeDoc(p->doc);
}

static char *xs(parsed *p, const char *expr) {
  char *full = harness_fmt("string(%s)", expr);
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, p->xp);
  ck_assert_msg(o != NULL, "bad XPath %s", expr);
  char *s = strdup(o->stringval ? (const char *)o->stringval : "");
  xmlXPathFreeObject(o);
  free(full);
  return s;
}

/* What the feed says at `expr`, in one call. */
static char *feed_says(const show *s, const char *expr) {
  parsed p = feed_of(s);
  char *v = xs(&p, expr);
  parsed_free(&p);
  return v;
}

/* The one file of `slug` with extension `ext`: the version a complete
 * site holds. */
static char *episode_file(const show *s, const char *slug, const char *ext) {
  char *pattern =
      harness_fmt("%s/episodes/%s.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
                  "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]%s",
                  s->site, slug, ext);
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);
  ck_assert_msg(rc == 0 && g.gl_pathc == 1, "%zu files match %s",
                rc == 0 ? g.gl_pathc : 0, pattern);
  char *path = strdup(g.gl_pathv[0]);
  globfree(&g);
  free(pattern);
  return path;
}

/* How many MP3s the site holds. */
static size_t mp3_count(const show *s) {
  char *pattern = harness_fmt("%s/episodes/*.mp3", s->site);
  glob_t g;
  size_t n = glob(pattern, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
  globfree(&g);
  free(pattern);
  return n;
}

/* ---- The state database -------------------------------------------------- */

/* The first column of the first row of `sql` over the site's state, as
 * text ("" for none). */
static char *state_says(const show *s, const char *sql) {
  ac_state *st;
  char err[512];
  ck_assert_msg(ac_state_open_readonly(s->site, &st, err, sizeof err) == 0,
                "%s", err);
  sqlite3_stmt *q;
  ck_assert_msg(ac_state_prepare(st, sql, &q, err, sizeof err) == 0, "%s", err);
  char *v = strdup(sqlite3_step(q) == SQLITE_ROW && ac_state_text(q, 0)
                       ? ac_state_text(q, 0)
                       : "");
  sqlite3_finalize(q);
  ac_state_close(st);
  return v;
}

static void ck_state(const show *s, const char *sql, const char *want) {
  char *got = state_says(s, sql);
  ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", sql, got,
                want);
  free(got);
}

/* ---- robots.txt ---------------------------------------------------------- */

static void ck_robots(const char *robots, const char *path, bool want,
                      double want_delay) {
  double delay = -1;
  bool got = ac_robots_allowed(robots, "articast", path, &delay);
  ck_assert_msg(got == want, "%s: %s, want %s under:\n%s", path,
                got ? "allowed" : "disallowed", want ? "allowed" : "not",
                robots);
  ck_assert_msg(delay == want_delay, "%s: Crawl-delay %g, want %g", path, delay,
                want_delay);
}

START_TEST(robots_rules_follow_rfc_9309) {
  const char *star = "# comments and blank lines are fine\n\n"
                     "User-agent: *\r\n"
                     "Disallow: /private/ # members only\n"
                     "Allow: /private/open$\n"
                     "Disallow: /*.pdf$\n"
                     "\n"
                     "User-agent: Googlebot\n"
                     "Disallow: /\n";
  ck_robots(star, "/", true, 0);
  ck_robots(star, "/news/2024/ferry.html", true, 0);
  ck_robots(star, "/private/notes", false, 0);
  ck_robots(star, "/private/open", true, 0);       /* longer rule wins */
  ck_robots(star, "/private/open/more", false, 0); /* '$' ends it */
  ck_robots(star, "/files/report.pdf", false, 0);
  ck_robots(star, "/files/report.pdf?page=2", true, 0);
  ck_robots(star, "/robots.txt", true, 0);
  /* A group of our own (the token in any case, with a version) is the
   * only one that applies; its Crawl-delay is honoured. */
  const char *own = "User-agent: *\nDisallow: /\n\n"
                    "User-agent: ArtiCast/0.2\nUser-agent: otherbot\n"
                    "Disallow: /members/\nCrawl-delay: 2\n"
                    "Allow: /members/join\n";
  ck_robots(own, "/news/", true, 2);
  ck_robots(own, "/members/area", false, 2);
  ck_robots(own, "/members/join", true, 2);
  /* An empty Disallow forbids nothing; equal lengths: Allow wins. */
  ck_robots("User-agent: *\nDisallow:\n", "/anything", true, 0);
  ck_robots("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a/b", true, 0);
  ck_robots("", "/", true, 0);
  ck_robots("garbage without colons\n\n", "/", true, 0);
}
END_TEST

/* ---- Sources --------------------------------------------------------------
 */

static ac_listing parse_fixture(const char *name, const char *base) {
  char *path = harness_fmt("%s/follow/%s", ARTICAST_TEST_DATA_DIR, name);
  char *raw = harness_slurp(path);
  char *text = replaced(raw, "@BASE@", "https://gazette.example");
  ac_listing l;
  char err[512];
  ck_assert_msg(
      ac_listing_parse(text, strlen(text), base, &l, err, sizeof err) == 0,
      "%s: %s", name, err);
  free(text);
  free(raw);
  free(path);
  return l;
}

static const ac_item *item_keyed(const ac_listing *l, const char *key) {
  for (size_t i = 0; i < l->n_items; i++)
    if (strcmp(l->items[i].key, key) == 0)
      return &l->items[i];
  ck_abort_msg("no item keyed %s", key);
  return NULL;
}

START_TEST(rss_atom_and_json_feeds_are_read) {
  ac_listing l = parse_fixture("site/feed.xml", "https://gazette.example/");
  ck_assert_int_eq(l.kind, AC_SOURCE_RSS);
  ck_assert_str_eq(l.title, "The Millbrook Gazette");
  ck_assert_int_eq(l.n_items, 3);
  ck_assert(!l.complete); /* a feed lists the latest articles only */
  const ac_item *lib = item_keyed(&l, "gazette-2024-0117");
  ck_assert_str_eq(
      lib->link, "https://gazette.example/articles/library-weekend-hours.html");
  ck_assert_str_eq(lib->author, "Tom Reyes");
  ck_assert_int_eq(lib->date, 1717419600); /* Mon, 03 Jun 2024 13:00 UTC */
  /* The description is HTML: its text is the summary, not the article. */
  ck_assert_str_eq(lib->summary,
                   "The central library will open from one until five every "
                   "Sunday.");
  ck_assert_ptr_null(lib->content);
  const ac_item *harbour = item_keyed(&l, "https://gazette.example/articles/"
                                          "harbour-road-cycle-lanes.html");
  ck_assert_str_eq(harbour->author, "Nadia Okafor"); /* "addr (name)" */
  const ac_item *beach =
      item_keyed(&l, "tag:millbrook-gazette.example,2024:beach-clean-up");
  ck_assert_int_eq(beach->date, 0); /* undated */
  ac_listing_free(&l);

  l = parse_fixture("parse/atom.xml", "https://blog.example.net/feed.atom");
  ck_assert_int_eq(l.kind, AC_SOURCE_ATOM);
  ck_assert_str_eq(l.title, "Notes from the allotment");
  ck_assert_int_eq(l.n_items, 3);
  const ac_item *beans = item_keyed(&l, "tag:blog.example.net,2024:beans");
  ck_assert_str_eq(beans->title, "Beans & frost");
  /* xml:base resolves the relative link; rel="edit" is not the article. */
  ck_assert_str_eq(beans->link, "https://blog.example.net/posts/beans.html");
  ck_assert_int_eq(beans->date, 1716008400); /* published, not updated */
  ck_assert_str_eq(beans->author, "Ruth Amadi");
  ck_assert_str_eq(beans->language, "en-GB");
  ck_assert_ptr_nonnull(strstr(beans->content, "<p>Three rows survived"));
  const ac_item *compost = item_keyed(&l, "tag:blog.example.net,2024:compost");
  ck_assert_str_eq(compost->language, "fr");
  ck_assert_ptr_nonnull(strstr(compost->content, "<em>sent la for"));
  const ac_item *bare =
      item_keyed(&l, "https://blog.example.net/posts/link-only.html");
  ck_assert_ptr_null(bare->content);
  ac_listing_free(&l);

  l = parse_fixture("parse/feed.json", "https://harbour.example.org/feed.json");
  ck_assert_int_eq(l.kind, AC_SOURCE_JSON_FEED);
  ck_assert_int_eq(l.n_items, 2); /* the entry with nothing to read is out */
  const ac_item *tides = item_keyed(&l, "2");
  ck_assert_str_eq(tides->link, "https://harbour.example.org/notes/tides.html");
  ck_assert_str_eq(tides->author, "Sam Ortiz");
  ck_assert_str_eq(tides->language, "en-US");
  ck_assert_int_eq(tides->date, 1712570400);
  ck_assert_ptr_nonnull(
      strstr(tides->content, "<p>The slipway will close for two hours"));
  ck_assert_str_eq(item_keyed(&l, "1")->summary, "Six new mooring buoys.");
  ac_listing_free(&l);

  l = parse_fixture("parse/rss1.rdf", "https://old.example.org/rss");
  ck_assert_int_eq(l.kind, AC_SOURCE_RSS);
  ck_assert_int_eq(l.n_items, 1);
  ck_assert_str_eq(l.items[0].title, "First & only");
  ck_assert_str_eq(l.items[0].author, "Jo Bloggs");
  ck_assert_int_eq(l.items[0].date, 1075781106);
  ac_listing_free(&l);
}
END_TEST

START_TEST(sitemaps_pages_and_folders_are_read) {
  ac_listing l = parse_fixture("parse/sitemap.xml",
                               "https://news.example.com/sitemap.xml");
  ck_assert_int_eq(l.kind, AC_SOURCE_SITEMAP);
  ck_assert(l.complete); /* a sitemap lists the whole site */
  ck_assert_int_eq(l.n_items, 2);
  const ac_item *ferry =
      item_keyed(&l, "https://news.example.com/2024/06/ferry.html");
  ck_assert_str_eq(ferry->title, "Ferry adds a late crossing");
  ck_assert_int_eq(ferry->date, 1718002800);
  ck_assert_int_eq(ferry->hint, 1718107200); /* lastmod */
  ac_listing_free(&l);

  l = parse_fixture("parse/sitemap-index.xml",
                    "https://news.example.com/sitemap.xml");
  ck_assert_int_eq(l.n_items, 0);
  ck_assert_int_eq(l.n_links, 2);
  ck_assert_str_eq(l.links[1], "https://news.example.com/sitemap-2023.xml");
  ac_listing_free(&l);

  /* A site's home page: the feeds it links to. */
  l = parse_fixture("parse/home.html", "https://millbrook.example/");
  ck_assert_int_eq(l.kind, AC_SOURCE_HTML);
  ck_assert_int_eq(l.n_links, 2);
  ck_assert_str_eq(l.links[0], "https://millbrook.example/feed.xml");
  ac_listing_free(&l);

  char *dir = harness_fmt("%s/follow/folder", ARTICAST_TEST_DATA_DIR);
  char err[256];
  ck_assert_msg(ac_listing_scan_folder(dir, &l, err, sizeof err) == 0, "%s",
                err);
  ck_assert(l.complete);
  /* Sorted by path; no dot files, section pages or photos. */
  ck_assert_int_eq(l.n_items, 2);
  ck_assert_str_eq(l.items[0].key, "posts/2024/harvest-festival.md");
  ck_assert_str_eq(l.items[1].key, "posts/night-market.md");
  ck_assert_ptr_nonnull(l.items[1].validator);
  ck_assert_int_gt(l.items[1].hint, 0);
  ac_listing_free(&l);
  free(dir);

  /* What cannot be read says why. */
  static const struct {
    const char *text, *says;
  } bad[] = {
      {"not a feed at all {", "not well-formed XML (line 1"},
      {"<rss><channel><item><title>Cut", "not well-formed XML (line 1"},
      {"<?xml version=\"1.0\"?><html-ish/>", "not a feed or sitemap"},
      {"{\"title\": \"x\"}", "not a JSON Feed"},
      {"{\"version\": ", "not valid JSON"},
      {"<!DOCTYPE html><html><head></head><body>Hi</body></html>",
       "links to no feed"},
      {"   ", "empty document"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = ac_listing_parse(bad[i].text, strlen(bad[i].text),
                              "https://x.example/", &l, err, sizeof err);
    ck_assert_msg(rc != 0 && strstr(err, bad[i].says), "'%s': %d '%s'",
                  bad[i].text, rc, err);
  }
  /* A truncated feed is read as far as it goes, never as the whole list. */
  const char *cut = "<rss><channel><item><title>Whole</title><link>"
                    "https://x.example/a</link></item><item><title>Cu";
  ck_assert_int_eq(ac_listing_parse(cut, strlen(cut), "https://x.example/", &l,
                                    err, sizeof err),
                   0);
  ck_assert_int_eq(l.n_items, 1);
  ck_assert_ptr_nonnull(l.warning);
  ck_assert(!l.complete);
  ac_listing_free(&l);
}
END_TEST

/* ---- The state database -------------------------------------------------- */

static const char *const notes_v2[] = {
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    "ALTER TABLE notes ADD COLUMN author TEXT;"};

START_TEST(state_modules_migrate_once_and_refuse_newer) {
  char *site = harness_tempdir();
  char err[512];
  ac_state *st;
  /* Another module adds its tables beside the follower's. */
  ac_state_schema schemas[] = {fw_schema, {"notes", notes_v2, 1}};
  ck_assert_msg(ac_state_open(site, schemas, 2, &st, err, sizeof err) == 0,
                "%s", err);
  ck_assert_int_eq(ac_state_module_version(st, "follow"), fw_schema.count);
  ck_assert_int_eq(ac_state_module_version(st, "notes"), 1);
  ck_assert_int_eq(ac_state_exec(st, "INSERT INTO notes (body) VALUES ('x')",
                                 err, sizeof err),
                   0);
  ac_state_close(st);
  /* A second version of the module: only its new migration runs. */
  schemas[1].count = 2;
  ck_assert_msg(ac_state_open(site, schemas, 2, &st, err, sizeof err) == 0,
                "%s", err);
  ck_assert_int_eq(ac_state_module_version(st, "notes"), 2);
  sqlite3_stmt *q;
  ck_assert_int_eq(ac_state_prepare(st,
                                    "SELECT count(*), max(author IS NULL) "
                                    "FROM notes",
                                    &q, err, sizeof err),
                   0);
  ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(q, 0), 1);
  sqlite3_finalize(q);
  ck_assert_int_eq(
      ac_state_prepare(st, "PRAGMA journal_mode", &q, err, sizeof err), 0);
  ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
  sqlite3_finalize(q);
  ac_state_close(st);
  /* An older articast meets the newer tables: it leaves them alone. */
  schemas[1].count = 1;
  ck_assert_int_eq(ac_state_open(site, schemas, 2, &st, err, sizeof err),
                   AC_ERR_UNSUPPORTED);
  ck_assert_msg(strstr(err, "notes tables were written by a newer articast"),
                "%s", err);
  /* A migration that fails changes nothing. */
  static const char *const broken[] = {"CREATE TABLE ok1 (x);",
                                       "CREATE TABLE ok2 (y); SELEC oops;"};
  ac_state_schema bad = {"broken", broken, 2};
  ck_assert_int_ne(ac_state_open(site, &bad, 1, &st, err, sizeof err), 0);
  ck_assert_msg(strstr(err, "migrating the broken tables"), "%s", err);
  ac_state_schema first = {"broken", broken, 1};
  ck_assert_msg(ac_state_open(site, &first, 1, &st, err, sizeof err) == 0, "%s",
                err);
  ck_assert_int_eq(ac_state_module_version(st, "broken"), 1);
  ck_assert_int_ne(
      ac_state_prepare(st, "SELECT * FROM ok2", &q, err, sizeof err), 0);
  ac_state_close(st);
  /* The database is a dot file of the site. */
  char *db = harness_fmt("%s/.articast.db", site);
  ck_assert_int_eq(access(db, R_OK), 0);
  free(db);
  remove_tree(site);
  free(site);
}
END_TEST

/* ---- Following a publication over time ------------------------------------
 */

/* "Now" at each run: SOURCE_DATE_EPOCH, so feed dates can be checked. */
#define T0 1718020800L /* Mon, 10 Jun 2024 12:00:00 +0000 */
#define DAY 86400L

static const char *const slug_harbour =
    "council-approves-cycle-lanes-on-harbour-road";
static const char *const slug_library =
    "library-opens-on-sunday-afternoons-from-july";
static const char *const slug_beach =
    "volunteers-clear-two-tonnes-of-litter-from-millbrook-beach";

static void ck_feed(const show *s, const char *expr, const char *want) {
  char *got = feed_says(s, expr);
  ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", expr, got,
                want);
  free(got);
}

/* The first run publishes every article: the article's text without the
 * page around it, the disclosure spoken after the title, the show's
 * chapters and dates right. */
static void check_first_run(web *w, const show *s) {
  check_site(s->site, "first run");
  ck_feed(s, "count(/rss/channel/item)", "3");
  ck_feed(s, "/rss/channel/lastBuildDate", "Mon, 10 Jun 2024 12:00:00 +0000");
  ck_feed(s, "/rss/channel/item[1]/title",
          "Library opens on Sunday afternoons from July");
  /* The undated article is dated when first seen, but never after the
   * newest article its source dates. */
  char *expr =
      harness_fmt("/rss/channel/item[guid='tag:millbrook-gazette.example,"
                  "2024:beach-clean-up']/pubDate");
  ck_feed(s, expr, "Mon, 03 Jun 2024 13:00:00 +0000");
  free(expr);
  /* A guid that is no URI is the feed's own. */
  expr = harness_fmt(
      "count(/rss/channel/item[guid='%s/feed.xml#gazette-2024-0117'])",
      w->base);
  ck_feed(s, expr, "1");
  free(expr);
  char *txt = episode_file(s, slug_harbour, ".txt");
  char *text = harness_slurp(txt);
  ck_assert_msg(strstr(text,
                       "Council approves cycle lanes on Harbour Road\n\n"
                       "This article was read by a synthetic voice.") == text,
                "%s", text);
  ck_assert(strstr(text, "Millbrook council has approved a pair of"));
  ck_assert(strstr(text, "the final plan keeps three of them."));
  const char *page_only[] = {"Leave a reply", "Subscribe", "Pat",
                             "Share this",    "Cookies",   "Comments"};
  for (size_t i = 0; i < sizeof page_only / sizeof page_only[0]; i++)
    ck_assert_msg(!strstr(text, page_only[i]), "'%s' spoken:\n%s", page_only[i],
                  text);
  free(text);
  free(txt);
  /* The disclosure is its own part: the first chapter is the title, the
   * second the body's opening words. */
  char *json = episode_file(s, slug_harbour, ".chapters.json");
  text = harness_slurp(json);
  ck_assert_msg(strstr(text, "\"title\":\"Council approves cycle lanes on "
                             "Harbour Road\"") ||
                    strstr(text, "\"title\": \"Council approves cycle lanes"),
                "%s", text);
  ck_assert_msg(!strstr(text, "synthetic voice"), "%s", text);
  free(text);
  free(json);
  char *log = web_requests(w);
  ck_assert_int_eq(requests(log, "GET /feed.xml", 200), 1);
  ck_assert_int_eq(requests(log, "GET /articles/", 200), 3);
  ck_assert_int_eq(requests(log, "GET /robots.txt", 200), 1);
  ck_assert_msg(strstr(log, " articast/" ARTICAST_VERSION_STRING
                            " (+https://millbrook-gazette.example/)\n"),
                "%s", log);
  free(log);
}

/* `articast status` prints the state as tables and as JSON. */
static void check_status(const show *s) {
  char *cmd = harness_fmt("'%s' status -o '%s'", harness_binary(), s->site),
       *out;
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_msg(strstr(out, "/feed.xml") && strstr(out, "rss") &&
                    strstr(out, "published  2024-06-01") &&
                    strstr(out, slug_library),
                "%s", out);
  free(out);
  free(cmd);
  cmd = harness_fmt("'%s' status --json -o '%s' | python3 -c 'import json,sys; "
                    "d=json.load(sys.stdin); print(len(d[\"sources\"]), "
                    "sorted(a[\"status\"] for a in d[\"articles\"]), "
                    "d[\"articles\"][0][\"date\"])'",
                    harness_binary(), s->site);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_str_eq(out, "1 ['published', 'published', 'published'] "
                        "2024-06-01T08:30:00Z\n");
  free(out);
  free(cmd);
}

/* A second run with nothing changed renders nothing and reads no page
 * whole: every conditional request is answered 304. */
static void check_quiet_run(web *w, const show *s, const char *feed) {
  char *path = harness_fmt("%s/feed.xml", s->site);
  char *before = harness_slurp(path);
  struct stat sb1, sb2;
  ck_assert_int_eq(stat(path, &sb1), 0);
  follow_ok(s, T0 + DAY, feed, "0 new, 0 updated, 3 unchanged");
  char *after = harness_slurp(path);
  ck_assert_str_eq(before, after);
  ck_assert_int_eq(stat(path, &sb2), 0);
  ck_assert(sb1.st_mtim.tv_sec == sb2.st_mtim.tv_sec &&
            sb1.st_mtim.tv_nsec == sb2.st_mtim.tv_nsec);
  char *log = web_requests(w);
  ck_assert_int_eq(requests(log, "GET /feed.xml", 304), 1);
  ck_assert_int_eq(requests(log, "GET /articles/", 200), 0);
  ck_assert_int_eq(requests(log, "GET /articles/", 304), 3);
  free(log);
  free(after);
  free(before);
  free(path);
}

/* An article corrected on its page only: exactly that episode is
 * rendered again, its guid kept, lastBuildDate moved. A page whose
 * comments changed is read, but its episode is not rendered again. */
static void check_page_edit(web *w, const show *s, const char *feed) {
  char *harbour = episode_file(s, slug_harbour, ".mp3");
  char *library = episode_file(s, slug_library, ".mp3");
  char *beach = episode_file(s, slug_beach, ".mp3");
  char *guid = feed_says(s, "/rss/channel/item[3]/guid");
  web_edit(w, "articles/harbour-road-cycle-lanes.html", "seven to two",
           "eight to one");
  web_edit(w, "articles/library-weekend-hours.html", "Great news for",
           "Lovely news for");
  follow_ok(s, T0 + 2 * DAY, feed, "0 new, 1 updated, 2 unchanged");
  check_site(s->site, "after a correction");
  char *harbour2 = episode_file(s, slug_harbour, ".mp3");
  char *library2 = episode_file(s, slug_library, ".mp3");
  char *beach2 = episode_file(s, slug_beach, ".mp3");
  ck_assert_str_ne(harbour, harbour2);
  ck_assert_str_eq(library, library2);
  ck_assert_str_eq(beach, beach2);
  ck_feed(s, "count(/rss/channel/item)", "3");
  ck_feed(s, "/rss/channel/item[3]/guid", guid);
  ck_feed(s, "/rss/channel/lastBuildDate", "Wed, 12 Jun 2024 12:00:00 +0000");
  char *txt = episode_file(s, slug_harbour, ".txt");
  char *text = harness_slurp(txt);
  ck_assert(strstr(text, "voted eight to one"));
  char *log = web_requests(w);
  ck_assert_int_eq(requests(log, "GET /articles/harbour", 200), 1);
  ck_assert_int_eq(requests(log, "GET /articles/library", 200), 1);
  ck_assert_int_eq(requests(log, "GET /articles/beach", 304), 1);
  free(log);
  /* The comment's page was taken in: asked again, it is unchanged. */
  follow_ok(s, T0 + 2 * DAY, feed, "0 new, 0 updated, 3 unchanged");
  log = web_requests(w);
  ck_assert_int_eq(requests(log, "GET /articles/", 304), 3);
  free(log);
  char *all[] = {harbour, library, beach, harbour2, library2,
                 beach2,  guid,    txt,   text};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]);
}

/* A new item: one new episode, the others untouched. */
static void check_new_item(web *w, const show *s, const char *feed) {
  web_put(w, "extra/ferry-summer-timetable.html",
          "articles/ferry-summer-timetable.html");
  web_put(w, "extra/feed-new-item.xml", "feed.xml");
  follow_ok(s, T0 + 3 * DAY, feed, "1 new, 0 updated, 3 unchanged");
  check_site(s->site, "after a new item");
  ck_feed(s, "count(/rss/channel/item)", "4");
  ck_feed(s, "/rss/channel/item[1]/title",
          "Summer ferry timetable adds an evening crossing");
  ck_assert_uint_eq(mp3_count(s), 4);
  char *log = web_requests(w);
  ck_assert_int_eq(requests(log, "GET /articles/", 200), 1);
  ck_assert_int_eq(requests(log, "GET /articles/", 304), 3);
  free(log);
}

/* A corrected title: the same episode (guid and slug) with the new
 * title. */
static void check_title_edit(web *w, const show *s, const char *feed) {
  char *expr = harness_fmt(
      "/rss/channel/item[guid='%s/feed.xml#gazette-2024-0117']", w->base);
  char *title = harness_fmt("%s/title", expr);
  web_edit(w, "feed.xml", "Library opens on Sunday afternoons",
           "Library to open on Sunday afternoons");
  web_edit(w, "articles/library-weekend-hours.html",
           "Library opens on Sunday afternoons",
           "Library to open on Sunday afternoons");
  follow_ok(s, T0 + 4 * DAY, feed, "0 new, 1 updated, 3 unchanged");
  check_site(s->site, "after a title edit");
  ck_feed(s, "count(/rss/channel/item)", "4");
  ck_feed(s, title, "Library to open on Sunday afternoons from July");
  char *mp3 = episode_file(s, slug_library, ".mp3"); /* the same slug */
  char *url = harness_fmt("%s/enclosure/@url", expr);
  char *got = feed_says(s, url);
  ck_assert_msg(strstr(got, slug_library), "%s", got);
  ck_assert_uint_eq(mp3_count(s), 4);
  free(web_requests(w));
  char *all[] = {expr, title, mp3, url, got};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]);
}

/* The site moves: enclosures move with the base URL, the show's
 * podcast:guid does not. */
static void check_base_url_change(web *w, const show *s, const char *feed) {
  char *guid = feed_says(s, "/rss/channel/podcast:guid");
  char *args =
      harness_fmt("--base-url https://cdn.example.net/gazette/ %s", feed);
  follow_ok(s, T0 + 5 * DAY, args,
            "the base URL changes from https://pod.example.org/gazette/ to "
            "https://cdn.example.net/gazette/");
  check_site(s->site, "after a move");
  ck_feed(s, "/rss/channel/podcast:guid", guid);
  char *enc = feed_says(s, "/rss/channel/item[1]/enclosure/@url");
  ck_assert_msg(strncmp(enc, "https://cdn.example.net/gazette/episodes/", 40) ==
                    0,
                "%s", enc);
  ck_feed(s, "/rss/channel/atom:link[@rel='self']/@href",
          "https://cdn.example.net/gazette/feed.xml");
  free(web_requests(w));
  free(enc);
  free(args);
  free(guid);
}

START_TEST(a_publication_followed_over_time) {
  web w;
  web_start(&w);
  show s;
  show_new(&s, NULL);
  char *feed = harness_fmt("'%s/feed.xml'", w.base);
  follow_ok(&s, T0, feed, "3 new, 0 updated, 0 unchanged");
  check_first_run(&w, &s);
  check_status(&s);
  check_quiet_run(&w, &s, feed);
  check_page_edit(&w, &s, feed);
  check_new_item(&w, &s, feed);
  check_title_edit(&w, &s, feed);
  check_base_url_change(&w, &s, feed);
  free(feed);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* ---- Kills ----------------------------------------------------------------
 */

/* After a kill: whatever the site lists is whole, no temporary file is
 * visible, the state database is intact. */
static void check_after_kill(const show *s, const char *when) {
  char *feed = harness_fmt("%s/feed.xml", s->site);
  if (access(feed, F_OK) == 0)
    check_site(s->site, when);
  free(feed);
  char *db = harness_fmt("%s/.articast.db", s->site);
  if (access(db, F_OK) == 0)
    ck_state(s, "PRAGMA integrity_check", "ok");
  free(db);
}

/* Every article exactly once: `n` items with `n` guids, one MP3 each,
 * `n` published rows. */
static void check_each_once(const show *s, int n, const char *when) {
  check_site(s->site, when);
  parsed p = feed_of(s);
  char *count = xs(&p, "count(/rss/channel/item)");
  char *want = harness_fmt("%d", n);
  ck_assert_msg(strcmp(count, want) == 0, "%s: %s items", when, count);
  char *distinct = xs(&p, "count(/rss/channel/item[not(guid = "
                          "preceding-sibling::item/guid)])");
  ck_assert_msg(strcmp(distinct, want) == 0, "%s: %s guids", when, distinct);
  parsed_free(&p);
  ck_assert_uint_eq(mp3_count(s), (size_t)n);
  ck_state(s, "SELECT count(*) FROM articles WHERE status = 'published'", want);
  ck_state(s, "SELECT count(*) FROM articles", want);
  free(distinct);
  free(count);
  free(want);
}

/* ARTICAST_CRASH_AFTER=N kills articast (the follower, or the worker
 * rendering an article) at its Nth step that changes the site or the
 * state. From an empty site, for every N: the site and the state are
 * consistent after the kill, and a rerun gives each article once. */
START_TEST(a_kill_at_any_step_then_a_rerun_gives_each_article_once) {
  web w;
  web_start(&w);
  show s;
  show_new(&s, NULL);
  web_put(&w, "extra/feed-two-items.xml", "feed.xml"); /* fewer steps */
  char *feed = harness_fmt("--retry -j 1 '%s/feed.xml'", w.base);
  follow_ok(&s, T0, feed, "2 new"); /* fills the segment cache */
  int n;
  for (n = 1; n < 400; n++) {
    remove_tree(s.site);
    char *args = harness_fmt("%s", feed), *out = NULL;
    char *env = harness_fmt("%d", n);
    setenv("ARTICAST_CRASH_AFTER", env, 1);
    int rc = follow(&s, T0, args, &out);
    unsetenv("ARTICAST_CRASH_AFTER");
    bool killed = strstr(out, "crash test") != NULL;
    char when[64];
    snprintf(when, sizeof when, "killed at step %d", n);
    if (!killed) {
      ck_assert_msg(rc == 0, "step %d: exit %d: %s", n, rc, out);
      check_each_once(&s, 2, "a run without a kill");
    } else {
      check_after_kill(&s, when);
      follow_ok(&s, T0, feed, NULL);
      snprintf(when, sizeof when, "a rerun after step %d", n);
      check_each_once(&s, 2, when);
    }
    free(env);
    free(out);
    free(args);
    if (!killed)
      break;
  }
  /* Every step of a whole run was a place to die. */
  ck_assert_int_gt(n, 20);
  fprintf(stderr, "test_follow: killed at each of %d steps\n", n - 1);
  free(feed);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* Starts `articast follow ARGS` in a process group of its own. */
static pid_t follow_in_background(const show *s, const char *args,
                                  const char *output) {
  char *cmd = harness_fmt(
      "SOURCE_DATE_EPOCH=%ld ARTICAST_CACHE_DIR='%s' exec '%s' "
      "follow -c '%s' -o '%s' %s >'%s' 2>&1",
      T0, s->cache, harness_binary(), s->config, s->site, args, output);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid);
  free(cmd);
  return pid;
}

/* Waits for `path` to match a file (glob), up to `seconds`. */
static bool wait_for(const char *pattern, double seconds) {
  for (double t = 0; t < seconds; t += 0.02) {
    glob_t g;
    bool found = glob(pattern, 0, NULL, &g) == 0;
    globfree(&g);
    if (found)
      return true;
    usleep(20000);
  }
  return false;
}

static int wait_exit(pid_t pid, double seconds) {
  int status;
  for (double t = 0; t < seconds; t += 0.02) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(20000);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

static int published(const show *s) {
  char *n =
      state_says(s, "SELECT count(*) FROM articles WHERE status = 'published'");
  int v = atoi(n);
  free(n);
  return v;
}

/* SIGKILL to the whole process group once an episode is out, then a
 * rerun: each article once, none rendered twice. */
START_TEST(sigkill_mid_way_then_a_rerun) {
  web w;
  web_start(&w);
  show s;
  show_new(&s, NULL);
  char *args = harness_fmt("-j 1 '%s/feed.xml'", w.base);
  char *output = harness_fmt("%s/out.txt", s.dir);
  pid_t pid = follow_in_background(&s, args, output);
  char *pattern = harness_fmt("%s/episodes/*.mp3", s.site);
  ck_assert_msg(wait_for(pattern, 120), "no episode came out");
  kill(-pid, SIGKILL);
  ck_assert_int_eq(wait_exit(pid, 30), 128 + SIGKILL);
  check_after_kill(&s, "after SIGKILL");
  int done = published(&s);
  ck_assert_msg(done < 3, "the kill came too late to be mid-way (%d)", done);
  char *says = harness_fmt("%d new", 3 - done);
  follow_ok(&s, T0, args, says);
  check_each_once(&s, 3, "a rerun after SIGKILL");
  free(says);
  free(pattern);
  free(output);
  free(args);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* --every: SIGTERM lets the article in hand finish, then articast exits
 * cleanly (status 0); the next run renders the rest, once. */
START_TEST(sigterm_finishes_the_article_in_hand) {
  web w;
  web_start(&w);
  show s;
  show_new(&s, NULL);
  char *args = harness_fmt("--every 1h -j 1 '%s/feed.xml'", w.base);
  char *output = harness_fmt("%s/out.txt", s.dir);
  pid_t pid = follow_in_background(&s, args, output);
  /* Synthesis has begun once a segment is in the cache. */
  char *pattern = harness_fmt("%s/*/*", s.cache);
  ck_assert_msg(wait_for(pattern, 120), "no rendering began");
  kill(-pid, SIGTERM); /* the follower's process group, as ^C does */
  int rc = wait_exit(pid, 120);
  char *out = harness_slurp(output);
  ck_assert_msg(rc == 0, "exit %d:\n%s", rc, out);
  ck_assert_msg(strstr(out, "stopping after the articles in hand"), "%s", out);
  int done = published(&s);
  ck_assert_msg(done >= 1 && done < 3, "%d published:\n%s", done, out);
  ck_state(&s, "SELECT count(*) FROM articles WHERE status = 'failed'", "0");
  check_after_kill(&s, "after SIGTERM");
  char *once = harness_fmt("-j 1 '%s/feed.xml'", w.base);
  char *says = harness_fmt("%d new", 3 - done);
  follow_ok(&s, T0, once, says);
  check_each_once(&s, 3, "a rerun after SIGTERM");
  free(says);
  free(once);
  free(out);
  free(pattern);
  free(output);
  free(args);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* ---- Broken sources ---------------------------------------------------------
 */

/* A server error, a redirect, a malformed feed, something that is no feed,
 * a page of 50 MB, a page robots.txt forbids, a missing feed: each says
 * what is wrong, and the others are still followed. */
START_TEST(broken_sources_are_reported_one_by_one) {
  web w;
  web_start(&w);
  char *path = harness_fmt("%s/malformed.xml", w.www);
  harness_write_text(path, "<rss><channel><item><title>Broken");
  free(path);
  path = harness_fmt("%s/garbage.xml", w.www);
  harness_write_text(path, "not a feed at all {");
  free(path);
  path = harness_fmt("%s/huge-feed.xml", w.www);
  char *xml =
      harness_fmt("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                  "<title>Odd</title><item><title>A long page</title><link>"
                  "%s/huge.html</link></item><item><title>For members</title>"
                  "<link>%s/members/only.html</link></item></channel></rss>",
                  w.base, w.base);
  harness_write_text(path, xml);
  free(xml);
  free(path);
  show s;
  show_new(&s, NULL);
  char *args = harness_fmt("'%1$s/fail/feed.xml' '%1$s/busy/feed.xml' "
                           "'%1$s/moved/feed.xml' "
                           "'%1$s/malformed.xml' '%1$s/garbage.xml' "
                           "'%1$s/huge-feed.xml' '%1$s/nothing.xml'",
                           w.base);
  char *out = NULL;
  int rc = follow(&s, T0, args, &out);
  ck_assert_msg(rc == AC_EXIT_INPUT, "exit %d:\n%s", rc, out);
  const char *says[] = {
      "/fail/feed.xml: HTTP 500 Internal Server Error (next try after",
      "/moved/feed.xml: 3 articles: 3 new",
      "/malformed.xml: not well-formed XML (line 1: ",
      "/garbage.xml: not well-formed XML (line 1: Start tag expected",
      "A long page: larger than the input limit of 20 MiB (see --max-input)",
      "For members: robots.txt of http://127.0.0.1:",
      "/nothing.xml: HTTP 404 Not Found"};
  for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
    ck_assert_msg(strstr(out, says[i]), "output lacks '%s':\n%s", says[i], out);
  check_site(s.site, "broken sources");
  ck_feed(&s, "count(/rss/channel/item)", "3");
  char *log = web_requests(&w);
  /* The members' page was never asked for; the redirect was followed. */
  ck_assert_int_eq(requests(log, "GET /members/", 200), 0);
  ck_assert_int_eq(requests(log, "GET /moved/feed.xml", 301), 1);
  free(log);
  char *fail =
      harness_fmt("SELECT last_error || ' / ' || failures FROM sources "
                  "WHERE location = '%s/fail/feed.xml'",
                  w.base);
  ck_state(&s, fail, "HTTP 500 Internal Server Error / 1");
  free(fail);
  /* A server that asks for a pause (Retry-After) gets it. */
  char *busy =
      harness_fmt("SELECT last_error, retry_after - last_checked >= 7200 "
                  "FROM sources WHERE location = '%s/busy/feed.xml'",
                  w.base);
  ck_state(&s, busy, "HTTP 503 Service Unavailable");
  free(busy);
  busy = harness_fmt(
      "SELECT retry_after - last_checked >= 7200 FROM sources WHERE "
      "location = '%s/busy/feed.xml'",
      w.base);
  ck_state(&s, busy, "1");
  free(busy);
  /* Right after, the failing sources wait for their back-off. */
  free(out);
  rc = follow(&s, T0, args, &out);
  ck_assert_msg(strstr(out, "/fail/feed.xml: skipped: it failed 1 time in a "
                            "row; next try after"),
                "%s", out);
  ck_assert_msg(strstr(out, "/moved/feed.xml: 3 articles: 0 new"), "%s", out);
  free(out);
  free(args);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* ---- A listener's app -------------------------------------------------------
 */

/* Runs gPodder's command-line client with its own home. */
static char *gpo(const char *home, const char *args) {
  char *cmd =
           harness_fmt("GPODDER_HOME='%s' GPODDER_DOWNLOAD_DIR='%s/downloads' "
                       "gpo %s 2>&1",
                       home, home, args),
       *out = NULL;
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "%s: %d: %s", cmd, rc, out);
  free(cmd);
  return out;
}

/* What gPodder decides is new, when gpo is missing: an episode whose guid
 * it has not seen, unless it is dated more than a week before the newest
 * one it had (gpodder/model.py, _consume_updated_feed). */
static char *feedparser_new(const char *feed_url, const char *seen_file) {
  char *cmd = harness_fmt(
           "python3 -c 'import feedparser, calendar, json, sys\n"
           "f = feedparser.parse(sys.argv[1])\n"
           "seen = json.load(open(sys.argv[2]))\n"
           "when = lambda e: calendar.timegm(e.published_parsed)\n"
           "newest = max([t for g, t in seen.items()] or [0])\n"
           "for e in f.entries:\n"
           "    if e.id not in seen and when(e) >= newest - 7 * 86400:\n"
           "        print(e.title)\n' '%s' '%s'",
           feed_url, seen_file),
       *out = NULL;
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  free(cmd);
  return out;
}

/* An existing subscriber learns of the new article after a follow run:
 * the undated older article, dated when first seen but not after the
 * source's newest, does not make it look a week old. */
START_TEST(an_existing_gpodder_subscriber_gets_the_new_episode) {
  web w;
  web_start(&w);
  show s;
  char *extra = harness_fmt("[pipeline]\nsite = unused\n");
  show_new(&s, NULL);
  free(extra);
  free(s.site);
  s.site = harness_fmt("%s/podcast", w.www); /* served beside the publication */
  char *args =
      harness_fmt("--base-url '%s/podcast/' '%s/feed.xml'", w.base, w.base);
  /* Rendered well after the articles were written: today, not June. */
  long today = (long)time(NULL);
  follow_ok(&s, today, args, "3 new");
  char *feed_url = harness_fmt("%s/podcast/feed.xml", w.base);
  char *home = harness_fmt("%s/gpodder", s.dir);
  bool have_gpo = harness_run("command -v gpo >/dev/null", NULL) == 0;
  char *seen = harness_fmt("%s/seen.json", s.dir), *out;
  if (have_gpo) {
    char *sub = harness_fmt("subscribe '%s'", feed_url);
    free(gpo(home, sub));
    free(gpo(home, "download")); /* listened to: none is new any more */
    out = gpo(home, "pending");
    ck_assert_msg(strstr(out, "0 new episodes"), "%s", out);
    free(out);
    free(sub);
  } else {
    fprintf(stderr, "test_follow: gpo not installed; judging as gPodder "
                    "does, with feedparser\n");
    char *cmd =
        harness_fmt("python3 -c 'import feedparser, calendar, json, sys\n"
                    "f = feedparser.parse(sys.argv[1])\n"
                    "json.dump({e.id: calendar.timegm(e.published_parsed) "
                    "for e in f.entries}, open(sys.argv[2], \"w\"))' '%s' "
                    "'%s'",
                    feed_url, seen);
    run_ok(cmd);
    free(cmd);
  }
  web_put(&w, "extra/ferry-summer-timetable.html",
          "articles/ferry-summer-timetable.html");
  web_put(&w, "extra/feed-new-item.xml", "feed.xml");
  follow_ok(&s, today + 3600, args, "1 new");
  if (have_gpo) {
    free(gpo(home, "update"));
    out = gpo(home, "pending");
    ck_assert_msg(strstr(out, "Summer ferry timetable adds an evening "
                              "crossing") &&
                      strstr(out, "1 new episode"),
                  "gPodder missed the new episode:\n%s", out);
  } else {
    out = feedparser_new(feed_url, seen);
    ck_assert_str_eq(out, "Summer ferry timetable adds an evening crossing\n");
  }
  free(out);
  free(seen);
  free(home);
  free(feed_url);
  free(args);
  show_free(&s);
  web_stop(&w);
}
END_TEST

/* ---- A folder ---------------------------------------------------------------
 */

/* A static site's content: each Markdown file an episode. A file without
 * id or URL is known by its first title, so a corrected title updates its
 * episode in place; a file removed is gone, its episode kept. */
START_TEST(a_folder_is_followed_and_a_title_edit_keeps_the_episode) {
  show s;
  show_new(&s, NULL);
  char *content = harness_fmt("%s/content", s.dir);
  char *cmd = harness_fmt("cp -r '%s/follow/folder' '%s'",
                          ARTICAST_TEST_DATA_DIR, content);
  run_ok(cmd);
  free(cmd);
  char *args = harness_fmt("'%s'", content);
  follow_ok(&s, T0, args, "2 articles: 2 new");
  check_site(s.site, "a folder");
  const char *night = "night-market-returns-to-the-quay";
  char *guid_expr =
      harness_fmt("/rss/channel/item[title='Night market returns to "
                  "the quay']/guid");
  char *guid = feed_says(&s, guid_expr);
  ck_assert_msg(strncmp(guid, "urn:uuid:", 9) != 0 && strlen(guid) == 36, "%s",
                guid); /* a UUID of the first title */
  /* Undated: when first seen (its file, copied now, is newer). */
  ck_feed(&s,
          "/rss/channel/item[title='Night market returns to the "
          "quay']/pubDate",
          "Mon, 10 Jun 2024 12:00:00 +0000");
  follow_ok(&s, T0 + DAY, args, "0 new, 0 updated, 2 unchanged");
  char *md = harness_fmt("%s/posts/night-market.md", content);
  char *text = harness_slurp(md);
  char *edited = replaced(text, "title: Night market returns to the quay",
                          "title: Night market returns to the harbour quay");
  harness_write_text(md, edited);
  follow_ok(&s, T0 + 2 * DAY, args, "0 new, 1 updated, 1 unchanged");
  check_site(s.site, "a title edit");
  ck_feed(&s, "count(/rss/channel/item)", "2");
  ck_feed(&s,
          "/rss/channel/item[title='Night market returns to the harbour "
          "quay']/guid",
          guid);
  char *mp3 = episode_file(&s, night, ".mp3");
  ck_assert_uint_eq(mp3_count(&s), 2);
  char *gone = harness_fmt("%s/posts/2024/harvest-festival.md", content);
  ck_assert_int_eq(unlink(gone), 0);
  follow_ok(&s, T0 + 3 * DAY, args,
            "1 articles: 0 new, 0 updated, 1 unchanged");
  ck_state(&s,
           "SELECT status FROM articles WHERE source_key = "
           "'posts/2024/harvest-festival.md'",
           "gone");
  ck_feed(&s, "count(/rss/channel/item)", "2");
  char *all[] = {content, args, guid_expr, guid, md, text, edited, mp3, gone};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]);
  show_free(&s);
}
END_TEST

/* ---- The spoken intro and outro ---------------------------------------------
 */

/* A document as the host hands it to the text stages: the title block,
 * a paragraph, a bio. */
static ac_document *titled_doc(const char *language, const char *author,
                               const char *date) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Ferry adds a late crossing", (size_t)-1);
  if (language)
    ac_set_string(&doc->language, language, (size_t)-1);
  if (author)
    ac_set_string(&doc->author, author, (size_t)-1);
  if (date)
    ac_set_string(&doc->date, date, (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_HEADING, doc->title, (size_t)-1)->level =
      0;
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH,
                        "The harbour ferry adds an evening crossing.",
                        (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_BIO, "Ana writes about the harbour.",
                        (size_t)-1);
  return doc;
}

static void announce_ok(const char *const *settings, ac_document *doc) {
  char err[512] = "";
  int rc = harness_text_stage("announce", settings, doc, err, sizeof err);
  ck_assert_msg(rc == 0, "announce: %s", err);
}

START_TEST(announcements_speak_the_disclosure_in_the_article_language) {
  /* Default: the disclosure right after the title, no outro. */
  ac_document *doc = titled_doc("en-GB", "Ana Sousa", "2024-06-10");
  announce_ok(NULL, doc);
  ck_assert_uint_eq(doc->n_blocks, 4);
  ck_assert_int_eq(doc->blocks[1].kind, AC_BLOCK_ANNOUNCEMENT);
  ck_assert_str_eq(doc->blocks[1].text,
                   "This article was read by a synthetic voice.");
  ck_assert_ptr_null(doc->blocks[1].lang);
  ck_assert_int_eq(doc->blocks[3].kind, AC_BLOCK_BIO);
  /* A stage list that names it twice announces once. */
  announce_ok(NULL, doc);
  ck_assert_uint_eq(doc->n_blocks, 4);
  ac_document_free(doc);

  /* Templates with fields; [a part] goes when its field is empty; a
   * date in the words of the language ("1er juin"). */
  const char *const fr[] = {"intro={disclosure} [Par {author}.]",
                            "outro=Publié le {date}. {{fin}}", NULL};
  doc = titled_doc("fr-CA", NULL, "2024-06-01");
  announce_ok(fr, doc);
  ck_assert_str_eq(doc->blocks[1].text,
                   "Cet article a été lu par une voix de synthèse.");
  ck_assert_int_eq(doc->blocks[doc->n_blocks - 1].kind, AC_BLOCK_ANNOUNCEMENT);
  ck_assert_str_eq(doc->blocks[doc->n_blocks - 1].text,
                   "Publié le 1er juin 2024. {fin}");
  ac_document_free(doc);
  const char *const de[] = {"outro={title}, von {author}, {date}.", NULL};
  doc = titled_doc("de", "Jonas Weber", "2024-03-05T10:00:00Z");
  announce_ok(de, doc);
  ck_assert_str_eq(
      doc->blocks[doc->n_blocks - 1].text,
      "Ferry adds a late crossing, von Jonas Weber, 5. März 2024.");
  ac_document_free(doc);

  /* A language articast has no sentence for: the English one, marked as
   * English so that an English voice speaks it; the show's own phrases
   * fill the gap. */
  doc = titled_doc("sw", NULL, NULL);
  announce_ok(NULL, doc);
  ck_assert_str_eq(doc->blocks[1].text,
                   "This article was read by a synthetic voice.");
  ck_assert_str_eq(doc->blocks[1].lang, "en");
  ac_document_free(doc);
  char *phrases = harness_fmt("phrases=%s/follow/announce/phrases.tsv",
                              ARTICAST_TEST_DATA_DIR);
  const char *const own[] = {phrases, NULL};
  doc = titled_doc("sw-KE", NULL, NULL);
  announce_ok(own, doc);
  ck_assert_str_eq(doc->blocks[1].text,
                   "Makala hii imesomwa kwa sauti ya kompyuta.");
  ck_assert_ptr_null(doc->blocks[1].lang);
  ac_document_free(doc);
  /* Japanese has a built-in sentence. */
  doc = titled_doc("ja-JP", NULL, NULL);
  announce_ok(NULL, doc);
  ck_assert_str_eq(doc->blocks[1].text,
                   "この記事は合成音声で読み上げられました。");
  ck_assert_ptr_null(doc->blocks[1].lang);
  ac_document_free(doc);
  doc = titled_doc("fr", NULL, NULL); /* the show's French intro */
  announce_ok(own, doc);
  ck_assert_str_eq(doc->blocks[1].text,
                   "Bonjour. Cet article a été lu par une voix de synthèse.");
  ac_document_free(doc);
  free(phrases);

  /* A snippet (no title, as articast say speaks) is not announced. */
  doc = ac_document_new();
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Zarb-e-Azb", (size_t)-1);
  announce_ok(NULL, doc);
  ck_assert_uint_eq(doc->n_blocks, 1);
  ac_document_free(doc);

  /* A template that cannot be read is refused before any document. */
  const char *const bad[][2] = {{"intro={nope}", "unknown field {nope}"},
                                {"outro=[by {author}", "'[' without its ']'"},
                                {"intro=a } b", "a lone '}'"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *const set[] = {bad[i][0], NULL};
    char err[512] = "";
    doc = titled_doc("en", NULL, NULL);
    ck_assert_int_ne(harness_text_stage("announce", set, doc, err, sizeof err),
                     0);
    ck_assert_msg(strstr(err, bad[i][1]), "%s: %s", bad[i][0], err);
    ac_document_free(doc);
  }
}
END_TEST

/* The announcements are spoken but start no chapter: the first chapter is
 * the title (with the intro in it), the next the body's opening words. */
START_TEST(announcements_start_no_chapter) {
  const char *const outro[] = {"outro=Thanks for listening.", NULL};
  ac_document *doc = titled_doc("en", NULL, NULL);
  announce_ok(outro, doc);
  ac_chapter_builder b;
  ac_chapters_init(&b, doc);
  for (uint32_t i = 0; i < doc->n_blocks; i++) {
    ac_mark m = {AC_MARK_BLOCK, i, 0, 0, (uint64_t)i * 1000};
    ck_assert_int_eq(ac_chapters_mark(&b, &m), 0);
  }
  ck_assert_int_eq(ac_chapters_finish(&b, 10000), 0);
  ck_assert_uint_eq(b.count, 3);
  ck_assert_str_eq(b.items[0].title, "Ferry adds a late crossing");
  ck_assert_str_eq(b.items[1].title,
                   "The harbour ferry adds an evening crossing.");
  ck_assert_uint_eq(b.items[1].start, 2000); /* not the intro's 1000 */
  ck_assert_str_eq(b.items[2].title, "About the author");
  ac_chapters_free(&b);
  /* Nor are they the article's body. */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_int_eq(ac_document_print(doc, f, AC_PRINT_BODY), 0);
  fclose(f);
  ck_assert_str_eq(buf, "The harbour ferry adds an evening crossing.\n");
  free(buf);
  ac_document_free(doc);
}
END_TEST

/* The whole text pipeline (clean, announce, normalize) on two articles,
 * against golden files: what will be spoken. */
START_TEST(announcements_match_the_golden_files) {
  const char *cases[][3] = {
      {"article-en", "[Written by {author}. ]Published on {date}."},
      {"article-fr", "[Article de {author}, ]publié le {date}."}};
  for (size_t i = 0; i < 2; i++) {
    char *cmd = harness_fmt("'%s' text --spoken -O 'announce.outro=%s' "
                            "'%s/follow/announce/%s.md'",
                            harness_binary(), cases[i][1],
                            ARTICAST_TEST_DATA_DIR, cases[i][0]),
         *out = NULL;
    ck_assert_int_eq(harness_run(cmd, &out), 0);
    char *golden_path = harness_fmt("%s/follow/announce/%s.spoken.txt",
                                    ARTICAST_TEST_DATA_DIR, cases[i][0]);
    char *golden = harness_slurp(golden_path);
    ck_assert_str_eq(out, golden);
    free(golden);
    free(golden_path);
    free(out);
    free(cmd);
  }
}
END_TEST

/* The same rule for `articast episode`: an article with a URL keeps its
 * slug, and so its files and feed item, when its title is corrected. */
START_TEST(an_episode_keeps_its_slug_across_a_title_edit) {
  show s;
  show_new(&s, NULL);
  char *md = harness_fmt("%s/article.md", s.dir);
  harness_write_text(md,
                     "---\ntitle: Night market returns to the quay\n"
                     "url: https://millbrook.example/night-market\n---\n"
                     "The night market comes back on the last Friday of the "
                     "month.\n");
  char *cmd =
      harness_fmt("ARTICAST_CACHE_DIR='%s' '%s' episode -q -c '%s' -o '%s' "
                  "'%s' 2>&1",
                  s.cache, harness_binary(), s.config, s.site, md);
  run_ok(cmd);
  harness_write_text(md,
                     "---\ntitle: Night market returns to the harbour quay\n"
                     "url: https://millbrook.example/night-market\n---\n"
                     "The night market comes back on the last Friday of the "
                     "month.\n");
  run_ok(cmd);
  char *mp3 = episode_file(&s, "night-market-returns-to-the-quay", ".mp3");
  ck_assert_uint_eq(mp3_count(&s), 1);
  ck_feed(&s, "count(/rss/channel/item)", "1");
  ck_feed(&s, "/rss/channel/item/title",
          "Night market returns to the harbour quay");
  free(mp3);
  free(cmd);
  free(md);
  show_free(&s);
}
END_TEST

/* A sitemap lists every page of a site: the dated ones are articles; a
 * page that gives no date (about, contact) is left out, and asked again
 * only conditionally. */
START_TEST(a_sitemap_is_followed_without_its_other_pages) {
  web w;
  web_start(&w);
  web_put(&w, "extra/sitemap.xml", "sitemap.xml");
  web_put(&w, "extra/about.html", "about.html");
  show s;
  show_new(&s, NULL);
  char *args = harness_fmt("'%s/sitemap.xml'", w.base);
  follow_ok(&s, T0, args,
            "3 articles: 2 new, 0 updated, 0 unchanged, 1 not "
            "articles");
  check_site(s.site, "a sitemap");
  ck_feed(&s, "count(/rss/channel/item)", "2");
  char *sql = harness_fmt("SELECT status FROM articles WHERE source_key = "
                          "'%s/about.html'",
                          w.base);
  ck_state(&s, sql, "ignored");
  free(web_requests(&w));
  follow_ok(&s, T0 + DAY, args, "0 new, 0 updated, 3 unchanged");
  char *log = web_requests(&w);
  ck_assert_int_eq(requests(log, "GET /about.html", 304), 1);
  ck_assert_int_eq(requests(log, "GET /articles/", 304), 2);
  free(log);
  free(sql);
  free(args);
  show_free(&s);
  web_stop(&w);
}
END_TEST

static Suite *follow_suite(void) {
  Suite *s = suite_create("follow");
  TCase *parts = tcase_create("parts");
  tcase_add_test(parts, robots_rules_follow_rfc_9309);
  tcase_add_test(parts, rss_atom_and_json_feeds_are_read);
  tcase_add_test(parts, sitemaps_pages_and_folders_are_read);
  tcase_add_test(parts, state_modules_migrate_once_and_refuse_newer);
  tcase_add_test(parts,
                 announcements_speak_the_disclosure_in_the_article_language);
  tcase_add_test(parts, announcements_start_no_chapter);
  tcase_add_test(parts, announcements_match_the_golden_files);
  suite_add_tcase(s, parts);
  /* One case a run, so that CK_RUN_CASE picks one. */
  const struct {
    const char *name;
    const TTest *test;
  } runs[] = {
      {"over-time", a_publication_followed_over_time},
      {"broken", broken_sources_are_reported_one_by_one},
      {"folder", a_folder_is_followed_and_a_title_edit_keeps_the_episode},
      {"gpodder", an_existing_gpodder_subscriber_gets_the_new_episode},
      {"sigkill", sigkill_mid_way_then_a_rerun},
      {"sigterm", sigterm_finishes_the_article_in_hand},
      {"episode", an_episode_keeps_its_slug_across_a_title_edit},
      {"sitemap", a_sitemap_is_followed_without_its_other_pages},
      {"kills", a_kill_at_any_step_then_a_rerun_gives_each_article_once}};
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    TCase *t = tcase_create(runs[i].name);
    tcase_set_timeout(t, 900);
    tcase_add_test(t, runs[i].test);
    suite_add_tcase(s, t);
  }
  return s;
}

int main(void) {
  xmlInitParser();
  return harness_main(follow_suite());
}
