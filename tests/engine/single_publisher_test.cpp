// Every event leaves the engine through its one publisher and bus: messages from the commit
// queue, membership and channel changes, presence, and the revocation of a logged-out session's
// connections. An engine opened on a bus that watches what passes (and routes it locally, as
// the in-process bus does) sees each of them, its sinks get exactly what passed, and an event
// the bus cannot route is counted as a database error without failing the call.
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/open_with_bus.hpp"
#include "engine_fixture.hpp"
#include "store/store.hpp"

using namespace chat;
using test::recording_sink;

namespace {

class watching_bus final : public detail::event_bus {
 public:
  explicit watching_bus(detail::router& local) : local_(local) {}

  void publish(const detail::routed_event& e) override {
    if (record(e.payload->kind, false))
      throw detail::store_error(detail::store_error::kind::unavailable, "injected: no members");
    local_.publish(e);
  }
  bool revoke(user_id user, const std::string& session_hash, const event_ptr& revoked) override {
    record(revoked->kind, true);
    return local_.revoke(user, session_hash, revoked);
  }

  // The kinds that passed since the last call.
  std::vector<event_kind> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(kinds_, {});
  }
  int revokes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return revokes_;
  }
  // Events of this kind fail to route from now on.
  void refuse(event_kind kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    refuse_ = kind;
  }

 private:
  // Records the call; true if it is to fail.
  bool record(event_kind kind, bool revocation) {
    std::lock_guard<std::mutex> lock(mutex_);
    kinds_.push_back(kind);
    revokes_ += revocation;
    return refuse_ == kind;
  }
  detail::local_bus local_;
  std::mutex mutex_;  // guards kinds_, revokes_ and refuse_ (the commit thread publishes too)
  std::vector<event_kind> kinds_;
  int revokes_ = 0;
  std::optional<event_kind> refuse_;
};

std::unique_ptr<engine> open_watched(watching_bus*& bus) {
  engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = password_cost::minimum;
  auto opened = detail::open_with_bus(options, [&](detail::router& local) {
    auto made = std::make_unique<watching_bus>(local);
    bus = made.get();
    return made;
  });
  INFO(opened.error().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

bool has(const std::vector<event_kind>& kinds, event_kind kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

TEST_CASE("every_engine_event_goes_through_the_bus_and_deliveries_are_counted", "[routing]") {
  watching_bus* bus = nullptr;
  auto e = open_watched(bus);
  REQUIRE(bus != nullptr);
  const user alice = test::make_user(*e, "alice");
  const user bob = test::make_user(*e, "bob");
  auto bob_login = e->login("bob", "correct horse battery");
  REQUIRE(bob_login.ok());
  auto alice_sink = std::make_shared<recording_sink>();
  auto bob_sink = std::make_shared<recording_sink>();
  e->connect(alice.id, alice_sink);
  e->connect(bob.id, bob_sink, bob_login->token);
  CHECK(has(bus->take(), event_kind::presence));  // announced online (to no contact yet)

  auto group = e->create_group(alice.id, "publishers", "");
  REQUIRE(group.ok());
  CHECK(bus->take() == std::vector<event_kind>{event_kind::channel_created});

  // A membership change: queued under the channel's lock, delivered after it.
  REQUIRE(e->add_member(alice.id, group->id, bob.id).ok());
  CHECK(bus->take() == std::vector<event_kind>{event_kind::member_added});

  // A message: published by the commit thread.
  REQUIRE(e->send(alice.id, group->id, "through the publisher").ok());
  CHECK(bus->take() == std::vector<event_kind>{event_kind::message_created});
  REQUIRE(bob_sink->wait_count(event_kind::message_created, 1));

  // A logout: the session's connections are revoked through the bus, before logout returns.
  REQUIRE(bus->revokes() == 0);
  REQUIRE(e->logout(bob_login->token).ok());
  CHECK(bus->revokes() == 1);
  const auto after_logout = bus->take();
  REQUIRE(!after_logout.empty());
  CHECK(after_logout.front() == event_kind::session_revoked);
  CHECK(has(after_logout, event_kind::presence));  // bob went offline
  CHECK(bob_sink->of(event_kind::session_revoked).size() == 1);
  CHECK(e->stats().connections == 1);

  // Every deliver() call made is counted once.
  const auto delivered = alice_sink->events().size() + bob_sink->events().size();
  CHECK(e->stats().events_delivered == delivered);
}

TEST_CASE("an_event_the_engine_bus_cannot_route_counts_a_database_error_and_fails_no_call",
          "[routing]") {
  watching_bus* bus = nullptr;
  auto e = open_watched(bus);
  const user alice = test::make_user(*e, "alice");
  const user bob = test::make_user(*e, "bob");
  auto alice_sink = std::make_shared<recording_sink>();
  e->connect(alice.id, alice_sink);
  auto group = e->create_group(alice.id, "publishers", "", {bob.id});
  REQUIRE(group.ok());
  const auto errors_before = e->stats().database_errors;

  bus->refuse(event_kind::member_removed);
  CHECK(e->remove_member(alice.id, group->id, bob.id).ok());
  CHECK(e->stats().database_errors == errors_before + 1);
  CHECK(alice_sink->of(event_kind::member_removed).empty());

  // The channel's next event is delivered.
  REQUIRE(e->rename_channel(alice.id, group->id, "renamed").ok());
  CHECK(alice_sink->of(event_kind::channel_updated).size() == 1);
}
