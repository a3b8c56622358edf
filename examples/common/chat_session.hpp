// A chatd protocol client for the examples: auth, requests with ids, reliable sends,
// gap-free message delivery, and reconnect with sync (docs/protocol.md "Reconnect and resume").
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ws_transport.hpp"

namespace chat::examples {

using json = nlohmann::json;

struct session_options {
  std::string base_url;  // http://HOST:PORT of chatd
  std::string username;
  std::string password;           // kept to log in again if the token is refused on reconnect
  long backoff_min_ms = 500;      // reconnect back-off: doubles from this ...
  long backoff_max_ms = 30000;    // ... up to this, with +-20% jitter
  long ping_interval_ms = 15000;  // application `ping`; no reply by the next one: reconnect
};

// Threading: everything runs on the transport's I/O thread, including every handler below.
// Call the methods on that thread (handlers already are); from other threads use post().
// Construct, then start(); destroy from a thread other than the I/O thread.
class chat_session {
 public:
  using reply_handler = std::function<void(const json& frame)>;  // a `response` or `error` frame

  struct handlers {
    // After every successful auth: the `list_channels` summaries; `resumed` from the 2nd on.
    std::function<void(const json& summaries, bool resumed)> on_ready;
    // Each message of another sender (or of another of my connections) exactly once, in seq
    // order per channel, live or recovered by sync (`live` false). Messages older than the
    // first ready are not delivered (use `history`).
    std::function<void(const json& message, bool live)> on_message;
    // Every other event frame (channel.created, member.added, typing, presence ...).
    std::function<void(const json& event)> on_event;
    // Human-readable connection news ("connection lost ...; reconnecting in 0.5 s").
    std::function<void(const std::string& status)> on_status;
  };

  chat_session(session_options options, handlers h);
  ~chat_session();
  chat_session(const chat_session&) = delete;
  chat_session& operator=(const chat_session&) = delete;

  // Logs in over HTTP (blocking, on the calling thread) and starts connecting. False with
  // `error` set if the login fails.
  bool start(std::string* error);

  // Sends a request ({"type":TYPE,"id":...} + fields); `on_reply` gets exactly one reply. While
  // not connected it gets an error frame with code `disconnected` at once.
  void request(const std::string& type, json fields, reply_handler on_reply);
  // Sends a message with a fresh client_msg_id; retried with the same id after a reconnect or
  // an `unavailable`/`rate_limited` error until acknowledged. `on_reply` gets the final reply.
  void send_message(const std::string& channel_id, const std::string& text,
                    reply_handler on_reply = nullptr);

  void post(std::function<void()> fn) { transport_.post(std::move(fn)); }
  bool ready() const { return state_ == state::ready; }
  const json& self() const { return self_; }  // USER, once ready
  std::string self_id() const { return self_.is_object() ? self_.value("id", "") : ""; }

 private:
  enum class state { idle, connecting, authenticating, ready, stopped };
  struct outgoing_send {
    std::string channel_id, text, client_msg_id;
    reply_handler on_reply;
    bool in_flight = false;
  };

  void connect();
  void on_open();
  void on_text(const std::string& text);
  void on_close(int code, const std::string& reason);
  void on_authenticated(const json& result);
  // Reads list_channels page by page (after_channel_id) into `summaries`, then reports ready.
  void list_channels(std::string after, json summaries);
  void send_frame(const std::string& type, const std::string& id, json fields,
                  reply_handler on_reply);
  void transmit(outgoing_send& s);
  void on_send_reply(const std::string& client_msg_id, const json& frame);
  void on_live_message(const json& message);
  void deliver(const json& message, bool live);
  void sync();
  void schedule_ping(unsigned long generation);
  void status(const std::string& text);

  session_options options_;
  handlers handlers_;
  // State below is owned by the I/O thread.
  state state_ = state::idle;
  std::string token_;
  json self_;
  unsigned long generation_ = 0;  // one per connection attempt; silences stale timers
  unsigned long next_request_ = 0;
  long backoff_ms_ = 0;
  bool resumed_ = false;  // a ready has been seen before
  bool syncing_ = false, sync_again_ = false;
  bool ping_outstanding_ = false;
  std::map<std::string, reply_handler> pending_;  // request id -> handler
  std::map<std::string, std::int64_t> cursors_;   // channel id -> highest seq held, no gap
  std::set<std::string> own_acked_;               // ids of my acked messages above a cursor
  std::deque<outgoing_send> sends_;               // not yet acknowledged, in order
  ws_transport transport_;                        // last: its thread stops before the rest goes
};

}  // namespace chat::examples
