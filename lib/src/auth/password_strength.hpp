// Refuses weak passwords with cracklib (Debian's libcrack2), not with a list of our own.
#pragma once

#include <mutex>
#include <string>

#include "chat/error.hpp"

namespace chat::detail {

// Thread-safe: cracklib keeps static state, so checks take turns on a mutex (~1 ms each).
class password_strength {
 public:
  // `dictionary`: cracklib's dictionary path prefix; empty: cracklib's default. Disabled: every
  // password passes.
  password_strength(bool enabled, const std::string& dictionary);

  // ok, or invalid_argument if the dictionary cannot be read (checked once at engine open).
  status usable() const;
  // ok, or invalid_argument "password is too weak: <cracklib's reason>" for a password that is
  // a dictionary word, a variant of one or of `username`, or too simple; internal if the
  // dictionary has become unreadable since.
  status check(const std::string& password, const std::string& username) const;

 private:
  bool enabled_;
  std::string dictionary_;
  mutable std::mutex mutex_;
};

}  // namespace chat::detail
