/*
 * Output files that appear whole or not at all: written under a temporary
 * name beside the final path (same directory, so the rename is atomic),
 * then fsync'd and renamed over the final path. A reader of the site never
 * sees a half-written file, and a failure leaves the old file in place.
 * Shared by the sinks (mp3, wav, transcript), the feed publisher and the
 * default cover.
 */
#ifndef ARTICAST_COMMON_OUTFILE_H
#define ARTICAST_COMMON_OUTFILE_H

#include <stddef.h>

typedef struct outfile {
  char *final_path; /* where commit puts it; kept until discard */
  char *temp_path;  /* NULL once committed or discarded */
  int fd;           /* open read/write on temp_path, or -1 */
  int anonymous;    /* no name yet (O_TMPFILE): a killed process leaves
                       nothing behind; commit links it as temp_path */
} outfile;

/* Flags of outfile_open_with. */
enum {
  OUTFILE_PARENTS = 1, /* make the missing parent directories */
  OUTFILE_HIDDEN = 2,  /* temporary name ".<name>.<kind>-XXXXXX", a dot file
                          in the directory of final_path */
};

/* Marks f as holding nothing, so that outfile_discard() is always safe. */
void outfile_init(outfile *f);

/* Creates the temporary file beside final_path (mode 0600 until committed,
 * close-on-exec), making the parent directories when missing. Where the file
 * system allows it the file has no name until commit (O_TMPFILE), so a
 * process killed mid-episode leaves no debris; elsewhere it is
 * "<final_path>.<kind>-XXXXXX". Returns 0, or -1 with the reason in err
 * (errno is ENOMEM when memory ran out). */
int outfile_open(outfile *f, const char *final_path, const char *kind,
                 char *err, size_t errlen);

/* outfile_open with OUTFILE_* flags: outfile_open is OUTFILE_PARENTS;
 * without it a missing directory is an error. */
int outfile_open_with(outfile *f, const char *final_path, const char *kind,
                      unsigned flags, char *err, size_t errlen);

/* Writes all of buf at the current offset (or at `offset` when >= 0),
 * retrying short writes. Returns 0 or -1 with errno set. */
int outfile_write(int fd, const void *buf, size_t len, long long offset);

/* Gives the file mode 0644, fsyncs and closes it, renames it to the final
 * path and fsyncs the directory: outfile_finish, outfile_rename and
 * outfile_sync_dir. Returns 0, or -1 with the reason in err (the temporary
 * file is then removed). */
int outfile_commit(outfile *f, char *err, size_t errlen);

/* The steps of outfile_commit, for a set of files that replace their old
 * versions together: finish every one, rename every one, then sync the
 * directory once. */

/* Gives the file mode 0644, fsyncs it, names it temp_path (when anonymous)
 * and closes it: a complete file under its temporary name. Returns 0, or -1
 * with the reason in err (the temporary file is then removed). */
int outfile_finish(outfile *f, char *err, size_t errlen);

/* Renames a finished file over its final path. Returns 0, or -1 with the
 * reason in err (the temporary file is then removed). */
int outfile_rename(outfile *f, char *err, size_t errlen);

/* Fsyncs the directory of path, which makes renames into it durable; a
 * directory that cannot be synced (some file systems refuse) is no reason to
 * fail a file that is already in place. */
void outfile_sync_dir(const char *path);

/* Closes and removes the temporary file, if any, and frees the paths: call
 * it after a commit too. It leaves errno as it was. */
void outfile_discard(outfile *f);

/* A scratch file for a stage's own use (spooled audio, encoded frames
 * waiting for their tag): unnamed in $TMPDIR (or /tmp), so nothing is left
 * behind whatever happens, open read/write and close-on-exec. `label`
 * names it where the file system needs a name for a moment. Returns the
 * descriptor, or -1 with errno set. */
int outfile_scratch(const char *label);

#endif
