// Deterministic generator of realistic user records with ground truth (entity_id), used to load
// sample users (usermatch.generate_users) and to measure matching quality in benchmarks.
//
// The output depends only on (n, options): the generator uses its own PRNG (xoshiro256**) and its
// own integer/IEEE-exact distributions, never <random> distributions or libm transcendental
// functions, so the same inputs give the same bytes with every standard library and machine.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::generate {

// 'clean': the original profile (Latin + Chinese, dense records, every copy keeps a strong key).
// 'realistic': sparse, international records with hard pairs (see core/generate/realistic.hpp).
enum class Preset : std::uint8_t { Clean = 0, Realistic };

// "clean" / "realistic" (case-sensitive); throws Error(InvalidParameter) naming the valid presets.
Preset parse_preset(std::string_view name);

struct GeneratorOptions {
    std::uint64_t seed = 42;
    Preset preset = Preset::Clean;
    double duplicate_rate = 0.3;  // expected fraction of records that are extra copies of an entity
    double chinese_share = 0.5;   // fraction of entities with Chinese names
    double corruption = 1.0;      // 0 = clean copies, 1 = default noise level, 2 = noisier (max 5)
};

struct UserRecord {
    std::string user_id;    // "u0000001"-style, unique, zero padded to >= 7 digits
    std::string entity_id;  // ground truth: records of one person share it ("e0000001")
    std::optional<std::string> full_name, phone, email, birth_date, id_number, city;  // nullopt = NULL
    // Realistic preset only (always NULL with 'clean'): gender as written, street address, and
    // the country (ISO 3166 alpha-2 mostly; sometimes missing, lower case or spelled out).
    std::optional<std::string> gender, address, country;
};

// Largest n accepted. The generator keeps ~250 bytes of plan per record in memory (about
// 250 MB for 1,000,000 records at duplicate_rate 0.3); the vector form adds the records.
constexpr std::size_t kMaxGeneratedUsers = 50'000'000;

// Throws Error(InvalidParameter) naming the argument when n or an option is out of range:
// n <= 50,000,000, duplicate_rate in [0, 0.9], chinese_share in [0, 1], corruption in [0, 5].
void validate_generator_arguments(std::size_t n, const GeneratorOptions& options);

// Streaming form: plans all entities up front (small per-entity state), then renders records on
// demand in shuffled order. Produces exactly the same records as generate_users(n, options).
// Not thread-safe; use one generator per thread.
class UserGenerator {
public:
    // Planning costs ~1 s per 400,000 records: `keep_going` (may be empty) is polled every few
    // thousand entities / shuffle steps; when it returns false the constructor throws
    // Error(QueryCanceled). It never changes the records produced.
    UserGenerator(std::size_t n, const GeneratorOptions& options, const std::function<bool()>& keep_going = {});
    ~UserGenerator();
    UserGenerator(UserGenerator&&) noexcept;
    UserGenerator& operator=(UserGenerator&&) noexcept;
    UserGenerator(const UserGenerator&) = delete;
    UserGenerator& operator=(const UserGenerator&) = delete;

    std::size_t size() const noexcept;       // n
    std::size_t remaining() const noexcept;  // records not produced yet
    std::size_t entity_count() const noexcept;

    // Fills `out` with the next record; false when all n records were produced.
    bool next(UserRecord& out);
    // Up to max_records next records (empty when done).
    std::vector<UserRecord> next_chunk(std::size_t max_records);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Generates exactly n records in shuffled order (copies of one entity are not adjacent).
std::vector<UserRecord> generate_users(std::size_t n, const GeneratorOptions& options);

// ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of the first 17 digits of a PRC ID number.
// Throws Error(InvalidParameter) when `first17` is not exactly 17 ASCII digits.
char prc_id_check_character(std::string_view first17);

}  // namespace usermatch::generate
