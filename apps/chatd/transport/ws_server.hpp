// The websocketpp adapter, a template over plain and TLS configs. Private to transport/: only
// server_plain.cpp and server_tls.cpp include it (each ~15 s to compile).
//
// Threads: one io_context per I/O thread (a "shard"), each with its own websocketpp endpoint
// listening on the same port (SO_REUSEPORT: the kernel spreads new connections over them). A
// connection lives on one shard for its whole life, so its handlers, drains and closes all run
// on that one thread: no strands, no locks on the write path. The engine delivers events into
// connection outboxes from its own threads; a shard collects the outboxes that became ready and
// drains them all in one posted pass (one wake-up per shard per commit batch, not one per
// recipient), sending each event as one prepared frame shared by all recipients.
// No database call runs on an I/O thread, so pings, pongs, closes, /healthz and /readyz answer
// at once while the database hangs. HTTP requests that need no database and no hashing are
// answered on the I/O thread; the rest wait in bounded lanes (limits/work_lane.hpp): password
// work and database work each have their own threads (docs/security.md). WebSocket requests
// run on their own lane, one at a time per connection (protocol/request_queue.hpp); the
// handshake's cookie is checked there too, after the open.
#pragma once

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#include <websocketpp/server.hpp>

#include "chat/version.hpp"
#include "http/message.hpp"
#include "http/origin.hpp"
#include "http/router.hpp"
#include "limits/address_limits.hpp"
#include "limits/work_lane.hpp"
#include "logging/logging.hpp"
#include "protocol/codes.hpp"
#include "protocol/frames.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"
#include "transport/body_drain.hpp"
#include "transport/direct_write.hpp"
#include "transport/http_request.hpp"
#include "transport/server.hpp"
#include "transport/shared_frames.hpp"

namespace chat::chatd::transport {

// One thread per endpoint: websocketpp needs no strands. Small per-connection buffers: an idle
// connection should cost a few KiB, not 16+ (the read buffer is inline in each connection).
// DirectWrites (plain TCP only): drains write prepared frames straight to the socket
// (direct_write.hpp); TLS connections write through websocketpp and the TLS stream.
template <typename Base, bool DirectWrites>
struct chatd_config : public Base {
  typedef chatd_config type;
  typedef Base base;
  struct transport_config : public Base::transport_config {
    static const bool enable_multithreading = false;
    typedef http_request request_type;
  };
  typedef http_request request_type;  // refuses chunked and oversized bodies our way
  typedef std::conditional_t<DirectWrites, direct_write_endpoint<transport_config>,
                             websocketpp::transport::asio::endpoint<transport_config>>
      transport_type;
  static constexpr bool direct_writes = DirectWrites;
  static const std::size_t connection_read_buffer_size = 512;  // requests are small
  static const long timeout_open_handshake = 5000;
  static const long timeout_close_handshake = 3000;
  static const websocketpp::log::level elog_level = websocketpp::log::elevel::none;
  static const websocketpp::log::level alog_level = websocketpp::log::alevel::none;
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
class ws_server final : public server {
 public:
  using endpoint_type = websocketpp::server<Config>;
  using connection_type = typename endpoint_type::connection_type;
  using connection_ptr = typename endpoint_type::connection_ptr;
  using message_ptr = typename endpoint_type::message_ptr;
  using message_type = typename Config::message_type;

  ws_server(chat::engine& engine, const config& settings, chatd::metrics& counters, bool tls,
            const http::oidc_routes* oidc = nullptr)
      : engine_(engine),
        settings_(settings),
        counters_(counters),
        tls_(tls),
        router_(engine, settings, counters, oidc),
        address_limits_(address_settings(settings)),
        password_lane_(settings.floods.hash_threads, settings.floods.max_queued_requests,
                       settings.floods.queue_timeout),
        database_lane_(settings.worker_threads, settings.floods.max_queued_requests,
                       settings.floods.queue_timeout),
        request_lane_(
            settings.worker_threads, k_max_queued_sessions,
            std::chrono::duration_cast<std::chrono::milliseconds>(settings.limits.request_timeout)),
        detach_lane_(1, k_max_queued_detaches, std::chrono::hours(24 * 365)) {
    for (int i = 0; i < std::max(1, settings.io_threads); ++i)
      shards_.push_back(std::make_unique<shard>());
    for (auto& sh : shards_) init_endpoint(*sh);
    sweep_timer_.emplace(shards_.front()->io);
    signals_.emplace(shards_.front()->io, SIGINT, SIGTERM);
  }

