// Heuristics of suggest_profile (zero configuration):
//
// 1. Column types, from the column name first (lower-cased; English and Chinese words), then from
//    the sampled values (share of values that look like an email / phone / PRC ID / date):
//      email: name has "email"/"mail"/"邮箱", or >= 80% of values look like a@b.c
//      id_number: name has ssn/soc_sec/id_number/id_card/passport/身份证/证件, or >= 80% of values
//                 are PRC ID numbers (17 digits + digit or X)
//      phone: name has phone/mobile/tel/cell/手机/电话, or >= 80% of values have 7-15 digits and
//             only phone punctuation (region: +NN prefix, else 11 digits starting with 1 -> CN,
//             10 digits -> US, else CN)
//      date: PostgreSQL type date/timestamp, name has dob/birth/date/生日/出生, or >= 80% of values
//            parse as a date (DMY unless a value's second component exceeds 12)
//      person_name: name has name/姓名/given/first/surname/last/family/名/姓 (roles given/family/full;
//            when both given and family columns exist, full-name columns are dropped so the same
//            evidence is not counted twice)
//      exact: codes (postcode/zip/street number/state/gender) and numbers with few distinct values
//      text: places by name (city/town/suburb/address/province/城市/地址), and everything else with
//            text values (occupations, free text); number: numeric
//            PostgreSQL types that are not codes
//    Skipped: columns NULL in the whole sample, the id column, other unique id-like columns.
// 2. The id column: a column named id/uuid/*_id/*id with every sampled value distinct; else the
//    first column with every value distinct and no NULL. None -> Error(InvalidParameter).
// 3. Blocking rules. Candidate keys per field: the value itself and the transforms that suit its
//    type (names: pinyin, pinyin_initials, sorted_tokens, soundex, double_metaphone, prefix3;
//    dates: value, year, month_day; text: value, prefix3), and candidate rules = single keys and
//    pairs of keys on different fields. From the sample (row i of the key store = the i-th sampled
//    value of each column, so per-key statistics are exact on the sample and pairs of keys assume
//    independent columns):
//      collision probability q = sum_v c_v (c_v - 1) / (n (n - 1)) x (key present share)^2
//      expected pairs = q x N(N-1)/2 (link: q x N^2), largest block = N x max_v share(v)
//    Rules whose largest block exceeds max_block_size are not used. Recall is modelled by
//    simulating 4,000 duplicate pairs (fixed seed) whose fields are, per type, NULL (from the null
//    share), equal, or "near" (a typo that keeps fuzzy keys equal) or different; a rule catches a
//    pair when all its keys agree. Rules are chosen greedily: each step takes the rule that catches
//    the most not-yet-caught simulated pairs among those whose expected pairs fit the remaining
//    budget (pairs_per_record x N), in two passes, 8 rules at most in all:
//      pass 1: a typo keeps every fuzzy key (pinyin, soundex, prefix3, ...) equal; until no rule
//              adds 0.2% recall.
//      pass 2: only if some person_name field has >= 30 "near" value pairs on the sampled rows
//              (two distinct values one edit apart: they share a one-character deletion). What a
//              typo keeps is then measured: a simulated near name takes one of those real pairs,
//              and a key agrees when it agrees on that pair (on Latin names pinyin and
//              sorted_tokens keep 0% of typos, soundex / prefix3 / double_metaphone 30-50%,
//              pinyin_initials ~70%; the NOTICE lists the shares). The pass-1 rules stay, what they
//              catch is recounted under this model, and rules that fit the remaining budget are
//              added until none adds 0.5% recall. Pass 1 alone took only the name-pinyin rules on
//              NC voters and missed every pair whose two names both had a typo (~20% at 40%
//              corruption); pass 2 adds name-key + postcode / suburb rules (NC 40% zero-config F1
//              .885 -> .915, NC 20% .942 -> .947, historical_50k .849 -> .860; FEBRL 1-4, zingg,
//              fake_1000, generated users: the same rules as before).
//              Pass 2 alone (typo model measured from the start) lost 1.6 points on historical_50k:
//              it spent the budget on one coarse surname.soundex rule.
//      pass 3: only if a field's equal share, measured on probable duplicates among the sampled
//              rows, is below agreement()'s: the pairs are simulated again with the measured
//              shares, the chosen rules recounted, and rules added as in pass 2 (fake_1000
//              zero-config .875 -> .906). Using the measured shares from pass 1 on instead
//              changed rules everywhere and lost 1.2 points on historical_50k and 1.8 on NC 40%.
//    Cost: near pairs come from a hash map of one-character deletions of the sampled distinct
//    values (O(sample x value length)), at most 20,000 pairs per field, buckets of > 32 values skipped.
#include "core/train/suggest.hpp"

#include "core/engine/blocking_keys.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <unordered_map>

