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

// ---- Limits at the limit and one past it ------------------------------------------------------

namespace {
std::vector<seq_t> seqs_of(const std::vector<message>& messages) {
  std::vector<seq_t> out;
  for (const auto& m : messages) out.push_back(m.seq);
  return out;
}
std::vector<seq_t> range(seq_t first, seq_t last) {
  std::vector<seq_t> out;
  for (seq_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}
}  // namespace

TEST_CASE("a_history_page_of_exactly_limit_messages_has_them_all_and_no_more",
          "[messages][history][limits]") {
  pair_fixture f;
  constexpr int limit = 10;
  for (int i = 1; i <= limit; ++i) REQUIRE(f.e->send(f.alice.id, f.group.id, "m").ok());
  // Exactly `limit` in the channel: every direction returns all of them, has_more false.
  for (const auto& q : {history_query{history_query::from::latest, 0, limit},
                        history_query{history_query::from::after, 0, limit},
                        history_query{history_query::from::before, limit + 1, limit}}) {
    INFO("direction " << static_cast<int>(q.direction));
    auto page = f.e->history(f.bob.id, f.group.id, q);
    REQUIRE(page.ok());
    CHECK(seqs_of(page->messages) == range(1, limit));
    CHECK_FALSE(page->has_more);
  }
  // One more: the page keeps `limit` from its near end and says more exist.
  REQUIRE(f.e->send(f.alice.id, f.group.id, "m").ok());
  auto latest = f.e->history(f.bob.id, f.group.id, {history_query::from::latest, 0, limit});
  REQUIRE(latest.ok());
  CHECK(seqs_of(latest->messages) == range(2, limit + 1));  // the newest one is included
  CHECK(latest->has_more);
  auto after = f.e->history(f.bob.id, f.group.id, {history_query::from::after, 0, limit});
  REQUIRE(after.ok());
  CHECK(seqs_of(after->messages) == range(1, limit));
  CHECK(after->has_more);
  auto before = f.e->history(f.bob.id, f.group.id, {history_query::from::before, limit + 2, limit});
  REQUIRE(before.ok());
  CHECK(seqs_of(before->messages) == range(2, limit + 1));
  CHECK(before->has_more);
  // The nearest bounds: before seq 2 is seq 1 alone; after the last seq is nothing.
  auto first = f.e->history(f.bob.id, f.group.id, {history_query::from::before, 2, limit});
  REQUIRE(first.ok());
  CHECK(seqs_of(first->messages) == std::vector<seq_t>{1});
  CHECK_FALSE(first->has_more);
  auto none = f.e->history(f.bob.id, f.group.id, {history_query::from::after, limit + 1, limit});
  REQUIRE(none.ok());
  CHECK(none->messages.empty());
  CHECK_FALSE(none->has_more);
}

TEST_CASE("history_limit_is_clamped_to_one_and_max_page_size_at_both_ends",
          "[messages][history][limits]") {
  pair_fixture f;
  for (int i = 0; i < engine::max_page_size + 1; ++i)
    REQUIRE(f.e->send(f.alice.id, f.group.id, "m").ok());
  auto size_at = [&](int limit) {
    auto page = f.e->history(f.bob.id, f.group.id, {history_query::from::latest, 0, limit});
    REQUIRE(page.ok());
    CHECK(page->has_more);
    return page->messages.size();
  };
  CHECK(size_at(engine::max_page_size) == static_cast<std::size_t>(engine::max_page_size));
  CHECK(size_at(engine::max_page_size + 1) == static_cast<std::size_t>(engine::max_page_size));
  CHECK(size_at(engine::max_page_size - 1) == static_cast<std::size_t>(engine::max_page_size - 1));
  CHECK(size_at(1) == 1);
  CHECK(size_at(0) == 1);
  // seq 0 is a valid bound (nothing is before it); a negative one is refused.
  CHECK(f.e->history(f.bob.id, f.group.id, {history_query::from::before, 0, 5})->messages.empty());
  CHECK(f.e->history(f.bob.id, f.group.id, {history_query::from::before, -1, 5}).code() ==
        errc::invalid_argument);
}

TEST_CASE("a_sync_page_of_exactly_the_limit_has_no_more_and_one_past_it_has_more",
          "[messages][sync][limits]") {
  pair_fixture f;
  constexpr int limit = 5;
  for (int i = 0; i < limit; ++i) REQUIRE(f.e->send(f.alice.id, f.group.id, "x").ok());
  auto exact = f.e->sync(f.bob.id, {{f.group.id, 0}}, limit);
  REQUIRE(exact.ok());
  REQUIRE(exact->channels.size() == 1);
  CHECK(seqs_of(exact->channels[0].messages) == range(1, limit));
  CHECK_FALSE(exact->channels[0].has_more);
  CHECK_FALSE(exact->has_more);

  REQUIRE(f.e->send(f.alice.id, f.group.id, "x").ok());
  auto past = f.e->sync(f.bob.id, {{f.group.id, 0}}, limit);
  REQUIRE(past.ok());
  REQUIRE(past->channels.size() == 1);
  CHECK(seqs_of(past->channels[0].messages) == range(1, limit));
  CHECK(past->channels[0].has_more);
  // A cursor at the last seq is caught up; one before it gets exactly the last message.
  CHECK(f.e->sync(f.bob.id, {{f.group.id, limit + 1}}, limit)->channels.empty());
  auto last = f.e->sync(f.bob.id, {{f.group.id, limit}}, limit);
  REQUIRE(last->channels.size() == 1);
  CHECK(seqs_of(last->channels[0].messages) == std::vector<seq_t>{limit + 1});
  CHECK_FALSE(last->channels[0].has_more);
  // The limit per channel is clamped to [1, max_page_size].
  auto one = f.e->sync(f.bob.id, {{f.group.id, 0}}, 0);
  REQUIRE(one->channels.size() == 1);
  CHECK(seqs_of(one->channels[0].messages) == std::vector<seq_t>{1});
  CHECK(one->channels[0].has_more);
}

TEST_CASE("sync_of_exactly_max_sync_channels_has_no_more", "[messages][sync][limits]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  for (int g = 0; g < engine::max_sync_channels; ++g) {
    auto ch = e->create_group(alice.id, "g" + std::to_string(g), "", {bob.id});
    REQUIRE(ch.ok());
    REQUIRE(e->send(alice.id, ch->id, "hi").ok());
  }
  auto all = e->sync(bob.id, {});
  REQUIRE(all.ok());
  CHECK(all->channels.size() == static_cast<std::size_t>(engine::max_sync_channels));
  CHECK_FALSE(all->has_more);
}

