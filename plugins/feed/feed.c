/*
 * feed: the podcast feed publisher (AC_STAGE_PUBLISH).
 *
 * Maintains SITE/feed.xml, an RSS 2.0 feed with the iTunes and Podcasting
 * 2.0 tags (see /shared/design/PODCAST-STANDARDS.md). Incremental: each
 * episode leaves a sidecar, SITE/episodes/<slug>.item.xml, and every publish
 * rebuilds feed.xml from all sidecars, newest first. So re-publishing an
 * article replaces its item (same guid), a new article adds one, and with
 * nothing changed the feed stays byte-identical. With no document (the
 * `articast feed` command) only the rebuild runs.
 *
 * Safety: publishers into one SITE take turns on an flock()ed
 * SITE/.feed.lock while they write their sidecar, read all of them and
 * write the feed, so parallel renders (articast episode -j N) lose no item.
 * Files are replaced through a temporary file, fsync and rename, so a
 * process killed at any moment leaves the old feed or the new one.
 */
#include "feed.h"
#include "cover.h"
#include "mkdirs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#define FEED_VERSION "0.2.0"
#define DEFAULT_BASE_URL "http://localhost:8000/"
#define DEFAULT_CATEGORY "News"
#define SIDECAR_SUFFIX ".item.xml"
/* The summary leaves room in the 4000-byte notes for chapters. */
#define MAX_SUMMARY 1500

typedef struct feed_priv {
  const char *base_url;
  int max_items;
  int check_cover;
  const char *guid;
  const char *category;
  const char *subcategory;
  int explicit_content;
  const char *owner_name;
  const char *owner_email;
  int defer_new;
} feed_priv;

