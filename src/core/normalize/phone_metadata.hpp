// libphonenumber's own metadata, compiled for the fast path of normalize_phone. Private to
// src/core/normalize.
//
// The metadata is the protobuf blob linked into libphonenumber (metadata_get/metadata_size, the
// data its PhoneNumberUtil loads). Its regular expressions (national number patterns per number
// type, international and national prefixes, leading digits) use a small subset of regex syntax
// over digits; each is compiled here into a DFA over '0'-'9', so that "does this national number
// match the mobile pattern of FR" is one table walk instead of an ICU regex (1-3 us each). A region
// whose patterns use anything outside the subset is simply not compiled: the fast path then leaves
// its numbers to libphonenumber. Compiled per calling code on first use (under a mutex), then read
// without locks; never freed (no destructors at unload).
#pragma once

#include "core/core_guard.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::normalize::detail {

// A pattern compiled to a DFA over the ten ASCII digits. Inputs must be digits only.
class DigitDfa {
public:
    // nullptr when the pattern uses syntax outside the subset (digits, \d, [..] classes with
    // ranges and ^, (..) and (?:..) groups, |, ?, *, +, {n}, {n,}, {n,m}, $ at the end of input) or the DFA grows past
    // a few thousand states.
    static std::unique_ptr<DigitDfa> compile(std::string_view pattern);
    // The whole input matches (RegExp::FullMatch).
    bool full_match(std::string_view digits) const;
    // Bit L set when digits[0, L) matches (L <= 63): the candidates of RegExp::Consume/lookingAt.
    std::uint64_t prefix_lengths(std::string_view digits) const;

    // A lower bound of the length of any match in which a capturing group captured something
    // (INT32_MAX when none can): shorter matches certainly captured nothing.
    int min_capture_length() const { return min_capture_length_; }

private:
    int min_capture_length_ = INT32_MAX;
    std::vector<std::array<std::int32_t, 11>> next_;  // per digit and END ('$'); -1: dead
    std::vector<std::uint8_t> accept_;
};

// A PhoneNumberDesc: pattern + possible lengths.
struct NumberDesc {
    bool present = false;           // has a national number pattern (an absent one never matches)
    std::unique_ptr<DigitDfa> dfa;
    std::vector<int> lengths;       // possible_length ([-1] = none)
    std::vector<int> local_lengths; // possible_length_local_only
    // PhoneNumberUtil::IsNumberMatchingDesc.
    bool matches(std::string_view nsn) const;
};

// TestNumberLength's answers, in PhoneNumberUtil::ValidationResult's order.
enum class LengthResult : std::uint8_t { IsPossible, InvalidCountryCode, TooShort, TooLong, LocalOnly, InvalidLength };

struct RegionData {
    std::string id;
    int calling_code = 0;
    NumberDesc general;
    // GetNumberTypeHelper's order after general_desc: premium, toll free, shared cost, voip,
    // personal, pager, uan, voicemail, then fixed line, then mobile.
    std::vector<NumberDesc> types;  // the first 8
    NumberDesc fixed_line, mobile;
    bool same_mobile_and_fixed_line = false;
    std::unique_ptr<DigitDfa> leading_digits;  // null when absent
    std::unique_ptr<DigitDfa> idd;             // international_prefix
    std::unique_ptr<DigitDfa> national_prefix; // national_prefix_for_parsing; null when absent
    bool has_transform_rule = false;

    // GetNumberTypeHelper(nsn) != UNKNOWN.
    bool valid_nsn(std::string_view nsn) const;
    // TestNumberLength(nsn, metadata, UNKNOWN).
    LengthResult test_length(std::string_view nsn) const;
};

// Every region of one calling code, main region first (libphonenumber's order).
struct CallingCodeData {
    int code = 0;
    std::vector<const RegionData*> regions;
    // IsValidNumber for (code, nsn): GetRegionCodeForNumber, then IsValidNumberForRegion.
    bool valid(std::string_view nsn) const;
};

// The compiled data of a calling code, or nullptr when it is not known, non-geographic, or one of
// its regions did not compile. Thread-safe.
const CallingCodeData* calling_code_data(int code);
// The calling code of an upper-case two-letter region known to libphonenumber, else 0. Lock-free.
int region_calling_code(std::string_view region);
// Region data by upper-case id (nullptr when not compiled; see calling_code_data).
const RegionData* region_data(std::string_view region);
// True when a 1-3 digit calling code is known to libphonenumber (geographic or not).
bool known_calling_code(int code);

}  // namespace usermatch::normalize::detail
