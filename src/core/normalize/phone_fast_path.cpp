// Fast path of normalize_phone, equal to libphonenumber 8.12's Parse + IsPossibleNumber + E164.
//
// Input shape: only ASCII digits, space - . ( ) and at most one '+' before the first digit, 3 to
// 15 digits. For such text Parse sees just (plus sign, digit string): no letters, extensions or
// second numbers. It then does, and so do we:
//  1. '+', or the default region's IDD prefix (CN/GB "00", US/CA "011") not followed by '0':
//     international. The country calling code is the shortest 1-3 digit prefix libphonenumber
//     knows (GetRegionCodeForCountryCode != "ZZ").
//  2. Otherwise, text starting with the default region's own calling code may lose it (decided
//     by ICU regexes on the national pattern): only the case decided by length alone is kept
//     (the whole is too long for the region, e.g. "86" + a CN mobile, "1" + 10 digits).
//  3. National prefix stripping (metadata national_prefix_for_parsing): GB "0", CN "0" or the
//     carrier prefixes 1[12]xx / 179xx (left to libphonenumber), US/CA "1" (left to it). A
//     leading "0" in GB/CN is always consumed (no national number of theirs starts with 0); see
//     after_trunk_zero for when Parse keeps it.
//  4. IsPossibleNumber on (calling code, national significant number with leading zeros as
//     "Italian" zeros) depends only on the code and the NSN's length: asked once per length.
// Only calling codes 1, 44 and 86 are handled; every other shape returns known = false. The unit
// test compares this with libphonenumber on 100k+ generated and random numbers.
#include "core/normalize/phone_fast_path.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace usermatch::normalize::detail {
namespace {

namespace pn = i18n::phonenumbers;

constexpr std::size_t kMaxFastDigits = 15;

// Digits of `text` when it has the simple shape described above.
bool simple_digits(std::string_view text, std::string& digits, bool& plus) {
    digits.clear();
    plus = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (digits.size() == kMaxFastDigits) return false;
            digits.push_back(c);
        } else if (c == '+') {
            if (plus || !digits.empty()) return false;
            plus = true;
        } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
            return false;  // e.g. a tab: not in libphonenumber's punctuation, so left to it
        }
    }
    return digits.size() >= 3;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// CN national_prefix_for_parsing "0|(1(?:[12]\d|79)\d\d)": the carrier-selection alternative.
bool cn_carrier_prefix(std::string_view nsn) { return starts_with(nsn, "11") || starts_with(nsn, "12") || starts_with(nsn, "179"); }

// IsPossibleNumberWithReason looks only at the calling code and the length of the national
// significant number as Parse builds it (leading zeros kept as "Italian" zeros): TestNumberLength
// on the metadata's possible lengths. So its answers for the calling codes we handle are asked
// once per length and kept: a table lookup per call instead of a region-list copy, map lookups
// and a formatted string.
constexpr std::size_t kMaxNsnLength = 17;  // libphonenumber's kMaxLengthForNsn
constexpr int kCallingCodes[] = {1, 44, 86};

struct LengthTable {
    pn::PhoneNumberUtil::ValidationResult by_length[3][kMaxNsnLength + 1];
};

const LengthTable& length_table() {
    // Function-local static holding a pointer: built once (thread-safe), never destroyed.
    static const LengthTable* table = [] {
        auto* t = new LengthTable();
        const auto* util = pn::PhoneNumberUtil::GetInstance();
        for (std::size_t c = 0; c < 3; ++c) {
            t->by_length[c][0] = pn::PhoneNumberUtil::TOO_SHORT;
            std::uint64_t value = 0;
            for (std::size_t len = 1; len <= kMaxNsnLength; ++len) {
                value = value * 10 + 5;  // 5, 55, 555, ...: len digits, no leading zero
                pn::PhoneNumber number;
                number.set_country_code(kCallingCodes[c]);
                number.set_national_number(value);
                t->by_length[c][len] = util->IsPossibleNumberWithReason(number);
            }
        }
        return t;
    }();
    return *table;
}

// Calling codes libphonenumber knows (GetRegionCodeForCountryCode != "ZZ"), asked once.
bool known_calling_code(int code) {
    static const bool* known = [] {
        auto* k = new bool[1000]();
        const auto* util = pn::PhoneNumberUtil::GetInstance();
        std::string region;
        for (int c = 1; c < 1000; ++c) {
            util->GetRegionCodeForCountryCode(c, &region);
            k[c] = region != "ZZ";
        }
        return k;
    }();
    return code > 0 && code < 1000 && known[code];
}

