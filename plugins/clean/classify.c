/*
 * Boilerplate classification in the spirit of jusText (Pomikálek, 2011):
 * every unit gets a context-free class from its length, stopword density
 * and boilerplate patterns; short and near-good units then take the class
 * of their neighbours, so short lines inside an article stay and runs of
 * short lines at the head and tail of a page go. On top of that:
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
#include <strings.h>

/* jusText's thresholds, in words instead of characters where noted. */
enum {
  LONG_WORDS = 30,       /* "length_high" (200 characters) */
  HEADING_DISTANCE = 200 /* characters from a heading to good text */
};
static const double STOP_LOW = 0.22;  /* below: not running text */
static const double STOP_HIGH = 0.26; /* at or above, and long: good */
/* Typical stopword density of running English with these lists. Pages
 * whose long paragraphs are sparser (a language with a short list) get
 * proportionally lower thresholds. */
static const double STOP_TYPICAL = 0.42;

/* The thresholds in force for one document. */
typedef struct limits {
  double low, high;
} limits;

/* ---- Features ---------------------------------------------------------- */

static bool closing(uint32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D ||
         cp == 0x2019 || cp == 0xBB;
}

static void features(cl_unit *u) {
  const char *s = u->text;
  size_t len = u->len;
  char word[32];
  size_t wl = 0;
  bool in_word = false, too_long = false, first_upper = false;
  uint32_t last = 0, before_close = 0;
  memset(u->stops, 0, sizeof u->stops);
  u->chars = u->words = u->cjk = u->caps = u->letters = 0;
  for (size_t i = 0; i <= len;) {
    uint32_t cp = 0;
    if (i < len)
      cp = cl_utf8_next(s, len, &i);
    else
      i++;
    bool wc = cp != 0 && cl_is_wordchar(cp) && !cl_is_cjk(cp);
    /* An apostrophe inside a word ("don't") keeps the word going. */
    if (!wc && cp == '\'' && in_word && i < len &&
        cl_is_wordchar((unsigned char)s[i]))
      wc = true;
    if (cp) {
      u->chars++;
      if (cl_is_cjk(cp))
        u->cjk++;
      if (cl_is_wordchar(cp) && !(cp >= '0' && cp <= '9'))
        u->letters++;
      if (cp != ' ') {
        if (!closing(cp))
          before_close = cp;
        last = cp;
      }
    }
    if (wc) {
      if (!in_word) {
        in_word = true;
        wl = 0;
        too_long = false;
        first_upper = cl_is_upper(cp);
      }
      char buf[4];
      size_t k = cl_utf8_put(buf, cl_lower(cp));
      if (wl + k < sizeof word) {
        memcpy(word + wl, buf, k);
        wl += k;
      } else {
        too_long = true;
      }
    } else if (in_word) {
      in_word = false;
      u->words++;
      if (first_upper)
        u->caps++;
      if (!too_long) {
        word[wl] = '\0';
        unsigned mask = cl_stopword(word);
        for (int l = 0; mask && l < CL_N_LANGS; l++) {
          if (mask & (1u << l))
            u->stops[l]++;
        }
      }
    }
  }
  uint32_t end = closing(last) ? before_close : last;
  u->ends_sentence = end == '.' || end == '!' || end == '?' || end == 0x3002 ||
                     end == 0xFF01 || end == 0xFF1F;
  u->heading_like = !u->ends_sentence && !u->bullet && !u->listed &&
                    u->words + u->cjk / 2 <= 15 && end != ':' && end != ',' &&
                    u->letters > 0;
}

/* Words a unit is worth: CJK text has no spaces, about two characters make
 * a word. */
static int weight(const cl_unit *u) {
  return u->words + u->cjk / 2;
}

/* ---- Patterns ---------------------------------------------------------- */

/* Whole lines (folded) that are page furniture wherever they stand. */
static const char *const furniture[] = {
    "advertisement", "advertisements", "advertising", "sponsored",
    "sponsored content", "ad", "ads", "skip to content", "skip to main content",
    "skip to navigation", "skip to site index", "jump to", "menu", "main menu",
    "close", "close menu", "open menu", "search", "search for", "go", "log in",
    "login", "sign in", "sign up", "sign out", "log out", "register",
    "subscribe", "subscribe now", "subscriber", "subscribers", "home",
    "homepage", "home page", "back to top", "top", "print", "email", "e mail",
    "share", "tweet", "pin", "pin it", "facebook", "twitter", "instagram",
    "linkedin", "pinterest", "reddit", "whatsapp", "youtube", "tumblr",
    "flipboard", "messenger", "telegram", "rss", "copy link", "copy",
    "link copied", "comment", "comments", "reply", "view comments",
    "show comments", "read more", "continue reading", "see more", "see all",
    "view all", "show more", "load more", "more", "next", "previous", "prev",
    "next page", "previous page", "loading", "please wait", "cancel", "submit",
    "send", "done", "ok", "accept", "i agree", "got it", "learn more",
    "click here", "watch", "listen", "video", "photos", "gallery",
    "enlarge this image", "toggle caption", "hide caption", "image", "photo",
    "playlist", "play", "pause", "mute", "unmute", "full screen", "fullscreen",
    "close modal", "share on facebook", "share on twitter", "share via email",
    "save", "saved", "bookmark", "like", "follow", "unfollow", "upvote",
    "downvote", "report", "permalink", "tags", "topics", "categories",
    "category", "filed under", "posted in", "sections", "site index",
    "site map", "sitemap", "contact", "contact us", "about", "about us",
    "privacy", "privacy policy", "terms", "terms of use", "terms of service",
    "cookie policy", "cookies", "newsletter", "newsletters",
    "sharing is caring", "supported by", "continue reading the main story",
    "story continues below", "article continues below",
    "continue reading below", "scroll to continue with content", "opinion",
    "news", "trending", "trending now", "most popular", "most read", "latest",
    "latest news", "editor s picks", "editors picks", "top stories", "featured",
    "breaking", "breaking news", "live", "watch live", "watch now",
    "listen now", "don t miss", "dont miss", "must read", "must reads",
    "related", "related articles", "related posts", "related stories",
    "related content", "related news", "related links", "related reading",
    "related coverage", "related topics", "more from", "more stories",
    "more news", "more articles", "more like this", "recommended",
    "recommended for you", "recommended stories", "recommended articles",
    "you may also like", "you might also like", "you may like",
    "you might like", "we recommend", "read next", "up next",
    "what to read next", "leave a reply", "leave a comment", "post a comment",
    "add a comment", "join the conversation", "join the discussion",
    "discussion", "conversation", "reader comments", "share this",
    "share this article", "share this story", "share this post",
    "share this page", "share article", "share story", "about the author",
    "about the authors", "author", "previous post", "next post",
    "previous article", "next article", "previous story", "next story",
    "older posts", "newer posts", "related video", "more videos", "watch more",
    "all rights reserved", "x", "via", "main article image", "article image",
    "featured image", "copy this link", "link to this video", "back to gallery",
    "toggle", "toggle navigation", "you are here", "logo", "site logo",
    "watch live", "live tv",
    /* "Advertisement" in the languages with stopword lists. */
    "see also", "also read", "read also", "leggi anche", "lire aussi",
    "à lire aussi", "leia também", "veja também", "lees ook", "baca juga",
    "читайте также", "смотрите также", "te puede interesar", "anzeige",
    "werbung", "publicité", "publicidad", "anuncio", "pubblicità",
    "publicidade", "advertentie", "реклама", "iklan"};

