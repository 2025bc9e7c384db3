/*
 * Front matter: the YAML block between a "---" line at the very start of a
 * Markdown file and the next "---" (or "...") line, read with libyaml.
 *
 * The known keys fill the document's metadata (see fm_keys); the others
 * are skipped, whatever they hold. Values are scalars; for the author keys
 * a list gives several names ("A, B and C") and a mapping's `name` is the
 * name ({name: A, email: ...}); for the other keys a list gives its first
 * item. Dates are read with the common date module and written as ISO
 * 8601, language tags are normalized ("en_gb" -> "en-GB"); a value that is
 * neither is ignored with a warning.
 *
 * YAML that libyaml refuses is bad input: the stage fails with the line
 * and libyaml's reason. The block is hostile input like the rest: it is
 * bounded in size and nesting, and an alias yields its scalar once per use
 * within a budget, never a copy of a collection, so "billion laughs"
 * expands to nothing.
 */
#include "date.h" /* plugins/common */
#include "source_text.h"
#include "utf8.h" /* plugins/common */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A front matter block larger than this is not metadata. */
#define MAX_BYTES (256u << 10)
/* Deeper nesting is refused; article metadata is two or three levels. */
#define MAX_DEPTH 32
/* Names kept for the author keys; anchored scalars remembered. */
#define MAX_NAMES 32
#define MAX_ANCHORS 64

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

/* ---- The block ------------------------------------------------------------
 */

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

/* Index of the closing fence line, or n when there is none. */
static size_t closing_fence(const st_line *lines, size_t n) {
  size_t end = 1;
  while (end < n && !is_fence(&lines[end], "---") &&
         !is_fence(&lines[end], "..."))
    end++;
  return end;
}

/* ---- Reading events -------------------------------------------------------
 */

typedef struct anchor {
  char *name;
  char *value;
} anchor;

/* libyaml's parser over one front matter block, with what it has seen. */
typedef struct fm {
  yaml_parser_t parser;
  yaml_event_t ev; /* the current event, valid when have_ev */
  int have_ev;
  const char *text;  /* the block, for line numbers of reader errors */
  size_t first_line; /* file line number of the block's first line */
  int depth;         /* open collections */
  size_t alias_bytes;
  anchor anchors[MAX_ANCHORS];
  size_t n_anchors;
  char key[64]; /* the top-level key being read, for messages */
  size_t key_line;
  char why[512]; /* what went wrong, when a call returned -1 */
  int nomem;
} fm;

static size_t file_line(const fm *f, const yaml_mark_t *m) {
  return f->first_line + m->line;
}

/* Records libyaml's reason for refusing the block. */
static void parse_error(fm *f) {
  const yaml_parser_t *p = &f->parser;
  size_t line = file_line(f, &p->problem_mark);
  if (p->error == YAML_READER_ERROR) {
    line = f->first_line;
    for (size_t i = 0; i < p->problem_offset && f->text[i]; i++)
      line += f->text[i] == '\n';
  } else if (p->error == YAML_MEMORY_ERROR) {
    f->nomem = 1;
  }
  const char *problem = p->problem ? p->problem : "malformed YAML";
  int n = snprintf(f->why, sizeof f->why,
                   "front matter line %zu is not YAML: %s", line, problem);
  if (p->context && n > 0 && (size_t)n < sizeof f->why)
    n += snprintf(f->why + n, sizeof f->why - (size_t)n,
                  " %s that starts on line %zu", p->context,
                  file_line(f, &p->context_mark));
  if (f->key[0] && n > 0 && (size_t)n < sizeof f->why)
    snprintf(f->why + n, sizeof f->why - (size_t)n, " (the value of '%s')",
             f->key);
}

/* True for a plain scalar YAML reads as null: "", "~", "null". */
static int plain_null(const yaml_event_t *ev) {
  const char *v = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  return ev->data.scalar.plain_implicit &&
         (len == 0 || (len == 1 && v[0] == '~') ||
          (len == 4 && st_prefix_ci(v, len, "null")));
}

/* Remembers an anchored scalar for the aliases that name it. */
static int remember_anchor(fm *f) {
  const char *a = (const char *)f->ev.data.scalar.anchor;
  if (!a || f->n_anchors == MAX_ANCHORS)
    return 0;
  anchor *an = &f->anchors[f->n_anchors];
  an->name = strdup(a);
  an->value = strndup((const char *)f->ev.data.scalar.value,
                      plain_null(&f->ev) ? 0 : f->ev.data.scalar.length);
  if (!an->name || !an->value) {
    free(an->name);
    free(an->value);
    f->nomem = 1;
    return -1;
  }
  f->n_anchors++;
  return 0;
}

