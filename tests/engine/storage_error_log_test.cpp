// engine_options::storage_error_log receives the database's own text of a failure, the caller a
// fixed message; a logger that throws changes neither the caller's answer nor the engine.
#include <sqlite3.h>

#include <stdexcept>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// A real database fault: a trigger that refuses new channels with a text of its own.
void refuse_new_channels(const std::string& url) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(url.substr(std::string("sqlite3://db=").size()).c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  const int rc = sqlite3_exec(db,
                              "CREATE TRIGGER refuse BEFORE INSERT ON channels"
                              " BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END",
                              nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("the_storage_error_log_gets_the_database_text_and_the_caller_a_fixed_message",
          "[errors]") {
  const std::string url = sqlite_temp_url();
  std::vector<std::string> logged;
  engine_options options;
  options.database = url;
  options.password_hashing = password_cost::minimum;
  options.storage_error_log = [&](const std::string& detail) { logged.push_back(detail); };
  auto opened = engine::open(options);
  REQUIRE(opened.ok());
  auto& e = **opened;
  const auto alice = make_user(e, "alice");
  refuse_new_channels(url);

  const auto before = e.stats().database_errors;
  const auto group = e.create_group(alice.id, "g", "");
  REQUIRE(!group.ok());
  CHECK(group.code() == errc::internal);
  CHECK(group.error().message() == "internal storage error");
  REQUIRE(logged.size() == 1);
  CHECK_THAT(logged[0], Catch::Contains("refused by the test trigger"));
  CHECK(e.stats().database_errors == before + 1);
}

TEST_CASE("a_storage_error_log_that_throws_changes_nothing_for_the_caller", "[errors]") {
  const std::string url = sqlite_temp_url();
  int calls = 0;
  engine_options options;
  options.database = url;
  options.password_hashing = password_cost::minimum;
  options.storage_error_log = [&](const std::string&) {
    ++calls;
    throw std::runtime_error("the log is full");
  };
  auto opened = engine::open(options);
  REQUIRE(opened.ok());
  auto& e = **opened;
  const auto alice = make_user(e, "alice");
  refuse_new_channels(url);

  for (int i = 0; i < 2; ++i) {  // and again: the engine is not left in a broken state
    const auto group = e.create_group(alice.id, "g", "");
    REQUIRE(!group.ok());
    CHECK(group.code() == errc::internal);
    CHECK(group.error().message() == "internal storage error");
  }
  CHECK(calls == 2);
  CHECK(e.login("alice", "correct horse battery").ok());
}
