/* `articast serve`: routing, authentication and the /v1 API (serve.h). */
#define _GNU_SOURCE /* asprintf, vasprintf */
#include "job.h"
#include "jobs_db.h"
#include "serve.h"

#include <jansson.h>
#include <microhttpd.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "redis.h"

/* What a request gathers between MHD's calls: the body of a POST. */
typedef struct request {
  char *body;
  size_t len, cap;
  bool too_big;
  bool busy;     /* the bodies of all requests took the whole budget */
  bool answered; /* a response was queued before the body */
} request;

void serve_count(serve_ctx *ctx, unsigned status) {
  size_t i = status >= 100 && status < 600 ? status / 100 - 1 : 5;
  atomic_fetch_add(&ctx->requests[i], 1);
}

enum MHD_Result serve_reply_json(serve_ctx *ctx, struct MHD_Connection *c,
                                 unsigned status, char *json) {
  if (!json)
    return MHD_NO; /* out of memory: MHD closes the connection */
  size_t len = strlen(json);
  json[len] = '\0';
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, json, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(json);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "application/json; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  serve_count(ctx, status);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* A JSON object as text, the object released. */
static char *dump(json_t *o) {
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  json_decref(o);
  char *nl = NULL;
  if (s && asprintf(&nl, "%s\n", s) < 0)
    nl = NULL;
  free(s);
  return nl;
}

enum MHD_Result serve_reply_error(serve_ctx *ctx, struct MHD_Connection *c,
                                  unsigned status, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *o = json_object();
  /* A message quoting a client's bytes may not be UTF-8: then it goes
   * without them. */
  json_t *m = json_string(msg);
  json_object_set_new(o, "error", m ? m : json_string("invalid request"));
  return serve_reply_json(ctx, c, status, dump(o));
}

/* ---- Authentication ----------------------------------------------------- */

/* Whether the request carries the bearer token (or none is needed). The
 * digests are compared in constant time, so no timing tells how much of a
 * guess was right, nor the token's length. */
static bool authorized(serve_ctx *ctx, struct MHD_Connection *c) {
  if (!ctx->has_token)
    return true;
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                              MHD_HTTP_HEADER_AUTHORIZATION);
  if (!h || strncasecmp(h, "Bearer ", 7) != 0)
    return false;
  h += 7;
  while (*h == ' ')
    h++;
  struct sha256_ctx sha;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&sha);
  sha256_update(&sha, strlen(h), (const uint8_t *)h);
  sha256_digest(&sha, sizeof digest, digest);
  return memeql_sec(digest, ctx->token_digest, sizeof digest) != 0;
}

static enum MHD_Result unauthorized(serve_ctx *ctx, struct MHD_Connection *c) {
  json_t *o = json_pack("{s:s}", "error",
                        "a bearer token is required (Authorization: Bearer "
                        "TOKEN)");
  char *json = dump(o);
  if (!json)
    return MHD_NO;
  struct MHD_Response *r = MHD_create_response_from_buffer(
      strlen(json), json, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(json);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "application/json; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                          "Bearer realm=\"articast\"");
  serve_count(ctx, MHD_HTTP_UNAUTHORIZED);
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
  MHD_destroy_response(r);
  return ok;
}

/* ---- POST /v1/episodes ------------------------------------------------- */

static bool is_json_type(const char *type) {
  if (!type)
    return false;
  size_t n = strcspn(type, "; \t");
  return n == strlen("application/json") &&
         strncasecmp(type, "application/json", n) == 0;
}

/* A JSON body's job: {"url", "voice", "lang", "id", "callback_url"}. */
static int job_from_json(const request *rq, ac_job *job, char *err,
                         size_t errlen) {
  json_error_t je;
  json_t *root = json_loadb(rq->body ? rq->body : "", rq->len,
                            JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    snprintf(err, errlen, "the body is not valid JSON: %s (line %d)", je.text,
             je.line);
    return -1;
  }
  static const char *const keys[] = {"url", "voice", "lang", "id",
                                     "callback_url"};
  char **fields[] = {&job->url, &job->voice, &job->lang, &job->id,
                     &job->callback_url};
  int rc = 0;
  if (!json_is_object(root)) {
    snprintf(err, errlen, "the body must be a JSON object");
    rc = -1;
  }
  const char *key;
  json_t *value;
  json_object_foreach(rc ? NULL : root, key, value) {
    size_t i = 0;
    while (i < 5 && strcmp(key, keys[i]) != 0)
      i++;
    if (i == 5) {
      snprintf(err, errlen,
               "unknown field \"%.64s\" (known: url, voice, lang, id, "
               "callback_url)",
               key);
      rc = -1;
    } else if (!json_is_string(value)) {
      snprintf(err, errlen, "\"%s\" must be a string", key);
      rc = -1;
    } else if (!(*fields[i] = strndup(json_string_value(value),
                                      json_string_length(value)))) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    } else if (strlen(*fields[i]) != json_string_length(value)) {
      snprintf(err, errlen, "\"%s\" holds a NUL character", key);
      rc = -1;
    }
    if (rc)
      break;
  }
  json_decref(root);
  if (rc == 0 && !job->url) {
    snprintf(err, errlen,
             "a JSON body needs \"url\" (or send the article itself as "
             "text/plain, text/markdown or text/html)");
    rc = -1;
  }
  return rc;
}

