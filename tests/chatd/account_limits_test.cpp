// The length rules of accounts over the HTTP API, at the limit and one past (docs/protocol.md,
// "Rules the engine enforces" and "HTTP API"): usernames 3..20 characters (POST /v1/register,
// POST /v1/me/username), passwords 8..1024 bytes (POST /v1/register); each refusal is 400
// invalid_argument.
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

request post(const std::string& path, const json& body) {
  request r;
  r.method = "POST";
  r.path = path;
  r.headers["host"] = "127.0.0.1:8080";
  r.body = body.dump();
  r.remote = "127.0.0.1:50000";
  return r;
}

// `n` bytes of printable ASCII without a pattern cracklib would call systematic.
std::string strong_password(std::size_t n) {
  static const std::string alphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#%&*+=?@";
  std::string out;
  std::uint32_t x = 2463534242u;
  while (out.size() < n) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out += alphabet[x % alphabet.size()];
  }
  return out;
}

void check_invalid(const response& r, const std::string& message) {
  CHECK(r.status == 400);
  const auto body = json::parse(r.body);
  CHECK(body["error"]["code"] == "invalid_argument");
  CHECK(body["error"]["message"] == message);
}

struct http_fixture {
  std::unique_ptr<chat::engine> engine = chat::chatd::test::open_engine();
  chat::chatd::config settings;
  chat::chatd::metrics counters;
  chat::chatd::http::router router{*engine, settings, counters};

  response register_user(const std::string& username, const std::string& password) {
    return router.handle(post("/v1/register", {{"username", username}, {"password", password}}));
  }
};

}  // namespace

TEST_CASE("usernames_are_3_to_20_characters_over_http", "[http][limits]") {
  http_fixture f;
  const std::string pw = strong_password(16);
  CHECK(f.register_user("abc", pw).status == 201);
  CHECK(f.register_user(std::string(20, 'u'), pw).status == 201);
  const std::string rule = "username must be 3 to 20 characters long";
  check_invalid(f.register_user("ab", pw), rule);
  check_invalid(f.register_user(std::string(21, 'v'), pw), rule);

  auto grant = f.engine->login("abc", pw);
  REQUIRE(grant.ok());
  const auto rename = [&](const std::string& name) {
    auto r = post("/v1/me/username", {{"username", name}});
    r.headers["authorization"] = "Bearer " + grant->token;
    return f.router.handle(r);
  };
  check_invalid(rename("xy"), rule);
  check_invalid(rename(std::string(21, 'w')), rule);
  auto longest = rename(std::string(20, 'w'));
  REQUIRE(longest.status == 200);
  CHECK(json::parse(longest.body)["user"]["username"] == std::string(20, 'w'));
  auto shortest = rename("xyz");
  REQUIRE(shortest.status == 200);
  CHECK(json::parse(shortest.body)["user"]["username"] == "xyz");
}

TEST_CASE("passwords_are_8_to_1024_bytes_over_http", "[http][limits]") {
  http_fixture f;
  auto shortest = f.register_user("shorty", strong_password(8));
  CHECK(shortest.status == 201);
  CHECK(f.engine->login("shorty", strong_password(8)).ok());
  auto longest = f.register_user("longest", strong_password(1024));
  CHECK(longest.status == 201);
  CHECK(f.engine->login("longest", strong_password(1024)).ok());
  check_invalid(f.register_user("seven", strong_password(7)), "password must be at least 8 bytes");
  check_invalid(f.register_user("over", strong_password(1025)),
                "password must be at most 1024 bytes");
}
