/* The embedded job queue of `articast serve` (jobs_db.h). */
#define _GNU_SOURCE /* asprintf */
#include "jobs_db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Migrations of the "jobs" module: append, never edit one that shipped. */
static const char *const jobs_migrations[] = {
    /* 1: the jobs and their stored form (job.h's key/value pairs). */
    "CREATE TABLE jobs ("
    " seq INTEGER PRIMARY KEY," /* the queue's order */
    " id TEXT NOT NULL UNIQUE," /* public: 32 hex digits */
    " key TEXT NOT NULL,"       /* episode identity, or the bytes' digest */
    " digest TEXT,"             /* ac_job_digest; NULL: forgotten */
    " is_url INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', "
    "'failed')),"
    " worker INTEGER," /* pid of the worker that runs it */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " error TEXT, slug TEXT, guid TEXT, files TEXT,"
    " render_seconds REAL,"
    " created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,"
    " callback_url TEXT,"
    " callback_state TEXT NOT NULL DEFAULT 'none' CHECK (callback_state IN "
    "('none', 'pending', 'delivered', 'given-up')),"
    " callback_tries INTEGER NOT NULL DEFAULT 0,"
    " callback_due INTEGER, callback_error TEXT"
    ");"
    "CREATE INDEX jobs_by_state ON jobs (state, seq);"
    "CREATE INDEX jobs_by_key ON jobs (key, seq);"
    "CREATE INDEX jobs_by_slug ON jobs (slug);"
    "CREATE INDEX jobs_by_callback ON jobs (callback_state, callback_due);"
    "CREATE TABLE job_fields ("
    " job INTEGER NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,"
    " name TEXT NOT NULL, value BLOB NOT NULL,"
    " PRIMARY KEY (job, name));",
};

const ac_state_schema ac_jobs_schema = {"jobs", jobs_migrations,
                                        sizeof jobs_migrations /
                                            sizeof jobs_migrations[0]};

static int64_t now_s(void) {
  return (int64_t)time(NULL);
}

static char *dup_col(sqlite3_stmt *s, int col) {
  const char *t = ac_state_text(s, col);
  return t ? strdup(t) : NULL;
}

/* Binds NULL for a NULL string. */
static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
}

static int db_fail(ac_state *st, sqlite3_stmt *s, char *err, size_t errlen) {
  snprintf(err, errlen, "state database: %s", sqlite3_errmsg(ac_state_db(st)));
  sqlite3_finalize(s);
  return AC_ERR_IO;
}

/* Steps a statement that returns no row, then finalizes it. */
static int step_done(ac_state *st, sqlite3_stmt *s, char *err, size_t errlen) {
  if (sqlite3_step(s) != SQLITE_DONE)
    return db_fail(st, s, err, errlen);
  sqlite3_finalize(s);
  return 0;
}

void ac_job_row_free(ac_job_row *r) {
  free(r->state);
  free(r->key);
  free(r->error);
  free(r->slug);
  free(r->guid);
  free(r->files);
  free(r->callback_url);
  memset(r, 0, sizeof *r);
}

static int new_id(char id[AC_JOBS_ID_LEN], char *err, size_t errlen) {
  unsigned char raw[16];
  if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
    snprintf(err, errlen, "no random bytes for a job id");
    return AC_ERR_IO;
  }
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf(id + 2 * i, 3, "%02x", raw[i]);
  return 0;
}

/* Writes the job's stored form for row `seq`, replacing what it had. */
static int save_fields(ac_state *st, int64_t seq, const ac_job *job, char *err,
                       size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st, "DELETE FROM job_fields WHERE job = ?", &s, err,
                            errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, seq);
  if ((rc = step_done(st, s, err, errlen)))
    return rc;
  ac_job_field fields[AC_JOB_MAX_FIELDS];
  size_t n = ac_job_to_fields(job, fields);
  for (size_t i = 0; i < n; i++) {
    if ((rc = ac_state_prepare(st,
                               "INSERT INTO job_fields (job, name, value) "
                               "VALUES (?, ?, ?)",
                               &s, err, errlen)))
      return rc;
    sqlite3_bind_int64(s, 1, seq);
    sqlite3_bind_text(s, 2, fields[i].key, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 3, fields[i].value ? fields[i].value : "",
                        fields[i].len, SQLITE_STATIC);
    if ((rc = step_done(st, s, err, errlen)))
      return rc;
  }
  return 0;
}

