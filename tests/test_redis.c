/* The job of articast's services (pipeline/job.h) and its Redis Streams
 * workers: the job's rules and its stored form taken as hostile input; then,
 * with a real redis-server on 127.0.0.1 (skipped when it is not installed),
 * `articast enqueue` and `articast worker`: workers killed mid-job, each
 * article in the feed exactly once, a poison job in the dead-letter stream. */
#include "harness.h"
#include "job.h"
#include "jobs_db.h"
#include "redis_conn.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

/* ---- The job's rules ---------------------------------------------------- */

/* A valid job of bytes with every option. */
static ac_job full_job(void) {
  ac_job j = {.body = strdup("# A title\n\nSome text.\n"),
              .content_type = strdup(AC_JOB_MARKDOWN),
              .voice = strdup("en-gb-newsreader"),
              .lang = strdup("en-GB"),
              .id = strdup("urn:example:article:42 – é"),
              .callback_url = strdup("https://cms.example.org/hook?x=1")};
  j.body_len = strlen(j.body);
  return j;
}

static int validate(const ac_job *j, const char *says) {
  char err[512] = "";
  int rc = ac_job_validate(j, err, sizeof err);
  if (says)
    ck_assert_msg(strstr(err, says), "error '%s' lacks '%s'", err, says);
  return rc;
}

START_TEST(job_rules_refuse_what_a_worker_must_not_take) {
  ac_job j = full_job();
  ck_assert_int_eq(validate(&j, NULL), AC_EXIT_OK);
  /* Both or neither of bytes and URL. */
  j.url = strdup("https://example.org/a");
  ck_assert_int_eq(validate(&j, "both"), AC_EXIT_INPUT);
  free(j.url);
  j.url = NULL;
  /* A NUL byte, an unknown or uncanonical content type. */
  j.body[3] = '\0';
  ck_assert_int_eq(validate(&j, "NUL"), AC_EXIT_INPUT);
  j.body[3] = 'A';
  free(j.content_type);
  j.content_type = strdup("application/pdf");
  ck_assert_int_eq(validate(&j, "content type"), AC_EXIT_INPUT);
  free(j.content_type);
  j.content_type = strdup("text/html; charset=utf-8");
  ck_assert_int_eq(validate(&j, "content type"), AC_EXIT_INPUT);
  free(j.content_type);
  j.content_type = strdup(AC_JOB_HTML);
  ck_assert_int_eq(validate(&j, NULL), AC_EXIT_OK);
  /* Voices are names, never paths. */
  const char *bad_voices[] = {"../etc/passwd", "/tmp/x.voice", ".hidden", "a b",
                              ""};
  for (size_t i = 0; i < sizeof bad_voices / sizeof bad_voices[0]; i++) {
    free(j.voice);
    j.voice = strdup(bad_voices[i]);
    ck_assert_msg(validate(&j, "voice") == AC_EXIT_INPUT, "voice '%s'",
                  bad_voices[i]);
  }
  free(j.voice);
  j.voice = NULL;
  const char *bad_langs[] = {
      "en_US", "e", "en--GB", "en-", "toolongprimary", "en-abcdefghi", "fr CA"};
  for (size_t i = 0; i < sizeof bad_langs / sizeof bad_langs[0]; i++) {
    free(j.lang);
    j.lang = strdup(bad_langs[i]);
    ck_assert_msg(validate(&j, "language") == AC_EXIT_INPUT, "lang '%s'",
                  bad_langs[i]);
  }
  const char *good_langs[] = {"en", "fr-CA", "zh-Hans", "sr-Latn-RS", "es-419"};
  for (size_t i = 0; i < sizeof good_langs / sizeof good_langs[0]; i++)
    ck_assert_msg(ac_job_lang_valid(good_langs[i]), "%s", good_langs[i]);
  /* Ids: text without control characters. */
  free(j.id);
  j.id = strdup("line\nbreak");
  ck_assert_int_eq(validate(&j, "article id"), AC_EXIT_INPUT);
  free(j.id);
  j.id = strdup("\xC3\x28");
  ck_assert_int_eq(validate(&j, "article id"), AC_EXIT_INPUT);
  free(j.id);
  j.id = NULL;
  ac_job_free(&j);
  /* URLs: http(s) with a host, nothing odd in them. */
  const char *bad_urls[] = {"file:///etc/passwd",     "javascript:alert(1)",
                            "ftp://example.org/a",    "http://",
                            "https:///path",          "http://@/x",
                            "http://exa mple.org/",   "http://example.org/\x01",
                            "http://ex\xC3\xA9.org/", "gopher://example.org"};
  for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
    ac_job u = {.url = strdup(bad_urls[i])};
    ck_assert_msg(validate(&u, "URL") == AC_EXIT_INPUT, "URL '%s'",
                  bad_urls[i]);
    ac_job_free(&u);
  }
  ac_job u = {.url = strdup("HTTPS://example.org:8443/a?b=c#d")};
  ck_assert_int_eq(validate(&u, NULL), AC_EXIT_OK);
  u.callback_url = strdup("file:///tmp/x");
  ck_assert_int_eq(validate(&u, "callback URL"), AC_EXIT_INPUT);
  ac_job_free(&u);
  /* Identities: the id, else the URL; a long one as a UUID of it. */
  ac_job g = {.url = strdup("https://example.org/a"), .id = strdup("id-9")};
  char *guid = ac_job_guid(&g);
  ck_assert_str_eq(guid, "id-9");
  free(guid);
  free(g.id);
  g.id = NULL;
  guid = ac_job_guid(&g);
  ck_assert_str_eq(guid, "https://example.org/a");
  free(guid);
  free(g.url);
  g.url = calloc(1, 700);
  memcpy(g.url, "https://example.org/", 20);
  memset(g.url + 20, 'q', 600);
  guid = ac_job_guid(&g);
  char *again = ac_job_guid(&g);
  ck_assert_str_eq(guid, again);
  ck_assert_uint_eq(strlen(guid), 9 + 36);
  ck_assert_int_eq(strncmp(guid, "urn:uuid:", 9), 0);
  free(guid);
  free(again);
  ac_job_free(&g);
  ac_job none = {0};
  ck_assert_int_eq(validate(&none, "neither"), AC_EXIT_INPUT);
}
END_TEST

