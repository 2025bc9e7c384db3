/*
 * The clean plugin: boilerplate removal, bylines, bios and typography.
 *
 * Golden files: every tests/data/clean/NAME.txt (or .md) is read with
 * source_text, cleaned with default options and printed with
 * ac_document_print(doc, out, false); the result must equal NAME.expected.
 * Run with ARTICAST_UPDATE_GOLDEN=1 to rewrite the .expected files after a
 * deliberate change (then review the diff).
 */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Helpers ------------------------------------------------------------ */

/* Runs clean on doc with optional settings; the stage must succeed. */
static void clean_ok(ac_document *doc, const char *const *settings) {
  char err[1024] = "";
  int rc = harness_text_stage("clean", settings, doc, err, sizeof err);
  ck_assert_msg(rc == 0, "clean failed (%d): %s", rc, err);
}

/* A document of plain-text paragraphs, as source_text would give it. */
static ac_document *doc_of(const char *const *paragraphs) {
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  for (size_t i = 0; paragraphs[i]; i++)
    ck_assert_ptr_nonnull(ac_document_add_block(doc, AC_BLOCK_PARAGRAPH,
                                                paragraphs[i], (size_t)-1));
  return doc;
}

/* The document as ac_document_print writes it, malloc'd. */
static char *printed(const ac_document *doc, bool body_only) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(ac_document_print(doc, out, body_only), 0);
  fclose(out);
  return buf;
}

static long find_block(const ac_document *doc, const char *needle) {
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (strstr(doc->blocks[i].text, needle))
      return (long)i;
  return -1;
}

static size_t count_kind(const ac_document *doc, ac_block_kind kind) {
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += doc->blocks[i].kind == kind;
  return n;
}

/* Article paragraphs long and dense enough to count as running text. */
#define PARA1                                                                  \
  "The council agreed on Tuesday to rebuild the old stone bridge over the "    \
  "river, after engineers warned that its arches could not carry the "         \
  "weight of modern lorries for much longer."
#define PARA2                                                                  \
  "Work will begin in the spring and is expected to last for about a year, "   \
  "during which a temporary footbridge will keep the two halves of the "       \
  "village connected for people on foot."
#define PARA3                                                                  \
  "Residents who spoke at the meeting said they were relieved that a "         \
  "decision had finally been taken, although some worried about the noise "    \
  "and the dust that the work will bring."

/* Cleans one paragraph with classification off and returns its text. */
static char *typo(const char *in) {
  const char *paras[] = {in, NULL};
  ac_document *doc = doc_of(paras);
  const char *settings[] = {"classify=false", NULL};
  clean_ok(doc, settings);
  ck_assert_uint_eq(doc->n_blocks, 1);
  char *out = strdup(doc->blocks[0].text);
  ac_document_free(doc);
  return out;
}

/* ---- Golden files ------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

START_TEST(golden_files) {
  char *dir = harness_data("clean");
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "cannot open %s", dir);
  const char *update = getenv("ARTICAST_UPDATE_GOLDEN");
  bool rewrite = update && strcmp(update, "1") == 0;
  int checked = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!has_suffix(e->d_name, ".txt") && !has_suffix(e->d_name, ".md"))
      continue;
    char *input = ac_path_join(dir, e->d_name);
    ck_assert_ptr_nonnull(input);
    ac_document *doc = harness_read("source_text", input, NULL);
    clean_ok(doc, NULL);
    char *got = printed(doc, false);
    /* NAME.txt -> NAME.expected */
    char *expected_path = strdup(input);
    ck_assert_ptr_nonnull(expected_path);
    *strrchr(expected_path, '.') = '\0';
    char *tmp = malloc(strlen(expected_path) + 10);
    ck_assert_ptr_nonnull(tmp);
    sprintf(tmp, "%s.expected", expected_path);
    free(expected_path);
    expected_path = tmp;
    if (rewrite) {
      FILE *f = fopen(expected_path, "w");
      ck_assert_msg(f != NULL, "cannot write %s", expected_path);
      fputs(got, f);
      fclose(f);
    } else {
      char *want = harness_slurp(expected_path);
      ck_assert_msg(strcmp(got, want) == 0,
                    "%s differs from %s\n--- got:\n%s\n--- expected:\n%s",
                    e->d_name, expected_path, got, want);
      free(want);
    }
    checked++;
    free(got);
    free(expected_path);
    free(input);
    ac_document_free(doc);
  }
  closedir(d);
  free(dir);
  ck_assert_int_ge(checked, 16);
}
END_TEST