/* Reads row `seq`'s stored form back into a job (validated). */
static int load_fields(ac_state *st, int64_t seq, ac_job *job, char *err,
                       size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(
      st, "SELECT name, value FROM job_fields WHERE job = ? LIMIT 16", &s, err,
      errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, seq);
  ac_job_field fields[16];
  char *keep[32];
  size_t n = 0, k = 0;
  while (sqlite3_step(s) == SQLITE_ROW && n < 16) {
    const void *v = sqlite3_column_blob(s, 1);
    size_t len = (size_t)sqlite3_column_bytes(s, 1);
    char *name = dup_col(s, 0), *value = malloc(len + 1);
    if (!name || !value) {
      free(name);
      free(value);
      break;
    }
    if (len)
      memcpy(value, v, len);
    value[len] = '\0';
    keep[k++] = name;
    keep[k++] = value;
    fields[n++] = (ac_job_field){name, value, len};
  }
  sqlite3_finalize(s);
  rc = ac_job_from_fields(job, fields, n, err, errlen);
  for (size_t i = 0; i < k; i++)
    free(keep[i]);
  return rc ? AC_ERR_FORMAT : 0;
}

/* The newest row of `key`: its seq, state and digest (*seq 0: none). */
static int newest_of_key(ac_state *st, const char *key, int64_t *seq,
                         char id[AC_JOBS_ID_LEN], char state[16],
                         char digest[65], char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st,
                            "SELECT seq, id, state, digest FROM jobs WHERE "
                            "key = ? ORDER BY seq DESC LIMIT 1",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  *seq = 0;
  int r = sqlite3_step(s);
  if (r == SQLITE_ROW) {
    *seq = sqlite3_column_int64(s, 0);
    const char *t = ac_state_text(s, 1), *d = ac_state_text(s, 3);
    snprintf(id, AC_JOBS_ID_LEN, "%s", t ? t : "");
    snprintf(state, 16, "%s", ac_state_text(s, 2));
    snprintf(digest, 65, "%s", d ? d : "");
  } else if (r != SQLITE_DONE) {
    return db_fail(st, s, err, errlen);
  }
  sqlite3_finalize(s);
  return 0;
}

static int insert_job(ac_state *st, const ac_job *job, const char *key,
                      const char *digest, char id[AC_JOBS_ID_LEN], char *err,
                      size_t errlen) {
  int rc = new_id(id, err, errlen);
  sqlite3_stmt *s = NULL;
  if (rc || (rc = ac_state_prepare(st,
                                   "INSERT INTO jobs (id, key, digest, is_url, "
                                   "state, created_at, callback_url) VALUES "
                                   "(?, ?, ?, ?, 'queued', ?, ?)",
                                   &s, err, errlen)))
    return rc;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, digest, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 4, job->url != NULL);
  sqlite3_bind_int64(s, 5, now_s());
  bind_text(s, 6, job->callback_url);
  if ((rc = step_done(st, s, err, errlen)))
    return rc;
  return save_fields(st, sqlite3_last_insert_rowid(ac_state_db(st)), job, err,
                     errlen);
}

/* Gives the waiting row `seq` the job's newer content. */
static int replace_queued(ac_state *st, int64_t seq, const ac_job *job,
                          const char *digest, char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st,
                            "UPDATE jobs SET digest = ?, callback_url = ? "
                            "WHERE seq = ?",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
  bind_text(s, 2, job->callback_url);
  sqlite3_bind_int64(s, 3, seq);
  if ((rc = step_done(st, s, err, errlen)))
    return rc;
  return save_fields(st, seq, job, err, errlen);
}

int ac_jobs_enqueue(ac_state *st, const ac_job *job, char id[AC_JOBS_ID_LEN],
                    bool *reused, char *err, size_t errlen) {
  char digest[65], old_digest[65] = "", state[16] = "";
  ac_job_digest(job, digest);
  char *key = ac_job_key(job, digest);
  if (!key) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  *reused = false;
  int64_t seq = 0;
  int rc = ac_state_begin(st, err, errlen);
  if (rc == 0)
    rc = newest_of_key(st, key, &seq, id, state, old_digest, err, errlen);
  if (rc == 0) {
    bool same = seq && strcmp(digest, old_digest) == 0;
    bool waiting = strcmp(state, "queued") == 0;
    if (same && (waiting || strcmp(state, "running") == 0 ||
                 (strcmp(state, "done") == 0 && !job->url)))
      *reused = true; /* nothing changed: that job stands for this one */
    else if (seq && waiting)
      rc = replace_queued(st, seq, job, digest, err, errlen);
    else
      rc = insert_job(st, job, key, digest, id, err, errlen);
  }
  free(key);
  if (rc == 0)
    return ac_state_commit(st, err, errlen);
  ac_state_rollback(st);
  return rc;
}

