// normalize_phone: E.164 for numbers that carry a country code or are valid in a region tried,
// the national form otherwise (normalize.hpp has the exact output).
//  - Regions: two ASCII letters, case-insensitive, known to libphonenumber; otherwise
//    Error(InvalidParameter). Checked before the text, so a bad region fails even for "".
//  - Text over 250 bytes -> nullopt (libphonenumber's own input limit; checked first so a 1 MB
//    value is not copied).
//  - Why "valid" for national numbers: "06 85 98 66 38" is a *possible* CN number (9 digits after
//    the trunk 0), so reading it as +86685986638 invents a Chinese number; it is valid only in FR.
//    Numbers with '+' or an IDD prefix keep the old rule (possible is enough): the country is
//    written, and new number ranges should not turn into NULL.
//  - Speed: libphonenumber's Parse and IsValidNumber (ICU regexes) cost 5-40 us a number. Numbers
//    written with digits, spaces, - . ( ) and an optional '+' are answered by phone_fast_path.cpp
//    (the same answers, from the same metadata compiled to DFAs: ~0.2 us), and every answer is kept
//    in a per-thread cache keyed by (regions, text), so a run parses each distinct value once.
//  - libphonenumber logs through a global logger; a NullLogger is installed once so nothing is
//    ever printed from the server process. PhoneNumberUtil is thread-safe (const methods).
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"
#include "core/normalize/phone_metadata.hpp"
#include "core/normalize/thread_cache.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <vector>

namespace usermatch::normalize {
namespace {

namespace pn = i18n::phonenumbers;

constexpr size_t kMaxPhoneInput = 250;
constexpr size_t kMinNationalDigits = 5;
constexpr size_t kMaxNationalDigits = 17;

const pn::PhoneNumberUtil& phone_util() {
    // Function-local static holding a pointer: initialised once, thread-safe, no destructor.
    static const pn::PhoneNumberUtil* util = [] {
        pn::PhoneNumberUtil* u = pn::PhoneNumberUtil::GetInstance();
        u->SetLogger(new pn::NullLogger());  // takes ownership
        return u;
    }();
    return *util;
}

[[noreturn]] void invalid_region(std::string_view region) {
    std::string shown(region.substr(0, 40));
    throw Error(ErrorCode::InvalidParameter,
                "invalid region \"" + shown +
                    "\" for argument region: expected a two-letter CLDR region code such as CN or US");
}

std::string checked_region(std::string_view region) {
    phone_util();  // logger installed before any libphonenumber call
    if (region.size() != 2) invalid_region(region);
    std::string upper(2, ' ');
    for (size_t i = 0; i < 2; ++i) {
        const char c = region[i];
        if (c >= 'a' && c <= 'z') upper[i] = static_cast<char>(c - 32);
        else if (c >= 'A' && c <= 'Z') upper[i] = c;
        else invalid_region(region);
    }
    if (detail::region_calling_code(upper) == 0) invalid_region(region);
    return upper;
}

// libphonenumber alone: the reference the fast path equals.
detail::PhoneParse slow_parse(std::string_view text, const std::string& region) {
    const pn::PhoneNumberUtil& util = phone_util();
    detail::PhoneParse p;
    pn::PhoneNumber number;
    if (util.ParseAndKeepRawInput(std::string(text), region, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR) {
        p.status = detail::PhoneParse::Status::Error;
        return p;
    }
    p.status = detail::PhoneParse::Status::Parsed;
    p.international = number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN ||
                      number.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_IDD;
    p.calling_code = number.country_code();
    util.GetNationalSignificantNumber(number, &p.nsn);
    p.possible = util.IsPossibleNumber(number);
    p.valid = util.IsValidNumber(number);
    return p;
}

// The E.164 form when the text read in `region` is accepted (see normalize.hpp).
std::optional<std::string> read_in(std::string_view text, const std::string& region) {
    detail::PhoneParse p = detail::phone_fast_parse(text, region);
    if (p.status == detail::PhoneParse::Status::Unknown) p = slow_parse(text, region);
    if (p.status != detail::PhoneParse::Status::Parsed) return std::nullopt;
    if (p.international ? !p.possible : !p.valid) return std::nullopt;
    std::string e164 = "+" + std::to_string(p.calling_code);
    e164 += p.nsn;
    return e164;
}

std::optional<std::string> national_form(std::string_view text) {
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (digits.empty() && c == '0') continue;
            if (digits.size() == kMaxNationalDigits) return std::nullopt;
            digits.push_back(c);
        } else if (c != ' ' && c != '\t' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
            return std::nullopt;
        }
    }
    if (digits.size() < kMinNationalDigits) return std::nullopt;
    return digits;
}

std::optional<std::string> compute(std::string_view text, const std::vector<std::string>& regions) {
    for (const std::string& region : regions)
        if (auto e164 = read_in(text, region)) return e164;
    if (regions.empty())  // '+' numbers need no region ("ZZ": Parse then accepts only those)
        if (auto e164 = read_in(text, "ZZ")) return e164;
    return national_form(text);
}

// Per-thread cache of answers, direct-mapped: slot = hash(regions, text); a colliding value
// replaces the slot's. Bounded (kSlots entries, ~3 MB a thread with typical values) and cheap:
// no allocation once a slot's strings have grown, one hash and one compare per lookup.
struct PhoneCache {
    static constexpr std::size_t kSlots = 1 << 15;
    struct Slot {
        std::uint64_t hash = 0;
        bool used = false;
        bool has_answer = false;
        std::string key;     // regions joined + '\x1f' + text
        std::string answer;
    };
    std::vector<Slot> slots = std::vector<Slot>(kSlots);
    std::string key;
    std::vector<std::string> regions;  // normalize_phone(text, regions) checked
};

std::uint64_t hash_key(std::string_view s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 29);
}