START_TEST(content_types_are_reduced_to_three) {
  ck_assert_str_eq(ac_job_content_type("text/html; charset=UTF-8"),
                   AC_JOB_HTML);
  ck_assert_str_eq(ac_job_content_type(" TEXT/Markdown"), AC_JOB_MARKDOWN);
  ck_assert_str_eq(ac_job_content_type("text/x-markdown"), AC_JOB_MARKDOWN);
  ck_assert_str_eq(ac_job_content_type("application/xhtml+xml"), AC_JOB_HTML);
  ck_assert_str_eq(ac_job_content_type("text/plain;format=flowed"),
                   AC_JOB_TEXT);
  ck_assert_ptr_null(ac_job_content_type("text/htmlx"));
  ck_assert_ptr_null(ac_job_content_type("application/json"));
  ck_assert_ptr_null(ac_job_content_type(""));
  ck_assert_ptr_null(ac_job_content_type(NULL));
}
END_TEST

/* ---- The stored form ---------------------------------------------------- */

static int from_fields(const ac_job_field *f, size_t n, const char *says) {
  ac_job j;
  char err[512] = "";
  int rc = ac_job_from_fields(&j, f, n, err, sizeof err);
  if (says)
    ck_assert_msg(strstr(err, says), "error '%s' lacks '%s'", err, says);
  if (rc == 0)
    ac_job_free(&j);
  else
    ck_assert_ptr_null(j.body); /* nothing kept of a refused job */
  return rc;
}

#define F(k, v) ((ac_job_field){k, v, sizeof v - 1})

START_TEST(stored_jobs_round_trip) {
  ac_job j = full_job();
  ac_job_field f[AC_JOB_MAX_FIELDS];
  size_t n = ac_job_to_fields(&j, f);
  ck_assert_uint_eq(n, 7);
  ac_job back;
  char err[512] = "";
  ck_assert_int_eq(ac_job_from_fields(&back, f, n, err, sizeof err), 0);
  ck_assert_uint_eq(back.body_len, j.body_len);
  ck_assert_mem_eq(back.body, j.body, j.body_len);
  ck_assert_str_eq(back.content_type, j.content_type);
  ck_assert_str_eq(back.voice, j.voice);
  ck_assert_str_eq(back.lang, j.lang);
  ck_assert_str_eq(back.id, j.id);
  ck_assert_str_eq(back.callback_url, j.callback_url);
  ck_assert_ptr_null(back.url);
  char d1[65], d2[65];
  ac_job_digest(&j, d1);
  ac_job_digest(&back, d2);
  ck_assert_str_eq(d1, d2);
  /* Any change moves the digest, even one between fields. */
  free(back.lang);
  back.lang = strdup("en");
  ac_job_digest(&back, d2);
  ck_assert_str_ne(d1, d2);
  ac_job_free(&back);
  ac_job_free(&j);
  /* A URL job. */
  ac_job_field u[] = {F("v", "1"), F("url", "https://example.org/x"),
                      F("future-option", "ignored")};
  ck_assert_int_eq(ac_job_from_fields(&back, u, 3, err, sizeof err), 0);
  ck_assert_str_eq(back.url, "https://example.org/x");
  ck_assert_ptr_null(back.body);
  ac_job_free(&back);
}
END_TEST

START_TEST(stored_jobs_are_hostile_input) {
  ac_job_field no_version[] = {F("url", "https://example.org/x")};
  ck_assert_int_eq(from_fields(no_version, 1, "format version"), AC_EXIT_INPUT);
  ac_job_field newer[] = {F("v", "2"), F("url", "https://example.org/x")};
  ck_assert_int_eq(from_fields(newer, 2, "v=2"), AC_EXIT_INPUT);
  ac_job_field twice[] = {F("v", "1"), F("url", "https://example.org/x"),
                          F("url", "https://evil.example/")};
  ck_assert_int_eq(from_fields(twice, 3, "twice"), AC_EXIT_INPUT);
  ac_job_field nothing[] = {F("v", "1"), F("voice", "en-us-newsreader")};
  ck_assert_int_eq(from_fields(nothing, 2, "neither"), AC_EXIT_INPUT);
  ac_job_field no_type[] = {F("v", "1"), F("body", "Hello.")};
  ck_assert_int_eq(from_fields(no_type, 2, "missing"), AC_EXIT_INPUT);
  ac_job_field nul_id[] = {
      F("v", "1"), F("url", "https://example.org/x"), {"id", "ab\0cd", 5}};
  ck_assert_int_eq(from_fields(nul_id, 3, "NUL"), AC_EXIT_INPUT);
  ac_job_field nul_body[] = {
      F("v", "1"), {"body", "ab\0cd", 5}, F("type", "text/plain")};
  ck_assert_int_eq(from_fields(nul_body, 3, "NUL"), AC_EXIT_INPUT);
  ac_job_field no_value[] = {F("v", "1"), {"url", NULL, 12}};
  ck_assert_int_eq(from_fields(no_value, 2, "no value"), AC_EXIT_INPUT);
  ac_job_field null_key[] = {
      F("v", "1"), {NULL, "x", 1}, F("url", "https://example.org/")};
  ck_assert_int_eq(from_fields(null_key, 3, NULL), AC_EXIT_OK);
  ac_job_field path_voice[] = {F("v", "1"), F("url", "https://example.org/"),
                               F("voice", "../../etc/shadow")};
  ck_assert_int_eq(from_fields(path_voice, 3, "voice"), AC_EXIT_INPUT);
  ac_job_field bad_scheme[] = {F("v", "1"), F("url", "file:///etc/passwd")};
  ck_assert_int_eq(from_fields(bad_scheme, 2, "URL"), AC_EXIT_INPUT);
  /* Over a limit: refused from the length alone (the value is not read
   * past it), not truncated. */
  static char long_id[AC_JOB_MAX_ID + 2];
  memset(long_id, 'a', sizeof long_id - 1);
  ac_job_field too_long[] = {F("v", "1"),
                             F("url", "https://example.org/"),
                             {"id", long_id, AC_JOB_MAX_ID + 1}};
  ck_assert_int_eq(from_fields(too_long, 3, "limit"), AC_EXIT_INPUT);
  ac_job_field huge[] = {
      F("v", "1"), {"body", "x", (size_t)AC_JOB_MAX_BODY + 1}, F("type", "")};
  ck_assert_int_eq(from_fields(huge, 3, "limit"), AC_EXIT_INPUT);
  ac_job_field at_limit[] = {F("v", "1"),
                             F("url", "https://example.org/"),
                             {"id", long_id, AC_JOB_MAX_ID}};
  ck_assert_int_eq(from_fields(at_limit, 3, NULL), AC_EXIT_OK);
}
END_TEST

