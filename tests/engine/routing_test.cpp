// Live delivery: who receives which event, in what order, and that it is encoded once.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

TEST_CASE("a_message_reaches_every_session_of_every_member_but_the_sending_one", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto eve = make_user(*e, "eve");
  auto ch = e->create_group(alice.id, "g", "", {bob.id});
  REQUIRE(ch.ok());
  auto alice_phone = std::make_shared<recording_sink>();
  auto alice_laptop = std::make_shared<recording_sink>();
  auto bob_sink = std::make_shared<recording_sink>();
  auto eve_sink = std::make_shared<recording_sink>();
  const connection_id phone = e->connect(alice.id, alice_phone);
  e->connect(alice.id, alice_laptop);
  e->connect(bob.id, bob_sink);
  e->connect(eve.id, eve_sink);

  auto sent = e->send(alice.id, ch->id, "hi all", "k1", phone);
  REQUIRE(sent.ok());
  REQUIRE(bob_sink->wait_count(event_kind::message_created, 1));
  REQUIRE(alice_laptop->wait_count(event_kind::message_created, 1));
  CHECK(alice_phone->of(event_kind::message_created).empty());  // it got the acknowledgement
  CHECK(eve_sink->of(event_kind::message_created).empty());     // not a member

  auto got = bob_sink->of(event_kind::message_created).front();
  CHECK(got->message->id == sent->id);
  // One immutable event, shared by every recipient (serialized once).
  CHECK(got.get() == alice_laptop->of(event_kind::message_created).front().get());
  auto frame = nlohmann::json::parse(got->json);
  CHECK(frame["type"] == "event");
  CHECK(frame["event"] == "message.created");
  CHECK(frame["message"]["id"] == std::to_string(sent->id));  // ids as strings
  CHECK(frame["message"]["seq"] == 1);
  CHECK(frame["message"]["text"] == "hi all");
}

TEST_CASE("a_retried_send_is_not_delivered_twice", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  auto bob_sink = std::make_shared<recording_sink>();
  e->connect(bob.id, bob_sink);
  REQUIRE(e->send(alice.id, dm->id, "x", "same").ok());
  REQUIRE(e->send(alice.id, dm->id, "x", "same").ok());
  // The marker: a channel's events arrive in order, so once "y" is here a second "x" would be.
  REQUIRE(e->send(alice.id, dm->id, "y", "other").ok());
  REQUIRE(bob_sink->wait_for([](const std::vector<event_ptr>& all) {
    return std::any_of(all.begin(), all.end(),
                       [](const event_ptr& ev) { return ev->message && ev->message->text == "y"; });
  }));
  std::vector<std::string> texts;
  for (auto& ev : bob_sink->of(event_kind::message_created)) texts.push_back(ev->message->text);
  CHECK(texts == std::vector<std::string>{"x", "y"});
}

TEST_CASE("events_arrive_in_seq_order_per_channel_under_concurrent_senders", "[routing]") {
  auto e = open_engine(sqlite_temp_url());
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(alice.id, "g", "", {bob.id});
  auto watcher = std::make_shared<recording_sink>();
  e->connect(bob.id, watcher);
  std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe: count, check after
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) failures += !e->send(alice.id, ch->id, "m").ok();
    });
  for (auto& t : threads) t.join();
  REQUIRE(failures == 0);
  REQUIRE(watcher->wait_count(event_kind::message_created, 200));
  seq_t expected = 1;
  for (auto& ev : watcher->of(event_kind::message_created)) CHECK(ev->message->seq == expected++);
}

TEST_CASE("membership_changes_are_events_and_removed_members_hear_of_it", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  auto c = std::make_shared<recording_sink>();
  e->connect(alice.id, a);
  e->connect(bob.id, b);
  e->connect(carol.id, c);

  auto ch = e->create_group(alice.id, "g", "", {bob.id});
  REQUIRE(ch.ok());
  REQUIRE(b->wait_count(event_kind::channel_created, 1));
  CHECK(c->of(event_kind::channel_created).empty());

  REQUIRE(e->add_member(alice.id, ch->id, carol.id).ok());
  REQUIRE(c->wait_count(event_kind::member_added, 1));
  REQUIRE(b->wait_count(event_kind::member_added, 1));
  CHECK(c->of(event_kind::member_added).front()->subject->id == carol.id);

  REQUIRE(e->set_role(alice.id, ch->id, carol.id, role::admin).ok());
  REQUIRE(b->wait_count(event_kind::member_role_changed, 1));
  CHECK(b->of(event_kind::member_role_changed).front()->subject->role == role::admin);

  REQUIRE(e->rename_channel(alice.id, ch->id, "renamed").ok());
  REQUIRE(c->wait_count(event_kind::channel_updated, 1));

  REQUIRE(e->remove_member(alice.id, ch->id, carol.id).ok());
  REQUIRE(c->wait_count(event_kind::member_removed, 1));  // the removed member is told
  REQUIRE(b->wait_count(event_kind::member_removed, 1));

  // After removal the cache must not keep delivering to carol.
  REQUIRE(e->send(alice.id, ch->id, "after").ok());
  REQUIRE(b->wait_count(event_kind::message_created, 1));
  CHECK(c->of(event_kind::message_created).empty());
}

