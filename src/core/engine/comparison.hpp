// Comparison levels: which level of a field two records reach. Works on precomputed store
// columns only (no allocation); levels are tested in order and the first that holds wins.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

namespace usermatch::engine {

constexpr int kNullLevel = -1;  // a NULL/empty value on either side: no information, weight 0

// Index into field.levels of the level reached by record a of column A and record b of column B,
// or kNullLevel. A and B hold the same field (of two stores, or one store twice).
int compare_field(const Field& field, const FieldColumn& A, std::size_t a, const FieldColumn& B, std::size_t b);

// Whether one level's condition holds (exposed for tests).
bool level_holds(const Level& level, FieldType type, const FieldColumn& A, std::size_t a, const FieldColumn& B,
                 std::size_t b);

}  // namespace usermatch::engine
