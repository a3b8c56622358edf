// Every ID token failure, with tokens we sign ourselves: with the provider's real keys (to
// reach the claim checks) and with keys the provider never published (forgeries).
#include <thread>

#include "encoding.hpp"
#include "oidc_fixture.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

namespace {

struct signer {
  pkey_ptr rsa1 = load_private_key(key_file("rsa1"));
  pkey_ptr ec1 = load_private_key(key_file("ec1"));
  std::string rs(const json& claims, const std::string& kid = "rsa1") const {
    return sign_jwt({{"alg", "RS256"}, {"kid", kid}}, claims, rsa1);
  }
  std::string es(const json& claims) const {
    return sign_jwt({{"alg", "ES256"}, {"kid", "ec1"}}, claims, ec1);
  }
};

errc verify(relying_party& rp, const std::string& token,
            std::optional<std::string> nonce = std::nullopt) {
  auto r = rp.verify_id_token("test", token, {"chat-web"}, nonce);
  if (!r) UNSCOPED_INFO(r.error().message());
  return r.code();
}

}  // namespace

TEST_CASE("tokens_signed_with_the_providers_keys_verify", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  CHECK(verify(*b.rp, s.rs(standard_claims("chat-web"))) == errc::ok);
  CHECK(verify(*b.rp, s.es(standard_claims("chat-web"))) == errc::ok);
  auto no_kid = sign_jwt({{"alg", "ES256"}}, standard_claims("chat-web"), s.ec1);
  CHECK(verify(*b.rp, no_kid) == errc::ok);  // tried against every ES256 key
  CHECK(b.http->count("/jwks") == 1);
}

TEST_CASE("forged_signatures_are_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  auto fake_rsa = generate_rsa_key();
  auto fake_ec = generate_p256_key();
  auto claims = standard_claims("chat-web");
  CHECK(verify(*b.rp, sign_jwt({{"alg", "RS256"}, {"kid", "rsa1"}}, claims, fake_rsa)) ==
        errc::bad_signature);
  CHECK(verify(*b.rp, sign_jwt({{"alg", "ES256"}, {"kid", "ec1"}}, claims, fake_ec)) ==
        errc::bad_signature);
  CHECK(verify(*b.rp, sign_jwt({{"alg", "ES256"}}, claims, fake_ec)) == errc::bad_signature);

  // A real provider token with its payload changed (another subject).
  const std::string real = provider_id_token(web_client(), unique("victim"));
  const auto dot1 = real.find('.'), dot2 = real.rfind('.');
  auto payload = json::parse(*detail::base64url_decode(real.substr(dot1 + 1, dot2 - dot1 - 1)));
  payload["sub"] = "admin";
  const std::string altered =
      real.substr(0, dot1 + 1) + detail::base64url_encode(payload.dump()) + real.substr(dot2);
  CHECK(verify(*b.rp, real) == errc::ok);
  CHECK(verify(*b.rp, altered) == errc::bad_signature);
}

TEST_CASE("algorithm_confusion_is_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  auto claims = standard_claims("chat-web");
  CHECK(verify(*b.rp, sign_jwt({{"alg", "none"}, {"kid", "rsa1"}}, claims, nullptr)) ==
        errc::unsupported_algorithm);
  // HS256 keyed with the provider's public key: the classic confusion attack.
  CHECK(verify(*b.rp, sign_jwt({{"alg", "HS256"}, {"kid", "rsa1"}}, claims, nullptr,
                               "-----BEGIN PUBLIC KEY-----")) == errc::unsupported_algorithm);
  CHECK(verify(*b.rp, sign_jwt({{"alg", "PS256"}, {"kid", "rsa1"}}, claims, s.rsa1)) ==
        errc::unsupported_algorithm);
  CHECK(verify(*b.rp, sign_jwt({{"alg", "RS256"}, {"kid", "ec1"}}, claims, s.rsa1)) ==
        errc::unsupported_algorithm);  // alg must match the key
  CHECK(verify(*b.rp, sign_jwt({{"alg", "ES256"}, {"kid", "rsa1"}}, claims, s.ec1)) ==
        errc::unsupported_algorithm);
  CHECK(verify(*b.rp, sign_jwt({{"kid", "rsa1"}}, claims, s.rsa1)) == errc::malformed_token);
  CHECK(verify(*b.rp, sign_jwt({{"alg", "RS256"}, {"kid", "rsa1"}, {"crit", {"exp"}}}, claims,
                               s.rsa1)) == errc::malformed_token);
}

