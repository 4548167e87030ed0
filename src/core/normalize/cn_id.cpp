// PRC resident identity number (GB 11643-1999), 18 characters:
//   RRRRRR YYYYMMDD SSS C
//   R: address code; the first two digits must be a province-level code
//      (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 Taiwan, 81 Hong Kong, 82 Macao,
//      83 residence permits for Taiwan residents, 91 reserved in GB/T 2260 for abroad);
//   YYYYMMDD: birth date, a real date in 1900-01-01 .. 2100-12-31;
//   C: ISO 7064 MOD 11-2 check character over the first 17 digits ('X' or 'x' for 10).
// Surrounding ASCII whitespace is ignored. The old 15-digit numbers are not accepted.
#include "core/normalize/normalize.hpp"

namespace usermatch::normalize {
namespace {

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckChars[] = "10X98765432";

bool valid_province(int code) {
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82 || code == 83 || code == 91;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool real_date(int y, int m, int d) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
    return d <= (m == 2 && is_leap(y) ? 29 : kDays[m - 1]);
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

int digits_value(std::string_view s, size_t from, size_t count) {
    int v = 0;
    for (size_t i = from; i < from + count; ++i) v = v * 10 + (s[i] - '0');
    return v;
}

std::optional<char> check_character(std::string_view first17) {
    if (first17.size() < 17) return std::nullopt;
    int sum = 0;
    for (size_t i = 0; i < 17; ++i) {
        if (first17[i] < '0' || first17[i] > '9') return std::nullopt;
        sum += (first17[i] - '0') * kWeights[i];
    }
    return kCheckChars[sum % 11];
}

// The birth date of a structurally valid ID, or nullopt.
std::optional<Date> checked(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.size() != 18) return std::nullopt;
    const std::optional<char> expected = check_character(s);
    const char check = s[17] == 'x' ? 'X' : s[17];
    if (!expected || check != *expected) return std::nullopt;
    if (!valid_province(digits_value(s, 0, 2))) return std::nullopt;
    const int y = digits_value(s, 6, 4), m = digits_value(s, 10, 2), d = digits_value(s, 12, 2);
    if (!real_date(y, m, d)) return std::nullopt;
    return Date{y, m, d};
}

}  // namespace

bool cn_id_valid(std::string_view text) { return checked(text).has_value(); }

std::optional<Date> cn_id_birth_date(std::string_view text) { return checked(text); }

std::optional<char> cn_id_check_character(std::string_view first17) {
    if (first17.size() != 17) return std::nullopt;
    return check_character(first17);
}

}  // namespace usermatch::normalize
