/*
 * page: the listening page publisher (AC_STAGE_PUBLISH).
 *
 * Writes static files into SITE for people who read while they listen:
 *
 *   episodes/<slug>.html      the episode's page: the audio, the article
 *                             text with every WebVTT cue as an element
 *                             that knows its times, chapters, downloads
 *   episodes/<slug>.page.xml  the page's data (sidecar.c), from which
 *                             every page can be rebuilt
 *   index.html                the show, newest episode first
 *   assets/player.js, .css    the read-along script and the style, the
 *                             same for every page, compiled into the plugin
 *
 * Every publish writes the new episode's sidecar, reads all sidecars and
 * renders the pages and the index from them (an episode's neighbours link
 * to it), writing only the files whose bytes changed. With no document
 * (`articast feed`) only the rebuild runs. Publishers into one SITE take
 * turns on an flock()ed SITE/.page.lock; every file is replaced through a
 * temporary file, fsync and rename, so a reader sees a whole old page or a
 * whole new one.
 */
#include "page.h"

#include "outfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#define PAGE_VERSION "1.0"
#define LOCK_NAME ".page.lock"
#define MAX_READ (64u << 20)

typedef struct page_priv {
  int index;
  int max_line;
  int max_lines;
} page_priv;

static const ac_option page_options[] = {
    {"index", AC_OPT_BOOL, offsetof(page_priv, index), "true", 0, 0, NULL,
     "write SITE/index.html, every episode newest first (false: the site has "
     "a home page of its own)"},
    {"max_line", AC_OPT_INT, offsetof(page_priv, max_line), "65", 20, 200, NULL,
     "as transcript.max_line: the page shows each WebVTT cue as an element "
     "only when the two agree"},
    {"max_lines", AC_OPT_INT, offsetof(page_priv, max_lines), "2", 1, 4, NULL,
     "as transcript.max_lines"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL}};

/* What one publish works with. */
typedef struct site {
  ac_stage *st;
  const page_priv *opt;
  const char *dir; /* SITE as given */
  char *real;      /* its real path */
  char *episodes;  /* SITE/episodes */
  int lock_fd;
  pg_episode **eps; /* the sidecars read, and the new episode */
  size_t n_eps, cap_eps;
  size_t written, unchanged;
  char why[1024];
} site;

#define LOG(s, level, ...) (s)->st->host->log((s)->st, (level), __VA_ARGS__)
#define FAIL(s, code, ...) (s)->st->host->fail((s)->st, (code), __VA_ARGS__)

static int page_create(ac_stage *st) {
  (void)st;
  xmlInitParser();
  LIBXML_TEST_VERSION;
  return AC_ERR_OK;
}

/* ---- Files --------------------------------------------------------------- */

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s%s%s", a, a[0] && a[strlen(a) - 1] == '/' ? "" : "/", b);
  return p;
}

