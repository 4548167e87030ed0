// Online index (core/index): match() returns exactly what the batch matcher's link returns for a
// one-record left source (same target rows, weights within 1e-9), also with a delta of changed
// rows, and reuses its per-query pool.
#include "core/engine/matcher.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/generate/user_generator.hpp"
#include "core/index/online_index.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>
#include <map>
#include <memory>
#include <string>

using namespace usermatch;
using engine::RawValue;
using engine::RecordStore;

namespace {

const char* kProfile = R"({"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"},
  {"name": "dob", "column": "birth_date", "type": "date"},
  {"name": "idno", "column": "id_number", "type": "id_number"},
  {"name": "address", "column": "address", "type": "text"},
  {"name": "city", "column": "city", "type": "text", "tf": true}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob"], ["name.sorted_tokens", "dob.year"],
               ["name.sorted_tokens", "city"], ["name.sorted_tokens", "address.prefix3"],
               {"keys": ["name.sorted_tokens"], "max_block_size": 3}],
  "max_block_size": 40})";

std::vector<RawValue> values_of(const generate::UserRecord& r) {
    auto v = [](const std::optional<std::string>& s) { return s ? RawValue(*s) : RawValue(); };
    return {v(r.full_name), v(r.phone), v(r.email), v(r.birth_date), v(r.id_number), v(r.address), v(r.city)};
}

// (target id -> weight) of link(query record, target) at min_probability p.
std::map<std::string, double> link_weights(const engine::Profile& profile, const generate::UserRecord& q,
                                           const RecordStore& target, double p) {
    RecordStore left(profile);
    left.append("query", values_of(q));
    std::map<std::string, double> out;
    engine::RunOptions options;
    options.min_probability = p;
    engine::run(profile, left, &target, options, [&](const engine::MatchResult* rows, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) out[std::string(target.id(rows[i].right))] = rows[i].match_weight;
    });
    return out;
}

std::map<std::string, double> online_weights(index::OnlineIndex& idx, const engine::Profile& profile,
                                             const generate::UserRecord& q, const index::Delta& delta, double p) {
    RecordStore query(profile);
    query.append("query", values_of(q));
    index::QueryOptions options;
    options.k = 1000000;
    options.min_probability = p;
    std::map<std::string, double> out;
    for (const index::Hit& h : idx.match(query, 0, delta, options))
        out[std::string(h.from_delta ? delta.rows->id(h.row) : idx.base().id(h.row))] = h.match_weight;
    return out;
}

void expect_same(const std::map<std::string, double>& link, const std::map<std::string, double>& online, std::size_t& pairs) {
    ASSERT_EQ(link.size(), online.size());
    for (const auto& [id, w] : link) {
        auto it = online.find(id);
        ASSERT_NE(it, online.end()) << id;
        EXPECT_NEAR(it->second, w, 1e-9) << id;
    }
    pairs += link.size();
}

struct Fixture {
    engine::Profile profile = engine::parse_profile(kProfile);
    std::vector<generate::UserRecord> users;
    Fixture() {
        generate::GeneratorOptions options;
        options.preset = generate::Preset::Realistic;
        options.seed = 7;
        users = generate::generate_users(3000, options);
    }
};

}  // namespace

TEST(OnlineIndex, EqualsLinkForOneRecord) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 2500; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    RecordStore target(fx.profile);  // the same rows, for link
    for (std::size_t i = 0; i < 2500; ++i) target.append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex idx(fx.profile, std::move(base));
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < 3000; i += 25)
        for (double p : {0.0, 0.5})
            expect_same(link_weights(fx.profile, fx.users[i], target, p), online_weights(idx, fx.profile, fx.users[i], {}, p), pairs);
    EXPECT_GT(pairs, 150u);
    // Every query after the first reused the pooled buffer or grew it once.
    EXPECT_EQ(idx.pool().acquisitions, 240u);
    EXPECT_GE(idx.pool().reuses, 230u);
}

