/* The source_text plugin: Markdown with front matter and plain text into
 * the document model. Fixtures live in tests/data/source/. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Helpers ------------------------------------------------------------ */

/* Runs read_source on `len` bytes of `text` under the file name `name`,
 * with optional settings. Returns the document (also on failure, for
 * inspection); *rc gets the result and `msg` the stage's error. */
static ac_document *read_as(const char *name, const char *text, size_t len,
                            const char *const *settings, int *rc, char *msg,
                            size_t msglen) {
  char err[1024] = "";
  ac_stage_instance *si =
      harness_stage("source_text", settings, NULL, err, sizeof err);
  ck_assert_msg(si != NULL, "cannot create source_text: %s", err);
  const ac_plugin *p = harness_plugin("source_text");
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  *rc = p->read_source(ac_stage_handle(si), name, text, len, doc);
  if (msg)
    snprintf(msg, msglen, "%s", ac_stage_error(si));
  ac_stage_free(si);
  return doc;
}

/* Reads a NUL-terminated text that must parse. */
static ac_document *read_ok(const char *name, const char *text) {
  int rc;
  char msg[1024];
  ac_document *doc =
      read_as(name, text, strlen(text), NULL, &rc, msg, sizeof msg);
  ck_assert_msg(rc == 0, "read_source failed (%d): %s", rc, msg);
  return doc;
}

static ac_document *read_fixture(const char *relative) {
  char *path = harness_data(relative);
  ck_assert_ptr_nonnull(path);
  ac_document *doc = harness_read("source_text", path, NULL);
  free(path);
  return doc;
}

/* Index of the first block whose text contains `needle`, or -1. */
static long find_block(const ac_document *doc, const char *needle) {
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (strstr(doc->blocks[i].text, needle))
      return (long)i;
  return -1;
}

/* Number of blocks of one kind. */
static size_t count_kind(const ac_document *doc, ac_block_kind kind) {
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += doc->blocks[i].kind == kind;
  return n;
}

static const ac_block *block_at(const ac_document *doc, long i) {
  ck_assert_msg(i >= 0 && (size_t)i < doc->n_blocks, "no block %ld", i);
  return &doc->blocks[i];
}

/* ---- Front matter ------------------------------------------------------- */

START_TEST(front_matter_fields) {
  ac_document *doc = read_fixture("source/article.md");
  /* Double-quoted value with escaped quotes. */
  ck_assert_str_eq(doc->title,
                   "Lighthouse keepers return to Gull Point: a \"quiet\" "
                   "revival");
  ck_assert_str_eq(doc->date, "2025-11-02");
  ck_assert_str_eq(doc->language, "en-GB"); /* "lang: en_gb" normalized */
  /* summary beats description; the folded scalar joins its lines. */
  ck_assert_str_eq(doc->summary,
                   "Three volunteers now staff the restored lamp room every "
                   "weekend.");
  ck_assert_str_eq(doc->image, "images/gull-point.jpg");
  /* canonical_url beats url whatever the order. */
  ck_assert_str_eq(doc->url, "https://news.example.net/gull-point");
  ck_assert_str_eq(doc->id, "gp-2025-11");
  ck_assert_ptr_nonnull(doc->source);
  ck_assert_ptr_nonnull(strstr(doc->source, "source/article.md"));
  /* Unknown keys (tags, a nested mapping) leave nothing behind. */
  ck_assert_int_lt(find_block(doc, "coast"), 0);
  ck_assert_int_lt(find_block(doc, "key: value"), 0);
  ac_document_free(doc);
}
END_TEST

START_TEST(front_matter_authors_list) {
  /* Block list, with a single-quoted item using '' for an apostrophe. */
  ac_document *doc = read_fixture("source/article.md");
  ck_assert_str_eq(doc->author,
                   "Tomasz Wierzbicki, Rosa O'Neill and Ikaika Kahale");
  ac_document_free(doc);

  doc = read_ok("two.md", "---\nauthors: [\"Ana Lima\", 'Bo Chen']\n---\n"
                          "Text.\n");
  ck_assert_str_eq(doc->author, "Ana Lima and Bo Chen");
  ac_document_free(doc);

  doc = read_ok("one.md", "---\nauthor:\n  - Ana Lima\n---\nText.\n");
  ck_assert_str_eq(doc->author, "Ana Lima");
  ac_document_free(doc);

  doc = read_ok("map.md", "---\nauthor:\n  name: Ana Lima\n  email: a@x\n"
                          "---\nText.\n");
  ck_assert_str_eq(doc->author, "Ana Lima");
  ac_document_free(doc);
}
END_TEST

START_TEST(front_matter_quoted_values) {
  ac_document *doc =
      read_ok("q.md", "---\ntitle: 'It''s #1: a test'   # comment\n"
                      "summary: \"Tab\\there, \\u00e9t\\u00e9\"\n"
                      "id: plain # trailing comment\n"
                      "image: \"a # not a comment\"\n---\nBody.\n");
  ck_assert_str_eq(doc->title, "It's #1: a test");
  ck_assert_str_eq(doc->summary, "Tab\there, \xc3\xa9t\xc3\xa9");
  ck_assert_str_eq(doc->id, "plain");
  ck_assert_str_eq(doc->image, "a # not a comment");
  ac_document_free(doc);
}
END_TEST

