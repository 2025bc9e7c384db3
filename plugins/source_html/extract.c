/*
 * source_html: finding the article in a page and turning it into blocks.
 *
 * The method is Readability's (Mozilla's reader view), rebuilt on libxml2,
 * with additions that the article-extraction benchmark showed to matter:
 *
 *  1. Prune. Scripts, styles, form controls, hidden elements, and elements
 *     whose class, id or ARIA role say navigation, comments, sharing,
 *     related links, hover cards, cookie notices or ads are set aside.
 *     Embedded posts the article quotes (a tweet in a "social" box) stay.
 *  2. Score. Every paragraph-like element with some text (<p>, <pre>,
 *     <td>, a <div> without block children, a run of text in a <div>)
 *     gives its ancestors points for its length and its commas: the
 *     parent all, the grandparent half, older ancestors less. An ancestor
 *     starts with points for its tag and for class/id hints, and its total
 *     shrinks with the share of its text that is link text.
 *  3. Choose. The best-scoring element is the article, moved up when
 *     several good candidates share an ancestor; siblings that score well,
 *     or that are prose paragraphs, join it. On pages that list several
 *     posts as <article>s, the one holding the headline is the story.
 *  4. Clean. Inside the article, elements with the signs of boilerplate
 *     (link-heavy lists, more images than paragraphs, negative hints,
 *     sharing widgets, lists of links to other stories) go.
 *  5. Emit. The kept tree becomes headings, paragraphs, quotes and list
 *     items in reading order; bylines, author bios and figure captions
 *     that are sentences get their own kinds; blocks that are furniture
 *     by their text (boiler.c) and headings left with nothing after them
 *     go.
 *
 * When the result is short the page is tried again with fewer pruning
 * rules, as Readability does; a relaxed attempt wins with more text, but
 * not when that text comes from regions the first pass called unlikely
 * (a short post followed by long comments stays the short post).
 *
 * Per-node data lives in an array indexed through each node's `_private`
 * pointer; nothing in the libxml2 tree is changed, so the attempts share
 * one parse. Text lengths are in code points after white space collapses.
 * Recursion follows the tree, whose depth sh_parse bounds (SH_MAX_DEPTH).
 */
#include "source_html.h"
#include "utf8.h" /* plugins/common */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Tags ---------------------------------------------------------------- */

enum {
  F_BLOCK = 1,    /* starts and ends a block of text */
  F_DIVP = 2,     /* makes a <div> a container rather than a paragraph */
  F_SKIP = 4,     /* never holds article text */
  F_PHRASING = 8, /* inline content (Readability's phrasing elements) */
  F_HEADING = 16
};

/* Sorted by name, for bsearch. */
#define TAG_LIST(X)                                                            \
  X(A, "a", F_PHRASING)                                                        \
  X(ABBR, "abbr", F_PHRASING)                                                  \
  X(ADDRESS, "address", F_BLOCK)                                               \
  X(ARTICLE, "article", F_BLOCK)                                               \
  X(ASIDE, "aside", F_BLOCK)                                                   \
  X(AUDIO, "audio", F_SKIP | F_PHRASING)                                       \
  X(B, "b", F_PHRASING)                                                        \
  X(BDI, "bdi", F_PHRASING)                                                    \
  X(BDO, "bdo", F_PHRASING)                                                    \
  X(BLOCKQUOTE, "blockquote", F_BLOCK | F_DIVP)                                \
  X(BODY, "body", F_BLOCK)                                                     \
  X(BR, "br", F_PHRASING)                                                      \
  X(BUTTON, "button", F_SKIP | F_PHRASING)                                     \
  X(CANVAS, "canvas", F_SKIP)                                                  \
  X(CAPTION, "caption", F_BLOCK)                                               \
  X(CENTER, "center", F_BLOCK)                                                 \
  X(CITE, "cite", F_PHRASING)                                                  \
  X(CODE, "code", F_PHRASING)                                                  \
  X(COL, "col", F_SKIP)                                                        \
  X(COLGROUP, "colgroup", F_SKIP)                                              \
  X(DATA, "data", F_PHRASING)                                                  \
  X(DATALIST, "datalist", F_SKIP | F_PHRASING)                                 \
  X(DD, "dd", F_BLOCK)                                                         \
  X(DEL, "del", F_PHRASING)                                                    \
  X(DETAILS, "details", F_BLOCK)                                               \
  X(DFN, "dfn", F_PHRASING)                                                    \
  X(DIALOG, "dialog", F_BLOCK)                                                 \
  X(DIR, "dir", F_BLOCK)                                                       \
  X(DIV, "div", F_BLOCK | F_DIVP)                                              \
  X(DL, "dl", F_BLOCK | F_DIVP)                                                \
  X(DT, "dt", F_BLOCK)                                                         \
  X(EM, "em", F_PHRASING)                                                      \
  X(EMBED, "embed", F_SKIP | F_PHRASING)                                       \
  X(FIELDSET, "fieldset", F_BLOCK)                                             \
  X(FIGCAPTION, "figcaption", F_BLOCK)                                         \
  X(FIGURE, "figure", F_BLOCK)                                                 \
  X(FONT, "font", F_PHRASING)                                                  \
  X(FOOTER, "footer", F_BLOCK)                                                 \
  X(FORM, "form", F_BLOCK)                                                     \
  X(FRAME, "frame", F_SKIP)                                                    \
  X(FRAMESET, "frameset", F_SKIP)                                              \
  X(H1, "h1", F_BLOCK | F_HEADING)                                             \
  X(H2, "h2", F_BLOCK | F_HEADING)                                             \
  X(H3, "h3", F_BLOCK | F_HEADING)                                             \
  X(H4, "h4", F_BLOCK | F_HEADING)                                             \
  X(H5, "h5", F_BLOCK | F_HEADING)                                             \
  X(H6, "h6", F_BLOCK | F_HEADING)                                             \
  X(HEAD, "head", F_SKIP)                                                      \
  X(HEADER, "header", F_BLOCK)                                                 \
  X(HGROUP, "hgroup", F_BLOCK)                                                 \
  X(HR, "hr", F_BLOCK)                                                         \
  X(HTML, "html", F_BLOCK)                                                     \
  X(I, "i", F_PHRASING)                                                        \
  X(IFRAME, "iframe", F_SKIP)                                                  \
  X(IMG, "img", F_DIVP | F_PHRASING)                                           \
  X(INPUT, "input", F_SKIP | F_PHRASING)                                       \
  X(INS, "ins", F_PHRASING)                                                    \
  X(KBD, "kbd", F_PHRASING)                                                    \
  X(LABEL, "label", F_PHRASING)                                                \
  X(LEGEND, "legend", F_BLOCK)                                                 \
  X(LI, "li", F_BLOCK)                                                         \
  X(LINK, "link", F_SKIP)                                                      \
  X(MAIN, "main", F_BLOCK)                                                     \
  X(MAP, "map", F_PHRASING)                                                    \
  X(MARK, "mark", F_PHRASING)                                                  \
  X(MATH, "math", F_PHRASING)                                                  \
  X(MENU, "menu", F_BLOCK)                                                     \
  X(META, "meta", F_SKIP)                                                      \
  X(METER, "meter", F_PHRASING)                                                \
  X(NAV, "nav", F_BLOCK)                                                       \
  X(NOSCRIPT, "noscript", F_SKIP | F_PHRASING)                                 \
  X(OBJECT, "object", F_SKIP | F_PHRASING)                                     \
  X(OL, "ol", F_BLOCK | F_DIVP)                                                \
  X(OPTGROUP, "optgroup", F_SKIP)                                              \
  X(OPTION, "option", F_SKIP)                                                  \
  X(OUTPUT, "output", F_PHRASING)                                              \
  X(P, "p", F_BLOCK | F_DIVP)                                                  \
  X(PARAM, "param", F_SKIP)                                                    \
  X(PICTURE, "picture", F_PHRASING)                                            \
  X(PRE, "pre", F_BLOCK | F_DIVP)                                              \
  X(PROGRESS, "progress", F_PHRASING)                                          \
  X(Q, "q", F_PHRASING)                                                        \
  X(RP, "rp", F_SKIP)                                                          \
  X(RT, "rt", F_PHRASING)                                                      \
  X(RUBY, "ruby", F_PHRASING)                                                  \
  X(S, "s", F_PHRASING)                                                        \
  X(SAMP, "samp", F_PHRASING)                                                  \
  X(SCRIPT, "script", F_SKIP | F_PHRASING)                                     \
  X(SECTION, "section", F_BLOCK)                                               \
  X(SELECT, "select", F_SKIP | F_PHRASING)                                     \
  X(SMALL, "small", F_PHRASING)                                                \
  X(SOURCE, "source", F_SKIP)                                                  \
  X(SPAN, "span", F_PHRASING)                                                  \
  X(STRIKE, "strike", F_PHRASING)                                              \
  X(STRONG, "strong", F_PHRASING)                                              \
  X(STYLE, "style", F_SKIP)                                                    \
  X(SUB, "sub", F_PHRASING)                                                    \
  X(SUMMARY, "summary", F_BLOCK)                                               \
  X(SUP, "sup", F_PHRASING)                                                    \
  X(SVG, "svg", F_SKIP)                                                        \
  X(TABLE, "table", F_BLOCK | F_DIVP)                                          \
  X(TBODY, "tbody", F_BLOCK)                                                   \
  X(TD, "td", F_BLOCK)                                                         \
  X(TEMPLATE, "template", F_SKIP)                                              \
  X(TEXTAREA, "textarea", F_SKIP | F_PHRASING)                                 \
  X(TFOOT, "tfoot", F_BLOCK)                                                   \
  X(TH, "th", F_BLOCK)                                                         \
  X(THEAD, "thead", F_BLOCK)                                                   \
  X(TIME, "time", F_PHRASING)                                                  \
  X(TITLE, "title", F_SKIP)                                                    \
  X(TR, "tr", F_BLOCK)                                                         \
  X(TT, "tt", F_PHRASING)                                                      \
  X(U, "u", F_PHRASING)                                                        \
  X(UL, "ul", F_BLOCK | F_DIVP)                                                \
  X(VAR, "var", F_PHRASING)                                                    \
  X(VIDEO, "video", F_SKIP)                                                    \
  X(WBR, "wbr", F_PHRASING)

