// Trimming the common prefix and suffix never changes an edit distance and shortens the work.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <string_view>

namespace usermatch::compare::detail {

template <typename CharT>
inline void remove_common_affix(std::basic_string_view<CharT>& a, std::basic_string_view<CharT>& b) noexcept {
    std::size_t prefix = 0;
    const std::size_t shorter = a.size() < b.size() ? a.size() : b.size();
    while (prefix < shorter && a[prefix] == b[prefix]) ++prefix;
    a.remove_prefix(prefix);
    b.remove_prefix(prefix);
    std::size_t suffix = 0;
    const std::size_t rest = a.size() < b.size() ? a.size() : b.size();
    while (suffix < rest && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
    a.remove_suffix(suffix);
    b.remove_suffix(suffix);
}

}  // namespace usermatch::compare::detail
