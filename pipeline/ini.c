/* INI files through libinih, with the line numbers and first-error
 * reporting the config and voice profiles need (see core.h). */
#include "core.h"

#include <ini.h>

typedef struct ini_run {
  FILE *file;
  int line;     /* of the line inih handed the handler last */
  int err_line; /* of the first error the handler reported */
  ac_ini_handler handler;
  void *user;
} ini_run;

/* Debian's inih is built without line numbers in the handler, so count the
 * lines as they are read. */
static char *read_line(char *buf, int size, void *stream) {
  ini_run *r = stream;
  char *got = fgets(buf, size, r->file);
  if (got)
    r->line++;
  return got;
}

static int on_entry(void *user, const char *section, const char *key,
                    const char *value) {
  ini_run *r = user;
  if (r->err_line)
    return 0; /* inih goes on after an error; keep the first */
  int ok = r->handler(r->user, section, key, value, r->line);
  if (!ok)
    r->err_line = r->line;
  return ok;
}

int ac_ini_parse(FILE *f, const char *path, ac_ini_handler handler, void *user,
                 char *err, size_t errlen) {
  ini_run r = {f, 0, 0, handler, user};
  err[0] = '\0';
  int rc = ini_parse_stream(read_line, &r, on_entry, &r);
  if (rc == 0)
    return AC_ERR_OK;
  if (rc != r.err_line)
    snprintf(err, errlen, "%s:%d: not valid INI syntax", path, rc);
  return AC_ERR_INVALID;
}
