// Small text edits the generator applies to names, e-mails and cities (UTF-8 in, UTF-8 out).
#pragma once

#include "core/core_guard.hpp"
#include "core/generate/random.hpp"

#include <string>
#include <string_view>

namespace usermatch::generate::detail {

// Drops diacritics of Latin letters: "José Müller" -> "Jose Muller"; with german_style
// ä/ö/ü become ae/oe/ue ("Mueller"). ß -> ss, ø -> o, ł -> l, æ -> ae. Other text is kept.
std::string fold_diacritics(std::string_view utf8, bool german_style = false);

// Upper/lower case for ASCII and the Latin-1 / Latin Extended-A letters ("Müller" -> "MÜLLER").
std::string latin_upper(std::string_view utf8);
std::string latin_lower(std::string_view utf8);

// Simplified -> traditional character by character with the names' table (张伟 -> 張偉).
std::string to_traditional(std::string_view utf8);

// Lower-case ASCII letters and digits only, diacritics folded: "O'Brien-Müller" -> "obrienmuller".
std::string ascii_slug(std::string_view utf8);

// "zhang" -> "Zhang" (ASCII).
std::string capitalized(std::string_view ascii);

// One typing error on a letter: insert, delete, substitute (a QWERTY neighbour) or transpose
// with the next letter. Text without at least 3 letters is returned unchanged.
std::string with_typo(std::string_view utf8, Rng& rng);

}  // namespace usermatch::generate::detail
