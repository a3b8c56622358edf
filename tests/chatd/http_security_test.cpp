// Issue 12, L6 and L9 at the HTTP layer: the Host header against DNS rebinding, browser
// sign-ins that get only the cookie, Secure and __Host- cookies behind TLS or an https
// --public-url, and linking a provider only from a recent sign-in.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "fixture.hpp"
#include "http/oidc_routes.hpp"
#include "http/origin.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace {

using chat::chatd::config;
using chat::chatd::http::request;
using chat::chatd::http::response;
using nlohmann::json;

request make(const std::string& method, const std::string& path, const std::string& host) {
  request r;
  r.method = method;
  r.path = path;
  if (!host.empty()) r.headers["host"] = host;
  r.remote = "127.0.0.1:50000";
  return r;
}

std::string header(const response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

config with_public_url(const std::string& url) {
  const char* argv[] = {"chatd", "--public-url", url.c_str()};
  auto out = chat::chatd::load_config(3, argv, [](const char*) -> const char* { return nullptr; });
  REQUIRE(out.settings);
  return *out.settings;
}

}  // namespace

TEST_CASE("public_url_is_parsed_and_normalised", "[config][http]") {
  auto c = with_public_url("https://Chat.Example.com:443/");
  CHECK(c.public_url == "https://chat.example.com");
  CHECK(c.public_host == "chat.example.com");
  CHECK(c.public_port == 443);
  CHECK(c.public_https());
  CHECK(with_public_url("http://[::1]:8080").public_url == "http://[::1]:8080");
  for (const char* bad : {"chat.example.com", "ftp://x", "https://", "https://x/chat",
                          "https://u@x", "https://x:99999", "https://x?q"}) {
    INFO(bad);
    const char* argv[] = {"chatd", "--public-url", bad};
    auto out =
        chat::chatd::load_config(3, argv, [](const char*) -> const char* { return nullptr; });
    CHECK_FALSE(out.settings);
    CHECK(out.exit_code == 2);
  }
}

