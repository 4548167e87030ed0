// Reading a source relation into the engine's record store: the only place matching touches
// table data. Rows come through an SPI cursor as the calling role (so its privileges apply and
// a missing SELECT right gives PostgreSQL's own permission error), usermatch.batch_size rows at a
// time (16 until the size of a row is known), lowered when the batch would not fit in what
// remains of usermatch.memory_limit.
#pragma once

#include "core/engine/memory_budget.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "pg/guard.hpp"

#include <functional>
#include <string>

namespace usermatch::pg {

struct LoadStats {
    std::size_t rows = 0;
    std::size_t batches = 0;
    int first_batch_size = 0;
    int last_batch_size = 0;
    double seconds = 0;
};

// Reads the stored profile `name` (error 42704 when there is none) and parses it.
engine::Profile load_profile(const char* name);

// Checks that relid can be a source and has the profile's columns with usable types
// (errors 42P01, 42809, 42703, 42804), then streams its rows into `store`. The raw rows and the
// store's growth are charged to `budget` (a fresh one from usermatch.memory_limit when null)
// before they are allocated: 53200 instead of passing the limit. Must run inside an SPI
// connection (see SpiConnection).
LoadStats load_source(Oid relid, const engine::Profile& profile, engine::RecordStore& store,
                      engine::MemoryBudget* budget = nullptr);

// "schema"."table" for messages and queries.
std::string relation_display_name(Oid relid);

// keep_going() for engine callbacks: false once a cancel or terminate is pending.
inline bool keep_going() { return !interrupt_pending(); }

// SPI_connect / SPI_finish for a scope. On an error path the transaction abort cleans up SPI,
// so the destructor only finishes a connection that is still open and ends normally.
class SpiConnection {
public:
    SpiConnection();
    ~SpiConnection();
    void finish();

private:
    bool open_ = false;
};

}  // namespace usermatch::pg
