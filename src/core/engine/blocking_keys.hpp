// Blocking key values: the text of a key part (field + transform) for one record, and the 64-bit
// hash of a whole rule. A NULL/empty part means the record has no key for that rule.
//
// Transforms (on the pinyin form for person_name/text, so 张伟, 張偉 and Zhang Wei agree):
//   (none)            the normalised value
//   pinyin_initials   first letter of every token, SORTED ("wei zhang" and "zhang wei" -> "wz")
//   first_token / last_token / sorted_tokens
//   soundex           Soundex of the first and of the last token (the surname is first in Chinese
//                     order and last in Western order, so both are taken), sorted and joined; tokens
//                     without Latin letters are skipped; a one-token value gives one code
//   double_metaphone  the same with the primary Double Metaphone code
//   pinyin            pinyin form without spaces ("zhangwei")
//   nickname          tokens through canonical_given_name, sorted ("bill smith" -> "smith william")
//   year / month_day  of a date ("1990" / "0315")
//   prefix3           first 3 code points (of the pinyin form without spaces for names)
//   digits_last4      last 4 digits of the value (NULL when it has fewer than 4 digits)
//   national_number   phone: national significant number, leading zeros removed (E.164 without
//                     its calling code, a national form as it is), so +33 6 85 98 66 38 and
//                     06 85 98 66 38 read in a region where it is not valid share a key
//   last8             phone: the last 8 digits of that (NULL when it has fewer than 8)
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <cstdint>
#include <string>

namespace usermatch::engine {

// Writes the key part's text to `out`; false when the record has no value for it.
bool blocking_key_text(const RecordStore& store, const BlockingKey& key, std::size_t record, std::string& out);

// Hash of all parts of the rule; 0 when any part is NULL/empty (NULL keys never block together).
std::uint64_t rule_key_hash(const RecordStore& store, const BlockingRule& rule, std::size_t record);

// "name.pinyin_initials=wz, dob.year=1990" (for notices about oversized blocks).
std::string rule_key_description(const RecordStore& store, const BlockingRule& rule, std::size_t record);

}  // namespace usermatch::engine
