// profile_weights: one row per field level with its m, u, match weight log2(m/u) and a text bar
// that reads well in psql: positive weights as full blocks with an eighth-block tail ("█████▍",
// one block per bit), negative weights as light shades after a minus sign ("-░░░"), capped at 30
// characters (longer bars end with "…").
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"

#include <string>
#include <vector>

namespace usermatch::train {

struct WeightRow {
    std::string field, level;
    double m, u, match_weight;
    std::string bar;
};

std::vector<WeightRow> profile_weights(const engine::Profile& profile);
std::string weight_bar(double weight);

}  // namespace usermatch::train
