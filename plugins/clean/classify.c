/*
 * Boilerplate classification in the spirit of jusText (Pomikálek, 2011):
 * every unit gets a context-free class from its length, stopword density
 * and boilerplate patterns; short and near-good units then take the class
 * of their neighbours, so short lines inside an article stay and runs of
 * short lines at the head and tail of a page go. On top of that:
 *  - the stopword list of the document's (or the block's) language, and
 *    language-independent signals where there is none: sentence ends of
 *    any script, punctuation and link density, capitalised headlines,
 *  - density thresholds scaled to the page (languages with short lists),
 *  - runs of short sentence paragraphs (news style) count as article,
 *  - markers that end the article ("Related", comment forms and lists),
 *  - repeated lines, photo credits, glued link cards, menus on one line,
 *  - bylines, author bios and the page's headline for a missing title.
 */
#include "clean.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* jusText's thresholds, in words instead of characters where noted. */
enum {
  LONG_WORDS = 30,       /* "length_high" (200 characters) */
  HEADING_DISTANCE = 200 /* characters from a heading to good text */
};
static const double STOP_LOW = 0.22;  /* below: not running text */
static const double STOP_HIGH = 0.26; /* at or above, and long: good */
/* Typical stopword density of running text. Pages whose long paragraphs
 * are sparser (a language with a short list) get proportionally lower
 * thresholds. */
static const double STOP_TYPICAL = 0.42;
/* How far the thresholds follow the page's typical density. */
static const double SCALE_MIN = 0.3;
static const double SCALE_MAX = 1.3;
/* Without a stopword list: more punctuation and symbols than this share
 * of the characters, or more of them in links and placeholders, is not
 * prose. */
static const double PUNCT_HIGH = 0.15;
static const double LINKED_HIGH = 0.3;

/* The thresholds in force for one document. */
typedef struct limits {
  double low, high;
} limits;

/* Everything one classification works on. */
typedef struct run {
  cl_unit *u;
  size_t n;
  char **folded; /* each unit's folded text */
  cl_params *params;
  const cl_lexicon *lx;
  limits lim;
  size_t first, last; /* the first and last good unit (first == n: none) */
  char *author;       /* the byline's name, malloc'd, or NULL */
  size_t author_at;
} run;

/* ---- Language and stopwords -------------------------------------------- */

/* The stopword list of the document: its declared language's, or the list
 * most of whose words fill its long units (at least one word in ten), or
 * -1 for none. */
static int pick_language(const run *r) {
  const char *lang = r->params->language;
  if (lang && lang[0])
    return cl_lexicon_lang(r->lx, lang);
  int hits[CL_MAX_LANGS] = {0};
  long words = 0;
  for (size_t i = 0; i < r->n; i++) {
    /* Long units speak for the page's language; menus do not. */
    if (cl_weight(&r->u[i]) < 8)
      continue;
    words += cl_weight(&r->u[i]);
    cl_count_stopwords(r->lx, r->folded[i], -1, hits);
  }
  int best = -1;
  for (int l = 0; l < r->lx->n_langs; l++) {
    if (hits[l] > 0 && (best < 0 || hits[l] > hits[best]))
      best = l;
  }
  if (best < 0 || words == 0 || (double)hits[best] / (double)words < 0.10)
    return -1;
  return best;
}

/* Each unit's stopword list and density: the document's list, or its
 * block's language's when the block has one and that reads it as denser
 * (a quotation in another language; a wrong tag does no harm). */
static void stopword_density(run *r, int doc_list) {
  for (size_t i = 0; i < r->n; i++) {
    cl_unit *x = &r->u[i];
    int lists[2] = {doc_list, x->lang ? cl_lexicon_lang(r->lx, x->lang) : -1};
    x->list = -1;
    x->stops = 0;
    x->density = 0.0;
    for (int k = 0; k < 2; k++) {
      if (lists[k] < 0 || cl_weight(x) == 0)
        continue;
      int hits[CL_MAX_LANGS] = {0};
      cl_count_stopwords(r->lx, r->folded[i], lists[k], hits);
      if (x->list < 0 || hits[lists[k]] > x->stops) {
        x->list = lists[k];
        x->stops = hits[lists[k]];
        x->density = (double)x->stops / cl_weight(x);
      }
    }
  }
}

/* ---- Repeats ----------------------------------------------------------- */

