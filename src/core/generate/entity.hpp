// A generated person (the ground truth behind one or more records) and the factory that draws
// people, keeping phone numbers, e-mail addresses and ID numbers unique across different people.
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/formats.hpp"
#include "core/generate/random.hpp"
#include "core/generate/tables.hpp"

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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
    // Addresses live in the factory's TextArena (millions of small strings freed one by one took
    // ~0.2 s after a cancel of generate_users(10000000); the arena frees 1 MB blocks).
    std::string_view email;
    std::string_view alt_email;  // a second address, only for people with copies ("" otherwise)
};

// Append-only text storage in 1 MB blocks; views stay valid until the arena is destroyed.
class TextArena {
public:
    std::string_view store(std::string_view s);
private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0, capacity_ = 0;  // of the last block
};

std::string phone_digits(const Entity& e);     // "13812345678"
std::string id_number(const Entity& e);        // 18 characters, "" when none
std::string pinyin_given(const Entity& e);     // "xiuying"

// Placeholder values many different people share in real data (form fillers, defaults).
constexpr const char* kPlaceholderPhones[] = {"13800000000", "12345678901", "00000000000"};
constexpr const char* kPlaceholderEmails[] = {"none@none.com", "test@test.com", "noemail@163.com"};
constexpr const char* kPlaceholderBirthDates[] = {"1900-01-01", "1970-01-01"};

// Open-addressing set of 64-bit hashes (0 is the empty marker; callers never insert 0).
// Growing rehashes every entry (tens of millions for generate_users(10000000)): the rehash polls
// `keep_going` (when set) every 65,536 slots and throws Error(QueryCanceled) when it says stop;
// slots come from calloc, so fresh zero pages are not written up front.
class HashSet64 {
public:
    explicit HashSet64(const std::function<bool()>* keep_going = nullptr) : keep_going_(keep_going) {}
    bool insert(std::uint64_t h);  // false when already present
private:
    struct Free {
        void operator()(std::uint64_t* p) const noexcept { std::free(p); }
    };
    void grow();
    std::unique_ptr<std::uint64_t[], Free> slots_;
    std::size_t capacity_ = 0;  // a power of two (0 before the first insert)
    std::size_t used_ = 0;
    const std::function<bool()>* keep_going_;
};

class EntityFactory {
public:
    // `keep_going` (may be null; must outlive the factory) is polled while the uniqueness set grows.
    // Addresses are stored in `texts` (must outlive every Entity made).
    EntityFactory(std::uint64_t seed, double duplicate_rate, double chinese_share, TextArena& texts,
                  const std::function<bool()>* keep_going = nullptr);
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
    TextArena& texts_;
};

}  // namespace usermatch::generate::detail