/* What the goldens promise, checked by kind rather than by text. */
START_TEST(golden_kinds) {
  char *path = harness_data("clean/byline-bio.txt");
  ac_document *doc = harness_read("source_text", path, NULL);
  free(path);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 1);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BIO), 1);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_PARAGRAPH), 3);
  ck_assert_str_eq(doc->author, "Imogen Hartley-Vance");
  long bio = find_block(doc, "The writer is");
  ck_assert_int_ge(bio, 0);
  ck_assert_str_eq(doc->blocks[bio].text,
                   "The writer is a hydrologist and a fellow of the Institute "
                   "for Water Studies.");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_structure_kept) {
  char *path = harness_data("clean/article.md");
  ac_document *doc = harness_read("source_text", path, NULL);
  free(path);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_LIST_ITEM), 3);
  long h = find_block(doc, "What changes");
  ck_assert_int_ge(h, 0);
  ck_assert_int_eq(doc->blocks[h].kind, AC_BLOCK_HEADING);
  ck_assert_int_eq(doc->blocks[h].level, 2);
  /* The H1 repeats the title: said once. */
  ck_assert_int_eq(find_block(doc, "Ferry timetable returns"), -1);
  long bio = find_block(doc, "covers transport");
  ck_assert_int_ge(bio, 0);
  ck_assert_int_eq(doc->blocks[bio].kind, AC_BLOCK_BIO);
  ck_assert_ptr_null(strstr(doc->blocks[bio].text, "[at]"));
  ck_assert_int_eq(find_block(doc, "Share this"), -1);
  ck_assert_int_eq(find_block(doc, "Facebook"), -1);
  ac_document_free(doc);
}
END_TEST

/* ---- Typography ---------------------------------------------------------- */

START_TEST(typography_quotes_and_ellipsis) {
  char *s = typo("\xe2\x80\x9cIt\xe2\x80\x99s late\xe2\x80\xa6\xe2\x80\x9d "
                 "\xe2\x80\x98ok\xe2\x80\x99 \xc2\xabnon\xc2\xbb");
  ck_assert_str_eq(s, "\"It's late...\" 'ok' \"non\"");
  free(s);
}
END_TEST

START_TEST(typography_dashes) {
  /* Spaced and unspaced em dashes between words become pauses. */
  char *s = typo("the mayor \xe2\x80\x94 who spoke first \xe2\x80\x94 left");
  ck_assert_str_eq(s, "the mayor, who spoke first, left");
  free(s);
  s = typo("wait\xe2\x80\x94no");
  ck_assert_str_eq(s, "wait, no");
  free(s);
  /* A spaced en dash between words is a pause too. */
  s = typo("the basin \xe2\x80\x93 the safest part \xe2\x80\x93 held");
  ck_assert_str_eq(s, "the basin, the safest part, held");
  free(s);
  /* Number ranges keep their en dash for the normalize stage. */
  s = typo("voted 9\xe2\x80\x93"
           "2 in 1990 \xe2\x80\x93 95");
  ck_assert_str_eq(s, "voted 9\xe2\x80\x93"
                      "2 in 1990\xe2\x80\x93"
                      "95");
  free(s);
  /* An unspaced en dash between words is a hyphen. */
  s = typo("the London\xe2\x80\x93Leith ferry");
  ck_assert_str_eq(s, "the London-Leith ferry");
  free(s);
  /* A leading dash (an attribution) is dropped; punctuation after a dash
   * is pause enough. */
  s = typo("\xe2\x80\x94 Jane Doe");
  ck_assert_str_eq(s, "Jane Doe");
  free(s);
  s = typo("it ended \xe2\x80\x94.");
  ck_assert_str_eq(s, "it ended.");
  free(s);
}
END_TEST

START_TEST(typography_invisible_and_spaces) {
  /* No-break and thin spaces become spaces, zero-width spaces, soft
   * hyphens, BOM and the replacement character vanish, runs of white
   * space collapse, and the ends are trimmed. */
  char *s = typo("  back\xc2\xa0up\xe2\x80\x89then re\xc2\xadrouted "
                 "pass\xe2\x80\x8b"
                 "engers\xef\xbb\xbf  \t now\xef\xbf\xbd  ");
  ck_assert_str_eq(s, "back up then rerouted passengers now");
  free(s);
  /* With typography off only the spacing is fixed. */
  const char *paras[] = {"\xe2\x80\x9cso\xe2\x80\x9d \xc2\xa0 far", NULL};
  ac_document *doc = doc_of(paras);
  const char *settings[] = {"classify=false", "typography=false", NULL};
  clean_ok(doc, settings);
  ck_assert_str_eq(doc->blocks[0].text, "\xe2\x80\x9cso\xe2\x80\x9d far");
  ac_document_free(doc);
}
END_TEST

START_TEST(wrapped_lines_joined) {
  const char *paras[] = {
      "The river that runs through the valley dropped to its lowest\n"
      "level in living memory this August, exposing stones that nobody\n"
      "in the village had seen before.",
      "Home\nNews\nSport", NULL};
  ac_document *doc = doc_of(paras);
  const char *settings[] = {"classify=false", NULL};
  clean_ok(doc, settings);
  ck_assert_uint_eq(doc->n_blocks, 4);
  ck_assert_str_eq(doc->blocks[0].text,
                   "The river that runs through the valley dropped to its "
                   "lowest level in living memory this August, exposing "
                   "stones that nobody in the village had seen before.");
  ck_assert_str_eq(doc->blocks[1].text, "Home");
  ck_assert_str_eq(doc->blocks[3].text, "Sport");
  ac_document_free(doc);
}
END_TEST

/* ---- Bylines and bios --------------------------------------------------- */

