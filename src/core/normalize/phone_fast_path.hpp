// Fast path of normalize_phone: the shapes that dominate real data, answered without
// libphonenumber's Parse (ICU regexes, 10-40 us) but with exactly its result. Private to
// src/core/normalize; see phone_fast_path.cpp for the rules and why they are equal.
#pragma once

#include "core/core_guard.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace usermatch::normalize::detail {

struct PhoneFastAnswer {
    bool known = false;                // false: ask libphonenumber
    std::optional<std::string> e164;  // when known: the answer (nullopt = not a possible number)
};

// `region` is an upper-case region code already checked by the caller.
PhoneFastAnswer phone_fast_path(std::string_view text, std::string_view region);

}  // namespace usermatch::normalize::detail
