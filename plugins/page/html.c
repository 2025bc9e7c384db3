/* Escaping for HTML, and times, sizes, dates and languages as the pages
 * show them (see page.h). Every string a page shows comes from an article,
 * a config file or a sidecar, so every one goes through here. */
#include "page.h"
#include "utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- Cleaning ------------------------------------------------------------ */

/* The next character of s[*i..len) as HTML and XML may carry it, written
 * into out (up to 4 bytes); returns its length. A space stands for control
 * characters of C0 (but tab and line breaks) and DEL, which the caption
 * cues take for gaps between words too; U+FFFD for bytes that are not
 * UTF-8 and for U+FFFE/U+FFFF. CR becomes LF. */
static size_t clean_char(const char *s, size_t len, size_t *i, char *out) {
  uint32_t cp;
  size_t n = ac_utf8_decode((const unsigned char *)s + *i, len - *i, &cp);
  if (n == 0) {
    *i += 1;
    return ac_utf8_encode(0xFFFD, out);
  }
  *i += n;
  if (cp == '\t' || cp == '\n' || cp == '\r')
    cp = cp == '\r' ? '\n' : cp;
  else if (cp < 0x20 || cp == 0x7F)
    cp = ' ';
  else if (cp == 0xFFFE || cp == 0xFFFF)
    cp = 0xFFFD;
  return ac_utf8_encode(cp, out);
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

char *pg_clean(const char *s, size_t len, int fold) {
  if (!s)
    return NULL;
  if (len == (size_t)-1)
    len = strlen(s);
  /* Every input byte yields at most 3 output bytes (U+FFFD). */
  if (len > (SIZE_MAX - 1) / 3)
    return NULL;
  char *out = malloc(3 * len + 1);
  if (!out)
    return NULL;
  size_t o = 0, i = 0;
  int gap = 0;
  while (i < len) {
    char ch[4];
    size_t n = clean_char(s, len, &i, ch);
    if (fold && n == 1 && is_space(ch[0])) {
      gap = 1;
      continue;
    }
    if (fold && gap && o > 0)
      out[o++] = ' ';
    gap = 0;
    memcpy(out + o, ch, n);
    o += n;
  }
  out[o] = '\0';
  return out;
}

char *pg_truncate(const char *s, size_t max) {
  size_t len = strlen(s);
  if (len <= max)
    return strdup(s);
  size_t cut = ac_utf8_char_start(s, len, max);
  size_t word = cut;
  while (word > max / 2 && s[word] != ' ')
    word--;
  if (s[word] == ' ')
    cut = word;
  while (cut > 0 && strchr(" ,;:.", s[cut - 1]))
    cut--;
  char *out = malloc(cut + 4);
  if (!out)
    return NULL;
  memcpy(out, s, cut);
  memcpy(out + cut, "\xE2\x80\xA6", 4); /* U+2026 and the NUL */
  return out;
}

/* ---- Escaping ------------------------------------------------------------ */

static void escape(ac_textbuf *b, const char *s, int attr) {
  if (!s)
    return;
  size_t len = strlen(s), i = 0;
  while (i < len) {
    char ch[4];
    size_t n = clean_char(s, len, &i, ch);
    if (n > 1) {
      ac_textbuf_add(b, ch, n);
      continue;
    }
    switch (ch[0]) {
    case '&':
      ac_textbuf_puts(b, "&amp;");
      break;
    case '<':
      ac_textbuf_puts(b, "&lt;");
      break;
    case '>':
      ac_textbuf_puts(b, "&gt;");
      break;
    case '"':
      ac_textbuf_puts(b, attr ? "&quot;" : "\"");
      break;
    case '\'':
      ac_textbuf_puts(b, attr ? "&#39;" : "'");
      break;
    case '\t':
    case '\n':
      ac_textbuf_add(b, attr ? " " : ch, 1);
      break;
    default:
      ac_textbuf_add(b, ch, 1);
    }
  }
}

void pg_html_text(ac_textbuf *b, const char *s) {
  escape(b, s, 0);
}

void pg_html_attr(ac_textbuf *b, const char *s) {
  escape(b, s, 1);
}

void pg_html_path(ac_textbuf *b, const char *path) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)path; p && *p; p++) {
    if (isalnum(*p) || strchr("-._~/", *p)) {
      ac_textbuf_add(b, (const char *)p, 1);
    } else {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      ac_textbuf_add(b, esc, 3);
    }
  }
}

