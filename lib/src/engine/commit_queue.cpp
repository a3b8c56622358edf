// The group-commit writer. Ordering: one thread commits and publishes the sends of its channels
// (the engine gives each channel to one queue), so events of a channel leave in seq order;
// acknowledgements follow the publication of their own message.
#include "engine/commit_queue.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "engine/status_mapping.hpp"

namespace chat::detail {
namespace {

constexpr const char* send_outcome_unknown_text =
    "the database did not confirm the commit: the message may have been stored; retry with the "
    "same client_msg_id (a stored message comes back as the original)";

std::string not_stored_text(store_error::kind k) {
  const char* why = k == store_error::kind::full        ? "the database's disk is full"
                    : k == store_error::kind::read_only ? "the database is read-only"
                                                        : "the database is unavailable";
  return std::string(why) + "; the message was not stored, retry with the same client_msg_id";
}

bool same_send(const message& m, const pending_message& p) {
  return m.sender == p.sender && m.created_at == p.created_at &&
         m.client_msg_id == p.client_msg_id && m.text == p.text;
}

}  // namespace

commit_queue::commit_queue(store& db, publisher& events, std::size_t max_batch,
                           std::chrono::microseconds delay, stats_sink stats,
                           std::size_t max_waiting)
    : db_(db),
      events_(events),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      delay_(delay),
      max_waiting_(max_waiting),
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
  r.queued = std::chrono::steady_clock::now();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (waiting_.size() < max_waiting_ && !stopping_) {
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
      gather(lock);
      while (!waiting_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
    }
    if (!in_doubt_.empty() && !resolve_in_doubt()) refuse_behind_doubt(batch);
    last_batch_size_ = batch.size();
    if (!batch.empty()) commit(batch);
    batch.clear();
    last_commit_end_ = std::chrono::steady_clock::now();
  }
}

void commit_queue::gather(std::unique_lock<std::mutex>& lock) {
  if (delay_.count() <= 0 || waiting_.size() >= max_batch_) return;
  // Under load: the previous batch held several sends and ended less than a delay ago. A quiet
  // engine, or one client sending one message after another's acknowledgement, is not slowed.
  if (last_batch_size_ < 2) return;
  if (std::chrono::steady_clock::now() - last_commit_end_ >= delay_) return;
  wake_.wait_until(lock, waiting_.front().queued + delay_,
                   [&] { return stopping_ || waiting_.size() >= max_batch_; });
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
    if (is_outage(e.error_kind())) {
      if (stats_.database_error) stats_.database_error(e.error_kind());
      if (e.outcome_unknown()) {
        // The COMMIT may have landed: say so, and find out once the database answers.
        for (auto& r : batch) in_doubt_.push_back({r.message, r.origin});
        if (in_doubt_.size() > k_max_in_doubt)
          in_doubt_.erase(in_doubt_.begin(), in_doubt_.end() - k_max_in_doubt);
        if (stats_.in_doubt) stats_.in_doubt(batch.size());
        const status unknown(errc::unavailable, send_outcome_unknown_text);
        for (auto& r : batch) r.done(unknown);
        return;
      }
      const status failure(errc::unavailable, not_stored_text(e.error_kind()));
      for (auto& r : batch) r.done(failure);
      return;
    }
    // One bad message must not fail its neighbours, nor cost a transaction per neighbour.
    if (batch.size() > 1) return commit_halves(batch);
    if (stats_.database_error) stats_.database_error(e.error_kind());
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
    publish_stored(outcome.message, batch[i].origin);
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

namespace chat::detail {

void commit_queue::publish_stored(const message& m, connection_id origin) {
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::message_created;
  ev->channel = m.channel;
  ev->actor = m.sender;
  ev->message = m;
  events_.publish(std::move(ev), origin);  // best effort once committed
}

bool commit_queue::resolve_in_doubt() {
  // Per channel, in the order they were sent. This thread is the only writer of these
  // channels and has committed nothing into them since, so whatever of them was stored is
  // among each channel's newest n messages (n: its sends in doubt).
  std::vector<channel_id> channels;
  for (const auto& d : in_doubt_)
    if (std::find(channels.begin(), channels.end(), d.message.channel) == channels.end())
      channels.push_back(d.message.channel);
  std::vector<std::vector<message>> found(channels.size());
  try {
    for (std::size_t c = 0; c < channels.size(); ++c) {
      int n = 0;
      for (const auto& d : in_doubt_) n += d.message.channel == channels[c];
      for (auto& m : db_.messages_between(channels[c], 0, 0, n, /*newest_first=*/true)) {
        for (const auto& d : in_doubt_) {
          if (d.message.channel == channels[c] && same_send(m, d.message)) {
            found[c].push_back(std::move(m));
            break;
          }
        }
      }
    }
  } catch (const store_error& e) {
    if (stats_.database_error) stats_.database_error(e.error_kind());
    return false;
  }
  std::size_t published = 0;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    for (const auto& m : found[c]) {  // ascending seq
      connection_id origin = 0;
      for (const auto& d : in_doubt_)
        if (same_send(m, d.message)) origin = d.origin;
      publish_stored(m, origin);
      ++published;
    }
  }
  in_doubt_.clear();
  if (stats_.in_doubt_published) stats_.in_doubt_published(published);
  return true;
}

void commit_queue::refuse_behind_doubt(std::vector<request>& batch) {
  const status failure(errc::unavailable, not_stored_text(store_error::kind::unavailable));
  std::vector<request> kept;
  for (auto& r : batch) {
    const bool behind =
        std::any_of(in_doubt_.begin(), in_doubt_.end(),
                    [&](const in_doubt_send& d) { return d.message.channel == r.message.channel; });
    if (behind)
      r.done(failure);
    else
      kept.push_back(std::move(r));
  }
  batch.swap(kept);
}

}  // namespace chat::detail
