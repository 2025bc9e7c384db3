/*
 * A small strict JSON (RFC 8259) reader for the Podcasting 2.0 chapters
 * file the transcript sink writes. It builds a tree; nothing here writes
 * JSON.
 */
#ifndef ARTICAST_FEED_JSON_H
#define ARTICAST_FEED_JSON_H

#include <stddef.h>

typedef enum json_type {
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  double number;     /* JSON_NUMBER */
  char *string;      /* JSON_STRING: UTF-8, NUL-terminated; an escaped U+0000
                        becomes U+FFFD so the string stays one C string */
  json_value *items; /* array elements, or object member values */
  char **keys;       /* object member names, parallel to items */
  size_t count;
};

/* Parses len bytes. Returns 0, or -1 with the reason and byte offset in
 * why. On success the caller frees *out with json_free. */
int json_parse(const char *text, size_t len, json_value *out, char *why,
               size_t whylen);
void json_free(json_value *v);
/* The first member named key of an object, or NULL. */
const json_value *json_member(const json_value *obj, const char *key);

#endif
