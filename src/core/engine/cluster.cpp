#include "core/engine/cluster.hpp"

#include "core/engine/comparison.hpp"
#include "core/engine/hash.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <numeric>

namespace usermatch::engine {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string_view strip_zeros(std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
}

struct StrongId {
    std::uint32_t node;   // a record holding the value (the first one seen)
    std::uint32_t field;
    std::uint64_t hash;   // hash of the normalised value, to find duplicates cheaply
};

// Strong identifiers of one record: valid values of its id_number fields.
void strong_values(const Profile& p, const RecordStore& store, std::size_t r, std::uint32_t node,
                   std::vector<StrongId>& out) {
    for (std::size_t f = 0; f < p.fields.size(); ++f) {
        if (p.fields[f].type != FieldType::IdNumber) continue;
        const FieldColumn& c = store.column(f);
        if (!c.is_null(r) && c.strong[r])
            out.push_back({node, static_cast<std::uint32_t>(f), hash_bytes(c.norm[r])});
    }
}

[[noreturn]] void cancelled() {
    throw Error(ErrorCode::QueryCanceled, "canceling usermatch computation on request");
}

}  // namespace

bool id_less(std::string_view a, std::string_view b) {
    if (all_digits(a) && all_digits(b)) {
        std::string_view x = strip_zeros(a), y = strip_zeros(b);
        if (x.size() != y.size()) return x.size() < y.size();
        if (x != y) return x < y;
        return a < b;
    }
    return a < b;
}

std::string_view node_id(const RecordStore& left, const RecordStore* right, std::uint32_t node) {
    if (node < left.size()) return left.id(node);
    return right->id(node - left.size());
}

ClusterResult cluster_records(const Profile& profile, const RecordStore& left, const RecordStore* right,
                              std::vector<ClusterEdge>& edges, const std::function<bool()>& keep_going) {
    const std::size_t n = left.size() + (right ? right->size() : 0);
    std::vector<std::uint32_t> parent(n), size(n, 1), best(n);
    std::iota(parent.begin(), parent.end(), 0u);
    std::iota(best.begin(), best.end(), 0u);
    // The DISTINCT strong identifiers (field, value) of each root; only records that have one get
    // an entry. Duplicates cannot change whether two clusters are compatible, and one person's
    // records usually repeat one or two ID numbers, so these sets stay tiny however large the
    // cluster grows (keeping every record's copy made a merge O(N^2) and the run O(N^4)).
    std::vector<std::vector<StrongId>> ids(n);
    bool has_id_field = std::any_of(profile.fields.begin(), profile.fields.end(),
                                    [](const Field& f) { return f.type == FieldType::IdNumber; });
    if (has_id_field)
        for (std::uint32_t v = 0; v < n; ++v) {
            if (v < left.size()) strong_values(profile, left, v, v, ids[v]);
            else strong_values(profile, *right, v - left.size(), v, ids[v]);
        }

    auto value = [&](const StrongId& s) -> std::string_view {
        if (s.node < left.size()) return left.column(s.field).norm[s.node];
        return right->column(s.field).norm[s.node - left.size()];
    };
    // Value comparisons done since keep_going was last asked: the sets are tiny in practice, but
    // many distinct values (one typo apart) can make a merge check long, so cancel is polled by work.
    std::size_t work = 0;
    auto count_work = [&](std::size_t units) {
        work += units;
        if (work >= (std::size_t{1} << 14)) {
            work = 0;
            if (keep_going && !keep_going()) cancelled();
        }
    };
    // Two clusters may be one person when some identifier of one equals, or is one typo (OSA <= 1)
    // away from, an identifier of the same field in the other.
    auto compatible = [&](const std::vector<StrongId>& x, const std::vector<StrongId>& y) {
        for (const StrongId& p : x) {
            count_work(y.size());
            for (const StrongId& q : y) {
                if (p.field != q.field) continue;
                if (p.hash == q.hash || osa_within(value(p), value(q), 1)) return true;
            }
        }
        return false;
    };
    // Adds the values of `from` that `into` lacks (same field and same normalised value).
    auto merge_ids = [&](std::vector<StrongId>& into, std::vector<StrongId>& from) {
        if (into.size() < from.size()) into.swap(from);
        for (const StrongId& p : from) {
            count_work(into.size());
            bool seen = false;
            for (const StrongId& q : into)
                if (p.field == q.field && p.hash == q.hash && value(p) == value(q)) {
                    seen = true;
                    break;
                }
            if (!seen) into.push_back(p);
        }
        std::vector<StrongId>().swap(from);
    };
    auto find = [&](std::uint32_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    };

    // Sorting tens of millions of edges takes seconds, so a cancel is polled every 2^20
    // comparisons; a throw leaves the (trivially copyable) edges merely unsorted.
    std::size_t comparisons = 0;
    std::sort(edges.begin(), edges.end(), [&](const ClusterEdge& x, const ClusterEdge& y) {
        if ((++comparisons & ((std::size_t{1} << 20) - 1)) == 0 && keep_going && !keep_going()) cancelled();
        if (x.weight != y.weight) return x.weight > y.weight;
        return x.a != y.a ? x.a < y.a : x.b < y.b;  // deterministic order for ties
    });
    if (keep_going && !keep_going()) cancelled();
    ClusterResult result;
    for (const ClusterEdge& e : edges) {
        count_work(1);
        if (e.a >= n || e.b >= n) throw Error(ErrorCode::InvalidParameter, "cluster edge names an unknown record");
        std::uint32_t ra = find(e.a), rb = find(e.b);
        if (ra == rb) continue;
        if (size[ra] + size[rb] > profile.max_cluster_size) {
            ++result.merges_refused_size;
            continue;
        }
        if (!ids[ra].empty() && !ids[rb].empty() && !compatible(ids[ra], ids[rb])) {
            ++result.merges_refused_identifier;
            continue;
        }
        if (size[ra] < size[rb]) std::swap(ra, rb);
        parent[rb] = ra;
        size[ra] += size[rb];
        if (id_less(node_id(left, right, best[rb]), node_id(left, right, best[ra]))) best[ra] = best[rb];
        if (!ids[rb].empty()) merge_ids(ids[ra], ids[rb]);
    }
    result.members.resize(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        std::uint32_t r = find(v);
        result.members[v] = {v, best[r], size[r]};
    }
    return result;
}

}  // namespace usermatch::engine
