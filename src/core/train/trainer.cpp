#include "core/train/trainer.hpp"

#include "core/engine/expected_f1.hpp"
#include "core/engine/task_runner.hpp"
#include "core/train/em.hpp"
#include "core/train/level_estimates.hpp"
#include "core/train/pair_levels.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
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
EmResult match_share(const ComparisonVectors& v, const Table& m, const Table& u, const TrainOptions& o,
                     double start) {
    EmResult r;
    r.lambda = clamp_probability(start);
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

// A run with match share > 0.95 whose "matches" disagree completely on a free field a person keeps
// (stable_attribute) more often than this is one class of mixed pairs, not of matches.
constexpr double kMaxOneClassElse = 0.2;

// Attributes a person keeps across records: names, dates (of birth), ID numbers. Contacts and places
// (phone, email, address, city) legitimately change between one person's records.
bool stable_attribute(engine::FieldType t) {
    return t == engine::FieldType::PersonName || t == engine::FieldType::Date || t == engine::FieldType::IdNumber;
}

// Attributes that tell two people apart even when they live together: dates (of birth) and ID
// numbers. Relatives and namesakes agree on them only by chance (EM's related class); names are not
// among them, as a household shares a surname.
bool identity_attribute(engine::FieldType t) {
    return t == engine::FieldType::Date || t == engine::FieldType::IdNumber;
}

// Interactions (engine::Interaction), estimated on the candidate pairs. The given field a is a
// contact a household shares (a phone, an e-mail, a street address) with a blocking rule of its
// own plain key, so that every pair agreeing on it is a candidate. The field b is a contact or
// place (phone, e-mail, text, code, number) that agrees by chance more often than a; names, dates
// and ID numbers tell people apart and are left alone. Among the candidate pairs at a's first
// level that the model calls non-matches on a, names, dates and ID numbers (weight < 0), the share
// at each agreeing level of b becomes b's u given a (at most b's m), where it is at least
// kMinInteractionLift times b's u and kMinInteractionNonMatches such pairs have b.
// The realistic generator's households: among non-matches sharing a phone, 94% share the city
// (u 0.012) and 64% the address (u 0.0001); independent weights added those 6 + 13 bits to a
// household member's record and made 503 of the trained model's 776 false matches. Only household
// contacts are given fields: with any single-key rule, splink_historical_50k's birth place given
// its (place-derived) postcode and FEBRL3's street number given a birth date were damped too, and
// their trained F1 fell (0.846 -> 0.837, 0.9980 -> 0.9978); places that follow each other are the
// correlated-field damping's (dampen_correlated).
constexpr double kMinInteractionLift = 2;
constexpr double kMinInteractionNonMatches = 20;

json estimate_interactions(Profile& p, const std::vector<const ComparisonVectors*>& sets,
                           const std::function<bool()>& keep_going) {
    const std::size_t nf = p.fields.size();
    json out = json::array();
    p.interactions.clear();
    std::vector<std::vector<double>> w(nf);
    for (std::size_t f = 0; f < nf; ++f)
        for (const auto& l : p.fields[f].levels) w[f].push_back(std::log2(l.m / l.u));
    const double prior_w = std::log2(*p.prior / (1 - *p.prior));
    std::vector<bool> given(nf, false);
    for (const auto& rule : p.blocking)
        if (rule.keys.size() == 1 && rule.keys[0].transform == engine::Transform::None) given[rule.keys[0].field] = true;
    // What a household shares: a phone, an e-mail address, a street address.
    auto shared_contact = [](const engine::Field& f) {
        return f.type == engine::FieldType::Phone || f.type == engine::FieldType::Email ||
               (f.type == engine::FieldType::Text && f.normalizer == engine::Normalizer::Address);
    };
    for (std::size_t a = 0; a < nf; ++a) {
        if (!given[a] || !shared_contact(p.fields[a]) || p.fields[a].levels.size() < 2) continue;
        if (keep_going && !keep_going()) throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
        // The pairs at a's first level that a and what a household does not share (names, dates, ID
        // numbers: stable_attribute) call non-matches. Counting the other contacts would call the
        // pairs that share a phone and an address matches and leave the most household-like out.
        std::vector<std::pair<const std::int8_t*, double>> non_matches;  // vector, pairs
        for (const ComparisonVectors* set : sets)
            for (std::size_t k = 0; k < set->distinct(); ++k) {
                const std::int8_t* v = set->vector(k);
                if (v[a] != 0) continue;
                double identity = prior_w;
                for (std::size_t f = 0; f < nf; ++f)
                    if ((f == a || stable_attribute(p.fields[f].type)) && v[f] >= 0)
                        identity += w[f][static_cast<std::size_t>(v[f])];
                if (identity < 0) non_matches.emplace_back(v, set->count(k));
            }
        for (std::size_t b = 0; b < nf; ++b) {
            const auto& levels = p.fields[b].levels;
            if (b == a || stable_attribute(p.fields[b].type) || levels.size() < 2 ||
                !(levels[0].u > p.fields[a].levels[0].u))
                continue;
            std::vector<double> at(levels.size(), 0);
            double n = 0;
            for (const auto& [v, count] : non_matches)
                if (v[b] >= 0) at[static_cast<std::size_t>(v[b])] += count, n += count;
            if (n < kMinInteractionNonMatches) continue;
            engine::Interaction in;
            in.field = b;
            in.given = a;
            in.u.assign(levels.size(), 0.0);
            json u = json::object(), alone = json::object();
            for (std::size_t l = 0; l + 1 < levels.size(); ++l) {
                const double q = at[l] / n;
                if (!(q >= kMinInteractionLift * levels[l].u)) continue;
                in.u[l] = clamp_probability(std::min(q, levels[l].m));
                if (!(in.u[l] > levels[l].u)) {
                    in.u[l] = 0;
                    continue;
                }
                u[levels[l].name] = in.u[l];
                alone[levels[l].name] = levels[l].u;
            }
            if (u.empty()) continue;
            out.push_back({{"field", p.fields[b].name}, {"given", p.fields[a].name}, {"non_matches", n}, {"u", u},
                           {"u_alone", alone}});
            p.interactions.push_back(std::move(in));
        }
    }
    return out;
}

// u comes from random pairs, and a share `prior` of them are matches, which agree far more often than
// non-matches: u_observed = prior x m + (1 - prior) x u. On a large table the prior is tiny and this
// changes nothing; on a small one with several records a person (splink_fake_1000: 250 people in
// 1,000 records, prior 0.005) the matches among the random pairs made the exact levels of email and
// date of birth look 2-10 times more common by chance than they are, and the trained ranking fell
// below the default one. Each level's u becomes (u_observed - prior x m) / (1 - prior), at least the
// floor of a level never reached (1 / (2 x sampled pairs with both values)), renormalised.
void take_matches_out_of_u(Profile& p, const LevelCounts& c, double prior) {
    if (!(prior > 0) || prior >= 1) return;
    for (std::size_t f = 0; f < p.fields.size(); ++f) {
        if (f >= c.non_null.size() || c.non_null[f] == 0 || p.fields[f].levels.empty()) continue;
        const double floor = 1.0 / (2.0 * static_cast<double>(c.non_null[f]));
        double sum = 0;
        std::vector<double> u(p.fields[f].levels.size());
        for (std::size_t l = 0; l < u.size(); ++l) {
            const engine::Level& lv = p.fields[f].levels[l];
            u[l] = std::max(std::min(floor, lv.u), (lv.u - prior * lv.m) / (1 - prior));
            sum += u[l];
        }
        for (std::size_t l = 0; l < u.size(); ++l) p.fields[f].levels[l].u = clamp_probability(u[l] / sum);
    }
}

// The deterministic rule: the fields of `fields` all at their first (exact) level; with no fields,
// every non-NULL field at its first level, at least two of them (all when the profile has one).
bool deterministic(const std::int8_t* v, std::size_t nf, const std::vector<std::size_t>& fields) {
    if (!fields.empty()) {
        for (std::size_t f : fields)
            if (v[f] != 0) return false;
        return true;
    }
    std::size_t present = 0;
    for (std::size_t f = 0; f < nf; ++f) {
        if (v[f] < 0) continue;
        if (v[f] != 0) return false;
        ++present;
    }
    return present >= std::min<std::size_t>(2, nf);
}

struct Deterministic {
    std::vector<std::size_t> fields;  // the rule (empty: every non-NULL field)
    double pairs = 0;                 // pairs the rule accepts
    double expected_false = 0;        // of those, expected non-matches (random agreement)
    std::vector<double> null_share;   // per field: share of the pairs with the field NULL
};

Deterministic count_deterministic(const ComparisonVectors& v, const std::vector<std::size_t>& fields) {
    const std::size_t nf = v.fields();
    Deterministic d;
    d.fields = fields;
    d.null_share.assign(nf, 0);
    for (std::size_t k = 0; k < v.distinct(); ++k) {
        const std::int8_t* x = v.vector(k);
        if (deterministic(x, nf, fields)) d.pairs += v.count(k);
        for (std::size_t f = 0; f < nf; ++f)
            if (x[f] < 0) d.null_share[f] += v.count(k);
    }
    if (v.total() > 0)
        for (double& s : d.null_share) s /= v.total();
    return d;
}

// The smallest set of the most selective fields (lowest u of the exact level) whose exact agreement
// is expected by chance (possible pairs x prod of P(both present) x u_exact) in at most 5% of the
// candidate pairs that show it: a high-precision rule that keeps recall high by asking for few
// fields. None -> the every-field rule.
Deterministic choose_deterministic(const ComparisonVectors& fit, const Profile& p, const Table& u,
                                   const std::vector<double>& random_present, double possible, double candidates) {
    std::vector<std::size_t> order;
    for (std::size_t f = 0; f < p.fields.size(); ++f)
        if (p.fields[f].levels.size() >= 2 && !u[f].empty()) order.push_back(f);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return u[a][0] < u[b][0]; });
    std::vector<std::size_t> fields;
    double chance = possible * (candidates > 0 ? fit.total() / candidates : 1);
    for (std::size_t f : order) {
        fields.push_back(f);
        chance *= random_present[f] * u[f][0];
        Deterministic d = count_deterministic(fit, fields);
        if (d.pairs > 0 && chance <= 0.05 * d.pairs) {
            d.expected_false = chance;
            return d;
        }
    }
    return count_deterministic(fit, {});
}

