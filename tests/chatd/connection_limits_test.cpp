// The per-connection limits a client is told and the options that set them, at their bounds
// (docs/protocol.md, "Limits" and "Authentication"): the reply budget is an eighth of
// --max-queue-bytes within 32..128 KiB, --max-queue-bytes is at least 64 KiB, and `ready` /
// the `auth` result carry the values in force.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "fixture.hpp"
#include "protocol/frames.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;

namespace {

chat::chatd::config_outcome load(const char* option, const char* value) {
  const char* argv[] = {"chatd", option, value};
  return load_config(3, argv, [](const char*) -> const char* { return nullptr; });
}

}  // namespace

TEST_CASE("the_reply_budget_is_an_eighth_of_the_queue_within_32_and_128_kib", "[limits]") {
  connection_limits l;
  const auto budget = [&](std::size_t queue) {
    l.max_queue_bytes = queue;
    return l.max_reply_bytes();
  };
  CHECK(budget(64 * 1024) == 32 * 1024);       // the smallest queue: the floor
  CHECK(budget(256 * 1024 - 8) == 32 * 1024);  // an eighth just under 32 KiB: the floor
  CHECK(budget(256 * 1024) == 32 * 1024);
  CHECK(budget(256 * 1024 + 8) == 32 * 1024 + 1);
  CHECK(budget(1024 * 1024 - 8) == 128 * 1024 - 1);
  CHECK(budget(1024 * 1024) == 128 * 1024);  // the default
  CHECK(budget(1024 * 1024 + 8) == 128 * 1024);
  CHECK(budget(std::size_t{1} << 32) == 128 * 1024);
}

TEST_CASE("max_queue_bytes_is_at_least_64_kib", "[limits][config]") {
  auto at = load("--max-queue-bytes", "65536");
  REQUIRE(at.settings);
  CHECK(at.settings->limits.max_queue_bytes == 65536);
  auto under = load("--max-queue-bytes", "65535");
  CHECK_FALSE(under.settings);
  CHECK(under.exit_code == 2);
}

TEST_CASE("ready_and_the_auth_result_carry_the_limits_in_force", "[session][limits]") {
  session_fixture f;
  f.limits.max_frame_bytes = 4096;
  f.limits.frames_per_second = 5;
  f.limits.frame_burst = 7;
  f.limits.max_queue_bytes = 512 * 1024;
  f.limits.ping_interval = std::chrono::seconds(11);
  f.limits.idle_timeout = std::chrono::seconds(33);
  f.make();
  auto grant = account(*f.engine, "alice");
  auto r = f.one(R"({"type":"auth","id":"a","token":")" + grant.token + R"("})");
  REQUIRE(r["type"] == "response");
  const nlohmann::json expected = {{"max_frame_bytes", 4096},      {"requests_per_second", 5},
                                   {"request_burst", 7},           {"max_queue_bytes", 512 * 1024},
                                   {"max_reply_bytes", 64 * 1024}, {"max_page_size", 200},
                                   {"ping_interval_s", 11},        {"idle_timeout_s", 33}};
  CHECK(r["result"]["limits"] == expected);
  CHECK(r["result"]["protocol"] == 1);
  auto ready = nlohmann::json::parse(ready_frame(grant.account, 17, f.limits));
  CHECK(ready["type"] == "ready");
  CHECK(ready["limits"] == expected);
  CHECK(ready["connection_id"] == "17");
}
