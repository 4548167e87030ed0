// usermatch.generate_users: the project's deterministic generator of realistic user records
// (Latin and Chinese names, phones, emails, birth dates, ID numbers, with typos and variants).
// preset 'clean' (default) keeps the original output; 'realistic' gives sparse international
// records and also fills gender, address and country (NULL with 'clean').
#include "core/engine/memory_budget.hpp"
#include "core/generate/user_generator.hpp"
#include "pg/source_reader.hpp"  // keep_going
#include "pg/datum.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"

namespace {

// The generator plans every entity up front (~250 bytes per record): cap what one call may ask,
// and charge the plan to usermatch.memory_limit before it is made.
constexpr int32 kMaxRowsPerCall = 10000000;
constexpr std::size_t kPlanBytesPerRow = 256;

// Puts one record into the tuplestore. Plain PostgreSQL code: no C++ objects are created here.
void put_user(ReturnSetInfo* rsinfo, const usermatch::generate::UserRecord& user) {
    constexpr int kOptional = 9;
    const std::string* present[kOptional];
    const std::optional<std::string>* optional_fields[kOptional] = {
        &user.full_name, &user.phone,  &user.email,   &user.birth_date, &user.id_number,
        &user.city,      &user.gender, &user.address, &user.country};
    Datum values[2 + kOptional];
    bool nulls[2 + kOptional] = {};
    values[0] = PointerGetDatum(cstring_to_text_with_len(user.user_id.data(), (int)user.user_id.size()));
    values[1] = PointerGetDatum(cstring_to_text_with_len(user.entity_id.data(), (int)user.entity_id.size()));
    for (int i = 0; i < kOptional; ++i) {
        present[i] = optional_fields[i]->has_value() ? &**optional_fields[i] : nullptr;
        if (present[i]) values[2 + i] = PointerGetDatum(cstring_to_text_with_len(present[i]->data(), (int)present[i]->size()));
        else nulls[2 + i] = true;
    }
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    for (int i = 0; i < 2 + kOptional; ++i)
        if (!nulls[i]) pfree(DatumGetPointer(values[i]));
}

}  // namespace

USERMATCH_FUNCTION(usermatch_generate_users) {
    int32 rows = PG_GETARG_INT32(0);
    int64 seed = PG_GETARG_INT64(1);
    float8 duplicate_rate = PG_GETARG_FLOAT8(2);
    float8 chinese_share = PG_GETARG_FLOAT8(3);
    text* preset_arg = PG_GETARG_TEXT_PP(4);  // detoasted before any C++ object exists
    if (rows < 0 || rows > kMaxRowsPerCall)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("generate_users: argument rows must be between 0 and %d", kMaxRowsPerCall)));
    const usermatch::generate::Preset preset = usermatch::generate::parse_preset(usermatch::pg::text_view(preset_arg));
    usermatch::pg::begin_materialized_srf(fcinfo);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);

    usermatch::generate::GeneratorOptions options;
    options.seed = static_cast<std::uint64_t>(seed);
    options.duplicate_rate = duplicate_rate;
    options.chinese_share = chinese_share;
    options.preset = preset;
    usermatch::engine::MemoryBudget budget(static_cast<std::size_t>(usermatch::pg::settings.memory_limit_kb) * 1024,
                                           "usermatch.memory_limit", "generate fewer rows per call.");
    usermatch::engine::MemoryCharge plan_charge(&budget, static_cast<std::size_t>(rows) * kPlanBytesPerRow,
                                                "the plan of generate_users");
    // Planning 10,000,000 records takes ~25 s: it polls for a cancel (57014) as it goes.
    usermatch::generate::UserGenerator generator(static_cast<std::size_t>(rows), options, usermatch::pg::keep_going);
    for (;;) {
        usermatch::pg::check_interrupts();
        const auto chunk = generator.next_chunk(4096);
        if (chunk.empty()) break;
        usermatch::pg::pg_call([&] {
            for (const auto& user : chunk) put_user(rsinfo, user);
        });
    }
    return (Datum)0;
}
