#include "core/engine/task_runner.hpp"

#include "core/errors.hpp"

#include <chrono>
#include <condition_variable>
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

TaskRunner::TaskRunner(unsigned threads, std::function<bool()> keep_going)
    : threads_(threads == 0 ? 1 : threads), keep_going_(std::move(keep_going)) {}

void TaskRunner::check() {
    if (cancelled_ || (keep_going_ && !keep_going_())) {
        cancelled_ = true;
        throw_canceled();
    }
}

void TaskRunner::run(std::size_t tasks, const std::function<void(std::size_t)>& body) {
    check();
    if (tasks == 0) return;
    std::atomic<std::size_t> next{0};
    std::mutex mu;
    std::condition_variable done_cv;
    std::size_t running = 0;
    std::exception_ptr failure;

    auto worker = [&]() {
        block_all_signals();
        for (;;) {
            if (cancelled_.load(std::memory_order_relaxed)) break;
            std::size_t t = next.fetch_add(1);
            if (t >= tasks) break;
            try {
                body(t);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mu);
                if (!failure) failure = std::current_exception();
                cancelled_ = true;  // stop the others
                break;
            }
        }
        std::lock_guard<std::mutex> lock(mu);
        --running;
        done_cv.notify_all();
    };

    std::size_t n = std::min<std::size_t>(threads_, tasks);
    std::vector<std::thread> pool;
    pool.reserve(n);
    {
        std::lock_guard<std::mutex> lock(mu);
        running = n;
    }
    try {
        for (std::size_t i = 0; i < n; ++i) pool.emplace_back(worker);
    } catch (...) {  // thread creation failed: stop and join what started
        cancelled_ = true;
        {
            std::lock_guard<std::mutex> lock(mu);
            running -= n - pool.size();
        }
        for (auto& t : pool) t.join();
        throw;
    }
    bool user_cancel = false;
    {
        std::unique_lock<std::mutex> lock(mu);
        while (running > 0) {
            done_cv.wait_for(lock, std::chrono::milliseconds(10));
            if (running == 0) break;
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
    }
    for (auto& t : pool) t.join();
    if (failure && !user_cancel) std::rethrow_exception(failure);
    if (user_cancel || cancelled_) throw_canceled();
}

}  // namespace usermatch::engine
