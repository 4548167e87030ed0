#include "core/engine/expected_f1.hpp"

#include "core/engine/scorer.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace usermatch::engine {

namespace {
constexpr double kBinsPerBit = 64;
constexpr double kMaxWeight = 64;  // bins cover [-64, 64) bits; outside: the end bins
constexpr std::size_t kBins = static_cast<std::size_t>(2 * kMaxWeight * kBinsPerBit);
}  // namespace

ExpectedF1 expected_f1_threshold(const Profile& profile, const RecordStore& left, const RecordStore* right,
                                 unsigned threads, const KeepGoingFn& keep_going) {
    std::vector<double> count(kBins, 0), mass(kBins, 0);
    RunOptions options;
    options.threads = threads;
    options.min_probability = 1e-15;  // every candidate that can matter (p below adds < 1e-15 each)
    ExpectedF1 out;
    run(profile, left, right, options,
        [&](const MatchResult* rows, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) {
                const double b = std::floor((rows[i].match_weight + kMaxWeight) * kBinsPerBit);
                const auto bin = static_cast<std::size_t>(std::min<double>(kBins - 1, std::max(0.0, b)));
                count[bin] += 1;
                mass[bin] += rows[i].match_probability;
                out.expected_matches += rows[i].match_probability;
                ++out.candidate_pairs;
            }
        },
        keep_going);
    if (out.candidate_pairs == 0 || !(out.expected_matches > 0)) return out;
    double predicted = 0, tp = 0, best = -1;
    for (std::size_t bin = kBins; bin-- > 0;) {
        if (count[bin] == 0) continue;
        predicted += count[bin];
        tp += mass[bin];
        const double f1 = 2 * tp / (predicted + out.expected_matches);
        if (f1 > best + 1e-12) {  // ties keep the higher threshold
            best = f1;
            const double edge = bin == 0 ? -kMaxWeight : static_cast<double>(bin) / kBinsPerBit - kMaxWeight;
            out.threshold = std::min(1 - 1e-9, std::max(1e-9, Scorer::probability(edge)));
            out.expected_f1 = f1;
            out.expected_precision = tp / predicted;
            out.expected_recall = tp / out.expected_matches;
        }
    }
    return out;
}

}  // namespace usermatch::engine
