// MySQL error numbers and the store_error kind each becomes (translate_error with the MySQL
// backend); the SQLite side and SOCI's generic errors are in error_kinds_test.cpp.
#include <soci/mysql/soci-mysql.h>

#include <catch2/catch.hpp>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "store/mysql/mysql_backend.hpp"
#include "store/soci_errors.hpp"

namespace {

using kind = chat::detail::store_error::kind;

template <typename E>
chat::detail::store_error translated(const E& error) {
  return chat::detail::translate_error(std::make_exception_ptr(error),
                                       *chat::detail::make_mysql_backend());
}

}  // namespace

// The MySQL error numbers a full disk, a read-only server, a refused login or a lost server
// answer with, as MariaDB reports them (a test cannot fill the disk or make the test server
// read-only: the user has no SUPER privilege).
TEST_CASE("mysql_error_numbers_map_onto_the_store_error_kinds", "[errors]") {
  const std::vector<std::pair<int, kind>> table = {
      {1062, kind::conflict},
      {1586, kind::conflict},
      {1021, kind::full},
      {1114, kind::full},
      {3, kind::full},
      {1290, kind::read_only},
      {1036, kind::read_only},
      {1792, kind::read_only},
      {1044, kind::misconfigured},
      {1045, kind::misconfigured},
      {1049, kind::misconfigured},
      {1130, kind::misconfigured},
      {1251, kind::misconfigured},
      {1040, kind::unavailable},
      {1053, kind::unavailable},
      {1205, kind::unavailable},
      {1213, kind::unavailable},
      {1927, kind::unavailable},
      {2002, kind::unavailable},
      {2003, kind::unavailable},
      {2005, kind::unavailable},
      {2006, kind::unavailable},
      {2013, kind::unavailable},
      {2055, kind::unavailable},
      {1064, kind::internal},  // a syntax error is a bug, not an outage
      {1048, kind::internal},  // NOT NULL violated: a bug too
  };
  for (const auto& [number, expected] : table) {
    const auto e = translated(soci::mysql_soci_error("error " + std::to_string(number), number));
    INFO("MySQL error " << number);
    CHECK(e.error_kind() == expected);
    CHECK(std::string(e.what()) == "error " + std::to_string(number));
    CHECK(!e.outcome_unknown());
  }
}