namespace usermatch::train {

using engine::FieldType;
using nlohmann::json;

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
bool has(const std::string& s, const char* w) { return s.find(w) != std::string::npos; }
bool has_any(const std::string& s, std::initializer_list<const char*> ws) {
    for (const char* w : ws)
        if (has(s, w)) return true;
    return false;
}

double share(const std::vector<std::string>& values, bool (*test)(const std::string&)) {
    if (values.empty()) return 0;
    std::size_t k = 0;
    for (const auto& v : values) k += test(v);
    return double(k) / double(values.size());
}

bool looks_email(const std::string& v) {
    auto at = v.find('@');
    return at != std::string::npos && at > 0 && v.find('.', at) != std::string::npos && v.find(' ') == std::string::npos;
}
std::size_t digits(const std::string& v) {
    return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }));
}
bool looks_prc_id(const std::string& v) {
    if (v.size() != 18) return false;
    for (std::size_t i = 0; i < 17; ++i)
        if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    return std::isdigit(static_cast<unsigned char>(v[17])) || v[17] == 'X' || v[17] == 'x';
}
bool looks_phone(const std::string& v) {
    std::size_t d = digits(v);
    if (d < 7 || d > 15) return false;
    for (char c : v)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == ' ' || c == '(' || c == ')' || c == '.'))
            return false;
    return true;
}
// Three numeric components (y-m-d, d/m/y, m/d/y) or 8 digits yyyymmdd with plausible ranges.
bool date_parts(const std::string& v, int p[3]) {
    if (v.size() == 8 && digits(v) == 8) {
        p[0] = std::stoi(v.substr(0, 4)), p[1] = std::stoi(v.substr(4, 2)), p[2] = std::stoi(v.substr(6, 2));
        return p[0] > 1000 && p[1] >= 1 && p[1] <= 12 && p[2] >= 1 && p[2] <= 31;
    }
    int k = 0, cur = -1;
    for (char c : v) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
            if (cur > 9999) return false;
        } else if (c == '-' || c == '/' || c == '.' || c == ' ' || c == ',') {
            if (cur >= 0) {
                if (k == 3) return false;
                p[k++] = cur;
            }
            cur = -1;
        } else if (!std::isalpha(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    if (cur >= 0) {
        if (k == 3) return false;
        p[k++] = cur;
    }
    return k == 3 || (k == 2 && has_any(lower(v), {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                   "oct", "nov", "dec"}));
}
bool looks_date(const std::string& v) {
    int p[3];
    return date_parts(v, p);
}
bool looks_phone_not_date(const std::string& v) { return looks_phone(v) && !looks_date(v); }

std::string phone_region(const std::vector<std::string>& values) {
    std::unordered_map<std::string, int> votes;
    for (const auto& v : values) {
        std::string d;
        for (char c : v)
            if (std::isdigit(static_cast<unsigned char>(c))) d += c;
        if (!v.empty() && v[0] == '+') {
            if (d.rfind("86", 0) == 0) ++votes["CN"];
            else if (d.rfind("1", 0) == 0) ++votes["US"];
            else if (d.rfind("44", 0) == 0) ++votes["GB"];
            else if (d.rfind("61", 0) == 0) ++votes["AU"];
            else if (d.rfind("49", 0) == 0) ++votes["DE"];
        } else if (d.size() == 11 && d[0] == '1') {
            ++votes["CN"];
        } else if (d.size() == 10) {
            ++votes["US"];
        }
    }
    std::string best = "CN";
    int n = 0;
    for (const auto& [r, k] : votes)
        if (k > n) best = r, n = k;
    return best;
}

// "DMY", "MDY", or "auto" when the column mixes orders: some x/y/yyyy values can only be day first
// (27-06-1998) and others only month first (12/24/1975), each in at least 1% of the dated values.
// Then every value is read per value (date_order "auto": ambiguous ones match in either order).
const char* date_order(const std::vector<std::string>& values) {
    int day_first = 0, m_first = 0, dated = 0;
    for (const auto& v : values) {
        int p[3];
        if (!date_parts(v, p)) continue;
        ++dated;
        if (p[2] < 100) continue;  // only d/m/y vs m/d/y
        day_first += p[0] > 12 && p[1] <= 12;
        m_first += p[1] > 12 && p[0] <= 12;
    }
    const int floor = std::max(1, dated / 100);
    if (day_first >= floor && m_first >= floor) return "auto";
    return m_first > day_first ? "MDY" : "DMY";
}

// An address written in more than one way: the address normaliser changes it (abbreviations such
// as St / Apt., Chinese unit markers 栋 单元 室). Clean columns (FEBRL) are left alone: on them the
// normaliser changed nothing but cost a few pairs.
bool address_varies(const std::string& v) {
    return normalize::normalize_address(v) != normalize::normalize_name(v);
}

bool is_gender_code(const std::string& v) {
    const std::string g = normalize::normalize_gender(v);
    return g == "f" || g == "m";
}

// Regions of a country-like column, most frequent first (at most 5); empty when fewer than half
// of its values name a country.
std::vector<std::string> country_regions(const std::vector<std::string>& values) {
    std::unordered_map<std::string, std::size_t> votes;
    std::size_t known = 0;
    for (const auto& v : values)
        if (auto r = normalize::phone_region_of_country(v)) ++votes[*r], ++known;
    std::vector<std::pair<std::size_t, std::string>> order;
    for (const auto& [r, k] : votes) order.push_back({k, r});
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<std::string> out;
    if (values.empty() || known * 2 < values.size()) return out;
    for (const auto& [k, r] : order)
        if (out.size() < 5 && k * 100 >= values.size()) out.push_back(r);
    return out;
}

enum class Role { None, Given, Family, Full };

struct Column {
    const ColumnSample* sample = nullptr;
    bool use = false;
    FieldType type = FieldType::Text;
    Role role = Role::None;
    std::string why;
    std::string normalizer;  // "normalize" of the field: address / city / gender
    bool code = false;       // postal code: levels exact, osa<=1
};

bool id_like_name(const std::string& n) {
    return n == "id" || n == "uuid" || n == "key" || n == "pk" || n == "rec_id" ||
           (n.size() > 2 && (n.substr(n.size() - 3) == "_id" || n.substr(n.size() - 2) == "id") &&
            !has_any(n, {"soc", "ssn", "card", "national", "number", "身份"}));
}

Column classify(const ColumnSample& s) {
    Column c;
    c.sample = &s;
    const std::string n = lower(s.name), t = lower(s.type_name);
    const auto& v = s.values;
    if (v.empty()) {
        c.why = "NULL in the whole sample: skipped";
        return c;
    }
    c.use = true;
    auto set = [&](FieldType type, const std::string& why) {
        c.type = type;
        c.why = why;
    };
    const bool numeric_type = has_any(t, {"int", "numeric", "decimal", "real", "double", "float"});
    if (has_any(n, {"email", "mail", "邮箱"}) || share(v, looks_email) >= 0.8) set(FieldType::Email, "email");
    else if (has_any(n, {"ssn", "soc_sec", "id_number", "idno", "id_card", "idcard", "passport", "national_id",
                         "身份证", "证件"}) || share(v, looks_prc_id) >= 0.8)
        set(FieldType::IdNumber, "identity number");
    else if (has_any(t, {"date", "timestamp"}) || has_any(n, {"dob", "date", "birthday", "生日", "出生日期"}) ||
             (has(n, "birth") && !has_any(n, {"place", "city", "country", "town"})) || share(v, looks_date) >= 0.8)
        set(FieldType::Date, "date");
    else if (has_any(n, {"phone", "mobile", "tel", "cell", "手机", "电话"}) ||
             (share(v, looks_phone_not_date) >= 0.8 && !numeric_type && s.distinct_share > 0.5))
        set(FieldType::Phone, "phone");
    else if (has_any(n, {"full", "first_and", "姓名"}) && has_any(n, {"name", "surname", "名"}))
        set(FieldType::PersonName, "full name"), c.role = Role::Full;
    else if (has_any(n, {"given", "first", "forename", "名字"}) && has_any(n, {"name", "名"}))
        set(FieldType::PersonName, "given name"), c.role = Role::Given;
    else if (has_any(n, {"surname", "last_name", "lastname", "family", "姓氏"}))
        set(FieldType::PersonName, "family name"), c.role = Role::Family;
    else if (has_any(n, {"name", "姓名"}) && !has_any(n, {"user", "login", "product", "company", "file", "street"}))
        set(FieldType::PersonName, "person name"), c.role = Role::Full;
    else if (has_any(n, {"gender", "sex", "性别"}) || (s.distinct_share < 0.05 && share(v, is_gender_code) >= 0.8))
        set(FieldType::Exact, "gender code"), c.normalizer = "gender";
    else if (has_any(n, {"postcode", "zip", "postal", "邮编"}))
        set(FieldType::Exact, "postal code"), c.code = true;
    else if (has_any(n, {"street_number", "house", "state"}))
        set(FieldType::Exact, "code");
    else if (has_any(n, {"country", "nation", "国家", "国籍"}))
        set(FieldType::Exact, "country");
    else if (has_any(n, {"address", "street", "地址", "住址"}))
        set(FieldType::Text, "address"), c.normalizer = share(v, address_varies) >= 0.05 ? "address" : "";
    else if (has_any(n, {"city", "town", "suburb", "place", "城市", "城"}))
        set(FieldType::Text, "city"), c.normalizer = "city";
    else if (has_any(n, {"province", "county", "省"}))
        set(FieldType::Text, "place");
    else if (s.distinct_share < 0.05 && v.size() >= 50)
        set(FieldType::Exact, "few distinct values");
    else if (numeric_type) set(FieldType::Number, "number");
    else set(FieldType::Text, "text");
    return c;
}

// ---- blocking ------------------------------------------------------------------------------

struct Key {
    std::size_t field;
    std::string text;        // "name.soundex"
    bool fuzzy;              // agrees for "near" values too
    double present = 0;      // share of records with the key
    double collision = 0;    // P(two random records share the key)
    double max_share = 0;    // of one key value among records
};

struct Rule {
    std::vector<std::size_t> keys;
    double pairs = 0, largest = 0;
};

std::vector<std::string> transforms_for(FieldType t) {
    switch (t) {
    case FieldType::PersonName:
        return {"", "pinyin", "pinyin_initials", "sorted_tokens", "soundex", "double_metaphone", "prefix3"};
    case FieldType::Date: return {"", "year", "month_day"};
    case FieldType::Text: return {"", "prefix3"};
    case FieldType::Phone: return {"", "last8"};  // last8: national and international spellings meet
    default: return {""};
    }
}

// Per type: P(equal), P(near) for a duplicate pair whose values are both present.
std::pair<double, double> agreement(FieldType t) {
    switch (t) {
    case FieldType::PersonName: return {0.70, 0.22};
    case FieldType::Phone: return {0.85, 0.05};
    case FieldType::Email: return {0.80, 0.05};
    case FieldType::Date: return {0.85, 0.08};
    case FieldType::IdNumber: return {0.90, 0.04};
    case FieldType::Text: return {0.75, 0.15};
    default: return {0.85, 0.0};
    }
}

}  // namespace

