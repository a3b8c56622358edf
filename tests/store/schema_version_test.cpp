// Store contract: a database written by a newer build (a schema version this build does not
// know) is refused at open, and the refused open leaves it as it was.
#include <string>

#include "store/migrations.hpp"
#include "store/session_pool.hpp"
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// The backend's own connection parameters of a fixture's url ("sqlite3://x" → "x").
std::string parameters_of(const store_fixture& db) {
  return db.url.substr(db.url.find("://") + 3);
}

}  // namespace

STORE_CASE(a_database_with_a_newer_schema_is_refused_and_left_unchanged) {
  user_id a = 0;
  {
    auto s = db.open();
    a = make_user(*s, "a").user.id;
  }
  const int newer = detail::latest_schema_version() + 1;
  const auto driver = db.driver();
  detail::session_pool pool(*driver, parameters_of(db), 1);
  {
    auto lease = pool.acquire();
    lease.sql() << "INSERT INTO schema_version (version, applied_at) VALUES (:v, 1)",
        soci::use(newer);
  }

  try {
    (void)db.open();
    FAIL("a database of schema version " << newer << " was opened");
  } catch (const detail::store_error& e) {
    // internal, not unavailable: retrying cannot help, the build must be upgraded.
    CHECK(e.error_kind() == detail::store_error::kind::internal);
    CHECK_THAT(e.what(), Catch::Contains("schema version " + std::to_string(newer)) &&
                             Catch::Contains("newer than this build supports"));
  }

  // The refused open changed nothing (SQLite: its transaction rolled back; MariaDB: it released
  // the schema lock): the version row and the data are as they were, and a second attempt is
  // refused the same way.
  {
    auto lease = pool.acquire();
    int version = 0;
    lease.sql() << "SELECT MAX(version) FROM schema_version", soci::into(version);
    CHECK(version == newer);
    int users = 0;
    lease.sql() << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(a), soci::into(users);
    CHECK(users == 1);
  }
  CHECK_STORE_ERROR(db.open(), internal);
}
