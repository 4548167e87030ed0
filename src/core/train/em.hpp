// Expectation-maximisation of Fellegi-Sunter m probabilities and the match share (lambda) over
// COMPRESSED comparison vectors: each distinct vector of level indices is stored once with the
// number of pairs that produced it, so an iteration costs O(distinct vectors), not O(pairs).
//
// u probabilities are held fixed (they come from random sampling); fields marked `fixed` (the
// fields of the blocking rule that produced the pairs) are left out of the likelihood entirely:
// inside that rule's blocks they agree by construction and carry no information about matching.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace usermatch::train {

constexpr double kMinProbability = 1e-6;  // every m/u is clamped to [kMin, 1 - kMin]
double clamp_probability(double p);

// Distinct comparison vectors with their pair counts. A vector holds one level index per field
// (engine::kNullLevel = -1 for a NULL comparison).
class ComparisonVectors {
public:
    explicit ComparisonVectors(std::size_t fields = 0) : fields_(fields) {}

    std::size_t fields() const { return fields_; }
    std::size_t distinct() const { return counts_.size(); }
    double total() const { return total_; }
    const std::int8_t* vector(std::size_t k) const { return levels_.data() + k * fields_; }
    double count(std::size_t k) const { return counts_[k]; }

    void add(const std::int8_t* levels, double count = 1);
    void merge(const ComparisonVectors& other);

private:
    std::size_t fields_;
    std::vector<std::int8_t> levels_;  // distinct() x fields_, row-major
    std::vector<double> counts_;
    std::unordered_map<std::string, std::size_t> index_;  // vector bytes -> row
    double total_ = 0;
};

struct EmSettings {
    std::vector<std::vector<double>> m, u;  // per field, per level: starting m, fixed u
    std::vector<bool> fixed;                // per field: excluded (rule fields); empty = none
    double lambda = 0.5;                    // starting match share among the pairs
    // Per field: in a third, "related" class this field agrees only by chance (its u), while the
    // others follow level shares of their own. Empty (or no such free field): the two-class model.
    // Related people (a household sharing a phone and an address, namesakes in one city) agree on
    // contacts like a match and on dates of birth and ID numbers like strangers; without their own
    // class EM puts them among the matches (m of "else" for an ID number 0.11 where the truth is
    // 0.001 on the realistic generator), and the trained weights accept them.
    std::vector<bool> related_random;
    std::vector<bool> related_starts_apart; // per field: the related class starts from u there, not from m
    bool freeze_m = false;                  // estimate only the shares (and the related class): m stays
    int max_iterations = 25;
    double tolerance = 1e-4;                // stop when max |delta m| (and |delta lambda|) < tolerance
};

struct EmResult {
    std::vector<std::vector<double>> m;     // estimated (fixed fields: the starting values)
    std::vector<bool> estimated;            // per field: m comes from this run (free and non-NULL in matches)
    double lambda = 0;                      // match share among the pairs
    double related_share = 0;               // share of the pairs in the related class (0: two-class run)
    std::vector<std::vector<double>> related_levels;  // the related class's level shares (empty: two-class)
    int iterations = 0;
    bool converged = false;
    double max_delta = 0;                   // of the last iteration
    double log_likelihood = 0;              // of the pairs with the returned m and lambda (natural log)
    std::vector<std::string> warnings;
};

// Runs EM; never returns NaN: when an iteration degenerates (no pairs, no expected matches, a
// non-finite value) it stops with the last good estimate and a warning.
EmResult run_em(const ComparisonVectors& vectors, const EmSettings& settings);

// Natural log-likelihood of the pairs under the two-class mixture
//   P(vector) = lambda * prod m + (1 - lambda) * prod u   (over free, non-NULL fields),
// summed over every pair (count-weighted). -infinity never: probabilities are clamped.
double log_likelihood(const ComparisonVectors& vectors, const std::vector<std::vector<double>>& m,
                      const std::vector<std::vector<double>>& u, const std::vector<bool>& fixed, double lambda);

// The same under the three-class mixture of EmSettings::related_random: lambda x prod m +
// related_share x prod (u on related_random fields, related_levels on the others) + the rest x prod u.
// A two-class result (empty related_levels) gives log_likelihood().
double log_likelihood(const ComparisonVectors& vectors, const EmResult& fitted, const std::vector<std::vector<double>>& u,
                      const std::vector<bool>& fixed, const std::vector<bool>& related_random);

// Runs of EM on several blocking rules: whether run `r` learnt a household or family class rather
// than matches. It did on field f when f is `stable` (a name, date or ID number a person keeps), its
// "matches" disagree completely on f (the last level, "else") more than kHouseholdMinElse of the
// time, and more than kHouseholdElseRatio times as often as in the median of the other runs that
// estimated f and are marked in `reference` (empty: every run). NC voters' suggested rule on surname initials + postcode gave m(given name "else")
// = 0.39 where the rule on the surname alone gave 0.026 (the truth: 0.009), and its m made every
// same-surname neighbour a match. Left alone: noisy data where matches really differ on a name
// (FEBRL: 0.12-0.23 under every rule), and a rule whose blocking merely selects cleaner pairs than
// the others (splink_fake_1000: first name 0.014 under surname prefix + city, 0.06-0.24 under the
// rest; comparing with the least, not the median, left out two good runs and cost 0.012 F1).
// Returns the first such field, or nothing. The trainer asks only about runs that count (not
// collapsed, at least kHouseholdMinMatches expected matches) and compares them with those.
constexpr double kHouseholdMinElse = 0.2;
constexpr double kHouseholdElseRatio = 8;
constexpr double kHouseholdMinMatches = 20;
std::optional<std::size_t> household_field(const std::vector<EmResult>& runs, std::size_t r,
                                           const std::vector<bool>& stable, const std::vector<bool>& reference = {});

// P(match | vector) for each distinct vector, with the given parameters (fields in `fixed` skipped).
std::vector<double> match_probabilities(const ComparisonVectors& vectors, const std::vector<std::vector<double>>& m,
                                        const std::vector<std::vector<double>>& u, const std::vector<bool>& fixed,
                                        double lambda);

}  // namespace usermatch::train
