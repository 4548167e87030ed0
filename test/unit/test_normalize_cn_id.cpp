#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

using namespace usermatch::normalize;

// Independent check character: weight of position i is 2^(17-i) mod 11; the check value is
// (12 - sum mod 11) mod 11, written 'X' for 10 (equivalent to the "10X98765432" table).
static char check_char(const std::string& first17) {
    int sum = 0, weight = 1;
    for (int i = 16; i >= 0; --i) {
        weight = weight * 2 % 11;
        sum += (first17[static_cast<size_t>(i)] - '0') * weight;
    }
    const int value = (12 - sum % 11) % 11;
    return value == 10 ? 'X' : static_cast<char>('0' + value);
}

static std::string with_check(const std::string& first17) { return first17 + check_char(first17); }

TEST(NormalizeCnId, KnownValidNumbers) {
    // Verified by hand: GB 11643 example, and 110101 19900307 451 -> sum 206, 206 mod 11 = 8 -> '4'.
    EXPECT_TRUE(cn_id_valid("11010519491231002X"));
    EXPECT_TRUE(cn_id_valid("11010519491231002x"));
    EXPECT_TRUE(cn_id_valid("110101199003074514"));
    EXPECT_TRUE(cn_id_valid("  110101199003074514\n"));
    EXPECT_EQ(with_check("11010519491231002"), "11010519491231002X");
    EXPECT_EQ(with_check("11010119900307451"), "110101199003074514");
}

TEST(NormalizeCnId, WrongCheckCharacterOrDigit) {
    EXPECT_FALSE(cn_id_valid("110101199003074513"));
    EXPECT_FALSE(cn_id_valid("110101199003074515"));
    EXPECT_FALSE(cn_id_valid("11010519491231002Y"));
    EXPECT_FALSE(cn_id_valid("110101199003074524"));  // one digit changed
    EXPECT_FALSE(cn_id_valid("110101199003704514"));  // two digits swapped
}

TEST(NormalizeCnId, ProvinceAndBirthDateMustBeReal) {
    EXPECT_FALSE(cn_id_valid(with_check("99010119900307451")));  // no province 99
    EXPECT_FALSE(cn_id_valid(with_check("10010119900307451")));
    EXPECT_FALSE(cn_id_valid(with_check("24010119900307451")));
    for (const char* p : {"11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82",
                          "83", "91"})
        EXPECT_TRUE(cn_id_valid(with_check(std::string(p) + "010119900307451"))) << p;
    EXPECT_FALSE(cn_id_valid(with_check("11010119490231002")));  // 31 February
    EXPECT_FALSE(cn_id_valid(with_check("11010118991231002")));  // before 1900
    EXPECT_FALSE(cn_id_valid(with_check("11010121010101002")));  // after 2100
    EXPECT_TRUE(cn_id_valid(with_check("11010119000101002")));
    EXPECT_TRUE(cn_id_valid(with_check("11010121001231002")));
    EXPECT_TRUE(cn_id_valid(with_check("11010120000229002")));
    EXPECT_FALSE(cn_id_valid(with_check("11010119000229002")));
    EXPECT_FALSE(cn_id_valid(with_check("11010119901301002")));
    EXPECT_FALSE(cn_id_valid(with_check("11010119901200002")));
}

TEST(NormalizeCnId, RandomNumbersAgreeWithTheIndependentCheck) {
    std::mt19937 rng(11);
    int valid = 0;
    for (int i = 0; i < 5000; ++i) {
        char first17[18];
        std::snprintf(first17, sizeof first17, "%02d%04d%04d%02d%02d%03d", 11 + static_cast<int>(rng() % 5),
                      static_cast<int>(rng() % 10000), 1900 + static_cast<int>(rng() % 201),
                      1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28),
                      static_cast<int>(rng() % 1000));
        const std::string id = with_check(first17);
        ASSERT_TRUE(cn_id_valid(id)) << id;
        valid += cn_id_valid(id);
        for (char c : std::string("0123456789X")) {
            if (c == id[17]) continue;
            ASSERT_FALSE(cn_id_valid(id.substr(0, 17) + c)) << id.substr(0, 17) + c;
        }
    }
    EXPECT_EQ(valid, 5000);
}

TEST(NormalizeCnId, CheckCharacter) {
    EXPECT_EQ(cn_id_check_character("11010519491231002"), std::optional<char>('X'));
    EXPECT_EQ(cn_id_check_character("11010119900307451"), std::optional<char>('4'));
    std::mt19937 rng(3);
    for (int i = 0; i < 1000; ++i) {
        std::string first17;
        for (int j = 0; j < 17; ++j) first17.push_back(static_cast<char>('0' + rng() % 10));
        ASSERT_EQ(cn_id_check_character(first17), std::optional<char>(check_char(first17))) << first17;
    }
    EXPECT_EQ(cn_id_check_character("1101051949123100"), std::nullopt);
    EXPECT_EQ(cn_id_check_character("11010519491231002X"), std::nullopt);
    EXPECT_EQ(cn_id_check_character("1101051949123100A"), std::nullopt);
}

TEST(NormalizeCnId, BirthDate) {
    EXPECT_EQ(cn_id_birth_date("11010519491231002X"), (Date{1949, 12, 31}));
    EXPECT_EQ(cn_id_birth_date("110101199003074514"), (Date{1990, 3, 7}));
    EXPECT_EQ(cn_id_birth_date("110101199003074513"), std::nullopt);
    EXPECT_EQ(cn_id_birth_date(""), std::nullopt);
}

TEST(NormalizeCnId, Garbage) {
    for (const char* s : {"", " ", "11010519491231002", "11010519491231002X1", "1101051949123100ZX",
                          "11010519491231002X\x01", "１１０１０５１９４９１２３１００２Ｘ", "😀😀😀😀😀", "\xFF\xFE"}) {
        EXPECT_FALSE(cn_id_valid(s)) << s;
    }
    EXPECT_FALSE(cn_id_valid(std::string(1 << 20, '1')));
}
