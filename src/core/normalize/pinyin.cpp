// pinyin: Han characters to toneless pinyin syllables, one space between syllables.
//
// The text is first put through normalize_name (so Traditional becomes Simplified and Latin is
// folded), then each Han character is replaced by its reading. Choices:
//  - Readings come from ICU "Han-Latin", taken ONE CHARACTER AT A TIME and cached per thread
//    (ICU costs ~6 us per character; the cache makes a name a few table look-ups). ICU's word
//    context (e.g. 重庆 -> chong qing) is therefore not used: 重 alone reads "zhong".
//  - Tone marks are removed (NFD, marks dropped); ü becomes "u" ("吕" -> "lu", "女" -> "nu"), the
//    same as normalize_name("Lǚ"), so a pinyin written with diacritics by a user matches.
//  - Surnames: when the FIRST character(s) of the name are a surname whose reading differs from
//    the character's common reading, the surname reading is used (曾 zeng, 单 shan, 解 xie, 区 ou,
//    仇 qiu, 朴 piao, ...; compound 万俟 mo qi, 尉迟 yu chi, 单于 chan yu, 长孙 zhang sun, 澹台 tan tai).
//    Elsewhere in the name the common reading is used.
//  - A Han character ICU has no reading for (e.g. 々) is kept as its own space-separated token.
//  - Non-Han text is kept as normalize_name leaves it; a Han syllable and an adjacent non-Han
//    word are separated by a space ("张wei" -> "zhang wei").
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/thread_cache.hpp"
#include "core/text/utf8.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstring>

namespace usermatch::normalize {
namespace {

struct SurnameReading {
    char32_t han;
    const char* reading;
};

// Sorted by code point (checked by a static_assert below): binary search.
constexpr SurnameReading kSurnames[] = {
    {U'乐', "yue"},  {U'乜', "nie"},  {U'仇', "qiu"},   {U'区', "ou"},    {U'单', "shan"},
    {U'卜', "bu"},   {U'句', "gou"},  {U'召', "shao"},  {U'员', "yun"},   {U'宓', "fu"},
    {U'折', "she"},  {U'曾', "zeng"}, {U'朴', "piao"},  {U'查', "zha"},   {U'洗', "xian"},
    {U'盖', "ge"},   {U'祭', "zhai"}, {U'种', "chong"}, {U'秘', "bi"},    {U'繁', "po"},
    {U'缪', "miao"}, {U'翟', "zhai"}, {U'能', "nai"},   {U'薄', "bo"},    {U'藏', "zang"},
    {U'覃', "qin"},  {U'角', "jue"},  {U'解', "xie"},   {U'贲', "ben"},   {U'都', "du"},
    {U'重', "chong"}, {U'长', "chang"}, {U'阚', "kan"}, {U'隗', "wei"},   {U'黑', "he"},
};

constexpr bool surnames_sorted() {
    for (size_t i = 1; i < sizeof(kSurnames) / sizeof(kSurnames[0]); ++i)
        if (!(kSurnames[i - 1].han < kSurnames[i].han)) return false;
    return true;
}
static_assert(surnames_sorted(), "kSurnames must be sorted by code point");

struct CompoundSurname {
    char32_t first, second;
    const char* reading;
};

constexpr CompoundSurname kCompoundSurnames[] = {
    {U'万', U'俟', "mo qi"},    {U'尉', U'迟', "yu chi"},   {U'单', U'于', "chan yu"},
    {U'长', U'孙', "zhang sun"}, {U'澹', U'台', "tan tai"},
};

const char* single_surname(char32_t c) {
    size_t lo = 0, hi = sizeof(kSurnames) / sizeof(kSurnames[0]);
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (kSurnames[mid].han < c) lo = mid + 1;
        else hi = mid;
    }
    return lo < sizeof(kSurnames) / sizeof(kSurnames[0]) && kSurnames[lo].han == c ? kSurnames[lo].reading
                                                                                   : nullptr;
}

// Syllable cache over U+3400..U+9FFF (CJK Ext. A + Unified). Entry: "" = not computed yet,
// "\x01" = no reading, else the toneless syllable (at most 6 letters).
constexpr char32_t kTableFirst = 0x3400, kTableLast = 0x9FFF;
constexpr size_t kEntrySize = 8;
constexpr char kNoReading = '\x01';

struct PinyinIcu {
    icu::Transliterator* han_latin = nullptr;
    const icu::Normalizer2* nfd = nullptr;
    char (*table)[kEntrySize] = nullptr;
    icu::UnicodeString latin, decomposed;

