/* UUIDv5 (see uuid.h). */
#include "uuid.h"

#include <nettle/sha1.h>
#include <nettle/version.h>
#include <stdint.h>
#include <stdio.h>

/* ead4c236-bf58-58c6-a2c6-a6b28d128cb6, the Podcasting 2.0 namespace. */
static const uint8_t podcast_ns[16] = {0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58,
                                       0x58, 0xc6, 0xa2, 0xc6, 0xa6, 0xb2,
                                       0x8d, 0x12, 0x8c, 0xb6};

void ac_uuid5(const char *name, size_t len, char out[37]) {
  struct sha1_ctx ctx;
  uint8_t h[SHA1_DIGEST_SIZE];
  sha1_init(&ctx);
  sha1_update(&ctx, sizeof podcast_ns, podcast_ns);
  sha1_update(&ctx, len, (const uint8_t *)name);
#if NETTLE_VERSION_MAJOR > 3 ||                                                \
    (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 10)
  sha1_digest(&ctx, h); /* nettle 3.10 dropped the length argument */
#else
  sha1_digest(&ctx, sizeof h, h);
#endif
  h[6] = (uint8_t)((h[6] & 0x0F) | 0x50); /* version 5 */
  h[8] = (uint8_t)((h[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    o += sprintf(o, "%02x", h[i]);
  }
  *o = '\0';
}
