// The bounded queue of frames waiting to be written to one connection.
//
// Thread-safety: push() from any thread (engine threads deliver events, the commit thread acks
// sends); take() from the connection's strand only. The owner is told through `on_ready` when
// the queue goes from empty to non-empty (start one drain on the strand) and through
// `on_overflow` once when a limit is crossed (close the connection as a slow consumer). Both
// callbacks run on the pushing thread, outside the lock, and must not block.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chat/events.hpp"

namespace chat::chatd {

// One outgoing frame: an engine event shared by all its recipients, or a frame of our own.
struct outgoing_frame {
  chat::event_ptr event;
  std::string text;

  std::string_view payload() const { return event ? std::string_view(event->json) : text; }
};

class outbox {
 public:
  struct limits {
    std::size_t max_bytes = 1024 * 1024;
    std::size_t max_frames = 4096;
  };

  outbox(limits l, std::function<void()> on_ready, std::function<void()> on_overflow);

  void push(outgoing_frame frame);
  // Moves every queued frame to the caller.
  std::vector<outgoing_frame> take();
  // Bytes the transport holds but has not written yet; counts against max_bytes.
  void set_transport_backlog(std::size_t bytes);
  // Checks the limit after the transport's backlog changed; may call on_overflow.
  void check_backlog();
  // Refuses (drops) every later frame; used once the connection is closing.
  void shut();
  bool overflowed() const;

 private:
  bool over_limit_locked() const;

  const limits limits_;
  const std::function<void()> on_ready_;
  const std::function<void()> on_overflow_;
  mutable std::mutex mutex_;  // guards everything below
  std::vector<outgoing_frame> frames_;
  std::size_t bytes_ = 0;
  std::size_t transport_backlog_ = 0;
  bool draining_ = false;  // a drain is scheduled and has not taken the queue yet
  bool shut_ = false;
  bool overflowed_ = false;
};

// The engine's view of a connection: deliver() only queues into the outbox.
class outbox_sink final : public chat::session_sink {
 public:
  explicit outbox_sink(std::shared_ptr<outbox> box) : box_(std::move(box)) {}
  void deliver(const chat::event_ptr& e) override { box_->push(outgoing_frame{e, {}}); }

 private:
  std::shared_ptr<outbox> box_;
};

}  // namespace chat::chatd
