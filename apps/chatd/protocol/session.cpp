// Frame handling of one WebSocket session: parse, check, authenticate, rate-limit, dispatch.
#include "protocol/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "logging/logging.hpp"
#include "protocol/args.hpp"
#include "protocol/codes.hpp"
#include "protocol/frames.hpp"
#include "protocol/requests.hpp"
#include "protocol/utf8.hpp"

namespace chat::chatd {
namespace {

constexpr std::size_t k_max_request_id_bytes = 128;

// Reads a JSON text only as far as its top-level "id" string and stops there; anything else
// (nested values, a non-object, a text cut off mid-way) just ends the scan without an id.
class id_scanner final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string id;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool string(string_t& s) override {
    if (depth_ == 1 && next_is_id_) {
      id = s;
      return false;  // found: stop reading
    }
    return value();
  }
  bool start_object(std::size_t) override {
    next_is_id_ = false;
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    next_is_id_ = depth_ == 1 && k == "id";
    return true;
  }
  bool end_object() override { return --depth_ > 0; }
  bool start_array(std::size_t) override {
    next_is_id_ = false;
    return depth_++ > 0;  // a top-level array has no id
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool value() {
    next_is_id_ = false;
    return true;
  }
  int depth_ = 0;
  bool next_is_id_ = false;
};

// The top-level "id" of `text` as far as it can be read; "" (null on the wire) if it is not a
// valid id found before the text ends or stops being JSON.
std::string scan_id(std::string_view text) {
  id_scanner scanner;
  nlohmann::json::sax_parse(text.begin(), text.end(), &scanner,
                            nlohmann::json::input_format_t::json,
                            /*strict=*/false);
  if (scanner.id.size() > k_max_request_id_bytes || !valid_utf8(scanner.id)) return {};
  return scanner.id;
}

// The request id of a frame refused by the rate limit, read from its first
// k_rate_limited_id_scan_bytes only (so a refused frame costs no more than that to look at).
std::string rate_limited_id(std::string_view payload) {
  return scan_id(payload.substr(0, k_rate_limited_id_scan_bytes));
}

// The request id of a frame that is not valid JSON or UTF-8, where it can be read. The usual
// cause is a lone surrogate escape (backslash, u, D800 to DFFF: JavaScript's cut emoji), so for
// this scan only, escapes of lone surrogates read as U+FFFD and an id after them is found too.
std::string unreadable_frame_id(std::string_view payload) {
  std::string text(payload);
  // Whether an escape of a surrogate whose second hex digit is one of `digits` starts at `at`.
  const auto surrogate = [&](std::size_t at, std::string_view digits) {
    if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return false;
    const char d = static_cast<char>(std::tolower(static_cast<unsigned char>(text[at + 2])));
    const char x = static_cast<char>(std::tolower(static_cast<unsigned char>(text[at + 3])));
    return d == 'd' && digits.find(x) != std::string_view::npos;
  };
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (surrogate(i, "89ab") && surrogate(i + 6, "cdef")) {
      i += 11;  // a valid pair
    } else if (surrogate(i, "89abcdef")) {
      text.replace(i + 2, 4, "fffd");
      i += 5;
    } else {
      ++i;  // any other escape, "\\" included
    }
  }
  return scan_id(text);
}

}  // namespace

session::session(chat::engine& engine, const connection_limits& limits, chatd::metrics& counters,
                 std::shared_ptr<outbox> out, close_fn close, const session_resources& lent,
                 std::string cookie_token, clock::time_point now)
    : engine_(engine),
      limits_(limits),
      counters_(counters),
      out_(std::move(out)),
      close_(std::move(close)),
      lent_(lent),
      queue_(std::make_shared<request_queue>(lent.requests)),
      cookie_token_(std::move(cookie_token)),
      opened_(now),
      last_activity_(now),
      tokens_(limits.frame_burst),
      refilled_(now) {}

session::~session() {
  on_closed();
}

