#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"
#include "core/normalize/phone_metadata.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
#include <list>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <vector>

using namespace usermatch;
using namespace usermatch::normalize;

TEST(NormalizePhone, ChineseMobileInItsCommonSpellings) {
    for (const char* s : {"+86 138-1234-5678", "13812345678", "0086 138 1234 5678", "(+86)13812345678",
                          "+86 (138) 1234 5678", " 138 1234 5678 ", "+8613812345678", "８６ １３８１２３４５６７８"}) {
        EXPECT_EQ(normalize_phone(s), std::optional<std::string>("+8613812345678")) << s;
    }
}

TEST(NormalizePhone, OtherRegions) {
    EXPECT_EQ(normalize_phone("(415) 555-2671", "US"), std::optional<std::string>("+14155552671"));
    EXPECT_EQ(normalize_phone("415.555.2671", "us"), std::optional<std::string>("+14155552671"));  // case-insensitive
    EXPECT_EQ(normalize_phone("020 7946 0958", "GB"), std::optional<std::string>("+442079460958"));
    EXPECT_EQ(normalize_phone("+44 20 7946 0958", "CN"), std::optional<std::string>("+442079460958"));
    EXPECT_EQ(normalize_phone("010-6552-9988"), std::optional<std::string>("+861065529988"));  // Beijing landline
}

TEST(NormalizePhone, NotAPossibleNumber) {
    EXPECT_EQ(normalize_phone("12"), std::nullopt);
    EXPECT_EQ(normalize_phone(""), std::nullopt);
    EXPECT_EQ(normalize_phone("   "), std::nullopt);
    EXPECT_EQ(normalize_phone("abc"), std::nullopt);
    EXPECT_EQ(normalize_phone("not a phone"), std::nullopt);
    EXPECT_EQ(normalize_phone("\xFF\xFE\xFD"), std::nullopt);
    EXPECT_EQ(normalize_phone("1381234567812345678"), std::nullopt);  // too long
    EXPECT_EQ(normalize_phone("😀😀😀"), std::nullopt);
}

TEST(NormalizePhone, OverlongInputIsRejectedWithoutParsing) {
    std::string padded = "13812345678" + std::string(240, ' ');
    EXPECT_EQ(normalize_phone(padded.substr(0, 250)), std::optional<std::string>("+8613812345678"));
    EXPECT_EQ(normalize_phone(padded.substr(0, 251)), std::nullopt);
    const std::string mb(1 << 20, '1');
    EXPECT_EQ(normalize_phone(mb), std::nullopt);
}

TEST(NormalizePhone, InvalidRegionThrowsNamingTheArgument) {
    for (const char* region : {"XX", "", "china", "C", "1A", "ZZ"}) {
        try {
            normalize_phone("13812345678", region);
            ADD_FAILURE() << "no error for region " << region;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
            EXPECT_EQ(std::string(e.what()), std::string("invalid region \"") + region +
                                                 "\" for argument region: expected a two-letter CLDR "
                                                 "region code such as CN or US");
        }
    }
    EXPECT_THROW(normalize_phone("", "XX"), Error);  // the region is checked before the text
}

namespace pn = i18n::phonenumbers;

// What libphonenumber alone answers: the reference for the fast path.
static detail::PhoneParse lib_parse(const std::string& text, const std::string& region) {
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    detail::PhoneParse p;
    pn::PhoneNumber number;
    if (util->ParseAndKeepRawInput(text, region, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR) {
        p.status = detail::PhoneParse::Status::Error;
        return p;
    }
    p.status = detail::PhoneParse::Status::Parsed;
    p.international = number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN ||
                      number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_IDD;
    p.calling_code = number.country_code();
    util->GetNationalSignificantNumber(number, &p.nsn);
    p.possible = util->IsPossibleNumber(number);
    p.valid = util->IsValidNumber(number);
    return p;
}

// normalize_phone's rules written with libphonenumber only (normalize.hpp).
static std::optional<std::string> reference(const std::string& text, const std::vector<std::string>& regions) {
    if (text.empty() || text.size() > 250) return std::nullopt;
    for (const std::string& region : regions) {
        const detail::PhoneParse p = lib_parse(text, region);
        if (p.status == detail::PhoneParse::Status::Parsed && (p.international ? p.possible : p.valid))
            return "+" + std::to_string(p.calling_code) + p.nsn;
    }
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (!(digits.empty() && c == '0')) digits.push_back(c);
        } else if (std::string_view(" \t-.()/").find(c) == std::string_view::npos) {
            return std::nullopt;
        }
    }
    if (digits.size() < 5 || digits.size() > 17) return std::nullopt;
    return digits;
}
static std::optional<std::string> reference(const std::string& text, const std::string& region) {
    return reference(text, std::vector<std::string>{region});
}

