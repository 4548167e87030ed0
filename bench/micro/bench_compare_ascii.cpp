// Micro-benchmarks of the ASCII paths the SQL comparators take: bytes straight from the text
// value (the *_bytes functions) against decoding to code points first and calling the
// code-point functions, as the SQL functions did before. ASCII names only (pinyin, Latin).
// Figures: items_per_second = comparisons (or codes) per second on one core.
#include "core/compare/phonetic.hpp"
#include "core/compare/string_metrics.hpp"
#include "core/text/utf8.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

namespace cmp = usermatch::compare;

struct BytePair {
    std::string a, b;
};

const char* const kAsciiNames[] = {"zhang wei", "wang fang", "li na", "liu yang", "chen jing", "yang min",
                                   "huang lei", "zhao jun", "wu xiuying", "zhou qiang", "James Smith",
                                   "Mary Johnson", "Robert Williams", "Patricia Brown", "Michael Jones",
                                   "Jennifer Garcia", "William Miller", "Elizabeth Davis", "Ashcraft",
                                   "McLaughlin", "Tymczak", "Xavier Dubois", "Dwayne Kowalski", "Sophie Nowak"};

const std::vector<BytePair>& ascii_pairs() {
    static const std::vector<BytePair>* pairs = [] {  // leaked on purpose: no global destructor
        auto* out = new std::vector<BytePair>();
        constexpr std::size_t n = sizeof kAsciiNames / sizeof kAsciiNames[0];
        std::uint64_t state = 7;
        for (int i = 0; i < 1000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            std::string a = kAsciiNames[(state >> 33) % n];
            std::string b = kAsciiNames[(state >> 45) % n];
            if (i % 2) {  // a variant of a: one substitution
                b = a;
                b[(state >> 20) % b.size()] = 'x';
            }
            out->push_back({std::move(a), std::move(b)});
        }
        return out;
    }();
    return *pairs;
}

template <typename Fn>
void run_pairs(benchmark::State& state, Fn fn) {
    const auto& pairs = ascii_pairs();
    for (auto _ : state)
        for (const auto& p : pairs) benchmark::DoNotOptimize(fn(p.a, p.b));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pairs.size()));
}

template <typename Fn>
void run_names(benchmark::State& state, Fn fn) {
    const auto& pairs = ascii_pairs();
    for (auto _ : state)
        for (const auto& p : pairs) benchmark::DoNotOptimize(fn(p.a));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pairs.size()));
}

// Reused buffers, as the SQL glue keeps them per backend.
std::u32string& wide(int which) {
    static std::u32string* buffers = new std::u32string[2];
    return buffers[which];
}

const std::u32string& decoded(const std::string& s, int which) {
    auto& out = wide(which);
    out.clear();
    usermatch::text::decode_utf8_into(s, out);
    return out;
}

void BM_AsciiLevenshteinBounded2_Decoded(benchmark::State& s) {
    run_pairs(s, [](const std::string& a, const std::string& b) {
        return cmp::levenshtein_bounded(decoded(a, 0), decoded(b, 1), 2);
    });
}
void BM_AsciiLevenshteinBounded2_Bytes(benchmark::State& s) {
    run_pairs(s, [](const std::string& a, const std::string& b) {
        return usermatch::text::is_ascii(a) && usermatch::text::is_ascii(b) ? cmp::levenshtein_bounded_bytes(a, b, 2) : 0;
    });
}
void BM_AsciiSoundex_Decoded(benchmark::State& s) {
    run_names(s, [](const std::string& a) { return cmp::soundex(decoded(a, 0)); });
}
void BM_AsciiSoundex_Bytes(benchmark::State& s) {
    run_names(s, [](const std::string& a) { return cmp::soundex_bytes(a); });
}
void BM_AsciiDoubleMetaphone_Decoded(benchmark::State& s) {
    run_names(s, [](const std::string& a) { return cmp::double_metaphone(decoded(a, 0)); });
}
void BM_AsciiDoubleMetaphone_Bytes(benchmark::State& s) {
    run_names(s, [](const std::string& a) { return cmp::double_metaphone_bytes(a); });
}

}  // namespace

BENCHMARK(BM_AsciiLevenshteinBounded2_Decoded);
BENCHMARK(BM_AsciiLevenshteinBounded2_Bytes);
BENCHMARK(BM_AsciiSoundex_Decoded);
BENCHMARK(BM_AsciiSoundex_Bytes);
BENCHMARK(BM_AsciiDoubleMetaphone_Decoded);
BENCHMARK(BM_AsciiDoubleMetaphone_Bytes);
