// The role fields of set_role (required) and add_member (optional, default member) at the
// protocol layer (docs/protocol.md, "Requests").
#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;
using nlohmann::json;

namespace {

struct group_fixture : session_fixture {
  chat::session_grant owner = account(*engine, "olive");
  chat::session_grant bob = account(*engine, "bob");
  chat::session_grant carol = account(*engine, "carol");
  std::string channel;
  std::string bob_id = std::to_string(bob.account.id);

  group_fixture() {
    sign_in(owner);
    auto g = engine->create_group(owner.account.id, "team", "", {bob.account.id});
    REQUIRE(g.ok());
    channel = std::to_string(g->id);
    take();
  }
  std::string role_of(chat::user_id user) {
    auto page = engine->members(owner.account.id, std::stoll(channel));
    REQUIRE(page.ok());
    for (const auto& m : page->members)
      if (m.id == user) return chat::to_string(m.role);
    return "none";
  }
};

}  // namespace

TEST_CASE("set_role_without_a_role_is_a_bad_request_and_changes_nothing", "[session][roles]") {
  group_fixture f;
  const std::string head =
      R"({"type":"set_role","channel_id":")" + f.channel + R"(","user_id":")" + f.bob_id + '"';
  auto missing = f.reply(head + R"(,"id":"r1"})", "r1");
  CHECK(missing["type"] == "error");
  CHECK(missing["code"] == "bad_request");
  CHECK(missing["id"] == "r1");
  CHECK(missing["message"] == "missing field role");
  for (const char* bad : {R"(,"role":null)", R"(,"role":"boss")", R"(,"role":1)"}) {
    INFO(bad);
    CHECK(f.reply(head + R"(,"id":"r2")" + bad + "}", "r2")["code"] == "bad_request");
  }
  CHECK(f.role_of(f.bob.account.id) == "member");

  auto promoted = f.reply(head + R"(,"id":"r3","role":"admin"})", "r3");
  CHECK(promoted["type"] == "response");
  CHECK(f.role_of(f.bob.account.id) == "admin");
}

TEST_CASE("add_member_without_a_role_adds_a_member_and_with_one_that_role", "[session][roles]") {
  group_fixture f;
  const std::string head = R"({"type":"add_member","channel_id":")" + f.channel + '"';
  auto plain = f.reply(head + R"(,"id":"a1","username":"carol"})", "a1");
  REQUIRE(plain["type"] == "response");
  CHECK(f.role_of(f.carol.account.id) == "member");

  auto dave = account(*f.engine, "dave");
  auto admin = f.reply(head + R"(,"id":"a2","username":"dave","role":"admin"})", "a2");
  REQUIRE(admin["type"] == "response");
  CHECK(f.role_of(dave.account.id) == "admin");

  auto erin = account(*f.engine, "erin");
  auto bad = f.reply(head + R"(,"id":"a3","username":"erin","role":"boss"})", "a3");
  CHECK(bad["code"] == "bad_request");
  CHECK(bad["message"] == "field role: expected owner, admin or member");
  CHECK(f.role_of(erin.account.id) == "none");
}
