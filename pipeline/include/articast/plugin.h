/*
 * articast plugin contract.
 *
 * This header is the whole agreement between the articast core (the host) and
 * a stage plugin. It is plain C11 and compiles on its own.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * AC_PLUGIN_ENTRY_NAME, a function returning a pointer to a static const
 * ac_plugin descriptor. Use AC_PLUGIN_EXPORT(descriptor) to define it.
 *
 * The pipeline of one episode:
 *
 *   source -> text stages -> synth -> audio filters -> sinks -> publish
 *   (whole document)         (bounded chunks of PCM with marks, segment by
 *                             segment)
 *
 * Segments: the host speaks the document in segments, one per spoken block
 * (see ac_segment), so that the audio of a paragraph depends only on that
 * paragraph and the settings. The host keeps each sink's output of a segment
 * in a cache keyed by everything that could change it, and when an article
 * is rendered again it hands the sinks the cached output of unchanged
 * segments (replay_segment) instead of synthesizing them. A stage that
 * needs the whole episode at once (a two-pass loudness filter) asks for a
 * single segment in create(); the cache is then off.
 *
 * Life of a stage instance, one per stage per episode:
 *   1. The host allocates priv_size bytes, zeroed, and writes every declared
 *      option into it (defaults, then config file, then command line), after
 *      validating each value against the option table.
 *   2. create() is called (optional). It may fail; destroy() still runs.
 *   3. The stage's work callback runs: read_source (source stages),
 *      process_document (text stages), publish (publish stages); for the
 *      audio stages, per segment in order:
 *        begin_segment (filters and sinks, optional),
 *        synthesize (synth), with process_audio (filters and sinks) for
 *          every chunk it emits,
 *        end_segment (filters, then sinks; optional);
 *      or, for a segment the cache holds, replay_segment (sinks only).
 *   4. flush() (optional) is called once at end of stream for audio filters
 *      and sinks: a filter emits what it still holds, a sink finishes its
 *      files. A filter's flush ends the last segment, in place of its
 *      end_segment, and is not called when the last segment comes from the
 *      cache (the filter's stream then ended with an earlier end_segment).
 *      flush is not called when an earlier step failed.
 *   5. destroy() (optional) always runs, also after a failed create, and
 *      must tolerate half-built state. It frees what the stage allocated;
 *      the host frees priv and option strings afterwards.
 *
 * Ownership, in one rule: data passed into a callback is borrowed for the
 * length of that call. A stage that needs it later copies it. No refcounts.
 * The exceptions are the document (ac_document), which a source or text stage
 * edits in place through the host helpers, and option strings in priv, which
 * stay valid until destroy() returns.
 *
 * Errors: every callback returns 0 or a negative ac_error code. Before
 * returning an error, a stage reports the reason with host->fail(), which
 * records the message; the host prefixes it with the file and stage names.
 * Plugins never print, exit() or abort(): they log through host->log().
 *
 * Threads: the host calls a stage from one thread at a time. A stage may run
 * worker threads of its own, joined before flush() returns. Host helpers are
 * safe to call only from the thread that is inside a callback.
 */
#ifndef ARTICAST_PLUGIN_H
#define ARTICAST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes layout or meaning. A plugin built
 * against another ABI version is refused with a message naming both. */
#define AC_ABI_VERSION 2u

/* Name of the single exported symbol. */
#define AC_PLUGIN_ENTRY_NAME "articast_plugin_entry"

#if defined(__GNUC__)
#define AC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define AC_EXPORT __attribute__((visibility("default")))
#else
#define AC_PRINTF(fmt, args)
#define AC_EXPORT
#endif

/* ---- Errors ------------------------------------------------------------ */

/* One list yields the enum and the host's message table. */
#define AC_ERROR_LIST(X)                                                       \
  X(OK, 0, "success")                                                          \
  X(INVALID, -1, "invalid argument or option")                                 \
  X(NOMEM, -2, "out of memory")                                                \
  X(IO, -3, "input/output error")                                              \
  X(FORMAT, -4, "malformed input")                                             \
  X(ENGINE, -5, "a library the stage uses failed")                             \
  X(ABI, -6, "incompatible plugin")                                            \
  X(NOTFOUND, -7, "not found")                                                 \
  X(UNSUPPORTED, -8, "not supported")                                          \
  X(EMPTY, -9, "nothing to do: the input holds no text")

