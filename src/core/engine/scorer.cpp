#include "core/engine/scorer.hpp"

#include <algorithm>
#include <cmath>

namespace usermatch::engine {

Scorer::Scorer(const Profile& profile, double prior, const TermFrequencies* tf)
    : profile_(profile), prior_weight_(std::log2(prior / (1 - prior))), tf_(tf) {
    const std::size_t nf = profile.fields.size();
    weights_.resize(nf);
    max_rest_.assign(nf + 1, 0.0);
    tf_exact_level_.assign(nf, -2);  // -2 never equals a level (levels >= 0, NULL is -1)
    for (std::size_t f = 0; f < nf; ++f) {
        const auto& levels = profile.fields[f].levels;
        for (const Level& l : levels) weights_[f].push_back(std::log2(l.m / l.u));
        if (tf && profile.fields[f].tf && tf->has_field(f))
            for (std::size_t l = 0; l < levels.size(); ++l)
                if (levels[l].condition == Condition::Exact) {
                    tf_exact_level_[f] = static_cast<int>(l);
                    // The rarest value bounds the weight the pruning in weight_at_least may expect.
                    weights_[f].push_back(std::log2(levels[l].m / tf->floor(f)));
                    break;
                }
    }
    // Cheap comparisons (integer/hash equality) first, string similarities last: a clear
    // non-match is usually rejected before any jaro-winkler runs.
    auto cost = [&](std::size_t f) {
        switch (profile.fields[f].type) {
        case FieldType::Date:
        case FieldType::Exact:
        case FieldType::Number: return 0;
        case FieldType::IdNumber:
        case FieldType::Phone: return 1;
        case FieldType::Email: return 2;
        default: return 3;
        }
    };
    for (std::size_t f = 0; f < nf; ++f) order_.push_back(f);
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t x, std::size_t y) { return cost(x) < cost(y); });
    for (std::size_t k = nf; k-- > 0;) {
        double best = 0;  // the NULL level adds 0
        for (double w : weights_[order_[k]]) best = std::max(best, w);
        max_rest_[k] = max_rest_[k + 1] + best;
    }
}

double Scorer::weight(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b) const {
    double w = prior_weight_;
    for (std::size_t f = 0; f < weights_.size(); ++f)
        w += field_weight(f, compare_field(profile_.fields[f], f, L, a, R, b), R, b);
    return w;
}

bool Scorer::weight_at_least(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b,
                             double min_weight, double& out) const {
    double w = prior_weight_;
    for (std::size_t k = 0; k < order_.size(); ++k) {
        if (w + max_rest_[k] < min_weight) return false;
        const std::size_t f = order_[k];
        w += field_weight(f, compare_field(profile_.fields[f], f, L, a, R, b), R, b);
    }
    out = w;
    return w >= min_weight;
}

double Scorer::probability(double w) {
    if (w > 60) return 1.0;
    double e = std::exp2(w);
    return e / (1 + e);
}

double Scorer::weight_for_probability(double p) {
    if (p <= 0) return -INFINITY;
    if (p >= 1) return INFINITY;
    return std::log2(p / (1 - p));
}

}  // namespace usermatch::engine
