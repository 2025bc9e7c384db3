/*
 * Languages: the language identifier (plugins/common/langid.c) on its own,
 * the text stages that use it (the article's language, passages in
 * another language), the synthesizer reading a passage with its
 * language's voice, and the kana stage's reading of Japanese.
 */
#define _GNU_SOURCE
#include "harness.h"

#include "langid.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* ---- The identifier -------------------------------------------------------
 */

static const struct {
  const char *text, *lang;
} paragraphs[] = {
    {"The council said that it was going to look at the plans again before "
     "the end of the year, and that residents would have their say.",
     "en"},
    {"Le conseil a dit qu'il allait revoir les plans avant la fin de l'année "
     "et que les habitants pourraient donner leur avis.",
     "fr"},
    {"Der Rat sagte, dass er die Pläne vor dem Ende des Jahres noch einmal "
     "prüfen werde und die Bürger mitreden dürften.",
     "de"},
    {"El consejo dijo que iba a revisar los planes antes del final del año y "
     "que los vecinos podrían dar su opinión.",
     "es"},
    {"O conselho disse que vai rever os planos antes do fim do ano e que os "
     "moradores poderão dar a sua opinião.",
     "pt"},
    {"Rådet sa at det skulle se på planene igjen før slutten av året, og at "
     "innbyggerne skulle få si sin mening.",
     "nb"},
    {"Совет заявил, что ещё раз рассмотрит планы до конца года и что жители "
     "смогут высказать своё мнение.",
     "ru"},
    {"Рада заявила, що ще раз розгляне плани до кінця року і що мешканці "
     "зможуть висловити свою думку.",
     "uk"},
    {"Το συμβούλιο είπε ότι θα εξετάσει ξανά τα σχέδια πριν από το τέλος της "
     "χρονιάς.",
     "el"},
    {"המועצה אמרה שהיא תבחן שוב את התוכניות לפני סוף השנה ושהתושבים יוכלו "
     "להביע את דעתם.",
     "he"},
    {"परिषद ने कहा कि वह साल के अंत से पहले योजनाओं की फिर से समीक्षा करेगी और "
     "नागरिकों को अपनी राय देने का मौका मिलेगा।",
     "hi"},
    {"สภากล่าวว่าจะทบทวนแผนอีกครั้งก่อนสิ้นปี "
     "และประชาชนจะมีโอกาสแสดงความคิดเห็น",
     "th"},
    {"評議会は年末までに計画を見直し、住民が意見を述べる機会を設けると述べた。",
     "ja"},
    {"의회는 연말 전에 계획을 다시 검토하고 주민들이 의견을 말할 수 있도록 "
     "하겠다고 밝혔다.",
     "ko"},
    {"议会表示将在年底前重新审查这些计划，居民将有机会发表意见。", "zh"},
    {"Hội đồng cho biết sẽ xem xét lại các kế hoạch trước cuối năm và người "
     "dân sẽ có cơ hội đóng góp ý kiến.",
     "vi"},
};

START_TEST(detects_languages_of_every_script) {
  for (size_t i = 0; i < sizeof paragraphs / sizeof *paragraphs; i++) {
    ac_lang_guess g;
    const char *text = paragraphs[i].text;
    ck_assert_int_eq(ac_langid_detect(text, strlen(text), NULL, &g), 0);
    ck_assert_msg(strcmp(g.tag, paragraphs[i].lang) == 0,
                  "case %zu: detected '%s', expected %s", i, g.tag,
                  paragraphs[i].lang);
    ck_assert_msg(g.confidence > 0.5 && g.confidence <= 1, "case %zu: %f", i,
                  g.confidence);
    ck_assert_uint_gt(g.letters, 30);
    ck_assert_ptr_nonnull(ac_langid_article(&g));
    ck_assert_str_eq(ac_langid_article(&g), paragraphs[i].lang);
  }
}
END_TEST

/* Three languages in one script, told apart from one sentence each. */
START_TEST(arabic_urdu_persian_apart) {
  static const struct {
    const char *text, *lang;
  } cases[] = {
      {"قال الوزير إن المشروع سيخدم المنطقة كلها.", "ar"},
      {"وزیر نے کہا کہ یہ منصوبہ پورے علاقے کے لیے اچھا ہے۔", "ur"},
      {"وزیر گفت که این طرح برای همه منطقه خوب است.", "fa"},
  };
  for (size_t i = 0; i < 3; i++) {
    ac_lang_guess g;
    ck_assert_int_eq(
        ac_langid_detect(cases[i].text, strlen(cases[i].text), NULL, &g), 0);
    ck_assert_msg(strcmp(g.tag, cases[i].lang) == 0,
                  "case %zu: detected '%s', expected %s", i, g.tag,
                  cases[i].lang);
    ck_assert(g.reliable);
    /* As a passage inside each of the others' articles, too. */
    for (size_t j = 0; j < 3; j++) {
      char tag[AC_LANGID_TAG_MAX];
      int rc = ac_langid_passage(cases[i].text, strlen(cases[i].text),
                                 cases[j].lang, tag);
      ck_assert_int_eq(rc, i != j);
      if (i != j)
        ck_assert_str_eq(tag, cases[i].lang);
    }
  }
}
END_TEST

/* Nothing to tell, or too little: no answer; no text is read past its
 * length or as anything but UTF-8. */
