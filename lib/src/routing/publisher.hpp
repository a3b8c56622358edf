// The one way an engine event leaves the engine: encoded once, handed to the bus in the order
// it was queued per stream, never while the publishing thread holds an engine lock, and counted
// when the bus cannot route it. Messages (commit queues), membership and channel changes,
// presence and profile events, and session revocations all go through one publisher.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chat/events.hpp"
#include "routing/event_bus.hpp"

namespace chat::detail {

// Ordering: every event belongs to a stream (its channel; for an event without a channel, such
// as presence or a profile change, its actor's user id) and streams are striped over a fixed
// set of queues. Events leave a queue in the order they entered it, and one thread at a time
// hands a queue's events to the bus, outside every lock. A caller that must order its event
// with a change (a membership change under its channel's lock) queues it while holding that
// lock and delivers after releasing it; whichever thread is then delivering that queue hands
// it over. So a deliver() that calls back into the engine never waits for a lock its own
// thread holds: its events are queued, and delivered after the event being delivered.
class publisher {
 public:
  // `bus` must outlive the publisher.
  explicit publisher(event_bus& bus);
  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;

  // Queues the event and delivers its queue. Call it holding no engine lock. The event is
  // delivered before this returns unless another thread is delivering its queue, or this thread
  // is (publish() was called from inside a deliver()): then that delivery hands it on next.
  void publish(std::shared_ptr<event> ev, connection_id origin = 0,
               std::vector<user_id> extra_recipients = {});

  // Queues the event without delivering it: for a caller holding the lock that orders the
  // change. It must then call deliver_queued(stream_of(*ev)) once the lock is released (see
  // delivery).
  void queue(std::shared_ptr<event> ev, connection_id origin = 0,
             std::vector<user_id> extra_recipients = {});

  // Hands the stream's queue to the bus until it is empty, unless a thread (possibly this one,
  // further up its stack) is doing so already. Never throws.
  void deliver_queued(std::int64_t stream) noexcept;

  // Delivers a stream's queued events when destroyed. Declare it before the lock under which
  // events are queued: the lock is released first, then the events are delivered.
  class delivery {
   public:
    delivery(publisher& p, std::int64_t stream) : publisher_(p), stream_(stream) {}
    delivery(const delivery&) = delete;
    delivery& operator=(const delivery&) = delete;
    ~delivery() { publisher_.deliver_queued(stream_); }

   private:
    publisher& publisher_;
    const std::int64_t stream_;
  };

  // Ends the user's live connections of a revoked session (all of them if `session_hash` is
  // empty): each gets a session_revoked event and is dropped before this returns. Returns
  // whether the user thereby went offline (on this node). Call it holding no engine lock.
  bool revoke(user_id user, const std::string& session_hash);

  // Events the bus could not route (their channel's members could not be loaded); the change
  // is committed, and clients catch up through sync. The engine counts them as database errors.
  std::uint64_t routing_failures() const { return routing_failures_.load(); }

  static std::int64_t stream_of(const event& ev) { return ev.channel != 0 ? ev.channel : ev.actor; }

 private:
  // Fills in the event's wire encoding (once, for every recipient) and freezes it.
  static event_ptr encoded(std::shared_ptr<event> ev);
  struct stripe {
    std::mutex mutex;  // guards pending and delivering; never held while delivering
    std::deque<routed_event> pending;
    bool delivering = false;  // a thread is handing this stripe's events to the bus
  };
  stripe& stripe_of(std::int64_t stream);
  void hand_to_bus(const routed_event& e) noexcept;

  event_bus& bus_;
  std::atomic<std::uint64_t> routing_failures_{0};
  std::array<stripe, 64> stripes_;
};

}  // namespace chat::detail
