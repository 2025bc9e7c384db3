/* `articast serve` on 127.0.0.1, with libcurl as its client: an article
 * posted, rendered by a worker and served (feed, Range, ETag), posted again
 * unchanged and edited, deleted; bad requests answered with JSON errors;
 * the bearer token; no dot file, state database or path outside the site
 * served; jobs that survive a killed service; article and callback URLs on
 * private addresses refused unless --allow-private-urls. A small server in
 * the test (libmicrohttpd) plays the web page and the CMS's callback. */
#include "fetch.h"
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <nettle/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void sleep_s(double s) {
  usleep((useconds_t)(s * 1e6));
}

/* ---- An HTTP client ------------------------------------------------------
 */

typedef struct reply {
  long status;
  char *body;
  size_t len;
  char *headers;
  size_t hlen;
} reply;

static size_t gather(char *data, size_t size, size_t n, void *ctx) {
  char **buf = ctx;
  size_t add = size * n, have = *buf ? strlen(*buf) : 0;
  char *grown = realloc(*buf, have + add + 1);
  ck_assert_ptr_nonnull(grown);
  memcpy(grown + have, data, add);
  grown[have + add] = '\0';
  *buf = grown;
  return add;
}

/* A request; `headers` NULL-terminated; body NULL: none. */
static reply http(const char *method, const char *url,
                  const char *const *headers, const char *body, size_t len) {
  CURL *c = curl_easy_init();
  ck_assert_ptr_nonnull(c);
  struct curl_slist *h = NULL;
  for (size_t i = 0; headers && headers[i]; i++)
    h = curl_slist_append(h, headers[i]);
  reply r = {0};
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, gather);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, gather);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  if (strcmp(method, "HEAD") == 0)
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  }
  CURLcode cc = curl_easy_perform(c);
  ck_assert_msg(cc == CURLE_OK, "%s %s: %s", method, url,
                curl_easy_strerror(cc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  if (!r.body)
    r.body = strdup("");
  r.len = strlen(r.body);
  if (!r.headers)
    r.headers = strdup("");
  return r;
}

static void reply_free(reply *r) {
  free(r->body);
  free(r->headers);
  memset(r, 0, sizeof *r);
}

/* A header's value (malloc'd) or NULL. */
static char *header(const reply *r, const char *name) {
  size_t n = strlen(name);
  for (const char *line = r->headers; *line;) {
    size_t len = strcspn(line, "\r\n");
    if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
      const char *v = line + n + 1;
      while (*v == ' ')
        v++;
      return strndup(v, (size_t)(line + len - v));
    }
    line += len;
    line += strspn(line, "\r\n");
  }
  return NULL;
}

static json_t *json_of(const reply *r) {
  json_error_t e;
  json_t *j = json_loads(r->body, 0, &e);
  ck_assert_msg(j != NULL, "not JSON (%s): %s", e.text, r->body);
  return j;
}

static const char *jstr(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* ---- The test's own web server: a page and a callback receiver --------- */

typedef struct web {
  struct MHD_Daemon *d;
  int port;
  pthread_mutex_t lock;
  int page_requests;
  char *callbacks; /* the bodies received, one a line */
} web;

typedef struct upload {
  char *body;
} upload;

static const char page_html[] =
    "<!DOCTYPE html><html lang=\"en\"><head><title>Harbour lights return"
    "</title></head><body><article><h1>Harbour lights return</h1>"
    "<p>The harbour lights are lit again after a year of repairs. The town "
    "council said the work finished early.</p></article></body></html>";

static enum MHD_Result web_handle(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **con_cls) {
  web *w = cls;
  (void)version;
  if (!*con_cls) {
    *con_cls = calloc(1, sizeof(upload));
    return MHD_YES;
  }
  upload *u = *con_cls;
  if (*size) {
    gather((char *)data, 1, *size, &u->body);
    *size = 0;
    return MHD_YES;
  }
  const char *text = "";
  unsigned status = MHD_HTTP_NOT_FOUND;
  pthread_mutex_lock(&w->lock);
  if (strcmp(method, "GET") == 0 && strcmp(url, "/article.html") == 0) {
    w->page_requests++;
    text = page_html;
    status = MHD_HTTP_OK;
  } else if (strcmp(method, "POST") == 0 && strcmp(url, "/hook") == 0) {
    gather(u->body ? u->body : "", 1, u->body ? strlen(u->body) : 0,
           &w->callbacks);
    const char *sig =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Articast-Signature");
    if (sig) {
      gather("\nsignature: ", 1, 12, &w->callbacks);
      gather((char *)sig, 1, strlen(sig), &w->callbacks);
    }
    gather("\n", 1, 1, &w->callbacks);
    status = MHD_HTTP_OK;
  }
  pthread_mutex_unlock(&w->lock);
  struct MHD_Response *r = MHD_create_response_from_buffer(
      strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

static void web_done(void *cls, struct MHD_Connection *c, void **con_cls,
                     enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  upload *u = *con_cls;
  if (u)
    free(u->body);
  free(u);
  *con_cls = NULL;
}

static void web_start(web *w) {
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->lock, NULL);
  w->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                          web_handle, w, MHD_OPTION_NOTIFY_COMPLETED, web_done,
                          w, MHD_OPTION_END);
  ck_assert_ptr_nonnull(w->d);
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
  w->port = info->port;
}

static void web_stop(web *w) {
  MHD_stop_daemon(w->d);
  free(w->callbacks);
}

static char *web_callbacks(web *w) {
  pthread_mutex_lock(&w->lock);
  char *s = strdup(w->callbacks ? w->callbacks : "");
  pthread_mutex_unlock(&w->lock);
  return s;
}

/* ---- The service --------------------------------------------------------
 */

typedef struct service {
  char *dir, *site, *log, *base;
  pid_t pid;
  int port;
} service;

static int free_port(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t n = sizeof a;
  ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &n), 0);
  close(s);
  return ntohs(a.sin_port);
}