enum {
  T_OTHER,
#define TAG_ENUM(id, name, flags) T_##id,
  TAG_LIST(TAG_ENUM)
#undef TAG_ENUM
      T_COUNT
};

typedef struct tag_def {
  const char *name;
  int flags;
} tag_def;

static const tag_def tag_defs[] = {{"", 0},
#define TAG_DEF(id, name, flags) {name, flags},
                                   TAG_LIST(TAG_DEF)
#undef TAG_DEF
};

static int tag_cmp(const void *key, const void *def) {
  return strcmp(key, ((const tag_def *)def)->name);
}

static int tag_of_name(const char *name) {
  const tag_def *d =
      bsearch(name, tag_defs + 1, T_COUNT - 1, sizeof *tag_defs, tag_cmp);
  return d ? (int)(d - tag_defs) : T_OTHER;
}

/* ---- Class and id hints -------------------------------------------------
 *
 * Substrings of an element's class and id, as Readability matches them
 * (its regular expressions are plain alternations of substrings). */

enum {
  H_UNLIKELY = 1 << 0,  /* not the article: menus, comments, sidebars */
  H_MAYBE = 1 << 1,     /* ... unless it also says article or content */
  H_POS_CLASS = 1 << 2, /* class says content */
  H_NEG_CLASS = 1 << 3, /* class says boilerplate */
  H_POS_ID = 1 << 4,
  H_NEG_ID = 1 << 5,
  H_BYLINE = 1 << 6,
  H_SHARE = 1 << 7,
  H_BIO = 1 << 8,
  H_CAPTION = 1 << 9,
  H_CREDIT = 1 << 10,
  H_HIDDEN = 1 << 11,      /* hidden by attribute or inline style */
  H_ROLE_OUT = 1 << 12,    /* an ARIA role that is never the article */
  H_EMBED_QUOTE = 1 << 13, /* an embedded post (tweet, ...) quoted */
  H_DEK = 1 << 14,         /* a summary under the headline (standfirst) */
  H_MEDIA_ONLY = 1 << 15   /* class is negative only for saying "media" */
};

static const char *const unlikely_words[] = {
    "-ad-",       "ai2html",    "banner",     "breadcrumbs", "combx",
    "comment",    "community",  "cover-wrap", "disqus",      "extra",
    "footer",     "gdpr",       "header",     "legends",     "menu",
    "related",    "remark",     "replies",    "rss",         "shoutbox",
    "sidebar",    "skyscraper", "social",     "sponsor",     "supplemental",
    "ad-break",   "agegate",    "pagination", "pager",       "popup",
    "yom-remote", "tooltip",    "popover",    "rollover",    "hovercard",
    "-rail",      "rail-",      "rail_",      "_rail",       NULL};
static const char *const maybe_words[] = {
    "and", "article", "body", "column", "content", "main", "shadow", NULL};
static const char *const positive_words[] = {
    "article", "body", "content", "entry", "hentry", "h-entry",
    "main",    "post", "text",    "blog",  "story",  NULL};
static const char *const negative_words[] = {
    "-ad-",     "hidden",     "banner",  "combx",    "comment", "com-",
    "contact",  "foot",       "gdpr",    "masthead", "media",   "meta",
    "outbrain", "promo",      "related", "scroll",   "share",   "shoutbox",
    "sidebar",  "skyscraper", "sponsor", "shopping", "tags",    "tool",
    "widget",   NULL};
static const char *const byline_words[] = {"byline",    "author",   "dateline",
                                           "writtenby", "p-author", NULL};
static const char *const bio_words[] = {"author-bio",
                                        "authorbio",
                                        "author_bio",
                                        "bio-box",
                                        "biobox",
                                        "about-author",
                                        "about-the-author",
                                        "aboutauthor",
                                        "author-info",
                                        "authorinfo",
                                        "author_info",
                                        "author-box",
                                        "authorbox",
                                        "author_box",
                                        "author-description",
                                        "author-details",
                                        "author-card",
                                        "contributor-bio",
                                        "author-about",
                                        "post-author",
                                        "author-content",
                                        "author-profile",
                                        "entry-author",
                                        "author-wrap",
                                        NULL};
static const char *const caption_words[] = {"caption", NULL};
static const char *const credit_words[] = {"credit", "copyright", NULL};
/* The summary printed under a headline ("dek", "standfirst"): the page's
 * description, not the article. */
static const char *const dek_words[] = {
    "standfirst",   "subtitle",    "sub-title", "subheadline",
    "sub-headline", "strapline",   "__dek",     "-dek",
    "_dek",         "article-dek", "kicker",    NULL};
/* Blockquotes that embed a social-media post the article quotes. */
static const char *const embed_quote_words[] = {"tweet", "instagram", "tiktok",
                                                NULL};

static int has_any(const char *s, const char *const *words) {
  for (size_t i = 0; words[i]; i++)
    if (strstr(s, words[i]))
      return 1;
  return 0;
}

static int is_alnum_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c >= 'A' && c <= 'Z');
}

/* Readability's /(\b|_)(share|sharedaddy)(\b|_)/ on a lowercase string. */
static int has_share(const char *s) {
  for (const char *p = strstr(s, "share"); p; p = strstr(p + 1, "share")) {
    if (p > s && is_alnum_byte(p[-1]))
      continue;
    const char *end = p + 5;
    if (strncmp(end, "daddy", 5) == 0)
      end += 5;
    if (!is_alnum_byte(*end))
      return 1;
  }
  return 0;
}

/* Is "hid" a whole space-separated word of s? */
static int has_hid_word(const char *s) {
  for (const char *p = strstr(s, "hid"); p; p = strstr(p + 1, "hid"))
    if ((p == s || p[-1] == ' ') && (p[3] == '\0' || p[3] == ' '))
      return 1;
  return 0;
}

/* Like has_any, ignoring one word of the list. */
static int has_any_but(const char *s, const char *const *words,
                       const char *except) {
  for (size_t i = 0; words[i]; i++)
    if (strcmp(words[i], except) != 0 && strstr(s, words[i]))
      return 1;
  return has_hid_word(s);
}

static void lower_copy(char *out, size_t outlen, const char *s) {
  size_t i = 0;
  for (; s && s[i] && i + 1 < outlen; i++)
    out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
  out[i] = '\0';
}

