/* A job's callback POST (callback.h). */
#define _GNU_SOURCE /* asprintf */
#include "callback.h"

#include <articast/plugin.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The signature header line, malloc'd; NULL without a token. */
static char *signature(const char *token, const char *body) {
  if (!token)
    return NULL;
  struct hmac_sha256_ctx h;
  uint8_t mac[SHA256_DIGEST_SIZE];
  hmac_sha256_set_key(&h, strlen(token), (const uint8_t *)token);
  hmac_sha256_update(&h, strlen(body), (const uint8_t *)body);
  hmac_sha256_digest(&h, sizeof mac, mac);
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  for (size_t i = 0; i < sizeof mac; i++)
    snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  char *line = NULL;
  if (asprintf(&line, "X-Articast-Signature: sha256=%s", hex) < 0)
    return NULL;
  return line;
}

int ac_callback_post(ac_fetcher *f, const char *url, const char *json,
                     const char *token, char *why, size_t whylen) {
  char *sig = signature(token, json);
  if (token && !sig) {
    snprintf(why, whylen, "out of memory");
    return AC_ERR_NOMEM;
  }
  const char *headers[] = {sig, NULL};
  long status = 0;
  int rc = ac_fetch_post(f, url, "application/json", headers, json,
                         strlen(json), &status, why, whylen);
  free(sig);
  return rc;
}