/* Moves to the next event. Returns 0 or -1 (f->why says why). */
static int fm_next(fm *f) {
  if (f->have_ev)
    yaml_event_delete(&f->ev);
  f->have_ev = 0;
  if (!yaml_parser_parse(&f->parser, &f->ev)) {
    parse_error(f);
    return -1;
  }
  f->have_ev = 1;
  yaml_event_type_t t = f->ev.type;
  if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
    if (++f->depth > MAX_DEPTH) {
      snprintf(f->why, sizeof f->why,
               "front matter line %zu: nested deeper than %d levels",
               file_line(f, &f->ev.start_mark), MAX_DEPTH);
      return -1;
    }
  } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
    f->depth--;
  } else if (t == YAML_SCALAR_EVENT) {
    return remember_anchor(f);
  }
  return 0;
}

/* Skips the node the current event opens; the last event of the node is
 * current afterwards. */
static int fm_skip(fm *f) {
  int depth = f->depth;
  yaml_event_type_t t = f->ev.type;
  if (t != YAML_SEQUENCE_START_EVENT && t != YAML_MAPPING_START_EVENT)
    return 0;
  while (f->depth >= depth)
    if (fm_next(f) != 0)
      return -1;
  return 0;
}

static void fm_free(fm *f) {
  if (f->have_ev)
    yaml_event_delete(&f->ev);
  yaml_parser_delete(&f->parser);
  for (size_t i = 0; i < f->n_anchors; i++) {
    free(f->anchors[i].name);
    free(f->anchors[i].value);
  }
}

static int fm_open(fm *f, const char *text, size_t len, size_t first_line) {
  memset(f, 0, sizeof *f);
  f->text = text;
  f->first_line = first_line;
  if (!yaml_parser_initialize(&f->parser)) {
    f->nomem = 1;
    return -1;
  }
  yaml_parser_set_input_string(&f->parser, (const unsigned char *)text, len);
  yaml_parser_set_encoding(&f->parser, YAML_UTF8_ENCODING);
  return 0;
}

/* ---- Values ---------------------------------------------------------------
 */

/* Appends the current scalar or alias event's text to out; a null adds
 * nothing, nor does an alias of anything but a scalar. Control characters
 * that YAML escapes write ("\r", "\0", "\x01", "\N") become spaces, as in
 * the body: a title or name is never meant to hold one. Line breaks and
 * tabs stay. */
static int scalar_text(fm *f, ac_strbuf *out) {
  const char *v = NULL;
  size_t len = 0;
  if (f->ev.type == YAML_ALIAS_EVENT) {
    const char *name = (const char *)f->ev.data.alias.anchor;
    for (size_t i = f->n_anchors; i-- > 0 && !v;) /* the latest wins */
      if (strcmp(f->anchors[i].name, name) == 0)
        v = f->anchors[i].value;
    len = v ? strlen(v) : 0;
    f->alias_bytes += len;
    if (f->alias_bytes > MAX_BYTES) {
      snprintf(f->why, sizeof f->why,
               "front matter line %zu: aliases expand to more than %u KiB",
               file_line(f, &f->ev.start_mark), MAX_BYTES >> 10);
      return -1;
    }
  } else if (f->ev.type == YAML_SCALAR_EVENT) {
    v = (const char *)f->ev.data.scalar.value;
    len = plain_null(&f->ev) ? 0 : f->ev.data.scalar.length;
  }
  if (!v)
    return 0;
  st_trim(&v, &len);
  size_t start = out->len;
  if (ac_strbuf_add(out, v, len) != 0) {
    f->nomem = 1;
    return -1;
  }
  unsigned char *u = (unsigned char *)out->data + start;
  for (size_t i = 0; i < len; i++) {
    if ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') || u[i] == 0x7F)
      u[i] = ' ';
    else if (u[i] == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 &&
             u[i + 1] <= 0x9F) /* U+0080..009F: two spaces, same length */
      u[i] = u[i + 1] = ' ';
  }
  return 0;
}

static int is_scalar(const fm *f) {
  return f->ev.type == YAML_SCALAR_EVENT || f->ev.type == YAML_ALIAS_EVENT;
}

/* The names of an author value, each followed by '\0' in `names`. */
typedef struct name_list {
  ac_strbuf names;
  size_t count;
} name_list;

static int add_name(fm *f, name_list *nl) {
  size_t before = nl->names.len;
  if (scalar_text(f, &nl->names) != 0)
    return -1;
  if (nl->names.len == before)
    return 0;
  if (ac_strbuf_addc(&nl->names, '\0') != 0) {
    f->nomem = 1;
    return -1;
  }
  nl->count++;
  return 0;
}

