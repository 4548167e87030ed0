#include "core/compare/latin_fold.hpp"

namespace usermatch::compare::detail {

namespace {

// One letter per code point from U+00C0; '?' marks a two-letter fold, '-' a non-letter.
constexpr char kLatin1[] =
    "AAAAAA?CEEEEIIII"   // U+00C0 .. U+00CF  (U+00C6 Æ)
    "DNOOOOO-OUUUUY??"   // U+00D0 .. U+00DF  (U+00D7 ×, U+00DE Þ, U+00DF ß)
    "AAAAAA?CEEEEIIII"   // U+00E0 .. U+00EF  (U+00E6 æ)
    "DNOOOOO-OUUUUY?Y";  // U+00F0 .. U+00FF  (U+00F7 ÷, U+00FE þ)

// From U+0100 (Latin Extended-A).
constexpr char kLatinExtendedA[] =
    "AAAAAACCCCCCCCDD"   // U+0100
    "DDEEEEEEEEEEGGGG"   // U+0110
    "GGGGHHHHIIIIIIII"   // U+0120
    "II??JJKKKLLLLLLL"   // U+0130  (U+0132 Ĳ, U+0133 ĳ)
    "LLLNNNNNNNNNOOOO"   // U+0140
    "OO??RRRRRRSSSSSS"   // U+0150  (U+0152 Œ, U+0153 œ)
    "SSTTTTTTUUUUUUUU"   // U+0160
    "UUUUWWYYYZZZZZZS";  // U+0170  (U+017F ſ long s)

std::size_t two_letters(char32_t c, char out[2]) noexcept {
    const char* pair = nullptr;
    switch (c) {
        case 0x00C6: case 0x00E6: pair = "AE"; break;
        case 0x00DE: case 0x00FE: pair = "TH"; break;
        case 0x00DF: pair = "SS"; break;
        case 0x0132: case 0x0133: pair = "IJ"; break;
        case 0x0152: case 0x0153: pair = "OE"; break;
        default: return 0;
    }
    out[0] = pair[0];
    out[1] = pair[1];
    return 2;
}

std::size_t from_table(char letter, char32_t c, char out[2]) noexcept {
    if (letter == '-') return 0;
    if (letter == '?') return two_letters(c, out);
    out[0] = letter;
    return 1;
}

}  // namespace

std::size_t fold_latin_letter_beyond_ascii(char32_t c, char out[2]) noexcept {
    if (c >= 0x00C0 && c <= 0x00FF) return from_table(kLatin1[c - 0x00C0], c, out);
    if (c >= 0x0100 && c <= 0x017F) return from_table(kLatinExtendedA[c - 0x0100], c, out);
    return 0;
}

}  // namespace usermatch::compare::detail
