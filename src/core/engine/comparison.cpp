#include "core/engine/comparison.hpp"

#include "core/compare/string_metrics.hpp"
#include "core/engine/thread_scratch.hpp"
#include "core/normalize/normalize.hpp"
#include "core/text/utf8.hpp"

#include <cmath>
#include <cstdlib>
#include <tuple>

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
bool calendar_date(const Ymd& v) { return v.m >= 1 && v.m <= 12 && v.d >= 1 && v.d <= 31; }

// Exact test of OSA distance <= 1 in one linear scan (the common bound; no DP matrix).
template <typename View>
bool osa_at_most_one(View x, View y) {
    if (x.size() > y.size()) std::swap(x, y);
    if (y.size() - x.size() > 1) return false;
    std::size_t i = 0;
    while (i < x.size() && x[i] == y[i]) ++i;
    if (i == x.size()) return true;  // equal, or one character appended
    if (x.size() != y.size()) return x.substr(i) == y.substr(i + 1);  // one insertion
    if (x.substr(i + 1) == y.substr(i + 1)) return true;               // one substitution
    return i + 1 < x.size() && x[i] == y[i + 1] && x[i + 1] == y[i] && x.substr(i + 2) == y.substr(i + 2);
}


// The digits of a phone value (E.164 "+8613..." or bare digits).
std::string_view phone_digits(std::string_view norm) {
    if (!norm.empty() && norm[0] == '+') norm.remove_prefix(1);
    return norm;
}

// Date "osa<=k" from the packed yyyymmdd of the hot rows, without touching the yyyy-mm-dd strings
// (a cache miss per side). The text is "%04d-%02d-%02d" of the packed value, so when its parts fit
// (year <= 9999, month and day <= 99) the verdict below equals OSA on the text:
// - the digits differ in at most k places: k substitutions suffice;
// - every edit (substitution, insertion, deletion) changes the digit multiset by at most one
//   character and a transposition not at all, so a multiset difference above k rules the pair out;
//   for k == 2 with more than 2 differing places only {transposition(s), shift, transposition +
//   substitution} remain, each changing the multiset by at most one;
// - anything left (rare) runs the exact OSA on the rebuilt text.
bool date_fits_text(std::int32_t v) { return v >= 0 && v / 10000 <= 9999; }

void date_text(std::int32_t v, char out[10]) {
    int digits[8];
    for (int i = 7; i >= 0; --i, v /= 10) digits[i] = v % 10;
    const int pos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    out[4] = out[7] = '-';
    for (int i = 0; i < 8; ++i) out[pos[i]] = static_cast<char>('0' + digits[i]);
}

bool date_osa_within(std::int32_t x, std::int32_t y, std::size_t k) {
    int differing = 0;
    std::uint64_t count_x = 0, count_y = 0;  // 4-bit count per digit 0-9 (at most 8 each)
    for (int i = 0, a = x, b = y; i < 8; ++i, a /= 10, b /= 10) {
        differing += a % 10 != b % 10;
        count_x += std::uint64_t(1) << (4 * (a % 10));
        count_y += std::uint64_t(1) << (4 * (b % 10));
    }
    if (static_cast<std::size_t>(differing) <= k) return true;
    std::size_t surplus = 0;  // characters of x the multiset of y lacks
    for (int d = 0; d < 10; ++d) {
        const int cx = static_cast<int>((count_x >> (4 * d)) & 15), cy = static_cast<int>((count_y >> (4 * d)) & 15);
        if (cx > cy) surplus += static_cast<std::size_t>(cx - cy);
    }
    if (surplus > (k == 2 ? 1 : k)) return false;
    char tx[10], ty[10];
    date_text(x, tx);
    date_text(y, ty);
    return osa_within(std::string_view(tx, 10), std::string_view(ty, 10), k);
}