TEST_CASE("read_markers_reach_only_my_other_sessions", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(e->send(alice.id, dm->id, "x").ok());
  auto bob1 = std::make_shared<recording_sink>();
  auto bob2 = std::make_shared<recording_sink>();
  auto alice1 = std::make_shared<recording_sink>();
  const connection_id first = e->connect(bob.id, bob1);
  e->connect(bob.id, bob2);
  e->connect(alice.id, alice1);
  REQUIRE(e->mark_read(bob.id, dm->id, 1, first).ok());
  REQUIRE(bob2->wait_count(event_kind::read_marker, 1));
  CHECK(bob2->of(event_kind::read_marker).front()->read_seq == 1);
  CHECK(bob1->of(event_kind::read_marker).empty());
  CHECK(alice1->of(event_kind::read_marker).empty());
  REQUIRE(e->mark_read(bob.id, dm->id, 1).ok());  // unchanged: no new event
  // The marker: a real move of the marker, the next read_marker event to arrive.
  REQUIRE(e->send(alice.id, dm->id, "y").ok());
  REQUIRE(e->mark_read(bob.id, dm->id, 2, first).ok());
  REQUIRE(bob2->wait_count(event_kind::read_marker, 2));
  const auto markers = bob2->of(event_kind::read_marker);
  REQUIRE(markers.size() == 2);
  CHECK(markers[1]->read_seq == 2);
}

TEST_CASE("typing_reaches_other_online_members_and_presence_follows_connections",
          "[routing][presence]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto eve = make_user(*e, "eve");
  auto dm = e->open_direct(alice.id, bob.id);
  // Presence needs both sides' choice (docs/protocol.md, "Who may reach me"): bob opens it too.
  REQUIRE(e->open_direct(bob.id, alice.id).ok());
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  auto v = std::make_shared<recording_sink>();
  e->connect(alice.id, a);
  e->connect(eve.id, v);
  const connection_id bob1 = e->connect(bob.id, b);
  REQUIRE(a->wait_count(event_kind::presence, 1));
  auto online = a->of(event_kind::presence).front();
  CHECK(online->actor == bob.id);
  CHECK(online->online);
  CHECK(v->of(event_kind::presence).empty());  // eve shares no channel with bob
  CHECK(*e->online_contacts(alice.id) == std::vector<user_id>{bob.id});

  REQUIRE(e->typing(bob.id, dm->id, bob1).ok());
  REQUIRE(a->wait_count(event_kind::typing, 1));
  CHECK(a->of(event_kind::typing).front()->subject->username == "bob");
  CHECK(b->of(event_kind::typing).empty());
  CHECK(e->typing(eve.id, dm->id).code() == errc::forbidden);

  // A second session does not announce again; the last one going does.
  const connection_id bob2 = e->connect(bob.id, std::make_shared<recording_sink>());
  e->disconnect(bob1);
  // The marker: bob types from his remaining session; a presence event for the disconnect
  // would have been delivered to alice before it.
  REQUIRE(e->typing(bob.id, dm->id, bob2).ok());
  REQUIRE(a->wait_count(event_kind::typing, 2));
  CHECK(a->of(event_kind::presence).size() == 1);
  e->disconnect(bob2);
  REQUIRE(a->wait_count(event_kind::presence, 2));
  CHECK(!a->of(event_kind::presence).back()->online);
  CHECK(e->online_contacts(alice.id)->empty());
  e->disconnect(bob2);  // twice is harmless
}

