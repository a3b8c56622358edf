// A bounded, expiring map of single-use secrets (login states, native nonces).
#pragma once

#include <chat/types.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "oidc/error.hpp"

namespace chat::oidc::detail {

enum class take_status : std::uint8_t { ok, unknown, expired, replayed };

// Entries expire after a fixed lifetime; a taken entry is remembered (without its value) until
// it would have expired, so a second take() reports `replayed`. Nothing is ever evicted early:
// put() refuses a new entry when `capacity` entries are held (errc::unavailable) or when its
// client address already holds `per_address` of them (errc::rate_limited), so a flood of
// requests cannot push out a real user's entry. Thread-safe (one mutex, no callbacks under it).
template <typename V>
class single_use_store {
 public:
  single_use_store(std::size_t capacity, std::size_t per_address)
      : capacity_(capacity), per_address_(per_address) {}

  // Keys are random and unique; every entry has the same lifetime, so insertion order is
  // expiry order. `address` is the client's (any string; "" counts as one address too).
  status put(const std::string& key, V value, chat::time_ms now, chat::time_ms expires_at,
             const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    purge(now);
    if (entries_.size() >= capacity_)
      return status(errc::unavailable, "too many sign-ins are in progress; try again later");
    std::size_t& held = per_address_count_[address];
    if (held >= per_address_)
      return status(errc::rate_limited,
                    "too many sign-ins in progress from this address; try again later");
    ++held;
    entries_[key] = entry{std::move(value), expires_at, false, address};
    order_.push_back(key);
    return {};
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
    std::string address;
  };

  // Drops expired entries. A taken entry keeps counting (for its address too) until it
  // expires: using up one's own nonces with bad tokens frees no room.
  void purge(chat::time_ms now) {
    while (!order_.empty()) {
      auto it = entries_.find(order_.front());
      if (it != entries_.end() && it->second.expires_at > now) break;
      if (it != entries_.end()) {
        auto count = per_address_count_.find(it->second.address);
        if (count != per_address_count_.end() && --count->second == 0)
          per_address_count_.erase(count);
        entries_.erase(it);
      }
      order_.pop_front();
    }
  }

  const std::size_t capacity_;
  const std::size_t per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::unordered_map<std::string, std::size_t> per_address_count_;
  std::deque<std::string> order_;
};

}  // namespace chat::oidc::detail