/* Fails a claimed row whose stored job cannot be read. */
static int fail_row(ac_state *st, int64_t seq, const char *why, char *err,
                    size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st,
                            "UPDATE jobs SET state = 'failed', error = ?, "
                            "finished_at = ?, callback_state = CASE WHEN "
                            "callback_url IS NULL THEN 'none' ELSE 'pending' "
                            "END, callback_due = ? WHERE seq = ?",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_text(s, 1, why, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, now_s());
  sqlite3_bind_int64(s, 3, now_s());
  sqlite3_bind_int64(s, 4, seq);
  return step_done(st, s, err, errlen);
}

/* In a transaction: marks the next job running. *seq 0: none. */
static int take_next(ac_state *st, pid_t pid, int64_t *seq,
                     char id[AC_JOBS_ID_LEN], char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(
      st,
      "SELECT seq, id FROM jobs AS j WHERE state = 'queued' AND NOT EXISTS "
      "(SELECT 1 FROM jobs AS r WHERE r.key = j.key AND r.state = "
      "'running') ORDER BY seq LIMIT 1",
      &s, err, errlen);
  if (rc)
    return rc;
  *seq = 0;
  int r = sqlite3_step(s);
  if (r == SQLITE_ROW) {
    *seq = sqlite3_column_int64(s, 0);
    snprintf(id, AC_JOBS_ID_LEN, "%s", ac_state_text(s, 1));
  } else if (r != SQLITE_DONE) {
    return db_fail(st, s, err, errlen);
  }
  sqlite3_finalize(s);
  if (*seq == 0)
    return 0;
  if ((rc = ac_state_prepare(st,
                             "UPDATE jobs SET state = 'running', worker = ?, "
                             "attempts = attempts + 1, started_at = ? WHERE "
                             "seq = ?",
                             &s, err, errlen)))
    return rc;
  sqlite3_bind_int64(s, 1, pid);
  sqlite3_bind_int64(s, 2, now_s());
  sqlite3_bind_int64(s, 3, *seq);
  return step_done(st, s, err, errlen);
}

int ac_jobs_claim(ac_state *st, pid_t pid, ac_job *job, char id[AC_JOBS_ID_LEN],
                  bool *got, char *err, size_t errlen) {
  *got = false;
  for (;;) {
    int64_t seq = 0;
    int rc = ac_state_begin(st, err, errlen);
    if (rc == 0 && (rc = take_next(st, pid, &seq, id, err, errlen)) == 0 &&
        seq) {
      char why[512];
      if (load_fields(st, seq, job, why, sizeof why) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "the stored job is not valid: %s", why);
        rc = fail_row(st, seq, msg, err, errlen);
        seq = -1; /* look for another */
      }
    }
    if (rc) {
      ac_state_rollback(st);
      return rc;
    }
    if ((rc = ac_state_commit(st, err, errlen)))
      return rc;
    if (seq >= 0) {
      *got = seq > 0;
      return 0;
    }
  }
}

/* The files of a result as a JSON array. */
static char *files_json(const ac_job_result *res) {
  json_t *a = json_array();
  for (size_t i = 0; a && res && i < res->n_files; i++)
    json_array_append_new(a, json_string(res->files[i]));
  char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
  json_decref(a);
  return s;
}