START_TEST(short_and_broken_text) {
  ac_lang_guess g;
  ck_assert_int_eq(ac_langid_detect(NULL, 0, NULL, &g), 0);
  ck_assert_str_eq(g.tag, "");
  ck_assert_ptr_null(ac_langid_article(&g));
  ck_assert_int_eq(ac_langid_detect("", 0, "en", &g), 0);
  ck_assert_str_eq(g.tag, "");
  ck_assert_int_eq(ac_langid_detect("12 345 678 -- 42%", 17, NULL, &g), 0);
  ck_assert_ptr_null(ac_langid_article(&g));
  /* Invalid UTF-8, control characters and noncharacters are spaces. */
  const char bad[] = "The \xff\xfe council \x01\x7f said \xef\xb7\x90 that "
                     "it would look at the plans again \xe2\x82";
  ck_assert_int_eq(ac_langid_detect(bad, sizeof bad - 1, NULL, &g), 0);
  ck_assert_str_eq(g.tag, "en");
  /* Only `len` bytes are read. */
  const char *fr = paragraphs[1].text;
  char buf[512];
  snprintf(buf, sizeof buf, "%s%s", paragraphs[0].text, fr);
  ck_assert_int_eq(ac_langid_detect(buf, strlen(paragraphs[0].text), NULL, &g),
                   0);
  ck_assert_str_eq(g.tag, "en");
  /* Megabytes are read up to the scan limit, not refused. */
  size_t big = 3u << 20, n = strlen(fr);
  char *huge = malloc(big + 1);
  ck_assert_ptr_nonnull(huge);
  for (size_t i = 0; i < big; i++)
    huge[i] = fr[i % n];
  huge[big] = '\0';
  ck_assert_int_eq(ac_langid_detect(huge, big, NULL, &g), 0);
  ck_assert_str_eq(g.tag, "fr");
  /* Random bytes, and random valid code points of every plane: an answer
   * or none, with a tag of BCP 47's shape. */
  unsigned state = 12345;
  for (int round = 0; round < 20; round++) {
    size_t used = 0;
    for (; used + 4 < 65536; used++) {
      state = state * 1103515245u + 12345u;
      if (round % 2) {
        uint32_t cp = (state >> 8) % 0x110000;
        if (cp >= 0xD800 && cp <= 0xDFFF)
          cp = 0x4E00;
        used += ac_utf8_encode(cp, huge + used) - 1;
      } else {
        huge[used] = (char)(state >> 16);
      }
    }
    ck_assert_int_eq(ac_langid_detect(huge, used, "en", &g), 0);
    ck_assert_uint_lt(strlen(g.tag), AC_LANGID_TAG_MAX);
    ck_assert_uint_eq(strspn(g.tag, "abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLM"
                                    "NOPQRSTUVWXYZ"),
                      strlen(g.tag));
    char tag[AC_LANGID_TAG_MAX];
    ck_assert_int_ge(ac_langid_passage(huge, used, "en", tag), 0);
  }
  free(huge);
}
END_TEST

/* Prose among code: a sentence followed by a command's options, file
 * names and numbers is identified by the sentence (CLD2 alone, scoring
 * the options as words, called it no language at all), and the code
 * alone is no language. Words in other scripts are never taken for
 * code. */
