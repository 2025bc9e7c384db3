# The source_html plugin (web pages and http(s) URLs); fixtures and a local
# test server in data/html/.
articast_test(test_source_html SOURCES test_source_html.c
  LIBS articast_plugin_common)