static uint64_t hash_text(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Marks repeated units: dup_of points at the first unit with the same
 * folded text; repeats counts them all. */
static int find_repeats(cl_unit *u, size_t n, char **folded) {
  uint64_t *keys = malloc(n * 2 * sizeof *keys);
  if (!keys)
    return AC_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    keys[2 * i] = folded[i][0] ? hash_text(folded[i]) : 0;
    keys[2 * i + 1] = i;
    u[i].dup_of = -1;
    u[i].repeats = 1;
  }
  qsort(keys, n, 2 * sizeof *keys, cmp_u64);
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && keys[2 * b] == keys[2 * a])
      b++;
    if (keys[2 * a] != 0 && b - a > 1) {
      size_t first = (size_t)keys[2 * a + 1];
      for (size_t k = a; k < b; k++) {
        size_t idx = (size_t)keys[2 * k + 1];
        if (idx < first)
          first = idx;
      }
      for (size_t k = a; k < b; k++) {
        size_t idx = (size_t)keys[2 * k + 1];
        u[idx].repeats = (int)(b - a);
        if (idx != first && strcmp(folded[idx], folded[first]) == 0)
          u[idx].dup_of = (long)first;
      }
    }
    a = b;
  }
  free(keys);
  return 0;
}

/* ---- Context-free classes ---------------------------------------------- */

/* Without a stopword list: jusText's length classes, refined by signals
 * every language shares. Prose has sentence punctuation, little else. */
static cl_class shape_class(const cl_unit *u, int w) {
  double punct = u->chars ? (double)u->punct / u->chars : 0;
  double linked = u->chars ? (double)u->link_chars / u->chars : 0;
  if (linked >= 2 * LINKED_HIGH)
    return CL_BAD;
  if (u->sentences == 0 && !u->ends_sentence) {
    /* A headline, a row of links, a tag cloud; a long unpunctuated text
     * (verse, a transcript) is left to its neighbours. */
    return w >= 2 * LONG_WORDS && punct < PUNCT_HIGH / 3 ? CL_NEARGOOD : CL_BAD;
  }
  if (punct > PUNCT_HIGH || linked > LINKED_HIGH)
    return CL_BAD;
  if (w >= LONG_WORDS)
    return CL_GOOD;
  return CL_NEARGOOD;
}

/* The classes before context. */
static cl_class context_free(const cl_unit *u, int min_words,
                             const limits *lim) {
  if (u->boiler)
    return CL_BAD;
  int w = cl_weight(u);
  if (w < min_words)
    return CL_SHORT;
  /* Headline-like lines (most words capitalised) are not running text,
   * however long: related-article lists are made of them. Text without
   * spaces counts as uncased words (Latin names in Japanese prose). */
  if (u->words >= 6 && u->caps * 10 >= w * 7)
    return CL_BAD;
  /* No list, or not one stopword of it in a paragraph: the unit is in
   * another language (a quotation, a wrong guess of the page's). */
  if (u->list < 0 || (u->stops == 0 && w >= min_words))
    return shape_class(u, w);
  if (u->density >= lim->high && w >= LONG_WORDS)
    return CL_GOOD;
  if (u->density >= lim->low)
    return CL_NEARGOOD;
  /* A long paragraph of sentences with fewer stopwords than usual (names,
   * figures, a colloquial spelling the list lacks) is judged by its
   * neighbours, as long as it has some and reads as prose. */
  if (u->density >= lim->low / 2 && w >= LONG_WORDS &&
      shape_class(u, w) == CL_GOOD)
    return CL_NEARGOOD;
  return CL_BAD;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Scales the density thresholds to the page: the median density of its
 * long units (mostly article text) against STOP_TYPICAL, within
 * [SCALE_MIN, SCALE_MAX] (lists differ in length). A list that hardly
 * matches the page's long text (a language that joins its particles to
 * the words, a page of figures) tells nothing: its units are judged as if
 * there were none. */
static limits adapt_limits(cl_unit *u, size_t n) {
  limits lim = {STOP_LOW, STOP_HIGH};
  double *d = malloc(n * sizeof *d);
  if (!d)
    return lim;
  /* Long units, or on a page with fewer than two of them, the
   * paragraph-sized ones. */
  size_t k = 0;
  for (int least = LONG_WORDS; least >= LONG_WORDS / 2 && k < 2;
       least -= LONG_WORDS / 2) {
    k = 0;
    for (size_t i = 0; i < n; i++) {
      if (cl_weight(&u[i]) >= least && !u[i].boiler && u[i].list >= 0)
        d[k++] = u[i].density;
    }
  }
  if (k >= 2) {
    qsort(d, k, sizeof *d, cmp_double);
    double scale = d[k / 2] / STOP_TYPICAL;
    if (scale < SCALE_MIN) {
      for (size_t i = 0; i < n; i++)
        u[i].list = -1;
    }
    scale = scale > SCALE_MAX ? SCALE_MAX : scale;
    lim.low *= scale;
    lim.high *= scale;
  }
  free(d);
  return lim;
}

