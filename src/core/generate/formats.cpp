#include "core/generate/formats.hpp"

#include "core/errors.hpp"
#include "core/generate/text_edit.hpp"
#include "core/generate/user_generator.hpp"

namespace usermatch::generate {

char prc_id_check_character(std::string_view first17) {
    if (first17.size() != 17)
        throw Error(ErrorCode::InvalidParameter, "prc_id_check_character: first17 must have exactly 17 digits");
    static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i) {
        const char c = first17[static_cast<std::size_t>(i)];
        if (c < '0' || c > '9')
            throw Error(ErrorCode::InvalidParameter, "prc_id_check_character: first17 must contain only digits");
        sum += (c - '0') * kWeights[i];
    }
    return "10X98765432"[sum % 11];
}

}  // namespace usermatch::generate

namespace usermatch::generate::detail {
namespace {

void append_int(std::string& out, int value, int width) {
    char buf[16];
    int len = 0;
    do {
        buf[len++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (int i = len; i < width; ++i) out += '0';
    while (len > 0) out += buf[--len];
}

constexpr const char* kMonthNames[12] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};

// Appends digits [from, to) of s.
void append_digits(std::string& out, std::string_view s, std::size_t from, std::size_t to) {
    out.append(s.substr(from, to - from));
}

}  // namespace

bool is_leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

std::int64_t days_from_civil(CivilDate d) noexcept {
    const int y = d.year - (d.month <= 2);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
    return {y, m, d};
}

std::string format_date(CivilDate d, int format) {
    std::string s;
    s.reserve(20);
    switch (format) {
        case kDateCompact:
            append_int(s, d.year, 4), append_int(s, d.month, 2), append_int(s, d.day, 2);
            break;
        case kDateDayMonthYear:
            append_int(s, d.day, 2), s += '/', append_int(s, d.month, 2), s += '/', append_int(s, d.year, 4);
            break;
        case kDateChinese:
            append_int(s, d.year, 4), s += "年", append_int(s, d.month, 1), s += "月", append_int(s, d.day, 1),
                s += "日";
            break;
        case kDateYearSlash:
            append_int(s, d.year, 4), s += '/', append_int(s, d.month, 1), s += '/', append_int(s, d.day, 1);
            break;
        case kDateDayMonthName:
            append_int(s, d.day, 1), s += ' ', s += kMonthNames[d.month - 1], s += ' ', append_int(s, d.year, 4);
            break;
        case kDateMonthNameDay:
            s += kMonthNames[d.month - 1], s += ' ', append_int(s, d.day, 1), s += ", ", append_int(s, d.year, 4);
            break;
        case kDateDotted:
            append_int(s, d.day, 2), s += '.', append_int(s, d.month, 2), s += '.', append_int(s, d.year, 4);
            break;
        default:  // ISO
            append_int(s, d.year, 4), s += '-', append_int(s, d.month, 2), s += '-', append_int(s, d.day, 2);
            break;
    }
    return s;
}

std::string format_phone(PhoneCountry country, std::string_view n, int format) {
    std::string s;
    s.reserve(24);
    if (country == PhoneCountry::CN) {  // n = 138 1234 5678
        auto grouped = [&](const char* sep) {
            append_digits(s, n, 0, 3), s += sep, append_digits(s, n, 3, 7), s += sep, append_digits(s, n, 7, 11);
        };
        switch (format) {
            case 1: s += "+86 ", grouped("-"); break;
            case 2: s += "+86", s += n; break;
            case 3: s += "0086 ", grouped(" "); break;
            case 4: grouped(" "); break;
            case 5: grouped("-"); break;
            case 6: s += "+86 ", s += n; break;
            case 7: s += "86-", s += n; break;
            default: s += n; break;
        }
    } else if (country == PhoneCountry::US) {  // n = 415 555 0123
        auto area = n.substr(0, 3), exchange = n.substr(3, 3), line = n.substr(6, 4);
        auto dashed = [&](const char* sep) { s += area, s += sep, s += exchange, s += sep, s += line; };
        switch (format) {
            case 1: s += '(', s += area, s += ") ", s += exchange, s += '-', s += line; break;
            case 2: dashed("-"); break;
            case 3: s += n; break;
            case 4: s += "+1", s += n; break;
            case 5: s += "1-", dashed("-"); break;
            case 6: dashed("."); break;
            case 7: s += "+1 (", s += area, s += ") ", s += exchange, s += '-', s += line; break;
            default: s += "+1 ", dashed("-"); break;
        }
    } else {  // UK mobile, n = 7911 123456
        auto head = n.substr(0, 4), tail = n.substr(4);
        switch (format) {
            case 1: s += '0', s += head, s += ' ', s += tail; break;
            case 2: s += '0', s += n; break;
            case 3: s += "+44", s += n; break;
            case 4: s += "0044 ", s += head, s += ' ', s += tail; break;
            case 5: s += "+44 (0)", s += head, s += ' ', s += tail; break;
            case 6: s += '0', s += head, s += ' ', s += tail.substr(0, 3), s += ' ', s += tail.substr(3); break;
            case 7: s += "+44 ", s += head, s += ' ', s += tail.substr(0, 3), s += ' ', s += tail.substr(3); break;
            default: s += "+44 ", s += head, s += ' ', s += tail; break;
        }
    }
    return s;
}

std::string format_pinyin_name(std::string_view surname, const std::string_view* syllables, int count,
                               int layout) {
    std::string given, spaced, hyphenated;
    for (int i = 0; i < count; ++i) {
        given += syllables[i];
        if (i > 0) spaced += ' ', hyphenated += '-';
        spaced += capitalized(syllables[i]);
        hyphenated += i == 0 ? capitalized(syllables[i]) : std::string(syllables[i]);
    }
    const std::string sur = capitalized(surname), giv = capitalized(given);
    switch (layout) {
        case kPinyinUpperSurname: return latin_upper(sur) + " " + giv;
        case kPinyinAllUpper: return latin_upper(sur + " " + giv);
        case kPinyinGivenFirst: return giv + " " + sur;
        case kPinyinRunTogether: return latin_lower(sur) + given;
        case kPinyinSpacedSyllables: return sur + " " + spaced;
        case kPinyinHyphenated: return sur + " " + hyphenated;
        case kPinyinCommaInverted: return sur + ", " + giv;
        default: return sur + " " + giv;
    }
}

}  // namespace usermatch::generate::detail
