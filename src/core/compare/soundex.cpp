// American Soundex with the H/W rule: consonants with the same digit separated only by H or W
// are coded once; a vowel (A E I O U Y) between them lets the digit repeat.
#include "core/compare/latin_fold.hpp"
#include "core/compare/phonetic.hpp"

namespace usermatch::compare {

namespace {

//                       ABCDEFGHIJKLMNOPQRSTUVWXYZ
constexpr char kDigit[] = "01230120022455012623010202";

}  // namespace

std::string soundex(std::u32string_view s) {
    std::string code;
    char previous_digit = '0';
    for (const char32_t c : s) {
        char letters[2];
        const std::size_t count = detail::fold_latin_letter(c, letters);  // 0: skipped
        for (std::size_t k = 0; k < count && code.size() < 4; ++k) {
            const char letter = letters[k];
            const char digit = kDigit[letter - 'A'];
            if (code.empty()) {
                code.push_back(letter);
                previous_digit = digit;
            } else if (letter == 'H' || letter == 'W') {
                continue;  // transparent: does not separate equal digits
            } else if (digit == '0') {
                previous_digit = '0';  // vowel: separates equal digits
            } else if (digit != previous_digit) {
                code.push_back(digit);
                previous_digit = digit;
            }
        }
        if (code.size() == 4) break;
    }
    if (code.empty()) return code;
    code.resize(4, '0');
    return code;
}

}  // namespace usermatch::compare
