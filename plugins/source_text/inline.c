/*
 * Inline Markdown to speakable text. A listener hears the words, not the
 * markup, so this keeps the text of emphasis, code spans, links and
 * autolinks, and drops images, footnote references, HTML tags and comments.
 * Backslash escapes and HTML entities become the characters they stand for.
 *
 * Emphasis follows CommonMark's delimiter-run rules in a reduced form:
 * runs of '*', '_' and '~' are paired opener to closer by their flanking,
 * and only paired runs are removed, so "5 * 3" and snake_case survive.
 */
#include "source_text.h"

#include <stdlib.h>
#include <string.h>

/* Link text nests; deeper than this, brackets are left as written. */
#define MAX_DEPTH 8

/* A run of emphasis characters copied to the output at `pos`. */
typedef struct delim {
  size_t pos;
  size_t len;
  size_t left; /* characters not consumed by a pair */
  char c;
  int open, close;
} delim;

typedef struct inl {
  ac_strbuf out;
  delim *d;
  size_t nd, capd;
} inl;

static int is_ascii_punct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static int is_ws(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

static int is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

static int add_delim(inl *x, char c, size_t len, int open, int close) {
  if (x->nd == x->capd) {
    size_t cap = x->capd ? x->capd * 2 : 16;
    delim *d = realloc(x->d, cap * sizeof *d);
    if (!d)
      return -1;
    x->d = d;
    x->capd = cap;
  }
  x->d[x->nd++] = (delim){.pos = x->out.len,
                          .len = len,
                          .left = len,
                          .c = c,
                          .open = open,
                          .close = close};
  for (size_t i = 0; i < len; i++)
    if (ac_strbuf_addc(&x->out, c) != 0)
      return -1;
  return 0;
}

/* ---- Entities ------------------------------------------------------------ */

/* Latin-1 entity names, U+00A0 to U+00FF in order. */
static const char *const latin1_names[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar",
    "sect",   "uml",    "copy",   "ordf",   "laquo",  "not",    "shy",
    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",
    "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",
    "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
    "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute",
    "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",
    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute",
    "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave", "uacute",
    "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

static const struct {
  const char *name;
  uint32_t cp;
} other_entities[] = {
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},
    {"quot", '"'},      {"apos", '\''},     {"OElig", 0x152},
    {"oelig", 0x153},   {"Scaron", 0x160},  {"scaron", 0x161},
    {"Yuml", 0x178},    {"fnof", 0x192},    {"circ", 0x2C6},
    {"tilde", 0x2DC},   {"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"zwnj", 0x200C},   {"zwj", 0x200D},
    {"ndash", 0x2013},  {"mdash", 0x2014},  {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"sbquo", 0x201A},  {"ldquo", 0x201C},
    {"rdquo", 0x201D},  {"bdquo", 0x201E},  {"dagger", 0x2020},
    {"Dagger", 0x2021}, {"bull", 0x2022},   {"hellip", 0x2026},
    {"permil", 0x2030}, {"prime", 0x2032},  {"Prime", 0x2033},
    {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"euro", 0x20AC},
    {"trade", 0x2122},  {"larr", 0x2190},   {"rarr", 0x2192},
    {"minus", 0x2212},  {"infin", 0x221E},  {"asymp", 0x2248},
    {"ne", 0x2260},     {"le", 0x2264},     {"ge", 0x2265},
    {NULL, 0},
};

static uint32_t entity_by_name(const char *s, size_t len) {
  for (size_t i = 0; i < 96; i++)
    if (strlen(latin1_names[i]) == len && memcmp(latin1_names[i], s, len) == 0)
      return 0xA0 + (uint32_t)i;
  for (size_t i = 0; other_entities[i].name; i++)
    if (strlen(other_entities[i].name) == len &&
        memcmp(other_entities[i].name, s, len) == 0)
      return other_entities[i].cp;
  return 0;
}

/* Decodes the entity at s[0] == '&'. Returns its length and sets *cp, or
 * returns 0 when it is not an entity (the '&' is then literal). */
static size_t entity(const char *s, size_t len, uint32_t *cp) {
  size_t i = 1;
  if (i < len && s[i] == '#') {
    int hex = i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X');
    i += hex ? 2 : 1;
    size_t start = i;
    uint32_t v = 0;
    while (i < len && i - start < (hex ? 6u : 7u)) {
      char c = s[i];
      int d = (c >= '0' && c <= '9')          ? c - '0'
              : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                              : -1;
      if (d < 0)
        break;
      v = v * (hex ? 16u : 10u) + (uint32_t)d;
      i++;
    }
    if (i == start || i >= len || s[i] != ';')
      return 0;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
      v = 0xFFFD;
    *cp = v;
    return i + 1;
  }
  size_t start = i;
  while (i < len && i - start < 32 && is_alnum((unsigned char)s[i]))
    i++;
  if (i == start || i >= len || s[i] != ';')
    return 0;
  *cp = entity_by_name(s + start, i - start);
  return *cp ? i + 1 : 0;
}

/* Writes a decoded character; controls and invisible marks are dropped,
 * line breaks and tabs become spaces. */
static int put_codepoint(inl *x, uint32_t cp) {
  if (cp == '\n' || cp == '\t' || cp == '\r')
    return ac_strbuf_addc(&x->out, ' ');
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0xFEFF)
    return 0;
  return ac_strbuf_add_utf8(&x->out, cp);
}

/* ---- HTML ---------------------------------------------------------------- */

/* Tags that sit inside a run of text; any other tag separates words. */
static int inline_tag(const char *name, size_t len) {
  static const char *const tags[] = {
      "a",    "abbr", "b",    "bdi",   "bdo",  "cite",   "code", "data",
      "del",  "dfn",  "em",   "font",  "i",    "ins",    "kbd",  "mark",
      "q",    "s",    "samp", "small", "span", "strong", "sub",  "sup",
      "time", "u",    "var",  "wbr",   NULL};
  for (size_t i = 0; tags[i]; i++)
    if (strlen(tags[i]) == len && st_prefix_ci(name, len, tags[i]))
      return 1;
  return 0;
}

/* Finds the end of [pat] (case-insensitive) from s + i; returns the index
 * just past it or 0. */
static size_t find_ci(const char *s, size_t len, size_t i, const char *pat) {
  size_t n = strlen(pat);
  for (; i + n <= len; i++)
    if (st_prefix_ci(s + i, len - i, pat))
      return i + n;
  return 0;
}

/* Recognizes an HTML tag, comment or declaration at s[0] == '<'. Returns
 * its length (for script and style: through the closing tag), 0 when it is
 * not one. *separates tells whether it stood between words. */
static size_t html_tag(const char *s, size_t len, int *separates) {
  *separates = 0;
  if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
    const char *end = NULL;
    for (size_t i = 4; i + 3 <= len; i++)
      if (memcmp(s + i, "-->", 3) == 0) {
        end = s + i + 3;
        break;
      }
    return end ? (size_t)(end - s) : 0;
  }
  size_t i = 1;
  if (i < len && (s[i] == '!' || s[i] == '?')) { /* <!DOCTYPE>, <?xml?> */
    if (i + 1 >= len || !is_alpha((unsigned char)s[i + 1]))
      return 0;
    const char *gt = memchr(s, '>', len);
    *separates = 1;
    return gt ? (size_t)(gt - s) + 1 : 0;
  }
  int closing = i < len && s[i] == '/';
  if (closing)
    i++;
  if (i >= len || !is_alpha((unsigned char)s[i]))
    return 0;
  size_t name = i;
  while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '-'))
    i++;
  size_t name_len = i - name;
  if (i < len && !is_ws((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
    return 0;
  /* Attributes: up to '>' outside quotes. */
  char quote = 0;
  for (; i < len; i++) {
    if (quote) {
      if (s[i] == quote)
        quote = 0;
    } else if (s[i] == '"' || s[i] == '\'') {
      quote = s[i];
    } else if (s[i] == '>') {
      break;
    } else if (s[i] == '<') {
      return 0;
    }
  }
  if (i >= len)
    return 0;
  i++;
  *separates = !inline_tag(s + name, name_len);
  if (!closing && ((name_len == 6 && st_prefix_ci(s + name, 6, "script")) ||
                   (name_len == 5 && st_prefix_ci(s + name, 5, "style")))) {
    size_t end = find_ci(s, len, i, name_len == 6 ? "</script>" : "</style>");
    return end ? end : len; /* the code never reaches the listener */
  }
  return i;
}

/* An autolink <scheme:...> or <user@host> at s[0] == '<': returns its
 * length and the visible text, or 0. */
static size_t autolink(const char *s, size_t len, const char **text,
                       size_t *text_len) {
  size_t i = 1;
  while (i < len && s[i] != '>' && s[i] != '<' && !is_ws((unsigned char)s[i]))
    i++;
  if (i >= len || s[i] != '>' || i == 1)
    return 0;
  const char *in = s + 1;
  size_t n = i - 1;
  const char *colon = memchr(in, ':', n);
  const char *at = memchr(in, '@', n);
  if (colon) {
    size_t scheme = (size_t)(colon - in);
    if (scheme < 2 || scheme > 32 || !is_alpha((unsigned char)in[0]))
      return 0;
    for (size_t k = 0; k < scheme; k++)
      if (!is_alnum((unsigned char)in[k]) && !strchr("+.-", in[k]))
        return 0;
    if (scheme == 6 && st_prefix_ci(in, n, "mailto")) {
      in += 7; /* the address is what the reader sees */
      n -= 7;
    }
  } else if (!at || at == in || at == in + n - 1) {
    return 0;
  }
  *text = in;
  *text_len = n;
  return i + 1;
}

/* ---- Links ----------------------------------------------------------------
 */

/* Index of the ']' closing the '[' at s[i], or len. */
static size_t bracket_close(const char *s, size_t len, size_t i) {
  int depth = 0;
  for (; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len)
      i++;
    else if (s[i] == '[')
      depth++;
    else if (s[i] == ']' && --depth == 0)
      return i;
  }
  return len;
}

/* Index of the ')' closing the link destination that opens at s[i] ==
 * '(', or len. Parentheses nest; a quoted title may hold ')'. */
static size_t paren_close(const char *s, size_t len, size_t i) {
  int depth = 0;
  char quote = 0;
  int seen_space = 0;
  for (; i < len; i++) {
    char c = s[i];
    if (quote) {
      if (c == '\\' && i + 1 < len)
        i++;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\\' && i + 1 < len) {
      i++;
    } else if (c == '<' && depth == 1 && !seen_space) {
      const char *gt = memchr(s + i, '>', len - i);
      if (gt)
        i = (size_t)(gt - s);
    } else if (is_ws((unsigned char)c)) {
      seen_space = 1;
    } else if (seen_space && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == '(') {
      depth++;
    } else if (c == ')' && --depth == 0) {
      return i;
    }
  }
  return len;
}

/* Recognizes a link or image body at s[i] == '[': [text](dest) or
 * [text][ref]. Sets the text range and returns the index after it, or 0. */
static size_t link_at(const char *s, size_t len, size_t i, size_t *text,
                      size_t *text_len) {
  size_t close = bracket_close(s, len, i);
  if (close >= len || close + 1 >= len)
    return 0;
  size_t end;
  if (s[close + 1] == '(') {
    end = paren_close(s, len, close + 1);
  } else if (s[close + 1] == '[') {
    const char *rb = memchr(s + close + 2, ']', len - close - 2);
    end = rb ? (size_t)(rb - s) : len;
  } else {
    return 0;
  }
  if (end >= len)
    return 0;
  *text = i + 1;
  *text_len = close - i - 1;
  return end + 1;
}

/* ---- The scanner -----------------------------------------------------------
 */

static int run_inline(const char *s, size_t len, int depth, ac_strbuf *dst);

/* Pairs emphasis runs, closers with the nearest matching opener. */
static void resolve(inl *x) {
  for (size_t ci = 0; ci < x->nd; ci++) {
    delim *cl = &x->d[ci];
    if (!cl->close)
      continue;
    while (cl->left > 0) {
      size_t oi = ci;
      delim *op = NULL;
      while (oi-- > 0) {
        delim *o = &x->d[oi];
        if (o->c != cl->c || !o->open || o->left == 0)
          continue;
        if (cl->c == '~'
                ? o->len != cl->len
                : ((o->close || cl->open) && (o->len + cl->len) % 3 == 0 &&
                   !(o->len % 3 == 0 && cl->len % 3 == 0)))
          continue; /* CommonMark's "rule of three", and ~~ pairs ~~ */
        op = o;
        break;
      }
      if (!op)
        break;
      size_t k = cl->c == '~'                       ? op->left
                 : (op->left >= 2 && cl->left >= 2) ? 2
                                                    : 1;
      op->left -= k;
      cl->left -= k;
      for (size_t j = oi + 1; j < ci; j++)
        x->d[j].open = 0; /* runs inside a pair can no longer open one */
    }
  }
}

static int scan(inl *x, const char *s, size_t len, int depth) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\' && i + 1 < len && is_ascii_punct((unsigned char)s[i + 1])) {
      if (ac_strbuf_addc(&x->out, s[i + 1]) != 0)
        return -1;
      i += 2;
      continue;
    }
    if (c == '\\' && i + 1 < len && s[i + 1] == '\n') { /* hard break */
      if (ac_strbuf_addc(&x->out, ' ') != 0)
        return -1;
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t n = 0;
      while (i + n < len && s[i + n] == '`')
        n++;
      /* Find a closing run of exactly n backticks. */
      size_t j = i + n, close = len;
      while (j < len) {
        if (s[j] != '`') {
          j++;
          continue;
        }
        size_t m = 0;
        while (j + m < len && s[j + m] == '`')
          m++;
        if (m == n) {
          close = j;
          break;
        }
        j += m;
      }
      if (close == len) { /* no closing run: drop the stray backticks */
        i += n;
        continue;
      }
      size_t a = i + n, b = close;
      if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ')
        a++, b--;
      for (size_t k = a; k < b; k++)
        if (ac_strbuf_addc(&x->out, s[k] == '\n' ? ' ' : s[k]) != 0)
          return -1;
      i = close + n;
      continue;
    }
    if (c == '!' && i + 1 < len && s[i + 1] == '[') {
      size_t text, text_len, end = link_at(s, len, i + 1, &text, &text_len);
      if (end) { /* an image: nothing to hear */
        i = end;
        continue;
      }
    }
    if (c == '[' && i + 1 < len && s[i + 1] == '^') { /* footnote mark */
      const char *rb = memchr(s + i, ']', len - i);
      if (rb && rb - (s + i) <= 40 &&
          !memchr(s + i, ' ', (size_t)(rb - s) - i)) {
        i = (size_t)(rb - s) + 1;
        continue;
      }
    }
    if (c == '[' && depth < MAX_DEPTH) {
      size_t text, text_len, end = link_at(s, len, i, &text, &text_len);
      if (end) {
        if (run_inline(s + text, text_len, depth + 1, &x->out) != 0)
          return -1;
        i = end;
        continue;
      }
    }
    if (c == '<') {
      const char *t;
      size_t tl, n = autolink(s + i, len - i, &t, &tl);
      if (n) {
        if (ac_strbuf_add(&x->out, t, tl) != 0)
          return -1;
        i += n;
        continue;
      }
      int separates;
      n = html_tag(s + i, len - i, &separates);
      if (n) {
        if (separates && ac_strbuf_addc(&x->out, ' ') != 0)
          return -1;
        i += n;
        continue;
      }
    }
    if (c == '&') {
      uint32_t cp;
      size_t n = entity(s + i, len - i, &cp);
      if (n) {
        if (put_codepoint(x, cp) != 0)
          return -1;
        i += n;
        continue;
      }
    }
    if (c == '*' || c == '_' || c == '~') {
      size_t n = 0;
      while (i + n < len && s[i + n] == (char)c)
        n++;
      unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
      unsigned char next = i + n < len ? (unsigned char)s[i + n] : ' ';
      int left = !is_ws(next) &&
                 (!is_ascii_punct(next) || is_ws(prev) || is_ascii_punct(prev));
      int right = !is_ws(prev) && (!is_ascii_punct(prev) || is_ws(next) ||
                                   is_ascii_punct(next));
      int open = left, close = right;
      if (c == '_') { /* no intraword emphasis with '_' (snake_case) */
        open = left && (!right || is_ascii_punct(prev));
        close = right && (!left || is_ascii_punct(next));
      }
      if (c == '~' && n > 2)
        open = close = 0;
      if (add_delim(x, (char)c, n, open, close) != 0)
        return -1;
      i += n;
      continue;
    }
    if (ac_strbuf_addc(&x->out, (char)c) != 0)
      return -1;
    i++;
  }
  return 0;
}

