#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
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

// What libphonenumber alone answers: the reference for the fast path.
static std::optional<std::string> reference(const std::string& text, const std::string& region) {
    namespace pn = i18n::phonenumbers;
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    pn::PhoneNumber number;
    if (util->Parse(text, region, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
    if (!util->IsPossibleNumber(number)) return std::nullopt;
    std::string e164;
    util->Format(number, pn::PhoneNumberUtil::E164, &e164);
    return e164;
}

TEST(NormalizePhone, FastPathAgreesWithLibphonenumber) {
    std::mt19937 rng(7);
    auto digits = [&](int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
        return s;
    };
    const char* cn_formats[] = {"%s", "+86 %s", "0086%s", "+86-%s", "(+86) %s", "86%s", "+1 %s", "0%s"};
    const char* us_formats[] = {"%s", "1%s", "+1 %s", "1-%s", "+%s", "+86%s"};
    int fast_shapes = 0;
    for (int i = 0; i < 6000; ++i) {
        // CN: 11 digits starting with 1 (covers 11x, 12x, 179x that must stay on the slow path).
        const std::string mobile = "1" + digits(10);
        char buf[64];
        std::snprintf(buf, sizeof buf, cn_formats[rng() % 8], mobile.c_str());
        ASSERT_EQ(normalize_phone(buf, "CN"), reference(buf, "CN")) << buf;
        // NANP: any 10 digits, plain or formatted.
        const std::string us = digits(10);
        std::snprintf(buf, sizeof buf, us_formats[rng() % 6], us.c_str());
        std::string text = buf;
        if (rng() % 2) text = "(" + us.substr(0, 3) + ") " + us.substr(3, 3) + "-" + us.substr(6);
        const char* region = rng() % 2 ? "US" : "CA";
        ASSERT_EQ(normalize_phone(text, region), reference(text, region)) << text << " " << region;
        fast_shapes += mobile[1] >= '3';
    }
    EXPECT_GT(fast_shapes, 4000);
}

// Phones of generated users (CN, US and UK numbers in all the generator's spellings, with typos)
// read with several default regions: normalize_phone must equal libphonenumber for every one,
// and the fast path must answer nearly all of them (the point of it).
TEST(NormalizePhone, FastPathAgreesWithLibphonenumberOnGeneratedUsers) {
    generate::GeneratorOptions options;
    options.seed = 11;
    options.corruption = 2.0;
    std::vector<std::string> phones;
    for (const auto& user : generate::generate_users(38000, options))
        if (user.phone) phones.push_back(*user.phone);
    ASSERT_GT(phones.size(), 34000u);
    std::size_t compared = 0;
    for (const char* region : {"CN", "US", "GB"}) {
        std::size_t fast = 0;
        for (const auto& phone : phones) {
            ASSERT_EQ(normalize_phone(phone, region), reference(phone, region)) << phone << " " << region;
            fast += detail::phone_fast_path(phone, region).known;
            ++compared;
        }
        EXPECT_GT(fast, phones.size() * 99 / 100) << region;
    }
    EXPECT_GT(compared, 100000u);
}

// Random digit strings with separators behind prefixes that steer into every branch of the fast
// path: '+' and IDD with calling codes 1/44/86/others, "(0)", trunk zeros, own calling code,
// CN carrier prefixes, leading zeros, too short and too long, a tab (not phone punctuation).
TEST(NormalizePhone, FastPathAgreesWithLibphonenumberOnRandomStrings) {
    std::mt19937 rng(12345);
    const char* prefixes[] = {"",    "",     "",      "+",    "+1",   "+44",   "+86",  "+44 (0)", "+86 (0)", "+1 1",
                              "00",  "0086", "0044",  "001",  "011",  "01144", "0",    "00",      "000",     "1",
                              "86",  "44",   "+0",    "(+86)", "12",  "179",   "11",   "+7",      "+852",    "0 0",
                              "+86 1", "1 ", "+ 44 ", "(0)",  "8613", "4407",  "+880", "+1 (0)",  "+86 12",  "086"};
    const char separators[] = {' ', '-', '.', '(', ')', '\t'};
    const char* regions[] = {"CN", "US", "CA", "GB"};
    std::size_t known = 0;
    for (int i = 0; i < 30000; ++i) {
        std::string text = prefixes[rng() % (sizeof prefixes / sizeof *prefixes)];
        const int digits = static_cast<int>(rng() % 15);
        for (int k = 0; k < digits; ++k) {
            if (rng() % 6 == 0) text.push_back(separators[rng() % (rng() % 20 == 0 ? 6 : 5)]);
            // Skew towards 0 and 1, which the prefix rules care about.
            const unsigned r = rng() % 14;
            text.push_back(static_cast<char>('0' + (r < 10 ? r : r % 2)));
        }
        const char* region = regions[rng() % 4];
        ASSERT_EQ(normalize_phone(text, region), reference(text, region)) << "'" << text << "' " << region;
        known += detail::phone_fast_path(text, region).known;
    }
    EXPECT_GT(known, 15000u);  // most shapes are answered without Parse
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

TEST(NormalizePhone, TimingReport) {
    const std::pair<const char*, const char*> inputs[] = {{"13812345678", "CN"},
                                                          {"+86 138-1234-5678", "CN"},
                                                          {"(415) 555-2671", "US"},
                                                          {"+44 20 7946 0958", "CN"}};
    for (const auto& [text, region] : inputs) {
        const int iterations = 20000;
        size_t sink = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i) sink += normalize_phone(text, region).value_or("").size();
        const double ns =
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / iterations;
        std::printf("[ figures  ] normalize_phone %-20s %s %7.0f ns/call (%zu)\n", text, region, ns, sink % 10);
    }
}
