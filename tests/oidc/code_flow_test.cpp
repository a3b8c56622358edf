// The browser flow end to end against the real OpenID Provider: Authorization Code + PKCE,
// state, nonce and browser binding, then sign-up, sign-in and linking through the engine.
#include "oidc_fixture.hpp"

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

// What chatd's callback handler would see: the provider's redirect and the binding cookie.
callback_params callback_of(const login_start& start, const provider_redirect& back) {
  return parse_callback(back.url.substr(back.url.find('?') + 1),
                        std::string(k_binding_cookie) + "=" + start.browser_binding);
}

// begin_login -> the provider's login -> complete_login.
result<completed_login> browser_login(relying_party& rp, const std::string& login_hint,
                                      login_purpose purpose = login_purpose::sign_in,
                                      std::optional<chat::user_id> link_user = std::nullopt) {
  auto start = rp.begin_login("test", purpose, link_user, login_hint);
  INFO(start.error().message());
  REQUIRE(start.ok());
  auto back = drive_login(start->authorization_url);
  CHECK(back.query.at("state") == start->state);
  return rp.complete_login(callback_of(*start, back));
}

}  // namespace

TEST_CASE("code_flow_signs_up_then_signs_in_again_with_the_same_name", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto engine = memory_engine();
  accounts acc(*engine);
  const std::string who = unique("alice");

  auto start = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, who);
  REQUIRE(start.ok());
  const std::string& url = start->authorization_url;
  CHECK(url.rfind(issuer() + "/auth?", 0) == 0);
  for (const char* part : {"response_type=code", "client_id=chat-web",
                           "code_challenge=", "code_challenge_method=S256", "nonce=", "state="})
    CHECK(url.find(part) != std::string::npos);
  CHECK(start->state.size() >= 43);
  CHECK(start->browser_binding.size() >= 43);

  auto back = drive_login(url);
  auto login = b.rp->complete_login(callback_of(*start, back));
  INFO(login.error().message());
  REQUIRE(login.ok());
  CHECK(login->purpose == login_purpose::sign_in);
  CHECK(login->identity.issuer == issuer());
  CHECK(login->identity.subject == who);
  CHECK(login->identity.email == who + "@example.test");
  CHECK(login->identity.email_verified);
  CHECK(login->identity.name == "Test " + who);

  auto first = acc.sign_in(login->identity);
  REQUIRE(first.ok());
  REQUIRE(first->signup);
  auto created = acc.complete_signup(first->signup->ticket, "alice_oidc");
  REQUIRE(created.ok());
  CHECK(engine->logout(created->token).ok());  // sign out

  auto again = browser_login(*b.rp, who);
  REQUIRE(again.ok());
  auto returning = acc.sign_in(again->identity);
  REQUIRE(returning.ok());
  REQUIRE(returning->session);
  CHECK(returning->session->account.id == created->account.id);
  CHECK(returning->session->account.username == "alice_oidc");
  CHECK(b.http->count("/token") == 2);
}

TEST_CASE("code_flow_with_client_secret_basic_and_es256_id_tokens", "[oidc][provider]") {
  auto b = make_rp({test_provider_config(web_basic_client())});
  auto login = browser_login(*b.rp, unique("basic"));
  INFO(login.error().message());
  REQUIRE(login.ok());
  CHECK(login->identity.email_verified);
}

TEST_CASE("a_replayed_state_is_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto start = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("r"));
  REQUIRE(start.ok());
  auto cb = callback_of(*start, drive_login(start->authorization_url));
  REQUIRE(b.rp->complete_login(cb).ok());
  auto replay = b.rp->complete_login(cb);
  CHECK(replay.code() == errc::replayed_state);
  CHECK(b.http->count("/token") == 1);  // the replay never reached the token endpoint
}