/* Reads a whole file (at most MAX_READ bytes); 0 or -errno. */
static int read_all(const char *path, char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || sb.st_size > MAX_READ) {
    int e = sb.st_size > MAX_READ ? EFBIG : errno;
    close(fd);
    return -e;
  }
  size_t cap = (size_t)sb.st_size + 1, n = 0;
  char *buf = malloc(cap);
  ssize_t r = 0;
  while (buf && n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    n += (size_t)r;
  }
  int e = !buf ? ENOMEM : r < 0 ? errno : 0;
  close(fd);
  if (e) {
    free(buf);
    return -e;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

/* Replaces `path` with data unless it holds those bytes already: a
 * temporary file beside it, fsync, rename. */
static int write_file(site *s, const char *path, const char *data, size_t len) {
  char *old = NULL;
  size_t old_len = 0;
  int same = read_all(path, &old, &old_len) == 0 && old_len == len &&
             memcmp(old, data, len) == 0;
  free(old);
  if (same) {
    s->unchanged++;
    return AC_ERR_OK;
  }
  outfile out;
  if (outfile_open_with(&out, path, "tmp", OUTFILE_PARENTS | OUTFILE_HIDDEN,
                        s->why, sizeof s->why) != 0)
    return FAIL(s, errno == ENOMEM ? AC_ERR_NOMEM : AC_ERR_IO, "%s", s->why);
  int rc = AC_ERR_OK;
  if (outfile_write(out.fd, data, len, -1) != 0)
    rc = FAIL(s, AC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  else if (outfile_commit(&out, s->why, sizeof s->why) != 0)
    rc = FAIL(s, AC_ERR_IO, "%s", s->why);
  outfile_discard(&out);
  if (rc == AC_ERR_OK) {
    s->written++;
    LOG(s, AC_LOG_DEBUG, "wrote %s", path);
  }
  return rc;
}

/* Holds SITE/.page.lock until the descriptor is closed; the kernel
 * releases an flock() when the process dies. */
static int lock_site(site *s) {
  char *path = join(s->dir, LOCK_NAME);
  if (!path)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int r = s->lock_fd < 0 ? -1 : 0, e = errno;
  while (r == 0 && (r = flock(s->lock_fd, LOCK_EX)) != 0 && errno == EINTR)
    r = 0;
  if (r != 0) {
    e = errno;
    int rc = FAIL(s, AC_ERR_IO, "%s: cannot lock: %s", path, strerror(e));
    free(path);
    return rc;
  }
  free(path);
  return AC_ERR_OK;
}

/* Whether `name` is a temporary file this stage leaves when killed
 * between writing and renaming (outfile's ".<name>.tmp-XXXXXX"). Only
 * lock holders write them, so under the lock none is in use. */
static int stale_temp(const char *name, const char *const *finals) {
  for (const char *const *f = finals; *f; f++) {
    const char *p = name[0] == '.' ? strstr(name + 1, *f) : NULL;
    if (p && strncmp(p + strlen(*f), ".tmp-", 5) == 0 &&
        (p == name + 1 || **f == '.'))
      return 1;
  }
  return 0;
}

static void remove_stale_temps(site *s, const char *dir,
                               const char *const *finals) {
  DIR *d = opendir(dir);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (!stale_temp(de->d_name, finals))
      continue;
    char *path = join(dir, de->d_name);
    if (path && unlink(path) == 0)
      LOG(s, AC_LOG_INFO, "removed %s, left by an interrupted publish", path);
    free(path);
  }
  if (d)
    closedir(d);
}

/* ---- Episodes ------------------------------------------------------------ */

static int add_episode(site *s, pg_episode *ep) {
  if (s->n_eps == s->cap_eps) {
    size_t cap = s->cap_eps ? 2 * s->cap_eps : 16;
    pg_episode **grown = realloc(s->eps, cap * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    s->eps = grown;
    s->cap_eps = cap;
  }
  s->eps[s->n_eps++] = ep;
  return AC_ERR_OK;
}

static void drop_episode(site *s, size_t i) {
  pg_episode_free(s->eps[i]);
  free(s->eps[i]);
  memmove(&s->eps[i], &s->eps[i + 1], (s->n_eps - i - 1) * sizeof *s->eps);
  s->n_eps--;
}

static int valid_slug(const char *slug, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(islower((unsigned char)slug[i]) || isdigit((unsigned char)slug[i]) ||
          slug[i] == '-'))
      return 0;
  return 1;
}

/* Reads one sidecar; a bad one is reported and left out. */
static int read_sidecar(site *s, const char *name) {
  size_t stem = strlen(name) - strlen(PG_SIDECAR_SUFFIX);
  char *path = join(s->episodes, name), *data = NULL;
  pg_episode *ep = calloc(1, sizeof *ep);
  size_t len = 0;
  int rc = !path || !ep ? AC_ERR_NOMEM : AC_ERR_OK, e;
  if (rc == AC_ERR_OK && (e = read_all(path, &data, &len)) != 0) {
    LOG(s, AC_LOG_WARN, "%s: skipped: %s", path, strerror(-e));
  } else if (rc == AC_ERR_OK) {
    rc = pg_sidecar_parse(data, len, path, ep, s->why, sizeof s->why);
    if (rc == AC_ERR_OK) {
      ep->slug = strndup(name, stem);
      rc = ep->slug ? add_episode(s, ep) : AC_ERR_NOMEM;
      if (rc == AC_ERR_OK)
        ep = NULL;
    } else if (rc != AC_ERR_NOMEM) {
      LOG(s, AC_LOG_WARN, "%s: skipped: %s", path, s->why);
      rc = AC_ERR_OK;
    }
  }
  pg_episode_free(ep);
  free(ep);
  free(data);
  free(path);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every SITE/episodes/<slug>.page.xml, in name order (readdir's order
 * differs between file systems). */
static int read_sidecars(site *s) {
  DIR *d = opendir(s->episodes);
  if (!d)
    return errno == ENOENT ? AC_ERR_OK
                           : FAIL(s, AC_ERR_IO, "%s: cannot list: %s",
                                  s->episodes, strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0, sl = strlen(PG_SIDECAR_SUFFIX);
  int rc = AC_ERR_OK;
  struct dirent *de;
  while (rc == AC_ERR_OK && (de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len <= sl || strcmp(de->d_name + len - sl, PG_SIDECAR_SUFFIX) != 0)
      continue;
    if (!valid_slug(de->d_name, len - sl))
      continue; /* not a name this stage writes (dot files, temporaries) */
    if (n == cap) {
      cap = cap ? 2 * cap : 32;
      char **grown = realloc(names, cap * sizeof *grown);
      if (!grown) {
        rc = AC_ERR_NOMEM;
        break;
      }
      names = grown;
    }
    if (!(names[n] = strdup(de->d_name)))
      rc = AC_ERR_NOMEM;
    else
      n++;
  }
  closedir(d);
  if (names)
    qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n && rc == AC_ERR_OK; i++)
    rc = read_sidecar(s, names[i]);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc ? FAIL(s, rc, "out of memory reading the page sidecars")
            : AC_ERR_OK;
}

static char *sidecar_path(site *s, const char *slug) {
  size_t n = strlen(slug) + sizeof PG_SIDECAR_SUFFIX;
  char *name = malloc(n), *path = NULL;
  if (name) {
    snprintf(name, n, "%s%s", slug, PG_SIDECAR_SUFFIX);
    path = join(s->episodes, name);
  }
  free(name);
  return path;
}

/* The new episode takes the place of its earlier page: the same slug, or
 * the same article (id or URL) under another slug, whose sidecar goes. An
 * undated article keeps the date it was first published with. */
static void replace_earlier(site *s, pg_episode *ep) {
  for (size_t i = 0; i < s->n_eps;) {
    pg_episode *old = s->eps[i];
    int same_slug = strcmp(old->slug, ep->slug) == 0;
    int same_key = ep->key && old->key && strcmp(old->key, ep->key) == 0;
    if (!same_slug && !same_key) {
      i++;
      continue;
    }
    if (!ep->dated && (same_key || (!ep->key && !old->key)))
      ep->published = old->published;
    if (!same_slug) {
      char *path = sidecar_path(s, old->slug);
      if (path && unlink(path) != 0 && errno != ENOENT)
        LOG(s, AC_LOG_WARN, "%s: cannot remove: %s", path, strerror(errno));
      LOG(s, AC_LOG_INFO,
          "%s replaces the page of %s (the same article); its old page "
          "stays in %s but is no longer listed",
          ep->slug, old->slug, s->episodes);
      free(path);
    }
    drop_episode(s, i);
  }
}

/* Builds the new episode's page data and writes its sidecar. */
static int publish_episode(site *s) {
  const ac_episode *ep = s->st->episode;
  if (!ep->slug || !valid_slug(ep->slug, strlen(ep->slug)))
    return FAIL(s, AC_ERR_INVALID, "episode slug '%s' is not a file name",
                ep->slug ? ep->slug : "(none)");
  pg_layout layout = {s->opt->max_line, s->opt->max_lines};
  pg_episode *page = calloc(1, sizeof *page);
  size_t overlaps = 0;
  if (!page)
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  int rc = pg_model_build(ep, s->real, &layout, page, &overlaps, s->why,
                          sizeof s->why);
  if (rc) {
    free(page);
    return FAIL(s, rc, "%s", s->why);
  }
  if (overlaps)
    LOG(s, AC_LOG_WARN, "%zu cue(s) overlap the text of the cue before",
        overlaps);
  for (size_t i = 0; i < ep->n_artifacts; i++) {
    const ac_artifact *a = &ep->artifacts[i];
    size_t bad = a->mime_type && strcmp(a->mime_type, "text/vtt") == 0
                     ? pg_model_vtt_mismatch(page, a->path)
                     : 0;
    if (bad)
      LOG(s, AC_LOG_WARN,
          "%zu cue(s) of the page differ from %s: set [page] max_line and "
          "max_lines to the transcript's",
          bad, a->path);
  }
  replace_earlier(s, page);
  char *xml = NULL, *path = sidecar_path(s, page->slug);
  size_t len = 0;
  if (!path || (rc = pg_sidecar_render(page, &xml, &len)))
    rc = FAIL(s, AC_ERR_NOMEM, "out of memory");
  else
    rc = write_file(s, path, xml, len);
  free(xml);
  free(path);
  if (rc == AC_ERR_OK && (rc = add_episode(s, page)) != AC_ERR_OK)
    rc = FAIL(s, rc, "out of memory");
  if (rc) {
    pg_episode_free(page);
    free(page);
  }
  return rc;
}

static int newest_first(const void *a, const void *b) {
  const pg_episode *x = *(pg_episode *const *)a, *y = *(pg_episode *const *)b;
  if (x->published != y->published)
    return x->published > y->published ? -1 : 1;
  return strcmp(x->slug, y->slug);
}

/* Leaves out episodes whose audio is gone, takes sizes from the files as
 * they are now, and sorts newest first. */
static void settle(site *s) {
  for (size_t i = 0; i < s->n_eps;) {
    pg_episode *ep = s->eps[i];
    char *path = join(s->real, ep->audio.href);
    struct stat sb;
    int gone = !path || stat(path, &sb) != 0;
    free(path);
    if (gone) {
      LOG(s, AC_LOG_WARN, "episode %s: its audio %s is gone; not listed",
          ep->slug, ep->audio.href);
      drop_episode(s, i);
      continue;
    }
    ep->audio.size = (uint64_t)sb.st_size;
    for (size_t k = 0; k < ep->n_files;) {
      char *side = join(s->real, ep->files[k].href);
      int missing = !side || stat(side, &sb) != 0;
      free(side);
      if (!missing) {
        ep->files[k++].size = (uint64_t)sb.st_size;
        continue;
      }
      free(ep->files[k].href);
      free(ep->files[k].type);
      memmove(&ep->files[k], &ep->files[k + 1],
              (ep->n_files - k - 1) * sizeof *ep->files);
      ep->n_files--;
    }
    i++;
  }
  if (s->n_eps > 1)
    qsort(s->eps, s->n_eps, sizeof *s->eps, newest_first);
}

/* ---- Writing the site ---------------------------------------------------- */

/* A short token that changes with the bytes of an asset (FNV-1a). */
static void version_of(const pg_asset *a, char out[9]) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < a->size; i++)
    h = (h ^ a->data[i]) * 16777619u;
  snprintf(out, 9, "%08x", (unsigned)h);
}

