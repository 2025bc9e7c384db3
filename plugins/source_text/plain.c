/*
 * Plain text, such as a browser's text dump of a web page: blocks are
 * separated by blank lines, and the line breaks inside a block are kept as
 * '\n' because only the clean stage can tell a wrapped paragraph from a
 * menu of separate items. Each line is trimmed and its runs of spaces and
 * tabs become one space.
 *
 * The first block is the title when it is one short line that does not end
 * like a sentence and more text follows. Every other block is a paragraph:
 * bylines, bios and boilerplate are the clean stage's call.
 */
#include "source_text.h"
#include "utf8.h" /* plugins/common */

#include <stdlib.h>
#include <string.h>

/* Titles are headlines, not paragraphs: under this many characters. */
#define TITLE_MAX_CHARS 200

/* True when the one-line block reads as a headline: short, with a letter
 * or digit, and not ending in '.', ',', ';' or ':' (closing quotes and
 * brackets aside). Headlines may end in '?' or '!', so those are allowed. */
static int looks_like_title(const char *s, size_t len) {
  if (len == 0 || memchr(s, '\n', len) ||
      ac_utf8_count(s, len) >= TITLE_MAX_CHARS)
    return 0;
  int has_word = 0;
  for (size_t i = 0; i < len && !has_word; i++) {
    unsigned char c = (unsigned char)s[i];
    has_word = c >= 0x80 || (c >= '0' && c <= '9') ||
               ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  }
  if (!has_word)
    return 0;
  /* The last character, closing quotes and brackets aside. */
  size_t e = len;
  uint32_t cp = 0;
  while (e > 0) {
    size_t start = ac_utf8_char_start(s, len, e - 1);
    if (ac_utf8_decode((const unsigned char *)s + start, e - start, &cp) == 0)
      return 1; /* not UTF-8 ends no sentence */
    if (!(cp < 0x80 && strchr("\"')]", (int)cp)) && cp != 0x2019 &&
        cp != 0x201D) /* ’ ” */
      break;
    e = start;
  }
  if (e == 0)
    return 0;
  if ((cp < 0x80 && strchr(".,;:", (int)cp)) || cp == 0x2026) /* … */
    return 0;
  return 1;
}

int st_parse_plain(st_ctx *c, const st_line *lines, size_t n) {
  ac_strbuf block = {0};
  int rc = 0, first = 1;
  /* The first block waits until we know whether more text follows. */
  ac_strbuf held = {0};
  int holding = 0;

  for (size_t i = 0; i <= n && rc == 0; i++) {
    if (i < n && !st_is_blank(lines[i].s, lines[i].len)) {
      if (block.len && ac_strbuf_addc(&block, '\n') != 0)
        rc = -1;
      else if (st_append_collapsed(&block, lines[i].s, lines[i].len) != 0)
        rc = -1;
      continue;
    }
    if (block.len == 0)
      continue;
    if (holding) {
      /* A second block exists: the held one is the title or a paragraph. */
      if (looks_like_title(held.data, held.len)) {
        if (c->host->set_string(&c->doc->title, held.data, held.len) != 0)
          rc = -1;
      } else if (!c->host->add_block(c->doc, AC_BLOCK_PARAGRAPH, held.data,
                                     held.len)) {
        rc = -1;
      }
      holding = 0;
    }
    if (rc == 0 && first) {
      first = 0;
      holding = 1;
      held = block;
      block = (ac_strbuf){0};
      continue;
    }
    if (rc == 0 &&
        !c->host->add_block(c->doc, AC_BLOCK_PARAGRAPH, block.data, block.len))
      rc = -1;
    block.len = 0;
  }
  /* A lone block is the text, never just a title. */
  if (rc == 0 && holding &&
      !c->host->add_block(c->doc, AC_BLOCK_PARAGRAPH, held.data, held.len))
    rc = -1;
  ac_strbuf_free(&block);
  ac_strbuf_free(&held);
  return rc == 0 ? 0 : st_nomem(c);
}
