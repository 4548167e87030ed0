#include "core/engine/task_runner.hpp"

#include "core/errors.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <thread>
#include <vector>

namespace usermatch::engine {

namespace {

void block_all_signals() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

[[noreturn]] void throw_canceled() {
    throw Error(ErrorCode::QueryCanceled, "canceling usermatch computation on request");
}

}  // namespace

// Workers wait on work_cv for a new generation (one per run), take task indexes from `next`
// until none are left or the runner is cancelled, then check out (running -= 1) and park again.
struct TaskRunner::Pool {
    std::mutex mu;
    std::condition_variable work_cv;  // a run started, or stopping
    std::condition_variable done_cv;  // a worker checked out of the current run
    std::vector<std::thread> workers;
    std::uint64_t generation = 0;
    bool stopping = false;
    // The current run (written by run() under mu before the generation changes).
    const std::function<void(std::size_t)>* body = nullptr;
    std::size_t tasks = 0;
    std::atomic<std::size_t> next{0};
    std::size_t running = 0;
    std::exception_ptr failure;

    void work(std::atomic<bool>& cancelled) {
        block_all_signals();
        std::uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(mu);
        for (;;) {
            work_cv.wait(lock, [&] { return stopping || generation != seen; });
            if (stopping) return;
            seen = generation;
            lock.unlock();
            for (;;) {
                if (cancelled.load(std::memory_order_relaxed)) break;
                const std::size_t t = next.fetch_add(1);
                if (t >= tasks) break;
                try {
                    (*body)(t);
                } catch (...) {
                    std::lock_guard<std::mutex> failure_lock(mu);
                    if (!failure) failure = std::current_exception();
                    cancelled = true;  // stop the others
                    break;
                }
            }
            lock.lock();
            if (--running == 0) done_cv.notify_all();
        }
    }

    // Stops and joins every worker (parked or not yet started waiting).
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mu);
            stopping = true;
        }
        work_cv.notify_all();
        for (auto& w : workers) w.join();
        workers.clear();
    }
};

TaskRunner::TaskRunner(unsigned threads, std::function<bool()> keep_going)
    : threads_(threads == 0 ? 1 : threads), keep_going_(std::move(keep_going)) {}

TaskRunner::~TaskRunner() {
    if (pool_) pool_->stop();
}

void TaskRunner::check() {
    if (cancelled_ || (keep_going_ && !keep_going_())) {
        cancelled_ = true;
        throw_canceled();
    }
}

void TaskRunner::run(std::size_t tasks, const std::function<void(std::size_t)>& body) {
    check();
    if (tasks == 0) return;
    if (!pool_) {
        auto pool = std::make_unique<Pool>();
        try {
            pool->workers.reserve(threads_);
            for (unsigned i = 0; i < threads_; ++i) pool->workers.emplace_back([p = pool.get(), this] { p->work(cancelled_); });
        } catch (...) {  // thread creation failed: stop what started
            cancelled_ = true;
            pool->stop();
            throw;
        }
        pool_ = std::move(pool);
    }
    Pool& pool = *pool_;
    {
        std::lock_guard<std::mutex> lock(pool.mu);
        pool.body = &body;
        pool.tasks = tasks;
        pool.next = 0;
        pool.failure = nullptr;
        pool.running = pool.workers.size();
        ++pool.generation;
    }
    pool.work_cv.notify_all();
    bool user_cancel = false;
    std::exception_ptr failure;
    {
        std::unique_lock<std::mutex> lock(pool.mu);
        while (pool.running > 0) {
            pool.done_cv.wait_for(lock, std::chrono::milliseconds(10));
            if (pool.running == 0) break;
            if (!user_cancel && keep_going_) {
                lock.unlock();
                bool go = true;
                try {
                    go = keep_going_();
                } catch (...) {
                    go = false;
                }
                lock.lock();
                if (!go) {
                    user_cancel = true;
                    cancelled_ = true;
                }
            }
        }
        pool.body = nullptr;
        failure = pool.failure;
        pool.failure = nullptr;
    }
    if (failure && !user_cancel) std::rethrow_exception(failure);
    if (user_cancel || cancelled_) throw_canceled();
}

}  // namespace usermatch::engine
