// parse_date: the common ways people write a calendar date. Never throws.
//
// The text is trimmed and split into tokens: numbers, English month names (full or 3-4 letter
// abbreviations, any case), the CJK markers 年 月 日/号; separators between tokens are any run of
// space , - / . (and the ideographic space), also ignored at either end. Ordinal suffixes (5th)
// and weekday names are ignored.
// Fullwidth digits are read as digits. Accepted token shapes:
//   YYYY M D  (2024-03-05, 2024/3/5, 2024.03.05)      YYYYMMDD  (8 digits)
//   D M YYYY or M D YYYY by `order` (05/03/2024)       YYYY年M月D日 (日/号 optional)
//   D Month YYYY (5 March 2024, 05-MAR-2024)           Month D YYYY (March 5, 2024)
//   YYYY Month D (2024-Mar-05)
// A time after the date ("2024-03-05T10:00:00Z", "2024-03-05 10:00", "5 March 2024 10:00 pm")
// is ignored when it looks like one (H:MM[:SS[.f]] [am|pm] [Z|UTC|GMT|+HH[:MM]]).
// Years must have 4 digits and lie in 1000..9999 (two-digit years are REJECTED: 05/03/24 is
// ambiguous across centuries). The calendar is checked (2023-02-29 -> nullopt).
// Numeric D/M order: `order` is preferred; when it gives no real date but the other order does
// (13/05/2024 with MonthFirst), the other order is used. Over 100 bytes -> nullopt.
#include "core/normalize/normalize.hpp"

#include <unicode/utf8.h>

#include <cstring>

namespace usermatch::normalize {
namespace {

constexpr size_t kMaxDateText = 100;
constexpr size_t kMaxTokens = 8;

enum class Kind { Number, Month, YearMark, MonthMark, DayMark };

struct Token {
    Kind kind;
    int value;   // number value or month 1-12
    int digits;  // for numbers
};

struct Tokens {
    Token items[kMaxTokens];
    size_t size = 0;
    bool push(Token t) {
        if (size == kMaxTokens) return false;
        items[size++] = t;
        return true;
    }
};

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

std::optional<Date> make_date(int y, int m, int d) {
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
    return Date{y, m, d};
}

// 1-12 for an English month name or abbreviation, 0 for a weekday / ordinal suffix (ignored),
// -1 for anything else.
int classify_word(std::string_view w) {
    static constexpr const char* kMonths[12][3] = {
        {"january", "jan", nullptr}, {"february", "feb", nullptr}, {"march", "mar", nullptr},
        {"april", "apr", nullptr},   {"may", nullptr, nullptr},    {"june", "jun", nullptr},
        {"july", "jul", nullptr},    {"august", "aug", nullptr},   {"september", "sep", "sept"},
        {"october", "oct", nullptr}, {"november", "nov", nullptr}, {"december", "dec", nullptr},
    };
    for (int m = 0; m < 12; ++m)
        for (const char* name : kMonths[m])
            if (name != nullptr && w == name) return m + 1;
    static constexpr const char* kIgnored[] = {
        "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thur",
        "thurs", "friday", "fri", "saturday", "sat", "sunday", "sun"};
    for (const char* name : kIgnored)
        if (w == name) return 0;
    return -1;
}

bool is_separator(UChar32 c) {
    return c == ' ' || c == ',' || c == '-' || c == '/' || c == '.' || c == '\t' || c == 0x3000;
}

bool tokenize(std::string_view s, Tokens& out) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto n = static_cast<int32_t>(s.size());
    int32_t i = 0;
    bool after_number = false;  // previous token is a number with no separator since
    while (i < n) {
        UChar32 c;
        const int32_t start = i;
        U8_NEXT(p, i, n, c);
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 0xFF10 && c <= 0xFF19) digit = c - 0xFF10;  // fullwidth digits
        if (digit >= 0) {
            int value = digit, digits = 1;
            while (i < n) {
                int32_t j = i;
                UChar32 d;
                U8_NEXT(p, j, n, d);
                int next = -1;
                if (d >= '0' && d <= '9') next = d - '0';
                else if (d >= 0xFF10 && d <= 0xFF19) next = d - 0xFF10;
                if (next < 0) break;
                if (++digits > 8) return false;
                value = value * 10 + next;
                i = j;
            }
            if (!out.push({Kind::Number, value, digits})) return false;
            after_number = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            char word[12];
            size_t len = 0;
            for (i = start; i < n && ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'); ++i) {
                if (len == sizeof(word)) return false;
                word[len++] = static_cast<char>(p[i] | 0x20);
            }
            const std::string_view w(word, len);
            const bool ordinal = w == "st" || w == "nd" || w == "rd" || w == "th";
            if (ordinal) {
                if (!after_number || out.items[out.size - 1].digits > 2) return false;
            } else {
                const int month = classify_word(w);
                if (month < 0) return false;
                if (month > 0 && !out.push({Kind::Month, month, 0})) return false;
            }
            after_number = false;
        } else if (c == 0x5E74 || c == 0x6708 || c == 0x65E5 || c == 0x53F7) {  // 年 月 日 号
            const Kind k = c == 0x5E74 ? Kind::YearMark : c == 0x6708 ? Kind::MonthMark : Kind::DayMark;
            if (!out.push({k, 0, 0})) return false;
            after_number = false;
        } else if (is_separator(c)) {
            after_number = false;
        } else {
            return false;  // any other character, including invalid UTF-8
        }
    }
    return true;
}

