// Module entry: magic block, _PG_init, the GUCs every part of the glue reads.
#include "pg/guard.hpp"
#include "core/normalize/normalize.hpp"
#include "pg/settings.hpp"
#include "pg/online/online.hpp"
#include "pg/stats/stats.hpp"
#include "pg/jobs/jobs.hpp"

#include <algorithm>

extern "C" {
#include "utils/varlena.h"
}

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

namespace usermatch::pg {

Settings settings;  // plain integers: no constructor runs at load time
bool loaded_by_preload = false;
LauncherHooks launcher_hooks{nullptr, nullptr};

namespace {

// usermatch.threads and usermatch.memory_limit as the role set them; settings.threads and
// settings.memory_limit_kb hold them capped by the superuser-only ceilings usermatch.max_threads
// and usermatch.max_memory_limit (the way max_parallel_workers caps
// max_parallel_workers_per_gather). An explicit SET above the ceiling is refused, so the cap is
// visible; values from the configuration file or ALTER ROLE ... SET are capped silently.
int threads_requested = 2;
int memory_limit_requested_kb = 1024 * 1024;
int max_threads = 8;
int max_memory_limit_kb = 4 * 1024 * 1024;

bool check_under_ceiling(int value, int ceiling, GucSource source, const char* ceiling_name, const char* unit) {
    if (source != PGC_S_SESSION || value <= ceiling) return true;
    GUC_check_errdetail("It may not exceed %s, which is %d%s.", ceiling_name, ceiling, unit);
    GUC_check_errhint("A superuser can raise %s (postgresql.conf, ALTER ROLE ... SET or ALTER DATABASE ... SET).",
                      ceiling_name);
    return false;
}

bool check_threads(int* newval, void**, GucSource source) {
    return check_under_ceiling(*newval, max_threads, source, "usermatch.max_threads", "");
}
void assign_threads(int newval, void*) { settings.threads = std::max(1, std::min(newval, max_threads)); }
void assign_max_threads(int newval, void*) { settings.threads = std::max(1, std::min(threads_requested, newval)); }

bool check_memory_limit(int* newval, void**, GucSource source) {
    return check_under_ceiling(*newval, max_memory_limit_kb, source, "usermatch.max_memory_limit", "kB");
}
void assign_memory_limit(int newval, void*) { settings.memory_limit_kb = std::min(newval, max_memory_limit_kb); }
void assign_max_memory_limit(int newval, void*) {
    settings.memory_limit_kb = std::min(memory_limit_requested_kb, newval);
}

// usermatch.trusted_profile_owners must be a list of identifiers, like search_path.
bool check_trusted_owners(char** newval, void**, GucSource) {
    char* copy = pstrdup(*newval);
    List* names = NIL;
    const bool ok = SplitIdentifierString(copy, ',', &names);
    list_free(names);
    pfree(copy);
    if (!ok) GUC_check_errdetail("List syntax is invalid: give role names separated by commas.");
    return ok;
}

}  // namespace

}  // namespace usermatch::pg

extern "C" void _PG_init(void) {
    using usermatch::pg::settings;
    usermatch::pg::loaded_by_preload = process_shared_preload_libraries_in_progress;
    usermatch::pg::init_guard();

    DefineCustomIntVariable("usermatch.batch_size",
                            "Rows read from a source per batch.",
                            "The engine may lower it to stay within usermatch.memory_limit.",
                            &settings.batch_size, 10000, 100, 1000000, PGC_USERSET, 0, nullptr,
                            nullptr, nullptr);
    // Ceilings first: the assign hooks of threads and memory_limit read them.
    DefineCustomIntVariable("usermatch.max_threads",
                            "Most worker threads any role may give usermatch.threads (superuser only).",
                            nullptr, &usermatch::pg::max_threads, 8, 1, 64, PGC_SUSET, 0, nullptr,
                            usermatch::pg::assign_max_threads, nullptr);
    DefineCustomIntVariable("usermatch.max_memory_limit",
                            "Largest usermatch.memory_limit any role may set (superuser only).",
                            nullptr, &usermatch::pg::max_memory_limit_kb, 4 * 1024 * 1024, 16 * 1024, INT_MAX / 2,
                            PGC_SUSET, GUC_UNIT_KB, nullptr, usermatch::pg::assign_max_memory_limit, nullptr);
    DefineCustomIntVariable("usermatch.memory_limit",
                            "Memory one matching run may use for its normalised records and work queues.",
                            "Capped by usermatch.max_memory_limit.", &usermatch::pg::memory_limit_requested_kb,
                            1024 * 1024, 16 * 1024, INT_MAX / 2, PGC_USERSET, GUC_UNIT_KB,
                            usermatch::pg::check_memory_limit, usermatch::pg::assign_memory_limit, nullptr);
    DefineCustomIntVariable("usermatch.threads",
                            "Worker threads used to compare candidate pairs (1 = compare on the backend's own thread).",
                            "Capped by usermatch.max_threads.", &usermatch::pg::threads_requested, 2, 1, 64,
                            PGC_USERSET, 0, usermatch::pg::check_threads, usermatch::pg::assign_threads, nullptr);
    DefineCustomStringVariable("usermatch.trusted_profile_owners",
                               "Roles whose profiles' expression fields may run with your rights.",
                               "Comma-separated role names. Expressions of your own profiles, and of profiles whose "
                               "owner already has your privileges (e.g. a superuser), always run.",
                               &settings.trusted_profile_owners, "", PGC_USERSET, GUC_LIST_INPUT,
                               usermatch::pg::check_trusted_owners, nullptr, nullptr);
    usermatch::pg::init_online();
    usermatch::pg::stats::init_stats();
    usermatch::pg::init_jobs();
    MarkGUCPrefixReserved("usermatch");
    // In the postmaster: every backend inherits the compiled ICU rules, so no engine task pays
    // the ~0.3 s compile (which a cancel would have to wait for). A failure shows up later, with
    // a clear error, when a normaliser creates its transliterator.
    if (process_shared_preload_libraries_in_progress) (void)usermatch::normalize::warm_up_transliterators();
}
