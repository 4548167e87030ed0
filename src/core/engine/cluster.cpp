#include "core/engine/cluster.hpp"

#include "core/engine/comparison.hpp"
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
    std::uint32_t node;
    std::uint32_t field;
};

// Strong identifiers of one record: valid values of its id_number fields.
void strong_values(const Profile& p, const RecordStore& store, std::size_t r, std::uint32_t node,
                   std::vector<StrongId>& out) {
    for (std::size_t f = 0; f < p.fields.size(); ++f) {
        if (p.fields[f].type != FieldType::IdNumber) continue;
        const FieldColumn& c = store.column(f);
        if (!c.is_null(r) && c.strong[r]) out.push_back({node, static_cast<std::uint32_t>(f)});
    }
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
                              std::vector<ClusterEdge>& edges) {
    const std::size_t n = left.size() + (right ? right->size() : 0);
    std::vector<std::uint32_t> parent(n), size(n, 1), best(n);
    std::iota(parent.begin(), parent.end(), 0u);
    std::iota(best.begin(), best.end(), 0u);
    // Strong identifiers per root, kept sorted; only records that have one get an entry.
    std::vector<std::vector<StrongId>> ids(n);
    bool has_id_field = std::any_of(profile.fields.begin(), profile.fields.end(),
                                    [](const Field& f) { return f.type == FieldType::IdNumber; });
    if (has_id_field)
        for (std::uint32_t v = 0; v < n; ++v) {
            if (v < left.size()) strong_values(profile, left, v, v, ids[v]);
            else strong_values(profile, *right, v - left.size(), v, ids[v]);
        }

    auto column = [&](const StrongId& s) -> std::pair<const FieldColumn*, std::size_t> {
        if (s.node < left.size()) return {&left.column(s.field), s.node};
        return {&right->column(s.field), s.node - left.size()};
    };
    // Two clusters may be one person when some identifier of one equals, or is one typo (OSA <= 1)
    // away from, an identifier of the same field in the other.
    auto compatible = [&](const std::vector<StrongId>& x, const std::vector<StrongId>& y) {
        for (const StrongId& p : x)
            for (const StrongId& q : y) {
                if (p.field != q.field) continue;
                auto [cp, ip] = column(p);
                auto [cq, iq] = column(q);
                if (osa_within(cp->norm[ip], cq->norm[iq], 1)) return true;
            }
        return false;
    };
    auto find = [&](std::uint32_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    };

    std::sort(edges.begin(), edges.end(), [](const ClusterEdge& x, const ClusterEdge& y) {
        if (x.weight != y.weight) return x.weight > y.weight;
        return x.a != y.a ? x.a < y.a : x.b < y.b;  // deterministic order for ties
    });
    ClusterResult result;
    for (const ClusterEdge& e : edges) {
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
        if (!ids[rb].empty()) {
            ids[ra].insert(ids[ra].end(), ids[rb].begin(), ids[rb].end());
            std::vector<StrongId>().swap(ids[rb]);
        }
    }
    result.members.resize(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        std::uint32_t r = find(v);
        result.members[v] = {v, best[r], size[r]};
    }
    return result;
}

}  // namespace usermatch::engine
