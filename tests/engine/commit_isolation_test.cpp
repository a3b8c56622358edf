// The group commit under failure: a bad message is isolated by bisection, its database error
// text stays out of the reply, and a refused send costs no query beyond its batch.
#include <sqlite3.h>

#include <future>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  INFO(sql << ": " << (message ? message : ""));
  sqlite3_free(message);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a_batch_with_one_failing_message_commits_the_others_in_log_n_transactions",
          "[messages]") {
  const std::string url = sqlite_temp_url();
  std::mutex logged_mutex;
  std::vector<std::string> logged;
  engine_options options;
  options.database = url;
  options.pool_size = 2;
  options.password_hashing = password_cost::minimum;
  options.storage_error_log = [&](const std::string& detail) {
    std::lock_guard<std::mutex> lock(logged_mutex);
    logged.push_back(detail);
  };
  auto opened = engine::open(options);
  REQUIRE(opened.ok());
  auto& e = **opened;
  const auto alice = make_user(e, "alice");
  const auto group = e.create_group(alice.id, "g", "");
  REQUIRE(group.ok());

  // A real database fault for one message: a trigger refuses the text "poison".
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(url.substr(std::string("sqlite3://db=").size()).c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  exec(db,
       "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.text = 'poison'"
       " BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END");
  // Hold the write lock so that the commit thread waits in its first batch while 64 sends
  // queue up behind it and become its second batch.
  exec(db, "BEGIN IMMEDIATE");
  const auto before = e.stats();
  auto sent = [&](const std::string& text) {
    auto promise = std::make_shared<std::promise<result<message>>>();
    auto future = promise->get_future();
    e.send_async(alice.id, group->id, text, "", 0,
                 [promise](result<message> out) { promise->set_value(std::move(out)); });
    return future;
  };
  auto blocker = sent("first");
  // The commit thread has taken the blocker as a batch once it leases a connection for it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (e.stats().database_calls == before.database_calls) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::yield();
  }
  constexpr int n = 64, bad = 37;
  std::vector<std::future<result<message>>> replies;
  for (int i = 0; i < n; ++i)
    replies.push_back(sent(i == bad ? "poison" : "m" + std::to_string(i)));
  exec(db, "COMMIT");

  REQUIRE(blocker.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(blocker.get().ok());
  seq_t last = 1;
  for (int i = 0; i < n; ++i) {
    REQUIRE(replies[i].wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    auto reply = replies[i].get();
    if (i == bad) {
      CHECK(reply.code() == errc::internal);
      CHECK(reply.error().message().find("poison") == std::string::npos);
      continue;
    }
    REQUIRE(reply.ok());
    CHECK(reply->seq == last + 1);  // the others keep their order, without gaps
    last = reply->seq;
  }
  CHECK(last == n);  // the blocker and 63 good messages

  const auto after = e.stats();
  const auto failed = after.failed_commits - before.failed_commits;
  const auto transactions = after.commit_batches - before.commit_batches + failed;
  // 1 for the blocker, then 64 -> 32 + 32 -> ... -> 1 + 1: 7 failed and 6 committed halves.
  // One transaction per message, as before, would be 66.
  CHECK(failed == 7);
  CHECK(transactions <= 14);
  {
    std::lock_guard<std::mutex> lock(logged_mutex);
    REQUIRE(logged.size() == failed);
    CHECK(logged.front().find("poisoned by the test") != std::string::npos);
  }
  sqlite3_close(db);
}

TEST_CASE("a_refused_send_costs_no_database_call_beyond_its_batch", "[messages]") {
  auto e = open_memory_engine();
  const auto alice = make_user(*e, "alice");
  const auto eve = make_user(*e, "eve");
  const auto group = e->create_group(alice.id, "g", "");
  REQUIRE(group.ok());
  const auto before = e->stats().database_calls;
  CHECK(e->send(eve.id, group->id, "not a member").code() == errc::forbidden);
  CHECK(e->stats().database_calls == before + 1);
  CHECK(e->send(alice.id, group->id + 1000, "no such channel").code() == errc::not_found);
  CHECK(e->stats().database_calls == before + 2);
  CHECK(e->send(alice.id, group->id, "fine").ok());
}
