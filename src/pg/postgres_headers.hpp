// The one place the glue includes PostgreSQL headers: after the C++ standard headers (port.h
// redefines snprintf and friends) and inside extern "C".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "access/relation.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
}

// The glue is compiled with -fvisibility=hidden and linked with src/pg/usermatch.map: only what
// PostgreSQL looks up by name is exported. PG15 defines PGDLLEXPORT empty on Linux, so give it
// (and the SQL entry points, see USERMATCH_FUNCTION) default visibility here.
#define USERMATCH_EXPORT __attribute__((visibility("default")))
#undef PGDLLEXPORT
#define PGDLLEXPORT USERMATCH_EXPORT
