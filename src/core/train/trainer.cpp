#include "core/train/trainer.hpp"

#include "core/engine/task_runner.hpp"
#include "core/train/em.hpp"
#include "core/train/level_estimates.hpp"
#include "core/train/pair_levels.hpp"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

namespace usermatch::train {

using engine::Profile;
using engine::RecordStore;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

using Table = std::vector<std::vector<double>>;

Table level_values(const Profile& p, bool m) {
    Table t(p.fields.size());
    for (std::size_t f = 0; f < p.fields.size(); ++f)
        for (const auto& l : p.fields[f].levels) t[f].push_back(m ? l.m : l.u);
    return t;
}

// u from the sampled level counts; fields NULL in every sampled pair keep their u.
void estimate_u(const Profile& p, const LevelCounts& c, Table& u, std::vector<std::vector<bool>>& floored,
                json& warnings) {
    for (std::size_t f = 0; f < p.fields.size(); ++f) {
        if (c.non_null[f] == 0) {
            warnings.push_back("field " + p.fields[f].name + ": no sampled pair has both values; u kept");
            continue;
        }
        std::vector<bool> fl;
        u[f] = shares_with_floor(c.reached[f], &fl);
        floored[f] = fl;
    }
}

Profile single_rule(const Profile& p, std::size_t r) {
    Profile q = p;
    q.blocking = {p.blocking[r]};
    return q;
}

json rule_text(const engine::BlockingRule& rule) {
    json keys = json::array();
    for (const auto& k : rule.keys) keys.push_back(k.text);
    return keys;
}

// Match share among the pairs with m and u fixed: lambda = mean posterior, to a fixed point.
EmResult match_share(const ComparisonVectors& v, const Table& m, const Table& u, const TrainOptions& o) {
    EmResult r;
    r.lambda = 0.5;
    for (int it = 1; it <= std::max(1, o.max_iterations) * 4; ++it) {
        std::vector<double> p = match_probabilities(v, m, u, {}, r.lambda);
        double e = 0;
        for (std::size_t k = 0; k < p.size(); ++k) e += p[k] * v.count(k);
        double next = clamp_probability(e / v.total());
        r.max_delta = std::fabs(next - r.lambda);
        r.lambda = next;
        r.iterations = it;
        if (r.max_delta < o.tolerance * 0.01) {
            r.converged = true;
            break;
        }
    }
    return r;
}

}  // namespace

