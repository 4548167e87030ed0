// Learning weights from data: usermatch.train, train_labels, profile_weights, suggest_profile.
// Trained profiles are stored as new profile versions through usermatch.create_profile (so the
// caller's rights and row level security apply, and the previous version can be restored).
#include <nlohmann/json.hpp>  // before the PostgreSQL headers (port.h redefines snprintf)

#include "core/engine/profile.hpp"
#include "core/errors.hpp"
#include "core/train/labels.hpp"
#include "core/train/suggest.hpp"
#include "core/train/trainer.hpp"
#include "core/train/weights_table.hpp"
#include "pg/datum.hpp"
#include "pg/match_run.hpp"
#include "pg/settings.hpp"
#include "pg/source_reader.hpp"
#include "pg/srf.hpp"
#include "pg/stats/stats.hpp"

extern "C" {
#include "utils/acl.h"
}

namespace {

namespace engine = usermatch::engine;
namespace train = usermatch::train;
namespace pg = usermatch::pg;
using usermatch::Error;
using usermatch::ErrorCode;

// Locks profile `name` until the end of the transaction and checks that it is still at the
// version training read, so a create_profile(replace), restore_profile or drop made while train ran
// is not silently overwritten (a lost update): 40001, nothing stored. A profile the caller does
// not own is left to create_profile's 42501. Plain PostgreSQL code; needs an SPI connection.
void lock_unchanged_profile(const char* name, int trained_version, const char* function) {
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(name)};
    // FOR UPDATE sees only rows the caller may update (row level security): its own profiles.
    int rc = SPI_execute_with_args("SELECT version FROM usermatch.profiles WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
                                   1, types, values, nullptr, false, 1);
    if (rc != SPI_OK_SELECT) elog(ERROR, "locking the profile failed: %s", SPI_result_code_string(rc));
    if (SPI_processed == 1) {
        bool isnull;
        const int current = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        if (current != trained_version)
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("%s: profile \"%s\" changed while training ran (read at version %d, now at version %d); "
                                   "the trained profile was not stored", function, name, trained_version, current),
                            errhint("Run %s again to train from the current version.", function)));
        return;
    }
    rc = SPI_execute_with_args("SELECT 1 FROM usermatch.profiles WHERE name OPERATOR(pg_catalog.=) $1", 1, types, values,
                               nullptr, false, 1);
    if (rc == SPI_OK_SELECT && SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                        errmsg("%s: profile \"%s\" was dropped while training ran; the trained profile was not stored",
                               function, name)));
}

// Stores `spec` as the next version of profile `name` if it is still at `trained_version`;
// returns the new version. Needs an SPI connection.
int save_profile_version(const char* name, int trained_version, const char* function, const std::string& spec,
                         const std::string& note) {
    const char* spec_text = spec.c_str();
    const char* note_text = note.c_str();
    pg::pg_call([&] { lock_unchanged_profile(name, trained_version, function); });
    return pg::pg_call([&] {
        Oid types[3] = {TEXTOID, TEXTOID, TEXTOID};
        Datum values[3] = {CStringGetTextDatum(name), CStringGetTextDatum(spec_text), CStringGetTextDatum(note_text)};
        int rc = SPI_execute_with_args("SELECT usermatch.create_profile($1, $2::pg_catalog.jsonb, true, $3)", 3, types,
                                       values, nullptr, false, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "storing the trained profile failed: %s", SPI_result_code_string(rc));
        bool isnull;
        return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    });
}