START_TEST(front_matter_dates) {
  static const char *const cases[][2] = {
      {"2026-03-14", "2026-03-14"},
      {"2026-03-14 10:30", "2026-03-14T10:30:00"},
      {"2026-03-14T10:30:00Z", "2026-03-14T10:30:00Z"},
      {"2026-03-14T10:30:00+00:00", "2026-03-14T10:30:00Z"},
      {"\"14 March 2026\"", "2026-03-14"},
      {"March 4, 2024", "2024-03-04"},
      {"Friday, 4th December 2026", "2026-12-04"},
      {"'Fri, 04 Dec 2026 09:30:00 -0500'", "2026-12-04T09:30:00-05:00"},
      {"2024/12/01", "2024-12-01"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "---\ndate: %s\n---\nBody.\n", cases[i][0]);
    ac_document *doc = read_ok("d.md", text);
    ck_assert_msg(doc->date && strcmp(doc->date, cases[i][1]) == 0,
                  "date '%s' gave '%s', want '%s'", cases[i][0],
                  doc->date ? doc->date : "(null)", cases[i][1]);
    ac_document_free(doc);
  }
  /* Not a date: ignored rather than passed on as one. Nor is a date
   * that could be day-first or month-first. */
  static const char *const bad[] = {"soon", "04/12/2026", "0001-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "---\ndate: %s\n---\nBody.\n", bad[i]);
    ac_document *doc = read_ok("d.md", text);
    ck_assert_msg(doc->date == NULL, "'%s' gave '%s'", bad[i], doc->date);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(front_matter_unterminated_is_an_error) {
  int rc;
  char msg[1024];
  const char *text = "---\ntitle: Never closed\nauthor: Someone\n\nBody.\n";
  ac_document *doc =
      read_as("open.md", text, strlen(text), NULL, &rc, msg, sizeof msg);
  ck_assert_int_eq(rc, AC_ERR_FORMAT);
  ck_assert_msg(strstr(msg, "front matter") && strstr(msg, "line 1"),
                "message does not explain: %s", msg);
  ac_document_free(doc);

  /* An unclosed quote names the key and its line. */
  text = "---\nid: x\ntitle: \"Half open\n---\nBody.\n";
  doc = read_as("q.md", text, strlen(text), NULL, &rc, msg, sizeof msg);
  ck_assert_int_eq(rc, AC_ERR_FORMAT);
  ck_assert_msg(strstr(msg, "line 3") && strstr(msg, "title"),
                "message does not explain: %s", msg);
  ac_document_free(doc);
}
END_TEST

/* Reads text that must fail with AC_ERR_FORMAT and a message holding
 * every one of `words` (NULL-terminated). */
static void assert_format_error(const char *name, const char *text,
                                const char *const *words) {
  int rc;
  char msg[1024];
  ac_document *doc =
      read_as(name, text, strlen(text), NULL, &rc, msg, sizeof msg);
  ck_assert_msg(rc == AC_ERR_FORMAT, "%.60s...: rc %d (%s)", text, rc, msg);
  for (size_t i = 0; words[i]; i++)
    ck_assert_msg(strstr(msg, words[i]), "message lacks '%s': %s", words[i],
                  msg);
  ac_document_free(doc);
}

START_TEST(front_matter_malformed_yaml_names_the_line) {
  /* libyaml's reason, on the file's line numbers. */
  assert_format_error("i.md", "---\ntitle: ok\n  bad: indent\n---\nBody.\n",
                      (const char *const[]){"line 3", "mapping values", NULL});
  assert_format_error("f.md",
                      "---\nid: 1\ntitle: [a, b\nauthor: x\n---\nBody.\n",
                      (const char *const[]){"line 4", "flow sequence", "line 3",
                                            "title", NULL});
  assert_format_error("t.md", "---\n\ttitle: tab\n---\nBody.\n",
                      (const char *const[]){"line 2", NULL});
}
END_TEST

START_TEST(front_matter_hostile_yaml_is_bounded) {
  /* Deep nesting stops at 32 levels, with a reason. */
  char deep[512] = "---\ntitle: ";
  for (int i = 0; i < 100; i++)
    strcat(deep, "[");
  for (int i = 0; i < 100; i++)
    strcat(deep, "]");
  strcat(deep, "\n---\nBody.\n");
  assert_format_error("d.md", deep,
                      (const char *const[]){"line 2", "deeper", NULL});

  /* Billion laughs: aliases of lists yield nothing, so nothing grows. */
  const char *laughs = "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "author: [*d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "title: Laughs\n---\nBody.\n";
  ac_document *doc = read_ok("l.md", laughs);
  ck_assert_ptr_null(doc->author);
  ck_assert_str_eq(doc->title, "Laughs");
  ac_document_free(doc);

  /* An alias of a scalar is the scalar; a list of them stops at 32
   * names. */
  doc = read_ok("a.md", "---\nauthor: &who Ana Lima\nid: *who\n---\nX.\n");
  ck_assert_str_eq(doc->id, "Ana Lima");
  ac_document_free(doc);
  char many[4096] = "---\nx: &n Bo Chen\nauthors: [";
  for (int i = 0; i < 100; i++)
    strcat(many, i ? ", *n" : "*n");
  strcat(many, "]\n---\nX.\n");
  doc = read_ok("m.md", many);
  ck_assert_ptr_nonnull(doc->author);
  /* 32 names: 30 ", " and one " and " between them */
  ck_assert_uint_eq(strlen(doc->author), 32 * 7 + 30 * 2 + 5);
  ac_document_free(doc);

  /* Over 256 KiB of front matter is not metadata. */
  size_t big = 300 * 1024;
  char *text = malloc(big + 64);
  ck_assert_ptr_nonnull(text);
  strcpy(text, "---\nsummary: ");
  size_t at = strlen(text);
  memset(text + at, 'a', big);
  strcpy(text + at + big, "\n---\nBody.\n");
  assert_format_error("b.md", text, (const char *const[]){"KiB", NULL});
  free(text);
}
END_TEST

START_TEST(front_matter_other_shapes) {
  /* "lang" is "language" too, and a YAML list's first item serves a
   * single-valued key; nested mappings and unknown keys are skipped. */
  ac_document *doc = read_ok(
      "o.md", "---\nlang: pt_br\ntitle: [First, Second]\nextra:\n  deep:\n"
              "    - {a: 1}\nsummary: |\n  Line one\n  line two\n---\nX.\n");
  ck_assert_str_eq(doc->language, "pt-BR");
  ck_assert_str_eq(doc->title, "First");
  ck_assert_str_eq(doc->summary, "Line one\nline two");
  ac_document_free(doc);

  /* A block that is YAML but not a mapping is ignored (with a warning),
   * and the body after it is read. */
  doc = read_ok("s.md", "---\n- just\n- a list\n---\nThe body.\n");
  ck_assert_uint_eq(doc->n_blocks, 1);
  ck_assert_str_eq(block_at(doc, 0)->text, "The body.");
  ac_document_free(doc);

  /* Empty front matter, "..." closing it, and YAML nulls. */
  doc = read_ok("e.md", "---\n---\nBody.\n");
  ck_assert_ptr_null(doc->title);
  ac_document_free(doc);
  doc = read_ok("n.md", "---\ntitle: ~\nid: null\nimage: 'null'\n...\nB.\n");
  ck_assert_ptr_null(doc->title);
  ck_assert_ptr_null(doc->id);
  ck_assert_str_eq(doc->image, "null"); /* quoted: a string */
  ac_document_free(doc);
}
END_TEST

/* ---- Markdown body ------------------------------------------------------ */

START_TEST(markdown_headings) {
  ac_document *doc = read_fixture("source/article.md");
  const ac_block *b = block_at(doc, find_block(doc, "Setting the scene"));
  ck_assert_int_eq(b->kind, AC_BLOCK_HEADING); /* setext '=' */
  ck_assert_int_eq(b->level, 1);
  b = block_at(doc, find_block(doc, "Daily routine"));
  ck_assert_int_eq(b->kind, AC_BLOCK_HEADING); /* setext '-' */
  ck_assert_int_eq(b->level, 2);
  b = block_at(doc, find_block(doc, "Questions"));
  ck_assert_int_eq(b->kind, AC_BLOCK_HEADING); /* ATX ### */
  ck_assert_int_eq(b->level, 3);
  ck_assert_str_eq(b->text, "Questions & answers");
  /* Paragraph blocks have level 0. */
  ck_assert_int_eq(block_at(doc, find_block(doc, "The lamp at"))->level, 0);
  ac_document_free(doc);

  doc = read_ok("h.md", "# Title\n\n## Two ##\n\n###### Six\n\n#NoSpace\n");
  ck_assert_str_eq(block_at(doc, 0)->text, "Two");
  ck_assert_int_eq(block_at(doc, 0)->level, 2);
  ck_assert_int_eq(block_at(doc, 1)->level, 6);
  ck_assert_int_eq(block_at(doc, 2)->kind, AC_BLOCK_PARAGRAPH);
  ck_assert_str_eq(block_at(doc, 2)->text, "#NoSpace");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_lists) {
  ac_document *doc = read_fixture("source/article.md");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_LIST_ITEM), 4);
  long i = find_block(doc, "Wind the clockwork");
  ck_assert_str_eq(block_at(doc, i)->text, "Wind the clockwork before dusk.");
  /* The continuation line joins its item, with the marker gone. */
  ck_assert_str_eq(block_at(doc, i + 1)->text,
                   "Polish the prisms, then check the mantle.");
  ck_assert_int_eq(block_at(doc, i + 1)->kind, AC_BLOCK_LIST_ITEM);
  ck_assert_int_eq(block_at(doc, i + 2)->kind, AC_BLOCK_LIST_ITEM); /* - */
  ck_assert_int_eq(block_at(doc, i + 3)->kind, AC_BLOCK_LIST_ITEM); /* * */
  ck_assert_str_eq(block_at(doc, i + 3)->text,
                   "Never leave the gallery door open.");
  ac_document_free(doc);

  /* "+" bullets, nesting, "1)" and a wrapped "2019." that is no item. */
  doc = read_ok("l.md", "+ one\n  + nested\n1) first\n\nIn the year\n"
                        "2019. it rained.\n");
  ck_assert_uint_eq(doc->n_blocks, 4);
  ck_assert_str_eq(block_at(doc, 0)->text, "one");
  ck_assert_str_eq(block_at(doc, 1)->text, "nested");
  ck_assert_str_eq(block_at(doc, 2)->text, "first");
  ck_assert_int_eq(block_at(doc, 3)->kind, AC_BLOCK_PARAGRAPH);
  ck_assert_str_eq(block_at(doc, 3)->text, "In the year 2019. it rained.");
  ac_document_free(doc);

  /* Empty items ("-" alone) leave no block; "- [x]" task boxes go. */
  doc = read_ok("e.md", "Text.\n\n-\n- \n* [x] done\n1.\n");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(block_at(doc, 1)->text, "done");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_quotes) {
  ac_document *doc = read_fixture("source/article.md");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_QUOTE), 2);
  long i = find_block(doc, "The light is a promise");
  ck_assert_int_eq(block_at(doc, i)->kind, AC_BLOCK_QUOTE);
  ck_assert_str_eq(block_at(doc, i)->text,
                   "The light is a promise to people you will never meet. "
                   "It has to be kept every night.");
  ck_assert_str_eq(block_at(doc, i + 1)->text, "A second quoted paragraph.");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_inline_markup) {
  ac_document *doc = read_fixture("source/article.md");
  /* Emphasis, strong and entities. */
  ck_assert_str_eq(block_at(doc, find_block(doc, "The lamp at"))->text,
                   "The lamp at Gull Point has not been tended by hand since "
                   "1974. This autumn, three volunteers took the night watch "
                   "again, climbing the 112 steps \xe2\x80\x94 twice & "
                   "sometimes three times a night.");
  /* Link text kept, URL and title gone; code span text kept; image
   * dropped; intraword underscores are not emphasis. */
  ck_assert_str_eq(block_at(doc, find_block(doc, "Keepers log"))->text,
                   "Keepers log the weather every four hours, as the harbour "
                   "trust asks. The log_book sits beside the lens. Volunteers "
                   "call it snake_case_name without a second thought.");
  /* Autolinks, reference links, escapes, a lone '*' and '~', footnote
   * marks and inline HTML. */
  ck_assert_str_eq(block_at(doc, find_block(doc, "Can anyone"))->text,
                   "Can anyone volunteer? Yes: write to volunteers@example.org "
                   "or see the rota. Prices are 5 * 3 \xe2\x82\xac and the "
                   "tilde ~ stays. A footnote mark goes, tags go too.");
  ck_assert_str_eq(block_at(doc, find_block(doc, "Record passing"))->text,
                   "Record passing ships at https://ships.example.org/live.");
  ac_document_free(doc);

  doc = read_ok("i.md", "Title\n=====\n\n***Both*** and __strong__ and "
                        "~~struck~~ and \\*kept\\* and &lt;b&gt; &#233;&#x41; "
                        "&bogus; `` a`b `` [x] !\n");
  ck_assert_str_eq(block_at(doc, 0)->text,
                   "Both and strong and struck and *kept* and <b> \xc3\xa9"
                   "A &bogus; a`b [x] !");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_code_and_rules_dropped) {
  ac_document *doc = read_fixture("source/article.md");
  ck_assert_int_lt(find_block(doc, "lamp = 1"), 0);
  ck_assert_int_lt(find_block(doc, "code is not read aloud"), 0);
  ck_assert_int_lt(find_block(doc, "indented code"), 0);
  ck_assert_int_lt(find_block(doc, "editor's note"), 0);
  ck_assert_int_lt(find_block(doc, "spanning"), 0);
  ck_assert_int_lt(find_block(doc, "***"), 0);
  ck_assert_int_lt(find_block(doc, "rota]:"), 0);
  ck_assert_int_lt(find_block(doc, "example.org/rota"), 0);
  ac_document_free(doc);

  doc = read_ok("c.md", "Before.\n\n~~~\n# not a heading\n~~~\n\n---\n\n"
                        "<script>\nvar x = 1;\n</script>\n\nAfter.\n");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(block_at(doc, 0)->text, "Before.");
  ck_assert_str_eq(block_at(doc, 1)->text, "After.");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_tables_read_as_labelled_rows) {
  /* Each body row is one block, each cell after its column's header;
   * empty cells are not read, a cell without a header is read alone. */
  ac_document *doc = read_ok(
      "t.md", "Intro.\n\n| Route | Change | |\n|---|:---:|---|\n"
              "| 12 | via *Mill* Lane | note |\n| 12A | | |\n\nAfter.\n");
  ck_assert_uint_eq(doc->n_blocks, 4);
  ck_assert_str_eq(block_at(doc, 1)->text,
                   "Route: 12, Change: via Mill Lane, note");
  ck_assert_str_eq(block_at(doc, 2)->text, "Route: 12A");
  ck_assert_int_eq(block_at(doc, 2)->kind, AC_BLOCK_LIST_ITEM); /* a record */
  ck_assert_str_eq(block_at(doc, 3)->text, "After.");
  ac_document_free(doc);

  /* A header alone is read as a row; pipes without a delimiter row are
   * just text. */
  doc = read_ok("h.md", "| Only | Header |\n|---|---|\n\na | b\n");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(block_at(doc, 0)->text, "Only, Header");
  ck_assert_str_eq(block_at(doc, 1)->text, "a | b");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_footnotes_after_the_body) {
  /* The marks go; the notes are read under "Notes" after the body and
   * before the closing bio, in the order they are referred to. */
  ac_document *doc =
      read_ok("f.md", "---\nauthor: Ana Lima\n---\nTides rise[^tide] and "
                      "fall[^2].\n\n[^2]: Twice a day.\n\n## Later\n\n"
                      "More text.\n\n[^tide]: See the *tables*.\n\n    "
                      "A second paragraph of the note.\n\n"
                      "*Ana Lima writes about the sea.*\n");
  ck_assert_uint_eq(doc->n_blocks, 8);
  ck_assert_str_eq(block_at(doc, 0)->text, "Tides rise and fall.");
  ck_assert_str_eq(block_at(doc, 2)->text, "More text.");
  ck_assert_int_eq(block_at(doc, 3)->kind, AC_BLOCK_HEADING);
  ck_assert_int_eq(block_at(doc, 3)->level, 2);
  ck_assert_str_eq(block_at(doc, 3)->text, "Notes");
  ck_assert_str_eq(block_at(doc, 4)->text, "See the tables.");
  ck_assert_str_eq(block_at(doc, 5)->text, "A second paragraph of the note.");
  ck_assert_str_eq(block_at(doc, 6)->text, "Twice a day.");
  ck_assert_int_eq(block_at(doc, 7)->kind, AC_BLOCK_BIO);
  ac_document_free(doc);

  /* A mark with no note is not read either (in code it is no mark);
   * without notes, no heading. */
  doc = read_ok("m.md", "A claim[^9] stands, `[^a-z]` too.\n");
  ck_assert_uint_eq(doc->n_blocks, 1);
  ck_assert_str_eq(block_at(doc, 0)->text, "A claim stands, [^a-z] too.");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_html_images_and_nesting) {
  /* Raw HTML blocks and images (alt text too) are not read; the text
   * between inline tags is, a <script> is not; block tags separate words. */
  ac_document *doc = read_ok(
      "h.md", "<div class=\"ad\">\nBuy now\n</div>\n\nSee ![the map](m.png)"
              "here<br>now <b>bold</b> <script>var x;</script>end.\n\n"
              "<!-- never closed\n\nhidden text\n");
  ck_assert_uint_eq(doc->n_blocks, 1);
  ck_assert_str_eq(block_at(doc, 0)->text, "See here now bold end.");
  ac_document_free(doc);

  /* A list item's paragraphs are one block until a nested list comes
   * between them; a quote's list items are quotes; code in an item goes. */
  doc = read_ok("n.md", "- One\n\n  still one\n\n  ```\n  code\n  ```\n"
                        "  - Two\n\n  back in one\n\n> - quoted item\n> "
                        "- another\n");
  ck_assert_uint_eq(doc->n_blocks, 5);
  ck_assert_str_eq(block_at(doc, 0)->text, "One still one");
  ck_assert_str_eq(block_at(doc, 1)->text, "Two");
  ck_assert_str_eq(block_at(doc, 2)->text, "back in one");
  ck_assert_int_eq(block_at(doc, 2)->kind, AC_BLOCK_LIST_ITEM);
  ck_assert_int_eq(block_at(doc, 3)->kind, AC_BLOCK_QUOTE);
  ck_assert_str_eq(block_at(doc, 4)->text, "another");
  ac_document_free(doc);

  /* Control characters from entities separate words (they glued them);
   * a soft hyphen goes; a no-break space stays. */
  doc = read_ok("e.md", "a&#1;b&#x85;c 10&nbsp;km &#xad;x co&#xad;op\n");
  ck_assert_str_eq(block_at(doc, 0)->text, "a b c 10\xc2\xa0km x coop");
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_hostile_input_is_bounded) {
  /* Inputs on which cmark-gfm's time grows with the square of the text
   * are refused with a reason; as plain text they still read. */
  size_t n = 2000 * 6;
  char *text = malloc(n + 1);
  ck_assert_ptr_nonnull(text);
  for (size_t i = 0; i < n; i += 6)
    memcpy(text + i, "![[]()", 6);
  text[n] = '\0';
  assert_format_error("i.md", text, (const char *const[]){"'!['", NULL});
  free(text);

  char pipes[600] = "| a |\n|---|\n";
  memset(pipes + strlen(pipes), '|', 300);
  assert_format_error("p.md", pipes, (const char *const[]){"'|'", NULL});

  n = (1u << 20) + 10;
  text = malloc(n + 1);
  ck_assert_ptr_nonnull(text);
  memset(text, 'a', n);
  text[n] = '\0';
  assert_format_error("b.md", text, (const char *const[]){"1 MiB", NULL});
  int rc;
  static const char *const plain[] = {"format=plain", NULL};
  ac_document *doc = read_as("b.md", text, n, plain, &rc, NULL, 0);
  ck_assert_int_eq(rc, 0);
  ac_document_free(doc);
  free(text);
}
END_TEST

