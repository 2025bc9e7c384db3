# articast serve: the service on 127.0.0.1 in a temporary site, with libcurl
# as its client and a libmicrohttpd server in the test for the web page and
# the CMS's callback; the address rules of the SSRF guard (fetch.h).
pkg_check_modules(SERVE_TEST_CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(SERVE_TEST_MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(SERVE_TEST_JANSSON REQUIRED IMPORTED_TARGET jansson)
articast_test(test_serve SOURCES test_serve.c TIMEOUT 600
              LIBS articast_follow PkgConfig::SERVE_TEST_CURL
              PkgConfig::SERVE_TEST_MHD PkgConfig::SERVE_TEST_JANSSON)
target_compile_definitions(test_serve PRIVATE _GNU_SOURCE)