/* Lines that start what follows the article: what comes after them is not
 * the article either (when enough article came before). Folded, matched as
 * the whole line or its start. */
static const char *const tail_markers[] = {
    "related", "related articles", "related posts", "related stories",
    "related content", "related news", "related links", "related reading",
    "related topics", "must read", "must reads", "more from", "more stories",
    "more news", "more articles", "more like this", "more in", "recommended",
    "recommended for you", "recommended stories", "recommended articles",
    "recommended reading", "you may also like", "you might also like",
    "you may like", "you might like", "you may also be interested in",
    "you might be interested in", "we recommend", "read next",
    "what to read next", "up next", "trending", "trending now",
    "trending stories", "most popular", "most read", "most viewed", "popular",
    "popular posts", "popular stories", "top stories", "latest news",
    "latest stories", "editor s picks", "editors picks", "share this",
    "share this article", "share this story", "share this post",
    "leave a reply", "leave a comment", "post a comment", "add a comment",
    "join the conversation", "join the discussion", "reader comments",
    "comments", "show comments", "view comments", "previous post", "next post",
    "previous article", "next article", "sponsored stories", "promoted stories",
    "around the web", "from the web", "from around the web", "more to explore",
    "further reading", "other stories", "other articles", "more on this",
    "more on this story",
    /* The same in the other languages with stopword lists. */
    "ähnliche artikel", "das könnte sie auch interessieren", "mehr zum thema",
    "articles similaires", "sur le même sujet", "artículos relacionados",
    "noticias relacionadas", "articoli correlati", "potrebbe interessarti",
    "artigos relacionados", "posts relacionados", "você também pode gostar",
    "gerelateerde artikelen", "похожие статьи", "статьи по теме",
    "artikel terkait", "berita terkait"};

/* Markers of a comment section: nothing after them is the article. */
static bool comment_marker(const char *core) {
  static const char *const m[] = {
      "leave a reply", "leave a comment", "post a comment", "add a comment",
      "join the conversation", "join the discussion", "reader comments",
      "comments", "show comments", "view comments",
      /* WordPress's comment form in the other languages with lists. */
      "schreibe einen kommentar", "hinterlasse einen kommentar", "kommentare",
      "laisser un commentaire", "commentaires", "deja una respuesta",
      "deja un comentario", "comentarios", "lascia un commento",
      "lascia una risposta", "commenti", "deixe uma resposta",
      "deixe um comentário", "comentários", "laat een reactie achter",
      "reacties", "добавить комментарий", "оставить комментарий", "комментарии",
      "tinggalkan balasan", "tinggalkan komentar", "komentar"};
  for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
    if (strcmp(core, m[i]) == 0)
      return true;
  }
  return false;
}

/* "12 responses to ...", "5 thoughts on ...", "3 comments on ...": the
 * heading of a comment list. */
static bool comment_count(const char *folded, int words) {
  if (words > 20 || !isdigit((unsigned char)folded[0]))
    return false;
  const char *p = strchr(folded, ' ');
  if (!p)
    return false;
  static const char *const heads[] = {
      " responses to", " response to", " thoughts on", " thought on",
      " comments on",  " comment on",  " replies to",  " reply to",
      " comments to",  " responses",   " comments"};
  for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
    if (strncmp(p, heads[i], strlen(heads[i])) == 0)
      return true;
  }
  return false;
}

/* The header of one comment: "jane says:", "November 19, 2019 at 6:34 am". */
static bool comment_meta(const cl_unit *u, const char *folded) {
  if (u->words > 10)
    return false;
  size_t n = strlen(folded);
  if (u->len > 1 && u->text[u->len - 1] == ':' && n > 5 &&
      (strcmp(folded + n - 5, " says") == 0 ||
       strcmp(folded + n - 5, " said") == 0 ||
       strcmp(folded + n - 6, " wrote") == 0))
    return true;
  if (n > 3 &&
      (strcmp(folded + n - 3, " am") == 0 ||
       strcmp(folded + n - 3, " pm") == 0) &&
      strstr(folded, " at "))
    return true;
  return false;
}

/* Phrases of comment forms, newsletter and cookie boxes, share bars and
 * footers. Matched in the folded text of units up to MAX_PHRASE_WORDS
 * words: longer units are running text that merely mentions them. */
enum { MAX_PHRASE_WORDS = 45, MAX_WEAK_WORDS = 16 };

static const char *const strong_phrases[] = {
    "all rights reserved",
    "subject to copyright",
    "no part may be reproduced",
    "without written permission",
    "without the written permission",
    "please enter your comment",
    "please enter your name",
    "you have entered an incorrect email",
    "save my name email and website",
    "your email address will not be published",
    "required fields are marked",
    "notify me of follow up comments",
    "notify me of new posts",
    "notify me of new comments",
    "you must be logged in to post",
    "comments are closed",
    "log in to comment",
    "log in to leave a comment",
    "sign in to comment",
    "to post a comment",
    "leave a reply",
    "cancel reply",
    "this site uses cookies",
    "we use cookies",
    "uses cookies",
    "use of cookies",
    "accept cookies",
    "cookie policy",
    "cookie settings",
    "cookies policy",
    "by continuing to use",
    "by continuing to browse",
    "privacy policy",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "enable javascript",
    "javascript is disabled",
    "javascript disabled",
    "your browser does not support",
    "update your browser",
    "skip to content",
    "skip to main content",
    "sign up for our newsletter",
    "subscribe to our newsletter",
    "sign up for the",
    "subscribe to the",
    "subscribe to our",
    "newsletter sign up",
    "delivered to your inbox",
    "straight to your inbox",
    "in your inbox",
    "to your inbox",
    "enter your email",
    "your email address",
    "email address",
    "by signing up",
    "by subscribing",
    "you agree to our",
    "follow us on",
    "follow us",
    "like us on facebook",
    "find us on",
    "share on facebook",
    "share on twitter",
    "share via email",
    "share this article",
    "share this story",
    "click to share",
    "click to email",
    "click to print",
    "opens in new window",
    "open in new window",
    "download our app",
    "download the app",
    "get the app",
    "app store",
    "google play",
    "already a subscriber",
    "already have an account",
    "create an account",
    "create a free account",
    "forgot your password",
    "support our journalism",
    "support independent journalism",
    "make a contribution",
    "become a member",
    "become a patron",
    "this story has been shared",
    "story has been shared",
};

/* Phrases that are boilerplate only in short units (up to MAX_WEAK_WORDS
 * words): running text may mention them. */
