// Record store: per-type normalisation at append time, per-thread batches merged in order.
#include "core/engine/record_store.hpp"

#include "core/engine/hash.hpp"
#include "core/engine/name_tokens.hpp"
#include "core/engine/task_runner.hpp"
#include "core/engine/thread_scratch.hpp"
#include "core/errors.hpp"
#include "core/normalize/normalize.hpp"
#include "core/text/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>

namespace usermatch::engine {

namespace {

constexpr std::uint32_t kEmpty = UINT32_MAX;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

using Scratch = ThreadScratch;

void push_null(FieldColumn& c) {
    c.norm.append({});
    c.h_norm.push_back(0);
    switch (c.type) {
    case FieldType::PersonName:
        c.form.append({});
        c.cps.append({});
        c.h_alt.push_back(0);
        c.h_sorted.push_back(0);
        c.h_nick.push_back(0);
        break;
    case FieldType::Text:
        c.form.append({});
        c.cps.append({});
        break;
    case FieldType::Phone: c.h_alt.push_back(0); break;
    case FieldType::Email:
        c.cps.append({});
        c.h_alt.push_back(0);
        break;
    case FieldType::Date: c.ival.push_back(0); break;
    case FieldType::IdNumber: c.strong.push_back(0); break;
    case FieldType::Exact: break;
    case FieldType::Number: c.dval.push_back(0); break;
    }
}

void mark_row(FieldColumn& c, bool is_null) {
    if ((c.rows & 63) == 0) c.null_bits.push_back(0);
    if (is_null) c.null_bits.back() |= std::uint64_t(1) << (c.rows & 63);
    ++c.rows;
}

// Fuzzy comparisons (Jaro-Winkler, OSA) cost len(a) * len(b): the code points they see are capped
// (kMaxFuzzyCodePoints, record_store.hpp) so that a megabyte "name" cannot stall a run. Exact
// levels hash the whole value.

// The field's "normalize" value normaliser (address / city / gender), or the text as it is.
std::string_view apply_normalizer(const Field& f, std::string_view raw, std::string& buf) {
    switch (f.normalizer) {
    case Normalizer::None: return raw;
    case Normalizer::Address: buf = normalize::normalize_address(raw); break;
    case Normalizer::City: buf = normalize::normalize_city(raw); break;
    case Normalizer::Gender: buf = normalize::normalize_gender(raw); break;
    }
    return buf;
}

// What append_name computes for one value, kept so a repeated value is copied, not recomputed.
struct NameOutputs {
    bool null = true;
    std::string norm, form;
    std::u32string cps;
    std::uint64_t h_norm = 0, h_alt = 0, h_sorted = 0, h_nick = 0;
};

void compute_name(const Field& f, std::string_view raw_in, NameOutputs& out, Scratch& s) {
    // A value normaliser's result is already in normalize_name's normal form (fuzz target
    // value_normalizers checks it), so it is not normalised twice.
    if (f.normalizer == Normalizer::None) out.norm = normalize::normalize_name(raw_in);
    else apply_normalizer(f, raw_in, out.norm);
    out.null = out.norm.empty();
    if (out.null) return;
    out.form = text::is_ascii(out.norm) ? out.norm : normalize::pinyin(out.norm);
    out.h_norm = hash_bytes(out.norm);
    out.cps.clear();
    text::decode_utf8_into(out.form, out.cps);
    if (out.cps.size() > kMaxFuzzyCodePoints) out.cps.resize(kMaxFuzzyCodePoints);
    if (f.type == FieldType::PersonName) {
        compact_tokens(out.form, s.norm_a);
        out.h_alt = hash_bytes(s.norm_a);
        sorted_tokens(out.form, s.norm_tokens, s.norm_a, false);
        out.h_sorted = hash_bytes(s.norm_a);
        // Most names hold no nickname: their nickname key is their sorted key.
        const bool any_nickname = std::any_of(s.norm_tokens.begin(), s.norm_tokens.end(), [](std::string_view t) {
            return normalize::canonical_given_name(t).data() != t.data();
        });
        if (any_nickname) sorted_tokens(out.form, s.norm_tokens, s.norm_a, true);
        out.h_nick = any_nickname ? hash_bytes(s.norm_a) : out.h_sorted;
    }
}

void push_name(const Field& f, const NameOutputs& out, FieldColumn& c) {
    if (out.null) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    c.norm.append(out.norm);
    c.h_norm.push_back(out.h_norm);
    c.form.append(out.form);
    c.cps.append(out.cps);
    if (f.type == FieldType::PersonName) {
        c.h_alt.push_back(out.h_alt);
        c.h_sorted.push_back(out.h_sorted);
        c.h_nick.push_back(out.h_nick);
    }
    mark_row(c, false);
}

// Per-thread memo of normalised names and texts, direct-mapped on (type, normaliser, raw value):
// user tables repeat cities, genders and common names, and one value costs ~1-2 µs to normalise
// (ICU, pinyin, nickname tokens) but well under 0.1 µs to copy. A field whose values rarely repeat
// (addresses, most full names) would only pay for the copies, so each field's hit rate is watched
// and the memo is bypassed for a field below kMinHitRate. Only batch loads use it (on worker
// threads, which exit with their runner). Values longer than kMaxRaw are always computed and
// results over kMaxKept bytes are not kept, so a thread's memo stays under
// kTextMemoBytesPerThread (4,096 slots of at most ~700 bytes; typical names and cities take a
// third of that).
struct TextMemo {
    static constexpr std::size_t kSlots = 1 << 12;
    static constexpr std::size_t kMaxRaw = 96;
    static constexpr std::size_t kMaxKept = 384;  // bytes of norm + form + code points
    static constexpr std::uint64_t kProbe = 4096;  // lookups before a field's hit rate is judged
    static constexpr double kMinHitRate = 0.5;
    struct Slot {
        std::uint64_t hash = 0;
        bool used = false;
        FieldType type = FieldType::Text;
        Normalizer normalizer = Normalizer::None;
        std::string raw;
        NameOutputs out;
    };
    struct FieldUse {
        const Field* field;
        std::uint64_t lookups = 0, hits = 0;
        bool bypass = false;
    };
    std::vector<Slot> slots = std::vector<Slot>(kSlots);
    std::vector<FieldUse> uses;  // one per field of the running load (a handful)