TrainResult train(const Profile& profile, const RecordStore& left, const RecordStore* right, const TrainOptions& o) {
    const auto t_start = Clock::now();
    const std::size_t nf = profile.fields.size();
    engine::TaskRunner runner(o.threads, o.keep_going);
    json summary = json::object(), warnings = json::array();
    summary["mode"] = right ? "link" : "dedupe";
    summary["records"] = {{"left", left.size()}, {"right", right ? right->size() : left.size()}};

    Table m = level_values(profile, true), u = level_values(profile, false);
    std::vector<std::vector<bool>> floored(nf);
    for (std::size_t f = 0; f < nf; ++f) floored[f].assign(u[f].size(), false);

    // 1. u from random pairs.
    auto t = Clock::now();
    if (o.estimate_u) {
        LevelCounts counts = sample_level_counts(profile, left, right, o.max_pairs, o.seed, runner);
        if (counts.pairs == 0) warnings.push_back("fewer than two records: no pair to sample; u kept");
        else estimate_u(profile, counts, u, floored, warnings);
        summary["u"] = {{"pairs_sampled", counts.pairs}, {"exhaustive", counts.exhaustive}, {"seconds", since(t)}};
    }
    const double u_seconds = since(t);

    // 2. m by EM, one run per blocking rule.
    t = Clock::now();
    json rules = json::array();
    Table m_sum(nf);
    std::vector<int> m_runs(nf, 0);
    for (std::size_t f = 0; f < nf; ++f) m_sum[f].assign(m[f].size(), 0.0);
    bool all_converged = true;
    for (std::size_t r = 0; o.estimate_m && r < profile.blocking.size(); ++r) {
        auto tr = Clock::now();
        Profile rule_profile = single_rule(profile, r);
        ComparisonVectors v = candidate_vectors(rule_profile, left, right, runner);
        EmSettings s;
        s.m = m;
        s.u = u;
        s.fixed.assign(nf, false);
        json fixed = json::array();
        for (const auto& k : profile.blocking[r].keys)
            if (!s.fixed[k.field]) s.fixed[k.field] = true, fixed.push_back(profile.fields[k.field].name);
        s.max_iterations = o.max_iterations;
        s.tolerance = o.tolerance;
        EmResult e = run_em(v, s);
        json rule = {{"rule", rule_text(profile.blocking[r])}, {"candidate_pairs", v.total()},
                     {"distinct_vectors", v.distinct()}, {"fixed_fields", fixed}, {"iterations", e.iterations},
                     {"converged", e.converged}, {"match_share", e.lambda}, {"seconds", since(tr)}};
        for (const auto& w : e.warnings) warnings.push_back("rule " + std::to_string(r) + ": " + w);
        if (v.total() > 0) all_converged = all_converged && e.converged;
        if (e.iterations > 0)
            for (std::size_t f = 0; f < nf; ++f) {
                if (!e.estimated[f]) continue;
                ++m_runs[f];
                for (std::size_t l = 0; l < m[f].size(); ++l) m_sum[f][l] += e.m[f][l];
            }
        rules.push_back(rule);
    }
    for (std::size_t f = 0; f < nf && o.estimate_m; ++f) {
        if (m_runs[f] == 0) {
            warnings.push_back("field " + profile.fields[f].name +
                               ": m not estimated (no blocking rule leaves it free with pairs to learn from); m kept");
            continue;
        }
        for (std::size_t l = 0; l < m[f].size(); ++l) m[f][l] = clamp_probability(m_sum[f][l] / m_runs[f]);
    }
    summary["rules"] = rules;
    const double em_seconds = since(t);

    // 3. Population prior from all candidate pairs with the final weights.
    t = Clock::now();
    TrainResult out;
    out.profile = profile;
    for (std::size_t f = 0; f < nf; ++f)
        for (std::size_t l = 0; l < m[f].size(); ++l) {
            out.profile.fields[f].levels[l].m = clamp_probability(m[f][l]);
            out.profile.fields[f].levels[l].u = clamp_probability(u[f][l]);
        }
    for (auto& field : out.profile.fields)
        if (int n = raise_to_else_weight(field))
            warnings.push_back("field " + field.name + ": " + std::to_string(n) +
                               " level(s) weighed below \"else\"; m raised to the \"else\" weight");
    for (std::size_t f = 0; f < nf; ++f)
        for (std::size_t l = 0; l < m[f].size(); ++l) m[f][l] = out.profile.fields[f].levels[l].m;
    const double possible = possible_pairs(left, right);
    json prior = {{"possible_pairs", possible}};
    if (possible >= 1 && o.estimate_m) {
        ComparisonVectors all = candidate_vectors(profile, left, right, runner);
        prior["candidate_pairs"] = all.total();
        if (all.total() > 0) {
            EmResult share = match_share(all, m, u, o);
            const double expected = share.lambda * all.total();
            out.profile.prior = std::min(0.5, std::max(1e-12, expected / possible));
            prior["match_share"] = share.lambda;
            prior["expected_matches"] = expected;
            prior["prior"] = *out.profile.prior;
        } else {
            warnings.push_back("no candidate pairs: prior kept");
        }
    } else if (possible < 1) {
        warnings.push_back("fewer than two records: prior kept");
    }
    summary["prior"] = prior;
    const double prior_seconds = since(t);

    // 4. Term frequencies and the per-level report.
    t = Clock::now();
    out.term_frequencies = TermFrequencies(out.profile, left, right);
    json fields = json::array(), tf = json::array();
    for (std::size_t f = 0; f < nf; ++f) {
        const engine::Field& field = out.profile.fields[f];
        json levels = json::array();
        for (std::size_t l = 0; l < field.levels.size(); ++l) {
            const auto& lv = field.levels[l];
            levels.push_back({{"level", lv.name}, {"m", lv.m}, {"u", lv.u}, {"match_weight", std::log2(lv.m / lv.u)},
                              {"u_floor", floored[f][l]}});
            if (floored[f][l])
                warnings.push_back("field " + field.name + " level " + lv.name +
                                   ": never reached by a sampled pair; u set to the floor");
        }
        fields.push_back({{"name", field.name}, {"m_rules", m_runs[f]}, {"levels", levels}});
        if (field.tf) tf.push_back({{"field", field.name}, {"distinct", out.term_frequencies.distinct(f)}});
    }
    summary["fields"] = fields;
    summary["term_frequencies"] = tf;
    summary["converged"] = all_converged;
    summary["warnings"] = warnings;
    summary["seconds"] = {{"u", u_seconds}, {"em", em_seconds}, {"prior", prior_seconds},
                          {"term_frequencies", since(t)}, {"total", since(t_start)}};
    out.summary_json = summary.dump();
    return out;
}

}  // namespace usermatch::train
