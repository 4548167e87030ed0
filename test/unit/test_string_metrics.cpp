// String comparators: known values, and every bit-parallel function checked against a plain
// dynamic-programming reference on thousands of random strings (word boundaries 63/64/65/128,
// non-ASCII code points).
#include "core/compare/string_metrics.hpp"
#include "core/errors.hpp"
#include "core/text/utf8.hpp"
#include "timing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace usermatch::compare;
using usermatch::Error;
using usermatch::ErrorCode;

namespace {

// ---- references: the textbook definitions, written for clarity, not speed ----

std::size_t ref_levenshtein(Text a, Text b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j)
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
    return d[a.size()][b.size()];
}

std::size_t ref_osa(Text a, Text b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// Classic Jaro with flag arrays; `a` is the outer string.
double ref_jaro(Text a, Text b) {
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;
    const std::size_t longest = std::max(a.size(), b.size());
    const std::size_t window = longest / 2 > 0 ? longest / 2 - 1 : 0;
    std::vector<bool> fa(a.size()), fb(b.size());
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t lo = i > window ? i - window : 0;
        const std::size_t hi = std::min(b.size(), i + window + 1);
        for (std::size_t j = lo; j < hi; ++j)
            if (!fb[j] && a[i] == b[j]) {
                fa[i] = fb[j] = true;
                ++matches;
                break;
            }
    }
    if (matches == 0) return 0.0;
    std::size_t out_of_order = 0, k = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!fa[i]) continue;
        while (!fb[k]) ++k;
        out_of_order += a[i] != b[k];
        ++k;
    }
    const double m = static_cast<double>(matches);
    const double t = static_cast<double>(out_of_order / 2);
    return (m / a.size() + m / b.size() + (m - t) / m) / 3.0;
}

double ref_qgram(Text a, Text b, int q) {
    if (a.empty() && b.empty()) return 1.0;
    auto grams = [q](Text s) {
        std::set<std::u32string> out;
        if (s.empty()) return out;
        const std::u32string pad(static_cast<std::size_t>(q - 1), U' ');
        const std::u32string padded = pad + std::u32string(s) + pad;
        for (std::size_t i = 0; i + static_cast<std::size_t>(q) <= padded.size(); ++i)
            out.insert(padded.substr(i, static_cast<std::size_t>(q)));
        return out;
    };
    const auto ga = grams(a), gb = grams(b);
    std::size_t common = 0;
    for (const auto& g : ga) common += gb.count(g);
    return static_cast<double>(common) / static_cast<double>(ga.size() + gb.size() - common);
}

// ---- random inputs ----

const std::u32string kSmallAlphabet = U"abc";
const std::u32string kMixedAlphabet = U"ab\u00e9\u5f20\u4f1f\U0001F600";  // a b é 张 伟 😀

std::u32string random_string(std::mt19937& rng, const std::u32string& alphabet, std::size_t length) {
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::u32string s(length, U'\0');
    for (auto& c : s) c = alphabet[pick(rng)];
    return s;
}

// A copy of s with a few random edits (substitute, insert, delete, swap neighbours).
std::u32string mutate(std::mt19937& rng, std::u32string s, const std::u32string& alphabet, int edits) {
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    for (int e = 0; e < edits; ++e) {
        const std::size_t pos = s.empty() ? 0 : rng() % s.size();
        switch (rng() % 4) {
            case 0: if (!s.empty()) s[pos] = alphabet[pick(rng)]; break;
            case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), alphabet[pick(rng)]); break;
            case 2: if (!s.empty()) s.erase(pos, 1); break;
            default: if (pos + 1 < s.size()) std::swap(s[pos], s[pos + 1]);
        }
    }
    return s;
}

struct Pair {
    std::u32string a, b;
};

