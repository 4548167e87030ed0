// Comparison levels per type, NULL = no information, and the Fellegi-Sunter arithmetic.
#include "core/compare/string_metrics.hpp"
#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/scorer.hpp"
#include "core/errors.hpp"
#include "core/text/utf8.hpp"
#include "timing.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

Profile one_field(const std::string& type, const std::string& extra = "") {
    return parse_profile(R"({"id": "id", "fields": [{"name": "f", "column": "f", "type": ")" + type + "\"" + extra +
                         R"(}], "blocking": [["f"]]})");
}

// Level name reached by two raw values of a one-field profile.
std::string level(const std::string& type, RawValue a, RawValue b, const std::string& extra = "") {
    Profile p = one_field(type, extra);
    RecordStore s(p);
    s.append("a", {a});
    s.append("b", {b});
    int l = compare_field(p.fields[0], 0, s, 0, s, 1);
    return l == kNullLevel ? "null" : p.fields[0].levels[static_cast<std::size_t>(l)].name;
}

}  // namespace

TEST(EngineLevels, PersonName) {
    EXPECT_EQ(level("person_name", "Zhang Wei", "zhang  wei"), "exact");
    EXPECT_EQ(level("person_name", "张伟", "Zhang Wei"), "pinyin");
    EXPECT_EQ(level("person_name", "張偉", "张伟"), "exact");  // Traditional folds to Simplified
    EXPECT_EQ(level("person_name", "zhangwei", "Zhang Wei"), "pinyin");
    EXPECT_EQ(level("person_name", "Wei Zhang", "张伟"), "swapped");
    EXPECT_EQ(level("person_name", "Bill Smith", "William Smith"), "nickname");
    EXPECT_EQ(level("person_name", "Jonathon", "Jonathan"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "Brian", "Bryan"), "jw>=0.88");  // jw 0.893
    EXPECT_EQ(level("person_name", "Dixon", "Dickson"), "jw>=0.8");     // jw 0.832
    EXPECT_EQ(level("person_name", "Alice", "Zhou"), "else");
}

// A shared surname is set aside before the fuzzy levels: household members are not one person's
// misspelt name, while a typo in the rest still is.
TEST(EngineLevels, PersonNameSharedTokensAreSetAside) {
    EXPECT_GE(compare::jaro_winkler(std::u32string(U"wang xian jin"), std::u32string(U"wang xin lan")), 0.92);
    EXPECT_EQ(level("person_name", "王娴瑾", "王心岚"), "jw>=0.8");       // "xian jin" / "xin lan": 0.85
    EXPECT_EQ(level("person_name", "赵伊苒", "赵薇妍"), "else");          // "yi ran" / "wei yan": 0.75
    EXPECT_EQ(level("person_name", "Olivia Miller", "Brenda C. Miller"), "else");
    EXPECT_EQ(level("person_name", "Mary Ann", "Mary Snn"), "jw>=0.92");  // one edit in the rest: whole forms
    EXPECT_EQ(level("person_name", "Katherine Jones", "Catherine Jones"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "John Smith", "John Smyth"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "Mary Jane Smith", "Mary Smith"), "jw>=0.92");  // a dropped middle name: whole
    // Symmetric, and text fields keep the plain Jaro-Winkler.
    EXPECT_EQ(level("person_name", "王心岚", "王娴瑾"), "jw>=0.8");
    EXPECT_EQ(level("text", "wang xian jin", "wang xin lan"), "jw>=0.92");
}

