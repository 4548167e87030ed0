#include "core/engine/blocking_keys.hpp"

#include "core/compare/phonetic.hpp"
#include "core/engine/hash.hpp"
#include "core/engine/name_tokens.hpp"
#include "core/engine/thread_scratch.hpp"
#include "core/normalize/normalize.hpp"
#include "core/text/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace usermatch::engine {

namespace {

std::size_t utf8_len(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Phonetic codes of the first and last tokens, sorted and joined.
bool phonetic_key(std::string_view form, bool metaphone, std::string& out) {
    ThreadScratch& s = thread_scratch();
    split_tokens(form, s.key_tokens);
    if (s.key_tokens.empty()) return false;
    s.key_codes.clear();
    std::size_t picks[2] = {0, s.key_tokens.size() - 1};
    for (std::size_t k = 0; k < (s.key_tokens.size() > 1 ? 2u : 1u); ++k) {
        s.key_cps.clear();
        text::decode_utf8_into(s.key_tokens[picks[k]], s.key_cps);
        std::string code = metaphone ? compare::double_metaphone(s.key_cps).primary : compare::soundex(s.key_cps);
        if (!code.empty()) s.key_codes.push_back(std::move(code));
    }
    if (s.key_codes.empty()) return false;
    std::sort(s.key_codes.begin(), s.key_codes.end());
    out.clear();
    for (std::size_t i = 0; i < s.key_codes.size(); ++i) {
        if (i) out.push_back(' ');
        out += s.key_codes[i];
    }
    return true;
}

}  // namespace

bool blocking_key_text(const RecordStore& store, const BlockingKey& key, std::size_t r, std::string& out) {
    const FieldColumn& c = store.column(key.field);
    out.clear();
    if (c.is_null(r)) return false;
    const bool has_form = c.type == FieldType::PersonName || c.type == FieldType::Text;
    std::string_view form = has_form ? c.form[r] : c.norm[r];
    ThreadScratch& s = thread_scratch();
    switch (key.transform) {
    case Transform::None:
        // A phone's plain key is its national significant number: "+15105151230" (or "(510)
        // 515-1230" read with region US) and "5105151230" (no region known, kept in national form)
        // are one line and must meet in a block. Lines of two countries with the same national
        // number also meet, rarely, and the comparison levels tell them apart.
        if (c.type == FieldType::Phone) out.assign(normalize::phone_national_number(c.norm[r]));
        else out.assign(c.norm[r]);
        break;
    case Transform::PinyinInitials: {
        split_tokens(form, s.key_tokens);
        std::sort(s.key_tokens.begin(), s.key_tokens.end());
        for (std::string_view t : s.key_tokens) out.append(t.substr(0, utf8_len(static_cast<unsigned char>(t[0]))));
        break;
    }
    case Transform::FirstToken:
    case Transform::LastToken:
        split_tokens(form, s.key_tokens);
        if (!s.key_tokens.empty()) out.assign(key.transform == Transform::FirstToken ? s.key_tokens.front() : s.key_tokens.back());
        break;
    case Transform::SortedTokens: sorted_tokens(form, s.key_tokens, out, false); break;
    case Transform::Nickname: sorted_tokens(form, s.key_tokens, out, true); break;
    case Transform::Soundex: return phonetic_key(form, false, out);
    case Transform::DoubleMetaphone: return phonetic_key(form, true, out);
    case Transform::Pinyin: compact_tokens(form, out); break;
    case Transform::Year:
    case Transform::MonthDay: {
        char buf[16];
        int v = c.ival[r];
        if (key.transform == Transform::Year) std::snprintf(buf, sizeof buf, "%04d", v / 10000);
        else std::snprintf(buf, sizeof buf, "%04d", v % 10000);
        out.assign(buf);
        break;
    }
    case Transform::Prefix3: {
        if (has_form) compact_tokens(form, s.key_part);
        else s.key_part.assign(form);
        std::size_t i = 0;
        for (int k = 0; k < 3 && i < s.key_part.size(); ++k) i += utf8_len(static_cast<unsigned char>(s.key_part[i]));
        out.assign(s.key_part, 0, std::min(i, s.key_part.size()));
        break;
    }
    case Transform::NationalNumber:
    case Transform::Last8: {  // phone: "+33685986638" and "685986638" (national form) agree
        std::string_view nsn = normalize::phone_national_number(c.norm[r]);
        if (key.transform == Transform::Last8) {
            if (nsn.size() < 8) return false;  // too short to be a number worth blocking on
            nsn.remove_prefix(nsn.size() - 8);
        }
        out.assign(nsn);
        break;
    }
    case Transform::DigitsLast4: {
        std::string_view v = c.norm[r];
        for (char ch : v)
            if (ch >= '0' && ch <= '9') out.push_back(ch);
        if (out.size() < 4) return false;
        out.erase(0, out.size() - 4);
        break;
    }
    }
    return !out.empty();
}

std::uint64_t rule_key_hash(const RecordStore& store, const BlockingRule& rule, std::size_t r) {
    std::string* buf = &thread_scratch().key_text;
    std::uint64_t h = 0x51afd7ed558ccdULL;
    for (const BlockingKey& k : rule.keys) {
        if (!blocking_key_text(store, k, r, *buf)) return 0;
        h = hash_combine(h, hash_bytes(*buf, 0x2545f4914f6cdd1dULL + k.field * 31 + static_cast<unsigned>(k.transform)));
    }
    return h;
}

std::string rule_key_description(const RecordStore& store, const BlockingRule& rule, std::size_t r) {
    std::string out, part;
    for (const BlockingKey& k : rule.keys) {
        if (!out.empty()) out += ", ";
        blocking_key_text(store, k, r, part);
        out += k.text + "=" + part;
    }
    return out;
}

}  // namespace usermatch::engine
