// Soundex and Double Metaphone: published codes, diacritic folding, non-Latin input.
#include "core/compare/phonetic.hpp"
#include "core/errors.hpp"
#include "core/text/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace usermatch::compare;

namespace {

MetaphoneCodes dm(std::u32string_view s) { return double_metaphone(s); }

}  // namespace

TEST(PhoneticSoundex, AmericanSoundexWithHwRule) {
    EXPECT_EQ(soundex(U"Robert"), "R163");
    EXPECT_EQ(soundex(U"Rupert"), "R163");
    EXPECT_EQ(soundex(U"Rubin"), "R150");
    EXPECT_EQ(soundex(U"Ashcraft"), "A261");  // H does not separate S and C
    EXPECT_EQ(soundex(U"Ashcroft"), "A261");
    EXPECT_EQ(soundex(U"Tymczak"), "T522");   // vowel A lets the second 2 repeat
    EXPECT_EQ(soundex(U"Pfister"), "P236");   // F codes like the first letter P
    EXPECT_EQ(soundex(U"Honeyman"), "H555");
    EXPECT_EQ(soundex(U"Lee"), "L000");
    EXPECT_EQ(soundex(U"Gutierrez"), "G362");
    EXPECT_EQ(soundex(U"Jackson"), "J250");
}

TEST(PhoneticSoundex, CaseNonLettersAndDiacritics) {
    EXPECT_EQ(soundex(U"robert"), "R163");
    EXPECT_EQ(soundex(U"O'Brien"), soundex(U"OBrien"));
    EXPECT_EQ(soundex(U"  Rob-ert 2"), "R163");
    EXPECT_EQ(soundex(U"\u00c9mile"), "E540");               // É -> E
    EXPECT_EQ(soundex(U"M\u00fcller"), soundex(U"Muller"));  // ü -> U
    EXPECT_EQ(soundex(U"\u0141ukasz"), soundex(U"Lukasz"));  // Ł -> L (Latin Extended-A)
    EXPECT_EQ(soundex(U"Stra\u00dfe"), soundex(U"Strasse"));  // ß -> SS
    EXPECT_EQ(soundex(U"Jose\u0301"), "J200");               // combining accent skipped
}

TEST(PhoneticSoundex, NoLatinLetterGivesEmpty) {
    EXPECT_EQ(soundex(U""), "");
    EXPECT_EQ(soundex(U"\u5f20\u4f1f"), "");  // 张伟
    EXPECT_EQ(soundex(U"123 -"), "");
}

TEST(PhoneticDoubleMetaphone, PublishedCodes) {
    EXPECT_EQ(dm(U"Smith").primary, "SM0");
    EXPECT_EQ(dm(U"Smith").alternate, "XMT");
    EXPECT_EQ(dm(U"Schmidt").primary, "XMT");
    EXPECT_EQ(dm(U"Schmidt").alternate, "SMT");
    // The algorithm keeps the P of "MPS" (TH before OM is T): TMPS, as in PostgreSQL's
    // fuzzystrmatch and Apache commons-codec. ("TMSN" is the single Metaphone code.)
    EXPECT_EQ(dm(U"Thompson").primary, "TMPS");
    EXPECT_EQ(dm(U"Thompson").alternate, "TMPS");
    EXPECT_EQ(dm(U"Jose").primary, "HS");
    EXPECT_EQ(dm(U"Jose").alternate, "HS");
    EXPECT_EQ(dm(U"Xavier").primary, "SF");
    EXPECT_EQ(dm(U"Xavier").alternate, "SFR");
    EXPECT_EQ(dm(U"Catherine").primary, "K0RN");
    EXPECT_EQ(dm(U"Kathryn").primary, "K0RN");
    EXPECT_EQ(dm(U"Philip").primary, "FLP");
    EXPECT_EQ(dm(U"Philip").alternate, "FLP");
}

TEST(PhoneticDoubleMetaphone, CaseInsensitiveAndLengthLimit) {
    EXPECT_EQ(dm(U"smith").primary, "SM0");
    EXPECT_EQ(double_metaphone(U"Thompson", 2).primary, "TM");
    EXPECT_EQ(dm(U"Washington").primary, "AXNK");
    EXPECT_EQ(dm(U"Washington").alternate, "FXNK");
    EXPECT_EQ(double_metaphone(U"Washington", 8).primary, "AXNKTN");
    EXPECT_EQ(double_metaphone(U"Washington", 8).alternate, "FXNKTN");
    EXPECT_THROW(double_metaphone(U"Smith", 0), usermatch::Error);
}

TEST(PhoneticDoubleMetaphone, CedillaTildeAndFolding) {
    EXPECT_EQ(dm(U"Fran\u00e7ois").primary, dm(U"Fransois").primary);  // Ç codes as S
    EXPECT_EQ(dm(U"Pe\u00f1a").primary, "PN");                          // Ñ codes as N
    EXPECT_EQ(dm(U"Jos\u00e9").primary, "HS");                          // é folds to E
}

