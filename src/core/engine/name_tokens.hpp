// Token helpers over a normalised name form (tokens separated by single spaces).
#pragma once

#include "core/core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace usermatch::engine {

// Splits on spaces (empty tokens dropped).
void split_tokens(std::string_view form, std::vector<std::string_view>& out);

// "zhang wei" -> "zhangwei".
void compact_tokens(std::string_view form, std::string& out);

// Tokens sorted and joined with single spaces ("zhang wei" -> "wei zhang"); with `canonical`, each
// token first goes through normalize::canonical_given_name ("bill smith" -> "smith william").
void sorted_tokens(std::string_view form, std::vector<std::string_view>& scratch, std::string& out, bool canonical);

}  // namespace usermatch::engine
