/*
 * The wire format between the espeak stage (inside articast) and its
 * helper process, articast-espeak.
 *
 * Channels. The stage starts the helper with posix_spawn and gives it
 * exactly two pipes: the helper reads requests on its standard input and
 * writes responses on its standard output (its standard error is the
 * host's). The helper never reads or writes anything else of the host's.
 *
 * Frames. Everything on both pipes is a sequence of frames:
 *
 *   u32 type      four ASCII letters, first letter in the lowest byte
 *   u32 length    bytes of payload that follow, at most the limit below
 *   payload
 *
 * All integers are little-endian, u32 unsigned and i32 two's complement;
 * nothing is padded or aligned. A string is a u32 byte count then that
 * many bytes of UTF-8, without a NUL and containing none. No C struct
 * crosses the pipe as it is.
 *
 * Conversation.
 *   helper -> stage  HELO once, when the engine is ready.
 *   then, any number of times and in any order, one at a time:
 *   stage -> helper  SPEK, one block of text;
 *   helper -> stage  zero or more BUFF, then exactly one END!.
 *   or (since version 2):
 *   stage -> helper  LIST, the voices espeak-ng has;
 *   helper -> stage  exactly one VLST, or one END! when the list could not
 *                    be made (WIRE_DIED, WIRE_NO_RESOURCES).
 *   The stage sends the next request only after the answer to the last.
 *   When the stage closes its end of the request pipe, the helper exits.
 *
 * HELO  u32 magic      WIRE_MAGIC ("ESPK")
 *       u32 version    WIRE_VERSION; the stage refuses any other
 *       u32 rate       sample rate of the audio, in Hz
 *       u32 pid        the helper's serving process (for diagnostics)
 *       string         espeak-ng's version, e.g. "1.51"
 *       string         espeak-ng's data directory
 *
 * SPEK  u32 flags      WIRE_SPOOL: synthesize the whole block before
 *                      sending any of it (keeps `-j 1` on one core);
 *                      WIRE_SSML: the text is SSML, which espeak-ng reads
 *                      with its <voice> switches (a helper that predates
 *                      the flag refuses the request)
 *       i32 rate       words per minute, as espeakRATE takes it, 80..450
 *       i32 pitch      0..100
 *       i32 range      pitch range 0..100
 *       i32 word_gap   extra pause between words, units of 10 ms, 0..100
 *       string voice   the espeak voice: a voice name ("en-us"), else
 *                      looked up as a language ("en-gb"); at most
 *                      WIRE_MAX_NAME bytes
 *       string language  empty, or the language of a passage read with
 *                      that language's voice; when espeak has none, the
 *                      block is read with `voice` and ends with
 *                      WIRE_LANG_MISSING. At most WIRE_MAX_NAME bytes
 *       string text    what espeak reads (UTF-8), at most WIRE_MAX_TEXT
 *                      bytes
 *
 * BUFF  u32 n_samples  at most WIRE_MAX_SAMPLES
 *       u32 n_events   at most WIRE_MAX_EVENTS
 *       n_samples x i16          mono audio at the HELO rate
 *       n_events x { u32 type    WIRE_EV_*
 *                    i32 text_position  1-based code point in the text
 *                    i32 length         code points
 *                    i32 sample }       frame, counted from the block's
 *                                       first sample
 *       One buffer as espeak handed it to its callback, with the events
 *       that fall in it; the length must be exactly 8 + 2 n_samples +
 *       16 n_events.
 *
 * LIST  no payload (length 0).
 *
 * VLST  u32 count      at most WIRE_MAX_VOICES
 *       count x { string name        espeak's name of the voice
 *                                    ("Finnish"), 1..WIRE_MAX_NAME bytes
 *                 string identifier  its file, relative to espeak-ng's
 *                                    voice directories ("urj/fi"), 1..
 *                                    WIRE_MAX_NAME bytes
 *                 u32 n_languages    1..WIRE_MAX_LANGUAGES
 *                 n_languages x { u32 priority    0..255; espeak prefers
 *                                                 the voice with the lower
 *                                                 one for that language
 *                                 string language "fi", "zh-cmn"; 1..
 *                                                 WIRE_MAX_NAME bytes } }
 *       The voices espeak_ListVoices(NULL) gives, in its order (espeak
 *       itself leaves out variants and mbrola voices).
 *
 * END!  u32 status     WIRE_OK, WIRE_LANG_MISSING, ... (below)
 *       i32 signal     WIRE_DIED: the signal that ended the synthesis
 *                      (or the listing),
 *                      else 0
 *       i32 exit       WIRE_DIED: its exit status when no signal, else 0
 *       i32 error      WIRE_NO_RESOURCES: the errno, else 0
 *
 * Errors. A reader that meets an unknown type, a length over the limit,
 * a payload that does not add up or an early end of the pipe treats the
 * stream as broken: the helper exits, the stage reports the block and
 * starts a new helper for the next episode.
 */
