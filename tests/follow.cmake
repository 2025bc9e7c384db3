# articast follow and status: a publication served on 127.0.0.1 by
# tests/data/follow/serve.py (python3), followed over time; the state
# database is read back with SQLite and feeds with libxml2. The suite links
# the follower's own code to test its parts (robots.txt, parsers, state).
pkg_check_modules(FOLLOW_TEST_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
articast_test(test_follow SOURCES test_follow.c TIMEOUT 1800
              LIBS articast_follow PkgConfig::FOLLOW_TEST_LIBXML2)
target_compile_definitions(test_follow PRIVATE _GNU_SOURCE)
