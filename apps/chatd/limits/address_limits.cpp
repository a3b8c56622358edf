// Per-address connection counts and password-work token buckets.
#include "limits/address_limits.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace chat::chatd::limits {

std::string address_key(const std::string& ip) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN] = {};
    if (std::memcmp(v6.s6_addr, mapped, sizeof mapped) == 0) {
      inet_ntop(AF_INET, v6.s6_addr + 12, text, sizeof text);
      return text;
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    inet_ntop(AF_INET6, &v6, text, sizeof text);
    return std::string(text) + "/64";
  }
  return ip;
}

address_limits::address_limits(const address_limit_settings& settings)
    : settings_(settings),
      global_(settings.password_rate, settings.password_burst, token_bucket::clock::now()) {}

std::shared_ptr<void> address_limits::open_connection(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t& open = connections_[key];
    if (settings_.max_connections_per_address != 0 && open >= settings_.max_connections_per_address)
      return nullptr;
    ++open;
  }
  // The handle only carries the release (its pointer, `this`, is never deleted: it outlives
  // every connection).
  return std::shared_ptr<void>(this, [this, key](void*) { close_connection(key); });
}

void address_limits::close_connection(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = connections_.find(key);
  if (it != connections_.end() && --it->second == 0) connections_.erase(it);
}

std::size_t address_limits::connections(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = connections_.find(key);
  return it == connections_.end() ? 0 : it->second;
}

std::uint32_t address_limits::take_password_token(const std::string& key,
                                                  token_bucket::clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Buckets of addresses that have not been back for a while are full again: forget them, so
  // that the map holds only recently active addresses.
  if (buckets_.size() >= 4096) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = it->second.full(now) ? buckets_.erase(it) : std::next(it);
  }
  auto it = buckets_.find(key);
  if (it == buckets_.end())
    it = buckets_
             .emplace(key, token_bucket(settings_.password_rate_per_address,
                                        settings_.password_burst_per_address, now))
             .first;
  token_bucket& mine = it->second;
  if (!mine.take(now)) return mine.seconds_until_token(now);
  if (!global_.take(now)) {
    mine.give_back();  // the server, not this address, was over its rate
    return global_.seconds_until_token(now);
  }
  return 0;
}

}  // namespace chat::chatd::limits
