// One WebSocket connection as the transport keeps it: the websocketpp connection, the shard it
// lives on, its outbox and its protocol session (Beast's websocket_session, minus the protocol).
//
// Threading: everything but `box` is touched only on the connection's shard (its home); the
// engine pushes into `box` from its own threads.
#pragma once

#include <memory>
#include <string>

#include "protocol/outbox.hpp"
#include "protocol/session.hpp"
#include "transport/endpoint.hpp"

namespace chat::chatd::transport {

template <typename Config>
struct shard;

template <typename Config>
struct connection_state {
  std::weak_ptr<typename endpoint_types<Config>::connection_type> con;
  shard<Config>* home = nullptr;
  std::shared_ptr<outbox> box;
  std::shared_ptr<session> sess;
  std::string remote;
  bool open = false;
  bool closing = false;
};

template <typename Config>
using state_ptr = std::shared_ptr<connection_state<Config>>;

}  // namespace chat::chatd::transport
