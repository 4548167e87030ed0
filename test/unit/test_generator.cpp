#include "core/errors.hpp"
#include "core/generate/formats.hpp"
#include "core/generate/random.hpp"
#include "core/generate/tables.hpp"
#include "core/generate/text_edit.hpp"
#include "core/generate/user_generator.hpp"
#include "core/text/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace usermatch;
using namespace usermatch::generate;

namespace {

GeneratorOptions with_seed(std::uint64_t seed) {
    GeneratorOptions o;
    o.seed = seed;
    return o;
}

// Cached sample shared by several tests (generated once: 20000 records, default options).
const std::vector<UserRecord>& sample() {
    static const auto* records = new std::vector<UserRecord>(generate_users(20000, GeneratorOptions{}));
    return *records;
}

std::map<std::string, std::vector<const UserRecord*>> by_entity(const std::vector<UserRecord>& records) {
    std::map<std::string, std::vector<const UserRecord*>> groups;
    for (const auto& r : records) groups[r.entity_id].push_back(&r);
    return groups;
}

std::string serialize(const UserRecord& r) {
    std::string s = r.user_id + "|" + r.entity_id;
    for (const auto* f : {&r.full_name, &r.phone, &r.email, &r.birth_date, &r.id_number, &r.city})
        s += "|" + (f->has_value() ? **f : std::string("<null>"));
    return s;
}

// The test's own ISO 7064 MOD 11-2 check (independent of the generator's).
bool valid_prc_id(const std::string& id) {
    if (id.size() != 18) return false;
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i) {
        if (id[i] < '0' || id[i] > '9') return false;
        sum += (id[i] - '0') * weights[i];
    }
    const int check = (12 - sum % 11) % 11;  // value whose weighted sum (weight 1) makes total = 1 mod 11
    const char expected = check == 10 ? 'X' : static_cast<char>('0' + check);
    return id[17] == expected || (expected == 'X' && id[17] == 'x');
}

bool has_han(const std::string& s) {
    for (char32_t cp : text::decode_utf8(s))
        if (cp >= 0x4E00 && cp <= 0x9FFF) return true;
    return false;
}

int hamming(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return 1000;
    int d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d += a[i] != b[i];
    return d;
}

std::string digits_of(const std::optional<std::string>& s) {
    std::string d;
    if (s)
        for (char c : *s)
            if (c >= '0' && c <= '9') d += c;
    return d.size() > 10 ? d.substr(d.size() - 10) : d;
}

std::string canonical_email(const std::optional<std::string>& s) {
    if (!s) return {};
    std::string e = *s;
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto at = e.find('@');
    std::string local = e.substr(0, at), domain = e.substr(at + 1);
    if (domain == "googlemail.com") domain = "gmail.com";
    if (domain == "gmail.com") {
        local = local.substr(0, local.find('+'));
        local.erase(std::remove(local.begin(), local.end(), '.'), local.end());
    }
    return local + "@" + domain;
}

// Birth date as YYYYMMDD from the formats the generator writes.
std::string canonical_date(const std::optional<std::string>& s) {
    if (!s) return {};
    static const char* months[] = {"January", "February", "March", "April", "May", "June", "July",
                                   "August", "September", "October", "November", "December"};
    std::vector<int> numbers;
    std::vector<int> widths;
    int month_name = 0;
    for (int m = 0; m < 12; ++m)
        if (s->find(months[m]) != std::string::npos) month_name = m + 1;
    for (std::size_t i = 0; i < s->size();) {
        if (!std::isdigit(static_cast<unsigned char>((*s)[i]))) { ++i; continue; }
        std::size_t j = i;
        while (j < s->size() && std::isdigit(static_cast<unsigned char>((*s)[j]))) ++j;
        numbers.push_back(std::stoi(s->substr(i, j - i)));
        widths.push_back(static_cast<int>(j - i));
        i = j;
    }
    int y = 0, m = 0, d = 0;
    if (numbers.size() == 1 && widths[0] == 8) {
        y = numbers[0] / 10000, m = numbers[0] / 100 % 100, d = numbers[0] % 100;
    } else if (month_name && numbers.size() == 2) {
        d = numbers[0], y = numbers[1], m = month_name;
    } else if (numbers.size() == 3 && widths[0] == 4) {
        y = numbers[0], m = numbers[1], d = numbers[2];
    } else if (numbers.size() == 3) {
        d = numbers[0], m = numbers[1], y = numbers[2];
    }
    return std::to_string(y * 10000 + m * 100 + d);
}

