// normalize_phone: libphonenumber parse with a default region, E.164 when the number is
// *possible* (right length for its country; not necessarily assigned/valid).
//  - Region: two ASCII letters, case-insensitive, known to libphonenumber; otherwise
//    Error(InvalidParameter). Checked before the text, so a bad region fails even for "".
//  - Text over 250 characters -> nullopt (libphonenumber's own input limit; we check first so
//    a 1 MB value is not copied).
//  - Speed: libphonenumber (ICU regex) costs ~10 us per call. The two shapes that dominate our
//    data, Chinese mobiles with region CN and NANP numbers with region US/CA, written with only
//    digits, spaces, - . ( ) and an optional +86 / 0086 / +1 / 1 prefix, are answered by a fast path
//    giving the same E.164 (checked against libphonenumber on random numbers in the tests).
//  - libphonenumber logs through a global logger; a NullLogger is installed once so nothing is
//    ever printed from the server process. PhoneNumberUtil is thread-safe (const methods).
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

namespace usermatch::normalize {
namespace {

namespace pn = i18n::phonenumbers;

constexpr size_t kMaxPhoneInput = 250;

const pn::PhoneNumberUtil& phone_util() {
    // Function-local static holding a pointer: initialised once, thread-safe, no destructor.
    static const pn::PhoneNumberUtil* util = [] {
        pn::PhoneNumberUtil* u = pn::PhoneNumberUtil::GetInstance();
        u->SetLogger(new pn::NullLogger());  // takes ownership
        return u;
    }();
    return *util;
}

[[noreturn]] void invalid_region(std::string_view region) {
    std::string shown(region.substr(0, 40));
    throw Error(ErrorCode::InvalidParameter,
                "invalid region \"" + shown +
                    "\" for argument region: expected a two-letter CLDR region code such as CN or US");
}

std::string checked_region(const pn::PhoneNumberUtil& util, std::string_view region) {
    if (region.size() != 2) invalid_region(region);
    std::string upper(2, ' ');
    for (size_t i = 0; i < 2; ++i) {
        const char c = region[i];
        if (c >= 'a' && c <= 'z') upper[i] = static_cast<char>(c - 32);
        else if (c >= 'A' && c <= 'Z') upper[i] = c;
        else invalid_region(region);
    }
    if (util.GetCountryCodeForRegion(upper) == 0) invalid_region(region);
    return upper;
}

// Digits of `text` when it holds only digits, spaces and - . ( ) with at most one leading '+';
// false otherwise (or when longer than any phone number).
bool simple_digits(std::string_view text, std::string& digits, bool& plus) {
    digits.clear();
    plus = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (digits.size() == 15) return false;
            digits.push_back(c);
        } else if (c == '+') {
            if (plus || !digits.empty()) return false;
            plus = true;
        } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '\t') {
            return false;
        }
    }
    return true;
}

// 1[3-9]XXXXXXXXX, except 179xx (a CN carrier-selection prefix libphonenumber may strip).
bool cn_mobile(std::string_view d) {
    if (d.size() != 11 || d[0] != '1' || d[1] < '3' || d.substr(0, 3) == "179") return false;
    return true;
}

// NXX-NXX-XXXX with N in 2-9.
bool nanp_number(std::string_view d) { return d.size() == 10 && d[0] >= '2' && d[3] >= '2'; }

std::optional<std::string> fast_path(std::string_view text, const std::string& region) {
    const bool cn = region == "CN", nanp = region == "US" || region == "CA";
    if (!cn && !nanp) return std::nullopt;
    std::string digits;
    bool plus = false;
    if (!simple_digits(text, digits, plus)) return std::nullopt;
    std::string_view d(digits);
    if (cn) {
        if (plus && d.substr(0, 2) == "86") d.remove_prefix(2);
        else if (!plus && d.substr(0, 4) == "0086") d.remove_prefix(4);
        else if (plus) return std::nullopt;
        if (cn_mobile(d)) return "+86" + std::string(d);
        return std::nullopt;
    }
    if ((plus || d.size() == 11) && d.substr(0, 1) == "1") d.remove_prefix(1);
    else if (plus) return std::nullopt;
    if (nanp_number(d)) return "+1" + std::string(d);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> normalize_phone(std::string_view text, std::string_view region) {
    const pn::PhoneNumberUtil& util = phone_util();
    const std::string region_code = checked_region(util, region);
    if (text.empty() || text.size() > kMaxPhoneInput) return std::nullopt;
    if (auto fast = fast_path(text, region_code)) return fast;
    pn::PhoneNumber number;
    if (util.Parse(std::string(text), region_code, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR)
        return std::nullopt;
    if (!util.IsPossibleNumber(number)) return std::nullopt;
    std::string e164;
    util.Format(number, pn::PhoneNumberUtil::E164, &e164);
    return e164;
}

}  // namespace usermatch::normalize