typedef enum ac_error {
#define AC_ERROR_ENUM(name, value, text) AC_ERR_##name = (value),
  AC_ERROR_LIST(AC_ERROR_ENUM)
#undef AC_ERROR_ENUM
} ac_error;

/* ---- Options ----------------------------------------------------------- */

/* How the host stores an option in priv at `offset`:
 *   BOOL   -> int (0 or 1); accepts true/false, yes/no, on/off, 1/0
 *   INT    -> int, within [min, max]
 *   DOUBLE -> double, within [min, max]
 *   STRING -> const char * (host-owned, valid until destroy returns;
 *             NULL when the default is NULL and nothing was set)
 *   CHOICE -> int, the index of the value in `choices` */
typedef enum ac_option_type {
  AC_OPT_BOOL,
  AC_OPT_INT,
  AC_OPT_DOUBLE,
  AC_OPT_STRING,
  AC_OPT_CHOICE
} ac_option_type;

typedef struct ac_option {
  const char *name; /* [a-z0-9_]+; NULL ends the table */
  ac_option_type type;
  size_t offset;              /* of the field in priv (use offsetof) */
  const char *default_value;  /* as text, parsed like user input */
  double min, max;            /* INT and DOUBLE: inclusive range */
  const char *const *choices; /* CHOICE: NULL-terminated list */
  const char *help;           /* one line, shown by `articast plugins` */
} ac_option;

/* ---- Document (text stages) -------------------------------------------- */

typedef enum ac_block_kind {
  AC_BLOCK_HEADING, /* `level` 1..6 */
  AC_BLOCK_PARAGRAPH,
  AC_BLOCK_QUOTE,
  AC_BLOCK_LIST_ITEM,
  AC_BLOCK_BYLINE, /* "By ..." or the author's name on its own */
  AC_BLOCK_BIO,    /* about the author, usually at the end */
  AC_BLOCK_CAPTION,
  AC_BLOCK_BOILERPLATE /* kept only so a cleaner can explain itself; never
                          spoken or printed */
} ac_block_kind;

/* Maps a byte range of the spoken text back to the written text. Entries are
 * sorted by `spoken`; the spoken bytes from one entry to the next came from
 * the written bytes from its `written` to the next entry's. A block without
 * entries speaks exactly what was written. */
typedef struct ac_span {
  uint32_t spoken;
  uint32_t written;
} ac_span;

typedef struct ac_block {
  ac_block_kind kind;
  int level;     /* headings: 1..6, or 0 for the episode title, which the
                    host inserts as the first block before synthesis;
                    other kinds: 0 */
  char *text;    /* UTF-8 text to speak, NUL-terminated */
  char *written; /* the text as the article wrote it (for transcripts);
                    NULL means the same as `text` */
  char *lang;    /* language of this passage (BCP 47), NULL = document's */
  ac_span *map;  /* spoken -> written offsets, see ac_span */
  size_t n_map;
} ac_block;

/* Every string and array here is malloc'd and owned by the document. Stages
 * change fields through the host helpers (set_string, add_block,
 * remove_block) or free() the old value and store a malloc'd new one. */
typedef struct ac_document {
  char *title;
  char *author;   /* display form: "Jane Doe" or "Jane Doe and John Roe" */
  char *date;     /* ISO 8601 date (YYYY-MM-DD) or date-time, when known */
  char *language; /* BCP 47, e.g. "en-GB"; NULL = unknown */
  char *summary;
  char *image;  /* path or URL of the article's image */
  char *url;    /* canonical URL of the article */
  char *id;     /* stable article id from front matter, when given */
  char *source; /* where it was read from ("-" for stdin) */
  char *format; /* what the source read: "text", "markdown" or "html" */
  ac_block *blocks;
  size_t n_blocks;
  size_t cap_blocks; /* host bookkeeping */
} ac_document;

