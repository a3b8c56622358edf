// A WebSocket upgrade, from the request to the close: accepts or refuses the handshake (path,
// shutdown, Origin), gives the connection its outbox and its protocol session (through the
// protocol layer's session_factory: the transport never sees the engine), wires websocketpp's
// handlers to the session, and keeps the connection in the registry while it is open.
//
// Threading: every handler runs on the connection's shard.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "http/origin.hpp"
#include "logging/logging.hpp"
#include "metrics/metrics.hpp"
#include "protocol/codes.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"
#include "protocol/session_factory.hpp"
#include "transport/connection.hpp"
#include "transport/connection_registry.hpp"
#include "transport/endpoint.hpp"
#include "transport/http_bridge.hpp"
#include "transport/lifecycle.hpp"
#include "transport/shard.hpp"
#include "transport/writer.hpp"

namespace chat::chatd::transport {

template <typename Config>
class handshake {
 public:
  using types = endpoint_types<Config>;
  using connection_ptr = typename types::connection_ptr;
  using message_ptr = typename types::message_ptr;
  using state_type = connection_state<Config>;
  using registry_type = connection_registry<state_type>;

  // Every reference must outlive the handshake and the connections it accepts.
  handshake(const config& settings, chatd::metrics& counters, bool tls,
            const session_factory& sessions, const session_resources& lent,
            registry_type& connections, writer<Config>& out, http_bridge<Config>& http,
            const lifecycle<Config>& life)
      : settings_(settings),
        counters_(counters),
        tls_(tls),
        sessions_(sessions),
        lent_(lent),
        connections_(connections),
        writer_(out),
        http_(http),
        life_(life) {}

  // websocketpp's validate handler: true accepts the upgrade.
  bool validate(shard<Config>& sh, websocketpp::connection_hdl h) {
    websocketpp::lib::error_code ec;
    connection_ptr con = sh.endpoint.get_con_from_hdl(h, ec);
    if (ec) return false;
    std::string resource = con->get_resource();
    resource = resource.substr(0, resource.find('?'));
    if (resource != "/v1/ws")
      return http_.refuse_handshake(con, 404, code::not_found, "no WebSocket endpoint here");
    if (life_.shutting_down())
      return http_.refuse_handshake(con, 503, code::unavailable, "server is shutting down");
    const std::string origin = con->get_request_header("Origin");
    const auto kind =
        http::judge_handshake_origin(origin, con->get_request_header("Host"), tls_, settings_);
    if (kind == http::handshake_origin::refused) {
      spdlog::info("event=ws.rejected reason=origin origin={}", log_value(origin));
      return http_.refuse_handshake(con, 403, code::forbidden, "origin not allowed");
    }

    auto state = std::make_shared<state_type>();
    state->con = con;
    state->home = &sh;
    state->remote = con->get_remote_endpoint();
    std::weak_ptr<state_type> weak = state;
    state->box = std::make_shared<outbox>(
        outbox::limits{settings_.limits.max_queue_bytes, settings_.limits.max_queue_frames},
        [this, weak] { writer_.schedule_drain(weak); },
        [this, weak] { writer_.on_overflow(weak); });
    // Browsers authenticate with the session cookie (their origin checked above), checked off
    // this thread once the connection is open; native clients send an auth frame instead. The
    // session factory decides which cookie counts.
    handshake_info info;
    info.browser = kind == http::handshake_origin::browser;
    info.tls = tls_;
    info.cookie_header = con->get_request_header("Cookie");
    state->sess = sessions_.make(
        info, state->box,
        [this, weak](std::uint16_t code, const std::string& reason) {
          writer_.schedule_close(weak, code, reason);
        },
        lent_);

    con->set_open_handler([this, state](websocketpp::connection_hdl h) {
      release_handshake(h);
      on_open(state);
    });
    con->set_message_handler([state](websocketpp::connection_hdl, message_ptr msg) {
      state->sess->on_frame(msg->get_payload());
    });
    con->set_pong_handler([state](websocketpp::connection_hdl, std::string) {
      state->sess->on_activity(session::clock::now());
      return;
    });
    con->set_close_handler([this, state](websocketpp::connection_hdl) { on_closed(state); });
    con->set_fail_handler([this, state](websocketpp::connection_hdl) { on_closed(state); });
    return true;
  }

 private:
  // websocketpp keeps the handshake's request and response (header maps, strings, the raw
  // request) for the connection's lifetime, ~1.9 KiB per idle connection (docs/performance.md),
  // and reads neither once the connection is open (only its handshake and fail logs do, before
  // this point). They are members with only a const getter; the objects themselves are not
  // const, so resetting them through a const_cast is defined.
  void release_handshake(websocketpp::connection_hdl h) {
    auto con = std::static_pointer_cast<typename types::connection_type>(h.lock());
    if (!con) return;
    using request_type = typename Config::request_type;
    using response_type = typename Config::response_type;
    const_cast<request_type&>(con->get_request()) = request_type();
    const_cast<response_type&>(con->get_response()) = response_type();
  }

  void on_open(const state_ptr<Config>& state) {
    state->open = true;
    counters_.connections_open.fetch_add(1, std::memory_order_relaxed);
    counters_.connections_total.fetch_add(1, std::memory_order_relaxed);
    connections_.add(state);
    spdlog::debug("event=ws.open remote={} cookie={}", log_value(state->remote),
                  state->sess->has_cookie());
    state->sess->on_open();
  }

  void on_closed(const state_ptr<Config>& state) {
    if (state->sess) {
      spdlog::debug("event=ws.close remote={} user={}", log_value(state->remote),
                    state->sess->user());
      state->sess->on_closed();
    }
    if (!state->open) return;
    state->open = false;
    counters_.connections_open.fetch_sub(1, std::memory_order_relaxed);
    connections_.remove(state);
  }

  const config& settings_;
  chatd::metrics& counters_;
  const bool tls_;
  const session_factory& sessions_;
  const session_resources& lent_;
  registry_type& connections_;
  writer<Config>& writer_;
  http_bridge<Config>& http_;
  const lifecycle<Config>& life_;
};

}  // namespace chat::chatd::transport