bool is_number(const Token& t, int min_digits, int max_digits) {
    return t.kind == Kind::Number && t.digits >= min_digits && t.digits <= max_digits;
}

std::optional<Date> match(const Tokens& t, DateOrder order) {
    const Token* k = t.items;
    if (t.size == 1 && is_number(k[0], 8, 8))
        return make_date(k[0].value / 10000, k[0].value / 100 % 100, k[0].value % 100);
    if ((t.size == 5 || t.size == 6) && is_number(k[0], 4, 4) && k[1].kind == Kind::YearMark &&
        is_number(k[2], 1, 2) && k[3].kind == Kind::MonthMark && is_number(k[4], 1, 2) &&
        (t.size == 5 || k[5].kind == Kind::DayMark))
        return make_date(k[0].value, k[2].value, k[4].value);
    if (t.size != 3) return std::nullopt;
    if (is_number(k[0], 4, 4) && is_number(k[1], 1, 2) && is_number(k[2], 1, 2))
        return make_date(k[0].value, k[1].value, k[2].value);
    if (is_number(k[0], 1, 2) && is_number(k[1], 1, 2) && is_number(k[2], 4, 4)) {
        const int first = k[0].value, second = k[1].value, year = k[2].value;
        auto preferred = order == DateOrder::DayFirst ? make_date(year, second, first) : make_date(year, first, second);
        if (preferred) return preferred;
        return order == DateOrder::DayFirst ? make_date(year, first, second) : make_date(year, second, first);
    }
    if (is_number(k[0], 1, 2) && k[1].kind == Kind::Month && is_number(k[2], 4, 4))
        return make_date(k[2].value, k[1].value, k[0].value);
    if (k[0].kind == Kind::Month && is_number(k[1], 1, 2) && is_number(k[2], 4, 4))
        return make_date(k[2].value, k[0].value, k[1].value);
    if (is_number(k[0], 4, 4) && k[1].kind == Kind::Month && is_number(k[2], 1, 2))
        return make_date(k[0].value, k[1].value, k[2].value);
    return std::nullopt;
}

// ---- time suffix -------------------------------------------------------------------------

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}
    bool done() const { return pos_ == s_.size(); }
    size_t digits(size_t max) {
        size_t n = 0;
        while (n < max && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_, ++n;
        return n;
    }
    bool eat(char c) {
        if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
        return false;
    }
    bool eat_word(const char* w) {  // case-insensitive
        const size_t len = std::strlen(w);
        if (s_.size() - pos_ < len) return false;
        for (size_t i = 0; i < len; ++i)
            if ((s_[pos_ + i] | 0x20) != w[i]) return false;
        pos_ += len;
        return true;
    }
    void spaces() {
        while (eat(' ')) {}
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

// H:MM[:SS[.fff]] [am|pm] [Z|UTC|GMT|+HH[:MM]|-HH[:MM]]
bool looks_like_time(std::string_view s) {
    Scanner sc(s);
    const size_t h = sc.digits(2);
    if (h == 0 || !sc.eat(':') || sc.digits(2) != 2) return false;
    if (sc.eat(':')) {
        if (sc.digits(2) != 2) return false;
        if (sc.eat('.') || sc.eat(',')) {
            if (sc.digits(9) == 0) return false;
        }
    }
    sc.spaces();
    if (!sc.eat_word("am")) sc.eat_word("pm");
    sc.spaces();
    if (sc.eat_word("z") || sc.eat_word("utc") || sc.eat_word("gmt")) {
        // an offset may still follow "UTC" / "GMT"
    }
    if (sc.eat('+') || sc.eat('-')) {
        if (sc.digits(2) != 2) return false;
        sc.eat(':');
        sc.digits(2);
    }
    sc.spaces();
    return sc.done();
}

// Splits "date<T or space>time" at the first ':'; returns false when the suffix is not a time.
bool strip_time(std::string_view& s) {
    const size_t colon = s.find(':');
    if (colon == std::string_view::npos) return true;
    size_t start = colon;
    while (start > 0 && s[start - 1] >= '0' && s[start - 1] <= '9') --start;
    if (start == colon || start == 0) return false;
    const char before = s[start - 1];
    if (before != 'T' && before != 't' && before != ' ') return false;
    if (!looks_like_time(s.substr(start))) return false;
    s = s.substr(0, start - 1);
    return true;
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<Date> parse_date(std::string_view text, DateOrder order) {
    std::string_view s = trim(text);
    if (s.empty() || s.size() > kMaxDateText) return std::nullopt;
    if (!strip_time(s)) return std::nullopt;
    Tokens tokens;
    if (!tokenize(s, tokens)) return std::nullopt;
    return match(tokens, order);
}

}  // namespace usermatch::normalize