#ifndef ARTICAST_ESPEAK_WIRE_H
#define ARTICAST_ESPEAK_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC 0x4b505345u /* "ESPK" */
#define WIRE_VERSION 2u        /* 2: LIST and VLST */

#define WIRE_TAG(a, b, c, d)                                                   \
  ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |                  \
   (uint32_t)(d) << 24)
#define WIRE_HELLO WIRE_TAG('H', 'E', 'L', 'O')
#define WIRE_SPEAK WIRE_TAG('S', 'P', 'E', 'K')
#define WIRE_BUFFER WIRE_TAG('B', 'U', 'F', 'F')
#define WIRE_END WIRE_TAG('E', 'N', 'D', '!')
#define WIRE_LIST WIRE_TAG('L', 'I', 'S', 'T')
#define WIRE_VOICES WIRE_TAG('V', 'L', 'S', 'T')

#define WIRE_HEADER_SIZE 8u
#define WIRE_MAX_NAME 255u
#define WIRE_MAX_INFO 4096u /* each HELO string */
#define WIRE_MAX_TEXT (16u << 20)
#define WIRE_MAX_SAMPLES (1u << 20)
#define WIRE_MAX_EVENTS (1u << 16)
#define WIRE_EVENT_SIZE 16u
#define WIRE_RATE_MIN 80
#define WIRE_RATE_MAX 450
#define WIRE_PERCENT_MAX 100 /* pitch, range */
#define WIRE_WORD_GAP_MAX 100
#define WIRE_END_SIZE 16u
#define WIRE_MAX_VOICES 1024u
#define WIRE_MAX_LANGUAGES 16u
#define WIRE_MAX_PRIORITY 255u
/* The largest payload of a frame in each direction. */
#define WIRE_MAX_REQUEST (20u + 3u * 4u + 2u * WIRE_MAX_NAME + WIRE_MAX_TEXT)
#define WIRE_MAX_RESPONSE                                                      \
  (8u + 2u * WIRE_MAX_SAMPLES + WIRE_EVENT_SIZE * WIRE_MAX_EVENTS)
/* The largest VLST payload. */
#define WIRE_MAX_VOICE_SIZE                                                    \
  (3u * 4u + 2u * WIRE_MAX_NAME +                                              \
   WIRE_MAX_LANGUAGES * (2u * 4u + WIRE_MAX_NAME))
#define WIRE_MAX_VOICE_LIST (4u + WIRE_MAX_VOICES * WIRE_MAX_VOICE_SIZE)

/* SPEK flags. */
#define WIRE_SPOOL 1u
#define WIRE_SSML 2u

/* Event types: espeak's WORD, SENTENCE and END (end of a clause); the
 * helper drops the others. */
enum { WIRE_EV_WORD = 1, WIRE_EV_SENTENCE = 2, WIRE_EV_CLAUSE_END = 3 };

/* END! statuses. */
enum {
  WIRE_OK = 0,
  WIRE_LANG_MISSING = 1, /* no voice for `language`: read with `voice` */
  WIRE_NO_VOICE = 2,     /* espeak has no voice `voice` */
  WIRE_SYNTH_FAILED = 3, /* espeak_Synth returned an error */
  WIRE_DIED = 4,         /* the process synthesizing the block (or listing
                            the voices) died */
  WIRE_BAD_REQUEST = 5,  /* the SPEK could not be read; the helper exits */
  WIRE_NO_RESOURCES = 6  /* the helper could not fork or make a pipe or a
                            temporary file */
};

typedef struct wire_event {
  uint32_t type;
  int32_t text_position;
  int32_t length;
  int32_t sample;
} wire_event;

typedef struct wire_hello {
  uint32_t magic, version, rate, pid;
  const char *espeak_version; /* into the payload; not NUL-terminated */
  uint32_t espeak_version_len;
  const char *data_path;
  uint32_t data_path_len;
} wire_hello;

