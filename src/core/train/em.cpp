#include "core/train/em.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace usermatch::train {

double clamp_probability(double p) {
    if (!(p == p)) return kMinProbability;  // NaN
    return std::min(1 - kMinProbability, std::max(kMinProbability, p));
}

void ComparisonVectors::add(const std::int8_t* levels, double count) {
    std::string key(reinterpret_cast<const char*>(levels), fields_);
    auto [it, inserted] = index_.try_emplace(std::move(key), counts_.size());
    if (inserted) {
        levels_.insert(levels_.end(), levels, levels + fields_);
        counts_.push_back(0);
    }
    counts_[it->second] += count;
    total_ += count;
}

void ComparisonVectors::merge(const ComparisonVectors& other) {
    for (std::size_t k = 0; k < other.distinct(); ++k) add(other.vector(k), other.count(k));
}

namespace {

bool is_fixed(const std::vector<bool>& fixed, std::size_t f) { return f < fixed.size() && fixed[f]; }

// log2 Bayes factor of a vector: sum over free, non-NULL fields of log2(m/u).
double log_factor(const std::int8_t* v, std::size_t nf, const std::vector<std::vector<double>>& m,
                  const std::vector<std::vector<double>>& u, const std::vector<bool>& fixed) {
    double w = 0;
    for (std::size_t f = 0; f < nf; ++f) {
        if (v[f] < 0 || is_fixed(fixed, f)) continue;
        const auto l = static_cast<std::size_t>(v[f]);
        w += std::log2(m[f][l] / u[f][l]);
    }
    return w;
}

double posterior(double log2_factor, double lambda) {
    double w = std::log2(lambda / (1 - lambda)) + log2_factor;
    if (w > 60) return 1;
    if (w < -60) return 0;
    double e = std::exp2(w);
    return e / (1 + e);
}

// Under the three-class mixture of EmSettings::related_random, the natural log of each class's
// share times P(vector | class): {match, related, non-match}. Probabilities are clamped.
using Levels = std::vector<std::vector<double>>;
std::array<double, 3> three_class_logs(const std::int8_t* v, std::size_t nf, const Levels& m, const Levels& related,
                                       const Levels& u, const std::vector<bool>& fixed,
                                       const std::vector<bool>& related_random, double lambda, double related_share) {
    double lm = std::log(clamp_probability(lambda)), lr = std::log(clamp_probability(related_share)),
           lu = std::log(clamp_probability(1 - lambda - related_share));
    for (std::size_t f = 0; f < nf; ++f) {
        if (v[f] < 0 || is_fixed(fixed, f)) continue;
        const auto l = static_cast<std::size_t>(v[f]);
        const double lnu = std::log(clamp_probability(u[f][l]));
        lm += std::log(clamp_probability(m[f][l]));
        lu += lnu;
        lr += f < related_random.size() && related_random[f] ? lnu : std::log(clamp_probability(related[f][l]));
    }
    return {lm, lr, lu};
}

}  // namespace

std::vector<double> match_probabilities(const ComparisonVectors& vectors, const std::vector<std::vector<double>>& m,
                                        const std::vector<std::vector<double>>& u, const std::vector<bool>& fixed,
                                        double lambda) {
    std::vector<double> p(vectors.distinct());
    for (std::size_t k = 0; k < p.size(); ++k)
        p[k] = posterior(log_factor(vectors.vector(k), vectors.fields(), m, u, fixed), lambda);
    return p;
}

double log_likelihood(const ComparisonVectors& vectors, const std::vector<std::vector<double>>& m,
                      const std::vector<std::vector<double>>& u, const std::vector<bool>& fixed, double lambda) {
    const std::size_t nf = vectors.fields();
    lambda = clamp_probability(lambda);
    const double log_match = std::log(lambda), log_non = std::log1p(-lambda);
    double total = 0;
    for (std::size_t k = 0; k < vectors.distinct(); ++k) {
        const std::int8_t* v = vectors.vector(k);
        double lm = log_match, lu = log_non;
        for (std::size_t f = 0; f < nf; ++f) {
            if (v[f] < 0 || is_fixed(fixed, f)) continue;
            const auto l = static_cast<std::size_t>(v[f]);
            lm += std::log(clamp_probability(m[f][l]));
            lu += std::log(clamp_probability(u[f][l]));
        }
        const double hi = std::max(lm, lu);
        total += vectors.count(k) * (hi + std::log(std::exp(lm - hi) + std::exp(lu - hi)));
    }
    return total;
}

