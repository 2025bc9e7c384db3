/* The job of articast's services (job.h): its rules, its stored form and
 * its render. */
#define _GNU_SOURCE /* asprintf, open_memstream, strndup */
#include "job.h"
#include "fetch.h"
#include "outputs.h"
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <nettle/sha2.h>

void ac_job_free(ac_job *job) {
  if (!job)
    return;
  free(job->body);
  free(job->content_type);
  free(job->url);
  free(job->voice);
  free(job->lang);
  free(job->id);
  free(job->callback_url);
  memset(job, 0, sizeof *job);
}

void ac_job_result_free(ac_job_result *res) {
  if (!res)
    return;
  free(res->guid);
  free(res->slug);
  for (size_t i = 0; i < res->n_files; i++)
    free(res->files[i]);
  memset(res, 0, sizeof *res);
}

/* ---- Rules -------------------------------------------------------------- */

bool ac_job_lang_valid(const char *tag) {
  if (!tag)
    return false;
  size_t len = strlen(tag);
  size_t primary = 0;
  while (isalpha((unsigned char)tag[primary]))
    primary++;
  if (primary < 2 || primary > 8 || len > AC_JOB_MAX_LANG)
    return false;
  if (tag[primary] != '\0' && tag[primary] != '-')
    return false;
  /* Subtags: 1-8 letters or digits, separated by single hyphens. */
  size_t run = 0;
  for (size_t i = primary; i < len; i++) {
    if (tag[i] == '-') {
      if (i > primary && run == 0)
        return false;
      run = 0;
    } else if (isalnum((unsigned char)tag[i]) && run < 8) {
      run++;
    } else {
      return false;
    }
  }
  return len == primary || run > 0;
}

bool ac_job_voice_valid(const char *name) {
  if (!name || !name[0] || name[0] == '.' || strlen(name) > AC_JOB_MAX_VOICE)
    return false;
  for (const char *c = name; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
      return false;
  return true;
}

bool ac_job_url_valid(const char *url) {
  if (!url)
    return false;
  size_t len = strlen(url);
  size_t scheme = strncasecmp(url, "http://", 7) == 0    ? 7
                  : strncasecmp(url, "https://", 8) == 0 ? 8
                                                         : 0;
  if (!scheme || len > AC_JOB_MAX_URL)
    return false;
  /* A host: something before the path, query or fragment, not a user
   * name alone. */
  size_t host = strcspn(url + scheme, "/?#");
  if (host == 0 || url[scheme + host - 1] == '@' || url[scheme] == '@')
    return false;
  for (const unsigned char *c = (const unsigned char *)url; *c; c++)
    if (*c <= 0x20 || *c >= 0x7F || *c == '\\')
      return false; /* spaces, controls, non-ASCII: not percent-encoded */
  return true;
}

/* Valid UTF-8 without control characters, 1 to `max` bytes. */
static bool printable_text(const char *s, size_t max) {
  size_t len = s ? strlen(s) : 0;
  if (len == 0 || len > max || ac_utf8_invalid_offset(s, len) >= 0)
    return false;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++)
    if (*c < 0x20 || *c == 0x7F)
      return false;
  return true;
}

const char *ac_job_content_type(const char *type) {
  if (!type)
    return NULL;
  while (*type == ' ' || *type == '\t')
    type++;
  size_t n = strcspn(type, "; \t");
  if (n == 0 || n > AC_JOB_MAX_TYPE)
    return NULL;
  static const struct {
    const char *name, *canonical;
  } known[] = {{"text/plain", AC_JOB_TEXT},
               {"text/markdown", AC_JOB_MARKDOWN},
               {"text/x-markdown", AC_JOB_MARKDOWN},
               {"text/html", AC_JOB_HTML},
               {"application/xhtml+xml", AC_JOB_HTML}};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strlen(known[i].name) == n && strncasecmp(type, known[i].name, n) == 0)
      return known[i].canonical;
  return NULL;
}

static int invalid(char *err, size_t errlen, const char *what, const char *rule,
                   size_t limit) {
  snprintf(err, errlen, "the %s must be %s (at most %zu bytes)", what, rule,
           limit);
  return AC_EXIT_INPUT;
}

#define URL_RULE                                                               \
  "an http(s) URL with a host, without spaces, control or non-ASCII "          \
  "characters"

