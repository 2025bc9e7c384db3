/* The code the plugins share in plugins/common/: so far the date module,
 * checked against the C library's calendar where one exists. */
#include "date.h"
#include "harness.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ISO form of what ac_date_parse (lenient) or ac_date_parse_iso reads from
 * `in`, or "-" when it refuses it. */
static const char *parsed(const char *in, int strict, char *out, size_t size) {
  ac_date d;
  int rc = strict ? ac_date_parse_iso(in, &d) : ac_date_parse(in, &d);
  if (rc != 0) {
    snprintf(out, size, "-");
    return out;
  }
  ck_assert_uint_gt(ac_date_format_iso(&d, out, size), 0);
  return out;
}

START_TEST(iso_strict_reads_rfc3339_and_refuses_the_rest) {
  static const char *const cases[][2] = {
      {"2024-05-01", "2024-05-01"},
      {"  2024-05-01\n", "2024-05-01"},
      {"2024-02-29T23:30:00+02:00", "2024-02-29T23:30:00+02:00"},
      {"2000-03-01 07:05", "2000-03-01T07:05:00"},
      {"1999-12-31T23:59:59.250-0130", "1999-12-31T23:59:59-01:30"},
      {"2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z"},
      {"2024-05-01t10:00z", "2024-05-01T10:00:00Z"},
      {"2024-05-01T10:00+00:00", "2024-05-01T10:00:00Z"},
      {"2024-05-01T10:00:00,5+05", "2024-05-01T10:00:00+05:00"},
      {"0001-01-01", "0001-01-01"}, /* strict: any four-digit year */
      /* Refused: impossible days and times, other forms, trailing text. */
      {"2024-02-30", "-"},
      {"2023-02-29", "-"},
      {"1900-02-29", "-"},
      {"2024-13-01", "-"},
      {"2024-00-10", "-"},
      {"2024-05-01T25:00", "-"},
      {"2024-05-01T10:60", "-"},
      {"2024-05-01T10:00+24:00", "-"},
      {"2024-05-01T", "-"},
      {"2024-05-01junk", "-"},
      {"2024-05-01 junk", "-"},
      {"2024-5-1", "-"},
      {"2024/05/01", "-"},
      {"20240501", "-"},
      {"May 1, 2024", "-"},
      {"", "-"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[40];
    ck_assert_msg(
        strcmp(parsed(cases[i][0], 1, out, sizeof out), cases[i][1]) == 0,
        "'%s' gave '%s', want '%s'", cases[i][0], out, cases[i][1]);
  }
  ac_date d;
  ck_assert_int_eq(ac_date_parse_iso(NULL, &d), -1);
}
END_TEST

START_TEST(lenient_reads_written_dates) {
  static const char *const cases[][2] = {
      /* ISO and its relatives. */
      {"2026-12-04", "2026-12-04"},
      {"2026/12/04", "2026-12-04"},
      {"20261204", "2026-12-04"},
      {"2026-12-04 10:30", "2026-12-04T10:30:00"},
      {"2019-11-19 10:00:00 UTC", "2019-11-19T10:00:00Z"},
      {"2019-11-19T10:00:00.000+0000", "2019-11-19T10:00:00Z"},
      {"2026-12-04T10:00:00+01:00[Europe/Paris]", "2026-12-04T10:00:00+01:00"},
      {"2026-12-04 (updated)", "2026-12-04"},
      /* Written: either order, abbreviations, ordinals, weekdays. */
      {"4 December 2026", "2026-12-04"},
      {"December 4, 2026", "2026-12-04"},
      {"Dec 4, 2026", "2026-12-04"},
      {"Dec. 4 2026", "2026-12-04"},
      {"the 4th of December, 2026", "2026-12-04"},
      {"Friday, December 4th 2026", "2026-12-04"},
      {"Sept 1st, 2026", "2026-09-01"},
      {"MARCH 14 2026", "2026-03-14"},
      {"04-Dec-2026", "2026-12-04"},
      {"Published: 4 December 2026", "2026-12-04"},
      {"December 4, 2026 at 10:30 pm", "2026-12-04T22:30:00"},
      {"December 4, 2026, 12:05 a.m.", "2026-12-04T00:05:00"},
      {"Dec 4, 2026 9:05 AM EST", "2026-12-04T09:05:00-05:00"},
      {"Dec 4, 2026 9:05 BST", "2026-12-04T09:05:00"}, /* ambiguous zone */
      /* RFC 2822, with comments and obsolete zones; ctime order too. */
      {"Fri, 04 Dec 2026 10:00:00 +0000", "2026-12-04T10:00:00Z"},
      {"Fri, 4 Dec 2026 10:00 -0800 (PST)", "2026-12-04T10:00:00-08:00"},
      {"Tue, 19 Nov 2019 10:00:00 GMT", "2019-11-19T10:00:00Z"},
      {"Wed, 09-Jun-2021 10:18:14 GMT", "2021-06-09T10:18:14Z"},
      {"Fri Dec  4 10:00:00 2026", "2026-12-04T10:00:00"},
      /* Refused. */
      {"soon", "-"},
      {"12/04/2026", "-"},
      {"4.12.2026", "-"},
      {"December 2026", "-"},
      {"31 February 2026", "-"},
      {"4 December 26", "-"},
      {"4 Dec 2026 Dec", "-"},
      {"4 December 2026 and more", "-"},
      {"4 d\xc3\xa9\x63\x65mbre 2026", "-"},
      {"December 4, 2026 13:00 pm", "-"},
      {"0001-01-01T00:00:00Z", "-"}, /* Go's zero time */
      {"2024-05-01junk", "-"},
      {"2024-05-011", "-"},
      {"Dec 4, 2026 (unclosed", "-"},
      {"", "-"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[40];
    ck_assert_msg(
        strcmp(parsed(cases[i][0], 0, out, sizeof out), cases[i][1]) == 0,
        "'%s' gave '%s', want '%s'", cases[i][0], out, cases[i][1]);
  }
}
END_TEST

START_TEST(unix_time_and_weekdays_match_the_c_library) {
  /* Every 7th day from 1900 to 2100, at a time that moves through the
   * day: the weekday, date and Unix time agree with gmtime_r. */
  static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                   "Thu", "Fri", "Sat"};
  for (int64_t t = -2208988800LL; t < 4102444800LL; t += 7 * 86400 + 3607) {
    ac_date d;
    ac_date_from_unix(t, &d);
    time_t tt = (time_t)t;
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
    ck_assert_int_eq(d.year, tm.tm_year + 1900);
    ck_assert_int_eq(d.month, tm.tm_mon + 1);
    ck_assert_int_eq(d.day, tm.tm_mday);
    ck_assert_int_eq(d.hour, tm.tm_hour);
    ck_assert_int_eq(d.minute, tm.tm_min);
    ck_assert_int_eq(d.second, tm.tm_sec);
    ck_assert_int_eq(ac_date_weekday(d.year, d.month, d.day), tm.tm_wday);
    ck_assert(ac_date_to_unix(&d) == t);
    char rfc[40];
    ck_assert_uint_gt(ac_date_format_rfc2822(&d, rfc, sizeof rfc), 0);
    ck_assert_int_eq(strncmp(rfc, wd[tm.tm_wday], 3), 0);
  }
}
END_TEST

START_TEST(unix_time_of_dates_and_zones) {
  ac_date d;
  /* A date alone is noon UTC. */
  ck_assert_int_eq(ac_date_parse_iso("1970-01-02", &d), 0);
  ck_assert(ac_date_to_unix(&d) == 86400 + 12 * 3600);
  /* An offset is taken off; no zone is UTC. */
  ck_assert_int_eq(ac_date_parse_iso("1970-01-01T01:30+01:30", &d), 0);
  ck_assert(ac_date_to_unix(&d) == 0);
  ck_assert_int_eq(ac_date_parse_iso("1970-01-01T00:00:10", &d), 0);
  ck_assert(ac_date_to_unix(&d) == 10);
  ck_assert_int_eq(ac_date_parse("Wed, 31 Dec 1969 19:00:00 EST", &d), 0);
  ck_assert(ac_date_to_unix(&d) == 0);
  /* Before 1970 and after 2038. */
  ck_assert_int_eq(ac_date_parse_iso("1969-12-31T23:00:00Z", &d), 0);
  ck_assert(ac_date_to_unix(&d) == -3600);
  ck_assert_int_eq(ac_date_parse_iso("2038-01-19T03:14:08Z", &d), 0);
  ck_assert(ac_date_to_unix(&d) == 2147483648LL);
}
END_TEST

START_TEST(formats_whatever_the_locale) {
  /* A German LC_TIME must not reach the names (when the locale exists). */
  setlocale(LC_ALL, "de_DE.UTF-8");
  ac_date d;
  ck_assert_int_eq(ac_date_parse("Dienstag", &d), -1);
  ck_assert_int_eq(ac_date_parse_iso("2024-05-01T09:03:07-04:30", &d), 0);
  char out[40];
  ck_assert_uint_eq(ac_date_format_rfc2822(&d, out, sizeof out), 31);
  ck_assert_str_eq(out, "Wed, 01 May 2024 09:03:07 -0430");
  ck_assert_uint_eq(ac_date_format_iso(&d, out, sizeof out), 25);
  ck_assert_str_eq(out, "2024-05-01T09:03:07-04:30");
  /* A date alone: no time in ISO, noon in RFC 2822. */
  ck_assert_int_eq(ac_date_parse("1 March 2000", &d), 0);
  ac_date_format_rfc2822(&d, out, sizeof out);
  ck_assert_str_eq(out, "Wed, 01 Mar 2000 12:00:00 +0000");
  ac_date_format_iso(&d, out, sizeof out);
  ck_assert_str_eq(out, "2000-03-01");
  /* Too small a buffer gives "" and 0, never a cut date. */
  char small[8] = "x";
  ck_assert_uint_eq(ac_date_format_iso(&d, small, sizeof small), 0);
  ck_assert_str_eq(small, "");
  ck_assert_uint_eq(ac_date_format_rfc2822(&d, small, sizeof small), 0);
  ck_assert_str_eq(small, "");
  setlocale(LC_ALL, "C");
}
END_TEST

START_TEST(calendar_rules) {
  ck_assert(ac_date_valid(2000, 2, 29)); /* divisible by 400 */
  ck_assert(!ac_date_valid(2100, 2, 29));
  ck_assert(ac_date_valid(2024, 2, 29));
  ck_assert(!ac_date_valid(2024, 4, 31));
  ck_assert(ac_date_valid(2024, 12, 31));
  ck_assert(!ac_date_valid(2024, 12, 0));
  ck_assert(!ac_date_valid(10000, 1, 1));
  ck_assert_int_eq(ac_date_weekday(2026, 12, 4), 5); /* a Friday */
  ck_assert_int_eq(ac_date_weekday(1, 1, 1), 1);     /* proleptic Monday */
}
END_TEST

static Suite *common_suite(void) {
  Suite *s = suite_create("common");
  TCase *date = tcase_create("date");
  tcase_add_test(date, iso_strict_reads_rfc3339_and_refuses_the_rest);
  tcase_add_test(date, lenient_reads_written_dates);
  tcase_add_test(date, unix_time_and_weekdays_match_the_c_library);
  tcase_add_test(date, unix_time_of_dates_and_zones);
  tcase_add_test(date, formats_whatever_the_locale);
  tcase_add_test(date, calendar_rules);
  suite_add_tcase(s, date);
  return s;
}

int main(void) {
  return harness_main(common_suite());
}