static int write_assets(site *s, pg_site *ps, char versions[][9]) {
  char *dir = join(s->dir, "assets");
  int rc = dir ? AC_ERR_OK : FAIL(s, AC_ERR_NOMEM, "out of memory");
  for (size_t i = 0; rc == AC_ERR_OK && i < pg_n_assets; i++) {
    const pg_asset *a = &pg_assets[i];
    char *path = join(dir, a->name);
    version_of(a, versions[i]);
    if (strcmp(a->name, "player.css") == 0)
      ps->css_version = versions[i];
    else if (strcmp(a->name, "player.js") == 0)
      ps->js_version = versions[i];
    rc = path ? write_file(s, path, (const char *)a->data, a->size)
              : FAIL(s, AC_ERR_NOMEM, "out of memory");
    free(path);
  }
  free(dir);
  return rc;
}

static int write_pages(site *s, const pg_site *ps) {
  ac_textbuf html = {0};
  int rc = AC_ERR_OK;
  for (size_t i = 0; i < s->n_eps && rc == AC_ERR_OK; i++) {
    const pg_episode *newer = i > 0 ? s->eps[i - 1] : NULL;
    const pg_episode *older = i + 1 < s->n_eps ? s->eps[i + 1] : NULL;
    html.len = 0;
    if (pg_render_episode(ps, s->eps[i], older, newer, &html) != AC_ERR_OK)
      return FAIL(s, AC_ERR_NOMEM, "out of memory");
    size_t n = strlen(s->eps[i]->slug) + 6;
    char *name = malloc(n), *path = NULL;
    if (name) {
      snprintf(name, n, "%s.html", s->eps[i]->slug);
      path = join(s->episodes, name);
    }
    rc = path ? write_file(s, path, html.data, html.len)
              : FAIL(s, AC_ERR_NOMEM, "out of memory");
    free(name);
    free(path);
  }
  ac_textbuf_free(&html);
  if (rc == AC_ERR_OK && s->opt->index) {
    ac_textbuf index = {0};
    char *path = join(s->dir, "index.html");
    if (!path || pg_render_index(ps, s->eps, s->n_eps, &index) != AC_ERR_OK)
      rc = FAIL(s, AC_ERR_NOMEM, "out of memory");
    else
      rc = write_file(s, path, index.data, index.len);
    free(path);
    ac_textbuf_free(&index);
  }
  return rc;
}

