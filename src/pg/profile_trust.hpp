// Whose SQL may run with your rights. A profile's "expression" fields are SQL the matching
// functions evaluate as the calling role; profile names are global and any role may use any
// profile, so running another role's expressions would let that role act with your privileges
// (issue 7, item 7). They run only when the profile's owner could act as you anyway, or when you
// named the owner in usermatch.trusted_profile_owners.
#pragma once

#include "core/engine/profile.hpp"
#include "pg/guard.hpp"

#include <string>

namespace usermatch::pg {

// Returns normally when `profile` has no expression field, or its owner has the privileges of
// the current user (its own profile; a superuser's), or the owner is listed in
// usermatch.trusted_profile_owners. Otherwise raises 42501 naming the profile, its owner and the
// way to opt in. Call before any expression is evaluated.
void require_trusted_expressions(const char* profile_name, const std::string& owner, const engine::Profile& profile);

}  // namespace usermatch::pg
