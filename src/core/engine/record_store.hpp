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
#include "core/engine/task_runner.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace usermatch::index {
class ImageCodec;  // writes a store into an index image and views one (core/index)
}

namespace usermatch::engine {

using RawValue = std::optional<std::string_view>;

// Fuzzy levels (osa<=k, jaro_winkler) see at most this many code points of a value: name and text
// forms (and email local parts) are truncated to it when stored; a longer id_number, email or
// phone value compares exact-only in those levels (comparison.cpp). Exact levels see the whole value.
constexpr std::size_t kMaxFuzzyCodePoints = 256;

// One field's values. Which vectors are filled depends on the field type (see record_store.cpp).
// In a RecordStore the four hash vectors are empty: the store keeps them in its hot rows.
struct FieldColumn {
    FieldType type = FieldType::Text;
    std::size_t rows = 0;
    Buf<std::uint64_t> null_bits;  // bit set = NULL (or empty after normalisation)
    StringArena norm;   // normalised value ("" when NULL): name/text normalize_name, phone E.164, ...
    StringArena form;   // person_name/text: pinyin form (single spaces between tokens); else unused
    U32Arena cps;       // code points for jaro-winkler: name/text the pinyin form, email the local
                        // part (phone and id_number compare their ASCII norm directly)
    Buf<std::uint64_t> h_norm;    // hash(norm); 0 when NULL
    Buf<std::uint64_t> h_alt;     // name: pinyin without spaces; phone: last 9 digits of the
                                          // national significant number; email: local part
    Buf<std::uint64_t> h_sorted;  // name: sorted pinyin tokens
    Buf<std::uint64_t> h_nick;    // name: sorted tokens after canonical_given_name
    Buf<std::int32_t> ival;       // date: yyyymmdd
    Buf<double> dval;             // number
    Buf<std::uint8_t> strong;     // id_number: 1 when usable as a strong identifier

    // An index image leaves `cps` out (it is 4 bytes per code point, a third of the image): the
    // fuzzy levels then decode it from `form` (name/text) or the local part of `norm` (email),
    // exactly as append_normalized built it (core/index).
    bool cps_derived = false;

    bool is_null(std::size_t i) const { return (null_bits[i >> 6] >> (i & 63)) & 1; }
    // The code points the fuzzy levels compare: cps[i], or when derived decoded into `buf`.
    std::u32string_view fuzzy_cps(std::size_t i, std::u32string& buf) const {
        return cps_derived ? derive_cps(i, buf) : cps[i];
    }
    std::u32string_view derive_cps(std::size_t i, std::u32string& buf) const;
    std::size_t memory_bytes() const;
    void append_all(const FieldColumn& other);  // merges a batch (all but the hash vectors)
    // Reserves exactly the room the given batches need (avoids growth-by-doubling slack).
    void reserve_for(const std::vector<const FieldColumn*>& batches);
};

class RecordStore {
public:
    explicit RecordStore(const Profile& profile);

    // Appends one record: `values` has one entry per profile field (std::nullopt = SQL NULL),
    // optionally followed by one per Profile::extra_columns (a phone field's region column).
    // Throws Error(UniqueViolation) naming the id when it is already in the store.
    void append(std::string_view id, const std::vector<RawValue>& values);

    // Appends ids.size() records; `values` is row-major (ids.size() x field_count(), or x
    // value_count() with the extra columns). Normalises on
    // `threads` worker threads (signals blocked); the calling thread polls `keep_going` (when set)
    // every ~10 ms and throws Error(QueryCanceled) when it returns false.
    void append_batch(const std::vector<std::string_view>& ids, const std::vector<RawValue>& values,
                      unsigned threads, const std::function<bool()>& keep_going = {});
    // Same, on `runner`'s threads: one runner kept for a whole load keeps its threads (and their
    // per-thread normaliser caches) warm from batch to batch. A cancelled runner throws.
    // `foreground`, when set, runs once on the calling thread while the workers normalise (see
    // TaskRunner::run): the glue reads the next rows meanwhile. `ids` and `values` must stay valid
    // until append_batch returns; foreground must not touch this store.
    void append_batch(const std::vector<std::string_view>& ids, const std::vector<RawValue>& values,
                      TaskRunner& runner, const std::function<void()>& foreground = {});
    // Whether batch loads reuse a worker's results for repeated names and texts (on by default).
    // The memo takes up to kTextMemoBytesPerThread on each worker thread while its runner lives;
    // a caller with a tight memory budget turns it off.
    void set_text_memo(bool on) { text_memo_ = on; }