TEST_CASE("client_msg_id_of_exactly_64_bytes_is_accepted_and_65_refused", "[messages][limits]") {
  pair_fixture f;
  const std::size_t max = static_cast<std::size_t>(engine::max_client_msg_id_bytes);
  REQUIRE(max == 64);
  const std::string at_limit(max, 'k');
  auto ok = f.e->send(f.alice.id, f.group.id, "x", at_limit);
  REQUIRE(ok.ok());
  CHECK(ok->client_msg_id == at_limit);
  // Its retry is recognised: the key was stored whole.
  auto retry = f.e->send(f.alice.id, f.group.id, "x", at_limit);
  REQUIRE(retry.ok());
  CHECK(retry->id == ok->id);
  CHECK(f.e->send(f.alice.id, f.group.id, "x", std::string(max + 1, 'k')).code() ==
        errc::invalid_argument);
  // Bytes, not code points: 32 two-byte characters fit, 32 and a half do not.
  std::string two_byte;
  for (std::size_t i = 0; i < max / 2; ++i) two_byte += "\xc3\xa9";
  CHECK(f.e->send(f.alice.id, f.group.id, "x", two_byte).ok());
  CHECK(f.e->send(f.alice.id, f.group.id, "x", two_byte + "k").code() == errc::invalid_argument);
  CHECK(f.e->send(f.alice.id, f.group.id, "x", "bad \xff key").code() == errc::invalid_argument);
}

TEST_CASE("message_text_utf8_boundaries_of_four_byte_sequences", "[messages][limits][utf8]") {
  pair_fixture f;
  auto sent = [&](const std::string& text) {
    return f.e->send(f.alice.id, f.group.id, "<" + text + ">").code();
  };
  CHECK(sent("\xf0\x90\x80\x80") == errc::ok);                // U+10000, the first 4-byte one
  CHECK(sent("\xf4\x8f\xbf\xbf") == errc::ok);                // U+10FFFF, the last code point
  CHECK(sent("\xf0\x8f\xbf\xbf") == errc::invalid_argument);  // overlong U+FFFF
  CHECK(sent("\xf0\x80\x80\x80") == errc::invalid_argument);  // overlong U+0000
  CHECK(sent("\xf4\x90\x80\x80") == errc::invalid_argument);  // U+110000
  CHECK(sent("\xf5\x80\x80\x80") == errc::invalid_argument);  // no lead byte above F4
  CHECK(sent("\xef\xbf\xbf") == errc::ok);                    // U+FFFF
  CHECK(sent("\xe0\x9f\xbf") == errc::invalid_argument);      // overlong U+07FF
  CHECK(sent("\xed\x9f\xbf") == errc::ok);                    // U+D7FF, just below surrogates
  CHECK(sent("\xed\xbf\xbf") == errc::invalid_argument);      // U+DFFF, a low surrogate
  CHECK(sent("\xee\x80\x80") == errc::ok);                    // U+E000, just above them
  CHECK(sent("\xc2\x80") == errc::ok);                        // U+0080
  CHECK(sent("\xc1\xbf") == errc::invalid_argument);          // overlong U+007F
  // Counted in code points: 2000 four-byte characters fit (above), 2001 do not.
  std::string astral;
  for (int i = 0; i < engine::max_message_code_points + 1; ++i) astral += "\xf4\x8f\xbf\xbf";
  CHECK(f.e->send(f.alice.id, f.group.id, astral).code() == errc::invalid_argument);
}
