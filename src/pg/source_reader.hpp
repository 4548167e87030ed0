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

// Who owns a stored profile and which version was read (same snapshot as the spec).
struct ProfileRecord {
    std::string owner;
    int version = 0;
};

// Reads the stored profile `name` (error 42704 when there is none) and parses it; fills `record`
// when given.
engine::Profile load_profile(const char* name, ProfileRecord* record = nullptr);

// The stored row of profile `name` (spec as JSON text, owner, version), palloc'd in the current
// memory context; 42704 when there is none. Needs an SPI connection.
struct ProfileRow {
    const char* spec = nullptr;
    const char* owner = nullptr;
    int version = 0;
};
ProfileRow read_profile_row(const char* name);

// Runs a constant query through a plan prepared once per backend and kept (SPI_keepplan): the hot
// online path runs the same few catalogue queries on every call, and parsing and planning them
// each time cost more than the matching. `sql` must be a string literal (the cache is keyed by its
// address). PostgreSQL code: call inside pg_call, within an SPI connection. Returns SPI's code.
int execute_kept_plan(const char* sql, int nargs, const Oid* types, const Datum* values, const char* nulls,
                      bool read_only, long count);

// Checks that relid can be a source and has the profile's columns with usable types
// (errors 42P01, 42809, 42703, 42804), then streams its rows into `store`. The raw rows and the
// store's growth are charged to `budget` (a fresh one from usermatch.memory_limit when null)
// before they are allocated: 53200 instead of passing the limit. Must run inside an SPI
// connection (see SpiConnection). `where`, when given, is appended to the query after
// "FROM <relation>" verbatim (online matching reads only the changed rows; built from quoted
// identifiers and literals by the caller, never from user text).
LoadStats load_source(Oid relid, const engine::Profile& profile, engine::RecordStore& store,
                      engine::MemoryBudget* budget = nullptr, const std::string& where = {});

// "schema"."table" for messages and queries.
std::string relation_display_name(Oid relid);

// SPI_connect / SPI_finish for a scope. On an error path (the destructor runs while an exception
// unwinds) the connection is left to the (sub)transaction abort, which cleans SPI up
// (AtEOXact_SPI / AtEOSubXact_SPI): SPI_finish there would free SPI's memory while the error is
// still on its way, and every exception that leaves a USERMATCH_FUNCTION body ends in an ERROR.
// So code must not catch and swallow an exception that unwound a SpiConnection.
class SpiConnection {
public:
    SpiConnection();
    ~SpiConnection();
    void finish();

private:
    bool open_ = false;
    int exceptions_at_start_ = 0;  // std::uncaught_exceptions() when connected
};

}  // namespace usermatch::pg
