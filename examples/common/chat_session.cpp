// The protocol client shared by the bot and the terminal client; see chat_session.hpp.
#include "chat_session.hpp"

#include <algorithm>
#include <future>
#include <random>

#include "http_api.hpp"

namespace chat::examples {
namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// A random 128-bit hex string: client_msg_ids must be unique per sender across restarts.
std::string random_id() {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    auto v = rng()();
    for (int j = 0; j < 16; ++j, v >>= 4) out += digits[v & 15];
  }
  return out;
}

json error_frame(const std::string& code, const std::string& message) {
  return {{"type", "error"}, {"id", nullptr}, {"code", code}, {"message", message}};
}

std::int64_t seq_of(const json& message) {
  return message.value("seq", std::int64_t{0});
}

}  // namespace

chat_session::chat_session(session_options options, handlers h)
    : options_(std::move(options)),
      handlers_(std::move(h)),
      backoff_ms_(options_.backoff_min_ms),
      transport_(ws_transport::handlers{
          [this] { on_open(); }, [this](const std::string& t) { on_text(t); },
          [this](int code, const std::string& reason) { on_close(code, reason); }}) {}

chat_session::~chat_session() {
  // Quiet every timer and handler before the transport (the last member) goes away.
  std::promise<void> stopped;
  transport_.post([this, &stopped] {
    state_ = state::stopped;
    stopped.set_value();
  });
  stopped.get_future().wait();
}

bool chat_session::start(std::string* error) {
  login_result r = login(options_.base_url, options_.username, options_.password);
  if (!r.ok) {
    if (error) *error = r.error;
    return false;
  }
  transport_.post([this, token = r.token, user = r.user] {
    token_ = token;
    self_ = user;
    connect();
  });
  return true;
}

void chat_session::status(const std::string& text) {
  if (handlers_.on_status) handlers_.on_status(text);
}

void chat_session::connect() {
  if (state_ == state::stopped) return;
  ++generation_;
  state_ = state::connecting;
  transport_.connect(websocket_url(options_.base_url));
}

void chat_session::on_open() {
  if (state_ == state::stopped) return;
  state_ = state::authenticating;
  send_frame("auth", "auth-" + std::to_string(++next_request_), {{"token", token_}},
             [this](const json& frame) {
               if (frame.value("type", "") == "response") {
                 on_authenticated(frame.value("result", json::object()));
               } else {
                 status("auth refused: " + frame.value("code", std::string()));
               }
             });
}

void chat_session::on_authenticated(const json& result) {
  state_ = state::ready;
  self_ = result.value("user", self_);
  backoff_ms_ = options_.backoff_min_ms;
  ping_outstanding_ = false;
  schedule_ping(generation_);
  // Unacknowledged sends first, with their original client_msg_id: nothing is doubled.
  for (auto& s : sends_) s.in_flight = false;
  for (auto& s : sends_) transmit(s);
  list_channels("", json::array());
}

void chat_session::list_channels(std::string after, json summaries) {
  json fields = json::object();
  if (!after.empty()) fields["after_channel_id"] = after;
  request("list_channels", fields, [this, summaries](const json& frame) mutable {
    if (frame.value("type", "") != "response") return;
    const json result = frame.value("result", json::object());
    const json page = result.value("channels", json::array());
    for (const auto& s : page) summaries.push_back(s);
    if (result.value("has_more", false) && !page.empty()) {  // a page within the reply budget
      return list_channels(page.back().value("channel", json::object()).value("id", ""),
                           std::move(summaries));
    }
    // A channel new to us starts at its current end: its older messages are history.
    for (const auto& s : summaries) {
      const std::string id = s.value("channel", json::object()).value("id", "");
      auto last = s.value("last_seq", std::int64_t{0});
      cursors_.emplace(id, last);
    }
    bool resumed = resumed_;
    resumed_ = true;
    if (handlers_.on_ready) handlers_.on_ready(summaries, resumed);
    sync();  // what was missed while away (and what raced with list_channels)
  });
}

void chat_session::on_text(const std::string& text) {
  if (state_ == state::stopped) return;
  json frame = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!frame.is_object()) return;
  const std::string type = frame.value("type", "");
  if (type == "response" || type == "error") {
    if (!frame["id"].is_string()) {
      status("server error: " + frame.value("code", std::string()) + " " +
             frame.value("message", std::string()));
      return;
    }
    auto it = pending_.find(frame["id"].get<std::string>());
    if (it == pending_.end()) return;
    reply_handler handler = std::move(it->second);
    pending_.erase(it);
    if (handler) handler(frame);
  } else if (type == "event") {
    if (frame.value("event", "") == "message.created") {
      on_live_message(frame.value("message", json::object()));
    } else if (handlers_.on_event) {
      handlers_.on_event(frame);
    }
  }
}

void chat_session::on_close(int code, const std::string& reason) {
  if (state_ == state::stopped) return;
  ++generation_;
  state_ = state::idle;
  syncing_ = sync_again_ = false;
  // Requests die with the connection; sends stay queued and are re-sent after the next auth.
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, handler] : pending) {
    if (handler) handler(error_frame("disconnected", "the connection closed"));
  }
  const bool refused = code == 4001;
  long jitter = std::uniform_int_distribution<long>(-backoff_ms_ / 5, backoff_ms_ / 5)(rng());
  long delay = std::max(1L, backoff_ms_ + jitter);
  backoff_ms_ = std::min(backoff_ms_ * 2, options_.backoff_max_ms);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(delay) / 1000.0);
  status("connection lost (" + std::to_string(code) + (reason.empty() ? "" : " " + reason) +
         "); reconnecting in " + seconds + " s");
  unsigned long generation = generation_;
  transport_.post_after(delay, [this, generation, refused] {
    if (state_ == state::stopped || generation != generation_) return;
    if (refused) {  // the token was refused (revoked or expired): log in again
      login_result r = login(options_.base_url, options_.username, options_.password);
      if (r.ok) token_ = r.token;
    }
    connect();
  });
}

