/*
 * `articast follow` and `articast status`: the internals shared by
 *
 *   follow_cli.c     the commands: options, the pipeline, --every, signals
 *   follow.c         one round: each source read, each article checked
 *   follow_render.c  the articles to render, through the batch supervisor
 *                    (batch.c), and what their renders leave in the state
 *   follow_db.c      the follower's tables in the state database (state.h)
 *   follow_status.c  `articast status`
 *
 * and, beside them, fetch.c (HTTP) and sources.c (feeds, sitemaps,
 * folders).
 */
#ifndef ARTICAST_FOLLOW_H
#define ARTICAST_FOLLOW_H

#include "core.h"
#include "fetch.h"
#include "sources.h"
#include "state.h"

#include <signal.h>

/* The commands (main.c's table calls them). */
int ac_follow_command(int argc, char **argv);
int ac_status_command(int argc, char **argv);

/* ---- Options ---------------------------------------------------------- */

typedef struct fw_options {
  char **sources;
  int n_sources;
  double every;  /* seconds between rounds, 0: one round */
  int64_t since; /* articles dated before this are left out, 0: none */
  long limit;    /* new episodes per round, 0: no limit */
  int jobs;      /* cores (batch.c), 0: all */
  bool quiet;
  bool retry; /* try failed sources and articles now, whatever the back-off */
  double time_limit;
} fw_options;

/* ---- The state ------------------------------------------------------------
 */

/* The follower's schema (tables sources and articles). */
extern const ac_state_schema fw_schema;

typedef struct fw_source {
  int64_t id;
  char *location; /* a URL as given, or a file's or folder's real path */
  char *url;      /* where it was last read from, after redirects */
  char *kind;     /* what it was last read as (ac_source_kind_name) */
  char *etag, *last_modified;
  int failures;
  int64_t retry_after;
} fw_source;

/* An article row; strings malloc'd, NULL when NULL. */
typedef struct fw_article {
  int64_t id, source_id;
  char *key;           /* the item's key within its source */
  char *item;          /* what the source said of it, as JSON */
  bool text_in_source; /* its text came with the source (feed content) */
  char *guid;          /* the episode's identity, fixed at its first reading */
  char *url, *first_title, *title, *slug;
  int64_t pub_date;           /* the episode's date */
  char *dated_by;             /* "source", "page" or "first-seen" */
  char *content_hash;         /* of the published episode's text */
  char *etag, *last_modified; /* its page's or file's, when published */
  char *status;               /* new, published, failed, gone, duplicate */
  int attempts;
  char *last_error;
  int64_t retry_after, first_seen, last_seen, published_at;
} fw_article;

void fw_source_free(fw_source *s);
void fw_article_free(fw_article *a);

/* The source's row, made when new. */
int fw_source_get(ac_state *st, const char *location, fw_source *out, char *err,
                  size_t errlen);
/* After a round of the source: success (validators NULL forget them) or
 * failure with its back-off. */
int fw_source_succeeded(ac_state *st, int64_t id, const ac_listing *l,
                        const char *etag, const char *last_modified,
                        int64_t now, char *err, size_t errlen);
int fw_source_failed(ac_state *st, const fw_source *s, const char *error,
                     int64_t now, int64_t retry_after, char *err,
                     size_t errlen);
/* Whether an article whose text came with the source still waits to be
 * published: then the source is read whole, not conditionally. */
bool fw_source_owes_text(ac_state *st, int64_t source_id);
/* The newest date the source gave an article (its own or its page's), 0
 * when none. */
int64_t fw_source_newest(ac_state *st, int64_t source_id);

/* Records what the listing says: a row for every new item, what known ones
 * say now, and, for a complete listing, which are gone. In one
 * transaction. */
int fw_record_listing(ac_state *st, int64_t source_id, const ac_listing *l,
                      int64_t now, char *err, size_t errlen);
/* The items the state knows of a source (its listing answered 304). */
int fw_known_items(ac_state *st, int64_t source_id, ac_listing *out, char *err,
                   size_t errlen);
int fw_article_get(ac_state *st, int64_t source_id, const char *key,
                   fw_article *out, char *err, size_t errlen);
int fw_article_by_id(ac_state *st, int64_t id, fw_article *out, char *err,
                     size_t errlen);
/* Writes every column of the row back, in a transaction. */
int fw_article_save(ac_state *st, const fw_article *a, char *err,
                    size_t errlen);
/* Whether another article holds the slug, or the guid (its id, else 0). */
bool fw_slug_taken(ac_state *st, const char *slug, int64_t except);
int64_t fw_guid_holder(ac_state *st, const char *guid, int64_t except);

/* An item as the JSON the state keeps (without its text), and back. */
char *fw_item_to_json(const ac_item *it);
int fw_item_from_json(const char *json, ac_item *out);

/* ---- A round ---------------------------------------------------------- */

/* A slug and the identity that owns it in SITE/episodes. */
typedef struct fw_owner {
  char *slug, *guid;
} fw_owner;

/* An article to render. */
typedef struct fw_job {
  int64_t article_id;
  char *input;      /* names it: its URL, or its file */
  char *bytes;      /* its text (a page, a feed's content), NULL: read */
  size_t len;       /* `input` */
  ac_document meta; /* what its source says (owned strings) */
  char *slug, *hash, *etag, *last_modified, *label;
  bool is_new;
} fw_job;

typedef struct fw_run {
  ac_pipeline *pl;
  ac_state *state;
  ac_fetcher *fetcher;
  const fw_options *opt;
  const char *site;
  char *episodes;
  volatile sig_atomic_t *stop;
  int lock_fd;   /* SITE/.follow.lock, held; a worker closes its copy */
  bool progress; /* a progress line on a terminal */
  /* SITE/episodes' owners, read when a first new slug is chosen. */
  fw_owner *owners;
  size_t n_owners;
  bool owners_read;
  /* Articles waiting for a render. */
  fw_job *jobs;
  size_t n_jobs, cap_jobs, job_bytes;
  /* This round. */
  long new_left; /* what --limit still allows, -1: no limit */
  int rendered, failed, waiting;
  int exit_code; /* the first failure's */
} fw_run;

/* One round over every source. Returns the first failure's exit code. */
int fw_round(fw_run *run);
/* Renders the waiting articles (through batch.c) and records the
 * results. */
void fw_render_jobs(fw_run *run);
void fw_job_free(fw_job *j);
/* Notes a failure's exit code for the run. */
void fw_note_failure(fw_run *run, int exit_code);

/* Back-off after `failures` failures in a row, seconds. */
int64_t fw_backoff(int failures);
/* Now, for the dates an article is given ($SOURCE_DATE_EPOCH when set, so
 * a run can be reproduced), and for bookkeeping (the clock). */
int64_t fw_now_dating(void);
int64_t fw_now(void);
/* A Unix time as ISO 8601 ("2024-06-03T06:15:00Z"), into out[32]. */
void fw_iso_date(int64_t t, char out[32]);

#endif
