// Value normalisers for text/exact fields ("normalize": address / city / gender), date_order
// "auto", and osa<=1 on exact fields (issue 8, items 6 and 7).
#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

using namespace usermatch;
using namespace usermatch::engine;
using normalize::normalize_address;
using normalize::normalize_city;
using normalize::normalize_gender;

namespace {

std::string level(const std::string& field_json, RawValue a, RawValue b) {
    Profile p = parse_profile(R"({"id": "id", "fields": [)" + field_json + R"(], "blocking": [["f"]]})");
    RecordStore s(p);
    s.append("a", {a});
    s.append("b", {b});
    int l = compare_field(p.fields[0], 0, s, 0, s, 1);
    return l < 0 ? "NULL" : p.fields[0].levels[static_cast<std::size_t>(l)].name;
}

}  // namespace

TEST(NormalizeAddress, ChineseUnitMarkersAreSeparators) {
    EXPECT_EQ(normalize_address("金色家园38-4-401"), "金色家园 38 4 401");
    EXPECT_EQ(normalize_address("金色家园38栋4单元401室"), "金色家园 38 4 401");
    EXPECT_EQ(normalize_address("金色家园38号楼4单元401"), "金色家园 38 4 401");
    EXPECT_NE(normalize_address("金色家园38栋4单元402室"), normalize_address("金色家园38-4-401"));
}

TEST(NormalizeAddress, LatinAbbreviationsAndPunctuation) {
    EXPECT_EQ(normalize_address("Apt 5A"), normalize_address("Apt. 5A"));
    EXPECT_EQ(normalize_address("Apartment 5a"), "5a");
    EXPECT_EQ(normalize_address("12 Main St"), normalize_address("12 Main Street"));
    EXPECT_EQ(normalize_address("7 Station Rd."), "7 station road");
    EXPECT_EQ(normalize_address("Unit5 007 Park Ave"), "5 7 park avenue");
    // Unit designators and number signs drop out; the unit number stays.
    EXPECT_EQ(normalize_address("995 2nd Ave, Apt. 15C"), "995 2nd avenue 15c");
    EXPECT_EQ(normalize_address("995 2nd Ave. #15C"), "995 2nd avenue 15c");
    EXPECT_EQ(normalize_address("1 Market St, Suite 200"), normalize_address("1 Market Street Ste 200"));
    EXPECT_NE(normalize_address("995 2nd Ave, Apt. 15C"), normalize_address("995 2nd Ave, Apt. 16C"));
    // German street compounds: -straße, -strasse and -str. are one spelling.
    EXPECT_EQ(normalize_address("Waldstraße 14"), "waldstr 14");
    EXPECT_EQ(normalize_address("Waldstrasse 14"), "waldstr 14");
    EXPECT_EQ(normalize_address("Waldstr. 14"), "waldstr 14");
    EXPECT_EQ(normalize_address("Strasse des 17. Juni 5"), "str des 17 juni 5");
    EXPECT_EQ(normalize_address(""), "");
    EXPECT_EQ(normalize_address("#"), "");
    std::string big(100000, 'x');
    EXPECT_LE(normalize_address(big).size(), 1000u);  // bounded work on a huge value
}

TEST(NormalizeCity, SuffixesPinyinAndAbbreviations) {
    EXPECT_EQ(normalize_city("北京"), "beijing");
    EXPECT_EQ(normalize_city("北京市"), "beijing");
    EXPECT_EQ(normalize_city("Beijing"), "beijing");
    EXPECT_EQ(normalize_city("廣州市"), normalize_city("Guangzhou"));
    EXPECT_EQ(normalize_city("NYC"), normalize_city("New York"));
    EXPECT_EQ(normalize_city("New York City"), "newyork");
    EXPECT_EQ(normalize_city("San Fran"), normalize_city("San Francisco"));
    EXPECT_EQ(normalize_city("St. Louis"), normalize_city("Saint Louis"));
    EXPECT_NE(normalize_city("Boston"), normalize_city("Austin"));
    EXPECT_EQ(normalize_city("市"), normalize_city("市"));  // a lone suffix is kept, not emptied
    EXPECT_FALSE(normalize_city("市").empty());
}