/* ---- Jobs from the command line's articles ------------------------------ */

START_TEST(articles_become_jobs_of_bytes_or_urls) {
  char *dir = harness_tempdir();
  char *md = harness_fmt("%s/a.markdown", dir),
       *html = harness_fmt("%s/page", dir), *txt = harness_fmt("%s/a.txt", dir),
       *bin = harness_fmt("%s/b.txt", dir),
       *big = harness_fmt("%s/big.txt", dir),
       *empty = harness_fmt("%s/empty.txt", dir);
  harness_write_text(md, "# Title\n\nText.\n");
  harness_write_text(html,
                     "\xEF\xBB\xBF  <!DOCTYPE html><html><p>x</p></html>");
  harness_write_text(txt, "<not html> just text\n");
  harness_write_bytes(bin, "ab\0cd", 5);
  harness_write_text(empty, "");
  FILE *f = fopen(big, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, (long)AC_JOB_MAX_BODY, SEEK_SET), 0);
  ck_assert_int_eq(fputc('x', f), 'x');
  fclose(f);
  ac_job j;
  char err[512] = "";
  ck_assert_int_eq(ac_job_from_article(&j, md, "en-us-newsreader", "en", NULL,
                                       err, sizeof err),
                   0);
  ck_assert_str_eq(j.content_type, AC_JOB_MARKDOWN);
  ck_assert_str_eq(j.voice, "en-us-newsreader");
  ck_assert_ptr_null(j.url);
  ac_job_free(&j);
  ck_assert_int_eq(
      ac_job_from_article(&j, html, NULL, NULL, "id-1", err, sizeof err), 0);
  ck_assert_str_eq(j.content_type, AC_JOB_HTML);
  ck_assert_str_eq(j.id, "id-1");
  ac_job_free(&j);
  ck_assert_int_eq(
      ac_job_from_article(&j, txt, NULL, NULL, NULL, err, sizeof err), 0);
  ck_assert_str_eq(j.content_type, AC_JOB_TEXT);
  ac_job_free(&j);
  ck_assert_int_eq(ac_job_from_article(&j, "https://example.org/story", NULL,
                                       NULL, NULL, err, sizeof err),
                   0);
  ck_assert_str_eq(j.url, "https://example.org/story");
  ck_assert_ptr_null(j.body);
  ac_job_free(&j);
  const struct {
    const char *path, *says;
  } bad[] = {{bin, "NUL"},
             {big, "20 MiB"},
             {empty, "empty"},
             {dir, "directory"},
             {"/nonexistent/x.md", "No such file"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    ck_assert_int_eq(
        ac_job_from_article(&j, bad[i].path, NULL, NULL, NULL, err, sizeof err),
        AC_EXIT_INPUT);
    ck_assert_msg(strstr(err, bad[i].says), "%s: '%s' lacks '%s'", bad[i].path,
                  err, bad[i].says);
    ck_assert_ptr_null(j.body);
  }
  ck_assert_int_eq(
      ac_job_from_article(&j, md, "../x", NULL, NULL, err, sizeof err),
      AC_EXIT_INPUT);
  char *cmd = harness_fmt("rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
  free(cmd);
  free(md);
  free(html);
  free(txt);
  free(bin);
  free(big);
  free(empty);
  free(dir);
}
END_TEST

/* ---- A real redis-server ------------------------------------------------ */

typedef struct redis_srv {
  pid_t pid;
  int port;
  char *dir;
  char *url;
  redisContext *c; /* the test's own connection */
} redis_srv;

static bool have_redis_server(void) {
  return system("command -v redis-server >/dev/null 2>&1") == 0;
}

/* A port the kernel just gave out, so most likely free. */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Starts redis-server on 127.0.0.1, a random port, a temporary dir, no
 * persistence; waits for its PING. */
static void redis_start(redis_srv *r) {
  memset(r, 0, sizeof *r);
  r->dir = harness_tempdir();
  for (int attempt = 0; attempt < 5 && !r->c; attempt++) {
    r->port = free_port();
    char port[16], *log = harness_fmt("%s/redis.log", r->dir);
    snprintf(port, sizeof port, "%d", r->port);
    r->pid = fork();
    ck_assert_int_ge(r->pid, 0);
    if (r->pid == 0) {
      execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port",
             port, "--dir", r->dir, "--save", "", "--appendonly", "no",
             "--logfile", log, "--daemonize", "no", (char *)NULL);
      _exit(127);
    }
    free(log);
    free(r->url);
    r->url = harness_fmt("redis://127.0.0.1:%d", r->port);
    ac_redis_url u;
    char err[512];
    ck_assert_int_eq(ac_redis_url_parse(r->url, &u, err, sizeof err), 0);
    for (int i = 0; i < 250 && !r->c; i++) {
      int status;
      if (waitpid(r->pid, &status, WNOHANG) == r->pid)
        break; /* the port was taken after all: another one */
      sleep_ms(20);
      r->c = ac_redis_connect(&u, 5.0, err, sizeof err);
      const char *ping[] = {"PING"};
      redisReply *pong = r->c ? ac_redis_command(r->c, 1, ping, NULL) : NULL;
      if (!pong || pong->type != REDIS_REPLY_STATUS) {
        redisFree(r->c);
        r->c = NULL;
      }
      freeReplyObject(pong);
    }
    ac_redis_url_free(&u);
  }
  ck_assert_msg(r->c != NULL, "redis-server did not start (see %s)", r->dir);
}

static void redis_stop(redis_srv *r) {
  redisFree(r->c);
  kill(r->pid, SIGTERM);
  waitpid(r->pid, NULL, 0);
  char *cmd = harness_fmt("rm -rf '%s'", r->dir);
  ck_assert_int_eq(system(cmd), 0);
  free(cmd);
  free(r->dir);
  free(r->url);
}

/* An integer answer of a command of NUL-terminated words. */
static long long redis_int(redis_srv *r, int argc, const char **argv) {
  redisReply *rep = ac_redis_command(r->c, argc, argv, NULL);
  ck_assert_msg(rep && rep->type == REDIS_REPLY_INTEGER, "%s: %s", argv[0],
                rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "no int");
  long long v = rep->integer;
  freeReplyObject(rep);
  return v;
}