// TestNumberLength for calling code 1, 44 or 86 and the nsn as written (leading zeros included).
pn::PhoneNumberUtil::ValidationResult length_check(int calling_code, std::string_view nsn) {
    if (nsn.size() > kMaxNsnLength) return pn::PhoneNumberUtil::TOO_LONG;
    const std::size_t c = calling_code == 1 ? 0 : calling_code == 44 ? 1 : 2;
    return length_table().by_length[c][nsn.size()];
}

PhoneFastAnswer unknown() { return {}; }

// Final step: IsPossibleNumber (IS_POSSIBLE or IS_POSSIBLE_LOCAL_ONLY) on (calling code, nsn);
// E.164 is "+", the code and the nsn as written.
PhoneFastAnswer possible(int calling_code, std::string_view nsn) {
    if (nsn.size() < 2) return unknown();
    PhoneFastAnswer answer;
    answer.known = true;
    const auto reason = length_check(calling_code, nsn);
    if (reason == pn::PhoneNumberUtil::IS_POSSIBLE || reason == pn::PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY) {
        std::string e164 = calling_code == 1 ? "+1" : calling_code == 44 ? "+44" : "+86";
        e164.append(nsn);
        answer.e164 = std::move(e164);
    }
    return answer;
}

// GB/CN: a leading national prefix "0" is always consumed (no national number there starts with
// 0), and Parse keeps the stripped form when its length is possible or too long, the original
// when too short. Other outcomes changed between libphonenumber versions: left to it.
PhoneFastAnswer after_trunk_zero(int calling_code, std::string_view with_zero) {
    const std::string_view rest = with_zero.substr(1);
    if (rest.empty()) return unknown();
    switch (length_check(calling_code, rest)) {
        case pn::PhoneNumberUtil::IS_POSSIBLE: return possible(calling_code, rest);
        case pn::PhoneNumberUtil::TOO_LONG: return {true, std::nullopt};
        case pn::PhoneNumberUtil::TOO_SHORT: return possible(calling_code, with_zero);
        default: return unknown();
    }
}

// National significant number (as written) of a number whose calling code is known.
PhoneFastAnswer national(int calling_code, std::string_view nsn) {
    if (nsn.empty()) return unknown();
    switch (calling_code) {
        case 1:  // national prefix "1"
            if (nsn[0] == '1') return unknown();
            return possible(1, nsn);
        case 44:
            if (nsn[0] == '0') return after_trunk_zero(44, nsn);
            return possible(44, nsn);
        case 86:
            if (nsn[0] == '0') return after_trunk_zero(86, nsn);
            if (cn_carrier_prefix(nsn)) return unknown();
            return possible(86, nsn);
        default: return unknown();
    }
}

// Digits after '+' or an IDD prefix.
PhoneFastAnswer international(std::string_view rest) {
    if (rest.size() <= 2 || rest[0] == '0') return unknown();
    int calling_code = 0;
    for (std::size_t len = 1; len <= 3; ++len) {
        calling_code = calling_code * 10 + (rest[len - 1] - '0');
        if (known_calling_code(calling_code)) return national(calling_code, rest.substr(len));
    }
    return unknown();
}

struct RegionRule {
    const char* region;
    int calling_code;
    const char* calling_code_text;
    const char* idd;
};

constexpr RegionRule kRules[] = {{"CN", 86, "86", "00"}, {"US", 1, "1", "011"}, {"CA", 1, "1", "011"}, {"GB", 44, "44", "00"}};

}  // namespace

PhoneFastAnswer phone_fast_path(std::string_view text, std::string_view region) {
    std::string digits;
    bool plus = false;
    if (!simple_digits(text, digits, plus)) return unknown();
    const std::string_view d(digits);
    if (plus) return international(d);  // the default region plays no part after '+'
    const RegionRule* rule = nullptr;
    for (const auto& r : kRules)
        if (region == r.region) rule = &r;
    if (rule == nullptr) return unknown();
    if (rule->calling_code == 86 && cn_carrier_prefix(d)) return unknown();  // also CN's 1xxxx00 IDD
    const std::string_view idd(rule->idd);
    if (starts_with(d, idd) && d.size() > idd.size() && d[idd.size()] != '0') return international(d.substr(idd.size()));
    const std::string_view own_code(rule->calling_code_text);
    if (starts_with(d, own_code)) {
        // Parse drops the region's own calling code when the whole is too long for the region
        // (or when regexes on the national pattern say so: left to libphonenumber), then strips
        // a national prefix from the rest (left to libphonenumber too).
        const std::string_view rest = d.substr(own_code.size());
        if (length_check(rule->calling_code, d) != pn::PhoneNumberUtil::TOO_LONG || rest.empty() || rest[0] == '0' ||
            (rule->calling_code == 1 && rest[0] == '1') || (rule->calling_code == 86 && cn_carrier_prefix(rest)))
            return unknown();
        return possible(rule->calling_code, rest);
    }
    return national(rule->calling_code, d);
}

}  // namespace usermatch::normalize::detail
