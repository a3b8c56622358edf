// One WebSocket session, independent of websocketpp: authentication, rate limit, frame parsing
// and dispatch to the request handlers. The transport feeds it frames and drains its outbox.
//
// Threading: every member function runs on the connection's strand (one at a time). Replies
// may be queued later from engine threads, only through the shared outbox.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"

namespace chat::chatd {

class session {
 public:
  using clock = std::chrono::steady_clock;
  // Asks the transport to close the connection (thread-safe; may be called on the strand).
  using close_fn = std::function<void(std::uint16_t code, const std::string& reason)>;

  session(chat::engine& engine, const connection_limits& limits, chatd::metrics& counters,
          std::shared_ptr<outbox> out, close_fn close, clock::time_point now = clock::now());
  ~session();  // disconnects from the engine
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // The handshake carried a valid session cookie: register with the engine, push "ready".
  // `token` is the cookie's session token: logging it out ends this connection.
  void authenticated_by_cookie(const chat::user& me, const std::string& token);
  // One received frame (text or binary; both carry JSON).
  void on_frame(std::string_view payload, clock::time_point now = clock::now());
  // Any sign of life (frame or pong) for the idle timeout.
  void on_activity(clock::time_point now) { last_activity_ = now; }
  // Leaves the engine's routing; later events are not delivered. Idempotent.
  void on_closed();

  bool authenticated() const { return connection_ != 0; }
  chat::user_id user() const { return me_; }
  chat::connection_id connection() const { return connection_; }
  // The connection must be closed: not authenticated in time, or idle for too long.
  std::optional<std::uint16_t> expired(clock::time_point now) const;

 private:
  void handle(std::string_view payload, clock::time_point now);
  void authenticate(const std::string& id, const std::string& token);
  void attach(const chat::user& me, const std::string& token);
  bool take_token(clock::time_point now);
  void send_error(const std::string& id, std::string_view code, std::string_view message);
  // A frame that is not a request (not UTF-8 JSON, not an object, no id or type): bad_request,
  // and after k_max_bad_frames of them in a row, close 4009.
  void malformed(const std::string& id, std::string_view message);

  chat::engine& engine_;
  const connection_limits& limits_;
  chatd::metrics& counters_;
  std::shared_ptr<outbox> out_;
  close_fn close_;
  const clock::time_point opened_;
  clock::time_point last_activity_;
  chat::user_id me_ = 0;
  chat::connection_id connection_ = 0;  // 0 until authenticated
  double tokens_;                       // rate-limit bucket
  clock::time_point refilled_;
  int bad_frames_ = 0;  // malformed frames since the last well-formed one
};

// Malformed frames in a row that close the connection (docs/protocol.md, "Limits").
inline constexpr int k_max_bad_frames = 10;
// A frame over the rate is not parsed: only its first bytes are read for the id of the
// rate_limited error (docs/protocol.md, "Limits").
inline constexpr std::size_t k_rate_limited_id_scan_bytes = 512;

}  // namespace chat::chatd
