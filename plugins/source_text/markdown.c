/*
 * Markdown blocks: a line-based reading of CommonMark's block structure,
 * reduced to what an article needs and a listener can hear.
 *
 * Kept: ATX and setext headings (with level), paragraphs (soft-wrapped
 * lines joined with spaces), block quotes (one AC_BLOCK_QUOTE per quoted
 * paragraph), list items (one AC_BLOCK_LIST_ITEM each, continuation lines
 * joined) and table rows (cells joined with "; "). Dropped: fenced and
 * indented code, HTML comments, <script>, <style> and <pre> blocks,
 * horizontal rules and link reference definitions.
 *
 * Then, on the whole document: the first H1 becomes the title when the
 * front matter gave none, and is dropped when it repeats the front matter
 * title; an emphasised "By ..." paragraph right after the title becomes the
 * byline; an emphasised paragraph about the author at the end becomes the
 * bio.
 */
#include "source_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the current line may continue. */
enum { OPEN_NONE, OPEN_PARA, OPEN_ITEM, OPEN_QUOTE, OPEN_TABLE };

#define MAX_LIST_DEPTH 16

/* A block as read, before inline processing. */
typedef struct md_block {
  ac_block_kind kind;
  int level;
  ac_strbuf raw;  /* its source lines, joined with '\n' */
  ac_strbuf text; /* the speakable text */
  int lines;      /* number of source lines in raw */
  int emph;       /* the whole block is one emphasised span */
  int drop;
} md_block;

typedef struct md {
  st_ctx *c;
  md_block *b;
  size_t n, cap;
  int open;
  int after_blank;
  size_t list_ci[MAX_LIST_DEPTH]; /* content columns of the open lists */
  size_t n_list;
  char fence_char; /* inside a fenced code block when fence_len > 0 */
  size_t fence_len;
  const char *html_end; /* inside a raw HTML block until this tag */
  int in_comment;       /* inside a multi-line <!-- comment --> */
} md;

/* ---- Line classification ----------------------------------------------- */

/* Columns of leading indentation (tabs to the next multiple of 4) and the
 * byte offset of the first other character. */
