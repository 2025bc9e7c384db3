/* Small utilities the core shares: files, UTF-8, slugs, paths. */
#define _GNU_SOURCE /* asprintf */
#include "core.h"
#include "uuid.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

int ac_read_file(const char *path, size_t limit, char **data, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f)
    return -errno;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    if (f != stdin)
      fclose(f);
    return -EISDIR;
  }
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  int rc = buf ? 0 : -ENOMEM;
  while (rc == 0) {
    if (n == cap) {
      char *grown = realloc(buf, cap * 2 + 1);
      if (!grown) {
        rc = -ENOMEM;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    size_t want = cap - n;
    if (limit && want > limit + 1 - n)
      want = limit + 1 - n; /* one byte past the limit tells it was hit */
    size_t got = fread(buf + n, 1, want, f);
    n += got;
    if (limit && n > limit)
      rc = -EFBIG;
    else if (got == 0)
      break;
  }
  if (rc == 0 && ferror(f))
    rc = errno ? -errno : -EIO;
  if (f != stdin)
    fclose(f);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

long ac_utf8_invalid_offset(const char *str, size_t len) {
  const uint8_t *bad = u8_check((const uint8_t *)str, len);
  return bad ? (long)(bad - (const uint8_t *)str) : -1;
}

/* ASCII for the letters that Unicode does not decompose into a base letter
 * and marks. */
static const char *fold_letter(ucs4_t cp) {
  static const struct {
    ucs4_t cp;
    const char *ascii;
  } table[] = {{0xDF, "ss"},  {0xE6, "ae"}, {0xF0, "d"},  {0xF8, "o"},
               {0xFE, "th"},  {0x111, "d"}, {0x131, "i"}, {0x142, "l"},
               {0x153, "oe"}, {0x127, "h"}, {0x138, "q"}, {0x14B, "ng"}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].cp == cp)
      return table[i].ascii;
  return NULL;
}

/* The title folded for a slug: compatibility-decomposed (é -> e + accent,
 * ﬁ -> fi) and lowercased, so Latin letters become ASCII plus marks. */
static uint8_t *fold_title(const char *title, size_t *len) {
  size_t n = strlen(title);
  if (u8_check((const uint8_t *)title, n))
    return NULL;
  size_t lower_len = 0, folded_len = 0;
  uint8_t *lower =
      u8_tolower((const uint8_t *)title, n, NULL, NULL, NULL, &lower_len);
  uint8_t *folded =
      lower ? u8_normalize(UNINORM_NFKD, lower, lower_len, NULL, &folded_len)
            : NULL;
  free(lower);
  *len = folded_len;
  return folded;
}

char *ac_slugify(const char *title) {
  const size_t max = 80;
  char *out = malloc(max + 16);
  if (!out)
    return NULL;
  size_t n = 0, folded_len = 0;
  int pending_hyphen = 0;
  uint8_t *folded = fold_title(title ? title : "", &folded_len);
  const uint8_t *s = folded, *end = folded ? folded + folded_len : NULL;
  while (s && s < end && n < max) {
    ucs4_t cp;
    s += u8_mbtouc(&cp, s, (size_t)(end - s));
    const char *piece = NULL;
    char one[2] = {0, 0};
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      one[0] = (char)cp;
      piece = one;
    } else if (cp == '\'' || cp == 0x2019 ||
               uc_is_general_category(cp, UC_CATEGORY_M)) {
      continue; /* "Pakistan's" -> "pakistans"; accents go */
    } else {
      piece = fold_letter(cp);
    }
    if (!piece) {
      pending_hyphen = n > 0;
      continue;
    }
    if (pending_hyphen && n < max) {
      out[n++] = '-';
      pending_hyphen = 0;
    }
    for (; *piece && n < max; piece++)
      out[n++] = *piece;
  }
  free(folded);
  while (n > 0 && out[n - 1] == '-')
    n--;
  if (n == 0) {
    /* A title with no Latin letters (Urdu, Chinese...): a stable name from
     * its bytes, so two such articles do not overwrite each other. */
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)(title ? title : "");
         *c; c++)
      h = (h ^ *c) * 16777619u;
    if (title && title[0])
      snprintf(out, max + 16, "episode-%08x", (unsigned)h);
    else
      strcpy(out, "episode");
    return out;
  }
  out[n] = '\0';
  return out;
}

char *ac_exe_dir(void) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  char *slash = strrchr(buf, '/');
  if (!slash)
    return NULL;
  *slash = '\0';
  return strdup(buf[0] ? buf : "/");
}

char *ac_path_join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *out = malloc(la + lb + 2);
  if (!out)
    return NULL;
  memcpy(out, a, la);
  size_t n = la;
  if (n > 0 && out[n - 1] != '/')
    out[n++] = '/';
  memcpy(out + n, b, lb + 1);
  return out;
}

const char *ac_primary_language(const char *tag, char *buf, size_t len) {
  /* Individual languages read by their macrolanguage's voices. */
  static const char *const members[][2] = {
      {"nb", "no"}, {"nn", "no"}, {"cmn", "zh"}, {"zsm", "ms"}, {"pes", "fa"}};
  size_t n = 0;
  while (tag[n] && tag[n] != '-' && tag[n] != '_' && n + 1 < len) {
    buf[n] = (char)((tag[n] >= 'A' && tag[n] <= 'Z') ? tag[n] + 32 : tag[n]);
    n++;
  }
  buf[n] = '\0';
  for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
    if (strcmp(buf, members[i][0]) == 0)
      snprintf(buf, len, "%s", members[i][1]);
  return buf;
}

char *ac_article_guid(const ac_document *doc) {
  if (doc->id && doc->id[0])
    return strdup(doc->id);
  if (doc->url && doc->url[0])
    return strdup(doc->url);
  char *name = NULL;
  if (asprintf(&name, "articast-episode\n%s\n%s", doc->title ? doc->title : "",
               doc->date ? doc->date : "") < 0)
    return NULL;
  char *uuid = malloc(37);
  if (uuid)
    ac_uuid5(name, strlen(name), uuid);
  free(name);
  return uuid;
}