// Fuzzy levels (osa<=k, jaro_winkler) on values kept whole (id_number, email, phone): a value of
// more than kMaxFuzzyCodePoints code points compares exact-only (the level holds when the values
// are equal), so that two megabyte identifiers cost one hash comparison, not len^2 (name and text
// forms are truncated to the same length when stored instead).
bool too_long_for_fuzzy(std::string_view v) noexcept {
    if (v.size() <= kMaxFuzzyCodePoints) return false;
    if (v.size() > 4 * kMaxFuzzyCodePoints) return true;
    std::size_t code_points = 0;
    for (unsigned char c : v) code_points += (c & 0xC0) != 0x80;
    return code_points > kMaxFuzzyCodePoints;
}

// A column's fuzzy code points; `side` picks the scratch buffer a derived column decodes into.
inline std::u32string_view cps_of(const FieldColumn& c, std::size_t i, int side) {
    if (!c.cps_derived) return c.cps[i];
    ThreadScratch& d = thread_scratch();
    return c.derive_cps(i, side == 0 ? d.decode_a : d.decode_b);
}

double jw_utf8(std::string_view x, std::string_view y) {
    ThreadScratch& d = thread_scratch();
    d.decode_a.clear();
    d.decode_b.clear();
    text::decode_utf8_into(x, d.decode_a);
    text::decode_utf8_into(y, d.decode_b);
    return compare::jaro_winkler(d.decode_a, d.decode_b);
}

// A name token as ASCII, for the nickname and romanisation tables (false when it is not ASCII or
// longer than any entry).
bool ascii_token(std::u32string_view t, char (&out)[16], std::string_view& view) {
    if (t.size() >= sizeof out) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] >= 0x80) return false;
        out[i] = static_cast<char>(t[i]);
    }
    view = std::string_view(out, t.size());
    return true;
}

// How a token may also be spelt, looked up once per token: its formal name when it is a nickname
// (Jim -> james), and its pinyin readings when it is a Chinese surname in Cantonese, Hokkien or
// Wade-Giles spelling (Kwok -> guo).
struct TokenReadings {
    char buf[16];
    std::string_view token, formal, pinyin, pinyin_alt;  // token empty: not ASCII or too long
};

void read_token(std::u32string_view t, TokenReadings& r) {
    r.token = r.formal = r.pinyin = r.pinyin_alt = {};
    if (t.size() < 2 || !ascii_token(t, r.buf, r.token)) return;
    r.formal = normalize::canonical_given_name(r.token);
    std::tie(r.pinyin, r.pinyin_alt) = normalize::pinyin_of_romanized_surname(r.token);
}

// Two tokens that spell one name: a nickname and its formal name, or a romanised Chinese surname
// and its pinyin (Chan / Chen), or two romanisations of one surname (Wong / Ong).
bool same_name_token(const TokenReadings& x, const TokenReadings& y) {
    if (x.token.empty() || y.token.empty()) return false;
    if (x.formal == y.formal) return true;
    auto reads = [](std::string_view v, const TokenReadings& r) {
        return !r.pinyin.empty() && (v == r.pinyin || v == r.pinyin_alt);
    };
    return reads(y.token, x) || reads(x.token, y) || (!x.pinyin.empty() && reads(x.pinyin, y)) ||
           (!x.pinyin_alt.empty() && reads(x.pinyin_alt, y));
}