train::TrainOptions parse_train_options(const char* options_json) {
    train::TrainOptions options;
    const auto json = nlohmann::json::parse(options_json);
    if (!json.is_object()) throw Error(ErrorCode::InvalidParameter, "train: argument options must be a JSON object");
    for (const auto& [key, value] : json.items()) {
        auto bad = [&](const char* expected) {
            return Error(ErrorCode::InvalidParameter, "train: option \"" + key + "\" must be " + expected);
        };
        if (key == "max_pairs") {
            if (!value.is_number_integer() || value.get<long long>() < 1) throw bad("a positive integer");
            options.max_pairs = value.get<std::uint64_t>();
        } else if (key == "seed") {
            if (!value.is_number_integer()) throw bad("an integer");
            options.seed = static_cast<std::uint64_t>(value.get<long long>());
        } else if (key == "max_iterations") {
            if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > 10000) throw bad("an integer from 1 to 10000");
            options.max_iterations = value.get<int>();
        } else if (key == "tolerance") {
            if (!value.is_number() || !(value.get<double>() > 0)) throw bad("a positive number");
            options.tolerance = value.get<double>();
        } else if (key == "estimate_u" || key == "estimate_m" || key == "dampen_correlation" || key == "related_class") {
            if (!value.is_boolean()) throw bad("true or false");
            (key == "estimate_u"   ? options.estimate_u
             : key == "estimate_m" ? options.estimate_m
             : key == "related_class" ? options.related_class
                                      : options.dampen_correlation) = value.get<bool>();
        } else if (key == "deterministic_recall") {
            if (!value.is_number() || !(value.get<double>() > 0 && value.get<double>() <= 1)) throw bad("a number in (0, 1]");
            options.deterministic_recall = value.get<double>();
        } else if (key == "threshold") {
            if (!value.is_string() || (value != "auto" && value != "keep")) throw bad("\"auto\" or \"keep\"");
            options.auto_threshold = value == "auto";
        } else {
            throw Error(ErrorCode::InvalidParameter, "train: unknown option \"" + key + "\"", {},
                        "Options are max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, "
                        "dampen_correlation, related_class, deterministic_recall, threshold.");
        }
    }
    options.threads = static_cast<unsigned>(pg::settings.threads);
    options.keep_going = pg::keep_going;
    return options;
}

Datum jsonb_datum(const std::string& json) {
    return pg::pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

std::string source_note(const std::string& what, Oid left, Oid right) {
    std::string note = what + " on " + pg::relation_display_name(left);
    if (right != InvalidOid) note += " and " + pg::relation_display_name(right);
    return note;
}

}  // namespace

static Datum train_run(const pg::MatchArgs& args, const char* options_json, pg::stats::CallFigures& figures);

USERMATCH_FUNCTION(usermatch_train) {
    const pg::MatchArgs args = pg::read_match_args(fcinfo, "train", 2, -1);
    const char* options_json = PG_ARGISNULL(3) ? "{}" : DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(3)));

    return pg::stats::measured(pg::stats::Operation::Train, args.profile, [&](pg::stats::CallFigures& f) {
        return train_run(args, options_json, f);
    });
}

static Datum train_run(const pg::MatchArgs& args, const char* options_json, pg::stats::CallFigures& figures) {
    const train::TrainOptions options = parse_train_options(options_json);
    pg::LoadedRun run = pg::load_run(args, args.right != InvalidOid);
    figures.records_read = run.left->size() + (run.right ? run.right->size() : 0);
    const train::TrainResult result = train::train(run.profile, *run.left, run.right.get(), options);
    figures.memory_peak_bytes = run.budget->peak();

    pg::SpiConnection spi;
    const int version = save_profile_version(args.profile, run.profile_version, "train", engine::profile_to_json(result.profile),
                                             source_note("trained", args.left, args.right));
    spi.finish();
    auto summary = nlohmann::json::parse(result.summary_json);
    summary["profile"] = args.profile;
    summary["version"] = version;
    return jsonb_datum(summary.dump());
}

static Datum train_labels_run(FunctionCallInfo fcinfo, const pg::MatchArgs& args, Oid labels_relation, bool has_target,
                              double target, pg::stats::CallFigures& figures);

