/* HTTP for articast follow (fetch.h): libcurl, one request at a time. */
#define _GNU_SOURCE /* strndup, strcasestr */
#include "fetch.h"
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>

#define CONNECT_TIMEOUT_S 20L
#define TRANSFER_TIMEOUT_S 120L
#define MAX_REDIRECTS 5L
/* robots.txt is read up to this size (RFC 9309 asks for at least 500 KiB). */
#define MAX_ROBOTS_BYTES ((size_t)512 << 10)
/* A Crawl-delay above this is taken as this. */
#define MAX_CRAWL_DELAY_S 60.0
/* The product token robots.txt groups are matched against. */
#define ROBOTS_AGENT "articast"

/* A host's robots.txt, read once per fetcher, and when it was last asked. */
typedef struct host_entry {
  char *origin;  /* scheme://host:port */
  char *robots;  /* the file's text; NULL: no rules */
  bool loaded;   /* robots.txt was asked for */
  bool disallow; /* the server failed (5xx, network): all disallowed */
  double last;   /* monotonic time of the last request, 0: none yet */
} host_entry;

struct ac_fetcher {
  CURL *curl;
  char *user_agent;
  size_t max_bytes;
  volatile sig_atomic_t *stop;
  host_entry *hosts;
  size_t n_hosts;
  int64_t retry_after; /* of the last answer */
  bool public_only;    /* connect to public addresses only */
  char refused[160];   /* why the last connection was refused, or "" */
};

static bool default_public_only;

void ac_fetch_set_public_only(bool on) {
  default_public_only = on;
}

bool ac_fetch_public_only(void) {
  return default_public_only;
}

void ac_fetcher_set_public_only(ac_fetcher *f, bool on) {
  f->public_only = on;
}

int64_t ac_fetcher_retry_after(const ac_fetcher *f) {
  return f->retry_after;
}

/* ---- robots.txt ------------------------------------------------------------
 */

/* Whether `pat` (plen bytes, with '*' and a final '$') matches the start of
 * `path` (the whole of it with '$'). */
static bool pattern_matches(const char *pat, size_t plen, const char *path) {
  bool to_end = plen > 0 && pat[plen - 1] == '$';
  if (to_end)
    plen--;
  size_t p = 0, s = 0, slen = strlen(path), star_p = (size_t)-1, star_s = 0;
  for (;;) {
    if (p == plen && (!to_end || s == slen))
      return true;
    if (p < plen && pat[p] == '*') {
      star_p = p++;
      star_s = s;
      continue;
    }
    if (p < plen && s < slen && pat[p] == path[s]) {
      p++;
      s++;
      continue;
    }
    if (star_p != (size_t)-1 && star_s < slen) {
      p = star_p + 1;
      s = ++star_s;
      continue;
    }
    return false;
  }
}

/* One line of robots.txt: its key (lowercased) and value, comments and
 * surrounding space dropped. Returns false for a line without a key. */
static bool robots_line(const char *line, size_t len, char *key, size_t keylen,
                        const char **value, size_t *vlen) {
  const char *hash = memchr(line, '#', len);
  if (hash)
    len = (size_t)(hash - line);
  const char *colon = memchr(line, ':', len);
  if (!colon)
    return false;
  size_t k = 0;
  for (const char *c = line; c < colon && k + 1 < keylen; c++)
    if (!isspace((unsigned char)*c))
      key[k++] = (char)tolower((unsigned char)*c);
  key[k] = '\0';
  const char *v = colon + 1, *end = line + len;
  while (v < end && isspace((unsigned char)*v))
    v++;
  while (end > v && isspace((unsigned char)end[-1]))
    end--;
  *value = v;
  *vlen = (size_t)(end - v);
  return k > 0;
}

/* Whether a user-agent line's value names `agent` (its product token,
 * case-insensitively) or, with star, is "*". */
static bool names_agent(const char *v, size_t n, const char *agent, bool star) {
  if (star)
    return n == 1 && v[0] == '*';
  size_t token = 0;
  while (token < n && v[token] != '/' && !isspace((unsigned char)v[token]))
    token++;
  return token == strlen(agent) && strncasecmp(v, agent, token) == 0;
}

typedef struct robots_verdict {
  size_t best;  /* length of the longest matching rule + 1, 0: none */
  bool allowed; /* what that rule says */
  bool found;   /* a group applied */
  double delay;
} robots_verdict;

