/*
 * The show's index, SITE/index.html: the show, how to subscribe, and every
 * episode newest first with its date, duration, summary, a link to its
 * page and its MP3. No <audio> here: nothing to preload, one player per
 * page.
 */
#include "page.h"

#include <string.h>

#define PUTS(h, s) ac_textbuf_puts((h)->b, (s))

static void put_subscribe(const pg_html *h, const pg_site *site) {
  if (!site->has_feed)
    return;
  PUTS(h, "<p class=\"subscribe\"");
  pg_html_ui(h);
  PUTS(h, "><a href=\"feed.xml\" type=\"application/rss+xml\">Subscribe to "
          "the podcast (RSS feed)</a><br>\nFeed address for your podcast "
          "app: <code id=\"feed-url\"");
  /* Without a base URL the script spells out the address it was served
   * from. */
  PUTS(h, site->feed_url ? ">" : " data-relative>");
  pg_html_text(h->b, site->feed_url ? site->feed_url : "feed.xml");
  PUTS(h, "</code></p>\n");
}

static void put_episode(const pg_html *h, const pg_episode *ep) {
  PUTS(h, "<li><article aria-labelledby=\"e-");
  pg_html_attr(h->b, ep->slug);
  PUTS(h, "\"");
  pg_html_lang(h, ep->language, h->lang);
  PUTS(h, ">\n<h3 id=\"e-");
  pg_html_attr(h->b, ep->slug);
  PUTS(h, "\"><a href=\"episodes/");
  pg_html_path(h->b, ep->slug);
  PUTS(h, ".html\">");
  pg_html_text(h->b, ep->title);
  PUTS(h, "</a></h3>\n");
  /* Interface text inside the episode's language. */
  pg_html ui = {
      .b = h->b, .lang = ep->language, .rtl = pg_lang_rtl(ep->language)};
  PUTS(h, "<p class=\"meta\"");
  pg_html_ui(&ui);
  PUTS(h, "><time datetime=\"");
  pg_put_iso_date(h->b, ep->published);
  PUTS(h, "\">");
  pg_put_long_date(h->b, ep->published);
  PUTS(h, "</time> \xC2\xB7 ");
  pg_put_duration(h->b, ep->duration);
  if (ep->author) {
    PUTS(h, " \xC2\xB7 By <span");
    pg_html_lang(h, ep->language, pg_html_ui_lang(&ui));
    PUTS(h, ">");
    pg_html_text(h->b, ep->author);
    PUTS(h, "</span>");
  }
  PUTS(h, "</p>\n");
  if (ep->summary) {
    PUTS(h, "<p class=\"summary\">");
    pg_html_text(h->b, ep->summary);
    PUTS(h, "</p>\n");
  }
  PUTS(h, "<p class=\"dl\"");
  pg_html_ui(&ui);
  PUTS(h, "><a href=\"");
  pg_html_path(h->b, ep->audio.href);
  PUTS(h, "\" download>Download ");
  PUTS(h, strcmp(ep->audio.type, "audio/mpeg") == 0 ? "MP3" : "audio");
  if (ep->audio.size) {
    PUTS(h, " (");
    pg_put_size(h->b, ep->audio.size);
    PUTS(h, ")");
  }
  /* The name says which episode; the visible label starts it. */
  PUTS(h, "<span class=\"vh\">: <span");
  pg_html_lang(h, ep->language, pg_html_ui_lang(&ui));
  PUTS(h, ">");
  pg_html_text(h->b, ep->title);
  PUTS(h, "</span></span>");
  PUTS(h, "</a></p>\n</article></li>\n");
}

int pg_render_index(const pg_site *site, pg_episode *const *eps, size_t n,
                    ac_textbuf *out) {
  const char *lang = site->language          ? site->language
                     : n && eps[0]->language ? eps[0]->language
                                             : "en";
  pg_html h = {.b = out, .lang = lang, .rtl = pg_lang_rtl(lang)};
  const char *title = site->title ? site->title : "Episodes";
  pg_html_head(&h, site, title, NULL, site->description, "");
  PUTS(&h, "<a class=\"skip\" href=\"#episodes-h\"");
  pg_html_ui(&h);
  PUTS(&h, ">Skip to the episodes</a>\n<main id=\"main\">\n<h1");
  if (!site->title)
    pg_html_ui(&h);
  PUTS(&h, ">");
  pg_html_text(out, title);
  PUTS(&h, "</h1>\n");
  if (site->description) {
    PUTS(&h, "<p class=\"lead\">");
    pg_html_text(out, site->description);
    PUTS(&h, "</p>\n");
  }
  put_subscribe(&h, site);
  PUTS(&h, "<h2 id=\"episodes-h\"");
  pg_html_ui(&h);
  PUTS(&h, ">Episodes</h2>\n");
  if (n == 0) {
    PUTS(&h, "<p");
    pg_html_ui(&h);
    PUTS(&h, ">No episodes yet.</p>\n");
  } else {
    PUTS(&h, "<ol class=\"episodes\" reversed>\n");
    for (size_t i = 0; i < n; i++)
      put_episode(&h, eps[i]);
    PUTS(&h, "</ol>\n");
  }
  PUTS(&h, "</main>\n</body>\n</html>\n");
  return out->oom ? AC_ERR_NOMEM : AC_ERR_OK;
}