// Fast answer equals libphonenumber's wherever the fast path answers; returns whether it did.
static bool check_fast(const std::string& text, const std::string& region) {
    const detail::PhoneParse fast = detail::phone_fast_parse(text, region);
    if (fast.status == detail::PhoneParse::Status::Unknown) return false;
    const detail::PhoneParse lib = lib_parse(text, region);
    EXPECT_EQ(static_cast<int>(fast.status), static_cast<int>(lib.status)) << "'" << text << "' " << region;
    if (fast.status == detail::PhoneParse::Status::Parsed && lib.status == fast.status) {
        EXPECT_EQ(fast.international, lib.international) << "'" << text << "' " << region;
        EXPECT_EQ(fast.calling_code, lib.calling_code) << "'" << text << "' " << region;
        EXPECT_EQ(fast.nsn, lib.nsn) << "'" << text << "' " << region;
        EXPECT_EQ(fast.possible, lib.possible) << "'" << text << "' " << region;
        EXPECT_EQ(fast.valid, lib.valid) << "'" << text << "' " << region;
    }
    return true;
}

// The regions with a fast path that the tests below cover (any region whose metadata compiles
// has one; these are the ones of the realistic generator and of most user data).
static const std::vector<std::string> kFastRegions = {"CN", "US", "CA", "GB", "FR", "DE", "IN", "JP", "AU",
                                                      "BR", "ES", "IT", "MX", "RU", "KR", "HK", "SG", "NL"};

// Numbers built from libphonenumber's example numbers of every type of a region: the example, its
// digits changed at random after a kept prefix, one digit shorter or longer; written with and
// without the trunk prefix, with '+', with the IDD of the reading region, with the calling code
// and no '+', with assorted separators.
static std::vector<std::string> generated_numbers(const std::string& region, std::mt19937& rng, int per_type) {
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    std::vector<std::string> out;
    std::string ndd;
    util->GetNddPrefixForRegion(region, true, &ndd);
    const int code = util->GetCountryCodeForRegion(region);
    const pn::PhoneNumberUtil::PhoneNumberType types[] = {
        pn::PhoneNumberUtil::FIXED_LINE, pn::PhoneNumberUtil::MOBILE,    pn::PhoneNumberUtil::TOLL_FREE,
        pn::PhoneNumberUtil::PREMIUM_RATE, pn::PhoneNumberUtil::SHARED_COST, pn::PhoneNumberUtil::VOIP,
        pn::PhoneNumberUtil::PERSONAL_NUMBER, pn::PhoneNumberUtil::UAN};
    const char seps[] = {' ', '-', '.', ' ', ' '};
    for (auto type : types) {
        pn::PhoneNumber example;
        if (!util->GetExampleNumberForType(region, type, &example)) continue;
        std::string nsn;
        util->GetNationalSignificantNumber(example, &nsn);
        for (int i = 0; i < per_type; ++i) {
            std::string n = nsn;
            const std::size_t keep = rng() % (n.size() + 1);
            for (std::size_t k = keep; k < n.size(); ++k) n[k] = static_cast<char>('0' + rng() % 10);
            if (rng() % 6 == 0 && n.size() > 3) n.pop_back();
            else if (rng() % 6 == 0) n.push_back(static_cast<char>('0' + rng() % 10));
            std::string body;
            for (std::size_t k = 0; k < n.size(); ++k) {
                if (k > 0 && rng() % 4 == 0) body.push_back(seps[rng() % 5]);
                body.push_back(n[k]);
            }
            switch (rng() % 8) {
            case 0: out.push_back(body); break;
            case 1: case 2: out.push_back(ndd + (rng() % 2 ? " " : "") + body); break;
            case 3: out.push_back("+" + std::to_string(code) + " " + body); break;
            case 4: out.push_back("00" + std::to_string(code) + body); break;
            case 5: out.push_back(std::to_string(code) + body); break;
            case 6: out.push_back("(" + ndd + body.substr(0, 2) + ") " + body.substr(std::min<std::size_t>(2, body.size()))); break;
            default: out.push_back("011 " + std::to_string(code) + " " + body); break;
            }
        }
    }
    return out;
}