START_TEST(byline_once_and_author) {
  const char *paras[] = {"By Jane Q. Doe", PARA1, PARA2, PARA3,
                         "By Jane Q. Doe", NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 1);
  ck_assert_int_eq(doc->blocks[0].kind, AC_BLOCK_BYLINE);
  ck_assert_str_eq(doc->blocks[0].text, "By Jane Q. Doe");
  ck_assert_str_eq(doc->author, "Jane Q. Doe");
  ac_document_free(doc);
}
END_TEST

START_TEST(byline_keeps_existing_author) {
  const char *paras[] = {"By Jane Doe, Staff Writer", PARA1, PARA2, PARA3,
                         NULL};
  ac_document *doc = doc_of(paras);
  ck_assert_int_eq(ac_set_string(&doc->author, "J. Doe", (size_t)-1), 0);
  clean_ok(doc, NULL);
  ck_assert_str_eq(doc->author, "J. Doe");
  ck_assert_int_eq(doc->blocks[0].kind, AC_BLOCK_BYLINE);
  ac_document_free(doc);
}
END_TEST

START_TEST(byline_with_date) {
  const char *paras[] = {"Alex Morgan - Mar 3, 2031, 9:15 am", PARA1, PARA2,
                         PARA3, NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_int_eq(doc->blocks[0].kind, AC_BLOCK_BYLINE);
  ck_assert_str_eq(doc->author, "Alex Morgan");
  ac_document_free(doc);
}
END_TEST

/* Builds an article closed by `bio` and returns the bio block's text
 * (malloc'd), or NULL when no bio block is left. */
static char *bio_of(const char *bio) {
  const char *paras[] = {PARA1, PARA2, PARA3, "Jane Doe\nJane Doe", bio, NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_str_eq(doc->author, "Jane Doe");
  long i = -1;
  for (size_t k = 0; k < doc->n_blocks; k++)
    if (doc->blocks[k].kind == AC_BLOCK_BIO)
      i = (long)k;
  char *out = i >= 0 ? strdup(doc->blocks[i].text) : NULL;
  ac_document_free(doc);
  return out;
}

START_TEST(bio_email_sentences_dropped) {
  static const char *const contacts[] = {
      "She can be reached at [email\xc2\xa0protected]",
      "She can be reached at [email protected].",
      "Write to her at jane.doe@example.org.",
      "Email: jane [at] example [dot] com",
      "Reach her at jane(at)example.org or on 0161 496 0000.",
      "Contact her at jane at example dot com."};
  for (size_t i = 0; i < sizeof contacts / sizeof *contacts; i++) {
    char bio[512];
    snprintf(bio, sizeof bio,
             "Jane Doe is a reporter at the Valley Courier. %s", contacts[i]);
    char *got = bio_of(bio);
    ck_assert_msg(got != NULL, "no bio for: %s", contacts[i]);
    ck_assert_msg(strcmp(got, "Jane Doe is a reporter at the Valley "
                              "Courier.") == 0,
                  "contact \"%s\" gave \"%s\"", contacts[i], got);
    free(got);
  }
  /* Sentences without an address stay, in order. */
  char *got = bio_of("The writer is a teacher. She lives by the sea. Mail "
                     "her at jane@example.org. She has two dogs.");
  ck_assert_str_eq(got, "The writer is a teacher. She lives by the sea. She "
                        "has two dogs.");
  free(got);
  /* A sentence about e-mail without an address is not contact data. */
  got = bio_of("The writer is a teacher who studies e-mail at work.");
  ck_assert_str_eq(got, "The writer is a teacher who studies e-mail at work.");
  free(got);
}
END_TEST

START_TEST(bio_not_inside_article) {
  /* "X is a ..." in the middle of an article is not a bio. */
  const char *paras[] = {
      PARA1,
      "Tom Smith is a farmer whose fields flood every winter, and he "
      "said the new bridge would finally let his tractors cross.",
      PARA2, PARA3, NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BIO), 0);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_PARAGRAPH), 4);
  ac_document_free(doc);
}
END_TEST

/* A long paragraph of names and figures has few stopwords: inside the
 * article it is kept, among menus it is not. */
#define BIDS                                                                   \
  "Bids came from Hartley Stone Ltd (Carlisle), Penrose & Vane Civil "         \
  "Engineering (Kendal), Marsh Brothers Masonry (Penrith), Northfell "         \
  "Structures (Keswick) and Ashby Quarry Works (Appleby). Hartley quoted 1.2 " \
  "million pounds, Penrose 1.4 million, Marsh 1.1 million, Northfell 1.6 "     \
  "million, Ashby 1.3 million."
START_TEST(sparse_paragraph_inside_article) {
  const char *inside[] = {
      "Home | News | Sport | Weather", PARA1, PARA2, BIDS, PARA3,
      "Copyright 2031 Valley Courier", NULL};
  ac_document *doc = doc_of(inside);
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "Bids came from"), 0);
  ck_assert_int_lt(find_block(doc, "Home |"), 0);
  ac_document_free(doc);
  const char *outside[] = {PARA1, PARA2,  PARA3,   "Read more", "Contact us",
                           BIDS,  "Jobs", "Terms", NULL};
  doc = doc_of(outside);
  clean_ok(doc, NULL);
  ck_assert_int_lt(find_block(doc, "Bids came from"), 0);
  ck_assert_int_ge(find_block(doc, "Residents who spoke"), 0);
  ac_document_free(doc);
}
END_TEST

