# The loudness filter: silence trimming, loudness target, true-peak limiter.
# The suite measures the output itself with libebur128, and tests the
# limiter on its own as well.
pkg_check_modules(LOUDNESS_TEST_EBUR128 REQUIRED IMPORTED_TARGET libebur128)
articast_test(test_loudness SOURCES test_loudness.c
              ${CMAKE_SOURCE_DIR}/plugins/loudness/limiter.c
              LIBS PkgConfig::LOUDNESS_TEST_EBUR128 m)
target_include_directories(test_loudness PRIVATE
                           ${CMAKE_SOURCE_DIR}/plugins/loudness)
