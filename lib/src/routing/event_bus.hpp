// The seam between committing an event and delivering it. Today the bus is in-process; a
// cluster bus (NATS) will implement the same interface to carry committed events between nodes,
// each node delivering to its own connections.
#pragma once

#include <string>
#include <vector>

#include "chat/events.hpp"

namespace chat::detail {

// A committed event plus what routing needs and the wire format does not carry.
struct routed_event {
  event_ptr payload;
  connection_id origin = 0;               // the connection that caused it gets no copy
  std::vector<user_id> extra_recipients;  // beyond the channel's members (e.g. a removed member)
};

// Called by the publisher only (routing/publisher.hpp), outside every engine lock, with events
// it has already encoded. A cluster bus hands each call to this node's router (the local_bus
// does only that) and carries it to the other nodes, whose routers do the same.
class event_bus {
 public:
  virtual ~event_bus() = default;
  // After the event's change committed. Per channel, calls come one at a time in the order the
  // changes were applied, and implementations must preserve that order. Throws if the event
  // cannot be routed (its channel's members cannot be loaded); the publisher counts it.
  virtual void publish(const routed_event& e) = 0;
  // Ends the user's connections of a revoked session (all of the user's if `session_hash` is
  // empty), telling each with `revoked` (a session_revoked event). Returns whether the user
  // thereby lost their last connection to this node (their presence turns offline).
  virtual bool revoke(user_id user, const std::string& session_hash, const event_ptr& revoked) = 0;
};

}  // namespace chat::detail