USERMATCH_FUNCTION(usermatch_train_labels) {
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("train_labels: argument labels must not be NULL")));
    const Oid labels_relation = PG_GETARG_OID(1);
    // (profile, labels, source, right_source, target_precision): the source is argument 2.
    pg::MatchArgs args;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("train_labels: arguments profile and source must not be NULL")));
    args.profile = text_to_cstring(PG_GETARG_TEXT_PP(0));
    args.left = PG_GETARG_OID(2);
    if (!PG_ARGISNULL(3)) args.right = PG_GETARG_OID(3);
    const bool has_target = !PG_ARGISNULL(4);
    const double target = has_target ? PG_GETARG_FLOAT8(4) : 0;
    if (has_target && !(target > 0 && target <= 1))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("train_labels: argument target_precision must be in (0, 1]")));
    pg::begin_materialized_srf(fcinfo);
    return pg::stats::measured(pg::stats::Operation::TrainLabels, args.profile, [&](pg::stats::CallFigures& f) {
        return train_labels_run(fcinfo, args, labels_relation, has_target, target, f);
    });
}

static Datum train_labels_run(FunctionCallInfo fcinfo, const pg::MatchArgs& args, Oid labels_relation, bool has_target,
                              double target, pg::stats::CallFigures& figures) {
    pg::LoadedRun run = pg::load_run(args, args.right != InvalidOid);
    figures.records_read = run.left->size() + (run.right ? run.right->size() : 0);

    // Labels: (id1, id2, is_match), read as the caller.
    std::vector<train::LabelledPair> labels;
    {
        pg::SpiConnection spi;
        const std::string query = "SELECT id1::pg_catalog.text, id2::pg_catalog.text, is_match FROM " +
                                  pg::relation_display_name(labels_relation);
        const char* query_text = query.c_str();
        const std::size_t query_prefix = query.find(" FROM ") + 6;
        const uint64 rows = pg::pg_call([&] {
            int rc = SPI_execute(query_text, true, 0);
            if (rc != SPI_OK_SELECT) elog(ERROR, "reading the labels failed: %s", SPI_result_code_string(rc));
            // is_match is read as a bool: only a boolean column (or a domain over boolean) may be.
            // A text 'false' must never count as a match.
            const Oid match_type = SPI_gettypeid(SPI_tuptable->tupdesc, 3);
            if (SPI_tuptable->tupdesc->natts != 3 || getBaseType(match_type) != BOOLOID)
                ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                                errmsg("train_labels: column \"is_match\" of %s has type %s, not boolean", query_text + query_prefix,
                                       format_type_be(match_type)),
                                errhint("Cast it in a view, e.g. SELECT id1, id2, is_match::boolean AS is_match FROM ...")));
            return SPI_processed;
        });
        labels.resize(rows);
        for (uint64 i = 0; i < rows; ++i) {
            if (i % 4096 == 0) pg::check_interrupts();
            bool null1, null2, null3;
            HeapTuple tuple = SPI_tuptable->vals[i];
            Datum id1 = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &null1);
            Datum id2 = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &null2);
            Datum match = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 3, &null3);
            if (null1 || null2 || null3)
                throw Error(ErrorCode::NotNullViolation, "train_labels: a label has a NULL id1, id2 or is_match");
            const ::text* t1 = pg::pg_call([&] { return DatumGetTextPP(id1); });
            const ::text* t2 = pg::pg_call([&] { return DatumGetTextPP(id2); });
            labels[i].left_id = std::string(pg::text_view(t1));
            labels[i].right_id = std::string(pg::text_view(t2));
            labels[i].is_match = DatumGetBool(match);
        }
        spi.finish();
    }

    train::LabelOptions options;
    if (has_target) options.target_precision = target;
    const train::LabelResult result = train::train_labels(run.profile, *run.left, run.right.get(), labels, options);
    figures.pairs_scored = labels.size();
    figures.memory_peak_bytes = run.budget->peak();

    pg::SpiConnection spi;
    save_profile_version(args.profile, run.profile_version, "train_labels", engine::profile_to_json(result.profile),
                         source_note("trained from labels in " + pg::relation_display_name(labels_relation), args.left, args.right));
    spi.finish();

    pg::RowSink sink(fcinfo);
    for (std::size_t i = 0; i < result.choice.curve.size(); ++i) {
        const auto& point = result.choice.curve[i];
        Datum values[5] = {Float8GetDatum(point.threshold), Float8GetDatum(point.precision), Float8GetDatum(point.recall),
                           Float8GetDatum(point.f1), BoolGetDatum(i == result.choice.chosen)};
        bool nulls[5] = {false, false, false, false, false};
        sink.put(values, nulls);
    }
    if (!result.choice.target_reached || result.unknown_ids > 0) {
        const bool reached = result.choice.target_reached;
        const std::size_t unknown = result.unknown_ids;
        pg::pg_call([&] {
            if (!reached) ereport(WARNING, (errmsg("train_labels: no threshold reaches the target precision; the best F1 was chosen")));
            if (unknown > 0) ereport(NOTICE, (errmsg("train_labels: %zu labels name ids that are not in the source and were skipped", unknown)));
        });
    }
    return (Datum)0;
}

