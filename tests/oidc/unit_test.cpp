// chat_oidc pieces that need no provider: encodings, settings, JWKS parsing, signatures,
// single-use stores and the identity -> account mapping.
#include "crypto.hpp"
#include "encoding.hpp"
#include "oidc_fixture.hpp"
#include "single_use_store.hpp"

using namespace chat::oidc;
using namespace chat::oidc::test;

TEST_CASE("base64url_decoder_is_strict", "[oidc][unit]") {
  CHECK(detail::base64url_encode("any carnal pleas") == "YW55IGNhcm5hbCBwbGVhcw");
  CHECK(detail::base64url_decode("YW55IGNhcm5hbCBwbGVhcw") == std::string("any carnal pleas"));
  CHECK(detail::base64url_decode("_-8") == std::string("\xff\xef", 2));
  CHECK_FALSE(detail::base64url_decode("YW55IGNhcm5hbCBwbGVhcw=="));  // padding
  CHECK_FALSE(detail::base64url_decode("+/8"));                       // standard alphabet
  CHECK_FALSE(detail::base64url_decode("YW5 5"));                     // whitespace
  CHECK_FALSE(detail::base64url_decode("YWJ"));  // non-zero leftover bits: not canonical
  CHECK_FALSE(detail::base64url_decode("Y"));    // impossible length
  for (int n = 0; n < 70; ++n) {
    std::string bytes;
    for (int i = 0; i < n; ++i) bytes += char(i * 37 + n);
    CHECK(detail::base64url_decode(detail::base64url_encode(bytes)) == bytes);
  }
}

TEST_CASE("loopback_http_is_only_ip_literals", "[oidc][unit]") {
  CHECK(is_loopback_http_url("http://127.0.0.1:8080/x"));
  CHECK(is_loopback_http_url("http://127.5.6.7/"));
  CHECK(is_loopback_http_url("http://[::1]:9/"));
  CHECK_FALSE(is_loopback_http_url("http://localhost/"));
  CHECK_FALSE(is_loopback_http_url("http://127.0.0.1.evil.example/"));
  CHECK_FALSE(is_loopback_http_url("http://10.0.0.1/"));
  CHECK_FALSE(is_loopback_http_url("https://127.0.0.1/"));
  CHECK(is_allowed_url("https://accounts.google.com/x", false));
  CHECK_FALSE(is_allowed_url("http://127.0.0.1/x", false));
  CHECK(is_allowed_url("http://127.0.0.1/x", true));
  CHECK_FALSE(is_allowed_url("http://example.com/x", true));
  CHECK_FALSE(is_allowed_url("ftp://example.com/x", true));
}

namespace {
provider_config google() {
  provider_config c;
  c.id = "google";
  c.display_name = "Google";
  c.issuer = "https://accounts.google.com";
  c.client_id = "123.apps.googleusercontent.com";
  c.client_secret = "secret";
  c.redirect_uri = "https://chat.example.com/v1/auth/oidc/google/callback";
  return c;
}
}  // namespace