static int style_hides(const char *style) {
  char buf[512];
  size_t o = 0;
  for (const char *p = style; *p && o + 1 < sizeof buf; p++)
    if (*p != ' ' && *p != '\t' && *p != '\n')
      buf[o++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
  buf[o] = '\0';
  return strstr(buf, "display:none") || strstr(buf, "visibility:hidden");
}

static uint32_t compute_hints(const xmlNode *n) {
  uint32_t h = 0;
  const char *cls = sh_attr(n, "class");
  const char *id = sh_attr(n, "id");
  char c[384], i[192], both[580];
  lower_copy(c, sizeof c, cls);
  lower_copy(i, sizeof i, id);
  snprintf(both, sizeof both, "%s %s", c, i);
  if (c[0] || i[0]) {
    if (has_any(both, unlikely_words))
      h |= H_UNLIKELY;
    if (has_any(both, maybe_words))
      h |= H_MAYBE;
    if (c[0] && has_any(c, positive_words))
      h |= H_POS_CLASS;
    if (c[0] && (has_any(c, negative_words) || has_hid_word(c)))
      h |= H_NEG_CLASS;
    if (c[0] && strstr(c, "media") && !has_any_but(c, negative_words, "media"))
      h |= H_MEDIA_ONLY;
    if (i[0] && has_any(i, positive_words))
      h |= H_POS_ID;
    if (i[0] && (has_any(i, negative_words) || has_hid_word(i)))
      h |= H_NEG_ID;
    if (has_any(both, byline_words))
      h |= H_BYLINE;
    if (has_share(both))
      h |= H_SHARE;
    if (has_any(both, bio_words))
      h |= H_BIO;
    if (has_any(both, caption_words))
      h |= H_CAPTION;
    if (has_any(both, credit_words))
      h |= H_CREDIT;
    if (strcmp((const char *)n->name, "blockquote") == 0 &&
        has_any(c, embed_quote_words))
      h |= H_EMBED_QUOTE;
    if (has_any(both, dek_words) || strcmp(c, "dek") == 0 ||
        strncmp(c, "dek ", 4) == 0)
      h |= H_DEK;
  }
  const char *rel = sh_attr(n, "rel");
  const char *itemprop = sh_attr(n, "itemprop");
  if (itemprop && (strcmp(itemprop, "description") == 0 ||
                   strcmp(itemprop, "alternativeHeadline") == 0))
    h |= H_DEK;
  if ((rel && strcasecmp(rel, "author") == 0) ||
      (itemprop && strstr(itemprop, "author")))
    h |= H_BYLINE;
  const char *style = sh_attr(n, "style");
  const char *aria = sh_attr(n, "aria-hidden");
  if ((style && style_hides(style)) || sh_attr(n, "hidden") ||
      (aria && strcmp(aria, "true") == 0 && !strstr(c, "fallback-image")))
    h |= H_HIDDEN;
  const char *role = sh_attr(n, "role");
  if (role) {
    static const char *const roles[] = {
        "menu",  "menubar",     "complementary", "navigation",
        "alert", "alertdialog", "dialog",        NULL};
    for (size_t k = 0; roles[k]; k++)
      if (strcasecmp(role, roles[k]) == 0)
        h |= H_ROLE_OUT;
  }
  const char *modal = sh_attr(n, "aria-modal");
  if (modal && strcmp(modal, "true") == 0 && role &&
      strcasecmp(role, "dialog") == 0)
    h |= H_HIDDEN;
  return h;
}

/* ---- Per-node data --------------------------------------------------------
 */

/* Sums over a subtree, kept current as subtrees are dropped. */
typedef struct stats {
  double text;    /* code points of text */
  double link;    /* of which inside links (in-page links count 0.3) */
  double commas;  /* commas of any script */
  double list;    /* text inside <ul>/<ol> */
  double heading; /* text inside <h1>..<h6> */
  double quote;   /* text inside embedded posts (H_EMBED_QUOTE) */
  double p, img, li, input, embed; /* element counts */
} stats;

enum {
  NF_DROPPED = 1,
  NF_CANDIDATE = 2, /* has a content score */
  NF_COLLAPSED = 4, /* a <div> standing for its only <p> */
  NF_AS_PARA = 8,   /* a <div> without block children: a paragraph */
  NF_DATA_TABLE = 16,
  NF_BIO = 32,
  NF_CONTENT = 64,   /* part of the chosen article */
  NF_DIVP_DESC = 128 /* has a descendant in F_DIVP */
};

typedef struct ninfo {
  xmlNode *node;
  uint16_t tag;
  uint16_t flags;
  uint32_t hints;
  double score;
  stats st;
} ninfo;

static ninfo *info(const xmlNode *n) {
  return n && n->type == XML_ELEMENT_NODE ? (ninfo *)n->_private : NULL;
}

static int tag(const xmlNode *n) {
  ninfo *i = info(n);
  return i ? i->tag : T_OTHER;
}

static int dropped(const xmlNode *n) {
  ninfo *i = info(n);
  return i && (i->flags & NF_DROPPED);
}

/* ---- Extraction state ----------------------------------------------------
 */

enum {
  FLAG_STRIP_UNLIKELY = 1,
  FLAG_WEIGHT_CLASSES = 2,
  FLAG_CLEAN_CONDITIONALLY = 4
};

/* A paragraph to score: an element, or a run of inline nodes [first,
 * end) inside a <div>. Lengths are taken when scoring, after pruning. */
typedef struct unit {
  xmlNode *parent; /* first ancestor to score */
  xmlNode *node;   /* the element, or NULL for a run */
  xmlNode *first, *end;
} unit;

typedef struct ctx {
  htmlDocPtr doc;
  xmlNode *body;
  ninfo *nodes;
  size_t n_nodes;
  int flags;
  const char *title;
  char *byline;        /* malloc'd */
  int title_dropped;   /* the heading repeating the title is gone */
  xmlNode *title_node; /* that heading */
  unit *units;
  size_t n_units, cap_units;
  xmlNode **content; /* top-level nodes of the article */
  size_t n_content, cap_content;
  xmlNode *bios[8]; /* author boxes seen anywhere */
  size_t n_bios;
  int nomem;
} ctx;

/* ---- Text measures ---------------------------------------------------------
 */

static int is_comma(const unsigned char *p, size_t n) {
  if (p[0] == ',')
    return 1;
  if (n >= 2 && p[0] == 0xD8 && p[1] == 0x8C) /* U+060C Arabic comma */
    return 1;
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xB9 && p[2] == 0x90) /* U+FE50 */
    return 1;
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xB8 &&
      (p[2] == 0x90 || p[2] == 0x91)) /* U+FE10, U+FE11 */
    return 1;
  if (n >= 3 && p[0] == 0xE2 && p[1] == 0xB9 && p[2] == 0x81) /* U+2E41 */
    return 1;
  if (n >= 3 && p[0] == 0xE2 && p[1] == 0xB8 &&
      (p[2] == 0xB4 || p[2] == 0xB2)) /* U+2E34, U+2E32 */
    return 1;
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C) /* U+FF0C */
    return 1;
  if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x81) /* U+3001 */
    return 1;
  return 0;
}

/* Length (collapsed white space) and commas of a text node. */
static void measure_text(const char *s, double *len, double *commas) {
  size_t n = 0, c = 0;
  int space = 0, any = 0;
  const char *end = s + strlen(s);
  for (const char *p = s; p < end;) {
    size_t k = sh_space_len(p, end);
    if (k) {
      space = 1;
      p += k;
      continue;
    }
    if (space && any)
      n++;
    space = 0;
    any = 1;
    unsigned char u = (unsigned char)*p;
    size_t cl = u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
    if ((size_t)(end - p) < cl)
      cl = (size_t)(end - p);
    if (is_comma((const unsigned char *)p, cl))
      c++;
    n++;
    p += cl;
  }
  if (any && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t'))
    n++; /* a space before the text, between it and what precedes */
  *len = (double)n;
  *commas = (double)c;
}

static void stats_add(stats *a, const stats *b) {
  a->text += b->text;
  a->link += b->link;
  a->commas += b->commas;
  a->list += b->list;
  a->heading += b->heading;
  a->p += b->p;
  a->img += b->img;
  a->li += b->li;
  a->input += b->input;
  a->embed += b->embed;
  a->quote += b->quote;
}

static void stats_sub(stats *a, const stats *b) {
  a->text -= b->text;
  a->link -= b->link;
  a->commas -= b->commas;
  a->list -= b->list;
  a->heading -= b->heading;
  a->p -= b->p;
  a->img -= b->img;
  a->li -= b->li;
  a->input -= b->input;
  a->embed -= b->embed;
  a->quote -= b->quote;
}

/* Computes the stats of every element below n (dropped ones count 0). */
static void compute_stats(xmlNode *n, stats *out) {
  memset(out, 0, sizeof *out);
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) {
        double len, commas;
        measure_text((const char *)c->content, &len, &commas);
        out->text += len;
        out->commas += commas;
      }
      continue;
    }
    ninfo *ci = info(c);
    if (!ci)
      continue;
    if (ci->flags & NF_DROPPED) {
      memset(&ci->st, 0, sizeof ci->st);
      continue;
    }
    compute_stats(c, &ci->st);
    stats s = ci->st;
    switch (ci->tag) {
    case T_A: {
      const char *href = sh_attr(c, "href");
      double coef = href && href[0] == '#' ? 0.3 : 1.0;
      s.link = s.text * coef;
      ci->st.link = s.link;
      break;
    }
    case T_UL:
    case T_OL:
      s.list = s.text;
      ci->st.list = s.list;
      break;
    case T_H1:
    case T_H2:
    case T_H3:
    case T_H4:
    case T_H5:
    case T_H6:
      s.heading = s.text;
      ci->st.heading = s.heading;
      break;
    default:
      break;
    }
    if (ci->hints & H_EMBED_QUOTE) {
      s.quote = s.text;
      ci->st.quote = s.quote;
    }
    /* Counts include the element itself in its parent's sums. */
    switch (ci->tag) {
    case T_P:
      s.p += 1;
      break;
    case T_IMG:
      s.img += 1;
      break;
    case T_LI:
      s.li += 1;
      break;
    case T_INPUT:
      s.input += 1;
      break;
    case T_OBJECT:
    case T_EMBED:
    case T_IFRAME:
      s.embed += 1;
      break;
    default:
      break;
    }
    stats_add(out, &s);
  }
}

/* What an element adds to its parent's sums: its own stats plus itself. */
static stats contribution(const ninfo *i) {
  stats s = i->st;
  switch (i->tag) {
  case T_P:
    s.p += 1;
    break;
  case T_IMG:
    s.img += 1;
    break;
  case T_LI:
    s.li += 1;
    break;
  case T_INPUT:
    s.input += 1;
    break;
  case T_OBJECT:
  case T_EMBED:
  case T_IFRAME:
    s.embed += 1;
    break;
  default:
    break;
  }
  return s;
}

static void mark_dropped(xmlNode *n) {
  for (xmlNode *c = n->children; c; c = c->next) {
    ninfo *ci = info(c);
    if (ci && !(ci->flags & NF_DROPPED)) {
      ci->flags |= NF_DROPPED;
      mark_dropped(c);
    }
  }
}

/* Sets a subtree aside and takes its text out of its ancestors' sums. */
static void drop(xmlNode *n) {
  ninfo *i = info(n);
  if (!i || (i->flags & NF_DROPPED))
    return;
  stats s = contribution(i);
  /* The link, list, heading and quote sums of an <a>, a list, a heading
   * or an embedded post are its whole text: from such an ancestor up,
   * the dropped text counts whole in them. */
  for (xmlNode *a = n->parent; a && a->type == XML_ELEMENT_NODE;
       a = a->parent) {
    ninfo *ai = info(a);
    if (!ai)
      break;
    if (ai->tag == T_A) {
      const char *href = sh_attr(a, "href");
      s.link = s.text * (href && href[0] == '#' ? 0.3 : 1.0);
    } else if (ai->tag == T_UL || ai->tag == T_OL) {
      s.list = s.text;
    } else if (tag_defs[ai->tag].flags & F_HEADING) {
      s.heading = s.text;
    }
    if (ai->hints & H_EMBED_QUOTE)
      s.quote = s.text;
    stats_sub(&ai->st, &s);
  }
  i->flags |= NF_DROPPED;
  mark_dropped(n);
}

/* Is the element mostly an embedded post that the article quotes? Such
 * quotes sit in containers whose names say "social" or "embed". */
static int holds_quote(const xmlNode *n) {
  ninfo *i = info(n);
  return i && i->st.quote > 0 && i->st.quote >= 0.6 * i->st.text;
}

static double link_density(const xmlNode *n) {
  ninfo *i = info(n);
  if (!i || i->st.text <= 0)
    return 0;
  return i->st.link / i->st.text;
}

static double text_len(const xmlNode *n) {
  ninfo *i = info(n);
  return i ? i->st.text : 0;
}

/* ---- Tree helpers ----------------------------------------------------------
 */

