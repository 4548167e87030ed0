// Fast path of normalize_phone, equal to libphonenumber 8.12's ParseAndKeepRawInput +
// IsPossibleNumber + IsValidNumber, for every region whose metadata compiles (phone_metadata.cpp).
//
// Input shape: only ASCII digits, space - . ( ) and at most one '+' before the first digit, 3 to
// 24 digits. For such text Parse sees just (plus sign, digit string): no letters, extensions or
// second numbers. It then does, and so do we, step by step (PhoneNumberUtil::ParseHelper):
//  1. '+': international. Otherwise the default region's international_prefix regex is tried at
//     the start (Consume); when it matches and the next digit is not '0', international too.
//  2. International: the country calling code is the shortest 1-3 digit prefix libphonenumber
//     knows; the metadata is its main region's.
//  3. Otherwise, text starting with the default region's own calling code loses it when the rest
//     (after national prefix stripping) matches the general pattern and the whole does not, or the
//     whole is too long (MaybeExtractCountryCode).
//  4. National prefix stripping (MaybeStripNationalPrefixAndCarrierCode): national_prefix_for_parsing
//     consumed at the start unless the number was viable (general pattern) and the rest is not;
//     kept only when the rest's length is possible or too long (TestNumberLength).
//  5. NSN length 2..17; IsPossibleNumber = TestNumberLength on the main region's general lengths;
//     IsValidNumber = GetRegionCodeForNumber (leading digits, else validity, over the regions of
//     the calling code) then GetNumberTypeHelper on that region's patterns.
// Left to libphonenumber (status Unknown): any other character, a regex Consume with more than one
// candidate length (leftmost-first order would decide), a national prefix with a transform rule
// whose capturing groups may have taken part (AR, BR, MX, ... with a carrier code), '+' followed by 0 or by an unknown code (Parse retries as
// national), non-geographic codes, and regions whose metadata does not compile. The unit test
// compares this with libphonenumber on generated and random numbers of every fast region.
#include "core/normalize/phone_fast_path.hpp"

#include "core/normalize/phone_metadata.hpp"

namespace usermatch::normalize::detail {
namespace {

constexpr std::size_t kMaxFastDigits = 24;
constexpr std::size_t kMinLengthForNsn = 2;
constexpr std::size_t kMaxLengthForNsn = 17;

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

PhoneParse unknown() { return {}; }
PhoneParse error() {
    PhoneParse p;
    p.status = PhoneParse::Status::Error;
    return p;
}

bool general_match(const RegionData& r, std::string_view number) { return r.general.dfa->full_match(number); }

// MaybeStripNationalPrefixAndCarrierCode; false when libphonenumber must decide.
bool strip_national_prefix(const RegionData& r, std::string_view& number) {
    if (number.empty() || !r.national_prefix) return true;
    const std::uint64_t lengths = r.national_prefix->prefix_lengths(number);
    if (lengths == 0) return true;                     // no national prefix
    if (lengths & (lengths - 1)) return false;         // leftmost-first would choose
    // A transform rule applies only when a capturing group captured something: certainly not
    // when every candidate match is shorter than any capturing match can be (BR: "0" or "90"
    // without a carrier code and 10-11 digits after it).
    if (r.has_transform_rule && 63 - __builtin_clzll(lengths) >= r.national_prefix->min_capture_length()) return false;
    const std::size_t n = static_cast<std::size_t>(__builtin_ctzll(lengths));
    const std::string_view rest = number.substr(n);
    if (general_match(r, number) && !general_match(r, rest)) return true;
    number = rest;
    return true;
}

PhoneParse finish(int calling_code, const RegionData& meta, std::string_view number, bool international) {
    if (number.size() < kMinLengthForNsn) return error();
    std::string_view potential = number;
    if (!strip_national_prefix(meta, potential)) return unknown();
    const LengthResult lr = meta.test_length(potential);
    if (lr != LengthResult::TooShort && lr != LengthResult::LocalOnly && lr != LengthResult::InvalidLength)
        number = potential;
    if (number.size() < kMinLengthForNsn || number.size() > kMaxLengthForNsn) return error();
    const CallingCodeData* code = calling_code_data(calling_code);
    if (code == nullptr) return unknown();
    PhoneParse p;
    p.status = PhoneParse::Status::Parsed;
    p.international = international;
    p.calling_code = calling_code;
    p.nsn.assign(number);
    const LengthResult possible = code->regions[0]->test_length(number);
    p.possible = possible == LengthResult::IsPossible || possible == LengthResult::LocalOnly;
    p.valid = code->valid(number);
    return p;
}

// Digits after '+' or an IDD prefix.
PhoneParse international(std::string_view rest) {
    if (rest.size() <= kMinLengthForNsn) return error();  // TOO_SHORT_AFTER_IDD
    if (rest[0] == '0') return unknown();
    int calling_code = 0;
    for (std::size_t len = 1; len <= 3; ++len) {
        calling_code = calling_code * 10 + (rest[len - 1] - '0');
        if (known_calling_code(calling_code)) {
            const CallingCodeData* code = calling_code_data(calling_code);
            if (code == nullptr) return unknown();
            return finish(calling_code, *code->regions[0], rest.substr(len), true);
        }
    }
    return unknown();
}

}  // namespace

PhoneParse phone_fast_parse(std::string_view text, std::string_view region) {
    std::string digits;  // up to 15 digits fit the small-string buffer: no allocation
    bool plus = false;
    if (!simple_digits(text, digits, plus)) return unknown();
    const std::string_view d(digits);
    if (plus) return international(d);  // the default region plays no part after '+'
    const RegionData* r = region_data(region);
    if (r == nullptr) return unknown();
    const std::uint64_t idd = r->idd->prefix_lengths(d);
    if (idd != 0) {
        if ((idd & (idd - 1)) || (idd & 1)) return unknown();
        const std::size_t n = static_cast<std::size_t>(__builtin_ctzll(idd));
        if (n == d.size()) return error();                       // nothing after the IDD
        if (d[n] != '0') return international(d.substr(n));
    }
    char own[8];
    int own_len = 0;
    for (int c = r->calling_code; c > 0; c /= 10) own[own_len++] = static_cast<char>('0' + c % 10);
    bool starts_with_own = d.size() >= static_cast<std::size_t>(own_len);
    for (int k = 0; k < own_len && starts_with_own; ++k) starts_with_own = d[static_cast<std::size_t>(k)] == own[own_len - 1 - k];
    if (starts_with_own) {
        std::string_view potential = d.substr(static_cast<std::size_t>(own_len));
        if (!strip_national_prefix(*r, potential)) return unknown();
        if ((!general_match(*r, d) && general_match(*r, potential)) || r->test_length(d) == LengthResult::TooLong) {
            const CallingCodeData* code = calling_code_data(r->calling_code);
            if (code == nullptr) return unknown();
            return finish(r->calling_code, *code->regions[0], potential, false);
        }
    }
    return finish(r->calling_code, *r, d, false);
}

}  // namespace usermatch::normalize::detail
