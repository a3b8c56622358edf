// Store contract: the failed-login counts of the login backoff (login_failures, schema v3).
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.hpp"
#include "support/thread_errors.hpp"

using namespace chat;
using namespace chat::test;

STORE_CASE(login_failures_count_up_per_key_and_start_again_after_the_forget_time) {
  auto s = db.open();
  CHECK_FALSE(s->find_login_failures("account:alice"));

  auto r = s->add_login_failure("account:alice", 1000, 0);
  CHECK(r.failures == 1);
  CHECK(r.last_failure_at == 1000);
  r = s->add_login_failure("account:alice", 2000, 500);
  CHECK(r.failures == 2);
  CHECK(r.last_failure_at == 2000);
  s->add_login_failure("address:192.0.2.1", 2500, 0);  // another key counts apart

  auto found = s->find_login_failures("account:alice");
  REQUIRE(found);
  CHECK(found->failures == 2);
  CHECK(found->last_failure_at == 2000);

  // The previous failure (2000) is older than forget_before: the count starts again.
  r = s->add_login_failure("account:alice", 9000, 2001);
  CHECK(r.failures == 1);
  CHECK(r.last_failure_at == 9000);
  CHECK(s->find_login_failures("address:192.0.2.1")->failures == 1);
}

STORE_CASE(login_failures_at_exactly_the_forget_and_prune_bounds_are_kept) {
  auto s = db.open();
  s->add_login_failure("account:a", 1000, 0);
  // The previous failure is exactly at forget_before, not before it: the count goes on.
  CHECK(s->add_login_failure("account:a", 5000, 1000).failures == 2);
  // One millisecond older than forget_before: the count starts again.
  CHECK(s->add_login_failure("account:a", 9000, 5001).failures == 1);
  CHECK(s->prune_login_failures(9000) == 0);  // deletes only rows before the bound
  CHECK(s->find_login_failures("account:a"));
  CHECK(s->prune_login_failures(9001) == 1);
  CHECK_FALSE(s->find_login_failures("account:a"));
}

STORE_CASE(login_failure_keys_compare_exactly) {
  auto s = db.open();
  s->add_login_failure("account:k", 1000, 0);
  s->add_login_failure("account:k ", 1000, 0);  // a trailing space is another key (no PAD)
  s->add_login_failure("account:k", 1001, 0);
  CHECK(s->find_login_failures("account:k")->failures == 2);
  CHECK(s->find_login_failures("account:k ")->failures == 1);
  CHECK_FALSE(s->find_login_failures("account:K"));
}

STORE_CASE(login_failures_clear_and_prune) {
  auto s = db.open();
  s->add_login_failure("account:alice", 1000, 0);
  s->add_login_failure("account:bob", 5000, 0);
  s->add_login_failure("address:192.0.2.1", 7000, 0);
  s->clear_login_failures("account:alice");
  s->clear_login_failures("account:nobody");  // nothing to clear is fine
  CHECK_FALSE(s->find_login_failures("account:alice"));
  CHECK(s->prune_login_failures(6000) == 1);  // bob's only
  CHECK_FALSE(s->find_login_failures("account:bob"));
  CHECK(s->find_login_failures("address:192.0.2.1"));
}

STORE_CASE(concurrent_login_failures_are_all_counted) {
  auto s = db.open(4);
  constexpr int k_threads = 4, k_each = 10;
  std::vector<std::thread> threads;
  thread_errors errors;
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < k_each; ++i)
        errors.run([&] { s->add_login_failure("account:target", 1000 + i, 0); });
    });
  for (auto& t : threads) t.join();
  REQUIRE(errors.messages() == std::vector<std::string>{});
  CHECK(s->find_login_failures("account:target")->failures == k_threads * k_each);
}

STORE_CASE(login_failures_survive_reopening_the_database) {
  {
    auto s = db.open();
    s->add_login_failure("account:alice", 1000, 0);
    s->add_login_failure("account:alice", 1100, 0);
  }
  auto again = db.open();
  auto found = again->find_login_failures("account:alice");
  REQUIRE(found);
  CHECK(found->failures == 2);
  CHECK(found->last_failure_at == 1100);
}
