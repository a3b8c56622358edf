// Validates UTF-8 following the well-formed byte sequences table of Unicode 15, section 3.9:
// the one validator of libchat, also chatd's (chat/utf8.hpp).
#include "util/utf8.hpp"

#include "chat/utf8.hpp"

namespace chat {
namespace detail {
namespace {

// The number of code points if `text` is well-formed UTF-8, else nullopt; with `allow_nul`
// false U+0000 makes it nullopt too.
std::optional<std::size_t> count_code_points(std::string_view text, bool allow_nul) noexcept {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  auto in = [](unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; };
  while (i < n) {
    const unsigned char b0 = byte(i);
    if (b0 == 0x00 && !allow_nul) {
      return std::nullopt;  // U+0000: see utf8.hpp
    } else if (b0 < 0x80) {
      i += 1;
    } else if (in(b0, 0xC2, 0xDF)) {
      if (i + 1 >= n || !in(byte(i + 1), 0x80, 0xBF)) return std::nullopt;
      i += 2;
    } else if (in(b0, 0xE0, 0xEF)) {
      if (i + 2 >= n) return std::nullopt;
      const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
      const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;  // 0xED: exclude UTF-16 surrogates
      if (!in(byte(i + 1), lo, hi) || !in(byte(i + 2), 0x80, 0xBF)) return std::nullopt;
      i += 3;
    } else if (in(b0, 0xF0, 0xF4)) {
      if (i + 3 >= n) return std::nullopt;
      const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
      const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;  // 0xF4: nothing above U+10FFFF
      if (!in(byte(i + 1), lo, hi) || !in(byte(i + 2), 0x80, 0xBF) || !in(byte(i + 3), 0x80, 0xBF))
        return std::nullopt;
      i += 4;
    } else {
      return std::nullopt;
    }
    ++count;
  }
  return count;
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  return count_code_points(text, /*allow_nul=*/false);
}

bool has_control_characters(std::string_view text, std::string_view allowed) noexcept {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && allowed.find(c) == std::string_view::npos)
      return true;
  }
  return false;
}

}  // namespace detail

bool valid_utf8(std::string_view text) noexcept {
  return detail::count_code_points(text, /*allow_nul=*/true).has_value();
}

}  // namespace chat
