/*
 * CLD2 behind a C interface (see langid_cld2.h). No C++ exception leaves
 * this file: the C callers could not unwind through their frames.
 */
#include "langid_cld2.h"

#include <cstdio> /* compact_lang_det.h uses FILE without including it */
#include <cstring>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

namespace {

void set_code(ac_cld2_result *out, CLD2::Language lang) {
  const char *code = CLD2::LanguageCode(lang);
  if (!code || std::strlen(code) >= sizeof out->code)
    code = "un";
  std::strcpy(out->code, code);
}

} // namespace

extern "C" int ac_cld2_detect(const char *text, int len, const char *hint,
                              ac_cld2_result *out) {
  std::memset(out, 0, sizeof *out);
  std::strcpy(out->code, "un");
  if (!text || len <= 0)
    return 0;
  try {
    CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                            CLD2::UNKNOWN_LANGUAGE};
    if (hint && *hint) {
      hints.content_language_hint = hint;
      hints.language_hint = CLD2::GetLanguageFromName(hint);
    }
    CLD2::Language top3[3];
    int percent3[3];
    double score3[3];
    int text_bytes = 0, valid_prefix = 0;
    bool reliable = false;
    CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
        text, len, true, &hints, 0, top3, percent3, score3, nullptr,
        &text_bytes, &reliable, &valid_prefix);
    /* The language of the largest share of the text, not CLD2's summary
     * language, which passes over English when another language has a
     * sixth of the text or more (English on a page being, to CLD2, most
     * often its boilerplate): an English article that quotes a French
     * paragraph is English. */
    CLD2::Language top = top3[0];
    if (top == CLD2::UNKNOWN_LANGUAGE)
      top = lang;
    set_code(out, top);
    out->percent = top == top3[0] ? percent3[0] : 0;
    out->text_bytes = text_bytes;
    out->reliable = reliable && top != CLD2::UNKNOWN_LANGUAGE;
    out->close_set = CLD2::LanguageCloseSet(top);
    return 0;
  } catch (...) {
    return -1;
  }
}

extern "C" int ac_cld2_close_set(const char *code) {
  if (!code || !*code)
    return 0;
  try {
    CLD2::Language lang = CLD2::GetLanguageFromName(code);
    return lang == CLD2::UNKNOWN_LANGUAGE ? 0 : CLD2::LanguageCloseSet(lang);
  } catch (...) {
    return 0;
  }
}