    FieldUse& use_of(const Field& f) {
        for (FieldUse& u : uses)
            if (u.field == &f) return u;
        uses.push_back({&f});
        return uses.back();
    }
};

// A slot: its own size, the raw value (capacity at most twice kMaxRaw after growth), what is kept,
// and the allocator's overhead of its four heap blocks.
static_assert(TextMemo::kSlots * (sizeof(TextMemo::Slot) + 2 * TextMemo::kMaxRaw + TextMemo::kMaxKept + 4 * 16) <=
                  kTextMemoBytesPerThread,
              "kTextMemoBytesPerThread must bound the memo");

TextMemo& thread_text_memo() {
    Scratch& s = thread_scratch();
    if (!s.text_memo) s.text_memo = std::shared_ptr<void>(new TextMemo(), [](void* p) { delete static_cast<TextMemo*>(p); });
    return *static_cast<TextMemo*>(s.text_memo.get());
}

// The memo's slot for (field type, normaliser, raw), or nullptr when the field bypasses the memo;
// a slot that held another value comes back emptied (used == false).
TextMemo::Slot* memo_slot(const Field& f, std::string_view raw) {
    if (raw.size() > TextMemo::kMaxRaw) return nullptr;
    TextMemo& memo = thread_text_memo();
    TextMemo::FieldUse& use = memo.use_of(f);
    if (use.bypass) return nullptr;
    const std::uint64_t h = hash_bytes(raw, 0x51ED270B27B4A1F3ULL ^ (static_cast<std::uint64_t>(f.type) << 8) ^
                                                static_cast<std::uint64_t>(f.normalizer));
    TextMemo::Slot& slot = memo.slots[h & (TextMemo::kSlots - 1)];
    ++use.lookups;
    if (slot.used && slot.hash == h && slot.type == f.type && slot.normalizer == f.normalizer && slot.raw == raw) {
        ++use.hits;
    } else {
        slot.used = false;
        slot.hash = h;
        slot.type = f.type;
        slot.normalizer = f.normalizer;
        slot.raw.assign(raw);
    }
    if (use.lookups == TextMemo::kProbe && use.hits < TextMemo::kMinHitRate * TextMemo::kProbe) use.bypass = true;
    return &slot;
}

// A result larger than kMaxKept is used once and not kept (its strings are freed).
void keep_if_small(TextMemo::Slot& slot) {
    const NameOutputs& out = slot.out;
    if (out.norm.capacity() + out.form.capacity() + 4 * out.cps.capacity() > TextMemo::kMaxKept) {
        slot.out = NameOutputs();
        slot.used = false;
    }
}

void append_name(const Field& f, std::string_view raw, FieldColumn& c, Scratch& s, bool memo) {
    TextMemo::Slot* slot = memo ? memo_slot(f, raw) : nullptr;
    if (!slot) {
        NameOutputs out;
        compute_name(f, raw, out, s);
        push_name(f, out, c);
        return;
    }
    if (!slot->used) compute_name(f, raw, slot->out, s), slot->used = true;
    push_name(f, slot->out, c);
    keep_if_small(*slot);
}

// Phone: normalize_phone with the record's region (from its region column) first, then the
// field's region and regions; a value it rejects keeps its digits when 5 to 17 remain after
// leading zeros (national-form-like, so "tel: 0685986638" still meets "06 85 98 66 38"), else NULL.
void append_phone(const Field& f, std::string_view raw, RawValue region_raw, FieldColumn& c, Scratch& s) {
    std::vector<std::string>& regions = s.phone_regions;
    regions.clear();
    if (region_raw)
        if (std::optional<std::string> r = normalize::phone_region_of_country(*region_raw)) regions.push_back(std::move(*r));
    regions.push_back(f.region);
    regions.insert(regions.end(), f.regions.begin(), f.regions.end());
    std::optional<std::string> normalized = normalize::normalize_phone(raw, regions);
    std::string& digits = s.norm_a;
    if (!normalized) {
        digits.clear();
        for (char ch : raw)
            if (ch >= '0' && ch <= '9' && !(digits.empty() && ch == '0')) digits.push_back(ch);
        if (digits.size() < 5 || digits.size() > 17) {  // not a phone number at all
            push_null(c);
            mark_row(c, true);
            return;
        }
    }
    const std::string_view norm = normalized ? std::string_view(*normalized) : std::string_view(digits);
    c.norm.append(norm);
    c.h_norm.push_back(hash_bytes(norm));
    const std::string_view nsn = normalize::phone_national_number(norm);
    c.h_alt.push_back(hash_bytes(nsn.size() > 9 ? nsn.substr(nsn.size() - 9) : nsn));
    mark_row(c, false);
}

void append_email(std::string_view raw, FieldColumn& c, Scratch& s) {
    std::optional<std::string> e = normalize::normalize_email(raw);
    std::string& norm = s.norm_a;
    if (e) {
        norm = *e;
    } else {  // keep a corrupted address comparable: trimmed, ASCII lower-case
        norm.assign(trim(raw));
        for (char& ch : norm)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (norm.empty()) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    c.norm.append(norm);
    c.h_norm.push_back(hash_bytes(norm));
    std::size_t at = norm.find('@');
    std::string_view local = std::string_view(norm).substr(0, at);
    c.h_alt.push_back(hash_bytes(local));
    s.norm_cps.clear();
    text::decode_utf8_into(local, s.norm_cps);
    if (s.norm_cps.size() > kMaxFuzzyCodePoints) s.norm_cps.resize(kMaxFuzzyCodePoints);
    c.cps.append(s.norm_cps);
    mark_row(c, false);
}

// "1861-72-30": an ISO-shaped date with an impossible month or day (a typo in one component).
// Keeping its components lets the date levels still credit the year and the other component.
std::optional<normalize::Date> components_of_invalid_iso_date(std::string_view s) {
    if (s.size() != 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4]) return std::nullopt;
    int v[3] = {0, 0, 0};
    const int starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k)
        for (int i = starts[k]; i < starts[k] + lens[k]; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    if (v[0] == 0 || v[1] == 0 || v[2] == 0) return std::nullopt;
    normalize::Date d;
    d.year = v[0];
    d.month = v[1];
    d.day = v[2];
    return d;
}

void append_date(const Field& f, std::string_view raw, FieldColumn& c) {
    auto order = f.date_order == DateOrder::MonthFirst ? normalize::DateOrder::MonthFirst : normalize::DateOrder::DayFirst;
    std::optional<normalize::Date> d = normalize::parse_date(trim(raw), order);
    if (!d) d = components_of_invalid_iso_date(trim(raw));
    if (d && f.date_order == DateOrder::Auto && d->month <= 12 && d->day <= 12 && d->day < d->month)
        std::swap(d->day, d->month);  // either order of an ambiguous date: the smaller is the month
    if (!d) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->year, d->month, d->day);
    c.norm.append(buf);
    c.h_norm.push_back(hash_bytes(buf));
    c.ival.push_back(d->year * 10000 + d->month * 100 + d->day);
    mark_row(c, false);
}

void append_id_number(std::string_view raw, FieldColumn& c, Scratch& s) {
    std::string& norm = s.norm_a;
    norm.clear();
    for (char ch : raw) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || static_cast<unsigned char>(ch) >= 0x80)
            norm.push_back(ch);
    }
    if (norm.empty()) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    c.norm.append(norm);
    c.h_norm.push_back(hash_bytes(norm));
    // An 18-character PRC identity number is strong only when its check digit is right; any other
    // non-empty identifier (passport, SSN) is taken as is.
    bool strong = norm.size() != 18 || normalize::cn_id_valid(norm);
    c.strong.push_back(strong ? 1 : 0);
    mark_row(c, false);
}

