// Online matching glue (match_one, match_many, warm_cache, drop_cache, cache_stats, pool_stats).
#pragma once

#include <cstdint>

namespace usermatch::pg {

// Per-backend counters of the online index cache, one plain struct (the statistics issue reads
// and aggregates it across backends).
struct OnlineCacheCounters {
    std::uint64_t builds = 0;          // indexes built (cached or one-off)
    std::uint64_t uncached_builds = 0; // one-off builds (no change log installed, or an older snapshot)
    std::uint64_t hits = 0;            // calls served from a cached index
    std::uint64_t misses = 0;          // calls that had to build
    std::uint64_t evictions = 0;       // entries dropped for usermatch.cache_memory
    std::uint64_t invalidations = 0;   // entries dropped because profile / table / log changed
    std::uint64_t delta_rows_pending = 0;  // changed rows the last call read besides its index
    double last_build_seconds = 0;
    std::uint64_t attaches = 0;             // indexes taken from a file another call published
    std::uint64_t published = 0;            // indexes this backend built and published
    std::uint64_t publish_failures = 0;     // ... that could not be written (they stay private)
    std::uint64_t refused_files = 0;        // published files refused on attach (and removed)
    std::uint64_t file_evictions = 0;       // published files removed for usermatch.cache_memory
    std::uint64_t stale_files_removed = 0;  // ... superseded, of dropped relations, dead writers' temp files
};
extern OnlineCacheCounters online_counters;

// Defines usermatch.cache_memory and registers the transaction callbacks (called by _PG_init).
void init_online();

}  // namespace usermatch::pg
