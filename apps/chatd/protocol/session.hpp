// One WebSocket session, independent of websocketpp: authentication, rate limit, frame parsing
// and dispatch to the request handlers. The transport feeds it frames and drains its outbox.
//
// Threading: every public member function runs on the connection's I/O thread (one at a time).
// Requests that need the database run on the `requests` lane, one at a time per connection and
// in arrival order (request_queue.hpp); only a `send` with nothing queued before it runs on the
// I/O thread, as it just queues for the commit thread. Replies are queued from any thread,
// only through the shared outbox, and at most once per request (a timeout may answer first).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "limits/work_lane.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"
#include "protocol/request_queue.hpp"

namespace chat::chatd {

// What the transport lends every session. It outlives the sessions, and the lanes outlive every
// job they were given (the transport stops them before its connections go away).
struct session_resources {
  // Runs the connection's requests that need the database (one at a time, in order).
  limits::work_lane& requests;
  // Runs engine.disconnect (which may query the database) off the I/O thread.
  limits::work_lane& detach;
  // Sends waiting for their commit: shutdown waits until it is 0 before closing connections,
  // so every acknowledgement is queued before the close. Shared: a send's acknowledgement may
  // come after the transport is gone (the engine finishes pending sends when it closes).
  std::shared_ptr<std::atomic<std::int64_t>> sends_in_flight;
};

class session : public std::enable_shared_from_this<session> {
 public:
  using clock = std::chrono::steady_clock;
  // Asks the transport to close the connection (thread-safe; may be called on the strand).
  using close_fn = std::function<void(std::uint16_t code, const std::string& reason)>;

  // `lent` must outlive the session. `cookie_token`: the session cookie of the handshake ("" if
  // none, or not a browser's; see session_factory), checked by on_open().
  session(chat::engine& engine, const connection_limits& limits, chatd::metrics& counters,
          std::shared_ptr<outbox> out, close_fn close, const session_resources& lent,
          std::string cookie_token = {}, clock::time_point now = clock::now());
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // The connection is open (frames pushed now reach it). A handshake cookie is checked now,
  // off the I/O thread: if it is valid, register with the engine and push "ready". A stale
  // cookie gets nothing (the client may send auth); a database that cannot check it closes the
  // connection with 1013.
  void on_open();
  // The handshake carried a session cookie that on_open() has not checked yet.
  bool has_cookie() const { return !cookie_token_.empty(); }
  // One received frame (text or binary; both carry JSON).
  void on_frame(std::string_view payload, clock::time_point now = clock::now());
  // Any sign of life (frame or pong) for the idle timeout.
  void on_activity(clock::time_point now) { last_activity_ = now; }
  // Leaves the engine's routing (on the detach lane); later events are not delivered. Idempotent.
  void on_closed();
  // Answers `unavailable` for every request still without an answer after --request-timeout
  // (its late answer is then dropped). The transport calls it every second.
  void expire_requests(clock::time_point now);

  bool authenticated() const { return connection_.load() != 0; }
  chat::user_id user() const { return me_.load(); }
  chat::connection_id connection() const { return connection_.load(); }
  // The connection must be closed: not authenticated in time, or idle for too long.
  std::optional<std::uint16_t> expired(clock::time_point now) const;
  // No request is queued or running (tests wait for it).
  bool idle() const { return queue_->idle(); }

 private:
  struct pending {
    std::shared_ptr<std::atomic<bool>> answered;
    clock::time_point deadline;
    std::string id;
    bool send = false;
  };

  void authenticate_with_cookie(const std::string& token);
  void handle(std::string_view payload, clock::time_point now);
  // Runs one request (on a lane thread, or inline for a send with nothing queued before it).
  void run(const std::string& type, const nlohmann::json& req, const std::string& id,
           const std::shared_ptr<std::atomic<bool>>& answered);
  void authenticate(const std::string& id, const std::string& token,
                    const std::shared_ptr<std::atomic<bool>>& answered);
  // Registers with the engine unless the connection closed meanwhile; false if it did.
  bool attach(const chat::user& me, const std::string& token);
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
  const session_resources& lent_;
  std::shared_ptr<request_queue> queue_;
  std::string cookie_token_;  // I/O thread only; cleared by on_open()
  const clock::time_point opened_;
  clock::time_point last_activity_;
  // Set on a lane thread by authentication, read on the I/O thread.
  std::atomic<chat::user_id> me_{0};
  std::atomic<chat::connection_id> connection_{0};  // 0 until authenticated
  std::mutex life_mutex_;                           // orders authentication against close
  bool closed_ = false;                             // guarded by life_mutex_
  // I/O thread only:
  double tokens_;  // rate-limit bucket
  clock::time_point refilled_;
  int bad_frames_ = 0;  // malformed frames since the last well-formed one
  // Requests not known to be answered, oldest first. A list, not a deque: an empty list
  // allocates nothing, where a deque holds ~600 bytes per idle connection (docs/performance.md).
  std::list<pending> pending_;
};

// Malformed frames in a row that close the connection (docs/protocol.md, "Limits").
inline constexpr int k_max_bad_frames = 10;
// A frame over the rate is not parsed: only its first bytes are read for the id of the
// rate_limited error (docs/protocol.md, "Limits").
inline constexpr std::size_t k_rate_limited_id_scan_bytes = 512;

}  // namespace chat::chatd
