// Budgeted pages (engine_options::max_reply_bytes) of history, sync, list_channels and members,
// and the control-character rule that keeps stored text from growing sixfold in JSON.
#include <sqlite3.h>

#include <map>
#include <set>

#include "chat/wire.hpp"
#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// Runs SQL on an SQLite file directly, bypassing the engine and its rules: stored data from
// before the control-character rule, or rows in bulk.
void sqlite_exec(const std::string& url, const std::string& sql) {
  const std::string path = url.substr(url.find("db=") + 3);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// 2,000 control characters: 2,000 bytes stored, 12,000 in JSON (\u0001 each).
const std::string k_control_text = std::string(2000, '\x01');

void store_control_text(const std::string& url) {
  sqlite_exec(url, "UPDATE messages SET text = replace(hex(zeroblob(2000)), '00', char(1))");
}

std::unique_ptr<engine> open_with_budget(const std::string& url, std::size_t budget) {
  engine_options options;
  options.database = url;
  options.password_hashing = password_cost::minimum;
  options.max_reply_bytes = budget;
  auto opened = engine::open(options);
  INFO(opened.error().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

struct stored_world {
  std::string url = sqlite_temp_url();
  user alice, bob;
  std::vector<channel_id> groups;
};

// alice and bob share `groups` groups with `messages` messages each from alice, whose stored
// text is then replaced by 2,000 control characters.
stored_world make_world(int groups, int messages) {
  stored_world w;
  auto e = open_engine(w.url);
  w.alice = make_user(*e, "alice");
  w.bob = make_user(*e, "bob");
  for (int g = 0; g < groups; ++g) {
    auto ch = e->create_group(w.alice.id, "g" + std::to_string(g), "", {w.bob.id});
    REQUIRE(ch.ok());
    w.groups.push_back(ch->id);
    for (int i = 0; i < messages; ++i) REQUIRE(e->send(w.alice.id, ch->id, "m").ok());
  }
  e.reset();
  store_control_text(w.url);
  return w;
}

history_page history_of(engine& e, const stored_world& w, history_query q) {
  auto page = e.history(w.bob.id, w.groups.at(0), q);
  INFO(page.error().message());
  REQUIRE(page.ok());
  return *page;
}

std::vector<seq_t> seqs(const std::vector<message>& messages) {
  std::vector<seq_t> out;
  for (const auto& m : messages) out.push_back(m.seq);
  return out;
}

}  // namespace

TEST_CASE("history_page_ends_exactly_at_the_byte_budget_by_encoded_size", "[budget][history]") {
  auto w = make_world(1, 10);
  // The newest three messages as a page: its encoded size is the budget.
  std::vector<message> newest3;
  {
    auto e = open_with_budget(w.url, 1024 * 1024);
    auto all = history_of(*e, w, {history_query::from::latest, 0, 10});
    REQUIRE(all.messages.size() == 10);
    CHECK(all.messages[0].text == k_control_text);  // served although stored before the rule
    newest3.assign(all.messages.end() - 3, all.messages.end());
  }
  const std::size_t exact = wire::to_json(history_page{newest3, false}).size();
  CHECK(exact > 3 * 12000);  // budgeted by encoded size, not by the 2,000 stored bytes

  {
    auto e = open_with_budget(w.url, exact);
    auto page = history_of(*e, w, {history_query::from::latest, 0, 10});
    CHECK(seqs(page.messages) == std::vector<seq_t>{8, 9, 10});  // ends early at the far end
    CHECK(page.has_more);
    CHECK(wire::to_json(page).size() <= exact);
    auto after = history_of(*e, w, {history_query::from::after, 0, 10});
    CHECK(seqs(after.messages) == std::vector<seq_t>{1, 2, 3});
    CHECK(after.has_more);
  }
  {
    auto e = open_with_budget(w.url, exact - 1);  // one byte less: one message less
    auto page = history_of(*e, w, {history_query::from::latest, 0, 10});
    CHECK(seqs(page.messages) == std::vector<seq_t>{9, 10});
    CHECK(page.has_more);

    // Paging back with before_seq reaches every message once, each page within the budget.
    std::vector<seq_t> seen = seqs(page.messages);
    while (page.has_more) {
      page = history_of(*e, w, {history_query::from::before, page.messages.front().seq, 10});
      REQUIRE(!page.messages.empty());
      CHECK(wire::to_json(page).size() <= exact - 1);
      const auto older = seqs(page.messages);
      seen.insert(seen.begin(), older.begin(), older.end());
    }
    CHECK(seen == std::vector<seq_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  }
}

TEST_CASE("sync_pages_by_bytes_and_the_resume_loop_reaches_every_message", "[budget][sync]") {
  auto w = make_world(3, 12);
  std::size_t exact = 0;
  {
    auto e = open_with_budget(w.url, 1024 * 1024);
    auto one = e->sync(w.bob.id, {}, 2);  // two messages of each channel
    REQUIRE(one.ok());
    REQUIRE(one->channels.size() == 3);
    sync_result first;
    first.channels.push_back(one->channels[0]);
    first.channels[0].has_more = false;   // the engine counts the longer boolean
    exact = wire::to_json(first).size();  // the first channel's two messages
  }
  {
    auto e = open_with_budget(w.url, exact);
    auto at = e->sync(w.bob.id, {});
    REQUIRE(at.ok());
    REQUIRE(at->channels.size() == 1);
    CHECK(seqs(at->channels[0].messages) == std::vector<seq_t>{1, 2});
    CHECK(at->channels[0].has_more);
    CHECK(at->has_more);
    CHECK(wire::to_json(*at).size() <= exact);
  }
  auto e = open_with_budget(w.url, exact - 1);
  auto over = e->sync(w.bob.id, {});
  REQUIRE(over.ok());
  REQUIRE(over->channels.size() == 1);
  CHECK(seqs(over->channels[0].messages) == std::vector<seq_t>{1});
  CHECK(over->has_more);

  // The documented resume loop: move each returned channel's cursor to its last seq and sync
  // again while the result or a channel has_more.
  std::map<channel_id, std::vector<seq_t>> got;
  std::vector<sync_cursor> cursors;
  for (int round = 0; round < 100; ++round) {
    auto r = e->sync(w.bob.id, cursors);
    REQUIRE(r.ok());
    CHECK(wire::to_json(*r).size() <= exact - 1);
    bool more = r->has_more;
    for (const auto& c : r->channels) {
      REQUIRE(!c.messages.empty());
      for (const auto& m : c.messages) got[c.channel].push_back(m.seq);
      cursors.push_back({c.channel, c.messages.back().seq});
      more = more || c.has_more;
    }
    if (!more) break;
  }
  std::vector<seq_t> all(12);
  for (int i = 0; i < 12; ++i) all[i] = i + 1;
  REQUIRE(got.size() == 3);
  for (auto g : w.groups) CHECK(got[g] == all);
}

TEST_CASE("sync_lists_at_most_max_sync_channels_per_reply", "[budget][sync]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  const int n = engine::max_sync_channels + 3;
  for (int g = 0; g < n; ++g) {
    auto ch = e->create_group(alice.id, "g" + std::to_string(g), "", {bob.id});
    REQUIRE(ch.ok());
    REQUIRE(e->send(alice.id, ch->id, "hi").ok());
  }
  auto first = e->sync(bob.id, {});
  REQUIRE(first.ok());
  CHECK(first->channels.size() == static_cast<std::size_t>(engine::max_sync_channels));
  CHECK(first->has_more);
  std::vector<sync_cursor> cursors;
  for (const auto& c : first->channels) cursors.push_back({c.channel, c.messages.back().seq});
  auto rest = e->sync(bob.id, cursors);
  REQUIRE(rest.ok());
  CHECK(rest->channels.size() == 3);
  CHECK(!rest->has_more);
  CHECK(rest->channels.front().channel > first->channels.back().channel);
}

TEST_CASE("list_channels_pages_by_budget_and_after_reaches_every_channel", "[budget][channels]") {
  auto w = make_world(12, 1);  // each summary's last message is 12 KB of JSON
  std::size_t exact = 0;
  {
    auto e = open_with_budget(w.url, 1024 * 1024);
    auto all = e->list_channels(w.bob.id);
    REQUIRE(all.ok());
    REQUIRE(all->channels.size() == 12);
    CHECK(!all->has_more);
    channel_page two;
    two.channels.assign(all->channels.begin(), all->channels.begin() + 2);
    exact = wire::to_json(two).size();
  }
  {
    auto e = open_with_budget(w.url, exact);
    auto page = e->list_channels(w.bob.id);
    REQUIRE(page.ok());
    CHECK(page->channels.size() == 2);
    CHECK(page->has_more);
  }
  auto e = open_with_budget(w.url, exact - 1);
  std::vector<channel_id> seen;
  channel_id after = 0;
  for (int round = 0; round < 20; ++round) {
    auto page = e->list_channels(w.bob.id, after);
    REQUIRE(page.ok());
    REQUIRE(page->channels.size() == 1);  // one byte short of two
    CHECK(wire::to_json(*page).size() <= exact - 1);
    seen.push_back(page->channels[0].channel.id);
    after = page->channels.back().channel.id;
    if (!page->has_more) break;
  }
  CHECK(seen == w.groups);  // every channel once, ascending id
}

TEST_CASE("members_page_by_budget_and_after_reaches_every_member", "[budget][channels]") {
  auto w = make_world(1, 0);
  // 400 more members, written directly (registering them would hash 400 passwords).
  sqlite_exec(w.url,
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
              "INSERT INTO users (username, username_key, password_hash, created_at) "
              "SELECT 'user' || i, 'user' || i, '', 1 FROM n;"
              "INSERT INTO user_channels (channel_id, user_id, role, last_read_seq, joined_at) "
              "SELECT " +
                  std::to_string(w.groups[0]) +
                  ", id, 0, 0, 1 FROM users WHERE username LIKE 'user%'");
  auto e = open_with_budget(w.url, engine::min_reply_bytes);
  std::set<user_id> seen;
  user_id after = 0;
  int pages = 0;
  while (pages++ < 20) {
    auto page = e->members(w.bob.id, w.groups[0], after);
    REQUIRE(page.ok());
    REQUIRE(!page->members.empty());
    CHECK(wire::to_json(*page).size() <= engine::min_reply_bytes);
    for (const auto& m : page->members) {
      CHECK(m.id > after);
      seen.insert(m.id);
      after = m.id;
    }
    if (!page->has_more) break;
  }
  CHECK(pages > 1);  // 402 members do not fit in 16 KiB
  CHECK(seen.size() == 402);
}

TEST_CASE("the_largest_item_fits_the_smallest_budget", "[budget]") {
  // A summary whose name, topic, peer and last message are as long as the rules allow, all of
  // control characters (each six bytes in JSON): a page can always hold one item.
  channel_summary s;
  s.channel.id = s.channel.created_by = INT64_MAX;
  s.channel.created_at = INT64_MAX;
  s.channel.name = std::string(engine::max_channel_name_code_points, '\x01');
  s.channel.topic = std::string(engine::max_topic_code_points, '\x01');
  s.last_seq = s.last_read_seq = s.unread = INT64_MAX;
  s.peer = user{INT64_MAX, std::string(20, 'x'), std::nullopt, std::nullopt, INT64_MAX};
  message m{INT64_MAX, INT64_MAX,      INT64_MAX,
            INT64_MAX, k_control_text, std::string(engine::max_client_msg_id_bytes, '\x01'),
            INT64_MAX};
  s.last_message = m;
  channel_page page;
  page.channels.push_back(s);
  CHECK(wire::to_json(page).size() <= engine::min_reply_bytes);
}

TEST_CASE("open_refuses_a_reply_budget_below_the_minimum", "[budget]") {
  engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.max_reply_bytes = engine::min_reply_bytes - 1;
  CHECK(engine::open(options).code() == errc::invalid_argument);
}

TEST_CASE("control_characters_other_than_tab_and_newline_are_refused", "[messages][channels]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto ch = e->create_group(alice.id, "team", "line one\nline\ttwo");
  REQUIRE(ch.ok());
  for (const std::string& bad : {std::string("a\x01b"), std::string("\x1b[2J"), std::string("a\rb"),
                                 std::string("nul\0here", 8), std::string("\x1f")}) {
    CHECK(e->send(alice.id, ch->id, bad).code() == errc::invalid_argument);
    CHECK(e->create_group(alice.id, bad, "").code() == errc::invalid_argument);
    CHECK(e->create_group(alice.id, "ok", bad).code() == errc::invalid_argument);
    CHECK(e->rename_channel(alice.id, ch->id, bad).code() == errc::invalid_argument);
    CHECK(e->set_topic(alice.id, ch->id, bad).code() == errc::invalid_argument);
    CHECK(e->join_public(alice.id, bad).code() == errc::invalid_argument);
  }
  CHECK(e->send(alice.id, ch->id, "tab\tand\nnewline").ok());
  CHECK(e->set_topic(alice.id, ch->id, "a\tb\nc").ok());
  // A name is one line: no tab or newline either.
  CHECK(e->rename_channel(alice.id, ch->id, "two\nlines").code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, "tab\there", "").code() == errc::invalid_argument);
  CHECK(e->rename_channel(alice.id, ch->id, "renamed").ok());
}
