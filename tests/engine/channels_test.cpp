// Group channels, direct conversations, and membership rules.
#include <sqlite3.h>

#include <cstdlib>
#include <set>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {
role role_of(engine& e, user_id viewer, channel_id ch, user_id who) {
  auto list = e.members(viewer, ch);
  REQUIRE(list.ok());
  for (auto& m : list->members)
    if (m.id == who) return m.role;
  FAIL("not a member");
  return role::member;
}
}  // namespace

TEST_CASE("create_group_makes_the_creator_owner_and_adds_members", "[channels]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(alice.id, "general", "all things", {bob.id, bob.id, alice.id});
  REQUIRE(ch.ok());
  CHECK(ch->kind == channel_kind::group);
  CHECK(ch->name == "general");
  CHECK(ch->topic == "all things");
  CHECK(ch->created_by == alice.id);
  auto members = e->members(bob.id, ch->id);
  REQUIRE(members.ok());
  CHECK(members->members.size() == 2);
  CHECK(role_of(*e, alice.id, ch->id, alice.id) == role::owner);
  CHECK(role_of(*e, alice.id, ch->id, bob.id) == role::member);
}

TEST_CASE("create_group_validates_name_topic_and_members", "[channels]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  CHECK(e->create_group(alice.id, "", "").code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, std::string(81, 'n'), "").code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, "ok", std::string(251, 't')).code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, "bad\xc3", "").code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, "ok", "", {987654}).code() == errc::not_found);
  CHECK(e->create_group(987654, "ok", "").code() == errc::not_found);
  // 80 code points of a 2-byte character is fine.
  std::string long_name;
  for (int i = 0; i < 80; ++i) long_name += "\xc3\xa9";
  CHECK(e->create_group(alice.id, long_name, "").ok());
}

TEST_CASE("open_direct_returns_the_same_channel_from_both_sides", "[channels][dm]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto first = e->open_direct(alice.id, bob.id);
  auto again = e->open_direct(alice.id, bob.id);
  auto reverse = e->open_direct(bob.id, alice.id);
  REQUIRE((first.ok() && again.ok() && reverse.ok()));
  CHECK(first->kind == channel_kind::direct);
  CHECK(first->id == again->id);
  CHECK(first->id == reverse->id);
  CHECK(e->open_direct(alice.id, alice.id).code() == errc::invalid_argument);
  CHECK(e->open_direct(alice.id, 999999).code() == errc::not_found);
}

TEST_CASE("direct_conversation_membership_and_name_are_fixed", "[channels][dm]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(dm.ok());
  CHECK(e->add_member(alice.id, dm->id, carol.id).code() == errc::forbidden);
  CHECK(e->remove_member(alice.id, dm->id, bob.id).code() == errc::forbidden);
  CHECK(e->leave(alice.id, dm->id).code() == errc::forbidden);
  CHECK(e->set_role(alice.id, dm->id, bob.id, role::admin).code() == errc::forbidden);
  CHECK(e->rename_channel(alice.id, dm->id, "ours").code() == errc::forbidden);
  CHECK(e->members(carol.id, dm->id).code() == errc::forbidden);
}

TEST_CASE("only_owners_and_admins_add_and_remove_members", "[membership]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto admin = make_user(*e, "admin");
  auto plain = make_user(*e, "plain");
  auto newbie = make_user(*e, "newbie");
  auto outsider = make_user(*e, "outsider");
  auto ch = e->create_group(owner.id, "team", "", {admin.id, plain.id});
  REQUIRE(ch.ok());
  REQUIRE(e->set_role(owner.id, ch->id, admin.id, role::admin).ok());

  CHECK(e->add_member(plain.id, ch->id, newbie.id).code() == errc::forbidden);
  CHECK(e->add_member(outsider.id, ch->id, newbie.id).code() == errc::forbidden);
  CHECK(e->add_member(admin.id, ch->id, newbie.id, role::owner).code() == errc::forbidden);
  REQUIRE(e->add_member(admin.id, ch->id, newbie.id).ok());
  CHECK(e->add_member(admin.id, ch->id, newbie.id).code() == errc::conflict);
  CHECK(e->add_member(admin.id, ch->id, 999999).code() == errc::not_found);
  CHECK(e->add_member(admin.id, 999999, newbie.id).code() == errc::not_found);

  CHECK(e->remove_member(plain.id, ch->id, newbie.id).code() == errc::forbidden);
  CHECK(e->remove_member(admin.id, ch->id, owner.id).code() == errc::forbidden);
  CHECK(e->remove_member(admin.id, ch->id, outsider.id).code() == errc::not_found);
  REQUIRE(e->remove_member(admin.id, ch->id, newbie.id).ok());
  CHECK(e->members(newbie.id, ch->id).code() == errc::forbidden);
  REQUIRE(e->remove_member(owner.id, ch->id, admin.id).ok());
}

