#include "core/engine/matcher.hpp"
#include "core/engine/scorer.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <set>
#include <thread>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "dob", "column": "dob", "type": "date"},
    {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"], ["name.pinyin_initials", "dob.year"]]})";

void add(RecordStore& s, const std::string& id, RawValue n, RawValue d, RawValue p) { s.append(id, {n, d, p}); }

}  // namespace

TEST(EngineMatcher, DedupeFindsTheSamePersonAcrossScripts) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    add(s, "1", "张伟", "1990-03-15", "13812345678");
    add(s, "2", "Zhang Wei", "15/03/1990", "+86 138-1234-5678");
    add(s, "3", "Zhang Wei", "1990-07-01", "13999999999");  // same name, other person
    add(s, "4", "Li Na", "1985-01-01", "13812345678");      // shares only the phone
    std::vector<MatchResult> got;
    RunOptions opt;
    opt.threads = 2;
    RunStats st = run(p, s, nullptr, opt, [&](const MatchResult* r, std::size_t n) { got.insert(got.end(), r, r + n); });
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].left, 0u);
    EXPECT_EQ(got[0].right, 1u);
    EXPECT_GE(got[0].match_probability, 0.9);
    EXPECT_NEAR(got[0].match_probability, Scorer::probability(got[0].match_weight), 1e-12);
    EXPECT_EQ(st.left_records, 4u);
    EXPECT_DOUBLE_EQ(st.prior, 0.25);
    EXPECT_EQ(st.candidate_pairs, st.pairs_scored);
    EXPECT_EQ(st.candidate_pairs, 5u);  // phone: (1,2),(1,4),(2,4); name+year: (1,3),(2,3)
    EXPECT_EQ(st.pairs_emitted, 1u);
    EXPECT_GT(st.peak_memory_bytes, 0u);
}

TEST(EngineMatcher, MinProbabilityZeroEmitsEveryCandidate) {
    Profile p = parse_profile(kProfile);
    p.prior = 0.0001;
    RecordStore s(p);
    add(s, "1", "Li Na", "1985-06-07", "13812345678");
    add(s, "2", "Wang Fang", "1970-01-01", "13812345678");
    std::size_t emitted = 0;
    run(p, s, nullptr, RunOptions{}, [&](const MatchResult*, std::size_t n) { emitted += n; });
    EXPECT_EQ(emitted, 0u);  // below the threshold
    RunOptions opt;
    opt.min_probability = 0.0;
    std::vector<MatchResult> got;
    run(p, s, nullptr, opt, [&](const MatchResult* r, std::size_t n) { got.insert(got.end(), r, r + n); });
    ASSERT_EQ(got.size(), 1u);
    EXPECT_LT(got[0].match_probability, 0.5);
}

TEST(EngineMatcher, LinkModeAndDeterministicOrderAcrossThreadCounts) {
    Profile p = parse_profile(kProfile);
    RecordStore l(p), r(p);
    for (int i = 0; i < 3000; ++i) {
        std::string phone = "138" + std::to_string(10000000 + i);
        add(l, "l" + std::to_string(i), RawValue("Person " + std::to_string(i % 97)), RawValue("1980-01-01"), RawValue(phone));
        add(r, "r" + std::to_string(i), RawValue("Person " + std::to_string(i % 97)), RawValue("1980-01-01"), RawValue(phone));
    }
    auto collect = [&](unsigned threads, std::size_t chunk) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
        RunOptions opt;
        opt.threads = threads;
        opt.chunk_pairs = chunk;
        run(p, l, &r, opt, [&](const MatchResult* rows, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) got.push_back({rows[i].left, rows[i].right});
        });
        return got;
    };
    auto one = collect(1, 1000), two = collect(2, 777);
    using PairSet = std::set<std::pair<std::uint32_t, std::uint32_t>>;
    EXPECT_EQ(PairSet(one.begin(), one.end()), PairSet(two.begin(), two.end()));
    EXPECT_EQ(one, collect(2, 1000));  // same chunking -> same order regardless of threads
    // Every l_i - r_i pair (same phone, name, dob) is found.
    std::set<std::pair<std::uint32_t, std::uint32_t>> s(one.begin(), one.end());
    for (std::uint32_t i = 0; i < 3000; ++i) EXPECT_TRUE(s.count({i, i})) << i;
}

