/*
 * source_html: the page's metadata, for the ID3 tags and the feed item.
 *
 * Sources, in the order each field prefers them:
 *   title        og:title, JSON-LD headline, twitter:title, <title>; the
 *                site's name is removed from the end ("Story | Site")
 *   author       JSON-LD author(s), <meta name=author>, article:author,
 *                other author metas, microdata itemprop=author, rel=author
 *   date         JSON-LD datePublished, article:published_time, date
 *                metas, <time itemprop=datePublished|pubdate>
 *   language     <html lang>, Content-Language, og:locale, JSON-LD
 *   description  og:description, <meta name=description>, twitter, JSON-LD
 *   image        og:image, twitter:image, JSON-LD image
 *   url          <link rel=canonical>, og:url, JSON-LD url
 * JSON-LD nodes are looked for at the top level, in arrays and in @graph;
 * the first whose @type is an article type wins, and author references
 * ({"@id": ...}) are resolved within the same graph.
 */
#include "date.h" /* plugins/common */
#include "source_html.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Collected raw values ------------------------------------------------
 */

#define MAX_NAMES 16

typedef struct raw {
  const char *html_lang;
  const char *content_language;
  const char *base_href;
  const char *canonical;
  char *title_tag; /* malloc'd */
  const char *og_title, *og_site_name, *og_description, *og_image, *og_url,
      *og_type, *og_locale;
  const char *tw_title, *tw_description, *tw_image;
  const char *dc_title;
  const char *description;
  const char *published;             /* article:published_time and friends */
  const char *date_meta;             /* name=date, pubdate, dc.date, ... */
  const char *time_published;        /* <time itemprop=datePublished|pubdate> */
  const char *names_meta[MAX_NAMES]; /* name=author and article:author */
  size_t n_names_meta;
  const char *names_other[MAX_NAMES]; /* parsely, sailthru, dc.creator */
  size_t n_names_other;
  char *names_micro[MAX_NAMES]; /* itemprop=author, rel=author (malloc'd) */
  size_t n_names_micro;
  ac_strbuf jsonld[8];
  size_t n_jsonld;
} raw;

static void raw_free(raw *r) {
  free(r->title_tag);
  for (size_t i = 0; i < r->n_names_micro; i++)
    free(r->names_micro[i]);
  for (size_t i = 0; i < r->n_jsonld; i++)
    ac_strbuf_free(&r->jsonld[i]);
}

static void set_once(const char **slot, const char *value) {
  if (!*slot && value && value[0])
    *slot = value;
}

/* Does the whitespace-separated list `list` contain `word`
 * (case-insensitive)? */
static int has_token(const char *list, const char *word) {
  if (!list)
    return 0;
  size_t n = strlen(word);
  const char *p = list;
  while (*p) {
    while (*p && isspace((unsigned char)*p))
      p++;
    const char *start = p;
    while (*p && !isspace((unsigned char)*p))
      p++;
    if ((size_t)(p - start) == n && strncasecmp(start, word, n) == 0)
      return 1;
  }
  return 0;
}

