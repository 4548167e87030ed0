// libphonenumber metadata compiled to digit DFAs (see phone_metadata.hpp).
#include "core/normalize/phone_metadata.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <atomic>
#include <list>
#include <map>
#include <mutex>

// Exported by libphonenumber (metadata.h, not installed): the serialized PhoneMetadataCollection
// its PhoneNumberUtil loads.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace usermatch::normalize::detail {
namespace {

namespace pn = i18n::phonenumbers;

// ---------------------------------------------------------------- regex subset -> NFA -> DFA

constexpr std::uint16_t kEndMask = 1u << 10;

struct Node {
    enum Kind { Set, Concat, Alt, Repeat } kind = Set;
    std::uint16_t mask = 0;  // Set: digits accepted (bit d)
    int min = 1, max = 1;    // Repeat: max -1 = unbounded
    bool capture = false;    // a capturing group (...)
    std::vector<Node> children;
};

class Parser {
public:
    explicit Parser(std::string_view p) : p_(p) {}
    bool parse(Node& out) {
        if (!alternation(out, 0)) return false;
        return i_ == p_.size();
    }

private:
    bool alternation(Node& out, int depth) {
        if (depth > 50) return false;
        Node alt;
        alt.kind = Node::Alt;
        for (;;) {
            Node seq;
            seq.kind = Node::Concat;
            while (i_ < p_.size() && p_[i_] != '|' && p_[i_] != ')') {
                Node atom;
                if (!parse_atom(atom, depth)) return false;
                if (!quantifiers(atom)) return false;
                seq.children.push_back(std::move(atom));
            }
            alt.children.push_back(std::move(seq));
            if (i_ < p_.size() && p_[i_] == '|') {
                ++i_;
                continue;
            }
            break;
        }
        out = alt.children.size() == 1 ? std::move(alt.children[0]) : std::move(alt);
        return true;
    }
    bool parse_atom(Node& out, int depth) {
        const char c = p_[i_];
        if (c >= '0' && c <= '9') {
            out.kind = Node::Set;
            out.mask = static_cast<std::uint16_t>(1u << (c - '0'));
            ++i_;
            return true;
        }
        if (c == '\\') {
            if (i_ + 1 < p_.size() && p_[i_ + 1] == 'd') {
                out.kind = Node::Set;
                out.mask = 0x3FF;
                i_ += 2;
                return true;
            }
            return false;
        }
        if (c == '$') {  // end of input: the END symbol, fed only after the last digit
            out.kind = Node::Set;
            out.mask = kEndMask;
            ++i_;
            return true;
        }
        if (c == '[') return parse_class(out);
        if (c == '(') {
            ++i_;
            bool capture = true;
            if (p_.substr(i_, 2) == "?:") i_ += 2, capture = false;
            else if (i_ < p_.size() && p_[i_] == '?') return false;  // lookaround etc.
            if (!alternation(out, depth + 1)) return false;
            out.capture = out.capture || capture;
            if (i_ >= p_.size() || p_[i_] != ')') return false;
            ++i_;
            return true;
        }
        return false;
    }
    bool parse_class(Node& out) {
        ++i_;
        bool negate = false;
        if (i_ < p_.size() && p_[i_] == '^') {
            negate = true;
            ++i_;
        }
        std::uint16_t mask = 0;
        bool first = true;
        while (i_ < p_.size() && (p_[i_] != ']' || first)) {
            first = false;
            const char c = p_[i_];
            if (c == '\\' && i_ + 1 < p_.size() && p_[i_ + 1] == 'd') {
                mask = 0x3FF;
                i_ += 2;
                continue;
            }
            if (c < '0' || c > '9') return false;
            if (i_ + 2 < p_.size() && p_[i_ + 1] == '-' && p_[i_ + 2] != ']') {
                const char hi = p_[i_ + 2];
                if (hi < c || hi > '9') return false;
                for (char d = c; d <= hi; ++d) mask |= static_cast<std::uint16_t>(1u << (d - '0'));
                i_ += 3;
            } else {
                mask |= static_cast<std::uint16_t>(1u << (c - '0'));
                ++i_;
            }
        }
        if (i_ >= p_.size()) return false;
        ++i_;  // ']'
        out.kind = Node::Set;
        out.mask = negate ? static_cast<std::uint16_t>(~mask & 0x3FF) : mask;
        return true;
    }
    bool number(int& v) {
        if (i_ >= p_.size() || p_[i_] < '0' || p_[i_] > '9') return false;
        v = 0;
        while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9') {
            v = v * 10 + (p_[i_] - '0');
            if (v > 100) return false;
            ++i_;
        }
        return true;
    }
    bool quantifiers(Node& atom) {
        while (i_ < p_.size()) {
            int lo = 0, hi = 0;
            const char c = p_[i_];
            if (c == '?') { lo = 0; hi = 1; ++i_; }
            else if (c == '*') { lo = 0; hi = -1; ++i_; }
            else if (c == '+') { lo = 1; hi = -1; ++i_; }
            else if (c == '{') {
                ++i_;
                if (!number(lo)) return false;
                hi = lo;
                if (i_ < p_.size() && p_[i_] == ',') {
                    ++i_;
                    if (i_ < p_.size() && p_[i_] == '}') hi = -1;
                    else if (!number(hi) || hi < lo) return false;
                }
                if (i_ >= p_.size() || p_[i_] != '}') return false;
                ++i_;
            } else {
                return true;
            }
            if (i_ < p_.size() && (p_[i_] == '?' || p_[i_] == '+')) return false;  // lazy/possessive
            Node rep;
            rep.kind = Node::Repeat;
            rep.min = lo;
            rep.max = hi;
            rep.children.push_back(std::move(atom));
            atom = std::move(rep);
        }
        return true;
    }

