// The engine reports every failure by throwing usermatch::Error (or a std:: exception).
// The glue (src/pg/guard.hpp) turns it into ereport() with the SQLSTATE that matches `code`,
// after all C++ frames are gone. The engine never includes a PostgreSQL header.
#pragma once

#include "core/core_guard.hpp"

#include <stdexcept>
#include <string>

namespace usermatch {

enum class ErrorCode {
    InvalidParameter,     // 22023 invalid_parameter_value: a bad argument (unknown region, q < 1)
    InvalidText,          // 22P02 invalid_text_representation: malformed JSON, unparsable value
    ProgramLimit,         // 54000 program_limit_exceeded: input larger than a documented limit
    OutOfMemory,          // 53200 out_of_memory: memory_limit would be exceeded
    UndefinedObject,      // 42704 undefined_object: unknown profile
    UndefinedColumn,      // 42703 undefined_column
    DatatypeMismatch,     // 42804 datatype_mismatch
    UniqueViolation,      // 23505 unique_violation: duplicate record ids in a source
    NotNullViolation,     // 23502 not_null_violation: a record without an id
    QueryCanceled,        // 57014 query_canceled: the glue asked the engine to stop
    Internal,             // XX000 internal_error: a bug
};

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), code_(code), detail_(std::move(detail)), hint_(std::move(hint)) {}

    ErrorCode code() const noexcept { return code_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    ErrorCode code_;
    std::string detail_;
    std::string hint_;
};

}  // namespace usermatch