static int check_body(const ac_job *job, char *err, size_t errlen) {
  if (job->body_len == 0) {
    snprintf(err, errlen, "the article is empty");
    return AC_EXIT_INPUT;
  }
  if (job->body_len > AC_JOB_MAX_BODY) {
    snprintf(err, errlen, "the article is larger than %zu bytes",
             (size_t)AC_JOB_MAX_BODY);
    return AC_EXIT_INPUT;
  }
  if (memchr(job->body, '\0', job->body_len)) {
    snprintf(err, errlen,
             "the article holds a NUL byte: binary data is no article");
    return AC_EXIT_INPUT;
  }
  const char *type = ac_job_content_type(job->content_type);
  if (!type || strcmp(type, job->content_type) != 0) {
    snprintf(err, errlen,
             "the article's content type is %s: expected text/plain, "
             "text/markdown or text/html",
             job->content_type ? "not one of them" : "missing");
    return AC_EXIT_INPUT;
  }
  return AC_EXIT_OK;
}

int ac_job_validate(const ac_job *job, char *err, size_t errlen) {
  if (!job->body == !job->url) {
    snprintf(err, errlen,
             "a job needs either the article's bytes or its URL"
             ", not %s",
             job->url ? "both" : "neither");
    return AC_EXIT_INPUT;
  }
  if (job->body) {
    int rc = check_body(job, err, errlen);
    if (rc)
      return rc;
  } else if (job->content_type || job->body_len) {
    snprintf(err, errlen, "a URL job carries no bytes and no content type");
    return AC_EXIT_INPUT;
  }
  if (job->url && !ac_job_url_valid(job->url))
    return invalid(err, errlen, "article URL", URL_RULE, AC_JOB_MAX_URL);
  if (job->callback_url && !ac_job_url_valid(job->callback_url))
    return invalid(err, errlen, "callback URL", URL_RULE, AC_JOB_MAX_URL);
  if (job->id && !printable_text(job->id, AC_JOB_MAX_ID))
    return invalid(err, errlen, "article id",
                   "UTF-8 text without control characters", AC_JOB_MAX_ID);
  if (job->voice && !ac_job_voice_valid(job->voice))
    return invalid(err, errlen, "voice",
                   "a profile name of letters, digits, '.', '_' or '-', "
                   "not a path",
                   AC_JOB_MAX_VOICE);
  if (job->lang && !ac_job_lang_valid(job->lang))
    return invalid(err, errlen, "language",
                   "a BCP 47 tag such as en, fr-CA or zh-Hans",
                   AC_JOB_MAX_LANG);
  return AC_EXIT_OK;
}

/* ---- Stored form -------------------------------------------------------- */

size_t ac_job_to_fields(const ac_job *job,
                        ac_job_field out[AC_JOB_MAX_FIELDS]) {
  size_t n = 0;
  out[n++] = (ac_job_field){"v", AC_JOB_FORMAT, strlen(AC_JOB_FORMAT)};
  if (job->body) {
    out[n++] = (ac_job_field){"body", job->body, job->body_len};
    if (job->content_type)
      out[n++] =
          (ac_job_field){"type", job->content_type, strlen(job->content_type)};
  }
  const struct {
    const char *key, *value;
  } strings[] = {{"url", job->url},
                 {"voice", job->voice},
                 {"lang", job->lang},
                 {"id", job->id},
                 {"callback", job->callback_url}};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    if (strings[i].value && n < AC_JOB_MAX_FIELDS)
      out[n++] = (ac_job_field){strings[i].key, strings[i].value,
                                strlen(strings[i].value)};
  return n;
}

/* Where a key of the stored form goes, and how long its value may be. */
typedef struct stored_key {
  const char *key;
  size_t limit;
  size_t offset; /* of the char * in ac_job, or SIZE_MAX for "v" */
} stored_key;

static const stored_key stored_keys[] = {
    {"v", 8, SIZE_MAX},
    {"body", AC_JOB_MAX_BODY, offsetof(ac_job, body)},
    {"type", AC_JOB_MAX_TYPE, offsetof(ac_job, content_type)},
    {"url", AC_JOB_MAX_URL, offsetof(ac_job, url)},
    {"voice", AC_JOB_MAX_VOICE, offsetof(ac_job, voice)},
    {"lang", AC_JOB_MAX_LANG, offsetof(ac_job, lang)},
    {"id", AC_JOB_MAX_ID, offsetof(ac_job, id)},
    {"callback", AC_JOB_MAX_URL, offsetof(ac_job, callback_url)}};

#define N_STORED_KEYS (sizeof stored_keys / sizeof stored_keys[0])

