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
  ck_assert_int_ge(checked, 9);
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
  ck_assert_uint_eq(n, 5);
  ck_assert_ptr_nonnull(ac_option_find(p, "keep_boilerplate"));
  ck_assert_ptr_nonnull(ac_option_find(p, "min_paragraph_words"));
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
  tcase_add_test(t, keep_boilerplate_marks);
  tcase_add_test(t, min_paragraph_words_option);
  tcase_add_test(t, short_note_kept);
  tcase_add_test(t, empty_document);
  tcase_add_test(t, title_from_page);
  tcase_add_test(t, language_block_tag_kept);
  tcase_add_test(t, descriptor_options);
  tcase_add_test(t, language_detected_when_unknown);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return harness_main(clean_suite());
}