static size_t indentation(const char *s, size_t len, size_t *off) {
  size_t col = 0, i = 0;
  for (; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
    col = s[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
  *off = i;
  return col;
}

/* "# Heading ##": level and the heading text without the markers. */
static int atx_heading(const char *t, size_t tl, int *level, const char **h,
                       size_t *hl) {
  size_t n = 0;
  while (n < tl && t[n] == '#')
    n++;
  if (n < 1 || n > 6 || (n < tl && t[n] != ' ' && t[n] != '\t'))
    return 0;
  const char *s = t + n;
  size_t len = tl - n;
  st_trim(&s, &len);
  /* A closing run of '#' preceded by a space (or making up the whole text)
   * is not part of the heading. */
  size_t e = len;
  while (e > 0 && s[e - 1] == '#')
    e--;
  if (e < len && (e == 0 || s[e - 1] == ' ' || s[e - 1] == '\t')) {
    len = e;
    st_trim(&s, &len);
  }
  *level = (int)n;
  *h = s;
  *hl = len;
  return 1;
}

/* "===" or "---" under a paragraph: 1 or 2, else 0. */
static int setext_underline(const char *t, size_t tl) {
  if (tl == 0 || (t[0] != '=' && t[0] != '-'))
    return 0;
  size_t i = 0;
  while (i < tl && t[i] == t[0])
    i++;
  if (!st_is_blank(t + i, tl - i))
    return 0;
  return t[0] == '=' ? 1 : 2;
}

/* "---", "* * *", "___": a horizontal rule. */
static int thematic_break(const char *t, size_t tl) {
  if (tl == 0 || (t[0] != '-' && t[0] != '*' && t[0] != '_'))
    return 0;
  size_t count = 0;
  for (size_t i = 0; i < tl; i++) {
    if (t[i] == t[0])
      count++;
    else if (t[i] != ' ' && t[i] != '\t')
      return 0;
  }
  return count >= 3;
}

/* "```lang" or "~~~": the fence character and length. */
static int fence_open(const char *t, size_t tl, char *ch, size_t *n) {
  if (tl < 3 || (t[0] != '`' && t[0] != '~'))
    return 0;
  size_t k = 0;
  while (k < tl && t[k] == t[0])
    k++;
  if (k < 3 || (t[0] == '`' && memchr(t + k, '`', tl - k)))
    return 0;
  *ch = t[0];
  *n = k;
  return 1;
}

static int fence_close(const char *s, size_t len, char ch, size_t n) {
  st_trim(&s, &len);
  size_t k = 0;
  while (k < len && s[k] == ch)
    k++;
  return k >= n && k == len;
}

/* A list marker ("- ", "* ", "+ ", "1. ", "1) "): sets the marker width,
 * the bytes of spacing to skip before the item text (never past the end of
 * the line), the columns from the marker to the item's content, whether it
 * is ordered and its number. */
static int list_marker(const char *t, size_t tl, size_t *width, size_t *pad,
                       size_t *content, int *ordered, long *number) {
  size_t w = 0;
  *ordered = 0;
  *number = 0;
  if (tl && (t[0] == '-' || t[0] == '*' || t[0] == '+')) {
    w = 1;
  } else {
    while (w < tl && w < 9 && t[w] >= '0' && t[w] <= '9')
      *number = *number * 10 + (t[w++] - '0');
    if (w == 0 || w >= tl || (t[w] != '.' && t[w] != ')'))
      return 0;
    w++;
    *ordered = 1;
  }
  if (w < tl && t[w] != ' ' && t[w] != '\t')
    return 0;
  size_t p = 0;
  while (w + p < tl && (t[w + p] == ' ' || t[w + p] == '\t'))
    p++;
  *width = w;
  *pad = p;
  /* An empty item, or one whose text is indented code, has its content one
   * column after the marker. */
  *content = w + ((w + p == tl || p > 4) ? 1 : p);
  return 1;
}

/* "|---|:--:|": the delimiter row of a table. */
static int table_delimiter(const char *t, size_t tl) {
  int pipe = 0, dash = 0;
  for (size_t i = 0; i < tl; i++) {
    if (t[i] == '|')
      pipe = 1;
    else if (t[i] == '-')
      dash = 1;
    else if (t[i] != ':' && t[i] != ' ' && t[i] != '\t')
      return 0;
  }
  return pipe && dash;
}

/* The closing tag of an HTML block whose content is never spoken. */
static const char *raw_html_block(const char *t, size_t tl) {
  static const char *const tags[][2] = {{"<script", "</script>"},
                                        {"<style", "</style>"},
                                        {"<pre", "</pre>"},
                                        {"<textarea", "</textarea>"}};
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
    size_t n = strlen(tags[i][0]);
    if (st_prefix_ci(t, tl, tags[i][0]) &&
        (tl == n || t[n] == ' ' || t[n] == '>' || t[n] == '\t'))
      return tags[i][1];
  }
  return NULL;
}

/* True when [s, s + len) holds `pat` (exact bytes). */
static int has_bytes(const char *s, size_t len, const char *pat) {
  size_t n = strlen(pat);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(s + i, pat, n) == 0)
      return 1;
  return 0;
}

static int contains_ci(const char *s, size_t len, const char *pat) {
  size_t n = strlen(pat);
  for (size_t i = 0; i + n <= len; i++)
    if (st_prefix_ci(s + i, len - i, pat))
      return 1;
  return 0;
}

int st_looks_markdown(const st_line *lines, size_t n) {
  if (st_front_matter_plausible(lines, n))
    return 1;
  for (size_t i = 0; i < n; i++) {
    size_t off, ind = indentation(lines[i].s, lines[i].len, &off);
    const char *t = lines[i].s + off, *h;
    size_t tl = lines[i].len - off, hl;
    int level;
    if (ind > 3)
      continue;
    if (atx_heading(t, tl, &level, &h, &hl) && hl > 0)
      return 1;
    /* "Title\n=====": three or more '=' under a line of text. */
    if (i > 0 && tl >= 3 && setext_underline(t, tl) == 1 &&
        !st_is_blank(lines[i - 1].s, lines[i - 1].len))
      return 1;
  }
  return 0;
}