// Tokens are paired before the fuzzy levels: a typo with the order changed, an initial, a
// nickname, a Chinese surname in another romanisation or a given name written as two syllables
// is one person's name; household members sharing a surname still are not.
TEST(EngineLevels, PersonNameTokensArePaired) {
    EXPECT_EQ(level("person_name", "Smith, homas", "Thomas Smith"), "jw>=0.92");        // typo + order
    EXPECT_EQ(level("person_name", "Laruen Reed", "Reed, Lauren"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "Krueger, Ursula", "Ursula Krüger"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "陈瑶可", "Yaoke Chen"), "jw>=0.92");                // chen yao ke
    EXPECT_EQ(level("person_name", "Chung Xi-fang", "钟夕芳"), "jw>=0.92");             // Cantonese zhong
    EXPECT_EQ(level("person_name", "LEE RUOJIA", "Ruojia Li"), "jw>=0.92");
    EXPECT_EQ(level("person_name", "Shanhong Chang", "张珊红"), "jw>=0.92");            // Wade-Giles + joined
    EXPECT_EQ(level("person_name", "Jim Walsn", "James Walsh"), "jw>=0.92");            // nickname + typo
    // Initials: their own level, also for a formal name (E. / Beth: Elizabeth) or with a typo.
    EXPECT_EQ(level("person_name", "Janet Murphy", "J. Murphy"), "initials");
    EXPECT_EQ(level("person_name", "MURPHY J", "Janet Murphy"), "initials");
    EXPECT_EQ(level("person_name", "E. Harrison", "Beth Harrison"), "initials");
    EXPECT_EQ(level("person_name", "A. Malhota", "Ashok Malhotra"), "initials");
    EXPECT_EQ(level("person_name", "J", "John"), "else");  // single tokens: no pairing
    // Symmetric: the same level whichever record comes first.
    for (const auto& [x, y] : std::vector<std::pair<const char*, const char*>>{
             {"Smith, homas", "Thomas Smith"}, {"A. Malhota", "Ashok Malhotra"}, {"Jim Walsn", "James Walsh"},
             {"Ann Marie Lee", "Anne M. Li"}, {"Tina Xie", "谢梅婷"}, {"wang xian jin", "wang xin lan"}})
        EXPECT_EQ(level("person_name", x, y), level("person_name", y, x)) << x << " / " << y;
    // Not the same name: household members, and an initial that differs.
    EXPECT_EQ(level("person_name", "郭希琴", "郭耀辉"), "else");
    EXPECT_EQ(level("person_name", "Ryan Griffin", "Grace Griffin"), "else");
    EXPECT_EQ(level("person_name", "K. Murphy", "Janet Murphy"), "else");
    EXPECT_EQ(level("person_name", "Chang Wei", "Zhang Hong"), "else");
    EXPECT_EQ(level("person_name", "Mary Smith", "Mary Chan"), "else");  // a romanised surname is not any surname
    EXPECT_EQ(level("person_name", "Wong Mei", "Ong Mei"), "jw>=0.92");  // two spellings of 王
}

// Property: on random names built from awkward tokens (initials, nicknames, romanised surnames,
// syllables that join, Han characters, 1-10 tokens), the level is the same whichever record comes
// first, and the name similarity stays within [0, 1].
TEST(EngineLevels, PersonNameLevelIsSymmetricOnRandomNames) {
    const std::vector<std::string> pool = {"j", "e", "a", "jim", "james", "beth", "elizabeth", "chan", "chen", "tan",
                                           "wong", "ong", "wang", "huang", "lee", "li", "yao", "ke", "yaoke", "xi",
                                           "fang", "xifang", "smith", "smyth", "thomas", "homas", "mary", "ann",
                                           "张", "伟", "陈", "瑶", "可", "müller", "o'neil", "de", "la", "x"};
    Profile p = one_field("person_name");
    RecordStore s(p);
    std::uint64_t state = 12345;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>(state >> 33);
    };
    auto name = [&] {
        std::string out;
        const std::size_t n = 1 + next() % 10;
        for (std::size_t i = 0; i < n; ++i) out += (i ? " " : "") + pool[next() % pool.size()];
        return out;
    };
    const std::size_t pairs = 3000;
    for (std::size_t i = 0; i < 2 * pairs; ++i) s.append("r" + std::to_string(i), {name()});
    std::size_t asymmetric = 0;
    for (std::size_t i = 0; i < pairs; ++i) {
        const int ab = compare_field(p.fields[0], 0, s, 2 * i, s, 2 * i + 1);
        const int ba = compare_field(p.fields[0], 0, s, 2 * i + 1, s, 2 * i);
        asymmetric += ab != ba;
    }
    EXPECT_EQ(asymmetric, 0u);
}

