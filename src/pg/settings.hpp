// Values of the usermatch.* GUCs, defined in module.cpp.
#pragma once

#include "pg/postgres_headers.hpp"

namespace usermatch::pg {

struct Settings {
    int batch_size;        // usermatch.batch_size: rows per SPI fetch
    int memory_limit_kb;   // usermatch.memory_limit, capped by usermatch.max_memory_limit (module.cpp)
    int threads;           // usermatch.threads, capped by usermatch.max_threads (module.cpp)
    char* trusted_profile_owners;  // usermatch.trusted_profile_owners (see profile_trust.hpp)
};

extern Settings settings;
// True when the library was loaded through shared_preload_libraries (background worker and
// shared-memory features need it).
extern bool loaded_by_preload;

// Periodic work other parts ask the background-job launcher to do (statistics history sampling).
// The launcher (worker code) calls tick() from its loop when set, and sleeps at most interval_ms()
// milliseconds between calls; the part that sets them does so in its init function.
struct LauncherHooks {
    void (*tick)();
    long (*interval_ms)();
};
extern LauncherHooks launcher_hooks;

}  // namespace usermatch::pg
