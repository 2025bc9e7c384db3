/*
 * The episode page, SITE/episodes/<slug>.html.
 *
 * Everything works without JavaScript: the native <audio controls>, the
 * article text, the chapter links (to headings in the transcript), one
 * "play from here" link per paragraph (<slug>.mp3#t=SECONDS) and the
 * downloads. player.js adds the read-along: each cue of the WebVTT file is
 * a <span class="s" id="sN" data-start data-end> with the cue's id, text
 * and times, which the script marks aria-current="true" while it is
 * spoken; a click on it seeks there. The interface is English; on a page
 * in another language its text carries lang="en".
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PUTS(h, s) ac_textbuf_puts((h)->b, (s))

/* ---- Shared by the pages ------------------------------------------------- */

void pg_html_ui(const pg_html *h) {
  if (!pg_lang_same(h->lang, "en"))
    PUTS(h, " lang=\"en\"");
  if (h->rtl)
    PUTS(h, " dir=\"ltr\"");
}

const char *pg_html_ui_lang(const pg_html *h) {
  return pg_lang_same(h->lang, "en") ? h->lang : "en";
}

void pg_html_lang(const pg_html *h, const char *lang, const char *context) {
  if (!lang || !context || strcasecmp(lang, context) == 0)
    return;
  PUTS(h, " lang=\"");
  pg_html_attr(h->b, lang);
  PUTS(h, "\"");
  int rtl = pg_lang_rtl(lang);
  if (rtl != pg_lang_rtl(context))
    PUTS(h, rtl ? " dir=\"rtl\"" : " dir=\"ltr\"");
}

/* An asset's URL with its version, so a browser never pairs a page with
 * an older copy from its cache. */
static void asset(const pg_html *h, const char *root, const char *name,
                  const char *version) {
  pg_html_path(h->b, root);
  PUTS(h, "assets/");
  PUTS(h, name);
  if (version) {
    PUTS(h, "?v=");
    pg_html_attr(h->b, version);
  }
}