/* Which stored key `f` is, or -1 for one this articast does not know. */
static int stored_key_index(const ac_job_field *f) {
  for (size_t k = 0; f->key && k < N_STORED_KEYS; k++)
    if (strcmp(f->key, stored_keys[k].key) == 0)
      return (int)k;
  return -1;
}

/* Checks every field before anything is copied: a known key once, within
 * its limit, the format this articast reads. */
static int check_fields(const ac_job_field *fields, size_t n, char *err,
                        size_t errlen) {
  bool seen[N_STORED_KEYS] = {false};
  for (size_t i = 0; i < n; i++) {
    int k = stored_key_index(&fields[i]);
    if (k < 0)
      continue; /* a newer articast's option: not ours to judge */
    if (!fields[i].value && fields[i].len) {
      snprintf(err, errlen, "the job's field '%s' has no value",
               stored_keys[k].key);
      return AC_EXIT_INPUT;
    }
    if (seen[k]) {
      snprintf(err, errlen, "the job has the field '%s' twice",
               stored_keys[k].key);
      return AC_EXIT_INPUT;
    }
    seen[k] = true;
    if (fields[i].len > stored_keys[k].limit) {
      snprintf(err, errlen,
               "the job's field '%s' is longer than its limit of %zu bytes",
               stored_keys[k].key, stored_keys[k].limit);
      return AC_EXIT_INPUT;
    }
    if (stored_keys[k].offset == SIZE_MAX &&
        (fields[i].len != strlen(AC_JOB_FORMAT) ||
         memcmp(fields[i].value, AC_JOB_FORMAT, fields[i].len) != 0)) {
      snprintf(err, errlen,
               "the job is stored in a format this articast does not read "
               "(v=%.*s, expected " AC_JOB_FORMAT ")",
               (int)fields[i].len, fields[i].value);
      return AC_EXIT_INPUT;
    }
  }
  if (!seen[0]) {
    snprintf(err, errlen, "the job has no format version (field 'v')");
    return AC_EXIT_INPUT;
  }
  return AC_EXIT_OK;
}

int ac_job_from_fields(ac_job *job, const ac_job_field *fields, size_t n,
                       char *err, size_t errlen) {
  memset(job, 0, sizeof *job);
  int rc = check_fields(fields, n, err, errlen);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++) {
    int k = stored_key_index(&fields[i]);
    if (k < 0 || stored_keys[k].offset == SIZE_MAX)
      continue;
    char **slot = (char **)((char *)job + stored_keys[k].offset);
    char *copy = malloc(fields[i].len + 1);
    if (!copy) {
      ac_job_free(job);
      snprintf(err, errlen, "out of memory");
      return AC_EXIT_FAILURE;
    }
    if (fields[i].len)
      memcpy(copy, fields[i].value, fields[i].len);
    copy[fields[i].len] = '\0';
    *slot = copy;
    if (slot == &job->body)
      job->body_len = fields[i].len;
    else if (memchr(fields[i].value, '\0', fields[i].len)) {
      snprintf(err, errlen, "the job's field '%s' holds a NUL byte",
               stored_keys[k].key);
      ac_job_free(job);
      return AC_EXIT_INPUT;
    }
  }
  if ((rc = ac_job_validate(job, err, errlen)))
    ac_job_free(job);
  return rc;
}

void ac_job_digest(const ac_job *job, char hex[65]) {
  ac_job_field f[AC_JOB_MAX_FIELDS];
  size_t n = ac_job_to_fields(job, f);
  struct sha256_ctx sha;
  sha256_init(&sha);
  for (size_t i = 0; i < n; i++) {
    /* Key, then the value's length, then the value: no two jobs meet. */
    sha256_update(&sha, strlen(f[i].key) + 1, (const uint8_t *)f[i].key);
    uint8_t len[8];
    for (int b = 0; b < 8; b++)
      len[b] = (uint8_t)((uint64_t)f[i].len >> (8 * b));
    sha256_update(&sha, sizeof len, len);
    sha256_update(&sha, f[i].len, (const uint8_t *)f[i].value);
  }
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* ---- Making jobs -------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Whether the bytes start like an HTML (or XHTML) document. */
static bool starts_like_html(const char *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && isspace((unsigned char)data[i]))
    i++;
  static const char *const openers[] = {"<!doctype html", "<html", "<?xml",
                                        "<head", "<!--"};
  for (size_t k = 0; k < sizeof openers / sizeof openers[0]; k++) {
    size_t n = strlen(openers[k]);
    if (len - i >= n && strncasecmp(data + i, openers[k], n) == 0)
      return true;
  }
  return false;
}