static void on_meta(raw *r, const xmlNode *n) {
  const char *content = sh_attr(n, "content");
  if (!content || !content[0])
    return;
  const char *key = sh_attr(n, "property");
  if (!key || !key[0])
    key = sh_attr(n, "name");
  if (!key || !key[0])
    key = sh_attr(n, "itemprop");
  const char *equiv = sh_attr(n, "http-equiv");
  if (equiv && sh_streq_ci(equiv, "content-language"))
    set_once(&r->content_language, content);
  if (!key)
    return;
  static const struct {
    const char *key;
    size_t offset;
  } simple[] = {
      {"og:title", offsetof(raw, og_title)},
      {"og:site_name", offsetof(raw, og_site_name)},
      {"og:description", offsetof(raw, og_description)},
      {"og:image", offsetof(raw, og_image)},
      {"og:image:url", offsetof(raw, og_image)},
      {"og:image:secure_url", offsetof(raw, og_image)},
      {"og:url", offsetof(raw, og_url)},
      {"og:type", offsetof(raw, og_type)},
      {"og:locale", offsetof(raw, og_locale)},
      {"twitter:title", offsetof(raw, tw_title)},
      {"twitter:description", offsetof(raw, tw_description)},
      {"twitter:image", offsetof(raw, tw_image)},
      {"twitter:image:src", offsetof(raw, tw_image)},
      {"dc.title", offsetof(raw, dc_title)},
      {"description", offsetof(raw, description)},
      {"article:published_time", offsetof(raw, published)},
      {"og:article:published_time", offsetof(raw, published)},
      {"article:published", offsetof(raw, published)},
      {"datepublished", offsetof(raw, published)},
      {"date", offsetof(raw, date_meta)},
      {"pubdate", offsetof(raw, date_meta)},
      {"publishdate", offsetof(raw, date_meta)},
      {"publish-date", offsetof(raw, date_meta)},
      {"publish_date", offsetof(raw, date_meta)},
      {"dc.date", offsetof(raw, date_meta)},
      {"dc.date.issued", offsetof(raw, date_meta)},
      {"dcterms.date", offsetof(raw, date_meta)},
      {"dcterms.created", offsetof(raw, date_meta)},
      {"sailthru.date", offsetof(raw, date_meta)},
      {"parsely-pub-date", offsetof(raw, date_meta)},
      {"citation_publication_date", offsetof(raw, date_meta)},
      {"language", offsetof(raw, content_language)},
      {"dc.language", offsetof(raw, content_language)},
  };
  for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
    if (sh_streq_ci(key, simple[i].key)) {
      set_once((const char **)((char *)r + simple[i].offset), content);
      return;
    }
  if (sh_streq_ci(key, "author") || sh_streq_ci(key, "article:author") ||
      sh_streq_ci(key, "og:article:author")) {
    if (r->n_names_meta < MAX_NAMES)
      r->names_meta[r->n_names_meta++] = content;
  } else if (sh_streq_ci(key, "parsely-author") ||
             sh_streq_ci(key, "sailthru.author") ||
             sh_streq_ci(key, "dc.creator") ||
             sh_streq_ci(key, "citation_author") || sh_streq_ci(key, "byl")) {
    if (r->n_names_other < MAX_NAMES)
      r->names_other[r->n_names_other++] = content;
  }
}

static void add_micro_name(raw *r, char *name) {
  if (!name)
    return;
  if (!name[0] || r->n_names_micro >= MAX_NAMES || strlen(name) > 100) {
    free(name);
    return;
  }
  r->names_micro[r->n_names_micro++] = name;
}

/* The name of a microdata author: its itemprop=name descendant when there
 * is one, else its text. */
static const xmlNode *find_itemprop(const xmlNode *n, const char *prop,
                                    int depth) {
  for (const xmlNode *c = n->children; c && depth < 16; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (has_token(sh_attr(c, "itemprop"), prop))
      return c;
    const xmlNode *f = find_itemprop(c, prop, depth + 1);
    if (f)
      return f;
  }
  return NULL;
}

static void walk(raw *r, const xmlNode *n, int depth) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *tag = (const char *)n->name;
    if (strcmp(tag, "html") == 0) {
      const char *lang = sh_attr(n, "lang");
      set_once(&r->html_lang, lang ? lang : sh_attr(n, "xml:lang"));
    } else if (strcmp(tag, "meta") == 0) {
      on_meta(r, n);
    } else if (strcmp(tag, "title") == 0) {
      if (!r->title_tag)
        r->title_tag = sh_node_text(n);
      continue;
    } else if (strcmp(tag, "base") == 0) {
      set_once(&r->base_href, sh_attr(n, "href"));
    } else if (strcmp(tag, "link") == 0) {
      const char *rel = sh_attr(n, "rel");
      if (has_token(rel, "canonical"))
        set_once(&r->canonical, sh_attr(n, "href"));
    } else if (strcmp(tag, "script") == 0) {
      const char *type = sh_attr(n, "type");
      if (type && sh_prefix_ci(type, "application/ld+json") &&
          r->n_jsonld < sizeof r->jsonld / sizeof *r->jsonld) {
        ac_strbuf *b = &r->jsonld[r->n_jsonld++];
        for (const xmlNode *c = n->children; c; c = c->next)
          if (c->content)
            ac_strbuf_adds(b, (const char *)c->content);
      }
      continue;
    } else if (strcmp(tag, "time") == 0) {
      const char *dt = sh_attr(n, "datetime");
      if (dt && (has_token(sh_attr(n, "itemprop"), "datePublished") ||
                 sh_attr(n, "pubdate")))
        set_once(&r->time_published, dt);
    } else if (strcmp(tag, "style") == 0 || strcmp(tag, "svg") == 0) {
      continue;
    }
    if (has_token(sh_attr(n, "itemprop"), "author") ||
        has_token(sh_attr(n, "itemprop"), "creator")) {
      const char *content = sh_attr(n, "content");
      if (content && content[0]) {
        add_micro_name(r, strdup(content));
      } else {
        const xmlNode *name = find_itemprop(n, "name", 0);
        const char *nc = name ? sh_attr(name, "content") : NULL;
        add_micro_name(r, nc ? strdup(nc) : sh_node_text(name ? name : n));
      }
      continue;
    }
    if ((strcmp(tag, "a") == 0) && has_token(sh_attr(n, "rel"), "author")) {
      add_micro_name(r, sh_node_text(n));
      continue;
    }
    if (depth <= SH_MAX_DEPTH)
      walk(r, n->children, depth + 1);
  }
}

