// usermatch.generate_users: the project's deterministic generator of realistic user records
// (Latin and Chinese names, phones, emails, birth dates, ID numbers, with typos and variants).
#include "core/generate/user_generator.hpp"
#include "pg/source_reader.hpp"  // keep_going
#include "pg/datum.hpp"
#include "pg/srf.hpp"

namespace {

// The generator plans every entity up front (~250 bytes per record): cap what one call may ask.
constexpr int32 kMaxRowsPerCall = 10000000;

// Puts one record into the tuplestore. Plain PostgreSQL code: no C++ objects are created here.
void put_user(ReturnSetInfo* rsinfo, const usermatch::generate::UserRecord& user) {
    const std::string* present[6];
    const std::optional<std::string>* optional_fields[6] = {&user.full_name, &user.phone, &user.email,
                                                            &user.birth_date, &user.id_number, &user.city};
    Datum values[8];
    bool nulls[8] = {};
    values[0] = PointerGetDatum(cstring_to_text_with_len(user.user_id.data(), (int)user.user_id.size()));
    values[1] = PointerGetDatum(cstring_to_text_with_len(user.entity_id.data(), (int)user.entity_id.size()));
    for (int i = 0; i < 6; ++i) {
        present[i] = optional_fields[i]->has_value() ? &**optional_fields[i] : nullptr;
        if (present[i]) values[2 + i] = PointerGetDatum(cstring_to_text_with_len(present[i]->data(), (int)present[i]->size()));
        else nulls[2 + i] = true;
    }
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    for (int i = 0; i < 8; ++i)
        if (!nulls[i]) pfree(DatumGetPointer(values[i]));
}

}  // namespace

USERMATCH_FUNCTION(usermatch_generate_users) {
    int32 rows = PG_GETARG_INT32(0);
    int64 seed = PG_GETARG_INT64(1);
    float8 duplicate_rate = PG_GETARG_FLOAT8(2);
    float8 chinese_share = PG_GETARG_FLOAT8(3);
    if (rows < 0 || rows > kMaxRowsPerCall)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("generate_users: argument rows must be between 0 and %d", kMaxRowsPerCall)));
    usermatch::pg::begin_materialized_srf(fcinfo);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);

    usermatch::generate::GeneratorOptions options;
    options.seed = static_cast<std::uint64_t>(seed);
    options.duplicate_rate = duplicate_rate;
    options.chinese_share = chinese_share;
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
