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

#include <pthread.h>
#include <type_traits>
#include <utility>

namespace usermatch::pg {

// A PostgreSQL error captured inside pg_call(), carried through C++ frames as an exception.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    ErrorData* edata() const noexcept { return edata_; }
    const char* what() const noexcept override { return edata_ && edata_->message ? edata_->message : "PostgreSQL error"; }

private:
    // palloc'd by CopyErrorData() in the context call_guarded was entered with (the SQL function's
    // caller's context), never in the context current inside pg_call: inside an SPI connection
    // that is SPI's procedure context, which SPI_finish or the abort frees before call_guarded
    // re-raises the error.
    ErrorData* edata_;
};

namespace detail {

// The memory context the innermost active call_guarded was entered with: where pg_call copies a
// PostgreSQL error so that it outlives every context created inside the SQL function (SPI's,
// per-batch ones). nullptr outside any call_guarded (then pg_call uses the caller's context).
// call_guarded and pg_call save and restore it; transaction and subtransaction aborts clear it
// (a call_guarded left by an ereport's longjmp cannot restore it itself).
extern MemoryContext error_context;

// pthread_self() of the backend's main thread, recorded by _PG_init (a backend is forked from the
// postmaster's main thread, or loads the library itself on its main thread).
extern pthread_t backend_thread;
extern bool backend_thread_known;

// Throws std::logic_error: PostgreSQL was called from a helper thread (a bug; see pg_call).
[[noreturn]] void called_off_backend_thread();

inline void assert_backend_thread() {
    if (backend_thread_known && !pthread_equal(pthread_self(), backend_thread)) called_off_backend_thread();
}

}  // namespace detail

// Records the backend thread and registers the abort callbacks that keep detail::error_context
// valid. Called once by _PG_init.
void init_guard();

// Runs `fn` (which may call PostgreSQL functions that ereport) and converts an ERROR into PgError.
// `fn` itself must not create C++ objects with destructors that would be jumped over.
//  * Only the backend thread may call it (PostgreSQL is single-threaded): from any other thread it
//    throws std::logic_error without touching PostgreSQL (the TaskRunner carries that exception
//    back to the backend thread, where call_guarded reports it as XX000).
//  * The error is copied into detail::error_context (see PgError).
//  * If `fn` throws a C++ exception, PG_exception_stack and error_context_stack are restored before
//    it propagates (a throw leaves PG_TRY without passing PG_END_TRY).
template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
    using Result = decltype(fn());
    detail::assert_backend_thread();
    MemoryContext caller_context = CurrentMemoryContext;
    MemoryContext const error_context = detail::error_context;
    sigjmp_buf* const saved_exception_stack = PG_exception_stack;
    ErrorContextCallback* const saved_context_stack = error_context_stack;
    ErrorData* edata = nullptr;
    auto copy_error = [&] {
        // An inner call_guarded that was left by longjmp did not restore detail::error_context.
        detail::error_context = error_context;
        MemoryContextSwitchTo(error_context ? error_context : caller_context);
        edata = CopyErrorData();
        FlushErrorState();
        MemoryContextSwitchTo(caller_context);
    };
    try {
        if constexpr (std::is_void_v<Result>) {
            PG_TRY();
            { fn(); }
            PG_CATCH();
            { copy_error(); }
            PG_END_TRY();
            detail::error_context = error_context;
            if (edata) throw PgError(edata);
        } else {
            Result result{};
            PG_TRY();
            { result = fn(); }
            PG_CATCH();
            { copy_error(); }
            PG_END_TRY();
            detail::error_context = error_context;
            if (edata) throw PgError(edata);
            return result;
        }
    } catch (...) {
        // fn threw a C++ exception (a PgError of a nested pg_call included) out of the PG_TRY
        // block, so PG_END_TRY did not run. (For the PgError thrown above, after PG_END_TRY,
        // this restores what PG_END_TRY already restored.)
        PG_exception_stack = saved_exception_stack;
        error_context_stack = saved_context_stack;
        detail::error_context = error_context;
        throw;
    }
}

// CHECK_FOR_INTERRUPTS for code with live C++ objects: a cancel becomes a PgError exception.
inline void check_interrupts() {
    if (INTERRUPTS_PENDING_CONDITION()) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

// The engine's keep_going callback (TaskRunner polls it on the backend thread, every ~10 ms
// while workers compute). An interrupt that is pending is processed here, through pg_call:
//  * a cancel or statement timeout raises its PostgreSQL error (57014 with PostgreSQL's own
//    message) as a PgError, which the TaskRunner rethrows once its workers have stopped;
//  * anything else (a memory-context log request, a ProcSignalBarrier from CREATE/DROP DATABASE,
//    the idle statistics flush, a client-connection check) is handled and the run goes on;
//  * a pending termination returns false: the workers stop, the C++ frames unwind, and
//    call_guarded lets PostgreSQL exit. Should ProcessInterrupts exit the process anyway (FATAL
//    for a lost client), an exit callback first parks the workers of the run being polled.
bool keep_going();

// Registers (once per backend) the exit callback that parks the workers of the run being polled
// or running foreground work. keep_going registers it on its first interrupt; code that calls
// PostgreSQL while workers run (the read-ahead of a load) calls this first, since a FATAL there
// (termination, lost client) exits the process without unwinding.
void park_workers_at_exit();

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
    extern "C" USERMATCH_EXPORT Datum name(PG_FUNCTION_ARGS) { return usermatch::pg::call_guarded(name##_body, fcinfo); } \
    static Datum name##_body(FunctionCallInfo fcinfo)