typedef struct wire_request {
  uint32_t flags;
  int32_t rate, pitch, range, word_gap;
  const char *voice; /* into the payload (decoding) or the caller's */
  uint32_t voice_len;
  const char *language;
  uint32_t language_len;
  const char *text;
  uint32_t text_len;
} wire_request;

typedef struct wire_end {
  uint32_t status;
  int32_t signal, exit, error;
} wire_end;

/* A voice of a VLST; the strings point into the payload (decoding) or the
 * caller's memory (encoding), without a NUL. */
typedef struct wire_language {
  uint32_t priority;
  const char *tag;
  uint32_t tag_len;
} wire_language;

typedef struct wire_voice {
  const char *name;
  uint32_t name_len;
  const char *identifier;
  uint32_t identifier_len;
  uint32_t n_languages;
  wire_language languages[WIRE_MAX_LANGUAGES];
} wire_voice;

/* A growable byte buffer for building and reading frames. */
typedef struct wire_buf {
  uint8_t *data;
  size_t len, cap;
  int failed; /* out of memory while building */
} wire_buf;

void wire_buf_free(wire_buf *b);

/* Building a frame: begin, append fields, finish (which fills in the
 * length). A failed append sets b->failed; finish then returns -1. */
void wire_begin(wire_buf *b, uint32_t type);
void wire_put_u32(wire_buf *b, uint32_t v);
void wire_put_i32(wire_buf *b, int32_t v);
void wire_put_string(wire_buf *b, const char *s, uint32_t len);
int wire_finish(wire_buf *b);
/* The header of a frame of `len` bytes of payload. */
void wire_header(uint8_t out[WIRE_HEADER_SIZE], uint32_t type, uint32_t len);

int wire_encode_hello(wire_buf *b, const wire_hello *h);
int wire_encode_request(wire_buf *b, const wire_request *r);
int wire_encode_end(wire_buf *b, const wire_end *e);
/* A LIST frame, and a VLST frame of n voices (each within the limits). */
int wire_encode_list(wire_buf *b);
int wire_encode_voices(wire_buf *b, const wire_voice *voices, uint32_t n);
/* A BUFF frame of n samples and k events. */
int wire_encode_buffer(wire_buf *b, const short *samples, size_t n,
                       const wire_event *events, size_t k);

/* Results of wire_read_frame. */
enum {
  WIRE_READ_OK = 0,
  WIRE_READ_EOF = -1,       /* the pipe ended at a frame boundary */
  WIRE_READ_TRUNCATED = -2, /* the pipe ended inside a frame */
  WIRE_READ_TOO_LONG = -3,  /* the length is over `max_payload` */
  WIRE_READ_IO = -4,        /* read() failed; errno says why */
  WIRE_READ_NOMEM = -5
};

/* Reads one frame from fd into b (b->data holds the payload, b->len its
 * length). Retries short reads and EINTR. Returns WIRE_READ_*. */
int wire_read_frame(int fd, wire_buf *b, uint32_t *type, size_t max_payload);

/* Writes all of data, retrying short writes and EINTR. Returns 0 or -1
 * with errno set. */
int wire_write_all(int fd, const void *data, size_t len);

/* Decoding a payload: each returns 0, or -1 when it is malformed (a field
 * missing, a count or length over its limit, bytes left over). */
int wire_decode_hello(const uint8_t *p, size_t len, wire_hello *h);
int wire_decode_request(const uint8_t *p, size_t len, wire_request *r);
int wire_decode_end(const uint8_t *p, size_t len, wire_end *e);
/* A VLST payload: checks all of it and stores its count in *n; with `out`
 * not NULL, also its voices in out[0..*n), when *n <= max (else -1). */
int wire_decode_voices(const uint8_t *p, size_t len, wire_voice *out,
                       uint32_t max, uint32_t *n);
/* The counts of a BUFF payload; the samples and events then come from
 * wire_buffer_samples and wire_buffer_events. */
int wire_decode_buffer(const uint8_t *p, size_t len, uint32_t *n_samples,
                       uint32_t *n_events);
void wire_buffer_samples(const uint8_t *p, short *out, uint32_t n);
void wire_buffer_events(const uint8_t *p, uint32_t n_samples, wire_event *out,
                        uint32_t n_events);

/* What a status means, for messages. */
const char *wire_status_name(uint32_t status);

#endif