    std::size_t size() const { return ids_.size(); }
    std::size_t field_count() const { return fields_.size(); }
    std::size_t value_count() const { return value_count_; }  // fields + extra columns
    const Field& field(std::size_t f) const { return fields_[f]; }
    const FieldColumn& column(std::size_t f) const { return columns_[f]; }
    std::string_view id(std::size_t i) const { return ids_[i]; }

    // Hot row: what the first comparison levels read, packed per record so that scoring a pair
    // touches one or two cache lines per record instead of one per column. Word 0 is the NULL
    // mask (bit f = field f is NULL); then per field the slots listed in HotSlots.
    struct HotSlots {
        int norm = -1;    // hash of the normalised value (date: yyyymmdd)
        int alt = -1;     // name: pinyin; phone: last 9 digits; email: local part
        int sorted = -1;  // name: sorted tokens
        int nick = -1;    // name: canonical nickname tokens
        int edit = -1;    // phone/id_number: edit-distance filter word (see osa_filter_word)
    };
    const std::uint64_t* hot(std::size_t i) const { return hot_.data() + i * hot_stride_; }
    const HotSlots& slots(std::size_t f) const { return slots_[f]; }
    std::size_t hot_stride() const { return hot_stride_; }  // words per hot row
    bool is_null(std::size_t f, std::size_t i) const { return (hot(i)[0] >> f) & 1; }
    std::optional<std::size_t> find(std::string_view id) const;

    // Bytes held (capacity), so the glue can size batches against memory_limit.
    std::size_t memory_bytes() const;
    // Wall time spent normalising so far.
    double normalize_seconds() const { return normalize_seconds_; }

private:
    friend class usermatch::index::ImageCodec;
    void add_id(std::string_view id);
    void merge(std::vector<FieldColumn>& batch);
    // Writes the hot rows [first, first + batch rows) from a normalised batch (rows must exist).
    void fill_hot(const std::vector<FieldColumn>& batch, std::size_t first);
    void grow_id_table();
    // Field f's extra value (its region column) in a record of `stride` values; NULL when absent.
    RawValue extra_value(std::size_t f, const RawValue* record, std::size_t stride) const;

    std::vector<Field> fields_;
    std::vector<FieldColumn> columns_;
    std::size_t value_count_ = 0;
    StringArena ids_;
    Buf<std::uint32_t> id_table_;  // open addressing over record indices; UINT32_MAX = empty
    std::vector<HotSlots> slots_;
    std::size_t hot_stride_ = 1;
    Buf<std::uint64_t> hot_;
    std::vector<FieldColumn> scratch_;  // one-record batch for append()
    double normalize_seconds_ = 0;
    bool text_memo_ = true;
};

// A word that lets "OSA distance <= 1" be rejected without reading the strings: length (8 bits),
// first 3 bytes, last 4 bytes of an ASCII value (0 = no filter: non-ASCII or shorter than 9). For
// two values of length >= 9 within one edit, the first 3 or the last 4 bytes are untouched.
std::uint64_t osa_filter_word(std::string_view ascii);

// Upper bound of one worker thread's text memo (record_store.cpp, TextMemo).
constexpr std::size_t kTextMemoBytesPerThread = std::size_t(7) << 19;

// Normalises one raw value into the column (used by the store; exposed for explain and tests).
// `region`: the record's region column value for a phone field with region_column.
// `memo`: reuse this thread's results for repeated names and texts (batch loads on worker threads).
void append_normalized(const Field& field, RawValue raw, FieldColumn& column, RawValue region = std::nullopt,
                       bool memo = false);

}  // namespace usermatch::engine
