#include "core/engine/matcher.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"
#include "core/train/em.hpp"
#include "core/train/trainer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <optional>
#include <random>

using namespace usermatch;
using namespace usermatch::engine;
using usermatch::train::TrainOptions;
using usermatch::train::TrainResult;
using usermatch::train::kMinProbability;
using nlohmann::json;

namespace {

const char* kUsers = R"({"id": "user_id", "fields": [
    {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
    {"name": "phone", "column": "phone", "type": "phone"},
    {"name": "email", "column": "email", "type": "email"},
    {"name": "dob", "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob"]]})";

struct Generated {
    RecordStore store;
    double true_pairs = 0;
};

Generated generated(const Profile& p, std::size_t n) {
    generate::GeneratorOptions go;
    go.seed = 5;
    auto users = generate::generate_users(n, go);
    Generated g{RecordStore(p)};
    std::map<std::string, double> sizes;
    for (const auto& u : users) {
        auto raw = [](const std::optional<std::string>& v) { return v ? RawValue(*v) : RawValue(); };
        g.store.append(u.user_id, {raw(u.full_name), raw(u.phone), raw(u.email), raw(u.birth_date)});
        sizes[u.entity_id] += 1;
    }
    for (const auto& [e, k] : sizes) g.true_pairs += k * (k - 1) / 2;
    return g;
}

const Level& level(const Profile& p, const std::string& field, const std::string& name) {
    for (const Field& f : p.fields)
        if (f.name == field)
            for (const Level& l : f.levels)
                if (l.name == name) return l;
    throw std::runtime_error("no level " + field + "." + name);
}

}  // namespace

TEST(TrainTrainer, LearnsPlausibleWeightsAndPriorOnGeneratedUsers) {
    Profile p = parse_profile(kUsers);
    Generated g = generated(p, 4000);
    TrainOptions o;
    o.threads = 2;
    o.max_pairs = 200000;
    TrainResult r = train::train(p, g.store, nullptr, o);
    json s = json::parse(r.summary_json);
    EXPECT_EQ(s["mode"], "dedupe");
    EXPECT_EQ(s["u"]["pairs_sampled"], 200000);
    EXPECT_EQ(s["rules"].size(), 3u);
    EXPECT_EQ(s["rules"][0]["fixed_fields"], json::array({"phone"}));
    EXPECT_TRUE(s["converged"].get<bool>()) << r.summary_json;
    // Exact phone agreement: common among matches, rare among random pairs.
    EXPECT_GT(level(r.profile, "phone", "exact").m, 0.6);
    EXPECT_LT(level(r.profile, "phone", "exact").u, 1e-3);
    EXPECT_GT(level(r.profile, "name", "else").u, 0.9);
    // The estimated prior is within a factor 1.5 of the truth.
    const double truth = g.true_pairs / (4000.0 * 3999 / 2);
    ASSERT_FALSE(r.kept_current) << r.summary_json;
    ASSERT_TRUE(r.profile.prior.has_value());
    EXPECT_GT(*r.profile.prior, truth / 1.5);
    EXPECT_LT(*r.profile.prior, truth * 1.5);
    // The result is a valid profile again.
    Profile back = parse_profile(profile_to_json(r.profile));
    EXPECT_DOUBLE_EQ(back.fields[1].levels[0].m, r.profile.fields[1].levels[0].m);
    // Term frequencies only for the tf field.
    EXPECT_TRUE(r.term_frequencies.has_field(0));
    EXPECT_FALSE(r.term_frequencies.has_field(1));
    EXPECT_EQ(s["term_frequencies"].size(), 1u);
}

TEST(TrainTrainer, RepeatableForASeedAndAnyThreadCount) {
    Profile p = parse_profile(kUsers);
    Generated g = generated(p, 1500);
    TrainOptions o;
    o.max_pairs = 50000;
    o.threads = 1;
    std::string a = profile_to_json(train::train(p, g.store, nullptr, o).profile);
    o.threads = 2;
    std::string b = profile_to_json(train::train(p, g.store, nullptr, o).profile);
    EXPECT_EQ(a, b);
    o.seed = 43;
    EXPECT_NE(a, profile_to_json(train::train(p, g.store, nullptr, o).profile));
}