// Jaro-Winkler of two person-name forms, token by token. Tokens are paired first when they are
// the same name: equal, a nickname, a romanised Chinese surname, or one token written as two
// (陈瑶可 "chen yao ke" / "Yaoke Chen"). Then, among what is left, a typo (osa <= 1, four letters
// or more) or an initial (J. / Janet) pairs too.
//  - Every token of one name paired: the names are compared with the other's tokens put in the
//    same order ("smith homas" / "thomas smith" is a typo, not a swap), same-name tokens written
//    alike. Only a dropped middle name (all pairs equal) keeps the plain comparison.
//  - Otherwise the same-name tokens are set aside: a shared surname is no evidence that the given
//    names are close, but the Winkler prefix bonus and Jaro's matched characters count it as such.
//    Household members (王娴瑾 / 王心岚: "wang xian jin" / "wang xin lan", 0.93 whole, 0.85 on
//    "xian jin" / "xin lan") and families (Olivia / Brenda C. Miller) then reached the top fuzzy
//    level, weighing like a typo of one person's name. When the rests are one edit apart, the
//    aligned forms compare.
// `initials` is set when every token of one name pairs and at least one pair is an initial.
double name_jaro_winkler(std::u32string_view a, std::u32string_view b, bool& initials) {
    constexpr std::size_t kMaxTokens = 8;
    constexpr std::size_t kFree = kMaxTokens + 1;
    enum class Pair : std::uint8_t { None, Equal, SameName, Typo, Initial };
    initials = false;
    // Tokens pair greedily and the aligned forms follow the first name's order: taking the two in
    // one fixed order keeps the result symmetric (a link's left/right and a job's new/old rows).
    if (b < a) std::swap(a, b);
    struct Token {
        std::size_t begin, size;
        Pair pair;
        std::size_t with;  // index of the paired token on the other side (kFree: none)
    };
    Token ta[kMaxTokens], tb[kMaxTokens];
    auto split = [](std::u32string_view s, Token* out) -> std::size_t {
        std::size_t n = 0, i = 0;
        while (i < s.size()) {
            while (i < s.size() && s[i] == U' ') ++i;
            const std::size_t start = i;
            while (i < s.size() && s[i] != U' ') ++i;
            if (i > start) {
                if (n == kMaxTokens) return kMaxTokens + 1;
                out[n++] = {start, i - start, Pair::None, kFree};
            }
        }
        return n;
    };
    const std::size_t na = split(a, ta), nb = split(b, tb);
    if (na < 2 || nb < 2 || na > kMaxTokens || nb > kMaxTokens) return compare::jaro_winkler(a, b);
    auto text = [](std::u32string_view s, const Token& t) { return s.substr(t.begin, t.size); };
    auto pair = [](Token& x, std::size_t i, Token& y, std::size_t j, Pair how) {
        x.pair = y.pair = how;
        x.with = j;
        y.with = i;
    };
    auto pass = [&](auto&& holds, Pair how) {
        for (std::size_t i = 0; i < na; ++i)
            for (std::size_t j = 0; j < nb && ta[i].pair == Pair::None; ++j)
                if (tb[j].pair == Pair::None && holds(text(a, ta[i]), text(b, tb[j]))) pair(ta[i], i, tb[j], j, how);
    };
    pass([](std::u32string_view x, std::u32string_view y) { return x == y; }, Pair::Equal);
    std::size_t equal = 0;
    for (std::size_t i = 0; i < na; ++i) equal += ta[i].pair == Pair::Equal;
    if (equal == na || equal == nb) return compare::jaro_winkler(a, b);  // a dropped middle name
    TokenReadings ra[kMaxTokens], rb[kMaxTokens];
    for (std::size_t i = 0; i < na; ++i)
        if (ta[i].pair == Pair::None) read_token(text(a, ta[i]), ra[i]);
    for (std::size_t j = 0; j < nb; ++j)
        if (tb[j].pair == Pair::None) read_token(text(b, tb[j]), rb[j]);
    for (std::size_t i = 0; i < na; ++i)
        for (std::size_t j = 0; j < nb && ta[i].pair == Pair::None; ++j)
            if (tb[j].pair == Pair::None && same_name_token(ra[i], rb[j])) pair(ta[i], i, tb[j], j, Pair::SameName);
    // One token written as two adjacent ones on the other side ("yaoke" / "yao ke").
    auto joined = [&](std::u32string_view s, Token* t, std::size_t n, std::u32string_view other_s, Token* o,
                      std::size_t on) {
        for (std::size_t i = 0; i < n; ++i) {
            if (t[i].pair != Pair::None) continue;
            const std::u32string_view x = text(s, t[i]);
            for (std::size_t j = 0; j + 1 < on; ++j) {
                if (o[j].pair != Pair::None || o[j + 1].pair != Pair::None) continue;
                const std::u32string_view p = text(other_s, o[j]), q = text(other_s, o[j + 1]);
                if (p.size() + q.size() == x.size() && x.substr(0, p.size()) == p && x.substr(p.size()) == q) {
                    t[i].pair = o[j].pair = o[j + 1].pair = Pair::SameName;
                    t[i].with = j;
                    o[j].with = o[j + 1].with = i;
                    break;
                }
            }
        }
    };
    joined(a, ta, na, b, tb, nb);
    joined(b, tb, nb, a, ta, na);
    std::size_t same = 0;
    for (std::size_t i = 0; i < na; ++i) same += ta[i].pair != Pair::None;
    pass([](std::u32string_view x,
            std::u32string_view y) { return x.size() >= 4 && y.size() >= 4 && osa_within(x, y, 1); },
         Pair::Typo);
    // An initial stands for the token or for its formal name (E. / Beth: elizabeth).
    for (std::size_t i = 0; i < na; ++i)
        for (std::size_t j = 0; j < nb && ta[i].pair == Pair::None; ++j) {
            if (tb[j].pair != Pair::None) continue;
            const std::u32string_view x = text(a, ta[i]), y = text(b, tb[j]);
            if ((x.size() == 1) == (y.size() == 1)) continue;
            const char32_t initial = x.size() == 1 ? x[0] : y[0];
            const TokenReadings& full = x.size() == 1 ? rb[j] : ra[i];
            const std::u32string_view whole = x.size() == 1 ? y : x;
            if (whole[0] == initial || (!full.formal.empty() && static_cast<unsigned char>(full.formal[0]) == initial))
                pair(ta[i], i, tb[j], j, Pair::Initial);
        }
    auto all_paired = [](const Token* t, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (t[i].pair == Pair::None) return false;
        return true;
    };
    ThreadScratch& d = thread_scratch();
    // a's tokens in its order, b's paired ones in the same order (a same-name token written as a's),
    // then each side's unpaired tokens.
    auto aligned = [&] {
        d.name_rest_a.clear();
        d.name_rest_b.clear();
        auto add = [](std::u32string& out, std::u32string_view t) {
            if (!out.empty()) out.push_back(U' ');
            out.append(t);
        };
        for (std::size_t i = 0; i < na; ++i) {
            if (ta[i].pair == Pair::None) continue;
            add(d.name_rest_a, text(a, ta[i]));
            if (ta[i].pair != Pair::Typo && ta[i].pair != Pair::Initial) {
                add(d.name_rest_b, text(a, ta[i]));
            } else {
                add(d.name_rest_b, text(b, tb[ta[i].with]));
            }
        }
        for (std::size_t i = 0; i < na; ++i)
            if (ta[i].pair == Pair::None) add(d.name_rest_a, text(a, ta[i]));
        for (std::size_t j = 0; j < nb; ++j)
            if (tb[j].pair == Pair::None) add(d.name_rest_b, text(b, tb[j]));
        return compare::jaro_winkler(d.name_rest_a, d.name_rest_b);
    };
    if (all_paired(ta, na) || all_paired(tb, nb)) {
        for (std::size_t i = 0; i < na; ++i) initials = initials || ta[i].pair == Pair::Initial;
        return aligned();
    }
    if (same == 0) return compare::jaro_winkler(a, b);  // nothing shared: the whole forms
    auto rest = [&](std::u32string_view s, const Token* t, std::size_t n, std::u32string& out) {
        out.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (t[i].pair == Pair::Equal || t[i].pair == Pair::SameName) continue;
            if (!out.empty()) out.push_back(U' ');
            out.append(text(s, t[i]));
        }
    };
    rest(a, ta, na, d.name_rest_a);
    rest(b, tb, nb, d.name_rest_b);
    // One typo in what is left is one person's name misspelt ("mary ann" / "mary snn": 0.78 on the
    // short rest), so the aligned forms compare.
    if (osa_within(std::u32string_view(d.name_rest_a), std::u32string_view(d.name_rest_b), 1)) return aligned();
    return compare::jaro_winkler(d.name_rest_a, d.name_rest_b);
}

}  // namespace

