#include "pg/source_reader.hpp"

#include "core/errors.hpp"
#include "pg/settings.hpp"
#include "pg/source_expression.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <exception>

extern "C" {
#include "access/detoast.h"
#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "utils/syscache.h"
#include "utils/rel.h"
}

namespace usermatch::pg {
namespace {

using engine::FieldType;

// Type categories a field of each type accepts (pg_type.typcategory).
bool category_allowed(FieldType type, char category) {
    switch (category) {
        case TYPCATEGORY_STRING:
        case TYPCATEGORY_NUMERIC:
            return true;
        case TYPCATEGORY_DATETIME:
            return type == FieldType::Date || type == FieldType::Text || type == FieldType::Exact;
        default:
            // Enums, domains over text (category of their base type), user types like citext ('S').
            return category == TYPCATEGORY_ENUM && (type == FieldType::Text || type == FieldType::Exact);
    }
}

// One column of the source as the engine sees it, resolved against the catalog.
struct ColumnRef {
    const char* column = nullptr;      // plain column (nullptr when an expression)
    const char* expression = nullptr;  // SQL expression over the row
    const char* field = nullptr;       // for messages
    FieldType type = FieldType::Exact;
};

// Builds "SELECT <id>::text, <field>::text, ... FROM <relation>" after checking columns and types.
// Plain PostgreSQL code (no C++ objects), called through pg_call.
char* build_query(Oid relid, const ColumnRef* columns, int ncolumns, const char* where) {
    HeapTuple classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(classtup))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
    Form_pg_class classform = (Form_pg_class)GETSTRUCT(classtup);
    char relkind = classform->relkind;
    char* relname = pstrdup(NameStr(classform->relname));
    char* nspname = get_namespace_name(classform->relnamespace);
    ReleaseSysCache(classtup);
    if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
        relkind != RELKIND_PARTITIONED_TABLE && relkind != RELKIND_FOREIGN_TABLE)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("\"%s\" is not a table, view or materialized view", relname)));

    const char* qualified = quote_qualified_identifier(nspname, relname);
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfoString(&sql, "SELECT ");
    for (int i = 0; i < ncolumns; ++i) {
        const ColumnRef& ref = columns[i];
        if (i > 0) appendStringInfoString(&sql, ", ");
        if (ref.expression) {
            // Checked by load_source to be exactly one value expression (check_source_expression).
            // The newline ends a trailing "--" comment, as in the check.
            appendStringInfo(&sql, "(%s\n)::pg_catalog.text", ref.expression);
            continue;
        }
        AttrNumber attnum = get_attnum(relid, ref.column);
        if (attnum == InvalidAttrNumber || attnum < 0)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                            errmsg("column \"%s\" of relation \"%s\" does not exist", ref.column, relname),
                            ref.field ? errdetail("The profile's field \"%s\" reads it.", ref.field)
                                      : errdetail("The profile's \"id\" names it.")));
        Oid typid = get_atttype(relid, attnum);
        char category;
        bool preferred;
        get_type_category_preferred(getBaseType(typid), &category, &preferred);
        const char* quoted = quote_identifier(ref.column);
        if (ref.field && !category_allowed(ref.type, category))
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("column \"%s\" of relation \"%s\" has type %s, which field \"%s\" cannot read",
                                   ref.column, relname, format_type_be(typid), ref.field),
                            errhint("Use text, a numeric type, or for dates date/timestamp; or give the field an \"expression\".")));
        if (category == TYPCATEGORY_DATETIME)
            // Independent of DateStyle: 1985-03-12, never 12/03/1985.
            appendStringInfo(&sql, "pg_catalog.to_char(%s, 'YYYY-MM-DD')", quoted);
        else
            appendStringInfo(&sql, "%s::pg_catalog.text", quoted);
    }
    appendStringInfo(&sql, " FROM %s", qualified);
    if (where && *where) appendStringInfo(&sql, " %s", where);
    return sql.data;
}

// Defence in depth before a row is read: the prepared query returns exactly ncolumns columns, all
// of type text (fill_batch reads every column as text). Plain PostgreSQL code.
void check_result_columns(TupleDesc desc, int ncolumns) {
    if (desc == nullptr || desc->natts != ncolumns)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("usermatch: the query reading the source returns %d columns instead of %d",
                               desc ? desc->natts : 0, ncolumns),
                        errhint("Check the profile's field expressions with usermatch.validate_profile(spec, source).")));
    for (int c = 0; c < ncolumns; ++c)
        if (TupleDescAttr(desc, c)->atttypid != TEXTOID)
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("usermatch: column %d of the query reading the source has type %s instead of text", c + 1,
                                   format_type_be(TupleDescAttr(desc, c)->atttypid))));
}