static const char *const weak_phrases[] = {"advertisement continue reading",
                                           "sponsored content",
                                           "paid content",
                                           "paid post",
                                           "content by",
                                           "promoted content",
                                           "recommended by",
                                           "most popular",
                                           "most read",
                                           "top stories",
                                           "trending now",
                                           "related articles",
                                           "related posts",
                                           "related stories",
                                           "you may also like",
                                           "you might also like",
                                           "read more",
                                           "see more",
                                           "view more",
                                           "click here",
                                           "tap here",
                                           "back to top",
                                           "scroll to top",
                                           "last updated",
                                           "updated on",
                                           "published on",
                                           "posted on",
                                           "reading time",
                                           "min read",
                                           "minute read",
                                           "mins read",
                                           "tempo de leitura",
                                           "tiempo de lectura",
                                           "temps de lecture",
                                           "lesezeit",
                                           "tempo di lettura",
                                           "время чтения",
                                           "não será publicado",
                                           "no será publicada",
                                           "ne sera pas publiée",
                                           "wird nicht veröffentlicht",
                                           "non sarà pubblicato",
                                           "не будет опубликован",
                                           "comments",
                                           "comment",
                                           "photo gallery",
                                           "view gallery",
                                           "watch video",
                                           "watch the video",
                                           "play video",
                                           "sign in",
                                           "log in",
                                           "sign up",
                                           "subscribe",
                                           "newsletter",
                                           "newsletters",
                                           "unsubscribe",
                                           "rss feed",
                                           "site map",
                                           "sitemap",
                                           "contact us",
                                           "about us",
                                           "advertise with us",
                                           "advertise",
                                           "careers",
                                           "copyright",
                                           "cookies",
                                           "cookie",
                                           "permalink",
                                           "trackback",
                                           "pingback"};

/* Does `hay` (folded, words separated by one space) contain `phrase` on
 * word boundaries? */
static bool has_phrase(const char *hay, const char *phrase) {
  size_t n = strlen(phrase);
  for (const char *p = strstr(hay, phrase); p; p = strstr(p + 1, phrase)) {
    if ((p == hay || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
      return true;
  }
  return false;
}

static bool starts_phrase(const char *hay, const char *phrase) {
  size_t n = strlen(phrase);
  return strncmp(hay, phrase, n) == 0 && (hay[n] == '\0' || hay[n] == ' ');
}

static bool in_list(const char *folded, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(folded, list[i]) == 0)
      return true;
  }
  return false;
}

/* Strips a trailing count or colon-like rest: "comments 12" -> "comments",
 * "12 comments" -> "comments". Works in place on folded text. */
static char *strip_counts(char *f) {
  while (isdigit((unsigned char)*f) || *f == ' ')
    f++;
  size_t n = strlen(f);
  while (n > 0 && (isdigit((unsigned char)f[n - 1]) || f[n - 1] == ' '))
    f[--n] = '\0';
  return f;
}

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

/* Link cards that a text browser prints as one line: a headline in Title
 * Case glued to its summary ("Police Seek DriverA man was ..."). The
 * glue is a lower-case letter directly followed by an upper-case one after
 * at least three capitalised words. */
static bool glued_teaser(const cl_unit *u) {
  const char *s = u->text;
  int words = 0, caps = 0;
  bool start = true;
  for (size_t i = 0; i + 1 < u->len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ') {
      start = true;
      continue;
    }
    if (start) {
      words++;
      if (isupper(c) || isdigit(c) || c == '\'' || c == '"')
        caps++;
      start = false;
      continue;
    }
    unsigned char d = (unsigned char)s[i + 1];
    if (islower(c) && isupper(d) && words >= 3 && caps * 4 >= words * 3) {
      /* Not "McDonald", "iPhone", "YouTube": the next letters are lower
       * case and the glued part starts a sentence-like run. */
      size_t k = i + 2;
      while (k < u->len && islower((unsigned char)s[k]))
        k++;
      bool prefix_caps = i >= 1 && isupper((unsigned char)s[i - 1]);
      if (k - (i + 2) >= 1 && !prefix_caps && i >= 20)
        return true;
    }
  }
  return false;
}

/* Menu shapes inside one line: "Home | News | Sport", "Politics · World". */
static bool separated_menu(const cl_unit *u) {
  int seps = 0;
  const char *s = u->text;
  for (size_t i = 0; i < u->len;) {
    size_t at = i;
    uint32_t cp = cl_utf8_next(s, u->len, &i);
    if ((cp == '|' || cp == 0xB7 || cp == 0x2022 || cp == '/' || cp == '>' ||
         cp == 0xBB) &&
        at > 0 && s[at - 1] == ' ' && i < u->len && s[i] == ' ')
      seps++;
  }
  return seps >= 2 && u->words <= (seps + 1) * 4;
}

/* Photo credits and captions. */
static bool caption_like(const cl_unit *u, const char *folded) {
  /* A credit at the very end marks a caption of any length: "...
   * Washington. (Photo by A/Getty Images)", "Photographer: B/Bloomberg". */
  size_t nf = strlen(folded);
  const char *tail = folded + (nf > 60 ? nf - 60 : 0);
  static const char *const credits[] = {
      "photo by",     "photographer", "getty images", "all rights reserved",
      "afp",          "ap photo",     "reuters",      "photo credit",
      "image credit", "shutterstock", "istock",       "photo courtesy",
      "credit"};
  for (size_t i = 0; i < sizeof credits / sizeof *credits; i++) {
    const char *p = strstr(tail, credits[i]);
    /* "according to Reuters." is attribution, not a credit: agency names
     * count inside "(...)" or after a slash ("Name/AFP"). */
    bool framed =
        i < 4 || u->text[u->len - 1] == ')' ||
        strstr(u->text + (u->len > 60 ? u->len - 60 : 0), "Credit:") != NULL ||
        memchr(u->text + (u->len > 60 ? u->len - 60 : 0), '/',
               u->len > 60 ? 60 : u->len) != NULL;
    if (p && (p == folded || p[-1] == ' ') && u->words <= 250 &&
        strlen(p) < 45 && framed)
      return true;
  }
  /* A truncated caption with its "more" or "less" toggle. */
  if (u->words >= 10 && !u->ends_sentence && nf > 5 &&
      (strcmp(folded + nf - 5, " more") == 0 ||
       strcmp(folded + nf - 5, " less") == 0))
    return true;
  if (u->words > 60)
    return false;
  static const char *const marks[] = {
      "photo by",       "photo credit", "image credit",    "photograph by",
      "picture by",     "getty images", "shutterstock",    "istock",
      "ap photo",       "afp photo",    "reuters photo",   "image source",
      "photo source",   "credit",       "file photo",      "photo illustration",
      "photo courtesy", "courtesy of",  "illustration by", "photos by"};
  for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
    if (has_phrase(folded, marks[i]) &&
        (u->words <= 30 || strstr(u->text, "Credit") != NULL))
      return true;
  }
  /* "Photo: X", "Image: X" at the start. */
  static const char *const heads[] = {
      "Photo:",  "Image:",  "Picture:",  "Photograph:",
      "Source:", "Credit:", "Pictured:", "Above:"};
  for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
    if (strncmp(u->text, heads[i], strlen(heads[i])) == 0)
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

/* ---- Names, bylines and bios ------------------------------------------ */

static bool name_particle(const char *w, size_t n) {
  static const char *const parts[] = {
      "de", "da", "del", "della", "di", "van", "von", "der", "den", "bin",
      "al", "el", "la",  "le",    "du", "dos", "das", "ter", "ten", "y"};
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
    if (strlen(parts[i]) == n && strncmp(w, parts[i], n) == 0)
      return true;
  }
  return false;
}

static bool title_word(const char *w, size_t n) {
  static const char *const t[] = {"Dr",  "Dr.",  "Prof", "Prof.", "Mr",  "Mr.",
                                  "Mrs", "Mrs.", "Ms",   "Ms.",   "Sir", "Dame",
                                  "Rev", "Rev.", "Fr",   "Fr."};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    if (strlen(t[i]) == n && strncmp(w, t[i], n) == 0)
      return true;
  }
  return false;
}

