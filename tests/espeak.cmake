# The espeak synthesizer stage (plugins/espeak). The suite speaks the
# helper's wire format itself, and links espeak-ng to compare the helper's
# output with a fresh process's.
pkg_check_modules(ESPEAK_NG_TEST REQUIRED IMPORTED_TARGET espeak-ng)
articast_test(test_espeak SOURCES test_espeak.c
              ${CMAKE_SOURCE_DIR}/plugins/espeak/wire.c
              LIBS m PkgConfig::ESPEAK_NG_TEST)
target_include_directories(test_espeak PRIVATE ${CMAKE_SOURCE_DIR}/plugins/espeak)
