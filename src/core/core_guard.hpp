// Included by every src/core header. The core is plain C++17: a PostgreSQL header seen before
// this one is a compile error (only the glue, compiled with -DUSERMATCH_GLUE, may mix them).
// The build also compiles src/core without the server include path, so `#include "postgres.h"`
// in a core file cannot compile at all.
#pragma once

#if !defined(USERMATCH_GLUE) && (defined(PG_VERSION_NUM) || defined(POSTGRES_H) || defined(FMGR_H) || defined(PG_CONFIG_H))
#error "src/core must not include PostgreSQL headers: the engine is plain C++ (see GUIDE.md)"
#endif
