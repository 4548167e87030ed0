// The matching functions: dedupe, link, clusters, estimate_comparisons, explain_match.
// Each reads its profile and sources through SPI (as the calling role), hands the rows to the
// engine, and streams the engine's results into the function's tuplestore.
#include <nlohmann/json.hpp>  // before the PostgreSQL headers (port.h redefines snprintf)

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

#include <memory>

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

Datum match_pairs(FunctionCallInfo fcinfo, const MatchArgs& args, bool link) {
    LoadedRun run = load_run(args, link);
    const engine::RecordStore& right = link ? *run.right : *run.left;
    PairSink sink(fcinfo, *run.left, right, /*order_ids=*/!link);
    const auto stats = engine::run(
        run.profile, *run.left, link ? run.right.get() : nullptr, run_options(args),
        [&](const engine::MatchResult* rows, std::size_t n) { sink.emit(rows, n); }, pg::keep_going);
    report_oversized_blocks(run.profile, stats.oversized_blocks);
    return (Datum)0;
}

}  // namespace

USERMATCH_FUNCTION(usermatch_dedupe) {
    const MatchArgs args = read_match_args(fcinfo, "dedupe", -1, 2);
    pg::begin_materialized_srf(fcinfo);
    return match_pairs(fcinfo, args, /*link=*/false);
}

USERMATCH_FUNCTION(usermatch_link) {
    const MatchArgs args = read_match_args(fcinfo, "link", 2, 3);
    if (args.right == InvalidOid)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("link: argument right_source must not be NULL")));
    pg::begin_materialized_srf(fcinfo);
    return match_pairs(fcinfo, args, /*link=*/true);
}

USERMATCH_FUNCTION(usermatch_clusters) {
    const MatchArgs args = read_match_args(fcinfo, "clusters", -1, 2);
    pg::begin_materialized_srf(fcinfo);
    LoadedRun run = load_run(args, false);

    std::vector<engine::ClusterEdge> edges;
    const auto stats = engine::run(
        run.profile, *run.left, nullptr, run_options(args),
        [&](const engine::MatchResult* rows, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) edges.push_back({rows[i].left, rows[i].right, rows[i].match_weight});
        },
        pg::keep_going);
    report_oversized_blocks(run.profile, stats.oversized_blocks);
    pg::check_interrupts();
    const engine::ClusterResult clusters = engine::cluster_records(run.profile, *run.left, nullptr, edges, pg::keep_going);

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
    engine::CandidateGenerator generator(run.profile, *run.left, run.right.get(), runner);
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

// The raw value of one field from a JSON object keyed by column name or by field name.
engine::RawValue json_field(const nlohmann::json& record, const engine::Field& field, std::string& storage) {
    const nlohmann::json* value = nullptr;
    if (!field.column.empty() && record.contains(field.column)) value = &record[field.column];
    else if (record.contains(field.name)) value = &record[field.name];
    if (!value || value->is_null()) return std::nullopt;
    storage = value->is_string() ? value->get<std::string>() : value->dump();
    return std::string_view(storage);
}

}  // namespace

USERMATCH_FUNCTION(usermatch_explain_match) {
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("explain_match: argument profile must not be NULL")));
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
    const char* profile_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const char* a_text = DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(1)));
    const char* b_text = DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(2)));
    // Without a population the default prior is 1 / 10000 (a pair drawn from 10,000 records).
    const int64 population = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_INT64(3) : 10000;
    if (population < 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("explain_match: argument population must not be negative")));

    pg::SpiConnection spi;
    const engine::Profile profile = pg::load_profile(profile_name);
    spi.finish();
    const auto a = nlohmann::json::parse(a_text);
    const auto b = nlohmann::json::parse(b_text);
    if (!a.is_object() || !b.is_object())
        throw Error(ErrorCode::InvalidParameter, "explain_match: arguments a and b must be JSON objects",
                    {}, "Pass records as objects keyed by column or field name, e.g. to_jsonb(u) for a row u.");
    std::vector<std::string> storage_a(profile.fields.size()), storage_b(profile.fields.size());
    std::vector<engine::RawValue> raw_a, raw_b;
    for (std::size_t f = 0; f < profile.fields.size(); ++f) {
        raw_a.push_back(json_field(a, profile.fields[f], storage_a[f]));
        raw_b.push_back(json_field(b, profile.fields[f], storage_b[f]));
    }
    const std::string explanation = engine::explain_pair(profile, raw_a, raw_b, static_cast<std::size_t>(population));
    return pg::pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(explanation.c_str())); });
}
