// The matching functions: dedupe, link, clusters, estimate_comparisons, explain_match.
// Each reads its profile and sources through SPI (as the calling role), hands the rows to the
// engine, and streams the engine's results into the function's tuplestore.
#include "core/engine/blocking.hpp"
#include "core/engine/cluster.hpp"
#include "core/engine/explain.hpp"
#include "core/engine/matcher.hpp"
#include "core/errors.hpp"
#include "pg/datum.hpp"
#include "pg/settings.hpp"
#include "pg/match_run.hpp"
#include "pg/source_reader.hpp"
#include "pg/srf.hpp"
#include "pg/stats/stats.hpp"

#include <memory>

extern "C" {
#include "utils/numeric.h"
}

namespace {

namespace engine = usermatch::engine;
using usermatch::Error;
using usermatch::ErrorCode;
namespace pg = usermatch::pg;
using pg::LoadedRun;
using pg::MatchArgs;
using pg::load_run;
using pg::read_match_args;
using pg::run_options;

std::string rule_text(const engine::Profile& profile, std::size_t rule) {
    std::string text;
    for (const auto& key : profile.blocking[rule].keys) {
        if (!text.empty()) text += ", ";
        text += key.text;
    }
    return text;
}

// NOTICEs for blocks skipped because they exceed max_block_size (the first few, then a count).
void report_oversized_blocks(const engine::Profile& profile, const std::vector<engine::OversizedBlock>& blocks) {
    constexpr std::size_t kShown = 5;
    for (std::size_t i = 0; i < blocks.size() && i < kShown; ++i) {
        const std::string message = "usermatch: skipped a block of " + std::to_string(blocks[i].size) +
                                    " records sharing " + blocks[i].key + " (blocking rule [" +
                                    rule_text(profile, blocks[i].rule) + "]): larger than max_block_size " +
                                    std::to_string(profile.max_block_size);
        pg::pg_call([&] { ereport(NOTICE, (errmsg("%s", message.c_str()), errhint("Such keys are usually placeholders (an empty phone, none@none.com); pairs they would link are not compared by this rule."))); });
    }
    if (blocks.size() > kShown) {
        const std::size_t more = blocks.size() - kShown;
        pg::pg_call([&] { ereport(NOTICE, (errmsg("usermatch: %zu more oversized blocks skipped", more))); });
    }
}

// Emits pairs (id, id, weight, probability) into the tuplestore, one batch per call.
class PairSink {
public:
    PairSink(FunctionCallInfo fcinfo, const engine::RecordStore& left, const engine::RecordStore& right, bool order_ids)
        : rsinfo_(reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo)), left_(left), right_(right), order_ids_(order_ids) {
        context_ = pg::pg_call([] { return AllocSetContextCreate(CurrentMemoryContext, "usermatch result batch", ALLOCSET_DEFAULT_SIZES); });
    }

    void emit(const engine::MatchResult* rows, std::size_t n) {
        pg::pg_call([&] { emit_batch(rows, n); });
    }

private:
    // Plain PostgreSQL code: no C++ objects.
    void emit_batch(const engine::MatchResult* rows, std::size_t n) {
        MemoryContext caller = MemoryContextSwitchTo(context_);
        for (std::size_t i = 0; i < n; ++i) {
            std::string_view a = left_.id(rows[i].left);
            std::string_view b = right_.id(rows[i].right);
            if (order_ids_ && engine::id_less(b, a)) std::swap(a, b);
            Datum values[4] = {PointerGetDatum(cstring_to_text_with_len(a.data(), (int)a.size())),
                               PointerGetDatum(cstring_to_text_with_len(b.data(), (int)b.size())),
                               Float8GetDatum(rows[i].match_weight), Float8GetDatum(rows[i].match_probability)};
            bool nulls[4] = {false, false, false, false};
            tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, values, nulls);
        }
        MemoryContextSwitchTo(caller);
        MemoryContextReset(context_);
    }

    ReturnSetInfo* rsinfo_;
    const engine::RecordStore& left_;
    const engine::RecordStore& right_;
    bool order_ids_;
    MemoryContext context_;
};

Datum match_pairs(FunctionCallInfo fcinfo, const MatchArgs& args, bool link, pg::stats::CallFigures& figures) {
    LoadedRun run = load_run(args, link);
    const engine::RecordStore& right = link ? *run.right : *run.left;
    PairSink sink(fcinfo, *run.left, right, /*order_ids=*/!link);
    engine::RunOptions options = run_options(args);
    options.budget = run.budget.get();
    const auto stats = engine::run(
        run.profile, *run.left, link ? run.right.get() : nullptr, options,
        [&](const engine::MatchResult* rows, std::size_t n) { sink.emit(rows, n); }, pg::keep_going);
    pg::stats::add_run(figures, stats);
    report_phases(link ? "link" : "dedupe", run, stats);
    report_oversized_blocks(run.profile, stats.oversized_blocks);
    return (Datum)0;
}

}  // namespace

