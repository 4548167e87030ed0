#include "core/train/level_estimates.hpp"

#include "core/train/em.hpp"

namespace usermatch::train {

std::vector<double> shares_with_floor(const std::vector<std::uint64_t>& counts, std::vector<bool>* floored) {
    double n = 0;
    for (auto c : counts) n += static_cast<double>(c);
    if (floored) floored->assign(counts.size(), false);
    if (n <= 0) return {};
    std::vector<double> out(counts.size());
    double sum = 0;
    for (std::size_t l = 0; l < counts.size(); ++l) {
        const bool zero = counts[l] == 0;
        if (floored) (*floored)[l] = zero;
        out[l] = zero ? 1.0 / (2 * n) : static_cast<double>(counts[l]) / n;
        sum += out[l];
    }
    for (double& x : out) x = clamp_probability(x / sum);
    return out;
}

int raise_to_else_weight(engine::Field& field) {
    if (field.levels.empty()) return 0;
    const engine::Level& last = field.levels.back();
    const double else_ratio = last.m / last.u;
    int raised = 0;
    for (std::size_t l = 0; l + 1 < field.levels.size(); ++l) {
        engine::Level& lv = field.levels[l];
        if (lv.m / lv.u < else_ratio) {
            lv.m = clamp_probability(lv.u * else_ratio);
            ++raised;
        }
    }
    return raised;
}

}  // namespace usermatch::train