void pg_html_head(const pg_html *h, const pg_site *site, const char *title,
                  const char *suffix, const char *description,
                  const char *root) {
  PUTS(h, "<!DOCTYPE html>\n<html lang=\"");
  pg_html_attr(h->b, h->lang);
  PUTS(h, h->rtl ? "\" dir=\"rtl\">\n" : "\" dir=\"ltr\">\n");
  PUTS(h, "<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
  pg_html_text(h->b, title);
  if (suffix && *suffix) {
    PUTS(h, " \xE2\x80\x94 "); /* an em dash */
    pg_html_text(h->b, suffix);
  }
  PUTS(h, "</title>\n");
  if (description && *description) {
    PUTS(h, "<meta name=\"description\" content=\"");
    pg_html_attr(h->b, description);
    PUTS(h, "\">\n");
  }
  PUTS(h, "<meta name=\"generator\" content=\"articast\">\n"
          "<link rel=\"stylesheet\" href=\"");
  asset(h, root, "player.css", site->css_version);
  PUTS(h, "\">\n");
  if (site->has_feed) {
    PUTS(h, "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"");
    pg_html_path(h->b, root);
    PUTS(h, "feed.xml\"");
    if (site->title) {
      PUTS(h, " title=\"");
      pg_html_attr(h->b, site->title);
      PUTS(h, "\"");
    }
    PUTS(h, ">\n");
  }
  /* The class comes before the first paint, so the controls the script
   * brings take their place at once (no layout shift). */
  PUTS(h, "<link rel=\"icon\" href=\"data:,\">\n"
          "<script>document.documentElement.classList.add(\"js\")</script>\n"
          "<script src=\"");
  asset(h, root, "player.js", site->js_version);
  PUTS(h, "\" defer></script>\n</head>\n<body>\n");
}

/* The last path segment of an href: pages and their files share a folder
 * (SITE/episodes), so a page links to them by name. */
static void local_href(const pg_html *h, const char *href) {
  const char *slash = strrchr(href, '/');
  if (slash && strncmp(href, "episodes/", 9) == 0 && slash == href + 8) {
    pg_html_path(h->b, slash + 1);
  } else {
    PUTS(h, "../");
    pg_html_path(h->b, href);
  }
}

static const pg_file *find_file(const pg_episode *ep, const char *type) {
  for (size_t i = 0; i < ep->n_files; i++)
    if (strcmp(ep->files[i].type, type) == 0)
      return &ep->files[i];
  return NULL;
}

/* What a download is, in words. */
static const char *file_label(const pg_file *f) {
  static const struct {
    const char *type, *label;
  } labels[] = {{"audio/mpeg", "Download MP3"},
                {"audio/wav", "Download WAV"},
                {"audio/x-wav", "Download WAV"},
                {"audio/flac", "Download FLAC"},
                {"text/vtt", "Transcript (WebVTT)"},
                {"application/x-subrip", "Transcript (SRT)"},
                {"text/plain", "Transcript (plain text)"},
                {"application/json+chapters", "Chapters (JSON)"}};
  for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
    if (strcmp(f->type, labels[i].type) == 0)
      return labels[i].label;
  return NULL;
}

/* ---- The page's parts ---------------------------------------------------- */

typedef struct page {
  pg_html h;
  const pg_site *site;
  const pg_episode *ep;
  int rank[7]; /* heading level -> h3..h6 */
} page;

/* A span in the page's language inside interface text. */
static void open_page_lang(const page *p) {
  PUTS(&p->h, "<span");
  pg_html_lang(&p->h, p->h.lang, pg_html_ui_lang(&p->h));
  PUTS(&p->h, ">");
}

static void put_meta(const page *p) {
  const pg_html *h = &p->h;
  const pg_episode *ep = p->ep;
  PUTS(h, "<p class=\"meta\"");
  pg_html_ui(h);
  PUTS(h, ">");
  if (ep->author) {
    PUTS(h, "By ");
    open_page_lang(p);
    pg_html_text(h->b, ep->author);
    PUTS(h, "</span> \xC2\xB7 ");
  }
  PUTS(h, "<time datetime=\"");
  pg_put_iso_date(h->b, ep->published);
  PUTS(h, "\">");
  pg_put_long_date(h->b, ep->published);
  PUTS(h, "</time> \xC2\xB7 ");
  pg_put_duration(h->b, ep->duration);
  PUTS(h, "</p>\n<p class=\"note\"");
  pg_html_ui(h);
  PUTS(h, ">Audio version of this article, read by a synthetic voice");
  if (ep->voice) {
    PUTS(h, " (");
    pg_html_text(h->b, ep->voice);
    PUTS(h, ")");
  }
  PUTS(h, ". The transcript below is the article text.");
  if (ep->link) {
    PUTS(h, " <a href=\"");
    pg_html_attr(h->b, ep->link);
    PUTS(h, "\">Original article</a>");
  }
  PUTS(h, "</p>\n");
}

static void put_audio(const page *p) {
  const pg_html *h = &p->h;
  const pg_episode *ep = p->ep;
  PUTS(h, "<audio id=\"audio\" controls preload=\"metadata\" data-title=\"");
  pg_html_attr(h->b, ep->title);
  PUTS(h, "\" data-artist=\"");
  pg_html_attr(h->b, ep->author ? ep->author : p->site->title);
  PUTS(h, "\" data-album=\"");
  pg_html_attr(h->b, p->site->title);
  PUTS(h, "\">\n<source src=\"");
  local_href(h, ep->audio.href);
  PUTS(h, "\" type=\"");
  pg_html_attr(h->b, ep->audio.type);
  PUTS(h, "\">\n");
  const pg_file *vtt = find_file(ep, "text/vtt");
  if (vtt) {
    PUTS(h, "<track kind=\"captions\" src=\"");
    local_href(h, vtt->href);
    PUTS(h, "\" srclang=\"");
    pg_html_attr(h->b, ep->language);
    PUTS(h, "\" label=\"Transcript\">\n");
  }
  PUTS(h, "<a href=\"");
  local_href(h, ep->audio.href);
  PUTS(h, "\"");
  pg_html_ui(h);
  PUTS(h, ">Download the audio</a>\n</audio>\n");
}

static void put_controls(const page *p) {
  const pg_html *h = &p->h;
  int chapters = p->ep->n_chapters > 1;
  PUTS(h, "<div class=\"controls\" id=\"controls\"");
  pg_html_ui(h);
  PUTS(h, ">\n");
  if (chapters)
    PUTS(h, "<button type=\"button\" data-chapter=\"-1\">Previous "
            "chapter</button>\n");
  PUTS(h, "<button type=\"button\" data-skip=\"-10\">Back 10 seconds</button>\n"
          "<button type=\"button\" data-skip=\"10\">Forward 10 "
          "seconds</button>\n");
  if (chapters)
    PUTS(h, "<button type=\"button\" data-chapter=\"1\">Next "
            "chapter</button>\n");
  PUTS(h, "<label class=\"field\">Speed <select id=\"rate\">"
          "<option value=\"0.75\">0.75</option>"
          "<option value=\"1\" selected>Normal</option>"
          "<option value=\"1.25\">1.25</option>"
          "<option value=\"1.5\">1.5</option>"
          "<option value=\"1.75\">1.75</option>"
          "<option value=\"2\">2</option></select></label>\n"
          "<label class=\"field\"><input type=\"checkbox\" id=\"follow\" "
          "checked> Follow along</label>\n</div>\n");
}

static void put_downloads(const page *p) {
  const pg_html *h = &p->h;
  const pg_episode *ep = p->ep;
  PUTS(h, "<ul class=\"downloads\"");
  pg_html_ui(h);
  PUTS(h, ">\n<li><a href=\"");
  local_href(h, ep->audio.href);
  PUTS(h, "\" download>");
  const char *label = file_label(&ep->audio);
  PUTS(h, label ? label : "Download the audio");
  if (ep->audio.size) {
    PUTS(h, " (");
    pg_put_size(h->b, ep->audio.size);
    PUTS(h, ")");
  }
  PUTS(h, "</a></li>\n");
  for (size_t i = 0; i < ep->n_files; i++) {
    const char *name = file_label(&ep->files[i]);
    if (!name)
      continue;
    PUTS(h, "<li><a href=\"");
    local_href(h, ep->files[i].href);
    PUTS(h, "\">");
    PUTS(h, name);
    PUTS(h, "</a></li>\n");
  }
  PUTS(h, "</ul>\n");
}

/* The player stays at the top of tall windows while the text scrolls
 * (player.css), so it holds only the audio and the controls. */
static void put_player(const page *p) {
  const pg_html *h = &p->h;
  PUTS(h, "<section class=\"player\" id=\"deck\" "
          "aria-labelledby=\"player-h\">\n<h2 id=\"player-h\" class=\"vh\"");
  pg_html_ui(h);
  PUTS(h, ">Listen</h2>\n");
  put_audio(p);
  put_controls(p);
  PUTS(h, "</section>\n<section class=\"files\" "
          "aria-labelledby=\"files-h\">\n<h2 id=\"files-h\" class=\"vh\"");
  pg_html_ui(h);
  PUTS(h, ">Downloads</h2>\n");
  put_downloads(p);
  PUTS(h, "</section>\n");
}

static void put_chapter_nav(const page *p) {
  const pg_html *h = &p->h;
  const pg_episode *ep = p->ep;
  if (ep->n_chapters < 2)
    return;
  PUTS(h, "<nav id=\"chapters\" aria-labelledby=\"chapters-h\">\n"
          "<h2 id=\"chapters-h\"");
  pg_html_ui(h);
  PUTS(h, ">Chapters</h2>\n<ol>\n");
  for (size_t i = 0; i < ep->n_chapters; i++) {
    const pg_chapter *c = &ep->chapters[i];
    ac_textbuf_printf(h->b, "<li><a href=\"#ch%zu\" data-start=\"", i + 1);
    pg_put_seconds(h->b, c->start_ms);
    PUTS(h, "\"><span class=\"t\">");
    pg_put_clock(h->b, c->start_ms);
    PUTS(h, "</span> <span class=\"ct\"");
    if (c->host_label)
      pg_html_ui(h);
    PUTS(h, ">");
    pg_html_text(h->b, c->title);
    PUTS(h, "</span></a></li>\n");
  }
  PUTS(h, "</ol>\n</nav>\n");
}

/* The runs of a block: cues as sentence elements, the rest as text. */
static void put_runs(const page *p, const pg_block *blk) {
  const pg_html *h = &p->h;
  for (size_t r = 0; r < blk->n_runs; r++) {
    const pg_run *run = &blk->runs[r];
    if (!run->cue) {
      pg_html_text(h->b, run->text);
      continue;
    }
    ac_textbuf_printf(h->b, "<span class=\"s\" id=\"s%zu\" data-start=\"",
                      run->cue);
    pg_put_seconds(h->b, run->start_ms);
    PUTS(h, "\" data-end=\"");
    pg_put_seconds(h->b, run->end_ms);
    PUTS(h, "\">");
    pg_html_text(h->b, run->text);
    PUTS(h, "</span>");
  }
}

/* "Play from 0:12" at the start of a paragraph with a cue. */
static void put_time_link(const page *p, const pg_block *blk) {
  const pg_html *h = &p->h;
  const pg_run *first = NULL;
  for (size_t r = 0; r < blk->n_runs && !first; r++)
    if (blk->runs[r].cue)
      first = &blk->runs[r];
  if (!first)
    return;
  PUTS(h, "<a class=\"ts\" href=\"");
  local_href(h, p->ep->audio.href);
  PUTS(h, "#t=");
  pg_put_seconds(h->b, first->start_ms);
  PUTS(h, "\" data-start=\"");
  pg_put_seconds(h->b, first->start_ms);
  PUTS(h, "\"><span class=\"vh\"");
  pg_html_ui(h);
  PUTS(h, ">Play from </span>");
  pg_put_clock(h->b, first->start_ms);
  PUTS(h, "</a> ");
}

/* id="chN" for the first chapter starting at block i; anchors for any
 * more. */
static void put_anchor(const page *p, size_t i, int *extra) {
  *extra = 0;
  for (size_t k = 0; k < p->ep->n_chapters; k++) {
    if (p->ep->chapters[k].block != i)
      continue;
    if (!*extra)
      ac_textbuf_printf(p->h.b, " id=\"ch%zu\"", k + 1);
    (*extra)++;
  }
}

static void put_extra_anchors(const page *p, size_t i) {
  int first = 1;
  for (size_t k = 0; k < p->ep->n_chapters; k++) {
    if (p->ep->chapters[k].block != i)
      continue;
    if (!first)
      ac_textbuf_printf(p->h.b, "<span id=\"ch%zu\"></span>", k + 1);
    first = 0;
  }
}

static void put_block(const page *p, size_t i) {
  const pg_html *h = &p->h;
  const pg_block *blk = &p->ep->blocks[i];
  int heading = blk->kind == AC_BLOCK_HEADING, extra;
  int level = heading ? p->rank[blk->level] : 0;
  if (heading)
    ac_textbuf_printf(h->b, "<h%d", level);
  else if (blk->kind == AC_BLOCK_QUOTE)
    PUTS(h, "<blockquote");
  else if (blk->kind == AC_BLOCK_LIST_ITEM)
    PUTS(h, "<li");
  else if (blk->kind == AC_BLOCK_BYLINE || blk->kind == AC_BLOCK_BIO ||
           blk->kind == AC_BLOCK_CAPTION || blk->kind == AC_BLOCK_ANNOUNCEMENT)
    PUTS(h, blk->kind == AC_BLOCK_BYLINE    ? "<p class=\"byline\""
            : blk->kind == AC_BLOCK_BIO     ? "<p class=\"bio\""
            : blk->kind == AC_BLOCK_CAPTION ? "<p class=\"caption\""
                                            : "<p class=\"announcement\"");
  else
    PUTS(h, "<p");
  put_anchor(p, i, &extra);
  pg_html_lang(h, blk->lang, h->lang);
  PUTS(h, blk->kind == AC_BLOCK_QUOTE ? "><p>" : ">");
  if (extra > 1)
    put_extra_anchors(p, i);
  if (!heading)
    put_time_link(p, blk);
  put_runs(p, blk);
  if (heading)
    ac_textbuf_printf(h->b, "</h%d>\n", level);
  else
    PUTS(h, blk->kind == AC_BLOCK_QUOTE       ? "</p></blockquote>\n"
            : blk->kind == AC_BLOCK_LIST_ITEM ? "</li>\n"
                                              : "</p>\n");
}

/* Headings below the page's h1 and h2: the title and the article's
 * highest level are h3, each lower level one more, up to h6, so the
 * outline never skips a level. */
static void rank_headings(page *p) {
  int present[7] = {0};
  for (size_t i = 0; i < p->ep->n_blocks; i++)
    if (p->ep->blocks[i].kind == AC_BLOCK_HEADING)
      present[p->ep->blocks[i].level] = 1;
  int next = 3;
  p->rank[0] = 3;
  for (int level = 1; level <= 6; level++) {
    p->rank[level] = next > 6 ? 6 : next;
    if (present[level])
      next++;
  }
}

static void put_transcript(const page *p) {
  const pg_html *h = &p->h;
  PUTS(h, "<section id=\"transcript\" aria-labelledby=\"transcript-h\">\n"
          "<h2 id=\"transcript-h\" tabindex=\"-1\"");
  pg_html_ui(h);
  PUTS(h, ">Transcript</h2>\n");
  int in_list = 0;
  for (size_t i = 0; i < p->ep->n_blocks; i++) {
    int item = p->ep->blocks[i].kind == AC_BLOCK_LIST_ITEM;
    if (item && !in_list)
      PUTS(h, "<ul>\n");
    else if (!item && in_list)
      PUTS(h, "</ul>\n");
    in_list = item;
    put_block(p, i);
  }
  if (in_list)
    PUTS(h, "</ul>\n");
  PUTS(h, "</section>\n");
}

static void put_neighbour(const page *p, const pg_episode *ep, const char *rel,
                          const char *label) {
  const pg_html *h = &p->h;
  PUTS(h, "<li><a rel=\"");
  PUTS(h, rel);
  PUTS(h, "\" href=\"");
  pg_html_path(h->b, ep->slug);
  PUTS(h, ".html\">");
  PUTS(h, label);
  PUTS(h, ": <span");
  pg_html_lang(h, ep->language, pg_html_ui_lang(h));
  PUTS(h, ">");
  pg_html_text(h->b, ep->title);
  PUTS(h, "</span></a></li>\n");
}

static void put_pager(const page *p, const pg_episode *older,
                      const pg_episode *newer) {
  const pg_html *h = &p->h;
  PUTS(h, "<nav class=\"pager\" aria-label=\"More episodes\"");
  pg_html_ui(h);
  PUTS(h, ">\n<ul>\n");
  if (older)
    put_neighbour(p, older, "prev", "Older episode");
  if (newer)
    put_neighbour(p, newer, "next", "Newer episode");
  PUTS(h, "<li><a href=\"../index.html\">All episodes</a></li>\n</ul>\n"
          "</nav>\n");
}

static void put_site_header(const page *p) {
  const pg_html *h = &p->h;
  PUTS(h, "<header class=\"site\"><a href=\"../index.html\"");
  if (p->site->title) {
    pg_html_lang(h, p->site->language, h->lang);
    PUTS(h, ">");
    pg_html_text(h->b, p->site->title);
  } else {
    pg_html_ui(h);
    PUTS(h, ">All episodes");
  }
  PUTS(h, "</a></header>\n");
}

int pg_render_episode(const pg_site *site, const pg_episode *ep,
                      const pg_episode *older, const pg_episode *newer,
                      ac_textbuf *out) {
  page p = {
      .h = {.b = out, .lang = ep->language, .rtl = pg_lang_rtl(ep->language)},
      .site = site,
      .ep = ep};
  rank_headings(&p);
  const pg_html *h = &p.h;
  pg_html_head(h, site, ep->title, site->title, ep->summary, "../");
  PUTS(h, "<a class=\"skip\" href=\"#transcript-h\"");
  pg_html_ui(h);
  PUTS(h, ">Skip to transcript</a>\n");
  put_site_header(&p);
  PUTS(h, "<main id=\"main\">\n<h1>");
  pg_html_text(h->b, ep->title);
  PUTS(h, "</h1>\n");
  put_meta(&p);
  put_player(&p);
  put_chapter_nav(&p);
  put_transcript(&p);
  put_pager(&p, older, newer);
  PUTS(h, "</main>\n");
  if (site->has_feed) {
    PUTS(h, "<footer class=\"site\"");
    pg_html_ui(h);
    PUTS(h, "><p><a href=\"../feed.xml\" type=\"application/rss+xml\">"
            "Subscribe to the podcast (RSS feed)</a></p></footer>\n");
  }
  PUTS(h, "</body>\n</html>\n");
  return out->oom ? AC_ERR_NOMEM : AC_ERR_OK;
}