TEST_CASE("provider_settings_are_validated", "[oidc][unit]") {
  CHECK(validate(google()).ok());
  auto broken = [](auto change) {
    provider_config c = google();
    change(c);
    return validate(c).code();
  };
  CHECK(broken([](auto& c) { c.issuer = "http://accounts.google.com"; }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.issuer = "http://127.0.0.1:9000"; }) == errc::invalid_config);
  CHECK(broken([](auto& c) {
          c.issuer = "http://example.com";
          c.allow_insecure_loopback_http_for_tests = true;
        }) == errc::invalid_config);
  CHECK(broken([](auto& c) {
          c.issuer = "http://127.0.0.1:9000";
          c.allow_insecure_loopback_http_for_tests = true;
        }) == errc::ok);
  CHECK(broken([](auto& c) { c.id = "Google!"; }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.client_id.clear(); }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.client_secret.clear(); }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.scopes = {"email"}; }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.redirect_uri = "http://chat.example.com/cb"; }) ==
        errc::invalid_config);
  CHECK(broken([](auto& c) { c.redirect_uri = "http://localhost:8080/cb"; }) == errc::ok);
  CHECK(broken([](auto& c) { c.authorization_params["state"] = "x"; }) == errc::invalid_config);
  CHECK(broken([](auto& c) { c.authorization_params["prompt"] = "select_account"; }) == errc::ok);

  provider_registry registry;
  CHECK(registry.add(google()).ok());
  const provider_config* first = registry.find("google");
  auto twin = google();
  twin.id = "google2";
  CHECK(registry.add(twin).code() == errc::invalid_config);  // same issuer twice
  auto other = google();
  other.id = "other";
  other.issuer = "https://login.example.com";
  CHECK(registry.add(other).ok());
  CHECK(registry.find("google") == first);  // stable across add()
  CHECK(registry.find_by_issuer("https://login.example.com")->id == "other");
  CHECK(registry.find("nope") == nullptr);
}

TEST_CASE("http_client_refuses_plain_http_unless_loopback_allowance", "[oidc][unit]") {
  auto strict = make_curl_http_client({});
  CHECK(strict->send({"GET", "http://127.0.0.1:1/x", {}, {}}).code() == errc::invalid_config);
  CHECK(strict->send({"GET", "file:///etc/passwd", {}, {}}).code() == errc::invalid_config);
  curl_http_options loose;
  loose.allow_insecure_loopback_http_for_tests = true;
  auto testing = make_curl_http_client(loose);
  CHECK(testing->send({"GET", "http://192.0.2.1/x", {}, {}}).code() == errc::invalid_config);
  // Loopback http is allowed; nothing listens on port 1, so it is unreachable.
  CHECK(testing->send({"GET", "http://127.0.0.1:1/x", {}, {}}).code() ==
        errc::provider_unreachable);
}

TEST_CASE("config_file_parses_and_rejects_typos", "[oidc][unit]") {
  ::setenv("CHAT_TEST_OIDC_SECRET", "from-env", 1);
  const std::string text = R"({
    "clock_skew_seconds": 30,
    "http": {"ca_file": "/tmp/ca.pem", "timeout_ms": 4000},
    "providers": [
      {"id": "google", "display_name": "Google", "issuer": "https://accounts.google.com",
       "issuer_aliases": ["accounts.google.com"],
       "client_id": "123.apps.googleusercontent.com", "client_secret_env": "CHAT_TEST_OIDC_SECRET",
       "redirect_uri": "https://chat.example.com/v1/auth/oidc/google/callback",
       "native_client_ids": ["456.apps.googleusercontent.com"],
       "authorization_params": {"prompt": "select_account"}},
      {"id": "corp", "issuer": "https://login.corp.example", "client_id": "chat",
       "client_secret": "s", "token_endpoint_auth": "client_secret_basic",
       "scopes": ["openid", "email"], "require_verified_email": false,
       "redirect_uri": "https://chat.example.com/v1/auth/oidc/corp/callback"}
    ]})";
  auto parsed = parse_config(text);
  INFO(parsed.error().message());
  REQUIRE(parsed.ok());
  CHECK(parsed->relying_party.clock_skew == std::chrono::seconds(30));
  CHECK(parsed->http.ca_file == "/tmp/ca.pem");
  CHECK(parsed->http.total_timeout == std::chrono::milliseconds(4000));
  REQUIRE(parsed->providers.size() == 2);
  CHECK(parsed->providers[0].client_secret == "from-env");
  CHECK(parsed->providers[0].native_client_ids.size() == 1);
  CHECK(parsed->providers[0].issuer_aliases == std::vector<std::string>{"accounts.google.com"});
  CHECK(parsed->providers[0].authorization_params.at("prompt") == "select_account");
  CHECK(parsed->providers[1].display_name == "corp");
  CHECK(parsed->providers[1].token_endpoint_auth == client_auth_method::client_secret_basic);
  CHECK_FALSE(parsed->providers[1].require_verified_email);

  CHECK(parse_config("nope").code() == errc::invalid_config);
  CHECK(parse_config(R"({"providers": [], "clock_skew": 5})").code() == errc::invalid_config);
  CHECK(parse_config(R"({"providers": [], "clock_skew_seconds": 3600})").code() ==
        errc::invalid_config);
  auto typo = parse_config(R"({"providers": [{"id": "x", "issuer": "https://x.example",
      "client_id": "a", "client_secret": "b", "redirect_uri": "https://c.example/cb",
      "require_verifed_email": false}]})");
  CHECK(typo.code() == errc::invalid_config);
  CHECK(typo.error().message().find("require_verifed_email") != std::string::npos);
  CHECK(parse_config(R"({"providers": [{"id": "x", "issuer": "https://x.example",
      "client_id": "a", "client_secret_env": "CHAT_TEST_OIDC_UNSET_VARIABLE",
      "redirect_uri": "https://c.example/cb"}]})")
            .code() == errc::invalid_config);
  CHECK(load_config("/nonexistent/oidc.json").code() == errc::invalid_config);
}