// Rows of the first fetch, before the size of a row is known.
constexpr int kFirstFetch = 16;

// Bytes a value occupies in the raw batch besides its text (its view and the store's bookkeeping).
constexpr std::size_t kValueOverhead = 16;

// What normalising a part of a batch costs in memory, in the engine's own measure.
struct PartCost {
    double store_per_raw_byte = 3.0;  // store bytes per raw byte (measured, largest seen)
    unsigned threads = 1;             // values normalised at once
    // Working memory of normalising one value, per byte of it (measured on person_name values of
    // 1-8 MB, Latin and Han: 10-31x; ICU and pinyin forms hold several copies while they run).
    static constexpr std::size_t kWorkPerByte = 32;

    // Working memory already charged for the load (the allocator keeps what a worker thread freed
    // for that thread, so it is charged once, at its largest, for the whole load).
    std::size_t work_charged = 0;

    // Working memory for normalising values up to largest_value on `rows` rows at once.
    std::size_t work(std::size_t largest_value, uint64 rows) const {
        const std::size_t at_once = static_cast<std::size_t>(std::min<uint64>(threads, std::max<uint64>(rows, 1)));
        return at_once * kWorkPerByte * largest_value;
    }
    // The part itself: raw values held + the batch's normalised columns + their copy in the store.
    std::size_t held(std::size_t raw_bytes) const {
        return static_cast<std::size_t>(static_cast<double>(raw_bytes) * (1.0 + 2.0 * store_per_raw_byte));
    }
    // What a part needs beyond what is charged already.
    std::size_t bytes(std::size_t raw_bytes, std::size_t largest_value, uint64 rows) const {
        const std::size_t w = work(largest_value, rows);
        return held(raw_bytes) + (w > work_charged ? w - work_charged : 0);
    }
};

// What one fill_batch call did.
struct FillResult {
    uint64 rows = 0;            // rows filled, from `first` on
    std::size_t raw_bytes = 0;  // their values once detoasted, plus kValueOverhead each
    std::size_t largest_value = 0;
    bool null_id = false;       // the row after them has a NULL id
    std::size_t too_large_row_bytes = 0;  // > 0: the first row alone would pass `available`
    std::size_t too_large_needed = 0;     // what normalising it would need
};

// Copies fetched rows [first, end) into views (detoasting as needed) until the next row would take
// the part's cost past `available`. A row's size is read from its (possibly toasted) datums BEFORE
// anything is detoasted, so when the first row alone is too large nothing is filled and the caller
// raises 53200 before its memory is allocated. Checks for interrupts every row. Plain PostgreSQL code: the
// vectors are sized by the caller, so filling them cannot throw. Each tuple is deformed once
// (SPI_getbinval per column would walk the tuple again for every column after a text one).
void fill_batch(SPITupleTable* table, uint64 first, uint64 end, int ncolumns, const PartCost* cost,
                std::size_t available, std::string_view* ids, engine::RawValue* values, FillResult* out) {
    check_result_columns(table->tupdesc, ncolumns);
    // Sized from the tuples' own descriptor, whatever ncolumns says.
    const int natts = table->tupdesc->natts;
    Datum* datums = static_cast<Datum*>(palloc(sizeof(Datum) * natts));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * natts));
    for (uint64 r = first; r < end; ++r) {
        CHECK_FOR_INTERRUPTS();
        heap_deform_tuple(table->vals[r], table->tupdesc, datums, nulls);
        if (nulls[0]) {
            out->null_id = true;  // caller reports the NULL id
            break;
        }
        std::size_t row_bytes = 32, largest = out->largest_value;
        for (int c = 0; c < natts; ++c) {
            if (nulls[c]) continue;
            const std::size_t size = toast_raw_datum_size(datums[c]);
            row_bytes += size + kValueOverhead;
            largest = Max(largest, size);
        }
        const std::size_t needed = cost->bytes(out->raw_bytes + row_bytes, largest, out->rows + 1);
        if (needed > available) {
            if (out->rows == 0) {  // this row alone does not fit: the caller raises 53200
                out->too_large_row_bytes = row_bytes;
                out->too_large_needed = needed;
            }
            break;  // otherwise the next part starts with this row
        }
        const uint64 slot_row = out->rows;
        text* id = DatumGetTextPP(datums[0]);
        ids[slot_row] = std::string_view(VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id));
        for (int c = 1; c < ncolumns; ++c) {
            engine::RawValue& slot = values[slot_row * (ncolumns - 1) + (c - 1)];
            if (nulls[c]) {
                slot = std::nullopt;
            } else {
                text* t = DatumGetTextPP(datums[c]);
                slot = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
            }
        }
        out->rows += 1;
        out->raw_bytes += row_bytes;
        out->largest_value = largest;
    }
    pfree(datums);
    pfree(nulls);
}

}  // namespace

