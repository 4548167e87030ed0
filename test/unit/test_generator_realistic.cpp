// The 'realistic' preset of generate_users: determinism, and the rates it promises (fill rates,
// hard pairs, national phone formats, households, namesakes, mixed dates, gender spellings),
// measured on 20,000 records with tolerances.
#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace usermatch;
using namespace usermatch::generate;

namespace {

GeneratorOptions realistic(std::uint64_t seed = 42) {
    GeneratorOptions o;
    o.seed = seed;
    o.preset = Preset::Realistic;
    return o;
}

const std::vector<UserRecord>& sample() {
    static const auto* records = new std::vector<UserRecord>(generate_users(20000, realistic()));
    return *records;
}

std::string serialize(const UserRecord& r) {
    std::string s = r.user_id + "|" + r.entity_id;
    for (const auto* f : {&r.full_name, &r.phone, &r.email, &r.birth_date, &r.id_number, &r.city, &r.gender,
                          &r.address, &r.country})
        s += "|" + (f->has_value() ? **f : std::string("<null>"));
    return s;
}

double share(std::size_t part, std::size_t whole) { return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

// Comparison keys a careful reader would use (independent of the engine's normalisers).
std::string phone_key(const std::optional<std::string>& v) {  // last 9 digits
    if (!v) return {};
    std::string d;
    for (char c : *v)
        if (c >= '0' && c <= '9') d += c;
    return d.size() > 9 ? d.substr(d.size() - 9) : d;
}
std::string lower_key(const std::optional<std::string>& v) {
    if (!v) return {};
    std::string s = *v;
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
}
// First number of an address (house or building number): the rest varies with the format.
std::string house_key(const std::optional<std::string>& v) {
    if (!v) return {};
    std::string d;
    for (char c : *v) {
        if (c >= '0' && c <= '9') d += c;
        else if (!d.empty()) break;
    }
    return d;
}
std::string digits_key(const std::optional<std::string>& v) {
    if (!v) return {};
    std::string d;
    for (char c : *v)
        if (c >= '0' && c <= '9') d += c;
    return d;
}
// Birth date as year + {day, month} in either order (the column mixes day-first and month-first).
std::string date_key(const std::optional<std::string>& v) {
    if (!v) return {};
    std::vector<int> numbers;
    int current = -1;
    for (char c : *v + " ") {
        if (c >= '0' && c <= '9') {
            current = (current < 0 ? 0 : current * 10) + (c - '0');
        } else if (current >= 0) {
            numbers.push_back(current);
            current = -1;
        }
    }
    static const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                    "August", "September", "October", "November", "December"};
    for (int m = 0; m < 12; ++m)
        if (v->find(kMonths[m]) != std::string::npos) numbers.push_back(m + 1);
    if (numbers.size() == 1 && numbers[0] > 10000000) {
        const int n = numbers[0];
        numbers = {n / 10000, n / 100 % 100, n % 100};
    }
    if (numbers.size() != 3) return *v;
    std::sort(numbers.begin(), numbers.end());
    return std::to_string(numbers[0]) + "-" + std::to_string(numbers[1]) + "-" + std::to_string(numbers[2]);
}

bool same(const std::string& a, const std::string& b) { return !a.empty() && a == b; }

}  // namespace

TEST(GenerateRealistic, SameSeedSameBytesDifferentSeedDifferent) {
    const auto a = generate_users(3000, realistic(7));
    const auto b = generate_users(3000, realistic(7));
    const auto c = generate_users(3000, realistic(8));
    ASSERT_EQ(a.size(), 3000u);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(serialize(a[i]), serialize(b[i])) << "record " << i;
        differing += serialize(a[i]) != serialize(c[i]);
    }
    EXPECT_GT(differing, 2900u);
}

// Same bytes on every compiler and machine: a change of this value means the output changed.
TEST(GenerateRealistic, GoldenFingerprintOfSeed42) {
    const auto records = generate_users(2000, realistic());
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (const auto& r : records)
        for (unsigned char ch : serialize(r) + "\n") h = (h ^ ch) * 0x100000001B3ull;
    EXPECT_EQ(h, 2261672824438922742ull) << "fingerprint " << h;
}

TEST(GenerateRealistic, StreamingEqualsVectorAndCountIsExact) {
    UserGenerator g(1234, realistic(3));
    const auto all = generate_users(1234, realistic(3));
    std::vector<UserRecord> streamed;
    for (;;) {
        auto chunk = g.next_chunk(100);
        if (chunk.empty()) break;
        streamed.insert(streamed.end(), chunk.begin(), chunk.end());
    }
    ASSERT_EQ(streamed.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(serialize(streamed[i]), serialize(all[i]));
    for (std::size_t n : {0u, 1u, 2u, 999u}) EXPECT_EQ(generate_users(n, realistic()).size(), n);
}

TEST(GenerateRealistic, CleanPresetLeavesTheNewColumnsNull) {
    for (const auto& r : generate_users(500, GeneratorOptions{})) {
        EXPECT_FALSE(r.gender.has_value());
        EXPECT_FALSE(r.address.has_value());
        EXPECT_FALSE(r.country.has_value());
    }
}

TEST(GenerateRealistic, PresetNames) {
    EXPECT_EQ(parse_preset("clean"), Preset::Clean);
    EXPECT_EQ(parse_preset("realistic"), Preset::Realistic);
    try {
        parse_preset("field");
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("'clean' or 'realistic'"), std::string::npos) << e.what();
    }
}