// P(deterministic rule | match), or the stated recall. For a rule of several fields (most selective
// first): P(first present and exact | match) from m, times, for each further field, the share of
// the expected matches among the candidate pairs passing the fields before it that also pass it
// (`post`: each fitted pair's match probability under the new model). Agreements of a match go
// together; the product of m's took them as independent and put the recall at a half to a third of
// the truth (NC voters, the realistic generator), so the prior came out two to three times too
// high and the auto threshold too low. Under 20 expected matches to measure a share on, or no
// `post` (EM's start): that field's m instead. The every-field rule: from m.
constexpr double kMinConditionalPairs = 20;

double deterministic_recall(const Deterministic& d, const Table& m, const TrainOptions& o,
                            const ComparisonVectors* fit = nullptr, const std::vector<double>* post = nullptr) {
    if (o.deterministic_recall > 0) return std::min(1.0, o.deterministic_recall);
    double r = 1;
    if (!d.fields.empty()) {
        for (std::size_t i = 0; i < d.fields.size(); ++i) {
            const std::size_t f = d.fields[i];
            double factor = (1 - d.null_share[f]) * m[f][0];
            if (i > 0 && fit && post) {
                double before = 0, also = 0;
                for (std::size_t k = 0; k < fit->distinct(); ++k) {
                    const std::int8_t* v = fit->vector(k);
                    bool pass = true;
                    for (std::size_t j = 0; j < i && pass; ++j) pass = v[d.fields[j]] == 0;
                    if (!pass) continue;
                    before += fit->count(k) * (*post)[k];
                    if (v[f] == 0) also += fit->count(k) * (*post)[k];
                }
                if (before >= kMinConditionalPairs) factor = also / before;
            }
            r *= factor;
        }
    } else {
        for (std::size_t f = 0; f < m.size(); ++f)
            if (!m[f].empty()) r *= d.null_share[f] + (1 - d.null_share[f]) * m[f][0];
    }
    return std::max(r, 1e-6);
}

