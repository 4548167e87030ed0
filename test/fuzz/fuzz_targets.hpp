// Fuzz entry points for the core engine. Each is a plain function over bytes so that the same code
// runs under libFuzzer (test/fuzz/libfuzzer_main.cpp, built with USERMATCH_FUZZ=ON and clang) and in
// the normal unit tests (test/unit/test_fuzz_replay.cpp replays every file of test/fuzz/corpus/<name>
// and test/fuzz/regressions/<name> with g++). A violated property calls fuzz_fail(), which prints
// and aborts: libFuzzer then keeps the input as a crash, a replaying unit test dies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace usermatch::fuzz {

// Normalisers (fuzz_normalize.cpp)
int fuzz_normalize_name(const std::uint8_t* data, std::size_t size);  // normalize_name, has_han
int fuzz_pinyin(const std::uint8_t* data, std::size_t size);          // pinyin
int fuzz_value_normalizers(const std::uint8_t* data, std::size_t size);  // normalize_address/_city/_gender
int fuzz_phone(const std::uint8_t* data, std::size_t size);           // normalize_phone, region lists, phone_national_number
int fuzz_phone_fast_path(const std::uint8_t* data, std::size_t size);  // fast path == libphonenumber (differential)
int fuzz_phone_region(const std::uint8_t* data, std::size_t size);    // phone_region_of_country
int fuzz_email(const std::uint8_t* data, std::size_t size);           // normalize_email
int fuzz_date(const std::uint8_t* data, std::size_t size);            // parse_date, both orders
int fuzz_cn_id(const std::uint8_t* data, std::size_t size);           // cn_id_valid, birth date, check character
int fuzz_phonetic(const std::uint8_t* data, std::size_t size);        // soundex, double_metaphone (+ _bytes)
// Comparators (fuzz_compare.cpp), each checked against a plain reference where cheap
int fuzz_levenshtein(const std::uint8_t* data, std::size_t size);     // levenshtein, bounded, _bytes
int fuzz_osa(const std::uint8_t* data, std::size_t size);             // osa_distance, osa_distance_bounded (banded)
int fuzz_jaro(const std::uint8_t* data, std::size_t size);            // jaro, jaro_winkler
int fuzz_qgram(const std::uint8_t* data, std::size_t size);           // qgram_similarity
int fuzz_person_name(const std::uint8_t* data, std::size_t size);     // engine person_name levels, both orders
// Profiles (fuzz_profile.cpp)
int fuzz_profile(const std::uint8_t* data, std::size_t size);         // validate/parse_profile, profile_to_json

using FuzzFunction = int (*)(const std::uint8_t*, std::size_t);
struct FuzzTarget {
    const char* name;  // "normalize_name": binary fuzz_normalize_name, dirs corpus/normalize_name, regressions/normalize_name
    FuzzFunction function;
};
// Every target, in a fixed order.
extern const FuzzTarget kFuzzTargets[];
extern const std::size_t kFuzzTargetCount;

[[noreturn]] void fuzz_fail(const char* target, const char* what, std::string_view detail = {});

}  // namespace usermatch::fuzz

#define FUZZ_CHECK(target, cond, detail)                                                            \
    do {                                                                                            \
        if (!(cond)) ::usermatch::fuzz::fuzz_fail(target, #cond, detail);                           \
    } while (0)