  ~ws_server() override { stop_lanes(); }

  // Calls fn(endpoint) for every shard's endpoint (e.g. to set the TLS init handler).
  template <typename F>
  void for_each_endpoint(F&& fn) {
    for (auto& sh : shards_) fn(sh->endpoint);
  }

  bool listen() override {
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

  std::uint16_t port() const override { return port_; }

  void run() override {
    signals_->async_wait([this](const std::error_code& ec, int signal) {
      if (!ec) begin_shutdown(signal);
    });
    schedule_sweep();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < shards_.size(); ++i)
      threads.emplace_back([this, i] { shards_[i]->io.run(); });
    shards_.front()->io.run();
    for (auto& t : threads) t.join();
    gate_.close();  // from here on, engine threads queue into outboxes but post nothing
    stop_lanes();
    spdlog::info("event=stopped");
  }

 private:
  struct connection_state;
  using state_ptr = std::shared_ptr<connection_state>;

  // One I/O thread: its io_context, its endpoint, and the outboxes waiting for its next drain.
  struct shard {
    asio::io_context io{1};
    // Keeps run() going while the endpoint has nothing to do (e.g. between closes at shutdown).
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    endpoint_type endpoint;
    std::mutex ready_mutex;  // guards ready and pass_posted
    std::vector<state_ptr> ready;
    bool pass_posted = false;
  };

  // Per-connection state. Everything but `box` is touched only on the connection's shard.
  struct connection_state {
    std::weak_ptr<connection_type> con;
    shard* home = nullptr;
    std::shared_ptr<outbox> box;
    std::shared_ptr<session> sess;
    std::string cookie_token;  // the handshake's session cookie, checked after the open
    std::string remote;
    bool open = false;
    bool closing = false;
  };

  void init_endpoint(shard& sh) {
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
    ep.set_listen_backlog(1024);
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
    ep.set_validate_handler([this, &sh](websocketpp::connection_hdl h) { return validate(sh, h); });
    ep.set_http_handler([this, &sh](websocketpp::connection_hdl h) { on_http(sh, h); });
  }

  static limits::address_limit_settings address_settings(const config& settings) {
    const auto& f = settings.floods;
    return {f.max_connections_per_address, f.password_rate, f.password_burst,
            f.password_rate_per_address, f.password_burst_per_address};
  }

