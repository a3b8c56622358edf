// protocol::session: parsing, errors with and without ids, auth, rate limit, timeouts, dispatch.
#include <future>

#include "fixture.hpp"
#include "protocol/codes.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;

TEST_CASE("malformed_frames_get_bad_request_with_a_null_id", "[session]") {
  session_fixture f;
  for (const char* frame : {"{oops", "[]", "\"str\"", "{\"type\":\"ping\"}",
                            "{\"type\":\"ping\",\"id\":3}", "{\"type\":\"ping\",\"id\":\"\"}"}) {
    auto e = f.one(frame);
    CHECK(e["type"] == "error");
    CHECK(e["id"].is_null());
    CHECK(e["code"] == "bad_request");
  }
  auto utf = f.one(std::string("{\"type\":\"ping\",\"id\":\"\xff\"}"));
  CHECK(utf["code"] == "bad_request");
  CHECK(utf["message"].get<std::string>().find("UTF-8") != std::string::npos);
}

TEST_CASE("a_frame_with_a_lone_surrogate_escape_is_answered_with_its_id", "[session]") {
  session_fixture f;
  // JavaScript cuts an emoji into a lone surrogate; the frame is not JSON, but its id is
  // readable, before or after the bad string, so the client can match the error.
  for (const char* frame :
       {R"({"id":"r1","type":"send","channel_id":1,"text":"ab\ud800"})",
        R"({"type":"send","text":"\uDC00 cut","id":"r1","channel_id":1})",
        R"({"type":"send","text":"\ud83d\ude00\ud83d","channel_id":1,"id":"r1"})"}) {
    auto e = f.one(frame);
    CHECK(e["type"] == "error");
    CHECK(e["code"] == "bad_request");
    CHECK(e["id"] == "r1");
  }
  // An escaped backslash is no escape, and a valid pair in the id survives the scan intact.
  CHECK(f.one(R"({"text":"\\ud800\ud800","id":"a\\ud800b"})")["id"] == R"(a\ud800b)");
  CHECK(f.one(R"({"id":"\ud83d\ude00","text":"\udfff"})")["id"] == "\xf0\x9f\x98\x80");
  // Invalid UTF-8 after the id: the id comes back too.
  CHECK(f.one(std::string(R"({"id":"r2","text":")") + "\xff\"}")["id"] == "r2");
}

TEST_CASE("requests_before_auth_are_unauthenticated_and_bad_tokens_close_4001", "[session]") {
  session_fixture f;
  auto e = f.one(R"({"type":"list_channels","id":"a"})");
  CHECK(e["code"] == "unauthenticated");
  CHECK(e["id"] == "a");
  CHECK(f.closed().empty());
  auto bad = f.one(R"({"type":"auth","id":"b","token":"nope"})");
  CHECK(bad["code"] == "unauthenticated");
  REQUIRE(f.closed().size() == 1);
  CHECK(f.closed()[0].first == close_code::auth_failed);
}

TEST_CASE("auth_then_dispatch_create_group_and_unknown_type", "[session]") {
  session_fixture f;
  auto grant = account(*f.engine, "alice");
  auto ok = f.one(R"({"type":"auth","id":"1","token":")" + grant.token + R"("})");
  REQUIRE(ok["type"] == "response");
  CHECK(ok["result"]["user"]["username"] == "alice");
  CHECK(f.s->authenticated());
  auto again = f.one(R"({"type":"auth","id":"1b","token":")" + grant.token + R"("})");
  CHECK(again["code"] == "bad_request");

  f.s->on_frame(R"({"type":"create_group","id":"2","name":"team"})", f.t0);
  auto frames = f.take();  // the response and the channel.created event, in either order
  bool response = false;
  for (auto& fr : frames) {
    if (fr["type"] == "response") {
      response = true;
      CHECK(fr["id"] == "2");
      CHECK(fr["result"]["channel"]["name"] == "team");
      CHECK(fr["result"]["channel"]["id"].is_string());
    }
  }
  CHECK(response);
  auto unknown = f.one(R"({"type":"teleport","id":"3"})");
  CHECK(unknown["code"] == "unknown_type");
  auto missing = f.one(R"({"type":"send","id":"4","text":"x"})");
  CHECK(missing["code"] == "bad_request");
  CHECK(missing["message"] == "missing field channel_id");
  auto bad_id = f.one(R"({"type":"get_channel","id":"5","channel_id":"12x"})");
  CHECK(bad_id["code"] == "bad_request");
  // A channel that does not exist: not_found; one alice is not a member of: forbidden. Both
  // with the request's id.
  auto missing_channel = f.one(R"({"type":"get_channel","id":"6","channel_id":"999"})");
  CHECK(missing_channel["type"] == "error");
  CHECK(missing_channel["code"] == "not_found");
  CHECK(missing_channel["id"] == "6");
  auto bob = account(*f.engine, "bob");
  auto theirs = f.engine->create_group(bob.account.id, "theirs", "");
  REQUIRE(theirs.ok());
  auto forbidden = f.one(R"({"type":"get_channel","id":"7","channel_id":")" +
                         std::to_string(theirs->id) + R"("})");
  CHECK(forbidden["type"] == "error");
  CHECK(forbidden["code"] == "forbidden");
  CHECK(forbidden["id"] == "7");
}

