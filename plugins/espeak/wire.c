/*
 * The wire format between the espeak stage and articast-espeak: encoding,
 * decoding and frame I/O (the format is specified in wire.h).
 */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Buffers and encoding ------------------------------------------------ */

void wire_buf_free(wire_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

/* Makes room for `more` bytes. */
static int reserve(wire_buf *b, size_t more) {
  if (b->failed)
    return -1;
  if (more <= b->cap - b->len)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < more) {
    if (cap > SIZE_MAX / 2) {
      b->failed = 1;
      return -1;
    }
    cap *= 2;
  }
  uint8_t *d = realloc(b->data, cap);
  if (!d) {
    b->failed = 1;
    return -1;
  }
  b->data = d;
  b->cap = cap;
  return 0;
}

static void store_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

void wire_begin(wire_buf *b, uint32_t type) {
  b->len = 0;
  b->failed = 0;
  wire_put_u32(b, type);
  wire_put_u32(b, 0);
}

void wire_put_u32(wire_buf *b, uint32_t v) {
  if (reserve(b, 4))
    return;
  store_u32(b->data + b->len, v);
  b->len += 4;
}

void wire_put_i32(wire_buf *b, int32_t v) {
  wire_put_u32(b, (uint32_t)v);
}

void wire_put_string(wire_buf *b, const char *s, uint32_t len) {
  wire_put_u32(b, len);
  if (len == 0 || reserve(b, len))
    return;
  memcpy(b->data + b->len, s, len);
  b->len += len;
}

int wire_finish(wire_buf *b) {
  if (b->failed || b->len < WIRE_HEADER_SIZE ||
      b->len - WIRE_HEADER_SIZE > UINT32_MAX)
    return -1;
  store_u32(b->data + 4, (uint32_t)(b->len - WIRE_HEADER_SIZE));
  return 0;
}

void wire_header(uint8_t out[WIRE_HEADER_SIZE], uint32_t type, uint32_t len) {
  store_u32(out, type);
  store_u32(out + 4, len);
}

int wire_encode_hello(wire_buf *b, const wire_hello *h) {
  wire_begin(b, WIRE_HELLO);
  wire_put_u32(b, h->magic);
  wire_put_u32(b, h->version);
  wire_put_u32(b, h->rate);
  wire_put_u32(b, h->pid);
  wire_put_string(b, h->espeak_version, h->espeak_version_len);
  wire_put_string(b, h->data_path, h->data_path_len);
  return wire_finish(b);
}

int wire_encode_request(wire_buf *b, const wire_request *r) {
  wire_begin(b, WIRE_SPEAK);
  wire_put_u32(b, r->flags);
  wire_put_i32(b, r->rate);
  wire_put_i32(b, r->pitch);
  wire_put_i32(b, r->range);
  wire_put_i32(b, r->word_gap);
  wire_put_string(b, r->voice, r->voice_len);
  wire_put_string(b, r->language, r->language_len);
  wire_put_string(b, r->text, r->text_len);
  return wire_finish(b);
}

int wire_encode_end(wire_buf *b, const wire_end *e) {
  wire_begin(b, WIRE_END);
  wire_put_u32(b, e->status);
  wire_put_i32(b, e->signal);
  wire_put_i32(b, e->exit);
  wire_put_i32(b, e->error);
  return wire_finish(b);
}

int wire_encode_list(wire_buf *b) {
  wire_begin(b, WIRE_LIST);
  return wire_finish(b);
}

/* Whether a string of a VLST is within its limits. */
static int name_ok(const char *s, uint32_t len) {
  return s && len > 0 && len <= WIRE_MAX_NAME && !memchr(s, '\0', len);
}

int wire_encode_voices(wire_buf *b, const wire_voice *voices, uint32_t n) {
  if (n > WIRE_MAX_VOICES)
    return -1;
  wire_begin(b, WIRE_VOICES);
  wire_put_u32(b, n);
  for (uint32_t i = 0; i < n; i++) {
    const wire_voice *v = &voices[i];
    if (!name_ok(v->name, v->name_len) ||
        !name_ok(v->identifier, v->identifier_len) || v->n_languages == 0 ||
        v->n_languages > WIRE_MAX_LANGUAGES)
      return -1;
    wire_put_string(b, v->name, v->name_len);
    wire_put_string(b, v->identifier, v->identifier_len);
    wire_put_u32(b, v->n_languages);
    for (uint32_t k = 0; k < v->n_languages; k++) {
      const wire_language *l = &v->languages[k];
      if (l->priority > WIRE_MAX_PRIORITY || !name_ok(l->tag, l->tag_len))
        return -1;
      wire_put_u32(b, l->priority);
      wire_put_string(b, l->tag, l->tag_len);
    }
  }
  return wire_finish(b);
}

