// Values of the usermatch.* GUCs, defined in module.cpp.
#pragma once

#include "pg/postgres_headers.hpp"

namespace usermatch::pg {

struct Settings {
    int batch_size;        // usermatch.batch_size: rows per SPI fetch
    int memory_limit_kb;   // usermatch.memory_limit
    int threads;           // usermatch.threads
};

extern Settings settings;
// True when the library was loaded through shared_preload_libraries (background worker and
// shared-memory features need it).
extern bool loaded_by_preload;

}  // namespace usermatch::pg
