/* Redis Streams for articast (redis.h): URLs, connections, replies read
 * with care, and adding jobs. */
#define _GNU_SOURCE /* strndup */
#include "jobs_db.h"
#include "redis_conn.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- URLs ---------------------------------------------------------------- */

void ac_redis_url_free(ac_redis_url *u) {
  free(u->host);
  free(u->socket);
  free(u->user);
  free(u->password);
  memset(u, 0, sizeof *u);
}

/* Percent-decodes s[0..len) into a malloc'd string; NULL when it holds a
 * bad escape or a NUL. */
static char *decoded(const char *s, size_t len) {
  char *out = malloc(len + 1), *o = out;
  for (size_t i = 0; out && i < len; i++) {
    if (s[i] != '%') {
      *o++ = s[i];
      continue;
    }
    if (i + 2 >= len) {
      free(out);
      return NULL;
    }
    char hex[3] = {s[i + 1], s[i + 2], '\0'};
    char *end;
    long v = isxdigit((unsigned char)hex[0]) && isxdigit((unsigned char)hex[1])
                 ? strtol(hex, &end, 16)
                 : 0;
    if (v == 0) {
      free(out);
      return NULL;
    }
    *o++ = (char)v;
    i += 2;
  }
  if (out)
    *o = '\0';
  return out;
}

static bool parse_number(const char *s, size_t len, long max, long *out) {
  if (len == 0 || len > 9)
    return false;
  long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)s[i]))
      return false;
    v = v * 10 + (s[i] - '0');
  }
  if (v > max)
    return false;
  *out = v;
  return true;
}

static int url_error(ac_redis_url *u, char *err, size_t errlen, const char *url,
                     const char *why) {
  ac_redis_url_free(u);
  snprintf(err, errlen,
           "--redis %.200s: %s (expected redis://[:PASSWORD@]HOST[:PORT][/DB] "
           "or unix:///PATH[?db=DB])",
           url, why);
  return AC_EXIT_USAGE;
}

/* unix:///PATH[?db=N] or unix:PATH[?db=N] */
static int parse_unix(const char *url, ac_redis_url *u, char *err,
                      size_t errlen) {
  const char *path = url + 5;
  if (strncmp(path, "//", 2) == 0)
    path += 2;
  size_t len = strcspn(path, "?");
  if (len == 0 || path[0] != '/')
    return url_error(u, err, errlen, url, "a socket needs an absolute path");
  u->socket = strndup(path, len);
  const char *query = path[len] ? path + len + 1 : NULL;
  long db = 0;
  if (query && (strncmp(query, "db=", 3) != 0 ||
                !parse_number(query + 3, strlen(query + 3), 1000000, &db)))
    return url_error(u, err, errlen, url, "the only query is db=NUMBER");
  u->db = (int)db;
  return u->socket ? 0 : url_error(u, err, errlen, url, "out of memory");
}

/* [[USER]:PASSWORD@] of a redis:// URL */
static int parse_userinfo(const char *s, size_t len, ac_redis_url *u) {
  const char *colon = memchr(s, ':', len);
  if (!colon) /* a user without a password: nothing to AUTH with */
    return -1;
  size_t ulen = (size_t)(colon - s);
  if (ulen && !(u->user = decoded(s, ulen)))
    return -1;
  return (u->password = decoded(colon + 1, len - ulen - 1)) ? 0 : -1;
}

