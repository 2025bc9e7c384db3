/*
 * YAML-style front matter: the block between a "---" line at the very start
 * of a Markdown file and the next "---" (or "...") line. This is the small
 * subset of YAML that article front matter uses: `key: value` pairs with
 * plain, "double" or 'single' quoted values, block lists ("- item"), flow
 * lists ("[a, b]"), multi-line plain values and | or > block scalars.
 * Unknown keys are ignored; nested mappings are skipped, except that an
 * author given as {name: ...} yields the name.
 */
#include "source_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Document fields the front matter can set. */
enum {
  F_TITLE,
  F_AUTHOR,
  F_DATE,
  F_LANGUAGE,
  F_SUMMARY,
  F_IMAGE,
  F_URL,
  F_ID,
  F_COUNT
};

/* A key, the field it fills and its rank: when two keys fill one field
 * (summary and description), the higher rank wins whatever their order. */
typedef struct fm_key {
  const char *key;
  int field;
  int rank;
} fm_key;

static const fm_key fm_keys[] = {
    {"title", F_TITLE, 1},
    {"author", F_AUTHOR, 1},
    {"authors", F_AUTHOR, 1},
    {"date", F_DATE, 1},
    {"language", F_LANGUAGE, 2},
    {"lang", F_LANGUAGE, 1},
    {"summary", F_SUMMARY, 2},
    {"description", F_SUMMARY, 1},
    {"image", F_IMAGE, 1},
    {"url", F_URL, 1},
    {"canonical_url", F_URL, 2},
    {"id", F_ID, 1},
    {NULL, 0, 0},
};

static char **field_ptr(ac_document *doc, int field) {
  switch (field) {
  case F_TITLE:
    return &doc->title;
  case F_AUTHOR:
    return &doc->author;
  case F_DATE:
    return &doc->date;
  case F_LANGUAGE:
    return &doc->language;
  case F_SUMMARY:
    return &doc->summary;
  case F_IMAGE:
    return &doc->image;
  case F_URL:
    return &doc->url;
  default:
    return &doc->id;
  }
}

static int is_fence(const st_line *l, const char *mark) {
  const char *s = l->s;
  size_t len = l->len;
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  return len == 3 && memcmp(s, mark, 3) == 0;
}

int st_has_front_matter(const st_line *lines, size_t n) {
  return n > 0 && is_fence(&lines[0], "---");
}

int st_front_matter_plausible(const st_line *lines, size_t n) {
  if (!st_has_front_matter(lines, n))
    return 0;
  int keys = 0;
  for (size_t i = 1; i < n; i++) {
    const char *s = lines[i].s;
    size_t len = lines[i].len;
    if (is_fence(&lines[i], "---") || is_fence(&lines[i], "..."))
      return keys > 0;
    if (st_is_blank(s, len) || s[0] == '#' || s[0] == ' ' || s[0] == '\t' ||
        s[0] == '-')
      continue;
    /* A top-level line must be "key:" with a short key of word characters. */
    size_t k = 0;
    while (k < len && k < 40 &&
           ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
            (s[k] >= '0' && s[k] <= '9') || s[k] == '_' || s[k] == '-'))
      k++;
    if (k == 0 || k >= len || s[k] != ':' ||
        (k + 1 < len && s[k + 1] != ' ' && s[k + 1] != '\t'))
      return 0;
    keys++;
  }
  return 0; /* never closed */
}

/* ---- Scalars ----------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes a YAML scalar (quoted or plain) from [s, s + len) into `out`.
 * Returns 0, -1 when memory runs out, or 1 when a quote is not closed. */
