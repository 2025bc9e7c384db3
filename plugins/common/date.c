/* Dates (see date.h). */
#include "date.h"

#include <stdio.h>
#include <string.h>

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
static const char *const day_names[7] = {"sunday",    "monday",   "tuesday",
                                         "wednesday", "thursday", "friday",
                                         "saturday"};

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---- Calendar -------------------------------------------------------------
 */

static int is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ac_date_valid(int year, int month, int day) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1)
    return 0;
  return day <= mdays[month - 1] + (month == 2 && is_leap(year));
}

/* Days since 1970-01-01 of a proleptic Gregorian date, by the era
 * arithmetic of Howard Hinnant's "chrono-compatible low-level date
 * algorithms", so that no libc time function is involved. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int ac_date_weekday(int year, int month, int day) {
  int64_t w = (days_from_civil(year, (unsigned)month, (unsigned)day) + 4) % 7;
  return (int)(w < 0 ? w + 7 : w); /* 1970-01-01 was a Thursday */
}

int64_t ac_date_to_unix(const ac_date *d) {
  int64_t t =
      days_from_civil(d->year, (unsigned)d->month, (unsigned)d->day) * 86400;
  if (!d->has_time)
    return t + 12 * 3600;
  t += d->hour * 3600 + d->minute * 60 + d->second;
  return d->has_zone ? t - (int64_t)d->offset * 60 : t;
}

void ac_date_from_unix(int64_t t, ac_date *out) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  *out = (ac_date){.year = (int)y,
                   .month = (int)m,
                   .day = (int)d,
                   .has_time = 1,
                   .hour = (int)(secs / 3600),
                   .minute = (int)(secs / 60 % 60),
                   .second = (int)(secs % 60),
                   .has_zone = 1};
}

/* ---- Writing -------------------------------------------------------------
 */

static size_t finish_format(int n, char *out, size_t size) {
  if (n < 0 || (size_t)n >= size) {
    if (size)
      out[0] = '\0';
    return 0;
  }
  return (size_t)n;
}

size_t ac_date_format_iso(const ac_date *d, char *out, size_t size) {
  char zone[8] = "";
  if (d->has_time && d->has_zone && d->offset == 0)
    strcpy(zone, "Z");
  else if (d->has_time && d->has_zone) {
    int off = d->offset < 0 ? -d->offset : d->offset;
    snprintf(zone, sizeof zone, "%c%02d:%02d", d->offset < 0 ? '-' : '+',
             off / 60 % 24, off % 60);
  }
  int n =
      d->has_time
          ? snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", d->year,
                     d->month, d->day, d->hour, d->minute, d->second, zone)
          : snprintf(out, size, "%04d-%02d-%02d", d->year, d->month, d->day);
  return finish_format(n, out, size);
}

size_t ac_date_format_rfc2822(const ac_date *d, char *out, size_t size) {
  static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
  static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int h = d->has_time ? d->hour : 12, mi = d->has_time ? d->minute : 0;
  int s = d->has_time ? d->second : 0;
  int off = d->has_time && d->has_zone ? d->offset : 0;
  int aoff = off < 0 ? -off : off;
  int n = snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                   wday[ac_date_weekday(d->year, d->month, d->day)], d->day,
                   mon[d->month - 1], d->year, h, mi, s, off < 0 ? '-' : '+',
                   aoff / 60 % 24, aoff % 60);
  return finish_format(n, out, size);
}

/* ---- ISO 8601 ---------------------------------------------------------------
 */