    PinyinIcu() {
        UErrorCode err = U_ZERO_ERROR;
        nfd = icu::Normalizer2::getNFDInstance(err);
        han_latin = icu::Transliterator::createInstance("Han-Latin", UTRANS_FORWARD, err);
        if (U_FAILURE(err) || han_latin == nullptr)
            throw Error(ErrorCode::Internal, std::string("cannot create ICU Han-Latin: ") + u_errorName(err));
        table = new char[kTableLast - kTableFirst + 1][kEntrySize]();
    }
    ~PinyinIcu() {
        delete han_latin;
        delete[] table;
    }
    PinyinIcu(const PinyinIcu&) = delete;
    PinyinIcu& operator=(const PinyinIcu&) = delete;

    // Writes the toneless reading of `c` into `entry` (kNoReading when ICU has none).
    void compute(char32_t c, char (&entry)[kEntrySize]) {
        UErrorCode err = U_ZERO_ERROR;
        latin.setTo(static_cast<UChar32>(c));
        han_latin->transliterate(latin);
        nfd->normalize(latin, decomposed, err);
        size_t n = 0;
        bool ok = U_SUCCESS(err);
        for (int32_t i = 0; ok && i < decomposed.length(); ++i) {
            const char16_t u = decomposed.charAt(i);
            if (u >= 'a' && u <= 'z') {
                ok = n + 1 < kEntrySize;
                if (ok) entry[n++] = static_cast<char>(u);
            } else if (u >= 'A' && u <= 'Z') {
                ok = n + 1 < kEntrySize;
                if (ok) entry[n++] = static_cast<char>(u + 32);
            } else if (!(U_GET_GC_MASK(u) & U_GC_MN_MASK)) {
                ok = false;  // untransliterated Han, spaces, anything unexpected
            }
        }
        if (!ok || n == 0) n = 0, entry[n++] = kNoReading;
        std::memset(entry + n, 0, kEntrySize - n);
    }

    const char* reading(char32_t c, char (&scratch)[kEntrySize]) {
        char(*entry)[kEntrySize] = &scratch;
        if (c >= kTableFirst && c <= kTableLast) entry = &table[c - kTableFirst];
        if ((*entry)[0] == '\0' || entry == &scratch) compute(c, *entry);
        return (*entry)[0] == kNoReading ? nullptr : *entry;
    }
};

class PinyinWriter {
public:
    explicit PinyinWriter(size_t capacity) { out_.reserve(capacity); }

    void syllable(std::string_view s) {
        if (!out_.empty() && out_.back() != ' ') out_.push_back(' ');
        out_.append(s);
        after_han_ = true;
    }
    void other(std::string_view utf8_char) {
        if (utf8_char == " ") {
            if (!out_.empty() && out_.back() != ' ') out_.push_back(' ');
            after_han_ = false;
            return;
        }
        if (after_han_) out_.push_back(' ');
        after_han_ = false;
        out_.append(utf8_char);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
    bool after_han_ = false;
};

// Decodes the code point at s[i], advancing i (input is valid UTF-8 from normalize_name).
char32_t next_code_point(const std::string& s, int32_t& i) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
    return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

// Consumes a surname at the start of `name`, if one with a special reading is there.
void write_surname(const std::string& name, int32_t& i, PinyinWriter& w) {
    int32_t j = 0;
    const char32_t first = next_code_point(name, j);
    int32_t k = j;
    const char32_t second = k < static_cast<int32_t>(name.size()) ? next_code_point(name, k) : 0;
    for (const auto& compound : kCompoundSurnames) {
        if (compound.first == first && compound.second == second) {
            w.syllable(compound.reading);
            i = k;
            return;
        }
    }
    if (const char* reading = single_surname(first)) {
        w.syllable(reading);
        i = j;
    }
}

}  // namespace

bool warm_up_transliterators() noexcept {
    bool ok = true;
    for (const char* id : {"Han-Latin", "Traditional-Simplified"}) {
        UErrorCode err = U_ZERO_ERROR;
        icu::Transliterator* t = icu::Transliterator::createInstance(id, UTRANS_FORWARD, err);
        ok = ok && U_SUCCESS(err) && t != nullptr;
        delete t;
    }
    return ok;
}

std::string pinyin(std::string_view utf8) {
    std::string name = normalize_name(utf8);
    if (text::is_ascii(name)) return name;
    PinyinIcu& icu = detail::per_thread<PinyinIcu>();
    PinyinWriter w(name.size() * 2);
    int32_t i = 0;
    write_surname(name, i, w);
    const auto length = static_cast<int32_t>(name.size());
    char scratch[kEntrySize];
    while (i < length) {
        const int32_t start = i;
        const char32_t c = next_code_point(name, i);
        const std::string_view bytes(name.data() + start, static_cast<size_t>(i - start));
        if (is_han_code_point(c)) {
            const char* reading = icu.reading(c, scratch);
            w.syllable(reading != nullptr ? std::string_view(reading) : bytes);
        } else {
            w.other(bytes);
        }
    }
    return w.take();
}

}  // namespace usermatch::normalize