    std::string_view p_;
    std::size_t i_ = 0;
};

// Shortest match of a node, and shortest match in which some capturing group captured a
// non-empty string (a lower bound; kNever when no group can take part).
constexpr long kNever = 1L << 40;
struct Lengths {
    long any = 0;
    long capture = kNever;
};
Lengths lengths_of(const Node& n) {
    Lengths r;
    switch (n.kind) {
    case Node::Set: r = {(n.mask & 0x3FF) ? 1 : 0, kNever}; break;  // '$' (END) consumes no digit
    case Node::Concat: {
        for (const Node& c : n.children) r.any += lengths_of(c).any;
        for (const Node& c : n.children) {
            const Lengths l = lengths_of(c);
            if (l.capture < kNever) r.capture = std::min(r.capture, l.capture + r.any - l.any);
        }
        break;
    }
    case Node::Alt: {
        r.any = kNever;
        for (const Node& c : n.children) {
            const Lengths l = lengths_of(c);
            r.any = std::min(r.any, l.any);
            r.capture = std::min(r.capture, l.capture);
        }
        break;
    }
    case Node::Repeat: {
        const Lengths l = lengths_of(n.children[0]);
        r.any = n.min * l.any;
        if (n.max != 0 && l.capture < kNever) r.capture = l.capture + (std::max(n.min, 1) - 1) * l.any;
        break;
    }
    }
    if (n.capture) r.capture = std::min(r.capture, std::max(r.any, 1L));
    return r;
}

struct Nfa {
    struct State {
        std::uint16_t mask = 0;
        int to = -1;
        std::vector<int> eps;
    };
    std::vector<State> s;
    int add() {
        s.emplace_back();
        return static_cast<int>(s.size()) - 1;
    }
};

constexpr std::size_t kMaxNfaStates = 20000;
constexpr std::size_t kMaxDfaStates = 20000;

