// Store contract: channels, direct conversations, membership, channels_of and contacts_of.
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;

STORE_CASE(create_channel_stores_channel_and_members_in_one_go) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto ch = make_group(*s, a, {b}, 1234, "team");
  CHECK(ch.id > 0);
  const auto found = s->find_channel(ch.id);
  REQUIRE(found);
  CHECK(found->kind == channel_kind::group);
  CHECK(found->name == "team");
  CHECK(found->topic == "topic of team");
  CHECK(found->created_by == a);
  CHECK(found->created_at == 1234);
  CHECK(s->last_seq(ch.id) == 0);
  CHECK(s->member_ids(ch.id) == std::vector<user_id>{a, b});

  const auto members = s->members_of(ch.id);
  REQUIRE(members.size() == 2);
  CHECK(members[0].username == "a");
  CHECK(members[0].role == role::owner);
  CHECK(members[1].role == role::member);

  s->update_channel(ch.id, "team-2", "new topic");
  CHECK(s->find_channel(ch.id)->name == "team-2");
  CHECK(s->find_channel(ch.id)->topic == "new topic");
  CHECK_FALSE(s->find_channel(ch.id + 1000));
}

STORE_CASE(duplicate_address_is_refused_and_creates_nothing) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto dm = make_direct(*s, a, b);
  CHECK(s->find_by_address(direct_address(a, b))->id == dm.id);
  CHECK_FALSE(s->find_by_address("nope"));
  CHECK_FALSE(s->create_channel(new_direct(b), direct_address(b, a), {member_of(a), member_of(b)}));
  CHECK(s->channels_of(a, 0, 10).size() == 1);
  // Group channels have no address: any number of them may exist.
  make_group(*s, a, {b});
  make_group(*s, a, {b});
  CHECK(s->channels_of(a, 0, 10).size() == 3);
}

STORE_CASE(membership_insert_conflict_role_and_delete) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto ch = make_group(*s, a, {});
  CHECK_FALSE(s->find_membership(ch.id, b));
  detail::membership_record m = member_of(b, role::member, 77);
  m.channel = ch.id;
  CHECK(s->insert_membership(m));
  CHECK_FALSE(s->insert_membership(m));
  auto found = s->find_membership(ch.id, b);
  REQUIRE(found);
  CHECK(found->role == role::member);
  CHECK(found->joined_at == 77);
  CHECK(found->last_read_seq == 0);
  s->update_role(ch.id, b, role::admin);
  CHECK(s->find_membership(ch.id, b)->role == role::admin);
  CHECK(s->delete_membership(ch.id, b));
  CHECK_FALSE(s->delete_membership(ch.id, b));
  CHECK(s->member_ids(ch.id) == std::vector<user_id>{a});
}

STORE_CASE(members_after_pages_by_user_id) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto c = make_user(*s, "c").user.id;
  const auto ch = make_group(*s, c, {b, a});
  const auto first = s->members_after(ch.id, 0, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == a);
  CHECK(first[0].username == "a");
  CHECK(first[1].id == b);
  const auto rest = s->members_after(ch.id, b, 2);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].id == c);
  CHECK(rest[0].role == role::owner);
  CHECK(s->members_after(ch.id, c, 2).empty());
}

STORE_CASE(contacts_are_distinct_users_sharing_a_channel) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto b = make_user(*s, "b").user.id;
  const auto c = make_user(*s, "c").user.id;
  const auto d = make_user(*s, "d").user.id;
  make_group(*s, a, {b, c});
  make_direct(*s, a, b);
  make_group(*s, c, {d});
  CHECK(s->contacts_of(a) == std::vector<user_id>{b, c});
  CHECK(s->contacts_of(c) == std::vector<user_id>{a, b, d});
  CHECK(s->contacts_of(d) == std::vector<user_id>{c});
  const auto e = make_user(*s, "e").user.id;
  CHECK(s->contacts_of(e).empty());
}

STORE_CASE(channels_of_pages_by_channel_id_with_unread_peer_and_last_message) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  const auto quiet = make_group(*s, a, {b}, 5000, "quiet");  // created last, no messages
  const auto busy = make_group(*s, a, {b}, 1000, "busy");    // newest message
  const auto dm = make_direct(*s, a, b, 2000);               // an older message
  send(*s, b, dm.id, "old dm", "", 3000);
  send(*s, b, busy.id, "one", "", 6000);
  send(*s, b, busy.id, "two", "", 7000);
  send(*s, a, busy.id, "three", "", 8000);
  send(*s, b, busy.id, "four", "", 9000);

  const auto all = s->channels_of(a, 0, 10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].channel.id == quiet.id);  // ascending channel id, whatever the activity
  CHECK(all[1].channel.id == busy.id);
  CHECK(all[2].channel.id == dm.id);
  // Pages: the ones after a channel id, at most `limit`.
  CHECK(s->channels_of(a, 0, 1).size() == 1);
  const auto after_quiet = s->channels_of(a, quiet.id, 1);
  REQUIRE(after_quiet.size() == 1);
  CHECK(after_quiet[0].channel.id == busy.id);
  CHECK(s->channels_of(a, dm.id, 10).empty());
  const std::vector<channel_summary> list{all[1], all[0], all[2]};  // busy, quiet, dm

  const auto& first = list[0];
  CHECK(first.channel.name == "busy");
  CHECK(first.my_role == role::owner);
  CHECK(first.last_seq == 4);
  CHECK(first.last_read_seq == 3);  // alice's own send moved her marker
  CHECK(first.unread == 1);
  REQUIRE(first.last_message);
  CHECK(first.last_message->text == "four");
  CHECK(first.last_message->seq == 4);
  CHECK(first.last_message->sender == b);
  CHECK(first.last_message->channel == busy.id);
  CHECK_FALSE(first.peer);

  CHECK_FALSE(list[1].last_message);
  CHECK(list[1].unread == 0);

  REQUIRE(list[2].peer);
  CHECK(list[2].peer->id == b);
  CHECK(list[2].peer->username == "bob");
  CHECK(list[2].channel.kind == channel_kind::direct);
  CHECK(list[2].unread == 1);

  const auto of_bob = s->channels_of(b, 0, 10);
  REQUIRE(of_bob.size() == 3);
  CHECK(of_bob[1].unread == 0);  // bob sent the newest message himself
  CHECK(of_bob[1].last_read_seq == 4);
  CHECK(of_bob[2].peer->id == a);

  // What sync reads: every channel with its last seq, ascending id.
  const auto positions = s->channel_positions_of(a);
  REQUIRE(positions.size() == 3);
  CHECK(positions[0].channel == quiet.id);
  CHECK(positions[0].last_seq == 0);
  CHECK(positions[1].channel == busy.id);
  CHECK(positions[1].last_seq == 4);
  CHECK(positions[2].channel == dm.id);
  CHECK(positions[2].last_seq == 1);
}