START_TEST(prose_among_code) {
  static const char *const options =
      " -ignbrk -brkint -ignpar -parmrk -inpck -istrip -inlcr -igncr "
      "-icrnl -ixon -ixoff -icanon -opost -isig -iuclc -ixany -imaxbel "
      "-xcase -olcuc -ocrnl -ofill -onocr -onlret nl0 cr0 tab0 bs0 vt0 "
      "ff0 -tostop -ofdel -echoprt -extproc -flusho /etc/ttys stty.c "
      "TERM_TYPE=vt100 0x1b $HOME\n";
  static const struct {
    const char *prose, *lang;
  } cases[] = {
      {"A terminál beállításait módosítja vagy kiírja.", "hu"},
      {"Le programme affiche ou modifie les réglages du terminal.", "fr"},
      {"端末の設定を表示または変更します。", "ja"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char text[2048];
    snprintf(text, sizeof text, "%s%s", cases[i].prose, options);
    ac_lang_guess g;
    ck_assert_int_eq(ac_langid_detect(text, strlen(text), NULL, &g), 0);
    ck_assert_msg(ac_langid_article(&g) != NULL &&
                      strcmp(ac_langid_article(&g), cases[i].lang) == 0,
                  "%s: detected '%s' (%.2f)", cases[i].lang, g.tag,
                  g.confidence);
  }
  ac_lang_guess g;
  ck_assert_int_eq(ac_langid_detect(options, strlen(options), NULL, &g), 0);
  ck_assert_ptr_null(ac_langid_article(&g));
  /* Emphasis and punctuation are prose, not code. */
  static const char *const marked =
      "The _council_ said, again, that it would look at the plans before "
      "the end of the year (and that residents would have their say).";
  ck_assert_int_eq(ac_langid_detect(marked, strlen(marked), NULL, &g), 0);
  ck_assert_str_eq(g.tag, "en");
  ck_assert_uint_ge(g.letters, 90);
}
END_TEST

/* A passage switches only when it is long enough and clearly another
 * language, not a close relative of the document's. */
START_TEST(passage_rules) {
  char tag[AC_LANGID_TAG_MAX];
  const char *fr = "« Nous ne reculerons pas devant cette décision, car les "
                   "habitants de la ville méritent mieux », a déclaré la "
                   "maire.";
  ck_assert_int_eq(ac_langid_passage(fr, strlen(fr), "en-GB", tag), 1);
  ck_assert_str_eq(tag, "fr");
  ck_assert_int_eq(ac_langid_passage(fr, strlen(fr), "fr-CA", tag), 0);
  ck_assert_str_eq(tag, "");
  /* No document language: nothing to differ from. */
  ck_assert_int_eq(ac_langid_passage(fr, strlen(fr), NULL, tag), 0);
  ck_assert_int_eq(ac_langid_passage(fr, strlen(fr), "", tag), 0);
  /* Short: a phrase, a name, a product. */
  static const char *const short_ones[] = {"Je ne regrette rien.",
                                           "corso Monforte, 15, Milan",
                                           "Brydge Pro Keyboard", "Jane Doe"};
  for (size_t i = 0; i < 4; i++)
    ck_assert_msg(
        ac_langid_passage(short_ones[i], strlen(short_ones[i]), "en", tag) == 0,
        "'%s' switched to %s", short_ones[i], tag);
  /* Danish in a Norwegian article, Portuguese in a Spanish one: CLD2
   * tells such neighbours apart badly on short text, so they never
   * switch. */
  const char *da = "Rådet sagde, at det ville se på planerne igen inden "
                   "årets udgang, og at borgerne ville få deres mening "
                   "hørt.";
  ck_assert_int_eq(ac_langid_passage(da, strlen(da), "nb", tag), 0);
  ck_assert_int_eq(ac_langid_passage(da, strlen(da), "en", tag), 1);
  ck_assert_str_eq(tag, "da");
  const char *pt = paragraphs[4].text;
  ck_assert_int_eq(ac_langid_passage(pt, strlen(pt), "es", tag), 0);
  /* Tags CLD2 spells otherwise: Hebrew (iw), Norwegian (no). */
  const char *he = paragraphs[9].text, *nb = paragraphs[5].text;
  ck_assert_int_eq(ac_langid_passage(he, strlen(he), "he-IL", tag), 0);
  ck_assert_int_eq(ac_langid_passage(he, strlen(he), "en", tag), 1);
  ck_assert_str_eq(tag, "he");
  ck_assert_int_eq(ac_langid_passage(nb, strlen(nb), "no", tag), 0);
  ck_assert_int_eq(ac_langid_passage(nb, strlen(nb), "nn", tag), 0);
}
END_TEST

START_TEST(same_language) {
  ck_assert(ac_langid_same("en-GB", "en"));
  ck_assert(ac_langid_same("EN", "en-us"));
  ck_assert(ac_langid_same("pt-BR", "pt_PT"));
  ck_assert(ac_langid_same("nb", "no"));
  ck_assert(ac_langid_same("nn-NO", "nb"));
  ck_assert(ac_langid_same("zh-Hant", "zh-CN"));
  ck_assert(!ac_langid_same("sr", "hr"));
  ck_assert(!ac_langid_same("no", "nl"));
  ck_assert(!ac_langid_same("en", "eng"));
  ck_assert(!ac_langid_same("", ""));
  ck_assert(!ac_langid_same(NULL, "en"));
}
END_TEST

/* ---- The article's language and its passages --------------------------- */

static const char *const quote_article =
    "The mayor answers her critics\n\n"
    "The mayor of the small riverside town spoke to reporters on Tuesday "
    "morning, a day after the council voted to close the old bridge for "
    "repairs that will last most of next year.\n\n"
    "« Nous ne reculerons pas devant cette décision, car les habitants de la "
    "ville méritent un pont sûr et nous avons attendu trop longtemps », "
    "a-t-elle déclaré devant la mairie.\n\n"
    "She added that a temporary footbridge would open in the spring and that "
    "buses would take a longer route through the northern district until "
    "the work is finished.\n";

/* The index of the block whose text starts with `start`, or -1. */
static long block_starting(const ac_document *doc, const char *start) {
  for (size_t i = 0; i < doc->n_blocks; i++)
    if (doc->blocks[i].text &&
        strncmp(doc->blocks[i].text, start, strlen(start)) == 0)
      return (long)i;
  return -1;
}

static ac_document *cleaned(const char *text) {
  ac_document *doc = harness_read("source_text", NULL, text);
  char err[512] = "";
  ck_assert_msg(harness_text_stage("clean", NULL, doc, err, sizeof err) == 0,
                "%s", err);
  return doc;
}

/* A French quotation in an English article: the article is English, the
 * quotation is French (and kept: the classifier judges it by French
 * stopwords), the English paragraphs have no language of their own. */
START_TEST(french_quote_in_english_article) {
  ac_document *doc = cleaned(quote_article);
  ck_assert_ptr_nonnull(doc->language);
  ck_assert_str_eq(doc->language, "en");
  long q = block_starting(doc, "\" Nous");
  if (q < 0)
    q = block_starting(doc, "« Nous");
  ck_assert_int_ge(q, 0);
  ck_assert_ptr_nonnull(doc->blocks[q].lang);
  ck_assert_str_eq(doc->blocks[q].lang, "fr");
  long before = block_starting(doc, "The mayor of"),
       after = block_starting(doc, "She added");
  ck_assert_int_ge(before, 0);
  ck_assert_int_ge(after, 0);
  ck_assert_ptr_null(doc->blocks[before].lang);
  ck_assert_ptr_null(doc->blocks[after].lang);
  ac_document_free(doc);
}
END_TEST

/* A declared language wins for the article, even over its text; the
 * passages still get their own. Detection off: neither. */
START_TEST(declared_language_wins) {
  char text[4096];
  snprintf(text, sizeof text, "---\nlanguage: de-AT\n---\n\n%s", quote_article);
  ac_document *doc = cleaned(text);
  ck_assert_str_eq(doc->language, "de-AT");
  long q = block_starting(doc, "\" Nous");
  ck_assert_int_ge(q, 0);
  ck_assert_str_eq(doc->blocks[q].lang, "fr");
  long en = block_starting(doc, "She added");
  ck_assert_int_ge(en, 0);
  ck_assert_str_eq(doc->blocks[en].lang, "en");
  ac_document_free(doc);

  doc = harness_read("source_text", NULL, quote_article);
  const char *const off[] = {"detect_language=false", NULL};
  ck_assert_int_eq(harness_text_stage("clean", off, doc, NULL, 0), 0);
  ck_assert_ptr_null(doc->language);
  for (size_t i = 0; i < doc->n_blocks; i++)
    ck_assert_ptr_null(doc->blocks[i].lang);
  ac_document_free(doc);
}
END_TEST

/* A page whose <html lang> is wrong keeps it; its paragraphs are read in
 * the language they are in. */
START_TEST(mislabeled_page_read_by_blocks) {
  char *path = harness_data("html/lang-mislabeled.html");
  ac_document *doc = harness_read("source_html", path, NULL);
  free(path);
  ck_assert_str_eq(doc->language, "en-US");
  ck_assert_int_eq(harness_text_stage("clean", NULL, doc, NULL, 0), 0);
  size_t pt = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    pt += doc->blocks[i].lang && strcmp(doc->blocks[i].lang, "pt") == 0;
  ck_assert_uint_ge(pt, 3);
  ac_document_free(doc);
}
END_TEST

/* The English rules (numbers, money, dates in English words) stay off a
 * passage in another language, which espeak-ng reads in its own. */
START_TEST(english_rules_skip_the_passage) {
  static const char *const article =
      "Tolls on the bridge\n\n"
      "The council said on Tuesday that drivers will pay $5 to cross the "
      "bridge from 3 March, and that the toll will rise every year.\n\n"
      "Residents who live on the island will get a discount, and buses and "
      "bicycles will cross for free, the council added in a statement.\n\n"
      "Le maire a répondu que le péage de 5 euros était trop cher pour les "
      "familles et qu'il serait supprimé le 3 mars 2027 au plus tard.\n";
  ac_document *doc = cleaned(article);
  char err[512] = "";
  const char *const no_lexicon[] = {"lexicons=", NULL};
  ck_assert_msg(
      harness_text_stage("normalize", no_lexicon, doc, err, sizeof err) == 0,
      "%s", err);
  long en = block_starting(doc, "The council"), fr = block_starting(doc, "Le");
  ck_assert_int_ge(en, 0);
  ck_assert_int_ge(fr, 0);
  ck_assert_str_eq(doc->language, "en");
  ck_assert_ptr_nonnull(strstr(doc->blocks[en].text, "five dollars"));
  ck_assert_str_eq(doc->blocks[fr].lang, "fr");
  ck_assert_ptr_nonnull(strstr(doc->blocks[fr].text, "5 euros"));
  ck_assert_ptr_nonnull(strstr(doc->blocks[fr].text, "3 mars 2027"));
  ck_assert_ptr_null(doc->blocks[fr].written);
  ac_document_free(doc);
}
END_TEST

/* ---- The synthesizer reads the passage in its language -------------------
 */

/* Audio of block `b` (from its BLOCK to its BLOCK_END mark) when the
 * espeak stage speaks `doc` with the en-us-newsreader profile and
 * `settings`; malloc'd, *n frames. */
static float *block_audio(ac_document *doc, const char *const *settings,
                          uint32_t b, size_t *n) {
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ck_assert_msg(ep.voice != NULL, "voices/en-us-newsreader.voice not found");
  ep.threads = 1;
  char why[512] = "";
  ac_stage_instance *si =
      harness_stage("espeak", settings, &ep, why, sizeof why);
  ck_assert_msg(si != NULL, "cannot create the espeak stage: %s", why);
  harness_audio a = {0};
  ac_stage_set_output(si, harness_collect, &a);
  ac_segment seg = {.n_blocks = (uint32_t)doc->n_blocks,
                    .next_block = UINT32_MAX,
                    .is_first = 1,
                    .is_last = 1};
  int rc = harness_plugin("espeak")->synthesize(ac_stage_handle(si), &seg);
  ck_assert_msg(rc == 0, "espeak: %s", ac_stage_error(si));
  ac_stage_free(si);
  ac_voice_free(&vp);
  uint64_t from = UINT64_MAX, to = UINT64_MAX;
  for (size_t i = 0; i < a.n_marks; i++) {
    if (a.marks[i].block == b && a.marks[i].kind == AC_MARK_BLOCK)
      from = a.marks[i].sample;
    if (a.marks[i].block == b && a.marks[i].kind == AC_MARK_BLOCK_END)
      to = a.marks[i].sample;
  }
  ck_assert(from != UINT64_MAX && to != UINT64_MAX && to > from);
  *n = (size_t)(to - from);
  float *out = malloc(*n * sizeof *out);
  ck_assert_ptr_nonnull(out);
  memcpy(out, a.samples + from, *n * sizeof *out);
  harness_audio_free(&a);
  return out;
}

/* The French quotation the text stages found is spoken by espeak-ng's
 * French voice: its audio is that of the same text read with the voice
 * "fr" (and the profile's pace), and not that of the English voice. */
START_TEST(quote_spoken_in_french) {
  ac_document *doc = cleaned(quote_article);
  long q = block_starting(doc, "\" Nous");
  ck_assert_int_ge(q, 0);
  ck_assert_str_eq(doc->blocks[q].lang, "fr");
  size_t n_tagged, n_french, n_english;
  float *tagged = block_audio(doc, NULL, (uint32_t)q, &n_tagged);
  const char *const french_voice[] = {"voice=fr", NULL};
  free(doc->blocks[q].lang);
  doc->blocks[q].lang = NULL;
  float *french = block_audio(doc, french_voice, (uint32_t)q, &n_french);
  float *english = block_audio(doc, NULL, (uint32_t)q, &n_english);
  ck_assert_msg(n_tagged == n_french &&
                    memcmp(tagged, french, n_tagged * sizeof *tagged) == 0,
                "the quotation is not read as the French voice reads it "
                "(%zu and %zu frames)",
                n_tagged, n_french);
  ck_assert(n_tagged != n_english ||
            memcmp(tagged, english, n_tagged * sizeof *tagged) != 0);
  free(tagged);
  free(french);
  free(english);
  ac_document_free(doc);
}
END_TEST

/* ---- Japanese read as kana ----------------------------------------------- */

static int has_kanji(const char *s) {
  for (const unsigned char *u = (const unsigned char *)s; *u; u++)
    if (u[0] >= 0xE4 && u[0] <= 0xE9) /* U+4000..U+9FFF */
      return 1;
  return 0;
}

static ac_document *japanese_doc(const char *lang, const char *block_lang,
                                 const char *text) {
  ac_document *doc = ac_document_new();
  ck_assert_ptr_nonnull(doc);
  if (lang)
    ck_assert_int_eq(ac_set_string(&doc->language, lang, (size_t)-1), 0);
  ac_block *b =
      ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, text, (size_t)-1);
  ck_assert_ptr_nonnull(b);
  if (block_lang)
    ck_assert_int_eq(ac_set_string(&b->lang, block_lang, (size_t)-1), 0);
  return doc;
}