/* Starts `articast serve` on a free port with `args` (space-separated
 * words, none quoted); it runs in a process group of its own. */
static void service_start(service *s, const char *args) {
  if (!s->dir) {
    s->dir = harness_tempdir();
    s->site = harness_fmt("%s/site", s->dir);
    s->log = harness_fmt("%s/serve.log", s->dir);
    s->port = free_port();
    s->base = harness_fmt("http://127.0.0.1:%d", s->port);
  }
  char *cmd =
      harness_fmt("exec '%s' serve --listen 127.0.0.1:%d -o '%s' --cache-dir "
                  "'%s/cache' %s >>'%s' 2>&1",
                  harness_binary(), s->port, s->site, s->dir, args, s->log);
  s->pid = fork();
  ck_assert_int_ge(s->pid, 0);
  if (s->pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(s->pid, s->pid);
  free(cmd);
  char *health = harness_fmt("%s/healthz", s->base);
  bool up = false;
  for (int i = 0; i < 300 && !up; i++) {
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, health);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    up = curl_easy_perform(c) == CURLE_OK;
    curl_easy_cleanup(c);
    if (!up)
      sleep_s(0.05);
  }
  free(health);
  ck_assert_msg(up, "articast serve did not start: %s", harness_slurp(s->log));
}

/* Stops the service: SIGTERM (a clean stop) or SIGKILL to its whole
 * process group (a crash of the machine, as far as serve can tell). */
static void service_stop(service *s, int sig) {
  if (sig == SIGKILL)
    kill(-s->pid, SIGKILL);
  else
    kill(s->pid, sig);
  int status;
  waitpid(s->pid, &status, 0);
  if (sig == SIGTERM)
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "serve did not stop cleanly: %s", harness_slurp(s->log));
  else
    sleep_s(0.3); /* its workers see their parent gone */
}

static void service_free(service *s) {
  /* In a sanitizer build, what the workers and renders reported. */
  char *log = harness_slurp(s->log);
  ck_assert_msg(!strstr(log, "Sanitizer") && !strstr(log, "runtime error"),
                "%s", log);
  free(log);
  char *cmd = harness_fmt("rm -rf '%s'", s->dir);
  ck_assert_int_eq(system(cmd), 0);
  free(cmd);
  free(s->dir);
  free(s->site);
  free(s->log);
  free(s->base);
}

static reply post(const service *s, const char *query, const char *type,
                  const char *body, const char *token) {
  char *url = harness_fmt("%s/v1/episodes%s", s->base, query ? query : "");
  char *ct = harness_fmt("Content-Type: %s", type);
  char *auth = token ? harness_fmt("Authorization: Bearer %s", token) : NULL;
  const char *headers[] = {ct, auth, NULL};
  reply r = http("POST", url, headers, body, strlen(body));
  free(url);
  free(ct);
  free(auth);
  return r;
}

static reply get_with(const service *s, const char *path, const char *token) {
  char *url = harness_fmt("%s%s", s->base, path);
  char *auth = token ? harness_fmt("Authorization: Bearer %s", token) : NULL;
  const char *headers[] = {auth, NULL};
  reply r = http("GET", url, headers, NULL, 0);
  free(auth);
  free(url);
  return r;
}

static reply get(const service *s, const char *path) {
  return get_with(s, path, NULL);
}

