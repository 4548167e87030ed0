// Explains the score of one pair: per field the raw and normalised values, the level reached, its
// m, u and weight, then the prior weight, total match weight, probability and decision.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <string>
#include <vector>

namespace usermatch::engine {

// `a` and `b` hold one raw value per profile field. The prior is profile.prior, else
// 1 / max(population, 2) (pass the record count of the data the pair comes from; 0 -> prior 0.5).
// Returns a JSON object (text):
// {"fields":[{"name","a","b","normalized_a","normalized_b","level","m","u","weight"}...],
//  "prior","prior_weight","match_weight","match_probability","threshold","is_match"}
// A NULL side gives level "null", m and u null, weight 0. Where an interaction lowers a field's
// weight (Interaction), the field also has "given" (the field that agrees), "u_given" and
// "weight_alone" (its weight without the interaction).
std::string explain_pair(const Profile& profile, const std::vector<RawValue>& a, const std::vector<RawValue>& b,
                         std::size_t population = 0);

}  // namespace usermatch::engine
