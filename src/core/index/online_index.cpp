#include "core/index/online_index.hpp"

#include "core/engine/blocking_keys.hpp"
#include "core/engine/cluster.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cmath>

namespace usermatch::index {

namespace {

// Upstream of the per-query pool: the heap, counted (an allocation here means the pool's buffer
// was too small for this query; the buffer then grows for the next one).
class CountingResource : public std::pmr::memory_resource {
public:
    explicit CountingResource(PoolCounters& c) : counters_(c) {}
    std::size_t bytes = 0;

private:
    void* do_allocate(std::size_t n, std::size_t align) override {
        ++counters_.upstream_allocations;
        bytes += n;
        return std::pmr::new_delete_resource()->allocate(n, align);
    }
    void do_deallocate(void* p, std::size_t n, std::size_t align) override {
        std::pmr::new_delete_resource()->deallocate(p, n, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
    PoolCounters& counters_;
};

constexpr std::size_t kInitialPoolBytes = 16 * 1024;

}  // namespace

OnlineIndex::OnlineIndex(const Profile& profile, std::unique_ptr<RecordStore> base,
                         const std::function<bool()>& keep_going)
    : profile_(profile), base_(std::move(base)) {
    const std::size_t n = base_->size();
    const std::size_t nr = profile_.blocking.size();
    row_keys_.resize(nr);
    postings_.resize(nr);
    for (std::size_t r = 0; r < nr; ++r) {
        auto& keys = row_keys_[r];
        keys.resize(n);
        std::size_t keyed = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if ((i & 65535) == 0 && keep_going && !keep_going())
                throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
            keys[i] = engine::rule_key_hash(*base_, profile_.blocking[r], i);
            keyed += keys[i] != 0;
        }
        auto& post = postings_[r];
        post.reserve(keyed);
        for (std::size_t i = 0; i < n; ++i)
            if (keys[i]) post.push_back({keys[i], static_cast<std::uint32_t>(i)});
        std::sort(post.begin(), post.end());
    }
    any_tf_ = std::any_of(profile_.fields.begin(), profile_.fields.end(), [](const engine::Field& f) { return f.tf; });
    std::size_t tf_bytes = 0;
    if (any_tf_) {
        tf_bytes = engine::TermFrequencies::memory_bound(profile_, *base_, nullptr);
        tf_ = engine::TermFrequencies(profile_, *base_, nullptr);
    }
    bytes_ = base_->memory_bytes() + tf_bytes;
    for (std::size_t r = 0; r < nr; ++r)
        bytes_ += row_keys_[r].capacity() * sizeof(std::uint64_t) + postings_[r].capacity() * sizeof(Posting);
    pool_buffer_.resize(kInitialPoolBytes);
    pool_counters_.bytes_reserved = pool_buffer_.size();
    bytes_ += pool_buffer_.size();
}

std::size_t OnlineIndex::base_count(std::size_t rule, std::uint64_t key) const {
    const auto& post = postings_[rule];
    auto lo = std::lower_bound(post.begin(), post.end(), Posting{key, 0});
    auto hi = std::lower_bound(lo, post.end(), Posting{key + 1, 0});
    if (key == UINT64_MAX) hi = post.end();
    return static_cast<std::size_t>(hi - lo);
}

std::vector<Hit> OnlineIndex::match(const RecordStore& query, std::size_t q, const Delta& delta,
                                    const QueryOptions& options, const std::function<bool()>& keep_going) {
    if (query.field_count() != profile_.fields.size() || (delta.rows && delta.rows->field_count() != profile_.fields.size()))
        throw Error(ErrorCode::InvalidParameter, "record store was built for a different profile");
    if (options.k == 0) throw Error(ErrorCode::InvalidParameter, "k must be positive");

    ++pool_counters_.acquisitions;
    CountingResource upstream(pool_counters_);
    std::vector<Hit> out;
    {
    std::pmr::monotonic_buffer_resource pool(pool_buffer_.data(), pool_buffer_.size(), &upstream);

    const RecordStore& base = *base_;
    const std::size_t nr = profile_.blocking.size();
    const std::size_t nd = delta.rows ? delta.rows->size() : 0;
    std::pmr::vector<std::uint32_t> excluded(delta.excluded.begin(), delta.excluded.end(), &pool);
    std::sort(excluded.begin(), excluded.end());
    auto is_excluded = [&](std::uint32_t row) { return std::binary_search(excluded.begin(), excluded.end(), row); };

    // The target as the caller sees it: base rows minus the excluded ones plus the delta rows.
    const std::size_t target_rows = base.size() - excluded.size() + nd;
    const double prior = engine::effective_prior(profile_, 1, target_rows);

    // Term frequencies over {query record} + current target (what link counts), restored on exit.
    struct TfAdjustment {
        std::uint32_t field;
        std::uint64_t key;
        std::int64_t delta;
    };
    std::pmr::vector<TfAdjustment> adjustments(&pool);
    struct Restore {
        engine::TermFrequencies& tf;
        std::pmr::vector<TfAdjustment>& list;
        ~Restore() {
            for (auto it = list.rbegin(); it != list.rend(); ++it) tf.adjust(it->field, it->key, -it->delta);
        }
    } restore{tf_, adjustments};
    if (any_tf_) {
        for (std::size_t f = 0; f < profile_.fields.size(); ++f) {
            if (!profile_.fields[f].tf) continue;
            auto add = [&](const RecordStore& s, std::size_t i, std::int64_t d) {
                if (s.is_null(f, i)) return;
                const std::uint64_t key = engine::TermFrequencies::value_key(s, f, i);
                adjustments.push_back({static_cast<std::uint32_t>(f), key, d});
                tf_.adjust(f, key, d);
            };
            add(query, q, +1);
            for (std::uint32_t e : excluded) add(base, e, -1);
            for (std::size_t j = 0; j < nd; ++j) add(*delta.rows, j, +1);
        }
    }
    const engine::Scorer scorer(profile_, prior, any_tf_ ? &tf_ : nullptr);
    double min_weight;
    if (options.min_probability) min_weight = engine::Scorer::weight_for_probability(*options.min_probability);
    else if (profile_.threshold_auto && !profile_.threshold_resolved) min_weight = -INFINITY;
    else min_weight = engine::Scorer::weight_for_probability(profile_.threshold);

    // Candidates: per rule, the target rows sharing the query's key, unless the block (query +
    // target rows with that key) exceeds max_block_size, as link skips it.
    if (nd > 0 && (delta.keyed_rows != delta.rows || delta.keyed_size != nd || delta.rule_keys.size() != nr * nd)) {
        delta.rule_keys.assign(nr * nd, 0);
        for (std::size_t r = 0; r < nr; ++r)
            for (std::size_t j = 0; j < nd; ++j)
                delta.rule_keys[r * nd + j] = engine::rule_key_hash(*delta.rows, profile_.blocking[r], j);
        delta.keyed_rows = delta.rows;
        delta.keyed_size = nd;
    }
    const std::uint64_t* delta_keys = delta.rule_keys.data();
    std::pmr::vector<std::uint32_t> base_candidates(&pool), delta_candidates(&pool);
    for (std::size_t r = 0; r < nr; ++r) {
        const std::uint64_t key = engine::rule_key_hash(query, profile_.blocking[r], q);
        if (key == 0) continue;
        const auto& post = postings_[r];
        auto lo = std::lower_bound(post.begin(), post.end(), Posting{key, 0});
        auto hi = lo;
        while (hi != post.end() && hi->key == key) ++hi;
        std::size_t count = static_cast<std::size_t>(hi - lo);
        for (std::uint32_t e : excluded) count -= row_keys_[r][e] == key;
        for (std::size_t j = 0; j < nd; ++j) count += delta_keys[r * nd + j] == key;
        if (1 + count > profile_.max_block_size) continue;
        for (auto it = lo; it != hi; ++it)
            if (!is_excluded(it->row)) base_candidates.push_back(it->row);
        for (std::size_t j = 0; j < nd; ++j)
            if (delta_keys[r * nd + j] == key) delta_candidates.push_back(static_cast<std::uint32_t>(j));
    }
    std::sort(base_candidates.begin(), base_candidates.end());
    base_candidates.erase(std::unique(base_candidates.begin(), base_candidates.end()), base_candidates.end());
    std::sort(delta_candidates.begin(), delta_candidates.end());
    delta_candidates.erase(std::unique(delta_candidates.begin(), delta_candidates.end()), delta_candidates.end());

    std::pmr::vector<Hit> hits(&pool);
    std::size_t scored = 0;
    auto score = [&](const RecordStore& store, std::uint32_t row, bool from_delta) {
        if ((++scored & 4095) == 0 && keep_going && !keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
        double w;
        if (scorer.weight_at_least(query, q, store, row, min_weight, w))
            hits.push_back({from_delta, row, w, engine::Scorer::probability(w)});
    };
    for (std::uint32_t row : base_candidates) score(base, row, false);
    for (std::uint32_t row : delta_candidates) score(*delta.rows, row, true);

    auto id_of = [&](const Hit& h) { return h.from_delta ? delta.rows->id(h.row) : base.id(h.row); };
    auto better = [&](const Hit& a, const Hit& b) {
        if (a.match_weight != b.match_weight) return a.match_weight > b.match_weight;
        return engine::id_less(id_of(a), id_of(b));
    };
    const std::size_t k = std::min(options.k, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(k), hits.end(), better);
    out.assign(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(k));
    }  // every pooled object (and the term-frequency restore) is gone before the buffer may change

    // Pool bookkeeping: a query that overflowed the buffer makes the next buffer large enough.
    const std::size_t used = pool_buffer_.size() + upstream.bytes;
    pool_counters_.bytes_overflow_last = upstream.bytes;
    if (upstream.bytes == 0) {
        ++pool_counters_.reuses;
    } else {
        const std::size_t grown = std::max(pool_buffer_.size() * 2, used);
        bytes_ += grown - pool_buffer_.size();
        pool_buffer_.clear();
        pool_buffer_.shrink_to_fit();
        pool_buffer_.resize(grown);
        pool_counters_.bytes_reserved = grown;
    }
    return out;
}

}  // namespace usermatch::index
