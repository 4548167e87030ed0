// Level-name syntax shared by the profile parser: "exact", "jw>=0.92", "osa<=1", ...
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"

#include <optional>
#include <string>

namespace usermatch::engine {

// Whether a condition may be used on a field of this type.
bool condition_allowed(FieldType type, Condition condition);

// Parses one level name for a field type; on failure returns nullopt and sets `why`.
// m and u default to the type's default level of the same name (else 0.1 / 0.01).
std::optional<Level> parse_level_name(const std::string& name, FieldType type, std::string& why);

// "exact, pinyin, ..., jw>=x" for messages.
std::string level_names_for(FieldType type);

}  // namespace usermatch::engine
