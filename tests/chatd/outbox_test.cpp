// outbox: one drain per batch, the byte and frame limits, shutting, transport backlog.
#include "protocol/outbox.hpp"

#include <catch2/catch.hpp>

using chat::chatd::outbox;
using chat::chatd::outgoing_frame;

TEST_CASE("outbox_kicks_once_per_batch", "[outbox]") {
  int ready = 0, overflow = 0;
  outbox box(
      {1000, 10}, [&] { ++ready; }, [&] { ++overflow; });
  box.push({nullptr, "a"});
  box.push({nullptr, "b"});
  CHECK(ready == 1);
  auto frames = box.take();
  REQUIRE(frames.size() == 2);
  CHECK(frames[1].payload() == "b");
  box.push({nullptr, "c"});
  CHECK(ready == 2);
  CHECK(overflow == 0);
}

TEST_CASE("outbox_overflows_on_bytes_frames_and_backlog_once", "[outbox]") {
  int overflow = 0;
  outbox bytes(
      {10, 100}, [] {}, [&] { ++overflow; });
  bytes.push({nullptr, "12345"});
  bytes.push({nullptr, "123456"});
  CHECK(overflow == 1);
  CHECK(bytes.overflowed());
  CHECK(bytes.take().empty());
  bytes.push({nullptr, "x"});
  CHECK(overflow == 1);

  overflow = 0;
  outbox frames(
      {1000, 2}, [] {}, [&] { ++overflow; });
  for (int i = 0; i < 3; ++i) frames.push({nullptr, "x"});
  CHECK(overflow == 1);

  overflow = 0;
  outbox backlog(
      {100, 100}, [] {}, [&] { ++overflow; });
  backlog.set_transport_backlog(95);
  backlog.check_backlog();
  CHECK(overflow == 0);
  backlog.push({nullptr, "123456"});
  CHECK(overflow == 1);
}

TEST_CASE("outbox_drops_everything_after_shut", "[outbox]") {
  int ready = 0;
  outbox box(
      {1000, 10}, [&] { ++ready; }, [] {});
  box.shut();
  box.push({nullptr, "late"});
  CHECK(ready == 0);
  CHECK(box.take().empty());
}

// docs/protocol.md "Limits": the queue is cut off when it passes a limit, not when it reaches
// it: exactly max_bytes (queued plus the transport's backlog) and exactly max_frames are kept.
TEST_CASE("outbox_holds_exactly_its_limits_and_overflows_one_past", "[outbox][limits]") {
  int overflow = 0;
  outbox bytes(
      {10, 100}, [] {}, [&] { ++overflow; });
  bytes.push({nullptr, "12345"});
  bytes.push({nullptr, "67890"});
  CHECK(overflow == 0);
  CHECK(bytes.take().size() == 2);
  bytes.push({nullptr, "1234567890"});
  bytes.push({nullptr, "x"});
  CHECK(overflow == 1);

  overflow = 0;
  outbox frames(
      {1000, 3}, [] {}, [&] { ++overflow; });
  for (int i = 0; i < 3; ++i) frames.push({nullptr, "x"});
  CHECK(overflow == 0);
  CHECK_FALSE(frames.overflowed());
  frames.push({nullptr, "x"});
  CHECK(overflow == 1);

  overflow = 0;
  outbox backlog(
      {100, 100}, [] {}, [&] { ++overflow; });
  backlog.set_transport_backlog(94);
  backlog.push({nullptr, "123456"});  // 100 in all
  CHECK(overflow == 0);
  backlog.set_transport_backlog(95);
  backlog.check_backlog();
  CHECK(overflow == 1);
}
