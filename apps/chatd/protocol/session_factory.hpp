// Makes the protocol session of each accepted WebSocket handshake: the transport's one way in to
// the protocol layer, so that the transport never sees the engine. It also decides which cookie
// authenticates a connection: only a browser's (an allowed Origin) session cookie, checked by
// the session once the connection is open (session::on_open).
//
// Thread-safe: make() keeps no state; any I/O thread may call it.
#pragma once

#include <memory>
#include <string>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"

namespace chat::chatd {

// What the transport read from an accepted handshake.
struct handshake_info {
  bool browser = false;       // it came with an allowed Origin (http::handshake_origin::browser)
  bool tls = false;           // over wss://
  std::string cookie_header;  // its Cookie header ("" if none)
};

class session_factory {
 public:
  // All three must outlive the factory and every session it makes.
  session_factory(chat::engine& engine, const config& settings, chatd::metrics& counters)
      : engine_(engine), settings_(settings), counters_(counters) {}

  // The session of one connection; `lent` must outlive it (session's constructor).
  std::shared_ptr<session> make(const handshake_info& handshake, std::shared_ptr<outbox> out,
                                session::close_fn close, const session_resources& lent) const;

  // The session token a handshake authenticates with: its session cookie if it is a
  // browser's ("" if none). Native clients send an auth frame instead, cookie or not.
  std::string cookie_token(const handshake_info& handshake) const;

 private:
  chat::engine& engine_;
  const config& settings_;
  chatd::metrics& counters_;
};

}  // namespace chat::chatd
