// usermatch.generate_users: the project's deterministic generator of realistic user records
// (Latin and Chinese names, phones, emails, birth dates, ID numbers, with typos and variants).
#include "core/generate/user_generator.hpp"
#include "pg/datum.hpp"
#include "pg/srf.hpp"

USERMATCH_FUNCTION(usermatch_generate_users) {
    int32 rows = PG_GETARG_INT32(0);
    int64 seed = PG_GETARG_INT64(1);
    float8 duplicate_rate = PG_GETARG_FLOAT8(2);
    float8 chinese_share = PG_GETARG_FLOAT8(3);
    if (rows < 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("generate_users: argument rows must not be negative")));
    usermatch::pg::begin_materialized_srf(fcinfo);

    usermatch::generate::GeneratorOptions options;
    options.seed = static_cast<std::uint64_t>(seed);
    options.duplicate_rate = duplicate_rate;
    options.chinese_share = chinese_share;
    const auto users = usermatch::generate::generate_users(static_cast<std::size_t>(rows), options);

    usermatch::pg::RowSink sink(fcinfo);
    MemoryContext row_context = usermatch::pg::pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "usermatch generate_users row", ALLOCSET_SMALL_SIZES);
    });
    std::size_t emitted = 0;
    for (const auto& user : users) {
        if (++emitted % 4096 == 0) usermatch::pg::check_interrupts();
        MemoryContext caller = MemoryContextSwitchTo(row_context);
        const std::optional<std::string>* optional_fields[] = {&user.full_name, &user.phone, &user.email,
                                                              &user.birth_date, &user.id_number, &user.city};
        Datum values[8];
        bool nulls[8] = {};
        values[0] = usermatch::pg::text_datum(user.user_id);
        values[1] = usermatch::pg::text_datum(user.entity_id);
        for (int i = 0; i < 6; ++i) {
            if (*optional_fields[i]) values[2 + i] = usermatch::pg::text_datum(**optional_fields[i]);
            else nulls[2 + i] = true;
        }
        sink.put(values, nulls);
        MemoryContextSwitchTo(caller);
        MemoryContextReset(row_context);
    }
    return (Datum)0;
}
