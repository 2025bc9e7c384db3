/*
 * ID3v2.3 writer. See id3.h; the layout follows the ID3v2.3.0 informal
 * standard and the ID3v2 Chapter Frame Addendum.
 *
 *   tag header: "ID3" 03 00, flags 00, size as 4 x 7 bits (syncsafe),
 *               counting everything after the header
 *   frame:      4-character id, size as a plain 32-bit big-endian number
 *               (not syncsafe in v2.3), two flag bytes 00 00, body
 */
#include "id3.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* The largest size a syncsafe 28-bit header field can hold. */
#define ID3_MAX_SIZE 0x0FFFFFFFu

enum { ENC_LATIN1 = 0, ENC_UTF16 = 1 };

void id3_writer_init(id3_writer *tag) {
  memset(tag, 0, sizeof *tag);
}

void id3_writer_free(id3_writer *tag) {
  free(tag->data);
  memset(tag, 0, sizeof *tag);
}

static int reserve(id3_writer *tag, size_t more) {
  if (tag->failed)
    return -1;
  if (more > ID3_MAX_SIZE || tag->len + more > ID3_MAX_SIZE) {
    tag->failed = 1;
    return -1;
  }
  if (tag->len + more <= tag->cap)
    return 0;
  size_t cap = tag->cap ? tag->cap : 256;
  while (cap < tag->len + more)
    cap *= 2;
  unsigned char *p = realloc(tag->data, cap);
  if (!p) {
    tag->failed = 1;
    return -1;
  }
  tag->data = p;
  tag->cap = cap;
  return 0;
}

static void put(id3_writer *tag, const void *bytes, size_t n) {
  if (n == 0 || reserve(tag, n) != 0)
    return;
  memcpy(tag->data + tag->len, bytes, n);
  tag->len += n;
}

static void put_byte(id3_writer *tag, unsigned b) {
  unsigned char c = (unsigned char)b;
  put(tag, &c, 1);
}

static void put_u32(id3_writer *tag, uint32_t v) {
  unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 8), (unsigned char)v};
  put(tag, b, 4);
}

/* Starts a frame; returns the offset of its header for frame_end(). */
static size_t frame_begin(id3_writer *tag, const char *id) {
  size_t at = tag->len;
  static const unsigned char zero[6] = {0};
  put(tag, id, 4);
  put(tag, zero, 6); /* size, patched by frame_end, and flags */
  return at;
}

static int frame_end(id3_writer *tag, size_t at) {
  if (tag->failed)
    return -1;
  uint32_t size = (uint32_t)(tag->len - at - 10);
  unsigned char *p = tag->data + at + 4;
  p[0] = (unsigned char)(size >> 24);
  p[1] = (unsigned char)(size >> 16);
  p[2] = (unsigned char)(size >> 8);
  p[3] = (unsigned char)size;
  return 0;
}

/* The code point at *s (before end), advancing s: the shared decoder
 * (libunistring), with bytes that are not valid UTF-8 read as U+FFFD, one
 * byte at a time. */
static uint32_t next_code_point(const unsigned char **s,
                                const unsigned char *end) {
  uint32_t c;
  size_t len = ac_utf8_decode(*s, (size_t)(end - *s), &c);
  *s += len ? len : 1;
  return len ? c : 0xFFFD;
}

/* Whether every character of s fits in ISO-8859-1. */
static int fits_latin1(const char *s) {
  if (!s)
    return 1;
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *end = p + strlen(s);
  while (p < end)
    if (next_code_point(&p, end) > 0xFF)
      return 0;
  return 1;
}

/* Writes s in `enc`, then a terminator when `terminate`. With `one_line`,
 * control characters (tabs, newlines) become spaces. UTF-16 strings start
 * with the byte order mark FF FE (little-endian), each on its own, as
 * ID3v2.3 asks of every string in a frame. */
