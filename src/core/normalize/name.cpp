// normalize_name and has_han.
//
// Rules (the ASCII fast path and the ICU path give the same result on ASCII input):
//  - NFKC + full case folding (ICU NFKC_Casefold, which also drops default-ignorable code points
//    such as ZERO WIDTH SPACE / JOINER and variation selectors);
//  - Traditional Chinese folded to Simplified (ICU "Traditional-Simplified", whole string, so its
//    context rules apply: 著作 stays 著作), only when the text holds a character the
//    transliterator changes on its own (a character changed only by context is not looked for);
//  - diacritics stripped: NFD, nonspacing/enclosing marks dropped, NFC at the end. We FOLD, we do
//    not transliterate: "Müller" -> "muller" (not "mueller"). Latin letters NFD cannot split are
//    folded by a small table: ø->o ł->l đ->d ħ->h ı->i ŧ->t ŀ->l ð->d þ->th æ->ae œ->oe (ß is
//    already "ss" after case folding);
//  - letters, digits and spacing marks are word characters; apostrophes (' ’ ‘ ʼ `) and
//    periods/middle dots (. · ・ ‧) between two word characters are removed ("O'Brien" ->
//    "obrien", "J.R." -> "jr"); every other punctuation, symbol, hyphen, control character,
//    emoji and U+FFFD (from invalid UTF-8) is a word separator, so emoji are DROPPED;
//  - runs of separators become one space, trimmed; no space is kept between two Han characters
//    ("张 伟" -> "张伟"), so spaced and unspaced Chinese names compare equal;
//  - a run of more than 30 consecutive code points that attach to the one before (combining
//    marks, and characters whose normalisation starts with one, e.g. U+0F73, U+FF9E) keeps its
//    first 30, the rest are dropped before normalising (Unicode's stream-safe limit, UAX #15
//    section 13): canonical reordering sorts each run by insertion, so "a" + 80,000 mixed marks
//    took seconds; no real text has such runs, and nonspacing marks are dropped by the diacritic
//    rule anyway.
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/thread_cache.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

namespace usermatch::normalize {
namespace {

constexpr UChar32 kTableEnd = 0x250;  // Latin-1, Latin Extended-A and -B: mapped by table

// Latin letters without a canonical decomposition, folded to their base (after case folding).
const char* fold_undecomposable(UChar32 c) {
    switch (c) {
        case 0x00F8: return "o";   // ø
        case 0x0142: return "l";   // ł
        case 0x0111: return "d";   // đ
        case 0x0127: return "h";   // ħ
        case 0x0131: return "i";   // ı
        case 0x0167: return "t";   // ŧ
        case 0x0140: return "l";   // ŀ
        case 0x00F0: return "d";   // ð
        case 0x00FE: return "th";  // þ
        case 0x00E6: return "ae";  // æ
        case 0x0153: return "oe";  // œ
        default: return nullptr;
    }
}

// ICU objects one thread uses (transliterators are not thread-safe; creation costs ~ms).
struct NameIcu {
    const icu::Normalizer2* nfkc_casefold = nullptr;  // ICU singletons, never deleted
    const icu::Normalizer2* nfd = nullptr;
    const icu::Normalizer2* nfc = nullptr;
    icu::Transliterator* traditional_to_simplified = nullptr;
    icu::UnicodeSet traditional_chars;  // characters the transliterator changes alone
    // Below U+0250: the base letter(s) after NFD + mark removal + fold_undecomposable, as up
    // to two UTF-16 units (second 0 when absent). Saves a full NFD pass for Latin text.
    char16_t latin_base[kTableEnd][2];
    icu::UnicodeString input, folded, decomposition, composed;  // reused buffers
    std::u16string out;

