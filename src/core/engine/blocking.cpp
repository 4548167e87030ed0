#include "core/engine/blocking.hpp"

#include "core/engine/blocking_keys.hpp"

#include <algorithm>
#include <utility>

namespace usermatch::engine {

namespace {

constexpr std::size_t kKeyChunk = 16384;

void sort_keyed(const std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& order) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> tmp;
    std::size_t n = 0;
    for (std::uint64_t k : keys) n += k != 0;
    tmp.reserve(n);
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i] != 0) tmp.emplace_back(keys[i], static_cast<std::uint32_t>(i));
    std::sort(tmp.begin(), tmp.end());
    order.resize(tmp.size());
    for (std::size_t i = 0; i < tmp.size(); ++i) order[i] = tmp[i].second;
}

// keys (8) + order (4) per record and rule; the key tasks (32 bytes per 16,384 records per rule).
std::size_t kept_index_bytes(std::size_t rules, std::size_t records) {
    return rules * records * 12 + rules * (records / kKeyChunk + 2) * 32;
}

}  // namespace

std::size_t CandidateGenerator::index_bytes(std::size_t rules, std::size_t left_records, std::size_t right_records,
                                            unsigned threads) {
    const std::size_t records = left_records + right_records;
    const std::size_t sorts_at_once = std::min<std::size_t>(std::max(threads, 1u), rules * (right_records ? 2 : 1));
    // Each running sort holds (key, index) pairs (16 bytes) for one side.
    return kept_index_bytes(rules, records) + sorts_at_once * std::max(left_records, right_records) * 16;
}

CandidateGenerator::CandidateGenerator(const Profile& profile, const RecordStore& left, const RecordStore* right,
                                       TaskRunner& runner, MemoryBudget* budget)
    : profile_(profile), left_(left), right_(right), dedupe_(right == nullptr) {
    const std::size_t nr = profile.blocking.size();
    charge_.attach(budget);
    charge_.resize(index_bytes(nr, left.size(), right ? right->size() : 0, runner.threads()),
                   "the blocking index");
    rules_.resize(nr);
    const std::size_t sides = dedupe_ ? 1 : 2;
    for (auto& idx : rules_) {
        idx.left_keys.assign(left.size(), 0);
        if (!dedupe_) idx.right_keys.assign(right->size(), 0);
    }
    // Key hashes: tasks = rule x side x chunk of records.
    struct KeyTask {
        std::size_t rule, side, begin, end;
    };
    std::vector<KeyTask> tasks;
    for (std::size_t r = 0; r < nr; ++r)
        for (std::size_t s = 0; s < sides; ++s) {
            std::size_t n = s == 0 ? left.size() : right->size();
            for (std::size_t b = 0; b < n; b += kKeyChunk) tasks.push_back({r, s, b, std::min(n, b + kKeyChunk)});
        }
    runner.run(tasks.size(), [&](std::size_t t) {
        const KeyTask& k = tasks[t];
        const RecordStore& store = k.side == 0 ? left : *right;
        auto& keys = k.side == 0 ? rules_[k.rule].left_keys : rules_[k.rule].right_keys;
        for (std::size_t i = k.begin; i < k.end; ++i) keys[i] = rule_key_hash(store, profile.blocking[k.rule], i);
    });
    runner.run(nr * sides, [&](std::size_t t) {
        RuleIndex& idx = rules_[t / sides];
        if (t % sides == 0) sort_keyed(idx.left_keys, idx.left_order);
        else sort_keyed(idx.right_keys, idx.right_order);
    });
    // The sorts' scratch is gone: keep the index itself charged.
    charge_.resize(kept_index_bytes(nr, left.size() + (right ? right->size() : 0)), "the blocking index");
    runner.run(1, [&](std::size_t) {
        for (std::size_t r = 0; r < nr && !runner.cancelled(); ++r) scan(r);
    });
}

