#include "core/train/labels.hpp"

#include "core/engine/comparison.hpp"
#include "core/engine/scorer.hpp"
#include "core/errors.hpp"
#include "core/train/em.hpp"
#include "core/train/level_estimates.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace usermatch::train {

using engine::Scorer;

ThresholdChoice choose_threshold(std::vector<std::pair<double, bool>> scored, std::optional<double> target) {
    ThresholdChoice c;
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::uint64_t positives = 0;
    for (const auto& s : scored) positives += s.second;
    std::uint64_t predicted = 0, tp = 0;
    for (std::size_t i = 0; i < scored.size();) {
        const double t = scored[i].first;
        for (; i < scored.size() && scored[i].first == t; ++i) ++predicted, tp += scored[i].second;
        CurvePoint p{t, double(tp) / double(predicted), positives ? double(tp) / double(positives) : 0.0, 0,
                     predicted, tp};
        p.f1 = p.precision + p.recall > 0 ? 2 * p.precision * p.recall / (p.precision + p.recall) : 0;
        c.curve.push_back(p);
    }
    if (c.curve.empty()) return c;
    std::size_t best_f1 = 0;  // ties keep the higher threshold
    for (std::size_t k = 1; k < c.curve.size(); ++k)
        if (c.curve[k].f1 > c.curve[best_f1].f1) best_f1 = k;
    c.chosen = best_f1;
    if (target) {
        c.target_reached = false;
        for (std::size_t k = 0; k < c.curve.size(); ++k)
            if (c.curve[k].precision >= *target) c.chosen = k, c.target_reached = true;  // last = highest recall
        if (!c.target_reached) c.chosen = best_f1;
    }
    double w = Scorer::weight_for_probability(c.curve[c.chosen].threshold);
    if (c.chosen + 1 < c.curve.size()) {
        const double below = Scorer::weight_for_probability(c.curve[c.chosen + 1].threshold);
        if (std::isfinite(w) && std::isfinite(below)) w = (w + below) / 2;
    }
    c.threshold = std::isfinite(w) ? Scorer::probability(w) : c.curve[c.chosen].threshold;
    c.threshold = std::min(1 - 1e-9, std::max(1e-9, c.threshold));
    return c;
}

LabelResult train_labels(const engine::Profile& profile, const engine::RecordStore& left,
                         const engine::RecordStore* right, const std::vector<LabelledPair>& labels,
                         const LabelOptions& o) {
    const engine::RecordStore& R = right ? *right : left;
    const std::size_t nf = profile.fields.size();
    LabelResult out;
    out.profile = profile;
    // Interactions belong to the m/u train estimated them with, which the labels replace.
    const bool had_interactions = !out.profile.interactions.empty();
    out.profile.interactions.clear();
    // Level of every field for every usable label.
    struct Row {
        std::size_t a, b;
        bool match;
    };
    std::vector<Row> rows;
    for (const LabelledPair& l : labels) {
        auto a = left.find(l.left_id), b = R.find(l.right_id);
        if (!a || !b || (!right && *a == *b)) {
            ++out.unknown_ids;
            continue;
        }
        rows.push_back({*a, *b, l.is_match});
        ++(l.is_match ? out.matches : out.non_matches);
    }
    if (out.matches == 0)
        throw Error(ErrorCode::InvalidParameter, "train_labels: labels hold no matching pair with known ids",
                    std::to_string(out.unknown_ids) + " label(s) name ids not in the source");
    out.u_estimated = out.non_matches >= o.min_non_matches_for_u;
    nlohmann::json warnings = nlohmann::json::array();
    for (std::size_t f = 0; f < nf; ++f) {
        engine::Field& field = out.profile.fields[f];
        std::vector<std::uint64_t> in_match(field.levels.size(), 0), in_non(field.levels.size(), 0);
        for (const Row& r : rows) {
            int lv = engine::compare_field(field, f, left, r.a, R, r.b);
            if (lv >= 0) ++(r.match ? in_match : in_non)[static_cast<std::size_t>(lv)];
        }
        std::vector<double> m = shares_with_floor(in_match), u = out.u_estimated ? shares_with_floor(in_non)
                                                                                   : std::vector<double>();
        if (m.empty()) warnings.push_back("field " + field.name + ": NULL in every matching label; m kept");
        if (out.u_estimated && u.empty()) warnings.push_back("field " + field.name + ": NULL in every non-matching label; u kept");
        for (std::size_t l = 0; l < field.levels.size(); ++l) {
            if (!m.empty()) field.levels[l].m = m[l];
            if (!u.empty()) field.levels[l].u = u[l];
        }
        if (int n = raise_to_else_weight(field))
            warnings.push_back("field " + field.name + ": " + std::to_string(n) + " level(s) raised to the \"else\" weight");
    }
    const double prior = engine::effective_prior(out.profile, left.size(), right ? right->size() : 0);
    Scorer scorer(out.profile, prior);
    std::vector<std::pair<double, bool>> scored;
    for (const Row& r : rows) scored.emplace_back(Scorer::probability(scorer.weight(left, r.a, R, r.b)), r.match);
    out.choice = choose_threshold(std::move(scored), o.target_precision);
    out.profile.threshold = out.choice.threshold;
    out.profile.threshold_auto = out.profile.threshold_resolved = false;  // chosen from labels, not "auto"
    if (!out.choice.target_reached) warnings.push_back("target precision not reached by any threshold; chose max F1");
    if (had_interactions) warnings.push_back("the profile's interactions dropped: they belong to the weights train estimated");
    const CurvePoint& best = out.choice.curve[out.choice.chosen];
    nlohmann::json s = {{"matches", out.matches}, {"non_matches", out.non_matches}, {"unknown_ids", out.unknown_ids},
                        {"u_estimated", out.u_estimated}, {"threshold", out.choice.threshold},
                        {"precision", best.precision}, {"recall", best.recall}, {"f1", best.f1},
                        {"warnings", warnings}};
    out.summary_json = s.dump();
    return out;
}

}  // namespace usermatch::train