/* ---- Building blocks ------------------------------------------------------
 */

static md_block *new_block(md *m, ac_block_kind kind, int level) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 32;
    md_block *b = realloc(m->b, cap * sizeof *b);
    if (!b)
      return NULL;
    m->b = b;
    m->cap = cap;
  }
  md_block *b = &m->b[m->n++];
  memset(b, 0, sizeof *b);
  b->kind = kind;
  b->level = level;
  return b;
}

static int add_line(md_block *b, const char *s, size_t len) {
  st_trim(&s, &len);
  if (b->raw.len && ac_strbuf_addc(&b->raw, '\n') != 0)
    return -1;
  b->lines++;
  return ac_strbuf_add(&b->raw, s, len);
}

/* A complete one-line block (heading, quoted heading, table row). */
static int add_whole(md *m, ac_block_kind kind, int level, const char *s,
                     size_t len) {
  md_block *b = new_block(m, kind, level);
  if (!b || add_line(b, s, len) != 0)
    return -1;
  m->open = OPEN_NONE;
  return 0;
}

/* Opens a block that later lines may continue. */
static int open_block(md *m, int open, ac_block_kind kind, const char *s,
                      size_t len) {
  md_block *b = new_block(m, kind, 0);
  if (!b || add_line(b, s, len) != 0)
    return -1;
  m->open = open;
  return 0;
}

static int continue_block(md *m, const char *s, size_t len) {
  return add_line(&m->b[m->n - 1], s, len);
}

/* Cells of a table row joined with "; ", so the row reads as a list. */
static int table_row(md *m, const char *s, size_t len) {
  ac_strbuf row = {0};
  st_trim(&s, &len);
  if (len && s[0] == '|')
    s++, len--;
  if (len && s[len - 1] == '|' && (len < 2 || s[len - 2] != '\\'))
    len--;
  size_t start = 0;
  int rc = ac_strbuf_add(&row, "", 0);
  for (size_t i = 0; i <= len && rc == 0; i++) {
    if (i < len && s[i] == '\\' && i + 1 < len) {
      i++;
      continue;
    }
    if (i < len && s[i] != '|')
      continue;
    const char *cell = s + start;
    size_t cl = i - start;
    st_trim(&cell, &cl);
    if (cl) {
      if (row.len)
        rc = ac_strbuf_add(&row, "; ", 2);
      if (rc == 0)
        rc = ac_strbuf_add(&row, cell, cl);
    }
    start = i + 1;
  }
  if (rc == 0 && row.len)
    rc = add_whole(m, AC_BLOCK_PARAGRAPH, 0, row.data, row.len);
  ac_strbuf_free(&row);
  return rc;
}

/* Drops "[ ] " or "[x] " at the start of a task list item. */
static void strip_task_box(const char **s, size_t *len) {
  if (*len >= 4 && (*s)[0] == '[' && strchr(" xX", (*s)[1]) && (*s)[2] == ']' &&
      ((*s)[3] == ' ' || (*s)[3] == '\t')) {
    *s += 4;
    *len -= 4;
  }
}

/* ---- The line loop ---------------------------------------------------------
 */

/* A '>' line: one quote block per quoted paragraph, heading or item. */
static int quote_line(md *m, const char *t, size_t tl) {
  /* Strip '>' markers, nested ones too, with one optional space each. */
  while (tl && t[0] == '>') {
    t++, tl--;
    if (tl && (t[0] == ' ' || t[0] == '\t'))
      t++, tl--;
    while (tl && (t[0] == ' ' || t[0] == '\t') && tl > 1 && t[1] == '>')
      t++, tl--;
  }
  st_trim(&t, &tl);
  int level;
  const char *h;
  size_t hl, w, pad, content;
  int ordered;
  long num;
  if (tl == 0 || thematic_break(t, tl)) {
    m->open = OPEN_NONE; /* "> " alone ends a quoted paragraph */
    return 0;
  }
  if (atx_heading(t, tl, &level, &h, &hl))
    return add_whole(m, AC_BLOCK_QUOTE, 0, h, hl);
  if (list_marker(t, tl, &w, &pad, &content, &ordered, &num)) {
    const char *item = t + w;
    size_t il = tl - w;
    st_trim(&item, &il);
    return open_block(m, OPEN_QUOTE, AC_BLOCK_QUOTE, item, il);
  }
  if (m->open == OPEN_QUOTE)
    return continue_block(m, t, tl);
  return open_block(m, OPEN_QUOTE, AC_BLOCK_QUOTE, t, tl);
}

