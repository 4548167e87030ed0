// Profile parsing: one pass over the JSON that both builds the Profile and records every problem.
#include "core/engine/profile.hpp"

#include "core/engine/profile_levels.hpp"
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace usermatch::engine {

using nlohmann::json;

namespace {

const FieldType kTypes[] = {FieldType::PersonName, FieldType::Text,     FieldType::Phone, FieldType::Email,
                            FieldType::Date,       FieldType::IdNumber, FieldType::Exact, FieldType::Number};

const Transform kTransforms[] = {
    Transform::PinyinInitials, Transform::FirstToken, Transform::LastToken, Transform::SortedTokens,
    Transform::Soundex,        Transform::DoubleMetaphone, Transform::Year, Transform::MonthDay,
    Transform::Prefix3,        Transform::DigitsLast4, Transform::Pinyin, Transform::Nickname,
    Transform::NationalNumber, Transform::Last8};

// A spec with more fields than this is refused (54000) before its fields are examined.
constexpr std::size_t kMaxFieldsExamined = 1000;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

bool transform_applies(Transform t, FieldType type) {
    switch (t) {
    case Transform::None: return true;
    case Transform::Year:
    case Transform::MonthDay: return type == FieldType::Date;
    case Transform::NationalNumber:
    case Transform::Last8: return type == FieldType::Phone;
    case Transform::Prefix3:
    case Transform::DigitsLast4: return type != FieldType::Date && type != FieldType::Number;
    default: return type == FieldType::PersonName || type == FieldType::Text;
    }
}

// Limits on blocking: each rule builds an index over every record, so their number bounds the
// memory and time of candidate generation.
constexpr std::size_t kMaxBlockingRules = 64;
constexpr std::size_t kMaxKeysPerRule = 8;
// m and u below this make log2(m/u) meaningless (1e-320 is a denormal: the weight is infinite).
constexpr double kMinLevelProbability = 1e-12;

// SAX handler that only tracks where the parser is, to name the number nlohmann refuses as out of
// range (error 406). Runs only after a failed parse.
class OverflowLocator : public nlohmann::json_sax<json> {
public:
    std::optional<std::string> path;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { frames_.push_back({false, 0, {}}); return true; }
    bool key(string_t& k) override { frames_.back().key = k; return true; }
    bool end_object() override { frames_.pop_back(); return value(); }
    bool start_array(std::size_t) override { frames_.push_back({true, 0, {}}); return true; }
    bool end_array() override { frames_.pop_back(); return value(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        if (e.id == 406) {
            std::string p = "$";
            for (const Frame& f : frames_) p += f.array ? "[" + std::to_string(f.index) + "]" : "." + f.key;
            path = std::move(p);
        }
        return false;
    }

private:
    struct Frame {
        bool array;
        std::size_t index;
        std::string key;
    };
    std::vector<Frame> frames_;
    bool value() {  // one value of the enclosing array is complete
        if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
        return true;
    }
};

std::optional<std::string> overflowing_number_path(std::string_view text) {
    OverflowLocator locator;
    json::sax_parse(text.begin(), text.end(), &locator, nlohmann::detail::input_format_t::json, /*strict=*/true);
    return locator.path;
}

// True when an SQL expression has a ';' outside string literals, quoted identifiers, dollar
// quotes and comments: a field expression is one expression, never a statement list.
bool has_statement_separator(std::string_view sql) {
    const std::size_t n = sql.size();
    for (std::size_t i = 0; i < n;) {
        const char c = sql[i];
        if (c == ';') return true;
        if (c == '\'' || c == '"') {
            // E'...' strings take backslash escapes.
            const bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
            std::size_t j = i + 1;
            while (j < n) {
                if (backslash && sql[j] == '\\') { j += 2; continue; }
                if (sql[j] == c) {
                    if (j + 1 < n && sql[j + 1] == c) { j += 2; continue; }  // doubled quote
                    break;
                }
                ++j;
            }
            i = j + 1;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            int depth = 1;  // PostgreSQL comments nest
            i += 2;
            while (i < n && depth > 0) {
                if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') { ++depth; i += 2; }
                else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') { --depth; i += 2; }
                else ++i;
            }
        } else if (c == '$') {
            // $tag$ ... $tag$ (a tag is empty or an identifier not starting with a digit); $1 is a parameter.
            std::size_t j = i + 1;
            while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_' ||
                             static_cast<unsigned char>(sql[j]) >= 0x80))
                ++j;
            const bool is_tag = j < n && sql[j] == '$' && !(j > i + 1 && std::isdigit(static_cast<unsigned char>(sql[i + 1])));
            if (!is_tag) { i = j; continue; }
            const std::string_view tag = sql.substr(i, j - i + 1);
            const std::size_t end = sql.find(tag, j + 1);
            i = end == std::string_view::npos ? n : end + tag.size();
        } else {
            ++i;
        }
    }
    return false;
}

class Builder {
public:
    Builder(const std::vector<std::string>* columns) : columns_(columns) {}

    std::vector<Problem> problems;
    Profile profile;

    void build(std::string_view text) {
        json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded()) {
            // nlohmann refuses numbers a double cannot hold (jsonb keeps 1e400 exactly): say which.
            if (auto path = overflowing_number_path(text)) add(*path, "must be a finite number (this one is out of range)");
            else add("$", "invalid JSON");
            return;
        }
        if (!doc.is_object()) {
            add("$", "must be a JSON object");
            return;
        }
        static const char* const kKeys[] = {"id", "fields", "blocking", "threshold", "max_block_size",
                                            "prior", "max_cluster_size", "interactions"};
        unknown_keys(doc, "$", kKeys, std::size(kKeys));
        id(doc);
        fields(doc);
        field_sources_and_regions(doc);
        blocking(doc);
        if (doc.contains("threshold")) threshold(doc["threshold"]);
        if (doc.contains("prior")) profile.prior = probability(doc["prior"], "$.prior", 0.5);
        if (doc.contains("max_block_size"))
            profile.max_block_size = positive(doc["max_block_size"], "$.max_block_size", 2, 5000);
        if (doc.contains("max_cluster_size"))
            profile.max_cluster_size = positive(doc["max_cluster_size"], "$.max_cluster_size", 1, 100);
        if (doc.contains("interactions")) interactions(doc["interactions"]);
    }

private:
    const std::vector<std::string>* columns_;
    std::unordered_set<std::string> field_names_;  // names seen so far: duplicates in O(1)

    void add(std::string path, std::string problem) { problems.push_back({std::move(path), std::move(problem)}); }

    void unknown_keys(const json& obj, const std::string& path, const char* const* keys, std::size_t n) {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            if (std::find_if(keys, keys + n, [&](const char* k) { return it.key() == k; }) == keys + n)
                add(path + "." + it.key(), "unknown key " + in_quotes(it.key()));
        }
    }

    bool column_known(const std::string& c) const {
        return !columns_ || std::find(columns_->begin(), columns_->end(), c) != columns_->end();
    }

    double probability(const json& v, const std::string& path, double fallback) {
        if (!v.is_number()) {
            add(path, "must be a number between 0 and 1 exclusive");
            return fallback;
        }
        double p = v.get<double>();
        if (!(p > 0 && p < 1)) {
            add(path, "must be between 0 and 1 exclusive");
            return fallback;
        }
        return p;
    }

    // A probability, "auto", or {"auto": probability} (auto, resolved by train).
    void threshold(const json& v) {
        if (v.is_string() && v.get<std::string>() == "auto") {
            profile.threshold_auto = true;
        } else if (v.is_object() && v.size() == 1 && v.contains("auto")) {
            profile.threshold_auto = profile.threshold_resolved = true;
            profile.threshold = probability(v["auto"], "$.threshold.auto", 0.9);
        } else if (v.is_number()) {
            profile.threshold = probability(v, "$.threshold", 0.9);
        } else {
            add("$.threshold", "must be a number between 0 and 1 exclusive, \"auto\", or {\"auto\": number}");
        }
    }

    std::size_t positive(const json& v, const std::string& path, std::int64_t min, std::size_t fallback) {
        if (!v.is_number_integer() || v.get<std::int64_t>() < min) {
            add(path, "must be an integer >= " + std::to_string(min));
            return fallback;
        }
        return static_cast<std::size_t>(v.get<std::int64_t>());
    }

    void id(const json& doc) {
        if (!doc.contains("id")) {
            add("$.id", "missing: name the column holding the record id");
            return;
        }
        const json& v = doc["id"];
        if (!v.is_string() || v.get<std::string>().empty()) {
            add("$.id", "must be a non-empty string naming the id column");
            return;
        }
        profile.id_column = v.get<std::string>();
        if (!column_known(profile.id_column))
            add("$.id", "column " + in_quotes(profile.id_column) + " does not exist in the source");
    }

    void fields(const json& doc) {
        if (!doc.contains("fields") || !doc["fields"].is_array() || doc["fields"].empty()) {
            add("$.fields", "must be a non-empty array of fields");
            return;
        }
        const json& arr = doc["fields"];
        // Far past the limit the spec is not examined field by field (a problem row per field of a
        // 60,000-field spec helps nobody, and every check would have to stay linear): refused whole.
        if (arr.size() > kMaxFieldsExamined)
            throw Error(ErrorCode::ProgramLimit,
                        "matching profile has " + std::to_string(arr.size()) + " fields; at most 64 are allowed",
                        "Specs of more than " + std::to_string(kMaxFieldsExamined) + " fields are refused without validation.");
        if (arr.size() > kMaxFields)
            add("$.fields", "has " + std::to_string(arr.size()) + " fields; at most " + std::to_string(kMaxFields) +
                                " are allowed");
        for (std::size_t i = 0; i < arr.size(); ++i) field(arr[i], "$.fields[" + std::to_string(i) + "]");
        // Region columns become extra source columns, each read once, after the fields' values.
        for (Field& f : profile.fields) {
            if (f.region_column.empty()) continue;
            auto it = std::find(profile.extra_columns.begin(), profile.extra_columns.end(), f.region_column);
            if (it == profile.extra_columns.end()) it = profile.extra_columns.insert(it, f.region_column);
            f.region_value = static_cast<int>(profile.fields.size() + (it - profile.extra_columns.begin()));
        }
    }

    // Checks on each parsed field that need no JSON context: the phone region is one
    // libphonenumber knows (else dedupe would fail on the first row), an expression is a single
    // expression (a ';' would end the SELECT the glue builds around it).
    void field_sources_and_regions(const json& doc) {
        if (!doc.contains("fields") || !doc["fields"].is_array()) return;
        const std::size_t n = std::min(doc["fields"].size(), profile.fields.size());
        for (std::size_t i = 0; i < n; ++i) {
            const Field& f = profile.fields[i];
            const std::string path = "$.fields[" + std::to_string(i) + "]";
            if (f.type == FieldType::Phone && !normalize::phone_region_known(f.region))
                add(path + ".region", "unknown region " + in_quotes(f.region) +
                                          "; expected a two-letter CLDR region code such as \"CN\" or \"US\"");
            if (!f.expression.empty() && has_statement_separator(f.expression))
                add(path + ".expression", "must be a single SQL expression: \";\" outside quotes is not allowed");
        }
    }

    void field(const json& f, const std::string& path) {
        Field out;
        if (!f.is_object()) {
            add(path, "must be an object");
            profile.fields.push_back(out);
            return;
        }
        static const char* const kKeys[] = {"name", "column", "expression", "type", "region", "regions",
                                            "region_column", "date_order", "levels", "m", "u", "tf",
                                            "normalize"};
        unknown_keys(f, path, kKeys, std::size(kKeys));
        if (!f.contains("name") || !f["name"].is_string() || f["name"].get<std::string>().empty()) {
            add(path + ".name", "must be a non-empty string");
        } else {
            out.name = f["name"].get<std::string>();
            if (!field_names_.insert(out.name).second) add(path + ".name", "duplicate field name " + in_quotes(out.name));
        }
        bool has_column = f.contains("column"), has_expr = f.contains("expression");
        if (has_column == has_expr) {
            add(path, has_column ? "has both \"column\" and \"expression\"; give exactly one"
                                 : "needs either \"column\" or \"expression\"");
        }
        if (has_column) {
            if (!f["column"].is_string() || f["column"].get<std::string>().empty()) {
                add(path + ".column", "must be a non-empty string");
            } else {
                out.column = f["column"].get<std::string>();
                if (!column_known(out.column))
                    add(path + ".column", "column " + in_quotes(out.column) + " does not exist in the source");
            }
        }
        if (has_expr) {
            if (!f["expression"].is_string() || f["expression"].get<std::string>().empty())
                add(path + ".expression", "must be a non-empty string (an SQL expression)");
            else
                out.expression = f["expression"].get<std::string>();
        }
        bool type_ok = false;
        if (!f.contains("type") || !f["type"].is_string()) {
            add(path + ".type", "missing; expected one of " + type_list());
        } else {
            std::string t = f["type"].get<std::string>();
            for (FieldType ft : kTypes)
                if (field_type_name(ft) == t) {
                    out.type = ft;
                    type_ok = true;
                }
            if (!type_ok) add(path + ".type", "unknown type " + in_quotes(t) + "; expected one of " + type_list());
        }
        if (f.contains("region")) {
            if (!f["region"].is_string() || f["region"].get<std::string>().size() != 2)
                add(path + ".region", "must be a two-letter region code such as \"CN\"");
            else if (type_ok && out.type != FieldType::Phone)
                add(path + ".region", "only applies to a phone field");
            else
                out.region = f["region"].get<std::string>();
        }
        if (f.contains("regions")) {
            const json& r = f["regions"];
            bool ok = r.is_array() && r.size() <= 20;
            if (ok)
                for (const json& code : r) ok = ok && code.is_string() && code.get<std::string>().size() == 2;
            if (!ok)
                add(path + ".regions", "must be an array of at most 20 two-letter region codes such as [\"FR\", \"GB\"]");
            else if (type_ok && out.type != FieldType::Phone)
                add(path + ".regions", "only applies to a phone field");
            else
                for (const json& code : r) {
                    const std::string c = code.get<std::string>();
                    const auto known = normalize::phone_region_of_country(c);
                    if (!known || c == "UK" || c == "uk") add(path + ".regions", "unknown region " + in_quotes(c) + "; expected a two-letter region code such as \"FR\"");
                    else out.regions.push_back(*known);
                }
        }
        if (f.contains("region_column")) {
            const json& c = f["region_column"];
            if (!c.is_string() || c.get<std::string>().empty()) {
                add(path + ".region_column", "must be a non-empty string (a column with each record's country)");
            } else if (type_ok && out.type != FieldType::Phone) {
                add(path + ".region_column", "only applies to a phone field");
            } else {
                out.region_column = c.get<std::string>();
                if (!column_known(out.region_column))
                    add(path + ".region_column", "column " + in_quotes(out.region_column) + " does not exist in the source");
            }
        }
        if (f.contains("date_order")) {
            const json& d = f["date_order"];
            if (d == "DMY") out.date_order = DateOrder::DayFirst;
            else if (d == "MDY") out.date_order = DateOrder::MonthFirst;
            else if (d == "auto") out.date_order = DateOrder::Auto;
            else add(path + ".date_order", "must be \"DMY\", \"MDY\" or \"auto\"");
            if (type_ok && out.type != FieldType::Date) add(path + ".date_order", "only applies to a date field");
        }
        if (f.contains("normalize")) {
            const json& n = f["normalize"];
            if (n == "address") out.normalizer = Normalizer::Address;
            else if (n == "city") out.normalizer = Normalizer::City;
            else if (n == "gender") out.normalizer = Normalizer::Gender;
            else add(path + ".normalize", "must be \"address\", \"city\" or \"gender\"");
            if (type_ok && out.type != FieldType::Text && out.type != FieldType::Exact)
                add(path + ".normalize", "only applies to a text or exact field");
        }
        if (f.contains("tf")) {
            if (!f["tf"].is_boolean()) add(path + ".tf", "must be true or false");
            else out.tf = f["tf"].get<bool>();
        }
        if (type_ok) levels(f, path, out);
        profile.fields.push_back(std::move(out));
    }

    void levels(const json& f, const std::string& path, Field& out) {
        out.levels = default_levels(out.type);
        if (f.contains("levels")) {
            const json& arr = f["levels"];
            if (!arr.is_array() || arr.empty()) {
                add(path + ".levels", "must be a non-empty array of level names");
            } else {
                std::vector<Level> custom;
                bool ok = true;
                for (std::size_t j = 0; j < arr.size(); ++j) {
                    std::string lp = path + ".levels[" + std::to_string(j) + "]";
                    if (!arr[j].is_string()) {
                        add(lp, "must be a string");
                        ok = false;
                        continue;
                    }
                    std::string name = arr[j].get<std::string>();
                    if (name == "else") {
                        if (j + 1 != arr.size()) add(lp, "\"else\" may only be the last level");
                        continue;
                    }
                    std::string why;
                    auto level = parse_level_name(name, out.type, why);
                    if (!level) {
                        add(lp, why);
                        ok = false;
                    } else {
                        custom.push_back(*level);
                    }
                }
                if (ok) ok = levels_reachable(custom, path);
                if (ok) {
                    custom.push_back(out.levels.back());  // the type's "else" level
                    out.levels = std::move(custom);
                }
            }
        }
        probabilities(f, path, "m", out, true);
        probabilities(f, path, "u", out, false);
    }

    // Levels are tested in order and the first that holds wins, so a level is dead when an
    // earlier one holds whenever it does: the same name twice, a weaker bound of the same kind
    // first (jw>=0.8 before jw>=0.9, osa<=2 before osa<=1), or "exact" after a similarity level
    // (equal values have jw 1, distance 0, difference 0%).
    bool levels_reachable(const std::vector<Level>& levels, const std::string& path) {
        bool ok = true;
        for (std::size_t j = 0; j < levels.size(); ++j) {
            const Level& later = levels[j];
            for (std::size_t i = 0; i < j; ++i) {
                const Level& earlier = levels[i];
                std::string why;
                if (earlier.name == later.name) {
                    why = "duplicate level " + in_quotes(later.name);
                } else if (earlier.condition == later.condition) {
                    const bool at_least = later.condition == Condition::JaroWinkler ||
                                          later.condition == Condition::LocalJaroWinkler;
                    const bool bounded = at_least || later.condition == Condition::OsaAtMost ||
                                         later.condition == Condition::WithinPercent;
                    if (!bounded || (at_least ? earlier.param <= later.param : earlier.param >= later.param))
                        why = "level " + in_quotes(later.name) + " is unreachable: " + in_quotes(earlier.name) +
                              " comes first and holds whenever it does";
                } else if (later.condition == Condition::Exact &&
                           (earlier.condition == Condition::JaroWinkler || earlier.condition == Condition::OsaAtMost ||
                            earlier.condition == Condition::WithinPercent)) {
                    why = "level \"exact\" is unreachable after " + in_quotes(earlier.name) +
                          ", which holds for equal values; put \"exact\" first";
                }
                if (!why.empty()) {
                    add(path + ".levels[" + std::to_string(j) + "]", why);
                    ok = false;
                    break;
                }
            }
        }
        return ok;
    }

    void probabilities(const json& f, const std::string& path, const char* key, Field& out, bool is_m) {
        if (!f.contains(key)) return;
        const json& arr = f[key];
        std::string p = path + "." + key;
        if (!arr.is_array()) {
            add(p, "must be an array of probabilities, one per level including \"else\"");
            return;
        }
        if (arr.size() != out.levels.size()) {
            add(p, "has " + std::to_string(arr.size()) + " values but the field has " +
                       std::to_string(out.levels.size()) + " levels (including \"else\")");
            return;
        }
        for (std::size_t j = 0; j < arr.size(); ++j) {
            std::string jp = p + "[" + std::to_string(j) + "]";
            if (!arr[j].is_number() || !(arr[j].get<double>() > 0 && arr[j].get<double>() < 1)) {
                add(jp, "must be a probability between 0 and 1 exclusive");
                continue;
            }
            if (arr[j].get<double>() < kMinLevelProbability) {
                add(jp, "must be at least 1e-12 (smaller values make the match weight meaningless)");
                continue;
            }
            (is_m ? out.levels[j].m : out.levels[j].u) = arr[j].get<double>();
        }
    }

    // Each rule costs a key, a sort order and a pass over every record (12 bytes per record and
    // rule in the blocking index): 3,000 rules over 20,000 rows took 751 MB. Cap them.
    bool too_many_blocking_rules(const json& rules) {
        if (rules.size() <= kMaxBlockingRules) return false;
        add("$.blocking", "has " + std::to_string(rules.size()) + " rules; at most " +
                              std::to_string(kMaxBlockingRules) + " are allowed");
        return true;
    }

    void blocking(const json& doc) {
        if (!doc.contains("blocking") || !doc["blocking"].is_array() || doc["blocking"].empty()) {
            add("$.blocking", "must be a non-empty array of rules (each an array of keys)");
            return;
        }
        const json& rules = doc["blocking"];
        if (too_many_blocking_rules(rules)) return;
        for (std::size_t r = 0; r < rules.size(); ++r) {
            std::string rp = "$.blocking[" + std::to_string(r) + "]";
            BlockingRule rule;
            // A rule is an array of keys, or {"keys": [...], "max_block_size": n} for its own cap.
            const json* keys = &rules[r];
            if (rules[r].is_object()) {
                for (const auto& [k, v] : rules[r].items())
                    if (k != "keys" && k != "max_block_size")
                        add(rp + "." + k, "unknown key " + in_quotes(k) + " in a rule; expected \"keys\" or \"max_block_size\"");
                if (rules[r].contains("max_block_size"))
                    rule.max_block_size = positive(rules[r]["max_block_size"], rp + ".max_block_size", 2, 0);
                if (!rules[r].contains("keys")) {
                    add(rp + ".keys", "is missing: a rule object needs \"keys\", an array such as [\"name.sorted_tokens\"]");
                    continue;
                }
                keys = &rules[r]["keys"];
                rp += ".keys";
            }
            if (!keys->is_array() || keys->empty()) {
                add(rp, "must be a non-empty array of keys such as \"phone\" or \"name.pinyin_initials\"");
                continue;
            }
            if (keys->size() > kMaxKeysPerRule) {
                add(rp, "has " + std::to_string(keys->size()) + " keys; at most " +
                            std::to_string(kMaxKeysPerRule) + " are allowed in one rule");
                continue;
            }
            for (std::size_t k = 0; k < keys->size(); ++k) {
                std::string kp = rp + "[" + std::to_string(k) + "]";
                if (!(*keys)[k].is_string()) {
                    add(kp, "must be a string");
                    continue;
                }
                if (auto key = blocking_key((*keys)[k].get<std::string>(), kp)) rule.keys.push_back(*key);
            }
            profile.blocking.push_back(std::move(rule));
        }
    }

    // [{"field": "city", "given": "phone", "u": {"exact": 0.97}}, ...]: see Interaction.
    void interactions(const json& list) {
        if (!list.is_array()) {
            add("$.interactions", "must be an array of {\"field\", \"given\", \"u\"} objects");
            return;
        }
        const std::size_t nf = profile.fields.size();
        if (nf == 0 || nf > kMaxFields) return;  // the fields' own problems are reported
        if (list.size() > nf * (nf - 1)) {
            add("$.interactions", "has " + std::to_string(list.size()) + " entries; at most one per ordered pair of fields");
            return;
        }
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t f = 0; f < nf; ++f) index.emplace(profile.fields[f].name, f);
        auto field_index = [&](const json& obj, const char* key, const std::string& path) -> std::optional<std::size_t> {
            if (!obj.contains(key) || !obj[key].is_string()) {
                add(path + "." + key, "must name a field");
                return std::nullopt;
            }
            const std::string name = obj[key].get<std::string>();
            if (auto it = index.find(name); it != index.end()) return it->second;
            add(path + "." + key, in_quotes(name) + " names no field");
            return std::nullopt;
        };
        std::unordered_map<std::size_t, std::size_t> seen;  // field * nf + given -> entry
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string ip = "$.interactions[" + std::to_string(i) + "]";
            const json& obj = list[i];
            if (!obj.is_object()) {
                add(ip, "must be an object {\"field\", \"given\", \"u\"}");
                continue;
            }
            static const char* const kInteractionKeys[] = {"field", "given", "u"};
            unknown_keys(obj, ip, kInteractionKeys, std::size(kInteractionKeys));
            const auto f = field_index(obj, "field", ip), g = field_index(obj, "given", ip);
            if (!f || !g) continue;
            if (*f == *g) {
                add(ip + ".given", "must be another field than \"field\"");
                continue;
            }
            if (auto [it, fresh] = seen.emplace(*f * nf + *g, i); !fresh) {
                add(ip, "repeats $.interactions[" + std::to_string(it->second) + "] (the same field and given)");
                continue;
            }
            const auto& levels = profile.fields[*f].levels;
            if (levels.empty() || profile.fields[*g].levels.empty()) continue;  // the field's own problem is reported
            if (profile.fields[*g].levels.size() < 2) {
                add(ip + ".given", in_quotes(profile.fields[*g].name) + " has only the \"else\" level: it never agrees");
                continue;
            }
            Interaction in;
            in.field = *f;
            in.given = *g;
            in.u.assign(levels.size(), 0.0);
            if (!obj.contains("u") || !obj["u"].is_object() || obj["u"].empty()) {
                add(ip + ".u", "must be a non-empty object from level names to probabilities");
                continue;
            }
            for (const auto& [name, value] : obj["u"].items()) {
                const std::string lp = ip + ".u." + name;
                std::size_t l = 0;
                while (l + 1 < levels.size() && levels[l].name != name) ++l;
                if (l + 1 >= levels.size()) {
                    add(lp, "names no level of " + in_quotes(profile.fields[*f].name) + " before \"else\"");
                    continue;
                }
                in.u[l] = probability(value, lp, 0.0);
            }
            profile.interactions.push_back(std::move(in));
        }
    }

    std::optional<BlockingKey> blocking_key(const std::string& text, const std::string& path) {
        std::string field = text, transform;
        auto dot = text.find('.');
        if (dot != std::string::npos) {
            field = text.substr(0, dot);
            transform = text.substr(dot + 1);
            if (transform.empty()) {
                add(path, "blocking key " + in_quotes(text) + " ends with \".\": name a transform after it, or drop the dot");
                return std::nullopt;
            }
        }
        BlockingKey key;
        key.text = text;
        bool found = false;
        for (std::size_t i = 0; i < profile.fields.size(); ++i)
            if (profile.fields[i].name == field) {
                key.field = i;
                found = true;
            }
        if (!found) {
            add(path, "blocking key " + in_quotes(text) + " names no field");
            return std::nullopt;
        }
        if (!transform.empty()) {
            bool known = false;
            for (Transform t : kTransforms)
                if (transform_name(t) == transform) {
                    key.transform = t;
                    known = true;
                }
            if (!known) {
                std::string list;
                for (Transform t : kTransforms) list += (list.empty() ? "" : ", ") + std::string(transform_name(t));
                add(path, "unknown transform " + in_quotes(transform) + "; expected one of " + list);
                return std::nullopt;
            }
        }
        FieldType type = profile.fields[key.field].type;
        if (!transform_applies(key.transform, type)) {
            add(path, "transform " + in_quotes(transform) + " does not apply to a " +
                          std::string(field_type_name(type)) + " field");
            return std::nullopt;
        }
        return key;
    }

    static std::string type_list() {
        std::string s;
        for (FieldType t : kTypes) s += (s.empty() ? "" : ", ") + std::string(field_type_name(t));
        return s;
    }
};

}  // namespace

