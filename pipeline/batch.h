/* Rendering several articles at once (`articast episode A B C -j N`). */
#ifndef ARTICAST_BATCH_H
#define ARTICAST_BATCH_H

#include "core.h"

#define AC_MAX_WORKERS 256

/* Renders every article with `jobs` cores (0: all): as many worker
 * processes as cores, or fewer when there are fewer articles, the cores
 * left over going to threads inside each article. Prints the files
 * written unless `quiet`, and a progress line on a terminal. A failing
 * article is reported and the others still render. Returns the first
 * failure's exit code. */
int ac_render_batch(ac_pipeline *pl, char **articles, int count, int jobs,
                    bool quiet);

#endif
