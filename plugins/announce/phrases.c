/* Tables of phrases per language (announce.h). */
#include "announce.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void an_phrases_free(an_phrases *p) {
  for (size_t i = 0; i < p->count; i++) {
    free(p->items[i].lang);
    free(p->items[i].key);
    free(p->items[i].text);
  }
  free(p->items);
  memset(p, 0, sizeof *p);
}

static char *trimmed(const char *s, size_t n) {
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  char *out = malloc(n + 1);
  if (out) {
    memcpy(out, s, n);
    out[n] = '\0';
  }
  return out;
}

static bool valid_lang(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || n > 35)
    return false;
  for (const char *c = s; *c; c++)
    if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
      return false;
  return true;
}

/* One line: LANGUAGE, KEY and TEXT split at tabs. */
static int add_line(an_phrases *p, const char *line, size_t len,
                    const char *origin, int number, char *err, size_t errlen) {
  const char *tab1 = memchr(line, '\t', len);
  const char *tab2 =
      tab1 ? memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - line)) : NULL;
  an_phrase ph = {0};
  if (tab2) {
    ph.lang = trimmed(line, (size_t)(tab1 - line));
    ph.key = trimmed(tab1 + 1, (size_t)(tab2 - tab1 - 1));
    ph.text = trimmed(tab2 + 1, len - (size_t)(tab2 + 1 - line));
  }
  for (char *c = ph.lang; c && *c; c++)
    *c = (char)tolower((unsigned char)*c);
  bool ok = ph.lang && ph.key && ph.text && valid_lang(ph.lang) && ph.key[0] &&
            ph.text[0];
  an_phrase *grown =
      ok ? realloc(p->items, (p->count + 1) * sizeof *grown) : NULL;
  if (!grown) {
    free(ph.lang);
    free(ph.key);
    free(ph.text);
    snprintf(err, errlen,
             ok ? "out of memory"
                : "%s:%d: expected LANGUAGE<TAB>KEY<TAB>TEXT (e.g. "
                  "\"fr\\tdisclosure\\tCet article...\")",
             origin, number);
    return -1;
  }
  p->items = grown;
  p->items[p->count++] = ph;
  return 0;
}

int an_phrases_parse(an_phrases *p, const char *text, const char *origin,
                     char *err, size_t errlen) {
  int number = 0;
  for (const char *line = text; *line;) {
    size_t len = strcspn(line, "\n");
    number++;
    size_t skip = 0;
    while (skip < len && (line[skip] == ' ' || line[skip] == '\r'))
      skip++;
    bool blank = skip == len || line[skip] == '#';
    size_t end = len;
    while (end > 0 && line[end - 1] == '\r')
      end--;
    if (!blank && add_line(p, line, end, origin, number, err, errlen) != 0)
      return -1;
    line += len;
    if (*line == '\n')
      line++;
  }
  return 0;
}

static const an_phrase *find_exact(const an_phrases *p, const char *lang,
                                   size_t lang_len, const char *key) {
  for (size_t i = 0; i < p->count; i++)
    if (strlen(p->items[i].lang) == lang_len &&
        strncmp(p->items[i].lang, lang, lang_len) == 0 &&
        strcmp(p->items[i].key, key) == 0)
      return &p->items[i];
  return NULL;
}

const char *an_phrases_find(const an_phrases *p, const char *lang,
                            const char *key, const char **found_lang) {
  char tag[40];
  size_t n = 0;
  for (; lang && lang[n] && n + 1 < sizeof tag; n++)
    tag[n] = lang[n] == '_' ? '-' : (char)tolower((unsigned char)lang[n]);
  tag[n] = '\0';
  const an_phrase *ph = find_exact(p, tag, n, key);
  if (!ph)
    ph = find_exact(p, tag, strcspn(tag, "-"), key);
  if (ph && found_lang)
    *found_lang = ph->lang;
  return ph ? ph->text : NULL;
}
