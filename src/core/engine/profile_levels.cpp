// Default comparison levels per field type, and the level-name syntax ("jw>=0.92", "osa<=1").
#include "core/engine/profile_levels.hpp"

#include <cstdlib>

namespace usermatch::engine {

namespace {

Level make(const char* name, Condition c, double param, double m, double u) {
    Level l;
    l.name = name;
    l.condition = c;
    l.param = param;
    l.m = m;
    l.u = u;
    return l;
}

}  // namespace

std::vector<Level> default_levels(FieldType type) {
    using C = Condition;
    switch (type) {
    case FieldType::PersonName:
        // jw bands measured on FEBRL3 and Splink's fake_1000/historical_50k name columns: between
        // different people [0.88, 0.92) occurs in 0.04-0.4% of pairs and [0.8, 0.88) in 0.2-0.6%,
        // while 10-30% of true matches fall below 0.8 (missing or misplaced names).
        return {make("exact", C::Exact, 0, 0.66, 0.002),
                make("pinyin", C::SamePinyin, 0, 0.05, 0.001),
                make("swapped", C::SwappedTokens, 0, 0.03, 0.0005),
                make("nickname", C::Nickname, 0, 0.02, 0.001),
                make("initials", C::Initials, 0, 0.02, 0.0005),
                make("jw>=0.92", C::JaroWinkler, 0.92, 0.10, 0.005),
                make("jw>=0.88", C::JaroWinkler, 0.88, 0.04, 0.004),
                make("jw>=0.8", C::JaroWinkler, 0.80, 0.03, 0.01),
                make("else", C::Else, 0, 0.07, 0.9765)};
    case FieldType::Text:
        return {make("exact", C::Exact, 0, 0.80, 0.01),
                make("jw>=0.92", C::JaroWinkler, 0.92, 0.08, 0.01),
                make("jw>=0.8", C::JaroWinkler, 0.80, 0.05, 0.05),
                make("else", C::Else, 0, 0.07, 0.93)};
    case FieldType::Phone:
        return {make("exact", C::Exact, 0, 0.85, 0.0001),
                make("national_number", C::SameNationalNumber, 0, 0.05, 0.0001),
                make("osa<=1", C::OsaAtMost, 1, 0.05, 0.0005),
                make("else", C::Else, 0, 0.05, 0.9993)};
    case FieldType::Email:
        return {make("exact", C::Exact, 0, 0.80, 0.0001),
                make("local_part", C::SameLocalPart, 0, 0.05, 0.0005),
                make("local_jw>=0.88", C::LocalJaroWinkler, 0.88, 0.07, 0.002),
                make("else", C::Else, 0, 0.08, 0.9974)};
    case FieldType::Date:
        // "osa<=2" on yyyy-mm-dd: two mistyped digits in different components ("1972-01-18" vs
        // "1982-01-14"), which one_component_off misses; rare between different people.
        return {make("exact", C::Exact, 0, 0.82, 0.0002),
                make("day_month_swapped", C::DayMonthSwapped, 0, 0.02, 0.0001),
                make("one_component_off", C::OneComponentOff, 0, 0.07, 0.005),
                make("osa<=2", C::OsaAtMost, 2, 0.03, 0.01),
                make("within_year", C::WithinOneYear, 0, 0.02, 0.02),
                make("else", C::Else, 0, 0.04, 0.9647)};
    case FieldType::IdNumber:
        return {make("exact", C::Exact, 0, 0.90, 0.00001),
                make("osa<=1", C::OsaAtMost, 1, 0.06, 0.0001),
                make("else", C::Else, 0, 0.04, 0.99989)};
    case FieldType::Exact:
        return {make("exact", C::Exact, 0, 0.90, 0.05), make("else", C::Else, 0, 0.10, 0.95)};
    case FieldType::Number:
        return {make("exact", C::Exact, 0, 0.85, 0.01),
                make("within_pct<=1", C::WithinPercent, 1, 0.05, 0.02),
                make("else", C::Else, 0, 0.10, 0.97)};
    }
    return {make("else", C::Else, 0, 0.5, 0.5)};
}

namespace {

struct LevelKind {
    const char* word;
    Condition condition;
    char op;  // 0: no parameter, '>' : ">=x", '<' : "<=x"
};

const LevelKind kKinds[] = {
    {"exact", Condition::Exact, 0},
    {"pinyin", Condition::SamePinyin, 0},
    {"swapped", Condition::SwappedTokens, 0},
    {"nickname", Condition::Nickname, 0},
    {"initials", Condition::Initials, 0},
    {"jw", Condition::JaroWinkler, '>'},
    {"osa", Condition::OsaAtMost, '<'},
    {"national_number", Condition::SameNationalNumber, 0},
    {"local_part", Condition::SameLocalPart, 0},
    {"local_jw", Condition::LocalJaroWinkler, '>'},
    {"day_month_swapped", Condition::DayMonthSwapped, 0},
    {"one_component_off", Condition::OneComponentOff, 0},
    {"within_year", Condition::WithinOneYear, 0},
    {"within_pct", Condition::WithinPercent, '<'},
};

}  // namespace

bool condition_allowed(FieldType type, Condition c) {
    using C = Condition;
    switch (type) {
    case FieldType::PersonName:
        return c == C::Exact || c == C::SamePinyin || c == C::SwappedTokens || c == C::Nickname ||
               c == C::Initials || c == C::JaroWinkler || c == C::OsaAtMost;
    case FieldType::Text: return c == C::Exact || c == C::JaroWinkler || c == C::OsaAtMost;
    case FieldType::Phone: return c == C::Exact || c == C::SameNationalNumber || c == C::OsaAtMost;
    case FieldType::Email:
        return c == C::Exact || c == C::SameLocalPart || c == C::LocalJaroWinkler ||
               c == C::JaroWinkler || c == C::OsaAtMost;
    case FieldType::Date:
        return c == C::Exact || c == C::DayMonthSwapped || c == C::OneComponentOff || c == C::WithinOneYear ||
               c == C::OsaAtMost;
    case FieldType::IdNumber: return c == C::Exact || c == C::OsaAtMost;
    case FieldType::Exact: return c == C::Exact || c == C::OsaAtMost;  // osa<=1: one character off (postcodes)
    case FieldType::Number: return c == C::Exact || c == C::WithinPercent;
    }
    return false;
}

std::optional<Level> parse_level_name(const std::string& name, FieldType type, std::string& why) {
    for (const LevelKind& k : kKinds) {
        std::string word = k.word;
        if (name.compare(0, word.size(), word) != 0) continue;
        std::string rest = name.substr(word.size());
        Level level;
        level.name = name;
        level.condition = k.condition;
        if (k.op == 0) {
            if (!rest.empty()) continue;
        } else {
            std::string op = k.op == '>' ? ">=" : "<=";
            if (rest.compare(0, 2, op) != 0) continue;
            std::string num = rest.substr(2);
            char* end = nullptr;
            double v = std::strtod(num.c_str(), &end);
            if (num.empty() || end != num.c_str() + num.size()) {
                why = "level \"" + name + "\" needs a number after " + op;
                return std::nullopt;
            }
            if (k.condition == Condition::JaroWinkler || k.condition == Condition::LocalJaroWinkler) {
                if (!(v > 0 && v <= 1)) {
                    why = "level \"" + name + "\": similarity must be in (0, 1]";
                    return std::nullopt;
                }
            } else if (v < 0) {
                why = "level \"" + name + "\": bound must not be negative";
                return std::nullopt;
            }
            level.param = v;
        }
        if (!condition_allowed(type, level.condition)) {
            why = "level \"" + name + "\" does not apply to a " + std::string(field_type_name(type)) + " field";
            return std::nullopt;
        }
        // Default m/u: the type's default level of the same name, else a generic guess.
        level.m = 0.1;
        level.u = 0.01;
        for (const Level& d : default_levels(type))
            if (d.name == name) {
                level.m = d.m;
                level.u = d.u;
            }
        return level;
    }
    why = "unknown level \"" + name + "\"; expected one of " + level_names_for(type);
    return std::nullopt;
}

std::string level_names_for(FieldType type) {
    std::string out;
    for (const LevelKind& k : kKinds) {
        if (!condition_allowed(type, k.condition)) continue;
        if (!out.empty()) out += ", ";
        out += k.word;
        if (k.op == '>') out += ">=x";
        if (k.op == '<') out += "<=x";
    }
    return out;
}

}  // namespace usermatch::engine