static xmlNode *first_element(xmlNode *n) {
  for (; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && !dropped(n))
      return n;
  return NULL;
}

static xmlNode *next_element(xmlNode *n) {
  return first_element(n->next);
}

static size_t element_children(xmlNode *n) {
  size_t k = 0;
  for (xmlNode *c = first_element(n->children); c; c = next_element(c))
    k++;
  return k;
}

/* Is there an ancestor with this tag within max_depth levels (0: any)? */
static xmlNode *ancestor_tag(const xmlNode *n, int t, int max_depth) {
  int depth = 0;
  for (xmlNode *a = n->parent; a && a->type == XML_ELEMENT_NODE;
       a = a->parent) {
    if (max_depth > 0 && depth == max_depth)
      break;
    if (tag(a) == t)
      return a;
    depth++;
  }
  return NULL;
}

static int is_whitespace_text(const xmlNode *n) {
  if (n->type != XML_TEXT_NODE)
    return 0;
  const char *s = (const char *)n->content;
  if (!s)
    return 1;
  size_t len = strlen(s);
  sh_trim(&s, &len);
  return len == 0;
}

static int is_phrasing(const xmlNode *n) {
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
    return 1;
  if (n->type != XML_ELEMENT_NODE)
    return 1; /* comments are invisible */
  int t = tag(n);
  if (t == T_A || t == T_DEL || t == T_INS) {
    for (const xmlNode *c = n->children; c; c = c->next)
      if (!is_phrasing(c))
        return 0;
    return 1;
  }
  return (tag_defs[t].flags & F_PHRASING) != 0;
}

static int is_br(const xmlNode *n) {
  return n && n->type == XML_ELEMENT_NODE && tag(n) == T_BR;
}

/* Next sibling that is not white-space text or a comment. */
static xmlNode *next_significant(xmlNode *n) {
  for (n = n->next; n; n = n->next)
    if (!is_whitespace_text(n) && n->type != XML_COMMENT_NODE)
      return n;
  return NULL;
}

/* ---- Similarity of titles --------------------------------------------------
 */

/* Lowercase words of s, NUL-separated into out; returns the count. */
static size_t words_of(const char *s, char *out, size_t outlen,
                       const char **starts, size_t max) {
  size_t n = 0, o = 0;
  int in_word = 0;
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strlen(s);
  for (size_t i = 0; i < len;) {
    size_t k = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
    if (i + k > len)
      k = len - i;
    int w = sh_word_char(u + i, k);
    if (w) {
      if (o + k + 1 >= outlen)
        break;
      if (!in_word) {
        if (n == max)
          break;
        starts[n++] = out + o;
      }
      for (size_t j = 0; j < k; j++)
        out[o++] = (char)((u[i + j] >= 'A' && u[i + j] <= 'Z') ? u[i + j] + 32
                                                               : u[i + j]);
    } else if (in_word) {
      out[o++] = '\0';
    }
    in_word = w;
    i += k;
  }
  if (in_word && o < outlen)
    out[o++] = '\0';
  return n;
}

/* Readability's textSimilarity: 1 - (length of b's words missing from a) /
 * (length of b's words). */
static double similarity(const char *a, const char *b) {
  char abuf[1024], bbuf[1024];
  const char *aw[128], *bw[128];
  size_t na = words_of(a, abuf, sizeof abuf, aw, 128);
  size_t nb = words_of(b, bbuf, sizeof bbuf, bw, 128);
  if (na == 0 || nb == 0)
    return 0;
  size_t total = 0, missing = 0;
  for (size_t j = 0; j < nb; j++) {
    size_t len = strlen(bw[j]);
    total += len + (j ? 1 : 0);
    int found = 0;
    for (size_t i = 0; i < na && !found; i++)
      found = strcmp(aw[i], bw[j]) == 0;
    if (!found)
      missing += len + 1;
  }
  if (missing)
    missing--; /* the joined string has one space fewer than words */
  return total ? 1.0 - (double)missing / (double)total : 0;
}

/* ---- Preparation -----------------------------------------------------------
 */

static int index_nodes(ctx *c, xmlNode *n, size_t *k, int count_only) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (!count_only) {
      ninfo *i = &c->nodes[*k];
      memset(i, 0, sizeof *i);
      i->node = n;
      i->tag = (uint16_t)tag_of_name((const char *)n->name);
      i->hints = compute_hints(n);
      n->_private = i;
    }
    (*k)++;
    index_nodes(c, n->children, k, count_only);
  }
  return 0;
}

static xmlNode *find_body(xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (tag(n) == T_BODY)
      return n;
    xmlNode *b = find_body(n->children);
    if (b)
      return b;
  }
  return NULL;
}

/* Marks divs that have a descendant of the F_DIVP set, bottom-up. */
static int mark_divp(xmlNode *n) {
  int any = 0;
  for (xmlNode *c = n->children; c; c = c->next) {
    ninfo *ci = info(c);
    if (!ci || (ci->flags & NF_DROPPED))
      continue;
    int below = mark_divp(c);
    if (below)
      ci->flags |= NF_DIVP_DESC;
    if (below || (tag_defs[ci->tag].flags & F_DIVP))
      any = 1;
  }
  return any;
}

static int add_unit(ctx *c, xmlNode *parent, xmlNode *node, xmlNode *first,
                    xmlNode *end) {
  if (c->n_units == c->cap_units) {
    size_t cap = c->cap_units ? c->cap_units * 2 : 256;
    unit *u = realloc(c->units, cap * sizeof *u);
    if (!u) {
      c->nomem = 1;
      return -1;
    }
    c->units = u;
    c->cap_units = cap;
  }
  c->units[c->n_units++] = (unit){parent, node, first, end};
  return 0;
}

/* Text and commas of one node as it contributes to a run. */
static void node_measure(xmlNode *n, double *text, double *commas) {
  *text = *commas = 0;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    if (n->content)
      measure_text((const char *)n->content, text, commas);
    return;
  }
  ninfo *i = info(n);
  if (i && !(i->flags & NF_DROPPED)) {
    *text = i->st.text;
    *commas = i->st.commas;
  }
}

/* Readability wraps runs of inline content in a <div> that also holds
 * blocks into paragraphs, and splits text at double <br>s; each run is a
 * unit scored with the <div> as its parent. */
static void score_runs(ctx *c, xmlNode *div) {
  xmlNode *first = NULL;
  for (xmlNode *n = div->children;; n = n->next) {
    int end_run = !n;
    xmlNode *stop = n;
    if (n && n->type == XML_ELEMENT_NODE && dropped(n))
      continue;
    if (n && !end_run) {
      if (!is_phrasing(n)) {
        end_run = 1;
      } else if (is_br(n)) {
        xmlNode *next = next_significant(n);
        if (is_br(next)) {
          end_run = 1;
          n = next;
        }
      }
    }
    if (end_run) {
      if (first)
        add_unit(c, div, NULL, first, stop);
      first = NULL;
      if (!n)
        break;
      continue;
    }
    if (!first)
      first = n;
  }
}

/* Text and commas of a unit, as the page stands after pruning. */
static void unit_measure(const unit *u, double *text, double *commas) {
  if (u->node) {
    ninfo *i = info(u->node);
    *text = i && !(i->flags & NF_DROPPED) ? i->st.text : 0;
    *commas = i && !(i->flags & NF_DROPPED) ? i->st.commas : 0;
    return;
  }
  *text = *commas = 0;
  for (xmlNode *n = u->first; n && n != u->end; n = n->next) {
    double t, k;
    node_measure(n, &t, &k);
    *text += t;
    *commas += k;
  }
}

/* Does the element hold two <br>s in a row (paragraphs without <p>)? */
static int has_double_br(xmlNode *n) {
  for (xmlNode *ch = n->children; ch; ch = ch->next) {
    if (is_br(ch) && is_br(next_significant(ch)))
      return 1;
    if (ch->type == XML_ELEMENT_NODE && !dropped(ch) && has_double_br(ch))
      return 1;
  }
  return 0;
}

/* Does a <div> hold exactly one <p> and nothing else with text? */
static xmlNode *single_p_child(xmlNode *div) {
  xmlNode *only = NULL;
  for (xmlNode *n = div->children; n; n = n->next) {
    if (n->type == XML_TEXT_NODE) {
      if (!is_whitespace_text(n))
        return NULL;
      continue;
    }
    if (n->type != XML_ELEMENT_NODE || dropped(n))
      continue;
    if (only || tag(n) != T_P)
      return NULL;
    only = n;
  }
  return only;
}

static void note_bio(ctx *c, xmlNode *n) {
  ninfo *i = info(n);
  if (!(i->hints & H_BIO) || (i->flags & NF_BIO))
    return;
  double len = i->st.text;
  if (len < 80 || len > 2000)
    return;
  /* The outermost box only. */
  for (xmlNode *a = n->parent; a && info(a); a = a->parent)
    if (info(a)->flags & NF_BIO)
      return;
  i->flags |= NF_BIO;
  if (c->n_bios < sizeof c->bios / sizeof *c->bios)
    c->bios[c->n_bios++] = n;
}

static int check_byline(ctx *c, xmlNode *n) {
  ninfo *i = info(n);
  if (c->byline || !(i->hints & H_BYLINE) || (i->flags & NF_BIO))
    return 0;
  if (i->st.text <= 0 || i->st.text >= 100)
    return 0;
  char *text = sh_node_text(n);
  if (!text) {
    c->nomem = 1;
    return 0;
  }
  /* "By" alone (the name sits elsewhere) is no byline. */
  const char *name = text;
  if (strncasecmp(name, "by", 2) == 0 &&
      !sh_word_char((const unsigned char *)name + 2, 1))
    name += 2;
  if (sh_word_count(name, strlen(name)) == 0) {
    free(text);
    return 0;
  }
  c->byline = text;
  return 1;
}

