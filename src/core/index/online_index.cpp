#include "core/index/online_index.hpp"

#include "core/engine/blocking_keys.hpp"
#include "core/engine/cluster.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

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

OnlineIndex::OnlineIndex(const Profile& profile) : profile_(profile) {}

OnlineIndex::OnlineIndex(const Profile& profile, std::unique_ptr<RecordStore> base,
                         const std::function<bool()>& keep_going)
    : profile_(profile), base_(std::move(base)) {
    const std::size_t n = base_->size();
    const std::size_t nr = profile_.blocking.size();
    auto check = [&](std::size_t i) {
        if ((i & 65535) == 0 && keep_going && !keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
    };
    post_keys_.resize(nr);
    post_rows_.resize(nr);
    {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> post;
        for (std::size_t r = 0; r < nr; ++r) {
            post.clear();
            post.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                check(i);
                const std::uint64_t key = engine::rule_key_hash(*base_, profile_.blocking[r], i);
                if (key) post.push_back({key, static_cast<std::uint32_t>(i)});
            }
            std::sort(post.begin(), post.end());
            post_keys_[r].reserve(post.size());
            post_rows_[r].reserve(post.size());
            for (const auto& p : post) post_keys_[r].push_back(p.first), post_rows_[r].push_back(p.second);
        }
    }
    const std::size_t nf = profile_.fields.size();
    tf_keys_.resize(nf);
    tf_counts_.resize(nf);
    tf_totals_.assign(nf, 0);
    std::vector<std::uint64_t> keys;
    for (std::size_t f = 0; f < nf; ++f) {
        if (!profile_.fields[f].tf) continue;
        keys.clear();
        for (std::size_t i = 0; i < n; ++i) {
            check(i);
            if (!base_->is_null(f, i)) keys.push_back(engine::TermFrequencies::value_key(*base_, f, i));
        }
        std::sort(keys.begin(), keys.end());
        tf_totals_[f] = keys.size();
        for (std::size_t i = 0; i < keys.size();) {
            std::size_t j = i;
            while (j < keys.size() && keys[j] == keys[i]) ++j;
            tf_keys_[f].push_back(keys[i]);
            tf_counts_[f].push_back(static_cast<std::uint32_t>(j - i));
            i = j;
        }
    }
    std::size_t own = base_->memory_bytes() + tf_totals_.capacity() * 8;
    for (std::size_t r = 0; r < nr; ++r) own += post_keys_[r].capacity() * 8 + post_rows_[r].capacity() * 4;
    for (std::size_t f = 0; f < nf; ++f) own += tf_keys_[f].capacity() * 8 + tf_counts_[f].capacity() * 4;
    finish(own);
}

void OnlineIndex::finish(std::size_t own_bytes) {
    const std::size_t nf = profile_.fields.size();
    any_tf_ = std::any_of(profile_.fields.begin(), profile_.fields.end(), [](const engine::Field& f) { return f.tf; });
    std::vector<engine::TermFrequencies::FlatTable> flat(nf);
    for (std::size_t f = 0; f < nf; ++f)
        flat[f] = {tf_keys_[f].data(), tf_counts_[f].data(), tf_keys_[f].size(), tf_totals_[f]};
    tf_ = engine::TermFrequencies(profile_, flat);
    pool_buffer_.resize(kInitialPoolBytes);
    pool_counters_.bytes_reserved = pool_buffer_.size();
    bytes_ = own_bytes + pool_buffer_.size();
}

// ---- images ----------------------------------------------------------------------------------

