// Sending, idempotent retries, history paging, sync and read markers.
#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {
struct pair_fixture {
  std::unique_ptr<engine> e = open_memory_engine();
  user alice = make_user(*e, "alice");
  user bob = make_user(*e, "bob");
  user eve = make_user(*e, "eve");
  channel group = *e->create_group(alice.id, "g", "", {bob.id});
};
}  // namespace

TEST_CASE("send_assigns_increasing_gap_free_seqs_and_server_time", "[messages]") {
  manual_clock clock;
  auto e = open_memory_engine(clock.fn());
  auto alice = make_user(*e, "alice");
  auto ch = e->create_group(alice.id, "g", "");
  REQUIRE(ch.ok());
  for (seq_t expected = 1; expected <= 5; ++expected) {
    auto m = e->send(alice.id, ch->id, "hello " + std::to_string(expected));
    REQUIRE(m.ok());
    CHECK(m->seq == expected);
    CHECK(m->channel == ch->id);
    CHECK(m->sender == alice.id);
    CHECK(m->created_at == clock.now->load());
    CHECK(m->id > 0);
  }
  auto other = e->create_group(alice.id, "h", "");
  CHECK(e->send(alice.id, other->id, "first")->seq == 1);  // seqs are per channel
}

TEST_CASE("message_text_must_be_valid_utf8_of_1_to_2000_code_points", "[messages]") {
  pair_fixture f;
  CHECK(f.e->send(f.alice.id, f.group.id, "").code() == errc::invalid_argument);
  CHECK(f.e->send(f.alice.id, f.group.id, "bad \xed\xa0\x80 surrogate").code() ==
        errc::invalid_argument);
  CHECK(f.e->send(f.alice.id, f.group.id, "overlong \xc0\xaf").code() == errc::invalid_argument);
  CHECK(f.e->send(f.alice.id, f.group.id, std::string(2001, 'x')).code() == errc::invalid_argument);
  std::string emoji;
  for (int i = 0; i < 2000; ++i) emoji += "\xf0\x9f\x98\x80";  // 8000 bytes, 2000 code points
  auto ok = f.e->send(f.alice.id, f.group.id, emoji);
  REQUIRE(ok.ok());
  CHECK(ok->text == emoji);
  CHECK(f.e->send(f.alice.id, f.group.id, "x", std::string(65, 'c')).code() ==
        errc::invalid_argument);
}

TEST_CASE("only_members_send_and_read_and_unknown_channels_are_not_found", "[messages]") {
  pair_fixture f;
  CHECK(f.e->send(f.eve.id, f.group.id, "let me in").code() == errc::forbidden);
  CHECK(f.e->history(f.eve.id, f.group.id, {}).code() == errc::forbidden);
  CHECK(f.e->send(f.alice.id, 999999, "where").code() == errc::not_found);
  CHECK(f.e->history(f.alice.id, 999999, {}).code() == errc::not_found);
  CHECK(f.e->mark_read(f.eve.id, f.group.id, 1).code() == errc::forbidden);
}

TEST_CASE("retried_send_with_same_client_msg_id_returns_the_original", "[messages]") {
  pair_fixture f;
  auto first = f.e->send(f.alice.id, f.group.id, "once", "c-1");
  auto retry = f.e->send(f.alice.id, f.group.id, "once", "c-1");
  REQUIRE((first.ok() && retry.ok()));
  CHECK(retry->id == first->id);
  CHECK(retry->seq == first->seq);
  CHECK(retry->client_msg_id == "c-1");
  // Another sender may use the same key; the same sender with a new key gets a new message.
  auto bobs = f.e->send(f.bob.id, f.group.id, "mine", "c-1");
  auto next = f.e->send(f.alice.id, f.group.id, "twice", "c-2");
  CHECK(bobs->id != first->id);
  CHECK(next->seq == first->seq + 2);
  auto page = f.e->history(f.alice.id, f.group.id, {});
  REQUIRE(page.ok());
  CHECK(page->messages.size() == 3);
  CHECK(f.e->stats().duplicate_sends == 1);
}

TEST_CASE("history_pages_latest_before_and_after_with_has_more", "[messages][history]") {
  pair_fixture f;
  for (int i = 1; i <= 25; ++i) REQUIRE(f.e->send(f.alice.id, f.group.id, std::to_string(i)).ok());

  history_query latest;
  latest.limit = 10;
  auto page = f.e->history(f.bob.id, f.group.id, latest);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 10);
  CHECK(page->messages.front().seq == 16);
  CHECK(page->messages.back().seq == 25);
  CHECK(page->has_more);

  history_query before{history_query::from::before, 16, 10};
  page = f.e->history(f.bob.id, f.group.id, before);
  REQUIRE(page.ok());
  CHECK(page->messages.front().seq == 6);
  CHECK(page->messages.back().seq == 15);
  CHECK(page->has_more);
  before.seq = 6;
  page = f.e->history(f.bob.id, f.group.id, before);
  CHECK(page->messages.size() == 5);
  CHECK(!page->has_more);
  before.seq = 1;
  CHECK(f.e->history(f.bob.id, f.group.id, before)->messages.empty());

  history_query after{history_query::from::after, 20, 10};
  page = f.e->history(f.bob.id, f.group.id, after);
  REQUIRE(page->messages.size() == 5);
  CHECK(page->messages.front().seq == 21);
  CHECK(!page->has_more);
  after.seq = 0;
  after.limit = 10;
  page = f.e->history(f.bob.id, f.group.id, after);
  CHECK(page->messages.front().seq == 1);
  CHECK(page->has_more);

  CHECK(f.e->history(f.bob.id, f.group.id, {history_query::from::after, -1, 5}).code() ==
        errc::invalid_argument);
}