TEST_CASE("logout_ends_the_live_connections_of_that_session_only", "[routing][sessions]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  auto phone = e->login("alice", "correct horse battery");
  auto laptop = e->login("alice", "correct horse battery");
  auto on_phone = std::make_shared<recording_sink>();
  auto on_laptop = std::make_shared<recording_sink>();
  e->connect(alice.id, on_phone, phone->token);
  e->connect(alice.id, on_laptop, laptop->token);

  REQUIRE(e->logout(phone->token).ok());
  REQUIRE(on_phone->wait_count(event_kind::session_revoked, 1));
  auto frame = nlohmann::json::parse(on_phone->of(event_kind::session_revoked).front()->json);
  CHECK(frame["event"] == "session.revoked");
  CHECK(on_laptop->of(event_kind::session_revoked).empty());
  // The revoked connection is gone from routing; the other still receives.
  REQUIRE(e->send(bob.id, dm->id, "still there?").ok());
  REQUIRE(on_laptop->wait_count(event_kind::message_created, 1));
  CHECK(on_phone->of(event_kind::message_created).empty());
}

TEST_CASE("logout_everywhere_ends_every_connection_and_announces_offline",
          "[routing][sessions][presence]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(dm.ok());
  REQUIRE(e->send(bob.id, dm->id, "hi").ok());  // bob answered: they see each other's presence
  auto watcher = std::make_shared<recording_sink>();
  e->connect(bob.id, watcher);
  auto grant = e->login("alice", "correct horse battery");
  auto first = std::make_shared<recording_sink>();
  auto second = std::make_shared<recording_sink>();
  e->connect(alice.id, first, grant->token);
  e->connect(alice.id, second);  // connected without a token: still alice's
  REQUIRE(watcher->wait_count(event_kind::presence, 1));

  REQUIRE(e->logout_everywhere(alice.id).ok());
  REQUIRE(first->wait_count(event_kind::session_revoked, 1));
  REQUIRE(second->wait_count(event_kind::session_revoked, 1));
  REQUIRE(watcher->wait_count(event_kind::presence, 2));
  CHECK(!watcher->of(event_kind::presence).back()->online);
  CHECK(e->online_contacts(bob.id)->empty());
}

TEST_CASE("a_username_change_reaches_contacts_and_my_sessions", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto eve = make_user(*e, "eve");
  REQUIRE(e->open_direct(alice.id, bob.id).ok());
  auto b = std::make_shared<recording_sink>();
  auto a = std::make_shared<recording_sink>();
  auto v = std::make_shared<recording_sink>();
  e->connect(bob.id, b);
  e->connect(alice.id, a);
  e->connect(eve.id, v);
  REQUIRE(e->change_username(alice.id, "Alicia").ok());
  REQUIRE(b->wait_count(event_kind::user_updated, 1));
  REQUIRE(a->wait_count(event_kind::user_updated, 1));
  auto frame = nlohmann::json::parse(b->of(event_kind::user_updated).front()->json);
  CHECK(frame["event"] == "user.updated");
  CHECK(frame["user"]["username"] == "Alicia");
  CHECK(frame["user"]["id"] == std::to_string(alice.id));
  CHECK(v->of(event_kind::user_updated).empty());
}

TEST_CASE("member_cache_is_bounded_and_evicted_channels_still_deliver_to_current_members",
          "[routing]") {
  engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = password_cost::minimum;
  options.member_cache_channels = 2;
  auto opened = engine::open(options);
  REQUIRE(opened.ok());
  auto& e = *opened.value();
  auto alice = make_user(e, "alice");
  auto bob = make_user(e, "bob");
  auto carol = make_user(e, "carol");
  auto bob_sink = std::make_shared<recording_sink>();
  auto carol_sink = std::make_shared<recording_sink>();
  e.connect(bob.id, bob_sink);
  e.connect(carol.id, carol_sink);

  std::vector<channel_id> groups;
  for (int i = 0; i < 4; ++i) {
    auto ch = e.create_group(alice.id, "g" + std::to_string(i), "", {bob.id});
    REQUIRE(ch.ok());
    groups.push_back(ch->id);
  }
  std::size_t expected = 0;
  for (int round = 0; round < 2; ++round) {
    for (channel_id ch : groups) {
      REQUIRE(e.send(alice.id, ch, "hello", "").ok());
      REQUIRE(bob_sink->wait_count(event_kind::message_created, ++expected));
      CHECK(e.stats().cached_member_lists <= 2);
    }
  }
  // The first group was evicted long ago; a member added now is seen on its next message.
  REQUIRE(e.add_member(alice.id, groups.front(), carol.id, role::member).ok());
  REQUIRE(e.send(alice.id, groups.front(), "welcome carol", "").ok());
  REQUIRE(carol_sink->wait_count(event_kind::message_created, 1));
  CHECK(carol_sink->of(event_kind::message_created).front()->message->text == "welcome carol");
  CHECK(e.stats().cached_member_lists <= 2);
}
