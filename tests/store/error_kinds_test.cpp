// Real SQLite failures and the store_error kind each becomes (issue 13, point 5): a full
// database and a read-only one are told apart from a database that cannot be reached, so that
// clients, /readyz and /metrics can say which it is. Then the whole mapping as tables: MySQL
// SQLite result codes (translate_error with the SQLite backend), SOCI's own errors, other
// exceptions. MySQL's error numbers: mysql_error_kinds_test.cpp.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <catch2/catch.hpp>
#include <exception>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/soci_errors.hpp"
#include "store/sqlite/sqlite_backend.hpp"
#include "support/test_env.hpp"

namespace {

std::string temp_file() {
  const std::string url = chat::test::sqlite_temp_url();  // "sqlite3://db=PATH ..."
  const auto start = url.find("db=") + 3;
  return url.substr(start, url.find(' ', start) - start);
}

template <typename F>
std::exception_ptr failure_of(F&& f) {
  try {
    f();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a_full_sqlite_database_is_full_not_unavailable", "[errors]") {
  soci::session sql(*soci::factory_sqlite3(), "db=" + temp_file());
  sql << "CREATE TABLE t (x BLOB)";
  sql << "PRAGMA max_page_count = 8";  // a database that cannot grow: as on a full disk
  auto failure = failure_of([&] {
    for (int i = 0; i < 100; ++i) sql << "INSERT INTO t VALUES (zeroblob(4096))";
  });
  REQUIRE(failure);
  const auto e = chat::detail::translate_error(failure, *chat::detail::make_sqlite_backend());
  INFO(e.what());
  CHECK(e.error_kind() == chat::detail::store_error::kind::full);
  CHECK(chat::detail::is_outage(e.error_kind()));
}

TEST_CASE("a_read_only_sqlite_database_is_read_only_not_unavailable", "[errors]") {
  const std::string file = temp_file();
  {
    soci::session sql(*soci::factory_sqlite3(), "db=" + file);
    sql << "CREATE TABLE t (x INTEGER)";
  }
  soci::session sql(*soci::factory_sqlite3(), "db=" + file + " readonly=1");
  int n = -1;
  sql << "SELECT COUNT(*) FROM t", soci::into(n);  // reads work
  CHECK(n == 0);
  auto failure = failure_of([&] { sql << "INSERT INTO t VALUES (1)"; });
  REQUIRE(failure);
  const auto e = chat::detail::translate_error(failure, *chat::detail::make_sqlite_backend());
  INFO(e.what());
  CHECK(e.error_kind() == chat::detail::store_error::kind::read_only);
}

namespace {

using kind = chat::detail::store_error::kind;

template <typename E>
chat::detail::store_error translated(const E& error) {
  return chat::detail::translate_error(std::make_exception_ptr(error),
                                       *chat::detail::make_sqlite_backend());
}

}  // namespace

TEST_CASE("sqlite_result_codes_map_onto_the_store_error_kinds", "[errors]") {
  const std::vector<std::tuple<int, std::string, kind>> table = {
      {19, "UNIQUE constraint failed: users.username_key", kind::conflict},
      {2067, "UNIQUE constraint failed: users.username_key", kind::conflict},  // extended code
      {19, "NOT NULL constraint failed: users.created_at", kind::internal},
      {13, "database or disk is full", kind::full},
      {8, "attempt to write a readonly database", kind::read_only},
      {5, "database is locked", kind::unavailable},
      {6, "database table is locked", kind::unavailable},
      {14, "unable to open database file", kind::unavailable},
      {10, "disk I/O error: database or disk is full", kind::full},
      {10, "disk I/O error: No space left on device", kind::full},
      {10, "disk I/O error", kind::unavailable},
      {1, "no such table: users", kind::internal},
  };
  for (const auto& [code, message, expected] : table) {
    INFO("SQLite result " << code << ": " << message);
    CHECK(translated(soci::sqlite3_soci_error(message, code)).error_kind() == expected);
  }
}

// SOCI's own errors (no backend code) are told apart by their text.
TEST_CASE("soci_errors_without_a_backend_code_are_classified_by_their_message", "[errors]") {
  const std::vector<std::pair<std::string, kind>> table = {
      {"sqlite3: database or disk is full", kind::full},
      {"attempt to write a readonly database", kind::read_only},
      {"the database is read-only", kind::read_only},
      {"Cannot establish connection to the database.", kind::unavailable},
      {"unable to open database file", kind::unavailable},
      {"database is locked", kind::unavailable},
      {"Null value fetched and no indicator defined.", kind::internal},
  };
  for (const auto& [message, expected] : table) {
    const auto e = translated(soci::soci_error(message));
    INFO(message);
    CHECK(e.error_kind() == expected);
    CHECK(std::string(e.what()) == message);
  }
}

TEST_CASE("other_exceptions_are_internal_store_errors_and_store_errors_pass_through", "[errors]") {
  const auto std_error = translated(std::runtime_error("boom"));
  CHECK(std_error.error_kind() == kind::internal);
  CHECK(std::string(std_error.what()) == "boom");

  const auto unknown = translated(42);
  CHECK(unknown.error_kind() == kind::internal);
  CHECK(std::string(unknown.what()) == "unknown error in the storage layer");

  const auto same =
      translated(chat::detail::store_error(kind::unavailable, "lost during COMMIT", true));
  CHECK(same.error_kind() == kind::unavailable);
  CHECK(same.outcome_unknown());
  CHECK(std::string(same.what()) == "lost during COMMIT");
}
