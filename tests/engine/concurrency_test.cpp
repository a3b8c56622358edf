// Concurrency on real databases: gap-free seqs, the direct-conversation race, idempotent retries.
#include <set>

// Worker threads never call Catch2 assertions (not thread-safe); they record, the test checks.

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

void seqs_stay_unique_and_gap_free(const std::string& url) {
  auto e = open_engine(url);
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto shared = e->create_group(alice.id, "shared", "", {bob.id});
  auto second = e->create_group(bob.id, "second", "", {alice.id});
  REQUIRE((shared.ok() && second.ok()));
  constexpr int k_threads = 8, k_per_thread = 60;
  std::mutex mutex;
  std::map<channel_id, std::vector<seq_t>> acked;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&, t] {
      const user_id sender = t % 2 ? alice.id : bob.id;
      for (int i = 0; i < k_per_thread; ++i) {
        const channel_id ch = (i % 3 == 0) ? second->id : shared->id;
        auto m = e->send(sender, ch, "t" + std::to_string(t) + " m" + std::to_string(i));
        std::lock_guard<std::mutex> lock(mutex);
        if (!m.ok())
          errors.push_back(m.error().message());
        else
          acked[ch].push_back(m->seq);
      }
    });
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  for (auto& [ch, seqs] : acked) {
    std::sort(seqs.begin(), seqs.end());
    for (std::size_t i = 0; i < seqs.size(); ++i) REQUIRE(seqs[i] == static_cast<seq_t>(i + 1));
    // The stored history agrees with the acknowledgements.
    seq_t expected = 1;
    history_query q{history_query::from::after, 0, engine::max_page_size};
    for (;;) {
      auto page = e->history(alice.id, ch, q);
      REQUIRE(page.ok());
      for (auto& m : page->messages) REQUIRE(m.seq == expected++);
      if (!page->has_more) break;
      q.seq = page->messages.back().seq;
    }
    CHECK(expected == static_cast<seq_t>(seqs.size() + 1));
  }
  const auto stats = e->stats();
  CHECK(stats.messages_committed == k_threads * k_per_thread);
  // Each send was in exactly one committed batch: none failed, none was counted twice.
  CHECK(stats.batch_size_sum == stats.messages_committed);
  CHECK(stats.batch_size_buckets[engine_stats::k_batch_bucket_count - 1] == stats.commit_batches);
  CHECK(stats.failed_commits == 0);
  CHECK(stats.duplicate_sends == 0);
}

void direct_get_or_create_is_unique_under_race(const std::string& url) {
  auto e = open_engine(url);
  std::vector<user> users;
  for (int i = 0; i < 6; ++i) users.push_back(make_user(*e, "user" + std::to_string(i)));
  std::mutex mutex;
  std::map<std::pair<user_id, user_id>, std::set<channel_id>> seen;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (std::size_t j = 0; j < users.size(); ++j) {
          const user& me = users[static_cast<std::size_t>(t)];
          const user& peer = users[j];
          if (me.id == peer.id) continue;
          auto ch = e->open_direct(me.id, peer.id);
          std::lock_guard<std::mutex> lock(mutex);
          if (!ch.ok()) {
            errors.push_back(ch.error().message());
            continue;
          }
          seen[{std::min(me.id, peer.id), std::max(me.id, peer.id)}].insert(ch->id);
        }
    });
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  CHECK(seen.size() == 15);
  for (auto& [pair, ids] : seen) CHECK(ids.size() == 1);
  auto mine = e->list_channels(users[0].id);
  CHECK(mine->channels.size() == 5);
}

void idempotent_retry_under_concurrency(const std::string& url) {
  auto e = open_engine(url);
  auto alice = make_user(*e, "alice");
  auto ch = e->create_group(alice.id, "g", "");
  std::mutex mutex;
  std::set<message_id> ids;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int k = 0; k < 10; ++k) {
        auto m = e->send(alice.id, ch->id, "retry me", "key-" + std::to_string(k));
        std::lock_guard<std::mutex> lock(mutex);
        if (!m.ok())
          errors.push_back(m.error().message());
        else
          ids.insert(m->id);
      }
    });
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  CHECK(ids.size() == 10);
  auto page = e->history(alice.id, ch->id, {history_query::from::after, 0, 200});
  CHECK(page->messages.size() == 10);
  CHECK(page->messages.back().seq == 10);
}

}  // namespace

TEST_CASE("seq_unique_and_gap_free_with_many_threads_on_sqlite", "[concurrency][sqlite]") {
  seqs_stay_unique_and_gap_free(sqlite_temp_url());
}
TEST_CASE("seq_unique_and_gap_free_with_many_threads_on_mariadb", "[concurrency][mariadb]") {
  seqs_stay_unique_and_gap_free(mysql_fresh_url());
}
TEST_CASE("dm_get_or_create_is_unique_under_race_on_sqlite", "[concurrency][sqlite]") {
  direct_get_or_create_is_unique_under_race(sqlite_temp_url());
}
TEST_CASE("dm_get_or_create_is_unique_under_race_on_mariadb", "[concurrency][mariadb]") {
  direct_get_or_create_is_unique_under_race(mysql_fresh_url());
}
TEST_CASE("idempotent_retry_under_concurrency_on_sqlite", "[concurrency][sqlite]") {
  idempotent_retry_under_concurrency(sqlite_temp_url());
}
TEST_CASE("idempotent_retry_under_concurrency_on_mariadb", "[concurrency][mariadb]") {
  idempotent_retry_under_concurrency(mysql_fresh_url());
}

