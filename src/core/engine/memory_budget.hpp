// One memory budget per run (usermatch.memory_limit): every large structure of a run is charged
// BEFORE it is allocated, so a run that would pass the limit stops with Error(OutOfMemory)
// (SQLSTATE 53200) instead of growing until the kernel kills the backend.
//
// What is charged (see README "What usermatch.memory_limit bounds"): the raw rows of a source
// batch and the record stores of both sides, the blocking index of every rule (keys, sort order,
// the sort's scratch), term-frequency tables, a chunk of candidate pairs and its results, the edge
// list and union-find of clusters(), and the plan of generate_users. Charges are estimates from
// sizes known in advance (bytes per key, per record, raw value sizes); they are kept on the safe
// side, so a structure never uses much more than it was charged for.
//
// Thread-safe (atomic counters); the engine charges from the calling thread.
#pragma once

#include "core/core_guard.hpp"
#include "core/errors.hpp"

#include <atomic>
#include <cstddef>
#include <string>

namespace usermatch::engine {

class MemoryBudget {
public:
    // limit_bytes 0 = unlimited. `setting` names the knob in messages ("usermatch.memory_limit").
    // `remedy` ends the hint after "Raise <setting>, or ...".
    explicit MemoryBudget(std::size_t limit_bytes, std::string setting = "usermatch.memory_limit",
                          std::string remedy = "match a subset of the rows through a view.")
        : limit_(limit_bytes), setting_(std::move(setting)), remedy_(std::move(remedy)) {}
    MemoryBudget(const MemoryBudget&) = delete;
    MemoryBudget& operator=(const MemoryBudget&) = delete;

    // Adds `bytes` to what is in use, or throws Error(OutOfMemory) naming `what` when that would
    // pass the limit (then nothing is charged).
    void charge(std::size_t bytes, const char* what) {
        std::size_t used = used_.load(std::memory_order_relaxed);
        for (;;) {
            if (limit_ != 0 && (bytes > limit_ || used > limit_ - bytes)) refuse(bytes, used, what);
            if (used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) break;
        }
        std::size_t peak = peak_.load(std::memory_order_relaxed);
        while (used + bytes > peak && !peak_.compare_exchange_weak(peak, used + bytes, std::memory_order_relaxed)) {
        }
    }
    void release(std::size_t bytes) noexcept {
        std::size_t used = used_.load(std::memory_order_relaxed);
        while (!used_.compare_exchange_weak(used, used > bytes ? used - bytes : 0, std::memory_order_relaxed)) {
        }
    }
    // True when `bytes` more would still be within the limit.
    bool fits(std::size_t bytes) const { return limit_ == 0 || bytes <= available(); }
    std::size_t available() const {
        if (limit_ == 0) return static_cast<std::size_t>(-1) / 2;
        const std::size_t used = used_.load(std::memory_order_relaxed);
        return used >= limit_ ? 0 : limit_ - used;
    }
    std::size_t used() const { return used_.load(std::memory_order_relaxed); }
    std::size_t peak() const { return peak_.load(std::memory_order_relaxed); }
    std::size_t limit() const { return limit_; }
    const std::string& setting() const { return setting_; }

    [[noreturn]] void refuse(std::size_t bytes, std::size_t used, const char* what) const {
        constexpr std::size_t MB = 1024 * 1024;
        throw Error(ErrorCode::OutOfMemory,
                    std::string("usermatch: ") + what + " would need more than " + setting_,
                    std::to_string((bytes + MB - 1) / MB) + " MB more were needed with " + std::to_string(used / MB) +
                        " MB in use; the limit is " + std::to_string(limit_ / MB) + " MB.",
                    "Raise " + setting_ + ", or " + remedy_);
    }

private:
    std::size_t limit_;
    std::string setting_;
    std::string remedy_;
    std::atomic<std::size_t> used_{0};
    std::atomic<std::size_t> peak_{0};
};

// A charge released when it goes out of scope; resize() re-charges to a new size (growing may
// throw; shrinking never does). A null budget charges nothing.
class MemoryCharge {
public:
    MemoryCharge() = default;
    MemoryCharge(MemoryBudget* budget, std::size_t bytes, const char* what) : budget_(budget) { resize(bytes, what); }
    MemoryCharge(const MemoryCharge&) = delete;
    MemoryCharge& operator=(const MemoryCharge&) = delete;
    MemoryCharge(MemoryCharge&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.bytes_ = 0; }
    ~MemoryCharge() { reset(); }

    void attach(MemoryBudget* budget) {
        reset();
        budget_ = budget;
    }
    void resize(std::size_t bytes, const char* what) {
        if (!budget_) return;
        if (bytes > bytes_) budget_->charge(bytes - bytes_, what);
        else budget_->release(bytes_ - bytes);
        bytes_ = bytes;
    }
    void reset() noexcept {
        if (budget_ && bytes_) budget_->release(bytes_);
        bytes_ = 0;
    }
    std::size_t bytes() const { return bytes_; }

private:
    MemoryBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace usermatch::engine
