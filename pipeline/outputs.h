/* The files of one episode (plugin.h, "Files"): opened for the sinks,
 * finished by them, then named all together by the host. */
#ifndef ARTICAST_OUTPUTS_H
#define ARTICAST_OUTPUTS_H

#include "core.h"

/* The marks of temporary files' names: ".<file>.tmp-XXXXXX" while written
 * (where O_TMPFILE is not available), ".<file>.commit-XXXXXX" while the
 * host names a complete file. */
#define AC_OUTPUT_TEMP_TAG "tmp-"
#define AC_OUTPUT_COMMIT_TAG "commit-"

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

/* Hex digits of the version in a file's name: <stem>.<version><suffix>. */
#define AC_OUTPUT_VERSION_DIGITS 10

typedef struct ac_outputs {
  char *dir;        /* SITE/episodes */
  char *stem;       /* the slug */
  char *exact_path; /* `articast say`: the one file, else NULL */
  ac_output *items;
  size_t count;
  ac_artifact *artifacts; /* after commit, one per item */
  bool committed;
  char version[AC_OUTPUT_VERSION_DIGITS + 1]; /* of the committed set */
  bool unversioned; /* name files <stem><suffix> (a sink's unit tests) */
  bool stem_chosen; /* the caller keeps the article's slug (articast
                       follow's state): claim takes it as it is */
  int lock_fd;      /* the slug's lock, or -1 */
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
/* Takes the slug for the article whose identity is `guid`: locks it
 * against other renders of the same slug until ac_outputs_retire, and
 * records the article as its owner. An article that already owns a slug
 * in the site keeps it, whatever its title says now (unless stem_chosen).
 * A slug another article owns (two articles with one title) is not taken:
 * the next free one ("slug-2", ...) is, and o->stem changes. Returns 0 or
 * an ac_error with why in err. */
int ac_outputs_claim(ac_outputs *o, const char *guid, char *err, size_t errlen);
/* Calls fn for every slug of the episodes directory `dir` and the identity
 * that owns it (<dir>/.<slug>.owner), in no particular order. Returns 0 or
 * -errno (a missing directory holds no slug). */
int ac_outputs_owners(const char *dir,
                      void (*fn)(void *ctx, const char *slug, const char *guid),
                      void *ctx);
/* Names every file <stem>.<version><suffix>, the version a hash of all the
 * files' contents, so a new version never replaces the files the feed and
 * pages still describe: each file gets a temporary name, then all are
 * renamed and the directory synced. Fills o->artifacts. */
int ac_outputs_commit(ac_outputs *o, char *err, size_t errlen);
/* Once every publisher describes the new version: removes the episode's
 * other versions and the debris of killed renders (old hidden temporary
 * files), and releases the slug. */
void ac_outputs_retire(ac_outputs *o);
/* Closes the files, removes what was not committed, releases the slug. */
void ac_outputs_free(ac_outputs *o);

#endif