namespace {

constexpr std::uint64_t kImageMagic = 0x3158444E494D5555ull;  // "UUMINDX1" little-endian
constexpr std::uint32_t kImageVersion = 1;
constexpr std::uint32_t kByteOrder = 0x01020304;
constexpr std::size_t kAlign = 64;

struct ImageHeader {
    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t byte_order;
    std::uint64_t total_bytes;
    std::uint64_t tag;
    std::uint64_t shape;  // hash of the profile shape the arrays follow
    std::uint64_t rows;
    std::uint32_t fields, rules, hot_stride, array_count;
};

struct ImageArray {
    std::uint64_t offset;
    std::uint64_t count;
    std::uint32_t elem_size;
    std::uint32_t kind;
};

// How an array's length follows from the row count (checked on attach).
enum Kind : std::uint32_t {
    kPerRow = 1,   // 0 or rows entries (as a one-row store of the same profile has 0 or 1)
    kBits,         // ceil(rows / 64)
    kOffsets,      // 1 (unused arena) or rows + 1; monotonic from 0 to the length of the next array
    kChars,        // the arena's data (length checked by its offsets)
    kHot,          // rows * hot_stride
    kIdTable,      // 0 or a power of two > rows, every slot empty or < rows
    kPostKeys,     // one rule's keys, sorted
    kPostRows,     // same length as its keys; rows < rows
    kTfKeys,       // strictly increasing
    kTfCounts,     // same length as its keys
    kTfTotals,     // one per field
    kCpsChars,     // code points for the fuzzy levels: never written (derived, FieldColumn::cps_derived)
    kCpsOffsets,   // ... so always the one offset 0
};

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

std::uint64_t profile_shape(const Profile& p) {
    std::uint64_t h = mix(0, p.fields.size());
    for (const auto& f : p.fields) h = mix(mix(h, static_cast<std::uint64_t>(f.type)), f.tf ? 1 : 0);
    h = mix(h, p.blocking.size());
    return h;
}

}  // namespace

// Walks every array of an index (the store's, then the index's) in image order.
class ImageCodec {
public:
    template <typename V>
    static void visit(OnlineIndex& x, V& v) {
        RecordStore& s = *x.base_;
        v(kChars, s.ids_.chars_buf());
        v(kOffsets, s.ids_.offsets_buf());
        v(kIdTable, s.id_table_);
        v(kHot, s.hot_);
        for (auto& c : s.columns_) {
            v(kBits, c.null_bits);
            for (auto* a : {&c.norm, &c.form}) {
                v(kChars, a->chars_buf());
                v(kOffsets, a->offsets_buf());
            }
            v(kCpsChars, c.cps.chars_buf());
            v(kCpsOffsets, c.cps.offsets_buf());
            v(kPerRow, c.h_norm);
            v(kPerRow, c.h_alt);
            v(kPerRow, c.h_sorted);
            v(kPerRow, c.h_nick);
            v(kPerRow, c.ival);
            v(kPerRow, c.dval);
            v(kPerRow, c.strong);
        }
        for (std::size_t r = 0; r < x.post_keys_.size(); ++r) {
            v(kPostKeys, x.post_keys_[r]);
            v(kPostRows, x.post_rows_[r]);
        }
        for (std::size_t f = 0; f < x.tf_keys_.size(); ++f) {
            v(kTfKeys, x.tf_keys_[f]);
            v(kTfCounts, x.tf_counts_[f]);
        }
        v(kTfTotals, x.tf_totals_);
    }
    static std::unique_ptr<OnlineIndex> attach(const Profile& profile, const void* data, std::size_t size,
                                               std::uint64_t tag, std::shared_ptr<const void> keep_alive,
                                               const std::function<bool()>& keep_going);
    static void set_rows(RecordStore& s, std::size_t rows) {
        for (auto& c : s.columns_) c.rows = rows;
    }
};

std::size_t OnlineIndex::image_size() const {
    std::size_t count = 0, bytes = 0;
    auto v = [&](std::uint32_t kind, const auto& buf) {
        ++count;
        const std::size_t n = kind == kCpsChars ? 0 : kind == kCpsOffsets ? 4 : buf.size() * sizeof(buf[0]);
        bytes += (n + kAlign - 1) / kAlign * kAlign;
    };
    ImageCodec::visit(const_cast<OnlineIndex&>(*this), v);
    const std::size_t head = (sizeof(ImageHeader) + count * sizeof(ImageArray) + kAlign - 1) / kAlign * kAlign;
    return head + bytes;
}

