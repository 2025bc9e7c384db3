/* The job of articast's services (pipeline/job.h) and its Redis Streams
 * workers: the job's rules and its stored form taken as hostile input; then,
 * with a real redis-server on 127.0.0.1 (skipped when it is not installed),
 * `articast enqueue` and `articast worker`: workers killed mid-job, each
 * article in the feed exactly once, a poison job in the dead-letter stream. */
#include "harness.h"
#include "job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *fmt(const char *f, ...) AC_PRINTF(1, 2);
static char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = NULL;
  ck_assert_int_ge(vasprintf(&s, f, ap), 0);
  va_end(ap);
  return s;
}

static void write_bytes(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static void write_text(const char *path, const char *text) {
  write_bytes(path, text, strlen(text));
}

/* ---- The job's rules ---------------------------------------------------- */

/* A valid job of bytes with every option. */
static ac_job full_job(void) {
  ac_job j = {.body = strdup("# A title\n\nSome text.\n"),
              .content_type = strdup(AC_JOB_MARKDOWN),
              .voice = strdup("en-gb-newsreader"),
              .lang = strdup("en-GB"),
              .id = strdup("urn:example:article:42 – é"),
              .callback_url = strdup("https://cms.example.org/hook?x=1")};
  j.body_len = strlen(j.body);
  return j;
}

static int validate(const ac_job *j, const char *says) {
  char err[512] = "";
  int rc = ac_job_validate(j, err, sizeof err);
  if (says)
    ck_assert_msg(strstr(err, says), "error '%s' lacks '%s'", err, says);
  return rc;
}

START_TEST(job_rules_refuse_what_a_worker_must_not_take) {
  ac_job j = full_job();
  ck_assert_int_eq(validate(&j, NULL), AC_EXIT_OK);
  /* Both or neither of bytes and URL. */
  j.url = strdup("https://example.org/a");
  ck_assert_int_eq(validate(&j, "both"), AC_EXIT_INPUT);
  free(j.url);
  j.url = NULL;
  /* A NUL byte, an unknown or uncanonical content type. */
  j.body[3] = '\0';
  ck_assert_int_eq(validate(&j, "NUL"), AC_EXIT_INPUT);
  j.body[3] = 'A';
  free(j.content_type);
  j.content_type = strdup("application/pdf");
  ck_assert_int_eq(validate(&j, "content type"), AC_EXIT_INPUT);
  free(j.content_type);
  j.content_type = strdup("text/html; charset=utf-8");
  ck_assert_int_eq(validate(&j, "content type"), AC_EXIT_INPUT);
  free(j.content_type);
  j.content_type = strdup(AC_JOB_HTML);
  ck_assert_int_eq(validate(&j, NULL), AC_EXIT_OK);
  /* Voices are names, never paths. */
  const char *bad_voices[] = {"../etc/passwd", "/tmp/x.voice", ".hidden", "a b",
                              ""};
  for (size_t i = 0; i < sizeof bad_voices / sizeof bad_voices[0]; i++) {
    free(j.voice);
    j.voice = strdup(bad_voices[i]);
    ck_assert_msg(validate(&j, "voice") == AC_EXIT_INPUT, "voice '%s'",
                  bad_voices[i]);
  }
  free(j.voice);
  j.voice = NULL;
  const char *bad_langs[] = {
      "en_US", "e", "en--GB", "en-", "toolongprimary", "en-abcdefghi", "fr CA"};
  for (size_t i = 0; i < sizeof bad_langs / sizeof bad_langs[0]; i++) {
    free(j.lang);
    j.lang = strdup(bad_langs[i]);
    ck_assert_msg(validate(&j, "language") == AC_EXIT_INPUT, "lang '%s'",
                  bad_langs[i]);
  }
  const char *good_langs[] = {"en", "fr-CA", "zh-Hans", "sr-Latn-RS", "es-419"};
  for (size_t i = 0; i < sizeof good_langs / sizeof good_langs[0]; i++)
    ck_assert_msg(ac_job_lang_valid(good_langs[i]), "%s", good_langs[i]);
  /* Ids: text without control characters. */
  free(j.id);
  j.id = strdup("line\nbreak");
  ck_assert_int_eq(validate(&j, "article id"), AC_EXIT_INPUT);
  free(j.id);
  j.id = strdup("\xC3\x28");
  ck_assert_int_eq(validate(&j, "article id"), AC_EXIT_INPUT);
  free(j.id);
  j.id = NULL;
  ac_job_free(&j);
  /* URLs: http(s) with a host, nothing odd in them. */
  const char *bad_urls[] = {"file:///etc/passwd",     "javascript:alert(1)",
                            "ftp://example.org/a",    "http://",
                            "https:///path",          "http://@/x",
                            "http://exa mple.org/",   "http://example.org/\x01",
                            "http://ex\xC3\xA9.org/", "gopher://example.org"};
  for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
    ac_job u = {.url = strdup(bad_urls[i])};
    ck_assert_msg(validate(&u, "URL") == AC_EXIT_INPUT, "URL '%s'",
                  bad_urls[i]);
    ac_job_free(&u);
  }
  ac_job u = {.url = strdup("HTTPS://example.org:8443/a?b=c#d")};
  ck_assert_int_eq(validate(&u, NULL), AC_EXIT_OK);
  u.callback_url = strdup("file:///tmp/x");
  ck_assert_int_eq(validate(&u, "callback URL"), AC_EXIT_INPUT);
  ac_job_free(&u);
  ac_job none = {0};
  ck_assert_int_eq(validate(&none, "neither"), AC_EXIT_INPUT);
}
END_TEST