// About a quarter of records have no phone, a third no e-mail, 40% no birth date, 80% no ID.
TEST(GenerateRealistic, FillRatesOfRealSources) {
    std::size_t phone = 0, email = 0, dob = 0, id = 0, gender = 0, address = 0, country = 0, name = 0;
    for (const auto& r : sample()) {
        phone += r.phone.has_value(), email += r.email.has_value(), dob += r.birth_date.has_value();
        id += r.id_number.has_value(), gender += r.gender.has_value(), address += r.address.has_value();
        country += r.country.has_value(), name += r.full_name.has_value();
    }
    const std::size_t n = sample().size();
    std::printf("fill: phone %.3f email %.3f dob %.3f id %.3f\n", share(phone, n), share(email, n), share(dob, n), share(id, n));
    EXPECT_NEAR(share(phone, n), 0.75, 0.04);
    EXPECT_NEAR(share(email, n), 0.67, 0.04);
    EXPECT_NEAR(share(dob, n), 0.60, 0.04);
    EXPECT_NEAR(share(id, n), 0.20, 0.04);
    EXPECT_EQ(name, n);
    EXPECT_GT(share(gender, n), 0.4);
    EXPECT_GT(share(address, n), 0.3);
    EXPECT_GT(share(country, n), 0.75);
}

// ~10% of true pairs share nothing but a name (sometimes city and gender); another ~20% share no
// exact key (phone, e-mail, ID) but a birth date or an address.
TEST(GenerateRealistic, HardPairsShareOnlyANameOrNoExactKey) {
    std::map<std::string, std::vector<const UserRecord*>> groups;
    for (const auto& r : sample()) groups[r.entity_id].push_back(&r);
    std::size_t pairs = 0, name_only = 0, no_key = 0, multi = 0, phone_changes = 0, email_changes = 0;
    for (const auto& [entity, records] : groups) {
        if (records.size() < 2) continue;
        ++multi;
        std::set<std::string> phones, emails;
        for (const UserRecord* r : records) {
            if (r->phone) phones.insert(phone_key(r->phone));
            if (r->email) emails.insert(lower_key(r->email));
        }
        phone_changes += phones.size() > 1;
        email_changes += emails.size() > 1;
        for (std::size_t i = 0; i < records.size(); ++i)
            for (std::size_t j = i + 1; j < records.size(); ++j) {
                const UserRecord& a = *records[i];
                const UserRecord& b = *records[j];
                ++pairs;
                const bool key = same(phone_key(a.phone), phone_key(b.phone)) || same(lower_key(a.email), lower_key(b.email)) ||
                                 same(digits_key(a.id_number), digits_key(b.id_number));
                const bool other = same(date_key(a.birth_date), date_key(b.birth_date)) ||
                                   same(house_key(a.address), house_key(b.address));
                name_only += !key && !other;
                no_key += !key && other;
            }
    }
    ASSERT_GT(pairs, 3000u);
    EXPECT_NEAR(share(name_only, pairs), 0.10, 0.035) << name_only << " of " << pairs;
    EXPECT_NEAR(share(no_key, pairs), 0.20, 0.05) << no_key << " of " << pairs;
    std::printf("pairs %zu, name only %.3f, no exact key %.3f\n", pairs, share(name_only, pairs), share(no_key, pairs));
    EXPECT_GT(share(phone_changes, multi), 0.10);
    EXPECT_GT(share(email_changes, multi), 0.10);
}

