// Readiness: a thread that checks the database every second (a ping and a one-row write, so a
// full disk or a read-only database count as not ready) and right away when a request reports
// a database failure. /readyz and /metrics read its verdict without touching the database, so
// they answer at once even while the database hangs; a check that has not answered within
// `answer_within` makes the verdict "not_answering". It logs the first failure (warn), a
// reminder with the count of failed calls every `remind_every` while it lasts, and the recovery
// (info). States: metrics.hpp, k_database_state_names.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "chat/engine.hpp"
#include "metrics/metrics.hpp"

namespace chat::chatd {

enum class database_state : int {
  up = 0,
  unavailable = 1,
  not_answering = 2,
  disk_full = 3,
  read_only = 4,
  misconfigured = 5
};

// The state a failed check's status means (its message is one of the engine's fixed texts).
database_state state_of(const chat::status& s);
const char* name_of(database_state s);

class database_monitor {
 public:
  struct timing {
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds answer_within{2000};
    std::chrono::milliseconds remind_every{30000};
    std::chrono::milliseconds detail_every{10000};
  };
  database_monitor(chat::engine& engine, chatd::metrics& counters, timing t);
  database_monitor(chat::engine& engine, chatd::metrics& counters)
      : database_monitor(engine, counters, timing{}) {}
  ~database_monitor();
  database_monitor(const database_monitor&) = delete;
  database_monitor& operator=(const database_monitor&) = delete;

  // A call failed on the database (`detail`: the database's own text): check now rather than at
  // the next tick, and log the detail at warn, at most once per `detail_every` with the count
  // of those not logged in between. Any thread.
  void failure_reported(const std::string& detail);

 private:
  void watch();  // the monitor thread: schedules checks, waits for them with a deadline
  void check();  // the checker thread: runs engine.check_database() when asked
  void record(database_state s, const std::string& detail);

  chat::engine& engine_;
  chatd::metrics& counters_;
  const timing timing_;

  std::mutex mutex_;
  std::condition_variable wake_;  // both threads wait on it
  bool stopping_ = false;
  bool check_wanted_ = false;  // the monitor asks the checker for a check
  bool check_done_ = false;    // the checker answered; result in result_
  bool failure_reported_ = false;
  chat::status result_;

  // The monitor thread's own record of the current outage.
  database_state state_ = database_state::up;
  std::chrono::steady_clock::time_point down_since_{};
  std::chrono::steady_clock::time_point reminded_at_{};
  std::uint64_t errors_at_down_ = 0;
  // Rate limit of failure_reported's log lines (guarded by mutex_).
  std::chrono::steady_clock::time_point detail_logged_at_{};
  std::uint64_t details_suppressed_ = 0;

  std::thread checker_;
  std::thread monitor_;
};

}  // namespace chat::chatd
