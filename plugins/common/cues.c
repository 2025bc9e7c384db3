/* Captions from audio marks (see cues.h). */
#include "cues.h"

#include "textview.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unilbrk.h>
#include <uniwidth.h>

/* A place where a cue may start or end: a sentence start, a word start or
 * the sentence's end, with its time. */
typedef struct bound {
  size_t spoken;   /* byte offset in the block's spoken text */
  size_t shown;    /* the same place in the text shown */
  uint64_t sample; /* when it is spoken */
  int sentence;    /* a sentence starts here */
} bound;

typedef struct builder {
  const ac_cue_layout *layout;
  ac_cues *out;
  bound *bounds; /* of the sentence at hand */
  size_t n_bounds;
  size_t cap_bounds;
  size_t *dp_count; /* per bound: fewest cues from there to the end */
  long long *dp_cost;
  size_t *dp_next; /* where the best first cue from there ends */
  uint64_t floor;  /* start of the last cue: later starts are not earlier */
  uint32_t block;  /* of the sentence at hand */
} builder;

/* Whether code point cp takes two columns (Chinese, Japanese, Korean).
 * None before U+1100 does: most text never asks libunistring. */
static int is_wide(uint32_t cp) {
  return cp >= 0x1100 && uc_width(cp, "UTF-8") == 2;
}

/* Where the first unit of a run of n bytes without gaps ends: the whole
 * run, unless it holds characters of a script written without spaces
 * (Chinese, Japanese), where a line may break next to a wide character
 * wherever the Unicode line breaking rules allow (not before 。 or 」,
 * not after 「). The rules are applied to a window of the run, which is
 * all they look at to place the first break. */
static size_t unit_end(const char *r, size_t n) {
  const unsigned char *u = (const unsigned char *)r;
  size_t window = n < 96 ? n : ac_utf8_char_start(r, n, 96);
  /* No lead byte of a character from U+0800 on, so none as wide: most
   * text, read without decoding. */
  size_t j = 0;
  while (j < window && u[j] < 0xE0)
    j++;
  if (j == window)
    return n;
  char breaks[96];
  int computed = 0;
  uint32_t prev = 0;
  size_t i = 0;
  while (i < window) {
    uint32_t cp;
    size_t k = ac_utf8_decode(u + i, window - i, &cp);
    if (k == 0)
      return n; /* invalid UTF-8: the run stays whole */
    if (i > 0 && (is_wide(prev) || is_wide(cp))) {
      if (!computed) {
        u8_possible_linebreaks(u, window, "UTF-8", breaks);
        computed = 1;
      }
      if (breaks[i] == UC_BREAK_POSSIBLE)
        return i;
    }
    prev = cp;
    i += k;
  }
  return n;
}

/* The next unit of s[*i..end) a caption line may break before: a word,
 * or in scripts written without spaces a character or a run the line
 * breaking rules keep together. Sets [*start, *stop), whether white space
 * came before it (*spaced), and moves *i past it. Returns 0 at the end. */
static int next_unit(const char *s, size_t *i, size_t end, size_t *start,
                     size_t *stop, int *spaced) {
  size_t k = *i;
  *spaced = 0;
  while (k < end && ac_text_is_gap((unsigned char)s[k])) {
    k++;
    *spaced = 1;
  }
  if (k >= end) {
    *i = end;
    return 0;
  }
  size_t run = k;
  while (run < end && !ac_text_is_gap((unsigned char)s[run]))
    run++;
  *start = k;
  *stop = k + unit_end(s + k, run - k);
  *i = *stop;
  return 1;
}

/* Columns of s[0..n): a CJK character takes two; printable ASCII, the
 * common case, one a byte. */
static size_t columns(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] >= 0x20 && s[i] < 0x7F)
    i++;
  if (i == n)
    return n;
  int w = u8_width((const uint8_t *)s, n, "UTF-8");
  return w > 0 ? (size_t)w : 0;
}

/* Greedy wrapping, a unit at a time: the lines so far, the width of the
 * last, and the text's width with its gaps folded to one space. */
typedef struct wrap_state {
  size_t lines, line, total;
} wrap_state;

