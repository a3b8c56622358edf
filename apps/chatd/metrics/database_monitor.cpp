// The readiness monitor's two threads: the checker may block in the database for as long as it
// hangs; the monitor never does, so the verdict turns "not_answering" on time.
#include "metrics/database_monitor.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "logging/logging.hpp"

namespace chat::chatd {

database_state state_of(const chat::status& s) {
  if (s.ok()) return database_state::up;
  const std::string& m = s.message();
  if (m == chat::database_message::full) return database_state::disk_full;
  if (m == chat::database_message::read_only) return database_state::read_only;
  if (m == chat::database_message::misconfigured) return database_state::misconfigured;
  return database_state::unavailable;
}

const char* name_of(database_state s) {
  return k_database_state_names[static_cast<int>(s)];
}

database_monitor::database_monitor(chat::engine& engine, chatd::metrics& counters, timing t)
    : engine_(engine), counters_(counters), timing_(t) {
  checker_ = std::thread([this] { check(); });
  monitor_ = std::thread([this] { watch(); });
}

database_monitor::~database_monitor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  monitor_.join();
  checker_.join();  // waits for a check in progress: bounded by the database's timeouts
}

void database_monitor::failure_reported(const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  bool log = false;
  std::uint64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_reported_ = true;
    if (detail_logged_at_ == std::chrono::steady_clock::time_point{} ||
        now - detail_logged_at_ >= timing_.detail_every) {
      log = true;
      suppressed = std::exchange(details_suppressed_, 0);
      detail_logged_at_ = now;
    } else {
      ++details_suppressed_;
    }
  }
  wake_.notify_all();
  if (log) {
    spdlog::warn("event=database_error detail={} not_logged_since_last={}", log_value(detail),
                 suppressed);
  }
}

void database_monitor::check() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || check_wanted_; });
    if (stopping_) return;
    check_wanted_ = false;
    lock.unlock();
    chat::status s = engine_.check_database();
    lock.lock();
    result_ = std::move(s);
    check_done_ = true;
    wake_.notify_all();
  }
}

void database_monitor::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    check_wanted_ = true;
    check_done_ = false;
    failure_reported_ = false;
    wake_.notify_all();
    const auto asked = std::chrono::steady_clock::now();
    // Wait for the answer; past the deadline the database counts as not answering, and the
    // monitor keeps waiting for that same check (a hung call cannot be abandoned).
    while (!stopping_ && !check_done_) {
      const auto deadline = asked + timing_.answer_within;
      if (std::chrono::steady_clock::now() < deadline) {
        wake_.wait_until(lock, deadline);
        continue;
      }
      lock.unlock();
      record(database_state::not_answering,
             "no answer within " + std::to_string(timing_.answer_within.count()) + " ms");
      lock.lock();
      wake_.wait_for(lock, timing_.interval);
    }
    if (stopping_) return;
    const chat::status result = result_;
    lock.unlock();
    record(state_of(result), result.message());
    lock.lock();
    wake_.wait_for(lock, timing_.interval, [&] { return stopping_ || failure_reported_; });
  }
}

void database_monitor::record(database_state s, const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t errors = engine_.stats().database_errors;
  const database_state before = state_;
  counters_.database_state.store(static_cast<int>(s), std::memory_order_relaxed);
  state_ = s;
  if (s == database_state::up) {
    if (before != database_state::up) {
      spdlog::info("event=database.up was={} after_ms={} failed_calls={}", name_of(before),
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - down_since_).count(),
                   errors - errors_at_down_);
    }
    return;
  }
  if (before == database_state::up) {
    counters_.database_outages.fetch_add(1, std::memory_order_relaxed);
    down_since_ = reminded_at_ = now;
    errors_at_down_ = errors;
    spdlog::warn("event=database.down state={} detail={}", name_of(s), log_value(detail));
  } else if (s != before) {
    reminded_at_ = now;
    spdlog::warn("event=database.state state={} was={} detail={} failed_calls={}", name_of(s),
                 name_of(before), log_value(detail), errors - errors_at_down_);
  } else if (now - reminded_at_ >= timing_.remind_every) {
    reminded_at_ = now;
    spdlog::warn("event=database.still_down state={} for_ms={} failed_calls={}", name_of(s),
                 std::chrono::duration_cast<std::chrono::milliseconds>(now - down_since_).count(),
                 errors - errors_at_down_);
  }
}

}  // namespace chat::chatd
