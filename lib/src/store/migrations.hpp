// Versioned schema migrations, run when a store is opened.
#pragma once

#include "store/soci_backend.hpp"

namespace chat::detail {

// Brings the schema up to the newest version, recording each applied migration in
// `schema_version`. Safe when several processes open the same database at once: SQLite runs
// all pending migrations in one IMMEDIATE transaction, MySQL holds a named lock (GET_LOCK).
// Throws soci/store errors; the caller translates them.
// `up_to_version` (tests of upgrades only) stops at an older version.
void run_migrations(soci::session& sql, backend_kind backend, int up_to_version = 0);

// The newest schema version this build knows.
int latest_schema_version();

}  // namespace chat::detail
