/* `articast serve`: the site's episodes, listed from their feed sidecars
 * (SITE/episodes/<slug>.item.xml), and deleted (serve.h). */
#define _GNU_SOURCE /* asprintf */
#include "jobs_db.h"
#include "outputs.h"
#include "serve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The longest slug taken (ac_slugify makes at most 80 bytes, and a
 * "-N" to tell two articles of one title apart). */
#define MAX_SLUG 100

/* Whether `slug` has a slug's shape: [a-z0-9-], not empty. */
static bool valid_slug(const char *slug) {
  size_t n = strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-");
  return n > 0 && n <= MAX_SLUG && slug[n] == '\0';
}

static void add_url(json_t *to, const char *key, const char *base,
                    const char *rel) {
  char *u = NULL;
  if (asprintf(&u, "%s%s", base, rel) >= 0) {
    if (key)
      json_object_set_new(to, key, json_string(u));
    else
      json_array_append_new(to, json_string(u));
    free(u);
  }
}

/* An episode as JSON, from its sidecar's elements. */
static json_t *episode_json(xmlNode *root, const char *base_url) {
  json_t *ep = json_object(), *urls = json_array();
  for (xmlNode *n = root->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *name = (const char *)n->name;
    xmlChar *text = xmlNodeGetContent(n);
    const char *t = text ? (const char *)text : "";
    if (strcmp(name, "slug") == 0 || strcmp(name, "guid") == 0 ||
        strcmp(name, "title") == 0 || strcmp(name, "language") == 0 ||
        strcmp(name, "voice") == 0) {
      json_object_set_new(ep, name, json_string(t));
    } else if (strcmp(name, "date") == 0) {
      json_object_set_new(ep, "date", json_string(t));
    } else if (strcmp(name, "audio") == 0) {
      add_url(ep, "audio_url", base_url, t);
      add_url(urls, NULL, base_url, t);
      xmlChar *ms = xmlGetProp(n, BAD_CAST "duration-ms");
      if (ms)
        json_object_set_new(ep, "duration_seconds",
                            json_real(strtod((const char *)ms, NULL) / 1000));
      xmlFree(ms);
    } else if (strcmp(name, "file") == 0) {
      add_url(urls, NULL, base_url, t);
    }
    xmlFree(text);
  }
  json_object_set_new(ep, "urls", urls);
  return ep;
}

typedef struct listing {
  serve_ctx *ctx;
  char *episodes; /* SITE/episodes */
  json_t *items;
} listing;

static void list_one(void *p, const char *slug, const char *guid) {
  listing *l = p;
  (void)guid;
  char *path = NULL;
  if (!valid_slug(slug) ||
      asprintf(&path, "%s/%s.item.xml", l->episodes, slug) < 0)
    return;
  xmlDoc *doc = xmlReadFile(
      path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (root && strcmp((const char *)root->name, "articast-episode") == 0)
    json_array_append_new(l->items, episode_json(root, l->ctx->base_url));
  xmlFreeDoc(doc);
  free(path);
}

static int by_slug(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  const char *s = json_string_value(json_object_get(x, "slug"));
  const char *t = json_string_value(json_object_get(y, "slug"));
  return strcmp(s ? s : "", t ? t : "");
}

enum MHD_Result serve_list_episodes(serve_ctx *ctx, struct MHD_Connection *c) {
  listing l = {ctx, ac_path_join(ctx->site, "episodes"), json_array()};
  int e = l.episodes ? ac_outputs_owners(l.episodes, list_one, &l) : -ENOMEM;
  free(l.episodes);
  if (e) {
    json_decref(l.items);
    return serve_reply_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "cannot list the episodes: %s", strerror(-e));
  }
  size_t n = json_array_size(l.items);
  json_t **sorted = calloc(n ? n : 1, sizeof *sorted);
  for (size_t i = 0; sorted && i < n; i++)
    sorted[i] = json_incref(json_array_get(l.items, i));
  if (sorted)
    qsort(sorted, n, sizeof *sorted, by_slug);
  json_t *out = json_array();
  for (size_t i = 0; sorted && i < n; i++)
    json_array_append_new(out, sorted[i]);
  free(sorted);
  json_decref(l.items);
  json_t *o = json_pack("{s:o}", "episodes", out);
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  json_decref(o);
  return serve_reply_json(ctx, c, MHD_HTTP_OK, s);
}

