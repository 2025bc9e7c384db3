/*
 * The site's state database: SITE/.articast.db, SQLite (a dot file, like
 * every file of the site that is not for listeners, so no web server set
 * to hide dot files ever serves it).
 *
 * What it guarantees: the database is in WAL mode with synchronous=FULL,
 * so a transaction that committed survives a kill or a power cut, and one
 * that did not leaves nothing; readers (`articast status`) never block a
 * writer; a busy timeout lets two processes take turns.
 *
 * Several modules keep tables in it, each with a schema of its own: a
 * module is a name and an ordered list of migrations (SQL scripts), and
 * the database records, per module, how many of them it has run
 * (table schema_versions). Opening the database with a module's schema
 * runs the migrations it has not run yet, each in a transaction of its
 * own. PRAGMA user_version versions this bookkeeping itself.
 *
 * Adding a table for a new module (say an HTTP service's jobs):
 *
 *   static const char *const jobs_migrations[] = {
 *       "CREATE TABLE jobs (id INTEGER PRIMARY KEY, ...);",
 *       // later: "ALTER TABLE jobs ADD COLUMN ...;", never edit a shipped one
 *   };
 *   static const ac_state_schema jobs_schema = {"jobs", jobs_migrations, 1};
 *   ac_state_open(site, &jobs_schema, 1, &st, err, sizeof err);
 *
 * Name the module's tables after it or after what they hold; a module
 * only ever changes its own tables. Write every change inside
 * ac_state_begin / ac_state_commit.
 */
#ifndef ARTICAST_STATE_H
#define ARTICAST_STATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The database's file name inside SITE. */
#define AC_STATE_FILE ".articast.db"

typedef struct ac_state_schema {
  const char *name;              /* [a-z0-9_]+, unique among modules */
  const char *const *migrations; /* migrations[i] takes the module from
                                    version i to version i + 1 */
  int count;
} ac_state_schema;

typedef struct ac_state ac_state;

/* Opens (creating it and SITE when missing) SITE/.articast.db and brings
 * each of the n schemas up to date. On failure returns an AC_ERR_* code
 * with why in err (a database of a newer articast is refused, not
 * changed). */
int ac_state_open(const char *site_dir, const ac_state_schema *schemas,
                  size_t n, ac_state **out, char *err, size_t errlen);
/* Opens an existing database to read it only: AC_ERR_NOTFOUND when SITE
 * has none. */
int ac_state_open_readonly(const char *site_dir, ac_state **out, char *err,
                           size_t errlen);
void ac_state_close(ac_state *st);
/* The connection, for the module's own statements. */
sqlite3 *ac_state_db(ac_state *st);
/* The version of module `name` in the database (0: none yet). */
int ac_state_module_version(ac_state *st, const char *name);

/* BEGIN IMMEDIATE: the write lock is taken at once, so a transaction never
 * fails half-way for want of it. */
int ac_state_begin(ac_state *st, char *err, size_t errlen);
/* COMMIT, then a checkpoint of the crash tests (ac_checkpoint). */
int ac_state_commit(ac_state *st, char *err, size_t errlen);
/* ROLLBACK, when a transaction is open. */
void ac_state_rollback(ac_state *st);

/* Statement helpers: prepare, bind text (NULL binds NULL) and integers,
 * step. They write sqlite's message into err and return an AC_ERR_*. */
int ac_state_prepare(ac_state *st, const char *sql, sqlite3_stmt **out,
                     char *err, size_t errlen);
int ac_state_exec(ac_state *st, const char *sql, char *err, size_t errlen);
/* A column as text, NULL when it is NULL; valid until the next step. */
const char *ac_state_text(sqlite3_stmt *s, int col);

#endif
