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

// Blocks every signal on the calling thread for its lifetime; threads it creates inherit the
// mask. Workers are created inside one of these scopes, so they never run with the backend's mask
// (blocking inside the new thread would leave a window in which SIGALRM, SIGINT or SIGUSR1 could
// run PostgreSQL's handlers on a worker).
class SignalsBlocked {
public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &previous_);
    }
    ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
    sigset_t previous_;
};

// The runner whose run() is calling keep_going on this thread right now (see
// stop_workers_of_polling_run). A plain pointer: no constructor runs at load time.
thread_local TaskRunner* polling_runner = nullptr;

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
        // All signals are blocked: the mask was inherited from the creating thread.
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
    if (cancelled_) throw_canceled();
    bool go = true;
    if (keep_going_) {
        try {
            go = keep_going_();
        } catch (...) {
            cancelled_ = true;
            throw;
        }
    }
    if (!go) {
        cancelled_ = true;
        throw_canceled();
    }
}

void TaskRunner::stop_workers_of_polling_run() {
    TaskRunner* runner = polling_runner;
    if (!runner || !runner->pool_) return;
    Pool& pool = *runner->pool_;
    std::unique_lock<std::mutex> lock(pool.mu);
    runner->cancelled_ = true;
    pool.done_cv.wait(lock, [&] { return pool.running == 0; });
}

void TaskRunner::run(std::size_t tasks, const std::function<void(std::size_t)>& body) { run(tasks, body, {}); }

void TaskRunner::run(std::size_t tasks, const std::function<void(std::size_t)>& body,
                     const std::function<void()>& foreground) {
    check();
    if (tasks == 0) {
        if (foreground) foreground();
        return;
    }
    if (!pool_) {
        auto pool = std::make_unique<Pool>();
        SignalsBlocked blocked;  // the workers inherit a mask with every signal blocked
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
    std::exception_ptr poll_failure;  // thrown by keep_going or foreground: rethrown once the workers stopped
    if (foreground) {
        // As while polling keep_going: should foreground exit the process (PostgreSQL's FATAL
        // path), the exit callback parks this run's workers first.
        TaskRunner* outer = polling_runner;
        polling_runner = this;
        try {
            foreground();
        } catch (...) {
            poll_failure = std::current_exception();
            user_cancel = true;
            cancelled_ = true;
        }
        polling_runner = outer;
    }
    {
        std::unique_lock<std::mutex> lock(pool.mu);
        while (pool.running > 0) {
            pool.done_cv.wait_for(lock, std::chrono::milliseconds(10));
            if (pool.running == 0) break;
            if (!user_cancel && keep_going_) {
                lock.unlock();
                bool go = true;
                TaskRunner* outer = polling_runner;
                polling_runner = this;
                try {
                    go = keep_going_();
                } catch (...) {
                    poll_failure = std::current_exception();
                    go = false;
                }
                polling_runner = outer;
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
    if (poll_failure) std::rethrow_exception(poll_failure);
    if (failure && !user_cancel) std::rethrow_exception(failure);
    if (user_cancel || cancelled_) throw_canceled();
}

}  // namespace usermatch::engine
