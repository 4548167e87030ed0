// SQL comparators: usermatch.levenshtein, damerau_levenshtein, jaro, jaro_winkler,
// qgram_similarity, soundex, double_metaphone. Thin: decode UTF-8, call the core, return.
#include "core/compare/phonetic.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
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

[[noreturn]] __attribute__((noinline)) void refuse_cost(const char* function, std::size_t len_a, std::size_t len_b,
                                                        const char* hint) {
    throw Error(ErrorCode::ProgramLimit,
                std::string(function) + ": inputs of " + std::to_string(len_a) + " and " + std::to_string(len_b) +
                    " characters exceed the limit of 1000000000 compared character pairs",
                {}, hint ? hint : "");
}

// Inline: names are far below the limit, and the message is only built when refusing.
inline void check_cost(const char* function, std::size_t len_a, std::size_t len_b, const char* hint) {
    if (static_cast<double>(len_a) * static_cast<double>(len_b) > kMaxComparedPairs)
        refuse_cost(function, len_a, len_b, hint);
}

// qgram_similarity: most characters (both arguments together) one call accepts.
constexpr std::size_t kMaxQgramCodePoints = 1000000;

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

// ASCII test eight bytes at a time (names are short; this runs on every call).
bool is_ascii(std::string_view s) noexcept {
    constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t any = 0;
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        any |= word;
    }
    for (; n > 0; ++p, --n) any |= static_cast<unsigned char>(*p);
    return (any & kHighBits) == 0;
}

// Both arguments pure ASCII: the core then reads bytes as code points and skips decoding.
bool both_ascii(std::string_view a, std::string_view b) { return is_ascii(a) && is_ascii(b); }

int32 to_int32(std::size_t v) { return v > static_cast<std::size_t>(PG_INT32_MAX) ? PG_INT32_MAX : static_cast<int32>(v); }

}  // namespace

USERMATCH_FUNCTION(usermatch_levenshtein) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    const std::string_view va = usermatch::pg::text_view(a);
    const std::string_view vb = usermatch::pg::text_view(b);
    if (both_ascii(va, vb)) {
        check_cost("levenshtein", va.size(), vb.size(), "Use levenshtein(a, b, max), whose cost grows with max instead.");
        PG_RETURN_INT32(to_int32(usermatch::compare::levenshtein_bytes(va, vb)));
    }
    decode_pair(a, b);
    check_cost("levenshtein", buffer_a().size(), buffer_b().size(), "Use levenshtein(a, b, max), whose cost grows with max instead.");
    PG_RETURN_INT32(to_int32(usermatch::compare::levenshtein(buffer_a(), buffer_b())));
}

USERMATCH_FUNCTION(usermatch_levenshtein_bounded) {
    text* a = PG_GETARG_TEXT_PP(0);
    text* b = PG_GETARG_TEXT_PP(1);
    int32 max = PG_GETARG_INT32(2);
    if (max < 0) throw Error(ErrorCode::InvalidParameter, "levenshtein: argument max must not be negative");
    const std::string_view va = usermatch::pg::text_view(a);
    const std::string_view vb = usermatch::pg::text_view(b);
    if (both_ascii(va, vb)) {  // the core costs at most max * len here (single word or band)
        const std::size_t band = 2 * static_cast<std::size_t>(max) + 1;
        check_cost("levenshtein", std::max(va.size(), vb.size()), std::min(std::min(va.size(), vb.size()), band), "Lower max.");
        PG_RETURN_INT32(to_int32(usermatch::compare::levenshtein_bounded_bytes(va, vb, static_cast<std::size_t>(max))));
    }
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
    // The core sorts one key per q-gram (O(n log n) whatever q is); past kMaxQgramCodePoints in
    // all a call would run for more than ~100 ms without a chance to cancel. Four bytes at most
    // per code point: longer texts are refused before decoding.
    const std::size_t bytes = usermatch::pg::text_view(a).size() + usermatch::pg::text_view(b).size();
    bool decoded = false;
    if (bytes > kMaxQgramCodePoints) {
        std::size_t code_points = bytes;
        if (bytes <= 4 * kMaxQgramCodePoints) {
            decode_pair(a, b);
            decoded = true;
            code_points = buffer_a().size() + buffer_b().size();
        }
        if (code_points > kMaxQgramCodePoints)
            throw Error(ErrorCode::ProgramLimit,
                        "qgram_similarity: inputs of more than " + std::to_string(kMaxQgramCodePoints) +
                            " characters in all are not supported",
                        "The arguments hold " + (code_points == bytes ? std::to_string(bytes) + " bytes"
                                                                      : std::to_string(code_points) + " characters") + ".");
    }
    if (!decoded) decode_pair(a, b);
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
    char code[4];  // a Soundex code is "" or 4 characters
    std::size_t length;
    {
        const std::string_view bytes = usermatch::pg::text_view(s);
        const std::string computed = is_ascii(bytes) ? usermatch::compare::soundex_bytes(bytes)
                                                     : usermatch::compare::soundex(decode_one(s));
        length = std::min(computed.size(), sizeof code);
        std::memcpy(code, computed.data(), length);
    }
    // No C++ object with a destructor is alive any more: the allocation may ereport directly
    // (saves the sigsetjmp of pg_call on every row).
    PG_RETURN_TEXT_P(cstring_to_text_with_len(code, static_cast<int>(length)));
}

// The blessed result descriptor, built on the first call and kept in fn_extra (in fn_mcxt, so
// it lives as long as the call site), as contrib modules do: no catalog lookup per row.
static TupleDesc metaphone_result_descriptor(FunctionCallInfo fcinfo) {
    if (fcinfo->flinfo->fn_extra) return static_cast<TupleDesc>(fcinfo->flinfo->fn_extra);
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, nullptr, &tupdesc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("double_metaphone must be called in a context that accepts a record")));
    MemoryContext caller_context = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
    MemoryContextSwitchTo(caller_context);
    fcinfo->flinfo->fn_extra = tupdesc;
    return tupdesc;
}

USERMATCH_FUNCTION(usermatch_double_metaphone) {
    text* s = PG_GETARG_TEXT_PP(0);
    // Before any C++ object exists, so its errors may ereport directly.
    const TupleDesc tupdesc = metaphone_result_descriptor(fcinfo);
    char primary[4];  // codes of at most 4 characters (the classic length used here)
    char alternate[4];
    std::size_t primary_length;
    std::size_t alternate_length;
    {
        const std::string_view bytes = usermatch::pg::text_view(s);
        const auto codes = is_ascii(bytes) ? usermatch::compare::double_metaphone_bytes(bytes)
                                           : usermatch::compare::double_metaphone(decode_one(s));
        primary_length = std::min(codes.primary.size(), sizeof primary);
        alternate_length = std::min(codes.alternate.size(), sizeof alternate);
        std::memcpy(primary, codes.primary.data(), primary_length);
        std::memcpy(alternate, codes.alternate.data(), alternate_length);
    }
    // No C++ object with a destructor is alive any more: these calls may ereport directly.
    Datum values[2] = {PointerGetDatum(cstring_to_text_with_len(primary, static_cast<int>(primary_length))),
                       PointerGetDatum(cstring_to_text_with_len(alternate, static_cast<int>(alternate_length)))};
    bool nulls[2] = {false, false};
    return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}
