/* A growing map from offsets of a block's spoken text to offsets of its
 * written text (plugin.h, ac_span), as the stages that rewrite the spoken
 * text (normalize, kana) build it, in order of spoken offset. */
#ifndef ARTICAST_SPANS_H
#define ARTICAST_SPANS_H

#include "articast/plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ac_span_list {
  ac_span *v; /* malloc'd; the caller frees it or hands it to a block */
  size_t n, cap;
} ac_span_list;

/* Adds the pair; a pair for the spoken offset of the last one replaces it
 * (the later entry wins). 0, or AC_ERR_NOMEM. */
int ac_span_list_add(ac_span_list *l, uint32_t spoken, uint32_t written);

#endif
