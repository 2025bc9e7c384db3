/* The site's state database (state.h): SQLite in WAL mode, with per-module
 * schemas brought up to date by migrations. */
#define _GNU_SOURCE /* asprintf */
#include "state.h"
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The layout of the bookkeeping (schema_versions), in PRAGMA user_version. */
#define BOOKKEEPING_VERSION 1

/* How long a statement waits for another process's write lock. */
#define BUSY_TIMEOUT_MS 10000

struct ac_state {
  sqlite3 *db;
  bool in_transaction;
};

static int fail(ac_state *st, int code, char *err, size_t errlen,
                const char *what) {
  snprintf(err, errlen, "%s: %s", what,
           st && st->db ? sqlite3_errmsg(st->db) : "out of memory");
  return code;
}

int ac_state_exec(ac_state *st, const char *sql, char *err, size_t errlen) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return 0;
  snprintf(err, errlen, "state database: %s", msg ? msg : "error");
  sqlite3_free(msg);
  return AC_ERR_IO;
}

int ac_state_prepare(ac_state *st, const char *sql, sqlite3_stmt **out,
                     char *err, size_t errlen) {
  if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) == SQLITE_OK)
    return 0;
  *out = NULL;
  return fail(st, AC_ERR_IO, err, errlen, "state database");
}

const char *ac_state_text(sqlite3_stmt *s, int col) {
  return (const char *)sqlite3_column_text(s, col);
}

sqlite3 *ac_state_db(ac_state *st) {
  return st->db;
}

int ac_state_begin(ac_state *st, char *err, size_t errlen) {
  int rc = ac_state_exec(st, "BEGIN IMMEDIATE", err, errlen);
  st->in_transaction = rc == 0;
  return rc;
}

int ac_state_commit(ac_state *st, char *err, size_t errlen) {
  int rc = ac_state_exec(st, "COMMIT", err, errlen);
  if (rc) {
    ac_state_rollback(st);
    return rc;
  }
  st->in_transaction = false;
  ac_checkpoint("state saved");
  return 0;
}

void ac_state_rollback(ac_state *st) {
  if (st->in_transaction)
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  st->in_transaction = false;
}

int ac_state_module_version(ac_state *st, const char *name) {
  sqlite3_stmt *s = NULL;
  int version = 0;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT version FROM schema_versions WHERE module = ?",
                         -1, &s, NULL) == SQLITE_OK &&
      sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    version = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return version;
}

