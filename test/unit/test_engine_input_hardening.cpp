// Issue 7 items 11 and 14: inputs the engine used to misread or accept (non-finite numbers,
// unknown regions, tiny probabilities, dead levels, runaway blocking, overflowing JSON numbers,
// statement separators in expressions).
#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

std::string one_field_spec(const std::string& field_json, const std::string& blocking = R"([["f"]])",
                           const std::string& extra = "") {
    return R"({"id": "id", "fields": [)" + field_json + R"(], "blocking": )" + blocking + extra + "}";
}

bool has(const std::vector<Problem>& ps, const std::string& path, const std::string& fragment) {
    return std::any_of(ps.begin(), ps.end(), [&](const Problem& p) {
        return p.path == path && p.problem.find(fragment) != std::string::npos;
    });
}

std::string number_level(RawValue a, RawValue b) {
    Profile p = parse_profile(one_field_spec(R"({"name": "f", "column": "f", "type": "number"})"));
    RecordStore s(p);
    s.append("a", {a});
    s.append("b", {b});
    int l = compare_field(p.fields[0], 0, s, 0, s, 1);
    return l == kNullLevel ? "null" : p.fields[0].levels[static_cast<std::size_t>(l)].name;
}

}  // namespace

// Item 11: Infinity used to be "within 1%" of every number; NaN vs NaN was "else".
TEST(InputHardening, NonFiniteNumbersCompareExactOnly) {
    EXPECT_EQ(number_level("100", "100.5"), "within_pct<=1");  // the finite case is unchanged
    EXPECT_EQ(number_level("Infinity", "Infinity"), "exact");
    EXPECT_EQ(number_level("-inf", "-Infinity"), "exact");
    EXPECT_EQ(number_level("Infinity", "-Infinity"), "else");
    EXPECT_EQ(number_level("Infinity", "5"), "else");
    EXPECT_EQ(number_level("5", "inf"), "else");
    EXPECT_EQ(number_level("1e308", "inf"), "else");
    // NaN and numbers beyond a double are missing values, like NULL: no evidence either way.
    EXPECT_EQ(number_level("NaN", "NaN"), "null");
    EXPECT_EQ(number_level("NaN", "5"), "null");
    EXPECT_EQ(number_level("1e400", "1e401"), "null");
    EXPECT_EQ(number_level("1" + std::string(400, '0'), "5"), "null");
}

// Item 14.
TEST(InputHardening, UnknownPhoneRegionIsRejected) {
    auto ps = validate_profile(one_field_spec(R"({"name": "f", "column": "p", "type": "phone", "region": "ZZ"})"));
    EXPECT_TRUE(has(ps, "$.fields[0].region", "unknown region \"ZZ\"")) << (ps.empty() ? "" : ps[0].problem);
    EXPECT_TRUE(validate_profile(one_field_spec(R"({"name": "f", "column": "p", "type": "phone", "region": "us"})")).empty());
    EXPECT_TRUE(validate_profile(one_field_spec(R"({"name": "f", "column": "p", "type": "phone", "region": "GB"})")).empty());
}

TEST(InputHardening, TinyOrDenormalProbabilitiesAreRejected) {
    auto ps = validate_profile(one_field_spec(
        R"({"name": "f", "column": "c", "type": "exact", "m": [0.9, 0.1], "u": [1e-320, 0.99]})"));
    EXPECT_TRUE(has(ps, "$.fields[0].u[0]", "at least 1e-12"));
    ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "exact", "u": [1e-13, 0.5]})"));
    EXPECT_TRUE(has(ps, "$.fields[0].u[0]", "at least 1e-12"));
    EXPECT_TRUE(validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "exact", "u": [1e-12, 0.5]})")).empty());
}

TEST(InputHardening, DuplicateAndUnreachableLevelsAreRejected) {
    auto levels = [](const std::string& type, const std::string& list) {
        return validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": ")" + type +
                                               R"(", "levels": )" + list + "}"));
    };
    EXPECT_TRUE(has(levels("text", R"(["exact", "exact"])"), "$.fields[0].levels[1]", "duplicate level \"exact\""));
    EXPECT_TRUE(has(levels("text", R"(["jw>=0.8", "jw>=0.9"])"), "$.fields[0].levels[1]", "unreachable"));
    EXPECT_TRUE(has(levels("text", R"(["jw>=0.9", "jw>=0.90"])"), "$.fields[0].levels[1]", "unreachable"));
    EXPECT_TRUE(has(levels("id_number", R"(["osa<=2", "osa<=1"])"), "$.fields[0].levels[1]", "unreachable"));
    EXPECT_TRUE(has(levels("number", R"(["within_pct<=5", "within_pct<=1"])"), "$.fields[0].levels[1]", "unreachable"));
    EXPECT_TRUE(has(levels("text", R"(["jw>=0.9", "exact"])"), "$.fields[0].levels[1]", "put \"exact\" first"));
    // Strictly narrowing orders are fine, and so are the defaults of every type.
    EXPECT_TRUE(levels("text", R"(["exact", "jw>=0.95", "jw>=0.9", "osa<=1"])").empty());
    EXPECT_TRUE(levels("id_number", R"(["exact", "osa<=1", "osa<=2"])").empty());
    EXPECT_TRUE(levels("number", R"(["exact", "within_pct<=1", "within_pct<=5"])").empty());
    for (const char* type : {"person_name", "text", "phone", "email", "date", "id_number", "exact", "number"})
        EXPECT_TRUE(validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": ")" + std::string(type) + "\"}")).empty())
            << type;
}