  // What per-address limits count this connection against ("" if the peer is unknown).
  static std::string client_key(connection_type& con) {
    asio::error_code ec;
    const auto peer = con.get_raw_socket().remote_endpoint(ec);
    return ec ? std::string() : limits::address_key(peer.address().to_string());
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

  // ---- WebSocket lifecycle ---------------------------------------------------------------
  bool validate(shard& sh, websocketpp::connection_hdl h) {
    websocketpp::lib::error_code ec;
    connection_ptr con = sh.endpoint.get_con_from_hdl(h, ec);
    if (ec) return false;
    std::string resource = con->get_resource();
    resource = resource.substr(0, resource.find('?'));
    if (resource != "/v1/ws")
      return reject(con, 404, code::not_found, "no WebSocket endpoint here");
    if (shutting_down_) return reject(con, 503, "unavailable", "server is shutting down");
    const std::string origin = con->get_request_header("Origin");
    const auto kind =
        http::judge_handshake_origin(origin, con->get_request_header("Host"), tls_, settings_);
    if (kind == http::handshake_origin::refused) {
      spdlog::info("event=ws.rejected reason=origin origin={}", log_value(origin));
      return reject(con, 403, "forbidden", "origin not allowed");
    }

    auto state = std::make_shared<connection_state>();
    state->con = con;
    state->home = &sh;
    state->remote = con->get_remote_endpoint();
    // Browsers authenticate with the session cookie (their origin checked above), checked off
    // this thread once the connection is open; native clients send an auth frame instead. A
    // stale cookie falls back to the auth frame.
    if (kind == http::handshake_origin::browser) {
      if (auto token = http::session_cookie(con->get_request_header("Cookie"),
                                            http::secure_cookies(tls_, settings_))) {
        state->cookie_token = *token;
      }
    }
    std::weak_ptr<connection_state> weak = state;
    state->box = std::make_shared<outbox>(
        outbox::limits{settings_.limits.max_queue_bytes, settings_.limits.max_queue_frames},
        [this, weak] { schedule_drain(weak); }, [this, weak] { on_overflow(weak); });
    state->sess = std::make_shared<session>(
        engine_, settings_.limits, counters_, state->box,
        [this, weak](std::uint16_t code, const std::string& reason) {
          schedule_close(weak, code, reason);
        },
        request_lane_, detach_lane_);

    con->set_open_handler([this, state](websocketpp::connection_hdl) { on_open(state); });
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

  bool reject(const connection_ptr& con, int status, const char* code, const char* message) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(status));
    set_headers(*con, {{"Content-Type", "application/json"}});
    con->set_body(std::string(R"({"error":)") + error_object(code, message) + "}");
    return false;
  }

  void on_open(const state_ptr& state) {
    state->open = true;
    counters_.connections_open.fetch_add(1, std::memory_order_relaxed);
    counters_.connections_total.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connections_.push_back(state);
    }
    spdlog::debug("event=ws.open remote={} cookie={}", log_value(state->remote),
                  !state->cookie_token.empty());
    if (!state->cookie_token.empty()) {
      state->sess->authenticate_with_cookie(state->cookie_token);
      state->cookie_token.clear();
    }
  }

  void on_closed(const state_ptr& state) {
    if (state->sess) {
      spdlog::debug("event=ws.close remote={} user={}", log_value(state->remote),
                    state->sess->user());
      state->sess->on_closed();
    }
    if (!state->open) return;
    state->open = false;
    counters_.connections_open.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(connections_.begin(), connections_.end(), state);
    if (it != connections_.end()) {
      *it = connections_.back();
      connections_.pop_back();
    }
  }

  // ---- Output ----------------------------------------------------------------------------
  // Called on the pushing thread when a connection's outbox goes from empty to non-empty. The
  // shard drains every ready connection in one pass: one post (and at most one wake-up of its
  // thread) however many of its connections a commit batch reached.
  void schedule_drain(const std::weak_ptr<connection_state>& weak) {
    auto state = weak.lock();
    if (!state) return;
    shard& sh = *state->home;
    bool post = false;
    {
      std::lock_guard<std::mutex> lock(sh.ready_mutex);
      sh.ready.push_back(std::move(state));
      post = !std::exchange(sh.pass_posted, true);
    }
    if (post) gate_.post(sh.io, [this, &sh] { drain_ready(sh); });
  }

  void drain_ready(shard& sh) {
    std::vector<state_ptr> ready;
    {
      std::lock_guard<std::mutex> lock(sh.ready_mutex);
      ready.swap(sh.ready);
      sh.pass_posted = false;
    }
    frame_memo<message_type> frames;
    for (auto& state : ready) drain(*state, &frames);
  }

