/*
 * Markdown, read with cmark-gfm: CommonMark with GitHub's tables,
 * strikethrough, autolinks, task lists and footnotes. The syntax tree
 * becomes what a listener can hear.
 *
 * Blocks: headings (with their level), paragraphs, one AC_BLOCK_QUOTE per
 * paragraph or heading inside a block quote (list items in a quote too),
 * one AC_BLOCK_LIST_ITEM per list item (its paragraphs joined; a nested
 * list's items follow as blocks of their own). A table becomes one list
 * item block per body row (rows are records, read with the short pause
 * between list items), its cells labelled by their column's header:
 * "Route: 12, Change: via Mill Lane"; a cell without a header is read
 * alone, an empty cell not at all, and a table with no body rows reads its
 * header row. Footnotes are read after the body (before a closing author bio),
 * under a heading "Notes", one block per paragraph; the marks in the text
 * are not read.
 *
 * Not read: code blocks and code fences, raw HTML blocks, thematic breaks,
 * link reference definitions, images (alt text included), the markup of
 * inline HTML (the text between tags is read, a <script> or <style> is
 * not), task list boxes.
 *
 * Inline, the words are kept: emphasis, strikethrough, links and code
 * spans are read as their text; entities and escapes are decoded by cmark;
 * control characters go and runs of white space become one space.
 *
 * Then, on the whole document: the first H1 becomes the title when the
 * front matter gave none, and is dropped when it repeats the front matter
 * title; a wholly emphasised "By ..." paragraph right after the title
 * becomes the byline; a wholly emphasised paragraph about the author at
 * the end becomes the bio.
 */
#include "source_text.h"
#include "utf8.h" /* plugins/common */

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A block as read, before the whole-document rules. */
typedef struct md_block {
  ac_block_kind kind;
  int level;
  ac_strbuf text; /* the speakable text */
  int emph;       /* the whole block is one emphasised span */
  int note;       /* from a footnote */
  int drop;
} md_block;

typedef struct md {
  st_ctx *c;
  md_block *b;
  size_t n, cap;
  int unclosed_comment; /* an HTML comment ran to the end of the input */
} md;

/* ---- cmark-gfm --------------------------------------------------------------
 */

static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

static void register_extensions(void) {
  cmark_gfm_core_extensions_ensure_registered();
}

/* The tree of [s, s + len), or NULL when the parser cannot be set up. */
static cmark_node *parse_tree(const char *s, size_t len) {
  static const char *const extensions[] = {"table", "strikethrough", "autolink",
                                           "tasklist"};
  pthread_once(&extensions_once, register_extensions);
  cmark_parser *p = cmark_parser_new(CMARK_OPT_FOOTNOTES);
  if (!p)
    return NULL;
  for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
    cmark_syntax_extension *e = cmark_find_syntax_extension(extensions[i]);
    if (!e || !cmark_parser_attach_syntax_extension(p, e)) {
      cmark_parser_free(p);
      return NULL;
    }
  }
  cmark_parser_feed(p, s, len);
  cmark_node *doc = cmark_parser_finish(p);
  cmark_parser_free(p);
  return doc;
}

/* Why cmark-gfm is not given the text (see ST_MAX_MARKDOWN_BYTES), or
 * NULL when it may be. */
static const char *too_costly(const char *s, size_t len) {
  if (len > ST_MAX_MARKDOWN_BYTES)
    return "is over 1 MiB";
  size_t images = 0, pipes = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\n')
      pipes = 0;
    else if (s[i] == '|' && ++pipes > ST_MAX_MARKDOWN_PIPES)
      return "has a line of over 256 '|'";
    else if (s[i] == '!' && i + 1 < len && s[i + 1] == '[' &&
             ++images > ST_MAX_MARKDOWN_IMAGES)
      return "has over 1000 image openers ('![')";
  }
  return NULL;
}

static int type_is(cmark_node *n, const char *name) {
  const char *t = cmark_node_get_type_string(n);
  return t && strcmp(t, name) == 0;
}

