/*
 * source_html: boilerplate that survives inside the article's markup,
 * recognized by its text.
 *
 * Structure finds the article; but pages put small things inside it that a
 * listener must not hear: "Advertisement" labels, datelines ("Updated
 * 10:48, Tue, Nov 19, 2019"), "By Jane Doe" lines, links to related
 * stories, newsletter and social-media invitations, cookie and copyright
 * notices. Each rule below is about such generic web furniture, limited
 * to short blocks so that an article's own sentences about, say,
 * newsletters are not touched.
 */
#include "source_html.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Lowercase ASCII copy of a block, truncated. */
static void lower(const char *s, size_t len, char *out, size_t outlen) {
  size_t i = 0;
  for (; i < len && i + 1 < outlen; i++)
    out[i] = (char)tolower((unsigned char)s[i]);
  out[i] = '\0';
}

/* Whole-block labels, compared without case and trailing punctuation. */
static const char *const labels[] = {"advertisement",
                                     "advertisements",
                                     "advertising",
                                     "ad",
                                     "ads",
                                     "sponsored",
                                     "sponsored content",
                                     "paid content",
                                     "story continues below advertisement",
                                     "article continues below advertisement",
                                     "continue reading below",
                                     "continue reading",
                                     "scroll to continue with content",
                                     "skip to content",
                                     "skip to main content",
                                     "share",
                                     "share this",
                                     "share this article",
                                     "share this story",
                                     "share on facebook",
                                     "share on twitter",
                                     "tweet",
                                     "email",
                                     "print",
                                     "comments",
                                     "comment",
                                     "leave a comment",
                                     "leave a reply",
                                     "read more",
                                     "see more",
                                     "show more",
                                     "load more",
                                     "view comments",
                                     "related",
                                     "related articles",
                                     "related stories",
                                     "related posts",
                                     "related content",
                                     "more stories",
                                     "more on this story",
                                     "you may also like",
                                     "you might also like",
                                     "recommended",
                                     "recommended for you",
                                     "trending",
                                     "trending now",
                                     "most popular",
                                     "most read",
                                     "don't miss",
                                     "up next",
                                     "watch",
                                     "video",
                                     "photo",
                                     "photos",
                                     "image",
                                     "getty images",
                                     "back to top",
                                     NULL};

static int is_label(const char *low) {
  char t[64];
  size_t n = strlen(low);
  if (n >= sizeof t)
    return 0;
  memcpy(t, low, n + 1);
  /* Trailing punctuation and arrows: "Read more »", "Related:" */
  while (n && (t[n - 1] == ':' || t[n - 1] == '.' || t[n - 1] == ' ' ||
               t[n - 1] == '>' || (unsigned char)t[n - 1] >= 0x80))
    t[--n] = '\0';
  for (size_t i = 0; labels[i]; i++)
    if (strcmp(t, labels[i]) == 0)
      return 1;
  return 0;
}

/* ---- Dates ---------------------------------------------------------------
 */

static const char *const date_words[] = {
    /* English months and days, by prefix */
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
    "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    /* other languages' months and days (ASCII part is enough to match) */
    "janeiro", "fevereiro", "mar\xc3\xa7o", "abril", "maio", "junho", "julho",
    "agosto", "setembro", "outubro", "novembro", "dezembro", "enero", "febrero",
    "marzo", "mayo", "junio", "julio", "septiembre", "octubre", "noviembre",
    "diciembre", "janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin",
    "juillet", "ao\xc3\xbbt", "septembre", "octobre", "novembre",
    "d\xc3\xa9\x63\x65mbre", "januar", "februar", "m\xc3\xa4rz", "juni", "juli",
    "august", "oktober", "dezember", "gennaio", "febbraio", "aprile", "maggio",
    "giugno", "luglio", "settembre", "ottobre", "dicembre", "segunda",
    "ter\xc3\xa7\x61", "quarta", "quinta", "sexta", "s\xc3\xa1\x62\x61\x64o",
    "domingo", "feira", "lunes", "martes", "mi\xc3\xa9rcoles", "jueves",
    "viernes", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
    "samstag", "sonntag",
    /* times and zones */
    "am", "pm", "a", "p", "m", "gmt", "utc", "est", "edt", "cst", "cdt", "mst",
    "mdt", "pst", "pdt", "bst", "cet", "cest", "ist", "et", "pt", "ct", "hrs",
    "h", "ago", "hours", "minutes", "hour", "minute", "days", "day", "today",
    "yesterday", NULL};

/* The entries of date_words that say a time, not a date. */
static const char *const time_words[] = {
    "gmt",   "utc",     "est",  "edt",    "cst",  "cdt", "mst", "mdt",
    "pst",   "pdt",     "bst",  "cet",    "cest", "ist", "hrs", "ago",
    "hours", "minutes", "hour", "minute", "days", "day", NULL};