USERMATCH_FUNCTION(usermatch_profile_weights) {
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("profile_weights: argument profile must not be NULL")));
    const char* name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    pg::begin_materialized_srf(fcinfo);
    pg::SpiConnection spi;
    const engine::Profile profile = pg::load_profile(name);
    spi.finish();
    pg::RowSink sink(fcinfo);
    for (const auto& row : train::profile_weights(profile)) {
        Datum values[6] = {pg::text_datum(row.field), pg::text_datum(row.level), Float8GetDatum(row.m), Float8GetDatum(row.u),
                           Float8GetDatum(row.match_weight), pg::text_datum(row.bar)};
        bool nulls[6] = {false, false, false, false, false, false};
        sink.put(values, nulls);
    }
    return (Datum)0;
}

namespace {

constexpr int kSampleRows = 2000;

// Samples up to kSampleRows rows of relid: a repeatable Bernoulli sample for tables, a repeatable
// hash-ordered sample for views. Fills one ColumnSample per live column.
std::vector<train::ColumnSample> sample_columns(Oid relid) {
    const std::string relation = pg::relation_display_name(relid);
    std::vector<train::ColumnSample> columns;
    pg::SpiConnection spi;
    // Column names and types.
    const char relkind = pg::pg_call([&] { return get_rel_relkind(relid); });
    const int natts = pg::pg_call([&] {
        Relation rel = relation_open(relid, AccessShareLock);
        int n = RelationGetDescr(rel)->natts;
        relation_close(rel, AccessShareLock);
        return n;
    });
    std::string select_list;
    for (int i = 0; i < natts; ++i) {
        const char* name = nullptr;
        const char* type = nullptr;
        bool dropped = false;
        char category = 0;
        pg::pg_call([&] {
            Relation rel = relation_open(relid, AccessShareLock);
            Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);
            dropped = att->attisdropped;
            if (!dropped) {
                name = pstrdup(NameStr(att->attname));
                type = format_type_be(att->atttypid);
                bool preferred;
                get_type_category_preferred(getBaseType(att->atttypid), &category, &preferred);
            }
            relation_close(rel, AccessShareLock);
        });
        if (dropped) continue;
        train::ColumnSample column;
        column.name = name;
        column.type_name = type;
        columns.push_back(std::move(column));
        const char* quoted = pg::pg_call([&] { return quote_identifier(name); });
        if (!select_list.empty()) select_list += ", ";
        select_list += category == TYPCATEGORY_DATETIME ? "pg_catalog.to_char(" + std::string(quoted) + ", 'YYYY-MM-DD')"
                                                        : std::string(quoted) + "::pg_catalog.text";
    }
    if (columns.empty()) throw Error(ErrorCode::InvalidParameter, "suggest_profile: " + relation + " has no columns");

