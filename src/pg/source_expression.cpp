#include "pg/source_expression.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "utils/resowner.h"
}

namespace usermatch::pg {
namespace {

struct ExpressionContext {
    const char* field;
    const char* query;
};

// Error context: names the field, and moves a syntax error's cursor position from the caller's
// statement (where it would point at the wrong text) into the internal query.
void expression_error_context(void* arg) {
    auto* context = static_cast<ExpressionContext*>(arg);
    const int position = geterrposition();
    if (position > 0) {
        errposition(0);
        internalerrposition(position);
        internalerrquery(context->query);
    }
    errcontext("expression of profile field \"%s\"", context->field);
}

bool is_single_value_select(const SelectStmt* select) {
    return select->op == SETOP_NONE && list_length(select->targetList) == 1 && list_length(select->fromClause) == 1 &&
           select->whereClause == nullptr && select->groupClause == NIL && select->havingClause == nullptr &&
           select->windowClause == NIL && select->sortClause == NIL && select->limitCount == nullptr &&
           select->limitOffset == nullptr && select->lockingClause == NIL && select->withClause == nullptr &&
           select->distinctClause == NIL && select->intoClause == nullptr && select->valuesLists == NIL;
}

}  // namespace

void check_source_expression(const char* relname, const char* field, const char* expression) {
    // The same shape the reader uses: the newline ends a trailing "--" comment inside the expression.
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(&sql, "SELECT (%s\n)::pg_catalog.text FROM %s", expression, relname);

    ExpressionContext context{field, sql.data};
    ErrorContextCallback callback;
    callback.callback = expression_error_context;
    callback.arg = &context;
    callback.previous = error_context_stack;
    error_context_stack = &callback;

    List* statements = raw_parser(sql.data, RAW_PARSE_DEFAULT);
    if (list_length(statements) != 1)
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR),
                        errmsg("the expression of field \"%s\" must be one value expression, not several statements", field),
                        errhint("Remove the \";\": an expression computes one value from a row of the source, e.g. lower(email).")));
    RawStmt* raw = linitial_node(RawStmt, statements);
    if (!IsA(raw->stmt, SelectStmt) || !is_single_value_select(reinterpret_cast<SelectStmt*>(raw->stmt)))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("the expression of field \"%s\" must be exactly one value expression", field),
                        errdetail("It would add columns or clauses to the query that reads the source."),
                        errhint("Write one expression over the row's columns, e.g. first_name || ' ' || last_name.")));
    // Parse analysis resolves columns, functions and types (as the calling role's search_path
    // sees them) without running anything.
    Query* query = parse_analyze_fixedparams(raw, sql.data, nullptr, 0, nullptr);
    if (query->commandType != CMD_SELECT || query->hasAggs || query->hasTargetSRFs || query->hasWindowFuncs)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("the expression of field \"%s\" must compute one value per row", field),
                        errdetail("Aggregates, window functions and set-returning functions are not allowed at its top level."),
                        errhint("Use a scalar subquery, e.g. (SELECT max(x) FROM other WHERE other.id = t.id).")));
    int columns = 0;
    ListCell* cell;
    foreach (cell, query->targetList)
        if (!lfirst_node(TargetEntry, cell)->resjunk) ++columns;
    if (columns != 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("the expression of field \"%s\" must be exactly one value expression", field)));

    error_context_stack = callback.previous;
    pfree(sql.data);
}

char* source_expression_problem(const char* relname, const char* field, const char* expression) {
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    char* problem = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(caller_context);
    PG_TRY();
    {
        check_source_expression(relname, field, expression);
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        ErrorData* edata = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
        // Cancels and the like are not problems of the profile: re-raise them.
        if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED || edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
            edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY)
            ReThrowError(edata);
        problem = psprintf("%s (SQLSTATE %s)", edata->message ? edata->message : "invalid expression",
                           unpack_sql_state(edata->sqlerrcode));
        FreeErrorData(edata);
    }
    PG_END_TRY();
    return problem;
}

}  // namespace usermatch::pg