/* ---- JSON-LD ---------------------------------------------------------------
 */

typedef struct ld {
  const sh_json *article;    /* the chosen node */
  const sh_json *webpage;    /* a WebPage node, a weaker fallback */
  const sh_json *nodes[256]; /* every object seen, to resolve @id */
  size_t n_nodes;
} ld;

static int type_is(const sh_json *node, const char *const *types) {
  const sh_json *t = sh_json_get(node, "@type");
  if (!t)
    return 0;
  const sh_json *one = t->type == SH_JSON_ARRAY ? t->child : t;
  for (; one; one = t->type == SH_JSON_ARRAY ? one->next : NULL) {
    if (one->type != SH_JSON_STRING)
      continue;
    const char *name = one->str;
    const char *colon = strrchr(name, '/'); /* "http://schema.org/Article" */
    if (colon)
      name = colon + 1;
    for (size_t i = 0; types[i]; i++)
      if (strcasecmp(name, types[i]) == 0)
        return 1;
  }
  return 0;
}

static const char *const article_types[] = {"Article",
                                            "NewsArticle",
                                            "BlogPosting",
                                            "ReportageNewsArticle",
                                            "AnalysisNewsArticle",
                                            "OpinionNewsArticle",
                                            "ReviewNewsArticle",
                                            "BackgroundNewsArticle",
                                            "AskPublicNewsArticle",
                                            "SatiricalArticle",
                                            "TechArticle",
                                            "ScholarlyArticle",
                                            "SocialMediaPosting",
                                            "LiveBlogPosting",
                                            "Report",
                                            "Review",
                                            "CreativeWork",
                                            "MedicalWebPage",
                                            "Posting",
                                            "DiscussionForumPosting",
                                            NULL};
static const char *const webpage_types[] = {"WebPage", "ItemPage", NULL};

static void ld_collect(ld *l, const sh_json *j, int depth) {
  if (!j || depth > 8)
    return;
  if (j->type == SH_JSON_ARRAY) {
    for (const sh_json *c = j->child; c; c = c->next)
      ld_collect(l, c, depth + 1);
    return;
  }
  if (j->type != SH_JSON_OBJECT)
    return;
  if (l->n_nodes < sizeof l->nodes / sizeof *l->nodes)
    l->nodes[l->n_nodes++] = j;
  if (!l->article && type_is(j, article_types) &&
      (sh_json_get(j, "headline") || sh_json_get(j, "name") ||
       sh_json_get(j, "author") || sh_json_get(j, "datePublished")))
    l->article = j;
  if (!l->webpage && type_is(j, webpage_types))
    l->webpage = j;
  const sh_json *graph = sh_json_get(j, "@graph");
  if (graph)
    ld_collect(l, graph, depth + 1);
  /* A WebPage may carry its article as mainEntity. */
  const sh_json *main_entity = sh_json_get(j, "mainEntity");
  if (main_entity && main_entity->type != SH_JSON_STRING)
    ld_collect(l, main_entity, depth + 1);
}

