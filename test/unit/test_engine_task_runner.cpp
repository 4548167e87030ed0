#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace usermatch;
using namespace usermatch::engine;

TEST(EngineTaskRunner, RunsEveryTaskOnceOnWorkerThreads) {
    TaskRunner runner(3, {});
    std::mutex mu;
    std::set<std::thread::id> ids;
    for (int r = 0; r < 20; ++r) {
        std::vector<std::atomic<int>> hits(1000);
        runner.run(hits.size(), [&](std::size_t t) {
            hits[t].fetch_add(1);
            std::lock_guard<std::mutex> lock(mu);
            ids.insert(std::this_thread::get_id());
        });
        for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    }
    EXPECT_FALSE(ids.count(std::this_thread::get_id()));  // the caller only polls
    EXPECT_LE(ids.size(), 3u);
}

TEST(EngineTaskRunner, PerThreadStateSurvivesBetweenRuns) {
    // What the normalisers rely on: thread_local caches built in one run are there in the next
    // (with threads started per run, every run would build again).
    static thread_local int built = 0;
    TaskRunner runner(2, {});
    std::atomic<int> builds{0};
    for (int r = 0; r < 50; ++r)
        runner.run(8, [&](std::size_t) {
            if (built == 0) built = 1, builds.fetch_add(1);
        });
    EXPECT_GE(builds.load(), 1);
    EXPECT_LE(builds.load(), 2);
}

TEST(EngineTaskRunner, ZeroTasksAndZeroThreads) {
    TaskRunner runner(0, {});
    EXPECT_EQ(runner.threads(), 1u);
    int calls = 0;
    runner.run(0, [&](std::size_t) { ++calls; });
    runner.run(5, [&](std::size_t) { ++calls; });
    EXPECT_EQ(calls, 5);
}

TEST(EngineTaskRunner, TaskExceptionIsRethrownAndTheRunnerStaysCancelled) {
    TaskRunner runner(2, {});
    runner.run(4, [](std::size_t) {});
    try {
        runner.run(100, [](std::size_t t) {
            if (t == 7) throw Error(ErrorCode::InvalidParameter, "task 7 failed");
        });
        ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_STREQ(e.what(), "task 7 failed");
    }
    EXPECT_TRUE(runner.cancelled());
    try {
        runner.run(1, [](std::size_t) {});
        ADD_FAILURE() << "a failed runner ran again";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
}

TEST(EngineTaskRunner, KeepGoingFalseCancelsARunningJob) {
    std::atomic<int> polls{0};
    std::atomic<bool> stop{false};
    TaskRunner runner(2, [&] {
        ++polls;
        return !stop.load();
    });
    runner.run(10, [](std::size_t) {});  // threads exist and park
    std::atomic<int> done{0};
    const auto start = std::chrono::steady_clock::now();
    try {
        runner.run(1000000, [&](std::size_t) {
            if (done.fetch_add(1) == 100) stop = true;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        });
        ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_LT(done.load(), 10000);
    EXPECT_TRUE(runner.cancelled());
    EXPECT_GT(polls.load(), 1);
    EXPECT_THROW(runner.check(), Error);
}

TEST(EngineTaskRunner, DestructorJoinsParkedWorkers) {
    for (int i = 0; i < 50; ++i) {
        TaskRunner runner(2, {});
        std::atomic<int> n{0};
        runner.run(3, [&](std::size_t) { ++n; });
        EXPECT_EQ(n.load(), 3);
    }
    TaskRunner never_ran(4, {});  // no threads were ever started
}