TEST_CASE("only_owners_change_roles_and_the_last_owner_stays", "[membership]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(owner.id, "team", "", {bob.id});
  REQUIRE(ch.ok());
  CHECK(e->set_role(bob.id, ch->id, bob.id, role::owner).code() == errc::forbidden);
  CHECK(e->set_role(owner.id, ch->id, owner.id, role::member).code() == errc::conflict);
  CHECK(e->set_role(owner.id, ch->id, 999999, role::admin).code() == errc::not_found);
  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::owner).ok());
  CHECK(role_of(*e, owner.id, ch->id, bob.id) == role::owner);
  REQUIRE(e->set_role(owner.id, ch->id, owner.id, role::admin).ok());  // another owner remains
  CHECK(role_of(*e, bob.id, ch->id, owner.id) == role::admin);
}

TEST_CASE("the_last_owner_cannot_leave_without_handing_over", "[membership]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(owner.id, "team", "", {bob.id});
  REQUIRE(ch.ok());
  CHECK(e->leave(owner.id, ch->id).code() == errc::conflict);
  REQUIRE(e->leave(bob.id, ch->id).ok());
  CHECK(e->leave(bob.id, ch->id).code() == errc::forbidden);
  REQUIRE(e->add_member(owner.id, ch->id, bob.id).ok());
  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::owner).ok());
  REQUIRE(e->leave(owner.id, ch->id).ok());
  // A sole owner alone in the channel may leave it.
  auto solo = e->create_group(owner.id, "solo", "");
  REQUIRE(solo.ok());
  CHECK(e->leave(owner.id, solo->id).ok());
}

TEST_CASE("rename_and_topic_need_owner_or_admin", "[channels]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto bob = make_user(*e, "bob");
  auto outsider = make_user(*e, "outsider");
  auto ch = e->create_group(owner.id, "team", "", {bob.id});
  REQUIRE(ch.ok());
  CHECK(e->rename_channel(bob.id, ch->id, "mine").code() == errc::forbidden);
  CHECK(e->rename_channel(outsider.id, ch->id, "mine").code() == errc::forbidden);
  CHECK(e->rename_channel(owner.id, ch->id, "").code() == errc::invalid_argument);
  CHECK(e->rename_channel(owner.id, 999999, "x").code() == errc::not_found);
  auto renamed = e->rename_channel(owner.id, ch->id, "renamed");
  REQUIRE(renamed.ok());
  CHECK(renamed->name == "renamed");
  auto topic = e->set_topic(owner.id, ch->id, "new topic");
  REQUIRE(topic.ok());
  auto read = e->get_channel(bob.id, ch->id);
  REQUIRE(read.ok());
  CHECK(read->name == "renamed");
  CHECK(read->topic == "new topic");
  CHECK(e->get_channel(outsider.id, ch->id).code() == errc::forbidden);
}

TEST_CASE("list_channels_shows_last_seq_read_marker_unread_and_peer", "[channels]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  auto group = e->create_group(alice.id, "g", "", {bob.id});
  REQUIRE((dm.ok() && group.ok()));
  REQUIRE(e->send(alice.id, dm->id, "one").ok());
  REQUIRE(e->send(alice.id, dm->id, "two").ok());
  REQUIRE(e->send(alice.id, group->id, "three").ok());

  auto mine = e->list_channels(bob.id);
  REQUIRE(mine.ok());
  REQUIRE(mine->channels.size() == 2);
  CHECK(!mine->has_more);
  CHECK(mine->channels.front().channel.id == dm->id);  // ascending channel id
  for (auto& s : mine->channels) {
    if (s.channel.id == dm->id) {
      CHECK(s.last_seq == 2);
      CHECK(s.unread == 2);
      REQUIRE(s.peer.has_value());
      CHECK(s.peer->username == "alice");
      REQUIRE(s.last_message.has_value());
      CHECK(s.last_message->text == "two");
    } else {
      CHECK(s.last_seq == 1);
      CHECK(s.unread == 1);
      CHECK(!s.peer.has_value());
    }
  }
  // The sender's own messages count as read.
  auto alices = e->list_channels(alice.id);
  REQUIRE(alices.ok());
  for (auto& s : alices->channels) CHECK(s.unread == 0);
}

