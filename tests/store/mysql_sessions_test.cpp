// MariaDB connections: only the group commit's pool accepts several statements per query, and
// every connection must use utf8mb4 (the batch quotes user text for that character set).
#include "store/mysql/mysql_backend.hpp"
#include "store/mysql/mysql_script.hpp"
#include "store/session_pool.hpp"
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// Runs a two-statement query on a connection of `pool`.
void two_statements(detail::session_pool& pool) {
  auto lease = pool.acquire();
  detail::mysql_script::runner r(detail::mysql_script::native_handle(lease.sql()),
                                 "SELECT 1; SELECT 2");
  while (r.next()) {
  }
}

}  // namespace

TEST_CASE("only_the_commit_pool_accepts_several_statements_in_one_query", "[store][mariadb]") {
  const std::string parameters = mysql_fresh_url().substr(std::string("mysql://").size());
  const auto driver = detail::make_mysql_backend();
  detail::session_pool general(*driver, parameters, 1);
  detail::session_pool batch(*driver, parameters, 1, true);
  CHECK_THROWS(two_statements(general));
  CHECK_NOTHROW(two_statements(batch));
  // And the store's own calls and batches still work with that split.
  auto s = detail::open_soci_store(mysql_fresh_url(), 2);
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {}).id;
  const auto out = s->append_messages({pending(a, ch, "one", "k1"), pending(a, ch, "two")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].message.seq == 2);
  CHECK(send(*s, a, ch, "again", "k1").what == detail::append_outcome::kind::duplicate);
}

TEST_CASE("a_mariadb_connection_that_is_not_utf8mb4_is_refused_at_open", "[store][mariadb]") {
  const std::string url = with_option(mysql_fresh_url(), "charset", "latin1");
  try {
    detail::open_soci_store(url, 1);
    FAIL("a latin1 connection was accepted");
  } catch (const detail::store_error& e) {
    CHECK(e.error_kind() == detail::store_error::kind::internal);
    CHECK(std::string(e.what()).find("utf8mb4") != std::string::npos);
  }
}