double share_from(const Deterministic& d, double recall, double pairs) {
    const double accepted = d.pairs - d.expected_false;
    if (!(pairs > 0) || !(accepted > 0)) return 0;
    return std::min(d.fields.empty() ? 0.5 : 0.95, std::max(1e-9, accepted / recall / pairs));
}

std::string rule_description(const Deterministic& d, const Profile& p) {
    if (d.fields.empty()) return "every non-NULL field at its first level, at least two fields";
    std::string s;
    for (std::size_t f : d.fields) s += (s.empty() ? "" : " and ") + p.fields[f].name + " at " + p.fields[f].levels[0].name;
    return s;
}

// Fields whose first-level agreement among non-matching pairs follows a more selective field's (a
// suburb inside a postcode, a family's postcode inside its surname, an address inside a household's
// phone, a gender inside a given name): the scorer adds both weights as if independent, counting
// the same chance agreement twice, so the non-matches that share a place (namesakes in one
// postcode) get match-like weights and the expected-F1 threshold falls where precision collapses.
// For such a field b and its most correlated more selective partner a, the lift among
// non-matches L = P(a, b agree | U) / (P(a agrees | U) P(b agrees | U)) is measured on the sampled
// random pairs with the model's expected matches taken out (random pairs include the true pairs:
// in splink_fake_1000, four records a person, most pairs agreeing on email and date of birth are
// matches; `matches_both`: sum of match probabilities over the candidate pairs agreeing on both).
// When L >= 2 from at least 20 co-agreeing non-matches expected in the sample (and 3 standard
// deviations of the sampled count), the u of each agreeing level of b (every level but "else") is multiplied by L (up to
// its m: the level then weighs 0), so that both agreeing together weigh what their joint chance
// agreement says. Term-frequency fields are left alone (their exact-level u is the value's
// frequency).
constexpr double kMinCoAgreements = 20;
constexpr double kMinLift = 2;
constexpr int kDampingRounds = 3;

json dampen_correlated(Profile& p, const LevelCounts& c, const std::vector<double>& matches_both, double possible) {
    const std::size_t nf = p.fields.size();
    json out = json::array();
    if (c.pairs == 0 || c.first_both.size() != nf * nf || !(possible >= 1)) return out;
    const double pairs = static_cast<double>(c.pairs);
    // Shares of the pairs reaching the first level: the denominators keep the matches (a lower,
    // cautious lift); the co-agreement has the expected matches taken out and must stand out of the
    // sampling noise of what was taken out (3 standard deviations).
    std::vector<double> share(nf, 0);
    for (std::size_t f = 0; f < nf; ++f)
        if (!c.reached[f].empty()) share[f] = static_cast<double>(c.reached[f][0]) / pairs;
    std::vector<std::pair<std::size_t, double>> plan;  // field, lift
    for (std::size_t b = 0; b < nf; ++b) {
        if (p.fields[b].levels.size() < 2 || p.fields[b].tf || !(share[b] > 0)) continue;
        double lift = 1;
        std::size_t partner = nf;
        for (std::size_t a = 0; a < nf; ++a) {
            if (a == b || p.fields[a].levels.size() < 2 || !(share[a] > 0)) continue;
            if (share[a] > share[b] || (share[a] == share[b] && a > b)) continue;  // a: the more selective
            const double raw = static_cast<double>(c.first_both[a * nf + b]);
            const double non_matches = raw - matches_both[a * nf + b] / possible * pairs;
            if (!(non_matches >= std::max(kMinCoAgreements, 3 * std::sqrt(raw)))) continue;
            const double both = non_matches / pairs;
            const double l = both / (share[a] * share[b]);
            if (l > lift) lift = l, partner = a;
        }
        if (partner < nf && lift >= kMinLift)
            plan.push_back({b, lift}),
                out.push_back({{"field", p.fields[b].name}, {"with", p.fields[partner].name}, {"lift", lift}});
    }
    for (const auto& [b, lift] : plan) {
        auto& levels = p.fields[b].levels;
        for (std::size_t l = 0; l + 1 < levels.size(); ++l)
            levels[l].u = clamp_probability(std::min(std::max(levels[l].m, levels[l].u), levels[l].u * lift));
    }
    return out;
}