/* Applies the groups of `robots` that name `agent` (or "*") to `path`. */
static void robots_eval(const char *robots, const char *agent, bool star,
                        const char *path, robots_verdict *v) {
  bool in_agents = false, group_applies = false;
  for (const char *line = robots; *line;) {
    size_t len = strcspn(line, "\r\n");
    char key[32];
    const char *value;
    size_t vlen;
    if (robots_line(line, len, key, sizeof key, &value, &vlen)) {
      if (strcmp(key, "user-agent") == 0) {
        if (!in_agents)
          group_applies = false; /* a new group starts */
        in_agents = true;
        group_applies |= names_agent(value, vlen, agent, star);
      } else {
        in_agents = false;
        bool allow = strcmp(key, "allow") == 0;
        if (group_applies)
          v->found = true;
        if (group_applies && (allow || strcmp(key, "disallow") == 0) &&
            vlen > 0 && pattern_matches(value, vlen, path)) {
          if (vlen + 1 > v->best || (vlen + 1 == v->best && allow)) {
            v->best = vlen + 1;
            v->allowed = allow;
          }
        } else if (group_applies && strcmp(key, "crawl-delay") == 0) {
          double d = strtod(value, NULL);
          if (d > v->delay)
            v->delay = d > MAX_CRAWL_DELAY_S ? MAX_CRAWL_DELAY_S : d;
        }
      }
    }
    line += len;
    line += strspn(line, "\r\n");
  }
}

bool ac_robots_allowed(const char *robots, const char *agent, const char *path,
                       double *delay) {
  robots_verdict v = {0, true, false, 0};
  *delay = 0;
  if (strcmp(path, "/robots.txt") == 0)
    return true;
  robots_eval(robots, agent, false, path, &v);
  if (!v.found) {
    v = (robots_verdict){0, true, false, 0};
    robots_eval(robots, agent, true, path, &v);
  }
  *delay = v.delay;
  return v.best == 0 || v.allowed;
}

/* ---- Addresses -------------------------------------------------------------
 */

/* What an IPv4 address (host order) is when it is not public, or NULL. */
static const char *ipv4_kind(uint32_t a) {
  static const struct {
    uint32_t net;
    int bits;
    const char *what;
  } ranges[] = {
      {0x00000000u, 8, "an unspecified (0.0.0.0/8) address"},
      {0x0a000000u, 8, "a private (RFC 1918) address"},
      {0x64400000u, 10, "a shared (CGNAT, 100.64.0.0/10) address"},
      {0x7f000000u, 8, "a loopback address"},
      {0xa9fe0000u, 16, "a link-local address"},
      {0xac100000u, 12, "a private (RFC 1918) address"},
      {0xc0000000u, 24, "an IETF protocol assignment (192.0.0.0/24)"},
      {0xc0a80000u, 16, "a private (RFC 1918) address"},
      {0xc6120000u, 15, "a benchmarking (198.18.0.0/15) address"},
      {0xe0000000u, 4, "a multicast address"},
      {0xf0000000u, 4, "a reserved or broadcast address"},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    uint32_t mask = ~0u << (32 - ranges[i].bits);
    if ((a & mask) == ranges[i].net)
      return ranges[i].what;
  }
  return NULL;
}

static uint32_t ipv4_at(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* What an IPv6 address is when it is not public, or NULL. */
static const char *ipv6_kind(const uint8_t *b) {
  static const uint8_t zero[16];
  bool first10_zero = memcmp(b, zero, 10) == 0;
  if (memcmp(b, zero, 16) == 0)
    return "an unspecified address";
  if (memcmp(b, zero, 15) == 0 && b[15] == 1)
    return "a loopback address";
  if (first10_zero && b[10] == 0xff && b[11] == 0xff) /* ::ffff:a.b.c.d */
    return ipv4_kind(ipv4_at(b + 12));
  if (memcmp(b, zero, 12) == 0) /* ::a.b.c.d, deprecated */
    return ipv4_kind(ipv4_at(b + 12)) ? ipv4_kind(ipv4_at(b + 12))
                                      : "an IPv4-compatible address";
  static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
  if (memcmp(b, nat64, 12) == 0) /* 64:ff9b::a.b.c.d */
    return ipv4_kind(ipv4_at(b + 12));
  if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: 2002:AABB:CCDD:: */
    return ipv4_kind(ipv4_at(b + 2));
  if ((b[0] & 0xfe) == 0xfc)
    return "a private (unique local, fc00::/7) address";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return "a link-local address";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
    return "a site-local address";
  if (b[0] == 0xff)
    return "a multicast address";
  return NULL;
}

bool ac_address_is_public(const struct sockaddr *sa, socklen_t len,
                          const char **why) {
  const char *kind = "an address of an unknown family";
  if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
    kind = ipv4_kind(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
  else if (sa->sa_family == AF_INET6 &&
           len >= (socklen_t)sizeof(struct sockaddr_in6))
    kind = ipv6_kind(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
  if (why)
    *why = kind;
  return kind == NULL;
}

/* libcurl's socket opener: refuses addresses that are not public. */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose,
                                 struct curl_sockaddr *a) {
  ac_fetcher *f = ctx;
  const char *why = NULL;
  if (f->public_only && !ac_address_is_public(&a->addr, a->addrlen, &why)) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (a->family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, host,
                sizeof host);
    else if (a->family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, host,
                sizeof host);
    snprintf(f->refused, sizeof f->refused,
             "refused to connect to %s: %s (only public addresses are "
             "fetched; see --allow-private-urls)",
             host, why);
    return CURL_SOCKET_BAD;
  }
  (void)purpose;
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* The options every request of the fetcher has, after a reset. */
static void set_common(ac_fetcher *f, const char *url) {
  CURL *c = f->curl;
  curl_easy_reset(c);
  f->refused[0] = '\0';
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, f->user_agent);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, f);
  if (f->public_only)
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* no proxy: the check is ours */
}