/* Kanji become their reading in context (今日 is キョウ, not こんにち),
 * particles are said as spoken (は as ワ, へ as エ), kana, Latin letters
 * and digits stay, and the written text is kept with a map to it. */
START_TEST(kana_reads_kanji) {
  static const char *const text =
      "今日は東京へ行きました。bash は 2 回目です。";
  ac_document *doc = japanese_doc("ja", NULL, text);
  char err[512] = "";
  ck_assert_msg(harness_text_stage("kana", NULL, doc, err, sizeof err) == 0,
                "%s", err);
  const ac_block *b = &doc->blocks[0];
  ck_assert_str_eq(b->text,
                   "キョウワトウキョウエイキました。bash ワ 2 カイメです。");
  ck_assert_ptr_nonnull(b->written);
  ck_assert_str_eq(b->written, text);
  ck_assert_uint_gt(b->n_map, 0);
  /* Every spoken word maps into the written text, in order; "bash" maps
   * onto "bash" and "東京" starts where "トウキョウ" does. */
  uint32_t last_s = 0, last_w = 0;
  for (size_t i = 0; i < b->n_map; i++) {
    ck_assert_uint_ge(b->map[i].spoken, last_s);
    ck_assert_uint_ge(b->map[i].written, last_w);
    ck_assert_uint_le(b->map[i].spoken, strlen(b->text));
    ck_assert_uint_le(b->map[i].written, strlen(b->written));
    last_s = b->map[i].spoken;
    last_w = b->map[i].written;
  }
  int tokyo = 0;
  size_t tokyo_spoken = (size_t)(strstr(b->text, "トウキョウ") - b->text);
  size_t tokyo_written = (size_t)(strstr(text, "東京") - text);
  for (size_t i = 0; i < b->n_map; i++)
    tokyo |=
        b->map[i].spoken == tokyo_spoken && b->map[i].written == tokyo_written;
  ck_assert(tokyo);
  ac_document_free(doc);
}
END_TEST