/* ---- Audio (synth, filters, sinks) -------------------------------------- */

typedef enum ac_mark_kind {
  AC_MARK_BLOCK,     /* speech of block `block` starts */
  AC_MARK_BLOCK_END, /* speech of block `block` ends (before its pause) */
  AC_MARK_SENTENCE,  /* a sentence starts at text_offset */
  AC_MARK_WORD       /* a word starts at text_offset, text_length bytes */
} ac_mark_kind;

/* A point in the audio tied to the document. Offsets are bytes into
 * doc->blocks[block].text (the spoken text). */
typedef struct ac_mark {
  ac_mark_kind kind;
  uint32_t block;
  uint32_t text_offset;
  uint32_t text_length;
  uint64_t sample; /* absolute frame index in the stream at this stage */
} ac_mark;

/* A bounded piece of mono audio. Samples are floats in [-1, 1]; a chunk
 * holds at most AC_MAX_CHUNK frames. Marks are sorted by sample and fall in
 * [position, position + n_samples]; a chunk may carry marks and no samples.
 * Every chunk of a stream has the same sample rate. A stage that delays,
 * drops or adds samples moves the marks it passes on to match. */
#define AC_MAX_CHUNK 16384u

typedef struct ac_chunk {
  const float *samples;
  size_t n_samples;
  uint64_t position; /* frame index of samples[0] in the stream */
  int sample_rate;
  const ac_mark *marks;
  size_t n_marks;
} ac_chunk;

/* ---- Segments ------------------------------------------------------------ */

/* Between segments the host pads the stream the sinks see with zeros so
 * that every segment but the last lasts a whole number of
 * AC_SEGMENT_QUANTUM frames (a multiple of every MP3 frame length: 576 and
 * 1152) and ends in at least AC_SEGMENT_MIN_SILENCE frames of zeros. A
 * sink may therefore encode each segment on its own and join the results:
 * nothing of one segment's sound reaches into the next. */
#define AC_SEGMENT_QUANTUM 1152u
#define AC_SEGMENT_MIN_SILENCE 2304u

typedef struct ac_segment {
  uint32_t index;       /* 0, 1, ... in stream order */
  uint32_t first_block; /* doc->blocks[first_block] ... */
  uint32_t n_blocks;    /* ... and the n_blocks - 1 after it */
  uint32_t next_block;  /* first block of the next segment, UINT32_MAX for
                           the last segment */
  int is_first, is_last;
  /* Sinks, in end_segment and replay_segment: where the segment lies in
   * the stream the sinks see, and its sample rate. */
  uint64_t position;
  uint64_t n_samples;
  int sample_rate;
  /* replay_segment: the segment's marks (positioned in the sinks' stream,
   * `block` in the current document) and what this sink stored for it with
   * host->cache_put. */
  const ac_mark *marks;
  size_t n_marks;
  const void *cached;
  size_t cached_len;
} ac_segment;

/* ---- Episode context ---------------------------------------------------- */

/* Show metadata from the config's [show] section. Strings may be NULL. */
typedef struct ac_show {
  const char *title;
  const char *author;
  const char *description;
  const char *language;
  const char *owner_name;
  const char *owner_email;
  const char *category;
  const char *subcategory;
  const char *image;
  const char *base_url;
  const char *link;
  int explicit_content;
} ac_show;

/* A voice profile from voices/<name>.voice (see voices/README.md). */
typedef struct ac_voice {
  const char *name;
  const char *path; /* the profile file */
  const char *description;
  const char *espeak_voice;    /* e.g. "en-us", "en" */
  const char *language;        /* BCP 47 */
  int rate;                    /* words per minute */
  int pitch;                   /* 0..100 */
  int range;                   /* pitch range 0..100 */
  int word_gap;                /* extra pause between words, units of 10 ms */
  const char *const *lexicons; /* lexicon files to apply, highest priority
                                  first */
  size_t n_lexicons;
  /* Gain that brings this voice to -16 LUFS under a -1.5 dBTP ceiling, as
   * measured by the loudness stage (see tests/bench/calibrate-voices.sh);
   * valid when loudness_calibrated is non-zero. */
  double loudness_gain_db;
  int loudness_calibrated;
} ac_voice;

