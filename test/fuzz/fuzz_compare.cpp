// Fuzz targets for the string comparators, checked differentially: against textbook dynamic
// programming references (when the strings are small enough for them to be cheap), against each
// other (bounded vs unbounded, bytes vs code points) and against their algebraic properties
// (symmetry, identity, range).
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include "core/compare/string_metrics.hpp"
#include "core/errors.hpp"
#include "core/text/utf8.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace usermatch::fuzz {

namespace {

using compare::Text;

constexpr std::size_t kMaxReferenceCells = 40000;  // n * m of the O(n m) references

// Two strings from one input. Option byte: bit 0 = bytes read as Latin-1 code points (else UTF-8),
// bits 1-2 = repeat both strings 1, 2, 3 or 9 times when they are short (reaches the
// 64-code-point word boundaries cheaply). The second option byte is the target's parameter.
struct Pair {
    std::string bytes_a, bytes_b;  // after repetition
    std::u32string a, b;
    bool latin1 = false;
    std::uint8_t param = 0;
};

Pair read_pair(const std::uint8_t* data, std::size_t size) {
    Input input(data, size);
    Pair p;
    const std::uint8_t options = input.byte();
    p.param = input.byte();
    p.latin1 = options & 1;
    static const int kRepeat[] = {1, 2, 3, 9};
    const std::string_view a = input.part(), b = input.rest();
    const int repeat = a.size() + b.size() <= 256 ? kRepeat[(options >> 1) & 3] : 1;
    for (int i = 0; i < repeat; ++i) {
        p.bytes_a.append(a);
        p.bytes_b.append(b);
    }
    if (p.latin1) {
        for (const char c : p.bytes_a) p.a.push_back(static_cast<unsigned char>(c));
        for (const char c : p.bytes_b) p.b.push_back(static_cast<unsigned char>(c));
    } else {
        p.a = text::decode_utf8(p.bytes_a);
        p.b = text::decode_utf8(p.bytes_b);
    }
    return p;
}

bool reference_cheap(Text a, Text b) { return (a.size() + 1) * (b.size() + 1) <= kMaxReferenceCells; }

std::size_t ref_levenshtein(Text a, Text b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::size_t ref_osa(Text a, Text b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> d((n + 1) * (m + 1));
    auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
    for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
    for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
        }
    return at(n, m);
}

// Classic Jaro: the first string drives the greedy matching (the engine uses the shorter one and
// documents that the result does not depend on the choice).
double ref_jaro(Text a, Text b) {
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;
    const std::size_t longer = std::max(a.size(), b.size());
    const std::size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    std::vector<bool> a_used(a.size()), b_used(b.size());
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t lo = i > window ? i - window : 0;
        const std::size_t hi = std::min(b.size(), i + window + 1);
        for (std::size_t j = lo; j < hi; ++j)
            if (!b_used[j] && a[i] == b[j]) {
                a_used[i] = b_used[j] = true;
                ++matches;
                break;
            }
    }
    if (matches == 0) return 0.0;
    std::size_t k = 0, out_of_order = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a_used[i]) continue;
        while (!b_used[k]) ++k;
        out_of_order += a[i] != b[k];
        ++k;
    }
    const double m = static_cast<double>(matches);
    const double t = static_cast<double>(out_of_order / 2);
    return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
}

double ref_qgram(Text a, Text b, std::size_t q) {
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;
    auto grams = [q](Text s) {
        std::u32string padded(q - 1, U' ');
        padded.append(s);
        padded.append(q - 1, U' ');
        std::set<std::u32string> out;
        for (std::size_t i = 0; i + q <= padded.size(); ++i) out.insert(padded.substr(i, q));
        return out;
    };
    const auto ga = grams(a), gb = grams(b);
    std::size_t common = 0;
    for (const auto& g : ga) common += gb.count(g);
    return static_cast<double>(common) / static_cast<double>(ga.size() + gb.size() - common);
}

std::string describe(std::size_t got, std::size_t want) {
    return "got " + std::to_string(got) + ", want " + std::to_string(want);
}

}  // namespace

int fuzz_levenshtein(const std::uint8_t* data, std::size_t size) {
    const Pair p = read_pair(data, size);
    const Text a = p.a, b = p.b;
    const std::size_t d = compare::levenshtein(a, b);
    FUZZ_CHECK("levenshtein", compare::levenshtein(b, a) == d, describe(compare::levenshtein(b, a), d));
    const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
    FUZZ_CHECK("levenshtein", d >= diff && d <= std::max(a.size(), b.size()), describe(d, diff));
    FUZZ_CHECK("levenshtein", (d == 0) == (a == b), describe(d, 0));
    if (reference_cheap(a, b)) FUZZ_CHECK("levenshtein", d == ref_levenshtein(a, b), describe(d, ref_levenshtein(a, b)));
    // Bounded: min(d, k + 1) for a few bounds around the distance and the fuzzed one.
    const std::size_t bounds[] = {p.param, 0, 1, d > 0 ? d - 1 : 0, d, d + 1, std::size_t{64}, std::size_t{1} << 40};
    for (const std::size_t k : bounds) {
        const std::size_t want = std::min(d, k + 1);
        const std::size_t got = compare::levenshtein_bounded(a, b, k);
        FUZZ_CHECK("levenshtein", got == want, "bounded k=" + std::to_string(k) + ": " + describe(got, want));
        FUZZ_CHECK("levenshtein", compare::levenshtein_bounded(b, a, k) == want, "bounded, swapped");
        if (p.latin1) {
            const std::size_t gb = compare::levenshtein_bounded_bytes(p.bytes_a, p.bytes_b, k);
            FUZZ_CHECK("levenshtein", gb == want, "bounded bytes k=" + std::to_string(k) + ": " + describe(gb, want));
        }
    }
    if (p.latin1) {
        const std::size_t db = compare::levenshtein_bytes(p.bytes_a, p.bytes_b);
        FUZZ_CHECK("levenshtein", db == d, "bytes: " + describe(db, d));
    }
    return 0;
}

