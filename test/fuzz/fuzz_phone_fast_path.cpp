// Fuzz target: normalize_phone's fast path (phone_fast_path.cpp: libphonenumber's metadata compiled
// to digit DFAs) against libphonenumber itself, field by field, in every region libphonenumber
// supports. Input: one byte choosing the region, then the text (digits and punctuation mostly).
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <set>
#include <string>
#include <vector>

namespace usermatch::fuzz {

namespace pn = i18n::phonenumbers;

int fuzz_phone_fast_path(const std::uint8_t* data, std::size_t size) {
    // Installs normalize_phone's silent logger before the first libphonenumber call.
    (void)normalize::normalize_phone("", "CN");
    static const std::vector<std::string> regions = [] {
        std::set<std::string> set;
        pn::PhoneNumberUtil::GetInstance()->GetSupportedRegions(&set);
        return std::vector<std::string>(set.begin(), set.end());
    }();
    Input input(data, size);
    const std::uint8_t pick = input.byte();
    const std::string& region = regions[pick % regions.size()];
    const std::string_view text = input.rest().substr(0, 250);
    const normalize::detail::PhoneParse fast = normalize::detail::phone_fast_parse(text, region);
    if (fast.status == normalize::detail::PhoneParse::Status::Unknown) return 0;  // left to libphonenumber

    const pn::PhoneNumberUtil& util = *pn::PhoneNumberUtil::GetInstance();
    pn::PhoneNumber number;
    const bool parsed = util.ParseAndKeepRawInput(std::string(text), region, &number) == pn::PhoneNumberUtil::NO_PARSING_ERROR;
    const std::string what = region + " \"" + std::string(text) + "\"";
    FUZZ_CHECK("phone_fast_path", parsed == (fast.status == normalize::detail::PhoneParse::Status::Parsed), what);
    if (!parsed) return 0;
    const bool international = number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN ||
                               number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_IDD;
    std::string nsn;
    util.GetNationalSignificantNumber(number, &nsn);
    FUZZ_CHECK("phone_fast_path", fast.international == international, what);
    FUZZ_CHECK("phone_fast_path", fast.calling_code == number.country_code(),
               what + ": fast +" + std::to_string(fast.calling_code) + ", libphonenumber +" + std::to_string(number.country_code()));
    FUZZ_CHECK("phone_fast_path", fast.nsn == nsn, what + ": fast " + fast.nsn + ", libphonenumber " + nsn);
    FUZZ_CHECK("phone_fast_path", fast.possible == util.IsPossibleNumber(number), what);
    FUZZ_CHECK("phone_fast_path", fast.valid == util.IsValidNumber(number), what);
    return 0;
}

}  // namespace usermatch::fuzz