/* Posts and answers the job's id (202 expected). */
static char *post_job(const service *s, const char *query, const char *type,
                      const char *body) {
  reply r = post(s, query, type, body, NULL);
  ck_assert_msg(r.status == 202, "POST: %ld %s", r.status, r.body);
  json_t *j = json_of(&r);
  char *id = strdup(jstr(j, "id"));
  char *want = harness_fmt("%s/v1/jobs/%s", s->base, id);
  ck_assert_str_eq(jstr(j, "status_url"), want);
  free(want);
  json_decref(j);
  reply_free(&r);
  return id;
}

/* Polls a job until it is done or failed; returns its JSON. */
static json_t *wait_job(const service *s, const char *id, double seconds) {
  char *path = harness_fmt("/v1/jobs/%s", id);
  json_t *j = NULL;
  for (double t = 0; t < seconds; t += 0.1) {
    reply r = get(s, path);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    json_decref(j);
    j = json_of(&r);
    reply_free(&r);
    const char *state = jstr(j, "state");
    ck_assert_msg(
        strcmp(state, "queued") == 0 || strcmp(state, "running") == 0 ||
            strcmp(state, "done") == 0 || strcmp(state, "failed") == 0,
        "state %s", state);
    if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0)
      break;
    sleep_s(0.1);
  }
  free(path);
  return j;
}

static int count(const char *text, const char *what) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

static const char article_md[] = "---\ntitle: Night buses run again\n---\n\n"
                                 "The night buses run again from Monday. "
                                 "Three routes serve the old town.\n";

/* ---- Cases ---------------------------------------------------------------
 */

/* The episode's MP3 as served: a Range request answers 206 with the right
 * Content-Range and the file's bytes, 416 beyond its end, 304 for a
 * current copy, and HEAD its length. Returns the file's path in SITE. */
static char *check_audio_served(const service *sp, const char *audio) {
  const service s = *sp;
  /* A Range request: 206, the right Content-Range, the file's bytes. */
  char *file = harness_fmt("%s/%s", s.site, audio + strlen(s.base) + 1);
  struct stat sb;
  ck_assert_int_eq(stat(file, &sb), 0);
  const char *range[] = {"Range: bytes=100-1123", NULL};
  reply part = http("GET", audio, range, NULL, 0);
  ck_assert_int_eq(part.status, 206);
  char *cr = header(&part, "Content-Range");
  char *want = harness_fmt("bytes 100-1123/%lld", (long long)sb.st_size);
  ck_assert_str_eq(cr, want);
  free(want);
  free(cr);
  char *whole = harness_slurp(file);
  ck_assert_int_eq(memcmp(part.body, whole + 100, 1024), 0);
  free(whole);
  char *ctype = header(&part, "Content-Type");
  ck_assert_str_eq(ctype, "audio/mpeg");
  free(ctype);
  char *etag = header(&part, "ETag");
  reply_free(&part);
  const char *beyond[] = {"Range: bytes=999999999-", NULL};
  part = http("GET", audio, beyond, NULL, 0);
  ck_assert_int_eq(part.status, 416);
  reply_free(&part);
  /* The client's copy is current: 304. */
  char *inm = harness_fmt("If-None-Match: %s", etag);
  const char *cond[] = {inm, NULL};
  part = http("GET", audio, cond, NULL, 0);
  ck_assert_int_eq(part.status, 304);
  reply_free(&part);
  free(inm);
  free(etag);
  part = http("HEAD", audio, NULL, NULL, 0);
  ck_assert_int_eq(part.status, 200);
  char *length = header(&part, "Content-Length");
  ck_assert_int_eq(atoll(length), sb.st_size);
  free(length);
  reply_free(&part);

  return file;
}