/* The kanji zero: a digit in a number written in kanji (レイ), the circle
 * mark elsewhere (マル); espeak-ng says "letter 3 0 0 7" for it. */
START_TEST(kana_reads_kanji_zero) {
  ac_document *doc = japanese_doc("ja", NULL, "二〇二四年に〇をつけた。");
  char err[512] = "";
  ck_assert_msg(harness_text_stage("kana", NULL, doc, err, sizeof err) == 0,
                "%s", err);
  ck_assert_str_eq(doc->blocks[0].text, "ニレイニヨンネンにマルをつけた。");
  ac_document_free(doc);
}
END_TEST

/* Only Japanese: a Japanese passage in an English article is read, a
 * Chinese article (the same characters) and an untagged one are not. */
START_TEST(kana_only_for_japanese) {
  ac_document *doc = japanese_doc("en", "ja-JP", "日本語の文章を読みます。");
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  ck_assert(!has_kanji(doc->blocks[0].text));
  ac_document_free(doc);
  static const char *const zh = "卫生部今天宣布开设一家新医院。";
  doc = japanese_doc("zh", NULL, zh);
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  ck_assert_str_eq(doc->blocks[0].text, zh);
  ck_assert_ptr_null(doc->blocks[0].written);
  ac_document_free(doc);
  doc = japanese_doc(NULL, NULL, "日本語の文章を読みます。");
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  ck_assert(has_kanji(doc->blocks[0].text));
  ac_document_free(doc);
  /* A block in another language inside a Japanese article. */
  doc = japanese_doc("ja", "en", "Tokyo 東京");
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  ck_assert_str_eq(doc->blocks[0].text, "Tokyo 東京");
  ac_document_free(doc);
}
END_TEST

