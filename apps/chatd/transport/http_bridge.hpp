// The HTTP side of the port: turns a websocketpp HTTP request into an http::request, runs it on
// the I/O thread or queues it on a bounded lane (http::router::lane_of), and writes the
// http::response back on the connection's shard with the security headers. Also answers
// refused bodies (413, 411) and refused WebSocket handshakes.
//
// Requests that need no database and no hashing are answered on the I/O thread; the rest wait
// in bounded lanes (limits/work_lane.hpp): password work and database work each have their own
// threads (docs/security.md).
//
// Threading: on_http and refuse_handshake run on the connection's shard; lane jobs post their
// response back to it.
#pragma once

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/post.hpp>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "http/message.hpp"
#include "http/origin.hpp"
#include "http/router.hpp"
#include "limits/address_limits.hpp"
#include "limits/work_lane.hpp"
#include "logging/logging.hpp"
#include "metrics/metrics.hpp"
#include "protocol/codes.hpp"
#include "protocol/frames.hpp"
#include "transport/body_drain.hpp"
#include "transport/endpoint.hpp"
#include "transport/shard.hpp"

namespace chat::chatd::transport {

template <typename Config>
class http_bridge {
 public:
  using types = endpoint_types<Config>;
  using connection_type = typename types::connection_type;
  using connection_ptr = typename types::connection_ptr;

  // All references must outlive the bridge.
  http_bridge(const http::router& router, const config& settings, chatd::metrics& counters,
              limits::address_limits& address_limits, bool tls)
      : router_(router),
        settings_(settings),
        counters_(counters),
        address_limits_(address_limits),
        tls_(tls),
        password_lane_(settings.floods.hash_threads, settings.floods.max_queued_requests,
                       settings.floods.queue_timeout),
        database_lane_(settings.worker_threads, settings.floods.max_queued_requests,
                       settings.floods.queue_timeout) {}

  // websocketpp's HTTP handler: one request, answered now or from a lane.
  void on_http(shard<Config>& sh, websocketpp::connection_hdl h) {
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
    req.client = listener<Config>::client_key(*con);
    if (con->defer_http_response()) return;
    in_flight_.fetch_add(1);
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

  // Refuses a WebSocket handshake with `status` and a JSON error body; returns false for
  // websocketpp's validate handler.
  bool refuse_handshake(const connection_ptr& con, int status, const char* code,
                        const char* message) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(status));
    set_headers(*con, {{"Content-Type", "application/json"}});
    con->set_body(std::string(R"({"error":)") + error_object(code, message) + "}");
    return false;
  }

  // HTTP requests being handled (read, not yet answered): shutdown waits for them.
  int in_flight() const { return in_flight_.load(); }

  // Stops the lanes (before the shards their jobs post to go away); idempotent.
  void stop() {
    password_lane_.stop();
    database_lane_.stop();
  }

 private:
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
  void enqueue(limits::work_lane& lane, shard<Config>& sh, const connection_ptr& con,
               http::request req) {
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
      http::response res = retry_later(503, code::unavailable, "server busy; retry later", 1);
      asio::post(sh.io, [this, con, shared, res = std::move(res)] { respond(*con, res, *shared); });
    };
    counters_.http_queued.fetch_add(1, std::memory_order_relaxed);
    if (!lane.submit(std::move(job))) {
      counters_.http_queued.fetch_sub(1, std::memory_order_relaxed);
      counters_.http_busy.fetch_add(1, std::memory_order_relaxed);
      respond(*con, retry_later(503, code::unavailable, "server busy; retry later", 1), *shared);
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
    in_flight_.fetch_sub(1);
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

  const http::router& router_;
  const config& settings_;
  chatd::metrics& counters_;
  limits::address_limits& address_limits_;
  const bool tls_;
  limits::work_lane password_lane_;  // --hash-threads: login, register
  limits::work_lane database_lane_;  // --workers: the rest of /v1
  std::atomic<int> in_flight_{0};    // HTTP requests read and not yet answered
};

}  // namespace chat::chatd::transport
