# Sinks: the mp3 and wav plugins. The suites decode what the sinks wrote
# with libsndfile (MP3 through libmpg123, gapless).
pkg_check_modules(SINKS_SNDFILE REQUIRED IMPORTED_TARGET sndfile)

# test_mp3 also links the plugin's ID3 writer to test its language table.
articast_test(test_mp3
  SOURCES test_mp3.c ${CMAKE_SOURCE_DIR}/plugins/mp3/id3.c
  LIBS PkgConfig::SINKS_SNDFILE articast_plugin_common m)
target_include_directories(test_mp3 PRIVATE ${CMAKE_SOURCE_DIR}/plugins/mp3)

articast_test(test_wav SOURCES test_wav.c LIBS PkgConfig::SINKS_SNDFILE m)
