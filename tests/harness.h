/*
 * Test harness: runs single stages inside the real host (core) with a
 * collecting sink, loads plugins from the build tree, and a few helpers
 * for fixtures and subprocesses. Every suite links it.
 */
#ifndef ARTICAST_HARNESS_H
#define ARTICAST_HARNESS_H

#include "core.h"
#include "outputs.h"
#include "timeline.h"

#include <check.h>

/* Loads plugins/<name>.so from the build tree; fails the test if it cannot.
 * The plugin stays loaded until the process ends. */
const ac_plugin *harness_plugin(const char *name);

/* Creates a stage instance. `settings` is a NULL-terminated list of
 * "key=value" strings for this plugin (may be NULL). On failure returns
 * NULL and, when err is not NULL, copies the message. */
ac_stage_instance *harness_stage(const char *plugin,
                                 const char *const *settings,
                                 const ac_episode *episode, char *err,
                                 size_t errlen);

/* Everything a stage emitted, concatenated. */
typedef struct harness_audio {
  float *samples;
  size_t n_samples;
  int sample_rate;
  ac_mark *marks;
  size_t n_marks;
  size_t n_chunks;
  size_t max_chunk; /* largest chunk seen, in frames */
  int positions_ok; /* each chunk started where the last one ended */
} harness_audio;

/* An ac_chunk_sink_fn that appends to a harness_audio (ctx). */
int harness_collect(void *ctx, const ac_chunk *chunk);
void harness_audio_free(harness_audio *a);

/* Runs a source plugin on a file (or on `text` when path is NULL) and
 * returns the document; fails the test on error. */
ac_document *harness_read(const char *plugin, const char *path,
                          const char *text);
/* Runs a text stage in place; returns its result code. The stage's error
 * message, if any, is copied to err. */
int harness_text_stage(const char *plugin, const char *const *settings,
                       ac_document *doc, char *err, size_t errlen);

/* Reads a file into a NUL-terminated malloc'd string; fails the test if it
 * cannot. */
char *harness_slurp(const char *path);
/* printf into a malloc'd string; fails the test when out of memory. */
char *harness_fmt(const char *f, ...) AC_PRINTF(1, 2);
/* Writes len bytes (or a string) as the whole file at path; fails the test
 * if it cannot. */
void harness_write_bytes(const char *path, const void *data, size_t len);
void harness_write_text(const char *path, const char *text);
/* Path under tests/data, malloc'd. */
char *harness_data(const char *relative);
/* A fresh empty directory under $TMPDIR, malloc'd. */
char *harness_tempdir(void);
/* Runs a shell command, captures stdout (malloc'd, may be NULL) and returns
 * the exit status (or -1). */
int harness_run(const char *command, char **out);
/* The articast binary of this build. */
const char *harness_binary(void);
/* A minimal episode (voice en-us newsreader profile when found) for doc. */
void harness_episode(ac_episode *ep, ac_voice_profile *vp,
                     const ac_document *doc);

/* What the host does around sinks, for suites that drive one directly:
 * the files a sink opens go to <output_base><suffix>, and the timeline
 * (marks, length, chapters) is built from the chunks fed through
 * harness_sinks_chunk. */
typedef struct harness_sinks {
  ac_episode *ep;
  ac_outputs outputs;
  ac_mark_array marks;
  uint64_t frames;
  int rate;
  ac_chapter_builder chapters;
  ac_timeline timeline;
} harness_sinks;

void harness_sinks_init(harness_sinks *h, ac_episode *ep,
                        const char *output_base);
/* Creates a sink stage of the episode whose files go to h's outputs; as
 * harness_stage otherwise. */
ac_stage_instance *harness_sink_stage(harness_sinks *h, const char *plugin,
                                      const char *const *settings, char *err,
                                      size_t errlen);
/* Records the chunk for the timeline and hands it to the sink. */
int harness_sinks_chunk(harness_sinks *h, ac_stage_instance *si,
                        const ac_chunk *chunk);
/* Records a replayed segment for the timeline and hands it to the sink. */
int harness_sinks_replay(harness_sinks *h, ac_stage_instance *si,
                         const ac_segment *seg);
/* Builds the timeline, flushes the sink, and names its files (then in
 * h->outputs.artifacts). Returns the flush's or the naming's error; the
 * naming's message goes to err. */
int harness_sinks_flush(harness_sinks *h, ac_stage_instance *si, char *err,
                        size_t errlen);
void harness_sinks_free(harness_sinks *h);

/* Runs a suite with CK_NORMAL output and returns the process exit code. */
int harness_main(Suite *s);

#endif