void compute_exact(const Field& f, std::string_view raw, NameOutputs& out) {
    std::string converted;
    const std::string_view v = trim(apply_normalizer(f, raw, converted));
    out.null = v.empty();
    out.norm.assign(v);
    out.h_norm = out.null ? 0 : hash_bytes(v);
}

void append_exact(const Field& f, std::string_view raw, FieldColumn& c, bool memo) {
    NameOutputs computed;
    const NameOutputs* out = &computed;
    // Only a normaliser (gender, city, address) costs enough to be worth the memo.
    TextMemo::Slot* slot = memo && f.normalizer != Normalizer::None ? memo_slot(f, raw) : nullptr;
    if (slot) {
        if (!slot->used) compute_exact(f, raw, slot->out), slot->used = true;
        out = &slot->out;
    } else {
        compute_exact(f, raw, computed);
    }
    if (out->null) {
        push_null(c);
        mark_row(c, true);
    } else {
        c.norm.append(out->norm);
        c.h_norm.push_back(out->h_norm);
        mark_row(c, false);
    }
    if (slot) keep_if_small(*slot);
}

// "inf", "-Infinity", ...: what strtod reads as an infinity on purpose (not an overflow).
bool names_infinity(std::string_view t) {
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) t.remove_prefix(1);
    return !t.empty() && (t[0] == 'i' || t[0] == 'I');
}