/* A sentence of running text, however short ("He denied it."). */
static bool sentence_like(const cl_unit *u, const limits *lim) {
  if (u->boiler || u->caption || u->cls == CL_BAD || u->words + u->cjk < 6)
    return false;
  if (u->list >= 0 && u->density < lim->low)
    return false;
  return u->ends_sentence || cl_weight(u) >= 20;
}

/* News sites write one- and two-sentence paragraphs, none long enough to
 * be good on its own. A run of several such paragraphs is an article: its
 * members become good. Up to two small units (an image placeholder, an
 * advertisement line) may interrupt a run. */
static void promote_runs(cl_unit *u, size_t n, const limits *lim) {
  enum { MIN_MEMBERS = 3, MIN_WORDS = 50, MAX_GAP = 2, GAP_WORDS = 30 };
  size_t i = 0;
  while (i < n) {
    if (!sentence_like(&u[i], lim)) {
      i++;
      continue;
    }
    size_t start = i, end = i; /* [start, end] holds the run */
    int members = 0, words = 0, gap = 0;
    for (size_t j = i; j < n; j++) {
      if (sentence_like(&u[j], lim)) {
        members++;
        words += cl_weight(&u[j]);
        end = j;
        gap = 0;
      } else if (gap < MAX_GAP && cl_weight(&u[j]) <= GAP_WORDS) {
        gap++;
      } else {
        break;
      }
    }
    if (members >= MIN_MEMBERS && words >= MIN_WORDS) {
      for (size_t j = start; j <= end; j++) {
        if (sentence_like(&u[j], lim))
          u[j].cls = u[j].final = CL_GOOD;
      }
    }
    i = end + 1;
  }
}

/* ---- Context ----------------------------------------------------------- */

/* An image placeholder between two units of running text (near-good or
 * good before context) stands inside the article: the text after an image
 * continues the text before it, so the context step looks back through
 * it (never forward: a teaser list before an author's photo and bio stays
 * apart). Elsewhere (between a menu and the article) it is a boundary like
 * any boilerplate line. */
static void mark_fillers(cl_unit *u, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (!u[i].filler) {
      i++;
      continue;
    }
    size_t end = i;
    while (end < n && u[end].filler)
      end++;
    bool inside = i > 0 && end < n && u[i - 1].cls >= CL_NEARGOOD &&
                  u[end].cls >= CL_NEARGOOD;
    for (size_t j = i; j < end; j++)
      u[j].filler = inside;
    i = end;
  }
}

/* Nearest neighbour's class that is good or bad (or near-good unless
 * ignored); the edges of the page count as bad; looking back, fillers
 * (image placeholders inside the article) are looked through. */
static cl_class neighbour(const cl_unit *u, size_t n, size_t i, int dir,
                          bool ignore_neargood) {
  long j = (long)i + dir;
  while (j >= 0 && (size_t)j < n) {
    if (u[j].filler && dir < 0) {
      j += dir;
      continue;
    }
    cl_class c = u[j].final;
    if (c == CL_GOOD || c == CL_BAD)
      return c;
    if (c == CL_NEARGOOD && !ignore_neargood)
      return c;
    j += dir;
  }
  return CL_BAD;
}

/* Is there good text within HEADING_DISTANCE characters after unit i? */
static bool good_follows(const cl_unit *u, size_t n, size_t i) {
  int dist = 0;
  for (size_t j = i + 1; j < n && dist <= HEADING_DISTANCE; j++) {
    if (u[j].final == CL_GOOD)
      return true;
    dist += u[j].chars;
  }
  return false;
}

/* The classes of every unit's nearest neighbours, found in one pass each
 * way (scanning from each unit made a page of many short units quadratic:
 * a million one-word paragraphs took hours). For unit i: [0] before it
 * and [1] after it, good or bad only; [2] and [3] the same with near-good
 * too; [0] and [2] look through fillers. NULL when out of memory. */
