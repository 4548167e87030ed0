// Background jobs: the launcher, the job workers and the SQL helpers behind usermatch.submit_job
// and friends (SQL in usermatch--0.2.0--0.3.0.sql, section "background jobs").
#pragma once

namespace usermatch::pg {

// Defines usermatch.database and usermatch.max_workers; when the library is preloaded, also
// requests the launcher's shared memory, registers the launcher and the commit hook that wakes
// it. Called once by _PG_init.
void init_jobs();

}  // namespace usermatch::pg
