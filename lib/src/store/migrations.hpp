// Versioned schema migrations, run when a store is opened: the list, and applying it. How a
// backend guards the run against concurrent openers is its own (backend::migrate).
#pragma once

#include <soci/soci.h>

#include <vector>

namespace chat::detail {

// One schema version: its statements for each backend.
struct migration {
  int version;
  std::vector<const char*> sqlite;
  std::vector<const char*> mysql;
};

// The statements of one backend in a migration: &migration::sqlite or &migration::mysql.
using migration_statements = std::vector<const char*> migration::*;

// Applies the migrations newer than the database's version (table schema_version, which must
// exist), recording each one. Throws store_error internal if the database is newer than this
// build; other failures as SOCI throws them (the caller translates them).
// `up_to_version` (tests of upgrades only) stops at an older version.
void apply_migrations(soci::session& sql, migration_statements statements, int up_to_version);

// The newest schema version this build knows.
int latest_schema_version();

}  // namespace chat::detail