int pg_is_http_url(const char *s) {
  if (!s)
    return 0;
  size_t scheme = strncmp(s, "https://", 8) == 0  ? 8
                  : strncmp(s, "http://", 7) == 0 ? 7
                                                  : 0;
  if (!scheme || !s[scheme] || s[scheme] == '/')
    return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= ' ' || *p == 0x7F)
      return 0;
  return 1;
}

/* ---- Times, durations and sizes ------------------------------------------ */

void pg_put_seconds(ac_textbuf *b, uint64_t ms) {
  ac_textbuf_printf(b, "%llu.%03u", (unsigned long long)(ms / 1000),
                    (unsigned)(ms % 1000));
}

void pg_put_clock(ac_textbuf *b, uint64_t ms) {
  unsigned long long s = ms / 1000;
  if (s >= 3600)
    ac_textbuf_printf(b, "%llu:%02u:%02u", s / 3600, (unsigned)(s / 60 % 60),
                      (unsigned)(s % 60));
  else
    ac_textbuf_printf(b, "%llu:%02u", s / 60, (unsigned)(s % 60));
}

static void put_unit(ac_textbuf *b, unsigned long long n, const char *unit,
                     int *first) {
  if (n == 0)
    return;
  ac_textbuf_printf(b, "%s%llu %s%s", *first ? "" : " ", n, unit,
                    n == 1 ? "" : "s");
  *first = 0;
}

void pg_put_duration(ac_textbuf *b, double seconds) {
  unsigned long long s =
      seconds > 0 && seconds < 1e12 ? (unsigned long long)(seconds + 0.5) : 0;
  int first = 1;
  if (s >= 3600) {
    put_unit(b, s / 3600, "hour", &first);
    put_unit(b, s / 60 % 60, "minute", &first);
    return;
  }
  put_unit(b, s / 60, "minute", &first);
  put_unit(b, s % 60, "second", &first);
  if (first)
    ac_textbuf_puts(b, "under a second");
}

void pg_put_size(ac_textbuf *b, uint64_t bytes) {
  if (bytes < 1000)
    ac_textbuf_printf(b, "%llu bytes", (unsigned long long)bytes);
  else if (bytes < 1000000)
    ac_textbuf_printf(b, "%llu kB", (unsigned long long)(bytes + 500) / 1000);
  else
    ac_textbuf_printf(b, "%.1f MB", (double)bytes / 1e6);
}

/* ---- Dates --------------------------------------------------------------- */

