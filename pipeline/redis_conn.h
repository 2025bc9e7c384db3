/* What redis.c gives the worker (redis_worker.c): connections and replies
 * read with care. Not for other modules: they use redis.h. */
#ifndef ARTICAST_REDIS_CONN_H
#define ARTICAST_REDIS_CONN_H

#include "redis.h"

#include <hiredis/hiredis.h>

/* Connects (timeout seconds for the connection and every command), then
 * AUTH and SELECT as the URL says. NULL with why in err. */
redisContext *ac_redis_connect(const ac_redis_url *u, double timeout, char *err,
                               size_t errlen);
/* Makes the job stream and its consumer group unless they exist. */
int ac_redis_ensure_group(redisContext *c, char *err, size_t errlen);
/* A command of argc words; lens NULL: NUL-terminated words. NULL when
 * there is no connection or no reply. */
redisReply *ac_redis_command(redisContext *c, int argc, const char **argv,
                             const size_t *lens);
/* Whether there is a reply and it is no error. */
bool ac_redis_ok(const redisReply *r);
/* Writes why a command failed (no reply, an error, an unexpected type),
 * frees the reply; returns AC_EXIT_FAILURE. */
int ac_redis_failed(redisContext *c, redisReply *r, const char *what, char *err,
                    size_t errlen);

#endif
