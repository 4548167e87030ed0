// Per-thread caches for expensive objects (ICU transliterators, lookup tables).
// Private to src/core/normalize. A thread_local raw pointer gives a lock-free fast path; the
// object is also registered with a pthread key so it is deleted when a helper thread exits
// (engine threads come and go; leaking per thread would grow a long-lived backend without
// bound). The main thread's object is never destroyed: nothing runs after PostgreSQL exits.
#pragma once

#include "core/core_guard.hpp"

#include <pthread.h>

namespace usermatch::normalize::detail {

template <class T>
void delete_cache(void* p) {
    delete static_cast<T*>(p);
}

template <class T>
pthread_key_t cache_key() {
    // POD statics only: no constructor or destructor runs at load or unload time.
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static pthread_key_t key;
    pthread_once(&once, [] { pthread_key_create(&key, &delete_cache<T>); });
    return key;
}

// The calling thread's instance of T, created on first use (T's constructor may throw).
template <class T>
T& per_thread() {
    thread_local T* instance = nullptr;
    if (instance == nullptr) {
        T* created = new T();
        pthread_setspecific(cache_key<T>(), created);
        instance = created;
    }
    return *instance;
}

}  // namespace usermatch::normalize::detail
