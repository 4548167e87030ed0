// Reference lists the generator draws from (names, cities, e-mail domains, phone prefixes).
// All are constant-initialised arrays of plain structs: no static constructors (GUIDE.md rule).
// Lists are ordered from most to least common; the generator picks with a skew towards the head.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <cstdint>

namespace usermatch::generate::detail {

template <class T>
struct Table {
    const T* data;
    std::size_t size;
    const T& operator[](std::size_t i) const noexcept { return data[i]; }
};

// ---- Chinese names (chinese_names.cpp) ----
struct HanChar {
    const char* han;     // one simplified character (or two for a compound surname), UTF-8
    const char* pinyin;  // toneless, lower case ("lv" for lü)
};
struct ChineseSurname {
    const char* han;
    const char* pinyin;
    const char* romanizations;  // other spellings seen in passports/HK/TW ("Chang|Cheung"), or ""
    std::uint16_t weight;       // relative frequency in 1/10000 of the population (approximate)
};
struct CommonGivenName {
    HanChar first, second;
};

Table<ChineseSurname> chinese_surnames();
std::uint32_t chinese_surname_weight_total();
Table<HanChar> male_given_chars();
Table<HanChar> female_given_chars();
Table<CommonGivenName> male_common_given_names();
Table<CommonGivenName> female_common_given_names();

// Traditional form of a simplified character, or 0 when it is written the same (names' table).
char32_t traditional_of(char32_t simplified) noexcept;
std::size_t traditional_table_size() noexcept;

// ---- Latin names (latin_names.cpp) ----
struct LatinGivenName {
    const char* name;       // UTF-8, may carry diacritics (José)
    const char* nicknames;  // "Bill|Will|Billy" or ""
};
Table<LatinGivenName> latin_male_given_names();
Table<LatinGivenName> latin_female_given_names();
Table<const char*> latin_surnames();

// ---- Places, phones, e-mail (places.cpp) ----
struct ChineseCity {
    const char* han;
    const char* traditional;
    const char* pinyin;     // "Beijing"
    const char* region4;    // first 4 digits of the administrative division code ("1101")
    const char* districts;  // district suffixes used in ID numbers, "01|02|05|06|08"
};
struct WesternCity {
    const char* name;      // local/common spelling, UTF-8 ("München")
    const char* variants;  // other spellings ("Munich|Muenchen") or ""
};
struct Weighted {
    const char* value;
    std::uint16_t weight;
};

Table<ChineseCity> chinese_cities();
Table<WesternCity> western_cities();
Table<Weighted> chinese_email_domains();
Table<Weighted> latin_email_domains();
Table<Weighted> cn_mobile_prefixes();  // "138"
Table<const char*> us_area_codes();
Table<const char*> english_given_names_for_chinese();  // "David", "Kevin", ...

// Splits "a|b|c" and returns part i (no allocation: pointer + length).
struct Part {
    const char* data;
    std::size_t size;
};
std::size_t part_count(const char* bar_separated) noexcept;
Part part_at(const char* bar_separated, std::size_t index) noexcept;

// Weighted pick helper over a small table.
std::uint32_t weight_total(Table<Weighted> table) noexcept;

}  // namespace usermatch::generate::detail
