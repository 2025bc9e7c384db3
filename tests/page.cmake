# The listening page publisher: a Check suite (pages read back with
# libxml2's HTML parser; the page's helpers linked in and tested directly)
# and the browser suite in tests/web (Debian's Chromium driven by
# playwright-core, axe-core), which CTest reports as skipped when Chromium
# or tests/web/node_modules is missing.
pkg_check_modules(PAGE_TEST_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)

articast_test(test_page
  SOURCES test_page.c ${CMAKE_SOURCE_DIR}/plugins/page/html.c
          ${CMAKE_SOURCE_DIR}/plugins/page/sidecar.c
          ${CMAKE_SOURCE_DIR}/plugins/page/model.c
          ${CMAKE_BINARY_DIR}/plugins/page/assets.c
  LIBS articast_plugin_common PkgConfig::PAGE_TEST_LIBXML2)
target_include_directories(test_page PRIVATE ${CMAKE_SOURCE_DIR}/plugins/page)

add_test(NAME web_page
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/web/run.sh $<TARGET_FILE:articast>
          ${CMAKE_CURRENT_BINARY_DIR}/web)
# The sanitizer settings of the Check suites (tests/CMakeLists.txt): the
# fixture site is built by the articast of this build.
set_tests_properties(web_page PROPERTIES
  TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "PULSE_SERVER=unix:/nonexistent;ARTICAST_PLUGIN_PATH=;ARTICAST_VOICE_PATH=;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp:print_suppressions=0;ASAN_OPTIONS=intercept_tls_get_addr=0:quarantine_size_mb=4")
