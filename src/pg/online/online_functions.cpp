// Online matching: match_one / match_many against a per-backend cache of prepared target indexes
// (core/index/online_index), kept fresh by a change log that warm_cache installs on the target.
//
// Freshness: warm_cache adds statement-level AFTER INSERT/UPDATE/DELETE triggers that append
// (relid, id, pg_current_xact_id()) to usermatch.online_changes. An index remembers the snapshot
// it was built under (and the builder's xid, if it had one). Each call reads, under ITS snapshot,
// the ids whose logged xid that build snapshot does not see (or that the builder wrote itself):
// their base rows are excluded and their current rows, read as the caller, are scored directly.
// Uncommitted writes of the caller's own transaction are visible to it, so they count; rolled
// back ones vanish from the log with the data. An index whose build saw something the caller's
// snapshot does not (an older REPEATABLE READ snapshot) is not used: that call builds its own.
//
// Invalidation (checked on every call from the syscache and the profile row): profile version or
// spec, pg_class row xmin (ALTER TABLE), relfilenode (TRUNCATE, rewrites), the target's log
// generation (warm_cache prunes the log and bumps it), DROP (the relation is gone). A transaction
// or subtransaction that built an index after writing and then aborts drops it.
//
// Sharing (usermatch.online_share, shared_index.hpp): an index valid for every backend is written
// once to a file under $PGDATA/pg_usermatch/online and mapped read-only by every backend that
// needs it, so the index exists once in memory whatever the number of connections. Valid for
// everyone means: the change log is installed, the profile has no expression fields (they run with
// the caller's rights), and the builder's transaction either wrote nothing or wrote the target's
// log generation itself (warm_cache bumps it), so that if it aborts no one's key ever matches
// the file. Readers take the builder's xid from the file as the builder does (its logged writes
// are re-read as changed rows). Each call still checks the caller's rights and the relation
// state before using any index.
#include "core/errors.hpp"
#include "core/index/online_index.hpp"
#include "pg/stats/stats.hpp"
#include "pg/datum.hpp"
#include "pg/online/online.hpp"
#include "pg/online/shared_index.hpp"
#include "pg/profile_trust.hpp"
#include "pg/settings.hpp"
#include "pg/source_reader.hpp"
#include "pg/srf.hpp"

#include <algorithm>
#include <dlfcn.h>
#include <sys/stat.h>
#include <chrono>
#include <ctime>
#include <malloc.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/inval.h"
#include "utils/numeric.h"
#include "utils/rls.h"
}

namespace usermatch::pg {

OnlineCacheCounters online_counters;

namespace {

namespace engine = usermatch::engine;
namespace idx = usermatch::index;

int cache_memory_kb = 1024 * 1024;
bool online_share = true;
// A value longer than this in a record is refused (54000): online matching is bounded work.
constexpr std::size_t kMaxValueBytes = 64 * 1024;
// Changed rows a call reads besides its index before the index is rebuilt.
constexpr std::size_t kMinRebuildDelta = 1000;

// pg_snapshot as text: "xmin:xmax:xip,xip,...".
struct Snap {
    std::string text;
    std::uint64_t xmin = 0, xmax = 0;
    std::vector<std::uint64_t> xip;
};

Snap parse_snapshot(const std::string& text) {
    Snap s;
    s.text = text;
    const char* p = text.c_str();
    char* end = nullptr;
    s.xmin = std::strtoull(p, &end, 10);
    if (*end == ':') s.xmax = std::strtoull(end + 1, &end, 10);
    while (*end == ':' || *end == ',') {
        const char* start = end + 1;
        if (!*start) break;
        s.xip.push_back(std::strtoull(start, &end, 10));
    }
    std::sort(s.xip.begin(), s.xip.end());
    return s;
}

// Every xid visible in `build` is visible in `caller` (so the log can tell the caller the rest).
bool snapshot_covers(const Snap& build, const Snap& caller) {
    if (build.xmax > caller.xmax) return false;
    for (std::uint64_t x : caller.xip)
        if (x < build.xmax && !std::binary_search(build.xip.begin(), build.xip.end(), x)) return false;
    return true;
}

struct Entry {
    std::string profile_name;
    int profile_version = 0;
    std::uint64_t spec_hash = 0;
    Oid relid = InvalidOid;
    Oid relfilenode = InvalidOid;
    TransactionId class_xmin = InvalidTransactionId;
    std::string id_column;
    long long generation = 0;
    Snap snapshot;
    std::string builder_xid;  // "" when the builder had no xid
    bool in_xact = false;     // built by a transaction that had written: dropped if it aborts
    SubTransactionId subxact = InvalidSubTransactionId;
    bool recheck = false;     // a relcache invalidation named the target: re-validate (or free) soon
    std::uint64_t last_used = 0;
    bool shared = false;      // the index views a published file (shared_index.hpp)
    std::string path;         // ... this one
    std::time_t next_check = 0;  // when to check that the file is still published (and touch it)
    std::unique_ptr<engine::Profile> profile;  // before index: the index refers to it
    std::unique_ptr<idx::OnlineIndex> index;
};

struct Registry {
    std::vector<std::unique_ptr<Entry>> entries;
    std::uint64_t clock = 0;
    idx::PoolCounters retired;  // pool counters of entries already dropped
};
Registry* registry = nullptr;  // created on first use: no global C++ object

Registry& reg() {
    if (!registry) registry = new Registry();
    return *registry;
}

void retire(const Entry& e) {
    if (!e.index) return;
    const auto& p = e.index->pool();
    auto& r = reg().retired;
    r.acquisitions += p.acquisitions;
    r.reuses += p.reuses;
    r.upstream_allocations += p.upstream_allocations;
}

std::size_t cached_bytes() {
    std::size_t total = 0;
    if (registry)
        for (const auto& e : registry->entries) total += e->index->memory_bytes() + e->index->attached_bytes();
    return total;
}

// Drops least recently used entries (other than `keep`) until the cache fits in cache_memory.
void evict_to_fit(const Entry* keep) {
    const std::size_t limit = static_cast<std::size_t>(cache_memory_kb) * 1024;
    auto& entries = reg().entries;
    while (cached_bytes() > limit) {
        auto victim = entries.end();
        for (auto it = entries.begin(); it != entries.end(); ++it)
            if (it->get() != keep && (victim == entries.end() || (*it)->last_used < (*victim)->last_used)) victim = it;
        if (victim == entries.end()) break;
        retire(**victim);
        entries.erase(victim);
        ++online_counters.evictions;
    }
}

void erase_entry(Entry* e) {
    auto& entries = reg().entries;
    for (auto it = entries.begin(); it != entries.end(); ++it)
        if (it->get() == e) {
            retire(*e);
            entries.erase(it);
            return;
        }
}

// Transaction ends: an index built after this transaction wrote is only valid if it commits.
void online_xact_callback(XactEvent event, void*) {
    if (!registry) return;
    auto& entries = registry->entries;
    // PREPARE TRANSACTION: whether it commits is decided elsewhere, so treat it like an abort.
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
        for (auto it = entries.begin(); it != entries.end();)
            if ((*it)->in_xact) {
                retire(**it);
                it = entries.erase(it);
            } else {
                ++it;
            }
    } else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT) {
        for (auto& e : entries) e->in_xact = false;
    }
}