/* A mapping (current event: its start) for its `name` value. */
static int mapping_name(fm *f, name_list *nl) {
  int depth = f->depth;
  for (;;) {
    if (fm_next(f) != 0)
      return -1;
    if (f->depth < depth)
      return 0; /* the mapping's end */
    int is_name =
        f->ev.type == YAML_SCALAR_EVENT && f->ev.data.scalar.length == 4 &&
        st_prefix_ci((const char *)f->ev.data.scalar.value, 4, "name");
    if (fm_skip(f) != 0 || fm_next(f) != 0) /* the key, then the value */
      return -1;
    if (is_name && is_scalar(f) && nl->count < MAX_NAMES) {
      if (add_name(f, nl) != 0)
        return -1;
    } else if (fm_skip(f) != 0) {
      return -1;
    }
  }
}

/* Reads the value node that starts at the current event into `nl`: a
 * scalar, the items of a list (`all`: every one, else the first) and, for
 * names, a mapping's `name`. */
static int read_value(fm *f, int names, name_list *nl) {
  if (is_scalar(f))
    return add_name(f, nl);
  if (f->ev.type == YAML_MAPPING_START_EVENT)
    return names ? mapping_name(f, nl) : fm_skip(f);
  if (f->ev.type != YAML_SEQUENCE_START_EVENT)
    return 0;
  int depth = f->depth;
  for (;;) {
    if (fm_next(f) != 0)
      return -1;
    if (f->depth < depth)
      return 0; /* the list's end */
    int room = names ? nl->count < MAX_NAMES : nl->count == 0;
    int rc = 0;
    if (room && is_scalar(f))
      rc = add_name(f, nl);
    else if (room && names && f->ev.type == YAML_MAPPING_START_EVENT)
      rc = mapping_name(f, nl);
    else
      rc = fm_skip(f);
    if (rc != 0)
      return -1;
  }
}

/* "A", "A and B", "A, B and C". */
static int join_names(const name_list *nl, ac_strbuf *out) {
  const char *p = nl->names.data;
  if (ac_strbuf_add(out, "", 0) != 0)
    return -1;
  for (size_t i = 0; i < nl->count; i++) {
    const char *sep = i == 0 ? "" : (i + 1 == nl->count ? " and " : ", ");
    if (ac_strbuf_adds(out, sep) != 0 || ac_strbuf_adds(out, p) != 0)
      return -1;
    p += strlen(p) + 1;
  }
  return 0;
}

/* ---- Dates and languages --------------------------------------------------
 */

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

/* The value as the document stores it: dates in ISO 8601, language tags
 * normalized, "" (with a warning) when it is neither. */
static const char *normalize(st_ctx *c, const fm *f, int field,
                             const char *value, char *norm, size_t size) {
  if (field == F_DATE) {
    ac_date d;
    if (ac_date_parse(value, &d) == 0 && ac_date_format_iso(&d, norm, size) > 0)
      return norm;
    c->host->log(c->st, AC_LOG_WARN,
                 "front matter line %zu: '%s' is not a date (want "
                 "YYYY-MM-DD); ignored",
                 f->key_line, value);
    return "";
  }
  if (field == F_LANGUAGE) {
    bcp47(value, norm, size);
    if (!*norm)
      c->host->log(c->st, AC_LOG_WARN,
                   "front matter line %zu: '%s' is not a language tag "
                   "(want e.g. en-GB); ignored",
                   f->key_line, value);
    return norm;
  }
  return value;
}

/* ---- Entries --------------------------------------------------------------
 */

static const fm_key *find_key(const char *key, size_t len) {
  for (size_t i = 0; fm_keys[i].key; i++)
    if (strlen(fm_keys[i].key) == len && st_prefix_ci(key, len, fm_keys[i].key))
      return &fm_keys[i];
  return NULL;
}

/* Reads the value of a known key (current event: its first) into the
 * document, unless a better key has set the field. */
static int apply_value(st_ctx *c, fm *f, const fm_key *k, int *ranks) {
  if (ranks[k->field] >= k->rank)
    return fm_skip(f);
  name_list nl = {0};
  ac_strbuf value = {0};
  int rc = read_value(f, k->field == F_AUTHOR, &nl);
  if (rc == 0 && join_names(&nl, &value) != 0) {
    f->nomem = 1;
    rc = -1;
  }
  char norm[64];
  const char *v = rc == 0 ? value.data : "";
  if (rc == 0 && *v)
    v = normalize(c, f, k->field, v, norm, sizeof norm);
  if (rc == 0 && *v) {
    if (c->host->set_string(field_ptr(c->doc, k->field), v, (size_t)-1) != 0) {
      f->nomem = 1;
      rc = -1;
    } else {
      ranks[k->field] = k->rank;
    }
  }
  ac_strbuf_free(&nl.names);
  ac_strbuf_free(&value);
  return rc;
}