static size_t count_text(const ac_document *doc, const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += strstr(doc->blocks[i].text, needle) != NULL;
  return n;
}

/* An interview asks each guest the same question: every copy between
 * answers stays; a paragraph printed twice in a row is said once. */
#define QUESTION                                                               \
  "What made you want to spend your working life on the river, and what "      \
  "keeps you there?"
START_TEST(repeated_question_between_answers) {
  const char *interview[] = {
      "Home | News | Sport | Weather", PARA1, QUESTION, PARA2, QUESTION, PARA3,
      "Copyright 2031 Valley Courier", NULL};
  ac_document *doc = doc_of(interview);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_text(doc, "What made you want"), 2);
  ac_document_free(doc);
  const char *doubled[] = {PARA1, QUESTION, QUESTION, PARA2, PARA3, NULL};
  doc = doc_of(doubled);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(count_text(doc, "What made you want"), 1);
  ac_document_free(doc);
}
END_TEST

/* A listing page: the same row of buttons before each of several texts.
 * The article is the first text; an article with a repeated line between
 * its paragraphs only twice, or an advertisement label, is kept whole. */
START_TEST(listing_keeps_first_card) {
  const char *row = "Share Save Print Download";
  const char *listing[] = {"Home | Quotes | Authors",
                           "The bridge",
                           row,
                           PARA1,
                           row,
                           PARA2,
                           row,
                           PARA3,
                           "Contact us",
                           NULL};
  ac_document *doc = doc_of(listing);
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "The council agreed"), 0);
  ck_assert_int_lt(find_block(doc, "Work will begin"), 0);
  ck_assert_int_lt(find_block(doc, "Residents who spoke"), 0);
  ac_document_free(doc);
  const char *article[] = {"Home | Quotes | Authors",
                           PARA1,
                           row,
                           PARA2,
                           row,
                           PARA3,
                           "Contact us",
                           NULL};
  doc = doc_of(article);
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "The council agreed"), 0);
  ck_assert_int_ge(find_block(doc, "Work will begin"), 0);
  ck_assert_int_ge(find_block(doc, "Residents who spoke"), 0);
  ac_document_free(doc);
  /* An advertisement label after every paragraph is no row of buttons. */
  const char *ad = "Story continues below advertisement";
  const char *ads[] = {"Home | Quotes | Authors",
                       "The bridge",
                       PARA1,
                       ad,
                       PARA2,
                       ad,
                       PARA3,
                       ad,
                       BIDS,
                       "Contact us",
                       NULL};
  doc = doc_of(ads);
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "Work will begin"), 0);
  ck_assert_int_ge(find_block(doc, "Residents who spoke"), 0);
  ac_document_free(doc);
}
END_TEST

/* ---- Boilerplate --------------------------------------------------------- */

START_TEST(tail_after_markers) {
  static const char *const markers[] = {
      "Must Read",         "Related Articles", "More from the Courier",
      "Recommended",       "Share this:",      "LEAVE A REPLY",
      "You may also like", "12 Comments"};
  for (size_t i = 0; i < sizeof markers / sizeof *markers; i++) {
    const char *paras[] = {PARA1,
                           PARA2,
                           PARA3,
                           markers[i],
                           "Harbour market moves indoors for the winter "
                           "months, and the traders are happy about it.",
                           "The bakery that never closes its doors, even on "
                           "the holidays when the rest of the town sleeps.",
                           NULL};
    ac_document *doc = doc_of(paras);
    clean_ok(doc, NULL);
    ck_assert_msg(doc->n_blocks == 3, "after \"%s\": %zu blocks", markers[i],
                  doc->n_blocks);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(inline_related_kept_article) {
  /* A "Related" box early in a long article does not end it. */
  const char *paras[] = {
      PARA1,           "Related", "Bridge closures in the county",
      PARA2,           PARA3,     PARA1 " Again.",
      PARA2 " Again.", NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "Again."), 0);
  ck_assert_int_eq(find_block(doc, "Bridge closures"), -1);
  ac_document_free(doc);
}
END_TEST

START_TEST(short_lines_between_paragraphs) {
  /* Short content between paragraphs stays; furniture between them and
   * runs of short lines at head and tail go. */
  const char *paras[] = {"Home\nNews\nSport\nContact",
                         PARA1,
                         "He said no.",
                         PARA2,
                         "Advertisement",
                         "[image]",
                         PARA3,
                         "Privacy Policy | Terms of Use | Cookies",
                         "Follow us\nFacebook\nTwitter",
                         NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  char *body = printed(doc, true);
  ck_assert_str_eq(body, PARA1 "\n\nHe said no.\n\n" PARA2 "\n\n" PARA3 "\n");
  free(body);
  ac_document_free(doc);
}
END_TEST

START_TEST(keep_boilerplate_marks) {
  const char *paras[] = {"Home\nNews", PARA1, PARA2, PARA3, "Must Read", NULL};
  ac_document *doc = doc_of(paras);
  const char *settings[] = {"keep_boilerplate=true", NULL};
  clean_ok(doc, settings);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BOILERPLATE), 3);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_PARAGRAPH), 3);
  ck_assert_int_eq(doc->blocks[0].kind, AC_BLOCK_BOILERPLATE);
  ck_assert_str_eq(doc->blocks[0].text, "Home");
  /* Boilerplate is never printed. */
  char *all = printed(doc, false);
  ck_assert_ptr_null(strstr(all, "Must Read"));
  free(all);
  ac_document_free(doc);
}
END_TEST

