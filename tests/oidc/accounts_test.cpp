// Identity -> account mapping over a real engine (in-memory SQLite): tickets, sign-up rules,
// returning users, link and unlink.
#include <thread>

#include "oidc_fixture.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

namespace {

std::unique_ptr<chat::engine> memory_engine(std::function<chat::time_ms()> clock = nullptr) {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = chat::password_cost::minimum;
  options.clock = std::move(clock);
  auto opened = chat::engine::open(options);
  INFO(opened.error().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

verified_identity identity(const std::string& subject, bool verified = true) {
  verified_identity id;
  id.provider = "test";
  id.issuer = "https://idp.example";
  id.subject = subject;
  id.email = "Jane.Doe+chat@example.com";
  id.email_verified = verified;
  id.name = "Jane Doe";
  return id;
}

}  // namespace

TEST_CASE("first_sign_in_gives_a_ticket_and_the_username_rules_of_password_signup",
          "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts acc(*engine);
  REQUIRE(engine->register_user({"taken", "correct horse battery", {}, {}}).ok());

  auto first = acc.sign_in(identity("sub-1"));
  REQUIRE(first.ok());
  REQUIRE(first->signup);
  CHECK_FALSE(first->session);
  CHECK(first->signup->suggested_username == "Jane.Doechat");
  CHECK(first->signup->email == std::optional<std::string>("Jane.Doe+chat@example.com"));
  CHECK(first->signup->provider == "test");
  const std::string ticket = first->signup->ticket;
  CHECK(ticket.size() >= 43);
  CHECK(acc.peek_signup(ticket).ok());

  // The engine's rules and errors; the ticket survives them for another try.
  auto bad_name = acc.complete_signup(ticket, "x!");
  CHECK(bad_name.code() == errc::account);
  CHECK(bad_name.error().engine_code() == chat::errc::invalid_argument);
  auto taken = acc.complete_signup(ticket, "TAKEN");
  CHECK(taken.code() == errc::account);
  CHECK(taken.error().engine_code() == chat::errc::conflict);

  auto created = acc.complete_signup(ticket, "jane");
  INFO(created.error().message());
  REQUIRE(created.ok());
  CHECK(created->account.username == "jane");
  CHECK(created->account.email == std::optional<std::string>("Jane.Doe+chat@example.com"));
  CHECK(engine->authenticate(created->token).ok());
  // Single use.
  CHECK(acc.complete_signup(ticket, "jane2").code() == errc::invalid_ticket);
  CHECK(acc.peek_signup(ticket).code() == errc::invalid_ticket);

  // Returning user: same account, same name.
  auto again = acc.sign_in(identity("sub-1"));
  REQUIRE(again.ok());
  REQUIRE(again->session);
  CHECK_FALSE(again->signup);
  CHECK(again->session->account.id == created->account.id);
  CHECK(again->session->account.username == "jane");
}

TEST_CASE("signup_tickets_expire_and_unverified_emails_are_not_stored", "[oidc][accounts]") {
  manual_clock clock;
  auto engine = memory_engine(clock.fn());
  accounts_options options;
  options.clock = clock.fn();
  options.signup_ticket_ttl = std::chrono::seconds(60);
  accounts acc(*engine, options);

  auto first = acc.sign_in(identity("sub-2", false));
  REQUIRE(first.ok());
  REQUIRE(first->signup);
  CHECK_FALSE(first->signup->email);
  clock.advance(std::chrono::seconds(61));
  CHECK(acc.complete_signup(first->signup->ticket, "late").code() == errc::invalid_ticket);

  auto second = acc.sign_in(identity("sub-2", false));
  REQUIRE(second.ok());
  auto created = acc.complete_signup(second->signup->ticket, "nomail");
  REQUIRE(created.ok());
  CHECK_FALSE(created->account.email);
  CHECK(acc.complete_signup("not-a-ticket", "whoever").code() == errc::invalid_ticket);
}

TEST_CASE("two_tickets_of_one_identity_make_one_account", "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts acc(*engine);
  auto tab1 = acc.sign_in(identity("sub-3"));
  auto tab2 = acc.sign_in(identity("sub-3"));
  REQUIRE(tab1->signup);
  REQUIRE(tab2->signup);
  auto a = acc.complete_signup(tab1->signup->ticket, "first_tab");
  REQUIRE(a.ok());
  auto b = acc.complete_signup(tab2->signup->ticket, "second_tab");
  REQUIRE(b.ok());
  CHECK(b->account.id == a->account.id);
  CHECK(b->account.username == "first_tab");
}

TEST_CASE("concurrent_use_of_one_ticket_creates_one_account", "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts acc(*engine);
  auto first = acc.sign_in(identity("sub-4"));
  REQUIRE(first->signup);
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      if (acc.complete_signup(first->signup->ticket, "racer" + std::to_string(i)).ok()) ++created;
    });
  for (auto& t : threads) t.join();
  CHECK(created.load() >= 1);
  int accounts_made = 0;
  for (int i = 0; i < 4; ++i) accounts_made += engine->find_user("racer" + std::to_string(i)).ok();
  CHECK(accounts_made == 1);
}

