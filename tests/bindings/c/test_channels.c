/* Channels and membership: groups, direct conversations, listing, roles and their rules. */
#include "check.h"
#include "tests.h"

void test_groups_and_direct_conversations(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t carol = new_user(engine, "carol");

  int64_t members[] = {bob};
  chat_channel* team = chat_create_group(engine, alice, "team", "planning", members, 1, &err);
  CHECK_OK(err);
  CHECK(team->id > 0 && team->kind == CHAT_CHANNEL_GROUP);
  CHECK_STR(team->name, "team");
  CHECK_STR(team->topic, "planning");
  CHECK(team->created_by == alice && team->created_at > 0);

  chat_channel* quiet = chat_create_group(engine, alice, "quiet", NULL, NULL, 0, &err);
  CHECK_OK(err);
  CHECK_STR(quiet->topic, "");

  CHECK(chat_create_group(engine, alice, "", "", NULL, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_create_group(engine, alice, NULL, "", NULL, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_create_group(engine, alice, "x", "", NULL, 2, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  int64_t ghost[] = {777777};
  CHECK(chat_create_group(engine, alice, "ghosts", "", ghost, 1, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  /* One direct conversation per pair, whoever opens it. */
  chat_channel* dm = chat_open_direct(engine, alice, bob, &err);
  CHECK_OK(err);
  CHECK(dm->kind == CHAT_CHANNEL_DIRECT);
  CHECK_STR(dm->name, "");
  chat_channel* again = chat_open_direct(engine, bob, alice, &err);
  CHECK_OK(err);
  CHECK(again->id == dm->id);
  CHECK(chat_open_direct(engine, alice, alice, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_open_direct(engine, alice, 777777, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  chat_channel* got = chat_get_channel(engine, bob, team->id, &err);
  CHECK_OK(err);
  CHECK_STR(got->name, "team");
  chat_channel_free(got);
  CHECK(chat_get_channel(engine, carol, team->id, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_get_channel(engine, alice, 777777, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  /* Rename and topic: owners and admins of groups only. */
  chat_channel* renamed = chat_rename_channel(engine, alice, team->id, "team-2", &err);
  CHECK_OK(err);
  CHECK_STR(renamed->name, "team-2");
  chat_channel_free(renamed);
  CHECK(chat_rename_channel(engine, bob, team->id, "mine", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_rename_channel(engine, alice, team->id, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_rename_channel(engine, alice, dm->id, "dm", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  chat_channel* topic = chat_set_topic(engine, alice, team->id, "launch", &err);
  CHECK_OK(err);
  CHECK_STR(topic->topic, "launch");
  chat_channel_free(topic);
  CHECK(chat_set_topic(engine, bob, team->id, "mine", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_set_topic(engine, alice, team->id, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  /* My conversations, with the peer of direct ones and the last message. */
  send_text(engine, bob, dm->id, "hello alice");
  chat_channel_list* list = chat_list_channels(engine, alice, &err);
  CHECK_OK(err);
  CHECK(list->count == 3);
  int seen_dm = 0, seen_team = 0;
  for (size_t i = 0; i < list->count; ++i) {
    const chat_channel_summary* s = &list->items[i];
    if (s->channel.id == dm->id) {
      seen_dm = 1;
      CHECK(s->channel.kind == CHAT_CHANNEL_DIRECT);
      CHECK(s->peer != NULL && s->peer->id == bob);
      CHECK_STR(s->peer->username, "bob");
      CHECK(s->last_message != NULL);
      CHECK_STR(s->last_message->text, "hello alice");
      CHECK(s->last_seq == 1 && s->last_read_seq == 0 && s->unread == 1);
    } else if (s->channel.id == team->id) {
      seen_team = 1;
      CHECK(s->my_role == CHAT_ROLE_OWNER);
      CHECK(s->peer == NULL && s->last_message == NULL);
      CHECK_STR(s->channel.name, "team-2");
      CHECK(s->unread == 0);
    }
  }
  CHECK(seen_dm && seen_team);
  chat_channel_list_free(list);

  list = chat_list_channels(engine, carol, &err);
  CHECK_OK(err);
  CHECK(list->count == 0 && list->items == NULL);
  chat_channel_list_free(list);

  chat_channel_free(team);
  chat_channel_free(quiet);
  chat_channel_free(dm);
  chat_channel_free(again);
  chat_engine_close(engine);
}

static chat_role role_of(chat_engine* engine, int64_t me, int64_t channel, int64_t user) {
  chat_error err;
  chat_member_list* list = chat_members(engine, me, channel, &err);
  CHECK_OK(err);
  chat_role role = (chat_role)-1;
  for (size_t i = 0; i < list->count; ++i)
    if (list->items[i].user_id == user) role = list->items[i].role;
  chat_member_list_free(list);
  return role;
}

void test_membership_rules(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t owner = new_user(engine, "owner");
  int64_t admin = new_user(engine, "admin");
  int64_t member = new_user(engine, "member");
  int64_t outsider = new_user(engine, "outsider");
  int64_t late = new_user(engine, "late");
  int64_t group = new_group(engine, owner, "club", NULL, 0);

  CHECK(chat_add_member(engine, owner, group, admin, CHAT_ROLE_ADMIN, &err));
  CHECK_OK(err);
  CHECK(chat_add_member(engine, admin, group, member, CHAT_ROLE_MEMBER, &err));
  CHECK_OK(err);

  chat_member_list* list = chat_members(engine, member, group, &err);
  CHECK_OK(err);
  CHECK(list->count == 3);
  for (size_t i = 0; i < list->count; ++i) {
    CHECK(list->items[i].joined_at > 0);
    if (list->items[i].user_id == admin) CHECK_STR(list->items[i].username, "admin");
  }
  chat_member_list_free(list);
  CHECK(role_of(engine, owner, group, owner) == CHAT_ROLE_OWNER);
  CHECK(role_of(engine, owner, group, admin) == CHAT_ROLE_ADMIN);
  CHECK(chat_members(engine, outsider, group, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_members(engine, owner, 777777, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  /* add_member */
  CHECK(!chat_add_member(engine, owner, group, member, CHAT_ROLE_MEMBER, &err));
  CHECK_ERR(err, CHAT_ERR_CONFLICT);
  CHECK(!chat_add_member(engine, member, group, outsider, CHAT_ROLE_MEMBER, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(!chat_add_member(engine, admin, group, outsider, CHAT_ROLE_OWNER, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(!chat_add_member(engine, owner, group, outsider, (chat_role)9, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_add_member(engine, owner, group, 777777, CHAT_ROLE_MEMBER, &err));
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  chat_channel* dm = chat_open_direct(engine, owner, member, &err);
  CHECK_OK(err);
  CHECK(!chat_add_member(engine, owner, dm->id, outsider, CHAT_ROLE_MEMBER, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);

  /* set_role: owners only; the last owner cannot be demoted. */
  CHECK(!chat_set_role(engine, admin, group, member, CHAT_ROLE_ADMIN, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(!chat_set_role(engine, owner, group, owner, CHAT_ROLE_MEMBER, &err));
  CHECK_ERR(err, CHAT_ERR_CONFLICT);
  CHECK(!chat_set_role(engine, owner, group, outsider, CHAT_ROLE_ADMIN, &err));
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  CHECK(!chat_set_role(engine, owner, group, member, (chat_role)-2, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_set_role(engine, owner, group, member, CHAT_ROLE_ADMIN, &err));
  CHECK_OK(err);
  CHECK(role_of(engine, owner, group, member) == CHAT_ROLE_ADMIN);

  /* remove_member: admins cannot remove owners; targets must be members. */
  CHECK(!chat_remove_member(engine, admin, group, owner, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(!chat_remove_member(engine, owner, group, outsider, &err));
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  CHECK(chat_remove_member(engine, admin, group, member, &err));
  CHECK_OK(err);
  CHECK(chat_members(engine, member, group, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);

  /* leave: the last owner stays while others remain. */
  CHECK(!chat_leave(engine, owner, group, &err));
  CHECK_ERR(err, CHAT_ERR_CONFLICT);
  CHECK(!chat_leave(engine, outsider, group, &err));
  CHECK(err.code == CHAT_ERR_FORBIDDEN || err.code == CHAT_ERR_NOT_FOUND);
  CHECK(chat_add_member(engine, owner, group, late, CHAT_ROLE_MEMBER, &err));
  CHECK(chat_leave(engine, late, group, &err));
  CHECK_OK(err);
  CHECK(chat_leave(engine, admin, group, &err));
  CHECK_OK(err);
  CHECK(chat_leave(engine, owner, group, &err)); /* alone now */
  CHECK_OK(err);
  CHECK(!chat_leave(engine, owner, dm->id, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);

  chat_channel_free(dm);
  chat_engine_close(engine);
}