TEST(EngineLevels, TextPhoneEmail) {
    EXPECT_EQ(level("text", "Beijing", "beijing"), "exact");
    EXPECT_EQ(level("text", "Martha", "Marhta"), "jw>=0.92");
    EXPECT_EQ(level("phone", "+86 138 1234 5678", "13812345678"), "exact");
    EXPECT_EQ(level("phone", "13812345678", "13812345679"), "osa<=1");
    EXPECT_EQ(level("phone", "13812345678", "13987654321"), "else");
    EXPECT_EQ(level("email", "Zhang.Wei@Example.com", "zhang.wei@example.com"), "exact");
    EXPECT_EQ(level("email", "zhang.wei@example.com", "zhang.wei@other.org"), "local_part");
    EXPECT_EQ(level("email", "zhang.wei@example.com", "zhang.wie@other.org"), "local_jw>=0.88");
    EXPECT_EQ(level("email", "alice@example.com", "bob@example.com"), "else");
}

TEST(EngineLevels, PhoneNationalNumber) {
    // Same last 9 digits, different country code: not the same E.164 number.
    Profile p = one_field("phone");
    RecordStore s(p);
    s.append("a", {RawValue("+86 138 1234 5678")});
    s.append("b", {RawValue("+852 38 1234 5678")});
    int l = compare_field(p.fields[0], 0, s, 0, s, 1);
    ASSERT_NE(l, kNullLevel);
    EXPECT_EQ(p.fields[0].levels[static_cast<std::size_t>(l)].name, "national_number");
}

TEST(EngineLevels, DateIdExactNumber) {
    EXPECT_EQ(level("date", "1990-03-15", "15/03/1990"), "exact");
    EXPECT_EQ(level("date", "1990-03-05", "1990-05-03"), "day_month_swapped");
    EXPECT_EQ(level("date", "1990-03-15", "1991-03-15"), "one_component_off");
    EXPECT_EQ(level("date", "1972-01-18", "1982-01-14"), "osa<=2");  // two digits mistyped
    EXPECT_EQ(level("date", "1990-03-15", "1990-12-20"), "within_year");
    EXPECT_EQ(level("date", "1990-03-15", "1970-01-01"), "else");
    EXPECT_EQ(level("date", "03/05/1990", "1990-03-05", R"(, "date_order": "MDY")"), "exact");
    EXPECT_EQ(level("id_number", "11010519491231002x", "11010519491231002X"), "exact");
    EXPECT_EQ(level("id_number", "110105194912310021", "110105194912310029"), "osa<=1");
    EXPECT_EQ(level("id_number", "110105194912310021", "320105198001010011"), "else");
    EXPECT_EQ(level("exact", " A1 ", "A1"), "exact");
    EXPECT_EQ(level("exact", "A1", "a1"), "else");
    EXPECT_EQ(level("number", "1,000", "1000.0"), "exact");
    EXPECT_EQ(level("number", "1000", "1005"), "within_pct<=1");
    EXPECT_EQ(level("number", "1000", "1100"), "else");
}

TEST(EngineLevels, DateWithAnImpossibleComponentKeepsItsOtherComponents) {
    EXPECT_EQ(level("date", "1861-72-30", "1861-72-30"), "exact");
    EXPECT_EQ(level("date", "1861-72-30", "1861-12-30"), "one_component_off");
    EXPECT_EQ(level("date", "1861-12-38", "1861-12-30"), "one_component_off");
    EXPECT_EQ(level("date", "1861-72-30", "1862-06-01"), "else");  // no day count for month 72
    EXPECT_EQ(level("date", "1861-00-30", "1861-12-30"), "null");   // a zero component is not a date
    EXPECT_EQ(level("date", "1861-7a-30", "1861-12-30"), "null");
}