static long long stream_length(redis_srv *r, const char *stream) {
  const char *argv[] = {"XLEN", stream};
  return redis_int(r, 2, argv);
}

static long long pending_jobs(redis_srv *r) {
  const char *argv[] = {"XPENDING", AC_REDIS_STREAM, AC_REDIS_GROUP};
  redisReply *rep = ac_redis_command(r->c, 3, argv, NULL);
  ck_assert(rep && rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1);
  long long v = rep->element[0]->integer;
  freeReplyObject(rep);
  return v;
}

/* ---- A show and its workers ---------------------------------------------- */

typedef struct show {
  char *dir, *site, *config, *cache;
} show;

static void show_new(show *s) {
  s->dir = harness_tempdir();
  s->site = harness_fmt("%s/site", s->dir);
  s->config = harness_fmt("%s/show.ini", s->dir);
  s->cache = harness_fmt("%s/cache", s->dir);
  harness_write_text(s->config, "[show]\ntitle = The Queue, read aloud\n"
                                "author = Queue Tester\n"
                                "base_url = https://pod.example.org/queue/\n"
                                "[feed]\ncategory = News\n"
                                "owner_email = pod@example.org\n");
}

static void show_free(show *s) {
  char *cmd = harness_fmt("rm -rf '%s'", s->dir);
  ck_assert_int_eq(system(cmd), 0);
  free(cmd);
  free(s->dir);
  free(s->site);
  free(s->config);
  free(s->cache);
}

/* `articast enqueue` of the args; returns its exit status and output. */
static int enqueue(const redis_srv *r, const char *args, char **out) {
  char *cmd = harness_fmt("'%s' enqueue --redis '%s' %s 2>&1", harness_binary(),
                          r->url, args);
  int rc = harness_run(cmd, out);
  free(cmd);
  return rc;
}

static void enqueue_ok(const redis_srv *r, const char *args) {
  char *out = NULL;
  int rc = enqueue(r, args, &out);
  ck_assert_msg(rc == 0, "enqueue %s: exit %d: %s", args, rc, out);
  free(out);
}

/* Starts `articast worker --drain` on the show, its output into `log`. */
static pid_t worker_start(const redis_srv *r, const show *s, const char *name,
                          const char *log, const char *extra) {
  char *cmd = harness_fmt(
      "exec '%s' worker --redis '%s' -c '%s' -o '%s' --cache-dir '%s' "
      "--drain --consumer %s %s >'%s' 2>&1",
      harness_binary(), r->url, s->config, s->site, s->cache, name, extra, log);
  fflush(NULL);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  free(cmd);
  return pid;
}

/* Waits for a worker to exit; its exit status, or -1 after `seconds`. */
static int worker_wait(pid_t pid, double seconds) {
  for (int i = 0; i < (int)(seconds * 20); i++) {
    int status;
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    sleep_ms(50);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

static char *slurp_or_empty(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return strdup("");
  fclose(f);
  return harness_slurp(path);
}

/* How many times `needle` occurs in the file. */
static int occurrences(const char *path, const char *needle) {
  char *text = slurp_or_empty(path);
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  free(text);
  return n;
}

/* The feed's XPath `expr` as a number. */
static double feed_number(const show *s, const char *expr) {
  char *path = harness_fmt("%s/feed.xml", s->site);
  xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
  ck_assert_msg(doc != NULL, "%s is not well-formed XML", path);
  xmlXPathContextPtr xp = xmlXPathNewContext(doc);
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, xp);
  ck_assert_msg(o && o->type == XPATH_NUMBER, "bad XPath %s", expr);
  double v = o->floatval;
  xmlXPathFreeObject(o);
  xmlXPathFreeContext(xp);
  xmlFreeDoc(doc);
  free(path);
  return v;
}

/* A site a listener can use (tests/site_check.py: every enclosure there,
 * as long as the feed says), with no temporary or half-written file of any
 * name left, and `mp3s` MP3 files: no stray version. */
static void check_site(const show *s, int mp3s) {
  char *cmd = harness_fmt("python3 '%s/tests/site_check.py' '%s' 2>&1",
                          ARTICAST_TEST_SOURCE_DIR, s->site);
  char *out = NULL;
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "site_check: %s", out);
  free(out);
  free(cmd);
  const char *dirs[] = {s->site, "episodes"};
  int found = 0;
  for (size_t i = 0; i < 2; i++) {
    char *path = i ? harness_fmt("%s/%s", s->site, dirs[i]) : strdup(dirs[i]);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
      ck_assert_msg(!strstr(e->d_name, ".tmp") && !strstr(e->d_name, "commit-"),
                    "temporary file %s/%s left", path, e->d_name);
      size_t n = strlen(e->d_name);
      found += n > 4 && strcmp(e->d_name + n - 4, ".mp3") == 0;
    }
    closedir(d);
    free(path);
  }
  ck_assert_int_eq(found, mp3s);
}

/* Ten short articles of distinct titles, as files in the show's dir. */
static char *ten_articles(const show *s) {
  static const char *const topics[] = {
      "harbour", "orchard",    "library", "railway",     "bakery",
      "glacier", "lighthouse", "market",  "observatory", "vineyard"};
  char *list = strdup("");
  for (int i = 0; i < 10; i++) {
    char *path = harness_fmt("%s/story-%d.md", s->dir, i);
    char *text =
        harness_fmt("---\ntitle: Story %d, the %s\ndate: 2025-03-%02d\n---\n\n"
                    "The %s opened early this morning. Visitors said it was a "
                    "calm and pleasant day, with a light wind from the west."
                    "\n\nLater on, more people came, and the staff opened a "
                    "second door to let everyone in before noon.\n\nA last "
                    "paragraph closes the story of the %s.\n",
                    i, topics[i], i + 1, topics[i], topics[i]);
    harness_write_text(path, text);
    char *grown = harness_fmt("%s '%s'", list, path);
    free(list);
    list = grown;
    free(text);
    free(path);
  }
  return list;
}

/* A redis-server of the test's own and a show to render into; false
 * (the test is skipped, as said on stderr) without redis-server. */
static bool start_redis_and_show(redis_srv *r, show *s) {
  if (!have_redis_server()) {
    fprintf(stderr, "SKIPPED: redis-server is not installed (apt-get install "
                    "redis-server)\n");
    return false;
  }
  redis_start(r);
  show_new(s);
  return true;
}

