/* The follower's tables in the state database (follow.h, state.h). */
#include "follow.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Migrations of the "follow" module: append, never edit one that shipped. */
static const char *const fw_migrations[] = {
    /* 1: sources and their articles. */
    "CREATE TABLE sources ("
    " id INTEGER PRIMARY KEY,"
    " location TEXT NOT NULL UNIQUE," /* URL as given, or real path */
    " url TEXT,"  /* where it was last read from, after redirects */
    " kind TEXT," /* rss, atom, json-feed, sitemap... */
    " title TEXT,"
    " etag TEXT, last_modified TEXT," /* validators of the last full read */
    " last_checked INTEGER,"          /* Unix times */
    " last_success INTEGER,"
    " last_error TEXT,"
    " failures INTEGER NOT NULL DEFAULT 0," /* in a row */
    " retry_after INTEGER"                  /* back-off: not before */
    ");"
    "CREATE TABLE articles ("
    " id INTEGER PRIMARY KEY,"
    " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
    " source_key TEXT NOT NULL," /* its guid, link, path or title there */
    " item TEXT,"                /* what the source said of it, JSON */
    " text_in_source INTEGER NOT NULL DEFAULT 0,"
    " guid TEXT UNIQUE," /* the episode's identity, fixed once */
    " url TEXT,"
    " first_title TEXT,"
    " title TEXT,"
    " slug TEXT UNIQUE,"
    " pub_date INTEGER," /* the episode's date */
    " dated_by TEXT CHECK (dated_by IN ('source', 'page', 'first-seen')),"
    " content_hash TEXT," /* of the text of the episode published */
    " etag TEXT, last_modified TEXT,"
    " status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', "
    "'published', 'failed', 'gone', 'duplicate', 'ignored')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " retry_after INTEGER,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " published_at INTEGER,"
    " UNIQUE (source_id, source_key)"
    ");"
    "CREATE INDEX articles_by_source ON articles (source_id, status);",
};

const ac_state_schema fw_schema = {
    "follow", fw_migrations, sizeof fw_migrations / sizeof fw_migrations[0]};

static char *dup_text(sqlite3_stmt *s, int col) {
  const char *t = ac_state_text(s, col);
  return t ? strdup(t) : NULL;
}

static int64_t col_int(sqlite3_stmt *s, int col) {
  return sqlite3_column_type(s, col) == SQLITE_NULL
             ? 0
             : (int64_t)sqlite3_column_int64(s, col);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
}

static void bind_time(sqlite3_stmt *s, int i, int64_t v) {
  if (v)
    sqlite3_bind_int64(s, i, v);
  else
    sqlite3_bind_null(s, i);
}

/* Steps a statement that returns no row and finalizes it. */
static int run(ac_state *st, sqlite3_stmt *s, char *err, size_t errlen) {
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return 0;
  snprintf(err, errlen, "state database: %s", sqlite3_errmsg(ac_state_db(st)));
  return AC_ERR_IO;
}

/* A statement in its own transaction. */
static int run_alone(ac_state *st, sqlite3_stmt *s, char *err, size_t errlen) {
  int rc = ac_state_begin(st, err, errlen);
  if (rc) {
    sqlite3_finalize(s);
    return rc;
  }
  if ((rc = run(st, s, err, errlen))) {
    ac_state_rollback(st);
    return rc;
  }
  return ac_state_commit(st, err, errlen);
}

void fw_source_free(fw_source *s) {
  free(s->location);
  free(s->url);
  free(s->kind);
  free(s->etag);
  free(s->last_modified);
  memset(s, 0, sizeof *s);
}

void fw_article_free(fw_article *a) {
  char **fields[] = {&a->key,       &a->item,          &a->guid,
                     &a->url,       &a->first_title,   &a->title,
                     &a->slug,      &a->dated_by,      &a->content_hash,
                     &a->etag,      &a->last_modified, &a->status,
                     &a->last_error};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  memset(a, 0, sizeof *a);
}

/* ---- Sources ---------------------------------------------------------- */

int fw_source_get(ac_state *st, const char *location, fw_source *out, char *err,
                  size_t errlen) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s;
  int rc = ac_state_prepare(st,
                            "INSERT INTO sources (location) VALUES (?) "
                            "ON CONFLICT (location) DO NOTHING",
                            &s, err, errlen);
  if (rc)
    return rc;
  bind_text(s, 1, location);
  if ((rc = run_alone(st, s, err, errlen)))
    return rc;
  rc = ac_state_prepare(st,
                        "SELECT id, etag, last_modified, failures, "
                        "retry_after, url, kind FROM sources WHERE location "
                        "= ?",
                        &s, err, errlen);
  if (rc)
    return rc;
  bind_text(s, 1, location);
  if (sqlite3_step(s) == SQLITE_ROW) {
    out->id = col_int(s, 0);
    out->location = strdup(location);
    out->etag = dup_text(s, 1);
    out->last_modified = dup_text(s, 2);
    out->failures = (int)col_int(s, 3);
    out->retry_after = col_int(s, 4);
    out->url = dup_text(s, 5);
    out->kind = dup_text(s, 6);
  } else {
    snprintf(err, errlen, "state database: %s",
             sqlite3_errmsg(ac_state_db(st)));
    rc = AC_ERR_IO;
  }
  sqlite3_finalize(s);
  return rc;
}