TEST(EngineLevels, NullOrUnparsableIsNoInformation) {
    EXPECT_EQ(level("person_name", std::nullopt, "Zhang Wei"), "null");
    EXPECT_EQ(level("person_name", "  ", "Zhang Wei"), "null");
    EXPECT_EQ(level("date", "not a date", "1990-01-01"), "null");
    EXPECT_EQ(level("number", "abc", "1"), "null");
    EXPECT_EQ(level("email", std::nullopt, std::nullopt), "null");

    // A NULL field adds exactly 0 to the match weight.
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "n", "column": "n", "type": "person_name"},
        {"name": "d", "column": "d", "type": "date"}], "blocking": [["n"]], "prior": 0.01})");
    RecordStore s(p);
    s.append("1", {RawValue("Zhang Wei"), std::nullopt});
    s.append("2", {RawValue("Zhang Wei"), RawValue("1990-01-01")});
    Scorer scorer(p, 0.01);
    double expected = std::log2(0.01 / 0.99) + std::log2(0.66 / 0.002);  // default person_name exact m/u
    EXPECT_NEAR(scorer.weight(s, 0, s, 1), expected, 1e-12);
}

TEST(EngineLevels, ScorerArithmeticAndPruning) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "e", "column": "e", "type": "exact", "m": [0.8, 0.2], "u": [0.1, 0.9]},
        {"name": "f", "column": "f", "type": "exact", "m": [0.9, 0.1], "u": [0.3, 0.7]}],
      "blocking": [["e"]]})");
    RecordStore s(p);
    s.append("1", {RawValue("x"), RawValue("y")});
    s.append("2", {RawValue("x"), RawValue("z")});
    Scorer scorer(p, 0.5);
    double w = scorer.weight(s, 0, s, 1);
    EXPECT_NEAR(w, std::log2(8.0) + std::log2(0.1 / 0.7), 1e-12);
    EXPECT_NEAR(Scorer::probability(w), std::exp2(w) / (1 + std::exp2(w)), 1e-12);
    double out = 0;
    EXPECT_TRUE(scorer.weight_at_least(s, 0, s, 1, w - 0.01, out));
    EXPECT_NEAR(out, w, 1e-12);
    EXPECT_FALSE(scorer.weight_at_least(s, 0, s, 1, w + 0.01, out));
    EXPECT_NEAR(Scorer::weight_for_probability(0.9), std::log2(9.0), 1e-12);
}

TEST(EngineLevels, StoreRejectsDuplicateIdsAndCountsMemory) {
    Profile p = one_field("text");
    RecordStore s(p);
    s.append("42", {RawValue("a")});
    try {
        s.append("42", {RawValue("b")});
        FAIL() << "expected a unique violation";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::UniqueViolation);
        EXPECT_NE(std::string(e.what()).find("\"42\""), std::string::npos);
    }
    RecordStore t(p);
    std::vector<std::string_view> ids = {"1", "2", "1"};
    std::vector<RawValue> vals = {RawValue("a"), RawValue("b"), RawValue("c")};
    EXPECT_THROW(t.append_batch(ids, vals, 2), Error);
    EXPECT_GT(s.memory_bytes(), 0u);
}

