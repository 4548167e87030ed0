// Module entry: magic block, _PG_init, the GUCs every part of the glue reads.
#include "core/normalize/normalize.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

namespace usermatch::pg {

Settings settings;  // plain integers: no constructor runs at load time
bool loaded_by_preload = false;

}  // namespace usermatch::pg

extern "C" void _PG_init(void) {
    using usermatch::pg::settings;
    usermatch::pg::loaded_by_preload = process_shared_preload_libraries_in_progress;

    DefineCustomIntVariable("usermatch.batch_size",
                            "Rows read from a source per batch.",
                            "The engine may lower it to stay within usermatch.memory_limit.",
                            &settings.batch_size, 10000, 100, 1000000, PGC_USERSET, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("usermatch.memory_limit",
                            "Memory one matching run may use for its normalised records and work queues.",
                            nullptr, &settings.memory_limit_kb, 1024 * 1024, 16 * 1024, INT_MAX / 2,
                            PGC_USERSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("usermatch.threads",
                            "Worker threads used to compare candidate pairs (1 = compare on the backend's own thread).",
                            nullptr, &settings.threads, 2, 1, 64, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("usermatch");
    // In the postmaster: every backend inherits the compiled ICU rules, so no engine task pays
    // the ~0.3 s compile (which a cancel would have to wait for). A failure shows up later, with
    // a clear error, when a normaliser creates its transliterator.
    if (process_shared_preload_libraries_in_progress) (void)usermatch::normalize::warm_up_transliterators();
}
