// Unsupervised training of a profile's m and u probabilities and prior (Splink's recipe):
//   u      from uniformly sampled record pairs (nearly all non-matches): the share of sampled pairs
//          reaching each level among the pairs where both values are present. A level never seen
//          gets the floor 1/(2 * non-NULL sampled pairs) (reported in the summary), then the field's
//          u are renormalised.
//   m      by EM (em.hpp), ONE RUN PER BLOCKING RULE over that rule's candidate pairs, with the
//          rule's own fields left out (they agree by construction inside its blocks). A field's
//          final m is the plain average of its m over the rules where it was free and estimated;
//          a field used by every rule keeps its m.
//   prior  the match share among ALL candidate pairs (the union of the rules), re-estimated with
//          the final m/u by the same fixed point (lambda = mean posterior), times the number of
//          candidate pairs = expected matches; prior = expected matches / possible pairs.
// Every probability is clamped to [1e-6, 1 - 1e-6]. Degenerate inputs (one row, a field always
// NULL, a rule with no pairs, EM that does not converge) keep the previous values and add a
// warning to the summary instead of producing NaN.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/term_frequency.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace usermatch::train {

using engine::TermFrequencies;

struct TrainOptions {
    std::uint64_t max_pairs = 1000000;  // random pairs sampled for u
    int max_iterations = 25;            // per EM run
    double tolerance = 1e-4;            // EM stops when max |delta m| and |delta lambda| < tolerance
    std::uint64_t seed = 42;            // same seed + data -> same profile (any thread count)
    unsigned threads = 1;
    bool estimate_u = true;             // false: keep the profile's u
    bool estimate_m = true;             // false: keep the profile's m (u and prior only)
    std::function<bool()> keep_going;   // polled on the calling thread; false -> Error(QueryCanceled)
};

struct TrainResult {
    engine::Profile profile;            // the input profile with new m, u and prior
    TermFrequencies term_frequencies;   // tables of the fields marked "tf": true (from the new profile)
    std::string summary_json;           // see train.cpp: rules, fields, prior, warnings, seconds
};

// Dedupe when right == nullptr, else link left x right. The stores must be built with `profile`.
TrainResult train(const engine::Profile& profile, const engine::RecordStore& left, const engine::RecordStore* right,
                  const TrainOptions& options = {});

}  // namespace usermatch::train