static const char *type_of_file(const char *path, const char *data,
                                size_t len) {
  if (has_suffix(path, ".md") || has_suffix(path, ".markdown"))
    return AC_JOB_MARKDOWN;
  if (has_suffix(path, ".html") || has_suffix(path, ".htm") ||
      has_suffix(path, ".xhtml"))
    return AC_JOB_HTML;
  return starts_like_html(data, len) ? AC_JOB_HTML : AC_JOB_TEXT;
}

static int copy_option(char **field, const char *value) {
  if (value && !(*field = strdup(value)))
    return -1;
  return 0;
}

int ac_job_from_article(ac_job *job, const char *article, const char *voice,
                        const char *lang, const char *id, char *err,
                        size_t errlen) {
  memset(job, 0, sizeof *job);
  const char *shown = strcmp(article, "-") == 0 ? "standard input" : article;
  bool is_url = strncasecmp(article, "http://", 7) == 0 ||
                strncasecmp(article, "https://", 8) == 0;
  if (is_url) {
    job->url = strdup(article);
  } else {
    int e = ac_read_file(article, AC_JOB_MAX_BODY, &job->body, &job->body_len);
    if (e) {
      snprintf(err, errlen, "%s: cannot read: %s", shown,
               e == -EFBIG ? "larger than a job's limit of 20 MiB"
                           : strerror(-e));
      return AC_EXIT_INPUT;
    }
    job->content_type = strdup(type_of_file(article, job->body, job->body_len));
  }
  if ((is_url ? !job->url : !job->content_type) ||
      copy_option(&job->voice, voice) || copy_option(&job->lang, lang) ||
      copy_option(&job->id, id)) {
    ac_job_free(job);
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  char why[512];
  if (ac_job_validate(job, why, sizeof why)) {
    snprintf(err, errlen, "%s: %s", shown, why);
    ac_job_free(job);
    return AC_EXIT_INPUT;
  }
  return AC_EXIT_OK;
}

/* ---- Rendering ---------------------------------------------------------- */

char *ac_job_guid(const ac_job *job) {
  const char *g = job->id ? job->id : job->url;
  if (!g || strlen(g) <= AC_JOB_MAX_GUID)
    return g ? strdup(g) : NULL;
  /* The site keeps an episode's identity in a line of its owner file, and
   * feed readers in <guid>: a long one is kept as a UUID of it. */
  char *u = malloc(9 + 37);
  if (u) {
    memcpy(u, "urn:uuid:", 9);
    ac_uuid5(g, strlen(g), u + 9);
  }
  return u;
}

char *ac_job_key(const ac_job *job, const char digest[65]) {
  char *guid = ac_job_guid(job), *key = NULL;
  if (asprintf(&key, "%s:%s", guid ? "episode" : "bytes",
               guid ? guid : digest) < 0)
    key = NULL;
  free(guid);
  return key;
}

/* The name the source stages probe a job's bytes under: the extension
 * tells the content type. */
static const char *name_for_type(const char *type) {
  if (strcmp(type, AC_JOB_MARKDOWN) == 0)
    return "article.md";
  if (strcmp(type, AC_JOB_HTML) == 0)
    return "article.html";
  return "article.txt";
}

/* Fetches a URL job's page into *page. */
static int fetch_page(const ac_pipeline *pl, const char *url,
                      ac_fetch_result *page, char *err, size_t errlen) {
  char *ua = NULL;
  const char *link = pl->cfg->show.link;
  if (asprintf(&ua, "articast/%s%s%s%s", ARTICAST_VERSION_STRING,
               link ? " (+" : "", link ? link : "", link ? ")" : "") < 0) {
    snprintf(err, errlen, "out of memory");
    return AC_EXIT_FAILURE;
  }
  size_t limit = pl->max_input_bytes && pl->max_input_bytes < AC_JOB_MAX_BODY
                     ? pl->max_input_bytes
                     : AC_JOB_MAX_BODY;
  ac_fetcher *f = ac_fetcher_new(ua, limit, NULL);
  free(ua);
  if (!f) {
    snprintf(err, errlen, "%s: cannot start the HTTP client", url);
    return AC_EXIT_FAILURE;
  }
  ac_fetch_request req = {
      .url = url,
      .accept = "text/html,application/xhtml+xml,text/markdown;q=0.9,"
                "text/plain;q=0.8",
      .robots = false};
  char why[1024];
  memset(page, 0, sizeof *page);
  int e = ac_fetch(f, &req, page, why, sizeof why);
  ac_fetcher_free(f);
  if (e == 0 && !page->body)
    snprintf(why, sizeof why, "the server sent no page (HTTP %ld)",
             page->status);
  if (e != 0 || !page->body) {
    snprintf(err, errlen, "%s: %s", url, why);
    ac_fetch_result_free(page);
    return AC_EXIT_INPUT;
  }
  return AC_EXIT_OK;
}

/* Whether `name` is <slug>.<10 hex digits>.<ext>; *slug_len gets the
 * slug's length. */
static bool versioned_file(const char *name, size_t *slug_len) {
  for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
    size_t hex = strspn(dot + 1, "0123456789abcdef");
    if (dot > name && hex == AC_OUTPUT_VERSION_DIGITS && dot[1 + hex] == '.') {
      *slug_len = (size_t)(dot - name);
      return true;
    }
  }
  return false;
}

