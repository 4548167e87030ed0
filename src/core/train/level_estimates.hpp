// Turning level counts into probabilities, shared by the unsupervised and the labelled trainers.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"

#include <cstdint>
#include <vector>

namespace usermatch::train {

// Shares of `counts` (pairs reaching each level among the non-NULL ones). A level with count 0
// gets the floor 1/(2 * total); the shares are then renormalised and clamped to [1e-6, 1-1e-6].
// `floored` (optional) receives which levels got the floor. Empty result when total is 0.
std::vector<double> shares_with_floor(const std::vector<std::uint64_t>& counts, std::vector<bool>* floored = nullptr);

// A level that is some kind of agreement (every level but the final "else") never weighs less than
// "else": EM (or a small label set) gives m ~ 0 to levels no match reached (FEBRL: nickname),
// which would punish a rare agreement harder than a full disagreement. Raises such an m to
// u * (m_else / u_else). Returns how many levels were raised.
int raise_to_else_weight(engine::Field& field);

}  // namespace usermatch::train
