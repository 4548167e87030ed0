// Fuzz targets for the normalisers: no crash, no UB, no exception other than the documented ones,
// and the documented shape of every result.
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include "core/compare/phonetic.hpp"
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/text/utf8.hpp"

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace usermatch::fuzz {

namespace {

using namespace usermatch::normalize;

// No leading, trailing or doubled ASCII space.
bool spaces_tidy(std::string_view s) {
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    return s.find("  ") == std::string_view::npos;
}

bool real_date(const Date& d) {
    if (d.month < 1 || d.month > 12 || d.day < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    return d.day <= kDays[d.month - 1] + (d.month == 2 && leap ? 1 : 0);
}

// Region codes the phone target picks from (a few real ones, lower case, and two unknown ones).
const char* const kRegions[] = {"CN", "FR", "US", "GB", "DE", "JP", "IN", "BR", "RU", "HK",
                                "TW", "AU", "IT", "ES", "fr", "us", "ZZ", "XX", "001", ""};

}  // namespace

int fuzz_normalize_name(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string out = normalize_name(in);
    FUZZ_CHECK("normalize_name", valid_utf8(out), out);
    FUZZ_CHECK("normalize_name", spaces_tidy(out), out);
    if (in.empty()) FUZZ_CHECK("normalize_name", out.empty(), out);
    // A normal form is its own normal form.
    const std::string again = normalize_name(out);
    FUZZ_CHECK("normalize_name", again == out, out + "\n  renormalised: " + again);
    return 0;
}

// normalize_address / normalize_city / normalize_gender: their results are already in
// normalize_name's normal form (the record store keeps them without normalising them again).
int fuzz_value_normalizers(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    for (int which = 0; which < 3; ++which) {
        const std::string out = which == 0 ? normalize_address(in) : which == 1 ? normalize_city(in) : normalize_gender(in);
        const char* name = which == 0 ? "normalize_address" : which == 1 ? "normalize_city" : "normalize_gender";
        FUZZ_CHECK(name, valid_utf8(out), out);
        FUZZ_CHECK(name, spaces_tidy(out), out);
        const std::string renormalised = normalize_name(out);
        FUZZ_CHECK(name, renormalised == out, out + "\n  normalize_name: " + renormalised);
    }
    return 0;
}

int fuzz_pinyin(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string out = pinyin(in);
    FUZZ_CHECK("pinyin", valid_utf8(out), out);
    FUZZ_CHECK("pinyin", spaces_tidy(out), out);
    const std::string again = pinyin(out);
    FUZZ_CHECK("pinyin", again == out, out + "\n  again: " + again);
    return 0;
}

int fuzz_phone(const std::uint8_t* data, std::size_t size) {
    Input input(data, size);
    const std::uint8_t options = input.byte();
    std::vector<std::string> regions;
    const std::size_t count = options % 4;
    for (std::size_t i = 0; i < count; ++i) regions.emplace_back(kRegions[input.byte() % std::size(kRegions)]);
    const std::string_view text = input.rest();
    // Bit 7: the region-list overload; else the one-region overload with the first region.
    auto normalize = [&](std::string_view t) {
        return (options & 0x80) ? normalize_phone(t, regions)
                                : normalize_phone(t, regions.empty() ? std::string("CN") : regions.front());
    };
    std::optional<std::string> out;
    try {
        out = normalize(text);
    } catch (const Error& e) {
        // Only an unknown region may throw.
        FUZZ_CHECK("phone", e.code() == ErrorCode::InvalidParameter, e.what());
        return 0;
    }
    if (!out) return 0;
    const std::string& v = *out;
    FUZZ_CHECK("phone", !v.empty(), v);
    if (v.front() == '+') {
        FUZZ_CHECK("phone", v.size() >= 2 && all_ascii_digits(std::string_view(v).substr(1)), v);
        // An E.164 result reads back as the same number. Not always as the same string:
        // libphonenumber keeps a trunk 0 read after an IDD prefix ("00 254 0790..." ->
        // +2540790...) but strips it from "+2540790..." (regressions/phone/e164-*), so compare the
        // national numbers (leading zeros removed), which is what the comparisons use.
        const auto again = normalize(v);
        FUZZ_CHECK("phone", again && again->front() == '+' && phone_national_number(*again) == phone_national_number(v),
                   v + "\n  again: " + (again ? *again : std::string("(null)")));
    } else {
        FUZZ_CHECK("phone", all_ascii_digits(v) && v.size() >= 5 && v.size() <= 17 && v.front() != '0', v);
    }
    const std::string_view national = phone_national_number(v);
    FUZZ_CHECK("phone", all_ascii_digits(national) && national.size() <= v.size(), v);
    return 0;
}

int fuzz_phone_region(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto region = phone_region_of_country(in);  // documented: never throws
    if (!region) return 0;
    FUZZ_CHECK("phone_region", region->size() == 2 && region->at(0) >= 'A' && region->at(0) <= 'Z' &&
                                   region->at(1) >= 'A' && region->at(1) <= 'Z',
               *region);
    // A region it returns is one normalize_phone accepts, and it maps to itself.
    try {
        (void)normalize_phone("+33 6 85 98 66 38", *region);
    } catch (const Error& e) {
        fuzz_fail("phone_region", "normalize_phone refuses a region phone_region_of_country returned", *region);
    }
    const auto again = phone_region_of_country(*region);
    FUZZ_CHECK("phone_region", again && *again == *region, *region);
    return 0;
}

int fuzz_email(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto out = normalize_email(in);
    if (!out) return 0;
    const std::string& v = *out;
    FUZZ_CHECK("email", valid_utf8(v), v);
    const std::size_t at = v.find('@');
    FUZZ_CHECK("email", at != std::string::npos && at > 0 && at + 1 < v.size() && v.find('@', at + 1) == std::string::npos, v);
    for (const char c : v) FUZZ_CHECK("email", !(c >= 'A' && c <= 'Z') && static_cast<unsigned char>(c) > 0x20 && c != 0x7F, v);
    // Normalising a normal form changes nothing (when the form still fits the 254-byte limit).
    if (v.size() <= 254) {
        const auto again = normalize_email(v);
        FUZZ_CHECK("email", again && *again == v, v);
    }
    return 0;
}

int fuzz_date(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    for (const DateOrder order : {DateOrder::DayFirst, DateOrder::MonthFirst}) {
        const auto d = parse_date(in, order);
        if (!d) continue;
        FUZZ_CHECK("date", real_date(*d), std::to_string(d->year) + "-" + std::to_string(d->month) + "-" + std::to_string(d->day));
        // The ISO form of a parsed date parses back to the same date (years written with 4 digits).
        if (d->year >= 1000 && d->year <= 9999) {
            char iso[32];
            std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d->year, d->month, d->day);
            const auto back = parse_date(iso, order);
            FUZZ_CHECK("date", back && *back == *d, iso);
        }
    }
    return 0;
}

int fuzz_cn_id(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const bool valid = cn_id_valid(in);
    const auto birth = cn_id_birth_date(in);
    FUZZ_CHECK("cn_id", valid == birth.has_value(), in);
    const auto check = cn_id_check_character(in.substr(0, 17));
    FUZZ_CHECK("cn_id", check.has_value() == (in.size() >= 17 && all_ascii_digits(in.substr(0, 17))), in);
    if (valid) {
        // Surrounding ASCII whitespace is ignored; what remains is 17 digits and the check character.
        std::string_view id = in;
        while (!id.empty() && std::strchr(" \t\n\r\v\f", id.front()) && id.front() != '\0') id.remove_prefix(1);
        while (!id.empty() && std::strchr(" \t\n\r\v\f", id.back()) && id.back() != '\0') id.remove_suffix(1);
        FUZZ_CHECK("cn_id", id.size() == 18 && real_date(*birth), in);
        const auto id_check = cn_id_check_character(id.substr(0, 17));
        const char last = id[17] == 'x' ? 'X' : id[17];
        FUZZ_CHECK("cn_id", id_check && *id_check == last, in);
    }
    return 0;
}

int fuzz_phonetic(const std::uint8_t* data, std::size_t size) {
    Input input(data, size);
    const std::size_t max_length = input.byte() % 17;  // 0 must throw
    const std::string_view bytes = input.rest();
    const std::u32string utf8 = text::decode_utf8(bytes);
    std::u32string latin1;  // each byte as one code point
    for (const char c : bytes) latin1.push_back(static_cast<unsigned char>(c));
    for (const std::u32string* s : std::initializer_list<const std::u32string*>{&utf8, &latin1}) {
        const std::string code = compare::soundex(*s);
        FUZZ_CHECK("phonetic", code.empty() || (code.size() == 4 && code[0] >= 'A' && code[0] <= 'Z' &&
                                                all_ascii_digits(std::string_view(code).substr(1))),
                   code);
    }
    FUZZ_CHECK("phonetic", compare::soundex_bytes(bytes) == compare::soundex(latin1), bytes);
    try {
        const auto m = compare::double_metaphone(utf8, max_length);
        FUZZ_CHECK("phonetic", max_length > 0, "max_length 0 did not throw");
        FUZZ_CHECK("phonetic", m.primary.size() <= max_length && m.alternate.size() <= max_length, m.primary);
        const auto b = compare::double_metaphone_bytes(bytes, max_length);
        const auto l = compare::double_metaphone(latin1, max_length);
        FUZZ_CHECK("phonetic", b.primary == l.primary && b.alternate == l.alternate, b.primary + "/" + l.primary);
    } catch (const Error& e) {
        FUZZ_CHECK("phonetic", max_length == 0 && e.code() == ErrorCode::InvalidParameter, e.what());
    }
    return 0;
}

}  // namespace usermatch::fuzz