  // Writes a connection's queued frames: straight to the socket when its transport can and
  // is idle (one sendmsg for all of them), else through websocketpp, which writes everything
  // queued in one gathered write. Event frames come prepared and shared from `frames`.
  void drain(connection_state& state, frame_memo<message_type>* frames = nullptr) {
    auto queued = state.box->take();
    connection_ptr con = state.con.lock();
    if (!con || queued.empty()) return;
    std::vector<message_ptr> prepared(queued.size());
    for (std::size_t i = 0; i < queued.size(); ++i) {
      if (queued[i].event && frames) prepared[i] = frames->frame_of(queued[i].event);
    }
    std::size_t first = 0;  // first frame not yet handed over
    bool failed = false;
    if constexpr (Config::direct_writes) {
      if (con->get_state() == websocketpp::session::state::open && con->write_idle() &&
          con->get_buffered_amount() == 0) {
        const auto direct = write_direct(*con, queued, prepared);
        first = direct.frames;
        failed = direct.what == connection_type::outcome::failed;
      }
    }
    std::uint64_t bytes = 0;
    std::uint64_t delivered = 0;
    bool revoked = false;
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (std::size_t i = 0; i < queued.size() && !failed; ++i) {
      const auto& f = queued[i];
      const auto payload = f.payload();
      if (i >= first) {
        websocketpp::lib::error_code ec;
        if (prepared[i]) {
          ec = con->send(prepared[i]);
        } else {
          ec = con->send(payload.data(), payload.size(), websocketpp::frame::opcode::text);
        }
        if (ec) break;  // closing: the rest cannot be sent either
      }
      bytes += payload.size();
      if (f.event && f.event->kind == chat::event_kind::session_revoked) {
        // The engine has dropped this connection; nothing after the event is meant for it.
        revoked = true;
        break;
      }
      if (f.event && f.event->kind == chat::event_kind::message_created && f.event->message) {
        ++delivered;
        counters_.observe_delivery_latency(
            static_cast<double>(now_ms - f.event->message->created_at));
      }
    }
    counters_.frames_out.fetch_add(queued.size(), std::memory_order_relaxed);
    counters_.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
    if (delivered) counters_.messages_delivered.fetch_add(delivered, std::memory_order_relaxed);
    if (failed) return close_now(state, close_code::going_away, "write failed");
    if (revoked) {
      spdlog::info("event=ws.session_revoked remote={} user={}", log_value(state.remote),
                   state.sess ? state.sess->user() : 0);
      return close_now(state, close_code::auth_failed, "session revoked");
    }
    std::size_t backlog = con->get_buffered_amount();
    if constexpr (Config::direct_writes) backlog += con->pending_remainder_bytes();
    state.box->set_transport_backlog(backlog);
    state.box->check_backlog();
  }

  // The direct half of drain(): the frames up to a session_revoked event (nothing after it
  // is sent) as header + payload buffers; frames that are not shared events are framed here.
  auto write_direct(connection_type& con, const std::vector<outgoing_frame>& queued,
                    std::vector<message_ptr>& prepared) {
    std::vector<iovec> iov;
    iov.reserve(queued.size() * 2);
    for (std::size_t i = 0; i < queued.size(); ++i) {
      if (!prepared[i]) {
        const auto payload = queued[i].payload();
        websocketpp::utf8_validator::validator utf8;
        if (!utf8.decode(payload.begin(), payload.end()) || !utf8.complete()) break;
        prepared[i] = prepare_text_frame<message_type>(payload);
      }
      const std::string& header = prepared[i]->get_header();
      const std::string& payload = prepared[i]->get_payload();
      iov.push_back({const_cast<char*>(header.data()), header.size()});
      iov.push_back({const_cast<char*>(payload.data()), payload.size()});
      if (queued[i].event && queued[i].event->kind == chat::event_kind::session_revoked) break;
    }
    return con.write_direct(iov, 2);
  }

  void on_overflow(const std::weak_ptr<connection_state>& weak) {
    auto state = weak.lock();
    if (!state) return;
    counters_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
    gate_.post(state->home->io, [this, state] {
      spdlog::warn("event=ws.slow_consumer remote={} user={}", log_value(state->remote),
                   state->sess ? state->sess->user() : 0);
      close_now(*state, close_code::slow_consumer, "slow_consumer");
    });
  }