static void put_string(id3_writer *tag, int enc, const char *s, int terminate,
                       int one_line) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  const unsigned char *end = p + strlen((const char *)p);
  if (enc == ENC_UTF16)
    put(tag, "\xFF\xFE", 2);
  while (p < end) {
    uint32_t c = next_code_point(&p, end);
    if (one_line && (c < 0x20 || c == 0x7F))
      c = ' ';
    else if (!one_line && c < 0x20 && c != '\n')
      c = ' ';
    if (enc == ENC_LATIN1) {
      put_byte(tag, c);
    } else if (c < 0x10000) {
      put_byte(tag, c & 0xFF);
      put_byte(tag, c >> 8);
    } else { /* a surrogate pair */
      uint32_t v = c - 0x10000;
      uint32_t hi = 0xD800 | (v >> 10), lo = 0xDC00 | (v & 0x3FF);
      put_byte(tag, hi & 0xFF);
      put_byte(tag, hi >> 8);
      put_byte(tag, lo & 0xFF);
      put_byte(tag, lo >> 8);
    }
  }
  if (terminate) {
    put_byte(tag, 0);
    if (enc == ENC_UTF16)
      put_byte(tag, 0);
  }
}

/* Writes an ASCII string and its NUL (element ids, MIME types). */
static void put_ascii_z(id3_writer *tag, const char *s) {
  put(tag, s, strlen(s) + 1);
}

int id3_add_text(id3_writer *tag, const char *id, const char *value) {
  if (!value || !*value)
    return tag->failed ? -1 : 0;
  int enc = fits_latin1(value) ? ENC_LATIN1 : ENC_UTF16;
  size_t at = frame_begin(tag, id);
  put_byte(tag, (unsigned)enc);
  put_string(tag, enc, value, 0, 1);
  return frame_end(tag, at);
}

int id3_add_comment(id3_writer *tag, const char *lang, const char *description,
                    const char *text) {
  if (!text || !*text)
    return tag->failed ? -1 : 0;
  int enc =
      fits_latin1(description) && fits_latin1(text) ? ENC_LATIN1 : ENC_UTF16;
  char code[3] = {'X', 'X', 'X'};
  if (lang && strlen(lang) == 3)
    memcpy(code, lang, 3);
  size_t at = frame_begin(tag, "COMM");
  put_byte(tag, (unsigned)enc);
  put(tag, code, 3);
  put_string(tag, enc, description, 1, 1);
  put_string(tag, enc, text, 0, 0);
  return frame_end(tag, at);
}

int id3_add_user_url(id3_writer *tag, const char *description,
                     const char *url) {
  static const char hex[] = "0123456789ABCDEF";
  if (!url || !*url)
    return tag->failed ? -1 : 0;
  int enc = fits_latin1(description) ? ENC_LATIN1 : ENC_UTF16;
  size_t at = frame_begin(tag, "WXXX");
  put_byte(tag, (unsigned)enc);
  put_string(tag, enc, description, 1, 1);
  for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
    if (*p <= 0x20 || *p >= 0x7F) {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      put(tag, esc, 3);
    } else {
      put_byte(tag, *p);
    }
  }
  return frame_end(tag, at);
}

int id3_add_picture(id3_writer *tag, const char *mime, unsigned type,
                    const char *description, const void *data, size_t len) {
  if (!data || len == 0)
    return tag->failed ? -1 : 0;
  int enc = fits_latin1(description) ? ENC_LATIN1 : ENC_UTF16;
  if (reserve(tag, len + 64) != 0) /* fail early on an oversized picture */
    return -1;
  size_t at = frame_begin(tag, "APIC");
  put_byte(tag, (unsigned)enc);
  put_ascii_z(tag, mime);
  put_byte(tag, type);
  put_string(tag, enc, description, 1, 1);
  put(tag, data, len);
  return frame_end(tag, at);
}

int id3_add_chapter(id3_writer *tag, const char *element_id, uint32_t start_ms,
                    uint32_t end_ms, const char *title) {
  size_t at = frame_begin(tag, "CHAP");
  put_ascii_z(tag, element_id);
  put_u32(tag, start_ms);
  put_u32(tag, end_ms);
  put_u32(tag, 0xFFFFFFFFu); /* start byte offset: unused */
  put_u32(tag, 0xFFFFFFFFu); /* end byte offset: unused */
  id3_add_text(tag, "TIT2", title);
  return frame_end(tag, at);
}

