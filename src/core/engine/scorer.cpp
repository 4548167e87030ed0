#include "core/engine/scorer.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>

namespace usermatch::engine {

Scorer::Scorer(const Profile& profile, double prior, const TermFrequencies* tf)
    : profile_(profile), prior_weight_(std::log2(prior / (1 - prior))), tf_(tf) {
    const std::size_t nf = profile.fields.size();
    if (nf > kMaxFields)  // the per-pair level arrays are on the stack
        throw Error(ErrorCode::ProgramLimit, "matching profile has " + std::to_string(nf) + " fields; at most " +
                                                 std::to_string(kMaxFields) + " are allowed");
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
    interactions_.resize(nf);
    for (const Interaction& in : profile.interactions) {
        if (in.field >= nf || in.given >= nf) continue;
        const auto& levels = profile.fields[in.field].levels;
        std::vector<double> w(levels.size(), NAN);
        for (std::size_t l = 0; l + 1 < levels.size() && l < in.u.size(); ++l)  // never "else"
            if (in.u[l] > levels[l].u) w[l] = std::log2(levels[l].m / in.u[l]);
        interactions_[in.field].emplace_back(in.given, std::move(w));
        any_interaction_ = true;
    }
    for (std::size_t f = 0; f < nf; ++f) order_.push_back(f);
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t x, std::size_t y) { return cost(x) < cost(y); });
    for (std::size_t k = nf; k-- > 0;) {
        double best = 0;  // the NULL level adds 0
        for (double w : weights_[order_[k]]) best = std::max(best, w);
        max_rest_[k] = max_rest_[k + 1] + best;
    }
}

double Scorer::interaction_correction(std::size_t f, const int* levels, double plain, std::size_t* given) const {
    double lowest = plain;
    std::size_t by = weights_.size();
    if (levels[f] >= 0)
        for (const auto& [g, w] : interactions_[f]) {
            // `given` at its first level, and a lower weight for the level `f` reached.
            if (levels[g] != 0 || static_cast<std::size_t>(levels[f]) >= w.size()) continue;
            const double x = w[static_cast<std::size_t>(levels[f])];
            if (!std::isnan(x) && x < lowest) lowest = x, by = g;
        }
    if (given) *given = by;
    return lowest - plain;
}

double Scorer::corrections(const int* levels, const double* plain) const {
    double c = 0;
    for (std::size_t f = 0; f < weights_.size(); ++f)
        if (!interactions_[f].empty()) c += interaction_correction(f, levels, plain[f]);
    return c;
}

double Scorer::weight(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b) const {
    double w = prior_weight_;
    const std::size_t nf = weights_.size();
    int levels[kMaxFields];
    double plain[kMaxFields];
    for (std::size_t f = 0; f < nf; ++f) {
        levels[f] = compare_field(profile_.fields[f], f, L, a, R, b);
        plain[f] = field_weight(f, levels[f], R, b);
        w += plain[f];
    }
    return any_interaction_ ? w + corrections(levels, plain) : w;
}

bool Scorer::weight_at_least(const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b,
                             double min_weight, double& out) const {
    double w = prior_weight_;
    int levels[kMaxFields];
    double plain[kMaxFields];
    for (std::size_t k = 0; k < order_.size(); ++k) {
        if (w + max_rest_[k] < min_weight) return false;
        const std::size_t f = order_[k];
        levels[f] = compare_field(profile_.fields[f], f, L, a, R, b);
        plain[f] = field_weight(f, levels[f], R, b);
        w += plain[f];
    }
    if (any_interaction_) w += corrections(levels, plain);
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