/* A text body's job: the article itself, its options in the query. */
static int job_from_body(struct MHD_Connection *c, request *rq,
                         const char *type, ac_job *job, char *err,
                         size_t errlen) {
  static const char *const keys[] = {"voice", "lang", "id", "callback_url"};
  char **fields[] = {&job->voice, &job->lang, &job->id, &job->callback_url};
  for (size_t i = 0; i < 4; i++) {
    const char *v =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, keys[i]);
    if (v && !(*fields[i] = strdup(v))) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
  }
  if (rq->len == 0) {
    snprintf(err, errlen, "the body is empty: send the article");
    return -1;
  }
  job->body = rq->body;
  job->body_len = rq->len;
  rq->body = NULL; /* the job owns it now */
  job->content_type = strdup(type);
  if (!job->content_type) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

static char *status_url(serve_ctx *ctx, const char *id) {
  char *url = NULL;
  if (asprintf(&url, "%sv1/jobs/%s", ctx->base_url, id) < 0)
    return NULL;
  return url;
}

/* Queues the job (the embedded queue, or Redis with --redis). */
static int enqueue(serve_ctx *ctx, const ac_job *job, char id[AC_JOBS_ID_LEN],
                   bool *reused, char *err, size_t errlen) {
  if (ctx->opt->redis) {
    char entry[64] = "";
    int rc = ac_redis_enqueue(ctx->opt->redis, job, entry, sizeof entry, reused,
                              err, errlen);
    snprintf(id, AC_JOBS_ID_LEN, "%.*s", AC_JOBS_ID_LEN - 1, entry);
    return rc;
  }
  pthread_mutex_lock(&ctx->lock);
  int rc = ac_jobs_enqueue(ctx->state, job, id, reused, err, errlen);
  pthread_mutex_unlock(&ctx->lock);
  return rc;
}

static enum MHD_Result post_episode(serve_ctx *ctx, struct MHD_Connection *c,
                                    request *rq) {
  if (rq->busy)
    return serve_reply_error(ctx, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "too many articles are being uploaded at once; "
                             "try again shortly");
  if (rq->too_big)
    return serve_reply_error(ctx, c, MHD_HTTP_CONTENT_TOO_LARGE,
                             "the body is larger than %zu bytes (--max-body)",
                             ctx->opt->max_body);
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
  const char *text_type = ac_job_content_type(type);
  if (!is_json_type(type) && !text_type)
    return serve_reply_error(ctx, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                             "expected text/plain, text/markdown, text/html "
                             "or application/json");
  ac_job job = {0};
  char err[1024] = "";
  int rc = is_json_type(type)
               ? job_from_json(rq, &job, err, sizeof err)
               : job_from_body(c, rq, text_type, &job, err, sizeof err);
  if (rc == 0 && ac_job_validate(&job, err, sizeof err) != 0)
    rc = -1;
  if (rc) {
    ac_job_free(&job);
    return serve_reply_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", err);
  }
  char id[AC_JOBS_ID_LEN] = "";
  bool reused = false;
  rc = enqueue(ctx, &job, id, &reused, err, sizeof err);
  ac_job_free(&job);
  if (rc) {
    ac_log(AC_LOG_ERROR, "cannot queue a job: %s", err);
    return serve_reply_error(ctx, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "cannot queue the job: %s", err);
  }
  char *url = status_url(ctx, id);
  json_t *o = json_pack("{s:s, s:s?, s:b}", "id", id, "status_url", url,
                        "unchanged", reused);
  free(url);
  return serve_reply_json(ctx, c, MHD_HTTP_ACCEPTED, dump(o));
}

