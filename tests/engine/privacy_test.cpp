// Who may reach a user: blocking, the group-add policy, and presence only between users who
// share a conversation by choice (docs/protocol.md, "Who may reach me").
#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// A wait_for predicate (it runs under the sink's lock: it reads only the events it is given).
std::function<bool(const std::vector<event_ptr>&)> presence_of(user_id who, bool online) {
  return [who, online](const std::vector<event_ptr>& events) {
    for (const auto& ev : events)
      if (ev->kind == event_kind::presence && ev->actor == who && ev->online == online) return true;
    return false;
  };
}

std::vector<user_id> ids_of(const std::vector<user>& users) {
  std::vector<user_id> out;
  for (const auto& u : users) out.push_back(u.id);
  return out;
}

}  // namespace

TEST_CASE("block_unblock_and_list_blocked", "[privacy][blocks]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  CHECK(e->blocked_users(alice.id)->empty());
  REQUIRE(e->block_user(alice.id, carol.id).ok());
  REQUIRE(e->block_user(alice.id, bob.id).ok());
  REQUIRE(e->block_user(alice.id, bob.id).ok());  // idempotent
  CHECK(ids_of(*e->blocked_users(alice.id)) == std::vector<user_id>{bob.id, carol.id});
  CHECK(e->blocked_users(bob.id)->empty());
  CHECK(e->block_user(alice.id, alice.id).code() == errc::invalid_argument);
  CHECK(e->block_user(alice.id, 9999).code() == errc::not_found);
  CHECK(e->block_user(9999, alice.id).code() == errc::not_found);
  REQUIRE(e->unblock_user(alice.id, bob.id).ok());
  REQUIRE(e->unblock_user(alice.id, bob.id).ok());  // idempotent
  CHECK(ids_of(*e->blocked_users(alice.id)) == std::vector<user_id>{carol.id});
}

TEST_CASE("a_blocked_user_cannot_open_a_direct_conversation_either_way", "[privacy][blocks][dm]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  REQUIRE(e->block_user(alice.id, bob.id).ok());
  CHECK(e->open_direct(bob.id, alice.id).code() == errc::forbidden);
  CHECK(e->open_direct(alice.id, bob.id).code() == errc::forbidden);
  REQUIRE(e->unblock_user(alice.id, bob.id).ok());
  CHECK(e->open_direct(bob.id, alice.id).ok());  // unblock restores
}

TEST_CASE("a_block_makes_an_existing_direct_conversation_read_only", "[privacy][blocks][dm]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(bob.id, alice.id);
  REQUIRE(dm.ok());
  REQUIRE(e->send(bob.id, dm->id, "hi alice").ok());
  auto sink = std::make_shared<recording_sink>();
  e->connect(alice.id, sink);

  REQUIRE(e->block_user(alice.id, bob.id).ok());
  auto refused = e->send(bob.id, dm->id, "are you there?");
  CHECK(refused.code() == errc::forbidden);
  CHECK(e->send(alice.id, dm->id, "blocked you").code() == errc::forbidden);
  CHECK(e->open_direct(bob.id, alice.id).code() == errc::forbidden);
  // History stays readable and nothing of the refused sends was stored or delivered.
  auto page = e->history(alice.id, dm->id, {});
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 1);
  CHECK(page->messages.front().text == "hi alice");
  CHECK(sink->of(event_kind::message_created).empty());

  REQUIRE(e->unblock_user(alice.id, bob.id).ok());
  CHECK(e->send(bob.id, dm->id, "again").ok());
  REQUIRE(sink->wait_count(event_kind::message_created, 1));
}

TEST_CASE("a_blocked_user_cannot_add_me_to_a_group", "[privacy][blocks][groups]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  REQUIRE(e->block_user(alice.id, bob.id).ok());
  CHECK(e->create_group(bob.id, "trap", "", {alice.id}).code() == errc::forbidden);
  auto g = e->create_group(bob.id, "team", "", {carol.id});
  REQUIRE(g.ok());
  CHECK(e->add_member(bob.id, g->id, alice.id).code() == errc::forbidden);
  CHECK(e->get_channel(alice.id, g->id).code() == errc::forbidden);  // not added
  // Someone alice did not block may still add her to bob's group: groups are shared spaces.
  REQUIRE(e->set_role(bob.id, g->id, carol.id, role::admin).ok());
  CHECK(e->add_member(carol.id, g->id, alice.id).ok());
  // And alice (the blocker) may add bob to her own group.
  auto mine = e->create_group(alice.id, "mine", "", {bob.id});
  CHECK(mine.ok());

  REQUIRE(e->unblock_user(alice.id, bob.id).ok());
  auto later = e->create_group(bob.id, "later", "", {alice.id});
  CHECK(later.ok());
}

