#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace usermatch::normalize;

static std::optional<std::string> some(const char* s) { return std::string(s); }

TEST(NormalizeEmail, TrimAndLowerCase) {
    EXPECT_EQ(normalize_email(" John.Smith+news@GMail.com "), some("johnsmith@gmail.com"));
    EXPECT_EQ(normalize_email("Jane.Doe@Example.COM"), some("jane.doe@example.com"));
    EXPECT_EQ(normalize_email("\tjane@example.org\n"), some("jane@example.org"));
    EXPECT_EQ(normalize_email("a+b@example.com"), some("a+b@example.com"));  // unknown provider: kept
    EXPECT_EQ(normalize_email("\xC2\xA0jane@example.org\xE3\x80\x80 "), some("jane@example.org"));
}

TEST(NormalizeEmail, GmailRules) {
    EXPECT_EQ(normalize_email("j.o.h.n@googlemail.com"), some("john@gmail.com"));
    EXPECT_EQ(normalize_email("John+a+b@gmail.com"), some("john@gmail.com"));
    EXPECT_EQ(normalize_email("john.smith@GOOGLEMAIL.COM"), some("johnsmith@gmail.com"));
    EXPECT_EQ(normalize_email("+tag@gmail.com"), std::nullopt);  // nothing left of the mailbox
    EXPECT_EQ(normalize_email("...@gmail.com"), std::nullopt);
}

TEST(NormalizeEmail, PlusTagProviders) {
    for (const char* domain : {"outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com",
                               "fastmail.com", "protonmail.com", "proton.me"}) {
        EXPECT_EQ(normalize_email(std::string("Ann.Lee+shop@") + domain), std::string("ann.lee@") + domain) << domain;
    }
    // Not stripped: Yahoo uses '-' for disposable addresses; Chinese providers not documented.
    for (const char* domain : {"yahoo.com", "qq.com", "163.com", "126.com"}) {
        EXPECT_EQ(normalize_email(std::string("ann.lee+shop@") + domain), std::string("ann.lee+shop@") + domain)
            << domain;
    }
    EXPECT_EQ(normalize_email("ann-lee@yahoo.com"), some("ann-lee@yahoo.com"));
}

TEST(NormalizeEmail, RejectsWhatIsNotLocalAtDomain) {
    for (const char* bad : {"", "   ", "john", "john@", "@example.com", "john@example", "a@b@example.com",
                            "john smith@example.com", "john@exa mple.com", "john@.example.com", "john@example.com.",
                            "john@example..com", "john\x01@example.com", "john\xC2\xA0smith@example.com", "jo\xE2\x80\x8Bhn@example.com", "\xFF\xFE@example.com", "😀"}) {
        EXPECT_EQ(normalize_email(bad), std::nullopt) << bad;
    }
}

TEST(NormalizeEmail, InternationalAddressesAreCaseFolded) {
    EXPECT_EQ(normalize_email("Müller@Bücher.DE"), some("müller@bücher.de"));
    EXPECT_EQ(normalize_email("用户@例子.广告"), some("用户@例子.广告"));
    EXPECT_EQ(normalize_email("ΣΟΦΙΑ@example.gr"), some("σοφια@example.gr"));
}

TEST(NormalizeEmail, LengthLimit) {
    const std::string local(64, 'a');
    const std::string domain = std::string(185, 'b') + ".com";  // 64 + 1 + 189 = 254 bytes
    EXPECT_EQ(normalize_email(local + "@" + domain), local + "@" + domain);
    EXPECT_EQ(normalize_email(local + "a@" + domain), std::nullopt);  // 255 bytes
    EXPECT_EQ(normalize_email(std::string(1 << 20, 'x') + "@example.com"), std::nullopt);
}
