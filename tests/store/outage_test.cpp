// MariaDB going away and coming back: bounded failures, then recovery with data intact.
#include <chrono>

#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;
using clock_type = std::chrono::steady_clock;

namespace {

// Runs `call` and expects store_error unavailable within `limit`.
template <class F>
void expect_unavailable_within(F call, std::chrono::seconds limit) {
  const auto started = clock_type::now();
  CHECK_STORE_ERROR(call(), unavailable);
  CHECK(clock_type::now() - started < limit);
}

}  // namespace

TEST_CASE("mariadb_outage_fails_fast_as_unavailable_and_the_same_store_recovers",
          "[store][mariadb]") {
  private_mariadb server;
  REQUIRE(server.start());
  auto s = detail::open_soci_store(server.url(), 3);
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {}).id;
  for (int i = 0; i < 3; ++i) send(*s, a, ch, "committed " + std::to_string(i));

  REQUIRE(server.stop());
  const auto limit = std::chrono::seconds(15);
  expect_unavailable_within([&] { return s->find_user(a); }, limit);
  expect_unavailable_within([&] { return s->append_messages({pending(a, ch, "lost")}); }, limit);
  expect_unavailable_within([&] { return s->channels_of(a, 0, 10); }, limit);
  expect_unavailable_within(
      [&] {
        s->ping();
        return 0;
      },
      limit);

  REQUIRE(server.start());
  // The first call after the restart may still meet a connection that died with the old server;
  // the store must recover by itself within a few calls.
  bool recovered = false;
  for (int attempt = 0; attempt < 5 && !recovered; ++attempt) {
    try {
      s->ping();
      recovered = true;
    } catch (const detail::store_error& e) {
      CHECK(e.error_kind() == detail::store_error::kind::unavailable);
    }
  }
  REQUIRE(recovered);
  const auto history = s->messages_between(ch, 0, 0, 10, false);
  REQUIRE(history.size() == 3);
  CHECK(history[2].text == "committed 2");
  CHECK(send(*s, a, ch, "after restart").message.seq == 4);
  CHECK(s->find_user(a)->user.username == "a");
}

TEST_CASE("mariadb_open_against_a_closed_port_is_unavailable_without_hanging", "[store][mariadb]") {
  const auto started = clock_type::now();
  CHECK_STORE_ERROR(detail::open_soci_store("mysql://db=x user=chat password=chat "
                                            "host=127.0.0.1 port=1 connect_timeout=3",
                                            1),
                    unavailable);
  CHECK(clock_type::now() - started < std::chrono::seconds(10));
}
