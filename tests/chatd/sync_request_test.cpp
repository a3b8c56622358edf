// The sync request's limits at the protocol layer (docs/protocol.md, "Requests" and "Limits"):
// at most 10,000 cursors, limit_per_channel 1..200.
#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;
using nlohmann::json;

namespace {

// A sync request with `count` cursors: the first for `channel` after seq 0, the others for
// channels that do not exist (ignored, as channels the caller is not a member of).
std::string sync_with_cursors(const std::string& id, chat::channel_id channel, std::size_t count) {
  std::string out = R"({"type":"sync","id":")" + id + R"(","cursors":[)";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ',';
    const auto target = i == 0 ? channel : static_cast<chat::channel_id>(1000000 + i);
    out += R"({"channel_id":")" + std::to_string(target) + R"(","after_seq":0})";
  }
  return out + "]}";
}

}  // namespace

TEST_CASE("sync_takes_10000_cursors_and_refuses_10001", "[session][sync][limits]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  f.sign_in(alice);
  auto g = f.engine->create_group(alice.account.id, "team", "");
  REQUIRE(g.ok());
  REQUIRE(f.engine->send(alice.account.id, g->id, "hello", "").ok());
  f.take();

  auto ok = f.reply(sync_with_cursors("s1", g->id, 10000), "s1");
  REQUIRE(ok["type"] == "response");
  REQUIRE(ok["result"]["channels"].size() == 1);
  CHECK(ok["result"]["channels"][0]["channel_id"] == std::to_string(g->id));
  CHECK(ok["result"]["channels"][0]["messages"][0]["text"] == "hello");

  auto over = f.reply(sync_with_cursors("s2", g->id, 10001), "s2");
  CHECK(over["type"] == "error");
  CHECK(over["code"] == "bad_request");
  CHECK(over["id"] == "s2");
  CHECK(over["message"] == "field cursors: at most 10000 cursors");
}

TEST_CASE("sync_limit_per_channel_is_1_to_200", "[session][sync][limits]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  f.sign_in(alice);
  auto g = f.engine->create_group(alice.account.id, "team", "");
  REQUIRE(g.ok());
  for (int i = 1; i <= 201; ++i)
    REQUIRE(f.engine->send(alice.account.id, g->id, "m" + std::to_string(i), "").ok());
  f.take();
  const auto sync = [&](const std::string& id, const std::string& fields) {
    return f.reply(R"({"type":"sync","id":")" + id + '"' + fields + "}", id);
  };

  auto one = sync("a", R"(,"limit_per_channel":1)");
  REQUIRE(one["result"]["channels"].size() == 1);
  CHECK(one["result"]["channels"][0]["messages"].size() == 1);
  CHECK(one["result"]["channels"][0]["messages"][0]["seq"] == 1);
  CHECK(one["result"]["channels"][0]["has_more"] == true);
  for (const char* fields : {R"(,"limit_per_channel":200)", ""}) {  // 200 is also the default
    INFO(fields);
    auto max = sync("b", fields);
    REQUIRE(max["result"]["channels"].size() == 1);
    CHECK(max["result"]["channels"][0]["messages"].size() == 200);
    CHECK(max["result"]["channels"][0]["has_more"] == true);
  }
  // Exactly limit_per_channel messages left: all of them, no more.
  auto exact = sync("e", R"(,"limit_per_channel":2,"cursors":[{"channel_id":")" +
                             std::to_string(g->id) + R"(","after_seq":199}])");
  REQUIRE(exact["result"]["channels"].size() == 1);
  CHECK(exact["result"]["channels"][0]["messages"].size() == 2);
  CHECK(exact["result"]["channels"][0]["messages"][1]["seq"] == 201);
  CHECK(exact["result"]["channels"][0]["has_more"] == false);
  CHECK(exact["result"]["has_more"] == false);
  for (const char* bad : {R"(,"limit_per_channel":0)", R"(,"limit_per_channel":201)"}) {
    INFO(bad);
    auto e = sync("c", bad);
    CHECK(e["code"] == "bad_request");
    CHECK(e["message"] == "field limit_per_channel: expected an integer in [1, 200]");
  }
  for (const char* bad : {R"(,"cursors":{})", R"(,"cursors":[5])",
                          R"(,"cursors":[{"channel_id":"1","after_seq":-1}])",
                          R"(,"cursors":[{"channel_id":"1"}])"}) {
    INFO(bad);
    CHECK(sync("d", bad)["code"] == "bad_request");
  }
}

// docs/protocol.md, "sync": one reply lists at most 100 channels; the result's has_more says
// channels after the last one listed may have news, and the next sync with moved cursors
// reaches them.
TEST_CASE("a_sync_reply_lists_100_channels_and_says_has_more_only_past_them",
          "[session][sync][limits]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  f.sign_in(alice);
  std::vector<chat::channel_id> channels;
  for (int i = 0; i < 101; ++i) {
    auto g = f.engine->create_group(alice.account.id, "g" + std::to_string(i), "");
    REQUIRE(g.ok());
    REQUIRE(f.engine->send(alice.account.id, g->id, "news", "").ok());
    channels.push_back(g->id);
  }
  f.take();
  // All 101 without cursors: the first 100, in ascending id order, and has_more.
  auto first = f.reply(R"({"type":"sync","id":"s1"})", "s1");
  REQUIRE(first["result"]["channels"].size() == 100);
  CHECK(first["result"]["channels"][0]["channel_id"] == std::to_string(channels[0]));
  CHECK(first["result"]["channels"][99]["channel_id"] == std::to_string(channels[99]));
  CHECK(first["result"]["has_more"] == true);
  // The first channel read: exactly 100 have news, all listed, no more.
  const std::string cursor =
      R"({"channel_id":")" + std::to_string(channels[0]) + R"(","after_seq":1})";
  auto exact = f.reply(R"({"type":"sync","id":"s2","cursors":[)" + cursor + "]}", "s2");
  REQUIRE(exact["result"]["channels"].size() == 100);
  CHECK(exact["result"]["channels"][99]["channel_id"] == std::to_string(channels[100]));
  CHECK(exact["result"]["has_more"] == false);
}