// Builds `node` between states from -> returns end state; false when too large.
bool build(Nfa& nfa, const Node& node, int from, int& end) {
    if (nfa.s.size() > kMaxNfaStates) return false;
    switch (node.kind) {
    case Node::Set: {
        const int to = nfa.add();
        nfa.s[from].mask = node.mask;
        nfa.s[from].to = to;
        end = to;
        return true;
    }
    case Node::Concat: {
        int cur = from;
        for (const Node& child : node.children) {
            const int start = nfa.add();
            nfa.s[cur].eps.push_back(start);
            if (!build(nfa, child, start, cur)) return false;
        }
        end = cur;
        return true;
    }
    case Node::Alt: {
        const int join = nfa.add();
        for (const Node& child : node.children) {
            const int start = nfa.add();
            nfa.s[from].eps.push_back(start);
            int e = 0;
            if (!build(nfa, child, start, e)) return false;
            nfa.s[e].eps.push_back(join);
        }
        end = join;
        return true;
    }
    case Node::Repeat: {
        const Node& child = node.children[0];
        int cur = from;
        for (int k = 0; k < node.min; ++k) {
            const int start = nfa.add();
            nfa.s[cur].eps.push_back(start);
            if (!build(nfa, child, start, cur)) return false;
        }
        if (node.max < 0) {  // a loop
            const int start = nfa.add();
            const int out = nfa.add();
            nfa.s[cur].eps.push_back(start);
            nfa.s[cur].eps.push_back(out);
            int e = 0;
            if (!build(nfa, child, start, e)) return false;
            nfa.s[e].eps.push_back(start);
            nfa.s[e].eps.push_back(out);
            end = out;
            return true;
        }
        const int out = nfa.add();
        for (int k = node.min; k < node.max; ++k) {
            nfa.s[cur].eps.push_back(out);
            const int start = nfa.add();
            nfa.s[cur].eps.push_back(start);
            if (!build(nfa, child, start, cur)) return false;
        }
        nfa.s[cur].eps.push_back(out);
        end = out;
        return true;
    }
    }
    return false;
}

void closure(const Nfa& nfa, std::vector<int>& set, std::vector<char>& seen) {
    std::vector<int> stack(set.begin(), set.end());
    for (int x : set) seen[x] = 1;
    while (!stack.empty()) {
        const int x = stack.back();
        stack.pop_back();
        for (int y : nfa.s[x].eps)
            if (!seen[y]) {
                seen[y] = 1;
                set.push_back(y);
                stack.push_back(y);
            }
    }
    for (int x : set) seen[x] = 0;
    std::sort(set.begin(), set.end());
}

}  // namespace

std::unique_ptr<DigitDfa> DigitDfa::compile(std::string_view pattern) {
    Node root;
    if (!Parser(pattern).parse(root)) return nullptr;
    Nfa nfa;
    const int start = nfa.add();
    int accept = 0;
    if (!build(nfa, root, start, accept)) return nullptr;
    auto dfa = std::make_unique<DigitDfa>();
    const long min_capture = lengths_of(root).capture;
    dfa->min_capture_length_ = min_capture >= kNever ? INT32_MAX : static_cast<int>(min_capture);
    std::map<std::vector<int>, int> ids;
    std::vector<std::vector<int>> sets;
    std::vector<char> seen(nfa.s.size(), 0);
    std::vector<int> first{start};
    closure(nfa, first, seen);
    ids.emplace(first, 0);
    sets.push_back(first);
    for (std::size_t k = 0; k < sets.size(); ++k) {
        if (sets.size() > kMaxDfaStates) return nullptr;
        std::array<std::int32_t, 11> row;
        row.fill(-1);
        const std::vector<int> cur = sets[k];
        for (int d = 0; d < 11; ++d) {
            std::vector<int> next;
            for (int x : cur)
                if (nfa.s[x].to >= 0 && (nfa.s[x].mask >> d & 1)) next.push_back(nfa.s[x].to);
            if (next.empty()) continue;
            std::sort(next.begin(), next.end());
            next.erase(std::unique(next.begin(), next.end()), next.end());
            closure(nfa, next, seen);
            auto it = ids.find(next);
            if (it == ids.end()) {
                it = ids.emplace(next, static_cast<int>(sets.size())).first;
                sets.push_back(next);
            }
            row[d] = it->second;
        }
        dfa->next_.push_back(row);
        dfa->accept_.push_back(std::binary_search(cur.begin(), cur.end(), accept) ? 1 : 0);
    }
    return dfa;
}