void session::on_closed() {
  chat::connection_id id = 0;
  {
    std::lock_guard<std::mutex> lock(life_mutex_);
    closed_ = true;
    id = connection_.exchange(0);
  }
  out_->shut();
  if (id == 0) return;
  spdlog::debug("event=ws.detach conn={} user={}", id, me_.load());
  // disconnect may query the database (presence of the user's contacts): never on this thread.
  limits::work_lane::job job;
  job.run = [&engine = engine_, id] { engine.disconnect(id); };
  job.refused = [&engine = engine_, id](limits::work_lane::refusal) { engine.disconnect(id); };
  if (!lent_.detach.submit(std::move(job))) engine_.disconnect(id);  // stopped: shutting down
}

std::optional<std::uint16_t> session::expired(clock::time_point now) const {
  if (!authenticated() && now - opened_ >= limits_.auth_timeout) return close_code::auth_failed;
  if (now - last_activity_ >= limits_.idle_timeout) return close_code::idle;
  return std::nullopt;
}

void session::on_open() {
  if (cookie_token_.empty()) return;
  authenticate_with_cookie(cookie_token_);
  cookie_token_.clear();
}

void session::authenticate_with_cookie(const std::string& token) {
  auto self = shared_from_this();
  queue_->post({[self, token] {
                  auto user = self->engine_.authenticate(token);
                  if (user.ok()) {
                    if (self->attach(*user, token)) {
                      self->out_->push(outgoing_frame{
                          nullptr, ready_frame(*user, self->connection(), self->limits_)});
                    }
                  } else if (user.code() != chat::errc::unauthenticated &&
                             user.code() != chat::errc::not_found) {
                    // The cookie could not be checked: the client should come back later.
                    self->close_(close_code::try_again_later, "database unavailable");
                  }
                },
                [self] { self->close_(close_code::try_again_later, "server busy"); }});
}

bool session::attach(const chat::user& me, const std::string& token) {
  // With the token, logout(token) and logout_everywhere reach this connection as a
  // session_revoked event; the transport then closes it (close code 4001).
  const auto id = engine_.connect(me.id, std::make_shared<outbox_sink>(out_), token);
  {
    std::lock_guard<std::mutex> lock(life_mutex_);
    if (!closed_) {
      me_ = me.id;
      connection_ = id;
      spdlog::info("event=ws.auth conn={} user={}", id, me.id);
      return true;
    }
  }
  engine_.disconnect(id);  // the connection closed while the token was being checked
  return false;
}

bool session::take_token(clock::time_point now) {
  std::chrono::duration<double> elapsed = now - refilled_;
  refilled_ = now;
  tokens_ = std::min(limits_.frame_burst, tokens_ + elapsed.count() * limits_.frames_per_second);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void session::send_error(const std::string& id, std::string_view code, std::string_view message) {
  counters_.request_errors.fetch_add(1, std::memory_order_relaxed);
  out_->push(outgoing_frame{nullptr, error_frame(id, code, message)});
}

void session::malformed(const std::string& id, std::string_view message) {
  send_error(id, code::bad_request, message);
  if (++bad_frames_ == k_max_bad_frames) {
    spdlog::info("event=ws.bad_frames conn={} user={}", connection(), user());
    close_(close_code::bad_frames, "bad_frames");
  }
}

void session::on_frame(std::string_view payload, clock::time_point now) {
  counters_.frames_in.fetch_add(1, std::memory_order_relaxed);
  on_activity(now);
  try {
    handle(payload, now);
  } catch (const std::exception& e) {
    // A handler bug must not take the connection (or the server) down.
    spdlog::error("event=ws.request_failed conn={} error={}", connection(), log_value(e.what()));
    send_error({}, code::internal, "internal error");
  }
}

void session::handle(std::string_view payload, clock::time_point now) {
  // The token is taken before the frame is read, so frames over the rate cost no parsing,
  // malformed or not.
  if (!take_token(now)) {
    counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    return send_error(rate_limited_id(payload), code::rate_limited, "too many requests; slow down");
  }
  if (!valid_utf8(payload))
    return malformed(unreadable_frame_id(payload), "frame is not valid UTF-8");
  auto req = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded()) return malformed(unreadable_frame_id(payload), "frame is not valid JSON");
  if (!req.is_object()) return malformed({}, "frame is not a JSON object");

  std::string id;
  auto id_it = req.find("id");
  if (id_it == req.end()) return malformed({}, "missing field id");
  if (!id_it->is_string() || id_it->get_ref<const std::string&>().empty() ||
      id_it->get_ref<const std::string&>().size() > k_max_request_id_bytes) {
    return malformed({}, "field id: expected a string of 1 to 128 bytes");
  }
  id = id_it->get<std::string>();

  auto type_it = req.find("type");
  if (type_it == req.end()) return malformed(id, "missing field type");
  if (!type_it->is_string()) return malformed(id, "field type: expected a string");
  std::string type = type_it->get<std::string>();
  bad_frames_ = 0;

  auto answered = std::make_shared<std::atomic<bool>>(false);
  pending_.push_back({answered, now + limits_.request_timeout, id, type == "send"});
  // Two requests never wait for the database: `ping` (liveness: answered at once, even behind a
  // request that waits) and a `send` with nothing queued before it (it only queues for the
  // commit thread, and must not overtake an earlier request of this connection).
  if (authenticated() && (type == "ping" || (type == "send" && queue_->idle())))
    return run(type, req, id, answered);
  auto self = shared_from_this();
  queue_->post({[self, type = std::move(type), req = std::move(req), id, answered] {
                  self->run(type, req, id, answered);
                },
                [self, id, answered] {
                  if (answered->exchange(true)) return;
                  self->counters_.requests_busy.fetch_add(1, std::memory_order_relaxed);
                  self->send_error(id, code::unavailable,
                                   "server busy; the request was not run, retry later");
                }});
}