TEST(NormalizePhone, FastPathAgreesWithLibphonenumberInEveryFastRegion) {
    std::mt19937 rng(20261201);
    std::size_t total = 0, answered = 0;
    for (const std::string& region : kFastRegions) {
        ASSERT_NE(detail::region_data(region), nullptr) << region << " has no fast path";
        std::size_t region_total = 0, region_answered = 0;
        for (const std::string& text : generated_numbers(region, rng, 400)) {
            // Read in its own region, and in two others (a number of another country).
            for (const std::string& reading : {region, std::string("CN"), std::string("US"), std::string("FR")}) {
                ++region_total;
                if (check_fast(text, reading)) ++region_answered;
                if (::testing::Test::HasFailure()) return;
            }
        }
        // BR: a trunk 0 meets a national prefix with a transform rule (carrier codes): left to
        // libphonenumber; every other region is answered for over 90% of these numbers.
        EXPECT_GT(region_answered, region_total * (region == "BR" ? 8 : 9) / 10) << region;
        total += region_total;
        answered += region_answered;
    }
    std::printf("[ figures  ] fast path answered %zu of %zu generated numbers\n", answered, total);
    EXPECT_GT(total, 150000u);
}

// Random digit strings with separators behind prefixes that steer into every branch: '+' and IDD
// with assorted calling codes, "(0)", trunk zeros, own calling codes, CN carrier prefixes, leading
// zeros, too short and too long, a tab (not phone punctuation).
TEST(NormalizePhone, FastPathAgreesWithLibphonenumberOnRandomStrings) {
    std::mt19937 rng(12345);
    const char* prefixes[] = {"",     "",      "",     "+",     "+1",    "+44",   "+86",  "+44 (0)", "+86 (0)", "+1 1",
                              "00",   "0086",  "0044", "001",   "011",   "01144", "0",    "00",      "000",     "1",
                              "86",   "44",    "+0",   "(+86)", "12",    "179",   "11",   "+7",      "+852",    "0 0",
                              "+86 1", "1 ",   "+ 44 ", "(0)",  "8613",  "4407",  "+880", "+1 (0)",  "+86 12",  "086",
                              "+33",  "0033",  "33",   "+49",   "0049",  "49",    "+91",  "91",      "+81",     "010",
                              "+61",  "0011",  "61",   "+55",   "55",    "+34",   "+39",  "39",      "0039",    "+800"};
    const char separators[] = {' ', '-', '.', '(', ')', '\t'};
    std::size_t known = 0, total = 0;
    for (int i = 0; i < 60000; ++i) {
        std::string text = prefixes[rng() % (sizeof prefixes / sizeof *prefixes)];
        const int digits = static_cast<int>(rng() % 16);
        for (int k = 0; k < digits; ++k) {
            if (rng() % 6 == 0) text.push_back(separators[rng() % (rng() % 20 == 0 ? 6 : 5)]);
            const unsigned r = rng() % 14;  // skewed towards 0 and 1, which prefix rules care about
            text.push_back(static_cast<char>('0' + (r < 10 ? r : r % 2)));
        }
        const std::string& region = kFastRegions[rng() % kFastRegions.size()];
        ++total;
        if (check_fast(text, region)) ++known;
        if (::testing::Test::HasFailure()) return;
    }
    std::printf("[ figures  ] fast path answered %zu of %zu random strings\n", known, total);
    EXPECT_GT(known, total / 2);
}

// normalize_phone (fast path, cache, region list, national form) equals the rules written with
// libphonenumber alone, on phones of generated users read with several region lists.
TEST(NormalizePhone, EqualsTheReferenceOnGeneratedUsers) {
    generate::GeneratorOptions options;
    options.seed = 11;
    options.corruption = 2.0;
    std::vector<std::string> phones;
    for (const auto& user : generate::generate_users(12000, options))
        if (user.phone) phones.push_back(*user.phone);
    ASSERT_GT(phones.size(), 10000u);
    const std::vector<std::vector<std::string>> lists = {{"CN"}, {"US"}, {"GB"}, {"CN", "FR", "GB", "US", "DE"}, {"FR", "DE"}};
    for (const auto& regions : lists)
        for (const auto& phone : phones) ASSERT_EQ(normalize_phone(phone, regions), reference(phone, regions)) << phone;
}

