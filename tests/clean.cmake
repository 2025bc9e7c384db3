# The clean plugin (boilerplate, bylines, bios, typography); golden files in
# data/clean/ (regenerate with ARTICAST_UPDATE_GOLDEN=1).
articast_test(test_clean SOURCES test_clean.c)