START_TEST(a_posted_article_is_rendered_served_updated_and_deleted) {
  web w;
  web_start(&w);
  service s = {0};
  service_start(&s, "-j 1 --allow-private-urls");
  char *query =
      harness_fmt("?id=bus-1&callback_url=http://127.0.0.1:%d/hook", w.port);
  char *id = post_job(&s, query, "text/markdown", article_md);
  json_t *job = wait_job(&s, id, 90);
  ck_assert_msg(strcmp(jstr(job, "state"), "done") == 0, "job: %s",
                json_dumps(job, 0));
  json_t *ep = json_object_get(job, "episode");
  const char *slug = jstr(ep, "slug");
  ck_assert_str_eq(slug, "night-buses-run-again");
  ck_assert_str_eq(jstr(ep, "guid"), "bus-1");
  char *audio = strdup(jstr(ep, "audio_url"));
  ck_assert_msg(strncmp(audio, s.base, strlen(s.base)) == 0 &&
                    strstr(audio, ".mp3"),
                "%s", audio);

  /* The served feed lists it, as RSS. */
  reply feed = get(&s, "/feed.xml");
  ck_assert_int_eq(feed.status, 200);
  char *type = header(&feed, "Content-Type");
  ck_assert_msg(strstr(type, "application/rss+xml"), "%s", type);
  free(type);
  ck_assert_int_eq(count(feed.body, "<item>"), 1);
  ck_assert_ptr_nonnull(strstr(feed.body, "Night buses run again"));
  ck_assert_ptr_nonnull(strstr(feed.body, audio));
  reply_free(&feed);

  char *file = check_audio_served(&s, audio);

  /* The same article again: no new job, no new render. */
  reply again = post(&s, query, "text/markdown", article_md, NULL);
  ck_assert_int_eq(again.status, 202);
  json_t *aj = json_of(&again);
  ck_assert_str_eq(jstr(aj, "id"), id);
  ck_assert(json_is_true(json_object_get(aj, "unchanged")));
  json_decref(aj);
  reply_free(&again);

  /* Edited: a new job, the same episode (slug), still one feed item. */
  char *edited = harness_fmt("%sA fourth route starts in May.\n", article_md);
  char *id2 = post_job(&s, "?id=bus-1", "text/markdown", edited);
  ck_assert_str_ne(id2, id);
  json_t *job2 = wait_job(&s, id2, 90);
  ck_assert_str_eq(jstr(job2, "state"), "done");
  ck_assert_str_eq(jstr(json_object_get(job2, "episode"), "slug"), slug);
  feed = get(&s, "/feed.xml");
  ck_assert_int_eq(count(feed.body, "<item>"), 1);
  ck_assert_ptr_nonnull(strstr(feed.body, "fourth route"));
  reply_free(&feed);

  /* A URL job: the page fetched from the test's server. */
  char *url_body =
      harness_fmt("{\"url\": \"http://127.0.0.1:%d/article.html\"}", w.port);
  char *id3 = post_job(&s, NULL, "application/json", url_body);
  json_t *job3 = wait_job(&s, id3, 90);
  ck_assert_msg(strcmp(jstr(job3, "state"), "done") == 0, "%s",
                json_dumps(job3, 0));
  ck_assert_int_ge(w.page_requests, 1);

  /* The episodes, then one deleted: its files and feed item go. */
  reply list = get(&s, "/v1/episodes");
  ck_assert_int_eq(list.status, 200);
  json_t *lj = json_of(&list);
  ck_assert_int_eq(json_array_size(json_object_get(lj, "episodes")), 2);
  json_decref(lj);
  reply_free(&list);
  char *del = harness_fmt("%s/v1/episodes/%s", s.base, slug);
  reply gone = http("DELETE", del, NULL, NULL, 0);
  ck_assert_msg(gone.status == 200, "%ld %s", gone.status, gone.body);
  reply_free(&gone);
  gone = http("DELETE", del, NULL, NULL, 0);
  ck_assert_int_eq(gone.status, 404);
  reply_free(&gone);
  feed = get(&s, "/feed.xml");
  ck_assert_int_eq(count(feed.body, "<item>"), 1);
  ck_assert_ptr_null(strstr(feed.body, "Night buses"));
  reply_free(&feed);
  reply part = http("GET", audio, NULL, NULL, 0);
  ck_assert_int_eq(part.status, 404);
  reply_free(&part);

  /* The callback told the CMS (the job's own status). */
  char *calls = NULL;
  for (int i = 0; i < 100; i++) {
    free(calls);
    calls = web_callbacks(&w);
    if (strstr(calls, id))
      break;
    sleep_s(0.1);
  }
  ck_assert_msg(strstr(calls, id) && strstr(calls, "\"state\":\"done\""),
                "callbacks: %s", calls);

  /* /metrics: jobs by state, render time. */
  reply m = get(&s, "/metrics");
  ck_assert_int_eq(m.status, 200);
  ck_assert_ptr_nonnull(strstr(m.body, "articast_jobs{state=\"done\"} 3\n"));
  ck_assert_ptr_nonnull(strstr(m.body, "articast_render_seconds_count 3\n"));
  ck_assert_ptr_nonnull(strstr(m.body, "articast_queue_depth 0\n"));
  reply_free(&m);

  service_stop(&s, SIGTERM);
  free(calls);
  free(del);
  free(file);
  free(url_body);
  free(id3);
  json_decref(job3);
  json_decref(job2);
  free(edited);
  free(id2);
  free(audio);
  json_decref(job);
  free(id);
  free(query);
  service_free(&s);
  web_stop(&w);
}
END_TEST

