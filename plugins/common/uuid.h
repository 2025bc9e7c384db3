/* UUIDv5 (RFC 4122, SHA-1) in the Podcasting 2.0 namespace, shared by the
 * core (episode guids) and the feed (podcast:guid); compiled into both. */
#ifndef ARTICAST_COMMON_UUID_H
#define ARTICAST_COMMON_UUID_H

#include <stddef.h>

/* Writes the UUIDv5 of `len` bytes of `name` in the namespace
 * ead4c236-bf58-58c6-a2c6-a6b28d128cb6, lowercase, NUL-terminated. */
void ac_uuid5(const char *name, size_t len, char out[37]);

#endif