static void wrap_add(wrap_state *ws, size_t w, int spaced, size_t width) {
  size_t gap = spaced ? 1 : 0;
  if (ws->lines == 0) {
    ws->lines = 1;
    ws->line = w;
  } else if (ws->line + gap + w <= width) {
    ws->line += gap + w;
  } else {
    ws->lines++;
    ws->line = w;
  }
  ws->total += (ws->total ? gap : 0) + w;
}

size_t ac_cue_wrap_count(const char *s, size_t n, size_t width, size_t *chars) {
  wrap_state ws = {0, 0, 0};
  size_t i = 0, start, stop;
  int spaced;
  while (next_unit(s, &i, n, &start, &stop, &spaced))
    wrap_add(&ws, columns(s + start, stop - start), spaced, width);
  if (chars)
    *chars = ws.total;
  return ws.lines;
}

/* The units of s[0..n) as caption lines see them, measured once for a cue
 * that is tried at many widths: the columns of each, and whether white
 * space came before it. */
typedef struct unit_widths {
  size_t *columns;
  unsigned char *spaced;
  size_t n;
} unit_widths;

static int measure_units(const char *s, size_t n, unit_widths *u) {
  /* A unit takes at least one byte: n of them at most. */
  u->n = 0;
  u->columns = malloc((n ? n : 1) * sizeof *u->columns);
  u->spaced = malloc(n ? n : 1);
  if (!u->columns || !u->spaced) {
    free(u->columns);
    free(u->spaced);
    return AC_ERR_NOMEM;
  }
  size_t i = 0, start, stop;
  int spaced;
  while (next_unit(s, &i, n, &start, &stop, &spaced)) {
    u->columns[u->n] = columns(s + start, stop - start);
    u->spaced[u->n++] = (unsigned char)spaced;
  }
  return AC_ERR_OK;
}

static void free_units(unit_widths *u) {
  free(u->columns);
  free(u->spaced);
}

/* ac_cue_wrap_count of measured units. */
static size_t wrap_units(const unit_widths *u, size_t width, size_t *chars) {
  wrap_state ws = {0, 0, 0};
  for (size_t k = 0; k < u->n; k++)
    wrap_add(&ws, u->columns[k], u->spaced[k], width);
  if (chars)
    *chars = ws.total;
  return ws.lines;
}

/* Whether s[a..b) holds anything but gaps. */
static int visible(const char *s, size_t a, size_t b) {
  for (size_t i = a; i < b; i++)
    if (!ac_text_is_gap((unsigned char)s[i]))
      return 1;
  return 0;
}

/* Whether s[a..b) ends, before its trailing gaps, with a clause break
 * (comma, semicolon, colon, closing parenthesis, en or em dash, their
 * CJK forms, the Arabic comma), or is Thai followed by white space, which
 * in Thai separates phrases and sentences: the natural place to split a
 * long sentence. */
static int ends_clause(const char *s, size_t a, size_t b) {
  size_t end = b;
  while (b > a && ac_text_is_gap((unsigned char)s[b - 1]))
    b--;
  if (b == a)
    return 0;
  size_t from = ac_utf8_char_start(s + a, b - a, b - a - 1) + a;
  uint32_t c;
  if (ac_utf8_decode((const unsigned char *)s + from, b - from, &c) == 0)
    return 0;
  switch (c) {
  case ',':
  case ';':
  case ':':
  case ')':
  case 0x060C: /* ، */
  case 0x061B: /* ؛ */
  case 0x2013: /* – */
  case 0x2014: /* — */
  case 0x3001: /* 、 */
  case 0xFF09: /* ） */
  case 0xFF0C: /* ， */
  case 0xFF1A: /* ： */
  case 0xFF1B: /* ； */
    return 1;
  default:
    return end > b && c >= 0x0E01 && c <= 0x0E5B; /* Thai, then a space */
  }
}

/* Whether c opens a quotation or a bracket: ( [ { « “ „ 「 and the
 * like. ASCII ' and " may close one too, and count only after white
 * space. */
static int opens(uint32_t c, int after_gap) {
  if (c == '\'' || c == '"')
    return after_gap;
  return c == 0xBF || c == 0xA1 || /* ¿ ¡ */
         uc_is_general_category(c, UC_CATEGORY_Ps) ||
         uc_is_general_category(c, UC_CATEGORY_Pi);
}