TEST(TrainTrainer, OneRowTableKeepsTheProfileAndWarns) {
    Profile p = parse_profile(kUsers);
    RecordStore s(p);
    s.append("1", {RawValue("张伟"), RawValue("13812345678"), RawValue("a@b.cn"), RawValue("1990-01-01")});
    TrainResult r = train::train(p, s, nullptr);
    json j = json::parse(r.summary_json);
    EXPECT_EQ(j["u"]["pairs_sampled"], 0);
    EXPECT_FALSE(r.profile.prior.has_value());
    EXPECT_EQ(profile_to_json(r.profile), profile_to_json(p));
    EXPECT_NE(r.summary_json.find("fewer than two records"), std::string::npos);
    EXPECT_EQ(r.summary_json.find("NaN"), std::string::npos);
    EXPECT_EQ(r.summary_json.find("null,"), std::string::npos);
}

TEST(TrainTrainer, AlwaysNullFieldKeepsItsProbabilities) {
    Profile p = parse_profile(kUsers);
    RecordStore s(p);
    const char* names[] = {"张伟", "李娜", "王芳", "Zhang Wei", "John Smith", "刘洋"};
    for (int i = 0; i < 60; ++i)
        s.append(std::to_string(i), {RawValue(names[i % 6]), RawValue("1381234" + std::to_string(5000 + i / 2)),
                                     RawValue(), RawValue("1990-01-" + std::to_string(10 + i % 6))});
    TrainResult r = train::train(p, s, nullptr);
    const Field& email = r.profile.fields[2];
    for (std::size_t l = 0; l < email.levels.size(); ++l) {
        EXPECT_EQ(email.levels[l].m, p.fields[2].levels[l].m);
        EXPECT_EQ(email.levels[l].u, p.fields[2].levels[l].u);
    }
    EXPECT_NE(r.summary_json.find("field email: no sampled pair has both values; u kept"), std::string::npos);
    for (const Field& f : r.profile.fields)
        for (const Level& l : f.levels) {
            EXPECT_TRUE(l.m >= kMinProbability && l.m <= 1 - kMinProbability) << f.name << "." << l.name;
            EXPECT_TRUE(l.u >= kMinProbability && l.u <= 1 - kMinProbability) << f.name << "." << l.name;
        }
    // Either the new estimate with a finite prior, or (held-back check) the input profile unchanged.
    if (r.kept_current) EXPECT_EQ(profile_to_json(r.profile), profile_to_json(p));
    else ASSERT_TRUE(r.profile.prior.has_value() && std::isfinite(*r.profile.prior));
}

TEST(TrainTrainer, LevelNeverSeenGetsTheFloorAndIsReported) {
    Profile p = parse_profile(kUsers);
    RecordStore s(p);
    // 40 distinct phones (no phone pair agrees or is one edit apart).
    for (int i = 0; i < 40; ++i)
        s.append(std::to_string(i), {RawValue(i % 2 ? "张伟" : "李娜"), RawValue("13" + std::to_string(100000000 + i * 7919357)),
                                     RawValue("u" + std::to_string(i) + "@x.cn"), RawValue("1990-01-01")});
    TrainOptions o;
    TrainResult r = train::train(p, s, nullptr, o);
    json j = json::parse(r.summary_json);
    EXPECT_TRUE(j["u"]["exhaustive"].get<bool>());
    EXPECT_EQ(j["u"]["pairs_sampled"], 40 * 39 / 2);
    const json& phone_exact = j["fields"][1]["levels"][0];
    EXPECT_TRUE(phone_exact["u_floor"].get<bool>());
    EXPECT_NEAR(phone_exact["u"].get<double>(), 1.0 / (2 * 780), 1e-5);
    EXPECT_NE(r.summary_json.find("field phone level exact: never reached"), std::string::npos);
}

