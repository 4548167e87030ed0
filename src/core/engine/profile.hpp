// A matching profile: which fields to compare, how (comparison levels with m/u probabilities),
// how to block (which pairs to compare at all), and the decision threshold.
// Parsed and validated from JSON; validation reports every problem at once.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::engine {

enum class FieldType : std::uint8_t { PersonName, Text, Phone, Email, Date, IdNumber, Exact, Number };

// What a comparison level tests. `Level::param` holds the threshold where one applies.
enum class Condition : std::uint8_t {
    Exact,             // normalised values equal
    SamePinyin,        // person_name: pinyin forms equal, spaces removed (张伟 = 張偉 = Zhang Wei)
    SwappedTokens,     // person_name: same multiset of pinyin tokens (Wei Zhang = Zhang Wei)
    Nickname,          // person_name: same tokens after canonical_given_name (Bill = William)
    Initials,          // person_name: tokens pair up with at least one initial (J. Murphy = Janet Murphy)
    JaroWinkler,       // jw(a, b) >= param  (person_name/text on the pinyin/normalised form; email on the whole address)
    OsaAtMost,         // OSA distance <= param (phone: on national digits)
    SameNationalNumber,// phone: national significant numbers equal on their last 9 digits
    SameLocalPart,     // email: local parts equal
    LocalJaroWinkler,  // email: jw(local parts) >= param
    DayMonthSwapped,   // date: year equal, day and month exchanged
    OneComponentOff,   // date: exactly two of year/month/day equal
    WithinOneYear,     // date: at most 365 days apart
    WithinPercent,     // number: |a-b| <= param% of max(|a|,|b|)
    Else,              // always true: the final level
};

struct Level {
    std::string name;  // as written in JSON: "exact", "jw>=0.92", "osa<=1", "else", ...
    Condition condition = Condition::Else;
    double param = 0;
    double m = 0.5;    // P(level | records match)
    double u = 0.5;    // P(level | records do not match)
};

// Auto: each value read as written when its order is unambiguous (27-06-1998, 1991-05-20,
// 1975年4月12日); a date whose day and month are both <= 12 (04/05/1990, and 1990-04-05 too) is
// stored with the smaller of the two as the month, so either order of it compares equal.
enum class DateOrder : std::uint8_t { DayFirst, MonthFirst, Auto };

// A value normaliser applied before a text or exact field's own normalisation ("normalize" key):
//   address: number groups and words, abbreviations expanded (St -> street, Apt. -> apt), Chinese
//            unit markers (栋 号楼 单元 室 号 ...) turned into separators: 金色家园38-4-401 =
//            金色家园38栋4单元401室 (normalize::normalize_address)
//   city:    市/省/区/县 suffixes removed, Han to pinyin, spaces removed, common abbreviations
//            (NYC, SF, San Fran): 北京 = 北京市 = Beijing (normalize::normalize_city)
//   gender:  f / m from F, female, 女, Frau, W, M, male, 男, Herr ... (normalize::normalize_gender)
enum class Normalizer : std::uint8_t { None, Address, City, Gender };

struct Field {
    std::string name;
    std::string column;      // exactly one of column / expression is set
    std::string expression;  // SQL expression evaluated by the glue; the engine only carries it
    FieldType type = FieldType::Text;
    std::string region = "CN";                  // phone: region of numbers written without a country code
    std::vector<std::string> regions;           // phone: more likely regions, tried after `region`
    std::string region_column;                  // phone: source column with each record's country,
                                                // tried first (normalize::phone_region_of_country)
    int region_value = -1;                      // phone: index of region_column in a record's values
    DateOrder date_order = DateOrder::DayFirst; // date
    Normalizer normalizer = Normalizer::None;   // text / exact: "normalize"
    std::vector<Level> levels;                  // ordered; the last one is always Condition::Else
    bool tf = false;                            // term-frequency adjustment (carried, no effect yet)
};

