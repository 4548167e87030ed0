// How a person's name is written on one record: script, romanisation, order, nickname.
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/entity.hpp"
#include "core/generate/random.hpp"

#include <string>

namespace usermatch::generate::detail {

enum ChineseNameStyle : int {
    kNameHan = 0,          // 张伟
    kNameTraditional,      // 張偉
    kNameHanSpaced,        // 张 伟
    kNamePinyin,           // Zhang Wei, ZHANG Wei, Wei Zhang, zhangwei, Cheung Wei ...
    kNameEnglish,          // David Zhang
};

struct ChineseNameForm {
    int style = kNameHan;
    int pinyin_layout = 0;     // PinyinLayout
    int romanization = -1;     // index into the surname's other romanisations, -1 = pinyin
    int english_layout = 0;    // 0 "David Zhang", 1 "Zhang Wei David", 2 "David Wei Zhang"
    const HanChar* given[2] = {nullptr, nullptr};  // may differ from the person's (homophone typo)
};

ChineseNameForm original_chinese_form(const Entity& e, Rng& rng);
// Re-draws script/romanisation/layout (a variant a careful human still recognises).
void restyle_chinese_form(const Entity& e, ChineseNameForm& form, Rng& rng);
// Replaces one given character by another one read the same way (伟 -> 玮). False if none.
bool swap_in_homophone(const Entity& e, ChineseNameForm& form, Rng& rng);
std::string render_chinese_name(const Entity& e, const ChineseNameForm& form);

struct LatinNameForm {
    std::string given;         // the given name, a nickname or an initial ("J.")
    bool middle_initial = false;
    int layout = 0;            // 0 "John Smith", 1 "Smith, John", 2 "SMITH John", 3 "Smith John"
};

LatinNameForm original_latin_form(const Entity& e, Rng& rng);
std::string render_latin_name(const Entity& e, const LatinNameForm& form);

}  // namespace usermatch::generate::detail