int st_looks_markdown(const char *s, size_t len) {
  if (too_costly(s, len))
    return 0;
  cmark_node *doc = parse_tree(s, len);
  if (!doc)
    return 0;
  /* An ATX heading ("# Title") or a '=' underline: a '-' underline is too
   * common under lines of plain text to count. The headings come in line
   * order, so one pass over the lines finds where each starts. */
  const char *line = s, *end = s + len;
  int at = 1, found = 0;
  for (cmark_node *n = cmark_node_first_child(doc); n && line && !found;
       n = cmark_node_next(n)) {
    if (cmark_node_get_type(n) != CMARK_NODE_HEADING ||
        !cmark_node_first_child(n))
      continue;
    for (; line && at < cmark_node_get_start_line(n); at++) {
      line = memchr(line, '\n', (size_t)(end - line));
      line = line ? line + 1 : NULL;
    }
    const char *p = line;
    while (p && p < end && (*p == ' ' || *p == '\t'))
      p++;
    found = p && p < end && (*p == '#' || cmark_node_get_heading_level(n) == 1);
  }
  cmark_node_free(doc);
  return found;
}

/* ---- Inline text ------------------------------------------------------------
 */

/* Tags that sit inside a run of text; any other tag separates words. */
static int inline_tag(const char *tag) {
  static const char *const tags[] = {
      "a",    "abbr", "b",    "bdi",   "bdo",  "cite",   "code", "data",
      "del",  "dfn",  "em",   "font",  "i",    "ins",    "kbd",  "mark",
      "q",    "s",    "samp", "small", "span", "strong", "sub",  "sup",
      "time", "u",    "var",  "wbr",   NULL};
  const char *name = tag + 1 + (tag[1] == '/');
  size_t len = strcspn(name, " \t\n/>");
  for (size_t i = 0; tags[i]; i++)
    if (strlen(tags[i]) == len && st_prefix_ci(name, len, tags[i]))
      return 1;
  return 0;
}

/* "<script" or "<style" (opening, close = 0) or their closing tags. */
static int code_tag(const char *tag, int close) {
  const char *name = tag + 1;
  if (close != (*name == '/'))
    return 0;
  name += close;
  size_t len = strcspn(name, " \t\n/>");
  return (len == 6 && st_prefix_ci(name, len, "script")) ||
         (len == 5 && st_prefix_ci(name, len, "style"));
}

/* Appends the characters of [s, s + len) a listener may hear: invisible
 * marks go, line breaks, tabs and other control characters (from
 * character references such as "&#1;") become spaces, which keeps the
 * words around them apart; in text (`marks` set, not in code) a footnote
 * mark that has no note ("[^3]") goes. */
static int add_audible(ac_strbuf *out, const char *s, size_t len, int marks) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    if (marks && s[i] == '[' && i + 1 < len && s[i + 1] == '^') {
      size_t k = i + 2;
      while (k < len && k - i < 40 && s[k] != ']' && s[k] != ' ')
        k++;
      if (k < len && s[k] == ']' && k > i + 2) {
        i = k + 1;
        continue;
      }
    }
    uint32_t cp;
    size_t n = ac_utf8_decode(u + i, len - i, &cp);
    if (n == 0) {
      i++; /* cmark passes valid input on; nothing to hear in a stray byte */
      continue;
    }
    int rc = 0;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
      rc = ac_strbuf_addc(out, ' ');
    else if (cp != 0xAD && cp != 0xFEFF)
      rc = ac_strbuf_add(out, s + i, n);
    if (rc != 0)
      return -1;
    i += n;
  }
  return 0;
}

/* The words of the inline content under `node`, not yet collapsed. */
static int inline_raw(cmark_node *node, ac_strbuf *raw) {
  cmark_iter *it = cmark_iter_new(node);
  if (!it)
    return -1;
  int rc = 0, in_code_tag = 0;
  cmark_event_type ev;
  while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER)
      continue;
    const char *lit = cmark_node_get_literal(n);
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
      if (!in_code_tag && lit)
        rc = add_audible(raw, lit, strlen(lit),
                         cmark_node_get_type(n) == CMARK_NODE_TEXT);
      break;
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
      rc = ac_strbuf_addc(raw, ' ');
      break;
    case CMARK_NODE_HTML_INLINE:
      if (lit && code_tag(lit, in_code_tag))
        in_code_tag = !in_code_tag;
      else if (lit && lit[1] != '!' && !inline_tag(lit))
        rc = ac_strbuf_addc(raw, ' ');
      break;
    case CMARK_NODE_IMAGE:
      cmark_iter_reset(it, n, CMARK_EVENT_EXIT); /* not even the alt text */
      break;
    default:
      break; /* emphasis, links, footnote marks: their text, if any */
    }
  }
  cmark_iter_free(it);
  return rc;
}