TEST_CASE("rate_limit_refuses_over_the_burst_and_refills", "[session]") {
  session_fixture f;
  f.limits.frames_per_second = 10;
  f.limits.frame_burst = 5;
  f.make();
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = f.one(R"({"type":"ping","id":"p"})");
    if (r["code"] == "rate_limited") ++limited;
  }
  CHECK(limited == 3);
  f.s->on_frame(R"({"type":"ping","id":"q"})", f.t0 + std::chrono::milliseconds(150));
  auto after = f.take();
  REQUIRE(after.size() == 1);
  CHECK(after[0]["code"] != "rate_limited");
}

TEST_CASE("auth_and_idle_timeouts", "[session]") {
  session_fixture f;
  CHECK_FALSE(f.s->expired(f.t0 + std::chrono::seconds(9)));
  CHECK(f.s->expired(f.t0 + std::chrono::seconds(10)) == close_code::auth_failed);
  auto grant = account(*f.engine, "bob");
  f.one(R"({"type":"auth","id":"1","token":")" + grant.token + R"("})");
  CHECK_FALSE(f.s->expired(f.t0 + std::chrono::seconds(59)));
  CHECK(f.s->expired(f.t0 + std::chrono::seconds(60)) == close_code::idle);
  f.s->on_activity(f.t0 + std::chrono::seconds(50));
  CHECK_FALSE(f.s->expired(f.t0 + std::chrono::seconds(100)));
}

// L7: a frame takes its rate-limit token before it is read, so malformed frames count too.
TEST_CASE("malformed_frames_take_rate_limit_tokens", "[session]") {
  session_fixture f;
  f.limits.frames_per_second = 10;
  f.limits.frame_burst = 5;
  f.make();
  for (int i = 0; i < 5; ++i) CHECK(f.one("{oops")["code"] == "bad_request");
  auto r = f.one(R"({"type":"ping","id":"p"})");
  CHECK(r["code"] == "rate_limited");
  CHECK(r["id"] == "p");
  CHECK(f.counters.rate_limited.load() == 1);
}

TEST_CASE("a_frame_over_the_rate_is_not_parsed_but_its_leading_id_comes_back", "[session]") {
  session_fixture f;
  f.limits.frames_per_second = 1;
  f.limits.frame_burst = 1;
  f.make();
  CHECK(f.one(R"({"type":"ping","id":"ok"})")["code"] == "unauthenticated");  // took the token
  // Cut off after 60 KiB: parsed, this would be a bad_request; over the rate it is not read.
  const std::string big = R"({"type":"ping","id":"r2","pad":")" + std::string(60 * 1024, 'x');
  auto limited = f.one(big);
  CHECK(limited["code"] == "rate_limited");
  CHECK(limited["id"] == "r2");
  // An id further in than the bytes looked at, or not a request id, comes back as null.
  const std::string late = R"({"pad":")" + std::string(600, 'x') + R"(","type":"ping","id":"r3"})";
  CHECK(f.one(late)["id"].is_null());
  CHECK(f.one(R"({"type":"ping","id":7})")["id"].is_null());
  CHECK(f.one(R"({"type":"ping","x":{"id":"nested"}})")["id"].is_null());
  CHECK(f.one(R"(["id","r4"])")["id"].is_null());
  CHECK(f.one("\xff\xfe")["id"].is_null());
  CHECK(f.counters.rate_limited.load() == 6);
  CHECK(f.closed().empty());
}

