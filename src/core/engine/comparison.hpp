// Comparison levels: which level of a field two records reach. Works on precomputed store
// columns only (no allocation); levels are tested in order and the first that holds wins.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

namespace usermatch::engine {

constexpr int kNullLevel = -1;  // a NULL/empty value on either side: no information, weight 0

// Index into field.levels of the level reached by record a of store L and record b of store R on
// field f (L and R may be the same store), or kNullLevel.
int compare_field(const Field& field, std::size_t f, const RecordStore& L, std::size_t a, const RecordStore& R,
                  std::size_t b);

// Whether one level's condition holds for field f (exposed for tests).
bool level_holds(const Level& level, std::size_t f, const RecordStore& L, std::size_t a, const RecordStore& R,
                 std::size_t b);

// OSA distance <= k (k == 1 takes a linear fast path). The UTF-8 form decodes unless both are ASCII.
bool osa_within(std::u32string_view a, std::u32string_view b, std::size_t k);
bool osa_within(std::string_view a, std::string_view b, std::size_t k);

}  // namespace usermatch::engine
