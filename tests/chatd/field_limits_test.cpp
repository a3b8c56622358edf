// Every length limit of a request field, at the limit and one past it, over the protocol
// (docs/protocol.md, "Rules the engine enforces", "Requests" and "Limits"): member_ids (1000),
// message text (1..2000 code points), client_msg_id (0..64 bytes), channel names (1..80 code
// points: create_group, rename_channel, join_public) and topics (0..250 code points). Lengths
// in code points are built of two-byte characters, so a byte count would be caught too.
#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;
using nlohmann::json;

namespace {

// `n` code points of two bytes each ("é").
std::string chars(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "\xc3\xa9";
  return out;
}

struct signed_in : session_fixture {
  chat::session_grant alice = account(*engine, "alice");
  int next = 0;

  signed_in() { sign_in(alice); }
  // The reply to a request of `type` with `fields` (JSON members, starting with a comma).
  json request(const std::string& type, const std::string& fields) {
    const std::string id = "q" + std::to_string(++next);
    return reply(R"({"type":")" + type + R"(","id":")" + id + '"' + fields + "}", id);
  }
  std::string group(const std::string& name) {
    auto g = engine->create_group(alice.account.id, name, "");
    REQUIRE(g.ok());
    return std::to_string(g->id);
  }
};

void check_refused(const json& r, const char* code) {
  CHECK(r["type"] == "error");
  CHECK(r["code"] == code);
}

}  // namespace

TEST_CASE("create_group_takes_1000_member_ids_and_refuses_1001", "[session][limits]") {
  signed_in f;
  auto bob = account(*f.engine, "bob");
  const auto ids = [&](std::size_t n) {
    std::string out = R"(,"name":"big","member_ids":[)";
    for (std::size_t i = 0; i < n; ++i)
      out += (i ? ",\"" : "\"") + std::to_string(bob.account.id) + '"';
    return out + "]";
  };
  auto ok = f.request("create_group", ids(1000));  // one user a thousand times: one member
  REQUIRE(ok["type"] == "response");
  CHECK(ok["result"]["channel"]["name"] == "big");
  auto over = f.request("create_group", ids(1001));
  check_refused(over, "bad_request");
  CHECK(over["message"] == "field member_ids: at most 1000 ids");
  CHECK(over["id"] == "q2");
}

TEST_CASE("send_text_is_1_to_2000_code_points_and_client_msg_id_0_to_64_bytes",
          "[session][limits]") {
  signed_in f;
  const std::string ch = f.group("team");
  const auto send = [&](const std::string& text, const std::string& client_msg_id) {
    return f.request("send", R"(,"channel_id":")" + ch + R"(","text":")" + text +
                                 R"(","client_msg_id":")" + client_msg_id + '"');
  };
  auto longest = send(chars(2000), "");
  REQUIRE(longest["type"] == "response");
  CHECK(longest["result"]["message"]["text"] == chars(2000));
  CHECK(send("x", "")["type"] == "response");
  check_refused(send(chars(2001), ""), "invalid_argument");
  check_refused(send("", ""), "invalid_argument");

  const std::string id64(64, 'k');
  auto with_id = send("hi", id64);
  REQUIRE(with_id["type"] == "response");
  CHECK(with_id["result"]["message"]["client_msg_id"] == id64);
  auto over = send("hi", id64 + "k");
  check_refused(over, "invalid_argument");
  CHECK(over["message"] == "client_msg_id must be at most 64 bytes of UTF-8 without U+0000");
  check_refused(send("hi", chars(32) + "k"), "invalid_argument");  // 65 bytes, 33 characters
}

TEST_CASE("channel_names_are_1_to_80_code_points_and_topics_0_to_250", "[session][limits]") {
  signed_in f;
  const std::string name80 = chars(80);
  auto created =
      f.request("create_group", R"(,"name":")" + name80 + R"(","topic":")" + chars(250) + '"');
  REQUIRE(created["type"] == "response");
  CHECK(created["result"]["channel"]["name"] == name80);
  CHECK(created["result"]["channel"]["topic"] == chars(250));
  check_refused(f.request("create_group", R"(,"name":")" + chars(81) + '"'), "invalid_argument");
  check_refused(f.request("create_group", R"(,"name":"")"), "invalid_argument");
  check_refused(f.request("create_group", R"(,"name":"t","topic":")" + chars(251) + '"'),
                "invalid_argument");

  const std::string ch = created["result"]["channel"]["id"];
  const std::string at = R"(,"channel_id":")" + ch + '"';
  CHECK(f.request("rename_channel", at + R"(,"name":")" + chars(80) + "x\"")["code"] ==
        "invalid_argument");
  CHECK(f.request("rename_channel", at + R"(,"name":"")")["code"] == "invalid_argument");
  auto renamed = f.request("rename_channel", at + R"(,"name":")" + chars(79) + "x\"");
  REQUIRE(renamed["type"] == "response");
  CHECK(renamed["result"]["channel"]["name"] == chars(79) + "x");

  CHECK(f.request("set_topic", at + R"(,"topic":")" + chars(251) + '"')["code"] ==
        "invalid_argument");
  auto topic = f.request("set_topic", at + R"(,"topic":")" + chars(249) + "x\"");
  REQUIRE(topic["type"] == "response");
  CHECK(topic["result"]["channel"]["topic"] == chars(249) + "x");
  CHECK(f.request("set_topic", at + R"(,"topic":"")")["type"] == "response");

  auto joined = f.request("join_public", R"(,"name":")" + chars(80) + '"');
  REQUIRE(joined["type"] == "response");
  CHECK(joined["result"]["channel"]["name"] == chars(80));
  check_refused(f.request("join_public", R"(,"name":")" + chars(81) + '"'), "invalid_argument");
  check_refused(f.request("join_public", R"(,"name":"")"), "invalid_argument");
}
