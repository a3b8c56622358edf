// chatd's flood limits without sockets: address keys, token buckets, per-address connection
// counts and the bounded work lane (docs/security.md "Floods of HTTP work").
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "config/config.hpp"
#include "limits/address_limits.hpp"
#include "limits/work_lane.hpp"

using namespace chat::chatd;
using namespace chat::chatd::limits;
using std::chrono::seconds;

TEST_CASE("address_keys_unwrap_mapped_ipv4_and_group_ipv6_by_64", "[limits]") {
  CHECK(address_key("192.0.2.7") == "192.0.2.7");
  CHECK(address_key("::ffff:192.0.2.7") == "192.0.2.7");
  CHECK(address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9"));
  CHECK(address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1"));
  CHECK(address_key("not an address") == "not an address");
}

TEST_CASE("password_tokens_per_address_and_for_the_server_answer_retry_after", "[limits]") {
  address_limit_settings s;
  s.password_rate_per_address = 1;
  s.password_burst_per_address = 2;
  s.password_rate = 2;
  s.password_burst = 3;
  address_limits limits(s);
  const auto t0 = token_bucket::clock::now();
  CHECK(limits.take_password_token("a", t0) == 0);
  CHECK(limits.take_password_token("a", t0) == 0);
  CHECK(limits.take_password_token("a", t0) == 1);  // a's burst is spent: wait 1 s
  CHECK(limits.take_password_token("b", t0) == 0);  // the server's third token
  CHECK(limits.take_password_token("c", t0) >= 1);  // the server is out: c waits too
  // c's own token was given back: after the server refills, c gets one at once.
  CHECK(limits.take_password_token("c", t0 + seconds(1)) == 0);
  CHECK(limits.take_password_token("a", t0 + seconds(1)) == 0);
}

TEST_CASE("connections_per_address_are_counted_until_released", "[limits]") {
  address_limit_settings s;
  s.max_connections_per_address = 2;
  address_limits limits(s);
  auto one = limits.open_connection("192.0.2.1");
  auto two = limits.open_connection("192.0.2.1");
  REQUIRE(one);
  REQUIRE(two);
  CHECK_FALSE(limits.open_connection("192.0.2.1"));
  CHECK(limits.open_connection("192.0.2.2"));  // another address has its own count
  CHECK(limits.connections("192.0.2.1") == 2);
  one.reset();
  CHECK(limits.connections("192.0.2.1") == 1);
  CHECK(limits.open_connection("192.0.2.1"));

  s.max_connections_per_address = 0;  // no cap
  address_limits open(s);
  std::vector<std::shared_ptr<void>> many;
  for (int i = 0; i < 1000; ++i) many.push_back(open.open_connection("x"));
  CHECK(many.back());
}

TEST_CASE("a_work_lane_refuses_when_full_and_drops_jobs_whose_client_has_gone", "[limits]") {
  work_lane lane(1, 2, std::chrono::seconds(60));
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::promise<void> started;
  std::vector<std::string> log;
  auto note = [&](const std::string& s) {
    std::lock_guard<std::mutex> lock(m);
    log.push_back(s);
  };
  // The first job holds the only thread until released.
  REQUIRE(lane.submit({nullptr,
                       [&] {
                         started.set_value();
                         std::unique_lock<std::mutex> lock(m);
                         cv.wait(lock, [&] { return release; });
                       },
                       [&](work_lane::refusal) { note("first refused"); }}));
  started.get_future().wait();
  REQUIRE(lane.submit({[] { return true; }, [&] { note("gone ran"); },
                       [&](work_lane::refusal r) {
                         note(r == work_lane::refusal::client_gone ? "gone dropped" : "?");
                       }}));
  std::promise<void> kept_done;
  REQUIRE(lane.submit({[] { return false; },
                       [&] {
                         note("kept ran");
                         kept_done.set_value();
                       },
                       [&](work_lane::refusal) { note("kept refused"); }}));
  CHECK(lane.queued() == 2);
  CHECK_FALSE(lane.submit({nullptr, [&] { note("third ran"); }, nullptr}));  // full
  {
    std::lock_guard<std::mutex> lock(m);
    release = true;
  }
  cv.notify_all();
  kept_done.get_future().wait();  // the lane served both queued jobs, in order
  lane.stop();
  CHECK(log == std::vector<std::string>{"gone dropped", "kept ran"});
}

TEST_CASE("a_work_lane_refuses_jobs_that_waited_too_long", "[limits]") {
  work_lane lane(1, 4, std::chrono::milliseconds(0));
  std::promise<work_lane::refusal> why;
  std::promise<void> second_queued;
  auto queued = second_queued.get_future();
  // The first job holds the thread until the second is queued: the second then has waited
  // longer than 0 ms when its turn comes.
  REQUIRE(lane.submit({nullptr, [&] { queued.wait(); }, [](work_lane::refusal) {}}));
  REQUIRE(lane.submit({nullptr, [] {}, [&](work_lane::refusal r) { why.set_value(r); }}));
  second_queued.set_value();
  CHECK(why.get_future().get() == work_lane::refusal::expired);
  lane.stop();
}

TEST_CASE("flood_limit_options_default_and_auto_follow_the_password_cost", "[limits][config]") {
  const char* argv[] = {"chatd", "--hash-threads", "2", "--password-cost", "interactive"};
  auto out = load_config(5, argv, [](const char*) -> const char* { return nullptr; });
  REQUIRE(out.settings);
  const auto& f = out.settings->floods;
  CHECK(f.hash_threads == 2);
  CHECK(f.password_rate == 12);
  CHECK(f.password_burst == 48);
  CHECK(f.password_rate_per_address == 3);
  CHECK(f.password_burst_per_address == 20);
  CHECK(f.max_connections_per_address == 256);
  CHECK(f.max_queued_requests == 64);
  CHECK(out.settings->engine.login_backoff.account_free_failures == 5);
  CHECK(out.settings->engine.login_backoff.address_free_failures == 20);

  const char* env_argv[] = {"chatd"};
  auto from_env = load_config(1, env_argv, [](const char* name) -> const char* {
    return std::string(name) == "CHATD_MAX_CONNECTIONS_PER_ADDRESS" ? "0" : nullptr;
  });
  REQUIRE(from_env.settings);
  CHECK(from_env.settings->floods.max_connections_per_address == 0);
}
