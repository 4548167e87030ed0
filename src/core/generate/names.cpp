#include "core/generate/names.hpp"

#include "core/generate/formats.hpp"
#include "core/generate/text_edit.hpp"

#include <cstring>
#include <string_view>

namespace usermatch::generate::detail {
namespace {

int pinyin_syllables(const ChineseNameForm& form, int count, std::string_view* out) {
    for (int i = 0; i < count; ++i) out[i] = form.given[i]->pinyin;
    return count;
}

}  // namespace

ChineseNameForm original_chinese_form(const Entity& e, Rng& rng) {
    ChineseNameForm form;
    form.given[0] = e.given[0];
    form.given[1] = e.given[1];
    const double r = rng.unit();
    if (r < 0.90) {
        form.style = kNameHan;
    } else if (r < 0.97) {
        form.style = kNamePinyin;
        form.pinyin_layout = rng.chance(0.7) ? kPinyinStandard : kPinyinUpperSurname;
    } else {
        form.style = kNameTraditional;
    }
    return form;
}

void restyle_chinese_form(const Entity& e, ChineseNameForm& form, Rng& rng) {
    const auto r = rng.below(100);
    if (r < 35) {
        form.style = kNameTraditional;
    } else if (r < 75 || (r >= 85 && r < 93 && !e.english_name)) {
        form.style = kNamePinyin;
        form.pinyin_layout = static_cast<int>(rng.below(kPinyinLayoutCount));
        const std::size_t others = part_count(e.surname->romanizations);
        form.romanization = others > 0 && rng.chance(0.2) ? static_cast<int>(rng.below(others)) : -1;
    } else if (r < 85) {
        form.style = kNameHanSpaced;
    } else if (r < 93) {
        form.style = kNameEnglish;
        form.english_layout = rng.chance(0.6) ? 0 : static_cast<int>(1 + rng.below(2));
    } else {
        form.style = form.style == kNameHan ? kNameTraditional : kNameHan;
    }
}

bool swap_in_homophone(const Entity& e, ChineseNameForm& form, Rng& rng) {
    const int slot = static_cast<int>(rng.below(e.given_count));
    for (int attempt = 0; attempt < e.given_count; ++attempt) {
        const int i = (slot + attempt) % e.given_count;
        const HanChar* current = form.given[i];
        const HanChar* candidates[24];
        std::size_t found = 0;
        for (const auto table : {male_given_chars(), female_given_chars()})
            for (std::size_t k = 0; k < table.size && found < 24; ++k)
                if (std::strcmp(table[k].pinyin, current->pinyin) == 0 && std::strcmp(table[k].han, current->han) != 0) {
                    bool dup = false;
                    for (std::size_t j = 0; j < found; ++j) dup |= std::strcmp(candidates[j]->han, table[k].han) == 0;
                    if (!dup) candidates[found++] = &table[k];
                }
        if (found > 0) {
            form.given[i] = candidates[rng.below(found)];
            return true;
        }
    }
    return false;
}

std::string render_chinese_name(const Entity& e, const ChineseNameForm& form) {
    switch (form.style) {
        case kNameHan:
        case kNameTraditional:
        case kNameHanSpaced: {
            std::string s = e.surname->han;
            if (form.style == kNameHanSpaced) s += ' ';
            for (int i = 0; i < e.given_count; ++i) s += form.given[i]->han;
            return form.style == kNameTraditional ? to_traditional(s) : s;
        }
        case kNamePinyin: {
            std::string_view syllables[2];
            pinyin_syllables(form, e.given_count, syllables);
            std::string surname = e.surname->pinyin;
            if (form.romanization >= 0) {
                const Part p = part_at(e.surname->romanizations, static_cast<std::size_t>(form.romanization));
                surname.assign(p.data, p.size);
            }
            return format_pinyin_name(surname, syllables, e.given_count, form.pinyin_layout);
        }
        default: {  // English given name
            std::string given;
            for (int i = 0; i < e.given_count; ++i) given += form.given[i]->pinyin;
            const std::string sur = capitalized(e.surname->pinyin), giv = capitalized(given);
            const std::string english = e.english_name ? e.english_name : giv;
            if (form.english_layout == 1) return sur + " " + giv + " " + english;
            if (form.english_layout == 2) return english + " " + giv + " " + sur;
            return english + " " + sur;
        }
    }
}

LatinNameForm original_latin_form(const Entity& e, Rng& rng) {
    LatinNameForm form;
    form.given = e.latin_given->name;
    form.middle_initial = e.middle_initial != 0 && rng.chance(0.5);
    return form;
}

std::string render_latin_name(const Entity& e, const LatinNameForm& form) {
    std::string given = form.given;
    if (form.middle_initial && e.middle_initial) {
        given += ' ';
        given += e.middle_initial;
        given += '.';
    }
    switch (form.layout) {
        case 1: return std::string(e.latin_surname) + ", " + given;
        case 2: return latin_upper(e.latin_surname) + " " + given;
        case 3: return std::string(e.latin_surname) + " " + given;
        default: return given + " " + e.latin_surname;
    }
}

}  // namespace usermatch::generate::detail
