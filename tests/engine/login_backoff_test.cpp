// Login backoff per account and per address (kept in the database) and the cracklib check of
// new passwords (docs/security.md, M1).
#include "engine/engine_fixture.hpp"

using namespace chat;
using namespace chat::test;
using std::chrono::seconds;

namespace {

engine_options backoff_options(const std::string& url, const manual_clock& clock) {
  engine_options o;
  o.database = url;
  o.pool_size = 2;
  o.password_hashing = password_cost::minimum;
  o.clock = clock.fn();
  o.login_backoff.account_free_failures = 3;
  o.login_backoff.address_free_failures = 5;
  o.login_backoff.base_delay = seconds(1);
  o.login_backoff.max_delay = seconds(8);
  o.login_backoff.forget_after = seconds(3600);
  return o;
}

std::unique_ptr<engine> open_with(const engine_options& o) {
  auto opened = engine::open(o);
  INFO(opened.error().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

constexpr const char* k_right = "correct horse battery";

}  // namespace

TEST_CASE("an_account_waits_after_its_free_failures_even_with_the_right_password",
          "[engine][backoff]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "alice");
  for (int i = 0; i < 3; ++i)
    CHECK(e->login("alice", "wrong guess").code() == errc::unauthenticated);

  auto refused = e->login("alice", k_right);
  REQUIRE(refused.code() == errc::rate_limited);
  CHECK(refused.error().retry_after() == 1);
  CHECK(std::string(to_string(errc::rate_limited)) == "rate_limited");

  clock.advance(seconds(1));
  CHECK(e->login("alice", k_right).ok());  // waited: the right password works and clears
  for (int i = 0; i < 3; ++i)
    CHECK(e->login("alice", "wrong guess").code() == errc::unauthenticated);
  CHECK(e->login("alice", k_right).code() == errc::rate_limited);
}

TEST_CASE("the_wait_doubles_with_each_failure_up_to_the_maximum", "[engine][backoff]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "bob");
  for (int i = 0; i < 3; ++i) (void)e->login("bob", "wrong guess");
  std::vector<std::uint32_t> waits;
  for (int i = 0; i < 5; ++i) {
    auto r = e->login("bob", "wrong guess");
    REQUIRE(r.code() == errc::rate_limited);
    waits.push_back(r.error().retry_after());
    clock.advance(seconds(r.error().retry_after()));
    CHECK(e->login("bob", "wrong guess").code() == errc::unauthenticated);  // one more failure
  }
  CHECK(waits == std::vector<std::uint32_t>{1, 2, 4, 8, 8});
  clock.advance(seconds(7));
  auto r = e->login("bob", k_right);
  REQUIRE(r.code() == errc::rate_limited);
  CHECK(r.error().retry_after() == 1);
}

TEST_CASE("unknown_usernames_back_off_like_real_ones", "[engine][backoff]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  for (int i = 0; i < 3; ++i)
    CHECK(e->login("ghost", "wrong guess").code() == errc::unauthenticated);
  CHECK(e->login("ghost", "wrong guess").code() == errc::rate_limited);
  CHECK(e->login("GHOST", "wrong guess").code() == errc::rate_limited);  // the key ignores case
}

TEST_CASE("an_address_waits_after_failures_against_many_accounts", "[engine][backoff]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "carol");
  const std::string attacker = "192.0.2.7";
  for (const char* name : {"alice", "bob", "carol", "dave", "erin"})
    CHECK(e->login(name, "wrong guess", attacker).code() == errc::unauthenticated);
  auto r = e->login("carol", k_right, attacker);
  REQUIRE(r.code() == errc::rate_limited);
  CHECK(r.error().retry_after() == 1);
  CHECK(e->login("carol", k_right, "198.51.100.2").ok());  // another address is not held up
  CHECK(e->login("carol", k_right).ok());                  // nor a caller without one
  clock.advance(seconds(1));
  CHECK(e->login("carol", k_right, attacker).ok());
  // A success clears the account's count, not the address's: the next failure waits 2 s.
  CHECK(e->login("frank", "wrong guess", attacker).code() == errc::unauthenticated);
  CHECK(e->login("carol", k_right, attacker).error().retry_after() == 2);
}

TEST_CASE("failures_are_forgotten_after_the_forget_time", "[engine][backoff]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "dave");
  for (int i = 0; i < 3; ++i) (void)e->login("dave", "wrong guess");
  clock.advance(seconds(3601));
  for (int i = 0; i < 3; ++i)
    CHECK(e->login("dave", "wrong guess").code() == errc::unauthenticated);
  CHECK(e->login("dave", k_right).code() == errc::rate_limited);
}

TEST_CASE("the_backoff_holds_across_an_engine_restart_on_the_same_database", "[engine][backoff]") {
  manual_clock clock;
  const auto options = backoff_options(sqlite_temp_url(), clock);
  {
    auto e = open_with(options);
    make_user(*e, "erin");
    for (int i = 0; i < 3; ++i) (void)e->login("erin", "wrong guess", "192.0.2.9");
  }
  auto again = open_with(options);
  auto r = again->login("erin", k_right);
  REQUIRE(r.code() == errc::rate_limited);
  CHECK(r.error().retry_after() == 1);
  clock.advance(seconds(1));
  CHECK(again->login("erin", k_right).ok());
}

TEST_CASE("a_scope_with_no_free_failures_is_off", "[engine][backoff]") {
  manual_clock clock;
  auto o = backoff_options(sqlite_temp_url(), clock);
  o.login_backoff.account_free_failures = 0;
  o.login_backoff.address_free_failures = 0;
  auto e = open_with(o);
  make_user(*e, "gina");
  for (int i = 0; i < 10; ++i)
    CHECK(e->login("gina", "wrong guess", "192.0.2.1").code() == errc::unauthenticated);
  CHECK(e->login("gina", k_right, "192.0.2.1").ok());
}

TEST_CASE("weak_passwords_are_refused_by_cracklib", "[engine][accounts]") {
  auto e = open_memory_engine();
  for (const char* weak : {"password1", "qwertyuiop", "123456789", "abcdefgh", "letmein123"}) {
    auto r = e->register_user({"harry", weak, {}, {}});
    INFO(weak);
    REQUIRE(r.code() == errc::invalid_argument);
    CHECK(r.error().message().rfind("password is too weak: ", 0) == 0);
  }
  auto harry = e->register_user({"harry", k_right, {}, {}});
  REQUIRE(harry.ok());
  CHECK(e->change_password(harry->id, k_right, "password1").code() == errc::invalid_argument);
  CHECK(e->change_password(harry->id, k_right, "a better passphrase").ok());
}

TEST_CASE("register_refuses_a_taken_name_before_judging_the_password", "[engine][accounts]") {
  auto e = open_memory_engine();
  make_user(*e, "ivy");
  // conflict, not "too weak": the name is looked up first, before any check or hashing.
  CHECK(e->register_user({"IVY", "password1", {}, {}}).code() == errc::conflict);
}

TEST_CASE("the_cracklib_check_can_be_turned_off_and_needs_its_dictionary", "[engine][accounts]") {
  engine_options o;
  o.database = "sqlite3://db=:memory:";
  o.pool_size = 1;
  o.password_hashing = password_cost::minimum;
  o.refuse_weak_passwords = false;
  auto lax = open_with(o);
  CHECK(lax->register_user({"jack", "password1", {}, {}}).ok());

  o.refuse_weak_passwords = true;
  o.password_dictionary = "/nonexistent/cracklib_dict";
  auto broken = engine::open(o);
  REQUIRE(broken.code() == errc::invalid_argument);
  CHECK(broken.error().message().find("cracklib") != std::string::npos);
}

// ---- The backoff's bounds, each at the bound and one past it -----------------------------------

TEST_CASE("the_wait_starts_at_exactly_the_free_failures_and_ends_at_exactly_the_delay",
          "[engine][backoff][limits]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "alice");
  for (int i = 0; i < 2; ++i) (void)e->login("alice", "wrong guess");
  CHECK(e->login("alice", k_right).ok());  // one failure short of the free ones: no wait
  for (int i = 0; i < 3; ++i) (void)e->login("alice", "wrong guess");
  clock.advance(std::chrono::milliseconds(999));
  auto early = e->login("alice", k_right);
  REQUIRE(early.code() == errc::rate_limited);
  CHECK(early.error().retry_after() == 1);  // a part of a second rounds up
  clock.advance(std::chrono::milliseconds(1));
  CHECK(e->login("alice", k_right).ok());
}

TEST_CASE("failures_are_forgotten_only_once_the_forget_time_has_fully_passed",
          "[engine][backoff][limits]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "kept");
  make_user(*e, "forgotten");
  for (int i = 0; i < 3; ++i) {
    (void)e->login("kept", "wrong guess");
    (void)e->login("forgotten", "wrong guess");
  }
  // Exactly the forget time after the last failure: a new one still counts on (4th: 2 s).
  clock.advance(seconds(3600));
  CHECK(e->login("kept", "wrong guess").code() == errc::unauthenticated);
  auto kept = e->login("kept", k_right);
  REQUIRE(kept.code() == errc::rate_limited);
  CHECK(kept.error().retry_after() == 2);
  // One millisecond later the count starts again from one.
  clock.advance(std::chrono::milliseconds(1));
  CHECK(e->login("forgotten", "wrong guess").code() == errc::unauthenticated);
  CHECK(e->login("forgotten", k_right).ok());
}

TEST_CASE("client_addresses_of_up_to_64_bytes_are_throttled_longer_ones_are_not_counted",
          "[engine][backoff][limits]") {
  manual_clock clock;
  auto e = open_with(backoff_options(sqlite_temp_url(), clock));
  make_user(*e, "carol");
  const std::string longest(64, 'a'), too_long(65, 'b');
  for (const std::string& address : {longest, too_long})
    for (const char* name : {"user1", "user2", "user3", "user4", "user5"})  // one per account
      CHECK(e->login(name, "wrong guess", address).code() == errc::unauthenticated);
  CHECK(e->login("carol", k_right, longest).code() == errc::rate_limited);
  CHECK(e->login("carol", k_right, too_long).ok());
}