    const std::string count_query = "SELECT pg_catalog.count(*) FROM " + relation;
    const char* count_text = count_query.c_str();
    const int64 rows = pg::pg_call([&] {
        if (SPI_execute(count_text, true, 0) != SPI_OK_SELECT) elog(ERROR, "counting rows failed");
        bool isnull;
        return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    });
    std::string sample_query = "SELECT " + select_list + " FROM " + relation;
    const bool samplable = relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW;
    if (samplable && rows > kSampleRows) {
        const double percent = std::min(100.0, 100.0 * 2.0 * kSampleRows / static_cast<double>(rows));
        sample_query += " TABLESAMPLE BERNOULLI (" + std::to_string(percent) + ") REPEATABLE (42)";
    } else if (rows > kSampleRows) {
        // A view cannot be TABLESAMPLEd, and its first rows are no sample: data sorted by entity
        // (historical_50k) puts duplicates side by side, and pair counts measured on the sampled
        // rows then blow up. Rows in the order of a hash of their position: a repeatable random sample.
        sample_query = "SELECT " + select_list + " FROM (SELECT *, pg_catalog.row_number() OVER () AS "
                       "usermatch_sample_position FROM " + relation + ") AS sampled ORDER BY "
                       "pg_catalog.hashint8(usermatch_sample_position)";
    }
    sample_query += " LIMIT " + std::to_string(kSampleRows);
    const char* sample_text = sample_query.c_str();
    const uint64 fetched = pg::pg_call([&] {
        if (SPI_execute(sample_text, true, 0) != SPI_OK_SELECT) elog(ERROR, "sampling %s failed", sample_text);
        return SPI_processed;
    });
    for (std::size_t c = 0; c < columns.size(); ++c) {
        auto& column = columns[c];
        column.rows = static_cast<std::size_t>(rows);
        std::size_t nulls = 0;
        for (uint64 r = 0; r < fetched; ++r) {
            if ((r & 1023) == 0 && !pg::keep_going()) throw Error(ErrorCode::QueryCanceled, "suggest_profile: canceling statement");
            char* value = pg::pg_call([&] { return SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, (int)c + 1); });
            if (value) column.values.emplace_back(value), column.sample_row.push_back(static_cast<std::size_t>(r));
            else ++nulls;
        }
        column.sample_rows = static_cast<std::size_t>(fetched);
        column.null_share = fetched ? static_cast<double>(nulls) / fetched : 1.0;
        std::vector<std::string> distinct = column.values;
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        column.distinct_share = column.values.empty() ? 0.0 : static_cast<double>(distinct.size()) / column.values.size();
    }
    spi.finish();
    return columns;
}

}  // namespace

static Datum suggest_run(Oid source, bool link, pg::stats::CallFigures& figures);

USERMATCH_FUNCTION(usermatch_suggest_profile) {
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("suggest_profile: argument source must not be NULL")));
    const Oid source = PG_GETARG_OID(0);
    const bool link = !PG_ARGISNULL(1);
    // The second table only switches the suggestion to link mode and none of its rows are read,
    // but a role may not learn about a table it cannot read through us: same rule as every source.
    if (link && pg_class_aclcheck(PG_GETARG_OID(1), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("suggest_profile: permission denied for table with OID %u", PG_GETARG_OID(1))));
    return pg::stats::measured(pg::stats::Operation::SuggestProfile, "",
                               [&](pg::stats::CallFigures& f) { return suggest_run(source, link, f); });
}

static Datum suggest_run(Oid source, bool link, pg::stats::CallFigures& figures) {
    const auto columns = sample_columns(source);
    if (!columns.empty()) figures.records_read = columns[0].sample_rows ? columns[0].sample_rows : columns[0].values.size();
    const std::string relation = pg::relation_display_name(source);
    train::SuggestOptions options;
    options.link = link;
    options.keep_going = pg::keep_going;
    const train::Suggestion suggestion = train::suggest_profile(columns, options);
    const std::string explanation = suggestion.explanation;
    pg::pg_call([&] { ereport(NOTICE, (errmsg("usermatch: suggested profile for %s", relation.c_str()), errdetail("%s", explanation.c_str()))); });
    return jsonb_datum(suggestion.profile_json);
}
