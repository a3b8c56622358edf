// The JSON encoding of messages: the direct writer behind to_json(message) and message.created
// events must give what the generic encoder gives (summaries embed messages through it).
#include "chat/wire.hpp"

#include <catch2/catch.hpp>
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

}  // namespace

TEST_CASE("message_json_has_every_field_with_ids_as_strings_and_text_escaped", "[wire]") {
  for (const auto& text : k_texts) {
    const message m = sample(text, text.empty() ? "" : "k-" + text);
    const json j = json::parse(wire::to_json(m));
    CHECK(j.size() == 7);
    CHECK(j.at("id") == "9007199254740993");
    CHECK(j.at("channel_id") == "42");
    CHECK(j.at("seq") == 7);
    CHECK(j.at("sender_id") == "123456789012345");
    CHECK(j.at("created_at") == 1733000000123);
    // Invalid UTF-8 becomes U+FFFD, as everywhere else in the protocol.
    const json replaced =
        json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK(j.at("text") == replaced);
    if (text == "invalid \xff\xfe utf-8 \xc3")
      CHECK(j.at("text") == "invalid \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd");
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
  CHECK(encoded == R"({"event":"message.created","message":)" + wire::to_json(*e.message) +
                       R"(,"type":"event"})");
  const json j = json::parse(encoded);
  CHECK(j.at("type") == "event");
  CHECK(j.at("event") == "message.created");
  CHECK(j.at("message").at("text") == "hi \"there\"");
}
