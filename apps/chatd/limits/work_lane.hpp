// A bounded queue of blocking work (database calls, password hashing) served by its own
// threads. Bounded three ways: at most `max_queued` jobs wait (submit refuses more: the caller
// answers 503), a job that waited longer than `max_wait` is refused instead of run, and a job
// whose client has gone is refused instead of run.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chat::chatd::limits {

class work_lane {
 public:
  enum class refusal { client_gone, expired, stopped };
  struct job {
    std::function<bool()> client_gone;     // asked on a lane thread just before running
    std::function<void()> run;             // on a lane thread
    std::function<void(refusal)> refused;  // instead of run, on a lane thread
  };

  work_lane(int threads, std::size_t max_queued, std::chrono::milliseconds max_wait);
  ~work_lane();
  work_lane(const work_lane&) = delete;
  work_lane& operator=(const work_lane&) = delete;

  // Queues the job; false (and the job is dropped unrun) if max_queued jobs wait already.
  bool submit(job j);
  // Jobs waiting (not those running).
  std::size_t queued() const;
  // Refuses (stopped) what still waits, lets running jobs finish and joins the threads.
  void stop();

 private:
  struct entry {
    job work;
    std::chrono::steady_clock::time_point queued_at;
  };
  void serve();

  const std::size_t max_queued_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<entry> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chat::chatd::limits