START_TEST(killed_workers_leave_each_article_once_in_the_feed) {
  redis_srv r;
  show s;
  if (!start_redis_and_show(&r, &s))
    return;
  char *articles = ten_articles(&s);
  enqueue_ok(&r, articles);
  ck_assert_int_eq(stream_length(&r, AC_REDIS_STREAM), 10);
  char *logs[3];
  pid_t pids[3];
  for (int i = 0; i < 3; i++)
    logs[i] = harness_fmt("%s/worker-%d.log", s.dir, i);
  const char *opts = "--reclaim-after 3";
  pids[0] = worker_start(&r, &s, "victim", logs[0], opts);
  pids[1] = worker_start(&r, &s, "survivor", logs[1], opts);
  /* The victim dies in its second job, 50 ms into it: well before its
   * end (a render of these articles takes 0.3 s on a quiet 2-core
   * machine), so the job is never published and acknowledged by it. */
  int waited = 0;
  while (occurrences(logs[0], ": rendering ") < 2 && waited++ < 1200)
    sleep_ms(25);
  ck_assert_msg(waited < 1200, "the victim never took a second job");
  sleep_ms(50); /* into the render */
  ck_assert_int_eq(kill(pids[0], SIGKILL), 0);
  waitpid(pids[0], NULL, 0);
  pids[2] = worker_start(&r, &s, "latecomer", logs[2], opts);
  /* Which job it held: the one it started and never published. */
  char *victim_log = slurp_or_empty(logs[0]);
  char *last = NULL;
  for (char *p = victim_log; (p = strstr(p, ": rendering ")); p++)
    last = p;
  ck_assert_ptr_nonnull(last);
  char *line = last;
  while (line > victim_log && line[-1] != '\n')
    line--;
  const char *id = line + strlen("articast worker victim: ");
  char *held = strndup(id, (size_t)(last - id));
  char *published = harness_fmt("%s: published", held);
  ck_assert_msg(!strstr(victim_log, published),
                "the victim was not killed mid-job:\n%s", victim_log);
  int rc1 = worker_wait(pids[1], 240), rc2 = worker_wait(pids[2], 240);
  for (int i = 0; i < 3 && (getenv("TEST_REDIS_LOGS") || rc1 || rc2); i++) {
    char *text = slurp_or_empty(logs[i]);
    fprintf(stderr, "---- %s\n%s", logs[i], text);
    free(text);
  }
  ck_assert_int_eq(rc1, 0);
  ck_assert_int_eq(rc2, 0);
  /* Each article once in the feed; the held one re-rendered elsewhere. */
  ck_assert_double_eq(feed_number(&s, "count(//item)"), 10);
  for (int i = 0; i < 10; i++) {
    char *expr =
        harness_fmt("count(//item[starts-with(title, 'Story %d,')])", i);
    ck_assert_msg(feed_number(&s, expr) == 1, "%s != 1", expr);
    free(expr);
  }
  ck_assert_double_eq(
      feed_number(&s, "count(//item[guid = following-sibling::item/guid])"), 0);
  check_site(&s, 10);
  char *redone = harness_fmt("%s: rendering", held);
  ck_assert_msg(occurrences(logs[1], redone) + occurrences(logs[2], redone) ==
                    1,
                "%s was not rendered again by one other worker", held);
  ck_assert_int_eq(
      occurrences(logs[1], published) + occurrences(logs[2], published), 1);
  /* The queue is empty: nothing pending, nothing dead. */
  ck_assert_int_eq(stream_length(&r, AC_REDIS_STREAM), 0);
  ck_assert_int_eq(pending_jobs(&r), 0);
  ck_assert_int_eq(stream_length(&r, AC_REDIS_DEAD), 0);
  free(redone);
  free(published);
  free(held);
  free(victim_log);
  for (int i = 0; i < 3; i++)
    free(logs[i]);
  free(articles);
  show_free(&s);
  redis_stop(&r);
}
END_TEST

/* A field of the dead-letter stream's entry whose `key` is `value`. */
static char *dead_field(redis_srv *r, const char *match_key,
                        const char *match_value, const char *want) {
  const char *argv[] = {"XRANGE", AC_REDIS_DEAD, "-", "+"};
  redisReply *rep = ac_redis_command(r->c, 4, argv, NULL);
  ck_assert(rep && rep->type == REDIS_REPLY_ARRAY);
  char *found = NULL;
  for (size_t i = 0; i < rep->elements && !found; i++) {
    redisReply *f = rep->element[i]->element[1];
    bool match = false;
    for (size_t k = 0; k + 1 < f->elements; k += 2)
      match |= strcmp(f->element[k]->str, match_key) == 0 &&
               strcmp(f->element[k + 1]->str, match_value) == 0;
    for (size_t k = 0; match && k + 1 < f->elements; k += 2)
      if (strcmp(f->element[k]->str, want) == 0)
        found = strdup(f->element[k + 1]->str);
  }
  freeReplyObject(rep);
  return found;
}

