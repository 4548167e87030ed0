#include "pg/match_run.hpp"

#include "pg/profile_trust.hpp"
#include "pg/settings.hpp"
#include "pg/source_reader.hpp"

namespace usermatch::pg {

MatchArgs read_match_args(FunctionCallInfo fcinfo, const char* function, int right_arg, int min_probability_arg) {
    MatchArgs args;
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: argument profile must not be NULL", function)));
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: the source relation must not be NULL", function)));
    args.profile = text_to_cstring(PG_GETARG_TEXT_PP(0));
    args.left = PG_GETARG_OID(1);
    if (right_arg >= 0 && !PG_ARGISNULL(right_arg)) args.right = PG_GETARG_OID(right_arg);
    if (min_probability_arg >= 0 && !PG_ARGISNULL(min_probability_arg)) {
        args.has_min_probability = true;
        args.min_probability = PG_GETARG_FLOAT8(min_probability_arg);
        if (!(args.min_probability >= 0.0 && args.min_probability <= 1.0))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: argument min_probability must be between 0 and 1", function)));
    }
    return args;
}

LoadedRun load_run(const MatchArgs& args, bool with_right) {
    SpiConnection spi;
    LoadedRun run;
    run.budget = std::make_unique<engine::MemoryBudget>(static_cast<std::size_t>(settings.memory_limit_kb) * 1024);
    ProfileRecord record;
    run.profile = load_profile(args.profile, &record);
    require_trusted_expressions(args.profile, record.owner, run.profile);
    run.profile_version = record.version;
    run.left = std::make_unique<engine::RecordStore>(run.profile);
    run.load_seconds = load_source(args.left, run.profile, *run.left, run.budget.get()).seconds;
    if (with_right) {
        run.right = std::make_unique<engine::RecordStore>(run.profile);
        run.load_seconds += load_source(args.right, run.profile, *run.right, run.budget.get()).seconds;
    }
    spi.finish();
    return run;
}

void report_phases(const char* function, const LoadedRun& run, const engine::RunStats& stats) {
    pg_call([&] {
        ereport(DEBUG1, (errmsg("usermatch: %s phases: load %.3f s (normalise %.3f s), term frequencies %.3f s, blocking %.3f s, scoring %.3f s, "
                                "output %.3f s; %llu candidate pairs, %llu pairs out",
                                function, run.load_seconds, stats.seconds_normalize, stats.seconds_tf, stats.seconds_block,
                                stats.seconds_compare, stats.seconds_emit,
                                static_cast<unsigned long long>(stats.candidate_pairs),
                                static_cast<unsigned long long>(stats.pairs_emitted))));
    });
}

engine::RunOptions run_options(const MatchArgs& args) {
    engine::RunOptions options;
    if (args.has_min_probability) options.min_probability = args.min_probability;
    options.threads = static_cast<unsigned>(settings.threads);
    return options;  // the caller sets options.budget = run.budget.get()
}

}  // namespace usermatch::pg
