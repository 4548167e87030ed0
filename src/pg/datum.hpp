// Conversions between Datums and core types. Everything that can ereport goes through pg_call.
#pragma once

#include "pg/guard.hpp"

#include <string>
#include <string_view>

namespace usermatch::pg {

// A view of a detoasted text value. Call PG_GETARG_TEXT_PP before creating C++ objects.
inline std::string_view text_view(const ::text* t) {
    return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

inline Datum text_datum(std::string_view s) {
    return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

// A calendar date (already validated by the core) as a PostgreSQL date Datum.
inline Datum date_datum(int year, int month, int day) {
    return DateADTGetDatum(date2j(year, month, day) - POSTGRES_EPOCH_JDATE);
}

}  // namespace usermatch::pg
