/* The audio chain of one episode: synth -> filters -> sinks, segment by
 * segment, with the padding between segments and the segment cache (see
 * plugin.h, "Segments"). */
#include "episode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void note_failure(audio_chain *c, ac_stage_instance *si) {
  if (!c->failed)
    c->failed = si;
}

static int to_sinks(audio_chain *c, const ac_chunk *chunk) {
  for (size_t i = 0; i < c->n_sinks; i++) {
    ac_stage_instance *si = c->sinks[i];
    int rc = ac_stage_plugin(si)->process_audio(ac_stage_handle(si), chunk);
    if (rc) {
      note_failure(c, si);
      return rc;
    }
  }
  return AC_ERR_OK;
}

/* A chunk from the last filter (or the synth) on its way to the sinks:
 * moved to its place in the sinks' stream, its marks kept for the
 * timeline and the cache. */
static int deliver_to_sinks(audio_chain *c, const ac_chunk *chunk) {
  sink_stream *o = &c->out;
  ac_chunk moved = *chunk;
  moved.position = (uint64_t)((int64_t)chunk->position + o->shift);
  if (chunk->n_marks) {
    if (ac_marks_reserve(&o->moved, chunk->n_marks) ||
        ac_marks_reserve(&o->marks, o->marks.count + chunk->n_marks))
      return AC_ERR_NOMEM;
    for (size_t i = 0; i < chunk->n_marks; i++) {
      ac_mark m = chunk->marks[i];
      m.sample = (uint64_t)((int64_t)m.sample + o->shift);
      o->moved.items[i] = m;
      o->marks.items[o->marks.count++] = m;
    }
    moved.marks = o->moved.items;
  }
  if (chunk->sample_rate > 0)
    o->rate = chunk->sample_rate;
  o->zero_run =
      ac_zero_run_after(o->zero_run, chunk->samples, chunk->n_samples);
  o->position = moved.position + chunk->n_samples;
  return to_sinks(c, &moved);
}

static int deliver(void *ctx, const ac_chunk *chunk) {
  chain_link *link = ctx;
  audio_chain *c = link->chain;
  if (link->index < c->n_filters) {
    ac_stage_instance *si = c->filters[link->index];
    int rc = ac_stage_plugin(si)->process_audio(ac_stage_handle(si), chunk);
    if (rc)
      note_failure(c, si);
    return rc;
  }
  return deliver_to_sinks(c, chunk);
}

void ac_chain_connect(episode_run *r) {
  for (size_t i = 0; i <= r->chain.n_filters; i++)
    r->links[i] = (chain_link){&r->chain, i};
  ac_stage_set_output(r->synth, deliver, &r->links[0]);
  for (size_t i = 0; i < r->chain.n_filters; i++)
    ac_stage_set_output(r->chain.filters[i], deliver, &r->links[i + 1]);
}

void ac_chain_free(audio_chain *c) {
  for (size_t i = 0; i < c->n_filters; i++)
    ac_stage_free(c->filters[i]);
  for (size_t i = 0; i < c->n_sinks; i++)
    ac_stage_free(c->sinks[i]);
  ac_marks_free(&c->out.marks);
  ac_marks_free(&c->out.moved);
  ac_marks_free(&c->out.decoded);
  free(c->out.zeros);
}

/* ---- Segments ------------------------------------------------------------ */

/* Whether a block has anything to say: not boilerplate, and a letter or
 * digit (or any non-ASCII character, letters of other scripts) in it. */
static bool block_speaks(const ac_block *b) {
  if (b->kind == AC_BLOCK_BOILERPLATE || !b->text)
    return false;
  for (const unsigned char *t = (const unsigned char *)b->text; *t; t++)
    if (*t >= 0x80 || (*t >= '0' && *t <= '9') ||
        ((*t | 0x20) >= 'a' && (*t | 0x20) <= 'z'))
      return true;
  return false;
}

/* One segment per speaking block; blocks that say nothing go with the
 * segment before them (or the first). With `single`, one segment. */