START_TEST(markdown_byline_and_bio) {
  ac_document *doc = read_fixture("source/article.md");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 1);
  const ac_block *b = block_at(doc, 0); /* right after the title */
  ck_assert_int_eq(b->kind, AC_BLOCK_BYLINE);
  ck_assert_str_eq(b->text, "By Tomasz Wierzbicki, Coastal Desk");
  /* The last emphasised paragraph names an author ("writes"). */
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BIO), 1);
  b = block_at(doc, (long)doc->n_blocks - 1);
  ck_assert_int_eq(b->kind, AC_BLOCK_BIO);
  ck_assert_str_eq(b->text, "Rosa O'Neill writes about maritime history for "
                            "the Coast Gazette.");
  ac_document_free(doc);

  /* Neither rule fires on emphasis that is not a byline or a bio. */
  doc = read_ok("n.md", "# T\n\n*Bycatch is rising.*\n\nBody text.\n\n"
                        "*Updated on Tuesday with new figures.*\n");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 0);
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BIO), 0);
  ck_assert_str_eq(block_at(doc, 0)->text, "Bycatch is rising.");
  ac_document_free(doc);

  /* A byline must be right after the title and wholly emphasised. */
  doc = read_ok("n2.md", "# T\n\nFirst.\n\n*By Ana Lima*\n\nBy Bo Chen\n");
  ck_assert_uint_eq(count_kind(doc, AC_BLOCK_BYLINE), 0);
  ac_document_free(doc);

  /* Trailing share links after the bio do not hide it. */
  doc = read_ok("b.md", "---\nauthor: Ana Lima\n---\nText.\n\n"
                        "*Ana Lima edits the science pages.*\n\n"
                        "Share this:\nEmail\n");
  ck_assert_int_eq(block_at(doc, 1)->kind, AC_BLOCK_BIO);
  ck_assert_int_eq(block_at(doc, 2)->kind, AC_BLOCK_PARAGRAPH);
  ac_document_free(doc);
}
END_TEST

