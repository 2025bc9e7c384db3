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
 * Settings: a stage's behaviour is its options (ac_option), and only its
 * options. The host fills them in layers, each overriding the one before:
 * the option's default, the voice profile (a voice is a named set of stage
 * settings, see voices/README.md), the config file, the command line.
 * The segment cache key is made of every audio stage's option values and
 * version (plus its cache_salt texts), so a stage must not let anything
 * else change its output.
 *
 * Segments: the host speaks the document in segments, one per spoken block
 * (see ac_segment), so that the audio of a paragraph depends only on that
 * paragraph and the settings. The host keeps each sink's output of a segment
 * in a cache, and when an article is rendered again it hands the sinks the
 * cached output of unchanged segments (replay_segment) instead of
 * synthesizing them. A stage that needs the whole episode at once (a
 * two-pass loudness filter) asks for a single segment in create(); the cache
 * is then off.
 *
 * Life of a stage instance, one per stage per episode:
 *   1. The host allocates priv_size bytes, zeroed, and writes every declared
 *      option into it, after validating each value against the option table.
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
 *      the host frees priv and option values afterwards.
 *
 * Files: sinks never name or rename their files. They ask the host for an
 * output (host->open_output), write it completely, and hand it back
 * (host->finish_output). Only when every sink has flushed does the host give
 * the episode's files their names, all together, and run the publish stages,
 * which see the files as artifacts and the episode's timeline (marks and
 * chapters) as data. A failed or killed render leaves the site as it was.
 *
 * Ownership, in one rule: data passed into a callback is borrowed for the
 * length of that call. A stage that needs it later copies it. No refcounts.
 * The exceptions are the document (ac_document), which a source or text stage
 * edits in place through the host helpers, option values in priv, which
 * stay valid until destroy() returns, and the episode (ac_episode), valid
 * from create() to destroy().
 *
 * Errors: every callback returns 0 or a negative ac_error code. Before
 * returning an error, a stage reports the reason with host->fail(), which
 * records the message; the host prefixes it with the file and stage names.
 * Plugins never print, exit() or abort(): they log through host->log().
 *
 * Threads: the host calls a stage from one thread at a time. A stage may run
 * worker threads of its own, joined before flush() returns (or destroy(),
 * when flush is not called). Host helpers are safe to call only from the
 * thread that is inside a callback.
 *
 * Processes: a stage must not fork() the host process: other stages' threads
 * may be running, and after fork() only async-signal-safe calls are allowed.
 * A stage that needs another process (to isolate a library's global state,
 * say) starts an executable with posix_spawn(), with every descriptor it
 * does not pass on marked close-on-exec, and makes sure that process ends
 * when the host does (it reads EOF on a pipe from the host).
 *
 * Growth: the descriptor (ac_plugin) and the host table (ac_host) start with
 * their ABI version and their size. Within one AC_ABI_VERSION, fields are
 * only ever added at the end: the host reads a descriptor only up to its
 * struct_size and takes later fields as NULL, and a plugin checks that the
 * host has a helper with AC_HOST_HAS() before calling one added after
 * AC_ABI_VERSION's first release. A change to an existing field bumps
 * AC_ABI_VERSION, and the host refuses plugins of another version.
 */
#ifndef ARTICAST_PLUGIN_H
#define ARTICAST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever an existing field changes layout or meaning (not when a
 * field is added at the end of ac_plugin or ac_host). */
#define AC_ABI_VERSION 3u

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
  X(EMPTY, -9, "nothing to do: the input holds no text")                       \
  X(LIMIT, -10, "the input exceeds a configured limit")

typedef enum ac_error {
#define AC_ERROR_ENUM(name, value, text) AC_ERR_##name = (value),
  AC_ERROR_LIST(AC_ERROR_ENUM)
#undef AC_ERROR_ENUM
} ac_error;

/* ---- Options ----------------------------------------------------------- */