double log_likelihood(const ComparisonVectors& vectors, const EmResult& fitted, const std::vector<std::vector<double>>& u,
                      const std::vector<bool>& fixed, const std::vector<bool>& related_random) {
    if (fitted.related_levels.empty()) return log_likelihood(vectors, fitted.m, u, fixed, fitted.lambda);
    double total = 0;
    for (std::size_t k = 0; k < vectors.distinct(); ++k) {
        const auto [lm, lr, lu] = three_class_logs(vectors.vector(k), vectors.fields(), fitted.m, fitted.related_levels, u,
                                                   fixed, related_random, fitted.lambda, fitted.related_share);
        const double hi = std::max({lm, lr, lu});
        total += vectors.count(k) * (hi + std::log(std::exp(lm - hi) + std::exp(lr - hi) + std::exp(lu - hi)));
    }
    return total;
}

namespace {
EmResult run_em_iterations(const ComparisonVectors& vectors, const EmSettings& s);
}  // namespace

EmResult run_em(const ComparisonVectors& vectors, const EmSettings& s) {
    EmResult r = run_em_iterations(vectors, s);
    std::vector<std::vector<double>> u = s.u;
    if (vectors.total() > 0) r.log_likelihood = log_likelihood(vectors, r, u, s.fixed, s.related_random);
    return r;
}

namespace {

// The related class is used when some free field agrees in it only by chance and some other free
// field is left to follow its own level shares; otherwise it could not be told from the others.
bool use_related_class(const EmSettings& s, std::size_t nf) {
    bool random = false, own = false;
    for (std::size_t f = 0; f < nf; ++f) {
        if (is_fixed(s.fixed, f)) continue;
        (f < s.related_random.size() && s.related_random[f] ? random : own) = true;
    }
    return random && own;
}

EmResult run_em_iterations(const ComparisonVectors& vectors, const EmSettings& s) {
    const std::size_t nf = vectors.fields();
    EmResult r;
    r.m = s.m;
    for (auto& levels : r.m)
        for (double& x : levels) x = clamp_probability(x);
    std::vector<std::vector<double>> u = s.u;
    for (auto& levels : u)
        for (double& x : levels) x = clamp_probability(x);
    r.lambda = clamp_probability(s.lambda);
    r.estimated.assign(nf, false);
    if (vectors.total() <= 0) {
        r.warnings.push_back("no pairs: m and lambda not estimated");
        return r;
    }
    const bool related = use_related_class(s, nf);
    auto random_in_related = [&](std::size_t f) { return f < s.related_random.size() && s.related_random[f]; };
    // Related class: starts as large as the match class, agreeing like a match on its own fields
    // (on related_starts_apart fields, like a non-match).
    std::vector<std::vector<double>> rel = r.m;
    for (std::size_t f = 0; f < nf && f < s.related_starts_apart.size(); ++f)
        if (s.related_starts_apart[f]) rel[f] = u[f];
    double rel_share = related ? std::min(r.lambda, 0.5 * (1 - r.lambda)) : 0;
    std::vector<std::vector<double>> mass(nf), rel_mass(nf);  // expected pairs per field level, by class
    std::vector<double> p(vectors.distinct()), pr(vectors.distinct(), 0.0);
    for (int it = 1; it <= std::max(1, s.max_iterations); ++it) {
        if (!related) {
            p = match_probabilities(vectors, r.m, u, s.fixed, r.lambda);
        } else {
            for (std::size_t k = 0; k < p.size(); ++k) {
                const auto [lm, lr, lu] = three_class_logs(vectors.vector(k), nf, r.m, rel, u, s.fixed, s.related_random,
                                                           r.lambda, rel_share);
                const double hi = std::max({lm, lr, lu});
                const double em = std::exp(lm - hi), er = std::exp(lr - hi), eu = std::exp(lu - hi);
                p[k] = em / (em + er + eu);
                pr[k] = er / (em + er + eu);
            }
        }
        double matches = 0, relatives = 0;
        for (std::size_t f = 0; f < nf; ++f) mass[f].assign(r.m[f].size(), 0.0), rel_mass[f].assign(r.m[f].size(), 0.0);
        for (std::size_t k = 0; k < p.size(); ++k) {
            const double e = p[k] * vectors.count(k), er = pr[k] * vectors.count(k);
            matches += e;
            relatives += er;
            const std::int8_t* v = vectors.vector(k);
            for (std::size_t f = 0; f < nf; ++f)
                if (v[f] >= 0 && !is_fixed(s.fixed, f)) {
                    mass[f][static_cast<std::size_t>(v[f])] += e;
                    rel_mass[f][static_cast<std::size_t>(v[f])] += er;
                }
        }
        if (!(matches > 1e-9) || !std::isfinite(matches) || !std::isfinite(relatives)) {
            r.warnings.push_back("iteration " + std::to_string(it) +
                                 ": no pair is expected to match; kept the previous estimate");
            return r;
        }
        std::vector<std::vector<double>> next = r.m;
        std::vector<bool> estimated(nf, false);
        for (std::size_t f = 0; f < nf && !s.freeze_m; ++f) {
            if (is_fixed(s.fixed, f)) continue;
            double total = 0;
            for (double x : mass[f]) total += x;
            if (!(total > 1e-12)) continue;  // field NULL in every (expected) match: keep its m
            estimated[f] = true;
            for (std::size_t l = 0; l < next[f].size(); ++l) next[f][l] = clamp_probability(mass[f][l] / total);
        }
        double delta = 0;
        if (related) {
            for (std::size_t f = 0; f < nf; ++f) {
                if (is_fixed(s.fixed, f) || random_in_related(f)) continue;
                double total = 0;
                for (double x : rel_mass[f]) total += x;
                if (!(total > 1e-12)) continue;
                // A change of the related class's level shares moves the mixture in proportion to
                // the class's size: a class of a few pairs whose shares keep wandering has converged.
                for (std::size_t l = 0; l < rel[f].size(); ++l) {
                    const double x = clamp_probability(rel_mass[f][l] / total);
                    delta = std::max(delta, std::fabs(x - rel[f][l]) * std::min(1.0, rel_share / r.lambda));
                    rel[f][l] = x;
                }
            }
            const double next_rel = relatives / vectors.total();
            delta = std::max(delta, std::fabs(next_rel - rel_share));
            rel_share = next_rel;
        }
        const double next_lambda = clamp_probability(matches / vectors.total());
        delta = std::max(delta, std::fabs(next_lambda - r.lambda));
        for (std::size_t f = 0; f < nf; ++f)
            for (std::size_t l = 0; l < next[f].size(); ++l) delta = std::max(delta, std::fabs(next[f][l] - r.m[f][l]));
        if (!std::isfinite(delta)) {
            r.warnings.push_back("iteration " + std::to_string(it) + ": non-finite value; kept the previous estimate");
            return r;
        }
        r.m = std::move(next);
        r.estimated = std::move(estimated);
        r.lambda = next_lambda;
        r.related_share = rel_share;
        if (related) r.related_levels = rel;
        r.iterations = it;
        r.max_delta = delta;
        if (delta < s.tolerance) {
            r.converged = true;
            return r;
        }
    }
    r.warnings.push_back("did not converge in " + std::to_string(r.iterations) + " iterations (last max |delta| " +
                         std::to_string(r.max_delta) + "); kept the last estimate");
    return r;
}

}  // namespace

