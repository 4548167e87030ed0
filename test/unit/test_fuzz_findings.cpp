// Behaviour fixed after fuzzing found it (the inputs themselves are replayed from
// test/fuzz/regressions by test_fuzz_replay.cpp); each test states the user-visible effect.
#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

using usermatch::normalize::normalize_phone;

// fuzz_phone_fast_path: NANP territories dial locally with 7 digits; libphonenumber prefixes the
// area code (national_prefix_for_parsing "1|([267]\d{6})$", transform "684$1"). The fast path
// measured the capture length counting '$' as a digit, skipped the transform and returned the
// bare national form.
TEST(FuzzFindings, NanpTerritorySevenDigitLocalNumbersGetTheirAreaCode) {
    EXPECT_EQ(normalize_phone("633 1234", "AS"), "+16846331234");
    EXPECT_EQ(normalize_phone("258 1234", "AS"), "+16842581234");
    EXPECT_EQ(normalize_phone("472 1234", "GU"), "+16714721234");
    EXPECT_EQ(normalize_phone("774 1234", "VI"), "+13407741234");
    EXPECT_EQ(normalize_phone("234 5678", "MP"), "+16702345678");
}