  void schedule_close(const std::weak_ptr<connection_state>& weak, std::uint16_t code,
                      const std::string& reason) {
    auto state = weak.lock();
    if (!state) return;
    gate_.post(state->home->io, [this, state, code, reason] {
      drain(*state);  // what was queued before the close goes out first
      close_now(*state, code, reason);
    });
  }

  void close_now(connection_state& state, std::uint16_t code, const std::string& reason) {
    if (state.closing) return;
    state.closing = true;
    state.box->shut();
    if (auto con = state.con.lock()) {
      websocketpp::lib::error_code ec;
      con->close(code, reason, ec);
    }
  }

  // ---- HTTP ------------------------------------------------------------------------------
  void on_http(shard& sh, websocketpp::connection_hdl h) {
    websocketpp::lib::error_code ec;
    connection_ptr con = sh.endpoint.get_con_from_hdl(h, ec);
    if (ec) return;
    const auto& raw = con->get_request();
    http::request req;
    req.method = raw.get_method();
    const std::string& uri = raw.get_uri();
    const auto question = uri.find('?');
    req.path = uri.substr(0, question);
    if (question != std::string::npos) req.query = uri.substr(question + 1);
    for (const auto& [name, value] : raw.get_headers()) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      req.headers[lower] = value;
    }
    req.body = raw.get_body();
    req.tls = tls_;
    req.remote = con->get_remote_endpoint();
    req.client = client_key(*con);
    if (con->defer_http_response()) return;
    http_in_flight_.fetch_add(1);
    if (raw.refusal() != 0) return refuse_body(con, std::move(req));
    using lane = http::router::lane;
    switch (http::router::lane_of(req)) {
      case lane::inline_io:
        return respond(*con, router_.handle(req), req);
      case lane::database:
        return enqueue(database_lane_, sh, con, std::move(req));
      case lane::password:
        if (auto wait = address_limits_.take_password_token(req.client,
                                                            limits::token_bucket::clock::now())) {
          counters_.password_rate_limited.fetch_add(1, std::memory_order_relaxed);
          return respond(*con,
                         retry_later(429, code::rate_limited,
                                     "too many login or register requests; slow down", wait),
                         req);
        }
        return enqueue(password_lane_, sh, con, std::move(req));
    }
  }

  // A body websocketpp cannot take (http_request.hpp): 413 over --max-http-body-bytes, 411 for
  // Transfer-Encoding. Over plain TCP the body is read and discarded first (body_drain.hpp), so
  // the client reads the answer instead of a reset.
  void refuse_body(const connection_ptr& con, http::request req) {
    const auto& raw = con->get_request();
    http::response res =
        raw.refusal() == 413
            ? http::error_response(413, "body_too_large",
                                   "the request body is over " +
                                       std::to_string(settings_.max_http_body_bytes) + " bytes")
            : http::error_response(411, "length_required",
                                   "send the body with Content-Length (chunked is not read)");
    using raw_socket = std::decay_t<decltype(con->get_raw_socket())>;
    if constexpr (std::is_same_v<raw_socket, asio::ip::tcp::socket>) {
      const std::size_t remaining =
          raw.refusal() == 411
              ? k_until_chunked_end
              : raw.refused_length() - std::min(raw.refused_length(), raw.refused_bytes_read());
      return body_drain<raw_socket>::start(
          con->get_raw_socket(), remaining, raw.refused_tail(),
          [this, con, res = std::move(res), req = std::move(req)] { respond(*con, res, req); });
    }
    respond(*con, res, req);
  }