enum class Transform : std::uint8_t {
    None, PinyinInitials, FirstToken, LastToken, SortedTokens, Soundex, DoubleMetaphone,
    Year, MonthDay, Prefix3, DigitsLast4, Pinyin, Nickname,
    NationalNumber, Last8,  // phone: national significant number / its last 8 digits
};

struct BlockingKey {
    std::size_t field = 0;  // index into Profile::fields
    Transform transform = Transform::None;
    std::string text;       // as written: "name.pinyin_initials"
};

struct BlockingRule {
    std::vector<BlockingKey> keys;  // a pair is a candidate when it agrees on every key
    // The rule's own block cap ({"keys": [...], "max_block_size": n}); 0: the profile's. Blocks
    // past a rule's own cap are skipped without a NOTICE: such a rule is meant to pair only rare
    // values (a name shared by a handful of records), leaving common ones to the other rules.
    std::size_t max_block_size = 0;
};

constexpr std::size_t kMaxFields = 64;  // fields a profile may have

// Agreement on a contact or place that goes with agreement on a more selective field among
// non-matches: household members who share a phone share its city and address too, so once the
// phones agree, an agreeing city is no longer the 1-in-100 coincidence its u says. When `given` is
// at its first level, `field` at level l weighs log2(m / u[l]) where u[l] > its own u (0: no change).
// train estimates them ("interactions" in the spec).
struct Interaction {
    std::size_t field = 0;
    std::size_t given = 0;
    std::vector<double> u;  // per level of `field`
};

struct Profile {
    std::string id_column;
    std::vector<Field> fields;
    // Source columns read after the fields' values (a phone field's region_column), each once. A
    // record's values are one per field, then one per extra column (Field::region_value indexes
    // them); the glue's source reader appends them to its column list.
    std::vector<std::string> extra_columns;
    std::vector<BlockingRule> blocking;
    double threshold = 0.9;
    // "threshold": "auto" -> threshold_auto: the threshold that maximises the model's own expected
    // F1 over the candidate pairs (expected_f1.hpp). train resolves it and stores {"auto": t}
    // (threshold_resolved, threshold == t); an unresolved one is resolved by each run.
    bool threshold_auto = false;
    bool threshold_resolved = false;
    std::size_t max_block_size = 5000;
    // P(match) for a random pair. When absent the engine uses 1 / max(records on the larger side, 2)
    // at run time (see effective_prior).
    std::optional<double> prior;
    std::size_t max_cluster_size = 100;
    std::vector<Interaction> interactions;
};

// The block cap that applies to rule r: its own, else the profile's.
inline std::size_t rule_block_cap(const Profile& p, std::size_t r) {
    return p.blocking[r].max_block_size ? p.blocking[r].max_block_size : p.max_block_size;
}

struct Problem {
    std::string path;     // JSONPath-like: "$.fields[2].type"
    std::string problem;  // "unknown type \"emial\"; expected one of ..."
};

// Every problem of the profile at once (empty = valid). When `source_columns` is given, the id
// column and every field column must be one of them. A spec of more than 1,000 fields (64 are
// allowed) is not examined: both functions throw Error(ProgramLimit) at once.
std::vector<Problem> validate_profile(std::string_view json,
                                      const std::vector<std::string>* source_columns = nullptr);

// Parses a profile; throws Error(InvalidParameter) with the first problem (path in the message) and
// the number of other problems in the detail.
Profile parse_profile(std::string_view json, const std::vector<std::string>* source_columns = nullptr);

// Canonical JSON: every setting explicit (levels with their m and u), keys in a fixed order.
std::string profile_to_json(const Profile& profile);

// The prior used at run time: profile.prior, else 1 / max(left_records, right_records, 2).
double effective_prior(const Profile& profile, std::size_t left_records, std::size_t right_records);

// Names, for messages and serialisation.
std::string_view field_type_name(FieldType type);
std::string_view transform_name(Transform transform);

// The default levels (with m and u) of a type, final "else" level included.
std::vector<Level> default_levels(FieldType type);

}  // namespace usermatch::engine
