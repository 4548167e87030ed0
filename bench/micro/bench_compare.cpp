// Micro-benchmarks of the string comparators and phonetic codes over ~1000 realistic name pairs
// generated deterministically here: Latin names with typos, pinyin, and Han names.
// Figures: items_per_second = comparisons (or codes) per second on one core.
#include "core/compare/phonetic.hpp"
#include "core/compare/string_metrics.hpp"
#include "core/text/utf8.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using usermatch::compare::Text;

struct NamePair {
    std::u32string a, b;
};

// Small deterministic generator (no <random>: identical sequences on every platform).
struct SplitMix {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

const char* const kGiven[] = {"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Elizabeth",
                              "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
                              "Christopher", "Karen", "Daniel", "Margaret", "Matthew", "Catherine", "Anthony",
                              "Dorothy", "Mark", "Lisa", "Steven", "Nancy", "Andrew", "Sophie", "José", "François",
                              "Jürgen", "Zoë", "Łukasz", "Søren", "Philip", "Kathryn", "Xavier", "Dwayne"};
const char* const kFamily[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
                               "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
                               "Thompson", "Schmidt", "Müller", "Schneider", "Fischer", "Weber", "Dubois",
                               "Lefèvre", "Kowalski", "Nowak", "Ashcraft", "Pfister", "Honeyman", "O'Brien",
                               "McLaughlin", "Tymczak", "Dixon", "Dickson", "Martha", "Jellyfish", "Nguyen"};
const char* const kPinyin[] = {"zhang wei", "wang fang", "li na", "liu yang", "chen jing", "yang min",
                               "huang lei", "zhao jun", "wu xiuying", "zhou qiang", "xu ming", "sun li",
                               "ma chao", "zhu hong", "hu bo", "guo jie", "he ping", "lin tao", "luo yan",
                               "zheng hui"};
const char* const kHan[] = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨敏", "黄磊", "赵军", "吴秀英",
                            "周强", "徐明", "孙丽", "马超", "朱红", "胡波", "郭杰", "何平", "林涛"};

// A typo: substitute, delete, insert or swap two neighbours (code points, not bytes).
std::u32string with_typo(std::u32string s, SplitMix& rng) {
    if (s.size() < 2) return s;
    const std::size_t pos = rng.below(s.size() - 1);
    switch (rng.below(4)) {
        case 0: s[pos] = static_cast<char32_t>(U'a' + rng.below(26)); break;
        case 1: s.erase(pos, 1); break;
        case 2: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<char32_t>(U'a' + rng.below(26))); break;
        default: std::swap(s[pos], s[pos + 1]);
    }
    return s;
}

template <std::size_t N>
std::u32string pick(const char* const (&list)[N], SplitMix& rng) {
    return usermatch::text::decode_utf8(list[rng.below(N)]);
}

const std::vector<NamePair>& name_pairs() {
    static const std::vector<NamePair>* pairs = [] {  // leaked on purpose: no global destructor
        auto* out = new std::vector<NamePair>();
        SplitMix rng{20240601};
        for (int i = 0; i < 1000; ++i) {
            const std::size_t kind = rng.below(10);
            std::u32string a;
            if (kind < 5) {
                a = pick(kGiven, rng) + U" " + pick(kFamily, rng);  // full Latin name
            } else if (kind < 7) {
                a = pick(kFamily, rng);
            } else if (kind < 9) {
                a = pick(kPinyin, rng);
            } else {
                a = pick(kHan, rng);
            }
            std::u32string b;
            switch (rng.below(4)) {
                case 0: b = a; break;                                       // exact duplicate
                case 1: b = with_typo(with_typo(a, rng), rng); break;       // two typos
                case 2: b = with_typo(a, rng); break;                       // one typo
                default: b = kind < 7 ? pick(kFamily, rng) : pick(kPinyin, rng);  // unrelated
            }
            out->push_back({std::move(a), std::move(b)});
        }
        return out;
    }();
    return *pairs;
}

template <typename Fn>
void run_pairs(benchmark::State& state, Fn fn) {
    const auto& pairs = name_pairs();
    for (auto _ : state)
        for (const auto& p : pairs) benchmark::DoNotOptimize(fn(p.a, p.b));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pairs.size()));
}

template <typename Fn>
void run_names(benchmark::State& state, Fn fn) {
    const auto& pairs = name_pairs();
    for (auto _ : state)
        for (const auto& p : pairs) benchmark::DoNotOptimize(fn(p.a));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pairs.size()));
}

namespace cmp = usermatch::compare;

void BM_Levenshtein(benchmark::State& s) { run_pairs(s, [](Text a, Text b) { return cmp::levenshtein(a, b); }); }
void BM_LevenshteinBounded2(benchmark::State& s) {
    run_pairs(s, [](Text a, Text b) { return cmp::levenshtein_bounded(a, b, 2); });
}
void BM_Osa(benchmark::State& s) { run_pairs(s, [](Text a, Text b) { return cmp::osa_distance(a, b); }); }
void BM_Jaro(benchmark::State& s) { run_pairs(s, [](Text a, Text b) { return cmp::jaro(a, b); }); }
void BM_JaroWinkler(benchmark::State& s) { run_pairs(s, [](Text a, Text b) { return cmp::jaro_winkler(a, b); }); }
void BM_Qgram3(benchmark::State& s) { run_pairs(s, [](Text a, Text b) { return cmp::qgram_similarity(a, b, 3); }); }
void BM_Soundex(benchmark::State& s) { run_names(s, [](Text a) { return cmp::soundex(a); }); }
void BM_DoubleMetaphone(benchmark::State& s) { run_names(s, [](Text a) { return cmp::double_metaphone(a); }); }

}  // namespace

BENCHMARK(BM_Levenshtein);
BENCHMARK(BM_LevenshteinBounded2);
BENCHMARK(BM_Osa);
BENCHMARK(BM_Jaro);
BENCHMARK(BM_JaroWinkler);
BENCHMARK(BM_Qgram3);
BENCHMARK(BM_Soundex);
BENCHMARK(BM_DoubleMetaphone);
