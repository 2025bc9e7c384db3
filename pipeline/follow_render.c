/* The follower's renders (follow.h): the queued articles go through the
 * batch supervisor (batch.c) like `articast episode`'s, each with its own
 * bytes, metadata and slug, and each result is recorded in the state as
 * soon as the article is done. */
#include "batch.h"
#include "follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fw_job_free(fw_job *j) {
  free(j->input);
  free(j->bytes);
  char **meta[] = {&j->meta.title,    &j->meta.author,  &j->meta.date,
                   &j->meta.language, &j->meta.summary, &j->meta.image,
                   &j->meta.url,      &j->meta.id};
  for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
    free(*meta[i]);
  free(j->slug);
  free(j->hash);
  free(j->etag);
  free(j->last_modified);
  free(j->label);
  memset(j, 0, sizeof *j);
}

/* In the worker: the article's own data for the runner. */
static void prepare(void *ctx, ac_pipeline *pl, int index) {
  fw_run *run = ctx;
  const fw_job *j = &run->jobs[index];
  if (run->lock_fd >= 0) {
    /* The site's lock is the follower's: should it be killed, the lock
     * must go with it, not live on in a worker. */
    close(run->lock_fd);
    run->lock_fd = -1;
  }
  pl->input_bytes = j->bytes;
  pl->input_len = j->len;
  pl->metadata = &j->meta;
  pl->slug = j->slug;
}

static void set_str(char **field, const char *value) {
  char *copy = value ? strdup(value) : NULL;
  free(*field);
  *field = copy;
}

/* In the parent: what the render did, into the article's row. */
static void finished(void *ctx, int index, int exit_code, const char *error) {
  fw_run *run = ctx;
  const fw_job *j = &run->jobs[index];
  fw_article a;
  char err[512];
  if (fw_article_by_id(run->state, j->article_id, &a, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    fw_note_failure(run, AC_EXIT_OUTPUT);
    return;
  }
  if (exit_code == 0) {
    set_str(&a.status, "published");
    set_str(&a.content_hash, j->hash);
    set_str(&a.etag, j->etag);
    set_str(&a.last_modified, j->last_modified);
    set_str(&a.last_error, NULL);
    a.attempts = 0;
    a.retry_after = 0;
    a.published_at = fw_now();
    run->rendered++;
  } else {
    /* The batch printed why; the state keeps it, with a back-off. */
    set_str(&a.status, "failed");
    set_str(&a.last_error, error && *error ? error : "the render failed");
    a.attempts++;
    a.retry_after = fw_now() + fw_backoff(a.attempts);
    run->failed++;
    fw_note_failure(run, exit_code);
  }
  if (fw_article_save(run->state, &a, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    fw_note_failure(run, AC_EXIT_OUTPUT);
  }
  fw_article_free(&a);
}

void fw_render_jobs(fw_run *run) {
  if (run->n_jobs == 0)
    return;
  char **inputs = calloc(run->n_jobs, sizeof *inputs);
  if (!inputs) {
    fw_note_failure(run, AC_EXIT_FAILURE);
  } else {
    for (size_t i = 0; i < run->n_jobs; i++)
      inputs[i] = run->jobs[i].input;
    ac_batch_hooks hooks = {.prepare = prepare,
                            .finished = finished,
                            .ctx = run,
                            .finish_on_stop = true};
    ac_render_batch_hooked(run->pl, inputs, (int)run->n_jobs, run->opt->jobs,
                           run->opt->time_limit, run->opt->quiet, &hooks);
    if (hooks.stopped_by)
      *run->stop = hooks.stopped_by;
    free(inputs);
  }
  for (size_t i = 0; i < run->n_jobs; i++)
    fw_job_free(&run->jobs[i]);
  run->n_jobs = 0;
  run->job_bytes = 0;
}