int wire_encode_buffer(wire_buf *b, const short *samples, size_t n,
                       const wire_event *events, size_t k) {
  if (n > WIRE_MAX_SAMPLES || k > WIRE_MAX_EVENTS)
    return -1;
  wire_begin(b, WIRE_BUFFER);
  wire_put_u32(b, (uint32_t)n);
  wire_put_u32(b, (uint32_t)k);
  if (reserve(b, 2 * n))
    return -1;
  for (size_t i = 0; i < n; i++) {
    uint16_t v = (uint16_t)samples[i];
    b->data[b->len++] = (uint8_t)v;
    b->data[b->len++] = (uint8_t)(v >> 8);
  }
  for (size_t i = 0; i < k; i++) {
    wire_put_u32(b, events[i].type);
    wire_put_i32(b, events[i].text_position);
    wire_put_i32(b, events[i].length);
    wire_put_i32(b, events[i].sample);
  }
  return wire_finish(b);
}

/* ---- Frame I/O ----------------------------------------------------------- */

/* Reads exactly len bytes. Returns the bytes read before the pipe ended
 * (len when all came), or -1 when read() failed. */
static ssize_t read_full(int fd, uint8_t *p, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t k = read(fd, p + got, len - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      return -1;
    if (k == 0)
      break;
    got += (size_t)k;
  }
  return (ssize_t)got;
}

int wire_read_frame(int fd, wire_buf *b, uint32_t *type, size_t max_payload) {
  uint8_t header[WIRE_HEADER_SIZE];
  ssize_t got = read_full(fd, header, sizeof header);
  if (got < 0)
    return WIRE_READ_IO;
  if (got == 0)
    return WIRE_READ_EOF;
  if ((size_t)got < sizeof header)
    return WIRE_READ_TRUNCATED;
  *type = load_u32(header);
  uint32_t len = load_u32(header + 4);
  if (len > max_payload)
    return WIRE_READ_TOO_LONG;
  b->len = 0;
  b->failed = 0;
  if (reserve(b, len ? len : 1))
    return WIRE_READ_NOMEM;
  got = read_full(fd, b->data, len);
  if (got < 0)
    return WIRE_READ_IO;
  if ((size_t)got < len)
    return WIRE_READ_TRUNCATED;
  b->len = len;
  return WIRE_READ_OK;
}

int wire_write_all(int fd, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len > 0) {
    ssize_t k = write(fd, p, len);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      return -1;
    p += k;
    len -= (size_t)k;
  }
  return 0;
}

/* ---- Decoding ------------------------------------------------------------ */

typedef struct reader {
  const uint8_t *p;
  size_t left;
  int bad;
} reader;

static uint32_t get_u32(reader *r) {
  if (r->bad || r->left < 4) {
    r->bad = 1;
    return 0;
  }
  uint32_t v = load_u32(r->p);
  r->p += 4;
  r->left -= 4;
  return v;
}

static int32_t get_i32(reader *r) {
  uint32_t v = get_u32(r);
  return v <= INT32_MAX ? (int32_t)v : (int32_t)(v - 0x80000000u) + INT32_MIN;
}

/* A string of at most `max` bytes, with no NUL in it. */
static const char *get_string(reader *r, uint32_t max, uint32_t *len) {
  *len = get_u32(r);
  if (r->bad || *len > max || *len > r->left ||
      memchr(r->p, '\0', *len) != NULL) {
    r->bad = 1;
    *len = 0;
    return "";
  }
  const char *s = (const char *)r->p;
  r->p += *len;
  r->left -= *len;
  return s;
}

/* Whether the whole payload was read, and nothing was wrong. */
static int done(const reader *r) {
  return r->bad || r->left != 0 ? -1 : 0;
}

int wire_decode_hello(const uint8_t *p, size_t len, wire_hello *h) {
  reader r = {p, len, 0};
  h->magic = get_u32(&r);
  h->version = get_u32(&r);
  if (r.bad || h->magic != WIRE_MAGIC || h->version != WIRE_VERSION)
    return -1; /* the rest may be laid out otherwise */
  h->rate = get_u32(&r);
  h->pid = get_u32(&r);
  h->espeak_version = get_string(&r, WIRE_MAX_INFO, &h->espeak_version_len);
  h->data_path = get_string(&r, WIRE_MAX_INFO, &h->data_path_len);
  return done(&r);
}