std::string_view field_type_name(FieldType type) {
    switch (type) {
    case FieldType::PersonName: return "person_name";
    case FieldType::Text: return "text";
    case FieldType::Phone: return "phone";
    case FieldType::Email: return "email";
    case FieldType::Date: return "date";
    case FieldType::IdNumber: return "id_number";
    case FieldType::Exact: return "exact";
    case FieldType::Number: return "number";
    }
    return "?";
}

std::string_view transform_name(Transform t) {
    switch (t) {
    case Transform::None: return "";
    case Transform::PinyinInitials: return "pinyin_initials";
    case Transform::FirstToken: return "first_token";
    case Transform::LastToken: return "last_token";
    case Transform::SortedTokens: return "sorted_tokens";
    case Transform::Soundex: return "soundex";
    case Transform::DoubleMetaphone: return "double_metaphone";
    case Transform::Year: return "year";
    case Transform::MonthDay: return "month_day";
    case Transform::Prefix3: return "prefix3";
    case Transform::DigitsLast4: return "digits_last4";
    case Transform::Pinyin: return "pinyin";
    case Transform::Nickname: return "nickname";
    case Transform::NationalNumber: return "national_number";
    case Transform::Last8: return "last8";
    }
    return "?";
}

std::vector<Problem> validate_profile(std::string_view text, const std::vector<std::string>* source_columns) {
    Builder b(source_columns);
    b.build(text);
    return std::move(b.problems);
}