static int without_content(xmlNode *n) {
  if (text_len(n) > 0)
    return 0;
  for (xmlNode *ch = first_element(n->children); ch; ch = next_element(ch))
    if (tag(ch) != T_BR && tag(ch) != T_HR)
      return 0;
  return 1;
}

/* One pass over the body in document order: drops what is never the
 * article and lists the units to score. */
static void prepare(ctx *c, xmlNode *n) {
  for (xmlNode *next; n; n = next) {
    next = n->next;
    ninfo *i = info(n);
    if (!i || (i->flags & NF_DROPPED))
      continue;
    int t = i->tag;
    int f = tag_defs[t].flags;
    if ((f & F_SKIP) || (i->hints & H_HIDDEN)) {
      drop(n);
      continue;
    }
    note_bio(c, n);
    if (check_byline(c, n)) {
      drop(n);
      continue;
    }
    if (!c->title_dropped && c->title && (t == T_H1 || t == T_H2)) {
      char *h = sh_node_text(n);
      if (h && similarity(c->title, h) > 0.75) {
        c->title_dropped = 1;
        c->title_node = n;
        free(h);
        drop(n);
        continue;
      }
      free(h);
    }
    if (c->flags & FLAG_STRIP_UNLIKELY) {
      if ((i->hints & H_UNLIKELY) && !(i->hints & H_MAYBE) &&
          !ancestor_tag(n, T_TABLE, 3) && !ancestor_tag(n, T_CODE, 3) &&
          t != T_BODY && t != T_A && !(i->flags & NF_BIO) && !holds_quote(n)) {
        drop(n);
        continue;
      }
      if (i->hints & H_ROLE_OUT) {
        drop(n);
        continue;
      }
    }
    if ((t == T_DIV || t == T_SECTION || t == T_HEADER || (f & F_HEADING)) &&
        without_content(n)) {
      drop(n);
      continue;
    }
    switch (t) {
    case T_P:
    case T_TD:
    case T_PRE:
    case T_SECTION:
    case T_H2:
    case T_H3:
    case T_H4:
    case T_H5:
    case T_H6:
      add_unit(c, n->parent, n, NULL, NULL);
      break;
    case T_DIV: {
      xmlNode *p = single_p_child(n);
      if (p && link_density(n) < 0.25) {
        i->flags |= NF_COLLAPSED;
      } else if (!(i->flags & NF_DIVP_DESC)) {
        /* A div of inline content is a paragraph; with double <br>s,
         * several paragraphs inside the div. */
        i->flags |= NF_AS_PARA;
        if (has_double_br(n))
          score_runs(c, n);
        else
          add_unit(c, n->parent, n, NULL, NULL);
      } else {
        score_runs(c, n);
      }
      break;
    }
    default:
      break;
    }
    prepare(c, n->children);
  }
}

/* ---- Scoring ---------------------------------------------------------------
 */

static double class_weight(const ctx *c, const xmlNode *n) {
  if (!(c->flags & FLAG_WEIGHT_CLASSES))
    return 0;
  ninfo *i = info(n);
  double w = 0;
  if (i->hints & H_NEG_CLASS)
    w -= 25;
  if (i->hints & H_POS_CLASS)
    w += 25;
  if (i->hints & H_NEG_ID)
    w -= 25;
  if (i->hints & H_POS_ID)
    w += 25;
  return w;
}

static void init_candidate(ctx *c, xmlNode *n) {
  ninfo *i = info(n);
  i->flags |= NF_CANDIDATE;
  i->score = 0;
  switch (i->tag) {
  case T_DIV:
    i->score += 5;
    break;
  case T_PRE:
  case T_TD:
  case T_BLOCKQUOTE:
    i->score += 3;
    break;
  case T_ADDRESS:
  case T_OL:
  case T_UL:
  case T_DL:
  case T_DD:
  case T_DT:
  case T_LI:
  case T_FORM:
    i->score -= 3;
    break;
  case T_H1:
  case T_H2:
  case T_H3:
  case T_H4:
  case T_H5:
  case T_H6:
  case T_TH:
    i->score -= 5;
    break;
  default:
    break;
  }
  i->score += class_weight(c, n);
}

/* The parent for scoring: collapsed divs are transparent. */
static xmlNode *score_parent(xmlNode *n) {
  xmlNode *p = n ? n->parent : NULL;
  while (p && info(p) && (info(p)->flags & NF_COLLAPSED))
    p = p->parent;
  return p;
}

static void score_units(ctx *c) {
  for (size_t u = 0; u < c->n_units; u++) {
    unit *un = &c->units[u];
    double text, commas;
    unit_measure(un, &text, &commas);
    if (text < 25)
      continue;
    /* Readability: a point for the paragraph, one per comma (it counts
     * the pieces a comma split makes), one per 100 characters up to 3. */
    int hundreds = (int)(text / 100);
    double score = 1 + (commas + 1) + (hundreds < 3 ? hundreds : 3);
    xmlNode *a = un->parent;
    while (a && info(a) && (info(a)->flags & NF_COLLAPSED))
      a = a->parent;
    for (int level = 0; a && level < 5; level++) {
      ninfo *ai = info(a);
      /* The <html> element has no element parent: not a candidate. */
      if (!ai || !a->parent || a->parent->type != XML_ELEMENT_NODE)
        break;
      if (ai->flags & NF_DROPPED)
        break;
      if (!(ai->flags & NF_CANDIDATE))
        init_candidate(c, a);
      double divider = level == 0 ? 1 : level == 1 ? 2 : level * 3;
      ai->score += score / divider;
      a = score_parent(a);
    }
  }
}

#define N_TOP 5

static int is_ancestor(const xmlNode *a, const xmlNode *n) {
  for (const xmlNode *p = n->parent; p; p = p->parent)
    if (p == a)
      return 1;
  return 0;
}

static int add_content(ctx *c, xmlNode *n) {
  if (c->n_content == c->cap_content) {
    size_t cap = c->cap_content ? c->cap_content * 2 : 16;
    xmlNode **p = realloc(c->content, cap * sizeof *p);
    if (!p) {
      c->nomem = 1;
      return -1;
    }
    c->content = p;
    c->cap_content = cap;
  }
  c->content[c->n_content++] = n;
  return 0;
}

/* Does the text have a sentence end ("." followed by a space or the
 * end)? */
static int has_sentence_end(const xmlNode *n) {
  char *t = sh_node_text(n);
  if (!t)
    return 0;
  int found = 0;
  for (char *p = strchr(t, '.'); p && !found; p = strchr(p + 1, '.'))
    found = p[1] == ' ' || p[1] == '\0';
  free(t);
  return found;
}

static xmlNode *choose(ctx *c) {
  ninfo *top[N_TOP] = {0};
  for (size_t k = 0; k < c->n_nodes; k++) {
    ninfo *i = &c->nodes[k];
    if (!(i->flags & NF_CANDIDATE) || (i->flags & NF_DROPPED))
      continue;
    i->score *= 1 - link_density(i->node);
    for (int t = 0; t < N_TOP; t++) {
      if (!top[t] || i->score > top[t]->score) {
        memmove(&top[t + 1], &top[t], (size_t)(N_TOP - t - 1) * sizeof *top);
        top[t] = i;
        break;
      }
    }
  }
  if (!top[0] || top[0]->tag == T_BODY)
    return c->body;
  xmlNode *best = top[0]->node;

  /* Several close runners-up inside one ancestor: that ancestor. */
  int alternatives = 0;
  xmlNode *alt[N_TOP];
  for (int t = 1; t < N_TOP && top[t]; t++)
    if (top[0]->score > 0 && top[t]->score / top[0]->score >= 0.75)
      alt[alternatives++] = top[t]->node;
  if (alternatives >= 3) {
    for (xmlNode *p = best->parent; p && tag(p) != T_BODY && info(p);
         p = p->parent) {
      int containing = 0;
      for (int k = 0; k < alternatives; k++)
        containing += is_ancestor(p, alt[k]);
      if (containing >= 3) {
        best = p;
        break;
      }
    }
  }
  if (!(info(best)->flags & NF_CANDIDATE))
    init_candidate(c, best);

  /* Climb while the parents' scores rise. */
  xmlNode *p = best->parent;
  double last = info(best)->score;
  double threshold = last / 3;
  while (p && info(p) && tag(p) != T_BODY) {
    ninfo *pi = info(p);
    if (!(pi->flags & NF_CANDIDATE)) {
      p = p->parent;
      continue;
    }
    if (pi->score < threshold)
      break;
    if (pi->score > last) {
      best = p;
      break;
    }
    last = pi->score;
    p = p->parent;
  }
  /* An only child: its parent, so that siblings join. */
  p = best->parent;
  while (p && info(p) && tag(p) != T_BODY && element_children(p) == 1) {
    best = p;
    p = best->parent;
  }
  if (!(info(best)->flags & NF_CANDIDATE))
    init_candidate(c, best);
  return best;
}

/* Text of <article> elements below n that lie outside `skip`. */
static double other_articles(const xmlNode *n, const xmlNode *skip) {
  double text = 0;
  for (xmlNode *ch = first_element(n->children); ch; ch = next_element(ch)) {
    if (ch == skip)
      continue;
    if (tag(ch) == T_ARTICLE && text_len(ch) >= 100)
      text += text_len(ch);
    else
      text += other_articles(ch, skip);
  }
  return text;
}

/* A page that lists several posts (the story, then "you may also like"
 * teasers, each an <article>) can score best on the teasers or on their
 * common ancestor. When the heading that repeats the title sits in an
 * <article> of its own, and the best candidate holds other <article>s,
 * the titled one is the story. Returns it, or NULL. */