/* A synthesizer marks a word at its first letter; the quotation marks
 * and brackets that open it go with it ("'intltoolize'" is not split
 * after its first quote). Returns where s's word at `at` starts. */
static size_t with_openers(const char *s, size_t at) {
  size_t p = at;
  while (p > 0) {
    size_t q = ac_utf8_char_start(s, p, p - 1);
    uint32_t c;
    if (ac_utf8_decode((const unsigned char *)s + q, p - q, &c) == 0 ||
        !opens(c, q == 0 || ac_text_is_gap((unsigned char)s[q - 1])))
      break;
    p = q;
  }
  return p;
}

static int push_bound(builder *bd, size_t spoken, uint64_t sample,
                      int sentence) {
  if (bd->n_bounds == bd->cap_bounds) {
    size_t cap = bd->cap_bounds ? 2 * bd->cap_bounds : 64;
    bound *b = realloc(bd->bounds, cap * sizeof *b);
    if (!b)
      return AC_ERR_NOMEM;
    bd->bounds = b;
    size_t *count = realloc(bd->dp_count, cap * sizeof *count);
    if (!count)
      return AC_ERR_NOMEM;
    bd->dp_count = count;
    long long *cost = realloc(bd->dp_cost, cap * sizeof *cost);
    if (!cost)
      return AC_ERR_NOMEM;
    bd->dp_cost = cost;
    size_t *next = realloc(bd->dp_next, cap * sizeof *next);
    if (!next)
      return AC_ERR_NOMEM;
    bd->dp_next = next;
    bd->cap_bounds = cap;
  }
  bd->bounds[bd->n_bounds++] =
      (bound){.spoken = spoken, .sample = sample, .sentence = sentence};
  return AC_ERR_OK;
}

/* The first and the end of the visible bytes of s[a..b). */
static size_t trim_start(const char *s, size_t a, size_t b) {
  while (a < b && ac_text_is_gap((unsigned char)s[a]))
    a++;
  return a;
}

static size_t trim_end(const char *s, size_t a, size_t b) {
  while (b > a && ac_text_is_gap((unsigned char)s[b - 1]))
    b--;
  return b;
}

/* Adds a cue showing s[a..b), its lines balanced: as many as greedy
 * wrapping at max_line needs, at the narrowest width that needs no more. */
static int add_cue(builder *bd, const char *s, size_t a, size_t b,
                   uint64_t start, uint64_t end) {
  size_t max_line = bd->layout->max_line, chars;
  unit_widths u;
  if (measure_units(s + a, b - a, &u) != AC_ERR_OK)
    return AC_ERR_NOMEM;
  size_t lines = wrap_units(&u, max_line, &chars);
  size_t width = max_line;
  for (size_t w = chars / (lines ? lines : 1); lines > 1 && w < max_line; w++) {
    if (wrap_units(&u, w, NULL) <= lines) {
      width = w;
      break;
    }
  }
  free_units(&u);
  ac_textbuf text = {0};
  size_t i = a, ws, we, line = 0;
  int first = 1, spaced;
  while (next_unit(s, &i, b, &ws, &we, &spaced)) {
    size_t w = columns(s + ws, we - ws);
    size_t gap = spaced ? 1 : 0;
    if (first) {
      line = w;
    } else if (line + gap + w <= width) {
      if (gap)
        ac_textbuf_add(&text, " ", 1);
      line += gap + w;
    } else {
      ac_textbuf_add(&text, "\n", 1);
      line = w;
    }
    ac_textbuf_add(&text, s + ws, we - ws);
    first = 0;
  }
  if (text.oom || !text.data) {
    ac_textbuf_free(&text);
    return AC_ERR_NOMEM;
  }
  ac_cues *out = bd->out;
  if (out->count == out->cap) {
    size_t cap = out->cap ? 2 * out->cap : 64;
    ac_cue *grown = realloc(out->items, cap * sizeof *grown);
    if (!grown) {
      ac_textbuf_free(&text);
      return AC_ERR_NOMEM;
    }
    out->items = grown;
    out->cap = cap;
  }
  out->items[out->count++] = (ac_cue){.start = start,
                                      .end = end < start ? start : end,
                                      .text = text.data,
                                      .block = bd->block,
                                      .shown_start = trim_start(s, a, b),
                                      .shown_end = trim_end(s, a, b)};
  bd->floor = start;
  return AC_ERR_OK;
}