/* A 4xx answer with a JSON error whose text holds `says`. */
static void expect_error(reply r, long status, const char *says) {
  ck_assert_msg(r.status == status, "%ld (want %ld): %s", r.status, status,
                r.body);
  char *type = header(&r, "Content-Type");
  ck_assert_msg(type && strstr(type, "application/json"), "%s",
                type ? type : "no type");
  free(type);
  json_t *j = json_of(&r);
  const char *e = jstr(j, "error");
  ck_assert_msg(e && strstr(e, says), "error '%s' lacks '%s'", e, says);
  json_decref(j);
  reply_free(&r);
}

START_TEST(bad_requests_get_json_errors_and_private_files_stay_private) {
  service s = {0};
  service_start(&s, "-j 1 --max-body 4K");
  expect_error(post(&s, NULL, "application/json", "{\"url\": ", NULL), 400,
               "not valid JSON");
  expect_error(post(&s, NULL, "application/json", "[1]", NULL), 400,
               "JSON object");
  expect_error(post(&s, NULL, "application/json", "{\"voice\": \"x\"}", NULL),
               400, "needs \"url\"");
  expect_error(post(&s, NULL, "application/json",
                    "{\"url\": \"https://example.org/\", \"colour\": 1}", NULL),
               400, "unknown field");
  expect_error(post(&s, NULL, "application/json",
                    "{\"url\": \"file:///etc/passwd\"}", NULL),
               400, "URL");
  expect_error(post(&s, NULL, "application/pdf", "%PDF", NULL), 415,
               "Content-Type");
  expect_error(
      post(&s, "?voice=../../etc/passwd", "text/plain", "Hello.", NULL), 400,
      "voice");
  expect_error(post(&s, NULL, "text/plain", "", NULL), 400, "empty");
  char *big = malloc(5000);
  memset(big, 'a', 4999);
  big[4999] = '\0';
  expect_error(post(&s, NULL, "text/plain", big, NULL), 413, "larger");
  free(big);
  expect_error(get(&s, "/v1/jobs/0123"), 404, "no such job");
  expect_error(get(&s, "/v1/nothing"), 404, "no such API");
  char *url = harness_fmt("%s/v1/episodes", s.base);
  expect_error(http("PUT", url, NULL, NULL, 0), 405, "not allowed");
  free(url);

  /* Dot files, the state database, paths out of the site: never. */
  char *outside = harness_fmt("%s/outside.txt", s.dir);
  harness_write_text(outside, "secret\n");
  char *link = harness_fmt("%s/leak.txt", s.site);
  ck_assert_int_eq(symlink(outside, link), 0);
  char *hidden = harness_fmt("%s/.hidden.txt", s.site);
  harness_write_text(hidden, "hidden\n");
  char *shown = harness_fmt("%s/shown.txt", s.site);
  harness_write_text(shown, "shown\n");
  char *fifo = harness_fmt("%s/pipe.txt", s.site);
  ck_assert_int_eq(mkfifo(fifo, 0644), 0); /* never opened for good */
  free(fifo);
  const char *refused[] = {"/.articast.db",
                           "/.articast.db-wal",
                           "/.hidden.txt",
                           "/.serve.lock",
                           "/../outside.txt",
                           "/%2e%2e/outside.txt",
                           "/episodes/../.articast.db",
                           "/leak.txt",
                           "/./shown.txt",
                           "/pipe.txt",
                           "//etc/passwd"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    reply r = get(&s, refused[i]);
    ck_assert_msg(r.status == 404 || r.status == 403, "%s: %ld", refused[i],
                  r.status);
    ck_assert_ptr_null(strstr(r.body, "secret"));
    ck_assert_ptr_null(strstr(r.body, "hidden"));
    reply_free(&r);
  }
  reply ok = get(&s, "/shown.txt");
  ck_assert_int_eq(ok.status, 200);
  char *type = header(&ok, "Content-Type");
  ck_assert_str_eq(type, "text/plain; charset=utf-8");
  free(type);
  reply_free(&ok);
  service_stop(&s, SIGTERM);

  /* With a token file: none or a wrong one 401, the right one 202. */
  char *token_file = harness_fmt("%s/token", s.dir);
  harness_write_text(token_file, "s3cret-token-for-the-test-0123456789\n");
  char *args =
      harness_fmt("-j 1 --allow-private-urls --token-file %s", token_file);
  web w;
  web_start(&w);
  service_start(&s, args);
  reply r = post(&s, NULL, "text/plain", "Hello there.", NULL);
  char *www = header(&r, "WWW-Authenticate");
  ck_assert_ptr_nonnull(www);
  free(www);
  expect_error(r, 401, "bearer token");
  expect_error(post(&s, NULL, "text/plain", "Hello there.", "s3cret"), 401,
               "bearer token");
  expect_error(get(&s, "/v1/episodes"), 401, "bearer token");
  /* The right one; the callback is signed with it. */
  const char *token = "s3cret-token-for-the-test-0123456789";
  char *query = harness_fmt("?callback_url=http://127.0.0.1:%d/hook", w.port);
  r = post(&s, query, "text/plain", "Hello there. A short one.", token);
  ck_assert_msg(r.status == 202, "%ld %s", r.status, r.body);
  json_t *j = json_of(&r);
  char *path = harness_fmt("/v1/jobs/%s", jstr(j, "id"));
  json_decref(j);
  reply_free(&r);
  char *calls = NULL;
  for (int i = 0; i < 600; i++) {
    free(calls);
    calls = web_callbacks(&w);
    if (strstr(calls, "signature: "))
      break;
    sleep_s(0.1);
  }
  r = get_with(&s, path, token);
  ck_assert_int_eq(r.status, 200);
  reply_free(&r);
  char *sig = strstr(calls, "\nsignature: sha256=");
  ck_assert_msg(sig != NULL, "callbacks: %s", calls);
  *sig = '\0';
  struct hmac_sha256_ctx h;
  uint8_t mac[SHA256_DIGEST_SIZE];
  hmac_sha256_set_key(&h, strlen(token), (const uint8_t *)token);
  hmac_sha256_update(&h, strlen(calls), (const uint8_t *)calls);
  hmac_sha256_digest(&h, sizeof mac, mac);
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  for (size_t i = 0; i < sizeof mac; i++)
    snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  ck_assert_int_eq(strncmp(sig + 19, hex, 64), 0);
  free(calls);
  free(path);
  free(query);
  service_stop(&s, SIGTERM);
  free(args);
  free(token_file);
  free(outside);
  free(link);
  free(hidden);
  free(shown);
  service_free(&s);
  web_stop(&w);
}
END_TEST