int ac_jobs_finish(ac_state *st, const char *id, bool ok,
                   const ac_job_result *res, const char *error, double seconds,
                   char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  char *files = ok ? files_json(res) : NULL;
  int rc = ac_state_prepare(
      st,
      "UPDATE jobs SET state = ?, worker = NULL, error = ?, slug = "
      "COALESCE(?, slug), guid = COALESCE(?, guid), files = ?, "
      "render_seconds = ?, finished_at = ?, callback_state = CASE WHEN "
      "callback_url IS NULL THEN 'none' ELSE 'pending' END, callback_tries "
      "= 0, callback_due = ? WHERE id = ? AND state = 'running'",
      &s, err, errlen);
  if (rc == 0) {
    sqlite3_bind_text(s, 1, ok ? "done" : "failed", -1, SQLITE_STATIC);
    bind_text(s, 2,
              ok ? NULL : (error && *error ? error : "the render failed"));
    bind_text(s, 3, ok && res ? res->slug : NULL);
    bind_text(s, 4, ok && res ? res->guid : NULL);
    bind_text(s, 5, files);
    sqlite3_bind_double(s, 6, seconds);
    sqlite3_bind_int64(s, 7, now_s());
    sqlite3_bind_int64(s, 8, now_s());
    sqlite3_bind_text(s, 9, id, -1, SQLITE_STATIC);
    rc = step_done(st, s, err, errlen);
  }
  free(files);
  /* The article's bytes served their purpose: the row keeps its digest. */
  if (rc == 0 &&
      (rc = ac_state_prepare(st,
                             "DELETE FROM job_fields WHERE job = (SELECT seq "
                             "FROM jobs WHERE id = ? AND state IN ('done', "
                             "'failed'))",
                             &s, err, errlen)) == 0) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    rc = step_done(st, s, err, errlen);
  }
  return rc;
}

int ac_jobs_release(ac_state *st, pid_t pid, char *err, size_t errlen) {
  static const char *const sql[] = {
      "UPDATE jobs SET state = 'failed', worker = NULL, finished_at = ?2, "
      "error = 'its worker died (or was stopped) ' || attempts || ' times "
      "while rendering it',"
      " callback_state = CASE WHEN callback_url IS NULL THEN 'none' ELSE "
      "'pending' END, callback_due = ?2 WHERE state = 'running' AND (?1 = 0 "
      "OR worker = ?1) AND attempts >= ?3",
      "UPDATE jobs SET state = 'queued', worker = NULL WHERE state = "
      "'running' AND (?1 = 0 OR worker = ?1)"};
  int changed = 0, rc = ac_state_begin(st, err, errlen);
  for (size_t i = 0; rc == 0 && i < 2; i++) {
    sqlite3_stmt *s = NULL;
    if ((rc = ac_state_prepare(st, sql[i], &s, err, errlen)))
      break;
    sqlite3_bind_int64(s, 1, pid);
    if (i == 0) {
      sqlite3_bind_int64(s, 2, now_s());
      sqlite3_bind_int(s, 3, AC_JOBS_MAX_ATTEMPTS);
    }
    rc = step_done(st, s, err, errlen);
    changed += sqlite3_changes(ac_state_db(st));
  }
  if (rc == 0)
    rc = ac_state_commit(st, err, errlen);
  else
    ac_state_rollback(st);
  return rc ? rc : changed;
}

int ac_jobs_get(ac_state *st, const char *id, ac_job_row *out, char *err,
                size_t errlen) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(
      st,
      "SELECT id, state, key, error, slug, guid, files, callback_url, "
      "attempts, created_at, started_at, finished_at, render_seconds FROM "
      "jobs WHERE id = ?",
      &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int r = sqlite3_step(s);
  if (r == SQLITE_DONE) {
    sqlite3_finalize(s);
    snprintf(err, errlen, "no job %s", id);
    return AC_ERR_NOTFOUND;
  }
  if (r != SQLITE_ROW)
    return db_fail(st, s, err, errlen);
  snprintf(out->id, sizeof out->id, "%s", ac_state_text(s, 0));
  out->state = dup_col(s, 1);
  out->key = dup_col(s, 2);
  out->error = dup_col(s, 3);
  out->slug = dup_col(s, 4);
  out->guid = dup_col(s, 5);
  out->files = dup_col(s, 6);
  out->callback_url = dup_col(s, 7);
  out->attempts = sqlite3_column_int(s, 8);
  out->created_at = sqlite3_column_int64(s, 9);
  out->started_at = sqlite3_column_int64(s, 10);
  out->finished_at = sqlite3_column_int64(s, 11);
  out->render_seconds = sqlite3_column_double(s, 12);
  sqlite3_finalize(s);
  if (!out->state) {
    ac_job_row_free(out);
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  return 0;
}

int ac_jobs_prune(ac_state *st, int64_t days, char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st,
                            "DELETE FROM jobs WHERE state IN ('done', "
                            "'failed') AND finished_at < ? AND "
                            "callback_state <> 'pending'",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 1, now_s() - days * 86400);
  if ((rc = step_done(st, s, err, errlen)))
    return rc;
  return sqlite3_changes(ac_state_db(st));
}

