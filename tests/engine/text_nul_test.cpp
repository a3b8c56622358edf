// No text the engine takes may hold U+0000 (docs/embedding.md): the C API and the bindings over
// it see NUL-terminated strings, which would silently end there.
#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

TEST_CASE("u0000_is_refused_in_every_text_the_engine_takes", "[messages][accounts]") {
  using namespace std::string_literals;
  auto e = open_memory_engine();
  const auto alice = make_user(*e, "alice");
  const auto group = e->create_group(alice.id, "g", "");
  REQUIRE(group.ok());
  const std::string nul = "before\0after"s;
  CHECK(e->send(alice.id, group->id, nul).code() == errc::invalid_argument);
  CHECK(e->send(alice.id, group->id, "text", "key\0"s).code() == errc::invalid_argument);
  CHECK(e->create_group(alice.id, nul, "").code() == errc::invalid_argument);
  CHECK(e->set_topic(alice.id, group->id, nul).code() == errc::invalid_argument);
  CHECK(e->register_user({"bob", "a long password\0x"s, std::nullopt, std::nullopt}).code() ==
        errc::invalid_argument);
  CHECK(e->register_user({"bob", "a long password", "b\0@example.com"s, std::nullopt}).code() ==
        errc::invalid_argument);
  CHECK(e->link_identity(alice.id, {"https://issuer", "sub\0"s, std::nullopt, 0}).code() ==
        errc::invalid_argument);
  CHECK(e->history(alice.id, group->id, {})->messages.empty());
  // The same text without the NUL is fine.
  CHECK(e->send(alice.id, group->id, "before after", "key").ok());
}