static int scalar(const char *s, size_t len, ac_strbuf *out) {
  st_trim(&s, &len);
  out->len = 0;
  if (ac_strbuf_add(out, "", 0) != 0)
    return -1;
  if (len && s[0] == '"') {
    size_t i = 1;
    for (; i < len && s[i] != '"'; i++) {
      char ch = s[i];
      if (ch == '\\' && i + 1 < len) {
        char e = s[++i];
        uint32_t cp = 0;
        int digits = 0;
        switch (e) {
        case 'n':
          ch = '\n';
          break;
        case 't':
          ch = '\t';
          break;
        case 'u':
          digits = 4;
          break;
        case 'U':
          digits = 8;
          break;
        case 'x':
          digits = 2;
          break;
        default:
          ch = e; /* \" \\ \/ and anything else: the character itself */
        }
        if (digits) {
          int k = 0;
          for (; k < digits && i + 1 < len && hexval(s[i + 1]) >= 0; k++)
            cp = cp * 16 + (uint32_t)hexval(s[++i]);
          if (k < digits || cp == 0 || cp > 0x10FFFF ||
              (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
          if (ac_strbuf_add_utf8(out, cp) != 0)
            return -1;
          continue;
        }
      }
      if (ac_strbuf_addc(out, ch) != 0)
        return -1;
    }
    return i < len ? 0 : 1;
  }
  if (len && s[0] == '\'') {
    size_t i = 1;
    for (; i < len; i++) {
      if (s[i] == '\'') {
        if (i + 1 < len && s[i + 1] == '\'')
          i++; /* '' is a quote */
        else
          break;
      }
      if (ac_strbuf_addc(out, s[i]) != 0)
        return -1;
    }
    return i < len ? 0 : 1;
  }
  /* Plain: a " #" starts a comment. */
  for (size_t i = 0; i < len; i++)
    if (s[i] == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
      len = i;
      break;
    }
  st_trim(&s, &len);
  if ((len == 1 && s[0] == '~') || (len == 4 && memcmp(s, "null", 4) == 0))
    len = 0;
  return ac_strbuf_add(out, s, len);
}

/* ---- Values: dates and languages --------------------------------------- */

static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int num(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

/* True when the word [w, w + len) is `name` or an abbreviation of it of at
 * least three letters ("Mar", "Sept", "Fri"), in any case. */
static int abbreviates(const char *w, size_t len, const char *name) {
  if (len < 3 || len > strlen(name))
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = w[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != name[i])
      return 0;
  }
  return 1;
}

/* Month 1..12 from its name, else 0. */
static int month_from_name(const char *s, size_t len) {
  static const char *const months[] = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; m++)
    if (abbreviates(s, len, months[m]))
      return m + 1;
  return 0;
}

/* True for a weekday name, which a written date may start with. */
static int is_weekday(const char *s, size_t len) {
  static const char *const days[] = {"monday",   "tuesday", "wednesday",
                                     "thursday", "friday",  "saturday",
                                     "sunday"};
  for (int d = 0; d < 7; d++)
    if (abbreviates(s, len, days[d]))
      return 1;
  return 0;
}

/* Turns a front matter date into ISO 8601: "2026-03-14" and date-times
 * ("2026-03-14T10:00:00Z", "2026-03-14 10:00") are kept, "2026/03/14",
 * "14 March 2026" and "March 14, 2026" are converted. Writes "" when the
 * value is not a date this understands. */
static void iso_date(const char *s, char *out, size_t size) {
  size_t len = strlen(s);
  int y = 0, m = 0, d = 0;
  out[0] = '\0';
  if (len >= 10 && digits(s, 4) && (s[4] == '-' || s[4] == '/') &&
      digits(s + 5, 2) && s[7] == s[4] && digits(s + 8, 2)) {
    y = num(s, 4);
    m = num(s + 5, 2);
    d = num(s + 8, 2);
    if (m < 1 || m > 12 || d < 1 || d > 31)
      return;
    size_t n = 10;
    /* Keep a time of day when one follows: [T ]HH:MM[:SS[.fff]][Z|±HH:MM]. */
    if (s[4] == '-' && len >= 16 && (s[10] == 'T' || s[10] == ' ') &&
        digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2)) {
      n = 16;
      while (n < len && strchr("0123456789:.+-Z", s[n]))
        n++;
    }
    if (n >= size)
      n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    out[4] = out[7] = '-';
    if (n > 10)
      out[10] = 'T';
    return;
  }
  /* Words: day, month name, year in either order, commas ignored. */
  const char *p = s;
  while (*p) {
    while (*p == ' ' || *p == ',' || *p == '\t')
      p++;
    const char *w = p;
    while (*p && *p != ' ' && *p != ',' && *p != '\t')
      p++;
    size_t wl = (size_t)(p - w);
    if (wl && w[wl - 1] == '.')
      wl--; /* "Mar." */
    if (wl == 0)
      continue;
    if (digits(w, wl) && wl == 4)
      y = num(w, 4);
    else if (wl >= 1 && wl <= 4 && digits(w, 1)) {
      size_t dl = digits(w, wl) ? wl : (wl > 1 && digits(w, 2) ? 2 : 1);
      if (dl <= 2) /* "14", "14th", "1st" */
        d = num(w, dl);
      else
        return;
    } else if (m == 0 && month_from_name(w, wl))
      m = month_from_name(w, wl);
    else if (!is_weekday(w, wl))
      return;
  }
  if (y && m && d >= 1 && d <= 31 && size > 10)
    snprintf(out, size, "%04d-%02d-%02d", y % 10000, m, d);
}