TEST(TrainTrainer, LinkSamplesLeftTimesRight) {
    Profile p = parse_profile(kUsers);
    RecordStore a(p), b(p);
    for (int i = 0; i < 30; ++i) {
        std::string phone = "1381234" + std::to_string(1000 + i);
        a.append("a" + std::to_string(i), {RawValue("Li Na"), RawValue(phone), RawValue(), RawValue("1990-01-01")});
        b.append("b" + std::to_string(i), {RawValue("Li Na"), RawValue(phone), RawValue(), RawValue("1991-01-01")});
    }
    TrainResult r = train::train(p, a, &b);
    json j = json::parse(r.summary_json);
    EXPECT_EQ(j["mode"], "link");
    EXPECT_EQ(j["u"]["pairs_sampled"], 900);
    // 30 of the 900 sampled pairs share the phone, and they are the 30 matches: with the model's
    // expected matches taken out, u (agreement among non-matches) is well below 30 / 900.
    ASSERT_TRUE(j["u"].contains("matches_taken_out")) << r.summary_json;
    EXPECT_LT(j["fields"][1]["levels"][0]["u"].get<double>(), 30.0 / 900 / 3);
    EXPECT_GT(j["fields"][1]["levels"][0]["u"].get<double>(), 0.0);
    EXPECT_EQ(j["rules"][0]["candidate_pairs"], 30);
}

namespace {

// Voters in towns: the suburb follows the postcode (three postcodes a suburb), so among non-matches
// the two agree together far more often than independence predicts; names are independent of place.
const char* kVoters = R"({"id": "id", "fields": [
    {"name": "given", "column": "given", "type": "person_name"},
    {"name": "surname", "column": "surname", "type": "person_name"},
    {"name": "suburb", "column": "suburb", "type": "text"},
    {"name": "postcode", "column": "postcode", "type": "exact"}],
  "blocking": [["given.soundex", "surname.soundex"], ["surname.soundex", "postcode"], ["given.prefix3", "postcode"]]})";

std::string word(std::uint64_t k, std::size_t len) {
    std::string s;
    for (std::size_t i = 0; i < len; ++i, k /= 7) s += static_cast<char>('a' + (k * 5 + i * 3) % 26);
    return s;
}

RecordStore voters(const Profile& p) {
    RecordStore s(p);
    std::uint64_t x = 12345;
    auto next = [&x] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL, x >> 33; };
    for (int person = 0; person < 3000; ++person) {
        const std::string given = word(next() % 300, 6), surname = word(1000 + next() % 800, 7);
        const std::uint64_t code = next() % 60;
        const std::string postcode = std::to_string(27000 + code), suburb = "town" + word(code / 3, 5);  // 3 postcodes a suburb
        s.append("p" + std::to_string(person), {RawValue(given), RawValue(surname), RawValue(suburb), RawValue(postcode)});
        if (person % 3 == 0)  // a second record, the given name sometimes misspelt
            s.append("q" + std::to_string(person), {RawValue(person % 9 == 0 ? given + "x" : given), RawValue(surname),
                                                    RawValue(suburb), RawValue(postcode)});
    }
    return s;
}

}  // namespace

TEST(TrainTrainer, DampsAFieldThatFollowsAMoreSelectiveOne) {
    Profile p = parse_profile(kVoters);
    RecordStore s = voters(p);
    TrainOptions plain;
    plain.dampen_correlation = false;
    TrainResult damped = train::train(p, s, nullptr), undamped = train::train(p, s, nullptr, plain);
    ASSERT_FALSE(damped.kept_current);
    ASSERT_FALSE(undamped.kept_current);
    const json summary = json::parse(damped.summary_json);
    ASSERT_TRUE(summary.contains("correlated_fields")) << damped.summary_json;
    bool suburb = false;
    for (const auto& c : summary["correlated_fields"]) {
        EXPECT_NE(c["field"], "given");  // names do not follow the place
        EXPECT_NE(c["field"], "surname");
        if (c["field"] == "suburb") {
            suburb = true;
            EXPECT_EQ(c["with"], "postcode");
            EXPECT_GT(c["lift"].get<double>(), 10);
        }
    }
    EXPECT_TRUE(suburb) << summary["correlated_fields"].dump();
    // Agreeing on the suburb adds (almost) nothing once the postcode has been counted.
    const Level& exact = level(damped.profile, "suburb", "exact");
    EXPECT_LT(std::log2(exact.m / exact.u), 1.0);
    EXPECT_GT(std::log2(level(undamped.profile, "suburb", "exact").m / level(undamped.profile, "suburb", "exact").u), 3.0);
    EXPECT_FALSE(json::parse(undamped.summary_json).contains("correlated_fields"));
}

