#include "core/text/utf8.hpp"

#include <gtest/gtest.h>

using namespace usermatch::text;

TEST(Utf8, RoundTripsCjkCombiningAndEmoji) {
    const std::string s = "张伟 e\xCC\x81 \xF0\x9F\x98\x80";  // 张伟, e + combining acute, 😀
    auto cps = decode_utf8(s);
    ASSERT_EQ(cps.size(), 7u);
    EXPECT_EQ(cps[0], U'张');
    EXPECT_EQ(cps[4], U'\u0301');
    EXPECT_EQ(cps[6], U'\U0001F600');
    EXPECT_EQ(encode_utf8(cps), s);
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacter) {
    EXPECT_EQ(decode_utf8("a\xFF" "b"), std::u32string(U"a\uFFFDb"));
    EXPECT_EQ(decode_utf8("\xE5\xBC"), std::u32string(U"\uFFFD\uFFFD"));  // truncated
    EXPECT_EQ(decode_utf8("\xC0\xAF"), std::u32string(U"\uFFFD\uFFFD"));  // overlong '/'
    EXPECT_EQ(decode_utf8("\xED\xA0\x80").size(), 3u);                    // surrogate
}

TEST(Utf8, EmptyAndAscii) {
    EXPECT_TRUE(decode_utf8("").empty());
    EXPECT_TRUE(is_ascii("Smith"));
    EXPECT_FALSE(is_ascii("Smyth\xC3\xA9"));
}
