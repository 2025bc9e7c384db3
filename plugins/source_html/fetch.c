/*
 * source_html: downloading an article given as an http(s) URL, with
 * libcurl.
 *
 * Limits keep a bad server from hanging or flooding an episode run: a
 * connect timeout and a whole-transfer timeout, a size limit enforced both
 * on the announced Content-Length and while the body arrives (chunked
 * responses announce none), at most a few redirects, and only http and
 * https, also when redirected. Compressed responses are decoded by curl.
 * Failures say whether the URL is bad input or the failure may pass
 * (fetch_error).
 */
#include "source_html.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int sh_is_url(const char *name) {
  return name && (strncasecmp(name, "http://", 7) == 0 ||
                  strncasecmp(name, "https://", 8) == 0);
}

typedef struct sink {
  ac_strbuf body;
  size_t max;
  int too_big;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata) {
  sink *s = userdata;
  size_t n = size * nmemb;
  if (s->body.len + n > s->max) {
    s->too_big = 1;
    return 0; /* makes curl stop with CURLE_WRITE_ERROR */
  }
  if (ac_strbuf_add(&s->body, ptr, n) != 0)
    return 0;
  return n;
}

void sh_fetched_free(sh_fetched *f) {
  free(f->data);
  free(f->content_type);
  free(f->final_url);
  memset(f, 0, sizeof *f);
}

static void size_text(size_t bytes, char *out, size_t outlen) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    snprintf(out, outlen, "%zu MiB", bytes / (1024 * 1024));
  else if (bytes >= 1024 && bytes % 1024 == 0)
    snprintf(out, outlen, "%zu KiB", bytes / 1024);
  else
    snprintf(out, outlen, "%zu bytes", bytes);
}

/* Whether the host of `url` does not exist: the resolver says so
 * (EAI_NONAME), rather than failing to answer (EAI_AGAIN), which curl's
 * "could not resolve host" does not tell apart. */
static int host_does_not_exist(const char *url) {
  CURLU *u = curl_url();
  char *host = NULL;
  int none = 0;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(host, NULL, &hints, &res);
    none = e == EAI_NONAME;
    if (res)
      freeaddrinfo(res);
  }
  curl_free(host);
  curl_url_cleanup(u);
  return none;
}

/* Why a download failed, as an ac_error and a message. The page is bad
 * input (AC_ERR_NOTFOUND, AC_ERR_LIMIT, AC_ERR_UNSUPPORTED) when asking
 * again would fail again: a 4xx status other than 408 and 429, a host
 * that does not exist, a redirect loop or a redirect off the web, a page
 * over the size limit. A failure that may pass (5xx, 408, 429, timeouts,
 * refused connections, TLS and network errors) is AC_ERR_IO. 0 when the
 * download succeeded. */
static int fetch_error(const char *url, CURLcode rc, long status, int too_big,
                       const char *curl_err, const sh_fetch_opts *opts,
                       const char *limit, char *err, size_t errlen) {
  const char *why = curl_err[0] ? curl_err : curl_easy_strerror(rc);
  if (rc == CURLE_FILESIZE_EXCEEDED || too_big) {
    snprintf(err, errlen, "the page is larger than the limit of %s", limit);
    return AC_ERR_LIMIT;
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    snprintf(err, errlen, "timed out: %s", why);
    return AC_ERR_IO;
  }
  if (rc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(err, errlen, "more than %ld redirects", opts->max_redirects);
    return AC_ERR_NOTFOUND;
  }
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    snprintf(err, errlen, "redirected to a URL that is not http or https");
    return AC_ERR_UNSUPPORTED;
  }
  if (rc == CURLE_COULDNT_RESOLVE_HOST && host_does_not_exist(url)) {
    snprintf(err, errlen, "no such host: %s", why);
    return AC_ERR_NOTFOUND;
  }
  if (rc != CURLE_OK) {
    snprintf(err, errlen, "cannot fetch: %s", why);
    return AC_ERR_IO;
  }
  if (status >= 400) {
    int lasting = status < 500 && status != 408 && status != 429;
    snprintf(err, errlen, "the server answered HTTP %ld%s", status,
             status == 404 || status == 410 ? ": no such page"
             : lasting                      ? ""
                                            : " (try again later)");
    return lasting ? AC_ERR_NOTFOUND : AC_ERR_IO;
  }
  return 0;
}

int sh_fetch(const char *url, const sh_fetch_opts *opts, sh_fetched *out,
             char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!sh_is_url(url)) {
    snprintf(err, errlen, "only http:// and https:// URLs are supported");
    return AC_ERR_UNSUPPORTED;
  }
  CURL *curl = curl_easy_init();
  if (!curl) {
    snprintf(err, errlen, "cannot start libcurl");
    return AC_ERR_ENGINE;
  }
  sink s = {{0}, opts->max_bytes, 0};
  char curl_err[CURL_ERROR_SIZE] = "";
  char limit[32];
  size_text(opts->max_bytes, limit, sizeof limit);

  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, opts->max_redirects);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS,
                   CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, opts->connect_timeout);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, opts->timeout);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   (curl_off_t)opts->max_bytes);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT,
                   "articast/0.1 (text-to-speech podcast maker)");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);

  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  int result = fetch_error(url, rc, status, s.too_big, curl_err, opts, limit,
                           err, errlen);
  if (result == 0) {
    char *ct = NULL, *final = NULL;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &final);
    if (ac_strbuf_add(&s.body, "", 0) != 0 ||
        (ct && !(out->content_type = strdup(ct))) ||
        !(out->final_url = strdup(final ? final : url))) {
      snprintf(err, errlen, "out of memory");
      result = AC_ERR_NOMEM;
    }
  }
  curl_easy_cleanup(curl);
  if (result != 0) {
    ac_strbuf_free(&s.body);
    sh_fetched_free(out);
    return result;
  }
  out->data = s.body.data;
  out->len = s.body.len;
  return 0;
}