int fw_source_succeeded(ac_state *st, int64_t id, const ac_listing *l,
                        const char *etag, const char *last_modified,
                        int64_t now, char *err, size_t errlen) {
  sqlite3_stmt *s;
  int rc = ac_state_prepare(
      st,
      "UPDATE sources SET kind = ?, title = coalesce(?, title), url = "
      "coalesce(?, url), etag = ?, last_modified = ?, last_checked = ?, "
      "last_success = ?, last_error = NULL, failures = 0, retry_after = NULL "
      "WHERE id = ?",
      &s, err, errlen);
  if (rc)
    return rc;
  bind_text(s, 1, ac_source_kind_name(l->kind));
  bind_text(s, 2, l->title);
  bind_text(s, 3, l->url);
  bind_text(s, 4, etag);
  bind_text(s, 5, last_modified);
  sqlite3_bind_int64(s, 6, now);
  sqlite3_bind_int64(s, 7, now);
  sqlite3_bind_int64(s, 8, id);
  return run_alone(st, s, err, errlen);
}

int fw_source_failed(ac_state *st, const fw_source *src, const char *error,
                     int64_t now, int64_t retry_after, char *err,
                     size_t errlen) {
  sqlite3_stmt *s;
  int rc = ac_state_prepare(st,
                            "UPDATE sources SET last_checked = ?, last_error = "
                            "?, failures = failures + 1, retry_after = ? "
                            "WHERE id = ?",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, now);
  bind_text(s, 2, error);
  bind_time(s, 3, retry_after);
  sqlite3_bind_int64(s, 4, src->id);
  return run_alone(st, s, err, errlen);
}

bool fw_source_owes_text(ac_state *st, int64_t source_id) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st,
                       "SELECT 1 FROM articles WHERE source_id = ? AND "
                       "text_in_source AND status IN ('new', 'failed') "
                       "LIMIT 1",
                       &s, err, sizeof err))
    return true;
  sqlite3_bind_int64(s, 1, source_id);
  bool owes = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_finalize(s);
  return owes;
}

int64_t fw_source_newest(ac_state *st, int64_t source_id) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st,
                       "SELECT max(pub_date) FROM articles WHERE source_id = "
                       "? AND dated_by IN ('source', 'page')",
                       &s, err, sizeof err))
    return 0;
  sqlite3_bind_int64(s, 1, source_id);
  int64_t newest = sqlite3_step(s) == SQLITE_ROW ? col_int(s, 0) : 0;
  sqlite3_finalize(s);
  return newest;
}

/* ---- Items as JSON ---------------------------------------------------- */

char *fw_item_to_json(const ac_item *it) {
  json_t *o = json_object();
  const char *keys[] = {"guid",    "link",  "title",    "author",
                        "summary", "image", "language", "validator"};
  const char *values[] = {it->guid,    it->link,  it->title,    it->author,
                          it->summary, it->image, it->language, it->validator};
  for (size_t i = 0; o && i < sizeof keys / sizeof keys[0]; i++)
    if (values[i])
      json_object_set_new(o, keys[i], json_string(values[i]));
  if (o && it->date)
    json_object_set_new(o, "date", json_integer(it->date));
  if (o && it->hint)
    json_object_set_new(o, "hint", json_integer(it->hint));
  char *out = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
  json_decref(o);
  return out;
}

int fw_item_from_json(const char *json, ac_item *out) {
  memset(out, 0, sizeof *out);
  json_t *o = json ? json_loads(json, 0, NULL) : NULL;
  if (!json_is_object(o)) {
    json_decref(o);
    return AC_ERR_FORMAT;
  }
  const char *keys[] = {"guid",    "link",  "title",    "author",
                        "summary", "image", "language", "validator"};
  char **fields[] = {&out->guid,     &out->link,     &out->title,
                     &out->author,   &out->summary,  &out->image,
                     &out->language, &out->validator};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *v = json_string_value(json_object_get(o, keys[i]));
    *fields[i] = v ? strdup(v) : NULL;
  }
  out->date = json_integer_value(json_object_get(o, "date"));
  out->hint = json_integer_value(json_object_get(o, "hint"));
  json_decref(o);
  return 0;
}

