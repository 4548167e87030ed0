// usermatch.validate_profile: every problem of a profile spec at once, as rows.
#include <nlohmann/json.hpp>  // before the PostgreSQL headers (port.h redefines snprintf)

#include "core/engine/profile.hpp"
#include "pg/datum.hpp"
#include "pg/source_expression.hpp"
#include "pg/source_reader.hpp"
#include "pg/srf.hpp"

namespace {

// Names of the live columns of relid (dropped ones excluded). Plain PostgreSQL code.
List* relation_column_names(Oid relid) {
    // try_relation_open: a regclass of a dropped relation (or 0) is the caller's mistake, not an
    // internal error.
    Relation rel = try_relation_open(relid, AccessShareLock);
    if (!rel)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("validate_profile: relation with OID %u does not exist", relid)));
    List* names = NIL;
    TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (!att->attisdropped) names = lappend(names, pstrdup(NameStr(att->attname)));
    }
    relation_close(rel, AccessShareLock);
    return names;
}

// With a source: each field's "expression" parsed and analysed against it, as the reader will.
void add_expression_problems(const char* spec, Oid relid, std::vector<usermatch::engine::Problem>& problems) {
    const auto doc = nlohmann::json::parse(spec, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("fields") || !doc["fields"].is_array()) return;
    const std::string relname = usermatch::pg::relation_display_name(relid);
    const auto& fields = doc["fields"];
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto& f = fields[i];
        if (!f.is_object() || !f.contains("expression") || !f["expression"].is_string()) continue;
        const std::string expression = f["expression"].get<std::string>();
        if (expression.empty()) continue;  // reported by the engine's validation
        const std::string name = f.contains("name") && f["name"].is_string() ? f["name"].get<std::string>() : "";
        const char* problem = usermatch::pg::pg_call([&] {
            return (const char*)usermatch::pg::source_expression_problem(relname.c_str(), name.c_str(), expression.c_str());
        });
        if (problem) problems.push_back({"$.fields[" + std::to_string(i) + "].expression", problem});
    }
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
    auto problems = usermatch::engine::validate_profile(spec, with_source ? &columns : nullptr);
    if (with_source) add_expression_problems(spec, PG_GETARG_OID(1), problems);

    usermatch::pg::RowSink sink(fcinfo);
    for (const auto& p : problems) {
        Datum values[2] = {usermatch::pg::text_datum(p.path), usermatch::pg::text_datum(p.problem)};
        bool nulls[2] = {false, false};
        sink.put(values, nulls);
    }
    return (Datum)0;
}