/* A file a sink wrote, for the publish stage. */
typedef struct ac_artifact {
  const char *path;
  const char *mime_type; /* "audio/mpeg", "text/vtt", ... */
  double duration;       /* seconds of audio, 0 when not audio */
} ac_artifact;

/* What audio and publish stages need to know of the episode. Owned by the
 * host; valid from create() to destroy(). */
typedef struct ac_episode {
  const ac_document *doc;
  const ac_show *show;
  const ac_voice *voice;
  const char *site_dir;         /* SITE */
  const char *slug;             /* file name stem, [a-z0-9-]+ */
  const char *output_base;      /* SITE/episodes/<slug>, no extension */
  const ac_artifact *artifacts; /* files written so far by sinks */
  size_t n_artifacts;
  /* How many threads the episode may keep busy (`articast -j` shares the
   * machine's cores between the articles rendered at once); at least 1. A
   * stage that runs workers of its own runs at most this many. */
  int threads;
} ac_episode;

/* ---- Host and stage ----------------------------------------------------- */

typedef enum ac_log_level {
  AC_LOG_ERROR,
  AC_LOG_WARN,
  AC_LOG_INFO,
  AC_LOG_DEBUG
} ac_log_level;

typedef struct ac_stage ac_stage;

typedef struct ac_host {
  uint32_t abi_version;
  /* Logs a line (no trailing newline needed). */
  void (*log)(ac_stage *st, ac_log_level level, const char *fmt, ...)
      AC_PRINTF(3, 4);
  /* Records why the stage fails and returns `code`, so a stage can write
   * `return st->host->fail(st, AC_ERR_FORMAT, "...", ...);` */
  int (*fail)(ac_stage *st, int code, const char *fmt, ...) AC_PRINTF(3, 4);
  /* Synth and audio filters: hands a chunk to the next stages. The chunk is
   * borrowed for the call. Returns 0 or the error a later stage raised,
   * which the caller returns as it is. */
  int (*emit)(ac_stage *st, const ac_chunk *chunk);
  /* Document helpers. set_string copies `len` bytes (or up to NUL when len
   * is (size_t)-1) into a new string and frees the old one; value NULL
   * clears. add_block copies the text and returns the new block, or NULL on
   * allocation failure; insert_block does the same at `index`. */
  int (*set_string)(char **field, const char *value, size_t len);
  ac_block *(*add_block)(ac_document *doc, ac_block_kind kind, const char *text,
                         size_t len);
  ac_block *(*insert_block)(ac_document *doc, size_t index, ac_block_kind kind,
                            const char *text, size_t len);
  void (*remove_block)(ac_document *doc, size_t index);
  /* Sinks: records a finished file for the publish stage. */
  int (*add_artifact)(ac_stage *st, const char *path, const char *mime_type,
                      double duration);
  /* Finds a data file (e.g. "lexicons/en.lex") in the voice search path.
   * Returns a malloc'd path the caller frees, or NULL. */
  char *(*find_data)(ac_stage *st, const char *relative_path);
  /* Audio stages, in create(): adds `text` to what the segment cache key
   * covers, for what changes the output beyond the stage's options and
   * version (a library's version, a data file's contents). */
  int (*cache_salt)(ac_stage *st, const char *text);
  /* Audio stages, in create(): this stage needs the whole episode as one
   * segment (`why` is logged); the cache is then off for the episode. */
  void (*single_segment)(ac_stage *st, const char *why);
  /* Sinks with replay_segment: stores `len` bytes as this sink's output of
   * segment `index` (len 0 is fine: the sink needs only the marks). Call it
   * from end_segment or later, up to flush. A sink that never stores a
   * segment's output gets it synthesized again next time. */
  int (*cache_put)(ac_stage *st, uint32_t index, const void *data, size_t len);
} ac_host;

