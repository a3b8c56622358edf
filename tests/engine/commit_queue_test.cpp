// The group-commit queue under failure: one refused message does not fail the others of its
// batch, an outage fails the batch without retrying it message by message, and a full queue
// answers unavailable at once. The batches are lined up by holding the commit thread at the
// faulty store's gate (faulty_store.hpp) over a real SQLite store.
#include "engine/commit_queue.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "faulty_store.hpp"
#include "recording_bus.hpp"
#include "routing/publisher.hpp"
#include "store/store_fixture.hpp"

namespace {

using namespace chat;

using test::recording_bus;

// A store with one user in one group, the faulty store over it, and a queue on both.
struct queue_world {
  explicit queue_world(std::size_t max_waiting = detail::commit_queue::k_max_waiting,
                       std::size_t max_batch = 64,
                       std::chrono::microseconds delay = std::chrono::microseconds(0))
      : db(open_real()), events(bus), queue(db, events, max_batch, delay, stats(), max_waiting) {}
  // A failed REQUIRE may leave the gate closed: the queue's thread must get out to stop.
  ~queue_world() { db.open_gate(); }

  detail::faulty_store open_real() {
    auto real = detail::open_soci_store(test::sqlite_temp_url(), 2);
    alice = test::make_user(*real, "alice").user.id;
    ch = test::make_group(*real, alice, {}).id;
    return detail::faulty_store(std::move(real));
  }
  detail::commit_queue::stats_sink stats() {
    detail::commit_queue::stats_sink s;
    s.failed_transaction = [this](const detail::store_error&) { ++failed_transactions; };
    return s;
  }

  // Queues a send; the future holds its outcome once the commit thread answers.
  std::future<result<message>> push(const std::string& text) {
    auto done = std::make_shared<std::promise<result<message>>>();
    auto outcome = done->get_future();
    detail::commit_queue::request r;
    r.message = test::pending(alice, ch, text, "", ++clock);
    r.done = [done](result<message> m) { done->set_value(std::move(m)); };
    queue.push(std::move(r));
    return outcome;
  }

  user_id alice = 0;
  channel_id ch = 0;
  time_ms clock = 1000;
  std::atomic<int> failed_transactions{0};
  detail::faulty_store db;
  recording_bus bus;
  detail::publisher events;
  detail::commit_queue queue;  // last: its thread uses everything above
};

bool ready(std::future<result<message>>& f) {
  return f.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
}

}  // namespace

TEST_CASE("one_refused_message_does_not_fail_the_others_of_its_batch", "[commit_queue]") {
  queue_world w;
  w.db.refused_text = "poison";
  w.db.close_gate();
  auto blocker = w.push("blocker");
  REQUIRE(w.db.wait_for_arrivals(1));  // the commit thread holds the blocker at the gate
  const std::vector<std::string> texts = {"m0", "m1", "m2", "poison", "m4", "m5", "m6", "m7"};
  std::vector<std::future<result<message>>> replies;
  for (const auto& t : texts) replies.push_back(w.push(t));
  w.db.open_gate();

  REQUIRE(ready(blocker));
  REQUIRE(blocker.get().ok());
  std::vector<std::string> stored;
  seq_t last = 1;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    REQUIRE(ready(replies[i]));
    auto reply = replies[i].get();
    INFO(texts[i]);
    if (texts[i] == "poison") {
      CHECK(reply.code() == errc::internal);
      continue;
    }
    REQUIRE(reply.ok());
    CHECK(reply->seq == last + 1);  // in order, without a gap where the refused one was
    last = reply->seq;
    stored.push_back(reply->text);
  }
  CHECK(stored == std::vector<std::string>{"m0", "m1", "m2", "m4", "m5", "m6", "m7"});
  // The eight formed one batch (the test's premise), which failed and was split.
  const auto batches = w.db.batches();
  REQUIRE(batches.size() >= 2);
  CHECK(batches[1] == texts);
  CHECK(w.failed_transactions.load() > 0);
  // Published once each, in seq order, the refused one not at all.
  std::vector<std::string> live;
  for (const auto& m : w.bus.seen()) live.push_back(m.text);
  CHECK(live == std::vector<std::string>{"blocker", "m0", "m1", "m2", "m4", "m5", "m6", "m7"});
}

TEST_CASE("an_outage_fails_the_whole_batch_at_once_without_splitting_it", "[commit_queue]") {
  queue_world w;
  w.db.close_gate();
  auto blocker = w.push("blocker");
  REQUIRE(w.db.wait_for_arrivals(1));
  std::vector<std::future<result<message>>> replies;
  for (int i = 0; i < 4; ++i) replies.push_back(w.push("m" + std::to_string(i)));
  w.db.down = true;
  w.db.open_gate();
  REQUIRE(ready(blocker));
  CHECK(blocker.get().code() == errc::unavailable);
  for (auto& r : replies) {
    REQUIRE(ready(r));
    auto reply = r.get();
    CHECK(reply.code() == errc::unavailable);
    CHECK_THAT(reply.error().message(), Catch::Contains("was not stored"));
  }
  // One call for the blocker, one for the batch of four: retrying halves while the database
  // is down would only add load.
  CHECK(w.db.batches().size() == 2);
  CHECK(w.bus.seen().empty());
  w.db.down = false;
  auto after = w.push("after");
  REQUIRE(ready(after));
  CHECK(after.get().ok());
}

