// The request id at its limits (docs/protocol.md, "Frames" and "Limits"): a string of 1 to 128
// bytes (bytes, not characters); a frame without a valid id is answered bad_request with
// "id":null. A frame over the rate is not parsed: its id comes back only if it lies within the
// frame's first 512 bytes.
#include "fixture.hpp"
#include "protocol/codes.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;

namespace {

std::string ping(const std::string& id) {
  return R"({"type":"ping","id":")" + id + R"("})";
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("a_request_id_of_128_bytes_is_answered_and_one_of_129_refused_with_a_null_id",
          "[session][limits]") {
  session_fixture f;
  f.sign_in(account(*f.engine, "alice"));
  for (const std::string& id : {std::string(128, 'i'), repeat("\xc3\xa9", 64), std::string("1")}) {
    INFO(id.size() << " bytes");
    auto r = f.one(ping(id));
    CHECK(r["type"] == "response");
    CHECK(r["id"] == id);
  }
  // 129 bytes, also as 64 two-byte characters and one more byte: the limit counts bytes.
  for (const std::string& id : {std::string(129, 'i'), repeat("\xc3\xa9", 64) + "x"}) {
    INFO(id.size() << " bytes");
    auto e = f.one(ping(id));
    CHECK(e["type"] == "error");
    CHECK(e["code"] == "bad_request");
    CHECK(e["id"].is_null());
    CHECK(e["message"] == "field id: expected a string of 1 to 128 bytes");
  }
  CHECK(f.closed().empty());
}

TEST_CASE("a_rate_limited_frame_gets_back_an_id_of_128_bytes_but_not_one_of_129",
          "[session][limits]") {
  session_fixture f;
  f.limits.frames_per_second = 0.001;  // no refill during the test
  f.limits.frame_burst = 1;
  f.make();
  CHECK(f.one(ping("first"))["code"] == "unauthenticated");  // took the only token
  const std::string id128(128, 'r');
  auto limited = f.one(ping(id128));
  CHECK(limited["code"] == "rate_limited");
  CHECK(limited["id"] == id128);
  auto over = f.one(ping(id128 + "r"));
  CHECK(over["code"] == "rate_limited");
  CHECK(over["id"].is_null());
}

TEST_CASE("a_rate_limited_frame_gets_back_an_id_ending_at_byte_512_but_not_at_byte_513",
          "[session][limits]") {
  session_fixture f;
  f.limits.frames_per_second = 0.001;
  f.limits.frame_burst = 1;
  f.make();
  CHECK(f.one(ping("first"))["code"] == "unauthenticated");
  // {"pad":"xx...","id":"late"} with the id's closing quote as byte `end` of the frame.
  const auto frame = [](std::size_t end) {
    const std::string head = R"({"pad":")";
    const std::string tail = R"(","id":"late")";
    std::string out = head + std::string(end - head.size() - tail.size(), 'x') + tail;
    REQUIRE(out.size() == end);
    return out + R"(,"type":"ping"})";
  };
  REQUIRE(k_rate_limited_id_scan_bytes == 512);
  auto within = f.one(frame(512));
  CHECK(within["code"] == "rate_limited");
  CHECK(within["id"] == "late");
  auto beyond = f.one(frame(513));
  CHECK(beyond["code"] == "rate_limited");
  CHECK(beyond["id"].is_null());
}
