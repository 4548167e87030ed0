// Latin letters to upper-case ASCII for the phonetic codes: A-Z, a-z, and the letters of
// Latin-1 Supplement and Latin Extended-A with their diacritics removed (é -> E, ß -> SS,
// Æ -> AE, Ł -> L). A small built-in table: no ICU needed.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>

namespace usermatch::compare::detail {

// Writes 0, 1 or 2 upper-case ASCII letters for `c` into out and returns how many
// (0 when c is not a Latin letter covered by the table).
std::size_t fold_latin_letter_beyond_ascii(char32_t c, char out[2]) noexcept;

// Inline for ASCII, the common case of the phonetic codes' inner loop.
inline std::size_t fold_latin_letter(char32_t c, char out[2]) noexcept {
    if (c >= U'A' && c <= U'Z') {
        out[0] = static_cast<char>(c);
        return 1;
    }
    if (c >= U'a' && c <= U'z') {
        out[0] = static_cast<char>(c - U'a' + U'A');
        return 1;
    }
    if (c < 0x00C0) return 0;
    return fold_latin_letter_beyond_ascii(c, out);
}

}  // namespace usermatch::compare::detail
