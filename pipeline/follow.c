/* One round of `articast follow` (follow.h): each source read (conditional
 * GET), each of its articles checked (its page, conditionally too), and
 * what is new or changed, by the text that would be spoken, queued for a
 * render. */
#define _GNU_SOURCE /* asprintf, strcasestr */
#include "follow.h"
#include "date.h"
#include "outputs.h"
#include "strbuf.h"
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

/* The queue is rendered when it holds this many articles or bytes. */
#define QUEUE_ARTICLES 32
#define QUEUE_BYTES ((size_t)64 << 20)
/* A guid longer than this is kept as a UUID of it. */
#define MAX_GUID 500

#define FEED_ACCEPT                                                            \
  "application/rss+xml, application/atom+xml, application/feed+json, "         \
  "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
#define PAGE_ACCEPT "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

int64_t fw_now(void) {
  return (int64_t)time(NULL);
}

int64_t fw_now_dating(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  char *end;
  if (sde && *sde) {
    long long v = strtoll(sde, &end, 10);
    if (*end == '\0' && v > 0)
      return (int64_t)v;
  }
  return fw_now();
}

int64_t fw_backoff(int failures) {
  int64_t delay = 300; /* 5 minutes, doubling up to 6 hours */
  for (int i = 1; i < failures && delay < 21600; i++)
    delay *= 2;
  return delay > 21600 ? 21600 : delay;
}

void fw_iso_date(int64_t t, char out[32]) {
  ac_date d;
  ac_date_from_unix(t, &d);
  ac_date_format_iso(&d, out, 32);
}

void fw_note_failure(fw_run *run, int exit_code) {
  if (exit_code && !run->exit_code)
    run->exit_code = exit_code;
}

/* "12:35 UTC" or "2024-06-03 12:35 UTC", for messages. */
static void when(int64_t t, char *out, size_t len) {
  ac_date d;
  ac_date_from_unix(t, &d);
  if (t - fw_now() < 20 * 3600)
    snprintf(out, len, "%02d:%02d UTC", d.hour, d.minute);
  else
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d UTC", d.year, d.month, d.day,
             d.hour, d.minute);
}

/* ---- Text of an article --------------------------------------------------
 */

/* What an article's text is read from. */
typedef struct fw_text {
  char *input; /* its URL or file */
  char *bytes; /* NULL: read `input` */
  size_t len;
  char *etag, *last_modified; /* validators of what was read */
  bool unchanged;             /* the validators say so */
  bool gone;                  /* the page answers 404 or 410 */
} fw_text;

static void text_free(fw_text *t) {
  free(t->input);
  free(t->bytes);
  free(t->etag);
  free(t->last_modified);
  memset(t, 0, sizeof *t);
}

static void add_escaped(ac_strbuf *b, const char *s) {
  for (; s && *s; s++) {
    if (*s == '<')
      ac_strbuf_adds(b, "&lt;");
    else if (*s == '>')
      ac_strbuf_adds(b, "&gt;");
    else if (*s == '&')
      ac_strbuf_adds(b, "&amp;");
    else if (*s == '"')
      ac_strbuf_adds(b, "&quot;");
    else
      ac_strbuf_addc(b, *s);
  }
}

/* A feed's content (HTML) as a page the HTML source stage reads. */
static char *wrap_content(const ac_item *it, size_t *len) {
  ac_strbuf b = {0};
  ac_strbuf_adds(&b, "<!DOCTYPE html>\n<html");
  if (it->language) {
    ac_strbuf_adds(&b, " lang=\"");
    add_escaped(&b, it->language);
    ac_strbuf_adds(&b, "\"");
  }
  ac_strbuf_adds(&b, "><head><meta charset=\"utf-8\"><title>");
  add_escaped(&b, it->title);
  ac_strbuf_adds(&b, "</title></head><body><article>\n");
  ac_strbuf_adds(&b, it->content);
  ac_strbuf_adds(&b, "\n</article></body></html>\n");
  char *out = ac_strbuf_take(&b);
  *len = out ? strlen(out) : 0;
  return out;
}

/* The charset a Content-Type header names, lowercased, or "". */
static void header_charset(const char *ct, char *out, size_t len) {
  out[0] = '\0';
  const char *p = ct ? strcasestr(ct, "charset=") : NULL;
  if (!p)
    return;
  p += 8;
  if (*p == '"' || *p == '\'')
    p++;
  size_t n = 0;
  while (p[n] && p[n] != '"' && p[n] != '\'' && p[n] != ';' &&
         !isspace((unsigned char)p[n]) && n + 1 < len) {
    out[n] = (char)tolower((unsigned char)p[n]);
    n++;
  }
  out[n] = '\0';
}

/* A page's bytes for the HTML source stage, which reads the charset from
 * the bytes (a BOM, then <meta charset>) but never sees the HTTP header:
 * a charset the header gives wins (as in a browser), so the page is
 * converted to UTF-8 and marked with a BOM. */
