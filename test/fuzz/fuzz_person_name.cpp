// Fuzz target for the engine's person_name comparison (token pairing, initials, romanised
// surnames, joined syllables; engine/comparison.cpp): two fuzzed names in a one-field store are
// compared in both orders. Properties: no crash or sanitizer report, the same level either way,
// and a name compared with itself reaches "exact".
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"

#include <string>

namespace usermatch::fuzz {

int fuzz_person_name(const std::uint8_t* data, std::size_t size) {
    static const engine::Profile profile = engine::parse_profile(
        R"({"id": "id", "fields": [{"name": "n", "column": "n", "type": "person_name"}], "blocking": [["n"]]})");
    Input input(data, size);
    const std::string a(input.part()), b(input.part());
    engine::RecordStore store(profile);
    try {
        store.append("a", {engine::RawValue(a)});
        store.append("b", {engine::RawValue(b)});
    } catch (const Error&) {
        return 0;  // invalid UTF-8 and the like are refused before any comparison
    }
    const engine::Field& field = profile.fields[0];
    const int ab = engine::compare_field(field, 0, store, 0, store, 1);
    const int ba = engine::compare_field(field, 0, store, 1, store, 0);
    FUZZ_CHECK("person_name", ab == ba, a + " / " + b + ": " + std::to_string(ab) + " vs " + std::to_string(ba));
    const int aa = engine::compare_field(field, 0, store, 0, store, 0);
    FUZZ_CHECK("person_name", aa == engine::kNullLevel || aa == 0, a + ": " + std::to_string(aa));
    return 0;
}

}  // namespace usermatch::fuzz