/* ---- GET /v1/jobs/ID ---------------------------------------------------- */

static json_t *iso_time(int64_t t) {
  if (t <= 0)
    return json_null();
  char buf[32];
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(buf);
}

char *serve_job_json(const ac_job_row *row, const char *base_url) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(row->id));
  json_object_set_new(o, "state", json_string(row->state));
  json_object_set_new(o, "attempts", json_integer(row->attempts));
  json_object_set_new(o, "created_at", iso_time(row->created_at));
  json_object_set_new(o, "started_at", iso_time(row->started_at));
  json_object_set_new(o, "finished_at", iso_time(row->finished_at));
  if (row->error)
    json_object_set_new(o, "error", json_string(row->error));
  if (row->slug && strcmp(row->state, "done") == 0) {
    json_t *ep = json_object(), *urls = json_array();
    json_object_set_new(ep, "slug", json_string(row->slug));
    if (row->guid)
      json_object_set_new(ep, "guid", json_string(row->guid));
    json_t *files = row->files ? json_loads(row->files, 0, NULL) : NULL;
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
      char *u = NULL;
      if (json_is_string(f) &&
          asprintf(&u, "%s%s", base_url, json_string_value(f)) >= 0) {
        if (i == 0)
          json_object_set_new(ep, "audio_url", json_string(u));
        json_array_append_new(urls, json_string(u));
        free(u);
      }
    }
    json_decref(files);
    json_object_set_new(ep, "urls", urls);
    char *feed = NULL;
    if (asprintf(&feed, "%sfeed.xml", base_url) >= 0) {
      json_object_set_new(ep, "feed_url", json_string(feed));
      free(feed);
    }
    json_object_set_new(o, "episode", ep);
  }
  return dump(o);
}

static bool valid_job_id(const char *id) {
  size_t n = strspn(id, "0123456789abcdef");
  return n == AC_JOBS_ID_LEN - 1 && id[n] == '\0';
}

/* A job of the Redis queue, as its workers recorded it. */
static int redis_job(serve_ctx *ctx, const char *id, ac_job_row *row, char *err,
                     size_t errlen) {
  memset(row, 0, sizeof *row);
  if (strlen(id) >= sizeof row->id || strspn(id, "0123456789-") != strlen(id)) {
    snprintf(err, errlen, "no such job");
    return AC_ERR_NOTFOUND;
  }
  ac_redis_status st;
  if (ac_redis_job_status(ctx->opt->redis, id, &st, err, errlen))
    return AC_ERR_IO;
  if (!st.state) {
    snprintf(err, errlen, "no such job");
    return AC_ERR_NOTFOUND;
  }
  snprintf(row->id, sizeof row->id, "%s", id);
  row->state = st.state;
  row->slug = st.slug;
  row->error = st.error;
  json_t *files = json_array();
  for (const char *p = st.files ? st.files : ""; *p;) {
    size_t n = strcspn(p, "\n");
    if (n)
      json_array_append_new(files, json_stringn(p, n));
    p += n + (p[n] == '\n');
  }
  row->files = json_dumps(files, JSON_COMPACT);
  json_decref(files);
  free(st.files);
  return 0;
}