TEST_CASE("group_add_policy_everyone_contacts_nobody", "[privacy][groups]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");      // alice answered bob's DM: a contact
  auto carol = make_user(*e, "carol");  // opened a DM alice never answered: not a contact
  auto dave = make_user(*e, "dave");    // a stranger
  auto with_bob = e->open_direct(bob.id, alice.id);
  REQUIRE(with_bob.ok());
  REQUIRE(e->send(alice.id, with_bob->id, "hi bob").ok());
  REQUIRE(e->open_direct(carol.id, alice.id).ok());

  CHECK(e->privacy(alice.id)->group_adds == group_add_policy::everyone);
  CHECK(e->create_group(dave.id, "d1", "", {alice.id}).ok());  // the default: today's behaviour

  REQUIRE(e->set_privacy(alice.id, {group_add_policy::contacts}).ok());
  CHECK(e->privacy(alice.id)->group_adds == group_add_policy::contacts);
  CHECK(e->create_group(bob.id, "b1", "", {alice.id}).ok());
  CHECK(e->create_group(carol.id, "c1", "", {alice.id}).code() == errc::forbidden);
  auto dg = e->create_group(dave.id, "d2", "");
  REQUIRE(dg.ok());
  CHECK(e->add_member(dave.id, dg->id, alice.id).code() == errc::forbidden);
  // Opening carol's conversation herself makes carol a contact.
  REQUIRE(e->open_direct(alice.id, carol.id).ok());
  CHECK(e->create_group(carol.id, "c2", "", {alice.id}).ok());

  REQUIRE(e->set_privacy(alice.id, {group_add_policy::nobody}).ok());
  CHECK(e->create_group(bob.id, "b2", "", {alice.id}).code() == errc::forbidden);
  CHECK(e->add_member(dave.id, dg->id, alice.id).code() == errc::forbidden);
  // Joining by name is her own choice, whatever the policy.
  CHECK(e->join_public(alice.id, "lobby").ok());
  CHECK(e->create_group(alice.id, "own", "", {bob.id}).ok());

  REQUIRE(e->set_privacy(alice.id, {group_add_policy::everyone}).ok());
  CHECK(e->add_member(dave.id, dg->id, alice.id).ok());
  CHECK(e->set_privacy(alice.id, {static_cast<group_add_policy>(7)}).code() ==
        errc::invalid_argument);
  CHECK(e->privacy(9999).code() == errc::not_found);
}

TEST_CASE("group_add_policy_names_round_trip", "[privacy]") {
  for (auto p : {group_add_policy::everyone, group_add_policy::contacts, group_add_policy::nobody})
    CHECK(group_add_policy_from_string(to_string(p)) == p);
  CHECK_FALSE(group_add_policy_from_string("friends"));
}

TEST_CASE("presence_is_not_delivered_to_a_stranger_who_opened_a_dm", "[privacy][presence]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto stalker = make_user(*e, "stalker");
  auto friend_ = make_user(*e, "friend");
  REQUIRE(e->open_direct(stalker.id, alice.id).ok());  // alice never answered
  REQUIRE(e->create_group(stalker.id, "trap", "", {alice.id}).ok());
  auto dm = e->open_direct(friend_.id, alice.id);
  REQUIRE(dm.ok());
  REQUIRE(e->send(alice.id, dm->id, "hi friend").ok());  // alice answered her friend

  auto watching = std::make_shared<recording_sink>();
  auto friends = std::make_shared<recording_sink>();
  e->connect(stalker.id, watching);
  e->connect(friend_.id, friends);
  e->connect(alice.id, std::make_shared<recording_sink>());
  REQUIRE(friends->wait_for(presence_of(alice.id, true)));
  CHECK(watching->of(event_kind::presence).empty());
  CHECK(e->online_contacts(stalker.id)->empty());
  CHECK(*e->online_contacts(friend_.id) == std::vector<user_id>{alice.id});
  // Alice does not see the stranger either: presence needs both sides' choice.
  CHECK(*e->online_contacts(alice.id) == std::vector<user_id>{friend_.id});
}

