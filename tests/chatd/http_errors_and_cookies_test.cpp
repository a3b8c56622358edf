// chatd's HTTP building blocks: error codes and their statuses (one errc -> HTTP mapping, shared
// with chat_oidc), the one cookie parser and Set-Cookie builder, and the sign-in answer.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/auth.hpp"
#include "http/cookies.hpp"
#include "http/json_body.hpp"
#include "http/message.hpp"
#include "oidc/web.hpp"
#include "protocol/codes.hpp"

using namespace chat::chatd;
using json = nlohmann::json;

namespace {
std::string header(const http::response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}
}  // namespace

TEST_CASE("engine_error_codes_map_to_their_documented_http_statuses", "[http]") {
  using chat::errc;
  const std::pair<errc, int> expected[] = {
      {errc::invalid_argument, 400}, {errc::unauthenticated, 401}, {errc::forbidden, 403},
      {errc::not_found, 404},        {errc::conflict, 409},        {errc::rate_limited, 429},
      {errc::unavailable, 503},      {errc::internal, 500}};
  for (const auto& [code, status] : expected) {
    auto r = http::error_response(chat::status(code, "why"));
    CHECK(r.status == status);
    CHECK(json::parse(r.body)["error"]["code"] == chat::to_string(code));
    CHECK(json::parse(r.body)["error"]["message"] == "why");
    CHECK(header(r, "Retry-After").empty());
  }
  // The login backoff's wait goes into Retry-After.
  auto limited = http::error_response(chat::status(errc::rate_limited, "wait", 7));
  CHECK(limited.status == 429);
  CHECK(header(limited, "Retry-After") == "7");
  // chat_oidc maps an engine refusal of an account call with the same table.
  CHECK(chat::oidc::http_status(chat::oidc::status::from_engine({errc::rate_limited, ""})) == 429);
  CHECK(chat::oidc::http_status(chat::oidc::status::from_engine({errc::forbidden, ""})) == 403);
}

TEST_CASE("chatd_error_codes_have_one_name_and_status_each", "[http]") {
  CHECK(http::error_response(error_code::method_not_allowed, "use GET").status == 405);
  CHECK(http::error_response(error_code::host_not_allowed, "x").status == 421);
  CHECK(http::error_response(error_code::reauthentication_required, "x").status == 403);
  CHECK(http::error_response(error_code::body_too_large, "x").status == 413);
  CHECK(http::error_response(error_code::length_required, "x").status == 411);
  auto r = http::error_response(error_code::bad_request, "the body");
  CHECK(r.status == 400);
  CHECK(r.body == R"({"error":{"code":"bad_request","message":"the body"}})");
  // The string constants the transport uses are the same names, the engine's from chat::errc.
  CHECK(std::string(code::bad_request) == "bad_request");
  CHECK(std::string(code::unknown_type) == "unknown_type");
  CHECK(std::string(code::method_not_allowed) == "method_not_allowed");
  CHECK(std::string(code::not_found) == chat::to_string(chat::errc::not_found));
  CHECK(std::string(code::unauthenticated) == chat::to_string(chat::errc::unauthenticated));
  CHECK(std::string(code::internal) == chat::to_string(chat::errc::internal));
  CHECK(std::string(code::unavailable) == chat::to_string(chat::errc::unavailable));
  CHECK(std::string(code::rate_limited) == chat::to_string(chat::errc::rate_limited));
}

TEST_CASE("one_cookie_parser_takes_the_first_non_empty_value", "[http]") {
  CHECK(http::cookie_value("a=1; b=2", "b") == std::string("2"));
  CHECK(http::cookie_value("a=1;b=2;;", "b") == std::string("2"));
  CHECK(http::cookie_value("b=; b=3", "b") == std::string("3"));
  CHECK_FALSE(http::cookie_value("b=", "b"));
  CHECK_FALSE(http::cookie_value("ab=1", "b"));
  // The OpenID Connect binding cookie is read by the same parser.
  auto cb = chat::oidc::parse_callback("state=s", "x=1; chat_oidc_binding=; chat_oidc_binding=b1");
  CHECK(cb.browser_binding == "b1");
}

TEST_CASE("every_set_cookie_has_the_same_attributes_in_the_same_order", "[http]") {
  CHECK(http::set_session_cookie("t", 60, false) ==
        "chat_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  CHECK(http::set_session_cookie("t", -5, true) ==
        "__Host-chat_session=t; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
  CHECK(http::clear_session_cookie(false) ==
        "chat_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  CHECK(http::set_signup_cookie("k", 600, true) ==
        "__Host-chat_oidc_signup=k; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure");
  CHECK(http::clear_signup_cookie(false) ==
        "chat_oidc_signup=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  CHECK(chat::oidc::clear_binding_cookie(true) ==
        "chat_oidc_binding=; Path=/v1/auth/oidc/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
}

TEST_CASE("session_token_prefers_bearer_and_reads_only_the_cookie_in_use", "[http]") {
  config settings;
  http::request req;
  CHECK_FALSE(http::session_token(req, settings));
  req.headers["cookie"] = "chat_session=from-cookie";
  CHECK(http::session_token(req, settings) == std::string("from-cookie"));
  req.headers["authorization"] = "Bearer from-header";
  CHECK(http::session_token(req, settings) == std::string("from-header"));
  req.headers["authorization"] = "Bearer ";
  CHECK(http::session_token(req, settings) == std::string("from-cookie"));
  req.tls = true;  // Secure cookies: only __Host-chat_session counts
  CHECK_FALSE(http::session_token(req, settings));
}

TEST_CASE("session_response_hides_the_token_from_browsers", "[http]") {
  config settings;
  settings.engine.session_ttl = std::chrono::hours(1);
  chat::session_grant grant{"tok", chat::user{3, "ann", std::nullopt, std::nullopt, 10}, 99};
  http::request native;
  auto n = http::session_response(200, grant, native, settings);
  CHECK(n.body ==
        R"({"token":"tok","expires_at":99,"user":{"created_at":10,"id":"3","username":"ann"}})");
  CHECK(header(n, "Set-Cookie") ==
        "chat_session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
  http::request browser;
  browser.headers["origin"] = "http://127.0.0.1:8080";
  auto b = http::session_response(201, grant, browser, settings);
  CHECK(b.status == 201);
  CHECK(b.body == R"({"expires_at":99,"user":{"created_at":10,"id":"3","username":"ann"}})");
}

TEST_CASE("json_body_refuses_anything_but_an_object", "[http]") {
  http::request req;
  for (const char* bad : {"", "[1]", "\"s\"", "{", "null"}) {
    req.body = bad;
    auto body = http::json_body(req);
    REQUIRE(std::holds_alternative<http::response>(body));
    CHECK(std::get<http::response>(body).status == 400);
  }
  req.body = R"({"a":"x","b":1})";
  auto body = http::json_body(req);
  REQUIRE(std::holds_alternative<json>(body));
  CHECK(http::string_field(std::get<json>(body), "a") == std::string("x"));
  CHECK_FALSE(http::string_field(std::get<json>(body), "b"));
  CHECK_FALSE(http::string_field(std::get<json>(body), "c"));
}
