/* Text, dates, URLs, UUIDs and files for the feed publisher (see feed.h). */
#include "date.h"
#include "feed.h"
#include "outfile.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uuid.h"
#include <nettle/version.h>

/* ---- Text --------------------------------------------------------------- */

char *feed_clean_text(const char *s, int one_line) {
  if (!s)
    return NULL;
  size_t n = strlen(s);
  ac_strbuf b = {0};
  int space = 0; /* a white-space run is pending */
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = ac_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    if (len == 0) {
      /* Flush pending space, then stand in for the broken byte. */
      if (one_line && space && b.len)
        ac_strbuf_add(&b, " ", 1);
      space = 0;
      ac_strbuf_adds(&b, "\xEF\xBF\xBD");
      i++;
      continue;
    }
    i += len;
    if (cp == '\r') {
      if (i < n && s[i] == '\n')
        continue; /* CR LF: the LF follows */
      cp = '\n';
    }
    if (cp == ' ' || cp == '\t' || cp == '\n') {
      if (one_line) {
        space = ' ';
        continue;
      }
      /* Keep line structure; trailing white space is trimmed below. */
    } else if (cp < 0x20 || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF) {
      continue; /* XML 1.0 cannot carry C0 controls; DEL has no use here */
    }
    if (one_line && space && b.len)
      ac_strbuf_add(&b, " ", 1);
    space = 0;
    if (!one_line && b.len == 0 && (cp == ' ' || cp == '\t' || cp == '\n'))
      continue; /* leading white space */
    ac_strbuf_add(&b, s + i - len, len);
  }
  char *out = ac_strbuf_take(&b);
  if (out && !one_line) {
    size_t end = strlen(out);
    while (end && (out[end - 1] == ' ' || out[end - 1] == '\t' ||
                   out[end - 1] == '\n'))
      end--;
    out[end] = '\0';
  }
  return out;
}

size_t feed_utf8_cut(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max)
    return n;
  return ac_utf8_char_start(s, n, max);
}

char *feed_truncate(const char *s, size_t max_bytes) {
  size_t n = strlen(s);
  if (n <= max_bytes)
    return strdup(s);
  static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */
  size_t room = max_bytes > 3 ? max_bytes - 3 : 0;
  size_t cut = feed_utf8_cut(s, room);
  /* Prefer ending at a word, unless that throws away over a fifth. */
  size_t word = cut;
  while (word > 0 && s[word] != ' ' && s[word] != '\n')
    word--;
  if (word > cut - cut / 5)
    cut = word;
  while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n' ||
                     s[cut - 1] == ',' || s[cut - 1] == ';'))
    cut--;
  char *out = malloc(cut + sizeof ellipsis);
  if (!out)
    return NULL;
  memcpy(out, s, cut);
  memcpy(out + cut, ellipsis, sizeof ellipsis);
  return out;
}

/* ---- Dates -------------------------------------------------------------- */

int feed_parse_date(const char *s, int64_t *out) {
  ac_date d;
  if (ac_date_parse_iso(s, &d) != 0)
    return -1;
  *out = ac_date_to_unix(&d);
  return 0;
}

int64_t feed_parse_any_date(const char *s) {
  ac_date d;
  return s && ac_date_parse(s, &d) == 0 ? ac_date_to_unix(&d) : 0;
}

void feed_format_date(int64_t t, char *out, size_t outlen) {
  ac_date d;
  ac_date_from_unix(t, &d);
  ac_date_format_rfc2822(&d, out, outlen);
}

/* ---- URLs and identifiers ----------------------------------------------- */

int feed_is_http_url(const char *s) {
  return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

char *feed_url_join(const char *base, const char *relpath) {
  static const char hex[] = "0123456789ABCDEF";
  ac_strbuf b = {0};
  ac_strbuf_adds(&b, base);
  for (const unsigned char *p = (const unsigned char *)relpath; *p; p++) {
    if (isalnum(*p) || strchr("-._~/", *p)) {
      ac_strbuf_add(&b, (const char *)p, 1);
    } else {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      ac_strbuf_add(&b, esc, 3);
    }
  }
  return ac_strbuf_take(&b);
}

void feed_podcast_guid(const char *feed_url, char out[37]) {
  const char *s = strstr(feed_url, "://");
  s = s ? s + 3 : feed_url;
  size_t len = strlen(s);
  while (len > 0 && s[len - 1] == '/')
    len--;
  ac_uuid5(s, len, out);
}

int feed_is_uuid(const char *s) {
  if (!s || strlen(s) != 36)
    return 0;
  for (int i = 0; i < 36; i++) {
    int dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
      return 0;
  }
  return 1;
}

/* ---- Files -------------------------------------------------------------- */

char *feed_path_join(const char *a, const char *b) {
  size_t la = strlen(a);
  int slash = la > 0 && a[la - 1] != '/';
  size_t len = la + (size_t)slash + strlen(b) + 1;
  char *out = malloc(len);
  if (out)
    snprintf(out, len, "%s%s%s", a, slash ? "/" : "", b);
  return out;
}

/* A relative path that stays where it starts: no "..", not absolute. */
static int contained(const char *rel) {
  if (!*rel || rel[0] == '/')
    return 0;
  for (const char *p = rel; *p;) {
    size_t n = strcspn(p, "/");
    if (n == 2 && p[0] == '.' && p[1] == '.')
      return 0;
    p += n;
    while (*p == '/')
      p++;
  }
  return 1;
}

char *feed_site_relative(const char *site_dir, const char *site_real,
                         const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return NULL;
  /* Spelled under SITE: take the rest as it is, so a symlinked folder in
   * the site (episodes/ on another disk) keeps its name. */
  size_t n = strlen(site_dir);
  while (n > 1 && site_dir[n - 1] == '/')
    n--;
  if (strncmp(path, site_dir, n) == 0 && path[n] == '/') {
    const char *rel = path + n;
    while (*rel == '/')
      rel++;
    if (contained(rel))
      return strdup(rel);
  }
  /* Otherwise compare real paths ("./site/x" vs "site", absolute vs
   * relative spellings). */
  char *real = realpath(path, NULL);
  if (!real)
    return NULL;
  n = strlen(site_real);
  char *rel = NULL;
  if (strncmp(real, site_real, n) == 0 && real[n] == '/' && real[n + 1])
    rel = strdup(real + n + 1);
  free(real);
  return rel;
}

int feed_write_atomic(const char *path, const void *data, size_t len, char *why,
                      size_t whylen) {
  /* A dot file while it has a name, which the sweep of a later publish
   * recognizes (feed.c); the directory must exist. */
  outfile out;
  if (outfile_open_with(&out, path, "tmp", OUTFILE_HIDDEN, why, whylen) != 0)
    return errno == ENOMEM ? AC_ERR_NOMEM : AC_ERR_IO;
  int rc = AC_ERR_OK;
  if (outfile_write(out.fd, data, len, -1) != 0) {
    snprintf(why, whylen, "%s: cannot write: %s", path, strerror(errno));
    rc = AC_ERR_IO;
  } else if (outfile_commit(&out, why, whylen) != 0) {
    rc = AC_ERR_IO;
  }
  outfile_discard(&out);
  return rc;
}

int feed_read_file(const char *path, char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096;
  char *buf = malloc(cap);
  size_t n = 0;
  int e = 0;
  while (buf) {
    if (n + 1 >= cap) {
      char *grown = realloc(buf, cap * 2);
      if (!grown) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    ssize_t got = read(fd, buf + n, cap - n - 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      e = errno;
      break;
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  close(fd);
  if (!buf)
    return -ENOMEM;
  if (e) {
    free(buf);
    return -e;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}