static unsigned char (*neighbours(const cl_unit *u, size_t n))[4] {
  unsigned char(*nb)[4] = malloc((n ? n : 1) * sizeof *nb);
  if (!nb)
    return NULL;
  cl_class gb = CL_BAD, any = CL_BAD; /* the edges count as bad */
  for (size_t i = 0; i < n; i++) {
    nb[i][0] = (unsigned char)gb;
    nb[i][2] = (unsigned char)any;
    if (u[i].filler)
      continue;
    cl_class c = u[i].final;
    if (c == CL_GOOD || c == CL_BAD)
      gb = any = c;
    else if (c == CL_NEARGOOD)
      any = c;
  }
  gb = any = CL_BAD;
  for (size_t i = n; i-- > 0;) {
    nb[i][1] = (unsigned char)gb;
    nb[i][3] = (unsigned char)any;
    cl_class c = u[i].final;
    if (c == CL_GOOD || c == CL_BAD)
      gb = any = c;
    else if (c == CL_NEARGOOD)
      any = c;
  }
  return nb;
}

/* Short units take the class of their neighbours. */
static void resolve_short(cl_unit *u, size_t n) {
  unsigned char(*nb)[4] = neighbours(u, n);
  for (size_t i = 0; i < n; i++) {
    u[i].pending = u[i].final;
    if (u[i].final != CL_SHORT)
      continue;
    cl_class p = nb ? nb[i][0] : neighbour(u, n, i, -1, true);
    cl_class q = nb ? nb[i][1] : neighbour(u, n, i, +1, true);
    cl_class pn = nb ? nb[i][2] : neighbour(u, n, i, -1, false);
    cl_class qn = nb ? nb[i][3] : neighbour(u, n, i, +1, false);
    if (p == CL_GOOD && q == CL_GOOD)
      u[i].pending = CL_GOOD;
    else if (p == CL_BAD && q == CL_BAD)
      u[i].pending = CL_BAD;
    else if ((p == CL_BAD && pn == CL_NEARGOOD) ||
             (q == CL_BAD && qn == CL_NEARGOOD))
      u[i].pending = CL_GOOD;
    else
      u[i].pending = CL_BAD;
  }
  free(nb);
  for (size_t i = 0; i < n; i++)
    u[i].final = u[i].pending;
}

/* Near-good units become good next to good ones. Units before i have
 * their new class already (a running value), those after it not yet (the
 * precomputed one). */
static void resolve_neargood(cl_unit *u, size_t n) {
  unsigned char(*nb)[4] = neighbours(u, n);
  cl_class before = CL_BAD;
  for (size_t i = 0; i < n; i++) {
    if (u[i].final == CL_NEARGOOD) {
      cl_class p = nb ? before : neighbour(u, n, i, -1, true);
      cl_class q = nb ? nb[i][1] : neighbour(u, n, i, +1, true);
      u[i].final = (p == CL_BAD && q == CL_BAD) ? CL_BAD : CL_GOOD;
    }
    if (!u[i].filler && (u[i].final == CL_GOOD || u[i].final == CL_BAD))
      before = u[i].final;
  }
  free(nb);
}

/* jusText's context step: headings before good text, short units from
 * their neighbours, near-good units next to good ones. Reads cls via
 * final (which must start equal to cls) and leaves the result in final. */
static void resolve(cl_unit *u, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (u[i].heading_like && u[i].final == CL_SHORT && good_follows(u, n, i))
      u[i].final = CL_NEARGOOD;
  }
  resolve_short(u, n);
  resolve_neargood(u, n);
  for (size_t i = 0; i < n; i++) {
    if (u[i].heading_like && u[i].final == CL_BAD && u[i].cls != CL_BAD &&
        good_follows(u, n, i))
      u[i].final = CL_GOOD;
  }
}

static bool find_good(run *r) {
  r->first = r->n;
  r->last = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (r->u[i].final == CL_GOOD) {
      if (r->first == r->n)
        r->first = i;
      r->last = i;
    }
  }
  return r->first < r->n;
}

static int body_weight(const cl_unit *u, size_t from, size_t to) {
  int w = 0;
  for (size_t i = from; i < to; i++) {
    if (u[i].final == CL_GOOD)
      w += cl_weight(&u[i]);
  }
  return w;
}

/* ---- Phases ------------------------------------------------------------ */

/* Features, folded text, language, stopword density, patterns, repeats. */
static int prepare(run *r) {
  for (size_t i = 0; i < r->n; i++) {
    cl_features(&r->u[i]);
    const char *lang = r->u[i].lang ? r->u[i].lang : r->params->language;
    r->folded[i] = cl_fold(r->u[i].text, lang);
    if (!r->folded[i])
      return AC_ERR_NOMEM;
  }
  stopword_density(r, pick_language(r));
  for (size_t i = 0; i < r->n; i++)
    cl_patterns(r->lx, &r->u[i], r->folded[i]);
  return find_repeats(r->u, r->n, r->folded);
}

