/*
 * Features and boilerplate patterns of one unit: its length in characters
 * and words, punctuation, sentence ends of any script, bracketed
 * placeholders and links, and the phrases and shapes of page furniture
 * (the word lists of words/clean/).
 */
#include "clean.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

/* Units longer than this many words are running text that may mention a
 * boilerplate phrase; up to MAX_WEAK_WORDS even a weak phrase marks one. */
enum { MAX_PHRASE_WORDS = 45, MAX_WEAK_WORDS = 16 };

/* ---- Features ---------------------------------------------------------- */

/* Closing quotes and brackets, which may follow a sentence's end. */
static bool closing(ucs4_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' ||
         uc_is_general_category(cp, UC_CATEGORY_Pe) ||
         uc_is_general_category(cp, UC_CATEGORY_Pf);
}

/* Commas and colons of any script: a line ending in one leads on. */
static bool pause_mark(ucs4_t cp) {
  return cp == ',' || cp == ':' || cp == 0x060C || cp == 0x3001 ||
         cp == 0xFF0C || cp == 0xFF1A;
}

static void count_word(const char *w, size_t n, bool nospace, void *ctx) {
  cl_unit *u = ctx;
  if (nospace)
    return; /* counted by character */
  u->words++;
  size_t i = 0;
  if (uc_is_upper(cl_next(w, n, &i)))
    u->caps++;
}

/* Does a sentence end at the terminal `cp`, followed by `next` (0 at the
 * end)? Not inside "3.5" or "example.com"; "..." counts once. */
static bool sentence_break(ucs4_t cp, ucs4_t next) {
  if (!cl_is_sentence_end(cp) || cl_is_sentence_end(next))
    return false;
  return next == 0 || next == ' ' || closing(next) || cp >= 0x0900;
}

/* Length, script, punctuation, link and sentence features. */
static void scan_chars(cl_unit *u, ucs4_t *last, ucs4_t *before_close,
                       int *phrase_gaps) {
  const char *s = u->text;
  size_t len = u->len;
  ucs4_t prev = 0;
  int bracket = 0;
  bool url = false;
  for (size_t i = 0; i < len;) {
    size_t at = i;
    ucs4_t cp = cl_next(s, len, &i);
    size_t j = i;
    ucs4_t next = i < len ? cl_next(s, len, &j) : 0;
    bool wc = cl_is_wordchar(cp);
    u->chars++;
    if (cl_is_nospace(cp))
      u->cjk++;
    if (wc && !uc_is_general_category(cp, UC_CATEGORY_N))
      u->letters++;
    else if (!wc && cp != ' ')
      u->punct++;
    if (cp == '[' && memchr(s + i, ']', len - i))
      bracket++; /* a placeholder or link label, when it is closed */
    if ((at == 0 || prev == ' ') &&
        (strncmp(s + at, "http", 4) == 0 || strncmp(s + at, "www.", 4) == 0))
      url = true;
    if (cp == ' ')
      url = false;
    if (bracket > 0 || url)
      u->link_chars++;
    if (cp == ']' && bracket > 0)
      bracket--;
    if (sentence_break(cp, next))
      u->sentences++;
    if (cp == ' ' && cl_is_phrase_spaced(prev) && cl_is_phrase_spaced(next))
      (*phrase_gaps)++;
    if (cp != ' ') {
      if (!closing(cp))
        *before_close = cp;
      *last = cp;
    }
    prev = cp;
  }
}

void cl_features(cl_unit *u) {
  u->chars = u->words = u->cjk = u->caps = u->letters = 0;
  u->punct = u->link_chars = u->sentences = 0;
  ucs4_t last = 0, before_close = 0;
  int phrase_gaps = 0;
  scan_chars(u, &last, &before_close, &phrase_gaps);
  cl_words(u->text, u->len, count_word, u);
  ucs4_t end = closing(last) ? before_close : last;
  /* Thai and Lao end sentences with a space, not a mark: a paragraph of
   * several phrases ends one. */
  u->sentences += phrase_gaps;
  u->ends_sentence =
      cl_is_sentence_end(end) || (cl_is_phrase_spaced(end) && phrase_gaps > 0);
  u->heading_like = !u->ends_sentence && !u->bullet && !u->listed &&
                    cl_weight(u) <= 15 && !pause_mark(end) && u->letters > 0;
}

/* ---- Phrase matching --------------------------------------------------- */

/* The last code point of the n bytes at s. */
static ucs4_t last_cp(const char *s, size_t n) {
  ucs4_t cp = 0;
  if (n > 0)
    u8_prev(&cp, (const uint8_t *)s + n, (const uint8_t *)s);
  return cp;
}