bool CandidateGenerator::next_block(const RuleIndex& idx, BlockCursor& cur, Block& b) const {
    const auto& lo = idx.left_order;
    const auto& lk = idx.left_keys;
    if (dedupe_) {
        while (cur.l < lo.size()) {
            std::size_t start = cur.l;
            std::uint64_t key = lk[lo[start]];
            std::size_t end = start + 1;
            while (end < lo.size() && lk[lo[end]] == key) ++end;
            cur.l = end;
            if (end - start >= 2) {
                b = {key, start, end, start, end};
                return true;
            }
        }
        return false;
    }
    const auto& ro = idx.right_order;
    const auto& rk = idx.right_keys;
    while (cur.l < lo.size() && cur.r < ro.size()) {
        std::uint64_t kl = lk[lo[cur.l]], kr = rk[ro[cur.r]];
        if (kl < kr) {
            while (cur.l < lo.size() && lk[lo[cur.l]] == kl) ++cur.l;
        } else if (kr < kl) {
            while (cur.r < ro.size() && rk[ro[cur.r]] == kr) ++cur.r;
        } else {
            std::size_t lb = cur.l, rb = cur.r;
            while (cur.l < lo.size() && lk[lo[cur.l]] == kl) ++cur.l;
            while (cur.r < ro.size() && rk[ro[cur.r]] == kr) ++cur.r;
            b = {kl, lb, cur.l, rb, cur.r};
            return true;
        }
    }
    return false;
}

bool CandidateGenerator::too_big(const Block& b, std::size_t rule) const {
    std::uint64_t size = dedupe_ ? (b.le - b.lb) : (b.le - b.lb) + (b.re - b.rb);
    return size > rule_block_cap(profile_, rule);
}

void CandidateGenerator::scan(std::size_t r) {
    RuleIndex& idx = rules_[r];
    RuleEstimate est{r, 0, 0, 0};
    BlockCursor cur;
    Block b;
    while (next_block(idx, cur, b)) {
        std::uint64_t nl = b.le - b.lb, nrr = b.re - b.rb;
        std::uint64_t size = dedupe_ ? nl : nl + nrr;
        est.largest_block = std::max(est.largest_block, size);
        if (too_big(b, r)) {
            ++est.oversized_blocks;
            idx.oversized.push_back(b.key);
            if (profile_.blocking[r].max_block_size == 0)  // a rule's own cap skips by design: no NOTICE
                oversized_.push_back({r, rule_key_description(left_, profile_.blocking[r], idx.left_order[b.lb]), size});
            continue;
        }
        est.candidate_pairs += dedupe_ ? nl * (nl - 1) / 2 : nl * nrr;
    }
    std::sort(idx.oversized.begin(), idx.oversized.end());
    estimates_.push_back(est);
}

bool CandidateGenerator::found_by_earlier_rule(std::size_t rule, std::uint32_t a, std::uint32_t b) const {
    for (std::size_t r = 0; r < rule; ++r) {
        const RuleIndex& idx = rules_[r];
        std::uint64_t ka = idx.left_keys[a];
        std::uint64_t kb = dedupe_ ? idx.left_keys[b] : idx.right_keys[b];
        if (ka != 0 && ka == kb && !std::binary_search(idx.oversized.begin(), idx.oversized.end(), ka)) return true;
    }
    return false;
}

bool CandidateGenerator::next(std::vector<CandidatePair>& out, std::size_t max_pairs) {
    out.clear();
    if (max_pairs == 0) max_pairs = 1;
    while (out.size() < max_pairs) {
        if (!in_block_) {
            if (rule_ >= rules_.size()) break;
            if (!next_block(rules_[rule_], cursor_, block_)) {
                ++rule_;
                cursor_ = BlockCursor{};
                continue;
            }
            if (too_big(block_, rule_)) continue;
            in_block_ = true;
            i_ = block_.lb;
            j_ = dedupe_ ? i_ + 1 : block_.rb;
        }
        const RuleIndex& idx = rules_[rule_];
        const auto& ro = dedupe_ ? idx.left_order : idx.right_order;
        while (i_ < block_.le) {
            std::uint32_t a = idx.left_order[i_];
            while (j_ < block_.re) {
                std::uint32_t b = ro[j_++];
                if (!found_by_earlier_rule(rule_, a, b)) {
                    out.push_back({a, b});
                    if (out.size() >= max_pairs) return true;
                }
            }
            ++i_;
            j_ = dedupe_ ? i_ + 1 : block_.rb;
        }
        in_block_ = false;
    }
    return !out.empty();
}

std::size_t CandidateGenerator::memory_bytes() const {
    std::size_t total = 0;
    for (const RuleIndex& idx : rules_)
        total += (idx.left_keys.capacity() + idx.right_keys.capacity() + idx.oversized.capacity()) * 8 +
                 (idx.left_order.capacity() + idx.right_order.capacity()) * 4;
    return total;
}

}  // namespace usermatch::engine
