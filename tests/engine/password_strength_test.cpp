// The cracklib check itself (auth/password_strength.hpp): it judges the whole password or
// refuses it, and says when its dictionary is gone instead of letting passwords through.
#include "auth/password_strength.hpp"

#include <string>

#include "engine_fixture.hpp"

using namespace chat;
using namespace std::string_literals;

TEST_CASE("a_password_with_u0000_is_refused_before_cracklib_reads_half_of_it",
          "[accounts][password]") {
  const detail::password_strength strength(true, "");
  REQUIRE(strength.usable().ok());
  REQUIRE(strength.check("correct horse battery", "alice").ok());
  // cracklib reads C strings: it would judge only "correct horse battery" here...
  const auto hidden_tail = strength.check("correct horse battery\0password"s, "alice");
  CHECK(hidden_tail.code() == errc::invalid_argument);
  CHECK(hidden_tail.message() == "password must not contain U+0000");
  // ...and only "abc" here.
  CHECK(strength.check("abc\0correct horse battery"s, "alice").message() ==
        "password must not contain U+0000");
  // Disabled, the check lets everything through (the caller's own rules still apply).
  CHECK(detail::password_strength(false, "").check("abc\0x"s, "alice").ok());
}

TEST_CASE("a_missing_dictionary_fails_the_check_as_internal_not_as_a_pass",
          "[accounts][password]") {
  const detail::password_strength strength(true, "/nonexistent/cracklib_dict");
  const auto usable = strength.usable();
  CHECK(usable.code() == errc::invalid_argument);
  CHECK_THAT(usable.message(), Catch::Contains("/nonexistent/cracklib_dict"));
  const auto checked = strength.check("correct horse battery", "alice");
  CHECK(checked.code() == errc::internal);
  CHECK(checked.message() == "the password dictionary cannot be read");
}