/* The show as the pages show it: fields cleaned, the feed's address when
 * the base URL is known. */
static int write_site(site *s) {
  const ac_show *show = s->st->episode->show;
  char *title = show ? pg_clean(show->title, (size_t)-1, 1) : NULL;
  char *description = show ? pg_clean(show->description, (size_t)-1, 1) : NULL;
  char *feed_url = NULL, *feed_path = join(s->dir, "feed.xml");
  const char *base = show ? show->base_url : NULL;
  if (pg_is_http_url(base))
    feed_url = join(base, "feed.xml");
  struct stat sb;
  pg_site ps = {
      .title = title && *title ? title : NULL,
      .language = show && pg_lang_valid(show->language) ? show->language : NULL,
      .description = description && *description ? description : NULL,
      .feed_url = feed_url,
      .has_feed = feed_path && stat(feed_path, &sb) == 0,
  };
  char versions[8][9];
  int rc = pg_n_assets <= 8 ? write_assets(s, &ps, versions)
                            : FAIL(s, AC_ERR_INVALID, "too many assets");
  /* Pages before the index, so the index never links to a page not yet
   * written. */
  if (rc == AC_ERR_OK)
    rc = write_pages(s, &ps);
  free(title);
  free(description);
  free(feed_url);
  free(feed_path);
  return rc;
}