static int plan_segments(episode_run *r, bool single) {
  const ac_document *doc = r->doc;
  size_t n = 0;
  for (size_t i = 0; i < doc->n_blocks; i++)
    n += !single && block_speaks(&doc->blocks[i]);
  if (n == 0)
    n = 1;
  r->segments = calloc(n, sizeof *r->segments);
  r->keys = calloc(n, sizeof *r->keys);
  if (!r->segments || !r->keys)
    return AC_ERR_NOMEM;
  size_t k = 0;
  bool started = false;
  for (size_t i = 0; i < doc->n_blocks; i++) {
    bool speaks = !single && block_speaks(&doc->blocks[i]);
    if (speaks && started)
      r->segments[++k].first_block = (uint32_t)i;
    started |= speaks;
    r->segments[k].n_blocks++;
  }
  r->n_segments = k + 1;
  for (size_t j = 0; j < r->n_segments; j++) {
    ac_segment *s = &r->segments[j];
    s->index = (uint32_t)j;
    s->is_first = j == 0;
    s->is_last = j + 1 == r->n_segments;
    s->next_block = s->is_last ? UINT32_MAX : r->segments[j + 1].first_block;
  }
  return 0;
}

/* What every segment's key covers: the format, and each audio stage's
 * name, version, option values and salts; the document's language, which
 * a stage may read where a block gives none. */
static int base_key(episode_run *r, ac_key_ctx *k) {
  ac_key_begin(k);
  ac_key_add_str(k, "articast segment 2");
  ac_key_add_int(k, AC_SEGMENT_QUANTUM);
  ac_key_add_int(k, AC_SEGMENT_MIN_SILENCE);
  ac_stage_instance *all[2 * AC_MAX_STAGES + 1];
  size_t n = 0;
  all[n++] = r->synth;
  for (size_t i = 0; i < r->chain.n_filters; i++)
    all[n++] = r->chain.filters[i];
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    all[n++] = r->chain.sinks[i];
  for (size_t i = 0; i < n; i++) {
    char *fp = ac_stage_fingerprint(all[i]);
    if (!fp)
      return AC_ERR_NOMEM;
    ac_key_add_str(k, fp);
    free(fp);
  }
  ac_key_add_str(k, r->doc->language);
  return 0;
}

static void key_block(ac_key_ctx *k, const ac_block *b) {
  ac_key_add_int(k, b->kind);
  ac_key_add_int(k, b->level);
  ac_key_add_str(k, b->text);
  ac_key_add_str(k, b->written);
  ac_key_add_str(k, b->lang);
  ac_key_add(k, b->map, b->n_map * sizeof *b->map);
}

/* A segment's key: the base, its place (first, last, what follows it) and
 * its blocks, all fields, without their indices (an inserted paragraph
 * leaves the others' keys alone). */
static void segment_keys(episode_run *r, const ac_key_ctx *base) {
  const ac_document *doc = r->doc;
  for (size_t j = 0; j < r->n_segments; j++) {
    const ac_segment *s = &r->segments[j];
    ac_key_ctx k = *base;
    ac_key_add_int(&k, s->is_first);
    ac_key_add_int(&k, s->is_last);
    if (s->is_last) {
      ac_key_add_int(&k, -1);
    } else {
      ac_key_add_int(&k, doc->blocks[s->next_block].kind);
      ac_key_add_int(&k, doc->blocks[s->next_block].level);
    }
    for (uint32_t i = 0; i < s->n_blocks; i++)
      key_block(&k, &doc->blocks[s->first_block + i]);
    ac_key_end(&k, &r->keys[j]);
  }
}

/* host->cache_put of the sinks. */
static int put_entry(void *ctx, const char *stage, uint32_t index,
                     const void *data, size_t len) {
  episode_run *r = ctx;
  if (!r->cache_dir || index >= r->n_segments)
    return AC_ERR_OK;
  int e = ac_cache_write(r->cache_dir, &r->keys[index], stage, data, len);
  if (e && !r->cache_warned) {
    r->cache_warned = true;
    ac_log(AC_LOG_WARN, "cannot write the segment cache in %s: %s",
           r->cache_dir, strerror(-e));
  }
  return AC_ERR_OK; /* a cache that cannot be written only costs time */
}

/* The marks entry of a synthesized segment, relative to its start. */
static void store_marks(episode_run *r, const ac_segment *s) {
  sink_stream *o = &r->chain.out;
  size_t n = o->marks.count - o->seg_marks;
  ac_mark_array rel = {0};
  if (ac_marks_reserve(&rel, n ? n : 1))
    return;
  for (size_t i = 0; i < n; i++) {
    rel.items[i] = o->marks.items[o->seg_marks + i];
    rel.items[i].sample -= s->position;
  }
  uint8_t *buf;
  size_t len;
  if (ac_marks_encode(o->rate, s->n_samples, rel.items, n, s->first_block, &buf,
                      &len) == 0) {
    put_entry(r, "@marks", s->index, buf, len);
    free(buf);
  }
  ac_marks_free(&rel);
}

