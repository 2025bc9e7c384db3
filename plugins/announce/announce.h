/*
 * Internals of the announce stage, shared by its source files:
 *
 *   announce.c  the plugin: options, templates, the blocks it inserts
 *   phrases.c   tables of phrases per language (phrases.tsv, compiled in,
 *               and the show's own file)
 */
#ifndef ARTICAST_ANNOUNCE_H
#define ARTICAST_ANNOUNCE_H

#include <stddef.h>

typedef struct an_phrase {
  char *lang; /* lowercase BCP 47 tag or primary subtag */
  char *key;
  char *text;
} an_phrase;

typedef struct an_phrases {
  an_phrase *items;
  size_t count;
} an_phrases;

/* Adds the lines of `text` (LANGUAGE TAB KEY TAB TEXT; blank lines and
 * lines starting with '#' skipped). A malformed line is an error naming
 * origin and line, in err. Returns 0 or -1. */
int an_phrases_parse(an_phrases *p, const char *text, const char *origin,
                     char *err, size_t errlen);
/* The text of `key` for BCP 47 tag `lang`: a line of that exact tag, else
 * of its primary subtag; NULL when neither. *found_lang gets the line's
 * language. */
const char *an_phrases_find(const an_phrases *p, const char *lang,
                            const char *key, const char **found_lang);
void an_phrases_free(an_phrases *p);

#endif