USERMATCH_FUNCTION(usermatch_dedupe) {
    const MatchArgs args = read_match_args(fcinfo, "dedupe", -1, 2);
    pg::begin_materialized_srf(fcinfo);
    return pg::stats::measured(pg::stats::Operation::Dedupe, args.profile,
                               [&](pg::stats::CallFigures& f) { return match_pairs(fcinfo, args, /*link=*/false, f); });
}

USERMATCH_FUNCTION(usermatch_link) {
    const MatchArgs args = read_match_args(fcinfo, "link", 2, 3);
    if (args.right == InvalidOid)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("link: argument right_source must not be NULL")));
    pg::begin_materialized_srf(fcinfo);
    return pg::stats::measured(pg::stats::Operation::Link, args.profile,
                               [&](pg::stats::CallFigures& f) { return match_pairs(fcinfo, args, /*link=*/true, f); });
}

static Datum clusters_run(FunctionCallInfo fcinfo, const MatchArgs& args, pg::stats::CallFigures& figures);

USERMATCH_FUNCTION(usermatch_clusters) {
    const MatchArgs args = read_match_args(fcinfo, "clusters", -1, 2);
    pg::begin_materialized_srf(fcinfo);
    return pg::stats::measured(pg::stats::Operation::Clusters, args.profile,
                               [&](pg::stats::CallFigures& f) { return clusters_run(fcinfo, args, f); });
}

static Datum clusters_run(FunctionCallInfo fcinfo, const MatchArgs& args, pg::stats::CallFigures& figures) {
    LoadedRun run = load_run(args, false);

    std::vector<engine::ClusterEdge> edges;
    engine::RunOptions options = run_options(args);
    options.budget = run.budget.get();
    // The edge list is charged as it grows (before each growth), then the clustering's own arrays.
    engine::MemoryCharge edges_charge(run.budget.get(), 0, "the edge list of clusters()");
    const auto stats = engine::run(
        run.profile, *run.left, nullptr, options,
        [&](const engine::MatchResult* rows, std::size_t n) {
            if (edges.size() + n > edges.capacity()) {
                const std::size_t capacity = std::max(edges.size() + n, edges.capacity() * 2);
                edges_charge.resize(capacity * sizeof(engine::ClusterEdge), "the edge list of clusters()");
                edges.reserve(capacity);
            }
            for (std::size_t i = 0; i < n; ++i) edges.push_back({rows[i].left, rows[i].right, rows[i].match_weight});
        },
        pg::keep_going);
    pg::stats::add_run(figures, stats);
    report_oversized_blocks(run.profile, stats.oversized_blocks);
    pg::check_interrupts();
    engine::MemoryCharge cluster_charge(run.budget.get(), engine::cluster_memory_bound(run.left->size(), edges.size()),
                                        "clustering");
    const engine::ClusterResult clusters = engine::cluster_records(run.profile, *run.left, nullptr, edges, pg::keep_going);
    figures.memory_peak_bytes = std::max<std::uint64_t>(figures.memory_peak_bytes, run.budget->peak());

    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const engine::RecordStore& store = *run.left;
    const auto* members = clusters.members.data();
    const std::size_t count = clusters.members.size();
    constexpr std::size_t kBatch = 8192;
    for (std::size_t start = 0; start < count; start += kBatch) {
        pg::check_interrupts();
        const std::size_t end = std::min(count, start + kBatch);
        pg::pg_call([&] {
            for (std::size_t i = start; i < end; ++i) {
                std::string_view record = store.id(members[i].node);
                std::string_view entity = store.id(members[i].entity_node);
                Datum values[3] = {PointerGetDatum(cstring_to_text_with_len(record.data(), (int)record.size())),
                                   PointerGetDatum(cstring_to_text_with_len(entity.data(), (int)entity.size())),
                                   Int32GetDatum((int32)members[i].cluster_size)};
                bool nulls[3] = {false, false, false};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
                pfree(DatumGetPointer(values[0]));
                pfree(DatumGetPointer(values[1]));
            }
        });
    }
    if (clusters.merges_refused_size + clusters.merges_refused_identifier > 0) {
        const auto by_size = clusters.merges_refused_size;
        const auto by_id = clusters.merges_refused_identifier;
        pg::pg_call([&] {
            ereport(NOTICE, (errmsg("usermatch: %llu merges refused by max_cluster_size, %llu by conflicting ID numbers",
                                    (unsigned long long)by_size, (unsigned long long)by_id)));
        });
    }
    return (Datum)0;
}

USERMATCH_FUNCTION(usermatch_estimate_comparisons) {
    const MatchArgs args = read_match_args(fcinfo, "estimate_comparisons", 2, -1);
    pg::begin_materialized_srf(fcinfo);
    LoadedRun run = load_run(args, args.right != InvalidOid);
    engine::TaskRunner runner(static_cast<unsigned>(pg::settings.threads), pg::keep_going);
    engine::CandidateGenerator generator(run.profile, *run.left, run.right.get(), runner, run.budget.get());
    pg::RowSink sink(fcinfo);
    for (const auto& estimate : generator.estimate()) {
        const std::string rule = rule_text(run.profile, estimate.rule);
        Datum values[3] = {pg::text_datum(rule), Int64GetDatum((int64)estimate.candidate_pairs),
                           Int64GetDatum((int64)estimate.largest_block)};
        bool nulls[3] = {false, false, false};
        sink.put(values, nulls);
    }
    return (Datum)0;
}