START_TEST(markdown_title_from_h1_or_front_matter) {
  /* No front matter: the first H1 is the title, the byline gives the
   * author, and "Contact" marks the bio. */
  ac_document *doc = read_fixture("source/no-front-matter.md");
  ck_assert_str_eq(doc->title, "Tide tables explained");
  ck_assert_str_eq(doc->author, "Mele Fonoti");
  ck_assert_uint_eq(doc->n_blocks, 3);
  ck_assert_int_eq(block_at(doc, 0)->kind, AC_BLOCK_BYLINE);
  ck_assert_str_eq(block_at(doc, 0)->text, "By Mele Fonoti");
  ck_assert_int_eq(block_at(doc, 2)->kind, AC_BLOCK_BIO);
  ck_assert_int_lt(find_block(doc, "Tide tables"), 0);
  ac_document_free(doc);

  /* The front matter title's echo in the H1 is not kept (the fixture's H1
   * repeats the title exactly, including its quotes). */
  doc = read_fixture("source/article.md");
  ck_assert_int_lt(find_block(doc, "Lighthouse keepers"), 0);
  ac_document_free(doc);

  /* An echo differing only in case and punctuation is dropped too... */
  doc = read_ok("e.md", "---\ntitle: \"Rates rise, again\"\n---\n"
                        "# Rates Rise Again\n\nBody.\n");
  ck_assert_uint_eq(doc->n_blocks, 1);
  ck_assert_str_eq(block_at(doc, 0)->text, "Body.");
  ac_document_free(doc);

  /* ...but a different H1 stays a heading, and later H1s are headings. */
  doc = read_ok("d.md", "---\ntitle: Rates rise\n---\n# Background\n\n"
                        "Body.\n\n# More\n");
  ck_assert_str_eq(doc->title, "Rates rise");
  ck_assert_int_eq(block_at(doc, 0)->kind, AC_BLOCK_HEADING);
  ck_assert_str_eq(block_at(doc, 0)->text, "Background");
  ck_assert_int_eq(block_at(doc, 2)->level, 1);
  ac_document_free(doc);

  doc = read_ok("s.md", "Only H1 here\n============\n\nBody.\n\n# Second\n");
  ck_assert_str_eq(doc->title, "Only H1 here");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(block_at(doc, 1)->text, "Second");
  ac_document_free(doc);
}
END_TEST

