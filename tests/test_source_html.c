/* The source_html plugin: web pages into the document model. Fixtures live
 * in tests/data/html/ (small pages written for these tests, one kind of
 * boilerplate or metadata source each); the URL tests download them from
 * a local server (tests/data/html/serve.py) on 127.0.0.1. */
#include "harness.h"

#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Helpers ------------------------------------------------------------ */

static ac_document *read_page(const char *relative) {
  char *path = harness_data(relative);
  ck_assert_ptr_nonnull(path);
  ac_document *doc = harness_read("source_html", path, NULL);
  free(path);
  return doc;
}

/* Runs read_source with settings on `name` (a URL when data is NULL).
 * Returns the result code; *out gets the document, `msg` the error. */
static int read_with(const char *name, const char *data,
                     const char *const *settings, ac_document **out, char *msg,
                     size_t msglen) {
  char err[1024] = "";
  ac_stage_instance *si =
      harness_stage("source_html", settings, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "cannot create source_html: %s", err);
  const ac_plugin *p = harness_plugin("source_html");
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  int rc = p->read_source(ac_stage_handle(si), name, data,
                          data ? strlen(data) : 0, doc);
  if (msg)
    snprintf(msg, msglen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  *out = doc;
  return rc;
}

static ac_document *read_html(const char *html) {
  ac_document *doc;
  char msg[1024];
  int rc = read_with("page.html", html, NULL, &doc, msg, sizeof msg);
  ck_assert_msg(rc == 0, "read_source failed (%d): %s", rc, msg);
  return doc;
}

/* Index of the first block whose text contains `needle`, or -1. */
static long find_block(const ac_document *doc, const char *needle) {
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (strstr(doc->blocks[i].text, needle))
      return (long)i;
  return -1;
}

static const ac_block *block_with(const ac_document *doc, const char *needle) {
  long i = find_block(doc, needle);
  ck_assert_msg(i >= 0, "no block contains \"%s\"", needle);
  return &doc->blocks[i];
}

static size_t count_kind(const ac_document *doc, ac_block_kind kind) {
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += doc->blocks[i].kind == kind;
  return n;
}

/* Fails when any block holds `needle`. */
static void assert_absent(const ac_document *doc, const char *needle) {
  long i = find_block(doc, needle);
  ck_assert_msg(i < 0, "block %ld (%s) should not hold \"%s\": %s", i,
                i >= 0 ? ac_block_kind_name(doc->blocks[i].kind) : "", needle,
                i >= 0 ? doc->blocks[i].text : "");
}

static void assert_kind(const ac_document *doc, const char *needle,
                        ac_block_kind kind) {
  const ac_block *b = block_with(doc, needle);
  ck_assert_msg(b->kind == kind, "\"%s\" is a %s block, not %s", needle,
                ac_block_kind_name(b->kind), ac_block_kind_name(kind));
}

/* ---- Probing ------------------------------------------------------------- */

START_TEST(probe_prefers_html) {
  const ac_plugin *html = harness_plugin("source_html");
  const ac_plugin *text = harness_plugin("source_text");
  const char *page = "<!DOCTYPE html><html><body><p>Hi</p></body></html>";
  ck_assert_int_ge(html->probe("-", page, strlen(page)), 90);
  ck_assert_int_gt(html->probe("x.txt", page, strlen(page)),
                   text->probe("x.txt", page, strlen(page)));
  const char *bare = "\n  <html><head><title>T</title></head></html>";
  ck_assert_int_ge(html->probe("-", bare, strlen(bare)), 90);
  const char *fragment = "<p>One</p>\n<p>Two</p>\n<div>Three</div>";
  ck_assert_int_gt(html->probe("saved.htm", fragment, strlen(fragment)),
                   text->probe("saved.htm", fragment, strlen(fragment)));
  const char *prose = "Just a paragraph of plain text.\n";
  ck_assert_int_eq(html->probe("notes.txt", prose, strlen(prose)), 0);
  /* URLs: the host passes no data; only a stage that downloads says yes. */
  ck_assert_int_ge(html->probe("https://example.org/a", NULL, 0), 90);
  ck_assert_int_gt(html->probe("http://example.org/a", NULL, 0),
                   text->probe("http://example.org/a", NULL, 0));
  ck_assert_int_eq(html->probe("notes.txt", NULL, 0), 0);
}
END_TEST

/* ---- Boilerplate ------------------------------------------------------ */

START_TEST(news_page_keeps_the_article) {
  ac_document *doc = read_page("html/news.html");
  /* The story in order, with its kinds. */
  long first = find_block(doc, "back on the water after a winter");
  long engine = find_block(doc, "A new engine");
  long last = find_block(doc, "tickets cost the same as last year");
  ck_assert_int_ge(first, 0);
  ck_assert_int_gt(engine, first);
  ck_assert_int_gt(last, engine);
  assert_kind(doc, "four thousand hours", AC_BLOCK_PARAGRAPH);
  const ac_block *h = block_with(doc, "A new engine");
  ck_assert_int_eq(h->kind, AC_BLOCK_HEADING);
  ck_assert_int_eq(h->level, 2);
  ck_assert_str_eq(h->text, "A new engine");
  assert_kind(doc, "the town would not let that happen", AC_BLOCK_QUOTE);
  assert_kind(doc, "Adults pay two pounds", AC_BLOCK_LIST_ITEM);
  assert_kind(doc, "Children under twelve", AC_BLOCK_LIST_ITEM);
  /* The headline is the title, not a heading of the body. */
  assert_absent(doc, "Harbour ferry returns");
  ac_document_free(doc);
}
END_TEST

START_TEST(news_page_drops_boilerplate) {
  ac_document *doc = read_page("html/news.html");
  assert_absent(doc, "Skip to content"); /* skip link */
  assert_absent(doc, "cookies");         /* cookie notice */
  assert_absent(doc, "Weather");         /* navigation menu */
  assert_absent(doc, "Home");            /* breadcrumbs */
  assert_absent(doc, "Facebook");        /* share buttons */
  assert_absent(doc, "Advertisement");   /* ad label */
  assert_absent(doc, "IMG_4032");        /* image file name caption */
  assert_absent(doc, "Related stories"); /* related list */
  assert_absent(doc, "Lifeboat appeal");
  assert_absent(doc, "loved that ferry"); /* comments */
  assert_absent(doc, "Post comment");
  assert_absent(doc, "Most read"); /* sidebar */
  assert_absent(doc, "Council votes");
  assert_absent(doc, "All rights reserved"); /* footer */
  assert_absent(doc, "Updated 14 March");    /* dateline */
  assert_absent(doc, "newsletter");          /* signup */
  ac_document_free(doc);
}
END_TEST

START_TEST(news_page_byline_bio_caption) {
  ac_document *doc = read_page("html/news.html");
  ck_assert_uint_ge(doc->n_blocks, 1);
  ck_assert_int_eq(doc->blocks[0].kind, AC_BLOCK_BYLINE);
  ck_assert_str_eq(doc->blocks[0].text, "By Jane Doe");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 1);
  assert_kind(doc, "covers the harbour, the lifeboat station", AC_BLOCK_BIO);
  /* A caption that is a sentence stays, as a caption. */
  assert_kind(doc, "leaves the slipway at Gull Point", AC_BLOCK_CAPTION);
  ac_document_free(doc);
}
END_TEST