TEST(InputHardening, BlockingKeyWithEmptyTransformIsRejected) {
    auto ps = validate_profile(one_field_spec(R"({"name": "name", "column": "c", "type": "person_name"})", R"([["name."]])"));
    EXPECT_TRUE(has(ps, "$.blocking[0][0]", "ends with \".\""));
}

TEST(InputHardening, BlockingRulesAndKeysAreCapped) {
    std::string rules = "[";
    for (int i = 0; i < 100000; ++i) rules += i ? R"(,["f"])" : R"(["f"])";
    rules += "]";
    auto ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", rules));
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_TRUE(has(ps, "$.blocking", "has 100000 rules; at most 64"));

    std::string keys = "[[";
    for (int i = 0; i < 9; ++i) keys += i ? R"(,"f")" : R"("f")";
    keys += "]]";
    ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", keys));
    EXPECT_TRUE(has(ps, "$.blocking[0]", "has 9 keys; at most 8"));

    std::string sixty_four = "[";
    for (int i = 0; i < 64; ++i) sixty_four += i ? R"(,["f"])" : R"(["f"])";
    sixty_four += "]";
    EXPECT_TRUE(validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", sixty_four)).empty());
}

TEST(InputHardening, OutOfRangeNumberIsNamedNotInvalidJson) {
    auto ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", R"([["f"]])",
                                              R"(, "threshold": 1e400)"));
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_TRUE(has(ps, "$.threshold", "must be a finite number")) << ps[0].path << ": " << ps[0].problem;
    // jsonb prints 1e400 as 401 digits: the same.
    ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", R"([["f"]])",
                                         ", \"threshold\": 1" + std::string(400, '0')));
    EXPECT_TRUE(has(ps, "$.threshold", "must be a finite number"));
    ps = validate_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "exact", "u": [0.5, 1e999]})"));
    EXPECT_TRUE(has(ps, "$.fields[0].u[1]", "must be a finite number"));
    // Really broken JSON is still called that.
    EXPECT_TRUE(has(validate_profile("{\"id\": "), "$", "invalid JSON"));
    try {
        parse_profile(one_field_spec(R"({"name": "f", "column": "c", "type": "text"})", R"([["f"]])", R"(, "threshold": 1e400)"));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("$.threshold: must be a finite number"), std::string::npos) << e.what();
    }
}

TEST(InputHardening, ExpressionMustNotHoldAStatementSeparator) {
    auto expr = [](const std::string& e) {
        return validate_profile(one_field_spec(R"({"name": "f", "expression": )" + e + R"(, "type": "text"})"));
    };
    EXPECT_TRUE(has(expr(R"("lower(city); DROP TABLE t")"), "$.fields[0].expression", "single SQL expression"));
    EXPECT_TRUE(has(expr(R"("1;")"), "$.fields[0].expression", "\";\""));
    // Inside quotes, identifiers, dollar quotes and comments a ';' is just text.
    EXPECT_TRUE(expr(R"("city || ';'")").empty());
    EXPECT_TRUE(expr(R"("city || 'it''s;'")").empty());
    EXPECT_TRUE(expr(R"("\"odd;name\"")").empty());
    EXPECT_TRUE(expr(R"("city || $x$;$x$")").empty());
    EXPECT_TRUE(expr(R"("city || $$;$$")").empty());
    EXPECT_TRUE(expr(R"("city /* ; /* nested ; */ */")").empty());
    EXPECT_TRUE(expr(R"("city -- ;\n")").empty());
    EXPECT_TRUE(expr(R"("E'\\';' || city")").empty());
    // ...but not after the quote ends.
    EXPECT_TRUE(has(expr(R"("'a' ; 'b'")"), "$.fields[0].expression", "single SQL expression"));
    EXPECT_TRUE(has(expr(R"("$x$a$x$;")"), "$.fields[0].expression", "single SQL expression"));
}