void online_subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId, void*) {
    if (!registry || event != SUBXACT_EVENT_ABORT_SUB) return;
    auto& entries = registry->entries;
    for (auto it = entries.begin(); it != entries.end();)
        if ((*it)->in_xact && (*it)->subxact >= sub) {
            retire(**it);
            it = entries.erase(it);
        } else {
            ++it;
        }
}

// Relcache invalidation (ALTER, TRUNCATE, DROP, but also VACUUM's statistics): only marks the
// entries; sweep_invalidated() frees those whose table is gone or changed at the next call, so a
// dropped target does not keep its index until eviction. (Each call validates its own entry anyway.)
void online_relcache_callback(Datum, Oid relid) {
    if (!registry) return;
    for (auto& e : registry->entries)
        if (relid == InvalidOid || e->relid == relid) e->recheck = true;
}

// Plain PostgreSQL code: whether relid's pg_class row still has this relfilenode and xmin.
bool relation_unchanged(Oid relid, Oid relfilenode, TransactionId xmin) {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tup)) return false;
    const bool same = ((Form_pg_class)GETSTRUCT(tup))->relfilenode == relfilenode && HeapTupleHeaderGetRawXmin(tup->t_data) == xmin;
    ReleaseSysCache(tup);
    return same;
}

void sweep_invalidated() {
    if (!registry) return;
    auto& entries = registry->entries;
    for (auto it = entries.begin(); it != entries.end();) {
        Entry& e = **it;
        if (e.recheck) {
            e.recheck = false;
            const Oid relid = e.relid, relfilenode = e.relfilenode;
            const TransactionId xmin = e.class_xmin;
            if (!pg_call([&] { return relation_unchanged(relid, relfilenode, xmin); })) {
                retire(e);
                it = entries.erase(it);
                ++online_counters.invalidations;
                continue;
            }
        }
        ++it;
    }
}

// What the catalog says about the target now. Plain PostgreSQL code.
struct RelationState {
    Oid relfilenode = InvalidOid;
    TransactionId xmin = InvalidTransactionId;
    char relkind = 0;
};

void read_relation_state(Oid relid, const char* function, RelationState* out) {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tup))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
    Form_pg_class form = (Form_pg_class)GETSTRUCT(tup);
    out->relfilenode = form->relfilenode;
    out->relkind = form->relkind;
    out->xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
    char* relname = pstrdup(NameStr(form->relname));
    ReleaseSysCache(tup);
    if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("permission denied for table %s", relname),
                        errdetail("%s reads the target with your rights: you need SELECT on it.", function)));
    if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s: table %s has row-level security enabled", function, relname),
                        errhint("Match against a view that selects the rows you may see, or use usermatch.link.")));
}

struct ProfileMeta {
    std::string spec, owner;
    int version = 0;
};

ProfileMeta read_profile_meta(const char* name) {
    ProfileMeta meta;
    const ProfileRow row = read_profile_row(name);
    meta.spec = row.spec ? row.spec : "";
    meta.owner = row.owner ? row.owner : "";
    meta.version = row.version;
    return meta;
}

