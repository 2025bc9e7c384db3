/*
 * The job of articast's services: one article to render into a site, as
 * `articast serve` (its embedded SQLite queue) and `articast worker` (Redis
 * Streams) pass it around. A job carries the article itself (its bytes and
 * content type) or its http(s) URL, never a local path: the worker that
 * renders it may run on another machine.
 *
 * A job is stored as flat key/value pairs (a Redis stream entry's fields, a
 * row's columns). The stored form is hostile input: ac_job_from_fields
 * bounds every length, ignores unknown keys and rejects a job that misses
 * what it needs or breaks a rule of ac_job_validate.
 */
#ifndef ARTICAST_JOB_H
#define ARTICAST_JOB_H

#include "core.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits of a job (ac_job_validate). */
#define AC_JOB_MAX_BODY AC_DEFAULT_MAX_INPUT /* article bytes */
#define AC_JOB_MAX_URL 2048                  /* article URL and callback URL */
#define AC_JOB_MAX_ID 512   /* article id: printable, no control chars */
#define AC_JOB_MAX_VOICE 64 /* voice profile name: [A-Za-z0-9._-] */
#define AC_JOB_MAX_LANG 35  /* BCP 47 tag */
#define AC_JOB_MAX_TYPE 64  /* content type, before canonicalization */

/* The content types a job's bytes may have. */
#define AC_JOB_TEXT "text/plain"
#define AC_JOB_MARKDOWN "text/markdown"
#define AC_JOB_HTML "text/html"

typedef struct ac_job {
  /* Exactly one of body (with content_type) and url is set. */
  char *body;         /* the article's bytes, body_len of them (NUL added) */
  size_t body_len;    /* may be 0 only with url */
  char *content_type; /* AC_JOB_TEXT, AC_JOB_MARKDOWN or AC_JOB_HTML */
  char *url;          /* the article's http(s) URL, or NULL */
  /* Options, each NULL when not given. */
  char *voice;        /* voice profile name (never a path) */
  char *lang;         /* the article's language, BCP 47 */
  char *id;           /* the article's id: the episode's identity (guid) */
  char *callback_url; /* http(s) URL told when the job is done or failed */
} ac_job;

/* Every string of the job is malloc'd; frees them and zeroes the job. */
void ac_job_free(ac_job *job);

/* Checks a job against the rules: one of body and url; the body at most
 * AC_JOB_MAX_BODY bytes, of a known content type, with no NUL byte; URLs
 * http:// or https:// with a host, at most AC_JOB_MAX_URL bytes, no
 * whitespace or control characters; id at most AC_JOB_MAX_ID bytes of
 * valid UTF-8 without control characters; voice a profile name of
 * [A-Za-z0-9._-] not starting with '.'; lang a BCP 47 tag's shape.
 * Returns 0, or AC_EXIT_INPUT with why in err. */
int ac_job_validate(const ac_job *job, char *err, size_t errlen);

/* Whether `tag` has a BCP 47 tag's shape (as `--lang` takes it). */
bool ac_job_lang_valid(const char *tag);
/* Whether `name` is a voice profile name a job may carry. */
bool ac_job_voice_valid(const char *name);
/* Whether `url` is an http(s) URL a job may carry (syntax only: where it
 * points is the fetcher's business). */
bool ac_job_url_valid(const char *url);

/* A content type as a client sent it ("text/html; charset=utf-8",
 * "TEXT/MARKDOWN") reduced to AC_JOB_TEXT, AC_JOB_MARKDOWN or AC_JOB_HTML
 * (a static string), or NULL when it is none of them. "text/x-markdown"
 * counts as Markdown. */
const char *ac_job_content_type(const char *type);

/* ---- Stored form ---------------------------------------------------------
 */

/* One key/value pair of the stored form; values are binary (len bytes). */
typedef struct ac_job_field {
  const char *key;
  const char *value;
  size_t len;
} ac_job_field;

/* The keys of the stored form; a job has at most AC_JOB_MAX_FIELDS:
 *   "v"      format version, "1"
 *   "body"   the article's bytes          "type"     its content type
 *   "url"    the article's URL
 *   "voice", "lang", "id", "callback"     the options, when given */