int ac_redis_url_parse(const char *url, ac_redis_url *u, char *err,
                       size_t errlen) {
  memset(u, 0, sizeof *u);
  u->port = 6379;
  if (!url || !url[0])
    return url_error(u, err, errlen, "", "no URL given");
  if (strncasecmp(url, "unix:", 5) == 0)
    return parse_unix(url, u, err, errlen);
  if (strncasecmp(url, "rediss://", 9) == 0)
    return url_error(u, err, errlen, url,
                     "TLS is not supported by this build's hiredis; reach "
                     "Redis through a tunnel or a private network");
  if (strncasecmp(url, "redis://", 8) != 0)
    return url_error(u, err, errlen, url, "not a redis:// or unix: URL");
  const char *rest = url + 8;
  size_t authority = strcspn(rest, "/?#");
  const char *at = NULL;
  for (size_t i = 0; i < authority; i++)
    if (rest[i] == '@')
      at = rest + i;
  if (at && parse_userinfo(rest, (size_t)(at - rest), u) != 0)
    return url_error(u, err, errlen, url,
                     "expected [USER]:PASSWORD before '@', percent-encoded");
  const char *host = at ? at + 1 : rest;
  size_t hlen = (size_t)(rest + authority - host);
  const char *port = NULL;
  if (hlen && host[0] == '[') {
    const char *close = memchr(host, ']', hlen);
    if (!close)
      return url_error(u, err, errlen, url, "an unclosed [IPv6] address");
    u->host = strndup(host + 1, (size_t)(close - host - 1));
    port = close + 1 < host + hlen && close[1] == ':' ? close + 2 : NULL;
    if (close + 1 < host + hlen && close[1] != ':')
      return url_error(u, err, errlen, url, "junk after the [IPv6] address");
  } else {
    const char *colon = memchr(host, ':', hlen);
    u->host = strndup(host, colon ? (size_t)(colon - host) : hlen);
    port = colon ? colon + 1 : NULL;
  }
  long v;
  if (port && !parse_number(port, (size_t)(rest + authority - port), 65535, &v))
    return url_error(u, err, errlen, url, "a bad port");
  if (port && v == 0)
    return url_error(u, err, errlen, url, "a bad port");
  if (port)
    u->port = (int)v;
  if (!u->host || !u->host[0])
    return url_error(u, err, errlen, url, "no host");
  const char *path = rest + authority;
  if (path[0] == '/' && path[1]) {
    if (!parse_number(path + 1, strcspn(path + 1, "?#"), 1000000, &v) ||
        path[1 + strcspn(path + 1, "?#")] != '\0')
      return url_error(u, err, errlen, url,
                       "the path must be a database "
                       "number");
    u->db = (int)v;
  } else if (path[0] && strcmp(path, "/") != 0) {
    return url_error(u, err, errlen, url, "no query or fragment is read");
  }
  return 0;
}

/* ---- Connections and replies --------------------------------------------- */

/* The URL for messages: without its password. */
static void url_for_humans(const ac_redis_url *u, char *buf, size_t len) {
  if (u->socket)
    snprintf(buf, len, "unix:%s", u->socket);
  else
    snprintf(buf, len, "%s:%d", u->host, u->port);
}

bool ac_redis_ok(const redisReply *r) {
  return r && r->type != REDIS_REPLY_ERROR;
}

int ac_redis_failed(redisContext *c, redisReply *r, const char *what, char *err,
                    size_t errlen) {
  if (!r)
    snprintf(err, errlen, "Redis %s: %s", what,
             c && c->err ? c->errstr : "no answer");
  else if (r->type == REDIS_REPLY_ERROR)
    snprintf(err, errlen, "Redis %s: %.*s", what, (int)r->len, r->str);
  else
    snprintf(err, errlen, "Redis %s: an unexpected answer (type %d)", what,
             r->type);
  freeReplyObject(r);
  return AC_EXIT_FAILURE;
}

redisReply *ac_redis_command(redisContext *c, int argc, const char **argv,
                             const size_t *lens) {
  if (!c)
    return NULL;
  /* hiredis takes NULL lengths for NUL-terminated words. */
  return redisCommandArgv(c, argc, argv, lens);
}

/* Runs a command made of NUL-terminated words; returns whether it went
 * well, with why in err when not. */
static bool simple(redisContext *c, const char *what, char *err, size_t errlen,
                   int argc, const char **argv) {
  redisReply *r = ac_redis_command(c, argc, argv, NULL);
  if (!ac_redis_ok(r)) {
    ac_redis_failed(c, r, what, err, errlen);
    return false;
  }
  freeReplyObject(r);
  return true;
}

redisContext *ac_redis_connect(const ac_redis_url *u, double timeout, char *err,
                               size_t errlen) {
  char where[300];
  url_for_humans(u, where, sizeof where);
  struct timeval tv = {(time_t)timeout,
                       (long)((timeout - (double)(time_t)timeout) * 1e6)};
  redisContext *c = u->socket ? redisConnectUnixWithTimeout(u->socket, tv)
                              : redisConnectWithTimeout(u->host, u->port, tv);
  if (!c || c->err) {
    snprintf(err, errlen, "cannot reach Redis at %s: %s", where,
             c ? c->errstr : "out of memory");
    redisFree(c);
    return NULL;
  }
  redisSetTimeout(c, tv);
  if (!u->socket)
    redisEnableKeepAlive(c);
  char why[512] = "", db[16];
  snprintf(db, sizeof db, "%d", u->db);
  const char *auth[] = {"AUTH", u->user ? u->user : u->password, u->password};
  const char *select[] = {"SELECT", db};
  if ((u->password &&
       !simple(c, "AUTH", why, sizeof why, u->user ? 3 : 2, auth)) ||
      (u->db && !simple(c, "SELECT", why, sizeof why, 2, select))) {
    snprintf(err, errlen, "Redis at %s: %s", where, why);
    redisFree(c);
    return NULL;
  }
  return c;
}

