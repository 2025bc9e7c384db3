# End-to-end suites: the articast binary on articles, read back.
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(EBUR128 REQUIRED IMPORTED_TARGET libebur128)
add_library(articast_id3_read STATIC id3_read.c)
target_link_libraries(articast_id3_read PUBLIC articast_core)

articast_test(test_episode SOURCES test_episode.c TIMEOUT 900
              LIBS articast_id3_read PkgConfig::SNDFILE PkgConfig::EBUR128 m)
target_compile_definitions(test_episode PRIVATE _GNU_SOURCE)
