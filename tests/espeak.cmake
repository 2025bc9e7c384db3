# The espeak synthesizer stage (plugins/espeak). The suite speaks the
# helper's wire format itself, links espeak-ng to compare the helper's
# output with a fresh process's, and tests the catalog of derived voices
# on its own.
pkg_check_modules(ESPEAK_NG_TEST REQUIRED IMPORTED_TARGET espeak-ng)
articast_test(test_espeak SOURCES test_espeak.c
              ${CMAKE_SOURCE_DIR}/plugins/espeak/wire.c
              ${CMAKE_SOURCE_DIR}/plugins/espeak/catalog.c
              LIBS m PkgConfig::ESPEAK_NG_TEST)
target_include_directories(test_espeak PRIVATE ${CMAKE_SOURCE_DIR}/plugins/espeak)