static int pragma_int(ac_state *st, const char *pragma, int *out) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(st->db, pragma, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    *out = sqlite3_column_int(s, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return rc == SQLITE_OK ? 0 : -1;
}

/* The bookkeeping table, made once; a newer layout is refused. */
static int ensure_bookkeeping(ac_state *st, const char *path, char *err,
                              size_t errlen) {
  int have = 0;
  if (pragma_int(st, "PRAGMA user_version", &have) != 0)
    return fail(st, AC_ERR_IO, err, errlen, path);
  if (have > BOOKKEEPING_VERSION) {
    snprintf(err, errlen,
             "%s was written by a newer articast (layout %d, this one knows "
             "%d): left as it is",
             path, have, BOOKKEEPING_VERSION);
    return AC_ERR_UNSUPPORTED;
  }
  if (have == BOOKKEEPING_VERSION)
    return 0;
  int rc = ac_state_begin(st, err, errlen);
  if (rc == 0)
    rc = ac_state_exec(st,
                       "CREATE TABLE IF NOT EXISTS schema_versions ("
                       " module TEXT PRIMARY KEY,"
                       " version INTEGER NOT NULL);"
                       "PRAGMA user_version = 1;",
                       err, errlen);
  return rc ? (ac_state_rollback(st), rc) : ac_state_commit(st, err, errlen);
}

/* Runs the migrations of `schema` the database has not run, each in a
 * transaction with its version bump. */
static int migrate(ac_state *st, const ac_state_schema *schema,
                   const char *path, char *err, size_t errlen) {
  int have = ac_state_module_version(st, schema->name);
  if (have > schema->count) {
    snprintf(err, errlen,
             "%s: its %s tables were written by a newer articast (version "
             "%d, this one knows %d): left as they are",
             path, schema->name, have, schema->count);
    return AC_ERR_UNSUPPORTED;
  }
  for (int v = have; v < schema->count; v++) {
    int rc = ac_state_begin(st, err, errlen);
    if (rc)
      return rc;
    /* Inside the transaction, so two processes never run one twice. */
    if (ac_state_module_version(st, schema->name) > v) {
      ac_state_rollback(st);
      continue;
    }
    char *bump = NULL;
    if (asprintf(&bump,
                 "INSERT INTO schema_versions (module, version) VALUES "
                 "('%s', %d) ON CONFLICT (module) DO UPDATE SET version = "
                 "excluded.version",
                 schema->name, v + 1) < 0) {
      ac_state_rollback(st);
      snprintf(err, errlen, "out of memory");
      return AC_ERR_NOMEM;
    }
    rc = ac_state_exec(st, schema->migrations[v], err, errlen);
    if (rc == 0)
      rc = ac_state_exec(st, bump, err, errlen);
    free(bump);
    if (rc) {
      ac_state_rollback(st);
      size_t n = strlen(err);
      snprintf(err + n, errlen > n ? errlen - n : 0,
               " (migrating the %s tables of %s to version %d)", schema->name,
               path, v + 1);
      return rc;
    }
    if ((rc = ac_state_commit(st, err, errlen)))
      return rc;
  }
  return 0;
}

static bool valid_module_name(const char *name) {
  if (!name || !*name)
    return false;
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
      return false;
  return true;
}

/* Opens the connection and sets it up: WAL, synchronous, busy timeout,
 * foreign keys. */
static int connect(const char *path, int flags, ac_state **out, char *err,
                   size_t errlen) {
  ac_state *st = calloc(1, sizeof *st);
  if (!st) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOFOLLOW, NULL) !=
      SQLITE_OK) {
    int rc = fail(st, AC_ERR_IO, err, errlen, path);
    ac_state_close(st);
    return rc;
  }
  sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes(st->db, 1);
  int rc = 0;
  if (!(flags & SQLITE_OPEN_READONLY))
    rc = ac_state_exec(st,
                       "PRAGMA journal_mode = WAL;"
                       "PRAGMA synchronous = FULL;",
                       err, errlen);
  if (rc == 0)
    rc = ac_state_exec(st, "PRAGMA foreign_keys = ON;", err, errlen);
  if (rc) {
    size_t n = strlen(err);
    snprintf(err + n, errlen > n ? errlen - n : 0, " (%s)", path);
    ac_state_close(st);
    return rc;
  }
  *out = st;
  return 0;
}

int ac_state_open(const char *site_dir, const ac_state_schema *schemas,
                  size_t n, ac_state **out, char *err, size_t errlen) {
  *out = NULL;
  for (size_t i = 0; i < n; i++)
    if (!valid_module_name(schemas[i].name) || schemas[i].count < 0) {
      snprintf(err, errlen, "state schema '%s': not a valid module",
               schemas[i].name ? schemas[i].name : "(null)");
      return AC_ERR_INVALID;
    }
  int e = ac_mkdirs(site_dir);
  if (e) {
    snprintf(err, errlen, "%s: cannot create: %s", site_dir, strerror(-e));
    return AC_ERR_IO;
  }
  char *path = ac_path_join(site_dir, AC_STATE_FILE);
  if (!path) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  ac_state *st = NULL;
  int rc = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st, err,
                   errlen);
  if (rc == 0)
    rc = ensure_bookkeeping(st, path, err, errlen);
  for (size_t i = 0; rc == 0 && i < n; i++)
    rc = migrate(st, &schemas[i], path, err, errlen);
  free(path);
  if (rc) {
    ac_state_close(st);
    return rc;
  }
  *out = st;
  return 0;
}

int ac_state_open_readonly(const char *site_dir, ac_state **out, char *err,
                           size_t errlen) {
  *out = NULL;
  char *path = ac_path_join(site_dir, AC_STATE_FILE);
  if (!path) {
    snprintf(err, errlen, "out of memory");
    return AC_ERR_NOMEM;
  }
  struct stat sb;
  if (stat(path, &sb) != 0) {
    snprintf(err, errlen, "%s: no state database (%s)", site_dir,
             strerror(errno));
    free(path);
    return AC_ERR_NOTFOUND;
  }
  int rc = connect(path, SQLITE_OPEN_READONLY, out, err, errlen);
  free(path);
  return rc;
}

void ac_state_close(ac_state *st) {
  if (!st)
    return;
  ac_state_rollback(st);
  sqlite3_close(st->db);
  free(st);
}
