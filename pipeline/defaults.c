/* What articast does when nobody says otherwise: the default pipeline and
 * voice, as data. The rest of the core names no plugin. */
#include "core.h"

#include <string.h>

const ac_default_stages ac_default_pipeline = {
    .text = "clean announce normalize kana",
    .synth = "espeak",
    .filters = "loudness",
    .sinks = "mp3 transcript",
    .publish = "feed page",
    .voice = "en-us-newsreader",
};

/* Config and voice profile keys that became stage options in plugin ABI 3,
 * so that an old file gets an error that says where the key went. */
static const ac_moved_key moved_keys[] = {
    {"show", "category", "feed", "category"},
    {"show", "subcategory", "feed", "subcategory"},
    {"show", "explicit", "feed", "explicit"},
    {"show", "owner_name", "feed", "owner_name"},
    {"show", "owner_email", "feed", "owner_email"},
    {"pipeline", "lexicon", "normalize", "lexicons"},
    {"voice", "espeak_voice", "espeak", "voice"},
    {"voice", "rate", "espeak", "rate"},
    {"voice", "pitch", "espeak", "pitch"},
    {"voice", "range", "espeak", "range"},
    {"voice", "word_gap", "espeak", "word_gap"},
    {"voice", "lexicons", "normalize", "lexicons"},
    {"voice", "loudness_gain_db", "loudness", "gain_db"},
    {NULL, NULL, NULL, NULL}};

const ac_moved_key *ac_find_moved_key(const char *section, const char *key) {
  for (const ac_moved_key *m = moved_keys; m->section; m++)
    if (strcmp(m->section, section) == 0 && strcmp(m->key, key) == 0)
      return m;
  return NULL;
}
