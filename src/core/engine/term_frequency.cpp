#include "core/engine/term_frequency.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace usermatch::engine {


void TermFrequencies::init_tables(const Profile& profile) {
    tables_.resize(profile.fields.size());
    for (std::size_t f = 0; f < profile.fields.size(); ++f) {
        const Field& field = profile.fields[f];
        Table& t = tables_[f];
        t.name = field.name;
        t.tf = field.tf;
        for (std::size_t l = 0; l < field.levels.size(); ++l) {
            const Level& level = field.levels[l];
            t.level_weights.push_back(std::log2(level.m / level.u));
            if (level.condition == Condition::Exact && t.exact_level < 0) {
                t.exact_level = static_cast<int>(l);
                t.exact_m = level.m;
            }
        }
    }
}

TermFrequencies::TermFrequencies(const Profile& profile, const std::vector<FlatTable>& flat) {
    init_tables(profile);
    for (std::size_t f = 0; f < tables_.size() && f < flat.size(); ++f) {
        Table& t = tables_[f];
        if (!t.tf) continue;
        t.flat = true;
        t.base = flat[f];
        t.total = flat[f].total;
    }
}

void TermFrequencies::clear_overlay() {
    for (Table& t : tables_)
        if (t.flat) {
            t.overlay.clear();
            t.sealed = true;
            t.total = t.base.total;
        }
}

