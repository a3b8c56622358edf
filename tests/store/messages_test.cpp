// Store contract: append_messages (group commit), history pages and read markers.
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.hpp"
#include "support/thread_errors.hpp"

using namespace chat;
using namespace chat::test;
using kind = detail::append_outcome::kind;

STORE_CASE(append_assigns_gap_free_seqs_and_moves_the_sender_marker) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto ch = make_group(*s, a, {b});
  const auto other = make_group(*s, b, {a});
  const auto out = s->append_messages(
      {pending(a, ch.id, "hello", "", 10), pending(b, ch.id, "hi", "", 11),
       pending(b, other.id, "elsewhere", "", 12), pending(a, ch.id, "héllo wörld ✓", "", 13)});
  REQUIRE(out.size() == 4);
  for (const auto& o : out) CHECK(o.what == kind::stored);
  CHECK(out[0].message.seq == 1);
  CHECK(out[1].message.seq == 2);
  CHECK(out[2].message.seq == 1);
  CHECK(out[3].message.seq == 3);
  CHECK(out[0].message.id > 0);
  CHECK(out[3].message.text == "héllo wörld ✓");
  CHECK(out[3].message.created_at == 13);
  CHECK(out[3].message.channel == ch.id);
  CHECK(out[3].message.sender == a);
  CHECK(s->last_seq(ch.id) == 3);
  CHECK(s->last_seq(other.id) == 1);
  CHECK(s->find_membership(ch.id, a)->last_read_seq == 3);
  CHECK(s->find_membership(ch.id, b)->last_read_seq == 2);
  CHECK(send(*s, b, ch.id, "next").message.seq == 4);

  const auto stored = s->messages_between(ch.id, 0, 0, 10, false);
  REQUIRE(stored.size() == 4);
  CHECK(stored[2].text == "héllo wörld ✓");
  CHECK(stored[2].id == out[3].message.id);
}

// A batch larger than one INSERT chunk (256 rows), spread over two
// channels and interleaved with a refused send: each outcome's id is the id of the row stored
// with its channel and seq (on MySQL those ids come from the INSERT's reply, not a query).
STORE_CASE(append_ids_match_the_stored_rows_across_insert_chunks) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto outsider = make_user(*s, "outsider").user.id;
  const auto first = make_group(*s, a, {b});
  const auto second = make_group(*s, b, {a});
  send(*s, a, first.id, "before");  // ids of the batch do not start at 1
  std::vector<detail::pending_message> batch;
  for (int i = 0; i < 300; ++i) {
    const auto ch = i % 3 == 0 ? second.id : first.id;
    batch.push_back(pending(i % 2 ? a : b, ch, "m" + std::to_string(i), "k" + std::to_string(i)));
    if (i == 150) batch.push_back(pending(outsider, first.id, "refused"));
  }
  const auto out = s->append_messages(batch);
  REQUIRE(out.size() == batch.size());
  std::map<std::pair<channel_id, seq_t>, message> stored;
  for (const auto ch : {first.id, second.id})
    for (const auto& m : s->messages_between(ch, 0, 0, 1000, false)) stored[{ch, m.seq}] = m;
  std::set<message_id> ids;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (batch[i].sender == outsider) {
      CHECK(out[i].what == kind::not_member);
      continue;
    }
    REQUIRE(out[i].what == kind::stored);
    const auto& m = out[i].message;
    auto row = stored.find({m.channel, m.seq});
    REQUIRE(row != stored.end());
    CHECK(row->second.id == m.id);
    CHECK(row->second.text == batch[i].text);
    ids.insert(m.id);
  }
  CHECK(ids.size() == 300);
}

STORE_CASE(append_by_a_non_member_is_refused_without_using_a_seq) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto outsider = make_user(*s, "outsider").user.id;
  const auto ch = make_group(*s, a, {});
  const auto out =
      s->append_messages({pending(outsider, ch.id, "let me in"), pending(a, ch.id, "one"),
                          pending(a, ch.id + 999, "no such channel"), pending(a, ch.id, "two")});
  REQUIRE(out.size() == 4);
  CHECK(out[0].what == kind::not_member);
  CHECK(out[1].what == kind::stored);
  CHECK(out[2].what == kind::no_channel);  // told apart from not_member in the batch
  CHECK(out[3].what == kind::stored);
  CHECK(out[3].message.seq == 2);
  CHECK(s->messages_between(ch.id, 0, 0, 10, false).size() == 2);
}