Suggestion suggest_profile(const std::vector<ColumnSample>& columns, const SuggestOptions& o) {
    if (columns.empty()) throw Error(ErrorCode::InvalidParameter, "suggest_profile: no columns given");
    auto poll = [&o] {
        if (o.keep_going && !o.keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling usermatch computation on request");
    };
    std::string explain;
    // 1. id column.
    int id = -1;
    for (std::size_t i = 0; i < columns.size() && id < 0; ++i)
        if (id_like_name(lower(columns[i].name)) && columns[i].distinct_share >= 0.999 && !columns[i].values.empty())
            id = static_cast<int>(i);
    for (std::size_t i = 0; i < columns.size() && id < 0; ++i)
        if (columns[i].distinct_share >= 0.999 && columns[i].null_share == 0 && !columns[i].values.empty())
            id = static_cast<int>(i);
    if (id < 0)
        throw Error(ErrorCode::InvalidParameter, "suggest_profile: no column has unique, non-NULL sampled values",
                    "", "name the id column in the profile yourself");
    explain += "id column: " + columns[static_cast<std::size_t>(id)].name + "\n";
    // 2. fields.
    std::vector<Column> cols;
    bool given = false, family = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (static_cast<int>(i) == id) continue;
        Column c = classify(columns[i]);
        const std::string n = lower(columns[i].name);
        if (c.use && id_like_name(n) && columns[i].distinct_share >= 0.999 && c.type != FieldType::Email &&
            c.type != FieldType::Phone && c.type != FieldType::IdNumber)
            c.use = false, c.why = "another unique id: skipped";
        given |= c.use && c.role == Role::Given;
        family |= c.use && c.role == Role::Family;
        cols.push_back(c);
    }
    for (Column& c : cols)
        if (c.use && c.role == Role::Full && given && family)
            c.use = false, c.why = "full name while given and family name columns exist: skipped";
    std::size_t table_rows = 0;
    for (const auto& c : columns) table_rows = std::max(table_rows, c.rows ? c.rows : c.values.size());
    constexpr std::size_t kTfMinRows = 5000;
    json fields = json::array();
    std::vector<FieldType> types;
    std::vector<const ColumnSample*> used;
    for (const Column& c : cols) {
        explain += "column " + c.sample->name + ": " + (c.use ? std::string(engine::field_type_name(c.type)) + " (" + c.why + ")" : c.why) + "\n";
        if (!c.use) continue;
        json f = {{"name", c.sample->name}, {"column", c.sample->name}, {"type", std::string(engine::field_type_name(c.type))}};
        if (c.type == FieldType::Phone) {
            f["region"] = phone_region(c.sample->values);
            // A country column: each record's region first, the column's common regions after.
            for (const Column& other : cols) {
                if (!other.use || other.why != "country") continue;
                std::vector<std::string> regions = country_regions(other.sample->values);
                if (regions.empty()) continue;
                f["region_column"] = other.sample->name;
                json rs = json::array();
                for (const auto& r : regions)
                    if (r != f["region"]) rs.push_back(r);
                if (!rs.empty()) f["regions"] = rs;
                explain += "phone " + c.sample->name + ": region_column " + other.sample->name + "\n";
                break;
            }
        }
        if (c.type == FieldType::Date) f["date_order"] = date_order(c.sample->values);
        if (!c.normalizer.empty()) f["normalize"] = c.normalizer;
        // Names: term frequencies, so a rare name counts and a common one (王伟, John Smith) does not.
        // Only from 5,000 rows: in a small table a name's count is mostly its own duplicates (on
        // splink_fake_1000, 250 people in 1,000 rows, tf cost 2 points of F1).
        if (c.type == FieldType::PersonName && table_rows >= kTfMinRows) f["tf"] = true;
        if (c.code) f["levels"] = json::array({"exact", "osa<=1", "else"});
        fields.push_back(f);
        types.push_back(c.type);
        used.push_back(c.sample);
    }
    if (used.empty()) throw Error(ErrorCode::InvalidParameter, "suggest_profile: no column to compare besides the id");

    // 3. Key statistics from a store of the sampled values.
    json doc = {{"id", columns[static_cast<std::size_t>(id)].name}, {"fields", fields},
                {"blocking", json::array({json::array({used[0]->name})})}, {"threshold", 0.9},
                {"max_block_size", o.max_block_size}};
    engine::Profile probe = engine::parse_profile(doc.dump());
    engine::RecordStore store(probe);
    // Rows as sampled when every column says where its values came from (estimates measured on the
    // rows); else row i = the i-th sampled value of each column (columns taken as independent).
    bool aligned = true;
    const std::size_t fetched = used[0]->sample_rows;
    for (const auto* s : used)
        aligned = aligned && fetched > 1 && s->sample_rows == fetched && s->sample_row.size() == s->values.size();
    std::size_t sample_rows = 0;
    if (aligned) {
        sample_rows = fetched;
        std::vector<std::vector<engine::RawValue>> rows(sample_rows, std::vector<engine::RawValue>(used.size()));
        for (std::size_t f = 0; f < used.size(); ++f)
            for (std::size_t i = 0; i < used[f]->values.size(); ++i)
                if (used[f]->sample_row[i] < sample_rows) rows[used[f]->sample_row[i]][f] = engine::RawValue(used[f]->values[i]);
        for (std::size_t i = 0; i < sample_rows; ++i) {
            if ((i & 127) == 0) poll();
            store.append("r" + std::to_string(i), rows[i]);
        }
    } else {
        for (const auto* s : used) sample_rows = std::max(sample_rows, s->values.size());
        for (std::size_t i = 0; i < sample_rows; ++i) {
            if ((i & 127) == 0) poll();
            std::vector<engine::RawValue> row;
            for (const auto* s : used) row.push_back(i < s->values.size() ? engine::RawValue(s->values[i]) : engine::RawValue());
            store.append("r" + std::to_string(i), row);
        }
    }
    std::size_t N = 0;
    for (const auto& c : columns) N = std::max(N, c.rows);
    if (N == 0) N = sample_rows;
    const double n_pairs = o.link ? double(N) * double(N) : double(N) * double(N - 1) / 2;
    std::vector<Key> keys;
    std::vector<std::vector<std::uint64_t>> key_of;  // per key, per store row: hash of the key text, 0 = none
    std::vector<std::vector<std::string>> value_of(used.size());  // per field, per store row: its value key text
    std::string text;
    for (std::size_t f = 0; f < used.size(); ++f)
        for (const std::string& tr : transforms_for(types[f])) {
            poll();
            engine::BlockingKey bk;
            bk.field = f;
            bk.text = used[f]->name + (tr.empty() ? "" : "." + tr);
            for (int t = 0; t <= static_cast<int>(engine::Transform::Last8); ++t)
                if (engine::transform_name(static_cast<engine::Transform>(t)) == tr) bk.transform = static_cast<engine::Transform>(t);
            std::unordered_map<std::string, double> counts;
            std::vector<std::uint64_t> per_row(store.size(), 0);
            double n = 0;
            for (std::size_t i = 0; i < store.size(); ++i)
                if (engine::blocking_key_text(store, bk, i, text) && !text.empty()) {
                    counts[text] += 1, n += 1;
                    per_row[i] = std::hash<std::string>()(text) | 1;
                    if (tr.empty()) {
                        if (value_of[f].empty()) value_of[f].resize(store.size());
                        value_of[f][i] = text;
                    }
                }
            if (n < 2) continue;
            const bool fuzzy = !tr.empty() || types[f] == FieldType::Phone;
            Key k{f, bk.text, fuzzy};
            k.present = aligned ? n / double(store.size())
                                : (1 - used[f]->null_share) * n / double(std::max<std::size_t>(1, used[f]->values.size()));
            double same = 0, top = 0;
            for (const auto& [v, c] : counts) same += c * (c - 1), top = std::max(top, c);
            k.collision = same / (n * (n - 1)) * k.present * k.present;
            k.max_share = top / n * k.present;
            keys.push_back(k);
            key_of.push_back(std::move(per_row));
        }
    std::vector<Rule> rules;
    auto add_rule = [&](std::vector<std::size_t> ks) {
        Rule r{ks};
        double q = 1, top = 1;
        if (aligned && ks.size() > 1) {  // counted on the rows: no independence assumption
            std::unordered_map<std::uint64_t, double> counts;
            double rows_n = double(store.size());
            for (std::size_t i = 0; i < store.size(); ++i) {
                std::uint64_t h = 0;
                bool all = true;
                for (std::size_t k : ks) {
                    if (key_of[k][i] == 0) { all = false; break; }
                    h = h * 0x9E3779B97F4A7C15ULL + key_of[k][i];
                }
                if (all) counts[h] += 1;
            }
            double same = 0, mx = 0;
            for (const auto& [h, c] : counts) same += c * (c - 1), mx = std::max(mx, c);
            q = same / (rows_n * (rows_n - 1));
            top = mx / rows_n;
        } else {
            for (std::size_t k : ks) q *= keys[k].collision, top *= keys[k].max_share;
        }
        r.pairs = q * n_pairs;
        r.largest = std::max(1.0, top * double(N)) * (o.link ? 2 : 1);
        rules.push_back(r);
    };
    for (std::size_t a = 0; a < keys.size(); ++a) {
        add_rule({a});
        for (std::size_t b = a + 1; b < keys.size(); ++b)
            if (keys[a].field != keys[b].field) add_rule({a, b});
    }
    // 4. Simulated duplicate pairs: per field 0 = differ/NULL, 1 = near, 2 = equal. (Taking each
    // pair's present fields from one sampled row was tried: on FEBRL it chose rules that lost
    // 0.5-1 point of F1, so fields stay independent here; the pairs and the coverage reported are
    // measured on the rows.)
    // Which keys a typo keeps, measured on the sampled names: near pairs = two distinct values of
    // a person_name field one edit apart (they share a one-character deletion), and per key the
    // share of those pairs on which the key still agrees (pinyin of a Latin name: none; soundex,
    // prefix3: 30-50% on NC voters). A simulated "near" name then takes one such pair, so the keys
    // of one field agree or not together as they do on the rows. Used in pass 2 of the rule choice.
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> near_rows(used.size());  // per field: row pairs
    for (std::size_t f = 0; f < used.size(); ++f) {
        if (types[f] != FieldType::PersonName || value_of[f].empty()) continue;
        std::unordered_map<std::string, std::size_t> first_row;  // distinct value -> a row holding it
        for (std::size_t i = 0; i < store.size(); ++i)
            if (!value_of[f][i].empty()) first_row.emplace(value_of[f][i], i);
        std::unordered_map<std::string, std::vector<std::size_t>> by_deletion;
        std::size_t seen = 0;
        for (const auto& [v, row] : first_row) {
            if ((++seen & 255) == 0) poll();
            std::size_t chars = 0;
            for (unsigned char c : v) chars += (c & 0xC0) != 0x80;
            if (chars < 3) continue;
            by_deletion[v].push_back(row);
            for (std::size_t at = 0; at < v.size();) {  // delete one UTF-8 character at a time
                std::size_t len = 1;
                while (at + len < v.size() && (static_cast<unsigned char>(v[at + len]) & 0xC0) == 0x80) ++len;
                by_deletion[v.substr(0, at) + v.substr(at + len)].push_back(row);
                at += len;
            }
        }
        std::set<std::pair<std::size_t, std::size_t>> pairs;
        constexpr std::size_t kMaxNearPairs = 20000, kMaxBucket = 32;
        for (const auto& [variant, rows_of] : by_deletion) {
            if ((++seen & 255) == 0) poll();
            if (rows_of.size() > kMaxBucket) continue;
            for (std::size_t a = 0; a < rows_of.size() && pairs.size() < kMaxNearPairs; ++a)
                for (std::size_t b = a + 1; b < rows_of.size(); ++b)
                    if (rows_of[a] != rows_of[b]) pairs.insert(std::minmax(rows_of[a], rows_of[b]));
        }
        constexpr std::size_t kMinNearPairs = 30;
        if (pairs.size() >= kMinNearPairs) near_rows[f].assign(pairs.begin(), pairs.end());
    }
    for (std::size_t f = 0; f < used.size(); ++f) {
        if (near_rows[f].empty()) continue;
        std::string kept;
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if (keys[k].field != f || !keys[k].fuzzy) continue;
            std::size_t agree = 0;
            for (const auto& [a, b] : near_rows[f]) agree += key_of[k][a] != 0 && key_of[k][a] == key_of[k][b];
            char part[120];
            std::snprintf(part, sizeof part, "%s %s %.0f%%", kept.empty() ? "" : ",", keys[k].text.c_str(),
                          100.0 * double(agree) / double(near_rows[f].size()));
            kept += part;
        }
        explain += "typos in " + used[f]->name + " (" + std::to_string(near_rows[f].size()) +
                   " sampled value pairs one edit apart) keep:" + kept + "\n";
    }
    // How often a duplicate's two values are equal, per field, measured on the sampled rows where
    // it can be: the fixed shares of agreement() are those of lightly corrupted data, and on data
    // with more variation they promised rules a recall they did not have (splink_fake_1000: 99% of
    // simulated duplicates caught, 82% of its true pairs). Probable duplicates = pairs of
    // rows equal on at least two identifying fields (a random pair shares the value with
    // probability < kIdentifying); field f's share is counted on the pairs equal on two identifying
    // fields other than f, so f's own equality does not select them. Needs kMinProbable such pairs
    // with f present on both sides; otherwise agreement() stays.
    std::vector<double> equal_share(used.size(), -1);
    if (aligned) {
        constexpr double kIdentifying = 0.005;
        constexpr std::size_t kMinProbable = 100, kMaxGroup = 32;
        std::vector<bool> identifying(used.size(), false);
        for (const Key& k : keys)
            if (k.text == used[k.field]->name && k.present > 0)
                identifying[k.field] = k.collision / (k.present * k.present) < kIdentifying;
        std::set<std::pair<std::size_t, std::size_t>> probable;
        std::unordered_map<std::string, std::vector<std::size_t>> groups;
        for (std::size_t a = 0; a < used.size(); ++a)
            for (std::size_t b = a + 1; b < used.size(); ++b) {
                if (!identifying[a] || !identifying[b] || value_of[a].empty() || value_of[b].empty()) continue;
                poll();
                groups.clear();
                for (std::size_t i = 0; i < store.size(); ++i)
                    if (!value_of[a][i].empty() && !value_of[b][i].empty())
                        groups[value_of[a][i] + '\x1f' + value_of[b][i]].push_back(i);
                for (const auto& [v, rows_of] : groups)
                    if (rows_of.size() <= kMaxGroup)
                        for (std::size_t x = 0; x < rows_of.size(); ++x)
                            for (std::size_t y = x + 1; y < rows_of.size(); ++y) probable.insert({rows_of[x], rows_of[y]});
            }
        auto equal = [&](std::size_t f, std::size_t i, std::size_t j) {
            return !value_of[f].empty() && !value_of[f][i].empty() && value_of[f][i] == value_of[f][j];
        };
        auto present = [&](std::size_t f, std::size_t i, std::size_t j) {
            return !value_of[f].empty() && !value_of[f][i].empty() && !value_of[f][j].empty();
        };
        std::string shares;
        for (std::size_t f = 0; f < used.size(); ++f) {
            std::size_t counted = 0, equal_n = 0;
            for (const auto& [i, j] : probable) {
                if (!present(f, i, j)) continue;
                std::size_t others = 0;
                for (std::size_t g = 0; g < used.size(); ++g) others += g != f && identifying[g] && equal(g, i, j);
                if (others < 2) continue;
                ++counted;
                equal_n += equal(f, i, j);
            }
            if (counted < kMinProbable) continue;
            equal_share[f] = std::clamp(double(equal_n) / double(counted), 0.05, 0.98);
            char part[120];
            std::snprintf(part, sizeof part, "%s %s %.0f%% (of %zu)", shares.empty() ? "" : ",", used[f]->name.c_str(),
                          100.0 * equal_share[f], counted);
            shares += part;
        }
        if (!shares.empty())
            explain += "equal values on " + std::to_string(probable.size()) + " probable duplicate pairs of sampled rows:" + shares + "\n";
    }

    constexpr std::size_t kSim = 4000;
    // Per pair, per field: 0 = differ/NULL, 1 = near, 2 = equal; and for a near field with measured
    // near pairs, which one it takes (near_pick). `shares`: the equal shares measured above replace
    // the fixed ones where they are lower (pass 3 only).
    std::vector<std::vector<std::uint8_t>> sim(kSim, std::vector<std::uint8_t>(used.size()));
    std::vector<std::vector<std::size_t>> near_pick(kSim, std::vector<std::size_t>(used.size(), 0));
    auto simulate = [&](bool shares) {
        std::mt19937_64 rng(20240601);
        std::uniform_real_distribution<double> U(0, 1);
        std::mt19937_64 pick_rng(20240602);  // apart from rng, so the states drawn stay as they were
        for (std::size_t p = 0; p < kSim; ++p) {
            auto& pair = sim[p];
            for (std::size_t f = 0; f < used.size(); ++f) {
                const double present = 1 - used[f]->null_share, x = U(rng);
                auto [eq, near] = agreement(types[f]);
                if (shares && equal_share[f] >= 0 && equal_share[f] < eq) eq = equal_share[f], near = std::min(near, 1 - eq);
                const bool both = U(rng) <= present * present;
                pair[f] = !both ? 0 : x < eq ? 2 : x < eq + near ? 1 : 0;
                if (!near_rows[f].empty()) near_pick[p][f] = pick_rng() % near_rows[f].size();
            }
        }
    };
    simulate(false);
    bool measured_typos = false;  // pass 1: a typo keeps every fuzzy key; pass 2: as measured
    auto key_agrees = [&](std::size_t k, std::size_t p) {
        const std::size_t f = keys[k].field;
        const std::uint8_t state = sim[p][f];
        if (state == 2) return true;
        if (state == 0 || !keys[k].fuzzy) return false;
        if (!measured_typos || near_rows[f].empty()) return true;
        const auto& [a, b] = near_rows[f][near_pick[p][f]];
        return key_of[k][a] != 0 && key_of[k][a] == key_of[k][b];
    };
    auto catches_p = [&](const Rule& r, std::size_t p) {
        for (std::size_t k : r.keys)
            if (!key_agrees(k, p)) return false;
        return true;
    };
    std::vector<bool> caught(kSim, false);
    std::vector<std::size_t> chosen;
    double budget = o.pairs_per_record * double(N), spent = 0;
    std::size_t caught_n = 0;
    std::vector<std::size_t> gains(rules.size(), 0);
    bool any_near = false, any_lower_share = false;
    for (const auto& nr : near_rows) any_near = any_near || !nr.empty();
    for (std::size_t f = 0; f < used.size(); ++f)
        any_lower_share = any_lower_share || (equal_share[f] >= 0 && equal_share[f] < agreement(types[f]).first);
    // Pass 3 (only where some field's duplicates were measured equal less often than agreement()
    // assumes): the rules chosen so far stay, what they catch is recounted with the measured
    // shares, and rules that fit the remaining budget are added as in pass 2. Adding only: where
    // the budget is spent (historical_50k, NC voters) the rules stay as they were; where the first
    // passes left most of it unused on data with more variation than assumed (splink_fake_1000:
    // 4 rules, 6,550 of 50,000 pairs), rules are added.
    for (int pass = 0; pass < 3; ++pass) {
      if (pass == 1 && !any_near) continue;
      if (pass == 2 && !any_lower_share) break;
      if (pass == 2) simulate(true);
      measured_typos = pass >= 1 && any_near;
      if (pass >= 1) {  // what the chosen rules catch under this pass's model
          std::fill(caught.begin(), caught.end(), false);
          caught_n = 0;
          for (std::size_t p = 0; p < kSim; ++p)
              for (std::size_t r : chosen)
                  if (!caught[p] && catches_p(rules[r], p)) caught[p] = true, ++caught_n;
      }
      while (chosen.size() < 8) {
        int best = -1;
        std::size_t best_gain = 0;
        for (std::size_t r = 0; r < rules.size(); ++r) {
            if ((r & 63) == 0) poll();
            gains[r] = 0;
            if (rules[r].largest > double(o.max_block_size) || spent + rules[r].pairs > budget) continue;
            std::size_t gain = 0;
            for (std::size_t p = 0; p < kSim; ++p) gain += !caught[p] && catches_p(rules[r], p);
            gains[r] = gain;
            if (gain > best_gain || (gain == best_gain && best >= 0 && gain > 0 && rules[r].pairs < rules[static_cast<std::size_t>(best)].pairs))
                best = static_cast<int>(r), best_gain = gain;
        }
        // Pass 2 asks for 0.5% (pass 1: 0.2%): its typos are a few hundred sampled value pairs,
        // and each rule it adds brings non-matching candidates that the trained threshold pays for.
        if (best < 0 || best_gain < (pass >= 1 ? kSim / 200 : kSim / 500)) break;
        const Rule& r = rules[static_cast<std::size_t>(best)];
        chosen.push_back(static_cast<std::size_t>(best));
        spent += r.pairs;
        for (std::size_t p = 0; p < kSim; ++p)
            if (!caught[p] && catches_p(r, p)) caught[p] = true, ++caught_n;
      }
    }
    if (chosen.empty()) {  // nothing fits: the rule with the smallest largest block, so the profile is usable
        std::size_t best = 0;
        for (std::size_t r = 1; r < rules.size(); ++r)
            if (rules[r].largest < rules[best].largest) best = r;
        if (rules.empty()) throw Error(ErrorCode::InvalidParameter, "suggest_profile: no usable blocking key in the sample");
        chosen.push_back(best);
        explain += "no rule fits max_block_size and the pair budget; using the most selective one\n";
    }
    json blocking = json::array();
    for (std::size_t r : chosen) {
        json rule = json::array();
        std::string desc;
        for (std::size_t k : rules[r].keys) rule.push_back(keys[k].text), desc += (desc.empty() ? "" : " + ") + keys[k].text;
        blocking.push_back(rule);
        char line[200];
        std::snprintf(line, sizeof line, "rule %s: ~%.0f pairs, largest block ~%.0f\n", desc.c_str(), rules[r].pairs,
                      rules[r].largest);
        explain += line;
    }
    char line[240];
    std::snprintf(line, sizeof line, "estimated: %.0f candidate pairs (budget %.0f), %.1f%% of simulated duplicates caught\n",
                  spent, budget, 100.0 * double(caught_n) / kSim);
    explain += line;
    // Measured on the sampled rows: records with every key of at least one chosen rule.
    std::size_t covered = 0;
    for (std::size_t i = 0; i < store.size(); ++i) {
        bool any = false;
        for (std::size_t r : chosen) {
            bool all = true;
            for (std::size_t k : rules[r].keys) all = all && key_of[k][i] != 0;
            any = any || all;
        }
        covered += any;
    }
    std::snprintf(line, sizeof line, "measured on %zu sampled rows%s: %.1f%% of records have the keys of at least one rule\n",
                  store.size(), aligned ? "" : " (columns sampled apart)", store.size() ? 100.0 * double(covered) / double(store.size()) : 0.0);
    explain += line;
    doc["blocking"] = blocking;
    Suggestion s;
    s.profile_json = doc.dump();
    s.explanation = explain;
    engine::parse_profile(s.profile_json);  // must be accepted; throws (a bug) otherwise
    return s;
}

}  // namespace usermatch::train
