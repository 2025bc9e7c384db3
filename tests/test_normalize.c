/* The normalize plugin: written forms to spoken words, one test case per
 * class of rule, the map back to the written text, pronunciation lexicons
 * (format, matching, precedence), an ear-proxy check of the shipped
 * lexicon through espeak-ng's phonemes, and a golden article. Fixtures
 * live in tests/data/normalize/. */
#include "harness.h"

#include "en_words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Helpers ------------------------------------------------------------ */

static ac_document *doc_with(const char *text, const char *lang) {
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  if (lang)
    ac_set_string(&doc->language, lang, (size_t)-1);
  ck_assert_ptr_nonnull(
      ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, text, strlen(text)));
  return doc;
}

/* Runs the stage on one paragraph; fails the test if the stage fails. */
static ac_document *run(const char *text, const char *lang,
                        const char *const *settings) {
  ac_document *doc = doc_with(text, lang);
  char err[1024] = "";
  int rc = harness_text_stage("normalize", settings, doc, err, sizeof err);
  ck_assert_msg(rc == 0, "normalize failed on '%s': %s", text, err);
  return doc;
}

static void check_says(const char *written, const char *lang,
                       const char *const *settings, const char *expected,
                       int line) {
  ac_document *doc = run(written, lang, settings);
  ck_assert_msg(strcmp(doc->blocks[0].text, expected) == 0,
                "line %d: '%s' said as\n  '%s', expected\n  '%s'", line,
                written, doc->blocks[0].text, expected);
  ac_document_free(doc);
}

/* The rules alone, without lexicons. */
static const char *const no_lexicon[] = {"lexicons=", NULL};
static const char *const us_dates[] = {"lexicons=", "dates=mdy", NULL};

#define SAYS(w, e) check_says((w), NULL, no_lexicon, (e), __LINE__)
#define SAYS_IN(lang, w, e) check_says((w), (lang), no_lexicon, (e), __LINE__)
#define SAYS_LEX(w, e) check_says((w), NULL, NULL, (e), __LINE__)

/* The written offset a spoken offset maps to, read as ac_span says (the
 * transcript sink reads it the same way). */
static size_t written_at(const ac_block *b, size_t spoken) {
  size_t lo = 0;
  while (lo < b->n_map && b->map[lo].spoken <= spoken)
    lo++;
  size_t s0 = 0, w0 = 0, s1, w1;
  if (lo > 0) {
    s0 = b->map[lo - 1].spoken;
    w0 = b->map[lo - 1].written;
  }
  if (lo < b->n_map) {
    s1 = b->map[lo].spoken;
    w1 = b->map[lo].written;
  } else {
    s1 = strlen(b->text);
    w1 = strlen(b->written ? b->written : b->text);
  }
  if (s1 - s0 == w1 - w0)
    return w0 + (spoken - s0);
  return w0;
}

/* Asserts that the spoken word `spoken_word` maps to the start of the
 * written word `written_word`. */
static void check_maps(const ac_block *b, const char *spoken_word,
                       const char *written_word) {
  const char *s = strstr(b->text, spoken_word);
  ck_assert_msg(s != NULL, "'%s' not in '%s'", spoken_word, b->text);
  const char *w = strstr(b->written, written_word);
  ck_assert_msg(w != NULL, "'%s' not in '%s'", written_word, b->written);
  size_t got = written_at(b, (size_t)(s - b->text));
  ck_assert_msg(got == (size_t)(w - b->written),
                "spoken '%s' maps to written offset %zu ('%.12s'), expected "
                "%zu ('%s')",
                spoken_word, got, b->written + got, (size_t)(w - b->written),
                written_word);
}