bool share_strong_key(const UserRecord& a, const UserRecord& b) {
    auto upper = [](const std::optional<std::string>& s) {
        std::string u = s.value_or("");
        std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return u;
    };
    const std::string pa = digits_of(a.phone), ea = canonical_email(a.email), ia = upper(a.id_number),
                      da = canonical_date(a.birth_date);
    return (!pa.empty() && pa == digits_of(b.phone)) || (!ea.empty() && ea == canonical_email(b.email)) ||
           (!ia.empty() && ia == upper(b.id_number)) || (!da.empty() && da == canonical_date(b.birth_date));
}

}  // namespace

TEST(GenerateDeterminism, SameSeedSameBytesDifferentSeedDifferent) {
    const auto a = generate_users(3000, with_seed(7));
    const auto b = generate_users(3000, with_seed(7));
    const auto c = generate_users(3000, with_seed(8));
    ASSERT_EQ(a.size(), b.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(serialize(a[i]), serialize(b[i])) << "record " << i;
        differing += serialize(a[i]) != serialize(c[i]);
    }
    EXPECT_GT(differing, 2900u);
}

// Guards "same bytes on every machine": a change of this value means the output changed.
// Update it only for an intended change of the generator (and say so in the commit).
TEST(GenerateDeterminism, GoldenFingerprintOfSeed42) {
    const auto records = generate_users(2000, GeneratorOptions{});
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (const auto& r : records)
        for (unsigned char ch : serialize(r) + "\n") h = (h ^ ch) * 0x100000001B3ull;
    EXPECT_EQ(records[0].user_id, "u0000001");
    EXPECT_EQ(h, 18104806550486047050ull) << "fingerprint " << h;
}

TEST(GenerateCount, ExactCountForAnySizeAndRate) {
    for (std::size_t n : {0u, 1u, 2u, 17u, 999u, 5000u}) {
        for (double rate : {0.0, 0.3, 0.9}) {
            GeneratorOptions o;
            o.duplicate_rate = rate;
            EXPECT_EQ(generate_users(n, o).size(), n) << "n=" << n << " rate=" << rate;
        }
    }
}

TEST(GenerateIds, UniqueZeroPaddedUserIdsAndEntityIds) {
    const auto& records = sample();
    std::set<std::string> ids;
    for (const auto& r : records) {
        ASSERT_EQ(r.user_id.size(), 8u);
        ASSERT_EQ(r.user_id[0], 'u');
        ASSERT_EQ(r.entity_id.size(), 8u);
        ASSERT_EQ(r.entity_id[0], 'e');
        ids.insert(r.user_id);
    }
    EXPECT_EQ(ids.size(), records.size());
    EXPECT_EQ(records.front().user_id, "u0000001");
    EXPECT_EQ(records.back().user_id, "u0020000");
}

TEST(GenerateDuplicates, RateWithinToleranceAndTailOfLargeClusters) {
    const auto groups = by_entity(sample());
    const double share = 1.0 - static_cast<double>(groups.size()) / 20000.0;
    EXPECT_NEAR(share, 0.3, 0.015);
    std::size_t five_plus = 0;
    for (const auto& g : groups) five_plus += g.second.size() >= 6;
    EXPECT_GT(five_plus, 20u);  // a few people have 5+ extra records

    GeneratorOptions none;
    none.duplicate_rate = 0.0;
    const auto unique_people = generate_users(3000, none);
    EXPECT_EQ(by_entity(unique_people).size(), 3000u);
    GeneratorOptions many;
    many.duplicate_rate = 0.8;
    const auto mostly_copies = generate_users(20000, many);
    EXPECT_NEAR(1.0 - by_entity(mostly_copies).size() / 20000.0, 0.8, 0.02);
}

TEST(GenerateDuplicates, CopiesAreShuffledNotAdjacent) {
    const auto& records = sample();
    std::size_t adjacent = 0;
    for (std::size_t i = 1; i < records.size(); ++i) adjacent += records[i].entity_id == records[i - 1].entity_id;
    EXPECT_LT(adjacent, 20u);
}