// Runs a read-only query on the change log as the owner of usermatch.online_changes (the log is
// not readable by PUBLIC; the caller's SELECT right on the target was checked before). Text
// parameters; returns rows of text values (NULL = nullopt). Plain PostgreSQL code inside.
std::vector<std::vector<std::optional<std::string>>> log_query(const char* sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<std::vector<std::optional<std::string>>> rows;
    const int n = static_cast<int>(params.size());
    std::vector<Oid> types(n, TEXTOID);
    std::vector<Datum> values(n);
    std::vector<char> nulls(n, ' ');
    pg_call([&] {
        for (int i = 0; i < n; ++i) {
            if (params[i]) values[i] = CStringGetTextDatum(params[i]->c_str());
            else nulls[i] = 'n';
        }
    });
    int ncols = 0;
    uint64 nrows = 0;
    SPITupleTable* table = nullptr;
    pg_call([&] {
        Oid nsp = get_namespace_oid("usermatch", false);
        Oid logrel = get_relname_relid("online_changes", nsp);
        if (!OidIsValid(logrel)) elog(ERROR, "usermatch.online_changes is missing");
        HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(logrel));
        if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for relation %u", logrel);
        Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
        ReleaseSysCache(tup);
        Oid save_user;
        int save_sec;
        GetUserIdAndSecContext(&save_user, &save_sec);
        SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
        PG_TRY();
        {
            int rc = execute_kept_plan(sql, n, types.data(), values.data(), nulls.data(), true, 0);
            if (rc != SPI_OK_SELECT) elog(ERROR, "reading the online change log failed: %s", SPI_result_code_string(rc));
        }
        PG_FINALLY();
        { SetUserIdAndSecContext(save_user, save_sec); }
        PG_END_TRY();
        table = SPI_tuptable;
        nrows = SPI_processed;
        ncols = table->tupdesc->natts;
    });
    rows.reserve(nrows);
    for (uint64 r = 0; r < nrows; ++r) {
        check_interrupts();
        rows.emplace_back(ncols);
        for (int c = 0; c < ncols; ++c) {
            const char* v = pg_call([&] { return (const char*)SPI_getvalue(table->vals[r], table->tupdesc, c + 1); });
            if (v) rows.back()[c] = std::string(v);
        }
    }
    pg_call([&] { SPI_freetuptable(table); });
    return rows;
}

// "WHERE <id column> = ANY ('{...}'::text[]::<id type>[])" for the given ids. Plain PG code.
char* id_filter(Oid relid, const char* id_column, const char* const* ids, int n) {
    AttrNumber attnum = get_attnum(relid, id_column);
    if (attnum == InvalidAttrNumber)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN), errmsg("id column \"%s\" of the target does not exist", id_column)));
    Oid typid = get_atttype(relid, attnum);
    StringInfoData array;
    initStringInfo(&array);
    appendStringInfoChar(&array, '{');
    for (int i = 0; i < n; ++i) {
        if (i > 0) appendStringInfoChar(&array, ',');
        appendStringInfoChar(&array, '"');
        for (const char* p = ids[i]; *p; ++p) {
            if (*p == '"' || *p == '\\') appendStringInfoChar(&array, '\\');
            appendStringInfoChar(&array, *p);
        }
        appendStringInfoChar(&array, '"');
    }
    appendStringInfoChar(&array, '}');
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(&sql, "WHERE %s OPERATOR(pg_catalog.=) ANY (%s::pg_catalog.text[]::%s[])", quote_identifier(id_column),
                     quote_literal_cstr(array.data), format_type_be_qualified(typid));
    return sql.data;
}

// ---- records from jsonb -------------------------------------------------------------------

// Keys a record may have: per value slot (profile fields, then extra columns) its column name and
// its field name.
struct RecordKeys {
    std::vector<const char*> column, name;
};

RecordKeys record_keys(const engine::Profile& profile) {
    RecordKeys keys;
    for (const auto& f : profile.fields) {
        keys.column.push_back(f.column.empty() || !f.expression.empty() ? nullptr : f.column.c_str());
        keys.name.push_back(f.name.c_str());
    }
    for (const auto& c : profile.extra_columns) {
        keys.column.push_back(c.c_str());
        keys.name.push_back(nullptr);
    }
    return keys;
}

bool key_equals(const char* a, const char* b, int blen) {
    return a && static_cast<int>(strlen(a)) == blen && memcmp(a, b, blen) == 0;
}

// Text of one jsonb scalar as a source column would give it; errors for objects, arrays and
// values over kMaxValueBytes. Plain PostgreSQL code.
const char* scalar_text(JsonbValue* v, const char* function, const char* key, int position) {
    switch (v->type) {
    case jbvNull: return nullptr;
    case jbvString:
        if (static_cast<std::size_t>(v->val.string.len) > kMaxValueBytes)
            ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                            errmsg("%s: the value of key \"%s\" is %d bytes long; online matching accepts at most %zu",
                                   function, key, v->val.string.len, kMaxValueBytes),
                            position > 0 ? errdetail("In record %d.", position) : 0));
        return pnstrdup(v->val.string.val, v->val.string.len);
    case jbvNumeric: return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
    case jbvBool: return v->val.boolean ? "true" : "false";
    default:
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%s: the value of key \"%s\" must be a string, number, boolean or null, not %s", function, key,
                               v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object"),
                        position > 0 ? errdetail("In record %d.", position) : 0));
    }
    return nullptr;
}

