# The feed publisher. The suite parses feed.xml with libxml2, reads PNGs back
# with zlib, and links the plugin's date and UUID code to test them
# directly (nettle provides the SHA-1 behind the UUIDs).
pkg_check_modules(FEED_TEST_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(FEED_TEST_NETTLE REQUIRED IMPORTED_TARGET nettle)
find_package(ZLIB REQUIRED)

articast_test(test_feed
  SOURCES test_feed.c ${CMAKE_SOURCE_DIR}/plugins/feed/util.c
  LIBS articast_plugin_common PkgConfig::FEED_TEST_LIBXML2
       PkgConfig::FEED_TEST_NETTLE ZLIB::ZLIB m)
target_include_directories(test_feed PRIVATE ${CMAKE_SOURCE_DIR}/plugins/feed)
