// The 'realistic' preset of the user generator: an international population (CN, US, GB, FR, DE,
// ES, IN) whose records look like real sign-up data rather than a matching textbook:
//  - every record comes from a source (web form, mobile app, shop, KYC check, legacy import) that
//    fills only what its form asked: overall about 75% of records have a phone, 2/3 an e-mail,
//    60% a birth date, 20% an ID number;
//  - phones in the national format of the person's country ('06 85 98 66 38', '(206) 555-0134',
//    '020 7946 0018', '138 1234 5678'), about one in five with +CC; a `country` column (ISO
//    3166 alpha-2, sometimes missing or spelled out);
//  - phones, e-mails and addresses that change between a person's records; households whose
//    members share a phone, an address and a surname; twins (same surname and birth date) and
//    namesakes (same name and birth date, different people);
//  - about 10% of true duplicate pairs share nothing but the name (sometimes city and gender),
//    another ~20% share no exact key (phone, e-mail, ID);
//  - birth dates in mixed formats within the column (27-06-1998, 1991-05-20, 12/4/1975,
//    1975年4月12日 ...) and gender spelled many ways (F, female, 女, FEMALE, f, W, Frau ...).
// Deterministic like the clean preset: own PRNG, per-(entity, copy) streams.
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/entity.hpp"
#include "core/generate/record.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace usermatch::generate::detail {

enum class Country : std::uint8_t { CN = 0, US, GB, FR, DE, ES, IN, Count };

struct StreetAddress {
    std::uint16_t city = 0;    // index into the country's city list
    std::uint16_t street = 0;  // index into the country's street list
    std::uint16_t number = 0;  // house number (CN: building / road number)
    std::uint16_t unit = 0;    // flat / room (0 = none)
    std::uint8_t floor = 0;    // floor or CN staircase unit
    char letter = 0;           // flat letter ("5A"), 0 = none
};

struct RealPerson {
    std::uint32_t index = 0;
    std::uint16_t extra_copies = 0;
    Country country = Country::CN;
    bool female = false;
    Entity cn;                      // Chinese name (surname, given characters, English name)
    std::string given;      // Latin-script given name (UTF-8)
    std::string given_alt;  // nickname / other spelling, or ""
    std::string surname;
    std::string surname2;   // Spanish second surname, or ""
    char middle_initial = 0;
    CivilDate birth{};
    std::string phone1, phone2, home_phone;  // national significant numbers; "" = none
    bool phone1_landline = false, home_landline = false;
    std::string email1, email2, family_email;  // family_email: the household head's, or ""
    StreetAddress address1, address2;
    bool moved = false;       // address2 is valid
    std::string id;           // canonical national ID (always present; records show it rarely)
};

class RealisticFactory {
public:
    RealisticFactory(std::uint64_t seed, double duplicate_rate, double chinese_share);
    RealPerson make(std::uint32_t index);

private:
    bool claim(std::uint64_t kind, const std::string& value);
    std::string new_phone(Country c, bool landline, Rng& rng);
    std::string new_email(const RealPerson& p, Rng& rng, bool second);
    std::string new_id(const RealPerson& p, Rng& rng);
    StreetAddress new_address(Country c, Rng& rng);
    void name_person(RealPerson& p, Rng& rng);

    std::uint64_t seed_;
    double chinese_share_;
    double dup_probability_, stop_probability_;
    HashSet64 taken_;
    // Household being filled: members follow the head in creation order.
    int household_left_ = 0;
    RealPerson head_;
    // Recent people, for namesakes (same name and birth date, different person).
    std::vector<RealPerson> recent_;
};

const char* country_code(Country c) noexcept;

// Record `copy` of a person (0 = the first record); depends only on (person, copy, seed, corruption).
RecordFields render_realistic(const RealPerson& person, std::uint32_t copy, std::uint64_t seed, double corruption);

}  // namespace usermatch::generate::detail
