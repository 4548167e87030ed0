// Renders the records of one person: copy 0 is the "original" record (how the person first
// registered: some fields missing, a few placeholder values), copies 1..k are the original with
// independent variations (formats, script, spelling, typos, missing values). A copy never loses
// all its evidence: it keeps at least one strong key (phone, e-mail, ID, birth date) of the
// original intact when the original has one, and at most a budget of fields is damaged.
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/entity.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace usermatch::generate::detail {

struct RecordFields {
    std::optional<std::string> full_name, phone, email, birth_date, id_number, city;
    std::optional<std::string> gender, address, country;  // realistic preset only
};

// Depends only on (person, copy, seed, corruption), not on the order records are produced in.
RecordFields render_record(const Entity& person, std::uint32_t copy, std::uint64_t seed, double corruption);

}  // namespace usermatch::generate::detail
