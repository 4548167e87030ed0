// Lawrence Philips' Double Metaphone (1999/2000), following the widely used C version (Maurice
// Aubrey's Text::DoubleMetaphone with Kevin Atkinson's fixes, also in PostgreSQL's
// fuzzystrmatch) rule for rule. The input is first mapped to upper-case Latin bytes: letters with
// diacritics are folded (é -> E) except Ç and Ñ, which the algorithm handles itself; ASCII
// non-letters (spaces matter: "VAN ", "SAN ") are kept; other code points become '?'.
#include "core/compare/latin_fold.hpp"
#include "core/compare/phonetic.hpp"
#include "core/errors.hpp"

#include <cstring>
#include <initializer_list>
#include <string_view>
#include <type_traits>

namespace usermatch::compare {

namespace {

constexpr char kCCedilla = '\xC7';  // the bytes the original uses (Latin-1)
constexpr char kNTilde = '\xD1';

// Writes the metaphone bytes of `s` into out (room for 2 * s.size() bytes: a fold writes at
// most two letters) and returns how many. Bytes (CharT = char) are read as Latin-1 code points.
template <typename CharT>
std::size_t to_metaphone_bytes(std::basic_string_view<CharT> s, char* out, bool& has_letter) {
    std::size_t size = 0;
    has_letter = false;
    for (const CharT unit : s) {
        const char32_t c = static_cast<std::make_unsigned_t<CharT>>(unit);
        if (c == 0x00C7 || c == 0x00E7) {
            out[size++] = kCCedilla;
            has_letter = true;
            continue;
        }
        if (c == 0x00D1 || c == 0x00F1) {
            out[size++] = kNTilde;
            has_letter = true;
            continue;
        }
        char letters[2];
        const std::size_t count = detail::fold_latin_letter(c, letters);
        if (count > 0) {
            out[size++] = letters[0];
            if (count == 2) out[size++] = letters[1];
            has_letter = true;
        } else if (c < 0x80) {
            out[size++] = static_cast<char>(c);
        } else {
            out[size++] = '?';
        }
    }
    return size;
}

class DoubleMetaphone {
public:
    static constexpr std::size_t kPadding = 5;  // blanks after the word so rules can look past it

    // `padded` holds the word followed by kPadding blanks; it must outlive the object.
    DoubleMetaphone(std::string_view padded, std::size_t max_length)
        : s_(padded),
          length_(static_cast<int>(padded.size() - kPadding)),
          last_(length_ - 1),
          padded_(static_cast<int>(padded.size())),
          max_length_(max_length) {
        slavo_germanic_ = s_.find('W') != std::string_view::npos || s_.find('K') != std::string_view::npos ||
                          s_.find("CZ") != std::string_view::npos || s_.find("WITZ") != std::string_view::npos;
    }

    MetaphoneCodes run();

private:
    char at(int pos) const { return (pos < 0 || pos >= padded_) ? '\0' : s_[static_cast<std::size_t>(pos)]; }

    bool is_vowel(int pos) const {
        const char c = at(pos);
        return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
    }

    bool string_at(int start, int len, std::initializer_list<const char*> options) const {
        if (start < 0 || start >= padded_ || start + len > padded_) return false;
        for (const char* option : options)
            if (std::memcmp(s_.data() + start, option, static_cast<std::size_t>(len)) == 0) return true;
        return false;
    }

    void add(const char* both) {
        primary_ += both;
        secondary_ += both;
    }
    void add(const char* main, const char* alt) {
        primary_ += main;
        secondary_ += alt;
    }

    int on_c(int current);
    int on_d(int current);
    int on_g(int current);
    int on_j(int current);
    int on_l(int current);
    int on_s(int current);
    int on_t(int current);
    int on_w(int current);
    int on_z(int current);