  // Queues a blocking request on `lane`; its response is sent from the connection's shard. A
  // full lane answers 503 at once; a request that waited past --queue-timeout, or whose client
  // closed the connection meanwhile, is answered 503 without running.
  void enqueue(limits::work_lane& lane, shard& sh, const connection_ptr& con, http::request req) {
    auto shared = std::make_shared<const http::request>(std::move(req));
    limits::work_lane::job job;
    job.client_gone = [con] { return peer_closed(*con); };
    job.run = [this, &sh, con, shared] {
      counters_.http_queued.fetch_sub(1, std::memory_order_relaxed);
      http::response res = router_.handle(*shared);
      asio::post(sh.io, [this, con, shared, res = std::move(res)] { respond(*con, res, *shared); });
    };
    job.refused = [this, &sh, con, shared](limits::work_lane::refusal why) {
      counters_.http_queued.fetch_sub(1, std::memory_order_relaxed);
      const bool gone = why == limits::work_lane::refusal::client_gone;
      (gone ? counters_.http_abandoned : counters_.http_busy)
          .fetch_add(1, std::memory_order_relaxed);
      http::response res = retry_later(503, "unavailable", "server busy; retry later", 1);
      asio::post(sh.io, [this, con, shared, res = std::move(res)] { respond(*con, res, *shared); });
    };
    counters_.http_queued.fetch_add(1, std::memory_order_relaxed);
    if (!lane.submit(std::move(job))) {
      counters_.http_queued.fetch_sub(1, std::memory_order_relaxed);
      counters_.http_busy.fetch_add(1, std::memory_order_relaxed);
      respond(*con, retry_later(503, "unavailable", "server busy; retry later", 1), *shared);
    }
  }

  static http::response retry_later(int status, const char* code, const char* message,
                                    std::uint32_t seconds) {
    http::response r = http::error_response(status, code, message);
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
  }