// Pairs of every kind: unrelated and near-identical, short and around the 64-bit word size.
std::vector<Pair> random_pairs(unsigned seed, int count) {
    std::mt19937 rng(seed);
    const std::size_t boundary_lengths[] = {62, 63, 64, 65, 66, 127, 128, 129, 200};
    std::vector<Pair> pairs;
    for (int i = 0; i < count; ++i) {
        const std::u32string& alphabet = (i % 2) ? kMixedAlphabet : kSmallAlphabet;
        std::size_t len_a;
        if (i % 5 == 0)
            len_a = boundary_lengths[rng() % std::size(boundary_lengths)];
        else
            len_a = rng() % 20;
        std::u32string a = random_string(rng, alphabet, len_a);
        std::u32string b;
        if (i % 3 == 0)
            b = random_string(rng, alphabet, (i % 5 == 0) ? boundary_lengths[rng() % std::size(boundary_lengths)] : rng() % 20);
        else
            b = mutate(rng, a, alphabet, static_cast<int>(rng() % 6));
        pairs.push_back({std::move(a), std::move(b)});
    }
    return pairs;
}

}  // namespace

// ---- known values ----

TEST(CompareLevenshtein, KnownValues) {
    EXPECT_EQ(levenshtein(U"kitten", U"sitting"), 3u);
    EXPECT_EQ(levenshtein(U"flaw", U"lawn"), 2u);
    EXPECT_EQ(levenshtein(U"", U"abc"), 3u);
    EXPECT_EQ(levenshtein(U"abc", U""), 3u);
    EXPECT_EQ(levenshtein(U"", U""), 0u);
    EXPECT_EQ(levenshtein(U"张伟", U"张伟伟"), 1u);
    EXPECT_EQ(levenshtein(U"Jos\u00e9", U"Jose"), 1u);
    EXPECT_EQ(levenshtein(U"ab\U0001F600", U"ab"), 1u);  // an emoji is one code point
    EXPECT_EQ(levenshtein(U"\U0001F600\U0001F601", U"\U0001F601\U0001F600"), 2u);
}

TEST(CompareLevenshtein, BoundedReturnsMaxPlusOneAboveMax) {
    EXPECT_EQ(levenshtein_bounded(U"kitten", U"sitting", 3), 3u);
    EXPECT_EQ(levenshtein_bounded(U"kitten", U"sitting", 2), 3u);
    EXPECT_EQ(levenshtein_bounded(U"kitten", U"sitting", 1), 2u);
    EXPECT_EQ(levenshtein_bounded(U"kitten", U"sitting", 0), 1u);
    EXPECT_EQ(levenshtein_bounded(U"abc", U"abc", 0), 0u);
    EXPECT_EQ(levenshtein_bounded(U"", U"abcdef", 2), 3u);  // length gap alone
    EXPECT_EQ(levenshtein_bounded(U"abc", U"xyz", static_cast<std::size_t>(-1)), 3u);  // no overflow
}

TEST(CompareLevenshtein, LongerThanOneWord) {
    const std::u32string a(300, U'a');
    std::u32string b = a;
    b[10] = U'b';
    b[150] = U'\u5f20';
    b.erase(290, 1);
    EXPECT_EQ(levenshtein(a, b), 3u);
    EXPECT_EQ(levenshtein_bounded(a, b, 2), 3u);
    EXPECT_EQ(levenshtein_bounded(a, b, 3), 3u);
}

TEST(CompareLevenshtein, HugeTextAgainstShortPatternStaysLinear) {
    // 10 million code points vs a short name: one 64-bit word of state, O(n) time.
    std::u32string huge(10'000'000, U'x');
    huge.replace(1000, 3, U"abc");
    const double n = static_cast<double>(huge.size());
    EXPECT_EQ(levenshtein(huge, U"abc"), huge.size() - 3);
    EXPECT_EQ(levenshtein_bounded(huge, U"abc", 5), 6u);
    EXPECT_EQ(osa_distance(U"abc", huge), huge.size() - 3);
    EXPECT_NEAR(jaro(U"abc", huge), (1.0 + 3.0 / n + 1.0) / 3.0, 1e-12);  // window ~ 5 million
}