/* How the host stores an option in priv at `offset`:
 *   BOOL   -> int (0 or 1); accepts true/false, yes/no, on/off, 1/0
 *   INT    -> int, within [min, max]
 *   DOUBLE -> double, within [min, max]; with default_value NULL, NAN until
 *             a layer sets it (so a stage can tell "not set")
 *   STRING -> const char * (host-owned, valid until destroy returns;
 *             NULL when the default is NULL and nothing was set)
 *   CHOICE -> int, the index of the value in `choices`
 *   LIST   -> const char *const *, a NULL-terminated array (host-owned,
 *             never NULL), written as items separated by spaces or commas,
 *             an item with spaces in double quotes. A higher layer replaces
 *             a lower one's list, as for every other type.
 *   PATH   -> as STRING, for a file path: a relative path set in a file
 *             (the config, a voice profile) is taken relative to that
 *             file's directory when it names a file there; otherwise it is
 *             left as written, for the stage to look up (host->find_data).
 *   PATH_LIST -> as LIST, for files consulted in order (lexicons, word
 *             lists), each path resolved as for PATH. The layers add up
 *             instead of replacing each other, as a search path does: the
 *             command line's files come first, then the config's, the voice
 *             profile's and the default's (a repeated file keeps its first
 *             place). A layer whose first item is "-" drops the files of
 *             the layers below it, and an empty value means no files. */
typedef enum ac_option_type {
  AC_OPT_BOOL,
  AC_OPT_INT,
  AC_OPT_DOUBLE,
  AC_OPT_STRING,
  AC_OPT_CHOICE,
  AC_OPT_LIST,
  AC_OPT_PATH,
  AC_OPT_PATH_LIST
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
  AC_BLOCK_BOILERPLATE, /* kept only so a cleaner can explain itself; never
                           spoken or printed */
  AC_BLOCK_ANNOUNCEMENT /* the show speaking, not the article: an intro or
                           outro (a synthetic-voice disclosure). Spoken and
                           in the transcripts like a paragraph, but no part
                           of the article's body: it starts no chapter and
                           is no summary. Added within ABI 3: a stage that
                           does not know it treats it as a paragraph. */
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
                    host inserts as the first block before the text
                    stages; other kinds: 0 */
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
  char *image;  /* URL of the article's image (http or https only) */
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

/* The show, from the config's [show] section: what more than one stage
 * shows (tags, feed, pages). Strings may be NULL. Settings only one stage
 * reads are that stage's options ([feed] category, ...). */
typedef struct ac_show {
  const char *title;
  const char *author;
  const char *description;
  const char *language; /* BCP 47 */
  const char *image;    /* the show's cover: a file, resolved by the host */
  const char *link;     /* the show's web site */
  const char *base_url; /* where SITE is served, ending in '/' */
} ac_show;

/* The voice profile the episode is read with. Its settings have already
 * reached the stages' options; this names it. */
typedef struct ac_voice {
  const char *name;        /* "en-us-newsreader" */
  const char *language;    /* BCP 47 */
  const char *description; /* may be NULL */
  const char *path;        /* the profile file; NULL for a voice the synth
                              stage derived (see list_voices) */
} ac_voice;

/* What a sink's file is, for the publish stages. */
typedef enum ac_artifact_role {
  AC_ROLE_AUDIO,      /* the episode's enclosure */
  AC_ROLE_TRANSCRIPT, /* timed text (WebVTT, SRT) */
  AC_ROLE_TEXT,       /* untimed text */
  AC_ROLE_CHAPTERS,   /* a chapters file */
  AC_ROLE_OTHER
} ac_artifact_role;

/* A file of the episode, named by the host once every sink has flushed. */
typedef struct ac_artifact {
  const char *path;      /* SITE/episodes/<slug><suffix> */
  const char *suffix;    /* ".mp3", ".vtt", ".chapters.json", ... */
  const char *mime_type; /* "audio/mpeg", "text/vtt", ... */
  ac_artifact_role role;
  double duration; /* seconds of audio, 0 when not audio */
  uint64_t size;   /* bytes */
} ac_artifact;

/* A chapter of the episode. The host derives the chapters once from the
 * document and the marks, so every stage agrees on titles and times: the
 * episode opens with a chapter titled with the document title; each heading
 * (level >= 1) starts a chapter titled with its written text; without
 * headings the body gets a chapter of its own, titled with the opening
 * words of its first paragraph; bylines and bios after the body start an
 * "About the author" chapter. Starts ascend; the last chapter ends at the
 * end of the audio. */
typedef struct ac_chapter {
  uint64_t start; /* frames */
  uint64_t end;   /* frames, exclusive */
  const char *title;
  uint32_t block; /* the block that starts it */
} ac_chapter;

/* The whole episode's marks and chapters in the stream the sinks saw,
 * which is the final audio: frame N of it is sample N of the decoded
 * file. */
typedef struct ac_timeline {
  int sample_rate;
  uint64_t n_samples;
  const ac_mark *marks; /* every mark, in order */
  size_t n_marks;
  const ac_chapter *chapters;
  size_t n_chapters;
} ac_timeline;

/* What audio and publish stages need to know of the episode. Owned by the
 * host; valid from create() to destroy(). */
typedef struct ac_episode {
  const ac_document *doc; /* NULL for a publish stage rebuilding the site
                             (`articast feed`) */
  const ac_show *show;
  const ac_voice *voice;   /* NULL when rebuilding */
  const char *site_dir;    /* SITE */
  const char *slug;        /* file name stem, [a-z0-9-]+, unique in the site
                              to this article */
  const char *guid;        /* the article's identity, stable across edits:
                              its id, else its URL, else a UUIDv5 of its
                              title and date; NULL when rebuilding */
  const char *output_path; /* `articast say`: the one file to write (its
                              extension is one the sink declared); sinks
                              derive their format from it. Else NULL. */
  /* Sinks' flush and publish stages: the timeline; NULL before. */
  const ac_timeline *timeline;
  /* Publish stages: the episode's files, named. */
  const ac_artifact *artifacts;
  size_t n_artifacts;
  /* How many threads the episode may keep busy (`articast -j` shares the
   * machine's cores between the articles rendered at once); at least 1. A
   * stage that runs workers of its own runs at most this many, and with 1
   * keeps all its work (helper processes included) to one core. */
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
  uint32_t struct_size; /* sizeof(ac_host) of the host; see AC_HOST_HAS */
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
  /* Sinks: an empty file for the episode's `suffix` (".mp3", ".vtt"),
   * open for reading and writing, not yet visible in the site. Returns a
   * descriptor (>= 0) that the host owns and closes, or a negative
   * ac_error after recording why. Call it from create() on. */
  int (*open_output)(ac_stage *st, const char *suffix);
  /* Sinks, from their flush: the file behind `fd` is complete. The host
   * names it with the others after every sink has flushed. */
  int (*finish_output)(ac_stage *st, int fd, const char *mime_type,
                       ac_artifact_role role, double duration);
  /* Finds a data file (e.g. "lexicons/en.lex", "words/en/units.txt") in the
   * voice search path. Returns a malloc'd path the caller frees, or NULL. */
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
  /* Publish stages: call it after each write, rename or removal that
   * changes the site. It does nothing in normal runs; the crash tests use
   * it to kill articast at every such step and check the site after. */
  void (*checkpoint)(ac_stage *st, const char *what);
} ac_host;

/* Whether host `h` has the helper `member` (one added after the first
 * release of this ABI version). */
#define AC_HOST_HAS(h, member)                                                 \
  ((h)->struct_size >= offsetof(ac_host, member) + sizeof((h)->member) &&      \
   (h)->member != NULL)

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
  AC_STAGE_PUBLISH /* files -> site (feed, pages) */
} ac_stage_kind;

