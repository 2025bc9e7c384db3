/*
 * source_html: downloading an article given as an http(s) URL, with
 * libcurl.
 *
 * Limits keep a bad server from hanging or flooding an episode run: a
 * connect timeout and a whole-transfer timeout, a size limit enforced both
 * on the announced Content-Length and while the body arrives (chunked
 * responses announce none), at most a few redirects, and only http and
 * https, also when redirected. Compressed responses are decoded by curl.
 */
#include "source_html.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
  int result = 0;
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_FILESIZE_EXCEEDED || s.too_big) {
    snprintf(err, errlen, "the page is larger than the limit of %s", limit);
    result = AC_ERR_IO;
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    snprintf(err, errlen, "timed out: %s",
             curl_err[0] ? curl_err : curl_easy_strerror(rc));
    result = AC_ERR_IO;
  } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(err, errlen, "more than %ld redirects", opts->max_redirects);
    result = AC_ERR_IO;
  } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    snprintf(err, errlen, "redirected to a URL that is not http or https");
    result = AC_ERR_UNSUPPORTED;
  } else if (rc != CURLE_OK) {
    snprintf(err, errlen, "cannot fetch: %s",
             curl_err[0] ? curl_err : curl_easy_strerror(rc));
    result = AC_ERR_IO;
  } else if (status >= 400) {
    snprintf(err, errlen, "the server answered HTTP %ld", status);
    result = status == 404 || status == 410 ? AC_ERR_NOTFOUND : AC_ERR_IO;
  }
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