TEST_CASE("jwks_parsing_keeps_only_usable_signing_keys", "[oidc][unit]") {
  auto rsa = generate_rsa_key();
  auto ec = generate_p256_key();
  auto weak = generate_rsa_key(1024);
  json enc = public_jwk(rsa, "enc");
  enc["use"] = "enc";
  json off_curve = public_jwk(ec, "bad-point");
  off_curve["y"] = detail::base64url_encode(std::string(32, '\x01'));
  json hs = {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}};
  json mislabeled = public_jwk(ec, "ec-as-rs");
  mislabeled["alg"] = "RS256";
  json doc = {{"keys",
               {public_jwk(rsa, "r"), public_jwk(ec, "e"), enc, off_curve, hs,
                public_jwk(weak, "weak"), mislabeled, 42}}};
  auto set = detail::parse_jwks(doc.dump());
  REQUIRE(set.ok());
  REQUIRE(set->keys.size() == 2);
  CHECK(set->keys[0].kid == "r");
  CHECK(set->keys[0].family == detail::jws_alg::rs256);
  CHECK(set->keys[1].kid == "e");
  CHECK(set->keys[1].family == detail::jws_alg::es256);
  CHECK(set->skipped == 6);

  CHECK(detail::parse_jwks("<html>").code() == errc::bad_provider_response);
  CHECK(detail::parse_jwks("[]").code() == errc::bad_provider_response);
  CHECK(detail::parse_jwks(R"({"keys": {}})").code() == errc::bad_provider_response);
  CHECK(detail::parse_jwks(R"({"keys": []})").ok());
}

TEST_CASE("signatures_verify_only_with_the_right_key_and_alg", "[oidc][unit]") {
  auto rsa = generate_rsa_key();
  auto ec = generate_p256_key();
  auto other_ec = generate_p256_key();
  auto keys = detail::parse_jwks(
      json{{"keys", {public_jwk(rsa, "r"), public_jwk(ec, "e"), public_jwk(other_ec, "o")}}}
          .dump());
  REQUIRE(keys.ok());
  auto* rsa_pub = keys->keys[0].key.get();
  auto* ec_pub = keys->keys[1].key.get();
  auto* other_pub = keys->keys[2].key.get();

  const std::string rs = sign_jwt({{"alg", "RS256"}}, {{"sub", "a"}}, rsa);
  const std::string es = sign_jwt({{"alg", "ES256"}}, {{"sub", "a"}}, ec);
  auto split = [](const std::string& token) {
    auto dot = token.rfind('.');
    return std::pair{token.substr(0, dot), *detail::base64url_decode(token.substr(dot + 1))};
  };
  auto [rs_input, rs_sig] = split(rs);
  auto [es_input, es_sig] = split(es);
  CHECK(es_sig.size() == 64);
  CHECK(detail::verify_signature(detail::jws_alg::rs256, rsa_pub, rs_input, rs_sig));
  CHECK(detail::verify_signature(detail::jws_alg::es256, ec_pub, es_input, es_sig));
  CHECK_FALSE(detail::verify_signature(detail::jws_alg::es256, other_pub, es_input, es_sig));
  CHECK_FALSE(detail::verify_signature(detail::jws_alg::rs256, rsa_pub, rs_input + "x", rs_sig));
  CHECK_FALSE(detail::verify_signature(detail::jws_alg::es256, rsa_pub, rs_input, rs_sig));
  CHECK_FALSE(detail::verify_signature(detail::jws_alg::rs256, ec_pub, es_input, es_sig));
  CHECK_FALSE(
      detail::verify_signature(detail::jws_alg::es256, ec_pub, es_input, es_sig.substr(0, 63)));
  std::string flipped = es_sig;
  flipped[40] ^= 1;
  CHECK_FALSE(detail::verify_signature(detail::jws_alg::es256, ec_pub, es_input, flipped));
}

