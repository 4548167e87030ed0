// Unsupervised training of a profile's m and u probabilities, prior and threshold (Splink's recipe,
// made safe):
//   u      from uniformly sampled record pairs (nearly all non-matches): the share of sampled pairs
//          reaching each level among the pairs where both values are present. A level never seen
//          gets the floor 1/(2 * non-NULL sampled pairs) (reported in the summary), then the field's
//          u are renormalised.
//   held back  about 1 pair in 5 of the candidates (a hash of the pair) is never fitted on.
//   prior  from a high-precision deterministic rule, as Splink's
//          estimate_probability_two_random_records_match: the smallest set of the most selective
//          fields (lowest u of their first, exact, level) whose exact agreement chance explains at
//          most 5% of the candidate pairs showing it (chance = possible pairs x prod P(both present)
//          x u_exact); none -> every non-NULL field exact, at least two. Its recall
//          P(rule | match): for EM's start prod_f P(present) x m_f(exact) (NULL shares among the
//          candidates, the current m); for the stored prior P(present) x m(exact) of the first
//          field times, for each further field, the share of the expected matches (the new
//          model's match probabilities over the fitted pairs) passing the fields before it that
//          pass it too (agreements of a match are correlated; the product of m's halved the
//          recall); or TrainOptions::deterministic_recall when stated. Match share among the candidates
//          lambda = (pairs - chance) / recall / candidates (at most 0.95; 0.5 for the every-field
//          rule); prior = lambda * candidates / possible pairs.
//   m      by EM (em.hpp), ONE RUN PER BLOCKING RULE over that rule's candidate pairs, started at
//          the current m and the rule's deterministic match share, with the rule's own fields left
//          out (they agree by construction inside its blocks). A field's final m is the plain mean of
//          its m over the rules where it was free and estimated (one vote per rule: weighting by a
//          run's expected matches, lambda x pairs, lets the run whose lambda drifted highest
//          dominate; each run reports its expected matches); a run that collapses is left out with
//          a warning: lambda > 0.95
//          while its "matches" disagree completely ("else") on a free field in over 20% of pairs
//          (one class of mixed pairs: a free field that follows the rule's keys, such as a suburb
//          inside postcode blocks, leaves EM nothing to separate; a strong key such as an ID number
//          gives lambda ~ 1 with small "else" shares and is kept), or lambda in (0.35, 0.65) and
//          above 4x its start (the "match" class swallowed a family of non-matches). A field no
//          run estimated keeps its m. The log-likelihood of each run is reported.
//   check  the new m/u and the current ones, each with the match share that fits it best on the
//          fitted pairs, are compared by the model's own mean log-likelihood on the held-back
//          candidate pairs (no labels); when the new one is lower
//          the current m/u/prior and threshold are kept (the profile is unchanged) and the summary
//          says so ("kept_current": true).
//   damping  fields that agree by chance together with a more selective field (a suburb inside a
//          postcode; lift of the joint first-level agreement among the sampled random pairs, the
//          model's expected matches taken out, >= 2) get the u of their agreeing levels multiplied
//          by the lift (at most up to m), so the pair's chance agreement is counted once: before EM
//          (with the current m; kept only when the resulting m explain the held-back pairs at least
//          as well as the current ones, else EM reruns on the plain u) and on the stored profile
//          ("correlated_fields" in the summary; TrainOptions::dampen_correlation = false: off).
//   threshold  "auto" (unless TrainOptions::auto_threshold is false or the current profile was
//          kept): the threshold maximising the expected F1 of the new model over all candidate
//          pairs (engine/expected_f1.hpp), stored as {"auto": t}.
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
    double deterministic_recall = 0;    // stated recall of the deterministic rule; 0 = from m
    bool auto_threshold = true;         // false: keep the profile's threshold
    bool dampen_correlation = true;     // raise u of fields that co-agree by chance with a more selective one
    bool related_class = true;          // EM with a third class of related people (see EmSettings::related_random)
    std::function<bool()> keep_going;   // polled on the calling thread; false -> Error(QueryCanceled)
};

struct TrainResult {
    engine::Profile profile;            // the input profile with new m, u and prior
    TermFrequencies term_frequencies;   // tables of the fields marked "tf": true (from the new profile)
    std::string summary_json;           // see train.cpp: rules, fields, prior, check, threshold, warnings, seconds
    bool kept_current = false;          // the held-back check kept the current m/u/prior
};

// Dedupe when right == nullptr, else link left x right. The stores must be built with `profile`.
TrainResult train(const engine::Profile& profile, const engine::RecordStore& left, const engine::RecordStore* right,
                  const TrainOptions& options = {});

}  // namespace usermatch::train