STORE_CASE(repeated_client_msg_id_returns_the_original_also_within_one_batch) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto ch = make_group(*s, a, {b});
  const auto first = send(*s, a, ch.id, "original", "m-1");
  REQUIRE(first.what == kind::stored);

  const auto out =
      s->append_messages({pending(a, ch.id, "retry of m-1", "m-1"), pending(a, ch.id, "new", "m-2"),
                          pending(a, ch.id, "retry of m-2 in the same batch", "m-2"),
                          pending(b, ch.id, "same key, other sender", "m-1"),
                          pending(a, ch.id, "no key"), pending(a, ch.id, "no key")});
  REQUIRE(out.size() == 6);
  CHECK(out[0].what == kind::duplicate);
  CHECK(out[0].message.id == first.message.id);
  CHECK(out[0].message.text == "original");
  CHECK(out[0].message.client_msg_id == "m-1");
  CHECK(out[1].what == kind::stored);
  CHECK(out[1].message.seq == 2);
  CHECK(out[2].what == kind::duplicate);
  CHECK(out[2].message.id == out[1].message.id);
  CHECK(out[2].message.seq == 2);
  CHECK(out[3].what == kind::stored);
  CHECK(out[3].message.seq == 3);
  CHECK(out[4].what == kind::stored);
  CHECK(out[5].what == kind::stored);
  CHECK(out[5].message.seq == 5);
  CHECK(out[5].message.client_msg_id.empty());
  CHECK(s->last_seq(ch.id) == 5);
}

STORE_CASE(messages_between_pages_forwards_and_backwards) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {});
  std::vector<detail::pending_message> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(pending(a, ch.id, "m" + std::to_string(i)));
  s->append_messages(batch);

  auto seqs = [](const std::vector<message>& ms) {
    std::vector<seq_t> out;
    for (const auto& m : ms) out.push_back(m.seq);
    return out;
  };
  CHECK(seqs(s->messages_between(ch.id, 0, 0, 3, true)) == std::vector<seq_t>{8, 9, 10});
  CHECK(seqs(s->messages_between(ch.id, 0, 8, 3, true)) == std::vector<seq_t>{5, 6, 7});
  CHECK(seqs(s->messages_between(ch.id, 0, 3, 5, true)) == std::vector<seq_t>{1, 2});
  CHECK(seqs(s->messages_between(ch.id, 0, 0, 3, false)) == std::vector<seq_t>{1, 2, 3});
  CHECK(seqs(s->messages_between(ch.id, 3, 0, 3, false)) == std::vector<seq_t>{4, 5, 6});
  CHECK(seqs(s->messages_between(ch.id, 8, 0, 5, false)) == std::vector<seq_t>{9, 10});
  CHECK(seqs(s->messages_between(ch.id, 2, 6, 10, false)) == std::vector<seq_t>{3, 4, 5});
  CHECK(seqs(s->messages_between(ch.id, 2, 6, 2, true)) == std::vector<seq_t>{4, 5});
  CHECK(s->messages_between(ch.id, 10, 0, 5, false).empty());
  CHECK(s->messages_between(ch.id + 1, 0, 0, 5, false).empty());
  CHECK(s->messages_between(ch.id, 0, 0, 1, true).at(0).text == "m10");
}

STORE_CASE(read_marker_only_moves_forward_and_never_past_the_last_seq) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto outsider = make_user(*s, "c").user.id;
  const auto ch = make_group(*s, a, {b});
  for (int i = 0; i < 5; ++i) send(*s, a, ch.id, "x");
  CHECK(s->advance_read_marker(ch.id, b, 2) == 2);
  CHECK(s->advance_read_marker(ch.id, b, 1) == 2);
  CHECK(s->advance_read_marker(ch.id, b, 100) == 5);
  CHECK(s->find_membership(ch.id, b)->last_read_seq == 5);
  CHECK(s->advance_read_marker(ch.id, outsider, 3) == -1);
  CHECK(s->advance_read_marker(ch.id + 50, b, 3) == -1);
}

namespace {

// `threads` writers, each appending `per_thread` single-message batches through its own pooled
// connection; channel_of(t) picks the target channel of thread t.
template <class ChannelOf>
void append_concurrently(detail::store& s, user_id sender, int threads, int per_thread,
                         ChannelOf channel_of) {
  std::vector<std::thread> workers;
  thread_errors errors;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        errors.run(
            [&] { s.append_messages({pending(sender, channel_of(t), "t" + std::to_string(t))}); });
      }
    });
  }
  for (auto& w : workers) w.join();
  REQUIRE(errors.messages() == std::vector<std::string>{});
}

void require_gap_free(detail::store& s, channel_id ch, int expected) {
  const auto all = s.messages_between(ch, 0, 0, expected + 10, false);
  REQUIRE(static_cast<int>(all.size()) == expected);
  std::set<message_id> ids;
  for (int i = 0; i < expected; ++i) {
    REQUIRE(all[static_cast<std::size_t>(i)].seq == i + 1);
    ids.insert(all[static_cast<std::size_t>(i)].id);
  }
  CHECK(static_cast<int>(ids.size()) == expected);
  CHECK(s.last_seq(ch) == expected);
}

}  // namespace