void chat_session::schedule_ping(unsigned long generation) {
  transport_.post_after(options_.ping_interval_ms, [this, generation] {
    if (state_ != state::ready || generation != generation_) return;
    if (ping_outstanding_) {  // the server did not answer a whole interval: assume a dead link
      transport_.close(4000, "ping timeout");
      return;
    }
    ping_outstanding_ = true;
    request("ping", json::object(), [this](const json&) { ping_outstanding_ = false; });
    schedule_ping(generation);
  });
}

void chat_session::send_frame(const std::string& type, const std::string& id, json fields,
                              reply_handler on_reply) {
  fields["type"] = type;
  fields["id"] = id;
  pending_[id] = std::move(on_reply);
  if (!transport_.send(fields.dump())) {
    auto handler = std::move(pending_[id]);
    pending_.erase(id);
    if (handler) handler(error_frame("disconnected", "not connected"));
  }
}

void chat_session::request(const std::string& type, json fields, reply_handler on_reply) {
  if (state_ != state::ready) {
    if (on_reply) on_reply(error_frame("disconnected", "not connected (reconnecting)"));
    return;
  }
  send_frame(type, "r" + std::to_string(++next_request_), std::move(fields), std::move(on_reply));
}

void chat_session::send_message(const std::string& channel_id, const std::string& text,
                                reply_handler on_reply) {
  sends_.push_back({channel_id, text, random_id(), std::move(on_reply), false});
  if (state_ == state::ready) transmit(sends_.back());
}

void chat_session::transmit(outgoing_send& s) {
  if (s.in_flight || state_ != state::ready) return;
  s.in_flight = true;
  const std::string cmid = s.client_msg_id;
  send_frame("send", "s" + std::to_string(++next_request_),
             {{"channel_id", s.channel_id}, {"text", s.text}, {"client_msg_id", cmid}},
             [this, cmid](const json& frame) { on_send_reply(cmid, frame); });
}

void chat_session::on_send_reply(const std::string& client_msg_id, const json& frame) {
  auto it = std::find_if(sends_.begin(), sends_.end(),
                         [&](const outgoing_send& s) { return s.client_msg_id == client_msg_id; });
  if (it == sends_.end()) return;
  it->in_flight = false;
  const std::string code = frame.value("code", "");
  if (code == "disconnected") return;  // re-sent after the next auth
  if (code == "unavailable" || code == "rate_limited") {
    unsigned long generation = generation_;
    transport_.post_after(1000, [this, generation, client_msg_id] {
      if (state_ == state::stopped || generation != generation_) return;
      for (auto& s : sends_) {
        if (s.client_msg_id == client_msg_id) transmit(s);
      }
    });
    return;
  }
  reply_handler handler = std::move(it->on_reply);
  sends_.erase(it);
  if (frame.value("type", "") == "response") {
    // My own message takes a seq too: step the cursor over it, or remember it for later.
    const json m = frame.value("result", json::object()).value("message", json::object());
    const std::string channel = m.value("channel_id", "");
    auto c = cursors_.find(channel);
    if (c != cursors_.end() && seq_of(m) == c->second + 1) {
      c->second = seq_of(m);
    } else if (c != cursors_.end() && seq_of(m) > c->second) {
      own_acked_.insert(m.value("id", ""));
    }
  }
  if (handler) handler(frame);
}

void chat_session::on_live_message(const json& message) {
  const std::string channel = message.value("channel_id", "");
  auto c = cursors_.find(channel);
  if (c == cursors_.end()) {  // a channel we just joined: start from here
    cursors_[channel] = seq_of(message) - 1;
    deliver(message, true);
  } else if (seq_of(message) <= c->second) {
    return;  // already had it (from sync)
  } else if (seq_of(message) == c->second + 1) {
    deliver(message, true);
  } else {
    sync();  // a gap: sync returns the missing messages and this one, in order
  }
}

void chat_session::deliver(const json& message, bool live) {
  const std::string id = message.value("id", "");
  cursors_[message.value("channel_id", "")] = seq_of(message);
  if (own_acked_.erase(id)) return;  // my own, already acknowledged to the sender
  if (handlers_.on_message) handlers_.on_message(message, live);
}

void chat_session::sync() {
  if (state_ != state::ready) return;
  if (syncing_) {
    sync_again_ = true;
    return;
  }
  syncing_ = true;
  sync_again_ = false;
  json cursors = json::array();
  for (const auto& [channel, seq] : cursors_) {
    cursors.push_back({{"channel_id", channel}, {"after_seq", seq}});
  }
  request("sync", {{"cursors", cursors}}, [this](const json& frame) {
    syncing_ = false;
    if (frame.value("type", "") != "response") return;  // disconnected: the next auth syncs
    const json result = frame.value("result", json::object());
    for (const auto& ch : result.value("channels", json::array())) {
      const std::string channel = ch.value("channel_id", "");
      const json messages = ch.value("messages", json::array());
      auto c = cursors_.find(channel);
      if (c == cursors_.end()) {  // joined between list_channels and sync: start at its end
        if (!messages.empty()) cursors_[channel] = seq_of(messages.back());
        continue;
      }
      for (const auto& m : messages) {
        if (seq_of(m) == cursors_[channel] + 1) deliver(m, false);
      }
      if (ch.value("has_more", false)) sync_again_ = true;
    }
    // The reply ended early (byte budget or 100 channels): the channels after it come next.
    if (result.value("has_more", false)) sync_again_ = true;
    if (sync_again_) sync();
  });
}

}  // namespace chat::examples