namespace {
// 400 people, four records each (as splink_fake_1000): the fourth has a typo in the given name
// and its e-mail at `fourth_domain`; the third has no phone.
RecordStore four_records_a_person(const Profile& p, const std::string& fourth_domain) {
    RecordStore s(p);
    for (int person = 0; person < 400; ++person)
        for (int copy = 0; copy < 4; ++copy)
            s.append(std::to_string(person) + "-" + std::to_string(copy),
                     {RawValue(word(person * 7 + (copy == 3), 6) + " " + word(500 + person, 7)),
                      copy == 2 ? RawValue() : RawValue("1381234" + std::to_string(1000 + person)),
                      RawValue(word(person, 8) + (copy == 3 ? fourth_domain : "@example.com")),
                      RawValue("19" + std::to_string(50 + person % 40) + "-0" + std::to_string(1 + person % 9) + "-1" +
                               std::to_string(person % 10))});
    return s;
}
}  // namespace

TEST(TrainTrainer, CoAgreementOfMatchesIsNotDamped) {
    // Four records a person (as splink_fake_1000): most random pairs agreeing on email and date of
    // birth are the same person, and that is no correlation among non-matches.
    Profile p = parse_profile(kUsers);
    RecordStore s = four_records_a_person(p, "@example.com");
    TrainResult r = train::train(p, s, nullptr);
    const json summary = json::parse(r.summary_json);
    if (summary.contains("correlated_fields"))
        for (const auto& c : summary["correlated_fields"]) {
            EXPECT_NE(c["field"], "dob") << r.summary_json;
            EXPECT_NE(c["field"], "email") << r.summary_json;
            EXPECT_NE(c["field"], "phone") << r.summary_json;
        }
}

TEST(TrainTrainer, MatchesAmongTheRandomPairsAreTakenOutOfU) {
    // Four records a person in 1,600: every pair of the table is sampled, and every sampled pair that
    // agrees on the email is one person's. The share of random pairs agreeing on it (3 x 400 pairs
    // of 1,279,200, 0.00094) is the matches', not chance: u must come out near the floor.
    Profile p = parse_profile(kUsers);
    RecordStore s = four_records_a_person(p, "@other.org");
    TrainOptions o;
    o.max_pairs = 2000000;  // exhaustive: 1,279,200 pairs
    TrainResult r = train::train(p, s, nullptr, o);
    const json summary = json::parse(r.summary_json);
    ASSERT_FALSE(r.kept_current) << r.summary_json;
    ASSERT_TRUE(summary["u"]["exhaustive"].get<bool>());
    ASSERT_TRUE(summary["u"].contains("matches_taken_out")) << r.summary_json;
    // Observed: email 3 x 400 agreeing pairs of all 1,279,200; phone (NULL in one copy) 3 x 400 of
    // the 1200 x 1199 / 2 pairs with both. The estimated prior is a little low, so a little is left.
    const double email_observed = 3.0 * 400 / (1600.0 * 1599 / 2), phone_observed = 3.0 * 400 / (1200.0 * 1199 / 2);
    EXPECT_LT(level(r.profile, "email", "exact").u, email_observed / 10) << r.summary_json;
    EXPECT_LT(level(r.profile, "phone", "exact").u, phone_observed / 4) << r.summary_json;
    double sum = 0;
    for (const Field& f : r.profile.fields)
        if (f.name == "email")
            for (const Level& l : f.levels) sum += l.u;
    EXPECT_NEAR(sum, 1.0, 1e-4);
}

