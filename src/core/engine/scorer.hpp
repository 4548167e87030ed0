// Fellegi-Sunter scoring: match weight = log2(prior / (1 - prior)) + sum over fields of
// log2(m / u) of the level reached (NULL level: 0); probability = 2^w / (1 + 2^w).
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/term_frequency.hpp"

#include <vector>

namespace usermatch::engine {

class Scorer {
public:
    // `tf` (optional, must outlive the scorer): term frequencies of the fields marked "tf": true;
    // their exact level then weighs log2(m / frequency of the shared value) instead of log2(m / u).
    Scorer(const Profile& profile, double prior, const TermFrequencies* tf = nullptr);

    double prior_weight() const { return prior_weight_; }
    // log2(m/u) of a level; 0 for kNullLevel.
    double level_weight(std::size_t field, int level) const {
        return level < 0 ? 0.0 : weights_[field][static_cast<std::size_t>(level)];
    }

    // Full match weight of the pair (every field compared).
    double weight(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b) const;
    // Weight of field f for the level reached (term-frequency adjusted where it applies).
    double field_weight(std::size_t f, int level, const RecordStore& R, std::size_t b) const {
        if (level == tf_exact_level_[f]) return tf_->adjusted_weight_of_row(f, level, R, b);
        return level_weight(f, level);
    }

    // Match weight when it can reach `min_weight`; false as soon as the fields left cannot lift the
    // weight to min_weight (skips the expensive comparisons of clear non-matches).
    bool weight_at_least(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b, double min_weight,
                         double& weight) const;

    // The profile's interactions (Interaction): with every field's level known (`levels`, one per
    // field), how much lower field f's weight `plain` (at `levels[f]`) is, and the field it is
    // given; 0 and nf when none applies. Never positive, so the pruning bound stays valid.
    double interaction_correction(std::size_t f, const int* levels, double plain, std::size_t* given = nullptr) const;

    static double probability(double weight);
    static double weight_for_probability(double probability);

private:
    const Profile& profile_;
    double prior_weight_;
    std::vector<std::vector<double>> weights_;
    const TermFrequencies* tf_;
    std::vector<int> tf_exact_level_;  // per field: the level whose weight tf adjusts, or -2 (none)
    std::vector<std::size_t> order_;  // fields by comparison cost, cheapest first (for pruning)
    std::vector<double> max_rest_;    // max_rest_[k]: the largest weight fields order_[k..] can still add
    // Per field: its interactions as (given field, weight per level: log2(m / u_given), NaN = none).
    std::vector<std::vector<std::pair<std::size_t, std::vector<double>>>> interactions_;
    bool any_interaction_ = false;
    double corrections(const int* levels, const double* plain) const;
};

}  // namespace usermatch::engine