START_TEST(content_types_are_reduced_to_three) {
  ck_assert_str_eq(ac_job_content_type("text/html; charset=UTF-8"),
                   AC_JOB_HTML);
  ck_assert_str_eq(ac_job_content_type(" TEXT/Markdown"), AC_JOB_MARKDOWN);
  ck_assert_str_eq(ac_job_content_type("text/x-markdown"), AC_JOB_MARKDOWN);
  ck_assert_str_eq(ac_job_content_type("application/xhtml+xml"), AC_JOB_HTML);
  ck_assert_str_eq(ac_job_content_type("text/plain;format=flowed"),
                   AC_JOB_TEXT);
  ck_assert_ptr_null(ac_job_content_type("text/htmlx"));
  ck_assert_ptr_null(ac_job_content_type("application/json"));
  ck_assert_ptr_null(ac_job_content_type(""));
  ck_assert_ptr_null(ac_job_content_type(NULL));
}
END_TEST

/* ---- The stored form ---------------------------------------------------- */

static int from_fields(const ac_job_field *f, size_t n, const char *says) {
  ac_job j;
  char err[512] = "";
  int rc = ac_job_from_fields(&j, f, n, err, sizeof err);
  if (says)
    ck_assert_msg(strstr(err, says), "error '%s' lacks '%s'", err, says);
  if (rc == 0)
    ac_job_free(&j);
  else
    ck_assert_ptr_null(j.body); /* nothing kept of a refused job */
  return rc;
}

#define F(k, v) ((ac_job_field){k, v, sizeof v - 1})

START_TEST(stored_jobs_round_trip) {
  ac_job j = full_job();
  ac_job_field f[AC_JOB_MAX_FIELDS];
  size_t n = ac_job_to_fields(&j, f);
  ck_assert_uint_eq(n, 7);
  ac_job back;
  char err[512] = "";
  ck_assert_int_eq(ac_job_from_fields(&back, f, n, err, sizeof err), 0);
  ck_assert_uint_eq(back.body_len, j.body_len);
  ck_assert_mem_eq(back.body, j.body, j.body_len);
  ck_assert_str_eq(back.content_type, j.content_type);
  ck_assert_str_eq(back.voice, j.voice);
  ck_assert_str_eq(back.lang, j.lang);
  ck_assert_str_eq(back.id, j.id);
  ck_assert_str_eq(back.callback_url, j.callback_url);
  ck_assert_ptr_null(back.url);
  char d1[65], d2[65];
  ac_job_digest(&j, d1);
  ac_job_digest(&back, d2);
  ck_assert_str_eq(d1, d2);
  /* Any change moves the digest, even one between fields. */
  free(back.lang);
  back.lang = strdup("en");
  ac_job_digest(&back, d2);
  ck_assert_str_ne(d1, d2);
  ac_job_free(&back);
  ac_job_free(&j);
  /* A URL job. */
  ac_job_field u[] = {F("v", "1"), F("url", "https://example.org/x"),
                      F("future-option", "ignored")};
  ck_assert_int_eq(ac_job_from_fields(&back, u, 3, err, sizeof err), 0);
  ck_assert_str_eq(back.url, "https://example.org/x");
  ck_assert_ptr_null(back.body);
  ac_job_free(&back);
}
END_TEST

