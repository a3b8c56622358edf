// Fuzz target: the Cookie header (http::session_cookie, cookie_value) and the Host / Origin
// checks that run before any route (parse_authority, host_allowed, origin_allowed). The input
// is "cookie header \n host \n origin"; missing parts are empty.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "http/origin.hpp"

namespace {

std::string next_line(std::string_view& input) {
  const auto end = input.find('\n');
  std::string line(input.substr(0, end));
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = chat::chatd::http;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string cookie = next_line(input);
  const std::string host = next_line(input);
  const std::string origin = next_line(input);

  static const chat::chatd::config plain;
  static const chat::chatd::config behind_proxy = [] {
    chat::chatd::config c;
    c.public_url = "https://chat.example.com";
    c.public_host = "chat.example.com";
    c.public_port = 443;
    c.allowed_origins = {"https://app.example.com"};
    return c;
  }();
  for (bool secure : {false, true}) {
    if (auto token = http::session_cookie(cookie, secure)) {
      if (token->empty()) __builtin_trap();  // documented: only a non-empty value
    }
  }
  http::cookie_value(cookie, "chat_session");
  http::cookie_value(cookie, "");
  chat::chatd::parse_authority(host, 80);
  for (const auto* settings : {&plain, &behind_proxy}) {
    http::host_allowed(host, *settings);
    http::origin_allowed(origin, host, false, *settings);
    http::origin_allowed(origin, host, true, *settings);
  }
  return 0;
}
