// Set-returning functions in materialize mode: rows go into a tuplestore, which spills to disk
// past work_mem, so results never need to fit in memory.
#pragma once

#include "pg/guard.hpp"

namespace usermatch::pg {

// Prepares fcinfo's ReturnSetInfo for materialize mode (call at the top of a body, before C++
// objects exist: it ereports when the caller cannot accept a set).
inline void begin_materialized_srf(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
}

// Appends rows to the result tuplestore; batches many rows per pg_call to keep the guard cheap.
class RowSink {
public:
    explicit RowSink(FunctionCallInfo fcinfo) : rsinfo_(reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo)) {}

    // put(values, nulls) for one row; must be called on the backend's own thread.
    void put(const Datum* values, const bool* nulls) {
        pg_call([&] { tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, const_cast<Datum*>(values), const_cast<bool*>(nulls)); });
    }
    ReturnSetInfo* info() const { return rsinfo_; }

private:
    ReturnSetInfo* rsinfo_;
};

}  // namespace usermatch::pg
