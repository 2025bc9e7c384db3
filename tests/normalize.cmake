# The normalize plugin (text normalization and pronunciation lexicons);
# fixtures in data/normalize/. The lexicon test runs espeak-ng -x.
articast_test(test_normalize SOURCES test_normalize.c)
target_compile_definitions(test_normalize PRIVATE _GNU_SOURCE)