static ucs4_t first_cp(const char *s) {
  size_t i = 0;
  return *s ? cl_next(s, strlen(s), &i) : 0;
}

/* Word boundaries around a match: the text's edge, a space, or letters
 * of a script without spaces on both sides ("関連記事一覧"). */
static bool edge_before(const char *hay, const char *p, const char *phrase) {
  if (p == hay || p[-1] == ' ')
    return true;
  return cl_is_nospace(first_cp(phrase)) &&
         cl_is_nospace(last_cp(hay, (size_t)(p - hay)));
}

static bool edge_after(const char *p, const char *phrase, size_t n) {
  if (*p == '\0' || *p == ' ')
    return true;
  return cl_is_nospace(first_cp(p)) && cl_is_nospace(last_cp(phrase, n));
}

bool cl_has_phrase(const char *hay, const char *phrase) {
  size_t n = strlen(phrase);
  if (n == 0)
    return false;
  for (const char *p = strstr(hay, phrase); p; p = strstr(p + 1, phrase)) {
    if (edge_before(hay, p, phrase) && edge_after(p + n, phrase, n))
      return true;
  }
  return false;
}

static bool starts_phrase(const char *hay, const char *phrase) {
  size_t n = strlen(phrase);
  return strncmp(hay, phrase, n) == 0 && edge_after(hay + n, phrase, n);
}

/* How many entries of the list the folded text holds on word
 * boundaries. */
static int phrase_hits(const cl_list *l, const char *folded) {
  int hits = 0;
  for (size_t i = 0; i < l->n; i++)
    hits += cl_has_phrase(folded, l->items[i]);
  return hits;
}

/* Strips a leading and trailing count: "comments 12" -> "comments",
 * "12 comments" -> "comments". Works in place on folded text. */
static char *strip_counts(char *f) {
  while (isdigit((unsigned char)*f) || *f == ' ')
    f++;
  size_t n = strlen(f);
  while (n > 0 && (isdigit((unsigned char)f[n - 1]) || f[n - 1] == ' '))
    f[--n] = '\0';
  return f;
}

/* ---- Shapes ------------------------------------------------------------ */

/* The unit is nothing but bracketed placeholders ("[image]",
 * "[INS::INS]", "[                    ]") and punctuation. */
static bool placeholder(const char *s) {
  bool any = false;
  while (*s) {
    if (*s == '[') {
      const char *e = strchr(s, ']');
      if (!e)
        return false;
      any = true;
      s = e + 1;
    } else if (*s == ' ' || *s == '|' || *s == '*' || *s == '-') {
      s++;
    } else {
      return false;
    }
  }
  return any;
}

/* A line that is the same text twice ("Photo titlePhoto title"): text
 * browsers print an image's alt text next to its title. */
static bool doubled(const char *s, size_t len) {
  if (len < 8)
    return false;
  for (size_t cut = len / 2 - 1; cut <= len / 2 + 1 && cut < len; cut++) {
    size_t a = cut, b = len - cut;
    const char *second = s + cut;
    while (*second == ' ' && b > 0) {
      second++;
      b--;
    }
    if (a == b && memcmp(s, second, a) == 0)
      return true;
  }
  return false;
}

/* Is the code point at s[i] a lower-case letter? */
static bool lower_follows(const char *s, size_t len, size_t i) {
  if (i >= len)
    return false;
  return uc_is_lower(cl_next(s, len, &i));
}

/* Link cards that a text browser prints as one line: a headline in Title
 * Case glued to its summary ("Police Seek DriverA man was ..."). The
 * glue is a lower-case letter directly followed by an upper-case one after
 * at least three capitalised words. */
static bool glued_teaser(const cl_unit *u) {
  const char *s = u->text;
  int words = 0, caps = 0;
  bool start = true;
  ucs4_t prev = 0;
  for (size_t i = 0; i < u->len;) {
    size_t at = i;
    ucs4_t c = cl_next(s, u->len, &i);
    if (c == ' ') {
      start = true;
    } else if (start) {
      words++;
      if (uc_is_upper(c) || uc_is_digit(c) || c == '\'' || c == '"')
        caps++;
      start = false;
    } else if (i < u->len && uc_is_lower(c) && words >= 3 &&
               caps * 4 >= words * 3) {
      size_t j = i;
      ucs4_t d = cl_next(s, u->len, &j);
      /* Not "McDonald", "iPhone", "YouTube": the next letters are lower
       * case and the glued part starts a sentence-like run. */
      if (uc_is_upper(d) && lower_follows(s, u->len, j) && !uc_is_upper(prev) &&
          at >= 20)
        return true;
    }
    prev = c;
  }
  return false;
}

