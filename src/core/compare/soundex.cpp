// American Soundex with the H/W rule: consonants with the same digit separated only by H or W
// are coded once; a vowel (A E I O U Y) between them lets the digit repeat.
#include "core/compare/latin_fold.hpp"
#include "core/compare/phonetic.hpp"

#include <type_traits>

namespace usermatch::compare {

namespace {

//                       ABCDEFGHIJKLMNOPQRSTUVWXYZ
constexpr char kDigit[] = "01230120022455012623010202";

template <typename CharT>
std::string soundex_any(std::basic_string_view<CharT> s) {
    char code[4];  // built in place, turned into a string once
    std::size_t size = 0;
    char previous_digit = '0';
    for (const CharT unit : s) {
        const char32_t c = static_cast<std::make_unsigned_t<CharT>>(unit);  // bytes read as Latin-1
        char letters[2];
        const std::size_t count = detail::fold_latin_letter(c, letters);  // 0: skipped
        for (std::size_t k = 0; k < count; ++k) {
            const char letter = letters[k];
            const char digit = kDigit[letter - 'A'];
            if (size == 0) {
                code[size++] = letter;
                previous_digit = digit;
            } else if (letter == 'H' || letter == 'W') {
                continue;  // transparent: does not separate equal digits
            } else if (digit == '0') {
                previous_digit = '0';  // vowel: separates equal digits
            } else if (digit != previous_digit) {
                code[size++] = digit;
                previous_digit = digit;
                if (size == 4) return std::string(code, 4);
            }
        }
    }
    if (size == 0) return std::string();
    while (size < 4) code[size++] = '0';
    return std::string(code, 4);
}

// Per ASCII byte: its digit ('0' for a vowel), 'h' for the transparent H and W, 0 for a
// non-letter. One lookup per byte instead of folding.
struct AsciiSoundexTable {
    char code[128];
};

constexpr AsciiSoundexTable make_ascii_table() {
    AsciiSoundexTable table{};
    for (int c = 'A'; c <= 'Z'; ++c) {
        const char code = (c == 'H' || c == 'W') ? 'h' : kDigit[c - 'A'];
        table.code[c] = code;
        table.code[c - 'A' + 'a'] = code;
    }
    return table;
}

constexpr AsciiSoundexTable kAscii = make_ascii_table();

}  // namespace

std::string soundex(std::u32string_view s) { return soundex_any(s); }

std::string soundex_bytes(std::string_view s) {
    // The same rules as soundex_any, specialised for ASCII bytes.
    char code[4];
    std::size_t size = 0;
    char previous_digit = '0';
    for (const char byte : s) {
        const auto b = static_cast<unsigned char>(byte);
        if (b >= 0x80) return soundex_any(s);  // a Latin-1 letter may need folding: general path
        const char digit = kAscii.code[b];
        if (digit == 0) continue;  // not a letter: skipped
        if (size == 0) {
            code[size++] = static_cast<char>(b & ~0x20);  // upper case
            previous_digit = digit == 'h' ? '0' : digit;
        } else if (digit == 'h') {
            continue;  // transparent: does not separate equal digits
        } else if (digit == '0') {
            previous_digit = '0';  // vowel: separates equal digits
        } else if (digit != previous_digit) {
            code[size++] = digit;
            previous_digit = digit;
            if (size == 4) return std::string(code, 4);
        }
    }
    if (size == 0) return std::string();
    while (size < 4) code[size++] = '0';
    return std::string(code, 4);
}

}  // namespace usermatch::compare
