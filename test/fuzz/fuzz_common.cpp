// The target table and the failure reporter shared by every fuzz target.
#include "fuzz_targets.hpp"

#include <cstdio>
#include <cstdlib>

namespace usermatch::fuzz {

const FuzzTarget kFuzzTargets[] = {
    {"normalize_name", fuzz_normalize_name}, {"pinyin", fuzz_pinyin},
    {"phone", fuzz_phone},                   {"phone_fast_path", fuzz_phone_fast_path},
    {"phone_region", fuzz_phone_region},
    {"email", fuzz_email},                   {"date", fuzz_date},
    {"cn_id", fuzz_cn_id},                   {"phonetic", fuzz_phonetic},
    {"levenshtein", fuzz_levenshtein},       {"osa", fuzz_osa},
    {"jaro", fuzz_jaro},                     {"qgram", fuzz_qgram},
    {"profile", fuzz_profile},               {"person_name", fuzz_person_name},
    {"value_normalizers", fuzz_value_normalizers},
};
const std::size_t kFuzzTargetCount = sizeof(kFuzzTargets) / sizeof(kFuzzTargets[0]);

void fuzz_fail(const char* target, const char* what, std::string_view detail) {
    std::fprintf(stderr, "fuzz_%s: property violated: %s\n", target, what);
    if (!detail.empty()) std::fprintf(stderr, "  detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::fflush(stderr);
    std::abort();
}

}  // namespace usermatch::fuzz
