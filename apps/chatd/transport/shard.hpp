// The listener: one shard per I/O thread, each an io_context with its own websocketpp endpoint
// listening on the same port (SO_REUSEPORT: the kernel spreads new connections over them). A
// connection lives on one shard for its whole life, so its handlers, drains and closes all run
// on that one thread: no strands, no locks on the write path. The listener configures the
// endpoints, admits each new TCP connection against the per-address cap, binds the port and
// runs the threads; what happens to a connection after that is set by the server through
// for_each_shard (handshake.hpp, http_bridge.hpp).
#pragma once

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/post.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "chat/version.hpp"
#include "config/config.hpp"
#include "limits/address_limits.hpp"
#include "logging/logging.hpp"
#include "metrics/metrics.hpp"
#include "transport/connection.hpp"
#include "transport/endpoint.hpp"

namespace chat::chatd::transport {

// One I/O thread: its io_context, its endpoint, and the connections waiting for its next drain
// pass (writer.hpp).
template <typename Config>
struct shard {
  asio::io_context io{1};
  // Keeps run() going while the endpoint has nothing to do (e.g. between closes at shutdown).
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  typename endpoint_types<Config>::endpoint_type endpoint;
  std::mutex ready_mutex;  // guards ready and pass_posted
  std::vector<state_ptr<Config>> ready;
  bool pass_posted = false;
};

// Engine threads (commit thread, callers of engine functions) post drains and closes to
// shards; this gate makes sure none does once the io_contexts are about to go away.
class post_gate {
 public:
  template <typename F>
  void post(asio::io_context& io, F&& fn) {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (open_) asio::post(io, std::forward<F>(fn));
  }
  void close() {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    open_ = false;
  }

 private:
  std::shared_mutex mutex_;
  bool open_ = true;  // guarded by mutex_
};

template <typename Config>
class listener {
 public:
  using shard_type = shard<Config>;
  using connection_type = typename endpoint_types<Config>::connection_type;

  // `settings`, `address_limits` and `counters` must outlive the listener.
  listener(const config& settings, limits::address_limits& address_limits, chatd::metrics& counters)
      : settings_(settings), address_limits_(address_limits), counters_(counters) {
    for (int i = 0; i < std::max(1, settings.io_threads); ++i)
      shards_.push_back(std::make_unique<shard_type>());
    for (auto& sh : shards_) init_endpoint(*sh);
  }

  // Calls fn(shard) for every shard (to set handlers on its endpoint, e.g. TLS init).
  template <typename F>
  void for_each_shard(F&& fn) {
    for (auto& sh : shards_) fn(*sh);
  }

  // The first shard's io_context: the one that runs the timers and the shutdown steps.
  asio::io_context& first_io() { return shards_.front()->io; }

  // Binds the listening socket; false (after logging why) if it cannot.
  bool listen() {
    // With several shards every acceptor sets SO_REUSEPORT, which would also let a second
    // chatd bind the same port and silently take half the connections: a plain bind first
    // proves the port is free (a running chatd's acceptors make it fail).
    if (shards_.size() > 1 && settings_.listen_port != 0 && !port_is_free()) {
      spdlog::critical("event=listen_failed address={}:{} error=\"address already in use\"",
                       log_value(settings_.listen_host), settings_.listen_port);
      return false;
    }
    std::uint16_t port = settings_.listen_port;
    for (auto& sh : shards_) {
      websocketpp::lib::error_code ec;
      sh->endpoint.listen(settings_.listen_host, std::to_string(port), ec);
      if (!ec) sh->endpoint.start_accept(ec);
      if (ec) {
        spdlog::critical("event=listen_failed address={}:{} error={}",
                         log_value(settings_.listen_host), port, log_value(ec.message()));
        return false;
      }
      if (port == 0) {
        auto local = sh->endpoint.get_local_endpoint(ec);
        if (ec) {
          spdlog::critical("event=listen_failed error={}", log_value(ec.message()));
          return false;
        }
        port = local.port();  // the other shards join the port the first one was given
      }
    }
    port_ = port;
    return true;
  }

  std::uint16_t port() const { return port_; }

