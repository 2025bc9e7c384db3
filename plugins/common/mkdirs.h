/* mkdir -p, shared by the core and the plugins (both compile mkdirs.c). */
#ifndef ARTICAST_COMMON_MKDIRS_H
#define ARTICAST_COMMON_MKDIRS_H

/* Creates a directory and its missing parents. Returns 0, or -errno
 * (-ENOTDIR when something that is not a directory stands in the way). */
int ac_mkdirs(const char *path);

#endif