std::optional<std::size_t> household_field(const std::vector<EmResult>& runs, std::size_t r,
                                           const std::vector<bool>& stable, const std::vector<bool>& reference) {
    auto m_else = [&](std::size_t run, std::size_t f) -> std::optional<double> {
        const EmResult& e = runs[run];
        if (e.iterations == 0 || f >= e.estimated.size() || !e.estimated[f] || f >= e.m.size() || e.m[f].empty())
            return std::nullopt;
        return e.m[f].back();
    };
    if (r >= runs.size()) return std::nullopt;
    for (std::size_t f = 0; f < stable.size(); ++f) {
        if (!stable[f]) continue;
        const auto mine = m_else(r, f);
        if (!mine || *mine <= kHouseholdMinElse) continue;
        std::vector<double> theirs;
        for (std::size_t other = 0; other < runs.size(); ++other)
            if (other != r && (reference.empty() || (other < reference.size() && reference[other])))
                if (const auto x = m_else(other, f)) theirs.push_back(*x);
        if (theirs.empty()) continue;
        std::sort(theirs.begin(), theirs.end());
        const std::size_t h = theirs.size() / 2;
        const double median = theirs.size() % 2 ? theirs[h] : (theirs[h - 1] + theirs[h]) / 2;
        if (*mine > kHouseholdElseRatio * median) return f;
    }
    return std::nullopt;
}

}  // namespace usermatch::train