int id3_add_toc(id3_writer *tag, const char *element_id, unsigned flags,
                const char *const *children, size_t n, const char *title) {
  if (n > 255) {
    tag->failed = 1;
    return -1;
  }
  size_t at = frame_begin(tag, "CTOC");
  put_ascii_z(tag, element_id);
  put_byte(tag, flags);
  put_byte(tag, (unsigned)n);
  for (size_t i = 0; i < n; i++)
    put_ascii_z(tag, children[i]);
  id3_add_text(tag, "TIT2", title);
  return frame_end(tag, at);
}

int id3_writer_finish(const id3_writer *tag, size_t padding,
                      unsigned char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (tag->failed || padding > ID3_MAX_SIZE - tag->len)
    return -1;
  size_t body = tag->len + padding;
  unsigned char *buf = calloc(1, 10 + body);
  if (!buf)
    return -1;
  memcpy(buf, "ID3\x03\x00\x00", 6); /* v2.3.0, no flags */
  buf[6] = (unsigned char)((body >> 21) & 0x7F);
  buf[7] = (unsigned char)((body >> 14) & 0x7F);
  buf[8] = (unsigned char)((body >> 7) & 0x7F);
  buf[9] = (unsigned char)(body & 0x7F);
  if (tag->len)
    memcpy(buf + 10, tag->data, tag->len);
  *out = buf;
  *out_len = 10 + body;
  return 0;
}

/* ISO 639-1 two-letter codes followed by their ISO 639-2/T three-letter
 * codes, sorted; generated from iso-codes' iso_639-2.json, plus the
 * withdrawn in/iw/ji that old software still sends. */
static const char language_table[] =
    "aaaarababkaeaveafafrakakaamamhanargararaasasmavavaayaymazazebabakbebel"
    "bgbulbhbihbibisbmbambnbenbobodbrbrebsboscacatcechechchacocoscrcrecsces"
    "cuchucvchvcycymdadandedeudvdivdzdzoeeeweelellenengeoepoesspaetesteueus"
    "fafasfffulfifinfjfijfofaofrfrafyfrygaglegdglaglglggngrngugujgvglvhahau"
    "hehebhihinhohmohrhrvhthathuhunhyhyehzheriainaidindieileigiboiiiiiikipk"
    "inindioidoisislititaiuikuiwhebjajpnjiyidjvjavkakatkgkonkikikkjkuakkkaz"
    "klkalkmkhmknkankokorkrkaukskaskukurkvkomkwcorkykirlalatlbltzlgluglilim"
    "lnlinlolaoltlitlulublvlavmgmlgmhmahmimrimkmkdmlmalmnmonmrmarmsmsamtmlt"
    "mymyananaunbnobndndenenepngndonlnldnnnnononornrnblnvnavnynyaocociojoji"
    "omormororiososspapanpipliplpolpspusptporququermrohrnrunroronrurusrwkin"
    "sasanscsrdsdsndsesmesgsagsisinskslkslslvsmsmosnsnasosomsqsqisrsrpssssw"
    "stsotsusunsvsweswswatatamteteltgtgkththatitirtktuktltgltntsntotontrtur"
    "tstsotttattwtwitytahuguigukukrururduzuzbvevenvivievovolwawlnwowolxhxho"
    "yiyidyoyorzazhazhzhozuzul";

int id3_language(const char *bcp47, char out[4]) {
  if (!bcp47)
    return -1;
  char primary[4];
  size_t n = 0;
  for (const char *p = bcp47; *p && *p != '-' && *p != '_'; p++) {
    char c = *p;
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c < 'a' || c > 'z' || n == 3)
      return -1;
    primary[n++] = c;
  }
  if (n == 3) {
    memcpy(out, primary, 3);
    out[3] = '\0';
    return 0;
  }
  if (n != 2)
    return -1;
  for (const char *e = language_table; *e; e += 5) {
    if (e[0] == primary[0] && e[1] == primary[1]) {
      memcpy(out, e + 2, 3);
      out[3] = '\0';
      return 0;
    }
  }
  return -1;
}

const char *id3_image_mime(const void *data, size_t len) {
  const unsigned char *p = data;
  if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
    return "image/jpeg";
  if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  return NULL;
}
