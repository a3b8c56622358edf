// Store contract: schema migrations on open.
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.hpp"
#include "support/thread_errors.hpp"

using namespace chat;
using namespace chat::test;

STORE_CASE(reopening_runs_no_migration_twice_and_keeps_the_data) {
  user_id a = 0;
  channel_id ch = 0;
  {
    auto s = db.open();
    a = make_user(*s, "a").user.id;
    ch = make_group(*s, a, {}).id;
    send(*s, a, ch, "before reopen", "k1");
  }
  auto s = db.open();
  auto again = db.open();  // a second open on a current schema is a no-op
  CHECK(s->find_user(a)->user.username == "a");
  CHECK(s->last_seq(ch) == 1);
  const auto dup = send(*s, a, ch, "retry", "k1");
  CHECK(dup.what == detail::append_outcome::kind::duplicate);
  CHECK(send(*again, a, ch, "after reopen").message.seq == 2);
}

STORE_CASE(concurrent_first_opens_migrate_once_without_errors) {
  // Four openers of one new database at once (two processes starting together): each waits
  // behind the others' WAL switch and migration, none fails (on SQLite the WAL switch answers
  // SQLITE_BUSY without the busy handler; session_pool.cpp retries it).
  // The race is short: on SQLite, 20 new files, so that it is run into every time.
  const int rounds = db.which == test::backend::sqlite ? 20 : 1;
  thread_errors errors;  // every failure with its message, not just a count
  for (int round = 0; round < rounds; ++round) {
    const test::store_fixture fresh = round == 0 ? db : test::store_fixture(db.which);
    std::vector<std::thread> openers;
    for (int i = 0; i < 4; ++i) {
      openers.emplace_back([&] {
        errors.run([&] {
          auto s = fresh.open(1);
          s->ping();
        });
      });
    }
    for (auto& t : openers) t.join();
  }
  CHECK(errors.messages() == std::vector<std::string>{});
  auto s = db.open();
  make_user(*s, "works");
  CHECK(s->find_user_by_key("works"));
}

TEST_CASE("open_rejects_an_unknown_backend_as_internal", "[store][sqlite]") {
  CHECK_STORE_ERROR(detail::open_soci_store("postgresql://db=x", 1), internal);
}

TEST_CASE("open_of_an_unreachable_sqlite_path_is_unavailable", "[store][sqlite]") {
  CHECK_STORE_ERROR(detail::open_soci_store("sqlite3://db=/nonexistent/dir/chat.db", 1),
                    unavailable);
}

TEST_CASE("in_memory_sqlite_store_works_with_pool_size_forced_to_one", "[store][sqlite]") {
  auto s = detail::open_soci_store("sqlite3://db=:memory:", 8);
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {});
  CHECK(send(*s, a, ch.id, "x").message.seq == 1);
  CHECK(s->channels_of(a, 0, 10).size() == 1);
}