/* ---- Plain text --------------------------------------------------------- */

START_TEST(plain_title_and_line_breaks) {
  ac_document *doc = read_fixture("source/ferry.txt");
  ck_assert_str_eq(doc->title, "Ferry timetable changes from Monday");
  ck_assert_uint_eq(doc->n_blocks, 2);
  /* Lines inside a block keep their '\n'; blank lines separate blocks. */
  ck_assert_str_eq(block_at(doc, 0)->text, "The 07:10 sailing moves to 07:25.\n"
                                           "The 18:40 sailing is withdrawn.");
  /* Lines are trimmed and runs of spaces collapsed. */
  ck_assert_str_eq(block_at(doc, 1)->text,
                   "Tickets bought before Friday remain valid.");
  ac_document_free(doc);
}
END_TEST

START_TEST(plain_title_rules) {
  /* A sentence is not a title. */
  ac_document *doc = read_ok("a.txt", "This is a sentence.\n\nMore.\n");
  ck_assert_ptr_null(doc->title);
  ck_assert_uint_eq(doc->n_blocks, 2);
  ac_document_free(doc);

  /* Nor is a first block of two lines. */
  doc = read_ok("b.txt", "Line one\nLine two\n\nMore.\n");
  ck_assert_ptr_null(doc->title);
  ac_document_free(doc);

  /* Nor an overlong line. */
  char text[600];
  memset(text, 'x', 300);
  strcpy(text + 300, "\n\nMore.\n");
  doc = read_ok("c.txt", text);
  ck_assert_ptr_null(doc->title);
  ac_document_free(doc);

  /* A lone short line is the text, not a title over nothing. */
  doc = read_ok("d.txt", "Hello there\n");
  ck_assert_ptr_null(doc->title);
  ck_assert_uint_eq(doc->n_blocks, 1);
  ac_document_free(doc);

  /* A headline may be a question. */
  doc = read_ok("e.txt", "Is the bridge safe?\n\nEngineers say yes.\n");
  ck_assert_str_eq(doc->title, "Is the bridge safe?");
  ac_document_free(doc);
}
END_TEST