// Fills out[slot] (palloc'd text or nullptr) from the jsonb object. Plain PostgreSQL code.
void parse_record(JsonbContainer* container, const RecordKeys* keys, const char* function, int position, const char** out) {
    const int nslots = static_cast<int>(keys->column.size());
    if (!JsonContainerIsObject(container) || JsonContainerIsScalar(container))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        position > 0 ? errmsg("%s: record %d is not a JSON object", function, position)
                                     : errmsg("%s: argument record must be a JSON object", function),
                        errhint("Pass a record as an object keyed by column or field name, e.g. to_jsonb(u) for a row u.")));
    for (int s = 0; s < nslots; ++s) out[s] = nullptr;
    StringInfoData unknown;
    initStringInfo(&unknown);
    int unknown_count = 0;
    JsonbIterator* it = JsonbIteratorInit(container);
    JsonbValue v;
    JsonbIteratorToken tok;
    bool skip_nested = false;
    while ((tok = JsonbIteratorNext(&it, &v, skip_nested)) != WJB_DONE) {
        skip_nested = true;
        if (tok != WJB_KEY) continue;
        char* key = pnstrdup(v.val.string.val, v.val.string.len);
        const int klen = v.val.string.len;
        tok = JsonbIteratorNext(&it, &v, true);  // the value
        int slot_by_column = -1, slot_by_name = -1;
        for (int s = 0; s < nslots; ++s) {
            if (slot_by_column < 0 && key_equals(keys->column[s], key, klen)) slot_by_column = s;
            if (slot_by_name < 0 && key_equals(keys->name[s], key, klen)) slot_by_name = s;
        }
        if (slot_by_column < 0 && slot_by_name < 0) {
            if (unknown_count++ < 20) appendStringInfo(&unknown, "%s%s", unknown_count > 1 ? ", " : "", quote_identifier(key));
            continue;
        }
        const char* text = scalar_text(&v, function, key, position);
        // A column key wins over a field name key for the same slot.
        if (slot_by_column >= 0) out[slot_by_column] = text;
        else if (out[slot_by_name] == nullptr) out[slot_by_name] = text;
    }
    if (unknown_count > 0) {
        StringInfoData accepted;
        initStringInfo(&accepted);
        for (int s = 0; s < nslots; ++s) {
            const char* k = keys->column[s] ? keys->column[s] : keys->name[s];
            if (k) appendStringInfo(&accepted, "%s%s", accepted.len ? ", " : "", quote_identifier(k));
        }
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: unknown key%s in %s: %s%s", function, unknown_count > 1 ? "s" : "",
                               position > 0 ? psprintf("record %d", position) : "record", unknown.data,
                               unknown_count > 20 ? ", ..." : ""),
                        errhint("The profile reads these keys: %s (field names are accepted too).", accepted.data)));
    }
}

// ---- the per-call state -----------------------------------------------------------------

struct Prepared {
    Entry* entry = nullptr;                 // the index used (cached, or `own`)
    std::unique_ptr<Entry> own;             // a one-off index for this call only
    std::unique_ptr<engine::RecordStore> delta_rows;
    idx::Delta delta;
};

std::uint64_t spec_hash(const std::string& spec) { return std::hash<std::string>{}(spec); }

void fill_entry(Entry& e, const char* profile_name, const ProfileMeta& meta, Oid relid, const RelationState& rs,
                const std::string& id_column, long long generation, const Snap& snap, const std::string& builder_xid) {
    e.profile_name = profile_name;
    e.profile_version = meta.version;
    e.spec_hash = spec_hash(meta.spec);
    e.relid = relid;
    e.relfilenode = rs.relfilenode;
    e.class_xmin = rs.xmin;
    e.id_column = id_column;
    e.generation = generation;
    e.snapshot = snap;
    e.builder_xid = builder_xid;
    e.subxact = GetCurrentSubTransactionId();
}

std::unique_ptr<Entry> build_entry(const char* profile_name, const ProfileMeta& meta, Oid relid, const RelationState& rs,
                                   const std::string& id_column, long long generation, const Snap& snap,
                                   const std::optional<std::string>& builder_xid) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    auto e = std::make_unique<Entry>();
    fill_entry(*e, profile_name, meta, relid, rs, id_column, generation, snap, builder_xid ? *builder_xid : "");
    e->in_xact = builder_xid.has_value();
    ProfileRecord record;
    e->profile = std::make_unique<engine::Profile>(load_profile(profile_name, &record));
    require_trusted_expressions(profile_name, record.owner, *e->profile);
    auto store = std::make_unique<engine::RecordStore>(*e->profile);
    load_source(relid, *e->profile, *store);
    e->index = std::make_unique<idx::OnlineIndex>(*e->profile, std::move(store), keep_going);
    ++online_counters.builds;
    online_counters.last_build_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return e;
}

// The loaded library file (path, size, mtime, inode): a published image holds normalised values and
// blocking keys as THIS build computes them, so a file written by another build (after an upgrade
// or a reinstall) must never be attached, whatever else matches.
const std::string& library_identity() {
    static std::string identity;
    if (identity.empty()) {
        Dl_info info{};
        struct stat st {};
        if (dladdr(reinterpret_cast<void*>(&library_identity), &info) && info.dli_fname && stat(info.dli_fname, &st) == 0)
            identity = std::string(info.dli_fname) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime) +
                       "." + std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
        else
            identity = "unknown-build-" + std::to_string(MyProcPid);  // never matches another backend: no sharing
    }
    return identity;
}

// What a published file of this index is valid for (everything but the snapshot).
shared::FileKey file_key(const char* profile_name, const ProfileMeta& meta, Oid relid, const RelationState& rs,
                         long long generation, const std::string& id_column) {
    shared::FileKey k;
    k.database = MyDatabaseId;
    k.relid = relid;
    k.profile = profile_name;
    const unsigned long long sysid = pg_call([] { return (unsigned long long)GetSystemIdentifier(); });
    k.state = "format=1 system=" + std::to_string(sysid) + " database=" + std::to_string(MyDatabaseId) +
              " relation=" + std::to_string(relid) + " relfilenode=" + std::to_string(rs.relfilenode) +
              " class_xmin=" + std::to_string(rs.xmin) + " version=" + std::to_string(meta.version) +
              " spec=" + std::to_string(spec_hash(meta.spec)) + " spec_bytes=" + std::to_string(meta.spec.size()) +
              " generation=" + std::to_string(generation) + " id=" + id_column + " profile=" + profile_name +
              " library=" + library_identity();
    return k;
}

// The published file's snapshot field: "<snapshot>/<builder xid or empty>".
std::string published_snapshot(const Snap& snap, const std::string& builder_xid) { return snap.text + "/" + builder_xid; }