/* Handed to every callback. The host owns it. */
struct ac_stage {
  const ac_host *host;
  void *priv;                /* priv_size bytes, zeroed, options filled in */
  const char *name;          /* plugin name */
  const ac_episode *episode; /* audio, sink and publish stages; else NULL */
  void *host_data;           /* the host's; plugins leave it alone */
};

/* ---- Descriptor --------------------------------------------------------- */

typedef enum ac_stage_kind {
  AC_STAGE_SOURCE, /* bytes -> document */
  AC_STAGE_TEXT,   /* document -> document */
  AC_STAGE_SYNTH,  /* document -> audio chunks */
  AC_STAGE_FILTER, /* audio chunks -> audio chunks */
  AC_STAGE_SINK,   /* audio chunks -> files */
  AC_STAGE_PUBLISH /* files -> site (feed) */
} ac_stage_kind;

typedef struct ac_plugin {
  uint32_t abi_version; /* AC_ABI_VERSION */
  uint32_t struct_size; /* sizeof(ac_plugin) */
  const char *name;     /* [a-z0-9_]+, unique; names the config section */
  const char *version;  /* the plugin's own version, free form */
  const char *description;
  ac_stage_kind kind;
  size_t priv_size;
  const ac_option *options; /* NULL or a table ended by name == NULL */

  int (*create)(ac_stage *st);
  void (*destroy)(ac_stage *st);

  /* Source stages: how well this stage reads `data`, 0 (not at all) to 100.
   * `name` is the file name or "-". The highest score reads the input.
   * When the input is an http:// or https:// URL the host reads nothing:
   * `name` is the URL, `data` NULL and `len` 0, and a stage that can
   * download it says so with its score. */
  int (*probe)(const char *name, const char *data, size_t len);
  /* Source stages: fill the empty `doc` from `len` bytes of `data` (not
   * NUL-terminated). For a URL (data NULL, see probe) the stage downloads
   * the page itself. */
  int (*read_source)(ac_stage *st, const char *name, const char *data,
                     size_t len, ac_document *doc);
  /* Text stages: edit the document in place. */
  int (*process_document)(ac_stage *st, ac_document *doc);
  /* Synth: speak the segment's blocks, calling host->emit for each chunk.
   * Positions count from 0 over what this stage emitted, across segments
   * (segments the cache replays are not synthesized). The segment ends with
   * the pause after its last block. The first segment starts with the
   * episode's lead-in and the last ends with its tail. */
  int (*synthesize)(ac_stage *st, const ac_segment *seg);
  /* Filters and sinks (optional): a synthesized segment starts. */
  int (*begin_segment)(ac_stage *st, const ac_segment *seg);
  /* Filters and sinks: one chunk of the stream. */
  int (*process_audio)(ac_stage *st, const ac_chunk *chunk);
  /* Filters and sinks (optional): the segment's audio is all in. A filter
   * emits everything it holds of the segment and starts the next one
   * afresh, so that its output of a segment depends on that segment only.
   * A sink may store its output with host->cache_put. */
  int (*end_segment)(ac_stage *st, const ac_segment *seg);
  /* Sinks (optional): a segment from the cache, in place of begin_segment,
   * chunks and end_segment. Without it the cache is off for the episode. */
  int (*replay_segment)(ac_stage *st, const ac_segment *seg);
  /* Filters and sinks: end of stream. */
  int (*flush)(ac_stage *st);
  /* Publish stages: the sinks have finished the episode's files. When
   * st->episode->doc is NULL there is no new episode: rebuild what the
   * site publishes (`articast feed`) from what it already holds. */
  int (*publish)(ac_stage *st);
} ac_plugin;

/* Defines the plugin's one exported symbol. */
#define AC_PLUGIN_EXPORT(descriptor)                                           \
  AC_EXPORT const ac_plugin *articast_plugin_entry(void);                      \
  AC_EXPORT const ac_plugin *articast_plugin_entry(void) {                     \
    return &(descriptor);                                                      \
  }

typedef const ac_plugin *(*ac_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ARTICAST_PLUGIN_H */