/* An earlier stage's map (the normalizer's) is composed with the
 * reading's: the spoken kana still lead to the text as written. */
START_TEST(kana_composes_maps) {
  /* As if a lexicon had said "ＡＢＣ" (9 bytes) as "エービーシー" (18):
   * spoken "エービーシーの会社です。" from written "ＡＢＣの会社です。". */
  ac_document *doc = japanese_doc("ja", NULL, "エービーシーの会社です。");
  ac_block *b = &doc->blocks[0];
  b->written = strdup("ＡＢＣの会社です。");
  b->map = malloc(2 * sizeof *b->map);
  ck_assert_ptr_nonnull(b->written);
  ck_assert_ptr_nonnull(b->map);
  b->map[0] = (ac_span){0, 0};
  b->map[1] = (ac_span){18, 9};
  b->n_map = 2;
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  ck_assert_str_eq(b->text, "エービーシーのカイシャです。");
  ck_assert_str_eq(b->written, "ＡＢＣの会社です。");
  /* Spoken "カイシャ" (at 21) comes from written "会社" (at 12); "です"
   * after it from "です" (at 18). */
  int kaisha = 0, desu = 0, abc = 0;
  for (size_t i = 0; i < b->n_map; i++) {
    abc |= b->map[i].spoken == 0 && b->map[i].written == 0;
    kaisha |= b->map[i].spoken == 21 && b->map[i].written == 12;
    desu |= b->map[i].spoken == 33 && b->map[i].written == 18;
  }
  ck_assert(abc && kaisha && desu);
  ac_document_free(doc);
}
END_TEST

/* A dictionary that is not there: a clear error when there is Japanese to
 * read, nothing at all when there is none. */
START_TEST(kana_missing_dictionary) {
  const char *const settings[] = {"dictionary=/nonexistent/mecab-dic", NULL};
  ac_document *doc = japanese_doc("ja", NULL, "日本語の文章を読みます。");
  char err[1024] = "";
  ck_assert_int_ne(harness_text_stage("kana", settings, doc, err, sizeof err),
                   0);
  ck_assert_msg(strstr(err, "MeCab") && strstr(err, "mecab-ipadic-utf8"),
                "unhelpful message: %s", err);
  ac_document_free(doc);
  doc = japanese_doc("en", NULL, "No Japanese here.");
  ck_assert_int_eq(harness_text_stage("kana", settings, doc, NULL, 0), 0);
  ac_document_free(doc);
}
END_TEST

/* Long text without a sentence end, and text MeCab does not know, are
 * read in pieces without losing or moving a byte of what stays. */
START_TEST(kana_long_and_odd_text) {
  size_t reps = 3000;
  static const char unit[] = "東京ａｂｃ😀";
  size_t n = strlen(unit);
  char *text = malloc(reps * n + 1);
  ck_assert_ptr_nonnull(text);
  for (size_t i = 0; i < reps; i++)
    memcpy(text + i * n, unit, n);
  text[reps * n] = '\0';
  ac_document *doc = japanese_doc("ja", NULL, text);
  ck_assert_int_eq(harness_text_stage("kana", NULL, doc, NULL, 0), 0);
  const ac_block *b = &doc->blocks[0];
  ck_assert(!has_kanji(b->text));
  ck_assert_str_eq(b->written, text);
  size_t emoji = 0;
  for (const char *p = b->text; (p = strstr(p, "😀")) != NULL; p++)
    emoji++;
  ck_assert_uint_eq(emoji, reps);
  free(text);
  ac_document_free(doc);
}
END_TEST

/* ---- Latin words inside text of another script ----------------------------
 */

/* Everything the espeak stage emits for `doc` with the en-us-newsreader
 * profile. */
static void spoken(ac_document *doc, harness_audio *a) {
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  ck_assert_msg(ep.voice != NULL, "voices/en-us-newsreader.voice not found");
  char why[512] = "";
  ac_stage_instance *si = harness_stage("espeak", NULL, &ep, why, sizeof why);
  ck_assert_msg(si != NULL, "cannot create the espeak stage: %s", why);
  memset(a, 0, sizeof *a);
  ac_stage_set_output(si, harness_collect, a);
  ac_segment seg = {.n_blocks = (uint32_t)doc->n_blocks,
                    .next_block = UINT32_MAX,
                    .is_first = 1,
                    .is_last = 1};
  int rc = harness_plugin("espeak")->synthesize(ac_stage_handle(si), &seg);
  ck_assert_msg(rc == 0, "espeak: %s", ac_stage_error(si));
  ac_stage_free(si);
  ac_voice_free(&vp);
}

