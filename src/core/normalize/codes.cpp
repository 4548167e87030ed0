// Value normalisers for text and exact fields ("normalize" in a profile field): postal addresses,
// city names and gender codes. Each builds on normalize_name (NFKC, case folding, diacritics and
// punctuation removed, Traditional -> Simplified) and never throws on any input.
#include "core/normalize/normalize.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace usermatch::normalize {
namespace {

// Replaces each occurrence of `from` in `s` by a space.
void blank_out(std::string& s, const char* from) {
    const std::size_t n = std::strlen(from);
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + 1)) s.replace(p, n, " ");
}

bool all_digits(const std::string& t) {
    if (t.empty()) return false;
    for (char c : t)
        if (c < '0' || c > '9') return false;
    return true;
}

// Splits normalize_name output into tokens at spaces and at Han / non-Han boundaries, and between
// a run of two or more letters and a digit ("unit5" -> "unit 5"; "5a" stays).
std::vector<std::string> address_tokens(const std::string& n) {
    std::vector<std::string> out;
    std::string cur;
    int prev = 0;       // 0 none, 1 Han, 2 digit, 3 other
    int letters = 0;    // length of the current letter run
    const auto* p = reinterpret_cast<const uint8_t*>(n.data());
    const auto len = static_cast<int32_t>(n.size());
    for (int32_t i = 0; i < len;) {
        const int32_t start = i;
        UChar32 c;
        U8_NEXT(p, i, len, c);
        if (c == ' ') {
            if (!cur.empty()) out.push_back(cur), cur.clear();
            prev = 0, letters = 0;
            continue;
        }
        const int cls = c >= 0 && is_han_code_point(static_cast<char32_t>(c)) ? 1 : (c >= '0' && c <= '9') ? 2 : 3;
        const bool split = !cur.empty() && ((cls == 1) != (prev == 1) || (cls == 2 && prev == 3 && letters >= 2));
        if (split) out.push_back(cur), cur.clear(), letters = 0;
        letters = cls == 3 ? letters + 1 : 0;
        cur.append(n, static_cast<std::size_t>(start), static_cast<std::size_t>(i - start));
        prev = cls;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// Whether the first (or last) code point of a non-empty UTF-8 token is Han.
bool starts_with_han(const std::string& t) {
    const auto* p = reinterpret_cast<const uint8_t*>(t.data());
    int32_t i = 0;
    UChar32 c;
    U8_NEXT(p, i, static_cast<int32_t>(t.size()), c);
    return c >= 0 && is_han_code_point(static_cast<char32_t>(c));
}
bool ends_with_han(const std::string& t) {
    const auto* p = reinterpret_cast<const uint8_t*>(t.data());
    int32_t i = static_cast<int32_t>(t.size());
    UChar32 c;
    U8_PREV(p, 0, i, c);
    return c >= 0 && is_han_code_point(static_cast<char32_t>(c));
}

const char* address_word(const std::string& t) {
    if (t.size() > 9) return nullptr;  // longer than every abbreviation below
    static constexpr const char* kMap[][2] = {
        {"st", "street"},     {"str", "street"},      {"rd", "road"},        {"ave", "avenue"},
        {"av", "avenue"},     {"blvd", "boulevard"},  {"dr", "drive"},       {"ln", "lane"},
        {"ct", "court"},      {"pl", "place"},        {"sq", "square"},      {"hwy", "highway"},
        {"pkwy", "parkway"},  {"cres", "crescent"},   {"cr", "crescent"},    {"tce", "terrace"},
        {"ter", "terrace"},   {"cir", "circle"},      {"pde", "parade"},     {"esp", "esplanade"},
        {"apartment", "apt"}, {"appt", "apt"},        {"flat", "apt"},       {"suite", "ste"},
        {"bldg", "building"}, {"fl", "floor"},        {"n", "north"},        {"s", "south"},
        {"e", "east"},        {"w", "west"},          {"mt", "mount"},       {"ft", "fort"},
        {"strasse", "str"},   {"straße", "str"},      {"rue", "rue"},
    };
    for (const auto& m : kMap)
        if (t[0] == m[0][0] && t == m[0]) return m[1];
    return nullptr;
}

}  // namespace

std::string normalize_address(std::string_view text) {
    std::string s(text.substr(0, 1000));
    // Chinese unit markers: building / unit / room / number / floor / lane become separators
    // (only "#" can occur in ASCII text).
    const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii)
        for (const char* marker : {"号楼", "单元", "單元", "栋", "棟", "幢", "座", "室", "号", "號", "层", "層", "楼", "樓", "弄"})
            blank_out(s, marker);
    blank_out(s, "#");
    std::string out;
    for (std::string& t : address_tokens(normalize_name(s))) {
        // Number and unit designators say nothing the number after them does not: "Apt 5A",
        // "Apt. 5A", "#5A", "Unit 5A" and "Suite 5A" all become "5a".
        if (t == "no" || t == "number" || t == "nr" || t == "unit" || t == "room" || t == "rm") continue;
        // German compounds: "Hauptstraße" (casefolded to "hauptstrasse") as "Hauptstr.".
        if (t.size() > 7 && t.compare(t.size() - 7, 7, "strasse") == 0) t.replace(t.size() - 7, 7, "str");
        if (all_digits(t)) {
            std::size_t z = t.find_first_not_of('0');
            t = z == std::string::npos ? "0" : t.substr(z);
        } else if (const char* w = address_word(t)) {
            t = w;
        }
        if (t == "apt" || t == "ste") continue;
        // As normalize_name writes it: no space between two Han characters (where a dropped
        // "no" stood), so the result is already in normalize_name's normal form.
        if (!out.empty() && !(ends_with_han(out) && starts_with_han(t))) out += ' ';
        out += t;
    }
    return out;
}