static char *write_temp(const char *dir, const char *name, const char *text) {
  char *path = ac_path_join(dir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  return path;
}

/* ---- Numbers --------------------------------------------------------------
 */

START_TEST(cardinals) {
  SAYS("1", "one");
  SAYS("-2 degrees", "minus two degrees");
  SAYS("123", "one hundred and twenty three");
  SAYS("9,000", "nine thousand");
  SAYS("18,095 fans", "eighteen thousand and ninety five fans");
  /* From a million up, "and" only gets in the way. */
  SAYS("1,234,567", "one million two hundred thirty four thousand five "
                    "hundred sixty seven");
  SAYS("a score of 0", "a score of zero");
  /* Leading zeros and long unseparated runs are identifiers. */
  SAYS("code 007", "code zero zero seven");
  SAYS("45190", "four five one nine zero");
  /* ... unless they count something. */
  SAYS("over 12000 people", "over twelve thousand people");
  SAYS("1099 people died", "one thousand and ninety nine people died");
  SAYS("460 million", "four hundred sixty million");
}
END_TEST

/* An ordinal too long for words is read digit by digit with its suffix;
 * it was dropped, and a block of only that became a NULL text
 * (fuzz_normalize). */
START_TEST(ordinals_too_long) {
  ac_document *doc = run("6666666666666666666666662nd", NULL, no_lexicon);
  ck_assert_ptr_nonnull(doc->blocks[0].text);
  ck_assert_msg(strstr(doc->blocks[0].text, "six six") &&
                    strstr(doc->blocks[0].text, "two nd"),
                "said as '%s'", doc->blocks[0].text);
  ac_document_free(doc);
}
END_TEST

START_TEST(ordinals) {
  SAYS("21st", "twenty first");
  SAYS("the 3rd time", "the third time");
  SAYS("112th", "one hundred twelfth");
  SAYS("1,000th", "one thousandth");
  SAYS("the 12th man", "the twelfth man");
  /* A suffix that does not fit the number is said as written. */
  SAYS("4rd", "four rd");
}
END_TEST

START_TEST(decimals) {
  SAYS("3.85", "three point eight five");
  SAYS(".5", "point five");
  SAYS("0.004", "zero point zero zero four");
  SAYS("1.5 million", "one point five million");
  SAYS("5.4, or 5.5", "five point four, or five point five");
  SAYS("version 3.2.1", "version three point two point one");
}
END_TEST

START_TEST(fractions) {
  SAYS("1/2", "one half");
  SAYS("3/4 of them", "three quarters of them");
  SAYS("2/3", "two thirds");
  SAYS("5 1/2 cups", "five and a half cups");
  SAYS("7/32", "seven thirty seconds");
  SAYS("1/4th", "one quarter");
  SAYS("\xc2\xbd", "one half");
  SAYS("24/7", "twenty four seven");
}
END_TEST

START_TEST(money) {
  SAYS("$2", "two dollars");
  SAYS("$1", "one dollar");
  SAYS("$20.50", "twenty dollars fifty cents");
  SAYS("$0.05", "five cents");
  SAYS("\xc2\xa3"
       "6.40",
       "six pounds forty pence");
  SAYS("\xc2\xa3"
       "1.2m",
       "one point two million pounds");
  SAYS("$15.2 billion", "fifteen point two billion dollars");
  SAYS("\xe2\x82\xac"
       "3.5bn",
       "three point five billion euros");
  SAYS("\xc2\xa5"
       "30B",
       "thirty billion yen");
  SAYS("$5-10 million", "five to ten million dollars");
  SAYS("$50-$100", "fifty dollars to one hundred dollars");
  SAYS("Rs. 500", "five hundred rupees");
  SAYS("$20/mo", "twenty dollars per month");
  SAYS("US$5", "five US dollars");
  SAYS("-$300", "minus three hundred dollars");
  SAYS("a $ sign", "a dollar sign");
}
END_TEST

START_TEST(percent) {
  SAYS("12%", "twelve percent");
  SAYS("3.85%", "three point eight five percent");
  SAYS("5-10%", "five to ten percent");
}
END_TEST

/* ---- Dates and times
 * --------------------------------------------------------- */

START_TEST(dates) {
  SAYS("14 March 2026", "the fourteenth of March twenty twenty six");
  SAYS("March 14, 2026", "March fourteenth twenty twenty six");
  SAYS("on the 4 July", "on the fourth of July");
  SAYS("Jan. 5", "January fifth");
  SAYS("SEPT. 15", "September fifteenth");
  SAYS("2026-03-14", "March fourteenth twenty twenty six");
  SAYS("25.12.2020", "the twenty fifth of December twenty twenty");
  SAYS("on 2 and 9 April", "on the second and ninth of April");
  SAYS("July 1876", "July eighteen seventy six");
  /* Ambiguous numeric dates follow the language (or the option). */
  SAYS_IN("en-US", "03/04/2026", "March fourth twenty twenty six");
  SAYS_IN("en-GB", "03/04/2026", "the third of April twenty twenty six");
  check_says("03/04/2026", "en-GB", us_dates, "March fourth twenty twenty six",
             __LINE__);
  /* "May" the verb, "march" the verb. */
  SAYS("May I come in?", "May I come in?");
  SAYS("they march 5 miles", "they march five miles");
}
END_TEST

START_TEST(years_and_decades) {
  SAYS("in 1999", "in nineteen ninety nine");
  SAYS("in 2005", "in two thousand five");
  SAYS("in 1905", "in nineteen oh five");
  SAYS("by 1900", "by nineteen hundred");
  SAYS("the 2023 inspection", "the twenty twenty three inspection");
  SAYS("the 1980s", "the nineteen eighties");
  SAYS("the '90s", "the nineties");
  SAYS("the 2000s", "the two thousands");
  SAYS("the 1960s-1980s", "the nineteen sixties to nineteen eighties");
  SAYS("mid-2028", "mid-twenty twenty eight");
  SAYS("the 2019-20 season", "the twenty nineteen to twenty season");
}
END_TEST

START_TEST(times) {
  SAYS("5pm", "five p.m");
  SAYS("at 10:30 a.m. on", "at ten thirty a.m on");
  SAYS("9:05", "nine oh five");
  SAYS("01:00", "one o'clock");
  SAYS("14:00", "fourteen hundred");
  SAYS("14:10:30", "fourteen hours ten minutes and thirty seconds");
  SAYS("5pm-7 pm", "five p.m to seven p.m");
  SAYS("1:59 p.m. EST", "one fifty nine p.m EST");
  SAYS("3-4 pm", "three to four p.m");
}
END_TEST

/* ---- Ranges, measures, phones, addresses
 * ---------------------------------------- */

START_TEST(ranges_and_scores) {
  SAYS("voted 9\xe2\x80\x93"
       "2",
       "voted nine to two");
  SAYS("won 3-1", "won three to one");
  SAYS("2019-2021", "twenty nineteen to twenty twenty one");
  SAYS("pages 10-20", "pages ten to twenty");
  SAYS("2-5lb", "two to five pounds");
  /* Not a range: a larger number first, with a hyphen. */
  SAYS("978-0", "nine hundred and seventy eight-zero");
  SAYS("1-2=5", "one minus two equals five");
  SAYS("2+3", "two plus three");
}
END_TEST

START_TEST(measures) {
  SAYS("12kg", "twelve kilograms");
  SAYS("4 km", "four kilometers");
  SAYS("1 km", "one kilometer");
  SAYS("a 5-km run", "a five kilometer run");
  SAYS("2\xc2\xb0"
       "C",
       "two degrees Celsius");
  SAYS("100 mph", "one hundred miles per hour");
  SAYS("5 mg/kg", "five milligrams per kilogram");
  SAYS("12/kg", "twelve per kilogram");
  SAYS("2x8 m2", "two by eight square meters");
  SAYS_IN("en-GB", "3.5 m wider", "three point five metres wider");
  SAYS("5'11\"", "five feet eleven inches");
  /* Not units: "2 t-shirts", "5 in". */
  SAYS("2 t-shirts", "two t-shirts");
  /* Spelled letters are whole characters (fuzz_normalize: "1s/h\u0628" was
   * spelled byte by byte into invalid UTF-8). */
  SAYS("3 cc/s", "three C.C per second");
  SAYS("1s/h\xd8\xa8 x", "one S per H.\xd8\xa8 x");
}
END_TEST

START_TEST(telephone_numbers) {
  SAYS("+1 123-123-5678", "plus one, one two three, one two three, five six "
                          "seven eight");
  SAYS("(555) 555-1234", "five five five, five five five, one two three four");
  SAYS("or on 0161 496 0732.", "or on zero one six one, four nine six, zero "
                               "seven three two.");
  SAYS("1-800-GO-2-HAUL", "one, eight hundred, GO, two, HAUL");
  SAYS("192.168.0.1", "one nine two dot one six eight dot zero dot one");
  SAYS("card ending in 8876", "card ending in eight eight seven six");
}
END_TEST

START_TEST(email_and_urls) {
  SAYS("write to amina.q@example.org today",
       "write to amina dot q at example dot org today");
  SAYS("https://www.example.com/a-b_c",
       "HTTPS colon slash slash WWW dot example dot com slash a dash b "
       "underscore c");
  SAYS("news.bbc.co.uk", "news dot bbc dot co dot UK");
  SAYS("see test.fr/x1", "see test dot FR slash x one");
  /* A missing space is not an address. */
  SAYS("the end.It was", "the end.It was");
}
END_TEST

START_TEST(addresses) {
  SAYS("1211 E Arques Ave", "twelve eleven East Arques Avenue");
  SAYS("12 S 1st st", "twelve South first Street");
  SAYS("Santa Clara, CA 95051", "Santa Clara, California nine five zero "
                                "five one");
  SAYS("lived at 1428 Elm St. 4 doors down",
       "lived at fourteen twenty eight Elm Street four doors down");
}
END_TEST

/* ---- Words
 * ---------------------------------------------------------------------- */

START_TEST(roman_numerals) {
  SAYS("Henry VIII", "Henry the eighth");
  SAYS("World War II", "World War two");
  SAYS("Elizabeth I.", "Elizabeth the first.");
  SAYS("Part IV", "Part four");
  SAYS("Pope John Paul II", "Pope John Paul the second");
  /* Words and letters that only look like numerals. */
  SAYS("I think I am", "I think I am");
  SAYS("the MIX of", "the MIX of");
  SAYS("Malcolm X", "Malcolm X");
  SAYS("MCMXCIV", "MCMXCIV");
  SAYS("Henry I was", "Henry I was");
}
END_TEST

START_TEST(abbreviations) {
  SAYS("Dr. Evil", "Doctor Evil");
  SAYS("Dr Muhammad Bhatti", "Doctor Muhammad Bhatti");
  SAYS("Mr. and Mrs. Smith", "Mister and Missus Smith");
  SAYS("on Mulholland Dr. The", "on Mulholland Drive. The");
  SAYS("Tue., March 3", "Tuesday, March third");
  SAYS("the Dept. of Transport", "the Department of Transport");
  SAYS("fruit, e.g. apples", "fruit, for example apples");
  SAYS("fruit, i.e. apples", "fruit, that is apples");
  SAYS("St. Paul's", "Saint Paul's");
  SAYS("No. 10", "number ten");
  SAYS("the U.S. Senate", "the U.S Senate");
  SAYS("Councillor J. R. Okafor", "Councillor J.R Okafor");
  /* A period that also ends the sentence stays a sentence end. */
  SAYS("at 5 p.m. Residents", "at five p.m. Residents");
  SAYS("apples, pears etc. The rest", "apples, pears et cetera. The rest");
  SAYS("on Baker St. It was", "on Baker Street. It was");
  SAYS("lives in the U.S. The", "lives in the U.S. The");
}
END_TEST

START_TEST(no_false_sentence_ends) {
  /* espeak-ng ends a sentence at "Dr." and at "e.g.": none of these may
   * keep a period followed by a space. */
  static const char *const cases[] = {
      "Dr. Helen Marsh spoke.",   "Mr. Okafor spoke.",
      "the Dept. of Transport.",  "e.g. this one.",
      "Prof. Lee and Gen. Khan.", "Jan. 15 was cold.",
      "J. R. Okafor spoke.",      "at 10 a.m. on Monday."};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ac_document *doc = run(cases[i], NULL, no_lexicon);
    const char *t = doc->blocks[0].text;
    const char *p = strstr(t, ". ");
    ck_assert_msg(p == NULL, "'%s' -> '%s' keeps a sentence end", cases[i], t);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(acronyms) {
  /* Unpronounceable capitals are spelled (periods make espeak-ng spell). */
  SAYS("the IMF said", "the I.M.F said");
  SAYS("TTP", "T.T.P");
  SAYS("the WHO", "the W.H.O");
  SAYS("NYPD officers", "N.Y.P.D officers");
  /* Pronounceable ones are words, left to espeak-ng. */
  SAYS("NATO and NASA", "NATO and NASA");
  SAYS("SAARC", "SAARC");
  /* Two letters espeak-ng knows; headlines in capitals stay words. */
  SAYS("the UK", "the UK");
  SAYS("COUNCIL PLANS FERRY CUTS", "COUNCIL PLANS FERRY CUTS");
  SAYS("DJs", "D.J's");
  /* A letter A in a code is the letter, not the article. */
  SAYS("route 12A", "route twelve [['eI]]");
}
END_TEST

START_TEST(symbols_and_serials) {
  SAYS("here & there", "here and there");
  SAYS("C++", "C plus plus");
  SAYS("@12", "at twelve");
  SAYS("#1 hit", "number one hit");
  SAYS("C24", "C twenty four");
  SAYS("ab9453", "ab nine four five three");
  SAYS("COVID-19", "COVID-nineteen");
  SAYS("upgrade / update", "upgrade slash update");
  /* Markup and inline phonemes are left alone. */
  SAYS("<noise/> and [[h@'loU]]", "<noise/> and [[h@'loU]]");
  SAYS("[HH AH0 L OW1]", "[HH AH0 L OW1]");
}
END_TEST

/* ---- The English word tables
 * ------------------------------------------------------ */

/* Finds "words/en/NAME" in the directory ctx, as the host would in the
 * voice directories. */
static char *find_in_dir(void *ctx, const char *relative) {
  const char *name = strrchr(relative, '/');
  char *path = ac_path_join(ctx, name ? name + 1 : relative);
  if (path && access(path, R_OK) != 0) {
    free(path);
    return NULL;
  }
  return path;
}

/* A copy of the shipped tables in a fresh directory, malloc'd. */
static char *copy_tables(void) {
  char *dir = harness_tempdir();
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cp '%s'/voices/words/en/*.t?? '%s'/",
           ARTICAST_TEST_SOURCE_DIR, dir);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  return dir;
}

/* Loads the tables from dir; returns the result code, message in err. */
static int load_tables(const char *dir, char *err, size_t errlen) {
  en_words *w = NULL;
  err[0] = '\0';
  int rc = en_words_load(&w, find_in_dir, (void *)dir, err, errlen);
  ck_assert(rc != 0 || w != NULL);
  en_words_free(w);
  return rc;
}

START_TEST(word_tables_load_and_answer) {
  char *dir = copy_tables();
  en_words *w = NULL;
  char err[512] = "";
  ck_assert_msg(en_words_load(&w, find_in_dir, dir, err, sizeof err) == 0, "%s",
                err);
  size_t len;
  const en_unit *u = en_unit_at(w, "5 km/h.", 7, 2, &len);
  ck_assert_ptr_nonnull(u);
  ck_assert_str_eq(u->many, "kilometers per hour");
  ck_assert_uint_eq(len, 4);
  ck_assert_ptr_nonnull(en_unit_word(w, "MBPS", 4)); /* anycase */
  ck_assert_ptr_null(en_unit_word(w, "KG", 2));      /* case matters */
  ck_assert_str_eq(en_currency_symbol(w, 0x20AC)->many, "euros");
  ck_assert_str_eq(en_currency_code(w, "PKR", 3)->one, "Pakistani rupee");
  ck_assert_ptr_null(en_currency_code(w, "pkr", 3));
  ck_assert_str_eq(en_currency_dollar_prefix(w, "HK", 2)->one,
                   "Hong Kong dollar");
  ck_assert_str_eq(en_money_scale(w, "BN", 2, false), "billion");
  ck_assert_ptr_null(en_money_scale(w, "M", 1, false));
  ck_assert_str_eq(en_money_scale(w, "M", 1, true), "million");
  bool abbrev = false;
  ck_assert_int_eq(en_month(w, "SEPT", 4, &abbrev), 9);
  ck_assert(abbrev);
  ck_assert_str_eq(en_month_name(w, 9), "September");
  ck_assert_str_eq(en_abbrev_find(w, "dr", 2) ? "found" : "none", "none");
  ck_assert_str_eq(en_abbrev_find(w, "Dr", 2)->say, "Doctor");
  ck_assert_uint_eq(en_abbrev_find(w, "etc", 3)->flags, AB_MAY_END);
  bool amb = false;
  ck_assert_str_eq(en_state(w, "OR", 2, &amb), "Oregon");
  ck_assert(amb);
  ck_assert(en_in(w, EN_REGNAL_TITLES, "Queen", 5));
  ck_assert(!en_in(w, EN_REGNAL_TITLES, "queen", 5));
  ck_assert(en_in(w, EN_QUANTITY_WORDS, "About", 5));
  const char *alone, *after;
  ck_assert(en_vulgar(w, 0xBD, &alone, &after));
  ck_assert_str_eq(after, "a half");
  ck_assert_str_eq(en_url_symbol(w, '#'), "hash");
  en_words_free(w);
  free(dir);
}
END_TEST

START_TEST(word_table_errors_name_file_and_line) {
  static const struct {
    const char *file, *text, *want;
  } bad[] = {
      {"units.tsv", "# units\nkg\tkilogram\n", "units.tsv:2: 2 fields"},
      {"units.tsv", "kg\tkilogram\tkilograms\tloud\n",
       "units.tsv:1: unknown flag 'loud'"},
      {"units.tsv", "kg\tkilogram\tkilograms\nkg\tkg\tkgs\n",
       "units.tsv:2: 'kg' is listed already, on line 1"},
      {"units.tsv", "kg\tkilogram\t\tkilograms\n", ""},
      {"units.tsv", "\tkilogram\tkilograms\n", "units.tsv:1: field 1 is empty"},
      {"quantity-words.txt", "over\nab\xff\n",
       "quantity-words.txt:2: not valid UTF-8"},
      {"quantity-words.txt", "# nothing\n", "quantity-words.txt: no entries"},
      {"currency-signs.tsv", "$\tdoubloon\n",
       "currency-signs.tsv:1: 'doubloon' is not a currency"},
      {"currency-signs.tsv", "US$\tdollar\n",
       "currency-signs.tsv:1: the first field must be one character"},
      {"months.tsv", "January\t1\nFebruary\t13\n",
       "months.tsv:2: the month must be a number from 1 to 12"},
      {"months.tsv", "January\t1\n", "months.tsv: month 2 has no full name"},
      {"abbreviations.tsv", "Dr\tDoctor\ttitle\tmore\n",
       "abbreviations.tsv:1: more than 3"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *dir = copy_tables();
    free(write_temp(dir, bad[i].file, bad[i].text));
    char err[512];
    int rc = load_tables(dir, err, sizeof err);
    if (!bad[i].want[0]) {
      /* Several TABs in a row only align columns. */
      ck_assert_msg(rc == 0, "case %zu: %s", i, err);
    } else {
      ck_assert_msg(rc == AC_ERR_FORMAT, "case %zu loaded (%d)", i, rc);
      ck_assert_msg(strstr(err, bad[i].want) != NULL,
                    "case %zu: '%s' lacks '%s'", i, err, bad[i].want);
      ck_assert_msg(strstr(err, dir) != NULL, "case %zu: no path in '%s'", i,
                    err);
    }
    free(dir);
  }
  /* A missing file is named, with where it was looked for. */
  char *dir = copy_tables();
  char *gone = ac_path_join(dir, "months.tsv");
  ck_assert_int_eq(unlink(gone), 0);
  char err[512];
  ck_assert_int_eq(load_tables(dir, err, sizeof err), AC_ERR_NOTFOUND);
  ck_assert_msg(strstr(err, "words/en/months.tsv not found") != NULL, "%s",
                err);
  free(gone);
  free(dir);
}
END_TEST

START_TEST(rules_on_words_no_list_has) {
  /* Capitals with no vowel, with a cluster no English word has, or with
   * three vowels in a row are spelled; those that read as words are not. */
  SAYS("the NTSB said", "the N.T.S.B said");
  SAYS("UNHCR staff", "U.N.H.C.R staff");
  SAYS("the BNP and the CDU", "the B.N.P and the C.D.U");
  SAYS("the EUAA", "the E.U.A.A");
  SAYS("NADRA and OGRA", "NADRA and OGRA");
  SAYS("the SWAT team", "the SWAT team");
  SAYS("CPECs", "C.P.E.C's");
  /* A function word in capitals after "the" is a name. */
  SAYS("the WHO said", "the W.H.O said");
  SAYS("I said NO twice", "I said NO twice");
  /* A capital after "E.U." starts a sentence when the text also writes
   * the word in lower case, and continues a name otherwise. */
  SAYS("aid to the E.U. Farmers said so; farmers agree.",
       "aid to the E.U. Farmers said so; farmers agree.");
  SAYS("the E.U. Commission met.", "the E.U Commission met.");
  /* Regnal numbers after a title, whatever the name. */
  SAYS("Tsar Boris I led them", "Tsar Boris the first led them");
  SAYS("King Harald V and Queen Sonja", "King Harald the fifth and Queen "
                                        "Sonja");
  SAYS("Emperor Menelik II", "Emperor Menelik the second");
  SAYS("Elizabeth I. Then", "Elizabeth the first. Then");
  SAYS("Henry I was ill", "Henry I was ill");
  /* Numbers grouped with spaces. */
  SAYS("10 000 people", "ten thousand people");
  SAYS("1 234 567", "one million two hundred thirty four thousand five "
                    "hundred sixty seven");
  SAYS("12\xe2\x80\xaf"
       "500",
       "twelve thousand five hundred");
  SAYS("123 123", "one hundred and twenty three one hundred and twenty "
                  "three");
  SAYS("room 12 500 people", "room twelve thousand five hundred people");
  /* The same number twice. */
  SAYS("a 50-50 chance", "a fifty fifty chance");
  /* Fraction characters. */
  SAYS("\xe2\x85\x9b cup", "one eighth cup");
  SAYS("2\xe2\x85\x9b", "two and an eighth");
}
END_TEST

START_TEST(characters_beyond_ascii) {
  /* Capitals in any script start names. */
  SAYS("Dr. \xc3\x89mile Zola", "Doctor \xc3\x89mile Zola");
  char *dir = harness_tempdir();
  char *path = write_temp(dir, "u.lex",
                          /* "Ünïcödé" and "Zürich" */
                          "\xc3\x9cn\xc3\xaf"
                          "c\xc3\xb6"
                          "d\xc3\xa9\tyoo-nee-koh-day\n"
                          "Z\xc3\xbc"
                          "rich\tTSUE-rikh\n");
  char setting[1024];
  snprintf(setting, sizeof setting, "lexicons=%s", path);
  const char *settings[] = {setting, NULL};
  /* Case-insensitive beyond ASCII; whole words, where a letter with a
   * diacritic is a letter and a curly quote is not. */
  check_says("\xc3\x9cN\xc3\x8f"
             "C\xc3\x96"
             "D\xc3\x89, Z\xc3\xbcrichsee, Z\xc3\xbcrich\xe2\x80\x99s",
             NULL, settings,
             "yoo-nee-koh-day, Z\xc3\xbcrichsee, TSUE-rikh\xe2\x80\x99s",
             __LINE__);
  free(path);
  free(dir);
}
END_TEST

/* ---- Languages and the title
 * ------------------------------------------------------ */

/* Paragraphs with numbers, dates, money, units, abbreviations and times
 * as each language writes them; espeak-ng reads these natively. */
static const struct {
  const char *lang, *text;
} foreign[] = {
    {"fr-FR",
     "Le 14 juillet 2023, M. Dupont a pay\xc3\xa9 1 250,50 \xe2\x82\xac "
     "(12 %) pour 3 km de pistes, soit 2,5 millions d'euros en "
     "2024 ; rendez-vous le 01/02/2025 \xc3\xa0 10 h 30, au 221B rue "
     "de Paris. Dr. Martin, p. 12, XIVe si\xc3\xa8"
     "cle."},
    {"de", "Am 3. Oktober 2022 kostete das Ticket 49,90 \xe2\x82\xac, 12 % "
           "mehr als 1999; Dr. M\xc3\xbcller zahlte 1.200 Euro f\xc3\xbcr 5 kg "
           "und 2,5 km am 24.12.2022 um 14:30 Uhr, Tel. 030 1234567."},
    {"ru",
     "12 \xd0\xb0\xd0\xbf\xd1\x80\xd0\xb5\xd0\xbb\xd1\x8f 1961 "
     "\xd0\xb3\xd0\xbe\xd0\xb4\xd0\xb0 \xd0\x93\xd0\xb0\xd0\xb3\xd0\xb0"
     "\xd1\x80\xd0\xb8\xd0\xbd \xd0\xbb\xd0\xb5\xd1\x82\xd0\xb0\xd0\xbb "
     "108 \xd0\xbc\xd0\xb8\xd0\xbd\xd1\x83\xd1\x82; $5, 500 \xe2\x82\xbd, "
     "3,5 %, 10 \xd0\xba\xd0\xbc, 1/2, 2019-2021, 5pm, NATO, WHO."},
};

START_TEST(other_languages_keep_their_text) {
  /* With the shipped lexicon (English entries only) nothing changes: no
   * map, no written copy. */
  for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
    ac_document *doc = run(foreign[i].text, foreign[i].lang, NULL);
    ck_assert_msg(strcmp(doc->blocks[0].text, foreign[i].text) == 0,
                  "%s text changed:\n  '%s'", foreign[i].lang,
                  doc->blocks[0].text);
    ck_assert_ptr_null(doc->blocks[0].written);
    ck_assert_uint_eq(doc->blocks[0].n_map, 0);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(the_language_comes_from_block_document_or_option) {
  /* A document without a language takes the stage's default_language. */
  static const char *const french_default[] = {
      "lexicons=", "default_language=fr-CA", NULL};
  check_says("Dr. Evil paid $2 on 14 March 2026.", NULL, french_default,
             "Dr. Evil paid $2 on 14 March 2026.", __LINE__);
  static const char *const english_default[] = {
      "lexicons=", "default_language=en-GB", NULL};
  check_says("Dr. Evil paid $2.", NULL, english_default,
             "Doctor Evil paid two dollars.", __LINE__);
  /* The document's language beats the default. */
  check_says("Dr. Evil paid $2.", "de-AT", english_default, "Dr. Evil paid $2.",
             __LINE__);
  /* A mixed document: only its English blocks are normalized, whichever
   * way each block's language is given. */
  ac_document *doc = doc_with("Dr. Evil paid $2 on 14 March 2026.", "de");
  ac_set_string(&doc->blocks[0].lang, "en-GB", (size_t)-1);
  static const char *const fr = "Le Dr. Evil a pay\xc3\xa9 2 $ le 14 mars.";
  static const char *const de = "Dr. Evil zahlte am 14. M\xc3\xa4rz 2 $.";
  static const char *const en = "It was 5pm in the U.S.";
  ac_document_add_block(doc, AC_BLOCK_QUOTE, fr, strlen(fr));
  ac_set_string(&doc->blocks[1].lang, "fr", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, de, strlen(de));
  ac_document_add_block(doc, AC_BLOCK_LIST_ITEM, en, strlen(en));
  ac_set_string(&doc->blocks[3].lang, "en", (size_t)-1);
  ac_set_string(&doc->title, "Am 14. M\xc3\xa4rz: 2 $", (size_t)-1);
  char err[512];
  ck_assert_int_eq(
      harness_text_stage("normalize", no_lexicon, doc, err, sizeof err), 0);
  ck_assert_str_eq(doc->blocks[0].text, "Doctor Evil paid two dollars on the "
                                        "fourteenth of March twenty twenty "
                                        "six.");
  ck_assert_str_eq(doc->blocks[1].text, fr);
  ck_assert_ptr_null(doc->blocks[1].written);
  ck_assert_str_eq(doc->blocks[2].text, de);
  ck_assert_ptr_null(doc->blocks[2].written);
  ck_assert_str_eq(doc->blocks[3].text, "It was five p.m in the U.S.");
  ck_assert_str_eq(doc->title, "Am 14. M\xc3\xa4rz: 2 $");
  ac_document_free(doc);
}
END_TEST

START_TEST(lexicon_entries_of_each_language) {
  /* Entries marked for a language apply to that language only; unmarked
   * ones to every language. The English rules stay off for the others. */
  char *dir = harness_tempdir();
  char *path = write_temp(dir, "multi.lex",
                          "UNESCO\tyou-NES-ko\n"
                          "!language en\n"
                          "Dupont\tdoo-PONT\n"
                          "!language fr\n"
                          "Dupont\t[[dyp'O~]]\n"
                          "km\tkilom\xc3\xa8tres\n"
                          "!language de\n"
                          "Dr.\tDoktor\n");
  char setting[1024];
  snprintf(setting, sizeof setting, "lexicons=%s", path);
  const char *settings[] = {setting, NULL};
  check_says("M. Dupont, de l'UNESCO, a couru 3 km le 14/07/2023.", "fr-FR",
             settings,
             "M. [[dyp'O~]], de l'you-NES-ko, a couru 3 kilom\xc3\xa8tres le "
             "14/07/2023.",
             __LINE__);
  check_says("Dr. Dupont (UNESCO) lief 3 km.", "de-DE", settings,
             "Doktor Dupont (you-NES-ko) lief 3 km.", __LINE__);
  check_says("Dr. Dupont of UNESCO ran 3 km.", "en-US", settings,
             "Doctor doo-PONT of you-NES-ko ran three kilometers.", __LINE__);
  free(path);
  free(dir);
}
END_TEST

START_TEST(title_only_when_alone) {
  /* With a body the title is metadata (feed, tags): left as written. */
  ac_document *doc = doc_with("Body text with $5.", NULL);
  ac_set_string(&doc->title, "Fares rise 8%", (size_t)-1);
  char err[512];
  ck_assert_int_eq(
      harness_text_stage("normalize", no_lexicon, doc, err, sizeof err), 0);
  ck_assert_str_eq(doc->title, "Fares rise 8%");
  ck_assert_str_eq(doc->blocks[0].text, "Body text with five dollars.");
  ac_document_free(doc);
  /* Without a body it is all there is to say. */
  doc = ac_document_new();
  ac_set_string(&doc->title, "Fares rise 8%", (size_t)-1);
  ck_assert_int_eq(
      harness_text_stage("normalize", no_lexicon, doc, err, sizeof err), 0);
  ck_assert_str_eq(doc->title, "Fares rise eight percent");
  ac_document_free(doc);
  /* title=always */
  doc = doc_with("Body.", NULL);
  ac_set_string(&doc->title, "Fares rise 8%", (size_t)-1);
  static const char *const always[] = {"lexicons=", "title=always", NULL};
  ck_assert_int_eq(
      harness_text_stage("normalize", always, doc, err, sizeof err), 0);
  ck_assert_str_eq(doc->title, "Fares rise eight percent");
  ac_document_free(doc);
}
END_TEST

/* ---- The map
 * ---------------------------------------------------------------------- */

START_TEST(map_points_at_written_words) {
  static const char *const text =
      "On 14 March Dr. Okafor paid $15.2 billion, about 12% more, at 5pm.";
  ac_document *doc = run(text, "en-GB", no_lexicon);
  const ac_block *b = &doc->blocks[0];
  ck_assert_str_eq(b->written, text);
  ck_assert_uint_gt(b->n_map, 0);
  check_maps(b, "On", "On");
  check_maps(b, "the fourteenth", "14");
  check_maps(b, "March", "March");
  check_maps(b, "Doctor", "Dr.");
  check_maps(b, "Okafor", "Okafor");
  check_maps(b, "paid", "paid");
  check_maps(b, "fifteen", "$15.2");
  check_maps(b, "about", "about");
  check_maps(b, "twelve", "12%");
  check_maps(b, "more", "more");
  check_maps(b, "five", "5pm");
  /* Entries are sorted and inside both texts. */
  for (size_t i = 0; i < b->n_map; i++) {
    ck_assert_uint_le(b->map[i].spoken, strlen(b->text));
    ck_assert_uint_le(b->map[i].written, strlen(b->written));
    if (i > 0) {
      ck_assert_uint_gt(b->map[i].spoken, b->map[i - 1].spoken);
      ck_assert_uint_ge(b->map[i].written, b->map[i - 1].written);
    }
  }
  /* The spoken text after the last replacement maps one to one. */
  const char *dot = strrchr(b->text, '.');
  ck_assert_uint_eq(written_at(b, (size_t)(dot - b->text)), strlen(text) - 1);
  ac_document_free(doc);
}
END_TEST

START_TEST(unchanged_block_has_no_map) {
  ac_document *doc = run("Nothing to say differently here.", NULL, NULL);
  ck_assert_ptr_null(doc->blocks[0].written);
  ck_assert_uint_eq(doc->blocks[0].n_map, 0);
  ac_document_free(doc);
}
END_TEST

START_TEST(map_composes_with_an_earlier_stage) {
  /* An earlier stage turned "Dr. X -- paid $5" into "Dr. X, paid $5" and
   * mapped it; normalize must map its words to the original text. */
  static const char *const original = "Dr. X -- paid $5";
  ac_document *doc = doc_with("Dr. X, paid $5", NULL);
  ac_block *b = &doc->blocks[0];
  ac_set_string(&b->written, original, (size_t)-1);
  b->map = malloc(2 * sizeof *b->map);
  b->map[0] = (ac_span){5, 5}; /* "," from " --" */
  b->map[1] = (ac_span){6, 8}; /* " paid $5" kept */
  b->n_map = 2;
  char err[512];
  ck_assert_int_eq(
      harness_text_stage("normalize", no_lexicon, doc, err, sizeof err), 0);
  ck_assert_str_eq(b->text, "Doctor X, paid five dollars");
  ck_assert_str_eq(b->written, original);
  check_maps(b, "Doctor", "Dr.");
  check_maps(b, "X", "X");
  check_maps(b, "paid", "paid");
  check_maps(b, "five", "$5");
  ac_document_free(doc);
}
END_TEST

/* ---- Lexicons
 * ------------------------------------------------------------------------ */

START_TEST(lexicon_format_errors_name_file_and_line) {
  char *dir = harness_tempdir();
  static const struct {
    const char *text;
    const char *want;
  } bad[] = {{"# ok\nword\tsay\nnotab here\n", "bad.lex:3:"},
             {"word\tsay\tcase, loud\n", "bad.lex:1: unknown flag 'loud'"},
             {"\n\nword\t[[h@'loU\n", "bad.lex:3: '[[' without"},
             {"!voice en\n", "bad.lex:1: unknown directive"},
             {"!language 12\n", "bad.lex:1:"},
             {"caf\xe9\tkafay\n", "bad.lex:1: not valid UTF-8"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *path = write_temp(dir, "bad.lex", bad[i].text);
    char setting[1024];
    snprintf(setting, sizeof setting, "lexicons=- %s", path);
    const char *settings[] = {setting, NULL};
    char err[1024] = "";
    ac_stage_instance *si =
        harness_stage("normalize", settings, NULL, err, sizeof err);
    ck_assert_msg(si == NULL, "case %zu loaded", i);
    ck_assert_msg(strstr(err, bad[i].want) != NULL, "case %zu: '%s' lacks '%s'",
                  i, err, bad[i].want);
    free(path);
  }
  /* A missing lexicon is named. */
  const char *missing[] = {"lexicons=no-such.lex", NULL};
  char err[1024] = "";
  ck_assert_ptr_null(
      harness_stage("normalize", missing, NULL, err, sizeof err));
  ck_assert_msg(strstr(err, "no-such.lex") != NULL, "%s", err);
  free(dir);
}
END_TEST

START_TEST(lexicon_whole_words_parts_and_case) {
  char *dir = harness_tempdir();
  char *path = write_temp(dir, "t.lex",
                          "# test lexicon\n"
                          "bad\tBAD-WORD\n"
                          "stan\t[[st'A:n]]\tpart\n"
                          "ECO\tE.C.O\tcase\n"
                          "okafor  oh kah for\n" /* two spaces work too */
                          "New York Times\tthe Times\n");
  char setting[1024];
  snprintf(setting, sizeof setting, "lexicons=- %s", path);
  const char *settings[] = {setting, NULL};
  /* Whole words: "bad" alone, not inside "Faisalabad"; a hyphen or an
   * apostrophe ends a word. */
  check_says("bad, Faisalabad, bad-tempered", NULL, settings,
             "BAD-WORD, Faisalabad, BAD-WORD-tempered", __LINE__);
  /* Parts: inside longer words too. */
  check_says("Pakistan and Afghanistan", NULL, settings,
             "Paki[[st'A:n]] and Afghani[[st'A:n]]", __LINE__);
  /* Case: "ECO" only in capitals; "okafor" in any case. */
  check_says("ECO, eco-friendly; OKAFOR's Okafor", NULL, settings,
             "E.C.O, eco-friendly; oh kah for's oh kah for", __LINE__);
  /* Several words. */
  check_says("the New York Times said", NULL, settings, "the the Times said",
             __LINE__);
  free(path);
  free(dir);
}
END_TEST

START_TEST(lexicon_first_wins) {
  char *dir = harness_tempdir();
  char *show = write_temp(dir, "show.lex", "Okafor\toh KAH for\n");
  char *other = write_temp(dir, "other.lex", "Okafor\tOH-ka-for\nNair\tnire\n");
  char setting[2048];
  /* The show's lexicon first, then the shipped one by name. */
  snprintf(setting, sizeof setting, "lexicons=%s %s en.lex", show, other);
  const char *settings[] = {setting, NULL};
  check_says("Okafor and Nair met Qureshi", NULL, settings,
             "oh KAH for and nire met [[kUr'eISi]]", __LINE__);
  snprintf(setting, sizeof setting, "lexicons=%s %s", other, show);
  check_says("Okafor", NULL, settings, "OH-ka-for", __LINE__);
  /* The shipped lexicon alone. */
  SAYS_LEX("Okafor", "[[oUk'A:fO@]]");
  free(show);
  free(other);
  free(dir);
}
END_TEST

START_TEST(lexicon_paths_and_voice_profile) {
  char *dir = harness_tempdir();
  char *sub = ac_path_join(dir, "my shows");
  ck_assert_int_eq(ac_mkdirs(sub), 0);
  char *show = write_temp(sub, "show.lex", "Okafor\toh KAH for\n");
  char *voice_lex = write_temp(dir, "voice.lex", "Okafor\tOH-ka-for\n");
  /* A quoted path with a space; a lexicon listed twice counts once. */
  char setting[2048];
  snprintf(setting, sizeof setting, "lexicons=\"%s\" en.lex en.lex", show);
  const char *settings[] = {setting, NULL};
  check_says("Okafor met Qureshi", NULL, settings,
             "oh KAH for met [[kUr'eISi]]", __LINE__);
  /* Layers add up: the config's lexicons (the show's own) come first, then
   * the voice profile's, then the default; each path is found beside the
   * file that names it. */
  ac_settings layers = {0};
  ck_assert_int_eq(ac_settings_add_from(&layers, AC_LAYER_VOICE, "normalize",
                                        "lexicons", "voice.lex", "x.voice:9",
                                        dir),
                   0);
  ac_episode ep = {0};
  char err[1024] = "";
  ac_stage_instance *si =
      ac_stage_new(harness_plugin("normalize"), &layers, &ep, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  ac_document *doc = doc_with("Okafor met Qureshi", NULL);
  ck_assert_int_eq(
      harness_plugin("normalize")->process_document(ac_stage_handle(si), doc),
      0);
  ck_assert_str_eq(doc->blocks[0].text, "OH-ka-for met [[kUr'eISi]]");
  ac_document_free(doc);
  ac_stage_free(si);
  ck_assert_int_eq(ac_settings_add_from(&layers, AC_LAYER_CONFIG, "normalize",
                                        "lexicons", "show.lex", "show.ini:4",
                                        sub),
                   0);
  si = ac_stage_new(harness_plugin("normalize"), &layers, &ep, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  doc = doc_with("Okafor met Qureshi", NULL);
  ck_assert_int_eq(
      harness_plugin("normalize")->process_document(ac_stage_handle(si), doc),
      0);
  ck_assert_str_eq(doc->blocks[0].text, "oh KAH for met [[kUr'eISi]]");
  ac_document_free(doc);
  ac_stage_free(si);
  ac_settings_free(&layers);
  free(show);
  free(voice_lex);
  free(sub);
  free(dir);
}
END_TEST

START_TEST(lexicon_language) {
  char *dir = harness_tempdir();
  char *path = write_temp(dir, "l.lex",
                          "Paris\tpa-REE\n"
                          "!language en\n"
                          "Nair\tnire\n"
                          "!language fr\n"
                          "Okafor\tokafore\n");
  char setting[1024];
  snprintf(setting, sizeof setting, "lexicons=- %s", path);
  const char *settings[] = {setting, NULL};
  /* Other languages get their lexicon entries and nothing else. */
  check_says("Paris, Nair, Okafor, 12 kg", "fr-FR", settings,
             "pa-REE, Nair, okafore, 12 kg", __LINE__);
  check_says("Paris, Nair, Okafor", "en-GB", settings, "pa-REE, nire, Okafor",
             __LINE__);
  free(path);
  free(dir);
}
END_TEST

/* ---- Ear-proxy: the shipped names through espeak-ng
 * ------------------------------- */

static void strip_space(char *s) {
  char *o = s;
  for (char *p = s; *p; p++)
    if (*p != ' ' && *p != '\n' && *p != '\t')
      *o++ = *p;
  *o = '\0';
}

START_TEST(shipped_lexicon_phonemes) {
  if (harness_run("espeak-ng --version >/dev/null 2>&1", NULL) != 0) {
    fprintf(stderr, "espeak-ng not found: phoneme check skipped\n");
    return;
  }
  char *path = harness_data("normalize/lexicon-phonemes.tsv");
  char *data = harness_slurp(path);
  char *dir = harness_tempdir();
  char *txt = ac_path_join(dir, "say.txt");
  size_t checked = 0;
  for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] == '#' || !strchr(line, '\t'))
      continue;
    char *tab = strchr(line, '\t');
    *tab = '\0';
    char *want = tab + 1;
    char *tab2 = strchr(want, '\t');
    if (tab2)
      *tab2 = '\0';
    ac_document *doc = run(line, NULL, NULL);
    FILE *f = fopen(txt, "w");
    ck_assert_ptr_nonnull(f);
    fputs(doc->blocks[0].text, f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "espeak-ng -q -x -v en-us -f '%s'", txt);
    char *got = NULL;
    ck_assert_int_eq(harness_run(cmd, &got), 0);
    ck_assert_ptr_nonnull(got);
    char want_s[512];
    snprintf(want_s, sizeof want_s, "%s", want);
    strip_space(got);
    strip_space(want_s);
    ck_assert_msg(strcmp(got, want_s) == 0,
                  "%s: normalized to '%s', espeak-ng says '%s', expected '%s'",
                  line, doc->blocks[0].text, got, want_s);
    free(got);
    ac_document_free(doc);
    checked++;
  }
  ck_assert_uint_ge(checked, 20);
  free(txt);
  free(dir);
  free(data);
  free(path);
}
END_TEST

/* ---- Golden article and a long one
 * ------------------------------------------------------- */

START_TEST(golden_article) {
  char *path = harness_data("normalize/article.md");
  ac_document *doc = harness_read("source_text", path, NULL);
  char err[512];
  ck_assert_int_eq(harness_text_stage("normalize", NULL, doc, err, sizeof err),
                   0);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  ck_assert_ptr_nonnull(f);
  ac_document_print(doc, f, AC_PRINT_SPOKEN);
  fclose(f);
  char *exp_path = harness_data("normalize/article.expected");
  if (getenv("ARTICAST_UPDATE_GOLDEN")) {
    /* Regenerate the expected file (review the diff before committing). */
    FILE *g = fopen(exp_path, "w");
    ck_assert_ptr_nonnull(g);
    fputs(out, g);
    fclose(g);
  }
  char *expected = harness_slurp(exp_path);
  if (strcmp(out, expected) != 0) {
    /* Show the first difference. */
    size_t i = 0;
    while (out[i] && out[i] == expected[i])
      i++;
    size_t from = i > 60 ? i - 60 : 0;
    ck_abort_msg(
        "golden mismatch at byte %zu:\n got: ...%.120s\nwant: ...%.120s", i,
        out + from, expected + from);
  }
  free(expected);
  free(exp_path);
  free(out);
  ac_document_free(doc);
  free(path);
}
END_TEST

START_TEST(long_article_reads_like_its_paragraphs) {
  /* A long block (about 60,000 words) is read exactly as its paragraph
   * read alone, repeated: no rule looks further than it should, and the
   * map grows with the text. The work is fixed by the count of copies, so
   * the result does not depend on the machine's speed; CTest's timeout is
   * the only clock. */
  static const char *const para =
      "On 14 March 2026 Dr. Okafor said the 1931 bridge, rated 3.5 out of 10, "
      "would cost $15.2 billion (about 12% more) by 5pm on Jan. 15; call "
      "+1 555-123-4567 or write to a.b@example.org. Henry VIII and the FATF "
      "met at 10:30 a.m. in Zarb-e-Azb. ";
  enum { COPIES = 1000 };
  size_t n = strlen(para);
  char *text = malloc(n * COPIES + 1);
  ck_assert_ptr_nonnull(text);
  for (size_t i = 0; i < COPIES; i++)
    memcpy(text + i * n, para, n);
  text[n * COPIES] = '\0';
  ac_document *one = run(para, NULL, NULL);
  ac_document *doc = run(text, NULL, NULL);
  const char *said = one->blocks[0].text;
  size_t said_n = strlen(said);
  const ac_block *b = &doc->blocks[0];
  ck_assert_uint_eq(strlen(b->text), said_n * COPIES);
  for (size_t i = 0; i < COPIES; i++)
    ck_assert_msg(memcmp(b->text + i * said_n, said, said_n) == 0,
                  "copy %zu is read differently", i);
  ck_assert_uint_eq(b->n_map, one->blocks[0].n_map * COPIES);
  ck_assert_uint_eq(written_at(b, strlen(b->text) - 1), strlen(text) - 1);
  ac_document_free(one);
  ac_document_free(doc);
  free(text);
}
END_TEST

static Suite *normalize_suite(void) {
  Suite *s = suite_create("normalize");
  TCase *num = tcase_create("numbers");
  tcase_add_test(num, cardinals);
  tcase_add_test(num, ordinals);
  tcase_add_test(num, ordinals_too_long);
  tcase_add_test(num, decimals);
  tcase_add_test(num, fractions);
  tcase_add_test(num, money);
  tcase_add_test(num, percent);
  suite_add_tcase(s, num);
  TCase *dt = tcase_create("dates_times");
  tcase_add_test(dt, dates);
  tcase_add_test(dt, years_and_decades);
  tcase_add_test(dt, times);
  suite_add_tcase(s, dt);
  TCase *mx = tcase_create("ranges_measures_contacts");
  tcase_add_test(mx, ranges_and_scores);
  tcase_add_test(mx, measures);
  tcase_add_test(mx, telephone_numbers);
  tcase_add_test(mx, email_and_urls);
  tcase_add_test(mx, addresses);
  suite_add_tcase(s, mx);
  TCase *wd = tcase_create("words");
  tcase_add_test(wd, roman_numerals);
  tcase_add_test(wd, abbreviations);
  tcase_add_test(wd, no_false_sentence_ends);
  tcase_add_test(wd, acronyms);
  tcase_add_test(wd, symbols_and_serials);
  suite_add_tcase(s, wd);
  TCase *tables = tcase_create("word_tables");
  tcase_add_test(tables, word_tables_load_and_answer);
  tcase_add_test(tables, word_table_errors_name_file_and_line);
  tcase_add_test(tables, rules_on_words_no_list_has);
  tcase_add_test(tables, characters_beyond_ascii);
  suite_add_tcase(s, tables);
  TCase *lang = tcase_create("languages");
  tcase_add_test(lang, other_languages_keep_their_text);
  tcase_add_test(lang, the_language_comes_from_block_document_or_option);
  tcase_add_test(lang, lexicon_entries_of_each_language);
  tcase_add_test(lang, title_only_when_alone);
  suite_add_tcase(s, lang);
  TCase *map = tcase_create("map");
  tcase_add_test(map, map_points_at_written_words);
  tcase_add_test(map, unchanged_block_has_no_map);
  tcase_add_test(map, map_composes_with_an_earlier_stage);
  suite_add_tcase(s, map);
  TCase *lex = tcase_create("lexicons");
  tcase_add_test(lex, lexicon_format_errors_name_file_and_line);
  tcase_add_test(lex, lexicon_whole_words_parts_and_case);
  tcase_add_test(lex, lexicon_first_wins);
  tcase_add_test(lex, lexicon_paths_and_voice_profile);
  tcase_add_test(lex, lexicon_language);
  tcase_add_test(lex, shipped_lexicon_phonemes);
  suite_add_tcase(s, lex);
  TCase *gold = tcase_create("golden");
  tcase_add_test(gold, golden_article);
  tcase_add_test(gold, long_article_reads_like_its_paragraphs);
  suite_add_tcase(s, gold);
  return s;
}

int main(void) {
  return harness_main(normalize_suite());
}