START_TEST(plain_text_is_not_interpreted) {
  /* Plain text keeps Markdown-looking characters and classifies nothing:
   * bylines and bios are the clean stage's business. */
  ac_document *doc = read_ok("p.txt", "Headline\n\nBy Ana Lima\n\n"
                                      "*stars* and [brackets](x) & more\n\n"
                                      "Ana Lima covers science.\n");
  ck_assert_uint_eq(doc->n_blocks, 3);
  for (size_t i = 0; i < doc->n_blocks; i++)
    ck_assert_int_eq(doc->blocks[i].kind, AC_BLOCK_PARAGRAPH);
  ck_assert_str_eq(block_at(doc, 1)->text, "*stars* and [brackets](x) & more");
  ck_assert_ptr_null(doc->author);
  ac_document_free(doc);
}
END_TEST

/* ---- Encoding and errors ------------------------------------------------ */

START_TEST(crlf_bom_and_control_characters) {
  const char *md = "\xef\xbb\xbf---\r\ntitle: CRLF title\r\n---\r\n\r\n"
                   "First line\r\nsecond line\r\n\r\n## Sub\r\n";
  ac_document *doc = read_ok("w.md", md);
  ck_assert_str_eq(doc->title, "CRLF title");
  ck_assert_uint_eq(doc->n_blocks, 2);
  ck_assert_str_eq(block_at(doc, 0)->text, "First line second line");
  ck_assert_str_eq(block_at(doc, 1)->text, "Sub");
  ac_document_free(doc);

  const char *txt = "\xef\xbb\xbfTitle\r\n\r\nOne\rTwo\x07\x1b\x7f \xc2\x85"
                    "three\tfour\r\n";
  doc = read_ok("w.txt", txt);
  ck_assert_str_eq(doc->title, "Title"); /* no BOM bytes in it */
  ck_assert_uint_eq(doc->n_blocks, 1);
  /* BEL, ESC and DEL are spaces; U+0085 is windows-1252's ellipsis. */
  ck_assert_str_eq(block_at(doc, 0)->text, "One\nTwo \xe2\x80\xa6three four");
  ac_document_free(doc);
}
END_TEST

/* Control characters are never spoken and never glue words: C0 controls
 * are spaces, a form feed or vertical tab a line break, a C1 control the
 * windows-1252 punctuation that text decoded as Latin-1 shows. */
START_TEST(control_characters_separate_words) {
  ac_document *doc =
      read_ok("c.txt", "Title\n\nHello\x01world\x1b[0m and\x7fmore.\n"
                       "Page one\x0cPage two\x0bthree.\n\n"
                       "Don\xc2\x92t say \xc2\x93hi\xc2\x94 \xc2\x96 or\xc2\x81"
                       "this.\n");
  ck_assert_str_eq(block_at(doc, 0)->text, "Hello world [0m and more.\n"
                                           "Page one\nPage two\nthree.");
  ck_assert_str_eq(block_at(doc, 1)->text,
                   "Don\xe2\x80\x99t say \xe2\x80\x9chi\xe2\x80\x9d "
                   "\xe2\x80\x93 or this.");
  ac_document_free(doc);
  doc = read_ok("c.md", "# Head\x01line\n\nPara\x02graph.\n");
  ck_assert_str_eq(doc->title, "Head line");
  ck_assert_str_eq(block_at(doc, 0)->text, "Para graph.");
  ac_document_free(doc);
}
END_TEST

