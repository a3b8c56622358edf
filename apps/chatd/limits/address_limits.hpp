// Limits per client address (docs/protocol.md "Limits"): open connections, and token buckets
// for password work (login, register) per address and for the whole server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "limits/token_bucket.hpp"

namespace chat::chatd::limits {

// What per-address limits count against: an IPv4 address as is (also when IPv4-mapped, as
// "::ffff:192.0.2.1"), an IPv6 address by its /64 prefix ("2001:db8:1:2::/64"), since one host
// commonly holds a whole /64. Anything unparsable is used verbatim.
std::string address_key(const std::string& ip);

struct address_limit_settings {
  std::size_t max_connections_per_address = 256;  // 0: no cap
  double password_rate = 12;                      // per second, whole server
  double password_burst = 48;
  double password_rate_per_address = 3;
  double password_burst_per_address = 20;
};

// Thread-safe (one mutex; every call is a map look-up).
class address_limits {
 public:
  explicit address_limits(const address_limit_settings& settings);

  // Counts a new connection from `key` for as long as the returned handle lives. The handle
  // is null when the address already has the maximum number of connections: refuse it then.
  std::shared_ptr<void> open_connection(const std::string& key);
  std::size_t connections(const std::string& key) const;

  // Takes a password-work token of the address and of the server: 0 if both had one, else
  // the seconds to wait (Retry-After); a refused request takes no token.
  std::uint32_t take_password_token(const std::string& key, token_bucket::clock::time_point now);

 private:
  void close_connection(const std::string& key);

  const address_limit_settings settings_;
  mutable std::mutex mutex_;  // guards everything below
  std::unordered_map<std::string, std::size_t> connections_;
  std::unordered_map<std::string, token_bucket> buckets_;  // refilled ones are dropped
  token_bucket global_;
};

}  // namespace chat::chatd::limits