int ac_redis_ensure_group(redisContext *c, char *err, size_t errlen) {
  /* From the stream's start ("0"): jobs added before the group was made
   * are work too. */
  const char *argv[] = {"XGROUP",       "CREATE", AC_REDIS_STREAM,
                        AC_REDIS_GROUP, "0",      "MKSTREAM"};
  redisReply *r = ac_redis_command(c, 6, argv, NULL);
  if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) == 0)
    r->type = REDIS_REPLY_STATUS; /* there already */
  if (!ac_redis_ok(r))
    return ac_redis_failed(c, r, "XGROUP CREATE", err, errlen);
  freeReplyObject(r);
  return 0;
}

/* Connects to the Redis at `redis_url` for one request: NULL with *rc (an
 * AC_EXIT_* code) and the reason in err when the URL is bad or Redis is not
 * there. */
static redisContext *connect_url(const char *redis_url, int *rc, char *err,
                                 size_t errlen) {
  ac_redis_url u;
  if ((*rc = ac_redis_url_parse(redis_url, &u, err, errlen)))
    return NULL;
  redisContext *c = ac_redis_connect(&u, 10.0, err, errlen);
  ac_redis_url_free(&u);
  *rc = c ? 0 : AC_EXIT_FAILURE;
  return c;
}

/* ---- Adding jobs --------------------------------------------------------- */

/* Adds the job unless a job for the same episode with the same content
 * is still queued or running, or is done and came as bytes (a URL's page
 * may have changed since): then that job stands for this one. All in one
 * script, so two clients posting the same article at once add it once.
 * KEYS: the stream, the keys hash. ARGV: the job's key, its digest, "1"
 * for a URL job, then the entry's fields and values. Returns {id, 0|1}. */
static const char enqueue_script[] =
    "local old = redis.call('HGET', KEYS[2], ARGV[1])\n"
    "if old then\n"
    "  local id, digest = string.match(old, '^(%S+) (%S+)$')\n"
    "  if id and digest == ARGV[2] then\n"
    "    local st = redis.call('HGET', '" AC_REDIS_STATUS_PREFIX "' .. id, "
    "'state')\n"
    "    if st == 'queued' or st == 'running' or (st == 'done' and ARGV[3] "
    "== '0') then\n"
    "      return {id, 1}\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))\n"
    "redis.call('HSETNX', '" AC_REDIS_STATUS_PREFIX "' .. id, 'state', "
    "'queued')\n"
    "redis.call('HSET', KEYS[2], ARGV[1], id .. ' ' .. ARGV[2])\n"
    "return {id, 0}\n";

static int add_job(redisContext *c, const ac_job *job, char *id_out,
                   size_t idlen, bool *reused, char *err, size_t errlen) {
  ac_job_field f[AC_JOB_MAX_FIELDS];
  size_t n = ac_job_to_fields(job, f);
  char digest[65];
  ac_job_digest(job, digest);
  char *key = ac_job_key(job, digest);
  if (!key) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  const char *argv[8 + 2 * AC_JOB_MAX_FIELDS];
  size_t lens[8 + 2 * AC_JOB_MAX_FIELDS];
  const char *head[] = {"EVAL",          enqueue_script,      "2",
                        AC_REDIS_STREAM, AC_REDIS_KEYS,       key,
                        digest,          job->url ? "1" : "0"};
  int argc = 0;
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    argv[argc] = head[i], lens[argc++] = strlen(head[i]);
  for (size_t i = 0; i < n; i++) {
    argv[argc] = f[i].key, lens[argc++] = strlen(f[i].key);
    argv[argc] = f[i].value, lens[argc++] = f[i].len;
  }
  redisReply *r = redisCommandArgv(c, argc, argv, lens);
  free(key);
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
      r->element[0]->type != REDIS_REPLY_STRING ||
      r->element[0]->len + 1 > idlen ||
      r->element[1]->type != REDIS_REPLY_INTEGER)
    return ac_redis_failed(c, r, "EVAL (enqueue)", err, errlen);
  memcpy(id_out, r->element[0]->str, r->element[0]->len);
  id_out[r->element[0]->len] = '\0';
  if (reused)
    *reused = r->element[1]->integer == 1;
  freeReplyObject(r);
  return 0;
}

