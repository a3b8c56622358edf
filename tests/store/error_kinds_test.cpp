// Real SQLite failures and the store_error kind each becomes (issue 13, point 5): a full
// database and a read-only one are told apart from a database that cannot be reached, so that
// clients, /readyz and /metrics can say which it is.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <catch2/catch.hpp>
#include <exception>
#include <string>

#include "store/soci_errors.hpp"
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
  const auto e = chat::detail::translate_error(failure);
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
  const auto e = chat::detail::translate_error(failure);
  INFO(e.what());
  CHECK(e.error_kind() == chat::detail::store_error::kind::read_only);
}