/* A node referred to by {"@id": "..."} alone, or the node itself. */
static const sh_json *ld_resolve(const ld *l, const sh_json *j) {
  if (!j || j->type != SH_JSON_OBJECT)
    return j;
  const sh_json *id = sh_json_get(j, "@id");
  if (!id || id->type != SH_JSON_STRING || sh_json_get(j, "name"))
    return j;
  for (size_t i = 0; i < l->n_nodes; i++) {
    if (l->nodes[i] == j)
      continue;
    const sh_json *other = sh_json_get(l->nodes[i], "@id");
    if (other && other->type == SH_JSON_STRING &&
        strcmp(other->str, id->str) == 0 && sh_json_get(l->nodes[i], "name"))
      return l->nodes[i];
  }
  return j;
}

static const char *ld_string(const sh_json *j) {
  if (!j)
    return NULL;
  if (j->type == SH_JSON_STRING)
    return j->str && j->str[0] ? j->str : NULL;
  if (j->type == SH_JSON_ARRAY)
    return ld_string(j->child);
  return NULL;
}

/* A URL given as a string, an object with "url" or "@id", or a list. */
static const char *ld_url(const ld *l, const sh_json *j) {
  if (!j)
    return NULL;
  if (j->type == SH_JSON_STRING)
    return j->str && j->str[0] ? j->str : NULL;
  if (j->type == SH_JSON_ARRAY)
    return ld_url(l, j->child);
  if (j->type == SH_JSON_OBJECT) {
    const sh_json *r = ld_resolve(l, j);
    const char *u = ld_string(sh_json_get(r, "url"));
    if (!u)
      u = ld_string(sh_json_get(r, "contentUrl"));
    if (!u)
      u = ld_string(sh_json_get(r, "@id"));
    return u;
  }
  return NULL;
}

/* Author names from a string, a Person/Organization, or a list of
 * them. */
static void ld_names(const ld *l, const sh_json *j, const char **names,
                     size_t *n, int depth) {
  if (!j || depth > 4)
    return;
  if (j->type == SH_JSON_STRING) {
    if (*n < MAX_NAMES && j->str && j->str[0])
      names[(*n)++] = j->str;
  } else if (j->type == SH_JSON_ARRAY) {
    for (const sh_json *c = j->child; c; c = c->next)
      ld_names(l, c, names, n, depth + 1);
  } else if (j->type == SH_JSON_OBJECT) {
    const sh_json *r = ld_resolve(l, j);
    const sh_json *name = sh_json_get(r, "name");
    if (name && name->type == SH_JSON_STRING)
      ld_names(l, name, names, n, depth + 1);
  }
}

/* ---- Normalization ---------------------------------------------------------
 */

char *sh_iso_date(const char *in) {
  ac_date d;
  char out[40];
  if (ac_date_parse(in, &d) != 0 ||
      ac_date_format_iso(&d, out, sizeof out) == 0)
    return NULL;
  return strdup(out);
}

char *sh_lang_tag(const char *s) {
  if (!s)
    return NULL;
  while (isspace((unsigned char)*s))
    s++;
  char out[36];
  size_t o = 0;
  int part = 0;
  const char *p = s;
  while (*p && o + 1 < sizeof out) {
    const char *start = p;
    while (isalnum((unsigned char)*p))
      p++;
    size_t n = (size_t)(p - start);
    if (n == 0 || n > 8)
      break;
    if (part == 0 && (n < 2 || n > 3 || !isalpha((unsigned char)start[0])))
      return NULL; /* "x-default", "*", numbers */
    if (o + n + 2 >= sizeof out)
      break;
    if (part > 0)
      out[o++] = '-';
    for (size_t i = 0; i < n; i++) {
      int c = (unsigned char)start[i];
      if (part == 0)
        c = tolower(c);
      else if (n == 2)
        c = toupper(c); /* region */
      else if (n == 4)
        c = i == 0 ? toupper(c) : tolower(c); /* script */
      else
        c = tolower(c);
      out[o++] = (char)c;
    }
    part++;
    if (*p != '-' && *p != '_')
      break;
    p++;
  }
  out[o] = '\0';
  return o ? strdup(out) : NULL;
}

/* Strips "By " and white space from a name; a copy, or NULL when what
 * remains is not a name (empty, a URL, a handle, too long). */
