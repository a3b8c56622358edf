// The "who may reach me" requests: block_user, unblock_user, list_blocked, get_privacy and
// set_privacy, and the forbidden answers they cause (docs/protocol.md, "Who may reach me").
#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;

namespace {

// The response to request `id` among the frames queued now (events may come with it).
nlohmann::json response_to(session_fixture& f, const std::string& frame, const std::string& id) {
  f.s->on_frame(frame, f.t0);
  for (auto& fr : f.take())
    if ((fr["type"] == "response" || fr["type"] == "error") && fr["id"] == id) return fr;
  FAIL("no response to " << id);
  return {};
}

}  // namespace

TEST_CASE("block_list_unblock_and_privacy_requests", "[session][privacy]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  auto bob = account(*f.engine, "bob");
  REQUIRE(f.one(R"({"type":"auth","id":"1","token":")" + alice.token + R"("})")["type"] ==
          "response");

  auto blocked = f.one(R"({"type":"block_user","id":"2","username":"BOB"})");
  CHECK(blocked["type"] == "response");
  CHECK(blocked["result"] == nlohmann::json::object());
  auto list = f.one(R"({"type":"list_blocked","id":"3"})");
  REQUIRE(list["result"]["users"].size() == 1);
  CHECK(list["result"]["users"][0]["username"] == "bob");
  CHECK(list["result"]["users"][0]["id"] == std::to_string(bob.account.id));
  CHECK(f.one(R"({"type":"block_user","id":"4","user_id":"999"})")["code"] == "not_found");
  CHECK(f.one(R"({"type":"block_user","id":"5"})")["code"] == "bad_request");
  auto self = f.one(R"({"type":"block_user","id":"6","username":"alice"})");
  CHECK(self["code"] == "invalid_argument");

  // Blocked: no direct conversation, either way.
  auto dm = f.one(R"({"type":"open_direct","id":"7","username":"bob"})");
  CHECK(dm["code"] == "forbidden");
  CHECK(f.engine->open_direct(bob.account.id, alice.account.id).code() == chat::errc::forbidden);

  auto unblocked = f.one(R"({"type":"unblock_user","id":"8","user_id":")" +
                         std::to_string(bob.account.id) + R"("})");
  CHECK(unblocked["type"] == "response");
  CHECK(f.one(R"({"type":"list_blocked","id":"9"})")["result"]["users"].empty());

  auto privacy = f.one(R"({"type":"get_privacy","id":"10"})");
  CHECK(privacy["result"]["privacy"]["group_adds"] == "everyone");
  auto set = f.one(R"({"type":"set_privacy","id":"11","group_adds":"nobody"})");
  CHECK(set["result"]["privacy"]["group_adds"] == "nobody");
  CHECK(f.one(R"({"type":"get_privacy","id":"12"})")["result"]["privacy"]["group_adds"] ==
        "nobody");
  auto bad = f.one(R"({"type":"set_privacy","id":"13","group_adds":"friends"})");
  CHECK(bad["code"] == "bad_request");
  CHECK(f.one(R"({"type":"set_privacy","id":"14"})")["code"] == "bad_request");

  // Nobody may add alice now: bob's group creation with her is refused.
  CHECK(f.engine->create_group(bob.account.id, "g", "", {alice.account.id}).code() ==
        chat::errc::forbidden);
}

TEST_CASE("a_blocked_users_add_and_open_direct_get_forbidden", "[session][privacy]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  auto bob = account(*f.engine, "bob");
  REQUIRE(f.engine->block_user(alice.account.id, bob.account.id).ok());
  REQUIRE(f.one(R"({"type":"auth","id":"1","token":")" + bob.token + R"("})")["type"] ==
          "response");
  auto g = f.engine->create_group(bob.account.id, "team", "");
  REQUIRE(g.ok());
  f.take();

  auto add = response_to(f,
                         R"({"type":"add_member","id":"2","channel_id":")" + std::to_string(g->id) +
                             R"(","username":"alice"})",
                         "2");
  CHECK(add["code"] == "forbidden");
  auto open = response_to(f, R"({"type":"open_direct","id":"3","username":"alice"})", "3");
  CHECK(open["code"] == "forbidden");
}
