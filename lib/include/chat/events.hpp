// Events pushed to connected sessions, and the sink interface a transport implements.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "chat/types.hpp"

namespace chat {

enum class event_kind : std::uint8_t {
  message_created,  // a message was committed in a channel I am in
  channel_created,  // I was in a channel at its creation (group or direct)
  channel_updated,  // name or topic changed
  member_added,     // someone (possibly me) joined a channel
  member_removed,   // someone (possibly me) left or was removed
  member_role_changed,
  read_marker,      // one of my sessions moved my read marker
  presence,         // a user I share a channel with came online or went offline
  typing,           // a member is typing (ephemeral, never stored)
  session_revoked,  // this connection's session was logged out; the engine has dropped it
  user_updated,     // a user I share a channel with (or I) changed their username
};

const char* to_string(event_kind kind) noexcept;

// An immutable event. One instance is shared by every recipient; `json` is its wire encoding
// (see docs/protocol.md, "Events"), produced once per event whatever the number of recipients.
struct event {
  event_kind kind = event_kind::message_created;
  channel_id channel = 0;                     // 0 for presence
  std::optional<chat::message> message;       // message_created
  std::optional<chat::channel> channel_info;  // channel_created, channel_updated
  std::optional<chat::member> subject;        // member_*: the member concerned; typing: who
  std::optional<chat::user> user_info;        // user_updated: the user as they are now
  user_id actor = 0;                          // who caused it (0 if the server)
  seq_t read_seq = 0;                         // read_marker
  bool online = false;                        // presence
  std::string json;                           // the encoded event frame
};

using event_ptr = std::shared_ptr<const event>;

// Implemented by a transport for each connected session. deliver() is called from engine
// threads (the commit thread for messages, the caller's thread for other events, or the thread
// already delivering that channel's events), never by a thread holding an engine lock: it may
// call back into the engine (not the blocking send()). It must not block: queue the frame and
// return. Events of one channel arrive in commit order, one at a time.
class session_sink {
 public:
  virtual ~session_sink() = default;
  virtual void deliver(const event_ptr& e) = 0;
};

}  // namespace chat