static char *page_bytes(const ac_fetch_result *res, size_t *len) {
  char cs[64];
  header_charset(res->content_type, cs, sizeof cs);
  const unsigned char *u = (const unsigned char *)res->body;
  bool bom = res->len >= 2 &&
             ((u[0] == 0xEF && u[1] == 0xBB) ||
              (u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
  char *out = NULL;
  size_t n = 0;
  if (cs[0] && !bom) {
    bool utf8 = strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0;
    iconv_t cd = utf8 ? (iconv_t)-1 : iconv_open("UTF-8", cs);
    size_t cap = utf8 ? res->len + 4 : res->len * 4 + 4;
    out = (utf8 || cd != (iconv_t)-1) ? malloc(cap) : NULL;
    if (out) {
      memcpy(out, "\xEF\xBB\xBF", 3);
      if (utf8) {
        memcpy(out + 3, res->body, res->len);
        n = res->len + 3;
      } else {
        char *in = res->body, *to = out + 3;
        size_t in_left = res->len, out_left = cap - 4;
        if (iconv(cd, &in, &in_left, &to, &out_left) == (size_t)-1) {
          free(out);
          out = NULL; /* not that charset after all: the bytes decide */
        } else {
          n = (size_t)(to - out);
        }
      }
    }
    if (cd != (iconv_t)-1)
      iconv_close(cd);
  }
  if (!out) {
    out = malloc(res->len + 1);
    if (out)
      memcpy(out, res->body, res->len);
    n = res->len;
  }
  if (out)
    out[n] = '\0';
  *len = n;
  return out;
}

/* Whether a Content-Type is something the source stages read. */
static bool readable_type(const char *ct) {
  return !ct || strncasecmp(ct, "text/", 5) == 0 ||
         strncasecmp(ct, "application/xhtml", 17) == 0 ||
         strncasecmp(ct, "application/xml", 15) == 0;
}

/* Fetches an article's page; conditionally when its episode holds what the
 * validators describe (or the page was found to be no article). */
static int fetch_page(fw_run *run, const ac_item *it, const fw_article *a,
                      fw_text *t, char *err, size_t errlen) {
  bool conditional = (a->content_hash && strcmp(a->status, "published") == 0) ||
                     strcmp(a->status, "ignored") == 0;
  ac_fetch_request req = {.url = it->link,
                          .etag = conditional ? a->etag : NULL,
                          .last_modified =
                              conditional ? a->last_modified : NULL,
                          .accept = PAGE_ACCEPT,
                          .robots = true};
  ac_fetch_result res;
  int rc = ac_fetch(run->fetcher, &req, &res, err, errlen);
  t->input = strdup(it->link);
  if (rc == AC_ERR_NOTFOUND) {
    t->gone = true;
    rc = 0;
  } else if (rc == 0 && res.status == 304) {
    t->unchanged = true;
  } else if (rc == 0 && !readable_type(res.content_type)) {
    snprintf(err, errlen, "the page is %s, not a web page", res.content_type);
    rc = AC_ERR_UNSUPPORTED;
  } else if (rc == 0) {
    t->bytes = page_bytes(&res, &t->len);
    t->etag = res.etag ? strdup(res.etag) : NULL;
    t->last_modified = res.last_modified ? strdup(res.last_modified) : NULL;
    if (!t->bytes) {
      snprintf(err, errlen, "out of memory");
      rc = AC_ERR_NOMEM;
    }
  }
  ac_fetch_result_free(&res);
  return rc;
}

/* Where the article's text is: the feed's content, its page, its file. */
static int obtain_text(fw_run *run, const fw_source *src, const ac_item *it,
                       const fw_article *a, fw_text *t, char *err,
                       size_t errlen) {
  memset(t, 0, sizeof *t);
  if (it->content) {
    t->bytes = wrap_content(it, &t->len);
    t->input = strdup(it->link ? it->link : src->location);
    return t->bytes && t->input ? 0 : AC_ERR_NOMEM;
  }
  if (it->link)
    return fetch_page(run, it, a, t, err, errlen);
  if (it->path) {
    t->input = strdup(it->path);
    t->etag = it->validator ? strdup(it->validator) : NULL;
    t->unchanged = a->content_hash && a->etag && it->validator &&
                   strcmp(a->status, "published") == 0 &&
                   strcmp(a->etag, it->validator) == 0;
    return t->input ? 0 : AC_ERR_NOMEM;
  }
  snprintf(err, errlen, "the source gives neither its text nor a link to it");
  return AC_ERR_FORMAT;
}

/* ---- The document --------------------------------------------------------
 */

/* The source stages and text stages over the article, as its render will
 * run them. */
static int read_document(fw_run *run, const fw_text *t, const ac_document *meta,
                         ac_document **doc, char *err, size_t errlen) {
  ac_pipeline *pl = run->pl;
  pl->input_bytes = t->bytes;
  pl->input_len = t->len;
  pl->metadata = meta;
  int rc = ac_run_text(pl, t->input, NULL, doc, err, errlen);
  pl->input_bytes = NULL;
  pl->input_len = 0;
  pl->metadata = NULL;
  return rc;
}

static void hash_field(struct sha256_ctx *sha, const char *s) {
  sha256_update(sha, s ? strlen(s) + 1 : 1, (const uint8_t *)(s ? s : ""));
}

/* What decides whether an episode changed: the text as it would be spoken
 * and as the transcripts show it, block by block, and what the feed says
 * of the article. SHA-256, in hex. */
static char *document_hash(const ac_document *doc) {
  struct sha256_ctx sha;
  sha256_init(&sha);
  const char *fields[] = {doc->title,   doc->author, doc->date, doc->language,
                          doc->summary, doc->image,  doc->url};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    hash_field(&sha, fields[i]);
  for (size_t i = 0; i < doc->n_blocks; i++) {
    const ac_block *b = &doc->blocks[i];
    if (b->kind == AC_BLOCK_BOILERPLATE)
      continue;
    char head[32];
    snprintf(head, sizeof head, "%d:%d", (int)b->kind, b->level);
    hash_field(&sha, head);
    hash_field(&sha, b->lang);
    hash_field(&sha, b->text);
    hash_field(&sha, b->written);
  }
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha, sizeof digest, digest);
  char *hex = malloc(2 * SHA256_DIGEST_SIZE + 1);
  for (size_t i = 0; hex && i < SHA256_DIGEST_SIZE; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

static void meta_free(ac_document *m) {
  char **fields[] = {&m->title,   &m->author, &m->date, &m->language,
                     &m->summary, &m->image,  &m->url,  &m->id};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    free(*fields[i]);
    *fields[i] = NULL;
  }
}

/* What the source says of the article, over what its page says. */
static int item_meta(const ac_item *it, const fw_article *a, ac_document *m) {
  memset(m, 0, sizeof *m);
  char date[32] = "";
  if (a->dated_by && strcmp(a->dated_by, "first-seen") == 0 && a->pub_date)
    fw_iso_date(a->pub_date, date);
  else if (it->date)
    fw_iso_date(it->date, date);
  const char *values[] = {it->title,    it->author,  date[0] ? date : NULL,
                          it->language, it->summary, it->image,
                          it->link,     a->guid};
  char **fields[] = {&m->title,   &m->author, &m->date, &m->language,
                     &m->summary, &m->image,  &m->url,  &m->id};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (values[i] && !(*fields[i] = strdup(values[i]))) {
      meta_free(m);
      return AC_ERR_NOMEM;
    }
  return 0;
}

/* ---- Identity --------------------------------------------------------------
 */

/* Whether s starts with a URI scheme ("https:", "tag:", "urn:"). */
static bool has_scheme(const char *s) {
  size_t n = 0;
  while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
         s[n] == '.')
    n++;
  return n > 1 && isalpha((unsigned char)s[0]) && s[n] == ':';
}

/* The episode's guid, fixed at the article's first reading: the entry's
 * guid (one that is not a URI is made the feed's own: "FEED-URL#guid",
 * the feed's URL after redirects), else its link, else what the article
 * says (its id or URL), else a UUID of its first title and date (doc NULL:
 * not read yet, so NULL). One too long or with control characters is
 * kept as a UUID of it. */
static char *article_guid(const char *feed_url, const ac_item *it,
                          const ac_document *doc) {
  char *g = NULL;
  if (it->guid && !has_scheme(it->guid)) {
    if (asprintf(&g, "%s#%s", feed_url, it->guid) < 0)
      g = NULL;
  } else if (it->guid || it->link) {
    g = strdup(it->guid ? it->guid : it->link);
  } else if (doc) {
    g = ac_article_guid(doc);
  }
  bool odd = g && strlen(g) > MAX_GUID;
  for (const char *c = g; c && *c && !odd; c++)
    odd = (unsigned char)*c < 0x20 || *c == 0x7F;
  if (odd) {
    char *u = malloc(46);
    if (u) {
      memcpy(u, "urn:uuid:", 9);
      ac_uuid5(g, strlen(g), u + 9);
    }
    free(g);
    g = u;
  }
  return g;
}

static void remember_owner(void *ctx, const char *slug, const char *guid) {
  fw_run *run = ctx;
  fw_owner *grown =
      realloc(run->owners, (run->n_owners + 1) * sizeof *run->owners);
  if (!grown)
    return;
  run->owners = grown;
  grown[run->n_owners].slug = strdup(slug);
  grown[run->n_owners].guid = strdup(guid);
  if (grown[run->n_owners].slug && grown[run->n_owners].guid)
    run->n_owners++;
}

/* Who owns `slug` in the site: a guid, or NULL. */
static const char *owner_of(fw_run *run, const char *slug) {
  for (size_t i = 0; i < run->n_owners; i++)
    if (strcmp(run->owners[i].slug, slug) == 0)
      return run->owners[i].guid;
  return NULL;
}

/* The slug of a new article: the one it already owns in the site (an
 * episode rendered before the state knew it), else the first free one of
 * its title's ("title", "title-2", ...) that neither the state nor the
 * site gives another article. */
static char *choose_slug(fw_run *run, const fw_article *a, const char *guid,
                         const char *title) {
  if (!run->owners_read) {
    ac_outputs_owners(run->episodes, remember_owner, run);
    run->owners_read = true;
  }
  const char *owned = NULL;
  for (size_t i = 0; i < run->n_owners; i++)
    if (strcmp(run->owners[i].guid, guid) == 0 &&
        (!owned || strcmp(run->owners[i].slug, owned) < 0) &&
        !fw_slug_taken(run->state, run->owners[i].slug, a->id))
      owned = run->owners[i].slug;
  if (owned)
    return strdup(owned);
  char *base = ac_slugify(title);
  for (int n = 1; base && n <= 1000; n++) {
    char *cand = NULL;
    if (n == 1 ? !(cand = strdup(base)) : asprintf(&cand, "%s-%d", base, n) < 0)
      break;
    const char *holder = owner_of(run, cand);
    if (!fw_slug_taken(run->state, cand, a->id) &&
        (!holder || strcmp(holder, guid) == 0)) {
      remember_owner(run, cand, guid);
      free(base);
      return cand;
    }
    free(cand);
  }
  free(base);
  return NULL;
}

/* ---- One article -----------------------------------------------------------
 */

/* What a round knows of the source it is in. */
typedef struct fw_source_round {
  fw_source src;
  const char *feed_url; /* what an entry's own guid belongs to */
  bool sitemap;         /* its pages are not all articles */
  int64_t newest;       /* the newest date it gives an article */
  int fresh, changed, unchanged, failed, gone, ignored;
} fw_source_round;

static int save(fw_run *run, const fw_article *a) {
  char err[512];
  int rc = fw_article_save(run->state, a, err, sizeof err);
  if (rc)
    fprintf(stderr, "articast: %s\n", err);
  return rc;
}

/* Records a failed attempt, with its back-off. */
static void article_failed(fw_run *run, fw_source_round *sr, fw_article *a,
                           const char *label, const char *why, int code) {
  fprintf(stderr, "articast: %s: %s: %s\n", sr->src.location, label, why);
  free(a->status);
  a->status = strdup("failed");
  a->attempts++;
  free(a->last_error);
  a->last_error = strdup(why);
  int64_t wait = fw_backoff(a->attempts);
  if (ac_fetcher_retry_after(run->fetcher) > wait)
    wait = ac_fetcher_retry_after(run->fetcher); /* the server's Retry-After */
  a->retry_after = fw_now() + wait;
  save(run, a);
  sr->failed++;
  run->failed++;
  fw_note_failure(run, code);
}

static void set_str(char **field, const char *value) {
  char *copy = value ? strdup(value) : NULL;
  free(*field);
  *field = copy;
}

/* The date of an article that gives none, fixed the first time it is read:
 * what the source says of when it touched it (sitemap lastmod, the file's
 * modification time, the page's Last-Modified), else when it was first
 * seen; never later than the newest article the source dates, so that it
 * cannot make a later article look old (gPodder takes an episode dated a
 * week before its newest one for an old one). */
static int64_t undated_date(const fw_source_round *sr, const ac_item *it,
                            const fw_article *a, const fw_text *t) {
  int64_t d = it->hint;
  if (!d && t->last_modified)
    d = ac_parse_feed_date(t->last_modified);
  if (!d || d > a->first_seen)
    d = a->first_seen;
  if (sr->newest && d > sr->newest)
    d = sr->newest;
  return d;
}

/* Gives the article `guid` (taken over), unless another article has it:
 * then this one is a duplicate, recorded as such, and false is returned. */
static bool take_guid(fw_run *run, fw_article *a, char *guid) {
  int64_t holder = fw_guid_holder(run->state, guid, a->id);
  if (!holder) {
    if (a->guid != guid)
      free(a->guid);
    a->guid = guid;
    return true;
  }
  fw_article other;
  char err[256];
  bool found =
      fw_article_by_id(run->state, holder, &other, err, sizeof err) == 0;
  set_str(&a->status, "duplicate");
  free(a->last_error);
  if (asprintf(&a->last_error, "the same article as %s",
               found && other.slug ? other.slug : guid) < 0)
    a->last_error = NULL;
  if (found)
    fw_article_free(&other);
  save(run, a);
  if (a->guid != guid)
    free(guid);
  return false;
}

/* Fixes the article's identity at its first reading. Returns false (after
 * recording why) for a duplicate or a failure. */
static bool first_reading(fw_run *run, fw_source_round *sr, fw_article *a,
                          const ac_item *it, const ac_document *doc,
                          const char *label) {
  char *guid = a->guid ? a->guid : article_guid(sr->feed_url, it, doc);
  if (!guid) {
    article_failed(run, sr, a, label, "out of memory", AC_EXIT_FAILURE);
    return false;
  }
  if (!take_guid(run, a, guid))
    return false;
  char *slug = choose_slug(run, a, a->guid, doc->title);
  if (!slug) {
    article_failed(run, sr, a, label, "no free slug for its title",
                   AC_EXIT_OUTPUT);
    return false;
  }
  a->slug = slug;
  set_str(&a->first_title, doc->title);
  return true;
}

/* Reads the document, fixing identity and date on a first reading. */
static int read_article(fw_run *run, fw_source_round *sr, fw_article *a,
                        const ac_item *it, const fw_text *t, ac_document *meta,
                        ac_document **doc, const char *label) {
  char err[2048];
  int rc = read_document(run, t, meta, doc, err, sizeof err);
  if (rc) {
    article_failed(run, sr, a, label, err, rc);
    return rc;
  }
  if (!a->slug && !first_reading(run, sr, a, it, *doc, label))
    return AC_EXIT_FAILURE;
  if (meta->id == NULL && !(meta->id = strdup(a->guid)))
    return AC_EXIT_FAILURE;
  ac_date d;
  bool first_seen = a->dated_by && strcmp(a->dated_by, "first-seen") == 0;
  bool dated = true;
  if (meta->date) {
    /* The source's date, or the one fixed for an undated article. */
    a->pub_date = ac_parse_feed_date(meta->date);
    set_str(&a->dated_by, first_seen ? "first-seen" : "source");
  } else if ((*doc)->date && ac_date_parse_iso((*doc)->date, &d) == 0) {
    a->pub_date = ac_date_to_unix(&d);
    set_str(&a->dated_by, "page");
  } else {
    dated = false;
  }
  if (!dated) {
    /* Undated: dated once, and read again with that date. */
    a->pub_date = undated_date(sr, it, a, t);
    set_str(&a->dated_by, "first-seen");
    char date[32];
    fw_iso_date(a->pub_date, date);
    set_str(&meta->date, date);
    ac_document_free(*doc);
    *doc = NULL;
    if ((rc = read_document(run, t, meta, doc, err, sizeof err))) {
      article_failed(run, sr, a, label, err, rc);
      return rc;
    }
  }
  return 0;
}

/* Queues the article's render. */
static int queue(fw_run *run, fw_article *a, fw_text *t, ac_document *meta,
                 char *hash, const char *label) {
  if (run->n_jobs == run->cap_jobs) {
    size_t cap = run->cap_jobs ? run->cap_jobs * 2 : 16;
    fw_job *grown = realloc(run->jobs, cap * sizeof *grown);
    if (!grown)
      return AC_ERR_NOMEM;
    run->jobs = grown;
    run->cap_jobs = cap;
  }
  fw_job *j = &run->jobs[run->n_jobs++];
  *j = (fw_job){.article_id = a->id,
                .input = t->input,
                .bytes = t->bytes,
                .len = t->len,
                .meta = *meta,
                .slug = strdup(a->slug),
                .hash = hash,
                .etag = t->etag,
                .last_modified = t->last_modified,
                .label = strdup(label),
                .is_new = a->content_hash == NULL};
  run->job_bytes += t->len;
  memset(t, 0, sizeof *t);
  memset(meta, 0, sizeof *meta);
  return 0;
}

/* The article, once read: unchanged, or queued. */
static void decide(fw_run *run, fw_source_round *sr, fw_article *a, fw_text *t,
                   ac_document *meta, const ac_document *doc,
                   const char *label) {
  char *hash = document_hash(doc);
  set_str(&a->title, doc->title);
  set_str(&a->url, doc->url);
  if (hash && a->content_hash && strcmp(hash, a->content_hash) == 0) {
    /* The episode says this already. The page may have changed around the
     * article (comments, menus): keep its new validators, so the next run
     * is answered 304. */
    set_str(&a->etag, t->etag);
    set_str(&a->last_modified, t->last_modified);
    set_str(&a->status, "published");
    a->attempts = 0;
    set_str(&a->last_error, NULL);
    a->retry_after = 0;
    save(run, a);
    sr->unchanged++;
    free(hash);
    return;
  }
  bool undated = a->dated_by && strcmp(a->dated_by, "first-seen") == 0;
  if (sr->sitemap && undated && !a->content_hash) {
    /* A sitemap lists every page: one that gives no date is taken for a
     * page that is no article (a home, about or tag page). */
    set_str(&a->status, "ignored");
    set_str(&a->last_error, "no date: taken for a page that is no article");
    set_str(&a->etag, t->etag);
    set_str(&a->last_modified, t->last_modified);
    save(run, a);
    sr->ignored++;
    free(hash);
    return;
  }
  if (run->opt->since && a->pub_date && a->pub_date < run->opt->since &&
      !a->content_hash) {
    save(run, a); /* older than --since: left out */
    free(hash);
    return;
  }
  if (!hash || save(run, a) || queue(run, a, t, meta, hash, label)) {
    free(hash);
    fw_note_failure(run, AC_EXIT_FAILURE);
    return;
  }
  if (a->content_hash)
    sr->changed++;
  else {
    sr->fresh++;
    if (run->new_left > 0)
      run->new_left--;
  }
}

/* Checks one item of the listing. */
static void check_item(fw_run *run, fw_source_round *sr, const ac_item *it) {
  fw_article a;
  char err[2048];
  if (fw_article_get(run->state, sr->src.id, it->key, &a, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    fw_note_failure(run, AC_EXIT_OUTPUT);
    return;
  }
  const char *label = it->title ? it->title : it->key;
  bool waits = strcmp(a.status, "failed") == 0 && a.retry_after > fw_now() &&
               !run->opt->retry;
  bool skip = strcmp(a.status, "duplicate") == 0 || waits ||
              (!a.content_hash && run->new_left == 0) ||
              (run->opt->since && !a.content_hash &&
               ((a.pub_date && a.pub_date < run->opt->since) ||
                (it->date && it->date < run->opt->since)));
  if (skip) {
    run->waiting += waits || (!a.content_hash && run->new_left == 0);
    fw_article_free(&a);
    return;
  }
  /* An entry's own guid or link is its identity: a duplicate (another
   * feed listing the same article) is known before its page is asked. */
  if (!a.guid && (it->guid || it->link)) {
    char *guid = article_guid(sr->feed_url, it, NULL);
    if (!guid || !take_guid(run, &a, guid)) {
      fw_article_free(&a);
      return;
    }
  }
  fw_text t;
  ac_document meta;
  ac_document *doc = NULL;
  int rc = obtain_text(run, &sr->src, it, &a, &t, err, sizeof err);
  if (rc) {
    article_failed(run, sr, &a, label, err,
                   rc == AC_ERR_NOMEM ? AC_EXIT_FAILURE : AC_EXIT_INPUT);
  } else if (t.gone) {
    if (strcmp(a.status, "gone") != 0 && !run->opt->quiet)
      printf("%s: gone: %s (%s); its episode stays in the feed\n",
             sr->src.location, label, err);
    set_str(&a.status, "gone");
    save(run, &a);
    sr->gone++;
  } else if (t.unchanged) {
    sr->unchanged++;
  } else if ((rc = item_meta(it, &a, &meta)) != 0) {
    fw_note_failure(run, AC_EXIT_FAILURE);
  } else {
    if (read_article(run, sr, &a, it, &t, &meta, &doc, label) == 0)
      decide(run, sr, &a, &t, &meta, doc, label);
    meta_free(&meta);
  }
  ac_document_free(doc);
  text_free(&t);
  fw_article_free(&a);
}

/* ---- One source ------------------------------------------------------------
 */

/* Reads a file source: skipped (its validator unchanged) or parsed. */
static int read_file_source(fw_run *run, fw_source_round *sr, ac_listing *l,
                            char **validator, bool *unchanged, char *err,
                            size_t errlen) {
  struct stat sb;
  const char *path = sr->src.location;
  if (stat(path, &sb) != 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    return AC_ERR_NOTFOUND;
  }
  if (S_ISDIR(sb.st_mode))
    return ac_listing_scan_folder(path, l, err, errlen);
  if (asprintf(validator, "%lld:%lld.%09ld", (long long)sb.st_size,
               (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec) < 0)
    return AC_ERR_NOMEM;
  if (sr->src.etag && strcmp(sr->src.etag, *validator) == 0 &&
      !fw_source_owes_text(run->state, sr->src.id)) {
    *unchanged = true;
    return 0;
  }
  char *data = NULL;
  size_t len = 0;
  int e = ac_read_file(path, run->pl->max_input_bytes, &data, &len);
  if (e) {
    snprintf(err, errlen, "%s",
             e == -EFBIG ? "larger than the input limit (see --max-input)"
                         : strerror(-e));
    return e == -EFBIG ? AC_ERR_LIMIT : AC_ERR_IO;
  }
  char *url = NULL;
  if (asprintf(&url, "file://%s", path) < 0)
    url = NULL;
  int rc = ac_listing_parse(data, len, url, l, err, errlen);
  free(url);
  free(data);
  return rc;
}

/* Fetches and parses a listing at `url`; a page leads to the first feed it
 * links to, a sitemap index to its sitemaps. `depth` bounds the hops. */
static int read_url_source(fw_run *run, const char *url, const fw_source *src,
                           int depth, ac_listing *l, char **etag, char **lm,
                           bool *unchanged, char *err, size_t errlen) {
  bool conditional = src && !fw_source_owes_text(run->state, src->id);
  ac_fetch_request req = {.url = url,
                          .etag = conditional ? src->etag : NULL,
                          .last_modified =
                              conditional ? src->last_modified : NULL,
                          .accept = FEED_ACCEPT};
  ac_fetch_result res;
  int rc = ac_fetch(run->fetcher, &req, &res, err, errlen);
  if (rc == 0 && res.status == 304) {
    *unchanged = true;
  } else if (rc == 0) {
    rc = ac_listing_parse(res.body, res.len, res.final_url, l, err, errlen);
    if (rc == 0 && etag && l->kind != AC_SOURCE_HTML) {
      *etag = res.etag ? strdup(res.etag) : NULL;
      *lm = res.last_modified ? strdup(res.last_modified) : NULL;
    }
  }
  ac_fetch_result_free(&res);
  if (rc || *unchanged || depth >= 2 || l->n_links == 0)
    return rc;
  /* The page's feed, or the index's sitemaps, one after another. */
  ac_listing parent = *l;
  memset(l, 0, sizeof *l);
  size_t n = parent.kind == AC_SOURCE_HTML ? 1 : parent.n_links;
  bool complete = true;
  for (size_t i = 0; i < n && rc == 0; i++) {
    ac_listing part;
    bool ignored = false;
    char why[512];
    int prc = read_url_source(run, parent.links[i], NULL, depth + 1, &part,
                              NULL, NULL, &ignored, why, sizeof why);
    if (prc) {
      complete = false;
      if (parent.kind == AC_SOURCE_HTML) {
        snprintf(err, errlen, "its feed %s: %s", parent.links[i], why);
        rc = prc;
      } else {
        fprintf(stderr, "articast: %s: %s\n", parent.links[i], why);
      }
      continue;
    }
    if (i == 0) {
      l->kind = part.kind;
      l->url = part.url;
      part.url = NULL;
    }
    for (size_t k = 0; k < part.n_items; k++) {
      ac_item *it = NULL;
      if (l->n_items == l->cap_items) {
        size_t cap = l->cap_items ? l->cap_items * 2 : 64;
        ac_item *grown = realloc(l->items, cap * sizeof *grown);
        if (grown) {
          l->items = grown;
          l->cap_items = cap;
        }
      }
      if (l->n_items < l->cap_items) {
        it = &l->items[l->n_items++];
        *it = part.items[k];
        memset(&part.items[k], 0, sizeof part.items[k]);
      }
    }
    l->complete = part.complete && complete;
    if (!l->title && part.title)
      l->title = strdup(part.title);
    ac_listing_free(&part);
  }
  l->complete = l->complete && complete;
  ac_listing_free(&parent);
  return rc;
}

/* The source's listing: read, or known (unchanged since the last round). */
static int read_listing(fw_run *run, fw_source_round *sr, ac_listing *l,
                        char **etag, char **lm, char *err, size_t errlen) {
  bool unchanged = false;
  const char *loc = sr->src.location;
  int rc;
  memset(l, 0, sizeof *l);
  if (strncasecmp(loc, "http://", 7) == 0 ||
      strncasecmp(loc, "https://", 8) == 0)
    rc = read_url_source(run, loc, &sr->src, 0, l, etag, lm, &unchanged, err,
                         errlen);
  else
    rc = read_file_source(run, sr, l, etag, &unchanged, err, errlen);
  if (rc == 0 && unchanged) {
    /* Validators say unchanged: the articles the state knows, whose pages
     * are still asked (an article is edited on its page, not its feed). */
    free(*etag);
    free(*lm);
    *etag = sr->src.etag ? strdup(sr->src.etag) : NULL;
    *lm = sr->src.last_modified ? strdup(sr->src.last_modified) : NULL;
    rc = fw_known_items(run->state, sr->src.id, l, err, errlen);
  }
  return rc;
}

typedef struct ordered {
  const ac_item *item;
  int64_t when;
  size_t index;
} ordered;

/* Oldest first; a feed lists newest first, so at equal dates the later
 * entry goes first. */
static int oldest_first(const void *pa, const void *pb) {
  const ordered *a = pa, *b = pb;
  if (a->when != b->when)
    return a->when < b->when ? -1 : 1;
  return a->index > b->index ? -1 : a->index < b->index;
}

static void progress(fw_run *run, const char *loc, size_t done, size_t n) {
  if (!run->progress)
    return;
  if (done < n)
    fprintf(stderr, "\rarticast: %s: checking %zu/%zu articles", loc, done + 1,
            n);
  else
    fprintf(stderr, "\r%*s\r", (int)strlen(loc) + 48, "");
  fflush(stderr);
}

/* Checks every item, oldest first, rendering as the queue fills. */
static void check_items(fw_run *run, fw_source_round *sr, ac_listing *l) {
  ordered *order = calloc(l->n_items ? l->n_items : 1, sizeof *order);
  if (!order) {
    fw_note_failure(run, AC_EXIT_FAILURE);
    return;
  }
  for (size_t i = 0; i < l->n_items; i++) {
    const ac_item *it = &l->items[i];
    int64_t w = it->date ? it->date : it->hint ? it->hint : INT64_MAX;
    order[i] = (ordered){it, w, i};
    if (it->date > sr->newest)
      sr->newest = it->date;
  }
  qsort(order, l->n_items, sizeof *order, oldest_first);
  for (size_t i = 0; i < l->n_items && !*run->stop; i++) {
    progress(run, sr->src.location, i, l->n_items);
    check_item(run, sr, order[i].item);
    if (run->n_jobs >= QUEUE_ARTICLES || run->job_bytes >= QUEUE_BYTES) {
      progress(run, sr->src.location, l->n_items, l->n_items);
      fw_render_jobs(run);
    }
  }
  progress(run, sr->src.location, l->n_items, l->n_items);
  free(order);
}

static void source_failed(fw_run *run, fw_source_round *sr, const char *why,
                          int code) {
  int64_t wait = fw_backoff(sr->src.failures + 1);
  if (ac_fetcher_retry_after(run->fetcher) > wait)
    wait = ac_fetcher_retry_after(run->fetcher); /* the server's Retry-After */
  int64_t retry = fw_now() + wait;
  char at[40], err[512];
  when(retry, at, sizeof at);
  fprintf(stderr, "articast: %s: %s (next try after %s)\n", sr->src.location,
          why, at);
  if (fw_source_failed(run->state, &sr->src, why, fw_now(), retry, err,
                       sizeof err))
    fprintf(stderr, "articast: %s\n", err);
  fw_note_failure(run, code);
}

static void summary(const fw_run *run, const fw_source_round *sr,
                    const ac_listing *l) {
  if (run->opt->quiet)
    return;
  printf("%s: %zu articles: %d new, %d updated, %d unchanged", sr->src.location,
         l->n_items, sr->fresh, sr->changed, sr->unchanged);
  if (sr->failed)
    printf(", %d failed", sr->failed);
  if (sr->gone)
    printf(", %d gone", sr->gone);
  if (sr->ignored)
    printf(", %d not articles", sr->ignored);
  printf("\n");
  fflush(stdout);
}

static void follow_source(fw_run *run, const char *location) {
  fw_source_round sr = {0};
  char err[2048];
  if (fw_source_get(run->state, location, &sr.src, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    fw_note_failure(run, AC_EXIT_OUTPUT);
    return;
  }
  if (sr.src.retry_after > fw_now() && !run->opt->retry) {
    char at[40];
    when(sr.src.retry_after, at, sizeof at);
    fprintf(stderr,
            "articast: %s: skipped: it failed %d time%s in a row; next try "
            "after %s (--retry: now)\n",
            location, sr.src.failures, sr.src.failures == 1 ? "" : "s", at);
    fw_source_free(&sr.src);
    return;
  }
  ac_listing l;
  char *etag = NULL, *lm = NULL;
  int rc = read_listing(run, &sr, &l, &etag, &lm, err, sizeof err);
  if (rc) {
    source_failed(run, &sr, err,
                  rc == AC_ERR_NOMEM ? AC_EXIT_FAILURE : AC_EXIT_INPUT);
  } else {
    if (l.warning)
      fprintf(stderr, "articast: %s: warning: %s; read what could be read\n",
              location, l.warning);
    sr.newest = fw_source_newest(run->state, sr.src.id);
    sr.feed_url = l.url ? l.url : sr.src.url ? sr.src.url : sr.src.location;
    sr.sitemap =
        l.kind == AC_SOURCE_SITEMAP || (l.n_items && !l.url && sr.src.kind &&
                                        strcmp(sr.src.kind, "sitemap") == 0);
    if ((rc = fw_record_listing(run->state, sr.src.id, &l, fw_now_dating(), err,
                                sizeof err))) {
      fprintf(stderr, "articast: %s\n", err);
      fw_note_failure(run, AC_EXIT_OUTPUT);
    } else {
      check_items(run, &sr, &l);
      fw_render_jobs(run);
      if (!*run->stop &&
          (rc = fw_source_succeeded(run->state, sr.src.id, &l, etag, lm,
                                    fw_now(), err, sizeof err)))
        fprintf(stderr, "articast: %s\n", err);
      summary(run, &sr, &l);
    }
  }
  ac_listing_free(&l);
  free(etag);
  free(lm);
  fw_source_free(&sr.src);
}

int fw_round(fw_run *run) {
  run->new_left = run->opt->limit > 0 ? run->opt->limit : -1;
  run->rendered = run->failed = run->waiting = 0;
  run->exit_code = 0;
  for (int i = 0; i < run->opt->n_sources && !*run->stop; i++)
    follow_source(run, run->opt->sources[i]);
  if (run->waiting > 0 && !run->opt->quiet)
    printf("%d article%s wait%s for a later round (--limit, or a failure's "
           "back-off)\n",
           run->waiting, run->waiting == 1 ? "" : "s",
           run->waiting == 1 ? "s" : "");
  /* Publish once: new episodes were written without touching feed.xml. */
  char err[2048];
  int rc = ac_run_feed(run->pl, err, sizeof err);
  if (rc) {
    fprintf(stderr, "articast: %s\n", err);
    fw_note_failure(run, rc);
  }
  return run->exit_code;
}
