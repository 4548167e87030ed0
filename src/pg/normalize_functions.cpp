// SQL normalisers: usermatch.normalize_name, pinyin, normalize_phone, phone_region,
// phone_national_number, normalize_email,
// parse_date, cn_id_valid, cn_id_birth_date.
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "pg/datum.hpp"

namespace {

using usermatch::Error;
using usermatch::ErrorCode;
namespace normalize = usermatch::normalize;

Datum optional_text(const std::optional<std::string>& value, FunctionCallInfo fcinfo) {
    if (!value) PG_RETURN_NULL();
    return usermatch::pg::text_datum(*value);
}

Datum optional_date(const std::optional<normalize::Date>& value, FunctionCallInfo fcinfo) {
    if (!value) PG_RETURN_NULL();
    return usermatch::pg::date_datum(value->year, value->month, value->day);
}

normalize::DateOrder parse_date_order(std::string_view order) {
    std::string upper;
    for (char c : order) upper.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    if (upper == "DMY") return normalize::DateOrder::DayFirst;
    if (upper == "MDY") return normalize::DateOrder::MonthFirst;
    throw Error(ErrorCode::InvalidParameter,
                "parse_date: invalid value \"" + std::string(order) + "\" for argument date_order",
                {}, "Use 'DMY' (05/03/2024 is 5 March) or 'MDY' (05/03/2024 is May 3).");
}

}  // namespace

USERMATCH_FUNCTION(usermatch_normalize_name) {
    text* s = PG_GETARG_TEXT_PP(0);
    return usermatch::pg::text_datum(normalize::normalize_name(usermatch::pg::text_view(s)));
}

USERMATCH_FUNCTION(usermatch_pinyin) {
    text* s = PG_GETARG_TEXT_PP(0);
    return usermatch::pg::text_datum(normalize::pinyin(usermatch::pg::text_view(s)));
}

USERMATCH_FUNCTION(usermatch_normalize_phone) {
    text* s = PG_GETARG_TEXT_PP(0);
    text* region = PG_GETARG_TEXT_PP(1);
    return optional_text(normalize::normalize_phone(usermatch::pg::text_view(s), usermatch::pg::text_view(region)), fcinfo);
}

// normalize_phone(phone, regions text[]): the regions tried in order (at most 100; NULL elements
// are an error 22004, unknown regions 22023).
USERMATCH_FUNCTION(usermatch_normalize_phone_regions) {
    text* s = PG_GETARG_TEXT_PP(0);
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(1);
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    usermatch::pg::pg_call([&] {
        deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
        if (count > 100)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("normalize_phone: argument regions has %d elements; at most 100 are allowed", count)));
        for (int i = 0; i < count; ++i) {
            if (nulls[i])
                ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                                errmsg("normalize_phone: argument regions must not contain NULL")));
            elems[i] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(elems[i]));
        }
    });
    std::vector<std::string> regions;
    for (int i = 0; i < count; ++i) regions.emplace_back(usermatch::pg::text_view(reinterpret_cast<text*>(DatumGetPointer(elems[i]))));
    return optional_text(normalize::normalize_phone(usermatch::pg::text_view(s), regions), fcinfo);
}

USERMATCH_FUNCTION(usermatch_phone_region) {
    text* s = PG_GETARG_TEXT_PP(0);
    return optional_text(normalize::phone_region_of_country(usermatch::pg::text_view(s)), fcinfo);
}

USERMATCH_FUNCTION(usermatch_phone_national_number) {
    text* s = PG_GETARG_TEXT_PP(0);
    const std::string_view nsn = normalize::phone_national_number(usermatch::pg::text_view(s));
    if (nsn.empty()) PG_RETURN_NULL();
    return usermatch::pg::text_datum(nsn);
}

USERMATCH_FUNCTION(usermatch_normalize_email) {
    text* s = PG_GETARG_TEXT_PP(0);
    return optional_text(normalize::normalize_email(usermatch::pg::text_view(s)), fcinfo);
}

USERMATCH_FUNCTION(usermatch_parse_date) {
    text* s = PG_GETARG_TEXT_PP(0);
    text* order = PG_GETARG_TEXT_PP(1);
    return optional_date(normalize::parse_date(usermatch::pg::text_view(s), parse_date_order(usermatch::pg::text_view(order))), fcinfo);
}

USERMATCH_FUNCTION(usermatch_cn_id_valid) {
    text* s = PG_GETARG_TEXT_PP(0);
    PG_RETURN_BOOL(normalize::cn_id_valid(usermatch::pg::text_view(s)));
}

USERMATCH_FUNCTION(usermatch_cn_id_birth_date) {
    text* s = PG_GETARG_TEXT_PP(0);
    return optional_date(normalize::cn_id_birth_date(usermatch::pg::text_view(s)), fcinfo);
}