TEST(NormalizeGender, ManySpellings) {
    for (const char* f : {"F", "female", "女", "FEMALE", "f", "W", "Frau", " Female "}) EXPECT_EQ(normalize_gender(f), "f") << f;
    for (const char* m : {"M", "male", "男", "Herr", "MALE", "m"}) EXPECT_EQ(normalize_gender(m), "m") << m;
    EXPECT_EQ(normalize_gender("X"), "x");
    EXPECT_EQ(normalize_gender(""), "");
}

TEST(FieldNormalizers, LevelsSeeThroughFormat) {
    const std::string addr = R"({"name": "f", "column": "f", "type": "text", "normalize": "address"})";
    EXPECT_EQ(level(addr, "金色家园38-4-401", "金色家园38栋4单元401室"), "exact");
    EXPECT_EQ(level(addr, "Apt 5A, 12 Main St", "Apt. 5A 12 Main Street"), "exact");
    const std::string city = R"({"name": "f", "column": "f", "type": "text", "normalize": "city"})";
    EXPECT_EQ(level(city, "北京市", "Beijing"), "exact");
    EXPECT_EQ(level(city, "NYC", "new york"), "exact");
    EXPECT_EQ(level(city, "Boston", "Austin"), "else");
    const std::string gender = R"({"name": "f", "column": "f", "type": "exact", "normalize": "gender"})";
    EXPECT_EQ(level(gender, "女", "FEMALE"), "exact");
    EXPECT_EQ(level(gender, "Herr", "m"), "exact");
    EXPECT_EQ(level(gender, "F", "M"), "else");
    // Without the normaliser the same values differ.
    EXPECT_EQ(level(R"({"name": "f", "column": "f", "type": "exact"})", "女", "FEMALE"), "else");
}

TEST(FieldNormalizers, ProfileValidationAndRoundTrip) {
    Profile p = parse_profile(
        R"({"id": "id", "fields": [{"name": "f", "column": "f", "type": "text", "normalize": "city"}], "blocking": [["f"]]})");
    EXPECT_EQ(p.fields[0].normalizer, Normalizer::City);
    EXPECT_NE(profile_to_json(p).find("\"normalize\":\"city\""), std::string::npos);
    EXPECT_THROW(parse_profile(R"({"id": "id", "fields": [{"name": "f", "column": "f", "type": "text", "normalize": "zip"}], "blocking": [["f"]]})"),
                 Error);
    EXPECT_THROW(parse_profile(R"({"id": "id", "fields": [{"name": "f", "column": "f", "type": "date", "normalize": "city"}], "blocking": [["f"]]})"),
                 Error);
}

TEST(ExactField, OneCharacterOffLevel) {
    const std::string code = R"({"name": "f", "column": "f", "type": "exact", "levels": ["exact", "osa<=1"]})";
    EXPECT_EQ(level(code, "2600", "2600"), "exact");
    EXPECT_EQ(level(code, "2600", "2601"), "osa<=1");
    EXPECT_EQ(level(code, "2600", "2060"), "osa<=1");  // transposition
    EXPECT_EQ(level(code, "2600", "3711"), "else");
    EXPECT_EQ(level(code, "SW1A 1AA", "SW1A 1AB"), "osa<=1");
}

TEST(DateOrderAuto, AmbiguousValuesMatchEitherOrder) {
    const std::string f = R"({"name": "f", "column": "f", "type": "date", "date_order": "auto"})";
    EXPECT_EQ(level(f, "04/05/1990", "05/04/1990"), "exact");
    EXPECT_EQ(level(f, "04/05/1990", "1990-05-04"), "exact");
    EXPECT_EQ(level(f, "04/05/1990", "1990-04-05"), "exact");
    EXPECT_EQ(level(f, "27-06-1998", "1998-06-27"), "exact");   // unambiguous: read as written
    EXPECT_EQ(level(f, "06/27/1998", "1998-06-27"), "exact");
    EXPECT_EQ(level(f, "1975年4月12日", "12/04/1975"), "exact");
    EXPECT_EQ(level(f, "1991-05-20", "20.05.1991"), "exact");
    EXPECT_NE(level(f, "27-06-1998", "1998-07-26"), "exact");
    // A fixed order keeps the two readings apart.
    EXPECT_NE(level(R"({"name": "f", "column": "f", "type": "date", "date_order": "DMY"})", "04/05/1990", "1990-04-05"), "exact");
    Profile p = parse_profile(R"({"id": "id", "fields": [)" + f + R"(], "blocking": [["f"]]})");
    EXPECT_NE(profile_to_json(p).find("\"date_order\":\"auto\""), std::string::npos);
}