void OnlineIndex::write_image(const ImageSink& sink, std::uint64_t tag) const {
    auto& self = const_cast<OnlineIndex&>(*this);
    std::vector<ImageArray> table;
    std::vector<std::pair<const void*, std::size_t>> parts;
    static const std::uint32_t zero_offset = 0;
    auto collect = [&](std::uint32_t kind, const auto& buf) {
        const std::uint32_t elem = static_cast<std::uint32_t>(sizeof(buf[0]));
        if (kind == kCpsChars) {
            table.push_back({0, 0, elem, kind});
            parts.push_back({nullptr, 0});
        } else if (kind == kCpsOffsets) {
            table.push_back({0, 1, elem, kind});
            parts.push_back({&zero_offset, sizeof zero_offset});
        } else {
            table.push_back({0, buf.size(), elem, kind});
            parts.push_back({buf.data(), buf.size() * sizeof(buf[0])});
        }
    };
    ImageCodec::visit(self, collect);
    std::size_t at = (sizeof(ImageHeader) + table.size() * sizeof(ImageArray) + kAlign - 1) / kAlign * kAlign;
    const std::size_t head = at;
    for (std::size_t i = 0; i < table.size(); ++i) {
        table[i].offset = at;
        at += (parts[i].second + kAlign - 1) / kAlign * kAlign;
    }
    ImageHeader h{};
    h.magic = kImageMagic;
    h.version = kImageVersion;
    h.byte_order = kByteOrder;
    h.total_bytes = at;
    h.tag = tag;
    h.shape = profile_shape(profile_);
    h.rows = base_->size();
    h.fields = static_cast<std::uint32_t>(profile_.fields.size());
    h.rules = static_cast<std::uint32_t>(profile_.blocking.size());
    h.hot_stride = static_cast<std::uint32_t>(base_->hot_stride());
    h.array_count = static_cast<std::uint32_t>(table.size());
    static const char zeros[kAlign] = {};
    sink(&h, sizeof h);
    sink(table.data(), table.size() * sizeof(ImageArray));
    std::size_t written = sizeof h + table.size() * sizeof(ImageArray);
    sink(zeros, head - written);
    for (const auto& [p, n] : parts) {
        if (n) sink(p, n);
        const std::size_t pad = (kAlign - n % kAlign) % kAlign;
        if (pad) sink(zeros, pad);
    }
}

std::unique_ptr<OnlineIndex> OnlineIndex::attach(const Profile& profile, const void* data, std::size_t size,
                                                 std::uint64_t tag, std::shared_ptr<const void> keep_alive,
                                                 const std::function<bool()>& keep_going) {
    return ImageCodec::attach(profile, data, size, tag, std::move(keep_alive), keep_going);
}