TEST(EngineLevels, BatchAppendEqualsSingleAppends) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "n", "column": "n", "type": "person_name"},
        {"name": "d", "column": "d", "type": "date"}], "blocking": [["n"]]})");
    RecordStore a(p), b(p);
    std::vector<std::string> ids;
    std::vector<RawValue> vals;
    const char* names[] = {"张伟", "Zhang Wei", "Bill Smith", "", "Marie Curie"};
    for (int i = 0; i < 5000; ++i) ids.push_back(std::to_string(i));
    std::vector<std::string_view> idv(ids.begin(), ids.end());
    for (int i = 0; i < 5000; ++i) {
        RawValue n = i % 7 == 3 ? RawValue() : RawValue(names[i % 5]);
        RawValue d = RawValue(i % 2 ? "1990-01-02" : "bad");
        vals.push_back(n);
        vals.push_back(d);
        a.append(idv[i], {n, d});
    }
    b.append_batch(idv, vals, 2);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a.id(i), b.id(i));
        for (std::size_t f = 0; f < 2; ++f) {
            ASSERT_EQ(a.column(f).is_null(i), b.column(f).is_null(i)) << i;
            ASSERT_EQ(a.column(f).norm[i], b.column(f).norm[i]) << i;
        }
        ASSERT_EQ(a.column(0).cps[i], b.column(0).cps[i]);
    }
    EXPECT_EQ(b.find("4999"), std::optional<std::size_t>(4999));
    EXPECT_FALSE(b.find("5000").has_value());
}

TEST(EngineLevels, OsaAtMostOneFastPathAgreesWithDistance) {
    Profile p = one_field("id_number");
    const char* pairs[][2] = {{"ABCDEF", "ABCDEF"}, {"ABCDEF", "ABDCEF"}, {"ABCDEF", "ABXDEF"}, {"ABCDEF", "ABCDE"},
                              {"ABCDEF", "BCDEF"},  {"ABCDEF", "ABCDEFG"}, {"ABCDEF", "BADCEF"}, {"ABCDEF", "ACBDFE"},
                              {"AB", "BA"},         {"A", "B"},            {"ABC", "CBA"},     {"ABCD", "ABDX"}};
    const bool expected[] = {true, true, true, true, true, true, false, false, true, true, false, false};
    for (std::size_t i = 0; i < std::size(pairs); ++i) {
        RecordStore s(p);
        s.append("a", {RawValue(pairs[i][0])});
        s.append("b", {RawValue(pairs[i][1])});
        EXPECT_EQ(level_holds(p.fields[0].levels[1], 0, s, 0, s, 1), expected[i])
            << pairs[i][0] << " " << pairs[i][1];
    }
}

TEST(EngineLevels, EditFilterNeverRejectsAPairWithinOneEdit) {
    // Every single edit of a long value must still reach osa<=1 (the hot-row filter must not lie).
    Profile p = one_field("id_number");
    const std::string base = "110105194912310021";
    std::vector<std::string> variants;
    for (std::size_t i = 0; i < base.size(); ++i) {
        variants.push_back(base.substr(0, i) + base.substr(i + 1));            // deletion
        variants.push_back(base.substr(0, i) + "7" + base.substr(i));          // insertion
        std::string s = base;
        s[i] = s[i] == '9' ? '8' : '9';                                         // substitution
        variants.push_back(s);
        if (i + 1 < base.size() && base[i] != base[i + 1]) {
            std::string t = base;
            std::swap(t[i], t[i + 1]);                                          // transposition
            variants.push_back(t);
        }
    }
    for (const std::string& v : variants) {
        RecordStore s(p);
        s.append("a", {RawValue(base)});
        s.append("b", {RawValue(v)});
        int l = compare_field(p.fields[0], 0, s, 0, s, 1);
        EXPECT_TRUE(l == 0 || l == 1) << v;
    }
    RecordStore s(p);
    s.append("a", {RawValue(base)});
    s.append("b", {RawValue("990105194912310000")});
    EXPECT_EQ(compare_field(p.fields[0], 0, s, 0, s, 1), 2);
}