TEST_CASE("join_public_creates_once_then_joins_ignoring_letter_case", "[channels][public]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto watcher = std::make_shared<recording_sink>();
  e->connect(alice.id, watcher);
  auto created = e->join_public(alice.id, "Lobby");
  REQUIRE(created.ok());
  CHECK(created->kind == channel_kind::group);
  CHECK(created->name == "Lobby");
  CHECK(role_of(*e, alice.id, created->id, alice.id) == role::owner);

  auto joined = e->join_public(bob.id, "lobby");
  REQUIRE(joined.ok());
  CHECK(joined->id == created->id);
  CHECK(role_of(*e, alice.id, created->id, bob.id) == role::member);
  REQUIRE(watcher->wait_count(event_kind::member_added, 1));
  CHECK(e->join_public(bob.id, "LOBBY")->id == created->id);  // idempotent, no second event
  CHECK(e->members(alice.id, created->id)->members.size() == 2);
  REQUIRE(e->send(bob.id, created->id, "hello lobby").ok());

  // A private group of the same name is another channel; the public address does not move.
  auto private_group = e->create_group(alice.id, "Lobby", "");
  CHECK(private_group->id != created->id);
  REQUIRE(e->rename_channel(alice.id, created->id, "Hall").ok());
  CHECK(e->join_public(bob.id, "lobby")->id == created->id);
  CHECK(e->join_public(bob.id, "").code() == errc::invalid_argument);
  CHECK(e->join_public(999999, "lobby").code() == errc::not_found);
}

TEST_CASE("join_public_is_race_free_on_sqlite", "[channels][public][concurrency]") {
  auto e = open_engine(sqlite_temp_url());
  std::vector<user> users;
  for (int i = 0; i < 8; ++i) users.push_back(make_user(*e, "joiner" + std::to_string(i)));
  std::mutex mutex;
  std::set<channel_id> ids;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (auto& u : users)
    threads.emplace_back([&, id = u.id] {
      auto ch = e->join_public(id, "busy-room");
      std::lock_guard<std::mutex> lock(mutex);
      if (ch.ok())
        ids.insert(ch->id);
      else
        errors.push_back(ch.error().message());
    });
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  REQUIRE(ids.size() == 1);
  auto members = e->members(users[0].id, *ids.begin());
  REQUIRE(members.ok());
  CHECK(members->members.size() == 8);
}

// ---- Membership rules in both directions ------------------------------------------------------

namespace {

// Counts the writes of members' roles in an SQLite file: a trigger records each UPDATE of
// user_channels.role, also one that leaves the value as it was.
struct role_write_counter {
  explicit role_write_counter(const std::string& url)
      : path(url.substr(std::string("sqlite3://db=").size())) {
    exec(
        "CREATE TABLE role_writes (n INTEGER);"
        "CREATE TRIGGER count_role_writes AFTER UPDATE OF role ON user_channels"
        " BEGIN INSERT INTO role_writes VALUES (1); END");
  }
  int count() {
    int n = -1;
    exec("SELECT COUNT(*) FROM role_writes", &n);
    return n;
  }
  void exec(const std::string& sql, int* out = nullptr) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    auto first_column = [](void* n, int, char** values, char**) {
      *static_cast<int*>(n) = std::atoi(values[0]);
      return 0;
    };
    const int rc = sqlite3_exec(db, sql.c_str(), out ? +first_column : nullptr, out, &error);
    INFO(sql << ": " << (error ? error : ""));
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  std::string path;
};

}  // namespace

TEST_CASE("setting_the_role_a_member_already_has_writes_nothing_and_publishes_nothing",
          "[membership]") {
  const std::string url = sqlite_temp_url();
  auto e = open_engine(url);
  auto owner = make_user(*e, "owner");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(owner.id, "team", "", {bob.id});
  REQUIRE(ch.ok());
  role_write_counter writes(url);
  auto watcher = std::make_shared<recording_sink>();
  e->connect(bob.id, watcher);

  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::member).ok());  // already a member
  CHECK(e->set_role(owner.id, ch->id, owner.id, role::owner).ok());   // already the owner
  CHECK(writes.count() == 0);
  // A real change, as the marker: it is written once and is the first role event to arrive.
  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::admin).ok());
  CHECK(writes.count() == 1);
  REQUIRE(watcher->wait_count(event_kind::member_role_changed, 1));
  const auto changes = watcher->of(event_kind::member_role_changed);
  REQUIRE(changes.size() == 1);
  CHECK(changes.front()->subject->id == bob.id);
  CHECK(changes.front()->subject->role == role::admin);
}