/* ---- URLs ------------------------------------------------------------------
 */

/* scheme://host[:port] of an http(s) URL and its path and query, through
 * libcurl's URL parser. */
static int split_url(const char *url, char **origin, char **path) {
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
  int rc = -1;
  *origin = *path = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK) {
    curl_url_get(u, CURLUPART_QUERY, &q, 0);
    if (asprintf(origin, "%s://%s:%s", scheme, host, port) >= 0 &&
        asprintf(path, "%s%s%s", p, q ? "?" : "", q ? q : "") >= 0)
      rc = 0;
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(p);
  curl_free(q);
  curl_url_cleanup(u);
  if (rc) {
    free(*origin);
    free(*path);
    *origin = *path = NULL;
  }
  return rc;
}

/* ---- Transfers -------------------------------------------------------------
 */

typedef struct transfer {
  ac_fetcher *f;
  char *body;
  size_t len, cap, limit;
  bool too_big;
  ac_fetch_result *res;
} transfer;

static size_t on_body(char *data, size_t size, size_t n, void *ctx) {
  transfer *t = ctx;
  size_t add = size * n;
  if (t->limit && t->len + add > t->limit) {
    t->too_big = true;
    return 0; /* aborts the transfer */
  }
  if (t->len + add + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 65536;
    while (cap < t->len + add + 1)
      cap *= 2;
    char *grown = realloc(t->body, cap);
    if (!grown)
      return 0;
    t->body = grown;
    t->cap = cap;
  }
  memcpy(t->body + t->len, data, add);
  t->len += add;
  t->body[t->len] = '\0';
  return add;
}

/* Keeps a header's value (trimmed) in *field. */
static void keep_header(char **field, const char *v, size_t n) {
  while (n && isspace((unsigned char)*v)) {
    v++;
    n--;
  }
  while (n && isspace((unsigned char)v[n - 1]))
    n--;
  free(*field);
  *field = n ? strndup(v, n) : NULL;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx) {
  transfer *t = ctx;
  size_t len = size * n;
  ac_fetch_result *r = t->res;
  if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    /* A new response (after a redirect): forget the last one's. */
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    r->etag = r->last_modified = r->content_type = NULL;
    r->retry_after = 0;
    return len;
  }
  const char *colon = memchr(data, ':', len);
  if (!colon)
    return len;
  size_t k = (size_t)(colon - data);
  const char *v = colon + 1;
  size_t vn = len - k - 1;
  if (k == 4 && strncasecmp(data, "etag", 4) == 0)
    keep_header(&r->etag, v, vn);
  else if (k == 13 && strncasecmp(data, "last-modified", 13) == 0)
    keep_header(&r->last_modified, v, vn);
  else if (k == 12 && strncasecmp(data, "content-type", 12) == 0)
    keep_header(&r->content_type, v, vn);
  else if (k == 11 && strncasecmp(data, "retry-after", 11) == 0) {
    char num[32];
    size_t m = vn < sizeof num - 1 ? vn : sizeof num - 1;
    memcpy(num, v, m);
    num[m] = '\0';
    long s = strtol(num, NULL, 10);
    r->retry_after = s > 0 && s < 7 * 86400 ? s : 0;
  }
  return len;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c,
                       curl_off_t d) {
  transfer *t = ctx;
  return t->f->stop && *t->f->stop ? 1 : 0;
}

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_for(double seconds, volatile sig_atomic_t *stop) {
  while (seconds > 0 && !(stop && *stop)) {
    double step = seconds > 0.2 ? 0.2 : seconds;
    struct timespec ts = {(time_t)step,
                          (long)((step - (double)(time_t)step) * 1e9)};
    nanosleep(&ts, NULL);
    seconds -= step;
  }
}

