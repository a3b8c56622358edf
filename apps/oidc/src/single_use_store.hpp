// A bounded, expiring map of single-use secrets (login states, native nonces).
#pragma once

#include <chat/types.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace chat::oidc::detail {

enum class take_status : std::uint8_t { ok, unknown, expired, replayed };

// Entries expire after a fixed lifetime; a taken entry is remembered (without its value) until
// it would have expired, so a second take() reports `replayed`. When more than `capacity`
// entries are held, the oldest are dropped. Thread-safe (one mutex, no callbacks under it).
template <typename V>
class single_use_store {
 public:
  explicit single_use_store(std::size_t capacity) : capacity_(capacity) {}

  // Keys are random and unique; every entry has the same lifetime, so insertion order is
  // expiry order.
  void put(const std::string& key, V value, chat::time_ms now, chat::time_ms expires_at) {
    std::lock_guard<std::mutex> lock(mutex_);
    purge(now);
    while (entries_.size() >= capacity_ && !order_.empty()) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    entries_[key] = entry{std::move(value), expires_at, false};
    order_.push_back(key);
  }

  std::pair<take_status, std::optional<V>> take(const std::string& key, chat::time_ms now) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return {take_status::unknown, std::nullopt};
    if (it->second.used) return {take_status::replayed, std::nullopt};
    it->second.used = true;
    if (it->second.expires_at <= now) {
      it->second.value.reset();
      return {take_status::expired, std::nullopt};
    }
    std::optional<V> value = std::move(it->second.value);
    it->second.value.reset();
    return {take_status::ok, std::move(value)};
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }

 private:
  struct entry {
    std::optional<V> value;
    chat::time_ms expires_at = 0;
    bool used = false;
  };

  void purge(chat::time_ms now) {
    while (!order_.empty()) {
      auto it = entries_.find(order_.front());
      if (it != entries_.end() && it->second.expires_at > now) break;
      if (it != entries_.end()) entries_.erase(it);
      order_.pop_front();
    }
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::deque<std::string> order_;
};

}  // namespace chat::oidc::detail