/* Reads every entry a replay needs. Returns 1 when all are there. */
static int read_entries(episode_run *r, const ac_segment *s, void **marks,
                        size_t *marks_len, void **blobs, size_t *lens) {
  const ac_key *key = &r->keys[s->index];
  if (ac_cache_read(r->cache_dir, key, "@marks", marks, marks_len) != 0)
    return 0;
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    if (ac_cache_read(r->cache_dir, key,
                      ac_stage_plugin(r->chain.sinks[i])->name, &blobs[i],
                      &lens[i]) != 0)
      return 0;
  return 1;
}

/* Hands the sinks segment `s` from the cache if every entry is there and
 * sound. Returns 1 when replayed, 0 on a miss, or an error. */
static int try_replay(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  sink_stream *o = &c->out;
  void *marks_data = NULL;
  size_t marks_len = 0;
  void *blobs[AC_MAX_STAGES] = {0};
  size_t lens[AC_MAX_STAGES] = {0};
  int rc = read_entries(r, s, &marks_data, &marks_len, blobs, lens);
  if (rc == 1) {
    int rate;
    uint64_t frames;
    rc = ac_marks_decode(marks_data, marks_len, s->first_block, s->n_blocks,
                         o->position, &rate, &frames, &o->decoded);
    if (rc == AC_ERR_FORMAT || (o->rate && rate != o->rate))
      rc = 0; /* a damaged entry: synthesize the segment again */
    else if (rc == 0)
      rc = 1;
    s->sample_rate = rate;
    s->n_samples = frames;
  }
  if (rc == 1 &&
      ac_marks_reserve(&o->marks, o->marks.count + o->decoded.count) != 0)
    rc = AC_ERR_NOMEM;
  if (rc == 1) {
    memcpy(o->marks.items + o->marks.count, o->decoded.items,
           o->decoded.count * sizeof *o->decoded.items);
    o->marks.count += o->decoded.count;
    s->position = o->position;
    s->marks = o->decoded.items;
    s->n_marks = o->decoded.count;
    o->rate = s->sample_rate;
    for (size_t i = 0; i < c->n_sinks && rc == 1; i++) {
      ac_stage_instance *si = c->sinks[i];
      s->cached = blobs[i];
      s->cached_len = lens[i];
      int e = ac_stage_plugin(si)->replay_segment(ac_stage_handle(si), s);
      if (e) {
        note_failure(c, si);
        rc = e;
      }
    }
    s->cached = NULL;
    s->marks = NULL;
    o->position += s->n_samples;
    o->shift += (int64_t)s->n_samples;
    o->zero_run = 0;
  }
  free(marks_data);
  for (size_t i = 0; i < c->n_sinks; i++)
    free(blobs[i]);
  return rc;
}

/* The filters pass on what they hold of the segment: end_segment, or for
 * the last segment flush, which ends their stream (and trims its tail).
 * Flushing a filter may emit downstream, so they go in order. */
static int end_filters(audio_chain *c, const ac_segment *s) {
  for (size_t i = 0; i < c->n_filters; i++) {
    ac_stage_instance *si = c->filters[i];
    const ac_plugin *p = ac_stage_plugin(si);
    int rc =
        s->is_last
            ? (p->flush ? p->flush(ac_stage_handle(si)) : 0)
            : (p->end_segment ? p->end_segment(ac_stage_handle(si), s) : 0);
    if (rc) {
      note_failure(c, si);
      return rc;
    }
  }
  return 0;
}

/* The zeros that end every segment but the last (plugin.h, "Segments"). */
static int pad_segment(audio_chain *c, const ac_segment *s) {
  sink_stream *o = &c->out;
  if (s->is_last)
    return 0;
  uint64_t pad = ac_segment_padding(o->position - o->seg_start, o->zero_run);
  if (pad > 0 && !o->zeros &&
      !(o->zeros = calloc(AC_MAX_CHUNK, sizeof *o->zeros)))
    return AC_ERR_NOMEM;
  while (pad > 0) {
    size_t k = pad < AC_MAX_CHUNK ? (size_t)pad : AC_MAX_CHUNK;
    ac_chunk z = {.samples = o->zeros,
                  .n_samples = k,
                  .position = o->position,
                  .sample_rate = o->rate};
    int rc = to_sinks(c, &z);
    if (rc)
      return rc;
    o->position += k;
    o->shift += (int64_t)k;
    o->zero_run += k;
    pad -= k;
  }
  return 0;
}

/* Ends a synthesized segment: the filters pass on what they hold, the
 * padding goes in, the sinks close the segment. */