void append_number(std::string_view raw, FieldColumn& c, Scratch& s) {
    std::string& t = s.norm_a;
    t.clear();
    for (char ch : trim(raw))
        if (ch != ',' && ch != '_' && ch != ' ') t.push_back(ch);
    char* end = nullptr;
    double v = t.empty() ? 0 : std::strtod(t.c_str(), &end);
    // NaN says nothing about the person: missing, like NULL. So is a number too large for a double
    // (1e400 would otherwise become Infinity and equal every other huge number). A written
    // Infinity stays: it equals only Infinity of the same sign ("within_pct" never holds for it).
    const bool unusable = !t.empty() && end == t.c_str() + t.size() &&
                          (std::isnan(v) || (std::isinf(v) && !names_infinity(t)));
    if (t.empty() || end != t.c_str() + t.size() || unusable) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    c.norm.append(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    c.h_norm.push_back(hash_bytes(buf));
    c.dval.push_back(v);
    mark_row(c, false);
}

}  // namespace

std::uint64_t osa_filter_word(std::string_view v) {
    if (v.size() < 9 || v.size() > 255 || !text::is_ascii(v)) return 0;
    std::uint64_t w = std::uint64_t(v.size()) << 56;
    for (int k = 0; k < 3; ++k) w |= std::uint64_t(static_cast<unsigned char>(v[k])) << (32 + 8 * k);
    for (int k = 0; k < 4; ++k) w |= std::uint64_t(static_cast<unsigned char>(v[v.size() - 4 + k])) << (8 * k);
    return w;
}

