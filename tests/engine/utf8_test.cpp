// UTF-8 validation (util/utf8.hpp) at every edge of the well-formed byte sequences table
// (Unicode 15, table 3-7): each first and last valid byte, and the byte just outside it.
#include "util/utf8.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>

using chat::detail::utf8_length;

namespace {
std::optional<std::size_t> length_of(const std::string& bytes) {
  return utf8_length(bytes);
}
}  // namespace

TEST_CASE("utf8_accepts_the_first_and_last_code_point_of_every_sequence_length", "[utf8]") {
  CHECK(length_of("\x01") == 1u);
  CHECK(length_of("\x7f") == 1u);
  CHECK(length_of("\xc2\x80") == 1u);          // U+0080
  CHECK(length_of("\xdf\xbf") == 1u);          // U+07FF
  CHECK(length_of("\xe0\xa0\x80") == 1u);      // U+0800
  CHECK(length_of("\xe1\x80\x80") == 1u);      // U+1000
  CHECK(length_of("\xec\xbf\xbf") == 1u);      // U+CFFF
  CHECK(length_of("\xed\x80\x80") == 1u);      // U+D000
  CHECK(length_of("\xed\x9f\xbf") == 1u);      // U+D7FF
  CHECK(length_of("\xee\x80\x80") == 1u);      // U+E000
  CHECK(length_of("\xef\xbf\xbf") == 1u);      // U+FFFF
  CHECK(length_of("\xf0\x90\x80\x80") == 1u);  // U+10000
  CHECK(length_of("\xf1\x80\x80\x80") == 1u);  // U+40000
  CHECK(length_of("\xf3\xbf\xbf\xbf") == 1u);  // U+FFFFF
  CHECK(length_of("\xf4\x80\x80\x80") == 1u);  // U+100000
  CHECK(length_of("\xf4\x8f\xbf\xbf") == 1u);  // U+10FFFF
  CHECK(length_of("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z") == 5u);
  CHECK(length_of("") == 0u);
}

TEST_CASE("utf8_refuses_overlongs_surrogates_and_code_points_above_u10ffff", "[utf8]") {
  for (const char* bad : {
           "\x00",              // U+0000 (see utf8.hpp)
           "\x80",              // a continuation byte alone
           "\xbf",              //
           "\xc0\x80",          // overlong 2-byte
           "\xc1\xbf",          // overlong U+007F
           "\xc2\x7f",          // second byte below 80
           "\xc2\xc0",          // second byte above BF
           "\xe0\x80\x80",      // overlong 3-byte
           "\xe0\x9f\xbf",      // overlong U+07FF
           "\xe1\x7f\x80",      //
           "\xe1\x80\xc0",      // third byte above BF
           "\xed\xa0\x80",      // U+D800, high surrogate
           "\xed\xbf\xbf",      // U+DFFF, low surrogate
           "\xef\xc0\x80",      //
           "\xf0\x80\x80\x80",  // overlong 4-byte
           "\xf0\x8f\xbf\xbf",  // overlong U+FFFF
           "\xf1\x7f\x80\x80",  //
           "\xf1\x80\x80\xc0",  // fourth byte above BF
           "\xf4\x90\x80\x80",  // U+110000
           "\xf4\xbf\xbf\xbf",  //
           "\xf5\x80\x80\x80",  // no lead byte above F4
           "\xff",              //
       }) {
    const std::string bytes = *bad ? std::string(bad) : std::string(1, '\0');
    INFO("bytes " << bytes.size());
    CHECK_FALSE(length_of(bytes));
  }
}

// A sequence cut short at the end of the view: the byte after the view must not be read (here
// it would complete the sequence).
TEST_CASE("utf8_refuses_a_sequence_cut_off_by_the_end_of_the_text", "[utf8]") {
  const std::string two = "\xc3\xa9", three = "\xe2\x82\xac", four = "\xf0\x9f\x98\x80";
  CHECK_FALSE(utf8_length(std::string_view(two.data(), 1)));
  CHECK_FALSE(utf8_length(std::string_view(three.data(), 2)));
  CHECK_FALSE(utf8_length(std::string_view(three.data(), 1)));
  CHECK_FALSE(utf8_length(std::string_view(four.data(), 3)));
  CHECK_FALSE(utf8_length(std::string_view(four.data(), 2)));
  CHECK(utf8_length(std::string_view(two.data(), 2)) == 1u);
  CHECK(utf8_length(std::string_view(three.data(), 3)) == 1u);
  CHECK(utf8_length(std::string_view(four.data(), 4)) == 1u);
}

TEST_CASE("control_characters_are_those_below_u0020_except_the_allowed_ones", "[utf8]") {
  using chat::detail::has_control_characters;
  CHECK(has_control_characters("a\x1f"));
  CHECK(has_control_characters(std::string("a\0b", 3)));
  CHECK_FALSE(has_control_characters("a b~\x7f"));  // U+0020 and DEL are not C0
  CHECK(has_control_characters("a\tb"));
  CHECK_FALSE(has_control_characters("a\tb\n", "\t\n"));
  CHECK(has_control_characters("a\rb", "\t\n"));
}