/* Words that stand between dates in a dateline. */
static const char *const dateline_glue[] = {"at",
                                            "on",
                                            "by",
                                            "of",
                                            "the",
                                            "de",
                                            "del",
                                            "du",
                                            "le",
                                            "\xc3\xa0s",
                                            "a",
                                            "um",
                                            "am",
                                            "le",
                                            "updated",
                                            "published",
                                            "posted",
                                            "last",
                                            "modified",
                                            "publicado",
                                            "atualizado",
                                            "actualizado",
                                            "publi\xc3\xa9",
                                            "mis",
                                            "jour",
                                            "ver\xc3\xb6\x66\x66\x65ntlicht",
                                            "aktualisiert",
                                            "pubblicato",
                                            "aggiornato",
                                            "em",
                                            "en",
                                            "el",
                                            "il",
                                            "news",
                                            NULL};

static const char *const dateline_starts[] = {"published",
                                              "updated",
                                              "posted",
                                              "last updated",
                                              "last modified",
                                              "modified",
                                              "first published",
                                              "publicado",
                                              "atualizado",
                                              "actualizado",
                                              "publi\xc3\xa9",
                                              "mis \xc3\xa0 jour",
                                              "ver\xc3\xb6\x66\x66\x65ntlicht",
                                              "aktualisiert",
                                              "pubblicato",
                                              "aggiornato",
                                              NULL};

static int in_list(const char *w, size_t n, const char *const *list,
                   int prefix3) {
  for (size_t i = 0; list[i]; i++) {
    size_t k = strlen(list[i]);
    if (k == n && strncmp(w, list[i], n) == 0)
      return 1;
    /* English month and day names: "nov", "nov.", "november" */
    if (prefix3 && k == 3 && n >= 3 && i < 19 && strncmp(w, list[i], 3) == 0)
      return 1;
  }
  return 0;
}

/* A block that only says when: "Updated 5:27 am CST, Wednesday, November
 * 20, 2019", "Nov. 20, 2019 Updated: Nov. 20, 2019 1:35 a.m.". */
static int is_dateline(const char *low, size_t words) {
  if (words == 0 || words > 24)
    return 0;
  int digits = 0, has_date = 0;
  size_t total = 0, datey = 0;
  const char *p = low;
  while (*p) {
    while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
      p++;
    if (!*p)
      break;
    const char *start = p;
    int has_digit = 0, has_alpha = 0;
    while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)) {
      if (isdigit((unsigned char)*p))
        has_digit = 1;
      else
        has_alpha = 1;
      p++;
    }
    size_t n = (size_t)(p - start);
    total++;
    if (has_digit && (!has_alpha || n <= 4)) { /* 2019, 10, 1st, 5pm */
      digits = 1;
      datey++;
      if (n == 4 && !has_alpha && (start[0] == '1' || start[0] == '2'))
        has_date = 1; /* a year */
    } else if (in_list(start, n, date_words, 1)) {
      datey++;
      if (n >= 3 && !in_list(start, n, time_words, 0))
        has_date = 1; /* a month or a day of the week */
    } else if (in_list(start, n, dateline_glue, 0)) {
      datey++;
    }
  }
  if (!digits || total == 0)
    return 0;
  for (size_t i = 0; dateline_starts[i]; i++)
    if (strncmp(low, dateline_starts[i], strlen(dateline_starts[i])) == 0 &&
        words <= 20)
      return 1;
  /* Mostly date words, and a real date among them: a time alone ("10
   * p.m.") heads a live report's entries, a number alone is a price. */
  return has_date && datey * 10 >= total * 8;
}

/* ---- Bylines -------------------------------------------------------------
 */

/* "By Jane Doe", "By Jane Doe and John Roe - 11/18/19 11:04 PM EST",
 * "BY JANE DOE, Associated Press": "By" and capitalized names, then
 * nothing that reads as a sentence. */
