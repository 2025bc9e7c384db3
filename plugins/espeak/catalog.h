/*
 * The voices the espeak stage derives from espeak-ng's own voice list, so
 * that an article in any language espeak-ng speaks finds a voice without a
 * profile file (plugin.h, list_voices), and a passage in another language
 * is read with the right espeak voice.
 *
 * Two sources meet here: the voices espeak-ng has (the helper's VLST), and
 * a table, voices/espeak-voices.tsv, that gives each voice its BCP 47 tag,
 * the tags of passages it reads, a measured rate and a measured loudness
 * gain (its format is in that file and voices/README.md). A voice espeak
 * has and the table lacks is still offered: its tag comes from espeak's
 * own language code and it gets no gain (the loudness stage then measures
 * each episode in two passes). A voice without a measured rate, in the
 * table or not, gets the median of the table's rates. A table
 * row espeak lacks (another espeak-ng version) is left out. Variants and
 * mbrola voices are never offered.
 */
#ifndef ARTICAST_ESPEAK_CATALOG_H
#define ARTICAST_ESPEAK_CATALOG_H

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cat_voice {
  char *espeak;     /* what the stage selects it by: the identifier's last
                       part ("cmn", "pt-BR") */
  char *identifier; /* espeak's ("sit/cmn") */
  char *title;      /* espeak's name ("Chinese (Mandarin, latin as English)") */
  char *tag;        /* BCP 47 */
  char **also;      /* more tags whose passages it reads; NULL-terminated */
  int rate;         /* espeak words a minute; 0: the stage's default */
  double gain_db;   /* NAN: not calibrated */
  bool in_table;
} cat_voice;

typedef struct catalog {
  cat_voice *voices; /* the table's order first, then espeak's */
  size_t n;
} catalog;

/* A row of the table. */
typedef struct cat_row {
  char *identifier;
  char *tag;
  char **also;
  int rate;
  double gain_db;
} cat_row;

typedef struct cat_table {
  cat_row *rows;
  size_t n;
} cat_table;

/* Reads the table at `path`. Returns 0, or -1 with the reason (file and
 * line) in err. */
int cat_table_read(cat_table *t, const char *path, char *err, size_t errlen);
/* Parses the table from `text` (named `path` in messages). */
int cat_table_parse(cat_table *t, const char *text, const char *path, char *err,
                    size_t errlen);
void cat_table_free(cat_table *t);

/* Builds the catalog from espeak's voices (`n` of them) and the table
 * (may be empty). Returns 0, or -1 when memory ran out. */
int cat_build(catalog *c, const wire_voice *voices, size_t n,
              const cat_table *t);
void cat_free(catalog *c);

/* The voice that reads passages in `tag`: the one whose tag is `tag`, else
 * one that lists it among its `also` tags, else one of the same primary
 * language (of its tag or an `also` tag); the first in catalog order wins
 * a tie. NULL when no voice speaks the language. */
const cat_voice *cat_match(const catalog *c, const char *tag);

/* The derived voice's name ("espeak-cmn"), its description and its
 * settings in the form of a voice profile's stage sections; malloc'd. */
char *cat_voice_name(const cat_voice *v);
char *cat_voice_description(const cat_voice *v);
char *cat_voice_settings(const cat_voice *v);

/* Whether `tag` has the form of a BCP 47 tag: subtags of 1 to 8 letters
 * and digits separated by '-', the first of 2 to 8 letters. */
bool cat_tag_ok(const char *tag);

/* A 64-bit FNV-1a hash of `len` bytes, for the segment cache's salt. */
uint64_t cat_hash(const void *data, size_t len);

#endif