/* Processes [s, s + len) and appends the text (whitespace not yet
 * collapsed) to dst. */
static int run_inline(const char *s, size_t len, int depth, ac_strbuf *dst) {
  inl x = {0};
  int rc = ac_strbuf_add(&x.out, "", 0);
  if (rc == 0)
    rc = scan(&x, s, len, depth);
  if (rc == 0) {
    resolve(&x);
    size_t p = 0;
    for (size_t k = 0; k < x.nd && rc == 0; k++) {
      const delim *d = &x.d[k];
      rc = ac_strbuf_add(dst, x.out.data + p, d->pos - p);
      for (size_t j = 0; j < d->left && rc == 0; j++)
        rc = ac_strbuf_addc(dst, d->c);
      p = d->pos + d->len;
    }
    if (rc == 0)
      rc = ac_strbuf_add(dst, x.out.data + p, x.out.len - p);
  }
  ac_strbuf_free(&x.out);
  free(x.d);
  return rc;
}

int st_md_inline(const char *s, size_t len, ac_strbuf *out) {
  ac_strbuf tmp = {0};
  int rc = ac_strbuf_add(&tmp, "", 0);
  if (rc == 0)
    rc = run_inline(s, len, 0, &tmp);
  if (rc == 0)
    rc = st_append_collapsed(out, tmp.data, tmp.len);
  ac_strbuf_free(&tmp);
  return rc;
}
