// The ways people write dates, phone numbers and Chinese names in pinyin, plus calendar math.
#pragma once

#include "core/core_guard.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace usermatch::generate::detail {

struct CivilDate {
    int year, month, day;
};

bool is_leap_year(int y) noexcept;
int days_in_month(int y, int m) noexcept;
std::int64_t days_from_civil(CivilDate d) noexcept;  // days since 1970-01-01 (Hinnant's algorithm)
CivilDate civil_from_days(std::int64_t days) noexcept;

enum DateFormat : int {
    kDateIso = 0,           // 1985-03-07
    kDateCompact,           // 19850307
    kDateDayMonthYear,      // 07/03/1985
    kDateChinese,           // 1985年3月7日
    kDateYearSlash,         // 1985/3/7
    kDateDayMonthName,      // 7 March 1985
    kDateMonthNameDay,      // March 7, 1985
    kDateDotted,            // 07.03.1985
    kDateFormatCount
};
std::string format_date(CivilDate d, int format);

enum class PhoneCountry : std::uint8_t { CN, US, UK };
constexpr int kPhoneFormatCount = 8;
// `national` holds the national significant number: 11 digits (CN mobile "13812345678"),
// 10 digits (US "4155550123") or 10 digits (UK mobile without trunk 0, "7911123456").
// Format 0 is the plain form people type most; the others add country codes and separators.
std::string format_phone(PhoneCountry country, std::string_view national, int format);

// Pinyin name layouts: surname "zhang", given syllables {"xiu", "ying"}.
enum PinyinLayout : int {
    kPinyinStandard = 0,  // Zhang Xiuying
    kPinyinUpperSurname,  // ZHANG Xiuying
    kPinyinAllUpper,      // ZHANG XIUYING
    kPinyinGivenFirst,    // Xiuying Zhang
    kPinyinRunTogether,   // zhangxiuying
    kPinyinSpacedSyllables,  // Zhang Xiu Ying
    kPinyinHyphenated,    // Zhang Xiu-Ying
    kPinyinCommaInverted,  // Zhang, Xiuying
    kPinyinLayoutCount
};
// `surname` may already be a non-pinyin romanisation ("Cheung"); syllables are lower case.
std::string format_pinyin_name(std::string_view surname, const std::string_view* syllables,
                               int syllable_count, int layout);

}  // namespace usermatch::generate::detail
