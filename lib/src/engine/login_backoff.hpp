// The rule of login backoff (engine_options::login_backoff): how long an account or a client
// address must wait after failed logins. The counts live in the store, so every engine on the
// same database sees them.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "chat/error.hpp"
#include "chat/options.hpp"
#include "store/store.hpp"

namespace chat::detail {

class login_backoff {
 public:
  login_backoff(store& db, const login_backoff_options& options) : db_(db), options_(options) {}

  // The keys a login attempt counts against: the account's, and the address's if known.
  struct keys {
    std::string account;  // empty if the account scope is off
    std::string address;  // empty if unknown or the address scope is off
  };
  keys keys_for(const std::string& username_key, const std::string& address) const;

  // ok, or rate_limited with the seconds to wait if either key is still waiting. Throws
  // store_error.
  status check(const keys& k, time_ms now);
  // Counts a failed attempt against both keys. Throws store_error.
  void failed(const keys& k, time_ms now);
  // A successful login: the account's count starts again. Throws store_error.
  void succeeded(const keys& k);

  // Milliseconds to wait after `failures` failures in a row with `free` allowed: 0 below
  // `free`, then base_delay doubled per failure past it, at most max_delay.
  std::int64_t delay_ms(int failures, int free) const;

 private:
  std::int64_t wait_ms(const std::string& key, int free, time_ms now);

  store& db_;
  const login_backoff_options& options_;
  std::atomic<unsigned> failures_seen_{0};  // prunes old rows every so many failures
};

}  // namespace chat::detail
