// Field readers, UTF-8 validation, cookies and origins.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/origin.hpp"
#include "protocol/args.hpp"
#include "protocol/frames.hpp"
#include "protocol/utf8.hpp"

using namespace chat::chatd;
using nlohmann::json;

TEST_CASE("ids_are_digit_strings_or_non_negative_integers", "[args]") {
  CHECK(parse_id(json("42"), "x") == 42);
  CHECK(parse_id(json(42), "x") == 42);
  CHECK(parse_id(json("9223372036854775807"), "x") == INT64_MAX);
  CHECK(parse_id(json(INT64_MAX), "x") == INT64_MAX);
  // Past INT64_MAX: refused, never wrapped to a negative id.
  for (const json& too_big : {json("9223372036854775808"), json("9999999999999999999"),
                              json(static_cast<std::uint64_t>(INT64_MAX) + 1)}) {
    CHECK_THROWS_AS(parse_id(too_big, "x"), bad_request);
  }
  for (const json& bad : {json("-1"), json(""), json("1a"), json(-1), json(1.5), json(nullptr),
                          json("12345678901234567890"), json::array()}) {
    CHECK_THROWS_AS(parse_id(bad, "x"), bad_request);
  }
  json req = {{"limit", 300}, {"name", 5}};
  CHECK_THROWS_AS(optional_integer(req, "limit", 1, 200), bad_request);
  CHECK_THROWS_AS(require_string(req, "name"), bad_request);
  CHECK_THROWS_WITH(require_string(req, "missing"), "missing field missing");
  CHECK_FALSE(optional_string(req, "missing"));
}

TEST_CASE("utf8_validation_follows_rfc_3629", "[utf8]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8(std::string("nul ") + '\0' + " inside"));  // well-formed; the engine refuses it
  CHECK(valid_utf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x91\x8b"));
  CHECK_FALSE(valid_utf8("\xff"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xe2\x82"));          // truncated
}

TEST_CASE("error_frames_escape_and_null_the_id", "[frames]") {
  auto e = json::parse(error_frame("", "bad_request", "a \"quoted\" \xff message"));
  CHECK(e["id"].is_null());
  CHECK(e["code"] == "bad_request");
  auto r = json::parse(response_frame("r\"1", "{}"));
  CHECK(r["id"] == "r\"1");
}

TEST_CASE("session_cookie_and_origin_rules", "[http]") {
  CHECK(http::session_cookie("a=1; chat_session=tok; b=2", false) == std::string("tok"));
  CHECK(http::session_cookie("chat_session=tok", false) == std::string("tok"));
  CHECK_FALSE(http::session_cookie("xchat_session=tok", false));
  CHECK_FALSE(http::session_cookie("chat_session=", false));
  CHECK(http::session_cookie("__Host-chat_session=tok", true) == std::string("tok"));
  CHECK_FALSE(http::session_cookie("chat_session=tok", true));
  config c;
  CHECK(http::origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, c));
  CHECK(http::origin_allowed("http://localhost:8080", "localhost:8080", false, c));
  CHECK_FALSE(http::origin_allowed("https://127.0.0.1:8080", "127.0.0.1:8080", false, c));
  CHECK_FALSE(http::origin_allowed("http://evil", "127.0.0.1:8080", false, c));
  c.allowed_origins = {"https://chat.example"};
  CHECK(http::origin_allowed("https://chat.example", "x", true, c));
  CHECK_FALSE(http::origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, c));
  CHECK(http::set_session_cookie("t", 60, true).find("HttpOnly; SameSite=Strict; Secure") !=
        std::string::npos);
}