namespace {

// Similarities computed at most once per field comparison (several levels test the same jw).
struct PairCache {
    double jw = -1;
    bool initials = false;  // person_name: set with jw
    double local_jw = -1;
};

// Equality tests compare 64-bit hashes from the hot rows: a false "equal" needs a hash collision
// (about 1 in 10^19 per pair), and checking the bytes would cost more cache misses per pair.
// Forced inline: the per-level call overhead was ~10% of scoring time.
__attribute__((always_inline)) inline bool holds(const Level& level, std::size_t f, const RecordStore& L,
                                                 std::size_t a, const RecordStore& R, std::size_t b,
                                                 PairCache& cache) {
    const RecordStore::HotSlots& sl = L.slots(f);
    const std::uint64_t* ha = L.hot(a);
    const std::uint64_t* hb = R.hot(b);
    const FieldColumn& A = L.column(f);
    const FieldColumn& B = R.column(f);
    const FieldType type = A.type;
    switch (level.condition) {
    case Condition::Exact:
        if (type == FieldType::Number) return A.dval[a] == B.dval[b];
        return ha[sl.norm] == hb[sl.norm];
    case Condition::SamePinyin:
    case Condition::SameNationalNumber:
    case Condition::SameLocalPart: return ha[sl.alt] == hb[sl.alt];
    case Condition::SwappedTokens: return ha[sl.sorted] == hb[sl.sorted];
    case Condition::Nickname: return ha[sl.nick] == hb[sl.nick];
    case Condition::Initials:
        if (cache.jw < 0) cache.jw = name_jaro_winkler(cps_of(A, a, 0), cps_of(B, b, 1), cache.initials);
        return cache.initials;
    case Condition::JaroWinkler:
        if (type == FieldType::Email && (too_long_for_fuzzy(A.norm[a]) || too_long_for_fuzzy(B.norm[b])))
            return ha[sl.norm] == hb[sl.norm];
        if (cache.jw < 0)  // names/text: pre-decoded pinyin form; email: the whole address
            cache.jw = type == FieldType::Email        ? jw_utf8(A.norm[a], B.norm[b])
                       : type == FieldType::PersonName ? name_jaro_winkler(cps_of(A, a, 0), cps_of(B, b, 1), cache.initials)
                                                       : compare::jaro_winkler(cps_of(A, a, 0), cps_of(B, b, 1));
        return cache.jw >= level.param;
    case Condition::LocalJaroWinkler:
        if (cache.local_jw < 0) cache.local_jw = compare::jaro_winkler(cps_of(A, a, 0), cps_of(B, b, 1));  // local parts
        return cache.local_jw >= level.param;
    case Condition::OsaAtMost:
        if (sl.edit >= 0 && level.param < 2) {  // reject most non-matches from the hot row alone
            const std::uint64_t x = ha[sl.edit], y = hb[sl.edit];
            if (x != 0 && y != 0) {
                const long lx = static_cast<long>(x >> 56), ly = static_cast<long>(y >> 56);
                if (lx - ly > 1 || ly - lx > 1) return false;
                const bool same_prefix = ((x ^ y) & 0x00FFFFFF00000000ULL) == 0;
                const bool same_suffix = ((x ^ y) & 0xFFFFFFFFULL) == 0;
                if (!same_prefix && !same_suffix) return false;
            }
        }
        if ((type == FieldType::Phone || type == FieldType::IdNumber || type == FieldType::Email ||
             type == FieldType::Date) &&
            (too_long_for_fuzzy(A.norm[a]) || too_long_for_fuzzy(B.norm[b])))
            return ha[sl.norm] == hb[sl.norm];
        if (type == FieldType::Phone)
            return osa_within(phone_digits(A.norm[a]), phone_digits(B.norm[b]), static_cast<std::size_t>(level.param));
        if (type == FieldType::Date) {
            const auto x = static_cast<std::int32_t>(ha[sl.norm]), y = static_cast<std::int32_t>(hb[sl.norm]);
            if (date_fits_text(x) && date_fits_text(y))
                return date_osa_within(x, y, static_cast<std::size_t>(level.param));
        }
        if (type == FieldType::IdNumber || type == FieldType::Email || type == FieldType::Date ||
            type == FieldType::Exact)  // date: yyyy-mm-dd
            return osa_within(A.norm[a], B.norm[b], static_cast<std::size_t>(level.param));
        return osa_within(cps_of(A, a, 0), cps_of(B, b, 1), static_cast<std::size_t>(level.param));
    case Condition::DayMonthSwapped: {
        Ymd x = split(static_cast<std::int32_t>(ha[sl.norm])), y = split(static_cast<std::int32_t>(hb[sl.norm]));
        return x.y == y.y && x.m == y.d && x.d == y.m;
    }
    case Condition::OneComponentOff: {
        Ymd x = split(static_cast<std::int32_t>(ha[sl.norm])), y = split(static_cast<std::int32_t>(hb[sl.norm]));
        return (x.y == y.y) + (x.m == y.m) + (x.d == y.d) == 2;
    }
    case Condition::WithinOneYear: {
        Ymd x = split(static_cast<std::int32_t>(ha[sl.norm])), y = split(static_cast<std::int32_t>(hb[sl.norm]));
        if (!calendar_date(x) || !calendar_date(y)) return false;  // kept components of an invalid date
        return std::labs(days_from_civil(x.y, x.m, x.d) - days_from_civil(y.y, y.m, y.d)) <= 365;
    }
    case Condition::WithinPercent: {
        double x = A.dval[a], y = B.dval[b];
        // Infinity is within no percentage of anything (inf - inf is NaN; x vs inf would be "within").
        if (!std::isfinite(x) || !std::isfinite(y)) return false;
        return std::fabs(x - y) <= level.param / 100.0 * std::max(std::fabs(x), std::fabs(y));
    }
    case Condition::Else: return true;
    }
    return false;
}

}  // namespace