/* ---- Articles --------------------------------------------------------- */

#define ARTICLE_COLUMNS                                                        \
  "id, source_id, source_key, item, text_in_source, guid, url, first_title, "  \
  "title, slug, pub_date, dated_by, content_hash, etag, last_modified, "       \
  "status, attempts, last_error, retry_after, first_seen, last_seen, "         \
  "published_at"

static void read_article(sqlite3_stmt *s, fw_article *a) {
  a->id = col_int(s, 0);
  a->source_id = col_int(s, 1);
  a->key = dup_text(s, 2);
  a->item = dup_text(s, 3);
  a->text_in_source = col_int(s, 4) != 0;
  char **strings[] = {&a->guid, &a->url, &a->first_title, &a->title, &a->slug};
  for (int i = 0; i < 5; i++)
    *strings[i] = dup_text(s, 5 + i);
  a->pub_date = col_int(s, 10);
  a->dated_by = dup_text(s, 11);
  a->content_hash = dup_text(s, 12);
  a->etag = dup_text(s, 13);
  a->last_modified = dup_text(s, 14);
  a->status = dup_text(s, 15);
  a->attempts = (int)col_int(s, 16);
  a->last_error = dup_text(s, 17);
  a->retry_after = col_int(s, 18);
  a->first_seen = col_int(s, 19);
  a->last_seen = col_int(s, 20);
  a->published_at = col_int(s, 21);
}

/* Runs a one-row article query; AC_ERR_NOTFOUND when there is none. */
static int one_article(ac_state *st, sqlite3_stmt *s, fw_article *out,
                       char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    read_article(s, out);
  else if (rc != SQLITE_DONE)
    snprintf(err, errlen, "state database: %s",
             sqlite3_errmsg(ac_state_db(st)));
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? AC_ERR_NOTFOUND : AC_ERR_IO;
}

int fw_article_get(ac_state *st, int64_t source_id, const char *key,
                   fw_article *out, char *err, size_t errlen) {
  sqlite3_stmt *s;
  int rc = ac_state_prepare(st,
                            "SELECT " ARTICLE_COLUMNS " FROM articles WHERE "
                            "source_id = ? AND source_key = ?",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, source_id);
  bind_text(s, 2, key);
  return one_article(st, s, out, err, errlen);
}

int fw_article_by_id(ac_state *st, int64_t id, fw_article *out, char *err,
                     size_t errlen) {
  sqlite3_stmt *s;
  int rc = ac_state_prepare(
      st, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE id = ?", &s, err,
      errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, id);
  return one_article(st, s, out, err, errlen);
}

int fw_article_save(ac_state *st, const fw_article *a, char *err,
                    size_t errlen) {
  sqlite3_stmt *s;
  int rc = ac_state_prepare(
      st,
      "UPDATE articles SET item = ?, text_in_source = ?, guid = ?, url = ?, "
      "first_title = ?, title = ?, slug = ?, pub_date = ?, dated_by = ?, "
      "content_hash = ?, etag = ?, last_modified = ?, status = ?, attempts "
      "= ?, last_error = ?, retry_after = ?, last_seen = ?, published_at = ? "
      "WHERE id = ?",
      &s, err, errlen);
  if (rc)
    return rc;
  bind_text(s, 1, a->item);
  sqlite3_bind_int(s, 2, a->text_in_source);
  bind_text(s, 3, a->guid);
  bind_text(s, 4, a->url);
  bind_text(s, 5, a->first_title);
  bind_text(s, 6, a->title);
  bind_text(s, 7, a->slug);
  bind_time(s, 8, a->pub_date);
  bind_text(s, 9, a->dated_by);
  bind_text(s, 10, a->content_hash);
  bind_text(s, 11, a->etag);
  bind_text(s, 12, a->last_modified);
  bind_text(s, 13, a->status ? a->status : "new");
  sqlite3_bind_int(s, 14, a->attempts);
  bind_text(s, 15, a->last_error);
  bind_time(s, 16, a->retry_after);
  sqlite3_bind_int64(s, 17, a->last_seen);
  bind_time(s, 18, a->published_at);
  sqlite3_bind_int64(s, 19, a->id);
  return run_alone(st, s, err, errlen);
}

bool fw_slug_taken(ac_state *st, const char *slug, int64_t except) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st, "SELECT 1 FROM articles WHERE slug = ? AND id != ?",
                       &s, err, sizeof err))
    return true;
  bind_text(s, 1, slug);
  sqlite3_bind_int64(s, 2, except);
  bool taken = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_finalize(s);
  return taken;
}

