// Store contract: key columns compare byte for byte, so keys that differ only in trailing spaces
// are different keys (MariaDB's PAD SPACE collations ignored them), also after an upgrade of a
// version-1 MariaDB database; a send to a missing channel is told apart in the batch itself.
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;
using kind = detail::append_outcome::kind;

STORE_CASE(client_msg_ids_differing_in_trailing_spaces_are_distinct) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto ch = make_group(*s, a, {}).id;
  CHECK(send(*s, a, ch, "one", "k").what == kind::stored);
  const auto spaced = send(*s, a, ch, "two", "k ");
  CHECK(spaced.what == kind::stored);
  CHECK(spaced.message.seq == 2);
  // In one batch, and against rows of an earlier one.
  const auto both = s->append_messages(
      {pending(a, ch, "three", "m"), pending(a, ch, "four", "m "), pending(a, ch, "five", "k  ")});
  REQUIRE(both.size() == 3);
  for (const auto& out : both) CHECK(out.what == kind::stored);
  CHECK(both[2].message.seq == 5);
  // A retry is still recognised exactly.
  const auto retry = send(*s, a, ch, "again", "k ");
  CHECK(retry.what == kind::duplicate);
  CHECK(retry.message.text == "two");
  CHECK(s->last_seq(ch) == 5);
}

STORE_CASE(
    username_keys_addresses_tokens_and_identities_differing_in_trailing_spaces_are_distinct) {
  auto s = db.open();
  const auto a = make_user(*s, "k").user.id;
  const auto b = make_user(*s, "k ").user.id;
  CHECK(a != b);
  CHECK(s->find_user_by_key("k")->user.id == a);
  CHECK(s->find_user_by_key("k ")->user.id == b);
  CHECK_FALSE(s->find_user_by_key("k  "));
  CHECK_FALSE(s->insert_user(new_user("k "), "k ", std::nullopt));

  chat::channel group;
  group.kind = channel_kind::group;
  group.name = "p";
  group.created_by = a;
  group.created_at = 1000;
  const auto p = s->create_channel(group, "public:p", {member_of(a, role::owner)});
  const auto spaced = s->create_channel(group, "public:p ", {member_of(a, role::owner)});
  REQUIRE(p);
  REQUIRE(spaced);
  CHECK(p->id != spaced->id);
  CHECK(s->find_by_address("public:p")->id == p->id);
  CHECK(s->find_by_address("public:p ")->id == spaced->id);
  CHECK_FALSE(s->create_channel(group, "public:p ", {member_of(a, role::owner)}));

  s->insert_session({"h", a, 1000, 999999});
  s->insert_session({"h ", b, 1000, 999999});
  CHECK(s->find_session("h")->user == a);
  CHECK(s->find_session("h ")->user == b);
  CHECK(s->delete_session("h "));
  CHECK(s->find_session("h"));

  CHECK(s->insert_identity(a, {"iss", "sub", std::nullopt, 1000}));
  CHECK(s->insert_identity(b, {"iss", "sub ", std::nullopt, 1000}));
  CHECK(s->insert_identity(b, {"iss ", "sub", std::nullopt, 1000}));
  CHECK(s->find_identity("iss", "sub") == a);
  CHECK(s->find_identity("iss", "sub ") == b);
  CHECK(s->find_identity("iss ", "sub") == b);
  CHECK_FALSE(s->find_identity("iss ", "sub "));
}

STORE_CASE(a_send_to_a_missing_channel_is_no_channel_and_a_stranger_is_not_member) {
  auto s = db.open();
  const auto a = make_user(*s, "a").user.id;
  const auto stranger = make_user(*s, "stranger").user.id;
  const auto ch = make_group(*s, a, {}).id;
  const auto out = s->append_messages(
      {pending(a, ch + 1000, "nowhere"), pending(stranger, ch, "intruder"), pending(a, ch, "ok")});
  REQUIRE(out.size() == 3);
  CHECK(out[0].what == kind::no_channel);
  CHECK(out[1].what == kind::not_member);
  CHECK(out[2].what == kind::stored);
  // One call for the whole batch: the store needs no second query to tell them apart.
  const auto before = s->calls();
  s->append_messages({pending(a, ch + 1000, "nowhere")});
  CHECK(s->calls() == before + 1);
}

TEST_CASE("upgrading_a_version_1_mariadb_database_makes_its_key_columns_exact",
          "[store][mariadb]") {
  const std::string url = mysql_fresh_url();
  detail::open_soci_store(url, 1, 1);  // schema version 1 only, as released
  // Rows as a version-1 server wrote them.
  REQUIRE(mysql_exec(url,
                     "INSERT INTO users (id, username, username_key, created_at)"
                     " VALUES (1, 'k', 'k', 1);"
                     "INSERT INTO channels (id, kind, name, topic, created_by, created_at,"
                     " last_seq, dm_key) VALUES (1, 0, 'p', '', 1, 1, 1, 'public:p');"
                     "INSERT INTO user_channels (channel_id, user_id, role, last_read_seq,"
                     " joined_at) VALUES (1, 1, 2, 1, 1);"
                     "INSERT INTO messages (channel_id, seq, sender_id, text, client_msg_id,"
                     " created_at) VALUES (1, 1, 1, 'old', 'k', 1);"
                     "INSERT INTO sessions VALUES ('h', 1, 1, 999999);"
                     "INSERT INTO identities (issuer, subject, user_id, linked_at)"
                     " VALUES ('iss', 'sub', 1, 1)") == 0);
  // Version 1's PAD SPACE collation took "k " for "k".
  CHECK(mysql_exec(
            url, "INSERT INTO users (username, username_key, created_at) VALUES ('x', 'k ', 1)") !=
        0);

  auto s = detail::open_soci_store(url, 2);  // upgrades
  CHECK(s->find_user_by_key("k")->user.id == 1);
  CHECK_FALSE(s->find_user_by_key("k "));
  const auto spaced = make_user(*s, "k ").user.id;
  CHECK(spaced != 1);
  CHECK(s->find_by_address("public:p")->id == 1);
  CHECK_FALSE(s->find_by_address("public:p "));
  CHECK(s->find_session("h"));
  CHECK_FALSE(s->find_session("h "));
  CHECK(s->find_identity("iss", "sub") == 1);
  CHECK_FALSE(s->find_identity("iss", "sub "));
  CHECK(s->insert_identity(spaced, {"iss", "sub ", std::nullopt, 1000}));
  CHECK(s->find_identity("iss", "sub ") == spaced);

  const auto retry = send(*s, 1, 1, "retry", "k");
  CHECK(retry.what == kind::duplicate);
  CHECK(retry.message.text == "old");
  const auto fresh = send(*s, 1, 1, "new", "k ");
  CHECK(fresh.what == kind::stored);
  CHECK(fresh.message.seq == 2);
}