// Attaches to the newest published index whose build snapshot the caller's covers; nullptr when
// there is none. A file that is refused (truncated, corrupt) is removed.
std::unique_ptr<Entry> attach_published(const char* profile_name, const ProfileMeta& meta, Oid relid, const RelationState& rs,
                                        const std::string& id_column, long long generation, const Snap& caller,
                                        const shared::FileKey& key) {
    std::vector<shared::Published> files = shared::find(key);
    struct Candidate {
        shared::Published file;
        Snap snap;
        std::string builder_xid;
    };
    std::vector<Candidate> usable;
    for (auto& f : files) {
        const std::size_t slash = f.snapshot.rfind('/');
        if (slash == std::string::npos) continue;
        Snap snap = parse_snapshot(f.snapshot.substr(0, slash));
        if (!snapshot_covers(snap, caller)) continue;
        usable.push_back({f, std::move(snap), f.snapshot.substr(slash + 1)});
    }
    std::sort(usable.begin(), usable.end(), [](const Candidate& a, const Candidate& b) { return a.snap.xmax > b.snap.xmax; });
    for (auto& c : usable) {
        auto e = std::make_unique<Entry>();
        fill_entry(*e, profile_name, meta, relid, rs, id_column, generation, c.snap, c.builder_xid);
        ProfileRecord record;
        e->profile = std::make_unique<engine::Profile>(load_profile(profile_name, &record));
        require_trusted_expressions(profile_name, record.owner, *e->profile);
        try {
            e->index = shared::attach(*e->profile, key, c.file, keep_going);
        } catch (const Error& err) {
            if (err.code() == ErrorCode::QueryCanceled) throw;
            ::unlink(c.file.path.c_str());  // refused: never try it again
            ++online_counters.refused_files;
            continue;
        }
        e->shared = true;
        e->path = c.file.path;
        e->next_check = std::time(nullptr) + shared::kRecheckSeconds;
        shared::touch(e->path);
        ++online_counters.attaches;
        return e;
    }
    return nullptr;
}

// Whether a published file's database and relation still exist. A relation can only be looked up
// in the caller's own database: for another one, only the database is checked.
bool file_target_exists(unsigned database, unsigned relid) {
    return pg_call([&] {
        if (!SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum((Oid)database))) return false;
        return (Oid)database != MyDatabaseId || (bool)SearchSysCacheExists1(RELOID, ObjectIdGetDatum((Oid)relid));
    });
}

// Publishes a just-built index and swaps its private copy for a view of the file (so this
// backend shares the pages too). A failure to write leaves the index private.
void publish_entry(Entry& e, const shared::FileKey& key) {
    shared::Published file;
    try {
        file = shared::publish(*e.index, key, published_snapshot(e.snapshot, e.builder_xid));
        auto attached = shared::attach(*e.profile, key, file, keep_going);
        e.index = std::move(attached);
    } catch (const Error& err) {
        if (err.code() == ErrorCode::QueryCanceled) throw;
        ++online_counters.publish_failures;
        return;
    }
    malloc_trim(0);  // give the private copy's pages back
    e.shared = true;
    e.path = file.path;
    e.next_check = std::time(nullptr) + shared::kRecheckSeconds;
    ++online_counters.published;
    const std::size_t limit = static_cast<std::size_t>(cache_memory_kb) * 1024;
    std::size_t stale = 0;
    online_counters.file_evictions += shared::housekeeping(key, file.path, limit, file_target_exists, &stale);
    online_counters.stale_files_removed += stale;
}

