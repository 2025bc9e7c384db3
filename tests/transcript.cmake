# The transcript sink (captions, text transcript, chapters JSON) and the
# chapter derivation it shares with the other sinks.
articast_test(test_transcript SOURCES test_transcript.c
              LIBS articast_plugin_common)
