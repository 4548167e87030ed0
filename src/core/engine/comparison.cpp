#include "core/engine/comparison.hpp"

#include "core/compare/string_metrics.hpp"

#include <cmath>
#include <cstdlib>

namespace usermatch::engine {

namespace {

// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

struct Ymd {
    int y, m, d;
};
Ymd split(std::int32_t v) { return {v / 10000, (v / 100) % 100, v % 100}; }

// Byte equality behind a hash match (collisions are astronomically rare, but be exact).
bool same_norm(const FieldColumn& A, std::size_t a, const FieldColumn& B, std::size_t b) {
    return A.h_norm[a] == B.h_norm[b] && A.norm[a] == B.norm[b];
}

bool osa_at_most(std::u32string_view x, std::u32string_view y, double bound) {
    std::size_t k = static_cast<std::size_t>(bound);
    std::size_t dl = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
    if (dl > k) return false;
    return compare::osa_distance(x, y) <= k;
}

}  // namespace

bool level_holds(const Level& level, FieldType type, const FieldColumn& A, std::size_t a, const FieldColumn& B,
                 std::size_t b) {
    switch (level.condition) {
    case Condition::Exact:
        if (type == FieldType::Date) return A.ival[a] == B.ival[b];
        if (type == FieldType::Number) return A.dval[a] == B.dval[b];
        return same_norm(A, a, B, b);
    case Condition::SamePinyin:
    case Condition::SameNationalNumber:
    case Condition::SameLocalPart: return A.h_alt[a] == B.h_alt[b];
    case Condition::SwappedTokens: return A.h_sorted[a] == B.h_sorted[b];
    case Condition::Nickname: return A.h_nick[a] == B.h_nick[b];
    case Condition::JaroWinkler: return compare::jaro_winkler(A.cps[a], B.cps[b]) >= level.param;
    case Condition::LocalJaroWinkler:
        return compare::jaro_winkler(A.cps[a].substr(0, A.ival[a]), B.cps[b].substr(0, B.ival[b])) >= level.param;
    case Condition::OsaAtMost: return osa_at_most(A.cps[a], B.cps[b], level.param);
    case Condition::DayMonthSwapped: {
        Ymd x = split(A.ival[a]), y = split(B.ival[b]);
        return x.y == y.y && x.m == y.d && x.d == y.m;
    }
    case Condition::OneComponentOff: {
        Ymd x = split(A.ival[a]), y = split(B.ival[b]);
        return (x.y == y.y) + (x.m == y.m) + (x.d == y.d) == 2;
    }
    case Condition::WithinOneYear: {
        Ymd x = split(A.ival[a]), y = split(B.ival[b]);
        return std::labs(days_from_civil(x.y, x.m, x.d) - days_from_civil(y.y, y.m, y.d)) <= 365;
    }
    case Condition::WithinPercent: {
        double x = A.dval[a], y = B.dval[b];
        return std::fabs(x - y) <= level.param / 100.0 * std::max(std::fabs(x), std::fabs(y));
    }
    case Condition::Else: return true;
    }
    return false;
}

int compare_field(const Field& field, const FieldColumn& A, std::size_t a, const FieldColumn& B, std::size_t b) {
    if (A.is_null(a) || B.is_null(b)) return kNullLevel;
    const int n = static_cast<int>(field.levels.size());
    for (int i = 0; i < n; ++i)
        if (level_holds(field.levels[i], field.type, A, a, B, b)) return i;
    return n - 1;
}

}  // namespace usermatch::engine