START_TEST(embeds_tables_and_breaks) {
  ac_document *doc = read_page("html/embeds.html");
  /* A quoted tweet is part of the story, even in a "social" container. */
  assert_kind(doc, "an invitation or a warning", AC_BLOCK_QUOTE);
  assert_absent(doc, "Photo: Town Council"); /* credit caption */
  assert_absent(doc, "Photo by Kirk Lens");  /* credit line */
  assert_absent(doc, "widgets.js");
  /* A data table reads row by row. */
  assert_kind(doc, "North road, 400 pounds, April", AC_BLOCK_PARAGRAPH);
  /* Double <br> separates paragraphs. */
  const ac_block *b = block_with(doc, "This second paragraph");
  ck_assert_str_eq(b->text, "This second paragraph came after two breaks.");
  block_with(doc, "And so did this third one.");
  /* Preformatted text keeps its lines. */
  ck_assert_str_eq(block_with(doc, "sign --north")->text,
                   "sign --north 400\nsign --harbour 350");
  ac_document_free(doc);
}
END_TEST

START_TEST(listing_keeps_the_titled_story) {
  ac_document *doc = read_page("html/listing.html");
  block_with(doc, "cuidar de nós mesmos");
  assert_absent(doc, "Coragem para recomeçar");
  assert_absent(doc, "Família unida é força");
  assert_absent(doc, "Gratidão pela vida");
  assert_absent(doc, "Você pode gostar");
  ck_assert_str_eq(doc->language, "pt-BR");
  ac_document_free(doc);
}
END_TEST

START_TEST(comments_are_not_the_article) {
  /* The post is short, the comments long: still the post. */
  ac_document *doc = read_page("html/comments-only.html");
  block_with(doc, "Our open threads give readers");
  assert_absent(doc, "trade-off between giving now");
  assert_absent(doc, "slower buses");
  ac_document_free(doc);
}
END_TEST

START_TEST(fragment_and_empty_pages) {
  ac_document *doc = read_html(
      "<p>A fragment of a page, saved without its head or body, still "
      "reads as an article, paragraph by paragraph, like any other "
      "page.</p><p>Second paragraph of the fragment, long enough to count "
      "as prose and not as a label.</p>");
  block_with(doc, "A fragment of a page");
  block_with(doc, "Second paragraph");
  ac_document_free(doc);

  /* Without <title> or metadata, the opening heading is the title. */
  doc = read_html("<html><body><h1>Gulls return to the pier</h1><p>The gulls "
                  "came back to the pier this week, a month earlier than "
                  "usual, and the fishmongers are not pleased.</p></body>"
                  "</html>");
  ck_assert_str_eq(doc->title, "Gulls return to the pier");
  assert_absent(doc, "Gulls return");
  ac_document_free(doc);

  char msg[512];
  int rc = read_with("empty.html", "<html><body></body></html>", NULL, &doc,
                     msg, sizeof msg);
  ck_assert_int_eq(rc, AC_ERR_EMPTY);
  ck_assert_msg(strstr(msg, "no article text"), "message: %s", msg);
  ac_document_free(doc);
}
END_TEST

/* ---- Metadata ------------------------------------------------------------ */

