// Supervised training from labelled pairs (id1, id2, is_match):
//   m  = share of each level among the MATCHING labelled pairs (non-NULL comparisons; a level no
//        match reached gets the floor 1/(2n); agreement levels never weigh below "else").
//   u  = the same among the non-matching labels when there are at least min_non_matches_for_u of
//        them, else the profile's u are kept (a few clerical non-matches are not a random sample).
//   threshold: every labelled pair is scored with the new profile (prior: the profile's, else
//        1/records); the curve has one row per distinct score (pairs with p >= score predicted as
//        matches). The threshold maximises F1, or, with target_precision, gives the highest recall
//        whose precision reaches the target (falls back to max F1 and warns when none does). The
//        profile threshold is placed halfway (in match weight) between the chosen score and the next
//        lower one, so that a pair scoring slightly below the lowest accepted label still matches.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace usermatch::train {

struct LabelledPair {
    std::string left_id, right_id;  // dedupe: both in the left store
    bool is_match = false;
};

struct CurvePoint {
    double threshold;  // a distinct match probability of a labelled pair
    double precision, recall, f1;
    std::uint64_t predicted, true_positives;
};

struct ThresholdChoice {
    std::vector<CurvePoint> curve;  // highest threshold first
    std::size_t chosen = 0;         // index into curve
    double threshold = 0.5;         // the profile threshold (see above), in (0, 1)
    bool target_reached = true;
};

// Pure part: scored pairs (probability, is_match) -> curve and choice. Empty input: threshold 0.5.
ThresholdChoice choose_threshold(std::vector<std::pair<double, bool>> scored,
                                 std::optional<double> target_precision = std::nullopt);

struct LabelOptions {
    std::optional<double> target_precision;
    std::size_t min_non_matches_for_u = 100;
};

struct LabelResult {
    engine::Profile profile;       // new m (and u), threshold
    ThresholdChoice choice;
    std::size_t matches = 0, non_matches = 0, unknown_ids = 0;  // labels used / skipped
    bool u_estimated = false;
    std::string summary_json;
};

// Labels whose ids are not in the stores are skipped and counted. Throws Error(InvalidParameter)
// when no usable matching label remains.
LabelResult train_labels(const engine::Profile& profile, const engine::RecordStore& left,
                         const engine::RecordStore* right, const std::vector<LabelledPair>& labels,
                         const LabelOptions& options = {});

}  // namespace usermatch::train