void append_normalized(const Field& f, RawValue raw, FieldColumn& c, RawValue region, bool memo) {
    c.type = f.type;
    if (!raw || trim(*raw).empty()) {
        push_null(c);
        mark_row(c, true);
        return;
    }
    Scratch& s = thread_scratch();
    switch (f.type) {
    case FieldType::PersonName:
    case FieldType::Text: append_name(f, *raw, c, s, memo); break;
    case FieldType::Phone: append_phone(f, *raw, region, c, s); break;
    case FieldType::Email: append_email(*raw, c, s); break;
    case FieldType::Date: append_date(f, *raw, c); break;
    case FieldType::IdNumber: append_id_number(*raw, c, s); break;
    case FieldType::Exact: append_exact(f, *raw, c, memo); break;
    case FieldType::Number: append_number(*raw, c, s); break;
    }
}

std::u32string_view FieldColumn::derive_cps(std::size_t i, std::u32string& buf) const {
    std::string_view src = type == FieldType::Email ? norm[i].substr(0, norm[i].find('@')) : form[i];
    buf.clear();
    text::decode_utf8_into(src, buf);
    if (buf.size() > kMaxFuzzyCodePoints) buf.resize(kMaxFuzzyCodePoints);
    return buf;
}

std::size_t FieldColumn::memory_bytes() const {
    auto vb = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
    return vb(null_bits) + norm.memory_bytes() + form.memory_bytes() + cps.memory_bytes() + vb(h_norm) +
           vb(h_alt) + vb(h_sorted) + vb(h_nick) + vb(ival) + vb(dval) + vb(strong);
}

void FieldColumn::append_all(const FieldColumn& o) {
    // Null bitmap: re-pack bit by bit when this column does not end on a word boundary.
    for (std::size_t i = 0; i < o.rows; ++i) mark_row(*this, o.is_null(i));
    norm.append_all(o.norm);
    form.append_all(o.form);
    cps.append_all(o.cps);
    auto cat = [](auto& dst, const auto& src) { dst.insert(dst.end(), src.begin(), src.end()); };
    cat(ival, o.ival);
    cat(dval, o.dval);
    cat(strong, o.strong);
}

void FieldColumn::reserve_for(const std::vector<const FieldColumn*>& batches) {
    std::size_t n_rows = 0, norm_c = 0, form_c = 0, cps_c = 0, form_n = 0, cps_n = 0;
    std::size_t iv = 0, dv = 0, st = 0;
    for (const FieldColumn* b : batches) {
        n_rows += b->rows;
        norm_c += b->norm.chars();
        form_c += b->form.chars();
        form_n += b->form.size();
        cps_c += b->cps.chars();
        cps_n += b->cps.size();
        iv += b->ival.size();
        dv += b->dval.size();
        st += b->strong.size();
    }
    grow(null_bits, (rows + n_rows) / 64 + 1);
    norm.reserve_more(n_rows, norm_c);
    form.reserve_more(form_n, form_c);
    cps.reserve_more(cps_n, cps_c);
    grow(ival, ival.size() + iv);
    grow(dval, dval.size() + dv);
    grow(strong, strong.size() + st);
}

