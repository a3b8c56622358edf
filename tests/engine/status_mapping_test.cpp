// A storage failure reaches a caller as a fixed code and message per kind (status_mapping.hpp):
// an outage is `unavailable` and says which outage, a collision is `conflict`, anything else is
// `internal`; the database's own text (key names, values) never does.
#include "engine/status_mapping.hpp"

#include <string>
#include <tuple>
#include <vector>

#include "engine_fixture.hpp"

using namespace chat;
using kind = detail::store_error::kind;

TEST_CASE("each_store_error_kind_becomes_its_own_fixed_status", "[errors]") {
  const std::string secret = "UNIQUE constraint failed: users.username_key 'alice'";
  const std::vector<std::tuple<kind, errc, std::string>> table = {
      {kind::unavailable, errc::unavailable, database_message::unavailable},
      {kind::full, errc::unavailable, database_message::full},
      {kind::read_only, errc::unavailable, database_message::read_only},
      {kind::misconfigured, errc::unavailable, database_message::misconfigured},
      {kind::conflict, errc::conflict, "the change collides with data stored meanwhile; retry"},
      {kind::internal, errc::internal, "internal storage error"},
  };
  for (const auto& [k, code, message] : table) {
    const status s = detail::to_status(detail::store_error(k, secret));
    INFO("store_error kind " << static_cast<int>(k));
    CHECK(s.code() == code);
    CHECK(s.message() == message);
    CHECK(s.message().find("alice") == std::string::npos);
  }
}