/* Appends the inline text under `node`, white space collapsed. */
static int inline_text(cmark_node *node, ac_strbuf *out) {
  ac_strbuf raw = {0};
  int rc = ac_strbuf_add(&raw, "", 0);
  if (rc == 0)
    rc = inline_raw(node, &raw);
  if (rc == 0)
    rc = st_append_collapsed(out, raw.data, raw.len);
  ac_strbuf_free(&raw);
  return rc;
}

/* True when the paragraph is one emphasised span, white space aside. */
static int whole_emphasis(cmark_node *para) {
  int spans = 0;
  for (cmark_node *n = cmark_node_first_child(para); n;
       n = cmark_node_next(n)) {
    cmark_node_type t = cmark_node_get_type(n);
    const char *lit = cmark_node_get_literal(n);
    if (t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG)
      spans++;
    else if (!(t == CMARK_NODE_TEXT && lit && st_is_blank(lit, strlen(lit))) &&
             t != CMARK_NODE_SOFTBREAK)
      return 0;
  }
  return spans == 1;
}

/* ---- Blocks -----------------------------------------------------------------
 */

static md_block *new_block(md *m, ac_block_kind kind, int level, int note) {
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
  b->note = note;
  return b;
}

/* Where a text block sits: inside a quote, a list item, a footnote. */
typedef struct place {
  int quote;
  cmark_node *item; /* the nearest list item, when no quote is nearer */
  int note;
} place;

static place where(cmark_node *n) {
  place p = {0};
  for (cmark_node *a = cmark_node_parent(n); a; a = cmark_node_parent(a)) {
    cmark_node_type t = cmark_node_get_type(a);
    if (t == CMARK_NODE_BLOCK_QUOTE)
      p.quote = 1;
    else if (t == CMARK_NODE_ITEM && !p.quote && !p.item)
      p.item = a;
    else if (t == CMARK_NODE_FOOTNOTE_DEFINITION)
      p.note = 1;
  }
  return p;
}

/* A paragraph or heading. The paragraphs of one list item make one block
 * until another block comes between them. */
static int text_block(md *m, cmark_node *n, cmark_node **open_item) {
  place p = where(n);
  int heading = cmark_node_get_type(n) == CMARK_NODE_HEADING;
  if (p.item && p.item == *open_item && !heading)
    return inline_text(n, &m->b[m->n - 1].text);
  ac_block_kind kind = p.quote   ? AC_BLOCK_QUOTE
                       : heading ? AC_BLOCK_HEADING
                       : p.item  ? AC_BLOCK_LIST_ITEM
                                 : AC_BLOCK_PARAGRAPH;
  md_block *b = new_block(
      m, kind, heading && !p.quote ? cmark_node_get_heading_level(n) : 0,
      p.note);
  if (!b)
    return -1;
  b->emph = !heading && whole_emphasis(n);
  *open_item = kind == AC_BLOCK_LIST_ITEM ? p.item : NULL;
  return inline_text(n, &b->text);
}

/* The cells of a row, each after its label when `labels` has one: the
 * header row's cells, each ended by '\0', up to `labels_end`. */
static int table_row(md *m, cmark_node *row, const char *labels,
                     const char *labels_end, int note) {
  ac_strbuf line = {0};
  const char *label = labels;
  int rc = ac_strbuf_add(&line, "", 0);
  for (cmark_node *cell = cmark_node_first_child(row); cell && rc == 0;
       cell = cmark_node_next(cell)) {
    ac_strbuf text = {0};
    rc = inline_text(cell, &text);
    if (rc == 0 && text.len && line.len)
      rc = ac_strbuf_adds(&line, ", ");
    if (rc == 0 && text.len && label && *label) {
      rc = ac_strbuf_adds(&line, label);
      if (rc == 0)
        rc = ac_strbuf_adds(&line, ": ");
    }
    if (rc == 0 && text.len)
      rc = ac_strbuf_add(&line, text.data, text.len);
    ac_strbuf_free(&text);
    if (label) {
      label += strlen(label) + 1;
      if (label >= labels_end)
        label = NULL;
    }
  }
  md_block *b = NULL;
  if (rc == 0 && line.len && !(b = new_block(m, AC_BLOCK_LIST_ITEM, 0, note)))
    rc = -1;
  if (b) {
    b->text = line;
    line = (ac_strbuf){0};
  }
  ac_strbuf_free(&line);
  return rc;
}