START_TEST(stored_jobs_are_hostile_input) {
  ac_job_field no_version[] = {F("url", "https://example.org/x")};
  ck_assert_int_eq(from_fields(no_version, 1, "format version"), AC_EXIT_INPUT);
  ac_job_field newer[] = {F("v", "2"), F("url", "https://example.org/x")};
  ck_assert_int_eq(from_fields(newer, 2, "v=2"), AC_EXIT_INPUT);
  ac_job_field twice[] = {F("v", "1"), F("url", "https://example.org/x"),
                          F("url", "https://evil.example/")};
  ck_assert_int_eq(from_fields(twice, 3, "twice"), AC_EXIT_INPUT);
  ac_job_field nothing[] = {F("v", "1"), F("voice", "en-us-newsreader")};
  ck_assert_int_eq(from_fields(nothing, 2, "neither"), AC_EXIT_INPUT);
  ac_job_field no_type[] = {F("v", "1"), F("body", "Hello.")};
  ck_assert_int_eq(from_fields(no_type, 2, "missing"), AC_EXIT_INPUT);
  ac_job_field nul_id[] = {
      F("v", "1"), F("url", "https://example.org/x"), {"id", "ab\0cd", 5}};
  ck_assert_int_eq(from_fields(nul_id, 3, "NUL"), AC_EXIT_INPUT);
  ac_job_field nul_body[] = {
      F("v", "1"), {"body", "ab\0cd", 5}, F("type", "text/plain")};
  ck_assert_int_eq(from_fields(nul_body, 3, "NUL"), AC_EXIT_INPUT);
  ac_job_field no_value[] = {F("v", "1"), {"url", NULL, 12}};
  ck_assert_int_eq(from_fields(no_value, 2, "no value"), AC_EXIT_INPUT);
  ac_job_field null_key[] = {
      F("v", "1"), {NULL, "x", 1}, F("url", "https://example.org/")};
  ck_assert_int_eq(from_fields(null_key, 3, NULL), AC_EXIT_OK);
  ac_job_field path_voice[] = {F("v", "1"), F("url", "https://example.org/"),
                               F("voice", "../../etc/shadow")};
  ck_assert_int_eq(from_fields(path_voice, 3, "voice"), AC_EXIT_INPUT);
  ac_job_field bad_scheme[] = {F("v", "1"), F("url", "file:///etc/passwd")};
  ck_assert_int_eq(from_fields(bad_scheme, 2, "URL"), AC_EXIT_INPUT);
  /* Over a limit: refused from the length alone (the value is not read
   * past it), not truncated. */
  static char long_id[AC_JOB_MAX_ID + 2];
  memset(long_id, 'a', sizeof long_id - 1);
  ac_job_field too_long[] = {F("v", "1"),
                             F("url", "https://example.org/"),
                             {"id", long_id, AC_JOB_MAX_ID + 1}};
  ck_assert_int_eq(from_fields(too_long, 3, "limit"), AC_EXIT_INPUT);
  ac_job_field huge[] = {
      F("v", "1"), {"body", "x", (size_t)AC_JOB_MAX_BODY + 1}, F("type", "")};
  ck_assert_int_eq(from_fields(huge, 3, "limit"), AC_EXIT_INPUT);
  ac_job_field at_limit[] = {F("v", "1"),
                             F("url", "https://example.org/"),
                             {"id", long_id, AC_JOB_MAX_ID}};
  ck_assert_int_eq(from_fields(at_limit, 3, NULL), AC_EXIT_OK);
}
END_TEST

