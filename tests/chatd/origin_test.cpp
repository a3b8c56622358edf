// The Origin checks of the HTTP API and of the WebSocket handshake (docs/protocol.md, "HTTP
// API" and "Authentication"; docs/security.md, "Host and Origin"), each way: the allowed
// origin passes; another scheme, host or port, the opaque origin `null`, a trailing slash or
// letters in another case (browsers send origins in lower case, RFC 6454) are refused; no
// Origin at all is a native client.
#include "http/origin.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "fixture.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace {

using chat::chatd::config;
using chat::chatd::http::handshake_origin;
using chat::chatd::http::judge_handshake_origin;
using chat::chatd::http::origin_allowed;
using chat::chatd::http::request;
using chat::chatd::http::response;
using nlohmann::json;

config load(std::vector<const char*> args) {
  args.insert(args.begin(), "chatd");
  auto out = chat::chatd::load_config(static_cast<int>(args.size()), args.data(),
                                      [](const char*) -> const char* { return nullptr; });
  REQUIRE(out.settings);
  return *out.settings;
}

// Origins a page of http://127.0.0.1:8080 is not: each differs from it in one way.
const std::vector<std::string> k_not_own_origin = {
    "https://127.0.0.1:8080",  // scheme
    "ws://127.0.0.1:8080",     // scheme
    "http://127.0.0.2:8080",   // host
    "http://localhost:8080",   // host (the same machine, another origin)
    "http://evil.example",     // host
    "http://127.0.0.1:8081",   // port
    "http://127.0.0.1",        // port (80)
    "null",                    // opaque: sandboxed frames, file: pages, some redirects
    "http://127.0.0.1:8080/",  // not an origin's serialisation
    "HTTP://127.0.0.1:8080",   // case
};

std::string header(const response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

request post(const std::string& path, const std::string& origin, const std::string& body = "") {
  request r;
  r.method = "POST";
  r.path = path;
  r.headers["host"] = "127.0.0.1:8080";
  if (!origin.empty()) r.headers["origin"] = origin;
  r.body = body;
  r.remote = "127.0.0.1:50000";
  return r;
}

}  // namespace

TEST_CASE("the_own_origin_is_scheme_and_host_exactly", "[http][origin]") {
  const config c;  // no --allowed-origins, no --public-url
  CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, c));
  CHECK(origin_allowed("https://127.0.0.1:8443", "127.0.0.1:8443", true, c));
  CHECK(origin_allowed("http://localhost:8080", "localhost:8080", false, c));
  CHECK(origin_allowed("http://[::1]:8080", "[::1]:8080", false, c));
  for (const auto& origin : k_not_own_origin) {
    INFO(origin);
    CHECK_FALSE(origin_allowed(origin, "127.0.0.1:8080", false, c));
  }
  CHECK_FALSE(origin_allowed("http://127.0.0.1:8443", "127.0.0.1:8443", true, c));  // TLS: https
  CHECK_FALSE(origin_allowed("", "127.0.0.1:8080", false, c));
  CHECK_FALSE(origin_allowed("http://", "", false, c));  // no Host: no own origin
  // A Host this chatd does not serve has no own origin either (DNS rebinding).
  CHECK_FALSE(origin_allowed("http://evil.example:8080", "evil.example:8080", false, c));
}

TEST_CASE("allowed_origins_replace_the_own_origin_and_match_exactly", "[http][origin][config]") {
  // Spaces and a trailing slash in the option are dropped.
  const config c = load({"--allowed-origins", " https://chat.example/ ,https://b.example:8443"});
  CHECK(origin_allowed("https://chat.example", "127.0.0.1:8080", false, c));
  CHECK(origin_allowed("https://b.example:8443", "", true, c));
  for (const char* origin :
       {"http://chat.example", "https://chat.example:8443", "https://chat.example:443",
        "https://evil.example", "https://chat.example.evil.example", "https://b.example", "null",
        "HTTPS://CHAT.EXAMPLE", "https://Chat.Example", "https://chat.example/",
        "http://127.0.0.1:8080"}) {
    INFO(origin);
    CHECK_FALSE(origin_allowed(origin, "127.0.0.1:8080", false, c));
  }
}

TEST_CASE("allowed_origins_are_taken_in_lower_case", "[http][origin][config]") {
  // Browsers send scheme and host in lower case (RFC 6454): an entry in another case matches it.
  const config c = load({"--allowed-origins", "HTTPS://Chat.Example:8443"});
  CHECK(origin_allowed("https://chat.example:8443", "", false, c));
  CHECK_FALSE(origin_allowed("https://chat.example", "", false, c));
}