/* Reads exactly n digits at *p. */
static int read_digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit((*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

/* HH:MM[:SS[(.|,)fff]] */
static int read_time(const char **pp, ac_date *d) {
  const char *p = *pp;
  int h, mi, s = 0;
  if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
    return -1;
  if (*p == ':') {
    p++;
    if (read_digits(&p, 2, &s))
      return -1;
    if ((*p == '.' || *p == ',') && is_digit(p[1])) {
      p++;
      while (is_digit(*p))
        p++; /* a fraction of a second: dropped */
    }
  }
  if (h > 23 || mi > 59 || s > 60)
    return -1;
  d->has_time = 1;
  d->hour = h;
  d->minute = mi;
  d->second = s;
  *pp = p;
  return 0;
}

/* Z, or ±HH[[:]MM]; *pp is left alone when there is no zone. */
static int read_iso_zone(const char **pp, ac_date *d) {
  const char *p = *pp;
  if (*p == 'Z' || *p == 'z') {
    d->has_zone = 1;
    d->offset = 0;
    *pp = p + 1;
    return 0;
  }
  if (*p != '+' && *p != '-')
    return 0;
  int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
  if (read_digits(&p, 2, &oh))
    return -1;
  if (*p == ':' || is_digit(*p)) {
    if (*p == ':')
      p++;
    if (read_digits(&p, 2, &om))
      return -1;
  }
  if (oh > 23 || om > 59)
    return -1;
  d->has_zone = 1;
  d->offset = sign * (oh * 60 + om);
  *pp = p;
  return 0;
}

/* YYYY-MM-DD with its optional time; `lenient` also takes YYYY/MM/DD and
 * YYYYMMDD. Leaves *pp after what it read. */
static int read_iso(const char **pp, int lenient, ac_date *d) {
  const char *p = *pp;
  int y, m, day;
  if (read_digits(&p, 4, &y))
    return -1;
  char sep = *p;
  if (sep == '-' || (lenient && sep == '/')) {
    p++;
    if (read_digits(&p, 2, &m) || *p++ != sep || read_digits(&p, 2, &day))
      return -1;
  } else if (!lenient || read_digits(&p, 2, &m) || read_digits(&p, 2, &day) ||
             is_digit(*p)) {
    return -1;
  }
  if (!ac_date_valid(y, m, day))
    return -1;
  *d = (ac_date){.year = y, .month = m, .day = day};
  if ((*p == 'T' || *p == 't' || *p == ' ') && is_digit(p[1])) {
    const char *q = p + 1;
    if (read_time(&q, d) == 0) {
      p = q;
      if (read_iso_zone(&p, d) != 0)
        return -1;
    } else if (*p != ' ') {
      return -1; /* a 'T' must bring a time */
    }
  }
  *pp = p;
  return 0;
}

int ac_date_parse_iso(const char *s, ac_date *out) {
  if (!s)
    return -1;
  while (is_space(*s))
    s++;
  ac_date d;
  if (read_iso(&s, 0, &d) != 0)
    return -1;
  while (is_space(*s))
    s++;
  if (*s)
    return -1;
  *out = d;
  return 0;
}

/* ---- Written dates ----------------------------------------------------------
 */

/* True when the word [w, w + n) is `name` or an abbreviation of it of at
 * least three letters ("Dec", "Sept", "Thurs"), in any case. */
static int abbreviates(const char *w, size_t n, const char *name) {
  if (n < 3 || n > strlen(name))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(w[i]) != name[i])
      return 0;
  return 1;
}

static int word_is(const char *w, size_t n, const char *word) {
  if (n != strlen(word))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(w[i]) != word[i])
      return 0;
  return 1;
}

/* What a written date has collected so far. */
typedef struct written {
  ac_date d;    /* year, month, day and the time as read */
  int meridiem; /* 0 none, 1 am, 2 pm */
} written;

/* Zones RFC 2822 names (the US ones are its "obsolete" zones), in minutes
 * east of UTC; -1 when the word is not one. */
