# The source_text plugin (plain text and Markdown sources); fixtures in
# data/source/.
articast_test(test_source_text SOURCES test_source_text.c)
