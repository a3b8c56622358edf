// The timers of a running server: the per-second sweep (keep-alive pings, idle and
// authentication timeouts, overdue requests) and the graceful shutdown on SIGINT/SIGTERM.
//
// Shutdown: stop accepting; wait (up to --shutdown-grace) until the sends already submitted are
// committed and acknowledged (the transport's own in-flight count, lent to the sessions); then
// drain every connection and close it with 1001, wait until they are closed and the HTTP
// requests being handled are answered, and stop the shards.
//
// Threading: the timers and every shutdown step run on the first shard's thread; per-connection
// work is posted to the connection's shard.
#pragma once

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "protocol/codes.hpp"
#include "protocol/session.hpp"
#include "transport/connection.hpp"
#include "transport/connection_registry.hpp"
#include "transport/http_bridge.hpp"
#include "transport/shard.hpp"
#include "transport/writer.hpp"

namespace chat::chatd::transport {

template <typename Config>
class lifecycle {
 public:
  using registry_type = connection_registry<connection_state<Config>>;

  // Every reference must outlive the lifecycle; the timers live on the listener's first shard.
  lifecycle(const config& settings, chatd::metrics& counters, listener<Config>& shards,
            registry_type& connections, writer<Config>& out, const http_bridge<Config>& http,
            const std::atomic<std::int64_t>& sends_in_flight)
      : settings_(settings),
        counters_(counters),
        shards_(shards),
        connections_(connections),
        writer_(out),
        http_(http),
        sends_in_flight_(sends_in_flight),
        sweep_timer_(shards.first_io()),
        signals_(shards.first_io(), SIGINT, SIGTERM) {}

  // Arms the signals and the sweep; call before the shards run.
  void start() {
    signals_.async_wait([this](const std::error_code& ec, int signal) {
      if (!ec) begin_shutdown(signal);
    });
    schedule_sweep();
  }

  // From the first signal on: new handshakes are refused with 503.
  bool shutting_down() const { return shutting_down_; }

 private:
  void schedule_sweep() {
    sweep_timer_.expires_after(std::chrono::seconds(1));
    sweep_timer_.async_wait([this](const std::error_code& ec) {
      if (ec || shutting_down_) return;
      sweep();
      schedule_sweep();
    });
  }

  void sweep() {
    const auto now = session::clock::now();
    const bool ping = now - last_ping_ >= settings_.limits.ping_interval;
    if (ping) last_ping_ = now;
    for (auto& state : connections_.snapshot()) {
      asio::post(state->home->io, [this, state, now, ping] {
        if (state->closing || !state->sess) return;
        state->sess->expire_requests(now);
        if (auto code = state->sess->expired(now)) {
          writer_.close_now(*state, *code,
                            *code == close_code::idle ? "idle_timeout" : "authentication_timeout");
        } else if (ping) {
          if (auto con = state->con.lock()) {
            websocketpp::lib::error_code ec;
            con->ping("", ec);
          }
        }
      });
    }
  }

  void begin_shutdown(int signal) {
    if (shutting_down_.exchange(true)) return;
    spdlog::info("event=shutdown signal={} connections={}", signal,
                 counters_.connections_open.load());
    shards_.stop_listening();
    sweep_timer_.cancel();
    shutdown_deadline_ = std::chrono::steady_clock::now() + settings_.shutdown_grace;
    wait_for_sends();
  }

  // Phase 1: sends already submitted get committed and acknowledged.
  void wait_for_sends() {
    if (sends_in_flight_.load(std::memory_order_acquire) > 0 &&
        std::chrono::steady_clock::now() < shutdown_deadline_) {
      return after(std::chrono::milliseconds(10), [this] { wait_for_sends(); });
    }
    for (auto& state : connections_.snapshot()) {
      asio::post(state->home->io, [this, state] {
        writer_.drain(*state);
        writer_.close_now(*state, close_code::going_away, "server shutting down");
      });
    }
    wait_for_closes();
  }

  // Phase 2: queued frames are written, every WebSocket closes with 1001, and HTTP requests
  // being handled get their responses.
  void wait_for_closes() {
    const bool empty = connections_.empty();
    if ((!empty || http_.in_flight() > 0) &&
        std::chrono::steady_clock::now() < shutdown_deadline_) {
      return after(std::chrono::milliseconds(10), [this] { wait_for_closes(); });
    }
    if (!empty) spdlog::warn("event=shutdown_timeout");
    shards_.stop();
  }

  template <typename F>
  void after(std::chrono::milliseconds delay, F fn) {
    auto timer = std::make_shared<asio::steady_timer>(shards_.first_io(), delay);
    timer->async_wait([timer, fn](const std::error_code&) { fn(); });
  }

  const config& settings_;
  chatd::metrics& counters_;
  listener<Config>& shards_;
  registry_type& connections_;
  writer<Config>& writer_;
  const http_bridge<Config>& http_;
  const std::atomic<std::int64_t>& sends_in_flight_;
  // On the first shard, like the shutdown steps they drive.
  asio::steady_timer sweep_timer_;
  asio::signal_set signals_;
  std::atomic<bool> shutting_down_{false};
  std::chrono::steady_clock::time_point shutdown_deadline_;
  session::clock::time_point last_ping_ = session::clock::now();
};

}  // namespace chat::chatd::transport
