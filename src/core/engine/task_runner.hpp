// Runs pure computation on worker threads while the calling thread (the PostgreSQL backend) keeps
// polling a keep_going callback. Worker threads are created with every signal blocked (the
// creating thread blocks them around thread creation, so no signal handler can ever run on a
// worker) and never call callbacks.
// The workers are started by the first run() and stay parked between runs (so their per-thread
// caches, e.g. ICU transliterators, stay warm); the destructor stops and joins them.
#pragma once

#include "core/core_guard.hpp"

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace usermatch::engine {

class TaskRunner {
public:
    // `keep_going` may be empty (never cancelled). threads >= 1 (0 is treated as 1).
    TaskRunner(unsigned threads, std::function<bool()> keep_going);
    ~TaskRunner();
    TaskRunner(const TaskRunner&) = delete;
    TaskRunner& operator=(const TaskRunner&) = delete;

    // Calls body(task_index) for every index in [0, tasks) on the worker threads. Returns when all
    // are done. The calling thread calls keep_going at least every ~10 ms; when it returns false,
    // cancelled() becomes true, workers stop taking tasks, and after they have all stopped this
    // throws Error(QueryCanceled). An exception thrown by a task is rethrown here (after all
    // workers have stopped); the runner then stays cancelled. keep_going may also throw (the glue
    // turns a real cancel into its PostgreSQL error that way): the runner is cancelled and that
    // exception is rethrown here once every worker has stopped. Not reentrant: one run at a time.
    void run(std::size_t tasks, const std::function<void(std::size_t)>& body);
    // As run(tasks, body), and the calling thread calls foreground() once while the workers take
    // the tasks (work that must stay on the calling thread, such as reading the next rows through
    // PostgreSQL, overlapped with the computation). keep_going is not polled while foreground
    // runs. If foreground throws, the workers are cancelled and, once they have stopped, its
    // exception is rethrown. While it runs, stop_workers_of_polling_run() applies to this run.
    void run(std::size_t tasks, const std::function<void(std::size_t)>& body, const std::function<void()>& foreground);

    // Long task bodies check this now and then (e.g. every few thousand items) and return early.
    bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

    unsigned threads() const { return threads_; }

    // Checks keep_going on the calling thread (between runs); throws Error(QueryCanceled), or what
    // keep_going threw.
    void check();

    // For a process that is about to exit from inside keep_going or foreground work (PostgreSQL's
    // FATAL path calls exit() from CHECK_FOR_INTERRUPTS): cancels the run that is polling on this
    // thread, if any, and waits until its workers have parked, so no worker computes while the
    // process runs its exit handlers. Call it on the thread that called run().
    static void stop_workers_of_polling_run();

private:
    struct Pool;  // parked worker threads and the current run; see task_runner.cpp

    unsigned threads_;
    std::function<bool()> keep_going_;
    std::atomic<bool> cancelled_{false};
    std::unique_ptr<Pool> pool_;  // created by the first run()
};

}  // namespace usermatch::engine
