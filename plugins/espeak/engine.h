/*
 * The espeak stage's side of articast-espeak, the helper process that
 * runs espeak-ng (see helper.c for why, and wire.h for what crosses the
 * pipes). One helper serves the whole articast process: it is started on
 * first use and kept for every later episode and stage instance. The
 * caller serializes all calls (the stage holds one process-wide lock).
 */
#ifndef ARTICAST_ESPEAK_ENGINE_H
#define ARTICAST_ESPEAK_ENGINE_H

#include "wire.h"

#include <stddef.h>

/* The environment variable naming the helper to run instead of the
 * articast-espeak beside the plugin (for tests). */
#define ENGINE_HELPER_ENV "ARTICAST_ESPEAK_HELPER"

/* Starts the helper unless this process has one running (one inherited
 * through fork, or found dead, is replaced) and waits until it is ready.
 * Returns 0, or -1 with the reason in err. */
int engine_start(char *err, size_t errlen);

/* Starts the helper, as engine_start, without waiting for it to get
 * ready, so that its start-up (loading espeak-ng and its data) overlaps
 * the caller's work until engine_start. A failure is left for
 * engine_start to meet again and report. */
void engine_warm_up(void);

/* The running helper's sample rate, and what identifies espeak-ng's
 * version and data (for the segment cache's key). */
int engine_rate(void);
const char *engine_salt(void);

/* Receives a buffer of the block's audio and the events in it; returns 0
 * to go on, non-zero to drop the rest of the block. */
typedef int (*engine_buffer_fn)(void *ctx, const short *samples, size_t n,
                                const wire_event *events, size_t k);

/* Speaks one block: sends req, hands every buffer of the answer to fn and
 * stores its END! in *end. A helper found gone before it sent anything of
 * the block (it died between blocks) is replaced once. Returns 0, or -1
 * with the reason in err when the helper failed during the block (died,
 * or broke the wire format); the helper is then stopped and engine_start
 * starts a new one. */
int engine_speak(const wire_request *req, engine_buffer_fn fn, void *ctx,
                 wire_end *end, char *err, size_t errlen);

/* Receives one voice of espeak-ng's list (borrowed for the call). */
typedef void (*engine_voice_fn)(void *ctx, const wire_voice *voice);

/* Asks the helper for espeak-ng's voices (LIST) and hands each to fn, in
 * espeak's order. A helper found gone is replaced once. Returns 0, or -1
 * with the reason in err. */
int engine_list_voices(engine_voice_fn fn, void *ctx, char *err, size_t errlen);

#endif
