#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace usermatch::normalize;

static std::optional<Date> d(int y, int m, int day) { return Date{y, m, day}; }

TEST(NormalizeDate, IsoAndCompactForms) {
    EXPECT_EQ(parse_date("2024-03-05"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024/3/5"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024.03.05"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("20240305"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("  2024-03-05  "), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024-03-05", DateOrder::MonthFirst), d(2024, 3, 5));  // order only for D/M
}

TEST(NormalizeDate, TimestampsKeepTheDate) {
    EXPECT_EQ(parse_date("2024-03-05T10:00:00"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024-03-05 10:00"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024-03-05T10:00:00.123Z"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024-03-05T10:00:00+08:00"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("5 March 2024 9:30 pm"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024-03-05T25"), std::nullopt);
    EXPECT_EQ(parse_date("2024-03-05 10:00 garbage"), std::nullopt);
    EXPECT_EQ(parse_date("10:00"), std::nullopt);
}

TEST(NormalizeDate, DayMonthOrder) {
    EXPECT_EQ(parse_date("05/03/2024", DateOrder::DayFirst), d(2024, 3, 5));
    EXPECT_EQ(parse_date("05/03/2024", DateOrder::MonthFirst), d(2024, 5, 3));
    EXPECT_EQ(parse_date("5-3-2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("5.3.2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("25/03/2024", DateOrder::DayFirst), d(2024, 3, 25));
    // Lenient: the preferred order gives no date, the other does.
    EXPECT_EQ(parse_date("03/25/2024", DateOrder::DayFirst), d(2024, 3, 25));
    EXPECT_EQ(parse_date("25/03/2024", DateOrder::MonthFirst), d(2024, 3, 25));
    EXPECT_EQ(parse_date("13/13/2024"), std::nullopt);
}

TEST(NormalizeDate, ChineseForm) {
    EXPECT_EQ(parse_date("2024年3月5日"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024年03月05日"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024 年 3 月 5 日"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024年3月5号"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("2024年3月5"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("２０２４年３月５日"), d(2024, 3, 5));  // fullwidth digits
    EXPECT_EQ(parse_date("2024年3月"), std::nullopt);
    EXPECT_EQ(parse_date("3月5日2024年"), std::nullopt);
}

TEST(NormalizeDate, EnglishMonthNames) {
    EXPECT_EQ(parse_date("5 March 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("5 Mar 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("March 5, 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("Mar 5 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("mAr. 5th, 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("05-MAR-2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("Tuesday, 5 March 2024"), d(2024, 3, 5));
    EXPECT_EQ(parse_date("1st Sept 2024"), d(2024, 9, 1));
    EXPECT_EQ(parse_date("2024-Dec-31"), d(2024, 12, 31));
    EXPECT_EQ(parse_date("5 Marchh 2024"), std::nullopt);
    EXPECT_EQ(parse_date("31 April 2024"), std::nullopt);
}

TEST(NormalizeDate, CalendarAndYearRange) {
    EXPECT_EQ(parse_date("2024-02-29"), d(2024, 2, 29));
    EXPECT_EQ(parse_date("2023-02-29"), std::nullopt);
    EXPECT_EQ(parse_date("2000-02-29"), d(2000, 2, 29));
    EXPECT_EQ(parse_date("1900-02-29"), std::nullopt);
    EXPECT_EQ(parse_date("1000-01-01"), d(1000, 1, 1));
    EXPECT_EQ(parse_date("0999-12-31"), std::nullopt);
    EXPECT_EQ(parse_date("9999-12-31"), d(9999, 12, 31));
    EXPECT_EQ(parse_date("2024-00-10"), std::nullopt);
    EXPECT_EQ(parse_date("2024-04-31"), std::nullopt);
    EXPECT_EQ(parse_date("20241305"), std::nullopt);
    EXPECT_EQ(parse_date("2024035"), std::nullopt);    // 7 digits
    EXPECT_EQ(parse_date("05/03/24"), std::nullopt);   // two-digit years are rejected
    EXPECT_EQ(parse_date("24-03-05"), std::nullopt);
}

TEST(NormalizeDate, GarbageNeverThrows) {
    for (const char* s : {"", "   ", "garbage", "2024", "2024-03", "2024-03-05-06", "1/2/3/2024", "😀",
                          "\xFF\xFE\xFD", "2024-03-05x", "99999999999", "2024--03--05x",
                          "May", "th 5 May 2024"}) {
        EXPECT_EQ(parse_date(s), std::nullopt) << s;
    }
    EXPECT_EQ(parse_date(std::string(1 << 20, '1')), std::nullopt);
    EXPECT_EQ(parse_date(std::string(1 << 20, ' ') + "2024-03-05"), d(2024, 3, 5));  // trimmed first
    EXPECT_EQ(parse_date(std::string(1 << 20, 'x')), std::nullopt);
    EXPECT_EQ(parse_date("-2024-03-05."), d(2024, 3, 5));  // separators at the ends are ignored
}
