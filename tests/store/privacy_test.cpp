// Store contract: blocks, the group-add policy, by-choice membership and presence contacts.
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;

STORE_CASE(blocks_are_stored_once_listed_by_username_and_removed) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  const auto c = make_user(*s, "carol").user.id;
  CHECK_FALSE(s->is_blocked(a, b));
  CHECK(s->insert_block(a, c, 1000));
  CHECK(s->insert_block(a, b, 2000));
  CHECK_FALSE(s->insert_block(a, b, 3000));  // already blocked: no error, nothing new
  CHECK(s->is_blocked(a, b));
  CHECK_FALSE(s->is_blocked(b, a));  // a block has a direction
  const auto list = s->blocked_by(a);
  REQUIRE(list.size() == 2);
  CHECK(list[0].username == "bob");
  CHECK(list[1].username == "carol");
  CHECK(list[1].id == c);
  CHECK(s->blocked_by(b).empty());

  CHECK(s->delete_block(a, b));
  CHECK_FALSE(s->delete_block(a, b));
  CHECK_FALSE(s->is_blocked(a, b));
  CHECK(s->blocked_by(a).size() == 1);
}

STORE_CASE(group_add_policy_defaults_to_everyone_and_is_updated_in_place) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  CHECK(s->group_add_policy(a) == 0);
  s->set_group_add_policy(a, 2);
  CHECK(s->group_add_policy(a) == 2);
  s->set_group_add_policy(a, 1);
  CHECK(s->group_add_policy(a) == 1);
  CHECK(s->group_add_policy(b) == 0);
}

STORE_CASE(membership_by_choice_is_stored_marked_and_set_by_a_send) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  const auto c = make_user(*s, "carol").user.id;
  chat::channel ch;
  ch.kind = channel_kind::group;
  ch.name = "g";
  ch.created_by = a;
  ch.created_at = 1000;
  auto owner = member_of(a, role::owner);
  owner.by_choice = true;
  const auto g = s->create_channel(ch, "", {owner, member_of(b), member_of(c)}).value();
  CHECK(s->find_membership(g.id, a)->by_choice);
  CHECK_FALSE(s->find_membership(g.id, b)->by_choice);
  s->mark_by_choice(g.id, c);
  CHECK(s->find_membership(g.id, c)->by_choice);
  REQUIRE(send(*s, b, g.id, "hello").what == detail::append_outcome::kind::stored);
  CHECK(s->find_membership(g.id, b)->by_choice);
}

STORE_CASE(presence_contacts_need_both_by_choice_and_no_block_either_way) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  const auto c = make_user(*s, "carol").user.id;
  const auto d = make_user(*s, "dave").user.id;
  // A group alice created with bob and carol added; a direct channel dave opened with alice.
  chat::channel ch;
  ch.kind = channel_kind::group;
  ch.name = "g";
  ch.created_by = a;
  auto owner = member_of(a, role::owner);
  owner.by_choice = true;
  const auto g = s->create_channel(ch, "", {owner, member_of(b), member_of(c)}).value();
  const auto dm = make_direct(*s, d, a);
  s->mark_by_choice(dm.id, d);
  CHECK(s->contacts_of(a) == std::vector<user_id>{b, c, d});
  CHECK(s->presence_contacts_of(a).empty());  // nobody else chose a shared channel yet
  CHECK(s->presence_contacts_of(d).empty());  // alice never opened or sent into the DM

  send(*s, b, g.id, "hi");  // bob accepts the group by sending into it
  s->mark_by_choice(g.id, c);
  send(*s, a, dm.id, "hi dave");  // alice answers dave
  CHECK(s->presence_contacts_of(a) == std::vector<user_id>{b, c, d});
  CHECK(s->presence_contacts_of(b) == std::vector<user_id>{a, c});
  CHECK(s->presence_contacts_of(d) == std::vector<user_id>{a});

  s->insert_block(c, a, 3000);  // carol blocks alice: neither sees the other
  s->insert_block(a, d, 3000);  // alice blocks dave
  CHECK(s->presence_contacts_of(a) == std::vector<user_id>{b});
  CHECK(s->presence_contacts_of(c) == std::vector<user_id>{b});
  CHECK(s->presence_contacts_of(d).empty());
  s->delete_block(c, a);
  CHECK(s->presence_contacts_of(c) == std::vector<user_id>{a, b});
}

STORE_CASE(a_block_refuses_sends_in_their_direct_channel_either_way_but_not_in_groups) {
  auto s = db.open();
  const auto a = make_user(*s, "alice").user.id;
  const auto b = make_user(*s, "bob").user.id;
  const auto c = make_user(*s, "carol").user.id;
  const auto dm = make_direct(*s, a, b);
  const auto other_dm = make_direct(*s, a, c);
  const auto g = make_group(*s, a, {b});
  REQUIRE(send(*s, b, dm.id, "before").what == detail::append_outcome::kind::stored);
  s->insert_block(a, b, 3000);

  using kind = detail::append_outcome::kind;
  const auto outcomes =
      s->append_messages({pending(b, dm.id, "blocked"), pending(a, dm.id, "me"),
                          pending(b, g.id, "group"), pending(c, other_dm.id, "unrelated")});
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].what == kind::blocked);
  CHECK(outcomes[1].what == kind::blocked);  // the blocker cannot write there either
  CHECK(outcomes[2].what == kind::stored);   // shared groups are unaffected
  CHECK(outcomes[3].what == kind::stored);
  CHECK(s->last_seq(dm.id) == 1);
  CHECK(send(*s, c, dm.id, "not a member").what == kind::not_member);

  s->delete_block(a, b);
  CHECK(send(*s, b, dm.id, "after").what == kind::stored);
  CHECK(s->last_seq(dm.id) == 2);
}
