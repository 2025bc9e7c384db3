/* Spoken-to-written offset maps (spans.h). */
#include "spans.h"

#include <stdlib.h>

int ac_span_list_add(ac_span_list *l, uint32_t spoken, uint32_t written) {
  if (l->n > 0 && l->v[l->n - 1].spoken == spoken) {
    l->v[l->n - 1].written = written;
    return 0;
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    ac_span *g = realloc(l->v, cap * sizeof *g);
    if (!g)
      return AC_ERR_NOMEM;
    l->v = g;
    l->cap = cap;
  }
  l->v[l->n++] = (ac_span){spoken, written};
  return 0;
}