  // Runs every shard's io_context, the first one on the calling thread, until stop().
  void run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < shards_.size(); ++i)
      threads.emplace_back([this, i] { shards_[i]->io.run(); });
    shards_.front()->io.run();
    for (auto& t : threads) t.join();
  }

  // Each shard stops accepting (on its own thread).
  void stop_listening() {
    for (auto& sh : shards_) {
      asio::post(sh->io, [&ep = sh->endpoint] {
        websocketpp::lib::error_code ec;
        ep.stop_listening(ec);
      });
    }
  }

  // Ends run(): every io_context stops.
  void stop() {
    for (auto& sh : shards_) sh->io.stop();
  }

  // What per-address limits count this connection against ("" if the peer is unknown).
  static std::string client_key(connection_type& con) {
    asio::error_code ec;
    const auto peer = con.get_raw_socket().remote_endpoint(ec);
    return ec ? std::string() : limits::address_key(peer.address().to_string());
  }

 private:
  static constexpr int k_listen_backlog = 65535;

  void init_endpoint(shard_type& sh) {
    auto& ep = sh.endpoint;
    ep.clear_access_channels(websocketpp::log::alevel::all);
    ep.clear_error_channels(websocketpp::log::elevel::all);
    ep.init_asio(&sh.io);
    ep.set_reuse_addr(true);
    if (shards_.size() > 1) {
      ep.set_tcp_pre_bind_handler([](const auto& acceptor) {
        asio::error_code ec;
        acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true),
                             ec);
        return ec;
      });
    }
    ep.set_max_message_size(settings_.limits.max_frame_bytes);
    ep.set_max_http_body_size(settings_.max_http_body_bytes);
    // The Server header of every HTTP response and WebSocket handshake.
    ep.set_user_agent(std::string("chatd/") + chat::version());
    ep.set_open_handshake_timeout(5000);
    ep.set_close_handshake_timeout(3000);
    // Connections the kernel completes before accept() takes them: a burst of reconnecting
    // clients (thousands in a second) overflowed 1024, and each dropped SYN cost its client a
    // 1 s retransmission. The kernel caps this at net.core.somaxconn (docs/operations.md).
    ep.set_listen_backlog(k_listen_backlog);
    // Frames are small and latency matters: without TCP_NODELAY, Nagle holds a frame back until
    // the previous one is acknowledged, and the peer's delayed ACK makes that up to 40 ms.
    ep.set_tcp_post_init_handler([this, &ep](websocketpp::connection_hdl h) {
      websocketpp::lib::error_code ec;
      if (auto con = ep.get_con_from_hdl(h, ec)) {
        asio::error_code ignored;
        con->get_raw_socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        admit(*con);
      }
    });
  }

  // Counts a new TCP connection against its address for as long as it lives. Over
  // --max-connections-per-address the socket is shut at once: websocketpp reads EOF and drops
  // the connection before reading any request, so its descriptor is freed right away.
  void admit(connection_type& con) {
    const std::string key = client_key(con);
    if (key.empty()) return;
    auto slot = address_limits_.open_connection(key);
    if (!slot) {
      counters_.connections_over_address_cap.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("event=connection_refused reason=address_cap address={}", log_value(key));
      asio::error_code ignored;
      con.get_raw_socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      return;
    }
    // The connection keeps the slot until it is destroyed. websocketpp has no per-connection
    // user data; chatd never interrupts connections, so this handler only holds the slot.
    con.set_interrupt_handler([slot](websocketpp::connection_hdl) {});
  }

  bool port_is_free() const {
    asio::io_context io;
    asio::error_code ec;
    asio::ip::tcp::acceptor probe(io);
    auto address = asio::ip::make_address(settings_.listen_host, ec);
    if (ec) return true;  // a host name: let listen() resolve it and report
    asio::ip::tcp::endpoint where(address, settings_.listen_port);
    probe.open(where.protocol(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(where, ec);
    return ec != asio::error::address_in_use;
  }

  const config& settings_;
  limits::address_limits& address_limits_;
  chatd::metrics& counters_;
  std::vector<std::unique_ptr<shard_type>> shards_;
  std::uint16_t port_ = 0;
};

}  // namespace chat::chatd::transport