static char *clean_name(const char *s) {
  char *t = sh_clean_text(s, strlen(s));
  if (!t)
    return NULL;
  char *p = t;
  if (strncasecmp(p, "by ", 3) == 0)
    p += 3;
  while (*p == ' ' || *p == ':')
    p++;
  size_t n = strlen(p);
  while (n && (p[n - 1] == ',' || p[n - 1] == ' ' || p[n - 1] == '|'))
    p[--n] = '\0';
  /* A CMS account such as "admin" or "siteadmin" is not a name. */
  int account = !strchr(p, ' ') && sh_strcasestr(p, "admin");
  if (n == 0 || n > 120 || strstr(p, "://") || strncasecmp(p, "www.", 4) == 0 ||
      p[0] == '@' || strchr(p, '{') || strchr(p, '<') || account) {
    free(t);
    return NULL;
  }
  memmove(t, p, n + 1);
  return t;
}

char *sh_join_names(const char *const *names, size_t n) {
  char *kept[MAX_NAMES];
  size_t k = 0;
  for (size_t i = 0; i < n && k < MAX_NAMES; i++) {
    if (!names[i])
      continue;
    char *c = clean_name(names[i]);
    if (!c)
      continue;
    int dup = 0;
    for (size_t j = 0; j < k && !dup; j++)
      dup = strcasecmp(kept[j], c) == 0;
    if (dup)
      free(c);
    else
      kept[k++] = c;
  }
  if (k == 0)
    return NULL;
  ac_strbuf b = {0};
  int rc = ac_strbuf_add(&b, "", 0);
  for (size_t i = 0; i < k && rc == 0; i++) {
    if (i > 0)
      rc = ac_strbuf_adds(&b, i + 1 == k ? " and " : ", ");
    if (rc == 0)
      rc = ac_strbuf_adds(&b, kept[i]);
  }
  for (size_t i = 0; i < k; i++)
    free(kept[i]);
  if (rc != 0) {
    ac_strbuf_free(&b);
    return NULL;
  }
  return b.data;
}

/* Separators between a story's title and the site's name. */
static const char *const title_seps[] = {" | ",
                                         " - ",
                                         " \xE2\x80\x93 ",
                                         " \xE2\x80\x94 ",
                                         " :: ",
                                         " \xC2\xB7 ",
                                         " \xC2\xBB ",
                                         " / ",
                                         " \xE2\x80\xA2 ",
                                         " : "};

/* The last separator in `t`, or NULL; *seplen receives its length. */
static char *last_sep(char *t, size_t *seplen) {
  char *best = NULL;
  for (size_t i = 0; i < sizeof title_seps / sizeof *title_seps; i++) {
    const char *sep = title_seps[i];
    if (strcmp(sep, " : ") == 0)
      continue; /* too common inside titles to split on */
    for (char *p = strstr(t, sep); p; p = strstr(p + 1, sep))
      if (!best || p > best) {
        best = p;
        *seplen = strlen(sep);
      }
  }
  return best;
}

/* Comparison key: lowercase letters and digits only. */
static void key_of(const char *s, char *out, size_t outlen) {
  size_t o = 0;
  for (; *s && o + 1 < outlen; s++) {
    unsigned char c = (unsigned char)*s;
    if (isalnum(c))
      out[o++] = (char)tolower(c);
    else if (c >= 0x80)
      out[o++] = (char)c;
  }
  out[o] = '\0';
}

/* Removes the site's name from the end (or start) of a title: the given
 * site name when known, else a short last segment after a separator when
 * what stays is clearly the longer part. */
