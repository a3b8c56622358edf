// engine_options::password_hashing (chatd --password-cost): each cost hashes with its own
// argon2id limits, and a hash keeps verifying after the cost is changed (the string carries
// the limits it was made with).
#include <string>
#include <vector>

#include "auth/credentials.hpp"
#include "engine_fixture.hpp"

using namespace chat;

TEST_CASE("each_password_cost_hashes_with_its_own_limits", "[accounts][password]") {
  // libsodium's crypto_pwhash_{OPSLIMIT,MEMLIMIT}_{MIN,INTERACTIVE,MODERATE}, m= in KiB.
  const std::vector<std::pair<password_cost, std::string>> costs = {
      {password_cost::minimum, "$argon2id$v=19$m=8,t=1,p=1$"},
      {password_cost::interactive, "$argon2id$v=19$m=65536,t=2,p=1$"},
      {password_cost::moderate, "$argon2id$v=19$m=262144,t=3,p=1$"},
  };
  const detail::password_hasher cheapest(password_cost::minimum);
  for (const auto& [cost, prefix] : costs) {
    INFO("password_cost " << static_cast<int>(cost));
    const detail::password_hasher hasher(cost);
    const auto hash = hasher.hash("correct horse battery");
    REQUIRE(hash);
    CHECK(hash->rfind(prefix, 0) == 0);
    CHECK(hasher.verify(*hash, "correct horse battery"));
    CHECK(!hasher.verify(*hash, "correct horse batterz"));
    // Lowering the cost later (or raising it) leaves existing accounts able to sign in.
    CHECK(cheapest.verify(*hash, "correct horse battery"));
  }
}
