// Issue 12, L1: a flood of unauthenticated requests cannot push a real user's pending login,
// native nonce or sign-up ticket out of memory. Each store refuses new entries when full
// (unavailable) or when one client address holds too many (rate_limited), and never evicts.
#include "oidc_fixture.hpp"
#include "single_use_store.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

namespace {

std::unique_ptr<chat::engine> memory_engine() {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = chat::password_cost::minimum;
  auto opened = chat::engine::open(options);
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

verified_identity identity(const std::string& subject) {
  verified_identity id;
  id.provider = "test";
  id.issuer = "https://idp.example";
  id.subject = subject;
  id.email = subject + "@example.com";
  id.email_verified = true;
  return id;
}

std::string address(int i) {
  return "203.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
}

}  // namespace

TEST_CASE("single_use_store_refuses_when_full_and_per_address_and_never_evicts", "[oidc][unit]") {
  detail::single_use_store<int> store(10, 3);
  REQUIRE(store.put("victim", 1, 0, 1000, "192.0.2.1").ok());
  for (int i = 0; i < 3; ++i) CHECK(store.put("a" + std::to_string(i), 2, 1, 1001, "6.6.6.6").ok());
  CHECK(store.put("a3", 2, 1, 1001, "6.6.6.6").code() == errc::rate_limited);
  // Using up one's own entries frees nothing for that address until they expire.
  CHECK(store.take("a0", 2).first == detail::take_status::ok);
  CHECK(store.put("a4", 2, 2, 1002, "6.6.6.6").code() == errc::rate_limited);
  int stored = 4;
  for (int i = 0; i < 100; ++i)
    if (store.put("f" + std::to_string(i), 3, 3, 1003, address(i)).ok()) ++stored;
  CHECK(stored == 10);
  CHECK(store.size() == 10);
  CHECK(store.put("late", 4, 4, 1004, "192.0.2.9").code() == errc::unavailable);
  auto taken = store.take("victim", 5);
  CHECK(taken.first == detail::take_status::ok);
  CHECK(taken.second == 1);
  // Expiry frees room again, for the flooding address too.
  CHECK(store.put("a5", 5, 1001, 2001, "6.6.6.6").ok());
}

TEST_CASE("a_flood_of_login_starts_neither_evicts_nor_blocks_a_real_users_login",
          "[oidc][provider]") {
  relying_party_options options;
  options.max_pending_logins = 40;
  options.max_pending_logins_per_address = 5;
  auto b = make_rp({test_provider_config()}, options);
  const std::string who = unique("victim");
  auto victim = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, who, "192.0.2.1");
  REQUIRE(victim.ok());
  // One address: five, then 429.
  for (int i = 0; i < 5; ++i)
    CHECK(b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, {}, "6.6.6.6").ok());
  auto limited = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, {}, "6.6.6.6");
  CHECK(limited.code() == errc::rate_limited);
  CHECK(http_status(limited.error()) == 429);
  // Many addresses: the store fills up and refuses (503) instead of dropping the oldest.
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    auto r = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, {}, address(i));
    if (!r.ok()) {
      CHECK(r.code() == errc::unavailable);
      ++refused;
    }
  }
  CHECK(refused == 1000 - (40 - 6));
  // The real user's login still completes.
  auto back = drive_login(victim->authorization_url);
  auto done = b.rp->complete_login(
      parse_callback(back.url.substr(back.url.find('?') + 1),
                     std::string(k_binding_cookie) + "=" + victim->browser_binding));
  INFO(done.error().message());
  REQUIRE(done.ok());
  CHECK(done->identity.subject == who);
}

TEST_CASE("a_flood_of_native_nonces_neither_evicts_nor_blocks_a_real_users_nonce",
          "[oidc][provider]") {
  relying_party_options options;
  options.max_native_nonces = 20;
  options.max_native_nonces_per_address = 4;
  auto b = make_rp({test_provider_config()}, options);
  auto nonce = b.rp->issue_native_nonce("192.0.2.1");
  REQUIRE(nonce.ok());
  for (int i = 0; i < 4; ++i) CHECK(b.rp->issue_native_nonce("6.6.6.6").ok());
  CHECK(b.rp->issue_native_nonce("6.6.6.6").code() == errc::rate_limited);
  int refused = 0;
  for (int i = 0; i < 500; ++i) {
    auto r = b.rp->issue_native_nonce(address(i));
    if (!r.ok()) {
      CHECK(r.code() == errc::unavailable);
      ++refused;
    }
  }
  CHECK(refused == 500 - (20 - 5));
  const std::string token = provider_id_token(web_client(), unique("n"), *nonce);
  auto verified = b.rp->verify_native_id_token("test", token, *nonce);
  INFO(verified.error().message());
  CHECK(verified.ok());
}

TEST_CASE("a_flood_of_signup_tickets_neither_evicts_nor_blocks_a_real_users_ticket",
          "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts_options options;
  options.max_signup_tickets = 12;
  options.max_signup_tickets_per_address = 3;
  accounts acc(*engine, options);
  auto victim = acc.sign_in(identity("victim"), ticket_binding::browser_cookie, "192.0.2.1");
  REQUIRE(victim.ok());
  REQUIRE(victim->signup);
  for (int i = 0; i < 3; ++i)
    CHECK(acc.sign_in(identity("m" + std::to_string(i)), ticket_binding::id_token, "6.6.6.6").ok());
  CHECK(acc.sign_in(identity("m9"), ticket_binding::id_token, "6.6.6.6").code() ==
        errc::rate_limited);
  int refused = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = acc.sign_in(identity("f" + std::to_string(i)), ticket_binding::id_token, address(i));
    if (!r.ok()) {
      CHECK(r.code() == errc::unavailable);
      ++refused;
    }
  }
  CHECK(refused == 100 - (12 - 4));
  auto made = acc.complete_signup(victim->signup->ticket, "victim");
  INFO(made.error().message());
  REQUIRE(made.ok());
  CHECK(made->account.username == "victim");
}

TEST_CASE("the_pending_limits_come_from_the_configuration_file", "[oidc][unit]") {
  auto parsed = parse_config(R"({"providers": [], "max_pending": 500,
                                 "max_pending_per_address": 7})");
  INFO(parsed.error().message());
  REQUIRE(parsed.ok());
  CHECK(parsed->max_pending == 500);
  CHECK(parsed->max_pending_per_address == 7);
  CHECK(parsed->relying_party.max_pending_logins == 500);
  CHECK(parsed->relying_party.max_native_nonces_per_address == 7);
  auto defaults = parse_config(R"({"providers": []})");
  REQUIRE(defaults.ok());
  CHECK(defaults->relying_party.max_pending_logins_per_address == 30);
  CHECK(parse_config(R"({"providers": [], "max_pending_per_address": 0})").code() ==
        errc::invalid_config);
}
