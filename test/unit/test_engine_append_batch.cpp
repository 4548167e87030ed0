// RecordStore::append_batch through one long-lived TaskRunner (as the SQL glue loads a table):
// batches of any size give exactly the store that single appends give, hot rows included.
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

Profile users_profile() {
    return parse_profile(R"({"id": "user_id", "fields": [
        {"name": "name",  "column": "full_name",  "type": "person_name"},
        {"name": "phone", "column": "phone",      "type": "phone", "region": "CN"},
        {"name": "email", "column": "email",      "type": "email"},
        {"name": "dob",   "column": "birth_date", "type": "date"},
        {"name": "idno",  "column": "id_number",  "type": "id_number"},
        {"name": "city",  "column": "city",       "type": "text"}],
        "blocking": [["phone"], ["email"]]})");
}

RawValue view(const std::optional<std::string>& v) { return v ? RawValue(*v) : RawValue(); }

void expect_same_store(const RecordStore& a, const RecordStore& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a.id(i), b.id(i));
        ASSERT_EQ(a.hot(i)[0], b.hot(i)[0]) << "null mask of row " << i;
        for (std::size_t f = 0; f < a.field_count(); ++f) {
            ASSERT_EQ(a.column(f).is_null(i), b.column(f).is_null(i)) << i;
            ASSERT_EQ(a.column(f).norm[i], b.column(f).norm[i]) << i;
            if (a.column(f).form.size() > 0 || b.column(f).form.size() > 0)
                ASSERT_EQ(a.column(f).form[i], b.column(f).form[i]) << "row " << i << " field " << f;
            if (a.column(f).cps.size() > 0 || b.column(f).cps.size() > 0)
                ASSERT_TRUE(a.column(f).cps[i] == b.column(f).cps[i]) << "row " << i << " field " << f;
            const auto& s = a.slots(f);
            for (int slot : {s.norm, s.alt, s.sorted, s.nick, s.edit})
                if (slot >= 0) ASSERT_EQ(a.hot(i)[slot], b.hot(i)[slot]) << "row " << i << " field " << f;
        }
    }
}

}  // namespace

TEST(EngineAppendBatch, BatchesThroughOneRunnerEqualSingleAppends) {
    const Profile profile = users_profile();
    generate::GeneratorOptions options;
    options.seed = 5;
    const auto users = generate::generate_users(9000, options);
    RecordStore single(profile), batched(profile);
    for (const auto& u : users)
        single.append(u.user_id, {view(u.full_name), view(u.phone), view(u.email), view(u.birth_date),
                                  view(u.id_number), view(u.city)});
    TaskRunner runner(2, {});
    // Uneven batch sizes: slices of 2048 rows, a partial slice, a one-row batch, an empty batch.
    const std::size_t sizes[] = {5000, 1, 0, 2048, 1951};
    std::size_t at = 0;
    for (std::size_t size : sizes) {
        std::vector<std::string_view> ids;
        std::vector<RawValue> values;
        for (std::size_t i = at; i < at + size; ++i) {
            const auto& u = users[i];
            ids.push_back(u.user_id);
            for (const auto* v : {&u.full_name, &u.phone, &u.email, &u.birth_date, &u.id_number, &u.city})
                values.push_back(view(*v));
        }
        batched.append_batch(ids, values, runner);
        at += size;
    }
    ASSERT_EQ(at, users.size());
    expect_same_store(single, batched);
    EXPECT_EQ(batched.find(users.back().user_id), std::optional<std::size_t>(users.size() - 1));
}

