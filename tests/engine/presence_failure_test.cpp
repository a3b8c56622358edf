// Presence is advisory: when the lookup of who may see it fails, the connection, the disconnect
// and the join that announced it still succeed; the failure is counted, nothing is delivered
// (clients ask online_contacts on reconnect).
#include <sqlite3.h>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// A real database fault for presence only: its lookup reads user_blocks, nothing used below
// does.
void drop_blocks_table(const std::string& url) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(url.substr(std::string("sqlite3://db=").size()).c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, "DROP TABLE user_blocks", nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a_presence_lookup_that_fails_costs_the_presence_not_the_connection",
          "[privacy][presence][errors]") {
  const std::string url = sqlite_temp_url();
  auto e = open_engine(url);
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto dm = e->open_direct(alice.id, bob.id);
  REQUIRE(dm.ok());
  REQUIRE(e->send(bob.id, dm->id, "hi alice").ok());  // both chose it: contacts
  auto lobby = e->join_public(bob.id, "lobby");
  REQUIRE(lobby.ok());
  REQUIRE(e->add_member(bob.id, lobby->id, alice.id).ok());
  auto b = std::make_shared<recording_sink>();
  e->connect(bob.id, b);
  drop_blocks_table(url);

  const auto before = e->stats().database_errors;
  auto a = std::make_shared<recording_sink>();
  const connection_id mine = e->connect(alice.id, a);
  CHECK(mine != 0);
  CHECK(e->stats().database_errors == before + 1);
  CHECK(e->online_contacts(alice.id).code() == errc::internal);  // the fault is real

  // Joining by name announces presence too: that lookup fails the same way, the join does not.
  auto joined = e->join_public(alice.id, "lobby");
  REQUIRE(joined.ok());
  CHECK(joined->id == lobby->id);
  CHECK(e->stats().database_errors == before + 3);

  // The connection works; bob got no presence. Alice typing is the marker.
  REQUIRE(e->typing(alice.id, lobby->id, mine).ok());
  REQUIRE(b->wait_count(event_kind::typing, 1));
  CHECK(b->of(event_kind::presence).empty());

  e->disconnect(mine);
  CHECK(e->stats().database_errors == before + 4);
  CHECK(b->of(event_kind::presence).empty());
}
