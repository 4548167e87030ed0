#include "core/generate/text_edit.hpp"

#include "core/generate/tables.hpp"
#include "core/text/utf8.hpp"

#include <cstring>

namespace usermatch::generate::detail {
namespace {

// ASCII replacement of one Latin letter with a diacritic, or nullptr when there is none.
const char* folded(char32_t cp, bool german_style) noexcept {
    if (german_style) {
        switch (cp) {
            case U'ä': return "ae";
            case U'ö': return "oe";
            case U'ü': return "ue";
            case U'Ä': return "Ae";
            case U'Ö': return "Oe";
            case U'Ü': return "Ue";
            default: break;
        }
    }
    switch (cp) {
        case U'ß': return "ss";
        case U'æ': return "ae";
        case U'Æ': return "AE";
        case U'œ': return "oe";
        case U'Œ': return "OE";
        case U'ø': return "o";
        case U'Ø': return "O";
        case U'ł': return "l";
        case U'Ł': return "L";
        case U'ı': return "i";
        case U'đ': return "d";
        case U'ð': return "d";
        case U'þ': return "th";
        default: break;
    }
    // Latin-1 letters: index by code point - 0xC0.
    static constexpr char kLatin1[] =
        "AAAAAAACEEEEIIII" "DNOOOOO*OUUUUYTs"   // U+00C0..U+00DF
        "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";  // U+00E0..U+00FF
    static_assert(sizeof(kLatin1) == 0x40 + 1, "one letter per code point");
    static constexpr const char* kLetters[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K",
                                               "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V",
                                               "W", "X", "Y", "Z", "a", "b", "c", "d", "e", "f", "g",
                                               "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
                                               "s", "t", "u", "v", "w", "x", "y", "z"};
    auto letter = [](char c) -> const char* {
        if (c >= 'A' && c <= 'Z') return kLetters[c - 'A'];
        if (c >= 'a' && c <= 'z') return kLetters[26 + (c - 'a')];
        return nullptr;
    };
    if (cp >= 0xC0 && cp <= 0xFF) return letter(kLatin1[cp - 0xC0]);
    // Latin Extended-A (U+0100..U+017F): base letter of each code point.
    static constexpr char kExtA[] =
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    static_assert(sizeof(kExtA) == 0x80 + 1, "one letter per code point");
    if (cp >= 0x100 && cp <= 0x17F) return letter(kExtA[cp - 0x100]);
    return nullptr;
}

char32_t upper_of(char32_t cp) noexcept {
    if (cp >= 'a' && cp <= 'z') return cp - 32;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;
    if (cp == 0xFF) return 0x178;
    if (cp >= 0x100 && cp <= 0x17F) {
        // Pairs: even upper / odd lower except in 0x139..0x148 and 0x179..0x17E (odd upper).
        const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;  // ı ĸ ŉ ſ
        const bool is_lower = odd_upper ? (cp % 2 == 0) : (cp % 2 == 1);
        return is_lower ? cp - 1 : cp;
    }
    return cp;
}

char32_t lower_of(char32_t cp) noexcept {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
    if (cp == 0x178) return 0xFF;
    if (cp >= 0x100 && cp <= 0x17F) {
        const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
        const bool is_upper = odd_upper ? (cp % 2 == 1) : (cp % 2 == 0);
        return is_upper ? cp + 1 : cp;
    }
    return cp;
}

bool is_letter(char32_t cp) noexcept {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7);
}

// QWERTY neighbours of each lower-case letter (typing slips are local).
const char* neighbours(char c) noexcept {
    static constexpr const char* kNeighbours[26] = {
        "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn",
        "jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji",
        "cfgb", "qase", "zsdc", "tghu", "asx"};
    return (c >= 'a' && c <= 'z') ? kNeighbours[c - 'a'] : "aeiou";
}

}  // namespace

std::string fold_diacritics(std::string_view utf8, bool german_style) {
    if (text::is_ascii(utf8)) return std::string(utf8);
    std::string out;
    out.reserve(utf8.size());
    std::u32string one(1, U'\0');
    for (char32_t cp : text::decode_utf8(utf8)) {
        if (const char* f = folded(cp, german_style)) {
            out += f;
        } else if (cp >= 0x300 && cp <= 0x36F) {
            // combining mark: drop
        } else {
            one[0] = cp;
            text::encode_utf8_into(one, out);
        }
    }
    return out;
}

std::string latin_upper(std::string_view utf8) {
    std::u32string cps = text::decode_utf8(utf8);
    for (char32_t& cp : cps) cp = upper_of(cp);
    return text::encode_utf8(cps);
}

std::string latin_lower(std::string_view utf8) {
    std::u32string cps = text::decode_utf8(utf8);
    for (char32_t& cp : cps) cp = lower_of(cp);
    return text::encode_utf8(cps);
}

std::string to_traditional(std::string_view utf8) {
    std::u32string cps = text::decode_utf8(utf8);
    for (char32_t& cp : cps)
        if (char32_t t = traditional_of(cp)) cp = t;
    return text::encode_utf8(cps);
}

std::string ascii_slug(std::string_view utf8) {
    std::string out;
    for (char c : fold_diacritics(utf8)) {
        if (c >= 'A' && c <= 'Z') out += static_cast<char>(c + 32);
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    }
    return out;
}

std::string capitalized(std::string_view ascii) {
    std::string out(ascii);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
    return out;
}

std::string with_typo(std::string_view utf8, Rng& rng) {
    std::u32string cps = text::decode_utf8(utf8);
    std::size_t letters = 0;
    for (char32_t cp : cps) letters += is_letter(cp);
    if (letters < 3) return std::string(utf8);
    // Position of the k-th letter; avoid the very first letter (people rarely mistype it).
    std::size_t k = 1 + rng.below(letters - 1), pos = 0;
    for (std::size_t seen = 0; pos < cps.size(); ++pos)
        if (is_letter(cps[pos]) && seen++ == k) break;
    const char32_t cur = cps[pos];
    const char base = cur < 128 ? static_cast<char>(lower_of(cur)) : 'e';
    const char* near = neighbours(base);
    char32_t sub = static_cast<unsigned char>(near[rng.below(std::strlen(near))]);
    if (upper_of(cur) == cur && lower_of(cur) != cur) sub = upper_of(sub);
    switch (rng.below(4)) {
        case 0: cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(pos), sub); break;
        case 1: cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(pos)); break;
        case 2: cps[pos] = sub; break;
        default: {
            // Swap two neighbouring letters but keep the capitalisation where it was ("Mei" -> "Mie").
            std::size_t other = pos;
            if (pos + 1 < cps.size() && is_letter(cps[pos + 1]) && lower_of(cps[pos + 1]) != lower_of(cur))
                other = pos + 1;
            else if (is_letter(cps[pos - 1]) && lower_of(cps[pos - 1]) != lower_of(cur))
                other = pos - 1;
            if (other == pos) {
                cps[pos] = sub;
                break;
            }
            const bool upper_here = upper_of(cps[pos]) == cps[pos], upper_there = upper_of(cps[other]) == cps[other];
            std::swap(cps[pos], cps[other]);
            cps[pos] = upper_here ? upper_of(cps[pos]) : lower_of(cps[pos]);
            cps[other] = upper_there ? upper_of(cps[other]) : lower_of(cps[other]);
            break;
        }
    }
    return text::encode_utf8(cps);
}

}  // namespace usermatch::generate::detail