/* Is every copy of unit `first` (itself included) between two units of
 * running text (near-good or good before context; placeholders between
 * are skipped) that are not copies of it? */
static bool between_prose(const cl_unit *u, size_t n, size_t first) {
  for (size_t i = first; i < n; i++) {
    if (i != first && u[i].dup_of != (long)first)
      continue;
    long a = (long)i - 1;
    size_t b = i + 1;
    while (a >= 0 && u[a].filler)
      a--;
    while (b < n && u[b].filler)
      b++;
    if (a < 0 || b >= n || u[a].cls < CL_NEARGOOD || u[b].cls < CL_NEARGOOD)
      return false;
    /* A line doubled in place is a glitch of the dump, not a question. */
    if ((size_t)a == first || u[a].dup_of == (long)first ||
        u[b].dup_of == (long)first)
      return false;
  }
  return true;
}

/* Context-free classes, news runs and the context step. */
static void classify_units(run *r) {
  int min_words = r->params->min_paragraph_words;
  r->lim = adapt_limits(r->u, r->n);
  for (size_t i = 0; i < r->n; i++) {
    cl_unit *x = &r->u[i];
    x->cls = context_free(x, min_words, &r->lim);
    if (x->caption)
      x->cls = CL_BAD;
  }
  for (size_t i = 0; i < r->n; i++) {
    cl_unit *x = &r->u[i];
    /* A paragraph printed twice is kept once, unless running text stands
     * on both sides of every copy (an interview asking each guest the
     * same question). */
    if (x->dup_of >= 0 && !x->byline && cl_weight(x) >= min_words &&
        !between_prose(r->u, r->n, (size_t)x->dup_of))
      x->cls = CL_BAD;
  }
  for (size_t i = 0; i < r->n; i++)
    r->u[i].final = r->u[i].cls;
  promote_runs(r->u, r->n, &r->lim);
  mark_fillers(r->u, r->n);
  resolve(r->u, r->n);
}

/* Nothing good: the page may be all short paragraphs. Near-good units
 * count as good, and failing that the longest unit. A short note (a few
 * units) keeps whatever no pattern rejected. */
static void rescue(run *r) {
  cl_unit *u = r->u;
  size_t n = r->n, plain = 0, best = n;
  for (size_t i = 0; i < n; i++) {
    if (u[i].cls == CL_NEARGOOD)
      u[i].cls = CL_GOOD;
    if (!u[i].boiler && !u[i].caption) {
      plain++;
      if (best == n || cl_weight(&u[i]) > cl_weight(&u[best]))
        best = i;
    }
  }
  for (size_t i = 0; i < n; i++)
    u[i].final = u[i].cls;
  resolve(u, n);
  if (find_good(r) || best == n)
    return;
  for (size_t i = 0; i < n; i++) {
    if (plain <= 8 && !u[i].boiler && !u[i].caption)
      u[i].cls = CL_GOOD;
    u[i].final = u[i].cls;
  }
  u[best].cls = u[best].final = CL_GOOD;
  resolve(u, n);
  find_good(r);
}

/* A card of a listing: one to three good units, this many words. */
enum { CARD_WORDS = 20, CARD_UNITS = 3 };

/* Do units [from, to) make one card: one to three good units of at least
 * CARD_WORDS words together, nothing else but placeholders? */
static bool card_between(const cl_unit *u, size_t from, size_t to) {
  int good = 0;
  for (size_t i = from; i < to; i++) {
    if (u[i].final == CL_GOOD)
      good++;
    else if (!u[i].boiler)
      return false;
  }
  return good >= 1 && good <= CARD_UNITS &&
         body_weight(u, from, to) >= CARD_WORDS;
}

/* A row of buttons or links: three or more words, each capitalised
 * ("Whatsapp Facebook Pin Download"), no stopword, no sentence. An
 * advertisement label between paragraphs ("Advert", "Story continues
 * below") is not one. */
static bool button_row(const cl_unit *u) {
  return u->words >= 3 && u->caps == u->words && u->stops == 0 &&
         u->sentences == 0 && !u->ends_sentence;
}

/* A listing page prints several texts as cards, each after (or before)
 * the same row of share buttons. When one such row separates at least three
 * cards of running text, and every gap between its copies holds one, the page's
 * article is the first card; the rest is a list of other texts. */