TEST(EngineMatcher, KeepGoingFalseCancelsAndCallbacksStayOnCallingThread) {
    Profile p = parse_profile(R"({"id": "id", "fields": [{"name": "n", "column": "n", "type": "text"}],
        "blocking": [["n.first_token"]], "max_block_size": 100000})");
    RecordStore s(p);
    for (int i = 0; i < 6000; ++i) s.append(std::to_string(i), {RawValue("same " + std::to_string(i))});
    const auto caller = std::this_thread::get_id();
    std::atomic<int> calls{0};
    bool foreign_thread = false;
    RunOptions opt;
    opt.threads = 2;
    opt.min_probability = 0.0;
    opt.chunk_pairs = 1u << 24;  // one huge chunk: cancellation must interrupt the workers
    auto t0 = std::chrono::steady_clock::now();
    try {
        run(p, s, nullptr, opt,
            [&](const MatchResult*, std::size_t) { foreign_thread |= std::this_thread::get_id() != caller; },
            [&]() {
                foreign_thread |= std::this_thread::get_id() != caller;
                return ++calls < 3;
            });
        FAIL() << "expected cancellation";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_FALSE(foreign_thread);
    EXPECT_GE(calls.load(), 3);
    EXPECT_LT(secs, 5.0);  // 18M pairs would take far longer without the stop
}

TEST(EngineMatcher, StoreOfAnotherProfileIsRejected) {
    Profile p = parse_profile(kProfile);
    Profile q = parse_profile(R"({"id": "id", "fields": [{"name": "n", "column": "n", "type": "text"}],
        "blocking": [["n"]]})");
    RecordStore s(q);
    EXPECT_THROW(run(p, s, nullptr, RunOptions{}, [](const MatchResult*, std::size_t) {}), Error);
}

TEST(EngineMatcher, AnInteractionLowersAFieldOnlyWhenItsGivenFieldAgrees) {
    // city given phone: among non-matches sharing a phone, 90% share the city.
    const char* spec = R"({"id": "id", "fields": [
        {"name": "name", "column": "name", "type": "person_name"},
        {"name": "phone", "column": "phone", "type": "phone"},
        {"name": "city", "column": "city", "type": "text"}],
      "blocking": [["phone"], ["city"]],
      "interactions": [{"field": "city", "given": "phone", "u": {"exact": 0.9}}]})";
    Profile with = parse_profile(spec), without = with;
    without.interactions.clear();
    RecordStore s(with);
    s.append("1", {RawValue("Helen Allen"), RawValue("13812345678"), RawValue("Chicago")});
    s.append("2", {RawValue("Stephen Allen"), RawValue("13812345678"), RawValue("Chicago")});  // same phone and city
    s.append("3", {RawValue("Helen Allen"), RawValue("13999999999"), RawValue("Chicago")});    // same city only
    const double prior = effective_prior(with, 3, 3);  // as the run below uses
    const Scorer a(with, prior), b(without, prior);
    const Level& exact = with.fields[2].levels[0];
    // Phone and city agree: the city weighs log2(m / 0.9) instead of log2(m / u).
    EXPECT_NEAR(a.weight(s, 0, s, 1) - b.weight(s, 0, s, 1), std::log2(exact.u / 0.9), 1e-9);
    EXPECT_LT(a.weight(s, 0, s, 1), b.weight(s, 0, s, 1) - 5);
    // Only the city agrees: no change.
    EXPECT_DOUBLE_EQ(a.weight(s, 0, s, 2), b.weight(s, 0, s, 2));
    // The pruning form gives the same weight, and the same answer at any bound.
    for (double bound : {-100.0, a.weight(s, 0, s, 1) - 0.5, a.weight(s, 0, s, 1) + 0.5}) {
        double w = 0;
        const bool kept = a.weight_at_least(s, 0, s, 1, bound, w);
        EXPECT_EQ(kept, a.weight(s, 0, s, 1) >= bound) << bound;
        if (kept) EXPECT_NEAR(w, a.weight(s, 0, s, 1), 1e-9);
    }
    // The run applies it: with the interaction the household pair falls below a threshold the
    // plain model passes.
    RunOptions opt;
    opt.min_probability = Scorer::probability(b.weight(s, 0, s, 1) - 0.1);
    auto has_household_pair = [&](const Profile& p) {
        bool found = false;
        run(p, s, nullptr, opt, [&](const MatchResult* r, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) found |= r[i].left == 0 && r[i].right == 1;
        });
        return found;
    };
    EXPECT_TRUE(has_household_pair(without));
    EXPECT_FALSE(has_household_pair(with));
}
