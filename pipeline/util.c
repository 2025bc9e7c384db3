/* Small utilities the core shares: files, UTF-8, slugs, paths. */
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t need;
    unsigned min;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      need = 1, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3, min = 0x10000;
    } else {
      return (long)i;
    }
    unsigned cp = c & (0x3F >> need);
    for (size_t k = 1; k <= need; k++) {
      if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
        return (long)i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return (long)i;
    i += need + 1;
  }
  return -1;
}

/* ASCII folding for the Latin letters titles commonly carry. */
static const char *fold_latin(unsigned cp) {
  static const struct {
    unsigned lo, hi;
    const char *ascii;
  } table[] = {
      {0xC0, 0xC5, "a"},   {0xC6, 0xC6, "ae"},  {0xC7, 0xC7, "c"},
      {0xC8, 0xCB, "e"},   {0xCC, 0xCF, "i"},   {0xD0, 0xD0, "d"},
      {0xD1, 0xD1, "n"},   {0xD2, 0xD6, "o"},   {0xD8, 0xD8, "o"},
      {0xD9, 0xDC, "u"},   {0xDD, 0xDD, "y"},   {0xDF, 0xDF, "ss"},
      {0xE0, 0xE5, "a"},   {0xE6, 0xE6, "ae"},  {0xE7, 0xE7, "c"},
      {0xE8, 0xEB, "e"},   {0xEC, 0xEF, "i"},   {0xF0, 0xF0, "d"},
      {0xF1, 0xF1, "n"},   {0xF2, 0xF6, "o"},   {0xF8, 0xF8, "o"},
      {0xF9, 0xFC, "u"},   {0xFD, 0xFF, "y"},   {0x152, 0x153, "oe"},
      {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},
      {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x128, 0x131, "i"},
      {0x141, 0x142, "l"}, {0x143, 0x148, "n"}, {0x14C, 0x151, "o"},
      {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x165, "t"},
      {0x168, 0x173, "u"}, {0x179, 0x17E, "z"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (cp >= table[i].lo && cp <= table[i].hi)
      return table[i].ascii;
  return NULL;
}

char *ac_slugify(const char *title) {
  const size_t max = 80;
  char *out = malloc(max + 16);
  if (!out)
    return NULL;
  size_t n = 0;
  int pending_hyphen = 0;
  const unsigned char *s = (const unsigned char *)(title ? title : "");
  while (*s && n < max) {
    unsigned cp = *s;
    size_t step = 1;
    if (cp >= 0xC0) {
      size_t need = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
      cp &= 0x3F >> need;
      for (size_t k = 1; k <= need && s[k]; k++, step++)
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    s += step;
    const char *piece = NULL;
    char one[2] = {0, 0};
    if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))) {
      one[0] = (char)cp;
      piece = one;
    } else if (cp >= 'A' && cp <= 'Z') {
      one[0] = (char)(cp - 'A' + 'a');
      piece = one;
    } else if (cp == '\'' || cp == 0x2019) {
      continue; /* "Pakistan's" -> "pakistans" */
    } else {
      piece = fold_latin(cp);
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

int ac_mkdirs(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return -ENOMEM;
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
      int e = errno;
      free(copy);
      return -e;
    }
    *p = '/';
  }
  int rc = 0;
  if (mkdir(copy, 0777) != 0 && errno != EEXIST)
    rc = -errno;
  free(copy);
  if (rc == 0) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      rc = -ENOTDIR;
  }
  return rc;
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
