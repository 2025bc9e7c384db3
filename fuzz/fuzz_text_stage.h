/*
 * The text-stage harnesses' common part: runs the compiled-in text stage on
 * a document made from the input and checks what a text stage promises.
 */
#ifndef ARTICAST_FUZZ_TEXT_STAGE_H
#define ARTICAST_FUZZ_TEXT_STAGE_H

#include "fuzz_host.h"

/* Runs the stage (settings as for fuzz_stage) on fuzz_document(r) and
 * checks: 0 or an ac_error with a message; every text valid UTF-8; every
 * span map sorted, inside the spoken text and inside the written text. */
void fuzz_text_stage(const char *const *settings, fuzz_reader *r);

#endif