/* Turns the bounds of one sentence, or of short ones and the sentence
 * they join, into cues; the last bound is the end. */
static int sentence_cues(builder *bd, const ac_text_view *v) {
  bound *b = bd->bounds;
  size_t n = bd->n_bounds;
  const char *s = v->shown;
  for (size_t k = 0; k < n; k++) {
    b[k].shown = with_openers(s, ac_text_view_offset(v, b[k].spoken));
    if (k > 0 && b[k].shown < b[k - 1].shown)
      b[k].shown = b[k - 1].shown;
  }
  if (b[0].sample < bd->floor)
    b[0].sample = bd->floor;
  bound end = b[n - 1];
  if (end.sample < b[0].sample)
    end.sample = b[0].sample;
  /* Keep the word bounds that start a piece with something to show and
   * time to show it: a word inside a written form that was spoken as
   * several words ("$5" as "five dollars") is no place to split, nor is a
   * mark whose time does not move forward. */
  size_t kept = 1;
  for (size_t k = 1; k + 1 < n; k++) {
    const bound *last = &b[kept - 1];
    if (b[k].sample > last->sample && visible(s, last->shown, b[k].shown))
      b[kept++] = b[k];
  }
  /* The last piece must also show something and take time; else it joins
   * the one before. */
  while (kept > 1 && (end.sample <= b[kept - 1].sample ||
                      !visible(s, b[kept - 1].shown, end.shown)))
    kept--;
  if (!visible(s, b[0].shown, end.shown))
    return AC_ERR_OK; /* nothing to show (punctuation only) */
  b[kept++] = end;

  /* Choose where to split: the fewest cues that fit (a piece too long on
   * its own makes a cue of its own), then the most even lengths, with a
   * bonus for splitting between sentences or at a clause break. Costs run
   * from the end. */
  size_t pieces = kept - 1;
  size_t max_line = bd->layout->max_line, max_lines = bd->layout->max_lines;
  long long room = (long long)(max_line * max_lines);
  long long bonus = (long long)(max_line / 2) * (long long)(max_line / 2);
  size_t *count = bd->dp_count, *next = bd->dp_next;
  long long *cost = bd->dp_cost;
  count[pieces] = 0;
  cost[pieces] = 0;
  for (size_t a = pieces; a-- > 0;) {
    count[a] = SIZE_MAX;
    cost[a] = 0;
    next[a] = a + 1;
    for (size_t c = a + 1; c <= pieces; c++) {
      size_t chars;
      size_t lines = ac_cue_wrap_count(s + b[a].shown, b[c].shown - b[a].shown,
                                       max_line, &chars);
      int fits = lines <= max_lines;
      if (!fits && c > a + 1)
        break; /* longer stretches need even more lines */
      long long slack =
          fits && (long long)chars < room ? room - (long long)chars : 0;
      long long total = slack * slack + cost[c];
      if (c < pieces &&
          (b[c].sentence || ends_clause(s, b[a].shown, b[c].shown)))
        total -= bonus;
      size_t cues = 1 + count[c];
      if (cues < count[a] || (cues == count[a] && total < cost[a])) {
        count[a] = cues;
        cost[a] = total;
        next[a] = c;
      }
    }
  }
  for (size_t a = 0; a < pieces; a = next[a]) {
    size_t c = next[a];
    int rc = add_cue(bd, s, b[a].shown, b[c].shown, b[a].sample, b[c].sample);
    if (rc)
      return rc;
  }
  return AC_ERR_OK;
}

/* Words shown for spoken bytes [a, b) of a block (in Chinese and
 * Japanese, characters). */
static size_t count_words(const ac_text_view *v, size_t a, size_t b) {
  size_t i = ac_text_view_offset(v, a), end = ac_text_view_offset(v, b), n = 0,
         ws, we;
  int spaced;
  while (next_unit(v->shown, &i, end, &ws, &we, &spaced))
    n++;
  return n;
}