START_TEST(min_paragraph_words_option) {
  /* With a high minimum every paragraph is short: the fallback still
   * keeps the article rather than emptying the document. */
  const char *paras[] = {PARA1, PARA2, NULL};
  ac_document *doc = doc_of(paras);
  const char *settings[] = {"min_paragraph_words=200", NULL};
  clean_ok(doc, settings);
  ck_assert_uint_eq(doc->n_blocks, 2);
  ac_document_free(doc);
  /* Out of range values are refused by the host. */
  doc = doc_of(paras);
  const char *bad[] = {"min_paragraph_words=0", NULL};
  char err[1024] = "";
  ck_assert_int_ne(harness_text_stage("clean", bad, doc, err, sizeof err), 0);
  ck_assert_str_ne(err, "");
  ac_document_free(doc);
}
END_TEST

START_TEST(short_note_kept) {
  /* A note of two short lines is all content. */
  const char *paras[] = {"Back at six.", "Milk and bread, please.", NULL};
  ac_document *doc = doc_of(paras);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(doc->n_blocks, 2);
  ac_document_free(doc);
}
END_TEST

START_TEST(empty_document) {
  ac_document *doc = ac_document_new();
  clean_ok(doc, NULL);
  ck_assert_uint_eq(doc->n_blocks, 0);
  ac_document_free(doc);
}
END_TEST

START_TEST(title_from_page) {
  /* A title that is page furniture is replaced by the headline above the
   * article, which leaves the body. */
  const char *paras[] = {
      "Menu\nSearch", "Village votes to rebuild the old stone bridge",
      PARA1,          PARA2,
      PARA3,          NULL};
  ac_document *doc = doc_of(paras);
  ck_assert_int_eq(ac_set_string(&doc->title, "Skip to content", (size_t)-1),
                   0);
  clean_ok(doc, NULL);
  ck_assert_str_eq(doc->title, "Village votes to rebuild the old stone bridge");
  ck_assert_int_eq(find_block(doc, "Village votes"), -1);
  ac_document_free(doc);
}
END_TEST

START_TEST(language_block_tag_kept) {
  const char *paras[] = {PARA1, PARA2, NULL};
  ac_document *doc = doc_of(paras);
  ck_assert_int_eq(ac_set_string(&doc->blocks[1].lang, "fr", (size_t)-1), 0);
  clean_ok(doc, NULL);
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_ptr_null(doc->blocks[0].lang);
  ck_assert_str_eq(doc->blocks[1].lang, "fr");
  ac_document_free(doc);
}
END_TEST

START_TEST(descriptor_options) {
  const ac_plugin *p = harness_plugin("clean");
  ck_assert_int_eq(p->kind, AC_STAGE_TEXT);
  size_t n = 0;
  for (const ac_option *o = p->options; o && o->name; o++, n++)
    ck_assert_msg(o->help && o->help[0], "option %s has no help", o->name);
  ck_assert_uint_eq(n, 6);
  ck_assert_ptr_nonnull(ac_option_find(p, "keep_boilerplate"));
  ck_assert_ptr_nonnull(ac_option_find(p, "min_paragraph_words"));
  ck_assert_ptr_nonnull(ac_option_find(p, "detect_language"));
}
END_TEST

START_TEST(language_detected_when_unknown) {
  ac_document *doc = harness_read(
      "source_text", NULL,
      "Le pont\n\nLe conseil municipal a vot\xc3\xa9 mardi soir le "
      "remplacement du pont. Les travaux commenceront en janvier et "
      "dureront dix-huit mois, selon la mairie, qui promet une "
      "passerelle provisoire pour les pi\xc3\xa9tons.\n");
  ck_assert_ptr_null(doc->language);
  ck_assert_int_eq(harness_text_stage("clean", NULL, doc, NULL, 0), 0);
  ck_assert_ptr_nonnull(doc->language);
  ck_assert_str_eq(doc->language, "fr");
  ac_document_free(doc);

  /* A declared language is left alone. */
  doc = harness_read("source_text", NULL,
                     "---\ntitle: T\nlanguage: en-GB\n---\n\nLe conseil "
                     "municipal a vot\xc3\xa9 mardi soir le remplacement du "
                     "pont et les travaux commenceront en janvier.\n");
  ck_assert_int_eq(harness_text_stage("clean", NULL, doc, NULL, 0), 0);
  ck_assert_str_eq(doc->language, "en-GB");
  ac_document_free(doc);
}
END_TEST

/* ---- Case folding and scripts ------------------------------------------ */

/* The title printed again in capitals above the article is said once:
 * that needs case folding that knows Polish (Ł, Ź), Turkish (İ, I),
 * German (ß) and Greek (final sigma, accents). */