/* Menu shapes inside one line: "Home | News | Sport", "Politics · World". */
static bool separated_menu(const cl_unit *u) {
  int seps = 0;
  const char *s = u->text;
  for (size_t i = 0; i < u->len;) {
    size_t at = i;
    ucs4_t cp = cl_next(s, u->len, &i);
    if ((cp == '|' || cp == 0xB7 || cp == 0x2022 || cp == '/' || cp == '>' ||
         cp == 0xBB) &&
        at > 0 && s[at - 1] == ' ' && i < u->len && s[i] == ' ')
      seps++;
  }
  return seps >= 2 && u->words <= (seps + 1) * 4;
}

/* A credit at the very end marks a caption of any length: "...
 * Washington. (Photo by A/Getty Images)", "Photographer: B/Bloomberg".
 * Agency names count inside "(...)", after a slash or "Credit:" only:
 * "according to Reuters." is attribution, not a credit. */
static bool credit_at_end(const cl_lexicon *lx, const cl_unit *u,
                          const char *folded) {
  size_t nf = strlen(folded);
  const char *tail = folded + (nf > 60 ? nf - 60 : 0);
  size_t from = u->len > 60 ? u->len - 60 : 0;
  bool framed = u->text[u->len - 1] == ')' ||
                strstr(u->text + from, "Credit:") != NULL ||
                memchr(u->text + from, '/', u->len - from) != NULL;
  for (int k = 0; k < 2; k++) {
    const cl_list *l = &lx->lists[k == 0 ? CL_CREDITS : CL_FRAMED_CREDITS];
    if (k == 1 && !framed)
      break;
    for (size_t i = 0; i < l->n; i++) {
      const char *p = strstr(tail, l->items[i]);
      if (p && (p == folded || p[-1] == ' ') && u->words <= 250 &&
          strlen(p) < 45)
        return true;
    }
  }
  return false;
}

/* Photo credits and captions. */
static bool caption_like(const cl_lexicon *lx, const cl_unit *u,
                         const char *folded) {
  if (credit_at_end(lx, u, folded))
    return true;
  /* A truncated caption with its "more" or "less" toggle. */
  size_t nf = strlen(folded);
  if (u->words >= 10 && !u->ends_sentence && nf > 5 &&
      (strcmp(folded + nf - 5, " more") == 0 ||
       strcmp(folded + nf - 5, " less") == 0))
    return true;
  if (u->words > 60)
    return false;
  const cl_list *marks = &lx->lists[CL_CAPTION_MARKS];
  for (size_t i = 0; i < marks->n; i++) {
    if (cl_has_phrase(folded, marks->items[i]) &&
        (u->words <= 30 || strstr(u->text, "Credit") != NULL))
      return true;
  }
  /* "Photo: X", "Image: X" at the start. */
  const cl_list *heads = &lx->lists[CL_CAPTION_HEADS];
  for (size_t i = 0; i < heads->n; i++) {
    if (strncmp(u->text, heads->items[i], strlen(heads->items[i])) == 0)
      return true;
  }
  /* A short sentence ending in a credit "(NASA/JPL)" or "(Getty)". */
  if (u->len > 2 && u->text[u->len - 1] == ')' && u->words <= 35) {
    const char *open = strrchr(u->text, '(');
    if (open && memchr(open, '/', (size_t)(u->text + u->len - open)) &&
        open > u->text && (open[-1] == ' ' || open[-1] == '.'))
      return true;
  }
  return false;
}

/* ---- Comments ---------------------------------------------------------- */

/* "12 responses to ...", "5 thoughts on ...", "3 comments on ...": the
 * heading of a comment list. */
static bool comment_count(const cl_lexicon *lx, const char *folded, int words) {
  if (words > 20 || !isdigit((unsigned char)folded[0]))
    return false;
  const char *p = strchr(folded, ' ');
  if (!p)
    return false;
  const cl_list *heads = &lx->lists[CL_COMMENT_COUNTS];
  for (size_t i = 0; i < heads->n; i++) {
    if (starts_phrase(p + 1, heads->items[i]))
      return true;
  }
  return false;
}

/* The header of one comment: "jane says:", "November 19, 2019 at 6:34 am". */
static bool comment_meta(const cl_lexicon *lx, const cl_unit *u,
                         const char *folded) {
  if (u->words > 10)
    return false;
  size_t n = strlen(folded);
  const char *last = strrchr(folded, ' ');
  if (u->len > 1 && u->text[u->len - 1] == ':' && last &&
      cl_list_has(&lx->lists[CL_COMMENT_VERBS], last + 1))
    return true;
  /* A time of day closing a dateline. */
  if (n > 3 &&
      (strcmp(folded + n - 3, " am") == 0 ||
       strcmp(folded + n - 3, " pm") == 0) &&
      strstr(folded, " at "))
    return true;
  return false;
}