TEST_CASE("a_full_commit_queue_answers_unavailable_at_once_and_takes_sends_again_once_drained",
          "[commit_queue][limits]") {
  constexpr std::size_t capacity = 3;
  queue_world w(capacity);
  w.db.close_gate();
  auto blocker = w.push("blocker");
  REQUIRE(w.db.wait_for_arrivals(1));  // taken off the queue: the queue is empty again
  std::vector<std::future<result<message>>> waiting;
  for (std::size_t i = 0; i < capacity; ++i) waiting.push_back(w.push("w" + std::to_string(i)));
  for (auto& f : waiting)  // exactly the capacity: all accepted, none answered yet
    CHECK(f.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  auto refused = w.push("one too many");
  REQUIRE(refused.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready);
  auto answer = refused.get();
  CHECK(answer.code() == errc::unavailable);
  CHECK_THAT(answer.error().message(), Catch::Contains("too many sends are waiting"));

  w.db.open_gate();
  REQUIRE(ready(blocker));
  CHECK(blocker.get().ok());
  for (auto& f : waiting) {
    REQUIRE(ready(f));
    CHECK(f.get().ok());
  }
  auto again = w.push("after draining");
  REQUIRE(ready(again));
  CHECK(again.get().ok());
  std::vector<std::string> live;
  for (const auto& m : w.bus.seen()) live.push_back(m.text);
  CHECK(live == std::vector<std::string>{"blocker", "w0", "w1", "w2", "after draining"});
}

TEST_CASE("a_batch_holds_at_most_max_commit_batch_sends_in_the_order_queued",
          "[commit_queue][limits]") {
  queue_world w(detail::commit_queue::k_max_waiting, /*max_batch=*/3);
  w.db.close_gate();
  auto blocker = w.push("blocker");
  REQUIRE(w.db.wait_for_arrivals(1));
  std::vector<std::future<result<message>>> replies;
  for (const char* t : {"a", "b", "c", "d", "e", "f", "g"}) replies.push_back(w.push(t));
  w.db.open_gate();
  REQUIRE(ready(blocker));
  CHECK(blocker.get().ok());
  for (auto& r : replies) {
    REQUIRE(ready(r));
    CHECK(r.get().ok());
  }
  using texts = std::vector<std::string>;
  CHECK(w.db.batches() == std::vector<texts>{{"blocker"}, {"a", "b", "c"}, {"d", "e", "f"}, {"g"}});
}

// commit_delay (engine_options): under load the commit thread waits for more sends to join
// its batch; into a quiet queue, or after a batch of one, a send commits at once. The delay
// here is an hour, so a test that passed by waiting it out would not end: what is asserted is
// which sends share a batch.
namespace {
// Puts the queue under load: a batch of two sends ("x", "y") has just been committed.
void load(queue_world& w) {
  w.db.close_gate();
  auto blocker = w.push("blocker");
  REQUIRE(w.db.wait_for_arrivals(1));
  auto x = w.push("x");
  auto y = w.push("y");
  w.db.open_gate();
  REQUIRE(ready(blocker));
  REQUIRE(ready(x));
  REQUIRE(ready(y));
}
}  // namespace

TEST_CASE("sends_one_after_another_commit_at_once_whatever_the_commit_delay", "[commit_queue]") {
  queue_world w(detail::commit_queue::k_max_waiting, 64, std::chrono::hours(1));
  for (int i = 0; i < 3; ++i) {  // each waits for the previous one's acknowledgement
    auto one = w.push("m" + std::to_string(i));
    REQUIRE(ready(one));
    CHECK(one.get().ok());
  }
}

TEST_CASE("under_load_the_commit_delay_gathers_later_sends_into_the_waiting_batch",
          "[commit_queue]") {
  queue_world w(detail::commit_queue::k_max_waiting, /*max_batch=*/3, std::chrono::hours(1));
  load(w);
  auto a = w.push("a");
  // Still waiting for company: without the delay "a" would be committed on its own by now.
  CHECK(a.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
  auto b = w.push("b");
  auto c = w.push("c");  // the batch is full (max_batch 3): no more waiting
  REQUIRE(ready(a));
  REQUIRE(ready(b));
  REQUIRE(ready(c));
  CHECK(c.get()->seq == 6);
  const auto batches = w.db.batches();
  REQUIRE(batches.size() == 3);
  CHECK(batches[1] == std::vector<std::string>{"x", "y"});
  CHECK(batches[2] == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("stopping_commits_the_sends_a_commit_delay_was_holding", "[commit_queue]") {
  std::future<result<message>> held;
  {
    queue_world w(detail::commit_queue::k_max_waiting, 64, std::chrono::hours(1));
    load(w);
    held = w.push("held");
    CHECK(held.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  }  // the queue stops: it commits what is queued instead of waiting out the delay
  REQUIRE(held.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(held.get().ok());
}
