#include "core/engine/name_tokens.hpp"

#include "core/normalize/normalize.hpp"

#include <algorithm>

namespace usermatch::engine {

void split_tokens(std::string_view form, std::vector<std::string_view>& out) {
    out.clear();
    std::size_t i = 0;
    while (i < form.size()) {
        while (i < form.size() && form[i] == ' ') ++i;
        std::size_t start = i;
        while (i < form.size() && form[i] != ' ') ++i;
        if (i > start) out.push_back(form.substr(start, i - start));
    }
}

void compact_tokens(std::string_view form, std::string& out) {
    out.clear();
    for (char c : form)
        if (c != ' ') out.push_back(c);
}

void sorted_tokens(std::string_view form, std::vector<std::string_view>& tokens, std::string& out, bool canonical) {
    split_tokens(form, tokens);
    if (canonical)
        for (auto& t : tokens) t = normalize::canonical_given_name(t);
    std::sort(tokens.begin(), tokens.end());
    out.clear();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (i) out.push_back(' ');
        out.append(tokens[i]);
    }
}

}  // namespace usermatch::engine