std::unique_ptr<OnlineIndex> ImageCodec::attach(const Profile& profile, const void* data, std::size_t size,
                                                std::uint64_t tag, std::shared_ptr<const void> keep_alive,
                                                const std::function<bool()>& keep_going) {
    auto bad = [](const std::string& why) -> Error {
        return Error(ErrorCode::InvalidParameter, "online index image refused: " + why);
    };
    const auto* base = static_cast<const unsigned char*>(data);
    if (!data || reinterpret_cast<std::uintptr_t>(data) % 8 != 0) throw bad("not 8-byte aligned");
    if (size < sizeof(ImageHeader)) throw bad("truncated header");
    ImageHeader h;
    std::memcpy(&h, base, sizeof h);
    if (h.magic != kImageMagic) throw bad("not an index image");
    if (h.version != kImageVersion || h.byte_order != kByteOrder) throw bad("another format version or byte order");
    if (h.total_bytes != size) throw bad("truncated (" + std::to_string(size) + " of " + std::to_string(h.total_bytes) + " bytes)");
    if (h.tag != tag) throw bad("written for another target state");
    std::unique_ptr<OnlineIndex> x(new OnlineIndex(profile));
    x->base_ = std::make_unique<RecordStore>(profile);
    RecordStore& s = *x->base_;
    if (h.shape != profile_shape(profile) || h.fields != profile.fields.size() || h.rules != profile.blocking.size() ||
        h.hot_stride != s.hot_stride())
        throw bad("written for another profile");
    if (h.rows >= UINT32_MAX - 1) throw bad("row count out of range");
    const std::size_t nf = profile.fields.size(), nr = profile.blocking.size();
    x->post_keys_.resize(nr);
    x->post_rows_.resize(nr);
    x->tf_keys_.resize(nf);
    x->tf_counts_.resize(nf);
    // A one-row store of the same profile says which per-row arrays and arenas the fields use.
    RecordStore proto(profile);
    proto.append("x", std::vector<engine::RawValue>(nf));
    std::vector<std::size_t> proto_counts;
    auto count_proto = [&](std::uint32_t, const auto& buf) { proto_counts.push_back(buf.size()); };
    {
        OnlineIndex p(profile);
        p.base_ = std::make_unique<RecordStore>(std::move(proto));
        p.post_keys_.resize(nr);
        p.post_rows_.resize(nr);
        p.tf_keys_.resize(nf);
        p.tf_counts_.resize(nf);
        visit(p, count_proto);
    }
    const std::size_t arrays = proto_counts.size();
    if (h.array_count != arrays) throw bad("array count differs");
    if ((size - sizeof h) / sizeof(ImageArray) < arrays) throw bad("truncated array table");
    std::vector<ImageArray> table(arrays);
    std::memcpy(table.data(), base + sizeof h, arrays * sizeof(ImageArray));
    const std::uint64_t rows = h.rows;
    std::size_t i = 0;
    std::size_t polled = 0;
    auto poll = [&] {
        if ((++polled & 255) == 0 && keep_going && !keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
    };
    auto viewer = [&](std::uint32_t kind, auto& buf) {
        using T = std::decay_t<decltype(buf[0])>;
        const ImageArray& a = table[i];
        const std::string where = "array " + std::to_string(i);
        if (a.kind != kind || a.elem_size != sizeof(T)) throw bad(where + " has another type");
        if (a.offset % kAlign != 0 || a.offset > size || a.count > (size - a.offset) / sizeof(T))
            throw bad(where + " lies outside the image");
        const T* p = reinterpret_cast<const T*>(base + a.offset);
        const std::size_t n = static_cast<std::size_t>(a.count);
        const std::size_t pc = proto_counts[i];
        bool ok = true;
        switch (kind) {
        case kPerRow: ok = n == (pc ? rows : 0); break;
        case kBits: ok = n == (pc ? (rows + 63) / 64 : 0); break;
        case kOffsets: ok = n == (pc <= 1 ? 1 : rows + 1); break;
        case kHot: ok = n == rows * s.hot_stride(); break;
        case kIdTable: ok = rows == 0 ? (n == 0 || (n & (n - 1)) == 0) : (n > rows && (n & (n - 1)) == 0); break;
        case kTfTotals: ok = n == nf; break;
        case kCpsChars: ok = n == 0; break;
        case kCpsOffsets: ok = n == 1; break;
        default: break;
        }
        if (!ok) throw bad(where + " has the wrong length");
        buf.view(p, n);
        ++i;
    };
    visit(*x, viewer);
    // Contents that index other arrays: every reference must stay inside them.
    auto check_arena = [&](auto& arena, bool code_points) {
        const auto& off = arena.offsets_buf();
        if (off[0] != 0 || off[off.size() - 1] != arena.chars_buf().size()) throw bad("arena offsets do not match its data");
        for (std::size_t k = 1; k < off.size(); ++k) {
            if ((k & 65535) == 0) poll();
            if (off[k] < off[k - 1]) throw bad("arena offsets are not monotonic");
            if (code_points && off[k] - off[k - 1] > engine::kMaxFuzzyCodePoints) throw bad("a value is too long");
        }
    };
    check_arena(s.ids_, false);
    for (auto& c : s.columns_) {
        check_arena(c.norm, false);
        check_arena(c.form, false);
        check_arena(c.cps, true);
        c.cps_derived = c.type == engine::FieldType::PersonName || c.type == engine::FieldType::Text ||
                        c.type == engine::FieldType::Email;
    }
    if (rows > 0) {
        std::size_t empty = 0;
        for (std::size_t k = 0; k < s.id_table_.size(); ++k) {
            const std::uint32_t v = s.id_table_[k];
            if (v == UINT32_MAX) ++empty;
            else if (v >= rows) throw bad("id table refers to a missing row");
        }
        if (empty == 0) throw bad("id table is full");
    }
    for (std::size_t r = 0; r < nr; ++r) {
        const auto& keys = x->post_keys_[r];
        const auto& prow = x->post_rows_[r];
        if (keys.size() != prow.size()) throw bad("posting keys and rows differ in length");
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if ((k & 65535) == 0) poll();
            if (prow[k] >= rows) throw bad("posting refers to a missing row");
            if (k > 0 && (keys[k] < keys[k - 1] || (keys[k] == keys[k - 1] && prow[k] <= prow[k - 1])))
                throw bad("postings are not sorted");
        }
    }
    for (std::size_t f = 0; f < nf; ++f) {
        const auto& keys = x->tf_keys_[f];
        if (keys.size() != x->tf_counts_[f].size()) throw bad("term-frequency keys and counts differ in length");
        std::uint64_t sum = 0;
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if (k > 0 && keys[k] <= keys[k - 1]) throw bad("term-frequency keys are not sorted");
            sum += x->tf_counts_[f][k];
        }
        if (sum != x->tf_totals_[f] || (!profile.fields[f].tf && sum != 0)) throw bad("term-frequency totals differ");
    }
    set_rows(s, rows);
    x->keep_alive_ = std::move(keep_alive);
    x->attached_bytes_ = size;
    x->finish(0);
    return x;
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

    // Term frequencies over {query record} + current target (what link counts): a per-query
    // overlay over the (shared, read-only) tables, forgotten on exit.
    struct Restore {
        engine::TermFrequencies& tf;
        ~Restore() { tf.clear_overlay(); }
    } restore{tf_};
    if (any_tf_) {
        for (std::size_t f = 0; f < profile_.fields.size(); ++f) {
            if (!profile_.fields[f].tf) continue;
            auto add = [&](const RecordStore& s, std::size_t i, std::int64_t d) {
                if (s.is_null(f, i)) return;
                tf_.adjust(f, engine::TermFrequencies::value_key(s, f, i), d);
            };
            add(query, q, +1);
            for (std::uint32_t e : excluded) add(base, e, -1);
            for (std::size_t j = 0; j < nd; ++j) add(*delta.rows, j, +1);
        }
        tf_.seal_overlay();
    }
    const engine::Scorer scorer(profile_, prior, any_tf_ ? &tf_ : nullptr);
    double min_weight;
    if (options.min_probability) min_weight = engine::Scorer::weight_for_probability(*options.min_probability);
    else if (profile_.threshold_auto && !profile_.threshold_resolved) min_weight = -INFINITY;
    else min_weight = engine::Scorer::weight_for_probability(profile_.threshold);

    // Candidates: per rule, the target rows sharing the query's key, unless the block (query +
    // target rows with that key) exceeds the rule's block cap, as link skips it.
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
        const std::uint64_t* keys = post_keys_[r].data();
        const std::uint64_t* keys_end = keys + post_keys_[r].size();
        const std::uint64_t* lo = std::lower_bound(keys, keys_end, key);
        const std::uint64_t* hi = lo;
        while (hi != keys_end && *hi == key) ++hi;
        std::size_t count = static_cast<std::size_t>(hi - lo);
        // An excluded row still in this block (its key recomputed from the base store).
        if (count > 0)
            for (std::uint32_t e : excluded) count -= engine::rule_key_hash(base, profile_.blocking[r], e) == key;
        for (std::size_t j = 0; j < nd; ++j) count += delta_keys[r * nd + j] == key;
        if (1 + count > engine::rule_block_cap(profile_, r)) continue;
        const std::uint32_t* rows = post_rows_[r].data();
        for (const std::uint64_t* it = lo; it != hi; ++it) {
            const std::uint32_t row = rows[it - keys];
            if (!is_excluded(row)) base_candidates.push_back(row);
        }
        for (std::size_t j = 0; j < nd; ++j)
            if (delta_keys[r * nd + j] == key) delta_candidates.push_back(static_cast<std::uint32_t>(j));
    }
    std::sort(base_candidates.begin(), base_candidates.end());
    base_candidates.erase(std::unique(base_candidates.begin(), base_candidates.end()), base_candidates.end());
    std::sort(delta_candidates.begin(), delta_candidates.end());
    delta_candidates.erase(std::unique(delta_candidates.begin(), delta_candidates.end()), delta_candidates.end());

    std::pmr::vector<Hit> hits(&pool);
    std::size_t scored = 0;
    last_query_ = {base_candidates.size() + delta_candidates.size(), 0};
    auto score = [&](const RecordStore& store, std::uint32_t row, bool from_delta) {
        if ((++scored & 4095) == 0 && keep_going && !keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling statement due to user request");
        double w;
        if (scorer.weight_at_least(query, q, store, row, min_weight, w))
            hits.push_back({from_delta, row, w, engine::Scorer::probability(w)});
    };
    for (std::uint32_t row : base_candidates) score(base, row, false);
    for (std::uint32_t row : delta_candidates) score(*delta.rows, row, true);
    last_query_.scored = scored;

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