TEST(CompareLevenshtein, BoundedLongStringsUseTheBand) {
    std::mt19937 rng(7);
    const std::u32string a = random_string(rng, U"abcdefgh", 200'000);
    std::u32string b = a;
    b[1000] = U'z';
    b[100'000] = U'y';
    b.erase(150'000, 1);
    EXPECT_EQ(levenshtein_bounded(a, b, 3), 3u);
    EXPECT_EQ(levenshtein_bounded(a, b, 2), 3u);
    EXPECT_EQ(levenshtein_bounded(a, b, 5), 3u);
}

TEST(CompareOsa, KnownValues) {
    EXPECT_EQ(osa_distance(U"ca", U"abc"), 3u);  // true Damerau would give 2
    EXPECT_EQ(osa_distance(U"abcd", U"acbd"), 1u);
    EXPECT_EQ(osa_distance(U"MARTHA", U"MARHTA"), 1u);
    EXPECT_EQ(levenshtein(U"MARTHA", U"MARHTA"), 2u);
    EXPECT_EQ(osa_distance(U"", U"ab"), 2u);
    EXPECT_EQ(osa_distance(U"\u5f20\u4f1f", U"\u4f1f\u5f20"), 1u);
}

TEST(CompareJaro, KnownValues) {
    EXPECT_NEAR(jaro(U"MARTHA", U"MARHTA"), 0.944444, 1e-6);
    EXPECT_NEAR(jaro_winkler(U"MARTHA", U"MARHTA"), 0.961111, 1e-6);
    EXPECT_NEAR(jaro_winkler(U"DIXON", U"DICKSONX"), 0.813333, 1e-6);
    EXPECT_NEAR(jaro_winkler(U"DWAYNE", U"DUANE"), 0.84, 1e-6);
    EXPECT_NEAR(jaro(U"JELLYFISH", U"SMELLYFISH"), 0.896296, 1e-6);
    EXPECT_DOUBLE_EQ(jaro(U"", U""), 1.0);
    EXPECT_DOUBLE_EQ(jaro_winkler(U"", U""), 1.0);
    EXPECT_DOUBLE_EQ(jaro(U"", U"a"), 0.0);
    EXPECT_DOUBLE_EQ(jaro_winkler(U"abc", U""), 0.0);
    EXPECT_DOUBLE_EQ(jaro(U"abc", U"xyz"), 0.0);
    EXPECT_DOUBLE_EQ(jaro_winkler(U"\u5f20\u4f1f", U"\u5f20\u4f1f"), 1.0);
}

TEST(CompareJaro, WinklerPrefixAppliesWithoutThresholdAndIsCapped) {
    // jaro("ab", "ac") = 2/3; the prefix bonus applies even below 0.7.
    EXPECT_NEAR(jaro_winkler(U"ab", U"ac"), 2.0 / 3 + 0.1 * (1 - 2.0 / 3), 1e-12);
    // common prefix of 6, capped at 4
    const double j = jaro(U"abcdefx", U"abcdefy");
    EXPECT_NEAR(jaro_winkler(U"abcdefx", U"abcdefy"), j + 4 * 0.1 * (1 - j), 1e-12);
    EXPECT_NEAR(jaro_winkler(U"abcdefx", U"abcdefy", 0.1, 6), j + 6 * 0.1 * (1 - j), 1e-12);
    EXPECT_THROW(jaro_winkler(U"a", U"b", 0.3, 4), Error);
    EXPECT_THROW(jaro_winkler(U"a", U"b", -0.1, 4), Error);
}

TEST(CompareQgram, KnownValues) {
    EXPECT_DOUBLE_EQ(qgram_similarity(U"", U""), 1.0);
    EXPECT_DOUBLE_EQ(qgram_similarity(U"", U"a"), 0.0);
    EXPECT_DOUBLE_EQ(qgram_similarity(U"smith", U"smith"), 1.0);
    // q = 2: {" a","ab","b "} vs {" a","ac","c "}: 1 common of 5
    EXPECT_DOUBLE_EQ(qgram_similarity(U"ab", U"ac", 2), 0.2);
    // sets, not bags: "aaaa" and "aa" have the same bigrams {" a","aa","a "}
    EXPECT_DOUBLE_EQ(qgram_similarity(U"aaaa", U"aa", 2), 1.0);
    // q = 1: plain character sets
    EXPECT_DOUBLE_EQ(qgram_similarity(U"abc", U"cab", 1), 1.0);
    // q = 3: "ab" -> {"  a"," ab","ab ","b  "}, "abc" -> {"  a"," ab","abc","bc ","c  "}: 2 of 7
    EXPECT_DOUBLE_EQ(qgram_similarity(U"ab", U"abc", 3), 2.0 / 7);
    EXPECT_DOUBLE_EQ(qgram_similarity(U"\u5f20\u4f1f", U"\u5f20\u4f1f"), 1.0);
}

TEST(CompareQgram, RejectsQBelowOne) {
    try {
        qgram_similarity(U"a", U"b", 0);
        FAIL() << "q = 0 must throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("q must be at least 1"), std::string::npos);
    }
    EXPECT_THROW(qgram_similarity(U"a", U"b", -3), Error);
}

// ---- differential tests against the references ----

TEST(CompareDifferential, LevenshteinMatchesDp) {
    for (const auto& p : random_pairs(1, 3000)) {
        const std::size_t expected = ref_levenshtein(p.a, p.b);
        ASSERT_EQ(levenshtein(p.a, p.b), expected) << p.a.size() << " vs " << p.b.size();
        ASSERT_EQ(levenshtein(p.b, p.a), expected);
        for (std::size_t max : {0, 1, 2, 3, 5, 10, 70}) {
            ASSERT_EQ(levenshtein_bounded(p.a, p.b, max), std::min(expected, max + 1))
                << "max " << max << " sizes " << p.a.size() << "/" << p.b.size();
        }
    }
}

TEST(CompareDifferential, OsaMatchesDp) {
    for (const auto& p : random_pairs(2, 3000)) {
        const std::size_t expected = ref_osa(p.a, p.b);
        ASSERT_EQ(osa_distance(p.a, p.b), expected) << p.a.size() << " vs " << p.b.size();
        ASSERT_EQ(osa_distance(p.b, p.a), expected);
    }
}

TEST(CompareDifferential, BoundedOsaMatchesDp) {
    // Band (longer than one word), single word and blocks, against the full DP.
    for (const auto& p : random_pairs(12, 2000)) {
        const std::size_t expected = ref_osa(p.a, p.b);
        for (std::size_t max : {0, 1, 2, 3, 5, 10, 70}) {
            ASSERT_EQ(osa_distance_bounded(p.a, p.b, max), std::min(expected, max + 1))
                << "max " << max << " sizes " << p.a.size() << "/" << p.b.size();
            ASSERT_EQ(osa_distance_bounded(p.b, p.a, max), std::min(expected, max + 1));
        }
    }
}

TEST(CompareBounds, BoundedOsaOnHugeValuesIsLinear) {
    // Two 400,000-character identifiers one substitution and one transposition apart: the full
    // distance costs n^2 / 64 word steps (seconds); the band costs 5 n.
    std::u32string a;
    for (int i = 0; i < 400000; ++i) a.push_back(U'A' + static_cast<char32_t>((i * 7) % 26));
    std::u32string b = a;
    b[1000] = U'#';
    std::swap(b[300000], b[300001]);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(osa_distance_bounded(a, b, 2), 2u);
    EXPECT_EQ(osa_distance_bounded(a, b, 1), 2u);  // more than 1: max + 1
    b[200000] = U'#';
    EXPECT_EQ(osa_distance_bounded(a, b, 2), 3u);
    EXPECT_EQ(osa_distance_bounded(a, a + U"xyz", 2), 3u);  // length difference alone
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0 * kTimingSlack);
}

TEST(CompareDifferential, QgramLongQMatchesSetReference) {
    // q-grams past the exact-view threshold are compared as rolling hashes.
    for (const auto& p : random_pairs(13, 150))
        for (int q : {5, 40, 150, 300})
            ASSERT_NEAR(qgram_similarity(p.a, p.b, q), ref_qgram(p.a, p.b, q), 1e-12)
                << "q " << q << " sizes " << p.a.size() << "/" << p.b.size();
}

TEST(CompareBounds, QgramCostDoesNotGrowWithQ) {
    // The repro of issue 7: 300,000 code points at q = 1000 (minutes with q-grams as views).
    std::u32string a, b;
    for (int i = 0; i < 50000; ++i) {
        a += U"abcdef";
        b += U"abcdeg";
    }
    const auto start = std::chrono::steady_clock::now();
    const double s = qgram_similarity(a, b, 1000);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0 * kTimingSlack);
    // The strings differ at every 6th character, so the only shared q-grams are the 5 that hold
    // padding plus a prefix of "abcde"; each side has about 2,000 distinct q-grams.
    EXPECT_GT(s, 0.0);
    EXPECT_LT(s, 0.01);
    EXPECT_DOUBLE_EQ(qgram_similarity(a, a, 1000), 1.0);
}

TEST(CompareDifferential, JaroMatchesClassicFlags) {
    for (const auto& p : random_pairs(3, 3000)) {
        const double expected = ref_jaro(p.a, p.b);
        ASSERT_NEAR(jaro(p.a, p.b), expected, 1e-12) << p.a.size() << " vs " << p.b.size();
        ASSERT_NEAR(jaro(p.b, p.a), expected, 1e-12);
        ASSERT_NEAR(ref_jaro(p.b, p.a), expected, 1e-12);  // the classic greedy is symmetric
    }
}

TEST(CompareDifferential, QgramMatchesSetReference) {
    int checked = 0;
    for (const auto& p : random_pairs(4, 1500)) {
        for (int q : {1, 2, 3, 4}) {
            ASSERT_NEAR(qgram_similarity(p.a, p.b, q), ref_qgram(p.a, p.b, q), 1e-12) << "q " << q;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 6000);
}

TEST(CompareDifferential, ConcurrentCallsAgree) {
    const auto pairs = random_pairs(5, 400);
    std::vector<std::size_t> expected;
    for (const auto& p : pairs) expected.push_back(levenshtein(p.a, p.b) * 1000 + osa_distance(p.a, p.b));
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (std::size_t i = 0; i < pairs.size(); ++i)
                    if (levenshtein(pairs[i].a, pairs[i].b) * 1000 + osa_distance(pairs[i].a, pairs[i].b) != expected[i])
                        ++failures[static_cast<std::size_t>(t)];
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ---- byte paths (ASCII fast path of the SQL functions) against the code-point functions ----

namespace {

// s as one byte per code point when every code point is below 256 (ASCII or Latin-1).
bool narrow_to_bytes(const std::u32string& s, std::string& out) {
    out.clear();
    for (const char32_t c : s) {
        if (c >= 256) return false;
        out.push_back(static_cast<char>(static_cast<unsigned char>(c)));
    }
    return true;
}

}  // namespace

TEST(CompareDifferential, LevenshteinBytesMatchesDp) {
    std::mt19937 rng(11);
    const std::u32string ascii_alphabet = U"abcdefghij klmnopqrstuvwxyz'-";
    const std::u32string latin1_alphabet = U"ab\u00e9\u00ff\u00c0\u0080";  // bytes 0xE9 0xFF 0xC0 0x80
    std::vector<Pair> pairs = random_pairs(6, 3000);  // abc, and a b é (Latin-1 byte 0xE9) pairs
    for (int i = 0; i < 3000; ++i) {
        const std::u32string& alphabet = (i % 3 == 0) ? latin1_alphabet : ascii_alphabet;
        const std::size_t len = (i % 7 == 0) ? 60 + rng() % 80 : rng() % 20;
        std::u32string a = random_string(rng, alphabet, len);
        std::u32string b = (i % 4 == 0) ? random_string(rng, alphabet, rng() % 20)
                                        : mutate(rng, a, alphabet, static_cast<int>(rng() % 5));
        pairs.push_back({std::move(a), std::move(b)});
    }
    std::string a8, b8;
    int checked = 0, latin1 = 0;
    for (const auto& p : pairs) {
        if (!narrow_to_bytes(p.a, a8) || !narrow_to_bytes(p.b, b8)) continue;
        ++checked;
        if (!usermatch::text::is_ascii(a8) || !usermatch::text::is_ascii(b8)) ++latin1;
        const std::size_t expected = ref_levenshtein(p.a, p.b);
        ASSERT_EQ(levenshtein_bytes(a8, b8), expected) << a8 << " / " << b8;
        ASSERT_EQ(levenshtein_bytes(b8, a8), expected);
        for (std::size_t max : {0, 1, 2, 3, 5, 10, 70, 200}) {
            ASSERT_EQ(levenshtein_bounded_bytes(a8, b8, max), std::min(expected, max + 1))
                << "max " << max << ": " << a8 << " / " << b8;
        }
    }
    EXPECT_GT(checked, 4000);
    EXPECT_GT(latin1, 500);  // the non-ASCII branch of the pattern table is exercised too
}
