#include "pg/guard.hpp"

#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
}

namespace usermatch::pg {

namespace detail {

MemoryContext error_context = nullptr;
pthread_t backend_thread;
bool backend_thread_known = false;

void called_off_backend_thread() {
    // No PostgreSQL call here: we are not on the backend thread.
    throw std::logic_error("usermatch: a PostgreSQL function was called from a helper thread (bug in usermatch)");
}

}  // namespace detail

namespace {

// A call_guarded left by an ereport's longjmp could not restore detail::error_context; the
// (sub)transaction abort that follows makes sure no later pg_call copies into a freed context.
// pg_calls further out restore their own value when they end.
void forget_error_context_at_abort(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) detail::error_context = nullptr;
}

void forget_error_context_at_subxact_abort(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (event == SUBXACT_EVENT_ABORT_SUB) detail::error_context = nullptr;
}

// Runs from proc_exit (before shared memory is detached): when ProcessInterrupts exits the
// process from inside keep_going, park the workers of the run first.
void stop_workers_at_exit(int, Datum) { engine::TaskRunner::stop_workers_of_polling_run(); }
bool exit_callback_registered = false;  // per backend: on_exit_reset() clears a forked child's list

int sqlstate_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidParameter: return ERRCODE_INVALID_PARAMETER_VALUE;
        case ErrorCode::InvalidText: return ERRCODE_INVALID_TEXT_REPRESENTATION;
        case ErrorCode::ProgramLimit: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        case ErrorCode::OutOfMemory: return ERRCODE_OUT_OF_MEMORY;
        case ErrorCode::UndefinedObject: return ERRCODE_UNDEFINED_OBJECT;
        case ErrorCode::UndefinedColumn: return ERRCODE_UNDEFINED_COLUMN;
        case ErrorCode::DatatypeMismatch: return ERRCODE_DATATYPE_MISMATCH;
        case ErrorCode::UniqueViolation: return ERRCODE_UNIQUE_VIOLATION;
        case ErrorCode::NotNullViolation: return ERRCODE_NOT_NULL_VIOLATION;
        case ErrorCode::QueryCanceled: return ERRCODE_QUERY_CANCELED;
        case ErrorCode::Internal: return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

// Plain storage for a caught C++ exception: filled inside the catch block, reported after it.
// The buffers are left uninitialised on purpose: clearing 2.5 KB on every call of every SQL
// function cost ~30 ns per call. message is read only after copy_text() filled it; detail and
// hint are emptied in call_guarded (two byte stores) because not every catch fills them.
struct CaughtError {
    int sqlstate = 0;
    char message[1024];
    char detail[1024];
    char hint[512];
    ErrorData* postgres_error = nullptr;
};

void copy_text(char* dst, std::size_t size, const char* src) {
    std::strncpy(dst, src ? src : "", size - 1);
    dst[size - 1] = '\0';
}

}  // namespace

void init_guard() {
    detail::backend_thread = pthread_self();
    detail::backend_thread_known = true;
    RegisterXactCallback(forget_error_context_at_abort, nullptr);
    RegisterSubXactCallback(forget_error_context_at_subxact_abort, nullptr);
}

void park_workers_at_exit() {
    if (exit_callback_registered) return;
    pg_call([] { before_shmem_exit(stop_workers_at_exit, 0); });
    exit_callback_registered = true;
}

bool keep_going() {
    if (!INTERRUPTS_PENDING_CONDITION()) return true;
    // Termination: stop the workers and unwind; call_guarded then lets PostgreSQL exit.
    if (ProcDiePending) return false;
    park_workers_at_exit();
    pg_call([] {
        CHECK_FOR_INTERRUPTS();  // a cancel raises here (-> PgError); other interrupts are handled
    });
    return true;
}

Datum call_guarded(FunctionBody body, FunctionCallInfo fcinfo) {
    // PostgreSQL errors raised inside the body are copied into the context this call began in.
    MemoryContext const entry_context = CurrentMemoryContext;
    MemoryContext const outer_error_context = detail::error_context;
    detail::error_context = entry_context;
    CaughtError caught;
    caught.detail[0] = caught.hint[0] = '\0';
    Datum result = 0;
    try {
        result = body(fcinfo);
    } catch (const PgError& e) {
        caught.postgres_error = e.edata();
    } catch (const Error& e) {
        caught.sqlstate = sqlstate_for(e.code());
        copy_text(caught.message, sizeof caught.message, e.what());
        copy_text(caught.detail, sizeof caught.detail, e.detail().c_str());
        copy_text(caught.hint, sizeof caught.hint, e.hint().c_str());
    } catch (const std::bad_alloc&) {
        caught.sqlstate = ERRCODE_OUT_OF_MEMORY;
        copy_text(caught.message, sizeof caught.message, "out of memory in usermatch");
    } catch (const std::invalid_argument& e) {
        caught.sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
        copy_text(caught.message, sizeof caught.message, e.what());
    } catch (const std::length_error& e) {
        caught.sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        copy_text(caught.message, sizeof caught.message, e.what());
    } catch (const std::exception& e) {
        caught.sqlstate = ERRCODE_INTERNAL_ERROR;
        copy_text(caught.message, sizeof caught.message, e.what());
    } catch (...) {
        caught.sqlstate = ERRCODE_INTERNAL_ERROR;
        copy_text(caught.message, sizeof caught.message, "unknown C++ exception in usermatch");
    }
    // Every C++ frame of the body is gone here: ereport may longjmp.
    detail::error_context = outer_error_context;
    if (caught.postgres_error || caught.sqlstate != 0) MemoryContextSwitchTo(entry_context);
    if (caught.postgres_error) ReThrowError(caught.postgres_error);
    // The engine stopped because a cancel or timeout is pending: let PostgreSQL report it with
    // its own message ("canceling statement due to statement timeout", ...).
    if (caught.sqlstate == ERRCODE_QUERY_CANCELED) CHECK_FOR_INTERRUPTS();
    if (caught.sqlstate != 0) {
        ereport(ERROR, (errcode(caught.sqlstate), errmsg("%s", caught.message),
                        caught.detail[0] ? errdetail("%s", caught.detail) : 0,
                        caught.hint[0] ? errhint("%s", caught.hint) : 0));
    }
    return result;
}

}  // namespace usermatch::pg
