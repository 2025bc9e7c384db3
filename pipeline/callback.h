/* A job's callback: the POST its client asked for (callback_url) once the
 * job is done or has failed, with the job's status as JSON (serve.h's
 * serve_job_json) and, when the service has a bearer token, a signature
 * the receiver can check. Used by `articast serve`'s workers (retries kept
 * in the jobs table) and `articast worker` (retries in-process). */
#ifndef ARTICAST_CALLBACK_H
#define ARTICAST_CALLBACK_H

#include "fetch.h"

#include <stddef.h>

/* Tries a delivery made after a failed try: each waits twice as long as
 * the one before, from 1 s. */
#define AC_CALLBACK_TRIES 5

/* POSTs `json` to `url` with fetcher f (whose public-only rule applies),
 * signed with `token` when it is not NULL: the header
 * "X-Articast-Signature: sha256=HEX", HMAC-SHA256 of the body keyed with
 * the token. 0 when the receiver answered 2xx; else an AC_ERR_* code with
 * the reason in why. */
int ac_callback_post(ac_fetcher *f, const char *url, const char *json,
                     const char *token, char *why, size_t whylen);

#endif
