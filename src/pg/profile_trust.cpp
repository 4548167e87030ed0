#include "pg/profile_trust.hpp"

#include "pg/settings.hpp"

extern "C" {
#include "utils/acl.h"
#include "utils/varlena.h"
}

namespace usermatch::pg {
namespace {

// True when `owner` is one of the names in usermatch.trusted_profile_owners (identifier syntax:
// unquoted names are lower-cased, "Quoted" ones kept). Plain PostgreSQL code.
bool listed_as_trusted(const char* owner) {
    const char* setting = settings.trusted_profile_owners;
    if (!setting || !*setting) return false;
    char* copy = pstrdup(setting);
    List* names = NIL;
    if (!SplitIdentifierString(copy, ',', &names))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("usermatch.trusted_profile_owners is not a list of role names: \"%s\"", setting)));
    ListCell* cell;
    foreach (cell, names)
        if (strcmp(static_cast<const char*>(lfirst(cell)), owner) == 0) return true;
    return false;
}

}  // namespace

void require_trusted_expressions(const char* profile_name, const std::string& owner, const engine::Profile& profile) {
    const engine::Field* first = nullptr;
    int expressions = 0;
    for (const auto& field : profile.fields)
        if (!field.expression.empty()) {
            if (!first) first = &field;
            ++expressions;
        }
    if (!first) return;
    const char* owner_name = owner.c_str();
    const char* field_name = first->name.c_str();
    // Shown in the detail, shortened: the caller should see what would have run.
    std::string shown = first->expression.size() > 200 ? first->expression.substr(0, 200) + "..." : first->expression;
    const char* expression = shown.c_str();
    pg_call([&] {
        const Oid caller = GetUserId();
        const Oid owner_oid = get_role_oid(owner_name, /*missing_ok=*/true);
        // The owner gains nothing by running SQL as the caller when it already holds the caller's
        // privileges (the caller's own profile, a superuser's profile, a role the caller is granted to).
        if (OidIsValid(owner_oid) && has_privs_of_role(owner_oid, caller)) return;
        if (listed_as_trusted(owner_name)) return;
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("profile \"%s\" belongs to role \"%s\" and has %d expression field(s), which would run with "
                        "the rights of role \"%s\"",
                        profile_name, owner_name, expressions, GetUserNameFromId(caller, false)),
                 errdetail("Field \"%s\" evaluates: %s", field_name, expression),
                 errhint("If you trust role \"%s\", add it to usermatch.trusted_profile_owners "
                         "(SET usermatch.trusted_profile_owners = '%s'); otherwise use a profile of your own.",
                         owner_name, quote_identifier(owner_name))));
    });
}

}  // namespace usermatch::pg
