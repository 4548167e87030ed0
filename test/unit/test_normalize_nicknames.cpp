#include "core/normalize/normalize.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace usermatch::normalize;

TEST(NormalizeNickname, CommonNicknames) {
    const std::pair<const char*, const char*> cases[] = {
        {"bill", "william"},    {"will", "william"},       {"billy", "william"},  {"liam", "william"},
        {"bob", "robert"},      {"rob", "robert"},         {"bobby", "robert"},   {"liz", "elizabeth"},
        {"beth", "elizabeth"},  {"betty", "elizabeth"},    {"eliza", "elizabeth"}, {"peggy", "margaret"},
        {"maggie", "margaret"}, {"jim", "james"},          {"jimmy", "james"},    {"dick", "richard"},
        {"rick", "richard"},    {"abbie", "abigail"},      {"zeke", "ezekiel"},   {"wm", "william"},
        {"chris", "christopher"}, {"kate", "katherine"},   {"pepe", "jose"},      {"zak", "zachary"},
    };
    for (const auto& [nick, formal] : cases) EXPECT_EQ(canonical_given_name(nick), formal) << nick;
}

TEST(NormalizeNickname, UnknownOrFormalNamesComeBackUnchanged) {
    for (const char* s : {"william", "zhang", "wei", "", "a", "zzzzzz", "Bill", "bil", "bills", "al", "pat"}) {
        EXPECT_EQ(canonical_given_name(s), s) << s;
    }
    const std::string token = "unknown";
    EXPECT_EQ(canonical_given_name(token).data(), token.data());  // a view of the input itself
    const std::string big(1 << 20, 'b');
    EXPECT_EQ(canonical_given_name(big).size(), big.size());
}

TEST(NormalizeNickname, WorksOnNormalisedNames) {
    EXPECT_EQ(canonical_given_name(normalize_name("  BILL ")), "william");
    EXPECT_EQ(canonical_given_name(normalize_name("Pépé")), "jose");
}