static enum MHD_Result get_job(serve_ctx *ctx, struct MHD_Connection *c,
                               const char *id) {
  ac_job_row row;
  char err[512];
  int rc;
  if (ctx->opt->redis) {
    rc = redis_job(ctx, id, &row, err, sizeof err);
  } else if (!valid_job_id(id)) {
    rc = AC_ERR_NOTFOUND;
  } else {
    pthread_mutex_lock(&ctx->lock);
    rc = ac_jobs_get(ctx->state, id, &row, err, sizeof err);
    pthread_mutex_unlock(&ctx->lock);
  }
  if (rc == AC_ERR_NOTFOUND)
    return serve_reply_error(ctx, c, MHD_HTTP_NOT_FOUND, "no such job");
  if (rc)
    return serve_reply_error(ctx, c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
  char *json = serve_job_json(&row, ctx->base_url);
  ac_job_row_free(&row);
  return serve_reply_json(ctx, c, MHD_HTTP_OK, json);
}

/* ---- /healthz and /metrics ---------------------------------------------- */

static enum MHD_Result reply_text(serve_ctx *ctx, struct MHD_Connection *c,
                                  char *text, const char *type) {
  if (!text)
    return MHD_NO;
  struct MHD_Response *r = MHD_create_response_from_buffer(
      strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  serve_count(ctx, MHD_HTTP_OK);
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result metrics(serve_ctx *ctx, struct MHD_Connection *c) {
  ac_jobs_stats s;
  char err[512];
  int rc;
  if (ctx->opt->redis) {
    rc = ac_redis_stats(ctx->opt->redis, &s, err, sizeof err);
  } else {
    pthread_mutex_lock(&ctx->lock);
    rc = ac_jobs_stats_read(ctx->state, &s, err, sizeof err);
    pthread_mutex_unlock(&ctx->lock);
  }
  if (rc) /* Redis away is the service's trouble for now, not a bug */
    return serve_reply_error(ctx, c,
                             ctx->opt->redis ? MHD_HTTP_SERVICE_UNAVAILABLE
                                             : MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "%s", err);
  char *text = NULL;
  if (asprintf(
          &text,
          "# HELP articast_jobs Jobs by state (the embedded queue, or Redis).\n"
          "# TYPE articast_jobs gauge\n"
          "articast_jobs{state=\"queued\"} %lld\n"
          "articast_jobs{state=\"running\"} %lld\n"
          "articast_jobs{state=\"done\"} %lld\n"
          "articast_jobs{state=\"failed\"} %lld\n"
          "# HELP articast_queue_depth Jobs waiting for a worker.\n"
          "# TYPE articast_queue_depth gauge\n"
          "articast_queue_depth %lld\n"
          "# HELP articast_render_seconds Time the finished jobs took.\n"
          "# TYPE articast_render_seconds summary\n"
          "articast_render_seconds_sum %.3f\n"
          "articast_render_seconds_count %lld\n"
          "# HELP articast_workers Worker processes configured (-j).\n"
          "# TYPE articast_workers gauge\n"
          "articast_workers %d\n"
          "# HELP articast_http_responses_total HTTP answers by status "
          "class.\n"
          "# TYPE articast_http_responses_total counter\n"
          "articast_http_responses_total{code=\"1xx\"} %ld\n"
          "articast_http_responses_total{code=\"2xx\"} %ld\n"
          "articast_http_responses_total{code=\"3xx\"} %ld\n"
          "articast_http_responses_total{code=\"4xx\"} %ld\n"
          "articast_http_responses_total{code=\"5xx\"} %ld\n",
          (long long)s.queued, (long long)s.running, (long long)s.done,
          (long long)s.failed, (long long)s.queued, s.render_seconds,
          (long long)s.rendered, ctx->opt->redis ? 0 : ctx->opt->workers,
          atomic_load(&ctx->requests[0]), atomic_load(&ctx->requests[1]),
          atomic_load(&ctx->requests[2]), atomic_load(&ctx->requests[3]),
          atomic_load(&ctx->requests[4])) < 0)
    text = NULL;
  return reply_text(ctx, c, text, "text/plain; version=0.0.4; charset=utf-8");
}

/* ---- Routing -------------------------------------------------------------
 */

static enum MHD_Result method_not_allowed(serve_ctx *ctx,
                                          struct MHD_Connection *c,
                                          const char *allow) {
  char *json = dump(json_pack("{s:s}", "error", "method not allowed"));
  struct MHD_Response *r = json ? MHD_create_response_from_buffer(
                                      strlen(json), json, MHD_RESPMEM_MUST_FREE)
                                : NULL;
  if (!r) {
    free(json);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "application/json; charset=utf-8");
  serve_count(ctx, MHD_HTTP_METHOD_NOT_ALLOWED);
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
  MHD_destroy_response(r);
  return ok;
}

/* /v1/...: every one needs the token. */
static enum MHD_Result route_api(serve_ctx *ctx, struct MHD_Connection *c,
                                 const char *path, const char *method,
                                 request *rq) {
  if (!authorized(ctx, c))
    return unauthorized(ctx, c);
  bool get = strcmp(method, "GET") == 0;
  if (strcmp(path, "/v1/episodes") == 0) {
    if (strcmp(method, "POST") == 0)
      return post_episode(ctx, c, rq);
    return get ? serve_list_episodes(ctx, c)
               : method_not_allowed(ctx, c, "GET, POST");
  }
  if (strncmp(path, "/v1/episodes/", 13) == 0) {
    if (strcmp(method, "DELETE") == 0)
      return serve_delete_episode(ctx, c, path + 13);
    return method_not_allowed(ctx, c, "DELETE");
  }
  if (strncmp(path, "/v1/jobs/", 9) == 0)
    return get ? get_job(ctx, c, path + 9) : method_not_allowed(ctx, c, "GET");
  return serve_reply_error(ctx, c, MHD_HTTP_NOT_FOUND, "no such API: %s", path);
}

static enum MHD_Result route(serve_ctx *ctx, struct MHD_Connection *c,
                             const char *url, const char *method, request *rq) {
  bool head = strcmp(method, "HEAD") == 0;
  bool get = head || strcmp(method, "GET") == 0;
  if (strcmp(url, "/v1") == 0 || strncmp(url, "/v1/", 4) == 0)
    return route_api(ctx, c, url, method, rq);
  if (strcmp(url, "/healthz") == 0) {
    if (!get)
      return method_not_allowed(ctx, c, "GET, HEAD");
    return serve_reply_json(ctx, c, MHD_HTTP_OK,
                            strdup("{\"status\":\"ok\"}\n"));
  }
  if (strcmp(url, "/metrics") == 0)
    return get ? metrics(ctx, c) : method_not_allowed(ctx, c, "GET, HEAD");
  if (!get)
    return method_not_allowed(ctx, c, "GET, HEAD");
  return serve_static(ctx, c, url, head);
}

/* Before the body of a POST: what can be refused at once is (401, 413,
 * 415), so a client does not send megabytes for nothing. Returns -1 to go
 * on reading. */
static int before_body(serve_ctx *ctx, struct MHD_Connection *c,
                       const char *url) {
  if (strcmp(url, "/v1/episodes") != 0)
    return -1;
  if (!authorized(ctx, c))
    return unauthorized(ctx, c);
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!is_json_type(type) && !ac_job_content_type(type))
    return serve_reply_error(
        ctx, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
        "Content-Type %.100s: expected text/plain, text/markdown, text/html "
        "or application/json",
        type ? type : "(none)");
  const char *length = MHD_lookup_connection_value(
      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (length && strtoull(length, NULL, 10) > ctx->opt->max_body)
    return serve_reply_error(ctx, c, MHD_HTTP_CONTENT_TOO_LARGE,
                             "the body is larger than %zu bytes (--max-body)",
                             ctx->opt->max_body);
  return -1;
}

/* Keeps a chunk of the body, up to --max-body. */
static void drop_body(serve_ctx *ctx, request *rq) {
  atomic_fetch_sub(&ctx->buffered, rq->cap);
  free(rq->body);
  rq->body = NULL;
  rq->len = rq->cap = 0;
}

/* Keeps a chunk of the body, up to --max-body, within the budget all
 * requests share. */
static void take_body(serve_ctx *ctx, request *rq, const char *data, size_t n) {
  if (rq->too_big || rq->busy)
    return;
  if (rq->len + n > ctx->opt->max_body) {
    rq->too_big = true;
    drop_body(ctx, rq);
    return;
  }
  if (rq->len + n + 1 > rq->cap) {
    size_t cap = rq->cap ? rq->cap : 16384;
    while (cap < rq->len + n + 1)
      cap *= 2;
    size_t grow = cap - rq->cap;
    char *grown = NULL;
    if (atomic_fetch_add(&ctx->buffered, grow) + grow > ctx->buffer_budget ||
        !(grown = realloc(rq->body, cap))) {
      atomic_fetch_sub(&ctx->buffered, grow);
      rq->busy = true;
      drop_body(ctx, rq);
      return;
    }
    rq->body = grown;
    rq->cap = cap;
  }
  memcpy(rq->body + rq->len, data, n);
  rq->len += n;
  rq->body[rq->len] = '\0';
}

enum MHD_Result serve_handle(void *cls, struct MHD_Connection *c,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls) {
  serve_ctx *ctx = cls;
  (void)version;
  if (!*con_cls) {
    request *rq = calloc(1, sizeof *rq);
    if (!rq)
      return MHD_NO;
    *con_cls = rq;
    /* Answered at once only to refuse a body; otherwise after it. */
    int rc = strcmp(method, "POST") == 0 ? before_body(ctx, c, url) : -1;
    rq->answered = rc >= 0;
    return rc >= 0 ? (enum MHD_Result)rc : MHD_YES;
  }
  request *rq = *con_cls;
  if (*upload_data_size) {
    if (!rq->answered)
      take_body(ctx, rq, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (rq->answered)
    return MHD_YES;
  rq->answered = true;
  return route(ctx, c, url, method, rq);
}

void serve_request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe) {
  (void)c;
  (void)toe;
  request *rq = *con_cls;
  if (rq) {
    drop_body(cls, rq);
    free(rq);
  }
  *con_cls = NULL;
}