START_TEST(meta_opengraph_and_article) {
  ac_document *doc = read_page("html/news.html");
  /* og:title, with the site name (og:site_name) taken off the end. */
  ck_assert_str_eq(doc->title, "Harbour ferry returns after winter repairs");
  /* article:author is a profile URL, so <meta name=author> names her. */
  ck_assert_str_eq(doc->author, "Jane Doe");
  ck_assert_str_eq(doc->date, "2025-03-14T08:30:00Z"); /* +00:00 is UTC */
  ck_assert_str_eq(doc->language, "en-GB");            /* <html lang> */
  ck_assert_str_eq(doc->summary, "The old ferry is back on the water, with a "
                                 "new engine and a fresh coat of paint.");
  /* Relative og:image against the canonical address. */
  ck_assert_str_eq(doc->image, "https://courier.example/images/ferry-1200.jpg");
  /* <link rel=canonical> beats og:url. */
  ck_assert_str_eq(doc->url, "https://courier.example/news/ferry-returns");
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_jsonld_graph) {
  ac_document *doc = read_page("html/jsonld.html");
  ck_assert_str_eq(doc->title, "Tide tables go digital");
  /* An author array of @id references into the @graph. */
  ck_assert_str_eq(doc->author, "Ana Lima and Bruno Costa");
  ck_assert_str_eq(doc->date, "2025-02-01T07:05:00Z");
  ck_assert_str_eq(doc->language, "en-AU"); /* inLanguage */
  ck_assert_str_eq(doc->summary,
                   "The harbour office stops printing its tide tables.");
  ck_assert_str_eq(doc->image, "https://coastal.example/img/tides.png");
  ck_assert_str_eq(doc->url, "https://coastal.example/tides");
  block_with(doc, "ninety years");
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_jsonld_variants) {
  /* A bare array at the top, @type as a URL, author as a plain string and
   * as an object, an image list; a broken block before it is skipped. */
  ac_document *doc = read_html(
      "<html><head>"
      "<script type=\"application/ld+json\">{ not json at all </script>"
      "<script type=\"application/ld+json\">[{\"@type\": "
      "\"http://schema.org/BlogPosting\", \"headline\": \"Kites over the "
      "dunes\", \"author\": [\"Lee Park\", {\"@type\": \"Person\", \"name\": "
      "\"Kim Ode\"}, {\"name\": \"Max Ruiz\"}], \"dateCreated\": "
      "\"2023-07-04\", \"image\": [\"https://k.example/1.jpg\", "
      "\"https://k.example/2.jpg\"], \"url\": \"https://k.example/kites\"}]"
      "</script></head><body><article><p>Every summer the kite festival "
      "fills the sky above the dunes with dragons, fish and boxes of every "
      "colour, and this year was no different.</p></article></body></html>");
  ck_assert_str_eq(doc->title, "Kites over the dunes");
  ck_assert_str_eq(doc->author, "Lee Park, Kim Ode and Max Ruiz");
  ck_assert_str_eq(doc->date, "2023-07-04");
  ck_assert_str_eq(doc->image, "https://k.example/1.jpg");
  ck_assert_str_eq(doc->url, "https://k.example/kites");
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_jsonld_mended_or_skipped) {
  /* Template slips are mended: a comment wrapper, // and block comments,
   * doubled and trailing commas, a raw line break and an unknown escape in
   * strings, a lone surrogate, an integer too big for any C type. */
  ac_document *doc = read_html(
      "<html><head><script type=\"application/ld+json\"><!--\n"
      "{\"@type\": \"NewsArticle\", // \"Person\",\n"
      "/* generated */ \"headline\": \"Storm\nwarning\", \"width\": "
      "123456789012345678901234567890,, \"author\": {\"name\": "
      "\"Ana Lima\\ud800\"}, \"description\": \"It\\'s windy\", "
      "\"datePublished\": \"Mon, 18 Nov 2019 16:07:38 -0600\",}\n-->"
      "</script></head><body><article><p>Gales are expected along the "
      "whole coast tonight, with gusts of up to a hundred kilometres an "
      "hour on exposed headlands.</p></article></body></html>");
  ck_assert_str_eq(doc->title, "Storm warning");
  ck_assert_str_eq(doc->author, "Ana Lima\xef\xbf\xbd");
  ck_assert_str_eq(doc->summary, "It's windy");
  ck_assert_str_eq(doc->date, "2019-11-18T16:07:38-06:00");
  ac_document_free(doc);

  /* Not JSON even then (single quotes): the block is skipped, not
   * guessed at, and the page's other metadata stands. */
  doc = read_html(
      "<html><head><title>Quiet night</title><script "
      "type=\"application/ld+json\">{'@type': 'NewsArticle', 'headline': "
      "'Guessed'}</script></head><body><article><p>Nothing happened in the "
      "harbour last night, and the night watch was glad of the quiet after "
      "a week of storms.</p></article></body></html>");
  ck_assert_str_eq(doc->title, "Quiet night");
  ac_document_free(doc);
}
END_TEST