TEST_CASE("a_dns_rebinding_host_is_refused_and_ip_localhost_and_public_url_hosts_served",
          "[http]") {
  auto engine = chat::chatd::test::open_engine();
  config settings;
  chat::chatd::metrics counters;
  chat::chatd::http::router plain(*engine, settings, counters);
  for (const char* host : {"evil.example:8080", "evil.example", "127.0.0.1.evil.example",
                           "localhost.evil.example:8080", "bad host"}) {
    INFO(host);
    auto r = plain.handle(make("GET", "/healthz", host));
    CHECK(r.status == 421);
    CHECK(json::parse(r.body)["error"]["code"] == "host_not_allowed");
    // The same name as an Origin is no longer "our own origin" either.
    CHECK_FALSE(
        chat::chatd::http::origin_allowed(std::string("http://") + host, host, false, settings));
  }
  for (const char* host :
       {"127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "192.168.1.20:8080", ""}) {
    INFO(host);
    CHECK(plain.handle(make("GET", "/healthz", host)).status == 200);
  }

  config pub = with_public_url("https://chat.example.com");
  chat::chatd::http::router behind_proxy(*engine, pub, counters);
  CHECK(behind_proxy.handle(make("GET", "/healthz", "chat.example.com")).status == 200);
  CHECK(behind_proxy.handle(make("GET", "/healthz", "CHAT.example.com:443")).status == 200);
  CHECK(behind_proxy.handle(make("GET", "/healthz", "chat.example.com:8443")).status == 421);
  CHECK(behind_proxy.handle(make("GET", "/healthz", "other.example.com")).status == 421);
  CHECK(behind_proxy.handle(make("GET", "/healthz", "127.0.0.1:8080")).status == 200);
  // The public origin is allowed although chatd itself speaks plain http behind the proxy.
  CHECK(chat::chatd::http::origin_allowed("https://chat.example.com", "chat.example.com", false,
                                          pub));
  CHECK_FALSE(
      chat::chatd::http::origin_allowed("http://chat.example.com", "chat.example.com", false, pub));
}

TEST_CASE("a_browser_login_gets_only_the_cookie_and_a_native_login_the_token", "[http]") {
  auto engine = chat::chatd::test::open_engine();
  REQUIRE(engine->register_user({"erin", "a long password", {}, {}}).ok());
  config settings;
  chat::chatd::metrics counters;
  chat::chatd::http::router router(*engine, settings, counters);
  auto login = make("POST", "/v1/login", "127.0.0.1:8080");
  login.body = R"({"username":"erin","password":"a long password"})";

  auto native = router.handle(login);
  REQUIRE(native.status == 200);
  const auto native_body = json::parse(native.body);
  REQUIRE(native_body.contains("token"));
  CHECK(engine->authenticate(native_body["token"].get<std::string>()).ok());

  login.headers["origin"] = "http://127.0.0.1:8080";
  auto browser = router.handle(login);
  REQUIRE(browser.status == 200);
  const auto body = json::parse(browser.body);
  CHECK_FALSE(body.contains("token"));
  CHECK(body["user"]["username"] == "erin");
  const std::string cookie = header(browser, "Set-Cookie");
  CHECK(cookie.rfind("chat_session=", 0) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain http on localhost
  const std::string token = cookie.substr(13, cookie.find(';') - 13);
  CHECK(engine->authenticate(token).ok());
  auto me = make("GET", "/v1/me", "127.0.0.1:8080");
  me.headers["cookie"] = "chat_session=" + token;
  CHECK(router.handle(me).status == 200);
}

TEST_CASE("cookies_are_secure_and_host_prefixed_with_tls_or_an_https_public_url", "[http]") {
  auto engine = chat::chatd::test::open_engine();
  REQUIRE(engine->register_user({"erin", "a long password", {}, {}}).ok());
  config pub = with_public_url("https://chat.example.com");
  chat::chatd::metrics counters;
  chat::chatd::http::router router(*engine, pub, counters);
  auto login = make("POST", "/v1/login", "chat.example.com");
  login.headers["origin"] = "https://chat.example.com";
  login.body = R"({"username":"erin","password":"a long password"})";
  auto r = router.handle(login);  // plain http from the TLS-terminating proxy
  REQUIRE(r.status == 200);
  const std::string cookie = header(r, "Set-Cookie");
  const std::string prefix = "__Host-chat_session=";
  REQUIRE(cookie.rfind(prefix, 0) == 0);
  CHECK(cookie.find("; Path=/;") != std::string::npos);
  CHECK(cookie.find("; Secure") != std::string::npos);
  CHECK(cookie.find("Domain") == std::string::npos);
  // Max-Age is the shorter of the sliding ttl and the absolute maximum.
  CHECK(cookie.find("Max-Age=" + std::to_string(30 * 24 * 3600) + ";") != std::string::npos);
  const std::string token = cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
  auto me = make("GET", "/v1/me", "chat.example.com");
  me.headers["cookie"] = "chat_session=" + token;  // the unprefixed name is not read here
  CHECK(router.handle(me).status == 401);
  me.headers["cookie"] = prefix + token;
  CHECK(router.handle(me).status == 200);
  auto out = make("POST", "/v1/logout", "chat.example.com");
  out.headers["cookie"] = prefix + token;
  out.headers["origin"] = "https://chat.example.com";
  auto bye = router.handle(out);
  CHECK(bye.status == 200);
  CHECK(header(bye, "Set-Cookie").rfind("__Host-chat_session=; Path=/; Max-Age=0", 0) == 0);

  // TLS in chatd itself: the same, without a public URL.
  config tls;
  auto local = make("POST", "/v1/login", "127.0.0.1:8443");
  local.tls = true;
  local.body = login.body;
  chat::chatd::http::router tls_router(*engine, tls, counters);
  CHECK(header(tls_router.handle(local), "Set-Cookie").rfind(prefix, 0) == 0);
}

TEST_CASE("linking_a_provider_needs_a_recent_sign_in", "[http][oidc]") {
  // The engine's clock runs 20 minutes behind: its sessions look 20 minutes old to chatd.
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.password_hashing = chat::password_cost::minimum;
  auto now = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto offset = std::make_shared<std::atomic<long long>>(20 * 60 * 1000);
  options.clock = [now, offset] { return now() - offset->load(); };
  auto engine = std::move(chat::engine::open(options)).value();
  auto old_session = chat::chatd::test::account(*engine, "olde");
  *offset = 0;
  auto fresh_session = engine->login("olde", "a long password");
  REQUIRE(fresh_session.ok());

  config settings;  // --link-reauth-minutes 10
  chat::chatd::http::oidc_routes routes(
      *engine, settings,
      std::make_unique<chat::oidc::relying_party>(chat::oidc::provider_registry{}, nullptr),
      std::make_unique<chat::oidc::accounts>(*engine));
  auto start = make("GET", "/v1/auth/oidc/test/start", "127.0.0.1:8080");
  start.query = "purpose=link";
  auto link = make("POST", "/v1/me/identities/test", "127.0.0.1:8080");
  link.body = R"({"id_token":"x.y.z"})";
  for (request* r : {&start, &link}) {
    INFO(r->path);
    r->headers["authorization"] = "Bearer " + old_session.token;
    auto refused = routes.handle(*r);
    CHECK(refused.status == 403);
    CHECK(json::parse(refused.body)["error"]["code"] == "reauthentication_required");
    // A fresh sign-in passes the check (and meets the unknown provider next).
    r->headers["authorization"] = "Bearer " + fresh_session->token;
    auto passed = routes.handle(*r);
    CHECK(passed.status == 404);
    CHECK(json::parse(passed.body)["error"]["code"] == "unknown_provider");
  }
  // Listing and unlinking need no fresh sign-in.
  auto list = make("GET", "/v1/me/identities", "127.0.0.1:8080");
  list.headers["authorization"] = "Bearer " + old_session.token;
  CHECK(routes.handle(list).status == 200);
}
