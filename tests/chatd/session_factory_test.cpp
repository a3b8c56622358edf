// protocol::session_factory: which handshake cookie authenticates a WebSocket session (a
// browser's, with the cookie name of the connection's scheme), checked once it is open; and the
// sends a session counts in flight for the transport's shutdown.
#include "protocol/session_factory.hpp"

#include <chrono>
#include <thread>

#include "fixture.hpp"

using namespace chat::chatd;
using namespace chat::chatd::test;

namespace {

// A session made by the factory for `handshake`, in place of the fixture's (with a new outbox:
// closing the old session shuts its outbox). `settings` must outlive the session.
void open_by_factory(session_fixture& f, const config& settings, const handshake_info& handshake) {
  session_factory factory(*f.engine, settings, f.counters);
  f.s.reset();
  f.box = std::make_shared<outbox>(
      outbox::limits{}, [] {}, [] {});
  f.s = factory.make(
      handshake, f.box, [](std::uint16_t, const std::string&) {}, f.lent);
}

}  // namespace

TEST_CASE("a_browser_handshake_cookie_authenticates_the_session_once_it_is_open", "[session]") {
  config settings;
  session_fixture f;
  auto grant = account(*f.engine, "dora");
  open_by_factory(f, settings, {true, false, "theme=dark; chat_session=" + grant.token});
  CHECK(f.s->has_cookie());
  f.settle();
  CHECK_FALSE(f.s->authenticated());  // nothing before the open
  f.s->on_open();
  auto frames = f.take();
  REQUIRE(frames.size() == 1);
  CHECK(frames[0]["type"] == "ready");
  CHECK(f.s->authenticated());
  CHECK(f.s->user() == grant.account.id);
  CHECK_FALSE(f.s->has_cookie());
}

TEST_CASE("a_native_handshake_cookie_and_a_wrong_scheme_cookie_are_ignored", "[session]") {
  config settings;
  session_fixture f;
  auto grant = account(*f.engine, "eve");
  session_factory factory(*f.engine, settings, f.counters);
  const std::string plain = "chat_session=" + grant.token;
  const std::string secure = "__Host-chat_session=" + grant.token;
  CHECK(factory.cookie_token({true, false, plain}) == grant.token);
  CHECK(factory.cookie_token({false, false, plain}).empty());  // no Origin: not a browser
  CHECK(factory.cookie_token({true, true, plain}).empty());    // TLS takes the __Host- cookie
  CHECK(factory.cookie_token({true, true, secure}) == grant.token);
  settings.public_url = "https://chat.example";  // TLS at a proxy
  CHECK(factory.cookie_token({true, false, secure}) == grant.token);

  open_by_factory(f, settings, {false, false, plain});
  CHECK_FALSE(f.s->has_cookie());
  f.s->on_open();
  CHECK(f.take().empty());
  CHECK_FALSE(f.s->authenticated());
}

TEST_CASE("a_send_counts_in_flight_until_it_is_acknowledged", "[session]") {
  session_fixture f;
  auto grant = account(*f.engine, "fred");
  f.sign_in(grant);
  auto group = f.engine->create_group(grant.account.id, "g", "", {});
  REQUIRE(group.ok());
  f.take();
  auto ack = f.reply(
      R"({"type":"send","id":"s","channel_id":")" + std::to_string(group->id) + R"(","text":"hi"})",
      "s");
  CHECK(ack["type"] == "response");
  // Counted up when submitted and down on the commit thread right after it queued the
  // acknowledgement (so shutdown never closes before the ack is queued): the ack can be seen
  // here a moment before the count drops. Back to 0 within the fixture's settle bound, never
  // below.
  auto& in_flight = *f.lent.sends_in_flight;
  for (int i = 0; i < 10000 && in_flight.load() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(in_flight.load() == 0);
}