void TermFrequencies::seal_overlay() {
    for (Table& t : tables_) {
        if (!t.flat || t.sealed) continue;
        auto& o = t.overlay;
        std::sort(o.begin(), o.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::size_t w = 0;
        for (std::size_t i = 0; i < o.size(); ++i) {
            if (w > 0 && o[w - 1].first == o[i].first) o[w - 1].second += o[i].second;
            else o[w++] = o[i];
        }
        o.resize(w);
        t.sealed = true;
    }
}

std::uint64_t TermFrequencies::count_of(const Table& t, std::uint64_t key) const {
    if (!t.flat) {
        auto it = t.values.find(key);
        return it == t.values.end() ? 0 : it->second.count;
    }
    std::int64_t count = 0;
    const std::uint64_t* end = t.base.keys + t.base.n;
    const std::uint64_t* at = std::lower_bound(t.base.keys, end, key);
    if (at != end && *at == key) count = t.base.counts[at - t.base.keys];
    if (t.sealed) {
        auto it = std::lower_bound(t.overlay.begin(), t.overlay.end(), key,
                                   [](const auto& e, std::uint64_t k) { return e.first < k; });
        if (it != t.overlay.end() && it->first == key) count += it->second;
    } else {
        for (const auto& e : t.overlay) count += e.first == key ? e.second : 0;
    }
    return count > 0 ? static_cast<std::uint64_t>(count) : 0;
}

TermFrequencies::TermFrequencies(const Profile& profile, const RecordStore& left,
                                 const RecordStore* right) {
    init_tables(profile);
    stores_[0] = &left;
    stores_[1] = right;
    for (std::size_t f = 0; f < profile.fields.size(); ++f) {
        const Field& field = profile.fields[f];
        Table& t = tables_[f];
        if (!field.tf) continue;
        t.values.reserve(left.size() + (right ? right->size() : 0));
        for (int k = 0; k < 2; ++k) {
            const RecordStore* store = stores_[k];
            if (!store) continue;
            const FieldColumn& col = store->column(f);
            // Node addresses of an unordered_map survive rehashing, so each record keeps its entry.
            t.row_entries[k].assign(store->size(), nullptr);
            for (std::size_t i = 0; i < store->size(); ++i) {
                if (store->is_null(f, i)) continue;
                const std::uint64_t key = value_key(*store, f, i);
                Entry& e = t.values[key];
                if (e.count++ == 0) {
                    e.value = std::string(col.norm[i]);
                    e.key = key;
                }
                t.row_entries[k][i] = &e;
                ++t.total;
            }
        }
    }
}

void TermFrequencies::adjust(std::size_t field, std::uint64_t key, std::int64_t delta) {
    if (field >= tables_.size() || !tables_[field].tf || delta == 0) return;
    Table& t = tables_[field];
    if (t.flat) {
        t.overlay.push_back({key, delta});
        t.sealed = false;
        t.total = static_cast<std::uint64_t>(static_cast<std::int64_t>(t.total) + delta);
        return;
    }
    for (auto& rows : t.row_entries) rows.clear();  // an entry may be erased below
    Entry& e = t.values[key];
    e.count = static_cast<std::uint64_t>(static_cast<std::int64_t>(e.count) + delta);
    t.total = static_cast<std::uint64_t>(static_cast<std::int64_t>(t.total) + delta);
    if (e.count == 0) t.values.erase(key);
}

double TermFrequencies::frequency(std::size_t field, std::uint64_t key) const {
    if (!has_field(field)) return 0;
    const Table& t = tables_[field];
    const std::uint64_t count = count_of(t, key);
    return count == 0 ? 0.0 : static_cast<double>(count) / static_cast<double>(t.total);
}

double TermFrequencies::floor(std::size_t field) const {
    return has_field(field) ? 1.0 / static_cast<double>(tables_[field].total) : 0.0;
}

double TermFrequencies::weight_of_count(const Table& t, std::uint64_t count) const {
    const double total = static_cast<double>(t.total);
    const double frequency = count == 0 ? 0.0 : static_cast<double>(count) / total;
    return std::log2(t.exact_m / std::max(frequency, 1.0 / total));
}

double TermFrequencies::adjusted_weight(std::size_t field, int level, std::uint64_t key) const {
    if (level < 0 || field >= tables_.size()) return 0;
    const Table& t = tables_[field];
    const double plain = t.level_weights.at(static_cast<std::size_t>(level));
    if (!has_field(field) || level != t.exact_level) return plain;
    return weight_of_count(t, count_of(t, key));
}

double TermFrequencies::adjusted_weight_of_row(std::size_t field, int level, const RecordStore& store,
                                               std::size_t row) const {
    if (level < 0 || field >= tables_.size()) return 0;
    const Table& t = tables_[field];
    if (!has_field(field) || level != t.exact_level) return t.level_weights.at(static_cast<std::size_t>(level));
    const std::uint64_t key = value_key(store, field, row);
    // The key check keeps this right even for a store that merely reuses a counted one's address.
    for (int k = 0; k < 2; ++k)
        if (stores_[k] == &store && row < t.row_entries[k].size()) {
            const Entry* e = t.row_entries[k][row];
            if (e && e->key == key) return weight_of_count(t, e->count);
        }
    return weight_of_count(t, count_of(t, key));
}

std::vector<TermFrequencyRow> TermFrequencies::rows(std::size_t max_rows) const {
    std::vector<TermFrequencyRow> out;
    for (const Table& t : tables_) {
        if (t.total == 0) continue;
        std::vector<const Entry*> entries;
        for (const auto& kv : t.values) entries.push_back(&kv.second);
        std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
            return a->count != b->count ? a->count > b->count : a->value < b->value;
        });
        if (max_rows && entries.size() > max_rows) entries.resize(max_rows);
        for (const Entry* e : entries)
            out.push_back({t.name, e->value, e->count, static_cast<double>(e->count) / static_cast<double>(t.total)});
    }
    return out;
}

std::string TermFrequencies::to_json(std::size_t max_values) const {
    nlohmann::json doc = nlohmann::json::object();
    for (const Table& t : tables_) {
        if (t.total == 0) continue;
        nlohmann::json jt = {{"records", t.total}, {"distinct", t.values.size()}};
        doc[t.name] = jt;
    }
    for (const TermFrequencyRow& r : rows(max_values)) doc[r.field]["values"][r.value] = r.frequency;
    return doc.dump();
}

}  // namespace usermatch::engine
