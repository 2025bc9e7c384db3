# Languages: the language identifier (plugins/common/langid.c), the text
# stages' article and passage languages, the synthesizer switching voice
# for a passage, and the kana stage's reading of Japanese.
articast_test(test_languages SOURCES test_languages.c LIBS articast_langid)