/* Normalizes a BCP 47 tag: "en_gb" -> "en-GB", "zh-hant-tw" -> "zh-Hant-TW".
 * Writes "" when the value does not look like a tag. */
static void bcp47(const char *s, char *out, size_t size) {
  size_t len = strlen(s), k = 0;
  out[0] = '\0';
  if (len == 0 || len >= size)
    return;
  size_t sub = 0, sub_start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || s[i] == '-' || s[i] == '_') {
      size_t n = i - sub_start;
      if (n == 0 || n > 8 || (sub == 0 && (n < 2 || n > 3)))
        goto bad;
      for (size_t j = sub_start; j < i; j++) {
        char c = s[j];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && !(c >= '0' && c <= '9'))
          goto bad;
        if (alpha) {
          int upper =
              (sub > 0 && n == 2) || (sub > 0 && n == 4 && j == sub_start);
          c = (char)(upper ? (c & ~0x20) : (c | 0x20));
        }
        out[k++] = c;
      }
      if (i < len)
        out[k++] = '-';
      sub++;
      sub_start = i + 1;
    }
  }
  out[k] = '\0';
  return;
bad:
  out[0] = '\0';
}

/* ---- Entries ----------------------------------------------------------- */

/* One top-level key with its value and the lines that belong to it. */
typedef struct fm_entry {
  const char *key;
  size_t key_len;
  const char *value; /* after the colon, trimmed */
  size_t value_len;
  size_t line;         /* 1-based line number of the key */
  const st_line *more; /* indented or "- " lines after the key */
  size_t n_more;
} fm_entry;

/* Strips "- " from a list item line; returns 0 when it is not one. */
static int list_item(const st_line *l, const char **s, size_t *len) {
  const char *p = l->s;
  size_t n = l->len;
  st_trim(&p, &n);
  if (n == 0 || p[0] != '-' || (n > 1 && p[1] != ' ' && p[1] != '\t'))
    return 0;
  p++;
  n--;
  st_trim(&p, &n);
  *s = p;
  *len = n;
  return 1;
}

/* For authors written as mappings ("- name: Jane Doe"): the name. Leaves
 * other values alone. */
static void strip_name_key(const char **s, size_t *len) {
  if (st_prefix_ci(*s, *len, "name:")) {
    *s += 5;
    *len -= 5;
    st_trim(s, len);
  }
}

/* Appends one author to the list text; the list is joined at the end. */
typedef struct name_list {
  ac_strbuf names; /* each name followed by '\0' */
  size_t count;
} name_list;

static int add_name(name_list *nl, const char *s, size_t len, ac_strbuf *tmp) {
  int r = scalar(s, len, tmp);
  if (r != 0)
    return r;
  if (tmp->len == 0)
    return 0;
  if (ac_strbuf_add(&nl->names, tmp->data, tmp->len + 1) != 0)
    return -1;
  nl->count++;
  return 0;
}

/* "A", "A and B", "A, B and C". */
static int join_names(const name_list *nl, ac_strbuf *out) {
  const char *p = nl->names.data;
  out->len = 0;
  if (ac_strbuf_add(out, "", 0) != 0)
    return -1;
  for (size_t i = 0; i < nl->count; i++) {
    const char *sep = i == 0 ? "" : (i + 1 == nl->count ? " and " : ", ");
    if (ac_strbuf_add(out, sep, strlen(sep)) != 0 ||
        ac_strbuf_add(out, p, strlen(p)) != 0)
      return -1;
    p += strlen(p) + 1;
  }
  return 0;
}