bool DigitDfa::full_match(std::string_view digits) const {
    std::int32_t s = 0;
    for (char c : digits) {
        s = next_[static_cast<std::size_t>(s)][static_cast<unsigned>(c - '0')];
        if (s < 0) return false;
    }
    if (accept_[static_cast<std::size_t>(s)]) return true;
    const std::int32_t end = next_[static_cast<std::size_t>(s)][10];
    return end >= 0 && accept_[static_cast<std::size_t>(end)];
}

std::uint64_t DigitDfa::prefix_lengths(std::string_view digits) const {
    std::uint64_t out = 0;
    std::int32_t s = 0;
    for (std::size_t i = 0;; ++i) {
        if (accept_[static_cast<std::size_t>(s)] && i < 64) out |= std::uint64_t(1) << i;
        if (i == digits.size()) {
            const std::int32_t end = next_[static_cast<std::size_t>(s)][10];
            if (end >= 0 && accept_[static_cast<std::size_t>(end)] && i < 64) out |= std::uint64_t(1) << i;
            break;
        }
        s = next_[static_cast<std::size_t>(s)][static_cast<unsigned>(digits[i] - '0')];
        if (s < 0) break;
    }
    return out;
}

bool NumberDesc::matches(std::string_view nsn) const {
    const int len = static_cast<int>(nsn.size());
    if (!lengths.empty() && std::find(lengths.begin(), lengths.end(), len) == lengths.end()) return false;
    return present && dfa->full_match(nsn);
}

bool RegionData::valid_nsn(std::string_view nsn) const {
    if (!general.matches(nsn)) return false;
    for (const NumberDesc& d : types)
        if (d.matches(nsn)) return true;
    if (fixed_line.matches(nsn)) return true;
    return !same_mobile_and_fixed_line && mobile.matches(nsn);
}

LengthResult RegionData::test_length(std::string_view nsn) const {
    const std::vector<int>& possible = general.lengths;
    if (possible.empty() || possible[0] == -1) return LengthResult::InvalidLength;
    const int len = static_cast<int>(nsn.size());
    if (std::find(general.local_lengths.begin(), general.local_lengths.end(), len) != general.local_lengths.end())
        return LengthResult::LocalOnly;
    if (possible[0] == len) return LengthResult::IsPossible;
    if (possible[0] > len) return LengthResult::TooShort;
    if (possible.back() < len) return LengthResult::TooLong;
    return std::find(possible.begin() + 1, possible.end(), len) != possible.end() ? LengthResult::IsPossible
                                                                                   : LengthResult::InvalidLength;
}

bool CallingCodeData::valid(std::string_view nsn) const {
    const RegionData* region = nullptr;
    if (regions.size() == 1) {
        region = regions[0];
    } else {
        for (const RegionData* r : regions) {
            if (r->leading_digits) {
                if (r->leading_digits->prefix_lengths(nsn) != 0) {
                    region = r;
                    break;
                }
            } else if (r->valid_nsn(nsn)) {
                region = r;
                break;
            }
        }
    }
    return region != nullptr && region->valid_nsn(nsn);
}