/* YAML escapes can write control characters into the metadata (found by
 * fuzz_source_text: a "\r" in a quoted title); they are spaces there too. */
START_TEST(front_matter_escapes_no_controls) {
  ac_document *doc = read_ok(
      "e.md", "---\ntitle: \"The ferry\\rreturns\\x01today\\N\\0!\"\n"
              "author: \"Jane\\eDoe\"\nsummary: \"Line\\none\\ttab\"\n---\n\n"
              "Body text.\n");
  ck_assert_str_eq(doc->title,
                   "The ferry returns today   !"); /* from \\N and \\0 */
  ck_assert_str_eq(doc->author, "Jane Doe");
  ck_assert_str_eq(doc->summary, "Line\none\ttab");
  ac_document_free(doc);
}
END_TEST

/* Pathological text stays linear: 100,000 one-word paragraphs through the
 * source and the clean stage (whose context step scanned to the page's
 * edges from every short unit: 100,000 took 154 s, a million hours). */
START_TEST(many_tiny_paragraphs_are_linear) {
  size_t n = 100000;
  char *text = malloc(n * 4 + 32);
  ck_assert_ptr_nonnull(text);
  size_t k = (size_t)sprintf(text, "Many paragraphs\n\n");
  for (size_t i = 0; i < n; i++)
    k += (size_t)sprintf(text + k, "a.\n\n");
  int rc;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ac_document *doc = read_as("many.txt", text, k, NULL, &rc, NULL, 0);
  ck_assert_int_eq(rc, 0);
  ck_assert_uint_eq(doc->n_blocks, n);
  char err[256] = "";
  ck_assert_int_eq(harness_text_stage("clean", NULL, doc, err, sizeof err), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) +
             1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  ck_assert_msg(s < 30, "100,000 paragraphs took %.1f s", s);
  ac_document_free(doc);
  free(text);
}
END_TEST

/* A NUL byte is not text: a clear error with its offset, never words
 * glued together ("Hello\0world" was read as "Helloworld"). */