/* Removes <!-- comments --> from a line into `out`, tracking comments that
 * span lines. Returns 0 or -1. */
static int strip_comments(md *m, const char *s, size_t len, ac_strbuf *out) {
  size_t i = 0;
  out->len = 0;
  if (ac_strbuf_add(out, "", 0) != 0)
    return -1;
  while (i < len) {
    if (m->in_comment) {
      size_t k = i;
      while (k + 3 <= len && memcmp(s + k, "-->", 3) != 0)
        k++;
      if (k + 3 > len)
        return 0; /* the comment goes on */
      m->in_comment = 0;
      i = k + 3;
      continue;
    }
    if (i + 4 <= len && memcmp(s + i, "<!--", 4) == 0) {
      m->in_comment = 1;
      i += 4;
      continue;
    }
    if (ac_strbuf_addc(out, s[i]) != 0)
      return -1;
    i++;
  }
  return 0;
}

static int md_line(md *m, const char *s, size_t len) {
  size_t off, indent = indentation(s, len, &off);
  const char *t = s + off;
  size_t tl = len - off;
  int level;
  const char *h;
  size_t hl, w, pad, content;
  int ordered;
  long num;
  int blank_before = m->after_blank;
  m->after_blank = 0;

  /* Inside a list item when indented to its content: block structure is
   * read relative to the item. */
  size_t eff = indent;
  int in_item = 0;
  if (m->n_list && indent >= m->list_ci[0]) {
    size_t lv = m->n_list;
    while (lv > 1 && m->list_ci[lv - 1] > indent)
      lv--;
    eff = indent - m->list_ci[lv - 1];
    in_item = 1;
  }
  int marker = eff < 4 && !thematic_break(t, tl) &&
               list_marker(t, tl, &w, &pad, &content, &ordered, &num);
  if (!in_item && !marker && (blank_before || m->open != OPEN_ITEM))
    m->n_list = 0; /* back at the left margin: the list is over */

  int lazy =
      m->open == OPEN_PARA || m->open == OPEN_ITEM || m->open == OPEN_QUOTE;
  if (eff >= 4) {
    if (lazy && !blank_before)
      return continue_block(m, t, tl); /* code cannot interrupt text */
    m->open = OPEN_NONE;               /* indented code: not spoken */
    return 0;
  }

  if (m->open == OPEN_TABLE) {
    if (memchr(t, '|', tl))
      return table_row(m, t, tl);
    m->open = OPEN_NONE;
  }
  if (fence_open(t, tl, &m->fence_char, &m->fence_len)) {
    m->open = OPEN_NONE;
    return 0;
  }
  if (atx_heading(t, tl, &level, &h, &hl)) {
    if (!in_item)
      m->n_list = 0;
    return add_whole(m, AC_BLOCK_HEADING, level, h, hl);
  }
  if (m->open == OPEN_PARA && (level = setext_underline(t, tl)) > 0) {
    md_block *b = &m->b[m->n - 1];
    b->kind = AC_BLOCK_HEADING;
    b->level = level;
    m->open = OPEN_NONE;
    return 0;
  }
  if (thematic_break(t, tl)) {
    m->open = OPEN_NONE;
    return 0;
  }
  if (t[0] == '>')
    return quote_line(m, t, tl);
  if (marker) {
    const char *item = t + w + pad;
    size_t il = tl - w - pad;
    int empty = st_is_blank(item, il);
    /* Only a bullet or "1." with text can interrupt a paragraph, so a
     * wrapped line that starts "2019. " stays in its sentence. */
    if (m->open == OPEN_PARA && (empty || (ordered && num != 1)))
      return continue_block(m, t, tl);
    size_t ci = indent + content;
    while (m->n_list && m->list_ci[m->n_list - 1] > indent)
      m->n_list--;
    if (m->n_list < MAX_LIST_DEPTH)
      m->list_ci[m->n_list++] = ci;
    strip_task_box(&item, &il);
    return open_block(m, OPEN_ITEM, AC_BLOCK_LIST_ITEM, item, il);
  }
  if (m->open == OPEN_PARA && m->b[m->n - 1].lines == 1 &&
      memchr(m->b[m->n - 1].raw.data, '|', m->b[m->n - 1].raw.len) &&
      table_delimiter(t, tl)) {
    /* The paragraph was a table's header row. */
    md_block *b = &m->b[--m->n];
    ac_strbuf head = b->raw;
    int rc = table_row(m, head.data, head.len);
    ac_strbuf_free(&head);
    if (rc == 0)
      m->open = OPEN_TABLE;
    return rc;
  }
  if ((m->html_end = raw_html_block(t, tl)) != NULL) {
    m->open = OPEN_NONE;
    if (contains_ci(t, tl, m->html_end))
      m->html_end = NULL; /* opened and closed on one line */
    return 0;
  }
  if (t[0] == '[' && m->open != OPEN_PARA) {
    const char *rb = memchr(t, ']', tl);
    if (rb && (size_t)(rb - t) + 1 < tl && rb[1] == ':') {
      if (tl > 1 && t[1] == '^') { /* footnote: its text is a paragraph */
        const char *ft = rb + 2;
        size_t fl = tl - (size_t)(ft - t);
        return open_block(m, OPEN_PARA, AC_BLOCK_PARAGRAPH, ft, fl);
      }
      m->open = OPEN_NONE; /* link reference definition */
      return 0;
    }
  }
  if (lazy && !blank_before)
    return continue_block(m, t, tl);
  if (in_item && m->n && m->b[m->n - 1].kind == AC_BLOCK_LIST_ITEM) {
    /* A further paragraph of the list item: part of the same item. */
    m->open = OPEN_ITEM;
    return continue_block(m, t, tl);
  }
  return open_block(m, OPEN_PARA, AC_BLOCK_PARAGRAPH, t, tl);
}

