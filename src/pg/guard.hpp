// The C++ / PostgreSQL boundary. PostgreSQL reports errors with longjmp, C++ with exceptions;
// neither may cross the other's frames. Rules for every SQL-callable function:
//
//  * Declare it with USERMATCH_FUNCTION(name) { ... }. The body runs inside try/catch; a C++
//    exception is copied into a plain buffer, the C++ frames unwind, and only then does the
//    wrapper ereport(ERROR) with the SQLSTATE that matches the exception.
//  * Inside a body, call PostgreSQL functions that can ereport (detoast, SPI, syscache,
//    CHECK_FOR_INTERRUPTS, palloc of large sizes) either before the first C++ object with a
//    destructor exists, or through pg_call(), which turns a PostgreSQL error into a PgError
//    exception that the wrapper re-throws as the original PostgreSQL error.
//
// "The engine throws, the glue ereports."
#pragma once

#include "pg/postgres_headers.hpp"

#include <utility>

namespace usermatch::pg {

// A PostgreSQL error captured inside pg_call(), carried through C++ frames as an exception.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    ErrorData* edata() const noexcept { return edata_; }
    const char* what() const noexcept override { return edata_ && edata_->message ? edata_->message : "PostgreSQL error"; }

private:
    ErrorData* edata_;  // palloc'd in the caller's memory context by CopyErrorData()
};

// Runs `fn` (which may call PostgreSQL functions that ereport) and converts an ERROR into PgError.
// `fn` itself must not create C++ objects with destructors that would be jumped over.
template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
    using Result = decltype(fn());
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* edata = nullptr;
    if constexpr (std::is_void_v<Result>) {
        PG_TRY();
        { fn(); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (edata) throw PgError(edata);
    } else {
        Result result{};
        PG_TRY();
        { result = fn(); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (edata) throw PgError(edata);
        return result;
    }
}

// CHECK_FOR_INTERRUPTS for code with live C++ objects: a cancel becomes a PgError exception.
inline void check_interrupts() {
    if (INTERRUPTS_PENDING_CONDITION()) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

// True when a cancel / terminate is pending (safe to read from the glue thread only).
inline bool interrupt_pending() { return INTERRUPTS_PENDING_CONDITION(); }

using FunctionBody = Datum (*)(FunctionCallInfo);

// Runs body under try/catch and reports a caught exception with ereport after the C++ frames
// are gone. Defined in guard.cpp.
Datum call_guarded(FunctionBody body, FunctionCallInfo fcinfo);

}  // namespace usermatch::pg

// Declares an SQL-callable function `name` (extern "C", exported, V1 calling convention) whose
// body is written after the macro and runs inside usermatch::pg::call_guarded.
#define USERMATCH_FUNCTION(name)                                                               \
    extern "C" {                                                                               \
    PG_FUNCTION_INFO_V1(name);                                                                 \
    }                                                                                          \
    static Datum name##_body(FunctionCallInfo fcinfo);                                         \
    extern "C" Datum name(PG_FUNCTION_ARGS) { return usermatch::pg::call_guarded(name##_body, fcinfo); } \
    static Datum name##_body(FunctionCallInfo fcinfo)