int fuzz_osa(const std::uint8_t* data, std::size_t size) {
    const Pair p = read_pair(data, size);
    const Text a = p.a, b = p.b;
    const std::size_t d = compare::osa_distance(a, b);
    FUZZ_CHECK("osa", compare::osa_distance(b, a) == d, describe(compare::osa_distance(b, a), d));
    FUZZ_CHECK("osa", (d == 0) == (a == b), describe(d, 0));
    const std::size_t lev = compare::levenshtein(a, b);
    FUZZ_CHECK("osa", d <= lev && 2 * d >= lev, describe(d, lev));
    if (reference_cheap(a, b)) FUZZ_CHECK("osa", d == ref_osa(a, b), describe(d, ref_osa(a, b)));
    // Banded (osa<=k levels): min(d, k + 1) for bounds around the distance and the fuzzed one.
    const std::size_t bounds[] = {p.param, 0, 1, d > 0 ? d - 1 : 0, d, d + 1, std::size_t{64}, std::size_t{1} << 40};
    for (const std::size_t k : bounds) {
        const std::size_t want = std::min(d, k + 1);
        const std::size_t got = compare::osa_distance_bounded(a, b, k);
        FUZZ_CHECK("osa", got == want, "bounded k=" + std::to_string(k) + ": " + describe(got, want));
        FUZZ_CHECK("osa", compare::osa_distance_bounded(b, a, k) == want, "bounded, swapped");
    }
    return 0;
}

int fuzz_jaro(const std::uint8_t* data, std::size_t size) {
    const Pair p = read_pair(data, size);
    const Text a = p.a, b = p.b;
    const double j = compare::jaro(a, b);
    FUZZ_CHECK("jaro", j >= 0.0 && j <= 1.0, std::to_string(j));
    FUZZ_CHECK("jaro", compare::jaro(b, a) == j, std::to_string(compare::jaro(b, a)) + " vs " + std::to_string(j));
    FUZZ_CHECK("jaro", compare::jaro(a, a) == 1.0, std::to_string(compare::jaro(a, a)));
    if (a == b) FUZZ_CHECK("jaro", j == 1.0, std::to_string(j));
    if (reference_cheap(a, b)) {
        const double r = ref_jaro(a, b), rs = ref_jaro(b, a);
        FUZZ_CHECK("jaro", std::fabs(j - r) < 1e-12 && std::fabs(j - rs) < 1e-12,
                   std::to_string(j) + " vs reference " + std::to_string(r) + " / " + std::to_string(rs));
    }
    // Jaro-Winkler: p = 0..0.31 in steps of 0.01, max_prefix = 0..7; invalid pairs must throw.
    const double scale = static_cast<double>(p.param & 31) / 100.0;
    const std::size_t max_prefix = (p.param >> 5) & 7;
    try {
        const double jw = compare::jaro_winkler(a, b, scale, max_prefix);
        FUZZ_CHECK("jaro", scale * static_cast<double>(max_prefix) <= 1.0, "did not throw");
        FUZZ_CHECK("jaro", jw >= j && jw <= 1.0, std::to_string(jw) + " vs jaro " + std::to_string(j));
        FUZZ_CHECK("jaro", compare::jaro_winkler(b, a, scale, max_prefix) == jw, std::to_string(jw));
        if (!a.empty()) FUZZ_CHECK("jaro", compare::jaro_winkler(a, a, scale, max_prefix) == 1.0, "jw(a, a)");
    } catch (const Error& e) {
        FUZZ_CHECK("jaro", e.code() == ErrorCode::InvalidParameter && scale * static_cast<double>(max_prefix) > 1.0, e.what());
    }
    const double jw = compare::jaro_winkler(a, b);  // the defaults
    FUZZ_CHECK("jaro", jw >= j && jw <= 1.0, std::to_string(jw));
    return 0;
}

int fuzz_qgram(const std::uint8_t* data, std::size_t size) {
    const Pair p = read_pair(data, size);
    const Text a = p.a, b = p.b;
    // q = 1..8 mostly; 0 and 1001 must throw.
    const int q = p.param == 255 ? 1001 : p.param == 254 ? 0 : 1 + (p.param % 8);
    double s = 0;
    try {
        s = compare::qgram_similarity(a, b, q);
        FUZZ_CHECK("qgram", q >= 1 && q <= 1000, "did not throw");
    } catch (const Error& e) {
        FUZZ_CHECK("qgram", (q < 1 && e.code() == ErrorCode::InvalidParameter) ||
                                (q > 1000 && e.code() == ErrorCode::ProgramLimit),
                   e.what());
        return 0;
    }
    FUZZ_CHECK("qgram", s >= 0.0 && s <= 1.0, std::to_string(s));
    FUZZ_CHECK("qgram", compare::qgram_similarity(b, a, q) == s, std::to_string(s));
    FUZZ_CHECK("qgram", compare::qgram_similarity(a, a, q) == 1.0, "similarity(a, a)");
    if (a == b) FUZZ_CHECK("qgram", s == 1.0, std::to_string(s));
    if (reference_cheap(a, b) && static_cast<std::size_t>(q) * (a.size() + b.size()) <= kMaxReferenceCells) {
        const double r = ref_qgram(a, b, static_cast<std::size_t>(q));
        FUZZ_CHECK("qgram", std::fabs(s - r) < 1e-12, std::to_string(s) + " vs reference " + std::to_string(r));
    }
    return 0;
}

}  // namespace usermatch::fuzz
