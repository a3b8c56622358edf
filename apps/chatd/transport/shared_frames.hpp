// WebSocket frames encoded once and shared by every connection that sends them.
//
// websocketpp's send(payload) allocates two messages per call and copies the payload twice
// (and re-validates its UTF-8) — per recipient. An engine event has one JSON encoding for all
// its recipients, so it gets one prepared (header + payload, unmasked, server side) message
// that every recipient's send queue holds by shared_ptr: no copy, no allocation per delivery.
//
// Threading: a frame_memo belongs to one I/O thread and lives for one drain pass; prepared
// messages are immutable once built and may be read by any number of connections at once.
#pragma once

#include <memory>
#include <string_view>
#include <unordered_map>
#include <websocketpp/frame.hpp>
#include <websocketpp/utf8_validator.hpp>

#include "chat/events.hpp"

namespace chat::chatd::transport {

template <typename Message>
std::shared_ptr<Message> prepare_text_frame(std::string_view payload) {
  auto msg = std::make_shared<Message>(nullptr, websocketpp::frame::opcode::text, 0);
  msg->set_payload(payload.data(), payload.size());
  websocketpp::frame::basic_header header(websocketpp::frame::opcode::text, payload.size(),
                                          /*fin=*/true, /*masked=*/false);
  websocketpp::frame::extended_header extended(payload.size());
  msg->set_header(websocketpp::frame::prepare_header(header, extended));
  msg->set_prepared(true);
  return msg;
}

// The prepared frames of the events met during one drain pass over many connections.
template <typename Message>
class frame_memo {
 public:
  using message_ptr = std::shared_ptr<Message>;

  // The shared frame of `e`, built on first use. Null if the event's encoding is not valid
  // UTF-8 (never expected: the engine's encoder replaces invalid bytes).
  const message_ptr& frame_of(const chat::event_ptr& e) {
    auto [it, inserted] = frames_.try_emplace(e.get());
    if (inserted) {
      // Holding the event keeps its address from being reused by a new event in this pass.
      it->second.event = e;
      if (websocketpp::utf8_validator::validate(e->json))
        it->second.frame = prepare_text_frame<Message>(e->json);
    }
    return it->second.frame;
  }

 private:
  struct entry {
    chat::event_ptr event;
    message_ptr frame;
  };
  std::unordered_map<const chat::event*, entry> frames_;
};

}  // namespace chat::chatd::transport
