# The code plugins share (plugins/common/), tested directly: the date
# module so far.
articast_test(test_common SOURCES test_common.c LIBS articast_plugin_common)