  // Whether the client closed (or reset) its side of the connection. Only peeks: the request
  // was read already and nothing else reads this socket while its response is deferred.
  static bool peer_closed(connection_type& con) {
    char byte = 0;
    const ssize_t n =
        ::recv(con.get_raw_socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return n == 0;  // 0: orderly close; more bytes: still there
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }

  // On the connection's shard.
  void respond(connection_type& con, const http::response& res, const http::request& req) {
    spdlog::debug("event=http method={} path={} status={}", log_value(req.method),
                  log_value(req.path), res.status);
    con.set_status(static_cast<websocketpp::http::status_code::value>(res.status));
    set_headers(con, res.headers);
    con.append_header("Connection", "close");  // websocketpp closes after each response
    con.set_body(res.body);
    websocketpp::lib::error_code ec;
    con.send_http_response(ec);
    http_in_flight_.fetch_sub(1);
  }

  void stop_lanes() {
    password_lane_.stop();
    database_lane_.stop();
    request_lane_.stop();
    detach_lane_.stop();
  }

  // Every HTTP response chatd sends goes through here: it adds the security headers
  // (http::add_security_headers). websocketpp keeps one value per header name (append_header
  // joins with ", ", which breaks Set-Cookie). It writes "name: value\r\n" verbatim, so repeated
  // Set-Cookie values are joined with "\r\nSet-Cookie: ". Our values never contain CR/LF; any
  // that would are dropped.
  void set_headers(connection_type& con,
                   std::vector<std::pair<std::string, std::string>> headers) const {
    http::add_security_headers(headers, tls_);
    std::string set_cookie;
    for (const auto& [name, value] : headers) {
      if (value.find_first_of("\r\n") != std::string::npos) {
        spdlog::error("event=http.bad_header name={}", log_value(name));
        continue;
      }
      if (name == "Set-Cookie") {
        set_cookie += (set_cookie.empty() ? "" : "\r\nSet-Cookie: ") + value;
      } else {
        con.append_header(name, value);
      }
    }
    if (!set_cookie.empty()) con.replace_header("Set-Cookie", set_cookie);
  }

  // ---- Timers: keep-alive pings, idle and auth timeouts, shutdown --------------------------
  void schedule_sweep() {
    sweep_timer_->expires_after(std::chrono::seconds(1));
    sweep_timer_->async_wait([this](const std::error_code& ec) {
      if (ec || shutting_down_) return;
      sweep();
      schedule_sweep();
    });
  }

  std::vector<state_ptr> snapshot() {
    std::lock_guard<std::mutex> lock(mutex_);
    return connections_;
  }

  void sweep() {
    const auto now = session::clock::now();
    const bool ping = now - last_ping_ >= settings_.limits.ping_interval;
    if (ping) last_ping_ = now;
    for (auto& state : snapshot()) {
      asio::post(state->home->io, [this, state, now, ping] {
        if (state->closing || !state->sess) return;
        state->sess->expire_requests(now);
        if (auto code = state->sess->expired(now)) {
          close_now(*state, *code,
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
    for (auto& sh : shards_) {
      asio::post(sh->io, [&ep = sh->endpoint] {
        websocketpp::lib::error_code ec;
        ep.stop_listening(ec);
      });
    }
    sweep_timer_->cancel();
    shutdown_deadline_ = std::chrono::steady_clock::now() + settings_.shutdown_grace;
    wait_for_sends();
  }

  // Phase 1: sends already submitted get committed and acknowledged.
  void wait_for_sends() {
    if (counters_.sends_in_flight.load(std::memory_order_acquire) > 0 &&
        std::chrono::steady_clock::now() < shutdown_deadline_) {
      return after(std::chrono::milliseconds(10), [this] { wait_for_sends(); });
    }
    for (auto& state : snapshot()) {
      asio::post(state->home->io, [this, state] {
        drain(*state);
        close_now(*state, close_code::going_away, "server shutting down");
      });
    }
    wait_for_closes();
  }

  // Phase 2: queued frames are written, every WebSocket closes with 1001, and HTTP requests
  // being handled get their responses.
  void wait_for_closes() {
    bool empty;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      empty = connections_.empty();
    }
    if ((!empty || http_in_flight_.load() > 0) &&
        std::chrono::steady_clock::now() < shutdown_deadline_) {
      return after(std::chrono::milliseconds(10), [this] { wait_for_closes(); });
    }
    if (!empty) spdlog::warn("event=shutdown_timeout");
    for (auto& sh : shards_) sh->io.stop();
  }

  template <typename F>
  void after(std::chrono::milliseconds delay, F fn) {
    auto timer = std::make_shared<asio::steady_timer>(shards_.front()->io, delay);
    timer->async_wait([timer, fn](const std::error_code&) { fn(); });
  }

  chat::engine& engine_;
  const config& settings_;
  chatd::metrics& counters_;
  const bool tls_;
  http::router router_;
  // Bounded lanes of blocking HTTP work (stopped before the shards they post to go away).
  // A connection has at most one job in request_lane_ (request_queue.hpp), so this bounds
  // connections with requests waiting, not requests.
  static constexpr std::size_t k_max_queued_sessions = 1 << 20;
  static constexpr std::size_t k_max_queued_detaches = 1 << 20;
  limits::address_limits address_limits_;
  limits::work_lane password_lane_;  // --hash-threads: login, register
  limits::work_lane database_lane_;  // --workers: the rest of /v1
  limits::work_lane request_lane_;   // --workers: WebSocket requests that need the database
  limits::work_lane detach_lane_;    // one thread: engine.disconnect of closed connections
  // After the lanes: the endpoints destroy their connections' sessions, which may still hand
  // work to a (stopped) lane, so the lanes must outlive the shards.
  std::vector<std::unique_ptr<shard>> shards_;
  // On the first shard, like the shutdown steps they drive.
  std::optional<asio::steady_timer> sweep_timer_;
  std::optional<asio::signal_set> signals_;
  std::uint16_t port_ = 0;
  std::atomic<bool> shutting_down_{false};
  std::atomic<int> http_in_flight_{0};  // HTTP requests on the worker pool
  std::chrono::steady_clock::time_point shutdown_deadline_;
  session::clock::time_point last_ping_ = session::clock::now();
  post_gate gate_;
  std::mutex mutex_;  // guards connections_
  std::vector<state_ptr> connections_;
};

}  // namespace chat::chatd::transport
