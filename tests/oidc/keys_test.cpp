// Discovery and JWKS over the network: key rotation, unreachable providers, garbage answers,
// TLS verification and the test-only loopback-http allowance. Uses the static issuers of the
// test server, whose documents each test sets.
#include <thread>

#include "oidc_fixture.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

namespace {

json claims_for(const std::string& iss) {
  auto c = standard_claims("chat-web");
  c["iss"] = iss;
  return c;
}

void put_jwks(const std::string& name, const std::vector<json>& keys) {
  put_static(name, "jwks", json{{"keys", keys}}.dump());
}

errc verify(relying_party& rp, const std::string& token) {
  auto r = rp.verify_id_token("static", token, {"chat-web"}, std::nullopt);
  if (!r) UNSCOPED_INFO(r.error().message());
  return r.code();
}

}  // namespace

TEST_CASE("key_rotation_is_picked_up_with_one_refresh", "[oidc][provider]") {
  const std::string name = unique("rot");
  put_static_discovery(name);
  auto old_key = generate_rsa_key();
  auto new_key = generate_p256_key();
  put_jwks(name, {public_jwk(old_key, "2024")});
  auto b = make_rp({static_provider_config(name)});
  auto claims = claims_for(static_issuer(name));
  claims["exp"] = claims["iat"].get<std::int64_t>() + 4 * 3600;  // outlives the clock jumps
  const std::string old_token = sign_jwt({{"alg", "RS256"}, {"kid", "2024"}}, claims, old_key);
  const std::string new_token = sign_jwt({{"alg", "ES256"}, {"kid", "2025"}}, claims, new_key);

  CHECK(verify(*b.rp, old_token) == errc::ok);
  CHECK(b.http->count("/jwks") == 1);
  CHECK(verify(*b.rp, new_token) == errc::unknown_key);  // not published yet: one refresh
  CHECK(b.http->count("/jwks") == 2);

  put_jwks(name, {public_jwk(new_key, "2025"), public_jwk(old_key, "2024")});  // rotation
  CHECK(verify(*b.rp, new_token) == errc::unknown_key);                        // still rate-limited
  CHECK(b.http->count("/jwks") == 2);
  b.clock.advance(std::chrono::seconds(61));
  CHECK(verify(*b.rp, new_token) == errc::ok);  // unknown kid -> one refresh -> found
  CHECK(b.http->count("/jwks") == 3);
  CHECK(verify(*b.rp, new_token) == errc::ok);
  CHECK(verify(*b.rp, old_token) == errc::ok);
  CHECK(b.http->count("/jwks") == 3);  // cached

  put_jwks(name, {public_jwk(new_key, "2025")});  // the old key is retired
  b.clock.advance(std::chrono::hours(2));         // the cache ages out
  CHECK(verify(*b.rp, old_token) == errc::unknown_key);
  CHECK(verify(*b.rp, new_token) == errc::ok);
}

TEST_CASE("concurrent_unknown_kids_share_one_refresh", "[oidc][provider]") {
  const std::string name = unique("conc");
  put_static_discovery(name);
  auto first = generate_p256_key();
  auto second = generate_p256_key();
  put_jwks(name, {public_jwk(first, "one")});
  auto b = make_rp({static_provider_config(name)});
  const auto claims = claims_for(static_issuer(name));
  REQUIRE(verify(*b.rp, sign_jwt({{"alg", "ES256"}, {"kid", "one"}}, claims, first)) == errc::ok);
  put_jwks(name, {public_jwk(first, "one"), public_jwk(second, "two")});
  const std::string token = sign_jwt({{"alg", "ES256"}, {"kid", "two"}}, claims, second);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { ok += verify(*b.rp, token) == errc::ok; });
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 8);
  CHECK(b.http->count("/jwks") == 2);
}

TEST_CASE("an_unreachable_provider_is_reported", "[oidc][provider]") {
  auto config = test_provider_config();
  config.issuer = "https://127.0.0.1:1";  // nothing listens there
  auto b = make_rp({config});
  CHECK(b.rp->begin_login("test", login_purpose::sign_in).code() == errc::provider_unreachable);
  auto token = sign_jwt({{"alg", "ES256"}}, standard_claims("chat-web"), generate_p256_key());
  CHECK(b.rp->verify_native_id_token("test", token).code() == errc::provider_unreachable);
}

TEST_CASE("tls_is_verified", "[oidc][provider]") {
  // Without the test CA the provider's certificate is not trusted.
  provider_registry registry;
  REQUIRE(registry.add(test_provider_config()).ok());
  relying_party rp(std::move(registry), make_curl_http_client({}));
  auto start = rp.begin_login("test", login_purpose::sign_in);
  CHECK(start.code() == errc::provider_unreachable);
  CHECK(start.error().message().find("certificate") != std::string::npos);
}

TEST_CASE("a_slow_provider_times_out", "[oidc][provider]") {
  const std::string name = unique("slow");
  put_static(name, ".well-known/openid-configuration", "{}", 200, 5000);
  auto b = make_rp({static_provider_config(name)});  // total timeout 3 s
  CHECK(b.rp->begin_login("static", login_purpose::sign_in).code() == errc::provider_unreachable);
}