static bool month_word(const char *w);

/* A capitalised word that is a date or a dateline, not a name. */
static bool date_word(const char *w, size_t n) {
  char low[16];
  if (n >= sizeof low)
    return false;
  for (size_t i = 0; i < n; i++)
    low[i] = (char)tolower((unsigned char)w[i]);
  while (n > 0 && (low[n - 1] == '.' || low[n - 1] == ','))
    n--;
  low[n] = '\0';
  return month_word(low) || strcmp(low, "last") == 0 ||
         strcmp(low, "staff") == 0 || strcmp(low, "on") == 0;
}

/* Length of the run of name-like words at s ("Jane Q. Doe-Smith and John
 * Roe"): capitalised words, initials, particles, "and" between names.
 * *words gets the number of capitalised words. Stops at anything else. */
static size_t name_run(const char *s, int *words) {
  size_t i = 0, end = 0;
  int caps = 0;
  bool last_and = false;
  while (s[i]) {
    while (s[i] == ' ')
      i++;
    size_t b = i;
    while (s[i] && s[i] != ' ' && s[i] != ',' && s[i] != '|' && s[i] != ';' &&
           s[i] != '@')
      i++;
    size_t n = i - b;
    if (n == 0)
      break;
    const char *w = s + b;
    unsigned char c0 = (unsigned char)w[0];
    bool upper = isupper(c0) || (c0 >= 0xC3 && c0 <= 0xC5) ||
                 (c0 == 0xD0 && (unsigned char)w[1] < 0xB0);
    if (title_word(w, n) && caps == 0) {
      end = i;
    } else if (upper && n <= 20 && !date_word(w, n)) {
      /* A capitalised word must not be all punctuation after its first
       * letter and must not end a sentence. */
      bool ok = true;
      for (size_t k = 1; k < n; k++) {
        unsigned char c = (unsigned char)w[k];
        if (!(isalpha(c) || c >= 0x80 || c == '-' || c == '\'' ||
              (c == '.' && k == n - 1 && n <= 2)))
          ok = false;
      }
      if (!ok)
        break;
      caps++;
      end = i;
      last_and = false;
    } else if (caps > 0 && !last_and &&
               (strncmp(w, "and", n) == 0 || strncmp(w, "&", n) == 0) &&
               (n == 3 || n == 1)) {
      last_and = true;
    } else if (caps > 0 && name_particle(w, n)) {
      /* keep going: "Ursula von der Leyen" */
    } else {
      break;
    }
  }
  *words = caps;
  return end;
}

/* English words that look like names when capitalised in headings. */
static bool common_word(const char *folded) {
  static const char *const w[] = {
      "the",         "a",         "an",         "of",
      "in",          "on",        "for",        "to",
      "and",         "is",        "are",        "with",
      "how",         "why",       "what",       "new",
      "news",        "home",      "about",      "contact",
      "world",       "best",      "more",       "top",
      "latest",      "more",      "all",        "your",
      "my",          "our",       "this",       "that",
      "from",        "by",        "at",         "it",
      "be",          "will",      "can",        "not",
      "no",          "we",        "you",        "up",
      "out",         "over",      "after",      "before",
      "video",       "photos",    "columnist",  "editor",
      "reporter",    "staff",     "writer",     "correspondent",
      "contributor", "opinion",   "sports",     "business",
      "politics",    "health",    "science",    "tech",
      "travel",      "food",      "style",      "culture",
      "review",      "reviews",   "share",      "follow",
      "email",       "print",     "facebook",   "twitter",
      "whatsapp",    "pinterest", "instagram",  "linkedin",
      "youtube",     "reddit",    "download",   "subscribe",
      "menu",        "search",    "events",     "upcoming",
      "related",     "popular",   "latest",     "featured",
      "recent",      "posts",     "stories",    "articles",
      "comments",    "archives",  "categories", "tags",
      "privacy",     "policy",    "terms",      "advertisement"};
  for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
    if (strcmp(folded, w[i]) == 0)
      return true;
  }
  return false;
}

/* The unit is just a person's name: 2 to 4 capitalised words, maybe a
 * title ("Dr") or particles, nothing that reads as a phrase. */
static bool bare_name(const cl_unit *u, const char *folded) {
  if (u->words < 2 || u->words > 5 || u->ends_sentence || u->bullet)
    return false;
  int caps = 0;
  size_t run = name_run(u->text, &caps);
  if (run != u->len || caps < 2 || caps > 4)
    return false;
  /* No word of the name may be a common word. */
  const char *p = folded;
  while (*p) {
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char w[32];
    if (n < sizeof w) {
      memcpy(w, p, n);
      w[n] = '\0';
      if (common_word(w))
        return false;
    }
    p += n;
    while (*p == ' ')
      p++;
  }
  return true;
}

static const char *const by_prefixes[] = {
    "By ",          "by ",       "BY ",        "Written by ", "written by ",
    "Words by ",    "Story by ", "Posted by ", "posted by ",  "Reporting by ",
    "Reported by ", "Text by ",  "Author: ",   "Author ",     "Autor: ",
    "Par ",         "Por ",      "Von ",       "Di ",         "Автор: "};

/* Length of a byline prefix at the start of s, or 0. */
static size_t by_prefix(const char *s) {
  for (size_t i = 0; i < sizeof by_prefixes / sizeof *by_prefixes; i++) {
    size_t n = strlen(by_prefixes[i]);
    if (strncmp(s, by_prefixes[i], n) == 0)
      return n;
  }
  return 0;
}

char *cl_byline_name(const char *text) {
  const char *s = text;
  while (*s == ' ' || *s == '*' || *s == '_')
    s++;
  s += by_prefix(s);
  while (*s == ' ' || *s == ':')
    s++;
  int caps = 0;
  size_t n = name_run(s, &caps);
  if (caps == 0 || n == 0)
    return NULL;
  /* Drop a trailing "and" left by "By Jane Doe and". */
  while (n > 0 && s[n - 1] == ' ')
    n--;
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

static bool month_word(const char *w) {
  static const char *const m[] = {
      "jan",       "feb",       "mar",     "apr",      "may",      "jun",
      "jul",       "aug",       "sep",     "oct",      "nov",      "dec",
      "january",   "february",  "march",   "april",    "june",     "july",
      "august",    "september", "october", "november", "december", "sept",
      "updated",   "published", "posted",  "mon",      "tue",      "wed",
      "thu",       "fri",       "sat",     "sun",      "monday",   "tuesday",
      "wednesday", "thursday",  "friday",  "saturday", "sunday"};
  for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
    if (strcmp(w, m[i]) == 0)
      return true;
  }
  return false;
}

/* "By Jane Doe", "Jane Doe - Nov 19, 2019", "by Regan September 15, 2014".
 * The name must come first (after a byline prefix); what follows may be a
 * date, a role or an outlet, in a short line. */