ac_fetcher *ac_fetcher_new(const char *user_agent, size_t max_bytes,
                           volatile sig_atomic_t *stop) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return NULL;
  ac_fetcher *f = calloc(1, sizeof *f);
  if (!f || !(f->curl = curl_easy_init()) ||
      !(f->user_agent = strdup(user_agent))) {
    ac_fetcher_free(f);
    return NULL;
  }
  f->max_bytes = max_bytes;
  f->stop = stop;
  f->public_only = default_public_only;
  return f;
}

void ac_fetcher_free(ac_fetcher *f) {
  if (!f) {
    curl_global_cleanup();
    return;
  }
  for (size_t i = 0; i < f->n_hosts; i++) {
    free(f->hosts[i].origin);
    free(f->hosts[i].robots);
  }
  free(f->hosts);
  if (f->curl)
    curl_easy_cleanup(f->curl);
  free(f->user_agent);
  free(f);
  curl_global_cleanup();
}

void ac_fetch_result_free(ac_fetch_result *res) {
  free(res->body);
  free(res->etag);
  free(res->last_modified);
  free(res->content_type);
  free(res->final_url);
  memset(res, 0, sizeof *res);
}

/* What the status line says, for messages. */
static const char *status_text(long status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 410:
    return "Gone";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "";
  }
}

static void set_options(ac_fetcher *f, const ac_fetch_request *req, transfer *t,
                        struct curl_slist *headers, size_t limit) {
  CURL *c = f->curl;
  set_common(f, req->url);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* all it decodes */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
  if (limit)
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)limit);
}

/* One request, no robots.txt involved. */
static int perform(ac_fetcher *f, const ac_fetch_request *req, size_t limit,
                   ac_fetch_result *res, char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  struct curl_slist *headers = NULL;
  char line[1200];
  if (req->etag && strlen(req->etag) < 1000) {
    snprintf(line, sizeof line, "If-None-Match: %s", req->etag);
    headers = curl_slist_append(headers, line);
  }
  if (req->last_modified && strlen(req->last_modified) < 1000) {
    snprintf(line, sizeof line, "If-Modified-Since: %s", req->last_modified);
    headers = curl_slist_append(headers, line);
  }
  if (req->accept) {
    snprintf(line, sizeof line, "Accept: %s", req->accept);
    headers = curl_slist_append(headers, line);
  }
  transfer t = {.f = f, .limit = limit, .res = res};
  set_options(f, req, &t, headers, limit);
  CURLcode cc = curl_easy_perform(f->curl);
  curl_slist_free_all(headers);
  curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &res->status);
  char *final = NULL;
  curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &final);
  res->final_url = strdup(final ? final : req->url);
  int rc = 0;
  if (cc != CURLE_OK && f->refused[0]) {
    snprintf(err, errlen, "%s", f->refused);
    rc = AC_ERR_UNSUPPORTED;
  } else if (t.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
    if (limit % (1 << 20) == 0)
      snprintf(err, errlen,
               "larger than the input limit of %zu MiB (see --max-input)",
               limit >> 20);
    else
      snprintf(err, errlen,
               "larger than the input limit of %zu bytes (see --max-input)",
               limit);
    rc = AC_ERR_LIMIT;
  } else if (cc == CURLE_ABORTED_BY_CALLBACK) {
    snprintf(err, errlen, "stopped");
    rc = AC_ERR_IO;
  } else if (cc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(err, errlen, "more than %ld redirects", MAX_REDIRECTS);
    rc = AC_ERR_IO;
  } else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
    snprintf(err, errlen, "redirected to a URL that is not http(s)");
    rc = AC_ERR_UNSUPPORTED;
  } else if (cc != CURLE_OK) {
    snprintf(err, errlen, "%s", curl_easy_strerror(cc));
    rc = AC_ERR_IO;
  } else if (res->status == 404 || res->status == 410) {
    snprintf(err, errlen, "HTTP %ld %s", res->status, status_text(res->status));
    rc = AC_ERR_NOTFOUND;
  } else if (res->status != 200 && res->status != 304) {
    snprintf(err, errlen, "HTTP %ld %s", res->status, status_text(res->status));
    size_t n = strlen(err);
    while (n && err[n - 1] == ' ')
      err[--n] = '\0';
    rc = AC_ERR_IO;
  }
  if (rc == 0 && res->status == 200) {
    res->body = t.body ? t.body : strdup("");
    res->len = t.len;
    t.body = NULL;
  }
  free(t.body);
  return rc;
}