static int end_segment(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  sink_stream *o = &c->out;
  int rc = end_filters(c, s);
  if (rc == 0)
    rc = pad_segment(c, s);
  if (rc)
    return rc;
  s->position = o->seg_start;
  s->n_samples = o->position - o->seg_start;
  s->sample_rate = o->rate;
  for (size_t i = 0; i < c->n_sinks; i++) {
    ac_stage_instance *si = c->sinks[i];
    const ac_plugin *p = ac_stage_plugin(si);
    if (p->end_segment && (rc = p->end_segment(ac_stage_handle(si), s))) {
      note_failure(c, si);
      return rc;
    }
  }
  if (r->cache_dir)
    store_marks(r, s);
  return 0;
}

static int begin_segment(audio_chain *c, const ac_segment *s) {
  for (size_t k = 0; k < 2; k++) {
    size_t n = k == 0 ? c->n_filters : c->n_sinks;
    for (size_t i = 0; i < n; i++) {
      ac_stage_instance *si = k == 0 ? c->filters[i] : c->sinks[i];
      const ac_plugin *p = ac_stage_plugin(si);
      int rc = p->begin_segment ? p->begin_segment(ac_stage_handle(si), s) : 0;
      if (rc) {
        note_failure(c, si);
        return rc;
      }
    }
  }
  return 0;
}

static int run_segment(episode_run *r, ac_segment *s) {
  audio_chain *c = &r->chain;
  if (r->cache_dir) {
    int rc = try_replay(r, s);
    if (rc > 0)
      r->replayed++;
    if (rc)
      return rc < 0 ? rc : 0;
  }
  c->out.seg_start = c->out.position;
  c->out.seg_marks = c->out.marks.count;
  int rc = begin_segment(c, s);
  if (rc == 0)
    rc = ac_stage_plugin(r->synth)->synthesize(ac_stage_handle(r->synth), s);
  if (rc == 0)
    rc = end_segment(r, s);
  return rc;
}

/* Decides the segments and whether the cache serves this episode. */
static int prepare_segments(episode_run *r) {
  bool single = ac_stage_wants_single_segment(r->synth);
  bool replayable = true;
  for (size_t i = 0; i < r->chain.n_filters; i++)
    single |= ac_stage_wants_single_segment(r->chain.filters[i]);
  for (size_t i = 0; i < r->chain.n_sinks; i++) {
    single |= ac_stage_wants_single_segment(r->chain.sinks[i]);
    replayable &= ac_stage_plugin(r->chain.sinks[i])->replay_segment != NULL;
  }
  int rc = plan_segments(r, single);
  if (rc || single || !replayable || !r->pl->cache_dir)
    return rc;
  ac_key_ctx base;
  if ((rc = base_key(r, &base)))
    return rc;
  segment_keys(r, &base);
  r->cache_dir = r->pl->cache_dir;
  for (size_t i = 0; i < r->chain.n_sinks; i++)
    ac_stage_set_cache_put(r->chain.sinks[i], put_entry, r);
  return 0;
}

int ac_chain_run(episode_run *r) {
  int rc = prepare_segments(r);
  for (size_t i = 0; i < r->n_segments && rc == 0; i++) {
    rc = run_segment(r, &r->segments[i]);
    if (rc == 0 && r->pl->progress)
      r->pl->progress(r->pl->progress_ctx, i + 1, r->n_segments,
                      r->chain.out.rate > 0
                          ? (double)r->chain.out.position / r->chain.out.rate
                          : 0.0);
  }
  if (rc == 0 && r->cache_dir)
    ac_log(AC_LOG_INFO, "%s: %zu of %zu segments from the cache (%s)", r->input,
           r->replayed, r->n_segments, r->cache_dir);
  return rc;
}

int ac_chain_finish_timeline(episode_run *r) {
  sink_stream *o = &r->chain.out;
  ac_chapters_init(&r->chapters, r->doc);
  for (size_t i = 0; i < o->marks.count; i++)
    if (ac_chapters_mark(&r->chapters, &o->marks.items[i]))
      return AC_ERR_NOMEM;
  if (ac_chapters_finish(&r->chapters, o->position))
    return AC_ERR_NOMEM;
  r->timeline = (ac_timeline){.sample_rate = o->rate,
                              .n_samples = o->position,
                              .marks = o->marks.items,
                              .n_marks = o->marks.count,
                              .chapters = r->chapters.items,
                              .n_chapters = r->chapters.count};
  r->episode.timeline = &r->timeline;
  return 0;
}