static int read_lines(md *m, const st_line *lines, size_t n, size_t start) {
  ac_strbuf scratch = {0};
  int rc = 0;
  for (size_t i = start; i < n && rc == 0; i++) {
    const char *s = lines[i].s;
    size_t len = lines[i].len;
    if (m->fence_len) {
      if (fence_close(s, len, m->fence_char, m->fence_len))
        m->fence_len = 0;
      continue;
    }
    if (m->html_end) {
      if (contains_ci(s, len, m->html_end))
        m->html_end = NULL;
      continue;
    }
    int had_text = !st_is_blank(s, len);
    if (m->in_comment || has_bytes(s, len, "<!--")) {
      if (strip_comments(m, s, len, &scratch) != 0) {
        rc = -1;
        break;
      }
      s = scratch.data;
      len = scratch.len;
      if (had_text && st_is_blank(s, len)) {
        m->open = OPEN_NONE; /* a comment line ends a paragraph */
        continue;
      }
    }
    if (st_is_blank(s, len)) {
      m->open = OPEN_NONE;
      m->after_blank = 1;
      continue;
    }
    rc = md_line(m, s, len);
  }
  ac_strbuf_free(&scratch);
  return rc;
}

/* ---- Whole-document rules ---------------------------------------------------
 */

/* True when the raw block is one emphasised span: "*...*", "_..._",
 * "**...**" and so on, with no run of the same kind closing it early. */
static int whole_emphasis(const char *s, size_t len) {
  st_trim(&s, &len);
  if (len < 3 || (s[0] != '*' && s[0] != '_'))
    return 0;
  char c = s[0];
  size_t k = 0;
  while (k < len && s[k] == c)
    k++;
  if (k > 3 || len < 2 * k + 1)
    return 0;
  size_t e = 0;
  while (e < len && s[len - 1 - e] == c)
    e++;
  if (e != k || st_space_len(s + k, s + len) ||
      st_space_len(s + len - k - 1, s + len - k) == 1)
    return 0;
  for (size_t i = k; i < len - k;) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    size_t r = 0;
    while (i + r < len - k && s[i + r] == c)
      r++;
    if (r == k)
      return 0;
    i += r ? r : 1;
  }
  return 1;
}