/* The WORD mark of bytes [off, off + len) of block 0, as an index into
 * a->marks, or -1. */
static long word_mark(const harness_audio *a, size_t off, size_t len) {
  for (size_t i = 0; i < a->n_marks; i++)
    if (a->marks[i].kind == AC_MARK_WORD && a->marks[i].block == 0 &&
        a->marks[i].text_offset == off && a->marks[i].text_length == len)
      return (long)i;
  return -1;
}

/* A Japanese passage (as the kana stage leaves it) with Latin words:
 * espeak-ng's Japanese voice would spell "POSIX" letter by letter (some
 * 2 s); the words are read by the English voice inside the same block,
 * their WORD marks on their exact bytes, in order, and characters the
 * SSML reserves ("<", "&") do not shift the marks after them. */
START_TEST(latin_words_in_japanese_read_as_words) {
  static const char *const text =
      "キョウワ bash ト POSIX ヲ ツカイマス。 a<b & c ノ ケイサン。";
  ac_document *doc = japanese_doc("en", "ja", text);
  harness_audio a;
  spoken(doc, &a);
  const char *posix = strstr(text, "POSIX"), *wo = strstr(text, "ヲ");
  long m_bash = word_mark(&a, (size_t)(strstr(text, "bash") - text), 4);
  long m_posix = word_mark(&a, (size_t)(posix - text), 5);
  long m_wo = word_mark(&a, (size_t)(wo - text), strlen("ヲ"));
  long m_c = word_mark(&a, (size_t)(strstr(text, " c ") + 1 - text), 1);
  ck_assert_msg(m_bash >= 0 && m_posix > m_bash && m_wo > m_posix,
                "no WORD marks on bash, POSIX and the kana after them "
                "(%ld %ld %ld)",
                m_bash, m_posix, m_wo);
  ck_assert_msg(m_c > m_wo, "no WORD mark on the 'c' after '&'");
  double posix_s =
      (double)(a.marks[m_wo].sample - a.marks[m_posix].sample) / a.sample_rate;
  ck_assert_msg(posix_s > 0.2 && posix_s < 1.0,
                "POSIX took %.2f s: spelled, not read", posix_s);
  /* Speech, not spelling: the whole block, 17 kana and 7 Latin words
   * and symbols, well under what the Japanese voice spells it in. */
  uint64_t from = 0, to = 0;
  for (size_t i = 0; i < a.n_marks; i++) {
    if (a.marks[i].kind == AC_MARK_BLOCK && a.marks[i].block == 0)
      from = a.marks[i].sample;
    if (a.marks[i].kind == AC_MARK_BLOCK_END && a.marks[i].block == 0)
      to = a.marks[i].sample;
  }
  double block_s = (double)(to - from) / a.sample_rate;
  ck_assert_msg(block_s < 8.0, "the block took %.1f s", block_s);
  harness_audio_free(&a);
  ac_document_free(doc);
}
END_TEST

/* A block of a non-Latin language written wholly in Latin letters
 * (Serbian is written in both scripts) is left to its own voice: its
 * audio is that of the Serbian voice reading it, not of Latin runs handed
 * to the English one. */
START_TEST(latin_text_keeps_its_voice) {
  static const char *const text = "Ovo je bash i POSIX, napisano latinicom.";
  ac_document *doc = japanese_doc("en", "sr", text);
  size_t n_tagged, n_serbian;
  float *tagged = block_audio(doc, NULL, 0, &n_tagged);
  free(doc->blocks[0].lang);
  doc->blocks[0].lang = NULL;
  const char *const serbian_voice[] = {"voice=sr", NULL};
  float *serbian = block_audio(doc, serbian_voice, 0, &n_serbian);
  ck_assert_msg(n_tagged == n_serbian &&
                    memcmp(tagged, serbian, n_tagged * sizeof *tagged) == 0,
                "the Serbian block is not read as the Serbian voice reads it "
                "(%zu and %zu frames)",
                n_tagged, n_serbian);
  free(tagged);
  free(serbian);
  ac_document_free(doc);
}
END_TEST

/* A block of a Japanese article wholly in Latin letters (its English
 * title) is read by the English voice too: Japanese is never written in
 * Latin, so these are English words (spelled, they took 4.9 s). */
START_TEST(latin_block_in_japanese_read_as_words) {
  ac_document *doc = japanese_doc("en", "ja", "GNU Bourne-Again SHell");
  size_t n;
  float *audio = block_audio(doc, NULL, 0, &n);
  ck_assert_msg(n < 22050 * 5 / 2, "the title took %.1f s", (double)n / 22050);
  free(audio);
  ac_document_free(doc);
}
END_TEST

/* Frames of audio the espeak stage makes of `text` as a block in language
 * `block_lang` of an English article. */