/* Splits a flow list "[a, 'b, c', d]" into names. */
static int flow_list(name_list *nl, const char *s, size_t len, ac_strbuf *tmp) {
  s++; /* '[' */
  len--;
  if (len && s[len - 1] == ']')
    len--;
  size_t start = 0;
  char quote = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && quote) {
      if (s[i] == quote)
        quote = 0;
      continue;
    }
    if (i < len && (s[i] == '"' || s[i] == '\'')) {
      quote = s[i];
      continue;
    }
    if (i == len || s[i] == ',') {
      int r = add_name(nl, s + start, i - start, tmp);
      if (r != 0)
        return r;
      start = i + 1;
    }
  }
  return 0;
}

/* Computes the value of an entry into `out`: a list joined as names for
 * author keys (other keys take a list's first item), a block scalar, or a
 * scalar possibly continued on the following indented lines. Returns 0, -1
 * on memory, or 1 for an unclosed quote. */
static int entry_value(const fm_entry *e, int names, ac_strbuf *out) {
  ac_strbuf joined = {0}, tmp = {0};
  name_list nl = {0};
  int r = 0;
  const char *s;
  size_t len;

  if (e->value_len == 0 && e->n_more && list_item(&e->more[0], &s, &len)) {
    for (size_t i = 0; i < e->n_more && r == 0; i++) {
      if (!list_item(&e->more[i], &s, &len))
        continue; /* a mapping's further keys under an item */
      strip_name_key(&s, &len);
      r = add_name(&nl, s, len, &tmp);
      if (!names)
        break;
    }
    if (r == 0)
      r = join_names(&nl, out) == 0 ? 0 : -1;
    goto done;
  }
  if (e->value_len && e->value[0] == '[') {
    r = flow_list(&nl, e->value, e->value_len, &tmp);
    if (r == 0 && !names && nl.count > 1)
      nl.count = 1;
    if (r == 0)
      r = join_names(&nl, out) == 0 ? 0 : -1;
    goto done;
  }
  if (e->value_len && (e->value[0] == '|' || e->value[0] == '>')) {
    /* Block scalar: | keeps line breaks, > folds them into spaces. */
    char sep = e->value[0] == '|' ? '\n' : ' ';
    out->len = 0;
    r = ac_strbuf_add(out, "", 0);
    for (size_t i = 0; i < e->n_more && r == 0; i++) {
      s = e->more[i].s;
      len = e->more[i].len;
      st_trim(&s, &len);
      if (out->len)
        r = ac_strbuf_addc(out, sep);
      if (r == 0)
        r = ac_strbuf_add(out, s, len);
    }
    goto done;
  }
  /* A scalar, maybe continued on indented lines (plain or quoted). An
   * author written as a mapping ("author:\n  name: X") gives its name. */
  if (e->value_len == 0 && e->n_more && names) {
    s = e->more[0].s;
    len = e->more[0].len;
    st_trim(&s, &len);
    strip_name_key(&s, &len);
    r = scalar(s, len, out);
    goto done;
  }
  if (e->value_len == 0 && e->n_more) {
    out->len = 0; /* a nested mapping: not a value we know */
    r = ac_strbuf_add(out, "", 0);
    goto done;
  }
  r = ac_strbuf_add(&joined, e->value, e->value_len);
  for (size_t i = 0; i < e->n_more && r == 0; i++) {
    s = e->more[i].s;
    len = e->more[i].len;
    st_trim(&s, &len);
    if (len == 0)
      continue;
    r = ac_strbuf_addc(&joined, ' ');
    if (r == 0)
      r = ac_strbuf_add(&joined, s, len);
  }
  if (r == 0)
    r = scalar(joined.data, joined.len, out);
done:
  ac_strbuf_free(&joined);
  ac_strbuf_free(&tmp);
  ac_strbuf_free(&nl.names);
  return r;
}