TEST(TrainTrainer, ChangedContactsDoNotMakeAOneClassRunCollapse) {
    // A rule on the email: every pair in its blocks is one person, who changed phone number in 40% of
    // them (contacts change between records, names and birth dates do not). The run is a true
    // one-class run and its m must count; before, the phone's m("else") = 0.4 > 0.2 marked it
    // collapsed.
    Profile p = parse_profile(R"({"id": "user_id", "fields": [
        {"name": "name", "column": "full_name", "type": "person_name"},
        {"name": "phone", "column": "phone", "type": "phone"},
        {"name": "email", "column": "email", "type": "email"},
        {"name": "dob", "column": "birth_date", "type": "date"}],
      "blocking": [["email"], ["name.sorted_tokens", "dob"]]})");
    RecordStore s(p);
    for (int person = 0; person < 500; ++person)
        for (int copy = 0; copy < 2; ++copy)
            s.append(std::to_string(person) + "-" + std::to_string(copy),
                     {RawValue(word(person * 7, 6) + " " + word(900 + person, 7)),
                      RawValue("13" + std::to_string(812340000 + person * 13 + (copy == 1 && person % 5 < 2 ? 7 : 0))),
                      RawValue(word(person, 8) + "@example.com"),
                      RawValue("19" + std::to_string(50 + person % 40) + "-0" + std::to_string(1 + person % 9) + "-1" +
                               std::to_string(person % 10))});
    TrainResult r = train::train(p, s, nullptr);
    const json summary = json::parse(r.summary_json);
    ASSERT_EQ(summary["rules"].size(), 2u);
    const json& email_rule = summary["rules"][0];
    EXPECT_GT(email_rule["match_share"].get<double>(), 0.95) << email_rule.dump();
    EXPECT_GT(email_rule["m_else"]["phone"].get<double>(), 0.25) << email_rule.dump();
    EXPECT_FALSE(email_rule["collapsed"].get<bool>()) << email_rule.dump();
    // The phone's m comes from that run: 40% of the matches disagree on it (30% completely, the rest
    // by one digit); the default m("else") is 0.05.
    EXPECT_GT(level(r.profile, "phone", "else").m, 0.25) << r.summary_json;
}

// Namesakes whose addresses are spelt from their common name (annasmith12@ / anna.smith77@): the
// e-mail's fuzzy level holds for them far more often than for random pairs, and the trained u of
// that level is the one measured among the pairs agreeing on the name. A field holding one name
// part does not count as spelling the address.
namespace {
const char* kSyllables[] = {"an", "be", "ca", "do", "el", "fi", "go", "ha", "in", "jo", "ka", "lu", "ma", "no", "pe", "ri"};

RecordStore namesakes(const Profile& p, bool full_name) {
    RecordStore s(p);
    std::mt19937_64 rng(17);
    auto syl = [&] { return std::string(kSyllables[rng() % 16]); };
    int id = 0;
    for (int n = 0; n < 300; ++n) {
        const std::string first = syl() + syl() + "a", last = syl() + syl() + syl();
        for (int person = 0; person < 4; ++person) {
            const char* sep[] = {"", ".", "_"};
            const std::string email = first + sep[rng() % 3] + last + std::to_string(10 + rng() % 90) + "@mail.example";
            const std::string dob = std::to_string(1950 + rng() % 50) + "-0" + std::to_string(1 + rng() % 9) + "-1" +
                                    std::to_string(rng() % 10);
            const int copies = rng() % 3 == 0 ? 2 : 1;
            for (int c = 0; c < copies; ++c)
                s.append("r" + std::to_string(id++), {RawValue(full_name ? first + " " + last : first), RawValue(email), RawValue(dob)});
        }
    }
    return s;
}
}  // namespace

