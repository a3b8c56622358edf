// Prepared WebSocket frames shared by all recipients: exact RFC 6455 server framing, one frame
// per event for a drain pass, and no frame for a payload websocketpp would refuse.
#include "transport/shared_frames.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <websocketpp/config/core.hpp>

using message_type = websocketpp::config::core::message_type;
using chat::chatd::transport::frame_memo;
using chat::chatd::transport::prepare_text_frame;

namespace {

chat::event_ptr event_with_json(std::string json) {
  auto e = std::make_shared<chat::event>();
  e->json = std::move(json);
  return e;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

}  // namespace

TEST_CASE("prepared_frame_is_an_unmasked_final_text_frame", "[transport]") {
  // RFC 6455 5.2: FIN + opcode 1, then a 7-bit, 16-bit or 64-bit length, no masking key.
  auto small = prepare_text_frame<message_type>("hello");
  CHECK(small->get_prepared());
  CHECK(small->get_header() == bytes({0x81, 0x05}));
  CHECK(small->get_payload() == "hello");

  auto medium = prepare_text_frame<message_type>(std::string(200, 'x'));
  CHECK(medium->get_header() == bytes({0x81, 0x7e, 0x00, 0xc8}));
  CHECK(medium->get_payload().size() == 200);

  auto large = prepare_text_frame<message_type>(std::string(70000, 'y'));
  CHECK(large->get_header() == bytes({0x81, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70}));
  CHECK(large->get_payload().size() == 70000);
}

TEST_CASE("frame_memo_builds_one_frame_per_event", "[transport]") {
  frame_memo<message_type> memo;
  auto first = event_with_json(R"({"type":"message.created","n":1})");
  auto second = event_with_json(R"({"type":"message.created","n":2})");
  auto a = memo.frame_of(first);
  auto b = memo.frame_of(first);
  auto c = memo.frame_of(second);
  REQUIRE(a);
  CHECK(a == b);  // the same shared message for every recipient
  CHECK(a != c);
  CHECK(c->get_payload() == second->json);
}

TEST_CASE("frame_memo_refuses_invalid_utf8", "[transport]") {
  frame_memo<message_type> memo;
  CHECK_FALSE(memo.frame_of(event_with_json("\xff\xfe")));
}