/* The child processes of `pid` (its workers), at most n. */
static int children(pid_t pid, pid_t *out, int n) {
  char *path = harness_fmt("/proc/%ld/task/%ld/children", (long)pid, (long)pid);
  FILE *f = fopen(path, "r");
  free(path);
  int k = 0;
  long c;
  while (f && k < n && fscanf(f, "%ld", &c) == 1)
    out[k++] = (pid_t)c;
  if (f)
    fclose(f);
  return k;
}

START_TEST(queued_jobs_survive_a_killed_service) {
  service s = {0};
  service_start(&s, "-j 1");
  char *ids[4];
  for (int i = 0; i < 4; i++) {
    char *body = harness_fmt("# Council notice %d\n\nNotice number %d of the "
                             "council. The offices close at noon.\n",
                             i + 1, i + 1);
    char *query = harness_fmt("?id=notice-%d", i + 1);
    ids[i] = post_job(&s, query, "text/markdown", body);
    free(query);
    free(body);
  }
  /* Some are still queued when everything dies at once. */
  char *path = harness_fmt("/v1/jobs/%s", ids[3]);
  reply r = get(&s, path);
  ck_assert_ptr_nonnull(strstr(r.body, "\"state\":\"queued\""));
  reply_free(&r);
  free(path);
  service_stop(&s, SIGKILL);
  service_start(&s, "-j 2");
  /* A worker killed as it works: its job is queued again, and another
   * worker takes its place. */
  pid_t workers[2];
  ck_assert_int_eq(children(s.pid, workers, 2), 2);
  path = harness_fmt("/v1/jobs/%s", ids[0]);
  for (int i = 0; i < 100; i++) {
    r = get(&s, path);
    bool running = strstr(r.body, "\"state\":\"queued\"") == NULL;
    reply_free(&r);
    if (running)
      break;
    sleep_s(0.02);
  }
  free(path);
  ck_assert_int_eq(kill(workers[0], SIGKILL), 0);
  pid_t now[2] = {0, 0};
  for (int i = 0; i < 100; i++) {
    if (children(s.pid, now, 2) == 2 && now[0] != workers[0] &&
        now[1] != workers[0])
      break;
    sleep_s(0.05);
  }
  ck_assert_msg(now[0] != workers[0] && now[1] != workers[0] && now[0] > 0 &&
                    now[1] > 0,
                "the killed worker was not replaced");
  for (int i = 0; i < 4; i++) {
    json_t *j = wait_job(&s, ids[i], 120);
    ck_assert_msg(strcmp(jstr(j, "state"), "done") == 0, "%s",
                  json_dumps(j, 0));
    json_decref(j);
    free(ids[i]);
  }
  reply feed = get(&s, "/feed.xml");
  ck_assert_int_eq(count(feed.body, "<item>"), 4);
  for (int i = 1; i <= 4; i++) {
    char *title = harness_fmt("<title>Council notice %d</title>", i);
    ck_assert_int_eq(count(feed.body, title), 1);
    free(title);
  }
  reply_free(&feed);
  service_stop(&s, SIGTERM);
  char *log = harness_slurp(s.log);
  ck_assert_msg(strstr(log, "killed by signal 9"), "%s", log);
  free(log);
  service_free(&s);
}
END_TEST