static char *strip_site(const char *title, const char *site, int guess) {
  char *t = sh_clean_text(title, strlen(title));
  if (!t)
    return NULL;
  for (int round = 0; round < 2; round++) {
    size_t seplen = 0;
    char *sep = last_sep(t, &seplen);
    if (!sep)
      break;
    const char *tail = sep + seplen;
    int strip = 0;
    if (site && site[0]) {
      char a[256], b[256];
      key_of(tail, a, sizeof a);
      key_of(site, b, sizeof b);
      strip = a[0] && (strcmp(a, b) == 0 || strstr(b, a) || strstr(a, b));
    }
    if (!strip && guess) {
      size_t head_words = sh_word_count(t, (size_t)(sep - t));
      size_t tail_words = sh_word_count(tail, strlen(tail));
      strip = tail_words <= 4 && head_words >= 3 && head_words > tail_words;
    }
    if (!strip)
      break;
    *sep = '\0';
  }
  /* "Site | Story" */
  if (site && site[0]) {
    for (size_t i = 0; i < sizeof title_seps / sizeof *title_seps; i++) {
      char *sep = strstr(t, title_seps[i]);
      if (!sep)
        continue;
      char a[256], b[256];
      *sep = '\0';
      key_of(t, a, sizeof a);
      *sep = title_seps[i][0];
      key_of(site, b, sizeof b);
      if (a[0] && strcmp(a, b) == 0) {
        size_t n = strlen(title_seps[i]);
        memmove(t, sep + n, strlen(sep + n) + 1);
        break;
      }
    }
  }
  return t;
}

/* ---- Assembly
 * ----------------------------------------------------------------
 */

static int set_field(char **field, const char *value) {
  if (*field || !value || !value[0])
    return 0;
  *field = sh_clean_text(value, strlen(value));
  if (!*field)
    return -1;
  if (!(*field)[0]) {
    free(*field);
    *field = NULL;
  }
  return 0;
}

static int set_owned(char **field, char *value) {
  if (*field || !value) {
    free(value);
    return 0;
  }
  *field = value;
  return 0;
}

/* Whether `ref` starts with a URL scheme ("https:", "file:", "data:"). */
static int has_scheme(const char *ref) {
  size_t n = strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789+-.");
  return n > 0 && ref[n] == ':';
}

/* A link of the page's metadata as the document may carry it: `ref`
 * resolved against `base`, kept only when it is an http(s) URL or, with
 * `relative_ok` and no base (a page read from a file), a relative path
 * ("images/cover.jpg", which the mp3 sink looks for in the article's own
 * folder only). A page must never make articast read a file elsewhere
 * (file:, an absolute path) or carry data:, javascript: or other links.
 * malloc'd; NULL when refused or out of memory (*nomem set). */
static char *web_link(const char *base, const char *ref, int relative_ok,
                      int *nomem) {
  char *url = sh_resolve_url(base, ref);
  if (!url) {
    *nomem = 1;
    return NULL;
  }
  int relative =
      !has_scheme(url) && url[0] != '/' && url[0] != '\\' && url[0] != '\0';
  if (sh_is_url(url) || (relative_ok && relative && !(base && base[0])))
    return url;
  free(url);
  return NULL;
}