static int apply_entry(st_ctx *c, const fm_entry *e, int *ranks) {
  const fm_key *k = NULL;
  for (size_t i = 0; fm_keys[i].key; i++)
    if (strlen(fm_keys[i].key) == e->key_len &&
        st_prefix_ci(e->key, e->key_len, fm_keys[i].key)) {
      k = &fm_keys[i];
      break;
    }
  if (!k || ranks[k->field] >= k->rank)
    return 0; /* unknown key, or a better key already set the field */

  ac_strbuf v = {0};
  int r = entry_value(e, k->field == F_AUTHOR, &v);
  if (r < 0) {
    ac_strbuf_free(&v);
    return st_nomem(c);
  }
  if (r > 0) {
    ac_strbuf_free(&v);
    return c->host->fail(c->st, AC_ERR_FORMAT,
                         "front matter line %zu: the quoted value of '%.*s' "
                         "has no closing quote",
                         e->line, (int)e->key_len, e->key);
  }
  const char *value = v.data ? v.data : "";
  char norm[64];
  if (k->field == F_DATE && *value) {
    iso_date(value, norm, sizeof norm);
    if (!*norm)
      c->host->log(c->st, AC_LOG_WARN,
                   "front matter line %zu: '%s' is not a date (want "
                   "YYYY-MM-DD); ignored",
                   e->line, value);
    value = norm;
  } else if (k->field == F_LANGUAGE && *value) {
    bcp47(value, norm, sizeof norm);
    if (!*norm)
      c->host->log(c->st, AC_LOG_WARN,
                   "front matter line %zu: '%s' is not a language tag "
                   "(want e.g. en-GB); ignored",
                   e->line, value);
    value = norm;
  }
  r = 0;
  if (*value) {
    r = c->host->set_string(field_ptr(c->doc, k->field), value, (size_t)-1);
    if (r != 0)
      r = st_nomem(c);
    else
      ranks[k->field] = k->rank;
  }
  ac_strbuf_free(&v);
  return r;
}

int st_front_matter(st_ctx *c, const st_line *lines, size_t n, size_t *body) {
  *body = 0;
  if (!st_has_front_matter(lines, n))
    return 0;
  size_t end = 1;
  while (end < n && !is_fence(&lines[end], "---") &&
         !is_fence(&lines[end], "..."))
    end++;
  if (end >= n)
    return c->host->fail(
        c->st, AC_ERR_FORMAT,
        "front matter opened by '---' on line 1 is never closed: no "
        "closing '---' line up to the end of the input (line %zu)",
        n);

  int ranks[F_COUNT] = {0};
  size_t i = 1;
  while (i < end) {
    const st_line *l = &lines[i];
    const char *s = l->s;
    size_t len = l->len;
    if (st_is_blank(s, len) || s[0] == '#' || s[0] == ' ' || s[0] == '\t' ||
        s[0] == '-') {
      i++; /* blank, comment, or stray indented/list line without a key */
      continue;
    }
    const char *colon = NULL;
    for (size_t k = 0; k < len; k++)
      if (s[k] == ':' &&
          (k + 1 == len || s[k + 1] == ' ' || s[k + 1] == '\t')) {
        colon = s + k;
        break;
      }
    if (!colon) {
      c->host->log(c->st, AC_LOG_WARN,
                   "front matter line %zu is not 'key: value'; ignored", i + 1);
      i++;
      continue;
    }
    fm_entry e = {.key = s,
                  .key_len = (size_t)(colon - s),
                  .value = colon + 1,
                  .value_len = len - (size_t)(colon + 1 - s),
                  .line = i + 1,
                  .more = &lines[i + 1]};
    st_trim(&e.key, &e.key_len);
    st_trim(&e.value, &e.value_len);
    /* Quoted key ("title": x) */
    if (e.key_len >= 2 && (e.key[0] == '"' || e.key[0] == '\'') &&
        e.key[e.key_len - 1] == e.key[0]) {
      e.key++;
      e.key_len -= 2;
    }
    i++;
    /* The lines that belong to this key: indented ones, list items, and
     * blank lines between them. */
    while (i < end) {
      const st_line *m = &lines[i];
      if (m->len && m->s[0] != ' ' && m->s[0] != '\t' && m->s[0] != '-')
        break;
      e.n_more++;
      i++;
    }
    while (e.n_more &&
           st_is_blank(e.more[e.n_more - 1].s, e.more[e.n_more - 1].len))
      e.n_more--;
    int r = apply_entry(c, &e, ranks);
    if (r != 0)
      return r;
  }
  *body = end + 1;
  return 0;
}