TEST(OnlineIndex, EqualsLinkWithChangedRows) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 2500; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex idx(fx.profile, std::move(base));
    // Current table: rows 0..59 deleted, rows 60..79 updated (values of other people), rows
    // 2500..2599 inserted.
    RecordStore current(fx.profile), delta_rows(fx.profile);
    index::Delta delta;
    for (std::uint32_t i = 0; i < 80; ++i) delta.excluded.push_back(i);
    for (std::size_t i = 60; i < 80; ++i) delta_rows.append(fx.users[i].user_id, values_of(fx.users[2900 + i]));
    for (std::size_t i = 2500; i < 2600; ++i) delta_rows.append(fx.users[i].user_id, values_of(fx.users[i]));
    for (std::size_t i = 80; i < 2500; ++i) current.append(fx.users[i].user_id, values_of(fx.users[i]));
    for (std::size_t i = 60; i < 80; ++i) current.append(fx.users[i].user_id, values_of(fx.users[2900 + i]));
    for (std::size_t i = 2500; i < 2600; ++i) current.append(fx.users[i].user_id, values_of(fx.users[i]));
    delta.rows = &delta_rows;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < 3000; i += 20)
        expect_same(link_weights(fx.profile, fx.users[i], current, 0.0), online_weights(idx, fx.profile, fx.users[i], delta, 0.0), pairs);
    for (std::size_t i = 2960; i < 2980; ++i)  // the updated rows' new values
        expect_same(link_weights(fx.profile, fx.users[i], current, 0.0), online_weights(idx, fx.profile, fx.users[i], delta, 0.0), pairs);
    EXPECT_GT(pairs, 150u);
    // The term-frequency table was restored after every query: without a delta, equal to link on the base.
    RecordStore base_again(fx.profile);
    for (std::size_t i = 0; i < 2500; ++i) base_again.append(fx.users[i].user_id, values_of(fx.users[i]));
    for (std::size_t i = 0; i < 200; i += 10)
        expect_same(link_weights(fx.profile, fx.users[i], base_again, 0.0), online_weights(idx, fx.profile, fx.users[i], {}, 0.0), pairs);
}

TEST(OnlineIndex, KBoundsAndOrders) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 1000; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex idx(fx.profile, std::move(base));
    RecordStore query(fx.profile);
    query.append("q", values_of(fx.users[3]));
    index::QueryOptions options;
    options.k = 1;
    options.min_probability = 0.0;
    const auto hits = idx.match(query, 0, {}, options);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(idx.base().id(hits[0].row), fx.users[3].user_id);
    options.k = 0;
    EXPECT_THROW(idx.match(query, 0, {}, options), Error);
}

// A delta's blocking keys are computed by its first query and reused by the next ones; pointing
// the delta at other rows recomputes them (results equal link's on each current table).
TEST(OnlineIndex, DeltaKeysFollowTheDeltaRows) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 2000; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex idx(fx.profile, std::move(base));
    RecordStore first(fx.profile), second(fx.profile), current_first(fx.profile), current_second(fx.profile);
    for (std::size_t i = 0; i < 2000; ++i) current_first.append(fx.users[i].user_id, values_of(fx.users[i]));
    for (std::size_t i = 0; i < 2000; ++i) current_second.append(fx.users[i].user_id, values_of(fx.users[i]));
    for (std::size_t i = 2000; i < 2300; ++i) {
        first.append(fx.users[i].user_id, values_of(fx.users[i]));
        current_first.append(fx.users[i].user_id, values_of(fx.users[i]));
    }
    for (std::size_t i = 2300; i < 2700; ++i) {
        second.append(fx.users[i].user_id, values_of(fx.users[i]));
        current_second.append(fx.users[i].user_id, values_of(fx.users[i]));
    }
    index::Delta delta;
    delta.rows = &first;
    std::size_t pairs = 0;
    for (std::size_t i = 1900; i < 2400; i += 5)
        expect_same(link_weights(fx.profile, fx.users[i], current_first, 0.0), online_weights(idx, fx.profile, fx.users[i], delta, 0.0), pairs);
    EXPECT_EQ(delta.keyed_rows, &first);
    EXPECT_EQ(delta.rule_keys.size(), fx.profile.blocking.size() * first.size());
    delta.rows = &second;
    for (std::size_t i = 2200; i < 2800; i += 5)
        expect_same(link_weights(fx.profile, fx.users[i], current_second, 0.0), online_weights(idx, fx.profile, fx.users[i], delta, 0.0), pairs);
    EXPECT_EQ(delta.keyed_rows, &second);
    EXPECT_EQ(delta.rule_keys.size(), fx.profile.blocking.size() * second.size());
    EXPECT_GT(pairs, 100u);
}

