// Per-thread scratch buffers of the engine (normalisation, blocking keys, decoding), reused so
// hot loops do not allocate. A thread_local raw pointer is the fast path; the object is also
// registered with a pthread key so it is freed when a worker thread exits (worker threads come
// and go with every run; leaking per thread would grow a long-lived backend). No object with a
// constructor or destructor lives at namespace scope.
#pragma once

#include "core/core_guard.hpp"

#include <pthread.h>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::engine {

struct ThreadScratch {
    // record_store.cpp
    std::string norm_a;
    std::u32string norm_cps;
    std::vector<std::string_view> norm_tokens;
    std::vector<std::string> phone_regions;
    std::shared_ptr<void> text_memo;  // record_store.cpp's TextMemo, created by batch loads only
    // blocking_keys.cpp
    std::vector<std::string_view> key_tokens;
    std::vector<std::string> key_codes;
    std::u32string key_cps;
    std::string key_part, key_text;
    // comparison.cpp
    std::u32string decode_a, decode_b;
    std::u32string name_rest_a, name_rest_b;
};

namespace detail {
inline void delete_thread_scratch(void* p) { delete static_cast<ThreadScratch*>(p); }
inline pthread_key_t thread_scratch_key() {
    static pthread_once_t once = PTHREAD_ONCE_INIT;  // POD statics only
    static pthread_key_t key;
    pthread_once(&once, [] { pthread_key_create(&key, &delete_thread_scratch); });
    return key;
}
}  // namespace detail

inline ThreadScratch& thread_scratch() {
    thread_local ThreadScratch* s = nullptr;
    if (!s) {
        ThreadScratch* created = new ThreadScratch();
        pthread_setspecific(detail::thread_scratch_key(), created);
        s = created;
    }
    return *s;
}

}  // namespace usermatch::engine
