// One engine per SQLite database: a second engine on the same file is refused while the first
// lives (its router would never see the first one's live events), and opens once it is gone.
#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

TEST_CASE("a_second_engine_on_one_sqlite_file_is_refused_until_the_first_is_closed",
          "[errors][lock]") {
  const std::string url = sqlite_temp_url();
  auto first = open_engine(url);
  make_user(*first, "alice");

  engine_options options;
  options.database = url;
  options.password_hashing = password_cost::minimum;
  auto second = engine::open(options);
  REQUIRE(!second.ok());
  CHECK(second.code() == errc::conflict);
  CHECK_THAT(second.error().message(), Catch::Contains("in use by another engine") &&
                                           Catch::Contains("chat") && Catch::Contains(".db.lock"));
  // The refused open changed nothing: the first engine carries on.
  CHECK(first->login("alice", "correct horse battery").ok());

  first.reset();
  auto third = engine::open(options);
  INFO(third.error().message());
  REQUIRE(third.ok());
  CHECK((*third)->login("alice", "correct horse battery").ok());
}

TEST_CASE("in_memory_engines_are_independent_and_never_locked", "[lock]") {
  auto a = open_memory_engine();
  auto b = open_memory_engine();
  make_user(*a, "alice");
  make_user(*b, "alice");  // a separate database each
}
