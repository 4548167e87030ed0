// The threshold a profile's own probabilities recommend: over the candidate pairs, a match
// probability p is the model's expected share of a true pair, so for threshold t
//   E[TP] = sum_{p >= t} p,  E[FP] = sum_{p >= t} (1 - p),  E[FN] = sum_{p < t} p
//   E[F1] = 2 E[TP] / (2 E[TP] + E[FP] + E[FN]) = 2 E[TP] / (#{p >= t} + sum_all p)
// and the threshold maximising E[F1] is chosen. Pairs are scored exactly as a run scores them
// (prior, term frequencies), into a histogram of 1/64-bit match-weight bins (memory does not grow
// with the pairs); the threshold is a bin's lower edge. Pairs outside the blocks do not count.

#pragma once

#include "core/core_guard.hpp"
#include "core/engine/matcher.hpp"

#include <cstdint>

namespace usermatch::engine {

struct ExpectedF1 {
    double threshold = 0.5;          // no candidate pair: 0.5
    double expected_f1 = 0;
    double expected_precision = 0;
    double expected_recall = 0;
    double expected_matches = 0;     // sum of p over the candidate pairs
    std::uint64_t candidate_pairs = 0;
};

ExpectedF1 expected_f1_threshold(const Profile& profile, const RecordStore& left, const RecordStore* right,
                                 unsigned threads, const KeepGoingFn& keep_going = {});

}  // namespace usermatch::engine
