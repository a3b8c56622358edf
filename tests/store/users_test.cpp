// Store contract: users, sessions and external identities.
#include "store/store_fixture.hpp"

using namespace chat;
using namespace chat::test;
using detail::store_error;

STORE_CASE(insert_user_assigns_id_and_round_trips_all_fields) {
  auto s = db.open();
  detail::user_record r;
  r.user.username = "Ängel";
  r.user.email = "angel@example.org";
  r.user.phone = std::nullopt;
  r.user.created_at = 1700000000123LL;
  r.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
  const auto stored = s->insert_user(r, "ängel", std::nullopt).value();
  CHECK(stored.user.id > 0);

  const auto by_id = s->find_user(stored.user.id);
  REQUIRE(by_id);
  CHECK(by_id->user.username == "Ängel");
  CHECK(by_id->user.email == std::optional<std::string>("angel@example.org"));
  CHECK_FALSE(by_id->user.phone);
  CHECK(by_id->user.created_at == 1700000000123LL);
  CHECK(by_id->password_hash == r.password_hash);

  const auto by_key = s->find_user_by_key("ängel");
  REQUIRE(by_key);
  CHECK(by_key->user.id == stored.user.id);
  CHECK_FALSE(s->find_user_by_key("Ängel"));  // keys compare exactly; the engine folds case
  CHECK_FALSE(s->find_user(stored.user.id + 100));
}

STORE_CASE(duplicate_username_key_is_refused_as_taken) {
  auto s = db.open();
  make_user(*s, "alice");
  CHECK_FALSE(s->insert_user(new_user("alice"), "alice", std::nullopt));
  const auto bob = make_user(*s, "bob");
  CHECK_FALSE(s->update_username(bob.user.id, "Alice", "alice"));
  CHECK(s->find_user(bob.user.id)->user.username == "bob");
  CHECK(s->update_username(bob.user.id, "Bobby", "bobby"));
  CHECK(s->find_user(bob.user.id)->user.username == "Bobby");
  CHECK_FALSE(s->find_user_by_key("bob"));
  s->update_password_hash(bob.user.id, "new-hash");
  CHECK(s->find_user(bob.user.id)->password_hash == "new-hash");
}

STORE_CASE(insert_user_with_taken_identity_is_refused_and_stores_nothing) {
  auto s = db.open();
  detail::user_record r;
  r.user.username = "carol";
  r.user.created_at = 5;
  const external_identity google{"https://accounts.google.com", "sub-1", "c@example.org", 7};
  const auto carol = s->insert_user(r, "carol", google);
  REQUIRE(carol);
  CHECK(s->find_identity(google.issuer, google.subject) == std::optional<user_id>(carol->user.id));

  r.user.username = "mallory";
  CHECK_FALSE(s->insert_user(r, "mallory", google));
  CHECK_FALSE(s->find_user_by_key("mallory"));  // the user insert was rolled back too
}

STORE_CASE(identities_link_list_conflict_and_unlink) {
  auto s = db.open();
  const auto u = make_user(*s, "dave");
  const auto v = make_user(*s, "erin");
  const external_identity a{"https://issuer.a", "s1", std::nullopt, 10};
  const external_identity b{"https://issuer.b", "s2", "d@b.example", 11};
  CHECK(s->insert_identity(u.user.id, a));
  CHECK(s->insert_identity(u.user.id, b));
  // The same (issuer, subject) for someone else, and a second identity of one issuer.
  CHECK_FALSE(s->insert_identity(v.user.id, a));
  CHECK_FALSE(s->insert_identity(u.user.id, external_identity{a.issuer, "s9", {}, 12}));

  const auto list = s->identities_of(u.user.id);
  REQUIRE(list.size() == 2);
  CHECK(list[0].issuer == a.issuer);
  CHECK(list[0].subject == "s1");
  CHECK_FALSE(list[0].email);
  CHECK(list[0].linked_at == 10);
  CHECK(list[1].email == std::optional<std::string>("d@b.example"));

  CHECK(s->delete_identity(u.user.id, a.issuer));
  CHECK_FALSE(s->delete_identity(u.user.id, a.issuer));
  CHECK_FALSE(s->find_identity(a.issuer, a.subject));
  CHECK(s->identities_of(v.user.id).empty());
}

STORE_CASE(sessions_insert_find_extend_and_delete) {
  auto s = db.open();
  const auto u = make_user(*s, "frank");
  s->insert_session({"hash-1", u.user.id, 100, 200});
  s->insert_session({"hash-2", u.user.id, 100, 300});
  CHECK_STORE_ERROR(s->insert_session({"hash-1", u.user.id, 1, 2}), conflict);

  auto found = s->find_session("hash-1");
  REQUIRE(found);
  CHECK(found->user == u.user.id);
  CHECK(found->created_at == 100);
  CHECK(found->expires_at == 200);
  s->update_session_expiry("hash-1", 999);
  CHECK(s->find_session("hash-1")->expires_at == 999);
  CHECK_FALSE(s->find_session("nope"));

  CHECK(s->delete_session("hash-1"));
  CHECK_FALSE(s->delete_session("hash-1"));
  s->insert_session({"hash-3", u.user.id, 100, 300});
  CHECK(s->delete_sessions_of(u.user.id) == 2);
  CHECK_FALSE(s->find_session("hash-2"));
}

STORE_CASE(ping_and_the_write_probe_succeed_on_an_open_store_one_connection_lease_each) {
  auto s = db.open();
  const auto before = s->calls();
  CHECK_NOTHROW(s->ping());
  CHECK(s->calls() == before + 1);
  CHECK_NOTHROW(s->probe_write(1234));
  CHECK_NOTHROW(s->probe_write(1235));  // the probe's one row is rewritten, not inserted again
  CHECK(s->calls() == before + 3);
}