TEST(GenerateIdNumbers, CheckDigitValidUnlessDeliberateTypo) {
    GeneratorOptions clean;
    clean.corruption = 0.0;
    std::size_t checked = 0;
    for (const auto& r : generate_users(20000, clean))
        if (r.id_number) {
            ASSERT_TRUE(valid_prc_id(*r.id_number)) << *r.id_number;
            ++checked;
        }
    EXPECT_GT(checked, 7000u);

    // Default noise: an invalid ID is a one-digit typo of the person's valid ID.
    std::size_t invalid = 0, total = 0;
    const auto groups = by_entity(sample());
    for (const auto& group : groups) {
        std::set<std::string> valid;
        for (const auto* r : group.second)
            if (r->id_number && valid_prc_id(*r->id_number)) valid.insert(*r->id_number);
        std::set<std::string> upper;
        for (auto v : valid) {
            std::transform(v.begin(), v.end(), v.begin(), ::toupper);
            upper.insert(v);
        }
        EXPECT_LE(upper.size(), 1u) << "two different valid IDs for " << group.first;
        for (const auto* r : group.second) {
            if (!r->id_number) continue;
            ++total;
            if (valid_prc_id(*r->id_number)) continue;
            ++invalid;
            if (!upper.empty()) {
                EXPECT_EQ(hamming(*upper.begin(), *r->id_number), 1) << *r->id_number;
            }
        }
    }
    EXPECT_GT(invalid, 0u);
    EXPECT_LT(static_cast<double>(invalid) / static_cast<double>(total), 0.05);
}

TEST(GenerateIdNumbers, BirthDateAndGenderDigitEmbedded) {
    GeneratorOptions clean;
    clean.corruption = 0.0;
    std::size_t compared = 0;
    for (const auto& r : generate_users(5000, clean)) {
        if (!r.id_number || !r.birth_date || r.birth_date->size() != 10 || (*r.birth_date)[4] != '-') continue;
        if (*r.birth_date == "1900-01-01" || *r.birth_date == "1970-01-01") continue;  // placeholders
        const std::string& d = *r.birth_date;
        EXPECT_EQ(r.id_number->substr(6, 8), d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2));
        ++compared;
    }
    EXPECT_GT(compared, 1000u);
    EXPECT_EQ(prc_id_check_character("11010519491231002"), 'X');  // GB 11643 example
    EXPECT_EQ(prc_id_check_character("44030419900101001"), '1');
    EXPECT_THROW(prc_id_check_character("1101051949123100"), Error);
    EXPECT_THROW(prc_id_check_character("1101051949123100a"), Error);
}

TEST(GenerateContent, BothScriptsTraditionalVariantsAndNoEmptyRecords) {
    std::size_t han = 0, latin = 0, traditional = 0;
    const std::string trad_chars = "張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧葉蘇偉強軍傑濤麗靜紅華國蘭鳳";
    const auto trad_cps = text::decode_utf8(trad_chars);
    for (const auto& r : sample()) {
        int present = 0;
        for (const auto* f : {&r.full_name, &r.phone, &r.email, &r.birth_date, &r.id_number, &r.city}) {
            if (f->has_value()) {
                ++present;
                ASSERT_FALSE((*f)->empty()) << r.user_id;
            }
        }
        ASSERT_GE(present, 2) << r.user_id;
        if (!r.full_name) continue;
        if (has_han(*r.full_name)) {
            ++han;
            for (char32_t cp : text::decode_utf8(*r.full_name))
                if (trad_cps.find(cp) != std::u32string::npos) {
                    ++traditional;
                    break;
                }
        } else {
            ++latin;
        }
    }
    EXPECT_GT(han, 7000u);
    EXPECT_GT(latin, 7000u);
    EXPECT_GT(traditional, 300u);

    GeneratorOptions western;
    western.chinese_share = 0.0;
    for (const auto& r : generate_users(2000, western))
        if (r.full_name) {
            ASSERT_FALSE(has_han(*r.full_name)) << *r.full_name;
        }
}