TEST_CASE("presence_is_not_delivered_to_a_blocked_user_and_unblock_restores_it",
          "[privacy][presence][blocks]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(dm.ok());
  REQUIRE(e->send(bob.id, dm->id, "hi").ok());
  auto b = std::make_shared<recording_sink>();
  auto a = std::make_shared<recording_sink>();
  e->connect(bob.id, b);
  const connection_id first = e->connect(alice.id, a);
  REQUIRE(b->wait_for(presence_of(alice.id, true)));

  // Blocking while both are online: each now sees the other offline.
  REQUIRE(e->block_user(alice.id, bob.id).ok());
  REQUIRE(b->wait_for(presence_of(alice.id, false)));
  REQUIRE(a->wait_for(presence_of(bob.id, false)));
  CHECK(e->online_contacts(bob.id)->empty());
  CHECK(e->online_contacts(alice.id)->empty());

  // Alice reconnecting is no longer announced to bob.
  e->disconnect(first);
  const auto seen = b->of(event_kind::presence).size();
  e->connect(alice.id, a);
  CHECK(e->online_contacts(bob.id)->empty());
  CHECK(b->of(event_kind::presence).size() == seen);

  REQUIRE(e->unblock_user(alice.id, bob.id).ok());
  REQUIRE(b->wait_count(event_kind::presence, seen + 1));
  CHECK(b->of(event_kind::presence).back()->actor == alice.id);
  CHECK(b->of(event_kind::presence).back()->online);
  CHECK(*e->online_contacts(bob.id) == std::vector<user_id>{alice.id});
}

TEST_CASE("blocking_leaves_shared_groups_alone_except_presence", "[privacy][blocks][groups]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto g = e->join_public(alice.id, "lobby");
  REQUIRE(g.ok());
  REQUIRE(e->join_public(bob.id, "lobby").ok());
  CHECK(*e->online_contacts(bob.id) == std::vector<user_id>{});  // alice is offline
  auto a = std::make_shared<recording_sink>();
  e->connect(alice.id, a);
  CHECK(*e->online_contacts(bob.id) == std::vector<user_id>{alice.id});

  REQUIRE(e->block_user(alice.id, bob.id).ok());
  CHECK(e->online_contacts(bob.id)->empty());
  auto sent = e->send(bob.id, g->id, "still here");  // group messages still flow
  REQUIRE(sent.ok());
  REQUIRE(a->wait_count(event_kind::message_created, 1));
  CHECK(e->get_channel(bob.id, g->id).ok());  // still a member
}

TEST_CASE("answering_a_dm_starts_presence_between_two_online_users", "[privacy][presence]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(dm.ok());
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  e->connect(alice.id, a);
  e->connect(bob.id, b);
  CHECK(a->of(event_kind::presence).empty());  // bob has not chosen the conversation yet
  REQUIRE(e->send(bob.id, dm->id, "hi alice").ok());
  REQUIRE(a->wait_for(presence_of(bob.id, true)));
  REQUIRE(b->wait_for(presence_of(alice.id, true)));
  REQUIRE(e->send(bob.id, dm->id, "again").ok());  // only the first choice announces
  REQUIRE(a->wait_count(event_kind::message_created, 2));
  CHECK(a->of(event_kind::presence).size() == 1);
}

TEST_CASE("joining_by_name_a_public_group_one_was_added_to_starts_presence_once",
          "[privacy][presence][groups]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto lobby = e->join_public(bob.id, "lobby");
  REQUIRE(lobby.ok());
  REQUIRE(e->add_member(bob.id, lobby->id, alice.id).ok());  // bob's choice, not alice's
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  e->connect(alice.id, a);
  e->connect(bob.id, b);
  CHECK(e->online_contacts(alice.id)->empty());

  // Alice joins it by name herself: the same channel, no second membership, and from now on
  // the two see each other's presence.
  auto joined = e->join_public(alice.id, "LOBBY");
  REQUIRE(joined.ok());
  CHECK(joined->id == lobby->id);
  REQUIRE(a->wait_for(presence_of(bob.id, true)));
  REQUIRE(b->wait_for(presence_of(alice.id, true)));
  CHECK(*e->online_contacts(alice.id) == std::vector<user_id>{bob.id});
  CHECK(e->members(alice.id, lobby->id)->members.size() == 2);

  // Joining again announces nothing: a message sent after it is the marker.
  REQUIRE(e->join_public(alice.id, "lobby").ok());
  REQUIRE(e->send(bob.id, lobby->id, "marker").ok());
  REQUIRE(a->wait_count(event_kind::message_created, 1));
  CHECK(a->of(event_kind::presence).size() == 1);
  CHECK(a->of(event_kind::member_added).empty());
}