RecordStore::RecordStore(const Profile& profile)
    : fields_(profile.fields), columns_(profile.fields.size()), value_count_(profile.fields.size() + profile.extra_columns.size()) {
    if (fields_.size() > 64) throw Error(ErrorCode::ProgramLimit, "a profile may have at most 64 fields");
    slots_.resize(fields_.size());
    int next = 1;
    for (std::size_t f = 0; f < fields_.size(); ++f) {
        columns_[f].type = fields_[f].type;
        FieldType t = fields_[f].type;
        slots_[f].norm = next++;
        if (t == FieldType::PersonName || t == FieldType::Phone || t == FieldType::Email) slots_[f].alt = next++;
        if (t == FieldType::PersonName) {
            slots_[f].sorted = next++;
            slots_[f].nick = next++;
        }
        if (t == FieldType::Phone || t == FieldType::IdNumber) slots_[f].edit = next++;
    }
    hot_stride_ = static_cast<std::size_t>(next);
}

void RecordStore::fill_hot(const std::vector<FieldColumn>& batch, std::size_t first) {
    const std::size_t n = batch.empty() ? 0 : batch[0].rows;
    for (std::size_t f = 0; f < batch.size(); ++f) {
        const FieldColumn& c = batch[f];
        const HotSlots& sl = slots_[f];
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t* row = &hot_[(first + i) * hot_stride_];
            if (c.is_null(i)) row[0] |= std::uint64_t(1) << f;
            row[sl.norm] = c.type == FieldType::Date ? static_cast<std::uint64_t>(c.ival[i]) : c.h_norm[i];
            if (sl.alt >= 0) row[sl.alt] = c.h_alt[i];
            if (sl.sorted >= 0) row[sl.sorted] = c.h_sorted[i];
            if (sl.nick >= 0) row[sl.nick] = c.h_nick[i];
            if (sl.edit >= 0 && !c.is_null(i)) {
                std::string_view v = c.norm[i];
                if (!v.empty() && v[0] == '+') v.remove_prefix(1);  // phone: compare digits
                row[sl.edit] = osa_filter_word(v);
            }
        }
    }
}

void RecordStore::merge(std::vector<FieldColumn>& batch) {
    const std::size_t n = batch.empty() ? 0 : batch[0].rows;
    const std::size_t first = hot_.size() / hot_stride_;
    grow(hot_, hot_.size() + n * hot_stride_);
    hot_.resize(hot_.size() + n * hot_stride_, 0);
    fill_hot(batch, first);
    for (std::size_t f = 0; f < batch.size(); ++f) columns_[f].append_all(batch[f]);
}

std::optional<std::size_t> RecordStore::find(std::string_view id) const {
    if (id_table_.empty()) return std::nullopt;
    std::size_t mask = id_table_.size() - 1;
    for (std::size_t slot = hash_bytes(id) & mask;; slot = (slot + 1) & mask) {
        std::uint32_t idx = id_table_[slot];
        if (idx == kEmpty) return std::nullopt;
        if (ids_[idx] == id) return idx;
    }
}

void RecordStore::grow_id_table() {
    std::size_t cap = id_table_.empty() ? 1024 : id_table_.size() * 2;
    id_table_.assign(cap, kEmpty);
    std::size_t mask = cap - 1;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
        std::size_t slot = hash_bytes(ids_[i]) & mask;
        while (id_table_[slot] != kEmpty) slot = (slot + 1) & mask;
        id_table_[slot] = static_cast<std::uint32_t>(i);
    }
}

void RecordStore::add_id(std::string_view id) {
    if (ids_.size() >= UINT32_MAX - 1)
        throw Error(ErrorCode::ProgramLimit, "a record store holds at most 4294967294 records");
    if ((ids_.size() + 1) * 2 > id_table_.size()) grow_id_table();
    std::size_t mask = id_table_.size() - 1;
    std::size_t slot = hash_bytes(id) & mask;
    for (; id_table_[slot] != kEmpty; slot = (slot + 1) & mask)
        if (ids_[id_table_[slot]] == id)
            throw Error(ErrorCode::UniqueViolation, "duplicate record id \"" + std::string(id) + "\"",
                        "record ids must be unique within a source");
    id_table_[slot] = static_cast<std::uint32_t>(ids_.size());
    ids_.append(id);
}