static xmlNode *titled_article(ctx *c, xmlNode *best) {
  if (!c->title_node)
    return NULL;
  xmlNode *art = ancestor_tag(c->title_node, T_ARTICLE, 0);
  if (!art || art == best || is_ancestor(art, best) || dropped(art) ||
      text_len(art) < 200)
    return NULL;
  if (is_ancestor(best, art)) /* the story among teasers */
    return other_articles(best, art) >= 200 ? art : NULL;
  /* Elsewhere: the best candidate holds teasers, or is another <article>
   * not much longer than the story. */
  if (other_articles(best, NULL) >= 200)
    return art;
  if (tag(best) == T_ARTICLE && text_len(art) >= 0.5 * text_len(best))
    return art;
  return NULL;
}

static void gather(ctx *c, xmlNode *best) {
  c->n_content = 0;
  if (best == c->body || !best->parent || !info(best->parent)) {
    add_content(c, best);
    return;
  }
  ninfo *bi = info(best);
  double threshold = bi->score * 0.2 > 10 ? bi->score * 0.2 : 10;
  const char *best_class = sh_attr(best, "class");
  for (xmlNode *s = first_element(best->parent->children); s;
       s = next_element(s)) {
    int append = 0;
    if (s == best) {
      append = 1;
    } else {
      ninfo *si = info(s);
      double bonus = 0;
      const char *cls = sh_attr(s, "class");
      if (best_class && best_class[0] && cls && strcmp(cls, best_class) == 0)
        bonus += bi->score * 0.2;
      if ((si->flags & NF_CANDIDATE) && si->score + bonus >= threshold) {
        append = 1;
      } else if (si->tag == T_P || (si->flags & (NF_AS_PARA | NF_COLLAPSED))) {
        double ld = link_density(s);
        double len = si->st.text;
        if (len > 80 && ld < 0.25)
          append = 1;
        else if (len < 80 && len > 0 && ld == 0 && has_sentence_end(s))
          append = 1;
      }
    }
    if (append)
      add_content(c, s);
  }
}

/* ---- Cleaning the article --------------------------------------------------
 */

static void mark_data_tables(xmlNode *n) {
  for (; n; n = n->next) {
    ninfo *i = info(n);
    if (!i || (i->flags & NF_DROPPED))
      continue;
    if (i->tag == T_TABLE) {
      int data = 0, decided = 0;
      const char *role = sh_attr(n, "role");
      const char *dt = sh_attr(n, "datatable");
      const char *summary = sh_attr(n, "summary");
      if (role && strcmp(role, "presentation") == 0) {
        decided = 1;
      } else if (dt && strcmp(dt, "0") == 0) {
        decided = 1;
      } else if (summary && summary[0]) {
        data = decided = 1;
      }
      /* Count rows and columns, and look for header cells. */
      size_t rows = 0, cols = 0;
      int nested = 0, headers = 0;
      if (!decided) {
        xmlNode *stack[64];
        int sp = 0;
        stack[sp++] = n->children;
        while (sp > 0) {
          xmlNode *c = stack[--sp];
          for (; c; c = c->next) {
            int t = tag(c);
            if (c->type != XML_ELEMENT_NODE)
              continue;
            if (t == T_TABLE) {
              nested = 1;
              continue;
            }
            if (t == T_CAPTION || t == T_TH || t == T_THEAD || t == T_TFOOT ||
                t == T_COLGROUP || t == T_COL)
              headers = 1;
            if (t == T_TR) {
              rows++;
              size_t cells = 0;
              for (xmlNode *td = c->children; td; td = td->next) {
                if (tag(td) == T_TD || tag(td) == T_TH) {
                  const char *span = sh_attr(td, "colspan");
                  int k = span ? atoi(span) : 1;
                  cells += k > 0 && k < 100 ? (size_t)k : 1;
                }
              }
              if (cells > cols)
                cols = cells;
            }
            if (c->children && sp < 64)
              stack[sp++] = c->children;
          }
        }
        if (headers)
          data = 1;
        else if (nested)
          data = 0;
        else if (rows == 1 || cols == 1)
          data = 0;
        else if (rows >= 10 || cols > 4)
          data = 1;
        else
          data = rows * cols > 10;
      }
      if (data)
        i->flags |= NF_DATA_TABLE;
    }
    mark_data_tables(n->children);
  }
}

static int in_data_table(const xmlNode *n) {
  for (xmlNode *a = n->parent; a && info(a); a = a->parent)
    if (tag(a) == T_TABLE && (info(a)->flags & NF_DATA_TABLE))
      return 1;
  return 0;
}

/* Collects the elements with tag t below n (and n itself) in document
 * order. */
