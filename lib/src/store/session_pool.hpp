// A fixed-size pool of SOCI sessions that opens lazily and reopens broken connections.
#pragma once

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/write_gate.hpp"

namespace chat::detail {

class backend;

// Thread-safe. Each slot holds at most one open session; a slot marked broken is closed when it
// is given back and reopened by the next lease, so the store recovers when the database returns.
class session_pool {
 public:
  // `parameters` is the backend's own connection string (without the "sqlite3://" prefix);
  // `db` opens the connections (backend::connect) and outlives the pool.
  // `multi_statements` (MySQL): the connections accept several statements in one query; only
  // the group commit's pool asks for it.
  session_pool(const backend& db, std::string parameters, std::size_t size,
               bool multi_statements = false);

  class lease {
   public:
    lease(session_pool& pool, std::size_t slot) : pool_(&pool), slot_(slot) {}
    lease(lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) {
      other.pool_ = nullptr;
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    ~lease();

    soci::session& sql() const;
    const chat::detail::backend& backend() const { return pool_->backend_; }
    // The connection failed: close it on give-back instead of reusing it.
    void mark_broken() const;
    // SQLite: waits for this process's turn to write (write_gate.hpp), at most as long as
    // busy_timeout; throws store_error unavailable ("database is locked") if it does not come.
    // end_write_turn() must follow. Other backends: nothing (the server orders its writers).
    void begin_write_turn() const;
    void end_write_turn() const;

   private:
    session_pool* pool_;
    std::size_t slot_;
  };

  // Waits (bounded) for a free slot and makes sure its session is open. Throws store_error
  // unavailable if no slot frees up in time or the database cannot be reached.
  lease acquire();

  const chat::detail::backend& backend() const { return backend_; }
  std::uint64_t leases() const { return leases_.load(std::memory_order_relaxed); }

 private:
  struct slot {
    std::unique_ptr<soci::session> session;
    std::chrono::steady_clock::time_point last_used{};
    bool in_use = false;
    bool broken = false;
  };

  void give_back(std::size_t index);

  const chat::detail::backend& backend_;
  const std::string parameters_;
  const bool multi_statements_;
  std::mutex mutex_;  // guards slots_' in_use flags; a leased slot belongs to its lease
  std::condition_variable freed_;
  std::vector<slot> slots_;
  std::atomic<std::uint64_t> leases_{0};  // acquire() calls
  write_gate writers_;                    // SQLite: turns at the write lock
};

}  // namespace chat::detail
