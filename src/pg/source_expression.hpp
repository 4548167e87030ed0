// A profile field's "expression" is SQL text written by whoever wrote the profile. It is placed
// into the reader's query as "(<expression>\n)::pg_catalog.text", so it must be exactly one value
// expression over the source's row: not "1), (2" (two columns), not "x) FROM t; SELECT (1" (two
// statements), no set-returning function or aggregate at its top level (they change the number of
// rows). Each expression is parsed and analysed on its own, before any query is built; nothing is
// executed or planned here.
#pragma once

#include "pg/postgres_headers.hpp"

namespace usermatch::pg {

// Plain PostgreSQL code (call through pg_call): ereports 42601 for a syntax error or several
// statements, 22023 for anything that is not one value expression, 42703/42883/... from parse
// analysis (an unknown column or function). `relname` is the quoted, qualified source name.
void check_source_expression(const char* relname, const char* field, const char* expression);

// The same check for validate_profile: runs it in a subtransaction and returns the error's
// message (palloc'd in the caller's context), or nullptr when the expression is fine.
// Plain PostgreSQL code; must not run inside pg_call of a caller that holds a subtransaction.
char* source_expression_problem(const char* relname, const char* field, const char* expression);

}  // namespace usermatch::pg