TEST_CASE("engine_reports_unavailable_while_mariadb_is_down_and_recovers", "[mariadb][outage]") {
  private_mariadb server;
  REQUIRE(server.start());
  auto e = open_engine(server.url() + " connect_timeout=2 read_timeout=3 write_timeout=3");
  auto alice = make_user(*e, "alice");
  auto ch = e->create_group(alice.id, "g", "");
  REQUIRE(ch.ok());
  auto kept = e->send(alice.id, ch->id, "acknowledged before the outage", "before");
  REQUIRE(kept.ok());

  REQUIRE(server.stop());
  const auto started = std::chrono::steady_clock::now();
  auto lost = e->send(alice.id, ch->id, "during the outage", "during");
  CHECK(lost.code() == errc::unavailable);
  CHECK(e->history(alice.id, ch->id, {}).code() == errc::unavailable);
  CHECK(e->check_database().code() == errc::unavailable);
  CHECK(e->login("alice", "correct horse battery").code() == errc::unavailable);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));  // no hang

  REQUIRE(server.start());  // returns once the server accepts connections
  // The first request after the recovery succeeds: no retry loop hides a failing one.
  auto retried = e->send(alice.id, ch->id, "during the outage", "during");  // the client retries
  INFO(retried.error().message());
  REQUIRE(retried.ok());
  CHECK(retried->seq == 2);
  CHECK(e->check_database().ok());
  auto page = e->history(alice.id, ch->id, {});
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 2);
  CHECK(page->messages[0].text == "acknowledged before the outage");
  CHECK(e->stats().database_errors > 0);
}

namespace {

// Several commit threads (MariaDB; SQLite keeps one), each with its share of the channels: every
// channel's events still reach a member in seq order, once each, and each acknowledgement matches
// what was delivered.
void events_keep_seq_order_with_parallel_commits(const std::string& url) {
  engine_options options;
  options.database = url;
  options.password_hashing = password_cost::minimum;
  options.commit_threads = 3;
  auto opened = engine::open(options);
  REQUIRE(opened.ok());
  auto e = std::move(opened).value();
  auto reader = make_user(*e, "reader");
  std::vector<user> senders;
  for (int i = 0; i < 8; ++i) senders.push_back(make_user(*e, "sender" + std::to_string(i)));
  std::vector<user_id> member_ids;
  for (auto& s : senders) member_ids.push_back(s.id);
  std::vector<channel_id> channels;
  for (int c = 0; c < 6; ++c) {
    auto ch = e->create_group(reader.id, "room" + std::to_string(c), "", member_ids);
    REQUIRE(ch.ok());
    channels.push_back(ch->id);
  }
  auto sink = std::make_shared<recording_sink>();
  e->connect(reader.id, sink);
  // Blocking sends from many threads: commits of neighbouring batches keep racing each other.
  constexpr int k_per_sender = 100;
  std::mutex mutex;
  std::map<message_id, seq_t> acked;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < senders.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_per_sender; ++i) {
        const channel_id ch = channels[(t + static_cast<std::size_t>(i)) % channels.size()];
        auto m = e->send(senders[t].id, ch, "m" + std::to_string(i));
        std::lock_guard<std::mutex> lock(mutex);
        if (!m.ok())
          errors.push_back(m.error().message());
        else
          acked[m->id] = m->seq;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  const std::size_t total = senders.size() * k_per_sender;
  REQUIRE(sink->wait_count(event_kind::message_created, total));
  std::map<channel_id, seq_t> last;
  std::set<message_id> seen;
  for (const auto& ev : sink->of(event_kind::message_created)) {
    const message& m = *ev->message;
    CHECK(m.seq == last[m.channel] + 1);  // in order, no gap, no repeat
    last[m.channel] = m.seq;
    CHECK(seen.insert(m.id).second);
    auto ack = acked.find(m.id);
    REQUIRE(ack != acked.end());
    CHECK(ack->second == m.seq);
  }
  CHECK(seen.size() == total);
}

}  // namespace

TEST_CASE("events_keep_seq_order_with_parallel_commits_on_mariadb", "[concurrency][mariadb]") {
  events_keep_seq_order_with_parallel_commits(mysql_fresh_url());
}
TEST_CASE("events_keep_seq_order_with_parallel_commits_on_sqlite", "[concurrency][sqlite]") {
  events_keep_seq_order_with_parallel_commits(sqlite_temp_url());
}