TEST_CASE("history_limit_is_capped_at_max_page_size", "[messages][history]") {
  pair_fixture f;
  for (int i = 0; i < engine::max_page_size + 5; ++i)
    REQUIRE(f.e->send(f.alice.id, f.group.id, "m").ok());
  auto page = f.e->history(f.bob.id, f.group.id, {history_query::from::latest, 0, 100000});
  REQUIRE(page.ok());
  CHECK(page->messages.size() == static_cast<std::size_t>(engine::max_page_size));
  CHECK(page->has_more);
  page = f.e->history(f.bob.id, f.group.id, {history_query::from::latest, 0, -3});
  CHECK(page->messages.size() == 1);
}

TEST_CASE("sync_returns_exactly_what_was_missed_in_every_channel", "[messages][sync]") {
  pair_fixture f;
  auto dm = f.e->open_direct(f.alice.id, f.bob.id);
  REQUIRE(dm.ok());
  for (int i = 1; i <= 3; ++i)
    REQUIRE(f.e->send(f.alice.id, f.group.id, "g" + std::to_string(i)).ok());
  REQUIRE(f.e->send(f.alice.id, dm->id, "d1").ok());
  // Bob saw group up to seq 2 and dm up to seq 1, then went offline.
  std::vector<sync_cursor> cursors{{f.group.id, 2}, {dm->id, 1}};
  REQUIRE(f.e->send(f.alice.id, f.group.id, "g4").ok());
  REQUIRE(f.e->send(f.alice.id, dm->id, "d2").ok());
  auto fresh = f.e->create_group(f.alice.id, "new", "", {f.bob.id});
  REQUIRE(f.e->send(f.alice.id, fresh->id, "n1").ok());

  auto missed = f.e->sync(f.bob.id, cursors);
  REQUIRE(missed.ok());
  std::map<channel_id, std::vector<seq_t>> got;
  for (auto& c : missed->channels)
    for (auto& m : c.messages) got[c.channel].push_back(m.seq);
  CHECK(got[f.group.id] == std::vector<seq_t>{3, 4});
  CHECK(got[dm->id] == std::vector<seq_t>{2});
  CHECK(got[fresh->id] == std::vector<seq_t>{1});  // no cursor: from the start

  // Caught up: nothing twice.
  std::vector<sync_cursor> now{{f.group.id, 4}, {dm->id, 2}, {fresh->id, 1}};
  CHECK(f.e->sync(f.bob.id, now)->channels.empty());
  // A channel I am not in is ignored even with a cursor.
  CHECK(f.e->sync(f.eve.id, now)->channels.empty());
}

TEST_CASE("sync_pages_long_gaps_with_has_more", "[messages][sync]") {
  pair_fixture f;
  for (int i = 0; i < 7; ++i) REQUIRE(f.e->send(f.alice.id, f.group.id, "x").ok());
  auto first = f.e->sync(f.bob.id, {{f.group.id, 0}}, 5);
  REQUIRE(first.ok());
  REQUIRE(first->channels.size() == 1);
  CHECK(first->channels[0].messages.size() == 5);
  CHECK(first->channels[0].has_more);
  auto rest = f.e->sync(f.bob.id, {{f.group.id, first->channels[0].messages.back().seq}}, 5);
  CHECK(rest->channels[0].messages.size() == 2);
  CHECK(!rest->channels[0].has_more);
}

TEST_CASE("read_marker_never_moves_back_and_drives_unread", "[messages][read]") {
  pair_fixture f;
  for (int i = 0; i < 5; ++i) REQUIRE(f.e->send(f.alice.id, f.group.id, "x").ok());
  CHECK(*f.e->mark_read(f.bob.id, f.group.id, 3) == 3);
  CHECK(*f.e->mark_read(f.bob.id, f.group.id, 2) == 3);    // not backwards
  CHECK(*f.e->mark_read(f.bob.id, f.group.id, 100) == 5);  // clamped to the last seq
  CHECK(f.e->mark_read(f.bob.id, f.group.id, -1).code() == errc::invalid_argument);
  REQUIRE(f.e->send(f.alice.id, f.group.id, "new").ok());
  auto mine = f.e->list_channels(f.bob.id);
  REQUIRE(mine.ok());
  CHECK(mine->channels.front().last_read_seq == 5);
  CHECK(mine->channels.front().unread == 1);
}