/* Compares two titles ignoring case, spacing and punctuation, so "The
 * Bridge" matches "The bridge." and curly quotes match straight ones. */
static int same_title(const char *a, const char *b) {
  for (;;) {
    while (*a && !((unsigned char)*a >= 0x80 || (*a >= '0' && *a <= '9') ||
                   ((*a | 0x20) >= 'a' && (*a | 0x20) <= 'z')))
      a++;
    while (*b && !((unsigned char)*b >= 0x80 || (*b >= '0' && *b <= '9') ||
                   ((*b | 0x20) >= 'a' && (*b | 0x20) <= 'z')))
      b++;
    /* General punctuation (U+2000..U+206F) and no-break spaces too. */
    if ((unsigned char)a[0] == 0xE2 && ((unsigned char)a[1] & 0xFE) == 0x80) {
      a += 3;
      continue;
    }
    if ((unsigned char)b[0] == 0xE2 && ((unsigned char)b[1] & 0xFE) == 0x80) {
      b += 3;
      continue;
    }
    if ((unsigned char)a[0] == 0xC2 && (unsigned char)a[1] == 0xA0) {
      a += 2;
      continue;
    }
    if ((unsigned char)b[0] == 0xC2 && (unsigned char)b[1] == 0xA0) {
      b += 2;
      continue;
    }
    if (!*a || !*b)
      return !*a && !*b;
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z')
      x = (char)(x | 0x20);
    if (y >= 'A' && y <= 'Z')
      y = (char)(y | 0x20);
    if (x != y)
      return 0;
    a++, b++;
  }
}

static int word_char(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') ||
         ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Finds `word` in `text` starting at a word boundary; with `whole`, it
 * must end at one too. ASCII case is ignored when `fold` is set. */
static int has_word(const char *text, const char *word, int whole, int fold) {
  size_t n = strlen(word), len = strlen(text);
  if (n == 0)
    return 0;
  for (size_t i = 0; i + n <= len; i++) {
    if (i > 0 && word_char((unsigned char)text[i - 1]))
      continue;
    if (fold ? !st_prefix_ci(text + i, len - i, word)
             : memcmp(text + i, word, n) != 0)
      continue;
    if (whole && i + n < len && word_char((unsigned char)text[i + n]))
      continue;
    return 1;
  }
  return 0;
}

/* True when the text names one of the authors ("Jane Doe and John Roe"):
 * the full name or the surname. */
static int names_author(const char *text, const char *author) {
  if (!author)
    return 0;
  if (has_word(text, author, 1, 0))
    return 1;
  char names[256];
  snprintf(names, sizeof names, "%s", author);
  /* Split on ", " and " and ", then look for each surname. */
  char *p = names;
  while (*p) {
    char *end = p;
    while (*end && strncmp(end, ", ", 2) != 0 && strncmp(end, " and ", 5) != 0)
      end++;
    char saved = *end;
    *end = '\0';
    char *surname = strrchr(p, ' ');
    surname = surname ? surname + 1 : p;
    if (strlen(surname) >= 2 && has_word(text, surname, 1, 0))
      return 1;
    if (!saved)
      break;
    p = end + (saved == ',' ? 2 : 5);
  }
  return 0;
}

/* The words that mark a note about the writer. */
static int about_author(const char *text, const char *author) {
  static const char *const cues[] = {"covers", "writes",  "is a", "is an",
                                     "reach",  "contact", NULL};
  if (names_author(text, author))
    return 1;
  for (size_t i = 0; cues[i]; i++)
    if (has_word(text, cues[i],
                 strcmp(cues[i], "reach") != 0 &&
                     strcmp(cues[i], "contact") != 0,
                 1))
      return 1;
  return 0;
}

/* Fills doc->author from a byline "By Jane Doe, City Desk": the text up to
 * a comma, " - " or " | ", when it looks like a name (2 to 8 words). */
static int author_from_byline(st_ctx *c, const char *byline) {
  const char *s = byline + 3;
  size_t len = strcspn(s, ",|;");
  const char *dash = strstr(s, " - ");
  if (dash && (size_t)(dash - s) < len)
    len = (size_t)(dash - s);
  st_trim(&s, &len);
  size_t words = len ? 1 : 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == ' ')
      words++;
  if (words < 2 || words > 8 || len > 80)
    return 0;
  if (c->host->set_string(&c->doc->author, s, len) != 0)
    return st_nomem(c);
  return 0;
}

