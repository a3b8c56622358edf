// First come, first served turns at writing to one SQLite database from one process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

namespace chat::detail {

// How long a writer waits for its turn here, and then for SQLite's write lock (busy_timeout).
constexpr std::chrono::milliseconds k_write_turn_patience{5000};

// SQLite lets one connection write at a time, and a connection that finds the write lock taken
// polls for it (busy_timeout), sleeping 1 to 100 ms between tries. A writer that commits in a
// loop, such as the group commit under load, frees the lock for microseconds between its
// transactions, so the polling writers (sign-ups, logins, joins, the readiness probe) can lose
// every try until their busy_timeout runs out. The store's writers therefore take turns here
// first, in arrival order: each waits for at most the transactions that came before it.
// A ticket lock; a waiter that gives up leaves its ticket behind and is skipped.
class write_gate {
 public:
  // Waits for this thread's turn; false if it did not come within `patience`.
  bool enter(std::chrono::steady_clock::duration patience) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t ticket = next_++;
    if (cv_.wait_for(lock, patience, [&] { return serving_ == ticket; })) return true;
    abandoned_.insert(ticket);
    return false;
  }

  // Ends the turn that enter() gave.
  void leave() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++serving_;
      for (auto it = abandoned_.find(serving_); it != abandoned_.end();
           it = abandoned_.find(serving_)) {
        abandoned_.erase(it);
        ++serving_;
      }
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t next_ = 0;     // the next ticket handed out
  std::uint64_t serving_ = 0;  // the ticket whose turn it is
  std::set<std::uint64_t> abandoned_;
};

}  // namespace chat::detail
