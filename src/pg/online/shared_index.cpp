// Published online indexes: files in $PGDATA/pg_usermatch/online, mapped read-only (see
// shared_index.hpp). Plain POSIX and C++.
#include "pg/online/shared_index.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace usermatch::pg::shared {

namespace {

// File: "UMOSHIDX" | u64 meta bytes | meta text (state "\n" snapshot) | zeros to kMetaBlock
// multiple | the index image (page aligned, so the mapping aligns it).
constexpr char kMagic[8] = {'U', 'M', 'O', 'S', 'H', 'I', 'D', 'X'};
constexpr std::size_t kMetaBlock = 4096;
constexpr std::size_t kMaxMeta = 1 << 20;

std::uint64_t fnv(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

// "<db>_<rel>_<profile>_" : every file of this database, relation and profile.
std::string profile_prefix(const FileKey& k) {
    return std::to_string(k.database) + "_" + std::to_string(k.relid) + "_" + hex(fnv(k.profile)).substr(0, 8) + "_";
}
std::string state_prefix(const FileKey& k) { return profile_prefix(k) + hex(fnv(k.state)).substr(0, 12) + "_"; }
std::string meta_text(const FileKey& k, const std::string& snapshot) { return k.state + "\n" + snapshot; }
std::uint64_t tag_of(const FileKey& k, const std::string& snapshot) { return fnv(meta_text(k, snapshot)); }

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool read_all(int fd, void* buf, std::size_t n, off_t at) {
    auto* p = static_cast<char*>(buf);
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, at);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return false;
        }
        p += r, n -= static_cast<std::size_t>(r), at += r;
    }
    return true;
}

// The meta text of a published file (nullopt when it is not one).
bool read_meta(const std::string& path, std::string& meta, std::uint64_t& size) {
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) return false;
    struct stat st;
    if (::fstat(f.fd, &st) != 0) return false;
    char head[16];
    if (!read_all(f.fd, head, sizeof head, 0) || std::memcmp(head, kMagic, 8) != 0) return false;
    std::uint64_t n;
    std::memcpy(&n, head + 8, 8);
    if (n > kMaxMeta || n + 16 > static_cast<std::uint64_t>(st.st_size)) return false;
    meta.resize(n);
    if (!read_all(f.fd, meta.data(), n, 16)) return false;
    size = static_cast<std::uint64_t>(st.st_size);
    return true;
}

std::size_t meta_block(std::size_t meta_bytes) { return (16 + meta_bytes + kMetaBlock - 1) / kMetaBlock * kMetaBlock; }

bool ensure_directory() {
    for (const char* d : {"pg_usermatch", kDirectory})
        if (::mkdir(d, S_IRWXU) != 0 && errno != EEXIST) return false;
    return true;
}

template <typename F>
void each_file(F&& f) {
    DIR* dir = ::opendir(kDirectory);
    if (!dir) return;
    while (struct dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        f(name);
    }
    ::closedir(dir);
}

struct Mapping {
    void* addr = MAP_FAILED;
    std::size_t bytes = 0;
    ~Mapping() {
        if (addr != MAP_FAILED) ::munmap(addr, bytes);
    }
};

}  // namespace

std::vector<Published> find(const FileKey& key) {
    std::vector<Published> out;
    const std::string prefix = state_prefix(key);
    each_file([&](const std::string& name) {
        if (name.compare(0, prefix.size(), prefix) != 0 || name.size() < 4 || name.compare(name.size() - 4, 4, ".idx") != 0) return;
        Published p;
        p.path = std::string(kDirectory) + "/" + name;
        std::string meta;
        if (!read_meta(p.path, meta, p.size)) return;
        const std::size_t nl = meta.find('\n');
        if (nl == std::string::npos || meta.compare(0, nl, key.state) != 0 || nl != key.state.size()) return;
        p.snapshot = meta.substr(nl + 1);
        out.push_back(std::move(p));
    });
    return out;
}

std::unique_ptr<index::OnlineIndex> attach(const engine::Profile& profile, const FileKey& key, const Published& file,
                                           const std::function<bool()>& keep_going) {
    Fd f;
    f.fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) throw Error(ErrorCode::InvalidParameter, sys_error("could not open " + file.path));
    struct stat st;
    if (::fstat(f.fd, &st) != 0) throw Error(ErrorCode::InvalidParameter, sys_error("could not stat " + file.path));
    const std::size_t bytes = static_cast<std::size_t>(st.st_size);
    const std::string meta = meta_text(key, file.snapshot);
    const std::size_t head = meta_block(meta.size());
    if (bytes <= head) throw Error(ErrorCode::InvalidParameter, "online index file " + file.path + " is truncated");
    auto map = std::make_shared<Mapping>();
    map->addr = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED | MAP_POPULATE, f.fd, 0);
    if (map->addr == MAP_FAILED) throw Error(ErrorCode::OutOfMemory, sys_error("could not map " + file.path));
    map->bytes = bytes;
    const auto* base = static_cast<const char*>(map->addr);
    std::uint64_t n;
    std::memcpy(&n, base + 8, 8);
    if (std::memcmp(base, kMagic, 8) != 0 || n != meta.size() || std::memcmp(base + 16, meta.data(), meta.size()) != 0)
        throw Error(ErrorCode::InvalidParameter, "online index file " + file.path + " was replaced");
    return index::OnlineIndex::attach(profile, base + head, bytes - head, tag_of(key, file.snapshot), map, keep_going);
}

