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
        data_ += other.data_;
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

private:
    std::basic_string<Char> data_;
    std::vector<std::uint32_t> offsets_;
};

using StringArena = BasicArena<char>;
using U32Arena = BasicArena<char32_t>;

}  // namespace usermatch::engine
