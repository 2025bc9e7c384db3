# The espeak synthesizer stage (plugins/espeak).
articast_test(test_espeak SOURCES test_espeak.c LIBS m)