int sh_meta_read(htmlDocPtr doc, const char *base_url, sh_meta *m) {
  memset(m, 0, sizeof *m);
  raw r;
  memset(&r, 0, sizeof r);
  walk(&r, (const xmlNode *)doc->children, 0);

  ld l;
  memset(&l, 0, sizeof l);
  sh_json *trees[8] = {0};
  for (size_t i = 0; i < r.n_jsonld; i++) {
    if (!r.jsonld[i].data)
      continue;
    trees[i] = sh_json_parse(r.jsonld[i].data, r.jsonld[i].len);
    ld_collect(&l, trees[i], 0);
  }
  const sh_json *a = l.article;
  const sh_json *page = l.webpage;

  /* The base for relative links: <base href>, then the page's URL, then
   * (for a saved page) its canonical or og:url address when absolute. */
  char *base = NULL;
  if (r.base_href)
    base = sh_resolve_url(base_url, r.base_href);
  if (base && !sh_is_url(base)) { /* <base href="file:///etc/"> */
    free(base);
    base = NULL;
  }
  const char *b = base ? base : base_url;
  if (!b && r.canonical && sh_is_url(r.canonical))
    b = r.canonical;
  if (!b && r.og_url && sh_is_url(r.og_url))
    b = r.og_url;

  int rc = 0;
  /* Site name, to strip from titles. */
  const sh_json *publisher =
      a ? ld_resolve(&l, sh_json_get(a, "publisher")) : NULL;
  rc |= set_field(&m->site_name, r.og_site_name);
  rc |= set_field(&m->site_name, ld_string(sh_json_get(publisher, "name")));

  if (r.title_tag)
    rc |= set_field(&m->html_title, r.title_tag);
  const char *title = r.og_title;
  if (!title)
    title = ld_string(sh_json_get(a, "headline"));
  if (!title)
    title = r.tw_title;
  if (!title)
    title = r.dc_title;
  if (title) {
    rc |= set_owned(&m->title, strip_site(title, m->site_name, 0));
  } else if (r.title_tag) {
    rc |= set_owned(&m->title, strip_site(r.title_tag, m->site_name, 1));
    m->title_from_tag = 1;
  }
  if (!m->title)
    rc |= set_field(&m->title, ld_string(sh_json_get(a, "name")));

  /* Authors. */
  const char *names[MAX_NAMES];
  size_t n = 0;
  if (a)
    ld_names(&l, sh_json_get(a, "author"), names, &n, 0);
  if (n == 0 && a)
    ld_names(&l, sh_json_get(a, "creator"), names, &n, 0);
  if (n)
    rc |= set_owned(&m->author, sh_join_names(names, n));
  if (!m->author && r.n_names_meta)
    rc |= set_owned(&m->author, sh_join_names(r.names_meta, r.n_names_meta));
  if (!m->author && r.n_names_other)
    rc |= set_owned(&m->author, sh_join_names(r.names_other, r.n_names_other));
  if (!m->author && r.n_names_micro)
    rc |=
        set_owned(&m->author, sh_join_names((const char *const *)r.names_micro,
                                            r.n_names_micro));

  /* Date. */
  const char *dates[] = {ld_string(sh_json_get(a, "datePublished")),
                         r.published,
                         r.date_meta,
                         r.time_published,
                         ld_string(sh_json_get(a, "dateCreated")),
                         ld_string(sh_json_get(page, "datePublished"))};
  for (size_t i = 0; i < sizeof dates / sizeof *dates && !m->date; i++)
    rc |= set_owned(&m->date, sh_iso_date(dates[i]));

  /* Language. */
  const char *langs[] = {r.html_lang, r.content_language, r.og_locale,
                         ld_string(sh_json_get(a, "inLanguage")),
                         ld_string(sh_json_get(page, "inLanguage"))};
  for (size_t i = 0; i < sizeof langs / sizeof *langs && !m->language; i++)
    rc |= set_owned(&m->language, sh_lang_tag(langs[i]));

  /* Description. */
  rc |= set_field(&m->description, r.og_description);
  rc |= set_field(&m->description, r.description);
  rc |= set_field(&m->description, r.tw_description);
  rc |= set_field(&m->description, ld_string(sh_json_get(a, "description")));

  /* Image and canonical URL, resolved against the base: the first
   * candidate that is a link the document may carry. */
  int nomem = 0;
  const char *images[] = {
      r.og_image, r.tw_image, a ? ld_url(&l, sh_json_get(a, "image")) : NULL,
      a ? ld_url(&l, sh_json_get(a, "thumbnailUrl")) : NULL};
  for (size_t i = 0; i < sizeof images / sizeof *images && !m->image; i++)
    if (images[i])
      m->image = web_link(b, images[i], 1, &nomem);
  const char *urls[] = {
      r.canonical, r.og_url, a ? ld_url(&l, sh_json_get(a, "url")) : NULL,
      a ? ld_url(&l, sh_json_get(a, "mainEntityOfPage")) : NULL};
  for (size_t i = 0; i < sizeof urls / sizeof *urls && !m->url; i++)
    if (urls[i])
      m->url = web_link(b, urls[i], 0, &nomem);
  rc |= nomem;

  if (r.og_type)
    rc |= set_field(&m->type, r.og_type);
  const char *body = ld_string(sh_json_get(a, "articleBody"));
  if (body && !(m->body = strdup(body)))
    rc = -1;

  for (size_t i = 0; i < sizeof trees / sizeof *trees; i++)
    sh_json_free(trees[i]);
  free(base);
  raw_free(&r);
  if (rc) {
    sh_meta_free(m);
    return AC_ERR_NOMEM;
  }
  return 0;
}

void sh_meta_free(sh_meta *m) {
  free(m->title);
  free(m->site_name);
  free(m->author);
  free(m->date);
  free(m->language);
  free(m->description);
  free(m->image);
  free(m->url);
  free(m->type);
  free(m->html_title);
  free(m->body);
  memset(m, 0, sizeof *m);
}