/* ---- The stage ----------------------------------------------------------- */

static int run(site *s) {
  const ac_episode *ep = s->st->episode;
  if (!(s->episodes = join(s->dir, "episodes")))
    return FAIL(s, AC_ERR_NOMEM, "out of memory");
  struct stat sb;
  if (!ep->doc && (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
    return FAIL(s, AC_ERR_NOTFOUND,
                "site folder %s does not exist: nothing to rebuild", s->dir);
  if (ep->doc && mkdir(s->dir, 0777) != 0 && errno != EEXIST)
    return FAIL(s, AC_ERR_IO, "%s: cannot create: %s", s->dir, strerror(errno));
  if (!(s->real = realpath(s->dir, NULL)))
    return FAIL(s, AC_ERR_IO, "%s: %s", s->dir, strerror(errno));
  int rc = lock_site(s);
  if (rc)
    return rc;
  static const char *const site_temps[] = {"index.html", NULL};
  static const char *const asset_temps[] = {"player.js", "player.css", NULL};
  static const char *const episode_temps[] = {".html", PG_SIDECAR_SUFFIX, NULL};
  char *assets = join(s->dir, "assets");
  remove_stale_temps(s, s->dir, site_temps);
  if (assets)
    remove_stale_temps(s, assets, asset_temps);
  free(assets);
  remove_stale_temps(s, s->episodes, episode_temps);
  if ((rc = read_sidecars(s)) == AC_ERR_OK && ep->doc)
    rc = publish_episode(s);
  if (rc)
    return rc;
  if (!ep->doc && s->n_eps == 0)
    LOG(s, AC_LOG_WARN,
        "%s holds no page sidecars: the index lists no "
        "episodes (render the articles again to make their pages)",
        s->episodes);
  settle(s);
  if ((rc = write_site(s)) == AC_ERR_OK)
    LOG(s, AC_LOG_INFO,
        "%s: %zu episode pages; %zu files written, %zu "
        "unchanged",
        s->dir, s->n_eps, s->written, s->unchanged);
  return rc;
}

static int page_publish(ac_stage *st) {
  const ac_episode *ep = st->episode;
  if (!ep || !ep->site_dir || !*ep->site_dir)
    return st->host->fail(st, AC_ERR_INVALID, "no site folder to publish to");
  site s = {.st = st, .opt = st->priv, .dir = ep->site_dir, .lock_fd = -1};
  int rc = run(&s);
  if (s.lock_fd >= 0)
    close(s.lock_fd); /* releases the lock */
  for (size_t i = 0; i < s.n_eps; i++) {
    pg_episode_free(s.eps[i]);
    free(s.eps[i]);
  }
  free(s.eps);
  free(s.real);
  free(s.episodes);
  return rc;
}

static const ac_plugin page_plugin = {
    .abi_version = AC_ABI_VERSION,
    .struct_size = sizeof(ac_plugin),
    .name = "page",
    .version = PAGE_VERSION,
    .description = "listening pages: SITE/episodes/<slug>.html to read along "
                   "while listening, and SITE/index.html",
    .kind = AC_STAGE_PUBLISH,
    .priv_size = sizeof(page_priv),
    .options = page_options,
    .create = page_create,
    .publish = page_publish,
};

AC_PLUGIN_EXPORT(page_plugin)