START_TEST(poison_jobs_end_in_the_dead_letter_stream) {
  redis_srv r;
  show s;
  if (!start_redis_and_show(&r, &s))
    return;
  char *good = harness_fmt("%s/good.md", s.dir),
       *poison = harness_fmt("%s/poison.md", s.dir);
  harness_write_text(good, "# A good story\n\nIt renders the first time.\n");
  harness_write_text(poison, "# A poison story\n\nIts voice does not exist.\n");
  char *args = harness_fmt("--voice no-such-voice --id poison-1 '%s'", poison);
  enqueue_ok(&r, args);
  free(args);
  args = harness_fmt("'%s'", good);
  enqueue_ok(&r, args);
  free(args);
  /* An entry no articast wrote: refused at once, not retried. */
  const char *raw[] = {"XADD", AC_REDIS_STREAM, "*", "url",
                       "file:///etc/passwd"};
  redisReply *rep = ac_redis_command(r.c, 5, raw, NULL);
  ck_assert(rep && rep->type == REDIS_REPLY_STRING);
  char *raw_id = strdup(rep->str);
  freeReplyObject(rep);
  /* One with more fields than any job has: buried as it is. */
  const char *many[3 + 2 * 70] = {"XADD", AC_REDIS_STREAM, "*"};
  char *names[70];
  for (int i = 0; i < 70; i++) {
    names[i] = harness_fmt("f%d", i);
    many[3 + 2 * i] = names[i];
    many[4 + 2 * i] = "x";
  }
  rep = ac_redis_command(r.c, 3 + 2 * 70, many, NULL);
  ck_assert(rep && rep->type == REDIS_REPLY_STRING);
  char *many_id = strdup(rep->str);
  freeReplyObject(rep);
  for (int i = 0; i < 70; i++)
    free(names[i]);
  char *log = harness_fmt("%s/worker.log", s.dir);
  pid_t pid = worker_start(&r, &s, "lone", log, "--reclaim-after 0.5");
  int rc = worker_wait(pid, 120);
  char *out = slurp_or_empty(log);
  ck_assert_msg(rc == 0, "worker exit %d:\n%s", rc, out);
  /* The poison job: five renders, then buried with its error. */
  ck_assert_int_eq(occurrences(log, "poison-1, "), 5);
  ck_assert_int_eq(stream_length(&r, AC_REDIS_DEAD), 3);
  char *crowded = dead_field(&r, "job-id", many_id, "error");
  ck_assert_msg(crowded && strstr(crowded, "too many fields"), "%s", crowded);
  free(crowded);
  free(many_id);
  char *deliveries = dead_field(&r, "id", "poison-1", "deliveries");
  char *error = dead_field(&r, "id", "poison-1", "error");
  ck_assert_ptr_nonnull(deliveries);
  ck_assert_str_eq(deliveries, "5");
  ck_assert_msg(error && strstr(error, "no-such-voice"), "error: %s", error);
  char *body = dead_field(&r, "id", "poison-1", "body");
  ck_assert_msg(body && strstr(body, "A poison story"), "body kept: %s", body);
  char *refused = dead_field(&r, "job-id", raw_id, "error");
  ck_assert_msg(refused && strstr(refused, "not a job articast can read"), "%s",
                refused);
  ck_assert_int_eq(occurrences(log, "file:///"), 0); /* never fetched */
  /* The good one was published; nothing is left in the queue. */
  ck_assert_double_eq(feed_number(&s, "count(//item)"), 1);
  check_site(&s, 1);
  ck_assert_int_eq(stream_length(&r, AC_REDIS_STREAM), 0);
  ck_assert_int_eq(pending_jobs(&r), 0);
  free(body);
  free(refused);
  free(error);
  free(deliveries);
  free(out);
  free(log);
  free(raw_id);
  free(good);
  free(poison);
  show_free(&s);
  redis_stop(&r);
}
END_TEST

START_TEST(the_same_id_again_updates_its_one_episode) {
  redis_srv r;
  show s;
  if (!start_redis_and_show(&r, &s))
    return;
  char *a = harness_fmt("%s/a.md", s.dir),
       *log = harness_fmt("%s/w.log", s.dir);
  harness_write_text(a, "# First title\n\nThe first version of the story.\n");
  char *args = harness_fmt("--id cms-7 '%s'", a);
  char *first = NULL, *again = NULL;
  ck_assert_int_eq(enqueue(&r, args, &first), 0);
  /* The same article again while queued: that job stands for it. */
  ck_assert_int_eq(enqueue(&r, args, &again), 0);
  ck_assert_msg(strstr(again, "unchanged") != NULL, "%s", again);
  ck_assert_int_eq(strncmp(first, again, strcspn(first, "\t")), 0);
  ck_assert_double_eq(stream_length(&r, AC_REDIS_STREAM), 1);
  free(first);
  free(again);
  ck_assert_int_eq(worker_wait(worker_start(&r, &s, "w", log, ""), 120), 0);
  ck_assert_double_eq(feed_number(&s, "count(//item[guid='cms-7'])"), 1);
  /* Done and unchanged: no new work either. */
  ck_assert_int_eq(enqueue(&r, args, &again), 0);
  ck_assert_msg(strstr(again, "unchanged") != NULL, "%s", again);
  free(again);
  ck_assert_double_eq(stream_length(&r, AC_REDIS_STREAM), 0);
  /* The numbers serve --redis gives on /metrics. */
  ac_jobs_stats stats;
  char why[512];
  ck_assert_int_eq(ac_redis_stats(r.url, &stats, why, sizeof why), 0);
  ck_assert_int_eq(stats.done, 1);
  ck_assert_int_eq(stats.queued + stats.running + stats.failed, 0);
  ck_assert(stats.render_seconds > 0);
  harness_write_text(a, "# A new title\n\nThe second version, edited.\n");
  enqueue_ok(&r, args);
  ck_assert_int_eq(worker_wait(worker_start(&r, &s, "w", log, ""), 120), 0);
  ck_assert_double_eq(feed_number(&s, "count(//item)"), 1);
  ck_assert_double_eq(
      feed_number(&s, "count(//item[guid='cms-7' and title='A new title'])"),
      1);
  check_site(&s, 1);
  /* The job's state, as serve --redis reads it. */
  const char *keys[] = {"KEYS", AC_REDIS_STATUS_PREFIX "*"};
  redisReply *rep = ac_redis_command(r.c, 2, keys, NULL);
  ck_assert(rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2);
  ac_redis_status st;
  char err[512];
  ck_assert_int_eq(
      ac_redis_job_status(r.url,
                          rep->element[0]->str + strlen(AC_REDIS_STATUS_PREFIX),
                          &st, err, sizeof err),
      0);
  ck_assert_str_eq(st.state, "done");
  ck_assert_str_eq(st.slug, "first-title"); /* an episode keeps its slug */
  ck_assert_ptr_nonnull(strstr(st.files, "episodes/first-title."));
  ac_redis_status_free(&st);
  freeReplyObject(rep);
  ck_assert_int_eq(ac_redis_job_status(r.url, "1-0", &st, err, sizeof err), 0);
  ck_assert_ptr_null(st.state);
  ck_assert_int_eq(ac_redis_job_status(r.url, "x*", &st, err, sizeof err),
                   AC_EXIT_USAGE);
  free(args);
  free(a);
  free(log);
  show_free(&s);
  redis_stop(&r);
}
END_TEST

/* Whether the site's feed names `guid`. */
static bool feed_has(const show *s, const char *guid) {
  char *path = harness_fmt("%s/feed.xml", s->site);
  char *text = slurp_or_empty(path);
  bool has = strstr(text, guid) != NULL;
  free(text);
  free(path);
  return has;
}

