// Online indexes shared by every backend through the page cache (issue 9: memory must not grow
// with connections).
//
// A backend that builds an index valid for everyone writes its image (core/index OnlineIndex::
// write_image) to $PGDATA/pg_usermatch/online/<db>_<rel>_<profile hash>_<state hash>_<snapshot
// hash>.idx: first to a temporary name, then rename(2), so a reader only ever sees a complete
// file. Every backend that needs that index maps the file read-only (PROT_READ, MAP_SHARED) and
// attaches to it; the physical pages are the page cache's, counted once however many backends map
// them. The file's first block says exactly what it is valid for (the "state": system identifier,
// database, relation, relfilenode, pg_class xmin, profile name, version and spec hash, change-log
// generation) and the snapshot it was built under; a reader uses it only when the state equals
// its own and its snapshot covers the build's (the change log then tells it the rest).
//
// Files are never written after the rename: a backend killed while mapping one leaves it intact.
// Unlinking a file that others still map is safe (POSIX keeps the pages until the last munmap);
// those backends notice the unlink within kRecheckSeconds and drop their mapping.
//
// Plain POSIX and C++: no PostgreSQL call here (the glue passes what it read from the catalog).
#pragma once

#include "core/index/online_index.hpp"

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace usermatch::pg::shared {

constexpr const char* kDirectory = "pg_usermatch/online";  // relative to the data directory (the cwd)
constexpr int kRecheckSeconds = 5;

// Names a published index. `state` must hold everything the index depends on except the snapshot.
struct FileKey {
    unsigned database = 0, relid = 0;
    std::string profile;
    std::string state;
};

// A published file that matches a key.
struct Published {
    std::string path;
    std::string snapshot;  // pg_snapshot text of the build
    std::uint64_t size = 0;
};

// Published files of `key` (same state), any snapshot. Unreadable or foreign files are skipped.
std::vector<Published> find(const FileKey& key);

// Maps `path` and attaches an index to it (the mapping lives as long as the index). Throws
// usermatch::Error when the file is not a complete image of this key and snapshot.
std::unique_ptr<index::OnlineIndex> attach(const engine::Profile& profile, const FileKey& key, const Published& file,
                                           const std::function<bool()>& keep_going);

// Writes `index` for `key` and `snapshot` (temp file + rename). Returns the final path; throws
// usermatch::Error (with errno text) when the file cannot be written.
Published publish(const index::OnlineIndex& index, const FileKey& key, const std::string& snapshot);

// Housekeeping after a publish or a refused file: removes the files of `key`'s database,
// relation and profile with another state or snapshot than `keep` (older versions), temporary
// files of dead processes, files whose database or relation `exists` denies, then least recently used files (mtime) until the
// directory holds at most `limit` bytes (never `keep`). Returns files removed for the limit.
std::size_t housekeeping(const FileKey& key, const std::string& keep, std::size_t limit,
                         const std::function<bool(unsigned database, unsigned relid)>& exists, std::size_t* stale_removed);

// Marks `path` as used now (its mtime orders the LRU); false when it is gone (unlinked).
bool touch(const std::string& path);

// Files and bytes in the directory.
void totals(std::size_t* files, std::size_t* bytes);

}  // namespace usermatch::pg::shared