// Finds or builds the index for (profile, target) valid for the caller's snapshot and reads the
// rows changed since its build. Must run inside an SPI connection.
void prepare(const char* function, const char* profile_name, Oid relid, bool force_rebuild, Prepared& out) {
    sweep_invalidated();
    RelationState rs;
    pg_call([&] { read_relation_state(relid, function, &rs); });
    const ProfileMeta meta = read_profile_meta(profile_name);
    const std::uint64_t hash = spec_hash(meta.spec);
    auto& entries = reg().entries;

    Entry* found = nullptr;
    for (auto& e : entries)
        if (e->relid == relid && e->profile_name == profile_name) found = e.get();
    if (found && (found->profile_version != meta.version || found->spec_hash != hash || found->relfilenode != rs.relfilenode ||
                  found->class_xmin != rs.xmin)) {
        erase_entry(found);
        found = nullptr;
        ++online_counters.invalidations;
    }
    // A shared entry whose file was removed (evicted for cache_memory, or superseded) lets its
    // pages go within kRecheckSeconds; otherwise its use is recorded for the LRU.
    if (found && found->shared && std::time(nullptr) >= found->next_check) {
        if (!shared::touch(found->path)) {
            erase_entry(found);
            found = nullptr;
        } else {
            found->next_check = std::time(nullptr) + shared::kRecheckSeconds;
        }
    }
    // The profile's id column names the log; the profile's expressions run with the caller's rights.
    std::string id_column;
    bool has_expressions;
    if (found) {
        id_column = found->id_column;
        has_expressions = std::any_of(found->profile->fields.begin(), found->profile->fields.end(),
                                      [](const engine::Field& f) { return !f.expression.empty(); });
        if (has_expressions) require_trusted_expressions(profile_name, meta.owner, *found->profile);
    } else {
        const engine::Profile parsed = engine::parse_profile(meta.spec);
        id_column = parsed.id_column;
        has_expressions = std::any_of(parsed.fields.begin(), parsed.fields.end(),
                                      [](const engine::Field& f) { return !f.expression.empty(); });
    }
    const auto state = log_query(
        "SELECT (SELECT t.generation FROM usermatch.online_targets t WHERE t.relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
        " AND t.id_column OPERATOR(pg_catalog.=) $2)::pg_catalog.text,"
        " pg_catalog.pg_current_snapshot()::pg_catalog.text, pg_catalog.pg_current_xact_id_if_assigned()::pg_catalog.text,"
        " (SELECT t.xmin OPERATOR(pg_catalog.=) pg_catalog.xid(pg_catalog.pg_current_xact_id_if_assigned())"
        "  FROM usermatch.online_targets t WHERE t.relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
        " AND t.id_column OPERATOR(pg_catalog.=) $2)::pg_catalog.text",
        {std::to_string(relid), id_column});
    const bool installed = state.at(0)[0].has_value();
    const long long generation = installed ? std::stoll(*state[0][0]) : 0;
    const Snap caller = parse_snapshot(state[0][1].value_or(""));
    const std::optional<std::string> own_xid = state[0][2];
    // This transaction wrote the log generation: an index it builds is unreachable if it aborts.
    const bool own_generation = state[0][3].value_or("") == "true";
    const bool shareable = online_share && installed && !has_expressions;

    if (found && (!installed || found->generation != generation)) {
        erase_entry(found);
        found = nullptr;
        ++online_counters.invalidations;
    }
    // Serves the call from `e` when the rows changed since its build are few enough.
    auto serve = [&](Entry* e) {
        const auto ids = log_query(
            "SELECT DISTINCT c.id FROM usermatch.online_changes c WHERE c.relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
            " AND c.id IS NOT NULL AND (NOT pg_catalog.pg_visible_in_snapshot(c.xid, $2::pg_catalog.pg_snapshot)"
            " OR c.xid OPERATOR(pg_catalog.=) $3::pg_catalog.xid8)",
            {std::to_string(relid), e->snapshot.text,
             e->builder_xid.empty() ? std::nullopt : std::optional<std::string>(e->builder_xid)});
        const std::size_t rebuild_at = std::max(kMinRebuildDelta, e->index->base().size() / 10);
        if (ids.size() > rebuild_at) return false;
        ++online_counters.hits;
        e->last_used = ++reg().clock;
        out.entry = e;
        online_counters.delta_rows_pending = ids.size();
        if (!ids.empty()) {
            const engine::RecordStore& base = e->index->base();
            for (const auto& row : ids) {
                const auto at = base.find(*row[0]);
                if (at) out.delta.excluded.push_back(static_cast<std::uint32_t>(*at));
            }
            std::vector<const char*> texts;
            for (const auto& row : ids) texts.push_back(row[0]->c_str());
            const char* idcol = e->id_column.c_str();
            const char* const* texts_data = texts.data();
            const int ntexts = static_cast<int>(texts.size());
            const std::string where = pg_call([&] { return (const char*)id_filter(relid, idcol, texts_data, ntexts); });
            out.delta_rows = std::make_unique<engine::RecordStore>(*e->profile);
            load_source(relid, *e->profile, *out.delta_rows, nullptr, where);
            out.delta.rows = out.delta_rows.get();
        }
        return true;
    };
    if (found && !force_rebuild && snapshot_covers(found->snapshot, caller) && serve(found)) return;
    std::optional<shared::FileKey> key;
    if (shareable) key = file_key(profile_name, meta, relid, rs, generation, id_column);
    // Another backend may have published this index: attach to it.
    if (key && !force_rebuild) {
        std::unique_ptr<Entry> attached = attach_published(profile_name, meta, relid, rs, id_column, generation, caller, *key);
        if (attached && serve(attached.get())) {
            if (found) erase_entry(found);
            entries.push_back(std::move(attached));
            evict_to_fit(out.entry);
            return;
        }
    }
    // Build. Cached when the change log is installed (so later calls can stay fresh).
    ++online_counters.misses;
    online_counters.delta_rows_pending = 0;
    const bool cacheable = installed && (!found || snapshot_covers(found->snapshot, caller) || force_rebuild);
    std::unique_ptr<Entry> built = build_entry(profile_name, meta, relid, rs, id_column, generation, caller, own_xid);
    built->last_used = ++reg().clock;
    const std::size_t limit = static_cast<std::size_t>(cache_memory_kb) * 1024;
    if (key && cacheable && (!own_xid || own_generation)) publish_entry(*built, *key);
    if (cacheable && built->index->memory_bytes() + built->index->attached_bytes() <= limit) {
        if (found) erase_entry(found);
        out.entry = built.get();
        entries.push_back(std::move(built));
        evict_to_fit(out.entry);
    } else {
        ++online_counters.uncached_builds;
        out.own = std::move(built);
        out.entry = out.own.get();
    }
}

struct MatchCallArgs {
    const char* profile = nullptr;
    Oid target = InvalidOid;
    Jsonb* records = nullptr;
    int k = 10;
    bool has_min = false;
    double min_probability = 0;
};