TEST_CASE("ten_malformed_frames_in_a_row_close_4009", "[session]") {
  session_fixture f;
  f.limits.frame_burst = 1000;
  f.make();
  for (int i = 0; i < k_max_bad_frames - 1; ++i) f.one("[]");
  // A well-formed request (here refused: not authenticated) restarts the count.
  CHECK(f.one(R"({"type":"ping","id":"p"})")["code"] == "unauthenticated");
  for (int i = 0; i < k_max_bad_frames - 1; ++i) f.one(R"({"id":"x"})");
  CHECK(f.closed().empty());
  CHECK(f.one(std::string("{\"type\":\"ping\",\"id\":\"\xff\"}"))["code"] == "bad_request");
  REQUIRE(f.closed().size() == 1);
  CHECK(f.closed()[0].first == close_code::bad_frames);
  CHECK(f.closed()[0].second == "bad_frames");
}

// Issue 13, point 3: requests that need the database never run on the I/O thread; one that
// waits past --request-timeout is answered `unavailable` once (its late answer is dropped), a
// send queued behind it keeps its place and is told it may have been stored, and `ping` is
// answered at once meanwhile.
TEST_CASE("requests_waiting_past_the_timeout_are_answered_unavailable_once", "[session]") {
  session_fixture f;
  f.limits.request_timeout = std::chrono::seconds(2);
  f.make();
  auto grant = account(*f.engine, "carol");
  REQUIRE(f.one(R"({"type":"auth","id":"a","token":")" + grant.token + R"("})")["type"] ==
          "response");
  auto group = f.engine->create_group(grant.account.id, "g", "", {});
  REQUIRE(group.ok());
  const std::string ch = std::to_string(group->id);
  f.take();

  // Every thread of the requests lane is busy, as when the database hangs.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  for (int i = 0; i < 2; ++i) {
    limits::work_lane::job job;
    job.run = [released] { released.wait(); };
    job.refused = [](limits::work_lane::refusal) {};
    REQUIRE(f.requests.submit(std::move(job)));
  }
  f.s->on_frame(R"({"type":"history","id":"h","channel_id":")" + ch + R"("})", f.t0);
  f.s->on_frame(
      R"({"type":"send","id":"s","channel_id":")" + ch + R"(","text":"x","client_msg_id":"k"})",
      f.t0);
  f.s->on_frame(R"({"type":"ping","id":"p"})", f.t0);
  auto now = f.box->take();  // not take(): the session is not idle
  REQUIRE(now.size() == 1);
  auto pong = nlohmann::json::parse(now[0].payload());
  CHECK(pong["id"] == "p");
  CHECK(pong["type"] == "response");

  f.s->expire_requests(f.t0 + std::chrono::seconds(1));
  CHECK(f.box->take().empty());
  f.s->expire_requests(f.t0 + std::chrono::seconds(2));
  auto expired = f.box->take();
  REQUIRE(expired.size() == 2);
  auto h = nlohmann::json::parse(expired[0].payload());
  auto s = nlohmann::json::parse(expired[1].payload());
  CHECK(h["id"] == "h");
  CHECK(h["code"] == "unavailable");
  CHECK(h["message"] == k_request_timeout_message);
  CHECK(s["id"] == "s");
  CHECK(s["code"] == "unavailable");
  CHECK(s["message"] == k_send_timeout_message);
  CHECK(f.counters.requests_timed_out.load() == 2);

  // The database answers again: the timed-out requests are not answered a second time. The
  // marker, a send queued behind both, is answered after their late answers would have been
  // (same request queue, same commit queue): it must come alone.
  release.set_value();
  f.s->on_frame(
      R"({"type":"send","id":"m","channel_id":")" + ch + R"(","text":"y","client_msg_id":"k2"})",
      f.t0);
  auto after = f.until_reply("m");
  REQUIRE(after.size() == 1);
  CHECK(after[0]["type"] == "response");
  CHECK(after[0]["id"] == "m");
  CHECK(f.one(R"({"type":"get_channel","id":"g","channel_id":")" + ch + R"("})")["type"] ==
        "response");
}
