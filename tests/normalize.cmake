# The normalize plugin (text normalization, pronunciation lexicons, the
# English word tables); fixtures in data/normalize/. The lexicon test runs
# espeak-ng -x. The word-table reader is also compiled into the test, to
# check its messages on broken files the voice search path would never
# hand the plugin.
find_path(NZ_TEST_UNISTRING_INCLUDE unistr.h)
find_library(NZ_TEST_UNISTRING_LIB unistring REQUIRED)
set(nz_dir ${CMAKE_SOURCE_DIR}/plugins/normalize)
articast_test(test_normalize
  SOURCES test_normalize.c ${nz_dir}/en_words.c ${nz_dir}/words.c
          ${nz_dir}/unicode.c
  LIBS ${NZ_TEST_UNISTRING_LIB})
target_include_directories(test_normalize PRIVATE ${nz_dir}
  ${NZ_TEST_UNISTRING_INCLUDE})
target_compile_definitions(test_normalize PRIVATE _GNU_SOURCE)
