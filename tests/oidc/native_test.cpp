// ID tokens of native apps (platform sign-in SDKs), issued by the real provider.
#include "oidc_fixture.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

namespace {
provider_config native_config() {
  auto c = test_provider_config();
  c.native_client_ids = {"chat-android"};
  return c;
}
}  // namespace

TEST_CASE("native_id_tokens_from_the_provider_verify", "[oidc][provider]") {
  auto b = make_rp({native_config()});
  const std::string who = unique("nat");
  auto rs = b.rp->verify_native_id_token("test", provider_id_token(android_client(), who));
  INFO(rs.error().message());
  REQUIRE(rs.ok());
  CHECK(rs->subject == who);
  CHECK(rs->issuer == issuer());
  CHECK(rs->provider == "test");
  // The web client's own tokens are fine too, ES256 ones included.
  auto es = b.rp->verify_native_id_token("test", provider_id_token(web_client(), who));
  CHECK(es.ok());
  auto basic = make_rp({test_provider_config(web_basic_client())});
  auto es256 = basic.rp->verify_native_id_token("test", provider_id_token(web_basic_client(), who));
  INFO(es256.error().message());
  CHECK(es256.ok());
}

TEST_CASE("native_tokens_of_another_app_are_refused", "[oidc][provider]") {
  auto b = make_rp({native_config()});
  auto other = b.rp->verify_native_id_token("test", provider_id_token(other_client(), "x"));
  CHECK(other.code() == errc::wrong_audience);
  // Without native_client_ids the Android app's tokens are someone else's, too.
  auto web_only = make_rp({test_provider_config()});
  CHECK(web_only.rp->verify_native_id_token("test", provider_id_token(android_client(), "y"))
            .code() == errc::wrong_audience);
}

TEST_CASE("native_tokens_expire_and_must_not_come_from_the_future", "[oidc][provider]") {
  auto b = make_rp({native_config()});
  const std::string token = provider_id_token(android_client(), unique("t"));
  REQUIRE(b.rp->verify_native_id_token("test", token).ok());
  b.clock.advance(std::chrono::hours(2));  // the provider's ID tokens live one hour
  CHECK(b.rp->verify_native_id_token("test", token).code() == errc::token_expired);
  b.clock.advance(-std::chrono::hours(2) - std::chrono::minutes(10));
  CHECK(b.rp->verify_native_id_token("test", token).code() == errc::token_not_yet_valid);
}

TEST_CASE("native_nonces_are_single_use", "[oidc][provider]") {
  auto b = make_rp({native_config()});
  auto nonce = b.rp->issue_native_nonce();
  REQUIRE(nonce.ok());
  const std::string who = unique("n");
  const std::string token = provider_id_token(android_client(), who, *nonce);
  auto first = b.rp->verify_native_id_token("test", token, *nonce);
  INFO(first.error().message());
  REQUIRE(first.ok());
  CHECK(b.rp->verify_native_id_token("test", token, *nonce).code() == errc::replayed_nonce);

  // A token carrying another nonce than the one presented.
  auto fresh = b.rp->issue_native_nonce();
  REQUIRE(fresh.ok());
  CHECK(b.rp->verify_native_id_token("test", token, *fresh).code() == errc::nonce_mismatch);
  // A nonce this server never issued.
  CHECK(b.rp->verify_native_id_token("test", token, "forged-nonce").code() == errc::nonce_mismatch);
  // Nonce-less native sign-in stays possible (not every platform SDK sets one).
  CHECK(b.rp->verify_native_id_token("test", provider_id_token(android_client(), who)).ok());
}

TEST_CASE("native_tokens_of_unverified_emails_are_refused", "[oidc][provider]") {
  auto b = make_rp({native_config()});
  auto token = provider_id_token(android_client(), unique("unverified-erin"));
  CHECK(b.rp->verify_native_id_token("test", token).code() == errc::email_not_verified);
}

TEST_CASE("provider_tokens_are_refused_for_another_issuer", "[oidc][provider]") {
  // A second configured issuer that shares the real provider's keys: the signature is good,
  // the issuer is not.
  const std::string name = unique("sameKeys");
  json doc = {{"issuer", static_issuer(name)},
              {"authorization_endpoint", issuer() + "/auth"},
              {"token_endpoint", issuer() + "/token"},
              {"jwks_uri", issuer() + "/jwks"}};
  put_static(name, ".well-known/openid-configuration", doc.dump());
  auto config = static_provider_config(name);
  config.native_client_ids = {"chat-android"};
  auto b = make_rp({config});
  auto token = provider_id_token(android_client(), unique("i"));
  CHECK(b.rp->verify_native_id_token("static", token).code() == errc::wrong_issuer);
}