SpiConnection::SpiConnection() {
    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    open_ = true;
    exceptions_at_start_ = std::uncaught_exceptions();
}

SpiConnection::~SpiConnection() {
    // Unwinding from an exception: the error will abort the (sub)transaction, which finishes the
    // connection. SPI_finish here would free SPI's procedure context (and whatever the error
    // path still needs from it) before call_guarded reports the error.
    if (!open_ || std::uncaught_exceptions() > exceptions_at_start_) return;
    // A normal end of scope without finish(): finish now. Errors from SPI_finish cannot be
    // reported from a destructor: ignore them (the transaction end cleans up anyway).
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    { SPI_finish(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller);
        FlushErrorState();
    }
    PG_END_TRY();
}

void SpiConnection::finish() {
    if (!open_) return;
    open_ = false;
    pg_call([] { SPI_finish(); });
}

std::string relation_display_name(Oid relid) {
    const char* name = pg_call([&] {
        char* relname = get_rel_name(relid);
        if (!relname) ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
        return (const char*)quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname);
    });
    return name;
}

int execute_kept_plan(const char* sql, int nargs, const Oid* types, const Datum* values, const char* nulls,
                      bool read_only, long count) {
    // A handful of literal queries: a fixed array, no global C++ object.
    constexpr int kSlots = 16;
    static const char* texts[kSlots];
    static SPIPlanPtr plans[kSlots];
    int slot = 0;
    while (slot < kSlots && texts[slot] && texts[slot] != sql) ++slot;
    if (slot == kSlots)  // more distinct queries than slots: run it unprepared
        return SPI_execute_with_args(sql, nargs, const_cast<Oid*>(types), const_cast<Datum*>(values), nulls,
                                     read_only, count);
    if (!texts[slot]) {
        SPIPlanPtr plan = SPI_prepare(sql, nargs, const_cast<Oid*>(types));
        if (!plan) elog(ERROR, "usermatch: preparing a catalogue query failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(plan) != 0) elog(ERROR, "usermatch: keeping a catalogue query's plan failed");
        plans[slot] = plan;
        texts[slot] = sql;
    }
    return SPI_execute_plan(plans[slot], const_cast<Datum*>(values), nulls, read_only, count);
}

ProfileRow read_profile_row(const char* name) {
    ProfileRow row;
    pg_call([&] {
        Oid argtypes[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(name)};
        int rc = execute_kept_plan(
            "SELECT spec::pg_catalog.text, owner::pg_catalog.text, version FROM usermatch.profiles"
            " WHERE name OPERATOR(pg_catalog.=) $1",
            1, argtypes, args, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "reading usermatch.profiles failed: %s", SPI_result_code_string(rc));
        if (SPI_processed == 0)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("profile \"%s\" does not exist", name),
                            errhint("Create it with usermatch.create_profile(name, spec).")));
        row.spec = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
        row.owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
        bool isnull;
        row.version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
    });
    return row;
}

engine::Profile load_profile(const char* name, ProfileRecord* record) {
    const ProfileRow row = read_profile_row(name);
    const char* spec = row.spec;
    const char* owner = row.owner;
    const int version = row.version;
    if (record) {
        record->owner = owner ? owner : "";
        record->version = version;
    }
    try {
        return engine::parse_profile(spec);
    } catch (const Error& e) {
        throw Error(e.code(), std::string("profile \"") + name + "\" is invalid: " + e.what(), e.detail(), e.hint());
    }
}