int ac_jobs_forget_slug(ac_state *st, const char *slug, char *err,
                        size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(st, "UPDATE jobs SET digest = NULL WHERE slug = ?",
                            &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
  return step_done(st, s, err, errlen);
}

int ac_jobs_stats_read(ac_state *st, ac_jobs_stats *out, char *err,
                       size_t errlen) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = NULL;
  int rc = ac_state_prepare(
      st,
      "SELECT state, count(*), total(render_seconds), count(render_seconds) "
      "FROM jobs GROUP BY state",
      &s, err, errlen);
  if (rc)
    return rc;
  int r;
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {
    const char *state = ac_state_text(s, 0);
    int64_t n = sqlite3_column_int64(s, 1);
    if (strcmp(state, "queued") == 0)
      out->queued = n;
    else if (strcmp(state, "running") == 0)
      out->running = n;
    else if (strcmp(state, "done") == 0)
      out->done = n;
    else if (strcmp(state, "failed") == 0)
      out->failed = n;
    out->render_seconds += sqlite3_column_double(s, 2);
    out->rendered += sqlite3_column_int64(s, 3);
  }
  if (r != SQLITE_DONE)
    return db_fail(st, s, err, errlen);
  sqlite3_finalize(s);
  return 0;
}

int ac_jobs_claim_callback(ac_state *st, int64_t now, ac_job_row *out,
                           bool *got, char *err, size_t errlen) {
  *got = false;
  char id[AC_JOBS_ID_LEN] = "";
  sqlite3_stmt *s = NULL;
  int rc = ac_state_begin(st, err, errlen);
  if (rc == 0 &&
      (rc = ac_state_prepare(st,
                             "SELECT id FROM jobs WHERE callback_state = "
                             "'pending' AND callback_due <= ? ORDER BY "
                             "callback_due LIMIT 1",
                             &s, err, errlen)) == 0) {
    sqlite3_bind_int64(s, 1, now);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
      snprintf(id, sizeof id, "%s", ac_state_text(s, 0));
    else if (r != SQLITE_DONE)
      rc = db_fail(st, s, err, errlen), s = NULL;
    sqlite3_finalize(s);
  }
  if (rc == 0 && id[0] &&
      (rc = ac_state_prepare(st,
                             "UPDATE jobs SET callback_tries = callback_tries "
                             "+ 1, callback_due = ? WHERE id = ?",
                             &s, err, errlen)) == 0) {
    /* Taken: due again only if this try is never reported. */
    sqlite3_bind_int64(s, 1, now + 600);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    rc = step_done(st, s, err, errlen);
  }
  if (rc) {
    ac_state_rollback(st);
    return rc;
  }
  if ((rc = ac_state_commit(st, err, errlen)) || !id[0])
    return rc;
  if ((rc = ac_jobs_get(st, id, out, err, errlen)) == 0)
    *got = true;
  return rc;
}

int ac_jobs_callback_tried(ac_state *st, const char *id, bool delivered,
                           const char *error, char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  /* Back-off: 2, 8, 32 seconds after the 1st, 2nd and 3rd tries. */
  int rc = ac_state_prepare(
      st,
      "UPDATE jobs SET callback_state = CASE WHEN ?1 THEN 'delivered' WHEN "
      "callback_tries >= ?2 THEN 'given-up' ELSE 'pending' END, callback_due "
      "= ?3 + (2 << (2 * (callback_tries - 1))), callback_error = ?4 WHERE "
      "id = ?5",
      &s, err, errlen);
  if (rc)
    return rc;
  sqlite3_bind_int(s, 1, delivered);
  sqlite3_bind_int(s, 2, AC_JOBS_CALLBACK_TRIES);
  sqlite3_bind_int64(s, 3, now_s());
  bind_text(s, 4, delivered ? NULL : error);
  sqlite3_bind_text(s, 5, id, -1, SQLITE_STATIC);
  return step_done(st, s, err, errlen);
}
