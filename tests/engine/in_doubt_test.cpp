// Sends whose COMMIT outcome is unknown (issue 13, point 4): the sender is told the truth, and
// every message that was in fact stored reaches the channel's live members once, in seq order,
// before anything sent after it. The store is a real SQLite store with the lost COMMIT reply
// injected (faulty_store.hpp): a real database cannot be made to lose it on cue.
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "engine/commit_queue.hpp"
#include "faulty_store.hpp"
#include "recording_bus.hpp"
#include "routing/publisher.hpp"
#include "store/store_fixture.hpp"

namespace {

using namespace chat;

using test::recording_bus;

}  // namespace

TEST_CASE("a_send_in_doubt_is_told_so_and_delivered_live_once_in_seq_order", "[in_doubt]") {
  auto real = detail::open_soci_store(test::sqlite_temp_url(), 2);
  const user_id alice = test::make_user(*real, "alice").user.id;
  const user_id bob = test::make_user(*real, "bob").user.id;
  const channel_id ch = test::make_group(*real, alice, {bob}).id;
  detail::faulty_store db(std::move(real));
  recording_bus bus;
  detail::publisher events(bus);
  detail::commit_queue queue(db, events, 64, std::chrono::microseconds(0), {});
  time_ms clock = 5000;
  auto send = [&](const std::string& text, const std::string& client_msg_id) {
    std::promise<result<message>> done;
    auto outcome = done.get_future();
    detail::commit_queue::request r;
    r.message = test::pending(alice, ch, text, client_msg_id, ++clock);
    r.done = [&done](result<message> m) { done.set_value(std::move(m)); };
    queue.push(std::move(r));
    return outcome.get();
  };

  db.lose_commit_replies = 1;
  auto first = send("one", "c1");
  REQUIRE_FALSE(first.ok());
  CHECK(first.code() == errc::unavailable);
  CHECK(first.error().message().find("may have been stored; retry with the same client_msg_id") !=
        std::string::npos);
  CHECK(bus.seen().empty());  // not known to be stored yet

  // While the database does not answer, a later send into that channel is refused unrun: it
  // must not be published before the message in doubt.
  db.down = true;
  auto second = send("two", "c2");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message().find("was not stored") != std::string::npos);
  CHECK(bus.seen().empty());

  db.down = false;
  auto third = send("three", "c3");
  REQUIRE(third.ok());
  auto live = bus.seen();
  REQUIRE(live.size() == 2);
  CHECK(live[0].text == "one");  // found stored, published first
  CHECK(live[1].text == "three");
  CHECK(live[0].seq < live[1].seq);
  CHECK(live[1].id == third->id);

  // The sender's retry gets the original and publishes nothing again.
  auto retry = send("one", "c1");
  REQUIRE(retry.ok());
  CHECK(retry->id == live[0].id);
  CHECK(bus.seen().size() == 2);
  // The refused one was never stored: its retry stores and publishes it now.
  auto second_again = send("two", "c2");
  REQUIRE(second_again.ok());
  REQUIRE(bus.seen().size() == 3);
  CHECK(bus.seen()[2].text == "two");
  CHECK(bus.seen()[2].seq > live[1].seq);
}

TEST_CASE("a_send_in_doubt_that_was_not_stored_is_not_published", "[in_doubt]") {
  auto real = detail::open_soci_store(test::sqlite_temp_url(), 2);
  const user_id alice = test::make_user(*real, "alice").user.id;
  const channel_id ch = test::make_group(*real, alice, {}).id;
  detail::faulty_store db(std::move(real));
  recording_bus bus;
  detail::publisher events(bus);
  detail::commit_queue queue(db, events, 64, std::chrono::microseconds(0), {});
  auto send = [&](const std::string& text, time_ms at) {
    std::promise<result<message>> done;
    auto outcome = done.get_future();
    detail::commit_queue::request r;
    r.message = test::pending(alice, ch, text, "", at);
    r.done = [&done](result<message> m) { done.set_value(std::move(m)); };
    queue.push(std::move(r));
    return outcome.get();
  };
  REQUIRE(send("zero", 100).ok());
  // The outcome is reported unknown although nothing was stored: the lookup must not
  // publish an older message (or anything) for it.
  db.lose_commits = 1;
  auto lost = send("lost", 200);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().message().find("may have been stored") != std::string::npos);
  REQUIRE(send("after", 300).ok());
  auto live = bus.seen();
  REQUIRE(live.size() == 2);
  CHECK(live[0].text == "zero");
  CHECK(live[1].text == "after");
}