static size_t passage_frames(const char *block_lang, const char *text) {
  ac_document *doc = japanese_doc("en", block_lang, text);
  size_t n;
  free(block_audio(doc, NULL, 0, &n));
  ac_document_free(doc);
  return n;
}

/* A list or a foreign name written with the katakana middle dot is read
 * as its words: as long as with spaces between them, where espeak-ng
 * 1.51 says "Japanese letter" for each dot and spells the kana around it
 * (twice as long). */
START_TEST(middle_dot_separates_japanese_words) {
  size_t n_dotted = passage_frames(
      "ja", "サイショウチ・ヘイキンチ・サイダイチ ヲ ホウコクスル。");
  size_t n_spaced = passage_frames(
      "ja", "サイショウチ ヘイキンチ サイダイチ ヲ ホウコクスル。");
  ck_assert_msg(n_dotted < n_spaced * 11 / 10,
                "the dotted list took %.2f s, with spaces %.2f s",
                (double)n_dotted / 22050, (double)n_spaced / 22050);
}
END_TEST

/* A Latin word inside Chinese text is read by the English voice, and the
 * characters after it still in Mandarin: the sentence takes about as long
 * as without the word. espeak-ng 1.51 goes back from a nested <voice> to
 * its first voice of the language, cmn, which reads most characters as
 * English pinyin with tone numbers ("ni three hao three"); that took
 * 3.7 s more here. */
START_TEST(chinese_after_latin_word_stays_mandarin) {
  size_t n_with = passage_frames("zh", "如果当前的EFI启动项列表中不包含这个项，"
                                       "那么将会为其创建一个新的启动项。");
  size_t n_without = passage_frames(
      "zh",
      "如果当前的启动项列表中不包含这个项，那么将会为其创建一个新的启动项。");
  ck_assert_msg(n_with < n_without + 22050 * 3 / 2,
                "with a Latin word %.2f s, without %.2f s",
                (double)n_with / 22050, (double)n_without / 22050);
}
END_TEST

/* Through the command line: a Japanese article with commands and an
 * English title in it is read in Japanese, the Latin words by the
 * English voice (the log says so), at most 0.7 s of audio for every two
 * CJK characters or Latin word, lead-in and tail included (spelled, the
 * Latin words took 0.93 s a unit). */
START_TEST(japanese_article_with_commands) {
  char *dir = harness_tempdir();
  char *cmd = NULL, *out = NULL;
  /* 38 CJK characters and 11 Latin words: 30 units. */
  ck_assert_int_gt(
      asprintf(&cmd,
               "PULSE_SERVER=unix:/nonexistent '%s' say -v --lang ja -o "
               "'%s/say.wav' 'bash は IEEE POSIX specification (IEEE "
               "Standard 1003.1) の Shell and Utilities に準拠する実装を"
               "目指しています。 bash はデフォルトで POSIX 準拠に設定する"
               "こともできます。' 2>&1",
               harness_binary(), dir),
      0);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_msg(strstr(out, "Latin-script words in 'ja' text, read with "
                            "espeak voice 'en-US'") != NULL,
                "%s", out);
  const char *spoke = strstr(out, "spoke ");
  ck_assert_ptr_nonnull(spoke);
  int words = 0;
  double seconds = 0;
  ck_assert_int_eq(sscanf(spoke, "spoke %d words, %lf s", &words, &seconds), 2);
  ck_assert_msg(seconds / 30.0 <= 0.7, "%.1f s of audio", seconds);
  free(cmd);
  free(out);
  ck_assert_int_gt(asprintf(&cmd, "rm -rf '%s'", dir), 0);
  harness_run(cmd, NULL);
  free(cmd);
  free(dir);
}
END_TEST

static Suite *languages_suite(void) {
  Suite *s = suite_create("languages");
  TCase *tc = tcase_create("langid");
  tcase_add_test(tc, detects_languages_of_every_script);
  tcase_add_test(tc, arabic_urdu_persian_apart);
  tcase_add_test(tc, short_and_broken_text);
  tcase_add_test(tc, passage_rules);
  tcase_add_test(tc, prose_among_code);
  tcase_add_test(tc, same_language);
  suite_add_tcase(s, tc);
  tc = tcase_create("stages");
  tcase_add_test(tc, french_quote_in_english_article);
  tcase_add_test(tc, declared_language_wins);
  tcase_add_test(tc, mislabeled_page_read_by_blocks);
  tcase_add_test(tc, english_rules_skip_the_passage);
  tcase_add_test(tc, quote_spoken_in_french);
  tcase_add_test(tc, latin_words_in_japanese_read_as_words);
  tcase_add_test(tc, latin_text_keeps_its_voice);
  tcase_add_test(tc, latin_block_in_japanese_read_as_words);
  tcase_add_test(tc, middle_dot_separates_japanese_words);
  tcase_add_test(tc, chinese_after_latin_word_stays_mandarin);
  tcase_add_test(tc, japanese_article_with_commands);
  suite_add_tcase(s, tc);
  tc = tcase_create("kana");
  tcase_add_test(tc, kana_reads_kanji);
  tcase_add_test(tc, kana_reads_kanji_zero);
  tcase_add_test(tc, kana_only_for_japanese);
  tcase_add_test(tc, kana_composes_maps);
  tcase_add_test(tc, kana_missing_dictionary);
  tcase_add_test(tc, kana_long_and_odd_text);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return harness_main(languages_suite());
}
