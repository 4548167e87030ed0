#include "core/train/weights_table.hpp"

#include <cmath>

namespace usermatch::train {

namespace {
constexpr int kMaxBar = 30;
const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
}  // namespace

std::string weight_bar(double w) {
    if (!std::isfinite(w)) return w > 0 ? "█…" : "-░…";
    std::string bar;
    if (w >= 0) {
        const long eighths = std::lround(w * 8);
        const long full = eighths / 8;
        for (long i = 0; i < std::min<long>(full, kMaxBar); ++i) bar += "█";
        if (full >= kMaxBar) return bar + (full > kMaxBar || eighths % 8 ? "…" : "");
        return bar + kEighths[eighths % 8];
    }
    const long n = std::lround(-w);
    bar = "-";
    for (long i = 0; i < std::min<long>(n, kMaxBar); ++i) bar += "░";
    return n > kMaxBar ? bar + "…" : bar;
}

std::vector<WeightRow> profile_weights(const engine::Profile& profile) {
    std::vector<WeightRow> rows;
    for (const engine::Field& f : profile.fields)
        for (const engine::Level& l : f.levels) {
            const double w = std::log2(l.m / l.u);
            rows.push_back({f.name, l.name, l.m, l.u, w, weight_bar(w)});
        }
    return rows;
}

}  // namespace usermatch::train