static void first_card(run *r) {
  enum { MIN_CARDS = 3, SEPARATOR_WORDS = 8 };
  cl_unit *u = r->u;
  size_t n = r->n;
  for (size_t s = 0; s < n; s++) {
    const cl_unit *sep = &u[s];
    int w = cl_weight(sep);
    if (sep->repeats < MIN_CARDS || sep->dup_of >= 0 || sep->cls == CL_GOOD ||
        w > SEPARATOR_WORDS || sep->boiler || !button_row(sep))
      continue;
    size_t copies[2] = {n, n}, last = s, seen = 0;
    bool cards = true;
    for (size_t i = s; i < n && cards; i++) {
      if (i != s && u[i].dup_of != (long)s)
        continue;
      if (i != s && !card_between(u, last + 1, i))
        cards = false;
      if (seen < 2)
        copies[seen] = i;
      seen++;
      last = i;
    }
    if (!cards || seen < MIN_CARDS)
      continue;
    /* The first card lies before the first copy, or, when no text of a
     * card's length comes before it (a headline may), between the first
     * two. */
    size_t cut =
        body_weight(u, 0, copies[0]) >= CARD_WORDS ? copies[0] : copies[1];
    for (size_t i = 0; i < n; i++) {
      bool copy = i == s || u[i].dup_of == (long)s;
      if (u[i].final == CL_GOOD && (i >= cut || copy))
        u[i].final = CL_BAD;
    }
    find_good(r);
    return;
  }
}

/* Ends the article at the first marker that has enough article before it:
 * a comment section after a few sentences, a "Related" list when less text
 * follows than came before (otherwise it was a list inside the article,
 * which the context step already dropped). Comment headers ("jane says:",
 * "May 1, 2019 at 6:34 am") seen three times after the article start: the
 * first one starts the tail. */
static void cut_tail(run *r) {
  cl_unit *u = r->u;
  size_t n = r->n, first = r->first;
  int metas = 0;
  size_t first_meta = n;
  for (size_t i = first + 1; i < n; i++) {
    if (u[i].comment) {
      if (first_meta == n)
        first_meta = i;
      metas++;
    }
  }
  if (metas >= 3)
    u[first_meta].marker = 2;
  int total = body_weight(u, 0, n);
  for (size_t i = first + 1; i < n; i++) {
    if (!u[i].marker)
      continue;
    int before = body_weight(u, 0, i);
    int after = total - before;
    if ((u[i].marker == 2 && before >= 40) || after <= before) {
      for (size_t j = i; j < n; j++) {
        if (u[j].final == CL_GOOD)
          u[j].final = CL_BAD;
      }
      break;
    }
  }
  r->last = first;
  for (size_t i = first; i < n; i++) {
    if (u[i].final == CL_GOOD)
      r->last = i;
  }
}

/* The window around the article where bylines and bios are looked for. */
typedef struct window {
  size_t head_from, head_to, tail_from, tail_to;
} window;

static window byline_window(const run *r) {
  window w;
  w.head_from = r->first > 12 ? r->first - 12 : 0;
  w.head_to = r->first + 4;
  w.tail_from = r->last > 4 ? r->last - 4 : 0;
  w.tail_to = r->last + 8 < r->n ? r->last + 8 : r->n;
  return w;
}

static bool in_window(const window *w, size_t i) {
  return i >= w->head_from && i < w->tail_to &&
         (i < w->head_to || i >= w->tail_from);
}

/* Bylines near the start or end of the article; the first one stays,
 * later ones with the same name go, a co-author's line next to it
 * stays. */
static void find_bylines(run *r, const window *w) {
  for (size_t i = w->head_from; i < w->tail_to; i++) {
    if (!r->u[i].byline || !in_window(w, i))
      continue;
    char *nm = cl_byline_name(r->lx, r->u[i].text);
    if (!nm)
      continue;
    if (!r->author) {
      r->author = nm;
      r->author_at = i;
      r->u[i].role = CL_ROLE_BYLINE;
      continue;
    }
    if (strcmp(nm, r->author) == 0)
      r->u[i].role = CL_ROLE_DROP;
    else if (i <= r->author_at + 2)
      r->u[i].role = CL_ROLE_BYLINE;
    free(nm);
  }
}

/* Is unit i's folded text printed again within three units? */
static bool printed_twice(const run *r, size_t i) {
  for (size_t j = i > 3 ? i - 3 : 0; j < i + 4 && j < r->n; j++) {
    if (j != i && strcmp(r->folded[j], r->folded[i]) == 0)
      return true;
  }
  return false;
}

/* A bare name is a byline when it repeats the byline's name, or at the
 * end of the article when it is printed twice or precedes a bio. */