namespace {

// The text of key `key` in the jsonb object `record`, as a source column holding the same value
// would give it to the engine (value::text): a string's contents, a number exactly as jsonb keeps
// it (1.10 stays 1.10, 1e400 its digits), true/false, nested objects and arrays as jsonb text.
// nullptr when the key is absent or JSON null. Plain PostgreSQL code.
const char* jsonb_field_text(Jsonb* record, const char* key) {
    if (!key || !*key) return nullptr;
    JsonbValue k;
    k.type = jbvString;
    k.val.string.val = const_cast<char*>(key);
    k.val.string.len = static_cast<int>(strlen(key));
    JsonbValue* v = findJsonbValueFromContainer(&record->root, JB_FOBJECT, &k);
    if (!v) return nullptr;
    switch (v->type) {
    case jbvNull: return nullptr;
    case jbvString: return pnstrdup(v->val.string.val, v->val.string.len);
    case jbvNumeric: return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
    case jbvBool: return v->val.boolean ? "true" : "false";
    case jbvBinary: return JsonbToCString(nullptr, v->val.binary.data, v->val.binary.len);
    default: return nullptr;
    }
}

// Whether `key` is present (null or not) in the jsonb object. Plain PostgreSQL code.
bool jsonb_has_key(Jsonb* record, const char* key) {
    if (!key || !*key) return false;
    JsonbValue k;
    k.type = jbvString;
    k.val.string.val = const_cast<char*>(key);
    k.val.string.len = static_cast<int>(strlen(key));
    return findJsonbValueFromContainer(&record->root, JB_FOBJECT, &k) != nullptr;
}

}  // namespace

static Datum explain_run(const char* profile_name, Jsonb* a, Jsonb* b, int64 population, pg::stats::CallFigures& figures);

USERMATCH_FUNCTION(usermatch_explain_match) {
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("explain_match: argument profile must not be NULL")));
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
    const char* profile_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    Jsonb* a = PG_GETARG_JSONB_P(1);
    Jsonb* b = PG_GETARG_JSONB_P(2);
    if (!JB_ROOT_IS_OBJECT(a) || !JB_ROOT_IS_OBJECT(b))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("explain_match: arguments a and b must be JSON objects"),
                        errhint("Pass records as objects keyed by column or field name, e.g. to_jsonb(u) for a row u.")));
    // Without a population the default prior is 1 / 10000 (a pair drawn from 10,000 records).
    const int64 population = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_INT64(3) : 10000;
    if (population < 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("explain_match: argument population must not be negative")));

    return pg::stats::measured(pg::stats::Operation::Explain, profile_name, [&](pg::stats::CallFigures& figures) {
        return explain_run(profile_name, a, b, population, figures);
    });
}

static Datum explain_run(const char* profile_name, Jsonb* a, Jsonb* b, int64 population, pg::stats::CallFigures& figures) {
    pg::SpiConnection spi;
    const engine::Profile profile = pg::load_profile(profile_name);
    spi.finish();
    // A field is read from the record's key named like its column, else like the field; a phone
    // field's region column (profile.extra_columns, after the fields) by its column name.
    const std::size_t nf = profile.fields.size();
    const std::size_t n = nf + profile.extra_columns.size();
    std::vector<const char*> column_keys(n), name_keys(n, nullptr), text_a(n), text_b(n);
    for (std::size_t f = 0; f < nf; ++f) {
        column_keys[f] = profile.fields[f].column.empty() ? nullptr : profile.fields[f].column.c_str();
        name_keys[f] = profile.fields[f].name.c_str();
    }
    for (std::size_t k = 0; k < profile.extra_columns.size(); ++k) column_keys[nf + k] = profile.extra_columns[k].c_str();
    pg::pg_call([&] {
        for (std::size_t f = 0; f < n; ++f) {
            const char* key_a = jsonb_has_key(a, column_keys[f]) ? column_keys[f] : name_keys[f];
            const char* key_b = jsonb_has_key(b, column_keys[f]) ? column_keys[f] : name_keys[f];
            text_a[f] = jsonb_field_text(a, key_a);
            text_b[f] = jsonb_field_text(b, key_b);
        }
    });
    std::vector<engine::RawValue> raw_a(n), raw_b(n);
    for (std::size_t f = 0; f < n; ++f) {
        if (text_a[f]) raw_a[f] = std::string_view(text_a[f]);
        if (text_b[f]) raw_b[f] = std::string_view(text_b[f]);
    }
    const std::string explanation = engine::explain_pair(profile, raw_a, raw_b, static_cast<std::size_t>(population));
    figures.records_read = 2;
    figures.candidate_pairs = figures.pairs_scored = 1;
    return pg::pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(explanation.c_str())); });
}