LoadStats load_source(Oid relid, const engine::Profile& profile, engine::RecordStore& store,
                      engine::MemoryBudget* shared_budget, const std::string& where) {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    LoadStats stats;

    std::vector<ColumnRef> refs;
    refs.push_back({profile.id_column.c_str(), nullptr, nullptr, FieldType::Exact});
    for (const auto& field : profile.fields) {
        ColumnRef ref;
        ref.field = field.name.c_str();
        ref.type = field.type;
        if (field.expression.empty()) ref.column = field.column.c_str();
        else ref.expression = field.expression.c_str();
        refs.push_back(ref);
    }
    // Extra columns after the fields (a phone field's region_column): the store takes a record's
    // values as one per field, then one per profile.extra_columns.
    for (const auto& column : profile.extra_columns) {
        ColumnRef ref;
        ref.column = column.c_str();
        for (const auto& field : profile.fields)
            if (field.region_column == column) ref.field = field.name.c_str();
        ref.type = FieldType::Exact;  // text, numeric or enum
        refs.push_back(ref);
    }
    const int ncolumns = static_cast<int>(refs.size());
    const ColumnRef* refs_data = refs.data();
    // Each expression parsed on its own before the query is built: "1), (2" must not add columns.
    bool any_expression = false;
    for (const auto& ref : refs) any_expression |= ref.expression != nullptr;
    if (any_expression) {
        const std::string relname = relation_display_name(relid);
        for (const auto& ref : refs)
            if (ref.expression) pg_call([&] { check_source_expression(relname.c_str(), ref.field, ref.expression); });
    }
    MemoryContext batch_context = pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "usermatch source batch", ALLOCSET_DEFAULT_SIZES);
    });
    const char* where_sql = where.c_str();
    Portal portal = pg_call([&] {
        char* query = build_query(relid, refs_data, ncolumns, where_sql);
        SPIPlanPtr plan = SPI_prepare(query, 0, nullptr);
        if (!plan) elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
        List* sources = SPI_plan_get_plan_sources(plan);
        if (list_length(sources) != 1)
            ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR), errmsg("usermatch: the query reading the source is not one statement")));
        check_result_columns(static_cast<CachedPlanSource*>(linitial(sources))->resultDesc, ncolumns);
        Portal opened = SPI_cursor_open(nullptr, plan, nullptr, nullptr, true);
        check_result_columns(opened->tupDesc, ncolumns);
        return opened;
    });

    engine::MemoryBudget own_budget(static_cast<std::size_t>(settings.memory_limit_kb) * 1024);
    engine::MemoryBudget& budget = shared_budget ? *shared_budget : own_budget;
    const std::string relname = relation_display_name(relid);
    const std::string records_of = "the normalised records of " + relname;
    // The workers' text memos (repeated names, cities, genders normalised once) are charged for
    // the load, before the runner whose threads hold them (released after they have exited); under
    // a tight limit the load goes without them.
    const unsigned threads = std::max(1, settings.threads);
    const std::size_t memo_bytes = threads * engine::kTextMemoBytesPerThread;
    const bool use_memo = budget.available() >= 8 * memo_bytes;
    store.set_text_memo(use_memo);
    engine::MemoryCharge memo_charge(&budget, use_memo ? memo_bytes : 0, "the normalisers' memo of repeated values");
    // One runner for the whole load: its threads and their normaliser caches live across batches.
    engine::TaskRunner runner(threads, keep_going);
    park_workers_at_exit();  // the read-ahead below calls PostgreSQL while workers run
    const int batch_size = settings.batch_size;
    stats.first_batch_size = std::min(batch_size, kFirstFetch);
    bool lowered_notice_sent = false;
    std::vector<std::string_view> ids;
    std::vector<engine::RawValue> values;
    PartCost cost;
    cost.threads = runner.threads();
    engine::MemoryCharge work_charge(&budget, 0, records_of.c_str());  // normalisers' working memory
    std::size_t raw_bytes_per_row = 0;  // 0 until the first part is read
    // Raw bytes a part may hold, for sizing fetches (the exact check is per row, in fill_batch).
    auto raw_allowance = [&] {
        return static_cast<std::size_t>(budget.available() / (1.0 + 2.0 * cost.store_per_raw_byte + PartCost::kWorkPerByte));
    };

    // Rows per fetch: a few until the size of a row is known, then what fits (at most batch_size).
    auto next_fetch_rows = [&] {
        int fetch_rows = std::min(batch_size, kFirstFetch);
        if (raw_bytes_per_row > 0) {
            const std::size_t fits = std::max<std::size_t>(1, raw_allowance() / raw_bytes_per_row);
            fetch_rows = static_cast<int>(std::min<std::size_t>(fits, batch_size));
            if (fetch_rows < batch_size && !lowered_notice_sent) {
                const int from = batch_size, to = std::max(fetch_rows, 1);
                pg_call([&] {
                    ereport(NOTICE, (errmsg("usermatch: batch size lowered from %d to %d rows to stay within usermatch.memory_limit", from, to)));
                });
                lowered_notice_sent = true;
            }
        }
        return fetch_rows;
    };
    auto fetch = [&](int rows, SPITupleTable** table) {
        return pg_call([&] {
            SPI_cursor_fetch(portal, true, rows);
            *table = SPI_tuptable;
            return SPI_processed;
        });
    };
    // The next rows are read while the workers normalise the last part of the current ones (the
    // store's foreground work); the current part stays charged meanwhile, so the next fetch is
    // sized within what is left of the budget. Not before one part has been measured: the first
    // fetch is a few rows, and the second is sized from what they cost.
    SPITupleTable* table = nullptr;
    uint64 fetched = 0;
    bool have_fetched = false;
    for (;;) {
        check_interrupts();
        if (!have_fetched) fetched = fetch(next_fetch_rows(), &table);
        have_fetched = false;
        if (fetched == 0) break;
        ids.assign(fetched, std::string_view());
        values.assign(fetched * (ncolumns - 1), std::nullopt);
        std::string_view* ids_data = ids.data();
        engine::RawValue* values_data = values.data();
        SPITupleTable* next_table = nullptr;
        uint64 next_fetched = 0;

        // The fetched rows go to the store in one or more parts, each within the budget.
        for (uint64 next = 0; next < fetched;) {
            const std::size_t available = budget.available();
            const PartCost* cost_data = &cost;
            FillResult filled;
            pg_call([&] {
                // Detoasted copies live in batch_context, emptied once the store has copied the part.
                MemoryContext caller = MemoryContextSwitchTo(batch_context);
                fill_batch(table, next, fetched, ncolumns, cost_data, available, ids_data, values_data, &filled);
                MemoryContextSwitchTo(caller);
            });
            if (filled.too_large_row_bytes > 0)
                throw Error(ErrorCode::OutOfMemory,
                            "usermatch: " + records_of + " would need more than " + budget.setting(),
                            "A row whose values take " + std::to_string(filled.too_large_row_bytes / 1024) +
                                " kB once detoasted needs about " + std::to_string(filled.too_large_needed / 1024) +
                                " kB to be normalised; " + std::to_string(available / 1024) + " kB of the limit remain.",
                            "Raise " + budget.setting() + ", or leave out or shorten such values through a view.");
            if (filled.null_id)
                throw Error(ErrorCode::NotNullViolation,
                            "id column \"" + profile.id_column + "\" of " + relname + " is NULL in a row",
                            {}, "Every record needs an id; filter such rows out with a view.");
            // The part's cost (raw values, normalised batch, working memory) is charged before it
            // is normalised; afterwards the store's growth is charged at its measured size.
            const std::size_t work = cost.work(filled.largest_value, filled.rows);
            if (work > cost.work_charged) {
                work_charge.resize(work, records_of.c_str());
                cost.work_charged = work;
            }
            engine::MemoryCharge part_charge(&budget, cost.held(filled.raw_bytes), records_of.c_str());
            raw_bytes_per_row = std::max<std::size_t>(1, filled.raw_bytes / filled.rows);
            const bool last_part = next + filled.rows == fetched;
            std::function<void()> read_ahead;
            if (last_part && stats.batches > 0)
                read_ahead = [&] {
                    next_fetched = fetch(next_fetch_rows(), &next_table);
                    have_fetched = true;
                };
            const std::size_t before = store.memory_bytes();
            if (filled.rows == fetched) {
                store.append_batch(ids, values, runner, read_ahead);
            } else {
                const std::vector<std::string_view> part_ids(ids.begin(), ids.begin() + filled.rows);
                const std::vector<engine::RawValue> part_values(values.begin(), values.begin() + filled.rows * (ncolumns - 1));
                store.append_batch(part_ids, part_values, runner, read_ahead);
            }
            const std::size_t grown = store.memory_bytes() - std::min(before, store.memory_bytes());
            part_charge.reset();
            budget.charge(grown, records_of.c_str());  // kept for as long as the run (the store lives)
            cost.store_per_raw_byte = std::max(cost.store_per_raw_byte, static_cast<double>(grown) / std::max<std::size_t>(1, filled.raw_bytes));
            pg_call([&] { MemoryContextReset(batch_context); });
            next += filled.rows;
            stats.rows += filled.rows;
            stats.batches += 1;
            stats.last_batch_size = static_cast<int>(filled.rows);
        }
        pg_call([&] { SPI_freetuptable(table); });
        table = next_table;
        fetched = next_fetched;
    }
    pg_call([&] { SPI_cursor_close(portal); });
    stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return stats;
}

}  // namespace usermatch::pg