TEST_CASE("admins_may_not_change_roles_only_owners_may", "[membership]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto admin = make_user(*e, "admin");
  auto bob = make_user(*e, "bob");
  auto ch = e->create_group(owner.id, "team", "", {admin.id, bob.id});
  REQUIRE(ch.ok());
  REQUIRE(e->set_role(owner.id, ch->id, admin.id, role::admin).ok());
  for (role r : {role::member, role::admin, role::owner}) {
    INFO(to_string(r));
    CHECK(e->set_role(admin.id, ch->id, bob.id, r).code() == errc::forbidden);
    CHECK(e->set_role(admin.id, ch->id, admin.id, r).code() == errc::forbidden);
  }
  CHECK(e->set_role(admin.id, ch->id, owner.id, role::member).code() == errc::forbidden);
  CHECK(role_of(*e, owner.id, ch->id, bob.id) == role::member);
  CHECK(role_of(*e, owner.id, ch->id, owner.id) == role::owner);
  // The owner may: up and down again.
  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::admin).ok());
  CHECK(role_of(*e, owner.id, ch->id, bob.id) == role::admin);
  REQUIRE(e->set_role(owner.id, ch->id, bob.id, role::member).ok());
  CHECK(role_of(*e, owner.id, ch->id, bob.id) == role::member);
}

TEST_CASE("add_member_without_a_role_adds_a_plain_member_and_admins_may_add_admins",
          "[membership]") {
  auto e = open_memory_engine();
  auto owner = make_user(*e, "owner");
  auto admin = make_user(*e, "admin");
  auto carol = make_user(*e, "carol");
  auto dave = make_user(*e, "dave");
  auto erin = make_user(*e, "erin");
  auto ch = e->create_group(owner.id, "team", "", {admin.id});
  REQUIRE(ch.ok());
  REQUIRE(e->set_role(owner.id, ch->id, admin.id, role::admin).ok());
  auto watcher = std::make_shared<recording_sink>();
  e->connect(owner.id, watcher);

  REQUIRE(e->add_member(owner.id, ch->id, carol.id).ok());  // no role given
  CHECK(role_of(*e, owner.id, ch->id, carol.id) == role::member);
  REQUIRE(watcher->wait_count(event_kind::member_added, 1));
  CHECK(watcher->of(event_kind::member_added).front()->subject->role == role::member);
  // Admins add as member or admin, owners as anything.
  REQUIRE(e->add_member(admin.id, ch->id, dave.id, role::admin).ok());
  CHECK(role_of(*e, owner.id, ch->id, dave.id) == role::admin);
  CHECK(e->add_member(admin.id, ch->id, erin.id, role::owner).code() == errc::forbidden);
  REQUIRE(e->add_member(owner.id, ch->id, erin.id, role::owner).ok());
  CHECK(role_of(*e, owner.id, ch->id, erin.id) == role::owner);
  // Now two owners: an admin still cannot remove either, the first owner may leave.
  CHECK(e->remove_member(admin.id, ch->id, erin.id).code() == errc::forbidden);
  CHECK(e->leave(owner.id, ch->id).ok());
}

TEST_CASE("channel_name_and_topic_at_their_longest_and_one_past", "[channels][limits]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  const std::string name(engine::max_channel_name_code_points, 'n');
  const std::string topic(engine::max_topic_code_points, 't');
  auto ch = e->create_group(alice.id, name, topic);
  REQUIRE(ch.ok());
  CHECK(e->create_group(alice.id, name + "n", "").code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, "ok", topic + "t").code() == errc::invalid_argument);
  CHECK(e->rename_channel(alice.id, ch->id, name + "n").code() == errc::invalid_argument);
  CHECK(e->set_topic(alice.id, ch->id, topic + "t").code() == errc::invalid_argument);
  CHECK(e->join_public(alice.id, name + "n").code() == errc::invalid_argument);
  CHECK(e->rename_channel(alice.id, ch->id, "x").ok());  // one character is enough
  CHECK(e->set_topic(alice.id, ch->id, "").ok());        // a topic may be empty
  CHECK(e->join_public(alice.id, name).ok());
}
