// Fuzz target for profile parsing: validate_profile never throws and agrees with parse_profile; a
// profile that parses serialises (profile_to_json) to JSON that parses back to the same canonical
// JSON (a fixed point), with and without a list of source columns.
#include "fuzz_targets.hpp"

#include "core/engine/profile.hpp"
#include "core/errors.hpp"

#include <string>
#include <vector>

namespace usermatch::fuzz {

int fuzz_profile(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    static const std::vector<std::string> kColumns = {"id", "name", "phone", "email", "birth", "country", "cn_id", "city"};
    for (const std::vector<std::string>* columns : {static_cast<const std::vector<std::string>*>(nullptr), &kColumns}) {
        const auto problems = engine::validate_profile(json, columns);
        for (const auto& p : problems)
            FUZZ_CHECK("profile", !p.path.empty() && p.path[0] == '$' && !p.problem.empty(), p.path + ": " + p.problem);
        engine::Profile profile;
        try {
            profile = engine::parse_profile(json, columns);
        } catch (const Error& e) {
            FUZZ_CHECK("profile", e.code() == ErrorCode::InvalidParameter && !problems.empty(), e.what());
            continue;
        }
        FUZZ_CHECK("profile", problems.empty(), problems.front().path + ": " + problems.front().problem);
        FUZZ_CHECK("profile", !profile.fields.empty() && !profile.blocking.empty(), "parsed profile without fields or rules");
        for (const auto& f : profile.fields) FUZZ_CHECK("profile", !f.levels.empty() && f.levels.back().condition == engine::Condition::Else, f.name);
        const std::string canonical = engine::profile_to_json(profile);
        engine::Profile again;
        try {
            again = engine::parse_profile(canonical, columns);
        } catch (const Error& e) {
            fuzz_fail("profile", "canonical JSON does not parse back", std::string(e.what()) + "\n  json: " + canonical);
        }
        const std::string twice = engine::profile_to_json(again);
        FUZZ_CHECK("profile", twice == canonical, canonical + "\n  vs: " + twice);
    }
    return 0;
}

}  // namespace usermatch::fuzz