TEST_CASE("link_and_unlink_identities_of_a_signed_in_user", "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts acc(*engine);
  auto bob = engine->register_user({"bob", "correct horse battery", {}, {}});
  auto eve = engine->register_user({"eve", "correct horse battery", {}, {}});
  REQUIRE(bob.ok());
  REQUIRE(eve.ok());

  CHECK(acc.link(bob->id, identity("bob-sub")).ok());
  CHECK(acc.link(bob->id, identity("bob-sub")).ok());  // idempotent
  auto stolen = acc.link(eve->id, identity("bob-sub"));
  CHECK(stolen.code() == errc::account);
  CHECK(stolen.engine_code() == chat::errc::conflict);

  auto signed_in = acc.sign_in(identity("bob-sub"));
  REQUIRE(signed_in.ok());
  REQUIRE(signed_in->session);
  CHECK(signed_in->session->account.id == bob->id);

  auto list = acc.identities(bob->id);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK(list->front().subject == "bob-sub");
  CHECK(acc.unlink(bob->id, "https://idp.example").ok());
  CHECK(acc.unlink(bob->id, "https://idp.example").engine_code() == chat::errc::not_found);
  auto after = acc.sign_in(identity("bob-sub"));
  REQUIRE(after.ok());
  CHECK(after->signup);  // no longer linked: a first-time identity again

  // An account made through OIDC cannot drop its only way to sign in.
  auto ticket = acc.sign_in(identity("solo"));
  auto solo = acc.complete_signup(ticket->signup->ticket, "solo");
  REQUIRE(solo.ok());
  CHECK(acc.unlink(solo->account.id, "https://idp.example").engine_code() == chat::errc::conflict);
}

// Issue 12, M2: a native ticket is bound to the ID token of its identity, so a ticket passed on
// to someone else (sign-up ticket fixation) creates nothing without that token.
TEST_CASE("native_signup_tickets_need_the_id_token_of_their_identity", "[oidc][accounts]") {
  auto engine = memory_engine();
  accounts acc(*engine);
  auto first = acc.sign_in(identity("attacker"), ticket_binding::id_token);
  REQUIRE(first.ok());
  REQUIRE(first->signup);
  const auto& t = *first->signup;
  CHECK(t.binding == ticket_binding::id_token);
  CHECK(t.issuer == "https://idp.example");
  CHECK(t.subject == "attacker");
  CHECK(acc.complete_signup(t.ticket, "victim").code() == errc::invalid_ticket);
  const verified_identity other = identity("victim-sub");
  CHECK(acc.complete_signup(t.ticket, "victim", &other).code() == errc::invalid_ticket);
  const verified_identity same = identity("attacker");
  auto made = acc.complete_signup(t.ticket, "attacker", &same);
  INFO(made.error().message());
  REQUIRE(made.ok());
  CHECK(made->account.username == "attacker");

  // A browser ticket shows its identity for the form and refuses another identity's token.
  auto browser = acc.sign_in(identity("b-sub"));
  REQUIRE(browser.ok());
  auto peek = acc.peek_signup(browser->signup->ticket);
  REQUIRE(peek.ok());
  CHECK(peek->issuer == "https://idp.example");
  CHECK(peek->subject == "b-sub");
  CHECK(acc.complete_signup(browser->signup->ticket, "bee", &other).code() == errc::invalid_ticket);
  CHECK(acc.complete_signup(browser->signup->ticket, "bee").ok());
}
