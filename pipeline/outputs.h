/* The files of one episode (plugin.h, "Files"): opened for the sinks,
 * finished by them, then named all together by the host. */
#ifndef ARTICAST_OUTPUTS_H
#define ARTICAST_OUTPUTS_H

#include "core.h"

/* The mark of a temporary file's name: ".<file>.tmp-XXXXXX". */
#define AC_OUTPUT_TEMP_TAG "tmp-"

typedef struct ac_output {
  int fd;
  char *suffix;
  char *path;      /* the final name */
  char *temp_path; /* its temporary name, NULL while unnamed (O_TMPFILE) */
  char *mime_type;
  ac_artifact_role role;
  double duration;
  uint64_t size;
  bool finished;
} ac_output;

typedef struct ac_outputs {
  char *dir;        /* SITE/episodes */
  char *stem;       /* the slug */
  char *exact_path; /* `articast say`: the one file, else NULL */
  ac_output *items;
  size_t count;
  ac_artifact *artifacts; /* after commit, one per item */
  bool committed;
} ac_outputs;

int ac_outputs_init(ac_outputs *o, const char *dir, const char *stem,
                    const char *exact_path);
/* An empty, unnamed file for `suffix`; the directory is made on demand.
 * Returns the descriptor, or a negative ac_error with why in err. */
int ac_outputs_open(ac_outputs *o, const char *suffix, char *err,
                    size_t errlen);
/* The file behind fd is complete: fsyncs it and records what it is. */
int ac_outputs_finish(ac_outputs *o, int fd, const char *mime_type,
                      ac_artifact_role role, double duration, char *err,
                      size_t errlen);
/* Names every file: each gets a temporary name first, then all are renamed
 * into place and the directory synced. Fills o->artifacts. */
int ac_outputs_commit(ac_outputs *o, char *err, size_t errlen);
/* Closes the files and removes what was not committed. */
void ac_outputs_free(ac_outputs *o);

#endif
