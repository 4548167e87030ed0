// Fast path of normalize_phone: libphonenumber's Parse + IsPossibleNumber + IsValidNumber for the
// shapes that dominate real data, without its ICU regexes (10-40 us a number) but with exactly its
// answers, from its own metadata compiled to digit DFAs (phone_metadata.hpp). Private to
// src/core/normalize; see phone_fast_path.cpp for the rules and why they are equal.
#pragma once

#include "core/core_guard.hpp"

#include <string>
#include <string_view>

namespace usermatch::normalize::detail {

struct PhoneParse {
    enum class Status : unsigned char { Unknown, Error, Parsed };
    Status status = Status::Unknown;  // Unknown: ask libphonenumber; Error: Parse fails
    bool international = false;       // written with '+' or the region's IDD prefix
    int calling_code = 0;
    std::string nsn;                  // national significant number, leading zeros included
    bool possible = false;            // IsPossibleNumber
    bool valid = false;               // IsValidNumber
};

// `region` is an upper-case region code already checked by the caller.
PhoneParse phone_fast_parse(std::string_view text, std::string_view region);

}  // namespace usermatch::normalize::detail
