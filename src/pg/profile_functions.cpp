// usermatch.validate_profile: every problem of a profile spec at once, as rows.
#include "core/engine/profile.hpp"
#include "pg/datum.hpp"
#include "pg/srf.hpp"

namespace {

// Names of the live columns of relid (dropped ones excluded). Plain PostgreSQL code.
List* relation_column_names(Oid relid) {
    Relation rel = relation_open(relid, AccessShareLock);
    List* names = NIL;
    TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (!att->attisdropped) names = lappend(names, pstrdup(NameStr(att->attname)));
    }
    relation_close(rel, AccessShareLock);
    return names;
}

}  // namespace

USERMATCH_FUNCTION(usermatch_validate_profile) {
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("validate_profile: argument spec must not be NULL")));
    const char* spec = DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(0)));
    List* column_list = PG_ARGISNULL(1) ? NIL : relation_column_names(PG_GETARG_OID(1));
    const bool with_source = !PG_ARGISNULL(1);
    usermatch::pg::begin_materialized_srf(fcinfo);

    std::vector<std::string> columns;
    ListCell* cell;
    foreach (cell, column_list) columns.emplace_back(static_cast<const char*>(lfirst(cell)));
    const auto problems = usermatch::engine::validate_profile(spec, with_source ? &columns : nullptr);

    usermatch::pg::RowSink sink(fcinfo);
    for (const auto& p : problems) {
        Datum values[2] = {usermatch::pg::text_datum(p.path), usermatch::pg::text_datum(p.problem)};
        bool nulls[2] = {false, false};
        sink.put(values, nulls);
    }
    return (Datum)0;
}
