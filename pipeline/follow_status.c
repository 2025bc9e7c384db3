/* `articast status`: what the site's state database holds of the sources
 * followed and their articles, as tables or as JSON. */
#include "date.h"
#include "follow.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_status[] =
    "Usage: articast status [-o SITE] [-c CONFIG] [--json]\n"
    "Print what 'articast follow' keeps in SITE/.articast.db: each source\n"
    "(when it was last read, its last error) and each article (its status,\n"
    "date, slug, attempts and last error).\n"
    "\n"
    "  -o, --site DIR     site folder (default: ./site or [pipeline] site)\n"
    "  -c, --config FILE  the config, for its [pipeline] site\n"
    "      --json         print JSON instead of tables\n"
    "  -h, --help         this help\n";

/* "2024-06-03 10:00 UTC", or "-" for 0. */
static void show_time(int64_t t, char *out, size_t len) {
  if (!t) {
    snprintf(out, len, "-");
    return;
  }
  ac_date d;
  ac_date_from_unix(t, &d);
  snprintf(out, len, "%04d-%02d-%02d %02d:%02d UTC", d.year, d.month, d.day,
           d.hour, d.minute);
}

static void show_day(int64_t t, char *out, size_t len) {
  if (!t) {
    snprintf(out, len, "-");
    return;
  }
  ac_date d;
  ac_date_from_unix(t, &d);
  snprintf(out, len, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* Prints s in a column of `width` characters: cut with "…" when longer,
 * padded with spaces when shorter (pad false: not padded); NULL or "" as
 * "-". */
static void put_cell(const char *s, size_t width, bool pad) {
  if (!s || !*s)
    s = "-";
  size_t chars = 0, cut = 0, i = 0;
  for (; s[i]; i++) {
    if (((unsigned char)s[i] & 0xC0) == 0x80)
      continue;
    if (chars == width - 1)
      cut = i;
    chars++;
  }
  if (chars > width) {
    printf("%.*s\xE2\x80\xA6", (int)cut, s);
    chars = width;
  } else {
    fputs(s, stdout);
  }
  for (; pad && chars < width; chars++)
    putchar(' ');
}

static int64_t col_int(sqlite3_stmt *s, int col) {
  return (int64_t)sqlite3_column_int64(s, col);
}

static void print_sources(ac_state *st) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st,
                       "SELECT location, kind, (SELECT count(*) FROM articles "
                       "a WHERE a.source_id = sources.id), last_success, "
                       "last_error, failures, retry_after FROM sources "
                       "ORDER BY id",
                       &s, err, sizeof err))
    return;
  printf("%-48s %-9s %8s  %-21s %s\n", "SOURCE", "KIND", "ARTICLES",
         "LAST SUCCESS", "LAST ERROR");
  while (sqlite3_step(s) == SQLITE_ROW) {
    char ok[40], retry[40];
    show_time(col_int(s, 3), ok, sizeof ok);
    put_cell(ac_state_text(s, 0), 48, true);
    printf(" %-9s %8lld  %-21s ",
           ac_state_text(s, 1) ? ac_state_text(s, 1) : "-",
           (long long)col_int(s, 2), ok);
    put_cell(ac_state_text(s, 4), 200, false);
    if (ac_state_text(s, 4)) {
      show_time(col_int(s, 6), retry, sizeof retry);
      printf(" (%lld in a row; next try after %s)", (long long)col_int(s, 5),
             retry);
    }
    printf("\n");
  }
  sqlite3_finalize(s);
}

static void print_articles(ac_state *st) {
  sqlite3_stmt *s;
  char err[256];
  if (ac_state_prepare(st,
                       "SELECT status, pub_date, slug, coalesce(title, "
                       "json_extract(item, '$.title'), source_key), "
                       "attempts, last_error, retry_after FROM articles "
                       "ORDER BY pub_date IS NULL, pub_date, id",
                       &s, err, sizeof err))
    return;
  printf("\n%-10s %-10s %-8s %-48s %s\n", "STATUS", "DATE", "ATTEMPTS", "TITLE",
         "SLUG");
  while (sqlite3_step(s) == SQLITE_ROW) {
    char day[16];
    const char *status = ac_state_text(s, 0);
    show_day(col_int(s, 1), day, sizeof day);
    printf("%-10s %-10s %8lld ", status, day, (long long)col_int(s, 4));
    put_cell(ac_state_text(s, 3), 48, true);
    putchar(' ');
    put_cell(ac_state_text(s, 2), 200, false);
    putchar('\n');
    if (ac_state_text(s, 5)) {
      char retry[40];
      show_time(col_int(s, 6), retry, sizeof retry);
      printf("%-10s ", "");
      put_cell(ac_state_text(s, 5), 300, false);
      if (strcmp(status, "failed") == 0)
        printf("; next try after %s", retry);
      putchar('\n');
    }
  }
  sqlite3_finalize(s);
}