TEST_CASE("a_public_url_is_an_allowed_origin_and_its_host_only_as_that_url",
          "[http][origin][config]") {
  const config c = load({"--public-url", "https://chat.example.com"});
  CHECK(origin_allowed("https://chat.example.com", "chat.example.com", false, c));
  CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, c));  // direct by IP
  for (const char* origin : {"http://chat.example.com", "https://chat.example.com:8443",
                             "https://other.example.com", "null", "https://CHAT.example.com"}) {
    INFO(origin);
    CHECK_FALSE(origin_allowed(origin, "chat.example.com", false, c));
  }
}

TEST_CASE("a_post_with_a_foreign_origin_is_refused_403_before_it_runs", "[http][origin]") {
  auto engine = chat::chatd::test::open_engine();
  REQUIRE(engine->register_user({"erin", "a long password", {}, {}}).ok());
  config settings;
  chat::chatd::metrics counters;
  chat::chatd::http::router router(*engine, settings, counters);
  const std::string credentials = R"({"username":"erin","password":"a long password"})";

  // Allowed: a browser's sign-in (the cookie only).
  auto browser = router.handle(post("/v1/login", "http://127.0.0.1:8080", credentials));
  REQUIRE(browser.status == 200);
  CHECK_FALSE(json::parse(browser.body).contains("token"));
  const std::string cookie = header(browser, "Set-Cookie");
  const std::string token = cookie.substr(13, cookie.find(';') - 13);
  REQUIRE(engine->authenticate(token).ok());
  // No Origin: a native client, the token in the body.
  auto native = router.handle(post("/v1/login", "", credentials));
  REQUIRE(native.status == 200);
  CHECK(json::parse(native.body).contains("token"));

  for (const auto& origin : k_not_own_origin) {
    INFO(origin);
    auto login = router.handle(post("/v1/login", origin, credentials));
    CHECK(login.status == 403);
    CHECK(json::parse(login.body)["error"]["code"] == "forbidden");
    CHECK(header(login, "Set-Cookie").empty());
    auto reg = router.handle(
        post("/v1/register", origin, R"({"username":"mallory","password":"a long password"})"));
    CHECK(reg.status == 403);
    auto logout = post("/v1/logout", origin);
    logout.headers["cookie"] = "chat_session=" + token;
    auto out = router.handle(logout);
    CHECK(out.status == 403);
    CHECK(json::parse(out.body)["error"]["code"] == "forbidden");
    CHECK(engine->authenticate(token).ok());  // the session lives on
  }
  CHECK(engine->find_user("mallory").code() == chat::errc::not_found);

  // GET is not checked (the SameSite=Strict cookie is not sent cross-site).
  request me;
  me.method = "GET";
  me.path = "/v1/me";
  me.headers["host"] = "127.0.0.1:8080";
  me.headers["origin"] = "http://evil.example";
  me.headers["cookie"] = "chat_session=" + token;
  CHECK(router.handle(me).status == 200);

  auto logout = post("/v1/logout", "http://127.0.0.1:8080");
  logout.headers["cookie"] = "chat_session=" + token;
  CHECK(router.handle(logout).status == 200);
  CHECK_FALSE(engine->authenticate(token).ok());
}

TEST_CASE(
    "a_websocket_handshake_is_native_without_origin_browser_with_an_allowed_one_and_"
    "refused_otherwise",
    "[http][origin][ws]") {
  const config c;
  CHECK(judge_handshake_origin("", "127.0.0.1:8080", false, c) == handshake_origin::native);
  CHECK(judge_handshake_origin("", "", false, c) == handshake_origin::native);
  CHECK(judge_handshake_origin("http://127.0.0.1:8080", "127.0.0.1:8080", false, c) ==
        handshake_origin::browser);
  CHECK(judge_handshake_origin("https://127.0.0.1:8443", "127.0.0.1:8443", true, c) ==
        handshake_origin::browser);
  for (const auto& origin : k_not_own_origin) {
    INFO(origin);
    CHECK(judge_handshake_origin(origin, "127.0.0.1:8080", false, c) == handshake_origin::refused);
  }
  CHECK(judge_handshake_origin("http://127.0.0.1:8443", "127.0.0.1:8443", true, c) ==
        handshake_origin::refused);
  CHECK(judge_handshake_origin("http://evil.example:8080", "evil.example:8080", false, c) ==
        handshake_origin::refused);

  const config listed = load({"--allowed-origins", "https://chat.example"});
  CHECK(judge_handshake_origin("https://chat.example", "127.0.0.1:8080", false, listed) ==
        handshake_origin::browser);
  CHECK(judge_handshake_origin("http://127.0.0.1:8080", "127.0.0.1:8080", false, listed) ==
        handshake_origin::refused);
}