/* A table: one list item per body row, its cells labelled by the
 * header's. */
static int table(md *m, cmark_node *t) {
  int note = where(t).note, rc = 0;
  cmark_node *head = cmark_node_first_child(t);
  if (!head)
    return 0;
  if (!cmark_node_next(head)) /* a header and nothing else */
    return table_row(m, head, NULL, NULL, note);
  ac_strbuf labels = {0};
  for (cmark_node *cell = cmark_node_first_child(head); cell && rc == 0;
       cell = cmark_node_next(cell)) {
    ac_strbuf text = {0};
    rc = inline_text(cell, &text);
    if (rc == 0 && text.len)
      rc = ac_strbuf_add(&labels, text.data, text.len);
    if (rc == 0)
      rc = ac_strbuf_add(&labels, "", 1); /* the '\0' after each label */
    ac_strbuf_free(&text);
  }
  for (cmark_node *row = cmark_node_next(head); row && rc == 0;
       row = cmark_node_next(row))
    rc = table_row(m, row, labels.data,
                   labels.data ? labels.data + labels.len : NULL, note);
  ac_strbuf_free(&labels);
  return rc;
}

/* Walks the tree in reading order, making blocks of what is heard. */
static int read_tree(md *m, cmark_node *doc) {
  cmark_iter *it = cmark_iter_new(doc);
  if (!it)
    return -1;
  cmark_node *open_item = NULL;
  int rc = 0;
  cmark_event_type ev;
  while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER)
      continue;
    cmark_node_type t = cmark_node_get_type(n);
    int leaf = 1;
    if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) {
      rc = text_block(m, n, &open_item);
    } else if (type_is(n, "table")) {
      rc = table(m, n);
      open_item = NULL;
    } else if (t == CMARK_NODE_HTML_BLOCK) {
      const char *lit = cmark_node_get_literal(n);
      if (lit && strncmp(lit, "<!--", 4) == 0 && !strstr(lit, "-->"))
        m->unclosed_comment = 1;
    } else {
      leaf = t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_THEMATIC_BREAK;
    }
    if (leaf)
      cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
  }
  cmark_iter_free(it);
  return rc;
}

/* ---- Whole-document rules ---------------------------------------------------
 */

/* The next character of `s` that counts in a title: a letter or digit,
 * ASCII folded to lower case; punctuation, symbols and spaces (ASCII, no-
 * break, U+2000..U+206F) are skipped. 0 at the end. */
static uint32_t title_char(const char **s) {
  for (;;) {
    const unsigned char *p = (const unsigned char *)*s;
    if (!*p)
      return 0;
    uint32_t cp;
    size_t n = ac_utf8_decode(p, strlen(*s), &cp);
    *s += n ? n : 1;
    if (cp >= 'A' && cp <= 'Z')
      return cp | 0x20;
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
      return cp;
    if (cp >= 0x80 && cp != 0xA0 && !(cp >= 0x2000 && cp <= 0x206F))
      return cp;
  }
}

/* Compares two titles ignoring case, spacing and punctuation, so "The
 * Bridge" matches "The bridge." and curly quotes match straight ones. */
