// SQL comparators: usermatch.levenshtein, damerau_levenshtein, jaro, jaro_winkler,
// qgram_similarity, soundex, double_metaphone. Thin: decode UTF-8, call the core, return.
#include "core/compare/phonetic.hpp"

#include <algorithm>
#include "core/compare/string_metrics.hpp"
#include "core/errors.hpp"
#include "core/text/utf8.hpp"
#include "pg/datum.hpp"

namespace {

using usermatch::Error;
using usermatch::ErrorCode;

// Unbounded edit distances and Jaro cost time proportional to len(a) * len(b). Past this many
// compared character pairs a call would run for seconds without a chance to cancel, so it is
// refused with an error that names the limit (bounded variants cost max * len instead).
constexpr double kMaxComparedPairs = 1e9;

void check_cost(const char* function, std::size_t len_a, std::size_t len_b, const char* hint) {
    if (static_cast<double>(len_a) * static_cast<double>(len_b) > kMaxComparedPairs)
        throw Error(ErrorCode::ProgramLimit,
                    std::string(function) + ": inputs of " + std::to_string(len_a) + " and " +
                        std::to_string(len_b) +
                        " characters exceed the limit of 1000000000 compared character pairs",
                    {}, hint ? hint : "");
}

// Per-backend decode buffers, reused across calls (intentionally never freed).
std::u32string& buffer_a() {
    static std::u32string* buffer = new std::u32string();
    return *buffer;
}
std::u32string& buffer_b() {
    static std::u32string* buffer = new std::u32string();
    return *buffer;
}

// Decodes both text arguments into the reusable buffers.
void decode_pair(const text* a, const text* b) {
    auto& ua = buffer_a();
    auto& ub = buffer_b();
    ua.clear();
    ub.clear();
    usermatch::text::decode_utf8_into(usermatch::pg::text_view(a), ua);
    usermatch::text::decode_utf8_into(usermatch::pg::text_view(b), ub);
    // A huge argument should not pin its size in the buffer for the rest of the session.
    constexpr std::size_t kKeep = 1 << 16;
    if (ua.capacity() > kKeep && ua.size() <= kKeep) ua.shrink_to_fit();
    if (ub.capacity() > kKeep && ub.size() <= kKeep) ub.shrink_to_fit();
}

int32 to_int32(std::size_t v) { return v > static_cast<std::size_t>(PG_INT32_MAX) ? PG_INT32_MAX : static_cast<int32>(v); }

}  // namespace

USERMATCH_FUNCTION(usermatch_levenshtein) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    decode_pair(a, b);
    check_cost("levenshtein", buffer_a().size(), buffer_b().size(), "Use levenshtein(a, b, max), whose cost grows with max instead.");
    PG_RETURN_INT32(to_int32(usermatch::compare::levenshtein(buffer_a(), buffer_b())));
}

USERMATCH_FUNCTION(usermatch_levenshtein_bounded) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    int32 max = PG_GETARG_INT32(2);
    if (max < 0) throw Error(ErrorCode::InvalidParameter, "levenshtein: argument max must not be negative");
    decode_pair(a, b);
    const std::size_t band = 2 * static_cast<std::size_t>(max) + 1;
    check_cost("levenshtein", std::max(buffer_a().size(), buffer_b().size()),
               std::min(std::min(buffer_a().size(), buffer_b().size()), band), "Lower max.");
    PG_RETURN_INT32(to_int32(usermatch::compare::levenshtein_bounded(buffer_a(), buffer_b(), static_cast<std::size_t>(max))));
}

USERMATCH_FUNCTION(usermatch_damerau_levenshtein) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    decode_pair(a, b);
    check_cost("damerau_levenshtein", buffer_a().size(), buffer_b().size(), nullptr);
    PG_RETURN_INT32(to_int32(usermatch::compare::osa_distance(buffer_a(), buffer_b())));
}

USERMATCH_FUNCTION(usermatch_jaro) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    decode_pair(a, b);
    check_cost("jaro", buffer_a().size(), buffer_b().size(), nullptr);
    PG_RETURN_FLOAT8(usermatch::compare::jaro(buffer_a(), buffer_b()));
}

USERMATCH_FUNCTION(usermatch_jaro_winkler) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    decode_pair(a, b);
    check_cost("jaro_winkler", buffer_a().size(), buffer_b().size(), nullptr);
    PG_RETURN_FLOAT8(usermatch::compare::jaro_winkler(buffer_a(), buffer_b()));
}

USERMATCH_FUNCTION(usermatch_qgram_similarity) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    int32 q = PG_GETARG_INT32(2);
    if (q < 1) throw Error(ErrorCode::InvalidParameter, "qgram_similarity: argument q must be at least 1");
    decode_pair(a, b);
    PG_RETURN_FLOAT8(usermatch::compare::qgram_similarity(buffer_a(), buffer_b(), q));
}

// Decodes one text argument into the reusable buffer.
static const std::u32string& decode_one(const text* s) {
    auto& buffer = buffer_a();
    buffer.clear();
    usermatch::text::decode_utf8_into(usermatch::pg::text_view(s), buffer);
    return buffer;
}

USERMATCH_FUNCTION(usermatch_soundex) {
    text* s = PG_GETARG_TEXT_PP(0);
    return usermatch::pg::text_datum(usermatch::compare::soundex(decode_one(s)));
}

USERMATCH_FUNCTION(usermatch_double_metaphone) {
    text* s = PG_GETARG_TEXT_PP(0);
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, nullptr, &tupdesc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("double_metaphone must be called in a context that accepts a record")));
    tupdesc = BlessTupleDesc(tupdesc);
    auto codes = usermatch::compare::double_metaphone(decode_one(s));
    Datum values[2] = {usermatch::pg::text_datum(codes.primary), usermatch::pg::text_datum(codes.alternate)};
    bool nulls[2] = {false, false};
    return usermatch::pg::pg_call([&] { return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)); });
}