#define AC_JOB_MAX_FIELDS 8
#define AC_JOB_FORMAT "1"

/* Fills `out` with the job's pairs, which point into the job (valid while
 * it lives and is unchanged). Returns how many. */
size_t ac_job_to_fields(const ac_job *job, ac_job_field out[AC_JOB_MAX_FIELDS]);
/* Builds a job from stored pairs: copies what it knows (a key given twice
 * is an error, an unknown key is skipped, a value longer than its limit is
 * refused before anything is copied), then validates it. Returns 0, or
 * AC_EXIT_INPUT with why in err and *job empty. */
int ac_job_from_fields(ac_job *job, const ac_job_field *fields, size_t n,
                       char *err, size_t errlen);

/* The SHA-256 of the job's stored form (every field, in a fixed order), as
 * 64 hex digits and a NUL in `hex`: two jobs with the same digest render
 * the same episode, so a queue can skip one that changed nothing. */
void ac_job_digest(const ac_job *job, char hex[65]);

/* ---- Making jobs ---------------------------------------------------------
 */

/* A job for an ARTICLE of the command line: an http(s) URL becomes a URL
 * job; a file (or "-", standard input) is read whole, at most
 * AC_JOB_MAX_BODY bytes, its content type from its extension (.md,
 * .markdown -> Markdown; .html, .htm, .xhtml -> HTML; else from the
 * content: HTML when it starts like an HTML document, else plain text,
 * which the text source still reads as Markdown when it looks like it).
 * The options are copied (NULL: none). Returns 0 or an AC_EXIT_* code with
 * why in err. */
int ac_job_from_article(ac_job *job, const char *article, const char *voice,
                        const char *lang, const char *id, char *err,
                        size_t errlen);

/* ---- Rendering -----------------------------------------------------------
 */

#define AC_JOB_MAX_FILES 16

/* What a render published. */
typedef struct ac_job_result {
  char *guid; /* the episode's identity in the feed */
  char *slug; /* its slug: SITE/episodes/<slug>.<version>.<ext> */
  char *files[AC_JOB_MAX_FILES]; /* the files written, relative to SITE
                                    ("episodes/a-title.0123abcdef.mp3"),
                                    the audio first */
  size_t n_files;
} ac_job_result;

void ac_job_result_free(ac_job_result *res);

/* The episode identity (guid) a job gets: its id, else its URL (one
 * longer than AC_JOB_MAX_GUID bytes as "urn:uuid:" and a UUIDv5 of it),
 * else NULL (the article's own: the id or URL its front matter or page
 * declares, else a UUID of its title and date). malloc'd or NULL. */
#define AC_JOB_MAX_GUID 500
char *ac_job_guid(const ac_job *job);

/* What a queue knows a job's article by: "episode:GUID" when the job has
 * an identity (ac_job_guid), else "bytes:DIGEST" (`digest`, from
 * ac_job_digest). malloc'd, NULL when out of memory. */
char *ac_job_key(const ac_job *job, const char digest[65]);

/* Renders and publishes the job into the pipeline's site (pl set up as
 * for `articast episode`: plugins, config, site, cache), in this process:
 * a URL job's page is fetched first (with fetch.h's fetcher, at most
 * pl->max_input_bytes or AC_JOB_MAX_BODY); the article's bytes go through
 * the source, text stages, voice and sinks, and the episode is published
 * under the identity ac_job_guid gives it, so that the same id or URL
 * again (or the same job rendered twice, after a worker died) updates that
 * one episode and its feed item, never adds a second. The job's voice and
 * lang override the pipeline's for this render only; the episode's files
 * are renamed into place and the feed written under the site's locks, as
 * `articast episode` does. `res` (may be NULL) gets what was published.
 * Returns an AC_EXIT_* code, with why in err when not AC_EXIT_OK. */
int ac_job_render(ac_pipeline *pl, const ac_job *job, ac_job_result *res,
                  char *err, size_t errlen);

#endif /* ARTICAST_JOB_H */