// Plain PostgreSQL code: reads and checks the arguments.
MatchCallArgs read_call_args(FunctionCallInfo fcinfo, const char* function, const char* record_arg, bool has_min_arg) {
    MatchCallArgs a;
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: argument profile must not be NULL", function)));
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: argument %s must not be NULL", function, record_arg)));
    if (PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: argument target must not be NULL", function)));
    if (PG_ARGISNULL(3))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: argument k must not be NULL", function)));
    a.profile = text_to_cstring(PG_GETARG_TEXT_PP(0));
    a.records = PG_GETARG_JSONB_P(1);
    a.target = PG_GETARG_OID(2);
    a.k = PG_GETARG_INT32(3);
    if (a.k <= 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: argument k must be positive, not %d", function, a.k)));
    if (has_min_arg && !PG_ARGISNULL(4)) {
        a.has_min = true;
        a.min_probability = PG_GETARG_FLOAT8(4);
        if (!(a.min_probability >= 0.0 && a.min_probability <= 1.0))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: argument min_probability must be between 0 and 1", function)));
    }
    return a;
}

// Appends the records to `query` (ids "1", "2", ...). Errors name the record's position when
// `many`.
void append_records(const char* function, Jsonb* records, bool many, const engine::Profile& profile,
                    engine::RecordStore& query) {
    const RecordKeys keys = record_keys(profile);
    const std::size_t nslots = keys.column.size();
    std::vector<const char*> texts(nslots);
    std::vector<engine::RawValue> values(nslots);
    const RecordKeys* keys_ptr = &keys;
    const char** texts_ptr = texts.data();
    if (!many) {
        pg_call([&] { parse_record(&records->root, keys_ptr, function, 0, texts_ptr); });
        for (std::size_t s = 0; s < nslots; ++s) values[s] = texts[s] ? engine::RawValue(texts[s]) : std::nullopt;
        query.append("1", values);
        return;
    }
    const int count = pg_call([&] {
        if (!JB_ROOT_IS_ARRAY(records) || JB_ROOT_IS_SCALAR(records))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: argument records must be a JSON array of objects", function)));
        return (int)JB_ROOT_COUNT(records);
    });
    for (int i = 0; i < count; ++i) {
        check_interrupts();
        pg_call([&] {
            JsonbValue* element = getIthJsonbValueFromContainer(&records->root, (uint32)i);
            if (element->type != jbvBinary)
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: record %d is not a JSON object", function, i + 1)));
            parse_record(element->val.binary.data, keys_ptr, function, i + 1, texts_ptr);
        });
        for (std::size_t s = 0; s < nslots; ++s) values[s] = texts[s] ? engine::RawValue(texts[s]) : std::nullopt;
        query.append(std::to_string(i + 1), values);
    }
}

// Cache and pool totals of this backend, published to the statistics (performance_metrics'
// cache hit and pool reuse rates, memory in use): plain integers, refreshed after each call.
stats::BackendCounters published_counters = {0, 0, 0, 0, 0};

idx::PoolCounters pool_totals(std::uint64_t* reserved) {
    idx::PoolCounters total = registry ? registry->retired : idx::PoolCounters{};
    if (registry)
        for (const auto& e : registry->entries) {
            const auto& p = e->index->pool();
            total.acquisitions += p.acquisitions;
            total.reuses += p.reuses;
            total.upstream_allocations += p.upstream_allocations;
            if (reserved) *reserved += p.bytes_reserved;
        }
    return total;
}

void refresh_published_counters() {
    const idx::PoolCounters pools = pool_totals(nullptr);
    published_counters.cache_hits = online_counters.hits;
    published_counters.cache_misses = online_counters.misses;
    published_counters.pool_reuses = pools.reuses;
    published_counters.pool_allocations = pools.upstream_allocations;
    // This backend's own memory: a mapped (shared) image is counted once, by cache_stats.published_bytes.
    std::size_t own = 0;
    if (registry)
        for (const auto& e : registry->entries) own += e->index->memory_bytes();
    published_counters.memory_bytes = own;
}

Datum match_call_measured(FunctionCallInfo fcinfo, const char* function, bool many, stats::CallFigures& figures);

Datum match_call(FunctionCallInfo fcinfo, const char* function, bool many) {
    // The profile name for the statistics row: NULL arguments are reported by the call itself.
    const char* profile = PG_ARGISNULL(0) ? nullptr : pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
    static bool published = false;  // publish before the first call, so its own lookups count
    if (!published) refresh_published_counters(), stats::publish_backend_counters(&published_counters), published = true;
    return stats::measured(many ? stats::Operation::MatchMany : stats::Operation::MatchOne, profile,
                           [&](stats::CallFigures& figures) {
                               const Datum result = match_call_measured(fcinfo, function, many, figures);
                               refresh_published_counters();
                               return result;
                           });
}

Datum match_call_measured(FunctionCallInfo fcinfo, const char* function, bool many, stats::CallFigures& figures) {
    const MatchCallArgs args = read_call_args(fcinfo, function, many ? "records" : "record", !many);
    begin_materialized_srf(fcinfo);
    SpiConnection spi;
    Prepared prepared;
    prepare(function, args.profile, args.target, false, prepared);
    Entry& entry = *prepared.entry;
    engine::RecordStore query(*entry.profile);
    append_records(function, args.records, many, *entry.profile, query);
    spi.finish();

    idx::QueryOptions options;
    options.k = static_cast<std::size_t>(args.k);
    if (args.has_min) options.min_probability = args.min_probability;
    RowSink sink(fcinfo);
    for (std::size_t q = 0; q < query.size(); ++q) {
        check_interrupts();
        const std::vector<idx::Hit> hits = entry.index->match(query, q, prepared.delta, options, keep_going);
        ++figures.records_read;
        figures.candidate_pairs += entry.index->last_query().candidates;
        figures.pairs_scored += entry.index->last_query().scored;
        figures.matches_out += hits.size();
        for (const idx::Hit& h : hits) {
            const std::string_view id = h.from_delta ? prepared.delta.rows->id(h.row) : entry.index->base().id(h.row);
            if (many) {
                Datum values[4] = {Int32GetDatum(static_cast<int32>(q + 1)), text_datum(id), Float8GetDatum(h.match_weight),
                                   Float8GetDatum(h.match_probability)};
                bool nulls[4] = {false, false, false, false};
                sink.put(values, nulls);
            } else {
                Datum values[3] = {text_datum(id), Float8GetDatum(h.match_weight), Float8GetDatum(h.match_probability)};
                bool nulls[3] = {false, false, false};
                sink.put(values, nulls);
            }
        }
    }
    return (Datum)0;
}

}  // namespace

void init_online() {
    DefineCustomIntVariable("usermatch.cache_memory",
                            "Memory the online-matching indexes may hold: the published (shared) index files in "
                            "all, and the indexes one backend uses.",
                            "Least recently used indexes are dropped beyond it.", &cache_memory_kb, 1024 * 1024, 64,
                            INT_MAX / 2, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("usermatch.online_share",
                             "Share online-matching indexes between backends (one mapped file per index).",
                             "Off: every backend builds its own private index.", &online_share, true, PGC_USERSET, 0,
                             nullptr, nullptr, nullptr);
    RegisterXactCallback(online_xact_callback, nullptr);
    RegisterSubXactCallback(online_subxact_callback, nullptr);
    CacheRegisterRelcacheCallback(online_relcache_callback, (Datum)0);
}

}  // namespace usermatch::pg

namespace pg = usermatch::pg;

USERMATCH_FUNCTION(usermatch_match_one) { return pg::match_call(fcinfo, "match_one", false); }

USERMATCH_FUNCTION(usermatch_match_many) { return pg::match_call(fcinfo, "match_many", true); }

// _online_build(profile, target): (re)builds this backend's index; warm_cache calls it after
// installing the change log. Returns the rows indexed.
USERMATCH_FUNCTION(usermatch_online_build) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("warm_cache: arguments must not be NULL")));
    const char* profile = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const Oid target = PG_GETARG_OID(1);
    pg::SpiConnection spi;
    pg::Prepared prepared;
    pg::prepare("warm_cache", profile, target, true, prepared);
    const auto rows = static_cast<int64>(prepared.entry->index->base().size());
    spi.finish();
    PG_RETURN_INT64(rows);
}