// The expected matches come from the model, which counts correlated agreement twice (family
// members in one postcode look like matches and would be taken out of the non-matches, hiding the
// correlation): a few rounds, each with the previous round's damped u, the first with none.
// `p` holds the undamped m/u on entry, the damped ones on return; `share`: match share among the
// candidate pairs.
json damp_rounds(Profile& p, const ComparisonVectors& fit, double candidates, double share, const LevelCounts& counts,
                 double possible) {
    const std::size_t nf = p.fields.size();
    const double scale = candidates / fit.total();  // the fitted pairs are ~4/5 of the candidates
    const Profile undamped = p;
    json damped = json::array();
    for (int round = 0; round < kDampingRounds; ++round) {
        const std::vector<double> post = match_probabilities(fit, level_values(p, true), level_values(p, false), {},
                                                             share > 0 ? share : 0.5);
        std::vector<double> matches_both(nf * nf, 0);
        for (std::size_t k = 0; k < fit.distinct(); ++k) {
            const std::int8_t* v = fit.vector(k);
            const double e = post[k] * fit.count(k) * scale;
            for (std::size_t a = 0; a < nf; ++a) {
                if (v[a] != 0) continue;
                for (std::size_t b = 0; b < nf; ++b)
                    if (b != a && v[b] == 0) matches_both[a * nf + b] += e;
            }
        }
        p = undamped;
        damped = dampen_correlated(p, counts, matches_both, possible);
    }
    return damped;
}

// E-mail addresses are mostly spelt from the owner's name (pierre.robert@, robertp1988@), so two
// people of one name agree on the e-mail's fuzzy levels far more often than two random people: on
// 1,000,000 realistic users most false matches of a trained profile were namesakes whose addresses
// were alike, each level weighing its chance agreement among random pairs (u 1e-4) where, among
// namesakes, it is closer to 1e-1.
// For each full-name field a, the pairs agreeing on a (its exact value, in blocks of at most
// kNamesakeBlock records: bounded work) are compared. An e-mail level's share among their
// non-matches (each pair weighted by 1 - its match probability under the profile's prior and every
// field; a few rounds, each with the previous round's conditional u) is its u given a name
// agreement. A level whose conditional u is at least kMinLift times its u, from at least
// kMinCoAgreements expected non-matches, takes the conditional u (at most its m). It applies to
// every pair, as the damping of correlated fields does: the level rarely holds without the name.
constexpr std::size_t kNamesakeBlock = 200;

// Only whole names (most values of two tokens or more) spell an address: a first name alone leaves
// the surname, and much of the address, free (splink_fake_1000 would lose 0.002 F1).
bool full_names(const RecordStore& store, std::size_t f) {
    const engine::FieldColumn& c = store.column(f);
    std::size_t seen = 0, several = 0;
    const std::size_t step = std::max<std::size_t>(1, store.size() / 10000);
    for (std::size_t i = 0; i < store.size(); i += step) {
        if (c.is_null(i)) continue;
        ++seen;
        several += c.form[i].find(' ') != std::string_view::npos;
    }
    return seen > 0 && 2 * several >= seen;
}

json dampen_name_spelt_email(Profile& p, const RecordStore& left, const RecordStore* right, engine::TaskRunner& runner) {
    const std::size_t nf = p.fields.size();
    json out = json::array();
    if (!p.prior) return out;
    std::vector<std::size_t> emails;
    for (std::size_t f = 0; f < nf; ++f)
        if (p.fields[f].type == engine::FieldType::Email && !p.fields[f].tf && p.fields[f].levels.size() > 1) emails.push_back(f);
    if (emails.empty()) return out;
    const Table m = level_values(p, true);
    Table conditional = level_values(p, false);  // the largest conditional u over the name fields
    for (std::size_t a = 0; a < nf; ++a) {
        if (p.fields[a].type != engine::FieldType::PersonName || !full_names(left, a)) continue;
        Profile rule = p;
        engine::BlockingKey key;
        key.field = a;
        key.text = p.fields[a].name;
        rule.blocking = {engine::BlockingRule{{key}}};
        rule.max_block_size = std::min<std::size_t>(p.max_block_size, kNamesakeBlock);
        const ComparisonVectors v = candidate_vectors(rule, left, right, runner, HeldBack::Include, nullptr);
        if (v.total() < 100) continue;
        Table u_round = level_values(p, false);
        std::vector<double> weight_level;
        for (int round = 0; round < kDampingRounds; ++round) {
            // Each pair's match probability as the scorer gives it (the profile's prior, every field).
            const std::vector<double> post = match_probabilities(v, m, u_round, {}, *p.prior);
            for (std::size_t b : emails) {
                const std::size_t nl = p.fields[b].levels.size();
                weight_level.assign(nl, 0.0);
                double present = 0;
                for (std::size_t k = 0; k < v.distinct(); ++k) {
                    const int l = v.vector(k)[b];
                    if (l < 0) continue;
                    const double w = (1 - post[k]) * v.count(k);
                    present += w;
                    weight_level[static_cast<std::size_t>(l)] += w;
                }
                if (!(present > 0)) continue;
                for (std::size_t l = 0; l + 1 < nl; ++l) {
                    const double u0 = p.fields[b].levels[l].u, cu = weight_level[l] / present;
                    if (weight_level[l] >= kMinCoAgreements && cu >= kMinLift * u0)
                        u_round[b][l] = clamp_probability(std::min(std::max(m[b][l], u0), cu));
                    else
                        u_round[b][l] = u0;
                }
            }
        }
        for (std::size_t b : emails)
            for (std::size_t l = 0; l + 1 < p.fields[b].levels.size(); ++l)
                if (u_round[b][l] > conditional[b][l]) {
                    conditional[b][l] = u_round[b][l];
                    out.push_back({{"field", p.fields[b].name}, {"level", p.fields[b].levels[l].name},
                                   {"given", p.fields[a].name}, {"u", p.fields[b].levels[l].u},
                                   {"u_given_name", u_round[b][l]}});
                }
    }
    for (std::size_t b : emails)
        for (std::size_t l = 0; l + 1 < p.fields[b].levels.size(); ++l) p.fields[b].levels[l].u = conditional[b][l];
    return out;
}

}  // namespace

