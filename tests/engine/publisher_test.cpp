// A bus that cannot route an event (its member list failed to load) costs that event only: the
// publisher counts it (routing_failures), never throws to the committed change's caller, and
// goes on delivering the stream's next events in order.
#include "routing/publisher.hpp"

#include <memory>
#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "store/store.hpp"

using namespace chat;

namespace {

// Fails to route messages whose text is "unroutable"; records the others.
struct failing_bus final : detail::event_bus {
  void publish(const detail::routed_event& e) override {
    if (e.payload->message && e.payload->message->text == "unroutable")
      throw detail::store_error(detail::store_error::kind::unavailable, "injected: no members");
    texts.push_back(e.payload->message->text);
  }
  bool revoke(user_id, const std::string&, const event_ptr&) override { return false; }
  std::vector<std::string> texts;
};

std::shared_ptr<event> message_event(channel_id ch, seq_t seq, const std::string& text) {
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::message_created;
  ev->channel = ch;
  message m;
  m.channel = ch;
  m.seq = seq;
  m.text = text;
  ev->message = m;
  return ev;
}

}  // namespace

TEST_CASE("an_event_the_bus_cannot_route_is_reported_and_the_stream_goes_on", "[routing]") {
  failing_bus bus;
  detail::publisher events(bus);
  CHECK_NOTHROW(events.publish(message_event(7, 1, "first")));
  CHECK_NOTHROW(events.publish(message_event(7, 2, "unroutable")));
  CHECK(events.routing_failures() == 1);
  CHECK_NOTHROW(events.publish(message_event(7, 3, "third")));

  // Queued under a lock, delivered after it: the failure in the middle stops nothing behind it.
  events.queue(message_event(7, 4, "fourth"));
  events.queue(message_event(7, 5, "unroutable"));
  events.queue(message_event(7, 6, "sixth"));
  events.deliver_queued(7);
  CHECK(events.routing_failures() == 2);
  CHECK(bus.texts == std::vector<std::string>{"first", "third", "fourth", "sixth"});
}