START_TEST(title_copy_folded_in_every_language) {
  static const struct {
    const char *lang, *title, *copy, *para1, *para2;
  } cases[] = {
      {"pl", "Łódź odbuduje stary most", "ŁÓDŹ ODBUDUJE STARY MOST",
       "Rada miasta zdecydowała we wtorek, że stary kamienny most nad rzeką "
       "zostanie rozebrany i zbudowany od nowa, ponieważ jego łuki nie "
       "wytrzymają już ciężaru współczesnych samochodów.",
       "Prace mają się rozpocząć wiosną i potrwają około roku, a w tym czasie "
       "mieszkańcy obu brzegów będą mogli przechodzić przez rzekę po "
       "tymczasowej kładce obok starego mostu."},
      {"tr", "Diyarbakır için yeni köprü", "DİYARBAKIR İÇİN YENİ KÖPRÜ",
       "Belediye meclisi salı günü, nehir üzerindeki eski taş köprünün "
       "yıkılıp yerine yeni bir köprü yapılmasına karar verdi. Mühendisler "
       "bu köprünün artık ağır kamyonları taşıyamayacağını ve her kış biraz "
       "daha zayıfladığını söyledi.",
       "Çalışmaların ilkbaharda başlaması ve yaklaşık bir yıl sürmesi "
       "bekleniyor, bu sürede iki yakada yaşayanlar geçici bir yaya "
       "köprüsünden karşıya geçebilecek ve işlerine gidebilecek."},
      {"de", "Die Straße am Fluss wird neu gebaut",
       "DIE STRASSE AM FLUSS WIRD NEU GEBAUT",
       "Der Stadtrat hat am Dienstag beschlossen, dass die alte Straße am "
       "Fluss abgerissen und neu gebaut wird, weil die Ingenieure gewarnt "
       "haben, dass sie die schweren Lastwagen nicht mehr lange trägt.",
       "Die Arbeiten sollen im Frühjahr beginnen und etwa ein Jahr dauern, "
       "und in dieser Zeit können die Anwohner auf einem provisorischen Weg "
       "neben der alten Straße zu Fuß gehen."},
      {"el", "Ο νέος δρόμος της πόλης", "Ο ΝΈΟΣ ΔΡΌΜΟΣ ΤΗΣ ΠΌΛΗΣ",
       "Το δημοτικό συμβούλιο αποφάσισε την Τρίτη ότι ο παλιός πέτρινος "
       "δρόμος δίπλα στο ποτάμι θα γκρεμιστεί και θα ξαναχτιστεί, επειδή οι "
       "μηχανικοί προειδοποίησαν ότι δεν αντέχει πια τα φορτηγά.",
       "Οι εργασίες θα ξεκινήσουν την άνοιξη και θα διαρκέσουν περίπου ένα "
       "χρόνο, και σε αυτό το διάστημα οι κάτοικοι θα περνούν από έναν "
       "προσωρινό πεζόδρομο δίπλα στον παλιό."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *paras[] = {cases[i].copy, cases[i].para1, cases[i].para2, NULL};
    ac_document *doc = doc_of(paras);
    ck_assert_int_eq(ac_set_string(&doc->title, cases[i].title, (size_t)-1), 0);
    ck_assert_int_eq(ac_set_string(&doc->language, cases[i].lang, (size_t)-1),
                     0);
    clean_ok(doc, NULL);
    ck_assert_msg(find_block(doc, cases[i].copy) == -1,
                  "%s: the title's copy \"%s\" was kept", cases[i].lang,
                  cases[i].copy);
    ck_assert_msg(doc->n_blocks == 2, "%s: %zu blocks", cases[i].lang,
                  doc->n_blocks);
    ac_document_free(doc);
  }
}
END_TEST

/* A short line ending in the full stop of its script is a sentence, not a
 * subheading. */
START_TEST(sentence_ends_of_every_script) {
  static const char *const sentences[] = {
      "短い文です\xe3\x80\x82",     /* 。 */
      "यह छोटा वाक्य है\xe0\xa5\xa4", /* । */
      "هل هذا صحيح\xd8\x9f",        /* ؟ */
      "یہ چھوٹا جملہ ہے\xdb\x94",   /* ۔ */
      "Это короткая фраза!",
  };
  for (size_t i = 0; i < sizeof sentences / sizeof *sentences; i++) {
    for (int with_stop = 1; with_stop >= 0; with_stop--) {
      char line[128];
      snprintf(line, sizeof line, "%s", sentences[i]);
      if (!with_stop) {
        /* Drop the final mark (one code point). */
        size_t n = strlen(line);
        while (n > 0 && ((unsigned char)line[n - 1] & 0xC0) == 0x80)
          n--;
        line[n - 1] = '\0';
      }
      const char *paras[] = {PARA1, line, PARA2, PARA3, NULL};
      ac_document *doc = doc_of(paras);
      ck_assert_int_eq(ac_set_string(&doc->title,
                                     "Bridge works begin in the spring",
                                     (size_t)-1),
                       0);
      clean_ok(doc, NULL);
      long b = find_block(doc, line);
      ck_assert_msg(b >= 0, "\"%s\" was dropped", line);
      ck_assert_msg(doc->blocks[b].kind ==
                        (with_stop ? AC_BLOCK_PARAGRAPH : AC_BLOCK_HEADING),
                    "\"%s\" has kind %d", line, (int)doc->blocks[b].kind);
      ac_document_free(doc);
    }
  }
}
END_TEST

/* ---- Word lists ---------------------------------------------------------- */

/* A copy of the shipped word lists in a fresh directory, malloc'd. */
static char *copy_words(void) {
  char *dir = harness_tempdir();
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cp -R '%s/voices/words/.' '%s/'",
           ARTICAST_TEST_SOURCE_DIR, dir);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  return dir;
}