namespace {

// ---------------------------------------------------------------- protobuf wire format

struct Wire {
    const std::uint8_t* p;
    const std::uint8_t* end;
    bool varint(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7) {
            const std::uint8_t b = *p++;
            v |= std::uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    // Next field: number, wire type, and for length-delimited fields the bytes.
    bool next(int& field, int& type, std::uint64_t& value, std::string_view& bytes) {
        std::uint64_t key = 0;
        if (p >= end || !varint(key)) return false;
        field = static_cast<int>(key >> 3);
        type = static_cast<int>(key & 7);
        switch (type) {
        case 0: return varint(value);
        case 1: if (end - p < 8) return false; p += 8; return true;
        case 5: if (end - p < 4) return false; p += 4; return true;
        case 2: {
            std::uint64_t len = 0;
            if (!varint(len) || len > static_cast<std::uint64_t>(end - p)) return false;
            bytes = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
            p += len;
            return true;
        }
        default: return false;
        }
    }
};

Wire wire_of(std::string_view bytes) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(bytes.data());
    return Wire{b, b + bytes.size()};
}

void read_lengths(int type, std::uint64_t value, std::string_view bytes, std::vector<int>& out) {
    if (type == 0) {
        out.push_back(static_cast<int>(static_cast<std::int32_t>(value)));
    } else if (type == 2) {  // packed
        Wire w = wire_of(bytes);
        std::uint64_t v = 0;
        while (w.p < w.end && w.varint(v)) out.push_back(static_cast<int>(static_cast<std::int32_t>(v)));
    }
}

// Returns false when the pattern does not compile.
bool read_desc(std::string_view bytes, NumberDesc& desc) {
    Wire w = wire_of(bytes);
    int field = 0, type = 0;
    std::uint64_t value = 0;
    std::string_view b;
    std::string_view pattern;
    while (w.next(field, type, value, b)) {
        if (field == 2 && type == 2) pattern = b;
        else if (field == 9) read_lengths(type, value, b, desc.lengths);
        else if (field == 10) read_lengths(type, value, b, desc.local_lengths);
    }
    if (pattern.empty()) return true;
    desc.dfa = DigitDfa::compile(pattern);
    desc.present = desc.dfa != nullptr;
    return desc.present;
}

// The raw PhoneMetadata messages of geographic regions, by id; parsed once.
struct Blob {
    std::map<std::string, std::string_view, std::less<>> regions;
    std::int16_t code_of[26][26] = {};
};

const Blob& blob() {
    static const Blob* b = [] {
        auto* out = new Blob();
        const std::string_view all(static_cast<const char*>(pn::metadata_get()),
                                   static_cast<std::size_t>(pn::metadata_size()));
        Wire w = wire_of(all);
        int field = 0, type = 0;
        std::uint64_t value = 0;
        std::string_view bytes;
        while (w.next(field, type, value, bytes)) {
            if (field != 1 || type != 2) continue;
            Wire m = wire_of(bytes);
            std::string_view id;
            int code = 0;
            int f = 0, t = 0;
            std::uint64_t v = 0;
            std::string_view b;
            while (m.next(f, t, v, b)) {
                if (f == 9 && t == 2) id = b;
                else if (f == 10 && t == 0) code = static_cast<int>(v);
            }
            if (id.size() != 2 || id[0] < 'A' || id[0] > 'Z' || id[1] < 'A' || id[1] > 'Z') continue;
            out->regions.emplace(std::string(id), bytes);
            out->code_of[id[0] - 'A'][id[1] - 'A'] = static_cast<std::int16_t>(code);
        }
        return out;
    }();
    return *b;
}

// Compiles one region; nullptr when something does not compile.
std::unique_ptr<RegionData> compile_region(std::string_view id, std::string_view bytes) {
    auto r = std::make_unique<RegionData>();
    r->id = std::string(id);
    r->types.resize(8);
    Wire w = wire_of(bytes);
    int field = 0, type = 0;
    std::uint64_t value = 0;
    std::string_view b;
    bool ok = true, has_idd = false;
    while (w.next(field, type, value, b)) {
        if (type == 0) {
            if (field == 10) r->calling_code = static_cast<int>(value);
            else if (field == 18) r->same_mobile_and_fixed_line = value != 0;
            continue;
        }
        if (type != 2) continue;
        switch (field) {
        case 1: ok &= read_desc(b, r->general); break;
        case 2: ok &= read_desc(b, r->fixed_line); break;
        case 3: ok &= read_desc(b, r->mobile); break;
        case 5: ok &= read_desc(b, r->types[0]); break;  // premium rate
        case 4: ok &= read_desc(b, r->types[1]); break;  // toll free
        case 6: ok &= read_desc(b, r->types[2]); break;  // shared cost
        case 8: ok &= read_desc(b, r->types[3]); break;  // voip
        case 7: ok &= read_desc(b, r->types[4]); break;  // personal number
        case 21: ok &= read_desc(b, r->types[5]); break; // pager
        case 25: ok &= read_desc(b, r->types[6]); break; // uan
        case 28: ok &= read_desc(b, r->types[7]); break; // voicemail
        case 11:
            has_idd = !b.empty();
            if (has_idd) ok &= (r->idd = DigitDfa::compile(b)) != nullptr;
            break;
        case 15:
            if (!b.empty()) ok &= (r->national_prefix = DigitDfa::compile(b)) != nullptr;
            break;
        case 16: r->has_transform_rule = !b.empty(); break;
        case 23:
            if (!b.empty()) ok &= (r->leading_digits = DigitDfa::compile(b)) != nullptr;
            break;
        default: break;
        }
    }
    if (!ok || !has_idd || !r->general.present || r->general.lengths.empty()) return nullptr;
    return r;
}

struct Compiled {
    std::mutex mutex;
    std::atomic<const CallingCodeData*> codes[1000];
    std::atomic<bool> tried[1000];
    std::atomic<const RegionData*> by_id[26][26];
};

Compiled& compiled() {
    static Compiled* c = [] {
        auto* out = new Compiled();
        for (auto& a : out->codes) a.store(nullptr);
        for (auto& a : out->tried) a.store(false);
        for (auto& row : out->by_id)
            for (auto& a : row) a.store(nullptr);
        return out;
    }();
    return *c;
}

}  // namespace