int64_t fw_guid_holder(ac_state *st, const char *guid, int64_t except) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st, "SELECT id FROM articles WHERE guid = ? AND id != ?",
                       &s, err, sizeof err))
    return 0;
  bind_text(s, 1, guid);
  sqlite3_bind_int64(s, 2, except);
  int64_t id = sqlite3_step(s) == SQLITE_ROW ? col_int(s, 0) : 0;
  sqlite3_finalize(s);
  return id;
}

/* ---- Listings --------------------------------------------------------- */

/* One item of a listing: a new row, or what a known one says now. */
static int record_item(ac_state *st, int64_t source_id, const ac_item *it,
                       int64_t now, char *err, size_t errlen) {
  char *json = fw_item_to_json(it);
  if (!json) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  sqlite3_stmt *s;
  int rc = ac_state_prepare(
      st,
      "INSERT INTO articles (source_id, source_key, item, text_in_source, "
      "status, first_seen, last_seen) VALUES (?, ?, ?, ?, 'new', ?, ?) "
      "ON CONFLICT (source_id, source_key) DO UPDATE SET item = "
      "excluded.item, text_in_source = excluded.text_in_source, last_seen = "
      "excluded.last_seen",
      &s, err, errlen);
  if (rc == 0) {
    sqlite3_bind_int64(s, 1, source_id);
    bind_text(s, 2, it->key);
    bind_text(s, 3, json);
    sqlite3_bind_int(s, 4, it->content != NULL);
    sqlite3_bind_int64(s, 5, now);
    sqlite3_bind_int64(s, 6, now);
    rc = run(st, s, err, errlen);
  }
  free(json);
  return rc;
}

/* A complete list that no longer names an article: it is gone. The keys
 * listed go into a temporary table first. */
static int mark_gone(ac_state *st, int64_t source_id, const ac_listing *l,
                     char *err, size_t errlen) {
  int rc = ac_state_exec(st,
                         "CREATE TEMP TABLE IF NOT EXISTS listed (key TEXT "
                         "PRIMARY KEY); DELETE FROM temp.listed;",
                         err, errlen);
  for (size_t i = 0; rc == 0 && i < l->n_items; i++) {
    sqlite3_stmt *s;
    if ((rc = ac_state_prepare(st,
                               "INSERT OR IGNORE INTO temp.listed VALUES (?)",
                               &s, err, errlen)) == 0) {
      bind_text(s, 1, l->items[i].key);
      rc = run(st, s, err, errlen);
    }
  }
  sqlite3_stmt *s;
  if (rc == 0 && (rc = ac_state_prepare(
                      st,
                      "UPDATE articles SET status = 'gone' WHERE source_id = "
                      "? AND status NOT IN ('gone', 'duplicate') AND "
                      "source_key NOT IN (SELECT key FROM temp.listed)",
                      &s, err, errlen)) == 0) {
    sqlite3_bind_int64(s, 1, source_id);
    rc = run(st, s, err, errlen);
  }
  return rc;
}

int fw_record_listing(ac_state *st, int64_t source_id, const ac_listing *l,
                      int64_t now, char *err, size_t errlen) {
  int rc = ac_state_begin(st, err, errlen);
  for (size_t i = 0; rc == 0 && i < l->n_items; i++)
    rc = record_item(st, source_id, &l->items[i], now, err, errlen);
  if (rc == 0 && l->complete)
    rc = mark_gone(st, source_id, l, err, errlen);
  if (rc) {
    ac_state_rollback(st);
    return rc;
  }
  return ac_state_commit(st, err, errlen);
}

int fw_known_items(ac_state *st, int64_t source_id, ac_listing *out, char *err,
                   size_t errlen) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s;
  int rc = ac_state_prepare(st,
                            "SELECT source_key, item FROM articles WHERE "
                            "source_id = ? AND status NOT IN ('gone', "
                            "'duplicate') ORDER BY id",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, source_id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (out->n_items == out->cap_items) {
      size_t cap = out->cap_items ? out->cap_items * 2 : 16;
      ac_item *grown = realloc(out->items, cap * sizeof *grown);
      if (!grown)
        break;
      out->items = grown;
      out->cap_items = cap;
    }
    ac_item *it = &out->items[out->n_items];
    if (fw_item_from_json(ac_state_text(s, 1), it) != 0)
      memset(it, 0, sizeof *it);
    if ((it->key = dup_text(s, 0)) != NULL)
      out->n_items++;
    else
      ac_item_free(it);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    snprintf(err, errlen, "state database: %s",
             sqlite3_errmsg(ac_state_db(st)));
    ac_listing_free(out);
    return AC_ERR_IO;
  }
  return 0;
}