TEST(NormalizePhone, EqualsTheReferenceOnMixedCountryNumbers) {
    std::mt19937 rng(99);
    const std::vector<std::string> list = {"CN", "FR", "GB", "US", "DE"};
    for (const std::string& region : kFastRegions)
        for (const std::string& text : generated_numbers(region, rng, 60)) {
            ASSERT_EQ(normalize_phone(text, list), reference(text, list)) << text;
            ASSERT_EQ(normalize_phone(text, region), reference(text, region)) << text;
            ASSERT_EQ(normalize_phone(text, region), normalize_phone(text, region)) << text;  // cached
        }
}

TEST(NormalizePhone, NationalNumberNotValidInTheRegionIsNotInvented) {
    // The example: a French mobile written nationally, read with region CN.
    EXPECT_EQ(normalize_phone("06 85 98 66 38", "CN"), std::optional<std::string>("685986638"));
    EXPECT_EQ(normalize_phone("+33 6 85 98 66 38", "CN"), std::optional<std::string>("+33685986638"));
    EXPECT_EQ(normalize_phone("06 85 98 66 38", "FR"), std::optional<std::string>("+33685986638"));
    const std::vector<std::string> likely = {"CN", "FR", "GB", "US", "DE"};
    EXPECT_EQ(normalize_phone("06 85 98 66 38", likely), std::optional<std::string>("+33685986638"));
    // Order matters where a number is valid in two regions: 0151 2345 6789 is a DE mobile and,
    // trunk 0 stripped, a CN mobile too.
    EXPECT_EQ(normalize_phone("0151 23456789", std::vector<std::string>{"DE", "CN"}), std::optional<std::string>("+4915123456789"));
    EXPECT_EQ(normalize_phone("0151 23456789", likely), std::optional<std::string>("+8615123456789"));
    EXPECT_EQ(normalize_phone("13812345678", likely), std::optional<std::string>("+8613812345678"));
    EXPECT_EQ(normalize_phone("0033 6 85 98 66 38", "CN"), std::optional<std::string>("+33685986638"));  // IDD
    // Both spellings share their national significant number.
    EXPECT_EQ(phone_national_number("+33685986638"), "685986638");
    EXPECT_EQ(phone_national_number("685986638"), "685986638");
    EXPECT_EQ(phone_national_number("+390612345678"), "612345678");  // Italian leading zero dropped
    EXPECT_EQ(phone_national_number("+14155552671"), "4155552671");
    // A national form never equals an E.164 value.
    EXPECT_NE(normalize_phone("0033685986638", std::vector<std::string>{}), std::optional<std::string>("+33685986638"));
    EXPECT_EQ(normalize_phone("0033685986638", std::vector<std::string>{}), std::optional<std::string>("33685986638"));
    EXPECT_EQ(normalize_phone("+33 6 85 98 66 38", std::vector<std::string>{}), std::optional<std::string>("+33685986638"));
}

