// Term-frequency adjustment (Splink's approach): agreeing on a rare value ("Zbigniew") is stronger
// evidence than agreeing on a common one ("Smith", "王"). For a field marked "tf": true, the table
// holds the relative frequency of each normalised value among the records. For the "exact" level of
// such a field the weight becomes
//     log2(m_exact / u_tf),   u_tf = max(freq(value), floor)
// instead of log2(m_exact / u_exact); every other level keeps log2(m / u). floor defaults to
// 1 / (records counted), so a value seen once is never weighed above "unique".
//
// Values are keyed by the store's hot-row equality word of the field (the hash of the normalised
// value; yyyymmdd for dates), which is what the exact level compares: value_key(store, f, i).
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace usermatch::engine {

struct TermFrequencyRow {
    std::string field;
    std::string value;     // normalised value
    std::uint64_t count;
    double frequency;      // count / records with a value
};

class TermFrequencies {
public:
    TermFrequencies() = default;
    // Counts the values of every tf field over `left` (and `right` for link: one shared table).
    // The weights use the profile's m and u as given (build it from the trained profile).
    TermFrequencies(const Profile& profile, const RecordStore& left,
                    const RecordStore* right = nullptr);

    // Flat tables (online index images, core/index): per field the sorted distinct keys and their
    // counts, in memory the object does not own and never writes. adjust() then only records the
    // change in a small per-object overlay, which clear_overlay() forgets (the shared tables stay
    // untouched); seal_overlay() sorts it so that lookups binary-search it.
    struct FlatTable {
        const std::uint64_t* keys = nullptr;
        const std::uint32_t* counts = nullptr;
        std::size_t n = 0;
        std::uint64_t total = 0;
    };
    TermFrequencies(const Profile& profile, const std::vector<FlatTable>& flat);
    void clear_overlay();
    void seal_overlay();

    // Upper bound of the bytes the tables of the profile's tf fields take over these stores (every
    // value distinct): its normalised text plus ~96 bytes of hash-table node and bucket, and each
    // record's pointer to its entry.
    static std::size_t memory_bound(const Profile& profile, const RecordStore& left, const RecordStore* right) {
        std::size_t total = 0;
        for (std::size_t f = 0; f < profile.fields.size(); ++f) {
            if (!profile.fields[f].tf) continue;
            for (const RecordStore* store : {&left, right})
                if (store) total += store->column(f).norm.chars() + store->size() * (96 + sizeof(void*));
        }
        return total;
    }

    static std::uint64_t value_key(const RecordStore& store, std::size_t field, std::size_t record) {
        return store.hot(record)[static_cast<std::size_t>(store.slots(field).norm)];
    }

    bool has_field(std::size_t field) const { return field < tables_.size() && tables_[field].total > 0; }
    // Relative frequency of a value (0 when unknown or the field has no table).
    double frequency(std::size_t field, std::uint64_t key) const;
    // u_tf floor of a field: 1 / values counted.
    double floor(std::size_t field) const;
    // log2(m / max(freq, floor)) for the exact level of a tf field; the plain log2(m / u) otherwise.
    double adjusted_weight(std::size_t field, int level, std::uint64_t key) const;
    // The same weight for the value of record `row` of `store`: when the tables were counted over
    // that store, its entry is found through the record's pointer rather than by hashing its key.
    double adjusted_weight_of_row(std::size_t field, int level, const RecordStore& store, std::size_t row) const;

    // Adds `delta` (may be negative) to the count of one value of a tf field and to the field's
    // total, as if a record holding it were added to / removed from the counted stores. Integer
    // counts: adjusting and adjusting back restores the table exactly (online matching counts the
    // query record and the rows changed since its index was built this way; see core/index).
    void adjust(std::size_t field, std::uint64_t key, std::int64_t delta);

    // Every value as rows, most frequent first (per field in profile order); max_rows_per_field 0 = all.
    std::vector<TermFrequencyRow> rows(std::size_t max_rows_per_field = 0) const;
    // {"field": {"records": n, "distinct": d, "values": {"smith": 0.012, ...}}, ...}
    std::string to_json(std::size_t max_values_per_field = 0) const;
    std::size_t distinct(std::size_t field) const { return field < tables_.size() ? tables_[field].values.size() : 0; }

private:
    struct Entry {
        std::string value;
        std::uint64_t count = 0;
        std::uint64_t key = 0;
    };
    // Pointers into the owning table's nodes: a move keeps them valid (the nodes move along), a
    // copy would point into the source, so a copied table starts without them (lookups hash).
    struct RowEntries : std::vector<const Entry*> {
        RowEntries() = default;
        RowEntries(const RowEntries&) : std::vector<const Entry*>() {}
        RowEntries& operator=(const RowEntries&) {
            clear();
            return *this;
        }
        RowEntries(RowEntries&&) = default;
        RowEntries& operator=(RowEntries&&) = default;
    };
    struct Table {
        std::string name;
        bool tf = false;
        int exact_level = -1;       // index of the field's "exact" level, -1 when none
        double exact_m = 0;
        std::vector<double> level_weights;
        std::uint64_t total = 0;    // records with a value
        std::unordered_map<std::uint64_t, Entry> values;
        bool flat = false;
        FlatTable base;                                             // flat mode: the tables
        std::vector<std::pair<std::uint64_t, std::int64_t>> overlay;  // flat mode: adjustments
        bool sealed = true;
        // Counted tables: each record's entry, per counted store (see stores_); cleared by adjust().
        RowEntries row_entries[2];
    };
    double weight_of_count(const Table& t, std::uint64_t count) const;
    const RecordStore* stores_[2] = {nullptr, nullptr};  // the stores the tables were counted over
    void init_tables(const Profile& profile);
    std::uint64_t count_of(const Table& t, std::uint64_t key) const;
    std::vector<Table> tables_;  // per profile field (empty tables for non-tf fields)
};

}  // namespace usermatch::engine