    NameIcu() {
        UErrorCode err = U_ZERO_ERROR;
        nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(err);
        nfd = icu::Normalizer2::getNFDInstance(err);
        nfc = icu::Normalizer2::getNFCInstance(err);
        traditional_to_simplified =
            icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, err);
        if (U_FAILURE(err) || traditional_to_simplified == nullptr)
            throw Error(ErrorCode::Internal,
                        std::string("cannot create ICU normalizers for normalize_name: ") + u_errorName(err));
        build_latin_table();
        build_traditional_set();
    }
    ~NameIcu() { delete traditional_to_simplified; }
    NameIcu(const NameIcu&) = delete;
    NameIcu& operator=(const NameIcu&) = delete;

private:
    void build_latin_table() {
        for (UChar32 c = 0; c < kTableEnd; ++c) {
            UChar32 base = c;
            icu::UnicodeString d;
            if (nfd->getDecomposition(c, d)) {
                const UChar32 first = d.char32At(0);
                bool rest_are_marks = true;
                for (int32_t i = U16_LENGTH(first); i < d.length(); ++i)
                    rest_are_marks &= (U_GET_GC_MASK(d.charAt(i)) & U_GC_MN_MASK) != 0;
                if (rest_are_marks && first < 0x10000) base = first;
            }
            latin_base[c][0] = static_cast<char16_t>(base);
            latin_base[c][1] = 0;
            if (const char* folded_letters = fold_undecomposable(base)) {
                latin_base[c][0] = static_cast<char16_t>(folded_letters[0]);
                latin_base[c][1] = static_cast<char16_t>(folded_letters[1]);
            }
        }
    }
    void build_traditional_set() {
        // The transliterator's source set also holds ~600 characters that only serve as
        // context (小, 王, ...); calling it for every Simplified name would cost ~0.5 us. Keep
        // the characters that change on their own (~2,900; computed once per thread, ~1 ms).
        icu::UnicodeSet source;
        traditional_to_simplified->getSourceSet(source);
        for (int32_t r = 0; r < source.getRangeCount(); ++r) {
            for (UChar32 c = source.getRangeStart(r); c <= source.getRangeEnd(r); ++c) {
                icu::UnicodeString alone(c);
                traditional_to_simplified->transliterate(alone);
                if (alone != icu::UnicodeString(c)) traditional_chars.add(c);
            }
        }
        traditional_chars.freeze();
    }
};

bool is_joiner(UChar32 c) {
    switch (c) {
        case '\'': case '`': case '.':
        case 0x2019: case 0x2018: case 0x02BC:  // ’ ‘ ʼ
        case 0x00B7: case 0x30FB: case 0x2027:  // · ・ ‧
            return true;
        default:
            return false;
    }
}

bool is_word_char(UChar32 c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const uint32_t mask = U_GET_GC_MASK(c);
    return (mask & (U_GC_L_MASK | U_GC_N_MASK | U_GC_MC_MASK)) != 0;
}

bool is_dropped_mark(UChar32 c) {
    if (c < 0x300) return false;
    return (U_GET_GC_MASK(c) & (U_GC_MN_MASK | U_GC_ME_MASK)) != 0;
}

enum class Pending { None, Space, Join };

std::string normalize_ascii(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    Pending pending = Pending::None;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_word_char(c)) {
            if (pending == Pending::Space && !out.empty()) out.push_back(' ');
            pending = Pending::None;
            out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
        } else if (is_joiner(c) && pending == Pending::None && !out.empty()) {
            pending = Pending::Join;
        } else {
            pending = Pending::Space;
        }
    }
    return out;
}

// Applies the word rules to decomposed code points, appending UTF-16 to `out`.
class WordWriter {
public:
    explicit WordWriter(std::u16string& out) : out_(out) { out_.clear(); }

    void put(UChar32 c) {
        if (is_dropped_mark(c)) return;
        if (is_word_char(c)) {
            const bool han = is_han_code_point(static_cast<char32_t>(c));
            if (pending_ == Pending::Space && !out_.empty() && !(han && last_is_han_)) out_.push_back(u' ');
            pending_ = Pending::None;
            last_is_han_ = han;
            if (c < 0x10000) {
                out_.push_back(static_cast<char16_t>(c));
            } else {
                out_.push_back(U16_LEAD(c));
                out_.push_back(U16_TRAIL(c));
            }
        } else if (is_joiner(c) && pending_ == Pending::None && !out_.empty()) {
            pending_ = Pending::Join;
        } else {
            pending_ = Pending::Space;
        }
    }

private:
    std::u16string& out_;
    Pending pending_ = Pending::None;
    bool last_is_han_ = false;
};

void to_utf16(std::string_view utf8, icu::UnicodeString& dest) {
    if (utf8.size() >= static_cast<size_t>(INT32_MAX))
        throw Error(ErrorCode::ProgramLimit, "argument name is too long: at most 2 GB of text");
    const int32_t capacity = static_cast<int32_t>(utf8.size()) + 1;  // UTF-16 never needs more units
    UChar* buffer = dest.getBuffer(capacity);
    int32_t length = 0;
    UErrorCode err = U_ZERO_ERROR;
    u_strFromUTF8WithSub(buffer, capacity, &length, utf8.data(), static_cast<int32_t>(utf8.size()),
                         0xFFFD, nullptr, &err);
    dest.releaseBuffer(U_SUCCESS(err) ? length : 0);
    if (U_FAILURE(err)) throw Error(ErrorCode::Internal, "UTF-8 conversion failed in normalize_name");
}

std::string to_utf8(const char16_t* s, size_t length) {
    std::string result(length * 3, '\0');
    int32_t written = 0;
    UErrorCode err = U_ZERO_ERROR;
    u_strToUTF8WithSub(result.data(), static_cast<int32_t>(result.size()), &written, s,
                       static_cast<int32_t>(length), 0xFFFD, nullptr, &err);
    if (U_FAILURE(err)) throw Error(ErrorCode::Internal, "UTF-16 conversion failed in normalize_name");
    result.resize(static_cast<size_t>(written));
    return result;
}

bool contains_traditional(const icu::UnicodeString& s, const icu::UnicodeSet& traditional) {
    const char16_t* p = s.getBuffer();
    const int32_t length = s.length();
    for (int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(p, i, length, c);
        if (c >= 0x2E80 && traditional.contains(c)) return true;
    }
    return false;
}