TrainResult train(const Profile& profile, const RecordStore& left, const RecordStore* right, const TrainOptions& o) {
    const auto t_start = Clock::now();
    const std::size_t nf = profile.fields.size();
    engine::TaskRunner runner(o.threads, o.keep_going);
    json summary = json::object(), warnings = json::array();
    summary["mode"] = right ? "link" : "dedupe";
    summary["records"] = {{"left", left.size()}, {"right", right ? right->size() : left.size()}};

    const Table m_current = level_values(profile, true), u_current = level_values(profile, false);
    Table m = m_current, u = u_current;
    std::vector<std::vector<bool>> floored(nf);
    for (std::size_t f = 0; f < nf; ++f) floored[f].assign(u[f].size(), false);

    std::vector<double> random_present(nf, 1.0);  // share of random pairs with both values present

    // 1. u from random pairs.
    auto t = Clock::now();
    LevelCounts counts;
    if (o.estimate_u) {
        counts = sample_level_counts(profile, left, right, o.max_pairs, o.seed, runner);
        if (counts.pairs == 0) warnings.push_back("fewer than two records: no pair to sample; u kept");
        else estimate_u(profile, counts, u, floored, warnings);
        for (std::size_t f = 0; f < nf && counts.pairs > 0; ++f)
            random_present[f] = static_cast<double>(counts.non_null[f]) / static_cast<double>(counts.pairs);
        summary["u"] = {{"pairs_sampled", counts.pairs}, {"exhaustive", counts.exhaustive}, {"seconds", since(t)}};
    }
    const double u_seconds = since(t);

    // 2. All candidate pairs, 1 in 5 held back; the deterministic match share EM starts from.
    t = Clock::now();
    const double possible = possible_pairs(left, right);
    ComparisonVectors held(nf);
    const ComparisonVectors fit = candidate_vectors(profile, left, right, runner, HeldBack::Split, &held);
    const double candidates = fit.total() + held.total();
    const Deterministic det = choose_deterministic(fit, profile, u, random_present, possible, candidates);
    const double start_recall = deterministic_recall(det, m_current, o);
    const double start_share = share_from(det, start_recall, fit.total());
    // u for EM: damped for correlated fields (with the current m), so that EM's "match" class does
    // not gather the non-matches that share a place (NC voters' suggested profile: the rule on
    // given names alone learnt m(surname "else") = 0.36 from namesakes in one postcode).
    Table u_em = u;
    bool em_damped = false;
    if (o.estimate_u && o.estimate_m && o.dampen_correlation && counts.pairs > 0 && fit.total() > 0) {
        Profile pre = profile;
        for (std::size_t f = 0; f < nf; ++f)
            for (std::size_t l = 0; l < u[f].size(); ++l) pre.fields[f].levels[l].u = clamp_probability(u[f][l]);
        const json d = damp_rounds(pre, fit, candidates, start_share, counts, possible);
        if (!d.empty()) summary["correlated_fields_em"] = d, u_em = level_values(pre, false), em_damped = true;
    }

    // The related class (EmSettings::related_random): dates and ID numbers agree in it only by chance;
    // its names start from u (a household's given names differ), so that it does not begin by
    // taking the matches whose date of birth has a typo (splink_fake_1000 lost 0.007 F1 that way).
    std::vector<bool> related_mask, related_apart;
    if (o.related_class) {
        related_apart.assign(nf, false);
        for (std::size_t f = 0; f < nf; ++f) related_apart[f] = profile.fields[f].type == engine::FieldType::PersonName;
        related_mask.assign(nf, false);
        bool any = false;
        for (std::size_t f = 0; f < nf; ++f) any |= related_mask[f] = identity_attribute(profile.fields[f].type);
        if (!any) related_mask.clear();
    }
    // Log-likelihood of the held-back pairs under m/u, the shares (and the related class's level
    // shares) fitted on the fitted pairs with m and u fixed. Both sides of a comparison are measured
    // with the same model: under two classes, an m that leaves households out explains them worse
    // than one that took them in, though it scores people better.
    auto held_back_log_likelihood = [&](const Table& m_fit, const Table& u_fit) {
        if (!related_mask.empty()) {
            EmSettings s;
            s.m = m_fit;
            s.u = u_fit;
            s.related_random = related_mask;
            s.freeze_m = true;
            s.lambda = 0.3;
            s.max_iterations = o.max_iterations * 4;
            s.tolerance = o.tolerance;
            const EmResult e = run_em(fit, s);
            if (!e.related_levels.empty()) return log_likelihood(held, e, u_fit, {}, related_mask);
        }
        return log_likelihood(held, m_fit, u_fit, {}, match_share(fit, m_fit, u_fit, o, 0.5).lambda);
    };

    // 3. m by EM, one run per blocking rule, started at the current m and the deterministic share.
    json rules = json::array();
    std::vector<int> m_runs(nf, 0);
    bool all_converged = true;
    int household_runs = 0;  // runs household_field left out in the last fit
    std::vector<EmResult> runs;  // the last fit's runs, one per rule, in rule order
    std::vector<bool> averaged;  // per run of the last fit: its m went into the average
    std::vector<bool> stable(nf);
    for (std::size_t f = 0; f < nf; ++f) stable[f] = stable_attribute(profile.fields[f].type);
    const std::size_t warnings_before_em = warnings.size();
    auto fit_m = [&](const Table& u_fit) {
        rules = json::array();
        household_runs = 0;
        runs.clear();
        averaged.clear();
        m = m_current;
        Table m_sum(nf);
        m_runs.assign(nf, 0);
        for (std::size_t f = 0; f < nf; ++f) m_sum[f].assign(m[f].size(), 0.0);
        all_converged = true;
        std::vector<bool> run_collapsed, run_small;
        for (std::size_t r = 0; o.estimate_m && r < profile.blocking.size(); ++r) {
            auto tr = Clock::now();
            Profile rule_profile = single_rule(profile, r);
            ComparisonVectors rule_held(nf);  // counted in candidate_pairs, not fitted
            ComparisonVectors v = candidate_vectors(rule_profile, left, right, runner, HeldBack::Split, &rule_held);
            const Deterministic rule_det = count_deterministic(v, det.fields);
            EmSettings s;
            s.m = m_current;
            s.u = u_fit;
            s.fixed.assign(nf, false);
            json fixed = json::array();
            for (const auto& k : profile.blocking[r].keys)
                if (!s.fixed[k.field]) s.fixed[k.field] = true, fixed.push_back(profile.fields[k.field].name);
            const double rule_start = share_from(rule_det, start_recall, v.total());
            s.lambda = rule_start > 0 ? rule_start : std::max(1e-6, std::min(0.5, start_share));
            s.max_iterations = o.max_iterations;
            s.tolerance = o.tolerance;
            s.related_random = related_mask;
            s.related_starts_apart = related_apart;
            EmResult e = run_em(v, s);
            // m of complete disagreement ("else") per free field: in a real one-class run (a strong key
            // such as an ID number: every pair a match) it stays small; when the free fields merely
            // follow the keys (suburb in postcode blocks), the "matches" disagree on names as often as
            // the pairs do.
            // The test looks at the fields a person keeps (names, dates of birth, ID numbers): phones,
            // emails and addresses change between one person's records (the realistic generator's
            // email-blocked matches disagree on the phone in 28% of pairs, as real users do), so a
            // true one-class run may disagree completely on them; when no such field is free, at all.
            json m_else = json::object();
            double max_m_else = 0, max_stable_else = 0;
            bool any_stable = false;
            for (std::size_t f = 0; f < nf; ++f)
                if (e.iterations > 0 && f < e.estimated.size() && e.estimated[f] && !e.m[f].empty()) {
                    const double me = e.m[f].back();
                    m_else[profile.fields[f].name] = me;
                    max_m_else = std::max(max_m_else, me);
                    if (stable_attribute(profile.fields[f].type)) max_stable_else = std::max(max_stable_else, me), any_stable = true;
                }
            const double one_class_else = any_stable ? max_stable_else : max_m_else;
            const bool collapsed = e.iterations > 0 && ((e.lambda > 0.95 && one_class_else > kMaxOneClassElse) ||
                                                        (e.lambda > 0.35 && e.lambda < 0.65 && e.lambda > 4 * s.lambda));
            const double weight = e.lambda * v.total();
            json rule = {{"rule", rule_text(profile.blocking[r])}, {"candidate_pairs", v.total() + rule_held.total()},
                         {"held_back_pairs", rule_held.total()},
                         {"distinct_vectors", v.distinct()}, {"fixed_fields", fixed}, {"iterations", e.iterations},
                         {"converged", e.converged}, {"start_match_share", s.lambda}, {"match_share", e.lambda},
                         {"related_share", e.related_share},
                         {"log_likelihood", e.log_likelihood},
                         {"mean_log_likelihood", v.total() > 0 ? e.log_likelihood / v.total() : 0.0},
                         {"m_else", m_else}, {"expected_matches", weight}, {"collapsed", collapsed}, {"seconds", since(tr)}};
            for (const auto& w : e.warnings) warnings.push_back("rule " + std::to_string(r) + ": " + w);
            if (collapsed)
                warnings.push_back("rule " + std::to_string(r) + ": EM collapsed (match share " + std::to_string(e.lambda) +
                                   " from " + std::to_string(s.lambda) + "); its m left out of the average");
            if (v.total() > 0) all_converged = all_converged && e.converged;
            run_collapsed.push_back(collapsed || !(e.iterations > 0 && weight > 0));
            run_small.push_back(weight < kHouseholdMinMatches);  // too few matches to tell a household
            runs.push_back(std::move(e));
            rules.push_back(rule);
        }
        // Households are looked for among the runs that would count, against those runs only.
        std::vector<bool> reference(runs.size());
        for (std::size_t r = 0; r < runs.size(); ++r) reference[r] = !run_collapsed[r];
        averaged.assign(runs.size(), false);
        for (std::size_t r = 0; r < runs.size(); ++r) {
            if (run_collapsed[r]) continue;
            if (const auto f = run_small[r] ? std::nullopt : household_field(runs, r, stable, reference)) {
                ++household_runs;
                rules[r]["household_field"] = profile.fields[*f].name;
                rules[r]["collapsed"] = true;
                warnings.push_back("rule " + std::to_string(r) + ": its \"matches\" disagree completely on " +
                                   profile.fields[*f].name + " far more often than under the other rules (a " +
                                   "household or family class, not matches); its m left out of the average");
                continue;
            }
            averaged[r] = true;
            const EmResult& e = runs[r];
            for (std::size_t f = 0; f < nf; ++f) {
                if (!e.estimated[f]) continue;
                ++m_runs[f];
                for (std::size_t l = 0; l < m[f].size(); ++l) m_sum[f][l] += e.m[f][l];
            }
        }
        for (std::size_t f = 0; f < nf && o.estimate_m; ++f) {
            if (m_runs[f] == 0) {
                warnings.push_back("field " + profile.fields[f].name +
                                   ": m not estimated (no blocking rule leaves it free with pairs to learn from); m kept");
                continue;
            }
            // One vote per rule (the plain mean over the runs that kept their estimate), not a mean
            // weighted by each run's expected matches: that weight is lambda x pairs, and lambda is
            // the least reliable output of a run (a broad rule whose "match" class drifts onto a
            // family of non-matches gets both a high lambda and many pairs, and would dominate the
            // fields it leaves free; splink_historical_50k's suggested profile: the weighted mean
            // ranks worse, best-threshold F1 0.742 against 0.755).
            for (std::size_t l = 0; l < m[f].size(); ++l) m[f][l] = clamp_probability(m_sum[f][l] / m_runs[f]);
        }
    };
    fit_m(u_em);
    if (em_damped && held.total() > 0 && household_runs == 0) {
        // EM on damped u must still explain the held-back pairs (with the plain u) at least as well
        // as the current m/u; else m from EM on the plain u (the check below then decides). Not
        // after leaving out household runs: a two-class likelihood prefers the m that took the
        // households in (NC voters 40%, suggested profile: the plain-u runs took them all, F1 0.875
        // against 0.948).
        const double ll_current = held_back_log_likelihood(m_current, u_current);
        const double ll_damped = held_back_log_likelihood(m, u);
        if (ll_damped < ll_current) {
            // Kept to return to if EM on the plain u takes households in where the damped runs did
            // not (NC voters 40%, training a trained profile again: m(surname "else") 0.40 under the
            // given-name rule against 0.0007 on the damped u; F1 0.949 -> 0.875).
            const Table m_damped = m;
            const json rules_damped = rules;
            const std::vector<int> m_runs_damped = m_runs;
            const bool converged_damped = all_converged;
            const std::vector<EmResult> runs_damped = runs;
            const std::vector<bool> averaged_damped = averaged;
            const int household_runs_damped = household_runs;
            const std::vector<std::string> warnings_damped = warnings;
            warnings.erase(warnings.begin() + static_cast<std::ptrdiff_t>(warnings_before_em), warnings.end());
            warnings.push_back("EM on the damped u explains the held-back pairs worse than the current m/u: m from EM "
                               "on the plain u");
            summary["em_on_damped_u"] = false;
            summary["rules_on_damped_u"] = rules;
            fit_m(u);
            // Only a plain-u run whose m went into the average matters.
            for (std::size_t r = 0; r < runs.size() && r < runs_damped.size(); ++r) {
                const auto f = averaged[r] ? household_field({runs_damped[r], runs[r]}, 1, stable) : std::nullopt;
                if (!f) continue;
                m = m_damped, rules = rules_damped, m_runs = m_runs_damped, all_converged = converged_damped;
                runs = runs_damped, averaged = averaged_damped, household_runs = household_runs_damped;
                warnings = warnings_damped;
                warnings.push_back("EM on the damped u explains the held-back pairs worse than the current m/u, but EM "
                                   "on the plain u took households in (rule " + std::to_string(r) + ": its matches " +
                                   "disagree completely on " + profile.fields[*f].name + " far more often): m from EM " +
                                   "on the damped u, which the check below weighs against the current m/u");
                summary["em_on_damped_u"] = true;
                summary.erase("rules_on_damped_u");
                break;
            }
        } else {
            summary["em_on_damped_u"] = true;
        }
    }
    summary["rules"] = rules;
    const double em_seconds = since(t);

    // 4. The new profile and its prior.
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
    json prior = {{"possible_pairs", possible}, {"candidate_pairs", candidates},
                  {"held_back_pairs", held.total()}};
    double new_share = 0;
    if (possible >= 1 && o.estimate_m && fit.total() > 0) {
        const EmResult em_share = match_share(fit, m, u_em, o, 0.5);
        const std::vector<double> post = match_probabilities(fit, m, u_em, {}, em_share.lambda);
        const double recall = deterministic_recall(det, m, o, &fit, &post);
        new_share = share_from(det, recall, fit.total());
        prior["deterministic_rule"] = rule_description(det, profile);
        prior["deterministic_pairs"] = det.pairs;
        prior["deterministic_expected_false"] = det.expected_false;
        prior["deterministic_recall"] = recall;
        prior["recall_stated"] = o.deterministic_recall > 0;
        prior["em_match_share"] = em_share.lambda;
        if (new_share <= 0) {
            new_share = em_share.lambda;
            warnings.push_back("no candidate pair passes the deterministic rule: prior from the EM match share");
        }
        const double expected = new_share * candidates;
        out.profile.prior = std::min(0.5, std::max(1e-12, expected / possible));
        prior["match_share"] = new_share;
        prior["expected_matches"] = expected;
        prior["prior"] = *out.profile.prior;
    } else if (possible < 1) {
        warnings.push_back("fewer than two records: prior kept");
    } else if (o.estimate_m) {
        warnings.push_back("no candidate pairs: prior kept");
    }
    summary["prior"] = prior;

    // 5. Held-back check: the new m/u against the current ones, each with the match share that
    // fits it best on the fitted pairs (a profile without a prior has no share of its own).
    json check = {{"held_back_pairs", held.total()}};
    if (held.total() > 0 && fit.total() > 0) {
        const double share_current = match_share(fit, m_current, u_current, o, 0.5).lambda;
        const double share_new = match_share(fit, m, u, o, 0.5).lambda;
        const double ll_current = held_back_log_likelihood(m_current, u_current) / held.total();
        const double ll_new = held_back_log_likelihood(m, u) / held.total();
        check["model"] = related_mask.empty() ? "two classes" : "three classes (related people)";
        check["match_share_current"] = share_current;
        check["match_share_new"] = share_new;
        check["mean_log_likelihood_current"] = ll_current;
        check["mean_log_likelihood_new"] = ll_new;
        // Not after leaving out household runs: the current m takes the households in as matches and
        // explains those pairs better, however badly it ranks people (NC voters 20%, suggested
        // profile: the check kept the untrained m, F1 0.953, best-threshold 0.955; the trained m
        // gives 0.964 and 0.968).
        if (ll_new < ll_current && household_runs > 0) {
            check["households_left_out"] = household_runs;
            warnings.push_back("the new estimate explains the held-back pairs worse than the current one, which takes "
                               "households in as matches; the new one kept");
        } else if (ll_new < ll_current) {
            out.kept_current = true;
            for (std::size_t f = 0; f < nf; ++f) {
                out.profile.fields[f].levels = profile.fields[f].levels;
                std::fill(floored[f].begin(), floored[f].end(), false);
            }
            out.profile.prior = profile.prior;
            warnings.push_back("the new estimate explains the held-back pairs worse than the current one: current m, u, "
                               "prior and threshold kept");
        }
    } else {
        check["skipped"] = "no held-back candidate pairs";
    }
    check["kept_current"] = out.kept_current;
    summary["check"] = check;
    // 5a. The matches among the random pairs taken out of u (after the check, which compares the fits
    // as EM made them: both with the u observed on random pairs).
    if (o.estimate_u && o.estimate_m && !out.kept_current && counts.pairs > 0 && out.profile.prior) {
        take_matches_out_of_u(out.profile, counts, *out.profile.prior);
        for (std::size_t f = 0; f < nf; ++f)
            for (std::size_t l = 0; l < u[f].size(); ++l) u[f][l] = out.profile.fields[f].levels[l].u;
        summary["u"]["matches_taken_out"] = *out.profile.prior;
    }
    summary["kept_current"] = out.kept_current;
    const double prior_seconds = since(t);

    // 5b. Fields that agree together by chance far more often than independence predicts.
    if (o.estimate_u && o.dampen_correlation && !out.kept_current && counts.pairs > 0 && fit.total() > 0) {
        const json damped = damp_rounds(out.profile, fit, candidates, new_share, counts, possible);
        summary["correlated_fields"] = damped;
        const EmResult after = match_share(fit, level_values(out.profile, true), level_values(out.profile, false), o,
                                           new_share > 0 ? new_share : 0.5);
        prior["em_match_share_damped"] = after.lambda;
        summary["prior"] = prior;
    }

    // 5c. E-mail levels given a name agreement.
    if (o.estimate_u && o.dampen_correlation && !out.kept_current) {
        const json spelt = dampen_name_spelt_email(out.profile, left, right, runner);
        if (!spelt.empty()) summary["email_given_name"] = spelt;
    }

    // 5d. Contacts and places that go with a more selective agreement among non-matches.
    if (o.estimate_u && o.estimate_m && o.dampen_correlation && !out.kept_current && out.profile.prior) {
        const std::size_t before = out.profile.interactions.size();
        const json found = estimate_interactions(out.profile, {&fit, &held}, o.keep_going);
        if (!found.empty()) summary["interactions"] = found;
        if (before > 0)
            warnings.push_back("the profile's " + std::to_string(before) + " interaction(s) replaced by the " +
                               std::to_string(found.size()) + " estimated now");
    } else if (!out.kept_current && !out.profile.interactions.empty()) {
        // They belong to the m/u they were estimated with.
        out.profile.interactions.clear();
        warnings.push_back("the profile's interactions dropped: not estimated with these options");
    }

    // 6. Threshold "auto": the expected-F1 threshold of the kept model.
    t = Clock::now();
    if (o.auto_threshold && !out.kept_current) {
        const engine::ExpectedF1 e = engine::expected_f1_threshold(out.profile, left, right, o.threads, o.keep_going);
        if (e.candidate_pairs > 0) {
            out.profile.threshold_auto = out.profile.threshold_resolved = true;
            out.profile.threshold = e.threshold;
        } else {
            warnings.push_back("no candidate pairs: threshold kept");
        }
        summary["threshold"] = {{"auto", e.threshold}, {"expected_f1", e.expected_f1},
                                {"expected_precision", e.expected_precision},
                                {"expected_recall", e.expected_recall}, {"expected_matches", e.expected_matches},
                                {"candidate_pairs", e.candidate_pairs}};
    } else {
        summary["threshold"] = out.profile.threshold;
    }
    const double threshold_seconds = since(t);

    // 7. Term frequencies and the per-level report.
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
                          {"threshold", threshold_seconds}, {"term_frequencies", since(t)},
                          {"total", since(t_start)}};
    out.summary_json = summary.dump();
    return out;
}

}  // namespace usermatch::train