namespace {

// An image in 64-byte aligned memory (as a mapping gives), filled by write_image.
std::shared_ptr<std::vector<std::uint64_t>> image_of(const index::OnlineIndex& idx, std::uint64_t tag) {
    auto words = std::make_shared<std::vector<std::uint64_t>>((idx.image_size() + 7) / 8 + 8);
    auto* p = reinterpret_cast<unsigned char*>(words->data());
    p += (64 - reinterpret_cast<std::uintptr_t>(p) % 64) % 64;
    std::size_t at = 0;
    idx.write_image([&](const void* d, std::size_t n) { std::memcpy(p + at, d, n), at += n; }, tag);
    EXPECT_EQ(at, idx.image_size());
    return words;
}
const void* aligned(const std::vector<std::uint64_t>& w) {
    auto* p = reinterpret_cast<const unsigned char*>(w.data());
    return p + (64 - reinterpret_cast<std::uintptr_t>(p) % 64) % 64;
}

// Hits as (id, weight bits, probability bits): bit-equal comparison.
std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> exact_hits(index::OnlineIndex& idx, const engine::Profile& profile,
                                                                             const generate::UserRecord& q, const index::Delta& delta) {
    RecordStore query(profile);
    query.append("query", values_of(q));
    index::QueryOptions options;
    options.k = 1000;
    options.min_probability = 0.0;
    std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> out;
    for (const index::Hit& h : idx.match(query, 0, delta, options)) {
        std::uint64_t w, p;
        std::memcpy(&w, &h.match_weight, 8);
        std::memcpy(&p, &h.match_probability, 8);
        out.emplace_back(std::string(h.from_delta ? delta.rows->id(h.row) : idx.base().id(h.row)), w, p);
    }
    return out;
}

}  // namespace

TEST(OnlineIndexImage, AttachedGivesBitIdenticalHits) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 2500; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex built(fx.profile, std::move(base));
    auto image = image_of(built, 42);
    auto attached = index::OnlineIndex::attach(fx.profile, aligned(*image), built.image_size(), 42, image);
    EXPECT_TRUE(attached->attached());
    EXPECT_EQ(attached->attached_bytes(), built.image_size());
    EXPECT_LT(attached->memory_bytes(), 64u * 1024);  // only the pool: the rows stay in the image
    ASSERT_EQ(attached->base().size(), 2500u);
    for (std::size_t i = 0; i < 2500; i += 97) {
        EXPECT_EQ(attached->base().id(i), built.base().id(i));
        EXPECT_EQ(attached->base().find(built.base().id(i)), std::optional<std::size_t>(i));
    }
    EXPECT_FALSE(attached->base().find("no such id").has_value());
    // With a delta (deleted, updated and inserted rows) and two tf fields.
    RecordStore delta_rows(fx.profile);
    index::Delta delta;
    for (std::uint32_t i = 0; i < 80; ++i) delta.excluded.push_back(i);
    for (std::size_t i = 60; i < 80; ++i) delta_rows.append(fx.users[i].user_id, values_of(fx.users[2900 + i]));
    for (std::size_t i = 2500; i < 2600; ++i) delta_rows.append(fx.users[i].user_id, values_of(fx.users[i]));
    delta.rows = &delta_rows;
    std::size_t hits = 0;
    for (std::size_t i = 0; i < 3000; i += 13) {
        const auto a = exact_hits(built, fx.profile, fx.users[i], {});
        EXPECT_EQ(a, exact_hits(*attached, fx.profile, fx.users[i], {})) << i;
        const auto b = exact_hits(built, fx.profile, fx.users[i], delta);
        EXPECT_EQ(b, exact_hits(*attached, fx.profile, fx.users[i], delta)) << i;
        hits += a.size() + b.size();
    }
    EXPECT_GT(hits, 300u);
    // ... and the attached index still equals link (so the image did not change the semantics).
    RecordStore target(fx.profile);
    for (std::size_t i = 0; i < 2500; ++i) target.append(fx.users[i].user_id, values_of(fx.users[i]));
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < 3000; i += 50)
        expect_same(link_weights(fx.profile, fx.users[i], target, 0.0), online_weights(*attached, fx.profile, fx.users[i], {}, 0.0), pairs);
    EXPECT_GT(pairs, 40u);
    // Two indexes attached to the same image answer independently (the overlay is per object).
    auto second = index::OnlineIndex::attach(fx.profile, aligned(*image), built.image_size(), 42, image);
    EXPECT_EQ(exact_hits(*second, fx.profile, fx.users[5], delta), exact_hits(built, fx.profile, fx.users[5], delta));
}