Profile parse_profile(std::string_view text, const std::vector<std::string>* source_columns) {
    Builder b(source_columns);
    b.build(text);
    if (!b.problems.empty()) {
        const Problem& p = b.problems.front();
        std::string detail;
        if (b.problems.size() > 1)
            detail = std::to_string(b.problems.size() - 1) + " more problem(s); validate the profile to see all";
        throw Error(ErrorCode::InvalidParameter, "invalid matching profile: " + p.path + ": " + p.problem, detail);
    }
    return std::move(b.profile);
}

std::string profile_to_json(const Profile& p) {
    json doc = json::object();
    doc["id"] = p.id_column;
    json fields = json::array();
    for (const Field& f : p.fields) {
        json jf = json::object();
        jf["name"] = f.name;
        if (!f.column.empty()) jf["column"] = f.column;
        else jf["expression"] = f.expression;
        jf["type"] = std::string(field_type_name(f.type));
        if (f.type == FieldType::Phone) jf["region"] = f.region;
        if (!f.regions.empty()) jf["regions"] = f.regions;
        if (!f.region_column.empty()) jf["region_column"] = f.region_column;
        if (f.type == FieldType::Date)
            jf["date_order"] = f.date_order == DateOrder::DayFirst ? "DMY" : f.date_order == DateOrder::MonthFirst ? "MDY" : "auto";
        if (f.normalizer != Normalizer::None)
            jf["normalize"] = f.normalizer == Normalizer::Address ? "address" : f.normalizer == Normalizer::City ? "city" : "gender";
        json names = json::array(), m = json::array(), u = json::array();
        for (const Level& l : f.levels) {
            names.push_back(l.name);
            m.push_back(l.m);
            u.push_back(l.u);
        }
        jf["levels"] = names;
        jf["m"] = m;
        jf["u"] = u;
        jf["tf"] = f.tf;
        fields.push_back(jf);
    }
    doc["fields"] = fields;
    json blocking = json::array();
    for (const BlockingRule& r : p.blocking) {
        json rule = json::array();
        for (const BlockingKey& k : r.keys) rule.push_back(k.text);
        if (r.max_block_size) blocking.push_back({{"keys", rule}, {"max_block_size", r.max_block_size}});
        else blocking.push_back(rule);
    }
    doc["blocking"] = blocking;
    if (!p.threshold_auto) doc["threshold"] = p.threshold;
    else if (p.threshold_resolved) doc["threshold"] = {{"auto", p.threshold}};
    else doc["threshold"] = "auto";
    doc["max_block_size"] = p.max_block_size;
    if (p.prior) doc["prior"] = *p.prior;
    doc["max_cluster_size"] = p.max_cluster_size;
    if (!p.interactions.empty()) {
        json list = json::array();
        for (const Interaction& in : p.interactions) {
            if (in.field >= p.fields.size() || in.given >= p.fields.size()) continue;
            const auto& levels = p.fields[in.field].levels;
            json u = json::object();
            for (std::size_t l = 0; l + 1 < levels.size() && l < in.u.size(); ++l)  // never "else"
                if (in.u[l] > 0) u[levels[l].name] = in.u[l];
            if (u.empty()) continue;
            list.push_back({{"field", p.fields[in.field].name}, {"given", p.fields[in.given].name}, {"u", u}});
        }
        doc["interactions"] = list;
    }
    // nlohmann::json keeps object keys sorted: the output is canonical.
    return doc.dump();
}

double effective_prior(const Profile& profile, std::size_t left_records, std::size_t right_records) {
    if (profile.prior) return *profile.prior;
    std::size_t n = std::max<std::size_t>({left_records, right_records, 2});
    return 1.0 / static_cast<double>(n);
}

}  // namespace usermatch::engine
