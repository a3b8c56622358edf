// Per-stream ordered hand-off of encoded events to the bus; the caller that finds a queue idle
// delivers it, so no thread ever waits for another to deliver.
#include "routing/publisher.hpp"

#include "chat/wire.hpp"

namespace chat::detail {

publisher::publisher(event_bus& bus) : bus_(bus) {}

event_ptr publisher::encoded(std::shared_ptr<event> ev) {
  ev->json = wire::encode_event(*ev);
  return ev;
}

publisher::stripe& publisher::stripe_of(std::int64_t stream) {
  // Streams are ids (positive); the cast keeps a negative one in range too.
  return stripes_[static_cast<std::uint64_t>(stream) % stripes_.size()];
}

void publisher::publish(std::shared_ptr<event> ev, connection_id origin,
                        std::vector<user_id> extra_recipients) {
  const std::int64_t stream = stream_of(*ev);
  queue(std::move(ev), origin, std::move(extra_recipients));
  deliver_queued(stream);
}

void publisher::queue(std::shared_ptr<event> ev, connection_id origin,
                      std::vector<user_id> extra_recipients) {
  stripe& s = stripe_of(stream_of(*ev));
  routed_event routed{encoded(std::move(ev)), origin, std::move(extra_recipients)};
  std::lock_guard<std::mutex> lock(s.mutex);
  s.pending.push_back(std::move(routed));
}

void publisher::deliver_queued(std::int64_t stream) noexcept {
  stripe& s = stripe_of(stream);
  std::unique_lock<std::mutex> lock(s.mutex);
  if (s.delivering) return;  // that thread delivers what we queued, after its current event
  s.delivering = true;
  while (!s.pending.empty()) {
    routed_event next = std::move(s.pending.front());
    s.pending.pop_front();
    lock.unlock();
    hand_to_bus(next);
    lock.lock();
  }
  s.delivering = false;
}

void publisher::hand_to_bus(const routed_event& e) noexcept {
  try {
    bus_.publish(e);
  } catch (...) {
    // The member list could not be loaded. The change is committed; delivery is best effort
    // and clients catch up through sync.
    ++routing_failures_;
  }
}

bool publisher::revoke(user_id user, const std::string& session_hash) {
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::session_revoked;
  ev->actor = user;
  // Not queued: the connections are dropped before the caller (logout) returns, and the bus
  // tells each of them outside its locks (no engine lock is held here either).
  return bus_.revoke(user, session_hash, encoded(std::move(ev)));
}

}  // namespace chat::detail