/* Whether `name` in the episodes folder belongs to the episode `slug`:
 * its versions (<slug>.<version>.<ext>), its sidecar, its owner record and
 * hidden temporary files (.<slug>.*), all but the slug's lock. */
static bool episode_file(const char *name, const char *slug) {
  size_t k = strlen(slug);
  const char *rest = name;
  if (name[0] == '.')
    rest = name + 1;
  if (strncmp(rest, slug, k) != 0 || rest[k] != '.')
    return false;
  return strcmp(rest + k, ".lock") != 0;
}

/* Removes the episode's files; returns how many, or -errno. */
static int remove_files(const char *episodes, const char *slug) {
  int dfd = open(episodes, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    int e = errno;
    if (dfd >= 0)
      close(dfd);
    return -e;
  }
  int removed = 0, failed = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!episode_file(e->d_name, slug))
      continue;
    if (unlinkat(dfd, e->d_name, 0) == 0)
      removed++;
    else if (errno != ENOENT)
      failed = errno;
  }
  fsync(dfd);
  closedir(d);
  return failed ? -failed : removed;
}

/* Deletes under the slug's lock (no render of it meanwhile) and rebuilds
 * the feed, which takes the site's feed lock. */
static int delete_locked(serve_ctx *ctx, const char *episodes, const char *slug,
                         char *err, size_t errlen) {
  char *lock = NULL;
  if (asprintf(&lock, "%s/.%s.lock", episodes, slug) < 0) {
    snprintf(err, errlen, "out of memory");
    return 500;
  }
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  free(lock);
  while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR)
    ;
  if (fd < 0) {
    snprintf(err, errlen, "cannot lock the episode: %s", strerror(errno));
    return 500;
  }
  int status = 200;
  int n = remove_files(episodes, slug);
  if (n < 0) {
    snprintf(err, errlen, "cannot remove its files: %s", strerror(-n));
    status = 500;
  } else if (ac_run_feed(ctx->pl, err, errlen) != AC_EXIT_OK) {
    status = 500;
  }
  close(fd);
  return status;
}

enum MHD_Result serve_delete_episode(serve_ctx *ctx, struct MHD_Connection *c,
                                     const char *slug) {
  if (!valid_slug(slug))
    return serve_reply_error(ctx, c, MHD_HTTP_NOT_FOUND, "no such episode");
  char *episodes = ac_path_join(ctx->site, "episodes"), *owner = NULL;
  if (!episodes || asprintf(&owner, "%s/.%s.owner", episodes, slug) < 0) {
    free(episodes);
    return MHD_NO;
  }
  bool exists = access(owner, F_OK) == 0;
  free(owner);
  if (!exists) {
    free(episodes);
    return serve_reply_error(ctx, c, MHD_HTTP_NOT_FOUND, "no such episode");
  }
  char err[1024] = "";
  pthread_mutex_lock(&ctx->site_lock);
  int status = delete_locked(ctx, episodes, slug, err, sizeof err);
  pthread_mutex_unlock(&ctx->site_lock);
  free(episodes);
  if (status == 200) {
    char why[512];
    pthread_mutex_lock(&ctx->lock);
    if (ac_jobs_forget_slug(ctx->state, slug, why, sizeof why))
      ac_log(AC_LOG_WARN, "%s", why);
    pthread_mutex_unlock(&ctx->lock);
  }
  if (status != 200)
    return serve_reply_error(ctx, c, status, "deleting %s: %s", slug, err);
  json_t *o = json_pack("{s:s, s:b}", "slug", slug, "deleted", 1);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return serve_reply_json(ctx, c, MHD_HTTP_OK, s);
}
