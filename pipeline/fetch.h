/*
 * HTTP for `articast follow`, with libcurl: conditional GET (ETag,
 * Last-Modified), a size limit on what is read (decompressed), timeouts,
 * redirects to http and https only, a User-Agent that names articast and
 * its version, robots.txt (RFC 9309, with Crawl-delay honoured), and one
 * request at a time: a fetcher makes its requests one after another, so no
 * host ever has two of them.
 */
#ifndef ARTICAST_FETCH_H
#define ARTICAST_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct ac_fetcher ac_fetcher;

typedef struct ac_fetch_request {
  const char *url;
  const char *etag;          /* validators of the copy we hold, or NULL: */
  const char *last_modified; /* the server answers 304 when unchanged */
  const char *accept;        /* the Accept header, or NULL */
  bool robots;               /* obey the host's robots.txt */
} ac_fetch_request;

typedef struct ac_fetch_result {
  long status; /* the final HTTP status (after redirects), 0 if none */
  char *body;  /* NUL-terminated, `len` bytes; NULL unless 200 */
  size_t len;
  char *etag, *last_modified, *content_type; /* or NULL */
  char *final_url;                           /* after redirects */
  int64_t retry_after; /* seconds the server asked us to wait, or 0 */
} ac_fetch_result;

/* `user_agent` is sent as it is; `max_bytes` bounds every body (0: no
 * bound); a non-NULL `stop` that becomes nonzero aborts the request in
 * hand. NULL when out of memory or libcurl failed to start. */
ac_fetcher *ac_fetcher_new(const char *user_agent, size_t max_bytes,
                           volatile sig_atomic_t *stop);
void ac_fetcher_free(ac_fetcher *f);

/* Fetches req->url. Returns 0 for 200 (body set) and 304 (unchanged);
 * otherwise an AC_ERR_* with a message in err that says what happened:
 * AC_ERR_NOTFOUND for 404 and 410 (the page is gone), AC_ERR_LIMIT for a
 * body over the limit, AC_ERR_UNSUPPORTED when robots.txt disallows the
 * URL or it is not http(s), AC_ERR_IO for any other status or a network
 * failure. res->status is set whenever the server answered. */
int ac_fetch(ac_fetcher *f, const ac_fetch_request *req, ac_fetch_result *res,
             char *err, size_t errlen);
void ac_fetch_result_free(ac_fetch_result *res);
/* The seconds the last answer asked to wait (Retry-After), or 0. */
int64_t ac_fetcher_retry_after(const ac_fetcher *f);

/* ---- Addresses a fetcher may connect to -------------------------------
 *
 * URLs that clients give a service (`articast serve`'s article and
 * callback URLs) must not reach into the service's own network (SSRF). A
 * fetcher that is "public only" refuses to connect to any address that is
 * not a public unicast one: loopback, private (RFC 1918, fc00::/7),
 * link-local, unspecified, CGNAT (100.64.0.0/10), multicast, broadcast and
 * reserved ranges, and the IPv4-mapped, IPv4-compatible,
 * NAT64 and 6to4 forms of those. The check is made on the address libcurl
 * is about to connect to, after DNS resolution, so it holds for every
 * redirect and defeats a name that resolves to a private address; proxies
 * from the environment are not used by such a fetcher. */

/* The default of fetchers made from now on in this process (off at
 * start: `articast follow` fetches whatever its operator names). */
void ac_fetch_set_public_only(bool on);
bool ac_fetch_public_only(void);
/* Sets it for one fetcher. */
void ac_fetcher_set_public_only(ac_fetcher *f, bool on);
/* Whether `sa` is a public unicast address; else *why says what it is
 * ("a loopback address"). */
bool ac_address_is_public(const struct sockaddr *sa, socklen_t len,
                          const char **why);

/* POSTs `body` (len bytes of `content_type`, with the NULL-terminated
 * `headers` lines, or NULL) to an http(s) URL without following
 * redirects, under the fetcher's address rules. Returns 0 when the server
 * answered 2xx, else an AC_ERR_* with what happened in err; *status gets
 * the HTTP status (0: no answer). */
int ac_fetch_post(ac_fetcher *f, const char *url, const char *content_type,
                  const char *const *headers, const char *body, size_t len,
                  long *status, char *err, size_t errlen);

/* robots.txt rules, exposed for the tests: whether `path` (path and query
 * of a URL) may be fetched by the product token `agent` under `robots`
 * (the file's text); *delay gets the group's Crawl-delay in seconds (0
 * when none). */
bool ac_robots_allowed(const char *robots, const char *agent, const char *path,
                       double *delay);

#endif
