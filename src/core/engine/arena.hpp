// Compact append-only arenas: all values of a column in one buffer plus uint32 offsets
// (no heap object per value).
#pragma once

#include "core/core_guard.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::engine {

// Reserves room for `needed` elements: exactly on the first growth, then at least x1.5.
template <typename Container>
void grow(Container& c, std::size_t needed) {
    if (needed <= c.capacity()) return;
    c.reserve(c.capacity() == 0 ? needed : std::max(needed, c.capacity() + c.capacity() / 2));
}

// A vector that can instead VIEW an array it does not own (an index image in a read-only
// mapping, core/index). Reads go through one cached pointer (no branch); the mutating calls
// (push_back, resize, ...) are those of the owned container (std::vector, or std::basic_string for
// arena characters, whose growth the memory budgets were measured with) and refuse to run on a view.
template <typename T, typename Storage = std::vector<T>>
class Buf {
public:
    Buf() = default;
    Buf(const Buf& o) : v_(o.v_), view_(o.view_) { o.view_ ? (void)(p_ = o.p_, n_ = o.n_) : sync(); }
    Buf(Buf&& o) noexcept : v_(std::move(o.v_)), view_(o.view_), p_(o.p_), n_(o.n_) {
        if (!view_) sync();
        o.view_ = false;
        o.sync();
    }
    Buf& operator=(const Buf& o) {
        if (this != &o) {
            v_ = o.v_;
            view_ = o.view_;
            if (view_) p_ = o.p_, n_ = o.n_;
            else sync();
        }
        return *this;
    }
    Buf& operator=(Buf&& o) noexcept {
        if (this != &o) {
            v_ = std::move(o.v_);
            view_ = o.view_;
            if (view_) p_ = o.p_, n_ = o.n_;
            else sync();
            o.view_ = false;
            o.sync();
        }
        return *this;
    }

    // Views `n` elements at `p` (memory the caller keeps alive and never changes).
    void view(const T* p, std::size_t n) {
        v_.clear();
        v_.shrink_to_fit();
        view_ = true;
        p_ = const_cast<T*>(p);
        n_ = n;
    }
    bool is_view() const { return view_; }

    const T* data() const { return p_; }
    T* data() { return p_; }
    std::size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    std::size_t capacity() const { return view_ ? 0 : v_.capacity(); }  // bytes owned, not viewed
    const T& operator[](std::size_t i) const { return p_[i]; }
    T& operator[](std::size_t i) { return p_[i]; }
    const T& back() const { return p_[n_ - 1]; }
    T& back() { return p_[n_ - 1]; }
    const T* begin() const { return p_; }
    const T* end() const { return p_ + n_; }

    void push_back(const T& x) { own().push_back(x), sync(); }
    void append(const T* p, std::size_t n) { own().insert(v_.end(), p, p + n), sync(); }
    template <typename It>
    void insert(const T*, It first, It last) { own().insert(v_.end(), first, last), sync(); }  // at the end only
    void reserve(std::size_t n) { own().reserve(n), sync(); }
    void resize(std::size_t n, const T& x = T()) { own().resize(n, x), sync(); }
    void assign(std::size_t n, const T& x) { own().assign(n, x), sync(); }
    void clear() { own().clear(), sync(); }
    void shrink_to_fit() { own().shrink_to_fit(), sync(); }

private:
    Storage& own() {
        if (view_) throw Error(ErrorCode::Internal, "a read-only index image cannot be modified");
        return v_;
    }
    void sync() { p_ = v_.data(), n_ = v_.size(); }
    Storage v_;
    bool view_ = false;
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

template <typename Char>
class BasicArena {
public:
    using View = std::basic_string_view<Char>;

    BasicArena() { offsets_.push_back(0); }

    void append(View v) {
        if (data_.size() + v.size() > UINT32_MAX)
            throw Error(ErrorCode::ProgramLimit, "record store column exceeds 4 GB");
        data_.append(v.data(), v.size());
        offsets_.push_back(static_cast<std::uint32_t>(data_.size()));
    }
    // Appends all values of another arena (merging per-thread batches).
    void append_all(const BasicArena& other) {
        if (data_.size() + other.data_.size() > UINT32_MAX)
            throw Error(ErrorCode::ProgramLimit, "record store column exceeds 4 GB");
        std::uint32_t base = static_cast<std::uint32_t>(data_.size());
        data_.append(other.data_.data(), other.data_.size());
        offsets_.reserve(offsets_.size() + other.size());
        for (std::size_t i = 1; i < other.offsets_.size(); ++i) offsets_.push_back(base + other.offsets_[i]);
    }
    View operator[](std::size_t i) const {
        return View(data_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
    }
    std::size_t size() const { return offsets_.size() - 1; }
    std::size_t chars() const { return data_.size(); }
    std::size_t memory_bytes() const {
        return data_.capacity() * sizeof(Char) + offsets_.capacity() * sizeof(std::uint32_t);
    }
    // Makes room for `values` more values holding `chars` more characters.
    // Growth is geometric (x1.5) so repeated batches stay amortised O(n).
    void reserve_more(std::size_t values, std::size_t chars) {
        grow(offsets_, offsets_.size() + values);
        grow(data_, data_.size() + chars);
    }
    void clear() {
        data_.clear();
        offsets_.assign(1, 0);
    }
    // The two arrays (index images read and view them, core/index).
    using Chars = Buf<Char, std::basic_string<Char>>;
    Chars& chars_buf() { return data_; }
    Buf<std::uint32_t>& offsets_buf() { return offsets_; }
    const Chars& chars_buf() const { return data_; }
    const Buf<std::uint32_t>& offsets_buf() const { return offsets_; }

private:
    Buf<Char, std::basic_string<Char>> data_;
    Buf<std::uint32_t> offsets_;
};

using StringArena = BasicArena<char>;
using U32Arena = BasicArena<char32_t>;

}  // namespace usermatch::engine