std::string normalize_city(std::string_view text) {
    std::string n = normalize_name(text.substr(0, 500));
    if (has_han(n)) {
        for (const char* suffix : {"市", "省", "区", "县", "自治区", "特别行政区"})
            for (std::size_t len = std::strlen(suffix); n.size() > len + 3 && n.compare(n.size() - len, len, suffix) == 0;)
                n.erase(n.size() - len);
        n = pinyin(n);
    } else {
        static constexpr const char* kCity[][2] = {
            {"nyc", "new york"},         {"ny", "new york"},          {"new york city", "new york"},
            {"la", "los angeles"},       {"sf", "san francisco"},     {"san fran", "san francisco"},
            {"philly", "philadelphia"},  {"dc", "washington"},        {"washington dc", "washington"},
            {"vegas", "las vegas"},      {"hk", "hong kong"},         {"peking", "beijing"},
            {"canton", "guangzhou"},     {"bombay", "mumbai"},        {"calcutta", "kolkata"},
            {"saigon", "ho chi minh"},   {"ho chi minh city", "ho chi minh"}, {"muenchen", "munich"},
            {"munchen", "munich"},       {"koln", "cologne"},         {"wien", "vienna"},
        };
        for (const auto& m : kCity)
            if (n == m[0]) n = m[1];
        if (n.compare(0, 3, "st ") == 0) n = "saint " + n.substr(3);
        else if (n.compare(0, 3, "ft ") == 0) n = "fort " + n.substr(3);
        else if (n.compare(0, 3, "mt ") == 0) n = "mount " + n.substr(3);
        if (n.size() > 5 && n.compare(n.size() - 5, 5, " city") == 0) n.erase(n.size() - 5);
    }
    std::string out;
    for (char c : n)
        if (c != ' ') out += c;
    return out;
}

std::string normalize_gender(std::string_view text) {
    std::string n = normalize_name(text.substr(0, 200));
    static constexpr const char* kFemale[] = {"f", "female", "woman", "w", "frau", "weiblich", "femme", "feminin",
                                              "mujer", "femenino", "feminino", "donna", "girl", "mrs", "ms", "miss",
                                              "fem", "女", "女性", "女士", "she", "madame", "mme"};
    static constexpr const char* kMale[] = {"m", "male", "man", "herr", "mannlich", "homme", "masculin", "hombre",
                                            "masculino", "uomo", "boy", "mr", "masc", "男", "男性", "先生", "he",
                                            "monsieur"};
    for (const char* w : kFemale)
        if (n == w) return "f";
    for (const char* w : kMale)
        if (n == w) return "m";
    return n;  // other codes ("x", "unknown") compare as written
}

}  // namespace usermatch::normalize