// National formats of the person's country, about one in five with +CC, and a country column.
TEST(GenerateRealistic, NationalPhoneFormatsAndCountryColumn) {
    const std::map<std::string, std::regex> national = {
        {"FR", std::regex(R"(^0[1-7]( \d\d){4}$)")},          // 06 85 98 66 38
        {"US", std::regex(R"(^\(\d{3}\) \d{3}-\d{4}$)")},     // (206) 555-0134
        {"GB", std::regex(R"(^0(20 \d{4} \d{4}|7\d{3} \d{6})$)")},  // 020 7946 0018 / 07911 123456
        {"CN", std::regex(R"(^1\d{2} \d{4} \d{4}$|^1\d{10}$)")},   // 138 1234 5678
        {"DE", std::regex(R"(^0\d{2,3}[ /]\d{6,8}$)")},       // 0151 23456789
        {"ES", std::regex(R"(^(6\d\d \d\d \d\d \d\d|9\d \d{3} \d\d \d\d)$)")},  // 612 34 56 78
        {"IN", std::regex(R"(^[6-9]\d{4} \d{5}$)")},          // 98765 43210
    };
    std::map<std::string, std::size_t> with_phone, national_hits, countries;
    std::size_t phones = 0, plus = 0, codes = 0, with_country = 0;
    for (const auto& r : sample()) {
        if (r.country) {
            ++with_country;
            ++countries[*r.country];
            codes += r.country->size() == 2 && (*r.country)[0] >= 'A' && (*r.country)[0] <= 'Z';
        }
        if (!r.phone) continue;
        ++phones;
        plus += (*r.phone)[0] == '+' || r.phone->rfind("00", 0) == 0;
        if (r.country && national.count(*r.country)) {
            ++with_phone[*r.country];
            national_hits[*r.country] += std::regex_match(*r.phone, national.at(*r.country));
        }
    }
    EXPECT_NEAR(share(plus, phones), 0.20, 0.06);
    EXPECT_GT(share(codes, with_country), 0.9);
    for (const auto& [code, re] : national) {
        EXPECT_GT(countries[code], 200u) << code;
        EXPECT_GT(share(national_hits[code], with_phone[code]), 0.2) << code;
    }
    EXPECT_GT(countries["UK"] + countries["France"] + countries["Deutschland"] + countries["fr"], 0u);
}

// Households share a phone and an address (different people, same surname); twins and namesakes
// share a birth date (namesakes also the name).
TEST(GenerateRealistic, HouseholdsTwinsAndNamesakes) {
    std::map<std::string, std::set<std::string>> entities_by_phone, entities_by_name_dob, entities_by_dob_address;
    for (const auto& r : sample()) {
        if (r.phone) entities_by_phone[phone_key(r.phone)].insert(r.entity_id);
        if (r.full_name && r.birth_date) entities_by_name_dob[*r.full_name + "|" + *r.birth_date].insert(r.entity_id);
        if (r.address && r.birth_date)
            entities_by_dob_address[date_key(r.birth_date) + "|" + *r.address].insert(r.entity_id);
    }
    std::size_t shared_phones = 0, namesakes = 0, twins = 0;
    for (const auto& [k, e] : entities_by_phone) shared_phones += e.size() > 1;
    for (const auto& [k, e] : entities_by_name_dob) namesakes += e.size() > 1;
    for (const auto& [k, e] : entities_by_dob_address) twins += e.size() > 1;
    EXPECT_GT(shared_phones, 150u);
    EXPECT_GT(namesakes, 20u);
    EXPECT_GT(twins, 10u);
}

TEST(GenerateRealistic, MixedDateFormatsAndGenderSpellings) {
    const std::vector<std::pair<const char*, std::regex>> formats = {
        {"1991-05-20", std::regex(R"(^\d{4}-\d\d-\d\d$)")},
        {"27-06-1998", std::regex(R"(^\d\d-\d\d-\d{4}$)")},
        {"12/4/1975", std::regex(R"(^\d{1,2}/\d{1,2}/\d{4}$)")},
        {"1975年4月12日", std::regex(u8R"(^\d{4}年\d{1,2}月\d{1,2}日$)")},
        {"12.04.1975", std::regex(R"(^\d\d\.\d\d\.\d{4}$)")},
        {"19750412", std::regex(R"(^\d{8}$)")},
    };
    std::vector<std::size_t> hits(formats.size());
    std::size_t dates = 0;
    std::set<std::string> genders;
    for (const auto& r : sample()) {
        if (r.gender) genders.insert(*r.gender);
        if (!r.birth_date) continue;
        ++dates;
        for (std::size_t i = 0; i < formats.size(); ++i) hits[i] += std::regex_match(*r.birth_date, formats[i].second);
    }
    for (std::size_t i = 0; i < formats.size(); ++i) EXPECT_GT(share(hits[i], dates), 0.01) << formats[i].first;
    EXPECT_GT(share(hits[0], dates), 0.3);
    EXPECT_LT(share(hits[0], dates), 0.6);
    for (const char* g : {"F", "female", "女", "FEMALE", "f", "W", "Frau", "M", "male", "男", "H", "mujer"})
        EXPECT_TRUE(genders.count(g)) << g;
}

TEST(GenerateRealistic, ScriptsOfTheInternationalPopulation) {
    std::size_t han = 0, accented = 0, ascii = 0;
    for (const auto& r : sample()) {
        const std::string& n = *r.full_name;
        if (n.find("\xE4") != std::string::npos || n.find("\xE5") != std::string::npos || n.find("\xE6") != std::string::npos ||
            n.find("\xE7") != std::string::npos || n.find("\xE8") != std::string::npos || n.find("\xE9") != std::string::npos)
            ++han;
        else if (n.find("\xC3") != std::string::npos)
            ++accented;
        else
            ++ascii;
    }
    const std::size_t n = sample().size();
    EXPECT_GT(share(han, n), 0.25);
    EXPECT_GT(share(accented, n), 0.02);
    EXPECT_GT(share(ascii, n), 0.3);
}