void session::run(const std::string& type, const nlohmann::json& req, const std::string& id,
                  const std::shared_ptr<std::atomic<bool>>& answered) {
  if (answered->load()) return;  // timed out while it waited: its client was told already
  try {
    if (type == "auth") return authenticate(id, require_string(req, "token"), answered);
    if (!authenticated()) {
      if (answered->exchange(true)) return;
      return send_error(id, code::unauthenticated, "authenticate first (an auth request)");
    }
    const auto& in_flight = lent_.sends_in_flight;
    request_context ctx{engine_, user(), connection(), id, out_, counters_, in_flight, answered};
    if (!dispatch_request(type, req, ctx)) {
      ctx.fail_with(code::unknown_type, "unknown request type \"" + type + "\"");
    }
  } catch (const bad_request& e) {
    if (!answered->exchange(true)) send_error(id, code::bad_request, e.what());
  } catch (const std::exception& e) {
    spdlog::error("event=ws.request_failed conn={} error={}", connection(), log_value(e.what()));
    if (!answered->exchange(true)) send_error(id, code::internal, "internal error");
  }
}

void session::authenticate(const std::string& id, const std::string& token,
                           const std::shared_ptr<std::atomic<bool>>& answered) {
  if (authenticated()) {
    if (!answered->exchange(true)) send_error(id, code::bad_request, "already authenticated");
    return;
  }
  auto user = engine_.authenticate(token);
  if (!user.ok()) {
    if (!answered->exchange(true))
      send_error(id, chat::to_string(user.code()), user.error().message());
    // A wrong token ends the connection (no guessing tokens on one socket); a database
    // failure (unavailable) does not: the client may retry.
    if (user.code() == chat::errc::unauthenticated || user.code() == chat::errc::not_found) {
      close_(close_code::auth_failed, "unauthenticated");
    }
    return;
  }
  if (!attach(*user, token)) return;
  if (answered->exchange(true)) return;  // timed out: the client may send auth again
  out_->push(
      outgoing_frame{nullptr, response_frame(id, session_info(*user, connection(), limits_))});
}

void session::expire_requests(clock::time_point now) {
  while (!pending_.empty()) {
    auto& front = pending_.front();
    if (!front.answered->load()) {
      if (now < front.deadline) return;  // the others are younger
      if (!front.answered->exchange(true)) {
        counters_.requests_timed_out.fetch_add(1, std::memory_order_relaxed);
        send_error(front.id, code::unavailable,
                   front.send ? k_send_timeout_message : k_request_timeout_message);
      }
    }
    pending_.pop_front();
  }
}

}  // namespace chat::chatd
