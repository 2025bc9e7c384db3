/* mkdir -p (see mkdirs.h). */
#include "mkdirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ac_mkdirs(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return -ENOMEM;
  int rc = 0;
  for (char *p = copy + 1; rc == 0; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST)
      rc = -errno;
    *p = c;
    if (!c)
      break;
  }
  free(copy);
  struct stat st;
  if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
    rc = -ENOTDIR;
  return rc;
}