static int zone_word(const char *w, size_t n, int *offset) {
  static const struct {
    const char *name;
    int offset;
  } zones[] = {{"z", 0},      {"ut", 0},     {"utc", 0},    {"gmt", 0},
               {"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300},
               {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}};
  for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
    if (word_is(w, n, zones[i].name)) {
      *offset = zones[i].offset;
      return 0;
    }
  return -1;
}

/* One word of a written date. Returns 0 or -1 (not part of a date). */
static int written_word(written *wd, const char *w, size_t n) {
  for (int m = 0; m < 12; m++)
    if (abbreviates(w, n, month_names[m])) {
      if (wd->d.month)
        return -1;
      wd->d.month = m + 1;
      return 0;
    }
  for (int k = 0; k < 7; k++)
    if (abbreviates(w, n, day_names[k]))
      return 0; /* the weekday follows from the date */
  if (word_is(w, n, "of") || word_is(w, n, "the") || word_is(w, n, "at") ||
      word_is(w, n, "on"))
    return 0;
  if (!wd->d.has_time)
    return -1;
  if (!wd->meridiem && (word_is(w, n, "am") || word_is(w, n, "pm"))) {
    wd->meridiem = lower(w[0]) == 'a' ? 1 : 2;
    return 0;
  }
  int offset;
  if (!wd->d.has_zone && zone_word(w, n, &offset) == 0) {
    wd->d.has_zone = 1;
    wd->d.offset = offset;
    return 0;
  }
  /* Another zone abbreviation (BST, CET, IST) says different things in
   * different places: the time stays, without a zone. */
  if (n >= 2 && n <= 5) {
    for (size_t i = 0; i < n; i++)
      if (w[i] < 'A' || w[i] > 'Z')
        return -1;
    return 0;
  }
  return -1;
}

/* H:MM or HH:MM[:SS] at *pp, after a written date. */
static int written_time(written *wd, const char **pp) {
  const char *p = *pp;
  int hour = *p++ - '0', mi, s = 0;
  if (is_digit(*p))
    hour = hour * 10 + (*p++ - '0');
  p++; /* ':' */
  if (read_digits(&p, 2, &mi))
    return -1;
  if (*p == ':') {
    p++;
    if (read_digits(&p, 2, &s))
      return -1;
  }
  if (hour > 23 || mi > 59 || s > 60)
    return -1;
  wd->d.has_time = 1;
  wd->d.hour = hour;
  wd->d.minute = mi;
  wd->d.second = s;
  *pp = p;
  return 0;
}

/* A run of digits at *pp: a year, a day (with an ordinal suffix) or a
 * time. */
static int written_number(written *wd, const char **pp) {
  const char *p = *pp;
  size_t n = 0;
  while (is_digit(p[n]))
    n++;
  if (n <= 2 && p[n] == ':')
    return wd->d.has_time ? -1 : written_time(wd, pp);
  int v = 0;
  for (size_t i = 0; i < n && i < 4; i++)
    v = v * 10 + (p[i] - '0');
  if (n == 4 && !wd->d.year) {
    wd->d.year = v;
  } else if (n <= 2 && !wd->d.day) {
    wd->d.day = v;
    if ((word_is(p + n, 2, "st") || word_is(p + n, 2, "nd") ||
         word_is(p + n, 2, "rd") || word_is(p + n, 2, "th")) &&
        !is_alpha(p[n + 2]))
      n += 2;
  } else {
    return -1;
  }
  *pp = p + n;
  return 0;
}

/* "+0100", "-05:00" after a time. */
static int written_offset(written *wd, const char **pp) {
  const char *p = *pp;
  if (!wd->d.has_time || wd->d.has_zone || !is_digit(p[1]) || !is_digit(p[2]))
    return 1; /* not an offset: a separator */
  ac_date z = {0};
  if (read_iso_zone(&p, &z) != 0)
    return -1;
  wd->d.has_zone = 1;
  wd->d.offset = z.offset;
  *pp = p;
  return 0;
}

/* Skips "Published:" and the like: words and spaces up to a ':' before
 * anything else. */
static const char *skip_label(const char *s) {
  const char *p = s;
  while (is_alpha(*p) || *p == ' ')
    p++;
  return *p == ':' && p > s ? p + 1 : s;
}

static int parse_written(const char *s, ac_date *out) {
  written wd = {0};
  const char *p = skip_label(s);
  while (*p) {
    int rc = 0;
    if (is_space(*p) || *p == ',' || *p == '.' || *p == '/') {
      p++;
    } else if (*p == '(') { /* an RFC 2822 comment: "(UTC)" */
      const char *close = strchr(p, ')');
      if (!close)
        return -1;
      p = close + 1;
    } else if (*p == '+' || *p == '-') {
      rc = written_offset(&wd, &p);
      if (rc > 0) {
        p++;
        rc = 0;
      }
    } else if (is_digit(*p)) {
      rc = written_number(&wd, &p);
    } else if (is_alpha(*p)) {
      const char *w = p;
      while (is_alpha(*p))
        p++;
      size_t n = (size_t)(p - w);
      if (n == 1 && (lower(*w) == 'a' || lower(*w) == 'p') && p[0] == '.' &&
          lower(p[1]) == 'm') { /* "a.m.", "p.m." */
        p += 2;
        rc = written_word(&wd, lower(*w) == 'a' ? "am" : "pm", 2);
      } else {
        rc = written_word(&wd, w, n);
      }
    } else {
      return -1;
    }
    if (rc != 0)
      return -1;
  }
  if (wd.meridiem) {
    if (wd.d.hour < 1 || wd.d.hour > 12)
      return -1;
    wd.d.hour = wd.d.hour % 12 + (wd.meridiem == 2 ? 12 : 0);
  }
  if (!ac_date_valid(wd.d.year, wd.d.month, wd.d.day))
    return -1;
  *out = wd.d;
  return 0;
}

int ac_date_parse(const char *s, ac_date *out) {
  if (!s)
    return -1;
  while (is_space(*s))
    s++;
  ac_date d;
  const char *p = s;
  if (read_iso(&p, 1, &d) == 0) {
    /* What follows is not read, but must not run on from the date
     * ("2024-05-011", "2024-05-01junk"). A zone name may follow a time. */
    if (is_alpha(*p) || is_digit(*p))
      return -1;
    while (is_space(*p))
      p++;
    const char *w = p;
    while (is_alpha(*p))
      p++;
    int offset;
    if (d.has_time && !d.has_zone &&
        zone_word(w, (size_t)(p - w), &offset) == 0) { /* "10:00 UTC" */
      d.has_zone = 1;
      d.offset = offset;
    }
  } else if (parse_written(s, &d) != 0) {
    return -1;
  }
  if (d.year < 1000)
    return -1;
  *out = d;
  return 0;
}