/* Title, byline and bio, then the blocks go into the document. */
static int finish(md *m) {
  st_ctx *c = m->c;
  ac_document *doc = c->doc;
  size_t first = m->n, h1 = m->n;
  for (size_t i = 0; i < m->n; i++) {
    md_block *b = &m->b[i];
    if (st_md_inline(b->raw.data ? b->raw.data : "", b->raw.len, &b->text) != 0)
      return st_nomem(c);
    b->emph = whole_emphasis(b->raw.data ? b->raw.data : "", b->raw.len);
    b->drop = b->text.len == 0;
    if (!b->drop && first == m->n)
      first = i;
    if (!b->drop && h1 == m->n && b->kind == AC_BLOCK_HEADING && b->level == 1)
      h1 = i;
  }

  /* The title: the front matter's, whose H1 echo is dropped, else the
   * first H1. The byline may follow either. */
  size_t after_title = first;
  if (h1 < m->n &&
      (!doc->title || same_title(m->b[h1].text.data, doc->title))) {
    if (!doc->title && c->host->set_string(&doc->title, m->b[h1].text.data,
                                           m->b[h1].text.len) != 0)
      return st_nomem(c);
    m->b[h1].drop = 1;
    after_title = h1 + 1;
  } else if (h1 == first && h1 < m->n) {
    after_title = h1 + 1; /* a different H1 opens the body: keep it */
  }
  while (after_title < m->n && m->b[after_title].drop)
    after_title++;

  size_t byline = m->n;
  if (after_title < m->n) {
    md_block *b = &m->b[after_title];
    if (b->kind == AC_BLOCK_PARAGRAPH && b->emph &&
        st_prefix_ci(b->text.data, b->text.len, "by ")) {
      b->kind = AC_BLOCK_BYLINE;
      byline = after_title;
      if (!doc->author && author_from_byline(c, b->text.data) != 0)
        return AC_ERR_NOMEM;
    }
  }

  /* The bio: the last emphasised paragraph, about the author, with no
   * heading and no long paragraph (body text) after it. */
  for (size_t i = m->n; i-- > 0;) {
    md_block *b = &m->b[i];
    if (b->drop)
      continue;
    if (b->kind == AC_BLOCK_HEADING || i == byline)
      break;
    if (b->kind == AC_BLOCK_PARAGRAPH && b->emph) {
      if (about_author(b->text.data, doc->author))
        b->kind = AC_BLOCK_BIO;
      break;
    }
    size_t words = 1;
    for (size_t k = 0; k < b->text.len; k++)
      words += b->text.data[k] == ' ';
    if (words > 40)
      break;
  }

  for (size_t i = 0; i < m->n; i++) {
    md_block *b = &m->b[i];
    if (b->drop)
      continue;
    ac_block *blk = c->host->add_block(doc, b->kind, b->text.data, b->text.len);
    if (!blk)
      return st_nomem(c);
    blk->level = b->kind == AC_BLOCK_HEADING ? b->level : 0;
  }
  return 0;
}

int st_parse_markdown(st_ctx *c, const st_line *lines, size_t n, size_t start) {
  md m = {.c = c};
  int rc = read_lines(&m, lines, n, start) != 0 ? st_nomem(c) : finish(&m);
  if (rc == 0 && m.in_comment)
    c->host->log(c->st, AC_LOG_WARN,
                 "an HTML comment ('<!--') is never closed; the text after "
                 "it was skipped");
  for (size_t i = 0; i < m.n; i++) {
    ac_strbuf_free(&m.b[i].raw);
    ac_strbuf_free(&m.b[i].text);
  }
  free(m.b);
  return rc;
}
