// Group commit: one thread takes every pending send queued so far into one transaction, then
// publishes the committed messages in order and acknowledges each sender. The engine runs one
// queue per commit thread and sends each channel's messages to the same one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "chat/engine.hpp"
#include "routing/publisher.hpp"
#include "store/store.hpp"

namespace chat::detail {

class commit_queue {
 public:
  static constexpr std::size_t k_max_waiting = 100000;
  // Sends in doubt kept for lookup; past this the oldest are left to sync.
  static constexpr std::size_t k_max_in_doubt = 10000;

  struct stats_sink {
    std::function<void(std::size_t batch, std::size_t stored, std::size_t duplicates)> batch;
    std::function<void(store_error::kind)> database_error;
    // Sends told "outcome unknown", and how many of them were found stored and published.
    std::function<void(std::size_t)> in_doubt;
    std::function<void(std::size_t)> in_doubt_published;
    // Every failed (rolled back) transaction, with the database's own text for the log.
    std::function<void(const store_error&)> failed_transaction;
    // A stored message made its sender's membership by_choice (presence may start).
    std::function<void(user_id sender, channel_id channel)> first_choice;
  };
  // At most `max_waiting` sends wait behind the batch being committed; push() refuses the next
  // one (tests make it small).
  // `delay`: engine_options::commit_delay.
  commit_queue(store& db, publisher& events, std::size_t max_batch, std::chrono::microseconds delay,
               stats_sink stats, std::size_t max_waiting = k_max_waiting);
  ~commit_queue();  // commits what is queued, then stops

  struct request {
    pending_message message;
    connection_id origin = 0;
    engine::send_callback done;
    std::chrono::steady_clock::time_point queued{};  // set by push()
  };
  // Queues a send; the callback runs on the commit thread. Fails at once with unavailable if
  // too many sends are waiting (the database is not keeping up or is down).
  void push(request r);

 private:
  // A send whose transaction may or may not have committed (the connection died during COMMIT).
  struct in_doubt_send {
    pending_message message;
    connection_id origin = 0;
  };

  void run();
  // Under load (the previous batch held several sends and ended less than `delay_` ago), waits
  // (`lock` held) until the oldest waiting send is `delay_` old or the batch is full.
  void gather(std::unique_lock<std::mutex>& lock);
  void commit(std::vector<request>& batch);
  void commit_halves(std::vector<request>& batch);
  void finish(std::vector<request>& batch, std::vector<append_outcome>& outcomes);
  void publish_stored(const message& m, connection_id origin);
  // Looks the sends in doubt up and publishes those that were stored, in seq order. False if
  // the database still does not answer (they stay in doubt).
  bool resolve_in_doubt();
  // Refuses, without trying, the sends of `batch` into channels with sends in doubt (their
  // later messages must not be published before the earlier ones); keeps the others.
  void refuse_behind_doubt(std::vector<request>& batch);

  store& db_;
  publisher& events_;
  const std::size_t max_batch_;
  const std::chrono::microseconds delay_;
  std::chrono::steady_clock::time_point last_commit_end_{};  // commit thread only
  std::size_t last_batch_size_ = 0;                          // commit thread only
  const std::size_t max_waiting_;
  stats_sink stats_;

  std::mutex mutex_;  // guards waiting_ and stopping_
  std::condition_variable wake_;
  std::deque<request> waiting_;
  bool stopping_ = false;
  std::vector<in_doubt_send> in_doubt_;  // commit thread only
  std::thread thread_;
};

}  // namespace chat::detail
