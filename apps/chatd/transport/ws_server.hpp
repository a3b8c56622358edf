// The websocketpp server, a template over plain and TLS configs: it puts together the parts of
// the transport, one concept per file (after Beast's chat examples). Private to transport/: only
// server_plain.cpp and server_tls.cpp include it (each ~15 s to compile).
//
//   endpoint.hpp             websocketpp configuration and types
//   shard.hpp                the listener: one io_context + endpoint per I/O thread (a shard)
//   handshake.hpp            WebSocket upgrades: accept or refuse, session, open and close
//   connection.hpp           what the transport keeps per WebSocket connection
//   connection_registry.hpp  the open connections, for the sweep and the shutdown
//   writer.hpp               drain passes, direct writes (direct_write.hpp), closes
//   http_bridge.hpp          HTTP requests to http::router and back, on bounded lanes
//   lifecycle.hpp            the per-second sweep and the graceful shutdown
//
// The transport never calls the engine: HTTP requests go to an http::router and WebSocket
// frames to protocol sessions made by a session_factory, both given to it. No database call
// runs on an I/O thread, so pings, pongs, closes, /healthz and /readyz answer at once while the
// database hangs: WebSocket requests run on their own lane, one at a time per connection
// (protocol/request_queue.hpp), and the handshake's cookie is checked there too, after the open.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "http/router.hpp"
#include "limits/address_limits.hpp"
#include "limits/work_lane.hpp"
#include "metrics/metrics.hpp"
#include "protocol/session.hpp"
#include "protocol/session_factory.hpp"
#include "transport/connection.hpp"
#include "transport/connection_registry.hpp"
#include "transport/endpoint.hpp"
#include "transport/handshake.hpp"
#include "transport/http_bridge.hpp"
#include "transport/lifecycle.hpp"
#include "transport/server.hpp"
#include "transport/shard.hpp"
#include "transport/writer.hpp"

namespace chat::chatd::transport {

template <typename Config>
class ws_server final : public server {
 public:
  // Every reference must outlive the server.
  ws_server(const config& settings, chatd::metrics& counters, bool tls, const http::router& router,
            const session_factory& sessions)
      : address_limits_(address_settings(settings)),
        http_(router, settings, counters, address_limits_, tls),
        request_lane_(
            settings.worker_threads, k_max_queued_sessions,
            std::chrono::duration_cast<std::chrono::milliseconds>(settings.limits.request_timeout)),
        detach_lane_(1, k_max_queued_detaches, std::chrono::hours(24 * 365)),
        lent_{request_lane_, detach_lane_, std::make_shared<std::atomic<std::int64_t>>(0)},
        shards_(settings, address_limits_, counters),
        writer_(counters),
        life_(settings, counters, shards_, connections_, writer_, http_, *lent_.sends_in_flight),
        handshake_(settings, counters, tls, sessions, lent_, connections_, writer_, http_, life_) {
    shards_.for_each_shard([this](shard<Config>& sh) {
      sh.endpoint.set_validate_handler(
          [this, &sh](websocketpp::connection_hdl h) { return handshake_.validate(sh, h); });
      sh.endpoint.set_http_handler(
          [this, &sh](websocketpp::connection_hdl h) { http_.on_http(sh, h); });
    });
  }

  ~ws_server() override { stop_lanes(); }

  // Calls fn(endpoint) for every shard's endpoint (e.g. to set the TLS init handler).
  template <typename F>
  void for_each_endpoint(F&& fn) {
    shards_.for_each_shard([&fn](shard<Config>& sh) { fn(sh.endpoint); });
  }

  bool listen() override { return shards_.listen(); }

  std::uint16_t port() const override { return shards_.port(); }

  void run() override {
    life_.start();
    shards_.run();
    writer_.close_gate();  // from here on, engine threads queue into outboxes but post nothing
    stop_lanes();
    spdlog::info("event=stopped");
  }

 private:
  static limits::address_limit_settings address_settings(const config& settings) {
    const auto& f = settings.floods;
    return {f.max_connections_per_address, f.password_rate, f.password_burst,
            f.password_rate_per_address, f.password_burst_per_address};
  }

  void stop_lanes() {
    http_.stop();
    request_lane_.stop();
    detach_lane_.stop();
  }

  // A connection has at most one job in request_lane_ (request_queue.hpp), so this bounds
  // connections with requests waiting, not requests.
  static constexpr std::size_t k_max_queued_sessions = 1 << 20;
  static constexpr std::size_t k_max_queued_detaches = 1 << 20;
  limits::address_limits address_limits_;
  // Bounded lanes of blocking work, stopped before the shards they post to go away. They are
  // declared before the shards: the endpoints destroy their connections' sessions, which may
  // still hand work to a (stopped) lane, so the lanes must outlive the shards.
  http_bridge<Config> http_;        // its lanes: --hash-threads (login, register), --workers
  limits::work_lane request_lane_;  // --workers: WebSocket requests that need the database
  limits::work_lane detach_lane_;   // one thread: engine.disconnect of closed connections
  session_resources lent_;          // the two lanes above and the sends in flight
  listener<Config> shards_;
  // After the shards, so destroyed before them: the lifecycle's timers are I/O objects of the
  // first shard's io_context.
  connection_registry<connection_state<Config>> connections_;
  writer<Config> writer_;
  lifecycle<Config> life_;  // its timers live on the first shard
  handshake<Config> handshake_;
};

}  // namespace chat::chatd::transport