int region_calling_code(std::string_view region) {
    if (region.size() != 2 || region[0] < 'A' || region[0] > 'Z' || region[1] < 'A' || region[1] > 'Z') return 0;
    return blob().code_of[region[0] - 'A'][region[1] - 'A'];
}

bool known_calling_code(int code) {
    static const bool* known = [] {
        auto* k = new bool[1000]();
        const auto* util = pn::PhoneNumberUtil::GetInstance();
        std::string region;
        for (int c = 1; c < 1000; ++c) {
            util->GetRegionCodeForCountryCode(c, &region);
            k[c] = region != "ZZ";
        }
        return k;
    }();
    return code > 0 && code < 1000 && known[code];
}

const CallingCodeData* calling_code_data(int code) {
    if (code <= 0 || code >= 1000) return nullptr;
    Compiled& c = compiled();
    if (c.tried[code].load(std::memory_order_acquire)) return c.codes[code].load(std::memory_order_acquire);
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.tried[code].load(std::memory_order_relaxed)) return c.codes[code].load(std::memory_order_relaxed);
    const Blob& b = blob();
    std::list<std::string> ids;
    pn::PhoneNumberUtil::GetInstance()->GetRegionCodesForCountryCallingCode(code, &ids);
    auto data = std::make_unique<CallingCodeData>();
    data->code = code;
    bool ok = !ids.empty();
    std::vector<std::unique_ptr<RegionData>> owned;
    for (const std::string& id : ids) {
        auto it = b.regions.find(id);
        std::unique_ptr<RegionData> r = it == b.regions.end() ? nullptr : compile_region(id, it->second);
        if (!r || r->calling_code != code) {
            ok = false;
            break;
        }
        data->regions.push_back(r.get());
        owned.push_back(std::move(r));
    }
    if (ok) {
        for (auto& r : owned) {
            c.by_id[r->id[0] - 'A'][r->id[1] - 'A'].store(r.get(), std::memory_order_release);
            r.release();  // kept for the life of the process
        }
        c.codes[code].store(data.release(), std::memory_order_release);
    }
    c.tried[code].store(true, std::memory_order_release);
    return c.codes[code].load(std::memory_order_relaxed);
}

const RegionData* region_data(std::string_view region) {
    const int code = region_calling_code(region);
    if (code == 0 || calling_code_data(code) == nullptr) return nullptr;
    return compiled().by_id[region[0] - 'A'][region[1] - 'A'].load(std::memory_order_acquire);
}

}  // namespace usermatch::normalize::detail