static void append_line(const char *path, const char *text) {
  FILE *f = fopen(path, "a");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fputs(text, f);
  fclose(f);
}

/* The stage fails to start with `words` set to dir; returns the message
 * (malloc'd). */
static char *create_error(const char *dir) {
  char setting[1024];
  snprintf(setting, sizeof setting, "words=%s", dir);
  const char *settings[] = {setting, NULL};
  char err[2048] = "";
  ac_stage_instance *si =
      harness_stage("clean", settings, NULL, err, sizeof err);
  ck_assert_msg(si == NULL, "the stage started with word lists in %s", dir);
  return strdup(err);
}

START_TEST(word_lists_read_from_data_files) {
  char *dir = copy_words();
  char path[1024];
  snprintf(path, sizeof path, "%s/clean/furniture.txt", dir);
  append_line(path, "# a site's own button\nZorblax Quux\n");
  const char *paras[] = {PARA1, "Zorblax quux!", PARA2, PARA3, NULL};
  /* With the shipped lists the line is a short line inside the article;
   * with the edited copy it is furniture wherever it stands. */
  ac_document *doc = doc_of(paras);
  const char *keep[] = {"keep_boilerplate=true", NULL};
  clean_ok(doc, keep);
  long b = find_block(doc, "Zorblax");
  ck_assert_int_ge(b, 0);
  ck_assert_int_ne(doc->blocks[b].kind, AC_BLOCK_BOILERPLATE);
  ac_document_free(doc);
  char setting[1024];
  snprintf(setting, sizeof setting, "words=%s", dir);
  const char *custom[] = {"keep_boilerplate=true", setting, NULL};
  doc = doc_of(paras);
  clean_ok(doc, custom);
  b = find_block(doc, "Zorblax");
  ck_assert_int_ge(b, 0);
  ck_assert_int_eq(doc->blocks[b].kind, AC_BLOCK_BOILERPLATE);
  ac_document_free(doc);
  free(dir);
}
END_TEST

START_TEST(missing_word_list_is_an_error) {
  char *dir = copy_words();
  char path[1024];
  snprintf(path, sizeof path, "%s/clean/comment-forms.txt", dir);
  ck_assert_int_eq(remove(path), 0);
  char *err = create_error(dir);
  ck_assert_msg(strstr(err, "comment-forms.txt") != NULL, "message: %s", err);
  free(err);
  /* No stopword lists at all. */
  snprintf(path, sizeof path, "rm -r '%s/stopwords' '%s/clean'", dir, dir);
  ck_assert_int_eq(harness_run(path, NULL), 0);
  err = create_error(dir);
  ck_assert_msg(strstr(err, "not found") != NULL, "message: %s", err);
  free(err);
  free(dir);
  /* A directory that does not exist. */
  err = create_error("/nonexistent/articast-words");
  ck_assert_msg(strstr(err, "furniture.txt") != NULL, "message: %s", err);
  free(err);
}
END_TEST

/* A stopword list is read when an article needs it: its own language's,
 * or every list when the language is not known. */
START_TEST(malformed_word_list_is_an_error) {
  char *dir = copy_words();
  char path[1024];
  snprintf(path, sizeof path, "%s/stopwords/pl.txt", dir);
  append_line(path, "dobrze\n\xff\xfe broken\n");
  char setting[1024];
  snprintf(setting, sizeof setting, "words=%s", dir);
  const char *settings[] = {setting, "detect_language=false", NULL};
  const char *paras[] = {PARA1, PARA2, PARA3, NULL};
  /* An English article does not read the Polish list. */
  ac_document *doc = doc_of(paras);
  ck_assert_int_eq(ac_set_string(&doc->language, "en", (size_t)-1), 0);
  clean_ok(doc, settings);
  ac_document_free(doc);
  /* A Polish one does, and so does one of no known language. */
  for (int k = 0; k < 2; k++) {
    doc = doc_of(paras);
    if (k == 0)
      ck_assert_int_eq(ac_set_string(&doc->language, "pl-PL", (size_t)-1), 0);
    char err[1024] = "";
    ck_assert_int_ne(
        harness_text_stage("clean", settings, doc, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "pl.txt") && strstr(err, "not UTF-8"),
                  "message: %s", err);
    ac_document_free(doc);
  }
  /* A broken list of the clean stage's own fails it at once. */
  snprintf(path, sizeof path, "%s/clean/furniture.txt", dir);
  append_line(path, "\xff\n");
  char *err = create_error(dir);
  ck_assert_msg(strstr(err, "furniture.txt") && strstr(err, "not UTF-8"),
                "message: %s", err);
  free(err);
  free(dir);
}
END_TEST

/* ---- Languages ----------------------------------------------------------- */

/* Without a stopword list (Catalan has none) the classifier neither keeps
 * everything nor drops the article: sentences stay, menus and link lists
 * go. */
