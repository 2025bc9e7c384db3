# The loudness filter: silence trimming, loudness target, true-peak limiter.
# The suite measures the output itself with libebur128.
pkg_check_modules(LOUDNESS_TEST_EBUR128 REQUIRED IMPORTED_TARGET libebur128)
articast_test(test_loudness SOURCES test_loudness.c
              LIBS PkgConfig::LOUDNESS_TEST_EBUR128 m)
