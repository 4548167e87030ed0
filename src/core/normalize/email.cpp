// normalize_email: trimmed, lower-cased local@domain, with provider rules for addresses that
// reach the same mailbox.
//
// Accepted shape: exactly one '@'; non-empty local part; a domain with a '.' that neither
// starts nor ends with '.' and has no ".."; no whitespace (ASCII or Unicode), zero-width space
// or control character inside; valid UTF-8; at most 254 bytes after trimming (the SMTP path
// limit). NBSP / ideographic space at the ends are trimmed too. Anything else -> nullopt.
// Case: ASCII lower-cased; non-ASCII (IDN domains, EAI local parts) case-folded with ICU.
//
// Provider table (domain after lower-casing):
//   gmail.com, googlemail.com          dots removed from the local part, "+tag" dropped,
//                                      googlemail.com -> gmail.com
//   outlook.com, hotmail.com, live.com, msn.com       "+tag" dropped (Microsoft, since 2013)
//   icloud.com, me.com, mac.com                      "+tag" dropped (Apple)
//   fastmail.com, fastmail.fm                         "+tag" dropped
//   protonmail.com, protonmail.ch, proton.me, pm.me   "+tag" dropped
//   yahoo.com: NOT changed (Yahoo's disposable addresses use '-', and "a-b" may be a real name).
//   qq.com, 163.com, 126.com: NOT changed (we found no statement that they deliver "+tag"
//   addresses; dropping it could merge different mailboxes).
// When the canonical local part would be empty (e.g. "+x@gmail.com") the result is nullopt.
#include "core/normalize/normalize.hpp"

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace usermatch::normalize {
namespace {

constexpr size_t kMaxEmailLength = 254;

enum class Rule { None, PlusTag, Gmail };

struct ProviderRule {
    std::string_view domain;
    Rule rule;
};

constexpr ProviderRule kProviders[] = {
    {"gmail.com", Rule::Gmail},        {"googlemail.com", Rule::Gmail},
    {"outlook.com", Rule::PlusTag},    {"hotmail.com", Rule::PlusTag},
    {"live.com", Rule::PlusTag},       {"msn.com", Rule::PlusTag},
    {"icloud.com", Rule::PlusTag},     {"me.com", Rule::PlusTag},
    {"mac.com", Rule::PlusTag},        {"fastmail.com", Rule::PlusTag},
    {"fastmail.fm", Rule::PlusTag},    {"protonmail.com", Rule::PlusTag},
    {"protonmail.ch", Rule::PlusTag},  {"proton.me", Rule::PlusTag},
    {"pm.me", Rule::PlusTag},
};

Rule provider_rule(std::string_view domain) {
    for (const auto& p : kProviders)
        if (p.domain == domain) return p.rule;
    return Rule::None;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Trims ASCII whitespace, NO-BREAK SPACE and IDEOGRAPHIC SPACE (pasted from web pages and CJK
// input methods).
std::string_view trim(std::string_view s) {
    constexpr std::string_view kNbsp = "\xC2\xA0", kIdeographic = "\xE3\x80\x80";
    for (bool changed = true; changed;) {
        changed = false;
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1), changed = true;
        while (!s.empty() && is_space(s.back())) s.remove_suffix(1), changed = true;
        for (std::string_view sp : {kNbsp, kIdeographic}) {
            if (s.substr(0, sp.size()) == sp) s.remove_prefix(sp.size()), changed = true;
            if (s.size() >= sp.size() && s.substr(s.size() - sp.size()) == sp) s.remove_suffix(sp.size()), changed = true;
        }
    }
    return s;
}

// Valid UTF-8 without any Unicode white space or zero-width character inside.
bool valid_utf8_without_spaces(std::string_view s) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto n = static_cast<int32_t>(s.size());
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c < 0 || u_isUWhiteSpace(c) || c == 0x200B || c == 0xFEFF) return false;
    }
    return true;
}

std::string lower(std::string_view s) {
    bool ascii = true;
    std::string out(s);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
        else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    if (ascii) return out;
    std::string folded;
    icu::UnicodeString::fromUTF8(out).foldCase().toUTF8String(folded);
    return folded;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.empty() || s.size() > kMaxEmailLength) return std::nullopt;
    size_t at = std::string_view::npos;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c <= 0x20 || c == 0x7F) return std::nullopt;
        if (c == '@') {
            if (at != std::string_view::npos) return std::nullopt;
            at = i;
        }
    }
    if (at == std::string_view::npos || at == 0 || !valid_utf8_without_spaces(s)) return std::nullopt;
    std::string local = lower(s.substr(0, at));
    std::string domain = lower(s.substr(at + 1));
    if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
        domain.find('.') == std::string::npos || domain.find("..") != std::string::npos)
        return std::nullopt;

    const Rule rule = provider_rule(domain);
    if (rule != Rule::None) {
        const size_t plus = local.find('+');
        if (plus != std::string::npos) local.resize(plus);
    }
    if (rule == Rule::Gmail) {
        std::string without_dots;
        for (char c : local)
            if (c != '.') without_dots.push_back(c);
        local = std::move(without_dots);
        domain = "gmail.com";
    }
    if (local.empty()) return std::nullopt;
    return local + "@" + domain;
}

}  // namespace usermatch::normalize