/* A sentence of this many words or fewer shares its cue with the next
 * one of its block when they fit together: a synth that ends sentences
 * at abbreviations and initials ("Since Oct." "2024, ...", "J." "R."
 * "Okafor") would otherwise flash a cue of one word. */
#define SHORT_SENTENCE_WORDS 2

int ac_cues_build(const ac_document *doc, const ac_mark *marks, size_t n,
                  uint64_t total_frames, const ac_cue_layout *layout,
                  ac_cues *out) {
  builder bd = {.layout = layout, .out = out};
  int rc = AC_ERR_OK;
  size_t last_fallback = SIZE_MAX;
  for (size_t i = 0; i < n && rc == AC_ERR_OK; i++) {
    const ac_mark *m = &marks[i];
    if ((m->kind != AC_MARK_SENTENCE && m->kind != AC_MARK_BLOCK) ||
        m->block >= doc->n_blocks || !doc->blocks[m->block].text)
      continue;
    const ac_block *blk = &doc->blocks[m->block];
    ac_text_view v;
    ac_text_view_init(&v, blk);
    if (v.fallback && last_fallback != m->block) {
      out->fallbacks++;
      last_fallback = m->block;
    }
    size_t len = v.spoken_len;
    size_t start = m->kind == AC_MARK_BLOCK ? 0 : m->text_offset;
    if (start > len)
      start = len;
    /* The sentence ends at the next mark that is not a word. */
    size_t j = i + 1;
    while (j < n && marks[j].kind == AC_MARK_WORD)
      j++;
    uint64_t end_sample = j < n ? marks[j].sample : total_frames;
    size_t end = len;
    int more = j < n && marks[j].kind == AC_MARK_SENTENCE &&
               marks[j].block == m->block;
    if (more && marks[j].text_offset < len)
      end = marks[j].text_offset < start ? start : marks[j].text_offset;
    size_t words = count_words(&v, start, end);
    if (bd.n_bounds == 0) {
      if (words == 0)
        continue; /* nothing to show: text before the first sentence */
      rc = push_bound(&bd, start, m->sample, 0);
    } else if (start > bd.bounds[bd.n_bounds - 1].spoken) {
      /* The sentence after a short one, in the same cue group. */
      rc = push_bound(&bd, start, m->sample, 1);
    }
    for (size_t k = i + 1; k < j && rc == AC_ERR_OK; k++) {
      const ac_mark *w = &marks[k];
      if (w->block == m->block &&
          w->text_offset > bd.bounds[bd.n_bounds - 1].spoken &&
          w->text_offset < end)
        rc = push_bound(&bd, w->text_offset, w->sample, 0);
    }
    if (rc != AC_ERR_OK || (more && words <= SHORT_SENTENCE_WORDS))
      continue; /* the next sentence joins this one */
    rc = push_bound(&bd, end, end_sample, 0);
    bd.block = m->block;
    if (rc == AC_ERR_OK)
      rc = sentence_cues(&bd, &v);
    bd.n_bounds = 0;
  }
  free(bd.bounds);
  free(bd.dp_count);
  free(bd.dp_cost);
  free(bd.dp_next);
  return rc;
}

void ac_cues_free(ac_cues *cues) {
  for (size_t i = 0; i < cues->count; i++)
    free(cues->items[i].text);
  free(cues->items);
  memset(cues, 0, sizeof *cues);
}

uint64_t ac_frames_ms(uint64_t frames, int sample_rate) {
  uint64_t r = (uint64_t)(sample_rate > 0 ? sample_rate : 1000);
  return frames / r * 1000 + ((frames % r) * 1000 + r / 2) / r;
}

void ac_cues_set_ms(ac_cues *cues, int sample_rate) {
  uint64_t floor = 0;
  for (size_t i = 0; i < cues->count; i++) {
    ac_cue *c = &cues->items[i];
    c->start_ms = ac_frames_ms(c->start, sample_rate);
    if (c->start_ms < floor)
      c->start_ms = floor;
    c->end_ms = ac_frames_ms(c->end, sample_rate);
    if (c->end_ms <= c->start_ms)
      c->end_ms = c->start_ms + 1;
    floor = c->start_ms;
  }
}

void ac_cue_id(size_t index, char *out) {
  snprintf(out, AC_CUE_ID_SIZE, "s%zu", index + 1);
}
