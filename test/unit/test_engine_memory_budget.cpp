#include "core/engine/blocking.hpp"
#include "core/engine/matcher.hpp"
#include "core/engine/memory_budget.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace usermatch;
using namespace usermatch::engine;

TEST(EngineMemoryBudget, RefusesBeforeTheLimitIsPassed) {
    MemoryBudget budget(1000);
    budget.charge(600, "a");
    try {
        budget.charge(401, "the blocking index");
        FAIL() << "charge past the limit must throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::OutOfMemory);
        EXPECT_NE(std::string(e.what()).find("the blocking index would need more than usermatch.memory_limit"), std::string::npos);
    }
    EXPECT_EQ(budget.used(), 600u);  // a refused charge charges nothing
    budget.charge(400, "b");         // exactly the limit is fine
    EXPECT_EQ(budget.available(), 0u);
    budget.release(1000);
    EXPECT_EQ(budget.used(), 0u);
    EXPECT_EQ(budget.peak(), 1000u);
    EXPECT_THROW(budget.charge(static_cast<std::size_t>(-1), "huge"), Error);  // no overflow
}

TEST(EngineMemoryBudget, ChargesAreReleasedByScopeAndResize) {
    MemoryBudget budget(100);
    {
        MemoryCharge charge(&budget, 50, "x");
        EXPECT_EQ(budget.used(), 50u);
        charge.resize(80, "x");
        EXPECT_EQ(budget.used(), 80u);
        EXPECT_THROW(charge.resize(101, "x"), Error);
        EXPECT_EQ(budget.used(), 80u);
        charge.resize(10, "x");
        EXPECT_EQ(budget.used(), 10u);
    }
    EXPECT_EQ(budget.used(), 0u);
    MemoryCharge none(nullptr, 1u << 30, "unlimited");  // no budget: nothing charged, nothing thrown
    EXPECT_EQ(none.bytes(), 0u);
}

namespace {
const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name", "tf": true},
    {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"], ["name"]]})";

void fill(RecordStore& store, int n) {
    for (int i = 0; i < n; ++i) {
        const std::string id = std::to_string(i), name = "Name" + std::to_string(i % 50),
                          phone = "1380000" + std::to_string(1000 + i % 200);
        store.append(id, {RawValue(name), RawValue(phone)});
    }
}
}  // namespace

TEST(EngineMemoryBudget, BlockingIndexIsChargedWhileTheGeneratorLives) {
    Profile p = parse_profile(kProfile);
    RecordStore store(p);
    fill(store, 5000);
    TaskRunner runner(2, {});
    MemoryBudget budget(64u << 20);
    {
        CandidateGenerator gen(p, store, nullptr, runner, &budget);
        EXPECT_GE(budget.used(), 2u * 5000u * 12u);
        EXPECT_GE(budget.used(), gen.memory_bytes());
    }
    EXPECT_EQ(budget.used(), 0u);
    MemoryBudget small(2u * 5000u * 12u);  // the index fits, its sort scratch does not
    EXPECT_THROW(CandidateGenerator(p, store, nullptr, runner, &small), Error);
    EXPECT_EQ(small.used(), 0u);
}

TEST(EngineMemoryBudget, RunWithinABudgetFindsTheSamePairs) {
    Profile p = parse_profile(kProfile);
    RecordStore store(p);
    fill(store, 3000);
    auto collect = [&](MemoryBudget* budget) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
        RunOptions options;
        options.min_probability = 0.0;
        options.budget = budget;
        run(p, store, nullptr, options, [&](const MatchResult* r, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) pairs.emplace_back(r[i].left, r[i].right);
        });
        std::sort(pairs.begin(), pairs.end());
        return pairs;
    };
    const auto unlimited = collect(nullptr);
    MemoryBudget budget(2u << 20);  // small chunks
    EXPECT_EQ(collect(&budget), unlimited);
    EXPECT_EQ(budget.used(), 0u);
    EXPECT_GT(budget.peak(), 0u);
    MemoryBudget tiny(100u << 10);
    EXPECT_THROW(collect(&tiny), Error);
}