TEST(TrainTrainer, EmailLevelsTakeTheirChanceAgreementAmongNamesakes) {
    const char* spec = R"({"id": "id", "fields": [
        {"name": "name", "column": "name", "type": "person_name"},
        {"name": "email", "column": "email", "type": "email"},
        {"name": "dob", "column": "dob", "type": "date"}],
      "blocking": [["email"], ["name", "dob.year"], ["name.prefix3", "dob"]]})";
    const Profile p = parse_profile(spec);
    const RecordStore s = namesakes(p, true);
    TrainResult r = train::train(p, s, nullptr);
    ASSERT_FALSE(r.kept_current) << r.summary_json;
    const json summary = json::parse(r.summary_json);
    ASSERT_TRUE(summary.contains("email_given_name")) << r.summary_json;
    bool fuzzy = false;
    for (const auto& e : summary["email_given_name"]) {
        EXPECT_EQ(e["given"], "name");
        if (e["level"] == "local_jw>=0.88") {
            fuzzy = true;
            // Most namesakes' addresses are alike: the conditional u reaches the level's m (at most),
            // so the level adds nothing to a pair that already agrees on the name.
            EXPECT_GT(e["u_given_name"].get<double>(), 20 * e["u"].get<double>());
            const Level& l = level(r.profile, "email", "local_jw>=0.88");
            EXPECT_DOUBLE_EQ(l.u, e["u_given_name"].get<double>());
            EXPECT_LT(std::log2(l.m / l.u), 0.01);
        }
    }
    EXPECT_TRUE(fuzzy) << summary["email_given_name"].dump();
    // The same with only a first name in the name field: nothing conditioned.
    const RecordStore first_only = namesakes(p, false);
    const TrainResult f = train::train(p, first_only, nullptr);
    EXPECT_FALSE(json::parse(f.summary_json).contains("email_given_name")) << f.summary_json;
    // dampen_correlation = false turns it off.
    TrainOptions plain;
    plain.dampen_correlation = false;
    EXPECT_FALSE(json::parse(train::train(p, s, nullptr, plain).summary_json).contains("email_given_name"));
}

namespace {
// An EM run that estimated m("else") = the given value on each field (nullopt: the field was fixed).
train::EmResult run_with_else(std::vector<std::optional<double>> m_else) {
    train::EmResult e;
    e.iterations = 10;
    for (const auto& v : m_else) {
        e.estimated.push_back(v.has_value());
        e.m.push_back(v ? std::vector<double>{1 - *v, *v} : std::vector<double>{1, 0});
    }
    return e;
}
}  // namespace

TEST(TrainTrainer, ARunThatLearntHouseholdsIsTold) {
    // The figures of the real runs quoted in em.hpp. Fields: given name, surname, suburb, postcode.
    const std::vector<bool> names_stable = {true, true, false, false};
    // NC voters 40%, suggested profile: the rules on the given name and on the surname alone, then
    // surname initials + postcode and given-name initials + postcode, whose "matches" are households.
    const std::vector<train::EmResult> nc = {
        run_with_else({std::nullopt, 0.0009, 0.0011, 0.000001}), run_with_else({0.0255, std::nullopt, 0.0012, 0.000001}),
        run_with_else({0.39, std::nullopt, 0.000001, std::nullopt}), run_with_else({std::nullopt, 0.369, 0.000001, std::nullopt})};
    EXPECT_FALSE(train::household_field(nc, 0, names_stable));
    EXPECT_FALSE(train::household_field(nc, 1, names_stable));
    EXPECT_EQ(train::household_field(nc, 2, names_stable), std::optional<std::size_t>(0));
    EXPECT_EQ(train::household_field(nc, 3, names_stable), std::optional<std::size_t>(1));
    // Not on a place: addresses and postcodes change between one person's records.
    EXPECT_FALSE(train::household_field(nc, 2, {false, false, false, false}));
    // FEBRL: the matches really differ on the given name, under every rule alike.
    const std::vector<train::EmResult> febrl = {run_with_else({0.124, std::nullopt}), run_with_else({0.228, 0.18}),
                                                run_with_else({0.221, 0.18}), run_with_else({0.220, 0.17})};
    for (std::size_t r = 0; r < febrl.size(); ++r) EXPECT_FALSE(train::household_field(febrl, r, {true, true})) << r;
    // splink_fake_1000: one rule's blocking selects cleaner pairs (0.014); the noisiest (0.241) is
    // within 8 times the median of the others.
    const std::vector<train::EmResult> fake = {run_with_else({0.163}), run_with_else({0.241}), run_with_else({0.061}),
                                               run_with_else({0.176}), run_with_else({0.014})};
    for (std::size_t r = 0; r < fake.size(); ++r) EXPECT_FALSE(train::household_field(fake, r, {true})) << r;
    // One rule's run on the plain u against its run on the damped u (a second train of NC voters 40%).
    EXPECT_EQ(train::household_field({run_with_else({0.0007}), run_with_else({0.40})}, 1, {true}),
              std::optional<std::size_t>(0));
    EXPECT_FALSE(train::household_field({run_with_else({0.20}), run_with_else({0.23})}, 1, {true}));
    // A collapsed run (one class, "else" 0.9) is not a reference: it would hide the household run.
    const std::vector<train::EmResult> with_collapsed = {run_with_else({0.03}), run_with_else({0.39}),
                                                         run_with_else({0.9})};
    EXPECT_FALSE(train::household_field(with_collapsed, 1, {true}));
    EXPECT_EQ(train::household_field(with_collapsed, 1, {true}, {true, true, false}), std::optional<std::size_t>(0));
    // A run alone, or a field no other run estimated, has nothing to be compared with.
    EXPECT_FALSE(train::household_field({run_with_else({0.9})}, 0, {true}));
    EXPECT_FALSE(train::household_field(nc, 7, names_stable));
}