/* A voice a synth stage can speak without a profile file (list_voices). */
typedef struct ac_voice_info {
  const char *name;        /* unique among the stage's voices */
  const char *language;    /* BCP 47 */
  const char *description; /* may be NULL */
  /* The settings that make this voice, in the form of a voice profile's
   * stage sections ("[espeak]\nvoice = cmn\nrate = 150\n"). */
  const char *settings;
} ac_voice_info;

typedef void (*ac_voice_info_fn)(void *ctx, const ac_voice_info *voice);

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
  /* Filters and sinks: end of stream. For sinks, st->episode->timeline is
   * set. */
  int (*flush)(ac_stage *st);
  /* Publish stages: the episode's files are named (st->episode->artifacts)
   * and its timeline known. When st->episode->doc is NULL there is no new
   * episode: rebuild what the site publishes (`articast feed`) from what
   * it already holds. */
  int (*publish)(ac_stage *st);

  /* Sinks (optional): the file extensions they can write on their own,
   * NULL-terminated (".wav", ".flac"), which `articast say -o FILE` picks
   * a sink by. */
  const char *const *extensions;
  /* Synth stages (optional): calls fn for every voice the stage can speak
   * without a profile file, so that an article in any language the engine
   * knows finds a voice. Called on an instance made with the stage's
   * defaults and the config's settings, before any segment. */
  int (*list_voices)(ac_stage *st, ac_voice_info_fn fn, void *ctx);
  /* Synth stages (optional): the host is about to run an episode's text
   * stages, and will need this stage after them, with settings not known
   * yet. The stage may start here what takes long to get ready and does
   * not depend on settings (an engine's process), for create() to find
   * under way. Called from the host's thread, outside any instance, once
   * per episode: it must not block, must be cheap when the work is
   * already started, and leaves any failure for create() to report. */
  void (*warm_up)(void);
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
