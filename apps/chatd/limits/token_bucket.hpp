// A token bucket: `rate` tokens per second, at most `burst` saved up. Not thread-safe: its owner
// guards it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace chat::chatd::limits {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(burst), tokens_(burst), updated_(now) {}

  // Takes a token if there is one. Otherwise returns false and leaves the bucket as it was.
  bool take(clock::time_point now) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  // Returns a token taken by take() (e.g. when another limit refused the request after all).
  void give_back() { tokens_ = std::min(burst_, tokens_ + 1.0); }
  // Whole seconds until a token is there (at least 1); for Retry-After.
  std::uint32_t seconds_until_token(clock::time_point now) {
    refill(now);
    if (tokens_ >= 1.0) return 1;
    return static_cast<std::uint32_t>(std::max(1.0, std::ceil((1.0 - tokens_) / rate_)));
  }
  // Whether it has refilled completely (then forgetting it changes nothing).
  bool full(clock::time_point now) {
    refill(now);
    return tokens_ >= burst_;
  }

 private:
  void refill(clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - updated_).count();
    if (elapsed > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
      updated_ = now;
    }
  }

  double rate_, burst_, tokens_;
  clock::time_point updated_;
};

}  // namespace chat::chatd::limits