TEST(NormalizePhone, JunkHasDefinedResults) {
    const std::string digits300(300, '7');
    EXPECT_EQ(normalize_phone(digits300, "CN"), std::nullopt);      // over 250 bytes
    EXPECT_EQ(normalize_phone(std::string(40, '7'), "CN"), std::nullopt);  // 40 digits: too many
    EXPECT_EQ(normalize_phone("0000000000", "CN"), std::nullopt);    // no digits after the zeros
    EXPECT_EQ(normalize_phone("hello world", "FR"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 85 98 66 38 😀", "CN"), std::nullopt);  // emoji: not a number
    EXPECT_EQ(normalize_phone("☎☎☎☎☎", "CN"), std::nullopt);
    EXPECT_EQ(normalize_phone("+", "CN"), std::nullopt);
    EXPECT_EQ(normalize_phone("+999 1234 5678", "CN"), std::nullopt);  // unknown calling code
    EXPECT_EQ(normalize_phone("\xFF\xFE 0685986638", "CN"), std::nullopt);
    EXPECT_EQ(normalize_phone("06/85/98/66/38", "CN"), std::optional<std::string>("685986638"));
    EXPECT_EQ(normalize_phone(std::string("06 85\0 98", 9), "CN"), std::nullopt);
    EXPECT_THROW(normalize_phone("06 85 98 66 38", std::vector<std::string>{"FR", "XX"}), Error);
}

TEST(NormalizePhone, RegionOfCountry) {
    const std::pair<const char*, const char*> cases[] = {
        {"FR", "FR"}, {"fr", "FR"}, {" France ", "FR"}, {"FRA", "FR"}, {"fra", "FR"}, {"法国", "FR"}, {"+33", "FR"},
        {"0033", "FR"}, {"United States", "US"}, {"USA", "US"}, {"+1", "US"}, {"UK", "GB"}, {"England", "GB"},
        {"GBR", "GB"}, {"+44", "GB"}, {"中国", "CN"}, {"China", "CN"}, {"CHN", "CN"}, {"Deutschland", "DE"},
        {"DEU", "DE"}, {"+49", "DE"}, {"india", "IN"}, {"日本", "JP"}, {"Brazil", "BR"}, {"ESP", "ES"},
        {"Italia", "IT"}, {"AUS", "AU"}, {"KE", "KE"}};
    for (const auto& [in, want] : cases) EXPECT_EQ(phone_region_of_country(in), std::optional<std::string>(want)) << in;
    const std::string long_junk(100000, 'x');
    for (const char* junk : {"", "  ", "ZZ", "XX", "junk", "N/A", "-", "+", "+0", "+999", "86", "1", "😀", "\xFF\xFE", "Fr4nce", "FRAN"})
        EXPECT_EQ(phone_region_of_country(junk), std::nullopt) << junk;
    EXPECT_EQ(phone_region_of_country(long_junk), std::nullopt);
}

TEST(NormalizePhone, ThreadSafe) {
    std::vector<std::thread> threads;
    std::vector<int> bad(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i)
                if (normalize_phone("+86 138-1234-5678") != std::optional<std::string>("+8613812345678")) ++bad[t];
        });
    for (auto& th : threads) th.join();
    for (int b : bad) EXPECT_EQ(b, 0);
}

// The metadata of a calling code is compiled on first use: threads meeting new codes at once
// (every geographic code here, most of them not used by the tests above) get equal answers.
TEST(NormalizePhone, ThreadsCompilingMetadataAtOnceAgree) {
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    std::vector<std::string> texts;
    std::set<int> codes;
    util->GetSupportedCallingCodes(&codes);
    for (int code : codes) {
        std::list<std::string> regions;
        util->GetRegionCodesForCountryCallingCode(code, &regions);
        for (const std::string& region : regions) {
            pn::PhoneNumber example;
            if (!util->GetExampleNumberForType(region, pn::PhoneNumberUtil::MOBILE, &example)) continue;
            std::string e164;
            util->Format(example, pn::PhoneNumberUtil::E164, &e164);
            texts.push_back(e164);
            std::string national;
            util->Format(example, pn::PhoneNumberUtil::NATIONAL, &national);
            texts.push_back(national);
        }
    }
    ASSERT_GT(texts.size(), 300u);
    std::vector<std::vector<std::optional<std::string>>> answers(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < texts.size(); ++i)
                answers[t].push_back(normalize_phone(texts[(i + t * 97) % texts.size()], "FR"));
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t)
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const std::string& text = texts[(i + t * 97) % texts.size()];
            ASSERT_EQ(answers[t][i], reference(text, "FR")) << text;
        }
}

TEST(NormalizePhone, TimingReport) {
    const std::pair<const char*, const char*> inputs[] = {{"13812345678", "CN"},
                                                          {"+86 138-1234-5678", "CN"},
                                                          {"(415) 555-2671", "US"},
                                                          {"+44 20 7946 0958", "CN"}};
    for (const auto& [text, region] : inputs) {
        normalize_phone(text, region);
        const int iterations = 20000;
        size_t sink = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i) sink += normalize_phone(text, region).value_or("").size();
        const double ns =
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / iterations;
        std::printf("[ figures  ] normalize_phone %-20s %s %7.0f ns/call (%zu)\n", text, region, ns, sink % 10);
    }
}