START_TEST(no_stopword_list_uses_shape) {
  char *path = harness_data("clean/ca-article.txt");
  ac_document *doc = harness_read("source_text", path, NULL);
  free(path);
  ck_assert_str_eq(doc->language, "ca");
  clean_ok(doc, NULL);
  ck_assert_int_ge(find_block(doc, "Els voluntaris"), 0);
  ck_assert_int_ge(find_block(doc, "La fundació atribueix"), 0);
  ck_assert_int_eq(find_block(doc, "Esports"), -1);
  ck_assert_int_eq(find_block(doc, "Els pescadors protesten"), -1);
  ac_document_free(doc);
}
END_TEST

/* Each non-English fixture keeps its three article paragraphs and drops
 * its menu, related list, comments and footer (the goldens hold the exact
 * text; this says what they promise). */
START_TEST(non_english_articles) {
  static const struct {
    const char *file, *lang, *body, *menu, *boiler;
  } cases[] = {
      {"pl-article.txt", "pl", "Prace mają się", "Wiadomości",
       "Używamy plików cookie"},
      {"ru-article.txt", "ru", "Фонд объясняет", "Новости",
       "Рыбаки недовольны"},
      {"zh-article.txt", "zh", "信托组织认为", "体育", "渔民对捕鱼新规不满"},
      {"hi-article.txt", "hi", "संस्था इस वापसी", "समाचार", "बहुत अच्छी खबर"},
      {"ar-article.txt", "ar", "وتعزو الجمعية", "رياضة", "الصيادون غير راضين"},
      {"th-article.txt", "th", "มูลนิธิเชื่อว่า", "กีฬา", "ชาวประมงไม่พอใจ"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char rel[128];
    snprintf(rel, sizeof rel, "clean/%s", cases[i].file);
    char *path = harness_data(rel);
    ac_document *doc = harness_read("source_text", path, NULL);
    free(path);
    clean_ok(doc, NULL);
    ck_assert_msg(doc->language && strcmp(doc->language, cases[i].lang) == 0,
                  "%s: language %s", cases[i].file,
                  doc->language ? doc->language : "(none)");
    ck_assert_msg(count_kind(doc, AC_BLOCK_PARAGRAPH) == 3,
                  "%s: %zu paragraphs", cases[i].file,
                  count_kind(doc, AC_BLOCK_PARAGRAPH));
    ck_assert_msg(find_block(doc, cases[i].body) >= 0, "%s: body dropped",
                  cases[i].file);
    ck_assert_msg(find_block(doc, cases[i].menu) == -1, "%s: menu kept",
                  cases[i].file);
    ck_assert_msg(find_block(doc, cases[i].boiler) == -1,
                  "%s: boilerplate kept", cases[i].file);
    ac_document_free(doc);
  }
}
END_TEST

static Suite *clean_suite(void) {
  Suite *s = suite_create("clean");
  TCase *t = tcase_create("golden");
  tcase_add_test(t, golden_files);
  tcase_add_test(t, golden_kinds);
  tcase_add_test(t, markdown_structure_kept);
  suite_add_tcase(s, t);
  t = tcase_create("typography");
  tcase_add_test(t, typography_quotes_and_ellipsis);
  tcase_add_test(t, typography_dashes);
  tcase_add_test(t, typography_invisible_and_spaces);
  tcase_add_test(t, wrapped_lines_joined);
  suite_add_tcase(s, t);
  t = tcase_create("byline_bio");
  tcase_add_test(t, byline_once_and_author);
  tcase_add_test(t, byline_keeps_existing_author);
  tcase_add_test(t, byline_with_date);
  tcase_add_test(t, bio_email_sentences_dropped);
  tcase_add_test(t, bio_not_inside_article);
  suite_add_tcase(s, t);
  t = tcase_create("boilerplate");
  tcase_add_test(t, tail_after_markers);
  tcase_add_test(t, inline_related_kept_article);
  tcase_add_test(t, short_lines_between_paragraphs);
  tcase_add_test(t, sparse_paragraph_inside_article);
  tcase_add_test(t, repeated_question_between_answers);
  tcase_add_test(t, listing_keeps_first_card);
  tcase_add_test(t, keep_boilerplate_marks);
  tcase_add_test(t, min_paragraph_words_option);
  tcase_add_test(t, short_note_kept);
  tcase_add_test(t, empty_document);
  tcase_add_test(t, title_from_page);
  tcase_add_test(t, language_block_tag_kept);
  tcase_add_test(t, descriptor_options);
  tcase_add_test(t, language_detected_when_unknown);
  suite_add_tcase(s, t);
  t = tcase_create("languages");
  tcase_add_test(t, title_copy_folded_in_every_language);
  tcase_add_test(t, sentence_ends_of_every_script);
  tcase_add_test(t, no_stopword_list_uses_shape);
  tcase_add_test(t, non_english_articles);
  suite_add_tcase(s, t);
  t = tcase_create("word_lists");
  tcase_add_test(t, word_lists_read_from_data_files);
  tcase_add_test(t, missing_word_list_is_an_error);
  tcase_add_test(t, malformed_word_list_is_an_error);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return harness_main(clean_suite());
}