static void collect_tag(xmlNode *n, int t, xmlNode ***list, size_t *count,
                        size_t *cap, int *nomem) {
  ninfo *i = info(n);
  if (!i || (i->flags & NF_DROPPED))
    return;
  if (i->tag == t) {
    if (*count == *cap) {
      size_t nc = *cap ? *cap * 2 : 64;
      xmlNode **p = realloc(*list, nc * sizeof *p);
      if (!p) {
        *nomem = 1;
        return;
      }
      *list = p;
      *cap = nc;
    }
    (*list)[(*count)++] = n;
  }
  for (xmlNode *c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      collect_tag(c, t, list, count, cap, nomem);
}

/* Does every <li> child of the list hold a link? */
static int every_item_links(xmlNode *list) {
  for (xmlNode *li = first_element(list->children); li; li = next_element(li)) {
    if (tag(li) != T_LI)
      continue;
    xmlNode **found = NULL;
    size_t count = 0, cap = 0;
    int nomem = 0;
    collect_tag(li, T_A, &found, &count, &cap, &nomem);
    free(found);
    if (count == 0)
      return 0;
  }
  return 1;
}

/* Readability's _cleanConditionally for one element. */
static int should_remove(ctx *c, xmlNode *n, int t) {
  ninfo *i = info(n);
  if ((i->flags & NF_BIO) || holds_quote(n))
    return 0;
  int is_list = t == T_UL || t == T_OL;
  if (!is_list && i->st.text > 0 && i->st.list / i->st.text > 0.9)
    is_list = 1;
  if (t == T_TABLE && (i->flags & NF_DATA_TABLE))
    return 0;
  if (in_data_table(n))
    return 0;
  if (ancestor_tag(n, T_CODE, 3))
    return 0;
  double weight = class_weight(c, n);
  /* "media" in a class name is a weak sign: a container so named that
   * holds a paragraph of prose is text. */
  if (weight < 0 && (i->hints & H_MEDIA_ONLY) && !(i->hints & H_NEG_ID) &&
      i->st.p >= 1 && i->st.text >= 100 && link_density(n) < 0.2)
    weight = 0;
  if (weight < 0)
    return 1;
  if (i->st.commas >= 10)
    return 0;
  /* A list of links to other stories: every item links, and most of
   * the text is link text. */
  if ((t == T_UL || t == T_OL) && i->st.li >= 2 && link_density(n) > 0.4 &&
      every_item_links(n))
    return 1;
  double p = i->st.p, img = i->st.img, li = i->st.li - 100;
  double input = i->st.input;
  double heading_density = i->st.text > 0 ? i->st.heading / i->st.text : 0;
  double embeds = i->st.embed;
  double ld = link_density(n);
  double len = i->st.text;
  int in_figure = ancestor_tag(n, T_FIGURE, 3) != NULL;
  int remove = (img > 1 && p / img < 0.5 && !in_figure) ||
               (!is_list && li > p) || (input > (double)(int)(p / 3)) ||
               (!is_list && heading_density < 0.9 && len < 25 &&
                (img == 0 || img > 2) && !in_figure) ||
               (!is_list && weight < 25 && ld > 0.2) ||
               (weight >= 25 && ld > 0.5) ||
               ((embeds == 1 && len < 75) || embeds > 1);
  if (is_list && remove) {
    /* Lists of images may stay. */
    for (xmlNode *ch = first_element(n->children); ch; ch = next_element(ch))
      if (element_children(ch) > 1)
        return remove;
    if (img == i->st.li)
      return 0;
  }
  return remove;
}

static void clean_conditionally(ctx *c, int t) {
  if (!(c->flags & FLAG_CLEAN_CONDITIONALLY))
    return;
  xmlNode **list = NULL;
  size_t count = 0, cap = 0;
  for (size_t k = 0; k < c->n_content; k++)
    collect_tag(c->content[k], t, &list, &count, &cap, &c->nomem);
  /* Last first, so that inner elements go before their ancestors are
   * judged. */
  for (size_t k = count; k-- > 0;)
    if (!dropped(list[k]) && should_remove(c, list[k], t))
      drop(list[k]);
  free(list);
}

static void clean_tag(ctx *c, int t) {
  xmlNode **list = NULL;
  size_t count = 0, cap = 0;
  for (size_t k = 0; k < c->n_content; k++)
    collect_tag(c->content[k], t, &list, &count, &cap, &c->nomem);
  for (size_t k = 0; k < count; k++)
    if (!(info(list[k])->flags & NF_BIO))
      drop(list[k]);
  free(list);
}

static void clean_share(ctx *c, xmlNode *n, int top) {
  for (xmlNode *ch = first_element(n->children); ch; ch = next_element(ch)) {
    ninfo *i = info(ch);
    if (!top && (i->hints & H_SHARE) && i->st.text < 500 && !holds_quote(ch)) {
      drop(ch);
      continue;
    }
    clean_share(c, ch, 0);
  }
}

static void clean_headers(ctx *c, xmlNode *n) {
  for (xmlNode *ch = first_element(n->children); ch; ch = next_element(ch)) {
    int t = tag(ch);
    if ((t == T_H1 || t == T_H2) && class_weight(c, ch) < 0) {
      drop(ch);
      continue;
    }
    clean_headers(c, ch);
  }
}

static void clean_article(ctx *c) {
  for (size_t k = 0; k < c->n_content; k++)
    mark_data_tables(c->content[k]);
  clean_conditionally(c, T_FORM);
  clean_conditionally(c, T_FIELDSET);
  clean_tag(c, T_OBJECT);
  clean_tag(c, T_EMBED);
  clean_tag(c, T_FOOTER);
  clean_tag(c, T_LINK);
  clean_tag(c, T_ASIDE);
  for (size_t k = 0; k < c->n_content; k++)
    clean_share(c, c->content[k], 1);
  clean_tag(c, T_IFRAME);
  clean_tag(c, T_INPUT);
  clean_tag(c, T_TEXTAREA);
  clean_tag(c, T_SELECT);
  clean_tag(c, T_BUTTON);
  for (size_t k = 0; k < c->n_content; k++) {
    int t = tag(c->content[k]);
    if ((t == T_H1 || t == T_H2) && class_weight(c, c->content[k]) < 0)
      drop(c->content[k]);
    else
      clean_headers(c, c->content[k]);
  }
  clean_conditionally(c, T_TABLE);
  clean_conditionally(c, T_UL);
  clean_conditionally(c, T_DIV);
}

/* ---- Emission --------------------------------------------------------------
 */

typedef struct emitter {
  ctx *c;
  sh_blocks *out;
  ac_strbuf run;
  ac_block_kind kind;
  int level;
  int unlikely;        /* inside an element Readability calls unlikely */
  size_t unlikely_len; /* body text emitted there, in code points */
  size_t run_link;     /* bytes of the run inside links */
  unsigned flushes;    /* counts flushes, to tell whether a run survived */
  int seen_body;       /* a paragraph has been emitted */
  int in_li;           /* depth of list items around the run */
  int in_pre;          /* inside <pre>: line breaks are kept */
} emitter;

/* Class, id or role that first pruning pass sets aside. */
static int is_unlikely(const ninfo *i) {
  return ((i->hints & H_UNLIKELY) && !(i->hints & H_MAYBE)) ||
         (i->hints & H_ROLE_OUT);
}

int sh_blocks_add(sh_blocks *out, ac_block_kind kind, int level,
                  const char *text, size_t len) {
  if (out->count == out->cap) {
    size_t cap = out->cap ? out->cap * 2 : 32;
    sh_block *p = realloc(out->items, cap * sizeof *p);
    if (!p)
      return -1;
    out->items = p;
    out->cap = cap;
  }
  char *t = strndup(text, len);
  if (!t)
    return -1;
  out->items[out->count++] = (sh_block){kind, level, t};
  return 0;
}

/* Emits the run as one block per stretch between blank lines (double
 * <br>). */
static void flush(emitter *e) {
  e->flushes++;
  if (!e->run.data || e->run.len == 0) {
    e->run_link = 0;
    return;
  }
  double ratio = (double)e->run_link / (double)e->run.len;
  e->run_link = 0;
  const char *s = e->run.data;
  const char *end = s + e->run.len;
  while (s < end) {
    const char *q = strstr(s, "\n\n");
    const char *stop = q ? q : end;
    const char *t = s;
    size_t len = (size_t)(stop - s);
    sh_trim(&t, &len);
    /* Lines of the block: strip spaces around the single newlines. */
    if (len) {
      ac_strbuf clean = {0};
      const char *p = t, *tend = t + len;
      int ok = ac_strbuf_add(&clean, "", 0) == 0;
      while (ok && p < tend) {
        const char *nl = memchr(p, '\n', (size_t)(tend - p));
        const char *lend = nl ? nl : tend;
        const char *l = p;
        size_t ll = (size_t)(lend - p);
        sh_trim(&l, &ll);
        if (ll) {
          if (clean.len)
            ok = ac_strbuf_addc(&clean, '\n') == 0;
          if (ok)
            ok = ac_strbuf_add(&clean, l, ll) == 0;
        }
        p = nl ? nl + 1 : tend;
      }
      ac_block_kind kind = e->kind;
      int keep = ok && clean.len > 0;
      if (keep && (kind == AC_BLOCK_PARAGRAPH || kind == AC_BLOCK_LIST_ITEM) &&
          !e->seen_body && sh_is_byline_text(clean.data, clean.len))
        kind = AC_BLOCK_BYLINE;
      else if (keep && kind == AC_BLOCK_HEADING && e->in_li && ratio >= 0.8)
        keep = 0; /* a teaser's headline in a list of stories */
      else if (keep && kind != AC_BLOCK_CAPTION)
        /* Link-only list items may be the article's own list of sources
         * or products; lists of story links go whole (should_remove). */
        keep = !sh_boilerplate_text(clean.data, clean.len,
                                    kind == AC_BLOCK_LIST_ITEM ? 0 : ratio,
                                    kind == AC_BLOCK_HEADING);
      if (keep && sh_blocks_add(e->out, kind, e->level, clean.data, clean.len))
        e->c->nomem = 1;
      if (!ok)
        e->c->nomem = 1;
      if (keep && e->unlikely && kind != AC_BLOCK_CAPTION)
        e->unlikely_len += ac_utf8_count(clean.data, clean.len);
      if (keep && kind == AC_BLOCK_PARAGRAPH)
        e->seen_body = 1;
      ac_strbuf_free(&clean);
    }
    s = q ? q + 2 : end;
    while (s < end && *s == '\n')
      s++;
  }
  e->run.len = 0;
  e->run.data[0] = '\0';
}

static void emit_children(emitter *e, xmlNode *n, int depth);

static void emit_text(emitter *e, const char *s) {
  if (!e->in_pre) {
    if (sh_buf_add_text(&e->run, s, strlen(s)) != 0)
      e->c->nomem = 1;
    return;
  }
  /* Preformatted text keeps its lines (single newlines; see flush). */
  for (const char *p = s; *p;) {
    size_t n = strcspn(p, "\n");
    if (sh_buf_add_text(&e->run, p, n) != 0)
      e->c->nomem = 1;
    p += n;
    if (*p == '\n') {
      while (e->run.len && e->run.data[e->run.len - 1] == ' ')
        e->run.data[--e->run.len] = '\0';
      if (e->run.len && e->run.data[e->run.len - 1] != '\n' &&
          ac_strbuf_addc(&e->run, '\n') != 0)
        e->c->nomem = 1;
      p++;
    }
  }
}

/* A caption is spoken only when it is a sentence, not a file name or a
 * credit line. */
static int sentence_like(const char *t) {
  size_t len = strlen(t);
  size_t words = sh_word_count(t, len);
  if (words < 5)
    return 0;
  static const char *const exts[] = {".jpg",  ".jpeg", ".png", ".gif",
                                     ".webp", ".svg",  ".tif", NULL};
  for (size_t i = 0; exts[i]; i++)
    if (sh_strcasestr(t, exts[i]))
      return 0;
  const char *last = t + len;
  while (last > t && (last[-1] == ' ' || last[-1] == ')' || last[-1] == '"' ||
                      (unsigned char)last[-1] >= 0x80))
    last--;
  int ends =
      last > t && (last[-1] == '.' || last[-1] == '!' || last[-1] == '?');
  return ends || words >= 10;
}

/* Text of a subtree on one line, without what was dropped or skipped and
 * without credit lines. */
static void collect_text(ctx *c, xmlNode *n, ac_strbuf *b, int depth) {
  for (xmlNode *ch = n->children; ch; ch = ch->next) {
    if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
      if (ch->content &&
          sh_buf_add_text(b, (const char *)ch->content,
                          strlen((const char *)ch->content)) != 0)
        c->nomem = 1;
      continue;
    }
    ninfo *i = info(ch);
    if (!i || (i->flags & NF_DROPPED) || (tag_defs[i->tag].flags & F_SKIP) ||
        ((i->hints & H_CREDIT) && i->st.text < 200) || depth > SH_MAX_DEPTH)
      continue;
    int block = (tag_defs[i->tag].flags & F_BLOCK) || i->tag == T_BR;
    if (block && b->len && b->data[b->len - 1] != ' ' && ac_strbuf_addc(b, ' '))
      c->nomem = 1;
    collect_text(c, ch, b, depth + 1);
    if (block && b->len && b->data[b->len - 1] != ' ' && ac_strbuf_addc(b, ' '))
      c->nomem = 1;
  }
}

/* Emits a subtree's text as one block of `kind`, when `keep` accepts it
 * (NULL: always). */
static void emit_whole(emitter *e, xmlNode *n, ac_block_kind kind,
                       int (*keep)(const char *)) {
  flush(e);
  ac_strbuf b = {0};
  if (ac_strbuf_add(&b, "", 0) != 0) {
    e->c->nomem = 1;
    return;
  }
  collect_text(e->c, n, &b, 0);
  const char *t = b.data;
  size_t len = b.len;
  sh_trim(&t, &len);
  if (len && (!keep || keep(t)) && sh_blocks_add(e->out, kind, 0, t, len) != 0)
    e->c->nomem = 1;
  ac_strbuf_free(&b);
}

static void emit_table_row(emitter *e, xmlNode *tr) {
  flush(e);
  ac_block_kind saved = e->kind;
  int first = 1;
  for (xmlNode *td = first_element(tr->children); td; td = next_element(td)) {
    if (tag(td) != T_TD && tag(td) != T_TH)
      continue;
    if (!first && e->run.len) {
      sh_buf_rtrim(&e->run);
      if (ac_strbuf_adds(&e->run, ", ") != 0)
        e->c->nomem = 1;
    }
    first = 0;
    emit_children(e, td, 1);
  }
  flush(e);
  e->kind = saved;
}

static void emit_element_in(emitter *e, xmlNode *n, int depth);

/* Emits an element, keeping count of text from unlikely regions. */
static void emit_element(emitter *e, xmlNode *n, int depth) {
  ninfo *i = info(n);
  if (!i || (i->flags & NF_DROPPED) || depth > SH_MAX_DEPTH)
    return;
  if (!is_unlikely(i)) {
    emit_element_in(e, n, depth);
    return;
  }
  flush(e);
  e->unlikely++;
  emit_element_in(e, n, depth);
  flush(e);
  e->unlikely--;
}