    std::string_view s_;
    int length_;
    int last_;
    int padded_;
    std::size_t max_length_;
    bool slavo_germanic_ = false;
    std::string primary_;
    std::string secondary_;
};

MetaphoneCodes DoubleMetaphone::run() {
    int current = 0;
    if (string_at(0, 2, {"GN", "KN", "PN", "WR", "PS"})) current += 1;  // silent first letter
    if (at(0) == 'X') {  // initial X sounds Z: Xavier
        add("S");
        current += 1;
    }
    while (primary_.size() < max_length_ || secondary_.size() < max_length_) {
        if (current >= length_) break;
        switch (at(current)) {
            case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
                if (current == 0) add("A");  // all initial vowels map to A
                current += 1;
                break;
            case 'B':
                add("P");  // "-mb" (dumb) already skipped over
                current += at(current + 1) == 'B' ? 2 : 1;
                break;
            case kCCedilla:
                add("S");
                current += 1;
                break;
            case 'C': current = on_c(current); break;
            case 'D': current = on_d(current); break;
            case 'F':
                current += at(current + 1) == 'F' ? 2 : 1;
                add("F");
                break;
            case 'G': current = on_g(current); break;
            case 'H':
                // kept only when first or between vowels, and before a vowel
                if ((current == 0 || is_vowel(current - 1)) && is_vowel(current + 1)) {
                    add("H");
                    current += 2;
                } else {
                    current += 1;
                }
                break;
            case 'J': current = on_j(current); break;
            case 'K':
                current += at(current + 1) == 'K' ? 2 : 1;
                add("K");
                break;
            case 'L': current = on_l(current); break;
            case 'M':
                if ((string_at(current - 1, 3, {"UMB"}) &&
                     (current + 1 == last_ || string_at(current + 2, 2, {"ER"}))) ||  // dumb, thumb
                    at(current + 1) == 'M')
                    current += 2;
                else
                    current += 1;
                add("M");
                break;
            case 'N':
                current += at(current + 1) == 'N' ? 2 : 1;
                add("N");
                break;
            case kNTilde:
                current += 1;
                add("N");
                break;
            case 'P':
                if (at(current + 1) == 'H') {
                    add("F");
                    current += 2;
                    break;
                }
                current += string_at(current + 1, 1, {"P", "B"}) ? 2 : 1;  // campbell, raspberry
                add("P");
                break;
            case 'Q':
                current += at(current + 1) == 'Q' ? 2 : 1;
                add("K");
                break;
            case 'R':
                // French: Rogier, but not Hochmeier
                if (current == last_ && !slavo_germanic_ && string_at(current - 2, 2, {"IE"}) &&
                    !string_at(current - 4, 2, {"ME", "MA"}))
                    add("", "R");
                else
                    add("R");
                current += at(current + 1) == 'R' ? 2 : 1;
                break;
            case 'S': current = on_s(current); break;
            case 'T': current = on_t(current); break;
            case 'V':
                current += at(current + 1) == 'V' ? 2 : 1;
                add("F");
                break;
            case 'W': current = on_w(current); break;
            case 'X':
                // French: Breaux
                if (!(current == last_ &&
                      (string_at(current - 3, 3, {"IAU", "EAU"}) || string_at(current - 2, 2, {"AU", "OU"}))))
                    add("KS");
                current += string_at(current + 1, 1, {"C", "X"}) ? 2 : 1;
                break;
            case 'Z': current = on_z(current); break;
            default:
                current += 1;
        }
    }
    if (primary_.size() > max_length_) primary_.resize(max_length_);
    if (secondary_.size() > max_length_) secondary_.resize(max_length_);
    return MetaphoneCodes{std::move(primary_), std::move(secondary_)};
}

int DoubleMetaphone::on_c(int current) {
    // various Germanic
    if (current > 1 && !is_vowel(current - 2) && string_at(current - 1, 3, {"ACH"}) &&
        (at(current + 2) != 'I' && (at(current + 2) != 'E' || string_at(current - 2, 6, {"BACHER", "MACHER"})))) {
        add("K");
        return current + 2;
    }
    if (current == 0 && string_at(current, 6, {"CAESAR"})) {
        add("S");
        return current + 2;
    }
    if (string_at(current, 4, {"CHIA"})) {  // Italian: chianti
        add("K");
        return current + 2;
    }
    if (string_at(current, 2, {"CH"})) {
        if (current > 0 && string_at(current, 4, {"CHAE"})) {  // Michael
            add("K", "X");
            return current + 2;
        }
        // Greek roots: chemistry, chorus
        if (current == 0 &&
            (string_at(current + 1, 5, {"HARAC", "HARIS"}) || string_at(current + 1, 3, {"HOR", "HYM", "HIA", "HEM"})) &&
            !string_at(0, 5, {"CHORE"})) {
            add("K");
            return current + 2;
        }
        // Germanic, Greek, or otherwise CH for the KH sound
        if ((string_at(0, 4, {"VAN ", "VON "}) || string_at(0, 3, {"SCH"})) ||
            string_at(current - 2, 6, {"ORCHES", "ARCHIT", "ORCHID"}) ||  // architect, not arch
            string_at(current + 2, 1, {"T", "S"}) ||
            ((string_at(current - 1, 1, {"A", "O", "U", "E"}) || current == 0) &&
             string_at(current + 2, 1, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}))) {  // wachtler
            add("K");
        } else if (current > 0) {
            if (string_at(0, 2, {"MC"}))
                add("K");  // McHugh
            else
                add("X", "K");
        } else {
            add("X");
        }
        return current + 2;
    }
    if (string_at(current, 2, {"CZ"}) && !string_at(current - 2, 4, {"WICZ"})) {  // Czerny
        add("S", "X");
        return current + 2;
    }
    if (string_at(current + 1, 3, {"CIA"})) {  // focaccia
        add("X");
        return current + 3;
    }
    // double C, but not McClellan
    if (string_at(current, 2, {"CC"}) && !(current == 1 && at(0) == 'M')) {
        if (string_at(current + 2, 1, {"I", "E", "H"}) && !string_at(current + 2, 2, {"HU"})) {  // bellocchio
            if ((current == 1 && at(current - 1) == 'A') || string_at(current - 1, 5, {"UCCEE", "UCCES"}))
                add("KS");  // accident, accede, succeed
            else
                add("X");  // bacci, bertucci
            return current + 3;
        }
        add("K");  // Pierce's rule
        return current + 2;
    }
    if (string_at(current, 2, {"CK", "CG", "CQ"})) {
        add("K");
        return current + 2;
    }
    if (string_at(current, 2, {"CI", "CE", "CY"})) {
        if (string_at(current, 3, {"CIO", "CIE", "CIA"}))
            add("S", "X");  // Italian vs English
        else
            add("S");
        return current + 2;
    }
    add("K");
    if (string_at(current + 1, 2, {" C", " Q", " G"})) return current + 3;  // Mac Caffrey, Mac Gregor
    if (string_at(current + 1, 1, {"C", "K", "Q"}) && !string_at(current + 1, 2, {"CE", "CI"})) return current + 2;
    return current + 1;
}

int DoubleMetaphone::on_d(int current) {
    if (string_at(current, 2, {"DG"})) {
        if (string_at(current + 2, 1, {"I", "E", "Y"})) {  // edge
            add("J");
            return current + 3;
        }
        add("TK");  // Edgar
        return current + 2;
    }
    if (string_at(current, 2, {"DT", "DD"})) {
        add("T");
        return current + 2;
    }
    add("T");
    return current + 1;
}

int DoubleMetaphone::on_g(int current) {
    if (at(current + 1) == 'H') {
        if (current > 0 && !is_vowel(current - 1)) {
            add("K");
            return current + 2;
        }
        if (current == 0) {  // Ghislane, Ghiradelli
            add(at(current + 2) == 'I' ? "J" : "K");
            return current + 2;
        }
        // Parker's rule (with refinements): Hugh, bough, Broughton
        if ((current > 1 && string_at(current - 2, 1, {"B", "H", "D"})) ||
            (current > 2 && string_at(current - 3, 1, {"B", "H", "D"})) ||
            (current > 3 && string_at(current - 4, 1, {"B", "H"})))
            return current + 2;
        // laugh, McLaughlin, cough, gough, rough, tough
        if (current > 2 && at(current - 1) == 'U' && string_at(current - 3, 1, {"C", "G", "L", "R", "T"}))
            add("F");
        else if (current > 0 && at(current - 1) != 'I')
            add("K");
        return current + 2;
    }
    if (at(current + 1) == 'N') {
        if (current == 1 && is_vowel(0) && !slavo_germanic_)
            add("KN", "N");
        else if (!string_at(current + 2, 2, {"EY"}) && at(current + 1) != 'Y' && !slavo_germanic_)
            add("N", "KN");  // not Cagney
        else
            add("KN");
        return current + 2;
    }
    if (string_at(current + 1, 2, {"LI"}) && !slavo_germanic_) {  // Tagliaro
        add("KL", "L");
        return current + 2;
    }
    // -ges-, -gep-, -gel-, -gie- at the beginning
    if (current == 0 &&
        (at(current + 1) == 'Y' ||
         string_at(current + 1, 2, {"ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"}))) {
        add("K", "J");
        return current + 2;
    }
    // -ger-, -gy-
    if ((string_at(current + 1, 2, {"ER"}) || at(current + 1) == 'Y') &&
        !string_at(0, 6, {"DANGER", "RANGER", "MANGER"}) && !string_at(current - 1, 1, {"E", "I"}) &&
        !string_at(current - 1, 3, {"RGY", "OGY"})) {
        add("K", "J");
        return current + 2;
    }
    // Italian: Biaggi
    if (string_at(current + 1, 1, {"E", "I", "Y"}) || string_at(current - 1, 4, {"AGGI", "OGGI"})) {
        if ((string_at(0, 4, {"VAN ", "VON "}) || string_at(0, 3, {"SCH"})) || string_at(current + 1, 2, {"ET"}))
            add("K");  // obviously Germanic
        else if (string_at(current + 1, 4, {"IER "}))
            add("J");  // always soft with a French ending
        else
            add("J", "K");
        return current + 2;
    }
    add("K");
    return current + (at(current + 1) == 'G' ? 2 : 1);
}

int DoubleMetaphone::on_j(int current) {
    // obviously Spanish: Jose, San Jacinto
    if (string_at(current, 4, {"JOSE"}) || string_at(0, 4, {"SAN "})) {
        if ((current == 0 && at(current + 4) == ' ') || string_at(0, 4, {"SAN "}))
            add("H");
        else
            add("J", "H");
        return current + 1;
    }
    if (current == 0 && !string_at(current, 4, {"JOSE"})) {
        add("J", "A");  // Yankelovich / Jankelowicz
    } else if (is_vowel(current - 1) && !slavo_germanic_ && (at(current + 1) == 'A' || at(current + 1) == 'O')) {
        add("J", "H");  // Spanish: bajador
    } else if (current == last_) {
        add("J", "");
    } else if (!string_at(current + 1, 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) &&
               !string_at(current - 1, 1, {"S", "K", "L"})) {
        add("J");
    }
    return current + (at(current + 1) == 'J' ? 2 : 1);
}

int DoubleMetaphone::on_l(int current) {
    if (at(current + 1) == 'L') {
        // Spanish: cabrillo, gallegos
        if ((current == length_ - 3 && string_at(current - 1, 4, {"ILLO", "ILLA", "ALLE"})) ||
            ((string_at(last_ - 1, 2, {"AS", "OS"}) || string_at(last_, 1, {"A", "O"})) &&
             string_at(current - 1, 4, {"ALLE"}))) {
            add("L", "");
            return current + 2;
        }
        add("L");
        return current + 2;
    }
    add("L");
    return current + 1;
}

int DoubleMetaphone::on_s(int current) {
    if (string_at(current - 1, 3, {"ISL", "YSL"})) return current + 1;  // island, isle, Carlisle
    if (current == 0 && string_at(current, 5, {"SUGAR"})) {
        add("X", "S");
        return current + 1;
    }
    if (string_at(current, 2, {"SH"})) {
        if (string_at(current + 1, 4, {"HEIM", "HOEK", "HOLM", "HOLZ"}))
            add("S");  // Germanic
        else
            add("X");
        return current + 2;
    }
    if (string_at(current, 3, {"SIO", "SIA"}) || string_at(current, 4, {"SIAN"})) {  // Italian, Armenian
        if (!slavo_germanic_)
            add("S", "X");
        else
            add("S");
        return current + 3;
    }
    // German and anglicisations: Smith/Schmidt, Snider/Schneider; Slavic -sz-
    if ((current == 0 && string_at(current + 1, 1, {"M", "N", "L", "W"})) || string_at(current + 1, 1, {"Z"})) {
        add("S", "X");
        return current + (string_at(current + 1, 1, {"Z"}) ? 2 : 1);
    }
    if (string_at(current, 2, {"SC"})) {
        if (at(current + 2) == 'H') {  // Schlesinger's rule
            if (string_at(current + 3, 2, {"OO", "ER", "EN", "UY", "ED", "EM"})) {  // Dutch: school
                if (string_at(current + 3, 2, {"ER", "EN"}))
                    add("X", "SK");  // Schermerhorn, Schenker
                else
                    add("SK");
                return current + 3;
            }
            if (current == 0 && !is_vowel(3) && at(3) != 'W')
                add("X", "S");
            else
                add("X");
            return current + 3;
        }
        if (string_at(current + 2, 1, {"I", "E", "Y"})) {
            add("S");
            return current + 3;
        }
        add("SK");
        return current + 3;
    }
    if (current == last_ && string_at(current - 2, 2, {"AI", "OI"}))
        add("", "S");  // French: Resnais, Artois
    else
        add("S");
    return current + (string_at(current + 1, 1, {"S", "Z"}) ? 2 : 1);
}

int DoubleMetaphone::on_t(int current) {
    if (string_at(current, 4, {"TION"})) {
        add("X");
        return current + 3;
    }
    if (string_at(current, 3, {"TIA", "TCH"})) {
        add("X");
        return current + 3;
    }
    if (string_at(current, 2, {"TH"}) || string_at(current, 3, {"TTH"})) {
        // Thomas, Thames, or Germanic
        if (string_at(current + 2, 2, {"OM", "AM"}) || string_at(0, 4, {"VAN ", "VON "}) || string_at(0, 3, {"SCH"}))
            add("T");
        else
            add("0", "T");
        return current + 2;
    }
    add("T");
    return current + (string_at(current + 1, 1, {"T", "D"}) ? 2 : 1);
}

int DoubleMetaphone::on_w(int current) {
    if (string_at(current, 2, {"WR"})) {  // also in the middle of a word
        add("R");
        return current + 2;
    }
    if (current == 0 && (is_vowel(current + 1) || string_at(current, 2, {"WH"}))) {
        if (is_vowel(current + 1))
            add("A", "F");  // Wasserman matches Vasserman
        else
            add("A");  // Uomo matches Womo
    }
    // Arnow matches Arnoff
    if ((current == last_ && is_vowel(current - 1)) ||
        string_at(current - 1, 5, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) || string_at(0, 3, {"SCH"})) {
        add("", "F");
        return current + 1;
    }
    if (string_at(current, 4, {"WICZ", "WITZ"})) {  // Polish: Filipowicz
        add("TS", "FX");
        return current + 4;
    }
    return current + 1;
}

int DoubleMetaphone::on_z(int current) {
    if (at(current + 1) == 'H') {  // Chinese pinyin: Zhao
        add("J");
        return current + 2;
    }
    if (string_at(current + 1, 2, {"ZO", "ZI", "ZA"}) ||
        (slavo_germanic_ && current > 0 && at(current - 1) != 'T'))
        add("S", "TS");
    else
        add("S");
    return current + (at(current + 1) == 'Z' ? 2 : 1);
}

}  // namespace