TEST_CASE("garbage_discovery_documents_are_refused", "[oidc][provider]") {
  auto attempt = [](const std::string& body, int status = 200) {
    const std::string name = unique("disc");
    put_static(name, ".well-known/openid-configuration", body, status, 0, "text/html");
    auto b = make_rp({static_provider_config(name)});
    auto r = b.rp->begin_login("static", login_purpose::sign_in);
    UNSCOPED_INFO(r.error().message());
    return r.code();
  };
  CHECK(attempt("<html>hello</html>") == errc::bad_provider_response);
  CHECK(attempt("[1,2,3]") == errc::bad_provider_response);
  CHECK(attempt("{}", 500) == errc::bad_provider_response);
  CHECK(attempt(std::string(2 * 1024 * 1024, ' ')) == errc::bad_provider_response);  // too large
  json mismatched = {{"issuer", "https://accounts.google.com"},
                     {"authorization_endpoint", "https://a.example/auth"},
                     {"token_endpoint", "https://a.example/token"},
                     {"jwks_uri", "https://a.example/jwks"}};
  CHECK(attempt(mismatched.dump()) == errc::bad_provider_response);

  const std::string name = unique("disc");
  const std::string iss = static_issuer(name);
  json plain_http = {{"issuer", iss},
                     {"authorization_endpoint", iss + "/auth"},
                     {"token_endpoint", "http://127.0.0.1:1/token"},
                     {"jwks_uri", iss + "/jwks"}};
  put_static(name, ".well-known/openid-configuration", plain_http.dump());
  auto b = make_rp({static_provider_config(name)});
  CHECK(b.rp->begin_login("static", login_purpose::sign_in).code() == errc::bad_provider_response);
  json missing = {{"issuer", iss}, {"authorization_endpoint", iss + "/auth"}};
  const std::string name2 = unique("disc");
  missing["issuer"] = static_issuer(name2);
  put_static(name2, ".well-known/openid-configuration", missing.dump());
  auto b2 = make_rp({static_provider_config(name2)});
  CHECK(b2.rp->begin_login("static", login_purpose::sign_in).code() == errc::bad_provider_response);
}

TEST_CASE("garbage_key_sets_are_refused", "[oidc][provider]") {
  auto attempt = [](const std::string& body, int status = 200) {
    const std::string name = unique("jwks");
    put_static_discovery(name);
    put_static(name, "jwks", body, status);
    auto b = make_rp({static_provider_config(name)});
    auto token = sign_jwt({{"alg", "RS256"}, {"kid", "k"}}, claims_for(static_issuer(name)),
                          generate_rsa_key());
    return verify(*b.rp, token);
  };
  CHECK(attempt("not json at all") == errc::bad_provider_response);
  CHECK(attempt(R"({"keys": "none"})") == errc::bad_provider_response);
  CHECK(attempt(R"({"keys": []})", 503) == errc::bad_provider_response);
  CHECK(attempt(std::string(3 * 1024 * 1024, '{')) == errc::bad_provider_response);
  CHECK(attempt(R"({"keys": [{"kty": "RSA", "kid": "k", "n": "!!", "e": "AQAB"}]})") ==
        errc::unknown_key);  // the broken key is skipped
}

TEST_CASE("garbage_token_endpoint_answers_are_refused", "[oidc][provider]") {
  auto attempt = [](const std::string& body, int status) {
    const std::string name = unique("tok");
    put_static_discovery(name);
    put_static(name, "token", body, status);
    auto b = make_rp({static_provider_config(name)});
    auto start = b.rp->begin_login("static", login_purpose::sign_in);
    REQUIRE(start.ok());
    callback_params cb;
    cb.state = start->state;
    cb.code = "some-code";
    cb.browser_binding = start->browser_binding;
    auto r = b.rp->complete_login(cb);
    UNSCOPED_INFO(r.error().message());
    return r.code();
  };
  CHECK(attempt("<html>", 200) == errc::bad_provider_response);
  CHECK(attempt(R"({"access_token": "x"})", 200) == errc::bad_provider_response);
  CHECK(attempt(R"({"id_token": 5})", 200) == errc::bad_provider_response);
  CHECK(attempt(R"({"error": "invalid_grant"})", 400) == errc::token_exchange_failed);
  CHECK(attempt("oops", 502) == errc::bad_provider_response);
  CHECK(attempt(R"({"id_token": "not.a.jwt"})", 200) == errc::malformed_token);
}

TEST_CASE("loopback_http_is_only_allowed_explicitly_for_tests", "[oidc][provider]") {
  const std::string name = unique("plain");
  put_static_discovery(name, http_base());  // served by the plain-http listener
  provider_config config = test_provider_config();
  config.id = "plain";
  config.issuer = http_base() + "/static/" + name;

  provider_registry refusing;
  CHECK(refusing.add(config).code() == errc::invalid_config);  // off by default

  config.allow_insecure_loopback_http_for_tests = true;
  provider_registry registry;
  REQUIRE(registry.add(config).ok());
  // The HTTP client must allow it too.
  relying_party strict(registry, make_curl_http_client(test_http_options()));
  CHECK(strict.begin_login("plain", login_purpose::sign_in).code() == errc::invalid_config);
  auto options = test_http_options();
  options.allow_insecure_loopback_http_for_tests = true;
  relying_party testing(registry, make_curl_http_client(options));
  auto start = testing.begin_login("plain", login_purpose::sign_in);
  INFO(start.error().message());
  CHECK(start.ok());
}