TEST_CASE("single_use_store_refuses_replays", "[oidc][unit]") {
  detail::single_use_store<int> store(3, 3);
  REQUIRE(store.put("a", 1, 0, 1000, "x").ok());
  auto first = store.take("a", 10);
  CHECK(first.first == detail::take_status::ok);
  CHECK(first.second == 1);
  CHECK(store.take("a", 20).first == detail::take_status::replayed);
  CHECK(store.take("zz", 20).first == detail::take_status::unknown);
  REQUIRE(store.put("b", 2, 30, 1030, "x").ok());
  CHECK(store.take("b", 1030).first == detail::take_status::expired);
  // Taken and expired entries still count until they expire; full: refused
  // (pending_limits_test.cpp has the flood tests).
  CHECK(store.put("c", 3, 40, 1040, "y").ok());
  CHECK(store.put("d", 4, 41, 1041, "y").code() == errc::unavailable);
}

TEST_CASE("web_helpers_parse_callbacks_and_make_binding_cookies", "[oidc][unit]") {
  auto cb = parse_callback("code=abc%2Bd&state=s1&iss=https%3A%2F%2Fidp.example&x=1",
                           "chat_session=t; chat_oidc_binding=b1; other=2");
  CHECK(cb.code == "abc+d");
  CHECK(cb.state == "s1");
  CHECK(cb.iss == "https://idp.example");
  CHECK(cb.browser_binding == "b1");
  CHECK(cb.error.empty());
  auto denied = parse_callback("error=access_denied&error_description=user+said+no&state=s", "");
  CHECK(denied.error == "access_denied");
  CHECK(denied.error_description == "user said no");
  CHECK(denied.browser_binding.empty());
  CHECK(query_param("a=1&b=%zz&c", "b") == "%zz");
  CHECK(query_param("a=1&c", "c").empty());

  login_start start;
  start.browser_binding = "bind";
  start.expires_at = 600'000;
  const std::string cookie = binding_cookie(start, 0, true);
  CHECK(cookie.find("chat_oidc_binding=bind;") == 0);
  for (const char* part :
       {"HttpOnly", "SameSite=Lax", "Secure", "Max-Age=600", "Path=/v1/auth/oidc/"})
    CHECK(cookie.find(part) != std::string::npos);
  CHECK(binding_cookie(start, 0, false).find("Secure") == std::string::npos);
  CHECK(clear_binding_cookie(false).find("Max-Age=0") != std::string::npos);

  CHECK(http_status(status(errc::bad_signature, "")) == 401);
  CHECK(http_status(status(errc::provider_unreachable, "")) == 502);
  CHECK(http_status(status::from_engine({chat::errc::conflict, "taken"})) == 409);
  CHECK(http_status(status::from_engine({chat::errc::invalid_argument, "bad"})) == 400);
  for (int c = 0; c <= int(errc::internal); ++c)
    CHECK(std::string(to_string(errc(c))) != "unknown");
}