Published publish(const index::OnlineIndex& idx, const FileKey& key, const std::string& snapshot) {
    if (!ensure_directory()) throw Error(ErrorCode::InvalidParameter, sys_error(std::string("could not create ") + kDirectory));
    Published p;
    p.snapshot = snapshot;
    p.path = std::string(kDirectory) + "/" + state_prefix(key) + hex(fnv(snapshot)) + ".idx";
    const std::string tmp = std::string(kDirectory) + "/tmp_" + std::to_string(::getpid()) + "_" + hex(fnv(p.path));
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (f.fd < 0) throw Error(ErrorCode::InvalidParameter, sys_error("could not create " + tmp));
    std::vector<char> buf;
    buf.reserve(1 << 20);
    bool ok = true;
    auto flush = [&] {
        const char* q = buf.data();
        std::size_t left = buf.size();
        while (ok && left > 0) {
            const ssize_t w = ::write(f.fd, q, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) ok = false;
            else q += w, left -= static_cast<std::size_t>(w);
        }
        buf.clear();
    };
    auto sink = [&](const void* d, std::size_t n) {
        const char* c = static_cast<const char*>(d);
        while (n > 0 && ok) {
            const std::size_t take = std::min(n, buf.capacity() - buf.size());
            buf.insert(buf.end(), c, c + take);
            c += take, n -= take;
            if (buf.size() == buf.capacity()) flush();
        }
    };
    const std::string meta = meta_text(key, snapshot);
    const std::uint64_t n = meta.size();
    sink(kMagic, 8);
    sink(&n, 8);
    sink(meta.data(), meta.size());
    const std::vector<char> zeros(meta_block(meta.size()) - 16 - meta.size(), 0);
    sink(zeros.data(), zeros.size());
    try {
        idx.write_image(sink, tag_of(key, snapshot));
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    flush();
    if (!ok || ::close(f.fd) != 0) {
        f.fd = -1;
        const std::string why = sys_error("could not write " + tmp);
        ::unlink(tmp.c_str());
        throw Error(ErrorCode::InvalidParameter, why);
    }
    f.fd = -1;
    if (::rename(tmp.c_str(), p.path.c_str()) != 0) {
        const std::string why = sys_error("could not rename " + tmp);
        ::unlink(tmp.c_str());
        throw Error(ErrorCode::InvalidParameter, why);
    }
    struct stat st;
    p.size = ::stat(p.path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    return p;
}

std::size_t housekeeping(const FileKey& key, const std::string& keep, std::size_t limit,
                         const std::function<bool(unsigned database, unsigned relid)>& exists, std::size_t* stale_removed) {
    const std::string mine = profile_prefix(key);
    struct File {
        std::string path;
        std::uint64_t bytes;
        timespec mtime;
    };
    std::vector<File> files;
    std::size_t stale = 0;
    each_file([&](const std::string& name) {
        const std::string path = std::string(kDirectory) + "/" + name;
        if (name.compare(0, 4, "tmp_") == 0) {  // a writer's temporary file: removed once it is dead
            const long pid = std::strtol(name.c_str() + 4, nullptr, 10);
            if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH && ::unlink(path.c_str()) == 0) ++stale;
            return;
        }
        const bool remove = [&] {
            if (path == keep) return false;
            if (name.compare(0, mine.size(), mine) == 0) return true;  // another state or snapshot: older
            const unsigned long db = std::strtoul(name.c_str(), nullptr, 10);
            const char* rel_at = std::strchr(name.c_str(), '_');
            const unsigned long rel = rel_at ? std::strtoul(rel_at + 1, nullptr, 10) : 0;
            return db > 0 && rel > 0 && exists && !exists(static_cast<unsigned>(db), static_cast<unsigned>(rel));
        }();
        if (remove) {
            if (::unlink(path.c_str()) == 0) ++stale;
            return;
        }
        struct stat st;
        if (::stat(path.c_str(), &st) == 0) files.push_back({path, static_cast<std::uint64_t>(st.st_size), st.st_mtim});
    });
    if (stale_removed) *stale_removed += stale;
    std::uint64_t total = 0;
    for (const auto& f : files) total += f.bytes;
    std::sort(files.begin(), files.end(), [](const File& a, const File& b) {
        return a.mtime.tv_sec != b.mtime.tv_sec ? a.mtime.tv_sec < b.mtime.tv_sec : a.mtime.tv_nsec < b.mtime.tv_nsec;
    });
    std::size_t evicted = 0;
    for (const auto& f : files) {
        if (total <= limit) break;
        if (f.path == keep) continue;
        if (::unlink(f.path.c_str()) == 0) {
            total -= f.bytes;
            ++evicted;
        }
    }
    return evicted;
}

bool touch(const std::string& path) { return ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) == 0; }

void totals(std::size_t* files, std::size_t* bytes) {
    *files = 0, *bytes = 0;
    each_file([&](const std::string& name) {
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".idx") != 0) return;
        struct stat st;
        if (::stat((std::string(kDirectory) + "/" + name).c_str(), &st) != 0) return;
        ++*files;
        *bytes += static_cast<std::size_t>(st.st_size);
    });
}

}  // namespace usermatch::pg::shared