static void find_bare_names(run *r, const window *w) {
  char *ftitle = r->params->title ? cl_fold(r->params->title, NULL) : NULL;
  for (size_t i = w->head_from; i < w->tail_to; i++) {
    cl_unit *x = &r->u[i];
    if (!in_window(w, i) || x->role == CL_ROLE_BYLINE ||
        x->role == CL_ROLE_DROP || !cl_bare_name(r->lx, x, r->folded[i]) ||
        (ftitle && strcmp(ftitle, r->folded[i]) == 0))
      continue;
    char *nm = cl_byline_name(r->lx, x->text);
    if (!nm)
      continue;
    bool next_bio = i + 1 < r->n && cl_bio_like(r->lx, &r->u[i + 1], nm, true);
    bool tail = i >= w->tail_from;
    if (r->author && strcmp(nm, r->author) == 0) {
      x->role = CL_ROLE_DROP;
    } else if (!r->author && (next_bio || (tail && printed_twice(r, i)))) {
      x->role = CL_ROLE_BYLINE;
      r->author = nm;
      r->author_at = i;
      nm = NULL;
    }
    free(nm);
  }
  free(ftitle);
}

/* Bios: right after the article, in an author box or starting "The writer
 * is". */
static void find_bios(run *r, const window *w) {
  cl_unit *u = r->u;
  for (size_t i = r->first; i < w->tail_to; i++) {
    cl_unit *x = &u[i];
    if (x->role == CL_ROLE_BYLINE || x->role == CL_ROLE_DROP || i + 4 < r->last)
      continue; /* bios close articles */
    bool boxed = (i >= 1 && u[i - 1].bio_header) ||
                 (i >= 2 && u[i - 2].bio_header &&
                  cl_bare_name(r->lx, &u[i - 1], r->folded[i - 1]));
    if (boxed && !x->boiler && x->words >= 5 && x->words <= 150) {
      x->role = cl_strip_email_sentences(r->lx, x) ? CL_ROLE_BIO : CL_ROLE_DROP;
      if (i >= 1 && u[i - 1].role == CL_ROLE_BODY)
        u[i - 1].role = CL_ROLE_DROP; /* the name above the bio */
      continue;
    }
    bool at_end = true;
    for (size_t j = i + 1; j <= r->last && at_end; j++)
      at_end = u[j].final != CL_GOOD;
    if (cl_bio_like(r->lx, x, r->author, at_end))
      x->role = cl_strip_email_sentences(r->lx, x) ? CL_ROLE_BIO : CL_ROLE_DROP;
  }
}

/* Roles from the classes, then bylines, bios and captions inside the
 * article (kept as captions: not spoken as body, but not noise either). */
static void assign_roles(run *r) {
  for (size_t i = 0; i < r->n; i++)
    r->u[i].role = r->u[i].final == CL_GOOD ? CL_ROLE_BODY : CL_ROLE_BOILER;
  if (r->first == r->n)
    return;
  window w = byline_window(r);
  find_bylines(r, &w);
  find_bare_names(r, &w);
  find_bios(r, &w);
  for (size_t i = r->first; i <= r->last; i++) {
    cl_unit *x = &r->u[i];
    if (x->caption && x->role == CL_ROLE_BOILER && !x->boiler && x->dup_of < 0)
      x->role = CL_ROLE_CAPTION;
  }
}

/* ---- The title --------------------------------------------------------- */

/* A dateline: a month or weekday name and a number, in a short line. */
static bool date_line(const cl_lexicon *lx, const char *folded) {
  bool month = false, digit = false;
  int words = 0;
  char *buf = strdup(folded);
  if (!buf)
    return false;
  for (char *save = NULL, *w = strtok_r(buf, " ", &save); w;
       w = strtok_r(NULL, " ", &save)) {
    words++;
    month = month || cl_date_word(lx, w);
    digit = digit || isdigit((unsigned char)w[0]);
  }
  free(buf);
  return month && digit && words <= 12;
}

/* " w1 w2 ... ": the folded words of the first four good units from
 * `first` but `skip`, each between spaces. malloc'd. */
static char *opening_words(const run *r, size_t first, size_t skip) {
  size_t cap = 2;
  for (size_t i = first, k = 0; i < r->n && k < 4; i++) {
    if (r->u[i].final == CL_GOOD && i != skip) {
      cap += strlen(r->folded[i]) + 1;
      k++;
    }
  }
  char *opening = malloc(cap);
  if (!opening)
    return NULL;
  size_t used = 0;
  opening[used++] = ' ';
  for (size_t i = first, k = 0; i < r->n && k < 4; i++) {
    if (r->u[i].final == CL_GOOD && i != skip) {
      size_t l = strlen(r->folded[i]);
      memcpy(opening + used, r->folded[i], l);
      used += l;
      opening[used++] = ' ';
      k++;
    }
  }
  opening[used] = '\0';
  return opening;
}