STORE_CASE(concurrent_appends_to_one_channel_get_unique_gap_free_seqs) {
  auto s = db.open(4);
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {});
  append_concurrently(*s, a, 4, 200, [&](int) { return ch.id; });
  require_gap_free(*s, ch.id, 800);
  CHECK(s->find_membership(ch.id, a)->last_read_seq == 800);
}

STORE_CASE(concurrent_appends_to_separate_channels_stay_gap_free_per_channel) {
  auto s = db.open(4);
  const auto a = make_user(*s, "a").user.id;
  std::vector<channel_id> channels;
  for (int i = 0; i < 4; ++i) channels.push_back(make_group(*s, a, {}).id);
  append_concurrently(*s, a, 4, 200, [&](int t) { return channels[static_cast<std::size_t>(t)]; });
  for (channel_id ch : channels) require_gap_free(*s, ch, 200);
}

STORE_CASE(two_store_objects_on_one_database_share_the_seq_sequence) {
  // Like two processes: separate pools, same database.
  auto s1 = db.open(2);
  auto s2 = db.open(2);
  const auto a = make_user(*s1, "a").user.id;
  const auto ch = make_group(*s1, a, {});
  thread_errors errors;
  std::thread t1([&] {
    for (int i = 0; i < 100; ++i)
      errors.run([&] {
        s1->append_messages({pending(a, ch.id, "one"), pending(a, ch.id, "two")});
      });
  });
  std::thread t2([&] {
    for (int i = 0; i < 100; ++i)
      errors.run([&] { s2->append_messages({pending(a, ch.id, "three")}); });
  });
  t1.join();
  t2.join();
  REQUIRE(errors.messages() == std::vector<std::string>{});
  require_gap_free(*s2, ch.id, 300);
}

// Text and client_msg_ids reach MySQL as quoted literals in the group commit's scripts: quotes,
// backslashes, NUL bytes, statement separators and comment markers are stored verbatim, and a
// retry with such a client_msg_id still finds its original.
STORE_CASE(append_stores_any_text_verbatim_and_finds_retries_by_any_key) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {});
  const std::vector<std::string> texts = {
      "it's \"quoted\"",           "back\\slash \\' \\\\",
      std::string("nul\0byte", 8), "'); DELETE FROM messages; -- ",
      "100% _like_ ;\n\r\t\x1a",   "emoji 😀 and ünïcode"};
  std::vector<detail::pending_message> batch;
  for (std::size_t i = 0; i < texts.size(); ++i)
    batch.push_back(pending(a, ch.id, texts[i], texts[i] + "#" + std::to_string(i)));
  const auto out = s->append_messages(batch);
  REQUIRE(out.size() == texts.size());
  for (const auto& o : out) REQUIRE(o.what == kind::stored);
  const auto stored = s->messages_between(ch.id, 0, 0, 100, false);
  REQUIRE(stored.size() == texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(stored[i].text == texts[i]);
    CHECK(stored[i].client_msg_id == texts[i] + "#" + std::to_string(i));
  }
  const auto again = s->append_messages(batch);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(again[i].what == kind::duplicate);
    CHECK(again[i].message.id == out[i].message.id);
    CHECK(again[i].message.text == texts[i]);
  }
  CHECK(s->last_seq(ch.id) == static_cast<seq_t>(texts.size()));
}

// On MySQL a batch's writes and its COMMIT go in one script; a statement that fails in it (here
// the second INSERT chunk, whose client_msg_id is longer than its VARCHAR(128), refused in
// strict mode) must roll back the statements before it (the first chunk of 256 rows), and the
// connection must stay usable.
TEST_CASE("a_failing_write_rolls_back_the_whole_batch_on_mariadb", "[store][mariadb]") {
  const store_fixture db(backend::mariadb);
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {});
  const std::string too_long(200, 'k');
  std::vector<detail::pending_message> batch;
  for (int i = 0; i < 256; ++i) batch.push_back(pending(a, ch.id, "fine", "k" + std::to_string(i)));
  batch.push_back(pending(a, ch.id, "refused", too_long));
  CHECK_THROWS_AS(s->append_messages(batch), detail::store_error);
  CHECK(s->last_seq(ch.id) == 0);
  CHECK(s->messages_between(ch.id, 0, 0, 10, false).empty());
  CHECK(s->find_membership(ch.id, a)->last_read_seq == 0);
  const auto next = send(*s, a, ch.id, "fine", "k0");
  CHECK(next.what == kind::stored);
  CHECK(next.message.seq == 1);
}