void RecordStore::append(std::string_view id, const std::vector<RawValue>& values) {
    if (values.size() != fields_.size() && values.size() != value_count_)
        throw Error(ErrorCode::InvalidParameter, "record \"" + std::string(id) + "\" has " +
                                                     std::to_string(values.size()) + " values, the profile has " +
                                                     std::to_string(fields_.size()) + " fields");
    auto t0 = std::chrono::steady_clock::now();
    add_id(id);
    scratch_.resize(fields_.size());
    for (std::size_t f = 0; f < fields_.size(); ++f) {
        scratch_[f] = FieldColumn();
        scratch_[f].type = fields_[f].type;
        append_normalized(fields_[f], values[f], scratch_[f], extra_value(f, values.data(), values.size()));
    }
    merge(scratch_);
    normalize_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

RawValue RecordStore::extra_value(std::size_t f, const RawValue* record, std::size_t stride) const {
    const int k = fields_[f].region_value;
    return k >= 0 && static_cast<std::size_t>(k) < stride ? record[k] : RawValue();
}

void RecordStore::append_batch(const std::vector<std::string_view>& ids, const std::vector<RawValue>& values,
                               unsigned threads, const std::function<bool()>& keep_going) {
    TaskRunner runner(threads, keep_going);
    append_batch(ids, values, runner);
}

void RecordStore::append_batch(const std::vector<std::string_view>& ids, const std::vector<RawValue>& values,
                               TaskRunner& runner, const std::function<void()>& foreground) {
    const std::size_t n = ids.size(), nf = fields_.size();
    // Row-major, one value per field, then (optionally) one per extra column (Profile::extra_columns).
    const std::size_t nv = values.size() == n * value_count_ ? value_count_ : nf;
    if (values.size() != n * nv)
        throw Error(ErrorCode::InvalidParameter, "append_batch: values must hold ids.size() x field_count() entries");
    auto t0 = std::chrono::steady_clock::now();
    // Small slices: a cancel waits for the slices in flight (~10 ms each at 512 rows, cold caches).
    const std::size_t slice = 512;
    const std::size_t slices = (n + slice - 1) / slice;
    std::vector<std::vector<FieldColumn>> parts(slices);
    // The calling thread registers the ids (a duplicate throws and cancels the normalising), then
    // runs the caller's foreground work, while the workers normalise the slices.
    auto register_ids = [&] {
        for (std::string_view id : ids) add_id(id);
        if (foreground) foreground();
    };
    runner.run(slices, [&](std::size_t s) {
        std::vector<FieldColumn>& cols = parts[s];
        cols.resize(nf);
        std::size_t begin = s * slice, end = std::min(n, begin + slice);
        for (std::size_t f = 0; f < nf; ++f) {
            cols[f].type = fields_[f].type;
            for (std::size_t i = begin; i < end; ++i)
                append_normalized(fields_[f], values[i * nv + f], cols[f], extra_value(f, &values[i * nv], nv),
                                  text_memo_);
        }
    }, register_ids);
    // Merge on the runner too: each field's column takes the slices in order (fields are
    // independent), and each slice writes its own hot rows.
    const std::size_t first = hot_.size() / hot_stride_;
    grow(hot_, hot_.size() + n * hot_stride_);
    hot_.resize(hot_.size() + n * hot_stride_, 0);
    runner.run(nf + slices, [&](std::size_t t) {
        if (t >= nf) {
            fill_hot(parts[t - nf], first + (t - nf) * slice);
            return;
        }
        std::vector<const FieldColumn*> batches;
        for (const auto& cols : parts) batches.push_back(&cols[t]);
        columns_[t].reserve_for(batches);
        for (const auto& cols : parts) columns_[t].append_all(cols[t]);
    });
    normalize_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::size_t RecordStore::memory_bytes() const {
    std::size_t total = ids_.memory_bytes() + id_table_.capacity() * sizeof(std::uint32_t) +
                        hot_.capacity() * sizeof(std::uint64_t);
    for (const FieldColumn& c : columns_) total += c.memory_bytes();
    return total;
}

}  // namespace usermatch::engine