/* A row as a JSON object: integer columns named in `times` become ISO
 * 8601 dates. */
static json_t *row_json(sqlite3_stmt *s, const char *const *times) {
  json_t *o = json_object();
  for (int i = 0; o && i < sqlite3_column_count(s); i++) {
    const char *name = sqlite3_column_name(s, i);
    json_t *v = json_null();
    int type = sqlite3_column_type(s, i);
    bool time = false;
    for (const char *const *t = times; *t && !time; t++)
      time = strcmp(*t, name) == 0;
    if (type == SQLITE_INTEGER && time) {
      char iso[32];
      fw_iso_date(col_int(s, i), iso);
      v = json_string(iso);
    } else if (type == SQLITE_INTEGER) {
      v = json_integer(col_int(s, i));
    } else if (type == SQLITE_TEXT) {
      v = json_string(ac_state_text(s, i));
    }
    json_object_set_new(o, name, v ? v : json_null());
  }
  return o;
}

static json_t *rows_json(ac_state *st, const char *sql,
                         const char *const *times) {
  sqlite3_stmt *s;
  char err[256];
  json_t *a = json_array();
  if (!a || ac_state_prepare(st, sql, &s, err, sizeof err))
    return a;
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(a, row_json(s, times));
  sqlite3_finalize(s);
  return a;
}

static int print_json(ac_state *st, const char *site) {
  static const char *const times[] = {
      "last_checked", "last_success", "retry_after",  "date",
      "first_seen",   "last_seen",    "published_at", NULL};
  json_t *root = json_object();
  json_object_set_new(root, "site", json_string(site));
  json_object_set_new(
      root, "sources",
      rows_json(st,
                "SELECT location, kind, title, etag, last_modified, "
                "last_checked, last_success, last_error, failures, "
                "retry_after, (SELECT count(*) FROM articles a WHERE "
                "a.source_id = sources.id) AS articles FROM sources ORDER BY "
                "id",
                times));
  json_object_set_new(
      root, "articles",
      rows_json(st,
                "SELECT (SELECT location FROM sources WHERE id = source_id) "
                "AS source, source_key AS key, guid, url, slug, title, "
                "first_title, pub_date AS date, dated_by, status, attempts, "
                "last_error, retry_after, content_hash, etag, last_modified, "
                "first_seen, last_seen, published_at FROM articles ORDER BY "
                "pub_date IS NULL, pub_date, id",
                times));
  int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  printf("\n");
  return rc == 0 ? AC_EXIT_OK : AC_EXIT_OUTPUT;
}

int ac_status_command(int argc, char **argv) {
  static const struct option longs[] = {
      {"site", required_argument, NULL, 'o'},
      {"config", required_argument, NULL, 'c'},
      {"json", no_argument, NULL, 'J'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *site = NULL, *config = NULL;
  bool json = false;
  optind = 1;
  int opt;
  while ((opt = getopt_long(argc, argv, "o:c:h", longs, NULL)) != -1) {
    if (opt == 'o')
      site = optarg;
    else if (opt == 'c')
      config = optarg;
    else if (opt == 'J')
      json = true;
    else {
      fputs(usage_status, opt == 'h' ? stdout : stderr);
      return opt == 'h' ? AC_EXIT_OK : AC_EXIT_USAGE;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "articast status: unexpected '%s'\n%s", argv[optind],
            usage_status);
    return AC_EXIT_USAGE;
  }
  ac_config cfg;
  char err[1024];
  if (ac_config_load(&cfg, config, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    ac_config_free(&cfg);
    return AC_EXIT_USAGE;
  }
  if (!site)
    site = cfg.site_dir ? cfg.site_dir : "site";
  ac_state *st = NULL;
  int rc = ac_state_open_readonly(site, &st, err, sizeof err);
  if (rc == 0 && ac_state_module_version(st, fw_schema.name) < 1) {
    snprintf(err, sizeof err, "%s: no source followed yet", site);
    rc = AC_ERR_NOTFOUND;
  }
  if (rc) {
    fprintf(stderr, "articast: %s\n", err);
    rc = rc == AC_ERR_NOTFOUND ? AC_EXIT_INPUT : AC_EXIT_OUTPUT;
  } else if (json) {
    rc = print_json(st, site);
  } else {
    print_sources(st);
    print_articles(st);
    rc = fflush(stdout) == 0 ? AC_EXIT_OK : AC_EXIT_OUTPUT;
  }
  ac_state_close(st);
  ac_config_free(&cfg);
  return rc;
}