START_TEST(private_addresses_are_refused_without_the_flag) {
  web w;
  web_start(&w);
  service s = {0};
  service_start(&s, "-j 1");
  char *body =
      harness_fmt("{\"url\": \"http://127.0.0.1:%d/article.html\"}", w.port);
  char *id = post_job(&s, NULL, "application/json", body);
  json_t *j = wait_job(&s, id, 60);
  ck_assert_str_eq(jstr(j, "state"), "failed");
  const char *e = jstr(j, "error");
  ck_assert_msg(strstr(e, "refused to connect to 127.0.0.1") &&
                    strstr(e, "loopback") && strstr(e, "--allow-private-urls"),
                "%s", e);
  ck_assert_int_eq(w.page_requests, 0);
  /* A callback to a private address is not made either. */
  char *query = harness_fmt("?callback_url=http://127.0.0.1:%d/hook", w.port);
  char *id2 = post_job(&s, query, "text/plain", "A short notice. It ends.");
  json_t *j2 = wait_job(&s, id2, 60);
  ck_assert_str_eq(jstr(j2, "state"), "done");
  sleep_s(1.0);
  char *calls = web_callbacks(&w);
  ck_assert_str_eq(calls, "");
  service_stop(&s, SIGTERM);
  char *log = harness_slurp(s.log);
  ck_assert_msg(strstr(log, "callback to") && strstr(log, "refused"), "%s",
                log);
  free(log);
  free(calls);
  json_decref(j2);
  free(id2);
  free(query);
  json_decref(j);
  free(id);
  free(body);
  service_free(&s);
  web_stop(&w);
}
END_TEST

/* Waits until something listens on 127.0.0.1:port. */
static bool port_open(int port, double seconds) {
  for (double t = 0; t < seconds; t += 0.05) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool up = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    if (up)
      return true;
    sleep_s(0.05);
  }
  return false;
}

START_TEST(with_redis_jobs_go_to_the_stream_for_the_workers) {
  if (system("command -v redis-server >/dev/null 2>&1") != 0) {
    fprintf(stderr, "test_serve: redis-server is not installed: the --redis "
                    "case is skipped\n");
    return;
  }
  service s = {0};
  s.dir = harness_tempdir();
  s.site = harness_fmt("%s/site", s.dir);
  s.log = harness_fmt("%s/serve.log", s.dir);
  s.port = free_port();
  s.base = harness_fmt("http://127.0.0.1:%d", s.port);
  int redis_port = free_port();
  char port[16];
  snprintf(port, sizeof port, "%d", redis_port);
  pid_t redis = fork();
  ck_assert_int_ge(redis, 0);
  if (redis == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port",
           port, "--dir", s.dir, "--save", "", "--appendonly", "no",
           (char *)NULL);
    _exit(127);
  }
  ck_assert_msg(port_open(redis_port, 10), "redis-server did not start");
  char *args = harness_fmt("--redis redis://127.0.0.1:%d", redis_port);
  service_start(&s, args);
  const char *tram = "# Trams at night\n\nThe trams run all night in "
                     "summer. The first one leaves at midnight.\n";
  char *id = post_job(&s, "?id=tram-1", "text/markdown", tram);
  ck_assert_msg(strspn(id, "0123456789-") == strlen(id), "%s", id);
  /* The same article again is that job, not a second one. */
  reply again = post(&s, "?id=tram-1", "text/markdown", tram, NULL);
  ck_assert_int_eq(again.status, 202);
  json_t *a = json_of(&again);
  ck_assert_str_eq(jstr(a, "id"), id);
  ck_assert_msg(json_is_true(json_object_get(a, "unchanged")), "%s",
                again.body);
  json_decref(a);
  reply_free(&again);
  char *path = harness_fmt("/v1/jobs/%s", id);
  reply r = get(&s, path);
  ck_assert_msg(strstr(r.body, "\"state\":\"queued\""), "%s", r.body);
  reply_free(&r);
  char *cmd = harness_fmt("ARTICAST_CACHE_DIR='%s/cache' '%s' worker --redis "
                          "redis://127.0.0.1:%d -o '%s' --base-url %s/ --drain "
                          "2>&1",
                          s.dir, harness_binary(), redis_port, s.site, s.base);
  char *out = NULL;
  ck_assert_msg(harness_run(cmd, &out) == 0, "%s", out);
  free(out);
  json_t *j = wait_job(&s, id, 30);
  ck_assert_msg(strcmp(jstr(j, "state"), "done") == 0, "%s", json_dumps(j, 0));
  const char *audio = jstr(json_object_get(j, "episode"), "audio_url");
  ck_assert_ptr_nonnull(audio);
  reply feed = get(&s, "/feed.xml");
  ck_assert_int_eq(count(feed.body, "<title>Trams at night</title>"), 1);
  ck_assert_ptr_nonnull(strstr(feed.body, audio));
  reply_free(&feed);
  /* /metrics counts the Redis queue's jobs. */
  reply m = get(&s, "/metrics");
  ck_assert_int_eq(m.status, 200);
  ck_assert_msg(strstr(m.body, "articast_jobs{state=\"done\"} 1\n") &&
                    strstr(m.body, "articast_queue_depth 0\n") &&
                    strstr(m.body, "articast_render_seconds_count 1\n"),
                "%s", m.body);
  reply_free(&m);
  /* Redis gone: the numbers are unavailable, not an error of ours. */
  kill(redis, SIGTERM);
  waitpid(redis, NULL, 0);
  m = get(&s, "/metrics");
  ck_assert_msg(m.status == 503, "%ld %s", m.status, m.body);
  reply_free(&m);
  service_stop(&s, SIGTERM);
  json_decref(j);
  free(cmd);
  free(path);
  free(id);
  free(args);
  service_free(&s);
}
END_TEST

