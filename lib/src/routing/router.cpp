// Fan-out: recipients are copied under the lock, sinks are called after releasing it, and every
// recipient shares the one immutable event (serialized once).
#include "routing/router.hpp"

#include <algorithm>

namespace chat::detail {

router::router(member_loader load_members, std::size_t cached_channels)
    : load_members_(std::move(load_members)),
      cached_channels_(std::max<std::size_t>(1, cached_channels)) {}

router::connect_result router::connect(user_id user, std::shared_ptr<session_sink> sink,
                                       std::string session_hash) {
  std::lock_guard<std::mutex> lock(connections_mutex_);
  const connection_id id = next_id_++;
  connections_.emplace(id, connection{user, std::move(sink), std::move(session_hash)});
  auto& list = by_user_[user];
  list.push_back(id);
  return {id, list.size() == 1};
}

std::optional<router::disconnect_result> router::disconnect(connection_id id) {
  std::shared_ptr<session_sink> released;  // destroyed after the lock is gone
  std::lock_guard<std::mutex> lock(connections_mutex_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return std::nullopt;
  const user_id user = it->second.user;
  released = std::move(it->second.sink);
  connections_.erase(it);
  auto& list = by_user_[user];
  list.erase(std::remove(list.begin(), list.end(), id), list.end());
  const bool last = list.empty();
  if (last) by_user_.erase(user);
  return disconnect_result{user, last};
}

bool router::revoke(user_id user, const std::string& session_hash, const event_ptr& revoked) {
  std::vector<std::shared_ptr<session_sink>> dropped;
  bool offline = false;
  {
    std::lock_guard<std::mutex> lock(connections_mutex_);
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return false;
    auto& ids = it->second;
    for (auto id = ids.begin(); id != ids.end();) {
      auto c = connections_.find(*id);
      if (session_hash.empty() || c->second.session_hash == session_hash) {
        dropped.push_back(std::move(c->second.sink));
        connections_.erase(c);
        id = ids.erase(id);
      } else {
        ++id;
      }
    }
    offline = ids.empty();
    if (offline) by_user_.erase(it);
  }
  for (const auto& sink : dropped) sink->deliver(revoked);
  delivered_.fetch_add(dropped.size(), std::memory_order_relaxed);
  return offline && !dropped.empty();
}

bool router::is_online(user_id user) const {
  std::lock_guard<std::mutex> lock(connections_mutex_);
  return by_user_.count(user) != 0;
}

std::size_t router::connection_count() const {
  std::lock_guard<std::mutex> lock(connections_mutex_);
  return connections_.size();
}

std::size_t router::cached_channel_count() const {
  std::lock_guard<std::mutex> lock(members_mutex_);
  return members_.size();
}

std::shared_ptr<const std::vector<user_id>> router::members_of(channel_id ch) {
  std::uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(members_mutex_);
    auto it = members_.find(ch);
    if (it != members_.end()) {
      recency_.splice(recency_.begin(), recency_, it->second.recency);
      return it->second.ids;
    }
    generation = members_generation_;
  }
  auto loaded = std::make_shared<const std::vector<user_id>>(load_members_(ch));
  std::lock_guard<std::mutex> lock(members_mutex_);
  if (generation != members_generation_) return loaded;
  auto [it, inserted] = members_.try_emplace(ch);
  if (inserted) {
    recency_.push_front(ch);
    it->second.recency = recency_.begin();
  }
  it->second.ids = loaded;
  while (members_.size() > cached_channels_) {
    members_.erase(recency_.back());
    recency_.pop_back();
  }
  return loaded;
}

void router::forget_members(channel_id ch) {
  std::lock_guard<std::mutex> lock(members_mutex_);
  auto it = members_.find(ch);
  if (it != members_.end()) {
    recency_.erase(it->second.recency);
    members_.erase(it);
  }
  ++members_generation_;
}

void router::route(const routed_event& e) {
  const event& ev = *e.payload;
  switch (ev.kind) {
    case event_kind::channel_created:
    case event_kind::member_added:
    case event_kind::member_removed:
      forget_members(ev.channel);
      break;
    default:
      break;
  }

  std::shared_ptr<const std::vector<user_id>> members;
  switch (ev.kind) {
    case event_kind::read_marker:
    case event_kind::presence:
    case event_kind::user_updated:
    case event_kind::session_revoked:
      break;  // explicit recipients only
    default:
      members = members_of(ev.channel);
  }
  // Typing and read markers are about the actor: typing skips the actor's own sessions, a read
  // marker goes only to them.
  const bool skip_actor = ev.kind == event_kind::typing;

  // Local, not thread_local: a sink may re-enter the engine (disconnect on overflow) and route.
  std::vector<std::shared_ptr<session_sink>> sinks;
  {
    std::lock_guard<std::mutex> lock(connections_mutex_);
    auto add_user = [&](user_id user) {
      if (skip_actor && user == ev.actor) return;
      auto it = by_user_.find(user);
      if (it == by_user_.end()) return;
      for (connection_id id : it->second) {
        if (id == e.origin) continue;
        sinks.push_back(connections_.at(id).sink);
      }
    };
    if (members)
      for (user_id user : *members) add_user(user);
    for (user_id user : e.extra_recipients) add_user(user);
  }
  for (const auto& sink : sinks) sink->deliver(e.payload);
  delivered_.fetch_add(sinks.size(), std::memory_order_relaxed);
}

}  // namespace chat::detail