static const char *const months[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

static int utc(int64_t t, struct tm *tm) {
  time_t tt = (time_t)t;
  return gmtime_r(&tt, tm) != NULL;
}

void pg_put_iso_date(ac_textbuf *b, int64_t t) {
  struct tm tm;
  if (utc(t, &tm))
    ac_textbuf_printf(b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday);
}

void pg_put_long_date(ac_textbuf *b, int64_t t) {
  struct tm tm;
  if (utc(t, &tm))
    ac_textbuf_printf(b, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
                      tm.tm_year + 1900);
}

/* n digits at s as a number, or -1 (also when s ends before them). */
static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1; /* also at the NUL: nothing past it is read */
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* A zone at the end of a time: "", Z, +HH:MM, +HHMM or -...; its offset
 * from UTC in seconds. -1 when it is none of these. */
static int parse_zone(const char *s, int64_t *offset) {
  *offset = 0;
  if (*s == 'Z' || *s == 'z')
    return s[1] ? -1 : 0;
  if (!*s)
    return 0;
  if (*s != '+' && *s != '-')
    return -1;
  int oh = digits(s + 1, 2);
  if (oh < 0)
    return -1;
  int colon = s[3] == ':';
  int om = digits(s + 3 + colon, 2);
  if (oh > 23 || om < 0 || om > 59 || s[5 + colon])
    return -1;
  *offset = (*s == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  return 0;
}

/* The time of day after a date: HH:MM[:SS[.fff]][zone], in seconds. */
static int parse_time_of_day(const char *s, int64_t *secs) {
  int hh = digits(s, 2);
  if (hh < 0 || s[2] != ':')
    return -1;
  int mm = digits(s + 3, 2), ss = 0;
  if (hh > 23 || mm < 0 || mm > 59)
    return -1;
  s += 5;
  if (*s == ':') {
    if ((ss = digits(s + 1, 2)) < 0 || ss > 60)
      return -1;
    s += 3;
    if (*s == '.' || *s == ',')
      for (s++; isdigit((unsigned char)*s); s++)
        ;
  }
  int64_t offset;
  if (parse_zone(s, &offset) != 0)
    return -1;
  *secs = hh * 3600 + mm * 60 + ss - offset;
  return 0;
}

int pg_parse_date(const char *s, int64_t *out) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s)
    return -1;
  while (*s == ' ')
    s++;
  int y = digits(s, 4);
  if (y < 1 || s[4] != '-')
    return -1;
  int m = digits(s + 5, 2);
  if (m < 1 || m > 12 || s[7] != '-')
    return -1;
  int d = digits(s + 8, 2);
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
    return -1;
  int64_t secs = 12 * 3600;
  s += 10;
  if (*s == 'T' || *s == 't' || (*s == ' ' && s[1])) {
    if (parse_time_of_day(s + 1, &secs) != 0)
      return -1;
  } else if (*s) {
    return -1;
  }
  *out = days_from_civil(y, m, d) * 86400 + secs;
  return 0;
}

/* ---- Languages ----------------------------------------------------------- */

int pg_lang_valid(const char *tag) {
  if (!tag)
    return 0;
  size_t len = strlen(tag), i = 0, n = 0;
  if (len == 0 || len > 63)
    return 0;
  while (i < len && isalpha((unsigned char)tag[i]))
    i++;
  if (i < 2 || i > 3)
    return 0;
  while (i < len) {
    if (tag[i++] != '-')
      return 0;
    for (n = 0; i < len && isalnum((unsigned char)tag[i]); i++)
      n++;
    if (n < 1 || n > 8)
      return 0;
  }
  return 1;
}

/* The subtag at s, up to '-' or the end, equals word (any case). */
static int subtag_is(const char *s, const char *word) {
  size_t n = strcspn(s, "-");
  return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

int pg_lang_rtl(const char *tag) {
  static const char *const rtl_scripts[] = {
      "Adlm", "Arab", "Aran", "Hebr", "Mand", "Mend", "Nkoo",
      "Rohg", "Samr", "Syrc", "Thaa", "Yezi", NULL};
  static const char *const rtl_languages[] = {
      "ar",  "arc", "azb", "bal", "bqi", "ckb", "dv",  "fa",  "glk",
      "he",  "iw",  "ji",  "khw", "ks",  "lrc", "mzn", "nqo", "pnb",
      "prs", "ps",  "sd",  "sdh", "syr", "ug",  "ur",  "yi",  NULL};
  if (!pg_lang_valid(tag))
    return 0;
  /* A four-letter subtag after the language is its script. */
  for (const char *p = strchr(tag, '-'); p; p = strchr(p + 1, '-')) {
    size_t n = strcspn(p + 1, "-");
    if (n == 1)
      break; /* an extension or private use: no script follows */
    int letters = n == 4;
    for (size_t k = 0; letters && k < 4; k++)
      letters = isalpha((unsigned char)p[1 + k]);
    if (!letters)
      continue;
    for (const char *const *s = rtl_scripts; *s; s++)
      if (subtag_is(p + 1, *s))
        return 1;
    return 0;
  }
  for (const char *const *l = rtl_languages; *l; l++)
    if (subtag_is(tag, *l))
      return 1;
  return 0;
}

int pg_lang_same(const char *a, const char *b) {
  if (!a || !b)
    return 0;
  size_t na = strcspn(a, "-"), nb = strcspn(b, "-");
  return na == nb && strncasecmp(a, b, na) == 0;
}