TEST(GenerateContent, CatalogueOfVariationsAppears) {
    std::map<std::string, int> seen;
    auto count_if = [&](const std::string& key, bool cond) { seen[key] += cond ? 1 : 0; };
    for (const auto& r : sample()) {
        const std::string name = r.full_name.value_or(""), phone = r.phone.value_or(""),
                          email = r.email.value_or(""), dob = r.birth_date.value_or(""),
                          id = r.id_number.value_or("");
        count_if("name comma inverted", name.find(", ") != std::string::npos);
        count_if("name diacritics", !text::is_ascii(name) && !has_han(name));
        count_if("name pinyin upper surname", name.size() > 3 && name.find(' ') != std::string::npos &&
                                                  std::all_of(name.begin(), name.begin() + static_cast<long>(name.find(' ')),
                                                              [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
        count_if("name han spaced", has_han(name) && name.find(' ') != std::string::npos);
        count_if("phone +86 dashed", phone.rfind("+86 ", 0) == 0 && phone.find('-') != std::string::npos);
        count_if("phone 0086", phone.rfind("0086 ", 0) == 0);
        count_if("phone US", phone.rfind("+1 ", 0) == 0 || phone.rfind("(", 0) == 0);
        count_if("phone UK", phone.rfind("+44", 0) == 0 || phone.rfind("07", 0) == 0);
        count_if("phone placeholder", phone == "13800000000" || phone == "12345678901" || phone == "00000000000");
        count_if("email gmail tag", email.find('+') != std::string::npos);
        count_if("email upper case", std::any_of(email.begin(), email.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
        count_if("email placeholder", email == "none@none.com" || email == "test@test.com" || email == "noemail@163.com");
        count_if("email qq number", email.find("@qq.com") != std::string::npos && email[0] >= '1' && email[0] <= '9');
        count_if("dob chinese", dob.find("年") != std::string::npos);
        count_if("dob compact", dob.size() == 8 && dob.find_first_not_of("0123456789") == std::string::npos);
        count_if("dob dd/mm/yyyy", dob.size() == 10 && dob[2] == '/');
        count_if("id lower x", !id.empty() && id.back() == 'x');
    }
    for (const auto& [key, count] : seen) EXPECT_GT(count, 5) << key;
    const int placeholders = seen["phone placeholder"];
    EXPECT_GT(placeholders, 15);  // ~0.2% of 20000 records, shared by many different people
    EXPECT_LT(placeholders, 120);
}

TEST(GenerateContent, NicknamesReplaceGivenNamesInCopies) {
    using namespace usermatch::generate::detail;
    std::map<std::string, std::set<std::string>> nicknames;  // formal -> nicknames
    for (auto table : {latin_male_given_names(), latin_female_given_names()})
        for (std::size_t i = 0; i < table.size; ++i)
            for (std::size_t k = 0; k < part_count(table[i].nicknames); ++k) {
                const Part p = part_at(table[i].nicknames, k);
                nicknames[table[i].name].insert(std::string(p.data, p.size));
            }
    auto first_word = [](const std::optional<std::string>& name) {
        return name ? name->substr(0, name->find(' ')) : std::string();
    };
    std::size_t people_with_nickname = 0;
    const auto groups = by_entity(sample());
    for (const auto& group : groups) {
        bool found = false;
        for (const auto* a : group.second)
            for (const auto* b : group.second) {
                const auto it = nicknames.find(first_word(a->full_name));
                found = found || (it != nicknames.end() && it->second.count(first_word(b->full_name)));
            }
        people_with_nickname += found;
    }
    EXPECT_GT(people_with_nickname, 50u);
}

TEST(GenerateContent, CleanCopiesAtCorruptionZero) {
    GeneratorOptions clean;
    clean.corruption = 0.0;
    const auto records = generate_users(5000, clean);
    const auto groups = by_entity(records);
    for (const auto& group : groups) {
        const UserRecord& first = *group.second.front();
        for (const auto* r : group.second) {
            EXPECT_EQ(r->full_name, first.full_name);
            EXPECT_EQ(r->phone, first.phone);
            EXPECT_EQ(r->email, first.email);
            EXPECT_EQ(r->birth_date, first.birth_date);
            EXPECT_EQ(r->id_number, first.id_number);
            EXPECT_EQ(r->city, first.city);
        }
    }
}

TEST(GenerateContent, EveryCopyKeepsAStrongKeyOfTheOriginal) {
    // Some record of each person (the original) shares a strong key (phone, e-mail, ID or birth
    // date, compared the way a careful human would) with every other record of that person.
    GeneratorOptions noisy;
    noisy.corruption = 2.0;
    const auto records = generate_users(5000, noisy);
    std::size_t groups = 0, anchored = 0, pairs = 0, identical = 0;
    for (const auto& group : by_entity(records)) {
        const auto& v = group.second;
        if (v.size() < 2) continue;
        ++groups;
        bool found = false;
        for (const auto* anchor : v) {
            bool all = true;
            for (const auto* r : v) all = all && (r == anchor || share_strong_key(*anchor, *r));
            found = found || all;
        }
        anchored += found;
        for (std::size_t i = 0; i + 1 < v.size(); ++i, ++pairs)
            identical += serialize(*v[i]).substr(18) == serialize(*v[i + 1]).substr(18);
    }
    ASSERT_GT(groups, 500u);
    EXPECT_GE(static_cast<double>(anchored) / static_cast<double>(groups), 0.99);
    EXPECT_LT(static_cast<double>(identical) / static_cast<double>(pairs), 0.2);  // the noise is real
}

TEST(GenerateStreaming, ChunksEqualTheVectorForm) {
    const auto all = generate_users(1234, with_seed(99));
    UserGenerator generator(1234, with_seed(99));
    EXPECT_EQ(generator.size(), 1234u);
    std::vector<UserRecord> streamed;
    while (generator.remaining() > 0)
        for (auto& r : generator.next_chunk(100)) streamed.push_back(std::move(r));
    ASSERT_EQ(streamed.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(serialize(streamed[i]), serialize(all[i]));
    UserRecord extra;
    EXPECT_FALSE(generator.next(extra));
    EXPECT_TRUE(generator.next_chunk(10).empty());
}

TEST(GenerateOptions, InvalidArgumentsThrowNamingTheArgument) {
    auto expect_invalid = [](std::size_t n, GeneratorOptions o, const std::string& name) {
        try {
            generate_users(n, o);
            ADD_FAILURE() << "no error for " << name;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    };
    expect_invalid(50'000'001, GeneratorOptions{}, "n");
    GeneratorOptions o;
    o.duplicate_rate = 0.95;
    expect_invalid(10, o, "duplicate_rate");
    o.duplicate_rate = -0.1;
    expect_invalid(10, o, "duplicate_rate");
    o = GeneratorOptions{};
    o.chinese_share = 1.5;
    expect_invalid(10, o, "chinese_share");
    o.chinese_share = std::nan("");
    expect_invalid(10, o, "chinese_share");
    o = GeneratorOptions{};
    o.corruption = 5.5;
    expect_invalid(10, o, "corruption");
    o.corruption = -1;
    expect_invalid(10, o, "corruption");
    o = GeneratorOptions{};
    o.duplicate_rate = 0.9;
    o.chinese_share = 1.0;
    o.corruption = 5.0;
    EXPECT_EQ(generate_users(100, o).size(), 100u);  // bounds are inclusive
}

TEST(GenerateTables, SizesAndKnownEntries) {
    using namespace usermatch::generate::detail;
    const auto surnames = chinese_surnames();
    EXPECT_GE(surnames.size, 100u);
    std::set<std::string> names;
    for (std::size_t i = 0; i < surnames.size; ++i) names.insert(surnames[i].han);
    EXPECT_EQ(names.size(), surnames.size);
    for (const char* compound : {"欧阳", "司马", "诸葛"}) EXPECT_TRUE(names.count(compound)) << compound;
    EXPECT_STREQ(surnames[0].han, "王");

    std::set<std::string> given;
    for (auto table : {male_given_chars(), female_given_chars()})
        for (std::size_t i = 0; i < table.size; ++i) given.insert(table[i].han);
    EXPECT_GE(given.size(), 300u);

    std::map<std::string, std::string> nick;
    std::set<std::string> first;
    for (auto table : {latin_male_given_names(), latin_female_given_names()})
        for (std::size_t i = 0; i < table.size; ++i) {
            EXPECT_TRUE(first.insert(table[i].name).second) << "duplicate " << table[i].name;
            nick[table[i].name] = table[i].nicknames;
        }
    EXPECT_GE(first.size(), 300u);
    EXPECT_NE(nick["William"].find("Bill"), std::string::npos);
    EXPECT_NE(nick["Robert"].find("Bob"), std::string::npos);
    EXPECT_NE(nick["Elizabeth"].find("Liz"), std::string::npos);
    EXPECT_NE(nick["Margaret"].find("Peggy"), std::string::npos);
    EXPECT_TRUE(first.count("José"));

    std::set<std::string> last;
    const auto latin = latin_surnames();
    for (std::size_t i = 0; i < latin.size; ++i) EXPECT_TRUE(last.insert(latin[i]).second) << latin[i];
    EXPECT_GE(last.size(), 300u);
    EXPECT_TRUE(last.count("Müller") && last.count("García"));

    EXPECT_GE(traditional_table_size(), 190u);
    EXPECT_EQ(traditional_of(U'张'), U'張');
    EXPECT_EQ(traditional_of(U'伟'), U'偉');
    EXPECT_EQ(traditional_of(U'钟'), U'鍾');  // the surname form, not 鐘 (bell)
    EXPECT_EQ(traditional_of(U'王'), 0u);
}

TEST(GenerateFormats, PhonesDatesAndTextEdits) {
    using namespace usermatch::generate::detail;
    EXPECT_EQ(format_phone(PhoneCountry::CN, "13812345678", 0), "13812345678");
    EXPECT_EQ(format_phone(PhoneCountry::CN, "13812345678", 1), "+86 138-1234-5678");
    EXPECT_EQ(format_phone(PhoneCountry::CN, "13812345678", 3), "0086 138 1234 5678");
    EXPECT_EQ(format_phone(PhoneCountry::CN, "13812345678", 4), "138 1234 5678");
    EXPECT_EQ(format_phone(PhoneCountry::US, "4155550123", 1), "(415) 555-0123");
    EXPECT_EQ(format_phone(PhoneCountry::UK, "7911123456", 1), "07911 123456");

    const CivilDate d{1985, 3, 7};
    EXPECT_EQ(format_date(d, kDateIso), "1985-03-07");
    EXPECT_EQ(format_date(d, kDateCompact), "19850307");
    EXPECT_EQ(format_date(d, kDateDayMonthYear), "07/03/1985");
    EXPECT_EQ(format_date(d, kDateChinese), "1985年3月7日");
    EXPECT_EQ(format_date(d, kDateMonthNameDay), "March 7, 1985");
    EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
    EXPECT_EQ(days_from_civil({1940, 1, 1}), -10958);
    EXPECT_EQ(days_from_civil({2008, 12, 31}), 14244);
    const CivilDate leap = civil_from_days(days_from_civil({2000, 2, 29}));
    EXPECT_EQ(leap.year * 10000 + leap.month * 100 + leap.day, 20000229);

    const std::string_view syllables[] = {"xiu", "ying"};
    EXPECT_EQ(format_pinyin_name("zhang", syllables, 2, kPinyinStandard), "Zhang Xiuying");
    EXPECT_EQ(format_pinyin_name("zhang", syllables, 2, kPinyinUpperSurname), "ZHANG Xiuying");
    EXPECT_EQ(format_pinyin_name("zhang", syllables, 2, kPinyinGivenFirst), "Xiuying Zhang");
    EXPECT_EQ(format_pinyin_name("zhang", syllables, 2, kPinyinRunTogether), "zhangxiuying");
    EXPECT_EQ(format_pinyin_name("zhang", syllables, 2, kPinyinHyphenated), "Zhang Xiu-ying");

    EXPECT_EQ(fold_diacritics("José Müller"), "Jose Muller");
    EXPECT_EQ(fold_diacritics("Müller Weiß", true), "Mueller Weiss");
    EXPECT_EQ(fold_diacritics("Łukasz Sørensen"), "Lukasz Sorensen");
    EXPECT_EQ(latin_upper("Müller"), "MÜLLER");
    EXPECT_EQ(latin_lower("ŁUKASZ"), "łukasz");
    EXPECT_EQ(to_traditional("张伟"), "張偉");
    EXPECT_EQ(ascii_slug("O'Brien-Müller"), "obrienmuller");

    Rng rng(1);
    for (int i = 0; i < 200; ++i) {
        const std::string typo = with_typo("Margaret", rng);
        EXPECT_NE(typo, "Margaret");
        const auto len = static_cast<int>(text::decode_utf8(typo).size());
        EXPECT_LE(std::abs(len - 8), 1) << typo;
    }
}

TEST(GenerateCancel, PlanningPollsKeepGoingAndStops) {
    // Issue 7: generate_users(10000000) planned for 25 s without a chance to cancel.
    int polls = 0;
    try {
        generate::UserGenerator generator(10'000'000, generate::GeneratorOptions{}, [&] { return ++polls < 3; });
        FAIL() << "expected a cancel";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
    EXPECT_EQ(polls, 3);
    // A keep_going that always answers yes changes nothing.
    generate::UserGenerator polled(5000, generate::GeneratorOptions{}, [] { return true; });
    const auto plain = generate::generate_users(5000, generate::GeneratorOptions{});
    const auto chunk = polled.next_chunk(5000);
    ASSERT_EQ(chunk.size(), plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
        ASSERT_EQ(chunk[i].user_id, plain[i].user_id);
        ASSERT_EQ(chunk[i].full_name, plain[i].full_name);
        ASSERT_EQ(chunk[i].id_number, plain[i].id_number);
    }
}
