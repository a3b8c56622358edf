// The history request at the protocol layer (docs/protocol.md, "Requests", "history"): the
// newest page, before_seq pages back, after_seq pages forward, both bounds are a bad_request,
// and limit is 1..200.
#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;
using nlohmann::json;

namespace {

struct history_fixture : session_fixture {
  std::string channel;
  int next = 0;

  explicit history_fixture(int messages) {
    auto alice = account(*engine, "alice");
    sign_in(alice);
    auto g = engine->create_group(alice.account.id, "team", "");
    REQUIRE(g.ok());
    channel = std::to_string(g->id);
    for (int i = 1; i <= messages; ++i)
      REQUIRE(engine->send(alice.account.id, g->id, "m" + std::to_string(i), "").ok());
    take();
  }
  // The reply to a history request with `fields` added.
  json history(const std::string& fields) {
    const std::string id = "h" + std::to_string(++next);
    return reply(
        R"({"type":"history","id":")" + id + R"(","channel_id":")" + channel + '"' + fields + "}",
        id);
  }
};

std::vector<long long> seqs(const json& r) {
  std::vector<long long> out;
  for (const auto& m : r["result"]["messages"]) out.push_back(m["seq"].get<long long>());
  return out;
}

}  // namespace

TEST_CASE("history_after_seq_pages_forward_and_before_seq_back", "[session][history]") {
  history_fixture f(5);
  auto first = f.history(R"(,"after_seq":0,"limit":2)");
  REQUIRE(first["type"] == "response");
  CHECK(seqs(first) == std::vector<long long>{1, 2});
  CHECK(first["result"]["has_more"] == true);
  auto second = f.history(R"(,"after_seq":2,"limit":2)");
  CHECK(seqs(second) == std::vector<long long>{3, 4});
  CHECK(second["result"]["has_more"] == true);
  auto last = f.history(R"(,"after_seq":4,"limit":2)");
  CHECK(seqs(last) == std::vector<long long>{5});
  CHECK(last["result"]["has_more"] == false);
  auto beyond = f.history(R"(,"after_seq":5)");
  CHECK(seqs(beyond).empty());
  CHECK(beyond["result"]["has_more"] == false);

  auto newest = f.history(R"(,"limit":2)");
  CHECK(seqs(newest) == std::vector<long long>{4, 5});
  CHECK(newest["result"]["has_more"] == true);
  auto back = f.history(R"(,"before_seq":4,"limit":2)");
  CHECK(seqs(back) == std::vector<long long>{2, 3});
  CHECK(back["result"]["has_more"] == true);
  // A page of exactly `limit` messages up to the end has no more, and holds the last one.
  auto exact = f.history(R"(,"after_seq":3,"limit":2)");
  CHECK(seqs(exact) == std::vector<long long>{4, 5});
  CHECK(exact["result"]["has_more"] == false);
  auto all = f.history(R"(,"limit":5)");
  CHECK(seqs(all) == std::vector<long long>{1, 2, 3, 4, 5});
  CHECK(all["result"]["has_more"] == false);
  auto first_two = f.history(R"(,"before_seq":3,"limit":2)");
  CHECK(seqs(first_two) == std::vector<long long>{1, 2});
  CHECK(first_two["result"]["has_more"] == false);
  // A null bound is no bound.
  CHECK(seqs(f.history(R"(,"before_seq":null,"after_seq":3)")) == std::vector<long long>{4, 5});
}

TEST_CASE("history_with_both_before_seq_and_after_seq_is_a_bad_request", "[session][history]") {
  history_fixture f(3);
  for (const char* both :
       {R"(,"before_seq":3,"after_seq":1)", R"(,"after_seq":0,"before_seq":0)"}) {
    INFO(both);
    auto e = f.history(both);
    CHECK(e["type"] == "error");
    CHECK(e["code"] == "bad_request");
    CHECK(e["id"] == "h" + std::to_string(f.next));
    CHECK(e["message"] == "give before_seq or after_seq, not both");
  }
  for (const char* negative : {R"(,"after_seq":-1)", R"(,"before_seq":-1)"}) {
    INFO(negative);
    CHECK(f.history(negative)["code"] == "bad_request");
  }
}

TEST_CASE("history_limit_is_1_to_200", "[session][history][limits]") {
  history_fixture f(201);
  auto one = f.history(R"(,"limit":1)");
  CHECK(seqs(one) == std::vector<long long>{201});
  CHECK(one["result"]["has_more"] == true);
  auto max = f.history(R"(,"limit":200)");
  REQUIRE(max["type"] == "response");
  CHECK(max["result"]["messages"].size() == 200);
  CHECK(max["result"]["messages"][0]["seq"] == 2);
  CHECK(max["result"]["has_more"] == true);
  CHECK(f.history("")["result"]["messages"].size() == 50);  // the default
  for (const char* bad :
       {R"(,"limit":0)", R"(,"limit":201)", R"(,"limit":-1)", R"(,"limit":"5")"}) {
    INFO(bad);
    auto e = f.history(bad);
    CHECK(e["code"] == "bad_request");
    CHECK(e["message"] == "field limit: expected an integer in [1, 200]");
  }
}

// mark_read's seq (docs/protocol.md, "Requests"): a JSON integer >= 0; the marker never moves
// back and is clamped to the last seq. The messages are bob's (own messages count as read).
TEST_CASE("mark_read_takes_seq_0_and_up_clamps_to_the_last_and_never_moves_back",
          "[session][history]") {
  session_fixture f;
  auto alice = account(*f.engine, "alice");
  auto bob = account(*f.engine, "bob");
  f.sign_in(alice);
  auto g = f.engine->create_group(bob.account.id, "team", "", {alice.account.id});
  REQUIRE(g.ok());
  for (int i = 0; i < 3; ++i) REQUIRE(f.engine->send(bob.account.id, g->id, "m", "").ok());
  f.take();
  int next = 0;
  const auto mark = [&](const std::string& seq) {
    const std::string id = "m" + std::to_string(++next);
    return f.reply(R"({"type":"mark_read","id":")" + id + R"(","channel_id":")" +
                       std::to_string(g->id) + '"' + seq + "}",
                   id);
  };
  CHECK(mark(R"(,"seq":0)")["result"]["seq"] == 0);
  CHECK(mark(R"(,"seq":2)")["result"]["seq"] == 2);
  CHECK(mark(R"(,"seq":1)")["result"]["seq"] == 2);   // never back
  CHECK(mark(R"(,"seq":99)")["result"]["seq"] == 3);  // clamped
  for (const char* bad : {R"(,"seq":-1)", "", R"(,"seq":"2")", R"(,"seq":1.5)"}) {
    INFO(bad);
    auto e = mark(bad);
    CHECK(e["code"] == "bad_request");
    CHECK(e["id"] == "m" + std::to_string(next));
  }
}