bool osa_within(std::u32string_view x, std::u32string_view y, std::size_t k) {
    if (k == 1) return osa_at_most_one(x, y);
    return compare::osa_distance_bounded(x, y, k) <= k;  // O(k n), exits early
}

bool osa_within(std::string_view x, std::string_view y, std::size_t k) {
    if (k == 1 && text::is_ascii(x) && text::is_ascii(y)) return osa_at_most_one(x, y);
    ThreadScratch& d = thread_scratch();
    d.decode_a.clear();
    d.decode_b.clear();
    text::decode_utf8_into(x, d.decode_a);
    text::decode_utf8_into(y, d.decode_b);
    return osa_within(std::u32string_view(d.decode_a), std::u32string_view(d.decode_b), k);
}

bool level_holds(const Level& level, std::size_t f, const RecordStore& L, std::size_t a, const RecordStore& R,
                 std::size_t b) {
    PairCache cache;
    return holds(level, f, L, a, R, b, cache);
}

int compare_field(const Field& field, std::size_t f, const RecordStore& L, std::size_t a, const RecordStore& R,
                  std::size_t b) {
    if (L.is_null(f, a) || R.is_null(f, b)) return kNullLevel;
    PairCache cache;
    const int n = static_cast<int>(field.levels.size());
    for (int i = 0; i < n; ++i)
        if (holds(field.levels[i], f, L, a, R, b, cache)) return i;
    return n - 1;
}

}  // namespace usermatch::engine
