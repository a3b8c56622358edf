// Delivers routed events to the connected sessions of this process.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/events.hpp"
#include "routing/event_bus.hpp"

namespace chat::detail {

class router {
 public:
  // Loads the member ids of a channel from storage (may throw store_error).
  using member_loader = std::function<std::vector<user_id>(channel_id)>;
  // Keeps the member lists of at most `cached_channels` channels (least recently routed to
  // evicted first), so memory stays bounded however many channels exist.
  explicit router(member_loader load_members, std::size_t cached_channels = 10000);

  struct connect_result {
    connection_id id;
    bool first_of_user;  // the user had no connection before
  };
  // `session_hash` (may be empty) ties the connection to a session so revoke() can find it.
  connect_result connect(user_id user, std::shared_ptr<session_sink> sink,
                         std::string session_hash = {});
  struct disconnect_result {
    user_id user;
    bool last_of_user;  // the user has no connection left
  };
  std::optional<disconnect_result> disconnect(connection_id id);

  // Drops the user's connections (only those of `session_hash` if it is not empty), tells each
  // sink with `revoked`, and returns whether the user is now offline.
  bool revoke(user_id user, const std::string& session_hash, const event_ptr& revoked);

  bool is_online(user_id user) const;
  std::size_t connection_count() const;
  std::size_t cached_channel_count() const;
  std::uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }

  // Computes the recipients and calls their sinks, outside every lock. Throws store_error if
  // the channel's members cannot be loaded.
  void route(const routed_event& e);

 private:
  struct connection {
    user_id user;
    std::shared_ptr<session_sink> sink;
    std::string session_hash;
  };
  std::shared_ptr<const std::vector<user_id>> members_of(channel_id ch);
  void forget_members(channel_id ch);

  member_loader load_members_;

  mutable std::mutex connections_mutex_;  // guards next_id_, connections_, by_user_
  connection_id next_id_ = 1;
  std::unordered_map<connection_id, connection> connections_;
  std::unordered_map<user_id, std::vector<connection_id>> by_user_;

  // Member cache, kept coherent by the membership events that pass through route(). The
  // generation stops a load that raced with an invalidation from caching a stale list.
  struct cached_members {
    std::shared_ptr<const std::vector<user_id>> ids;
    std::list<channel_id>::iterator recency;  // position in recency_
  };
  const std::size_t cached_channels_;
  mutable std::mutex members_mutex_;  // guards members_, recency_, members_generation_
  std::unordered_map<channel_id, cached_members> members_;
  std::list<channel_id> recency_;  // most recently routed to first
  std::uint64_t members_generation_ = 0;

  std::atomic<std::uint64_t> delivered_{0};
};

// The single-process bus: publishing is routing.
class local_bus final : public event_bus {
 public:
  explicit local_bus(router& r) : router_(r) {}
  void publish(const routed_event& e) override { router_.route(e); }
  bool revoke(user_id user, const std::string& session_hash, const event_ptr& revoked) override {
    return router_.revoke(user, session_hash, revoked);
  }

 private:
  router& router_;
};

}  // namespace chat::detail