TEST(PhoneticDoubleMetaphone, PinyinIsDeterministicAndHanIsEmpty) {
    const MetaphoneCodes zhang = dm(U"Zhang");
    EXPECT_FALSE(zhang.primary.empty());
    EXPECT_EQ(zhang.primary, dm(U"ZHANG").primary);
    EXPECT_EQ(zhang.primary, "JNK");
    EXPECT_EQ(zhang.alternate, "JNK");
    const MetaphoneCodes han = dm(U"\u5f20\u4f1f");  // 张伟
    EXPECT_EQ(han.primary, "");
    EXPECT_EQ(han.alternate, "");
    EXPECT_EQ(dm(U"").primary, "");
}

// Codes from PostgreSQL 15 contrib/fuzzystrmatch dmetaphone() / dmetaphone_alt(), the same C
// algorithm: one or more names per rule of the algorithm, plus common surnames.
TEST(PhoneticDoubleMetaphone, MatchesFuzzystrmatchReferenceCodes) {
    struct Case {
        const char32_t* name;
        const char* primary;
        const char* alternate;
    };
    const Case cases[] = {
        {U"Accident", "AKST", "AKST"},
        {U"Accede", "AKST", "AKST"},
        {U"Succeed", "SKST", "SKST"},
        {U"Bacchus", "PKS", "PKS"},
        {U"Bacci", "PX", "PX"},
        {U"Bertucci", "PRTX", "PRTX"},
        {U"Caesar", "SSR", "SSR"},
        {U"Chianti", "KNT", "KNT"},
        {U"Michael", "MKL", "MXL"},
        {U"Chemistry", "KMST", "KMST"},
        {U"Chorus", "KRS", "KRS"},
        {U"Chore", "XR", "XR"},
        {U"Wachtler", "AKTL", "FKTL"},
        {U"Wechsler", "AKSL", "FKSL"},
        {U"Tichner", "TXNR", "TKNR"},
        {U"McHugh", "MK", "MK"},
        {U"Czerny", "SRN", "XRN"},
        {U"Focaccia", "FKX", "FKX"},
        {U"McClellan", "MKLL", "MKLL"},
        {U"Bellocchio", "PLX", "PLX"},
        {U"Edge", "AJ", "AJ"},
        {U"Edgar", "ATKR", "ATKR"},
        {U"Ghislane", "JLN", "JLN"},
        {U"Ghiradelli", "JRTL", "JRTL"},
        {U"Hugh", "H", "H"},
        {U"Bough", "P", "P"},
        {U"Broughton", "PRTN", "PRTN"},
        {U"Laugh", "LF", "LF"},
        {U"McLaughlin", "MKLF", "MKLF"},
        {U"Cough", "KF", "KF"},
        {U"Gough", "KF", "KF"},
        {U"Rough", "RF", "RF"},
        {U"Tough", "TF", "TF"},
        {U"Cagney", "KKN", "KKN"},
        {U"Tagliaro", "TKLR", "TLR"},
        {U"Danger", "TNJR", "TNKR"},
        {U"Ranger", "RNJR", "RNKR"},
        {U"Manger", "MNJR", "MNKR"},
        {U"Biaggi", "PJ", "PK"},
        {U"Jose", "HS", "HS"},
        {U"Yankelovich", "ANKL", "ANKL"},
        {U"Jankelowicz", "JNKL", "ANKL"},
        {U"Bajador", "PJTR", "PHTR"},
        {U"Cabrillo", "KPRL", "KPR"},
        {U"Gallegos", "KLKS", "KKS"},
        {U"Dumb", "TM", "TM"},
        {U"Thumb", "0M", "TM"},
        {U"Campbell", "KMPL", "KMPL"},
        {U"Raspberry", "RSPR", "RSPR"},
        {U"Rogier", "RJ", "RJR"},
        {U"Hochmeier", "HKMR", "HKMR"},
        {U"Island", "ALNT", "ALNT"},
        {U"Isle", "AL", "AL"},
        {U"Carlisle", "KRLL", "KRLL"},
        {U"Carlysle", "KRLL", "KRLL"},
        {U"Sugar", "XKR", "SKR"},
        {U"Smith", "SM0", "XMT"},
        {U"Schmidt", "XMT", "SMT"},
        {U"Snider", "SNTR", "XNTR"},
        {U"Schneider", "XNTR", "SNTR"},
        {U"School", "SKL", "SKL"},
        {U"Schooner", "SKNR", "SKNR"},
        {U"Schermerhorn", "XRMR", "SKRM"},
        {U"Schenker", "XNKR", "SKNK"},
        {U"Resnais", "RSN", "RSNS"},
        {U"Artois", "ART", "ARTS"},
        {U"Thomas", "TMS", "TMS"},
        {U"Thames", "TMS", "TMS"},
        {U"Wasserman", "ASRM", "FSRM"},
        {U"Vasserman", "FSRM", "FSRM"},
        {U"Uomo", "AM", "AM"},
        {U"Womo", "AM", "FM"},
        {U"Arnow", "ARN", "ARNF"},
        {U"Arnoff", "ARNF", "ARNF"},
        {U"Filipowicz", "FLPT", "FLPF"},
        {U"Breaux", "PR", "PR"},
        {U"Zhao", "J", "J"},
        {U"Xavier", "SF", "SFR"},
        {U"Catherine", "K0RN", "KTRN"},
        {U"Kathryn", "K0RN", "KTRN"},
        {U"Philip", "FLP", "FLP"},
        {U"Zhang", "JNK", "JNK"},
        {U"Wang", "ANK", "FNK"},
        {U"Li", "L", "L"},
        {U"Liu", "L", "L"},
        {U"Chen", "XN", "XN"},
        {U"Yang", "ANK", "ANK"},
        {U"Huang", "HNK", "HNK"},
        {U"Zhou", "J", "J"},
        {U"Wu", "A", "F"},
        {U"Xu", "S", "S"},
        {U"Sun", "SN", "SN"},
        {U"Ma", "M", "M"},
        {U"Zhu", "J", "J"},
        {U"Hu", "H", "H"},
        {U"Guo", "K", "K"},
        {U"He", "H", "H"},
        {U"Lin", "LN", "LN"},
        {U"Luo", "L", "L"},
        {U"Gao", "K", "K"},
        {U"Zheng", "JNK", "JNK"},
        {U"Liang", "LNK", "LNK"},
        {U"Xie", "S", "S"},
        {U"Song", "SNK", "SNK"},
        {U"Tang", "TNK", "TNK"},
        {U"Han", "HN", "HN"},
        {U"Feng", "FNK", "FNK"},
        {U"Deng", "TNK", "TNK"},
        {U"Cao", "K", "K"},
        {U"Peng", "PNK", "PNK"},
        {U"Zeng", "SNK", "SNK"},
        {U"Xiao", "S", "S"},
        {U"Tian", "XN", "XN"},
        {U"Dong", "TNK", "TNK"},
        {U"Pan", "PN", "PN"},
        {U"Yuan", "AN", "AN"},
        {U"Cai", "K", "K"},
        {U"Jiang", "JNK", "ANK"},
        {U"Yu", "A", "A"},
        {U"Du", "T", "T"},
    };
    for (const Case& c : cases) {
        const MetaphoneCodes codes = dm(c.name);
        EXPECT_EQ(codes.primary, c.primary) << usermatch::text::encode_utf8(c.name);
        EXPECT_EQ(codes.alternate, c.alternate) << usermatch::text::encode_utf8(c.name);
    }
}