TEST_CASE("wrong_issuer_and_audience_are_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  auto claims = standard_claims("chat-web");
  claims["iss"] = "https://accounts.google.com";
  CHECK(verify(*b.rp, s.rs(claims)) == errc::wrong_issuer);
  claims["iss"] = issuer() + "/";
  CHECK(verify(*b.rp, s.rs(claims)) == errc::wrong_issuer);  // exact match only
  claims.erase("iss");
  CHECK(verify(*b.rp, s.rs(claims)) == errc::wrong_issuer);

  // Aliases (Google's "accounts.google.com") are accepted and mapped to the issuer.
  auto aliased = test_provider_config();
  aliased.issuer_aliases = {"127.0.0.1-alias"};
  auto with_alias = make_rp({aliased});
  auto alias_claims = standard_claims("chat-web");
  alias_claims["iss"] = "127.0.0.1-alias";
  auto mapped = with_alias.rp->verify_id_token("test", s.rs(alias_claims), {"chat-web"}, {});
  REQUIRE(mapped.ok());
  CHECK(mapped->issuer == issuer());
  CHECK(verify(*b.rp, s.rs(alias_claims)) == errc::wrong_issuer);  // not without the alias

  auto aud = standard_claims("other-app");
  CHECK(verify(*b.rp, s.rs(aud)) == errc::wrong_audience);
  aud["aud"] = json::array({"chat-web", "other-app"});  // an untrusted extra audience
  aud["azp"] = "chat-web";
  CHECK(verify(*b.rp, s.rs(aud)) == errc::wrong_audience);
  aud["aud"] = json::array({"chat-web"});
  CHECK(verify(*b.rp, s.rs(aud)) == errc::ok);
  aud["azp"] = "other-app";
  CHECK(verify(*b.rp, s.rs(aud)) == errc::wrong_audience);
  aud.erase("aud");
  aud.erase("azp");
  CHECK(verify(*b.rp, s.rs(aud)) == errc::wrong_audience);

  // Google's Android shape: aud is the web client, azp the Android app.
  auto android = standard_claims("chat-web");
  android["azp"] = "chat-android";
  CHECK(verify(*b.rp, s.rs(android)) == errc::wrong_audience);
  auto b2 = make_rp({[] {
    auto c = test_provider_config();
    c.native_client_ids = {"chat-android"};
    return c;
  }()});
  CHECK(b2.rp->verify_native_id_token("test", s.rs(android)).ok());
  auto two = standard_claims("chat-web");
  two["aud"] = json::array({"chat-web", "chat-android"});
  CHECK(b2.rp->verify_native_id_token("test", s.rs(two)).code() == errc::wrong_audience);
  two["azp"] = "chat-android";
  CHECK(b2.rp->verify_native_id_token("test", s.rs(two)).ok());
}

TEST_CASE("times_are_checked_with_a_60_second_skew", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  const std::int64_t now = b.clock.now->load() / 1000;
  auto at = [&](std::int64_t iat, std::int64_t exp, std::optional<std::int64_t> nbf = {}) {
    auto c = standard_claims("chat-web");
    c["iat"] = iat;
    c["exp"] = exp;
    if (nbf) c["nbf"] = *nbf;
    return verify(*b.rp, s.rs(c));
  };
  CHECK(at(now - 700, now - 100) == errc::token_expired);
  CHECK(at(now - 700, now - 30) == errc::ok);  // within the skew
  CHECK(at(now + 300, now + 900) == errc::token_not_yet_valid);
  CHECK(at(now + 30, now + 900) == errc::ok);
  CHECK(at(now, now + 900, now + 300) == errc::token_not_yet_valid);
  CHECK(at(now, now + 900, now + 30) == errc::ok);
  auto c = standard_claims("chat-web");
  c.erase("exp");
  CHECK(verify(*b.rp, s.rs(c)) == errc::malformed_token);
  c["exp"] = "tomorrow";
  CHECK(verify(*b.rp, s.rs(c)) == errc::malformed_token);
}

TEST_CASE("nonce_and_email_verification", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  auto c = standard_claims("chat-web");
  CHECK(verify(*b.rp, s.rs(c), std::string("expected")) == errc::nonce_mismatch);
  c["nonce"] = "other";
  CHECK(verify(*b.rp, s.rs(c), std::string("expected")) == errc::nonce_mismatch);
  c["nonce"] = "expected";
  CHECK(verify(*b.rp, s.rs(c), std::string("expected")) == errc::ok);

  auto e = standard_claims("chat-web");
  e["email_verified"] = false;
  CHECK(verify(*b.rp, s.rs(e)) == errc::email_not_verified);
  e["email_verified"] = "true";  // some providers send a string
  CHECK(verify(*b.rp, s.rs(e)) == errc::ok);
  e.erase("email");
  CHECK(verify(*b.rp, s.rs(e)) == errc::email_not_verified);
}

TEST_CASE("malformed_tokens_are_refused", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  const std::string good = s.rs(standard_claims("chat-web"));
  for (const std::string& bad :
       {std::string(), std::string("abc"), std::string("a.b"), good + ".x", std::string("..."),
        "e30." + good.substr(good.find('.') + 1),                   // header {} without alg
        "!!." + good.substr(good.find('.') + 1),                    // not base64url
        good.substr(0, good.find('.')) + ".bm90IGpzb24." + "c2ln",  // payload "not json"
        good.substr(0, good.rfind('.') + 1),                        // empty signature
        std::string(20000, 'a')}) {
    INFO(bad.substr(0, 80));
    CHECK(verify(*b.rp, bad) == errc::malformed_token);
  }
  auto no_sub = standard_claims("chat-web");
  no_sub.erase("sub");
  CHECK(verify(*b.rp, s.rs(no_sub)) == errc::malformed_token);
}

TEST_CASE("an_unknown_kid_triggers_exactly_one_rate_limited_refresh", "[oidc][provider]") {
  auto b = make_rp({test_provider_config()});
  signer s;
  REQUIRE(verify(*b.rp, s.rs(standard_claims("chat-web"))) == errc::ok);
  REQUIRE(b.http->count("/jwks") == 1);
  auto stranger = generate_rsa_key();
  const std::string token =
      sign_jwt({{"alg", "RS256"}, {"kid", "nobody"}}, standard_claims("chat-web"), stranger);
  CHECK(verify(*b.rp, token) == errc::unknown_key);
  CHECK(b.http->count("/jwks") == 2);  // one refresh
  CHECK(verify(*b.rp, token) == errc::unknown_key);
  CHECK(b.http->count("/jwks") == 2);  // rate-limited: no second refresh
  b.clock.advance(std::chrono::seconds(61));
  CHECK(verify(*b.rp, token) == errc::unknown_key);
  CHECK(b.http->count("/jwks") == 3);
  CHECK(b.rp->jwks_fetch_count("test") == 3);
}
