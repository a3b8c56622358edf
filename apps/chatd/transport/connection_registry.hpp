// The open WebSocket connections of all shards: what the per-second sweep and the shutdown walk
// over. A connection is added when it opens and removed when it closes.
//
// Thread-safe (one mutex): any shard adds and removes its own connections; the sweep and the
// shutdown read a copy. Never touched on the write path.
#pragma once

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

namespace chat::chatd::transport {

template <typename State>
class connection_registry {
 public:
  using state_ptr = std::shared_ptr<State>;

  void add(state_ptr state) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.push_back(std::move(state));
  }

  void remove(const state_ptr& state) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(connections_.begin(), connections_.end(), state);
    if (it != connections_.end()) {
      *it = connections_.back();
      connections_.pop_back();
    }
  }

  std::vector<state_ptr> snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return connections_;
  }

  bool empty() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return connections_.empty();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<state_ptr> connections_;  // guarded by mutex_
};

}  // namespace chat::chatd::transport
