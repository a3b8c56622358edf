// The group-commit writer. Ordering: one thread commits and publishes the sends of its channels
// (the engine gives each channel to one queue), so events of a channel leave in seq order;
// acknowledgements follow the publication of their own message.
#include "engine/commit_queue.hpp"

#include <iterator>

#include "engine/status_mapping.hpp"

namespace chat::detail {

commit_queue::commit_queue(store& db, publisher& events, std::size_t max_batch, stats_sink stats)
    : db_(db),
      events_(events),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      stats_(std::move(stats)) {
  thread_ = std::thread([this] { run(); });
}

commit_queue::~commit_queue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void commit_queue::push(request r) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (waiting_.size() < k_max_waiting && !stopping_) {
      waiting_.push_back(std::move(r));
      lock.unlock();
      wake_.notify_one();
      return;
    }
  }
  r.done(status(errc::unavailable, "too many sends are waiting for the database; retry later"));
}

void commit_queue::run() {
  std::vector<request> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, and everything is committed
      while (!waiting_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
    }
    commit(batch);
    batch.clear();
  }
}

void commit_queue::commit(std::vector<request>& batch) {
  std::vector<pending_message> messages;
  messages.reserve(batch.size());
  for (const auto& r : batch) messages.push_back(r.message);
  std::vector<append_outcome> outcomes;
  try {
    outcomes = db_.append_messages(messages);
  } catch (const store_error& e) {
    if (stats_.failed_transaction) stats_.failed_transaction(e);
    if (e.error_kind() == store_error::kind::unavailable) {
      if (stats_.database_error) stats_.database_error();
      const status failure(errc::unavailable,
                           "the database is unavailable; the message was not "
                           "stored, retry with the same client_msg_id");
      for (auto& r : batch) r.done(failure);
      return;
    }
    // One bad message must not fail its neighbours, nor cost a transaction per neighbour.
    if (batch.size() > 1) return commit_halves(batch);
    if (stats_.database_error) stats_.database_error();
    batch.front().done(to_status(e));
    return;
  }
  finish(batch, outcomes);
}

// Bisection: each half commits in one transaction or splits again, so one bad message among
// n costs at most 1 + 2 log2(n) transactions, and k bad ones O(k log n). The first half goes
// first: a channel's messages keep their order.
void commit_queue::commit_halves(std::vector<request>& batch) {
  const auto middle = batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2);
  std::vector<request> first(std::make_move_iterator(batch.begin()),
                             std::make_move_iterator(middle));
  std::vector<request> second(std::make_move_iterator(middle),
                              std::make_move_iterator(batch.end()));
  commit(first);
  commit(second);
}

void commit_queue::finish(std::vector<request>& batch, std::vector<append_outcome>& outcomes) {
  std::size_t stored = 0, duplicates = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& outcome = outcomes[i];
    duplicates += outcome.what == append_outcome::kind::duplicate;
    if (outcome.what != append_outcome::kind::stored) continue;
    ++stored;
    auto ev = std::make_shared<event>();
    ev->kind = event_kind::message_created;
    ev->channel = outcome.message.channel;
    ev->actor = outcome.message.sender;
    ev->message = outcome.message;
    events_.publish(std::move(ev), batch[i].origin);  // best effort once committed
  }
  // Counters first: a sender that reads stats() after its acknowledgement sees its batch.
  if (stats_.batch) stats_.batch(batch.size(), stored, duplicates);
  for (auto& outcome : outcomes)
    if (outcome.first_choice && stats_.first_choice)
      stats_.first_choice(outcome.message.sender, outcome.message.channel);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& outcome = outcomes[i];
    if (outcome.what == append_outcome::kind::no_channel)
      batch[i].done(status(errc::not_found, "no such channel"));
    else if (outcome.what == append_outcome::kind::not_member)
      batch[i].done(status(errc::forbidden, "not a member of this channel"));
    else if (outcome.what == append_outcome::kind::blocked)
      batch[i].done(status(errc::forbidden, "a block between you and this user stops messages"));
    else
      batch[i].done(std::move(outcome.message));
  }
}

}  // namespace chat::detail