// Unicode's stream-safe limit: no more than 30 non-starters in a row (UAX #15 section 13).
constexpr int kMaxNonStarters = 30;

// Drops the combining marks past the first kMaxNonStarters of every run, in place. Linear; the
// string is only rewritten when some run is too long.
void limit_combining_runs(const icu::Normalizer2& nfkc, icu::UnicodeString& s) {
    const char16_t* p = s.getBuffer();
    const int32_t length = s.length();
    int32_t run = 0;
    bool too_long = false;
    for (int32_t i = 0; i < length && !too_long;) {
        UChar32 c;
        U16_NEXT(p, i, length, c);
        run = (c >= 0x300 && !nfkc.hasBoundaryBefore(c)) ? run + 1 : 0;
        too_long = run > kMaxNonStarters;
    }
    if (!too_long) return;
    icu::UnicodeString kept;
    kept.getBuffer(length);  // reserve
    kept.releaseBuffer(0);
    run = 0;
    for (int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(p, i, length, c);
        run = (c >= 0x300 && !nfkc.hasBoundaryBefore(c)) ? run + 1 : 0;
        if (run <= kMaxNonStarters) kept.append(c);
    }
    s = std::move(kept);
}

bool is_hangul_syllable(UChar32 c) { return c >= 0xAC00 && c <= 0xD7A3; }

// NFD + word rules in one pass: a table for Latin, ICU's decomposition for the rest.
void decompose_into(NameIcu& icu, WordWriter& w) {
    const char16_t* s = icu.folded.getBuffer();
    const int32_t length = icu.folded.length();
    for (int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(s, i, length, c);
        if (c < kTableEnd) {
            w.put(icu.latin_base[c][0]);
            if (icu.latin_base[c][1] != 0) w.put(icu.latin_base[c][1]);
        } else if (is_hangul_syllable(c) || icu.nfd->isInert(c) || !icu.nfd->getDecomposition(c, icu.decomposition)) {
            w.put(c);  // Hangul: NFD then NFC gives the syllable back, so skip both
        } else {
            for (int32_t j = 0; j < icu.decomposition.length();) {
                const UChar32 d = icu.decomposition.char32At(j);
                j += U16_LENGTH(d);
                if (d < kTableEnd) {
                    w.put(icu.latin_base[d][0]);
                    if (icu.latin_base[d][1] != 0) w.put(icu.latin_base[d][1]);
                } else {
                    w.put(d);
                }
            }
        }
    }
}

std::string normalize_unicode(std::string_view utf8) {
    NameIcu& icu = detail::per_thread<NameIcu>();
    UErrorCode err = U_ZERO_ERROR;
    to_utf16(utf8, icu.input);
    limit_combining_runs(*icu.nfkc_casefold, icu.input);
    icu.nfkc_casefold->normalize(icu.input, icu.folded, err);
    if (U_FAILURE(err))
        throw Error(ErrorCode::Internal, std::string("ICU normalisation failed: ") + u_errorName(err));
    if (contains_traditional(icu.folded, icu.traditional_chars))
        icu.traditional_to_simplified->transliterate(icu.folded);
    WordWriter writer(icu.out);
    decompose_into(icu, writer);
    // Read-only alias: no copy. Recompose only when needed (split Indic vowels, jamo).
    const icu::UnicodeString alias(false, icu.out.data(), static_cast<int32_t>(icu.out.size()));
    if (icu.nfc->quickCheck(alias, err) != UNORM_YES) {
        icu.nfc->normalize(alias, icu.composed, err);
        if (U_FAILURE(err))
            throw Error(ErrorCode::Internal, std::string("ICU normalisation failed: ") + u_errorName(err));
        return to_utf8(icu.composed.getBuffer(), static_cast<size_t>(icu.composed.length()));
    }
    return to_utf8(icu.out.data(), icu.out.size());
}

}  // namespace

bool is_han_code_point(char32_t cp) {
    if (cp >= 0x4E00 && cp <= 0x9FFF) return true;
    if (cp < 0x2E80 || cp > 0x3FFFF) return false;
    UErrorCode err = U_ZERO_ERROR;
    return uscript_getScript(static_cast<UChar32>(cp), &err) == USCRIPT_HAN;
}

bool has_han(std::string_view utf8) {
    const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
    const auto length = static_cast<int32_t>(utf8.size() > INT32_MAX ? INT32_MAX : utf8.size());
    for (int32_t i = 0; i < length;) {
        if (s[i] < 0x80) { ++i; continue; }
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c >= 0 && is_han_code_point(static_cast<char32_t>(c))) return true;
    }
    return false;
}

std::string normalize_name(std::string_view utf8) {
    for (unsigned char c : utf8)
        if (c >= 0x80) return normalize_unicode(utf8);
    return normalize_ascii(utf8);
}

}  // namespace usermatch::normalize