namespace {

template <typename CharT>
MetaphoneCodes double_metaphone_any(std::basic_string_view<CharT> s, std::size_t max_length) {
    if (max_length == 0) throw Error(ErrorCode::InvalidParameter, "max_length must be at least 1");
    // Names fit the stack buffer: no heap allocation for the working copy.
    constexpr std::size_t kStackBytes = 128;
    char stack[kStackBytes];
    std::string heap;
    const std::size_t capacity = 2 * s.size() + DoubleMetaphone::kPadding;
    char* bytes = stack;
    if (capacity > kStackBytes) {
        heap.resize(capacity);
        bytes = heap.data();
    }
    bool has_letter = false;
    std::size_t size = to_metaphone_bytes(s, bytes, has_letter);
    if (!has_letter) return MetaphoneCodes{};
    for (std::size_t k = 0; k < DoubleMetaphone::kPadding; ++k) bytes[size++] = ' ';
    return DoubleMetaphone(std::string_view(bytes, size), max_length).run();
}

}  // namespace

MetaphoneCodes double_metaphone(std::u32string_view s, std::size_t max_length) {
    return double_metaphone_any(s, max_length);
}

MetaphoneCodes double_metaphone_bytes(std::string_view s, std::size_t max_length) {
    return double_metaphone_any(s, max_length);
}

}  // namespace usermatch::compare