static const ac_option feed_options[] = {
    {"base_url", AC_OPT_STRING, offsetof(feed_priv, base_url), NULL, 0, 0, NULL,
     "URL where SITE is served, used when [show] base_url (--base-url) is "
     "unset; with neither: " DEFAULT_BASE_URL " and a warning"},
    {"max_items", AC_OPT_INT, offsetof(feed_priv, max_items), "0", 0, 100000,
     NULL,
     "list only the newest N episodes in feed.xml (0 = all); older ones "
     "keep their files and sidecars"},
    {"check_cover", AC_OPT_BOOL, offsetof(feed_priv, check_cover), "true", 0, 0,
     NULL,
     "refuse a local show image Apple Podcasts rejects (not a square "
     "1400-3000 px RGB JPEG or PNG); false: only warn"},
    {"guid", AC_OPT_STRING, offsetof(feed_priv, guid), NULL, 0, 0, NULL,
     "podcast:guid (a UUID); default: the one the site was first published "
     "with (SITE/.podcast-guid), at first the UUIDv5 of the feed URL. It "
     "never changes unless set here"},
    {"category", AC_OPT_STRING, offsetof(feed_priv, category), NULL, 0, 0, NULL,
     "Apple Podcasts category (checked against Apple's list); default: "
     "" DEFAULT_CATEGORY " and a warning"},
    {"subcategory", AC_OPT_STRING, offsetof(feed_priv, subcategory), NULL, 0, 0,
     NULL, "Apple Podcasts subcategory of the category, e.g. Daily News"},
    {"explicit", AC_OPT_BOOL, offsetof(feed_priv, explicit_content), "false", 0,
     0, NULL, "itunes:explicit: whether episodes hold explicit content"},
    {"owner_name", AC_OPT_STRING, offsetof(feed_priv, owner_name), NULL, 0, 0,
     NULL, "itunes:owner name: who runs the show"},
    {"owner_email", AC_OPT_STRING, offsetof(feed_priv, owner_email), NULL, 0, 0,
     NULL,
     "itunes:owner e-mail, which Apple Podcasts mails to verify ownership"},
    {"defer_new", AC_OPT_BOOL, offsetof(feed_priv, defer_new), "false", 0, 0,
     NULL,
     "write a new episode's sidecar but leave feed.xml to the next rebuild "
     "(articast follow sets it, to publish once a round); an episode "
     "already listed is listed anew at once"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* What one publish works with. */
typedef struct site {
  ac_stage *st;
  const feed_priv *opt;
  const ac_show *show;
  const char *dir; /* SITE as given */
  char *real;      /* its real path */
  char *episodes;  /* SITE/episodes */
  char *base;      /* base URL, ending in '/' */
  int lock_fd;
  feed_item **items; /* the sidecars read, and the new episode */
  size_t n_items, cap_items;
  char why[1024];
} site;

#define LOG(s, level, ...) (s)->st->host->log((s)->st, (level), __VA_ARGS__)
/* After every step that changes the site (see ac_host.checkpoint). */
#define CHECKPOINT(s, what)                                                    \
  do {                                                                         \
    if (AC_HOST_HAS((s)->st->host, checkpoint))                                \
      (s)->st->host->checkpoint((s)->st, (what));                              \
  } while (0)
#define FAIL(s, code, ...) (s)->st->host->fail((s)->st, (code), __VA_ARGS__)

/* Now, for the dates the feed gives: $SOURCE_DATE_EPOCH when set, so a
 * build can be reproduced (and the tests need no clock), else the clock. */
static int64_t feed_now(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  char *end;
  if (sde && *sde) {
    long long v = strtoll(sde, &end, 10);
    if (*end == '\0' && v >= 0)
      return (int64_t)v;
  }
  return (int64_t)time(NULL);
}

static int feed_create(ac_stage *st) {
  /* Idempotent; checks the libxml2 ABI and sets up its globals once. */
  xmlInitParser();
  LIBXML_TEST_VERSION;
  return AC_ERR_OK;
}

/* ---- Site set-up -------------------------------------------------------- */

/* The site remembers the base URL it was last published under, so a later
 * run without --base-url keeps every URL (and podcast:guid, which derives
 * from the feed's URL) where subscribers know them. */
#define BASE_URL_FILE ".base-url"

static char *remembered_base(const site *s) {
  char *path = feed_path_join(s->dir, BASE_URL_FILE), *data = NULL;
  size_t len = 0;
  if (!path || feed_read_file(path, &data, &len) != 0) {
    free(path);
    return NULL;
  }
  free(path);
  data[strcspn(data, "\r\n")] = '\0';
  if (!data[0]) {
    free(data);
    return NULL;
  }
  return data;
}

static void remember_base(site *s, const char *url) {
  char *old = remembered_base(s);
  bool same = old && strcmp(old, url) == 0;
  if (old && !same)
    LOG(s, AC_LOG_WARN,
        "the base URL changes from %s to %s: every enclosure and file URL "
        "moves with it (serve a redirect from %sfeed.xml to the new feed for "
        "its subscribers); the show's podcast:guid stays as it was",
        old, url, old);
  free(old);
  if (same)
    return;
  char *path = feed_path_join(s->dir, BASE_URL_FILE);
  char why[256];
  size_t n = strlen(url);
  char *line = malloc(n + 2);
  if (path && line) {
    snprintf(line, n + 2, "%s\n", url);
    if (feed_write_atomic(path, line, n + 1, why, sizeof why) != 0)
      LOG(s, AC_LOG_WARN, "cannot remember the base URL: %s", why);
    else
      CHECKPOINT(s, "base URL written");
  }
  free(line);
  free(path);
}

/* Stores `url`, made to end in '/', as the site's base after checking it
 * is an absolute http(s) URL: feed readers fetch every URL as it is. */
static int set_base(site *s, const char *url) {
  const char *host = strstr(url, "://");
  if (!feed_is_http_url(url) || !host[3] || host[3] == '/')
    return FAIL(s, AC_ERR_INVALID,
                "base URL '%s' must be an absolute http:// or https:// URL, "
                "e.g. https://example.org/podcast/",
                url);
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' ||
        *p == '?' || *p == '#' || *p == '\\')
      return FAIL(s, AC_ERR_INVALID,
                  "base URL '%s' may not hold spaces, quotes, '?' or '#'", url);
  size_t n = strlen(url);
  s->base = malloc(n + 2);
  if (!s->base)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  snprintf(s->base, n + 2, "%s%s", url, url[n - 1] == '/' ? "" : "/");
  return AC_ERR_OK;
}

/* The base URL: [show] base_url, else the option, else the one the site
 * was last published under, else localhost. */
static int resolve_base(site *s) {
  const char *url =
      s->show && s->show->base_url ? s->show->base_url : s->opt->base_url;
  if (url && *url) {
    int rc = set_base(s, url);
    if (rc == 0)
      remember_base(s, s->base);
    return rc;
  }
  char *remembered = remembered_base(s);
  if (remembered) {
    LOG(s, AC_LOG_DEBUG, "base URL %s, as last published", remembered);
    int rc = set_base(s, remembered);
    free(remembered);
    return rc;
  }
  LOG(s, AC_LOG_WARN,
      "no base URL ([show] base_url or --base-url): the feed links to %s, "
      "which only works on this machine",
      DEFAULT_BASE_URL);
  return set_base(s, DEFAULT_BASE_URL);
}

/* Holds SITE/.feed.lock until unlock(); flock() is released by the kernel
 * if the process dies, so a crash never leaves the site locked. */
static int lock_site(site *s) {
  char *path = feed_path_join(s->dir, ".feed.lock");
  if (!path)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int e = errno;
  if (s->lock_fd < 0) {
    int rc = FAIL(s, AC_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    free(path);
    return rc;
  }
  int r;
  while ((r = flock(s->lock_fd, LOCK_EX)) != 0 && errno == EINTR)
    ;
  e = errno;
  if (r != 0) {
    int rc = FAIL(s, AC_ERR_IO, "%s: cannot lock: %s", path, strerror(e));
    free(path);
    return rc;
  }
  free(path);
  return AC_ERR_OK;
}

/* Temporary files that a killed publisher left behind: of feed.xml, of a
 * cover copied in, of sidecars. Only lock holders create them, so under the
 * lock none is in use. (The default cover's own temporary file is left
 * alone: a sink may draw it outside the lock.) */
static void remove_stale_temps(site *s, const char *dir, int sidecars) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *de;
  while ((de = readdir(d))) {
    const char *name = de->d_name;
    int stale = sidecars
                    ? name[0] == '.' && strstr(name, SIDECAR_SUFFIX ".tmp-")
                    : strncmp(name, ".feed.xml.tmp-", 14) == 0 ||
                          strncmp(name, ".cover.jpg.tmp-", 15) == 0 ||
                          strncmp(name, ".cover.png.tmp-", 15) == 0;
    if (!stale)
      continue;
    char *path = feed_path_join(dir, name);
    if (path && unlink(path) == 0)
      LOG(s, AC_LOG_INFO, "removed %s, left by an interrupted publish", path);
    free(path);
  }
  closedir(d);
}

/* ---- Cover art ---------------------------------------------------------- */

/* Copies src to SITE/name unless it already holds the same bytes. */
static int copy_into_site(site *s, const char *src, const char *name) {
  char *data = NULL, *old = NULL, *dst = feed_path_join(s->dir, name);
  size_t len, old_len;
  int rc = AC_ERR_OK, e;
  if (!dst)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  if ((e = feed_read_file(src, &data, &len))) {
    rc = FAIL(s, AC_ERR_IO, "%s: cannot read: %s", src, strerror(-e));
  } else if (feed_read_file(dst, &old, &old_len) != 0 || old_len != len ||
             memcmp(old, data, len) != 0) {
    if ((rc = feed_write_atomic(dst, data, len, s->why, sizeof s->why)))
      FAIL(s, rc, "%s", s->why);
  }
  free(data);
  free(old);
  free(dst);
  return rc;
}

/* The URL of the show's image (*url, malloc'd). A remote image is taken as
 * it is; a local one is checked and, when outside SITE, copied into it as
 * cover.jpg or cover.png. Without one, SITE/cover.png is drawn once. */
static int resolve_cover(site *s, char **url) {
  const char *image = s->show ? s->show->image : NULL;
  *url = NULL;
  if (image && feed_is_http_url(image)) {
    *url = strdup(image);
    return *url ? AC_ERR_OK : FAIL(s, AC_ERR_NOMEM, "out of memory");
  }
  char *path = NULL;
  int generated = 0;
  if (image && *image) {
    /* As given (relative to the working directory), else inside SITE. */
    struct stat sb;
    path = strdup(image);
    if (path && stat(path, &sb) != 0 && image[0] != '/') {
      free(path);
      path = feed_path_join(s->dir, image);
    }
    if (!path)
      return FAIL(s, AC_ERR_NOMEM, "out of memory");
    if (stat(path, &sb) != 0) {
      free(path);
      return FAIL(s, AC_ERR_NOTFOUND,
                  "[show] image '%s': no such file (looked in the working "
                  "folder and in %s)",
                  image, s->dir);
    }
  } else {
    const char *seed = s->show && s->show->title ? s->show->title : "";
    int rc =
        ac_cover_ensure_default(s->dir, seed, &path, s->why, sizeof s->why);
    if (rc)
      return FAIL(s, rc, "default cover: %s", s->why);
    generated = 1;
  }
  ac_cover_info info;
  int rc = ac_cover_validate_file(path, &info, s->why, sizeof s->why);
  if (rc == AC_ERR_FORMAT && s->opt->check_cover && !generated) {
    rc = FAIL(s, rc,
              "[show] image is %s (Apple Podcasts needs a square JPEG or "
              "PNG of %u to %u pixels, RGB; check_cover=false to publish "
              "anyway)",
              s->why, AC_COVER_MIN_SIZE, AC_COVER_MAX_SIZE);
    free(path);
    return rc;
  }
  if (rc == AC_ERR_FORMAT) {
    LOG(s, AC_LOG_WARN, "%s image is %s; Apple Podcasts will refuse it",
        generated ? "the site's cover" : "[show]", s->why);
  } else if (rc) {
    rc = FAIL(s, rc, "cover: %s", s->why);
    free(path);
    return rc;
  }
  char *rel = feed_site_relative(s->dir, s->real, path);
  if (!rel) {
    /* Outside SITE: serve a copy. */
    const char *name =
        info.mime_type && strcmp(info.mime_type, "image/jpeg") == 0
            ? "cover.jpg"
            : "cover.png";
    if ((rc = copy_into_site(s, path, name))) {
      free(path);
      return rc;
    }
    rel = strdup(name);
  }
  free(path);
  *url = rel ? feed_url_join(s->base, rel) : NULL;
  free(rel);
  return *url ? AC_ERR_OK : FAIL(s, AC_ERR_NOMEM, "out of memory");
}

/* ---- Sidecars ----------------------------------------------------------- */

static int add_item(site *s, feed_item *it) {
  if (s->n_items == s->cap_items) {
    size_t cap = s->cap_items ? s->cap_items * 2 : 16;
    feed_item **grown = realloc(s->items, cap * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    s->items = grown;
    s->cap_items = cap;
  }
  s->items[s->n_items++] = it;
  return AC_ERR_OK;
}

static void drop_item(site *s, size_t i) {
  feed_item_free(s->items[i]);
  free(s->items[i]);
  memmove(&s->items[i], &s->items[i + 1],
          (s->n_items - i - 1) * sizeof *s->items);
  s->n_items--;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every SITE/episodes/<slug>.item.xml. One that cannot be read is
 * reported and left out; it does not stop the others. */
static int read_sidecars(site *s) {
  DIR *d = opendir(s->episodes);
  if (!d)
    return errno == ENOENT ? AC_ERR_OK
                           : FAIL(s, AC_ERR_IO, "%s: cannot list: %s",
                                  s->episodes, strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  int rc = AC_ERR_OK;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name), sl = strlen(SIDECAR_SUFFIX);
    if (de->d_name[0] == '.' || len <= sl ||
        strcmp(de->d_name + len - sl, SIDECAR_SUFFIX) != 0)
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **grown = realloc(names, cap * sizeof *grown);
      if (!grown) {
        rc = AC_ERR_NOMEM;
        break;
      }
      names = grown;
    }
    if (!(names[n] = strdup(de->d_name))) {
      rc = AC_ERR_NOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  /* Readdir order differs between file systems; sorting keeps the warnings
   * and the duplicate resolution below deterministic. */
  if (names)
    qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n && rc == AC_ERR_OK; i++) {
    char *path = feed_path_join(s->episodes, names[i]);
    feed_item *it = calloc(1, sizeof *it);
    if (!path || !it) {
      free(path);
      free(it);
      rc = AC_ERR_NOMEM;
      break;
    }
    int lr = feed_item_load(path, it, s->why, sizeof s->why);
    if (lr == AC_ERR_OK) {
      /* The file name is the slug that owns it. */
      free(it->slug);
      it->slug = strndup(names[i], strlen(names[i]) - strlen(SIDECAR_SUFFIX));
      if (!it->slug || add_item(s, it)) {
        feed_item_free(it);
        free(it);
        rc = AC_ERR_NOMEM;
      }
    } else {
      LOG(s, AC_LOG_WARN, "%s: skipped: %s", path, s->why);
      free(it);
      if (lr == AC_ERR_NOMEM)
        rc = lr;
    }
    free(path);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc ? FAIL(s, rc, "out of memory reading the sidecars") : AC_ERR_OK;
}

/* ---- The new episode ---------------------------------------------------- */

/* The site-relative path of an artifact, or NULL (with a warning) when it
 * lies outside SITE and so has no URL. */
static char *artifact_path(site *s, const char *path, const char *what) {
  char *rel = feed_site_relative(s->dir, s->real, path);
  if (!rel)
    LOG(s, AC_LOG_WARN,
        "%s %s is missing or outside %s; the feed cannot "
        "link to it",
        what, path, s->dir);
  return rel;
}

/* The opening paragraph, for articles without a summary. */
static const char *opening_paragraph(const ac_document *doc) {
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *b = &doc->blocks[i];
    if (b->kind == AC_BLOCK_PARAGRAPH && (b->written || b->text)) {
      const char *t = b->written ? b->written : b->text;
      for (const char *p = t; *p; p++)
        if (!isspace((unsigned char)*p))
          return t;
    }
  }
  return NULL;
}

/* The article's image when the feed can point at it: an http(s) URL, or a
 * file inside SITE (as given, or relative to SITE) that passes Apple's cover
 * rules. NULL otherwise. */
static char *episode_image(site *s, const char *image) {
  if (!image || !*image)
    return NULL;
  if (feed_is_http_url(image))
    return strdup(image);
  char *rel = feed_site_relative(s->dir, s->real, image);
  if (!rel && image[0] != '/') {
    char *in_site = feed_path_join(s->dir, image);
    rel = in_site ? feed_site_relative(s->dir, s->real, in_site) : NULL;
    free(in_site);
  }
  if (!rel) {
    LOG(s, AC_LOG_INFO,
        "article image %s is neither a URL nor a file in %s: no episode art",
        image, s->dir);
    return NULL;
  }
  char *path = feed_path_join(s->real, rel);
  ac_cover_info info;
  int rc = path ? ac_cover_validate_file(path, &info, s->why, sizeof s->why)
                : AC_ERR_NOMEM;
  free(path);
  if (rc) {
    LOG(s, AC_LOG_WARN, "article image left out of the feed: %s", s->why);
    free(rel);
    return NULL;
  }
  return rel;
}

/* Fills *it from the episode the sinks just finished. */
static int build_item(site *s, feed_item *it) {
  const ac_episode *ep = s->st->episode;
  const ac_document *doc = ep->doc;
  const char *slug = ep->slug;
  if (!slug || !*slug || strchr(slug, '/') || slug[0] == '.')
    return FAIL(s, AC_ERR_INVALID, "episode slug '%s' is not a file name",
                slug ? slug : "(none)");
  const ac_artifact *mp3 = NULL;
  for (size_t i = 0; i < ep->n_artifacts && !mp3; i++)
    if (ep->artifacts[i].role == AC_ROLE_AUDIO &&
        strcmp(ep->artifacts[i].mime_type, "audio/mpeg") == 0)
      mp3 = &ep->artifacts[i];
  if (!mp3)
    return FAIL(s, AC_ERR_NOTFOUND,
                "no MP3 among the files the sinks wrote: a podcast feed "
                "needs one (add mp3 to [pipeline] sinks, or remove feed "
                "from [pipeline] publish)");
  struct stat sb;
  if (stat(mp3->path, &sb) != 0)
    return FAIL(s, AC_ERR_IO, "%s: %s", mp3->path, strerror(errno));
  if (!(it->audio = feed_site_relative(s->dir, s->real, mp3->path)))
    return FAIL(s, AC_ERR_INVALID,
                "the MP3 %s lies outside the site %s, so the feed cannot "
                "link to it",
                mp3->path, s->dir);
  it->length = mp3->size;
  it->duration = mp3->duration > 0 ? mp3->duration : 0;
  it->date = feed_now(); /* first published now, unless the article is dated */

  it->slug = strdup(slug);
  it->title = feed_clean_text(doc->title, 1);
  if (!it->title || !*it->title) {
    free(it->title);
    const char *opening = opening_paragraph(doc);
    char *line = opening ? feed_clean_text(opening, 1) : NULL;
    it->title = line && *line ? feed_truncate(line, 80) : strdup(slug);
    free(line);
  }
  if (doc->url && feed_is_http_url(doc->url))
    it->link = feed_clean_text(doc->url, 1);
  it->author = feed_clean_text(doc->author, 1);
  const char *lang = doc->language                  ? doc->language
                     : s->show && s->show->language ? s->show->language
                     : ep->voice                    ? ep->voice->language
                                                    : NULL;
  it->language = feed_clean_text(lang, 1);
  const char *summary =
      doc->summary && *doc->summary ? doc->summary : opening_paragraph(doc);
  char *clean = feed_clean_text(summary, 0);
  if (clean && *clean)
    it->summary = feed_truncate(clean, MAX_SUMMARY);
  free(clean);
  it->image = episode_image(s, doc->image);
  it->voice = ep->voice ? feed_clean_text(ep->voice->name, 1) : NULL;

  /* The host's guid for the article: it never changes for this article. */
  it->guid = feed_clean_text(ep->guid ? ep->guid : slug, 1);
  if (doc->date && feed_parse_date(doc->date, &it->date) != 0)
    LOG(s, AC_LOG_WARN,
        "article date '%s' is not an ISO 8601 date; the episode is dated "
        "by its first publication",
        doc->date);

  /* Side files from the artifacts; show-note chapters from the timeline. */
  for (size_t i = 0; i < ep->n_artifacts; i++) {
    const ac_artifact *a = &ep->artifacts[i];
    for (int k = 0; a->mime_type && k < FEED_FILE_KINDS; k++)
      if (!it->files[k] && strcmp(a->mime_type, feed_file_types[k]) == 0)
        it->files[k] = artifact_path(s, a->path, feed_file_types[k]);
  }
  if (ep->timeline && feed_item_set_chapters(it, ep->timeline) != 0)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  if (!it->slug || !it->title || !it->guid)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  return AC_ERR_OK;
}

/* Writes the new episode's sidecar and puts it in the list in place of any
 * earlier version: the same slug, or the same guid under another slug (a
 * re-published article whose title, and so slug, changed). */
static int publish_episode(site *s) {
  feed_item *it = calloc(1, sizeof *it);
  if (!it)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  int rc = build_item(s, it);
  /* An article without a date keeps the date it was first published with,
   * so re-publishing it leaves the feed as it was. */
  const ac_document *doc = s->st->episode->doc;
  int dated = doc->date && feed_parse_date(doc->date, &(int64_t){0}) == 0;
  for (size_t i = 0; rc == AC_ERR_OK && !dated && i < s->n_items; i++)
    if (strcmp(s->items[i]->guid, it->guid) == 0) {
      it->date = s->items[i]->date;
      break;
    }
  char *path = NULL;
  if (rc == AC_ERR_OK) {
    size_t n = strlen(it->slug) + sizeof SIDECAR_SUFFIX;
    char *name = malloc(n);
    if (name)
      snprintf(name, n, "%s%s", it->slug, SIDECAR_SUFFIX);
    path = name ? feed_path_join(s->episodes, name) : NULL;
    free(name);
    if (!path)
      rc = FAIL(s, AC_ERR_NOMEM, "out of memory");
  }
  if (rc == AC_ERR_OK && (rc = feed_item_save(it, path, s->why, sizeof s->why)))
    FAIL(s, rc, "%s", s->why);
  else if (rc == AC_ERR_OK)
    CHECKPOINT(s, "episode sidecar written");
  for (size_t i = 0; rc == AC_ERR_OK && i < s->n_items;) {
    feed_item *old = s->items[i];
    int same_slug = strcmp(old->slug, it->slug) == 0;
    if (!same_slug && strcmp(old->guid, it->guid) != 0) {
      i++;
      continue;
    }
    if (same_slug && strcmp(old->guid, it->guid) != 0)
      LOG(s, AC_LOG_WARN,
          "episode %s now holds a different article (guid %s, was %s): two "
          "articles with one title share a slug",
          it->slug, it->guid, old->guid);
    if (!same_slug) {
      char *old_path = feed_path_join(s->episodes, old->slug);
      size_t n = old_path ? strlen(old_path) + sizeof SIDECAR_SUFFIX : 0;
      char *old_sidecar = old_path ? malloc(n) : NULL;
      if (old_sidecar) {
        snprintf(old_sidecar, n, "%s%s", old_path, SIDECAR_SUFFIX);
        if (unlink(old_sidecar) != 0 && errno != ENOENT)
          LOG(s, AC_LOG_WARN, "%s: cannot remove: %s", old_sidecar,
              strerror(errno));
      }
      LOG(s, AC_LOG_INFO,
          "%s replaces episode %s (same guid %s); its old files stay in %s",
          it->slug, old->slug, it->guid, s->episodes);
      free(old_path);
      free(old_sidecar);
    }
    drop_item(s, i);
  }
  free(path);
  if (rc == AC_ERR_OK && (rc = add_item(s, it)))
    FAIL(s, rc, "out of memory");
  if (rc) {
    feed_item_free(it);
    free(it);
  }
  return rc;
}

/* ---- The feed ----------------------------------------------------------- */

static int newest_first(const void *a, const void *b) {
  const feed_item *x = *(feed_item *const *)a, *y = *(feed_item *const *)b;
  if (x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return strcmp(x->slug, y->slug);
}

/* Drops items whose MP3 is gone and refreshes each enclosure length from
 * the file (a tag editor may have changed it), drops side files that are
 * gone, sorts newest first and keeps one item per guid. */
static void settle_items(site *s) {
  for (size_t i = 0; i < s->n_items;) {
    feed_item *it = s->items[i];
    char *path = feed_path_join(s->real, it->audio);
    struct stat sb;
    if (!path || stat(path, &sb) != 0) {
      LOG(s, AC_LOG_WARN, "episode %s: its MP3 %s is gone; left out", it->slug,
          it->audio);
      free(path);
      drop_item(s, i);
      continue;
    }
    free(path);
    it->length = (uint64_t)sb.st_size;
    for (int k = 0; k < FEED_FILE_KINDS; k++) {
      char *side = it->files[k] ? feed_path_join(s->real, it->files[k]) : NULL;
      if (side && stat(side, &sb) != 0) {
        LOG(s, AC_LOG_INFO, "episode %s: %s is gone", it->slug, it->files[k]);
        free(it->files[k]);
        it->files[k] = NULL;
      }
      free(side);
    }
    i++;
  }
  if (s->n_items > 1)
    qsort(s->items, s->n_items, sizeof *s->items, newest_first);
  for (size_t i = 1; i < s->n_items;) {
    size_t j = 0;
    while (j < i && strcmp(s->items[j]->guid, s->items[i]->guid) != 0)
      j++;
    if (j < i) {
      LOG(s, AC_LOG_WARN,
          "episodes %s and %s share the guid %s; only %s is listed",
          s->items[j]->slug, s->items[i]->slug, s->items[i]->guid,
          s->items[j]->slug);
      drop_item(s, i);
    } else {
      i++;
    }
  }
}

/* Lower-case BCP 47, as RSS readers expect ("en-us"). */
static char *feed_language(site *s) {
  const char *lang = s->show && s->show->language ? s->show->language : NULL;
  if (!lang && s->n_items)
    lang = s->items[0]->language;
  char *out = strdup(lang && *lang ? lang : "en");
  for (char *p = out; p && *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

/* ---- The show's identity and the feed's date ---------------------------- */

/* The show's podcast:guid, kept in SITE the first time it is published:
 * the Podcasting 2.0 namespace assigns it once for the podcast's lifetime,
 * whatever its feed URL becomes. */
#define PODCAST_GUID_FILE ".podcast-guid"

/* What the feed.xml in place says: its lastBuildDate and podcast:guid. */
static void read_old_feed(const char *xml, size_t len, int64_t *built,
                          char guid[37]) {
  *built = 0;
  guid[0] = '\0';
  xmlDocPtr doc = len < INT32_MAX
                      ? xmlReadMemory(xml, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                                          XML_PARSE_NOWARNING)
                      : NULL;
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  xmlNodePtr channel = root ? root->children : NULL;
  while (channel && (channel->type != XML_ELEMENT_NODE ||
                     strcmp((const char *)channel->name, "channel") != 0))
    channel = channel->next;
  for (xmlNodePtr n = channel ? channel->children : NULL; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    xmlChar *text = xmlNodeGetContent(n);
    const char *name = (const char *)n->name;
    if (text && strcmp(name, "lastBuildDate") == 0 && !n->ns)
      *built = feed_parse_any_date((const char *)text);
    else if (text && strcmp(name, "guid") == 0 && n->ns &&
             feed_is_uuid((const char *)text))
      snprintf(guid, 37, "%s", (const char *)text);
    xmlFree(text);
  }
  if (doc)
    xmlFreeDoc(doc);
}

static void store_podcast_guid(site *s, const char *guid) {
  char *path = feed_path_join(s->dir, PODCAST_GUID_FILE), line[40], why[256];
  snprintf(line, sizeof line, "%s\n", guid);
  if (path && feed_write_atomic(path, line, strlen(line), why, sizeof why))
    LOG(s, AC_LOG_WARN, "cannot keep the podcast:guid: %s", why);
  else if (path)
    CHECKPOINT(s, "podcast guid written");
  free(path);
}

/* podcast:guid: [feed] guid, else the one kept in SITE, else the one the
 * feed in place carries (a site published before it was kept), else the
 * UUIDv5 of the feed URL; kept from then on. */
static void podcast_guid(site *s, const char *feed_url, const char *in_feed,
                         char out[37]) {
  char *path = feed_path_join(s->dir, PODCAST_GUID_FILE), *data = NULL;
  size_t len = 0;
  char kept[37] = "";
  if (path && feed_read_file(path, &data, &len) == 0) {
    data[strcspn(data, "\r\n")] = '\0';
    if (feed_is_uuid(data))
      snprintf(kept, sizeof kept, "%s", data);
  }
  free(data);
  free(path);
  if (s->opt->guid) {
    snprintf(out, 37, "%s", s->opt->guid);
    if (kept[0] && strcmp(kept, out) != 0)
      LOG(s, AC_LOG_WARN,
          "podcast:guid changes from %s to %s, as [feed] guid says: apps "
          "that know the show by its guid take it for another show",
          kept, out);
  } else if (kept[0]) {
    snprintf(out, 37, "%s", kept);
  } else if (in_feed[0]) {
    snprintf(out, 37, "%s", in_feed);
  } else {
    feed_podcast_guid(feed_url, out);
  }
  if (strcmp(kept, out) != 0)
    store_podcast_guid(s, out);
}

/* ---- The feed ----------------------------------------------------------- */

/* The channel as the show and options say. `clean` receives the cleaned
 * strings the channel points to (free them after). */
static int channel_for(site *s, feed_channel *ch, char *clean[6]) {
  const ac_show *show = s->show;
  const feed_priv *opt = s->opt;
  const char *category = NULL, *sub = NULL;
  const char *want = opt->category ? opt->category : DEFAULT_CATEGORY;
  int rc = feed_category(want, opt->subcategory, &category, &sub, s->why,
                         sizeof s->why);
  if (rc)
    return FAIL(s, rc, "%s", s->why);
  const char *title = show && show->title ? show->title : NULL;
  if (!title) {
    title = "Articles, read aloud";
    LOG(s, AC_LOG_WARN, "no [show] title: the feed is called \"%s\"", title);
  }
  if (!opt->owner_email)
    LOG(s, AC_LOG_INFO,
        "no [feed] owner_email: Apple Podcasts mails it to "
        "verify who owns the show");
  *ch = (feed_channel){
      .category = category,
      .subcategory = sub,
      .explicit_content = opt->explicit_content,
      .base_url = s->base,
      .generator = "articast feed " FEED_VERSION,
  };
  /* Show fields come from a config file a person typed: clean them like
   * article text so no control character can break the XML. */
  const char *raw[6] = {title,
                        show ? show->description : NULL,
                        show && show->author ? show->author : opt->owner_name,
                        opt->owner_name,
                        opt->owner_email,
                        show && show->link ? show->link : s->base};
  for (int i = 0; i < 6; i++)
    clean[i] = feed_clean_text(raw[i], i != 1);
  ch->title = clean[0];
  ch->description = clean[1];
  ch->author = clean[2];
  ch->owner_name = clean[3];
  ch->owner_email = clean[4];
  ch->link = clean[5];
  return ch->title && ch->link ? AC_ERR_OK
                               : FAIL(s, AC_ERR_NOMEM, "out of memory");
}

/* Renders feed.xml and writes it when its content changed. lastBuildDate
 * is when the content last changed: the feed is first rendered with the
 * date the file in place has, and when that gives the same bytes nothing
 * is written; otherwise it is rendered with now. */
static int write_feed(site *s, const char *image_url) {
  char *clean[6] = {0};
  feed_channel ch;
  int rc = channel_for(s, &ch, clean);
  if (rc) {
    for (size_t i = 0; i < 6; i++)
      free(clean[i]);
    return rc;
  }
  char *feed_url = feed_url_join(s->base, "feed.xml");
  char *language = feed_language(s);
  char *xml = NULL, *old = NULL, *path = feed_path_join(s->dir, "feed.xml");
  size_t len = 0, old_len = 0;
  int64_t built = 0;
  char guid[37], old_guid[37] = "";
  if (rc == AC_ERR_OK && (!feed_url || !language || !path))
    rc = FAIL(s, AC_ERR_NOMEM, "out of memory");
  if (rc == AC_ERR_OK) {
    if (feed_read_file(path, &old, &old_len) == 0)
      read_old_feed(old, old_len, &built, old_guid);
    podcast_guid(s, feed_url, old_guid, guid);
    ch.language = language;
    ch.image_url = image_url;
    ch.feed_url = feed_url;
    ch.podcast_guid = guid;
    ch.last_build = built;
  }
  size_t n = s->n_items;
  if (s->opt->max_items > 0 && n > (size_t)s->opt->max_items)
    n = (size_t)s->opt->max_items;
  bool same = false;
  if (rc == AC_ERR_OK && built &&
      (rc = feed_render(&ch, s->items, n, &xml, &len, s->why, sizeof s->why)) ==
          AC_ERR_OK)
    same = old && old_len == len && memcmp(old, xml, len) == 0;
  if (rc == AC_ERR_OK && !same) {
    free(xml);
    xml = NULL;
    ch.last_build = feed_now();
    rc = feed_render(&ch, s->items, n, &xml, &len, s->why, sizeof s->why);
  }
  if (rc != AC_ERR_OK && rc != AC_ERR_NOMEM) {
    FAIL(s, rc, "%s", s->why);
  } else if (rc != AC_ERR_OK) {
    if (!xml && feed_url && language && path)
      FAIL(s, rc, "%s", s->why);
  } else if (same) {
    /* Unchanged: leave the file, its date and its mtime alone. */
    LOG(s, AC_LOG_DEBUG, "%s is up to date", path);
  } else if (rc == AC_ERR_OK &&
             (rc = feed_write_atomic(path, xml, len, s->why, sizeof s->why))) {
    FAIL(s, rc, "%s", s->why);
  } else if (rc == AC_ERR_OK) {
    CHECKPOINT(s, "feed written");
    LOG(s, AC_LOG_INFO, "%s: %zu episodes", path, n);
  }
  for (size_t i = 0; i < 6; i++)
    free(clean[i]);
  free(xml);
  free(old);
  free(path);
  free(feed_url);
  free(language);
  return rc;
}

/* ---- The stage ---------------------------------------------------------- */

/* Whether the episode of `slug` has a sidecar, so feed.xml lists it. */
static bool listed(site *s, const char *slug) {
  char *name = NULL, *path = NULL;
  size_t n = strlen(slug) + sizeof SIDECAR_SUFFIX;
  if ((name = malloc(n)) != NULL) {
    snprintf(name, n, "%s%s", slug, SIDECAR_SUFFIX);
    path = feed_path_join(s->episodes, name);
  }
  struct stat sb;
  bool found = !path || stat(path, &sb) == 0; /* out of memory: list it */
  free(name);
  free(path);
  return found;
}

static int run(site *s) {
  const ac_episode *ep = s->st->episode;
  int rc;
  if (s->opt->guid && !feed_is_uuid(s->opt->guid))
    return FAIL(s, AC_ERR_INVALID,
                "guid '%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-"
                "xxxxxxxxxxxx)",
                s->opt->guid);
  if ((rc = resolve_base(s)))
    return rc;
  /* Refuse a bad category before anything is written. */
  const char *unused1, *unused2;
  if (s->opt->category) {
    if ((rc = feed_category(s->opt->category, s->opt->subcategory, &unused1,
                            &unused2, s->why, sizeof s->why)))
      return FAIL(s, rc, "%s", s->why);
  } else {
    LOG(s, AC_LOG_WARN,
        "no [feed] category: listing the show under "
        "%s",
        DEFAULT_CATEGORY);
  }
  if (!(s->episodes = feed_path_join(s->dir, "episodes")))
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  struct stat sb;
  if (ep->doc) {
    int e = ac_mkdirs(s->episodes);
    if (e)
      return FAIL(s, AC_ERR_IO, "%s: cannot create: %s", s->episodes,
                  strerror(-e));
  } else if (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return FAIL(s, AC_ERR_NOTFOUND,
                "site folder %s does not exist: nothing to rebuild", s->dir);
  }
  if (!(s->real = realpath(s->dir, NULL)))
    return FAIL(s, AC_ERR_IO, "%s: %s", s->dir, strerror(errno));
  if ((rc = lock_site(s)))
    return rc;
  remove_stale_temps(s, s->dir, 0);
  remove_stale_temps(s, s->episodes, 1);
  if (ep->doc && s->opt->defer_new && !listed(s, ep->slug)) {
    /* A new episode: its sidecar now, feed.xml at the next rebuild. */
    if ((rc = publish_episode(s)) == AC_ERR_OK)
      LOG(s, AC_LOG_DEBUG, "%s: listed in feed.xml at the next rebuild",
          ep->slug);
    return rc;
  }
  char *image_url = NULL;
  if ((rc = resolve_cover(s, &image_url)))
    return rc;
  if ((rc = read_sidecars(s)) == AC_ERR_OK && ep->doc)
    rc = publish_episode(s);
  if (rc == AC_ERR_OK) {
    if (!ep->doc && s->n_items == 0)
      LOG(s, AC_LOG_WARN,
          "%s holds no episode sidecars: the feed lists no "
          "episodes",
          s->episodes);
    settle_items(s);
    rc = write_feed(s, image_url);
  }
  free(image_url);
  return rc;
}

static int feed_publish(ac_stage *st) {
  site s = {.st = st, .opt = st->priv, .lock_fd = -1};
  const ac_episode *ep = st->episode;
  if (!ep || !ep->site_dir || !*ep->site_dir)
    return st->host->fail(st, AC_ERR_INVALID, "no site folder to publish to");
  s.show = ep->show;
  s.dir = ep->site_dir;
  int rc = run(&s);
  if (s.lock_fd >= 0)
    close(s.lock_fd); /* releases the lock */
  for (size_t i = 0; i < s.n_items; i++) {
    feed_item_free(s.items[i]);
    free(s.items[i]);
  }
  free(s.items);
  free(s.real);
  free(s.episodes);
  free(s.base);
  return rc;
}

static const ac_plugin feed_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "feed",
    .version = FEED_VERSION,
    .description = "podcast feed: SITE/feed.xml (RSS 2.0, iTunes, Podcasting "
                   "2.0) from per-episode sidecars",
    .kind = AC_STAGE_PUBLISH,
    .priv_size = sizeof(feed_priv),
    .options = feed_options,
    .create = feed_create,
    .publish = feed_publish,
};

AC_PLUGIN_EXPORT(feed_plugin)