TEST(OnlineIndexImage, ImageIsSmallerThanThePrivateIndex) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 3000; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex built(fx.profile, std::move(base));
    EXPECT_LT(built.image_size(), built.memory_bytes());
}

TEST(OnlineIndexImage, CorruptOrTruncatedImagesAreRefused) {
    Fixture fx;
    auto base = std::make_unique<RecordStore>(fx.profile);
    for (std::size_t i = 0; i < 500; ++i) base->append(fx.users[i].user_id, values_of(fx.users[i]));
    index::OnlineIndex built(fx.profile, std::move(base));
    const std::size_t size = built.image_size();
    auto attach = [&](const std::vector<std::uint64_t>& img, std::size_t n, std::uint64_t tag) {
        return index::OnlineIndex::attach(fx.profile, aligned(img), n, tag, nullptr);
    };
    auto image = image_of(built, 7);
    EXPECT_NO_THROW(attach(*image, size, 7));
    // Truncated anywhere (the header says how long it is), or a tag of another target state.
    for (std::size_t n : {std::size_t(0), std::size_t(10), std::size_t(64), size / 2, size - 64, size - 1})
        EXPECT_THROW(attach(*image, n, 7), Error) << n;
    EXPECT_THROW(attach(*image, size, 8), Error);
    // Another profile shape.
    engine::Profile other = engine::parse_profile(R"({"id": "user_id", "fields": [
      {"name": "name", "column": "full_name", "type": "person_name"}], "blocking": [["name"]]})");
    EXPECT_THROW(index::OnlineIndex::attach(other, aligned(*image), size, 7, nullptr), Error);
    // Flipping bytes of the header and the array table, and words of the arrays: refused, or an
    // index whose queries stay in bounds (run under ASan/valgrind to see the "in bounds" part).
    auto* bytes = reinterpret_cast<unsigned char*>(const_cast<void*>(aligned(*image)));
    std::size_t refused = 0, accepted = 0;
    for (std::size_t at = 0; at < size; at += (at < 4096 ? 3 : 4093)) {
        const unsigned char saved = bytes[at];
        bytes[at] ^= 0x5A;
        try {
            auto idx = attach(*image, size, 7);
            ++accepted;
            RecordStore query(fx.profile);
            query.append("q", values_of(fx.users[1]));
            index::QueryOptions options;
            options.min_probability = 0.0;
            (void)idx->match(query, 0, {}, options);
        } catch (const Error&) {
            ++refused;
        }
        bytes[at] = saved;
    }
    EXPECT_GT(refused, 50u);
    EXPECT_NO_THROW(attach(*image, size, 7));  // restored
    (void)accepted;
}