// ---- byte paths (ASCII fast path of the SQL functions) against the code-point functions ----

namespace {

// Deterministic names: letters of both cases, blanks, apostrophes, hyphens, digits.
std::string random_ascii_name(std::uint64_t& state, std::size_t length) {
    static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz  '-1";
    std::string s;
    for (std::size_t i = 0; i < length; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        s.push_back(kChars[(state >> 33) % (sizeof kChars - 1)]);
    }
    return s;
}

std::u32string widen_bytes(std::string_view bytes) {
    std::u32string out;
    for (const char c : bytes) out.push_back(static_cast<unsigned char>(c));
    return out;
}

}  // namespace

TEST(PhoneticBytes, SoundexAndMetaphoneOfBytesMatchCodePoints) {
    std::vector<std::string> names = {"", "Robert", "Ashcraft", "Tymczak", "O'Brien", "Xavier", "Wasserman",
                                      "McLaughlin", "Schmidt", "zhang wei", "VAN DAM", "Caesar", "Gnome", "- 12"};
    std::uint64_t state = 42;
    for (int i = 0; i < 3000; ++i) names.push_back(random_ascii_name(state, (i % 50 == 0) ? 70 + i % 60 : i % 16));
    // Latin-1 bytes: each byte is read as its code point (Ç, Ñ, é, ß, Æ, Ø, ÿ, ×).
    names.push_back("Fran\xE7ois");
    names.push_back("Pe\xF1" "a");
    names.push_back("Ren\xE9" "e Stra\xDF" "e \xC6sop \xD8rsted \xFF \xD7");
    for (const std::string& name : names) {
        const std::u32string wide = widen_bytes(name);
        ASSERT_EQ(soundex_bytes(name), soundex(wide)) << name;
        for (std::size_t max_length : {1, 4, 12}) {
            const MetaphoneCodes from_bytes = double_metaphone_bytes(name, max_length);
            const MetaphoneCodes from_code_points = double_metaphone(wide, max_length);
            ASSERT_EQ(from_bytes.primary, from_code_points.primary) << name;
            ASSERT_EQ(from_bytes.alternate, from_code_points.alternate) << name;
        }
    }
    EXPECT_EQ(soundex_bytes("Robert"), "R163");
    EXPECT_EQ(double_metaphone_bytes("Fran\xE7ois").primary, "FRNS");
    EXPECT_THROW(double_metaphone_bytes("Smith", 0), usermatch::Error);
}
