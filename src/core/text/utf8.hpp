// UTF-8 <-> code points. All comparators work on code points (char32_t), never bytes.
#pragma once

#include "core/core_guard.hpp"

#include <string>
#include <string_view>

namespace usermatch::text {

// Decodes UTF-8; each invalid or truncated byte sequence becomes U+FFFD (never throws).
std::u32string decode_utf8(std::string_view utf8);
// Appends the decoded code points to `out` (lets hot loops reuse one buffer).
void decode_utf8_into(std::string_view utf8, std::u32string& out);

std::string encode_utf8(std::u32string_view cps);
void encode_utf8_into(std::u32string_view cps, std::string& out);

inline bool is_ascii(std::string_view s) noexcept {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

}  // namespace usermatch::text