/* ---- Jobs from the command line's articles ------------------------------ */

START_TEST(articles_become_jobs_of_bytes_or_urls) {
  char *dir = harness_tempdir();
  char *md = fmt("%s/a.markdown", dir), *html = fmt("%s/page", dir),
       *txt = fmt("%s/a.txt", dir), *bin = fmt("%s/b.txt", dir),
       *big = fmt("%s/big.txt", dir), *empty = fmt("%s/empty.txt", dir);
  write_text(md, "# Title\n\nText.\n");
  write_text(html, "\xEF\xBB\xBF  <!DOCTYPE html><html><p>x</p></html>");
  write_text(txt, "<not html> just text\n");
  write_bytes(bin, "ab\0cd", 5);
  write_text(empty, "");
  FILE *f = fopen(big, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, (long)AC_JOB_MAX_BODY, SEEK_SET), 0);
  ck_assert_int_eq(fputc('x', f), 'x');
  fclose(f);
  ac_job j;
  char err[512] = "";
  ck_assert_int_eq(ac_job_from_article(&j, md, "en-us-newsreader", "en", NULL,
                                       err, sizeof err),
                   0);
  ck_assert_str_eq(j.content_type, AC_JOB_MARKDOWN);
  ck_assert_str_eq(j.voice, "en-us-newsreader");
  ck_assert_ptr_null(j.url);
  ac_job_free(&j);
  ck_assert_int_eq(
      ac_job_from_article(&j, html, NULL, NULL, "id-1", err, sizeof err), 0);
  ck_assert_str_eq(j.content_type, AC_JOB_HTML);
  ck_assert_str_eq(j.id, "id-1");
  ac_job_free(&j);
  ck_assert_int_eq(
      ac_job_from_article(&j, txt, NULL, NULL, NULL, err, sizeof err), 0);
  ck_assert_str_eq(j.content_type, AC_JOB_TEXT);
  ac_job_free(&j);
  ck_assert_int_eq(ac_job_from_article(&j, "https://example.org/story", NULL,
                                       NULL, NULL, err, sizeof err),
                   0);
  ck_assert_str_eq(j.url, "https://example.org/story");
  ck_assert_ptr_null(j.body);
  ac_job_free(&j);
  const struct {
    const char *path, *says;
  } bad[] = {{bin, "NUL"},
             {big, "20 MiB"},
             {empty, "empty"},
             {dir, "directory"},
             {"/nonexistent/x.md", "No such file"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    ck_assert_int_eq(
        ac_job_from_article(&j, bad[i].path, NULL, NULL, NULL, err, sizeof err),
        AC_EXIT_INPUT);
    ck_assert_msg(strstr(err, bad[i].says), "%s: '%s' lacks '%s'", bad[i].path,
                  err, bad[i].says);
    ck_assert_ptr_null(j.body);
  }
  ck_assert_int_eq(
      ac_job_from_article(&j, md, "../x", NULL, NULL, err, sizeof err),
      AC_EXIT_INPUT);
  char *cmd = fmt("rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
  free(cmd);
  free(md);
  free(html);
  free(txt);
  free(bin);
  free(big);
  free(empty);
  free(dir);
}
END_TEST

static Suite *redis_suite(void) {
  Suite *s = suite_create("redis");
  TCase *job = tcase_create("job");
  tcase_add_test(job, job_rules_refuse_what_a_worker_must_not_take);
  tcase_add_test(job, content_types_are_reduced_to_three);
  tcase_add_test(job, stored_jobs_round_trip);
  tcase_add_test(job, stored_jobs_are_hostile_input);
  tcase_add_test(job, articles_become_jobs_of_bytes_or_urls);
  suite_add_tcase(s, job);
  return s;
}

int main(void) {
  return harness_main(redis_suite());
}