static bool byline_like(const cl_unit *u) {
  if (u->words < 1 || u->words > 16 || u->bullet)
    return false;
  const char *s = u->text;
  size_t pre = by_prefix(s);
  int caps = 0;
  size_t n = name_run(s + pre, &caps);
  if (caps == 0 || caps > 6)
    return false;
  if (pre > 0) {
    /* "By the way, ..." is not a byline: the name must be capitalised and
     * the line short or the rest a date or role. */
    return u->words <= 12 || !u->ends_sentence;
  }
  /* Without a prefix: a name, then a separator and a date. */
  if (caps < 2 || caps > 4)
    return false;
  const char *rest = s + n;
  while (*rest == ' ')
    rest++;
  if (!(*rest == '-' || *rest == '|' || *rest == ',' || *rest == '/' ||
        strncmp(rest, "\xe2\x80\x93", 3) == 0 || *rest == 0))
    return false;
  if (*rest == 0 || strchr(rest, '"') || u->words - caps > 8)
    return false; /* a bare name is handled separately; a citation */
  /* The rest must hold a month or a year-like number. */
  char *f = cl_fold(rest);
  if (!f)
    return false;
  bool date = false;
  for (char *w = strtok(f, " "); w && !date; w = strtok(NULL, " ")) {
    if (month_word(w) || (strlen(w) == 4 && isdigit((unsigned char)w[0]) &&
                          (w[0] == '1' || w[0] == '2')))
      date = true;
  }
  free(f);
  return date;
}

/* Does the text mention one of the words of `name` (a surname)? */
static bool mentions_name(const char *text, size_t len, const char *name) {
  const char *p = name;
  while (p && *p) {
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n >= 3) {
      for (size_t i = 0; i + n <= len; i++) {
        if (strncmp(text + i, p, n) == 0 &&
            (i + n == len || !isalpha((unsigned char)text[i + n])))
          return true;
      }
    }
    p = e ? e + 1 : NULL;
  }
  return false;
}

/* "The writer is ...", "Jane Doe is a reporter at ...", "Jane covers ...".
 * A sentence about a named person is only a bio when the name is the
 * byline's (`author`, may be NULL) or when it closes the article
 * (`at_end`) and speaks of a writer's trade. */
static bool bio_like(const cl_unit *u, const char *author, bool at_end) {
  if (u->words < 5 || u->words > 90)
    return false;
  static const char *const starts[] = {
      "The writer ",      "The author ",      "The columnist ", "The reviewer ",
      "The contributor ", "This writer ",     "The writers ",   "The authors ",
      "About the author", "About the writer", "Author bio",     "Author Bio"};
  const char *s = u->text;
  while (*s == '*' || *s == '_' || *s == ' ')
    s++;
  for (size_t i = 0; i < sizeof starts / sizeof *starts; i++) {
    if (strncmp(s, starts[i], strlen(starts[i])) == 0)
      return true;
  }
  int caps = 0;
  size_t n = name_run(s, &caps);
  if (caps < 1 || caps > 4)
    return false;
  static const char *const verbs[] = {
      " is a ",         " is an ",         " is the ",       " is senior ",
      " is currently ", " is based ",      " covers ",       " writes ",
      " reports on ",   " reports for ",   " has written ",  " has been a ",
      " has covered ",  " is editor",      " is deputy ",    " is associate ",
      " is chief ",     " is co-",         " is professor ", " is assistant ",
      " teaches ",      " is a freelance", " is an award"};
  bool verb = false;
  for (size_t i = 0; i < sizeof verbs / sizeof *verbs && !verb; i++)
    verb = strncmp(s + n, verbs[i], strlen(verbs[i])) == 0;
  if (!verb)
    return false;
  if (author && mentions_name(s, n, author))
    return true;
  if (!at_end)
    return false;
  static const char *const trades[] = {
      "writer",    "reporter", "editor",    "journalist",  "correspondent",
      "columnist", "author",   "professor", "contributor", "covers",
      "freelance", "fellow",   "analyst",   "researcher",  "writes",
      "blogger",   "producer", "critic",    "lecturer",    "director"};
  for (size_t i = 0; i < sizeof trades / sizeof *trades; i++) {
    if (strstr(s + n, trades[i]))
      return true;
  }
  return false;
}

/* "About the author", "About Jane Doe", "Sobre Carlos Silva": the heading
 * of an author box. */
static bool bio_header(const cl_unit *u) {
  if (u->words > 6 || u->words < 2)
    return false;
  static const char *const heads[] = {"About ",
                                      "Sobre ",
                                      "Acerca de ",
                                      "\xc3\x80 propos de ",
                                      "A propos de ",
                                      "\xc3\x9c"
                                      "ber ",
                                      "Informazioni su ",
                                      "Over ",
                                      "Tentang ",
                                      "\xd0\x9e\xd0\xb1 "};
  for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
    size_t n = strlen(heads[i]);
    if (strncmp(u->text, heads[i], n) != 0)
      continue;
    const char *rest = u->text + n;
    if (strncmp(rest, "the author", 10) == 0 ||
        strncmp(rest, "the writer", 10) == 0 ||
        strncmp(rest, "o autor", 7) == 0 || strncmp(rest, "el autor", 8) == 0)
      return true;
    int caps = 0;
    size_t run = name_run(rest, &caps);
    return caps >= 2 && rest[run] == '\0';
  }
  return false;
}

/* ---- Bio e-mail sentences ---------------------------------------------- */

typedef struct kept_text {
  char *buf;
  size_t len;
} kept_text;

static void keep_sentence(const char *s, size_t len, void *ctx) {
  kept_text *k = ctx;
  char *tmp = malloc(len + 1);
  if (!tmp)
    return;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  /* A sentence whose point is an address ("He can be reached at [email
   * protected]", "Reach her at a@b.org or on 0161 ...") goes. */
  int words = 0;
  for (size_t i = 0; i < len; i++) {
    if ((i == 0 || s[i - 1] == ' ') && s[i] != ' ')
      words++;
  }
  bool drop = cl_has_email(tmp) && words <= 25;
  free(tmp);
  if (drop)
    return;
  while (len > 0 && s[len - 1] == ' ')
    len--;
  if (k->len > 0)
    k->buf[k->len++] = ' ';
  memcpy(k->buf + k->len, s, len);
  k->len += len;
  k->buf[k->len] = '\0';
}

/* Removes the e-mail sentences of a bio in place; returns false when
 * nothing is left. */
static bool strip_email_sentences(cl_unit *u) {
  if (!cl_has_email(u->text))
    return true;
  kept_text k = {malloc(u->len + 2), 0};
  if (!k.buf)
    return true;
  k.buf[0] = '\0';
  cl_sentences(u->text, keep_sentence, &k);
  free(u->text);
  u->text = k.buf;
  u->len = k.len;
  return k.len > 0;
}

/* ---- Classification ---------------------------------------------------- */

