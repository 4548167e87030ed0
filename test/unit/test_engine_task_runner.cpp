#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace usermatch;
using namespace usermatch::engine;

// Records the creating thread's signal mask at every pthread_create in this test program (this
// definition interposes libc's for std::thread): a worker starts with that mask, so it must
// already block every signal, or a signal arriving before the worker's first instruction would
// run the backend's handler on the worker.
namespace {
std::mutex creation_masks_mu;
std::vector<sigset_t> creation_masks;
}  // namespace

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
    using Real = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
    static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "pthread_create"));
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    {
        std::lock_guard<std::mutex> lock(creation_masks_mu);
        creation_masks.push_back(mask);
    }
    return real(thread, attr, start, arg);
}

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

TEST(EngineTaskRunner, WorkersRunWithEverySignalBlocked) {
    // The backend's handlers (SIGALRM for statement_timeout, SIGINT for cancel, SIGUSR1 for
    // procsignals, SIGTERM) must never run on a worker, not even right after it started: the mask
    // a worker has on its first task is the one it was created with.
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    ASSERT_FALSE(sigismember(&before, SIGINT));  // the test thread itself takes signals
    {
        std::lock_guard<std::mutex> lock(creation_masks_mu);
        creation_masks.clear();
    }
    TaskRunner runner(3, {});
    std::mutex mu;
    std::vector<sigset_t> masks;
    runner.run(30, [&](std::size_t) {
        sigset_t mask;
        pthread_sigmask(SIG_BLOCK, nullptr, &mask);
        std::lock_guard<std::mutex> lock(mu);
        masks.push_back(mask);
    });
    ASSERT_EQ(masks.size(), 30u);
    {
        std::lock_guard<std::mutex> lock(creation_masks_mu);
        ASSERT_EQ(creation_masks.size(), 3u) << "pthread_create was not interposed";
        for (const sigset_t& mask : creation_masks)
            for (int sig : {SIGINT, SIGALRM, SIGUSR1, SIGUSR2, SIGTERM, SIGQUIT, SIGHUP})
                EXPECT_TRUE(sigismember(&mask, sig)) << "signal " << sig << " was open while a worker was created";
    }
    for (const sigset_t& mask : masks)
        for (int sig : {SIGINT, SIGALRM, SIGUSR1, SIGUSR2, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGCHLD})
            EXPECT_TRUE(sigismember(&mask, sig)) << "signal " << sig << " is not blocked on a worker";
    // ...and the creating thread got its own mask back.
    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    for (int sig : {SIGINT, SIGALRM, SIGUSR1, SIGTERM})
        EXPECT_EQ(sigismember(&after, sig), sigismember(&before, sig)) << "signal " << sig;
}

TEST(EngineTaskRunner, AnExceptionFromKeepGoingIsRethrownAfterTheWorkersStopped) {
    // The glue runs CHECK_FOR_INTERRUPTS in keep_going; a real cancel arrives as its own
    // exception, which must come out of run() unchanged, and only once no worker runs a task.
    struct Cancel {};
    std::atomic<bool> cancel{false};
    std::atomic<int> active{0};
    std::atomic<int> active_when_thrown{-1};
    TaskRunner runner(2, [&] {
        if (cancel) {
            throw Cancel{};
        }
        return true;
    });
    std::atomic<int> done{0};
    try {
        runner.run(1000000, [&](std::size_t) {
            ++active;
            if (done.fetch_add(1) == 50) cancel = true;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            --active;
        });
        ADD_FAILURE() << "not cancelled";
    } catch (const Cancel&) {
        active_when_thrown = active.load();
    }
    EXPECT_EQ(active_when_thrown.load(), 0);
    EXPECT_LT(done.load(), 10000);
    EXPECT_TRUE(runner.cancelled());
    EXPECT_THROW(runner.check(), Error);  // stays cancelled
}

TEST(EngineTaskRunner, KeepGoingMayThrowBetweenRuns) {
    TaskRunner runner(2, [] () -> bool { throw std::runtime_error("terminating"); });
    EXPECT_THROW(runner.check(), std::runtime_error);
    EXPECT_TRUE(runner.cancelled());
}

TEST(EngineTaskRunner, StopWorkersOfPollingRunParksTheWorkersFromInsideKeepGoing) {
    // PostgreSQL's FATAL path exits the process from inside keep_going; the glue's exit callback
    // calls stop_workers_of_polling_run() so that no worker computes while exit handlers run.
    std::atomic<int> active{0};
    std::atomic<int> active_after_stop{-1};
    std::atomic<int> done{0};
    TaskRunner* self = nullptr;
    TaskRunner runner(3, [&] {
        if (done.load() > 30 && active_after_stop.load() < 0) {
            TaskRunner::stop_workers_of_polling_run();
            active_after_stop = active.load();
            EXPECT_TRUE(self->cancelled());
        }
        return true;
    });
    self = &runner;
    EXPECT_THROW(runner.run(1000000, [&](std::size_t) {
                     ++active;
                     ++done;
                     std::this_thread::sleep_for(std::chrono::microseconds(200));
                     --active;
                 }),
                 Error);
    EXPECT_EQ(active_after_stop.load(), 0);
    TaskRunner::stop_workers_of_polling_run();  // no run polling: nothing to do
}

// PostgreSQL's FATAL path (a termination while the glue reads the next rows in foreground work)
// exits the process from inside foreground(); the exit callback calls stop_workers_of_polling_run,
// which must cancel this run and wait until its workers have parked, as it does from keep_going.
TEST(EngineTaskRunner, ExitDuringForegroundWorkParksTheWorkers) {
    TaskRunner runner(2, {});
    std::atomic<int> entered{0}, left{0};
    auto body = [&](std::size_t) {
        ++entered;
        const auto started = std::chrono::steady_clock::now();
        while (!runner.cancelled() && std::chrono::steady_clock::now() - started < std::chrono::seconds(3))
            std::this_thread::yield();
        ++left;
    };
    int inside_after_stop = -1;
    try {
        runner.run(2, body, [&] {
            const auto started = std::chrono::steady_clock::now();
            while (entered.load() == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(3))
                std::this_thread::yield();
            TaskRunner::stop_workers_of_polling_run();  // what the exit callback does
            inside_after_stop = entered.load() - left.load();
        });
        ADD_FAILURE() << "the run was not cancelled";
    } catch (const usermatch::Error& e) {
        EXPECT_EQ(e.code(), usermatch::ErrorCode::QueryCanceled);
    }
    EXPECT_GE(entered.load(), 1);
    EXPECT_EQ(inside_after_stop, 0) << "a worker was still computing when the process would exit";
}
