// A generated person (the ground truth behind one or more records) and the factory that draws
// people, keeping phone numbers, e-mail addresses and ID numbers unique across different people.
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/formats.hpp"
#include "core/generate/random.hpp"
#include "core/generate/tables.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace usermatch::generate::detail {

struct Entity {
    std::uint32_t index = 0;      // 0-based; entity_id is "e" + (index + 1)
    std::uint16_t extra_copies = 0;
    bool chinese = false;
    bool female = false;

    // Chinese name: surname + 1-2 given characters; some people also use an English given name.
    const ChineseSurname* surname = nullptr;
    const HanChar* given[2] = {nullptr, nullptr};
    std::uint8_t given_count = 0;
    const char* english_name = nullptr;

    // Latin name.
    const LatinGivenName* latin_given = nullptr;
    const char* latin_surname = nullptr;
    char middle_initial = 0;  // 0 = none

    CivilDate birth{};
    PhoneCountry phone_country = PhoneCountry::CN;
    std::uint64_t phone = 0;   // national significant number (11 digits CN, 10 US/UK)
    std::uint64_t id17 = 0;    // first 17 digits of the PRC ID number; 0 = the person has none
    std::uint16_t city = 0;    // index into chinese_cities() or western_cities()
    bool city_chinese = true;
    std::string email;
    std::string alt_email;  // a second address, only for people with copies ("" otherwise)
};

std::string phone_digits(const Entity& e);     // "13812345678"
std::string id_number(const Entity& e);        // 18 characters, "" when none
std::string pinyin_given(const Entity& e);     // "xiuying"

// Placeholder values many different people share in real data (form fillers, defaults).
constexpr const char* kPlaceholderPhones[] = {"13800000000", "12345678901", "00000000000"};
constexpr const char* kPlaceholderEmails[] = {"none@none.com", "test@test.com", "noemail@163.com"};
constexpr const char* kPlaceholderBirthDates[] = {"1900-01-01", "1970-01-01"};

// Open-addressing set of 64-bit hashes (0 is the empty marker; callers never insert 0).
class HashSet64 {
public:
    bool insert(std::uint64_t h);  // false when already present
private:
    void grow();
    std::vector<std::uint64_t> slots_;
    std::size_t used_ = 0;
};

class EntityFactory {
public:
    EntityFactory(std::uint64_t seed, double duplicate_rate, double chinese_share);
    // Draws person `index` and the number of extra copies the person gets.
    Entity make(std::uint32_t index);

private:
    bool claim(std::uint64_t kind, const std::string& value);
    bool claim_number(std::uint64_t kind, std::uint64_t value);
    void make_chinese_name(Entity& e, Rng& rng);
    void make_latin_name(Entity& e, Rng& rng);
    void make_phone(Entity& e, Rng& rng);
    void make_id(Entity& e, Rng& rng);
    std::string make_email(const Entity& e, Rng& rng, bool alternate);

    std::uint64_t seed_;
    double chinese_share_;
    double dup_probability_;  // probability that a person has at least one extra copy
    double stop_probability_;  // per-step stop probability of the geometric tail of copies
    HashSet64 taken_;
};

}  // namespace usermatch::generate::detail
