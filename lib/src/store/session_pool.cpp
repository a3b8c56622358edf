// Session pool: leasing, lazy connect, liveness check of idle connections, reconnect.
#include "store/session_pool.hpp"

#include <chrono>
#include <string>
#include <utility>

#include "store/backend.hpp"
#include "store/soci_errors.hpp"

namespace chat::detail {
namespace {

constexpr auto k_lease_timeout = std::chrono::seconds(30);
// An idle connection to a server is checked before reuse; the server may have restarted.
constexpr auto k_ping_after_idle = std::chrono::milliseconds(500);

}  // namespace

session_pool::session_pool(const chat::detail::backend& db, std::string parameters,
                           std::size_t size, bool multi_statements)
    : backend_(db),
      parameters_(std::move(parameters)),
      multi_statements_(multi_statements),
      slots_(size == 0 ? 1 : size) {}

session_pool::lease::~lease() {
  if (pool_ != nullptr) pool_->give_back(slot_);
}

soci::session& session_pool::lease::sql() const {
  return *pool_->slots_[slot_].session;
}

void session_pool::lease::mark_broken() const {
  pool_->slots_[slot_].broken = true;
}

void session_pool::lease::begin_write_turn() const {
  if (!pool_->backend_.takes_write_turns()) return;
  if (!pool_->writers_.enter(k_write_turn_patience))
    throw store_error(store_error::kind::unavailable,
                      "database is locked: no turn to write within " +
                          std::to_string(k_write_turn_patience.count()) + " ms");
}

void session_pool::lease::end_write_turn() const {
  if (pool_->backend_.takes_write_turns()) pool_->writers_.leave();
}

session_pool::lease session_pool::acquire() {
  leases_.fetch_add(1, std::memory_order_relaxed);
  std::size_t index = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + k_lease_timeout;
    for (;;) {
      bool found = false;
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].in_use) {
          index = i;
          found = true;
          break;
        }
      }
      if (found) break;
      if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
        throw store_error(store_error::kind::unavailable, "no free database connection");
      }
    }
    slots_[index].in_use = true;
  }
  lease leased(*this, index);
  // The slot is ours now: connecting happens outside the pool mutex.
  slot& s = slots_[index];
  try {
    if (s.session && backend_.checks_idle_connections() &&
        std::chrono::steady_clock::now() - s.last_used > k_ping_after_idle &&
        !s.session->is_connected()) {
      s.session.reset();
    }
    if (!s.session) s.session = backend_.connect(parameters_, multi_statements_);
  } catch (const store_error& e) {
    s.session.reset();
    if (e.error_kind() == store_error::kind::internal ||
        e.error_kind() == store_error::kind::misconfigured)
      throw;  // misconfigured, not unreachable
    throw store_error(store_error::kind::unavailable, e.what());
  } catch (...) {
    s.session.reset();
    store_error e = translate_error(std::current_exception(), backend_);
    // The server refused chatd's settings (unknown database, user or host not allowed): a
    // configuration error. Any other failure to connect: not reachable now.
    if (e.error_kind() == store_error::kind::misconfigured) throw e;
    throw store_error(store_error::kind::unavailable, e.what());
  }
  return leased;
}

void session_pool::give_back(std::size_t index) {
  slot& s = slots_[index];
  if (s.broken) {
    try {
      s.session.reset();
    } catch (...) {  // closing a dead connection may fail; it is gone either way
    }
    s.broken = false;
  }
  s.last_used = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s.in_use = false;
  }
  freed_.notify_one();
}

}  // namespace chat::detail
