// The seam between committing an event and delivering it. Today the bus is in-process; a
// cluster bus (NATS) will implement the same interface to carry committed events between nodes,
// each node delivering to its own connections.
#pragma once

#include <vector>

#include "chat/events.hpp"

namespace chat::detail {

// A committed event plus what routing needs and the wire format does not carry.
struct routed_event {
  event_ptr payload;
  connection_id origin = 0;               // the connection that caused it gets no copy
  std::vector<user_id> extra_recipients;  // beyond the channel's members (e.g. a removed member)
};

class event_bus {
 public:
  virtual ~event_bus() = default;
  // Called by the publisher only (routing/publisher.hpp), after the event's change committed and
  // outside every engine lock. Per channel, calls come one at a time in the order the changes
  // were applied, and implementations must preserve that order.
  virtual void publish(const routed_event& e) = 0;
};

}  // namespace chat::detail
