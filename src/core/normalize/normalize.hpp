// Normalisers: turn the ways people write a value into one canonical form.
// Inputs and outputs are UTF-8. All are thread-safe (ICU objects are cached per thread).
#pragma once

#include "core/core_guard.hpp"

#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::normalize {

// NFKC, case folding, diacritics removed (é -> e), punctuation dropped, runs of spaces collapsed
// and trimmed, Traditional Chinese folded to Simplified (張偉 -> 张伟). "" stays "".
// Details (name.cpp): ' and . inside a word are removed (O'Brien -> obrien, J.R. -> jr), other
// punctuation, hyphens, symbols and emoji separate words; Müller -> muller (folded, not "ue");
// no space is kept between two Han characters (张 伟 -> 张伟). ASCII input takes a fast path.
std::string normalize_name(std::string_view utf8);

// Han characters to toneless pinyin syllables separated by single spaces (张伟 -> "zhang wei",
// 張偉 -> "zhang wei"); Latin text is case-folded and kept; mixed text keeps word boundaries.
// ü -> u (吕 -> "lu"); surname readings for the first character (曾 -> zeng, 单 -> shan); one
// reading per character, no word context (details in pinyin.cpp).
std::string pinyin(std::string_view utf8);

// Compiles the ICU transliteration rules the normalisers use ("Han-Latin" ~0.3 s, then cached
// by ICU for every thread of the process, so each thread's own transliterator costs ~1 ms).
// Without it the first Chinese name of a process pays the compile inside an engine task, where
// a cancel has to wait for it. The glue calls it in _PG_init when preloaded, so backends inherit
// the compiled rules. Never throws; false when ICU could not create a transliterator.
bool warm_up_transliterators() noexcept;

// True when the text contains at least one Han character.
bool has_han(std::string_view utf8);
// True for a Han (CJK ideograph) code point: U+4E00..U+9FFF fast, other blocks via ICU script data.
bool is_han_code_point(char32_t cp);

// Canonical phone number (phone.cpp has the details and costs):
//  - E.164 ("+33685986638") when the text carries a country code ('+', or the IDD prefix of a
//    region tried, such as 00 or 011) and is a possible number, or when it is written without one
//    and is a *valid* number of one of the regions tried (the first that makes it valid wins);
//  - otherwise the national form: the text's digits with leading zeros removed, no '+'
//    ("06 85 98 66 38" -> "685986638"), when the text is only digits, spaces, tabs and - . ( ) /
//    and 5 to 17 digits remain; it never equals an E.164 value (no '+');
//  - otherwise std::nullopt (letters that libphonenumber could not read, emoji, too few or too
//    many digits, text over 250 bytes).
// Throws Error(InvalidParameter) naming the argument when `region` is not a known CLDR region.
std::optional<std::string> normalize_phone(std::string_view text, std::string_view region = "CN");
// The same with a list of regions tried in order (each a two-letter code, any case; an unknown one
// throws like `region`). An empty list: only '+' numbers and national forms.
std::optional<std::string> normalize_phone(std::string_view text, const std::vector<std::string>& regions);

// The national significant number of a normalize_phone result, leading zeros removed: E.164
// without '+' and calling code ("+33685986638" -> "685986638"), a national form as it is. Lets
// "+33 6 85 98 66 38" and "06 85 98 66 38" (read in a region where it is not valid) agree.
std::string_view phone_national_number(std::string_view normalized);

// The upper-case region code a country column means: ISO 3166 alpha-2 ("FR", "fr") or alpha-3
// ("FRA"), English names of common countries ("France", "United States", "UK"), Chinese names
// ("法国", "中国"), or a calling code ("+33", "0033"; +1 -> US, +44 -> GB, +7 -> RU). std::nullopt for
// anything else (junk, "", "ZZ"); never throws.
std::optional<std::string> phone_region_of_country(std::string_view country);
// True when normalize_phone accepts `region` (two letters, either case, a region libphonenumber knows).
bool phone_region_known(std::string_view region);

// Value normalisers of codes.cpp (a profile field's "normalize"); never throw, "" stays "".
// normalize_address: normalize_name, then tokens of words and number groups with Chinese unit
//   markers (栋 号楼 单元 室 号 层 楼 弄) and '#' as separators, leading zeros dropped, common
//   abbreviations expanded (St -> street, Rd -> road, Ave -> avenue, Apartment/Flat -> apt):
//   "金色家园38-4-401" and "金色家园38栋4单元401室" -> "金色家园 38 4 401"; "Apt. 5A" = "Apt 5A".
// normalize_city: 市/省/区/县 suffixes removed and Han to pinyin (北京 = 北京市 = Beijing ->
//   "beijing"), a small table of abbreviations and old names (NYC -> new york, San Fran, SF ->
//   san francisco, Peking -> beijing), St/Ft/Mt prefixes expanded, " city" dropped, spaces removed.
// normalize_gender: "f" for F, female, Frau, W, 女, Mrs ...; "m" for M, male, Herr, 男, Mr ...;
//   any other value normalize_name'd.
std::string normalize_address(std::string_view text);
std::string normalize_city(std::string_view text);
std::string normalize_gender(std::string_view text);

// Trimmed, lower-cased address; for gmail.com/googlemail.com dots in the local part are removed
// and googlemail.com becomes gmail.com; a "+tag" suffix of the local part is removed for providers
// known to support it. std::nullopt when it does not look like local@domain.
std::optional<std::string> normalize_email(std::string_view text);

struct Date {
    int year;
    int month;
    int day;
    bool operator==(const Date& o) const { return year == o.year && month == o.month && day == o.day; }
};

enum class DateOrder { DayFirst, MonthFirst };

// ISO (2024-03-05, 2024/3/5), YYYYMMDD, DD/MM/YYYY or MM/DD/YYYY (per `order`, also with '.' or
// '-'), YYYY年M月D日, "5 March 2024", "March 5, 2024". std::nullopt when no real calendar date.
std::optional<Date> parse_date(std::string_view text, DateOrder order = DateOrder::DayFirst);

// 18-character PRC resident identity number: 17 digits + check character (0-9 or X) per
// ISO 7064 MOD 11-2, a plausible region code, and a real birth date.
bool cn_id_valid(std::string_view text);
// Birth date encoded in a valid ID number (std::nullopt when not valid).
std::optional<Date> cn_id_birth_date(std::string_view text);
// The check character ('0'-'9' or 'X') for the first 17 digits of an ID number (e.g. to generate
// test data); std::nullopt unless `first17` is exactly 17 ASCII digits.
std::optional<char> cn_id_check_character(std::string_view first17);

// Canonical given name for a known nickname, on normalised lower-case tokens
// ("bill" -> "william", "bob" -> "robert", "liz" -> "elizabeth"); returns the input otherwise.
std::string_view canonical_given_name(std::string_view normalized_token);

// Pinyin readings of a Chinese surname written in a Cantonese, Hokkien or Wade-Giles spelling, on a
// normalised lower-case token ("chan" -> chen, "kwok" -> guo, "wong" -> wang / huang); {"", ""}
// for any other token, pinyin included.
std::pair<std::string_view, std::string_view> pinyin_of_romanized_surname(std::string_view token);

}  // namespace usermatch::normalize