TEST_CASE("unknown_expired_and_foreign_browser_states_are_refused", "[oidc][provider]") {
  relying_party_options options;
  options.login_ttl = std::chrono::seconds(120);
  auto b = make_rp({test_provider_config()}, options);

  callback_params made_up;
  made_up.state = "made-up";
  made_up.code = "x";
  CHECK(b.rp->complete_login(made_up).code() == errc::invalid_state);
  CHECK(b.rp->complete_login({}).code() == errc::invalid_state);

  auto start = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("e"));
  REQUIRE(start.ok());
  auto cb = callback_of(*start, drive_login(start->authorization_url));
  b.clock.advance(std::chrono::seconds(121));
  CHECK(b.rp->complete_login(cb).code() == errc::invalid_state);

  auto other = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("f"));
  REQUIRE(other.ok());
  auto foreign = callback_of(*other, drive_login(other->authorization_url));
  foreign.browser_binding = "another browser's cookie";
  CHECK(b.rp->complete_login(foreign).code() == errc::invalid_state);
  foreign.browser_binding = other->browser_binding;  // used up by the failed attempt
  CHECK(b.rp->complete_login(foreign).code() == errc::replayed_state);
  CHECK(b.http->count("/token") == 0);
}

TEST_CASE("callback_errors_and_foreign_issuers_are_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto start = b.rp->begin_login("test", login_purpose::sign_in);
  REQUIRE(start.ok());
  callback_params cancelled;
  cancelled.state = start->state;
  cancelled.error = "access_denied";
  cancelled.browser_binding = start->browser_binding;
  CHECK(b.rp->complete_login(cancelled).code() == errc::login_denied);

  auto mixup = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("m"));
  REQUIRE(mixup.ok());
  auto cb = callback_of(*mixup, drive_login(mixup->authorization_url));
  CHECK(cb.iss == issuer());
  cb.iss = "https://evil.example";
  CHECK(b.rp->complete_login(cb).code() == errc::wrong_issuer);
}

TEST_CASE("a_code_from_another_login_fails_the_exchange", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto victim = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("v"));
  auto attacker = b.rp->begin_login("test", login_purpose::sign_in, std::nullopt, unique("a"));
  REQUIRE(victim.ok());
  REQUIRE(attacker.ok());
  auto attacker_cb = callback_of(*attacker, drive_login(attacker->authorization_url));
  // The attacker's code injected into the victim's login: PKCE makes the provider refuse it.
  callback_params injected;
  injected.state = victim->state;
  injected.code = attacker_cb.code;
  injected.browser_binding = victim->browser_binding;
  auto refused = b.rp->complete_login(injected);
  INFO(refused.error().message());
  CHECK(refused.code() == errc::token_exchange_failed);
}

TEST_CASE("unverified_email_is_refused_when_required", "[oidc][provider]") {
  auto strict = make_rp({test_provider_config()});
  auto refused = browser_login(*strict.rp, unique("unverified-carol"));
  CHECK(refused.code() == errc::email_not_verified);

  auto config = test_provider_config();
  config.require_verified_email = false;
  auto lenient = make_rp({config});
  auto accepted = browser_login(*lenient.rp, unique("unverified-dave"));
  REQUIRE(accepted.ok());
  CHECK_FALSE(accepted->identity.email_verified);
}

TEST_CASE("a_signed_in_user_links_and_unlinks_a_provider", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto engine = memory_engine();
  accounts acc(*engine);
  auto bob = engine->register_user({"bob", "correct horse battery", {}, {}});
  REQUIRE(bob.ok());
  const std::string who = unique("bob");

  CHECK(b.rp->begin_login("test", login_purpose::link).code() == errc::internal);
  auto login = browser_login(*b.rp, who, login_purpose::link, bob->id);
  REQUIRE(login.ok());
  REQUIRE(login->purpose == login_purpose::link);
  REQUIRE(login->link_user == bob->id);
  REQUIRE(acc.link(*login->link_user, login->identity).ok());

  auto signed_in = acc.sign_in(browser_login(*b.rp, who).value().identity);
  REQUIRE(signed_in.ok());
  REQUIRE(signed_in->session);
  CHECK(signed_in->session->account.username == "bob");

  CHECK(acc.unlink(bob->id, issuer()).ok());
  auto after = acc.sign_in(browser_login(*b.rp, who).value().identity);
  REQUIRE(after.ok());
  CHECK(after->signup);
}

TEST_CASE("unknown_provider_is_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  CHECK(b.rp->begin_login("nope", login_purpose::sign_in).code() == errc::unknown_provider);
  CHECK(b.rp->verify_native_id_token("nope", "a.b.c").code() == errc::unknown_provider);
}