START_TEST(script_drawn_page_uses_jsonld_body) {
  /* An application shell: the markup holds no text, the JSON-LD does. */
  ac_document *doc = read_html(
      "<html><head><script type=\"application/ld+json\">{\"@type\": "
      "\"NewsArticle\", \"headline\": \"Bridge reopens\", \"articleBody\": "
      "\"The swing bridge reopened to traffic on Monday after eight months "
      "of repairs to its turning gear, which had jammed during the winter "
      "storms.\\nEngineers said the new gear should last another fifty "
      "years, and that the bridge will now open for boats on the hour "
      "instead of on request, which the harbour users have long asked "
      "for.\"}</script></head><body><div id=\"app\"><noscript>Please "
      "enable JavaScript.</noscript></div><script>render()</script></body>"
      "</html>");
  ck_assert_str_eq(doc->title, "Bridge reopens");
  assert_kind(doc, "swing bridge reopened", AC_BLOCK_PARAGRAPH);
  assert_kind(doc, "Engineers said", AC_BLOCK_PARAGRAPH);
  ck_assert_uint_eq(doc->n_blocks, 2);
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_twitter_and_others) {
  ac_document *doc = read_page("html/twitter-meta.html");
  ck_assert_str_eq(doc->title, "Night market opens on the quay");
  ck_assert_str_eq(doc->summary, "Forty stalls, two bands and a lot of "
                                 "noodles.");
  ck_assert_str_eq(doc->image, "https://cdn.example/market.jpg");
  ck_assert_str_eq(doc->date, "2024-09-06");
  ck_assert_str_eq(doc->author, "Sam Rivers"); /* "By " removed */
  ck_assert_ptr_null(doc->url);
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_title_tag_and_detected_language) {
  ac_document *doc = read_page("html/title-only.html");
  /* <title> without the site's name after the dash. */
  ck_assert_str_eq(doc->title,
                   "Why the library is staying open late this winter");
  ck_assert_str_eq(doc->language, "en"); /* no lang: detected */
  assert_absent(doc, "Posted on");
  block_with(doc, "until nine in the evening");
  ac_document_free(doc);
}
END_TEST

START_TEST(meta_microdata_and_rel_author) {
  ac_document *doc = read_html(
      "<html><head><title>Ferry timetable changes</title>"
      "<meta property=\"og:locale\" content=\"fr_CA\"></head><body>"
      "<article><h1>Ferry timetable changes</h1>"
      "<p class=\"meta\"><a rel=\"author\" href=\"/a/ines\">Ines Roy</a> "
      "<time itemprop=\"datePublished\" datetime=\"2022-05-02T09:00\">May "
      "2</time></p><p>The winter timetable starts next week, with the first "
      "boat leaving an hour later and the last one an hour earlier than in "
      "summer.</p></article></body></html>");
  ck_assert_str_eq(doc->author, "Ines Roy");
  ck_assert_str_eq(doc->date, "2022-05-02T09:00:00");
  ck_assert_str_eq(doc->language, "fr-CA"); /* og:locale, normalized */
  ac_document_free(doc);
}
END_TEST

/* ---- Charsets ------------------------------------------------------------ */

START_TEST(charset_from_meta) {
  ac_document *doc = read_page("html/latin1-fr.html");
  ck_assert_str_eq(doc->title, "Le marché de Noël revient sur la place");
  block_with(doc, "Les commerçants sont ravis");
  block_with(doc, "pains d'épices");
  assert_absent(doc, "Accueil"); /* the menu */
  ck_assert_str_eq(doc->language, "fr");
  ac_document_free(doc);
}
END_TEST

START_TEST(charset_guessed_and_repaired) {
  /* No declaration and bytes that are not UTF-8: windows-1252. */
  ac_document *doc = read_html(
      "<html><body><p>Caf\xe9 cr\xe8me \x93quoted\x94 and a price of 5\x80, "
      "which the owner says has not changed in ten years of business "
      "here.</p></body></html>");
  block_with(doc, "Café crème “quoted” and a price of 5€");
  ac_document_free(doc);
  /* Declared UTF-8 with one stray byte: the rest survives. */
  doc = read_html("<html><head><meta charset=\"utf-8\"></head><body><p>"
                  "Na\xc3\xafve text with one bad \xff byte in the middle of "
                  "a sentence that goes on long enough to count.</p></body>"
                  "</html>");
  block_with(doc, "Naïve text with one bad \xEF\xBF\xBD byte");
  block_with(doc, "long enough to count.");
  ac_document_free(doc);
}
END_TEST

/* ---- Language ------------------------------------------------------------ */