static int pick_language(const cl_unit *u, size_t n, const char *lang) {
  if (lang && lang[0]) {
    for (int l = 0; l < CL_N_LANGS; l++) {
      if (strncasecmp(lang, cl_lang_codes[l], 2) == 0 &&
          (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'))
        return l;
    }
    return -1; /* a language without a list: length only */
  }
  long words = 0, hits[CL_N_LANGS] = {0};
  for (size_t i = 0; i < n; i++) {
    /* Long units speak for the page's language; menus do not. */
    if (u[i].words < 8)
      continue;
    words += u[i].words;
    for (int l = 0; l < CL_N_LANGS; l++)
      hits[l] += u[i].stops[l];
  }
  int best = -1;
  long best_hits = 0;
  for (int l = 0; l < CL_N_LANGS; l++) {
    if (hits[l] > best_hits) {
      best_hits = hits[l];
      best = l;
    }
  }
  if (best < 0 || words == 0 || (double)best_hits / (double)words < 0.10)
    return -1;
  return best;
}

/* Nearest neighbour's class that is good or bad (or near-good unless
 * ignored); the edges of the page count as bad. */
static cl_class neighbour(const cl_unit *u, size_t n, size_t i, int dir,
                          bool ignore_neargood) {
  long j = (long)i + dir;
  while (j >= 0 && (size_t)j < n) {
    cl_class c = u[j].final;
    if (c == CL_GOOD || c == CL_BAD)
      return c;
    if (c == CL_NEARGOOD && !ignore_neargood)
      return c;
    j += dir;
  }
  return CL_BAD;
}

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

static void patterns(cl_unit *u, const char *folded) {
  u->boiler = u->caption = u->byline = u->comment = u->bio_header = false;
  u->marker = 0;
  if (u->letters == 0 || placeholder(u->text)) {
    u->boiler = true;
    return;
  }
  char *f = strdup(folded);
  if (!f)
    return;
  char *core = strip_counts(f);
  size_t nf = sizeof furniture / sizeof *furniture;
  size_t nm = sizeof tail_markers / sizeof *tail_markers;
  if (u->words <= 6) {
    if (in_list(core, furniture, nf) || starts_phrase(core, "skip to") ||
        starts_phrase(core, "you are here"))
      u->boiler = true;
    for (size_t i = 0; i < nm; i++) {
      if (strcmp(core, tail_markers[i]) == 0 ||
          (u->words <= 4 && starts_phrase(core, tail_markers[i]) &&
           strlen(tail_markers[i]) > 6)) {
        u->marker = comment_marker(core) ? 2 : 1;
        u->boiler = true;
        break;
      }
    }
  }
  if (u->words <= 6 && comment_marker(core)) {
    u->marker = 2;
    u->boiler = true;
  }
  if (bio_header(u))
    u->boiler = u->bio_header = true;
  int hits = 0;
  if (u->words <= MAX_PHRASE_WORDS) {
    for (size_t i = 0; i < sizeof strong_phrases / sizeof *strong_phrases;
         i++) {
      if (has_phrase(folded, strong_phrases[i])) {
        u->boiler = true;
        hits++;
      }
    }
    for (size_t i = 0; i < sizeof weak_phrases / sizeof *weak_phrases; i++) {
      if (has_phrase(folded, weak_phrases[i])) {
        if (u->words <= MAX_WEAK_WORDS)
          u->boiler = true;
        hits++;
      }
    }
  }
  if (hits >= 2 && u->words <= hits * 60)
    u->boiler = true;
  /* A comment form starts the tail. */
  static const char *const forms[] = {"deixe uma resposta",
                                      "deja una respuesta",
                                      "laisser un commentaire",
                                      "schreibe einen kommentar",
                                      "lascia un commento",
                                      "добавить комментарий",
                                      "tinggalkan balasan",
                                      "leave a reply",
                                      "please enter your comment",
                                      "leave a comment",
                                      "post a comment",
                                      "add a comment",
                                      "comments are closed",
                                      "you must be logged in to post",
                                      "join the conversation",
                                      "join the discussion"};
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
    if (u->words <= 12 && has_phrase(folded, forms[i])) {
      u->marker = 2;
      u->boiler = true;
    }
  }
  if ((strncmp(u->text, "http", 4) == 0 || strncmp(u->text, "www.", 4) == 0) &&
      u->words <= 12)
    u->boiler = true; /* a bare link */
  if (comment_count(folded, u->words)) {
    u->marker = 2;
    u->boiler = true;
  }
  if (comment_meta(u, folded))
    u->comment = true;
  if (strstr(u->text, "\xc2\xa9") && u->words <= MAX_PHRASE_WORDS)
    u->boiler = true; /* the copyright sign */
  if (doubled(u->text, u->len) || separated_menu(u) || glued_teaser(u))
    u->boiler = true;
  if (caption_like(u, folded))
    u->caption = true;
  if (!u->boiler && byline_like(u))
    u->byline = true;
  free(f);
}

/* The classes before context. */
static cl_class context_free(const cl_unit *u, int lang, int min_words,
                             const limits *lim) {
  if (u->boiler)
    return CL_BAD;
  int w = weight(u);
  if (w < min_words)
    return CL_SHORT;
  if (lang < 0) {
    /* No stopword list: length alone, as jusText does. */
    return w >= LONG_WORDS ? CL_GOOD : CL_NEARGOOD;
  }
  /* Headline-like lines (most words capitalised) are not running text,
   * however long: related-article lists are made of them. */
  if (u->words >= 6 && u->caps * 10 >= u->words * 7)
    return CL_BAD;
  if (u->density >= lim->high && w >= LONG_WORDS)
    return CL_GOOD;
  if (u->density >= lim->low)
    return CL_NEARGOOD;
  return CL_BAD;
}

/* A sentence of running text, however short ("He denied it."). */
static bool sentence_like(const cl_unit *u, int lang, const limits *lim) {
  if (u->boiler || u->caption || u->cls == CL_BAD || u->words + u->cjk < 6)
    return false;
  if (lang >= 0 && u->density < lim->low)
    return false;
  return u->ends_sentence || weight(u) >= 20;
}

/* News sites write one- and two-sentence paragraphs, none long enough to
 * be good on its own. A run of several such paragraphs is an article: its
 * members become good. Up to two small units (an image placeholder, an
 * advertisement line) may interrupt a run. */
static void promote_runs(cl_unit *u, size_t n, int lang, const limits *lim) {
  enum { MIN_MEMBERS = 3, MIN_WORDS = 50, MAX_GAP = 2, GAP_WORDS = 30 };
  size_t i = 0;
  while (i < n) {
    if (!sentence_like(&u[i], lang, lim)) {
      i++;
      continue;
    }
    size_t start = i, end = i; /* [start, end] holds the run */
    int members = 0, words = 0, gap = 0;
    for (size_t j = i; j < n; j++) {
      if (sentence_like(&u[j], lang, lim)) {
        members++;
        words += weight(&u[j]);
        end = j;
        gap = 0;
      } else if (gap < MAX_GAP && u[j].words <= GAP_WORDS) {
        gap++;
      } else {
        break;
      }
    }
    if (members >= MIN_MEMBERS && words >= MIN_WORDS) {
      for (size_t j = start; j <= end; j++) {
        if (sentence_like(&u[j], lang, lim))
          u[j].cls = u[j].final = CL_GOOD;
      }
    }
    i = end + 1;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Scales the density thresholds to the page: the median density of its
 * long units (mostly article text) against STOP_TYPICAL. */
static limits adapt_limits(const cl_unit *u, size_t n) {
  limits lim = {STOP_LOW, STOP_HIGH};
  double *d = malloc(n * sizeof *d);
  if (!d)
    return lim;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (u[i].words >= LONG_WORDS && !u[i].boiler)
      d[k++] = u[i].density;
  }
  if (k >= 2) {
    qsort(d, k, sizeof *d, cmp_double);
    double median = d[k / 2];
    if (median < STOP_TYPICAL) {
      double scale = median / STOP_TYPICAL;
      if (scale < 0.3)
        scale = 0.3;
      lim.low *= scale;
      lim.high *= scale;
    }
  }
  free(d);
  return lim;
}

static int body_weight(const cl_unit *u, size_t from, size_t to) {
  int w = 0;
  for (size_t i = from; i < to; i++) {
    if (u[i].final == CL_GOOD)
      w += weight(&u[i]);
  }
  return w;
}

/* jusText's context step: headings before good text, short units from
 * their neighbours, near-good units next to good ones. Reads cls via
 * final (which must start equal to cls) and leaves the result in final. */
static void resolve(cl_unit *u, size_t n) {
  /* Headings: a short heading-like line shortly before good text. */
  for (size_t i = 0; i < n; i++) {
    if (!(u[i].heading_like && u[i].final == CL_SHORT))
      continue;
    int dist = 0;
    for (size_t j = i + 1; j < n && dist <= HEADING_DISTANCE; j++) {
      if (u[j].final == CL_GOOD) {
        u[i].final = CL_NEARGOOD;
        break;
      }
      dist += u[j].chars;
    }
  }
  /* Short units take the class of their neighbours. */
  for (size_t i = 0; i < n; i++) {
    u[i].pending = u[i].final;
    if (u[i].final != CL_SHORT)
      continue;
    cl_class p = neighbour(u, n, i, -1, true);
    cl_class q = neighbour(u, n, i, +1, true);
    if (p == CL_GOOD && q == CL_GOOD)
      u[i].pending = CL_GOOD;
    else if (p == CL_BAD && q == CL_BAD)
      u[i].pending = CL_BAD;
    else if ((p == CL_BAD && neighbour(u, n, i, -1, false) == CL_NEARGOOD) ||
             (q == CL_BAD && neighbour(u, n, i, +1, false) == CL_NEARGOOD))
      u[i].pending = CL_GOOD;
    else
      u[i].pending = CL_BAD;
  }
  for (size_t i = 0; i < n; i++)
    u[i].final = u[i].pending;
  for (size_t i = 0; i < n; i++) {
    if (u[i].final != CL_NEARGOOD)
      continue;
    cl_class p = neighbour(u, n, i, -1, true);
    cl_class q = neighbour(u, n, i, +1, true);
    u[i].final = (p == CL_BAD && q == CL_BAD) ? CL_BAD : CL_GOOD;
  }
  for (size_t i = 0; i < n; i++) {
    if (!(u[i].heading_like && u[i].final == CL_BAD && u[i].cls != CL_BAD))
      continue;
    int dist = 0;
    for (size_t j = i + 1; j < n && dist <= HEADING_DISTANCE; j++) {
      if (u[j].final == CL_GOOD) {
        u[i].final = CL_GOOD;
        break;
      }
      dist += u[j].chars;
    }
  }
}

/* A dateline: a month or weekday name and a number, in a short line. */
static bool date_line(const char *folded) {
  bool month = false, digit = false;
  int words = 0;
  char buf[256];
  size_t l = strlen(folded);
  if (l >= sizeof buf)
    return false;
  memcpy(buf, folded, l + 1);
  for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
    words++;
    month = month || month_word(w);
    digit = digit || isdigit((unsigned char)w[0]);
  }
  return month && digit && words <= 12;
}

/* The unit that repeats the document's title near the article start (it
 * is dropped: the title is said once), or, when the source found no title,
 * the headline just before the article: a heading-like line of 3 to 25
 * words, preferably one the page prints twice (its <title> and <h1>). */
static long find_title(cl_unit *u, size_t n, char **folded, size_t first,
                       const char *title) {
  size_t from = first > 15 ? first - 15 : 0;
  size_t to = first + 3 < n ? first + 3 : n;
  if (title && title[0]) {
    char *ft = cl_fold(title);
    for (size_t i = from; ft && i < to; i++) {
      if (strcmp(folded[i], ft) == 0 && u[i].role == CL_ROLE_BODY) {
        u[i].role = CL_ROLE_DROP;
        break;
      }
    }
    free(ft);
    return -1;
  }
  /* The words of the article's opening, to see which candidate it is
   * about. */
  size_t cap = 1, used = 0;
  for (size_t i = first, k = 0; i < n && k < 4; i++) {
    if (u[i].final == CL_GOOD) {
      cap += strlen(folded[i]) + 2;
      k++;
    }
  }
  char *opening = malloc(cap + 1);
  if (!opening)
    return -1;
  opening[used++] = ' ';
  for (size_t i = first, k = 0; i < n && k < 4; i++) {
    if (u[i].final == CL_GOOD) {
      size_t l = strlen(folded[i]);
      memcpy(opening + used, folded[i], l);
      used += l;
      opening[used++] = ' ';
      k++;
    }
  }
  opening[used] = '\0';
  long best = -1;
  double best_score = 0;
  for (size_t i = from; i < to; i++) {
    const cl_unit *x = &u[i];
    if (x->boiler || x->byline || x->caption || x->bullet || !x->heading_like ||
        x->words < 3 || x->words > 25 || x->role == CL_ROLE_BYLINE ||
        x->role == CL_ROLE_BIO || strchr(x->text, '@') ||
        date_line(folded[i]) || strstr(x->text, "http") ||
        strstr(x->text, "www.") ||
        strcspn(x->text, " /") < strcspn(x->text, " "))
      continue;
    /* Share of the candidate's longer words found in the opening. */
    int content = 0, found = 0;
    const char *p = folded[i];
    while (*p) {
      const char *e = strchr(p, ' ');
      size_t l = e ? (size_t)(e - p) : strlen(p);
      if (l >= 4 || (unsigned char)p[0] >= 0x80) {
        char w[64];
        if (l + 2 < sizeof w) {
          w[0] = ' ';
          memcpy(w + 1, p, l);
          w[l + 1] = ' ';
          w[l + 2] = '\0';
          content++;
          found += strstr(opening, w) != NULL;
        }
      }
      p += l;
      while (*p == ' ')
        p++;
    }
    double overlap = content ? (double)found / content : 0;
    if (overlap < 0.25 && x->repeats < 2)
      continue;
    size_t dist = i < first ? first - i : i - first;
    double score = overlap * 10 + (x->repeats > 1 ? 4 : 0) +
                   (i < first ? 1 : 0) - (double)dist * 0.1 +
                   (x->words < 10 ? x->words : 10) * 0.2;
    if (best < 0 || score > best_score) {
      best = (long)i;
      best_score = score;
    }
  }
  free(opening);
  if (best >= 0) {
    /* Every copy of the title near the start leaves the body. */
    for (size_t i = from; i < to; i++) {
      if (strcmp(folded[i], folded[best]) == 0 && u[i].role == CL_ROLE_BODY)
        u[i].role = CL_ROLE_DROP;
    }
  }
  return best;
}

bool cl_is_boilerplate(const char *text) {
  cl_lexicon_init();
  cl_unit x;
  memset(&x, 0, sizeof x);
  x.text = (char *)text;
  x.len = strlen(text);
  x.dup_of = -1;
  features(&x);
  char *f = cl_fold(text);
  if (!f)
    return false;
  patterns(&x, f);
  free(f);
  return x.boiler || x.words < 2;
}

static bool find_good(const cl_unit *u, size_t n, size_t *first, size_t *last) {
  *first = n;
  *last = 0;
  for (size_t i = 0; i < n; i++) {
    if (u[i].final == CL_GOOD) {
      if (*first == n)
        *first = i;
      *last = i;
    }
  }
  return *first < n;
}

int cl_classify(cl_unit *u, size_t n, cl_params *params) {
  params->title_unit = -1;
  if (n == 0)
    return 0;
  cl_lexicon_init();
  char **folded = calloc(n, sizeof *folded);
  if (!folded)
    return AC_ERR_NOMEM;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    features(&u[i]);
    folded[i] = cl_fold(u[i].text);
    if (!folded[i]) {
      rc = AC_ERR_NOMEM;
      goto out;
    }
  }
  int lang = pick_language(u, n, params->language);
  for (size_t i = 0; i < n; i++) {
    u[i].density = (lang >= 0 && u[i].words > 0)
                       ? (double)u[i].stops[lang] / u[i].words
                       : 0.0;
    patterns(&u[i], folded[i]);
  }
  rc = find_repeats(u, n, folded);
  if (rc)
    goto out;

  int min_words = params->min_paragraph_words;
  limits lim = adapt_limits(u, n);
  for (size_t i = 0; i < n; i++) {
    cl_unit *x = &u[i];
    x->cls = context_free(x, lang, min_words, &lim);
    /* A paragraph printed twice is kept once. */
    if (x->dup_of >= 0 && !x->byline && weight(x) >= min_words)
      x->cls = CL_BAD;
    if (x->caption)
      x->cls = CL_BAD;
    x->final = x->cls;
  }

  promote_runs(u, n, lang, &lim);

  resolve(u, n);
  size_t first = n, last = 0;
  if (!find_good(u, n, &first, &last)) {
    /* Nothing good: the page may be all short paragraphs. Near-good
     * units count as good, and failing that the longest unit. A short
     * note (a few units) keeps whatever no pattern rejected. */
    size_t plain = 0, best = n;
    for (size_t i = 0; i < n; i++) {
      if (u[i].cls == CL_NEARGOOD)
        u[i].cls = CL_GOOD;
      if (!u[i].boiler && !u[i].caption) {
        plain++;
        if (best == n || weight(&u[i]) > weight(&u[best]))
          best = i;
      }
    }
    for (size_t i = 0; i < n; i++)
      u[i].final = u[i].cls;
    resolve(u, n);
    if (!find_good(u, n, &first, &last) && best < n) {
      for (size_t i = 0; i < n; i++) {
        if (plain <= 8 && !u[i].boiler && !u[i].caption)
          u[i].cls = CL_GOOD;
        u[i].final = u[i].cls;
      }
      u[best].cls = u[best].final = CL_GOOD;
      resolve(u, n);
      find_good(u, n, &first, &last);
    }
  }

  /* Comment headers ("jane says:", "May 1, 2019 at 6:34 am") seen three
   * times after the article start: the first one starts the tail. */
  int metas = 0;
  size_t first_meta = n;
  for (size_t i = first + 1; i < n && first < n; i++) {
    if (u[i].comment) {
      if (first_meta == n)
        first_meta = i;
      metas++;
    }
  }
  if (metas >= 3 && first_meta < n)
    u[first_meta].marker = 2;

  /* A marker ends the article when enough article came before it: a
   * comment section after a few sentences, a "Related" list when less
   * text follows than came before (otherwise it was a list inside the
   * article, which the context step already dropped). */
  int total = body_weight(u, 0, n);
  for (size_t i = first + 1; i < n && first < n; i++) {
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
  last = first;
  for (size_t i = first; i < n; i++) {
    if (u[i].final == CL_GOOD)
      last = i;
  }

  /* Roles. */
  for (size_t i = 0; i < n; i++)
    u[i].role = u[i].final == CL_GOOD ? CL_ROLE_BODY : CL_ROLE_BOILER;
  if (first == n)
    goto out;

  /* Bylines near the start or end of the article; the first one stays,
   * later ones with the same name go, a co-author's line next to it
   * stays. */
  size_t head_from = first > 12 ? first - 12 : 0;
  size_t head_to = first + 4;
  size_t tail_from = last > 4 ? last - 4 : 0;
  size_t tail_to = last + 8 < n ? last + 8 : n;
  char *author = NULL;
  size_t author_at = n;
  for (size_t i = head_from; i < tail_to; i++) {
    if (!u[i].byline || (i >= head_to && i < tail_from))
      continue;
    char *nm = cl_byline_name(u[i].text);
    if (!nm)
      continue;
    if (!author) {
      author = nm;
      author_at = i;
      u[i].role = CL_ROLE_BYLINE;
      continue;
    }
    if (strcmp(nm, author) == 0)
      u[i].role = CL_ROLE_DROP;
    else if (i <= author_at + 2)
      u[i].role = CL_ROLE_BYLINE;
    free(nm);
  }
  /* A bare name is a byline when it repeats the byline's name, or at the
   * end of the article when it is printed twice or precedes a bio. */
  char *ftitle = params->title ? cl_fold(params->title) : NULL;
  for (size_t i = head_from; i < tail_to; i++) {
    cl_unit *x = &u[i];
    if ((i >= head_to && i < tail_from) || x->role == CL_ROLE_BYLINE ||
        x->role == CL_ROLE_DROP || !bare_name(x, folded[i]) ||
        (ftitle && strcmp(ftitle, folded[i]) == 0))
      continue;
    char *nm = cl_byline_name(x->text);
    if (!nm)
      continue;
    bool same = author && strcmp(nm, author) == 0;
    bool twice = false;
    for (size_t j = i > 3 ? i - 3 : 0; j < i + 4 && j < n; j++) {
      if (j != i && strcmp(folded[j], folded[i]) == 0)
        twice = true;
    }
    bool next_bio = i + 1 < n && bio_like(&u[i + 1], nm, true);
    bool tail = i >= tail_from;
    if (same) {
      x->role = CL_ROLE_DROP;
    } else if (!author && (next_bio || (tail && twice))) {
      x->role = CL_ROLE_BYLINE;
      author = nm;
      author_at = i;
      nm = NULL;
    }
    free(nm);
  }
  free(ftitle);
  /* Bios: right after the article or starting "The writer is". */
  for (size_t i = first; i < tail_to; i++) {
    cl_unit *x = &u[i];
    if (x->role == CL_ROLE_BYLINE || x->role == CL_ROLE_DROP)
      continue;
    if (i + 4 < last)
      continue; /* bios close articles */
    bool boxed =
        (i >= 1 && u[i - 1].bio_header) ||
        (i >= 2 && u[i - 2].bio_header && bare_name(&u[i - 1], folded[i - 1]));
    if (boxed && !x->boiler && x->words >= 5 && x->words <= 150) {
      x->role = strip_email_sentences(x) ? CL_ROLE_BIO : CL_ROLE_DROP;
      if (i >= 1 && u[i - 1].role == CL_ROLE_BODY)
        u[i - 1].role = CL_ROLE_DROP; /* the name above the bio */
      continue;
    }
    bool at_end = true;
    for (size_t j = i + 1; j <= last && at_end; j++)
      at_end = u[j].final != CL_GOOD;
    if (!bio_like(x, author, at_end))
      continue;
    x->role = strip_email_sentences(x) ? CL_ROLE_BIO : CL_ROLE_DROP;
  }
  /* Captions inside the article are kept as captions (not spoken as
   * body, but not noise either). */
  for (size_t i = first; i <= last; i++) {
    if (u[i].caption && u[i].role == CL_ROLE_BOILER && !u[i].boiler &&
        u[i].dup_of < 0)
      u[i].role = CL_ROLE_CAPTION;
  }
  free(author);
  params->title_unit = find_title(u, n, folded, first, params->title);

out:
  for (size_t i = 0; i < n; i++)
    free(folded[i]);
  free(folded);
  return rc;
}