/* ---- Patterns ---------------------------------------------------------- */

/* Short lines that are furniture or start the tail of the page: equal to
 * an entry, or starting with one when very short. `core` is the folded
 * text without counts. */
static void short_line_patterns(const cl_lexicon *lx, cl_unit *u,
                                const char *core) {
  const cl_list *starts = &lx->lists[CL_FURNITURE_STARTS];
  if (cl_list_has(&lx->lists[CL_FURNITURE], core))
    u->boiler = true;
  for (size_t i = 0; i < starts->n && !u->boiler && cl_weight(u) <= 6; i++)
    u->boiler = starts_phrase(core, starts->items[i]);
  bool comments = cl_list_has(&lx->lists[CL_COMMENT_HEADINGS], core);
  const cl_list *tail = &lx->lists[CL_TAIL_MARKERS];
  for (size_t i = 0; i < tail->n; i++) {
    const char *m = tail->items[i];
    if (strcmp(core, m) == 0 ||
        (cl_weight(u) <= 4 && starts_phrase(core, m) && strlen(m) > 6)) {
      u->marker = comments ? 2 : 1;
      u->boiler = true;
      break;
    }
  }
  if (comments) {
    u->marker = 2;
    u->boiler = true;
  }
}

/* Phrases of comment forms, cookie boxes and share bars. */
static void phrase_patterns(const cl_lexicon *lx, cl_unit *u,
                            const char *folded) {
  int w = cl_weight(u);
  if (w <= MAX_PHRASE_WORDS) {
    int strong = phrase_hits(&lx->lists[CL_STRONG_PHRASES], folded);
    int weak = phrase_hits(&lx->lists[CL_WEAK_PHRASES], folded);
    if (strong > 0 || (weak > 0 && w <= MAX_WEAK_WORDS))
      u->boiler = true;
    if (strong + weak >= 2 && w <= (strong + weak) * 60)
      u->boiler = true;
  }
  /* A comment form starts the tail. */
  if (w <= 12 && phrase_hits(&lx->lists[CL_COMMENT_FORMS], folded)) {
    u->marker = 2;
    u->boiler = true;
  }
  if (comment_count(lx, folded, w)) {
    u->marker = 2;
    u->boiler = true;
  }
}

void cl_patterns(const cl_lexicon *lx, cl_unit *u, const char *folded) {
  u->boiler = u->caption = u->byline = u->comment = u->bio_header = false;
  u->filler = false;
  u->marker = 0;
  if (u->letters == 0 || placeholder(u->text)) {
    /* A rule of dashes or box lines separates sections; only an image
     * placeholder may stand inside the article. */
    u->boiler = true;
    u->filler = placeholder(u->text);
    return;
  }
  int w = cl_weight(u);
  /* Whole lines of up to six words; text without spaces is compared
   * whole, whatever its length. */
  if (u->words <= 6) {
    char *f = strdup(folded);
    if (f)
      short_line_patterns(lx, u, strip_counts(f));
    free(f);
  }
  if (cl_bio_header(lx, u))
    u->boiler = u->bio_header = true;
  phrase_patterns(lx, u, folded);
  if ((strncmp(u->text, "http", 4) == 0 || strncmp(u->text, "www.", 4) == 0) &&
      w <= 12)
    u->boiler = true; /* a bare link */
  if (comment_meta(lx, u, folded))
    u->comment = true;
  if (strstr(u->text, "\xc2\xa9") && w <= MAX_PHRASE_WORDS)
    u->boiler = true; /* the copyright sign */
  if (doubled(u->text, u->len) || separated_menu(u) || glued_teaser(u))
    u->boiler = true;
  if (caption_like(lx, u, folded))
    u->caption = true;
  if (!u->boiler && cl_byline_like(lx, u))
    u->byline = true;
}

bool cl_is_boilerplate(const cl_lexicon *lx, const char *text) {
  cl_unit x;
  memset(&x, 0, sizeof x);
  x.text = (char *)text;
  x.len = strlen(text);
  x.dup_of = -1;
  cl_features(&x);
  char *f = cl_fold(text, NULL);
  if (!f)
    return false;
  cl_patterns(lx, &x, f);
  free(f);
  return x.boiler || cl_weight(&x) < 2;
}
