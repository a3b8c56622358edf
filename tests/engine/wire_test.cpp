// The JSON encoding of messages and event frames, against bytes written out by hand; and the
// direct writer behind to_json(message) and message.created events must give what the generic
// encoder gives (summaries embed messages through it).
#include "chat/wire.hpp"

#include <catch2/catch.hpp>
#include <iterator>
#include <nlohmann/json.hpp>

using namespace chat;
using json = nlohmann::json;

namespace {

message sample(const std::string& text, const std::string& client_msg_id) {
  return message{9007199254740993, 42, 7, 123456789012345, text, client_msg_id, 1733000000123};
}

const std::string k_texts[] = {
    "plain",
    "quote \" backslash \\ slash / tab \t newline \n nul " + std::string(1, '\0') + " bell \x07",
    "emoji 😀, ünïcödé, \xe2\x80\xa8 line separator",
    "invalid \xff\xfe utf-8 \xc3",
    "",
};

// Each text of k_texts as it must appear in JSON, written out by hand: control characters
// escaped, other UTF-8 kept as it is, invalid UTF-8 replaced by U+FFFD (as everywhere else in
// the protocol).
const std::string k_encoded[] = {
    R"("plain")",
    R"("quote \" backslash \\ slash / tab \t newline \n nul \u0000 bell \u0007")",
    "\"emoji 😀, ünïcödé, \xe2\x80\xa8 line separator\"",
    "\"invalid \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd\"",
    R"("")",
};

}  // namespace

TEST_CASE("message_json_has_every_field_with_ids_as_strings_and_text_escaped", "[wire]") {
  for (std::size_t i = 0; i < std::size(k_texts); ++i) {
    INFO(k_encoded[i]);
    const message m = sample(k_texts[i], "c\"1");
    CHECK(wire::to_json(m) ==
          R"({"channel_id":"42","client_msg_id":"c\"1","created_at":1733000000123,)"
          R"("id":"9007199254740993","sender_id":"123456789012345","seq":7,"text":)" +
              k_encoded[i] + "}");
    // And it is JSON that a parser reads back to the same fields.
    const json j = json::parse(wire::to_json(m));
    CHECK(j.size() == 7);
    CHECK(j.at("id") == "9007199254740993");
    CHECK(j.at("seq") == 7);
  }
}

TEST_CASE("message_json_is_byte_for_byte_the_generic_encoding", "[wire]") {
  for (const auto& text : k_texts) {
    const message m = sample(text, "id " + text);
    channel_summary s;
    s.last_message = m;
    // The summary encodes its last message with the generic (tree) encoder.
    const std::string summary = wire::to_json(s);
    const std::string direct = wire::to_json(m);
    CHECK(summary.find(R"("last_message":)" + direct) != std::string::npos);
  }
}

TEST_CASE("message_created_event_wraps_the_message_json", "[wire]") {
  event e;
  e.kind = event_kind::message_created;
  e.message = sample("hi \"there\"", "");
  const std::string encoded = wire::encode_event(e);
  CHECK(encoded ==
        R"({"event":"message.created","message":{"channel_id":"42","client_msg_id":"",)"
        R"("created_at":1733000000123,"id":"9007199254740993","sender_id":"123456789012345",)"
        R"("seq":7,"text":"hi \"there\""},"type":"event"})");
  const json j = json::parse(encoded);
  CHECK(j.at("type") == "event");
  CHECK(j.at("event") == "message.created");
  CHECK(j.at("message").at("text") == "hi \"there\"");
}

TEST_CASE("event_frames_are_encoded_exactly_as_documented", "[wire]") {
  event e;
  e.channel = 42;
  e.actor = 1;
  e.kind = event_kind::member_role_changed;
  e.subject = member{2, "bob", role::admin, 1000};
  CHECK(wire::encode_event(e) ==
        R"({"actor_id":"1","channel_id":"42","event":"member.role_changed",)"
        R"("member":{"joined_at":1000,"role":"admin","user_id":"2","username":"bob"},)"
        R"("type":"event"})");
  e.kind = event_kind::typing;
  CHECK(wire::encode_event(e) ==
        R"({"channel_id":"42","event":"typing","type":"event","user_id":"1","username":"bob"})");
  e.kind = event_kind::read_marker;
  e.read_seq = 3;
  CHECK(wire::encode_event(e) ==
        R"({"channel_id":"42","event":"read_marker","seq":3,"type":"event"})");
  e.kind = event_kind::presence;
  e.online = true;
  CHECK(wire::encode_event(e) ==
        R"({"event":"presence","online":true,"type":"event","user_id":"1"})");
  e.kind = event_kind::session_revoked;
  CHECK(wire::encode_event(e) == R"({"event":"session.revoked","type":"event"})");
}

TEST_CASE("session_grant_json_puts_the_token_first_and_leaves_it_out_for_browsers", "[wire]") {
  session_grant g{"tok\"en", user{5, "alice", std::nullopt, std::nullopt, 1000}, 2000};
  CHECK(
      wire::to_json(g) ==
      R"({"token":"tok\"en","expires_at":2000,"user":{"created_at":1000,"id":"5","username":"alice"}})");
  CHECK(wire::to_json(g, /*with_token=*/false) ==
        R"({"expires_at":2000,"user":{"created_at":1000,"id":"5","username":"alice"}})");
}

TEST_CASE("identity_json_with_provider_adds_it_in_key_order_or_null", "[wire]") {
  external_identity i{"https://idp.example", "sub-1", std::string("a@example.com"), 3000};
  CHECK(
      wire::to_json(i) ==
      R"({"email":"a@example.com","issuer":"https://idp.example","linked_at":3000,"subject":"sub-1"})");
  CHECK(
      wire::to_json(i, std::string("idp")) ==
      R"({"email":"a@example.com","issuer":"https://idp.example","linked_at":3000,"provider":"idp","subject":"sub-1"})");
  i.email.reset();
  CHECK(wire::to_json(i, std::nullopt) ==
        R"({"issuer":"https://idp.example","linked_at":3000,"provider":null,"subject":"sub-1"})");
}

TEST_CASE("each_event_kind_has_one_name_and_one_wire_name", "[wire]") {
  CHECK(std::string(to_string(event_kind::member_role_changed)) == "member_role_changed");
  CHECK(std::string(wire::event_name(event_kind::member_role_changed)) == "member.role_changed");
  CHECK(std::string(wire::event_name(event_kind::read_marker)) == "read_marker");
  CHECK(std::string(wire::event_name(static_cast<event_kind>(200))) == "unknown");
  CHECK(std::string(to_string(static_cast<event_kind>(200))) == "unknown");
  CHECK(std::string(to_string(static_cast<role>(9))) == "member");
  CHECK(role_from_string("admin") == role::admin);
  CHECK_FALSE(role_from_string("Admin"));
  CHECK(group_add_policy_from_string("nobody") == group_add_policy::nobody);
  CHECK(std::string(to_string(group_add_policy::contacts)) == "contacts");
}

TEST_CASE("privacy_settings_json_names_the_policy", "[wire]") {
  privacy_settings p;
  p.group_adds = group_add_policy::contacts;
  CHECK(wire::to_json(p) == R"({"group_adds":"contacts"})");
}
