// pinyin_of_romanized_surname: the Hanyu Pinyin readings of Chinese surnames as they are written
// in Cantonese (Hong Kong), Hokkien/Teochew (Singapore, Malaysia) and Wade-Giles (Taiwan) spellings,
// so that 陈 (chen) and "Chan" / "Tan", 吴 (wu) and "Ng" / "Woo", 郭 (guo) and "Kwok" / "Kuo"
// compare as one token. Only spellings that are common surnames are listed; a spelling that is
// also a pinyin syllable of another surname ("Chang", "Tan", "Cheng") gives the other reading as
// an alternative, never instead of itself (the caller compares the token as written first).
#include "core/normalize/normalize.hpp"

#include <algorithm>

namespace usermatch::normalize {
namespace {

struct Romanization {
    std::string_view spelling;
    std::string_view pinyin;
    std::string_view pinyin_alt;  // a second surname with this spelling ("" when none)
};

// Sorted by spelling (checked at compile time below).
constexpr Romanization kRomanizations[] = {
    {"au", "ou", ""},          {"chan", "chen", ""},       {"chang", "zhang", ""},
    {"chao", "zhao", ""},      {"chau", "zhou", "qiu"},    {"cheng", "zheng", ""},
    {"cheong", "zhang", ""},   {"cheung", "zhang", ""},    {"chia", "xie", ""},
    {"chiang", "jiang", ""},   {"chin", "jin", "chen"},    {"ching", "cheng", ""},
    {"chiu", "zhao", "qiu"},   {"choi", "cai", "cui"},     {"chong", "zhang", "zhong"},
    {"choo", "zhu", ""},       {"chou", "zhou", ""},       {"chow", "zhou", ""},
    {"chu", "zhu", ""},        {"chua", "cai", ""},        {"chung", "zhong", ""},
    {"fong", "fang", "kuang"}, {"foo", "hu", "fu"},        {"fung", "feng", ""},
    {"goh", "wu", ""},         {"heng", "wang", ""},       {"ho", "he", ""},
    {"hon", "han", ""},        {"hsia", "xia", ""},        {"hsiao", "xiao", ""},
    {"hsieh", "xie", ""},      {"hsu", "xu", ""},          {"hui", "xu", ""},
    {"hwang", "huang", ""},    {"kam", "jin", "gan"},      {"kao", "gao", ""},
    {"keung", "jiang", ""},    {"khoo", "qiu", ""},        {"ko", "gao", ""},
    {"koh", "xu", "gao"},      {"koo", "gu", ""},          {"kuo", "guo", ""},
    {"kwan", "guan", ""},      {"kwok", "guo", ""},        {"lai", "li", ""},
    {"lam", "lin", ""},        {"lau", "liu", ""},         {"law", "luo", ""},
    {"lee", "li", ""},         {"leung", "liang", ""},     {"lew", "liu", ""},
    {"lim", "lin", ""},        {"lo", "luo", "lu"},        {"lui", "lu", "lei"},
    {"luk", "lu", ""},          {"lyu", "lu", ""},
    {"mah", "ma", ""},         {"mak", "mai", ""},         {"mok", "mo", ""},
    {"ng", "wu", ""},          {"ngai", "wei", ""},        {"ngan", "yan", ""},
    {"ong", "wang", ""},       {"pang", "peng", ""},       {"poon", "pan", ""},
    {"quek", "guo", ""},       {"seah", "xie", ""},        {"shek", "shi", ""},
    {"shum", "shen", "cen"},   {"sim", "shen", ""},        {"siu", "xiao", ""},
    {"so", "su", ""},          {"soh", "su", ""},          {"suen", "sun", ""},
    {"sung", "song", ""},      {"szeto", "situ", ""},      {"tam", "tan", ""},
    {"tan", "chen", ""},       {"tang", "deng", ""},       {"tay", "zheng", ""},
    {"teng", "deng", ""},      {"teo", "zhang", ""},       {"tin", "tian", ""},
    {"ting", "ding", ""},      {"to", "du", ""},           {"toh", "du", ""},
    {"tong", "tang", ""},      {"tsai", "cai", ""},        {"tsang", "zeng", ""},
    {"tsao", "cao", ""},       {"tse", "xie", ""},         {"tseng", "zeng", ""},
    {"tso", "cao", ""},        {"tsoi", "cai", ""},        {"tsui", "xu", "cui"},
    {"tung", "dong", ""},      {"wong", "wang", "huang"},  {"woo", "wu", "hu"},
    {"yam", "ren", ""},        {"yap", "ye", ""},          {"yee", "yu", ""},
    {"yeh", "ye", ""},         {"yeo", "yang", ""},        {"yeung", "yang", ""},
    {"yip", "ye", ""},         {"yiu", "yao", ""},         {"yue", "yu", ""},
    {"yuen", "yuan", ""},
};

constexpr bool sorted_by_spelling() {
    for (std::size_t i = 1; i < std::size(kRomanizations); ++i)
        if (!(kRomanizations[i - 1].spelling < kRomanizations[i].spelling)) return false;
    return true;
}
static_assert(sorted_by_spelling(), "kRomanizations must stay sorted by spelling");

}  // namespace

std::pair<std::string_view, std::string_view> pinyin_of_romanized_surname(std::string_view token) {
    const auto* end = std::end(kRomanizations);
    const auto* it = std::lower_bound(std::begin(kRomanizations), end, token,
                                      [](const Romanization& r, std::string_view t) { return r.spelling < t; });
    if (it == end || it->spelling != token) return {};
    return {it->pinyin, it->pinyin_alt};
}

}  // namespace usermatch::normalize