TEST(EngineLevels, DateOsaFromPackedValueAgreesWithTextOsa) {
    // The date "osa<=k" levels work on the packed yyyymmdd; they must agree with OSA on the
    // yyyy-mm-dd text for typos, transpositions, shifted digits and unrelated dates.
    const char* base[] = {"1972-01-18", "1990-12-31", "2001-10-01", "1988-08-08", "0999-99-01"};
    std::vector<std::string> others = {"1982-01-14", "1972-10-18", "1927-01-81", "9721-01-18", "1972-11-08",
                                       "2017-01-18", "1972-01-81", "1792-10-18", "1990-13-21", "1909-12-31",
                                       "2010-01-01", "1888-08-80", "1999-90-01", "0999-09-01", "1234-56-78"};
    for (const char* b : base)
        for (int i = 0; i < 10; ++i) {  // every single-digit substitution of each base, plus pairs of them
            std::string s = b;
            if (s[i] == '-') continue;
            s[i] = s[i] == '9' ? '1' : static_cast<char>(s[i] + 1);
            others.push_back(s);
            if (i + 1 < 10 && s[i + 1] != '-') std::swap(s[i], s[i + 1]), others.push_back(s);
        }
    for (int k = 0; k <= 3; ++k) {
        Profile p = one_field("date", R"(, "levels": ["exact", "osa<=)" + std::to_string(k) + R"(", "else"])");
        for (const char* b : base)
            for (const std::string& o : others) {
                RecordStore s(p);
                s.append("a", {RawValue(b)});
                s.append("b", {RawValue(o)});
                if (s.is_null(0, 0) || s.is_null(0, 1)) continue;
                const bool expected = compare::osa_distance(text::decode_utf8(s.column(0).norm[0]),
                                                            text::decode_utf8(s.column(0).norm[1])) <= std::size_t(k);
                EXPECT_EQ(level_holds(p.fields[0].levels[1], 0, s, 0, s, 1), expected) << b << " " << o << " k=" << k;
            }
    }
}

TEST(EngineLevels, FuzzyLevelsOnHugeWholeValuesCompareExactOnly) {
    // Issue 7: an id_number with levels ["exact", "osa<=2"] and two 400 KB values ran for 22.5 s.
    // Values over kMaxFuzzyCodePoints compare exact-only in fuzzy levels; shorter ones as before.
    const std::string levels = R"(, "levels": ["exact", "osa<=2"])";
    std::string big(400000, 'A');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('A' + (i * 7) % 26);
    std::string near = big;
    near[1000] = 'Z' == near[1000] ? 'Y' : 'Z';
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(level("id_number", big, near, levels), "else");  // one substitution, but too long
    EXPECT_EQ(level("id_number", big, big, levels), "exact");
    EXPECT_EQ(level("id_number", big, near, R"(, "levels": ["osa<=2"])"), "else");
    EXPECT_EQ(level("id_number", big, big, R"(, "levels": ["osa<=2"])"), "osa<=2");  // equal: distance 0
    EXPECT_EQ(level("email", big + "@x.org", near + "@x.org", R"(, "levels": ["jw>=0.9", "osa<=1"])"), "else");
    EXPECT_EQ(level("email", big + "@x.org", big + "@x.org", R"(, "levels": ["jw>=0.9", "osa<=1"])"), "jw>=0.9");
    // A phone of 300,000 digits is no phone number at all (normalize_phone: NULL past 250 bytes).
    EXPECT_EQ(level("phone", std::string(300000, '5'), std::string(300001, '5'), levels), "null");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0 * kTimingSlack);
    // At the cap the fuzzy levels still apply (band OSA: 256 code points, two edits).
    std::string at_cap = big.substr(0, kMaxFuzzyCodePoints);
    std::string edited = at_cap;
    edited[10] = '#' == edited[10] ? '$' : '#';
    std::swap(edited[200], edited[201]);
    EXPECT_EQ(level("id_number", at_cap, edited, levels), "osa<=2");
    EXPECT_EQ(level("id_number", at_cap + "B", edited + "B", levels), "else");  // 257: exact-only
    EXPECT_EQ(level("email", at_cap.substr(0, 200) + "@x.org", edited.substr(0, 200) + "@x.org",
                    R"(, "levels": ["jw>=0.9"])"), "jw>=0.9");
}