/* The first line of SITE/episodes/.<slug>.owner: the episode's guid. */
static char *read_owner(const char *site, const char *slug) {
  char *path = NULL;
  if (asprintf(&path, "%s/episodes/.%s.owner", site, slug) < 0)
    return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  free(path);
  if (fd < 0)
    return NULL;
  char have[AC_JOB_MAX_ID + AC_JOB_MAX_URL + 2];
  ssize_t n = read(fd, have, sizeof have - 1);
  close(fd);
  have[n > 0 ? n : 0] = '\0';
  have[strcspn(have, "\n")] = '\0';
  return have[0] ? strdup(have) : NULL;
}

/* The render's report ("PATH\tSECONDS s" or "PATH" a line) into res. */
static void take_report(const char *site, char *report, const char *guid,
                        ac_job_result *res) {
  size_t site_len = strlen(site);
  for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n")) {
    line[strcspn(line, "\t")] = '\0';
    const char *rel = line;
    if (strncmp(line, site, site_len) == 0 && line[site_len] == '/')
      rel = line + site_len + 1;
    char *copy = strdup(rel);
    if (!copy)
      continue;
    if (res->n_files < AC_JOB_MAX_FILES)
      res->files[res->n_files++] = copy;
    else
      free(copy);
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    size_t slug_len;
    if (!res->slug && versioned_file(base, &slug_len))
      res->slug = strndup(base, slug_len);
  }
  res->guid = guid ? strdup(guid) : NULL;
  if (!res->guid && res->slug)
    res->guid = read_owner(site, res->slug);
}

int ac_job_render(ac_pipeline *pl, const ac_job *job, ac_job_result *res,
                  char *err, size_t errlen) {
  if (res)
    memset(res, 0, sizeof *res);
  int rc = ac_job_validate(job, err, errlen);
  if (rc)
    return rc;
  ac_fetch_result page = {0};
  const char *name = job->body ? name_for_type(job->content_type) : job->url;
  if (job->url && (rc = fetch_page(pl, job->url, &page, err, errlen)))
    return rc;
  if (job->url && page.final_url && ac_job_url_valid(page.final_url))
    name = page.final_url; /* the page's base for its relative links */
  char *guid = ac_job_guid(job);
  ac_document meta = {.id = guid};
  ac_pipeline saved = *pl; /* the per-article fields, given back after */
  pl->input_bytes = job->body ? job->body : page.body;
  pl->input_len = job->body ? job->body_len : page.len;
  pl->metadata = &meta;
  pl->slug = NULL; /* from the title, or the one the guid owns already */
  if (job->voice)
    pl->voice_override = job->voice;
  if (job->lang)
    pl->language_override = job->lang;
  char *report = NULL;
  size_t report_len = 0;
  FILE *mem = res ? open_memstream(&report, &report_len) : NULL;
  rc = ac_run_episode(pl, name, mem, err, errlen);
  if (mem)
    fclose(mem);
  pl->input_bytes = saved.input_bytes;
  pl->input_len = saved.input_len;
  pl->metadata = saved.metadata;
  pl->slug = saved.slug;
  pl->voice_override = saved.voice_override;
  pl->language_override = saved.language_override;
  if (rc == AC_EXIT_OK && res && report) {
    const char *site = pl->cfg->site_dir ? pl->cfg->site_dir : "site";
    take_report(site, report, guid, res);
  }
  free(report);
  free(guid);
  ac_fetch_result_free(&page);
  return rc;
}