START_TEST(nul_bytes_are_refused) {
  static const struct {
    const char *name, *data;
    size_t len, offset;
  } cases[] = {{"n.txt", "Hello\0world", 11, 5},
               {"n.md", "# T\n\nA\0B", 8, 6},
               {"-", "H\0e\0l\0l\0o\0", 10, 1}}; /* UTF-16LE */
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int rc;
    char msg[1024], want[64];
    ac_document *doc = read_as(cases[i].name, cases[i].data, cases[i].len, NULL,
                               &rc, msg, sizeof msg);
    ck_assert_int_eq(rc, AC_ERR_FORMAT);
    snprintf(want, sizeof want, "NUL byte at byte offset %zu", cases[i].offset);
    ck_assert_msg(strstr(msg, want), "case %zu: '%s' lacks '%s'", i, msg, want);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(invalid_utf8_names_the_offset) {
  static const struct {
    const char *data;
    size_t len;
    long offset;
  } cases[] = {
      {"abc\xff", 4, 3},
      {"ok \xc3\x28", 5, 3},   /* bad continuation byte */
      {"\xc0\xaf", 2, 0},      /* overlong */
      {"x\xed\xa0\x80", 4, 1}, /* surrogate */
      {"\xef\xbb\xbf"
       "ab\xe2\x82",
       7, 5}, /* truncated; BOM counts */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int rc;
    char msg[1024], want[64];
    ac_document *doc = read_as("bad.txt", cases[i].data, cases[i].len, NULL,
                               &rc, msg, sizeof msg);
    ck_assert_int_eq(rc, AC_ERR_FORMAT);
    snprintf(want, sizeof want, "invalid UTF-8 at byte offset %ld",
             cases[i].offset);
    ck_assert_msg(strstr(msg, want), "case %zu: '%s' lacks '%s'", i, msg, want);
    ac_document_free(doc);
  }
}
END_TEST

START_TEST(empty_input_is_an_error) {
  static const char *const cases[] = {"", " \n\t\n\r\n", "<!-- only -->\n",
                                      "---\ntitle: Just a title\n---\n",
                                      "```\ncode only\n```\n"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int rc;
    char msg[1024];
    ac_document *doc =
        read_as("e.md", cases[i], strlen(cases[i]), NULL, &rc, msg, sizeof msg);
    ck_assert_msg(rc == AC_ERR_EMPTY, "case %zu gave %d", i, rc);
    ck_assert_msg(msg[0] != '\0', "case %zu: no message", i);
    ac_document_free(doc);
  }
  /* Plain text too. */
  int rc;
  ac_document *doc = read_as("e.txt", "\n\n", 2, NULL, &rc, NULL, 0);
  ck_assert_int_eq(rc, AC_ERR_EMPTY);
  ac_document_free(doc);
}
END_TEST

/* ---- Format choice and probing ------------------------------------------ */

START_TEST(format_option_and_detection) {
  const char *text = "# Heading\n\nSome *text*.\n";
  /* "-" with Markdown content is read as Markdown... */
  ac_document *doc = harness_read("source_text", NULL, text);
  ck_assert_str_eq(doc->title, "Heading");
  ck_assert_str_eq(doc->source, "-");
  ac_document_free(doc);
  /* ...a .txt name means plain text... */
  doc = read_ok("notes.txt", text);
  ck_assert_str_eq(doc->title, "# Heading");
  ck_assert_str_eq(block_at(doc, 0)->text, "Some *text*.");
  ac_document_free(doc);

  /* ...and the option overrides both ways. */
  int rc;
  static const char *const plain[] = {"format=plain", NULL};
  doc = read_as("a.md", text, strlen(text), plain, &rc, NULL, 0);
  ck_assert_int_eq(rc, 0);
  ck_assert_str_eq(block_at(doc, 0)->text, "Some *text*.");
  ac_document_free(doc);
  static const char *const markdown[] = {"format=markdown", NULL};
  doc = read_as("a.txt", text, strlen(text), markdown, &rc, NULL, 0);
  ck_assert_int_eq(rc, 0);
  ck_assert_str_eq(block_at(doc, 0)->text, "Some text.");
  ac_document_free(doc);

  /* Front matter makes even a .txt file Markdown... */
  doc = read_ok("fm.txt", "---\ntitle: T\n---\nBody *x*.\n");
  ck_assert_str_eq(doc->title, "T");
  ck_assert_str_eq(block_at(doc, 0)->text, "Body x.");
  ac_document_free(doc);
  /* ...but a "---" separator line at the top of a text is not front
   * matter, and its text is kept. */
  const char *sep = "---\nMenu item\n---\nStory text here.\n";
  doc = read_ok("dump.txt", sep);
  ck_assert_int_ge(find_block(doc, "Menu item"), 0);
  ac_document_free(doc);
  doc = read_ok("-", sep);
  ck_assert_int_ge(find_block(doc, "Menu item"), 0);
  ac_document_free(doc);

  /* The core rejects values outside the option's choices. */
  char err[1024] = "";
  static const char *const bad[] = {"format=html", NULL};
  ac_stage_instance *si =
      harness_stage("source_text", bad, NULL, err, sizeof err);
  ck_assert_ptr_null(si);
  ck_assert_msg(strstr(err, "plain"), "error does not list choices: %s", err);
}
END_TEST

START_TEST(probe_scores) {
  const ac_plugin *p = harness_plugin("source_text");
  const char *md = "# Heading\n\nText.\n", *txt = "Just words.\n";
  int s_md = p->probe("a.md", txt, strlen(txt));
  int s_markdown = p->probe("a.markdown", txt, strlen(txt));
  int s_txt = p->probe("a.txt", md, strlen(md));
  int s_stdin_md = p->probe("-", md, strlen(md));
  int s_stdin_txt = p->probe("-", txt, strlen(txt));
  ck_assert_int_ge(s_md, 70);
  ck_assert_int_ge(s_markdown, 70);
  ck_assert_int_ge(s_txt, 70);
  ck_assert_int_gt(s_stdin_md, s_stdin_txt);
  ck_assert_int_gt(s_stdin_txt, 10);
  ck_assert_int_le(s_md, 100);

  /* HTML belongs to the HTML source: a low but non-zero score. */
  const char *html = "\n  <!DOCTYPE html><html><body>x</body></html>";
  int s_html = p->probe("-", html, strlen(html));
  ck_assert_int_gt(s_html, 0);
  ck_assert_int_le(s_html, 10);
  ck_assert_int_le(p->probe("page.txt", "<HTML>", 6), 10);
  ck_assert_int_le(p->probe("page.html", txt, strlen(txt)), 10);

  /* Anything else is still ours as the fallback, so errors get reported. */
  ck_assert_int_gt(p->probe("-", "", 0), 0);
  ck_assert_int_gt(p->probe("-", "\xff\xfe", 2), 0);
  ck_assert_int_lt(p->probe("-", "\xff\xfe", 2), s_stdin_txt);
}
END_TEST

static Suite *source_text_suite(void) {
  Suite *s = suite_create("source_text");
  TCase *fm = tcase_create("front_matter");
  tcase_add_test(fm, front_matter_fields);
  tcase_add_test(fm, front_matter_authors_list);
  tcase_add_test(fm, front_matter_quoted_values);
  tcase_add_test(fm, front_matter_dates);
  tcase_add_test(fm, front_matter_unterminated_is_an_error);
  tcase_add_test(fm, front_matter_malformed_yaml_names_the_line);
  tcase_add_test(fm, front_matter_hostile_yaml_is_bounded);
  tcase_add_test(fm, front_matter_other_shapes);
  suite_add_tcase(s, fm);

  TCase *md = tcase_create("markdown");
  tcase_add_test(md, markdown_headings);
  tcase_add_test(md, markdown_lists);
  tcase_add_test(md, markdown_quotes);
  tcase_add_test(md, markdown_inline_markup);
  tcase_add_test(md, markdown_code_and_rules_dropped);
  tcase_add_test(md, markdown_tables_read_as_labelled_rows);
  tcase_add_test(md, markdown_footnotes_after_the_body);
  tcase_add_test(md, markdown_html_images_and_nesting);
  tcase_add_test(md, markdown_hostile_input_is_bounded);
  tcase_add_test(md, markdown_byline_and_bio);
  tcase_add_test(md, markdown_title_from_h1_or_front_matter);
  suite_add_tcase(s, md);

  TCase *plain = tcase_create("plain");
  tcase_add_test(plain, plain_title_and_line_breaks);
  tcase_add_test(plain, plain_title_rules);
  tcase_add_test(plain, plain_text_is_not_interpreted);
  suite_add_tcase(s, plain);

  TCase *input = tcase_create("input");
  tcase_add_test(input, crlf_bom_and_control_characters);
  tcase_add_test(input, invalid_utf8_names_the_offset);
  tcase_add_test(input, control_characters_separate_words);
  tcase_add_test(input, nul_bytes_are_refused);
  tcase_add_test(input, front_matter_escapes_no_controls);
  tcase_add_test(input, many_tiny_paragraphs_are_linear);
  tcase_add_test(input, empty_input_is_an_error);
  tcase_add_test(input, format_option_and_detection);
  tcase_add_test(input, probe_scores);
  suite_add_tcase(s, input);
  return s;
}

int main(void) {
  return harness_main(source_text_suite());
}