int ac_redis_enqueue(const char *redis_url, const ac_job *job, char *id_out,
                     size_t idlen, bool *reused, char *err, size_t errlen) {
  int rc = ac_job_validate(job, err, errlen);
  if (rc)
    return rc;
  redisContext *c = connect_url(redis_url, &rc, err, errlen);
  if (!c)
    return rc;
  if ((rc = ac_redis_ensure_group(c, err, errlen)) == 0)
    rc = add_job(c, job, id_out, idlen, reused, err, errlen);
  redisFree(c);
  return rc;
}

/* ---- A job's state --------------------------------------------------------
 */

void ac_redis_status_free(ac_redis_status *st) {
  free(st->state);
  free(st->slug);
  free(st->files);
  free(st->error);
  memset(st, 0, sizeof *st);
}

int ac_redis_job_status(const char *redis_url, const char *id,
                        ac_redis_status *st, char *err, size_t errlen) {
  memset(st, 0, sizeof *st);
  if (!id || strlen(id) > 64 || strspn(id, "0123456789-") != strlen(id)) {
    snprintf(err, errlen, "%s: not a job id", id ? id : "(none)");
    return AC_EXIT_USAGE;
  }
  int rc;
  redisContext *c = connect_url(redis_url, &rc, err, errlen);
  if (!c)
    return rc;
  char key[128];
  snprintf(key, sizeof key, AC_REDIS_STATUS_PREFIX "%s", id);
  const char *argv[] = {"HMGET", key, "state", "slug", "files", "error"};
  redisReply *r = ac_redis_command(c, 6, argv, NULL);
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
    rc = ac_redis_failed(c, r, "HMGET", err, errlen);
    redisFree(c);
    return rc;
  }
  char **fields[] = {&st->state, &st->slug, &st->files, &st->error};
  for (size_t i = 0; i < 4; i++)
    if (r->element[i]->type == REDIS_REPLY_STRING)
      *fields[i] = strndup(r->element[i]->str, r->element[i]->len);
  freeReplyObject(r);
  redisFree(c);
  return 0;
}

/* ---- The queue in numbers ----------------------------------------------- */

static long long integer_reply(redisContext *c, int argc, const char **argv,
                               bool *ok) {
  redisReply *r = ac_redis_command(c, argc, argv, NULL);
  long long v = 0;
  if (r && r->type == REDIS_REPLY_INTEGER)
    v = r->integer;
  else if (r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
           r->element[0]->type == REDIS_REPLY_INTEGER)
    v = r->element[0]->integer; /* XPENDING's summary: its count first */
  else
    *ok = false;
  freeReplyObject(r);
  return v;
}

int ac_redis_stats(const char *redis_url, ac_jobs_stats *st, char *err,
                   size_t errlen) {
  memset(st, 0, sizeof *st);
  int rc;
  redisContext *c = connect_url(redis_url, &rc, err, errlen);
  if (!c)
    return rc;
  if ((rc = ac_redis_ensure_group(c, err, errlen))) {
    redisFree(c);
    return rc;
  }
  bool ok = true;
  const char *xlen[] = {"XLEN", AC_REDIS_STREAM};
  const char *xpending[] = {"XPENDING", AC_REDIS_STREAM, AC_REDIS_GROUP};
  const char *dead[] = {"XLEN", AC_REDIS_DEAD};
  long long in_stream = integer_reply(c, 2, xlen, &ok);
  st->running = integer_reply(c, 3, xpending, &ok);
  st->queued = in_stream > st->running ? in_stream - st->running : 0;
  st->failed = integer_reply(c, 2, dead, &ok);
  const char *hmget[] = {"HMGET", AC_REDIS_STATS, "rendered", "render_seconds"};
  redisReply *r = ac_redis_command(c, 4, hmget, NULL);
  if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
    if (r->element[0]->type == REDIS_REPLY_STRING)
      st->done = st->rendered = strtoll(r->element[0]->str, NULL, 10);
    if (r->element[1]->type == REDIS_REPLY_STRING)
      st->render_seconds = strtod(r->element[1]->str, NULL);
  } else {
    ok = false;
  }
  freeReplyObject(r);
  if (!ok)
    snprintf(err, errlen, "Redis: %s",
             c->err ? c->errstr : "unexpected answer to XLEN/XPENDING/HMGET");
  redisFree(c);
  return ok ? 0 : AC_EXIT_FAILURE;
}
