// The HTTP API's routing answers (docs/protocol.md, "HTTP API"), each way: a route's own
// method is served (HEAD with GET), any other is 405 method_not_allowed; an unknown /v1 path is
// 404 not_found; /v1/ws without an upgrade is 400; a body that is not a JSON object is 400
// bad_request; the authenticated routes without credentials are 401 unauthenticated.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "fixture.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace {

using chat::chatd::http::request;
using chat::chatd::http::response;
using nlohmann::json;

request make(const std::string& method, const std::string& path, const std::string& body = "") {
  request r;
  r.method = method;
  r.path = path;
  r.headers["host"] = "127.0.0.1:8080";
  r.body = body;
  r.remote = "127.0.0.1:50000";
  return r;
}

std::string code_of(const response& r) {
  auto body = json::parse(r.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"]["code"].get<std::string>()
                                                    : std::string();
}

struct http_fixture {
  std::unique_ptr<chat::engine> engine = chat::chatd::test::open_engine();
  chat::chatd::config settings;
  chat::chatd::metrics counters;
  chat::chatd::http::router router{*engine, settings, counters};
};

}  // namespace

TEST_CASE("each_route_serves_its_method_and_answers_405_to_the_others", "[http]") {
  http_fixture f;
  auto grant = chat::chatd::test::account(*f.engine, "alice");
  struct route {
    const char* path;
    const char* method;
  };
  for (const route& r :
       {route{"/v1/register", "POST"}, route{"/v1/login", "POST"}, route{"/v1/logout", "POST"},
        route{"/v1/logout-everywhere", "POST"}, route{"/v1/me", "GET"},
        route{"/v1/me/username", "POST"}, route{"/healthz", "GET"}, route{"/readyz", "GET"},
        route{"/metrics", "GET"}}) {
    INFO(r.method << " " << r.path);
    for (const char* other : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      if (std::string(other) == r.method) continue;
      auto refused = f.router.handle(make(other, r.path));
      CHECK(refused.status == 405);
      CHECK(code_of(refused) == "method_not_allowed");
    }
  }
  // The right methods (HEAD with GET).
  CHECK(f.router.handle(make("GET", "/healthz")).status == 200);
  CHECK(f.router.handle(make("HEAD", "/healthz")).status == 200);
  CHECK(f.router.handle(make("GET", "/metrics")).status == 200);
  auto me = make("HEAD", "/v1/me");
  me.headers["authorization"] = "Bearer " + grant.token;
  CHECK(f.router.handle(me).status == 200);
  CHECK(
      f.router
          .handle(make("POST", "/v1/login", R"({"username":"alice","password":"a long password"})"))
          .status == 200);
}

TEST_CASE("unknown_paths_bad_bodies_and_missing_credentials", "[http]") {
  http_fixture f;
  for (const char* path : {"/v1/nope", "/v1", "/v1/me/nope", "/v1/login/x"}) {
    INFO(path);
    auto r = f.router.handle(make("GET", path));
    CHECK(r.status == 404);
    CHECK(code_of(r) == "not_found");
  }
  auto ws = f.router.handle(make("GET", "/v1/ws"));
  CHECK(ws.status == 400);
  CHECK(code_of(ws) == "bad_request");

  for (const char* body : {"", "[]", "\"x\"", "{oops", "null"}) {
    INFO(body);
    for (const char* path : {"/v1/register", "/v1/login"}) {
      auto r = f.router.handle(make("POST", path, body));
      CHECK(r.status == 400);
      CHECK(code_of(r) == "bad_request");
    }
  }
  for (const char* body : {R"({"username":"alice"})", R"({"password":"a long password"})",
                           R"({"username":5,"password":"a long password"})"}) {
    INFO(body);
    CHECK(code_of(f.router.handle(make("POST", "/v1/login", body))) == "bad_request");
  }

  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/v1/me"},
                                                        {"POST", "/v1/me/username"},
                                                        {"POST", "/v1/logout"},
                                                        {"POST", "/v1/logout-everywhere"}}) {
    INFO(method << " " << path);
    auto none = f.router.handle(make(method, path, R"({"username":"newname"})"));
    CHECK(none.status == 401);
    CHECK(code_of(none) == "unauthenticated");
    auto wrong = make(method, path, R"({"username":"newname"})");
    wrong.headers["authorization"] = "Bearer not-a-token";
    CHECK(f.router.handle(wrong).status == 401);
  }
}