static bool is_public(const char *text) {
  struct sockaddr_storage ss = {0};
  socklen_t len;
  if (strchr(text, ':')) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    ck_assert_int_eq(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    ck_assert_int_eq(inet_pton(AF_INET, text, &a->sin_addr), 1);
    len = sizeof *a;
  }
  const char *why = NULL;
  bool pub = ac_address_is_public((struct sockaddr *)&ss, len, &why);
  ck_assert(pub == (why == NULL));
  return pub;
}

START_TEST(the_address_rules) {
  const char *refused[] = {"127.0.0.1",
                           "127.255.0.9",
                           "10.1.2.3",
                           "172.16.0.1",
                           "172.31.255.255",
                           "192.168.1.1",
                           "100.64.0.1",
                           "100.127.255.254",
                           "169.254.169.254",
                           "0.0.0.0",
                           "224.0.0.1",
                           "239.255.255.250",
                           "255.255.255.255",
                           "240.0.0.1",
                           "192.0.0.8",
                           "::1",
                           "::",
                           "fe80::1",
                           "fc00::1",
                           "fd12:3456::1",
                           "ff02::1",
                           "fec0::1",
                           "::ffff:127.0.0.1",
                           "::ffff:10.0.0.1",
                           "::127.0.0.1",
                           "64:ff9b::a00:1",
                           "2002:7f00:1::1",
                           "2002:c0a8:101::",
                           "::ffff:169.254.1.1"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    ck_assert_msg(!is_public(refused[i]), "%s taken for public", refused[i]);
  const char *allowed[] = {
      "8.8.8.8",        "172.32.0.1",      "100.128.0.1",
      "192.0.3.1",      "93.184.216.34",   "2001:4860:4860::8888",
      "::ffff:8.8.8.8", "2002:808:808::1", "2a00:1450::1"};
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    ck_assert_msg(is_public(allowed[i]), "%s refused", allowed[i]);
}
END_TEST

static Suite *serve_suite(void) {
  Suite *s = suite_create("serve");
  TCase *rules = tcase_create("rules");
  tcase_add_test(rules, the_address_rules);
  suite_add_tcase(s, rules);
  TCase *http_case = tcase_create("http");
  tcase_set_timeout(http_case, 240);
  tcase_add_test(http_case,
                 a_posted_article_is_rendered_served_updated_and_deleted);
  tcase_add_test(http_case,
                 bad_requests_get_json_errors_and_private_files_stay_private);
  tcase_add_test(http_case, queued_jobs_survive_a_killed_service);
  tcase_add_test(http_case, private_addresses_are_refused_without_the_flag);
  tcase_add_test(http_case, with_redis_jobs_go_to_the_stream_for_the_workers);
  suite_add_tcase(s, http_case);
  return s;
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = harness_main(serve_suite());
  curl_global_cleanup();
  return rc;
}