int wire_decode_request(const uint8_t *p, size_t len, wire_request *q) {
  reader r = {p, len, 0};
  q->flags = get_u32(&r);
  q->rate = get_i32(&r);
  q->pitch = get_i32(&r);
  q->range = get_i32(&r);
  q->word_gap = get_i32(&r);
  q->voice = get_string(&r, WIRE_MAX_NAME, &q->voice_len);
  q->language = get_string(&r, WIRE_MAX_NAME, &q->language_len);
  q->text = get_string(&r, WIRE_MAX_TEXT, &q->text_len);
  if ((q->flags & ~(WIRE_SPOOL | WIRE_SSML)) != 0 || q->voice_len == 0 ||
      q->rate < WIRE_RATE_MIN || q->rate > WIRE_RATE_MAX || q->pitch < 0 ||
      q->pitch > WIRE_PERCENT_MAX || q->range < 0 ||
      q->range > WIRE_PERCENT_MAX || q->word_gap < 0 ||
      q->word_gap > WIRE_WORD_GAP_MAX)
    return -1;
  return done(&r);
}

int wire_decode_end(const uint8_t *p, size_t len, wire_end *e) {
  reader r = {p, len, 0};
  e->status = get_u32(&r);
  e->signal = get_i32(&r);
  e->exit = get_i32(&r);
  e->error = get_i32(&r);
  if (e->status > WIRE_NO_RESOURCES)
    return -1;
  return done(&r);
}

/* A string of 1..WIRE_MAX_NAME bytes. */
static const char *get_name(reader *r, uint32_t *len) {
  const char *s = get_string(r, WIRE_MAX_NAME, len);
  if (*len == 0)
    r->bad = 1;
  return s;
}

int wire_decode_voices(const uint8_t *p, size_t len, wire_voice *out,
                       uint32_t max, uint32_t *n) {
  reader r = {p, len, 0};
  *n = get_u32(&r);
  if (r.bad || *n > WIRE_MAX_VOICES || (out && *n > max))
    return -1;
  for (uint32_t i = 0; i < *n && !r.bad; i++) {
    wire_voice v;
    memset(&v, 0, sizeof v);
    v.name = get_name(&r, &v.name_len);
    v.identifier = get_name(&r, &v.identifier_len);
    v.n_languages = get_u32(&r);
    if (v.n_languages == 0 || v.n_languages > WIRE_MAX_LANGUAGES)
      return -1;
    for (uint32_t k = 0; k < v.n_languages && !r.bad; k++) {
      wire_language *l = &v.languages[k];
      l->priority = get_u32(&r);
      l->tag = get_name(&r, &l->tag_len);
      if (l->priority > WIRE_MAX_PRIORITY)
        return -1;
    }
    if (out && !r.bad)
      out[i] = v;
  }
  return done(&r);
}

int wire_decode_buffer(const uint8_t *p, size_t len, uint32_t *n_samples,
                       uint32_t *n_events) {
  reader r = {p, len, 0};
  *n_samples = get_u32(&r);
  *n_events = get_u32(&r);
  if (r.bad || *n_samples > WIRE_MAX_SAMPLES || *n_events > WIRE_MAX_EVENTS)
    return -1;
  size_t want = 2 * (size_t)*n_samples + WIRE_EVENT_SIZE * (size_t)*n_events;
  return r.left == want ? 0 : -1;
}

void wire_buffer_samples(const uint8_t *p, short *out, uint32_t n) {
  p += 8;
  for (uint32_t i = 0; i < n; i++) {
    uint16_t v = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    out[i] = v <= INT16_MAX ? (short)v : (short)((int)v - 65536);
  }
}

void wire_buffer_events(const uint8_t *p, uint32_t n_samples, wire_event *out,
                        uint32_t n_events) {
  reader r = {p + 8 + 2 * (size_t)n_samples, WIRE_EVENT_SIZE * (size_t)n_events,
              0};
  for (uint32_t i = 0; i < n_events; i++) {
    out[i].type = get_u32(&r);
    out[i].text_position = get_i32(&r);
    out[i].length = get_i32(&r);
    out[i].sample = get_i32(&r);
  }
}

const char *wire_status_name(uint32_t status) {
  switch (status) {
  case WIRE_OK:
    return "done";
  case WIRE_LANG_MISSING:
    return "no voice for the passage's language";
  case WIRE_NO_VOICE:
    return "no such voice";
  case WIRE_SYNTH_FAILED:
    return "espeak-ng failed";
  case WIRE_DIED:
    return "the process making it died";
  case WIRE_BAD_REQUEST:
    return "the helper could not read the request";
  case WIRE_NO_RESOURCES:
    return "the helper ran out of resources";
  default:
    return "unknown status";
  }
}