/* The entry of the URL's host, reading its robots.txt the first time. */
static host_entry *host_for(ac_fetcher *f, const char *origin) {
  for (size_t i = 0; i < f->n_hosts; i++)
    if (strcmp(f->hosts[i].origin, origin) == 0)
      return &f->hosts[i];
  host_entry *grown = realloc(f->hosts, (f->n_hosts + 1) * sizeof *grown);
  if (!grown)
    return NULL;
  f->hosts = grown;
  host_entry *h = &f->hosts[f->n_hosts];
  memset(h, 0, sizeof *h);
  if (!(h->origin = strdup(origin)))
    return NULL;
  f->n_hosts++;
  return h;
}

/* Reads the host's robots.txt once: a 4xx means no rules; a 5xx or no
 * answer means everything is disallowed for now (RFC 9309, 2.3.1). */
static void load_robots(ac_fetcher *f, host_entry *h) {
  char *url = NULL, err[256];
  if (asprintf(&url, "%s/robots.txt", h->origin) < 0)
    return;
  ac_fetch_request req = {.url = url, .accept = "text/plain"};
  ac_fetch_result res;
  int rc = perform(f, &req, MAX_ROBOTS_BYTES, &res, err, sizeof err);
  h->last = monotonic();
  h->loaded = true;
  if (rc == 0 && res.body)
    h->robots = strdup(res.body);
  else if (rc == AC_ERR_LIMIT)
    h->robots = NULL; /* RFC 9309: parse what fits; we take no rules */
  else if (res.status >= 400 && res.status < 500)
    h->robots = NULL;
  else if (rc) {
    h->disallow = true;
    ac_log(AC_LOG_WARN, "%s: %s; nothing of the host is fetched this run", url,
           err);
  }
  ac_fetch_result_free(&res);
  free(url);
}

int ac_fetch(ac_fetcher *f, const ac_fetch_request *req, ac_fetch_result *res,
             char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  f->retry_after = 0;
  char *origin = NULL, *path = NULL;
  if (split_url(req->url, &origin, &path) != 0) {
    snprintf(err, errlen, "not an http:// or https:// URL");
    return AC_ERR_UNSUPPORTED;
  }
  host_entry *h = host_for(f, origin);
  int rc = 0;
  double delay = 0;
  if (!h) {
    snprintf(err, errlen, "out of memory");
    rc = AC_ERR_NOMEM;
  } else if (req->robots) {
    if (!h->loaded)
      load_robots(f, h);
    if (h->disallow || (h->robots && !ac_robots_allowed(h->robots, ROBOTS_AGENT,
                                                        path, &delay))) {
      snprintf(err, errlen, "robots.txt of %s disallows it", origin);
      rc = AC_ERR_UNSUPPORTED;
    }
  }
  if (rc == 0) {
    /* One request after another; a host's Crawl-delay between two. */
    if (h->last > 0)
      pause_for(h->last + delay - monotonic(), f->stop);
    rc = perform(f, req, f->max_bytes, res, err, errlen);
    h->last = monotonic();
    f->retry_after = res->retry_after;
  }
  free(origin);
  free(path);
  return rc;
}

/* A response body the POST does not keep. */
static size_t discard(char *data, size_t size, size_t n, void *ctx) {
  (void)data;
  (void)ctx;
  return size * n;
}

int ac_fetch_post(ac_fetcher *f, const char *url, const char *content_type,
                  const char *const *extra, const char *body, size_t len,
                  long *status, char *err, size_t errlen) {
  *status = 0;
  char *origin = NULL, *path = NULL;
  if (split_url(url, &origin, &path) != 0) {
    snprintf(err, errlen, "not an http:// or https:// URL");
    return AC_ERR_UNSUPPORTED;
  }
  free(origin);
  free(path);
  char header[200];
  snprintf(header, sizeof header, "Content-Type: %s", content_type);
  struct curl_slist *headers = curl_slist_append(NULL, header);
  for (size_t i = 0; extra && extra[i]; i++)
    headers = curl_slist_append(headers, extra[i]);
  CURL *c = f->curl;
  set_common(f, url);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CURLcode cc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  if (cc != CURLE_OK && f->refused[0]) {
    snprintf(err, errlen, "%s", f->refused);
    return AC_ERR_UNSUPPORTED;
  }
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "%s", curl_easy_strerror(cc));
    return AC_ERR_IO;
  }
  if (*status < 200 || *status > 299) {
    snprintf(err, errlen, "HTTP %ld", *status);
    return AC_ERR_IO;
  }
  return 0;
}
