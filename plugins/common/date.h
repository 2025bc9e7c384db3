/*
 * Dates for every plugin: reading the ways articles and feeds write them,
 * writing ISO 8601 and RFC 2822. All of it is locale-free (English month
 * and day names, ASCII digits) and time-zone-free: no libc time function is
 * involved, so the results do not depend on TZ or LC_TIME.
 *
 * Read, by ac_date_parse:
 *   ISO 8601 / RFC 3339   2026-12-04, 2026-12-04T10:00, 2026-12-04
 * 10:00:05.25Z, 2026-12-04T10:00:00+01:00 (or +0100), also with '/'
 *                         (2026/12/04) and as 20261204
 *   written dates         4 December 2026, the 4th of December 2026,
 *                         Dec. 4, 2026, Friday, December 4th 2026 at 10:30 pm
 *   RFC 2822              Fri, 04 Dec 2026 10:00:00 +0000 (also GMT, UT, the
 *                         US zones EST ... PDT, and 04-Dec-2026)
 * Numeric dates other than year-first (04/12/2026) are refused: they read
 * differently on either side of the Atlantic.
 */
#ifndef ARTICAST_COMMON_DATE_H
#define ARTICAST_COMMON_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ac_date {
  int year, month, day;     /* proleptic Gregorian, a valid day */
  int has_time;             /* hour, minute and second are set */
  int hour, minute, second; /* 0..23, 0..59, 0..60 (60: a leap second) */
  int has_zone;             /* offset is set; a time without a zone is read
                               as UTC */
  int offset;               /* minutes east of UTC, -1439..1439 */
} ac_date;

/* Reads strict ISO 8601 as RFC 3339 profiles it, with the date alone and a
 * space for the 'T' allowed: YYYY-MM-DD[(T|' ')HH:MM[:SS[.fff]][Z|±HH:MM|
 * ±HHMM]]. Surrounding white space is ignored, anything else is not. A
 * fraction of a second is dropped. Returns 0, or -1 when `s` is not such a
 * date (or an impossible one: 2023-02-29, 25:00). */
int ac_date_parse_iso(const char *s, ac_date *out);

/* Reads any of the forms listed above; a leading label ending in ':'
 * ("Published: 4 Dec 2026") is skipped. Years before 1000 are refused:
 * they are placeholders (0001-01-01 is Go's zero time), not publication
 * dates. A zone abbreviation other than UT, GMT, UTC, Z and the US ones is
 * ambiguous (BST, IST): the time is kept without a zone. Returns 0 or -1. */
int ac_date_parse(const char *s, ac_date *out);

/* 1 when year-month-day is a day of the proleptic Gregorian calendar. */
int ac_date_valid(int year, int month, int day);

/* Day of the week, 0 for Sunday to 6 for Saturday. */
int ac_date_weekday(int year, int month, int day);

/* Seconds since 1970-01-01T00:00:00Z. A date without a time counts as
 * 12:00 UTC, so the calendar day survives in nearly every time zone; a time
 * without a zone counts as UTC. Leap seconds run into the next minute. */
int64_t ac_date_to_unix(const ac_date *d);

/* The UTC date and time of a Unix time, with has_time and has_zone set. */
void ac_date_from_unix(int64_t t, ac_date *out);

/* Writes "2026-12-04", or with a time "2026-12-04T10:00:00", then "Z" for
 * UTC or "+01:00" for another zone when the date has one. Returns the
 * length, or 0 when `size` is too small (out then holds ""). 32 bytes
 * always do. */
size_t ac_date_format_iso(const ac_date *d, char *out, size_t size);

/* Writes RFC 2822 with English names whatever the locale, in the date's
 * own zone (+0000 without one): "Fri, 04 Dec 2026 10:00:00 +0000". A date
 * without a time is written at 12:00:00. Returns the length, or 0 when
 * `size` is too small. 32 bytes always do. */
size_t ac_date_format_rfc2822(const ac_date *d, char *out, size_t size);

#endif /* ARTICAST_COMMON_DATE_H */
