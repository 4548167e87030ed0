#include "core/engine/explain.hpp"

#include "core/engine/comparison.hpp"
#include "core/engine/scorer.hpp"
#include "core/errors.hpp"

#include <nlohmann/json.hpp>

namespace usermatch::engine {

using nlohmann::json;

std::string explain_pair(const Profile& profile, const std::vector<RawValue>& a, const std::vector<RawValue>& b,
                         std::size_t population) {
    const std::size_t with_extra = profile.fields.size() + profile.extra_columns.size();
    if ((a.size() != profile.fields.size() && a.size() != with_extra) ||
        (b.size() != profile.fields.size() && b.size() != with_extra))
        throw Error(ErrorCode::InvalidParameter, "explain: each record needs " +
                                                     std::to_string(profile.fields.size()) + " values (one per field)");
    RecordStore sa(profile), sb(profile);
    sa.append("a", a);
    sb.append("b", b);
    const double prior = effective_prior(profile, population, population);
    Scorer scorer(profile, prior);
    double total = scorer.prior_weight();
    json fields = json::array();
    auto raw = [](const RawValue& v) { return v ? json(std::string(*v)) : json(nullptr); };
    std::vector<int> levels(profile.fields.size());
    for (std::size_t f = 0; f < profile.fields.size(); ++f) levels[f] = compare_field(profile.fields[f], f, sa, 0, sb, 0);
    for (std::size_t f = 0; f < profile.fields.size(); ++f) {
        const Field& field = profile.fields[f];
        const FieldColumn &ca = sa.column(f), &cb = sb.column(f);
        const int level = levels[f];
        double weight = scorer.level_weight(f, level);
        json jf = json::object();
        jf["name"] = field.name;
        jf["a"] = raw(a[f]);
        jf["b"] = raw(b[f]);
        jf["normalized_a"] = ca.is_null(0) ? json(nullptr) : json(std::string(ca.norm[0]));
        jf["normalized_b"] = cb.is_null(0) ? json(nullptr) : json(std::string(cb.norm[0]));
        if (level == kNullLevel) {
            jf["level"] = "null";
            jf["m"] = nullptr;
            jf["u"] = nullptr;
            jf["weight"] = 0.0;
        } else {
            const Level& l = field.levels[static_cast<std::size_t>(level)];
            jf["level"] = l.name;
            jf["m"] = l.m;
            jf["u"] = l.u;
            std::size_t given = profile.fields.size();
            const double correction = scorer.interaction_correction(f, levels.data(), weight, &given);
            if (given < profile.fields.size()) {
                // The weight once `given` agrees (Interaction): the u among non-matches agreeing on it.
                jf["given"] = profile.fields[given].name;
                jf["weight_alone"] = weight;
                weight += correction;
                jf["u_given"] = l.m / std::exp2(weight);
            }
            jf["weight"] = weight;
        }
        total += weight;
        fields.push_back(jf);
    }
    json out = json::object();
    out["fields"] = fields;
    out["prior"] = prior;
    out["prior_weight"] = scorer.prior_weight();
    out["match_weight"] = total;
    double p = Scorer::probability(total);
    out["match_probability"] = p;
    out["threshold"] = profile.threshold;
    out["is_match"] = p >= profile.threshold;
    return out.dump();
}

}  // namespace usermatch::engine
