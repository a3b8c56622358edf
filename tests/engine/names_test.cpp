// Every public enum value has its own stable name (style.md: "every code has a to_string"), the
// one the C API and Python bindings show, and names that parse back do.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine_fixture.hpp"

using namespace chat;

TEST_CASE("every_event_kind_has_its_own_name", "[names]") {
  const std::vector<std::pair<event_kind, std::string>> names = {
      {event_kind::message_created, "message_created"},
      {event_kind::channel_created, "channel_created"},
      {event_kind::channel_updated, "channel_updated"},
      {event_kind::member_added, "member_added"},
      {event_kind::member_removed, "member_removed"},
      {event_kind::member_role_changed, "member_role_changed"},
      {event_kind::read_marker, "read_marker"},
      {event_kind::presence, "presence"},
      {event_kind::typing, "typing"},
      {event_kind::session_revoked, "session_revoked"},
      {event_kind::user_updated, "user_updated"},
  };
  std::set<std::string> seen;
  for (const auto& [kind, name] : names) {
    INFO("event_kind " << static_cast<int>(kind));
    CHECK(std::string(to_string(kind)) == name);
    seen.insert(to_string(kind));
  }
  CHECK(seen.size() == names.size());
  // The table above is complete: user_updated is the last kind.
  CHECK(static_cast<int>(event_kind::user_updated) + 1 == static_cast<int>(names.size()));
}

TEST_CASE("roles_channel_kinds_and_policies_have_names_that_parse_back", "[names]") {
  CHECK(std::string(to_string(role::member)) == "member");
  CHECK(std::string(to_string(role::admin)) == "admin");
  CHECK(std::string(to_string(role::owner)) == "owner");
  for (role r : {role::member, role::admin, role::owner})
    CHECK(role_from_string(to_string(r)) == r);
  CHECK(!role_from_string("Owner"));
  CHECK(!role_from_string(""));
  CHECK(std::string(to_string(channel_kind::group)) == "group");
  CHECK(std::string(to_string(channel_kind::direct)) == "direct");
}