static int same_title(const char *a, const char *b) {
  for (;;) {
    uint32_t x = title_char(&a), y = title_char(&b);
    if (x != y)
      return 0;
    if (!x)
      return 1;
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

/* The title: the front matter's, whose H1 echo is dropped, else the first
 * H1. Returns the index of the first block after the title, or m->n when
 * memory runs out (reported). */
static size_t take_title(md *m, int *rc) {
  ac_document *doc = m->c->doc;
  size_t first = m->n, h1 = m->n;
  for (size_t i = 0; i < m->n; i++) {
    md_block *b = &m->b[i];
    if (b->drop || b->note)
      continue;
    if (first == m->n)
      first = i;
    if (h1 == m->n && b->kind == AC_BLOCK_HEADING && b->level == 1)
      h1 = i;
  }
  size_t after = first;
  if (h1 < m->n &&
      (!doc->title || same_title(m->b[h1].text.data, doc->title))) {
    if (!doc->title && m->c->host->set_string(&doc->title, m->b[h1].text.data,
                                              m->b[h1].text.len) != 0) {
      *rc = st_nomem(m->c);
      return m->n;
    }
    m->b[h1].drop = 1;
    after = h1 + 1;
  } else if (h1 == first && h1 < m->n) {
    after = h1 + 1; /* a different H1 opens the body: keep it */
  }
  while (after < m->n && m->b[after].drop)
    after++;
  return after;
}

/* The bio: the last emphasised paragraph of the body, about the author,
 * with no heading and no long paragraph (body text) after it. Returns its
 * index or m->n. */
static size_t find_bio(md *m, size_t byline) {
  for (size_t i = m->n; i-- > 0;) {
    md_block *b = &m->b[i];
    if (b->drop || b->note)
      continue;
    if (b->kind == AC_BLOCK_HEADING || i == byline)
      break;
    if (b->kind == AC_BLOCK_PARAGRAPH && b->emph) {
      if (about_author(b->text.data, m->c->doc->author)) {
        b->kind = AC_BLOCK_BIO;
        return i;
      }
      break;
    }
    size_t words = 1;
    for (size_t k = 0; k < b->text.len; k++)
      words += b->text.data[k] == ' ';
    if (words > 40)
      break;
  }
  return m->n;
}

static int emit(md *m, const md_block *b) {
  ac_block *blk =
      m->c->host->add_block(m->c->doc, b->kind, b->text.data, b->text.len);
  if (!blk)
    return st_nomem(m->c);
  blk->level = b->kind == AC_BLOCK_HEADING ? b->level : 0;
  return 0;
}

/* The footnotes, under a "Notes" heading. */
static int emit_notes(md *m) {
  int heading = 0;
  for (size_t i = 0; i < m->n; i++) {
    if (!m->b[i].note || m->b[i].drop)
      continue;
    if (!heading++) {
      ac_block *h =
          m->c->host->add_block(m->c->doc, AC_BLOCK_HEADING, "Notes", 5);
      if (!h)
        return st_nomem(m->c);
      h->level = 2;
    }
    int rc = emit(m, &m->b[i]);
    if (rc)
      return rc;
  }
  return 0;
}

/* Title, byline and bio, then the blocks go into the document: the body,
 * the notes, and the bio with whatever follows it. */
static int finish(md *m) {
  st_ctx *c = m->c;
  for (size_t i = 0; i < m->n; i++)
    m->b[i].drop = m->b[i].text.len == 0;
  int rc = 0;
  size_t after_title = take_title(m, &rc);
  if (rc)
    return rc;
  size_t byline = m->n;
  if (after_title < m->n) {
    md_block *b = &m->b[after_title];
    if (b->kind == AC_BLOCK_PARAGRAPH && b->emph && !b->note &&
        st_prefix_ci(b->text.data, b->text.len, "by ")) {
      b->kind = AC_BLOCK_BYLINE;
      byline = after_title;
      if (!c->doc->author && author_from_byline(c, b->text.data) != 0)
        return AC_ERR_NOMEM;
    }
  }
  size_t bio = find_bio(m, byline);
  for (size_t i = 0; i < m->n && rc == 0; i++) {
    if (i == bio)
      rc = emit_notes(m);
    if (rc == 0 && !m->b[i].drop && !m->b[i].note)
      rc = emit(m, &m->b[i]);
  }
  if (rc == 0 && bio == m->n)
    rc = emit_notes(m);
  return rc;
}

int st_parse_markdown(st_ctx *c, const char *s, size_t len) {
  const char *why = too_costly(s, len);
  if (why)
    return c->host->fail(c->st, AC_ERR_FORMAT,
                         "the Markdown text %s, more than an article needs and "
                         "more than the Markdown parser reads in good time; "
                         "read it as plain text (format=plain) or split it",
                         why);
  cmark_node *doc = parse_tree(s, len);
  if (!doc)
    return c->host->fail(c->st, AC_ERR_ENGINE,
                         "cmark-gfm could not set up its parser or its "
                         "GFM extensions");
  md m = {.c = c};
  int rc = read_tree(&m, doc) != 0 ? st_nomem(c) : finish(&m);
  cmark_node_free(doc);
  if (rc == 0 && m.unclosed_comment)
    c->host->log(c->st, AC_LOG_WARN,
                 "an HTML comment ('<!--') is never closed; the text after "
                 "it was skipped");
  for (size_t i = 0; i < m.n; i++)
    ac_strbuf_free(&m.b[i].text);
  free(m.b);
  return rc;
}