TEST(TrainTrainer, HouseholdContactsGetTheirChanceAgreementGivenTheSharedPhone) {
    // The realistic generator's households share a phone, a city and an address. Among the
    // candidate pairs sharing a phone that the rest of the evidence calls non-matches, the city
    // agrees far more often than its u: train gives it an interaction, and the trained model with
    // it scores better than without.
    Profile p = parse_profile(R"({"id": "user_id", "fields": [
        {"name": "name", "column": "full_name", "type": "person_name"},
        {"name": "phone", "column": "phone", "type": "phone"},
        {"name": "dob", "column": "birth_date", "type": "date", "date_order": "auto"},
        {"name": "city", "column": "city", "type": "text", "normalize": "city"},
        {"name": "address", "column": "address", "type": "text", "normalize": "address"}],
      "blocking": [["phone"], ["name.sorted_tokens", "city"], ["name.pinyin_initials", "dob"]]})");
    generate::GeneratorOptions go;
    go.seed = 11;
    go.preset = generate::Preset::Realistic;
    RecordStore s(p);
    std::vector<std::string> entity;
    for (const auto& u : generate::generate_users(8000, go)) {
        auto raw = [](const std::optional<std::string>& v) { return v ? RawValue(*v) : RawValue(); };
        s.append(u.user_id, {raw(u.full_name), raw(u.phone), raw(u.birth_date), raw(u.city), raw(u.address)});
        entity.push_back(u.entity_id);
    }
    const TrainResult r = train::train(p, s, nullptr);
    ASSERT_FALSE(r.kept_current) << r.summary_json;
    const json summary = json::parse(r.summary_json);
    ASSERT_TRUE(summary.contains("interactions")) << r.summary_json;
    bool city = false;
    for (const json& in : summary["interactions"]) {
        EXPECT_EQ(in["given"], "phone") << in.dump();  // the only household contact with a rule of its own
        EXPECT_NE(in["field"], "name");                // names and dates are left alone
        EXPECT_NE(in["field"], "dob");
        if (in["field"] == "city") {
            city = true;
            EXPECT_GT(in["u"]["exact"].get<double>(), 0.5) << in.dump();
            EXPECT_LT(in["u_alone"]["exact"].get<double>(), 0.05) << in.dump();
        }
    }
    EXPECT_TRUE(city) << summary["interactions"].dump();
    ASSERT_FALSE(r.profile.interactions.empty());
    // Pairwise F1 at the trained threshold, with the interactions and without.
    auto f1 = [&](const Profile& q) {
        RunOptions opt;
        opt.min_probability = q.threshold;
        double tp = 0, predicted = 0;
        run(q, s, nullptr, opt, [&](const MatchResult* m, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i, ++predicted) tp += entity[m[i].left] == entity[m[i].right];
        });
        std::map<std::string, double> sizes;
        for (const auto& e : entity) sizes[e] += 1;
        double truth = 0;
        for (const auto& [e, k] : sizes) truth += k * (k - 1) / 2;
        return 2 * tp / (predicted + truth);
    };
    Profile plain = r.profile;
    plain.interactions.clear();
    EXPECT_GT(f1(r.profile), f1(plain) + 0.005);
}