/* Reads the block's top-level mapping. With `c` NULL nothing is applied:
 * the caller only asks whether the block is a mapping of word keys, and
 * *keys counts them. Returns 0, 1 when the block is not a mapping, or -1
 * (f->why says why). */
static int read_block(st_ctx *c, fm *f, size_t *keys) {
  int ranks[F_COUNT] = {0};
  *keys = 0;
  do {
    if (fm_next(f) != 0)
      return -1;
  } while (f->ev.type == YAML_STREAM_START_EVENT ||
           f->ev.type == YAML_DOCUMENT_START_EVENT);
  if (f->ev.type == YAML_STREAM_END_EVENT)
    return 0; /* empty */
  if (f->ev.type != YAML_MAPPING_START_EVENT)
    return 1;
  for (;;) {
    f->key[0] = '\0';
    if (fm_next(f) != 0)
      return -1;
    if (f->ev.type == YAML_MAPPING_END_EVENT)
      break;
    const fm_key *k = NULL;
    if (f->ev.type == YAML_SCALAR_EVENT) {
      const char *key = (const char *)f->ev.data.scalar.value;
      size_t len = f->ev.data.scalar.length;
      size_t shown = len < sizeof f->key ? len : sizeof f->key - 1;
      shown = ac_utf8_char_start(key, len, shown); /* whole characters */
      snprintf(f->key, sizeof f->key, "%.*s", (int)shown, key);
      f->key_line = file_line(f, &f->ev.start_mark);
      k = find_key(key, len);
      if (!c && (len == 0 || len > 40 ||
                 strspn(key, "abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_-") != len))
        return 1; /* "Menu item: News" is not a key */
    } else if (!c) {
      return 1;
    }
    (*keys)++;
    if (fm_skip(f) != 0 || fm_next(f) != 0) /* the key, then the value */
      return -1;
    int rc = k && c ? apply_value(c, f, k, ranks) : fm_skip(f);
    if (rc != 0)
      return -1;
  }
  while (f->ev.type != YAML_STREAM_END_EVENT) /* what follows must parse */
    if (fm_next(f) != 0)
      return -1;
  return 0;
}

int st_front_matter_plausible(const st_line *lines, size_t n) {
  if (!st_has_front_matter(lines, n))
    return 0;
  size_t end = closing_fence(lines, n);
  if (end >= n)
    return 0; /* never closed */
  const char *text = end > 1 ? lines[1].s : lines[0].s;
  size_t len = end > 1 ? (size_t)(lines[end].s - lines[1].s) : 0;
  if (len > MAX_BYTES)
    return 0;
  fm f;
  size_t keys = 0;
  int rc = fm_open(&f, text, len, 2) == 0 ? read_block(NULL, &f, &keys) : -1;
  fm_free(&f);
  return rc == 0 && keys > 0;
}

int st_front_matter(st_ctx *c, const st_line *lines, size_t n, size_t *body) {
  *body = 0;
  if (!st_has_front_matter(lines, n))
    return 0;
  size_t end = closing_fence(lines, n);
  if (end >= n)
    return c->host->fail(
        c->st, AC_ERR_FORMAT,
        "front matter opened by '---' on line 1 is never closed: no "
        "closing '---' line up to the end of the input (line %zu)",
        n);
  const char *text = end > 1 ? lines[1].s : lines[0].s;
  size_t len = end > 1 ? (size_t)(lines[end].s - lines[1].s) : 0;
  if (len > MAX_BYTES)
    return c->host->fail(c->st, AC_ERR_FORMAT,
                         "the front matter (lines 2 to %zu) is over %u KiB",
                         end, MAX_BYTES >> 10);
  fm f;
  size_t keys;
  int rc = fm_open(&f, text, len, 2) == 0 ? read_block(c, &f, &keys) : -1;
  if (rc < 0 && f.nomem)
    rc = st_nomem(c);
  else if (rc < 0)
    rc = c->host->fail(c->st, AC_ERR_FORMAT, "%s", f.why);
  else if (rc > 0) {
    c->host->log(c->st, AC_LOG_WARN,
                 "the front matter (lines 2 to %zu) is not a list of 'key: "
                 "value' lines; ignored",
                 end);
    rc = 0;
  }
  fm_free(&f);
  if (rc == 0)
    *body = end + 1;
  return rc;
}