START_TEST(language_detected_per_page) {
  static const struct {
    const char *page, *lang;
  } cases[] = {{"html/lang-de.html", "de"},
               {"html/lang-es.html", "es"},
               {"html/lang-ur.html", "ur"},
               /* A declared language wins over the text's (the clean
                * stage then reads its blocks in Portuguese). */
               {"html/lang-mislabeled.html", "en-US"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ac_document *doc = read_page(cases[i].page);
    ck_assert_msg(doc->language && strcmp(doc->language, cases[i].lang) == 0,
                  "%s: language %s, expected %s", cases[i].page,
                  doc->language ? doc->language : "(none)", cases[i].lang);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(language_detection_off) {
  ac_document *doc;
  char msg[256];
  char *path = harness_data("html/lang-de.html");
  char *page = harness_slurp(path);
  const char *const off[] = {"detect_language=false", NULL};
  ck_assert_int_eq(read_with(path, page, off, &doc, msg, sizeof msg), 0);
  ck_assert_ptr_null(doc->language);
  ac_document_free(doc);
  free(page);
  free(path);
}
END_TEST

/* ---- URLs ----------------------------------------------------------------
 *
 * One server for the whole test case, started in the parent before Check
 * forks the tests (an unchecked fixture) and stopped after them. */

/* ---- Hostile markup ------------------------------------------------------ */

/* A page of `depth` nested <div>s around one paragraph. */
static char *nested_page(size_t depth) {
  static const char head[] =
      "<html><head><title>Deep page</title></head><body>";
  static const char para[] = "<p>The article sits at the bottom of many "
                             "boxes, and it is still the article.</p>";
  size_t n = sizeof head + sizeof para + depth * 11 + 32;
  char *page = malloc(n), *p = page;
  ck_assert_ptr_nonnull(page);
  p += sprintf(p, "%s", head);
  for (size_t i = 0; i < depth; i++)
    p += sprintf(p, "<div>");
  p += sprintf(p, "%s", para);
  for (size_t i = 0; i < depth; i++)
    p += sprintf(p, "</div>");
  sprintf(p, "</body></html>");
  return page;
}

/* libxml2 stops at 256 levels and dropped the article, leaving a
 * title-only episode; deeper than articast reads is an error naming the
 * depth, never a silent loss. */
START_TEST(deep_nesting_read_or_refused) {
  for (size_t depth = 300; depth <= 1000; depth += 700) {
    char *page = nested_page(depth);
    ac_document *doc = read_html(page);
    block_with(doc, "still the article");
    ac_document_free(doc);
    free(page);
  }
  char *page = nested_page(100000);
  ac_document *doc;
  char msg[1024];
  ck_assert_int_eq(read_with("deep.html", page, NULL, &doc, msg, sizeof msg),
                   AC_ERR_FORMAT);
  ck_assert_msg(strstr(msg, "nests its elements 100"), "message: %s", msg);
  ac_document_free(doc);
  free(page);
  /* Unclosed inline tags nest too. */
  char fonts[8192];
  size_t k = (size_t)sprintf(
      fonts, "<html><head><title>Fonts</title></head><body><p>");
  for (int i = 0; i < 600; i++)
    k += (size_t)sprintf(fonts + k, "<font>");
  sprintf(fonts + k, "Deep inside unclosed font tags lies the first "
                     "paragraph.</p><p>And the second paragraph.</p>");
  doc = read_html(fonts);
  block_with(doc, "lies the first paragraph");
  block_with(doc, "the second paragraph");
  ac_document_free(doc);
}
END_TEST

/* Declarations a browser never shows are never spoken. */
START_TEST(non_content_markup_not_spoken) {
  ac_document *doc = read_html(
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" \"x.dtd\" [\n"
      "  <!ENTITY copy \"]> in a string\">\n"
      "  <!ATTLIST p id ID #IMPLIED>\n]>\n"
      "<html><head><title>Markup</title></head><body>\n"
      "<![CDATA[ cdata text > here ]]>\n"
      "<![if !IE]><p>First paragraph of the article, with enough words.</p>"
      "<![endif]>\n<!ELEMENT p ANY>\n"
      "<p>Second paragraph: writing &lt;!DOCTYPE html&gt; is allowed.</p>"
      "<script type=\"application/ld+json\"><![CDATA[{\"@type\":\"Article\","
      "\"author\":{\"name\":\"Ann Lee\"}}]]></script>"
      "</body></html>");
  block_with(doc, "First paragraph of the article");
  /* Text that only shows markup is text. */
  block_with(doc, "writing <!DOCTYPE html> is allowed");
  static const char *const never[] = {"ATTLIST", "]>",         "in a string",
                                      "CDATA",   "cdata text", "endif",
                                      "ELEMENT", "[if"};
  for (size_t i = 0; i < sizeof never / sizeof *never; i++)
    assert_absent(doc, never[i]);
  /* The JSON-LD inside CDATA still reads. */
  ck_assert_str_eq(doc->author, "Ann Lee");
  ac_document_free(doc);

  doc = read_html("<!DOCTYPE html [<!ENTITY x \"y\">]><html><head><title>T"
                  "</title></head><body><p>Text &x; here, in a paragraph "
                  "long enough.</p></body></html>");
  block_with(doc, "Text &x; here");
  assert_absent(doc, "]>");
  ac_document_free(doc);
}
END_TEST

/* libxml2 deleted control characters, gluing the words around them;
 * they separate words, and are never spoken, in text and metadata. */
START_TEST(control_characters_separate_words) {
  static const char page[] =
      "<html><head><title>Con\x01trol</title>"
      "<meta property=\"og:title\" content=\"Tab\x02led title\">"
      "</head><body><p>Hello\x01world, and\x1b[1m bold, and C1\xC2\x85here, "
      "a sentence long enough for the article.</p>"
      "<p>Null\x00"
      "byte paragraph, a separator rather than glue.</p>"
      "</body></html>";
  ac_document *doc;
  char msg[1024];
  ac_stage_instance *si = harness_stage("source_html", NULL, NULL, NULL, 0);
  ck_assert_ptr_nonnull(si);
  doc = ac_document_new();
  int rc = harness_plugin("source_html")
               ->read_source(ac_stage_handle(si), "page.html", page,
                             sizeof page - 1, doc);
  snprintf(msg, sizeof msg, "%s", ac_stage_error(si));
  ac_stage_free(si);
  ck_assert_msg(rc == 0, "%s", msg);
  ck_assert_str_eq(doc->title, "Tab led title");
  block_with(doc, "Hello world, and [1m bold, and C1 here,");
  block_with(doc, "Null byte paragraph");
  for (size_t i = 0; i < doc->n_blocks; i++)
    for (const char *p = doc->blocks[i].text; *p; p++)
      ck_assert_msg((unsigned char)*p >= 0x20, "control in \"%s\"",
                    doc->blocks[i].text);
  ac_document_free(doc);
}
END_TEST

/* The page's image and address: http(s) only; a relative image of a page
 * read from a file stays relative (the mp3 sink takes it from the
 * article's own folder only); nothing names a file elsewhere. */
START_TEST(meta_links_web_only) {
  static const struct {
    const char *head;
    const char *image, *url;
  } cases[] = {
      {"<meta property=\"og:image\" content=\"file:///etc/passwd\">"
       "<meta name=\"twitter:image\" content=\"https://a.example/t.jpg\">",
       "https://a.example/t.jpg", NULL},
      {"<meta property=\"og:image\" content=\"/etc/passwd\">", NULL, NULL},
      {"<meta property=\"og:image\" content=\"../../etc/passwd\">",
       "../../etc/passwd", NULL}, /* relative: the sink's folder rule */
      {"<meta property=\"og:image\" content=\"images/cover.jpg\">",
       "images/cover.jpg", NULL},
      {"<meta property=\"og:image\" content=\"data:image/png;base64,AAAA\">",
       NULL, NULL},
      {"<meta property=\"og:image\" content=\"//cdn.example/c.jpg\">", NULL,
       NULL},
      {"<link rel=\"canonical\" href=\"https://news.example/a/story\">"
       "<meta property=\"og:image\" content=\"../img/c.jpg\">",
       "https://news.example/img/c.jpg", "https://news.example/a/story"},
      {"<base href=\"file:///etc/\">"
       "<meta property=\"og:image\" content=\"passwd\">"
       "<link rel=\"canonical\" href=\"file:///home/x/page.html\">",
       "passwd", NULL},
      {"<link rel=\"canonical\" href=\"javascript:alert(1)\">"
       "<meta property=\"og:url\" content=\"https://news.example/b\">",
       NULL, "https://news.example/b"},
      {"<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
       "\"headline\":\"Links\",\"image\":\"file:///root/.ssh/"
       "id_rsa\",\"thumbnailUrl\":"
       "\"http://a.example/th.png\"}</script>",
       "http://a.example/th.png", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char page[2048];
    snprintf(page, sizeof page,
             "<html><head><title>Links</title>%s</head><body><p>The article "
             "text of this page, long enough to be read.</p></body></html>",
             cases[i].head);
    ac_document *doc = read_html(page);
    if (cases[i].image)
      ck_assert_msg(doc->image && strcmp(doc->image, cases[i].image) == 0,
                    "case %zu: image %s", i, doc->image ? doc->image : "NULL");
    else
      ck_assert_msg(!doc->image, "case %zu: image %s", i, doc->image);
    if (cases[i].url)
      ck_assert_msg(doc->url && strcmp(doc->url, cases[i].url) == 0,
                    "case %zu: url %s", i, doc->url ? doc->url : "NULL");
    else
      ck_assert_msg(!doc->url, "case %zu: url %s", i, doc->url);
    ac_document_free(doc);
  }
}
END_TEST

static pid_t server_pid = -1;
static char server_base[64];
static char *server_dir;

static void server_start(void) {
  server_dir = harness_tempdir();
  char *port_file = ac_path_join(server_dir, "port");
  char *script = harness_data("html/serve.py");
  char *pages = harness_data("html");
  server_pid = fork();
  if (server_pid == 0) {
    execlp("python3", "python3", script, port_file, pages, (char *)NULL);
    _exit(127);
  }
  server_base[0] = '\0';
  for (int i = 0; server_pid > 0 && i < 200; i++) {
    FILE *f = fopen(port_file, "r");
    int port = 0;
    if (f) {
      if (fscanf(f, "%d", &port) != 1)
        port = 0;
      fclose(f);
    }
    if (port > 0) {
      snprintf(server_base, sizeof server_base, "http://127.0.0.1:%d", port);
      break;
    }
    int status;
    if (waitpid(server_pid, &status, WNOHANG) == server_pid) {
      server_pid = -1; /* python3 missing or failed */
      break;
    }
    usleep(50 * 1000);
  }
  free(port_file);
  free(script);
  free(pages);
}

static void server_stop(void) {
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    server_pid = -1;
  }
  if (server_dir) {
    char *port_file = ac_path_join(server_dir, "port");
    unlink(port_file);
    free(port_file);
    rmdir(server_dir);
    free(server_dir);
    server_dir = NULL;
  }
}

/* The server must run; python3 is a test dependency (.ci/install-deps). */
static void need_server(void) {
  ck_assert_msg(server_base[0], "the local test server did not start "
                                "(is python3 installed?)");
}

static int fetch(const char *path, const char *const *settings,
                 ac_document **doc, char *msg, size_t msglen) {
  char url[256];
  snprintf(url, sizeof url, "%s%s", server_base, path);
  return read_with(url, NULL, settings, doc, msg, msglen);
}

static ac_document *fetch_ok(const char *path) {
  ac_document *doc;
  char msg[1024];
  int rc = fetch(path, NULL, &doc, msg, sizeof msg);
  ck_assert_msg(rc == 0, "%s: failed (%d): %s", path, rc, msg);
  return doc;
}

START_TEST(url_page) {
  need_server();
  ac_document *doc = fetch_ok("/page/news.html");
  ck_assert_str_eq(doc->title, "Harbour ferry returns after winter repairs");
  block_with(doc, "back on the water after a winter");
  assert_absent(doc, "Facebook");
  /* The canonical address wins over the one fetched. */
  ck_assert_str_eq(doc->url, "https://courier.example/news/ferry-returns");
  ac_document_free(doc);
}
END_TEST

START_TEST(url_redirects) {
  need_server();
  ac_document *doc = fetch_ok("/redirect-chain");
  block_with(doc, "until nine in the evening");
  /* No canonical link: the address the redirects led to. */
  char want[256];
  snprintf(want, sizeof want, "%s/page/title-only.html", server_base);
  ck_assert_str_eq(doc->url, want);
  ac_document_free(doc);

  char msg[1024];
  ck_assert_int_ne(fetch("/loop", NULL, &doc, msg, sizeof msg), 0);
  ck_assert_msg(strstr(msg, "redirects"), "message: %s", msg);
  ac_document_free(doc);
  const char *const none[] = {"max_redirects=0", NULL};
  ck_assert_int_ne(fetch("/redirect", none, &doc, msg, sizeof msg), 0);
  ck_assert_msg(strstr(msg, "more than 0 redirects"), "message: %s", msg);
  ac_document_free(doc);
}
END_TEST

START_TEST(url_charset_from_header) {
  need_server();
  ac_document *doc = fetch_ok("/latin1");
  ck_assert_str_eq(doc->title, "Café du port");
  block_with(doc, "Les habitués sont déjà revenus");
  ac_document_free(doc);
}
END_TEST

START_TEST(url_size_limit) {
  need_server();
  ac_document *doc;
  char msg[1024];
  /* 2 MiB sent in chunks, without Content-Length, against 1 MiB. */
  const char *const small[] = {"max_size_kib=1024", NULL};
  ck_assert_int_eq(fetch("/big", small, &doc, msg, sizeof msg), AC_ERR_LIMIT);
  ck_assert_msg(strstr(msg, "larger than the limit of 1 MiB"), "message: %s",
                msg);
  ac_document_free(doc);
  /* 20 MiB announced: refused before reading, at the default 10 MiB. */
  ck_assert_int_eq(fetch("/big-declared", NULL, &doc, msg, sizeof msg),
                   AC_ERR_LIMIT);
  ck_assert_msg(strstr(msg, "larger than the limit of 10 MiB"), "message: %s",
                msg);
  ac_document_free(doc);
}
END_TEST

START_TEST(url_errors) {
  need_server();
  ac_document *doc;
  char msg[1024];
  ck_assert_int_eq(fetch("/missing", NULL, &doc, msg, sizeof msg),
                   AC_ERR_NOTFOUND);
  ck_assert_msg(strstr(msg, "HTTP 404"), "message: %s", msg);
  ac_document_free(doc);
  ck_assert_int_eq(fetch("/binary", NULL, &doc, msg, sizeof msg),
                   AC_ERR_FORMAT);
  ck_assert_msg(strstr(msg, "application/pdf"), "message: %s", msg);
  ac_document_free(doc);
  const char *const quick[] = {"timeout=1", NULL};
  ck_assert_int_eq(fetch("/slow", quick, &doc, msg, sizeof msg), AC_ERR_IO);
  ck_assert_msg(strstr(msg, "timed out"), "message: %s", msg);
  ac_document_free(doc);
  /* Nothing listens on port 1. */
  ck_assert_int_eq(
      read_with("http://127.0.0.1:1/x", NULL, NULL, &doc, msg, sizeof msg),
      AC_ERR_IO);
  ck_assert_msg(strstr(msg, "cannot fetch"), "message: %s", msg);
  ac_document_free(doc);
}
END_TEST

/* The command's exit code says whether trying again may help: a page that
 * is gone is bad input (3); a server error is a failure that may pass (1).
 */
START_TEST(url_exit_codes_of_the_command) {
  need_server();
  static const struct {
    const char *path;
    int code;
  } cases[] = {{"/missing", 3},
               {"/status/410", 3},
               {"/binary", 3},
               {"/status/503", 1},
               {"/page/news.html", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char cmd[1024];
    ck_assert_int_lt(snprintf(cmd, sizeof cmd,
                              "'%s' text '%s%s' >/dev/null 2>&1",
                              harness_binary(), server_base, cases[i].path),
                     (int)sizeof cmd);
    int status = harness_run(cmd, NULL);
    ck_assert_msg(status == cases[i].code, "%s: exit %d, expected %d",
                  cases[i].path, status, cases[i].code);
  }
}
END_TEST

/* A URL that will fail again is bad input (AC_ERR_NOTFOUND: the runner's
 * exit code 3); a failure that may pass is AC_ERR_IO. */
START_TEST(url_errors_lasting_or_passing) {
  need_server();
  ac_document *doc;
  char msg[1024];
  static const struct {
    const char *path;
    int rc;
    const char *says;
  } cases[] = {{"/status/403", AC_ERR_NOTFOUND, "HTTP 403"},
               {"/status/410", AC_ERR_NOTFOUND, "no such page"},
               {"/status/400", AC_ERR_NOTFOUND, "HTTP 400"},
               {"/status/429", AC_ERR_IO, "try again later"},
               {"/status/408", AC_ERR_IO, "HTTP 408"},
               {"/status/500", AC_ERR_IO, "HTTP 500"},
               {"/status/503", AC_ERR_IO, "try again later"},
               {"/loop", AC_ERR_NOTFOUND, "redirects"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ck_assert_msg(fetch(cases[i].path, NULL, &doc, msg, sizeof msg) ==
                      cases[i].rc,
                  "%s: %s", cases[i].path, msg);
    ck_assert_msg(strstr(msg, cases[i].says), "%s: %s", cases[i].path, msg);
    ac_document_free(doc);
  }
}
END_TEST

/* A host the resolver says does not exist (".invalid" is reserved for
 * that) is bad input; when the resolver cannot answer at all (no network)
 * the failure may pass. */
START_TEST(url_unknown_host) {
  ac_document *doc;
  char msg[1024];
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  int e = getaddrinfo("no-such-host.invalid", NULL, &hints, &res);
  if (res)
    freeaddrinfo(res);
  ck_assert_int_ne(e, 0);
  int rc = read_with("http://no-such-host.invalid/a", NULL, NULL, &doc, msg,
                     sizeof msg);
  ck_assert_int_eq(rc, e == EAI_NONAME ? AC_ERR_NOTFOUND : AC_ERR_IO);
  if (e == EAI_NONAME)
    ck_assert_msg(strstr(msg, "no such host"), "message: %s", msg);
  ac_document_free(doc);
}
END_TEST

START_TEST(url_plain_text) {
  need_server();
  ac_document *doc = fetch_ok("/plain");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(doc->blocks[0].text,
                   "First paragraph of a plain text article.");
  ck_assert_str_eq(doc->blocks[1].text,
                   "Second paragraph, after a blank line.");
  ac_document_free(doc);
}
END_TEST

START_TEST(url_from_the_command_line) {
  need_server();
  char cmd[512];
  char *out = NULL;
  snprintf(cmd, sizeof cmd, "'%s' text --body %s/redirect 2>&1",
           harness_binary(), server_base);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_msg(out && strstr(out, "until nine in the evening"), "output: %s",
                out ? out : "");
  free(out);
  snprintf(cmd, sizeof cmd, "'%s' text %s/missing 2>&1", harness_binary(),
           server_base);
  int rc = harness_run(cmd, &out);
  ck_assert_int_ne(rc, 0);
  ck_assert_msg(out && strstr(out, "HTTP 404") && strstr(out, "source_html"),
                "output: %s", out ? out : "");
  free(out);
}
END_TEST

static Suite *source_html_suite(void) {
  Suite *s = suite_create("source_html");
  TCase *tc = tcase_create("pages");
  tcase_add_test(tc, probe_prefers_html);
  tcase_add_test(tc, news_page_keeps_the_article);
  tcase_add_test(tc, news_page_drops_boilerplate);
  tcase_add_test(tc, news_page_byline_bio_caption);
  tcase_add_test(tc, embeds_tables_and_breaks);
  tcase_add_test(tc, listing_keeps_the_titled_story);
  tcase_add_test(tc, comments_are_not_the_article);
  tcase_add_test(tc, fragment_and_empty_pages);
  suite_add_tcase(s, tc);

  tc = tcase_create("metadata");
  tcase_add_test(tc, meta_opengraph_and_article);
  tcase_add_test(tc, meta_jsonld_graph);
  tcase_add_test(tc, meta_jsonld_variants);
  tcase_add_test(tc, meta_jsonld_mended_or_skipped);
  tcase_add_test(tc, script_drawn_page_uses_jsonld_body);
  tcase_add_test(tc, meta_twitter_and_others);
  tcase_add_test(tc, meta_title_tag_and_detected_language);
  tcase_add_test(tc, meta_microdata_and_rel_author);
  tcase_add_test(tc, charset_from_meta);
  tcase_add_test(tc, charset_guessed_and_repaired);
  suite_add_tcase(s, tc);

  tc = tcase_create("hostile");
  tcase_add_test(tc, deep_nesting_read_or_refused);
  tcase_add_test(tc, non_content_markup_not_spoken);
  tcase_add_test(tc, control_characters_separate_words);
  tcase_add_test(tc, meta_links_web_only);
  suite_add_tcase(s, tc);

  tc = tcase_create("language");
  tcase_add_test(tc, language_detected_per_page);
  tcase_add_test(tc, language_detection_off);
  suite_add_tcase(s, tc);

  tc = tcase_create("urls");
  tcase_add_unchecked_fixture(tc, server_start, server_stop);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, url_page);
  tcase_add_test(tc, url_redirects);
  tcase_add_test(tc, url_charset_from_header);
  tcase_add_test(tc, url_size_limit);
  tcase_add_test(tc, url_errors);
  tcase_add_test(tc, url_errors_lasting_or_passing);
  tcase_add_test(tc, url_exit_codes_of_the_command);
  tcase_add_test(tc, url_unknown_host);
  tcase_add_test(tc, url_plain_text);
  tcase_add_test(tc, url_from_the_command_line);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return harness_main(source_html_suite());
}