std::optional<std::string> cached(std::string_view text, const std::vector<std::string>& regions) {
    PhoneCache& cache = detail::per_thread<PhoneCache>();
    std::string& key = cache.key;
    key.clear();
    for (const std::string& r : regions) key += r;
    key.push_back('\x1f');
    key.append(text);
    const std::uint64_t h = hash_key(key);
    PhoneCache::Slot& slot = cache.slots[h & (PhoneCache::kSlots - 1)];
    if (slot.used && slot.hash == h && slot.key == key)
        return slot.has_answer ? std::optional<std::string>(slot.answer) : std::nullopt;
    std::optional<std::string> answer = compute(text, regions);
    slot.used = true;
    slot.hash = h;
    slot.key.assign(key);
    slot.has_answer = answer.has_value();
    if (answer) slot.answer.assign(*answer);
    return answer;
}

}  // namespace

bool phone_region_known(std::string_view region) {
    try {
        checked_region(region);
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::optional<std::string> normalize_phone(std::string_view text, std::string_view region) {
    const std::vector<std::string> regions{checked_region(region)};
    if (text.empty() || text.size() > kMaxPhoneInput) return std::nullopt;
    return cached(text, regions);
}

std::optional<std::string> normalize_phone(std::string_view text, const std::vector<std::string>& regions) {
    std::vector<std::string>& checked = detail::per_thread<PhoneCache>().regions;  // no allocation per call
    checked.clear();
    for (const std::string& r : regions) {
        std::string up = checked_region(r);
        bool seen = false;
        for (const std::string& c : checked) seen |= c == up;
        if (!seen) checked.push_back(std::move(up));
    }
    if (text.empty() || text.size() > kMaxPhoneInput) return std::nullopt;
    return cached(text, checked);
}

std::string_view phone_national_number(std::string_view v) {
    if (!v.empty() && v[0] == '+') {
        v.remove_prefix(1);
        int code = 0;
        for (std::size_t len = 1; len <= 3 && len <= v.size(); ++len) {
            code = code * 10 + (v[len - 1] - '0');
            if (detail::known_calling_code(code)) {
                v.remove_prefix(len);
                break;
            }
        }
    }
    while (!v.empty() && v[0] == '0') v.remove_prefix(1);
    return v;
}

}  // namespace usermatch::normalize