static void emit_element_in(emitter *e, xmlNode *n, int depth) {
  ninfo *i = info(n);
  int t = i->tag;
  int f = tag_defs[t].flags;
  if (f & F_SKIP)
    return;
  if (i->flags & NF_BIO) {
    emit_whole(e, n, AC_BLOCK_BIO, NULL);
    return;
  }
  if (t == T_FIGCAPTION ||
      ((i->hints & H_CAPTION) && t != T_FIGURE && i->st.text < 500)) {
    emit_whole(e, n, AC_BLOCK_CAPTION, sentence_like);
    return;
  }
  if ((i->hints & H_CREDIT) && i->st.text < 200)
    return;
  /* A summary above the article's first paragraph. */
  if ((i->hints & H_DEK) && !e->seen_body && i->st.text < 600)
    return;
  if (t == T_BR) {
    /* A line break; two in a row end a paragraph (see flush). */
    while (e->run.len && e->run.data[e->run.len - 1] == ' ')
      e->run.data[--e->run.len] = '\0';
    if (e->run.len && ac_strbuf_addc(&e->run, '\n') != 0)
      e->c->nomem = 1;
    return;
  }
  if (t == T_IMG)
    return;
  if (t == T_TR && ancestor_tag(n, T_TABLE, 0) &&
      (info(ancestor_tag(n, T_TABLE, 0))->flags & NF_DATA_TABLE)) {
    emit_table_row(e, n);
    return;
  }
  if (!(f & F_BLOCK)) {
    size_t before = e->run.len;
    unsigned flushes = e->flushes;
    emit_children(e, n, depth + 1);
    if (t == T_A && flushes == e->flushes && e->run.len > before)
      e->run_link += e->run.len - before;
    return;
  }
  /* A block: its text is a block of its own. */
  flush(e);
  ac_block_kind saved = e->kind;
  int saved_level = e->level;
  if (f & F_HEADING) {
    e->kind = AC_BLOCK_HEADING;
    e->level = t - T_H1 + 1;
  } else if (t == T_BLOCKQUOTE) {
    e->kind = AC_BLOCK_QUOTE;
    e->level = 0;
  } else if (t == T_LI) {
    e->kind = AC_BLOCK_LIST_ITEM;
    e->level = 0;
  } else if (t == T_P || t == T_DIV || t == T_DD || t == T_DT || t == T_PRE) {
    if (e->kind == AC_BLOCK_HEADING) {
      e->kind = AC_BLOCK_PARAGRAPH;
      e->level = 0;
    }
  }
  e->in_li += t == T_LI;
  e->in_pre += t == T_PRE;
  emit_children(e, n, depth + 1);
  flush(e);
  e->in_li -= t == T_LI;
  e->in_pre -= t == T_PRE;
  e->kind = saved;
  e->level = saved_level;
}

static void emit_children(emitter *e, xmlNode *n, int depth) {
  for (xmlNode *ch = n->children; ch; ch = ch->next) {
    if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
      if (ch->content)
        emit_text(e, (const char *)ch->content);
    } else if (ch->type == XML_ELEMENT_NODE) {
      emit_element(e, ch, depth);
    }
  }
}

/* ---- Attempts --------------------------------------------------------------
 */

static void blocks_clear(sh_blocks *b) {
  for (size_t i = 0; i < b->count; i++)
    free(b->items[i].text);
  b->count = 0;
}

void sh_blocks_free(sh_blocks *b) {
  blocks_clear(b);
  free(b->items);
  free(b->byline);
  memset(b, 0, sizeof *b);
}

static size_t blocks_text_len(const sh_blocks *b) {
  size_t n = 0;
  for (size_t i = 0; i < b->count; i++)
    if (b->items[i].kind == AC_BLOCK_PARAGRAPH ||
        b->items[i].kind == AC_BLOCK_HEADING ||
        b->items[i].kind == AC_BLOCK_QUOTE ||
        b->items[i].kind == AC_BLOCK_LIST_ITEM)
      n += ac_utf8_count(b->items[i].text, strlen(b->items[i].text));
  return n;
}

static void reset(ctx *c) {
  for (size_t k = 0; k < c->n_nodes; k++) {
    ninfo *i = &c->nodes[k];
    i->flags = 0;
    i->score = 0;
  }
  c->n_units = 0;
  c->n_content = 0;
  c->n_bios = 0;
  c->title_dropped = 0;
  c->title_node = NULL;
  free(c->byline);
  c->byline = NULL;
}

/* Headings after the article's last paragraph introduced something that
 * was left out (related stories, comments). */
static void drop_trailing_headings(sh_blocks *b) {
  for (size_t i = b->count; i-- > 0;) {
    ac_block_kind k = b->items[i].kind;
    if (k == AC_BLOCK_PARAGRAPH || k == AC_BLOCK_QUOTE ||
        k == AC_BLOCK_LIST_ITEM)
      break;
    if (k == AC_BLOCK_HEADING) {
      free(b->items[i].text);
      memmove(&b->items[i], &b->items[i + 1],
              (b->count - i - 1) * sizeof *b->items);
      b->count--;
    }
  }
}

/* One attempt with the given flags; blocks go to out. Returns how much of
 * the body text came from regions that look unlikely to be the article
 * (comments, sidebars), which only the relaxed attempts keep. */
static size_t attempt(ctx *c, sh_blocks *out) {
  reset(c);
  /* Scripts, styles and the like count in no sums. */
  for (size_t k = 0; k < c->n_nodes; k++)
    if (tag_defs[c->nodes[k].tag].flags & F_SKIP)
      c->nodes[k].flags |= NF_DROPPED;
  stats root;
  compute_stats(c->body, &root);
  info(c->body)->st = root;
  mark_divp(c->body);
  prepare(c, c->body->children);
  score_units(c);
  xmlNode *best = choose(c);
  xmlNode *story = titled_article(c, best);
  if (story) {
    c->n_content = 0;
    add_content(c, story);
  } else {
    gather(c, best);
  }
  clean_article(c);

  emitter e = {.c = c, .out = out, .kind = AC_BLOCK_PARAGRAPH};
  if (ac_strbuf_add(&e.run, "", 0) != 0) {
    c->nomem = 1;
    return 0;
  }
  int bio_emitted = 0;
  for (size_t k = 0; k < c->n_content; k++) {
    xmlNode *n = c->content[k];
    info(n)->flags |= NF_CONTENT;
    e.unlikely = 0;
    for (xmlNode *a = n->parent; a && info(a) && !e.unlikely; a = a->parent)
      e.unlikely = is_unlikely(info(a));
    emit_element(&e, n, 0);
  }
  flush(&e);
  drop_trailing_headings(out);
  for (size_t i = 0; i < out->count; i++)
    if (out->items[i].kind == AC_BLOCK_BIO)
      bio_emitted = 1;
  /* An author box after the article, outside it. */
  if (!bio_emitted && c->n_content) {
    for (size_t b = 0; b < c->n_bios; b++) {
      xmlNode *bio = c->bios[b];
      int inside = 0;
      for (size_t k = 0; k < c->n_content && !inside; k++)
        inside = bio == c->content[k] || is_ancestor(c->content[k], bio);
      if (inside)
        continue;
      /* After the article's start in document order (nodes are indexed
       * in document order). */
      if (info(bio) < info(c->content[0]))
        continue;
      char *t = sh_node_text(bio);
      if (t && t[0] && sh_blocks_add(out, AC_BLOCK_BIO, 0, t, strlen(t)) != 0)
        c->nomem = 1;
      free(t);
      break;
    }
  }
  ac_strbuf_free(&e.run);
  return e.unlikely_len;
}

int sh_extract(htmlDocPtr doc, const char *title, sh_blocks *out) {
  memset(out, 0, sizeof *out);
  ctx c;
  memset(&c, 0, sizeof c);
  c.doc = doc;
  c.title = title;
  xmlNode *root = xmlDocGetRootElement(doc);
  if (!root)
    return 0;
  size_t count = 0;
  index_nodes(&c, root, &count, 1);
  c.nodes = calloc(count ? count : 1, sizeof *c.nodes);
  if (!c.nodes)
    return AC_ERR_NOMEM;
  c.n_nodes = count;
  size_t k = 0;
  index_nodes(&c, root, &k, 0);
  c.body = find_body(root);
  if (!c.body)
    c.body = root;

  static const int attempts[] = {FLAG_STRIP_UNLIKELY | FLAG_WEIGHT_CLASSES |
                                     FLAG_CLEAN_CONDITIONALLY,
                                 FLAG_WEIGHT_CLASSES | FLAG_CLEAN_CONDITIONALLY,
                                 FLAG_CLEAN_CONDITIONALLY, 0};
  sh_blocks best = {0};
  size_t best_len = 0;
  char *best_byline = NULL;
  for (size_t a = 0; a < sizeof attempts / sizeof *attempts && !c.nomem; a++) {
    c.flags = attempts[a];
    sh_blocks got = {0};
    size_t unlikely = attempt(&c, &got);
    size_t len = blocks_text_len(&got);
    /* A relaxed attempt wins with more text, but not with text from
     * comments or sidebars alone, unless the first found next to
     * nothing. */
    size_t likely = len > unlikely ? len - unlikely : 0;
    if (a == 0 || likely > best_len || (best_len < 140 && len > best_len)) {
      sh_blocks_free(&best);
      best = got;
      best_len = len;
      free(best_byline);
      best_byline = c.byline;
      c.byline = NULL;
    } else {
      sh_blocks_free(&got);
    }
    if (best_len >= 500)
      break;
  }
  int nomem = c.nomem;
  /* Leave the tree as we found it. */
  for (size_t i = 0; i < c.n_nodes; i++)
    c.nodes[i].node->_private = NULL;
  free(c.nodes);
  free(c.units);
  free(c.content);
  free(c.byline);
  *out = best;
  out->byline = best_byline;
  if (nomem) {
    sh_blocks_free(out);
    return AC_ERR_NOMEM;
  }
  return 0;
}
