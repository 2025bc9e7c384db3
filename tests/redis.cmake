# The job of articast's services (pipeline/job.h) and the Redis Streams
# workers: a real redis-server on 127.0.0.1 (the Redis cases are skipped,
# saying so, when redis-server is not installed).
pkg_check_modules(REDIS_TEST_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
articast_test(test_redis SOURCES test_redis.c TIMEOUT 600
              LIBS articast_follow PkgConfig::REDIS_TEST_LIBXML2)
target_compile_definitions(test_redis PRIVATE _GNU_SOURCE)
