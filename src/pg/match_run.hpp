// What every matching and training function does first: read its arguments, load the profile,
// read the source(s) into record stores.
#pragma once

#include "core/engine/matcher.hpp"
#include "core/engine/memory_budget.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "pg/guard.hpp"

#include <memory>

namespace usermatch::pg {

// Arguments shared by the matching functions, read before any C++ object exists.
struct MatchArgs {
    const char* profile = nullptr;
    Oid left = InvalidOid;
    Oid right = InvalidOid;
    bool has_min_probability = false;
    double min_probability = 0;
};

// Reads (profile text, left regclass, [right regclass], [min_probability float8]) at the given
// argument positions (-1 = absent). Plain PostgreSQL code: call it before creating C++ objects.
MatchArgs read_match_args(FunctionCallInfo fcinfo, const char* function, int right_arg, int min_probability_arg);

// Profile plus the normalised records of one or two sources, and the run's memory budget
// (usermatch.memory_limit), already charged with both stores; what the run builds next (blocking
// index, term frequencies, cluster edges) is charged to the same budget.
struct LoadedRun {
    std::unique_ptr<engine::MemoryBudget> budget;
    engine::Profile profile;
    std::unique_ptr<engine::RecordStore> left;
    std::unique_ptr<engine::RecordStore> right;
    int profile_version = 0;  // the stored version the profile was read at (train checks it)
    double load_seconds = 0;  // reading and normalising the source(s)
};

// Loads the profile and the source(s) through SPI as the calling role.
LoadedRun load_run(const MatchArgs& args, bool with_right);

// Where a run's time went, at DEBUG1 (SET client_min_messages = debug1 shows it in psql).
void report_phases(const char* function, const LoadedRun& run, const engine::RunStats& stats);

// Engine options from the arguments and the usermatch.* settings.
engine::RunOptions run_options(const MatchArgs& args);

}  // namespace usermatch::pg
