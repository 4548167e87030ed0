// normalize_phone: libphonenumber parse with a default region, E.164 when the number is
// *possible* (right length for its country; not necessarily assigned/valid).
//  - Region: two ASCII letters, case-insensitive, known to libphonenumber; otherwise
//    Error(InvalidParameter). Checked before the text, so a bad region fails even for "".
//  - Text over 250 characters -> nullopt (libphonenumber's own input limit; we check first so
//    a 1 MB value is not copied).
//  - Speed: libphonenumber's Parse (ICU regex) costs 10-40 us per call. Numbers written with only
//    digits, spaces, - . ( ) and an optional '+', for calling codes 1, 44 and 86 (international,
//    or national with region CN/US/CA/GB), are answered by phone_fast_path.cpp with the same
//    result (checked against libphonenumber on 100k+ numbers in the tests).
//  - libphonenumber logs through a global logger; a NullLogger is installed once so nothing is
//    ever printed from the server process. PhoneNumberUtil is thread-safe (const methods).
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"

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

}  // namespace

bool phone_region_known(std::string_view region) {
    try {
        checked_region(phone_util(), region);
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::optional<std::string> normalize_phone(std::string_view text, std::string_view region) {
    const pn::PhoneNumberUtil& util = phone_util();
    const std::string region_code = checked_region(util, region);
    if (text.empty() || text.size() > kMaxPhoneInput) return std::nullopt;
    detail::PhoneFastAnswer fast = detail::phone_fast_path(text, region_code);
    if (fast.known) return std::move(fast.e164);
    pn::PhoneNumber number;
    if (util.Parse(std::string(text), region_code, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR)
        return std::nullopt;
    if (!util.IsPossibleNumber(number)) return std::nullopt;
    std::string e164;
    util.Format(number, pn::PhoneNumberUtil::E164, &e164);
    return e164;
}

}  // namespace usermatch::normalize