START_TEST(a_worker_killed_after_publishing_leaves_one_episode) {
  redis_srv r;
  show s;
  if (!start_redis_and_show(&r, &s))
    return;
  char *a = harness_fmt("%s/a.md", s.dir),
       *log1 = harness_fmt("%s/w1.log", s.dir),
       *log2 = harness_fmt("%s/w2.log", s.dir);
  harness_write_text(
      a, "# Published, never acknowledged\n\nThe worker dies between "
         "the feed and the XACK.\n");
  char *args = harness_fmt("--id after-publish-1 '%s'", a);
  enqueue_ok(&r, args);
  pid_t w1 = worker_start(&r, &s, "w1", log1, "--reclaim-after 1");
  int waited = 0;
  while (occurrences(log1, ": rendering ") < 1 && waited++ < 1200)
    sleep_ms(10);
  /* Redis takes no write now: the render publishes, the XACK waits. */
  const char *pause[] = {"CLIENT", "PAUSE", "30000", "WRITE"};
  redisReply *rep = ac_redis_command(r.c, 4, pause, NULL);
  ck_assert(ac_redis_ok(rep));
  freeReplyObject(rep);
  waited = 0;
  while (!feed_has(&s, "after-publish-1") && waited++ < 2500)
    sleep_ms(10);
  ck_assert_msg(waited < 2500, "the render did not publish");
  ck_assert_int_eq(kill(w1, SIGKILL), 0);
  waitpid(w1, NULL, 0);
  const char *unpause[] = {"CLIENT", "UNPAUSE"};
  rep = ac_redis_command(r.c, 2, unpause, NULL);
  ck_assert(ac_redis_ok(rep));
  freeReplyObject(rep);
  ck_assert_int_eq(pending_jobs(&r), 1); /* published, not acknowledged */
  int rc =
      worker_wait(worker_start(&r, &s, "w2", log2, "--reclaim-after 1"), 120);
  char *out = slurp_or_empty(log2);
  ck_assert_msg(rc == 0, "worker exit %d:\n%s", rc, out);
  ck_assert_msg(strstr(out, "(delivery 2)") && strstr(out, ": published "),
                "not rendered again:\n%s", out);
  ck_assert_double_eq(feed_number(&s, "count(//item)"), 1);
  ck_assert_double_eq(feed_number(&s, "count(//item[guid='after-publish-1'])"),
                      1);
  check_site(&s, 1);
  ck_assert_int_eq(pending_jobs(&r), 0);
  free(out);
  free(args);
  free(a);
  free(log1);
  free(log2);
  show_free(&s);
  redis_stop(&r);
}
END_TEST

START_TEST(url_jobs_are_fetched_by_the_worker) {
  redis_srv r;
  show s;
  if (!start_redis_and_show(&r, &s))
    return;
  /* A web server on 127.0.0.1 with one article page. */
  char *www = harness_fmt("%s/www", s.dir),
       *page = harness_fmt("%s/www/story.html", s.dir);
  ck_assert_int_eq(mkdir(www, 0755), 0);
  harness_write_text(page,
                     "<!DOCTYPE html><html lang=\"en\"><head><title>The "
                     "fetched story</title></head><body><article><h1>The "
                     "fetched story</h1><p>This page was fetched by the worker "
                     "from a local web server.</p><p>It has a second "
                     "paragraph.</p></article></body></html>\n");
  int port = free_port();
  char ports[16];
  snprintf(ports, sizeof ports, "%d", port);
  /* It also takes the callbacks: each body and its signature, a line
   * each, into hooks.txt. */
  char *server = harness_fmt("%s/server.py", s.dir),
       *hooks = harness_fmt("%s/hooks.txt", s.dir);
  harness_write_text(
      server,
      "import functools, http.server, sys\n"
      "class H(http.server.SimpleHTTPRequestHandler):\n"
      "    def do_POST(self):\n"
      "        n = int(self.headers.get('Content-Length', 0))\n"
      "        body = self.rfile.read(n)\n"
      "        sig = self.headers.get('X-Articast-Signature', '')\n"
      "        with open(sys.argv[3], 'ab') as f:\n"
      "            f.write(body + b'\\n' + sig.encode() + b'\\n')\n"
      "        self.send_response(204)\n"
      "        self.end_headers()\n"
      "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])),"
      " functools.partial(H, directory=sys.argv[2])).serve_forever()\n");
  pid_t web = fork();
  ck_assert_int_ge(web, 0);
  if (web == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execlp("python3", "python3", server, ports, www, hooks, (char *)NULL);
    _exit(127);
  }
  char *url = harness_fmt("http://127.0.0.1:%d/story.html", port);
  char *missing = harness_fmt("http://127.0.0.1:%d/gone.html", port);
  for (int i = 0; i < 100; i++) {
    char *cmd = harness_fmt("python3 -c \"import urllib.request as u; "
                            "u.urlopen('%s', timeout=1)\" 2>/dev/null",
                            url);
    int up = system(cmd);
    free(cmd);
    if (up == 0)
      break;
    sleep_ms(50);
  }
  /* By default a worker fetches public addresses only: jobs may come
   * from any client of serve --redis. */
  char *log = harness_fmt("%s/w.log", s.dir);
  char *args = harness_fmt("'%s'", url);
  enqueue_ok(&r, args);
  free(args);
  int rc =
      worker_wait(worker_start(&r, &s, "w", log, "--reclaim-after 0.1"), 120);
  char *out = slurp_or_empty(log);
  ck_assert_msg(rc == 0, "worker exit %d:\n%s", rc, out);
  char *refused = dead_field(&r, "url", url, "error");
  ck_assert_msg(refused && strstr(refused, "only public addresses"), "%s",
                refused);
  free(refused);
  free(out);
  /* With --allow-private-urls it does, and tells the callback URL. */
  char *token = harness_fmt("%s/token", s.dir);
  harness_write_text(token, "a-token-of-twenty-chars\n");
  char *extra =
      harness_fmt("--reclaim-after 0.3 --allow-private-urls --token-file "
                  "'%s'",
                  token);
  args = harness_fmt("--callback-url http://127.0.0.1:%d/hook '%s' '%s'", port,
                     url, missing);
  enqueue_ok(&r, args);
  rc = worker_wait(worker_start(&r, &s, "w", log, extra), 120);
  kill(web, SIGTERM);
  waitpid(web, NULL, 0);
  out = slurp_or_empty(log);
  ck_assert_msg(rc == 0, "worker exit %d:\n%s", rc, out);
  char *calls = slurp_or_empty(hooks);
  ck_assert_msg(occurrences(hooks, "\"state\":\"done\"") == 1 &&
                    occurrences(hooks, "\"state\":\"failed\"") == 1 &&
                    occurrences(hooks, "sha256=") == 2,
                "callbacks:\n%s\nlog:\n%s", calls, out);
  ck_assert_msg(strstr(calls, "https://pod.example.org/queue/episodes/"
                              "the-fetched-story.") != NULL,
                "%s", calls);
  free(calls);
  free(extra);
  free(token);
  /* The page is an episode whose identity is its URL. */
  char *expr = harness_fmt(
      "count(//item[guid='%s' and title='The fetched story'])", url);
  ck_assert_msg(feed_number(&s, expr) == 1, "%s:\n%s", expr, out);
  ck_assert_double_eq(feed_number(&s, "count(//item)"), 1);
  check_site(&s, 1);
  /* The missing page: five tries, then dead with the server's answer. */
  char *error = dead_field(&r, "url", missing, "error");
  ck_assert_msg(error && strstr(error, "404"), "%s", error);
  free(error);
  free(expr);
  free(out);
  free(log);
  free(args);
  free(missing);
  free(url);
  free(page);
  free(www);
  free(server);
  free(hooks);
  show_free(&s);
  redis_stop(&r);
}
END_TEST