int sh_is_byline_text(const char *s, size_t len) {
  if (len < 4 || len > 200)
    return 0;
  if (!(strncmp(s, "By ", 3) == 0 || strncmp(s, "BY ", 3) == 0 ||
        strncmp(s, "by ", 3) == 0))
    return 0;
  size_t names = 0, lower_words = 0, words = 0;
  int in_names = 1;
  const char *p = s + 3, *end = s + len;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\n'))
      p++;
    if (p >= end)
      break;
    const char *w = p;
    while (p < end && *p != ' ' && *p != '\n')
      p++;
    size_t n = (size_t)(p - w);
    words++;
    int cap = isupper((unsigned char)w[0]) || (unsigned char)w[0] >= 0xC0;
    int sep = n == 1 && strchr("|-/", w[0]);
    static const char *const particles[] = {
        "and", "&", "de", "van", "von", "da", "der", "di", "du", "y", NULL};
    int sep_word = 0;
    for (size_t k = 0; particles[k] && !sep_word; k++)
      sep_word = n == strlen(particles[k]) && strncmp(w, particles[k], n) == 0;
    if (in_names) {
      if (cap) {
        names++;
      } else if (!sep_word) {
        in_names = 0;
        if (!sep && !isdigit((unsigned char)w[0]))
          lower_words++;
      }
      /* A comma or separator ends the names. */
      if (w[n - 1] == ',' || sep)
        in_names = 0;
    } else if (!cap && !sep && !isdigit((unsigned char)w[0]) &&
               !(n <= 3 && isalpha((unsigned char)w[0]))) {
      lower_words++;
    }
  }
  return names >= 1 && names <= 6 && lower_words <= 2 && words <= 20;
}

/* ---- Invitations and notices ---------------------------------------------
 */

static int has(const char *low, const char *word) {
  return strstr(low, word) != NULL;
}

static int starts(const char *low, const char *word) {
  return strncmp(low, word, strlen(word)) == 0;
}

static int is_notice(const char *low, size_t words) {
  /* Cookie consent. */
  if (words <= 70 && has(low, "cookie") &&
      (has(low, "accept") || has(low, "consent") || has(low, "privacy") ||
       has(low, "this site") || has(low, "this website") ||
       has(low, "our site") || has(low, "our website")))
    return 1;
  /* "This slideshow requires JavaScript", "Please enable JavaScript". */
  if (words <= 25 && has(low, "javascript") &&
      (has(low, "enable") || has(low, "requires") || has(low, "turn on") ||
       has(low, "disabled")))
    return 1;
  /* Copyright lines. */
  if (words <= 50 && (has(low, "\xc2\xa9") || has(low, "copyright") ||
                      has(low, "all rights reserved")))
    return 1;
  /* Newsletters and subscriptions. */
  if (words <= 30 &&
      (has(low, "newsletter") || has(low, "inbox") || has(low, "subscribe") ||
       has(low, "sign up")) &&
      (starts(low, "sign up") || starts(low, "subscribe") ||
       starts(low, "get ") || starts(low, "join ") || starts(low, "register") ||
       starts(low, "click") || has(low, ". sign up") ||
       has(low, ". subscribe") || has(low, "subscribe to") ||
       has(low, "sign up for") || has(low, "sign up to")))
    return 1;
  /* "Follow us on Twitter", "follow her on Facebook". */
  if (words <= 40 && has(low, "follow") &&
      (has(low, "twitter") || has(low, "facebook") || has(low, "instagram") ||
       has(low, "linkedin") || has(low, "youtube")))
    return 1;
  return 0;
}

/* "Related: ...", "Read more: ..." introducing a link. */
static const char *const link_intros[] = {
    "related:", "related coverage", "read more", "read also",    "also read",
    "see also", "see more",         "more:",     "recommended:", "watch:",
    "listen:",  "click here",       "read next", "more from",    "more on this",
    "also on",  "also see",         "see:",      "read:",        NULL};

int sh_boilerplate_text(const char *text, size_t len, double link_ratio,
                        int heading) {
  char low[512];
  if (len > 2000)
    return 0;
  lower(text, len, low, sizeof low);
  size_t words = sh_word_count(text, len);
  if (words <= 6 && is_label(low))
    return 1;
  if (heading)
    return 0;
  if (is_dateline(low, words))
    return 1;
  if (is_notice(low, words))
    return 1;
  /* Picture credits: "Photo: Agency", "Photo by Jane Doe/Agency". */
  static const char *const credits[] = {
      "photo:",        "photo by",        "photos:", "photos by",
      "photograph:",   "photograph by",   "image:",  "image credit",
      "picture:",      "credit:",         "(photo",  "(image",
      "illustration:", "illustration by", "video:",  NULL};
  for (size_t i = 0; credits[i] && words <= 12; i++)
    if (starts(low, credits[i]))
      return 1;
  /* Tag and category lists. */
  if (words <= 60 && link_ratio >= 0.5 &&
      (starts(low, "tags") || starts(low, "tagged") ||
       starts(low, "filed under") || starts(low, "categories") ||
       starts(low, "category:") || starts(low, "topics")))
    return 1;
  /* Links to other stories: most of the text is link text (but a bare
   * address is a reference the article gives). */
  if (words <= 30 && link_ratio >= 0.8 && !starts(low, "http") &&
      !starts(low, "www."))
    return 1;
  for (size_t i = 0; link_intros[i] && words <= 30; i++)
    if (starts(low, link_intros[i]) && link_ratio >= 0.3)
      return 1;
  return 0;
}
