#include "pg/guard.hpp"

#include "core/errors.hpp"

namespace usermatch::pg {
namespace {

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

Datum call_guarded(FunctionBody body, FunctionCallInfo fcinfo) {
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
