// Columnar store of normalised records. Everything a comparison needs is computed ONCE per record
// at append time (normalised text, pinyin, decoded code points, equality hashes, parsed dates), so
// scoring a pair never allocates or re-normalises.
//
// Memory: per field a few arenas (one buffer + uint32 offsets each) and flat vectors; ids live in
// one arena. After append/append_batch throws (e.g. a duplicate id), discard the store.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/arena.hpp"
#include "core/engine/profile.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace usermatch::engine {

using RawValue = std::optional<std::string_view>;

// One field's values. Which vectors are filled depends on the field type (see record_store.cpp).
struct FieldColumn {
    FieldType type = FieldType::Text;
    std::size_t rows = 0;
    std::vector<std::uint64_t> null_bits;  // bit set = NULL (or empty after normalisation)
    StringArena norm;   // normalised value ("" when NULL): name/text normalize_name, phone E.164, ...
    StringArena form;   // person_name/text: pinyin form (single spaces between tokens); else unused
    U32Arena cps;       // code points for fuzzy comparisons: name/text the pinyin form, email the
                        // whole address, phone the digits, id_number the value
    std::vector<std::uint64_t> h_norm;    // hash(norm); 0 when NULL
    std::vector<std::uint64_t> h_alt;     // name: pinyin without spaces; phone: last 9 digits; email: local part
    std::vector<std::uint64_t> h_sorted;  // name: sorted pinyin tokens
    std::vector<std::uint64_t> h_nick;    // name: sorted tokens after canonical_given_name
    std::vector<std::int32_t> ival;       // date: yyyymmdd; email: local part length in code points
    std::vector<double> dval;             // number
    std::vector<std::uint8_t> strong;     // id_number: 1 when usable as a strong identifier

    bool is_null(std::size_t i) const { return (null_bits[i >> 6] >> (i & 63)) & 1; }
    std::size_t memory_bytes() const;
    void append_all(const FieldColumn& other);  // merges a per-thread batch
};

class RecordStore {
public:
    explicit RecordStore(const Profile& profile);

    // Appends one record: `values` has one entry per profile field (std::nullopt = SQL NULL).
    // Throws Error(UniqueViolation) naming the id when it is already in the store.
    void append(std::string_view id, const std::vector<RawValue>& values);

    // Appends ids.size() records; `values` is row-major (ids.size() x field_count()). Normalises on
    // `threads` worker threads (signals blocked); the calling thread polls `keep_going` (when set)
    // every ~10 ms and throws Error(QueryCanceled) when it returns false.
    void append_batch(const std::vector<std::string_view>& ids, const std::vector<RawValue>& values,
                      unsigned threads, const std::function<bool()>& keep_going = {});

    std::size_t size() const { return ids_.size(); }
    std::size_t field_count() const { return fields_.size(); }
    const Field& field(std::size_t f) const { return fields_[f]; }
    const FieldColumn& column(std::size_t f) const { return columns_[f]; }
    std::string_view id(std::size_t i) const { return ids_[i]; }
    std::optional<std::size_t> find(std::string_view id) const;

    // Bytes held (capacity), so the glue can size batches against memory_limit.
    std::size_t memory_bytes() const;
    // Wall time spent normalising so far.
    double normalize_seconds() const { return normalize_seconds_; }

private:
    void add_id(std::string_view id);
    void grow_id_table();

    std::vector<Field> fields_;
    std::vector<FieldColumn> columns_;
    StringArena ids_;
    std::vector<std::uint32_t> id_table_;  // open addressing over record indices; UINT32_MAX = empty
    double normalize_seconds_ = 0;
};

// Normalises one raw value into the column (used by the store; exposed for explain and tests).
void append_normalized(const Field& field, RawValue raw, FieldColumn& column);

}  // namespace usermatch::engine