START_TEST(redis_urls_are_parsed_or_refused) {
  ac_redis_url u;
  char err[512];
  ck_assert_int_eq(ac_redis_url_parse("redis://:p%40ss@db.example:6380/3", &u,
                                      err, sizeof err),
                   0);
  ck_assert_str_eq(u.host, "db.example");
  ck_assert_int_eq(u.port, 6380);
  ck_assert_str_eq(u.password, "p@ss");
  ck_assert_ptr_null(u.user);
  ck_assert_int_eq(u.db, 3);
  ac_redis_url_free(&u);
  ck_assert_int_eq(
      ac_redis_url_parse("redis://bob:pw@[::1]", &u, err, sizeof err), 0);
  ck_assert_str_eq(u.host, "::1");
  ck_assert_str_eq(u.user, "bob");
  ck_assert_int_eq(u.port, 6379);
  ac_redis_url_free(&u);
  ck_assert_int_eq(
      ac_redis_url_parse("unix:///run/redis.sock?db=2", &u, err, sizeof err),
      0);
  ck_assert_str_eq(u.socket, "/run/redis.sock");
  ck_assert_int_eq(u.db, 2);
  ac_redis_url_free(&u);
  const char *bad[] = {"",
                       "http://x",
                       "rediss://x",
                       "redis://",
                       "redis://h:0",
                       "redis://h:65536",
                       "redis://h:12x",
                       "redis://h/db",
                       "redis://[::1",
                       "redis://:%zz@h",
                       "redis://:%00@h",
                       "redis://bob@h",
                       "unix:relative.sock",
                       "unix:///s?db=x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(ac_redis_url_parse(bad[i], &u, err, sizeof err) ==
                      AC_EXIT_USAGE,
                  "'%s' was taken", bad[i]);
    ck_assert_ptr_null(u.host);
  }
}
END_TEST

START_TEST(bad_command_lines_are_refused_before_redis_is_asked) {
  const struct {
    const char *args, *says;
  } cases[] = {
      {"enqueue x.md", "no --redis"},
      {"enqueue --redis redis://CLOSED", "no ARTICLE"},
      {"enqueue --redis redis://CLOSED --voice ../v x.md", "--voice"},
      {"enqueue --redis redis://CLOSED --lang en_US x.md", "--lang"},
      {"enqueue --redis redis://CLOSED --id a x.md y.md", "one article"},
      {"enqueue --redis redis://CLOSED /nonexistent.md", "cannot read"},
      {"enqueue --redis redis://CLOSED " ARTICAST_TEST_SOURCE_DIR "/README.md",
       "cannot reach Redis"},
      {"worker -o /tmp/x", "no --redis"},
      {"worker --redis redis://h --reclaim-after 0", "--reclaim-after"},
      {"worker --redis redis://h --consumer 'a b'", "--consumer"},
      {"worker --redis ftp://h", "not a redis://"},
      {"worker --redis redis://h article.md", "takes no ARTICLE"}};
  /* A port bound but not listening: connections to it are refused. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  char closed[64];
  snprintf(closed, sizeof closed, "redis://127.0.0.1:%d", ntohs(addr.sin_port));
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *at = strstr(cases[i].args, "redis://CLOSED");
    char *args =
        at ? harness_fmt("%.*s%s%s", (int)(at - cases[i].args), cases[i].args,
                         closed, at + strlen("redis://CLOSED"))
           : strdup(cases[i].args);
    char *cmd = harness_fmt("ARTICAST_REDIS_URL= '%s' %s 2>&1 </dev/null",
                            harness_binary(), args);
    char *out = NULL;
    int rc = harness_run(cmd, &out);
    ck_assert_msg(rc != 0 && rc < 64, "%s: exit %d", args, rc);
    ck_assert_msg(strstr(out, cases[i].says), "%s: '%s' lacks '%s'", args, out,
                  cases[i].says);
    free(out);
    free(cmd);
    free(args);
  }
  close(fd);
}
END_TEST

static Suite *redis_suite(void) {
  Suite *s = suite_create("redis");
  TCase *job = tcase_create("job");
  tcase_set_timeout(job, 60); /* a dozen articast runs on a busy machine */
  tcase_add_test(job, job_rules_refuse_what_a_worker_must_not_take);
  tcase_add_test(job, content_types_are_reduced_to_three);
  tcase_add_test(job, stored_jobs_round_trip);
  tcase_add_test(job, stored_jobs_are_hostile_input);
  tcase_add_test(job, articles_become_jobs_of_bytes_or_urls);
  tcase_add_test(job, redis_urls_are_parsed_or_refused);
  tcase_add_test(job, bad_command_lines_are_refused_before_redis_is_asked);
  suite_add_tcase(s, job);
  const struct {
    const char *name;
    const TTest *test;
  } runs[] = {
      {"kill", killed_workers_leave_each_article_once_in_the_feed},
      {"poison", poison_jobs_end_in_the_dead_letter_stream},
      {"update", the_same_id_again_updates_its_one_episode},
      {"url", url_jobs_are_fetched_by_the_worker},
      {"afterpublish", a_worker_killed_after_publishing_leaves_one_episode}};
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    TCase *t = tcase_create(runs[i].name);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, runs[i].test);
    suite_add_tcase(s, t);
  }
  return s;
}

int main(void) {
  xmlInitParser();
  return harness_main(redis_suite());
}
