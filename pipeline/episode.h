/* One episode's run, shared by the runner (runner.c: text stages, stages,
 * publishing) and the audio chain (audio.c: segments, cache, sinks). */
#ifndef ARTICAST_EPISODE_H
#define ARTICAST_EPISODE_H

#include "cache.h"
#include "core.h"
#include "outputs.h"
#include "timeline.h"

/* The stream the sinks see: the synthesized segments as the filters passed
 * them on, the padding between segments and the segments replayed from the
 * cache. */
typedef struct sink_stream {
  uint64_t position;  /* frames handed to the sinks so far */
  int64_t shift;      /* sink position - position at the last filter */
  uint64_t seg_start; /* where the current segment started */
  uint64_t zero_run;  /* zeros at the end of what was handed on */
  int rate;
  size_t seg_marks;      /* index in `marks` of the segment's first mark */
  ac_mark_array marks;   /* every mark the sinks got: the timeline */
  ac_mark_array moved;   /* a chunk's marks, shifted */
  ac_mark_array decoded; /* a replayed segment's marks */
  float *zeros;          /* AC_MAX_CHUNK frames of padding */
} sink_stream;

typedef struct audio_chain {
  ac_stage_instance *filters[AC_MAX_STAGES];
  size_t n_filters;
  ac_stage_instance *sinks[AC_MAX_STAGES];
  size_t n_sinks;
  ac_stage_instance *failed; /* the stage whose callback returned an error */
  sink_stream out;
} audio_chain;

typedef struct chain_link {
  audio_chain *chain;
  size_t index; /* filter index, or n_filters for the sinks */
} chain_link;

typedef struct episode_run {
  ac_pipeline *pl;
  const char *input;
  ac_document *doc;
  ac_voice_profile voice;
  ac_settings settings; /* the config's, with the voice's layer */
  ac_episode episode;
  char *slug;
  char *guid;
  ac_outputs outputs;
  ac_stage_instance *synth;
  audio_chain chain;
  chain_link links[AC_MAX_STAGES + 1];
  ac_stage_instance *publishers[AC_MAX_STAGES];
  size_t n_publishers;
  /* Segments and their cache keys. */
  ac_segment *segments;
  ac_key *keys;
  size_t n_segments;
  const char *cache_dir; /* NULL: the cache is off for this episode */
  bool cache_warned;
  size_t replayed;
  /* The timeline the sinks' flush and the publishers see. */
  ac_chapter_builder chapters;
  ac_timeline timeline;
} episode_run;

/* Wires synth -> filters -> sinks. */
void ac_chain_connect(episode_run *r);
/* Plans the segments, turns the cache on when every stage allows it, and
 * speaks (or replays) every segment, reporting progress. Returns 0 or the
 * error a stage raised (r->chain.failed names it, else the synth). */
int ac_chain_run(episode_run *r);
/* Derives the timeline (marks and chapters) once the last segment is in. */
int ac_chain_finish_timeline(episode_run *r);
void ac_chain_free(audio_chain *c);

#endif