/* Share of the candidate's longer words (4 bytes and more, or any word of
 * a script beyond ASCII) found in the opening. */
static double overlap(const char *folded, const char *opening) {
  int content = 0, found = 0;
  const char *p = folded;
  while (*p) {
    const char *e = strchr(p, ' ');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    size_t k = 0;
    if ((l >= 4 || cl_next(p, l, &k) >= 0x80) && l + 2 < 64) {
      char w[64];
      w[0] = ' ';
      memcpy(w + 1, p, l);
      w[l + 1] = ' ';
      w[l + 2] = '\0';
      content++;
      found += strstr(opening, w) != NULL;
    }
    p += l;
    while (*p == ' ')
      p++;
  }
  return content ? (double)found / content : 0;
}

/* Can unit i be the page's headline? */
static bool headline_candidate(const run *r, size_t i) {
  const cl_unit *x = &r->u[i];
  return !(x->boiler || x->byline || x->caption || x->bullet ||
           !x->heading_like || x->words < 3 || x->words > 25 ||
           x->role == CL_ROLE_BYLINE || x->role == CL_ROLE_BIO ||
           strchr(x->text, '@') || date_line(r->lx, r->folded[i]) ||
           strstr(x->text, "http") || strstr(x->text, "www.") ||
           strcspn(x->text, " /") < strcspn(x->text, " "));
}

/* The headline just before the article: a heading-like line of 3 to 25
 * words about what the article opens with (without the candidate itself
 * when it stands inside the article), preferably one the page prints twice
 * (its <title> and <h1>). */
static long best_headline(const run *r, size_t from, size_t to) {
  long best = -1;
  double best_score = 0;
  for (size_t i = from; i < to; i++) {
    if (!headline_candidate(r, i))
      continue;
    const cl_unit *x = &r->u[i];
    char *opening = opening_words(r, r->first, i > r->first ? i : r->n);
    if (!opening)
      return -1;
    double share = overlap(r->folded[i], opening);
    free(opening);
    if (share < 0.25 && x->repeats < 2)
      continue;
    size_t dist = i < r->first ? r->first - i : i - r->first;
    double score = share * 10 + (x->repeats > 1 ? 4 : 0) +
                   (i < r->first ? 1 : 0) - (double)dist * 0.1 +
                   (x->words < 10 ? x->words : 10) * 0.2;
    if (best < 0 || score > best_score) {
      best = (long)i;
      best_score = score;
    }
  }
  return best;
}

/* The unit that repeats the document's title near the article start (it
 * is dropped: the title is said once), or, when the source found no title,
 * the headline (returned; every copy of it near the start leaves the
 * body). */
static long find_title(run *r) {
  size_t first = r->first;
  size_t from = first > 15 ? first - 15 : 0;
  size_t to = first + 3 < r->n ? first + 3 : r->n;
  const char *title = r->params->title;
  if (title && title[0]) {
    char *ft = cl_fold(title, r->params->language);
    for (size_t i = from; ft && i < to; i++) {
      if (strcmp(r->folded[i], ft) == 0 && r->u[i].role == CL_ROLE_BODY) {
        r->u[i].role = CL_ROLE_DROP;
        break;
      }
    }
    free(ft);
    return -1;
  }
  long best = best_headline(r, from, to);
  for (size_t i = from; best >= 0 && i < to; i++) {
    if (strcmp(r->folded[i], r->folded[best]) == 0 &&
        r->u[i].role == CL_ROLE_BODY)
      r->u[i].role = CL_ROLE_DROP;
  }
  return best;
}

int cl_classify(cl_unit *u, size_t n, cl_params *params) {
  params->title_unit = -1;
  if (n == 0)
    return 0;
  run r = {u,    n, calloc(n, sizeof(char *)), params, params->lx, {0, 0}, n, 0,
           NULL, n};
  if (!r.folded)
    return AC_ERR_NOMEM;
  int rc = prepare(&r);
  if (rc == 0) {
    classify_units(&r);
    if (!find_good(&r))
      rescue(&r);
    if (r.first < n)
      first_card(&r);
    if (r.first < n)
      cut_tail(&r);
    assign_roles(&r);
    if (r.first < n)
      params->title_unit = find_title(&r);
  }
  free(r.author);
  for (size_t i = 0; i < n; i++)
    free(r.folded[i]);
  free(r.folded);
  return rc;
}
