/*
 * Output files that appear whole or not at all: written under a temporary
 * name beside the final path (same directory, so the rename is atomic),
 * then fsync'd and renamed over the final path. A reader of the site never
 * sees a half-written episode, and a failure leaves the old file in place.
 * Shared by the sinks (mp3, wav).
 */
#ifndef ARTICAST_OUTFILE_H
#define ARTICAST_OUTFILE_H

#include <stddef.h>

typedef struct outfile {
  char *final_path; /* where commit puts it; kept until discard */
  char *temp_path;  /* NULL once committed or discarded */
  int fd;           /* open read/write on temp_path, or -1 */
  int anonymous;    /* no name yet (O_TMPFILE): a killed process leaves
                       nothing behind; commit links it as temp_path */
} outfile;

/* Marks f as holding nothing, so that outfile_discard() is always safe. */
void outfile_init(outfile *f);

/* Creates the temporary file beside final_path (mode 0600 until committed),
 * making the parent directories when missing. Where the file system allows
 * it the file has no name until commit (O_TMPFILE), so a process killed
 * mid-episode leaves no debris; elsewhere it is "<final_path>.<kind>-XXXXXX".
 * Returns 0, or -1 with the reason in err. */
int outfile_open(outfile *f, const char *final_path, const char *kind,
                 char *err, size_t errlen);

/* Writes all of buf at the current offset (or at `offset` when >= 0),
 * retrying short writes. Returns 0 or -1 with errno set. */
int outfile_write(int fd, const void *buf, size_t len, long long offset);

/* Gives the file mode 0644, fsyncs and closes it, renames it to the final
 * path and fsyncs the directory. Returns 0, or -1 with the reason in err
 * (the temporary file is then removed). */
int outfile_commit(outfile *f, char *err, size_t errlen);

/* Closes and removes the temporary file, if any, and frees the paths: call
 * it after a commit too. */
void outfile_discard(outfile *f);

#endif