// drop_cache(profile, target): frees this backend's indexes (NULL = any); returns how many.
USERMATCH_FUNCTION(usermatch_drop_cache) {
    const char* profile = PG_ARGISNULL(0) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(0));
    const Oid target = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
    int dropped = 0;
    if (pg::registry) {
        auto& entries = pg::registry->entries;
        for (auto it = entries.begin(); it != entries.end();) {
            if ((!profile || (*it)->profile_name == profile) && (target == InvalidOid || (*it)->relid == target)) {
                pg::retire(**it);
                it = entries.erase(it);
                ++dropped;
            } else {
                ++it;
            }
        }
    }
    PG_RETURN_INT32(dropped);
}

USERMATCH_FUNCTION(usermatch_cache_stats) {
    pg::begin_materialized_srf(fcinfo);
    const auto& c = pg::online_counters;
    const auto entries = static_cast<int64>(pg::registry ? pg::registry->entries.size() : 0);
    Datum values[10] = {Int64GetDatum(entries),
                        Int64GetDatum(static_cast<int64>(pg::cached_bytes())),
                        Int64GetDatum(static_cast<int64>(c.builds)),
                        Int64GetDatum(static_cast<int64>(c.hits)),
                        Int64GetDatum(static_cast<int64>(c.misses)),
                        Int64GetDatum(static_cast<int64>(c.evictions)),
                        Int64GetDatum(static_cast<int64>(c.invalidations)),
                        Int64GetDatum(static_cast<int64>(c.delta_rows_pending)),
                        Int64GetDatum(static_cast<int64>(c.uncached_builds)),
                        Float8GetDatum(c.last_build_seconds)};
    bool nulls[10] = {};
    pg::RowSink(fcinfo).put(values, nulls);
    return (Datum)0;
}

USERMATCH_FUNCTION(usermatch_pool_stats) {
    pg::begin_materialized_srf(fcinfo);
    std::uint64_t reserved = 0;
    const usermatch::index::PoolCounters total = pg::pool_totals(&reserved);
    Datum values[5] = {pg::text_datum("online_query"), Int64GetDatum(static_cast<int64>(total.acquisitions)),
                       Int64GetDatum(static_cast<int64>(total.reuses)),
                       Int64GetDatum(static_cast<int64>(total.upstream_allocations)), Int64GetDatum(static_cast<int64>(reserved))};
    bool nulls[5] = {};
    pg::RowSink(fcinfo).put(values, nulls);
    return (Datum)0;
}

// _cache_stats_shared(): the sharing side of cache_stats (appended to the view in 0.4.0).
USERMATCH_FUNCTION(usermatch_cache_stats_shared) {
    pg::begin_materialized_srf(fcinfo);
    const auto& c = pg::online_counters;
    std::int64_t shared_entries = 0, private_entries = 0, mapped = 0;
    if (pg::registry)
        for (const auto& e : pg::registry->entries) {
            if (e->shared) ++shared_entries, mapped += static_cast<std::int64_t>(e->index->attached_bytes());
            else ++private_entries;
        }
    std::size_t files = 0, file_bytes = 0;
    usermatch::pg::shared::totals(&files, &file_bytes);
    Datum values[10] = {Int64GetDatum(shared_entries),
                        Int64GetDatum(private_entries),
                        Int64GetDatum(mapped),
                        Int64GetDatum(static_cast<int64>(c.attaches)),
                        Int64GetDatum(static_cast<int64>(c.published)),
                        Int64GetDatum(static_cast<int64>(files)),
                        Int64GetDatum(static_cast<int64>(file_bytes)),
                        Int64GetDatum(static_cast<int64>(c.file_evictions)),
                        Int64GetDatum(static_cast<int64>(c.stale_files_removed + c.refused_files)),
                        Int64GetDatum(static_cast<int64>(c.publish_failures))};
    bool nulls[10] = {};
    pg::RowSink(fcinfo).put(values, nulls);
    return (Datum)0;
}
