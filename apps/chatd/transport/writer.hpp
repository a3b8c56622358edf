// The write side of a WebSocket connection: drains its outbox to the socket, and closes it.
//
// The engine delivers events into connection outboxes from its own threads. The first frame
// queued on an empty outbox puts the connection on its shard's ready list, and the first
// connection on an empty ready list posts one drain pass to the shard: one wake-up per shard per
// commit batch, not one per recipient. The pass sends each event as one prepared frame shared
// by all its recipients (shared_frames.hpp); over plain TCP it writes a connection's frames
// straight to the socket when nothing else is being written there (direct_write.hpp), else
// through websocketpp. Closes asked for by the session or the outbox (slow consumer) are posted
// to the shard too, after what was queued before them.
//
// Threading: drains and closes run on the connection's shard; schedule_drain, schedule_close and
// on_overflow may be called from any thread. No lock on the write path but the ready list's.
#pragma once

#include <spdlog/spdlog.h>
#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "logging/logging.hpp"
#include "metrics/metrics.hpp"
#include "protocol/codes.hpp"
#include "protocol/outbox.hpp"
#include "transport/connection.hpp"
#include "transport/endpoint.hpp"
#include "transport/shard.hpp"
#include "transport/shared_frames.hpp"

namespace chat::chatd::transport {

template <typename Config>
class writer {
 public:
  using types = endpoint_types<Config>;
  using connection_type = typename types::connection_type;
  using connection_ptr = typename types::connection_ptr;
  using message_ptr = typename types::message_ptr;
  using message_type = typename types::message_type;
  using state_type = connection_state<Config>;

  // `counters` must outlive the writer.
  explicit writer(chatd::metrics& counters) : counters_(counters) {}

  // Called on the pushing thread when a connection's outbox goes from empty to non-empty. The
  // shard drains every ready connection in one pass: one post (and at most one wake-up of its
  // thread) however many of its connections a commit batch reached.
  void schedule_drain(const std::weak_ptr<state_type>& weak) {
    auto state = weak.lock();
    if (!state) return;
    shard<Config>& sh = *state->home;
    bool post = false;
    {
      std::lock_guard<std::mutex> lock(sh.ready_mutex);
      sh.ready.push_back(std::move(state));
      post = !std::exchange(sh.pass_posted, true);
    }
    if (post) gate_.post(sh.io, [this, &sh] { drain_ready(sh); });
  }

  // Writes a connection's queued frames: straight to the socket when its transport can and
  // is idle (one sendmsg for all of them), else through websocketpp, which writes everything
  // queued in one gathered write. Event frames come prepared and shared from `frames`.
  void drain(state_type& state, frame_memo<message_type>* frames = nullptr) {
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

  // The outbox went over its limit (on the pushing thread): the connection is cut off.
  void on_overflow(const std::weak_ptr<state_type>& weak) {
    auto state = weak.lock();
    if (!state) return;
    counters_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
    gate_.post(state->home->io, [this, state] {
      spdlog::warn("event=ws.slow_consumer remote={} user={}", log_value(state->remote),
                   state->sess ? state->sess->user() : 0);
      close_now(*state, close_code::slow_consumer, "slow_consumer");
    });
  }

  // A close asked for from any thread (the session's close_fn).
  void schedule_close(const std::weak_ptr<state_type>& weak, std::uint16_t code,
                      const std::string& reason) {
    auto state = weak.lock();
    if (!state) return;
    gate_.post(state->home->io, [this, state, code, reason] {
      drain(*state);  // what was queued before the close goes out first
      close_now(*state, code, reason);
    });
  }

  // On the connection's shard. Once: later frames and closes are dropped.
  void close_now(state_type& state, std::uint16_t code, const std::string& reason) {
    if (state.closing) return;
    state.closing = true;
    state.box->shut();
    if (auto con = state.con.lock()) {
      websocketpp::lib::error_code ec;
      con->close(code, reason, ec);
    }
  }

  // From here on, engine threads queue into outboxes but post nothing (the io_contexts are
  // about to go away).
  void close_gate() { gate_.close(); }

 private:
  void drain_ready(shard<Config>& sh) {
    std::vector<state_ptr<Config>> ready;
    {
      std::lock_guard<std::mutex> lock(sh.ready_mutex);
      ready.swap(sh.ready);
      sh.pass_posted = false;
    }
    frame_memo<message_type> frames;
    for (auto& state : ready) drain(*state, &frames);
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

  chatd::metrics& counters_;
  post_gate gate_;
};

}  // namespace chat::chatd::transport
