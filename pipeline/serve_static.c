/* `articast serve`: the site's files (serve.h). Every path is opened one
 * component at a time below the site's folder, without following a
 * symbolic link, so nothing outside the site is ever served; a component
 * starting with '.' (dot files, the state database, locks, "..") is never
 * looked up. */
#define _GNU_SOURCE
#include "serve.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest path looked up. */
#define MAX_PATH 1024

bool serve_path_allowed(const char *path) {
  if (!*path)
    return false;
  for (const char *p = path; *p;) {
    size_t n = strcspn(p, "/");
    if (n == 0 || p[0] == '.')
      return false;
    p += n;
    if (*p == '/')
      p++;
    if (*p == '\0' && p[-1] == '/')
      return false;
  }
  return true;
}

/* The content type of a file by its name. */
static const char *content_type(const char *path) {
  static const struct {
    const char *suffix, *type;
  } types[] = {
      {"feed.xml", "application/rss+xml; charset=utf-8"},
      {".mp3", "audio/mpeg"},
      {".m4a", "audio/mp4"},
      {".ogg", "audio/ogg"},
      {".opus", "audio/ogg"},
      {".wav", "audio/wav"},
      {".xml", "application/xml; charset=utf-8"},
      {".vtt", "text/vtt; charset=utf-8"},
      {".srt", "application/x-subrip; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".gif", "image/gif"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  size_t n = strlen(path);
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t k = strlen(types[i].suffix);
    if (n >= k && strcasecmp(path + n - k, types[i].suffix) == 0 &&
        (types[i].suffix[0] == '.' || n == k || path[n - k - 1] == '/'))
      return types[i].type;
  }
  return "application/octet-stream";
}

/* Opens `path` (allowed) below dir_fd, component by component, links
 * refused; a folder is served by its index.html. Returns the descriptor of
 * a regular file, or -1 with errno. */
static int open_below(int dir_fd, const char *path, bool *index) {
  char buf[MAX_PATH];
  if (strlen(path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(buf, path);
  int fd = dup(dir_fd);
  char *save = NULL;
  for (char *comp = strtok_r(buf, "/", &save); fd >= 0 && comp;
       comp = strtok_r(NULL, "/", &save)) {
    /* O_NONBLOCK: a FIFO in the site must not hang the thread. */
    int next = openat(
        fd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    int e = errno;
    close(fd);
    errno = e;
    fd = next;
  }
  struct stat sb;
  *index = false;
  if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    int page = openat(fd, "index.html",
                      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    close(fd);
    fd = page;
    *index = true;
  }
  if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
    close(fd);
    errno = ENOENT;
    fd = -1;
  }
  return fd;
}

/* Whether an If-None-Match list names `etag` (or is "*"). */
static bool etag_listed(const char *list, const char *etag) {
  size_t n = strlen(etag);
  for (const char *p = list; *p;) {
    p += strspn(p, " \t,");
    if (*p == '*')
      return true;
    if (strncmp(p, "W/", 2) == 0)
      p += 2; /* weak comparison, as for If-None-Match */
    if (strncmp(p, etag, n) == 0 &&
        (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
      return true;
    p += strcspn(p, ",");
  }
  return false;
}

typedef struct byte_range {
  uint64_t first, last; /* inclusive */
} byte_range;

/* Parses a Range header against a file of `size` bytes: 1 a satisfiable
 * single range, 0 none to honour (absent, not bytes, several ranges:
 * the whole file is sent), -1 unsatisfiable. */
static int parse_range(const char *h, uint64_t size, byte_range *r) {
  if (!h || strncasecmp(h, "bytes=", 6) != 0)
    return 0;
  const char *p = h + 6;
  while (*p == ' ')
    p++;
  if (strchr(p, ','))
    return 0;
  char *end;
  if (*p == '-') { /* the last N bytes */
    errno = 0;
    uint64_t n = strtoull(p + 1, &end, 10);
    if (errno || end == p + 1 || *end)
      return 0;
    if (n == 0 || size == 0)
      return -1;
    r->first = n >= size ? 0 : size - n;
    r->last = size - 1;
    return 1;
  }
  if (*p < '0' || *p > '9')
    return 0;
  errno = 0;
  r->first = strtoull(p, &end, 10);
  if (errno || *end != '-')
    return 0;
  p = end + 1;
  if (*p == '\0') {
    r->last = size ? size - 1 : 0;
  } else {
    if (*p < '0' || *p > '9')
      return 0;
    r->last = strtoull(p, &end, 10);
    if (errno || *end || r->last < r->first)
      return 0;
    if (r->last >= size)
      r->last = size ? size - 1 : 0;
  }
  return r->first < size ? 1 : -1;
}

static void http_date(time_t t, char out[64]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Cache lifetimes: an episode's files carry their version in their name
 * and never change; the feed and pages do. */
static const char *cache_control(const char *path) {
  if (strncmp(path, "episodes/", 9) == 0 && !strstr(path, ".item.xml"))
    return "public, max-age=31536000, immutable";
  return "public, max-age=60";
}

static enum MHD_Result not_found(serve_ctx *ctx, struct MHD_Connection *c) {
  return serve_reply_error(ctx, c, MHD_HTTP_NOT_FOUND, "not found");
}

/* Whether the request's validators say the client's copy is current. */
static bool not_modified(struct MHD_Connection *c, const char *etag,
                         time_t mtime) {
  const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (inm)
    return etag_listed(inm, etag);
  const char *ims = MHD_lookup_connection_value(
      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
  time_t since = ims ? curl_getdate(ims, NULL) : -1;
  return since >= 0 && mtime <= since;
}

/* Whether a Range is to be honoured under If-Range. */
static bool range_applies(struct MHD_Connection *c, const char *etag,
                          const char *last_modified) {
  const char *ir =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);
  return !ir || strcmp(ir, etag) == 0 || strcmp(ir, last_modified) == 0;
}

static void common_headers(struct MHD_Response *r, const char *path,
                           const char *etag, const char *last_modified) {
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                          cache_control(path));
  MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

/* Sends the file (fd, owned) whole or a range of it. */
static enum MHD_Result send_file(serve_ctx *ctx, struct MHD_Connection *c,
                                 const char *path, int fd,
                                 const struct stat *sb) {
  char etag[80], last_modified[64];
  snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%lx\"",
           (uint64_t)sb->st_size, (uint64_t)sb->st_mtim.tv_sec,
           (unsigned long)sb->st_mtim.tv_nsec);
  http_date(sb->st_mtim.tv_sec, last_modified);
  uint64_t size = (uint64_t)sb->st_size;
  unsigned status = MHD_HTTP_OK;
  struct MHD_Response *r = NULL;
  byte_range range = {0, size ? size - 1 : 0};
  int ranged = 0;
  if (not_modified(c, etag, sb->st_mtim.tv_sec)) {
    close(fd);
    status = MHD_HTTP_NOT_MODIFIED;
    r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
  } else if (range_applies(c, etag, last_modified) &&
             (ranged =
                  parse_range(MHD_lookup_connection_value(
                                  c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE),
                              size, &range)) < 0) {
    close(fd);
    status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
    r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    char cr[64];
    snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
    if (r)
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
  } else if (size == 0) {
    close(fd);
    r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
  } else {
    if (ranged > 0)
      status = MHD_HTTP_PARTIAL_CONTENT;
    r = MHD_create_response_from_fd_at_offset64(range.last - range.first + 1,
                                                fd, (int64_t)range.first);
    if (!r)
      close(fd);
    char cr[96];
    snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
             range.first, range.last, size);
    if (r && ranged > 0)
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
  }
  if (!r)
    return MHD_NO;
  common_headers(r, path, etag, last_modified);
  if (status != MHD_HTTP_NOT_MODIFIED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            content_type(path));
  serve_count(ctx, status);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

enum MHD_Result serve_static(serve_ctx *ctx, struct MHD_Connection *c,
                             const char *url, bool head) {
  (void)head; /* MHD leaves the body out of a HEAD answer */
  if (url[0] != '/')
    return not_found(ctx, c);
  char path[MAX_PATH];
  size_t n = strlen(url + 1);
  if (n + sizeof "index.html" > sizeof path)
    return not_found(ctx, c);
  memcpy(path, url + 1, n + 1);
  if (n == 0 || path[n - 1] == '/')
    strcpy(path + n, "index.html");
  if (!serve_path_allowed(path))
    return not_found(ctx, c);
  bool index = false;
  int fd = open_below(ctx->site_fd, path, &index);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0) {
    if (fd >= 0)
      close(fd);
    return not_found(ctx, c);
  }
  return send_file(ctx, c, index ? "index.html" : path, fd, &sb);
}