// Batch loads reuse a worker's results for repeated names and texts (the text memo); single appends
// never do. Realistic records repeat cities, genders and common names, and the same column read by
// two fields with different normalisers must keep each field's own result.
TEST(EngineAppendBatch, RepeatedValuesThroughTheMemoEqualSingleAppends) {
    const Profile profile = parse_profile(R"({"id": "user_id", "fields": [
        {"name": "name",     "column": "full_name", "type": "person_name"},
        {"name": "city",     "column": "city",      "type": "text", "normalize": "city"},
        {"name": "city_raw", "column": "city",      "type": "text"},
        {"name": "address",  "column": "address",   "type": "text", "normalize": "address"},
        {"name": "gender",   "column": "gender",    "type": "exact", "normalize": "gender"},
        {"name": "gender_raw", "column": "gender",  "type": "exact"}],
        "blocking": [["name"]]})");
    generate::GeneratorOptions options;
    options.seed = 11;
    options.preset = generate::Preset::Realistic;
    auto users = generate::generate_users(12000, options);
    // A value longer than the memo keeps, and one repeated in every batch.
    users[3].address = std::string(300, 'x') + " Rd";
    for (std::size_t i = 0; i < users.size(); i += 7) users[i].city = "San Fran";
    // Short enough to be looked up (90 bytes), too large once normalised to be kept (its pinyin
    // code points alone take ~600 bytes): computed again each time it repeats.
    for (std::size_t i = 5; i < users.size(); i += 11) users[i].address = "北京市朝阳区建国门外大街一号国贸大厦写字楼第三十八层三八零一室";
    auto row = [](const generate::UserRecord& u) {
        return std::vector<RawValue>{view(u.full_name), view(u.city), view(u.city), view(u.address), view(u.gender),
                                     view(u.gender)};
    };
    RecordStore single(profile), batched(profile);
    for (const auto& u : users) single.append(u.user_id, row(u));
    TaskRunner runner(2, {});
    for (std::size_t at = 0; at < users.size(); at += 5000) {
        std::vector<std::string_view> ids;
        std::vector<RawValue> values;
        for (std::size_t i = at; i < std::min(users.size(), at + 5000); ++i) {
            ids.push_back(users[i].user_id);
            for (const RawValue& v : row(users[i])) values.push_back(v);
        }
        batched.append_batch(ids, values, runner);
    }
    expect_same_store(single, batched);
    EXPECT_EQ(batched.column(1).norm[7], "sanfrancisco");
    EXPECT_EQ(batched.column(2).norm[7], "san fran");
}

// The foreground work (the glue reads the next rows there) runs once, on the calling thread, and
// its exception stops the batch.
TEST(EngineAppendBatch, ForegroundWorkRunsOnceAndItsErrorStopsTheBatch) {
    const Profile profile = users_profile();
    TaskRunner runner(2, {});
    RecordStore store(profile);
    std::vector<std::string> id_text;
    for (int i = 0; i < 3000; ++i) id_text.push_back("r" + std::to_string(i));
    std::vector<std::string_view> ids(id_text.begin(), id_text.end());
    std::vector<RawValue> values(ids.size() * 6, RawValue("Zhang Wei"));
    int calls = 0;
    const auto caller = std::this_thread::get_id();
    std::thread::id ran_on;
    store.append_batch(ids, values, runner, [&] {
        ++calls;
        ran_on = std::this_thread::get_id();
    });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(ran_on, caller);
    EXPECT_EQ(store.size(), 3000u);
    for (auto& t : id_text) t[0] = 's';
    try {
        store.append_batch(ids, values, runner, [] { throw Error(ErrorCode::OutOfMemory, "no room for the next rows"); });
        ADD_FAILURE() << "the foreground error was lost";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::OutOfMemory);
    }
}

TEST(EngineAppendBatch, CancelledRunnerRefusesTheNextBatch) {
    const Profile profile = users_profile();
    bool go = true;
    TaskRunner runner(2, [&] { return go; });
    RecordStore store(profile);
    std::vector<std::string_view> ids = {"a"};
    std::vector<RawValue> values(6, RawValue("13812345678"));
    store.append_batch(ids, values, runner);
    EXPECT_EQ(store.size(), 1u);
    go = false;
    ids = {"b"};
    try {
        store.append_batch(ids, values, runner);
        ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
}
